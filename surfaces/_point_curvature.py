"""The second-derivative test at one point: the Hessian H, its eigenvalues and
eigenvectors, the kind of point they make, and the verdict in words.

At a point the Hessian H's eigenvalues λ₁ ≤ λ₂ are the curvatures along its eigenvectors:
both positive at a minimum, both negative at a maximum, of opposite signs at a saddle.
The condition number κ = λmax / λmin says how elongated the level sets are; as in the course,
it is defined for a positive-definite Hessian only (an indefinite, negative-definite or
singular one has none: ``definiteness`` says which it is).

The eigenvalue helpers work on whole grids of Hessians (..., 2, 2) at once; the critical-point
search and the curvature map use them too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._surface import Surface

_KINDS = {1: "minimum", -1: "maximum", 0: "saddle", 2: "degenerate"}


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


DEGENERATE_TOL = 1e-9  # an eigenvalue within this × |λ|max of zero counts as zero


def _condition_number(eigenvalues: np.ndarray) -> np.ndarray:
    """κ = λmax / λmin of eigenvalues (..., 2) in ascending order where the Hessian is positive
    definite (both eigenvalues > 0, neither within DEGENERATE_TOL of zero); NaN elsewhere:
    an indefinite, negative-definite, singular or non-finite Hessian has no condition number."""
    positive = _kind_codes(eigenvalues, DEGENERATE_TOL) == 1
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(positive, eigenvalues[..., 1] / eigenvalues[..., 0], np.nan)


_DEFINITENESS = {
    1: "positive definite",
    -1: "negative definite",
    0: "indefinite",
    2: "singular",
    3: "not defined",
}


def _code(eigenvalues) -> int:
    eigenvalues = np.sort(np.asarray(eigenvalues, dtype=float).reshape(2))
    return int(_kind_codes(eigenvalues, DEGENERATE_TOL, undefined=3))


def definiteness(eigenvalues) -> str:
    """ "positive definite", "negative definite", "indefinite", "singular" (an eigenvalue
    within DEGENERATE_TOL × |λ|max of zero) or "not defined" (not finite)."""
    return _DEFINITENESS[_code(eigenvalues)]


def eigenvalue_signs(eigenvalues) -> str:
    """Where the eigenvalues λ₁ ≤ λ₂ lie against zero, as "λ₁ < 0 < λ₂" (≈ 0 for one within
    DEGENERATE_TOL × |λ|max of zero); "" where they are not finite."""
    low, high = np.sort(np.asarray(eigenvalues, dtype=float).reshape(2))
    if not (np.isfinite(low) and np.isfinite(high)):
        return ""
    scale = max(abs(low), abs(high))
    sign = [0 if abs(v) <= DEGENERATE_TOL * scale else (1 if v > 0 else -1) for v in (low, high)]
    return {
        (1, 1): "0 < λ₁ ≤ λ₂",
        (-1, 1): "λ₁ < 0 < λ₂",
        (-1, -1): "λ₁ ≤ λ₂ < 0",
        (0, 1): "λ₁ ≈ 0 < λ₂",
        (-1, 0): "λ₁ < 0 ≈ λ₂",
        (0, 0): "λ₁ ≈ λ₂ ≈ 0",
    }[(sign[0], sign[1])]


def classify(eigenvalues, tol: float = DEGENERATE_TOL) -> str:
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
    condition_number: float  # λmax / λmin if H is positive definite, else NaN
    kind: str
    problem: str = ""  # why the test cannot be made here; "" where it can

    @property
    def defined(self) -> bool:
        return not self.problem

    @property
    def gradient_norm(self) -> float:
        return float(np.hypot(*self.gradient))

    @property
    def definiteness(self) -> str:
        """What H is: "positive definite", "negative definite", "indefinite", "singular" or
        "not defined"."""
        return definiteness(self.eigenvalues)


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


def condition_text(curv: Curvature) -> str:
    """The condition number in words: κ = λmax / λmin where H is positive definite; elsewhere
    that there is none, what H is and where its eigenvalues lie against zero. "" where H is
    not defined."""
    if not curv.defined:
        return ""
    if curv.definiteness == "positive definite":
        return (
            f"**Condition number κ = λmax / λmin = {curv.condition_number:.4g}** "
            f"(H is positive definite: {eigenvalue_signs(curv.eigenvalues)})"
        )
    return (
        f"**No condition number here: H is {curv.definiteness}** "
        f"({eigenvalue_signs(curv.eigenvalues)}); κ = λmax / λmin is defined for a "
        "positive-definite Hessian only"
    )
