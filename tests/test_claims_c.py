"""Claims a fresh reading of the texts (issue #19's last step) found still untrue, each now
chosen by a predicate on its own run or restated, and checked here."""

from __future__ import annotations

import numpy as np

from lessons import LESSONS_BY_ID, answer_text, race_runs
from optim_core import run
from optim_core.spec import DAMPING
from optim_core.theory import left_view_at
from surfaces import curvature_at, get_surface
from surfaces.curvature import local_steps
from teach import measure


def test_saddle_free_newton_is_said_to_walk_downhill_only_if_its_run_does():
    lesson = LESSONS_BY_ID["saddle"]
    surface, runs = race_runs(lesson.links[1].settings)
    free = runs["newton"]
    left = left_view_at(surface, free.path)
    rises = bool(np.any(np.diff(free.loss) > 0))
    text = answer_text("saddle")
    assert (left is not None or rises) == ("does not walk straight downhill" in text)
    assert f"at step {left} it leaves the view" in text  # on this run it does (step 11)
    assert f"{free.loss.max():.3g}" in text
    assert "walks downhill into the valley" not in text


def test_climb_is_none_for_a_run_that_only_falls_and_stays_in_view():
    bowl = get_surface("bowl")
    calm = run(bowl, "sgd", bowl.start, 50, lr=0.01)
    assert measure.climb(bowl, calm) is None
    wild = run(bowl, "sgd", bowl.start, 50, lr=0.2)
    up = measure.climb(bowl, wild)
    assert up is not None and up.left_view == left_view_at(bowl, wild.path)


def test_damping_is_not_promised_to_make_every_newton_step_shorter():
    saddle = get_surface("saddle")
    lengths = []
    for damping in (0.0, 1.0):
        step = run(saddle, "newton", (1.0, 0.5), 1, lr=1.0, damping=damping)
        lengths.append(float(np.linalg.norm(step.path[1] - step.path[0])))
    assert lengths[1] > lengths[0]  # with a negative curvature, damping lengthened the step
    assert "safer" not in DAMPING.help and "lengthen" in DAMPING.help


def test_at_a_critical_point_the_curvature_page_does_not_deny_a_downhill_direction():
    saddle = get_surface("saddle")
    note = local_steps(saddle, curvature_at(saddle, (0.0, 0.0)), 0.1).best.note
    assert "no downhill direction" not in note
    assert "gives no direction" in note


def test_a_flat_quadratic_is_not_called_non_convex():
    from teach.lab_text import NOT_CONVEX, SINGULAR, no_theory

    assert no_theory((0.0, 4.0)) == SINGULAR and "convex but flat" in SINGULAR
    assert no_theory((-2.0, 4.0)) == NOT_CONVEX


def test_a_typed_flat_quadratic_gets_the_flat_text():
    from surfaces import parse_surface
    from teach.lab_text import SINGULAR, no_theory

    flat = parse_surface("(x + y)^2")
    assert no_theory(flat.quadratic_eigenvalues) == SINGULAR
