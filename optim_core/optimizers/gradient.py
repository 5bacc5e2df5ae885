"""Gradient descent and its momentum forms: ``sgd``, ``momentum`` (heavy ball), ``nesterov``
(look-ahead) and ``nesterov_reparam`` (torch's form), each rule followed by its entry.
On quadratics they have a stability edge, which the entries carry.
"""

from typing import NamedTuple

import numpy as np

from optim_core.optimizers import quotes
from optim_core.optimizers._parts import (
    G_AHEAD,
    LR_MU,
    STEP,
    VELOCITY,
    G,
    empty,
    from_inspect,
    look_ahead,
    zeros_like_params,
)
from optim_core.spec import (
    CurvatureScaled,
    Optimizer,
    OptimizerSpec,
    StabilityEdge,
    aligned,
    fmt,
    lr_hyper,
    momentum_hyper,
)


def sgd() -> Optimizer:
    """``sgd``: θ ← θ − α_t g."""

    def inspect(grads, state, params, t, lr, hessian=None):
        step = -lr * grads
        return params + step, state, {"step": step}

    return from_inspect(empty, inspect)


def _gd_reason(lr, lam, mu, edge, step):
    return (
        f"|1 − αλ_max| = |1 − {fmt(lr)}·{fmt(lam)}| = {fmt(abs(1 - lr * lam))} > 1: the step "
        f"overshoots along the steepest direction and grows every step (diverged at step "
        f"{step}). Stable only for α < 2/λ_max = {fmt(2 / lam)}."
    )


SGD = OptimizerSpec.entry(
    id="sgd",
    name="Gradient descent (SGD)",
    description="Step straight downhill, a fixed fraction α of the gradient.",
    build=sgd,
    hyper=(lr_hyper(0.01),),
    latex=aligned(G, r"\theta &\leftarrow \theta - \alpha_t\, g"),
    code="dx = grad(x)\nx += - learning_rate * dx",
    code_names=LR_MU,
    equals="torch.optim.SGD",
    convention=(
        "Plain gradient descent; with mini-batches or noise > 0 it is stochastic gradient "
        "descent: g is then a noisy estimate ĝ of ∇f."
    ),
    state_fields=(STEP,),
    lr_rule=CurvatureScaled(1.0),
    stability=StabilityEdge(lambda lam, mu: 2.0 / lam + 0.0 * mu, _gd_reason),
    color="#0077BB",
    marker="circle",
)


class MomentumState(NamedTuple):
    v: np.ndarray  # velocity, learning rate inside: v ← μv − α g


def _heavy_ball(mu) -> Optimizer:
    def inspect(grads, state, params, t, lr, hessian=None):
        v = mu * state.v - lr * grads
        return params + v, MomentumState(v), {"step": v}

    return from_inspect(zeros_like_params(MomentumState), inspect)


def momentum(momentum=0.9) -> Optimizer:
    """``momentum`` (heavy ball): v ← μv − α_t g; θ ← θ + v."""
    return _heavy_ball(momentum)


def _heavy_ball_reason(lr, lam, mu, edge, step):
    return (
        f"αλ_max = {fmt(lr)}·{fmt(lam)} = {fmt(lr * lam)} ≥ 2(1 + μ) = {fmt(2 * (1 + mu))}: "
        f"heavy-ball momentum overshoots along the steepest direction (diverged at step "
        f"{step}). Stable only for α < 2(1 + μ)/λ_max = {fmt(edge)}."
    )


MOMENTUM = OptimizerSpec.entry(
    id="momentum",
    name="Momentum (heavy ball)",
    description="A ball with inertia: the velocity keeps a fraction μ of the last step.",
    build=momentum,
    hyper=(lr_hyper(0.01), momentum_hyper()),
    latex=aligned(G, r"v &\leftarrow \mu v - \alpha_t\, g", r"\theta &\leftarrow \theta + v"),
    code="dx = grad(x)\nv = mu * v - learning_rate * dx\nx += v",
    code_names=LR_MU,
    code_state={"v": 0.0},
    equals="torch.optim.SGD(momentum=μ) when α is constant",
    convention=(
        "The learning rate sits inside the velocity, v ← μv − αg, as in Sutskever et al. and "
        f"CS231n: {quotes.CS231N_MOMENTUM}. torch keeps it outside (b ← μb + g; θ ← θ − αb, "
        "so v = −αb); the two agree step for step while α is constant and differ under a "
        "schedule."
    ),
    quotes=(quotes.CS231N_MOMENTUM,),
    state_fields=(VELOCITY, STEP),
    second="momentum",
    lr_rule=CurvatureScaled(0.3),
    stability=StabilityEdge(lambda lam, mu: 2.0 * (1.0 + mu) / lam, _heavy_ball_reason),
    color="#EE7733",
    marker="square",
)


def nesterov(momentum=0.9) -> Optimizer:
    """``nesterov``: the momentum rule with the gradient taken at the look-ahead point θ + μv."""
    return _heavy_ball(momentum)._replace(eval_point=look_ahead(momentum))


def _nesterov_edge(lam, mu):
    return 2.0 * (1.0 + mu) / ((1.0 + 2.0 * mu) * lam)


def _nesterov_reason(lr, lam, mu, edge, step):
    bound = 2 * (1 + mu) / (1 + 2 * mu)
    return (
        f"αλ_max = {fmt(lr)}·{fmt(lam)} = {fmt(lr * lam)} ≥ 2(1 + μ)/(1 + 2μ) = {fmt(bound)}: "
        f"Nesterov momentum overshoots along the steepest direction (diverged at step "
        f"{step}). Stable only for α < {fmt(edge)}."
    )


_NESTEROV_EDGE = StabilityEdge(_nesterov_edge, _nesterov_reason)

NESTEROV = OptimizerSpec.entry(
    id="nesterov",
    name="Nesterov momentum (look-ahead)",
    description="Momentum that looks ahead: the gradient is taken where the velocity leads.",
    build=nesterov,
    hyper=(lr_hyper(0.01), momentum_hyper()),
    latex=aligned(G_AHEAD, r"v &\leftarrow \mu v - \alpha_t\, g", r"\theta &\leftarrow \theta + v"),
    code=(
        "x_ahead = x + mu * v\n"
        "dx_ahead = grad(x_ahead)  # gradient at the look-ahead point\n"
        "v = mu * v - learning_rate * dx_ahead\n"
        "x += v"
    ),
    code_names=LR_MU,
    code_state={"v": 0.0},
    equals="Goodfellow et al., Deep Learning, Alg. 8.3",
    convention=(
        "The look-ahead form: the path shows θ, the gradient is evaluated at θ + μv "
        "(Trajectory.eval_points). nesterov_reparam is the same method written in the "
        "shifted variable θ + μv, the form torch uses."
    ),
    state_fields=(VELOCITY, STEP),
    second="momentum",
    lr_rule=CurvatureScaled(0.3),
    stability=_NESTEROV_EDGE,
    color="#AA4499",
    marker="diamond",
)


def nesterov_reparam(momentum=0.9) -> Optimizer:
    """``nesterov_reparam``: v' ← v; v ← μv − α_t g; θ ← θ − μv' + (1 + μ)v."""
    mu = momentum

    def inspect(grads, state, params, t, lr, hessian=None):
        v = mu * state.v - lr * grads
        step = (1.0 + mu) * v - mu * state.v
        return params + step, MomentumState(v), {"step": step}

    return from_inspect(zeros_like_params(MomentumState), inspect)


NESTEROV_REPARAM = OptimizerSpec.entry(
    id="nesterov_reparam",
    name="Nesterov momentum (re-parametrized)",
    description="Nesterov's method rewritten so the gradient is taken at the iterate itself.",
    build=nesterov_reparam,
    hyper=(lr_hyper(0.01), momentum_hyper()),
    latex=aligned(
        G,
        r"v' &\leftarrow v",
        r"v &\leftarrow \mu v - \alpha_t\, g",
        r"\theta &\leftarrow \theta - \mu v' + (1 + \mu)\, v",
    ),
    code=(
        "dx = grad(x)\n"
        "v_prev = v\n"
        "v = mu * v - learning_rate * dx\n"
        "x += -mu * v_prev + (1 + mu) * v"
    ),
    code_names=LR_MU,
    code_state={"v": 0.0},
    equals="torch.optim.SGD(momentum=μ, nesterov=True) when α is constant",
    convention=(
        "The iterate here is the look-ahead point θ + μv of the nesterov form, so both "
        "give the same sequence shifted by μv. The learning rate sits inside v; torch "
        "keeps it outside (agreement for constant α only)."
    ),
    state_fields=(VELOCITY, STEP),
    second="momentum",
    lr_rule=CurvatureScaled(0.3),
    stability=_NESTEROV_EDGE,
    color="#225522",
    marker="triangle-up",
)
