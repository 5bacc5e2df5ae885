"""What several update rules and their entries share: how an ``Optimizer`` is made from its
``inspect``, zero-initialized state, the look-ahead hook, and the LaTeX and code pieces
that recur in the entries.
"""

from typing import NamedTuple

import numpy as np

from optim_core.spec import Optimizer


def from_inspect(init, inspect, **hooks) -> Optimizer:
    """The ``Optimizer`` whose ``update`` is ``inspect`` without its diagnostics."""

    def update(grads, state, params, t, lr, hessian=None):
        new_params, new_state, _ = inspect(grads, state, params, t, lr, hessian)
        return new_params, new_state

    return Optimizer(init, update, inspect, **hooks)


def zeros_like_params(state_type):
    def init(params):
        return state_type(*(np.zeros_like(params) for _ in state_type._fields))

    return init


def as_mask(flag):
    """A boolean hyperparameter as 1.0 / 0.0 (float or (B, 1) array) for branch-free formulas."""
    return np.asarray(flag, dtype=float) if np.ndim(flag) else float(flag)


class EmptyState(NamedTuple):
    pass


def empty(params):
    return EmptyState()


G = r"g &\leftarrow \nabla f(\theta)"
G_AHEAD = r"g &\leftarrow \nabla f(\theta + \mu v)"
STEP = ("step", r"\Delta\theta", "the step taken: θ after the step minus θ before")
VELOCITY = ("v", "v", "velocity: the decaying sum of past steps")
LR_MU = {"lr": "learning_rate", "momentum": "mu"}


def root(flags, r):
    """The RMS denominator in LaTeX: √(r + ε) with ``eps_in_root``, else √r + ε."""
    return rf"\sqrt{{{r} + \epsilon}}" if flags["eps_in_root"] else rf"\sqrt{{{r}}} + \epsilon"


def root_code(flags, r):
    return f"np.sqrt({r} + eps)" if flags["eps_in_root"] else f"(np.sqrt({r}) + eps)"


def look_ahead(mu):
    """``eval_point`` of the Nesterov forms: the gradient is taken at θ + μv."""

    def eval_point(params, state):
        return params + mu * state.v

    return eval_point
