"""The lesson ``nesterov``, Nesterov vs momentum: its links, the values it states, its text."""

from __future__ import annotations

from lessons.lesson import (
    Lesson,
    Link,
    bowl,
    eigenvalues_of,
    param_of,
    race_rows,
    race_runs,
    race_settings,
    step_run,
    step_settings,
)
from optim_core import stable_lr
from optim_core.theory import DIVERGED
from teach import measure
from teach.text import colour_name, marker_name, power_of_ten
from webapp.settings import fmt

_NESTEROV_HYPER = {"lr": 0.015, "momentum": 0.9}
LINKS = (
    Link(
        "momentum vs Nesterov",
        race_settings(bowl(50.0), {"momentum": _NESTEROV_HYPER, "nesterov": _NESTEROV_HYPER}),
    ),
    Link(
        "both at α = {{lr_big}}",
        race_settings(
            bowl(50.0),
            {o: {**_NESTEROV_HYPER, "lr": 0.03} for o in ("momentum", "nesterov")},
        ),
    ),
    Link(
        "the look-ahead, step by step",
        step_settings(bowl(50.0), "nesterov", _NESTEROV_HYPER, 100, 4),
    ),
)


def given(links) -> dict:
    race, big = links[0].settings, links[1].settings
    return {
        "kappa": fmt(param_of(race.view, "kappa")),
        "lr": fmt(race.hyper_of("nesterov")["lr"]),
        "mu": fmt(race.hyper_of("nesterov")["momentum"]),
        "lr_big": fmt(big.hyper_of("nesterov")["lr"]),
        "tol": power_of_ten(race.tol),
    }


def _lookahead_marker(links) -> str:
    """The Step page's look-ahead marker in words, read from the figure it draws."""
    from viz.step import LOOKAHEAD_COLOR, step_figure

    s, trajectory = step_run(links[2].settings)
    fig = step_figure(s, trajectory, links[2].settings.t)
    (marker,) = [tr.marker for tr in fig.data if (tr.name or "").startswith("look-ahead")]
    assert marker.color == LOOKAHEAD_COLOR
    return f"{colour_name(LOOKAHEAD_COLOR)} {marker_name(marker.symbol)}"


def solve(links) -> dict:
    race, big = links[0].settings, links[1].settings
    s, runs = race_runs(race)
    touch = measure.first_touch(s, runs["nesterov"], race.tol)
    rows, big_rows = race_rows(race), race_rows(big)
    lam_max = eigenvalues_of(s)[1]
    mu = race.hyper_of("nesterov")["momentum"]
    return {
        "nag_touch": touch.first,
        "nag_leaves": f", leaves it again at step {touch.leaves}" if touch.leaves else "",
        "nag_settled": rows["nesterov"].settled_at,
        "hb_settled": rows["momentum"].settled_at,
        "nag_edge": stable_lr("nesterov", lam_max, mu),
        "hb_edge": stable_lr("momentum", lam_max, mu),
        "nag_big_diverged": big_rows["nesterov"].stopped_at,
        "diverged_means": DIVERGED,
        "hb_big_diverged": big_rows["momentum"].stopped_at,
        "hb_big_settled": big_rows["momentum"].settled_at,
        "marker": _lookahead_marker(links),
    }


LESSON = Lesson(
    id="nesterov",
    title="Nesterov vs momentum",
    topic="momentum",
    links=LINKS,
    story=(
        "Nesterov's method takes the gradient where the velocity is about to carry it, "
        r"$\theta + \mu v$, instead of where it is. When the ball is about to overshoot the "
        "valley floor, the gradient there already points back, so the oscillations die out "
        "sooner."
    ),
    question=(
        "Same bowl (κ = {{kappa}}), same α = {{lr}} and μ = {{mu}} for both. Which one "
        "settles first? And what happens to each at α = {{lr_big}}?"
    ),
    answer=(
        "Nesterov. Its f − f_min first touches {{tol}} at step {{nag_touch}}{{nag_leaves}}, "
        "and stays within it from step {{nag_settled}}; heavy-ball momentum from step "
        "{{hb_settled}}. The price is a narrower stable band: on a quadratic, look-ahead "
        r"momentum needs $\alpha\lambda_{\max} < 2(1 + \mu)/(1 + 2\mu)$, heavy ball only "
        r"$\alpha\lambda_{\max} < 2(1 + \mu)$ — here α < {{nag_edge}} against "
        "α < {{hb_edge}}. At α = {{lr_big}} Nesterov diverges at step {{nag_big_diverged}} "
        "({{diverged_means}}) while heavy ball still settles, from step {{hb_big_settled}}. "
        r"On the Step-by-step page the {{marker}} is $\theta + \mu v$, where the gradient "
        "is taken."
    ),
    given=given,
    solve=solve,
)
