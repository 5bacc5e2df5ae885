"""Issue #19, part B: every sentence these texts say about a run is checked on that run.

Each test recomputes what a sentence claims — from the trajectory, with NumPy, not through the
measure that chose the words — and fails if the words and the run disagree: the AdaGrad vs
RMSProp, learning-rate decay and mini-batch lessons; the Learning-rate lab's rotation text; the
Curvature page's condition number; the noise view's cloud of the run's own batches; the
regression's scale ratio, the schedules' Robbins–Monro notes and sums; ``minibatch_grad``'s
refusals.
"""

from __future__ import annotations

import itertools
import math
import re

import numpy as np
import pytest

from lessons import LESSONS_BY_ID, answer_text, facts, opened, race_runs, step_run
from lessons import adagrad as adagrad_lesson
from lessons import decay as decay_lesson
from lessons import minibatch as minibatch_lesson
from optim_core import SCHEDULES, run, run_batch
from optim_core._minibatch import batch_indices
from optim_core.grid import RotationComparison, rotation_comparison
from optim_core.noise import run_batches, straddle_factors
from optim_core.schedules import robbins_monro_note, schedule_values, total_limit
from surfaces import SURFACES, SurfaceError, curvature_at, curvature_map, get_surface, parse_surface
from surfaces.curvature import condition_text
from teach import measure
from teach.lab_text import AS_ROUND, rotation_text, rotation_verdicts
from teach.noise_text import batches_caption
from teach.text import fields_of, shown
from tests._apptest import navigation_app
from tests.test_lessons import typed_numbers
from viz import condition_map_figure, noise_figure

LABELS = {"sgd": "Gradient descent", "adagrad": "AdaGrad", "adam": "Adam"}


def _gap(surface, trajectory) -> np.ndarray:
    return trajectory.loss - float(surface.f(np.asarray(surface.minima[0], dtype=float)))


# ---------------------------------------------------------------------------- the phrases


@pytest.mark.parametrize("module", [adagrad_lesson, decay_lesson, minibatch_lesson])
def test_no_phrase_a_predicate_picks_types_a_number(module):
    for key, template in module.PHRASES.items():
        assert typed_numbers(template) == [], (module.__name__, key, typed_numbers(template))


# ---------------------------------------------------------------------------- 6: AdaGrad, RMSProp


def test_the_adagrad_question_presumes_no_winner():
    lesson = LESSONS_BY_ID["adagrad"]
    question = lesson.text(lesson.question)
    assert "reaches the minimum" not in question and "Does either" in question


def test_rmsprop_touches_the_tolerance_leaves_it_and_ends_in_a_two_cycle_of_hops_alpha():
    race = LESSONS_BY_ID["adagrad"].links[0].settings
    surface, runs = race_runs(race)
    r = runs["rmsprop"]
    gap, tol, lr = _gap(surface, r), race.tol, race.hyper_of("rmsprop")["lr"]
    said = facts("adagrad")["r_reach"]
    assert said in answer_text("adagrad")
    touch = int(np.argmax(gap <= tol))
    assert gap.min() <= tol and gap[-1] > tol  # comes within it, does not stay
    assert f"comes within 10⁻⁴ of the minimum's loss at step {touch} but does not stay" in said
    cycle = facts("adagrad")["r_facts"]["cycle"]
    tail = r.path[cycle.start :]
    hops = np.linalg.norm(np.diff(tail, axis=0), axis=1)
    back = np.linalg.norm(tail[2:] - tail[:-2], axis=1)
    assert np.all(back <= 1e-2 * hops[:-1])  # back within 1 % of a hop of where it was …
    assert np.all(hops > 0.9 * lr)  # … two steps before, after real hops
    assert np.allclose(np.abs(np.diff(tail[-20:], axis=0)), lr, rtol=1e-2)  # "moving by α"
    assert f"between {shown(tuple(r.path[-2]))} and {shown(tuple(r.path[-1]))}" in said
    assert "each coordinate moving by about α at every hop" in said
    assert f"ends {shown(float(gap[-1]))} above" in said


def test_adagrad_never_comes_within_the_tolerance_and_is_still_falling():
    race = LESSONS_BY_ID["adagrad"].links[0].settings
    surface, runs = race_runs(race)
    gap = _gap(surface, runs["adagrad"])
    said = facts("adagrad")["a_reach"]
    assert np.all(gap > race.tol) and "never comes within" in said
    assert np.all(np.diff(gap[-(adagrad_lesson.LAST + 1) :]) < 0) and "still falling" in said


def test_the_rates_words_follow_the_recorded_rates_and_gradients():
    lesson = LESSONS_BY_ID["adagrad"]
    _, a = step_run(lesson.links[1].settings)
    assert np.all(np.diff(a.states["effective_lr"], axis=0) <= 0)
    assert facts("adagrad")["a_rate"].startswith("falls at every step")
    _, r = step_run(lesson.links[2].settings)
    rate, g = r.states["effective_lr"], np.linalg.norm(r.grads, axis=1)
    said = facts("adagrad")["r_rate"]
    first, last = (int(k) for k in re.search(r"from step (\d+) to step (\d+)", said).groups())
    assert np.all(np.diff(rate[first - 1 : last], axis=0) > 0)  # the rate rises …
    assert np.all(np.diff(g[first - 1 : last]) < 0)  # … while ‖g‖ shrinks
    assert g[-1] > g[last - 1] and "‖g‖ grows again and stops shrinking" in said
    steady = int(re.search(r"from step (\d+) on ‖g‖ stays", said).group(1))
    pct = adagrad_lesson.STEADY
    assert np.all(np.abs(g[steady - 1 :] - g[-1]) <= pct * g[-1])
    assert np.all(np.abs(rate[steady - 1 :] - rate[-1]) <= pct * rate[-1])
    assert not np.all(np.abs(g[steady - 2 :] - g[-1]) <= pct * g[-1]) or not np.all(
        np.abs(rate[steady - 2 :] - rate[-1]) <= pct * rate[-1]
    )  # and not from the step before


def test_a_run_that_settles_is_said_to_settle():
    """The other branch of the same words: a run that stays within the tolerance."""
    s = get_surface("bowl", kappa=20.0, angle=30.0)
    t = run(s, "sgd", start=s.start, steps=300, lr=0.09)
    row = type("Row", (), {"settled_at": measure.settled_step(s, t, 1e-4), "final": 0.0})
    said, told = adagrad_lesson._reach("GD", s, t, row, 1e-4, 0.09)
    gap = _gap(s, t)
    k = row.settled_at
    assert np.all(gap[k:] <= 1e-4) and gap[k - 1] > 1e-4
    assert said == f"GD stays within 10⁻⁴ of the minimum's loss from step {k}."
    assert told["cycle"] is None


# ---------------------------------------------------------------------------- 7: decay


def test_the_stretch_means_are_the_runs_and_the_drop_verdict_follows_them():
    decayed = LESSONS_BY_ID["decay"].links[1].settings
    surface, runs = race_runs(decayed)
    t = runs["sgd"]
    gap = _gap(surface, t)
    every = int(dict(decayed.run.schedule_params)["every"])
    means = [gap[1 + i * every : 1 + (i + 1) * every].mean() for i in range(len(t.lr) // every)]
    f = facts("decay")
    assert f["stretches"] == " → ".join(shown(float(v)) for v in means)
    rises = [i + 1 for i in range(len(means) - 1) if means[i + 1] >= means[i]]
    text = answer_text("decay")
    assert "falls at each drop of α" not in text.split("averaged over the noise")[0] or not rises
    if rises:  # on the linked run: after the 2nd and 3rd drops
        assert f["drop_key"] != "falls_each" and "not at each drop" in text
        ordinals = f["drop_verdict"].split("rises after the ")[1].split(" drop")[0]
        assert [int(w[:-2]) for w in re.findall(r"\d+\w\w", ordinals)] == rises
    assert "keeps falling" not in text


def test_the_expected_loss_is_the_mean_over_many_seeds_and_falls_at_each_drop():
    decayed = LESSONS_BY_ID["decay"].links[1].settings
    page, _ = opened(decayed)
    surface, runs = race_runs(decayed)
    t = runs["sgd"]
    b = 3000
    batch = run_batch(
        surface, "sgd", np.tile(t.path[0], (b, 1)), len(t.lr), lr=np.full(b, t.lr[0]),
        schedule=page.run.schedule_dict, noise=page.run.noise, seed=11,
    )  # fmt: skip
    monte_carlo = measure.stretch_means(batch.loss.mean(axis=1), t.lr)
    expected = facts("decay")["expected_means"]
    np.testing.assert_allclose(expected, monte_carlo, rtol=0.05)
    assert all(later < earlier for earlier, later in itertools.pairwise(expected))
    assert "the expected f − f_min falls at each drop" in answer_text("decay")


def test_decay_lowers_the_final_loss_and_too_hard_a_decay_stalls_where_it_says():
    f = facts("decay")
    assert f["decay_final"] < f["const_final"] and "times lower" in f["final_verdict"]
    hard = LESSONS_BY_ID["decay"].links[2].settings
    surface, runs = race_runs(hard)
    gap = _gap(surface, runs["sgd"])
    k, rel = f["hard_stall"], decay_lesson.STALL
    assert np.all(np.abs(gap[k:] - gap[-1]) <= rel * gap[-1])
    assert abs(gap[k - 1] - gap[-1]) > rel * gap[-1]
    assert f"from step {k} on" in f["hard_verdict"] and f["hard_final"] > f["const_final"]


# ---------------------------------------------------------------------------- 8: mini-batches


def test_the_price_in_example_gradients_is_counted_on_each_run():
    lesson = LESSONS_BY_ID["minibatch"]
    small, mid, full = (link.settings for link in lesson.links)
    f, text = facts("minibatch"), answer_text("minibatch")
    n, tol = 40, full.tol
    gaps = {}
    for settings in (small, mid, full):
        surface, runs = race_runs(settings)
        gaps[settings.run.batch] = _gap(surface, runs["sgd"])
    exact = gaps[0]
    k = int(np.argmax(np.cumprod((exact <= tol)[::-1])[::-1]))  # stays within from step k
    assert np.all(exact[k:] <= tol) and exact[k - 1] > tol
    assert f"the exact gradient stays within it from step {k} on, after {k * n} example" in text
    for m in (small.run.batch, mid.run.batch):
        gap = gaps[m]
        assert gap[-1] > tol  # does not stay
        touch = int(np.argmax(gap <= tol))
        inside = int(np.sum(gap[1:] <= tol))
        assert f"m = {m} first comes within it at step {touch}, after {touch * m} example" in text
        assert f"only {inside} of its" in text
    assert k * n < mid.run.steps * mid.run.batch and f["price_key"] == "cheaper"
    assert f"{k * n} example gradients to stay within 10⁻⁴ are fewer than the" in text
    assert str(full.run.steps * n) not in text  # the old claim: the whole run's 12000


# ---------------------------------------------------------------------------- 9: rotation


def _comparison(steps: dict) -> RotationComparison:
    angles = (0.0, 15.0, 30.0, 45.0, 60.0, 75.0, 90.0)
    arrays = tuple(np.asarray(steps[o], dtype=float) for o in ("sgd", "adagrad", "adam"))
    return RotationComparison(20.0, angles, ("sgd", "adagrad", "adam"), arrays, 300, 16, 1e-6)


def _round(gd, adagrad, adam) -> RotationComparison:
    arrays = tuple(np.array([v], dtype=float) for v in (gd, adagrad, adam))
    return RotationComparison(1.0, (0.0,), ("sgd", "adagrad", "adam"), arrays, 300, 16, 1e-6)


@pytest.mark.parametrize(("kappa", "tol"), [(20.0, 1e-6), (10.0, 1e-2)])
def test_the_rotation_text_says_what_the_chart_shows(kappa, tol):
    comparison = rotation_comparison(kappa, tol)
    round_bowl = rotation_comparison(1.0, tol, angles=(0.0,))
    text = rotation_text(comparison, round_bowl, LABELS)
    steps = dict(zip(comparison.optimizers, comparison.steps, strict=True))
    rounds = {o: v[0] for o, v in zip(round_bowl.optimizers, round_bowl.steps, strict=True)}
    gd = steps["sgd"]
    assert np.ptp(gd) == 0 and f"Gradient descent needs {gd[0]:.0f} steps at every angle" in text
    aligned = np.isin(comparison.angles, (0.0, 90.0))
    for opt in ("adagrad", "adam"):
        v = steps[opt]
        said = text.split(f"{LABELS[opt]} needs")[1].split(" needs")[0]
        if "undoes the ill-conditioning" in said:  # about as many steps as on a round bowl
            assert v[aligned].max() <= rounds[opt] * (1 + AS_ROUND) + 1
            assert "Turned, it loses that" in said and v.max() > rounds[opt] * (1 + AS_ROUND) + 1
        if "slower than gradient descent at every angle" in said:
            assert np.all(v > gd)
        if "faster than gradient descent at every angle" in said:
            assert np.all(v < gd)
    if (kappa, tol) == (20.0, 1e-6):  # issue #19's chart: Adam 120–126 at every angle, GD 96
        assert np.all(steps["adam"] > gd) and "Adam needs at most" in text
        assert "Adam needs at most 126 at any angle" in text and "slower than" in text


def test_each_rotation_verdict_follows_its_predicate():
    gd = [96] * 7
    comparison = _comparison(
        {
            "sgd": gd,
            "adagrad": [5, 37, 75, 93, 78, 42, 5],
            "adam": [140, 150, 160, 160, 150, 140, 140],
        }
    )
    verdicts = rotation_verdicts(comparison, _round(5, 5, 50))
    assert verdicts["adagrad"].aligned_as_round and not verdicts["adagrad"].worst_as_round
    assert verdicts["adagrad"].vs_gd == "faster"
    assert not verdicts["adam"].aligned_as_round and verdicts["adam"].vs_gd == "slower"
    text = rotation_text(comparison, _round(5, 5, 50), LABELS)
    assert "Adam needs 140 on the axis-aligned bowl, more than its 50 on a round bowl" in text
    assert "does not undo the ill-conditioning even there" in text
    mixed = _comparison({"sgd": gd, "adagrad": [5, 37, 75, 120, 78, 42, 5], "adam": gd})
    text = rotation_text(mixed, _round(5, 5, 96), LABELS)
    assert "faster than gradient descent at 0°, 15°, 30°, 60°, 75° and 90° only" in text
    assert "Adam needs at most 96" in text and "at no angle" in text


# ---------------------------------------------------------------------------- 11: κ only if PD


@pytest.mark.parametrize(
    ("formula", "point", "what", "signs"),
    [
        ("x^2 - y^2", (0.0, 0.0), "indefinite", "λ₁ < 0 < λ₂"),
        ("-(x^2) - 3y^2", (0.5, 0.5), "negative definite", "λ₁ ≤ λ₂ < 0"),
        ("x^2 + y^4", (0.0, 0.0), "singular", "λ₁ ≈ 0 < λ₂"),
    ],
)
def test_no_condition_number_where_the_hessian_is_not_positive_definite(
    formula, point, what, signs
):
    curv = curvature_at(parse_surface(formula), point)
    lam = curv.eigenvalues
    assert not (lam.min() > 1e-9 * np.abs(lam).max())  # not positive definite …
    assert math.isnan(curv.condition_number)  # … so no κ
    said = condition_text(curv)
    assert f"No condition number here: H is {what}** ({signs})" in said and "κ = " in said
    assert not re.search(r"κ = [\d.]", said)  # no number offered as κ


def test_the_condition_number_is_lambda_max_over_lambda_min_of_a_positive_definite_hessian():
    curv = curvature_at(get_surface("rosenbrock"), (1.0, 1.0))
    lo, hi = np.linalg.eigvalsh(curv.hessian)
    assert lo > 0 and curv.condition_number == pytest.approx(hi / lo)
    assert f"κ = λmax / λmin = {hi / lo:.4g}**" in condition_text(curv)


def test_the_condition_map_is_blank_and_says_why_where_there_is_no_kappa():
    s = parse_surface("x^2 - y^2 + y^4/8", bounds=((-3, 3), (-4, 4)))
    cmap = curvature_map(s, n=21)
    lam = cmap.eigenvalues
    positive = lam[..., 0] > 1e-9 * np.abs(lam).max(axis=-1)
    assert np.all(np.isnan(cmap.condition[~positive]))
    np.testing.assert_allclose(cmap.condition[positive], (lam[..., 1] / lam[..., 0])[positive])
    fig = condition_map_figure(s, cmap)
    text = np.asarray(fig.data[0].text, dtype=object)
    assert all(t.startswith("no κ: H indefinite") for t in text[~positive])
    assert all(t.startswith("κ=") for t in text[positive])


def test_the_curvature_page_at_the_saddle_says_there_is_no_condition_number():
    at = navigation_app("app_pages/curvature.py", {"surface": SURFACES["saddle"].name})
    at.number_input(key="curv_x").set_value(0.0)
    at.number_input(key="curv_y").set_value(0.0).run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "No condition number here: H is indefinite** (λ₁ < 0 < λ₂)" in text
    assert "Condition number κ" not in text


# ---------------------------------------------------------------------------- 12: the batches


@pytest.mark.parametrize(("m", "sampling"), [(16, "shuffle"), (39, "shuffle"), (4, "replacement")])
def test_the_cloud_is_the_batches_the_run_used_every_step(m, sampling):
    s = get_surface("regression", standardized=1.0)
    steps = 120
    t = run(s, "sgd", start=s.start, steps=steps, lr=0.1, batch_size=m, sampling=sampling, seed=3)
    batches = run_batches(s, s.start, m, sampling, 3, steps)
    np.testing.assert_allclose(batches.samples, s.minibatch_grad(np.asarray(s.start), t.batches))
    if sampling == "shuffle":  # a batch straddles when its examples come from two epochs
        epoch = (np.arange(steps)[:, None] * m + np.arange(m)) // 40
        np.testing.assert_array_equal(batches.straddles, epoch[:, 0] != epoch[:, -1])
        assert batches.straddles.any()
        for row, straddles in zip(t.batches, batches.straddles, strict=True):
            assert (len(set(row.tolist())) < m) <= straddles  # repeats only across epochs


@pytest.mark.parametrize("m", [16, 39])
def test_the_straddling_prediction_is_computed_and_matches_many_streams(m):
    """Cov ĝ of a straddling batch, Σ/m² · [a(N − a) + b(N − b)]/(N − 1), against the same
    step's batch of 4000 independent index streams (members of one draw)."""
    s = get_surface("regression", standardized=1.0)
    n, steps = 40, 6
    straddles, factors = straddle_factors(n, m, "shuffle", steps)
    t = int(np.argmax(straddles))  # the first straddling step
    a = n - (t * m) % n
    assert factors[t] == pytest.approx((a * (n - a) + (m - a) * (n - m + a)) / (m * (n - 1)))
    batches = run_batches(s, s.start, m, "shuffle", 0, steps)
    chosen = batch_indices(n, m, "shuffle", 0, 4000, steps)[:, t].astype(np.intp)
    d = s.example_grads(np.asarray(s.start))[chosen].mean(axis=1) - batches.full_grad
    measured = float(np.mean(np.sum(d * d, axis=1)))
    predicted = float(np.trace(batches.per_example_cov)) / m * factors[t]
    assert measured == pytest.approx(predicted, rel=0.08)
    assert batches.factors[t] == factors[t]  # the view's prediction for that step's batch
    within = float(np.trace(batches.per_example_cov)) / m * (n - m) / (n - 1)
    assert predicted > within  # a straddling batch is noisier than one within an epoch


def test_the_noise_view_caption_and_figure_say_which_batches_are_drawn():
    s = get_surface("regression", standardized=1.0)
    batches = run_batches(s, s.start, 16, "shuffle", 0, 100)
    caption = batches_caption(batches)
    assert "one of the 100 mini-batches the run drew, one per step" in caption
    assert f"{batches.count('within')} batches lie within one epoch" in caption
    assert f"{batches.count('straddling')} batches straddle two epochs" in caption
    assert f"{batches.predicted_spread('straddling'):.3g} predicted" in caption
    assert "is what the optimizers see" not in caption
    fig = noise_figure(batches)
    names = {t.name: t for t in fig.data}
    straddling = names["mini-batch gradients ĝ (m = 16), straddling two epochs"]
    assert len(straddling.x) == batches.count("straddling")
    assert "CLT 1σ ellipse, straddling (mean)" in names
    assert "extra noise" not in batches_caption(batches, 0.5)
    assert "added noise σ = 0.5, not drawn here" in batches_caption(batches, 0.5)


# ---------------------------------------------------------------------------- cosmetics


def test_the_regressions_scale_ratio_is_the_ratio_of_the_standard_deviations():
    from surfaces import regression_data

    features, _ = regression_data(False)
    ratio = features[:, 1].std() / features[:, 0].std()
    description = SURFACES["regression"].description
    assert f"by {ratio:.3g}× (the ratio of their standard deviations)" in description
    assert "about 20" not in description
    for standardized in (0.0, 1.0):
        lo, hi = get_surface("regression", standardized=standardized).quadratic_eigenvalues
        assert f"κ = {hi / lo:.3g}" in description


@pytest.mark.parametrize(
    "schedule",
    [
        {"name": "step", "gamma": 0.5, "every": 25, "warmup": 10},
        {"name": "exponential", "k": 0.05, "warmup": 7},
        {"name": "step", "gamma": 0.5, "every": 25},
        {"name": "exponential", "k": 0.05},
    ],
)
def test_a_warm_up_leaves_a_finite_total_finite(schedule):
    limit = total_limit(schedule, 0.2)
    assert math.isfinite(limit)
    assert schedule_values(schedule, 0.2, 20_000).sum() == pytest.approx(limit, rel=1e-9)
    total = measure.schedule_total(schedule, 0.2, 100)
    assert total.limit == limit and total.run <= limit


def test_infinite_and_finite_run_totals_stay_what_they_are():
    assert total_limit({"name": "inverse_time", "warmup": 5}, 0.1) == math.inf
    assert total_limit({"name": "step", "gamma": 1.0, "warmup": 5}, 0.1) == math.inf
    assert math.isnan(total_limit({"name": "cosine", "warmup": 5}, 0.1))


def test_each_schedule_shows_its_robbins_monro_verdict_under_its_sliders():
    at = navigation_app("app_pages/race.py", {"steps": "30"})
    assert not at.exception
    captions = [c.value for c in at.caption]
    assert f"**Robbins–Monro:** {SCHEDULES['constant'].robbins_monro}" in captions
    at.selectbox(key="schedule").set_value("step").run()
    at.slider(key="warmup").set_value(10).run()
    assert not at.exception
    note = robbins_monro_note({"name": "step", "warmup": 10})
    assert SCHEDULES["step"].robbins_monro in note and "warm-up's 10 steps" in note
    assert f"**Robbins–Monro:** {note}" in [c.value for c in at.caption]


@pytest.mark.parametrize(
    ("indices", "says"),
    [
        ([], "needs at least one example"),
        ([40], "Invalid example index 40: this data set has 40 examples"),
        ([-1], "Invalid example index -1"),
        ([0.7], "Invalid example index 0.7: examples are numbered by integers"),
        ([True], "Invalid example index True"),
        (3, "not a single number"),
    ],
)
def test_minibatch_grad_refuses_what_is_not_a_batch_of_example_numbers(indices, says):
    s = get_surface("regression")
    for method in (s.minibatch_grad, s.example_grads, s.example_losses):
        with pytest.raises(SurfaceError, match=re.escape(says)):
            method(np.zeros(2), indices)
    assert isinstance(SurfaceError("x"), ValueError)


def test_the_phrase_fields_are_filled():
    for lesson_id in ("adagrad", "decay", "minibatch"):
        assert not fields_of(answer_text(lesson_id))
