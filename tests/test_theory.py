"""Theory on quadratics against measured runs, divergence explained, suggested learning rates."""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from optim_core import (
    OPTIMIZERS,
    OptimizerError,
    divergence_reason,
    gd_rate,
    quadratic_theory,
    run,
    stable_lr,
    suggest_lr,
)
from optim_core.theory import _nice_floor
from tests._analytic import Rosenbrock, Saddle, bowl, rotated_quadratic


def test_quadratic_theory_by_hand():
    th = quadratic_theory(1.0, 9.0)  # κ = 9, √κ = 3
    assert th.kappa == 9 and th.lr_stable_max == pytest.approx(2 / 9)
    assert th.gd_lr_opt == pytest.approx(0.2) and th.gd_rate == pytest.approx(0.8)  # 2/10, 8/10
    assert th.momentum_lr_opt == pytest.approx(0.25)  # 4/(3 + 1)²
    assert th.momentum_opt == pytest.approx(0.25)  # ((3 − 1)/(3 + 1))²
    assert th.momentum_rate == pytest.approx(0.5)
    assert gd_rate(th.gd_lr_opt, 1.0, 9.0) == pytest.approx(th.gd_rate)


@pytest.mark.parametrize(("low", "high"), [(0.0, 1.0), (-1.0, 2.0), (3.0, 2.0), (1.0, np.inf)])
def test_quadratic_theory_needs_a_convex_bowl(low, high):
    with pytest.raises(OptimizerError, match="0 < λ_min <= λ_max"):
        quadratic_theory(low, high)


def test_gd_rate():
    assert gd_rate(0.1, 1.0, 10.0) == pytest.approx(0.9)
    assert gd_rate(0.3, 1.0, 10.0) == pytest.approx(2.0)
    np.testing.assert_allclose(gd_rate(np.array([0.1, 0.2, 0.25]), 1.0, 10.0), [0.9, 1.0, 1.5])


def test_measured_gd_loss_ratio_matches_the_predicted_rate():
    surface = rotated_quadratic(1.0, 10.0, 25.0)
    for lr in (0.05, 0.15, 2 / 11):  # 2/11 is the optimum: both directions shrink alike
        t = run(surface, "sgd", (2.0, -1.0), 150, lr=lr)
        ratio = t.loss[150] / t.loss[149]
        assert ratio == pytest.approx(gd_rate(lr, 1.0, 10.0) ** 2, rel=1e-6)


def test_heavy_ball_at_the_optimal_lr_and_momentum_converges_at_the_predicted_rate():
    th = quadratic_theory(1.0, 100.0)
    surface = rotated_quadratic(1.0, 100.0, 40.0)
    t = run(surface, "momentum", (2.0, -1.0), 400, lr=th.momentum_lr_opt, momentum=th.momentum_opt)
    distance = np.linalg.norm(t.path, axis=1)
    measured = (distance[400] / distance[200]) ** (1 / 200)
    # the iteration matrix has a double eigenvalue there, so the error is ~ t·rateᵗ
    assert measured == pytest.approx(th.momentum_rate, rel=0.01)
    assert measured < 0.83 < th.gd_rate  # 9/11 = 0.818 vs (10 − 1)/(10 + 1) = 0.980
    gd = run(surface, "sgd", (2.0, -1.0), 400, lr=th.gd_lr_opt)
    assert t.loss[400] < 1e-20 < gd.loss[400]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lams=st.tuples(st.floats(0.1, 10.0), st.floats(0.1, 10.0)),
    angle=st.floats(0, 180),
    scale=st.floats(0.05, 1.95),
    start_angle=st.floats(0, 2 * math.pi),
)
def test_gd_converges_below_two_over_lambda_max_and_diverges_above(lams, angle, scale, start_angle):
    lam_min, lam_max = sorted(lams)
    surface = rotated_quadratic(lam_min, lam_max, angle)
    start = 2.0 * np.array([math.cos(start_angle), math.sin(start_angle)])
    lr = scale / lam_max
    t = run(surface, "sgd", start, 200, lr=lr)
    # every eigen-component shrinks by |1 − αλ_i| ≤ rate, so the loss by at least rate²
    rate = gd_rate(lr, lam_min, lam_max)
    assert t.diverged_at is None
    assert (np.diff(t.loss) <= 1e-15 * t.loss[0]).all()
    assert t.loss[-1] <= t.loss[0] * rate ** (2 * 200) * (1 + 1e-9) + 1e-300

    # α = 2.2/λ_max: the steepest component grows by 1.2 per step
    top = np.linalg.eigh(surface.A)[1][:, 1]
    assume(abs(start @ top) > 1e-3)
    t = run(surface, "sgd", start, 200, lr=2.2 / lam_max)
    assert t.diverged_at is not None or t.loss[-1] > t.loss[0]


# ---------------------------------------------------------------------------- divergence_reason


def test_divergence_reason_for_sgd_on_a_quadratic():
    t = run(bowl(10), "sgd", (1.0, 1.0), 50, lr=0.5)
    reason = divergence_reason(bowl(10), "sgd", t.hyper, t.diverged_at)
    assert reason.startswith(
        "|1 − αλ_max| = |1 − 0.5·10| = 4 > 1: the step overshoots along the steepest direction"
    )
    assert "step 7" in reason and "α < 2/λ_max = 0.2" in reason


def test_divergence_reason_for_momentum_and_nesterov():
    t = run(bowl(10), "momentum", (1.0, 1.0), 80, lr=0.35, momentum=0.5)
    assert t.diverged_at is not None
    reason = divergence_reason(bowl(10), "momentum", t.hyper, t.diverged_at)
    assert reason.startswith("αλ_max = 0.35·10 = 3.5 ≥ 2(1 + μ) = 3: heavy-ball momentum")
    t = run(bowl(10), "nesterov", (1.0, 1.0), 80, lr=0.2, momentum=0.5)
    assert t.diverged_at is not None
    reason = divergence_reason(bowl(10), "nesterov", t.hyper, t.diverged_at)
    assert reason.startswith("αλ_max = 0.2·10 = 2 ≥ 2(1 + μ)/(1 + 2μ) = 1.5")


def test_divergence_reason_on_a_saddle():
    t = run(Saddle(), "sgd", (1.0, 0.1), 100, lr=0.5)
    assert t.diverged_at is not None
    reason = divergence_reason(Saddle(), "sgd", t.hyper, t.diverged_at)
    assert reason.startswith("λ_min = -1 < 0: the surface curves downward along one direction")


def test_divergence_reason_otherwise_is_generic():
    t = run(Rosenbrock(), "sgd", (-1.5, 2.5), 50, lr=0.01)
    assert t.diverged_at is not None
    reason = divergence_reason(Rosenbrock(), "sgd", t.hyper, t.diverged_at)
    assert reason == (
        f"Stopped at step {t.diverged_at} by the divergence rule: a run stops at an iterate "
        "that is not finite, that lies farther than 1000 × the view's diameter from the view's "
        "centre, or where f is not finite — try a smaller learning rate."
    )
    assert divergence_reason(bowl(10), "adam", {"lr": 5.0}, 12).startswith("Stopped at step 12 ")
    assert divergence_reason(bowl(10), "sgd", {"lr": 0.1}, None) == "The run did not diverge."


# ---------------------------------------------------------------------------- suggest_lr


def test_nice_floor():
    assert [_nice_floor(x) for x in (0.0123, 0.0999, 1.0, 7.0, 2.4e-4)] == [
        0.012,
        0.08,
        1.0,
        6.0,
        2e-4,
    ]


def test_suggested_sgd_and_momentum_rates_are_stable_on_an_ill_conditioned_bowl():
    surface = rotated_quadratic(1.0, 50.0, 30.0)
    start = (-2.5, 1.0)
    lr = suggest_lr("sgd", surface, start)
    assert 1 / 50 * 0.8 <= lr < 2 / 50
    t = run(surface, "sgd", start, 500, lr=lr)
    assert t.loss[-1] < 1e-6 * t.loss[0]
    lr = suggest_lr("momentum", surface, start)
    assert lr < 2 * (1 + 0.9) / 50
    t = run(surface, "momentum", start, 500, lr=lr, momentum=0.9)
    assert t.loss[-1] < 1e-6 * t.loss[0]


@pytest.mark.parametrize(
    "optimizer",
    ["adam", "adamw", "amsgrad", "nadam", "rmsprop", "rmsprop_nesterov", "adagrad", "lion"],
)
def test_suggested_adaptive_rates_make_visible_progress_in_200_steps(optimizer):
    # Rosenbrock from (−1.2, 1): the loss 24.2 falls fast to the valley floor, then slowly
    for surface, start in (
        (Rosenbrock(), (-1.2, 1.0)),
        (rotated_quadratic(1.0, 50.0), (-2.5, 1.0)),
    ):
        lr = suggest_lr(optimizer, surface, start)
        t = run(surface, optimizer, start, 200, lr=lr)
        assert t.diverged_at is None
        assert t.loss[-1] < (0.05 if optimizer == "adam" else 0.2) * t.loss[0], (lr, t.loss[-1])


def test_adam_and_sgd_get_very_different_suggestions():
    surface = Rosenbrock()
    sgd, adam = suggest_lr("sgd", surface, (-1.2, 1.0)), suggest_lr("adam", surface, (-1.2, 1.0))
    assert adam > 50 * sgd


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_suggestions_are_nice_and_inside_the_slider_range(optimizer):
    spec = OPTIMIZERS[optimizer].hyper[0]
    for surface in (Rosenbrock(), rotated_quadratic(1.0, 50.0), rotated_quadratic(1e-3, 1e-3)):
        lr = suggest_lr(optimizer, surface, (0.5, 0.5))
        assert spec.min <= lr <= spec.max and _nice_floor(lr) == lr


def test_unknown_optimizers_are_rejected():
    with pytest.raises(OptimizerError, match="Unknown optimizer 'foo'"):
        suggest_lr("foo", bowl(), (0, 0))
    with pytest.raises(OptimizerError, match="Unknown optimizer 'foo'"):
        divergence_reason(bowl(), "foo", {}, 3)


def test_stable_lr_is_each_entrys_own_edge():
    assert stable_lr("sgd", 10.0) == pytest.approx(0.2)
    assert stable_lr("momentum", 10.0, 0.5) == pytest.approx(0.3)
    assert stable_lr("nesterov_reparam", 10.0, 0.5) == pytest.approx(0.15)
    for optimizer, spec in OPTIMIZERS.items():
        if spec.stability is None:
            assert stable_lr(optimizer, 10.0, 0.5) is None
        else:
            assert stable_lr(optimizer, 10.0, 0.5) == spec.stability.edge(10.0, 0.5)
            mus = np.array([0.0, 0.5, 0.9])
            assert stable_lr(optimizer, 4.0, mus).shape == (3,)


def test_convention_notes_credit_their_sources():
    notes = {k: spec.convention for k, spec in OPTIMIZERS.items()}
    assert "NPTEL" in notes["rmsprop_nesterov"] and "no δ" in notes["rmsprop_nesterov"]
    assert "NPTEL" in notes["adagrad"] and "NPTEL" in notes["adam"]
    assert "1 − β₁ᵗ" in notes["adam"] and "NPTEL" not in notes["momentum"]
    assert "RMSProp with momentum" in notes["adam"]
    assert "optax" in notes["amsgrad"] and "optax" in notes["nadam"]
