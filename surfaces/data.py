"""The small seeded data sets behind the data surfaces, and each one's per-example loss.

Every number is a short decimal (features rounded to 0.01, raw regression x₂ to 0.1), so a
data set is the same on every machine and the surfaces' coefficients print briefly.

- ``regression``: 40 examples (x₁, x₂, t), features and targets centred, x₂ on a much larger
  scale than x₁ (``feature_scale_ratio``), or both standardized; loss (w₁x₁ + w₂x₂ − t)² at
  (x, y) = (w₁, w₂). The data are centred, so the least-squares line needs no bias.
- ``logistic``: 40 examples (x₁, x₂, t), two overlapping, correlated Gaussian classes
  t = ±1 (20 each) centred at ±(1, 0.5); loss log(1 + exp(−t(w₁x₁ + w₂x₂))) at
  (x, y) = (w₁, w₂), no bias (the classes are symmetric about the origin). The classes
  overlap, so the mean loss has a finite minimizer.
"""

from __future__ import annotations

import functools
from fractions import Fraction

import numpy as np
import sympy as sp

from ._surface import Examples, X, Y, softplus

__all__ = [
    "feature_scale_ratio",
    "logistic_data",
    "logistic_examples",
    "regression_condition",
    "regression_data",
    "regression_examples",
]

_SIZE = 40
_COLUMNS = sp.symbols("x_1 x_2 t", real=True)


def _short(v: float, digits: int = 2) -> Fraction:
    return Fraction(f"{v:.{digits}f}")


@functools.lru_cache(maxsize=2)
def regression_fractions(standardized: bool) -> tuple[list[list[Fraction]], list[Fraction]]:
    """The regression data set as exact fractions: rows (x₁, x₂) and targets t."""
    rng = np.random.default_rng(0)
    x1 = rng.normal(0.0, 1.0, _SIZE)
    x2 = rng.normal(0.0, 20.0, _SIZE)
    targets = 1.5 * x1 + 0.1 * x2 + rng.normal(0.0, 0.5, _SIZE)
    columns = [x1 - x1.mean(), x2 - x2.mean()]
    if standardized:
        columns = [np.round(c / c.std(), 2) for c in columns]
    else:
        columns = [np.round(columns[0], 2), np.round(columns[1], 1)]
    targets = np.round(targets - targets.mean(), 2)
    rows = [[_short(a), _short(b)] for a, b in zip(*columns, strict=True)]
    return rows, [_short(t) for t in targets]


def regression_data(standardized: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The regression surface's data set: features (40, 2) and targets (40,).

    The surface is the mean squared error (1/n) Σᵢ (w₁xᵢ₁ + w₂xᵢ₂ − tᵢ)² at (x, y) = (w₁, w₂);
    a mini-batch of rows gives a true stochastic gradient of it.
    """
    rows, targets = regression_fractions(bool(standardized))
    return np.array(rows, dtype=float), np.array(targets, dtype=float)


def feature_scale_ratio() -> float:
    """How much larger the raw regression's x₂ is than its x₁: the ratio of their standard
    deviations over the 40 examples."""
    spread = regression_data(False)[0].std(axis=0)
    return float(spread[1] / spread[0])


def regression_condition(standardized: bool = False) -> float:
    """κ = λmax/λmin of the regression surface's Hessian, 2·XᵀX/N (the same for every w)."""
    features = regression_data(standardized)[0]
    low, high = np.linalg.eigvalsh(features.T @ features)
    return float(high / low)


def _examples(loss: sp.Expr, features: np.ndarray, targets: np.ndarray, **kw) -> Examples:
    rows = tuple(
        (float(a), float(b), float(t)) for (a, b), t in zip(features, targets, strict=True)
    )
    return Examples(loss=loss, columns=_COLUMNS, rows=rows, **kw)


def regression_examples(standardized: bool = False) -> Examples:
    """The regression data with its per-example squared error. The surface keeps its exact
    expanded quadratic for f, ∇f, ∇²f: a handful of terms, cheaper than the mean over rows."""
    x1, x2, t = _COLUMNS
    loss = (X * x1 + Y * x2 - t) ** 2
    return _examples(loss, *regression_data(standardized), exact_by_mean=False)


@functools.lru_cache(maxsize=1)
def _logistic_arrays() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    targets = np.repeat([1.0, -1.0], _SIZE // 2)
    z = rng.normal(size=(_SIZE, 2))
    rho = 0.7  # correlation of the two features within a class
    x1 = 1.0 * targets + z[:, 0]
    x2 = 0.5 * targets + rho * z[:, 0] + np.sqrt(1 - rho**2) * z[:, 1]
    features = np.round(np.stack([x1, x2], axis=1), 2)
    features.flags.writeable = False
    targets.flags.writeable = False
    return features, targets


def logistic_data() -> tuple[np.ndarray, np.ndarray]:
    """The logistic surface's data set: features (40, 2) and labels t = ±1 (40,).

    The surface is the mean log-loss (1/n) Σᵢ log(1 + exp(−tᵢ(w₁xᵢ₁ + w₂xᵢ₂))) at
    (x, y) = (w₁, w₂).
    """
    features, targets = _logistic_arrays()
    return features.copy(), targets.copy()


def logistic_examples() -> Examples:
    """The classification data with its per-example log-loss softplus(−t·(w · x))."""
    x1, x2, t = _COLUMNS
    return _examples(softplus(-t * (X * x1 + Y * x2)), *logistic_data())
