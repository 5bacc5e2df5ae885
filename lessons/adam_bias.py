"""The lesson ``adam_bias``, Adam's bias correction: its links, the values it states, its text."""

from __future__ import annotations

from lessons.lesson import Lesson, Link, bowl, step_run, step_settings
from teach import measure
from webapp.settings import fmt

_ADAM_HYPER = {"lr": 0.05, "beta1": 0.9, "beta2": 0.999}
LINKS = (
    Link("Adam, step by step", step_settings(bowl(20.0), "adam", _ADAM_HYPER, 100, 10)),
    Link(
        "Adam without bias correction",
        step_settings(bowl(20.0), "adam", {**_ADAM_HYPER, "bias_correction": False}, 100, 10),
    ),
)


def given(links) -> dict:
    hyper = dict(links[0].settings.hyper)
    return {"beta1": fmt(hyper["beta1"]), "beta2": fmt(hyper["beta2"])}


def solve(links) -> dict:
    corrected, uncorrected = (step_run(link.settings)[1] for link in links)
    t = links[0].settings.t
    ratio = measure.step_ratio(corrected, uncorrected, t)
    factor = measure.bias_factor(
        corrected.hyper["beta1"], corrected.hyper["beta2"], len(uncorrected.lr)
    )
    return {
        "t": t,
        "ratio_first": ratio.first,
        "ratio_t": ratio.last,
        "ratio_min": ratio.smallest,
        "factor_first": factor.first,
        "factor_max": factor.largest,
        "factor_argmax": factor.at,
    }


LESSON = Lesson(
    id="adam_bias",
    title="Adam's bias correction",
    topic="adaptive methods",
    links=LINKS,
    story=(
        "Adam's moment estimates m and v start at zero, so early on they are too small: m "
        r"by the factor $1 - \beta_1^t$, v by $1 - \beta_2^t$. Adam divides these factors "
        r"out ($\hat m$ and $\hat v$). Without the correction the step is "
        r"$\alpha m/\sqrt{v}$."
    ),
    question=(
        r"With $\beta_1$ = {{beta1}} and $\beta_2$ = {{beta2}}: are Adam's first steps "
        "without bias correction smaller or larger than with it?"
    ),
    answer=(
        r"Larger. m is too small by $1 - \beta_1^t$, but v by $1 - \beta_2^t$, which is far "
        "smaller, and only its square root counts: for the same gradients the uncorrected "
        r"step is $(1 - \beta_1^t)/\sqrt{1 - \beta_2^t}$ times the corrected one — "
        "{{factor_first}} at the first step, at most {{factor_max}} (at step "
        "{{factor_argmax}}). On the linked runs the paths part after the first step: "
        "the uncorrected step is {{ratio_first}} times the corrected one at the first step "
        "and {{ratio_t}} times at step {{t}}. That is why Kingma and Ba correct the bias: "
        r"with $\beta_2$ close to one the first steps would otherwise be too large."
    ),
    given=given,
    solve=solve,
)
