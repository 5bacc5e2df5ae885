"""The lesson ``decay``, Learning-rate decay: its links, the values it states, its text."""

from __future__ import annotations

from lessons.lesson import Lesson, Link, bowl, cloud_of, phrase, race_runs, race_settings
from teach import measure
from teach.text import shown
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


PHRASES = {  # the words a predicate on the runs picks; each filled from the runs' values
    "falls_each": "it falls at each drop of α",
    "rises_noise": (
        "{{end_words}}, but not at each drop: on this run it rises after the {{rises}} "
        "{{drops}}. That is one run's noise — averaged over the noise, the expected f − f_min "
        "falls at each drop ({{expected}})"
    ),
    "rises_expected": (
        "{{end_words}}, but not at each drop: it rises after the {{rises}} {{drops}}, and so "
        "does the expected f − f_min averaged over the noise ({{expected}})"
    ),
    "end_lower": "lower in the last stretch than in the first",
    "end_higher": "no lower in the last stretch than in the first",
    "lower": "{{ratio}} times lower",
    "higher": "{{ratio_up}} times higher",
    "stalls": (
        "the run stalls: from step {{hard_stall}} on its f − f_min stays "
        "within {{stall_pct}} % of {{hard_final}}, {{hard_vs_const}} times that of constant α"
    ),
    "no_stall": (
        "the run ends at {{hard_final}}, {{hard_vs_const}} times constant α's f − f_min, and is "
        "still moving"
    ),
}
STALL = 1e-3  # "stalls": f − f_min within this fraction of its last value from then on


_SUFFIX = {1: "st", 2: "nd", 3: "rd"}


def _ordinals(indices) -> str:
    """1-based drop numbers in words: "2nd and 3rd"."""
    words = [f"{i}{'th' if 10 <= i % 100 <= 20 else _SUFFIX.get(i % 10, 'th')}" for i in indices]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _arrows(values) -> str:
    return " → ".join(shown(v) for v in values)


def _stretches(settings):
    """The mean f − f_min over each stretch of constant α of the run, and its expectation over
    the noise (``measure.expected_gap``)."""
    s, runs = race_runs(settings)
    t = runs["sgd"]
    measured = measure.stretch_means(measure.gap_along(s, t), t.lr)
    expected = measure.stretch_means(
        measure.expected_gap(s, t.path[0], t.lr, settings.run.noise), t.lr
    )
    return measured, expected


def _drops(means) -> tuple[int, ...]:
    """The drops (1-based) after which the stretch mean rose."""
    return tuple(i + 1 for i in range(len(means) - 1) if means[i + 1] >= means[i])


def solve(links) -> dict:
    finals = [cloud_of(link.settings, WINDOW).floor for link in links]
    every = int(dict(links[1].settings.run.schedule_params)["every"])
    constant, decayed, hard = finals
    first, second = (race_runs(link.settings)[1]["sgd"] for link in links[:2])
    measured, expected = _stretches(links[1].settings)
    rises, expected_rises = _drops(measured), _drops(expected)
    key = "falls_each" if not rises else "rises_noise" if not expected_rises else "rises_expected"
    s, runs = race_runs(links[2].settings)
    stall = measure.steady_from(measure.gap_along(s, runs["sgd"])[1:], STALL)
    values = {
        "rises": _ordinals(rises) if rises else "",
        "drops": "drops" if len(rises) > 1 else "drop",
        "end_words": PHRASES["end_lower" if measured[-1] < measured[0] else "end_higher"],
        "expected": _arrows(expected),
        "ratio": constant / decayed,
        "ratio_up": decayed / constant,
        "hard_stall": stall,
        "stall_pct": STALL * 100,
        "hard_final": hard,
        "hard_vs_const": hard / constant,
    }
    stalled = stall is not None and stall < links[2].settings.run.steps and hard > constant
    return {
        "same_first": measure.same_until(first, second, every),
        "const_final": constant,
        "decay_final": decayed,
        "hard_final": hard,
        "ratio": constant / decayed,
        "hard_vs_const": hard / constant,
        "stretches": _arrows(measured),
        "stretch_means": measured,
        "expected_means": expected,
        "drop_verdict": phrase(PHRASES, key, values),
        "drop_key": key,
        "final_verdict": phrase(PHRASES, "lower" if decayed < constant else "higher", values),
        "hard_verdict": phrase(PHRASES, "stalls" if stalled else "no_stall", values),
        "hard_stall": stall if stalled else None,
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
        "Both runs are the same for the first {{every}} steps; then α drops every {{every}} "
        "steps. The decayed run's mean f − f_min over each stretch of constant α is "
        "{{stretches}}: {{drop_verdict}}. Over the last {{window}} steps its mean f − f_min "
        "is {{decay_final}} against {{const_final}} for constant α: {{final_verdict}}. Decay "
        "too early and too hard (α times {{hard_gamma}} every {{hard_every}} steps) and "
        "{{hard_verdict}}."
    ),
    given=given,
    solve=solve,
)
