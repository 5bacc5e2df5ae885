"""Run an optimizer on a surface: arrays in, a trajectory out.

A surface is anything with ``f(xy) -> (...)``, ``grad(xy) -> (..., 2)``, ``hessian(xy) ->
(..., 2, 2)`` and ``bounds = ((xmin, xmax), (ymin, ymax))``.

Divergence: a member diverges at the first step t whose iterate is not finite, lies farther than
``DIVERGENCE_FACTOR`` × the view's diameter from the view's centre, or has a non-finite loss.
From then on it is frozen: ``path[t:]`` and ``loss[t:]`` repeat the last finite values (so both
stay finite) and, in ``run``, ``grads``, ``eval_points`` and ``states`` are NaN from step t on —
that update is discarded. Members are independent, so the rest of a batch goes on.

Leaving the domain is not divergence: when the iterate is still finite and inside that bound but
f there is not finite (``log(x)`` at x < 0, ``1/x`` at 0), or ∇f (or, for Newton, the Hessian)
at the point where the gradient is taken is not, the run stops the same way but ``stopped`` is
``"domain"`` rather than ``"diverged"``; ``stop_point`` is that point. An infinity that fills
the neighbourhood of the point (``exp(100x)`` overflowing far out) is an overflow: divergence.
``stop_reason(surface, trajectory)`` says it in words.

Gradient noise: ``noise=σ`` adds σ·ξ to every gradient, ξ standard normal, drawn at once as
``np.random.default_rng(seed).standard_normal((B, steps, 2))``. So the same seed gives the same
run, member b's noise does not depend on the batch size, and ``run(seed=s)`` equals member 0 of
``run_batch(seed=s)``.

Mini-batches (Goodfellow Alg. 8.1): on a data surface (``n_examples`` N > 0), ``batch_size=m``
replaces ∇f by the mean of m per-example gradients, ĝ = (1/m) Σ_{i ∈ batch} ∇ℓᵢ, at the point
where the optimizer takes its gradient (the look-ahead point for the Nesterov forms); noise is
added on top. Newton still uses the exact Hessian ∇²f there: only the gradient is sampled.
``sampling="replacement"`` draws every index uniformly; ``"shuffle"`` (the default) walks
through shuffled epochs, a fresh permutation of the N examples each, m at a time (a batch may
straddle two epochs), so every run of N consecutive indices visits each example once and
m = N is the exact gradient. The indices come from their own stream, independent of the
noise: raw 64-bit words of ``PCG64(SeedSequence(seed, spawn_key=(1,)))`` drawn member by
member, so, as with noise, member b's batches do not depend on the batch size and ``run``
equals member 0 of ``run_batch``. A replacement index is ⌊u·N / 2²⁴⌋ of the top 24 bits u of
a 32-bit key (of a 64-bit key, ⌊u·N / 2³²⌋ of its top 32 bits, when N > 256); a permutation
sorts the examples by random keys (ties, about one in 10⁵ epochs for N = 40, keep the
examples' order). ``Trajectory.batches[t-1]`` holds the indices step t used.
"""

import math
from dataclasses import dataclass

import numpy as np

from optim_core.metadata import OptimizerError
from optim_core.optimizers import Optimizer, build
from optim_core.schedules import check_steps, schedule_values

DIVERGENCE_FACTOR = 1e3
SAMPLING = ("shuffle", "replacement")


@dataclass(frozen=True, eq=False)
class Trajectory:
    """One run. ``path[0]`` is the start and ``path[t]`` the iterate after step t; ``lr[t-1]``,
    ``grads[t-1]``, ``eval_points[t-1]`` and ``batches[t-1]`` belong to step t.
    ``states[name][t-1]`` is the value after step t (names:
    ``OPTIMIZERS[optimizer].state_fields``).

    ``diverged_at`` is the step at which the run stopped (None if it ran to the end) and
    ``stopped`` says why: ``"diverged"`` or ``"domain"`` (f or ∇f not defined at
    ``stop_point``), None if it did not stop."""

    optimizer: str
    hyper: dict
    path: np.ndarray  # (steps + 1, 2)
    loss: np.ndarray  # (steps + 1,)
    lr: np.ndarray  # (steps,)
    diverged_at: int | None
    grads: np.ndarray  # (steps, 2), noise included; the mini-batch gradient with batch_size
    eval_points: np.ndarray  # (steps, 2), where the gradient was taken
    states: dict[str, np.ndarray] | None = None  # (steps, ...) each, with record_state=True
    stopped: str | None = None  # "diverged" | "domain" | None
    stop_point: tuple[float, float] | None = None  # where f or ∇f failed, or the runaway iterate
    batches: np.ndarray | None = None  # (steps, m) example indices of each step; -1 once stopped


@dataclass(frozen=True, eq=False)
class BatchTrajectory:
    """B independent runs. ``hyper`` holds floats, or (B,) arrays for what varies.
    ``stopped[b]`` is "diverged", "domain" or None, ``stop_points[b]`` as ``stop_point`` (NaN
    for members that ran to the end); ``batches[b, t-1]`` the examples member b drew for step t
    (kept as drawn, also after the member stopped)."""

    optimizer: str
    hyper: dict
    path: np.ndarray  # (steps + 1, B, 2)
    loss: np.ndarray  # (steps + 1, B)
    lr: np.ndarray  # (steps, B)
    diverged_at: np.ndarray  # (B,) int, -1 = never
    stopped: np.ndarray | None = None  # (B,) object: "diverged" | "domain" | None
    stop_points: np.ndarray | None = None  # (B, 2)
    batches: np.ndarray | None = None  # (B, steps, m) example indices (small ints), or None


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
        with np.errstate(all="ignore"):
            value = np.asarray(surface.f(where))
        why = (
            "f overflows there"
            if np.isinf(value) and _overflows(surface.f, where)
            else "the start is outside the domain of f"
        )
        raise OptimizerError(
            f"The loss is not finite at the start ({where[0]:g}, {where[1]:g}): {why}; "
            "choose another start"
        )
    return starts


def _check_noise(noise):
    try:
        noise = np.asarray(noise, dtype=float)
    except (TypeError, ValueError):
        raise OptimizerError(f"Invalid noise: {noise!r} (must be >= 0)") from None
    if noise.ndim > 1 or not (np.isfinite(noise) & (noise >= 0)).all():
        raise OptimizerError(f"Invalid noise: {noise.tolist()} (must be >= 0)")
    return float(noise) if noise.ndim == 0 else noise


def _check_minibatch(surface, batch_size, sampling):
    """m, or None for the exact gradient; refuses what cannot be sampled."""
    if not isinstance(sampling, str) or sampling not in SAMPLING:
        raise OptimizerError(f"Invalid sampling: {sampling!r} (use 'shuffle' or 'replacement')")
    if batch_size is None:
        return None
    n = getattr(surface, "n_examples", 0) or 0
    if not n:
        name = getattr(surface, "name", "") or type(surface).__name__
        raise OptimizerError(
            f"batch_size needs a data surface, the mean of per-example losses (such as "
            f"'regression' or 'logistic'); '{name}' has no examples to sample"
        )
    if (
        isinstance(batch_size, bool)
        or not isinstance(batch_size, int | np.integer)
        or not 1 <= batch_size <= n
    ):
        raise OptimizerError(
            f"Invalid batch_size: {batch_size!r} (an integer from 1 to {n}, the number of "
            "examples, or None for the exact gradient)"
        )
    return int(batch_size)


def _batch_indices(n, m, sampling, seed, batch, steps) -> np.ndarray:
    """(batch, steps, m) example indices, drawn member by member (see the module docstring)."""
    bits = np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(1,)))
    per_member = steps * m if sampling == "replacement" else math.ceil(steps * m / n) * n
    small = n <= 256  # 32-bit keys leave ≥ 24 random bits; beyond, 64-bit keys
    words = math.ceil(per_member / 2) if small else per_member
    index_bits = max(1, (n - 1).bit_length())
    out = np.empty((batch, steps * m), dtype=np.min_scalar_type(n - 1))
    chunk = max(1, 2**21 // words)  # members per draw: bounded temporaries
    for first in range(0, batch, chunk):
        rows = min(chunk, batch - first)
        keys = bits.random_raw((rows, words))
        if small:
            keys = keys.view(np.uint32)[:, :per_member]
        if sampling == "replacement":  # ⌊u·n / 2ᵏ⌋ of the top k bits u of each key, in place
            k = 24 if small else 32  # u·n < 2³² (n ≤ 256), resp. < 2⁶⁴
            keys >>= keys.dtype.type(keys.dtype.itemsize * 8 - k)
            keys *= keys.dtype.type(n)
            keys >>= keys.dtype.type(k)
            chosen = keys
        else:  # sort by random keys whose low bits hold the example's index
            keys = keys.reshape(rows, -1, n)
            low = keys.dtype.type((1 << index_bits) - 1)
            keys &= ~low
            keys |= np.arange(n, dtype=keys.dtype)
            keys.sort(axis=-1)
            keys &= low
            chosen = keys.reshape(rows, -1)[:, : steps * m]
        out[first : first + rows] = chosen
    return out.reshape(batch, steps, m)


def _check_seed(seed):
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise OptimizerError(f"Invalid seed: {seed!r} (must be an integer >= 0)")
    return int(seed)


def _overflows(fn, point) -> bool:
    """Whether fn is infinite at ``point`` because it overflows there: infinite at every nearby
    point too, and nowhere NaN (exp(100x) far out), unlike a pole or a domain edge (1/x at 0,
    √x or log x at x ≤ 0), where a neighbour is finite or NaN."""
    h = 1e-6 * max(1.0, float(np.abs(point).max()))
    around = point + h * np.array([[0, 0], [1, 0], [-1, 0], [0, 1], [0, -1]], dtype=float)
    with np.errstate(all="ignore"):
        values = np.asarray(fn(around), dtype=float).reshape(5, -1)
    return not np.isnan(values).any() and bool(np.isinf(values).any(axis=1).all())


def _classify_stops(surface, opt, path, reach2, centre, diverged_at, bad_inputs):
    """Per member: why it stopped ("diverged" | "domain" | None) and where (B, 2)."""
    stopped = np.full(diverged_at.shape, None, dtype=object)
    points = np.full((diverged_at.size, 2), np.nan)
    for b in np.flatnonzero(diverged_at > 0):
        k = diverged_at[b]
        iterate = path[k, b]
        inside = bool(np.isfinite(iterate).all()) and ((iterate - centre) ** 2).sum() <= reach2
        reason, point = "diverged", iterate
        if inside:  # a finite iterate in the bound whose loss is not finite
            if not _overflows(surface.f, iterate):
                reason = "domain"
        elif b in bad_inputs and bad_inputs[b][0] == k:  # ∇f (or ∇²f) failed at step k
            point = bad_inputs[b][1]
            finite = np.isfinite(point).all() and ((point - centre) ** 2).sum() <= reach2
            fns = [surface.grad] + ([surface.hessian] if opt.uses_hessian else [])
            failed = [fn for fn in fns if not np.isfinite(fn(point)).all()]
            if finite and failed and not any(_overflows(fn, point) for fn in failed):
                reason = "domain"
        stopped[b], points[b] = reason, point
    return stopped, points


def _simulate(surface, opt: Optimizer, starts, lr, noise, seed, record, batches=None):
    """The hot loop: starts (B, 2), lr (steps, B or 1), noise σ (float or (B,)), batches
    (B, steps, m) example indices or None for the exact gradient.

    Returns path, loss, diverged_at, stopped, stop_points and, with ``record``, per step
    (grads, point, state, diagnostics) of every member.
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
    bad_inputs = {}  # member -> (first step whose ∇f or ∇²f was not finite, the point)
    params, state = starts, opt.init(starts)
    with np.errstate(all="ignore"):
        for t in range(1, steps + 1):
            point = opt.eval_point(params, state)
            if batches is None:
                grads = surface.grad(point)
            else:
                grads = surface.minibatch_grad(point, batches[:, t - 1])
            hessian = surface.hessian(point) if opt.uses_hessian else None
            if not np.isfinite(grads).all() or (
                hessian is not None and not np.isfinite(hessian).all()
            ):
                bad = ~np.isfinite(grads).all(axis=-1)
                if hessian is not None:
                    bad |= ~np.isfinite(hessian).all(axis=(-2, -1))
                for b in np.flatnonzero(bad):
                    bad_inputs.setdefault(int(b), (t, point[b].copy()))
            if xi is not None:
                grads = grads + xi[:, t - 1]
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
    with np.errstate(all="ignore"):
        stopped, stop_points = _classify_stops(
            surface, opt, path, reach**2, centre, diverged_at, bad_inputs
        )
    for member in np.flatnonzero(diverged_at > 0):
        k = diverged_at[member]
        path[k:, member] = path[k - 1, member]
        loss[k:, member] = loss[k - 1, member]
    return path, loss, diverged_at, stopped, stop_points, records


def _single_run_records(records, diverged_at, with_states, member=0):
    """grads, eval_points and states of one member's run, NaN from the divergent step on."""
    grads = np.array([grads[member] for grads, _, _, _ in records])
    points = np.array([point[member] for _, point, _, _ in records])
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
    batch_size=None,
    sampling="shuffle",
    **hyper,
) -> Trajectory:
    """Run ``optimizer`` (an id of ``OPTIMIZERS``) from ``start`` for ``steps`` steps.

    ``hyper`` are the optimizer's hyperparameters, one value each (missing ones take their
    defaults); ``schedule`` is None, a schedule id or a dict (``SCHEDULES``); ``noise`` σ adds
    seeded Gaussian noise to every gradient; on a data surface ``batch_size`` m (1 … N; None =
    the exact gradient) averages m per-example gradients per step, drawn by ``sampling``
    ("shuffle" or "replacement"). Raises OptimizerError on any invalid input.
    """
    _check_one_value_each(hyper)
    opt, full = build(optimizer, hyper)
    start = _check_one_start(surface, start)
    lr = schedule_values(schedule, full["lr"], check_steps(steps))
    noise = _check_noise(noise)
    if np.ndim(noise):
        raise OptimizerError("run takes one noise level; use run_batch")
    m = _check_minibatch(surface, batch_size, sampling)
    seed = _check_seed(seed)
    batches = None
    if m is not None:
        batches = _batch_indices(surface.n_examples, m, sampling, seed, 1, len(lr))
    simulated = _simulate(surface, opt, start[None], lr, noise, seed, record=True, batches=batches)
    k = int(simulated[2][0])
    if batches is not None:
        batches = batches[0].astype(np.int64)
        if k > 0:
            batches[k - 1 :] = -1
    return _member_trajectory(optimizer, full, lr, simulated, 0, record_state, batches)


def _check_one_value_each(hyper) -> None:
    for name, value in hyper.items():
        if np.ndim(value):
            raise OptimizerError(f"run takes one value per hyperparameter ({name}); use run_batch")


def _check_one_start(surface, start) -> np.ndarray:
    start = _check_starts(surface, start)
    if start.shape != (2,):
        raise OptimizerError(f"Invalid start shape {start.shape}: run takes one (x, y)")
    return start


def _member_trajectory(optimizer, full, lr, simulated, member, record_state=False, batches=None):
    """The Trajectory of batch member ``member`` of ``_simulate``'s output ``simulated``."""
    path, loss, diverged, stopped, stop_points, records = simulated
    k = int(diverged[member])
    grads, points, states = _single_run_records(records, k, record_state, member)
    return Trajectory(
        optimizer=optimizer,
        hyper=full,
        path=path[:, member],
        loss=loss[:, member],
        lr=lr,
        diverged_at=None if k < 0 else k,
        grads=grads,
        eval_points=points,
        states=states if record_state else None,
        stopped=stopped[member],
        stop_point=None if k < 0 else tuple(float(v) for v in stop_points[member]),
        batches=batches,
    )


def _together(opts: list[Optimizer]) -> Optimizer:
    """Several optimizers as one: batch member i is run by ``opts[i]``, its state is the tuple
    of theirs, and every member's gradient is taken in one call of the surface's gradient."""

    def init(params):
        return tuple(o.init(params[i : i + 1]) for i, o in enumerate(opts))

    def eval_point(params, state):
        return np.concatenate(
            [
                o.eval_point(params[i : i + 1], s)
                for i, (o, s) in enumerate(zip(opts, state, strict=True))
            ]
        )

    def inspect(grads, state, params, t, lr, hessian=None):
        moved = [
            o.update(grads[i : i + 1], s, params[i : i + 1], t, lr[i : i + 1])
            for i, (o, s) in enumerate(zip(opts, state, strict=True))
        ]
        return np.concatenate([p for p, _ in moved]), tuple(s for _, s in moved), {}

    def update(grads, state, params, t, lr, hessian=None):
        return inspect(grads, state, params, t, lr)[:2]

    return Optimizer(init, update, inspect, eval_point)


def run_together(
    surface, runs, start=(0.0, 0.0), steps: int = 200, *, schedule=None
) -> list[Trajectory | OptimizerError]:
    """``run(surface, optimizer, start, steps, schedule=schedule, **hyper)`` for each
    ``(optimizer, hyper)`` of ``runs``, in one loop: each step takes every run's gradient in one
    call of ``surface.grad`` (with a handful of runs, about half a step's time). On a surface
    whose gradient is computed point by point (every ``surfaces.Surface``) the trajectories
    are those of ``run``, bit for bit. Exact gradients and no noise: then the runs share
    nothing but the surface. Newton's forms, which also take the Hessian, run on their own.

    Returns, per run, its Trajectory or the OptimizerError that ``run`` would raise for its
    hyperparameters; an invalid start or step count raises, as it would for every run.
    """
    start = _check_one_start(surface, start)
    steps = check_steps(steps)
    out: list = [None] * len(runs)
    group = []  # (index, optimizer, its bound rule, full hyper, lr)
    for i, (optimizer, hyper) in enumerate(runs):
        try:
            _check_one_value_each(hyper)
            opt, full = build(optimizer, hyper)
            lr = schedule_values(schedule, full["lr"], steps)
        except OptimizerError as err:
            out[i] = err
            continue
        if opt.uses_hessian:
            out[i] = run(surface, optimizer, start, steps, schedule=schedule, **hyper)
        else:
            group.append((i, optimizer, opt, full, lr))
    if group:
        lr = np.stack([g[4] for g in group], axis=1)  # (steps, members)
        starts = np.repeat(start[None], len(group), axis=0)
        simulated = _simulate(
            surface, _together([g[2] for g in group]), starts, lr, 0.0, 0, record=True
        )
        for member, (i, optimizer, _, full, run_lr) in enumerate(group):
            out[i] = _member_trajectory(optimizer, full, run_lr, simulated, member)
    return out


def run_batch(
    surface,
    optimizer: str,
    starts,
    steps: int = 200,
    *,
    schedule=None,
    noise=0.0,
    seed=0,
    batch_size=None,
    sampling="shuffle",
    **hyper,
) -> BatchTrajectory:
    """B independent runs at once: ``starts`` is (B, 2) or one (2,) start shared by all; every
    hyperparameter, ``lr`` and ``noise`` may be a scalar or a (B,) array; ``batch_size`` and
    ``sampling`` (one for all members) as in ``run``, each member drawing its own batches."""
    opt, full = build(optimizer, hyper)
    starts = _check_starts(surface, starts)
    noise = _check_noise(noise)
    m = _check_minibatch(surface, batch_size, sampling)
    seed = _check_seed(seed)
    batch = _batch_size([*full.values(), noise], starts.shape[0] if starts.ndim == 2 else None)
    starts = np.broadcast_to(starts, (batch, 2)).copy()
    lr = schedule_values(schedule, full["lr"], check_steps(steps))  # (steps,) or (steps, B)
    batches = None
    if m is not None:
        batches = _batch_indices(surface.n_examples, m, sampling, seed, batch, steps)
    path, loss, diverged, stopped, stop_points, _ = _simulate(
        surface, opt, starts, lr, noise, seed, record=False, batches=batches
    )
    lr = np.broadcast_to(lr.reshape(steps, -1), (steps, batch)).copy()
    return BatchTrajectory(optimizer, full, path, loss, lr, diverged, stopped, stop_points, batches)


def _number(value: float) -> str:
    return f"{value:.4g}".replace("-", "−")


def stop_reason(surface, trajectory: Trajectory) -> str:
    """What happened to a run, in words: "ran all 200 steps", "left the domain of f at step 3
    (f is not defined at x = −0.12, y = 0.5)" or "diverged at step 7 (…)"."""
    k = trajectory.diverged_at
    if k is None:
        return f"ran all {len(trajectory.lr)} steps"
    point = np.array(trajectory.stop_point, dtype=float)
    at = f"x = {_number(point[0])}, y = {_number(point[1])}"
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
        (xmin, xmax), (ymin, ymax) = surface.bounds
        centre = np.array([(xmin + xmax) / 2, (ymin + ymax) / 2])
        reach = DIVERGENCE_FACTOR * math.hypot(xmax - xmin, ymax - ymin)
        if np.hypot(*(point - centre)) > reach:
            why = (
                f"the iterate reached {at}, more than {DIVERGENCE_FACTOR:g} × the view's "
                "diameter from its centre"
            )
        else:
            why = f"f overflowed at {at}"
    return f"diverged at step {k} ({why})"
