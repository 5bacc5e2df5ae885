"""What the Network page says about its runs: the results table, how faithful the plane of the
iterates is, and where each run's sharpness went against its edge — every number from the runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from optim_core import OPTIMIZERS


@dataclass(frozen=True)
class NetworkResult:
    """One optimizer's row: the network at its last iterate that counts."""

    optimizer: str
    name: str
    lr: float
    train_loss: float
    test_loss: float
    train_accuracy: float
    test_accuracy: float
    diverged_at: int | None
    deadline_at: int | None  # the step the time budget stopped it at

    @property
    def status(self) -> str:
        if self.diverged_at is not None:
            return f"diverged at step {self.diverged_at}"
        if self.deadline_at is not None:
            return f"stopped by the time budget at step {self.deadline_at}"
        return "—"


def network_results(net, runs: Mapping, hyper_of) -> list[NetworkResult]:
    """One row per run ({optimizer: run with ``end``, ``test_loss`` (its last value at ``end``)
    and ``trajectory``}): losses and accuracies at the run's last iterate that counts (before a
    divergence)."""
    out = []
    for opt, r in runs.items():
        t = r.trajectory
        with np.errstate(all="ignore"):
            train_loss = float(net.f(r.end))
        out.append(
            NetworkResult(
                optimizer=opt,
                name=OPTIMIZERS[opt].name,
                lr=float(hyper_of(opt)["lr"]),
                train_loss=train_loss,
                test_loss=float(r.test_loss[-1]),  # at the last iterate that counts
                train_accuracy=float(net.accuracy(r.end)),
                test_accuracy=float(net.accuracy(r.end, test=True)),
                diverged_at=None if t.diverged_at is None else int(t.diverged_at),
                deadline_at=getattr(t, "deadline_at", None),
            )
        )
    return out


def _number(value: float) -> str:
    return f"{value:.3g}" if np.isfinite(value) else "—"


def results_table(rows: list[NetworkResult]) -> list[dict]:
    """The rows as the page's table shows them."""
    return [
        {
            "optimizer": r.name,
            "α": f"{r.lr:g}",
            "train loss": _number(r.train_loss),
            "test loss": _number(r.test_loss),
            "train accuracy": f"{r.train_accuracy:.0%}",
            "test accuracy": f"{r.test_accuracy:.0%}",
            "stopped": r.status,
        }
        for r in rows
    ]


def plane_note(plane, centre_name: str) -> str:
    """How much of the runs the plane of the iterates shows: the variance its two directions
    hold, and how far the farthest iterate lies off it, against the iterates' reach from the
    centre."""
    share = float(plane.explained.sum())
    off = plane.reach()
    reach = 0.0
    for ab, d in zip(plane.coords, plane.off_plane, strict=True):
        with np.errstate(invalid="ignore"):
            r = np.sqrt((ab**2).sum(axis=-1) + d**2)
        r = r[np.isfinite(r)]
        reach = max(reach, float(r.max()) if r.size else 0.0)
    text = (
        f"The plane's two directions hold {share:.0%} of the iterates' variance "
        f"(PC1 {plane.explained[0]:.0%}, PC2 {plane.explained[1]:.0%}); its origin is "
        f"{centre_name}'s end point."
    )
    if reach > 0:
        text += (
            f" No iterate lies farther than {off:.3g} from the plane, "
            f"{off / reach:.0%} of the farthest iterate's distance from the origin ({reach:.3g})."
        )
    return text


def sharpness_course(values) -> str:
    """How λ_max went along a run, as its measurements say: "falls" (no measurement above the
    one before), "rises" (none below), "never above its start" (the first is the highest),
    "highest at the end" (the last is), else "peaks" (the highest lies between)."""
    values = np.asarray(values, dtype=float)
    steps = np.diff(values)
    if len(values) > 1 and (steps <= 0).all() and (steps < 0).any():
        return "falls"
    if len(values) > 1 and (steps >= 0).all() and (steps > 0).any():
        return "rises"
    top = values.max()
    if values[0] == top:
        return "never above its start"
    if values[-1] == top:
        return "highest at the end"
    return "peaks"


def sharpness_note(name: str, sharpness, edge: float | None) -> str | None:
    """λ_max along one run in numbers: its start, its highest and its end — each said once, in
    words that follow them (``sharpness_course``: a highest at the start or at the end is not
    repeated as a third number) — against the stability edge when the optimizer has one (None
    without measurements)."""
    values = np.asarray(sharpness.values, dtype=float)
    steps = np.asarray(sharpness.steps)
    keep = np.isfinite(values)
    values, steps = values[keep], steps[keep]
    if not len(values):
        return None
    top = int(np.argmax(values))

    def at(k: int) -> str:
        return f"{values[k]:.3g} at step {int(steps[k])}"

    if len(values) == 1:
        text = f"**{name}**: λ_max {at(0)}"
    else:
        course = sharpness_course(values)
        text = {
            "falls": f"**{name}**: λ_max only falls, from {at(0)} to {at(-1)}",
            "rises": f"**{name}**: λ_max only rises, from {at(0)} to {at(-1)}",
            "never above its start": (
                f"**{name}**: λ_max never rises above its start {at(0)}; {at(-1)}"
            ),
            "highest at the end": f"**{name}**: λ_max {at(0)}, highest at the end: {at(-1)}",
            "peaks": f"**{name}**: λ_max {at(0)}, highest {at(top)}, {at(-1)}",
        }[course]
    if edge is not None and np.isfinite(edge):
        text += f" — its edge is {edge:.3g}; the highest is {values[top] / edge:.0%} of it"
    return text + "."
