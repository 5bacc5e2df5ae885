"""optim_core.grid: the Learning-rate lab's analysis — best cell, theory for the chosen optimizer
(rates, optima, overlay), predicted curves, the time budget and the rotated bowl."""

import numpy as np
import pytest

from optim_core import OPTIMIZERS, quadratic_theory, run, stable_lr
from optim_core.grid import (
    Cell,
    best_cell,
    grid_sweep,
    linear_rate,
    optimum,
    predicted_curves,
    rotation_comparison,
    surface_theory,
    theory_overlay,
)
from optim_core.sweep import Sweep
from surfaces import get_surface
from webapp.budget import grid_budget

BOWL_37 = get_surface("bowl", kappa=37, angle=30)


def _sweep(steps_to_tol, final_gap, seconds=(0.0, 0.5)) -> Sweep:
    steps_to_tol = np.asarray(steps_to_tol, dtype=float)
    return Sweep(
        optimizer="momentum",
        lrs=np.array([0.01, 0.1, 1.0]),
        seconds=None if seconds is None else np.asarray(seconds),
        final_gap=np.asarray(final_gap, dtype=float),
        steps_to_tol=steps_to_tol,
        diverged_at=np.where(np.isnan(np.asarray(final_gap, dtype=float)), 3, -1),
        f_ref=0.0,
    )


def test_best_cell_prefers_fewest_steps_then_lowest_loss_then_the_smallest_rate():
    nan = np.nan
    by_steps = _sweep([[40, 12, nan], [30, 25, nan]], [[1e-9, 1e-3, nan], [1e-12, 1e-8, nan]])
    assert best_cell(by_steps) == Cell(0.1, 0.0)
    by_loss = _sweep([[nan] * 3] * 2, [[1e-2, 1e-5, nan], [1e-3, nan, nan]])
    assert best_cell(by_loss) == Cell(0.1, 0.0)
    nothing = _sweep([[nan] * 3] * 2, [[nan] * 3] * 2)
    assert best_cell(nothing) == Cell(0.01, 0.0)
    line = _sweep([nan, 7, 9], [1e-3, 1e-9, 1e-12], seconds=None)
    assert best_cell(line) == Cell(0.1, None)


@pytest.mark.parametrize("kappa", [4.0, 37.0, 300.0])
def test_linear_rate_agrees_with_the_closed_forms_and_the_entries_stability_edges(kappa):
    th = quadratic_theory(1.0, kappa)
    lrs = np.geomspace(1e-3, 3.0, 50)
    np.testing.assert_allclose(linear_rate("sgd", lrs, 0.0, 1.0, kappa), np.maximum(
        np.abs(1 - lrs), np.abs(1 - lrs * kappa)))  # fmt: skip
    best = optimum("momentum", th)
    assert linear_rate("momentum", best.lr, best.second, 1.0, kappa) == pytest.approx(
        th.momentum_rate, rel=1e-6
    )
    for opt in ("sgd", "momentum", "nesterov", "nesterov_reparam"):
        for mu in (0.0, 0.4, 0.9):
            edge = stable_lr(opt, kappa, mu)
            assert linear_rate(opt, 0.99 * edge, mu, 1.0, kappa) < 1.0
            assert linear_rate(opt, 1.01 * edge, mu, 1.0, kappa) > 1.0
    assert linear_rate("adam", 0.1, 0.9, 1.0, kappa) is None


@pytest.mark.parametrize("kappa", [5.0, 37.0, 200.0])
@pytest.mark.parametrize("opt", ["momentum", "nesterov"])
def test_each_optimum_is_the_lowest_rate_on_a_fine_grid(opt, kappa):
    best = optimum(opt, quadratic_theory(1.0, kappa))
    lrs, mus = np.meshgrid(np.geomspace(best.lr / 3, best.lr * 3, 301), np.linspace(0, 0.99, 301))
    rates = linear_rate(opt, lrs, mus, 1.0, kappa)
    assert best.rate <= rates.min() + 1e-12
    assert linear_rate(opt, best.lr, best.second, 1.0, kappa) == pytest.approx(best.rate, rel=1e-6)


def test_nesterov_gets_its_own_optimum_where_the_heavy_ball_one_diverges():
    th = surface_theory(BOWL_37)
    assert th.kappa == pytest.approx(37)
    heavy, nesterov = optimum("momentum", th), optimum("nesterov", th)
    wrong = run(BOWL_37, "nesterov", start=BOWL_37.start, steps=60, lr=heavy.lr,
                momentum=heavy.second)  # fmt: skip
    assert wrong.diverged_at is not None  # the old star: Nesterov diverges there
    right = run(BOWL_37, "nesterov", start=BOWL_37.start, steps=200, lr=nesterov.lr,
                momentum=nesterov.second)  # fmt: skip
    assert right.diverged_at is None
    gap = right.loss[100:160]
    measured = (gap[-1] / gap[0]) ** (1 / (len(gap) - 1))  # per-step loss ratio, late in the run
    assert measured == pytest.approx(nesterov.rate**2, rel=0.05)
    overlay = theory_overlay("nesterov", th, np.linspace(0, 0.99, 5))
    assert overlay.optimum == nesterov
    np.testing.assert_allclose(
        overlay.edge, stable_lr("nesterov", th.lam_max, np.linspace(0, 0.99, 5))
    )


def test_overlay_only_where_theory_holds():
    th = surface_theory(BOWL_37)
    assert theory_overlay("adam", th, np.linspace(0, 0.99, 4)) is None
    sgd = theory_overlay("sgd", th, None)
    assert sgd.edge is None and sgd.optimum.lr == pytest.approx(th.gd_lr_opt)
    assert sgd.gd_edge == pytest.approx(2 / th.lam_max)
    assert surface_theory(get_surface("rosenbrock")) is None
    assert theory_overlay("momentum", None, np.linspace(0, 0.99, 4)) is None
    assert surface_theory(get_surface("saddle")) is None  # a quadratic without a minimum


def test_predicted_curves_pair_each_measured_run_with_its_rate():
    th = surface_theory(BOWL_37)
    curves = predicted_curves(BOWL_37, BOWL_37.start, th, 120, 0.0, ("sgd", "momentum"))
    assert [c.predicted for c in curves] == [False, True, False, True]
    gd = run(BOWL_37, "sgd", start=BOWL_37.start, steps=120, lr=th.gd_lr_opt)
    np.testing.assert_allclose(curves[0].gap, gd.loss)
    t = np.arange(121)
    np.testing.assert_allclose(curves[1].gap, gd.loss[0] * th.gd_rate ** (2 * t))
    # the measured loss falls at least as fast as predicted (the rate is the worst direction)
    assert curves[0].gap[-1] <= curves[1].gap[-1] * (1 + 1e-9)
    assert OPTIMIZERS["sgd"].name in curves[0].name


def test_grid_budget_refuses_what_would_take_too_long_with_a_clear_message():
    fits = grid_budget(get_surface("bowl"), "momentum", (1.0, 1.0), 64 * 64, 500)
    assert fits.ok and fits.estimate > 0
    refused = grid_budget(get_surface("bowl"), "newton", (1.0, 1.0), 64 * 64, 500, limit=0.0)
    assert not refused.ok
    assert "4096 runs × 500 steps" in refused.message and "budget of 0 s" in refused.message


def test_grid_sweep_spans_the_range_and_the_second_hyperparameter():
    result = grid_sweep(BOWL_37, "momentum", BOWL_37.start, (1e-3, 1e-1), 5, 30, 1e-4)
    np.testing.assert_allclose(result.lrs, np.geomspace(1e-3, 1e-1, 5))
    assert result.final_gap.shape == (5, 5) and result.seconds[-1] == pytest.approx(0.99)
    single = grid_sweep(BOWL_37, "sgd", BOWL_37.start, (1e-3, 1e-1), 4, 30, 1e-4)
    assert single.seconds is None and single.final_gap.shape == (4,)


def test_rotation_leaves_gradient_descent_alone_and_slows_adagrad():
    comparison = rotation_comparison(20.0, 1e-4, angles=(0.0, 45.0), optimizers=("sgd", "adagrad"))
    sgd, adagrad = comparison.steps
    assert sgd[0] == sgd[1]
    assert adagrad[0] < adagrad[1]
    assert comparison.optimizers == ("sgd", "adagrad") and comparison.max_steps == 300
