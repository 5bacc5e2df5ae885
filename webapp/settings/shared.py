"""What every page's settings share: the view (surface, start, presentation), how runs are made,
the keys that follow the catalogs (an optimizer's hyperparameters, a surface's and a schedule's
parameters), and ``PageSettings``, which turns a page's settings into its URL."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from optim_core import OPTIMIZERS, SCHEDULES
from surfaces import SURFACES, list_surfaces
from webapp.url import (
    Field,
    Notice,
    choice,
    integer,
    log_options,
    nearest_option,
    number,
    schema_of,
    url,
    url_fields,
)

NONE = "none"  # the link's word for an empty selection of optimizers


@dataclass(frozen=True)
class Selection(Field):
    """A list of choices (kind "ids") whose empty selection has a word of its own in the link
    (``race_opts=none``, ``net_opts=none``): written as an empty list, the key would leave the
    link, and the link would reopen on the default selection. An empty value (``net_opts=``)
    reads as none chosen too."""

    def parse(self, raw: str | list[str]):
        items = raw if isinstance(raw, list) else [raw]
        if [str(item).strip().lower() for item in items] == [NONE]:
            return ()
        return super().parse(raw)

    def write(self, value) -> str | list[str]:
        return list(value) if value else NONE


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
    options = log_options(h.min, h.max) if h.log else tuple(h.stops)
    default = nearest_option(options, h.default) if h.log else float(h.default)
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


def optimizer_field(key: str, default: str | None) -> Field:
    """A key that names one optimizer (by id, or by its display name)."""
    names = _names((spec.name, opt) for opt, spec in OPTIMIZERS.items())
    return choice(key, default, tuple(OPTIMIZERS), names)


def _get(values: Mapping, f: Field):
    return values.get(f.key, f.default)


def plain_values(cls, values: Mapping) -> dict[str, Any]:
    """The value of each of ``cls``'s URL fields in ``values`` (else its default)."""
    return {name: _get(values, f) for name, f in url_fields(cls)}


def url_keyed(settings) -> dict[str, Any]:
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
        plain = plain_values(cls, values)
        sid = plain["surface_id"]
        params = ()
        if sid != CUSTOM:
            params = tuple(
                (p.name, float(_get(values, CATALOG[surface_param_key(sid, p.name)])))
                for p in SURFACES[sid].params
            )
        x, y = values.get(cls.X0.key), values.get(cls.Y0.key)
        return cls(
            params=params,
            start=(float(x), float(y)) if x is not None and y is not None else None,
            **{**plain, "formula": str(plain["formula"]), "present": bool(plain["present"])},
        )

    def values(self) -> dict[str, Any]:
        out = url_keyed(self)
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
        plain = plain_values(cls, values)
        params = tuple(
            (h.name, _get(values, CATALOG[schedule_key(plain["schedule"], h.name)]))
            for h in SCHEDULES[plain["schedule"]].params
            if h.name != "warmup"
        )
        return cls(
            schedule_params=params,
            warmup=int(_get(values, CATALOG[schedule_key(plain["schedule"], "warmup")])),
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
        out = url_keyed(self)
        out[schedule_key(self.schedule, "warmup")] = self.warmup
        out.update({schedule_key(self.schedule, n): v for n, v in self.schedule_params})
        if not self.batch:
            out.pop("batch"), out.pop("sampling")
        if not (self.noise or self.batch):
            out.pop("seed")
        return out


CATALOG: dict[str, Field] = schema_of(_catalog_fields())


@functools.cache
def _schema(cls) -> dict[str, Field]:
    own = [f for c in (View, RunSettings, cls) for _, f in url_fields(c)]
    return schema_of([*own, View.X0, View.Y0, *CATALOG.values()])


def field_of(cls, name: str) -> Field:
    """The URL field declared on ``cls``'s attribute ``name`` (to share a key between pages)."""
    return dict(url_fields(cls))[name]


def read_hyper(values: Mapping, schema: Mapping[str, Field] | None, optimizer: str) -> dict:
    """An optimizer's hyperparameters as the URL (or the session) holds them."""
    return {
        h.name: _get(values, CATALOG[hyper_key(optimizer, h.name)])
        for h in OPTIMIZERS[optimizer].hyper
    }


def hyper_values(optimizer: str, hyper: Mapping) -> dict[str, Any]:
    return {hyper_key(optimizer, n): v for n, v in hyper.items()}


def frozen_hyper(hyper: Mapping[str, Mapping]) -> tuple:
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
        schema = schema or self.schema()
        out = {}
        for key, value in self.values().items():
            f = schema[key]
            if value is None:
                continue
            if f.always or value != f.default:
                out[key] = f.write(value)
        return out

    @classmethod
    def refusals(cls, values: Mapping) -> list[Notice]:
        """Notices for values a link holds that are valid alone but not together (an optimizer
        chosen for a view that the selection does not hold): ``read`` replaces them. A page's
        settings say which; ``webapp.state`` shows them with the link's other notices."""
        return []

    @classmethod
    def schema(cls) -> dict[str, Field]:
        """The keys this page's values may hold: its own fields, the view's, the runs' and the
        catalogs'."""
        return _schema(cls)

    def link(self) -> str:
        """The page's address with its query, as a link in the app opens it."""
        from urllib.parse import urlencode

        query = urlencode(self.query(), doseq=True)
        return f"/{self.PAGE}" + (f"?{query}" if query else "")
