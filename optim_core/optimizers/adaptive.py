"""Per-coordinate step sizes from the gradients' history: ``adagrad`` (a running sum of g²),
``rmsprop`` and ``rmsprop_nesterov`` (a moving average of g²) and ``adadelta`` (the ratio of
recent step sizes to recent gradient sizes), each rule followed by its entry.
"""

from typing import NamedTuple

import numpy as np

from optim_core._shared import (
    ema,
    rms_learning_rate,
)
from optim_core.optimizers import quotes
from optim_core.optimizers._parts import (
    G_AHEAD,
    LR_MU,
    STEP,
    G,
    as_mask,
    from_inspect,
    look_ahead,
    root,
    root_code,
    zeros_like_params,
)
from optim_core.spec import (
    CENTERED,
    EPS_IN_ROOT,
    FixedLR,
    Optimizer,
    OptimizerSpec,
    ViewScaled,
    aligned,
    decay_hyper,
    eps_hyper,
    lr_hyper,
    momentum_hyper,
)


class AdagradState(NamedTuple):
    r: np.ndarray  # sum of squared gradients


def adagrad(eps=1e-7, eps_in_root=False) -> Optimizer:
    """``adagrad``: r ← r + g²; θ ← θ − α_t g / (√r + ε), or / √(r + ε) with ``eps_in_root``."""

    def inspect(grads, state, params, t, lr, hessian=None):
        r = state.r + grads * grads
        effective_lr = rms_learning_rate(lr, r, eps, eps_in_root)
        step = -effective_lr * grads
        return params + step, AdagradState(r), {"effective_lr": effective_lr, "step": step}

    return from_inspect(zeros_like_params(AdagradState), inspect)


def _adagrad_latex(flags):
    return aligned(
        G,
        r"r &\leftarrow r + g \odot g",
        rf"\theta &\leftarrow \theta - \frac{{\alpha_t}}{{{root(flags, 'r')}}} \odot g",
    )


def _adagrad_code(flags):
    return f"dx = grad(x)\ncache += dx**2\nx += - learning_rate * dx / {root_code(flags, 'cache')}"


def _adagrad_fields(flags):
    return (
        ("r", "r", "sum of squared gradients (cache)"),
        ("effective_lr", rf"\frac{{\alpha_t}}{{{root(flags, 'r')}}}", "per-coordinate step size"),
        STEP,
    )


ADAGRAD = OptimizerSpec.entry(
    id="adagrad",
    name="AdaGrad",
    description="Each coordinate's step shrinks with the sum of its squared gradients so far.",
    build=adagrad,
    hyper=(lr_hyper(0.5), eps_hyper(1e-7), EPS_IN_ROOT),
    latex=_adagrad_latex,
    code=_adagrad_code,
    code_names=LR_MU,
    code_state={"cache": 0.0},
    equals="torch.optim.Adagrad(eps=ε) (with ε outside the root)",
    convention=(
        "r starts at 0 (torch's initial_accumulator_value=0); ε outside the root, √r + ε, as "
        f"in torch and CS231n: {quotes.CS231N_ADAGRAD}. eps_in_root=True gives √(r + ε), the "
        f"form of the NPTEL lecture: {quotes.NPTEL_ADAGRAD} (and of optax's adagrad, which "
        "starts r at 0.1)."
    ),
    quotes=(quotes.CS231N_ADAGRAD, quotes.NPTEL_ADAGRAD),
    state_fields=_adagrad_fields,
    lr_rule=ViewScaled(0.1),
    color="#222255",
    marker="triangle-down",
)


class RMSpropState(NamedTuple):
    r: np.ndarray  # moving mean of g²
    g_avg: np.ndarray  # moving mean of g (centered only; stays 0 otherwise)
    b: np.ndarray  # torch's momentum buffer (learning rate outside)


def rmsprop(decay=0.9, eps=1e-8, momentum=0.0, centered=False) -> Optimizer:
    """``rmsprop`` as torch.optim.RMSprop: r ← ρr + (1−ρ)g²; ḡ ← ρḡ + (1−ρ)g if centered;
    b ← μb + g / (√(r − ḡ²) + ε); θ ← θ − α_t b."""
    mu, is_centered, any_centered = momentum, as_mask(centered), bool(np.any(centered))

    def inspect(grads, state, params, t, lr, hessian=None):
        r = ema(state.r, grads * grads, decay)
        if any_centered:  # ḡ stays 0 where not centered
            g_avg = ema(state.g_avg, grads, decay) * is_centered
            denominator = np.sqrt(np.maximum(r - g_avg * g_avg, 0.0)) + eps
        else:
            g_avg, denominator = state.g_avg, np.sqrt(r) + eps
        b = mu * state.b + grads / denominator
        step = -lr * b
        diagnostics = {"effective_lr": lr / denominator, "step": step}
        return params + step, RMSpropState(r, g_avg, b), diagnostics

    return from_inspect(zeros_like_params(RMSpropState), inspect)


def _rmsprop_latex(flags):
    if flags["centered"]:
        lines = (
            r"\bar g &\leftarrow \rho \bar g + (1 - \rho)\, g",
            r"b &\leftarrow \mu b + \frac{g}{\sqrt{r - \bar g \odot \bar g} + \epsilon}",
        )
    else:
        lines = (r"b &\leftarrow \mu b + \frac{g}{\sqrt{r} + \epsilon}",)
    return aligned(
        G,
        r"r &\leftarrow \rho r + (1 - \rho)\, g \odot g",
        *lines,
        r"\theta &\leftarrow \theta - \alpha_t\, b",
    )


def _rmsprop_code(flags):
    if flags["centered"]:
        lines = (
            "g_avg = decay * g_avg + (1 - decay) * dx\n"
            "b = mu * b + dx / (np.sqrt(cache - g_avg**2) + eps)\n"
        )
    else:
        lines = "b = mu * b + dx / (np.sqrt(cache) + eps)\n"
    return (
        "dx = grad(x)\n"
        "cache = decay * cache + (1 - decay) * dx**2\n"
        f"{lines}"
        "x += - learning_rate * b"
    )


def _rmsprop_fields(flags):
    centered = flags["centered"]
    root = r"\sqrt{r - \bar g^2}" if centered else r"\sqrt{r}"
    return (
        ("r", "r", "moving average of squared gradients (cache)"),
        *((("g_avg", r"\bar g", "moving average of gradients"),) if centered else ()),
        ("b", "b", "momentum buffer (no steps remembered when μ = 0)"),
        ("effective_lr", rf"\frac{{\alpha_t}}{{{root}+\epsilon}}", "per-coordinate step size"),
        STEP,
    )


RMSPROP = OptimizerSpec.entry(
    id="rmsprop",
    name="RMSProp",
    description="Divide each coordinate's step by a moving average of its gradient size.",
    build=rmsprop,
    hyper=(lr_hyper(0.01), decay_hyper(), eps_hyper(1e-8), momentum_hyper(0.0), CENTERED),
    latex=_rmsprop_latex,
    code=_rmsprop_code,
    code_names=LR_MU,
    code_state={"cache": 0.0, "g_avg": 0.0, "b": 0.0},
    equals="torch.optim.RMSprop(alpha=ρ, eps=ε, momentum=μ, centered=…)",
    convention=(
        "ε outside the root, r starts at 0. With μ = 0 this is x −= α g/(√r + ε). "
        "The momentum buffer b follows torch: the learning rate is applied outside it. "
        "centered divides by √(r − ḡ²), an estimate of the gradient's standard deviation."
    ),
    state_fields=_rmsprop_fields,
    second="decay",
    lr_rule=ViewScaled(0.005),
    color="#009988",
    marker="pentagon",
)


class RMSpropNesterovState(NamedTuple):
    r: np.ndarray  # moving mean of g²
    v: np.ndarray  # velocity, learning rate inside


def rmsprop_nesterov(decay=0.9, eps=1e-6, momentum=0.9) -> Optimizer:
    """``rmsprop_nesterov`` (Goodfellow Alg. 8.6, ε inside the root): g at θ + μv;
    r ← ρr + (1−ρ)g²; v ← μv − α_t g / √(ε + r); θ ← θ + v."""
    mu = momentum

    def inspect(grads, state, params, t, lr, hessian=None):
        r = ema(state.r, grads * grads, decay)
        effective_lr = lr / np.sqrt(eps + r)
        v = mu * state.v - effective_lr * grads
        diagnostics = {"effective_lr": effective_lr, "step": v}
        return params + v, RMSpropNesterovState(r, v), diagnostics

    init = zeros_like_params(RMSpropNesterovState)
    return from_inspect(init, inspect, eval_point=look_ahead(mu))


RMSPROP_NESTEROV = OptimizerSpec.entry(
    id="rmsprop_nesterov",
    name="RMSProp + Nesterov momentum",
    description="RMSProp's per-coordinate step sizes with a look-ahead velocity.",
    build=rmsprop_nesterov,
    hyper=(lr_hyper(0.001), decay_hyper(), eps_hyper(1e-6), momentum_hyper()),
    latex=aligned(
        G_AHEAD,
        r"r &\leftarrow \rho r + (1 - \rho)\, g \odot g",
        r"v &\leftarrow \mu v - \frac{\alpha_t}{\sqrt{\epsilon + r}} \odot g",
        r"\theta &\leftarrow \theta + v",
    ),
    code=(
        "dx_ahead = grad(x + mu * v)  # gradient at the look-ahead point\n"
        "cache = decay * cache + (1 - decay) * dx_ahead**2\n"
        "v = mu * v - learning_rate * dx_ahead / np.sqrt(eps + cache)\n"
        "x += v"
    ),
    code_names=LR_MU,
    code_state={"cache": 0.0, "v": 0.0},
    equals="Goodfellow et al., Deep Learning, Alg. 8.6, with ε inside the root (NPTEL's form)",
    convention=(
        "ε inside the root, √(ε + r), unlike torch's RMSprop (√r + ε): the form of the NPTEL "
        f"lecture, {quotes.NPTEL_NESTEROV_V}, which puts ε inside the root for AdaGrad, "
        "RMSProp and Adam alike. The slide then writes "
        f"{quotes.NPTEL_NESTEROV_W}: read $v_{{t+1}}$ for $v_t$ (an index typo); θ moves by "
        "the velocity just computed, as here. Goodfellow's Alg. 8.6 itself has no δ at all (it "
        "divides by √r); Alg. 8.5, plain RMSProp, has √(δ + r), as the Guilan slides print "
        f"it: {quotes.GUILAN_RMSPROP}. The learning rate sits inside v; the gradient is taken "
        "at θ + μv."
    ),
    quotes=(quotes.NPTEL_NESTEROV_V, quotes.NPTEL_NESTEROV_W, quotes.GUILAN_RMSPROP),
    state_fields=(
        ("r", "r", "moving average of squared gradients (cache)"),
        ("v", "v", "velocity"),
        ("effective_lr", r"\frac{\alpha_t}{\sqrt{\epsilon + r}}", "per-coordinate step size"),
        STEP,
    ),
    second="momentum",
    lr_rule=ViewScaled(0.001),
    color="#EE3377",
    marker="hexagon",
)


class AdadeltaState(NamedTuple):
    E_g: np.ndarray  # moving mean of g²
    E_x: np.ndarray  # moving mean of Δ²


def adadelta(decay=0.9, eps=1e-6) -> Optimizer:
    """``adadelta`` as torch.optim.Adadelta: E_g ← ρE_g + (1−ρ)g²;
    Δ = √(E_x + ε)/√(E_g + ε) · g; E_x ← ρE_x + (1−ρ)Δ²; θ ← θ − α_t Δ."""

    def inspect(grads, state, params, t, lr, hessian=None):
        E_g = ema(state.E_g, grads * grads, decay)
        ratio = np.sqrt(state.E_x + eps) / np.sqrt(E_g + eps)
        delta = ratio * grads
        E_x = ema(state.E_x, delta * delta, decay)
        step = -lr * delta
        diagnostics = {"delta": delta, "effective_lr": lr * ratio, "step": step}
        return params + step, AdadeltaState(E_g, E_x), diagnostics

    return from_inspect(zeros_like_params(AdadeltaState), inspect)


ADADELTA = OptimizerSpec.entry(
    id="adadelta",
    name="Adadelta",
    description="Step sizes from the ratio of recent step sizes to recent gradient sizes.",
    build=adadelta,
    hyper=(lr_hyper(1.0, 1e-2, 10.0), decay_hyper(), eps_hyper(1e-6)),
    latex=aligned(
        G,
        r"E_g &\leftarrow \rho E_g + (1 - \rho)\, g \odot g",
        r"\Delta &\leftarrow \frac{\sqrt{E_x + \epsilon}}{\sqrt{E_g + \epsilon}} \odot g",
        r"E_x &\leftarrow \rho E_x + (1 - \rho)\, \Delta \odot \Delta",
        r"\theta &\leftarrow \theta - \alpha_t\, \Delta",
    ),
    code=(
        "dx = grad(x)\n"
        "E_g = decay * E_g + (1 - decay) * dx**2\n"
        "delta = np.sqrt(E_x + eps) / np.sqrt(E_g + eps) * dx\n"
        "E_x = decay * E_x + (1 - decay) * delta**2\n"
        "x += - learning_rate * delta"
    ),
    code_names=LR_MU,
    code_state={"E_g": 0.0, "E_x": 0.0},
    equals="torch.optim.Adadelta(rho=ρ, eps=ε)",
    convention="ε inside both roots; E_g, E_x start at 0; α = 1 is Zeiler's original rule.",
    state_fields=(
        ("E_g", "E_g", "moving average of squared gradients"),
        ("E_x", "E_x", "moving average of squared updates Δ"),
        ("delta", r"\Delta", "this step's update before α"),
        (
            "effective_lr",
            r"\alpha_t \frac{\sqrt{E_x+\epsilon}}{\sqrt{E_g+\epsilon}}",
            "per-coordinate step size",
        ),
        STEP,
    ),
    second="decay",
    lr_rule=FixedLR(1.0),
    color="#CC3311",
    marker="hexagram",
)
