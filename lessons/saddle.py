"""The lesson ``saddle``, Saddle points: who stalls, who escapes:
its links, the values it states, its text."""

from __future__ import annotations

from lessons.lesson import Lesson, Link, race_runs, race_settings, settled, surface_of
from surfaces import critical_points, curvature_at
from teach import measure
from teach.text import power_of_ten
from webapp.settings import CurvatureSettings, View, fmt

_SADDLE_VIEW = View(surface_id="saddle", start=(2.5, 0.001))
_SADDLE_GD = {"sgd": {"lr": 0.02}}
LINKS = (
    Link(
        "GD and Newton",
        race_settings(_SADDLE_VIEW, {**_SADDLE_GD, "newton": {"lr": 1.0}}, steps=100),
    ),
    Link(
        "GD and saddle-free Newton",
        race_settings(
            _SADDLE_VIEW,
            {**_SADDLE_GD, "newton": {"lr": 1.0, "saddle_free": True}},
            steps=100,
        ),
    ),
    Link("GD with gradient noise", race_settings(_SADDLE_VIEW, _SADDLE_GD, steps=100, noise=1.0)),
    Link(
        "the Hessian at the saddle",
        CurvatureSettings(view=View(surface_id="saddle"), x=0.0, y=0.0),
    ),
)


def given(links) -> dict:
    race, noisy = links[0].settings, links[2].settings
    return {
        "y0": fmt(race.view.start[1]),
        "steps": race.run.steps,
        "gd_lr": fmt(race.hyper_of("sgd")["lr"]),
        "sigma": fmt(noisy.run.noise),
        "tol": power_of_ten(race.tol),
    }


def _free_way(surface, trajectory) -> str:
    """How saddle-free Newton gets off the ridge, from its run (``measure.climb``): downhill all
    the way, or where it leaves the view and how high f climbs."""
    up = measure.climb(surface, trajectory)
    if up is None:
        return "walks downhill all the way"
    where = f"at step {up.left_view} it leaves the view, " if up.left_view is not None else ""
    return (
        "does not walk straight downhill: where the curvature along y passes through zero its "
        f"step is huge, so {where}f climbing to {up.peak_value:.3g} at step {up.peak}, before "
        "it comes back"
    )


def solve(links) -> dict:
    plain, free, noisy, curvature = (link.settings for link in links)
    s, runs = race_runs(plain)
    (saddle,) = [p for p in critical_points(s).points if p.kind == "saddle"]
    point = tuple(float(v) for v in saddle.point)
    _, free_runs = race_runs(free)
    _, noisy_runs = race_runs(noisy)
    gd_end, noisy_end = measure.end_of(runs["sgd"]), measure.end_of(noisy_runs["sgd"])
    newton_first = runs["newton"].path[1]
    eig_neg, eig_pos = measure.sorted_eigenvalues(
        curvature_at(surface_of(curvature.view), point).eigenvalues
    )
    return {
        "gd_dist": measure.distance(gd_end, point),
        "gd_to_valley": measure.nearest_minimum(s, gd_end).distance,
        "newton_first": measure.distance(newton_first, point),
        "newton_dist": measure.distance(measure.end_of(runs["newton"]), point),
        "valley": measure.nearest_minimum(s, measure.end_of(free_runs["newton"])).point,
        "free_settled": settled(s, free_runs["newton"], free.tol),
        "free_way": _free_way(s, free_runs["newton"]),
        "noisy_to_valley": measure.nearest_minimum(s, noisy_end).distance,
        "noisy_dist": measure.distance(noisy_end, point),
        "saddle": point,
        "eig_neg": eig_neg,
        "eig_pos": eig_pos,
    }


LESSON = Lesson(
    id="saddle",
    title="Saddle points: who stalls, who escapes",
    topic="saddle points",
    links=LINKS,
    story=(
        "At a saddle the gradient vanishes, but the surface curves down along one "
        r"direction. Started a hair off the ridge ($y_0$ = {{y0}}), gradient descent slides "
        "into the saddle and leaves it only slowly. Newton's method jumps to where the "
        "gradient of its quadratic model vanishes — at a saddle, the saddle itself."
    ),
    question=(
        "Where is each after {{steps}} steps: gradient descent (α = {{gd_lr}}), Newton, "
        "saddle-free Newton (the Hessian's eigenvalues made positive), and gradient descent "
        "with gradient noise (σ = {{sigma}})?"
    ),
    answer=(
        "Gradient descent is still {{gd_dist}} from the saddle {{saddle}}. Newton lands "
        "{{newton_first}} from it in one step and stays: it is attracted to any critical "
        "point. Saddle-free Newton turns the negative curvature positive, so it heads off "
        "the ridge; it {{free_way}}, and ends in the valley at {{valley}}: f − f_min stays "
        "within {{tol}} from step {{free_settled}}. Noise kicks gradient descent off the "
        "ridge: it ends {{noisy_dist}} from the saddle, {{noisy_to_valley}} from a valley "
        "floor (without noise, {{gd_to_valley}}). The Curvature page shows why: at the saddle the "
        "Hessian's eigenvalues are {{eig_neg}} and {{eig_pos}}."
    ),
    given=given,
    solve=solve,
)
