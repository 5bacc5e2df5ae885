"""The lessons: one-click scenarios for a lecture. Each lesson is data — the settings objects of
the pages it opens (one per link, from ``_settings``) and its story, question and answer as
templates — plus a ``solve`` that runs the lesson's own setup through ``optim_core`` and returns
every number the answer states.

* ``given(links)`` reads the setup's own values from its settings objects (no run: cheap), for
  the story, the question and the link labels.
* ``solve(links)`` opens each link as its page would (the URL round trip: ``parse_query`` then
  the page's ``read``), runs it, and measures with ``teach.measure`` (settling by
  ``analysis.steps_to_tolerance``: "stays within the tolerance from step k on"), ``race_results``
  (the Race table) and ``theory.*``. This module holds no NumPy: it composes those calls.

``tests/test_lessons.py`` checks each claim's direction on the same ``solve`` output, and that no
template types a number. No Streamlit here: the page caches ``answer_text``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from optim_core import quadratic_theory, run, stable_lr
from optim_core.noise import noise_scaling
from surfaces import critical_points, curvature_at, get_surface
from teach import measure
from teach.results import race_results
from teach.text import colour_name, fill, marker_name, power_of_ten
from webapp import pages
from webapp.settings import (
    SCHEMA,
    CurvatureSettings,
    LabSettings,
    PageSettings,
    RaceSettings,
    RunSettings,
    StepSettings,
    View,
    fmt,
    lr_options,
    parse_query,
)

PAGE_TITLES = pages.TITLES  # url_path -> the page's title in the navigation


# ---------------------------------------------------------------------------- links


@dataclass(frozen=True)
class Link:
    """One page, set up: a label (a template, filled from ``given``) and the page's settings."""

    label: str
    settings: PageSettings

    @property
    def page(self) -> str:
        return self.settings.PAGE

    def url(self, present: bool = False) -> str:
        """The page's address with its query ("/race?…"), in presentation mode if asked."""
        view = replace(self.settings.view, present=present)
        return replace(self.settings, view=view).link()


def opened(settings: PageSettings):
    """What the page reads from the link: its settings after the URL round trip, and the notices
    (a value the widgets cannot show is snapped and noticed)."""
    values, notices = parse_query(settings.query(), SCHEMA)
    return type(settings).read(values, SCHEMA), notices


def surface_of(view: View):
    return get_surface(view.surface_id, **dict(view.params))


def start_of(view: View, surface) -> tuple[float, float]:
    return view.start if view.start is not None else tuple(float(v) for v in surface.start)


def _run(surface, view: View, optimizer: str, hyper: Mapping, how: RunSettings, **extra):
    return run(
        surface,
        optimizer,
        start=start_of(view, surface),
        steps=how.steps,
        schedule=how.schedule_dict,
        noise=how.noise,
        seed=how.seed,
        **how.minibatch(),
        **{**hyper, **extra},
    )


def race_runs(settings: RaceSettings, **hyper) -> tuple[Any, dict]:
    """The surface and every trajectory the Race page draws for ``settings`` (``hyper``
    overrides the hyperparameters of every optimizer, e.g. ``lr=``)."""
    page, _ = opened(settings)
    s = surface_of(page.view)
    runs = {
        o: _run(s, page.view, o, {**page.hyper_of(o), **hyper}, page.run) for o in page.optimizers
    }
    return s, runs


def race_rows(settings: RaceSettings) -> dict:
    """The Race table's rows (``teach.results.race_results``) by optimizer id."""
    s, runs = race_runs(settings)
    page, _ = opened(settings)
    return {r.optimizer: r for r in race_results(s, runs, page.tol).rows}


def step_run(settings: StepSettings):
    """The surface and the run the Step-by-step page shows (states recorded)."""
    page, _ = opened(settings)
    s = surface_of(page.view)
    return s, _run(s, page.view, page.optimizer, dict(page.hyper), page.run, record_state=True)


def settled(surface, trajectory, tol: float) -> int | None:
    """``analysis.steps_to_tolerance`` on f − f_min: None if it never settles."""
    return measure.settled_step(surface, trajectory, tol)


def best_on_slider(settings: RaceSettings, optimizer: str) -> tuple[float | None, int | None]:
    """Every learning rate the slider of ``optimizer`` offers, one batch on the link's setup:
    the one that settles soonest and its step (None, None if none settles)."""
    page, _ = opened(settings)
    s = surface_of(page.view)
    hyper = {k: v for k, v in page.hyper_of(optimizer).items() if k != "lr"}
    best = measure.best_learning_rate(
        s,
        optimizer,
        start_of(page.view, s),
        page.run.steps,
        lr_options(optimizer),
        page.tol,
        schedule=page.run.schedule_dict,
        noise=page.run.noise,
        seed=page.run.seed,
        **page.run.minibatch(),
        **hyper,
    )
    return best.lr, best.settled


def phrase_settled(k: int | None, steps: int) -> str:
    return f"from step {k}" if k is not None else f"not within its {steps} steps"


# ---------------------------------------------------------------------------- the lessons


@dataclass(frozen=True)
class Lesson:
    """A scenario: its links, and story / question / answer templates with ``{{fields}}``."""

    id: str
    title: str
    topic: str
    links: tuple[Link, ...]
    story: str  # two or three sentences
    question: str  # predict, then run
    answer: str  # revealed on demand
    given: Callable[[tuple[Link, ...]], dict]  # the setup's own values, from the settings
    solve: Callable[[tuple[Link, ...]], dict]  # the numbers of the answer, from runs

    def setup(self) -> dict:
        return self.given(self.links)

    def text(self, template: str) -> str:
        return fill(template, self.setup())

    def label(self, link: Link) -> str:
        return self.text(link.label)


def _bowl(kappa: float) -> View:
    return View(surface_id="bowl", params=(("kappa", kappa), ("angle", 30.0)))


def _race(view: View, hyper: dict, steps: int = 200, **run) -> RaceSettings:
    frozen = tuple((o, tuple(sorted(h.items()))) for o, h in hyper.items())
    return RaceSettings(
        view=view, optimizers=tuple(hyper), hyper=frozen, run=RunSettings(steps=steps, **run)
    )


def _step(view: View, optimizer: str, hyper: dict, steps: int, t: int) -> StepSettings:
    return StepSettings(
        view=view,
        optimizer=optimizer,
        hyper=tuple(sorted(hyper.items())),
        run=RunSettings(steps=steps),
        t=t,
    )


def _param(view: View, name: str) -> float:
    return dict(view.params)[name]


def _eigenvalues(surface) -> tuple[float, float]:
    lam_min, lam_max = surface.quadratic_eigenvalues
    return float(lam_min), float(lam_max)


# --- momentum -----------------------------------------------------------------------------

_MOMENTUM = (
    Link(
        "GD vs momentum",
        _race(
            _bowl(50.0),
            {"sgd": {"lr": 0.03}, "momentum": {"lr": 0.015, "momentum": 0.9}},
            steps=300,
        ),
    ),
)


def _momentum_given(links) -> dict:
    race = links[0].settings
    return {
        "kappa": fmt(_param(race.view, "kappa")),
        "gd_lr": fmt(race.hyper_of("sgd")["lr"]),
        "hb_lr": fmt(race.hyper_of("momentum")["lr"]),
        "mu": fmt(race.hyper_of("momentum")["momentum"]),
        "tol": power_of_ten(race.tol),
    }


def _momentum_solve(links) -> dict:
    race = links[0].settings
    rows = race_rows(race)
    s, _ = race_runs(race)
    theory = quadratic_theory(*_eigenvalues(s))
    best_lr, best_settled = best_on_slider(race, "sgd")
    _, at_optimum = race_runs(replace(race, optimizers=("sgd",)), lr=theory.gd_lr_opt)
    return {
        "gd_settled": rows["sgd"].settled_at,
        "hb_settled": rows["momentum"].settled_at,
        "best_lr": best_lr,
        "best_settled": best_settled,
        "opt_lr": theory.gd_lr_opt,
        "opt_settled": settled(s, at_optimum["sgd"], race.tol),
    }


# --- Nesterov -----------------------------------------------------------------------------

_NESTEROV_HYPER = {"lr": 0.015, "momentum": 0.9}
_NESTEROV = (
    Link(
        "momentum vs Nesterov",
        _race(_bowl(50.0), {"momentum": _NESTEROV_HYPER, "nesterov": _NESTEROV_HYPER}),
    ),
    Link(
        "both at α = {{lr_big}}",
        _race(
            _bowl(50.0),
            {o: {**_NESTEROV_HYPER, "lr": 0.03} for o in ("momentum", "nesterov")},
        ),
    ),
    Link("the look-ahead, step by step", _step(_bowl(50.0), "nesterov", _NESTEROV_HYPER, 100, 4)),
)


def _nesterov_given(links) -> dict:
    race, big = links[0].settings, links[1].settings
    return {
        "kappa": fmt(_param(race.view, "kappa")),
        "lr": fmt(race.hyper_of("nesterov")["lr"]),
        "mu": fmt(race.hyper_of("nesterov")["momentum"]),
        "lr_big": fmt(big.hyper_of("nesterov")["lr"]),
        "tol": power_of_ten(race.tol),
    }


def _lookahead_marker(links) -> str:
    """The Step page's look-ahead marker in words, read from the figure it draws."""
    from viz.step import LOOKAHEAD_COLOR, step_figure

    s, trajectory = step_run(links[2].settings)
    fig = step_figure(s, trajectory, links[2].settings.t)
    (marker,) = [tr.marker for tr in fig.data if (tr.name or "").startswith("look-ahead")]
    assert marker.color == LOOKAHEAD_COLOR
    return f"{colour_name(LOOKAHEAD_COLOR)} {marker_name(marker.symbol)}"


def _nesterov_solve(links) -> dict:
    race, big = links[0].settings, links[1].settings
    s, runs = race_runs(race)
    touch = measure.first_touch(s, runs["nesterov"], race.tol)
    rows, big_rows = race_rows(race), race_rows(big)
    lam_max = _eigenvalues(s)[1]
    mu = race.hyper_of("nesterov")["momentum"]
    return {
        "nag_touch": touch.first,
        "nag_leaves": f", leaves it again at step {touch.leaves}" if touch.leaves else "",
        "nag_settled": rows["nesterov"].settled_at,
        "hb_settled": rows["momentum"].settled_at,
        "nag_edge": stable_lr("nesterov", lam_max, mu),
        "hb_edge": stable_lr("momentum", lam_max, mu),
        "nag_big_diverged": big_rows["nesterov"].stopped_at,
        "hb_big_diverged": big_rows["momentum"].stopped_at,
        "hb_big_settled": big_rows["momentum"].settled_at,
        "marker": _lookahead_marker(links),
    }


# --- saddle -------------------------------------------------------------------------------

_SADDLE_VIEW = View(surface_id="saddle", start=(2.5, 0.001))
_SADDLE_GD = {"sgd": {"lr": 0.02}}
_SADDLE = (
    Link("GD and Newton", _race(_SADDLE_VIEW, {**_SADDLE_GD, "newton": {"lr": 1.0}}, steps=100)),
    Link(
        "GD and saddle-free Newton",
        _race(
            _SADDLE_VIEW,
            {**_SADDLE_GD, "newton": {"lr": 1.0, "saddle_free": True}},
            steps=100,
        ),
    ),
    Link("GD with gradient noise", _race(_SADDLE_VIEW, _SADDLE_GD, steps=100, noise=1.0)),
    Link(
        "the Hessian at the saddle",
        CurvatureSettings(view=View(surface_id="saddle"), x=0.0, y=0.0),
    ),
)


def _saddle_given(links) -> dict:
    race, noisy = links[0].settings, links[2].settings
    return {
        "y0": fmt(race.view.start[1]),
        "steps": race.run.steps,
        "gd_lr": fmt(race.hyper_of("sgd")["lr"]),
        "sigma": fmt(noisy.run.noise),
        "tol": power_of_ten(race.tol),
    }


def _saddle_solve(links) -> dict:
    plain, free, noisy, curvature = (link.settings for link in links)
    s, runs = race_runs(plain)
    (saddle,) = [p for p in critical_points(s).points if p.kind == "saddle"]
    point = tuple(float(v) for v in saddle.point)
    _, free_runs = race_runs(free)
    _, noisy_runs = race_runs(noisy)
    gd_end, noisy_end = measure.end_of(runs["sgd"]), measure.end_of(noisy_runs["sgd"])
    newton_first = runs["newton"].path[1]
    eig_neg, eig_pos = measure.sorted_eigenvalues(
        curvature_at(surface_of(curvature.view), point).eigenvalues
    )
    return {
        "gd_dist": measure.distance(gd_end, point),
        "gd_to_valley": measure.nearest_minimum(s, gd_end).distance,
        "newton_first": measure.distance(newton_first, point),
        "newton_dist": measure.distance(measure.end_of(runs["newton"]), point),
        "valley": measure.nearest_minimum(s, measure.end_of(free_runs["newton"])).point,
        "free_settled": settled(s, free_runs["newton"], free.tol),
        "noisy_to_valley": measure.nearest_minimum(s, noisy_end).distance,
        "noisy_dist": measure.distance(noisy_end, point),
        "saddle": point,
        "eig_neg": eig_neg,
        "eig_pos": eig_pos,
    }


# --- AdaGrad ------------------------------------------------------------------------------

_ADAGRAD = (
    Link(
        "AdaGrad vs RMSProp",
        _race(_bowl(20.0), {"adagrad": {"lr": 0.05}, "rmsprop": {"lr": 0.05}}, steps=300),
    ),
    Link("AdaGrad's cache, step by step", _step(_bowl(20.0), "adagrad", {"lr": 0.05}, 300, 1)),
    Link("RMSProp's cache, step by step", _step(_bowl(20.0), "rmsprop", {"lr": 0.05}, 300, 1)),
)


def _adagrad_given(links) -> dict:
    race = links[0].settings
    return {
        "kappa": fmt(_param(race.view, "kappa")),
        "lr": fmt(race.hyper_of("adagrad")["lr"]),
        "steps": race.run.steps,
    }


def _adagrad_solve(links) -> dict:
    race, adagrad_step, rmsprop_step = (link.settings for link in links)
    rows = race_rows(race)
    _, adagrad = step_run(adagrad_step)
    _, rmsprop = step_run(rmsprop_step)
    a = measure.rate_change(adagrad.states["effective_lr"])
    r = measure.rate_change(rmsprop.states["effective_lr"])
    return {
        "a_gap": rows["adagrad"].final,
        "r_gap": rows["rmsprop"].final,
        "a_shrinks_always": a.never_rises,
        "a_end_lo": a.end_lo,
        "a_end_hi": a.end_hi,
        "r_end_lo": r.end_lo,
        "r_end_hi": r.end_hi,
    }


# --- Adam's bias correction ---------------------------------------------------------------

_ADAM_HYPER = {"lr": 0.05, "beta1": 0.9, "beta2": 0.999}
_ADAM = (
    Link("Adam, step by step", _step(_bowl(20.0), "adam", _ADAM_HYPER, 100, 10)),
    Link(
        "Adam without bias correction",
        _step(_bowl(20.0), "adam", {**_ADAM_HYPER, "bias_correction": False}, 100, 10),
    ),
)


def _adam_given(links) -> dict:
    hyper = dict(links[0].settings.hyper)
    return {"beta1": fmt(hyper["beta1"]), "beta2": fmt(hyper["beta2"])}


def _adam_solve(links) -> dict:
    corrected, uncorrected = (step_run(link.settings)[1] for link in links)
    t = links[0].settings.t
    ratio = measure.step_ratio(corrected, uncorrected, t)
    factor = measure.bias_factor(
        corrected.hyper["beta1"], corrected.hyper["beta2"], len(uncorrected.lr)
    )
    return {
        "t": t,
        "ratio_first": ratio.first,
        "ratio_t": ratio.last,
        "ratio_min": ratio.smallest,
        "factor_first": factor.first,
        "factor_max": factor.largest,
        "factor_argmax": factor.at,
    }


# --- a learning rate too large ------------------------------------------------------------

_TOO_LARGE = (
    Link("GD at α = {{lr_big}}", _race(_bowl(15.0), {"sgd": {"lr": 0.15}}, steps=100)),
    Link("GD at α = {{lr_small}}", _race(_bowl(15.0), {"sgd": {"lr": 0.1}}, steps=100)),
    Link("the stable band", LabSettings(view=_bowl(15.0), optimizer="sgd")),
)


def _too_large_given(links) -> dict:
    big, small = links[0].settings, links[1].settings
    return {
        "kappa": fmt(_param(big.view, "kappa")),
        "lr_big": fmt(big.hyper_of("sgd")["lr"]),
        "lr_small": fmt(small.hyper_of("sgd")["lr"]),
        "tol": power_of_ten(small.tol),
    }


def _too_large_solve(links) -> dict:
    big, small = links[0].settings, links[1].settings
    big_row, small_row = race_rows(big)["sgd"], race_rows(small)["sgd"]
    lam_max = _eigenvalues(race_runs(big)[0])[1]
    rate_big = abs(1 - big.hyper_of("sgd")["lr"] * lam_max)
    return {
        "lam_max": lam_max,
        "rate_big": rate_big,
        "rate_small": abs(1 - small.hyper_of("sgd")["lr"] * lam_max),
        "growth_pct": 100 * (rate_big - 1),
        "big_diverged": big_row.stopped_at,
        "small_settled": small_row.settled_at,
        "edge": stable_lr("sgd", lam_max),
    }


# --- feature scaling ----------------------------------------------------------------------


def _regression(standardized: float) -> View:
    return View(surface_id="regression", params=(("standardized", standardized),))


_SCALING = (
    Link("raw inputs", _race(_regression(0.0), {"sgd": {"lr": 0.002}}, steps=1000)),
    Link("standardized inputs", _race(_regression(1.0), {"sgd": {"lr": 0.5}}, steps=100)),
)


def _scaling_given(links) -> dict:
    raw, std = links[0].settings, links[1].settings
    return {
        "lr_raw": fmt(raw.hyper_of("sgd")["lr"]),
        "lr_std": fmt(std.hyper_of("sgd")["lr"]),
        "tol": power_of_ten(raw.tol),
    }


def _scaling_solve(links) -> dict:
    raw, std = links[0].settings, links[1].settings
    raw_row, std_row = race_rows(raw)["sgd"], race_rows(std)["sgd"]
    raw_min, raw_max = _eigenvalues(race_runs(raw)[0])
    std_min, std_max = _eigenvalues(race_runs(std)[0])
    lr = raw.hyper_of("sgd")["lr"]
    options = lr_options("sgd")
    next_lr = options[options.index(lr) + 1]
    next_row = race_rows(replace(raw, hyper=(("sgd", (("lr", next_lr),)),)))["sgd"]
    return {
        "raw_settled": raw_row.settled_at,
        "raw_outcome": phrase_settled(raw_row.settled_at, raw.run.steps),
        "raw_diverged": raw_row.stopped_at,
        "std_settled": std_row.settled_at,
        "kappa_raw": raw_max / raw_min,
        "kappa_std": std_max / std_min,
        "edge_raw": stable_lr("sgd", raw_max),
        "flat_rate": 1 - lr * raw_min,
        "next_lr": next_lr,
        "next_diverged": next_row.stopped_at,
    }


# --- gradient noise -----------------------------------------------------------------------

NOISE_WINDOW = 100  # the last steps over which the cloud and the loss floor are measured
_NOISE = (
    Link("σ = {{sigma_loud}}", _race(_bowl(10.0), {"sgd": {"lr": 0.05}}, steps=300, noise=1.0)),
    Link("σ = {{sigma_quiet}}", _race(_bowl(10.0), {"sgd": {"lr": 0.05}}, steps=300, noise=0.5)),
)


def _noise_given(links) -> dict:
    loud, quiet = links[0].settings.run.noise, links[1].settings.run.noise
    return {
        "sigma_loud": fmt(loud),
        "sigma_quiet": fmt(quiet),
        "batch_factor": fmt((loud / quiet) ** 2),
        "sigma_ratio": fmt(loud / quiet),
        "sigma_ratio_sq": fmt((loud / quiet) ** 2),
        "window": NOISE_WINDOW,
    }


def _cloud(settings: RaceSettings, window: int, optimizer: str = "sgd") -> measure.Cloud:
    """The last ``window`` iterates of the link's run: their spread and loss floor."""
    s, runs = race_runs(settings)
    return measure.cloud(s, runs[optimizer], window)


def _noise_solve(links) -> dict:
    loud, quiet = (_cloud(k.settings, NOISE_WINDOW) for k in links)
    return {
        "spread_ratio": loud.spread / quiet.spread,
        "floor_ratio": loud.floor / quiet.floor,
        "floor_loud": loud.floor,
        "floor_quiet": quiet.floor,
    }


# --- learning-rate decay ------------------------------------------------------------------

DECAY_WINDOW = 20  # the last steps whose mean loss is compared
_NOISY_SGD = {"sgd": {"lr": 0.1}}
_DECAY = (
    Link("constant α", _race(_bowl(10.0), _NOISY_SGD, steps=300, noise=1.0)),
    Link(
        "step decay",
        _race(
            _bowl(10.0),
            _NOISY_SGD,
            steps=300,
            noise=1.0,
            schedule="step",
            schedule_params=(("gamma", 0.5), ("every", 50)),
        ),
    ),
    Link(
        "decay too early, too hard",
        _race(
            _bowl(10.0),
            _NOISY_SGD,
            steps=300,
            noise=1.0,
            schedule="step",
            schedule_params=(("gamma", 0.1), ("every", 10)),
        ),
    ),
)


def _decay_given(links) -> dict:
    constant, decayed, hard = (link.settings for link in links)
    params, hard_params = dict(decayed.run.schedule_params), dict(hard.run.schedule_params)
    return {
        "sigma": fmt(constant.run.noise),
        "lr": fmt(constant.hyper_of("sgd")["lr"]),
        "gamma": fmt(params["gamma"]),
        "every": int(params["every"]),
        "hard_gamma": fmt(hard_params["gamma"]),
        "hard_every": int(hard_params["every"]),
        "window": DECAY_WINDOW,
    }


def _decay_solve(links) -> dict:
    finals = [_cloud(link.settings, DECAY_WINDOW).floor for link in links]
    every = int(dict(links[1].settings.run.schedule_params)["every"])
    constant, decayed, hard = finals
    first, second = (race_runs(link.settings)[1]["sgd"] for link in links[:2])
    return {
        "same_first": measure.same_until(first, second, every),
        "const_final": constant,
        "decay_final": decayed,
        "hard_final": hard,
        "ratio": constant / decayed,
        "hard_vs_const": hard / constant,
    }


# --- local vs global ----------------------------------------------------------------------

_TWO_WELLS = (
    Link(
        "start {{start_a}}",
        _race(View(surface_id="multi_minimum", start=(-2.0, 1.0)), {"sgd": {"lr": 0.5}}, steps=300),
    ),
    Link(
        "start {{start_b}}",
        _race(View(surface_id="multi_minimum", start=(-2.0, 1.5)), {"sgd": {"lr": 0.5}}, steps=300),
    ),
)


def _wells_given(links) -> dict:
    a, b = (link.settings.view.start for link in links)
    return {"start_a": a, "start_b": b, "distance": measure.distance(a, b)}


def _wells_solve(links) -> dict:
    out = {}
    for name, link in zip("ab", links, strict=True):
        s, runs = race_runs(link.settings)
        end = measure.end_of(runs["sgd"])
        nearest = measure.nearest_minimum(s, end)
        out[f"end_{name}"] = end
        out[f"f_{name}"] = measure.value_at(s, end)
        out[f"deep_{name}"] = nearest.deepest
        out[f"to_min_{name}"] = nearest.distance
    return out


# --- condition number ---------------------------------------------------------------------

_CONDITION = (
    Link("the Hessian", CurvatureSettings(view=_bowl(50.0))),
    Link("the stable band", LabSettings(view=_bowl(50.0), optimizer="sgd")),
)


def _condition_given(links) -> dict:
    return {"kappa": fmt(_param(links[0].settings.view, "kappa"))}


def _condition_solve(links) -> dict:
    s = surface_of(links[0].settings.view)
    (xmin, _), (_, ymax) = s.bounds
    points = {"start": tuple(float(v) for v in s.start), "corner": (xmin, ymax)}
    eigen = {
        k: measure.sorted_eigenvalues(curvature_at(s, p).eigenvalues) for k, p in points.items()
    }
    lam_min, lam_max = eigen["start"]
    theory = quadratic_theory(lam_min, lam_max)
    return {
        **points,
        "same_everywhere": measure.same_values(eigen["start"], eigen["corner"]),
        "lam_min": lam_min,
        "lam_max": lam_max,
        "kappa_measured": theory.kappa,
        "edge": theory.lr_stable_max,
        "opt_lr": theory.gd_lr_opt,
        "rate": theory.gd_rate,
    }


# --- Newton -------------------------------------------------------------------------------

_NEWTON = (Link("GD vs Newton", _race(_bowl(50.0), {"sgd": {"lr": 0.03}, "newton": {"lr": 1.0}})),)


def _newton_given(links) -> dict:
    race = links[0].settings
    return {"kappa": fmt(_param(race.view, "kappa")), "tol": power_of_ten(race.tol)}


def _newton_solve(links) -> dict:
    race = links[0].settings
    rows = race_rows(race)
    best_lr, best_settled = best_on_slider(race, "sgd")
    return {
        "newton_settled": rows["newton"].settled_at,
        "gd_lr": race.hyper_of("sgd")["lr"],
        "gd_settled": rows["sgd"].settled_at,
        "best_lr": best_lr,
        "best_settled": best_settled,
    }


# --- mini-batch size ----------------------------------------------------------------------

MINIBATCH_WINDOW = 100  # the last steps whose spread and loss floor are compared
_MINIBATCH_SGD = {"sgd": {"lr": 0.1}}


def _minibatch_race(m: int, **run) -> RaceSettings:
    return _race(_regression(1.0), _MINIBATCH_SGD, steps=300, batch=m, **run)


_MINIBATCH = (
    Link("m = {{m_small}}", _minibatch_race(1)),
    Link("m = {{m_mid}}", _minibatch_race(8)),
    Link("the exact gradient (all {{n}} examples)", _minibatch_race(0)),
)


def _minibatch_given(links) -> dict:
    small, mid, full = (link.settings for link in links)
    return {
        "n": surface_of(full.view).n_examples,
        "m_small": small.run.batch,
        "m_mid": mid.run.batch,
        "lr": fmt(small.hyper_of("sgd")["lr"]),
        "steps": small.run.steps,
        "window": MINIBATCH_WINDOW,
        "tol": power_of_ten(full.tol),
    }


def _minibatch_solve(links) -> dict:
    small, mid, full = (link.settings for link in links)
    clouds = [_cloud(link.settings, MINIBATCH_WINDOW) for link in links]
    n = surface_of(full.view).n_examples
    rows = [race_rows(settings)["sgd"] for settings in (small, mid, full)]
    return {
        "spread_small": clouds[0].spread,
        "spread_mid": clouds[1].spread,
        "spread_full": clouds[2].spread,
        "floor_small": clouds[0].floor,
        "floor_mid": clouds[1].floor,
        "floor_full": clouds[2].floor,
        "spread_ratio": clouds[0].spread / clouds[1].spread,
        "small_settled": rows[0].settled_at,
        "mid_settled": rows[1].settled_at,
        "full_settled": rows[2].settled_at,
        "cost_small": small.run.steps * small.run.batch,
        "cost_mid": mid.run.steps * mid.run.batch,
        "cost_full": full.run.steps * n,
    }


# --- the central limit theorem: noise like 1/√m --------------------------------------------


def _clt_race(m: int) -> RaceSettings:
    """The Race's gradient-noise view: the cloud of m-example gradients at the start point."""
    settings = _race(_regression(1.0), _MINIBATCH_SGD, steps=300, batch=m, sampling="replacement")
    return replace(settings, chart="noise")


_CLT = (
    Link("m = {{m_0}}", _clt_race(1)),
    Link("m = {{m_1}}", _clt_race(4)),
    Link("m = {{m_2}}", _clt_race(16)),
)


def _clt_given(links) -> dict:
    sizes = [link.settings.run.batch for link in links]
    return {
        **{f"m_{i}": m for i, m in enumerate(sizes)},
        "n": surface_of(links[0].settings.view).n_examples,
        "size_factor": sizes[2] // sizes[1],
    }


def _clt_solve(links) -> dict:
    """The spreads the Race's noise view measures at the start point (``noise.noise_scaling``,
    its seed and sample count), with replacement as linked and without for comparison."""
    first = links[0].settings
    page, _ = opened(first)
    s = surface_of(page.view)
    start = start_of(page.view, s)
    sizes = [link.settings.run.batch for link in links]
    drawn = noise_scaling(s, start, page.run.sampling, seed=page.run.seed)  # m = 1 … N
    distinct = noise_scaling(s, start, "shuffle", seed=page.run.seed)
    out = {
        "start": start,
        "samples": drawn.samples,
        "slope": drawn.slope(up_to=drawn.fit_up_to),  # as the view's log-log chart fits it
        "slope_law": drawn.slope("predicted", drawn.fit_up_to),
    }
    by_m = [{r.m: r for r in measure.spread_by_size(x)} for x in (drawn, distinct)]
    for i, m in enumerate(sizes):
        r, d = by_m[0][m], by_m[1][m]
        out |= {
            f"spread_{i}": r.spread,
            f"ratio_{i}": r.ratio,
            f"predicted_{i}": r.predicted_ratio,
            f"distinct_{i}": d.ratio,
            f"distinct_predicted_{i}": d.predicted_ratio,
        }
    out["spread_factor"] = out["spread_1"] / out["spread_2"]
    return out


# --- Robbins–Monro ------------------------------------------------------------------------

_RM_SGD = {"sgd": {"lr": 0.1}}
RM_WINDOW = 20  # the last steps whose distance to the minimum is compared


def _rm_race(schedule: str, k: float, batch: int = 1) -> RaceSettings:
    return _race(
        _regression(1.0),
        _RM_SGD,
        steps=300,
        batch=batch,
        schedule=schedule,
        schedule_params=(("k", k),),
    )


_ROBBINS_MONRO = (
    Link("exponential decay", _rm_race("exponential", 0.1)),
    Link("inverse-time decay", _rm_race("inverse_time", 0.1)),
    Link("exponential decay, exact gradient", _rm_race("exponential", 0.1, batch=0)),
)


def _rm_given(links) -> dict:
    exp, inv, _ = (link.settings for link in links)
    return {
        "lr": fmt(exp.hyper_of("sgd")["lr"]),
        "m": exp.run.batch,
        "k_exp": fmt(dict(exp.run.schedule_params)["k"]),
        "k_inv": fmt(dict(inv.run.schedule_params)["k"]),
        "steps": exp.run.steps,
        "window": RM_WINDOW,
    }


def _rm_solve(links) -> dict:
    exp, inv, exact = (link.settings for link in links)
    ends = [_cloud(settings, RM_WINDOW) for settings in (exp, inv, exact)]
    totals = [
        measure.schedule_total(s.run.schedule_dict, s.hyper_of("sgd")["lr"], s.run.steps)
        for s in (exp, inv)
    ]
    page, _ = opened(exp)
    s = surface_of(page.view)
    start = start_of(page.view, s)
    return {
        "start_dist": measure.nearest_minimum(s, start).distance,
        "exp_total": totals[0].run,
        "exp_limit": totals[0].limit,
        "exp_ten": totals[0].ten_times,
        "inv_total": totals[1].run,
        "inv_ten": totals[1].ten_times,
        "inv_limit": totals[1].limit,
        "longer": totals[0].longer,
        "exp_dist": ends[0].mean_distance,
        "inv_dist": ends[1].mean_distance,
        "exact_dist": ends[2].mean_distance,
        "exp_gap": ends[0].floor,
        "inv_gap": ends[1].floor,
        "dist_ratio": ends[0].mean_distance / ends[1].mean_distance,
    }


LESSONS: tuple[Lesson, ...] = (
    Lesson(
        id="momentum",
        title="Momentum on an ill-conditioned bowl",
        topic="momentum",
        links=_MOMENTUM,
        story=(
            "This bowl is {{kappa}} times more curved across its valley than along it. Gradient "
            r"descent must keep $\alpha < 2/\lambda_{\max}$ to stay stable, and with such a "
            "small α it crawls along the flat direction. Momentum keeps a velocity: the "
            "zig-zags across the valley cancel out while the steady pull along it adds up."
        ),
        question=(
            "Gradient descent at α = {{gd_lr}} against heavy-ball momentum with α = {{hb_lr}} "
            "and μ = {{mu}}. Which one gets f − f_min to stay within {{tol}} first, and from "
            "which step?"
        ),
        answer=(
            "Momentum: f − f_min stays within {{tol}} from step {{hb_settled}}, gradient "
            "descent only from step {{gd_settled}}. No learning rate on the slider lets gradient "
            "descent beat momentum here: its best, α = {{best_lr}}, settles from step "
            r"{{best_settled}}, and even the theoretical optimum $2/(\lambda_{\min} + "
            r"\lambda_{\max})$ = {{opt_lr}} only from step {{opt_settled}}. On a quadratic, "
            r"gradient descent needs on the order of $\kappa$ steps per e-fold of error, "
            r"momentum on the order of $\sqrt{\kappa}$: the more ill-conditioned the bowl, the "
            "bigger the gap."
        ),
        given=_momentum_given,
        solve=_momentum_solve,
    ),
    Lesson(
        id="nesterov",
        title="Nesterov vs momentum",
        topic="momentum",
        links=_NESTEROV,
        story=(
            "Nesterov's method takes the gradient where the velocity is about to carry it, "
            r"$\theta + \mu v$, instead of where it is. When the ball is about to overshoot the "
            "valley floor, the gradient there already points back, so the oscillations die out "
            "sooner."
        ),
        question=(
            "Same bowl (κ = {{kappa}}), same α = {{lr}} and μ = {{mu}} for both. Which one "
            "settles first? And what happens to each at α = {{lr_big}}?"
        ),
        answer=(
            "Nesterov. Its f − f_min first touches {{tol}} at step {{nag_touch}}{{nag_leaves}}, "
            "and stays within it from step {{nag_settled}}; heavy-ball momentum from step "
            "{{hb_settled}}. The price is a narrower stable band: on a quadratic, look-ahead "
            r"momentum needs $\alpha\lambda_{\max} < 2(1 + \mu)/(1 + 2\mu)$, heavy ball only "
            r"$\alpha\lambda_{\max} < 2(1 + \mu)$ — here α < {{nag_edge}} against "
            "α < {{hb_edge}}. At α = {{lr_big}} Nesterov diverges (at step "
            "{{nag_big_diverged}}) while heavy ball still settles, from step {{hb_big_settled}}. "
            r"On the Step-by-step page the {{marker}} is $\theta + \mu v$, where the gradient "
            "is taken."
        ),
        given=_nesterov_given,
        solve=_nesterov_solve,
    ),
    Lesson(
        id="saddle",
        title="Saddle points: who stalls, who escapes",
        topic="saddle points",
        links=_SADDLE,
        story=(
            "At a saddle the gradient vanishes, but the surface curves down along one "
            r"direction. Started a hair off the ridge ($y_0$ = {{y0}}), gradient descent slides "
            "into the saddle and leaves it only slowly. Newton's method jumps to where the "
            "gradient of its quadratic model vanishes — at a saddle, the saddle itself."
        ),
        question=(
            "Where is each after {{steps}} steps: gradient descent (α = {{gd_lr}}), Newton, "
            "saddle-free Newton (the Hessian's eigenvalues made positive), and gradient descent "
            "with gradient noise (σ = {{sigma}})?"
        ),
        answer=(
            "Gradient descent is still {{gd_dist}} from the saddle {{saddle}}. Newton lands "
            "{{newton_first}} from it in one step and stays: it is attracted to any critical "
            "point. Saddle-free Newton turns the negative curvature positive, so it walks "
            "downhill into the valley at {{valley}}: f − f_min stays within {{tol}} from step "
            "{{free_settled}}. Noise kicks gradient descent off the ridge: it ends "
            "{{noisy_dist}} from the saddle, {{noisy_to_valley}} from a valley floor (without "
            "noise, {{gd_to_valley}}). The Curvature page shows why: at the saddle the "
            "Hessian's eigenvalues are {{eig_neg}} and {{eig_pos}}."
        ),
        given=_saddle_given,
        solve=_saddle_solve,
    ),
    Lesson(
        id="adagrad",
        title="AdaGrad's shrinking steps vs RMSProp",
        topic="adaptive methods",
        links=_ADAGRAD,
        story=(
            "AdaGrad divides each coordinate's step by the root of the sum of all its squared "
            "gradients so far. That sum only grows, so the step size only shrinks — good for "
            "rare features, fatal on a long trip. RMSProp keeps a moving average instead and "
            "forgets old gradients."
        ),
        question=(
            "Both at α = {{lr}} on the bowl (κ = {{kappa}}) for {{steps}} steps. Which one "
            r"reaches the minimum? What does each one's effective learning rate "
            r"$\alpha/(\sqrt{r} + \epsilon)$ do?"
        ),
        answer=(
            "RMSProp ends {{r_gap}} above the minimum's loss; AdaGrad is still {{a_gap}} above "
            "it, crawling. AdaGrad's effective rate falls at every step, to between {{a_end_lo}} "
            "and {{a_end_hi}} times its first value; RMSProp's ends between {{r_end_lo}} and "
            "{{r_end_hi}} times its first value, rising as the gradients shrink. The "
            "Step-by-step page draws each cache and rate."
        ),
        given=_adagrad_given,
        solve=_adagrad_solve,
    ),
    Lesson(
        id="adam_bias",
        title="Adam's bias correction",
        topic="adaptive methods",
        links=_ADAM,
        story=(
            "Adam's moment estimates m and v start at zero, so early on they are too small: m "
            r"by the factor $1 - \beta_1^t$, v by $1 - \beta_2^t$. Adam divides these factors "
            r"out ($\hat m$ and $\hat v$). Without the correction the step is "
            r"$\alpha m/\sqrt{v}$."
        ),
        question=(
            r"With $\beta_1$ = {{beta1}} and $\beta_2$ = {{beta2}}: are Adam's first steps "
            "without bias correction smaller or larger than with it?"
        ),
        answer=(
            r"Larger. m is too small by $1 - \beta_1^t$, but v by $1 - \beta_2^t$, which is far "
            "smaller, and only its square root counts: for the same gradients the uncorrected "
            r"step is $(1 - \beta_1^t)/\sqrt{1 - \beta_2^t}$ times the corrected one — "
            "{{factor_first}} at the first step, at most {{factor_max}} (at step "
            "{{factor_argmax}}). On the linked runs the paths part after the first step: "
            "the uncorrected step is {{ratio_first}} times the corrected one at the first step "
            "and {{ratio_t}} times at step {{t}}. That is why Kingma and Ba correct the bias: "
            r"with $\beta_2$ close to one the first steps would otherwise be too large."
        ),
        given=_adam_given,
        solve=_adam_solve,
    ),
    Lesson(
        id="lr_too_large",
        title="A learning rate too large",
        topic="learning rate",
        links=_TOO_LARGE,
        story=(
            "On a quadratic, gradient descent multiplies the error along each eigenvector of "
            r"the Hessian by $1 - \alpha\lambda$ per step. If $|1 - \alpha\lambda_{\max}| > 1$, "
            "the error along the steepest direction grows instead of shrinking, and the run "
            "diverges — however gentle the other directions are."
        ),
        question=(
            "Does gradient descent converge on this bowl (κ = {{kappa}}) at α = {{lr_small}}? "
            "And at α = {{lr_big}}?"
        ),
        answer=(
            r"Here $\lambda_{\max}$ = {{lam_max}}. At α = {{lr_small}} it converges: "
            r"$|1 - \alpha\lambda_{\max}|$ = {{rate_small}}, and f − f_min stays within {{tol}} "
            r"from step {{small_settled}}. At α = {{lr_big}} it diverges: $|1 - "
            r"\alpha\lambda_{\max}|$ = {{rate_big}}, so the error along the steep axis flips "
            "sign and grows by {{growth_pct}} % every step — the zig-zag widens until the run "
            r"leaves the view at step {{big_diverged}}. The threshold is $2/\lambda_{\max}$ = "
            "{{edge}}; the Learning-rate lab shows the whole stable band."
        ),
        given=_too_large_given,
        solve=_too_large_solve,
    ),
    Lesson(
        id="feature_scaling",
        title="Feature scaling",
        topic="conditioning",
        links=_SCALING,
        story=(
            "The loss of a linear regression is a quadratic bowl whose Hessian is built from "
            "the inputs. When one input is measured in much larger units than the other, the "
            "bowl is extremely elongated: the steep direction caps the learning rate, and then "
            "the flat direction takes forever. Standardized inputs make it almost round."
        ),
        question=(
            "Same data, same model, gradient descent with a good learning rate for each "
            "({{lr_raw}} for raw inputs, {{lr_std}} for standardized). From which step does "
            "f − f_min stay within {{tol}}?"
        ),
        answer=(
            "Standardized (κ = {{kappa_std}}): from step {{std_settled}}. Raw (κ = "
            r"{{kappa_raw}}): {{raw_outcome}} — with α capped below $2/\lambda_{\max}$ = "
            r"{{edge_raw}}, the flat direction shrinks only by the factor $1 - "
            r"\alpha\lambda_{\min}$ = {{flat_rate}} per step, and the next learning rate on the "
            "slider, {{next_lr}}, diverges (at step {{next_diverged}}). Only the units of the "
            "inputs changed."
        ),
        given=_scaling_given,
        solve=_scaling_solve,
    ),
    Lesson(
        id="noise",
        title="Gradient noise and batch size",
        topic="stochastic gradients",
        links=_NOISE,
        story=(
            "A mini-batch gradient is the true gradient plus noise whose standard deviation "
            r"falls as $1/\sqrt{m}$ for a batch of m. Here the noise is added explicitly, "
            r"$\sigma\xi$ with $\xi$ standard normal. Near the minimum the pull of the gradient "
            "and the kicks of the noise balance, and SGD jitters in a cloud instead of "
            "converging."
        ),
        question=(
            "Going from σ = {{sigma_loud}} to σ = {{sigma_quiet}} is like a batch "
            "{{batch_factor}} times larger. How do the size of the cloud and the loss floor "
            "change?"
        ),
        answer=(
            "Over the last {{window}} steps the cloud's RMS radius is {{spread_ratio}} times "
            "smaller (σ is {{sigma_ratio}} times smaller) and the mean f − f_min "
            "{{floor_ratio}} times smaller ({{floor_loud}} against {{floor_quiet}}; "
            r"$\sigma^2$ is {{sigma_ratio_sq}} times smaller): the cloud grows like σ, the loss "
            r"floor like $\sigma^2$. A batch {{batch_factor}} times larger buys only a "
            r"{{sigma_ratio}} times smaller cloud: the $\sqrt{m}$ law. Shrinking α shrinks the "
            "cloud too — see the next lesson."
        ),
        given=_noise_given,
        solve=_noise_solve,
    ),
    Lesson(
        id="decay",
        title="Learning-rate decay",
        topic="learning rate",
        links=_DECAY,
        story=(
            "With noisy gradients a constant learning rate leaves SGD in a cloud whose size "
            "grows with α. Decaying α over the run keeps the fast start and shrinks the cloud "
            "at the end."
        ),
        question=(
            "Same noise (σ = {{sigma}}), same start: constant α = {{lr}} against step decay "
            "that multiplies α by {{gamma}} every {{every}} steps. How do the final losses "
            "compare?"
        ),
        answer=(
            "Both runs are the same for the first {{every}} steps; then the decayed run's "
            "loss keeps falling each time α drops, and over the last {{window}} steps its mean "
            "f − f_min is {{decay_final}} against {{const_final}}: {{ratio}} times lower. Decay "
            "too early and too hard (α times {{hard_gamma}} every {{hard_every}} steps) and the "
            "run stalls before it arrives: it ends at {{hard_final}}, {{hard_vs_const}} times "
            "above constant α."
        ),
        given=_decay_given,
        solve=_decay_solve,
    ),
    Lesson(
        id="local_global",
        title="Local vs global minimum",
        topic="non-convex surfaces",
        links=_TWO_WELLS,
        story=(
            "Gradient descent only knows the slope where it stands. On a surface with a deep and "
            "a shallow well, the basin it starts in decides where it ends — not which well is "
            "deeper."
        ),
        question=(
            "Gradient descent from {{start_a}} and from {{start_b}}, {{distance}} apart. Do the "
            "runs end in the same well?"
        ),
        answer=(
            "No. From {{start_a}} gradient descent rolls into the shallow well near {{end_a}}, "
            "f = {{f_a}}; from {{start_b}} it reaches the deep one near {{end_b}}, f = {{f_b}}. "
            "The boundary between the basins runs between the starts: click the contour "
            "to try others."
        ),
        given=_wells_given,
        solve=_wells_solve,
    ),
    Lesson(
        id="condition_number",
        title="The condition number is a ratio of curvatures",
        topic="conditioning",
        links=_CONDITION,
        story=(
            "The Hessian's eigenvalues are the curvatures along its eigenvectors, and their "
            r"ratio $\kappa = \lambda_{\max}/\lambda_{\min}$ is the condition number. On a "
            r"quadratic bowl they are the same everywhere, and they decide gradient descent: "
            r"$\alpha < 2/\lambda_{\max}$ to be stable, and about $\kappa$ steps per e-fold of "
            "error."
        ),
        question=(
            "On the bowl with κ = {{kappa}}: what are the Hessian's eigenvalues, and which "
            "learning rates keep gradient descent stable?"
        ),
        answer=(
            "λ = {{lam_min}} and {{lam_max}}, at the start {{start}} as at the corner "
            "{{corner}} — the same at every point — so κ = {{kappa_measured}}. Gradient "
            r"descent is stable for $\alpha < 2/\lambda_{\max}$ = {{edge}} and fastest at "
            r"$2/(\lambda_{\min} + \lambda_{\max})$ = {{opt_lr}}, where it still "
            r"shrinks the error only by the factor $(\kappa - 1)/(\kappa + 1)$ = {{rate}} per "
            "step. The Learning-rate lab maps the band."
        ),
        given=_condition_given,
        solve=_condition_solve,
    ),
    Lesson(
        id="newton",
        title="Newton's method on a quadratic",
        topic="second order",
        links=_NEWTON,
        story=(
            "Newton's method rescales the gradient by the inverse Hessian: it jumps to the "
            "minimum of the local quadratic model. On a quadratic bowl that model is exact."
        ),
        question="How many steps does Newton need on the κ = {{kappa}} bowl? And gradient descent?",
        answer=(
            "Newton: f − f_min stays within {{tol}} from step {{newton_settled}}, whatever κ "
            "is — the inverse Hessian undoes the stretching of the bowl. Gradient descent at "
            "α = {{gd_lr}} settles from step {{gd_settled}}, and no learning rate on the slider "
            "does better than step {{best_settled}} (α = {{best_lr}}). The price: the Hessian "
            r"($d^2$ numbers for d parameters) and a linear solve every step — and on "
            "non-convex surfaces plain Newton is drawn to saddles (see the saddle lesson)."
        ),
        given=_newton_given,
        solve=_newton_solve,
    ),
    Lesson(
        id="minibatch",
        title="Mini-batch size",
        topic="stochastic gradients",
        links=_MINIBATCH,
        story=(
            "On a data surface the loss is the mean of {{n}} per-example losses, and so is its "
            "gradient. SGD estimates that gradient from a mini-batch of m examples drawn at "
            "random: cheaper per step, but noisy, and with a constant α the noise never dies out."
        ),
        question=(
            "Linear regression on standardized features, SGD at α = {{lr}} for {{steps}} steps "
            "with m = {{m_small}}, m = {{m_mid}} and the exact gradient. How close to the "
            "minimum does each run stay at the end?"
        ),
        answer=(
            "Over the last {{window}} steps the iterates stay {{spread_small}} from the minimum "
            "(RMS) at m = {{m_small}}, with f − f_min {{floor_small}} on average; at m = "
            "{{m_mid}} only {{spread_mid}} ({{spread_ratio}} times closer), f − f_min "
            "{{floor_mid}}. The exact gradient converges: f − f_min stays within {{tol}} from "
            "step {{full_settled}}, while neither mini-batch run settles within it. The price "
            "of the quiet: {{cost_full}} example gradients against {{cost_mid}} and "
            "{{cost_small}}. Smaller batches wander more; decaying α (the Robbins–Monro "
            "lesson) tames them."
        ),
        given=_minibatch_given,
        solve=_minibatch_solve,
    ),
    Lesson(
        id="clt",
        title="Gradient noise shrinks like one over root m",
        topic="stochastic gradients",
        links=_CLT,
        story=(
            "A mini-batch gradient ĝ is the mean of m per-example gradients drawn at random. "
            "Averaging m independent draws divides their variance by m, so the spread of ĝ "
            r"around the true gradient falls like $1/\sqrt{m}$ — the central limit theorem. "
            "The Race's gradient-noise view draws the cloud of ĝ for the chosen m."
        ),
        question=(
            "At the start point of the regression, how much smaller is the spread of ĝ with "
            "m = {{m_1}} than with m = {{m_0}}? And with m = {{m_2}}, a batch {{size_factor}} "
            "times larger again?"
        ),
        answer=(
            "Measured from {{samples}} mini-batches drawn with replacement at {{start}}: the "
            "RMS of ĝ − ∇f is {{spread_0}} at m = {{m_0}}, {{spread_1}} at m = {{m_1}} "
            r"({{ratio_1}} times as large; $1/\sqrt{m}$ = {{predicted_1}}) and {{spread_2}} "
            r"at m = {{m_2}} ({{ratio_2}} times; $1/\sqrt{m}$ = {{predicted_2}}). On the "
            "view's log-log chart the measured slope is {{slope}}, the law's {{slope_law}}. A "
            "batch {{size_factor}} times larger costs {{size_factor}} times more gradients and "
            "quiets the noise only {{spread_factor}} times. Drawn without replacement, as the "
            "Race's shuffled epochs do, m = {{m_2}} of the {{n}} examples is a sizeable share "
            r"of the data and the spread falls faster: {{distinct_2}} times, as "
            r"$\sqrt{(N - m)/(m(N - 1))}$ = {{distinct_predicted_2}} predicts."
        ),
        given=_clt_given,
        solve=_clt_solve,
    ),
    Lesson(
        id="robbins_monro",
        title="Robbins–Monro: decay, but not too fast",
        topic="learning rate",
        links=_ROBBINS_MONRO,
        story=(
            "Robbins and Monro showed that SGD with noisy gradients converges if the learning "
            r"rates sum to infinity, $\sum_t \alpha_t = \infty$, while their squares do not, "
            r"$\sum_t \alpha_t^2 < \infty$. The first lets the run travel any distance; the "
            r"second lets the noise average out. Inverse-time decay $\alpha_0/(1 + k(t-1))$ "
            r"meets both; exponential decay $\alpha_0 e^{-k(t-1)}$ fails the first."
        ),
        question=(
            r"SGD on the regression with m = {{m}} example per step, $\alpha_0$ = {{lr}}, and "
            "either exponential decay (k = {{k_exp}}) or inverse-time decay (k = {{k_inv}}). "
            "Which one ends closer to the minimum after {{steps}} steps?"
        ),
        answer=(
            "Inverse-time decay: over the last {{window}} steps it stays {{inv_dist}} from the "
            "minimum on average (f − f_min {{inv_gap}}); exponential decay {{exp_dist}}, "
            "{{dist_ratio}} times farther (f − f_min {{exp_gap}}), from a start "
            "{{start_dist}} away. Exponential decay's learning rates add up to {{exp_total}} "
            r"over the run, and however long it runs never to more than $\alpha_0/(1 - e^{-k})$ "
            "= {{exp_limit}} ({{exp_ten}} over {{longer}} times the steps): the run freezes "
            "short of the minimum, noise or not — with the exact gradient it stops "
            "{{exact_dist}} away. Inverse-time "
            "decay's add up to {{inv_total}}, and to {{inv_ten}} over {{longer}} times the steps: "
            "growing without bound, like ln t, while its steps shrink fast enough for the "
            "noise to average out."
        ),
        given=_rm_given,
        solve=_rm_solve,
    ),
)

LESSONS_BY_ID: dict[str, Lesson] = {lesson.id: lesson for lesson in LESSONS}


@cache
def facts(lesson_id: str) -> dict:
    """Every value of the lesson's answer: its setup's own values and its runs' results."""
    lesson = LESSONS_BY_ID[lesson_id]
    return {**lesson.setup(), **lesson.solve(lesson.links)}


def answer_text(lesson_id: str) -> str:
    """The lesson's answer, every number filled from its runs."""
    return fill(LESSONS_BY_ID[lesson_id].answer, facts(lesson_id))


# ---------------------------------------------------------------------------- the formulas


@dataclass(frozen=True)
class Convention:
    """Where the sources write a rule differently, and which form Descent Lab uses."""

    question: str
    lecture: str
    torch: str
    optax: str
    descent_lab: str
    optimizers: tuple[str, ...]  # whose OPTIMIZERS metadata (equals, convention) to show


CONVENTIONS: tuple[Convention, ...] = (
    Convention(
        "ε in RMSProp's denominator",
        "CS231n: √r + ε; Goodfellow Alg. 8.5: √(ε + r)",
        "√r + ε",
        "√(r + ε) (eps_in_sqrt=True by default)",
        "√r + ε (rmsprop); √(ε + r) (rmsprop_nesterov, Goodfellow Alg. 8.6)",
        ("rmsprop", "rmsprop_nesterov"),
    ),
    Convention(
        "AdaGrad's accumulator and ε",
        "r₀ = 0, √r + ε",
        "r₀ = 0 (initial_accumulator_value), √r + ε, ε = 10⁻¹⁰",
        "r₀ = 0.1, √(r + ε), ε = 10⁻⁷",
        "r₀ = 0, √r + ε, ε = 10⁻⁷",
        ("adagrad",),
    ),
    Convention(
        "Nesterov momentum",
        "look-ahead: v ← μv − α∇f(θ + μv) (Goodfellow Alg. 8.3); CS231n also the "
        "re-parametrized form",
        "re-parametrized (nesterov=True): the iterate is the look-ahead point",
        "re-parametrized, as torch (sgd(nesterov=True))",
        "both: nesterov (look-ahead) and nesterov_reparam",
        ("nesterov", "nesterov_reparam"),
    ),
    Convention(
        "Where α sits in momentum",
        "inside the velocity: v ← μv − αg; θ ← θ + v",
        "outside: b ← μb + g; θ ← θ − αb",
        "outside: trace, then scale by −α",
        "inside (the lecture's form); the same path while α is constant",
        ("momentum",),
    ),
    Convention(
        "ε in Adam",
        "m̂/(√v̂ + ε) (Kingma & Ba)",
        "m̂/(√v̂ + ε)",
        "m̂/(√(v̂ + ε_root) + ε), ε_root = 0 by default",
        "m̂/(√v̂ + ε)",
        ("adam",),
    ),
)
