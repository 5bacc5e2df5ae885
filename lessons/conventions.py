"""Where the sources write a rule differently — the lecture notes, PyTorch, optax — and which
form Descent Lab uses: the table under the lessons ("About the formulas")."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Convention:
    """Where the sources write a rule differently, and which form Descent Lab uses."""

    question: str
    lecture: str
    torch: str
    optax: str
    descent_lab: str
    optimizers: tuple[str, ...]  # whose OPTIMIZERS metadata (equals, convention) to show


CONVENTIONS: tuple[Convention, ...] = (
    Convention(
        "ε in RMSProp's denominator",
        "CS231n: √r + ε; Goodfellow Alg. 8.5: √(ε + r)",
        "√r + ε",
        "√(r + ε) (eps_in_sqrt=True by default)",
        "√r + ε (rmsprop); √(ε + r) (rmsprop_nesterov, Goodfellow Alg. 8.6)",
        ("rmsprop", "rmsprop_nesterov"),
    ),
    Convention(
        "AdaGrad's accumulator and ε",
        "r₀ = 0, √r + ε",
        "r₀ = 0 (initial_accumulator_value), √r + ε, ε = 10⁻¹⁰",
        "r₀ = 0.1, √(r + ε), ε = 10⁻⁷",
        "r₀ = 0, √r + ε, ε = 10⁻⁷",
        ("adagrad",),
    ),
    Convention(
        "Nesterov momentum",
        "look-ahead: v ← μv − α∇f(θ + μv) (Goodfellow Alg. 8.3); CS231n also the "
        "re-parametrized form",
        "re-parametrized (nesterov=True): the iterate is the look-ahead point",
        "re-parametrized, as torch (sgd(nesterov=True))",
        "both: nesterov (look-ahead) and nesterov_reparam",
        ("nesterov", "nesterov_reparam"),
    ),
    Convention(
        "Where α sits in momentum",
        "inside the velocity: v ← μv − αg; θ ← θ + v",
        "outside: b ← μb + g; θ ← θ − αb",
        "outside: trace, then scale by −α",
        "inside (the lecture's form); the same path while α is constant",
        ("momentum",),
    ),
    Convention(
        "ε in Adam",
        "m̂/(√v̂ + ε) (Kingma & Ba)",
        "m̂/(√v̂ + ε)",
        "m̂/(√(v̂ + ε_root) + ε), ε_root = 0 by default",
        "m̂/(√v̂ + ε)",
        ("adam",),
    ),
)
