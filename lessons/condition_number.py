"""The lesson ``condition_number``, The condition number is a ratio of curvatures:
its links, the values it states, its text."""

from __future__ import annotations

from lessons.lesson import Lesson, Link, bowl, param_of, surface_of
from optim_core import quadratic_theory
from surfaces import curvature_at
from teach import measure
from webapp.settings import CurvatureSettings, LabSettings, fmt

LINKS = (
    Link("the Hessian", CurvatureSettings(view=bowl(50.0))),
    Link("the stable band", LabSettings(view=bowl(50.0), optimizer="sgd")),
)


def given(links) -> dict:
    return {"kappa": fmt(param_of(links[0].settings.view, "kappa"))}


def solve(links) -> dict:
    s = surface_of(links[0].settings.view)
    (xmin, _), (_, ymax) = s.bounds
    points = {"start": tuple(float(v) for v in s.start), "corner": (xmin, ymax)}
    eigen = {
        k: measure.sorted_eigenvalues(curvature_at(s, p).eigenvalues) for k, p in points.items()
    }
    lam_min, lam_max = eigen["start"]
    theory = quadratic_theory(lam_min, lam_max)
    return {
        **points,
        "same_everywhere": measure.same_values(eigen["start"], eigen["corner"]),
        "lam_min": lam_min,
        "lam_max": lam_max,
        "kappa_measured": theory.kappa,
        "edge": theory.lr_stable_max,
        "opt_lr": theory.gd_lr_opt,
        "rate": theory.gd_rate,
    }


LESSON = Lesson(
    id="condition_number",
    title="The condition number is a ratio of curvatures",
    topic="conditioning",
    links=LINKS,
    story=(
        "The Hessian's eigenvalues are the curvatures along its eigenvectors, and their "
        r"ratio $\kappa = \lambda_{\max}/\lambda_{\min}$ is the condition number. On a "
        r"quadratic bowl they are the same everywhere, and they decide gradient descent: "
        r"$\alpha < 2/\lambda_{\max}$ to be stable, and on the order of $\kappa$ steps per "
        "e-fold of error."
    ),
    question=(
        "On the bowl with κ = {{kappa}}: what are the Hessian's eigenvalues, and which "
        "learning rates keep gradient descent stable?"
    ),
    answer=(
        "λ = {{lam_min}} and {{lam_max}}, at the start {{start}} as at the corner "
        "{{corner}} — the same at every point — so κ = {{kappa_measured}}. Gradient "
        r"descent is stable for $\alpha < 2/\lambda_{\max}$ = {{edge}} and fastest at "
        r"$2/(\lambda_{\min} + \lambda_{\max})$ = {{opt_lr}}, where it still "
        r"shrinks the error only by the factor $(\kappa - 1)/(\kappa + 1)$ = {{rate}} per "
        "step. The Learning-rate lab maps the band."
    ),
    given=given,
    solve=solve,
)
