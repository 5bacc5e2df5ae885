"""Every lesson's claim, checked with optim_core on the lesson's own configuration.

The runs are rebuilt from each ``Link``'s typed values the way its page builds them (surface and
parameters, start, steps, schedule, noise, seed and the ``{optimizer}_{hyper}`` settings), so a
lesson whose numbers drift away from its text fails here.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from app_pages._controls import STEPS_DEFAULT, log_options
from app_pages._lesson_data import CONVENTIONS, LESSONS, LESSONS_BY_ID, PAGES, Link, query_params
from optim_core import OPTIMIZERS, SCHEDULES, quadratic_theory, run, run_batch
from surfaces import SURFACES, curvature_at, get_surface

PAGE_KEYS = {  # page-specific widget keys a lesson may set, besides {optimizer}_{hyper}
    "race": {"race_opts", "steps", "noise", "seed", "race_tol", "schedule"},
    "step": {"step_opt", "steps", "step_t"},
    "curvature": {"curv_x", "curv_y"},
    "lr-lab": {"lab_opt"},
}
TOL = 1e-4


def surface(link: Link):
    return get_surface(link.surface, **dict(link.surface_params))


def start(link: Link):
    return link.start if link.start is not None else surface(link).start


def race(link: Link, optimizer: str, **override):
    """The run the link's page makes for ``optimizer``."""
    s = surface(link)
    return run(
        s,
        optimizer,
        start=start(link),
        steps=link.get("steps", STEPS_DEFAULT),
        schedule=link.schedule(),
        noise=link.get("noise", 0.0),
        seed=link.get("seed", 0),
        record_state=True,
        **{**link.hyper(optimizer), **override},
    )


def steps_to(loss: np.ndarray, f_min: float = 0.0, tol: float = TOL) -> int | None:
    """First step with f − f_min ≤ tol (the Race page's 'steps to tolerance')."""
    reached = np.flatnonzero(loss - f_min <= tol)
    return int(reached[0]) if reached.size else None


def lesson_links(lesson_id: str) -> tuple[Link, ...]:
    return LESSONS_BY_ID[lesson_id].links


# ---------------------------------------------------------------------------- the data


def test_there_are_at_least_ten_lessons_covering_the_course():
    assert len(LESSONS) >= 10
    assert len(LESSONS_BY_ID) == len(LESSONS)
    required = {"momentum", "nesterov", "saddle", "adagrad", "adam_bias", "lr_too_large",
                "feature_scaling", "noise", "decay", "local_global"}  # fmt: skip
    assert required <= set(LESSONS_BY_ID)
    assert {link.page for lesson in LESSONS for link in lesson.links} == set(PAGES)


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.id)
def test_each_lesson_tells_asks_and_answers(lesson):
    sentences = [s for s in lesson.story.replace("…", ".").split(". ") if s.strip()]
    assert 2 <= len(sentences) <= 4, lesson.story
    assert lesson.question.rstrip().endswith("?")
    assert len(lesson.answer) > 80
    assert lesson.links


@pytest.mark.parametrize(
    "link", [link for lesson in LESSONS for link in lesson.links], ids=lambda link: link.label
)
def test_every_setting_is_a_widget_value_its_page_accepts(link):
    assert link.surface in SURFACES
    params = {p.name: p for p in SURFACES[link.surface].params}
    for name, value in link.surface_params:
        assert params[name].min <= value <= params[name].max
    chosen = link.get("race_opts", ()) or (link.get("step_opt"),)
    for key, value in link.settings:
        if key in ("race_opts", "step_opt", "lab_opt"):
            ids = (value,) if isinstance(value, str) else value
            assert set(ids) <= set(OPTIMIZERS), value
        elif key == "schedule":
            assert value in SCHEDULES
        elif key.startswith("sched_"):
            assert key[len("sched_") :] in {h.name for h in SCHEDULES[link.get("schedule")].params}
        elif key == "race_tol":
            assert value in log_options(1e-10, 1e-1)
        elif key not in PAGE_KEYS[link.page]:
            optimizer, name = _split_hyper_key(key)
            h = next(h for h in OPTIMIZERS[optimizer].hyper if h.name == name)
            if h.log:
                assert value in log_options(h.min, h.max), key  # a select slider's option
            elif h.kind == "bool":
                assert isinstance(value, bool)
            else:
                assert h.min <= value <= h.max, key
    for optimizer in chosen:
        if optimizer is not None:
            assert "lr" in link.hyper(optimizer), f"{link.label}: set {optimizer}_lr"


def _split_hyper_key(key: str) -> tuple[str, str]:
    """'nesterov_reparam_lr' -> ('nesterov_reparam', 'lr'): the longest optimizer id that fits."""
    for optimizer in sorted(OPTIMIZERS, key=len, reverse=True):
        if key.startswith(f"{optimizer}_"):
            return optimizer, key[len(optimizer) + 1 :]
    raise AssertionError(f"unknown setting {key}")


def test_query_params_carry_the_labels_the_widgets_show():
    link = lesson_links("decay")[1]
    q = query_params(link, present=True)
    assert q["surface"] == SURFACES["bowl"].name
    assert q["bowl_kappa"] == "10"
    assert q["race_opts"] == ["sgd"]
    assert q["sgd_lr"] == "0.1"
    assert q["schedule"] == SCHEDULES["step"].name
    assert q["sched_every"] == "50"
    assert q["present"] == "true"
    saddle_free = query_params(lesson_links("saddle")[1])
    assert saddle_free["newton_saddle_free"] == "true"
    assert (saddle_free["x0"], saddle_free["y0"]) == ("2.5", "0.001")
    assert "present" not in saddle_free
    assert query_params(lesson_links("adam_bias")[0])["step_opt"] == OPTIMIZERS["adam"].name


# ---------------------------------------------------------------------------- the claims


def test_momentum_beats_gradient_descent_at_any_learning_rate():
    (link,) = lesson_links("momentum")
    gd, heavy_ball = race(link, "sgd"), race(link, "momentum")
    n_gd, n_hb = steps_to(gd.loss), steps_to(heavy_ball.loss)
    assert 150 <= n_gd <= 190  # "about 170"
    assert 60 <= n_hb <= 80  # "about 70"
    h = OPTIMIZERS["sgd"].hyper[0]
    lrs = np.array(log_options(h.min, h.max))
    batch = run_batch(surface(link), "sgd", start(link), steps=link.get("steps"), lr=lrs)
    best = min(n for b in range(len(lrs)) if (n := steps_to(batch.loss[:, b])) is not None)
    assert best >= 150  # no learning rate lets gradient descent do better than about 170


def test_nesterov_settles_sooner_but_has_a_narrower_stable_band():
    race_link, step_link = lesson_links("nesterov")
    n_hb = steps_to(race(race_link, "momentum").loss)
    n_nag = steps_to(race(race_link, "nesterov").loss)
    assert n_nag < 20 and 60 <= n_hb <= 80
    assert race(race_link, "nesterov", lr=0.03).diverged_at is not None
    assert race(race_link, "momentum", lr=0.03).diverged_at is None
    mu, lam_max = 0.9, surface(race_link).quadratic_eigenvalues[1]
    band = 2 * (1 + mu) / (1 + 2 * mu)  # look-ahead momentum's stable αλ on a quadratic
    assert band == pytest.approx(1.357, abs=1e-3) and band < 0.03 * lam_max < 2 * (1 + mu)
    nag = race(step_link, "nesterov")
    t = step_link.get("step_t")
    assert not np.allclose(nag.eval_points[t - 1], nag.path[t - 1])  # the diamond is on show


def test_at_a_saddle_gd_lingers_newton_is_caught_saddle_free_newton_and_noise_escape():
    newton_link, saddle_free_link, noisy_link, curvature_link = lesson_links("saddle")
    gd = race(newton_link, "sgd")
    assert np.linalg.norm(gd.path[-1]) < 0.1
    newton = race(newton_link, "newton")
    assert np.linalg.norm(newton.path[1]) < 1e-9 and np.linalg.norm(newton.path[-1]) < 1e-9
    free = race(saddle_free_link, "newton")
    assert saddle_free_link.hyper("newton")["saddle_free"] is True
    assert np.allclose(np.abs(free.path[-1]), (0.0, 2.0), atol=1e-6)
    arrived = np.flatnonzero(np.abs(free.path[:, 1]) > 1.99)[0]
    assert 10 <= arrived <= 20  # "in about 15 steps"
    noisy = race(noisy_link, "sgd")
    assert abs(noisy.path[-1][1]) > 1.0  # off the ridge, on its way to a valley
    at_saddle = curvature_at(surface(curvature_link), (0.0, 0.0))
    assert at_saddle.kind == "saddle"
    assert np.allclose(at_saddle.eigenvalues, (-2.0, 2.0))


def test_adagrads_step_size_only_shrinks_while_rmsprops_recovers():
    race_link, step_link = lesson_links("adagrad")
    f_min = 0.0
    adagrad, rmsprop = race(race_link, "adagrad"), race(race_link, "rmsprop")
    assert adagrad.loss[-1] - f_min > 1.0  # "still about 1.7 above it"
    assert rmsprop.loss[-1] - f_min < 0.02  # "within about 0.01"
    a, r = adagrad.states["effective_lr"], rmsprop.states["effective_lr"]
    assert np.all(np.diff(a, axis=0) <= 0)  # monotonically shrinking, both coordinates
    shrunk = a[-1] / a[0]
    assert np.all((shrunk > 0.1) & (shrunk < 0.35))  # "about a fifth"
    assert np.any(np.diff(r, axis=0) > 0, axis=0).all()  # RMSProp's rate goes back up
    assert np.all(r[-1] / r[0] > 5)  # "about tenfold"
    stepped = race(step_link, "adagrad")
    assert np.allclose(stepped.path, adagrad.path)  # the Step page shows the same run


def test_adam_without_bias_correction_takes_larger_first_steps():
    (link,) = lesson_links("adam_bias")
    corrected = race(link, "adam")
    uncorrected = race(link, "adam", bias_correction=False)
    sizes = [np.linalg.norm(np.diff(t.path[:11], axis=0), axis=1) for t in (corrected, uncorrected)]
    ratio = sizes[1] / sizes[0]
    beta1, beta2 = corrected.hyper["beta1"], corrected.hyper["beta2"]
    assert beta2 == 0.999
    assert ratio[0] == pytest.approx((1 - beta1) / math.sqrt(1 - beta2), rel=1e-3)  # 3.16
    assert np.all(ratio > 1.2)  # larger for each of the first ten steps
    t = np.arange(1, 200)
    factor = (1 - beta1**t) / np.sqrt(1 - beta2**t)
    assert factor[0] == pytest.approx(3.16, abs=0.01)
    assert 6.4 < factor.max() < 6.7 and 8 <= t[np.argmax(factor)] <= 15  # "6.5 near t = 10"


def test_a_learning_rate_above_two_over_lambda_max_diverges():
    too_large, fine, lab = lesson_links("lr_too_large")
    assert race(too_large, "sgd").diverged_at is not None
    converged = race(fine, "sgd")
    assert converged.diverged_at is None and converged.loss[-1] < 1e-6
    lam_min, lam_max = surface(too_large).quadratic_eigenvalues
    assert lam_max == pytest.approx(15.0)
    theory = quadratic_theory(lam_min, lam_max)
    assert fine.get("sgd_lr") < theory.lr_stable_max < too_large.get("sgd_lr")
    assert abs(1 - too_large.get("sgd_lr") * lam_max) == pytest.approx(1.25)
    assert lab.surface_params == too_large.surface_params


def test_standardized_features_converge_in_far_fewer_steps():
    raw, standardized = lesson_links("feature_scaling")
    slow, fast = race(raw, "sgd"), race(standardized, "sgd")
    f_raw = float(surface(raw).f(np.array(surface(raw).minima[0])))
    f_std = float(surface(standardized).f(np.array(surface(standardized).minima[0])))
    assert slow.diverged_at is None and steps_to(slow.loss, f_raw) is None  # not in 1000 steps
    assert steps_to(fast.loss, f_std) <= 5
    lam_min, lam_max = surface(raw).quadratic_eigenvalues
    assert 700 < lam_max / lam_min < 820  # "κ ≈ 760"
    assert raw.get("sgd_lr") < 2 / lam_max < 0.003  # the next option up would diverge
    s_min, s_max = surface(standardized).quadratic_eigenvalues
    assert s_max / s_min < 1.2


def test_the_noise_cloud_scales_with_sigma_and_the_loss_floor_with_sigma_squared():
    loud, quiet = lesson_links("noise")
    assert quiet.get("noise") == loud.get("noise") / 2
    runs = [race(link, "sgd") for link in (loud, quiet)]
    spread = [np.sqrt(np.mean(np.sum(t.path[-100:] ** 2, axis=1))) for t in runs]
    floor = [np.mean(t.loss[-100:]) for t in runs]
    assert 1.8 < spread[0] / spread[1] < 2.2
    assert 3.2 < floor[0] / floor[1] < 4.8


def test_decaying_the_learning_rate_lowers_the_final_loss_under_noise():
    constant, decayed = lesson_links("decay")
    flat, stepped = race(constant, "sgd"), race(decayed, "sgd")
    assert np.array_equal(flat.path[:51], stepped.path[:51])  # same start, same first 50 steps
    assert stepped.lr[-1] == pytest.approx(0.1 * 0.5**5)
    ratio = np.mean(flat.loss[-20:]) / np.mean(stepped.loss[-20:])
    assert 5 < ratio < 30  # "about ten times lower"


def test_two_nearby_starts_end_in_different_wells():
    near_local, near_global = lesson_links("local_global")
    s = surface(near_local)
    global_min, local_min = np.array(s.minima)
    a, b = race(near_local, "sgd").path[-1], race(near_global, "sgd").path[-1]
    assert np.linalg.norm(a - local_min) < 1e-2 and np.linalg.norm(b - global_min) < 1e-2
    assert float(s.f(a)) == pytest.approx(-0.85, abs=0.01)
    assert float(s.f(b)) == pytest.approx(-1.85, abs=0.01)
    assert np.linalg.norm(np.subtract(near_local.start, near_global.start)) == 0.5


def test_the_condition_number_is_the_ratio_of_hessian_eigenvalues():
    hessian_link, lab_link = lesson_links("condition_number")
    s = surface(hessian_link)
    for point in (s.start, (0.7, -1.3)):
        c = curvature_at(s, point)
        assert np.allclose(c.eigenvalues, (1.0, 50.0)) and c.condition_number == pytest.approx(50)
    theory = quadratic_theory(1.0, 50.0)
    assert theory.lr_stable_max == pytest.approx(0.04)
    assert theory.gd_lr_opt == pytest.approx(0.039, abs=5e-4)
    assert theory.gd_rate == pytest.approx(49 / 51)
    assert lab_link.get("lab_opt") == "sgd"


def test_newton_solves_a_quadratic_in_one_step():
    (link,) = lesson_links("newton")
    assert np.linalg.norm(race(link, "newton").path[1]) < 1e-9
    assert 150 <= steps_to(race(link, "sgd").loss) <= 190  # "about 170 steps"


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
