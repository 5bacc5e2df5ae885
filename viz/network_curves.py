"""The Network page's two panels over the steps (``viz.network``): the loss and the sharpness of
each run, a dot or a line at the frame's step.

- **Loss**: train (solid) and test (dashed) loss per optimizer on a log axis; a dot on each
  train curve and a vertical line at the frame's step.
- **Sharpness**: λ_max of the Hessian along each run (``optim_core.sharpness``) and, dotted,
  each optimizer's stability edge (2/α for gradient descent) where it has one; the same line.

The step axes reach a little past both ends (a dot at the last step is whole, the step line off
the border) with 4 to 6 round ticks for any run length (``step_ticks``); the log axes leave room
above the highest value (``LOG_PAD``).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from viz._base import color_for, line_width, log_ticks, marker_for, optimizer_name
from viz._encode import BuiltFigure, f32
from viz.network_parts import dot_marker, frames_of, panel_layout

# Settings of these panels, together.
LOSS_FLOOR = 1e-12  # a loss drawn on a log axis is at least this
STEP_LINE = {"color": "rgba(0,0,0,0.45)", "width": 1.5}
STEP_PAD = 0.03  # the step axis reaches this share of the run past each end (its dots whole)
LOG_PAD = (0.05, 0.12)  # a log axis's room below and above its values, as shares of its decades
NICE_STEPS = (1, 2, 2.5, 5)  # a step axis's tick spacing is one of these × 10^k
STEP_TICKS = (4, 6)  # … with this many ticks from 0 to the last step


def step_ticks(last: int) -> float:
    """The spacing of a step axis's ticks from 0 to ``last``: a whole number of steps that puts
    ``STEP_TICKS`` (4 … 6) ticks on the axis — 1, 2 or 5 × 10^k where one does (for 1000 steps,
    every 200; for 60, every 20), else 2.5 × 10^k (for 130, every 25), else the least whole
    spacing that does (for 12, every 3); a run of fewer than 3 steps, every step."""
    last = max(int(last), 1)
    fewest, most = STEP_TICKS
    fits = sorted(
        (m == 2.5, m * 10**k)
        for k in range(len(str(last)))
        for m in NICE_STEPS
        if float(m * 10**k).is_integer() and fewest <= last // (m * 10**k) + 1 <= most
    )
    return float(fits[0][1]) if fits else float(max(1, -(-last // (most - 1))))


def _over_steps(span: list[float], ytitle: str, last: int) -> dict:
    """A step axis from 0 to ``last`` (room past each end: ``STEP_PAD``; round ticks:
    ``step_ticks``) and a log axis over ``span`` (log₁₀ range)."""
    last = max(last, 1)
    pad = STEP_PAD * last
    return {
        "xaxis": {
            "title": {"text": "step"},
            "range": [-pad, last + pad],
            "tickmode": "linear",
            "tick0": 0,
            "dtick": step_ticks(last),
            "fixedrange": True,
        },
        "yaxis": {
            "type": "log",
            "range": span,
            "title": {"text": ytitle},
            "fixedrange": True,
            **log_ticks(10.0 ** np.array(span)),
        },
    }


def _log_range(values) -> list[float]:
    """A log axis's range (log₁₀) over the positive finite ``values``, with room below and
    above them (``LOG_PAD``: a dot at the highest value is whole, under the top)."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values) & (values > 0)]
    if not values.size:
        return [-1.0, 1.0]
    lo, hi = np.log10(values.min()), np.log10(values.max())
    below, above = (max(share * (hi - lo), share) for share in LOG_PAD)
    return [float(lo - below), float(hi + above)]


def loss_figure(runs: Mapping, steps, present: bool = False) -> go.Figure:
    """Train (solid) and test (dashed) loss per run; a dot on each train curve per frame."""
    traces, dots, moving, values = [], [], [], []
    last = max(len(r.trajectory.path) for r in runs.values()) - 1
    for i, (opt, r) in enumerate(runs.items()):
        color, name = color_for(opt, i), optimizer_name(opt)
        train = np.maximum(r.loss, LOSS_FLOOR)
        test = np.maximum(r.test_loss, LOSS_FLOOR)
        values += [train, test]
        curves = (
            ("train", np.arange(len(train)), train, 1.0, "solid"),
            ("test", r.test_steps, test, 0.6, "dash"),
        )
        for kind, x, y, width, dash in curves:
            traces.append(
                {
                    "type": "scatter",
                    "x": f32(x),
                    "y": f32(y),
                    "mode": "lines",
                    "legendgroup": opt,
                    "name": f"{name} {kind}",
                    "line": {"color": color, "width": line_width(present) * width, "dash": dash},
                    "hovertemplate": f"{name}<br>step %{{x}}: {kind} loss %{{y:.4g}}"
                    "<extra></extra>",
                }
            )
        shown = np.minimum(steps, r.last)
        at = train[shown]
        dots.append(
            {
                "type": "scatter",
                "x": [int(shown[0])],
                "y": [float(at[0])],
                "mode": "markers",
                "marker": dot_marker(opt, i, 11 if present else 9),
                "legendgroup": opt,
                "name": name,
                "hoverinfo": "skip",
            }
        )
        moving.append([{"x": [int(s)], "y": [float(v)]} for s, v in zip(shown, at, strict=True)])
    span = _log_range(np.concatenate(values) if values else [])
    line = _step_line(span)
    moving.append([{"x": [int(s), int(s)]} for s in steps])
    layout = panel_layout("Loss · dashed: test", present, **_over_steps(span, "loss", last))
    frames = frames_of(steps, moving, len(traces))
    return BuiltFigure.of([*traces, *dots, line], layout, frames)


def _step_line(span: list[float]) -> dict:
    """The vertical line at the frame's step (at step 0 in the base figure)."""
    return {
        "type": "scatter",
        "x": [0, 0],
        "y": [10.0 ** span[0], 10.0 ** span[1]],
        "mode": "lines",
        "line": STEP_LINE,
        "hoverinfo": "skip",
        "name": "step",
    }


def sharpness_figure(
    runs: Mapping, sharpness: Mapping, edges: Mapping, steps, present: bool = False
) -> go.Figure:
    """λ_max along each run and, dotted, each optimizer's stability edge; the step line."""
    traces, values = [], []
    last = max(len(r.trajectory.path) for r in runs.values()) - 1
    for i, opt in enumerate(runs):
        color, name = color_for(opt, i), optimizer_name(opt)
        found = sharpness.get(opt)
        if found is not None and len(found.steps):
            v = np.where(np.asarray(found.values, dtype=float) > 0, found.values, np.nan)
            values.append(v)
            traces.append(
                {
                    "type": "scatter",
                    "x": f32(found.steps),
                    "y": f32(v),
                    "mode": "lines+markers",
                    "line": {"color": color, "width": line_width(present) * 0.75},
                    "marker": {"symbol": marker_for(opt, i), "color": color, "size": 5},
                    "legendgroup": opt,
                    "name": f"{name} λ_max",
                    "hovertemplate": f"{name}<br>step %{{x}}: λ_max %{{y:.4g}}<extra></extra>",
                }
            )
        edge = edges.get(opt)
        if edge is not None and np.isfinite(edge) and edge > 0:
            values.append(np.array([edge]))
            traces.append(
                {
                    "type": "scatter",
                    "x": [0, last],
                    "y": [edge, edge],
                    "mode": "lines",
                    "line": {"color": color, "width": line_width(present) * 0.75, "dash": "dot"},
                    "legendgroup": opt,
                    "name": f"{name} edge",
                    "hovertemplate": f"{name}: stability edge {edge:.4g}<extra></extra>",
                }
            )
    span = _log_range(np.concatenate(values) if values else [])
    moving = [[{"x": [int(s), int(s)]} for s in steps]]
    axes = _over_steps(span, "λ_max(H)", last)
    layout = panel_layout("Sharpness λ_max · dotted: edge", present, **axes)
    frames = frames_of(steps, moving, len(traces))
    return BuiltFigure.of([*traces, _step_line(span)], layout, frames)
