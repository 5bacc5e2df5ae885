"""The Step page's comparisons: two runs that differ in one place, and what the difference is;
and, within one run, the gradient a step used against the exact ∇f (``step_gradient``).

A comparison is one entry of ``COMPARISONS``: an id, a title, the optimizers it opens first for,
its story, and a function that runs both sides on the same surface, start and
run length and returns a typed result. Each result says what to draw as a ``Chart``: lines over
the steps, or whole paths on the surface, and a table if it has one. ``viz.comparison_figure``
draws any ``Chart``, so a new comparison is its entry here and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from optim_core import OPTIMIZERS, Trajectory, run

FIRST_STEPS = 10  # the bias-correction comparison looks at the first steps


class Line(NamedTuple):
    """One line of a comparison's chart: values over steps 1, 2, …, in ``optimizer``'s colour."""

    label: str
    values: np.ndarray
    optimizer: str
    dash: str = "solid"


@dataclass(frozen=True)
class Chart:
    """What a comparison shows: ``lines`` over the steps (log scale) or whole ``paths`` on the
    surface as (label, trajectory), and ``rows`` of a table beside the chart (may be empty)."""

    title: str = ""
    y_title: str = ""
    lines: tuple[Line, ...] = ()
    paths: tuple[tuple[str, Trajectory], ...] = ()
    rows: tuple[dict[str, str], ...] = ()


@dataclass(frozen=True)
class StepGradient:
    """The gradient step t used, and what it is: ∇f itself, or a stochastic ĝ (a mini-batch
    gradient of ``batch``'s examples, Gaussian noise added, or both); ``exact`` is ∇f at the
    same point (None where unknown), which a stochastic step did not use."""

    used: np.ndarray  # (2,)
    exact: np.ndarray | None  # (2,)
    batch: tuple[int, ...] | None
    noise: bool

    @property
    def stochastic(self) -> bool:
        return self.batch is not None or self.noise


def step_gradient(trajectory, t: int, surface=None, noise=0.0) -> StepGradient:
    """Step t's gradient (t = 1 … steps): the mini-batch it averaged (``trajectory.batches``),
    whether noise σ = ``noise`` was added (the run's setting), and, given the surface, the exact
    ∇f where the gradient was taken."""
    exact = None
    if surface is not None:
        with np.errstate(all="ignore"):
            exact = np.asarray(surface.grad(trajectory.eval_points[t - 1]), dtype=float)
    drawn = None if trajectory.batches is None else trajectory.batches[t - 1]
    batch = tuple(int(i) for i in drawn) if drawn is not None and drawn[0] >= 0 else None
    return StepGradient(trajectory.grads[t - 1], exact, batch, bool(np.any(noise)))


def step_sizes(trajectory) -> np.ndarray:
    """‖θ_t − θ_{t−1}‖ for t = 1 … steps."""
    return np.linalg.norm(np.diff(trajectory.path, axis=0), axis=1)


@dataclass(frozen=True)
class BiasCorrection:
    """Adam with and without dividing m and v by 1 − βᵗ: step sizes over the first steps."""

    hyper: dict
    with_hats: np.ndarray  # (n,) ‖Δθ_t‖ with bias correction
    without: np.ndarray  # (n,) without
    predicted_ratio: np.ndarray  # (n,) (1 − β₁ᵗ)/√(1 − β₂ᵗ): uncorrected ÷ corrected at t = 1

    @property
    def ratio(self) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.where(self.with_hats > 0, self.without / self.with_hats, np.nan)

    def chart(self) -> Chart:
        """Both step sizes over the first steps; the table adds their ratio (at t = 1 it is
        (1 − β₁)/√(1 − β₂); later steps also differ in the moments themselves)."""
        rows = tuple(
            {
                "t": str(i + 1),
                "with correction": f"{a:.4g}",
                "without": f"{b:.4g}",
                "without ÷ with": f"{r:.3g}" if np.isfinite(r) else "n/a",
            }
            for i, (a, b, r) in enumerate(
                zip(self.with_hats, self.without, self.ratio, strict=True)
            )
        )
        return Chart(
            title=f"Step size ‖θ_t − θ_(t−1)‖, first {len(self.with_hats)} steps",
            y_title="step size",
            lines=(
                Line("with bias correction", self.with_hats, "adam"),
                Line("without", self.without, "adam", dash="dot"),
            ),
            rows=rows,
        )


def bias_correction(surface, hyper: dict, start, steps: int, first: int = FIRST_STEPS):
    hyper = {k: v for k, v in hyper.items() if k != "bias_correction"}
    shown = min(first, steps)
    runs = [
        run(surface, "adam", start=start, steps=steps, bias_correction=flag, **hyper)
        for flag in (True, False)
    ]
    t = np.arange(1, shown + 1)
    beta1, beta2 = runs[0].hyper["beta1"], runs[0].hyper["beta2"]
    return BiasCorrection(
        hyper=runs[0].hyper,
        with_hats=step_sizes(runs[0])[:shown],
        without=step_sizes(runs[1])[:shown],
        predicted_ratio=(1 - beta1**t) / np.sqrt(1 - beta2**t),
    )


@dataclass(frozen=True)
class NesterovForms:
    """The same Nesterov method written two ways (look-ahead and re-parametrized)."""

    hyper: dict
    look_ahead: Trajectory
    reparam: Trajectory

    def chart(self) -> Chart:
        """Both paths on the surface, the look-ahead points of the first as open circles."""
        runs = (self.look_ahead, self.reparam)
        return Chart(paths=tuple((OPTIMIZERS[r.optimizer].name, r) for r in runs))


def nesterov_forms(surface, hyper: dict, start, steps: int) -> NesterovForms:
    runs = [
        run(surface, o, start=start, steps=steps, **hyper) for o in ("nesterov", "nesterov_reparam")
    ]
    return NesterovForms(runs[0].hyper, *runs)


@dataclass(frozen=True)
class CacheRates:
    """AdaGrad's growing cache against RMSProp's moving average: the per-coordinate learning
    rate of each over the run."""

    adagrad: Trajectory
    rmsprop: Trajectory

    def rates(self, trajectory: Trajectory) -> np.ndarray:
        return trajectory.states["effective_lr"]

    def chart(self) -> Chart:
        """The per-coordinate learning rate of each over the run (x solid, y dotted)."""
        lines = []
        for trajectory in (self.adagrad, self.rmsprop):
            rates, name = self.rates(trajectory), OPTIMIZERS[trajectory.optimizer].name
            lines.append(Line(f"{name}, x", rates[:, 0], trajectory.optimizer))
            lines.append(Line(f"{name}, y", rates[:, 1], trajectory.optimizer, dash="dot"))
        return Chart("Effective learning rate per coordinate", "α / (√r + ε)", tuple(lines))


def cache_rates(surface, adagrad_hyper: dict, rmsprop_hyper: dict, start, steps: int):
    return CacheRates(
        run(surface, "adagrad", start=start, steps=steps, record_state=True, **adagrad_hyper),
        run(surface, "rmsprop", start=start, steps=steps, record_state=True, **rmsprop_hyper),
    )


@dataclass(frozen=True)
class Comparison:
    id: str
    title: str
    optimizers: tuple[str, ...]  # whose hyperparameters it uses
    compute: Callable  # (surface, *hypers, start, steps) -> a result with .chart()
    story: str  # what to look at, in two sentences
    first_for: tuple[str, ...] = ()  # the optimizers whose Step page opens with it


COMPARISONS: dict[str, Comparison] = {
    c.id: c
    for c in (
        Comparison(
            "bias_correction",
            "Adam: bias correction",
            ("adam",),
            bias_correction,
            first_for=("adam", "adamw", "amsgrad", "nadam"),
            story="The same Adam run with and without dividing m and v by 1 − βᵗ. The moments "
            "start at 0, so early on they are too small: m by the factor 1 − β₁ᵗ, v by 1 − β₂ᵗ; "
            "without the correction the first step is off by (1 − β₁)/√(1 − β₂).",
        ),
        Comparison(
            "nesterov_forms",
            "Nesterov: two forms",
            ("nesterov",),
            nesterov_forms,
            first_for=("momentum", "nesterov", "nesterov_reparam"),
            story="The same method written two ways. The look-ahead form keeps θ and takes the "
            "gradient at θ̃ = θ + μv (open circles); the re-parametrized form (torch's "
            "`nesterov=True`) keeps θ̃ itself as its iterate, so its path runs through them.",
        ),
        Comparison(
            "cache",
            "AdaGrad vs RMSProp: the cache",
            ("adagrad", "rmsprop"),
            cache_rates,
            first_for=("adagrad", "rmsprop", "rmsprop_nesterov", "adadelta"),
            story="AdaGrad adds every g² to its cache r, so its per-coordinate learning rate "
            "α/(√r + ε) only shrinks and it can stall. RMSProp keeps a moving average instead: "
            "old gradients fade and the rate follows the recent gradient size.",
        ),
    )
}


def first_comparison(optimizer: str) -> str:
    """The comparison the Step page opens with for ``optimizer`` (else the first one)."""
    return next(
        (c.id for c in COMPARISONS.values() if optimizer in c.first_for), next(iter(COMPARISONS))
    )
