"""The catalog of loss surfaces: each a SymPy expression with parameters, a view that shows
the interesting part, a good start point and its known minima (global first)."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

import numpy as np
import sympy as sp

from ._surface import Bounds, Examples, Surface, SurfaceError, X, Y
from .curvature import _newton, classify
from .data import (
    logistic_data,
    logistic_examples,
    regression_data,
    regression_examples,
    regression_fractions,
)

__all__ = [
    "SURFACES",
    "Param",
    "SurfaceSpec",
    "get_surface",
    "list_surfaces",
    "logistic_data",
    "regression_data",
]


@dataclass(frozen=True)
class Param:
    """A surface parameter with its slider range."""

    name: str
    label: str
    default: float
    min: float
    max: float
    step: float
    help: str = ""


@dataclass(frozen=True)
class _Shape:
    """What a builder returns for one choice of parameters. `minima` may be approximate:
    they are polished by Newton's method on the gradient. A data surface also returns its
    `examples`, whose mean loss `expr` is."""

    name: str
    expr: sp.Expr
    bounds: Bounds
    minima: tuple[tuple[float, float], ...]
    start: tuple[float, float]
    examples: Examples | None = None


@dataclass(frozen=True)
class SurfaceSpec:
    """One catalog entry: what the sliders need, and the builder that turns parameter values
    into the surface's expression, view, start and minima."""

    id: str
    name: str
    description: str
    params: tuple[Param, ...]
    build: Callable[..., _Shape] = field(repr=False, compare=False, kw_only=True)


def _exact(value: float) -> sp.Rational:
    """The number a slider shows, as an exact rational (0.1 -> 1/10)."""
    fraction = Fraction(repr(float(value)))
    return sp.Rational(fraction.numerator, fraction.denominator)


def _fmt(value: float) -> str:
    return f"{value:g}"


def _cos_sin_degrees(angle: float) -> tuple[sp.Expr, sp.Expr]:
    """cos and sin of an angle in degrees: exact where SymPy knows them (30° -> √3/2)."""
    radians = sp.pi * _exact(angle) / 180
    cos, sin = sp.cos(radians), sp.sin(radians)
    if cos.has(sp.cos, sp.sin) or sin.has(sp.cos, sp.sin):
        return sp.Float(math.cos(math.radians(angle))), sp.Float(math.sin(math.radians(angle)))
    return cos, sin


def _bowl(kappa: float, angle: float) -> _Shape:
    # f = ½(λ₁u² + λ₂v²) with (u, v) the coordinates rotated by `angle`: λ₁ = 1, λ₂ = κ.
    cos, sin = _cos_sin_degrees(angle)
    u, v = cos * X + sin * Y, -sin * X + cos * Y
    c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    start_u, start_v = -2.5, 1.0  # far along the flat axis, off the steep one
    return _Shape(
        name=f"Ill-conditioned bowl (κ={_fmt(kappa)}, {_fmt(angle)}°)",
        expr=sp.Rational(1, 2) * (u**2 + _exact(kappa) * v**2),
        bounds=((-3.0, 3.0), (-3.0, 3.0)),
        minima=((0.0, 0.0),),
        start=(round(c * start_u - s * start_v, 4), round(s * start_u + c * start_v, 4)),
    )


def _saddle(tilt: float) -> _Shape:
    # x² − y² near the origin; the quartic y⁴/8 turns y back up into valleys at y ≈ ±2.
    t = _exact(tilt)
    # ∂f/∂y = y³/2 − 2y + tilt = 0: the outer two of its three real roots are the valleys
    roots = np.sort(np.roots([0.5, 0.0, -2.0, tilt]).real)
    lower, upper = (0.0, float(roots[0])), (0.0, float(roots[-1]))
    return _Shape(
        name="Saddle" + (f" (tilt {_fmt(tilt)})" if tilt else ""),
        expr=X**2 - Y**2 + Y**4 / 8 + t * Y,
        bounds=((-3.0, 3.0), (-3.0, 3.0)),
        minima=(lower, upper) if tilt > 0 else (upper, lower),  # a tilt t·y lowers one valley
        start=(2.5, 0.01),
    )


def _rosenbrock(a: float, b: float) -> _Shape:
    return _Shape(
        name=f"Rosenbrock (a={_fmt(a)}, b={_fmt(b)})",
        expr=(_exact(a) - X) ** 2 + _exact(b) * (Y - X**2) ** 2,
        bounds=((-2.0, 2.0), (-1.0, 3.0)),
        minima=((a, a * a),),
        start=(-1.2, 1.0),
    )


def _gaussian_well(depth: sp.Expr, cx: sp.Expr, cy: sp.Expr, width2: sp.Expr) -> sp.Expr:
    return -depth * sp.exp(-((X - cx) ** 2 + (Y - cy) ** 2) / width2)


def _multi_minimum() -> _Shape:
    half = sp.Rational(3, 2)
    return _Shape(
        name="Two wells (global + local minimum)",
        expr=(X**2 + Y**2) / 20
        + _gaussian_well(2, half, 1, 2)
        + _gaussian_well(1, -half, -1, sp.Rational(3, 4)),
        bounds=((-4.0, 4.0), (-4.0, 4.0)),
        minima=((1.43, 0.95), (-1.44, -0.96)),
        start=(-3.5, -3.0),
    )


def _plateau() -> _Shape:
    return _Shape(
        name="Plateau",
        expr=1 - sp.exp(-(X**2 + 2 * Y**2) / 2),
        bounds=((-5.0, 5.0), (-5.0, 5.0)),
        minima=((0.0, 0.0),),
        start=(-4.0, 2.0),
    )


def _himmelblau() -> _Shape:
    return _Shape(
        name="Himmelblau",
        expr=(X**2 + Y - 11) ** 2 + (X + Y**2 - 7) ** 2,
        bounds=((-5.0, 5.0), (-5.0, 5.0)),
        minima=((3.0, 2.0), (-2.805118, 3.131313), (-3.779310, -3.283186), (3.584428, -1.848127)),
        start=(0.0, 0.0),
    )


def _beale() -> _Shape:
    return _Shape(
        name="Beale",
        expr=(sp.Rational(3, 2) - X + X * Y) ** 2
        + (sp.Rational(9, 4) - X + X * Y**2) ** 2
        + (sp.Rational(21, 8) - X + X * Y**3) ** 2,
        bounds=((-4.5, 4.5), (-4.5, 4.5)),
        minima=((3.0, 0.5),),
        start=(1.0, 1.5),
    )


def _rastrigin(A: float) -> _Shape:  # the classic name
    a = _exact(A)
    return _Shape(
        name=f"Rastrigin (A={_fmt(A)})",
        expr=2 * a + X**2 - a * sp.cos(2 * sp.pi * X) + Y**2 - a * sp.cos(2 * sp.pi * Y),
        bounds=((-5.12, 5.12), (-5.12, 5.12)),
        minima=((0.0, 0.0),),
        start=(-3.3, 2.6),
    )


def _six_hump_camel() -> _Shape:
    return _Shape(
        name="Six-hump camel",
        expr=(4 - sp.Rational(21, 10) * X**2 + X**4 / 3) * X**2 + X * Y + (4 * Y**2 - 4) * Y**2,
        bounds=((-2.2, 2.2), (-1.2, 1.2)),
        minima=(
            (0.0898, -0.7126),
            (-0.0898, 0.7126),
            (-1.7036, 0.7961),
            (1.7036, -0.7961),
            (-1.6071, -0.5687),
            (1.6071, 0.5687),
        ),
        start=(-1.9, -1.0),
    )


def _matyas() -> _Shape:
    # Hessian [[0.52, −0.48], [−0.48, 0.52]]: curvature 0.04 along x = y, 1 across it (κ = 25)
    return _Shape(
        name="Matyas",
        expr=sp.Rational(26, 100) * (X**2 + Y**2) - sp.Rational(48, 100) * X * Y,
        bounds=((-10.0, 10.0), (-10.0, 10.0)),
        minima=((0.0, 0.0),),
        start=(-2.0, -9.0),
    )


def _decimal_text(value: float) -> sp.Float:
    """A data value (a short decimal) as the SymPy Float that prints as that decimal."""
    return _decimal(Fraction(repr(float(value))))


def _decimal(value: Fraction) -> sp.Float:
    """An exact short decimal as a SymPy Float that prints without trailing digits."""
    text = str(Decimal(value.numerator) / Decimal(value.denominator))
    return sp.Float(text, max(15, len(text)))


def _regression(standardized: float) -> _Shape:
    rows, targets = regression_fractions(bool(standardized))
    n = len(rows)
    gram = [[sum(r[i] * r[j] for r in rows) / n for j in range(2)] for i in range(2)]
    moment = [sum(r[i] * t for r, t in zip(rows, targets, strict=True)) / n for i in range(2)]
    offset = sum(t * t for t in targets) / n
    # Least squares: gram · w = moment, solved exactly.
    det = gram[0][0] * gram[1][1] - gram[0][1] ** 2
    w1 = (moment[0] * gram[1][1] - moment[1] * gram[0][1]) / det
    w2 = (moment[1] * gram[0][0] - moment[0] * gram[0][1]) / det
    c = _decimal
    expr = (
        c(gram[0][0]) * X**2
        + c(2 * gram[0][1]) * X * Y
        + c(gram[1][1]) * Y**2
        - c(2 * moment[0]) * X
        - c(2 * moment[1]) * Y
        + c(offset)
    )
    kind = "standardized" if standardized else "raw"
    return _Shape(
        name=f"Linear regression ({kind} features)",
        expr=expr,
        bounds=((-1.0, 4.0), (-1.0, 4.0)),
        minima=((float(w1), float(w2)),),
        start=(-0.5, 3.5),
        examples=regression_examples(bool(standardized)),
    )


def _logistic() -> _Shape:
    examples = logistic_examples()
    n = len(examples.rows)
    expr = (
        sum(
            examples.loss.subs(dict(zip(examples.columns, map(_decimal_text, row), strict=True)))
            for row in examples.rows
        )
        / n
    )
    # a start for polishing: Newton's method on the data, from w = 0 (the loss is convex)
    features, targets = logistic_data()
    w = np.zeros(2)
    for _ in range(20):
        sigma = 1 / (1 + np.exp(targets * (features @ w)))  # σ(−t w·x)
        gradient = -(targets * sigma) @ features / n
        hessian = (features.T * (sigma * (1 - sigma))) @ features / n
        w = w - np.linalg.solve(hessian, gradient)
    return _Shape(
        name="Logistic regression",
        expr=expr,
        bounds=((-2.0, 6.0), (-5.0, 3.0)),
        minima=((float(w[0]), float(w[1])),),
        start=(-1.5, 2.0),
        examples=examples,
    )


SURFACES: dict[str, SurfaceSpec] = {
    spec.id: spec
    for spec in (
        SurfaceSpec(
            "bowl",
            "Ill-conditioned bowl",
            "A quadratic bowl that is κ times more curved across its valley than along it, "
            "rotated by an angle. At the suggested α (about 1/λ_max) gradient descent drops to "
            "the valley floor in a few steps, then crawls along it; raise α toward 2/λ_max and "
            "it zig-zags across the valley.",
            (
                Param(
                    "kappa",
                    "condition number κ",
                    20.0,
                    1.0,
                    200.0,
                    1.0,
                    "Ratio of the largest to the smallest curvature (Hessian eigenvalue).",
                ),
                Param(
                    "angle",
                    "rotation angle (degrees)",
                    30.0,
                    -90.0,
                    90.0,
                    5.0,
                    "Direction of the flat axis, measured from the x-axis.",
                ),
            ),
            build=_bowl,
        ),
        SurfaceSpec(
            "saddle",
            "Saddle",
            "Curves up along x and down along y at the origin, then rises again into two "
            "valleys at y ≈ ±2. From the default start, just off the x-axis, gradient descent "
            "slides toward the saddle, lingers while its small y grows, then escapes into a "
            "valley; started exactly on the x-axis, it stalls at the saddle.",
            (
                Param(
                    "tilt",
                    "tilt",
                    0.0,
                    -0.5,
                    0.5,
                    0.05,
                    "Adds tilt · y: a small slope that breaks the symmetry between the "
                    "two valleys.",
                ),
            ),
            build=_saddle,
        ),
        SurfaceSpec(
            "rosenbrock",
            "Rosenbrock",
            "A long, curved, flat-bottomed valley. Reaching the valley is easy; following "
            "it to the minimum at (a, a²) is hard.",
            (
                Param("a", "a", 1.0, 0.5, 1.5, 0.1, "The minimum is at (a, a²)."),
                Param(
                    "b",
                    "b",
                    100.0,
                    1.0,
                    200.0,
                    1.0,
                    "Steepness of the valley walls: larger b, narrower valley.",
                ),
            ),
            build=_rosenbrock,
        ),
        SurfaceSpec(
            "multi_minimum",
            "Two wells",
            "A deep global minimum and a shallower local one, separated by a ridge. Where "
            "you end up depends on where you start and how much momentum you carry.",
            (),
            build=_multi_minimum,
        ),
        SurfaceSpec(
            "plateau",
            "Plateau",
            "A single well surrounded by a wide, almost flat plateau. On the plateau the "
            "gradient is tiny, so plain gradient descent barely moves, while methods that "
            "rescale their steps cross it quickly.",
            (),
            build=_plateau,
        ),
        SurfaceSpec(
            "himmelblau",
            "Himmelblau",
            "A classic test function with four minima, all with value 0, and a maximum and "
            "four saddle points between them. Which minimum you reach depends on the start.",
            (),
            build=_himmelblau,
        ),
        SurfaceSpec(
            "beale",
            "Beale",
            "A classic test function with a narrow curved valley leading to its minimum at "
            "(3, 0.5); the walls become extremely steep towards the corners of the view.",
            (),
            build=_beale,
        ),
        SurfaceSpec(
            "rastrigin",
            "Rastrigin",
            "A bowl covered in regularly spaced bumps: a grid of local minima surrounds the "
            "global minimum at the origin. The amplitude A sets how bumpy it is.",
            (
                Param(
                    "A",
                    "amplitude A",
                    10.0,
                    0.0,
                    20.0,
                    0.5,
                    "Height of the bumps; A = 0 leaves the plain bowl x² + y².",
                ),
            ),
            build=_rastrigin,
        ),
        SurfaceSpec(
            "six_hump_camel",
            "Six-hump camel",
            "Six valleys: two global minima, mirror images through the origin, and four "
            "shallower local minima further out.",
            (),
            build=_six_hump_camel,
        ),
        SurfaceSpec(
            "matyas",
            "Matyas",
            "A classic test function: a quadratic bowl f = 0.26(x² + y²) − 0.48xy whose long, "
            "nearly flat valley runs along the diagonal x = y (curvatures 0.04 and 1, "
            "condition number 25), with its minimum at the origin.",
            (),
            build=_matyas,
        ),
        SurfaceSpec(
            "regression",
            "Linear regression",
            "Mean squared error of a linear model w₁x₁ + w₂x₂ on a small synthetic data set, "
            "at weights (x, y) = (w₁, w₂). Raw features differ in scale by about 20×, which "
            "makes a long narrow valley; standardized features make the bowl nearly round.",
            (
                Param(
                    "standardized",
                    "standardized features",
                    0.0,
                    0.0,
                    1.0,
                    1.0,
                    "0: raw features; 1: each feature scaled to mean 0 and variance 1.",
                ),
            ),
            build=_regression,
        ),
        SurfaceSpec(
            "logistic",
            "Logistic regression",
            "Mean log-loss log(1 + exp(−t(w₁x₁ + w₂x₂))) of a linear classifier on 40 "
            "examples of two overlapping classes t = ±1 with correlated features, at weights "
            "(x, y) = (w₁, w₂). Convex with one minimum; a data surface for mini-batches.",
            (),
            build=_logistic,
        ),
    )
}


def list_surfaces() -> list[str]:
    """Catalog ids in display order."""
    return list(SURFACES)


def _check_param(spec: SurfaceSpec, param: Param, value) -> float:
    where = f"for surface '{spec.id}'"
    if isinstance(value, bool):
        value = float(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise SurfaceError(
            f"Parameter '{param.name}' {where} must be a number, got {value!r}"
        ) from None
    if not math.isfinite(number) or not param.min <= number <= param.max:
        raise SurfaceError(
            f"Parameter '{param.name}' = {value!r} {where} is out of range: "
            f"it must be between {_fmt(param.min)} and {_fmt(param.max)}"
        )
    if param.name == "standardized" and number not in (0.0, 1.0):
        raise SurfaceError(f"Parameter 'standardized' {where} must be 0 or 1, got {value!r}")
    return number


def _polished_minima(shape: _Shape) -> tuple[tuple[float, float], ...]:
    """Newton's method on the symbolic gradient from each approximate minimum, to full
    precision; each must land on a nearby point with a positive definite Hessian."""
    probe = Surface(
        "probe", "", shape.expr, ((0.0, 0.0), (0.0, 0.0)), (), (0.0, 0.0), examples=shape.examples
    )
    guesses = shape.minima
    guesses = np.array(guesses, dtype=float)
    points, _ = _newton(probe, guesses, iterations=30, max_step=0.1)
    for guess, point, hessian in zip(guesses, points, probe.hessian(points), strict=True):
        kind = classify(np.linalg.eigvalsh(hessian))
        if not np.linalg.norm(point - guess) < 0.05 or kind != "minimum":
            raise RuntimeError(f"catalog minimum near {guess} did not refine: {point}, {kind}")
    return tuple((float(px), float(py)) for px, py in points)


@functools.lru_cache(maxsize=128)
def _build(surface_id: str, params: tuple[tuple[str, float], ...]) -> Surface:
    spec = SURFACES[surface_id]
    shape = spec.build(**dict(params))
    return Surface(
        id=surface_id,
        name=shape.name,
        expr=shape.expr,
        bounds=shape.bounds,
        minima=_polished_minima(shape),
        start=shape.start,
        params=params,
        description=spec.description,
        text=str(shape.expr),
        examples=shape.examples,
    )


def get_surface(surface_id: str, **params) -> Surface:
    """A catalog surface with its parameters (defaults for those not given).

    Raises SurfaceError for an unknown id, an unknown parameter or a value out of range.
    """
    spec = SURFACES.get(surface_id) if isinstance(surface_id, str) else None
    if spec is None:
        raise SurfaceError(f"Unknown surface {surface_id!r}; choose one of: {', '.join(SURFACES)}")
    known = {p.name: p for p in spec.params}
    unknown = sorted(set(params) - set(known))
    if unknown:
        accepted = ", ".join(known) if known else "none"
        raise SurfaceError(
            f"Unknown parameter {unknown[0]!r} for surface '{surface_id}' "
            f"(its parameters: {accepted})"
        )
    values = tuple(
        (p.name, _check_param(spec, p, params[p.name]) if p.name in params else p.default)
        for p in spec.params
    )
    return _build(surface_id, values)
