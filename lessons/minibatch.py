"""The lesson ``minibatch``, Mini-batch size: its links, the values it states, its text."""

from __future__ import annotations

from lessons.lesson import (
    Lesson,
    Link,
    cloud_of,
    phrase,
    race_rows,
    race_runs,
    race_settings,
    regression,
    surface_of,
)
from teach import measure
from teach.text import power_of_ten
from webapp.settings import RaceSettings, fmt

WINDOW = 100  # the last steps whose spread and loss floor are compared
_SGD = {"sgd": {"lr": 0.1}}


def _minibatch_race(m: int, **run) -> RaceSettings:
    return race_settings(regression(1.0), _SGD, steps=300, batch=m, **run)


LINKS = (
    Link("m = {{m_small}}", _minibatch_race(1)),
    Link("m = {{m_mid}}", _minibatch_race(8)),
    Link("the exact gradient (all {{n}} examples)", _minibatch_race(0)),
)


def given(links) -> dict:
    small, mid, full = (link.settings for link in links)
    return {
        "n": surface_of(full.view).n_examples,
        "m_small": small.run.batch,
        "m_mid": mid.run.batch,
        "lr": fmt(small.hyper_of("sgd")["lr"]),
        "steps": small.run.steps,
        "window": WINDOW,
        "tol": power_of_ten(full.tol),
    }


PHRASES = {  # the words a predicate on each run picks; each filled from the run's values
    "settled": (
        "{{label}} stays within it from step {{settled}} on, after {{cost}} example gradients"
    ),
    "touched": (
        "{{label}} first comes within it at step {{touch}}, after {{cost_touch}} example "
        "gradients, but is within it at only {{inside}} of its {{steps}} steps and does not stay "
        "({{cost_run}} example gradients in all)"
    ),
    "never": (
        "{{label}} never comes within it in its {{steps}} steps ({{cost_run}} example gradients)"
    ),
    "cheaper": (
        "The quiet is cheap here: the exact gradient's {{cost_full}} example gradients to stay "
        "within {{tol}} are fewer than the {{cost_mid_run}} that m = {{m_mid}} spends without "
        "staying"
    ),
    "dearer": (
        "The price of the quiet: the exact gradient needs {{cost_full}} example gradients to "
        "stay within {{tol}}, more than the {{cost_mid_run}} that m = {{m_mid}} spends"
    ),
    "none_stays": "No run stays within {{tol}} in its {{steps}} steps",
}


def _cost(label: str, surface, settings, tol: float) -> tuple[str, dict]:
    """What reaching ``tol`` costs the run of ``settings``, in example gradients (m per step;
    the exact gradient all N), in the words its predicates pick."""
    _, runs = race_runs(settings)
    t = runs["sgd"]
    m = settings.run.batch or surface.n_examples
    settled = measure.settled_step(surface, t, tol)
    touch = measure.first_touch(surface, t, tol).first
    values = {"label": label, "tol": power_of_ten(tol), "steps": settings.run.steps}
    values.update(settled=settled, touch=touch, inside=measure.steps_within(surface, t, tol))
    values.update(cost_run=settings.run.steps * m)
    values.update(cost=None if settled is None else settled * m)
    values.update(cost_touch=None if touch is None else touch * m)
    key = "settled" if settled is not None else "touched" if touch is not None else "never"
    return phrase(PHRASES, key, values), {**values, "key": key}


def solve(links) -> dict:
    small, mid, full = (link.settings for link in links)
    clouds = [cloud_of(link.settings, WINDOW) for link in links]
    s = surface_of(full.view)
    n = s.n_examples
    rows = [race_rows(settings)["sgd"] for settings in (small, mid, full)]
    labels = (f"m = {small.run.batch}", f"m = {mid.run.batch}", "the exact gradient")
    costs = [
        _cost(label, s, settings, full.tol)
        for label, settings in zip(labels, (small, mid, full), strict=True)
    ]
    said, told = zip(*costs, strict=True)
    values = {"tol": power_of_ten(full.tol), "steps": full.run.steps, "m_mid": mid.run.batch}
    values.update(cost_full=told[2]["cost"], cost_mid_run=told[1]["cost_run"])
    if told[2]["cost"] is None:
        verdict = "none_stays"
    else:
        verdict = "cheaper" if told[2]["cost"] < told[1]["cost_run"] else "dearer"
    return {
        "spread_small": clouds[0].spread,
        "spread_mid": clouds[1].spread,
        "spread_full": clouds[2].spread,
        "floor_small": clouds[0].floor,
        "floor_mid": clouds[1].floor,
        "floor_full": clouds[2].floor,
        "spread_ratio": clouds[0].spread / clouds[1].spread,
        "small_settled": rows[0].settled_at,
        "mid_settled": rows[1].settled_at,
        "full_settled": rows[2].settled_at,
        "cost_small": small.run.steps * small.run.batch,
        "cost_mid": mid.run.steps * mid.run.batch,
        "cost_full": full.run.steps * n,
        "reach_small": said[0],
        "reach_mid": said[1],
        "reach_full": said[2],
        "reach_facts": told,
        "price": phrase(PHRASES, verdict, values),
        "price_key": verdict,
    }


LESSON = Lesson(
    id="minibatch",
    title="Mini-batch size",
    topic="stochastic gradients",
    links=LINKS,
    story=(
        "On a data surface the loss is the mean of {{n}} per-example losses, and so is its "
        "gradient. SGD estimates that gradient from a mini-batch of m examples drawn at "
        "random: cheaper per step, but noisy, and with a constant α the noise never dies out."
    ),
    question=(
        "Linear regression on standardized features, SGD at α = {{lr}} for {{steps}} steps "
        "with m = {{m_small}}, m = {{m_mid}} and the exact gradient. How close to the "
        "minimum does each run stay at the end?"
    ),
    answer=(
        "Over the last {{window}} steps the iterates stay {{spread_small}} from the minimum "
        "(RMS) at m = {{m_small}}, with f − f_min {{floor_small}} on average; at m = "
        "{{m_mid}} only {{spread_mid}} ({{spread_ratio}} times closer), f − f_min "
        "{{floor_mid}}. Within {{tol}} of the minimum's loss: {{reach_full}}; {{reach_mid}}; "
        "{{reach_small}}. {{price}}. Smaller batches wander more; decaying α (the "
        "Robbins–Monro lesson) tames them."
    ),
    given=given,
    solve=solve,
)
