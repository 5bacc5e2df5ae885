"""The Learning-rate lab's learning rate × batch size grid: the sizes, the exact row, the noise
floor that grows with α and shrinks with m, and the settings that carry the axis in the URL."""

import numpy as np
import pytest

from optim_core import run_batch
from optim_core.grid import (
    Cell,
    batch_sizes,
    batch_sweep,
    best_cell,
    surface_theory,
    tail_length,
    theory_overlay,
)
from surfaces import get_surface
from webapp.settings import SCHEMA, LabSettings, View, parse_query

SCALED = get_surface("regression", standardized=1)
STEPS = 200


def _ranks(values: np.ndarray) -> np.ndarray:
    return np.argsort(np.argsort(values)).astype(float)


def _spearman(a, b) -> float:
    return float(np.corrcoef(_ranks(np.asarray(a)), _ranks(np.asarray(b)))[0, 1])


def test_batch_sizes_are_powers_of_two_below_n_and_n():
    assert batch_sizes(40) == (1, 2, 4, 8, 16, 32, 40)
    assert batch_sizes(32) == (1, 2, 4, 8, 16, 32)
    assert batch_sizes(1) == (1,)


def test_the_full_shuffled_batch_row_is_the_exact_gradients_run():
    lrs = np.geomspace(0.01, 1.0, 6)
    grid = batch_sweep(SCALED, "sgd", SCALED.start, (0.01, 1.0), 6, STEPS, 1e-6)
    assert tuple(grid.seconds) == batch_sizes(SCALED.n_examples)
    exact = run_batch(SCALED, "sgd", SCALED.start, STEPS, lr=lrs)
    gap = np.maximum(exact.loss - grid.f_ref, 0.0)[-tail_length(STEPS) :].mean(axis=0)
    expected = np.where(exact.diverged_at >= 0, np.nan, gap)  # the mean of m = N rounds apart
    assert np.allclose(grid.final_gap[-1], expected, rtol=1e-6, atol=1e-12, equal_nan=True)


@pytest.mark.parametrize("sampling", ["shuffle", "replacement"])
def test_the_noise_floor_grows_with_alpha_and_shrinks_with_m(sampling):
    """In the noisy regime (the cells whose smallest batch ends far above the exact row), the
    final loss rises with α at m = 1 and falls as m grows at every α there."""
    grid = batch_sweep(
        SCALED, "sgd", SCALED.start, (0.003, 3.0), 12, STEPS, 1e-6, sampling=sampling
    )
    gap = grid.final_gap
    exact = gap[-1] if sampling == "shuffle" else np.zeros_like(gap[-1])
    stable = np.isfinite(gap).all(axis=0)
    noisy = stable & (gap[0] > 10 * np.maximum(exact, 1e-300))
    # noise dominates once the exact runs have converged: from the first α where m = N is low
    noisy &= np.arange(gap.shape[1]) >= np.argmax(gap[-1] < 1e-3 * gap[-1][0])
    assert noisy.sum() >= 3, "the grid must reach the noisy regime"
    assert _spearman(grid.lrs[noisy], gap[0, noisy]) > 0.9
    sizes = grid.seconds[:-1] if sampling == "shuffle" else grid.seconds
    for j in np.flatnonzero(noisy):
        assert _spearman(sizes, gap[: len(sizes), j]) < -0.75  # a trend: floors are noisy


def test_best_cell_of_a_batch_grid_names_its_m_and_the_overlay_keeps_only_the_gd_edge():
    grid = batch_sweep(SCALED, "momentum", SCALED.start, (0.01, 1.0), 5, 50, 1e-6)
    assert best_cell(grid).second in batch_sizes(SCALED.n_examples)
    overlay = theory_overlay("momentum", surface_theory(SCALED), grid.seconds, batch_axis=True)
    assert overlay.edge is None and overlay.optimum is None
    assert overlay.gd_edge == pytest.approx(2 / SCALED.quadratic_eigenvalues[1])


def test_lab_settings_carry_the_batch_axis_through_the_url():
    lab = LabSettings(
        view=View(surface_id="regression"),
        optimizer="sgd",
        axis="batch",
        pick_m=8,
        pick_lr=0.01,
        sampling="replacement",
        seed=3,
        lr_min=0.001,
        lr_max=1.0,
    )
    query = lab.query()
    assert query["lab_axis"] == "batch" and query["lab_pick_m"] == "8"
    values, notices = parse_query(query, SCHEMA)
    assert not notices
    again = LabSettings.read(values)
    assert (again.axis, again.pick_m, again.sampling, again.seed) == ("batch", 8, "replacement", 3)
    assert again.second_label == "batch size m"
    assert again.picked(Cell(0.5, 40.0), 40) == Cell(0.01, 8.0)
    assert again.run_at(8.0).minibatch() == {"batch_size": 8, "sampling": "replacement"}
    assert again.cell_label(0.01, 8.0) == "α = 0.01, m = 8"


def test_on_the_batch_axis_momentum_keeps_its_own_mu_as_a_fixed_hyperparameter():
    values, _ = parse_query(
        {"lab_opt": "momentum", "lab_axis": "batch", "momentum_momentum": "0.5"}, SCHEMA
    )
    lab = LabSettings.read(values)
    assert lab.hyper_at(0.1, 8.0) == {"lr": 0.1, "momentum": 0.5}
    assert (
        LabSettings.read(parse_query({"lab_opt": "momentum"}, SCHEMA)[0]).hyper_at(0.1, 0.3)[
            "momentum"
        ]
        == 0.3
    )
