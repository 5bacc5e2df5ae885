"""What a finished run says: how close it got, when it settled, and why it stopped.

``steps_to_tolerance`` is the one definition used by the Race's table, the Learning-rate lab and
the lessons: **the step from which the gap stays within the tolerance to the end of the run**
(a run that only passes through the tolerance has not settled).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from optim_core.metadata import OPTIMIZERS
from optim_core.runner import stop_reason
from optim_core.theory import divergence_reason

SETTLED_RULE = "stays within the tolerance from step k on"


def steps_to_tolerance(gap, diverged_at=None, tol=1e-4):
    """The first step k with gap_t ≤ tol for every t ≥ k (gap: (steps+1,) or (steps+1, B));
    ``tol`` is a number or one per run (B,). NaN where the run never settles or diverged
    (``diverged_at`` None / −1 means it did not)."""
    gap = np.asarray(gap, dtype=float)
    single = gap.ndim == 1
    gap = gap[:, None] if single else gap
    with np.errstate(invalid="ignore"):
        outside = ~(gap <= np.asarray(tol, dtype=float))
    last_outside = gap.shape[0] - 1 - np.argmax(outside[::-1], axis=0)
    settled = np.where(outside.any(axis=0), last_outside + 1, 0).astype(float)
    settled[settled >= gap.shape[0]] = np.nan
    if diverged_at is not None:
        stopped = np.atleast_1d(np.asarray(-1 if diverged_at is None else diverged_at))
        settled[stopped >= 0] = np.nan
    return float(settled[0]) if single else settled


def known_min_value(surface) -> float | None:
    """f at the surface's known minima (the lowest), or None if it lists none."""
    if not surface.minima:
        return None
    with np.errstate(all="ignore"):
        values = np.asarray(surface.f(np.asarray(surface.minima, dtype=float)), dtype=float)
    values = values[np.isfinite(values)]
    return float(values.min()) if values.size else None


def loss_gap(trajectory, f_min: float | None) -> np.ndarray:
    """f − f_min along the run (f if no minimum is known); NaN from the step it stopped."""
    loss = np.array(trajectory.loss, dtype=float)
    if trajectory.diverged_at is not None:
        loss[int(trajectory.diverged_at) :] = np.nan
    return loss - f_min if f_min is not None else loss


def gradient_norms(surface, trajectory) -> np.ndarray:
    """‖∇f‖ at every iterate (NaN from the step the run stopped)."""
    path = np.array(trajectory.path, dtype=float)
    if trajectory.diverged_at is not None:
        path[int(trajectory.diverged_at) :] = np.nan
    with np.errstate(all="ignore"):
        return np.linalg.norm(np.asarray(surface.grad(path), dtype=float), axis=-1)


@dataclass(frozen=True)
class RaceResult:
    """One optimizer's row of the Race table."""

    optimizer: str
    name: str
    lr: float
    final: float  # last finite gap (NaN if none)
    best: float
    settled_at: int | None  # steps_to_tolerance on ``measure``
    stopped_at: int | None
    why: str | None  # the reason it stopped, in words

    @property
    def status(self) -> str:
        """ "—", or what stopped the run and when, in words."""
        return "—" if self.stopped_at is None else self.why


@dataclass(frozen=True)
class RaceResults:
    """The Race table: what is measured (f − f_min, or ‖∇f‖ when no minimum is known)."""

    measure: str  # "f − f_min" | "f"
    target: str  # what the tolerance applies to: "f − f_min" | "‖∇f‖"
    tol: float
    rows: tuple[RaceResult, ...]

    @property
    def settled_column(self) -> str:
        """The heading of the steps-to-tolerance column, which says the definition."""
        return f"stays within {self.target} ≤ {self.tol:g} from step"

    def table(self) -> list[dict]:
        """Rows as a plain table reads them, numbers to 3 significant digits."""

        def shown(value) -> str:
            if value is None or (isinstance(value, float) and not np.isfinite(value)):
                return "—"
            return f"{value:.3g}" if isinstance(value, float) else str(value)

        out = []
        for r in self.rows:
            out.append(
                {
                    "optimizer": r.name,
                    "learning rate": shown(r.lr),
                    f"final {self.measure}": shown(r.final),
                    f"best {self.measure}": shown(r.best),
                    self.settled_column: shown(r.settled_at),
                    "stopped": r.status,
                }
            )
        return out


def race_results(surface, trajectories: Mapping[str, object], tol: float) -> RaceResults:
    """One row per run: final and best gap, the step it settled within ``tol``, and why it
    stopped. The tolerance is on f − f_min when the minimum is known, else on ‖∇f‖."""
    f_min = known_min_value(surface)
    measure = "f − f_min" if f_min is not None else "f"
    target = measure if f_min is not None else "‖∇f‖"
    rows = []
    for opt, traj in trajectories.items():
        gap = loss_gap(traj, f_min)
        finite = gap[np.isfinite(gap)]
        watched = gap if f_min is not None else gradient_norms(surface, traj)
        settled = steps_to_tolerance(watched, traj.diverged_at, tol)
        stopped = traj.diverged_at
        rows.append(
            RaceResult(
                optimizer=opt,
                name=OPTIMIZERS[opt].name,
                lr=float(traj.hyper.get("lr", np.nan)),
                final=float(finite[-1]) if finite.size else float("nan"),
                best=float(finite.min()) if finite.size else float("nan"),
                settled_at=None if np.isnan(settled) else int(settled),
                stopped_at=stopped,
                why=stopped_why(surface, traj),
            )
        )
    return RaceResults(measure, target, float(tol), tuple(rows))


def stopped_why(surface, trajectory) -> str | None:
    """Why a run stopped, in words: it left the function's domain (where and what is not
    defined), or it diverged (with the theory's reason on a quadratic). None if it ran on."""
    k = trajectory.diverged_at
    if k is None:
        return None
    if getattr(trajectory, "stopped", "diverged") == "domain":
        return stop_reason(surface, trajectory)
    reason = divergence_reason(surface, trajectory.optimizer, trajectory.hyper, k)
    return f"diverged at step {k}: {reason}"
