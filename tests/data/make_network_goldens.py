"""Write tests/data/network_goldens.json: torch.optim training a small network, in float64.

The network is rebuilt in torch from its definition (surfaces/network.py's docstring), not from
our code: the flat parameter vector θ holds, layer by layer, W (fan_in × fan_out, row by row)
and then b; a layer is ``torch.nn.functional.linear(a, Wᵀ, b)`` (torch's weight is out × in),
hidden layers tanh or relu, one output logit s. The loss is the mean over the training set of
``binary_cross_entropy_with_logits(s, y)`` ("bce") or ½(s − t)² with t = 2y − 1 ("mse"), plus
(λ/2)‖θ‖² when the network has L2. Only the data X, y and the start θ₀ = ``net.init(seed)``
come from Descent Lab (so both sides train on the same numbers). The optimizer steps the one
flat leaf tensor θ with the gradient of torch's autograd; a Hessian-vector product is torch's
double backward.

torch is not a dependency of the project or its tests. To regenerate (from the repository's
root; torch's CPU wheel in a throw-away venv):

    python -m venv /tmp/torchvenv && /tmp/torchvenv/bin/pip install torch==2.13.0 numpy
    /tmp/torchvenv/bin/python tests/data/make_network_goldens.py

Conventions as in make_torch_goldens.py (whose ``make`` builds the optimizers): hyperparameter
names are Descent Lab's; ``path`` rows are the iterates after the steps listed in ``at`` (0 is
the start; see ``MAIN_AT``); ``loss[t]`` is the loss at the iterate after step t, every t.
Numbers are stored to 12 significant digits (a relative rounding of at most 5e-12), which keeps
the file small.
"""

import itertools
import json
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

HERE = Path(__file__).parent
sys.path[:0] = [str(HERE.parents[1]), str(HERE)]

from make_torch_goldens import make  # noqa: E402

from surfaces.network import get_network  # noqa: E402

torch.set_default_dtype(torch.float64)
STEPS = 30
# The iterates kept (the loss is kept after every step): GD, momentum and Adam every step of the
# first ten, where the rules' start-up (bias correction, empty buffers) shows, then every fifth;
# the other optimizers at a few steps. Keeps the file near 90 KB (tests/data's JSON < 300 KB).
MAIN_AT = [*range(11), 15, 20, 25, 30]
FEW_AT = [0, 1, 2, 10, 20, 30]

NETWORKS = {
    "moons-8-tanh-bce": {"name": "moons", "hidden": [8], "activation": "tanh", "loss": "bce"},
    "circles-4x3-relu-mse-l2": {
        "name": "circles",
        "hidden": [4, 3],
        "activation": "relu",
        "loss": "mse",
        "l2": 1e-3,
    },
}
ADAM = {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
CASES = [  # (network, optimizer, hyperparameters, the main three?)
    ("moons-8-tanh-bce", "sgd", {"lr": 0.5}, True),
    ("moons-8-tanh-bce", "momentum", {"lr": 0.1, "momentum": 0.9}, True),
    ("moons-8-tanh-bce", "adam", {"lr": 0.02, **ADAM}, True),
    ("circles-4x3-relu-mse-l2", "sgd", {"lr": 0.1}, True),
    ("circles-4x3-relu-mse-l2", "momentum", {"lr": 0.05, "momentum": 0.9}, True),
    (
        "circles-4x3-relu-mse-l2",
        "adam",
        {"lr": 0.03, "beta1": 0.8, "beta2": 0.99, "eps": 1e-8},
        True,
    ),
    ("moons-8-tanh-bce", "nesterov_reparam", {"lr": 0.1, "momentum": 0.9}, False),
    ("moons-8-tanh-bce", "rmsprop", {"lr": 0.01, "decay": 0.9, "eps": 1e-8}, False),
    ("moons-8-tanh-bce", "adamw", {"lr": 0.02, **ADAM, "weight_decay": 0.1}, False),
    ("moons-8-tanh-bce", "amsgrad", {"lr": 0.02, **ADAM}, False),
    ("moons-8-tanh-bce", "nadam", {"lr": 0.02, **ADAM}, False),
    ("moons-8-tanh-bce", "adagrad", {"lr": 0.1, "eps": 1e-7}, False),
    ("moons-8-tanh-bce", "adadelta", {"lr": 1.0, "decay": 0.9, "eps": 1e-6}, False),
]


def network(spec):
    """Descent Lab's network of a spec (for its data and start only)."""
    kw = dict(spec)
    return get_network(kw.pop("name"), tuple(kw.pop("hidden")), 0, **kw)


def torch_loss(spec, theta, x, y):
    """The network's mean loss at the flat θ, written from its definition."""
    widths = [2, *spec["hidden"], 1]
    a, first = x, 0
    for k, (fan_in, fan_out) in enumerate(itertools.pairwise(widths)):
        w = theta[first : first + fan_in * fan_out].view(fan_in, fan_out)
        first += fan_in * fan_out
        b = theta[first : first + fan_out]
        first += fan_out
        a = F.linear(a, w.T, b)  # torch's weight is (out, in)
        if k < len(widths) - 2:
            a = torch.tanh(a) if spec["activation"] == "tanh" else torch.relu(a)
    assert first == theta.numel()
    s = a[:, 0]
    if spec["loss"] == "bce":
        value = F.binary_cross_entropy_with_logits(s, y)
    else:
        value = (0.5 * (s - (2 * y - 1)) ** 2).mean()
    if spec.get("l2"):
        value = value + 0.5 * spec["l2"] * (theta * theta).sum()
    return value


def _data(spec):
    x, y = network(spec).data
    return torch.tensor(np.array(x)), torch.tensor(np.array(y))


def _round(values):
    return [float(f"{v:.12g}") for v in np.ravel(values)]


def trajectory(net_id, optimizer, hyper, main):
    spec = NETWORKS[net_id]
    x, y = _data(spec)
    theta = torch.tensor(network(spec).init(0), requires_grad=True)
    opt = make(optimizer, [theta], hyper)
    path, losses = [theta.detach().numpy().copy()], []
    for _ in range(STEPS):
        opt.zero_grad()
        loss = torch_loss(spec, theta, x, y)
        loss.backward()
        losses.append(loss.item())
        opt.step()
        path.append(theta.detach().numpy().copy())
    losses.append(torch_loss(spec, theta.detach(), x, y).item())
    at = MAIN_AT if main else FEW_AT
    return {
        "network": net_id,
        "optimizer": optimizer,
        "hyper": hyper,
        "steps": STEPS,
        "at": at,
        "path": [_round(path[t]) for t in at],
        "loss": _round(losses),
    }


def derivatives(net_id, theta, seed):
    """Torch's loss, gradient and Hessian-vector product (double backward) at θ along a seeded
    standard normal v."""
    spec = NETWORKS[net_id]
    x, y = _data(spec)
    t = torch.tensor(theta, requires_grad=True)
    loss = torch_loss(spec, t, x, y)
    (grad,) = torch.autograd.grad(loss, t, create_graph=True)
    v = np.random.default_rng(seed).standard_normal(len(theta))
    (hvp,) = torch.autograd.grad(grad, t, grad_outputs=torch.tensor(v))
    return {
        "network": net_id,
        "theta": theta.tolist(),  # full precision: the point itself
        "v": v.tolist(),
        "loss": loss.item(),
        "grad": grad.detach().numpy().tolist(),
        "hvp": hvp.numpy().tolist(),
    }


def main():
    cases = [trajectory(*case) for case in CASES]
    points = []
    for net_id, spec in NETWORKS.items():
        theta0 = network(spec).init(0)
        rng = np.random.default_rng(1)
        elsewhere = theta0 + 0.3 * rng.standard_normal(len(theta0))  # biases non-zero too
        points += [derivatives(net_id, theta0, 2), derivatives(net_id, elsewhere, 3)]
    golden = {
        "about": (
            f"torch.optim {torch.__version__.split('+')[0]} (float64, foreach=False) training "
            "small networks rebuilt in torch from the flat parameter vector, made by "
            "tests/data/make_network_goldens.py. Hyperparameter names are Descent Lab's; "
            "path rows are the iterates after the steps in 'at'; loss[t] is the loss after "
            "step t. 'derivatives': torch's loss, autograd gradient and double-backward "
            "Hessian-vector product at a point."
        ),
        "networks": NETWORKS,
        "start_seed": 0,
        "cases": cases,
        "derivatives": points,
    }
    out = HERE / "network_goldens.json"
    out.write_text(json.dumps(golden, separators=(",", ":")) + "\n")
    print(f"wrote {len(cases)} runs, {out.stat().st_size / 1024:.0f} KB, to {out}")


if __name__ == "__main__":
    main()
