"""Mini-batches on a network, as on the data surfaces (tests/test_minibatch.py): a batch of all
N examples in shuffled epochs is the exact gradient, batches are seeded, ``run`` is member 0 of
``run_batch``, and every step averages the per-example gradients of the examples it drew."""

import numpy as np
import pytest

from optim_core import OPTIMIZERS, OptimizerError, run, run_batch
from surfaces.network import get_network

IDS = list(OPTIMIZERS)
LR = {  # a rate at which 25 full-batch steps lower the loss on both networks
    "sgd": 0.5,
    "momentum": 0.1,
    "nesterov": 0.1,
    "nesterov_reparam": 0.1,
    "adagrad": 0.1,
    "rmsprop": 0.01,
    "rmsprop_nesterov": 0.01,
    "adam": 0.02,
    "adamw": 0.02,
    "amsgrad": 0.02,
    "nadam": 0.02,
    "adadelta": 1.0,
    "newton": 0.5,
    "lion": 0.002,
}
EXTRA = {"newton": {"saddle_free": True, "damping": 0.1}}  # plain Newton climbs the saddles
NETS = {
    "moons-8-tanh-bce": get_network("moons", (8,), 0),
    "spirals-6x5-relu-mse-l2": get_network(
        "spirals", (6, 5), 0, activation="relu", loss="mse", l2=1e-3
    ),
}
N = 160


def _kw(optimizer):
    return {"lr": LR[optimizer], **EXTRA.get(optimizer, {})}


def test_every_optimizer_has_a_rate_here():
    assert set(LR) == set(IDS)


@pytest.mark.parametrize("optimizer", IDS)
@pytest.mark.parametrize("net_id", NETS)
def test_a_batch_of_all_examples_in_shuffled_epochs_is_the_full_gradient(net_id, optimizer):
    net = NETS[net_id]
    start = net.init(0)
    exact = run(net, optimizer, start, 25, **_kw(optimizer))
    full = run(
        net, optimizer, start, 25, batch_size=N, sampling="shuffle", seed=5, **_kw(optimizer)
    )
    assert exact.diverged_at is None and full.diverged_at is None
    assert exact.loss[-1] < exact.loss[0]
    # the same examples summed in another order: equal up to rounding, step after step
    np.testing.assert_allclose(full.path, exact.path, rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(full.loss, exact.loss, rtol=1e-12)
    np.testing.assert_allclose(full.grads, exact.grads, rtol=1e-9, atol=1e-13)
    np.testing.assert_array_equal(np.sort(full.batches, axis=1), np.tile(np.arange(N), (25, 1)))
    assert not np.array_equal(full.batches[0], np.arange(N))  # shuffled, yet the same mean


@pytest.mark.parametrize("sampling", ["shuffle", "replacement"])
def test_the_same_seed_gives_the_same_run_and_another_seed_another(sampling):
    net = NETS["moons-8-tanh-bce"]
    kw = {"steps": 40, "lr": 0.05, "momentum": 0.9, "batch_size": 16, "sampling": sampling}
    a = run(net, "momentum", net.init(0), seed=4, **kw)
    b = run(net, "momentum", net.init(0), seed=4, **kw)
    c = run(net, "momentum", net.init(0), seed=5, **kw)
    np.testing.assert_array_equal(a.path, b.path)
    np.testing.assert_array_equal(a.batches, b.batches)
    assert a.batches.shape == (40, 16) and a.path.shape == (41, net.dim)
    assert not np.array_equal(a.batches, c.batches)
    assert np.abs(a.path[-1] - c.path[-1]).max() > 1e-4
    exact = run(net, "momentum", net.init(0), 40, lr=0.05, momentum=0.9)
    assert exact.batches is None and np.abs(a.path[-1] - exact.path[-1]).max() > 1e-4


@pytest.mark.parametrize("optimizer", IDS)
@pytest.mark.parametrize("sampling", ["shuffle", "replacement"])
def test_run_is_member_zero_of_run_batch_on_a_network(optimizer, sampling):
    net = NETS["spirals-6x5-relu-mse-l2"]
    kw = {"steps": 20, "batch_size": 24, "sampling": sampling, "seed": 9, **_kw(optimizer)}
    single = run(net, optimizer, net.init(0), **kw)
    lr = kw.pop("lr")
    three = run_batch(net, optimizer, net.init(0), lr=np.full(3, lr), **kw)
    assert three.path.shape == (21, 3, net.dim)
    np.testing.assert_allclose(three.path[:, 0], single.path, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(three.loss[:, 0], single.loss, rtol=1e-12)
    np.testing.assert_array_equal(three.batches[0], single.batches)
    assert not np.array_equal(three.batches[0], three.batches[1])


def test_members_start_from_their_own_parameters():
    net = NETS["moons-8-tanh-bce"]
    starts = np.stack([net.init(s) for s in range(3)])
    tb = run_batch(net, "adam", starts, 15, lr=np.array([0.01, 0.02, 0.03]), batch_size=32, seed=1)
    for b in range(3):
        t = run(net, "adam", starts[b], 15, lr=[0.01, 0.02, 0.03][b], batch_size=32, seed=1)
        if b == 0:
            np.testing.assert_allclose(tb.path[:, 0], t.path, rtol=1e-12, atol=1e-14)
        np.testing.assert_array_equal(tb.path[0, b], starts[b])
        assert not np.allclose(tb.path[-1, b], starts[b])


def test_every_sgd_step_averages_the_examples_it_drew():
    # SGD is θ ← θ − α ĝ: replay each member from its recorded batches and per-example gradients
    net = NETS["spirals-6x5-relu-mse-l2"]
    lr = np.array([0.05, 0.1])
    starts = np.stack([net.init(0), net.init(1)])
    tb = run_batch(net, "sgd", starts, 12, lr=lr, batch_size=7, sampling="replacement", seed=2)
    for b in range(2):
        theta = starts[b]
        for t in range(12):
            theta = theta - lr[b] * net.example_grads(theta)[tb.batches[b, t]].mean(axis=0)
            np.testing.assert_allclose(tb.path[t + 1, b], theta, rtol=1e-12, atol=1e-14)


def test_shuffled_epochs_visit_every_example_once():
    net = NETS["moons-8-tanh-bce"]
    t = run(net, "sgd", net.init(0), 30, lr=0.1, batch_size=32, seed=3)
    stream = t.batches.ravel()
    for epoch in stream.reshape(-1, N):  # 30 × 32 = 6 epochs of 160
        np.testing.assert_array_equal(np.sort(epoch), np.arange(N))
    assert not np.array_equal(stream[:N], stream[N : 2 * N])


@pytest.mark.parametrize("m", [0, N + 1, 2.5, True])
def test_a_batch_size_beyond_the_examples_is_refused(m):
    net = NETS["moons-8-tanh-bce"]
    with pytest.raises(OptimizerError, match=f"1 to {N}"):
        run(net, "sgd", net.init(0), 5, lr=0.1, batch_size=m)
