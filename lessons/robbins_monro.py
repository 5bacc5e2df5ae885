"""The lesson ``robbins_monro``, Robbins–Monro: decay, but not too fast:
its links, the values it states, its text."""

from __future__ import annotations

from lessons.lesson import (
    Lesson,
    Link,
    cloud_of,
    opened,
    race_settings,
    regression,
    start_of,
    surface_of,
)
from teach import measure
from webapp.settings import RaceSettings, fmt

_RM_SGD = {"sgd": {"lr": 0.1}}
WINDOW = 20  # the last steps whose distance to the minimum is compared


def _rm_race(schedule: str, k: float, batch: int = 1) -> RaceSettings:
    return race_settings(
        regression(1.0),
        _RM_SGD,
        steps=300,
        batch=batch,
        schedule=schedule,
        schedule_params=(("k", k),),
    )


LINKS = (
    Link("exponential decay", _rm_race("exponential", 0.1)),
    Link("inverse-time decay", _rm_race("inverse_time", 0.1)),
    Link("exponential decay, exact gradient", _rm_race("exponential", 0.1, batch=0)),
)


def given(links) -> dict:
    exp, inv, _ = (link.settings for link in links)
    return {
        "lr": fmt(exp.hyper_of("sgd")["lr"]),
        "m": exp.run.batch,
        "k_exp": fmt(dict(exp.run.schedule_params)["k"]),
        "k_inv": fmt(dict(inv.run.schedule_params)["k"]),
        "steps": exp.run.steps,
        "window": WINDOW,
    }


def solve(links) -> dict:
    exp, inv, exact = (link.settings for link in links)
    ends = [cloud_of(settings, WINDOW) for settings in (exp, inv, exact)]
    totals = [
        measure.schedule_total(s.run.schedule_dict, s.hyper_of("sgd")["lr"], s.run.steps)
        for s in (exp, inv)
    ]
    page, _ = opened(exp)
    s = surface_of(page.view)
    start = start_of(page.view, s)
    return {
        "start_dist": measure.nearest_minimum(s, start).distance,
        "exp_total": totals[0].run,
        "exp_limit": totals[0].limit,
        "exp_ten": totals[0].ten_times,
        "inv_total": totals[1].run,
        "inv_ten": totals[1].ten_times,
        "inv_limit": totals[1].limit,
        "longer": totals[0].longer,
        "exp_dist": ends[0].mean_distance,
        "inv_dist": ends[1].mean_distance,
        "exact_dist": ends[2].mean_distance,
        "exp_gap": ends[0].floor,
        "inv_gap": ends[1].floor,
        "dist_ratio": ends[0].mean_distance / ends[1].mean_distance,
    }


LESSON = Lesson(
    id="robbins_monro",
    title="Robbins–Monro: decay, but not too fast",
    topic="learning rate",
    links=LINKS,
    story=(
        "Robbins and Monro showed that SGD with noisy gradients converges if the learning "
        r"rates sum to infinity, $\sum_t \alpha_t = \infty$, while their squares do not, "
        r"$\sum_t \alpha_t^2 < \infty$. The first lets the run travel any distance; the "
        r"second lets the noise average out. Inverse-time decay $\alpha_0/(1 + k(t-1))$ "
        r"meets both; exponential decay $\alpha_0 e^{-k(t-1)}$ fails the first."
    ),
    question=(
        r"SGD on the regression with m = {{m}} example per step, $\alpha_0$ = {{lr}}, and "
        "either exponential decay (k = {{k_exp}}) or inverse-time decay (k = {{k_inv}}). "
        "Which one ends closer to the minimum after {{steps}} steps?"
    ),
    answer=(
        "Inverse-time decay: over the last {{window}} steps it stays {{inv_dist}} from the "
        "minimum on average (f − f_min {{inv_gap}}); exponential decay {{exp_dist}}, "
        "{{dist_ratio}} times farther (f − f_min {{exp_gap}}), from a start "
        "{{start_dist}} away. Exponential decay's learning rates add up to {{exp_total}} "
        r"over the run, and however long it runs never to more than $\alpha_0/(1 - e^{-k})$ "
        "= {{exp_limit}} ({{exp_ten}} over {{longer}} times the steps): the run freezes "
        "short of the minimum, noise or not — with the exact gradient it stops "
        "{{exact_dist}} away. Inverse-time "
        "decay's add up to {{inv_total}}, and to {{inv_ten}} over {{longer}} times the steps: "
        "growing without bound, like ln t, while its steps shrink fast enough for the "
        "noise to average out."
    ),
    given=given,
    solve=solve,
)
