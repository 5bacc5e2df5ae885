"""Where the sources write a rule differently — the lecture notes, PyTorch, optax — and which
form Descent Lab uses: the table under the lessons ("About the formulas")."""

from __future__ import annotations

from dataclasses import dataclass

from optim_core.optimizers import quotes as q
from optim_core.spec import Quote


@dataclass(frozen=True)
class Convention:
    """Where the sources write a rule differently, and which form Descent Lab uses. ``lecture``
    names each course document with the line it relies on (``quotes``, shown in the cell)."""

    question: str
    lecture: str
    torch: str
    optax: str
    descent_lab: str
    optimizers: tuple[str, ...]  # whose OPTIMIZERS metadata (equals, convention) to show
    quotes: tuple[Quote, ...] = ()


CONVENTIONS: tuple[Convention, ...] = (
    Convention(
        "ε in RMSProp's denominator",
        f"CS231n: √cache + 1e-7, {q.CS231N_ROOT.plain}; NPTEL: √(εI + r_t), "
        f"{q.NPTEL_ROOT.plain}; the Guilan slides (Goodfellow Alg. 8.5): √(δ + r), "
        f"{q.GUILAN_RMSPROP_ROOT.plain}",
        "√r + ε",
        "√(r + ε) (eps_in_sqrt=True by default)",
        "√r + ε (rmsprop); √(ε + r) (rmsprop_nesterov: Goodfellow Alg. 8.6, which has no ε, "
        "with NPTEL's ε inside the root)",
        ("rmsprop", "rmsprop_nesterov"),
        (q.CS231N_ROOT, q.NPTEL_ROOT, q.GUILAN_RMSPROP_ROOT),
    ),
    Convention(
        "AdaGrad's accumulator and ε",
        f"CS231n: √cache + 1e-7, {q.CS231N_ROOT.plain}; NPTEL: √(εI + r_t), "
        f"{q.NPTEL_ROOT.plain}; the Guilan slides (Goodfellow Alg. 8.4): δ + √r, "
        f"{q.GUILAN_ADAGRAD_ROOT.plain}, and r₀ = 0, {q.GUILAN_ADAGRAD_START.plain}",
        "r₀ = 0 (initial_accumulator_value), √r + ε, ε = 10⁻¹⁰",
        "r₀ = 0.1, √(r + ε), ε = 10⁻⁷",
        "r₀ = 0, √r + ε, ε = 10⁻⁷; eps_in_root: √(r + ε)",
        ("adagrad",),
        (q.CS231N_ROOT, q.NPTEL_ROOT, q.GUILAN_ADAGRAD_ROOT, q.GUILAN_ADAGRAD_START),
    ),
    Convention(
        "Nesterov momentum",
        f"look-ahead, v ← μv − α∇f(θ + μv): CS231n, {q.CS231N_NESTEROV.plain}; "
        f"re-parametrized: the student notes, {q.NOTES_NESTEROV.plain}",
        "re-parametrized (nesterov=True): the iterate is the look-ahead point",
        "re-parametrized, as torch (sgd(nesterov=True))",
        "both: nesterov (look-ahead) and nesterov_reparam",
        ("nesterov", "nesterov_reparam"),
        (q.CS231N_NESTEROV, q.NOTES_NESTEROV),
    ),
    Convention(
        "Where α sits in momentum",
        f"inside the velocity, v ← μv − αg; θ ← θ + v: CS231n, {q.CS231N_MOMENTUM.plain}; "
        f"the Guilan slides, {q.GUILAN_MOMENTUM.plain}",
        "outside: b ← μb + g; θ ← θ − αb",
        "outside: trace, then scale by −α",
        "inside (the lecture's form); the same path while α is constant",
        ("momentum",),
        (q.CS231N_MOMENTUM, q.GUILAN_MOMENTUM),
    ),
    Convention(
        "ε in Adam",
        f"CS231n: m̂/(√v̂ + ε), {q.CS231N_ADAM_ROOT.plain}; NPTEL: ŝ_t/√(εI + r̂_t), "
        f"{q.NPTEL_ADAM_ROOT.plain}",
        "m̂/(√v̂ + ε)",
        "m̂/(√(v̂ + ε_root) + ε), ε_root = 0 by default",
        "m̂/(√v̂ + ε); eps_in_root: m̂/√(v̂ + ε)",
        ("adam",),
        (q.CS231N_ADAM_ROOT, q.NPTEL_ADAM_ROOT),
    ),
)
