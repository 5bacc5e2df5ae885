"""The Network page's figures: a small network learning, four views of it played together by
one step scrubber in the browser (Plotly frames of the same names in each; no server round trip
per step).

- **Decision boundary**, as TensorFlow Playground draws it: P(class 1) over the data's view for
  one optimizer's network at the frame's step (a banded image, ``viz.network_parts``), the
  training points as circles and the test points as diamonds, in the class colours, and the
  share of each set classified right.
- **The plane of the iterates**: every run on the plane of the top two principal directions of
  the iterates about one end point (``optim_core.landscape``), over the training loss on that
  plane; the axes say how much of the iterates' variance each direction holds. Each
  optimizer's dot moves along its path.
- **Loss**: train (solid) and test (dashed) loss per optimizer on a log axis; a dot on each
  train curve and a vertical line at the frame's step.
- **Sharpness**: λ_max of the Hessian along each run (``optim_core.sharpness``) and, dotted,
  each optimizer's stability edge (2/α for gradient descent) where it has one; the same line.

Four figures rather than one with four subplots: the page lays them out as the screen allows
(two by two on a laptop, one under the other on a phone, in a row on a projector) and plays
them with one scrubber (``webapp.netboard``). Every trace of an optimizer carries its id as
``legendgroup``, so one legend entry hides it in all four. Frames carry only what moves: the
dots, the step lines, a line of text, and the boundary image (``layout.images[0]``, a few KB;
plotly.js keeps layout images while frames play and drops heatmaps and contours).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np
import plotly.graph_objects as go

from viz._base import (
    color_for,
    layout_image,
    line_width,
    log_ticks,
    marker_for,
    optimizer_name,
    style,
)
from viz._encode import BuiltFigure, f32
from viz.network_parts import (
    BOUNDARY_N,
    CLASS_COLORS,
    boundary_grid,
    boundary_png,
    loss_png,
)
from viz.race_frames import MAX_FRAMES, frame_steps

# Settings of these figures, together.
MARGINS = {False: {"l": 52, "r": 12, "t": 34, "b": 44}, True: {"l": 60, "r": 12, "t": 40, "b": 50}}
FONTS = {False: {"title": 13, "axis": 13, "tick": 12}, True: {"title": 18, "axis": 17, "tick": 16}}
DOT_OUTLINE = "#1b1f24"
START_STYLE = {"symbol": "circle", "color": "white", "line": {"color": "black", "width": 2}}
PATH_OPACITY = 0.55
LOSS_FLOOR = 1e-12  # a loss drawn on a log axis is at least this
STEP_LINE = {"color": "rgba(0,0,0,0.45)", "width": 1.5}


class NetworkPanels(NamedTuple):
    """The four figures (their frames named by step, the same in each), the steps the frames
    show, and the legend: one entry per optimizer (its ``legendgroup``, name, colour and
    marker symbol)."""

    boundary: go.Figure
    plane: go.Figure
    loss: go.Figure
    sharpness: go.Figure
    steps: np.ndarray
    legend: list[dict]

    @property
    def figures(self) -> tuple[go.Figure, ...]:
        return self.boundary, self.plane, self.loss, self.sharpness


@lru_cache(maxsize=2)
def _house(present: bool) -> dict:
    """The house style's layout (the template expanded), made once."""
    return style(go.Figure(), present=present).to_dict()["layout"]


def _layout(title: str, present: bool, **axes) -> dict:
    """The house style with this panel's title and axes. Presenting, the type is larger than
    on a laptop (16 px ticks, the size every presented chart has) but smaller than the house's
    presenting type: two panels share the width."""
    layout: dict[str, Any] = dict(_house(present))
    fonts = FONTS[present]
    for axis in axes.values():
        axis["tickfont"] = {"size": fonts["tick"]}
        axis["title"] = {**axis.get("title", {}), "font": {"size": fonts["axis"]}}
    layout.update(
        title={"text": title, "x": 0.0, "xanchor": "left", "font": {"size": fonts["title"]}},
        font={**layout.get("font", {}), "size": fonts["tick"]},
        margin=MARGINS[present],
        showlegend=False,
        hovermode="closest",
        dragmode=False,
        autosize=True,
        **axes,
    )
    return layout


def _square(xrange, yrange, xtitle: str, ytitle: str) -> dict:
    """Axes of equal scale over the given ranges (a square plot of a square view)."""
    return {
        "xaxis": {
            "range": list(xrange),
            "title": {"text": xtitle},
            "constrain": "domain",
            "showgrid": False,
            "zeroline": False,
            "fixedrange": True,
        },
        "yaxis": {
            "range": list(yrange),
            "title": {"text": ytitle},
            "scaleanchor": "x",
            "constrain": "domain",
            "showgrid": False,
            "zeroline": False,
            "fixedrange": True,
        },
    }


def _over_steps(span: list[float], ytitle: str, last: int) -> dict:
    """A step axis and a log axis over ``span`` (log₁₀ range)."""
    return {
        "xaxis": {"title": {"text": "step"}, "range": [0, max(last, 1)], "fixedrange": True},
        "yaxis": {
            "type": "log",
            "range": span,
            "title": {"text": ytitle},
            "fixedrange": True,
            **log_ticks(10.0 ** np.array(span)),
        },
    }


def _at(values: np.ndarray, steps: np.ndarray, last: int) -> np.ndarray:
    """``values`` at ``steps``, each clamped to ``last`` (a run that stopped waits there)."""
    return values[np.minimum(steps, last)]


def _log_range(values) -> list[float]:
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values) & (values > 0)]
    if not values.size:
        return [-1.0, 1.0]
    lo, hi = np.log10(values.min()), np.log10(values.max())
    pad = max(0.05 * (hi - lo), 0.05)
    return [float(lo - pad), float(hi + pad)]


def _frames(steps, moving: list[list[dict]], first: int, layouts=None) -> list[dict]:
    """One frame per step: the ``moving`` traces' data at that frame (trace indices from
    ``first``), and the frame's layout change if any."""
    out = []
    for k, s in enumerate(steps):
        frame = {
            "name": str(int(s)),
            "data": [m[k] for m in moving],
            "traces": list(range(first, first + len(moving))),
        }
        if layouts is not None:
            frame["layout"] = layouts[k]
        out.append(frame)
    return out


def _dot(opt: str, i: int, size: float) -> dict:
    return {
        "symbol": marker_for(opt, i),
        "color": color_for(opt, i),
        "size": size,
        "line": {"color": DOT_OUTLINE, "width": 1.5},
    }


# ---------------------------------------------------------------------------- the panels


def boundary_figure(net, run, name: str, steps, present: bool = False) -> go.Figure:
    """The decision boundary of ``run``'s network at each of ``steps`` over the data."""
    (x0, x1), (y0, y1) = bounds = net.view
    traces = []
    for label, (x, y), symbol, outline in (
        ("train", net.data, "circle", "white"),
        ("test", net.test_data, "diamond", DOT_OUTLINE),
    ):
        for cls in (1, 0):
            pick = y == cls
            traces.append(
                {
                    "type": "scatter",
                    "x": f32(x[pick, 0]),
                    "y": f32(x[pick, 1]),
                    "mode": "markers",
                    "marker": {
                        "symbol": symbol,
                        "size": 8 if present else 6,
                        "color": CLASS_COLORS[cls],
                        "line": {"color": outline, "width": 1},
                    },
                    "name": f"{label} data, class {cls}",
                    "legendgroup": f"data-{label}",
                    "hovertemplate": f"{label}, class {cls}<br>(%{{x:.2f}}, %{{y:.2f}})"
                    "<extra></extra>",
                }
            )
    points = boundary_grid(bounds)
    thetas = _at(run.path, steps, run.last)
    images = [boundary_png(net.predict(t, points).reshape(BOUNDARY_N, BOUNDARY_N)) for t in thetas]
    right = np.asarray(net.accuracy(thetas), dtype=float)
    right_test = np.asarray(net.accuracy(thetas, test=True), dtype=float)
    texts = [f"right: train {a:.0%} · test {b:.0%}" for a, b in zip(right, right_test, strict=True)]
    traces.append(
        {
            "type": "scatter",
            "x": [x0 + 0.02 * (x1 - x0)],
            "y": [y1 - 0.02 * (y1 - y0)],
            "mode": "text",
            "text": [texts[0]],
            "textposition": "bottom right",
            "textfont": {"size": FONTS[present]["tick"], "color": "#000"},
            "hoverinfo": "skip",
            "name": "accuracy",
        }
    )
    layout = _layout(f"Decision boundary: {name}", present, **_square(*bounds, "x₁", "x₂"))
    layout["images"] = [layout_image(images[0], bounds, "x", "y")]
    moving = [[{"text": [t]} for t in texts]]
    frames = _frames(steps, moving, len(traces) - 1, [{"images[0].source": i} for i in images])
    return BuiltFigure.of(traces, layout, frames)


def _percent(share: float) -> str:
    return f"{100 * share:.0f} %" if share >= 0.01 else f"{100 * share:.1g} %"


def plane_figure(plane_view, runs: Mapping, steps, present: bool = False) -> go.Figure:
    """Every run on the plane of the iterates, over the loss on it; a dot per run per frame."""
    plane, grid = plane_view.plane, plane_view.grid
    source, _ = loss_png(grid.loss)
    bounds = ((float(grid.a[0]), float(grid.a[-1])), (float(grid.b[0]), float(grid.b[-1])))
    traces, dots, moving = [], [], []
    for i, (opt, r) in enumerate(runs.items()):
        ab = plane.coords[i][: r.last + 1]
        traces.append(
            {
                "type": "scatter",
                "x": f32(ab[:, 0]),
                "y": f32(ab[:, 1]),
                "mode": "lines",
                "line": {"color": color_for(opt, i), "width": line_width(present) * 0.75},
                "opacity": PATH_OPACITY,
                "legendgroup": opt,
                "name": optimizer_name(opt),
                "hoverinfo": "skip",
            }
        )
        at = _at(ab, steps, r.last)
        dots.append(
            {
                "type": "scatter",
                "x": [float(at[0, 0])],
                "y": [float(at[0, 1])],
                "mode": "markers",
                "marker": _dot(opt, i, 14 if present else 11),
                "legendgroup": opt,
                "name": optimizer_name(opt),
                "hovertemplate": f"{optimizer_name(opt)}<br>(%{{x:.3g}}, %{{y:.3g}})"
                "<extra></extra>",
            }
        )
        moving.append([{"x": [float(p[0])], "y": [float(p[1])]} for p in at])
    first = plane.coords[0][0]
    traces.append(
        {
            "type": "scatter",
            "x": [float(first[0])],
            "y": [float(first[1])],
            "mode": "markers",
            "marker": {**START_STYLE, "size": 12 if present else 10},
            "name": "θ₀",
            "hovertemplate": "θ₀, where every run starts<extra></extra>",
        }
    )
    axes = _square(
        *bounds,
        f"PC1 · {_percent(plane.explained[0])} of variance",
        f"PC2 · {_percent(plane.explained[1])}",
    )
    layout = _layout("Paths on the iterates' PCA plane", present, **axes)
    layout["images"] = [layout_image(source, bounds, "x", "y")]
    frames = _frames(steps, moving, len(traces))
    return BuiltFigure.of([*traces, *dots], layout, frames)


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
                "marker": _dot(opt, i, 11 if present else 9),
                "legendgroup": opt,
                "name": name,
                "hoverinfo": "skip",
            }
        )
        moving.append([{"x": [int(s)], "y": [float(v)]} for s, v in zip(shown, at, strict=True)])
    span = _log_range(np.concatenate(values) if values else [])
    line = _step_line(span)
    moving.append([{"x": [int(s), int(s)]} for s in steps])
    layout = _layout("Loss · dashed: test", present, **_over_steps(span, "loss", last))
    frames = _frames(steps, moving, len(traces))
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
    layout = _layout("Sharpness λ_max · dotted: edge", present, **axes)
    frames = _frames(steps, moving, len(traces))
    return BuiltFigure.of([*traces, _step_line(span)], layout, frames)


def legend_entries(runs: Mapping, labels: Mapping[str, str] | None = None) -> list[dict]:
    """One legend entry per optimizer: its group (id), name, colour and marker symbol."""
    labels = labels or {}
    return [
        {
            "group": opt,
            "name": labels.get(opt, optimizer_name(opt)),
            "color": color_for(opt, i),
            "symbol": marker_for(opt, i),
        }
        for i, opt in enumerate(runs)
    ]


def network_panels(
    net,
    runs: Mapping,
    plane_view,
    *,
    boundary_of: str,
    sharpness: Mapping | None = None,
    edges: Mapping | None = None,
    labels: Mapping[str, str] | None = None,
    present: bool = False,
    max_frames: int = MAX_FRAMES,
) -> NetworkPanels:
    """The four figures of ``runs`` ({optimizer: run with ``path`` (T, P), ``loss``,
    ``last`` (the last iterate that counts), ``test_steps`` and ``test_loss`` (the test loss at
    those iterates) and ``trajectory``}) on ``net``:
    ``plane_view`` holds the ``plane`` (``optim_core.landscape.Plane``, one path per run in the
    same order) and the ``grid`` of the loss over it; ``boundary_of`` is the optimizer whose
    decision boundary is drawn; ``sharpness`` {optimizer: Sharpness} and ``edges``
    {optimizer: stability edge or None} fill the sharpness figure; ``labels`` {optimizer:
    legend entry} (default: the optimizer's name). At most ``max_frames`` frames, the same
    steps in each figure."""
    total = max(len(r.trajectory.path) for r in runs.values()) - 1
    steps = frame_steps(total, max_frames)
    name = optimizer_name(boundary_of)
    return NetworkPanels(
        boundary_figure(net, runs[boundary_of], name, steps, present),
        plane_figure(plane_view, runs, steps, present),
        loss_figure(runs, steps, present),
        sharpness_figure(runs, sharpness or {}, edges or {}, steps, present),
        steps,
        legend_entries(runs, labels),
    )
