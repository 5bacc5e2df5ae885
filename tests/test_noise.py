"""Mini-batch gradient noise at a point: the cloud is what the runner's batches give, its
covariance is the central limit theorem's Σ/m (× (N − m)/(N − 1) without replacement) within
sampling error, its spread falls like 1/√m, and a whole shuffled epoch has no noise."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optim_core import OptimizerError, run_batch
from optim_core.noise import (
    SIGMAS,
    finite_population_factor,
    gaussian_inside,
    gradient_noise,
    noise_scaling,
    per_example_covariance,
)
from surfaces import get_surface
from teach.noise_text import noise_caption, scaling_caption

SURFACES = {
    "raw": get_surface("regression"),
    "scaled": get_surface("regression", standardized=1),
    "logit": get_surface("logistic"),
}
N = 40


def _point(surface, fx: float, fy: float) -> tuple[float, float]:
    (x0, x1), (y0, y1) = surface.bounds
    return (x0 + fx * (x1 - x0), y0 + fy * (y1 - y0))


@settings(max_examples=30, deadline=None)
@given(
    name=st.sampled_from(sorted(SURFACES)),
    fx=st.floats(0.0, 1.0),
    fy=st.floats(0.0, 1.0),
    m=st.integers(1, N - 1),
    sampling=st.sampled_from(["shuffle", "replacement"]),
    seed=st.integers(0, 10_000),
)
def test_the_clouds_covariance_is_the_clts_within_sampling_error(name, fx, fy, m, sampling, seed):
    surface = SURFACES[name]
    noise = gradient_noise(surface, _point(surface, fx, fy), m, sampling, samples=3000, seed=seed)
    d = noise.samples - noise.full_grad
    for i, j in ((0, 0), (0, 1), (1, 1)):
        products = d[:, i] * d[:, j]
        error = products.std() / np.sqrt(len(products))  # the estimate's standard error
        scale = np.sqrt(noise.predicted_cov[i, i] * noise.predicted_cov[j, j])
        assert abs(products.mean() - noise.predicted_cov[i, j]) <= 5 * error + 1e-9 * scale


def test_the_prediction_is_sigma_over_m_times_the_finite_population_factor():
    surface = SURFACES["logit"]
    grads = surface.example_grads(np.asarray(surface.start))
    full, sigma = per_example_covariance(surface, surface.start)
    assert np.allclose(full, surface.grad(np.asarray(surface.start)))
    assert np.allclose(sigma, np.cov(grads.T, bias=True))
    for sampling, factor in (("replacement", 1.0), ("shuffle", (N - 8) / (N - 1))):
        noise = gradient_noise(surface, surface.start, 8, sampling)
        assert noise.factor == pytest.approx(factor)
        assert np.allclose(noise.predicted_cov, sigma / 8 * factor)
    assert finite_population_factor(N, N, "shuffle") == 0.0


@pytest.mark.parametrize("sampling", ["shuffle", "replacement"])
@pytest.mark.parametrize("m", [1, 5, N])
def test_each_dot_is_the_gradient_of_the_batch_the_runner_draws_for_its_first_step(m, sampling):
    surface, samples, seed = SURFACES["scaled"], 50, 7
    noise = gradient_noise(surface, surface.start, m, sampling, samples=samples, seed=seed)
    lrs = np.full(samples, 1e-3)
    batches = run_batch(
        surface, "sgd", surface.start, 1, lr=lrs, batch_size=m, sampling=sampling, seed=seed
    ).batches[:, 0]
    start = np.broadcast_to(np.asarray(surface.start, dtype=float), (samples, 2))
    assert np.allclose(noise.samples, surface.minibatch_grad(start, batches))


@pytest.mark.parametrize("name", sorted(SURFACES))
@pytest.mark.parametrize("seed", [0, 1])
def test_with_replacement_the_spread_falls_with_slope_minus_a_half(name, seed):
    surface = SURFACES[name]
    scaling = noise_scaling(surface, surface.start, "replacement", samples=2000, seed=seed)
    assert scaling.slope("predicted") == pytest.approx(-0.5, abs=1e-9)
    assert scaling.slope() == pytest.approx(-0.5, abs=0.05)
    assert np.allclose(scaling.measured, scaling.predicted, rtol=0.2)


@pytest.mark.parametrize("name", sorted(SURFACES))
def test_a_whole_shuffled_epoch_is_the_exact_gradient_no_spread(name):
    surface = SURFACES[name]
    noise = gradient_noise(surface, surface.start, N, "shuffle")
    assert np.allclose(noise.samples, noise.full_grad, rtol=1e-12, atol=0)
    assert noise.predicted_spread == 0.0 and noise.inside(1.0) is None
    scaling = noise_scaling(surface, surface.start, "shuffle")
    assert scaling.measured[-1] == 0.0 and scaling.predicted[-1] == 0.0
    assert (scaling.measured[:-1] > 0).all()
    # without replacement the spread falls faster than 1/√m: steeper than −½ overall
    assert scaling.slope() < scaling.slope(up_to=scaling.fit_up_to) < -0.4


def test_about_the_share_of_a_gaussian_falls_inside_each_ellipse():
    surface = SURFACES["logit"]
    noise = gradient_noise(surface, surface.start, 16, "replacement", samples=4000)
    for k in SIGMAS:
        assert noise.inside(k) == pytest.approx(gaussian_inside(k), abs=0.05)


def test_the_captions_carry_the_results_own_numbers():
    surface = SURFACES["raw"]
    noise = gradient_noise(surface, surface.start, 4, "shuffle")
    text = noise_caption(noise)
    for number in (f"{noise.factor:.3g}", f"{noise.predicted_spread:.3g}", "m = 4", "N = 40"):
        assert number in text
    assert f"{noise.inside(2.0):.0%}" in text and f"{gaussian_inside(2.0):.0%}" in text
    scaling = noise_scaling(surface, surface.start, "replacement")
    assert f"{scaling.slope():.2f}".replace("-", "−") in scaling_caption(scaling)
    full = noise_caption(gradient_noise(surface, surface.start, N, "shuffle"))
    assert "∇f itself" in full and "ellipses" not in full


@pytest.mark.parametrize(
    ("surface", "kwargs"),
    [
        (get_surface("bowl"), {}),
        (SURFACES["raw"], {"batch_size": 0}),
        (SURFACES["raw"], {"batch_size": N + 1}),
        (SURFACES["raw"], {"sampling": "bootstrap"}),
        (SURFACES["raw"], {"samples": 1}),
    ],
)
def test_bad_requests_are_refused_with_a_message(surface, kwargs):
    args = {"batch_size": 4, "sampling": "shuffle", "samples": 10, **kwargs}
    with pytest.raises(OptimizerError):
        gradient_noise(surface, (0.0, 0.0), **args)
