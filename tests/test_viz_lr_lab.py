"""Learning-rate lab figures: heat map shape, diverged cells, click grid, theory marks."""

import numpy as np
import pytest

from optim_core import quadratic_theory, run, run_batch
from optim_core.grid import (
    Cell,
    Curve,
    RotationComparison,
    grid_sweep,
    optimum,
    theory_overlay,
)
from surfaces import get_surface
from viz import loss_curves_figure, outcome_figure, rotation_figure, trajectory_figure
from viz.outcome import DIVERGED_COLOR, NOT_REACHED_COLOR, outcome_heatmap, outcome_line

KAPPA = 10.0


@pytest.fixture(scope="module")
def bowl():
    return get_surface("bowl", kappa=KAPPA, angle=30)


@pytest.fixture(scope="module")
def momentum_grid(bowl):
    """A real 6 × 5 sweep of heavy-ball momentum on the bowl (rows μ, columns α)."""
    lrs = np.geomspace(0.01, 1.0, 5)
    mus = np.linspace(0.0, 0.9, 6)
    lr, mu = np.meshgrid(lrs, mus)
    batch = run_batch(bowl, "momentum", bowl.start, 60, lr=lr.ravel(), momentum=mu.ravel())
    final = np.where(batch.diverged_at >= 0, np.nan, batch.loss[-1]).reshape(6, 5)
    return lrs, mus, final, batch.diverged_at.reshape(6, 5)


def _trace(fig, name):
    found = [t for t in fig.data if t.name == name]
    assert len(found) == 1, [t.name for t in fig.data]
    return found[0]


def test_heatmap_has_one_cell_per_run_and_marks_diverged_cells(momentum_grid):
    lrs, mus, final, diverged_at = momentum_grid
    assert (diverged_at >= 0).any() and (diverged_at < 0).any()  # the sweep spans both
    fig = outcome_heatmap(lrs, mus, final, diverged_at, metric="loss", second_label="μ", steps=60)
    heat = fig.data[0]
    z = np.asarray(heat.z, dtype=float)
    assert z.shape == (6, 5)
    ok = diverged_at < 0
    np.testing.assert_allclose(z[ok], np.log10(np.maximum(final[ok], 1e-16)))
    assert np.isnan(z[~ok]).all()
    red = _trace(fig, "diverged")
    assert red.colorscale[0][1] == DIVERGED_COLOR
    np.testing.assert_array_equal(np.isfinite(np.asarray(red.z, dtype=float)), ~ok)
    i, j = np.argwhere(~ok)[0]
    pick = _trace(fig, "pick")  # the click grid carries every cell's hover text, row by row
    assert f"diverged at step {diverged_at[i, j]}" in pick.text[i * 5 + j]
    assert fig.layout.xaxis.type == "log"


def test_heatmap_click_grid_has_a_point_per_cell(momentum_grid):
    lrs, mus, final, diverged_at = momentum_grid
    fig = outcome_heatmap(lrs, mus, final, diverged_at, steps=60)
    pick = _trace(fig, "pick")
    assert len(pick.x) == 30
    assert set(np.round(pick.x, 12)) == set(np.round(lrs, 12))
    assert set(np.round(pick.y, 12)) == set(np.round(mus, 12))
    assert pick.marker.opacity == 0.0


def test_steps_metric_marks_cells_that_never_reach_tolerance():
    lrs = np.array([0.1, 1.0])
    seconds = np.array([0.0, 0.5])
    steps = np.array([[np.nan, 12.0], [30.0, np.nan]])
    diverged = np.array([[-1, -1], [-1, 7]])
    fig = outcome_heatmap(lrs, seconds, steps, diverged, metric="steps", steps=100)
    z = np.asarray(fig.data[0].z, dtype=float)
    assert z[0, 1] == 12.0 and z[1, 0] == 30.0
    grey = _trace(fig, "not reached")
    assert grey.colorscale[0][1] == NOT_REACHED_COLOR
    mask = np.isfinite(np.asarray(grey.z, dtype=float))
    np.testing.assert_array_equal(mask, [[True, False], [False, False]])
    text = _trace(fig, "pick").text
    assert "not within tolerance in 100 steps" in text[0]
    assert "settled at step 12 (within tolerance from there on)" in text[1]
    assert "diverged at step 7" in text[3]


def test_theory_marks_sit_at_the_right_learning_rates(bowl, momentum_grid):
    lrs, mus, final, diverged_at = momentum_grid
    theory = quadratic_theory(*bowl.quadratic_eigenvalues)
    edge = 2 * (1 + mus) / theory.lam_max
    overlay = theory_overlay("momentum", theory, mus)
    fig = outcome_heatmap(lrs, mus, final, diverged_at, overlay=overlay, pick=(lrs[2], mus[3]))
    line = _trace(fig, "α = 2/λ_max (GD stable below)")
    np.testing.assert_allclose(line.x, [2 / KAPPA, 2 / KAPPA])
    star = next(t for t in fig.data if (t.name or "").startswith("optimal α"))
    np.testing.assert_allclose(
        [star.x[0], star.y[0]], [theory.momentum_lr_opt, theory.momentum_opt]
    )
    np.testing.assert_allclose(_trace(fig, "edge of stability").x, edge)
    picked = _trace(fig, "picked run")
    assert (picked.x[0], picked.y[0]) == (lrs[2], mus[3])
    # The simulation agrees with the edge: runs well right of it diverged, well left did not.
    lr_grid = np.broadcast_to(lrs, final.shape)
    edge_grid = np.broadcast_to(edge[:, None], final.shape)
    assert (diverged_at[lr_grid > 1.3 * edge_grid] >= 0).all()
    assert (diverged_at[lr_grid < 0.7 * edge_grid] < 0).all()


def test_line_chart_for_sgd_shades_the_stable_band(bowl):
    theory = quadratic_theory(*bowl.quadratic_eigenvalues)
    lrs = np.geomspace(0.01, 1.0, 9)
    batch = run_batch(bowl, "sgd", bowl.start, 80, lr=lrs)
    final = np.where(batch.diverged_at >= 0, np.nan, batch.loss[-1])
    fig = outcome_line(
        lrs, final, batch.diverged_at, steps=80, overlay=theory_overlay("sgd", theory, None),
        pick=lrs[3],
    )  # fmt: skip
    band = fig.layout.shapes[0]
    assert band.x0 == lrs[0] and band.x1 == pytest.approx(2 / KAPPA)
    assert any(
        s.type == "line" and s.x0 == pytest.approx(theory.gd_lr_opt) for s in fig.layout.shapes
    )
    crosses = _trace(fig, "diverged")
    np.testing.assert_allclose(crosses.x, lrs[batch.diverged_at >= 0])
    assert (lrs[batch.diverged_at >= 0] > 2 / KAPPA).all()  # only beyond the band
    assert len(_trace(fig, "pick").x) == 9
    assert fig.layout.yaxis.type == "log"


def test_trajectory_figure_stops_at_divergence(bowl):
    t = run(bowl, "sgd", start=bowl.start, steps=40, lr=0.5)
    assert t.diverged_at is not None
    fig = trajectory_figure(bowl, t.path, optimizer="sgd", label="α=0.5", diverged_at=t.diverged_at)
    path = _trace(fig, "α=0.5")
    assert len(path.x) == t.diverged_at
    assert _trace(fig, "diverged").marker.color == DIVERGED_COLOR


def test_loss_curves_use_a_log_axis_and_dashes_for_predictions():
    fig = loss_curves_figure(
        [
            Curve("measured", np.array([1.0, 0.1, 0.0]), "sgd"),
            Curve("predicted", 0.5 ** np.arange(3), "sgd", predicted=True),
            Curve("diverged", np.array([1.0, 3.0, 9.0, np.inf]), "adam", diverged_at=2),
        ]
    )
    assert fig.layout.yaxis.type == "log"
    measured = _trace(fig, "measured")
    assert measured.y[-1] == pytest.approx(1e-16)  # zero drawn at the floor, not lost
    assert _trace(fig, "predicted").line.dash == "dash"
    assert _trace(fig, "measured").line.dash == "solid"
    assert _trace(fig, "diverged").y.tolist() == [1.0, 3.0]  # cut where the run stopped


def test_rotation_figure_one_line_per_optimizer():
    angles = np.array([0.0, 45.0, 90.0])
    comparison = RotationComparison(
        kappa=20.0,
        angles=tuple(angles),
        optimizers=("sgd", "adam"),
        steps=(np.array([50.0, 50.0, 50.0]), np.array([10.0, np.nan, 10.0])),
        max_steps=200,
        n_lrs=4,
        tol=1e-4,
    )
    fig = rotation_figure(comparison)
    assert _trace(fig, "sgd").y.tolist() == [50.0, 50.0, 50.0]
    missing = _trace(fig, "adam: not within tolerance in 200 steps")
    assert missing.x.tolist() == [45.0] and missing.y.tolist() == [200]


def test_outcome_figure_draws_only_the_chosen_optimizers_theory(bowl):
    theory = quadratic_theory(*bowl.quadratic_eigenvalues)
    result = grid_sweep(bowl, "nesterov", bowl.start, (0.01, 1.0), 5, 40, 1e-4)
    overlay = theory_overlay("nesterov", theory, result.seconds)
    fig = outcome_figure(
        result, metric="loss", steps=40, second_label="μ", overlay=overlay, pick=Cell(0.1, 0.5)
    )
    star = next(t for t in fig.data if (t.name or "").startswith("optimal α"))
    best = optimum("nesterov", theory)
    np.testing.assert_allclose([star.x[0], star.y[0]], [best.lr, best.second])
    heavy = optimum("momentum", theory)
    assert not np.isclose(star.x[0], heavy.lr)  # not the heavy-ball optimum
    np.testing.assert_allclose(
        _trace(fig, "edge of stability").x,
        2 * (1 + result.seconds) / ((1 + 2 * result.seconds) * theory.lam_max),
    )
    picked = _trace(fig, "picked run")
    assert (picked.x[0], picked.y[0]) == (0.1, 0.5)
    adam = grid_sweep(bowl, "adam", bowl.start, (0.01, 1.0), 4, 20, 1e-4)
    plain = outcome_figure(adam, metric="steps", steps=20, second_label="β₁", overlay=None)
    names = [t.name or "" for t in plain.data]
    assert not any(n.startswith(("optimal", "α = 2/λ_max", "edge")) for n in names)
    line = outcome_figure(
        grid_sweep(bowl, "sgd", bowl.start, (0.01, 1.0), 6, 40, 1e-4),
        metric="loss",
        steps=40,
        overlay=theory_overlay("sgd", theory, None),
        pick=Cell(0.05),
    )
    assert all(t.type == "scatter" for t in line.data) and len(_trace(line, "pick").x) == 6
    assert any(s.type == "line" and s.x0 == 0.05 for s in line.layout.shapes)


def test_a_theory_optimum_outside_the_range_says_so(bowl):
    theory = quadratic_theory(*bowl.quadratic_eigenvalues)
    result = grid_sweep(bowl, "momentum", bowl.start, (1e-4, 1e-3), 4, 20, 1e-4)
    fig = outcome_figure(
        result,
        metric="loss",
        steps=20,
        second_label="μ",
        overlay=theory_overlay("momentum", theory, result.seconds),
    )
    star = next(t for t in fig.data if (t.name or "").startswith("optimal α"))
    assert star.name.endswith("(outside this range)")
