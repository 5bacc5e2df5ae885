"""The Race's other two views: the same paths lifted onto the surface in 3D, and every
optimizer's loss against step.

They show the view the race shows (``view_bounds``): a run that leaves it is cut where it
left (``visible_path``), and a start point typed outside the surface's bounds widens it.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from optim_core.analysis import loss_gap
from viz._base import (
    CONTOUR_COLORSCALE,
    LOSS_FLOOR,
    color_for,
    contour_levels,
    grid,
    line_width,
    optimizer_name,
    style,
)
from viz._encode import f32
from viz.race import FIGURE_HEIGHT, START_STYLE, inside_view, view_bounds, visible_path

# Settings of these figures, together.
SURFACE_GRID_3D = 60  # grid points a side of the 3D surface


def _lift(values: np.ndarray, grid_values: np.ndarray, is_log: bool) -> np.ndarray:
    """Heights on the 3D plot: f, or log₁₀(f − min + δ) when the contour is on a log scale."""
    if not is_log:
        return values
    finite = grid_values[np.isfinite(grid_values)]
    lo, hi = float(finite.min()), float(finite.max())
    with np.errstate(all="ignore"):
        return np.log10(np.maximum(values - lo, 0.0) + (hi - lo) * 1e-6)


def surface_3d_figure(
    surface, trajectories: Mapping[str, object], present: bool = False, *, start=None, bounds=None
) -> go.Figure:
    """The surface in 3D with every path lifted onto it; paths outside the view are cut."""
    view = view_bounds(bounds or surface.bounds, start)
    xs, ys, pts = grid(view, SURFACE_GRID_3D)
    with np.errstate(all="ignore"):
        f = np.asarray(surface.f(pts), dtype=float)
    z, is_log = contour_levels(f)
    height_of = lambda values: _lift(np.asarray(values, dtype=float), f, is_log)  # noqa: E731
    data: list = [
        go.Surface(
            x=f32(xs),
            y=f32(ys),
            z=f32(z),
            customdata=f32(f),
            colorscale=CONTOUR_COLORSCALE,  # the contour's grey: every path stands out on it
            opacity=0.9,
            showscale=False,
            hovertemplate="x=%{x:.3f}<br>y=%{y:.3f}<br>f=%{customdata:.4g}<extra></extra>",
            name="loss",
        )
    ]
    width = 2 * line_width(present)
    lift = 0.01 * float(np.nanmax(z) - np.nanmin(z)) if np.isfinite(z).any() else 0.0
    for i, (key, traj) in enumerate(trajectories.items()):
        path, last, _ = visible_path(traj.path, traj.diverged_at, view)
        path = path[: last + 1].copy()
        path[~inside_view(path, view)] = np.nan
        with np.errstate(all="ignore"):
            heights = height_of(surface.f(path)) + lift
        data.append(
            go.Scatter3d(
                x=f32(path[:, 0]),
                y=f32(path[:, 1]),
                z=f32(heights),
                mode="lines",
                line={"color": color_for(traj.optimizer, i), "width": width},
                name=optimizer_name(key),
                hovertemplate=f"{optimizer_name(key)}<extra></extra>",
            )
        )
    points = []
    if start is not None:
        points.append(("start", [start], START_STYLE | {"size": 6}))
    if surface.minima:
        points.append(
            (
                "minimum",
                list(surface.minima),
                {
                    "symbol": "diamond",
                    "color": "white",
                    "size": 7,
                    "line": {"color": "black", "width": 2},
                },
            )
        )
    for name, xy, marker in points:
        xy = np.asarray(xy, dtype=float)
        with np.errstate(all="ignore"):
            heights = height_of(surface.f(xy)) + lift
        data.append(
            go.Scatter3d(
                x=xy[:, 0], y=xy[:, 1], z=heights, mode="markers", marker=marker, name=name
            )
        )
    fig = go.Figure(data=data)
    (x0, x1), (y0, y1) = view
    fig.update_layout(
        scene={
            "xaxis": {"range": [x0, x1], "title": {"text": "x"}},
            "yaxis": {"range": [y0, y1], "title": {"text": "y"}},
            "zaxis": {"title": {"text": "log₁₀(f − f_min)" if is_log else "f"}},
            "aspectmode": "manual",
            "aspectratio": {"x": 1, "y": 1, "z": 0.6},
        },
        legend={"orientation": "h", "x": 0.0, "y": 1.0, "yanchor": "bottom"},
    )
    return style(fig, present=present, height=FIGURE_HEIGHT)


def loss_figure(
    trajectories: Mapping[str, object], present: bool = False, *, f_min: float | None = None
) -> go.Figure:
    """Loss against step for every optimizer, on a log scale when it can be.

    With a known minimum value f_min the curve is f − f_min (≥ 0, so a log axis works even
    where f is negative); without one, f itself on a log axis if it stays positive, else linear.
    """
    width = line_width(present)
    gaps = {key: loss_gap(traj, f_min) for key, traj in trajectories.items()}
    finite = np.concatenate([g[np.isfinite(g)] for g in gaps.values()] or [np.zeros(0)])
    log_axis = f_min is not None or (finite.size > 0 and bool(finite.min() > 0))
    data = []
    for i, (key, traj) in enumerate(trajectories.items()):
        y = np.maximum(gaps[key], LOSS_FLOOR) if f_min is not None else gaps[key]
        label = optimizer_name(key)
        if traj.diverged_at is not None:
            label += f" ✕ diverged at {traj.diverged_at}"
        data.append(
            go.Scatter(
                x=np.arange(len(y), dtype=np.int32),
                y=y,
                mode="lines",
                line={"color": color_for(traj.optimizer, i), "width": width},
                name=label,
                hovertemplate=f"{optimizer_name(key)}<br>step %{{x}}<br>%{{y:.4g}}<extra></extra>",
            )
        )
    if f_min is not None:
        title = "f − f_min (log scale)"
    elif log_axis:
        title = "f (log scale)"
    else:
        title = "f (linear scale: f takes values ≤ 0 and no minimum is known)"
    fig = go.Figure(data=data)
    fig.update_layout(
        xaxis={"title": {"text": "step"}},
        yaxis={
            "title": {"text": title},
            "type": "log" if log_axis else "linear",
            "exponentformat": "power",
        },
        hovermode="x unified",
        legend={"x": 0.99, "xanchor": "right", "y": 0.99, "yanchor": "top"},
    )
    if log_axis and finite.size:
        shown = np.maximum(finite, LOSS_FLOOR) if f_min is not None else finite
        firsts = [g[0] for g in gaps.values() if np.isfinite(g[0])]
        top = max(max(firsts, default=shown.max()), LOSS_FLOOR) * 1e2
        top = min(top, float(shown.max()) * 2)
        bottom = max(float(shown.min()), LOSS_FLOOR)
        fig.update_yaxes(range=[np.log10(bottom) - 0.3, np.log10(max(top, bottom * 10))])
    return style(fig, present=present, height=FIGURE_HEIGHT)
