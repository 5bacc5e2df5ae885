"""The update rules: one pure ``init`` / ``update`` pair per optimizer.

The math of each rule, as LaTeX, lives once in ``OPTIMIZERS[id].latex`` (optim_core.metadata);
the functions below read like it. Arrays carry a leading batch axis: parameters and gradients
are (B, 2); a hyperparameter is a float or a (B, 1) array, bound when the optimizer is built;
``t`` counts steps from 1 and ``lr`` is α_t (a float or (B, 1)).

Two small hooks cover what plain gradient methods do not need:

* ``eval_point(params, state)`` says where the gradient is evaluated. It is ``params`` for all
  rules except the look-ahead forms (``nesterov``, ``rmsprop_nesterov``): θ + μv.
* ``uses_hessian``: the runner then passes ``hessian=∇²f(eval_point)`` (B, 2, 2) to ``update``.

``inspect`` is ``update`` that also returns the rule's own intermediate numbers (m̂, v̂, the
per-coordinate learning rate, the step ...), named as in ``OPTIMIZERS[id].state_fields``.
"""

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from optim_core._shared import (
    bias_corrected,
    ema,
    floored,
    pair,
    rms_learning_rate,
    symmetric_eig2,
)
from optim_core.metadata import OptimizerError, check_hyper, optimizer_spec

# ---------------------------------------------------------------------------- the interface


def at_params(params, state):
    """Default ``eval_point``: the gradient is taken at the current iterate."""
    return params


class Optimizer(NamedTuple):
    """A pure optimizer. ``update(grads, state, params, t, lr, hessian=None)``
    returns ``(new_params, new_state)``; ``inspect`` (same arguments) returns
    ``(new_params, new_state, diagnostics)``."""

    init: Callable[[np.ndarray], NamedTuple]
    update: Callable[..., tuple[np.ndarray, NamedTuple]]
    inspect: Callable[..., tuple[np.ndarray, NamedTuple, dict[str, Any]]]
    eval_point: Callable[[np.ndarray, NamedTuple], np.ndarray] = at_params
    uses_hessian: bool = False


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


# ---------------------------------------------------------------------------- states


class EmptyState(NamedTuple):
    pass


class MomentumState(NamedTuple):
    v: np.ndarray  # velocity, learning rate inside: v ← μv − α g


class AdagradState(NamedTuple):
    r: np.ndarray  # sum of squared gradients


class RMSpropState(NamedTuple):
    r: np.ndarray  # moving mean of g²
    g_avg: np.ndarray  # moving mean of g (centered only; stays 0 otherwise)
    b: np.ndarray  # torch's momentum buffer (learning rate outside)


class RMSpropNesterovState(NamedTuple):
    r: np.ndarray  # moving mean of g²
    v: np.ndarray  # velocity, learning rate inside


class AdamState(NamedTuple):
    m: np.ndarray  # first moment
    v: np.ndarray  # second moment


class AMSGradState(NamedTuple):
    m: np.ndarray
    v: np.ndarray
    v_max: np.ndarray  # running maximum of v


class NAdamState(NamedTuple):
    m: np.ndarray
    v: np.ndarray
    mu_product: np.ndarray  # (B, 1): ∏ μ_i over the steps so far


class AdadeltaState(NamedTuple):
    E_g: np.ndarray  # moving mean of g²
    E_x: np.ndarray  # moving mean of Δ²


def _empty(params):
    return EmptyState()


# ---------------------------------------------------------------------------- gradient descent


def sgd() -> Optimizer:
    """``sgd``: θ ← θ − α_t g."""

    def inspect(grads, state, params, t, lr, hessian=None):
        step = -lr * grads
        return params + step, state, {"step": step}

    return _optimizer(_empty, inspect)


def _heavy_ball(mu) -> Optimizer:
    def inspect(grads, state, params, t, lr, hessian=None):
        v = mu * state.v - lr * grads
        return params + v, MomentumState(v), {"step": v}

    return _optimizer(_zeros_like_params(MomentumState), inspect)


def momentum(momentum=0.9) -> Optimizer:
    """``momentum`` (heavy ball): v ← μv − α_t g; θ ← θ + v."""
    return _heavy_ball(momentum)


def _look_ahead(mu):
    """``eval_point`` of the Nesterov forms: the gradient is taken at θ + μv."""

    def eval_point(params, state):
        return params + mu * state.v

    return eval_point


def nesterov(momentum=0.9) -> Optimizer:
    """``nesterov``: the momentum rule with the gradient taken at the look-ahead point θ + μv."""
    return _heavy_ball(momentum)._replace(eval_point=_look_ahead(momentum))


def nesterov_reparam(momentum=0.9) -> Optimizer:
    """``nesterov_reparam``: v' ← v; v ← μv − α_t g; θ ← θ − μv' + (1 + μ)v."""
    mu = momentum

    def inspect(grads, state, params, t, lr, hessian=None):
        v = mu * state.v - lr * grads
        step = (1.0 + mu) * v - mu * state.v
        return params + step, MomentumState(v), {"step": step}

    return _optimizer(_zeros_like_params(MomentumState), inspect)


# ---------------------------------------------------------------------------- adaptive


def adagrad(eps=1e-7) -> Optimizer:
    """``adagrad``: r ← r + g²; θ ← θ − α_t g / (√r + ε)."""

    def inspect(grads, state, params, t, lr, hessian=None):
        r = state.r + grads * grads
        effective_lr = rms_learning_rate(lr, r, eps)
        step = -effective_lr * grads
        return params + step, AdagradState(r), {"effective_lr": effective_lr, "step": step}

    return _optimizer(_zeros_like_params(AdagradState), inspect)


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


def _adam_family(beta1, beta2, eps, *, bias_correction=True, weight_decay=0.0, amsgrad=False):
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
        effective_lr = rms_learning_rate(lr, v_hat, eps)
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


def adam(beta1=0.9, beta2=0.999, eps=1e-8, bias_correction=True) -> Optimizer:
    """``adam`` as torch.optim.Adam; ``bias_correction=False`` uses m and v without the hats."""
    return _adam_family(beta1, beta2, eps, bias_correction=bias_correction)


def adamw(beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01) -> Optimizer:
    """``adamw`` as torch.optim.AdamW: θ ← θ(1 − α_t λ), then the Adam step."""
    return _adam_family(beta1, beta2, eps, weight_decay=weight_decay)


def amsgrad(beta1=0.9, beta2=0.999, eps=1e-8) -> Optimizer:
    """``amsgrad`` as torch.optim.Adam(amsgrad=True)."""
    return _adam_family(beta1, beta2, eps, amsgrad=True)


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


BUILDERS = {
    "sgd": sgd,
    "momentum": momentum,
    "nesterov": nesterov,
    "nesterov_reparam": nesterov_reparam,
    "adagrad": adagrad,
    "rmsprop": rmsprop,
    "rmsprop_nesterov": rmsprop_nesterov,
    "adam": adam,
    "adamw": adamw,
    "amsgrad": amsgrad,
    "nadam": nadam,
    "adadelta": adadelta,
    "newton": newton,
}


def build(optimizer: str, hyper: dict) -> tuple[Optimizer, dict]:
    """The optimizer with ``hyper`` bound, and its full validated hyperparameters (defaults
    filled in, ``lr`` included). Values are scalars or (B,) arrays; arrays are bound as (B, 1)
    so that they broadcast over the coordinates."""
    specs = optimizer_spec(optimizer).hyper
    names = [h.name for h in specs]
    for name, value in hyper.items():
        if name not in names:
            takes = ", ".join(names)
            raise OptimizerError(
                f"Unknown hyperparameter {name!r} for {optimizer}; it takes {takes}"
            )
        if np.ndim(value) > 1:
            raise OptimizerError(f"Invalid {name}: give one value or a 1-D array (one per run)")
    full = {h.name: check_hyper(h.name, hyper.get(h.name, h.default)) for h in specs}
    bound = {k: (v[:, None] if np.ndim(v) else v) for k, v in full.items() if k != "lr"}
    return BUILDERS[optimizer](**bound), full


def make_optimizer(optimizer: str, **hyper) -> Optimizer:
    """The pure ``init``/``update`` pair of ``optimizer`` with these hyperparameters bound.

    Missing hyperparameters take their defaults; ``lr`` is only validated, since the learning
    rate α_t is passed to ``update`` at every step.
    """
    return build(optimizer, hyper)[0]
