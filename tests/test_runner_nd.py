"""The runner in P dimensions (a network's loss has P parameters): on quadratics in P = 5 and 40
dimensions (tests/_analytic), every optimizer runs and Newton solves them in one step; sgd,
momentum and Adam equal a plain NumPy loop of DESIGN's update rules; a batch member equals its
single run and ``run_many`` equals ``run`` bit for bit; noise and mini-batches are seeded;
divergence, leaving the domain and deadlines stop a run with P-long stop points; Newton is
refused beyond the surface's ``hessian_limit``; a start of the wrong length is refused."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optim_core import (
    OPTIMIZERS,
    OptimizerError,
    make_optimizer,
    run,
    run_batch,
    run_many,
    stop_reason,
)
from optim_core._loop import overflows
from tests._analytic import QuadraticP, least_squares, quadratic_p

IDS = list(OPTIMIZERS)
FIRST_ORDER = [o for o in IDS if o != "newton"]
DIMS = (5, 40)
SURFACES = {dim: quadratic_p(dim, seed=dim) for dim in DIMS}


def _start(dim, seed=0):
    return np.random.default_rng(seed).uniform(-1.0, 1.0, dim)


# ---------------------------------------------------------------------------- every optimizer


@pytest.mark.parametrize("dim", DIMS)
@pytest.mark.parametrize("optimizer", IDS)
def test_every_optimizer_runs_in_p_dimensions(optimizer, dim):
    surface = SURFACES[dim]
    t = run(surface, optimizer, _start(dim), 60, record_state=True)
    assert t.path.shape == (61, dim) and t.loss.shape == (61,)
    assert t.grads.shape == t.eval_points.shape == (60, dim)
    assert t.diverged_at is None and t.stopped is None and t.stop_point is None
    assert np.isfinite(t.path).all() and t.loss[-1] < t.loss[0]
    np.testing.assert_allclose(t.loss, surface.f(t.path), rtol=1e-12, atol=1e-12)
    assert all(len(v) == 60 for v in t.states.values())


@pytest.mark.parametrize("dim", DIMS)
def test_newton_solves_a_quadratic_in_one_step(dim):
    surface = SURFACES[dim]
    for hyper in ({}, {"saddle_free": True}):
        t = run(surface, "newton", _start(dim), 3, **hyper)
        np.testing.assert_allclose(t.path[1], surface.minimizer, rtol=1e-9, atol=1e-12)
    damped = run(surface, "newton", _start(dim), 1, damping=0.5).path[1]
    step = -np.linalg.solve(surface.A + 0.5 * np.eye(dim), surface.grad(_start(dim)))
    np.testing.assert_allclose(damped, _start(dim) + step, rtol=1e-9)


NEWTON_CASES = [
    (np.array([[3.0, 1.0], [1.0, 2.0]]), {}),  # positive definite
    (np.array([[1.0, 0.0], [0.0, -1.0]]), {}),  # a saddle: plain Newton walks to it
    (np.array([[1.0, 0.5], [0.5, -2.0]]), {"saddle_free": True}),
    (np.array([[1.0, 0.5], [0.5, -2.0]]), {"damping": 0.3, "saddle_free": True}),
    (np.array([[2.0, 0.0], [0.0, 0.0]]), {}),  # singular: the zero curvature is floored
]


@pytest.mark.parametrize(("h2", "hyper"), NEWTON_CASES)
def test_newton_in_p_dimensions_is_the_2d_rule_on_a_block(h2, hyper):
    """A 4 × 4 Hessian made of the 2 × 2 block and a copy of it: through ``eigh``, each block's
    step is the closed-form 2 × 2 step (the same floored curvatures, damping, |Λ|)."""
    newton = make_optimizer("newton", **hyper)
    g = np.array([[0.7, -1.3]])
    two, _ = newton.update(g, newton.init(g), np.zeros((1, 2)), 1, 1.0, h2[None])
    h4 = np.zeros((1, 4, 4))
    h4[0, :2, :2] = h4[0, 2:, 2:] = h2
    four, _ = newton.update(np.tile(g, 2), newton.init(g), np.zeros((1, 4)), 1, 1.0, h4)
    np.testing.assert_allclose(four, np.tile(two, 2), rtol=1e-9)


# ---------------------------------------------------------------------------- the update rules


def _reference_step(optimizer, theta, state, t, lr, hyper, g):
    """One step of DESIGN's update rule for sgd, momentum or adam, on one θ (P,): the new θ and
    the state (v for momentum, (m, v) for Adam)."""
    if optimizer == "sgd":
        return theta - lr * g, ()
    if optimizer == "momentum":
        (v,) = state
        v = hyper["momentum"] * v - lr * g
        return theta + v, (v,)
    m, v = state
    b1, b2, eps = hyper["beta1"], hyper["beta2"], hyper["eps"]
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), (m, v)


FIELDS = {"sgd": (), "momentum": ("v",), "adam": ("m", "v")}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    optimizer=st.sampled_from(["sgd", "momentum", "adam"]),
    dim=st.sampled_from(DIMS),
    lr=st.floats(1e-3, 0.5),
    momentum=st.floats(0.0, 0.95),
    beta1=st.floats(0.0, 0.99),
    beta2=st.floats(0.5, 0.9999),
    seed=st.integers(0, 100),
)
def test_sgd_momentum_adam_equal_the_plain_loop(optimizer, dim, lr, momentum, beta1, beta2, seed):
    """Each step is the rule's, from the run's own iterate and state, to the last bits; for sgd
    and momentum (linear iterations) the whole path is also the plain loop's. (Adam's is not
    compared whole: near a minimum its steps are about ±α whatever |g|, and a last-bit
    difference in the order of operations grows.)"""
    hyper = {"momentum": momentum} if optimizer == "momentum" else {}
    if optimizer == "adam":
        hyper = {"beta1": beta1, "beta2": beta2, "eps": 1e-8}
    surface, start, steps = SURFACES[dim], _start(dim, seed), 40
    t = run(surface, optimizer, start, steps, lr=lr, record_state=True, **hyper)
    state = tuple(np.zeros(dim) for _ in FIELDS[optimizer])
    loop_theta, loop_state = start, state
    for k in range(1, steps + 1):
        theta, new_state = _reference_step(
            optimizer, t.path[k - 1], state, k, lr, hyper, surface.grad(t.path[k - 1])
        )
        np.testing.assert_allclose(t.path[k], theta, rtol=1e-13, atol=1e-15)
        state = tuple(t.states[name][k - 1] for name in FIELDS[optimizer])
        for ours, theirs in zip(state, new_state, strict=True):
            np.testing.assert_allclose(ours, theirs, rtol=1e-13, atol=1e-15)
        if optimizer != "adam":
            loop_theta, loop_state = _reference_step(
                optimizer, loop_theta, loop_state, k, lr, hyper, surface.grad(loop_theta)
            )
            np.testing.assert_allclose(t.path[k], loop_theta, rtol=1e-10, atol=1e-13)


# ---------------------------------------------------------------------------- batch, many, run


@pytest.mark.parametrize("optimizer", IDS)
def test_each_batch_member_is_its_single_run(optimizer):
    dim = 40
    surface, starts = SURFACES[dim], np.stack([_start(dim, s) for s in range(3)])
    lr = OPTIMIZERS[optimizer].hyper[0].default * np.array([1.0, 0.5, 2.0])
    batch = run_batch(surface, optimizer, starts, 30, lr=lr, schedule="cosine")
    assert batch.path.shape == (31, 3, dim) and batch.stop_points.shape == (3, dim)
    for b in range(3):
        single = run(surface, optimizer, starts[b], 30, lr=lr[b], schedule="cosine")
        np.testing.assert_array_equal(batch.path[:, b], single.path)
        np.testing.assert_array_equal(batch.loss[:, b], single.loss)
    shared = run_batch(surface, optimizer, starts[0], 5, lr=lr)  # one start for all
    np.testing.assert_array_equal(shared.path[0], np.tile(starts[0], (3, 1)))


def _assert_same_run(together, single):
    for name in ("path", "loss", "lr", "grads", "eval_points"):
        np.testing.assert_array_equal(getattr(together, name), getattr(single, name), name)
    assert (together.optimizer, together.hyper) == (single.optimizer, single.hyper)
    assert (together.diverged_at, together.stopped) == (single.diverged_at, single.stopped)
    assert together.stop_point == single.stop_point


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_run_many_equals_run_bit_for_bit(data):
    """Runs of every optimizer from other starts, for other step counts and schedules, some
    diverging (lr up to 1.5 on curvatures up to 2), Newton and noisy runs among them."""
    dim = data.draw(st.sampled_from(DIMS))
    surface = SURFACES[dim]
    runs = [
        {
            "optimizer": data.draw(st.sampled_from(IDS)),
            "start": _start(dim, data.draw(st.integers(0, 50))),
            "steps": data.draw(st.integers(1, 40)),
            "schedule": data.draw(st.sampled_from([None, "cosine", {"name": "step"}])),
            "noise": data.draw(st.sampled_from([0.0, 0.0, 0.3])),
            "lr": data.draw(st.sampled_from([0.01, 0.1, 1.5])),
        }
        for _ in range(data.draw(st.integers(1, 8)))
    ]
    for args, result in zip(runs, run_many(surface, runs), strict=True):
        _assert_same_run(result, run(surface, **args))


def test_run_many_of_thirteen_first_order_optimizers():
    surface = quadratic_p(60, lam_max=10.0)
    runs = [{"optimizer": o, "start": _start(60, k), "steps": 50} for k, o in enumerate(IDS)]
    runs = [r for r in runs if r["optimizer"] != "newton"]
    assert len(runs) == 13
    for args, result in zip(runs, run_many(surface, runs), strict=True):
        _assert_same_run(result, run(surface, **args))


# ---------------------------------------------------------------------------- noise, mini-batches


def test_noise_is_seeded_and_drawn_as_documented():
    """sgd with noise σ: θ ← θ − α(g + σξ_t), ξ = default_rng(seed).standard_normal((B, steps,
    P)); the same seed gives the same run, member b's noise ignores the batch size."""
    dim, sigma, lr = 40, 0.3, 0.1
    surface, start = SURFACES[dim], _start(dim)
    t = run(surface, "sgd", start, 20, lr=lr, noise=sigma, seed=7)
    xi = np.random.default_rng(7).standard_normal((1, 20, dim))[0]
    theta = start.copy()
    for k in range(20):
        theta = theta - lr * (surface.A @ theta - surface.b + sigma * xi[k])
        np.testing.assert_allclose(t.path[k + 1], theta, rtol=1e-10, atol=1e-12)
    again = run(surface, "sgd", start, 20, lr=lr, noise=sigma, seed=7)
    np.testing.assert_array_equal(again.path, t.path)
    assert not np.allclose(run(surface, "sgd", start, 20, lr=lr, noise=sigma, seed=8).path, t.path)
    four = run_batch(surface, "adam", np.tile(start, (4, 1)), 20, noise=sigma, seed=3)
    six = run_batch(surface, "adam", np.tile(start, (6, 1)), 20, noise=sigma, seed=3)
    np.testing.assert_array_equal(six.path[:, :4], four.path)
    single = run(surface, "adam", start, 20, noise=sigma, seed=3)
    np.testing.assert_array_equal(four.path[:, 0], single.path)


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "nesterov", "newton"])
def test_a_mini_batch_of_every_example_is_the_exact_gradient(optimizer):
    surface = least_squares(12, 30)
    start = _start(12)
    exact = run(surface, optimizer, start, 25)
    full = run(surface, optimizer, start, 25, batch_size=30, seed=4)
    np.testing.assert_allclose(full.path, exact.path, rtol=1e-9, atol=1e-12)
    assert full.batches.shape == (25, 30)


def test_mini_batches_are_seeded_and_a_batch_member_is_its_run():
    surface = least_squares(12, 30)
    starts = np.stack([_start(12, s) for s in range(3)])
    kw = {"batch_size": 4, "sampling": "replacement", "seed": 5, "lr": 0.05}
    batch = run_batch(surface, "momentum", starts, 40, **kw)
    assert batch.batches.shape == (3, 40, 4)
    again = run(surface, "momentum", starts[0], 40, **kw)  # run is member 0, also when repeated
    np.testing.assert_array_equal(again.path, batch.path[:, 0])
    np.testing.assert_array_equal(again.batches, batch.batches[0])
    other = run(surface, "momentum", starts[0], 40, **(kw | {"seed": 6}))
    assert not np.allclose(other.path, again.path)
    exact = run(surface, "momentum", starts[0], 40, lr=0.05)
    assert not np.allclose(again.path, exact.path)  # four examples are not all thirty


# ---------------------------------------------------------------------------- stops


@pytest.mark.parametrize("dim", DIMS)
def test_divergence_stops_a_run_with_a_p_long_stop_point(dim):
    surface = SURFACES[dim]  # curvatures up to 2: sgd with α = 1.5 grows by |1 − 3| = 2 a step
    t = run(surface, "sgd", _start(dim), 60, lr=1.5)
    k = t.diverged_at
    assert k is not None and t.stopped == "diverged" and len(t.stop_point) == dim
    assert np.linalg.norm(t.stop_point) > surface.reach >= np.linalg.norm(t.path[k - 1])
    norm = f"{np.linalg.norm(t.stop_point):.4g}"
    assert stop_reason(surface, t) == (
        f"diverged at step {k} (the iterate reached θ with ‖θ‖ = {norm}, farther than 1e+04 from 0)"
    )
    np.testing.assert_array_equal(t.path[k:], np.tile(t.path[k - 1], (61 - k, 1)))
    assert np.isfinite(t.path).all() and np.isfinite(t.loss).all()
    batch = run_batch(surface, "sgd", _start(dim), 60, lr=np.array([0.1, 1.5]))
    assert batch.diverged_at.tolist() == [-1, k]
    assert np.isnan(batch.stop_points[0]).all()
    np.testing.assert_array_equal(batch.stop_points[1], t.stop_point)


class LogP(QuadraticP):
    """½θᵀAθ − bᵀθ + log θ₀: defined for θ₀ > 0 only, and θ₀ is pushed toward 0."""

    def f(self, theta):
        return super().f(theta) + np.log(np.asarray(theta)[..., 0])

    def grad(self, theta):
        g = super().grad(theta)
        g[..., 0] += 1 / np.asarray(theta)[..., 0]
        return g


def test_leaving_the_domain_in_p_dimensions():
    base = quadratic_p(7)
    surface = LogP(base.A, base.b)
    start = np.full(7, 0.5)
    t = run(surface, "sgd", start, 20, lr=1.0)
    assert t.stopped == "domain" and len(t.stop_point) == 7 and t.stop_point[0] <= 0
    told = f"left the domain of f at step {t.diverged_at} (f is not defined at θ with ‖θ‖ = "
    assert stop_reason(surface, t).startswith(told)
    with pytest.raises(OptimizerError, match=r"not finite at the start \(-0\.5, 0\.5, 0\.5, 0\.5"):
        run(surface, "sgd", np.where(np.arange(7) == 0, -0.5, 0.5), 20)


def test_overflow_in_p_dimensions_moves_the_first_two_coordinates():
    def exploding(theta):
        return np.exp(100 * theta[..., 0]) + np.sum(theta**2, axis=-1)

    def log_edge(theta):
        return np.log(theta[..., 1]) + np.sum(theta**2, axis=-1)

    point = np.full(30, 10.0)
    assert overflows(exploding, point)
    assert not overflows(log_edge, np.where(np.arange(30) == 1, 0.0, 1.0))
    huge = SURFACES[40]
    with pytest.raises(OptimizerError, match=r"\(1e\+200, .*; 40 numbers\): f overflows there"):
        run(huge, "sgd", np.full(40, 1e200), 5)


class SlowP(QuadraticP):
    """A quadratic whose gradient takes a few milliseconds: a deadline of 0 s fires at once."""

    def grad(self, theta):
        import time

        time.sleep(0.002)
        return super().grad(theta)


def test_a_deadline_stops_a_p_dimensional_run():
    base = SURFACES[40]
    surface = SlowP(base.A, base.b)
    t = run(surface, "adam", _start(40), 200, deadline=0.0)
    assert t.stopped == "deadline" and t.deadline_at == 1 and t.diverged_at is None
    np.testing.assert_array_equal(t.path[2:], np.tile(t.path[1], (199, 1)))
    assert np.isnan(t.grads[1:]).all()
    batch = run_batch(surface, "sgd", _start(40), 200, lr=np.array([0.1, 0.2]), deadline=0.0)
    assert batch.deadline_at == 1 and (batch.stopped == "deadline").all()
    (many,) = run_many(surface, [{"optimizer": "sgd", "start": _start(40), "deadline": 0.0}])
    assert many.stopped == "deadline"
    untimed, timed = (run(base, "adam", _start(40), 200, deadline=d) for d in (None, 60.0))
    np.testing.assert_array_equal(timed.path, untimed.path)  # a deadline not reached: no change


# ---------------------------------------------------------------------------- refusals


def test_newton_is_refused_beyond_the_hessian_limit():
    base = SURFACES[40]
    limited = QuadraticP(base.A, base.b, hessian_limit=30)
    message = (
        r"Newton's method needs the exact Hessian, a P × P matrix of 40 × 40 = 1,600 entries, "
        r"at every step; this network has P = 40 parameters, more than 30: choose a smaller "
        r"network or another optimizer"
    )
    with pytest.raises(OptimizerError, match=message):
        run(limited, "newton", _start(40), 10)
    with pytest.raises(OptimizerError, match=message):
        run_batch(limited, "newton", _start(40), 10, damping=np.array([0.0, 1.0]))
    newton, adam = run_many(
        limited,
        [{"optimizer": "newton", "start": _start(40)}, {"optimizer": "adam", "start": _start(40)}],
    )
    assert isinstance(newton, OptimizerError) and str(newton).startswith("Newton's method needs")
    assert adam.diverged_at is None  # the other optimizers are welcome
    within = QuadraticP(base.A, base.b, hessian_limit=40)
    assert run(within, "newton", _start(40), 2).diverged_at is None


class NoHessian(QuadraticP):
    def hessian(self, theta):
        raise ValueError("the Hessian of 40 parameters is not offered")


def test_a_surface_that_refuses_its_hessian_refuses_newton():
    base = SURFACES[40]
    with pytest.raises(OptimizerError, match=r"needs the exact Hessian.*not offered"):
        run(NoHessian(base.A, base.b), "newton", _start(40), 10)


BAD_STARTS = [
    ((0.0, 0.0), r"Invalid start shape \(2,\): need P = 5 numbers, the network's parameters"),
    (np.zeros(6), r"Invalid start shape \(6,\): need P = 5 numbers"),
    (np.zeros((2, 5)), r"Invalid start shape \(2, 5\): run takes one start of P = 5 numbers; use"),
    (np.zeros((2, 2, 5)), r"Invalid start shape \(2, 2, 5\)"),
    ([1, 2, np.nan, 4, np.inf], r"Invalid start: parameter\(s\) \(2, 4\) are not finite"),
    (["a"] * 5, r"Invalid start: \['a', 'a', 'a', 'a', 'a'\] \(need P = 5 numbers"),
]


@pytest.mark.parametrize(("start", "message"), BAD_STARTS)
def test_a_start_of_the_wrong_length_is_refused(start, message):
    with pytest.raises(OptimizerError, match=message):
        run(SURFACES[5], "adam", start, 10)


def test_messages_about_many_parameters_stay_short():
    surface = quadratic_p(300, seed=1)
    for start in (np.zeros(299), ["x"] * 300, np.full(300, np.nan)):
        with pytest.raises(OptimizerError) as caught:
            run(surface, "sgd", start, 5)
        assert len(str(caught.value)) < 160, str(caught.value)
    with pytest.raises(OptimizerError, match=r"Invalid start shape \(3, 4\): need .* \(B, 5\)"):
        run_batch(SURFACES[5], "sgd", np.zeros((3, 4)), 10)
