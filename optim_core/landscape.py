r"""A network's loss landscape in two dimensions: the plane the runs move in, and a random slice.

A network's loss lives in P dimensions; a picture has two. Two ways to choose them, both from
Li, Xu, Taylor, Studer and Goldstein, "Visualizing the Loss Landscape of Neural Nets"
(NeurIPS 2018):

- **The plane of the iterates** (``pca_plane``, their section 7, and ``loss-landscape-anim``):
  the differences θ_t − c of every iterate from a centre c (a run's end point) are stacked, and
  their top two principal directions (PCA: the right singular vectors of the mean-centred
  differences) span the plane c + a·u + b·v. The runs are drawn by their coordinates
  (a, b) = ((θ − c)·u, (θ − c)·v) and the loss over the plane as contours
  (``loss_over_plane``). What the plane cannot show is measured: the share of the iterates'
  variance each direction explains, and how far each iterate lies off the plane,
  ‖θ − c − a·u − b·v‖.
- **A filter-normalized random slice** (``random_slice``, their section 4): two Gaussian
  directions d₁, d₂, each rescaled neuron by neuron to the norm of θ's own weights there, so
  the slice's scale follows the network's (a ReLU network is invariant to rescaling a neuron's
  weights; an unnormalized direction would make a net with large weights look flat). The loss
  over θ + a·d₁ + b·d₂ for a, b ∈ [−extent, extent].

Pure NumPy, no Streamlit or Plotly; the network is anything with ``f`` over (..., P),
``dim`` and ``neuron_groups()`` (``surfaces.network``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

__all__ = [
    "LossGrid",
    "Plane",
    "Slice",
    "filter_normalized",
    "loss_over_plane",
    "pca_plane",
    "plane_extent",
    "random_slice",
]

FIT_POINTS = 200  # iterates per path, evenly spaced (both ends kept), that the PCA is fitted to


class Plane(NamedTuple):
    """The plane c + a·u + b·v of the iterates' top two principal directions.

    ``origin`` (P,) is c; ``axes`` (2, P) are u and v, orthonormal; ``explained`` (2,) the
    share of the fitted iterates' variance along each (their sum ≤ 1); ``coords`` one (T, 2)
    array of (a, b) per path and ``off_plane`` one (T,) array of ‖θ − c − a·u − b·v‖ per path
    (NaN where an iterate is not finite)."""

    origin: np.ndarray
    axes: np.ndarray
    explained: np.ndarray
    coords: tuple[np.ndarray, ...]
    off_plane: tuple[np.ndarray, ...]

    def point(self, a, b) -> np.ndarray:
        """θ = c + a·u + b·v for a, b of any (broadcast) shape: (..., P)."""
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        return self.origin + a[..., None] * self.axes[0] + b[..., None] * self.axes[1]

    def reach(self) -> float:
        """The largest distance of any iterate from the plane (0 for no finite iterate)."""
        finite = [d[np.isfinite(d)] for d in self.off_plane]
        return float(max((d.max() for d in finite if d.size), default=0.0))


class LossGrid(NamedTuple):
    """The training loss on an n × n grid: ``a`` (n,), ``b`` (n,), ``loss`` (n, n) with rows
    indexing b (as an image or a contour's z)."""

    a: np.ndarray
    b: np.ndarray
    loss: np.ndarray


class Slice(NamedTuple):
    """A random slice around θ: the two filter-normalized directions (2, P) and the loss over
    θ + a·d₁ + b·d₂ (``grid``)."""

    theta: np.ndarray
    directions: np.ndarray
    grid: LossGrid


def _fit_rows(path: np.ndarray, most: int) -> np.ndarray:
    """At most ``most`` finite iterates of ``path``, evenly spaced, the last finite one kept."""
    finite = path[np.isfinite(path).all(axis=-1)]
    if len(finite) <= most:
        return finite
    return finite[np.unique(np.round(np.linspace(0, len(finite) - 1, most)).astype(int))]


def _last_finite(path: np.ndarray) -> np.ndarray | None:
    finite = np.flatnonzero(np.isfinite(path).all(axis=-1))
    return path[finite[-1]] if finite.size else None


def _complete(axes: np.ndarray, dim: int) -> np.ndarray:
    """``axes`` (k ≤ 2, P), orthonormal, completed to two orthonormal axes with the first
    coordinate vectors they are not parallel to (for runs that span fewer than two
    directions)."""
    out = list(axes)
    for i in range(dim):
        if len(out) >= 2:
            break
        e = np.zeros(dim)
        e[i] = 1.0
        for u in out:
            e -= (e @ u) * u
        norm = np.linalg.norm(e)
        if norm > 1e-6:
            out.append(e / norm)
    while len(out) < 2:  # P = 1: the second axis is the first again (a plane of one line)
        out.append(out[0])
    return np.array(out[:2])


def pca_plane(
    paths: Sequence[np.ndarray],
    centre=None,
    *,
    fit: Sequence[int] | None = None,
    fit_points: int = FIT_POINTS,
) -> Plane:
    """The plane of the top two principal directions of the iterates of all ``paths`` (each
    (T, P)) about ``centre`` (default: the first path's last finite iterate, its end point).
    ``fit``: the indices of the paths the directions are fitted to (default all; a run that
    diverged would fill the picture with its flight); every path is projected.

    The directions are fitted to at most ``fit_points`` iterates of each path, evenly spaced
    (a path of 500 steps is smooth at that scale; the fit then costs O(fit_points² · P) per
    path), and every iterate is then projected. Iterates that are not finite are left out of
    the fit and get NaN coordinates. Signs are fixed so that the first path's first iterate
    has coordinates ≥ 0: the same runs give the same picture.

    Runs that span fewer than two directions (one step, or two identical runs) get their axes
    completed to an orthonormal pair; the shares of those directions are 0."""
    paths = [np.atleast_2d(np.asarray(p, dtype=float)) for p in paths]
    if not paths:
        raise ValueError("pca_plane needs at least one path")
    dim = paths[0].shape[-1]
    if centre is None:
        centre = _last_finite(paths[0])
        if centre is None:
            centre = np.zeros(dim)
    centre = np.asarray(centre, dtype=float)
    fitted = [paths[i] for i in (range(len(paths)) if fit is None else fit)]
    rows = [_fit_rows(p, fit_points) for p in fitted]
    rows = np.concatenate(rows) - centre if rows else np.zeros((0, dim))
    if len(rows):
        centred = rows - rows.mean(axis=0)
        _, sigma, vt = np.linalg.svd(centred, full_matrices=False)
        total = float((sigma**2).sum())
    else:
        sigma, vt, total = np.zeros(0), np.zeros((0, dim)), 0.0
    keep = [k for k in range(min(2, len(sigma))) if sigma[k] > 1e-12 * max(sigma[0], 1e-300)]
    axes = _complete(vt[keep], dim)
    explained = np.zeros(2)
    if total > 0:
        explained[: len(keep)] = sigma[keep] ** 2 / total
    first = paths[0][0] - centre
    if np.isfinite(first).all():
        signs = np.where(axes @ first < 0, -1.0, 1.0)
        axes = axes * signs[:, None]
    coords, off = [], []
    with np.errstate(invalid="ignore"):
        for p in paths:
            d = p - centre
            ab = d @ axes.T
            coords.append(ab)
            off.append(np.linalg.norm(d - ab @ axes, axis=-1))
    return Plane(centre, axes, explained, tuple(coords), tuple(off))


def plane_extent(plane: Plane, margin: float = 0.15) -> tuple[tuple[float, float], ...]:
    """Bounds ((a_min, a_max), (b_min, b_max)) that hold every finite iterate's coordinates,
    widened by ``margin`` of their span on each side, and square (the same span on both axes,
    so the picture is not stretched)."""
    points = np.concatenate([c for c in plane.coords]) if plane.coords else np.zeros((0, 2))
    points = points[np.isfinite(points).all(axis=-1)]
    if not len(points):
        return (-1.0, 1.0), (-1.0, 1.0)
    lo, hi = points.min(axis=0), points.max(axis=0)
    half = max(float((hi - lo).max()) / 2 * (1 + 2 * margin), 1e-6)
    mid = (lo + hi) / 2
    return tuple((float(m - half), float(m + half)) for m in mid)


def _grid_axes(extent, n: int) -> tuple[np.ndarray, np.ndarray]:
    (a0, a1), (b0, b1) = extent
    return np.linspace(a0, a1, n), np.linspace(b0, b1, n)


def loss_over_plane(net, plane: Plane, n: int = 41, extent=None) -> LossGrid:
    """The training loss f(c + a·u + b·v) on an n × n grid over ``extent`` ((a_min, a_max),
    (b_min, b_max); default ``plane_extent(plane)``), in one call of ``net.f`` on (n, n, P)."""
    extent = plane_extent(plane) if extent is None else extent
    a, b = _grid_axes(extent, n)
    aa, bb = np.meshgrid(a, b)
    with np.errstate(all="ignore"):
        loss = np.asarray(net.f(plane.point(aa, bb)), dtype=float)
    return LossGrid(a, b, loss)


def filter_normalized(net, theta, rng: np.random.Generator) -> np.ndarray:
    """A Gaussian direction d (P,) rescaled neuron by neuron: for each neuron's group of
    parameters g (its incoming weights *and its bias*, ``net.neuron_groups()``),
    d[g] ← d[g] · ‖θ[g]‖ / ‖d[g]‖.

    Li et al. normalize each filter's weights and, by default, zero the direction of every bias
    (their ``ignore='biasbn'``). Here a neuron's bias is part of its group instead: a hidden
    unit of a 2D-input MLP has two incoming weights, and its bias sets where its line cuts the
    plane — leaving it out would hide half of what the slice can move. A neuron whose
    parameters are all zero gets a zero direction."""
    theta = np.asarray(theta, dtype=float)
    d = rng.standard_normal(theta.shape)
    for g in net.neuron_groups():
        norm = np.linalg.norm(d[g])
        d[g] *= np.linalg.norm(theta[g]) / norm if norm > 0 else 0.0
    return d


def random_slice(net, theta, seed: int = 0, n: int = 41, extent: float = 1.0) -> Slice:
    """The loss over θ + a·d₁ + b·d₂, a, b ∈ [−extent, extent] on an n × n grid, with d₁, d₂
    filter-normalized Gaussian directions (``filter_normalized``) drawn with ``seed``: a = b = 1
    moves every neuron by as much as its own weights' norm (Li et al.'s scale)."""
    theta = np.asarray(theta, dtype=float)
    rng = np.random.default_rng(seed)
    directions = np.stack([filter_normalized(net, theta, rng) for _ in range(2)])
    a, b = _grid_axes(((-extent, extent), (-extent, extent)), n)
    aa, bb = np.meshgrid(a, b)
    points = theta + aa[..., None] * directions[0] + bb[..., None] * directions[1]
    with np.errstate(all="ignore"):
        loss = np.asarray(net.f(points), dtype=float)
    return Slice(theta, directions, LossGrid(a, b, loss))
