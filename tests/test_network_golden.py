"""optim_core trains a network as torch.optim does, and the network's derivatives are torch's.

tests/data/network_goldens.json (made by tests/data/make_network_goldens.py with torch 2.13,
which the project does not need): two networks rebuilt in torch from the flat parameter
vector — moons (8,) tanh with cross-entropy, circles (4, 3) ReLU with squared error and L2 —
trained for 30 full-batch steps by every torch.optim class Descent Lab has an equal of, with
torch's autograd gradient; and torch's loss, gradient and double-backward Hessian-vector
product at two points of each network.

Tolerances. Both sides compute the same float64 arithmetic in a different order (BLAS matrix
products, reductions). Measured: the loss, gradient and Hessian-vector product differ from
torch's by ≤ 5e-16 of the vector's largest entry (checked at 1e-13, 1e-12 and 1e-12); along
30 steps the unrounded paths differ by ≤ 2e-15 of max |θ| and the losses by ≤ 1.2e-15
relative. The golden file rounds to 12 significant digits (≤ 5e-12 relative), so paths and
losses are compared at rtol 1e-9, atol 1e-12 (entries near 0: biases start at 0): 200× the
rounding, room for another BLAS, and still far below what a change of rule does — ε inside
Adam's root, no bias correction or Kingma–Ba's ε̂ form each move θ by more than 1 % within the
first steps.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from optim_core import OPTIMIZERS, run
from surfaces.network import get_network

DATA = Path(__file__).parent / "data"
GOLDEN_FILE = DATA / "network_goldens.json"
GOLDEN = json.loads(GOLDEN_FILE.read_text())
RTOL = 1e-9


def _network(net_id):
    spec = dict(GOLDEN["networks"][net_id])
    return get_network(spec.pop("name"), tuple(spec.pop("hidden")), GOLDEN["start_seed"], **spec)


def _max_rel(a, b):
    """max |a − b| / max |b|: the error in units of the vector's size."""
    return float(np.abs(np.asarray(a) - b).max() / np.abs(b).max())


@pytest.mark.parametrize(
    "point", GOLDEN["derivatives"], ids=lambda p: f"{p['network']}-{p['theta'][0]:.3f}"
)
def test_loss_gradient_and_hvp_equal_torch_autograd(point):
    net = _network(point["network"])
    theta, v = np.array(point["theta"]), np.array(point["v"])
    assert float(net.f(theta)) == pytest.approx(point["loss"], rel=1e-13)
    assert _max_rel(net.grad(theta), np.array(point["grad"])) < 1e-12
    assert _max_rel(net.hvp(theta, v), np.array(point["hvp"])) < 1e-12


def test_the_goldens_start_where_the_network_starts():
    # the first derivative point of each network is θ₀ = net.init(seed) at full precision:
    # a change of the initialization or of the data would make the goldens stale
    for net_id in GOLDEN["networks"]:
        net = _network(net_id)
        starts = [p for p in GOLDEN["derivatives"] if p["network"] == net_id]
        np.testing.assert_array_equal(net.init(GOLDEN["start_seed"]), starts[0]["theta"])


def _cases():
    for case in GOLDEN["cases"]:
        yield pytest.param(case, id=f"{case['network']}-{case['optimizer']}")


@pytest.mark.parametrize("case", list(_cases()))
def test_a_network_trains_as_torch_optim_trains_it(case):
    net = _network(case["network"])
    start = net.init(GOLDEN["start_seed"])
    t = run(net, case["optimizer"], start=start, steps=case["steps"], **case["hyper"])
    assert t.path.shape == (case["steps"] + 1, net.dim) and t.diverged_at is None
    np.testing.assert_allclose(t.path[case["at"]], case["path"], rtol=RTOL, atol=1e-12)
    np.testing.assert_allclose(t.loss, case["loss"], rtol=RTOL)
    # the run moved: equality with the start would make the comparison empty
    assert np.abs(t.path[-1] - start).max() > 1e-2
    assert t.loss[-1] < t.loss[0]


def test_goldens_cover_gd_momentum_and_adam_on_both_networks_and_every_torch_optimizer():
    main = {(c["network"], c["optimizer"]) for c in GOLDEN["cases"] if len(c["at"]) > 10}
    assert main == {(n, o) for n in GOLDEN["networks"] for o in ("sgd", "momentum", "adam")}
    torch_like = {k for k, spec in OPTIMIZERS.items() if spec.equals.startswith("torch.optim")}
    assert torch_like == {c["optimizer"] for c in GOLDEN["cases"]}
    for c in GOLDEN["cases"]:
        assert c["at"][:3] == [0, 1, 2] and c["at"][-1] == c["steps"] == 30
        assert len(c["loss"]) == c["steps"] + 1


def test_the_golden_file_is_small():
    assert GOLDEN_FILE.stat().st_size < 100_000
