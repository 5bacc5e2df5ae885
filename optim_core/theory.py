"""What theory predicts: learning-rate bands and rates on quadratics, why a run diverged, and a
learning rate suited to a surface.

On f(θ) = ½ θᵀAθ with eigenvalues λ_min ≤ λ_max of A (κ = λ_max/λ_min):

* gradient descent multiplies the error along eigenvector i by (1 − αλ_i) per step: it is
  stable for 0 < α < 2/λ_max, its rate is max_i |1 − αλ_i|, smallest at α = 2/(λ_min + λ_max)
  where it equals (κ − 1)/(κ + 1);
* heavy-ball momentum is stable for αλ_i < 2(1 + μ) (0 ≤ μ < 1); at
  α = 4/(√λ_max + √λ_min)² and μ = ((√κ − 1)/(√κ + 1))² its rate is (√κ − 1)/(√κ + 1)
  (Polyak 1964; Goh, "Why Momentum Really Works", 2017);
* look-ahead Nesterov momentum is stable for αλ_i < 2(1 + μ)/(1 + 2μ).

Rates are per step for the distance to the minimum; the loss shrinks by the rate squared.

Two words, one meaning each, written out by ``LEFT_THE_VIEW`` and ``DIVERGED`` wherever a text
uses them: a run *left the view* at the first step whose iterate lies outside the chart's box,
the surface's bounds (``left_view_at``); it *diverged* at the step the runner's divergence rule
stopped it (``Trajectory.diverged_at``), much farther out. A run may leave the view and come
back; a run that diverged has stopped.
"""

import math
from dataclasses import dataclass

import numpy as np

from optim_core._loop import DIVERGENCE_FACTOR
from optim_core.optimizers import optimizer_spec
from optim_core.spec import CurvatureScaled, FixedLR, OptimizerError, ViewScaled, fmt


@dataclass(frozen=True)
class QuadraticTheory:
    lam_min: float
    lam_max: float
    kappa: float
    lr_stable_max: float  # 2/λ_max: gradient descent diverges above it
    gd_lr_opt: float  # 2/(λ_min + λ_max)
    gd_rate: float  # (κ − 1)/(κ + 1)
    momentum_lr_opt: float  # 4/(√λ_max + √λ_min)²
    momentum_opt: float  # ((√κ − 1)/(√κ + 1))²
    momentum_rate: float  # (√κ − 1)/(√κ + 1)


def quadratic_theory(lam_min: float, lam_max: float) -> QuadraticTheory:
    """Stable band, optimal learning rates and rates for eigenvalues 0 < λ_min ≤ λ_max."""
    if not (np.isfinite(lam_min) and np.isfinite(lam_max) and 0 < lam_min <= lam_max):
        raise OptimizerError(
            "Quadratic theory needs 0 < λ_min <= λ_max (a convex bowl); "
            f"got {lam_min:g}, {lam_max:g}"
        )
    kappa = lam_max / lam_min
    root = math.sqrt(kappa)
    return QuadraticTheory(
        lam_min=float(lam_min),
        lam_max=float(lam_max),
        kappa=kappa,
        lr_stable_max=2.0 / lam_max,
        gd_lr_opt=2.0 / (lam_min + lam_max),
        gd_rate=(kappa - 1.0) / (kappa + 1.0),
        momentum_lr_opt=4.0 / (math.sqrt(lam_max) + math.sqrt(lam_min)) ** 2,
        momentum_opt=((root - 1.0) / (root + 1.0)) ** 2,
        momentum_rate=(root - 1.0) / (root + 1.0),
    )


def gd_rate(lr, lam_min, lam_max):
    """Per-step contraction max(|1 − αλ_min|, |1 − αλ_max|) of gradient descent (α may be an
    array); above 1 the run diverges."""
    rate = np.maximum(np.abs(1.0 - lr * lam_min), np.abs(1.0 - lr * lam_max))
    return float(rate) if np.ndim(rate) == 0 else rate


def stable_lr(optimizer: str, lam_max: float, momentum=0.0):
    """The largest stable α on a quadratic with top curvature λ_max, or None if no theory.

    The edge is the optimizer entry's ``stability`` (gradient descent: α < 2/λ_max; heavy
    ball: αλ_max < 2(1 + μ); look-ahead Nesterov, either form: αλ_max < 2(1 + μ)/(1 + 2μ)).
    ``momentum`` may be an array.
    """
    stability = optimizer_spec(optimizer).stability
    if stability is None:
        return None
    edge = stability.edge(lam_max, np.asarray(momentum, dtype=float))
    return float(edge) if np.ndim(edge) == 0 else edge


# ---------------------------------------------------------------------------- the two words

LEFT_THE_VIEW = "an iterate outside the chart's box {box}"
DIVERGED = (
    "the divergence rule: a run stops at an iterate that is not finite, that lies farther than "
    f"{DIVERGENCE_FACTOR:g} × the view's diameter from the view's centre, or where f is not "
    "finite"
)


def _number(x: float) -> str:
    return f"{x:.3g}".replace("-", "−")


def view_box(surface) -> str:
    """The chart's box in words: "[−3, 3] × [−3, 3]"."""
    (x0, x1), (y0, y1) = surface.bounds
    return f"[{_number(x0)}, {_number(x1)}] × [{_number(y0)}, {_number(y1)}]"


def left_view_at(surface, path, bounds=None) -> int | None:
    """The first step t ≥ 1 whose iterate ``path[t]`` lies outside the chart's box: the surface's
    bounds, or ``bounds`` (a view widened for a start typed outside). On its edge is inside, a
    non-finite iterate outside; None if every iterate stays inside."""
    (x0, x1), (y0, y1) = bounds or surface.bounds
    points = np.asarray(path, dtype=float)[1:]
    with np.errstate(invalid="ignore"):
        inside = (
            (points[:, 0] >= x0)
            & (points[:, 0] <= x1)
            & (points[:, 1] >= y0)
            & (points[:, 1] <= y1)
        )
    outside = np.flatnonzero(~inside)
    return int(outside[0]) + 1 if outside.size else None


def divergence_reason(surface, optimizer: str, hyper: dict, diverged_at) -> str:
    """Why a run diverged, in plain words (the theory for quadratics, a generic hint otherwise)."""
    spec = optimizer_spec(optimizer)
    if diverged_at is None or diverged_at < 0:
        return "The run did not diverge."
    eigenvalues = getattr(surface, "quadratic_eigenvalues", None)
    lr = hyper.get("lr", spec.hyper[0].default)
    mu = hyper.get("momentum", 0.0)
    generic = f"Stopped at step {diverged_at} by {DIVERGED} — try a smaller learning rate."
    if eigenvalues is None or np.ndim(lr) or np.ndim(mu):
        return generic
    lam_min, lam = eigenvalues
    if lam_min < 0:
        return (
            f"λ_min = {fmt(lam_min)} < 0: the surface curves downward along one direction and "
            f"has no minimum, so the iterate slides away along it without end (diverged at step "
            f"{diverged_at})."
        )
    edge = stable_lr(optimizer, lam, mu)
    if edge is None or lr < edge:
        return generic
    return spec.stability.explain(lr, lam, mu, edge, diverged_at)


# ---------------------------------------------------------------------------- suggest_lr

_GRID = 7  # Hessians sampled on a 7 × 7 grid over the view, plus the start
_NICE = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)


def _nice_floor(x: float) -> float:
    """The largest 'nice' value (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10ᵏ) not above x."""
    power = 10.0 ** math.floor(math.log10(x))
    mantissa = max(m for m in _NICE if m * power <= x * (1 + 1e-12))
    return float(f"{mantissa * power:.2g}")


def _curvature_scale(surface, start) -> float:
    """A robust max |λ(H)|: the Hessian's spectral norm at the start, or the 90th percentile
    over a grid on the view if larger; points where H is not finite are skipped."""
    (xmin, xmax), (ymin, ymax) = surface.bounds
    xs, ys = np.meshgrid(np.linspace(xmin, xmax, _GRID), np.linspace(ymin, ymax, _GRID))
    grid = np.stack([xs, ys], axis=-1).reshape(-1, 2)
    with np.errstate(all="ignore"):
        at_start, on_grid = (
            np.abs(np.linalg.eigvalsh(h[np.isfinite(h).all(axis=(-2, -1))])).max(axis=-1, initial=0)
            for h in (surface.hessian(np.asarray(start, float)[None]), surface.hessian(grid))
        )
    norms = on_grid[np.isfinite(on_grid)]
    return float(max(at_start.max(initial=0.0), np.percentile(norms, 90) if norms.size else 0.0))


def suggest_lr(optimizer: str, surface, start) -> float:
    """A learning rate suited to ``surface`` from ``start``, rounded down to a nice value.

    The entry's ``lr_rule`` says how: ``CurvatureScaled(c)`` gives c/L with L a robust largest
    curvature (sgd 1/L, below the stability limit 2/L; momentum and Nesterov 0.3/L);
    ``ViewScaled(f)`` a fraction f of the view's diameter, for adaptive and sign-based methods
    whose steps are about α per coordinate; ``FixedLR(v)`` the value v (Adadelta, Newton: 1).
    The result stays inside the optimizer's learning-rate slider range.
    """
    spec = optimizer_spec(optimizer)
    rule, slider = spec.lr_rule, spec.hyper[0]
    if isinstance(rule, FixedLR):
        lr = rule.value
    elif isinstance(rule, CurvatureScaled):
        curvature = _curvature_scale(surface, start)
        lr = rule.factor / curvature if curvature > 0 else slider.default
    elif isinstance(rule, ViewScaled):
        (xmin, xmax), (ymin, ymax) = surface.bounds
        lr = rule.fraction * math.hypot(xmax - xmin, ymax - ymin)
    else:
        raise OptimizerError(f"{optimizer}: unknown learning-rate heuristic {rule!r}")
    return _nice_floor(min(max(lr, slider.min), slider.max))
