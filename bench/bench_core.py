"""Benchmark of optim_core's batched runner (budget from DESIGN.md: ≤ 0.1 s on one core).

A 64 × 64 grid of learning rate × momentum (4096 runs), 500 steps of heavy-ball momentum on
the catalog Rosenbrock surface, once through ``run_batch`` and once as single ``run`` calls
(a subset of 256 timed, extrapolated to 4096). Prints a markdown table.

    python bench/bench_core.py
"""

import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from optim_core import run, run_batch
from surfaces import get_surface

STEPS = 500
GRID = 64
SUBSET = 256
BUDGET = 0.1  # seconds (DESIGN.md)
START = (-1.2, 1.0)


def _best_of(repeats, fn):
    times = []
    for _ in range(repeats):
        begin = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - begin)
    return min(times), result


def main():
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    surface = get_surface("rosenbrock")
    lr, mu = np.meshgrid(np.geomspace(1e-5, 2e-3, GRID), np.linspace(0.0, 0.99, GRID))
    lr, mu = lr.ravel(), mu.ravel()

    def batch():
        return run_batch(surface, "momentum", START, STEPS, lr=lr, momentum=mu)

    batch()  # warm-up: lambdify caches, first-touch allocations
    batch_seconds, result = _best_of(5, batch)

    picks = np.linspace(0, lr.size - 1, SUBSET).astype(int)

    def singles():
        return [run(surface, "momentum", START, STEPS, lr=lr[i], momentum=mu[i]) for i in picks]

    subset_seconds, single_runs = _best_of(2, singles)
    for i, t in zip(picks, single_runs, strict=True):  # the two ways agree
        np.testing.assert_allclose(result.path[:, i], t.path, rtol=1e-9, atol=1e-12)
    singles_seconds = subset_seconds * lr.size / SUBSET

    diverged = int((result.diverged_at >= 0).sum())
    print(f"momentum on Rosenbrock, {STEPS} steps, {GRID} × {GRID} = {lr.size} runs, one core")
    print(f"({diverged} of {lr.size} runs diverged and were frozen)\n")
    print("| what | time | per run-step |")
    print("|---|---|---|")
    per = 1e9 / (lr.size * STEPS)
    print(
        f"| `run_batch`, {lr.size} runs at once (budget ≤ {BUDGET} s) | "
        f"{batch_seconds:.3f} s {'✓' if batch_seconds <= BUDGET else '✗'} | "
        f"{batch_seconds * per:.0f} ns |"
    )
    print(
        f"| `run`, one by one ({SUBSET} timed, × {lr.size // SUBSET} extrapolated) | "
        f"{singles_seconds:.1f} s | {singles_seconds * per:.0f} ns |"
    )
    print(f"| speed-up of the batch | {singles_seconds / batch_seconds:.0f}× | |")


if __name__ == "__main__":
    main()
