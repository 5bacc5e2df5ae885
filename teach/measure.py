"""The measurements the lessons state, on finished runs: plain values and trajectories in, typed
results (plain ``float`` / ``int`` / tuples) out. The Lessons page composes these; it holds no
NumPy of its own (issue #8).

Every measure of "how close" is f − f_min along the run (``analysis.loss_gap`` against
``analysis.known_min_value``); "settled" is ``analysis.steps_to_tolerance``, the one definition
the Race's table uses. Imports neither Streamlit nor Plotly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from optim_core.analysis import known_min_value, loss_gap, steps_to_tolerance
from optim_core.runner import run_batch
from optim_core.schedules import schedule_values, total_limit

Point = tuple[float, float]


def _point(p) -> Point:
    x, y = (float(v) for v in np.asarray(p, dtype=float).reshape(2))
    return (x, y)


def distance(p, q) -> float:
    """‖p − q‖ between two points (x, y)."""
    return float(np.linalg.norm(np.asarray(p, dtype=float) - np.asarray(q, dtype=float)))


# ---------------------------------------------------------------------------- settling


def gap_along(surface, trajectory) -> np.ndarray:
    """f − f_min at every iterate (NaN from the step the run stopped)."""
    return loss_gap(trajectory, known_min_value(surface))


def settled_step(surface, trajectory, tol: float) -> int | None:
    """The step from which f − f_min stays within ``tol`` (``steps_to_tolerance``); None if it
    never settles."""
    k = steps_to_tolerance(gap_along(surface, trajectory), trajectory.diverged_at, tol)
    return None if math.isnan(k) else int(k)


@dataclass(frozen=True)
class Touch:
    """When f − f_min first comes within the tolerance, and the first step after that it is
    outside again (None if it stays)."""

    first: int | None
    leaves: int | None


def first_touch(surface, trajectory, tol: float) -> Touch:
    inside = gap_along(surface, trajectory) <= tol
    if not inside.any():
        return Touch(None, None)
    touch = int(np.argmax(inside))
    left = np.flatnonzero(~inside[touch:])
    return Touch(touch, touch + int(left[0]) if left.size else None)


def steps_within(surface, trajectory, tol: float) -> int:
    """How many of the run's steps end with f − f_min within ``tol`` (iterates 1 … steps)."""
    return int(np.sum(gap_along(surface, trajectory)[1:] <= tol))


@dataclass(frozen=True)
class BestRate:
    """Of the learning rates tried, the one whose run settles soonest, and its step (both None
    if none settles)."""

    lr: float | None
    settled: int | None


def best_learning_rate(
    surface, optimizer: str, start, steps: int, lrs: Sequence[float], tol: float, **run
) -> BestRate:
    """Run ``optimizer`` at every learning rate of ``lrs`` in one batch (``run`` as
    ``run_batch`` takes it: schedule, noise, seed, other hyperparameters)."""
    lrs = np.asarray(lrs, dtype=float)
    batch = run_batch(surface, optimizer, start, steps, lr=lrs, **run)
    f_min = known_min_value(surface)
    gap = batch.loss - (f_min if f_min is not None else 0.0)
    settled = steps_to_tolerance(gap, batch.diverged_at, tol)
    if np.all(np.isnan(settled)):
        return BestRate(None, None)
    i = int(np.nanargmin(settled))
    return BestRate(float(lrs[i]), int(settled[i]))


# ---------------------------------------------------------------------------- where runs end


@dataclass(frozen=True)
class Nearest:
    """The surface's known minimum nearest a point: where it is, how far, f there, and whether
    it is the deepest of the known minima."""

    point: Point
    distance: float
    value: float
    deepest: bool


def nearest_minimum(surface, point) -> Nearest:
    minima = np.asarray(surface.minima, dtype=float)
    p = np.asarray(point, dtype=float)
    d = np.linalg.norm(minima - p, axis=1)
    i = int(np.argmin(d))
    values = np.asarray(surface.f(minima), dtype=float)
    return Nearest(
        _point(minima[i]), float(d[i]), float(values[i]), bool(values[i] == values.min())
    )


def end_of(trajectory) -> Point:
    """The run's last iterate."""
    return _point(trajectory.path[-1])


def value_at(surface, point) -> float:
    return float(surface.f(np.asarray(point, dtype=float)))


def same_until(a, b, steps: int) -> bool:
    """Whether two runs take the same path for their first ``steps`` steps."""
    return bool(np.array_equal(a.path[: steps + 1], b.path[: steps + 1]))


@dataclass(frozen=True)
class Cloud:
    """The last ``window`` iterates of a run: their RMS distance to the minimum (the size of the
    cloud), their mean f − f_min (the loss floor) and their mean distance to the minimum."""

    window: int
    spread: float
    floor: float
    mean_distance: float


def cloud(surface, trajectory, window: int) -> Cloud:
    minimum = np.asarray(nearest_minimum(surface, trajectory.path[-1]).point)
    tail = trajectory.path[-window:]
    d = np.linalg.norm(tail - minimum, axis=1)
    gap = gap_along(surface, trajectory)[-window:]
    return Cloud(window, float(np.sqrt(np.mean(d**2))), float(np.mean(gap)), float(np.mean(d)))


# ---------------------------------------------------------------------------- step sizes


@dataclass(frozen=True)
class StepRatio:
    """Step lengths of run b over those of run a, for the first ``t`` steps."""

    first: float
    last: float
    smallest: float


def step_ratio(a, b, t: int) -> StepRatio:
    sizes = [np.linalg.norm(np.diff(r.path[: t + 1], axis=0), axis=1) for r in (a, b)]
    ratio = sizes[1] / sizes[0]
    return StepRatio(float(ratio[0]), float(ratio[-1]), float(ratio.min()))


@dataclass(frozen=True)
class BiasFactor:
    """Adam without bias correction over Adam with it, for the same gradients:
    (1 − β₁ᵗ)/√(1 − β₂ᵗ) at step 1, its largest value and the step it is reached."""

    first: float
    largest: float
    at: int


def bias_factor(beta1: float, beta2: float, steps: int) -> BiasFactor:
    ts = np.arange(1, steps + 1)
    factor = (1 - beta1**ts) / np.sqrt(1 - beta2**ts)
    return BiasFactor(float(factor[0]), float(factor.max()), int(ts[np.argmax(factor)]))


@dataclass(frozen=True)
class RateChange:
    """A per-coordinate effective learning rate over a run (steps, 2): whether it never rises,
    and its last value over its first, the smaller and larger coordinate."""

    never_rises: bool
    end_lo: float
    end_hi: float


def rate_change(effective_lr) -> RateChange:
    rate = np.asarray(effective_lr, dtype=float)
    end = rate[-1] / rate[0]
    return RateChange(bool(np.all(np.diff(rate, axis=0) <= 0)), float(end.min()), float(end.max()))


@dataclass(frozen=True)
class TwoCycle:
    """A run that ends hopping between two points: from step ``start`` on every iterate is back
    within ``rel`` × the hop of where it was two steps before, and the hop does not shrink.
    ``a`` and ``b`` are its last two iterates, ``hop`` |θ_T − θ_T−1| per coordinate."""

    start: int
    a: Point
    b: Point
    hop: Point


def two_cycle(trajectory, rel: float = 1e-2, least: int = 10) -> TwoCycle | None:
    """The period-2 cycle a run ends in (held for at least ``least`` steps), or None."""
    path = np.asarray(trajectory.path, dtype=float)
    if trajectory.diverged_at is not None or len(path) < least + 3:
        return None
    hop = np.linalg.norm(np.diff(path, axis=0), axis=1)  # hop[t] = |θ_t+1 − θ_t|
    back = np.linalg.norm(path[2:] - path[:-2], axis=1)  # back[t] = |θ_t+2 − θ_t|
    held = (back <= rel * hop[:-1]) & (hop[:-1] > 0)
    if not held[-1]:
        return None
    start = len(held) - int(np.argmin(held[::-1])) if not held.all() else 0
    if len(held) - start < least or hop[-1] < (1 - rel) * hop[start]:
        return None
    return TwoCycle(start, _point(path[-2]), _point(path[-1]), _point(np.abs(path[-1] - path[-2])))


@dataclass(frozen=True)
class RateAgainstGradient:
    """A per-coordinate effective learning rate against the gradient's size over a run (steps
    numbered from 1). ``rise``: the longest stretch of steps (first, last) over which the rate
    rose in every coordinate at every step while ‖g‖ fell at every step, with ‖g‖ at its ends
    (None if there is none); ``steady``: the step from which ‖g‖ and every coordinate's rate
    stay within ``rel`` of their last values (None if they do not), and the last ‖g‖."""

    rise: tuple[int, int] | None
    grad_at_rise: tuple[float, float] | None
    steady: int | None
    grad_end: float


def rate_against_gradient(effective_lr, grads, rel: float = 1e-2) -> RateAgainstGradient:
    rate = np.asarray(effective_lr, dtype=float)
    norm = np.linalg.norm(np.asarray(grads, dtype=float), axis=1)
    both = np.all(np.diff(rate, axis=0) > 0, axis=1) & (np.diff(norm) < 0)  # step t+1 vs t
    rise, best, run_start = None, 0, None
    for i, ok in enumerate([*both, False]):
        if ok and run_start is None:
            run_start = i
        elif not ok and run_start is not None:
            if i - run_start > best:
                best, rise = i - run_start, (run_start + 1, i + 1)  # steps, 1-based
            run_start = None
    steady = steady_from(np.column_stack([rate, norm]), rel)
    at_rise = None if rise is None else (float(norm[rise[0] - 1]), float(norm[rise[1] - 1]))
    return RateAgainstGradient(rise, at_rise, steady, float(norm[-1]))


def steady_from(values, rel: float) -> int | None:
    """The step (numbered from 1: ``values[k − 1]`` is step k's) from which every column of
    ``values`` (steps, …) stays within ``rel`` of its last value; None if the last differs."""
    values = np.asarray(values, dtype=float).reshape(len(values), -1)
    near = np.all(np.abs(values - values[-1]) <= rel * np.abs(values[-1]), axis=1)
    return len(near) - int(np.argmin(near[::-1])) + 1 if not near.all() else 1


def still_falling(surface, trajectory, last: int) -> bool:
    """Whether f − f_min fell at each of the run's last ``last`` steps."""
    gap = gap_along(surface, trajectory)[-(last + 1) :]
    return bool(np.all(np.diff(gap) < 0))


# ---------------------------------------------------------------------------- curvature


def sorted_eigenvalues(values) -> tuple[float, float]:
    lo, hi = np.sort(np.asarray(values, dtype=float))
    return float(lo), float(hi)


def same_values(a, b) -> bool:
    return bool(np.allclose(a, b))


# ---------------------------------------------------------------------------- gradient noise


@dataclass(frozen=True)
class NoiseSpread:
    """One batch size m of a ``noise.NoiseScaling``: the mini-batch gradient's spread
    √trace Cov ĝ measured and predicted (the CLT's Σ/m, × (N − m)/(N − 1) without
    replacement), and each over its value at the first size."""

    m: int
    spread: float
    predicted: float
    ratio: float  # measured spread / measured spread at the first size
    predicted_ratio: float  # predicted spread / predicted spread at the first size


def spread_by_size(scaling) -> tuple[NoiseSpread, ...]:
    """The rows of a ``noise.NoiseScaling`` (measured by ``noise.noise_scaling``)."""
    measured = [float(v) for v in scaling.measured]
    predicted = [float(v) for v in scaling.predicted]

    def over(values, i):
        return values[i] / values[0] if values[0] > 0 else math.nan

    return tuple(
        NoiseSpread(int(m), measured[i], predicted[i], over(measured, i), over(predicted, i))
        for i, m in enumerate(scaling.sizes)
    )


# ---------------------------------------------------------------------------- schedules


def stretches(alphas) -> tuple[tuple[int, int], ...]:
    """The stretches of constant learning rate of a run: (first step, last step) each, from
    its α_t (t = 1 … steps)."""
    alphas = np.asarray(alphas, dtype=float).reshape(-1)
    starts = [0, *(np.flatnonzero(np.diff(alphas) != 0) + 1)]
    ends = [*starts[1:], len(alphas)]
    return tuple((int(a) + 1, int(b)) for a, b in zip(starts, ends, strict=True))


def stretch_means(gap, alphas) -> tuple[float, ...]:
    """The mean of ``gap`` (f − f_min at iterates 0 … steps) over the iterates each stretch of
    constant α produces (steps a … b: iterates a … b)."""
    gap = np.asarray(gap, dtype=float)
    return tuple(float(gap[a : b + 1].mean()) for a, b in stretches(alphas))


def expected_gap(surface, start, alphas, sigma: float) -> np.ndarray:
    """E[f − f_min] at iterates 0 … steps of gradient descent with α_t on a quadratic surface
    whose gradients carry noise σ·ξ_t (ξ standard normal in each coordinate, as ``run`` adds
    it): the mean m_t and covariance C_t of θ_t − θ* follow m ← (I − α_t A) m and C ← (I − α_t
    A) C (I − α_t A)ᵀ + α_t²σ²I, and E[f − f_min] = ½ tr(A (C + m mᵀ))."""
    point = np.asarray(start, dtype=float)
    hessian = np.asarray(surface.hessian(point), dtype=float)
    m = point - np.asarray(surface.minima[0], dtype=float)
    cov = np.zeros((2, 2))
    out = [0.5 * float(m @ hessian @ m)]
    for alpha in np.asarray(alphas, dtype=float).reshape(-1):
        step = np.eye(2) - alpha * hessian
        m = step @ m
        cov = step @ cov @ step.T + alpha**2 * sigma**2 * np.eye(2)
        out.append(0.5 * float(np.trace(hessian @ (cov + np.outer(m, m)))))
    return np.asarray(out)


@dataclass(frozen=True)
class ScheduleTotal:
    """How far a schedule lets a run travel: Σα_t over the run's steps and over ``longer``
    times as many, and its limit as t → ∞ (``math.inf`` where the sum grows without bound,
    NaN where the schedule is only defined over a finite run)."""

    run: float
    longer: int
    ten_times: float  # Σα_t over ``longer`` × the steps
    limit: float


def schedule_total(schedule, lr: float, steps: int, longer: int = 10) -> ScheduleTotal:
    over_run = float(schedule_values(schedule, lr, steps).sum())
    over_ten = float(schedule_values(schedule, lr, longer * steps).sum())
    return ScheduleTotal(over_run, int(longer), over_ten, total_limit(schedule, lr))


@dataclass(frozen=True)
class Climb:
    """Where a run stops going straight downhill: the step it leaves the view (None if it
    never does) and the step of its highest f after the start, with that f."""

    left_view: int | None
    peak: int
    peak_value: float


def climb(surface, trajectory) -> Climb | None:
    """None if f never rises along the run and the path stays in the view; else ``Climb``."""
    from optim_core.theory import left_view_at

    loss = np.asarray(trajectory.loss, dtype=float)
    left = left_view_at(surface, trajectory.path)
    if left is None and bool(np.all(np.diff(loss) <= 0)):
        return None
    peak = int(np.nanargmax(loss[1:])) + 1
    return Climb(left, peak, float(loss[peak]))
