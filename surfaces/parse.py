"""Safe parsing of a formula typed by a user into a `Surface`.

Nothing the user types is ever evaluated as Python: no eval, exec, sympify or parse_expr.
The text goes through three gates:

1. our own tokenizer: ASCII letters, digits, spaces and + - * / ^ ( ) . , only; every name
   must be x, y, pi, e or an allowed function; `^` becomes `**` and implicit products
   (`2x`, `x y`, `2(x+1)`, `(x+1)(y-1)`, `2 sin(x)`) get an explicit `*`;
2. `ast.parse(..., mode="eval")` on the rewritten text, then a walk that accepts only
   numbers, names, + - * / **, unary ±, and calls of allowed functions with one argument;
3. the walk builds the SymPy expression itself, checking every constant (finite, real,
   not too large) and every exponent before SymPy computes anything with it.

Length, node count, nesting depth, exponents and constants are bounded, so every input is
accepted or refused quickly. A refusal is a `SurfaceError` saying what is wrong and where.

Gate 1 is `_formula_tokens`, gates 2 and 3 are `_formula_tree`; the limits and the names a
formula may use are in `_formula_rules`. Here: the view's check and `parse_surface`.
"""

from __future__ import annotations

import ast
import math
from dataclasses import replace

import numpy as np
import sympy as sp

from ._formula_rules import (
    MAX_CONSTANT,  # noqa: F401 (the limits stay importable from here)
    MAX_DEPTH,
    MAX_EXPONENT,  # noqa: F401
    MAX_LENGTH,
    MAX_LITERAL,  # noqa: F401
    MAX_NODES,
    MAX_NUMBER_CHARS,  # noqa: F401
    MAX_PARENTHESES,  # noqa: F401
)
from ._formula_tokens import _check_structure, _python_source, _tokenize
from ._formula_tree import _Builder, _tree_depth
from ._surface import Bounds, Surface, SurfaceError

__all__ = ["parse_surface"]

DEFAULT_BOUNDS: Bounds = ((-3.0, 3.0), (-3.0, 3.0))


def _check_bounds(bounds) -> Bounds:
    try:
        (xmin, xmax), (ymin, ymax) = ((float(a), float(b)) for a, b in bounds)
    except (TypeError, ValueError):
        raise SurfaceError(
            f"The view must be ((xmin, xmax), (ymin, ymax)), got {bounds!r}"
        ) from None
    for low, high, axis in ((xmin, xmax, "x"), (ymin, ymax, "y")):
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise SurfaceError(
                f"The view's {axis} range must be finite with min < max, got ({low:g}, {high:g})"
            )
        if max(abs(low), abs(high)) > 1e6:
            raise SurfaceError(f"The view's {axis} range is too large (at most 1e6 in size)")
    return (xmin, xmax), (ymin, ymax)


def _expression(text: str) -> sp.Expr:
    if len(text) > MAX_LENGTH:
        raise SurfaceError(
            f"The formula is too long ({len(text)} characters; at most {MAX_LENGTH})", MAX_LENGTH
        )
    tokens = _tokenize(text)
    if not tokens:
        raise SurfaceError("The formula is empty: type a function of x and y, e.g. x^2 + 3y^2")
    _check_structure(tokens)
    source, positions = _python_source(tokens, len(text))
    try:
        tree = ast.parse(source, mode="eval")
    except (RecursionError, MemoryError):
        raise SurfaceError("The formula is too deeply nested") from None
    except SyntaxError as error:
        index = max(0, (error.offset or 1) - 1)
        position = positions[min(index, len(positions) - 1)]
        raise SurfaceError(f"Invalid formula near position {position + 1}", position) from None
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES:
        raise SurfaceError(f"The formula is too complex (more than {MAX_NODES} parts)")
    if _tree_depth(tree) > MAX_DEPTH:
        raise SurfaceError(f"The formula is too deeply nested (more than {MAX_DEPTH} levels)")
    return _Builder(source, positions).build(tree).expr


def _start(surface: Surface, bounds: Bounds) -> tuple[float, float]:
    """A start point towards a corner of the view where f and its gradient are finite."""
    (xmin, xmax), (ymin, ymax) = bounds
    fractions = [(0.15, 0.8), (0.85, 0.8), (0.15, 0.2), (0.85, 0.2), (0.3, 0.65), (0.5, 0.5)]
    fine = np.linspace(0.05, 0.95, 19)
    fractions += [(a, b) for a in fine for b in fine]
    points = np.array([(xmin + a * (xmax - xmin), ymin + b * (ymax - ymin)) for a, b in fractions])
    ok = np.isfinite(surface.f(points)) & np.isfinite(surface.grad(points)).all(axis=-1)
    x, y = points[int(np.argmax(ok))] if ok.any() else points[0]
    return round(float(x), 4), round(float(y), 4)


def parse_surface(text: str, bounds: Bounds | None = None) -> Surface:
    """A `Surface` (id "custom") from a formula in x and y, parsed safely.

    Accepts numbers, x, y, pi, e, + - * / ^ (or **), parentheses, implicit products such
    as 2x or 2(x+1), and the functions sin cos tan sinh cosh tanh asin acos atan (arcsin
    ...) asinh acosh atanh exp log (ln) log10 log2 sqrt abs. Raises SurfaceError.
    """
    if not isinstance(text, str):
        raise SurfaceError(f"The formula must be text, got {type(text).__name__}")
    bounds = _check_bounds(DEFAULT_BOUNDS if bounds is None else bounds)
    expr = _expression(text)
    text = text.strip()
    if not expr.free_symbols:
        raise SurfaceError("The formula is constant: it must depend on x or y")
    surface = Surface(
        id="custom",
        name=f"Custom: {text}" if len(text) <= 60 else f"Custom: {text[:57]}...",
        expr=expr,
        bounds=bounds,
        minima=(),
        start=(0.0, 0.0),
        text=text,
    )
    (xmin, xmax), (ymin, ymax) = bounds
    grid = np.stack(np.meshgrid(np.linspace(xmin, xmax, 41), np.linspace(ymin, ymax, 41)), -1)
    values = surface.f(grid)
    finite = values[np.isfinite(values)]
    if finite.size <= 1:
        raise SurfaceError(
            "The formula is undefined (not a finite real number) everywhere in the view"
        )
    if np.ptp(finite) <= 1e-12 * (1.0 + np.abs(finite).max()):
        raise SurfaceError("The formula is constant in the view: it must depend on x or y")
    return replace(surface, start=_start(surface, bounds))
