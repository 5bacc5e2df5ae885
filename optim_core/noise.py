"""Mini-batch gradient noise at one point of a data surface, and the central limit theorem's
prediction of it.

At a point θ, the N per-example gradients gᵢ have mean g = ∇f(θ) and (population) covariance
Σ = (1/N) Σᵢ (gᵢ − g)(gᵢ − g)ᵀ. A mini-batch gradient ĝ = (1/m) Σ_{i ∈ batch} gᵢ has mean g and

* drawn with replacement (m independent draws): Cov ĝ = Σ / m;
* m distinct examples (one batch of a shuffled epoch, drawn without replacement):
  Cov ĝ = Σ / m · (N − m)/(N − 1), the finite-population factor; m = N gives g exactly.

So its spread √trace(Cov ĝ) falls like 1/√m: a slope of −½ on log-log axes. The batches come
from the runner's own index stream (``sampling`` as in ``run``).

Two clouds: ``gradient_noise`` draws the first batch of each of many independent streams (for
``"shuffle"``, m distinct examples: the prediction above), ``run_batches`` every batch one run
drew, step by step. When m does not divide N a shuffled stream's batch can straddle two epochs:
a examples from the end of one permutation and b = m − a from the start of the next, two
independent draws without replacement, so Cov ĝ = Σ/m² · [a(N − a) + b(N − b)]/(N − 1) — larger
than a within-epoch batch's Σ/m · (N − m)/(N − 1), which is the case b = 0.
Plain values in, frozen results out; no Streamlit, no Plotly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from optim_core._minibatch import SAMPLING, batch_indices
from optim_core.spec import OptimizerError

__all__ = [
    "GradientNoise",
    "NoiseScaling",
    "RunBatches",
    "finite_population_factor",
    "gradient_noise",
    "noise_scaling",
    "per_example_covariance",
    "run_batches",
    "straddle_factors",
]

SAMPLES = 400  # mini-batches drawn for a cloud
ROUNDING = 1e-9  # a spread below this × the per-example spread is rounding: 0 (m = N, shuffled)
SIGMAS = (1.0, 2.0)  # the ellipses drawn: k-σ, the set (x − g)ᵀ C⁻¹ (x − g) = k²


def finite_population_factor(n: int, m: int, sampling: str) -> float:
    """(N − m)/(N − 1) for m distinct examples (``"shuffle"``), 1 with replacement."""
    if sampling == "replacement" or n == 1:
        return 1.0
    return (n - m) / (n - 1)


def per_example_covariance(surface, point) -> tuple[np.ndarray, np.ndarray]:
    """(g, Σ): the full gradient (2,) and the per-example gradients' covariance (2, 2), with
    divisor N (the data set is the whole population)."""
    grads = np.asarray(surface.example_grads(np.asarray(point, dtype=float)), dtype=float)
    mean = grads.mean(axis=0)
    centred = grads - mean
    return mean, centred.T @ centred / grads.shape[0]


def _check(surface, batch_size: int, sampling: str, samples: int) -> int:
    n = getattr(surface, "n_examples", 0)
    if not n:
        raise OptimizerError("Gradient noise needs a data surface (such as 'regression')")
    if sampling not in SAMPLING:
        raise OptimizerError(f"Invalid sampling: {sampling!r} (use 'shuffle' or 'replacement')")
    if not 1 <= int(batch_size) <= n:
        raise OptimizerError(f"Invalid batch_size: {batch_size!r} (an integer from 1 to {n})")
    if int(samples) < 2:
        raise OptimizerError(f"Invalid samples: {samples!r} (at least 2 mini-batches)")
    return n


def _cloud(grads: np.ndarray, m: int, sampling: str, samples: int, seed: int) -> np.ndarray:
    """(samples, 2) mini-batch gradients: each member's first batch of the runner's stream (for
    ``"shuffle"``, the first m examples of a fresh permutation: m distinct examples)."""
    indices = batch_indices(grads.shape[0], m, sampling, seed, samples, 1)[:, 0, :]
    return grads[indices.astype(np.intp)].mean(axis=1)


def _spread(cov: np.ndarray) -> float:
    return math.sqrt(max(float(np.trace(cov)), 0.0))


@dataclass(frozen=True, eq=False)
class GradientNoise:
    """The cloud of mini-batch gradients at ``point`` and what the CLT predicts for it.

    ``measured_cov`` is the cloud's covariance about the full gradient (its known mean), so it
    estimates ``predicted_cov`` without bias."""

    point: tuple[float, float]
    batch_size: int
    sampling: str
    n_examples: int
    full_grad: np.ndarray  # (2,) ∇f at the point
    samples: np.ndarray  # (S, 2) mini-batch gradients
    per_example_cov: np.ndarray  # (2, 2) Σ
    predicted_cov: np.ndarray  # (2, 2) Σ/m · factor
    measured_cov: np.ndarray  # (2, 2)

    @property
    def factor(self) -> float:
        """The finite-population factor used (1 with replacement)."""
        return finite_population_factor(self.n_examples, self.batch_size, self.sampling)

    @property
    def predicted_spread(self) -> float:
        """√trace of the predicted covariance: the RMS distance of ĝ from ∇f."""
        return _spread(self.predicted_cov)

    @property
    def measured_spread(self) -> float:
        return _spread(self.measured_cov)

    def inside(self, k: float) -> float | None:
        """The fraction of the cloud inside the predicted k-σ ellipse (None when the
        prediction has no spread: every batch is the full gradient)."""
        scale = float(np.trace(self.per_example_cov))
        if not float(np.trace(self.predicted_cov)) > 1e-12 * scale:
            return None
        d = self.samples - self.full_grad
        solved = np.linalg.lstsq(self.predicted_cov, d.T, rcond=None)[0]
        return float(np.mean(np.einsum("ij,ji->i", d, solved) <= k * k))


def gaussian_inside(k: float) -> float:
    """The probability that a 2D Gaussian lies inside its k-σ ellipse: 1 − exp(−k²/2)."""
    return 1.0 - math.exp(-0.5 * k * k)


def gradient_noise(
    surface,
    point,
    batch_size: int,
    sampling: str = "shuffle",
    samples: int = SAMPLES,
    seed: int = 0,
) -> GradientNoise:
    """``samples`` mini-batch gradients of ``batch_size`` examples at ``point``, drawn as
    ``run`` draws them with ``sampling`` and ``seed``, against the CLT's covariance."""
    n = _check(surface, batch_size, sampling, samples)
    m = int(batch_size)
    grads = np.asarray(surface.example_grads(np.asarray(point, dtype=float)), dtype=float)
    full, sigma = per_example_covariance(surface, point)
    cloud = _cloud(grads, m, sampling, int(samples), int(seed))
    d = cloud - full
    return GradientNoise(
        point=(float(point[0]), float(point[1])),
        batch_size=m,
        sampling=sampling,
        n_examples=n,
        full_grad=full,
        samples=cloud,
        per_example_cov=sigma,
        predicted_cov=sigma / m * finite_population_factor(n, m, sampling),
        measured_cov=d.T @ d / len(d),
    )


@dataclass(frozen=True, eq=False)
class NoiseScaling:
    """Measured and predicted spread √trace Cov ĝ for each batch size."""

    sampling: str
    n_examples: int
    sizes: np.ndarray  # (k,) batch sizes m
    measured: np.ndarray  # (k,)
    predicted: np.ndarray  # (k,)
    samples: int

    def slope(self, which: str = "measured", up_to: int | None = None) -> float:
        """The least-squares slope of log spread against log m, over the positive spreads of
        the sizes up to ``up_to`` (default all)."""
        spread = self.measured if which == "measured" else self.predicted
        keep = spread > 0
        if up_to is not None:
            keep &= self.sizes <= up_to
        return float(np.polyfit(np.log(self.sizes[keep]), np.log(spread[keep]), 1)[0])

    @property
    def fit_up_to(self) -> int | None:
        """Where the 1/√m law is compared: every m with replacement; without, m ≤ N/4, before
        the finite-population factor bends the line down to 0 at m = N."""
        return None if self.sampling == "replacement" else max(2, self.n_examples // 4)


def noise_scaling(
    surface,
    point,
    sampling: str = "shuffle",
    sizes=None,
    samples: int = SAMPLES,
    seed: int = 0,
) -> NoiseScaling:
    """The cloud's spread for each batch size in ``sizes`` (default 1 … N), measured from
    ``samples`` mini-batches each and predicted by the CLT."""
    n = _check(surface, 1, sampling, samples)
    sizes = np.arange(1, n + 1) if sizes is None else np.asarray(sizes, dtype=int)
    for m in sizes:
        _check(surface, int(m), sampling, samples)
    grads = np.asarray(surface.example_grads(np.asarray(point, dtype=float)), dtype=float)
    full, sigma = per_example_covariance(surface, point)
    measured, predicted = [], []
    for m in sizes:
        d = _cloud(grads, int(m), sampling, int(samples), int(seed)) - full
        spread = _spread(d.T @ d / len(d))
        measured.append(spread if spread > ROUNDING * _spread(sigma) else 0.0)
        predicted.append(_spread(sigma / m * finite_population_factor(n, int(m), sampling)))
    return NoiseScaling(
        sampling, n, sizes, np.asarray(measured), np.asarray(predicted), int(samples)
    )


# ---------------------------------------------------------------------------- one run's batches


def straddle_factors(n: int, m: int, sampling: str, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """For each step of a run, whether its batch straddles two epochs of a shuffled stream, and
    f_t with Cov ĝ_t = Σ/m · f_t: [a(N − a) + b(N − b)] / (m(N − 1)) for a batch of a examples
    from one epoch and b = m − a from the next (b = 0 within an epoch); 1 with replacement."""
    if sampling == "replacement" or n == 1:
        return np.zeros(steps, dtype=bool), np.ones(steps)
    first = np.arange(steps) * m  # the stream position of each batch's first example
    a = np.minimum(m, n - first % n)  # examples left in its first epoch
    b = m - a
    return b > 0, (a * (n - a) + b * (n - b)) / (m * (n - 1))


@dataclass(frozen=True, eq=False)
class RunBatches:
    """Every mini-batch one run drew (``run``'s index stream for ``sampling`` and ``seed``), its
    gradient at ``point`` and the central limit theorem's covariance for each: Σ/m · f_t
    (``straddle_factors``). ``group`` selects batches: "within" an epoch, "straddling" two, or
    "all"."""

    point: tuple[float, float]
    batch_size: int
    sampling: str
    n_examples: int
    full_grad: np.ndarray  # (2,) ∇f at the point
    per_example_cov: np.ndarray  # (2, 2) Σ
    samples: np.ndarray  # (steps, 2) the mini-batch gradient of each step's batch at the point
    straddles: np.ndarray  # (steps,) bool
    factors: np.ndarray  # (steps,) f_t

    def chosen(self, group: str = "all") -> np.ndarray:
        if group == "all":
            return np.ones(len(self.samples), dtype=bool)
        return self.straddles if group == "straddling" else ~self.straddles

    def count(self, group: str = "all") -> int:
        return int(self.chosen(group).sum())

    def predicted_cov(self, group: str = "all") -> np.ndarray:
        """Σ/m times the mean f_t of the group: the covariance of a batch drawn from it."""
        keep = self.chosen(group)
        mean = float(self.factors[keep].mean()) if keep.any() else math.nan
        return self.per_example_cov / self.batch_size * mean

    def predicted_spread(self, group: str = "all") -> float:
        """The predicted RMS distance of the group's ĝ from ∇f."""
        return _spread(self.predicted_cov(group)) if self.count(group) else math.nan

    def measured_spread(self, group: str = "all") -> float:
        d = self.samples[self.chosen(group)] - self.full_grad
        return math.sqrt(float(np.mean(np.sum(d * d, axis=1)))) if len(d) else math.nan

    def inside(self, k: float, group: str = "all") -> float | None:
        """The fraction of the group's batches inside their own predicted k-σ ellipse (None
        when no batch has spread: every batch is the full gradient, or the group is empty)."""
        scale = float(np.trace(self.per_example_cov))
        keep = self.chosen(group) & (self.factors * scale > 1e-12 * scale)
        if not keep.any():
            return None
        d = self.samples[keep] - self.full_grad
        solved = np.linalg.lstsq(self.per_example_cov / self.batch_size, d.T, rcond=None)[0]
        distance = np.einsum("ij,ji->i", d, solved) / self.factors[keep]
        return float(np.mean(distance <= k * k))


def run_batches(
    surface, point, batch_size: int, sampling: str, seed: int, steps: int
) -> RunBatches:
    """The batches ``run(…, batch_size=m, sampling=…, seed=…, steps=…)`` draws, step by step,
    each one's gradient at ``point``, and the CLT's prediction for each."""
    n = _check(surface, batch_size, sampling, 2)
    m = int(batch_size)
    indices = batch_indices(n, m, sampling, int(seed), 1, int(steps))[0].astype(np.intp)
    point = np.asarray(point, dtype=float)
    grads = np.asarray(surface.example_grads(point), dtype=float)
    full, sigma = per_example_covariance(surface, point)
    straddles, factors = straddle_factors(n, m, sampling, int(steps))
    return RunBatches(
        point=(float(point[0]), float(point[1])),
        batch_size=m,
        sampling=sampling,
        n_examples=n,
        full_grad=full,
        per_example_cov=sigma,
        samples=grads[indices].mean(axis=1),
        straddles=straddles,
        factors=factors,
    )
