"""The lesson ``adagrad``, AdaGrad's shrinking steps vs RMSProp:
its links, the values it states, its text."""

from __future__ import annotations

from lessons.lesson import (
    Lesson,
    Link,
    bowl,
    param_of,
    race_rows,
    race_settings,
    step_run,
    step_settings,
)
from teach import measure
from webapp.settings import fmt

LINKS = (
    Link(
        "AdaGrad vs RMSProp",
        race_settings(bowl(20.0), {"adagrad": {"lr": 0.05}, "rmsprop": {"lr": 0.05}}, steps=300),
    ),
    Link(
        "AdaGrad's cache, step by step", step_settings(bowl(20.0), "adagrad", {"lr": 0.05}, 300, 1)
    ),
    Link(
        "RMSProp's cache, step by step", step_settings(bowl(20.0), "rmsprop", {"lr": 0.05}, 300, 1)
    ),
)


def given(links) -> dict:
    race = links[0].settings
    return {
        "kappa": fmt(param_of(race.view, "kappa")),
        "lr": fmt(race.hyper_of("adagrad")["lr"]),
        "steps": race.run.steps,
    }


def solve(links) -> dict:
    race, adagrad_step, rmsprop_step = (link.settings for link in links)
    rows = race_rows(race)
    _, adagrad = step_run(adagrad_step)
    _, rmsprop = step_run(rmsprop_step)
    a = measure.rate_change(adagrad.states["effective_lr"])
    r = measure.rate_change(rmsprop.states["effective_lr"])
    return {
        "a_gap": rows["adagrad"].final,
        "r_gap": rows["rmsprop"].final,
        "a_shrinks_always": a.never_rises,
        "a_end_lo": a.end_lo,
        "a_end_hi": a.end_hi,
        "r_end_lo": r.end_lo,
        "r_end_hi": r.end_hi,
    }


LESSON = Lesson(
    id="adagrad",
    title="AdaGrad's shrinking steps vs RMSProp",
    topic="adaptive methods",
    links=LINKS,
    story=(
        "AdaGrad divides each coordinate's step by the root of the sum of all its squared "
        "gradients so far. That sum only grows, so the step size only shrinks — good for "
        "rare features, fatal on a long trip. RMSProp keeps a moving average instead and "
        "forgets old gradients."
    ),
    question=(
        "Both at α = {{lr}} on the bowl (κ = {{kappa}}) for {{steps}} steps. Which one "
        r"reaches the minimum? What does each one's effective learning rate "
        r"$\alpha/(\sqrt{r} + \epsilon)$ do?"
    ),
    answer=(
        "RMSProp ends {{r_gap}} above the minimum's loss; AdaGrad is still {{a_gap}} above "
        "it, crawling. AdaGrad's effective rate falls at every step, to between {{a_end_lo}} "
        "and {{a_end_hi}} times its first value; RMSProp's ends between {{r_end_lo}} and "
        "{{r_end_hi}} times its first value, rising as the gradients shrink. The "
        "Step-by-step page draws each cache and rate."
    ),
    given=given,
    solve=solve,
)
