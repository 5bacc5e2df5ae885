"""What an optimizer entry is made of: its hyperparameters, its learning-rate heuristic, its
stability edge on quadratics, and ``OptimizerSpec``, the one record that owns all of it.
(``Hyper`` also describes and checks the parameters of the learning-rate schedules.)

The entries themselves sit next to their update rules in ``optim_core.optimizers``; every
per-id table (``OPTIMIZERS``, theory's learning rates, the viz colours) is derived from them.
Imports nothing from the rest of optim_core.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np


class OptimizerError(ValueError):
    """An unknown optimizer, schedule or hyperparameter, or an invalid value."""


# ---------------------------------------------------------------------------- the interface


def at_params(params, state):
    """Default ``eval_point``: the gradient is taken at the current iterate."""
    return params


class Optimizer(NamedTuple):
    """A pure optimizer. ``update(grads, state, params, t, lr, hessian=None)``
    returns ``(new_params, new_state)``; ``inspect`` (same arguments) returns
    ``(new_params, new_state, diagnostics)``."""

    init: Callable[[np.ndarray], NamedTuple]
    update: Callable[..., tuple[np.ndarray, NamedTuple]]
    inspect: Callable[..., tuple[np.ndarray, NamedTuple, dict[str, Any]]]
    eval_point: Callable[[np.ndarray, NamedTuple], np.ndarray] = at_params
    uses_hessian: bool = False


# ---------------------------------------------------------------------------- hyperparameters


def between(low, high, low_open=False, high_open=True):
    """``valid`` for values in an interval: [low, high) by default."""

    def ok(x):
        return (
            np.isfinite(x)
            & ((x > low) if low_open else (x >= low))
            & ((x < high) if high_open else (x <= high))
        )

    text = f"{'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
    return ok, f"must be in {text}"


def _positive():
    return (lambda x: np.isfinite(x) & (x > 0)), "must be > 0"


def at_least(low, integer=False):
    """``valid`` for values >= low (for an int kind, the message says an integer)."""
    return (lambda x: np.isfinite(x) & (x >= low)), (
        f"must be {'an integer ' if integer else ''}>= {low:g}"
    )


@dataclass(frozen=True)
class Hyper:
    """A hyperparameter and its slider: ``min``/``max`` bound the slider, not validity.

    ``valid`` is ``(test, rule)``: which values are accepted (for float and int kinds; by
    default the slider's range), and how the error message says so; ``what`` is how the message
    calls the value. Optimizers' hyperparameters and schedules' parameters are both Hypers.
    """

    name: str
    label: str
    default: float
    min: float
    max: float
    log: bool = False
    kind: str = "float"  # "float" | "bool" | "int"
    help: str = ""
    valid: tuple[Callable[[Any], Any], str] | None = field(default=None, compare=False)
    what: str = ""
    stops: tuple[float, ...] = ()  # the slider's values, when not evenly spaced (``near_one``)

    def check(self, value, what: str | None = None):
        """Validate a scalar or an array; return it as float/bool/int or array, else
        OptimizerError. ``what`` is how the message calls the value, if not ``self.what``."""
        array = np.asarray(value)
        what = what or self.what or f"{self.name} value"
        if self.kind == "bool":
            if array.dtype != bool and not (
                np.issubdtype(array.dtype, np.integer) and np.isin(array, (0, 1)).all()
            ):
                raise OptimizerError(f"Invalid {what}: {value!r} (must be True or False)")
            return bool(array) if array.ndim == 0 else array.astype(bool)
        ok, rule = self.valid or between(self.min, self.max, high_open=False)
        kind = np.integer if self.kind == "int" else np.number
        if array.dtype == bool or not np.issubdtype(array.dtype, kind):
            raise OptimizerError(f"Invalid {what}: {value!r} ({rule})")
        array = array.astype(int if self.kind == "int" else float)
        with np.errstate(invalid="ignore"):
            bad = ~ok(array)
        if bad.any():
            first = array[bad].flat[0] if array.ndim else array.item()
            raise OptimizerError(f"Invalid {what}: {first} ({rule})")
        return array.item() if array.ndim == 0 else array


# A decay rate acts through 1 − β: 0.9, 0.99 and 0.999 average over about 10, 100 and 1000 steps.
# Its slider's stops are fine where that matters, near 1 (an even step of 0.005 cannot reach
# 0.999, and shows it as "1.00").
NEAR_ONE = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.88, 0.9, 0.92, 0.94, 0.95,
            0.96, 0.97, 0.98, 0.99, 0.995, 0.998, 0.999, 0.9995, 0.9999)  # fmt: skip


def near_one(low: float, high: float, default: float) -> tuple[float, ...]:
    """``NEAR_ONE``'s values from ``low`` to ``high``, and ``default``."""
    return tuple(sorted({v for v in NEAR_ONE if low <= v <= high} | {float(default)}))


def lr_hyper(default, low=1e-4, high=10.0) -> Hyper:
    return Hyper(
        "lr",
        "α",
        default,
        low,
        high,
        log=True,
        help="learning rate: the step size",
        valid=_positive(),
        what="learning rate",
    )


def momentum_hyper(default=0.9) -> Hyper:
    return Hyper(
        "momentum",
        "μ",
        default,
        0.0,
        0.99,
        help="momentum: how much velocity is kept",
        valid=between(0, 1),
        stops=near_one(0.0, 0.99, default),
    )


def decay_hyper(default=0.9) -> Hyper:
    return Hyper(
        "decay",
        "ρ",
        default,
        0.5,
        0.999,
        help="decay rate of the moving average of g²",
        valid=between(0, 1, low_open=True),
        stops=near_one(0.5, 0.999, default),
    )


def eps_hyper(default) -> Hyper:
    return Hyper(
        "eps",
        "ε",
        default,
        1e-10,
        1e-1,
        log=True,
        help="keeps the division defined",
        valid=_positive(),
        what="epsilon value",
    )


def beta1_hyper(default=0.9, help="decay rate of the mean gradient m") -> Hyper:
    stops = near_one(0.0, 0.99, default)
    return Hyper("beta1", "β₁", default, 0.0, 0.99, help=help, valid=between(0, 1), stops=stops)


def beta2_hyper(default=0.999, help="decay rate of the mean squared gradient v") -> Hyper:
    stops = near_one(0.5, 0.9999, default)
    return Hyper("beta2", "β₂", default, 0.5, 0.9999, help=help, valid=between(0, 1), stops=stops)


def weight_decay_hyper(default=0.01) -> Hyper:
    return Hyper(
        "weight_decay",
        "λ",
        default,
        0.0,
        1.0,
        help="decoupled weight decay: shrinks θ toward 0",
        valid=at_least(0),
    )


def flag_hyper(name, label, default, help) -> Hyper:
    return Hyper(name, label, default, 0, 1, kind="bool", help=help)


DAMPING = Hyper(
    "damping",
    "λ",
    0.0,
    0.0,
    10.0,
    help=(
        "added to every curvature: shorter steps where the curvature is positive (with "
        "saddle-free, everywhere); with a negative curvature it can lengthen plain Newton's step"
    ),
    valid=at_least(0),
)
BIAS_CORRECTION = flag_hyper("bias_correction", "bias correction", True, "divide m, v by 1 − βᵗ")
CENTERED = flag_hyper("centered", "centered", False, "divide by √(r − ḡ²), a standard deviation")
SADDLE_FREE = flag_hyper("saddle_free", "saddle-free", False, "use |eigenvalues| of H")
EPS_IN_ROOT = flag_hyper(
    "eps_in_root",
    "ε inside the root",
    False,
    "divide by √(r + ε) instead of √r + ε (torch)",
)

# the hyperparameters the course shares, by name (check_hyper looks them up here)
STANDARD: dict[str, Hyper] = {
    h.name: h
    for h in (
        lr_hyper(0.01),
        momentum_hyper(),
        decay_hyper(),
        eps_hyper(1e-8),
        beta1_hyper(),
        beta2_hyper(),
        weight_decay_hyper(),
        DAMPING,
        BIAS_CORRECTION,
        CENTERED,
        SADDLE_FREE,
        EPS_IN_ROOT,
    )
}


def check_hyper(name, value):
    """Validate one of the shared hyperparameters by name (``STANDARD``)."""
    return STANDARD[name].check(value)


# ---------------------------------------------------------------------------- learning rates


@dataclass(frozen=True)
class CurvatureScaled:
    """α = factor / L, with L a robust largest curvature of the surface (gradient descent)."""

    factor: float


@dataclass(frozen=True)
class ViewScaled:
    """α = fraction × the view's diameter: for rules whose steps are about α per coordinate."""

    fraction: float


@dataclass(frozen=True)
class FixedLR:
    """The same α on every surface (Adadelta's and Newton's natural α = 1)."""

    value: float


LRHeuristic = CurvatureScaled | ViewScaled | FixedLR


def fmt(x) -> str:
    """A number as the explanations print it: 3 significant digits."""
    return f"{x:.3g}"


@dataclass(frozen=True)
class StabilityEdge:
    """Where a rule stops converging on a quadratic with top curvature λ_max.

    ``edge(lam_max, momentum)`` is the largest stable α (``momentum`` may be an array);
    ``explain(lr, lam_max, momentum, edge, step)`` says in words why α ≥ edge diverged.
    """

    edge: Callable[[float, Any], Any]
    explain: Callable[[float, float, float, float, int], str]


# ---------------------------------------------------------------------------- the course

# The course documents a text may quote (their excerpts: tests/data/course/<key>.txt) and the
# name that, in a text, attributes something to one (then the text quotes it: test_quotes.py).
SOURCES = {"cs231n-lecture": "CS231n", "nptel-lecture-45": "NPTEL", "guilan-slides": "Guilan",
           "student-notes": "student notes"}  # fmt: skip


@dataclass(frozen=True)
class Quote:
    """Course text, verbatim up to whitespace, from ``source`` (a key of ``SOURCES``).
    ``str(quote)`` shows it in Markdown as its ``form`` says: "code" in backticks, "math" as
    LaTeX in $…$, "words" in quotation marks; ``plain`` in quotation marks, for a table."""

    source: str
    text: str
    form: str = "words"

    def __str__(self) -> str:
        return {"code": f"`{self.text}`", "math": f"${self.text}$"}.get(self.form, self.plain)

    @property
    def plain(self) -> str:
        return f"“{self.text}”"


# ---------------------------------------------------------------------------- the entry


def aligned(*lines: str) -> str:
    """LaTeX lines in one ``aligned`` block (each line aligned at its ``&``)."""
    return r"\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}"


Fields = tuple[tuple[str, str, str], ...]  # (name, LaTeX symbol, description) of recorded state
Flags = Mapping[str, bool]  # the boolean hyperparameters: name -> value
Text = str | Callable[[Flags], str]  # what an entry writes: fixed, or a function of the flags
FieldsText = Fields | Callable[[Flags], Fields]


def _merge_fields(first: Fields, others) -> Fields:
    """``first`` plus fields of ``others`` that it lacks, each placed after its predecessor."""
    merged = list(first)
    for fields in others:
        names = [f[0] for f in merged]
        for i, f in enumerate(fields):
            if f[0] in names:
                continue
            before = fields[i - 1][0] if i else None
            at = names.index(before) + 1 if before in names else 0
            merged.insert(at, f)
            names.insert(at, f[0])
    return tuple(merged)


def _fixed(value):
    return lambda flags: value


class Renderers(NamedTuple):
    """An entry's texts as functions of the flags (a fixed text ignores them)."""

    latex: Callable[[Flags], str]
    code: Callable[[Flags], str]
    convention: Callable[[Flags], str]
    state_fields: Callable[[Flags], Fields]

    @classmethod
    def of(cls, latex: Text, code: Text, convention: Text, state_fields: FieldsText) -> Renderers:
        texts = (latex, code, convention, state_fields)
        return cls(*(text if callable(text) else _fixed(text) for text in texts))


def _flags(hyper: tuple[Hyper, ...], given: Mapping | None = None) -> dict[str, bool]:
    """The boolean hyperparameters of ``hyper``, from ``given`` where given, else defaults."""
    given = given or {}
    out = {}
    for h in hyper:
        if h.kind == "bool":
            value = h.check(given.get(h.name, h.default))
            if np.ndim(value):
                raise OptimizerError(f"{h.name}: the rule is written for one value")
            out[h.name] = bool(value)
    return out


def _combinations(names) -> list[dict[str, bool]]:
    return [
        dict(zip(names, values, strict=True))
        for values in itertools.product((False, True), repeat=len(names))
    ]


@dataclass(frozen=True, eq=False)
class OptimizerSpec:
    """One optimizer, all of it: the update rule and everything the app shows about it.

    Written with ``OptimizerSpec.entry(...)``, whose ``latex``, ``code``, ``convention`` and
    ``state_fields`` are fixed texts or functions of the boolean hyperparameters (``flags``:
    name -> bool) when the rule's text follows them. The attributes of those names hold the
    rendering at the defaults (``state_fields``: every field that some combination of flags
    records); ``latex_for(hyper)``, ``code_for(hyper)``, ``convention_for(hyper)`` and
    ``state_fields_for(hyper)`` the rendering for given values.

    ``build(**hyper)`` gives the pure ``Optimizer`` (``init``/``update``/``inspect``).

    ``state_fields`` lists ``(name, latex_symbol, description)`` for every array that
    ``run(..., record_state=True)`` puts into ``Trajectory.states`` (the rule's state after each
    step and the per-step numbers the rule computes on the way); ``state_fields_for(hyper)``
    keeps those that mean something for these flags, labelled for them.

    ``code`` is executed by the tests: ``code_names`` maps hyperparameter names to the names the
    snippet uses (``lr`` -> ``learning_rate``), ``code_state`` the snippet's state variables to
    their initial values; ``grad``, ``hessian``, ``np``, ``t`` and ``x`` are provided.
    """

    id: str
    name: str
    description: str
    build: Callable[..., Optimizer]
    hyper: tuple[Hyper, ...]
    latex: str
    code: str
    equals: str
    convention: str
    state_fields: Fields
    render: Renderers = field(repr=False)
    lr_rule: LRHeuristic
    color: str
    marker: str
    second: str | None = None
    quotes: tuple[Quote, ...] = ()  # the course's lines that its notes quote
    stability: StabilityEdge | None = None
    code_names: Mapping[str, str] = field(default_factory=dict)
    code_state: Mapping[str, float] = field(default_factory=dict)
    lookahead: bool = field(init=False)  # the gradient is taken away from θ (eval_point)
    uses_hessian: bool = field(init=False)

    def __post_init__(self):
        optimizer = self.build()
        object.__setattr__(self, "lookahead", optimizer.eval_point is not at_params)
        object.__setattr__(self, "uses_hessian", optimizer.uses_hessian)

    @classmethod
    def entry(
        cls,
        *,
        hyper: tuple[Hyper, ...],
        latex: Text,
        code: Text,
        convention: Text,
        state_fields: FieldsText,
        **rest,
    ) -> OptimizerSpec:
        """The entry as written next to its rule: texts fixed or functions of the flags."""
        render = Renderers.of(latex, code, convention, state_fields)
        defaults = _flags(hyper)
        every = (render.state_fields(flags) for flags in _combinations(list(defaults)))
        return cls(
            hyper=hyper,
            latex=render.latex(defaults),
            code=render.code(defaults),
            convention=render.convention(defaults),
            state_fields=_merge_fields(render.state_fields(defaults), every),
            render=render,
            **rest,
        )

    def flags(self, hyper: Mapping | None = None) -> dict[str, bool]:
        """The boolean hyperparameters, from ``hyper`` where given, else their defaults."""
        return _flags(self.hyper, hyper)

    def flag_combinations(self) -> list[dict[str, bool]]:
        """Every combination of the boolean hyperparameters (one empty dict if none)."""
        return _combinations(list(self.flags()))

    def latex_for(self, hyper: Mapping | None = None) -> str:
        """The update rule as LaTeX for these hyperparameters' flags."""
        return self.render.latex(self.flags(hyper))

    def code_for(self, hyper: Mapping | None = None) -> str:
        """The update rule as NumPy code, exactly as it runs, for these flags."""
        return self.render.code(self.flags(hyper))

    def convention_for(self, hyper: Mapping | None = None) -> str:
        return self.render.convention(self.flags(hyper))

    def state_fields_for(self, hyper: Mapping | None = None) -> Fields:
        """The recorded state that means something for these flags, labelled for them."""
        return self.render.state_fields(self.flags(hyper))

    def code_variables(self, hyper: Mapping | None = None) -> dict[str, Any]:
        """The snippet's hyperparameters (under its own names) and its initial state."""
        hyper = hyper or {}
        values = {h.name: h.check(hyper.get(h.name, h.default)) for h in self.hyper}
        named = {self.code_names.get(k, k): v for k, v in values.items()}
        return named | dict(self.code_state)
