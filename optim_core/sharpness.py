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
    ``top_eigenvalues`` is the same for several operators at once.
    """
    v0 = None if v0 is None else np.asarray(v0, dtype=float).reshape(1, dim)
    values, vectors = top_eigenvalues(
        lambda v: np.asarray(hvp(v[0]), dtype=float).reshape(1, dim),
        dim, 1, iters=iters, seed=seed, v0=v0, tol=tol,
    )  # fmt: skip
    return float(values[0]), vectors[0]


def top_eigenvalues(
    hvp: Callable[[np.ndarray], np.ndarray],
    dim: int,
    rows: int,
    *,
    iters: int = 20,
    seed: int = 0,
    v0: np.ndarray | None = None,
    tol: float = 1e-10,
) -> tuple[np.ndarray, np.ndarray]:
    """``top_eigenvalue`` for ``rows`` symmetric operators at once: ``hvp`` maps V (rows,
    ``dim``) to the products, row k by operator k (e.g. ``net.hvp`` at θ (rows, P)); each row
    runs its own Lanczos (its own basis, restarts and residual), one batched product per step,
    until every row has stopped. Returns λ_max (rows,) and unit eigenvectors (rows, ``dim``);
    ``v0`` (rows, ``dim``) the start vectors (rows not finite or zero are drawn)."""
    if dim < 1 or iters < 1 or rows < 1:
        raise ValueError(f"Lanczos needs dim, iters, rows >= 1; got {dim}, {iters}, {rows}")
    rng = np.random.default_rng(seed)
    steps = min(int(iters), int(dim))
    basis = np.zeros((rows, steps, dim))
    alpha, beta = np.zeros((rows, steps)), np.zeros((rows, steps))
    q = rng.standard_normal((rows, dim)) if v0 is None else np.array(v0, dtype=float)
    norm = np.linalg.norm(q, axis=1)
    bad = ~np.isfinite(norm) | (norm == 0.0)
    if bad.any():
        q[bad] = rng.standard_normal((int(bad.sum()), dim))
        norm[bad] = np.linalg.norm(q[bad], axis=1)
    q = q / norm[:, None]
    m = 0
    for j in range(steps):
        basis[:, j] = q
        w = np.asarray(hvp(q), dtype=float).reshape(rows, dim)
        alpha[:, j] = np.einsum("kd,kd->k", q, w)
        w = _orthogonalized(w, basis[:, : j + 1])
        beta[:, j] = np.linalg.norm(w, axis=1)
        m = j + 1
        vals, vecs = _tridiagonal_eigh(alpha[:, :m], beta[:, : m - 1])
        scale = np.maximum(np.abs(vals).max(axis=1), np.finfo(float).tiny)
        if m == steps:
            break
        broken = beta[:, j] <= _BREAKDOWN * scale  # an invariant subspace: restart the row
        done = beta[:, j] * np.abs(vecs[:, -1, -1]) <= tol * scale
        if np.all(done & ~broken):
            break
        beta[broken, j] = 0.0
        w[broken] = _orthogonalized(rng.standard_normal((int(broken.sum()), dim)),
                                    basis[broken, :m])  # fmt: skip
        q = w / np.linalg.norm(w, axis=1)[:, None]
    vals, vecs = _tridiagonal_eigh(alpha[:, :m], beta[:, : m - 1])
    vectors = np.einsum("kjd,kj->kd", basis[:, :m], vecs[:, :, -1])
    return vals[:, -1].copy(), vectors / np.linalg.norm(vectors, axis=1)[:, None]


def _orthogonalized(w, basis):
    """Rows of w (K, d) minus their projections on the orthonormal rows of basis (K, m, d),
    twice ("twice is enough": the basis stays orthonormal to rounding)."""
    for _ in range(2):
        w = w - np.einsum("kjd,kj->kd", basis, np.einsum("kjd,kd->kj", basis, w))
    return w


def _tridiagonal_eigh(diagonal, off):
    """Eigenvalues (ascending) and eigenvectors of the symmetric tridiagonal matrices with
    rows of ``diagonal`` (K, m) and ``off`` (K, m − 1)."""
    m = diagonal.shape[-1]
    t = np.zeros((*diagonal.shape, m))
    idx = np.arange(m)
    t[:, idx, idx] = diagonal
    t[:, idx[:-1], idx[1:]] = off
    t[:, idx[1:], idx[:-1]] = off
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


def _along(steps, operator_at, dim: int, rows: int, iters: int) -> np.ndarray:
    """λ_max of the ``rows`` operators ``operator_at(t)`` (V (rows, dim) ↦ products) at each
    of ``steps``, each warm-started from the eigenvectors before: (len(steps), rows)."""
    values, vectors = np.empty((len(steps), rows)), None
    for k, t in enumerate(steps):
        values[k], vectors = top_eigenvalues(operator_at(t), dim, rows, iters=iters, v0=vectors)
    return values


def sharpness_along(net, path, every: int = 10, *, iters: int = 20) -> Sharpness:
    """The sharpness λ_max(∇²f(θ_t)) of ``net`` at θ_0, θ_every, θ_2·every, … and the last
    iterate of ``path`` (T + 1, P), each by Lanczos (``top_eigenvalue``) on ``net.hvp``
    warm-started from the previous eigenvector (the top eigenvector turns slowly along a run,
    so few products suffice). Iterates that are not finite (a run that diverged) end the
    list."""
    return sharpness_along_many(net, np.asarray(path, dtype=float)[None], every, iters=iters)[0]


def sharpness_along_many(net, paths, every: int = 10, *, iters: int = 20) -> list[Sharpness]:
    """``sharpness_along`` for several runs (K, T + 1, P) on one ``net``, their products
    batched (one ``net.hvp`` call per Lanczos step for all runs, several times faster than
    one run after another). Runs finite to the end are measured together; a run that diverged
    on its own, up to its last finite iterate."""
    paths = np.asarray(paths, dtype=float)
    finite = np.isfinite(paths).all(axis=(1, 2))
    groups = [np.nonzero(finite)[0]] + [np.array([k]) for k in np.nonzero(~finite)[0]]
    out: list[Sharpness | None] = [None] * len(paths)
    for rows in (g for g in groups if g.size):
        steps = _measured_steps(paths[rows[0]], every)

        def operator_at(t, rows=rows):
            return lambda v: net.hvp(paths[rows, t], v)

        values = _along(steps, operator_at, net.dim, len(rows), iters)
        for i, k in enumerate(rows):
            out[k] = Sharpness(steps.astype(int), values[:, i])
    return out


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

    return Sharpness(steps.astype(int), _along(steps, operator_at, net.dim, 1, iters)[:, 0])


def preconditioned_edge(optimizer: str, hyper: dict) -> float:
    """Adam's edge for the preconditioned sharpness, (2 + 2β₁)/((1 − β₁)α) (38/α at β₁ = 0.9):
    with P frozen, Adam is heavy-ball momentum μ = β₁ with step (1 − β₁)α on the
    preconditioned loss (Cohen et al. 2022). Only for ``adam``; an OptimizerError otherwise."""
    if optimizer != "adam":
        raise OptimizerError(f"The preconditioned edge is stated for adam only, not {optimizer!r}")
    full = build(optimizer, hyper)[1]
    beta1, lr = float(full["beta1"]), float(full["lr"])
    return (2.0 + 2.0 * beta1) / ((1.0 - beta1) * lr)
