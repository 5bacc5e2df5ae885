"""URL keys: how one value is read from the query string, checked, and written back.

A ``Field`` is one key's whole declaration (its kind, default, range, slider stops and how a
refused value reads); ``url(field)`` puts it on a settings dataclass field, so the key is
written once, where the value lives (``webapp.settings``). ``parse_query`` reads a query
string against the schema: the values it sets and a ``Notice`` for each value refused. A notice
is Markdown in which every piece of the URL is inert (``webapp.escape``). No Streamlit here.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from webapp.escape import inert

Query = Mapping[str, str | list[str]]

FORMULA_CHARS = 2000  # text kept from the URL; the parser refuses more than its own limit
SHOWN_CHARS = 40  # of a refused value, in its notice
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
    """The option closest to ``value``: on a log scale, or on a linear one where the options
    include 0 (a decay rate's ladder)."""
    if min(options) <= 0:
        return float(min(options, key=lambda o: abs(o - value)))
    target = math.log10(max(value, 1e-300))
    return float(min(options, key=lambda o: abs(math.log10(o) - target)))


def fmt(value: float) -> str:
    """A number as the URL and the notices write it."""
    return f"{value:g}"


def _cut(text: str) -> str:
    """At most ``SHOWN_CHARS`` characters of ``text``, "…" marking a cut."""
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 3] + "…"


@dataclass(frozen=True)
class Notice:
    """A URL value that was refused or changed, and what is used instead.

    ``raw`` is the value as the URL had it (cut); ``why`` and ``using`` are the app's words, as
    Markdown in which any piece of the URL is already inert."""

    key: str
    raw: str
    why: str
    using: str

    def __str__(self) -> str:
        """Markdown: ``key=value`` as code (inert, whatever the value holds), why and instead."""
        return f"{inert(f'{self.key}={self.raw}')} {self.why} — using {self.using}"


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
    always: bool = False  # written to the URL even at its default (the default is suggested)
    per_surface: bool = False  # forgotten when the surface changes (suggested for each surface)

    def parse(self, raw: str | list[str]):
        """The value of ``raw``; raises Refused with a reason."""
        if self.kind == "ids":
            items = raw if isinstance(raw, list) else [raw]
            parts = [p.strip() for item in items for p in str(item).split(",") if p.strip()]
            unknown = [p for p in parts if self._choice(p) is None]
            if unknown:
                raise Refused(f"names no known choice ({inert(_cut(', '.join(unknown)))})")
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
            return nearest_option(self.options, number) if number > 0 else min(self.options)
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


def number(key, default, lo=None, hi=None, **kw) -> Field:
    return Field(key, "float", default, lo, hi, **kw)


def integer(key, default, lo, hi, step=1) -> Field:
    return Field(key, "int", default, lo, hi, step=step)


def choice(key, default, choices, names=None) -> Field:
    return Field(key, "choice", default, choices=tuple(choices), names=names or {})


def url(f: Field, **kw) -> Any:
    """A settings dataclass field that lives in the URL under ``f.key`` (default ``f.default``)."""
    return dataclasses.field(default=f.default, metadata={"url": f}, **kw)


def url_fields(cls) -> tuple[tuple[str, Field], ...]:
    """(attribute name, Field) of each field of a settings dataclass that lives in the URL."""
    fields = dataclasses.fields(cls)
    return tuple((a.name, a.metadata["url"]) for a in fields if "url" in a.metadata)


def schema_of(fields) -> dict[str, Field]:
    """The schema of these fields by key; a key declared twice differently is an error."""
    out: dict[str, Field] = {}
    for f in fields:
        if out.setdefault(f.key, f) != f:
            raise ValueError(f"the URL key {f.key!r} is declared twice: {out[f.key]} and {f}")
    return out


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
        shown_raw = _cut(shown_raw)
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
