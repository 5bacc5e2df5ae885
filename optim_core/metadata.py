"""What the app shows about each optimizer and schedule: names, hyperparameters with slider
ranges, the update rule as LaTeX and as NumPy-style code, and the state the rule keeps.

This is the single place where the math is written out; docstrings elsewhere point here.
"""

from dataclasses import dataclass

import numpy as np


class OptimizerError(ValueError):
    """An unknown optimizer, schedule or hyperparameter, or an invalid value."""


@dataclass(frozen=True)
class Hyper:
    """A hyperparameter and its slider: ``min``/``max`` bound the slider, not validity."""

    name: str
    label: str
    default: float
    min: float
    max: float
    log: bool = False
    kind: str = "float"  # "float" | "bool" | "int"
    help: str = ""


@dataclass(frozen=True)
class OptimizerSpec:
    """Metadata of one optimizer.

    ``state_fields`` lists ``(name, latex_symbol, description)`` for every array that
    ``run(..., record_state=True)`` puts into ``Trajectory.states``: the rule's state after each
    step and the per-step numbers the rule computes on the way (m̂, v̂, the effective
    learning rate, the step θ_t − θ_{t−1} ...).
    """

    id: str
    name: str
    description: str
    hyper: tuple[Hyper, ...]
    latex: str
    code: str
    equals: str
    convention: str
    second: str | None
    lookahead: bool
    uses_hessian: bool
    state_fields: tuple[tuple[str, str, str], ...]


@dataclass(frozen=True)
class ScheduleSpec:
    id: str
    name: str
    description: str
    params: tuple[Hyper, ...]
    latex: str


# ---------------------------------------------------------------------------- hyperparameters


def _lr(default, low=1e-4, high=10.0):
    return Hyper("lr", "α", default, low, high, log=True, help="learning rate: the step size")


def _momentum(default=0.9):
    return Hyper("momentum", "μ", default, 0.0, 0.99, help="momentum: how much velocity is kept")


def _decay(default=0.9):
    return Hyper("decay", "ρ", default, 0.5, 0.999, help="decay rate of the moving average of g²")


def _eps(default):
    return Hyper("eps", "ε", default, 1e-10, 1e-1, log=True, help="keeps the division defined")


_BETA1 = Hyper("beta1", "β₁", 0.9, 0.0, 0.99, help="decay rate of the mean gradient m")
_BETA2 = Hyper("beta2", "β₂", 0.999, 0.5, 0.9999, help="decay rate of the mean squared gradient v")
_ADAM = (_BETA1, _BETA2, _eps(1e-8))
_BIAS = Hyper(
    "bias_correction", "bias correction", True, 0, 1, kind="bool", help="divide m, v by 1 − βᵗ"
)
_CENTERED = Hyper(
    "centered", "centered", False, 0, 1, kind="bool", help="divide by the variance, not g²"
)
_WEIGHT_DECAY = Hyper(
    "weight_decay", "λ", 0.01, 0.0, 1.0, help="decoupled weight decay: shrinks θ toward 0"
)
_DAMPING = Hyper(
    "damping", "λ", 0.0, 0.0, 10.0, help="added to every curvature: shorter, safer steps"
)
_SADDLE_FREE = Hyper(
    "saddle_free", "saddle-free", False, 0, 1, kind="bool", help="use |eigenvalues| of H"
)


def _between(low, high, low_open=False, high_open=True):
    def ok(x):
        return (
            np.isfinite(x)
            & ((x > low) if low_open else (x >= low))
            & ((x < high) if high_open else (x <= high))
        )

    text = f"{'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
    return ok, f"must be in {text}"


def _positive():
    return (lambda x: np.isfinite(x) & (x > 0)), "must be > 0"


def _non_negative():
    return (lambda x: np.isfinite(x) & (x >= 0)), "must be >= 0"


# name -> (how the message calls it, test, what is required)
_VALIDITY = {
    "lr": ("learning rate", *_positive()),
    "momentum": ("momentum value", *_between(0, 1)),
    "beta1": ("beta1 value", *_between(0, 1)),
    "beta2": ("beta2 value", *_between(0, 1)),
    "eps": ("epsilon value", *_positive()),
    "decay": ("decay value", *_between(0, 1, low_open=True)),
    "weight_decay": ("weight_decay value", *_non_negative()),
    "damping": ("damping value", *_non_negative()),
}


def check_hyper(name, value):
    """Validate one hyperparameter (a scalar or an array); return it as float/bool or array."""
    array = np.asarray(value)
    if name in ("centered", "bias_correction", "saddle_free"):
        if array.dtype != bool and not (
            np.issubdtype(array.dtype, np.integer) and np.isin(array, (0, 1)).all()
        ):
            raise OptimizerError(f"Invalid {name} value: {value!r} (must be True or False)")
        return bool(array) if array.ndim == 0 else array.astype(bool)
    what, ok, rule = _VALIDITY[name]
    if array.dtype == bool or not np.issubdtype(array.dtype, np.number):
        raise OptimizerError(f"Invalid {what}: {value!r} ({rule})")
    array = array.astype(float)
    with np.errstate(invalid="ignore"):
        bad = ~ok(array)
    if bad.any():
        first = array[bad].flat[0] if array.ndim else float(array)
        raise OptimizerError(f"Invalid {what}: {first} ({rule})")
    return float(array) if array.ndim == 0 else array


# ---------------------------------------------------------------------------- optimizers

_G = r"g &\leftarrow \nabla f(\theta)"
_G_AHEAD = r"g &\leftarrow \nabla f(\theta + \mu v)"
_STEP = ("step", r"\Delta\theta", "the step taken: θ after the step minus θ before")


def _aligned(*lines):
    return r"\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}"


_SPECS = (
    OptimizerSpec(
        id="sgd",
        name="Gradient descent (SGD)",
        description="Step straight downhill, a fixed fraction α of the gradient.",
        hyper=(_lr(0.01),),
        latex=_aligned(_G, r"\theta &\leftarrow \theta - \alpha_t\, g"),
        code="dx = grad(x)\nx += - learning_rate * dx",
        equals="torch.optim.SGD",
        convention="Plain gradient descent; with noise > 0 it is stochastic gradient descent.",
        second=None,
        lookahead=False,
        uses_hessian=False,
        state_fields=(_STEP,),
    ),
    OptimizerSpec(
        id="momentum",
        name="Momentum (heavy ball)",
        description="A ball with inertia: the velocity keeps a fraction μ of the last step.",
        hyper=(_lr(0.01), _momentum()),
        latex=_aligned(_G, r"v &\leftarrow \mu v - \alpha_t\, g", r"\theta &\leftarrow \theta + v"),
        code="dx = grad(x)\nv = mu * v - learning_rate * dx\nx += v",
        equals="torch.optim.SGD(momentum=μ) when α is constant",
        convention=(
            "The learning rate sits inside the velocity (Sutskever et al., CS231n): "
            "v ← μv − αg. torch keeps it outside (b ← μb + g; θ ← θ − αb, so v = −αb); "
            "the two agree step for step while α is constant and differ under a schedule."
        ),
        second="momentum",
        lookahead=False,
        uses_hessian=False,
        state_fields=(("v", "v", "velocity: the decaying sum of past steps"), _STEP),
    ),
    OptimizerSpec(
        id="nesterov",
        name="Nesterov momentum (look-ahead)",
        description="Momentum that looks ahead: the gradient is taken where the velocity leads.",
        hyper=(_lr(0.01), _momentum()),
        latex=_aligned(
            _G_AHEAD, r"v &\leftarrow \mu v - \alpha_t\, g", r"\theta &\leftarrow \theta + v"
        ),
        code=(
            "x_ahead = x + mu * v\n"
            "dx_ahead = grad(x_ahead)  # gradient at the look-ahead point\n"
            "v = mu * v - learning_rate * dx_ahead\n"
            "x += v"
        ),
        equals="Goodfellow et al., Deep Learning, Alg. 8.3",
        convention=(
            "The look-ahead form: the path shows θ, the gradient is evaluated at θ + μv "
            "(Trajectory.eval_points). nesterov_reparam is the same method written in the "
            "shifted variable θ + μv, the form torch uses."
        ),
        second="momentum",
        lookahead=True,
        uses_hessian=False,
        state_fields=(("v", "v", "velocity: the decaying sum of past steps"), _STEP),
    ),
    OptimizerSpec(
        id="nesterov_reparam",
        name="Nesterov momentum (re-parametrized)",
        description="Nesterov's method rewritten so the gradient is taken at the iterate itself.",
        hyper=(_lr(0.01), _momentum()),
        latex=_aligned(
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
        equals="torch.optim.SGD(momentum=μ, nesterov=True) when α is constant",
        convention=(
            "The iterate here is the look-ahead point θ + μv of the nesterov form, so both "
            "give the same sequence shifted by μv. The learning rate sits inside v; torch "
            "keeps it outside (agreement for constant α only)."
        ),
        second="momentum",
        lookahead=False,
        uses_hessian=False,
        state_fields=(("v", "v", "velocity: the decaying sum of past steps"), _STEP),
    ),
    OptimizerSpec(
        id="adagrad",
        name="AdaGrad",
        description="Each coordinate's step shrinks with the sum of its squared gradients so far.",
        hyper=(_lr(0.5), _eps(1e-7)),
        latex=_aligned(
            _G,
            r"r &\leftarrow r + g \odot g",
            r"\theta &\leftarrow \theta - \frac{\alpha_t}{\sqrt{r} + \epsilon} \odot g",
        ),
        code="dx = grad(x)\ncache += dx**2\nx += - learning_rate * dx / (np.sqrt(cache) + eps)",
        equals="torch.optim.Adagrad(eps=ε)",
        convention="r starts at 0 (torch's initial_accumulator_value=0); ε outside the root.",
        second=None,
        lookahead=False,
        uses_hessian=False,
        state_fields=(
            ("r", "r", "sum of squared gradients (cache)"),
            ("effective_lr", r"\frac{\alpha_t}{\sqrt{r}+\epsilon}", "per-coordinate step size"),
            _STEP,
        ),
    ),
    OptimizerSpec(
        id="rmsprop",
        name="RMSProp",
        description="Divide each coordinate's step by a moving average of its gradient size.",
        hyper=(_lr(0.01), _decay(), _eps(1e-8), _momentum(0.0), _CENTERED),
        latex=_aligned(
            _G,
            r"r &\leftarrow \rho r + (1 - \rho)\, g \odot g",
            r"\bar g &\leftarrow \rho \bar g + (1 - \rho)\, g "
            r"\quad (\text{centered; otherwise } \bar g = 0)",
            r"b &\leftarrow \mu b + \frac{g}{\sqrt{r - \bar g \odot \bar g} + \epsilon}",
            r"\theta &\leftarrow \theta - \alpha_t\, b",
        ),
        code=(
            "dx = grad(x)\n"
            "cache = decay * cache + (1 - decay) * dx**2\n"
            "g_avg = decay * g_avg + (1 - decay) * dx  # centered only, else 0\n"
            "b = mu * b + dx / (np.sqrt(cache - g_avg**2) + eps)\n"
            "x += - learning_rate * b"
        ),
        equals="torch.optim.RMSprop(alpha=ρ, eps=ε, momentum=μ, centered=…)",
        convention=(
            "ε outside the root, r starts at 0. With μ = 0 this is x −= α g/(√r + ε). "
            "The momentum buffer b follows torch: the learning rate is applied outside it."
        ),
        second="decay",
        lookahead=False,
        uses_hessian=False,
        state_fields=(
            ("r", "r", "moving average of squared gradients (cache)"),
            ("g_avg", r"\bar g", "moving average of gradients (centered only, else 0)"),
            ("b", "b", "momentum buffer (0 steps remembered when μ = 0)"),
            (
                "effective_lr",
                r"\frac{\alpha_t}{\sqrt{r - \bar g^2}+\epsilon}",
                "per-coordinate step size",
            ),
            _STEP,
        ),
    ),
    OptimizerSpec(
        id="rmsprop_nesterov",
        name="RMSProp + Nesterov momentum",
        description="RMSProp's per-coordinate step sizes with a look-ahead velocity.",
        hyper=(_lr(0.001), _decay(), _eps(1e-6), _momentum()),
        latex=_aligned(
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
        equals="Goodfellow et al., Deep Learning, Alg. 8.6",
        convention=(
            "The lecture's form: ε inside the root, √(ε + r), unlike torch's RMSprop; the "
            "learning rate sits inside v; the gradient is taken at θ + μv."
        ),
        second="momentum",
        lookahead=True,
        uses_hessian=False,
        state_fields=(
            ("r", "r", "moving average of squared gradients (cache)"),
            ("v", "v", "velocity"),
            ("effective_lr", r"\frac{\alpha_t}{\sqrt{\epsilon + r}}", "per-coordinate step size"),
            _STEP,
        ),
    ),
)

_ADAM_LATEX = (
    r"m &\leftarrow \beta_1 m + (1 - \beta_1)\, g",
    r"v &\leftarrow \beta_2 v + (1 - \beta_2)\, g \odot g",
)
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
_ADAM_CODE = (
    "dx = grad(x)\n"
    "m = beta1*m + (1-beta1)*dx\n"
    "v = beta2*v + (1-beta2)*(dx**2)\n"
    "mt = m / (1-beta1**t)\n"
    "vt = v / (1-beta2**t)\n"
    "x += - learning_rate * mt / (np.sqrt(vt) + eps)"
)

_SPECS += (
    OptimizerSpec(
        id="adam",
        name="Adam",
        description="Momentum on the gradient plus RMSProp's scaling, both bias-corrected.",
        hyper=(_lr(0.05), *_ADAM, _BIAS),
        latex=_aligned(
            _G,
            *_ADAM_LATEX,
            r"\hat m &\leftarrow m / (1 - \beta_1^t), \quad \hat v \leftarrow v / (1 - \beta_2^t)",
            r"\theta &\leftarrow \theta - \alpha_t\, \frac{\hat m}{\sqrt{\hat v} + \epsilon}",
        ),
        code=_ADAM_CODE,
        equals="torch.optim.Adam",
        convention=(
            "ε outside the root; m, v start at 0. bias_correction=False uses m and v in place "
            "of m̂ and v̂ (no torch equivalent): both are biased toward 0 early on, v more, so "
            "with β₁ = 0.9, β₂ = 0.999 the first step is (1 − β₁)/√(1 − β₂) ≈ 3.2 α."
        ),
        second="beta1",
        lookahead=False,
        uses_hessian=False,
        state_fields=_ADAM_FIELDS + _ADAM_DIAGNOSTICS,
    ),
    OptimizerSpec(
        id="adamw",
        name="AdamW",
        description="Adam plus weight decay that shrinks θ toward 0 separately from the gradient.",
        hyper=(_lr(0.05), *_ADAM, _WEIGHT_DECAY),
        latex=_aligned(
            _G,
            *_ADAM_LATEX,
            r"\hat m &\leftarrow m / (1 - \beta_1^t), \quad \hat v \leftarrow v / (1 - \beta_2^t)",
            r"\theta &\leftarrow \theta (1 - \alpha_t \lambda) "
            r"- \alpha_t\, \frac{\hat m}{\sqrt{\hat v} + \epsilon}",
        ),
        code=(
            "dx = grad(x)\n"
            "m = beta1*m + (1-beta1)*dx\n"
            "v = beta2*v + (1-beta2)*(dx**2)\n"
            "mt, vt = m / (1-beta1**t), v / (1-beta2**t)\n"
            "x *= 1 - learning_rate * weight_decay\n"
            "x += - learning_rate * mt / (np.sqrt(vt) + eps)"
        ),
        equals="torch.optim.AdamW(weight_decay=λ)",
        convention="The decay multiplies θ before the Adam step and is scaled by α_t (torch).",
        second="beta1",
        lookahead=False,
        uses_hessian=False,
        state_fields=_ADAM_FIELDS + _ADAM_DIAGNOSTICS,
    ),
    OptimizerSpec(
        id="amsgrad",
        name="AMSGrad",
        description="Adam whose scaling never relaxes: it divides by the largest v seen so far.",
        hyper=(_lr(0.05), *_ADAM),
        latex=_aligned(
            _G,
            *_ADAM_LATEX,
            r"v_{\max} &\leftarrow \max(v_{\max}, v)",
            r"\hat m &\leftarrow m / (1 - \beta_1^t), "
            r"\quad \hat v \leftarrow v_{\max} / (1 - \beta_2^t)",
            r"\theta &\leftarrow \theta - \alpha_t\, \frac{\hat m}{\sqrt{\hat v} + \epsilon}",
        ),
        code=(
            "dx = grad(x)\n"
            "m = beta1*m + (1-beta1)*dx\n"
            "v = beta2*v + (1-beta2)*(dx**2)\n"
            "v_max = np.maximum(v_max, v)\n"
            "mt, vt = m / (1-beta1**t), v_max / (1-beta2**t)\n"
            "x += - learning_rate * mt / (np.sqrt(vt) + eps)"
        ),
        equals="torch.optim.Adam(amsgrad=True)",
        convention="The maximum is taken over the raw v, then bias-corrected (torch).",
        second="beta1",
        lookahead=False,
        uses_hessian=False,
        state_fields=(
            *_ADAM_FIELDS,
            ("v_max", r"v_{\max}", "largest second moment so far"),
            *_ADAM_DIAGNOSTICS,
        ),
    ),
    OptimizerSpec(
        id="nadam",
        name="NAdam",
        description="Adam with Nesterov momentum: the mean gradient looks one step ahead.",
        hyper=(_lr(0.05), *_ADAM),
        latex=_aligned(
            _G,
            r"\mu_t &\leftarrow \beta_1 \big(1 - \tfrac12\, 0.96^{t\psi}\big), "
            r"\quad \psi = 0.004",
            *_ADAM_LATEX,
            r"\hat m &\leftarrow \frac{\mu_{t+1}\, m}{1 - \prod_{i=1}^{t+1} \mu_i} "
            r"+ \frac{(1 - \mu_t)\, g}{1 - \prod_{i=1}^{t} \mu_i}, "
            r"\quad \hat v \leftarrow v / (1 - \beta_2^t)",
            r"\theta &\leftarrow \theta - \alpha_t\, \frac{\hat m}{\sqrt{\hat v} + \epsilon}",
        ),
        code=(
            "mu_t, mu_next = beta1 * (1 - 0.5 * 0.96 ** (0.004 * np.array([t, t + 1])))\n"
            "mu_product *= mu_t\n"
            "m = beta1*m + (1-beta1)*dx\n"
            "v = beta2*v + (1-beta2)*(dx**2)\n"
            "mt = mu_next*m / (1-mu_product*mu_next) + (1-mu_t)*dx / (1-mu_product)\n"
            "x += - learning_rate * mt / (np.sqrt(v / (1-beta2**t)) + eps)"
        ),
        equals="torch.optim.NAdam(momentum_decay=4e-3)",
        convention=(
            "torch's NAdam (Dozat 2016 with the momentum schedule μ_t); mu_product = ∏ μ_i "
            "up to this step."
        ),
        second="beta1",
        lookahead=False,
        uses_hessian=False,
        state_fields=(
            *_ADAM_FIELDS,
            ("mu_product", r"\prod_{i=1}^{t} \mu_i", "product of the momentum schedule so far"),
            ("mu", r"\mu_t", "this step's momentum coefficient"),
            *_ADAM_DIAGNOSTICS,
        ),
    ),
    OptimizerSpec(
        id="adadelta",
        name="Adadelta",
        description="Step sizes from the ratio of recent step sizes to recent gradient sizes.",
        hyper=(_lr(1.0, 1e-2, 10.0), _decay(), _eps(1e-6)),
        latex=_aligned(
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
        equals="torch.optim.Adadelta(rho=ρ, eps=ε)",
        convention="ε inside both roots; E_g, E_x start at 0; α = 1 is Zeiler's original rule.",
        second="decay",
        lookahead=False,
        uses_hessian=False,
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
    ),
    OptimizerSpec(
        id="newton",
        name="Newton's method",
        description="Jump to the minimum of the local quadratic model, using the Hessian.",
        hyper=(_lr(1.0, 1e-3, 2.0), _DAMPING, _SADDLE_FREE),
        latex=_aligned(
            _G,
            r"H &\leftarrow \nabla^2 f(\theta) = Q \Lambda Q^\top",
            r"d &\leftarrow -\,Q\,(\tilde\Lambda + \lambda I)^{-1} Q^\top g, "
            r"\quad \tilde\Lambda = \Lambda \text{ or } |\Lambda| \text{ (saddle-free)}",
            r"\theta &\leftarrow \theta + \alpha_t\, d",
        ),
        code=(
            "dx = grad(x)\n"
            "H = hessian(x)\n"
            "lam, Q = np.linalg.eigh(H)\n"
            "lam = np.abs(lam) if saddle_free else lam\n"
            "d = -Q @ ((Q.T @ dx) / (lam + damping))\n"
            "x += learning_rate * d"
        ),
        equals="Goodfellow et al., Deep Learning, eq. 8.28 (Dauphin et al. 2014 when saddle-free)",
        convention=(
            "Damped Newton: λ is added to every eigenvalue. Curvatures closer to 0 than 1e-8 "
            "of the largest are floored (sign kept), so a singular Hessian gives a huge but "
            "defined step. Plain Newton is attracted to saddles and maxima; saddle-free is not."
        ),
        second=None,
        lookahead=False,
        uses_hessian=True,
        state_fields=(
            ("hessian", "H", "Hessian at the iterate"),
            ("hessian_eigenvalues", r"\Lambda", "eigenvalues of H, ascending"),
            ("newton_direction", "d", "Newton direction: the step for α = 1"),
            _STEP,
        ),
    ),
)

OPTIMIZERS: dict[str, OptimizerSpec] = {spec.id: spec for spec in _SPECS}


def optimizer_spec(optimizer: str) -> OptimizerSpec:
    """``OPTIMIZERS[optimizer]``, or an OptimizerError that lists the known ids."""
    if optimizer not in OPTIMIZERS:
        choices = ", ".join(OPTIMIZERS)
        raise OptimizerError(f"Unknown optimizer {optimizer!r}; choose one of {choices}")
    return OPTIMIZERS[optimizer]


# ---------------------------------------------------------------------------- schedules

_WARMUP = Hyper(
    "warmup", "warm-up", 0, 0, 200, kind="int", help="steps of linear warm-up from α₀/n to α₀"
)

SCHEDULES: dict[str, ScheduleSpec] = {
    spec.id: spec
    for spec in (
        ScheduleSpec(
            "constant",
            "Constant",
            "The same learning rate at every step.",
            (_WARMUP,),
            r"\alpha_t = \alpha_0",
        ),
        ScheduleSpec(
            "step",
            "Step decay",
            "Multiply the learning rate by γ every k steps.",
            (
                Hyper("gamma", "γ", 0.5, 0.05, 1.0, help="factor applied at each drop"),
                Hyper("every", "k", 25, 1, 500, kind="int", help="steps between drops"),
                _WARMUP,
            ),
            r"\alpha_t = \alpha_0\, \gamma^{\lfloor (t-1)/k \rfloor}",
        ),
        ScheduleSpec(
            "exponential",
            "Exponential decay",
            "Shrink the learning rate by the factor e^(−k) at every step.",
            (Hyper("k", "k", 0.01, 1e-4, 1.0, log=True, help="decay per step"), _WARMUP),
            r"\alpha_t = \alpha_0\, e^{-k (t-1)}",
        ),
        ScheduleSpec(
            "inverse_time",
            "Inverse-time decay",
            "Divide the learning rate by 1 + k(t − 1): fast at first, then slowly.",
            (Hyper("k", "k", 0.05, 1e-4, 10.0, log=True, help="decay per step"), _WARMUP),
            r"\alpha_t = \frac{\alpha_0}{1 + k (t-1)}",
        ),
        ScheduleSpec(
            "cosine",
            "Cosine annealing",
            "Glide from α₀ down to α_min along half a cosine over the run.",
            (
                Hyper("min_lr", "α_min", 0.0, 0.0, 1.0, help="learning rate at the end"),
                _WARMUP,
            ),
            r"\alpha_t = \alpha_{\min} + \tfrac12 (\alpha_0 - \alpha_{\min})"
            r"\big(1 + \cos \tfrac{\pi (t-1)}{T}\big), \quad T = \text{steps} - \text{warm-up}",
        ),
    )
}
