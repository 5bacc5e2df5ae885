"""Benchmark: every optimizer trains a small network (budget from DESIGN.md: 14 optimizers ×
500 steps on the default network ≤ 2 s of server time).

The default network is the Network page's (``NetworkSettings()``); each optimizer starts from
the same θ₀ with its default hyperparameters and the page's learning rate, through
``run_many`` as the page runs them (the first-order ones share one loop; Newton, which needs
the exact Hessian every step, runs on its own). Also each optimizer alone, and the same on a
larger network (16, 16) where Newton is refused. Prints a markdown table.

    python bench/bench_network.py
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from optim_core import OPTIMIZERS, OptimizerError, run_many
from surfaces.network import get_network
from webapp.settings.network import NetworkSettings, network_lr

STEPS = 500
BUDGET = 2.0  # seconds (DESIGN.md)


def _default_network():
    """The Network page's default network, and each optimizer's learning rate there."""
    settings = NetworkSettings()
    name, hidden, activation, loss = settings.network_args
    net = get_network(name, hidden, activation=activation, loss=loss)
    return net, lambda o: {"lr": network_lr(o)}


def _best_of(repeats, fn):
    best, result = float("inf"), None
    for _ in range(repeats):
        begin = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - begin)
    return best, result


def _refused(runs, out) -> list[str]:
    return [r["optimizer"] for r, t in zip(runs, out, strict=True) if isinstance(t, OptimizerError)]


def _runs(net, hyper_of):
    theta0 = net.init(0)
    return [dict(optimizer=o, start=theta0, steps=STEPS, **hyper_of(o)) for o in OPTIMIZERS]


def main():
    net, hyper_of = _default_network()
    runs = _runs(net, hyper_of)
    run_many(net, runs[:2])  # warm-up
    seconds, out = _best_of(3, lambda: run_many(net, runs))
    refused = [
        r["optimizer"] for r, t in zip(runs, out, strict=True) if isinstance(t, OptimizerError)
    ]
    print(f"{net.name}, P = {net.dim}, N = {net.n_examples}, {STEPS} steps, full batch\n")
    print("| what | time | budget |")
    print("|---|---|---|")
    mark = "✓" if seconds <= BUDGET else "✗"
    print(f"| all {len(runs)} optimizers, `run_many` | {seconds:.2f} s {mark} | ≤ {BUDGET} s |")
    for r in runs:
        alone, _ = _best_of(2, lambda r=r: run_many(net, [r]))
        print(f"| {r['optimizer']} alone | {alone:.3f} s | |")
    if refused:
        print(f"\nrefused: {', '.join(refused)}")

    big = get_network(net.dataset, hidden=(16, 16), activation=net.activation, loss=net.loss)
    runs = _runs(big, hyper_of)
    seconds, out = _best_of(2, lambda: run_many(big, runs))
    refused = [
        r["optimizer"] for r, t in zip(runs, out, strict=True) if isinstance(t, OptimizerError)
    ]
    print(f"\n{big.name}, P = {big.dim}: all optimizers {seconds:.2f} s "
          f"(refused: {', '.join(refused) or 'none'})")  # fmt: skip


if __name__ == "__main__":
    main()
