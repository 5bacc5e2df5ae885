"""Run an optimizer on a surface: arrays in, a trajectory out.

A surface is anything with ``f(xy) -> (...)``, ``grad(xy) -> (..., 2)``, ``hessian(xy) ->
(..., 2, 2)`` and ``bounds = ((xmin, xmax), (ymin, ymax))``. A surface of P dimensions (a
network's loss) has ``dim`` P and takes points θ (..., P) instead: ``f``, ``grad`` (..., P),
``hessian`` (..., P, P) (offered up to P = ``hessian_limit``, if it has one: Newton is refused
beyond), and ``divergence_bound() -> (centre (P,), reach)`` in place of ``bounds``; a start is
then P numbers, and every path, gradient and stop point below has P columns where it says 2.

Divergence: a member diverges at the first step t whose iterate is not finite, lies farther than
``DIVERGENCE_FACTOR`` × the view's diameter from the view's centre (the surface's
``divergence_bound()``, where it has one), or has a non-finite loss.
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
``np.random.default_rng(seed).standard_normal((B, steps, P))``. So the same seed gives the same
run, member b's noise does not depend on the batch size, and ``run(seed=s)`` equals member 0 of
``run_batch(seed=s)``.

Mini-batches (Goodfellow Alg. 8.1): on a data surface (``n_examples`` N > 0), ``batch_size=m``
replaces ∇f by the mean of m per-example gradients, ĝ = (1/m) Σ_{i ∈ batch} ∇ℓᵢ, at the point
where the optimizer takes its gradient (the look-ahead point for the Nesterov forms); noise is
added on top. Newton still uses the exact Hessian ∇²f there: only the gradient is sampled.
``sampling="replacement"`` draws every index uniformly; ``"shuffle"`` (the default) walks
through shuffled epochs, so m = N is the exact gradient. The indices come from their own seeded
stream (``optim_core._minibatch``), so member b's batches do not depend on the batch size and
``run`` equals member 0 of ``run_batch``. ``Trajectory.batches[t-1]`` holds the indices step t
used.

Deadlines: ``deadline=s`` (seconds, of the wall clock: ``time.monotonic()``) bounds the time a
call may take, from the moment it starts. It is checked before every step but the first (a
clock read, ~0.1 µs); once it has passed, the run stops: ``stopped`` is ``"deadline"`` and
``deadline_at`` k the steps it took; ``path[:k + 1]`` and ``loss[:k + 1]`` are what it
computed, ``path[k + 1:]`` and ``loss[k + 1:]`` repeat the last of them (so every array keeps
its shape and a figure shows the run standing still), and ``grads``, ``eval_points`` and
``states`` are NaN from index k. ``diverged_at`` keeps its meaning: a run the deadline stopped
did not diverge. Seconds rather than an instant, so that a deadline is a plain value: the same
on every call, it can be part of a cache key. Without a deadline nothing changes, bit for bit;
under one, the loss is computed along the loop, a block of steps at a time (``_loop``), so that
the deadline bounds f's evaluation too.

The pieces: ``_jobs`` checks the arguments, ``_loop`` steps the members and finds why each
stopped; this module makes trajectories of them and shares one loop among many runs.
"""

from __future__ import annotations

import inspect
import time
from dataclasses import dataclass

import numpy as np

from optim_core._jobs import (
    Job,
    check_hessian,
    check_noise,
    check_seed,
    check_starts,
    common_batch_size,
)
from optim_core._loop import Simulation, simulate
from optim_core._minibatch import batch_indices, check_minibatch
from optim_core.optimizers import build
from optim_core.schedules import check_steps, schedule_values
from optim_core.spec import Optimizer, OptimizerError, at_params


@dataclass(frozen=True, eq=False)
class Trajectory:
    """One run. ``path[0]`` is the start and ``path[t]`` the iterate after step t; ``lr[t-1]``,
    ``grads[t-1]``, ``eval_points[t-1]`` and ``batches[t-1]`` belong to step t.
    ``states[name][t-1]`` is the value after step t (names:
    ``OPTIMIZERS[optimizer].state_fields``).

    ``diverged_at`` is the step at which the run stopped (None if it ran to the end) and
    ``stopped`` says why: ``"diverged"`` or ``"domain"`` (f or ∇f not defined at
    ``stop_point``), None if it did not stop. A run its deadline stopped has ``stopped``
    ``"deadline"``, ``diverged_at`` None and ``deadline_at`` k, the steps it took (the rest
    repeat its last iterate)."""

    optimizer: str
    hyper: dict
    path: np.ndarray  # (steps + 1, P), P = 2 on a 2D surface
    loss: np.ndarray  # (steps + 1,)
    lr: np.ndarray  # (steps,)
    diverged_at: int | None
    grads: np.ndarray  # (steps, P), noise included; the mini-batch gradient with batch_size
    eval_points: np.ndarray  # (steps, P), where the gradient was taken
    states: dict[str, np.ndarray] | None = None  # (steps, ...) each, with record_state=True
    stopped: str | None = None  # "diverged" | "domain" | "deadline" | None
    stop_point: tuple[float, ...] | None = None  # (P floats) where f or ∇f failed, or the runaway
    batches: np.ndarray | None = None  # (steps, m) example indices of each step; -1 once stopped
    deadline_at: int | None = None  # the steps taken when the deadline stopped the run


@dataclass(frozen=True, eq=False)
class BatchTrajectory:
    """B independent runs. ``hyper`` holds floats, or (B,) arrays for what varies.
    ``stopped[b]`` is "diverged", "domain", "deadline" or None, ``stop_points[b]`` as
    ``stop_point`` (NaN for members that did not diverge or leave the domain); ``batches[b,
    t-1]`` the examples member b drew for step t (kept as drawn, also after the member
    stopped). ``deadline_at`` k: the deadline stopped every member still running after k
    steps (None: it did not pass)."""

    optimizer: str
    hyper: dict
    path: np.ndarray  # (steps + 1, B, P)
    loss: np.ndarray  # (steps + 1, B)
    lr: np.ndarray  # (steps, B)
    diverged_at: np.ndarray  # (B,) int, -1 = never
    stopped: np.ndarray | None = None  # (B,) object: "diverged" | "domain" | None
    stop_points: np.ndarray | None = None  # (B, P)
    batches: np.ndarray | None = None  # (B, steps, m) example indices (small ints), or None
    deadline_at: int | None = None  # the steps taken when the deadline stopped the batch


def deadline_instant(seconds) -> float | None:
    """The ``time.monotonic()`` instant ``seconds`` from now (None: no deadline), checked."""
    if seconds is None:
        return None
    if isinstance(seconds, bool) or not isinstance(seconds, int | float | np.floating):
        raise OptimizerError(f"Invalid deadline: {seconds!r} (seconds, a number >= 0)")
    if not seconds >= 0:  # NaN too
        raise OptimizerError(f"Invalid deadline: {seconds!r} (seconds, a number >= 0)")
    return time.monotonic() + float(seconds)


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
    deadline=None,
    **hyper,
) -> Trajectory:
    """Run ``optimizer`` (an id of ``OPTIMIZERS``) from ``start`` ((x, y), or the P parameters
    of a surface of ``dim`` P) for ``steps`` steps.

    ``hyper`` are the optimizer's hyperparameters, one value each (missing ones take their
    defaults); ``schedule`` is None, a schedule id or a dict (``SCHEDULES``); ``noise`` σ adds
    seeded Gaussian noise to every gradient; on a data surface ``batch_size`` m (1 … N; None =
    the exact gradient) averages m per-example gradients per step, drawn by ``sampling``
    ("shuffle" or "replacement"); ``deadline`` (seconds, None: none) stops the run once it
    has passed (``stopped == "deadline"``, see the module's docstring). Raises OptimizerError
    on any invalid input.
    """
    until = deadline_instant(deadline)
    job = Job.of(surface, optimizer, start, steps, schedule, noise, seed, batch_size, sampling,
                 hyper)  # fmt: skip
    return _run_job(surface, job, record_state, until)


def _run_job(surface, job: Job, record_state: bool, until=None) -> Trajectory:
    """``run`` of the checked arguments ``job``, stopped at the instant ``until``."""
    batches = None
    if job.m is not None:
        batches = batch_indices(surface.n_examples, job.m, job.sampling, job.seed, 1, len(job.lr))
    simulated = simulate(
        surface, job.opt, job.start[None], job.lr, job.noise, job.seed,
        inputs=True, states=record_state, batches=batches, deadline=until,
    )  # fmt: skip
    k = int(simulated.diverged_at[0])
    if batches is not None:
        batches = batches[0].astype(np.int64)
        if k > 0:
            batches[k - 1 :] = -1
        elif simulated.stopped[0] == "deadline":
            batches[simulated.deadline_at :] = -1
    states = _member_states(simulated.records) if record_state else None
    return _member_trajectory(job, simulated, 0, states, batches)


def _member_trajectory(
    job: Job, simulated: Simulation, member, states=None, batches=None
) -> Trajectory:
    """The Trajectory of batch member ``member`` of the simulation ``simulated`` (made with
    ``inputs``), whose first ``len(job.lr)`` steps are ``job``'s."""
    steps, k = len(job.lr), int(simulated.diverged_at[member])
    grads = simulated.grads[:steps, member].copy()
    points = simulated.eval_points[:steps, member].copy()
    cut = simulated.deadline_at if simulated.stopped[member] == "deadline" else None
    if k > 0 or cut is not None:
        first = k - 1 if k > 0 else cut
        for array in (grads, points, *(states or {}).values()):
            array[first:] = np.nan
    return Trajectory(
        optimizer=job.optimizer,
        hyper=job.full,
        path=simulated.path[: steps + 1, member],
        loss=simulated.loss[: steps + 1, member],
        lr=job.lr,
        diverged_at=None if k < 0 else k,
        grads=grads,
        eval_points=points,
        states=states,
        stopped=simulated.stopped[member],
        stop_point=None if k < 0 else tuple(float(v) for v in simulated.stop_points[member]),
        batches=batches,
        deadline_at=cut,
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

    A run's ``deadline`` (seconds) counts from the start of this call; runs that share a loop
    share a deadline (runs with different ones do not share a loop).
    """
    began = time.monotonic()
    out: list = [None] * len(runs)
    loops: dict = {}  # deadline -> (optimizer, its hyperparameters) -> [(index, job), ...]
    for i, args in enumerate(runs):
        try:
            bound = _RUN.bind(surface, **args)
            bound.apply_defaults()
            arguments = bound.arguments
            seconds = arguments["deadline"]
            until = None if deadline_instant(seconds) is None else began + seconds
            job = Job.of(surface, *(arguments[name] for name in _JOB_ARGS))
            if arguments["record_state"] or not job.shares:
                out[i] = _run_job(surface, job, arguments["record_state"], until)
            else:
                key = (job.optimizer, tuple(sorted(job.full.items())))
                loops.setdefault(until, {}).setdefault(key, []).append((i, job))
        except OptimizerError as err:
            out[i] = err
    for until, groups in loops.items():
        _run_together(surface, groups, until, out)
    return out


def _run_together(surface, groups: dict, until, out: list) -> None:
    """``run_many``'s shared loop: each group's jobs (one optimizer, one set of
    hyperparameters) updated as one array; puts each trajectory at its index of ``out``."""
    members = [member for group in groups.values() for member in group]
    jobs = [job for _, job in members]
    steps = max(len(job.lr) for job in jobs)
    lr = np.stack([np.pad(job.lr, (0, steps - len(job.lr)), mode="edge") for job in jobs], 1)
    rule = _blocks([(group[0][1].opt, len(group)) for group in groups.values()])
    lengths = np.array([len(job.lr) for job in jobs])
    starts = np.stack([job.start for job in jobs])
    simulated = simulate(
        surface, rule, starts, lr, 0.0, 0, inputs=True, lengths=lengths, deadline=until
    )
    for member, (i, job) in enumerate(members):
        out[i] = _member_trajectory(job, simulated, member)


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
    deadline=None,
    **hyper,
) -> BatchTrajectory:
    """B independent runs at once: ``starts`` is (B, P) or one (P,) start shared by all; every
    hyperparameter, ``lr`` and ``noise`` may be a scalar or a (B,) array; ``batch_size`` and
    ``sampling`` (one for all members) as in ``run``, each member drawing its own batches;
    ``deadline`` (seconds) as in ``run``: the batch steps together, so it stops together."""
    until = deadline_instant(deadline)
    opt, full = build(optimizer, hyper)
    check_hessian(surface, optimizer, opt)
    starts = check_starts(surface, starts)
    noise = check_noise(noise)
    m = check_minibatch(surface, batch_size, sampling)
    seed = check_seed(seed)
    starts_batch = starts.shape[0] if starts.ndim == 2 else None
    batch = common_batch_size([*full.values(), noise], starts_batch)
    starts = np.broadcast_to(starts, (batch, starts.shape[-1])).copy()
    lr = schedule_values(schedule, full["lr"], check_steps(steps))  # (steps,) or (steps, B)
    batches = None
    if m is not None:
        batches = batch_indices(surface.n_examples, m, sampling, seed, batch, steps)
    s = simulate(
        surface, opt, starts, lr, noise, seed, inputs=False, batches=batches, deadline=until
    )
    lr = np.broadcast_to(lr.reshape(steps, -1), (steps, batch)).copy()
    cut = s.deadline_at if (s.stopped == "deadline").any() else None
    return BatchTrajectory(
        optimizer,
        full,
        s.path,
        s.loss,
        lr,
        s.diverged_at,
        s.stopped,
        s.stop_points,
        batches,
        cut,
    )
