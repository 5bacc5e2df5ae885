"""The words around the numbers (issue #19, part A), each claim run on its own setup: a text
that says where a run went, how a step size moves, what a gradient is or what a lecture writes
fails here when the run (or the lecture) says otherwise.
"""

from __future__ import annotations

import numpy as np
import pytest

from lessons import CONVENTIONS, LESSONS_BY_ID, answer_text, facts, race_runs
from optim_core import OPTIMIZERS, divergence_reason, run
from optim_core._loop import divergence_bound
from optim_core.optimizers import quotes
from optim_core.optimizers.adam import rmsprop_first_step, uncorrected_first_step
from optim_core.spec import CENTERED, fmt
from optim_core.theory import DIVERGED, LEFT_THE_VIEW, left_view_at, view_box
from surfaces import SURFACES, get_surface
from teach.compare import step_gradient
from tests._analytic import Rosenbrock, Saddle
from tests._apptest import APP
from tests._tables import tables
from viz.step import state_table, step_latex, tex_value

# ---------------------------------------------------------------------------- 1. the view


def _outside(surface, point) -> bool:
    (x0, x1), (y0, y1) = surface.bounds
    x, y = point
    return not (x0 <= x <= x1 and y0 <= y <= y1)


def test_left_the_view_is_the_first_iterate_outside_the_box_and_diverged_is_the_rule():
    lesson = LESSONS_BY_ID["lr_too_large"]
    surface, runs = race_runs(lesson.links[0].settings)
    t = runs["sgd"]
    f = facts("lr_too_large")
    left, diverged = f["big_left_view"], f["big_diverged"]
    # left the view: the first iterate outside the chart's box, every earlier one inside
    assert _outside(surface, t.path[left])
    assert not any(_outside(surface, p) for p in t.path[:left])
    # diverged: the divergence rule, far beyond the view, and much later
    centre, reach = divergence_bound(surface)
    assert t.diverged_at == diverged and np.hypot(*(np.array(t.stop_point) - centre)) > reach
    assert all(np.hypot(*(p - centre)) <= reach for p in t.path[:diverged])
    assert left < diverged
    text = answer_text("lr_too_large")
    box = LEFT_THE_VIEW.format(box=view_box(surface))
    assert f"first leaves the view at step {left} ({box})" in text
    assert f"diverges at step {diverged} ({DIVERGED})" in text
    assert "left the view" not in text.replace("leaves the view at step", "")


def test_left_view_at_reads_the_box():
    s = get_surface("bowl", kappa=15.0, angle=30.0)
    assert view_box(s) == "[−3, 3] × [−3, 3]"
    path = np.array([[0.0, 0.0], [3.0, -3.0], [3.5, 0.0], [0.0, 0.0], [np.nan, 0.0]])
    assert left_view_at(s, path) == 2  # on the edge is inside
    assert left_view_at(s, path[:2]) is None
    assert left_view_at(s, path[[0, 4]]) == 1  # non-finite is outside
    assert left_view_at(s, path, bounds=((-5, 5), (-5, 5))) == 4


def test_the_divergence_reasons_say_diverged_not_left_the_view():
    t = run(Saddle(), "sgd", (1.0, 0.1), 100, lr=0.5)
    on_a_saddle = divergence_reason(Saddle(), "sgd", t.hyper, t.diverged_at)
    generic = divergence_reason(Rosenbrock(), "sgd", {"lr": 0.01}, 3)
    assert on_a_saddle.endswith(f"(diverged at step {t.diverged_at}).")
    assert generic == f"Stopped at step 3 by {DIVERGED} — try a smaller learning rate."
    assert "left the view" not in on_a_saddle + generic
    assert "1000 × the view's diameter" in DIVERGED


def test_the_nesterov_lesson_says_what_diverged_means():
    f = facts("nesterov")
    assert f["nag_big_diverged"] is not None and f["diverged_means"] == DIVERGED
    assert f"Nesterov diverges at step {f['nag_big_diverged']} ({DIVERGED})" in answer_text(
        "nesterov"
    )


# ---------------------------------------------------------------------------- 2. AMSGrad

KAPPA20 = get_surface("bowl", kappa=20.0, angle=30.0)


def _step_sizes(optimizer):
    t = run(KAPPA20, optimizer, start=KAPPA20.start, steps=300, lr=0.05, record_state=True)
    rate = t.states["effective_lr"]  # α/(√v̂ + ε) per coordinate, after each step
    beta2 = t.hyper["beta2"]
    correction = np.sqrt(1 - beta2 ** np.arange(1, len(rate) + 1))[:, None]
    return t, rate, rate / correction  # the last: α/(√v_max + ε√(1 − β₂ᵗ)), correction aside


def test_amsgrads_description_is_what_its_run_does():
    t, rate, uncorrected = _step_sizes("amsgrad")
    description = OPTIMIZERS["amsgrad"].description
    assert np.all(np.diff(t.states["v_max"], axis=0) >= 0)  # "the largest v seen so far"
    grows = bool(np.any(np.diff(rate, axis=0) > 0))
    assert grows and np.all(np.diff(rate, axis=0) > 0)  # on this run it grows at every step
    assert ("can still grow" in description) == grows
    assert "never relaxes" not in description
    only_the_correction = bool(np.all(np.diff(uncorrected, axis=0) <= 0))
    assert ("never because the gradients got smaller" in description) == only_the_correction
    # Adam, the same run: without the maximum, smaller gradients do enlarge its step
    _, _, adam_uncorrected = _step_sizes("adam")
    assert np.any(np.diff(adam_uncorrected, axis=0) > 0)


# ---------------------------------------------------------------------------- 3. Step by step

BOWL = get_surface("bowl", **{p.name: p.default for p in SURFACES["bowl"].params})


def test_a_noisy_gradient_is_named_and_shown_beside_the_exact_one():
    t = run(BOWL, "sgd", start=BOWL.start, steps=10, lr=0.05, noise=1.0, seed=0, record_state=True)
    gradient = step_gradient(t, 3, BOWL, noise=1.0)
    exact = BOWL.grad(t.path[2])
    assert np.allclose(gradient.exact, exact) and not np.allclose(gradient.used, exact)
    latex = step_latex(t, 3, gradient)
    assert (
        rf"g &= \hat g = \nabla f(\theta_{{2}}) + \text{{noise}} \\ &= {tex_value(t.grads[2])}"
        in (latex)
    )
    assert rf"\nabla f(\theta_{{2}}) &= {tex_value(exact)}" in latex
    rows = state_table(t, 3, gradient)
    assert [r["quantity"] for r in rows[:2]] == ["ĝ", "∇f"]
    assert rows[0]["meaning"] == "gradient used in this step: ∇f + noise"
    exact_run = run(BOWL, "sgd", start=BOWL.start, steps=10, lr=0.05, record_state=True)
    plain = step_latex(exact_run, 3, step_gradient(exact_run, 3, BOWL))
    assert r"\hat g" not in plain and r"g &= \nabla f(\theta_{2})" in plain


def test_a_mini_batch_gradient_names_its_examples_and_shows_the_exact_one():
    data = get_surface("regression", standardized=1.0)
    t = run(data, "sgd", start=data.start, steps=10, lr=0.05, batch_size=8, record_state=True)
    gradient = step_gradient(t, 3, data)
    batch = list(gradient.batch)
    assert batch == list(t.batches[2]) and len(batch) == 8
    point = t.path[2]
    assert np.allclose(gradient.used, data.example_grads(point)[batch].mean(axis=0))
    assert np.allclose(gradient.exact, data.grad(point))
    assert not np.allclose(gradient.used, gradient.exact)
    latex = step_latex(t, 3, gradient)
    assert r"\hat g = \tfrac{1}{8} \textstyle\sum_{i \in B_{3}} \nabla \ell_i(\theta_{2})" in latex
    assert rf"\nabla f(\theta_{{2}}) &= {tex_value(gradient.exact)}" in latex
    used = ", ".join(str(i) for i in batch)
    (row,) = [r for r in state_table(t, 3, gradient) if r["quantity"] == "ĝ"]
    assert row["meaning"] == f"gradient used in this step: mini-batch gradient of examples {used}"
    assert r"\hat g" in step_latex(t, 3)  # a mini-batch is known from the run alone


def test_the_step_page_shows_a_noisy_gradient_as_such():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params.update({"steps": "30", "noise": "1", "step_t": "3"})
    at.switch_page("app_pages/step.py").run()
    assert not at.exception, at.exception
    hyper = {h.name: at.session_state[f"adam_{h.name}"] for h in OPTIMIZERS["adam"].hyper}
    t = run(BOWL, "adam", start=BOWL.start, steps=30, noise=1.0, record_state=True, **hyper)
    this_step = [e.value for e in at.latex if r"\alpha_{3}" in e.value]
    assert this_step and r"\hat g" in this_step[0]
    assert tex_value(BOWL.grad(t.path[2])) in this_step[0]
    assert tex_value(t.grads[2]) in this_step[0]
    rows = tables(at)[0]
    assert [r["quantity"] for r in rows[:2]] == ["ĝ", "∇f"]


# ---------------------------------------------------------------------------- 4, 5. the notes


def _first_step_per_alpha(optimizer, **hyper):
    s = get_surface("bowl", kappa=4.0, angle=0.0)
    t = run(s, optimizer, start=(1.0, 1.0), steps=1, lr=0.01, **hyper)
    return np.abs(t.path[1] - t.path[0]) / 0.01


def test_the_adam_note_quotes_cs231n_and_its_first_steps_are_the_runs():
    note = OPTIMIZERS["adam"].convention
    assert "exactly" not in note
    for quote in (quotes.CS231N_ADAM_CLOSE, quotes.CS231N_LIKE_RMSPROP):
        assert str(quote) in note
    beta1, beta2 = 0.9, 0.999
    adam = _first_step_per_alpha("adam", beta1=beta1, beta2=beta2, bias_correction=False)
    rmsprop = _first_step_per_alpha("rmsprop", decay=beta2, momentum=0.9)
    assert np.allclose(adam, uncorrected_first_step(beta1, beta2), rtol=1e-5)
    assert np.allclose(rmsprop, rmsprop_first_step(beta2), rtol=1e-5)
    assert f"≈ {fmt(uncorrected_first_step(beta1, beta2))} α" in note
    assert f"≈ {fmt(rmsprop_first_step(beta2))} α" in note
    assert np.all(rmsprop > 5 * adam)  # not the same rule: "It is not this app's RMSProp"
    assert "It is not this app's RMSProp with momentum" in note


def test_the_nptel_index_typo_is_on_the_rmsprop_nesterov_note_not_the_momentum_one():
    assert "NPTEL" not in OPTIMIZERS["momentum"].convention
    assert "typo" not in OPTIMIZERS["momentum"].convention
    note = OPTIMIZERS["rmsprop_nesterov"].convention
    assert str(quotes.NPTEL_NESTEROV_V) in note and str(quotes.NPTEL_NESTEROV_W) in note
    assert "index typo" in note and "sign" not in note
    # the slide computes v_{t+1}, then adds v_t; the rule here moves θ by the new velocity
    assert "v_{t+1} =" in quotes.NPTEL_NESTEROV_V.text
    assert quotes.NPTEL_NESTEROV_W.text.endswith("+ v_t")
    s = get_surface("bowl", kappa=4.0, angle=0.0)
    t = run(s, "rmsprop_nesterov", start=(1.0, 1.0), steps=1, lr=0.01, record_state=True)
    assert np.allclose(t.path[1] - t.path[0], t.states["v"][0]) and np.all(t.states["v"][0])


# ---------------------------------------------------------------------------- 10. the table


@pytest.mark.parametrize(
    ("optimizer", "nptel"),
    [
        ("rmsprop", quotes.NPTEL_ROOT),
        ("adagrad", quotes.NPTEL_ROOT),
        ("adam", quotes.NPTEL_ADAM_ROOT),
    ],
)
def test_the_formulas_table_gives_nptels_own_denominators(optimizer, nptel):
    (row,) = [c for c in CONVENTIONS if optimizer in c.optimizers and "ε" in c.question]
    assert nptel in row.quotes and nptel.plain in row.lecture
    form = "ŝ_t/√(εI + r̂_t)" if optimizer == "adam" else "√(εI + r_t)"
    assert "NPTEL: " in row.lecture and f"{form}, {nptel.plain}" in row.lecture
    assert "√r + ε" not in row.lecture and "m̂/(√v̂ + ε) (Kingma" not in row.lecture


# ---------------------------------------------------------------------------- centered


def test_centered_divides_by_a_standard_deviation_and_its_help_says_so():
    assert "√(r − ḡ²)" in CENTERED.help and "standard deviation" in CENTERED.help
    assert "variance" not in CENTERED.help
    s = get_surface("bowl", kappa=4.0, angle=0.0)
    hyper = {"lr": 0.01, "decay": 0.9, "eps": 1e-8, "centered": True}
    t = run(s, "rmsprop", start=(1.0, 1.0), steps=5, record_state=True, **hyper)
    r, g_avg = t.states["r"][4], t.states["g_avg"][4]
    std = np.sqrt(r - g_avg**2)  # r − ḡ²: the mean of g² minus the squared mean of g
    assert np.allclose(t.states["effective_lr"][4], 0.01 / (std + 1e-8))
