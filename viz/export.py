"""Exports: a figure as a standalone HTML file that plays offline, trajectories as CSV."""

from __future__ import annotations

import io
from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

CSV_COLUMNS = ("optimizer", "step", "x", "y", "loss", "lr")


def figure_html(fig: go.Figure) -> str:
    """The figure as one HTML page with plotly.js embedded: opens and plays without a network."""
    return fig.to_html(include_plotlyjs=True, full_html=True, auto_play=False)


def trajectories_csv(trajectories: Mapping[str, object]) -> str:
    """One row per optimizer and step: the iterate after that step, its loss and the step's lr.

    Step 0 is the start point; it has no learning rate (the lr column is empty there).
    """
    out = io.StringIO()
    out.write(",".join(CSV_COLUMNS) + "\n")
    for key, traj in trajectories.items():
        path = np.asarray(traj.path, dtype=float)
        loss = np.asarray(traj.loss, dtype=float)
        lr = np.concatenate([[np.nan], np.asarray(traj.lr, dtype=float)])
        for step, ((x, y), f, rate) in enumerate(zip(path, loss, lr, strict=True)):
            rate_text = "" if np.isnan(rate) else f"{rate:.10g}"
            out.write(f"{key},{step},{x:.10g},{y:.10g},{f:.10g},{rate_text}\n")
    return out.getvalue()
