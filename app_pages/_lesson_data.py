"""The lessons: one-click scenarios for a lecture, each a full configuration of a page.

A lesson tells a short story, asks a "predict, then run" question and opens one or more pages
set up through the URL.  A :class:`Link` holds its configuration as typed values (surface,
start, the pages' widget keys); ``query_params`` turns it into the URL the widgets read, and the
same values rebuild the runs in the tests that check each lesson's claim with ``optim_core``.

URL values follow the widgets: a select box carries the label it shows (the surface's name, the
optimizer's name), the Race page's multiselect the optimizer ids it shows, a select slider the
option as ``f"{v:g}"``, a toggle ``true`` / ``false``.
"""

from __future__ import annotations

from dataclasses import dataclass

from optim_core import OPTIMIZERS, SCHEDULES
from surfaces import SURFACES

# Page url_path -> (entry file, title), as registered in app.py.
PAGES: dict[str, tuple[str, str]] = {
    "race": ("app_pages/race.py", "Race"),
    "curvature": ("app_pages/curvature.py", "Curvature"),
    "lr-lab": ("app_pages/lr_lab.py", "Learning-rate lab"),
    "step": ("app_pages/step.py", "Step by step"),
}

# Select boxes that show (and put in the URL) an optimizer's display name.
_NAMED_OPTIMIZER_KEYS = ("step_opt", "lab_opt")


@dataclass(frozen=True)
class Link:
    """One page, set up: the surface and its parameters, the start, and widget values by key."""

    label: str
    page: str  # a key of PAGES
    surface: str
    surface_params: tuple[tuple[str, float], ...] = ()
    start: tuple[float, float] | None = None  # None: the surface's default start
    settings: tuple[tuple[str, object], ...] = ()

    def get(self, key: str, default=None):
        """The value this link gives the widget ``key`` (``default`` if it leaves it alone)."""
        return dict(self.settings).get(key, default)

    def hyper(self, optimizer: str) -> dict:
        """The hyperparameters this link sets for ``optimizer`` (its ``{optimizer}_{name}`` keys);
        the others keep their defaults."""
        values = dict(self.settings)
        return {
            h.name: values[f"{optimizer}_{h.name}"]
            for h in OPTIMIZERS[optimizer].hyper
            if f"{optimizer}_{h.name}" in values
        }

    def schedule(self) -> dict | None:
        """The learning-rate schedule as ``run`` takes it (None: constant)."""
        name = self.get("schedule")
        if name is None:
            return None
        params = {h.name: self.get(f"sched_{h.name}", h.default) for h in SCHEDULES[name].params}
        return {"name": name, **params}


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    topic: str
    story: str  # two or three sentences
    question: str  # predict, then run
    answer: str  # revealed on demand
    links: tuple[Link, ...]


def _url_value(key: str, value) -> str | list[str]:
    if key == "race_opts":  # a multiselect of optimizer ids, shown as they are
        return list(value)
    if key in _NAMED_OPTIMIZER_KEYS:
        return OPTIMIZERS[value].name
    if key == "schedule":
        return SCHEDULES[value].name
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def query_params(link: Link, *, present: bool = False) -> dict[str, str | list[str]]:
    """The URL query of ``link``: the sidebar's surface, parameters and start, then its settings."""
    params: dict[str, str | list[str]] = {"surface": SURFACES[link.surface].name}
    for name, value in link.surface_params:
        params[f"{link.surface}_{name}"] = f"{value:g}"
    if link.start is not None:
        params["x0"], params["y0"] = (f"{v:g}" for v in link.start)
    for key, value in link.settings:
        params[key] = _url_value(key, value)
    if present:
        params["present"] = "true"
    return params


# ---------------------------------------------------------------------------- the lessons

_BOWL_50 = (("kappa", 50.0), ("angle", 30.0))
_BOWL_20 = (("kappa", 20.0), ("angle", 30.0))
_BOWL_15 = (("kappa", 15.0), ("angle", 30.0))
_BOWL_10 = (("kappa", 10.0), ("angle", 30.0))
_SADDLE_START = (2.5, 0.001)
_SADDLE = (("steps", 100), ("sgd_lr", 0.02))
_SGD_ONLY = (("race_opts", ("sgd",)),)
_NOISY_SGD = (*_SGD_ONLY, ("sgd_lr", 0.1), ("noise", 1.0), ("seed", 0), ("steps", 300))

LESSONS: tuple[Lesson, ...] = (
    Lesson(
        id="momentum",
        title="Momentum on an ill-conditioned bowl",
        topic="momentum",
        story=(
            "This bowl is 50 times more curved across its valley than along it. Gradient "
            "descent must keep α below 2/λ_max = 0.04 to stay stable, and with such a small α "
            "it crawls along the flat direction. Momentum keeps a velocity: the zig-zags "
            "across the valley cancel out while the steady pull along it adds up."
        ),
        question=(
            "Gradient descent at α = 0.03 (close to its best) against heavy-ball momentum "
            "with α = 0.015 and μ = 0.9. Which one reaches f − f_min ≤ 10⁻⁴ first, and by "
            "how much?"
        ),
        answer=(
            "Momentum, in about 70 steps against about 170 — and no learning rate lets plain "
            "gradient descent do better than about 170 here. On a quadratic, gradient descent "
            "needs on the order of κ steps per e-fold of error, momentum on the order of √κ: "
            "the more ill-conditioned the bowl, the bigger the gap (try κ = 200)."
        ),
        links=(
            Link(
                "GD vs momentum",
                "race",
                "bowl",
                _BOWL_50,
                settings=(
                    ("race_opts", ("sgd", "momentum")),
                    ("sgd_lr", 0.03),
                    ("momentum_lr", 0.015),
                    ("momentum_momentum", 0.9),
                    ("steps", 300),
                    ("race_tol", 1e-4),
                ),
            ),
        ),
    ),
    Lesson(
        id="nesterov",
        title="Nesterov vs momentum",
        topic="momentum",
        story=(
            "Nesterov's method takes the gradient where the velocity is about to carry it, "
            "θ + μv, instead of where it is. When the ball is about to overshoot the valley "
            "floor, the gradient there already points back, so the oscillations die out sooner."
        ),
        question=(
            "Same bowl (κ = 50), same α = 0.015 and μ = 0.9 for both. Which one settles "
            "first? And what happens to each at α = 0.03?"
        ),
        answer=(
            "Nesterov reaches 10⁻⁴ in under 20 steps, heavy-ball momentum needs about 70. The "
            "price is a narrower stable band: on a quadratic, look-ahead momentum needs "
            "αλ < 2(1 + μ)/(1 + 2μ) ≈ 1.36 for μ = 0.9, heavy ball only αλ < 2(1 + μ) = 3.8. "
            "At α = 0.03 (αλ_max = 1.5) Nesterov diverges while heavy ball still converges. "
            "On the Step-by-step page the orange diamond is θ + μv, where the gradient is taken."
        ),
        links=(
            Link(
                "momentum vs Nesterov",
                "race",
                "bowl",
                _BOWL_50,
                settings=(
                    ("race_opts", ("momentum", "nesterov")),
                    ("momentum_lr", 0.015),
                    ("momentum_momentum", 0.9),
                    ("nesterov_lr", 0.015),
                    ("nesterov_momentum", 0.9),
                    ("steps", 200),
                    ("race_tol", 1e-4),
                ),
            ),
            Link(
                "the look-ahead, step by step",
                "step",
                "bowl",
                _BOWL_50,
                settings=(
                    ("step_opt", "nesterov"),
                    ("nesterov_lr", 0.015),
                    ("nesterov_momentum", 0.9),
                    ("steps", 100),
                    ("step_t", 4),
                ),
            ),
        ),
    ),
    Lesson(
        id="saddle",
        title="Saddle points: who stalls, who escapes",
        topic="saddle points",
        story=(
            "At a saddle the gradient vanishes, but the surface curves down along one "
            "direction. Started a hair off the ridge (y₀ = 0.001), gradient descent slides into "
            "the saddle and leaves only as fast as (1 + 2α)ᵗ grows. Newton's method jumps to "
            "where the gradient of its quadratic model vanishes — at a saddle, the saddle itself."
        ),
        question=(
            "Where is each after 100 steps: gradient descent (α = 0.02), Newton, saddle-free "
            "Newton (|eigenvalues| of the Hessian), and gradient descent with gradient noise?"
        ),
        answer=(
            "Gradient descent is still within 0.1 of the saddle. Newton lands on the saddle in "
            "one step and stays: it is attracted to any critical point. Saddle-free Newton "
            "turns the negative curvature positive, so it walks downhill and reaches a valley "
            "at y = ±2 in about 15 steps. Noise kicks gradient descent off the ridge and it "
            "escapes toward a valley. The Curvature page at (0, 0) shows why: eigenvalues "
            "+2 and −2."
        ),
        links=(
            Link(
                "GD and Newton",
                "race",
                "saddle",
                start=_SADDLE_START,
                settings=(("race_opts", ("sgd", "newton")), *_SADDLE, ("newton_lr", 1.0)),
            ),
            Link(
                "GD and saddle-free Newton",
                "race",
                "saddle",
                start=_SADDLE_START,
                settings=(
                    ("race_opts", ("sgd", "newton")),
                    *_SADDLE,
                    ("newton_lr", 1.0),
                    ("newton_saddle_free", True),
                ),
            ),
            Link(
                "GD with gradient noise",
                "race",
                "saddle",
                start=_SADDLE_START,
                settings=(("race_opts", ("sgd",)), *_SADDLE, ("noise", 1.0), ("seed", 0)),
            ),
            Link(
                "the Hessian at the saddle",
                "curvature",
                "saddle",
                settings=(("curv_x", 0.0), ("curv_y", 0.0)),
            ),
        ),
    ),
    Lesson(
        id="adagrad",
        title="AdaGrad's shrinking steps vs RMSProp",
        topic="adaptive methods",
        story=(
            "AdaGrad divides each coordinate's step by the root of the sum of all its squared "
            "gradients so far. That sum only grows, so the step size only shrinks — good for "
            "rare features, fatal on a long trip. RMSProp keeps a moving average instead and "
            "forgets old gradients."
        ),
        question=(
            "Both at α = 0.05 on the bowl (κ = 20) for 300 steps. Which one reaches the "
            "minimum? What does each one's effective learning rate α/(√r + ε) do?"
        ),
        answer=(
            "RMSProp gets to within about 0.01 of the minimum's loss; AdaGrad is still about "
            "1.7 above it, crawling. AdaGrad's effective rate falls at every step, to about a "
            "fifth of its first value; RMSProp's rises about tenfold as the gradients shrink. "
            "The Step-by-step page draws both rates on a log scale."
        ),
        links=(
            Link(
                "AdaGrad vs RMSProp",
                "race",
                "bowl",
                _BOWL_20,
                settings=(
                    ("race_opts", ("adagrad", "rmsprop")),
                    ("adagrad_lr", 0.05),
                    ("rmsprop_lr", 0.05),
                    ("steps", 300),
                ),
            ),
            Link(
                "the two caches, step by step",
                "step",
                "bowl",
                _BOWL_20,
                settings=(("step_opt", "adagrad"), ("adagrad_lr", 0.05), ("steps", 300)),
            ),
        ),
    ),
    Lesson(
        id="adam_bias",
        title="Adam's bias correction",
        topic="adaptive methods",
        story=(
            "Adam's moment estimates m and v start at zero, so early on they are too small: m "
            "by the factor 1 − β₁ᵗ, v by 1 − β₂ᵗ. Adam divides these factors out (m̂ and v̂). "
            "Without the correction the step is α·m/√v."
        ),
        question=(
            "With β₁ = 0.9 and β₂ = 0.999: are Adam's first steps without bias correction "
            "smaller or larger than with it?"
        ),
        answer=(
            "Larger — about 3× at the first step. m is too small by 1 − β₁ᵗ, but v is too "
            "small by 1 − β₂ᵗ, which is far smaller, and only its square root counts: the "
            "uncorrected step is (1 − β₁ᵗ)/√(1 − β₂ᵗ) times the corrected one, 3.2 at t = 1 "
            "and up to 6.5 near t = 10. That is why Kingma and Ba correct the bias: with β₂ "
            "close to 1 the first steps would otherwise be too large."
        ),
        links=(
            Link(
                "Adam, step by step",
                "step",
                "bowl",
                _BOWL_20,
                settings=(
                    ("step_opt", "adam"),
                    ("adam_lr", 0.05),
                    ("adam_beta2", 0.999),
                    ("steps", 100),
                ),
            ),
        ),
    ),
    Lesson(
        id="lr_too_large",
        title="A learning rate too large",
        topic="learning rate",
        story=(
            "On a quadratic, gradient descent multiplies the error along each eigenvector of "
            "the Hessian by (1 − αλ) per step. If |1 − αλ_max| > 1, the error along the "
            "steepest direction grows instead of shrinking, and the run diverges — however "
            "gentle the other directions are."
        ),
        question=(
            "On this bowl λ_max = 15. Does gradient descent converge at α = 0.1? And at α = 0.15?"
        ),
        answer=(
            "α = 0.1 converges: |1 − 0.1·15| = 0.5. α = 0.15 diverges: |1 − 0.15·15| = 1.25, "
            "so the error along the steep axis flips sign and grows by 25 % every step — the "
            "zig-zag widens until the run leaves the view. The threshold is 2/λ_max ≈ 0.133; "
            "the Learning-rate lab shows the whole stable band."
        ),
        links=(
            Link(
                "GD at α = 0.15",
                "race",
                "bowl",
                _BOWL_15,
                settings=(("race_opts", ("sgd",)), ("sgd_lr", 0.15), ("steps", 100)),
            ),
            Link(
                "GD at α = 0.1",
                "race",
                "bowl",
                _BOWL_15,
                settings=(("race_opts", ("sgd",)), ("sgd_lr", 0.1), ("steps", 100)),
            ),
            Link(
                "the stable band",
                "lr-lab",
                "bowl",
                _BOWL_15,
                settings=(("lab_opt", "sgd"),),
            ),
        ),
    ),
    Lesson(
        id="feature_scaling",
        title="Feature scaling",
        topic="conditioning",
        story=(
            "The loss of a linear regression is a quadratic bowl with Hessian (2/n)·XᵀX. When "
            "one input is measured in much larger units than the other, the bowl is extremely "
            "elongated (κ ≈ 760 here): the steep direction caps the learning rate, and then "
            "the flat direction takes forever. Standardized inputs make it almost round."
        ),
        question=(
            "Same data, same model, gradient descent with a good learning rate for each "
            "(0.002 for raw inputs, 0.5 for standardized). How many steps to "
            "f − f_min ≤ 10⁻⁴?"
        ),
        answer=(
            "Standardized: a handful (2 here). Raw: not within 1000 steps — with α capped "
            "near 2/λ_max, the flat direction shrinks by only 1 − 0.002·1.23 per step. Only "
            "the units of the inputs changed."
        ),
        links=(
            Link(
                "raw inputs",
                "race",
                "regression",
                (("standardized", 0.0),),
                settings=(("race_opts", ("sgd",)), ("sgd_lr", 0.002), ("steps", 1000)),
            ),
            Link(
                "standardized inputs",
                "race",
                "regression",
                (("standardized", 1.0),),
                settings=(("race_opts", ("sgd",)), ("sgd_lr", 0.5), ("steps", 100)),
            ),
        ),
    ),
    Lesson(
        id="noise",
        title="Gradient noise and batch size",
        topic="stochastic gradients",
        story=(
            "A mini-batch gradient is the true gradient plus noise whose standard deviation "
            "falls as 1/√batch. Here the noise is added explicitly, σ·ξ with ξ standard normal. "
            "Near the minimum the pull of the gradient and the kicks of the noise balance, and "
            "SGD jitters in a cloud instead of converging."
        ),
        question=(
            "Going from σ = 1 to σ = 0.5 is like a 4× larger batch. How do the size of the "
            "cloud and the loss floor change?"
        ),
        answer=(
            "The cloud halves (its size grows like σ·√α) and the loss floor drops fourfold "
            "(like σ²). A 4× larger batch buys only a 2× smaller cloud: the √batch law. "
            "Shrinking α shrinks the cloud too — see the next lesson."
        ),
        links=(
            Link(
                "σ = 1",
                "race",
                "bowl",
                _BOWL_10,
                settings=(*_SGD_ONLY, ("sgd_lr", 0.05), ("noise", 1.0), ("steps", 300)),
            ),
            Link(
                "σ = 0.5 (4× the batch)",
                "race",
                "bowl",
                _BOWL_10,
                settings=(*_SGD_ONLY, ("sgd_lr", 0.05), ("noise", 0.5), ("steps", 300)),
            ),
        ),
    ),
    Lesson(
        id="decay",
        title="Learning-rate decay",
        topic="learning rate",
        story=(
            "With noisy gradients a constant learning rate leaves SGD in a cloud whose size "
            "grows with α. Decaying α over the run keeps the fast start and shrinks the cloud "
            "at the end."
        ),
        question=(
            "Same noise (σ = 1), same start: constant α = 0.1 against step decay that halves α "
            "every 50 steps. How do the final losses compare?"
        ),
        answer=(
            "Both get to the minimum equally fast; then the decayed run's loss keeps falling "
            "each time α halves, and over the last 20 steps it is about ten times lower. "
            "Decay too early or too hard (γ = 0.1) and the run stalls before it arrives."
        ),
        links=(
            Link(
                "constant α",
                "race",
                "bowl",
                _BOWL_10,
                settings=_NOISY_SGD,
            ),
            Link(
                "step decay",
                "race",
                "bowl",
                _BOWL_10,
                settings=(
                    *_NOISY_SGD,
                    ("schedule", "step"),
                    ("sched_gamma", 0.5),
                    ("sched_every", 50),
                ),
            ),
        ),
    ),
    Lesson(
        id="local_global",
        title="Local vs global minimum",
        topic="non-convex surfaces",
        story=(
            "Gradient descent only knows the slope where it stands. On a surface with two "
            "wells, the basin it starts in decides where it ends — not which well is deeper."
        ),
        question=(
            "Two starts half a unit apart, (−2, 1) and (−2, 1.5). Do they end in the same well?"
        ),
        answer=(
            "No. From (−2, 1) gradient descent rolls into the shallow well near (−1.44, −0.96), "
            "f ≈ −0.85; from (−2, 1.5) it reaches the deep one near (1.43, 0.95), f ≈ −1.85. "
            "The boundary between the two basins runs between the starts: click the contour "
            "to try others."
        ),
        links=(
            Link(
                "start (−2, 1)",
                "race",
                "multi_minimum",
                start=(-2.0, 1.0),
                settings=(("race_opts", ("sgd",)), ("sgd_lr", 0.5), ("steps", 300)),
            ),
            Link(
                "start (−2, 1.5)",
                "race",
                "multi_minimum",
                start=(-2.0, 1.5),
                settings=(("race_opts", ("sgd",)), ("sgd_lr", 0.5), ("steps", 300)),
            ),
        ),
    ),
    Lesson(
        id="condition_number",
        title="The condition number is a ratio of curvatures",
        topic="conditioning",
        story=(
            "The Hessian's eigenvalues are the curvatures along its eigenvectors, and their "
            "ratio κ = λ_max/λ_min is the condition number. On a quadratic bowl they are the "
            "same everywhere, and they decide gradient descent: α < 2/λ_max to be stable, "
            "and about κ steps per e-fold of error."
        ),
        question=(
            "On the bowl with κ = 50: what are the Hessian's eigenvalues, and which learning "
            "rates keep gradient descent stable?"
        ),
        answer=(
            "λ = 1 and 50 at every point, so κ = 50. Gradient descent is stable for "
            "α < 2/50 = 0.04 and fastest at α = 2/(1 + 50) ≈ 0.039, where it still shrinks "
            "the error only by the factor 49/51 per step. The Learning-rate lab maps the band."
        ),
        links=(
            Link("the Hessian", "curvature", "bowl", _BOWL_50),
            Link("the stable band", "lr-lab", "bowl", _BOWL_50, settings=(("lab_opt", "sgd"),)),
        ),
    ),
    Lesson(
        id="newton",
        title="Newton's method on a quadratic",
        topic="second order",
        story=(
            "Newton's method rescales the gradient by the inverse Hessian: it jumps to the "
            "minimum of the local quadratic model. On a quadratic bowl that model is exact."
        ),
        question="How many steps does Newton need on the κ = 50 bowl? And gradient descent?",
        answer=(
            "Newton: one, whatever κ is — the inverse Hessian undoes the stretching of the "
            "bowl. Gradient descent at its best α needs about 170 steps to 10⁻⁴. The price: "
            "the Hessian (d² numbers for d parameters) and a linear solve every step — and on "
            "non-convex surfaces plain Newton is drawn to saddles (see the saddle lesson)."
        ),
        links=(
            Link(
                "GD vs Newton",
                "race",
                "bowl",
                _BOWL_50,
                settings=(
                    ("race_opts", ("sgd", "newton")),
                    ("sgd_lr", 0.03),
                    ("newton_lr", 1.0),
                    ("steps", 200),
                    ("race_tol", 1e-4),
                ),
            ),
        ),
    ),
)

LESSONS_BY_ID: dict[str, Lesson] = {lesson.id: lesson for lesson in LESSONS}


# ---------------------------------------------------------------------------- the formulas


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
