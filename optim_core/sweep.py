"""Sweeps: one optimizer over a grid of learning rates (× its second hyperparameter), run as a
single batch, and what became of every cell — final loss gap, steps to a tolerance, divergence.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optim_core.analysis import steps_to_tolerance
from optim_core.optimizers import optimizer_spec
from optim_core.runner import run_batch


@dataclass(frozen=True)
class Sweep:
    """Outcomes over the grid: arrays are (rows = second values, columns = learning rates),
    or (n,) when the optimizer has no second hyperparameter (``seconds`` is then None).
    ``deadline_at`` k: the sweep's deadline stopped the runs still going after k steps, and
    each cell's outcome is where it was then (None: every run went to its end)."""

    optimizer: str
    lrs: np.ndarray
    seconds: np.ndarray | None
    final_gap: np.ndarray  # f − f* after the last step; NaN where the run diverged
    steps_to_tol: np.ndarray  # see steps_to_tolerance; NaN if never settled or diverged
    diverged_at: np.ndarray  # step of divergence, −1 if never
    f_ref: float  # f*: the lowest loss known
    deadline_at: int | None = None  # the steps taken when the deadline stopped the sweep

    @property
    def n_diverged(self) -> int:
        """How many cells diverged."""
        return int((self.diverged_at >= 0).sum())

    @property
    def any_settled(self) -> bool:
        """Whether any cell settled within the tolerance."""
        return bool(np.isfinite(self.steps_to_tol).any())


def second_values(optimizer: str, n: int) -> np.ndarray | None:
    """n values of the optimizer's second hyperparameter (μ, β₁ or ρ) over its slider range."""
    spec = optimizer_spec(optimizer)
    if spec.second is None:
        return None
    hyper = next(h for h in spec.hyper if h.name == spec.second)
    return np.linspace(hyper.min, hyper.max, n)


def reference_loss(surface, losses: np.ndarray) -> float:
    """f*: the lowest loss known — at the surface's listed minima, at a convex quadratic's
    minimizer (one Newton step from anywhere), or reached by any of the runs."""
    with np.errstate(all="ignore"):
        finite = losses[np.isfinite(losses)]
        candidates = [float(finite.min())] if finite.size else []
        if surface.minima:
            candidates.append(float(np.min(surface.f(np.asarray(surface.minima, dtype=float)))))
        else:
            eigenvalues = getattr(surface, "quadratic_eigenvalues", None)
            if eigenvalues is not None and eigenvalues[0] > 0:
                origin = np.zeros(2)
                minimizer = -np.linalg.solve(surface.hessian(origin), surface.grad(origin))
                candidates.append(float(surface.f(minimizer)))
    return min(candidates) if candidates else 0.0


def sweep(
    surface,
    optimizer: str,
    start,
    lrs,
    *,
    seconds=None,
    steps: int = 200,
    tol: float = 1e-6,
    deadline=None,
    **fixed,
) -> Sweep:
    """Run every (α, second) cell in one ``run_batch`` call and summarize each run.

    ``seconds`` are values of the optimizer's second hyperparameter (None: a 1-D sweep of α);
    ``fixed`` holds the other hyperparameters, the same for every cell; ``deadline`` (seconds,
    None: none) as in ``run_batch``.
    """
    lrs = np.asarray(lrs, dtype=float)
    hyper = dict(fixed)
    if seconds is None:
        hyper["lr"] = lrs
        shape: tuple[int, ...] = lrs.shape
    else:
        seconds = np.asarray(seconds, dtype=float)
        lr_grid, second_grid = np.meshgrid(lrs, seconds)
        hyper["lr"] = lr_grid.ravel()
        hyper[optimizer_spec(optimizer).second] = second_grid.ravel()
        shape = lr_grid.shape
    start = np.asarray(start, dtype=float)
    batch = run_batch(surface, optimizer, start, steps, deadline=deadline, **hyper)
    f_ref = reference_loss(surface, batch.loss)
    with np.errstate(all="ignore"):  # a loss of 1e308 less a negative f*
        gap = np.maximum(batch.loss - f_ref, 0.0)
    final = np.where(batch.diverged_at >= 0, np.nan, gap[-1])
    return Sweep(
        optimizer=optimizer,
        lrs=lrs,
        seconds=seconds,
        final_gap=final.reshape(shape),
        steps_to_tol=steps_to_tolerance(gap, batch.diverged_at, tol * gap[0]).reshape(shape),
        diverged_at=batch.diverged_at.reshape(shape),
        f_ref=f_ref,
        deadline_at=batch.deadline_at,
    )
