"""Benchmark of mini-batch gradients in the batched runner (target from issue #10: within 3×
the exact-gradient run).

A 64 × 64 grid of learning rate × momentum (4096 runs), 500 steps of heavy-ball momentum on
the catalog regression surface (standardized features), once with the exact gradient and
once with mini-batches of m = 8 of its 40 examples, in both sampling modes. Prints the times
and their ratios (best of 5, one core).

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


def _best_of(repeats, fn):
    times = []
    for _ in range(repeats):
        begin = time.perf_counter()
        fn()
        times.append(time.perf_counter() - begin)
    return min(times)


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

    exact()  # warm-up: lambdify caches, first-touch allocations
    exact_seconds = _best_of(5, exact)
    print(f"{GRID * GRID} runs × {STEPS} steps of momentum on {surface.name}, one core\n")
    print("| gradient | seconds | × exact |")
    print("|---|---:|---:|")
    print(f"| exact | {exact_seconds:.3f} | 1.00 |")
    for sampling in ("shuffle", "replacement"):
        minibatch(sampling)()
        seconds = _best_of(5, minibatch(sampling))
        print(f"| m = {BATCH_SIZE}, {sampling} | {seconds:.3f} | {seconds / exact_seconds:.2f} |")
    print(f"\ntarget: mini-batch within {TARGET:g}× the exact run")


if __name__ == "__main__":
    main()
