"""Every lesson's claims, checked on the lesson's own setup, and its text free of typed numbers.

``solve`` runs each lesson's links as their pages would (the URL round trip, then optim_core);
these tests check the direction of every claim the answer template makes in words — who wins,
who diverges, which settles first — so a change in the core that breaks a story fails here.
"""

from __future__ import annotations

import ast
import math
import re
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from lessons import (
    CONVENTIONS,
    LESSONS,
    LESSONS_BY_ID,
    PAGE_TITLES,
    answer_text,
    facts,
    opened,
    race_runs,
    step_run,
)
from optim_core import OPTIMIZERS, run
from surfaces import get_surface
from teach.text import (
    FIELD,
    MATH,
    colour_name,
    fields_of,
    marker_name,
    power_of_ten,
    shown,
)
from viz.step import LOOKAHEAD_COLOR
from webapp.pages import PAGES

ROOT = Path(__file__).resolve().parents[1]


def templates(lesson) -> dict[str, str]:
    out = {"story": lesson.story, "question": lesson.question, "answer": lesson.answer}
    out.update({f"link {i}": link.label for i, link in enumerate(lesson.links)})
    return out


# ---------------------------------------------------------------------------- the data


def test_there_are_lessons_covering_the_course_and_every_page():
    assert len(LESSONS) >= 10 and len(LESSONS_BY_ID) == len(LESSONS)
    required = {"momentum", "nesterov", "saddle", "adagrad", "adam_bias", "lr_too_large",
                "feature_scaling", "noise", "decay", "local_global", "minibatch", "clt",
                "robbins_monro", "lion"}  # fmt: skip
    assert required <= set(LESSONS_BY_ID)
    linked = {link.page for lesson in LESSONS for link in lesson.links}
    assert linked == set(PAGE_TITLES)  # every page a lesson can open …
    assert set(PAGE_TITLES) == {p.url_path for p in PAGES} - {"lessons"}  # … all but this one
    for entry in PAGES:  # the registry the router builds its navigation from
        assert (ROOT / entry.script).is_file(), entry


def test_each_lesson_is_one_module_of_the_package():
    """A lesson is one entry: its own module (named by its id) holds its links, ``given``,
    ``solve`` and text; no module of the package grows past 500 lines or imports NumPy."""
    for lesson in LESSONS:
        module = sys.modules[f"lessons.{lesson.id}"]
        assert module.LESSON is lesson and module.LINKS is lesson.links, lesson.id
        assert lesson.given.__module__ == lesson.solve.__module__ == module.__name__
    modules = sorted((ROOT / "lessons").glob("*.py"))
    assert {p.stem for p in modules} >= {lesson.id for lesson in LESSONS} | {"conventions"}
    for path in modules:
        source = path.read_text()
        assert len(source.splitlines()) <= 500, path.name
        assert numpy_imports(source) == [], path.name


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.id)
def test_each_link_is_a_settings_object_its_page_reads_back_unchanged(lesson):
    for link in lesson.links:
        url = link.url()
        assert url.startswith(f"/{link.page}?") or url == f"/{link.page}", url
        page, notices = opened(link.settings)
        assert notices == [], notices  # every value is one the widgets can show
        assert page.query() == link.settings.query()  # the page reads what the lesson set
        present = link.url(present=True)
        assert "present=true" in present and present.startswith(f"/{link.page}?")


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.id)
def test_each_lesson_tells_asks_and_fills_every_field(lesson):
    setup = lesson.setup()
    for name in ("story", "question"):
        assert fields_of(getattr(lesson, name)) <= set(setup), name
    for link in lesson.links:
        assert fields_of(link.label) <= set(setup), link.label
    assert lesson.text(lesson.question).rstrip().endswith("?")
    sentences = [s for s in lesson.story.split(". ") if s.strip()]
    assert 2 <= len(sentences) <= 4
    answer = answer_text(lesson.id)
    assert not FIELD.search(answer) and len(answer) > 80
    for link in lesson.links:
        assert not FIELD.search(lesson.label(link))


# ---------------------------------------------------------------------------- no NumPy in pages


def numpy_imports(source: str) -> list[str]:
    """The lines of ``source`` that import NumPy (``import numpy``, ``from numpy… import``)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        found += [f"line {node.lineno}: {n}" for n in names if n.split(".")[0] == "numpy"]
    return found


def test_no_page_module_imports_numpy():
    """Issue #8: the pages hold no NumPy computation; measurements live in optim_core."""
    pages = sorted((ROOT / "app_pages").glob("*.py"))
    assert pages
    offenders = {p.name: numpy_imports(p.read_text()) for p in pages}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_numpy_import_check_catches_each_form():
    for source in ("import numpy as np", "from numpy import linalg", "import numpy.linalg",
                   "def f():\n    import numpy\n"):  # fmt: skip
        assert numpy_imports(source), source
    assert numpy_imports("import numbers\nfrom optim_core import lessons") == []


# ---------------------------------------------------------------------------- no typed numbers

_NUMBER_WORDS = re.compile(
    r"\b(half|halves|halved|twice|double[sd]?|triple[sd]?|tenfold|\w+fold|third|quarter|fifth|"
    r"two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|hundred|thousand|dozen)\b",
    re.IGNORECASE,
)
_VALUE_IN_MATH = re.compile(r"(=|\\approx|≈)\s*[-−]?\d|\d\.\d|\d\d")


def typed_numbers(template: str) -> list[str]:
    """What in ``template`` looks like a number typed by hand: a digit outside the fields and
    the formulas ($…$), a number word, a value stated inside a formula, or a field in a formula
    (a number must be written by ``shown``, outside the math)."""
    found = []
    bare = FIELD.sub("", template)
    for formula in MATH.findall(bare):
        found += [m.group(0) for m in _VALUE_IN_MATH.finditer(formula)]
    found += [f for f in MATH.findall(template) if FIELD.search(f)]
    prose = MATH.sub("", bare)
    found += [ch for ch in prose if ch.isdigit() or ch.isnumeric()]
    found += [m.group(0) for m in _NUMBER_WORDS.finditer(prose)]
    return found


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.id)
def test_no_number_is_typed_in_a_lessons_text(lesson):
    for name, template in templates(lesson).items():
        assert typed_numbers(template) == [], (lesson.id, name, typed_numbers(template))


@pytest.mark.parametrize(
    "text",
    [
        "Momentum, in about 70 steps",
        "grows by 25 % every step",
        "up to 6.5× near t = 10",
        "the cloud halves",
        "about tenfold",
        "a κ = ⁵⁰ bowl",
        r"where $\kappa = 50$",
        r"at $\alpha = 0.03$",
        r"a formula with a field: $\alpha = {{lr}}$",
    ],
)
def test_the_typed_number_check_catches_hand_written_values(text):
    assert typed_numbers(text)


def test_the_typed_number_check_lets_formulas_and_fields_through():
    text = r"stable for $\alpha < 2/\lambda_{\max}$ = {{edge}}, $(1 - \beta_1^t)$, step {{k}}"
    assert typed_numbers(text) == []


# ---------------------------------------------------------------------------- formatting


def test_numbers_are_shown_from_their_values():
    assert power_of_ten(1e-4) == "10⁻⁴" and power_of_ten(100.0) == "10²"
    assert shown(0.0384615) == "0.0385" and shown(170) == "170" and shown(-0.847) == "−0.847"
    assert shown((-2.0, 1.5)) == "(−2, 1.5)" and shown(5e-10) == "5·10⁻¹⁰"
    with pytest.raises(TypeError):
        shown(True)
    assert colour_name("#ff4fd8") == "magenta" and colour_name("#1f77b4") == "blue"
    assert colour_name("#ff7f0e") == "orange" and colour_name("#808080") == "grey"
    assert marker_name("diamond-open") == "open diamond" and marker_name("circle") == "circle"


# ---------------------------------------------------------------------------- the claims


def test_momentum_settles_first_and_no_slider_rate_lets_gd_catch_up():
    f = facts("momentum")
    assert f["hb_settled"] < f["gd_settled"]  # "Momentum: … only from step"
    assert f["best_settled"] <= f["gd_settled"]  # the slider's best is at least as good
    assert f["hb_settled"] < f["best_settled"]  # "no learning rate … lets GD beat momentum"
    assert f["hb_settled"] < f["opt_settled"]  # not even the theoretical optimum
    race = LESSONS_BY_ID["momentum"].links[0].settings
    s, _ = race_runs(race)
    assert math.isclose(f["opt_lr"], 2 / sum(s.quadratic_eigenvalues))


def test_nesterov_settles_sooner_but_diverges_where_heavy_ball_does_not():
    f = facts("nesterov")
    assert f["nag_touch"] <= f["nag_settled"] < f["hb_settled"]
    race, big, _ = (link.settings for link in LESSONS_BY_ID["nesterov"].links)
    lr_big = big.hyper_of("nesterov")["lr"]
    assert f["nag_edge"] < lr_big < f["hb_edge"]  # the narrower band, on the lesson's bowl
    assert f["nag_big_diverged"] is not None and f["hb_big_diverged"] is None
    assert f["hb_big_settled"] is not None
    surface, runs = race_runs(race)
    gap = runs["nesterov"].loss - surface.f(np.array(surface.minima[0]))
    touch = f["nag_touch"]
    assert gap[touch] <= race.tol and np.all(gap[:touch] > race.tol)


def test_the_lookahead_marker_is_described_from_the_step_figure():
    f = facts("nesterov")
    assert f["marker"] == f"{colour_name(LOOKAHEAD_COLOR)} open diamond"
    step = LESSONS_BY_ID["nesterov"].links[2].settings
    _, t = step_run(step)
    assert not np.allclose(t.eval_points[step.t - 1], t.path[step.t - 1])  # it is on show


def test_at_a_saddle_gd_lingers_newton_is_caught_saddle_free_newton_and_noise_escape():
    f = facts("saddle")
    assert f["newton_first"] < 1e-6 and f["newton_dist"] < 1e-6  # lands and stays
    assert f["gd_dist"] < f["noisy_dist"]  # noise carries GD farther from the saddle
    assert f["noisy_to_valley"] < f["gd_to_valley"]  # … toward a valley
    assert f["free_settled"] is not None  # saddle-free Newton settles in a valley
    assert f["eig_neg"] < 0 < f["eig_pos"]
    _, free, _, curvature = (link.settings for link in LESSONS_BY_ID["saddle"].links)
    assert free.hyper_of("newton")["saddle_free"] is True
    assert (curvature.x, curvature.y) == f["saddle"]  # the Curvature link opens on the saddle


def test_adagrads_rate_only_shrinks_while_rmsprops_rises():
    f = facts("adagrad")
    assert f["r_gap"] < f["a_gap"]  # RMSProp gets closer, AdaGrad crawls
    a, r = f["a_facts"], f["r_facts"]
    assert a["change"].never_rises and a["change"].end_hi < 1  # "falls at every step"
    assert r["change"].end_lo > 1  # RMSProp's rate ends above where it started
    # each claim's words against the run: tests/test_claims_b.py


def test_adam_without_bias_correction_takes_larger_first_steps():
    f = facts("adam_bias")
    assert f["ratio_min"] > 1  # larger at every one of the first t steps
    assert math.isclose(f["ratio_first"], f["factor_first"], rel_tol=1e-6)
    assert f["factor_max"] > f["factor_first"] and f["factor_argmax"] > 1
    corrected, uncorrected = (link.settings for link in LESSONS_BY_ID["adam_bias"].links)
    assert dict(uncorrected.hyper)["bias_correction"] is False
    assert {k: v for k, v in uncorrected.hyper if k != "bias_correction"} == dict(corrected.hyper)


def test_a_learning_rate_above_two_over_lambda_max_diverges():
    f = facts("lr_too_large")
    big, small, lab = (link.settings for link in LESSONS_BY_ID["lr_too_large"].links)
    lr_big, lr_small = big.hyper_of("sgd")["lr"], small.hyper_of("sgd")["lr"]
    assert lr_small < f["edge"] < lr_big
    assert f["rate_small"] < 1 < f["rate_big"] and f["growth_pct"] > 0
    assert f["big_diverged"] is not None and f["small_settled"] is not None
    assert lab.view == big.view and lab.optimizer == "sgd"


def test_standardized_features_settle_and_raw_ones_do_not():
    f = facts("feature_scaling")
    assert f["std_settled"] is not None and f["raw_settled"] is None
    assert f["raw_diverged"] is None  # slow, not unstable
    assert f["kappa_raw"] > 100 * f["kappa_std"]
    raw = LESSONS_BY_ID["feature_scaling"].links[0].settings
    assert raw.hyper_of("sgd")["lr"] < f["edge_raw"] < f["next_lr"]  # capped by the steep axis
    assert f["next_diverged"] is not None and 0 < f["flat_rate"] < 1


def test_the_noise_cloud_scales_with_sigma_and_the_floor_with_sigma_squared():
    f = facts("noise")
    loud, quiet = (link.settings.run.noise for link in LESSONS_BY_ID["noise"].links)
    assert loud > quiet  # the first link is the louder one
    assert f["spread_ratio"] == pytest.approx(loud / quiet, rel=0.15)
    assert f["floor_ratio"] == pytest.approx((loud / quiet) ** 2, rel=0.25)
    assert f["floor_ratio"] > f["spread_ratio"] > 1


def test_decay_lowers_the_final_loss_and_decay_too_hard_stalls():
    f = facts("decay")
    assert f["same_first"]  # the runs part only when α first drops
    assert f["decay_final"] < f["const_final"]  # "… times lower"
    assert f["hard_final"] > f["const_final"]  # "stalls … above constant α"
    constant, decayed, hard = (link.settings for link in LESSONS_BY_ID["decay"].links)
    assert decayed.run.noise == constant.run.noise == hard.run.noise > 0
    assert decayed.hyper == constant.hyper == hard.hyper


def test_two_nearby_starts_end_in_different_wells():
    f = facts("local_global")
    assert not f["deep_a"] and f["deep_b"]  # the shallow well, then the deep one
    assert f["to_min_a"] < 1e-2 and f["to_min_b"] < 1e-2
    assert f["f_a"] > f["f_b"]


def test_the_condition_number_is_the_ratio_of_hessian_eigenvalues():
    f = facts("condition_number")
    assert f["same_everywhere"]
    hessian_view = LESSONS_BY_ID["condition_number"].links[0].settings.view
    assert f["kappa_measured"] == pytest.approx(dict(hessian_view.params)["kappa"])
    assert f["opt_lr"] < f["edge"] and 0 < f["rate"] < 1


def test_newton_solves_a_quadratic_in_one_step_gd_needs_many():
    f = facts("newton")
    assert f["newton_settled"] == 1
    assert f["best_settled"] <= f["gd_settled"] and f["newton_settled"] < f["best_settled"]


def test_smaller_mini_batches_wander_more():
    f = facts("minibatch")
    small, mid, full = (link.settings for link in LESSONS_BY_ID["minibatch"].links)
    assert small.run.batch < mid.run.batch and full.run.batch == 0  # 0: the exact gradient
    assert small.view.surface_id == "regression" and f["n"] == 40
    assert f["spread_small"] > f["spread_mid"] > f["spread_full"]  # "smaller batches wander"
    assert f["floor_small"] > f["floor_mid"] > f["floor_full"]
    assert f["full_settled"] is not None  # the exact gradient converges …
    assert f["small_settled"] is None and f["mid_settled"] is None  # … the mini-batches do not
    assert f["cost_small"] < f["cost_mid"] < f["cost_full"]
    # the links run what the lesson measures: mini-batch indices drawn, m per step
    _, runs = race_runs(small)
    assert runs["sgd"].batches.shape == (small.run.steps, small.run.batch)
    _, runs = race_runs(full)
    assert runs["sgd"].batches is None


def test_mini_batch_noise_shrinks_like_one_over_root_m():
    f = facts("clt")
    links = LESSONS_BY_ID["clt"].links
    sizes = [link.settings.run.batch for link in links]
    assert sizes == sorted(sizes) and sizes[0] == 1
    assert all(link.settings.chart == "noise" for link in links)  # the Race's noise view
    assert all(link.settings.run.sampling == "replacement" for link in links)
    for i, m in enumerate(sizes):
        assert f[f"predicted_{i}"] == pytest.approx(1 / math.sqrt(m))
        assert f[f"ratio_{i}"] == pytest.approx(1 / math.sqrt(m), rel=0.1)  # measured
        assert f[f"distinct_{i}"] == pytest.approx(f[f"distinct_predicted_{i}"], rel=0.1)
    assert f["spread_0"] > f["spread_1"] > f["spread_2"]
    assert f["spread_factor"] == pytest.approx(math.sqrt(f["size_factor"]), rel=0.1)
    assert f["slope_law"] == pytest.approx(-0.5) and f["slope"] == pytest.approx(-0.5, abs=0.05)
    assert f["distinct_2"] < f["ratio_2"]  # without replacement the spread falls faster


def test_the_noise_rows_are_read_from_the_measured_scaling():
    from optim_core.noise import noise_scaling
    from teach.measure import spread_by_size

    s = get_surface("regression", standardized=1.0)
    rows = spread_by_size(noise_scaling(s, s.start, "shuffle", sizes=[1, 4, 40]))
    assert [r.m for r in rows] == [1, 4, 40] and rows[0].ratio == 1
    assert rows[2].spread == 0 and rows[2].predicted == pytest.approx(0, abs=1e-12)  # all N
    assert rows[1].spread != rows[1].predicted  # measured, not the formula


def test_exponential_decay_stops_short_and_inverse_time_decay_arrives():
    from optim_core import SCHEDULES

    f = facts("robbins_monro")
    exp, inv, exact = (link.settings for link in LESSONS_BY_ID["robbins_monro"].links)
    assert (exp.run.schedule, inv.run.schedule) == ("exponential", "inverse_time")
    assert exp.run.noise or exp.run.batch  # noisy gradients
    assert exact.run.batch == 0 and exact.run.schedule_dict == exp.run.schedule_dict
    assert SCHEDULES["exponential"].total_infinite is False
    assert SCHEDULES["inverse_time"].total_infinite and SCHEDULES["inverse_time"].squares_finite
    assert math.isfinite(f["exp_limit"]) and f["exp_total"] <= f["exp_limit"] * (1 + 1e-12)
    assert f["exp_ten"] == pytest.approx(f["exp_total"], rel=1e-3)  # it has stopped growing
    assert f["inv_limit"] == math.inf and f["inv_ten"] > 1.5 * f["inv_total"]
    assert f["exp_limit"] < f["start_dist"]  # the total is too short for the trip …
    assert f["exp_dist"] > f["inv_dist"] and f["exp_gap"] > f["inv_gap"]  # … it ends farther
    assert f["exact_dist"] > 10 * f["inv_dist"]  # and stops short without noise too
    for seed in range(1, 5):  # not one lucky seed
        ends = []
        for settings in (exp, inv):
            s, runs = race_runs(replace(settings, run=replace(settings.run, seed=seed)))
            ends.append(np.linalg.norm(runs["sgd"].path[-1] - np.array(s.minima[0])))
        assert ends[0] > ends[1], seed


def test_lion_moves_each_coordinate_by_alpha_and_settles_only_when_alpha_decays():
    f = facts("lion")
    race, small, cosine, step = (link.settings for link in LESSONS_BY_ID["lion"].links)
    assert opened(race)[0].hyper_of("lion")["weight_decay"] == 0  # the step is α·sign(c) only
    assert f["gd_settled"] is not None and f["lion_settled"] is None  # "Lion's never does"
    assert f["gd_last"] < 1e-6 < 1 < f["gd_first"]  # GD's step shrinks below Lion's
    for settings in (race, small, cosine):  # "every Lion step moves each coordinate by α"
        _, runs = race_runs(settings)
        lion = runs["lion"]
        moves = np.abs(np.diff(lion.path, axis=0))
        assert np.allclose(moves, lion.lr[:, None], rtol=1e-9, atol=0), settings.query()
    assert f["small_settled"] is None  # "still never settle"
    assert 0.5 < f["spread_in_lr"] < 2  # the hops are about α
    lr_ratio = race.hyper_of("lion")["lr"] / small.hyper_of("lion")["lr"]
    assert f["spread_ratio"] > 1 and f["spread_ratio"] == pytest.approx(lr_ratio, rel=0.1)
    assert cosine.run.schedule == "cosine" and opened(cosine)[0].run.schedule_params == (
        ("min_lr", 0.0),
    )
    _, runs = race_runs(cosine)
    assert runs["lion"].lr[-1] < 1e-3 * runs["lion"].lr[0]  # α decays …
    assert f["cos_settled"] is not None  # … and the hops shrink with it: it settles
    _, t = step_run(step)
    c, moved = np.abs(t.states["c"]), np.abs(t.states["step"])
    assert np.allclose(moved, dict(step.hyper)["lr"])  # "the step: ±α in each coordinate"
    assert c.max() > 1e3 * c.min()  # "whatever the size of c"


# ---------------------------------------------------------------------------- the formulas


def _one_step(optimizer: str, **hyper):
    s = get_surface("bowl", kappa=4.0, angle=0.0)
    return s, run(s, optimizer, start=(1.0, 1.0), steps=1, record_state=True, **hyper)


def test_the_conventions_table_says_what_optim_core_does():
    assert {o for c in CONVENTIONS for o in c.optimizers} <= set(OPTIMIZERS)
    eps = 0.5  # large, so ε inside and outside the root differ visibly
    _, t = _one_step("rmsprop", lr=0.1, eps=eps)
    r = t.states["r"][0]
    assert np.allclose(t.states["effective_lr"][0], 0.1 / (np.sqrt(r) + eps))  # outside
    _, t = _one_step("rmsprop_nesterov", lr=0.1, eps=eps)
    r = t.states["r"][0]
    assert np.allclose(t.states["effective_lr"][0], 0.1 / np.sqrt(eps + r))  # inside
    _, t = _one_step("adagrad", lr=0.1, eps=eps)
    g = t.grads[0]
    assert np.allclose(t.states["r"][0], g**2)  # the accumulator starts at 0
    assert np.allclose(t.states["effective_lr"][0], 0.1 / (np.abs(g) + eps))
    _, t = _one_step("momentum", lr=0.1)
    assert np.allclose(t.states["v"][0], -0.1 * t.grads[0])  # α inside the velocity
    _, t = _one_step("adam", lr=0.1, eps=eps)
    assert np.allclose(
        t.states["effective_lr"][0], 0.1 / (np.sqrt(t.states["v_hat"][0]) + eps)
    )  # outside
    s = get_surface("bowl", kappa=10.0, angle=20.0)
    look_ahead = run(s, "nesterov", start=s.start, steps=30, lr=0.05)
    reparam = run(s, "nesterov_reparam", start=s.start, steps=30, lr=0.05)
    assert np.allclose(reparam.path[:-1], look_ahead.eval_points)  # both forms, one method
