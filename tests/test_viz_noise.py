"""The noise figures: the ellipses are the predicted covariance's k-σ sets, the cloud and the
full gradient are drawn as computed, zero spreads stay off the log axes, and presenting enlarges."""

import numpy as np
import pytest

from optim_core.noise import SIGMAS, gradient_noise, noise_scaling
from surfaces import get_surface
from viz import color_for, noise_figure, scaling_figure
from viz.noise import ellipse

SURFACE = get_surface("logistic")


def _trace(fig, prefix: str):
    (found,) = [t for t in fig.data if t.name.startswith(prefix)]
    return found


@pytest.mark.parametrize("k", [1.0, 2.0])
def test_ellipse_points_lie_on_the_k_sigma_level_set(k):
    cov = np.array([[4.0, 1.2], [1.2, 0.9]])
    centre = np.array([0.5, -2.0])
    d = ellipse(centre, cov, k) - centre
    assert np.allclose(np.einsum("ij,jk,ik->i", d, np.linalg.inv(cov), d), k * k)


def test_noise_figure_draws_the_cloud_the_full_gradient_and_both_ellipses():
    noise = gradient_noise(SURFACE, SURFACE.start, 4, "replacement", samples=100)
    fig = noise_figure(noise)
    cloud = _trace(fig, "mini-batch gradients")
    assert np.allclose(np.column_stack([cloud.x, cloud.y]), noise.samples)
    assert cloud.marker.color == color_for("sgd")
    full = _trace(fig, "full gradient")
    assert (full.x[0], full.y[0]) == tuple(noise.full_grad)
    assert len([t for t in fig.data if "ellipse" in t.name]) == len(SIGMAS)


def test_a_full_shuffled_batch_has_no_ellipse():
    noise = gradient_noise(SURFACE, SURFACE.start, SURFACE.n_examples, "shuffle", samples=20)
    assert not [t for t in noise_figure(noise).data if "ellipse" in t.name]


def test_scaling_figure_is_log_log_and_leaves_zero_spreads_out():
    scaling = noise_scaling(SURFACE, SURFACE.start, "shuffle", samples=50)
    fig = scaling_figure(scaling, batch_size=8)
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "log"
    measured = np.asarray(_trace(fig, "measured").y, dtype=float)
    assert np.isnan(measured[-1]) and np.isfinite(measured[:-1]).all()
    reference = np.asarray(_trace(fig, "slope").y, dtype=float)
    slope = np.diff(np.log(reference)) / np.diff(np.log(scaling.sizes))
    assert np.allclose(slope, -0.5)


def test_presenting_enlarges_the_type():
    noise = gradient_noise(SURFACE, SURFACE.start, 4, "shuffle", samples=20)
    assert noise_figure(noise, present=True).layout.font.size > noise_figure(noise).layout.font.size
