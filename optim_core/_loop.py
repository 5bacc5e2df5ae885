"""The hot loop of every run: B members stepped together, then why each stopped.

Each member's iterate has P coordinates, the surface's ``dim`` (``surface_dim``: 2 on the 2D
surfaces, which have no ``dim``; the parameters of a network's loss on others). A member
diverges at the first step t whose iterate is not finite, lies farther than the divergence bound
from its centre (``divergence_bound``), or has a non-finite loss; it is frozen from then on. It
left the domain instead when that iterate is finite and inside the bound but f there is not
finite, or ∇f (∇²f for Newton) at the point where the gradient was taken is not; an infinity
that fills the point's neighbourhood is an overflow: divergence.
A deadline (a ``time.monotonic()`` instant) is checked before every step but the first: once
it has passed, the loop stops; what it computed is kept and the members still running are
frozen at their last iterate, ``stopped`` "deadline". Under a deadline the loss is computed
along the way, a block of steps at a time, not all at the end: on a slow surface f costs about
what ∇f does, and the deadline must bound both. (The runner's docstring says what its callers
see.)
"""

from __future__ import annotations

import time
from typing import NamedTuple

import numpy as np

from optim_core.spec import Optimizer, OptimizerError

DIVERGENCE_FACTOR = 1e3
LOSS_BLOCK = 2**14  # under a deadline, the loss is computed every 2¹⁴ // B steps (B members)


def surface_dim(surface) -> int:
    """P, the number of coordinates of the surface's points: its ``dim``, 2 where it has none
    (the 2D surfaces)."""
    return int(getattr(surface, "dim", 2))


def divergence_bound(surface) -> tuple[np.ndarray, float]:
    """The centre (P,) and the distance from it beyond which an iterate has diverged: the
    surface's own ``divergence_bound()`` where it has one (a P-dimensional surface has no view),
    else the view's centre and ``DIVERGENCE_FACTOR`` × the view's diameter."""
    if hasattr(surface, "divergence_bound"):
        centre, reach = surface.divergence_bound()
        return np.asarray(centre, dtype=float), float(reach)
    (xmin, xmax), (ymin, ymax) = surface.bounds
    centre = np.array([(xmin + xmax) / 2, (ymin + ymax) / 2])
    return centre, DIVERGENCE_FACTOR * float(np.hypot(xmax - xmin, ymax - ymin))


class Simulation(NamedTuple):
    """What ``simulate`` returns for B members over ``steps`` steps."""

    path: np.ndarray  # (steps + 1, B, P), frozen from the step a member stopped
    loss: np.ndarray  # (steps + 1, B), likewise
    diverged_at: np.ndarray  # (B,) int: the step a member stopped, −1 if never
    stopped: np.ndarray  # (B,) object: "diverged" | "domain" | None
    stop_points: np.ndarray  # (B, P): where it stopped, NaN for members that did not
    grads: np.ndarray | None  # (steps, B, P) gradients used (noise included), with ``inputs``
    eval_points: np.ndarray | None  # (steps, B, P) where they were taken, with ``inputs``
    records: list | None  # per step (state, diagnostics) of every member, with ``states``
    deadline_at: int | None = None  # the steps done when the deadline stopped the loop


def simulate(
    surface,
    opt: Optimizer,
    starts,
    lr,
    noise,
    seed,
    *,
    inputs,
    states=False,
    batches=None,
    lengths=None,
    deadline=None,
) -> Simulation:
    """The hot loop: starts (B, P), lr (steps, B or 1), noise σ (float or (B,)), batches
    (B, steps, m) example indices or None for the exact gradient; ``lengths`` (B,): member b
    runs ``lengths[b]`` ≤ steps steps (what it computes after them counts for nothing);
    ``deadline``: a ``time.monotonic()`` instant after which no step but the first starts.

    Returns a ``Simulation``: with ``inputs`` the gradients and the points where they were
    taken, else None; with ``states`` per step (state, diagnostics) of every member, else None
    (after a deadline, the last step's repeated); ``deadline_at`` k if the deadline stopped
    the loop after k < steps steps: ``path[k + 1:]`` then repeats ``path[k]``, and ``grads``
    and ``eval_points`` are NaN from index k.
    """
    (batch, dim), steps = starts.shape, lr.shape[0]
    lr = lr.reshape(steps, -1, 1)
    path = np.empty((steps + 1, batch, dim))
    path[0] = starts
    xi = None
    if np.any(noise):
        sigma = np.reshape(noise, (-1, 1, 1))
        xi = sigma * np.random.default_rng(seed).standard_normal((batch, steps, dim))
    grads_taken = np.empty((steps, batch, dim)) if inputs else None
    points_taken = np.empty((steps, batch, dim)) if inputs else None
    records = [] if states else None
    bad_inputs = {}  # member -> (first step whose ∇f or ∇²f was not finite, the point)
    recorded = np.zeros(batch, dtype=bool)  # the members in bad_inputs
    params, state = starts, opt.init(starts)
    cut = None  # the steps done when the deadline stopped the loop
    if deadline is not None:
        loss, done = np.empty((steps + 1, batch)), 0  # the loss of path[:done] is computed
        rows = max(1, LOSS_BLOCK // batch)  # …a block of iterates at a time
    with np.errstate(all="ignore"):
        for t in range(1, steps + 1):
            if deadline is not None and t > 1:
                if t - done >= rows:
                    loss[done:t] = surface.f(path[done:t])
                    done = t
                if time.monotonic() > deadline:
                    cut = t - 1
                    break
            point = opt.eval_point(params, state)
            if batches is None:
                grads = surface.grad(point)
            else:
                grads = surface.minibatch_grad(point, batches[:, t - 1])
            hessian = _hessian(surface, point) if opt.uses_hessian else None
            finite = np.isfinite(grads)
            if not finite.all() or (hessian is not None and not np.isfinite(hessian).all()):
                # Per member (a reduction over a last axis of 2 is slow in NumPy: by hand).
                bad = ~(finite[:, 0] & finite[:, 1]) if dim == 2 else ~finite.all(axis=1)
                if hessian is not None:
                    bad |= ~np.isfinite(hessian.reshape(batch, dim * dim)).all(axis=1)
                bad &= ~recorded  # a stopped member keeps failing: its first step is kept
                recorded |= bad
                for b in np.flatnonzero(bad):
                    bad_inputs[int(b)] = (t, point[b].copy())
            if xi is not None:
                grads = grads + xi[:, t - 1]
            if inputs:
                grads_taken[t - 1], points_taken[t - 1] = grads, point
            if states:
                params, state, diagnostics = opt.inspect(
                    grads, state, params, t, lr[t - 1], hessian
                )
                records.append((state, diagnostics))
            else:
                params, state = opt.update(grads, state, params, t, lr[t - 1], hessian)
            path[t] = params
        if deadline is None:
            loss = surface.f(path)
        else:
            if cut is not None:
                _cut_short(path, cut, grads_taken, points_taken, records)
            last = steps if cut is None else cut
            loss[done : last + 1] = surface.f(path[done : last + 1])
            loss[last + 1 :] = loss[last]
        centre, reach = divergence_bound(surface)
        ok = np.isfinite(loss) & _within(path, centre, reach**2)
    ok[0] = True  # the start was checked; divergence is about the iterates
    if lengths is not None:  # a member's steps after its last count for nothing
        ok |= np.arange(steps + 1)[:, None] > lengths[None, :]
    diverged_at = np.where(ok.all(axis=0), -1, np.argmin(ok, axis=0))
    with np.errstate(all="ignore"):
        stopped, stop_points = _classify_stops(
            surface, opt, path, reach**2, centre, diverged_at, bad_inputs
        )
    if cut is not None:  # the members the deadline stopped: still running, with steps to go
        running = (diverged_at < 0) & (cut < (steps if lengths is None else lengths))
        stopped[running] = "deadline"
    for member in np.flatnonzero(diverged_at > 0):
        k = diverged_at[member]
        path[k:, member] = path[k - 1, member]
        loss[k:, member] = loss[k - 1, member]
    return Simulation(
        path, loss, diverged_at, stopped, stop_points, grads_taken, points_taken, records, cut
    )


def _hessian(surface, point):
    """∇²f at ``point``; a surface that refuses it (``SurfaceError``, a ValueError: too many
    parameters) refuses the run."""
    try:
        return surface.hessian(point)
    except ValueError as err:
        raise OptimizerError(
            f"This optimizer needs the exact Hessian at every step, which the surface does not "
            f"offer: {err}"
        ) from err


def _cut_short(path, cut, grads_taken, points_taken, records) -> None:
    """After the deadline stopped the loop at step ``cut``: every member frozen at its last
    iterate, the inputs of the steps not taken NaN, the last record repeated (the loss of the
    steps not taken is the caller's to fill)."""
    path[cut + 1 :] = path[cut]
    for taken in (grads_taken, points_taken):
        if taken is not None:
            taken[cut:] = np.nan
    if records is not None:
        records.extend([records[-1]] * (len(path) - 1 - cut))


def _squared_distance(point: np.ndarray, centre: np.ndarray):
    """‖point − centre‖², summed over the last axis (P coordinates)."""
    return ((point - centre) ** 2).sum(axis=-1)


def _within(path: np.ndarray, centre: np.ndarray, reach2: float) -> np.ndarray:
    """``‖path − centre‖² ≤ reach2`` per iterate, (steps + 1, B), a block of steps at a time.
    In 2D, coordinate by coordinate (a 4096-run grid's path is 30 MB, and a sum over a last
    axis of 2 is slow in NumPy)."""
    out = np.empty(path.shape[:-1], dtype=bool)
    if path.shape[-1] != 2:
        rows = max(1, 2**18 // max(1, path.shape[1] * path.shape[2]))
        for first in range(0, len(path), rows):
            block = path[first : first + rows]
            np.less_equal(_squared_distance(block, centre), reach2, out=out[first : first + rows])
        return out
    rows = max(1, 2**18 // max(1, path.shape[1]))  # ~4 MB of temporaries
    for first in range(0, len(path), rows):
        block = path[first : first + rows]
        dx, dy = block[..., 0] - centre[0], block[..., 1] - centre[1]
        dx *= dx
        dy *= dy
        dx += dy
        np.less_equal(dx, reach2, out=out[first : first + rows])
    return out


def overflows(fn, point) -> bool:
    """Whether fn is infinite at ``point`` because it overflows there: infinite at every nearby
    point too, and nowhere NaN (exp(100x) far out), unlike a pole or a domain edge (1/x at 0,
    √x or log x at x ≤ 0), where a neighbour is finite or NaN.

    The neighbours are ``point`` moved both ways along its first two coordinates (x and y in
    2D; in P dimensions the first two parameters stand for the rest, which costs 5 calls of fn
    whatever P)."""
    point = np.asarray(point, dtype=float)
    h = 1e-6 * max(1.0, float(np.abs(point).max()))
    moves = np.zeros((5, point.shape[-1]))
    for k in range(min(2, point.shape[-1])):
        moves[1 + 2 * k, k], moves[2 + 2 * k, k] = 1.0, -1.0
    around = point + h * moves
    with np.errstate(all="ignore"):
        values = np.asarray(fn(around), dtype=float).reshape(5, -1)
    return not np.isnan(values).any() and bool(np.isinf(values).any(axis=1).all())


def _classify_stops(surface, opt, path, reach2, centre, diverged_at, bad_inputs):
    """Per member: why it stopped ("diverged" | "domain" | None) and where (B, P)."""
    stopped = np.full(diverged_at.shape, None, dtype=object)
    points = np.full((diverged_at.size, path.shape[-1]), np.nan)
    for b in np.flatnonzero(diverged_at > 0):
        k = diverged_at[b]
        iterate = path[k, b]
        inside = bool(np.isfinite(iterate).all()) and _squared_distance(iterate, centre) <= reach2
        reason, point = "diverged", iterate
        if inside:  # a finite iterate in the bound whose loss is not finite
            if not overflows(surface.f, iterate):
                reason = "domain"
        elif b in bad_inputs and bad_inputs[b][0] == k:  # ∇f (or ∇²f) failed at step k
            point = bad_inputs[b][1]
            finite = np.isfinite(point).all() and _squared_distance(point, centre) <= reach2
            fns = [surface.grad] + ([surface.hessian] if opt.uses_hessian else [])
            failed = [fn for fn in fns if not np.isfinite(fn(point)).all()]
            if finite and failed and not any(overflows(fn, point) for fn in failed):
                reason = "domain"
        stopped[b], points[b] = reason, point
    return stopped, points
