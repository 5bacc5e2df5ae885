"""Sharpness: Lanczos equals the exact spectrum (networks, diagonal and random symmetric
operators), along a run, the stability edges checked by real runs on the bowl, and Adam's
preconditioned sharpness."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optim_core import OptimizerError, run
from optim_core.sharpness import (
    Sharpness,
    preconditioned_along,
    preconditioned_edge,
    preconditioned_sharpness,
    sharpness_along,
    sharpness_along_many,
    stability_edge,
    top_eigenvalue,
    top_eigenvalues,
)
from surfaces import get_surface
from surfaces.network import get_network

NETWORKS = [
    ("moons", (8,), "tanh", "bce"),
    ("circles", (6, 6), "tanh", "mse"),
    ("spirals", (8, 8), "tanh", "mse"),
    ("xor", (10,), "relu", "bce"),
    ("spirals", (12,), "relu", "mse"),
]


def _points(net):
    """Three points: two inits, and one after 200 steps of gradient descent (α = 0.2)."""
    theta = net.init(1)
    for _ in range(200):
        theta = theta - 0.2 * net.grad(theta)
    return [net.init(0), 2.0 * net.init(2), theta]


@pytest.mark.parametrize("case", NETWORKS, ids=lambda c: f"{c[0]}-{c[1]}-{c[2]}-{c[3]}")
def test_lanczos_equals_the_exact_top_eigenvalue_on_networks(case):
    name, hidden, activation, loss = case
    net = get_network(name, hidden=hidden, seed=0, activation=activation, loss=loss)
    for theta in _points(net):
        hessian = net.hessian(theta)
        exact = np.linalg.eigvalsh(hessian).max()
        lam, vector = top_eigenvalue(lambda v, t=theta: net.hvp(t, v), net.dim)
        assert lam == pytest.approx(exact, rel=1e-6)
        assert np.linalg.norm(vector) == pytest.approx(1.0)
        residual = np.linalg.norm(hessian @ vector - lam * vector)
        assert residual <= 1e-4 * abs(exact)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(-50, 50, allow_nan=False), min_size=1, max_size=40),
    st.integers(0, 2**16),
)
def test_lanczos_on_a_diagonal_operator_finds_the_largest_algebraic_entry(diagonal, seed):
    d = np.array(diagonal)
    lam, vector = top_eigenvalue(lambda v: d * v, len(d), iters=len(d), seed=seed)
    assert lam == pytest.approx(d.max(), rel=1e-9, abs=1e-9)
    # the vector lives on the coordinates holding the maximum (or is a tie's mixture)
    assert np.abs(vector[d < d.max() - 1e-6]).max(initial=0.0) < 1e-5


def test_largest_algebraic_not_largest_magnitude():
    d = np.array([-5.0, 2.0, 0.5, -1.0])
    lam, vector = top_eigenvalue(lambda v: d * v, 4)
    assert lam == pytest.approx(2.0)
    assert abs(vector[1]) == pytest.approx(1.0)


def test_a_warm_start_on_a_lower_eigenvector_still_finds_the_top():
    """v₀ an eigenvector spans an invariant subspace at once (β₁ = 0): Lanczos restarts from a
    fresh direction instead of answering that eigenvector's eigenvalue."""
    d = np.array([1.0, 5.0, 3.0, -7.0, 4.0])
    lam, _ = top_eigenvalue(lambda v: d * v, 5, v0=np.eye(5)[0])
    assert lam == pytest.approx(5.0)


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 30), st.integers(0, 2**16))
def test_lanczos_equals_eigvalsh_on_random_symmetric_matrices(dim, seed):
    a = np.random.default_rng(seed).standard_normal((dim, dim))
    h = a + a.T
    lam, vector = top_eigenvalue(lambda v: h @ v, dim, iters=dim, seed=seed)
    exact = np.linalg.eigvalsh(h)
    assert lam == pytest.approx(exact[-1], rel=1e-8, abs=1e-8)
    # the Ritz vector is an eigenvector when the top eigenvalue is simple
    if exact[-1] - exact[-2] > 1e-3:
        assert np.linalg.norm(h @ vector - lam * vector) < 1e-6 * max(1.0, abs(lam))


def test_deterministic_given_the_seed_and_a_lower_bound_with_few_products():
    a = np.random.default_rng(3).standard_normal((60, 60))
    h = a + a.T
    first = top_eigenvalue(lambda v: h @ v, 60, iters=5, seed=4)
    again = top_eigenvalue(lambda v: h @ v, 60, iters=5, seed=4)
    assert first[0] == again[0]
    np.testing.assert_array_equal(first[1], again[1])
    # a Ritz value of a few products is below λ_max (Cauchy interlacing), never above
    assert first[0] <= np.linalg.eigvalsh(h)[-1] + 1e-12


def test_sharpness_along_a_run_at_every_kth_iterate_and_the_last():
    net = get_network("spirals", hidden=(8, 8), seed=0, loss="mse")
    theta, path = net.init(0), [net.init(0)]
    for _ in range(47):
        theta = theta - 0.3 * net.grad(theta)
        path.append(theta)
    sharp = sharpness_along(net, np.array(path), every=10)
    assert isinstance(sharp, Sharpness)
    np.testing.assert_array_equal(sharp.steps, [0, 10, 20, 30, 40, 47])
    exact = [np.linalg.eigvalsh(net.hessian(path[t])).max() for t in sharp.steps]
    np.testing.assert_allclose(sharp.values, exact, rtol=1e-6)


def test_sharpness_along_stops_at_the_first_non_finite_iterate():
    net = get_network("moons", hidden=(4,), seed=0)
    path = np.repeat(net.init(0)[None], 30, axis=0)
    path[17:] = np.nan
    sharp = sharpness_along(net, path, every=5)
    np.testing.assert_array_equal(sharp.steps, [0, 5, 10, 15, 16])
    assert sharpness_along(net, path[17:], every=5).steps.size == 0


def test_stability_edges_as_stated():
    assert stability_edge("sgd", {"lr": 0.1}) == pytest.approx(20.0)
    assert stability_edge("momentum", {"lr": 0.1, "momentum": 0.9}) == pytest.approx(38.0)
    nesterov = (2 + 2 * 0.5) / ((1 + 2 * 0.5) * 0.1)
    assert stability_edge("nesterov", {"lr": 0.1, "momentum": 0.5}) == pytest.approx(nesterov)
    assert stability_edge("nesterov_reparam", {"lr": 0.1, "momentum": 0.5}) == pytest.approx(
        nesterov
    )
    # the default μ = 0.9 when none is given
    assert stability_edge("momentum", {"lr": 1.0}) == pytest.approx(3.8)
    for adaptive in ("adam", "rmsprop", "adagrad", "newton", "lion"):
        assert stability_edge(adaptive, {"lr": 0.1}) is None
    with pytest.raises(OptimizerError):
        stability_edge("sgd", {"lr": -1.0})
    with pytest.raises(OptimizerError):
        stability_edge("no_such_rule", {"lr": 0.1})


EDGE_CASES = [("sgd", {}), ("momentum", {"momentum": 0.9}), ("momentum", {"momentum": 0.5}),
              ("nesterov", {"momentum": 0.9}), ("nesterov_reparam", {"momentum": 0.7})]  # fmt: skip


@pytest.mark.parametrize(("optimizer", "hyper"), EDGE_CASES)
@pytest.mark.parametrize("kappa", [20.0, 150.0])
def test_the_edge_separates_converging_from_diverging_runs_on_the_bowl(optimizer, hyper, kappa):
    """On f = ½(x² + κy²) (λ_max = κ) the step α whose edge equals κ, times 0.97, converges;
    times 1.03 it runs away."""
    bowl = get_surface("bowl", kappa=kappa, angle=0.0)
    lr_at_edge = stability_edge(optimizer, {"lr": 1.0, **hyper}) / kappa
    start = np.array([-2.5, 1.0])
    for factor, converges in ((0.97, True), (1.03, False)):
        lr = factor * lr_at_edge
        assert (stability_edge(optimizer, {"lr": lr, **hyper}) > kappa) is converges
        traj = run(bowl, optimizer, start=start, steps=3000, lr=lr, **hyper)
        if converges:
            assert traj.diverged_at is None
            assert np.linalg.norm(traj.path[-1]) < 1e-6 * np.linalg.norm(start)
        else:
            assert traj.diverged_at is not None


def test_preconditioned_sharpness_equals_the_exact_preconditioned_hessian():
    net = get_network("spirals", hidden=(8, 8), seed=0, loss="mse")
    theta = net.init(0)
    rng = np.random.default_rng(0)
    v_hat, eps = rng.uniform(1e-6, 1e-2, net.dim), 1e-8
    d = 1.0 / np.sqrt(np.sqrt(v_hat) + eps)
    exact = np.linalg.eigvalsh(d[:, None] * net.hessian(theta) * d[None, :]).max()
    lam, _ = preconditioned_sharpness(net, theta, v_hat, eps, iters=net.dim)
    assert lam == pytest.approx(exact, rel=1e-6)
    # a constant v̂ = c scales the sharpness by 1/(√c + ε)
    plain = np.linalg.eigvalsh(net.hessian(theta)).max()
    lam, _ = preconditioned_sharpness(net, theta, np.full(net.dim, 0.04), 0.0, iters=net.dim)
    assert lam == pytest.approx(plain / 0.2, rel=1e-6)


def test_adams_preconditioned_edge():
    assert preconditioned_edge("adam", {"lr": 0.01}) == pytest.approx(3800.0)
    assert preconditioned_edge("adam", {"lr": 0.1, "beta1": 0.5}) == pytest.approx(60.0)
    with pytest.raises(OptimizerError):
        preconditioned_edge("sgd", {"lr": 0.1})


def test_preconditioned_sharpness_along_a_run_pairs_each_iterate_with_its_steps_v_hat():
    net = get_network("moons", hidden=(6,), seed=0, loss="mse")
    rng = np.random.default_rng(1)
    path = net.init(0) + 0.1 * rng.standard_normal((24, net.dim)).cumsum(axis=0)
    v_hat = rng.uniform(1e-4, 1e-2, (23, net.dim))  # row t: the step that leaves θ_t
    sharp = preconditioned_along(net, path, v_hat, 1e-8, every=5)
    np.testing.assert_array_equal(sharp.steps, [0, 5, 10, 15, 20, 22])  # θ_23 took no step
    for t, value in zip(sharp.steps, sharp.values, strict=True):
        d = 1.0 / np.sqrt(np.sqrt(v_hat[t]) + 1e-8)
        exact = np.linalg.eigvalsh(d[:, None] * net.hessian(path[t]) * d[None, :]).max()
        assert value == pytest.approx(exact, rel=1e-6)


def test_batched_lanczos_equals_one_operator_at_a_time():
    rng = np.random.default_rng(5)
    mats = [a + a.T for a in rng.standard_normal((3, 25, 25))]
    mats[1] = np.diag(np.arange(25.0))  # with a start on an eigenvector: a restart
    v0 = rng.standard_normal((3, 25))
    v0[1] = np.eye(25)[3]
    values, vectors = top_eigenvalues(
        lambda v: np.einsum("kij,kj->ki", np.array(mats), v), 25, 3, iters=25, v0=v0
    )
    for k, h in enumerate(mats):
        assert values[k] == pytest.approx(np.linalg.eigvalsh(h)[-1], rel=1e-10)
        assert np.linalg.norm(h @ vectors[k] - values[k] * vectors[k]) < 1e-8


def test_sharpness_of_several_runs_at_once_equals_each_on_its_own():
    net = get_network("xor", hidden=(6, 6), seed=0, loss="mse")
    theta = np.stack([net.init(s) for s in range(3)])
    lrs = np.array([[0.2], [0.5], [40.0]])  # the last one diverges
    path = [theta]
    with np.errstate(all="ignore"):
        for _ in range(30):
            theta = theta - lrs * net.grad(theta)
            theta[~np.isfinite(theta).all(axis=1) | (np.abs(theta).max(axis=1) > 1e6)] = np.nan
            path.append(theta)
    paths = np.stack(path, axis=1)
    assert not np.isfinite(paths[2]).all()
    together = sharpness_along_many(net, paths, every=7)
    for k in range(3):
        alone = sharpness_along(net, paths[k], every=7)
        np.testing.assert_array_equal(together[k].steps, alone.steps)
        np.testing.assert_allclose(together[k].values, alone.values, rtol=1e-8)
