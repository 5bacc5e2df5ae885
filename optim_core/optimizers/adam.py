"""The Adam family: ``adam``, ``adamw`` (decoupled weight decay), ``amsgrad`` (the largest v
so far) and ``nadam`` (Nesterov momentum), each rule followed by its entry. The first three
share one rule with options; their LaTeX and code pieces are written once below.
"""

from typing import NamedTuple

import numpy as np

from optim_core._shared import (
    bias_corrected,
    ema,
    rms_learning_rate,
)
from optim_core.optimizers import quotes
from optim_core.optimizers._parts import (
    LR_MU,
    STEP,
    G,
    as_mask,
    from_inspect,
    root,
    root_code,
    zeros_like_params,
)
from optim_core.spec import (
    BIAS_CORRECTION,
    EPS_IN_ROOT,
    Optimizer,
    OptimizerSpec,
    ViewScaled,
    aligned,
    beta1_hyper,
    beta2_hyper,
    eps_hyper,
    fmt,
    lr_hyper,
    weight_decay_hyper,
)


class AdamState(NamedTuple):
    m: np.ndarray  # first moment
    v: np.ndarray  # second moment


class AMSGradState(NamedTuple):
    m: np.ndarray
    v: np.ndarray
    v_max: np.ndarray  # running maximum of v


def _adam_family(
    beta1,
    beta2,
    eps,
    *,
    bias_correction=True,
    weight_decay=0.0,
    amsgrad=False,
    eps_in_root=False,
):
    """Adam and its variants: ``weight_decay`` is AdamW's decoupled decay θ ← θ(1 − α_t λ);
    ``amsgrad`` divides by the running maximum of v."""
    corrected = as_mask(bias_correction)
    decays = bool(np.any(weight_decay))
    state_type = AMSGradState if amsgrad else AdamState

    def inspect(grads, state, params, t, lr, hessian=None):
        m = ema(state.m, grads, beta1)
        v = ema(state.v, grads * grads, beta2)
        moments = (m, v, np.maximum(state.v_max, v)) if amsgrad else (m, v)
        m_hat = bias_corrected(m, beta1, t, corrected)
        v_hat = bias_corrected(moments[-1], beta2, t, corrected)
        effective_lr = rms_learning_rate(lr, v_hat, eps, eps_in_root)
        decayed = params * (1.0 - lr * weight_decay) if decays else params
        new_params = decayed - effective_lr * m_hat
        diagnostics = {
            "m_hat": m_hat,
            "v_hat": v_hat,
            "effective_lr": effective_lr,
            "step": new_params - params,
        }
        return new_params, state_type(*moments), diagnostics

    return from_inspect(zeros_like_params(state_type), inspect)


_ADAM_HYPER = (beta1_hyper(), beta2_hyper(), eps_hyper(1e-8))
_ADAM_NAMES = LR_MU
_ADAM_LATEX = (
    r"m &\leftarrow \beta_1 m + (1 - \beta_1)\, g",
    r"v &\leftarrow \beta_2 v + (1 - \beta_2)\, g \odot g",
)
_HATS = r"\hat m &\leftarrow m / (1 - \beta_1^t), \quad \hat v \leftarrow v / (1 - \beta_2^t)"
_ADAM_STEP = r"\theta &\leftarrow \theta - \alpha_t\, \frac{\hat m}{\sqrt{\hat v} + \epsilon}"
_ADAM_FIELDS = (
    ("m", "m", "first moment: moving average of gradients"),
    ("v", "v", "second moment: moving average of squared gradients"),
)
_ADAM_DIAGNOSTICS = (
    ("m_hat", r"\hat m", "bias-corrected first moment"),
    ("v_hat", r"\hat v", "bias-corrected second moment"),
    ("effective_lr", r"\frac{\alpha_t}{\sqrt{\hat v}+\epsilon}", "per-coordinate step size"),
    STEP,
)
_ADAM_MOMENTS_CODE = "dx = grad(x)\nm = beta1*m + (1-beta1)*dx\nv = beta2*v + (1-beta2)*(dx**2)\n"


_BETA1, _BETA2 = (h.default for h in _ADAM_HYPER[:2])


def uncorrected_first_step(beta1, beta2):
    """Adam's first step without bias correction, per coordinate, in units of α (ε aside):
    m = (1 − β₁)g and v = (1 − β₂)g², so m/√v = (1 − β₁)/√(1 − β₂) · sign(g)."""
    return (1 - beta1) / np.sqrt(1 - beta2)


def rmsprop_first_step(decay):
    """RMSProp's first step, per coordinate, in units of α (ε aside), whatever μ: r = (1 − ρ)g²,
    b = g/√r, so the step is 1/√(1 − ρ) · sign(g)."""
    return 1 / np.sqrt(1 - decay)


def adam(beta1=0.9, beta2=0.999, eps=1e-8, bias_correction=True, eps_in_root=False) -> Optimizer:
    """``adam`` as torch.optim.Adam; ``bias_correction=False`` uses m and v without the hats;
    ``eps_in_root`` divides by √(v̂ + ε) instead of √v̂ + ε."""
    return _adam_family(beta1, beta2, eps, bias_correction=bias_correction, eps_in_root=eps_in_root)


def _adam_latex(flags):
    m, v = (r"\hat m", r"\hat v") if flags["bias_correction"] else ("m", "v")
    hats = (_HATS,) if flags["bias_correction"] else ()
    step = rf"\theta &\leftarrow \theta - \alpha_t\, \frac{{{m}}}{{{root(flags, v)}}}"
    return aligned(G, *_ADAM_LATEX, *hats, step)


def _adam_code(flags):
    hats = "mt = m / (1-beta1**t)\nvt = v / (1-beta2**t)\n" if flags["bias_correction"] else ""
    m, v = ("mt", "vt") if flags["bias_correction"] else ("m", "v")
    return f"{_ADAM_MOMENTS_CODE}{hats}x += - learning_rate * {m} / {root_code(flags, v)}"


def _adam_fields(flags):
    if flags["bias_correction"]:
        hats = _ADAM_DIAGNOSTICS[:2]
        v = r"\hat v"
    else:
        hats = (
            ("m_hat", r"\hat m = m", "first moment used as is (bias correction off)"),
            ("v_hat", r"\hat v = v", "second moment used as is (bias correction off)"),
        )
        v = "v"
    effective = ("effective_lr", rf"\frac{{\alpha_t}}{{{root(flags, v)}}}", "per-coordinate step")
    return (*_ADAM_FIELDS, *hats, effective, STEP)


ADAM = OptimizerSpec.entry(
    id="adam",
    name="Adam",
    description=(
        "Momentum on the gradient plus RMSProp's scaling, both bias-corrected unless "
        "bias_correction is off."
    ),
    build=adam,
    hyper=(lr_hyper(0.05), *_ADAM_HYPER, BIAS_CORRECTION, EPS_IN_ROOT),
    latex=_adam_latex,
    code=_adam_code,
    code_names=_ADAM_NAMES,
    code_state={"m": 0.0, "v": 0.0},
    equals="torch.optim.Adam (with bias correction and ε outside the root)",
    convention=(
        "ε outside the root, √v̂ + ε (Kingma & Ba, torch, and CS231n: "
        f"{quotes.CS231N_ADAM_ROOT}); eps_in_root=True gives √(v̂ + ε), the form of the NPTEL "
        f"lecture: {quotes.NPTEL_ADAM}. m, v start at 0. bias_correction=False uses m and v "
        "in place of m̂ and v̂ (no torch equivalent): early on m is too small by the factor "
        "1 − β₁ᵗ and v by 1 − β₂ᵗ, so with "
        f"β₁ = {fmt(_BETA1)}, β₂ = {fmt(_BETA2)} the first step is "
        f"(1 − β₁)/√(1 − β₂) ≈ {fmt(uncorrected_first_step(_BETA1, _BETA2))} α per coordinate. "
        f"CS231n shows that form, {quotes.CS231N_ADAM_UNCORRECTED}, as Adam "
        f"{quotes.CS231N_ADAM_CLOSE}, and notes {quotes.CS231N_LIKE_RMSPROP}. It is not "
        "this app's RMSProp with momentum μ > 0, which sums rescaled gradients, "
        f"b ← μb + g/(√r + ε): at ρ = β₂ = {fmt(_BETA2)} its first step is α/√(1 − ρ) ≈ "
        f"{fmt(rmsprop_first_step(_BETA2))} α. The NPTEL lecture prints the correction "
        f"without the power t, {quotes.NPTEL_BIAS}; CS231n and Kingma & Ba divide m by "
        f"1 − β₁ᵗ (and v by 1 − β₂ᵗ): {quotes.CS231N_BIAS}."
    ),
    quotes=(
        quotes.CS231N_ADAM_ROOT,
        quotes.NPTEL_ADAM,
        quotes.CS231N_ADAM_UNCORRECTED,
        quotes.CS231N_ADAM_CLOSE,
        quotes.CS231N_LIKE_RMSPROP,
        quotes.NPTEL_BIAS,
        quotes.CS231N_BIAS,
    ),
    state_fields=_adam_fields,
    second="beta1",
    lr_rule=ViewScaled(0.02),
    color="#663333",
    marker="cross",
)


def adamw(beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01) -> Optimizer:
    """``adamw`` as torch.optim.AdamW: θ ← θ(1 − α_t λ), then the Adam step."""
    return _adam_family(beta1, beta2, eps, weight_decay=weight_decay)


ADAMW = OptimizerSpec.entry(
    id="adamw",
    name="AdamW",
    description="Adam plus weight decay that shrinks θ toward 0 separately from the gradient.",
    build=adamw,
    hyper=(lr_hyper(0.05), *_ADAM_HYPER, weight_decay_hyper(0.01)),
    latex=aligned(
        G,
        *_ADAM_LATEX,
        _HATS,
        r"\theta &\leftarrow \theta (1 - \alpha_t \lambda) "
        r"- \alpha_t\, \frac{\hat m}{\sqrt{\hat v} + \epsilon}",
    ),
    code=(
        f"{_ADAM_MOMENTS_CODE}"
        "mt, vt = m / (1-beta1**t), v / (1-beta2**t)\n"
        "x *= 1 - learning_rate * weight_decay\n"
        "x += - learning_rate * mt / (np.sqrt(vt) + eps)"
    ),
    code_names=_ADAM_NAMES,
    code_state={"m": 0.0, "v": 0.0},
    equals="torch.optim.AdamW(weight_decay=λ)",
    convention="The decay multiplies θ before the Adam step and is scaled by α_t (torch).",
    state_fields=_ADAM_FIELDS + _ADAM_DIAGNOSTICS,
    second="beta1",
    lr_rule=ViewScaled(0.02),
    color="#225555",
    marker="x",
)


def amsgrad(beta1=0.9, beta2=0.999, eps=1e-8) -> Optimizer:
    """``amsgrad`` as torch.optim.Adam(amsgrad=True)."""
    return _adam_family(beta1, beta2, eps, amsgrad=True)


AMSGRAD = OptimizerSpec.entry(
    id="amsgrad",
    name="AMSGrad",
    description=(
        "Adam dividing by the largest v seen so far: its step size α/(√v̂ + ε) can still grow "
        "as the bias correction fades, never because the gradients got smaller."
    ),
    build=amsgrad,
    hyper=(lr_hyper(0.05), *_ADAM_HYPER),
    latex=aligned(
        G,
        *_ADAM_LATEX,
        r"v_{\max} &\leftarrow \max(v_{\max}, v)",
        r"\hat m &\leftarrow m / (1 - \beta_1^t), "
        r"\quad \hat v \leftarrow v_{\max} / (1 - \beta_2^t)",
        _ADAM_STEP,
    ),
    code=(
        f"{_ADAM_MOMENTS_CODE}"
        "v_max = np.maximum(v_max, v)\n"
        "mt, vt = m / (1-beta1**t), v_max / (1-beta2**t)\n"
        "x += - learning_rate * mt / (np.sqrt(vt) + eps)"
    ),
    code_names=_ADAM_NAMES,
    code_state={"m": 0.0, "v": 0.0, "v_max": 0.0},
    equals="torch.optim.Adam(amsgrad=True)",
    convention=(
        "The maximum is taken over the raw v, then bias-corrected (torch). optax's amsgrad "
        "takes it after the bias correction, max(v̂_max, v̂): since 1 − β₂ᵗ grows, that "
        "maximum holds on to early v̂ longer, so the two differ from the first steps on."
    ),
    state_fields=(
        *_ADAM_FIELDS,
        ("v_max", r"v_{\max}", "largest second moment so far"),
        *_ADAM_DIAGNOSTICS,
    ),
    second="beta1",
    lr_rule=ViewScaled(0.02),
    color="#EE6677",
    marker="triangle-left",
)


class NAdamState(NamedTuple):
    m: np.ndarray
    v: np.ndarray
    mu_product: np.ndarray  # (B, 1): ∏ μ_i over the steps so far


MOMENTUM_DECAY = 4e-3  # NAdam's ψ (torch's default momentum_decay)


def nadam(beta1=0.9, beta2=0.999, eps=1e-8) -> Optimizer:
    """``nadam`` as torch.optim.NAdam with momentum_decay ψ = 4e-3."""

    def momentum_at(t):  # μ_t = β₁ (1 − ½ · 0.96^(tψ))
        return beta1 * (1.0 - 0.5 * 0.96 ** (t * MOMENTUM_DECAY))

    def init(params):
        zeros = np.zeros_like(params)
        return NAdamState(zeros, zeros, np.ones((params.shape[0], 1)))

    def inspect(grads, state, params, t, lr, hessian=None):
        mu, mu_next = momentum_at(t), momentum_at(t + 1)
        mu_product = state.mu_product * mu
        m = ema(state.m, grads, beta1)
        v = ema(state.v, grads * grads, beta2)
        m_hat = mu_next * m / (1.0 - mu_product * mu_next) + (1.0 - mu) * grads / (1.0 - mu_product)
        v_hat = bias_corrected(v, beta2, t)
        effective_lr = rms_learning_rate(lr, v_hat, eps)
        step = -effective_lr * m_hat
        diagnostics = {
            "mu": mu,
            "m_hat": m_hat,
            "v_hat": v_hat,
            "effective_lr": effective_lr,
            "step": step,
        }
        return params + step, NAdamState(m, v, mu_product), diagnostics

    return from_inspect(init, inspect)


NADAM = OptimizerSpec.entry(
    id="nadam",
    name="NAdam",
    description="Adam with Nesterov momentum: the mean gradient looks one step ahead.",
    build=nadam,
    hyper=(lr_hyper(0.05), *_ADAM_HYPER),
    latex=aligned(
        G,
        r"\mu_t &\leftarrow \beta_1 \big(1 - \tfrac12\, 0.96^{t\psi}\big), \quad \psi = 0.004",
        *_ADAM_LATEX,
        r"\hat m &\leftarrow \frac{\mu_{t+1}\, m}{1 - \prod_{i=1}^{t+1} \mu_i} "
        r"+ \frac{(1 - \mu_t)\, g}{1 - \prod_{i=1}^{t} \mu_i}, "
        r"\quad \hat v \leftarrow v / (1 - \beta_2^t)",
        _ADAM_STEP,
    ),
    code=(
        "dx = grad(x)\n"
        "mu_t, mu_next = beta1 * (1 - 0.5 * 0.96 ** (0.004 * np.array([t, t + 1])))\n"
        "mu_product *= mu_t\n"
        "m, v = beta1*m + (1-beta1)*dx, beta2*v + (1-beta2)*(dx**2)\n"
        "mt = mu_next*m / (1-mu_product*mu_next) + (1-mu_t)*dx / (1-mu_product)\n"
        "x += - learning_rate * mt / (np.sqrt(v / (1-beta2**t)) + eps)"
    ),
    code_names=_ADAM_NAMES,
    code_state={"m": 0.0, "v": 0.0, "mu_product": 1.0},
    equals="torch.optim.NAdam(momentum_decay=4e-3)",
    convention=(
        "torch's NAdam (Dozat 2016 with the momentum schedule μ_t); mu_product = ∏ μ_i "
        "up to this step. optax's nadam has no μ_t schedule: it uses the constant β₁, "
        "m̂ = β₁m/(1 − β₁ᵗ⁺¹) + (1 − β₁)g/(1 − β₁ᵗ), so its steps differ slightly."
    ),
    state_fields=(
        *_ADAM_FIELDS,
        ("mu_product", r"\prod_{i=1}^{t} \mu_i", "product of the momentum schedule so far"),
        ("mu", r"\mu_t", "this step's momentum coefficient"),
        *_ADAM_DIAGNOSTICS,
    ),
    second="beta1",
    lr_rule=ViewScaled(0.02),
    color="#117733",
    marker="triangle-right",
)
