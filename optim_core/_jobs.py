"""What a run is given, checked at the door with a plain message (OptimizerError): the start,
the noise level, the seed, one value per hyperparameter, whether the surface offers the Hessian
that Newton needs; and ``Job``, one run's arguments checked as ``run`` checks them.

A start has P numbers, the surface's ``dim`` (``surface_dim``): (x, y) on a 2D surface, the
parameters on a network's loss; messages about the latter never print all of them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optim_core._loop import overflows, surface_dim
from optim_core._minibatch import check_minibatch
from optim_core.optimizers import build, optimizer_spec
from optim_core.schedules import check_steps, schedule_values
from optim_core.spec import Optimizer, OptimizerError


def common_batch_size(values, starts_batch):
    """B: the one length that the array values (and ``starts_batch``, if given) agree on."""
    sizes = {np.shape(v)[0] for v in values if np.ndim(v)} | (
        {starts_batch} if starts_batch else set()
    )
    if len(sizes) > 1:
        raise OptimizerError(
            f"Batch sizes disagree: {sorted(sizes)} (starts and array hyperparameters)"
        )
    return sizes.pop() if sizes else 1


def _numbers(values, most=6) -> str:
    """Numbers for a message: all of them if there are at most ``most``, else the first few,
    the last and how many."""
    values = np.ravel(values)
    if values.size <= most:
        return "(" + ", ".join(f"{v:g}" for v in values) + ")"
    shown = ", ".join(f"{v:g}" for v in values[: most - 2])
    return f"({shown}, …, {values[-1]:g}; {values.size} numbers)"


def check_starts(surface, starts):
    """``starts`` as a float array (P,) or (B, P), P the surface's dim, where f is finite."""
    dim = surface_dim(surface)
    if dim == 2:
        need, shapes = "(x, y) numbers", "(2,) or (B, 2)"
    else:
        need = f"P = {dim} numbers, the network's parameters"
        shapes = f"{need}, or (B, {dim}) for B runs"
    try:
        starts = np.array(starts, dtype=float)
    except (TypeError, ValueError):
        shown = repr(starts)
        if dim != 2 and len(shown) > 60:
            shown = shown[:60] + "…"
        raise OptimizerError(f"Invalid start: {shown} (need {need})") from None
    if starts.shape[-1:] != (dim,) or starts.ndim > 2:
        raise OptimizerError(f"Invalid start shape {starts.shape}: need {shapes}")
    if not np.isfinite(starts).all():
        if dim == 2:
            raise OptimizerError(f"Invalid start: {starts.tolist()} (must be finite)")
        bad = np.flatnonzero(~np.isfinite(starts.reshape(-1, dim)).all(axis=0))
        raise OptimizerError(
            f"Invalid start: parameter(s) {_numbers(bad)} are not finite (all P numbers must be)"
        )
    with np.errstate(all="ignore"):
        loss = np.asarray(surface.f(starts))
    if not np.isfinite(loss).all():
        where = starts.reshape(-1, dim)[~np.isfinite(loss.reshape(-1))][0]
        with np.errstate(all="ignore"):
            value = np.asarray(surface.f(where))
        why = (
            "f overflows there"
            if np.isinf(value) and overflows(surface.f, where)
            else "the start is outside the domain of f"
        )
        at = f"({where[0]:g}, {where[1]:g})" if dim == 2 else _numbers(where)
        raise OptimizerError(
            f"The loss is not finite at the start {at}: {why}; choose another start"
        )
    return starts


def check_hessian(surface, optimizer: str, opt: Optimizer) -> None:
    """Refuses an optimizer that needs the exact Hessian (Newton) on a surface whose ``dim``
    exceeds its ``hessian_limit`` (the largest P for which it offers ``hessian``)."""
    limit = getattr(surface, "hessian_limit", None)
    dim = surface_dim(surface)
    if not opt.uses_hessian or limit is None or dim <= limit:
        return
    entries = dim * dim
    raise OptimizerError(
        f"{optimizer_spec(optimizer).name} needs the exact Hessian, a P × P matrix of "
        f"{dim:,} × {dim:,} = {entries:,} entries, at every step; this network has "
        f"P = {dim:,} parameters, more than {limit:,}: choose a smaller network or another "
        "optimizer"
    )


def check_noise(noise):
    try:
        noise = np.asarray(noise, dtype=float)
    except (TypeError, ValueError):
        raise OptimizerError(f"Invalid noise: {noise!r} (must be >= 0)") from None
    if noise.ndim > 1 or not (np.isfinite(noise) & (noise >= 0)).all():
        raise OptimizerError(f"Invalid noise: {noise.tolist()} (must be >= 0)")
    return float(noise) if noise.ndim == 0 else noise


def check_seed(seed):
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise OptimizerError(f"Invalid seed: {seed!r} (must be an integer >= 0)")
    return int(seed)


@dataclass(frozen=True)
class Job:
    """One run's arguments, checked as ``run`` checks them (the same errors, in its order):
    the bound update rule, the full hyperparameters, the start (P,), α_t (steps,), σ, the
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
           hyper) -> Job:  # fmt: skip
        check_one_value_each(hyper)
        opt, full = build(optimizer, hyper)
        check_hessian(surface, optimizer, opt)
        start = check_starts(surface, start)
        if start.ndim != 1:
            dim = surface_dim(surface)
            one = "(x, y)" if dim == 2 else f"start of P = {dim} numbers; use run_batch for several"
            raise OptimizerError(f"Invalid start shape {start.shape}: run takes one {one}")
        lr = schedule_values(schedule, full["lr"], check_steps(steps))
        noise = check_noise(noise)
        if np.ndim(noise):
            raise OptimizerError("run takes one noise level; use run_batch")
        m = check_minibatch(surface, batch_size, sampling)
        return cls(optimizer, opt, full, start, lr, noise, m, check_seed(seed), sampling)

    @property
    def shares(self) -> bool:
        """Whether the run can share a loop with others: an exact gradient, no noise, no
        Hessian (then each step of a run needs nothing but ∇f at its own point)."""
        return self.m is None and not self.noise and not self.opt.uses_hessian


def check_one_value_each(hyper) -> None:
    for name, value in hyper.items():
        if np.ndim(value):
            raise OptimizerError(f"run takes one value per hyperparameter ({name}); use run_batch")
