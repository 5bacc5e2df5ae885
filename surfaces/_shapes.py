"""The mathematics of each catalog surface: a builder per entry that turns the values of
its sliders into the surface's expression, view, start and approximate minima (global first).

Slider values enter the expressions as exact rationals (0.1 -> 1/10) and data values as the
short decimals they are, so the formulas print as a reader would write them. The entries that
name these builders, and the machinery that polishes the minima, are in `catalog`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import numpy as np
import sympy as sp

from ._surface import Bounds, Examples, X, Y
from .data import logistic_data, logistic_examples, regression_examples, regression_fractions


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
