"""Grids of runs (learning rate × a second hyperparameter, or × the batch size), the best cell,
what theory says about an optimizer on a convex quadratic, measured and predicted loss curves,
and the rotated-bowl comparison. Plain values in, frozen results out; no Streamlit, no Plotly.

Theory on f(θ) = ½ θᵀAθ, eigenvalues 0 < λ_min ≤ λ_max of A, κ = λ_max / λ_min. Each method is
a linear recurrence per eigen-direction, so its rate is the spectral radius of a 2 × 2 matrix:

* gradient descent, e ← (1 − αλ) e;
* heavy ball, e_{k+1} = (1 + μ − αλ) e_k − μ e_{k−1};
* look-ahead Nesterov, e_{k+1} = (1 + μ)(1 − αλ) e_k − μ(1 − αλ) e_{k−1} (either form: the
  torch form is the same recurrence on the look-ahead point).

Optima: gradient descent at α = 2/(λ_min + λ_max), rate (κ − 1)/(κ + 1); heavy ball at
α = 4/(√λ_max + √λ_min)², μ = ((√κ − 1)/(√κ + 1))², rate (√κ − 1)/(√κ + 1) (Polyak 1964);
Nesterov at α = 4/(3λ_max + λ_min), μ = (√(3κ+1) − 2)/(√(3κ+1) + 2), rate 1 − 2/√(3κ + 1)
(Lessard, Recht & Packard 2016). Adaptive methods have no such theory here.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from optim_core.analysis import steps_to_tolerance
from optim_core.optimizers import optimizer_spec
from optim_core.runner import deadline_instant, run, run_batch
from optim_core.sweep import Sweep, reference_loss, second_values, sweep
from optim_core.theory import QuadraticTheory, quadratic_theory, stable_lr, suggest_lr

__all__ = [
    "Cell",
    "Curve",
    "Optimum",
    "Overlay",
    "RotationComparison",
    "batch_sizes",
    "batch_sweep",
    "best_cell",
    "grid_sweep",
    "linear_rate",
    "optimum",
    "predicted_curves",
    "rotation_comparison",
    "surface_theory",
    "theory_overlay",
]

THEORY_OPTIMIZERS = ("sgd", "momentum", "nesterov", "nesterov_reparam")
NESTEROV = ("nesterov", "nesterov_reparam")


# ---------------------------------------------------------------------------- the grid


def grid_sweep(
    surface,
    optimizer: str,
    start,
    lr_range: tuple[float, float],
    n: int,
    steps: int,
    tol: float,
    fixed: dict | None = None,
    *,
    deadline=None,
) -> Sweep:
    """n log-spaced learning rates over ``lr_range`` (× n values of the second hyperparameter
    over its slider range), all in one batch. ``tol`` is relative: a run has settled at the
    step from which f − f* stays within tol × (f(start) − f*) to the end. ``deadline``
    (seconds, None: none) as in ``run_batch``."""
    lrs = np.geomspace(lr_range[0], lr_range[1], n)
    return sweep(
        surface,
        optimizer,
        start,
        lrs,
        seconds=second_values(optimizer, n),
        steps=steps,
        tol=tol,
        deadline=deadline,
        **(fixed or {}),
    )


def batch_sizes(n_examples: int) -> tuple[int, ...]:
    """The batch sizes of a learning rate × batch size grid: 1, 2, 4, … below N, and N."""
    return (
        *(2**k for k in range(max(n_examples - 1, 1).bit_length()) if 2**k < n_examples),
        n_examples,
    )


def tail_length(steps: int) -> int:
    """How many final steps a noisy run's final loss is averaged over: the last tenth."""
    return max(1, steps // 10)


def batch_sweep(
    surface,
    optimizer: str,
    start,
    lr_range: tuple[float, float],
    n: int,
    steps: int,
    tol: float,
    fixed: dict | None = None,
    *,
    sampling: str = "shuffle",
    seed: int = 0,
    sizes=None,
    deadline=None,
) -> Sweep:
    """n log-spaced learning rates over ``lr_range`` × the batch sizes ``sizes`` (default
    ``batch_sizes(N)``) on a data surface: one ``run_batch`` per size, every cell drawing its
    own mini-batches (``sampling``, ``seed``). The result's ``seconds`` are the sizes (rows),
    and its ``final_gap`` is f − f* averaged over the last ``tail_length(steps)`` steps, a
    noisy run's level rather than where its last step happened to land: the floor SGD's noise
    holds it at, which grows like α/m. ``tol`` as in ``grid_sweep``; ``deadline`` (seconds,
    None: none) bounds all the sizes' runs together (each gets what time is left), and the
    result's ``deadline_at`` is the fewest steps a size took."""
    lrs = np.geomspace(lr_range[0], lr_range[1], n)
    sizes = np.asarray(batch_sizes(surface.n_examples) if sizes is None else sizes, dtype=int)
    until = deadline_instant(deadline)
    runs = []
    for m in sizes:
        left = None if until is None else max(until - time.monotonic(), 0.0)
        runs.append(
            run_batch(
                surface,
                optimizer,
                np.asarray(start, dtype=float),
                steps,
                lr=lrs,
                batch_size=int(m),
                sampling=sampling,
                seed=seed,
                deadline=left,
                **(fixed or {}),
            )
        )
    cuts = [r.deadline_at for r in runs if r.deadline_at is not None]
    loss = np.stack([r.loss for r in runs], axis=1)  # (steps + 1, sizes, n)
    diverged_at = np.stack([r.diverged_at for r in runs])
    f_ref = reference_loss(surface, loss)
    gap = np.maximum(loss - f_ref, 0.0)
    tail = gap[-tail_length(steps) :].mean(axis=0)
    flat = gap.reshape(steps + 1, -1)
    settled = steps_to_tolerance(flat, diverged_at.ravel(), tol * flat[0])
    return Sweep(
        optimizer=optimizer,
        lrs=lrs,
        seconds=sizes.astype(float),
        final_gap=np.where(diverged_at >= 0, np.nan, tail),
        steps_to_tol=settled.reshape(diverged_at.shape),
        diverged_at=diverged_at,
        f_ref=f_ref,
        deadline_at=min(cuts) if cuts else None,
    )


@dataclass(frozen=True)
class Cell:
    """One cell of the grid: a learning rate and, for two-axis grids, the second value."""

    lr: float
    second: float | None = None


def best_cell(result: Sweep) -> Cell:
    """The best cell: fewest steps to settle within tolerance, else the lowest final loss,
    else (every run diverged) the smallest learning rate."""
    for values in (result.steps_to_tol, result.final_gap):
        if np.isfinite(values).any():
            index = np.unravel_index(np.nanargmin(values), values.shape)
            break
    else:
        index = (0,) * result.final_gap.ndim
    if result.seconds is None:
        return Cell(float(result.lrs[index[0]]))
    return Cell(float(result.lrs[index[1]]), float(result.seconds[index[0]]))


# ---------------------------------------------------------------------------- theory


def surface_theory(surface) -> QuadraticTheory | None:
    """The quadratic theory of ``surface``, or None (not a quadratic, or not convex)."""
    eigenvalues = getattr(surface, "quadratic_eigenvalues", None)
    if eigenvalues is None or not eigenvalues[0] > 0:
        return None
    return quadratic_theory(*eigenvalues)


def linear_rate(optimizer: str, lr, momentum, lam_min: float, lam_max: float):
    """Per-step contraction of the distance to the minimum on a quadratic (the spectral
    radius of the method's recurrence, worst of the two eigen-directions); above 1 it
    diverges. ``lr`` and ``momentum`` may be arrays. None for optimizers without theory."""
    if optimizer not in THEORY_OPTIMIZERS:
        return None
    lr = np.asarray(lr, dtype=float)
    mu = np.asarray(0.0 if optimizer == "sgd" else momentum, dtype=float)
    worst = np.zeros(np.broadcast_shapes(lr.shape, mu.shape))
    for lam in (lam_min, lam_max):
        shrink = 1.0 - lr * lam
        if optimizer == "sgd":
            trace, det = shrink, np.zeros_like(shrink)
        elif optimizer == "momentum":
            trace, det = 1.0 + mu - lr * lam, mu + 0.0 * shrink
        else:
            trace, det = (1.0 + mu) * shrink, mu * shrink
        # roots of z² − trace·z + det = 0
        disc = np.sqrt((trace / 2) ** 2 - det + 0j)
        radius = np.maximum(np.abs(trace / 2 + disc), np.abs(trace / 2 - disc))
        worst = np.maximum(worst, radius)
    return float(worst) if worst.ndim == 0 else worst


@dataclass(frozen=True)
class Optimum:
    """The best hyperparameters theory knows for an optimizer on this quadratic."""

    optimizer: str
    lr: float
    second: float | None  # μ for the momentum methods, None for gradient descent
    rate: float  # per step, for the distance to the minimum
    formula: str  # how α (and μ) follow from λ_min, λ_max


def optimum(optimizer: str, theory: QuadraticTheory) -> Optimum | None:
    """The theory's optimal (α, μ) for ``optimizer``, or None where it has none."""
    if optimizer == "sgd":
        return Optimum("sgd", theory.gd_lr_opt, None, theory.gd_rate, "α = 2/(λ_min+λ_max)")
    if optimizer == "momentum":
        return Optimum(
            "momentum",
            theory.momentum_lr_opt,
            theory.momentum_opt,
            theory.momentum_rate,
            "α = 4/(√λ_max+√λ_min)², μ = ((√κ−1)/(√κ+1))²",
        )
    if optimizer in NESTEROV:
        root = math.sqrt(3.0 * theory.kappa + 1.0)
        return Optimum(
            optimizer,
            4.0 / (3.0 * theory.lam_max + theory.lam_min),
            (root - 2.0) / (root + 2.0),
            1.0 - 2.0 / root,
            "α = 4/(3λ_max+λ_min), μ = (√(3κ+1)−2)/(√(3κ+1)+2)",
        )
    return None


@dataclass(frozen=True, eq=False)
class Overlay:
    """What theory draws on the outcome chart for the chosen optimizer on a convex quadratic."""

    gd_edge: float  # 2/λ_max: gradient descent (μ = 0) is stable below
    edge: np.ndarray | None  # the stable α for each second value of the grid (momentum methods)
    optimum: Optimum | None


def theory_overlay(
    optimizer: str, theory: QuadraticTheory | None, seconds, *, batch_axis: bool = False
) -> Overlay | None:
    """The theory marks for ``optimizer`` (None: no theory for it or for this surface). Only
    what holds for that optimizer: its own stability edge (its entry's) and its own optimum
    (None where theory knows none). On a batch-size grid (``batch_axis``) only gradient
    descent's edge 2/λ_max: the optimum and the edge in μ have no place on an m axis."""
    if theory is None or stable_lr(optimizer, theory.lam_max) is None:
        return None
    if batch_axis:
        return Overlay(theory.lr_stable_max, None, None)
    edge = None
    if seconds is not None:
        edge = np.asarray(stable_lr(optimizer, theory.lam_max, np.asarray(seconds)), dtype=float)
    return Overlay(theory.lr_stable_max, edge, optimum(optimizer, theory))


# ---------------------------------------------------------------------------- loss curves


@dataclass(frozen=True, eq=False)
class Curve:
    """A loss-gap curve f − f* by step: measured (a run) or predicted (dashed)."""

    name: str
    gap: np.ndarray  # (steps + 1,)
    optimizer: str  # for its colour
    predicted: bool = False
    diverged_at: int | None = None


def measured_curve(name: str, trajectory, f_ref: float, optimizer: str) -> Curve:
    return Curve(name, trajectory.loss - f_ref, optimizer, diverged_at=trajectory.diverged_at)


def predicted_curves(
    surface,
    start,
    theory: QuadraticTheory,
    steps: int,
    f_ref: float,
    optimizers=("sgd", "momentum"),
) -> tuple[Curve, ...]:
    """For each optimizer at its theory optimum: the measured loss gap and the predicted one,
    gap₀ · rate^(2t) (the loss shrinks by the square of the distance's rate)."""
    t = np.arange(steps + 1)
    curves = []
    for opt in optimizers:
        best = optimum(opt, theory)
        hyper = {"lr": best.lr} if best.second is None else {"lr": best.lr, "momentum": best.second}
        traj = run(surface, opt, start=start, steps=steps, **hyper)
        measured = measured_curve(f"{optimizer_spec(opt).name} at its optimum", traj, f_ref, opt)
        curves.append(measured)
        predicted = max(float(measured.gap[0]), 0.0) * best.rate ** (2.0 * t)
        curves.append(Curve(f"predicted: rate² = {best.rate**2:.4f}", predicted, opt, True))
    return tuple(curves)


# ---------------------------------------------------------------------------- rotation


@dataclass(frozen=True, eq=False)
class RotationComparison:
    """Steps to tolerance (best α of a small sweep) of each optimizer on the bowl turned by
    each angle; NaN where no learning rate settled within ``max_steps``."""

    kappa: float
    angles: tuple[float, ...]
    optimizers: tuple[str, ...]
    steps: tuple[np.ndarray, ...]  # one (len(angles),) array per optimizer
    max_steps: int
    n_lrs: int
    tol: float


def rotation_comparison(
    kappa: float,
    tol: float,
    *,
    angles=(0.0, 15.0, 30.0, 45.0, 60.0, 75.0, 90.0),
    optimizers=("sgd", "adagrad", "adam"),
    n_lrs: int = 16,
    max_steps: int = 300,
) -> RotationComparison:
    """Each optimizer at its best of ``n_lrs`` learning rates (÷30 … ×30 its suggestion), on
    the bowl of condition ``kappa`` turned by each angle, from the bowl's start (which turns
    with it): a rotation-invariant method needs the same steps at every angle."""
    from surfaces import get_surface  # the catalog's bowl; surfaces never imports optim_core

    upright = get_surface("bowl", kappa=kappa, angle=0.0)
    out = []
    for opt in optimizers:
        center = suggest_lr(opt, upright, upright.start)
        lrs = np.geomspace(center / 30, center * 30, n_lrs)
        best = []
        for angle in angles:
            bowl = get_surface("bowl", kappa=kappa, angle=angle)
            reached = sweep(bowl, opt, bowl.start, lrs, steps=max_steps, tol=tol).steps_to_tol
            best.append(np.nanmin(reached) if np.isfinite(reached).any() else np.nan)
        out.append(np.asarray(best, dtype=float))
    return RotationComparison(
        float(kappa), tuple(angles), tuple(optimizers), tuple(out), max_steps, n_lrs, tol
    )
