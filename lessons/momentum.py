"""The lesson ``momentum``, Momentum on an ill-conditioned bowl:
its links, the values it states, its text."""

from __future__ import annotations

from dataclasses import replace

from lessons.lesson import (
    Lesson,
    Link,
    best_on_slider,
    bowl,
    eigenvalues_of,
    param_of,
    race_rows,
    race_runs,
    race_settings,
    settled,
)
from optim_core import quadratic_theory
from teach.text import power_of_ten
from webapp.settings import fmt

LINKS = (
    Link(
        "GD vs momentum",
        race_settings(
            bowl(50.0),
            {"sgd": {"lr": 0.03}, "momentum": {"lr": 0.015, "momentum": 0.9}},
            steps=300,
        ),
    ),
)


def given(links) -> dict:
    race = links[0].settings
    return {
        "kappa": fmt(param_of(race.view, "kappa")),
        "gd_lr": fmt(race.hyper_of("sgd")["lr"]),
        "hb_lr": fmt(race.hyper_of("momentum")["lr"]),
        "mu": fmt(race.hyper_of("momentum")["momentum"]),
        "tol": power_of_ten(race.tol),
    }


def solve(links) -> dict:
    race = links[0].settings
    rows = race_rows(race)
    s, _ = race_runs(race)
    theory = quadratic_theory(*eigenvalues_of(s))
    best_lr, best_settled = best_on_slider(race, "sgd")
    _, at_optimum = race_runs(replace(race, optimizers=("sgd",)), lr=theory.gd_lr_opt)
    return {
        "gd_settled": rows["sgd"].settled_at,
        "hb_settled": rows["momentum"].settled_at,
        "best_lr": best_lr,
        "best_settled": best_settled,
        "opt_lr": theory.gd_lr_opt,
        "opt_settled": settled(s, at_optimum["sgd"], race.tol),
    }


LESSON = Lesson(
    id="momentum",
    title="Momentum on an ill-conditioned bowl",
    topic="momentum",
    links=LINKS,
    story=(
        "This bowl is {{kappa}} times more curved across its valley than along it. Gradient "
        r"descent must keep $\alpha < 2/\lambda_{\max}$ to stay stable, and with such a "
        "small α it crawls along the flat direction. Momentum keeps a velocity: the "
        "zig-zags across the valley cancel out while the steady pull along it adds up."
    ),
    question=(
        "Gradient descent at α = {{gd_lr}} against heavy-ball momentum with α = {{hb_lr}} "
        "and μ = {{mu}}. Which one gets f − f_min to stay within {{tol}} first, and from "
        "which step?"
    ),
    answer=(
        "Momentum: f − f_min stays within {{tol}} from step {{hb_settled}}, gradient "
        "descent only from step {{gd_settled}}. No learning rate on the slider lets gradient "
        "descent beat momentum here: its best, α = {{best_lr}}, settles from step "
        r"{{best_settled}}, and even the theoretical optimum $2/(\lambda_{\min} + "
        r"\lambda_{\max})$ = {{opt_lr}} only from step {{opt_settled}}. On a quadratic, "
        r"gradient descent needs on the order of $\kappa$ steps per e-fold of error, "
        r"momentum on the order of $\sqrt{\kappa}$: the more ill-conditioned the bowl, the "
        "bigger the gap."
    ),
    given=given,
    solve=solve,
)
