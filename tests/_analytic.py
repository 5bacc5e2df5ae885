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
