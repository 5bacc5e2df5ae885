"""Sign-based: ``lion`` (Chen et al. 2023), each coordinate moved by exactly α_t per step."""

from typing import NamedTuple

import numpy as np

from optim_core._shared import (
    ema,
)
from optim_core.optimizers._parts import (
    LR_MU,
    STEP,
    G,
    from_inspect,
    zeros_like_params,
)
from optim_core.spec import (
    Optimizer,
    OptimizerSpec,
    ViewScaled,
    aligned,
    beta1_hyper,
    beta2_hyper,
    lr_hyper,
    weight_decay_hyper,
)


class LionState(NamedTuple):
    m: np.ndarray  # moving average of g (decay β₂)


def lion(beta1=0.9, beta2=0.99, weight_decay=0.0) -> Optimizer:
    """``lion`` (Chen et al. 2023): c ← β₁m + (1−β₁)g; θ ← θ − α_t (sign(c) + λθ);
    m ← β₂m + (1−β₂)g."""

    def inspect(grads, state, params, t, lr, hessian=None):
        c = ema(state.m, grads, beta1)
        new_params = params - lr * (np.sign(c) + weight_decay * params)
        m = ema(state.m, grads, beta2)
        return new_params, LionState(m), {"c": c, "step": new_params - params}

    return from_inspect(zeros_like_params(LionState), inspect)


LION = OptimizerSpec.entry(
    id="lion",
    name="Lion",
    description="Step by the sign of a blend of momentum and gradient: α per coordinate.",
    build=lion,
    hyper=(
        lr_hyper(0.01, 1e-4, 1.0),
        beta1_hyper(0.9, help="weight of m in the direction c whose sign is the step"),
        beta2_hyper(0.99, help="decay rate of the momentum m"),
        weight_decay_hyper(0.0),
    ),
    latex=aligned(
        G,
        r"c &\leftarrow \beta_1 m + (1 - \beta_1)\, g",
        r"\theta &\leftarrow \theta - \alpha_t \big(\operatorname{sign}(c) + \lambda \theta\big)",
        r"m &\leftarrow \beta_2 m + (1 - \beta_2)\, g",
    ),
    code=(
        "dx = grad(x)\n"
        "c = beta1 * m + (1 - beta1) * dx\n"
        "x += - learning_rate * (np.sign(c) + weight_decay * x)\n"
        "m = beta2 * m + (1 - beta2) * dx"
    ),
    code_names=LR_MU,
    code_state={"m": 0.0},
    equals="Chen et al. 2023, Symbolic Discovery of Optimization Algorithms, Program 1",
    convention=(
        "m starts at 0; the decoupled decay λθ is scaled by α_t as in AdamW. Every step moves "
        "each coordinate by exactly α_t (when λ = 0), so α is a distance in the view: about "
        "3–10× smaller than Adam's. torch.optim has no Lion; the lion-pytorch package agrees."
    ),
    state_fields=(
        ("m", "m", "momentum: moving average of gradients (decay β₂)"),
        ("c", "c", "direction before the sign: β₁m + (1 − β₁)g"),
        STEP,
    ),
    second="beta1",
    lr_rule=ViewScaled(0.004),
    color="#666633",
    marker="hourglass",
)
