"""What a run is given, checked at the door with a plain message (OptimizerError): the start,
the noise level, the seed, one value per hyperparameter; and ``Job``, one run's arguments
checked as ``run`` checks them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optim_core._loop import overflows
from optim_core._minibatch import check_minibatch
from optim_core.optimizers import build
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


def check_starts(surface, starts):
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
            if np.isinf(value) and overflows(surface.f, where)
            else "the start is outside the domain of f"
        )
        raise OptimizerError(
            f"The loss is not finite at the start ({where[0]:g}, {where[1]:g}): {why}; "
            "choose another start"
        )
    return starts


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
           hyper) -> Job:  # fmt: skip
        check_one_value_each(hyper)
        opt, full = build(optimizer, hyper)
        start = check_starts(surface, start)
        if start.shape != (2,):
            raise OptimizerError(f"Invalid start shape {start.shape}: run takes one (x, y)")
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
