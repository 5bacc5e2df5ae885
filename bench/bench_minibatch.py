"""Benchmark of mini-batch gradients in the batched runner (target from issue #10: within 3×
the exact-gradient run).

A 64 × 64 grid of learning rate × momentum (4096 runs), 500 steps of heavy-ball momentum on
the catalog regression surface (standardized features), once with the exact gradient and
once with mini-batches of m = 8 of its 40 examples, in both sampling modes. Prints the times
and their ratios (best of 7 rounds, one core; the three runs interleaved in each round, so a
busy machine slows them alike).

    python bench/bench_minibatch.py
"""

import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from optim_core import run_batch
from surfaces import get_surface

STEPS = 500
GRID = 64
BATCH_SIZE = 8
TARGET = 3.0  # × the exact-gradient run


ROUNDS = 7


def _seconds(fn):
    begin = time.perf_counter()
    fn()
    return time.perf_counter() - begin


def main():
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    surface = get_surface("regression", standardized=1)
    lr, mu = np.meshgrid(np.geomspace(1e-3, 0.5, GRID), np.linspace(0.0, 0.99, GRID))
    lr, mu = lr.ravel(), mu.ravel()

    def exact():
        return run_batch(surface, "momentum", surface.start, STEPS, lr=lr, momentum=mu)

    def minibatch(sampling):
        return lambda: run_batch(
            surface,
            "momentum",
            surface.start,
            STEPS,
            lr=lr,
            momentum=mu,
            batch_size=BATCH_SIZE,
            sampling=sampling,
        )

    runs = {"exact": exact} | {
        f"m = {BATCH_SIZE}, {sampling}": minibatch(sampling)
        for sampling in ("shuffle", "replacement")
    }
    for fn in runs.values():
        fn()  # warm-up: lambdify caches, first-touch allocations
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(ROUNDS):
        for label, fn in runs.items():
            best[label] = min(best[label], _seconds(fn))
    print(f"{GRID * GRID} runs × {STEPS} steps of momentum on {surface.name}, one core\n")
    print("| gradient | seconds | × exact |")
    print("|---|---:|---:|")
    for label, seconds in best.items():
        print(f"| {label} | {seconds:.3f} | {seconds / best['exact']:.2f} |")
    print(f"\ntarget: mini-batch within {TARGET:g}× the exact run")


if __name__ == "__main__":
    main()
