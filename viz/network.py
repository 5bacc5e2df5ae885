"""The Network page's figures: a small network learning, four views of it played together by
one step scrubber in the browser (Plotly frames of the same names in each; no server round trip
per step).

- **Decision boundary**, as TensorFlow Playground draws it: P(class 1) over the data's view for
  one optimizer's network at the frame's step (a banded image, ``viz.network_parts``) and its
  decision boundary P = 0.5 (a line), the training points as filled circles and the test points
  as open diamonds, in the class colours, and above the plot the share of each set classified
  right.
- **The plane of the iterates**: every run on the plane of the top two principal directions of
  the iterates about one end point (``optim_core.landscape``), over the training loss on that
  plane (shaded by rank, level lines at its quantiles: ``viz.network_parts``); the axes say how
  much of the iterates' variance each direction holds. Each optimizer's dot moves along its
  path.
- **Loss** and **sharpness** along each run, a dot or a line at the frame's step
  (``viz.network_curves``).

Four figures rather than one with four subplots: the page lays them out as the screen allows
(two by two on a laptop, one under the other on a phone, in a row on a projector) and plays
them with one scrubber (``webapp.netboard``). Every trace of an optimizer carries its id as
``legendgroup``, so one legend entry hides it in all four. Frames carry only what moves: the
dots, the step lines, the boundary's line and its line of text (the last two traces of the
boundary figure), and the boundary image (``layout.images[0]``, a few KB; plotly.js keeps layout
images while frames play and drops heatmaps and contours, and redraws neither a title nor an
annotation: what changes is a trace or an image).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
import plotly.graph_objects as go

from viz._base import (
    CONTOUR_LINE_COLOR,
    color_for,
    layout_image,
    line_width,
    marker_for,
    optimizer_name,
)
from viz._encode import BuiltFigure, f32
from viz.network_curves import loss_figure, sharpness_figure
from viz.network_parts import (
    BOUNDARY_LINE,
    BOUNDARY_N,
    CLASS_COLORS,
    FONTS,
    at_steps,
    boundary_grid,
    boundary_png,
    dot_marker,
    frames_of,
    level_lines,
    loss_png,
    panel_layout,
    plane_levels,
)
from viz.race_frames import MAX_FRAMES, frame_steps

# Settings of these figures, together.
SQUARE_TOP = {False: 54, True: 66}  # the square panels': the title, then a line above the plot
START_STYLE = {"symbol": "circle", "color": "white", "line": {"color": "black", "width": 2}}
PATH_OPACITY = 0.55
NOTE_COLOR = "#31333f"  # the lines of text above the square plots
# The data: training points as filled circles, test points as open diamonds, a size smaller,
# so that the training set reads first; the line above the plot says which is which
# (``ACCURACY``).
POINTS = {
    "train": {"symbol": "circle", "size": (6, 8), "line": {"color": "white", "width": 1}},
    "test": {"symbol": "diamond-open", "size": (5, 7), "line": {"width": 1.2}},
}
ACCURACY = "right: ● train {:.0%} · ◇ test {:.0%}"  # the share of each set classified right
PLANE_NOTE = "○ θ₀ (start) · darker: lower loss"
LEVEL_WIDTH = (0.8, 1.2)  # the plane's level lines (laptop, presenting), as the slice's
BOUNDARY_WIDTH = (2.0, 3.0)  # the decision boundary's line (laptop, presenting)


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


# ---------------------------------------------------------------------------- the panels


def _points(net, present: bool) -> list[dict]:
    """The training and test points in their class colours (``POINTS``)."""
    traces = []
    for label, (x, y) in (("train", net.data), ("test", net.test_data)):
        look = POINTS[label]
        for cls in (1, 0):
            pick = y == cls
            traces.append(
                {
                    "type": "scatter",
                    "x": f32(x[pick, 0]),
                    "y": f32(x[pick, 1]),
                    "mode": "markers",
                    "marker": {
                        "symbol": look["symbol"],
                        "size": look["size"][present],
                        "color": CLASS_COLORS[cls],
                        "line": look["line"],
                    },
                    "name": f"{label} data, class {cls}",
                    "legendgroup": f"data-{label}",
                    "hovertemplate": f"{label}, class {cls}<br>(%{{x:.2f}}, %{{y:.2f}})"
                    "<extra></extra>",
                }
            )
    return traces


def _above(x: float, y: float, text: str, present: bool, name: str) -> dict:
    """A line of text just above the plot's top edge, from (x, y) to the right: outside the
    data, in the room the square panels keep above the plot (``SQUARE_TOP``). A trace, so that
    frames can change it (plotly.js does not redraw a title or an annotation while frames
    play)."""
    return {
        "type": "scatter",
        "x": [x],
        "y": [y],
        "mode": "text",
        "text": [text],
        "textposition": "top right",
        "textfont": {"size": FONTS[present]["tick"], "color": NOTE_COLOR},
        "cliponaxis": False,
        "hoverinfo": "skip",
        "name": name,
    }


def boundary_line(prob: np.ndarray, bounds) -> dict:
    """The decision boundary P(class 1) = 0.5 of the probability on the ``BOUNDARY_N`` grid
    over ``bounds`` (rows up in y), as a trace's x and y (the lines split by gaps)."""
    (x0, x1), (y0, y1) = bounds
    n_y, n_x = prob.shape
    line = level_lines(prob, np.linspace(x0, x1, n_x), np.linspace(y0, y1, n_y), 0.5)
    return {"x": f32(line[:, 0]), "y": f32(line[:, 1])}


def boundary_figure(net, run, name: str, steps, present: bool = False) -> go.Figure:
    """The decision boundary of ``run``'s network at each of ``steps`` over the data: the
    banded image of P(class 1) (``layout.images[0]``) and the line P = 0.5 move with the frames,
    and so does the share of each set classified right, above the plot; the points stay."""
    (x0, _), (_, y1) = bounds = net.view
    traces = _points(net, present)
    points = boundary_grid(bounds)
    thetas = at_steps(run.path, steps, run.last)
    probs = [net.predict(t, points).reshape(BOUNDARY_N, BOUNDARY_N) for t in thetas]
    images = [boundary_png(p) for p in probs]
    lines = [boundary_line(p, bounds) for p in probs]
    right = np.asarray(net.accuracy(thetas), dtype=float)
    right_test = np.asarray(net.accuracy(thetas, test=True), dtype=float)
    texts = [ACCURACY.format(a, b) for a, b in zip(right, right_test, strict=True)]
    traces += [
        {
            "type": "scatter",
            **lines[0],
            "mode": "lines",
            "line": {"color": BOUNDARY_LINE, "width": BOUNDARY_WIDTH[present]},
            "hoverinfo": "skip",
            "name": "P = 0.5",
        },
        _above(x0, y1, texts[0], present, "accuracy"),
    ]
    layout = panel_layout(
        f"Decision boundary: {name}",
        present,
        top=SQUARE_TOP[present],
        **_square(*bounds, "x₁", "x₂"),
    )
    layout["images"] = [layout_image(images[0], bounds, "x", "y")]
    moving = [lines, [{"text": [t]} for t in texts]]
    frames = frames_of(steps, moving, len(traces) - 2, [{"images[0].source": i} for i in images])
    return BuiltFigure.of(traces, layout, frames)


def _percent(share: float) -> str:
    return f"{100 * share:.0f} %" if share >= 0.01 else f"{100 * share:.1g} %"


def plane_figure(plane_view, runs: Mapping, steps, present: bool = False) -> go.Figure:
    """Every run on the plane of the iterates, over the loss on it; a dot per run per frame."""
    plane, grid = plane_view.plane, plane_view.grid
    loss = np.asarray(grid.loss, dtype=float)
    bounds = ((float(grid.a[0]), float(grid.a[-1])), (float(grid.b[0]), float(grid.b[-1])))
    levels = level_lines(loss, grid.a, grid.b, plane_levels(loss))
    traces: list[dict] = [
        {
            "type": "scatter",
            "x": f32(levels[:, 0]),
            "y": f32(levels[:, 1]),
            "mode": "lines",
            "line": {"color": CONTOUR_LINE_COLOR, "width": LEVEL_WIDTH[present]},
            "hoverinfo": "skip",
            "name": "loss levels",
        }
    ]
    dots, moving = [], []
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
        at = at_steps(ab, steps, r.last)
        dots.append(
            {
                "type": "scatter",
                "x": [float(at[0, 0])],
                "y": [float(at[0, 1])],
                "mode": "markers",
                "marker": dot_marker(opt, i, 14 if present else 11),
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
    (a0, _), (_, b1) = bounds
    traces.append(_above(a0, b1, PLANE_NOTE, present, "note"))
    layout = panel_layout(
        "Paths on the iterates' PCA plane", present, top=SQUARE_TOP[present], **axes
    )
    layout["images"] = [layout_image(loss_png(loss), bounds, "x", "y")]
    frames = frames_of(steps, moving, len(traces))
    return BuiltFigure.of([*traces, *dots], layout, frames)


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
