"""Sharpness: the top eigenvalue of the loss's Hessian, along a run, and the edge where a step
rule stops being stable.

*Sharpness* at θ is λ_max(∇²f(θ)), the largest (algebraic) eigenvalue of the Hessian. On a
quadratic with top curvature λ, gradient descent with step α is stable only while λ < 2/α;
Cohen, Kaur, Li, Kolter and Talwalkar, "Gradient Descent on Neural Networks Typically Occurs
at the Edge of Stability" (ICLR 2021), found that on a network the sharpness of full-batch GD
rises ("progressive sharpening") until it reaches 2/α and then hovers there while the loss keeps
falling, non-monotonically.

Everything here works from Hessian-vector products (``net.hvp``), never the Hessian itself, by
the Lanczos method with full reorthogonalization: m products span the Krylov space
K_m = span{v, Hv, …, H^{m−1}v}; the largest eigenvalue of H restricted to it (a tridiagonal
m × m matrix T) approaches λ_max from below as m grows, and is exact at m = P.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from optim_core.optimizers import build, optimizer_spec
from optim_core.spec import OptimizerError

_BREAKDOWN = 1e-10  # β_j below this (relative to ‖T‖) ends the Krylov space: restart it


def top_eigenvalue(
    hvp: Callable[[np.ndarray], np.ndarray],
    dim: int,
    *,
    iters: int = 20,
    seed: int = 0,
    v0: np.ndarray | None = None,
    tol: float = 1e-10,
) -> tuple[float, np.ndarray]:
    r"""The largest *algebraic* eigenvalue λ_max of the symmetric operator v ↦ ``hvp(v)`` on
    ℝ^``dim`` and a unit eigenvector of it (its Ritz vector), by Lanczos.

    Largest algebraic, not largest in magnitude: at a saddle point with eigenvalues −5 and 2
    it returns 2 (power iteration would find −5).

    Lanczos with full reorthogonalization (twice per step, so the basis stays orthonormal to
    rounding): from q₁ = v₀/‖v₀‖,

    .. math:: \beta_{j} q_{j+1} = H q_j - \alpha_j q_j - \beta_{j-1} q_{j-1},
              \qquad \alpha_j = q_j^\top H q_j,

    and λ_max is approximated by the top eigenvalue θ of the tridiagonal T = tridiag(β, α, β).
    It stops after ``iters`` products (at most ``dim``), or earlier once the top Ritz pair's
    residual ‖Hy − θy‖ = β_m |s_m| falls to ``tol``·|θ|. If the Krylov space closes early
    (β_j ≈ 0: v₀ lay in an invariant subspace, e.g. it was an eigenvector) it continues from a
    fresh random direction orthogonal to the basis, so a warm start cannot hide a larger
    eigenvalue.

    ``v0`` is the start vector (a warm start, e.g. the previous eigenvector); without it a
    standard normal vector drawn with ``seed``. Deterministic given ``seed`` and ``v0``.
    """
    if dim < 1 or iters < 1:
        raise ValueError(f"Lanczos needs dim >= 1 and iters >= 1; got {dim}, {iters}")
    rng = np.random.default_rng(seed)
    steps = min(int(iters), int(dim))
    basis = np.zeros((steps, dim))
    alpha, beta = np.zeros(steps), np.zeros(steps)
    q = rng.standard_normal(dim) if v0 is None else np.array(v0, dtype=float).reshape(dim)
    norm = np.linalg.norm(q)
    if not np.isfinite(norm) or norm == 0.0:
        q = rng.standard_normal(dim)
        norm = np.linalg.norm(q)
    q = q / norm
    m = 0
    for j in range(steps):
        basis[j] = q
        w = np.asarray(hvp(q), dtype=float).reshape(dim)
        alpha[j] = q @ w
        for _ in range(2):  # full reorthogonalization, twice ("twice is enough")
            w = w - basis[: j + 1].T @ (basis[: j + 1] @ w)
        beta[j] = np.linalg.norm(w)
        m = j + 1
        vals, vecs = _tridiagonal_eigh(alpha[:m], beta[: m - 1])
        scale = max(np.abs(vals).max(), np.finfo(float).tiny)
        if m == steps:
            break
        if beta[j] <= _BREAKDOWN * scale:  # invariant subspace: restart orthogonal to it
            beta[j] = 0.0
            w = rng.standard_normal(dim)
            for _ in range(2):
                w = w - basis[:m].T @ (basis[:m] @ w)
            q = w / np.linalg.norm(w)
        elif beta[j] * abs(vecs[-1, -1]) <= tol * scale:
            break
        else:
            q = w / beta[j]
    vals, vecs = _tridiagonal_eigh(alpha[:m], beta[: m - 1])
    vector = basis[:m].T @ vecs[:, -1]
    return float(vals[-1]), vector / np.linalg.norm(vector)


def _tridiagonal_eigh(diagonal, off):
    """Eigenvalues (ascending) and eigenvectors of the symmetric tridiagonal matrix."""
    t = np.diag(diagonal) + np.diag(off, 1) + np.diag(off, -1)
    return np.linalg.eigh(t)


class Sharpness(NamedTuple):
    """λ_max(∇²f) along a run: at the iterates ``steps`` (K,) (0-based step numbers into the
    path), ``values`` (K,)."""

    steps: np.ndarray
    values: np.ndarray


def _measured_steps(path, every: int, last: int | None = None) -> np.ndarray:
    """0, every, 2·every, … and the last finite iterate of ``path`` (at most ``last``)."""
    if every < 1:
        raise ValueError(f"every must be >= 1; got {every}")
    finite = np.isfinite(path).all(axis=-1)
    end = len(path) - 1 if finite.all() else int(np.argmin(finite)) - 1
    end = end if last is None else min(end, last)
    if end < 0:
        return np.zeros(0, dtype=int)
    steps = np.arange(0, end + 1, every)
    return steps if steps[-1] == end else np.append(steps, end)


def _along(steps, operator_at, dim: int, iters: int) -> Sharpness:
    """λ_max of ``operator_at(t)`` (a function v ↦ Av) at each of ``steps``, warm-started."""
    values, vector = np.empty(len(steps)), None
    for k, t in enumerate(steps):
        values[k], vector = top_eigenvalue(operator_at(t), dim, iters=iters, v0=vector)
    return Sharpness(steps.astype(int), values)


def sharpness_along(net, path, every: int = 10, *, iters: int = 20) -> Sharpness:
    """The sharpness λ_max(∇²f(θ_t)) of ``net`` at θ_0, θ_every, θ_2·every, … and the last
    iterate of ``path`` (T + 1, P), each by ``top_eigenvalue`` on ``net.hvp`` warm-started from
    the previous eigenvector (the top eigenvector turns slowly along a run, so few products
    suffice). Iterates that are not finite (a run that diverged) end the list."""
    path = np.asarray(path, dtype=float)
    steps = _measured_steps(path, every)

    def operator_at(t):
        return lambda v: net.hvp(path[t], v)

    return _along(steps, operator_at, net.dim, iters)


def stability_edge(optimizer: str, hyper: dict) -> float | None:
    """The sharpness λ at which ``optimizer`` with ``hyper`` stops being stable on a quadratic
    f = ½λx²: its learning rate α is then exactly the optimizer's largest stable step (the
    ``stability`` entry of its spec, one source of truth; every such edge is c(μ)/λ, so the
    sharpness edge is c(μ)/α):

    - gradient descent (``sgd``): 2/α;
    - heavy-ball ``momentum`` μ: (2 + 2μ)/α;
    - Nesterov (``nesterov``, and ``nesterov_reparam``, the same method in shifted variables):
      (2 + 2μ)/((1 + 2μ)α).

    These are the maximal stable sharpness of Cohen et al. (ICLR 2021, their appendix on
    momentum). None for every other optimizer: the adaptive methods (Adagrad, RMSProp, Adam,
    …) divide the gradient by a running scale P, so what meets an edge is the *preconditioned*
    sharpness λ_max(P^{-1/2} H P^{-1/2}) (``preconditioned_sharpness``), not λ_max(H); Newton
    and Lion have no such edge. ``hyper`` is validated as for a run (missing values take
    their defaults)."""
    spec = optimizer_spec(optimizer)
    if spec.stability is None:
        return None
    full = build(optimizer, hyper)[1]
    return float(spec.stability.edge(1.0, full.get("momentum", 0.0))) / float(full["lr"])


def preconditioned_sharpness(
    net, theta, v_hat, eps: float, *, iters: int = 20, seed: int = 0, v0=None
) -> tuple[float, np.ndarray]:
    """λ_max(P^{-1/2} ∇²f(θ) P^{-1/2}) with Adam's preconditioner P = diag(√v̂ + ε), and its
    unit eigenvector (in the preconditioned coordinates): ``top_eigenvalue`` on
    u ↦ d ⊙ H(d ⊙ u) with d = (√v̂ + ε)^{-1/2}.

    Cohen, Ghorbani, Krishnan et al., "Adaptive Gradient Methods at the Edge of Stability"
    (2022): under full-batch Adam this quantity rises to, and hovers at, Adam's edge
    ``preconditioned_edge`` = (2 + 2β₁)/((1 − β₁)α), while λ_max(H) itself need not."""
    d = 1.0 / np.sqrt(np.sqrt(np.asarray(v_hat, dtype=float)) + eps)
    theta = np.asarray(theta, dtype=float)
    return top_eigenvalue(
        lambda u: d * net.hvp(theta, d * u), net.dim, iters=iters, seed=seed, v0=v0
    )


def preconditioned_along(net, path, v_hat, eps: float, every: int = 10, *, iters: int = 20):
    """Adam's preconditioned sharpness along a run (see ``preconditioned_sharpness``) at θ_0,
    θ_every, … up to θ_{T−1}: at θ_t with P_t = diag(√v̂_t + ε), the preconditioner of the step
    that leaves θ_t. ``v_hat`` (T, P) holds it by row: a run's ``states["v_hat"]`` (recorded
    with ``record_state=True``), whose row t − 1 is the value of step t, the step from θ_{t−1}.
    The last iterate θ_T took no step, so it is not measured. Warm-started as
    ``sharpness_along``; a ``Sharpness``."""
    path = np.asarray(path, dtype=float)
    v_hat = np.asarray(v_hat, dtype=float)
    steps = _measured_steps(path, every, last=len(v_hat) - 1)
    scale = 1.0 / np.sqrt(np.sqrt(v_hat) + eps)

    def operator_at(t):
        return lambda u: scale[t] * net.hvp(path[t], scale[t] * u)

    return _along(steps, operator_at, net.dim, iters)


def preconditioned_edge(optimizer: str, hyper: dict) -> float:
    """Adam's edge for the preconditioned sharpness, (2 + 2β₁)/((1 − β₁)α) (38/α at β₁ = 0.9):
    with P frozen, Adam is heavy-ball momentum μ = β₁ with step (1 − β₁)α on the
    preconditioned loss (Cohen et al. 2022). Only for ``adam``; an OptimizerError otherwise."""
    if optimizer != "adam":
        raise OptimizerError(f"The preconditioned edge is stated for adam only, not {optimizer!r}")
    full = build(optimizer, hyper)[1]
    beta1, lr = float(full["beta1"]), float(full["lr"])
    return (2.0 + 2.0 * beta1) / ((1.0 - beta1) * lr)
