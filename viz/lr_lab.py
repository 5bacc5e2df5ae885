"""Figures of the Learning-rate lab: the outcome of a sweep, one run, and the theory.

``outcome_figure`` draws a sweep (``optim_core.Sweep``) with ``viz.outcome``: a heat map over
learning rate × the second hyperparameter, or a line over the learning rate.  The picked run is
drawn on the contour with its loss curve; on quadratics, predicted convergence rates are drawn
against measured losses, and the steps each optimizer needs against the bowl's rotation.
Figures take the core's typed results (``Sweep``, ``Overlay``, ``Cell``, ``Curve``,
``RotationComparison``).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from viz._base import LOSS_FLOOR, color_for, contour_trace, line_width, minima_trace, style
from viz.outcome import DIVERGED_COLOR, outcome_heatmap, outcome_line


def outcome_figure(
    result,
    *,
    metric: str,
    steps: int,
    second_label: str = "",
    overlay=None,
    pick=None,
    present: bool = False,
    height: int | None = None,
    second_log: bool = False,
) -> go.Figure:
    """The outcome of a sweep (``optim_core.Sweep``): a heat map over (α, second value), or a
    line over α when the optimizer has no second hyperparameter.  ``pick`` is a ``Cell``;
    ``second_log`` puts the second axis on a log scale (a batch-size grid's m)."""
    values = result.final_gap if metric == "loss" else result.steps_to_tol
    common = {"metric": metric, "steps": steps, "overlay": overlay, "present": present}
    if result.seconds is None:
        return outcome_line(
            result.lrs,
            values,
            result.diverged_at,
            pick=None if pick is None else pick.lr,
            height=height,
            **common,
        )
    return outcome_heatmap(
        result.lrs,
        result.seconds,
        values,
        result.diverged_at,
        second_label=second_label,
        pick=None if pick is None else (pick.lr, pick.second),
        height=height,
        second_log=second_log,
        **common,
    )


def trajectory_figure(
    surface,
    path,
    *,
    optimizer: str,
    label: str,
    diverged_at: int | None = None,
    bounds=None,
    present: bool = False,
    height: int | None = None,
) -> go.Figure:
    """One run's path on the contour (start ○, end ◆, a cross where it diverged)."""
    bounds = bounds or surface.bounds
    path = np.asarray(path, dtype=float)
    color = color_for(optimizer)
    fig = go.Figure(contour_trace(surface, bounds, present=present))
    minima = minima_trace(surface, present=present)
    if minima is not None:
        fig.add_trace(minima)
    shown = path if diverged_at is None else path[: max(int(diverged_at), 1)]
    fig.add_trace(
        go.Scatter(
            x=shown[:, 0],
            y=shown[:, 1],
            mode="lines+markers",
            line={"color": color, "width": line_width(present)},
            marker={"size": 4 if len(shown) > 60 else 6, "color": color},
            name=label,
            hovertemplate="step %{pointNumber}<br>(%{x:.4g}, %{y:.4g})<extra></extra>",
        )
    )
    ends = [("start", shown[0], "circle")]
    ends.append(
        (
            "diverged" if diverged_at is not None else "end",
            shown[-1],
            "x" if diverged_at is not None else "diamond",
        )
    )
    for name, xy, symbol in ends:
        fig.add_trace(
            go.Scatter(
                x=[xy[0]],
                y=[xy[1]],
                mode="markers",
                marker={
                    "symbol": symbol,
                    "size": 16 if present else 12,
                    "color": color if name != "diverged" else DIVERGED_COLOR,
                    "line": {"color": "white", "width": 2},
                },
                name=name,
                hovertemplate=f"{name} (%{{x:.4g}}, %{{y:.4g}})<extra></extra>",
            )
        )
    (x0, x1), (y0, y1) = bounds
    fig.update_xaxes(range=[x0, x1], title_text="x")
    fig.update_yaxes(range=[y0, y1], title_text="y")
    fig.update_layout(legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0})
    return style(fig, present=present, height=height)


def loss_curves_figure(
    curves,
    *,
    title: str = "",
    y_title: str = "f − f*",
    present: bool = False,
    height: int | None = None,
) -> go.Figure:
    """Loss-gap curves (``optim_core.grid.Curve``) on a log scale: predictions dashed, a
    diverged run cut where it stopped, gaps below LOSS_FLOOR drawn at it."""
    fig = go.Figure()
    lw = line_width(present)
    for curve in curves:
        gap = np.asarray(curve.gap, dtype=float)
        if curve.diverged_at is not None:
            gap = gap[: max(int(curve.diverged_at), 1)]
        with np.errstate(all="ignore"):
            y = np.where(np.isfinite(gap), np.maximum(gap, LOSS_FLOOR), np.nan)
        fig.add_trace(
            go.Scatter(
                x=np.arange(y.size),
                y=y,
                mode="lines",
                line={
                    "color": color_for(curve.optimizer),
                    "width": lw,
                    "dash": "dash" if curve.predicted else "solid",
                },
                name=curve.name,
                hovertemplate="step %{x}<br>%{y:.3g}<extra>" + curve.name + "</extra>",
            )
        )
    fig.update_xaxes(title_text="step t")
    fig.update_yaxes(type="log", title_text=y_title, exponentformat="power")
    fig.update_layout(
        title={"text": title},
        legend={"orientation": "h", "yanchor": "top", "y": -0.2, "x": 0},
    )
    return style(fig, present=present, height=height)


def rotation_figure(
    comparison, *, labels: dict | None = None, present: bool = False, height: int | None = None
) -> go.Figure:
    """Steps to tolerance against the bowl's rotation, one line per optimizer (best α each),
    from an ``optim_core.grid.RotationComparison``.  NaN (never within tolerance in its
    ``max_steps``) is drawn on the top edge as an open marker.  ``labels`` maps ids to names.
    """
    labels = labels or {}
    max_steps = comparison.max_steps
    fig = go.Figure()
    angles = np.asarray(comparison.angles, dtype=float)
    for index, (opt, steps) in enumerate(zip(comparison.optimizers, comparison.steps, strict=True)):
        steps = np.asarray(steps, dtype=float)
        color = color_for(opt, index)
        name = labels.get(opt, opt)
        fig.add_trace(
            go.Scatter(
                x=angles,
                y=steps,
                mode="lines+markers",
                line={"color": color, "width": line_width(present)},
                marker={"size": 9 if present else 7, "color": color},
                name=name,
                hovertemplate="rotation %{x:.0f}°<br>%{y:.0f} steps<extra>" + name + "</extra>",
            )
        )
        missing = ~np.isfinite(steps)
        if missing.any():
            fig.add_trace(
                go.Scatter(
                    x=angles[missing],
                    y=np.full(int(missing.sum()), max_steps),
                    mode="markers",
                    marker={
                        "symbol": "circle-open",
                        "size": 12,
                        "color": color,
                        "line": {"width": 2},
                    },
                    name=f"{name}: not within tolerance in {max_steps} steps",
                )
            )
    fig.update_xaxes(title_text="rotation of the bowl (degrees)", dtick=15)
    fig.update_yaxes(title_text="steps to tolerance (best α)", rangemode="tozero")
    fig.update_layout(legend={"orientation": "h", "yanchor": "top", "y": -0.22, "x": 0})
    return style(fig, present=present, height=height)
