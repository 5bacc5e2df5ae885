"""The lesson ``decay``, Learning-rate decay: its links, the values it states, its text."""

from __future__ import annotations

from lessons.lesson import Lesson, Link, bowl, cloud_of, race_runs, race_settings
from teach import measure
from webapp.settings import fmt

WINDOW = 20  # the last steps whose mean loss is compared
_NOISY_SGD = {"sgd": {"lr": 0.1}}
LINKS = (
    Link("constant α", race_settings(bowl(10.0), _NOISY_SGD, steps=300, noise=1.0)),
    Link(
        "step decay",
        race_settings(
            bowl(10.0),
            _NOISY_SGD,
            steps=300,
            noise=1.0,
            schedule="step",
            schedule_params=(("gamma", 0.5), ("every", 50)),
        ),
    ),
    Link(
        "decay too early, too hard",
        race_settings(
            bowl(10.0),
            _NOISY_SGD,
            steps=300,
            noise=1.0,
            schedule="step",
            schedule_params=(("gamma", 0.1), ("every", 10)),
        ),
    ),
)


def given(links) -> dict:
    constant, decayed, hard = (link.settings for link in links)
    params, hard_params = dict(decayed.run.schedule_params), dict(hard.run.schedule_params)
    return {
        "sigma": fmt(constant.run.noise),
        "lr": fmt(constant.hyper_of("sgd")["lr"]),
        "gamma": fmt(params["gamma"]),
        "every": int(params["every"]),
        "hard_gamma": fmt(hard_params["gamma"]),
        "hard_every": int(hard_params["every"]),
        "window": WINDOW,
    }


def solve(links) -> dict:
    finals = [cloud_of(link.settings, WINDOW).floor for link in links]
    every = int(dict(links[1].settings.run.schedule_params)["every"])
    constant, decayed, hard = finals
    first, second = (race_runs(link.settings)[1]["sgd"] for link in links[:2])
    return {
        "same_first": measure.same_until(first, second, every),
        "const_final": constant,
        "decay_final": decayed,
        "hard_final": hard,
        "ratio": constant / decayed,
        "hard_vs_const": hard / constant,
    }


LESSON = Lesson(
    id="decay",
    title="Learning-rate decay",
    topic="learning rate",
    links=LINKS,
    story=(
        "With noisy gradients a constant learning rate leaves SGD in a cloud whose size "
        "grows with α. Decaying α over the run keeps the fast start and shrinks the cloud "
        "at the end."
    ),
    question=(
        "Same noise (σ = {{sigma}}), same start: constant α = {{lr}} against step decay "
        "that multiplies α by {{gamma}} every {{every}} steps. How do the final losses "
        "compare?"
    ),
    answer=(
        "Both runs are the same for the first {{every}} steps; then the decayed run's "
        "loss keeps falling each time α drops, and over the last {{window}} steps its mean "
        "f − f_min is {{decay_final}} against {{const_final}}: {{ratio}} times lower. Decay "
        "too early and too hard (α times {{hard_gamma}} every {{hard_every}} steps) and the "
        "run stalls before it arrives: it ends at {{hard_final}}, {{hard_vs_const}} times "
        "above constant α."
    ),
    given=given,
    solve=solve,
)
