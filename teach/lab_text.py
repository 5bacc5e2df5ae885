"""What the Learning-rate lab says about its grid and its theory: captions and verdicts with the
numbers of the run (``optim_core.grid`` computes them). No Streamlit, no Plotly."""

from __future__ import annotations

from dataclasses import dataclass

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


ROTATION_TITLE = "Turning the bowl: does the angle matter?"
_ALIGNED = (0.0, 90.0)  # the angles at which the bowl's axes are the coordinate axes
AS_ROUND = 0.1  # "about as many steps as on a round bowl": within 10 %, or one step


@dataclass(frozen=True)
class RotationVerdict:
    """What the rotation chart shows for one optimizer, each a predicate's outcome. Steps are
    the chart's (best α of the sweep); a run that never settled counts as slower than any.

    ``round`` its steps on the round bowl (κ = 1); ``aligned`` its most on the axis-aligned
    bowl, ``worst`` its most at any angle (and that angle); ``aligned_as_round`` /
    ``worst_as_round``: within AS_ROUND of its round-bowl steps (the ill-conditioning costs it
    about nothing there); ``vs_gd``: "faster" or "slower" than gradient descent at every angle,
    else "mixed" (``faster_at`` lists the angles where it is faster, maybe none)."""

    round: float
    aligned: float
    worst: float
    worst_angle: float
    aligned_as_round: bool
    worst_as_round: bool
    vs_gd: str
    faster_at: tuple[float, ...]


def _as_round(steps: float, round_steps: float) -> bool:
    return bool(steps <= round_steps * (1 + AS_ROUND) + 1)


def rotation_verdicts(
    comparison: RotationComparison, round_bowl: RotationComparison
) -> dict[str, RotationVerdict]:
    """Each optimizer's ``RotationVerdict``: ``comparison`` on the κ bowl, ``round_bowl`` the
    same sweep on the bowl of κ = 1 (its first angle)."""
    angles = np.asarray(comparison.angles)
    aligned = np.isin(angles, _ALIGNED)
    steps = {
        o: np.where(np.isfinite(v), v, np.inf)
        for o, v in zip(comparison.optimizers, comparison.steps, strict=True)
    }
    rounds = dict(zip(round_bowl.optimizers, (v[0] for v in round_bowl.steps), strict=True))
    gd, out = steps["sgd"], {}
    for opt, v in steps.items():
        r = float(rounds[opt]) if np.isfinite(rounds[opt]) else np.inf
        at_aligned = float(v[aligned].max()) if aligned.any() else float(v.max())
        worst = int(np.argmax(v))
        vs_gd = "faster" if np.all(v < gd) else "slower" if np.all(v > gd) else "mixed"
        out[opt] = RotationVerdict(
            r,
            at_aligned,
            float(v[worst]),
            float(angles[worst]),
            _as_round(at_aligned, r),
            _as_round(float(v[worst]), r),
            vs_gd,
            tuple(float(a) for a in angles[v < gd]),
        )
    return out


def _steps(value: float, max_steps: int) -> str:
    return f"{value:.0f}" if np.isfinite(value) else f"more than {max_steps}"


def _angles(angles) -> str:
    words = [f"{a:g}°" for a in angles]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def rotation_text(
    comparison: RotationComparison, round_bowl: RotationComparison, labels: dict[str, str]
) -> str:
    """What the rotation chart shows, in words chosen by ``rotation_verdicts``, with its
    numbers: what the ill-conditioning costs each optimizer on the axis-aligned and on the
    turned bowl (against its steps on a round bowl), and whether it beats gradient descent."""
    verdicts, top = rotation_verdicts(comparison, round_bowl), comparison.max_steps
    others = [o for o in comparison.optimizers if o != "sgd"]
    gd = verdicts["sgd"]
    lines = [
        f"{' and '.join(labels[o] for o in others)} divide each coordinate's step by that "
        "coordinate's own gradient scale, so turning the bowl changes what they do; gradient "
        "descent treats every direction alike. Each is compared with its own steps on a round "
        "bowl (κ = 1), where there is no ill-conditioning to undo."
    ]
    gd_steps = np.asarray(comparison.steps[comparison.optimizers.index("sgd")])
    gd_steps = np.where(np.isfinite(gd_steps), gd_steps, np.inf)
    if not np.isfinite(gd_steps).any():
        head = f"Gradient descent does not settle within {top} steps at any angle"
    elif np.all(gd_steps == gd_steps[0]):
        head = f"Gradient descent needs {_steps(gd.worst, top)} steps at every angle"
    else:
        head = f"Gradient descent needs up to {_steps(gd.worst, top)} steps"
    lines.append(f"{head}, against {_steps(gd.round, top)} on a round bowl.")
    for opt in others:
        v, name = verdicts[opt], labels[opt]
        round_steps = f"its {_steps(v.round, top)} on a round bowl"
        if v.aligned_as_round and not v.worst_as_round:
            said = (
                f"{name} needs {_steps(v.aligned, top)} on the axis-aligned bowl, about "
                f"{round_steps}: there, scaling each coordinate undoes the ill-conditioning. "
                f"Turned, it loses that: {_steps(v.worst, top)} at {v.worst_angle:g}°."
            )
        elif v.aligned_as_round:
            said = (
                f"{name} needs at most {_steps(v.worst, top)} at any angle, about "
                f"{round_steps}: the ill-conditioning costs it little, axis-aligned or turned."
            )
        else:
            said = (
                f"{name} needs {_steps(v.aligned, top)} on the axis-aligned bowl, more than "
                f"{round_steps}: its scaling does not undo the ill-conditioning even there."
            )
        if v.vs_gd == "mixed" and v.faster_at:
            said += f" It is faster than gradient descent at {_angles(v.faster_at)} only."
        elif v.vs_gd == "mixed":
            said += " It is faster than gradient descent at no angle."
        else:
            said += f" It is {v.vs_gd} than gradient descent at every angle."
        lines.append(said)
    return " ".join(lines)


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
    "This quadratic is not convex (λ_min < 0): there is no minimum to converge to, so no "
    "convergence rate — gradient descent runs away along the negative curvature."
)
SINGULAR = (
    "This quadratic is convex but flat along one direction (λ_min = 0): its minima fill a line "
    "(or there is none), so no unique minimum and no linear convergence rate."
)


def no_theory(eigenvalues) -> str:
    """Why a quadratic gets no convergence theory: curving down somewhere, or flat."""
    scale = max(abs(float(v)) for v in eigenvalues) or 1.0
    return NOT_CONVEX if min(float(v) for v in eigenvalues) < -1e-12 * scale else SINGULAR


NONE_SETTLED = (
    "No run settled within the tolerance in these steps: give them more steps, a looser "
    "tolerance or a wider learning-rate range."
)
