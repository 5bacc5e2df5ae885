"""Surfaces with hand-written f, gradient and Hessian, independent of SymPy.

They have the duck-typed interface optim_core uses (f, grad, hessian, bounds,
quadratic_eigenvalues), so the optimizer tests do not depend on the surfaces package.
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Quadratic:
    """f(θ) = ½ (θ − c)ᵀ A (θ − c) with a symmetric A."""

    A: np.ndarray
    centre: tuple[float, float] = (0.0, 0.0)
    bounds: tuple = ((-3.0, 3.0), (-3.0, 3.0))

    def f(self, xy):
        d = np.asarray(xy, float) - self.centre
        return 0.5 * np.einsum("...i,ij,...j->...", d, self.A, d)

    def grad(self, xy):
        return (np.asarray(xy, float) - self.centre) @ self.A.T

    def hessian(self, xy):
        return np.broadcast_to(self.A, (*np.shape(xy)[:-1], 2, 2))

    @property
    def quadratic_eigenvalues(self):
        low, high = np.linalg.eigvalsh(self.A)
        return float(low), float(high)


def rotated_quadratic(lam_min, lam_max, angle_deg=30.0, bounds=((-3.0, 3.0), (-3.0, 3.0))):
    """The bowl A = R diag(λ_min, λ_max) Rᵀ, R a rotation by ``angle_deg``."""
    a = np.deg2rad(angle_deg)
    R = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    return Quadratic(R @ np.diag([lam_min, lam_max]) @ R.T, bounds=bounds)


@dataclass(frozen=True, eq=False)
class Rosenbrock:
    """f = (a − x)² + b (y − x²)²."""

    a: float = 1.0
    b: float = 100.0
    bounds: tuple = ((-2.0, 2.0), (-1.0, 3.0))
    quadratic_eigenvalues = None

    def f(self, xy):
        x, y = np.moveaxis(np.asarray(xy, float), -1, 0)
        return (self.a - x) ** 2 + self.b * (y - x * x) ** 2

    def grad(self, xy):
        x, y = np.moveaxis(np.asarray(xy, float), -1, 0)
        inner = y - x * x
        return np.stack([-2 * (self.a - x) - 4 * self.b * x * inner, 2 * self.b * inner], -1)

    def hessian(self, xy):
        x, y = np.moveaxis(np.asarray(xy, float), -1, 0)
        xx = 2 - 4 * self.b * (y - x * x) + 8 * self.b * x * x
        xy_ = -4 * self.b * x
        yy = 2 * self.b * np.ones_like(x)
        return np.stack([np.stack([xx, xy_], -1), np.stack([xy_, yy], -1)], -2)


@dataclass(frozen=True, eq=False)
class Saddle:
    """f = ½ (x² − y²): a saddle at the origin with curvatures +1 and −1."""

    bounds: tuple = ((-2.0, 2.0), (-2.0, 2.0))
    quadratic_eigenvalues = (-1.0, 1.0)

    def f(self, xy):
        x, y = np.moveaxis(np.asarray(xy, float), -1, 0)
        return 0.5 * (x * x - y * y)

    def grad(self, xy):
        x, y = np.moveaxis(np.asarray(xy, float), -1, 0)
        return np.stack([x, -y], -1)

    def hessian(self, xy):
        return np.broadcast_to(np.diag([1.0, -1.0]), (*np.shape(xy)[:-1], 2, 2))


@dataclass(frozen=True, eq=False)
class Plane:
    """f = x + 2y: constant gradient (1, 2), zero Hessian, no minimum."""

    bounds: tuple = ((-3.0, 3.0), (-3.0, 3.0))
    quadratic_eigenvalues = None

    def f(self, xy):
        x, y = np.moveaxis(np.asarray(xy, float), -1, 0)
        return x + 2 * y

    def grad(self, xy):
        return np.broadcast_to([1.0, 2.0], np.shape(xy)).copy()

    def hessian(self, xy):
        return np.zeros((*np.shape(xy)[:-1], 2, 2))


def bowl(kappa=10.0):
    """The axis-aligned bowl ½ (x² + κ y²) of tests/data/torch_quadratic.json when κ = 10."""
    return Quadratic(np.diag([1.0, float(kappa)]))


@dataclass(frozen=True, eq=False)
class QuadraticP:
    """f(θ) = ½ θᵀAθ − bᵀθ in P = len(b) dimensions, A symmetric: the contract of a
    P-dimensional surface (``dim``, f, grad, hessian, ``divergence_bound``; ``hessian_limit``
    when given). Computed point by point (einsum, not a matrix product, whose rounding depends
    on how many points it is given), so a run's numbers do not depend on its batch.

    With data X (N, P) and y (N,) (``least_squares``) it is the mean of the per-example losses
    ½(xᵢᵀθ − yᵢ)², less a constant, and offers mini-batches (``n_examples``,
    ``minibatch_grad``)."""

    A: np.ndarray
    b: np.ndarray
    reach: float = 1e4
    hessian_limit: int | None = None
    X: np.ndarray | None = None
    y: np.ndarray | None = None

    @property
    def dim(self) -> int:
        return len(self.b)

    @property
    def n_examples(self) -> int:
        return 0 if self.X is None else len(self.X)

    @property
    def minimizer(self) -> np.ndarray:
        return np.linalg.solve(self.A, self.b)

    def f(self, theta):
        theta = np.asarray(theta, float)
        return 0.5 * np.einsum("...i,...i->...", theta, self._times_a(theta)) - np.einsum(
            "...i,i->...", theta, self.b
        )

    def _times_a(self, theta):
        return np.einsum("...j,jk->...k", theta, self.A)

    def grad(self, theta):
        return self._times_a(np.asarray(theta, float)) - self.b

    def hessian(self, theta):
        return np.broadcast_to(self.A, (*np.shape(theta)[:-1], self.dim, self.dim))

    def divergence_bound(self):
        return np.zeros(self.dim), self.reach

    def minibatch_grad(self, theta, indices):
        """The mean of the per-example gradients xᵢ(xᵢᵀθ − yᵢ) over each member's ``indices``
        (B, m), at ``theta`` (B, P)."""
        x = self.X[indices]  # (B, m, P)
        residual = np.einsum("bmp,bp->bm", x, theta) - self.y[indices]
        return np.einsum("bm,bmp->bp", residual, x) / indices.shape[1]


def quadratic_p(dim, lam_min=0.5, lam_max=2.0, seed=0, **kw) -> QuadraticP:
    """A random quadratic in ``dim`` dimensions with eigenvalues evenly from λ_min to λ_max."""
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal((dim, dim)))
    a = q @ np.diag(np.linspace(lam_min, lam_max, dim)) @ q.T
    return QuadraticP(0.5 * (a + a.T), rng.standard_normal(dim), **kw)


def least_squares(dim, n, seed=0, **kw) -> QuadraticP:
    """The least-squares loss of n random examples in ``dim`` dimensions, as a QuadraticP."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, dim))
    y = x @ rng.standard_normal(dim) + 0.1 * rng.standard_normal(n)
    a = x.T @ x / n
    return QuadraticP(0.5 * (a + a.T), x.T @ y / n, X=x, y=y, **kw)
