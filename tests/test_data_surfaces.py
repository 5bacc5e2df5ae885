"""Data surfaces: means of per-example losses over a small seeded data set (regression,
logistic), with exact f, gradient and Hessian and the per-example gradients behind them."""

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from surfaces import SurfaceError, get_surface, logistic_data, parse_surface, regression_data
from surfaces._surface import X, Y, softplus

DATA_SURFACES = [("regression", {}), ("regression", {"standardized": 1}), ("logistic", {})]
weights = st.tuples(st.floats(-6, 6), st.floats(-6, 6)).map(np.array)


def _central(fn, p, h):
    return np.stack([(fn(p + e) - fn(p - e)) / (2 * h) for e in np.eye(2) * h], axis=-1)


@pytest.mark.parametrize(("sid", "params"), DATA_SURFACES)
@settings(max_examples=25, deadline=None)
@given(w=weights)
def test_the_surface_is_the_mean_of_its_example_losses_and_gradients(sid, params, w):
    s = get_surface(sid, **params)
    losses, grads = s.example_losses(w), s.example_grads(w)
    assert losses.shape == (s.n_examples,) and grads.shape == (s.n_examples, 2)
    scale = 1.0 + np.abs(grads).max()
    assert losses.mean() == pytest.approx(float(s.f(w)), rel=1e-11, abs=1e-12)
    np.testing.assert_allclose(grads.mean(axis=0), s.grad(w), rtol=1e-10, atol=1e-12 * scale)
    # each example's gradient is the derivative of that example's loss
    np.testing.assert_allclose(
        grads, _central(s.example_losses, w, 1e-6), rtol=1e-5, atol=1e-6 * scale
    )


@settings(max_examples=40, deadline=None)
@given(w=weights)
def test_logistic_loss_gradient_and_hessian_by_hand_and_by_finite_differences(w):
    s = get_surface("logistic")
    features, labels = logistic_data()
    margins = labels * (features @ w)
    assert float(s.f(w)) == pytest.approx(np.mean(np.log1p(np.exp(-margins))), rel=1e-12)
    sigma = 1 / (1 + np.exp(margins))  # σ(−m): the weight of each example in the gradient
    np.testing.assert_allclose(s.grad(w), -(labels * sigma) @ features / 40, rtol=1e-10)
    hessian = (features.T * (sigma * (1 - sigma))) @ features / 40
    np.testing.assert_allclose(s.hessian(w), hessian, rtol=1e-9, atol=1e-14)
    h = 1e-5
    np.testing.assert_allclose(s.grad(w), _central(s.f, w, h), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(s.hessian(w), _central(s.grad, w, h), rtol=1e-5, atol=1e-8)


def test_the_expression_is_the_mean_of_the_example_losses():
    for sid in ("logistic", "regression"):
        s = get_surface(sid)
        expr = s.expr.replace(softplus, lambda z: sp.log(1 + sp.exp(z)))  # its definition
        for w in ([0.3, -0.7], [2.0, 1.5]):
            value = float(expr.subs({X: w[0], Y: w[1]}).evalf(30))
            assert value == pytest.approx(float(s.f(np.array(w))), rel=1e-12)
            assert value == pytest.approx(s.example_losses(np.array(w)).mean(), rel=1e-12)


def test_logistic_data_are_two_overlapping_classes_and_the_minimum_is_finite():
    features, labels = logistic_data()
    assert features.shape == (40, 2) and sorted(set(labels)) == [-1.0, 1.0]
    assert (labels == 1).sum() == 20
    s = get_surface("logistic")
    (w,) = s.minima
    np.testing.assert_allclose(s.grad(np.array(w)), 0.0, atol=1e-12)
    # overlapping classes: no weight vector classifies every example, so the loss has a floor
    assert np.any(labels * (features @ np.array(w)) < 0)
    assert np.all(np.linalg.eigvalsh(s.hessian(np.array(w))) > 0)
    assert logistic_data()[0] is not logistic_data()[0]  # callers get their own copy


def test_logistic_stays_finite_far_from_the_view():
    s = get_surface("logistic")
    far = np.array([[1e4, -1e4], [-1e5, 3e5], [800.0, 800.0]])
    assert np.isfinite(s.f(far)).all() and (s.f(far) > 100).all()
    assert np.isfinite(s.grad(far)).all() and np.isfinite(s.hessian(far)).all()
    assert np.isfinite(s.example_grads(far)).all()


def test_regression_examples_are_the_rows_of_regression_data():
    for standardized in (False, True):
        s = get_surface("regression", standardized=int(standardized))
        features, targets = regression_data(standardized)
        w = np.array([0.7, -0.2])
        np.testing.assert_allclose(s.example_losses(w), (features @ w - targets) ** 2, rtol=1e-12)
        np.testing.assert_allclose(
            s.example_grads(w), 2 * (features @ w - targets)[:, None] * features, rtol=1e-12
        )


def test_chosen_examples_and_leading_shapes():
    s = get_surface("regression")
    xy = np.random.default_rng(0).normal(size=(3, 4, 2))
    assert s.example_losses(xy).shape == (3, 4, 40) and s.example_grads(xy).shape == (3, 4, 40, 2)
    indices = np.random.default_rng(1).integers(0, 40, size=(3, 4, 5))
    chosen = s.example_grads(xy, indices)
    assert chosen.shape == (3, 4, 5, 2)
    every = s.example_grads(xy)
    np.testing.assert_array_equal(chosen, np.take_along_axis(every, indices[..., None], axis=2))
    np.testing.assert_allclose(
        s.minibatch_grad(xy, indices), chosen.mean(axis=-2), rtol=1e-13, atol=1e-13
    )
    np.testing.assert_array_equal(
        s.example_losses(xy, indices), np.take_along_axis(s.example_losses(xy), indices, axis=2)
    )


@pytest.mark.parametrize(
    "surface", [get_surface("bowl"), get_surface("matyas"), parse_surface("x^2 + y^2")]
)
def test_other_surfaces_have_no_examples(surface):
    assert surface.n_examples == 0 and surface.examples is None
    for method in (surface.example_grads, surface.example_losses):
        with pytest.raises(SurfaceError, match="is not a data surface"):
            method(np.zeros(2))


def test_data_surfaces_are_frozen_hashable_values_with_distinct_keys():
    a, b = get_surface("logistic"), get_surface("logistic")
    assert a == b and hash(a) == hash(b) and a.key == b.key == "logistic()"
    raw, scaled = get_surface("regression"), get_surface("regression", standardized=1)
    assert len({a.key, raw.key, scaled.key, get_surface("matyas").key}) == 4
    assert raw != scaled and raw.examples != scaled.examples
    with pytest.raises(AttributeError):
        a.examples = None
    with pytest.raises(ValueError, match="read-only"):
        a.examples.values[0, 0] = 1.0
    assert a.n_examples == raw.n_examples == 40 and math.isfinite(float(a.f(np.array(a.start))))
