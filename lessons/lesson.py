"""What every lesson is made of: ``Lesson`` (links, story / question / answer templates, and its
``given`` and ``solve``), ``Link`` (one page, set up), the builders of the settings a link
opens, and the helpers a ``solve`` composes to run a link as its page would.

* ``opened`` is the URL round trip (``parse_query`` then the page's ``read``): a lesson runs
  what the page would show, not what it meant to set.
* ``race_runs``, ``race_rows``, ``step_run`` and ``best_on_slider`` run a link through
  ``optim_core``; ``settled`` is ``analysis.steps_to_tolerance`` ("stays within the tolerance
  from step k on"), the one definition the Race's table uses.

This module holds no NumPy: it composes ``optim_core``, ``teach.measure`` and
``teach.results``. No Streamlit here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from optim_core import run
from surfaces import get_surface
from teach import measure
from teach.results import race_results
from teach.text import fill
from webapp import pages
from webapp.settings import (
    SCHEMA,
    PageSettings,
    RaceSettings,
    RunSettings,
    StepSettings,
    View,
    lr_options,
    parse_query,
)

# url_path -> title in the navigation of every page a lesson opens: all but the Lessons page
PAGE_TITLES = {p.url_path: p.title for p in pages.PAGES if p != pages.LESSONS}


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


# ---------------------------------------------------------------------------- the lesson


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


# ---------------------------------------------------------------------------- setting up links


def bowl(kappa: float) -> View:
    """The quadratic bowl of condition number ``kappa``, turned by 30°."""
    return View(surface_id="bowl", params=(("kappa", kappa), ("angle", 30.0)))


def regression(standardized: float) -> View:
    """The linear-regression data surface, its inputs raw (0) or standardized (1)."""
    return View(surface_id="regression", params=(("standardized", standardized),))


def race_settings(view: View, hyper: dict, steps: int = 200, **run) -> RaceSettings:
    """The Race with ``hyper``'s optimizers (in its order) and their hyperparameters."""
    frozen = tuple((o, tuple(sorted(h.items()))) for o, h in hyper.items())
    return RaceSettings(
        view=view, optimizers=tuple(hyper), hyper=frozen, run=RunSettings(steps=steps, **run)
    )


def step_settings(view: View, optimizer: str, hyper: dict, steps: int, t: int) -> StepSettings:
    """Step by step with ``optimizer``, showing step ``t`` of ``steps``."""
    return StepSettings(
        view=view,
        optimizer=optimizer,
        hyper=tuple(sorted(hyper.items())),
        run=RunSettings(steps=steps),
        t=t,
    )


def param_of(view: View, name: str) -> float:
    return dict(view.params)[name]


# ---------------------------------------------------------------------------- running links


def opened(settings: PageSettings):
    """What the page reads from the link: its settings after the URL round trip, and the notices
    (a value the widgets cannot show is snapped and noticed)."""
    values, notices = parse_query(settings.query(), SCHEMA)
    return type(settings).read(values, SCHEMA), notices


def surface_of(view: View):
    return get_surface(view.surface_id, **dict(view.params))


def start_of(view: View, surface) -> tuple[float, float]:
    return view.start if view.start is not None else tuple(float(v) for v in surface.start)


def eigenvalues_of(surface) -> tuple[float, float]:
    """A quadratic surface's Hessian eigenvalues (λ_min, λ_max)."""
    lam_min, lam_max = surface.quadratic_eigenvalues
    return float(lam_min), float(lam_max)


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


def cloud_of(settings: RaceSettings, window: int, optimizer: str = "sgd") -> measure.Cloud:
    """The last ``window`` iterates of the link's run: their spread and loss floor."""
    s, runs = race_runs(settings)
    return measure.cloud(s, runs[optimizer], window)


def phrase(phrases: Mapping[str, str], key: str, values: Mapping) -> str:
    """The phrase ``key`` of a lesson's ``PHRASES`` (templates: the words each outcome of a
    predicate on the runs says), filled from ``values``. A lesson picks the key from what its
    predicate returned, so the text follows the run; ``tests/test_claims_b.py`` checks that no
    phrase types a number."""
    return fill(phrases[key], values)


def phrase_settled(k: int | None, steps: int) -> str:
    return f"from step {k}" if k is not None else f"not within its {steps} steps"
