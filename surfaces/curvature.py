"""Curvature analysis: the Hessian at a point, critical points, and a curvature map.

At a point the Hessian H's eigenvalues λ₁ ≤ λ₂ are the curvatures along its eigenvectors:
both positive at a minimum, both negative at a maximum, of opposite signs at a saddle.
The condition number |λ|max / |λ|min says how elongated the level sets are.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from ._surface import Bounds, Surface, X, Y, polynomial_degree

__all__ = [
    "CriticalPoint",
    "CriticalPoints",
    "Curvature",
    "CurvatureMap",
    "classify",
    "critical_points",
    "curvature_at",
    "curvature_map",
]

_KINDS = {1: "minimum", -1: "maximum", 0: "saddle", 2: "degenerate"}
_KIND_ORDER = {"minimum": 0, "saddle": 1, "maximum": 2, "degenerate": 3}

_SEEDS_PER_AXIS = 21  # numeric search: Newton's method from a 21 × 21 grid of starts
_NEWTON_ITERATIONS = 60
_MAX_EXACT_DEGREE = 8  # exact elimination only for polynomials of low degree ...
_MAX_EXACT_TERMS = 15  # ... and beyond degree 6 only if they are sparse


def _symmetric_eigenvalues(h: np.ndarray) -> np.ndarray:
    """Eigenvalues (ascending) of symmetric 2×2 matrices (..., 2, 2), in closed form:
    λ = (a + c)/2 ∓ √(((a − c)/2)² + b²)."""
    a, b, c = h[..., 0, 0], h[..., 0, 1], h[..., 1, 1]
    mean = (a + c) / 2
    radius = np.hypot((a - c) / 2, b)
    return np.stack([mean - radius, mean + radius], axis=-1)


def _kind_codes(eigenvalues: np.ndarray, tol: float) -> np.ndarray:
    """1 convex, −1 concave, 0 saddle, 2 degenerate (an eigenvalue within tol × |λ|max of
    zero, or non-finite) for eigenvalues (..., 2) in ascending order."""
    low, high = eigenvalues[..., 0], eigenvalues[..., 1]
    with np.errstate(invalid="ignore"):
        scale = np.maximum(np.abs(low), np.abs(high))
        flat = (np.abs(low) <= tol * scale) | (np.abs(high) <= tol * scale)
        codes = np.where(low > 0, 1, np.where(high < 0, -1, 0))
    return np.where(flat | ~np.isfinite(scale), 2, codes)


def _condition_number(eigenvalues: np.ndarray) -> np.ndarray:
    """|λ|max / |λ|min: inf where |λ|min is 0, nan where the Hessian is not finite."""
    magnitudes = np.abs(eigenvalues)
    small, large = magnitudes.min(axis=-1), magnitudes.max(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(small == 0, np.inf, large / small)


def classify(eigenvalues, tol: float = 1e-9) -> str:
    """The kind of point, "minimum", "maximum", "saddle" or "degenerate", from the two
    Hessian eigenvalues (in any order).

    An eigenvalue within `tol` × |λ|max of zero (relative) makes the point degenerate: the
    second-derivative test cannot decide there. Non-finite eigenvalues are degenerate too.
    """
    eigenvalues = np.sort(np.asarray(eigenvalues, dtype=float).reshape(2))
    return _KINDS[int(_kind_codes(eigenvalues, tol))]


@dataclass(frozen=True, eq=False)
class Curvature:
    """Everything the second-derivative test says at one point."""

    point: np.ndarray  # (2,)
    value: float
    gradient: np.ndarray  # (2,)
    hessian: np.ndarray  # (2, 2)
    eigenvalues: np.ndarray  # (2,) ascending
    eigenvectors: np.ndarray  # (2, 2), columns match eigenvalues, x component ≥ 0
    condition_number: float
    kind: str


def curvature_at(surface: Surface, point) -> Curvature:
    """Gradient, Hessian, its eigen-decomposition and the kind of point at `point`."""
    point = np.asarray(point, dtype=float).reshape(2)
    hessian = surface.hessian(point)
    if np.all(np.isfinite(hessian)):
        eigenvalues, eigenvectors = np.linalg.eigh(hessian)
        first = eigenvectors[0]
        flip = (first < 0) | ((first == 0) & (eigenvectors[1] < 0))
        eigenvectors = np.where(flip, -eigenvectors, eigenvectors)
    else:
        eigenvalues, eigenvectors = np.full(2, np.nan), np.full((2, 2), np.nan)
    return Curvature(
        point=point,
        value=float(surface.f(point)),
        gradient=surface.grad(point),
        hessian=hessian,
        eigenvalues=eigenvalues,
        eigenvectors=eigenvectors,
        condition_number=float(_condition_number(eigenvalues)),
        kind=classify(eigenvalues),
    )


@dataclass(frozen=True)
class CriticalPoint:
    point: tuple[float, float]
    value: float
    kind: str
    eigenvalues: tuple[float, float]


@dataclass(frozen=True)
class CriticalPoints:
    """Critical points inside a view. `complete` is True when they were found by exact
    elimination (so there are no others in the view); `message` says how they were found."""

    points: tuple[CriticalPoint, ...]
    method: str  # "symbolic" or "numeric"
    complete: bool
    message: str


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
    points = np.array(points, dtype=float)
    step_length = np.full(points.shape[:-1], np.inf)
    for _ in range(iterations):
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
    return points, step_length


def _deduplicate(points: np.ndarray, tolerance: float) -> np.ndarray:
    """Points farther than `tolerance` from every earlier kept point, in order."""
    distance = np.linalg.norm(points[:, None, :] - points[None, :, :], axis=-1)
    dropped = np.zeros(len(points), dtype=bool)
    for i in range(len(points)):
        if not dropped[i]:
            dropped[i + 1 :] |= distance[i, i + 1 :] <= tolerance
    return points[~dropped].reshape(-1, 2)


def _numeric_critical_points(surface: Surface, bounds: Bounds) -> np.ndarray:
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
    points, last_step = _newton(surface, seeds, _NEWTON_ITERATIONS, max_step=diagonal / 4)
    residual = np.linalg.norm(surface.grad(points), axis=-1)
    with np.errstate(invalid="ignore"):
        converged = (last_step <= 1e-8 * diagonal) & (residual <= 1e-8 * (1 + gradient_scale))
    found = points[converged & _inside(points, bounds)]
    found = found[np.argsort(np.linalg.norm(surface.grad(found), axis=-1), kind="stable")]
    return _deduplicate(found, 1e-6 * diagonal)


def _real_roots(poly: sp.Poly) -> np.ndarray:
    return np.unique([float(root) for root in poly.real_roots()])


def _exact_critical_points(surface: Surface, bounds: Bounds) -> np.ndarray | None:
    """All critical points in the view of a low-degree polynomial, by elimination; None
    when the method does not apply (not a polynomial, too large, or a curve of critical
    points).

    Every solution of ∂f/∂x = ∂f/∂y = 0 has its y among the real roots of the resultant
    Res_x(∂f/∂x, ∂f/∂y) and its x among those of Res_y; each pair of roots is checked.
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
    res_in_y = gx.resultant(gy)  # x eliminated
    res_in_x = sp.Poly(gx.as_expr(), Y, X).resultant(sp.Poly(gy.as_expr(), Y, X))
    if res_in_y.is_zero or res_in_x.is_zero:
        return None  # a common factor: a whole curve of critical points
    if res_in_y.is_ground or res_in_x.is_ground:
        return np.empty((0, 2))
    xs, ys = _real_roots(sp.Poly(res_in_x, X)), _real_roots(sp.Poly(res_in_y, Y))
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


def critical_points(surface: Surface, bounds: Bounds | None = None) -> CriticalPoints:
    """Critical points of `surface` inside `bounds` (default: its view), classified.

    Low-degree polynomials are solved exactly by elimination (complete); anything else by
    Newton's method on the gradient from a grid of starts (others may exist). Never raises
    for a valid surface and takes well under a second or two.
    """
    bounds = bounds or surface.bounds
    with np.errstate(all="ignore"):
        return _critical_points(surface, bounds)


def _critical_points(surface: Surface, bounds: Bounds) -> CriticalPoints:
    try:
        exact = _exact_critical_points(surface, bounds)
    except (sp.polys.polyerrors.BasePolynomialError, NotImplementedError, ValueError):
        exact = None  # elimination did not work out: fall back to the numeric search
    if exact is not None:
        points = _describe(surface, exact)
        message = (
            f"All {len(points)} critical point{'s' * (len(points) != 1)} in the view, "
            "found exactly from the polynomial equations ∂f/∂x = ∂f/∂y = 0."
            if points
            else "No critical points in the view (solved exactly: there are none)."
        )
        return CriticalPoints(points, "symbolic", True, message)
    points = _describe(surface, _numeric_critical_points(surface, bounds))
    n = _SEEDS_PER_AXIS
    message = (
        f"Found {len(points)} critical point{'s' * (len(points) != 1)} numerically, by "
        f"Newton's method from a {n}×{n} grid of starts; others may exist."
        if points
        else f"No critical points found in the view (Newton's method from a {n}×{n} grid "
        "of starts); there may still be some."
    )
    return CriticalPoints(points, "numeric", False, message)


@dataclass(frozen=True, eq=False)
class CurvatureMap:
    """Curvature on an n × n grid: rows index y, columns index x (heatmap convention)."""

    xs: np.ndarray  # (n,)
    ys: np.ndarray  # (n,)
    kind: np.ndarray  # (n, n) int: 1 convex, -1 concave, 0 saddle, 2 degenerate
    condition: np.ndarray  # (n, n) |λ|max / |λ|min
    eigenvalues: np.ndarray  # (n, n, 2) ascending


def curvature_map(surface: Surface, n: int = 80, bounds: Bounds | None = None) -> CurvatureMap:
    """Hessian eigenvalues, kind of curvature and condition number over the view."""
    (xmin, xmax), (ymin, ymax) = bounds or surface.bounds
    xs, ys = np.linspace(xmin, xmax, n), np.linspace(ymin, ymax, n)
    with np.errstate(all="ignore"):
        eigenvalues = _symmetric_eigenvalues(surface.hessian(np.stack(np.meshgrid(xs, ys), -1)))
        return CurvatureMap(
            xs=xs,
            ys=ys,
            kind=_kind_codes(eigenvalues, 1e-9),
            condition=_condition_number(eigenvalues),
            eigenvalues=eigenvalues,
        )
