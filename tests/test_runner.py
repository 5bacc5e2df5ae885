"""The runner: shapes, batches equal single runs, divergence frozen without warnings, seeded
gradient noise, recorded state, bad input, and the real surfaces package."""

import warnings
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optim_core import (
    OPTIMIZERS,
    OptimizerError,
    run,
    run_batch,
    run_many,
    stop_reason,
    suggest_lr,
)
from surfaces import get_surface, parse_surface
from tests._analytic import Rosenbrock, bowl, rotated_quadratic

IDS = list(OPTIMIZERS)


@dataclass(frozen=True)
class Cone:
    """f = √(x² + y²): the gradient θ/|θ| is 0/0 = NaN at the tip."""

    bounds: tuple = ((-2.0, 2.0), (-2.0, 2.0))

    def f(self, xy):
        return np.hypot(xy[..., 0], xy[..., 1])

    def grad(self, xy):
        return xy / np.hypot(xy[..., 0], xy[..., 1])[..., None]

    def hessian(self, xy):
        r = np.hypot(xy[..., 0], xy[..., 1])[..., None, None]
        return (np.eye(2) - xy[..., :, None] * xy[..., None, :] / r**2) / r


@dataclass(frozen=True)
class LogValley:
    """f = log(x) + y²: defined for x > 0 only, and x is pushed toward 0."""

    bounds: tuple = ((0.0, 3.0), (-1.5, 1.5))

    def f(self, xy):
        return np.log(xy[..., 0]) + xy[..., 1] ** 2

    def grad(self, xy):
        return np.stack([1 / xy[..., 0], 2 * xy[..., 1]], -1)

    def hessian(self, xy):
        zero = np.zeros_like(xy[..., 0])
        return np.stack(
            [np.stack([-1 / xy[..., 0] ** 2, zero], -1), np.stack([zero, 2 + zero], -1)], -2
        )


# ---------------------------------------------------------------------------- shapes


def test_shapes_of_a_run_and_a_batch():
    t = run(bowl(), "adam", (1.0, 2.0), 25)
    assert t.path.shape == (26, 2) and t.loss.shape == (26,) and t.lr.shape == (25,)
    assert t.grads.shape == (25, 2) and t.eval_points.shape == (25, 2)
    assert t.diverged_at is None and t.optimizer == "adam"
    assert t.hyper == {h.name: h.default for h in OPTIMIZERS["adam"].hyper}
    assert t.hyper.items() >= {"lr": 0.05, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}.items()
    np.testing.assert_array_equal(t.path[0], [1.0, 2.0])
    np.testing.assert_allclose(t.loss, bowl().f(t.path))
    np.testing.assert_array_equal(t.eval_points, t.path[:-1])  # no look-ahead
    np.testing.assert_allclose(t.grads, bowl().grad(t.path[:-1]))

    tb = run_batch(bowl(), "momentum", (1.0, 2.0), 25, lr=np.geomspace(1e-3, 1e-1, 5))
    assert tb.path.shape == (26, 5, 2) and tb.loss.shape == (26, 5) and tb.lr.shape == (25, 5)
    assert tb.diverged_at.shape == (5,) and tb.diverged_at.dtype.kind == "i"
    assert (tb.diverged_at == -1).all()
    np.testing.assert_array_equal(tb.path[0], np.tile([1.0, 2.0], (5, 1)))

    starts = np.array([[1.0, 2.0], [-1.0, 0.5], [0.0, 0.0]])
    tb = run_batch(bowl(), "sgd", starts, 4, lr=0.01)
    assert tb.path.shape == (5, 3, 2) and tb.lr.shape == (4, 3)
    np.testing.assert_array_equal(tb.path[0], starts)


# ---------------------------------------------------------------------------- batch == single


def _hyper_strategy(optimizer):
    def draw(spec):
        if spec.kind == "bool":
            return st.booleans()
        low, high = spec.min, min(spec.max, 1.0) if spec.name == "lr" else spec.max
        if spec.name in ("momentum", "beta1", "beta2", "decay"):
            high = min(high, 0.99)
            low = max(low, 0.01) if spec.name == "decay" else low
        if spec.log:
            return st.floats(np.log10(low), np.log10(high)).map(lambda e: 10.0**e)
        return st.floats(low, high)

    return st.fixed_dictionaries({h.name: draw(h) for h in OPTIMIZERS[optimizer].hyper})


@pytest.mark.parametrize("optimizer", IDS)
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_each_batch_member_equals_a_single_run(optimizer, data):
    members = [data.draw(_hyper_strategy(optimizer)) for _ in range(3)]
    starts = data.draw(
        st.lists(st.tuples(st.floats(-2, 2), st.floats(-1, 3)), min_size=3, max_size=3)
    )
    surface = Rosenbrock() if data.draw(st.booleans()) else rotated_quadratic(0.5, 8.0)
    hyper = {name: np.array([m[name] for m in members]) for name in members[0]}
    batch = run_batch(surface, optimizer, np.array(starts), 20, **hyper)
    for b, (member, start) in enumerate(zip(members, starts, strict=True)):
        single = run(surface, optimizer, start, 20, **member)
        np.testing.assert_allclose(batch.path[:, b], single.path, rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(batch.loss[:, b], single.loss, rtol=1e-9, atol=1e-9)
        assert batch.diverged_at[b] == (-1 if single.diverged_at is None else single.diverged_at)


_FIELDS = ("path", "loss", "lr", "grads", "eval_points")
_REAL_SURFACES = [
    get_surface("bowl"),
    get_surface("rosenbrock"),
    get_surface("rastrigin"),
    parse_surface("log(x) + y^2"),
]


def _assert_same_run(together, single):
    for name in _FIELDS:
        np.testing.assert_array_equal(getattr(together, name), getattr(single, name), name)
    assert (together.optimizer, together.hyper) == (single.optimizer, single.hyper)
    assert (together.diverged_at, together.stopped) == (single.diverged_at, single.stopped)
    assert together.stop_point == single.stop_point


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_run_many_equals_separate_runs_bit_for_bit(data):
    """Runs of every optimizer, several of one optimizer with the same or other settings, from
    other starts, for other step counts and schedules, in one loop: each trajectory is the one
    ``run`` gives, to the last bit, also where a run diverges or leaves the domain. Newton's
    forms and noisy runs, which run on their own, are among them. (On the project's surfaces,
    whose gradients are computed element by element; a gradient through a matrix product, as
    in tests/_analytic, may round differently for 1 and for k points.)"""
    surface = data.draw(st.sampled_from(_REAL_SURFACES))
    runs = []
    for _ in range(data.draw(st.integers(1, 8))):
        optimizer = data.draw(st.sampled_from(IDS))
        runs.append(
            {
                "optimizer": optimizer,
                "start": data.draw(st.tuples(st.floats(0.2, 2), st.floats(-1, 1.5))),
                "steps": data.draw(st.integers(1, 40)),
                "schedule": data.draw(
                    st.sampled_from([None, "cosine", {"name": "step", "warmup": 5}])
                ),
                "noise": data.draw(st.sampled_from([0.0, 0.0, 0.0, 0.3])),
                **data.draw(_hyper_strategy(optimizer)),
            }
        )
    runs += data.draw(st.lists(st.sampled_from(runs), max_size=3))  # the same run twice
    for args, result in zip(runs, run_many(surface, runs), strict=True):
        _assert_same_run(result, run(surface, **args))


def test_run_many_equals_runs_for_many_sessions():
    """Forty runs as ten sessions' four: the same optimizers from other starts, for other
    step counts — as one call serves a class — each bit for bit its own ``run``, also on the
    data surfaces, whose f and ∇f are means over their examples."""
    runs = [
        {"optimizer": o, "start": (0.3 + 0.15 * k, 1.2 - 0.2 * k), "steps": 20 + 7 * (k % 5)}
        for k in range(10)
        for o in ("sgd", "nesterov", "rmsprop", "adam")
    ]
    data = [get_surface("regression"), get_surface("logistic")]  # means over examples
    for surface in _REAL_SURFACES + data:
        for args, result in zip(runs, run_many(surface, runs), strict=True):
            _assert_same_run(result, run(surface, **args))


def test_run_many_reports_each_refused_run_as_run_raises_it():
    runs = [
        {"optimizer": "sgd", "start": (1.0, 1.0), "steps": 10, "lr": -1.0},
        {"optimizer": "adam", "start": (1.0, 1.0), "steps": 10, "lr": 0.01},
        {"optimizer": "momentum", "start": (1.0, 1.0), "steps": 10, "nope": 1},
        {"optimizer": "adam", "start": (1.0, 1.0), "steps": 0},
        {"optimizer": "adam", "start": (1.0, float("nan")), "steps": 10},
    ]
    results = run_many(rotated_quadratic(0.5, 8.0), runs)
    for args, result in zip(runs, results, strict=True):
        if isinstance(result, OptimizerError):
            with pytest.raises(OptimizerError) as single:
                run(rotated_quadratic(0.5, 8.0), **args)
            assert str(result) == str(single.value)
    assert [isinstance(r, OptimizerError) for r in results] == [True, False, True, True, True]
    _assert_same_run(results[1], run(rotated_quadratic(0.5, 8.0), **runs[1]))
    (outside,) = run_many(LogValley(), [{"optimizer": "adam", "start": (-1.0, 0.0)}])
    assert isinstance(outside, OptimizerError) and "not finite at the start" in str(outside)


def test_bool_hyperparameters_broadcast_too():
    batch = run_batch(
        Rosenbrock(), "rmsprop", (-1.0, 1.0), 30, lr=0.01, centered=np.array([True, False])
    )
    for b, centered in enumerate((True, False)):
        single = run(Rosenbrock(), "rmsprop", (-1.0, 1.0), 30, lr=0.01, centered=centered)
        np.testing.assert_allclose(batch.path[:, b], single.path, rtol=1e-12)
    assert batch.hyper["centered"].tolist() == [True, False]


# ---------------------------------------------------------------------------- divergence


def test_divergence_freezes_the_last_finite_iterate():
    # sgd on ½(x² + 10y²) with α = 0.5: y ← (1 − 5)y, so |y_t| = 4ᵗ; the view [−3, 3]² has
    # diameter √72, the bound is 1000·√72 ≈ 8485 > 4⁶ = 4096 but < 4⁷ = 16384: step 7
    t = run(bowl(10), "sgd", (1.0, 1.0), 20, lr=0.5, record_state=True)
    assert t.diverged_at == 7
    np.testing.assert_allclose(t.path[6], [0.5**6, 4.0**6])
    np.testing.assert_array_equal(t.path[7:], np.tile(t.path[6], (14, 1)))
    np.testing.assert_array_equal(t.loss[7:], t.loss[6])
    assert np.isfinite(t.path).all() and np.isfinite(t.loss).all()
    assert np.isfinite(t.grads[:6]).all() and np.isnan(t.grads[6:]).all()
    assert np.isnan(t.eval_points[6:]).all() and np.isnan(t.states["step"][6:]).all()


def test_a_diverging_member_stops_while_the_others_go_on():
    tb = run_batch(bowl(10), "sgd", (1.0, 1.0), 30, lr=np.array([0.05, 0.5, 0.19]))
    assert tb.diverged_at.tolist() == [-1, 7, -1]
    np.testing.assert_allclose(tb.path[:, 0], run(bowl(10), "sgd", (1.0, 1.0), 30, lr=0.05).path)
    assert tb.loss[-1, 2] < tb.loss[0, 2]


@pytest.mark.parametrize("optimizer", IDS)
def test_no_warning_escapes_and_everything_stays_finite(optimizer):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for surface, start in (
            (Rosenbrock(), (-1.5, 2.5)),
            (Cone(), (1.0, 0.0)),
            (LogValley(), (0.5, 0.3)),
        ):
            t = run(surface, optimizer, start, 60, lr=10.0 if optimizer != "newton" else 2.0)
            assert np.isfinite(t.path).all() and np.isfinite(t.loss).all()
            tb = run_batch(surface, optimizer, start, 60, lr=np.array([1e-3, 10.0]))
            assert np.isfinite(tb.path).all() and np.isfinite(tb.loss).all()
        if optimizer in ("sgd", "momentum", "nesterov", "nesterov_reparam"):
            assert run(Rosenbrock(), optimizer, (-1.5, 2.5), 60, lr=10.0).diverged_at is not None


def test_nan_gradient_and_nan_loss_stop_the_run_as_leaving_the_domain():
    # cone: step 1 lands exactly on the tip (1 − 1·1 = 0), where the gradient is 0/0
    t = run(Cone(), "sgd", (1.0, 0.0), 5, lr=1.0)
    assert t.diverged_at == 2 and (t.path[1:] == 0).all()
    assert t.stopped == "domain" and t.stop_point == (0.0, 0.0)
    # log(x): x ← 0.5 − 1/0.5 = −1.5, a finite point with loss log(−1.5) = NaN
    t = run(LogValley(), "sgd", (0.5, 0.0), 5, lr=1.0)
    assert t.diverged_at == 1 and (t.path == [0.5, 0.0]).all()
    assert np.isfinite(t.loss).all()
    assert t.stopped == "domain" and t.stop_point == (-1.5, 0.0)
    assert run(LogValley(), "sgd", (0.5, 0.0), 5, lr=0.01).stopped is None


# ---------------------------------------------------------------------------- domain


@pytest.fixture(scope="module")
def formulas():
    return pytest.importorskip("surfaces").parse_surface


def _domain_cases(parse):
    """(surface, start, lr, step, stop point, what is undefined there), worked by hand."""
    return [
        # √x: x ← 1 − 1/(2√1) = 0.5, then 0.5 − 1/(2√0.5) = 0.5 − √0.5 < 0
        (parse("sqrt(x) + y^2"), (1.0, 0.0), 1.0, 2, (0.5 - 0.5**0.5, 0.0), "f"),
        # 1/x: x ← −1 − 1·(−1/(−1)²) = 0, where 1/x is a pole (f = inf, neighbours finite)
        (parse("1/x + y^2"), (-1.0, 0.5), 1.0, 1, (0.0, -0.5), "f"),
        # log x at 0: x ← 1 − 1·(1/1) = 0: log 0 = −inf, NaN just left of it
        (parse("log(x) + y^2"), (1.0, 0.25), 1.0, 1, (0.0, -0.25), "f"),
    ]


def test_leaving_the_domain_is_told_apart_from_divergence(formulas):
    for surface, start, lr, step, point, _ in _domain_cases(formulas):
        t = run(surface, "sgd", start, 10, lr=lr)
        assert (t.diverged_at, t.stopped) == (step, "domain"), surface.text
        np.testing.assert_allclose(t.stop_point, point, atol=1e-15)
        assert np.isfinite(t.path).all() and np.isfinite(t.loss).all()
        np.testing.assert_array_equal(t.path[step:], np.tile(t.path[step - 1], (11 - step, 1)))
        tb = run_batch(surface, "sgd", start, 10, lr=np.array([lr, 1e-3]))
        assert tb.diverged_at.tolist() == [step, -1]
        assert tb.stopped.tolist() == ["domain", None]
        np.testing.assert_allclose(tb.stop_points[0], point, atol=1e-15)
        assert np.isnan(tb.stop_points[1]).all()


def test_stop_reason_says_what_happened(formulas):
    s = formulas("sqrt(x) + y^2")
    t = run(s, "sgd", (1.0, 0.5), 10, lr=1.0)
    assert (
        stop_reason(s, t)
        == "left the domain of f at step 2 (f is not defined at x = −0.2071, y = 0.5)"
    )
    assert stop_reason(s, run(s, "sgd", (1.0, 0.5), 10, lr=0.01)) == "ran all 10 steps"
    t = run(Cone(), "sgd", (1.0, 0.0), 5, lr=1.0)
    assert (
        stop_reason(Cone(), t)
        == "left the domain of f at step 2 (∇f is not defined at x = 0, y = 0)"
    )
    t = run(bowl(10), "sgd", (1.0, 1.0), 20, lr=0.5)
    assert t.stopped == "diverged"
    assert stop_reason(bowl(10), t) == (
        "diverged at step 7 (the iterate reached x = 0.007812, y = −1.638e+04, more than 1000 × "
        "the view's diameter from its centre)"
    )


def test_overflow_is_divergence_and_never_reaches_the_path(formulas):
    # exp(10x²) from x = 1: x ← 1 − 10⁻⁴·20e¹⁰ ≈ −43, finite and inside the bound, where
    # e^(10·43²) overflows to inf — and so does every point around it
    s = formulas("exp(10 x^2) + y^2")
    t = run(s, "sgd", (1.0, 0.0), 10, lr=1e-4)
    assert (t.diverged_at, t.stopped) == (1, "diverged")
    assert np.isfinite(t.path).all() and np.isfinite(t.loss).all()
    assert stop_reason(s, t).startswith("diverged at step 1 (f overflowed at x = −43.")
    for optimizer in IDS:
        t = run(formulas("exp(100 x) + y^2"), optimizer, (0.0, 0.0), 50, lr=5.0)
        assert np.isfinite(t.path).all() and np.isfinite(t.loss).all()
        assert t.stopped in (None, "diverged"), optimizer


def test_newton_stops_where_the_hessian_is_not_defined(formulas):
    # |x|^1.5: f and f' are finite at 0 but f'' = ¾|x|^(−½) is not. Newton with lr 0.5 from
    # x = 1: x ← 1 − 0.5·f'(1)/f''(1) = 1 − 0.5·1.5/0.75 = 0, so step 2's Hessian is undefined
    s = formulas("abs(x)^(3/2) + y^2")
    t = run(s, "newton", (1.0, 0.0), 5, lr=0.5)
    assert (t.diverged_at, t.stopped) == (2, "domain")
    np.testing.assert_allclose(t.stop_point, (0.0, 0.0), atol=1e-15)
    assert "(the Hessian ∇²f is not defined at x = 0, y = " in stop_reason(s, t)


def test_a_start_outside_the_domain_is_refused_with_a_reason(formulas):
    with pytest.raises(
        OptimizerError,
        match=r"not finite at the start \(-1, 0\): the start is "
        r"outside the domain of f",
    ):
        run(formulas("sqrt(x) + y^2"), "sgd", (-1.0, 0.0), 10)
    with pytest.raises(OptimizerError, match=r"start \(10, 0\): f overflows there"):
        run_batch(formulas("exp(100 x) + y^2"), "adam", np.array([[0.0, 0.0], [10.0, 0.0]]), 10)


# ---------------------------------------------------------------------------- noise


def test_noise_is_seeded_standard_normal_added_to_every_gradient():
    surface = rotated_quadratic(1, 5)
    t = run(surface, "sgd", (1.0, 1.0), 500, lr=0.05, noise=0.3, seed=7)
    xi = np.random.default_rng(7).standard_normal((1, 500, 2))[0]
    np.testing.assert_allclose(t.grads - surface.grad(t.eval_points), 0.3 * xi, atol=1e-12)
    again = run(surface, "sgd", (1.0, 1.0), 500, lr=0.05, noise=0.3, seed=7)
    np.testing.assert_array_equal(again.path, t.path)
    other = run(surface, "sgd", (1.0, 1.0), 500, lr=0.05, noise=0.3, seed=8)
    assert not np.allclose(other.path, t.path)
    clean = run(surface, "sgd", (1.0, 1.0), 500, lr=0.05)
    assert clean.loss[-1] < 1e-15 < t.loss[-1]  # noise keeps SGD bouncing near the minimum


def test_batch_noise_rule():
    kw = {"steps": 50, "lr": 0.05, "noise": 0.5, "seed": 3}
    single = run(bowl(), "momentum", (1.0, 1.0), **kw)
    four = run_batch(bowl(), "momentum", np.ones((4, 2)), **kw)
    six = run_batch(bowl(), "momentum", np.ones((6, 2)), **kw)
    np.testing.assert_allclose(four.path[:, 0], single.path, rtol=1e-12)  # run == member 0
    np.testing.assert_array_equal(six.path[:, :4], four.path)  # member b ignores the batch size
    assert not np.allclose(four.path[:, 0], four.path[:, 1])  # members draw independent noise
    # a noise level per member; σ = 0 is the noiseless run
    mixed = run_batch(bowl(), "momentum", (1.0, 1.0), **(kw | {"noise": np.array([0.0, 0.5])}))
    np.testing.assert_allclose(
        mixed.path[:, 0], run(bowl(), "momentum", (1.0, 1.0), 50, lr=0.05).path
    )
    np.testing.assert_allclose(mixed.path[:, 1], four.path[:, 1], rtol=1e-12)


# ---------------------------------------------------------------------------- bad input

BAD_RUNS = [
    ({"optimizer": "adamax"}, "Unknown optimizer 'adamax'"),
    ({"beta": 0.9}, "Unknown hyperparameter 'beta' for momentum; it takes lr, momentum"),
    ({"start": (1.0, 2.0, 3.0)}, "Invalid start shape (3,)"),
    ({"start": ((1.0, 2.0), (3.0, 4.0))}, "Invalid start shape (2, 2): run takes one (x, y)"),
    ({"start": (float("nan"), 1.0)}, "Invalid start: [nan, 1.0] (must be finite)"),
    ({"start": ("a", "b")}, "Invalid start"),
    ({"steps": 0}, "Invalid number of steps: 0"),
    ({"steps": 2.5}, "Invalid number of steps: 2.5"),
    ({"noise": -1.0}, "Invalid noise: -1.0"),
    ({"noise": float("nan")}, "Invalid noise: nan"),
    ({"noise": "loud"}, "Invalid noise: 'loud'"),
    ({"seed": -1}, "Invalid seed: -1"),
    ({"seed": 1.5}, "Invalid seed: 1.5"),
    ({"lr": np.array([0.1, 0.2])}, "run takes one value per hyperparameter (lr); use run_batch"),
    ({"lr": -1.0}, "Invalid learning rate: -1.0"),
    ({"momentum": 1.2}, "Invalid momentum value: 1.2"),
]


@pytest.mark.parametrize(("change", "message"), BAD_RUNS)
def test_bad_run_input(change, message):
    kw = {"optimizer": "momentum", "start": (1.0, 1.0), "steps": 10} | change
    with pytest.raises(OptimizerError) as caught:
        run(bowl(), **kw)
    assert str(caught.value).startswith(message)


def test_bad_batch_input():
    with pytest.raises(OptimizerError, match=r"Batch sizes disagree: \[2, 3\]"):
        run_batch(bowl(), "momentum", np.zeros((3, 2)), 10, lr=np.array([0.1, 0.2]))
    with pytest.raises(OptimizerError, match=r"Batch sizes disagree"):
        run_batch(bowl(), "momentum", (0, 0), 10, lr=np.ones(2) * 0.1, momentum=np.ones(4) * 0.5)
    with pytest.raises(OptimizerError, match=r"Invalid lr: give one value or a 1-D array"):
        run_batch(bowl(), "sgd", (0, 0), 10, lr=np.full((2, 2), 0.1))
    with pytest.raises(OptimizerError, match=r"Invalid learning rate: 0.0"):
        run_batch(bowl(), "sgd", (0, 0), 10, lr=np.array([0.1, 0.0]))
    with pytest.raises(OptimizerError, match=r"The loss is not finite at the start \(-1, 0\)"):
        run_batch(LogValley(), "sgd", np.array([[1.0, 0.0], [-1.0, 0.0]]), 10)


# ---------------------------------------------------------------------------- real surfaces


@pytest.fixture(scope="module")
def catalog():
    return pytest.importorskip("surfaces")


@pytest.mark.parametrize("optimizer", IDS)
def test_every_optimizer_on_the_catalog_surfaces(catalog, optimizer):
    for sid in ("rosenbrock", "bowl", "himmelblau"):
        surface = catalog.get_surface(sid)
        lr = suggest_lr(optimizer, surface, surface.start)
        t = run(surface, optimizer, surface.start, 300, lr=lr)
        assert np.isfinite(t.path).all() and t.diverged_at is None, (sid, lr)
        if optimizer == "newton":  # plain Newton finds a critical point, not always a minimum
            assert np.linalg.norm(surface.grad(t.path[-1])) < 1e-8, sid
        else:
            assert t.loss[-1] < t.loss[0], (sid, lr)


def test_sympy_rosenbrock_matches_the_analytic_one(catalog):
    surface = catalog.get_surface("rosenbrock")
    for optimizer, lr in (("adam", 0.05), ("newton", 1.0), ("nesterov", 2e-4)):
        ours = run(surface, optimizer, (-1.2, 1.0), 50, lr=lr)
        analytic = run(Rosenbrock(), optimizer, (-1.2, 1.0), 50, lr=lr)
        np.testing.assert_allclose(ours.path, analytic.path, rtol=1e-10, atol=1e-12)
