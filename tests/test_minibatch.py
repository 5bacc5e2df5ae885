"""Mini-batch gradients in the runner (Goodfellow Alg. 8.1): m = N is the exact gradient, the
step's mean and covariance are those the per-example gradients predict, batches are seeded
per member, shuffled epochs visit every example once, and bad requests are refused."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optim_core import OPTIMIZERS, OptimizerError, run, run_batch, suggest_lr
from surfaces import get_surface, parse_surface

IDS = list(OPTIMIZERS)
REGRESSION = get_surface("regression", standardized=1)
RAW = get_surface("regression")
LOGISTIC = get_surface("logistic")
N = 40


def _lr(optimizer, surface):
    return suggest_lr(optimizer, surface, surface.start)


# ---------------------------------------------------------------------------- m = N is exact


@pytest.mark.parametrize("optimizer", IDS)
@pytest.mark.parametrize("surface", [REGRESSION, RAW, LOGISTIC], ids=["scaled", "raw", "logit"])
def test_full_batch_in_shuffle_mode_is_the_exact_gradient(optimizer, surface):
    lr = _lr(optimizer, surface)
    exact = run(surface, optimizer, surface.start, 60, lr=lr)
    full = run(surface, optimizer, surface.start, 60, lr=lr, batch_size=N, seed=5)
    assert exact.diverged_at is None and full.diverged_at is None
    np.testing.assert_allclose(full.path, exact.path, rtol=1e-11, atol=1e-12)
    np.testing.assert_allclose(full.grads, exact.grads, rtol=1e-10, atol=1e-11)
    # each step used every example once: a permutation of 0 … N−1
    np.testing.assert_array_equal(np.sort(full.batches, axis=1), np.tile(np.arange(N), (60, 1)))


# ---------------------------------------------------------------------------- the SGD step


def _one_step(m, sampling, members=4000, seed=11):
    """Δ = θ₁ − θ₀ of one SGD step from the same point, for many independent members."""
    w0, lr = np.array([0.5, -0.3]), 0.1
    starts = np.tile(w0, (members, 1))
    tb = run_batch(REGRESSION, "sgd", starts, 1, lr=lr, batch_size=m, sampling=sampling, seed=seed)
    return tb.path[1] - w0, lr, REGRESSION.example_grads(w0)


@pytest.mark.parametrize(
    ("m", "sampling"), [(1, "replacement"), (4, "replacement"), (1, "shuffle"), (8, "shuffle")]
)
def test_one_sgd_step_has_the_mean_and_covariance_the_examples_predict(m, sampling):
    steps, lr, per_example = _one_step(m, sampling)
    members = len(steps)
    grad = per_example.mean(axis=0)
    centred = per_example - grad
    sigma = centred.T @ centred / N  # population covariance of the per-example gradients
    # without replacement (one epoch's first m examples) the finite-population correction
    shrink = 1.0 if sampling == "replacement" else (N - m) / (N - 1)
    expected_cov = lr**2 * sigma / m * shrink
    mean_se = np.sqrt(np.diag(expected_cov) / members)
    np.testing.assert_array_less(np.abs(steps.mean(axis=0) + lr * grad), 4 * mean_se)
    observed_cov = np.cov(steps.T, bias=True)
    # standard error of a sample variance: √((μ₄ − σ⁴) / n), with μ₄ from the draws themselves
    deviations = steps - steps.mean(axis=0)
    var_se = np.sqrt(((deviations**2).var(axis=0)) / members)
    assert np.all(np.abs(np.diag(observed_cov) - np.diag(expected_cov)) < 4 * var_se), (
        observed_cov,
        expected_cov,
    )
    product = deviations[:, 0] * deviations[:, 1]
    assert abs(observed_cov[0, 1] - expected_cov[0, 1]) < 4 * product.std() / np.sqrt(members)


def test_the_step_really_is_random_and_m_one_is_one_example():
    steps, lr, per_example = _one_step(1, "replacement", members=200)
    # every m = 1 step is −α times one example's gradient
    distances = np.abs(steps[:, None, :] + lr * per_example[None]).max(axis=-1).min(axis=1)
    np.testing.assert_allclose(distances, 0.0, atol=1e-12)
    assert len(np.unique(steps[:, 0])) > 20


# ---------------------------------------------------------------------------- seeds and members


@pytest.mark.parametrize("sampling", ["shuffle", "replacement"])
def test_the_same_seed_gives_the_same_run_and_another_seed_another(sampling):
    kw = {"steps": 80, "lr": 0.05, "batch_size": 3, "sampling": sampling}
    a = run(REGRESSION, "momentum", REGRESSION.start, seed=4, **kw)
    b = run(REGRESSION, "momentum", REGRESSION.start, seed=4, **kw)
    c = run(REGRESSION, "momentum", REGRESSION.start, seed=5, **kw)
    np.testing.assert_array_equal(a.path, b.path)
    np.testing.assert_array_equal(a.batches, b.batches)
    assert not np.array_equal(a.batches, c.batches) and not np.allclose(a.path, c.path)
    assert a.batches.shape == (80, 3) and a.batches.dtype.kind == "i"
    assert run(REGRESSION, "momentum", REGRESSION.start, 80, lr=0.05).batches is None


@pytest.mark.parametrize("optimizer", IDS)
@pytest.mark.parametrize("sampling", ["shuffle", "replacement"])
def test_run_is_member_zero_and_members_ignore_the_batch_size(optimizer, sampling):
    surface = REGRESSION
    kw = {"steps": 40, "batch_size": 5, "sampling": sampling, "seed": 9}
    lr = _lr(optimizer, surface)
    single = run(surface, optimizer, surface.start, lr=lr, **kw)
    four = run_batch(surface, optimizer, surface.start, lr=np.full(4, lr), **kw)
    six = run_batch(surface, optimizer, surface.start, lr=np.full(6, lr), **kw)
    np.testing.assert_allclose(four.path[:, 0], single.path, rtol=1e-12, atol=1e-14)
    np.testing.assert_array_equal(four.batches[0], single.batches)
    np.testing.assert_array_equal(six.path[:, :4], four.path)
    np.testing.assert_array_equal(six.batches[:4], four.batches)
    assert not np.array_equal(four.batches[0], four.batches[1])


def test_every_member_averages_the_examples_it_drew():
    # SGD is θ ← θ − α ĝ: replay each member from its recorded batches and per-example gradients
    lr = np.array([0.02, 0.05, 0.1])
    tb = run_batch(RAW, "sgd", RAW.start, 30, lr=lr * 0.01, batch_size=6, seed=2)
    for b in range(3):
        theta = np.array(RAW.start)
        for t in range(30):
            theta = theta - lr[b] * 0.01 * RAW.example_grads(theta)[tb.batches[b, t]].mean(axis=0)
            np.testing.assert_allclose(tb.path[t + 1, b], theta, rtol=1e-12, atol=1e-14)


@settings(max_examples=30, deadline=None)
@given(
    m=st.integers(1, N),
    steps=st.integers(1, 120),
    seed=st.integers(0, 2**32),
    members=st.integers(1, 5),
)
def test_shuffled_epochs_visit_every_example_once(m, steps, seed, members):
    tb = run_batch(
        REGRESSION,
        "sgd",
        REGRESSION.start,
        steps,
        lr=1e-3,
        batch_size=m,
        seed=seed,
        noise=np.zeros(members),
    )
    assert tb.batches.shape == (members, steps, m)
    for stream in tb.batches.reshape(members, -1).astype(int):
        whole = len(stream) // N * N
        for epoch in stream[:whole].reshape(-1, N):
            np.testing.assert_array_equal(np.sort(epoch), np.arange(N))
        assert len(set(stream[whole:])) == len(stream) - whole  # the unfinished epoch


def test_replacement_draws_every_example_about_equally_often():
    tb = run_batch(
        REGRESSION,
        "sgd",
        REGRESSION.start,
        500,
        lr=1e-3,
        batch_size=8,
        sampling="replacement",
        noise=np.zeros(50),
    )
    counts = np.bincount(tb.batches.ravel(), minlength=N)
    expected = tb.batches.size / N
    assert counts.min() > 0 and np.abs(counts - expected).max() < 5 * np.sqrt(expected)
    # repeats within a batch happen, as they should with replacement
    assert any(len(set(batch)) < 8 for batch in tb.batches.reshape(-1, 8)[:200])


# ---------------------------------------------------------------------------- every optimizer


@pytest.mark.parametrize("optimizer", IDS)
def test_every_optimizer_takes_mini_batch_gradients_at_its_eval_point(optimizer):
    surface = LOGISTIC
    lr = _lr(optimizer, surface)
    # Newton divides a sampled gradient by the exact (here small) curvature: damping bounds it
    hyper = {"damping": 0.1} if optimizer == "newton" else {}
    t = run(
        surface, optimizer, surface.start, 150, lr=lr, batch_size=8, seed=1, noise=0.05, **hyper
    )
    assert t.diverged_at is None and np.isfinite(t.path).all()
    assert t.loss[-30:].mean() < t.loss[0]
    sampled = np.array(
        [
            surface.example_grads(p)[idx].mean(axis=0)
            for p, idx in zip(t.eval_points, t.batches, strict=True)
        ]
    )
    xi = np.random.default_rng(1).standard_normal((1, 150, 2))[0]  # the noise rule, on top
    np.testing.assert_allclose(t.grads, sampled + 0.05 * xi, rtol=1e-10, atol=1e-12)


# ---------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("surface", "change", "message"),
    [
        (get_surface("bowl"), {"batch_size": 4}, "batch_size needs a data surface"),
        (parse_surface("x^2 + y^2"), {"batch_size": 1}, "batch_size needs a data surface"),
        (REGRESSION, {"batch_size": 0}, "Invalid batch_size: 0 (an integer from 1 to 40"),
        (REGRESSION, {"batch_size": 41}, "Invalid batch_size: 41"),
        (REGRESSION, {"batch_size": 2.5}, "Invalid batch_size: 2.5"),
        (REGRESSION, {"batch_size": 8.0}, "Invalid batch_size: 8.0"),
        (REGRESSION, {"batch_size": True}, "Invalid batch_size: True"),
        (REGRESSION, {"batch_size": "8"}, "Invalid batch_size: '8'"),
        (REGRESSION, {"batch_size": 8, "sampling": "random"}, "Invalid sampling: 'random'"),
        (REGRESSION, {"sampling": None}, "Invalid sampling: None"),
    ],
)
def test_bad_mini_batch_requests(surface, change, message):
    for call in (run, run_batch):
        with pytest.raises(OptimizerError) as caught:
            call(surface, "sgd", (1.0, 1.0), 10, **change)
        assert str(caught.value).startswith(message)


def test_numpy_integers_are_batch_sizes():
    a = run(REGRESSION, "sgd", (1.0, 1.0), 10, batch_size=np.int64(4))
    b = run(REGRESSION, "sgd", (1.0, 1.0), 10, batch_size=4)
    np.testing.assert_array_equal(a.path, b.path)


@pytest.mark.parametrize("sampling", ["shuffle", "replacement"])
@pytest.mark.parametrize(("n", "m"), [(40, 8), (7, 3), (300, 5)])
def test_the_batches_are_the_documented_draws_from_raw_pcg64_words(sampling, n, m):
    """``batch_indices`` as optim_core._minibatch's docstring defines it, written out member by
    member from ``PCG64.random_raw``: the stream a seed gives stays the same."""
    from optim_core._minibatch import batch_indices

    seed, members, steps = 11, 5, 9
    bits = np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(1,)))
    small = n <= 256
    per_member = steps * m if sampling == "replacement" else -(-steps * m // n) * n
    expected = []
    for _ in range(members):
        words = bits.random_raw(-(-per_member // 2) if small else per_member)
        keys = (words.view(np.uint32) if small else words)[:per_member].astype(object)
        width = 32 if small else 64
        if sampling == "replacement":
            k = 24 if small else 32
            drawn = [(int(key) >> (width - k)) * n >> k for key in keys]
        else:
            low = (1 << max(1, (n - 1).bit_length())) - 1
            drawn = []
            for epoch in range(per_member // n):
                chunk = keys[epoch * n : (epoch + 1) * n]
                tagged = sorted((int(key) & ~low) | i for i, key in enumerate(chunk))
                drawn += [key & low for key in tagged]
        expected.append(drawn[: steps * m])
    got = batch_indices(n, m, sampling, seed, members, steps)
    np.testing.assert_array_equal(got.reshape(members, -1), np.array(expected))
