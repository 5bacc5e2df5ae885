"""What a finished run says: how close it got, when it settled, and why it stopped.

``steps_to_tolerance`` is the one definition used by the Race's table, the Learning-rate lab and
the lessons: **the step from which the gap stays within the tolerance to the end of the run**
(a run that only passes through the tolerance has not settled).
"""

from __future__ import annotations

import numpy as np

from optim_core._loop import DIVERGENCE_FACTOR, divergence_bound
from optim_core.runner import Trajectory
from optim_core.theory import divergence_reason


def steps_to_tolerance(gap, diverged_at=None, tol=1e-4):
    """The first step k with gap_t ≤ tol for every t ≥ k (gap: (steps+1,) or (steps+1, B));
    ``tol`` is a number or one per run (B,). NaN where the run never settles or diverged
    (``diverged_at`` None / −1 means it did not)."""
    gap = np.asarray(gap, dtype=float)
    single = gap.ndim == 1
    gap = gap[:, None] if single else gap
    with np.errstate(invalid="ignore"):
        outside = ~(gap <= np.asarray(tol, dtype=float))
    last_outside = gap.shape[0] - 1 - np.argmax(outside[::-1], axis=0)
    settled = np.where(outside.any(axis=0), last_outside + 1, 0).astype(float)
    settled[settled >= gap.shape[0]] = np.nan
    if diverged_at is not None:
        stopped = np.atleast_1d(np.asarray(-1 if diverged_at is None else diverged_at))
        settled[stopped >= 0] = np.nan
    return float(settled[0]) if single else settled


def known_min_value(surface) -> float | None:
    """f at the surface's known minima (the lowest), or None if it lists none."""
    if not surface.minima:
        return None
    with np.errstate(all="ignore"):
        values = np.asarray(surface.f(np.asarray(surface.minima, dtype=float)), dtype=float)
    values = values[np.isfinite(values)]
    return float(values.min()) if values.size else None


def loss_gap(trajectory, f_min: float | None) -> np.ndarray:
    """f − f_min along the run (f if no minimum is known); NaN from the step it stopped."""
    loss = np.array(trajectory.loss, dtype=float)
    if trajectory.diverged_at is not None:
        loss[int(trajectory.diverged_at) :] = np.nan
    return loss - f_min if f_min is not None else loss


def gradient_norms(surface, trajectory) -> np.ndarray:
    """‖∇f‖ at every iterate (NaN from the step the run stopped)."""
    path = np.array(trajectory.path, dtype=float)
    if trajectory.diverged_at is not None:
        path[int(trajectory.diverged_at) :] = np.nan
    with np.errstate(all="ignore"):
        return np.linalg.norm(np.asarray(surface.grad(path), dtype=float), axis=-1)


def stopped_why(surface, trajectory) -> str | None:
    """Why a run stopped, in words: it left the function's domain (where and what is not
    defined), it diverged (with the theory's reason on a quadratic), or its time ran out. None if
    it ran on."""
    k = trajectory.diverged_at
    if getattr(trajectory, "stopped", None) == "deadline":
        return stop_reason(surface, trajectory)
    if k is None:
        return None
    if getattr(trajectory, "stopped", "diverged") == "domain":
        return stop_reason(surface, trajectory)
    reason = divergence_reason(surface, trajectory.optimizer, trajectory.hyper, k)
    return f"diverged at step {k}: {reason}"


def _number(value: float) -> str:
    return f"{value:.4g}".replace("-", "−")


def _at(point) -> str:
    """A stop point in words: its x and y, or, in P dimensions, its norm."""
    if point.size == 2:
        return f"x = {_number(point[0])}, y = {_number(point[1])}"
    return f"θ with ‖θ‖ = {_number(float(np.linalg.norm(point)))}"


def stop_reason(surface, trajectory: Trajectory) -> str:
    """What happened to a run, in words: "ran all 200 steps", "left the domain of f at step 3
    (f is not defined at x = −0.12, y = 0.5)" or "diverged at step 7 (…)". In P dimensions the
    point is told by its norm ‖θ‖."""
    k = trajectory.diverged_at
    if trajectory.stopped == "deadline":
        return f"stopped at step {trajectory.deadline_at}: its time ran out"
    if k is None:
        return f"ran all {len(trajectory.lr)} steps"
    point = np.array(trajectory.stop_point, dtype=float)
    at = _at(point)
    if trajectory.stopped == "domain":
        with np.errstate(all="ignore"):
            if not np.isfinite(surface.f(point)):
                what = "f is not defined"
            elif not np.isfinite(surface.grad(point)).all():
                what = "∇f is not defined"
            else:
                what = "the Hessian ∇²f is not defined"
        return f"left the domain of f at step {k} ({what} at {at})"
    if not np.isfinite(point).all():
        why = "the iterate overflowed to a non-finite number"
    else:
        centre, reach = divergence_bound(surface)
        if point.size == 2:
            far = np.hypot(*(point - centre)) > reach
            bound = f"more than {DIVERGENCE_FACTOR:g} × the view's diameter from its centre"
        else:
            far = np.linalg.norm(point - centre) > reach
            origin = "0" if not centre.any() else "the divergence bound's centre"
            bound = f"farther than {_number(reach)} from {origin}"
        why = f"the iterate reached {at}, {bound}" if far else f"f overflowed at {at}"
    return f"diverged at step {k} ({why})"
