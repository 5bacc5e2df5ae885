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
"""

import math
from dataclasses import dataclass

import numpy as np

from optim_core.metadata import OptimizerError, optimizer_spec


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

    Gradient descent: α < 2/λ_max.  Heavy ball: αλ_max < 2(1 + μ).  Look-ahead Nesterov (either
    form): αλ_max < 2(1 + μ)/(1 + 2μ).  ``momentum`` may be an array.
    """
    mu = np.asarray(momentum, dtype=float)
    if optimizer == "sgd":
        edge = 2.0 / lam_max + 0.0 * mu
    elif optimizer == "momentum":
        edge = 2.0 * (1.0 + mu) / lam_max
    elif optimizer in ("nesterov", "nesterov_reparam"):
        edge = 2.0 * (1.0 + mu) / ((1.0 + 2.0 * mu) * lam_max)
    else:
        return None
    return float(edge) if np.ndim(edge) == 0 else edge


def _n(x):
    return f"{x:.3g}"


def divergence_reason(surface, optimizer: str, hyper: dict, diverged_at) -> str:
    """Why a run diverged, in plain words (the theory for quadratics, a generic hint otherwise)."""
    spec = optimizer_spec(optimizer)
    if diverged_at is None or diverged_at < 0:
        return "The run did not diverge."
    eigenvalues = getattr(surface, "quadratic_eigenvalues", None)
    lr = hyper.get("lr", spec.hyper[0].default)
    mu = hyper.get("momentum", 0.0)
    generic = (
        f"The iterate left the view by a factor of 1000 (or became non-finite) at step "
        f"{diverged_at} — try a smaller learning rate."
    )
    if eigenvalues is None or np.ndim(lr) or np.ndim(mu):
        return generic
    lam_min, lam = eigenvalues
    if lam_min < 0:
        return (
            f"λ_min = {_n(lam_min)} < 0: the surface curves downward along one direction and has "
            f"no minimum, so the iterate slides away along it without end (it left the view at "
            f"step {diverged_at})."
        )
    edge = stable_lr(optimizer, lam, mu)
    if edge is None or lr < edge:
        return generic
    if optimizer == "sgd":
        return (
            f"|1 − αλ_max| = |1 − {_n(lr)}·{_n(lam)}| = {_n(abs(1 - lr * lam))} > 1: the step "
            f"overshoots along the steepest direction and grows every step (diverged at step "
            f"{diverged_at}). Stable only for α < 2/λ_max = {_n(2 / lam)}."
        )
    if optimizer == "momentum":
        return (
            f"αλ_max = {_n(lr)}·{_n(lam)} = {_n(lr * lam)} ≥ 2(1 + μ) = {_n(2 * (1 + mu))}: "
            f"heavy-ball momentum overshoots along the steepest direction (diverged at step "
            f"{diverged_at}). Stable only for α < 2(1 + μ)/λ_max = {_n(edge)}."
        )
    bound = 2 * (1 + mu) / (1 + 2 * mu)
    return (
        f"αλ_max = {_n(lr)}·{_n(lam)} = {_n(lr * lam)} ≥ 2(1 + μ)/(1 + 2μ) = {_n(bound)}: "
        f"Nesterov momentum overshoots along the steepest direction (diverged at step "
        f"{diverged_at}). Stable only for α < {_n(edge)}."
    )


# ---------------------------------------------------------------------------- suggest_lr

_GRID = 7  # Hessians sampled on a 7 × 7 grid over the view, plus the start
_CURVATURE_SCALE = {"sgd": 1.0, "momentum": 0.3, "nesterov": 0.3, "nesterov_reparam": 0.3}
_VIEW_SCALE = {  # fraction of the view's diameter
    "adagrad": 0.1,
    "rmsprop": 0.005,
    "rmsprop_nesterov": 0.001,
    "adam": 0.02,
    "adamw": 0.02,
    "amsgrad": 0.02,
    "nadam": 0.02,
}
_FIXED = {"adadelta": 1.0, "newton": 1.0}
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

    Gradient-descent types take ~1/L (sgd) or ~0.3/L (momentum, Nesterov) with L a robust
    largest curvature (below 2/L, the stability limit); adaptive methods, whose steps are
    about α per coordinate, take a fraction of the view's size; Adadelta and Newton take 1.
    The result stays inside the optimizer's learning-rate slider range.
    """
    spec = optimizer_spec(optimizer).hyper[0]
    if optimizer in _FIXED:
        lr = _FIXED[optimizer]
    elif optimizer in _CURVATURE_SCALE:
        curvature = _curvature_scale(surface, start)
        lr = _CURVATURE_SCALE[optimizer] / curvature if curvature > 0 else spec.default
    else:
        (xmin, xmax), (ymin, ymax) = surface.bounds
        lr = _VIEW_SCALE[optimizer] * math.hypot(xmax - xmin, ymax - ymin)
    return _nice_floor(min(max(lr, spec.min), spec.max))
