"""optim_core.landscape: the plane of the iterates (PCA) and the filter-normalized random slice."""

from __future__ import annotations

import numpy as np
import pytest

from optim_core import run
from optim_core.landscape import (
    filter_normalized,
    loss_over_plane,
    pca_plane,
    plane_extent,
    random_slice,
)
from surfaces.network import get_network


@pytest.fixture(scope="module")
def net():
    return get_network("moons", hidden=(8,), seed=0)


@pytest.fixture(scope="module")
def runs(net):
    theta0 = net.init(0)
    return [
        run(net, "sgd", start=theta0, steps=120, lr=1.0).path,
        run(net, "adam", start=theta0, steps=120, lr=0.02).path,
    ]


def _affine_paths(seed: int, dim: int = 12) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Paths that lie in the affine plane c + span(u, v) of ℝ^dim, and c, (u, v)."""
    rng = np.random.default_rng(seed)
    c = rng.standard_normal(dim)
    basis = np.linalg.qr(rng.standard_normal((dim, 2)))[0].T
    paths = []
    for _ in range(3):
        ab = np.cumsum(rng.standard_normal((40, 2)), axis=0)
        paths.append(c + ab @ basis)
    return paths, c, basis


def test_axes_are_orthonormal_and_shares_sum_to_at_most_one(runs):
    plane = pca_plane(runs)
    np.testing.assert_allclose(plane.axes @ plane.axes.T, np.eye(2), atol=1e-12)
    assert np.all(plane.explained >= 0) and plane.explained.sum() <= 1 + 1e-12
    assert plane.explained[0] >= plane.explained[1]
    # the default centre is the first path's end point, at (0, 0) and on the plane
    np.testing.assert_array_equal(plane.origin, runs[0][-1])
    np.testing.assert_allclose(plane.coords[0][-1], 0.0, atol=1e-12)
    assert plane.off_plane[0][-1] == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_paths_in_a_two_dimensional_affine_subspace_are_reproduced_exactly(seed):
    paths, _, basis = _affine_paths(seed)
    plane = pca_plane(paths, centre=paths[1][-1])
    for path, ab, off in zip(paths, plane.coords, plane.off_plane, strict=True):
        np.testing.assert_allclose(plane.point(ab[:, 0], ab[:, 1]), path, atol=1e-9)
        assert np.max(off) < 1e-9
    assert plane.explained.sum() == pytest.approx(1.0)
    # the plane is the paths' own: u and v span the same subspace as the basis
    np.testing.assert_allclose(np.linalg.svd(plane.axes @ basis.T)[1], [1.0, 1.0], atol=1e-9)


def test_a_path_off_the_plane_says_by_how_much():
    paths, _, basis = _affine_paths(0)
    normal = np.zeros(basis.shape[1])
    normal[0] = 1.0
    normal -= basis.T @ (basis @ normal)
    normal /= np.linalg.norm(normal)
    bent = paths[0].copy()
    bent[10] += 0.01 * normal  # a small step out of the plane, smaller than any in it
    plane = pca_plane([bent, *paths[1:]], centre=paths[1][-1])
    assert plane.off_plane[0][10] == pytest.approx(0.01, rel=0.05)
    assert plane.explained.sum() < 1.0


def test_signs_are_fixed_so_the_same_runs_give_the_same_picture(runs):
    first, second = pca_plane(runs), pca_plane([r.copy() for r in runs])
    np.testing.assert_allclose(first.axes, second.axes)
    assert np.all(first.coords[0][0] >= 0)


def test_degenerate_runs_still_get_two_orthonormal_axes():
    line = np.outer(np.arange(5.0), np.ones(4))  # every iterate on one line
    plane = pca_plane([line])
    np.testing.assert_allclose(plane.axes @ plane.axes.T, np.eye(2), atol=1e-12)
    assert plane.explained[0] == pytest.approx(1.0) and plane.explained[1] == 0.0
    still = pca_plane([np.ones((3, 4))])  # no step at all
    np.testing.assert_allclose(still.axes @ still.axes.T, np.eye(2), atol=1e-12)
    np.testing.assert_array_equal(still.explained, [0.0, 0.0])


def test_only_the_paths_named_are_fitted_and_every_path_is_projected(runs):
    far = runs[1] + 100.0 * np.linspace(0, 1, len(runs[1]))[:, None]  # a run that flew off
    plane = pca_plane([runs[0], far], fit=[0])
    np.testing.assert_allclose(plane.axes, pca_plane([runs[0]]).axes)
    d = far - plane.origin
    np.testing.assert_allclose(plane.coords[1], d @ plane.axes.T)
    assert plane.off_plane[1][-1] > 100


def test_iterates_that_are_not_finite_are_left_out_and_get_nan(runs):
    broken = runs[1].copy()
    broken[50:] = np.nan
    plane = pca_plane([runs[0], broken])
    assert np.isnan(plane.coords[1][50:]).all() and np.isfinite(plane.coords[1][:50]).all()
    assert np.isnan(plane.off_plane[1][60])
    assert np.isfinite(plane.reach())


def test_the_grid_at_the_origin_is_the_loss_at_the_centre(net, runs):
    plane = pca_plane(runs)
    extent = ((-1.0, 1.0), (-2.0, 2.0))
    grid = loss_over_plane(net, plane, n=21, extent=extent)
    assert grid.loss.shape == (21, 21)
    assert grid.a[10] == 0.0 and grid.b[10] == 0.0
    assert grid.loss[10, 10] == pytest.approx(float(net.f(plane.origin)), rel=1e-12)
    # rows index b: the corner (a_max, b_min) is row 0, last column
    corner = plane.point(1.0, -2.0)
    assert grid.loss[0, -1] == pytest.approx(float(net.f(corner)), rel=1e-12)


def test_the_default_extent_holds_every_iterate_and_is_square(runs):
    plane = pca_plane(runs)
    (a0, a1), (b0, b1) = plane_extent(plane)
    assert a1 - a0 == pytest.approx(b1 - b0)
    for ab in plane.coords:
        assert np.all((a0 < ab[:, 0]) & (ab[:, 0] < a1) & (b0 < ab[:, 1]) & (ab[:, 1] < b1))


def test_filter_normalization_gives_each_neuron_its_own_weights_norm(net, runs):
    theta = runs[1][-1]
    d = filter_normalized(net, theta, np.random.default_rng(3))
    groups = net.neuron_groups()
    assert sorted(np.concatenate(groups).tolist()) == list(range(net.dim))  # every parameter
    for g in groups:
        assert np.linalg.norm(d[g]) == pytest.approx(np.linalg.norm(theta[g]), rel=1e-12)


def test_a_neuron_of_zero_weights_gets_a_zero_direction(net):
    theta = net.init(0)
    first = net.neuron_groups()[0]
    theta[first] = 0.0
    d = filter_normalized(net, theta, np.random.default_rng(0))
    assert np.all(d[first] == 0.0) and np.all(np.isfinite(d))


def test_the_random_slice_is_seeded_and_centred_on_theta(net, runs):
    theta = runs[0][-1]
    one, again = random_slice(net, theta, seed=7, n=11), random_slice(net, theta, seed=7, n=11)
    other = random_slice(net, theta, seed=8, n=11)
    np.testing.assert_array_equal(one.directions, again.directions)
    np.testing.assert_array_equal(one.grid.loss, again.grid.loss)
    assert not np.allclose(one.directions, other.directions)
    assert one.grid.loss[5, 5] == pytest.approx(float(net.f(theta)), rel=1e-12)
    corner = theta - one.directions[0] + one.directions[1]  # a = −1 (column 0), b = +1 (last row)
    assert one.grid.loss[-1, 0] == pytest.approx(float(net.f(corner)), rel=1e-12)
    # a trained net's end point is a low point of its slice
    assert one.grid.loss[5, 5] <= np.percentile(one.grid.loss, 10)
