"""The lesson ``lr_too_large``, A learning rate too large:
its links, the values it states, its text."""

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
)
from optim_core import stable_lr
from optim_core.theory import DIVERGED, LEFT_THE_VIEW, left_view_at, view_box
from teach.text import power_of_ten
from webapp.settings import LabSettings, fmt

LINKS = (
    Link("GD at α = {{lr_big}}", race_settings(bowl(15.0), {"sgd": {"lr": 0.15}}, steps=100)),
    Link("GD at α = {{lr_small}}", race_settings(bowl(15.0), {"sgd": {"lr": 0.1}}, steps=100)),
    Link("the stable band", LabSettings(view=bowl(15.0), optimizer="sgd")),
)


def given(links) -> dict:
    big, small = links[0].settings, links[1].settings
    return {
        "kappa": fmt(param_of(big.view, "kappa")),
        "lr_big": fmt(big.hyper_of("sgd")["lr"]),
        "lr_small": fmt(small.hyper_of("sgd")["lr"]),
        "tol": power_of_ten(small.tol),
    }


def solve(links) -> dict:
    big, small = links[0].settings, links[1].settings
    big_row, small_row = race_rows(big)["sgd"], race_rows(small)["sgd"]
    surface, runs = race_runs(big)
    lam_max = eigenvalues_of(surface)[1]
    rate_big = abs(1 - big.hyper_of("sgd")["lr"] * lam_max)
    return {
        "big_left_view": left_view_at(surface, runs["sgd"].path),
        "left_view_means": LEFT_THE_VIEW.format(box=view_box(surface)),
        "diverged_means": DIVERGED,
        "lam_max": lam_max,
        "rate_big": rate_big,
        "rate_small": abs(1 - small.hyper_of("sgd")["lr"] * lam_max),
        "growth_pct": 100 * (rate_big - 1),
        "big_diverged": big_row.stopped_at,
        "small_settled": small_row.settled_at,
        "edge": stable_lr("sgd", lam_max),
    }


LESSON = Lesson(
    id="lr_too_large",
    title="A learning rate too large",
    topic="learning rate",
    links=LINKS,
    story=(
        "On a quadratic, gradient descent multiplies the error along each eigenvector of "
        r"the Hessian by $1 - \alpha\lambda$ per step. If $|1 - \alpha\lambda_{\max}| > 1$, "
        "the error along the steepest direction grows instead of shrinking, and the run "
        "diverges — however gentle the other directions are."
    ),
    question=(
        "Does gradient descent converge on this bowl (κ = {{kappa}}) at α = {{lr_small}}? "
        "And at α = {{lr_big}}?"
    ),
    answer=(
        r"Here $\lambda_{\max}$ = {{lam_max}}. At α = {{lr_small}} it converges: "
        r"$|1 - \alpha\lambda_{\max}|$ = {{rate_small}}, and f − f_min stays within {{tol}} "
        r"from step {{small_settled}}. At α = {{lr_big}} it diverges: $|1 - "
        r"\alpha\lambda_{\max}|$ = {{rate_big}}, so the error along the steep axis flips "
        "sign and grows by {{growth_pct}} % every step. The zig-zag widens: the run first "
        "leaves the view at step {{big_left_view}} ({{left_view_means}}) and diverges at step "
        r"{{big_diverged}} ({{diverged_means}}). The threshold is $2/\lambda_{\max}$ = "
        "{{edge}}; the Learning-rate lab shows the whole stable band."
    ),
    given=given,
    solve=solve,
)
