"""The Race's results table: one row per optimizer — final and best gap, the step from which it
stays within the tolerance, and why it stopped — as the table reads it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from optim_core import OPTIMIZERS
from optim_core.analysis import (
    gradient_norms,
    known_min_value,
    loss_gap,
    steps_to_tolerance,
    stopped_why,
)


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
        stopped = traj.diverged_at if traj.diverged_at is not None else traj.deadline_at
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
