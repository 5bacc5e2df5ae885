"""Run an optimizer on a surface: arrays in, a trajectory out.

A surface is anything with ``f(xy) -> (...)``, ``grad(xy) -> (..., 2)``, ``hessian(xy) ->
(..., 2, 2)`` and ``bounds = ((xmin, xmax), (ymin, ymax))``.

Divergence: a member diverges at the first step t whose iterate is not finite, lies farther than
``DIVERGENCE_FACTOR`` × the view's diameter from the view's centre, or has a non-finite loss.
From then on it is frozen: ``path[t:]`` and ``loss[t:]`` repeat the last finite values (so both
stay finite) and, in ``run``, ``grads``, ``eval_points`` and ``states`` are NaN from step t on —
that update is discarded. Members are independent, so the rest of a batch goes on.

Gradient noise: ``noise=σ`` adds σ·ξ to every gradient, ξ standard normal, drawn at once as
``np.random.default_rng(seed).standard_normal((B, steps, 2))``. So the same seed gives the same
run, member b's noise does not depend on the batch size, and ``run(seed=s)`` equals member 0 of
``run_batch(seed=s)``.
"""

from dataclasses import dataclass

import numpy as np

from optim_core.metadata import OptimizerError
from optim_core.optimizers import Optimizer, build
from optim_core.schedules import check_steps, schedule_values

DIVERGENCE_FACTOR = 1e3


@dataclass(frozen=True, eq=False)
class Trajectory:
    """One run. ``path[0]`` is the start and ``path[t]`` the iterate after step t; ``lr[t-1]``,
    ``grads[t-1]`` and ``eval_points[t-1]`` belong to step t. ``states[name][t-1]`` is the
    value after step t (names: ``OPTIMIZERS[optimizer].state_fields``)."""

    optimizer: str
    hyper: dict
    path: np.ndarray  # (steps + 1, 2)
    loss: np.ndarray  # (steps + 1,)
    lr: np.ndarray  # (steps,)
    diverged_at: int | None
    grads: np.ndarray  # (steps, 2), noise included
    eval_points: np.ndarray  # (steps, 2), where the gradient was taken
    states: dict[str, np.ndarray] | None = None  # (steps, ...) each, with record_state=True


@dataclass(frozen=True, eq=False)
class BatchTrajectory:
    """B independent runs. ``hyper`` holds floats, or (B,) arrays for what varies."""

    optimizer: str
    hyper: dict
    path: np.ndarray  # (steps + 1, B, 2)
    loss: np.ndarray  # (steps + 1, B)
    lr: np.ndarray  # (steps, B)
    diverged_at: np.ndarray  # (B,) int, -1 = never


def _batch_size(values, starts_batch):
    sizes = {np.shape(v)[0] for v in values if np.ndim(v)} | (
        {starts_batch} if starts_batch else set()
    )
    if len(sizes) > 1:
        raise OptimizerError(
            f"Batch sizes disagree: {sorted(sizes)} (starts and array hyperparameters)"
        )
    return sizes.pop() if sizes else 1


def _check_starts(surface, starts):
    try:
        starts = np.array(starts, dtype=float)
    except (TypeError, ValueError):
        raise OptimizerError(f"Invalid start: {starts!r} (need (x, y) numbers)") from None
    if starts.shape[-1:] != (2,) or starts.ndim > 2:
        raise OptimizerError(f"Invalid start shape {starts.shape}: need (2,) or (B, 2)")
    if not np.isfinite(starts).all():
        raise OptimizerError(f"Invalid start: {starts.tolist()} (must be finite)")
    with np.errstate(all="ignore"):
        loss = np.asarray(surface.f(starts))
    if not np.isfinite(loss).all():
        where = starts.reshape(-1, 2)[~np.isfinite(loss.reshape(-1))][0]
        raise OptimizerError(f"The loss is not finite at the start ({where[0]:g}, {where[1]:g})")
    return starts


def _check_noise(noise):
    try:
        noise = np.asarray(noise, dtype=float)
    except (TypeError, ValueError):
        raise OptimizerError(f"Invalid noise: {noise!r} (must be >= 0)") from None
    if noise.ndim > 1 or not (np.isfinite(noise) & (noise >= 0)).all():
        raise OptimizerError(f"Invalid noise: {noise.tolist()} (must be >= 0)")
    return float(noise) if noise.ndim == 0 else noise


def _check_seed(seed):
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise OptimizerError(f"Invalid seed: {seed!r} (must be an integer >= 0)")
    return int(seed)


def _simulate(surface, opt: Optimizer, starts, lr, noise, seed, record):
    """The hot loop: starts (B, 2), lr (steps, B or 1), noise σ (float or (B,)).

    Returns path, loss, diverged_at and, with ``record``, per step (grads, point, state,
    diagnostics) of every member.
    """
    batch, steps = starts.shape[0], lr.shape[0]
    lr = lr.reshape(steps, -1, 1)
    path = np.empty((steps + 1, batch, 2))
    path[0] = starts
    xi = None
    if np.any(noise):
        sigma = np.reshape(noise, (-1, 1, 1))
        xi = sigma * np.random.default_rng(seed).standard_normal((batch, steps, 2))
    records = []
    params, state = starts, opt.init(starts)
    with np.errstate(all="ignore"):
        for t in range(1, steps + 1):
            point = opt.eval_point(params, state)
            grads = surface.grad(point)
            if xi is not None:
                grads = grads + xi[:, t - 1]
            hessian = surface.hessian(point) if opt.uses_hessian else None
            if record:
                params, state, diagnostics = opt.inspect(
                    grads, state, params, t, lr[t - 1], hessian
                )
                records.append((grads, point, state, diagnostics))
            else:
                params, state = opt.update(grads, state, params, t, lr[t - 1], hessian)
            path[t] = params
        loss = surface.f(path)
        (xmin, xmax), (ymin, ymax) = surface.bounds
        centre = np.array([(xmin + xmax) / 2, (ymin + ymax) / 2])
        reach = DIVERGENCE_FACTOR * np.hypot(xmax - xmin, ymax - ymin)
        ok = np.isfinite(loss) & (((path - centre) ** 2).sum(axis=-1) <= reach**2)
    ok[0] = True  # the start was checked; divergence is about the iterates
    diverged_at = np.where(ok.all(axis=0), -1, np.argmin(ok, axis=0))
    for member in np.flatnonzero(diverged_at > 0):
        k = diverged_at[member]
        path[k:, member] = path[k - 1, member]
        loss[k:, member] = loss[k - 1, member]
    return path, loss, diverged_at, records


def _single_run_records(records, diverged_at, with_states):
    """grads, eval_points and states of a one-member run, NaN from the divergent step on."""
    grads = np.array([grads[0] for grads, _, _, _ in records])
    points = np.array([point[0] for _, point, _, _ in records])
    states = {}
    if with_states:
        for name in records[0][2]._fields:
            states[name] = np.array([getattr(state, name)[0] for _, _, state, _ in records])
        for name in records[0][3]:  # a diagnostic may be a plain number (NAdam's μ_t)
            rows = [d[name][0] if np.ndim(d[name]) else d[name] for *_, d in records]
            states[name] = np.array(rows, dtype=float)
        states = {k: v[:, 0] if v.shape[1:] == (1,) else v for k, v in states.items()}
    if diverged_at > 0:
        for array in (grads, points, *states.values()):
            array[diverged_at - 1 :] = np.nan
    return grads, points, states


def run(
    surface,
    optimizer: str,
    start=(0.0, 0.0),
    steps: int = 200,
    *,
    schedule=None,
    noise=0.0,
    seed=0,
    record_state=False,
    **hyper,
) -> Trajectory:
    """Run ``optimizer`` (an id of ``OPTIMIZERS``) from ``start`` for ``steps`` steps.

    ``hyper`` are the optimizer's hyperparameters, one value each (missing ones take their
    defaults); ``schedule`` is None, a schedule id or a dict (``SCHEDULES``); ``noise`` σ adds
    seeded Gaussian noise to every gradient. Raises OptimizerError on any invalid input.
    """
    for name, value in hyper.items():
        if np.ndim(value):
            raise OptimizerError(f"run takes one value per hyperparameter ({name}); use run_batch")
    opt, full = build(optimizer, hyper)
    start = _check_starts(surface, start)
    if start.shape != (2,):
        raise OptimizerError(f"Invalid start shape {start.shape}: run takes one (x, y)")
    lr = schedule_values(schedule, full["lr"], check_steps(steps))
    noise = _check_noise(noise)
    if np.ndim(noise):
        raise OptimizerError("run takes one noise level; use run_batch")
    path, loss, diverged, records = _simulate(
        surface, opt, start[None], lr, noise, _check_seed(seed), record=True
    )
    k = int(diverged[0])
    grads, points, states = _single_run_records(records, k, record_state)
    return Trajectory(
        optimizer=optimizer,
        hyper=full,
        path=path[:, 0],
        loss=loss[:, 0],
        lr=lr,
        diverged_at=None if k < 0 else k,
        grads=grads,
        eval_points=points,
        states=states if record_state else None,
    )


def run_batch(
    surface, optimizer: str, starts, steps: int = 200, *, schedule=None, noise=0.0, seed=0, **hyper
) -> BatchTrajectory:
    """B independent runs at once: ``starts`` is (B, 2) or one (2,) start shared by all; every
    hyperparameter, ``lr`` and ``noise`` may be a scalar or a (B,) array."""
    opt, full = build(optimizer, hyper)
    starts = _check_starts(surface, starts)
    noise = _check_noise(noise)
    batch = _batch_size([*full.values(), noise], starts.shape[0] if starts.ndim == 2 else None)
    starts = np.broadcast_to(starts, (batch, 2)).copy()
    lr = schedule_values(schedule, full["lr"], check_steps(steps))  # (steps,) or (steps, B)
    path, loss, diverged, _ = _simulate(
        surface, opt, starts, lr, noise, _check_seed(seed), record=False
    )
    lr = np.broadcast_to(lr.reshape(steps, -1), (steps, batch)).copy()
    return BatchTrajectory(optimizer, full, path, loss, lr, diverged)
