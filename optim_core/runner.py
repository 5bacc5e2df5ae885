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

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass

import numpy as np

from optim_core.optimizers import build
from optim_core.schedules import check_steps, schedule_values
from optim_core.spec import Optimizer, OptimizerError, at_params

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
    # Generator.integers over the full uint64 range returns the bit generator's raw words,
    # the same as PCG64.random_raw, in about half its time.
    stream = np.random.SeedSequence(seed, spawn_key=(1,))
    words_of = np.random.Generator(np.random.PCG64(stream))
    per_member = steps * m if sampling == "replacement" else math.ceil(steps * m / n) * n
    small = n <= 256  # 32-bit keys leave ≥ 24 random bits; beyond, 64-bit keys
    words = math.ceil(per_member / 2) if small else per_member
    index_bits = max(1, (n - 1).bit_length())
    out = np.empty((batch, steps * m), dtype=np.min_scalar_type(n - 1))
    chunk = max(1, 2**21 // words)  # members per draw: bounded temporaries
    for first in range(0, batch, chunk):
        rows = min(chunk, batch - first)
        keys = words_of.integers(0, 2**64, size=(rows, words), dtype=np.uint64)
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


def _simulate(
    surface,
    opt: Optimizer,
    starts,
    lr,
    noise,
    seed,
    *,
    inputs,
    states=False,
    batches=None,
    lengths=None,
):
    """The hot loop: starts (B, 2), lr (steps, B or 1), noise σ (float or (B,)), batches
    (B, steps, m) example indices or None for the exact gradient; ``lengths`` (B,): member b
    runs ``lengths[b]`` ≤ steps steps (what it computes after them counts for nothing).

    Returns path, loss, diverged_at, stopped, stop_points; with ``inputs`` the gradients and
    the points where they were taken, (steps, B, 2) each, else None; with ``states`` per step
    (state, diagnostics) of every member, else None.
    """
    batch, steps = starts.shape[0], lr.shape[0]
    lr = lr.reshape(steps, -1, 1)
    path = np.empty((steps + 1, batch, 2))
    path[0] = starts
    xi = None
    if np.any(noise):
        sigma = np.reshape(noise, (-1, 1, 1))
        xi = sigma * np.random.default_rng(seed).standard_normal((batch, steps, 2))
    taken = (np.empty((steps, batch, 2)), np.empty((steps, batch, 2))) if inputs else None
    records = [] if states else None
    bad_inputs = {}  # member -> (first step whose ∇f or ∇²f was not finite, the point)
    recorded = np.zeros(batch, dtype=bool)  # the members in bad_inputs
    params, state = starts, opt.init(starts)
    with np.errstate(all="ignore"):
        for t in range(1, steps + 1):
            point = opt.eval_point(params, state)
            if batches is None:
                grads = surface.grad(point)
            else:
                grads = surface.minibatch_grad(point, batches[:, t - 1])
            hessian = surface.hessian(point) if opt.uses_hessian else None
            finite = np.isfinite(grads)
            if not finite.all() or (hessian is not None and not np.isfinite(hessian).all()):
                # Per member (a reduction over a last axis of 2 is slow in NumPy: by hand).
                bad = ~(finite[:, 0] & finite[:, 1])
                if hessian is not None:
                    bad |= ~np.isfinite(hessian.reshape(batch, 4)).all(axis=1)
                bad &= ~recorded  # a stopped member keeps failing: its first step is kept
                recorded |= bad
                for b in np.flatnonzero(bad):
                    bad_inputs[int(b)] = (t, point[b].copy())
            if xi is not None:
                grads = grads + xi[:, t - 1]
            if taken is not None:
                taken[0][t - 1], taken[1][t - 1] = grads, point
            if states:
                params, state, diagnostics = opt.inspect(
                    grads, state, params, t, lr[t - 1], hessian
                )
                records.append((state, diagnostics))
            else:
                params, state = opt.update(grads, state, params, t, lr[t - 1], hessian)
            path[t] = params
        loss = surface.f(path)
        (xmin, xmax), (ymin, ymax) = surface.bounds
        centre = np.array([(xmin + xmax) / 2, (ymin + ymax) / 2])
        reach = DIVERGENCE_FACTOR * np.hypot(xmax - xmin, ymax - ymin)
        ok = np.isfinite(loss) & _within(path, centre, reach**2)
    ok[0] = True  # the start was checked; divergence is about the iterates
    if lengths is not None:  # a member's steps after its last count for nothing
        ok |= np.arange(steps + 1)[:, None] > lengths[None, :]
    diverged_at = np.where(ok.all(axis=0), -1, np.argmin(ok, axis=0))
    with np.errstate(all="ignore"):
        stopped, stop_points = _classify_stops(
            surface, opt, path, reach**2, centre, diverged_at, bad_inputs
        )
    for member in np.flatnonzero(diverged_at > 0):
        k = diverged_at[member]
        path[k:, member] = path[k - 1, member]
        loss[k:, member] = loss[k - 1, member]
    return path, loss, diverged_at, stopped, stop_points, taken, records


def _within(path: np.ndarray, centre: np.ndarray, reach2: float) -> np.ndarray:
    """``((path − centre)² summed over x, y) ≤ reach2`` per iterate, (steps + 1, B): the same
    numbers, a block of steps at a time and coordinate by coordinate (a 4096-run grid's path
    is 30 MB, and a sum over a last axis of 2 is slow in NumPy)."""
    out = np.empty(path.shape[:-1], dtype=bool)
    rows = max(1, 2**18 // max(1, path.shape[1]))  # ~4 MB of temporaries
    for first in range(0, len(path), rows):
        block = path[first : first + rows]
        dx, dy = block[..., 0] - centre[0], block[..., 1] - centre[1]
        dx *= dx
        dy *= dy
        dx += dy
        np.less_equal(dx, reach2, out=out[first : first + rows])
    return out


def _member_states(records) -> dict[str, np.ndarray]:
    """Per state field and diagnostic of a one-member run, its value after each step."""
    states = {}
    for name in records[0][0]._fields:
        states[name] = np.array([getattr(state, name)[0] for state, _ in records])
    for name in records[0][1]:  # a diagnostic may be a plain number (NAdam's μ_t)
        rows = [d[name][0] if np.ndim(d[name]) else d[name] for _, d in records]
        states[name] = np.array(rows, dtype=float)
    return {k: v[:, 0] if v.shape[1:] == (1,) else v for k, v in states.items()}


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
    job = _Job.of(surface, optimizer, start, steps, schedule, noise, seed, batch_size, sampling,
                  hyper)  # fmt: skip
    return _run_job(surface, job, record_state)


def _run_job(surface, job: _Job, record_state: bool) -> Trajectory:
    """``run`` of the checked arguments ``job``."""
    batches = None
    if job.m is not None:
        batches = _batch_indices(surface.n_examples, job.m, job.sampling, job.seed, 1, len(job.lr))
    simulated = _simulate(
        surface, job.opt, job.start[None], job.lr, job.noise, job.seed,
        inputs=True, states=record_state, batches=batches,
    )  # fmt: skip
    k = int(simulated[2][0])
    if batches is not None:
        batches = batches[0].astype(np.int64)
        if k > 0:
            batches[k - 1 :] = -1
    states = _member_states(simulated[6]) if record_state else None
    return _member_trajectory(job, simulated, 0, states, batches)


@dataclass(frozen=True)
class _Job:
    """One run's arguments, checked as ``run`` checks them (the same errors, in its order):
    the bound update rule, the full hyperparameters, the start (2,), α_t (steps,), σ, the
    mini-batch size m (None: the exact gradient), the seed and how batches are sampled."""

    optimizer: str
    opt: Optimizer
    full: dict
    start: np.ndarray
    lr: np.ndarray
    noise: float
    m: int | None
    seed: int
    sampling: str

    @classmethod
    def of(cls, surface, optimizer, start, steps, schedule, noise, seed, batch_size, sampling,
           hyper) -> _Job:  # fmt: skip
        _check_one_value_each(hyper)
        opt, full = build(optimizer, hyper)
        start = _check_starts(surface, start)
        if start.shape != (2,):
            raise OptimizerError(f"Invalid start shape {start.shape}: run takes one (x, y)")
        lr = schedule_values(schedule, full["lr"], check_steps(steps))
        noise = _check_noise(noise)
        if np.ndim(noise):
            raise OptimizerError("run takes one noise level; use run_batch")
        m = _check_minibatch(surface, batch_size, sampling)
        return cls(optimizer, opt, full, start, lr, noise, m, _check_seed(seed), sampling)

    @property
    def shares(self) -> bool:
        """Whether the run can share a loop with others: an exact gradient, no noise, no
        Hessian (then each step of a run needs nothing but ∇f at its own point)."""
        return self.m is None and not self.noise and not self.opt.uses_hessian


def _check_one_value_each(hyper) -> None:
    for name, value in hyper.items():
        if np.ndim(value):
            raise OptimizerError(f"run takes one value per hyperparameter ({name}); use run_batch")


def _member_trajectory(job: _Job, simulated, member, states=None, batches=None) -> Trajectory:
    """The Trajectory of batch member ``member`` of ``_simulate``'s output ``simulated``,
    whose first ``len(job.lr)`` steps are ``job``'s."""
    path, loss, diverged, stopped, stop_points, (grads, points), _ = simulated
    steps, k = len(job.lr), int(diverged[member])
    grads, points = grads[:steps, member].copy(), points[:steps, member].copy()
    if k > 0:
        for array in (grads, points, *(states or {}).values()):
            array[k - 1 :] = np.nan
    return Trajectory(
        optimizer=job.optimizer,
        hyper=job.full,
        path=path[: steps + 1, member],
        loss=loss[: steps + 1, member],
        lr=job.lr,
        diverged_at=None if k < 0 else k,
        grads=grads,
        eval_points=points,
        states=states,
        stopped=stopped[member],
        stop_point=None if k < 0 else tuple(float(v) for v in stop_points[member]),
        batches=batches,
    )


def _blocks(blocks: list[tuple[Optimizer, int]]) -> Optimizer:
    """Several update rules as one: the first ``n₁`` batch members follow ``blocks[0]``'s rule,
    the next ``n₂`` ``blocks[1]``'s, and so on; the state is the tuple of the blocks' states.
    Each rule updates its block as one array, as it would a batch of its own."""
    bounds, first = [], 0
    for _, n in blocks:
        bounds.append((first, first + n))
        first += n
    rules = [opt for opt, _ in blocks]
    ahead = [i for i, opt in enumerate(rules) if opt.eval_point is not at_params]

    def init(params):
        return tuple(o.init(params[a:b]) for o, (a, b) in zip(rules, bounds, strict=True))

    def eval_point(params, state):
        if not ahead:
            return params
        point = params.copy()
        for i in ahead:
            a, b = bounds[i]
            point[a:b] = rules[i].eval_point(params[a:b], state[i])
        return point

    def update(grads, state, params, t, lr, hessian=None):
        new_params, new_state = np.empty_like(params), []
        for o, s, (a, b) in zip(rules, state, bounds, strict=True):
            new_params[a:b], s = o.update(grads[a:b], s, params[a:b], t, lr[a:b])
            new_state.append(s)
        return new_params, tuple(new_state)

    def inspect(grads, state, params, t, lr, hessian=None):
        return (*update(grads, state, params, t, lr), {})

    return Optimizer(init, update, inspect, eval_point)


def run_many(surface, runs) -> list[Trajectory | OptimizerError]:
    """``run(surface, **args)`` for each ``args`` of ``runs`` (dicts of ``run``'s keyword
    arguments: ``optimizer``, ``start``, ``steps``, ``schedule``, hyperparameters …), as one
    loop where it can: each step takes the gradient of every run in one call of
    ``surface.grad``, and runs of one optimizer with the same hyperparameters are updated as
    one array, whatever their starts, step counts and schedules. So a dozen sessions' runs cost
    little more than one session's. Runs with noise, mini-batches or a Hessian (Newton's
    forms) share nothing and are run on their own.

    On a surface whose gradient is computed point by point (every ``surfaces.Surface``) each
    trajectory is ``run``'s, bit for bit. Returns, per run, its Trajectory or the
    OptimizerError that ``run`` raises for its arguments.
    """
    out: list = [None] * len(runs)
    groups: dict = {}  # (optimizer, its hyperparameters) -> [(index, job), ...]
    for i, args in enumerate(runs):
        try:
            bound = _RUN.bind(surface, **args)
            bound.apply_defaults()
            arguments = bound.arguments
            job = _Job.of(surface, *(arguments[name] for name in _JOB_ARGS))
            if arguments["record_state"] or not job.shares:
                out[i] = _run_job(surface, job, arguments["record_state"])
            else:
                key = (job.optimizer, tuple(sorted(job.full.items())))
                groups.setdefault(key, []).append((i, job))
        except OptimizerError as err:
            out[i] = err
    if not groups:
        return out
    members = [member for group in groups.values() for member in group]
    jobs = [job for _, job in members]
    steps = max(len(job.lr) for job in jobs)
    lr = np.stack([np.pad(job.lr, (0, steps - len(job.lr)), mode="edge") for job in jobs], 1)
    rule = _blocks([(group[0][1].opt, len(group)) for group in groups.values()])
    lengths = np.array([len(job.lr) for job in jobs])
    starts = np.stack([job.start for job in jobs])
    simulated = _simulate(surface, rule, starts, lr, 0.0, 0, inputs=True, lengths=lengths)
    for member, (i, job) in enumerate(members):
        out[i] = _member_trajectory(job, simulated, member)
    return out


_RUN = inspect.signature(run)
_JOB_ARGS = ("optimizer", "start", "steps", "schedule", "noise", "seed", "batch_size",
             "sampling", "hyper")  # fmt: skip


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
    path, loss, diverged, stopped, stop_points, _, _ = _simulate(
        surface, opt, starts, lr, noise, seed, inputs=False, batches=batches
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
