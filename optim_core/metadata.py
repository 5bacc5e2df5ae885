"""What the app shows about each optimizer and schedule, derived from the entries.

Each optimizer's entry (``OptimizerSpec``: update rule, hyperparameters with slider ranges, the
rule as LaTeX and as NumPy code, learning-rate heuristic, stability edge, colour, marker ...)
sits next to its update rule in ``optim_core.optimizers``, which lists them in ``OPTIMIZERS``.
The schedules' metadata is written out here.
"""

from dataclasses import dataclass

from optim_core.optimizers import OPTIMIZERS, optimizer_spec
from optim_core.spec import (
    CurvatureScaled,
    FixedLR,
    Hyper,
    OptimizerError,
    OptimizerSpec,
    StabilityEdge,
    ViewScaled,
    check_hyper,
)

__all__ = [
    "OPTIMIZERS",
    "SCHEDULES",
    "CurvatureScaled",
    "FixedLR",
    "Hyper",
    "OptimizerError",
    "OptimizerSpec",
    "ScheduleSpec",
    "StabilityEdge",
    "ViewScaled",
    "check_hyper",
    "optimizer_spec",
]


@dataclass(frozen=True)
class ScheduleSpec:
    """A learning-rate schedule. ``total_infinite`` / ``squares_finite`` say whether, run on
    forever, Σα_t = ∞ and Σα_t² < ∞ (the Robbins–Monro conditions under which SGD with
    gradient noise converges); None where the schedule only exists over a finite run.
    ``robbins_monro`` says so in a sentence."""

    id: str
    name: str
    description: str
    params: tuple[Hyper, ...]
    latex: str
    total_infinite: bool | None = None
    squares_finite: bool | None = None
    robbins_monro: str = ""


# ---------------------------------------------------------------------------- schedules

_WARMUP = Hyper(
    "warmup",
    "warm-up",
    0,
    0,
    200,
    kind="int",
    help="n steps of linear warm-up: α_t = α₀·t/n, from α₀/n at step 1 to α₀ at step n",
)

SCHEDULES: dict[str, ScheduleSpec] = {
    spec.id: spec
    for spec in (
        ScheduleSpec(
            "constant",
            "Constant",
            "The same learning rate at every step.",
            (_WARMUP,),
            r"\alpha_t = \alpha_0",
            total_infinite=True,
            squares_finite=False,
            robbins_monro=(
                "Σα_t = ∞ but Σα_t² = ∞ too: not Robbins–Monro. With gradient noise the "
                "iterate keeps jittering in a ball whose size grows with α."
            ),
        ),
        ScheduleSpec(
            "step",
            "Step decay",
            "Multiply the learning rate by γ every k steps.",
            (
                Hyper("gamma", "γ", 0.5, 0.05, 1.0, help="factor applied at each drop"),
                Hyper("every", "k", 25, 1, 500, kind="int", help="steps between drops"),
                _WARMUP,
            ),
            r"\alpha_t = \alpha_0\, \gamma^{\lfloor (t-1)/k \rfloor}",
            total_infinite=False,
            squares_finite=True,
            robbins_monro=(
                "For γ < 1 the total Σα_t = kα₀/(1 − γ) is finite: not Robbins–Monro. The run "
                "can travel only that far (times the gradient size) and may stop short of the "
                "minimum. γ = 1 is the constant schedule."
            ),
        ),
        ScheduleSpec(
            "exponential",
            "Exponential decay",
            "Shrink the learning rate by the factor e^(−k) at every step.",
            (Hyper("k", "k", 0.01, 1e-4, 1.0, log=True, help="decay per step"), _WARMUP),
            r"\alpha_t = \alpha_0\, e^{-k (t-1)}",
            total_infinite=False,
            squares_finite=True,
            robbins_monro=(
                "For k > 0 the total Σα_t = α₀/(1 − e^(−k)) is finite: not Robbins–Monro. The "
                "run may freeze before it reaches the minimum."
            ),
        ),
        ScheduleSpec(
            "inverse_time",
            "Inverse-time decay",
            "Divide the learning rate by 1 + k(t − 1): fast at first, then slowly.",
            (Hyper("k", "k", 0.05, 1e-4, 10.0, log=True, help="decay per step"), _WARMUP),
            r"\alpha_t = \frac{\alpha_0}{1 + k (t-1)}",
            total_infinite=True,
            squares_finite=True,
            robbins_monro=(
                "For k > 0, Σα_t = ∞ (it grows like (α₀/k)·ln t) while Σα_t² < ∞: the "
                "Robbins–Monro conditions hold, so SGD converges despite gradient noise."
            ),
        ),
        ScheduleSpec(
            "cosine",
            "Cosine annealing",
            "Glide from α₀ down to α_min along half a cosine over the run.",
            (
                Hyper("min_lr", "α_min", 0.0, 0.0, 1.0, help="learning rate at the end"),
                _WARMUP,
            ),
            r"\alpha_t = \alpha_{\min} + \tfrac12 (\alpha_0 - \alpha_{\min})"
            r"\big(1 + \cos \tfrac{\pi (t-1)}{T}\big), \quad T = \text{steps} - \text{warm-up}",
            robbins_monro=(
                "Defined over a finite run of T steps only, so the Robbins–Monro conditions "
                "(about t → ∞) do not apply: its total Σα_t ≈ T(α₀ + α_min)/2 grows with the "
                "run you choose, and it ends at α_min, so noise is damped only if α_min = 0."
            ),
        ),
    )
}
