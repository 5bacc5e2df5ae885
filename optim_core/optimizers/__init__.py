"""The optimizers: each update rule, a pure ``init`` / ``update`` pair, and right below it its
entry (``OptimizerSpec``): hyperparameters, the rule as LaTeX and as the NumPy code shown (which
the tests execute), the learning-rate heuristic, the stability edge, colour and marker.

One module per family: ``gradient`` (sgd, momentum, both Nesterov forms), ``adaptive`` (AdaGrad,
RMSProp, RMSProp + Nesterov, Adadelta), ``adam`` (Adam, AdamW, AMSGrad, NAdam), ``newton`` and
``lion``. ``OPTIMIZERS`` below lists the entries in display order; every other per-id table is
derived from it. Adding an optimizer is its rule and its entry in a family module, plus its
place in ``OPTIMIZERS``.

Arrays carry a leading batch axis: parameters and gradients are (B, P), P = 2 on a 2D surface
and the number of parameters on a network's loss; a hyperparameter is a float or a (B, 1)
array, bound when the optimizer is built; ``t`` counts steps from 1 and ``lr`` is α_t (a float
or (B, 1)).

Two small hooks cover what plain gradient methods do not need:

* ``eval_point(params, state)`` says where the gradient is evaluated. It is ``params`` for all
  rules except the look-ahead forms (``nesterov``, ``rmsprop_nesterov``): θ + μv.
* ``uses_hessian``: the runner then passes ``hessian=∇²f(eval_point)`` (B, P, P) to ``update``.

``inspect`` is ``update`` that also returns the rule's own intermediate numbers (m̂, v̂, the
per-coordinate learning rate, the step ...), named as in the entry's ``state_fields``.
"""

import numpy as np

from optim_core.optimizers.adam import ADAM, ADAMW, AMSGRAD, NADAM
from optim_core.optimizers.adaptive import ADADELTA, ADAGRAD, RMSPROP, RMSPROP_NESTEROV
from optim_core.optimizers.gradient import MOMENTUM, NESTEROV, NESTEROV_REPARAM, SGD
from optim_core.optimizers.lion import LION
from optim_core.optimizers.newton import NEWTON
from optim_core.spec import Optimizer, OptimizerError, OptimizerSpec

__all__ = ["OPTIMIZERS", "build", "make_optimizer", "optimizer_spec"]

OPTIMIZERS: dict[str, OptimizerSpec] = {
    spec.id: spec
    for spec in (
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
}


def optimizer_spec(optimizer: str) -> OptimizerSpec:
    """``OPTIMIZERS[optimizer]``, or an OptimizerError that lists the known ids."""
    if optimizer not in OPTIMIZERS:
        choices = ", ".join(OPTIMIZERS)
        raise OptimizerError(f"Unknown optimizer {optimizer!r}; choose one of {choices}")
    return OPTIMIZERS[optimizer]


def build(optimizer: str, hyper: dict) -> tuple[Optimizer, dict]:
    """The optimizer with ``hyper`` bound, and its full validated hyperparameters (defaults
    filled in, ``lr`` included). Values are scalars or (B,) arrays; arrays are bound as (B, 1)
    so that they broadcast over the coordinates."""
    spec = optimizer_spec(optimizer)
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
