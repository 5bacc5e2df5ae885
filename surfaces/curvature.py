"""Curvature analysis: the Hessian at a point, the steps its quadratic model suggests, critical
points, and a curvature map.

At a point the Hessian H's eigenvalues λ₁ ≤ λ₂ are the curvatures along its eigenvectors:
both positive at a minimum, both negative at a maximum, of opposite signs at a saddle.
The condition number |λ|max / |λ|min says how elongated the level sets are.

Near p the surface is its second-order Taylor model m(d) = f(p) + gᵀd + ½dᵀHd. Along the
gradient, m(−εg) = f − ε gᵀg + ½ε² gᵀHg: where gᵀHg > 0 it is smallest at ε* = gᵀg / gᵀHg,
lower than f by (gᵀg)² / (2 gᵀHg); where gᵀHg ≤ 0 the model has no minimum along −g.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import sympy as sp

from ._surface import Bounds, Surface, X, Y, polynomial_degree

__all__ = [
    "CriticalPoint",
    "CriticalPoints",
    "Curvature",
    "CurvatureMap",
    "LocalSteps",
    "ModelStep",
    "best_gradient_step",
    "classify",
    "critical_points",
    "curvature_at",
    "curvature_map",
    "gradient_step",
    "local_steps",
    "newton_step",
    "verdict",
]

_KINDS = {1: "minimum", -1: "maximum", 0: "saddle", 2: "degenerate"}
_KIND_ORDER = {"minimum": 0, "saddle": 1, "maximum": 2, "degenerate": 3}
UNDEFINED = 3  # curvature-map code where the Hessian is not finite (f not defined there)

CRITICAL_BUDGET = 1.5  # seconds: the critical-point search returns what it found by then

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


def _kind_codes(eigenvalues: np.ndarray, tol: float, undefined: int = 2) -> np.ndarray:
    """1 convex, −1 concave, 0 saddle, 2 degenerate (an eigenvalue within tol × |λ|max of
    zero) for eigenvalues (..., 2) in ascending order; ``undefined`` where they are not finite."""
    low, high = eigenvalues[..., 0], eigenvalues[..., 1]
    with np.errstate(invalid="ignore"):
        scale = np.maximum(np.abs(low), np.abs(high))
        flat = (np.abs(low) <= tol * scale) | (np.abs(high) <= tol * scale)
        codes = np.where(low > 0, 1, np.where(high < 0, -1, 0))
    return np.where(~np.isfinite(scale), undefined, np.where(flat, 2, codes))


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
    """Everything the second-derivative test says at one point.

    ``kind`` is "undefined" (and ``problem`` says what) where f, ∇f or H is not finite: the
    formula is not defined there (log of a negative number, division by zero, overflow).
    """

    point: np.ndarray  # (2,)
    value: float
    gradient: np.ndarray  # (2,)
    hessian: np.ndarray  # (2, 2)
    eigenvalues: np.ndarray  # (2,) ascending
    eigenvectors: np.ndarray  # (2, 2), columns match eigenvalues, x component ≥ 0
    condition_number: float
    kind: str
    problem: str = ""  # why the test cannot be made here; "" where it can

    @property
    def defined(self) -> bool:
        return not self.problem

    @property
    def gradient_norm(self) -> float:
        return float(np.hypot(*self.gradient))


def _problem(point: np.ndarray, value: float, gradient: np.ndarray, hessian: np.ndarray) -> str:
    """What is not defined at ``point``, in words ("" if everything is finite)."""
    missing = [
        name
        for name, v in (("f", value), ("the gradient ∇f", gradient), ("the Hessian H", hessian))
        if not np.all(np.isfinite(v))
    ]
    if not missing:
        return ""
    names = missing[0] if len(missing) == 1 else ", ".join(missing[:-1]) + " and " + missing[-1]
    verb = "is" if len(missing) == 1 else "are"
    where = f"({point[0]:.4g}, {point[1]:.4g})"
    return (
        f"{names} {verb} not defined at {where} (not a finite number "
        "there: outside the formula's domain, a division by zero or an overflow)."
    )


def curvature_at(surface: Surface, point) -> Curvature:
    """Gradient, Hessian, its eigen-decomposition and the kind of point at `point`."""
    point = np.asarray(point, dtype=float).reshape(2)
    with np.errstate(all="ignore"):
        value = float(surface.f(point))
        gradient = np.asarray(surface.grad(point), dtype=float)
        hessian = np.asarray(surface.hessian(point), dtype=float)
    problem = _problem(point, value, gradient, hessian)
    if not problem:
        eigenvalues, eigenvectors = np.linalg.eigh(hessian)
        first = eigenvectors[0]
        flip = (first < 0) | ((first == 0) & (eigenvectors[1] < 0))
        eigenvectors = np.where(flip, -eigenvectors, eigenvectors)
    else:
        eigenvalues, eigenvectors = np.full(2, np.nan), np.full((2, 2), np.nan)
    return Curvature(
        point=point,
        value=value,
        gradient=gradient,
        hessian=hessian,
        eigenvalues=eigenvalues,
        eigenvectors=eigenvectors,
        condition_number=float(_condition_number(eigenvalues)),
        kind="undefined" if problem else classify(eigenvalues),
        problem=problem,
    )


CRITICAL_TOL = 1e-6  # ‖∇f‖ below this counts as a critical point in the verdict

_WHY = {
    "minimum": "Both eigenvalues are positive: the surface curves **up** in every direction.",
    "maximum": "Both eigenvalues are negative: the surface curves **down** in every direction.",
    "saddle": "The eigenvalues have opposite signs: the surface curves up along one eigenvector "
    "and down along the other.",
    "degenerate": "An eigenvalue is zero: along its eigenvector the second derivative says "
    "nothing, so higher-order terms decide.",
}


def verdict(curv: Curvature) -> tuple[str, str]:
    """The second-derivative test in words: (headline, explanation), with the numbers.

    At a critical point (‖∇f‖ < CRITICAL_TOL) it classifies the point; elsewhere it only
    describes the local shape."""
    if not curv.defined:
        return "Not defined here", curv.problem
    kind = "inconclusive (degenerate)" if curv.kind == "degenerate" else curv.kind
    lam1, lam2 = curv.eigenvalues
    signs = f"λ₁ = {lam1:.4g}, λ₂ = {lam2:.4g}."
    gnorm = float(np.hypot(*curv.gradient))
    if gnorm < CRITICAL_TOL:
        head = f"Second-derivative test: **{kind}**"
        return head, f"∇f = 0 here, so this is a critical point. {_WHY[curv.kind]} {signs}"
    body = (
        f"{_WHY[curv.kind]} {signs} Not a critical point (‖∇f‖ = {gnorm:.3g}), so the test only "
        f"describes the local shape: it would be a {kind} if the gradient vanished here."
    )
    return f"Shape here: **{kind}**-like", body


# ---------------------------------------------------------------------------- model steps


@dataclass(frozen=True, eq=False)
class ModelStep:
    """One step d from the point: the change of f the quadratic model predicts,
    gᵀd + ½dᵀHd, and the surface's own change f(p + d) − f(p).

    ``displacement`` is None where the step does not exist (``note`` says why)."""

    name: str
    displacement: np.ndarray | None  # (2,)
    predicted: float  # model change (NaN when there is no step)
    actual: float  # real change (NaN when there is no step or f is not defined at p + d)
    note: str

    @property
    def length(self) -> float:
        return float("nan") if self.displacement is None else float(np.hypot(*self.displacement))


@dataclass(frozen=True, eq=False)
class LocalSteps:
    """The three steps the local model compares: −αg, the best multiple −ε*g, and −H⁻¹g."""

    gradient: ModelStep
    best: ModelStep
    newton: ModelStep
    epsilon: float | None  # ε* = gᵀg / gᵀHg where gᵀHg > 0, else None
    curvature_along_gradient: float  # gᵀHg / gᵀg: the curvature of f along −g (NaN if g = 0)


def _step(surface: Surface, curv: Curvature, name: str, d, note: str) -> ModelStep:
    if d is None:
        return ModelStep(name, None, float("nan"), float("nan"), note)
    d = np.asarray(d, dtype=float)
    g, h = curv.gradient, curv.hessian
    with np.errstate(all="ignore"):
        predicted = float(g @ d + 0.5 * d @ h @ d)
        actual = float(surface.f(curv.point + d)) - curv.value
    return ModelStep(name, d, predicted, actual if np.isfinite(actual) else float("nan"), note)


def gradient_step(surface: Surface, curv: Curvature, lr: float) -> ModelStep:
    """The gradient-descent step −αg: blind to curvature."""
    if not curv.defined:
        return ModelStep("gradient step −αg", None, np.nan, np.nan, curv.problem)
    note = f"α = {lr:g}: the step is α times the gradient, blind to curvature."
    return _step(surface, curv, "gradient step −αg", -lr * curv.gradient, note)


_NEWTON_NOTES = {
    "saddle": "H is indefinite: Newton's step jumps to the stationary point of the quadratic "
    "model, which is a **saddle** — Newton's method is attracted to saddles (saddle-free "
    "Newton uses |H| instead).",
    "maximum": "H is negative definite: Newton's step heads **uphill, to the model's maximum**. "
    "Only with positive curvature does −H⁻¹g point to a minimum.",
    "minimum": "H is positive definite: Newton's step jumps to the minimum of the quadratic model.",
}


def newton_step(surface: Surface, curv: Curvature) -> ModelStep:
    """Newton's step −H⁻¹g, to the stationary point of the quadratic model (None where H is
    singular: an eigenvalue is 0 and H⁻¹ does not exist)."""
    name = "Newton step −H⁻¹g"
    if not curv.defined:
        return ModelStep(name, None, np.nan, np.nan, curv.problem)
    if curv.kind == "degenerate":
        return ModelStep(
            name,
            None,
            np.nan,
            np.nan,
            "H is singular (an eigenvalue is 0): −H⁻¹g does not exist. The Newton optimizer "
            "floors the zero curvature at a tiny value, so its step along that eigenvector is "
            "enormous.",
        )
    d = -np.linalg.solve(curv.hessian, curv.gradient)
    return _step(surface, curv, name, d, _NEWTON_NOTES[curv.kind])


def best_gradient_step(surface: Surface, curv: Curvature) -> tuple[ModelStep, float | None, float]:
    """The best step along the gradient by the second-order model: −ε*g with ε* = gᵀg / gᵀHg.

    Returns (the step, ε* or None, the curvature gᵀHg / gᵀg along −g). Defined where
    gᵀHg > 0; otherwise the step is None and its note says why (the model has no minimum
    along −g). On a quadratic ε* is the exact line minimizer and the predicted decrease
    (gᵀg)² / (2 gᵀHg) is the real one.
    """
    name = "best gradient step −ε*g"
    if not curv.defined:
        return ModelStep(name, None, np.nan, np.nan, curv.problem), None, float("nan")
    g, h = curv.gradient, curv.hessian
    gg = float(g @ g)
    if gg == 0.0:
        note = "∇f = 0 here: there is no downhill direction, so no step along the gradient."
        return ModelStep(name, None, np.nan, np.nan, note), None, float("nan")
    ghg = float(g @ h @ g)
    along = ghg / gg
    if ghg <= 1e-12 * gg * max(float(np.max(np.abs(curv.eigenvalues))), 1e-300):
        shape = "curves down" if ghg < 0 else "is flat"
        note = (
            f"gᵀHg = {ghg:.4g} ≤ 0: the model {shape} along −g, so it has no minimum along the "
            "gradient — it promises an ever larger decrease the farther one steps, and only the "
            "surface itself can say how far to go."
        )
        return ModelStep(name, None, np.nan, np.nan, note), None, along
    epsilon = gg / ghg
    note = (
        f"ε* = gᵀg / gᵀHg = {epsilon:.4g} = 1 / (curvature {along:.4g} along −g): the minimum of "
        f"the model along −g, predicted to lower f by (gᵀg)² / (2gᵀHg) = {gg * gg / (2 * ghg):.4g}."
    )
    return _step(surface, curv, name, -epsilon * g, note), epsilon, along


def local_steps(surface: Surface, curv: Curvature, lr: float) -> LocalSteps:
    """The gradient step with α = ``lr``, the best gradient step and Newton's step at ``curv``."""
    best, epsilon, along = best_gradient_step(surface, curv)
    return LocalSteps(
        gradient=gradient_step(surface, curv, lr),
        best=best,
        newton=newton_step(surface, curv),
        epsilon=epsilon,
        curvature_along_gradient=along,
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


def critical_points(
    surface: Surface, bounds: Bounds | None = None, budget: float | None = None
) -> CriticalPoints:
    """Critical points of `surface` inside `bounds` (default: its view), classified.

    Low-degree polynomials are solved exactly by elimination (complete); anything else by
    Newton's method on the gradient from a grid of starts (others may exist). Never raises
    for a valid surface. The search stops after about `budget` seconds (default
    CRITICAL_BUDGET; checked between its steps) and returns what it found by then, marked
    `timed_out` and incomplete.
    """
    bounds = bounds or surface.bounds
    budget = CRITICAL_BUDGET if budget is None else budget
    deadline = time.monotonic() + budget
    with np.errstate(all="ignore"):
        return _critical_points(surface, bounds, deadline, budget)


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


@dataclass(frozen=True, eq=False)
class CurvatureMap:
    """Curvature on an n × n grid: rows index y, columns index x (heatmap convention)."""

    xs: np.ndarray  # (n,)
    ys: np.ndarray  # (n,)
    kind: np.ndarray  # (n, n) int: 1 convex, -1 concave, 0 saddle, 2 degenerate, 3 undefined
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
            kind=_kind_codes(eigenvalues, 1e-9, undefined=UNDEFINED),
            condition=_condition_number(eigenvalues),
            eigenvalues=eigenvalues,
        )
