"""The lesson ``minibatch``, Mini-batch size: its links, the values it states, its text."""

from __future__ import annotations

from lessons.lesson import Lesson, Link, cloud_of, race_rows, race_settings, regression, surface_of
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


def solve(links) -> dict:
    small, mid, full = (link.settings for link in links)
    clouds = [cloud_of(link.settings, WINDOW) for link in links]
    n = surface_of(full.view).n_examples
    rows = [race_rows(settings)["sgd"] for settings in (small, mid, full)]
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
        "{{floor_mid}}. The exact gradient converges: f − f_min stays within {{tol}} from "
        "step {{full_settled}}, while neither mini-batch run settles within it. The price "
        "of the quiet: {{cost_full}} example gradients against {{cost_mid}} and "
        "{{cost_small}}. Smaller batches wander more; decaying α (the Robbins–Monro "
        "lesson) tames them."
    ),
    given=given,
    solve=solve,
)
