"""The steps the quadratic model at a point suggests, and what the surface does with them.

Near p the surface is its second-order Taylor model m(d) = f(p) + gᵀd + ½dᵀHd. Along the
gradient, m(−εg) = f − ε gᵀg + ½ε² gᵀHg: where gᵀHg > 0 it is smallest at ε* = gᵀg / gᵀHg,
lower than f by (gᵀg)² / (2 gᵀHg); where gᵀHg ≤ 0 the model has no minimum along −g.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._point_curvature import Curvature
from ._surface import Surface


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
        note = "∇f = 0 here: the gradient gives no direction (it is zero), so no step along it."
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
