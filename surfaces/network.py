"""A small neural network's training loss as a surface in P dimensions: the same optimizers,
the same runner, a real network.

The network is a multilayer perceptron on 2D inputs: hidden layers of the given widths with
``tanh`` or ``relu``, then one linear output s (a logit). Its loss is the mean over the N
training examples of

- ``"bce"`` (binary cross-entropy, the default): ℓ = log(1 + eˢ) − y·s for the label y ∈ {0, 1},
  i.e. −log σ(s) for y = 1 and −log(1 − σ(s)) for y = 0;
- ``"mse"`` (squared error): ℓ = ½(s − t)² with the target t = 2y − 1 ∈ {−1, +1};

plus, optionally, L2: (λ/2)‖θ‖² over every parameter.

θ is one flat vector of P numbers, layer by layer: the weights W (fan_in × fan_out, row by
row) and then the biases b (fan_out) of each layer, the output layer last. A layer computes
z = aW + b from the previous activations a (rows are examples).

Everything is exact and NumPy only: the gradient by backpropagation, Hessian-vector products
by the R-operator (Pearlmutter 1994: a forward pass of directional derivatives, then the
backward pass differentiated along v), the Hessian as P of them, per-example gradients for
mini-batches. Every function takes θ with any leading axes (..., P), so the runner steps a
batch of networks at once.
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass

import numpy as np

from ._surface import SurfaceError
from .network_data import DATASETS, dataset

ACTIVATIONS = ("tanh", "relu")
LOSSES = {"bce": "cross-entropy", "mse": "squared error"}
MAX_WIDTH = 64
MAX_DEPTH = 3
HESSIAN_LIMIT = 160  # the largest P whose exact Hessian (P Hessian-vector products) is offered
DIVERGENCE_NORM = 1e4  # ‖θ‖ beyond which a run has diverged
_CHUNK = 2**19  # floats per hidden activation array: leading rows are processed in blocks


def _act(name, z):
    """The activation at z."""
    return np.tanh(z) if name == "tanh" else np.maximum(z, 0.0)


def _slopes(name, z, a):
    """(a′, a″) at z, whose activation is a (a″ None for relu: 0 wherever it exists)."""
    if name == "tanh":
        d1 = 1.0 - a * a
        return d1, -2.0 * a * d1
    return (z > 0).astype(z.dtype), None


def _loss_terms(kind, s, y):
    """Per example: (ℓ, ℓ′, ℓ″) with respect to the output s."""
    if kind == "bce":
        p = 0.5 * (1.0 + np.tanh(0.5 * s))  # σ(s), without overflow
        return np.logaddexp(0.0, s) - y * s, p - y, p * (1.0 - p)
    t = 2.0 * y - 1.0
    return 0.5 * (s - t) ** 2, s - t, np.ones_like(s)


@dataclass(frozen=True, eq=False)
class Network:
    """The loss of an MLP on one of the data sets of ``network_data`` (see the module)."""

    dataset: str
    hidden: tuple[int, ...]
    activation: str = "tanh"
    loss: str = "bce"
    l2: float = 0.0
    seed: int = 0

    id = "network"
    hessian_limit = HESSIAN_LIMIT

    # ---- shape -------------------------------------------------------------------------
    @functools.cached_property
    def layers(self) -> tuple[tuple[int, int], ...]:
        """(fan_in, fan_out) of each layer, the output layer last."""
        widths = (2, *self.hidden, 1)
        return tuple(itertools.pairwise(widths))

    @property
    def dim(self) -> int:
        """P, the number of parameters."""
        return sum(i * o + o for i, o in self.layers)

    @property
    def name(self) -> str:
        shape = "–".join(str(h) for h in self.hidden)
        return f"{DATASETS[self.dataset]} · {shape} {self.activation}"

    @property
    def key(self) -> str:
        """Identifies this network for caches."""
        return (f"network:{self.dataset}:{self.hidden}:{self.activation}:{self.loss}:"
                f"{self.l2!r}:{self.seed}")  # fmt: skip

    @property
    def data(self) -> tuple[np.ndarray, np.ndarray]:
        """The training set: X (N, 2), y (N,) with labels 0 and 1."""
        return dataset(self.dataset, self.seed)[0]

    @property
    def test_data(self) -> tuple[np.ndarray, np.ndarray]:
        """The held-out test set, from the same distribution."""
        return dataset(self.dataset, self.seed)[1]

    @property
    def n_examples(self) -> int:
        return len(self.data[1])

    @property
    def view(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """A square around both data sets, for drawing the decision boundary."""
        points = np.concatenate([self.data[0], self.test_data[0]])
        reach = float(np.abs(points).max()) * 1.1
        return (-reach, reach), (-reach, reach)

    def divergence_bound(self) -> tuple[np.ndarray, float]:
        """The runner's divergence rule: ‖θ‖ > ``DIVERGENCE_NORM``."""
        return np.zeros(self.dim), DIVERGENCE_NORM

    def init(self, seed: int = 0) -> np.ndarray:
        """θ₀ (P,): weights N(0, gain²/fan_in) (gain 1 for tanh, √2 for relu), biases 0."""
        rng = np.random.default_rng(seed)
        gain = 1.0 if self.activation == "tanh" else math.sqrt(2.0)
        parts = []
        for fan_in, fan_out in self.layers:
            parts.append(rng.standard_normal(fan_in * fan_out) * gain / math.sqrt(fan_in))
            parts.append(np.zeros(fan_out))
        return np.concatenate(parts)

    def unflatten(self, theta) -> list[tuple[np.ndarray, np.ndarray]]:
        """[(W (..., fan_in, fan_out), b (..., 1, fan_out)), ...] of θ (..., P), as views."""
        theta = np.asarray(theta, dtype=float)
        lead, out, first = theta.shape[:-1], [], 0
        for fan_in, fan_out in self.layers:
            w = theta[..., first : first + fan_in * fan_out].reshape(*lead, fan_in, fan_out)
            first += fan_in * fan_out
            b = theta[..., first : first + fan_out].reshape(*lead, 1, fan_out)
            first += fan_out
            out.append((w, b))
        return out

    def neuron_groups(self) -> list[np.ndarray]:
        """The indices into θ of each neuron's incoming weights and bias (the 'filters' of
        filter normalization, Li et al. 2018)."""
        groups, first = [], 0
        for fan_in, fan_out in self.layers:
            weights = first + np.arange(fan_in * fan_out).reshape(fan_in, fan_out)
            first += fan_in * fan_out
            for j in range(fan_out):
                groups.append(np.append(weights[:, j], first + j))
            first += fan_out
        return groups

    # ---- the passes --------------------------------------------------------------------
    def _forward(self, theta, x, slopes=False):
        """Layers, activations, pre-activations and (with ``slopes``) the activation's
        (a′, a″) at each hidden layer: x (n, 2) or (K, n, 2)."""
        layers = self.unflatten(theta)
        acts, zs, derivs = [x], [], []
        for i, (w, b) in enumerate(layers):
            z = acts[-1] @ w + b
            zs.append(z)
            if i < len(layers) - 1:
                acts.append(_act(self.activation, z))
                if slopes:
                    derivs.append(_slopes(self.activation, z, acts[-1]))
        return layers, acts, zs, derivs

    def _blocks(self, theta, fn, *rest):
        """fn(θ block, *rest blocks) over blocks of the leading rows of θ (K, P)."""
        rows = max(1, _CHUNK // (self.n_examples * max((*self.hidden, 2))))
        if len(theta) <= rows:
            return fn(theta, *rest)
        parts = [fn(theta[i : i + rows], *(r[i : i + rows] for r in rest))
                 for i in range(0, len(theta), rows)]  # fmt: skip
        return np.concatenate(parts)

    def _mean_loss(self, theta, x, y):
        with np.errstate(all="ignore"):
            s = self._forward(theta, x)[2][-1][..., 0]
            value = _loss_terms(self.loss, s, y)[0].mean(axis=-1)
            if self.l2:
                value = value + 0.5 * self.l2 * (theta * theta).sum(axis=-1)
        return value

    def _grad(self, theta, x, y, per_example=False):
        """The mean gradient (K, P), or per example (K, n, P)."""
        with np.errstate(all="ignore"):
            layers, acts, zs, derivs = self._forward(theta, x, slopes=True)
            n = y.shape[-1]
            delta = _loss_terms(self.loss, zs[-1][..., 0], y)[1][..., None]
            if not per_example:
                delta = delta / n
            parts = []
            for i in range(len(layers) - 1, -1, -1):
                a = acts[i]
                if per_example:
                    gw = a[..., :, :, None] * delta[..., :, None, :]
                    gw = gw.reshape(*delta.shape[:-1], -1)
                    gb = delta
                else:
                    gw = (np.swapaxes(a, -1, -2) @ delta).reshape(len(theta), -1)
                    gb = delta.sum(axis=-2)
                parts[:0] = [np.broadcast_to(gw, (*gb.shape[:-1], gw.shape[-1])), gb]
                if i:
                    delta = (delta @ np.swapaxes(layers[i][0], -1, -2)) * derivs[i - 1][0]
            out = np.concatenate(parts, axis=-1)
            if self.l2:
                out = out + self.l2 * (theta[:, None] if per_example else theta)
        return out

    def _hvp(self, theta, v, x, y):
        """H(θ)·v for rows θ, v (K, P), or one θ (1, P) and K directions v: the R-operator
        (the forward pass is then made once, for all directions)."""
        with np.errstate(all="ignore"):
            layers, acts, zs, derivs = self._forward(theta, x, slopes=True)
            vs = self.unflatten(v)
            n = y.shape[-1]
            ra, rzs = 0.0, []
            for i, ((w, _), (vw, vb)) in enumerate(zip(layers, vs, strict=True)):
                rz = acts[i] @ vw + vb
                if i:
                    rz = rz + ra @ w
                rzs.append(rz)
                if i < len(layers) - 1:
                    ra = derivs[i][0] * rz
            _, d1, d2 = _loss_terms(self.loss, zs[-1][..., 0], y)
            delta, rdelta = d1[..., None] / n, d2[..., None] * rzs[-1] / n
            parts = []
            for i in range(len(layers) - 1, -1, -1):
                a = acts[i]
                rgw = np.swapaxes(a, -1, -2) @ rdelta
                if i:
                    ra_prev = derivs[i - 1][0] * rzs[i - 1]
                    rgw = rgw + np.swapaxes(ra_prev, -1, -2) @ delta
                parts[:0] = [rgw.reshape(len(v), -1), rdelta.sum(axis=-2)]
                if i:
                    w, vw = layers[i][0], vs[i][0]
                    back = delta @ np.swapaxes(w, -1, -2)
                    d1p, d2p = derivs[i - 1]
                    rdelta = rdelta @ np.swapaxes(w, -1, -2) + delta @ np.swapaxes(vw, -1, -2)
                    rdelta = rdelta * d1p
                    if d2p is not None:
                        rdelta = rdelta + back * d2p * rzs[i - 1]
                    delta = back * d1p
            out = np.concatenate(parts, axis=-1)
            if self.l2:
                out = out + self.l2 * v
        return out

    # ---- the public surface ------------------------------------------------------------
    def _rows(self, theta):
        theta = np.asarray(theta, dtype=float)
        if theta.shape[-1:] != (self.dim,):
            raise SurfaceError(
                f"This network has P = {self.dim} parameters; got an array of shape {theta.shape}"
            )
        return theta.reshape(-1, self.dim), theta.shape[:-1]

    def f(self, theta) -> np.ndarray:
        """The mean training loss at θ (..., P): (...)."""
        rows, lead = self._rows(theta)
        x, y = self.data
        return self._blocks(rows, lambda t: self._mean_loss(t, x, y)).reshape(lead)

    def test_loss(self, theta) -> np.ndarray:
        """The mean loss over the test set (L2 not included): (...)."""
        rows, lead = self._rows(theta)
        x, y = self.test_data
        plain = Network(self.dataset, self.hidden, self.activation, self.loss, 0.0, self.seed)
        return self._blocks(rows, lambda t: plain._mean_loss(t, x, y)).reshape(lead)

    def grad(self, theta) -> np.ndarray:
        """∇f at θ (..., P): (..., P), by backpropagation."""
        rows, lead = self._rows(theta)
        x, y = self.data
        return self._blocks(rows, lambda t: self._grad(t, x, y)).reshape(*lead, self.dim)

    def hvp(self, theta, v) -> np.ndarray:
        """The exact Hessian-vector product ∇²f(θ)·v: θ, v (..., P) (broadcast) -> (..., P)."""
        theta, v = np.broadcast_arrays(np.asarray(theta, float), np.asarray(v, float))
        rows, lead = self._rows(theta)
        x, y = self.data
        out = self._blocks(rows, lambda t, u: self._hvp(t, u, x, y), v.reshape(-1, self.dim))
        return out.reshape(*lead, self.dim)

    def hessian(self, theta) -> np.ndarray:
        """∇²f at θ (..., P): (..., P, P), as P Hessian-vector products (symmetrized)."""
        rows, lead = self._rows(theta)
        if self.dim > self.hessian_limit:
            raise SurfaceError(
                f"The exact Hessian of a network with P = {self.dim} parameters is not "
                f"offered (at most {self.hessian_limit}): use Hessian-vector products"
            )
        p, (x, y) = self.dim, self.data
        h = np.stack([self._hvp(row[None], np.eye(p), x, y) for row in rows])
        return (0.5 * (h + np.swapaxes(h, -1, -2))).reshape(*lead, p, p)

    def example_losses(self, theta, indices=None) -> np.ndarray:
        """Per-example losses (L2 shared out: each carries it whole, so their mean is f)."""
        rows, lead = self._rows(theta)
        x, y = self.data
        if indices is not None:
            idx = np.broadcast_to(indices, (*lead, np.shape(indices)[-1])).reshape(len(rows), -1)
            x, y = x[idx], y[idx]
        with np.errstate(all="ignore"):
            s = self._forward(rows, x)[2][-1][..., 0]
            out = _loss_terms(self.loss, s, y)[0]
            if self.l2:
                out = out + 0.5 * self.l2 * (rows * rows).sum(axis=-1, keepdims=True)
        return out.reshape(*lead, -1)

    def example_grads(self, theta, indices=None) -> np.ndarray:
        """Per-example gradients at θ (..., P): (..., N, P), or (..., m, P) for ``indices``
        (..., m); their mean over all N examples is ``grad``."""
        rows, lead = self._rows(theta)
        x, y = self.data
        if indices is not None:
            idx = np.broadcast_to(indices, (*lead, np.shape(indices)[-1])).reshape(len(rows), -1)
            x, y = x[idx], y[idx]
        out = self._grad(rows, x, y, per_example=True)
        return out.reshape(*lead, -1, self.dim)

    def minibatch_grad(self, theta, indices) -> np.ndarray:
        """The mean gradient over the examples ``indices`` (B, m) at θ (B, P): (B, P)."""
        rows, lead = self._rows(theta)
        idx = np.asarray(indices).reshape(len(rows), -1)
        x, y = self.data
        return self._grad(rows, x[idx], y[idx]).reshape(*lead, self.dim)

    def predict(self, theta, points) -> np.ndarray:
        """P(class 1) at points (M, 2) for one θ (P,): σ(s) under cross-entropy, (1 + s)/2
        clipped to [0, 1] under squared error. The decision boundary is s = 0 in both."""
        rows, _ = self._rows(theta)
        with np.errstate(all="ignore"):
            s = self._forward(rows[:1], np.asarray(points, float))[2][-1][0, :, 0]
        if self.loss == "bce":
            return 0.5 * (1.0 + np.tanh(0.5 * s))
        return np.clip(0.5 * (1.0 + s), 0.0, 1.0)

    def accuracy(self, theta, test: bool = False) -> np.ndarray:
        """The share of examples classified right (s > 0 ⇔ class 1) at θ (..., P): (...)."""
        rows, lead = self._rows(theta)
        x, y = self.test_data if test else self.data
        with np.errstate(all="ignore"):
            s = self._blocks(rows, lambda t: self._forward(t, x)[2][-1][..., 0])
        return ((s > 0) == (y > 0.5)).mean(axis=-1).reshape(lead)


def get_network(
    name: str = "moons",
    hidden=(16, 16),
    seed: int = 0,
    *,
    activation: str = "tanh",
    loss: str = "bce",
    l2: float = 0.0,
) -> Network:
    """The loss of a small MLP on the data set ``name`` (``moons``, ``circles``, ``spirals``,
    ``xor``; drawn with ``seed``): hidden layer widths ``hidden`` (1 to 3 layers of 1 to 64),
    ``activation`` ``tanh`` or ``relu``, ``loss`` ``bce`` or ``mse``, L2 weight ``l2`` ≥ 0.
    Raises SurfaceError on anything else."""
    if not isinstance(name, str) or name not in DATASETS:
        raise SurfaceError(f"Unknown data set {name!r} (use one of {', '.join(DATASETS)})")
    try:
        if not isinstance(hidden, list | tuple | np.ndarray) or any(
            isinstance(h, bool | str) for h in hidden
        ):
            raise TypeError
        widths = tuple(int(h) for h in hidden)
        whole = all(float(h) == w for h, w in zip(hidden, widths, strict=True))
    except (TypeError, ValueError, OverflowError):
        raise SurfaceError(f"Invalid hidden layers {hidden!r} (a tuple of widths)") from None
    if (
        not whole
        or not 1 <= len(widths) <= MAX_DEPTH
        or not all(1 <= h <= MAX_WIDTH for h in widths)
    ):
        raise SurfaceError(
            f"Invalid hidden layers {hidden!r}: 1 to {MAX_DEPTH} layers of 1 to {MAX_WIDTH} units"
        )
    if not isinstance(activation, str) or activation not in ACTIVATIONS:
        raise SurfaceError(f"Unknown activation {activation!r} (use tanh or relu)")
    if not isinstance(loss, str) or loss not in LOSSES:
        raise SurfaceError(f"Unknown loss {loss!r} (use bce or mse)")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise SurfaceError(f"Invalid seed {seed!r} (an integer >= 0)")
    try:
        weight = float(l2) if isinstance(l2, int | float) and not isinstance(l2, bool) else None
    except OverflowError:
        weight = None
    if weight is None or not (math.isfinite(weight) and weight >= 0):
        raise SurfaceError(f"Invalid L2 weight {l2!r} (a number >= 0)")
    return Network(name, widths, activation, loss, weight, int(seed))
