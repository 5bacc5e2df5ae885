"""The lesson ``lion``, Lion: a step of fixed size per coordinate:
its links, the values it states, its text."""

from __future__ import annotations

from lessons.lesson import (
    Lesson,
    Link,
    bowl,
    cloud_of,
    opened,
    param_of,
    race_rows,
    race_runs,
    race_settings,
    step_settings,
)
from teach import measure
from teach.text import power_of_ten
from webapp.settings import fmt

WINDOW = 100  # the last steps over which Lion's hops around the minimum are measured
_STEPS = 500  # long enough for Lion at the smaller α to reach the minimum and hop around it
_LION = {"lion": {"lr": 0.05}}
LINKS = (
    Link(
        "GD vs Lion",
        race_settings(bowl(10.0), {"sgd": {"lr": 0.1}, **_LION}, steps=_STEPS),
    ),
    Link(
        "Lion at α = {{lr_small}}", race_settings(bowl(10.0), {"lion": {"lr": 0.02}}, steps=_STEPS)
    ),
    Link(
        "Lion, α decayed along a cosine",
        race_settings(bowl(10.0), _LION, steps=_STEPS, schedule="cosine"),
    ),
    Link("Lion, step by step", step_settings(bowl(10.0), "lion", _LION["lion"], _STEPS, 1)),
)


def given(links) -> dict:
    race, small, cosine = (link.settings for link in links[:3])
    lr, lr_small = race.hyper_of("lion")["lr"], small.hyper_of("lion")["lr"]
    return {
        "kappa": fmt(param_of(race.view, "kappa")),
        "gd_lr": fmt(race.hyper_of("sgd")["lr"]),
        "lr": fmt(lr),
        "lr_small": fmt(lr_small),
        "lr_ratio": fmt(lr / lr_small),
        "min_lr": fmt(dict(opened(cosine)[0].run.schedule_params)["min_lr"]),
        "steps": race.run.steps,
        "window": WINDOW,
        "tol": power_of_ten(race.tol),
    }


def solve(links) -> dict:
    race, small, cosine = (link.settings for link in links[:3])
    rows = race_rows(race)
    _, runs = race_runs(race)
    gd_over_lion = measure.step_ratio(runs["lion"], runs["sgd"], race.run.steps)
    hops, small_hops = cloud_of(race, WINDOW, "lion"), cloud_of(small, WINDOW, "lion")
    return {
        "gd_settled": rows["sgd"].settled_at,
        "lion_settled": rows["lion"].settled_at,
        "small_settled": race_rows(small)["lion"].settled_at,
        "cos_settled": race_rows(cosine)["lion"].settled_at,
        "gd_first": gd_over_lion.first,
        "gd_last": gd_over_lion.last,
        "spread": hops.spread,
        "spread_in_lr": hops.spread / race.hyper_of("lion")["lr"],
        "floor": hops.floor,
        "spread_ratio": hops.spread / small_hops.spread,
    }


LESSON = Lesson(
    id="lion",
    title="Lion: a step of fixed size per coordinate",
    topic="adaptive methods",
    links=LINKS,
    story=(
        "Lion steps by the sign of a blend of its momentum and the gradient, "
        r"$c = \beta_1 m + (1 - \beta_1)\, g$: "
        r"$\theta \leftarrow \theta - \alpha\,\operatorname{sign}(c)$. Every coordinate moves "
        "by exactly α at every step, however steep or flat the surface is there. Gradient "
        r"descent's step $\alpha g$ shrinks with the gradient as it nears the minimum; "
        "Lion's does not."
    ),
    question=(
        "Gradient descent at α = {{gd_lr}} and Lion at α = {{lr}} on the bowl (κ = {{kappa}}) "
        "for {{steps}} steps: which one gets f − f_min to stay within {{tol}}? What changes "
        "with α = {{lr_small}}, and with α decayed along a cosine to {{min_lr}}?"
    ),
    answer=(
        "Gradient descent: f − f_min stays within {{tol}} from step {{gd_settled}}; Lion's "
        "never does. Gradient descent's step shrinks with the gradient, from {{gd_first}} "
        "times Lion's at the first step to {{gd_last}} times at the last. Every Lion step moves "
        "each coordinate by exactly α, so near the minimum it cannot slow down to land: over "
        "the last {{window}} steps it hops around the minimum, {{spread}} from it (RMS), "
        "{{spread_in_lr}} times α, with f − f_min {{floor}} on average. With α = {{lr_small}}, "
        "{{lr_ratio}} times smaller, the hops are {{spread_ratio}} times smaller, and still "
        "never settle: α is a distance. Decay α along a cosine and the hops shrink with it: "
        "f − f_min stays within {{tol}} from step {{cos_settled}}. The Step-by-step page shows "
        "c and the step: ±α in each coordinate, whatever the size of c."
    ),
    given=given,
    solve=solve,
)
