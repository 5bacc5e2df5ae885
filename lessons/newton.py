"""The lesson ``newton``, Newton's method on a quadratic:
its links, the values it states, its text."""

from __future__ import annotations

from lessons.lesson import Lesson, Link, best_on_slider, bowl, param_of, race_rows, race_settings
from teach.text import power_of_ten
from webapp.settings import fmt

LINKS = (
    Link("GD vs Newton", race_settings(bowl(50.0), {"sgd": {"lr": 0.03}, "newton": {"lr": 1.0}})),
)


def given(links) -> dict:
    race = links[0].settings
    return {"kappa": fmt(param_of(race.view, "kappa")), "tol": power_of_ten(race.tol)}


def solve(links) -> dict:
    race = links[0].settings
    rows = race_rows(race)
    best_lr, best_settled = best_on_slider(race, "sgd")
    return {
        "newton_settled": rows["newton"].settled_at,
        "gd_lr": race.hyper_of("sgd")["lr"],
        "gd_settled": rows["sgd"].settled_at,
        "best_lr": best_lr,
        "best_settled": best_settled,
    }


LESSON = Lesson(
    id="newton",
    title="Newton's method on a quadratic",
    topic="second order",
    links=LINKS,
    story=(
        "Newton's method rescales the gradient by the inverse Hessian: it jumps to the "
        "minimum of the local quadratic model. On a quadratic bowl that model is exact."
    ),
    question="How many steps does Newton need on the κ = {{kappa}} bowl? And gradient descent?",
    answer=(
        "Newton: f − f_min stays within {{tol}} from step {{newton_settled}}, whatever κ "
        "is — the inverse Hessian undoes the stretching of the bowl. Gradient descent at "
        "α = {{gd_lr}} settles from step {{gd_settled}}, and no learning rate on the slider "
        "does better than step {{best_settled}} (α = {{best_lr}}). The price: the Hessian "
        r"($d^2$ numbers for d parameters) and a linear solve every step — and on "
        "non-convex surfaces plain Newton is drawn to saddles (see the saddle lesson)."
    ),
    given=given,
    solve=solve,
)
