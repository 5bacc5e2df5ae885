"""Every page's state as one frozen value, and the only place that knows the URL keys.

The URL is the view: a page's settings parse the query string (a refused value gets a notice
that names it, and its default) and write back every value that shapes what is on screen.
Lessons and tests build their links from the same objects, so a key is spelled once.

Keys (all optional; an absent key means its default):

    surface, {surface}_{param}, formula, x0, y0, present       the shared view (sidebar)
    {optimizer}_{hyper}     e.g. adam_lr, rmsprop_centered         one per optimizer, every page
    schedule, sched_{param}, warmup, noise, seed, steps           how the runs are made
    race_opts, race_tol, race_view, race_paths, race_tune         the Race
    step_opt, step_t, step_zoom                                   Step by step
    lab_*                                                         the Learning-rate lab
    curv_x, curv_y, curv_lr                                       Curvature

This module does not import Streamlit: pages read and write it through ``_state``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from optim_core import OPTIMIZERS, SCHEDULES
from optim_core.grid import Cell
from surfaces import SURFACES, list_surfaces
from teach.compare import COMPARISONS
from webapp import pages

Query = Mapping[str, str | list[str]]

CUSTOM = "custom"
DEFAULT_SURFACE = "bowl"
DEFAULT_FORMULA = "x^2 + 5y^2 + x y - 2sin(x)"
START_LIMIT = 1e6  # |x₀|, |y₀| at most this: the runs stay finite and the view sensible
FORMULA_CHARS = 2000  # text kept from the URL; the parser refuses more than its own limit
_MANTISSAS = (1.0, 1.5, 2.0, 3.0, 5.0, 7.0)


def log_options(lo: float, hi: float) -> tuple[float, ...]:
    """Round log-spaced values from lo to hi (1, 1.5, 2, 3, 5, 7 per decade)."""
    out = []
    for exponent in range(math.floor(math.log10(lo)) - 1, math.ceil(math.log10(hi)) + 1):
        for m in _MANTISSAS:
            v = float(f"{m * 10.0**exponent:.6g}")
            if lo * (1 - 1e-9) <= v <= hi * (1 + 1e-9):
                out.append(v)
    return tuple(out)


def nearest_option(options, value: float) -> float:
    """The option closest to ``value`` on a log scale."""
    target = math.log10(max(value, 1e-300))
    return float(min(options, key=lambda o: abs(math.log10(o) - target)))


def fmt(value: float) -> str:
    """A number as the URL and the notices write it."""
    return f"{value:g}"


@dataclass(frozen=True)
class Notice:
    """A URL value that was refused or changed, and what is used instead."""

    key: str
    raw: str
    why: str
    using: str

    def __str__(self) -> str:
        return f"`{self.key}={self.raw}` {self.why} — using {self.using}"


class Refused(ValueError):
    """A URL value that cannot be used; the message says why."""


# ---------------------------------------------------------------------------- fields


@dataclass(frozen=True)
class Field:
    """One URL key: how to read it, check it and write it.

    ``kind`` is "float", "int", "bool", "choice", "text" or "ids" (a list of choices).
    Numbers outside ``lo … hi`` are clamped; ``options`` (a slider's values) snap to the nearest;
    ``step`` rounds integers to a multiple. ``names`` maps display names to choices, so an older
    link that carried a label (``surface=Rosenbrock``) still opens.
    """

    key: str
    kind: str
    default: Any
    lo: float | None = None
    hi: float | None = None
    options: tuple = ()
    step: int = 1
    choices: tuple = ()
    names: Mapping[str, str] = field(default_factory=dict)
    fallback: str = ""  # what a refused value is replaced by, when not the default itself

    def parse(self, raw: str | list[str]):
        """The value of ``raw``; raises Refused with a reason."""
        if self.kind == "ids":
            items = raw if isinstance(raw, list) else [raw]
            parts = [p.strip() for item in items for p in str(item).split(",") if p.strip()]
            unknown = [p for p in parts if self._choice(p) is None]
            if unknown:
                raise Refused(f"names no known choice ({', '.join(unknown)})")
            return tuple(dict.fromkeys(self._choice(p) for p in parts))
        text = (raw[-1] if raw else "") if isinstance(raw, list) else raw
        if self.kind == "text":
            return text[:FORMULA_CHARS]
        if self.kind == "choice":
            value = self._choice(text)
            if value is None:
                raise Refused(f"is not one of {', '.join(map(str, self.choices))}")
            return value
        if self.kind == "bool":
            lowered = text.strip().lower()
            if lowered in ("true", "1", "yes", "on"):
                return True
            if lowered in ("false", "0", "no", "off"):
                return False
            raise Refused("is not true or false")
        try:
            number = float(text)
        except ValueError:
            raise Refused("is not a number") from None
        if not math.isfinite(number):
            raise Refused("is not a finite number")
        return self._fit(number)

    def _choice(self, text: str):
        if text in self.choices:
            return text
        return self.names.get(text.strip().lower())

    def _fit(self, number: float):
        if self.lo is not None and number < self.lo:
            raise Refused(f"is below {fmt(self.lo)} (allowed {fmt(self.lo)} … {fmt(self.hi)})")
        if self.hi is not None and number > self.hi:
            raise Refused(f"is above {fmt(self.hi)} (allowed {fmt(self.lo)} … {fmt(self.hi)})")
        if self.kind == "int":
            return int(round(number / self.step) * self.step)
        if self.options:
            return nearest_option(self.options, number) if number > 0 else self.options[0]
        return number

    def adjusted(self, raw: str | list[str], value) -> bool:
        """Whether the value kept differs from what the URL said (snapped or rounded)."""
        if self.kind not in ("float", "int"):
            return False
        text = raw[-1] if isinstance(raw, list) else raw
        return not math.isclose(float(text), float(value), rel_tol=1e-9, abs_tol=1e-12)

    def write(self, value) -> str | list[str]:
        if self.kind == "ids":
            return list(value)
        if self.kind == "bool":
            return "true" if value else "false"
        if self.kind in ("float", "int"):
            return fmt(value)
        return str(value)

    def shown(self, value) -> str:
        if self.kind == "ids":
            return ", ".join(value) or "none"
        return fmt(value) if self.kind in ("float", "int") else str(value)


def _num(key, default, lo=None, hi=None, **kw) -> Field:
    return Field(key, "float", default, lo, hi, **kw)


def _int(key, default, lo, hi, step=1) -> Field:
    return Field(key, "int", default, lo, hi, step=step)


def _choice(key, default, choices, names=None) -> Field:
    return Field(key, "choice", default, choices=tuple(choices), names=names or {})


# ---------------------------------------------------------------------------- the schema


def _surface_names() -> dict[str, str]:
    names = {s: s for s in list_surfaces()}
    names.update({SURFACES[s].name.lower(): s for s in list_surfaces()})
    names.update({"custom formula…": CUSTOM, "custom": CUSTOM})
    return names


def surface_param_key(surface_id: str, name: str) -> str:
    return f"{surface_id}_{name}"


def hyper_key(optimizer: str, name: str) -> str:
    return f"{optimizer}_{name}"


def schedule_key(name: str) -> str:
    return "warmup" if name == "warmup" else f"sched_{name}"


def hyper_field(optimizer: str, h) -> Field:
    """The URL field of one hyperparameter: a log slider snaps to its round values."""
    key = hyper_key(optimizer, h.name)
    if h.kind == "bool":
        return Field(key, "bool", bool(h.default))
    if h.kind == "int":
        return _int(key, int(h.default), int(h.min), int(h.max))
    options = log_options(h.min, h.max) if h.log else ()
    default = nearest_option(options, h.default) if options else float(h.default)
    fallback = "the learning rate suggested for this surface" if h.name == "lr" else ""
    return _num(key, default, h.min, h.max, options=options, fallback=fallback)


def lr_options(optimizer: str) -> tuple[float, ...]:
    """The values the learning-rate slider of ``optimizer`` offers."""
    return hyper_field(optimizer, OPTIMIZERS[optimizer].hyper[0]).options


def _schema() -> dict[str, Field]:
    """Every URL key the app knows, derived from the catalogs (one entry per optimizer,
    surface and schedule), plus the pages' own keys."""
    out: list[Field] = [
        _choice("surface", DEFAULT_SURFACE, [*list_surfaces(), CUSTOM], _surface_names()),
        Field("formula", "text", DEFAULT_FORMULA),
        _num("x0", None, -START_LIMIT, START_LIMIT),
        _num("y0", None, -START_LIMIT, START_LIMIT),
        Field("present", "bool", False),
    ]
    for sid in list_surfaces():
        for p in SURFACES[sid].params:
            out.append(_num(surface_param_key(sid, p.name), float(p.default), p.min, p.max))
    for opt, spec in OPTIMIZERS.items():
        out.extend(hyper_field(opt, h) for h in spec.hyper)
    schedule_names = {s.name.lower(): s.id for s in SCHEDULES.values()}
    out.append(_choice("schedule", "constant", list(SCHEDULES), schedule_names))
    seen = set()
    for spec in SCHEDULES.values():
        for h in spec.params:
            key = schedule_key(h.name)
            if key in seen:
                continue
            seen.add(key)
            if h.kind == "int":
                out.append(_int(key, int(h.default), int(h.min), int(h.max)))
            else:
                options = log_options(h.min, h.max) if h.log else ()
                out.append(_num(key, float(h.default), h.min, h.max, options=options))
    out += [
        _num("noise", 0.0, 0.0, 5.0),
        _int("seed", 0, 0, 10_000),
        _int("steps", 200, 10, 1000, step=10),
        _int("batch", 0, 0, 10_000),
        _choice("sampling", "shuffle", ("shuffle", "replacement")),
        Field("race_opts", "ids", RaceSettings.DEFAULT_OPTIMIZERS, choices=tuple(OPTIMIZERS)),
        _num("race_tol", 1e-4, 1e-10, 1e-1, options=log_options(1e-10, 1e-1)),
        _choice("race_view", "race", RaceSettings.VIEWS, _VIEW_NAMES),
        Field("race_paths", "bool", False),
        _choice("race_tune", None, tuple(OPTIMIZERS), _optimizer_names()),
        _choice("step_opt", "adam", tuple(OPTIMIZERS), _optimizer_names()),
        _int("step_t", 1, 1, 1000),
        Field("step_zoom", "bool", True),
        _choice("step_compare", None, tuple(COMPARISONS)),
        *_lab_fields(),
        *_curvature_fields(),
    ]
    return {f.key: f for f in out}


def _lab_fields() -> list[Field]:
    """The Learning-rate lab's keys. The learning-rate range has no fixed default (it is
    suggested for the surface and optimizer, and then always written); the picked cell's
    second value is clamped to the chosen optimizer's range by ``LabSettings``."""
    lr_options = LabSettings.LR_OPTIONS
    lo, hi = lr_options[0], lr_options[-1]
    suggested = "the range suggested for this surface"
    metric_names = {"final loss": "loss", "steps to tolerance": "steps", "steps to settle": "steps"}
    return [
        _choice("lab_opt", LabSettings.DEFAULT_OPTIMIZER, tuple(OPTIMIZERS), _optimizer_names()),
        _choice("lab_metric", "loss", LabSettings.METRICS, metric_names),
        _int("lab_n", LabSettings.DEFAULT_N, LabSettings.MIN_N, LabSettings.MAX_N),
        _num("lab_lr_min", None, lo, hi, options=lr_options, fallback=suggested),
        _num("lab_lr_max", None, lo, hi, options=lr_options, fallback=suggested),
        _num("lab_tol", 1e-6, 1e-10, 1e-2, options=LabSettings.TOL_OPTIONS),
        _num("lab_pick_lr", None, lo, hi, fallback="the best cell"),
        _num("lab_pick_second", None, 0.0, 0.9999, fallback="the best cell"),
        _choice("lab_axis", "second", LabSettings.AXES, {"batch size": "batch", "m": "batch"}),
        Field("lab_pick_m", "int", None, 1, 10_000, fallback="the best cell"),
    ]


def _curvature_fields() -> list[Field]:
    """Curvature's keys: the inspected point (an empty coordinate is the start point's) and
    the gradient step's learning rate (suggested for the surface, then always written)."""
    options = lr_options("sgd")
    return [
        _num("curv_x", None, -START_LIMIT, START_LIMIT, fallback="the start point's"),
        _num("curv_y", None, -START_LIMIT, START_LIMIT, fallback="the start point's"),
        _num(
            "curv_lr",
            None,
            options[0],
            options[-1],
            options=options,
            fallback="the learning rate suggested for this surface",
        ),
    ]


_VIEW_NAMES = {
    "race": "race",
    "3d surface": "3d",
    "loss curves": "loss",
    "gradient noise": "noise",
}


def _optimizer_names() -> dict[str, str]:
    return {spec.name.lower(): opt for opt, spec in OPTIMIZERS.items()}


def parse_query(query: Query, schema: Mapping[str, Field]) -> tuple[dict, list[Notice]]:
    """The values a URL sets (known keys only) and a notice for each one refused or adjusted.

    Unknown keys are ignored without a word (a link may come from a later version)."""
    values: dict[str, Any] = {}
    notices: list[Notice] = []
    for key, raw in query.items():
        f = schema.get(key)
        if f is None:
            continue
        shown_raw = ",".join(raw) if isinstance(raw, list) else str(raw)
        shown_raw = shown_raw if len(shown_raw) <= 40 else shown_raw[:37] + "…"
        try:
            value = f.parse(raw)
        except Refused as err:
            default = f.fallback or ("the default" if f.default is None else f.shown(f.default))
            notices.append(Notice(key, shown_raw, str(err), default))
            continue
        if f.adjusted(raw, value):
            notices.append(Notice(key, shown_raw, "is not on the slider", f.shown(value)))
        values[key] = value
    if ("x0" in values) != ("y0" in values):
        alone = "x0" if "x0" in values else "y0"
        notices.append(
            Notice(alone, fmt(values.pop(alone)), "needs x0 and y0 together", "the default start")
        )
    return values, notices


# ---------------------------------------------------------------------------- settings objects


def _get(values: Mapping, schema: Mapping[str, Field], key: str):
    return values[key] if key in values else schema[key].default


@dataclass(frozen=True)
class View:
    """The shared view: which surface, with which parameters, from where, and how to show it."""

    surface_id: str = DEFAULT_SURFACE
    params: tuple[tuple[str, float], ...] = ()
    formula: str = DEFAULT_FORMULA
    start: tuple[float, float] | None = None  # None: the surface's own default start
    present: bool = False

    @property
    def is_custom(self) -> bool:
        return self.surface_id == CUSTOM

    @property
    def surface_args(self) -> tuple[str, tuple[tuple[str, float], ...], str]:
        """What identifies the surface: (id, parameters, formula; "" unless custom)."""
        return self.surface_id, self.params, self.formula if self.is_custom else ""

    @classmethod
    def read(cls, values: Mapping, schema: Mapping[str, Field]) -> View:
        sid = _get(values, schema, "surface")
        params = ()
        if sid != CUSTOM:
            params = tuple(
                (p.name, float(_get(values, schema, surface_param_key(sid, p.name))))
                for p in SURFACES[sid].params
            )
        x, y = values.get("x0"), values.get("y0")
        return cls(
            surface_id=sid,
            params=params,
            formula=str(_get(values, schema, "formula")),
            start=(float(x), float(y)) if x is not None and y is not None else None,
            present=bool(_get(values, schema, "present")),
        )

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {"surface": self.surface_id, "present": self.present}
        if self.is_custom:
            out["formula"] = self.formula
        for name, value in self.params:
            out[surface_param_key(self.surface_id, name)] = value
        if self.start is not None:
            out["x0"], out["y0"] = self.start
        return out


@dataclass(frozen=True)
class RunSettings:
    """How runs are made, shared by the Race, the Lab and Step by step."""

    schedule: str = "constant"
    schedule_params: tuple[tuple[str, float], ...] = ()
    warmup: int = 0
    noise: float = 0.0
    seed: int = 0
    steps: int = 200
    batch: int = 0  # mini-batch size m on a data surface; 0: the exact (full-batch) gradient
    sampling: str = "shuffle"  # "shuffle" (epochs) | "replacement"

    @classmethod
    def read(cls, values: Mapping, schema: Mapping[str, Field]) -> RunSettings:
        sid = _get(values, schema, "schedule")
        params = tuple(
            (h.name, _get(values, schema, schedule_key(h.name)))
            for h in SCHEDULES[sid].params
            if h.name != "warmup"
        )
        return cls(
            schedule=sid,
            schedule_params=params,
            warmup=int(_get(values, schema, "warmup")),
            noise=float(_get(values, schema, "noise")),
            seed=int(_get(values, schema, "seed")),
            steps=int(_get(values, schema, "steps")),
            batch=int(_get(values, schema, "batch")),
            sampling=str(_get(values, schema, "sampling")),
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
        out: dict[str, Any] = {
            "schedule": self.schedule,
            "warmup": self.warmup,
            "noise": self.noise,
            "steps": self.steps,
        }
        out.update({schedule_key(n): v for n, v in self.schedule_params})
        if self.batch:
            out.update(batch=self.batch, sampling=self.sampling)
        if self.noise or self.batch:
            out["seed"] = self.seed
        return out


def read_hyper(values: Mapping, schema: Mapping[str, Field], optimizer: str) -> dict:
    """An optimizer's hyperparameters as the URL (or the session) holds them."""
    return {
        h.name: _get(values, schema, hyper_key(optimizer, h.name))
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
        """The URL query: every value that differs from its default, and every learning rate
        on show (its default depends on the surface, so it is always written)."""
        schema = schema or SCHEMA
        out = {}
        for key, value in self.values().items():
            f = schema[key]
            if value is None:
                continue
            if key.endswith("_lr") or value != f.default:
                out[key] = f.write(value)
        return out

    def link(self) -> str:
        """The page's address with its query, as a link in the app opens it."""
        from urllib.parse import urlencode

        query = urlencode(self.query(), doseq=True)
        return f"/{self.PAGE}" + (f"?{query}" if query else "")


@dataclass(frozen=True)
class RaceSettings(PageSettings):
    """The Race: which optimizers, their hyperparameters, how the runs are made, the table's
    tolerance and which figure is open."""

    PAGE: ClassVar[str] = pages.RACE.url_path
    DEFAULT_OPTIMIZERS: ClassVar[tuple[str, ...]] = ("sgd", "momentum", "rmsprop", "adam")
    VIEWS: ClassVar[tuple[str, ...]] = ("race", "3d", "loss", "noise")  # noise: data surfaces

    optimizers: tuple[str, ...] = DEFAULT_OPTIMIZERS
    hyper: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = ()
    run: RunSettings = field(default_factory=RunSettings)
    tol: float = 1e-4
    chart: str = "race"
    show_paths: bool = False  # False: paths are revealed as the race plays
    tuning: str | None = None  # whose settings are open; None: the first optimizer's

    @classmethod
    def read(cls, values: Mapping, schema: Mapping[str, Field] | None = None) -> RaceSettings:
        schema = schema or SCHEMA
        chosen = tuple(_get(values, schema, "race_opts"))
        return cls(
            view=View.read(values, schema),
            optimizers=chosen,
            hyper=_frozen({o: read_hyper(values, schema, o) for o in chosen}),
            run=RunSettings.read(values, schema),
            tol=float(_get(values, schema, "race_tol")),
            chart=_get(values, schema, "race_view"),
            show_paths=bool(_get(values, schema, "race_paths")),
            tuning=cls.open_settings(values, chosen),
        )

    @staticmethod
    def open_settings(values: Mapping, chosen: tuple[str, ...]) -> str | None:
        """Whose settings are open: the stored one if it races and is not the first (None)."""
        tuning = values.get("race_tune")
        return tuning if tuning in chosen[1:] else None

    def hyper_of(self, optimizer: str) -> dict:
        return dict(dict(self.hyper)[optimizer])

    def values(self) -> dict[str, Any]:
        out = {**self.view.values(), **self.run.values()}
        out.update(race_opts=self.optimizers, race_tol=self.tol, race_view=self.chart)
        out["race_paths"] = self.show_paths
        out["race_tune"] = self.tuning
        for opt, hyper in self.hyper:
            out.update(hyper_values(opt, dict(hyper)))
        return out


@dataclass(frozen=True)
class StepSettings(PageSettings):
    """Step by step: one optimizer, its hyperparameters, the run's length and the step shown."""

    PAGE: ClassVar[str] = pages.STEP.url_path

    optimizer: str = "adam"
    hyper: tuple[tuple[str, Any], ...] = ()
    run: RunSettings = field(default_factory=RunSettings)
    t: int = 1
    zoom: bool = True
    compare: str | None = None  # None: the comparison the optimizer's spec names

    @property
    def comparison(self) -> str:
        """The comparison on show: chosen, or the one that matters for the optimizer."""
        return self.compare or OPTIMIZERS[self.optimizer].compare or next(iter(COMPARISONS))

    @classmethod
    def read(cls, values: Mapping, schema: Mapping[str, Field] | None = None) -> StepSettings:
        schema = schema or SCHEMA
        opt = _get(values, schema, "step_opt")
        run = RunSettings.read(values, schema)
        return cls(
            view=View.read(values, schema),
            optimizer=opt,
            hyper=tuple(sorted(read_hyper(values, schema, opt).items())),
            run=run,
            t=min(int(_get(values, schema, "step_t")), run.steps),
            zoom=bool(_get(values, schema, "step_zoom")),
            compare=values.get("step_compare"),
        )

    def values(self) -> dict[str, Any]:
        out = {**self.view.values(), **self.run.values()}
        out.update(step_opt=self.optimizer, step_t=self.t, step_zoom=self.zoom)
        out["step_compare"] = self.compare
        out.update(hyper_values(self.optimizer, dict(self.hyper)))
        return out


@dataclass(frozen=True)
class LabSettings(PageSettings):
    """The Learning-rate lab: one optimizer swept over a grid of learning rates (× its second
    hyperparameter), what colours the cells, the run's length, the tolerance and the picked
    cell. ``lr_min``/``lr_max`` are None until the page suggests them for the surface.

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

    optimizer: str = DEFAULT_OPTIMIZER
    metric: str = "loss"
    n: int = DEFAULT_N
    steps: int = 200
    lr_min: float | None = None
    lr_max: float | None = None
    tol: float = 1e-6
    pick_lr: float | None = None
    pick_second: float | None = None
    fixed: tuple[tuple[str, Any], ...] = ()  # the optimizer's other hyperparameters
    axis: str = "second"  # "batch": learning rate × batch size (data surfaces)
    pick_m: int | None = None
    sampling: str = "shuffle"
    seed: int = 0

    @classmethod
    def read(cls, values: Mapping, schema: Mapping[str, Field] | None = None) -> LabSettings:
        schema = schema or SCHEMA
        opt = _get(values, schema, "lab_opt")
        second = cls.second_hyper(opt)
        pick_second = values.get("lab_pick_second")
        if second is None:
            pick_second = None
        elif pick_second is not None:
            pick_second = min(max(float(pick_second), second.min), second.max)
        axis = _get(values, schema, "lab_axis")
        skip = ("lr", second.name if second and axis != "batch" else "lr")
        return cls(
            view=View.read(values, schema),
            optimizer=opt,
            metric=_get(values, schema, "lab_metric"),
            n=int(_get(values, schema, "lab_n")),
            steps=min(int(_get(values, schema, "steps")), cls.MAX_STEPS),
            lr_min=values.get("lab_lr_min"),
            lr_max=values.get("lab_lr_max"),
            tol=float(_get(values, schema, "lab_tol")),
            pick_lr=values.get("lab_pick_lr"),
            pick_second=pick_second,
            fixed=tuple(
                sorted((k, v) for k, v in read_hyper(values, schema, opt).items() if k not in skip)
            ),
            axis=axis,
            pick_m=values.get("lab_pick_m"),
            sampling=str(_get(values, schema, "sampling")),
            seed=int(_get(values, schema, "seed")),
        )

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
        out.update(
            steps=self.steps,
            lab_opt=self.optimizer,
            lab_metric=self.metric,
            lab_n=self.n,
            lab_lr_min=self.lr_min,
            lab_lr_max=self.lr_max,
            lab_tol=self.tol,
            lab_pick_lr=self.pick_lr,
            lab_pick_second=self.pick_second,
            lab_axis=self.axis,
            lab_pick_m=self.pick_m,
        )
        if self.batch_axis:
            out.update(sampling=self.sampling, seed=self.seed)
        return out


@dataclass(frozen=True)
class CurvatureSettings(PageSettings):
    """Curvature: the inspected point (None: that coordinate of the start point) and the
    gradient step's learning rate (None until the page suggests one for the surface)."""

    PAGE: ClassVar[str] = pages.CURVATURE.url_path
    POINT_KEYS: ClassVar[tuple[str, ...]] = ("curv_x", "curv_y")

    x: float | None = None
    y: float | None = None
    lr: float | None = None

    @classmethod
    def read(cls, values: Mapping, schema: Mapping[str, Field] | None = None) -> CurvatureSettings:
        schema = schema or SCHEMA
        return cls(
            view=View.read(values, schema),
            x=values.get("curv_x"),
            y=values.get("curv_y"),
            lr=values.get("curv_lr"),
        )

    def point(self, start) -> tuple[float, float]:
        """The inspected point; an empty coordinate is the start point's."""
        return (
            float(start[0] if self.x is None else self.x),
            float(start[1] if self.y is None else self.y),
        )

    def values(self) -> dict[str, Any]:
        return {**self.view.values(), "curv_x": self.x, "curv_y": self.y, "curv_lr": self.lr}


SCHEMA: dict[str, Field] = _schema()


__all__ = [
    "CUSTOM",
    "SCHEMA",
    "CurvatureSettings",
    "Field",
    "LabSettings",
    "Notice",
    "PageSettings",
    "RaceSettings",
    "RunSettings",
    "StepSettings",
    "View",
    "hyper_key",
    "log_options",
    "nearest_option",
    "parse_query",
]
