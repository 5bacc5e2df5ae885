"""Second order: ``newton``, damped and optionally saddle-free, from the exact Hessian that
the runner passes (``uses_hessian``): in closed form for 2 × 2 Hessians, through
``np.linalg.eigh`` for P × P ones (a surface of ``dim`` P).
"""

import numpy as np

from optim_core._shared import (
    floored,
    pair,
    symmetric_eig2,
)
from optim_core.optimizers._parts import (
    LR_MU,
    STEP,
    G,
    as_mask,
    empty,
    from_inspect,
)
from optim_core.spec import (
    DAMPING,
    SADDLE_FREE,
    FixedLR,
    Optimizer,
    OptimizerSpec,
    aligned,
    lr_hyper,
)


def newton(damping=0.0, saddle_free=False) -> Optimizer:
    """``newton``: d = −(H̃ + λI)⁻¹ g with H = QΛQᵀ and H̃ = Q|Λ|Qᵀ when saddle-free; θ ← θ + α_t d.

    Curvatures λ_i (+ damping) closer to zero than 1e-8 of the largest are floored (sign kept),
    so a singular Hessian gives a large but defined step, never an error.
    """
    absolute = as_mask(saddle_free)

    def inspect(grads, state, params, t, lr, hessian=None):
        if grads.shape[-1] != 2:
            return inspect_p(grads, state, params, lr, hessian)
        eigenvalues, cos, sin = symmetric_eig2(hessian)
        curvatures = floored(eigenvalues + absolute * (np.abs(eigenvalues) - eigenvalues) + damping)
        # coordinates of g along the eigenvectors (−sin, cos) and (cos, sin), each divided by
        # its curvature, then mapped back: d = −Q (Λ̃ + λI)⁻¹ Qᵀ g
        g0, g1 = grads[:, 0], grads[:, 1]
        low = (cos * g1 - sin * g0) / curvatures[:, 0]
        high = (cos * g0 + sin * g1) / curvatures[:, 1]
        direction = pair(sin * low - cos * high, -(cos * low + sin * high))
        step = lr * direction
        diagnostics = {
            "hessian": hessian,
            "hessian_eigenvalues": eigenvalues,
            "newton_direction": direction,
            "step": step,
        }
        return params + step, state, diagnostics

    def inspect_p(grads, state, params, lr, hessian):
        """The same rule for P × P Hessians (B, P, P), through their eigendecomposition."""
        eigenvalues, q = np.linalg.eigh(0.5 * (hessian + np.swapaxes(hessian, -1, -2)))
        curvatures = floored(eigenvalues + absolute * (np.abs(eigenvalues) - eigenvalues) + damping)
        along = (grads[:, None, :] @ q)[:, 0]  # Qᵀ g, per member
        direction = -(q @ (along / curvatures)[:, :, None])[:, :, 0]
        step = lr * direction
        diagnostics = {
            "hessian": hessian,
            "hessian_eigenvalues": eigenvalues,
            "newton_direction": direction,
            "step": step,
        }
        return params + step, state, diagnostics

    return from_inspect(empty, inspect, uses_hessian=True)


def _newton_latex(flags):
    curvature = r"|\Lambda|" if flags["saddle_free"] else r"\Lambda"
    return aligned(
        G,
        r"H &\leftarrow \nabla^2 f(\theta) = Q \Lambda Q^\top",
        rf"d &\leftarrow -\,Q\,({curvature} + \lambda I)^{{-1}} Q^\top g",
        r"\theta &\leftarrow \theta + \alpha_t\, d",
    )


def _newton_code(flags):
    absolute = "lam = np.abs(lam)  # saddle-free\n" if flags["saddle_free"] else ""
    return (
        "dx, H = grad(x), hessian(x)\n"
        "lam, Q = np.linalg.eigh(H)\n"
        f"{absolute}"
        "d = -Q @ ((Q.T @ dx) / (lam + damping))\n"
        "x += learning_rate * d"
    )


def _newton_fields(flags):
    direction = "saddle-free Newton direction" if flags["saddle_free"] else "Newton direction"
    return (
        ("hessian", "H", "Hessian at the iterate"),
        ("hessian_eigenvalues", r"\Lambda", "eigenvalues of H, ascending"),
        ("newton_direction", "d", f"{direction}: the step for α = 1"),
        STEP,
    )


NEWTON = OptimizerSpec.entry(
    id="newton",
    name="Newton's method",
    description="Jump to the minimum of the local quadratic model, using the Hessian.",
    build=newton,
    hyper=(lr_hyper(1.0, 1e-3, 2.0), DAMPING, SADDLE_FREE),
    latex=_newton_latex,
    code=_newton_code,
    code_names=LR_MU,
    equals="Goodfellow et al., Deep Learning, eq. 8.28 (Dauphin et al. 2014 when saddle-free)",
    convention=(
        "Damped Newton: λ is added to every eigenvalue. Curvatures closer to 0 than 1e-8 "
        "of the largest are floored (sign kept), so a singular Hessian gives a huge but "
        "defined step. Plain Newton is attracted to saddles and maxima; saddle-free is not."
    ),
    state_fields=_newton_fields,
    lr_rule=FixedLR(1.0),
    color="#882255",
    marker="bowtie",
)
