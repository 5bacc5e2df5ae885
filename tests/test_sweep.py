"""optim_core.sweep and theory.stable_lr: a grid of runs summarized cell by cell, and the
stability edge of GD, heavy ball and Nesterov checked against simulation."""

import numpy as np
import pytest

from optim_core import reference_loss, run, second_values, stable_lr, steps_to_tolerance, sweep
from surfaces import get_surface, parse_surface

BOWL = get_surface("bowl", kappa=10, angle=30)


def test_steps_to_tolerance_counts_from_where_the_gap_stays_below():
    gap = np.array(
        [
            [1.0, 1.0, 1.0, 1.0],
            [0.5, 1e-7, 0.5, 0.5],
            [1e-7, 1.0, 0.4, 0.5],
            [1e-8, 1e-8, 0.3, 0.5],
        ]
    )
    got = steps_to_tolerance(gap, np.array([-1, -1, -1, 2]), tol=1e-6)
    # settles at 2; passes through at 1 but only stays from 3; never; diverged
    np.testing.assert_array_equal(got[:2], [2.0, 3.0])
    assert np.isnan(got[2]) and np.isnan(got[3])


def test_reference_loss_of_a_quadratic_without_listed_minima_is_its_minimum():
    s = parse_surface("(x-1)^2 + 2(y+2)^2 + x y + 3")
    assert not s.minima
    h = np.array([[2.0, 1.0], [1.0, 4.0]])
    minimizer = np.linalg.solve(h, [2.0, -8.0])
    assert reference_loss(s, np.array([50.0])) == pytest.approx(float(s.f(minimizer)))
    assert reference_loss(BOWL, np.array([[7.0], [np.nan]])) == pytest.approx(0.0, abs=1e-12)


def test_every_cell_of_a_sweep_is_the_single_run_with_its_hyperparameters():
    lrs = np.array([0.01, 0.05, 0.3])
    mus = second_values("momentum", 4)
    np.testing.assert_allclose(mus, np.linspace(mus[0], mus[-1], 4))
    result = sweep(BOWL, "momentum", BOWL.start, lrs, seconds=mus, steps=60, tol=1e-4)
    assert result.final_gap.shape == result.diverged_at.shape == (4, 3)
    for i, mu in enumerate(mus):
        for j, lr in enumerate(lrs):
            t = run(BOWL, "momentum", start=BOWL.start, steps=60, lr=lr, momentum=mu)
            if t.diverged_at is None:
                assert result.diverged_at[i, j] == -1
                assert result.final_gap[i, j] == pytest.approx(t.loss[-1], rel=1e-9, abs=1e-12)
            else:
                assert result.diverged_at[i, j] == t.diverged_at
                assert np.isnan(result.final_gap[i, j])


def test_a_sweep_of_an_optimizer_without_a_second_hyperparameter_is_one_dimensional():
    assert second_values("sgd", 5) is None
    result = sweep(BOWL, "sgd", BOWL.start, [0.01, 0.1, 0.25], steps=80)
    assert result.seconds is None and result.final_gap.shape == (3,)
    assert result.diverged_at[-1] >= 0  # 0.25 > 2/λ_max = 0.2
    assert np.isfinite(result.steps_to_tol[1])


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "nesterov", "nesterov_reparam"])
@pytest.mark.parametrize("mu", [0.0, 0.5, 0.9])
def test_stable_lr_is_the_edge_between_converging_and_diverging(optimizer, mu):
    lam_max = BOWL.quadratic_eigenvalues[1]
    edge = stable_lr(optimizer, lam_max, mu)
    hyper = {} if optimizer == "sgd" else {"momentum": mu}
    below = run(BOWL, optimizer, start=BOWL.start, steps=3000, lr=0.97 * edge, **hyper)
    above = run(BOWL, optimizer, start=BOWL.start, steps=3000, lr=1.03 * edge, **hyper)
    assert below.diverged_at is None and below.loss[-1] < below.loss[0]
    assert above.diverged_at is not None


def test_stable_lr_knows_no_edge_for_adaptive_methods():
    assert stable_lr("adam", 10.0) is None
    np.testing.assert_allclose(stable_lr("momentum", 4.0, np.array([0.0, 1.0])), [0.5, 1.0])
