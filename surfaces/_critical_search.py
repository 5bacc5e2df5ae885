"""The search for critical points (∇f = 0) inside a view, each classified by its Hessian.

Low-degree polynomials are solved exactly, by elimination with resultants; anything else by
Newton's method on the gradient from a grid of starts. The search keeps to a deadline:
`curvature.critical_points` sets it from its time budget.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import sympy as sp

from ._point_curvature import _symmetric_eigenvalues, classify
from ._surface import Bounds, Surface, X, Y, polynomial_degree

_KIND_ORDER = {"minimum": 0, "saddle": 1, "maximum": 2, "degenerate": 3}

_SEEDS_PER_AXIS = 21  # numeric search: Newton's method from a 21 × 21 grid of starts
_NEWTON_ITERATIONS = 60
_MAX_EXACT_DEGREE = 8  # exact elimination only for polynomials of low degree ...
_MAX_EXACT_TERMS = 15  # ... and beyond degree 6 only if they are sparse


@dataclass(frozen=True)
class CriticalPoint:
    point: tuple[float, float]
    value: float
    kind: str
    eigenvalues: tuple[float, float]


@dataclass(frozen=True)
class CriticalPoints:
    """Critical points inside a view. `complete` is True when they were found by exact
    elimination (so there are no others in the view); `message` says how they were found.
    `timed_out` is True when the search ran out of its time budget and returns what it had."""

    points: tuple[CriticalPoint, ...]
    method: str  # "symbolic" or "numeric"
    complete: bool
    message: str
    timed_out: bool = False

    def rows(self) -> list[dict]:
        """One row per point, as a table shows them."""
        return [
            {"kind": p.kind, "x": p.point[0], "y": p.point[1], "f": p.value,
             "λ₁": p.eigenvalues[0], "λ₂": p.eigenvalues[1]}
            for p in self.points
        ]  # fmt: skip


class _OutOfTime(Exception):
    """The critical-point search used up its time budget."""


def _check(deadline: float) -> None:
    if time.monotonic() > deadline:
        raise _OutOfTime


def _inside(points: np.ndarray, bounds: Bounds, slack: float = 1e-9) -> np.ndarray:
    (xmin, xmax), (ymin, ymax) = bounds
    dx, dy = slack * (xmax - xmin), slack * (ymax - ymin)
    x, y = points[..., 0], points[..., 1]
    return (xmin - dx <= x) & (x <= xmax + dx) & (ymin - dy <= y) & (y <= ymax + dy)


def _newton(surface: Surface, points, iterations: int, max_step: float):
    """Newton's method on the gradient, g(p) = 0, for many points at once.

    Each step is −H⁺g with the pseudo-inverse H⁺ (eigenvalues below 1e-12 |λ|max are
    dropped), so singular Hessians do not break it, and is at most `max_step` long.
    Returns the final points and the length of the last step (inf where non-finite).
    """
    points, step_length, _ = _newton_until(surface, points, iterations, max_step, np.inf)
    return points, step_length


def _newton_until(surface: Surface, points, iterations: int, max_step: float, deadline: float):
    """``_newton`` that stops at `deadline` (time.monotonic()); also says whether it did."""
    points = np.array(points, dtype=float)
    step_length = np.full(points.shape[:-1], np.inf)
    for _ in range(iterations):
        if time.monotonic() > deadline:
            return points, step_length, True
        gradient, hessian = surface.grad(points), surface.hessian(points)
        finite = np.isfinite(gradient).all(axis=-1) & np.isfinite(hessian).all(axis=(-2, -1))
        hessian = np.where(finite[..., None, None], hessian, np.eye(2))
        gradient = np.where(finite[..., None], gradient, 0.0)
        eigenvalues, vectors = np.linalg.eigh(hessian)
        largest = np.abs(eigenvalues).max(axis=-1, keepdims=True)
        keep = np.abs(eigenvalues) > 1e-12 * largest
        with np.errstate(divide="ignore", invalid="ignore"):
            inverse = np.where(keep, 1.0 / np.where(keep, eigenvalues, 1.0), 0.0)
        along = np.einsum("...ji,...j->...i", vectors, gradient) * inverse
        step = -np.einsum("...ij,...j->...i", vectors, along)
        length = np.linalg.norm(step, axis=-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            shrink = np.minimum(1.0, max_step / length)
        step = np.where((length > max_step)[..., None], step * shrink[..., None], step)
        points = np.where(finite[..., None], points + step, np.nan)
        step_length = np.where(finite, length, np.inf)
    return points, step_length, False


def _deduplicate(points: np.ndarray, tolerance: float) -> np.ndarray:
    """Points farther than `tolerance` from every earlier kept point, in order."""
    distance = np.linalg.norm(points[:, None, :] - points[None, :, :], axis=-1)
    dropped = np.zeros(len(points), dtype=bool)
    for i in range(len(points)):
        if not dropped[i]:
            dropped[i + 1 :] |= distance[i, i + 1 :] <= tolerance
    return points[~dropped].reshape(-1, 2)


def _numeric_critical_points(
    surface: Surface, bounds: Bounds, deadline: float = np.inf
) -> tuple[np.ndarray, bool]:
    """Converged Newton iterates inside the view, deduplicated, and whether time ran out."""
    (xmin, xmax), (ymin, ymax) = bounds
    diagonal = float(np.hypot(xmax - xmin, ymax - ymin))
    n = _SEEDS_PER_AXIS
    xs = xmin + (np.arange(n) + 0.5) * (xmax - xmin) / n
    ys = ymin + (np.arange(n) + 0.5) * (ymax - ymin) / n
    grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    known = np.array([*surface.minima, surface.start], dtype=float).reshape(-1, 2)
    seeds = np.concatenate([known, grid])  # the known minima and start, then the grid
    norms = np.linalg.norm(surface.grad(seeds), axis=-1)
    finite_norms = norms[np.isfinite(norms)]
    gradient_scale = float(np.median(finite_norms)) if finite_norms.size else 1.0
    points, last_step, stopped = _newton_until(
        surface, seeds, _NEWTON_ITERATIONS, diagonal / 4, deadline
    )
    residual = np.linalg.norm(surface.grad(points), axis=-1)
    with np.errstate(invalid="ignore"):
        converged = (last_step <= 1e-8 * diagonal) & (residual <= 1e-8 * (1 + gradient_scale))
    found = points[converged & _inside(points, bounds)]
    found = found[np.argsort(np.linalg.norm(surface.grad(found), axis=-1), kind="stable")]
    return _deduplicate(found, 1e-6 * diagonal), stopped


def _real_roots(poly: sp.Poly) -> np.ndarray:
    return np.unique([float(root) for root in poly.real_roots()])


def _exact_critical_points(
    surface: Surface, bounds: Bounds, deadline: float = np.inf
) -> np.ndarray | None:
    """All critical points in the view of a low-degree polynomial, by elimination; None
    when the method does not apply (not a polynomial, too large, or a curve of critical
    points).

    Every solution of ∂f/∂x = ∂f/∂y = 0 has its y among the real roots of the resultant
    Res_x(∂f/∂x, ∂f/∂y) and its x among those of Res_y; each pair of roots is checked.
    Raises _OutOfTime when `deadline` passes between two of these steps.
    """
    degree = polynomial_degree(surface.expr)
    if degree is None or degree > _MAX_EXACT_DEGREE:
        return None
    try:
        poly = sp.Poly(surface.expr, X, Y, domain=sp.QQ)
    except sp.polys.polyerrors.CoercionFailed:  # irrational coefficients such as √3/2
        poly = sp.Poly(surface.expr.evalf(20), X, Y).set_domain(sp.QQ)
    if poly.total_degree() > 6 and len(poly.terms()) > _MAX_EXACT_TERMS:
        return None
    gx, gy = poly.diff(X), poly.diff(Y)
    if gx.is_zero or gy.is_zero:
        other = gy if gx.is_zero else gx
        return np.empty((0, 2)) if other.is_ground and not other.is_zero else None
    _check(deadline)
    res_in_y = gx.resultant(gy)  # x eliminated
    _check(deadline)
    res_in_x = sp.Poly(gx.as_expr(), Y, X).resultant(sp.Poly(gy.as_expr(), Y, X))
    _check(deadline)
    if res_in_y.is_zero or res_in_x.is_zero:
        return None  # a common factor: a whole curve of critical points
    if res_in_y.is_ground or res_in_x.is_ground:
        return np.empty((0, 2))
    xs = _real_roots(sp.Poly(res_in_x, X))
    _check(deadline)
    ys = _real_roots(sp.Poly(res_in_y, Y))
    _check(deadline)
    pairs = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    pairs = pairs[_inside(pairs, bounds)]

    def relative_residual(p: sp.Poly) -> np.ndarray:
        powers = np.array([monomial for monomial, _ in p.terms()], dtype=float)
        coefficients = np.array([float(c) for _, c in p.terms()])
        terms = coefficients * np.prod(pairs[:, None, :] ** powers, axis=-1)
        return np.abs(terms.sum(axis=-1)) / np.maximum(np.abs(terms).sum(axis=-1), 1e-300)

    solutions = pairs[(relative_residual(gx) <= 1e-9) & (relative_residual(gy) <= 1e-9)]
    (xmin, xmax), (ymin, ymax) = bounds
    return _deduplicate(solutions, 1e-9 * float(np.hypot(xmax - xmin, ymax - ymin)))


def _describe(surface: Surface, points: np.ndarray) -> tuple[CriticalPoint, ...]:
    if len(points) == 0:
        return ()
    values = surface.f(points)
    eigenvalues = _symmetric_eigenvalues(surface.hessian(points))
    found = [
        CriticalPoint(
            point=(float(p[0]), float(p[1])),
            value=float(v),
            kind=classify(lam),
            eigenvalues=(float(lam[0]), float(lam[1])),
        )
        for p, v, lam in zip(points, values, eigenvalues, strict=True)
    ]
    return tuple(sorted(found, key=lambda c: (_KIND_ORDER[c.kind], c.value, c.point)))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


def _critical_points(
    surface: Surface, bounds: Bounds, deadline: float, budget: float
) -> CriticalPoints:
    try:
        exact = _exact_critical_points(surface, bounds, deadline)
    except (sp.polys.polyerrors.BasePolynomialError, NotImplementedError, ValueError):
        exact = None  # elimination did not work out: fall back to the numeric search
    except _OutOfTime:
        exact = None  # too slow: the numeric search gets what time is left (maybe none)
    if exact is not None:
        points = _describe(surface, exact)
        message = (
            f"All {_plural(len(points), 'critical point')} in the view, "
            "found exactly from the polynomial equations ∂f/∂x = ∂f/∂y = 0."
            if points
            else "No critical points in the view (solved exactly: there are none)."
        )
        return CriticalPoints(points, "symbolic", True, message)
    found, timed_out = _numeric_critical_points(surface, bounds, deadline)
    points = _describe(surface, found)
    n = _SEEDS_PER_AXIS
    if timed_out:
        message = (
            f"The search for critical points stopped after its time budget of {budget:g} s "
            f"before it could finish: {_plural(len(points), 'critical point')} found so "
            "far, by Newton's method on the gradient — there may be others."
        )
    elif points:
        message = (
            f"Found {_plural(len(points), 'critical point')} numerically, by Newton's method "
            f"from a {n}×{n} grid of starts; others may exist."
        )
    else:
        message = (
            f"No critical points found in the view (Newton's method from a {n}×{n} grid "
            "of starts); there may still be some."
        )
    return CriticalPoints(points, "numeric", False, message, timed_out)
