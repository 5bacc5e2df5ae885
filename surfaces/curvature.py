"""Curvature analysis: the Hessian at a point, the steps its quadratic model suggests, critical
points, and a curvature map.

Each part has its module; this one is where they are imported from:

- `_point_curvature`: the second-derivative test at one point (`curvature_at`, `classify`,
  `verdict`);
- `_model_steps`: the steps the quadratic model at a point suggests (`local_steps`);
- `_critical_search`: the search for critical points, which `critical_points` here runs
  within its time budget (`CRITICAL_BUDGET`);
- here too: the curvature map, the kind of curvature over a grid (`curvature_map`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ._critical_search import CriticalPoint, CriticalPoints, _critical_points
from ._model_steps import (
    LocalSteps,
    ModelStep,
    best_gradient_step,
    gradient_step,
    local_steps,
    newton_step,
)
from ._point_curvature import (
    CRITICAL_TOL,  # noqa: F401 (kept importable from here: the verdict's threshold)
    Curvature,
    _condition_number,
    _kind_codes,
    _symmetric_eigenvalues,
    classify,
    condition_text,
    curvature_at,
    definiteness,
    eigenvalue_signs,
    verdict,
)
from ._surface import Bounds, Surface

__all__ = [
    "CriticalPoint",
    "CriticalPoints",
    "Curvature",
    "CurvatureMap",
    "LocalSteps",
    "ModelStep",
    "best_gradient_step",
    "classify",
    "condition_text",
    "critical_points",
    "curvature_at",
    "curvature_map",
    "definiteness",
    "eigenvalue_signs",
    "gradient_step",
    "local_steps",
    "newton_step",
    "verdict",
]

UNDEFINED = 3  # curvature-map code where the Hessian is not finite (f not defined there)

CRITICAL_BUDGET = 1.5  # seconds: the critical-point search returns what it found by then


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


@dataclass(frozen=True, eq=False)
class CurvatureMap:
    """Curvature on an n × n grid: rows index y, columns index x (heatmap convention)."""

    xs: np.ndarray  # (n,)
    ys: np.ndarray  # (n,)
    kind: np.ndarray  # (n, n) int: 1 convex, -1 concave, 0 saddle, 2 degenerate, 3 undefined
    condition: np.ndarray  # (n, n) κ = λmax / λmin where H is positive definite, else NaN
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
