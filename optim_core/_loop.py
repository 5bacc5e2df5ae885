"""The hot loop of every run: B members stepped together, then why each stopped.

A member diverges at the first step t whose iterate is not finite, lies farther than
``DIVERGENCE_FACTOR`` × the view's diameter from the view's centre, or has a non-finite loss;
it is frozen from then on. It left the domain instead when that iterate is finite and inside
the bound but f there is not finite, or ∇f (∇²f for Newton) at the point where the gradient
was taken is not; an infinity that fills the point's neighbourhood is an overflow: divergence.
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

from optim_core.spec import Optimizer

DIVERGENCE_FACTOR = 1e3
LOSS_BLOCK = 2**14  # under a deadline, the loss is computed every 2¹⁴ // B steps (B members)


def divergence_bound(surface) -> tuple[np.ndarray, float]:
    """The view's centre (2,) and the distance from it beyond which an iterate has diverged."""
    (xmin, xmax), (ymin, ymax) = surface.bounds
    centre = np.array([(xmin + xmax) / 2, (ymin + ymax) / 2])
    return centre, DIVERGENCE_FACTOR * float(np.hypot(xmax - xmin, ymax - ymin))


class Simulation(NamedTuple):
    """What ``simulate`` returns for B members over ``steps`` steps."""

    path: np.ndarray  # (steps + 1, B, 2), frozen from the step a member stopped
    loss: np.ndarray  # (steps + 1, B), likewise
    diverged_at: np.ndarray  # (B,) int: the step a member stopped, −1 if never
    stopped: np.ndarray  # (B,) object: "diverged" | "domain" | None
    stop_points: np.ndarray  # (B, 2): where it stopped, NaN for members that did not
    grads: np.ndarray | None  # (steps, B, 2) gradients used (noise included), with ``inputs``
    eval_points: np.ndarray | None  # (steps, B, 2) where they were taken, with ``inputs``
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
    """The hot loop: starts (B, 2), lr (steps, B or 1), noise σ (float or (B,)), batches
    (B, steps, m) example indices or None for the exact gradient; ``lengths`` (B,): member b
    runs ``lengths[b]`` ≤ steps steps (what it computes after them counts for nothing);
    ``deadline``: a ``time.monotonic()`` instant after which no step but the first starts.

    Returns a ``Simulation``: with ``inputs`` the gradients and the points where they were
    taken, else None; with ``states`` per step (state, diagnostics) of every member, else None
    (after a deadline, the last step's repeated); ``deadline_at`` k if the deadline stopped
    the loop after k < steps steps: ``path[k + 1:]`` then repeats ``path[k]``, and ``grads``
    and ``eval_points`` are NaN from index k.
    """
    batch, steps = starts.shape[0], lr.shape[0]
    lr = lr.reshape(steps, -1, 1)
    path = np.empty((steps + 1, batch, 2))
    path[0] = starts
    xi = None
    if np.any(noise):
        sigma = np.reshape(noise, (-1, 1, 1))
        xi = sigma * np.random.default_rng(seed).standard_normal((batch, steps, 2))
    grads_taken = np.empty((steps, batch, 2)) if inputs else None
    points_taken = np.empty((steps, batch, 2)) if inputs else None
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
            hessian = surface.hessian(point) if opt.uses_hessian else None
            finite = np.isfinite(grads)
            if not finite.all() or (hessian is not None and not np.isfinite(hessian).all()):
                # Per member (a reduction over a last axis of 2 is slow in NumPy: by hand).
                bad = ~(finite[:, 0] & finite[:, 1])
                if hessian is not None:
                    bad |= ~np.isfinite(hessian.reshape(batch, 4)).all(axis=1)
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


def _within(path: np.ndarray, centre: np.ndarray, reach2: float) -> np.ndarray:
    """``((path − centre)² summed over x, y) ≤ reach2`` per iterate, (steps + 1, B): the same
    numbers, a block of steps at a time and coordinate by coordinate (a 4096-run grid's path
    is 30 MB, and a sum over a last axis of 2 is slow in NumPy)."""
    out = np.empty(path.shape[:-1], dtype=bool)
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
    √x or log x at x ≤ 0), where a neighbour is finite or NaN."""
    h = 1e-6 * max(1.0, float(np.abs(point).max()))
    around = point + h * np.array([[0, 0], [1, 0], [-1, 0], [0, 1], [0, -1]], dtype=float)
    with np.errstate(all="ignore"):
        values = np.asarray(fn(around), dtype=float).reshape(5, -1)
    return not np.isnan(values).any() and bool(np.isinf(values).any(axis=1).all())


def _classify_stops(surface, opt, path, reach2, centre, diverged_at, bad_inputs):
    """Per member: why it stopped ("diverged" | "domain" | None) and where (B, 2)."""
    stopped = np.full(diverged_at.shape, None, dtype=object)
    points = np.full((diverged_at.size, 2), np.nan)
    for b in np.flatnonzero(diverged_at > 0):
        k = diverged_at[b]
        iterate = path[k, b]
        inside = bool(np.isfinite(iterate).all()) and ((iterate - centre) ** 2).sum() <= reach2
        reason, point = "diverged", iterate
        if inside:  # a finite iterate in the bound whose loss is not finite
            if not overflows(surface.f, iterate):
                reason = "domain"
        elif b in bad_inputs and bad_inputs[b][0] == k:  # ∇f (or ∇²f) failed at step k
            point = bad_inputs[b][1]
            finite = np.isfinite(point).all() and ((point - centre) ** 2).sum() <= reach2
            fns = [surface.grad] + ([surface.hessian] if opt.uses_hessian else [])
            failed = [fn for fn in fns if not np.isfinite(fn(point)).all()]
            if finite and failed and not any(overflows(fn, point) for fn in failed):
                reason = "domain"
        stopped[b], points[b] = reason, point
    return stopped, points
