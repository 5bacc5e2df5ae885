"""The optimizers: each update rule, a pure ``init`` / ``update`` pair, and right below it its
entry (``OptimizerSpec``): hyperparameters, the rule as LaTeX and as the NumPy code shown (which
the tests execute), the learning-rate heuristic, the stability edge, colour and marker.

``SPECS`` lists the entries in display order; ``OPTIMIZERS``, ``BUILDERS`` and every other
per-id table are derived from it. Adding an optimizer is one builder and one entry here.

Arrays carry a leading batch axis: parameters and gradients are (B, 2); a hyperparameter is a
float or a (B, 1) array, bound when the optimizer is built; ``t`` counts steps from 1 and ``lr``
is α_t (a float or (B, 1)).

Two small hooks cover what plain gradient methods do not need:

* ``eval_point(params, state)`` says where the gradient is evaluated. It is ``params`` for all
  rules except the look-ahead forms (``nesterov``, ``rmsprop_nesterov``): θ + μv.
* ``uses_hessian``: the runner then passes ``hessian=∇²f(eval_point)`` (B, 2, 2) to ``update``.

``inspect`` is ``update`` that also returns the rule's own intermediate numbers (m̂, v̂, the
per-coordinate learning rate, the step ...), named as in the entry's ``state_fields``.
"""

from typing import NamedTuple

import numpy as np

from optim_core._shared import (
    bias_corrected,
    ema,
    floored,
    pair,
    rms_learning_rate,
    symmetric_eig2,
)
from optim_core.spec import (
    BIAS_CORRECTION,
    CENTERED,
    DAMPING,
    EPS_IN_ROOT,
    SADDLE_FREE,
    CurvatureScaled,
    FixedLR,
    Optimizer,
    OptimizerError,
    OptimizerSpec,
    StabilityEdge,
    ViewScaled,
    aligned,
    at_params,
    beta1_hyper,
    beta2_hyper,
    decay_hyper,
    eps_hyper,
    fmt,
    lr_hyper,
    momentum_hyper,
    weight_decay_hyper,
)

__all__ = ["BUILDERS", "SPECS", "Optimizer", "at_params", "build", "make_optimizer"]

# ---------------------------------------------------------------------------- shared pieces


def _optimizer(init, inspect, **hooks) -> Optimizer:
    def update(grads, state, params, t, lr, hessian=None):
        new_params, new_state, _ = inspect(grads, state, params, t, lr, hessian)
        return new_params, new_state

    return Optimizer(init, update, inspect, **hooks)


def _zeros_like_params(state_type):
    def init(params):
        return state_type(*(np.zeros_like(params) for _ in state_type._fields))

    return init


def _mask(flag):
    """A boolean hyperparameter as 1.0 / 0.0 (float or (B, 1) array) for branch-free formulas."""
    return np.asarray(flag, dtype=float) if np.ndim(flag) else float(flag)


class EmptyState(NamedTuple):
    pass


def _empty(params):
    return EmptyState()


_G = r"g &\leftarrow \nabla f(\theta)"
_G_AHEAD = r"g &\leftarrow \nabla f(\theta + \mu v)"
_STEP = ("step", r"\Delta\theta", "the step taken: θ after the step minus θ before")
_VELOCITY = ("v", "v", "velocity: the decaying sum of past steps")
_LR_MU = {"lr": "learning_rate", "momentum": "mu"}


def _root(flags, r):
    """The RMS denominator in LaTeX: √(r + ε) with ``eps_in_root``, else √r + ε."""
    return rf"\sqrt{{{r} + \epsilon}}" if flags["eps_in_root"] else rf"\sqrt{{{r}}} + \epsilon"


def _root_code(flags, r):
    return f"np.sqrt({r} + eps)" if flags["eps_in_root"] else f"(np.sqrt({r}) + eps)"


# ---------------------------------------------------------------------------- gradient descent


def sgd() -> Optimizer:
    """``sgd``: θ ← θ − α_t g."""

    def inspect(grads, state, params, t, lr, hessian=None):
        step = -lr * grads
        return params + step, state, {"step": step}

    return _optimizer(_empty, inspect)


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
    latex=aligned(_G, r"\theta &\leftarrow \theta - \alpha_t\, g"),
    code="dx = grad(x)\nx += - learning_rate * dx",
    code_names=_LR_MU,
    equals="torch.optim.SGD",
    convention="Plain gradient descent; with noise > 0 it is stochastic gradient descent.",
    state_fields=(_STEP,),
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

    return _optimizer(_zeros_like_params(MomentumState), inspect)


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
    latex=aligned(_G, r"v &\leftarrow \mu v - \alpha_t\, g", r"\theta &\leftarrow \theta + v"),
    code="dx = grad(x)\nv = mu * v - learning_rate * dx\nx += v",
    code_names=_LR_MU,
    code_state={"v": 0.0},
    equals="torch.optim.SGD(momentum=μ) when α is constant",
    convention=(
        "The learning rate sits inside the velocity (Sutskever et al., CS231n): "
        "v ← μv − αg. torch keeps it outside (b ← μb + g; θ ← θ − αb, so v = −αb); "
        "the two agree step for step while α is constant and differ under a schedule. "
        "The NPTEL slides define v_t = γv_{t−1} + η∇W_t and then print W_{t+1} = W_t + v_t, "
        "a sign typo: with that v the update is W_{t+1} = W_t − v_t."
    ),
    state_fields=(_VELOCITY, _STEP),
    second="momentum",
    lr_rule=CurvatureScaled(0.3),
    stability=StabilityEdge(lambda lam, mu: 2.0 * (1.0 + mu) / lam, _heavy_ball_reason),
    compare="nesterov_forms",
    color="#EE7733",
    marker="square",
)


def _look_ahead(mu):
    """``eval_point`` of the Nesterov forms: the gradient is taken at θ + μv."""

    def eval_point(params, state):
        return params + mu * state.v

    return eval_point


def nesterov(momentum=0.9) -> Optimizer:
    """``nesterov``: the momentum rule with the gradient taken at the look-ahead point θ + μv."""
    return _heavy_ball(momentum)._replace(eval_point=_look_ahead(momentum))


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
    latex=aligned(
        _G_AHEAD, r"v &\leftarrow \mu v - \alpha_t\, g", r"\theta &\leftarrow \theta + v"
    ),
    code=(
        "x_ahead = x + mu * v\n"
        "dx_ahead = grad(x_ahead)  # gradient at the look-ahead point\n"
        "v = mu * v - learning_rate * dx_ahead\n"
        "x += v"
    ),
    code_names=_LR_MU,
    code_state={"v": 0.0},
    equals="Goodfellow et al., Deep Learning, Alg. 8.3",
    convention=(
        "The look-ahead form: the path shows θ, the gradient is evaluated at θ + μv "
        "(Trajectory.eval_points). nesterov_reparam is the same method written in the "
        "shifted variable θ + μv, the form torch uses."
    ),
    state_fields=(_VELOCITY, _STEP),
    second="momentum",
    lr_rule=CurvatureScaled(0.3),
    stability=_NESTEROV_EDGE,
    compare="nesterov_forms",
    color="#CC3311",
    marker="diamond",
)


def nesterov_reparam(momentum=0.9) -> Optimizer:
    """``nesterov_reparam``: v' ← v; v ← μv − α_t g; θ ← θ − μv' + (1 + μ)v."""
    mu = momentum

    def inspect(grads, state, params, t, lr, hessian=None):
        v = mu * state.v - lr * grads
        step = (1.0 + mu) * v - mu * state.v
        return params + step, MomentumState(v), {"step": step}

    return _optimizer(_zeros_like_params(MomentumState), inspect)


NESTEROV_REPARAM = OptimizerSpec.entry(
    id="nesterov_reparam",
    name="Nesterov momentum (re-parametrized)",
    description="Nesterov's method rewritten so the gradient is taken at the iterate itself.",
    build=nesterov_reparam,
    hyper=(lr_hyper(0.01), momentum_hyper()),
    latex=aligned(
        _G,
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
    code_names=_LR_MU,
    code_state={"v": 0.0},
    equals="torch.optim.SGD(momentum=μ, nesterov=True) when α is constant",
    convention=(
        "The iterate here is the look-ahead point θ + μv of the nesterov form, so both "
        "give the same sequence shifted by μv. The learning rate sits inside v; torch "
        "keeps it outside (agreement for constant α only)."
    ),
    state_fields=(_VELOCITY, _STEP),
    second="momentum",
    lr_rule=CurvatureScaled(0.3),
    stability=_NESTEROV_EDGE,
    compare="nesterov_forms",
    color="#EE6677",
    marker="triangle-up",
)


# ---------------------------------------------------------------------------- adaptive


class AdagradState(NamedTuple):
    r: np.ndarray  # sum of squared gradients


def adagrad(eps=1e-7, eps_in_root=False) -> Optimizer:
    """``adagrad``: r ← r + g²; θ ← θ − α_t g / (√r + ε), or / √(r + ε) with ``eps_in_root``."""

    def inspect(grads, state, params, t, lr, hessian=None):
        r = state.r + grads * grads
        effective_lr = rms_learning_rate(lr, r, eps, eps_in_root)
        step = -effective_lr * grads
        return params + step, AdagradState(r), {"effective_lr": effective_lr, "step": step}

    return _optimizer(_zeros_like_params(AdagradState), inspect)


def _adagrad_latex(flags):
    return aligned(
        _G,
        r"r &\leftarrow r + g \odot g",
        rf"\theta &\leftarrow \theta - \frac{{\alpha_t}}{{{_root(flags, 'r')}}} \odot g",
    )


def _adagrad_code(flags):
    return f"dx = grad(x)\ncache += dx**2\nx += - learning_rate * dx / {_root_code(flags, 'cache')}"


def _adagrad_fields(flags):
    return (
        ("r", "r", "sum of squared gradients (cache)"),
        ("effective_lr", rf"\frac{{\alpha_t}}{{{_root(flags, 'r')}}}", "per-coordinate step size"),
        _STEP,
    )


ADAGRAD = OptimizerSpec.entry(
    id="adagrad",
    name="AdaGrad",
    description="Each coordinate's step shrinks with the sum of its squared gradients so far.",
    build=adagrad,
    hyper=(lr_hyper(0.5), eps_hyper(1e-7), EPS_IN_ROOT),
    latex=_adagrad_latex,
    code=_adagrad_code,
    code_names=_LR_MU,
    code_state={"cache": 0.0},
    equals="torch.optim.Adagrad(eps=ε) (with ε outside the root)",
    convention=(
        "r starts at 0 (torch's initial_accumulator_value=0); ε outside the root, √r + ε, as "
        "torch and CS231n. eps_in_root=True gives √(r + ε), the form of the NPTEL slides "
        "(optax's adagrad too, which also starts r at 0.1)."
    ),
    state_fields=_adagrad_fields,
    lr_rule=ViewScaled(0.1),
    compare="cache",
    color="#117733",
    marker="triangle-down",
)


class RMSpropState(NamedTuple):
    r: np.ndarray  # moving mean of g²
    g_avg: np.ndarray  # moving mean of g (centered only; stays 0 otherwise)
    b: np.ndarray  # torch's momentum buffer (learning rate outside)


def rmsprop(decay=0.9, eps=1e-8, momentum=0.0, centered=False) -> Optimizer:
    """``rmsprop`` as torch.optim.RMSprop: r ← ρr + (1−ρ)g²; ḡ ← ρḡ + (1−ρ)g if centered;
    b ← μb + g / (√(r − ḡ²) + ε); θ ← θ − α_t b."""
    mu, is_centered, any_centered = momentum, _mask(centered), bool(np.any(centered))

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

    return _optimizer(_zeros_like_params(RMSpropState), inspect)


def _rmsprop_latex(flags):
    if flags["centered"]:
        lines = (
            r"\bar g &\leftarrow \rho \bar g + (1 - \rho)\, g",
            r"b &\leftarrow \mu b + \frac{g}{\sqrt{r - \bar g \odot \bar g} + \epsilon}",
        )
    else:
        lines = (r"b &\leftarrow \mu b + \frac{g}{\sqrt{r} + \epsilon}",)
    return aligned(
        _G,
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
        _STEP,
    )


RMSPROP = OptimizerSpec.entry(
    id="rmsprop",
    name="RMSProp",
    description="Divide each coordinate's step by a moving average of its gradient size.",
    build=rmsprop,
    hyper=(lr_hyper(0.01), decay_hyper(), eps_hyper(1e-8), momentum_hyper(0.0), CENTERED),
    latex=_rmsprop_latex,
    code=_rmsprop_code,
    code_names=_LR_MU,
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
    compare="cache",
    color="#33BBEE",
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

    init = _zeros_like_params(RMSpropNesterovState)
    return _optimizer(init, inspect, eval_point=_look_ahead(mu))


RMSPROP_NESTEROV = OptimizerSpec.entry(
    id="rmsprop_nesterov",
    name="RMSProp + Nesterov momentum",
    description="RMSProp's per-coordinate step sizes with a look-ahead velocity.",
    build=rmsprop_nesterov,
    hyper=(lr_hyper(0.001), decay_hyper(), eps_hyper(1e-6), momentum_hyper()),
    latex=aligned(
        _G_AHEAD,
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
    code_names=_LR_MU,
    code_state={"cache": 0.0, "v": 0.0},
    equals="Goodfellow et al., Deep Learning, Alg. 8.6, with ε inside the root (NPTEL's form)",
    convention=(
        "ε inside the root, √(ε + r): the form of the NPTEL lecture slides (which put ε inside "
        "the root for AdaGrad and Adam too), unlike torch's RMSprop (√r + ε). Goodfellow's "
        "Alg. 8.6 itself has no δ at all (it divides by √r; Alg. 8.5, plain RMSProp, has "
        "√(δ + r)). The learning rate sits inside v; the gradient is taken at θ + μv."
    ),
    state_fields=(
        ("r", "r", "moving average of squared gradients (cache)"),
        ("v", "v", "velocity"),
        ("effective_lr", r"\frac{\alpha_t}{\sqrt{\epsilon + r}}", "per-coordinate step size"),
        _STEP,
    ),
    second="momentum",
    lr_rule=ViewScaled(0.001),
    compare="cache",
    color="#009988",
    marker="hexagon",
)


# ---------------------------------------------------------------------------- the Adam family


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
    corrected = _mask(bias_correction)
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

    return _optimizer(_zeros_like_params(state_type), inspect)


_ADAM_HYPER = (beta1_hyper(), beta2_hyper(), eps_hyper(1e-8))
_ADAM_NAMES = _LR_MU
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
    _STEP,
)
_ADAM_MOMENTS_CODE = "dx = grad(x)\nm = beta1*m + (1-beta1)*dx\nv = beta2*v + (1-beta2)*(dx**2)\n"


def adam(beta1=0.9, beta2=0.999, eps=1e-8, bias_correction=True, eps_in_root=False) -> Optimizer:
    """``adam`` as torch.optim.Adam; ``bias_correction=False`` uses m and v without the hats;
    ``eps_in_root`` divides by √(v̂ + ε) instead of √v̂ + ε."""
    return _adam_family(beta1, beta2, eps, bias_correction=bias_correction, eps_in_root=eps_in_root)


def _adam_latex(flags):
    m, v = (r"\hat m", r"\hat v") if flags["bias_correction"] else ("m", "v")
    hats = (_HATS,) if flags["bias_correction"] else ()
    step = rf"\theta &\leftarrow \theta - \alpha_t\, \frac{{{m}}}{{{_root(flags, v)}}}"
    return aligned(_G, *_ADAM_LATEX, *hats, step)


def _adam_code(flags):
    hats = "mt = m / (1-beta1**t)\nvt = v / (1-beta2**t)\n" if flags["bias_correction"] else ""
    m, v = ("mt", "vt") if flags["bias_correction"] else ("m", "v")
    return f"{_ADAM_MOMENTS_CODE}{hats}x += - learning_rate * {m} / {_root_code(flags, v)}"


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
    effective = ("effective_lr", rf"\frac{{\alpha_t}}{{{_root(flags, v)}}}", "per-coordinate step")
    return (*_ADAM_FIELDS, *hats, effective, _STEP)


ADAM = OptimizerSpec.entry(
    id="adam",
    name="Adam",
    description="Momentum on the gradient plus RMSProp's scaling, both bias-corrected.",
    build=adam,
    hyper=(lr_hyper(0.05), *_ADAM_HYPER, BIAS_CORRECTION, EPS_IN_ROOT),
    latex=_adam_latex,
    code=_adam_code,
    code_names=_ADAM_NAMES,
    code_state={"m": 0.0, "v": 0.0},
    equals="torch.optim.Adam (with bias correction and ε outside the root)",
    convention=(
        "ε outside the root, √v̂ + ε (Kingma & Ba, torch); eps_in_root=True gives √(v̂ + ε), "
        "the form of the NPTEL slides. m, v start at 0. bias_correction=False uses m and v "
        "in place of m̂ and v̂ (no torch equivalent): both are biased toward 0 early on, v "
        "more, so with β₁ = 0.9, β₂ = 0.999 the first step is (1 − β₁)/√(1 − β₂) ≈ 3.2 α. "
        'That is exactly CS231n\'s "RMSProp with momentum" (a moving average of g in the '
        "numerator, no correction). The NPTEL slides print the correction as m/(1 − β₁), "
        "a typo for m/(1 − β₁ᵗ)."
    ),
    state_fields=_adam_fields,
    second="beta1",
    lr_rule=ViewScaled(0.02),
    compare="bias_correction",
    color="#EE3377",
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
        _G,
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
    compare="bias_correction",
    color="#AA4499",
    marker="x",
)


def amsgrad(beta1=0.9, beta2=0.999, eps=1e-8) -> Optimizer:
    """``amsgrad`` as torch.optim.Adam(amsgrad=True)."""
    return _adam_family(beta1, beta2, eps, amsgrad=True)


AMSGRAD = OptimizerSpec.entry(
    id="amsgrad",
    name="AMSGrad",
    description="Adam whose scaling never relaxes: it divides by the largest v seen so far.",
    build=amsgrad,
    hyper=(lr_hyper(0.05), *_ADAM_HYPER),
    latex=aligned(
        _G,
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
    compare="bias_correction",
    color="#CC79A7",
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

    return _optimizer(init, inspect)


NADAM = OptimizerSpec.entry(
    id="nadam",
    name="NAdam",
    description="Adam with Nesterov momentum: the mean gradient looks one step ahead.",
    build=nadam,
    hyper=(lr_hyper(0.05), *_ADAM_HYPER),
    latex=aligned(
        _G,
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
    compare="bias_correction",
    color="#E69F00",
    marker="triangle-right",
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

    return _optimizer(_zeros_like_params(AdadeltaState), inspect)


ADADELTA = OptimizerSpec.entry(
    id="adadelta",
    name="Adadelta",
    description="Step sizes from the ratio of recent step sizes to recent gradient sizes.",
    build=adadelta,
    hyper=(lr_hyper(1.0, 1e-2, 10.0), decay_hyper(), eps_hyper(1e-6)),
    latex=aligned(
        _G,
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
    code_names=_LR_MU,
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
        _STEP,
    ),
    second="decay",
    lr_rule=FixedLR(1.0),
    compare="cache",
    color="#999933",
    marker="hexagram",
)


# ---------------------------------------------------------------------------- sign-based


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

    return _optimizer(_zeros_like_params(LionState), inspect)


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
        _G,
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
    code_names=_LR_MU,
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
        _STEP,
    ),
    second="beta1",
    lr_rule=ViewScaled(0.004),
    color="#88CCEE",
    marker="hourglass",
)


# ---------------------------------------------------------------------------- second order


def newton(damping=0.0, saddle_free=False) -> Optimizer:
    """``newton``: d = −(H̃ + λI)⁻¹ g with H = QΛQᵀ and H̃ = Q|Λ|Qᵀ when saddle-free; θ ← θ + α_t d.

    Curvatures λ_i (+ damping) closer to zero than 1e-8 of the largest are floored (sign kept),
    so a singular Hessian gives a large but defined step, never an error.
    """
    absolute = _mask(saddle_free)

    def inspect(grads, state, params, t, lr, hessian=None):
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

    return _optimizer(_empty, inspect, uses_hessian=True)


def _newton_latex(flags):
    curvature = r"|\Lambda|" if flags["saddle_free"] else r"\Lambda"
    return aligned(
        _G,
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
        _STEP,
    )


NEWTON = OptimizerSpec.entry(
    id="newton",
    name="Newton's method",
    description="Jump to the minimum of the local quadratic model, using the Hessian.",
    build=newton,
    hyper=(lr_hyper(1.0, 1e-3, 2.0), DAMPING, SADDLE_FREE),
    latex=_newton_latex,
    code=_newton_code,
    code_names=_LR_MU,
    equals="Goodfellow et al., Deep Learning, eq. 8.28 (Dauphin et al. 2014 when saddle-free)",
    convention=(
        "Damped Newton: λ is added to every eigenvalue. Curvatures closer to 0 than 1e-8 "
        "of the largest are floored (sign kept), so a singular Hessian gives a huge but "
        "defined step. Plain Newton is attracted to saddles and maxima; saddle-free is not."
    ),
    state_fields=_newton_fields,
    lr_rule=FixedLR(1.0),
    color="#CCBB44",
    marker="bowtie",
)


# ---------------------------------------------------------------------------- the entries

SPECS: tuple[OptimizerSpec, ...] = (
    SGD,
    MOMENTUM,
    NESTEROV,
    NESTEROV_REPARAM,
    ADAGRAD,
    RMSPROP,
    RMSPROP_NESTEROV,
    ADAM,
    ADAMW,
    AMSGRAD,
    NADAM,
    ADADELTA,
    NEWTON,
    LION,
)

BUILDERS = {spec.id: spec.build for spec in SPECS}
_BY_ID = {spec.id: spec for spec in SPECS}


def spec_of(optimizer: str) -> OptimizerSpec:
    """The entry of ``optimizer``, or an OptimizerError that lists the known ids."""
    if optimizer not in _BY_ID:
        choices = ", ".join(_BY_ID)
        raise OptimizerError(f"Unknown optimizer {optimizer!r}; choose one of {choices}")
    return _BY_ID[optimizer]


def build(optimizer: str, hyper: dict) -> tuple[Optimizer, dict]:
    """The optimizer with ``hyper`` bound, and its full validated hyperparameters (defaults
    filled in, ``lr`` included). Values are scalars or (B,) arrays; arrays are bound as (B, 1)
    so that they broadcast over the coordinates."""
    spec = spec_of(optimizer)
    names = [h.name for h in spec.hyper]
    for name, value in hyper.items():
        if name not in names:
            takes = ", ".join(names)
            raise OptimizerError(
                f"Unknown hyperparameter {name!r} for {optimizer}; it takes {takes}"
            )
        if np.ndim(value) > 1:
            raise OptimizerError(f"Invalid {name}: give one value or a 1-D array (one per run)")
    full = {h.name: h.check(hyper.get(h.name, h.default)) for h in spec.hyper}
    bound = {k: (v[:, None] if np.ndim(v) else v) for k, v in full.items() if k != "lr"}
    return spec.build(**bound), full


def make_optimizer(optimizer: str, **hyper) -> Optimizer:
    """The pure ``init``/``update`` pair of ``optimizer`` with these hyperparameters bound.

    Missing hyperparameters take their defaults; ``lr`` is only validated, since the learning
    rate α_t is passed to ``update`` at every step.
    """
    return build(optimizer, hyper)[0]
