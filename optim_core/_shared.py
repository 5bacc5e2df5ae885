"""The pieces several update rules share, written once.

Every function works per coordinate on arrays with a leading batch axis: gradients and
moments are (B, P), P = 2 on the 2D surfaces; a hyperparameter is a float or a (B, 1) array;
``t`` counts steps from 1.
"""

import numpy as np


def ema(average, x, decay):
    """Exponential moving average: ``decay · average + (1 − decay) · x``."""
    return decay * average + (1.0 - decay) * x


def bias_corrected(moment, beta, t, enabled=1.0):
    """``moment / (1 − βᵗ)``; where ``enabled`` is 0 the moment is returned unchanged."""
    return moment / (1.0 - enabled * beta**t)


def rms_learning_rate(lr, mean_square, eps, eps_in_root=False):
    """Per-coordinate learning rate ``α / (√r + ε)``, ε outside the root (torch's form), or
    ``α / √(r + ε)`` where ``eps_in_root`` (a bool or a (B, 1) boolean array) is true."""
    if np.ndim(eps_in_root) == 0:
        return lr / (np.sqrt(mean_square + eps) if eps_in_root else np.sqrt(mean_square) + eps)
    return lr / np.where(eps_in_root, np.sqrt(mean_square + eps), np.sqrt(mean_square) + eps)


def pair(first, second):
    """Stack two (...,) arrays into (..., 2); several times faster than np.stack on tiny arrays."""
    out = np.empty((*np.shape(first), 2))
    out[..., 0] = first
    out[..., 1] = second
    return out


def symmetric_eig2(hessian):
    """Eigen-decomposition of symmetric 2 × 2 matrices (..., 2, 2) in closed form.

    Returns ``(eigenvalues (..., 2) ascending, cos, sin)``: the eigenvector of the larger
    eigenvalue is (cos, sin), that of the smaller one (−sin, cos).
    """
    a = hessian[..., 0, 0]
    c = hessian[..., 1, 1]
    b = 0.5 * (hessian[..., 0, 1] + hessian[..., 1, 0])
    mean, half_gap = 0.5 * (a + c), 0.5 * (a - c)
    radius = np.hypot(half_gap, b)
    angle = 0.5 * np.arctan2(b, half_gap)  # direction of the larger eigenvalue
    return pair(mean - radius, mean + radius), np.cos(angle), np.sin(angle)


_RELATIVE_FLOOR = 1e-8  # smallest |curvature| kept, relative to the largest one
_ABSOLUTE_FLOOR = 1e-12  # ... and in absolute terms, when the whole matrix vanishes


def floored(curvatures):
    """Push curvatures (..., P) away from zero so that dividing by them is always defined.

    A value closer to 0 than 1e-8 × the largest |value| (or 1e-12) keeps its sign and takes that
    magnitude: a singular or nearly singular system is regularized instead of failing.
    """
    magnitude = np.abs(curvatures)
    floor = np.maximum(_RELATIVE_FLOOR * magnitude.max(axis=-1, keepdims=True), _ABSOLUTE_FLOOR)
    sign = np.where(curvatures < 0, -1.0, 1.0)
    return np.where(magnitude < floor, sign * floor, curvatures)
