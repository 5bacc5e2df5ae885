"""The catalog of loss surfaces: each a SymPy expression with parameters, a view that shows
the interesting part, a good start point and its known minima (global first).

An entry here says what its sliders need and names its builder in `_shapes`, where the
surface's mathematics is; `get_surface` checks the parameters, builds the surface and polishes
its minima by Newton's method.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ._critical_search import _newton
from ._point_curvature import classify
from ._shapes import (
    _beale,
    _bowl,
    _fmt,
    _himmelblau,
    _logistic,
    _matyas,
    _multi_minimum,
    _plateau,
    _rastrigin,
    _regression,
    _rosenbrock,
    _saddle,
    _Shape,
    _six_hump_camel,
)
from ._surface import Surface, SurfaceError
from .data import feature_scale_ratio, logistic_data, regression_condition, regression_data

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
    switch: bool = False  # off or on (0 or 1): drawn as a switch, not a slider


@dataclass(frozen=True)
class SurfaceSpec:
    """One catalog entry: what the sliders need, and the builder that turns parameter values
    into the surface's expression, view, start and minima."""

    id: str
    name: str
    description: str
    params: tuple[Param, ...]
    build: Callable[..., _Shape] = field(repr=False, compare=False, kw_only=True)


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
            "at weights (x, y) = (w₁, w₂). Raw features differ in scale by "
            f"{feature_scale_ratio():.3g}× (the ratio of their standard deviations), which "
            f"makes a long narrow valley (κ = {regression_condition(False):.3g}); standardized "
            f"features make the bowl nearly round (κ = {regression_condition(True):.3g}).",
            (
                Param(
                    "standardized",
                    "standardized features",
                    0.0,
                    0.0,
                    1.0,
                    1.0,
                    "Off: raw features; on: each feature scaled to mean 0 and variance 1.",
                    switch=True,
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
    if param.switch and number not in (0.0, 1.0):
        raise SurfaceError(f"Parameter '{param.name}' {where} must be 0 or 1, got {value!r}")
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
