"""Every page's state as one frozen value, and the only place that declares the URL keys.

The URL is the view: a page's settings parse the query string (a refused value gets a notice
that names it, and its default) and write back every value that shapes what is on screen.
Lessons and tests build their links from the same objects. Each key is declared once, on the
dataclass field that holds its value (``url(Field(...))``, see ``webapp.url``), or, for the keys
that follow a catalog, by the catalog's entry (an optimizer's hyperparameters, a surface's and
a schedule's parameters). ``SCHEMA`` collects them all and refuses a key declared twice.

Keys (all optional; an absent key means its default):

    surface, {surface}_{param}, formula, x0, y0, present       the shared view (sidebar)
    {optimizer}_{hyper}     e.g. adam_lr, rmsprop_centered         one per optimizer, every page
    schedule, sched_{schedule}_{param}, warmup, noise, seed, steps   how the runs are made
    race_opts, race_tol, race_view, race_paths, race_tune         the Race
    step_opt, step_t, step_zoom, step_compare                     Step by step
    lab_*                                                         the Learning-rate lab
    curv_x, curv_y, curv_lr                                       Curvature

Why not Streamlit's own ``bind="query-params"``: it drops a refused value without a word (no
notice can name it), keeps values off the slider's stops, never writes a default (a learning
rate suggested for the surface would not reach the link), and makes no history entry for a
widget change (Back would leave the app). This module does not import Streamlit: pages read
and write it through ``webapp.state``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from optim_core import OPTIMIZERS, SCHEDULES
from optim_core.grid import Cell
from surfaces import SURFACES, list_surfaces
from teach.compare import COMPARISONS
from webapp import pages
from webapp.url import (
    Field,
    Notice,
    Query,
    choice,
    fmt,
    integer,
    log_options,
    nearest_option,
    number,
    parse_query,
    schema_of,
    url,
    url_fields,
)

CUSTOM = "custom"
DEFAULT_SURFACE = "bowl"
DEFAULT_FORMULA = "x^2 + 5y^2 + x y - 2sin(x)"
START_LIMIT = 1e6  # |x₀|, |y₀| at most this: the runs stay finite and the view sensible


# ---------------------------------------------------------------------------- catalog keys


def surface_param_key(surface_id: str, name: str) -> str:
    return f"{surface_id}_{name}"


def hyper_key(optimizer: str, name: str) -> str:
    return f"{optimizer}_{name}"


def schedule_key(schedule: str, name: str) -> str:
    """A schedule parameter's key: one per schedule (their ranges differ), the warm-up shared."""
    return "warmup" if name == "warmup" else f"sched_{schedule}_{name}"


def hyper_field(optimizer: str, h) -> Field:
    """The URL field of one hyperparameter: a log slider snaps to its round values. A learning
    rate's default is suggested for the surface: always written, and forgotten with the surface."""
    key = hyper_key(optimizer, h.name)
    if h.kind == "bool":
        return Field(key, "bool", bool(h.default))
    if h.kind == "int":
        return integer(key, int(h.default), int(h.min), int(h.max))
    options = log_options(h.min, h.max) if h.log else ()
    default = nearest_option(options, h.default) if options else float(h.default)
    is_lr = h.name == "lr"
    fallback = "the learning rate suggested for this surface" if is_lr else ""
    return number(
        key,
        default,
        h.min,
        h.max,
        options=options,
        fallback=fallback,
        always=is_lr,
        per_surface=is_lr,
    )


def lr_options(optimizer: str) -> tuple[float, ...]:
    """The values the learning-rate slider of ``optimizer`` offers."""
    return hyper_field(optimizer, OPTIMIZERS[optimizer].hyper[0]).options


def _schedule_field(schedule: str, h) -> Field:
    key = schedule_key(schedule, h.name)
    if h.kind == "int":
        return integer(key, int(h.default), int(h.min), int(h.max))
    options = log_options(h.min, h.max) if h.log else ()
    return number(key, float(h.default), h.min, h.max, options=options)


def _catalog_fields() -> list[Field]:
    """The keys that follow the catalogs: one per surface parameter, optimizer
    hyperparameter and schedule parameter."""
    out = [
        number(surface_param_key(sid, p.name), float(p.default), p.min, p.max)
        for sid in list_surfaces()
        for p in SURFACES[sid].params
    ]
    out += [hyper_field(opt, h) for opt, spec in OPTIMIZERS.items() for h in spec.hyper]
    out += [_schedule_field(sid, h) for sid, spec in SCHEDULES.items() for h in spec.params]
    return out


def _names(pairs) -> dict[str, str]:
    """Display names (lower case) → ids, so a link that carried a label still opens."""
    return {name.lower(): id_ for name, id_ in pairs}


def _surface_names() -> dict[str, str]:
    names = {s: s for s in list_surfaces()}
    names.update(_names((SURFACES[s].name, s) for s in list_surfaces()))
    names.update({"custom formula…": CUSTOM, "custom": CUSTOM})
    return names


def _optimizer(key: str, default: str | None) -> Field:
    """A key that names one optimizer (by id, or by its display name)."""
    names = _names((spec.name, opt) for opt, spec in OPTIMIZERS.items())
    return choice(key, default, tuple(OPTIMIZERS), names)


def _get(values: Mapping, f: Field):
    return values.get(f.key, f.default)


def _plain(cls, values: Mapping) -> dict[str, Any]:
    """The value of each of ``cls``'s URL fields in ``values`` (else its default)."""
    return {name: _get(values, f) for name, f in url_fields(cls)}


def _keyed(settings) -> dict[str, Any]:
    """``settings``' URL fields as {key: value}."""
    return {f.key: getattr(settings, name) for name, f in url_fields(type(settings))}


# ---------------------------------------------------------------------------- settings objects


@dataclass(frozen=True)
class View:
    """The shared view: which surface, with which parameters, from where, and how to show it."""

    X0: ClassVar[Field] = number("x0", None, -START_LIMIT, START_LIMIT)
    Y0: ClassVar[Field] = number("y0", None, -START_LIMIT, START_LIMIT)

    surface_id: str = url(
        choice("surface", DEFAULT_SURFACE, [*list_surfaces(), CUSTOM], _surface_names())
    )
    params: tuple[tuple[str, float], ...] = ()
    formula: str = url(Field("formula", "text", DEFAULT_FORMULA))
    start: tuple[float, float] | None = None  # None: the surface's own default start
    present: bool = url(Field("present", "bool", False))

    @property
    def is_custom(self) -> bool:
        return self.surface_id == CUSTOM

    @property
    def surface_args(self) -> tuple[str, tuple[tuple[str, float], ...], str]:
        """What identifies the surface: (id, parameters, formula; "" unless custom)."""
        return self.surface_id, self.params, self.formula if self.is_custom else ""

    @classmethod
    def read(cls, values: Mapping, schema: Mapping[str, Field] | None = None) -> View:
        plain = _plain(cls, values)
        sid = plain["surface_id"]
        params = ()
        if sid != CUSTOM:
            params = tuple(
                (p.name, float(_get(values, SCHEMA[surface_param_key(sid, p.name)])))
                for p in SURFACES[sid].params
            )
        x, y = values.get(cls.X0.key), values.get(cls.Y0.key)
        return cls(
            params=params,
            start=(float(x), float(y)) if x is not None and y is not None else None,
            **{**plain, "formula": str(plain["formula"]), "present": bool(plain["present"])},
        )

    def values(self) -> dict[str, Any]:
        out = _keyed(self)
        if not self.is_custom:
            out.pop("formula")
        for name, value in self.params:
            out[surface_param_key(self.surface_id, name)] = value
        if self.start is not None:
            out[self.X0.key], out[self.Y0.key] = self.start
        return out


@dataclass(frozen=True)
class RunSettings:
    """How runs are made, shared by the Race, the Lab and Step by step."""

    schedule: str = url(
        choice(
            "schedule",
            "constant",
            list(SCHEDULES),
            _names((s.name, s.id) for s in SCHEDULES.values()),
        )
    )
    schedule_params: tuple[tuple[str, float], ...] = ()
    warmup: int = 0  # its key is the schedules' "warmup" parameter's
    noise: float = url(number("noise", 0.0, 0.0, 5.0))
    seed: int = url(integer("seed", 0, 0, 10_000))
    steps: int = url(integer("steps", 200, 10, 1000, step=10))
    # mini-batch size m on a data surface; 0: the exact (full-batch) gradient
    batch: int = url(integer("batch", 0, 0, 10_000))
    sampling: str = url(choice("sampling", "shuffle", ("shuffle", "replacement")))  # or epochs

    @classmethod
    def read(cls, values: Mapping, schema: Mapping[str, Field] | None = None) -> RunSettings:
        plain = _plain(cls, values)
        params = tuple(
            (h.name, _get(values, SCHEMA[schedule_key(plain["schedule"], h.name)]))
            for h in SCHEDULES[plain["schedule"]].params
            if h.name != "warmup"
        )
        return cls(
            schedule_params=params,
            warmup=int(_get(values, SCHEMA[schedule_key(plain["schedule"], "warmup")])),
            schedule=plain["schedule"],
            noise=float(plain["noise"]),
            seed=int(plain["seed"]),
            steps=int(plain["steps"]),
            batch=int(plain["batch"]),
            sampling=str(plain["sampling"]),
        )

    def minibatch(self) -> dict:
        """``run``'s mini-batch arguments: none for the exact gradient."""
        if not self.batch:
            return {}
        return {"batch_size": self.batch, "sampling": self.sampling}

    @property
    def schedule_dict(self) -> dict | None:
        """The schedule as ``run`` takes it (None: constant, no warm-up)."""
        if self.schedule == "constant" and not self.warmup:
            return None
        out: dict[str, Any] = {"name": self.schedule, **dict(self.schedule_params)}
        if self.warmup:
            out["warmup"] = self.warmup
        return out

    def values(self) -> dict[str, Any]:
        """The URL's values; the mini-batch's only with a batch, the seed only when it matters."""
        out = _keyed(self)
        out[schedule_key(self.schedule, "warmup")] = self.warmup
        out.update({schedule_key(self.schedule, n): v for n, v in self.schedule_params})
        if not self.batch:
            out.pop("batch"), out.pop("sampling")
        if not (self.noise or self.batch):
            out.pop("seed")
        return out


def field_of(cls, name: str) -> Field:
    """The URL field declared on ``cls``'s attribute ``name`` (to share a key between pages)."""
    return dict(url_fields(cls))[name]


def read_hyper(values: Mapping, schema: Mapping[str, Field] | None, optimizer: str) -> dict:
    """An optimizer's hyperparameters as the URL (or the session) holds them."""
    return {
        h.name: _get(values, SCHEMA[hyper_key(optimizer, h.name)])
        for h in OPTIMIZERS[optimizer].hyper
    }


def hyper_values(optimizer: str, hyper: Mapping) -> dict[str, Any]:
    return {hyper_key(optimizer, n): v for n, v in hyper.items()}


def _frozen(hyper: Mapping[str, Mapping]) -> tuple:
    return tuple((opt, tuple(sorted(h.items()))) for opt, h in hyper.items())


@dataclass(frozen=True)
class PageSettings:
    """What every page's settings share: the view, and how they become a URL."""

    view: View = field(default_factory=View)
    PAGE: ClassVar[str] = ""

    def values(self) -> dict[str, Any]:
        return self.view.values()

    def query(self, schema: Mapping[str, Field] | None = None) -> dict[str, str | list[str]]:
        """The URL query: every value that differs from its default, and every value whose
        default is suggested for the surface (a learning rate on show: ``Field.always``)."""
        schema = schema or SCHEMA
        out = {}
        for key, value in self.values().items():
            f = schema[key]
            if value is None:
                continue
            if f.always or value != f.default:
                out[key] = f.write(value)
        return out

    def link(self) -> str:
        """The page's address with its query, as a link in the app opens it."""
        from urllib.parse import urlencode

        query = urlencode(self.query(), doseq=True)
        return f"/{self.PAGE}" + (f"?{query}" if query else "")


_VIEW_NAMES = {"race": "race", "3d surface": "3d", "loss curves": "loss", "gradient noise": "noise"}


@dataclass(frozen=True)
class RaceSettings(PageSettings):
    """The Race: which optimizers, their hyperparameters, how the runs are made, the table's
    tolerance and which figure is open."""

    PAGE: ClassVar[str] = pages.RACE.url_path
    DEFAULT_OPTIMIZERS: ClassVar[tuple[str, ...]] = ("sgd", "momentum", "rmsprop", "adam")
    VIEWS: ClassVar[tuple[str, ...]] = ("race", "3d", "loss", "noise")  # noise: data surfaces

    optimizers: tuple[str, ...] = url(
        Field("race_opts", "ids", DEFAULT_OPTIMIZERS, choices=tuple(OPTIMIZERS))
    )
    hyper: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = ()
    run: RunSettings = field(default_factory=RunSettings)
    tol: float = url(number("race_tol", 1e-4, 1e-10, 1e-1, options=log_options(1e-10, 1e-1)))
    chart: str = url(choice("race_view", "race", VIEWS, _VIEW_NAMES))
    show_paths: bool = url(Field("race_paths", "bool", False))  # False: revealed as it plays
    # whose settings are open; None: the first optimizer's
    tuning: str | None = url(_optimizer("race_tune", None))

    @classmethod
    def read(cls, values: Mapping, schema: Mapping[str, Field] | None = None) -> RaceSettings:
        plain = _plain(cls, values)
        chosen = tuple(plain.pop("optimizers"))
        plain.pop("tuning")
        return cls(
            view=View.read(values),
            optimizers=chosen,
            hyper=_frozen({o: read_hyper(values, None, o) for o in chosen}),
            run=RunSettings.read(values),
            tuning=cls.open_settings(values, chosen),
            **{**plain, "tol": float(plain["tol"]), "show_paths": bool(plain["show_paths"])},
        )

    @staticmethod
    def open_settings(values: Mapping, chosen: tuple[str, ...]) -> str | None:
        """Whose settings are open: the stored one if it races and is not the first (None)."""
        tuning = values.get(field_of(RaceSettings, "tuning").key)
        return tuning if tuning in chosen[1:] else None

    def hyper_of(self, optimizer: str) -> dict:
        return dict(dict(self.hyper)[optimizer])

    def values(self) -> dict[str, Any]:
        out = {**self.view.values(), **self.run.values(), **_keyed(self)}
        for opt, hyper in self.hyper:
            out.update(hyper_values(opt, dict(hyper)))
        return out


@dataclass(frozen=True)
class StepSettings(PageSettings):
    """Step by step: one optimizer, its hyperparameters, the run's length and the step shown."""

    PAGE: ClassVar[str] = pages.STEP.url_path

    optimizer: str = url(_optimizer("step_opt", "adam"))
    hyper: tuple[tuple[str, Any], ...] = ()
    run: RunSettings = field(default_factory=RunSettings)
    t: int = url(integer("step_t", 1, 1, 1000))
    zoom: bool = url(Field("step_zoom", "bool", True))
    # None: the comparison the optimizer's spec names
    compare: str | None = url(choice("step_compare", None, tuple(COMPARISONS)))

    @property
    def comparison(self) -> str:
        """The comparison on show: chosen, or the one that matters for the optimizer."""
        return self.compare or OPTIMIZERS[self.optimizer].compare or next(iter(COMPARISONS))

    @classmethod
    def read(cls, values: Mapping, schema: Mapping[str, Field] | None = None) -> StepSettings:
        plain = _plain(cls, values)
        run = RunSettings.read(values)
        return cls(
            view=View.read(values),
            hyper=tuple(sorted(read_hyper(values, None, plain["optimizer"]).items())),
            run=run,
            **{**plain, "t": min(int(plain["t"]), run.steps), "zoom": bool(plain["zoom"])},
        )

    def values(self) -> dict[str, Any]:
        out = {**self.view.values(), **self.run.values(), **_keyed(self)}
        out.update(hyper_values(self.optimizer, dict(self.hyper)))
        return out


_SUGGESTED_RANGE = "the range suggested for this surface"


@dataclass(frozen=True)
class LabSettings(PageSettings):
    """The Learning-rate lab: one optimizer swept over a grid of learning rates (× its second
    hyperparameter), what colours the cells, the run's length, the tolerance and the picked
    cell. ``lr_min``/``lr_max`` are None until the page suggests them for the surface (then
    always written); the picked cell's second value is clamped to the optimizer's range.

    On a data surface the second axis may be the batch size m instead (``axis`` "batch",
    URL ``lab_axis=batch``): the second hyperparameter is then fixed like the others, the
    mini-batches are drawn by the shared ``sampling`` and ``seed``, and the picked cell's m is
    ``pick_m`` (``lab_pick_m``)."""

    PAGE: ClassVar[str] = pages.LR_LAB.url_path
    DEFAULT_OPTIMIZER: ClassVar[str] = "momentum"
    METRICS: ClassVar[tuple[str, ...]] = ("loss", "steps")
    DEFAULT_N: ClassVar[int] = 32
    MIN_N: ClassVar[int] = 4
    MAX_N: ClassVar[int] = 64
    MAX_STEPS: ClassVar[int] = 500
    LR_OPTIONS: ClassVar[tuple[float, ...]] = log_options(1e-6, 100.0)
    TOL_OPTIONS: ClassVar[tuple[float, ...]] = (1e-2, 1e-3, 1e-4, 1e-6, 1e-8, 1e-10)
    RANGE_KEYS: ClassVar[tuple[str, ...]] = ("lab_lr_min", "lab_lr_max")
    PICK_KEYS: ClassVar[tuple[str, ...]] = ("lab_pick_lr", "lab_pick_second", "lab_pick_m")
    AXES: ClassVar[tuple[str, ...]] = ("second", "batch")
    BATCH_LABEL: ClassVar[str] = "batch size m"

    optimizer: str = url(_optimizer("lab_opt", DEFAULT_OPTIMIZER))
    metric: str = url(
        choice(
            "lab_metric",
            "loss",
            METRICS,
            {"final loss": "loss", "steps to tolerance": "steps", "steps to settle": "steps"},
        )
    )
    n: int = url(integer("lab_n", DEFAULT_N, MIN_N, MAX_N))
    steps: int = url(field_of(RunSettings, "steps"))
    lr_min: float | None = url(
        number(
            "lab_lr_min",
            None,
            LR_OPTIONS[0],
            LR_OPTIONS[-1],
            options=LR_OPTIONS,
            fallback=_SUGGESTED_RANGE,
        )
    )
    lr_max: float | None = url(
        number(
            "lab_lr_max",
            None,
            LR_OPTIONS[0],
            LR_OPTIONS[-1],
            options=LR_OPTIONS,
            fallback=_SUGGESTED_RANGE,
        )
    )
    tol: float = url(number("lab_tol", 1e-6, 1e-10, 1e-2, options=TOL_OPTIONS))
    pick_lr: float | None = url(
        number(
            "lab_pick_lr",
            None,
            LR_OPTIONS[0],
            LR_OPTIONS[-1],
            fallback="the best cell",
            always=True,
        )
    )
    pick_second: float | None = url(
        number("lab_pick_second", None, 0.0, 0.9999, fallback="the best cell")
    )
    fixed: tuple[tuple[str, Any], ...] = ()  # the optimizer's other hyperparameters
    # "batch": learning rate × batch size (data surfaces)
    axis: str = url(choice("lab_axis", "second", AXES, {"batch size": "batch", "m": "batch"}))
    pick_m: int | None = url(Field("lab_pick_m", "int", None, 1, 10_000, fallback="the best cell"))
    sampling: str = url(field_of(RunSettings, "sampling"))
    seed: int = url(field_of(RunSettings, "seed"))

    @classmethod
    def read(cls, values: Mapping, schema: Mapping[str, Field] | None = None) -> LabSettings:
        plain = _plain(cls, values)
        opt = plain["optimizer"]
        second = cls.second_hyper(opt)
        pick_second = plain["pick_second"]
        if second is None:
            pick_second = None
        elif pick_second is not None:
            pick_second = min(max(float(pick_second), second.min), second.max)
        skip = ("lr", second.name if second and plain["axis"] != "batch" else "lr")
        fixed = sorted((k, v) for k, v in read_hyper(values, None, opt).items() if k not in skip)
        plain.update(
            n=int(plain["n"]),
            steps=min(int(plain["steps"]), cls.MAX_STEPS),
            tol=float(plain["tol"]),
            pick_second=pick_second,
            sampling=str(plain["sampling"]),
            seed=int(plain["seed"]),
        )
        return cls(view=View.read(values), fixed=tuple(fixed), **plain)

    @property
    def batch_axis(self) -> bool:
        return self.axis == "batch"

    @property
    def second_label(self) -> str:
        """The grid's second axis in words: "batch size m", the hyperparameter's label or ""."""
        if self.batch_axis:
            return self.BATCH_LABEL
        h = self.second_hyper(self.optimizer)
        return h.label if h else ""

    def picked(self, best: Cell, n_examples: int = 0) -> Cell:
        """The cell on show: the one picked (a picked m clamped to 1 … N), else ``best``."""
        lr = best.lr if self.pick_lr is None else self.pick_lr
        if not self.batch_axis:
            return Cell(lr, best.second if self.pick_second is None else self.pick_second)
        m = best.second if self.pick_m is None else min(max(self.pick_m, 1), n_examples)
        return Cell(lr, float(m))

    def run_at(self, second: float | None) -> RunSettings:
        """How the picked cell's run is made: its own mini-batch size on a batch grid."""
        if not self.batch_axis:
            return RunSettings(steps=self.steps)
        return RunSettings(
            steps=self.steps, batch=int(second), sampling=self.sampling, seed=self.seed
        )

    @staticmethod
    def second_hyper(optimizer: str):
        """The Hyper of the optimizer's second grid axis (μ, β₁ or ρ), or None."""
        spec = OPTIMIZERS[optimizer]
        return next((h for h in spec.hyper if h.name == spec.second), None)

    @property
    def lr_range(self) -> tuple[float, float] | None:
        """(smallest, largest) learning rate of the grid, in order and never one value."""
        if self.lr_min is None or self.lr_max is None:
            return None
        lo, hi = sorted((float(self.lr_min), float(self.lr_max)))
        return (lo, hi * 10.0) if lo == hi else (lo, hi)

    def hyper_at(self, lr: float, second: float | None) -> dict[str, Any]:
        """The optimizer's hyperparameters for one cell of the grid."""
        h = self.second_hyper(self.optimizer)
        if self.batch_axis or h is None:
            return {**dict(self.fixed), "lr": lr}
        return {**dict(self.fixed), "lr": lr, h.name: second}

    def cell_label(self, lr: float, second: float | None) -> str:
        if self.batch_axis:
            return f"α = {lr:.3g}, m = {second:.0f}"
        h = self.second_hyper(self.optimizer)
        return f"α = {lr:.3g}" + (f", {h.label} = {second:.3g}" if h else "")

    def values(self) -> dict[str, Any]:
        out = {**self.view.values(), **hyper_values(self.optimizer, dict(self.fixed))}
        out.update(_keyed(self))
        if not self.batch_axis:
            out.pop("sampling"), out.pop("seed")
        return out


@dataclass(frozen=True)
class CurvatureSettings(PageSettings):
    """Curvature: the inspected point (None: that coordinate of the start point) and the
    gradient step's learning rate (None until the page suggests one for the surface, then
    always written)."""

    PAGE: ClassVar[str] = pages.CURVATURE.url_path
    POINT_KEYS: ClassVar[tuple[str, ...]] = ("curv_x", "curv_y")

    x: float | None = url(
        number("curv_x", None, -START_LIMIT, START_LIMIT, fallback="the start point's")
    )
    y: float | None = url(
        number("curv_y", None, -START_LIMIT, START_LIMIT, fallback="the start point's")
    )
    lr: float | None = url(
        number(
            "curv_lr",
            None,
            lr_options("sgd")[0],
            lr_options("sgd")[-1],
            options=lr_options("sgd"),
            fallback="the learning rate suggested for this surface",
            always=True,
        )
    )

    @classmethod
    def read(cls, values: Mapping, schema: Mapping[str, Field] | None = None) -> CurvatureSettings:
        return cls(view=View.read(values), **_plain(cls, values))

    def point(self, start) -> tuple[float, float]:
        """The inspected point; an empty coordinate is the start point's."""
        return (
            float(start[0] if self.x is None else self.x),
            float(start[1] if self.y is None else self.y),
        )

    def values(self) -> dict[str, Any]:
        return {**self.view.values(), **_keyed(self)}


SETTINGS = (View, RunSettings, RaceSettings, StepSettings, LabSettings, CurvatureSettings)
SCHEMA: dict[str, Field] = schema_of(
    [
        *(f for cls in SETTINGS for _, f in url_fields(cls)),
        View.X0,
        View.Y0,
        *_catalog_fields(),
    ]
)


__all__ = [
    "CUSTOM",
    "SCHEMA",
    "CurvatureSettings",
    "Field",
    "LabSettings",
    "Notice",
    "PageSettings",
    "Query",
    "RaceSettings",
    "RunSettings",
    "StepSettings",
    "View",
    "fmt",
    "hyper_key",
    "log_options",
    "nearest_option",
    "parse_query",
]
