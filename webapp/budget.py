"""Bounded work per request: how long a set of runs would take, estimated before running them,
and the deadline that stops them while they run.

A user's formula can make every gradient expensive, so a page asks first: one timed probe of
the surface's f and gradient (and Hessian, for optimizers that use it) at the runs' points,
× steps × 2 for the optimizer's own arithmetic. Above the page's limit it says so instead of
tying up the server that a whole class shares.

The estimate is a fast pre-check, not a bound: NumPy's cost depends on the values, and a large
learning rate sends iterates where f is many times slower to evaluate than at the start. So
each page also runs under a deadline (seconds, the runner's ``deadline=``): a run that passes
it stops, keeps what it computed, and the page says so (``stopped_message``). The critical-
point search has its own (``CRITICAL_DEADLINE``, from ``surfaces.curvature``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from optim_core import OPTIMIZERS
from surfaces.curvature import CRITICAL_BUDGET

GRID_BUDGET_SECONDS = 6.0  # the lab refuses a grid × steps estimated to take longer
RACE_SECONDS = 4.0  # the Race refuses runs estimated to take longer than this

# Deadlines (seconds of the wall clock): the work stops there and shows what it computed.
LAB_DEADLINE = GRID_BUDGET_SECONDS  # the Lab's grid, and the picked run under it
RACE_DEADLINE = RACE_SECONDS  # the Race's runs, all together
STEP_DEADLINE = 4.0  # Step by step's run
CRITICAL_DEADLINE = CRITICAL_BUDGET  # the critical-point search (``critical_points``)

SLOW_SURFACE = "the surface is slow to evaluate here"


def stopped_message(what: str, seconds: float, step: int, steps: int) -> str:
    """ "The grid stopped after 6 s at step 41 of 500 — the surface is slow to evaluate here"."""
    return f"{what} stopped after {seconds:g} s at step {step} of {steps} — {SLOW_SURFACE}"


def timed(hyper_of, seconds: float):
    """``hyper_of`` (optimizer -> its hyperparameters) with the runner's ``deadline`` added:
    the keyword arguments ``webapp.runs`` passes on to ``run`` and ``run_many``."""

    def hyper_with_deadline(optimizer: str) -> dict:
        return {**hyper_of(optimizer), "deadline": seconds}

    return hyper_with_deadline


def first_deadline(trajectories) -> int | None:
    """The fewest steps a deadline left any of ``trajectories`` (None: none was stopped)."""
    cuts = [t.deadline_at for t in trajectories if getattr(t, "deadline_at", None) is not None]
    return min(cuts) if cuts else None


@dataclass(frozen=True)
class Budget:
    """An estimate of a piece of work against its limit."""

    what: str  # e.g. "4 optimizers × 200 steps"
    estimate: float  # seconds
    limit: float  # seconds
    advice: str = "Choose fewer steps or optimizers, or a simpler formula."

    @property
    def ok(self) -> bool:
        return self.estimate <= self.limit

    @property
    def message(self) -> str:
        return (
            f"{self.what} on this surface would take about {self.estimate:.0f} s, more than "
            f"the budget of {self.limit:g} s per change. {self.advice}"
        )


PROBES = 3  # the fastest of three timings: a busy machine inflates single timings


def _seconds(call, points) -> float:
    best = float("inf")
    with np.errstate(all="ignore"):
        for _ in range(PROBES):
            probe = time.perf_counter()
            call(points)
            best = min(best, time.perf_counter() - probe)
    return best


def run_seconds(
    surface, optimizers, start, steps: int, runs: int = 1, batch_size: int | None = None
) -> float:
    """Estimated seconds for ``runs`` runs (one batch) of every optimizer in ``optimizers``;
    with ``batch_size``, each step's gradient is the mean of that many examples' gradients."""
    points = np.repeat(np.asarray(start, dtype=float).reshape(1, 2), runs, axis=0)
    gradient = surface.grad
    if batch_size:
        batches = np.zeros((runs, batch_size), dtype=np.intp)
        with np.errstate(all="ignore"):  # its first call compiles: not part of the estimate
            surface.minibatch_grad(points[:1], batches[:1])

        def gradient(xy):
            return surface.minibatch_grad(xy, batches)

    first_order = _seconds(surface.f, points) + _seconds(gradient, points)
    second_order = 0.0
    if any(OPTIMIZERS[o].uses_hessian for o in optimizers):
        second_order = _seconds(surface.hessian, points)
    total = sum(first_order + second_order * OPTIMIZERS[o].uses_hessian for o in optimizers)
    return 2.0 * total * steps


def race_budget(surface, optimizers, start, steps: int, limit: float = RACE_SECONDS) -> Budget:
    """Whether the Race's runs fit its limit."""
    what = f"{len(optimizers)} optimizer{'s' * (len(optimizers) != 1)} × {steps} steps"
    return Budget(what, run_seconds(surface, optimizers, start, steps), limit)


def grid_budget(
    surface,
    optimizer: str,
    start,
    runs: int,
    steps: int,
    limit: float | None = None,
    batch_size: int | None = None,
) -> Budget:
    """Whether a grid of ``runs`` runs × ``steps`` steps fits the lab's budget (``limit``,
    GRID_BUDGET_SECONDS by default), estimated by ``budget.run_seconds``."""
    seconds = run_seconds(surface, [optimizer], start, steps, runs=runs, batch_size=batch_size)
    return Budget(
        f"{runs} runs × {steps} steps",
        seconds,
        GRID_BUDGET_SECONDS if limit is None else limit,
        "Choose a smaller grid or fewer steps (or a simpler formula).",
    )
