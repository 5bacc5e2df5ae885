"""What the Learning-rate lab says about its grid and its theory: captions and verdicts with the
numbers of the run (``optim_core.grid`` computes them). No Streamlit, no Plotly."""

from __future__ import annotations

import numpy as np

from optim_core import OPTIMIZERS, QuadraticTheory
from optim_core.grid import RotationComparison, optimum, tail_length
from optim_core.sweep import Sweep

SETTLED = "stays within tol × (f(start) − f*) from step k to the end"


def theory_text(theory: QuadraticTheory) -> str:
    """What theory says on this quadratic, in words, with its numbers."""
    nesterov = optimum("nesterov", theory)
    return (
        f"Gradient descent is stable for **0 < α < 2/λ_max = {theory.lr_stable_max:.3g}** (the "
        "dashed line). At its best α it shrinks the distance to the minimum by **(κ−1)/(κ+1) = "
        f"{theory.gd_rate:.4f}** per step; heavy-ball momentum at its best (α, μ) by **(√κ−1)/"
        f"(√κ+1) = {theory.momentum_rate:.4f}**; look-ahead Nesterov at its own best by "
        f"**1 − 2/√(3κ+1) = {nesterov.rate:.4f}**. The loss shrinks by the square of that: "
        "straight lines on a log scale. The star on the chart is the chosen optimizer's own "
        "optimum (none for methods without this theory)."
    )


ROTATION_TEXT = (
    "Gradient descent is rotation-invariant: turn the bowl (sidebar) and it needs the same steps. "
    "AdaGrad, RMSProp and Adam divide each *coordinate* by its own gradient scale: on an "
    "axis-aligned bowl (0° or 90°) that undoes the ill-conditioning, on a rotated one it cannot. "
    "AdaGrad's lead melts as the bowl turns towards 45°."
)


def rotation_caption(comparison: RotationComparison) -> str:
    return (
        f"κ = {comparison.kappa:g}; each optimizer at its best of {comparison.n_lrs} learning "
        f"rates around its suggested one, {comparison.max_steps} steps from the bowl's start "
        f"(turned with the bowl); steps until f − f* {SETTLED}, tol = {comparison.tol:g}."
    )


def grid_caption(result: Sweep, steps: int, start, tol: float) -> str:
    return (
        f"{result.diverged_at.size} runs of {steps} steps from ({start[0]:.3g}, {start[1]:.3g}); "
        f"{result.n_diverged} diverged (red). f* = {result.f_ref:.6g}, the lowest loss known. "
        f"Steps to settle: the step k from which f − f* {SETTLED}, tol = {tol:g}."
    )


def batch_caption(result: Sweep, steps: int, start, tol: float, sampling: str) -> str:
    drawn = "shuffled epochs" if sampling == "shuffle" else "drawn with replacement"
    return (
        f"{result.diverged_at.size} runs of {steps} steps from ({start[0]:.3g}, "
        f"{start[1]:.3g}), mini-batches {drawn}; {result.n_diverged} diverged (red). Final "
        f"loss: f − f* averaged over the last {tail_length(steps)} steps, f* = "
        f"{result.f_ref:.6g}.{_batch_contrast(result)} Steps to settle: the step k from which "
        f"f − f* {SETTLED}, tol = {tol:g}."
    )


def _batch_contrast(result: Sweep) -> str:
    """The batch size at the smallest batch's best learning rate, in words (empty if that
    cell or the largest batch's diverged)."""
    small, large = result.final_gap[0], result.final_gap[-1]
    if not np.isfinite(small).any():
        return ""
    j = int(np.nanargmin(small))
    if not np.isfinite(large[j]):
        return ""
    return (
        f" At α = {result.lrs[j]:.3g}, the best for m = {result.seconds[0]:g}, it is "
        f"{small[j]:.3g} there and {large[j]:.3g} with m = {result.seconds[-1]:g}."
    )


def theory_metrics(theory: QuadraticTheory, optimizers) -> tuple[tuple[str, str, str], ...]:
    """(label, value, help) of each number the theory gives: κ, λ_min, λ_max and each
    optimizer's optimal α (and μ)."""
    out = [
        ("κ", f"{theory.kappa:.4g}", "condition number λ_max / λ_min"),
        ("λ_min", f"{theory.lam_min:.4g}", "smallest Hessian eigenvalue"),
        ("λ_max", f"{theory.lam_max:.4g}", "largest Hessian eigenvalue"),
    ]
    for opt in optimizers:
        best = optimum(opt, theory)
        both = best.second is not None
        out.append(
            (
                ("α*, μ*" if both else "α*") + f" of {OPTIMIZERS[opt].name}",
                f"{best.lr:.3g}" + (f", {best.second:.3g}" if both else ""),
                f"{best.formula}; rate {best.rate:.4f} per step",
            )
        )
    return tuple(out)


NOT_CONVEX = (
    "This quadratic is not convex (λ_min ≤ 0): there is no minimum to converge to, so no "
    "convergence rate — gradient descent runs away along the negative curvature."
)
NONE_SETTLED = (
    "No run settled within the tolerance in these steps: give them more steps, a looser "
    "tolerance or a wider learning-rate range."
)
