"""Learning-rate schedules: α_t for steps t = 1, 2, …, with α₁ = α₀.

A schedule is one entry (``ScheduleSpec``) right below its factory
``(lr, total, **params) -> (t -> α_t)`` (``t`` may be an array): its parameters as ``Hyper``
(defaults, slider ranges, validity, checked as optimizers' hyperparameters are), its formula in
LaTeX, its Robbins–Monro facts and the torch scheduler it equals. ``SCHEDULES`` lists the
entries; adding a schedule is its factory, its entry and its place there.

Driving torch the same way means calling ``scheduler.step()`` after every ``optimizer.step()``:
step t then uses the scheduler's value after t − 1 calls (tests/data/make_torch_goldens.py).

A linear warm-up of n steps uses α_t = α₀ · t/n for t ≤ n; the schedule then starts afresh at
t = n + 1 with its own clock t − n, over the remaining ``total − n`` steps (torch's SequentialLR
of LinearLR(start_factor=1/n, total_iters=n−1) and the schedule, milestone n).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from optim_core.spec import Hyper, OptimizerError, at_least, between, check_hyper

Rate = Callable[[np.ndarray], np.ndarray]  # t -> α_t


@dataclass(frozen=True)
class ScheduleSpec:
    """One learning-rate schedule, all of it.

    ``factory(lr, total, **params)`` gives t -> α_t over a run of ``total`` steps (after the
    warm-up); ``params`` are its parameters, the shared warm-up last. ``total_infinite`` /
    ``squares_finite`` say whether, run on forever, Σα_t = ∞ and Σα_t² < ∞ (the Robbins–Monro
    conditions under which SGD with gradient noise converges); None where the schedule only
    exists over a finite run. ``robbins_monro`` says so in a sentence; ``total`` is Σα_t over
    t = 1 … ∞ as a function of (α₀, **params) where that is finite for some parameters (None
    where it never is, or where the schedule only exists over a finite run); ``equals`` names
    the torch scheduler that gives the same α_t (tests/test_torch_golden.py), if any.
    """

    id: str
    name: str
    description: str
    factory: Callable[..., Rate]
    params: tuple[Hyper, ...]
    latex: str
    total_infinite: bool | None
    squares_finite: bool | None
    robbins_monro: str
    equals: str = ""
    total: Callable[..., float] | None = None


WARMUP = Hyper(
    "warmup",
    "warm-up",
    0,
    0,
    200,
    kind="int",
    help="n steps of linear warm-up: α_t = α₀·t/n, from α₀/n at step 1 to α₀ at step n",
    valid=at_least(0, integer=True),
)


# ---------------------------------------------------------------------------- constant


def constant(lr, total) -> Rate:
    return lambda t: lr * np.ones_like(t)


CONSTANT = ScheduleSpec(
    id="constant",
    name="Constant",
    description="The same learning rate at every step.",
    factory=constant,
    params=(WARMUP,),
    latex=r"\alpha_t = \alpha_0",
    total_infinite=True,
    squares_finite=False,
    robbins_monro=(
        "Σα_t = ∞ but Σα_t² = ∞ too: not Robbins–Monro. With gradient noise the "
        "iterate keeps jittering in a ball whose size grows with α."
    ),
    equals="torch.optim with no scheduler",
)


# ---------------------------------------------------------------------------- decays


def step(lr, total, gamma, every) -> Rate:
    return lambda t: lr * gamma ** ((t - 1) // every)


STEP = ScheduleSpec(
    id="step",
    name="Step decay",
    description="Multiply the learning rate by γ every k steps.",
    factory=step,
    params=(
        Hyper(
            "gamma",
            "γ",
            0.5,
            0.05,
            1.0,
            help="factor applied at each drop",
            valid=between(0, 1, low_open=True, high_open=False),
        ),
        Hyper(
            "every",
            "k",
            25,
            1,
            500,
            kind="int",
            help="steps between drops",
            valid=at_least(1, integer=True),
        ),
        WARMUP,
    ),
    latex=r"\alpha_t = \alpha_0\, \gamma^{\lfloor (t-1)/k \rfloor}",
    total_infinite=False,
    squares_finite=True,
    robbins_monro=(
        "For γ < 1 the total Σα_t = kα₀/(1 − γ) is finite: not Robbins–Monro. The run "
        "can travel only that far (times the gradient size) and may stop short of the "
        "minimum. γ = 1 is the constant schedule."
    ),
    equals="torch.optim.lr_scheduler.StepLR(step_size=k, gamma=γ)",
    total=lambda lr, gamma, every: every * lr / (1.0 - gamma) if gamma < 1 else math.inf,
)


def exponential(lr, total, k) -> Rate:
    return lambda t: lr * np.exp(-k * (t - 1))


EXPONENTIAL = ScheduleSpec(
    id="exponential",
    name="Exponential decay",
    description="Shrink the learning rate by the factor e^(−k) at every step.",
    factory=exponential,
    params=(
        Hyper("k", "k", 0.01, 1e-4, 1.0, log=True, help="decay per step", valid=at_least(0)),
        WARMUP,
    ),
    latex=r"\alpha_t = \alpha_0\, e^{-k (t-1)}",
    total_infinite=False,
    squares_finite=True,
    robbins_monro=(
        "For k > 0 the total Σα_t = α₀/(1 − e^(−k)) is finite: not Robbins–Monro. The "
        "run may freeze before it reaches the minimum."
    ),
    equals="torch.optim.lr_scheduler.ExponentialLR(gamma=e^(−k))",
    total=lambda lr, k: lr / -math.expm1(-k) if k > 0 else math.inf,
)


def inverse_time(lr, total, k) -> Rate:
    return lambda t: lr / (1.0 + k * (t - 1))


INVERSE_TIME = ScheduleSpec(
    id="inverse_time",
    name="Inverse-time decay",
    description="Divide the learning rate by 1 + k(t − 1): fast at first, then slowly.",
    factory=inverse_time,
    params=(
        Hyper("k", "k", 0.05, 1e-4, 10.0, log=True, help="decay per step", valid=at_least(0)),
        WARMUP,
    ),
    latex=r"\alpha_t = \frac{\alpha_0}{1 + k (t-1)}",
    total_infinite=True,
    squares_finite=True,
    robbins_monro=(
        "For k > 0, Σα_t = ∞ (it grows like (α₀/k)·ln t) while Σα_t² < ∞: the "
        "Robbins–Monro conditions hold, so SGD converges despite gradient noise."
    ),
    equals="torch.optim.lr_scheduler.LambdaLR(lambda s: 1 / (1 + k·s))",
)


def cosine(lr, total, min_lr) -> Rate:
    """Half a cosine from α₀ at t = 1 toward α_min, reached after ``total`` steps
    (torch's CosineAnnealingLR with T_max = total)."""
    return lambda t: min_lr + 0.5 * (lr - min_lr) * (1.0 + np.cos(np.pi * (t - 1) / total))


COSINE = ScheduleSpec(
    id="cosine",
    name="Cosine annealing",
    description="Glide from α₀ down to α_min along half a cosine over the run.",
    factory=cosine,
    params=(
        Hyper(
            "min_lr",
            "α_min",
            0.0,
            0.0,
            1.0,
            help="learning rate at the end",
            valid=at_least(0),
        ),
        WARMUP,
    ),
    latex=r"\alpha_t = \alpha_{\min} + \tfrac12 (\alpha_0 - \alpha_{\min})"
    r"\big(1 + \cos \tfrac{\pi (t-1)}{T}\big), \quad T = \text{steps} - \text{warm-up}",
    total_infinite=None,
    squares_finite=None,
    robbins_monro=(
        "Defined over a finite run of T steps only, so the Robbins–Monro conditions "
        "(about t → ∞) do not apply: its total Σα_t ≈ T(α₀ + α_min)/2 grows with the "
        "run you choose, and it ends at α_min, so noise is damped only if α_min = 0."
    ),
    equals="torch.optim.lr_scheduler.CosineAnnealingLR(T_max=T, eta_min=α_min)",
)


# ---------------------------------------------------------------------------- cyclical


def triangular(lr, total, peak, half_cycle) -> Rate:
    """Up from α₀ to peak·α₀ in ``half_cycle`` steps, down again in as many, and over again
    (Smith 2017's triangular cyclical learning rate)."""

    def rate(t):
        phase = ((t - 1) % (2 * half_cycle)) / half_cycle  # 0 → 2 over a cycle
        return lr * (1.0 + (peak - 1.0) * (1.0 - np.abs(phase - 1.0)))

    return rate


CYCLIC = ScheduleSpec(
    id="cyclic",
    name="Cyclical (triangular)",
    description="Climb from α₀ to a peak and back down, again and again (Smith 2017).",
    factory=triangular,
    params=(
        Hyper(
            "peak",
            "α_max/α₀",
            3.0,
            1.0,
            100.0,
            log=True,
            help="the peak learning rate, as a multiple of α₀",
            valid=at_least(1),
        ),
        Hyper(
            "half_cycle",
            "s",
            25,
            1,
            500,
            kind="int",
            help="steps from α₀ up to the peak (and as many back down)",
            valid=at_least(1, integer=True),
        ),
        WARMUP,
    ),
    latex=r"\alpha_t = \alpha_0 \Big(1 + (p - 1)\big(1 - \big|\tfrac{(t-1) \bmod 2s}{s}"
    r" - 1\big|\big)\Big), \quad p = \alpha_{\max}/\alpha_0",
    total_infinite=True,
    squares_finite=False,
    robbins_monro=(
        "α_t never decays, it keeps cycling between α₀ and the peak: Σα_t = ∞ but Σα_t² = ∞ "
        "too, so not Robbins–Monro. With gradient noise the iterate never settles; it is "
        "quietest at each cycle's low point, and each peak can shake it out of a narrow valley."
    ),
    equals=(
        "torch.optim.lr_scheduler.CyclicLR(base_lr=α₀, max_lr=p·α₀, step_size_up=s, "
        'mode="triangular", cycle_momentum=False)'
    ),
)


# ---------------------------------------------------------------------------- the table

SCHEDULES: dict[str, ScheduleSpec] = {
    spec.id: spec for spec in (CONSTANT, STEP, EXPONENTIAL, INVERSE_TIME, COSINE, CYCLIC)
}


def parse_schedule(schedule) -> tuple[str, dict]:
    """``None``, an id or a dict ``{"name": id, **params}`` -> ``(id, params with defaults)``,
    each value checked by its ``Hyper``."""
    if schedule is None:
        return "constant", {"warmup": 0}
    if isinstance(schedule, str):
        schedule = {"name": schedule}
    if not isinstance(schedule, dict) or "name" not in schedule:
        raise OptimizerError(
            f"Invalid schedule: {schedule!r}; give None, a schedule id or a dict with a 'name'"
        )
    name, given = schedule["name"], {k: v for k, v in schedule.items() if k != "name"}
    if name not in SCHEDULES:
        raise OptimizerError(f"Unknown schedule {name!r}; choose one of {', '.join(SCHEDULES)}")
    hypers = {h.name: h for h in SCHEDULES[name].params}
    params = {h.name: h.default for h in hypers.values()}
    for key, value in given.items():
        if key not in hypers:
            raise OptimizerError(
                f"Unknown parameter {key!r} for schedule {name}; it takes {', '.join(params)}"
            )
        what = f"{key} for schedule {name}"
        if np.ndim(value):
            raise OptimizerError(f"Invalid {what}: {value!r} (give one value)")
        params[key] = hypers[key].check(value, what=what)
    return name, params


def check_steps(steps):
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 1:
        raise OptimizerError(f"Invalid number of steps: {steps!r} (must be an integer >= 1)")
    return int(steps)


def with_warmup(schedule: Rate, lr, warmup) -> Rate:
    """Linear warm-up α₀ · t/n for t ≤ n, then ``schedule`` evaluated at t − n."""
    return lambda t: np.where(t <= warmup, lr * t / warmup, schedule(np.maximum(t - warmup, 1)))


def schedule_values(schedule, lr, steps) -> np.ndarray:
    """α_t for t = 1 … steps: shape (steps,), or (steps, B) when ``lr`` is an array (B,)."""
    steps = check_steps(steps)
    lr = check_hyper("lr", lr)
    name, params = parse_schedule(schedule)
    warmup = params.pop("warmup")
    t = np.arange(1.0, steps + 1.0).reshape((steps,) + (1,) * np.ndim(lr))
    alpha = SCHEDULES[name].factory(lr, max(steps - warmup, 1), **params)
    if warmup:
        alpha = with_warmup(alpha, lr, warmup)
    return np.broadcast_to(alpha(t), (steps, *np.shape(lr))).copy()


def total_limit(schedule, lr) -> float:
    """Σα_t over t = 1, 2, … run on forever: ``math.inf`` where it grows without bound, NaN for
    a schedule that only exists over a finite run (cosine). A warm-up of n steps adds its own
    Σ α₀t/n = α₀(n + 1)/2 to a finite total."""
    lr = float(check_hyper("lr", lr))
    name, params = parse_schedule(schedule)
    spec, warmup = SCHEDULES[name], params.pop("warmup")
    if spec.total_infinite is None:
        return math.nan
    if spec.total_infinite:
        return math.inf
    return spec.total(lr, **params) + lr * (warmup + 1) / 2 * (warmup > 0)


def robbins_monro_note(schedule) -> str:
    """The schedule's Robbins–Monro verdict, and what its warm-up (if any) adds to the sums."""
    name, params = parse_schedule(schedule)
    note = SCHEDULES[name].robbins_monro
    n = params["warmup"]
    if not n:
        return note
    return (
        f"{note} The warm-up's {n} steps add α₀(n + 1)/2 to Σα_t and a finite amount to "
        "Σα_t²: they change no verdict."
    )
