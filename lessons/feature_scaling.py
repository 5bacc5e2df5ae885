"""The lesson ``feature_scaling``, Feature scaling: its links, the values it states, its text."""

from __future__ import annotations

from dataclasses import replace

from lessons.lesson import (
    Lesson,
    Link,
    eigenvalues_of,
    phrase_settled,
    race_rows,
    race_runs,
    race_settings,
    regression,
)
from optim_core import stable_lr
from teach.text import power_of_ten
from webapp.settings import fmt, lr_options

LINKS = (
    Link("raw inputs", race_settings(regression(0.0), {"sgd": {"lr": 0.002}}, steps=1000)),
    Link("standardized inputs", race_settings(regression(1.0), {"sgd": {"lr": 0.5}}, steps=100)),
)


def given(links) -> dict:
    raw, std = links[0].settings, links[1].settings
    return {
        "lr_raw": fmt(raw.hyper_of("sgd")["lr"]),
        "lr_std": fmt(std.hyper_of("sgd")["lr"]),
        "tol": power_of_ten(raw.tol),
    }


def solve(links) -> dict:
    raw, std = links[0].settings, links[1].settings
    raw_row, std_row = race_rows(raw)["sgd"], race_rows(std)["sgd"]
    raw_min, raw_max = eigenvalues_of(race_runs(raw)[0])
    std_min, std_max = eigenvalues_of(race_runs(std)[0])
    lr = raw.hyper_of("sgd")["lr"]
    options = lr_options("sgd")
    next_lr = options[options.index(lr) + 1]
    next_row = race_rows(replace(raw, hyper=(("sgd", (("lr", next_lr),)),)))["sgd"]
    return {
        "raw_settled": raw_row.settled_at,
        "raw_outcome": phrase_settled(raw_row.settled_at, raw.run.steps),
        "raw_diverged": raw_row.stopped_at,
        "std_settled": std_row.settled_at,
        "kappa_raw": raw_max / raw_min,
        "kappa_std": std_max / std_min,
        "edge_raw": stable_lr("sgd", raw_max),
        "flat_rate": 1 - lr * raw_min,
        "next_lr": next_lr,
        "next_diverged": next_row.stopped_at,
    }


LESSON = Lesson(
    id="feature_scaling",
    title="Feature scaling",
    topic="conditioning",
    links=LINKS,
    story=(
        "The loss of a linear regression is a quadratic bowl whose Hessian is built from "
        "the inputs. When one input is measured in much larger units than the other, the "
        "bowl is extremely elongated: the steep direction caps the learning rate, and then "
        "the flat direction takes forever. Standardized inputs make it almost round."
    ),
    question=(
        "Same data, same model, gradient descent with a good learning rate for each "
        "({{lr_raw}} for raw inputs, {{lr_std}} for standardized). From which step does "
        "f − f_min stay within {{tol}}?"
    ),
    answer=(
        "Standardized (κ = {{kappa_std}}): from step {{std_settled}}. Raw (κ = "
        r"{{kappa_raw}}): {{raw_outcome}} — with α capped below $2/\lambda_{\max}$ = "
        r"{{edge_raw}}, the flat direction shrinks only by the factor $1 - "
        r"\alpha\lambda_{\min}$ = {{flat_rate}} per step, and the next learning rate on the "
        "slider, {{next_lr}}, diverges (at step {{next_diverged}}). Only the units of the "
        "inputs changed."
    ),
    given=given,
    solve=solve,
)
