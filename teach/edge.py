"""The edge of stability, measured and told: full-batch gradient descent on a small network, the
sharpness λ_max(∇²f) along each run against 2/α, and the loss.

Cohen, Kaur, Li, Kolter and Talwalkar (ICLR 2021) found that under full-batch GD with step α
the sharpness rises ("progressive sharpening") until it reaches 2/α — on a quadratic, the edge
beyond which GD diverges — and then hovers there while the loss keeps falling, though not
monotonically. This module runs that on the setup an ``EdgeSetup`` names and measures it:

* the sharpness every ``every`` steps (``optim_core.sharpness.sharpness_along``: Lanczos on exact
  Hessian-vector products), as the ratio λ_max/(2/α), 2/α from ``stability_edge("sgd", …)``;
* *reaches* its edge at the first measured step with λ_max ≥ 2/α (no tolerance below 1);
* *settles* at the first measured step from which every later measurement lies within
  ``band`` of 2/α (|λ_max/(2/α) − 1| ≤ band), to the run's end;
* *falls away* (under cross-entropy): from a measured step on, every later measurement is below
  1 − band times 2/α, while the loss ends below ``NEAR_ZERO`` of where it started;
* the loss *went up* at step t when f(θ_t) > f(θ_{t−1}).

Adam has no such edge in λ_max: Cohen, Ghorbani, Krishnan et al. (2022) found that its
*preconditioned* sharpness λ_max(P^{-1/2} H P^{-1/2}), P = diag(√v̂ + ε), meets Adam's own edge
(2 + 2β₁)/((1 − β₁)α) instead (``optim_core.sharpness.preconditioned_along``); measured the same
way, as the ratio to that edge.

``edge_answer`` writes the lesson's answer from those numbers; each word that states a direction
("rises", "stays within", "falls away") is chosen by a predicate on the measurement, and its
templates type no number. No Streamlit here.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from optim_core.runner import run, run_many
from optim_core.sharpness import (
    Sharpness,
    preconditioned_along,
    preconditioned_edge,
    sharpness_along,
    sharpness_along_many,
    stability_edge,
)
from surfaces.network import get_network
from teach.text import fill

NEAR_ZERO = 0.05  # a loss "nears zero" once it is below this share of where it started
CITATION = "Cohen, Kaur, Li, Kolter and Talwalkar, “Gradient Descent on Neural Networks "
CITATION += "Typically Occurs at the Edge of Stability”, ICLR 2021"
ADAM_CITATION = "Cohen, Ghorbani, Krishnan et al., “Adaptive Gradient Methods at the Edge of "
ADAM_CITATION += "Stability”, 2022"


@dataclass(frozen=True)
class EdgeSetup:
    """What the lesson runs: GD at each of ``lrs`` (and at ``small_lr``, the contrast) from
    θ₀ = ``init(seed)`` on the network ``data``/``hidden``/``activation``/``loss`` (its data drawn
    with seed 0), for ``steps`` full-batch steps; ``ce_lr`` the same network under
    cross-entropy, ``adam_lr`` Adam (its other hyperparameters ``adam_hyper``, else the
    defaults) on the setup's network (None: not run). The sharpness is measured every
    ``every`` steps (odd, so both parities of GD's period-two oscillation are sampled), Adam's
    every ``adam_every``; ``band`` is the half-width of the band around the edge, as a
    fraction of it."""

    data: str = "spirals"
    hidden: tuple[int, ...] = (16, 16)
    activation: str = "tanh"
    loss: str = "mse"
    seed: int = 0
    steps: int = 1000
    lrs: tuple[float, ...] = (0.1, 0.15, 0.2)
    small_lr: float = 0.05
    ce_lr: float | None = 0.5
    adam_lr: float | None = 0.01
    adam_hyper: tuple[tuple[str, object], ...] = ()  # Adam's other hyperparameters, if not defaults
    every: int = 9
    adam_every: int = 15
    band: float = 0.15

    def network(self, loss: str | None = None):
        return get_network(self.data, self.hidden, 0, activation=self.activation,
                           loss=loss or self.loss)  # fmt: skip


SETUP = EdgeSetup()


@dataclass(frozen=True)
class Crossing:
    """A ratio series r (a sharpness over its edge) against 1, at the measured ``steps``:
    ``first`` the first step with r ≥ 1; from there, ``after`` (min, max) of r, ``peak`` the
    step of its largest value ``peak_ratio``; ``settled`` the step from which every r to the end
    lies within ±band of 1 and ``band`` their (min, max); ``below_from`` the step from which
    every r to the end is below 1 − band (each None when it does not happen)."""

    first: int
    after: tuple[float, float]
    peak: int
    peak_ratio: float
    settled: int | None
    band: tuple[float, float] | None
    below_from: int | None


def _last_stretch(inside: np.ndarray) -> int | None:
    """The first index from which ``inside`` holds to the end (None if its last is False)."""
    if not inside.size or not inside[-1]:
        return None
    outside = np.nonzero(~inside)[0]
    return int(outside[-1] + 1) if outside.size else 0


def crossing(ratio, steps, band: float) -> Crossing | None:
    """How the ratio series crosses 1 (see ``Crossing``); None if it never reaches 1."""
    ratio, steps = np.asarray(ratio, dtype=float), np.asarray(steps)
    reached = np.nonzero(ratio >= 1.0)[0]
    if not reached.size:
        return None
    k = int(reached[0])
    after = ratio[k:]
    top = k + int(np.argmax(after))
    settle = _last_stretch(np.abs(after - 1.0) <= band)
    below = _last_stretch(after < 1.0 - band)
    return Crossing(
        first=int(steps[k]),
        after=(float(after.min()), float(after.max())),
        peak=int(steps[top]),
        peak_ratio=float(ratio[top]),
        settled=None if settle is None else int(steps[k + settle]),
        band=None if settle is None else (float(after[settle:].min()), float(after[settle:].max())),
        below_from=None if below is None else int(steps[k + below]),
    )


@dataclass(frozen=True)
class EdgeRun:
    """One GD run at step ``lr``, measured: ratios are λ_max/(2/α), steps iterate numbers;
    ``cross`` is None when the sharpness never reached 2/α, and so are the loss's values at
    and after that step."""

    lr: float
    edge: float  # 2/α
    steps: int  # the run's length
    sharpness_start: float  # λ_max at θ₀
    start_ratio: float
    max_ratio: float  # over the whole run
    end_ratio: float  # at the last iterate
    rises_to_first: bool  # the sharpness grew at every measurement up to ``first``
    cross: Crossing | None
    loss_start: float
    loss_end: float
    loss_ups: int  # steps at which the loss went up
    loss_ups_before: int  # … of them before ``first`` (all of them if it never reached)
    loss_at_first: float | None
    loss_spike: float | None  # the largest loss from ``first`` on
    spike_at: int | None  # … its step
    accuracy_end: float  # the share of training examples classified right at the end

    @property
    def first(self) -> int | None:
        return None if self.cross is None else self.cross.first

    @property
    def settled(self) -> int | None:
        return None if self.cross is None else self.cross.settled


def measure_run(net, trajectory, sharp: Sharpness, lr: float, band: float) -> EdgeRun:
    """An ``EdgeRun`` from a run of GD at ``lr`` on ``net`` and its sharpness measurements."""
    loss = trajectory.loss
    edge = float(stability_edge("sgd", {"lr": lr}))
    ratio = sharp.values / edge
    cross = crossing(ratio, sharp.steps, band)
    ups = np.diff(loss) > 0
    first = None if cross is None else cross.first
    upto = len(ratio) if cross is None else int(np.searchsorted(sharp.steps, first)) + 1
    return EdgeRun(
        lr=float(lr),
        edge=edge,
        steps=len(loss) - 1,
        sharpness_start=float(sharp.values[0]),
        start_ratio=float(ratio[0]),
        max_ratio=float(ratio.max()),
        end_ratio=float(ratio[-1]),
        rises_to_first=bool(np.all(np.diff(ratio[:upto]) > 0)),
        cross=cross,
        loss_start=float(loss[0]),
        loss_end=float(loss[-1]),
        loss_ups=int(ups.sum()),
        loss_ups_before=int(ups[:first].sum()),
        loss_at_first=None if first is None else float(loss[first]),
        loss_spike=None if first is None else float(loss[first:].max()),
        spike_at=None if first is None else first + int(np.argmax(loss[first:])),
        accuracy_end=float(net.accuracy(trajectory.path[-1])),
    )


@dataclass(frozen=True)
class AdamEdge:
    """Adam at ``lr``: its preconditioned sharpness over Adam's edge (2 + 2β₁)/((1 − β₁)α)
    (``cross``: how it crosses 1), and its plain sharpness λ_max over 2/α, at most
    ``plain_max_ratio`` along the run."""

    lr: float
    edge: float  # (2 + 2β₁)/((1 − β₁)α)
    start_ratio: float
    cross: Crossing | None
    plain_max_ratio: float
    loss_start: float
    loss_end: float
    loss_ups: int


@functools.cache
def edge_runs(setup: EdgeSetup = SETUP, loss: str | None = None, lrs: tuple | None = None):
    """GD at each α of ``lrs`` (default: ``setup.lrs`` then ``small_lr``) on the setup's
    network under ``loss`` (default its own): ((α, Trajectory, Sharpness), …), one batch."""
    net = setup.network(loss)
    lrs = lrs if lrs is not None else (*setup.lrs, setup.small_lr)
    start = net.init(setup.seed)
    jobs = [dict(optimizer="sgd", start=start, steps=setup.steps, lr=lr) for lr in lrs]
    trajectories = run_many(net, jobs)
    sharp = sharpness_along_many(net, np.stack([t.path for t in trajectories]), setup.every)
    return tuple(zip(lrs, trajectories, sharp, strict=True))


@functools.cache
def adam_run(setup: EdgeSetup = SETUP):
    """Adam at ``setup.adam_lr`` on the setup's network, its states recorded: (Trajectory,
    preconditioned Sharpness, plain Sharpness), both every ``adam_every`` steps."""
    net = setup.network()
    hyper = {**dict(setup.adam_hyper), "lr": setup.adam_lr}
    t = run(net, "adam", start=net.init(setup.seed), steps=setup.steps, record_state=True, **hyper)
    eps = t.hyper["eps"]
    pre = preconditioned_along(net, t.path, t.states["v_hat"], eps, setup.adam_every)
    return t, pre, sharpness_along(net, t.path, setup.adam_every)


def measure_adam(setup: EdgeSetup = SETUP) -> AdamEdge:
    t, pre, plain = adam_run(setup)
    edge = preconditioned_edge("adam", t.hyper)
    ratio = pre.values / edge
    return AdamEdge(
        lr=float(setup.adam_lr),
        edge=float(edge),
        start_ratio=float(ratio[0]),
        cross=crossing(ratio, pre.steps, setup.band),
        plain_max_ratio=float(plain.values.max() / stability_edge("sgd", {"lr": setup.adam_lr})),
        loss_start=float(t.loss[0]),
        loss_end=float(t.loss[-1]),
        loss_ups=int((np.diff(t.loss) > 0).sum()),
    )


@dataclass(frozen=True)
class EdgeMeasure:
    """The lesson's runs, measured: ``runs`` one per α of ``setup.lrs``, ``small`` at
    ``setup.small_lr``, ``ce`` the cross-entropy run, ``adam`` Adam's (None if not asked)."""

    setup: EdgeSetup
    runs: tuple[EdgeRun, ...]
    small: EdgeRun
    ce: EdgeRun | None
    adam: AdamEdge | None


@functools.cache
def measure_edge(setup: EdgeSetup = SETUP) -> EdgeMeasure:
    """Every run of ``setup``, measured (cached: the setup is a frozen value)."""
    net = setup.network()
    measured = [measure_run(net, t, s, lr, setup.band) for lr, t, s in edge_runs(setup)]
    ce = None
    if setup.ce_lr is not None:
        ((lr, t, s),) = edge_runs(setup, "bce", (setup.ce_lr,))
        ce = measure_run(setup.network("bce"), t, s, lr, setup.band)
    adam = measure_adam(setup) if setup.adam_lr is not None else None
    return EdgeMeasure(setup, tuple(measured[:-1]), measured[-1], ce, adam)


# ---------------------------------------------------------------------------- the words

PHRASES = {
    "start": (
        "From the same start $\\theta_0$, where $\\lambda_{\\max}$ = {{start}}, gradient "
        "descent runs {{steps}} full-batch steps at each α; the sharpness is measured every "
        "{{every}} steps."
    ),
    "hover": (
        "At α = {{lr}} ($2/\\alpha$ = {{edge}}) the sharpness starts at {{start_ratio}} × "
        "$2/\\alpha$, {{rises}} at step {{first}}{{overshoot}}, and from step {{settled}} to "
        "the end stays within ±{{band_pct}} % of it (between {{lo}} × and {{hi}} ×)."
    ),
    "no_settle": (
        "At α = {{lr}} ($2/\\alpha$ = {{edge}}) the sharpness starts at {{start_ratio}} × "
        "$2/\\alpha$, {{rises}} at step {{first}}{{overshoot}}, but at the end it is outside "
        "±{{band_pct}} % of it ({{end_ratio}} ×)."
    ),
    "rises": "rises to it",
    "reaches": "reaches it, not rising at every measurement,",
    "overshoot": (
        ", overshoots to {{peak_ratio}} × at step {{peak}} (the loss jumps from "
        "{{loss_at_first}} to {{loss_spike}} at step {{spike_at}})"
    ),
    "loss_falls": (
        "In each of these runs the loss falls overall, from {{loss_start}} to {{loss_ends}}, "
        "but not monotonically: it went up at {{ups}} of the {{steps}} steps{{before}}."
    ),
    "never_before": ", and not once before the sharpness reached $2/\\alpha$",
    "some_before": ", {{ups_before}} of them before the sharpness reached $2/\\alpha$",
    "small_below": (
        "At α = {{lr}} ($2/\\alpha$ = {{edge}}) the sharpness {{small_way}} from {{start_ratio}} "
        "× to {{end_ratio}} × $2/\\alpha$ and never reached it; the loss {{small_loss}} from "
        "{{loss_start}} to {{loss_end}}{{like_bowl}}."
    ),
    "rose": "rose",
    "not_rose": "did not rise",
    "fell_always": "fell at every step",
    "went_up": "went up at {{ups}} steps on its way",
    "like_bowl": ", as on a bowl below its edge",
    "named": "This is the edge of stability ({{citation}}).",
    "small_reached": (
        "At α = {{lr}} ($2/\\alpha$ = {{edge}}) the sharpness reached $2/\\alpha$ as well, at "
        "step {{first}}."
    ),
    "end_at_edge": (
        "Under squared error only the run's length ends the hovering: at step {{steps}} the "
        "sharpness is still {{end_ratios}} × $2/\\alpha$."
    ),
    "end_off_edge": (
        "At step {{steps}} the sharpness is {{end_ratios}} × $2/\\alpha$: not every run is "
        "still at its edge."
    ),
    "ce_falls": (
        "Under cross-entropy the same network at α = {{lr}} ($2/\\alpha$ = {{edge}}) reaches "
        "its edge too, at step {{first}}, but from step {{below_from}} on its sharpness stays "
        "below {{below}} × $2/\\alpha$, down to {{end_ratio}} × at the end, while the loss "
        "nears zero ({{loss_end}}, with {{accuracy_pct}} % of the training examples classified "
        "right): a confident output s has little curvature, $\\sigma(s)(1 - \\sigma(s))$, so "
        "the sharpness falls away from the edge."
    ),
    "ce_stays": (
        "Under cross-entropy the same network at α = {{lr}} ($2/\\alpha$ = {{edge}}) ends at "
        "{{end_ratio}} × $2/\\alpha$ with the loss at {{loss_end}}."
    ),
    "adam_edge": (
        "Adam (α = {{lr}}) is not held at $2/\\alpha$: its sharpness is at most {{plain_max}} × "
        "$2/\\alpha$. What meets an edge is its preconditioned sharpness, $\\lambda_{\\max}"
        "(P^{-1/2} H P^{-1/2})$ with $P = \\mathrm{diag}(\\sqrt{\\hat v} + \\epsilon)$: it "
        "reaches Adam's edge $(2 + 2\\beta_1)/((1 - \\beta_1)\\alpha)$ = {{edge}} at step "
        "{{first}}, and from step {{settled}} to the end stays within "
        "±{{band_pct}} % of it (between {{lo}} × and {{hi}} ×), while the loss falls from "
        "{{loss_start}} to {{loss_end}}, up at {{ups}} steps ({{citation}})."
    ),
    "adam_other": (
        "Adam (α = {{lr}}): its sharpness is at most {{plain_max}} × $2/\\alpha$, and its "
        "preconditioned sharpness at most {{pre_max}} × Adam's edge "
        "$(2 + 2\\beta_1)/((1 - \\beta_1)\\alpha)$ = {{edge}} ({{citation}})."
    ),
}


def _joined(values) -> str:
    """'a, b and c' of values shown as the lessons show numbers."""
    shown = [fill("{{v}}", {"v": v}) for v in values]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def _whole(value: float) -> float | int:
    """A value of a thousand or more as a whole number (``shown`` writes floats to three
    significant digits, which would give 3.8e+03 for 3800)."""
    return round(value) if abs(value) >= 1000 else value


def _hover(run: EdgeRun, band: float) -> str:
    cross, overshoot = run.cross, ""
    if cross.peak_ratio > 1.0 + band:
        overshoot = fill(PHRASES["overshoot"], {
            "peak_ratio": cross.peak_ratio, "peak": cross.peak,
            "loss_at_first": run.loss_at_first, "loss_spike": run.loss_spike,
            "spike_at": run.spike_at})  # fmt: skip
    lo, hi = cross.band if cross.band else (run.end_ratio, run.end_ratio)
    return fill(PHRASES["hover" if cross.settled is not None else "no_settle"], {
        "lr": run.lr, "edge": run.edge, "start_ratio": run.start_ratio, "first": cross.first,
        "rises": PHRASES["rises" if run.rises_to_first else "reaches"],
        "overshoot": overshoot, "settled": cross.settled, "band_pct": 100 * band,
        "end_ratio": run.end_ratio, "lo": lo, "hi": hi})  # fmt: skip


def _loss(runs: tuple[EdgeRun, ...]) -> str:
    before = sum(r.loss_ups_before for r in runs)
    tail = PHRASES["never_before"] if before == 0 else PHRASES["some_before"]
    return fill(PHRASES["loss_falls"], {
        "loss_start": _joined(sorted({r.loss_start for r in runs})),
        "loss_ends": _joined([r.loss_end for r in runs]),
        "ups": _joined([r.loss_ups for r in runs]), "steps": runs[0].steps,
        "before": fill(tail, {"ups_before": _joined([r.loss_ups_before for r in runs])}),
    })  # fmt: skip


def _small(run: EdgeRun) -> str:
    if run.first is not None:
        return fill(PHRASES["small_reached"], {"lr": run.lr, "edge": run.edge, "first": run.first})
    went = PHRASES["fell_always"] if run.loss_ups == 0 else PHRASES["went_up"]
    return fill(PHRASES["small_below"], {
        "lr": run.lr, "edge": run.edge, "start_ratio": run.start_ratio,
        "end_ratio": run.end_ratio, "loss_start": run.loss_start, "loss_end": run.loss_end,
        "small_way": PHRASES["rose" if run.end_ratio > run.start_ratio else "not_rose"],
        "small_loss": fill(went, {"ups": run.loss_ups}),
        "like_bowl": PHRASES["like_bowl"] if run.loss_ups == 0 else ""})  # fmt: skip


def _ending(m: EdgeMeasure) -> list[str]:
    band = m.setup.band
    at_edge = all(abs(r.end_ratio - 1.0) <= band for r in m.runs)
    ends = {"steps": m.runs[0].steps, "end_ratios": _joined([r.end_ratio for r in m.runs])}
    out = [fill(PHRASES["end_at_edge" if at_edge else "end_off_edge"], ends)]
    ce = m.ce
    if ce is not None:
        near_zero = ce.loss_end < NEAR_ZERO * ce.loss_start
        falls = ce.cross is not None and ce.cross.below_from is not None and near_zero
        out.append(fill(PHRASES["ce_falls" if falls else "ce_stays"], {
            "lr": ce.lr, "edge": ce.edge, "first": ce.first,
            "below_from": ce.cross.below_from if falls else 0, "below": 1.0 - band,
            "end_ratio": ce.end_ratio, "loss_end": ce.loss_end,
            "accuracy_pct": 100 * ce.accuracy_end}))  # fmt: skip
    return out


def _adam(a: AdamEdge, band: float) -> str:
    cross = a.cross
    held = cross is not None and cross.settled is not None and a.plain_max_ratio < 1.0 - band
    lo, hi = cross.band if held else (0.0, 0.0)
    return fill(PHRASES["adam_edge" if held else "adam_other"], {
        "lr": a.lr, "edge": _whole(a.edge), "plain_max": a.plain_max_ratio,
        "first": cross.first if cross else 0,
        "settled": cross.settled if held else 0, "band_pct": 100 * band, "lo": lo, "hi": hi,
        "loss_start": a.loss_start, "loss_end": a.loss_end, "ups": a.loss_ups,
        "pre_max": cross.after[1] if cross else a.start_ratio,
        "citation": ADAM_CITATION})  # fmt: skip


def edge_answer(m: EdgeMeasure) -> str:
    """The lesson's answer, every number from ``m``."""
    start = fill(PHRASES["start"], {"start": m.runs[0].sharpness_start,
                                    "steps": m.setup.steps, "every": m.setup.every})  # fmt: skip
    parts = [start, *(_hover(r, m.setup.band) for r in m.runs if r.cross is not None)]
    named = [fill(PHRASES["named"], {"citation": CITATION})] if hovering(m) else []
    parts += [_loss(m.runs), *named, _small(m.small), *_ending(m)]
    if m.adam is not None:
        parts.append(_adam(m.adam, m.setup.band))
    return " ".join(parts)


def hovering(m: EdgeMeasure) -> tuple[EdgeRun, ...]:
    """The runs that show the edge of stability in full: the sharpness starts below 2/α,
    rises to it, and stays within the band from some step to the end, while the loss ends
    lower than it started and went up at some step."""
    return tuple(
        r for r in m.runs
        if r.start_ratio < 1.0 and r.rises_to_first and r.settled is not None
        and r.loss_end < r.loss_start and r.loss_ups > 0
    )  # fmt: skip
