"""The Race's animated figure: optimizers racing across a contour, from one start point.

The race plays in the browser from Plotly frames.  The base figure holds what stands still — the
contour, the start point, the known minima — and, per optimizer, three traces in one legend group
(so one legend click hides all three): its path, its moving dot (head and a short trail, in the
optimizer's colour and marker symbol) and, for a run that diverged, an ×.  Before Play no path is
shown: each frame grows every path up to the frame's step, moves the dots, and shows an × once
the animation reaches the step where that run left the view for good (``show_paths=True`` draws
the whole paths and the × marks from the start instead, and frames then move only the dots).
What the frames carry, and how the paths in them are kept small, is ``viz.race_frames``.

The contour under the race is a layout image, not a contour trace: when frames play, plotly.js
drops every contour and heatmap trace from the plot (plotly.py#2151, plotly.js#4491; with
``redraw`` on too), while layout images stay.  The image is drawn like ``contour_trace`` — the
same colours, levels and scale — with the values on hover from the click grid.

A diverged run leaves the view for good: its drawn path stops where it last crosses the view's
edge, marked with an ×, and its marker waits there.  The axes keep the view, so a diverging run
never rescales them.
"""

from __future__ import annotations

from collections.abc import Mapping
from copy import deepcopy
from functools import lru_cache

import numpy as np
import plotly.graph_objects as go

from viz._base import (
    click_grid_trace,
    color_for,
    contour_image,
    line_width,
    marker_for,
    minima_trace,
    optimizer_name,
    style,
)
from viz._encode import BuiltFigure, Coords, f32
from viz.race_frames import MAX_FRAMES, animation_controls, moving_dots, reveal_plan

# Settings of this figure, together.
TRAIL = 4  # earlier frames shown behind each marker (the growing path shows the rest)
FIGURE_HEIGHT = 680
PRESENT_HEIGHT = 670  # large type pushes the figure down: it still fits a 1000 px screen
PATH_OPACITY = 0.9  # the paths, under the moving markers
TRAIL_OPACITY = (0.25, 0.6)  # the oldest and the newest trail dot; the head is opaque
DOT_OUTLINE = "#1b1f24"  # a dark ring around each head: light colours read on the light contour
DOT_SPREAD = 0.6  # the first optimizer's dot is this much larger than the last one's, so
# dots that coincide (at the minimum, at the start) show as nested rings, not one dot
START_STYLE = {"symbol": "circle", "color": "white", "line": {"color": "black", "width": 3}}
VIEW_MARGIN = 0.05  # extra room when a typed start point lies outside the surface's view
CLICK_GRID = 25  # click grid points per side: a click anywhere lands near one
CLICK_MARKER = 20  # px: with the 20 px hover distance, no gap between grid points up to 1000 px
# The margins hold what plotly.js would otherwise make room for by drawing the figure twice
# (``margin.autoexpand``: a first draw finds the tick labels, the legend or the play controls
# outside the margins, and it draws again): the tick labels at the left and right, the play
# buttons and the step scrubber at the bottom, the legend at the top (or right, to present).
MARGINS = {False: {"l": 52, "r": 24, "b": 150}, True: {"l": 68, "b": 182}}
LEGEND_WIDTH = 500  # px of the plot's width in the narrowest figure (the Race at 1024–1280 px)
LEGEND_ROW = 29 / 12  # a legend row's height, in font sizes (the markers' constant size sets it)
LEGEND_ENTRY = (45.0, 0.65)  # px of an entry besides its text (symbol, gaps); em a character
LEGEND_FONT = {False: 12, True: 18}
CROWDED = 6  # more optimizers than this: the presenting legend's type is smaller (14 px) so
# that its rows leave the plot room on a 1280 × 720 screen


@lru_cache(maxsize=2)
def _house_layout(present: bool) -> dict:
    """The shared style's layout (template expanded), made once: validating it costs ~15 ms."""
    height = PRESENT_HEIGHT if present else FIGURE_HEIGHT
    return style(go.Figure(), present=present, height=height).to_dict()["layout"]


def _own_house_layout(present: bool) -> dict:
    """A copy of ``_house_layout`` for one figure to change, sharing only the template (large,
    and plotly never changes it in place)."""
    house = _house_layout(present)
    own = deepcopy({key: value for key, value in house.items() if key != "template"})
    return own | ({"template": house["template"]} if "template" in house else {})


@lru_cache(maxsize=32)
def _click_grid(surface, view) -> dict:
    """The invisible click grid (``CLICK_GRID`` points a side), also telling f at its points;
    cached per surface and view (a copy goes into each figure)."""
    clicks = click_grid_trace(view, CLICK_GRID)
    xy = np.stack([np.asarray(clicks.x, dtype=float), np.asarray(clicks.y, dtype=float)], -1)
    with np.errstate(all="ignore"):
        f = np.asarray(surface.f(xy), dtype=float)
    return clicks.update(
        x=f32(xy[:, 0]),
        y=f32(xy[:, 1]),
        customdata=f32(f),
        marker_size=CLICK_MARKER,
        hovertemplate="f = %{customdata:.4g} at (%{x:.2f}, %{y:.2f})<br>"
        "click to start there<extra></extra>",
    ).to_plotly_json()


@lru_cache(maxsize=32)
def _minima(surface, present: bool) -> dict | None:
    """The known minima's stars without a legend entry, cached per surface (copied per use)."""
    minima = minima_trace(surface, present=present)
    return None if minima is None else minima.update(showlegend=False).to_plotly_json()


def _merged(base: dict, extra: dict) -> dict:
    """base updated by extra, nested dicts merged key by key (neither is changed)."""
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merged(out[key], value)
        else:
            out[key] = value
    return out


def view_bounds(bounds, start=None) -> tuple[tuple[float, float], tuple[float, float]]:
    """The view: the surface's bounds, widened just enough to show a start point typed outside."""
    view = [[float(lo), float(hi)] for lo, hi in bounds]
    for axis, value in enumerate(() if start is None else start):
        lo, hi = view[axis]
        margin = VIEW_MARGIN * (hi - lo)
        if value < lo:
            view[axis][0] = float(value) - margin
        elif value > hi:
            view[axis][1] = float(value) + margin
    return tuple(view[0]), tuple(view[1])


def inside_view(points: np.ndarray, bounds) -> np.ndarray:
    """Whether each point is finite and inside ``bounds`` (on the edge counts as inside)."""
    (x0, x1), (y0, y1) = bounds
    with np.errstate(invalid="ignore"):
        return (
            np.isfinite(points).all(axis=-1)
            & (points[..., 0] >= x0)
            & (points[..., 0] <= x1)
            & (points[..., 1] >= y0)
            & (points[..., 1] <= y1)
        )


def _edge_point(a: np.ndarray, b: np.ndarray, bounds) -> np.ndarray:
    """Where the segment from a (inside the view) towards b (outside) crosses the view's edge."""
    if not np.isfinite(b).all():
        return a.copy()
    lo = np.array([bounds[0][0], bounds[1][0]])
    hi = np.array([bounds[0][1], bounds[1][1]])
    d = b - a
    with np.errstate(divide="ignore", invalid="ignore"):
        t_hi = np.where(b > hi, (hi - a) / d, np.inf)
        t_lo = np.where(b < lo, (lo - a) / d, np.inf)
    t = float(np.clip(min(t_hi.min(), t_lo.min()), 0.0, 1.0))
    return a + t * d


def visible_path(
    path, diverged_at: int | None, bounds
) -> tuple[np.ndarray, int, np.ndarray | None]:
    """The path as drawn, the index of its last drawn iterate, and the divergence mark.

    A run that never diverged is drawn whole (the view clips any excursion).  A diverged run is
    drawn up to the iterate where it last was inside the view, then to the point where it
    crossed the edge on its way out (the × mark); from there on it stays at that point, so
    the animation's marker stops at the ×.
    """
    path = np.array(path, dtype=float)
    if diverged_at is None:
        return path, len(path) - 1, None
    end = min(int(diverged_at), len(path) - 1)
    inside = np.flatnonzero(inside_view(path[: end + 1], bounds))
    if inside.size == 0:
        mark = path[0].copy()
        last = 0
    else:
        last = int(inside[-1])
        after = path[last + 1 : end + 1]
        finite = after[np.isfinite(after).all(axis=1)]
        mark = _edge_point(path[last], finite[0], bounds) if len(finite) else path[last].copy()
    path[last + 1 :] = mark
    return path, last + 1 if last + 1 < len(path) else last, mark


def run_label(key: str, lr: float | None, diverged_at: int | None, stopped=None) -> str:
    """An optimizer's legend entry: its name and learning rate, so a room watching the chart
    sees what is shown ("Adam · α 0.05"; the name alone in a crowded race, ``lr`` None), and
    the step its run stopped: diverged, or left the domain of f (``stopped`` "domain")."""
    label = optimizer_name(key) if lr is None else f"{optimizer_name(key)} · α {float(lr):g}"
    if diverged_at is None:
        return label
    why = "left the domain of f" if stopped == "domain" else "diverged"
    return f"{label} ✕ {why} at {diverged_at}"


def mark_text(key: str, diverged_at: int, last_inside: int, stopped=None) -> str:
    """The hover text of a stopped run's ×: where a diverged run left the view (the chart's
    box) for good and when the divergence rule stopped it (``optim_core.theory``: the two
    words); where a run that left the domain of f stopped."""
    if stopped == "domain":
        return (
            f"{optimizer_name(key)} stops here at step {diverged_at}: f is not defined at its "
            "next iterate"
        )
    return (
        f"{optimizer_name(key)} leaves the view here for good, after step {last_inside}; "
        f"the divergence rule stops it at step {diverged_at}"
    )


def _comet_sizes(trail: int, head: float) -> np.ndarray:
    """Dot sizes along a trail, oldest first: small and growing, the head largest."""
    return head * np.append(0.3 + 0.4 * np.arange(1, trail + 1) / max(trail, 1), 1.0)


class _Run:
    """One optimizer as the race draws it."""

    def __init__(self, index: int, key: str, traj, view, count: int, head: float):
        self.key = key
        lr = (getattr(traj, "hyper", None) or {}).get("lr") if count <= CROWDED else None
        self.color = color_for(traj.optimizer, index)
        self.symbol = marker_for(traj.optimizer, index)
        self.path, self.last, self.mark = visible_path(traj.path, traj.diverged_at, view)
        stopped = getattr(traj, "stopped", None)
        self.label = run_label(key, lr, traj.diverged_at, stopped)
        if self.mark is not None:
            self.mark_text = mark_text(key, traj.diverged_at, self.last - 1, stopped)
        # Earlier optimizers get larger dots (drawn first, underneath): coinciding dots nest.
        self.head = head * (1.0 + DOT_SPREAD * (count - 1 - index) / max(count - 1, 1))


def _path_trace(run: _Run, shown: np.ndarray, present: bool) -> dict:
    """The optimizer's path through the iterates ``shown``: thin, in its colour, no legend entry
    (its dot has it, with the marker symbol)."""
    xy = run.path[shown]
    return {
        "type": "scatter",
        "x": f32(xy[:, 0]),
        "y": f32(xy[:, 1]),
        "mode": "lines",
        "line": {"color": run.color, "width": line_width(present)},
        "opacity": PATH_OPACITY,
        "legendgroup": run.key,
        "showlegend": False,
        "name": run.label,
        "meta": f"path-{run.key}",
        "hovertemplate": f"{optimizer_name(run.key)}<br>(%{{x:.3f}}, %{{y:.3f}})<extra></extra>",
    }


def _mark_xy(run: _Run, shown: bool) -> dict:
    x, y = ([float(run.mark[0])], [float(run.mark[1])]) if shown else ([], [])
    return {"x": x, "y": y}


def _divergence_trace(run: _Run, shown: bool, present: bool) -> dict:
    """An × in the optimizer's colour where its diverged run left the view for good (none until
    ``shown``)."""
    return {
        "type": "scatter",
        **_mark_xy(run, shown),
        "mode": "markers",
        "marker": {
            "symbol": "x-thin-open",
            "size": 1.6 * run.head,
            "color": run.color,
            "line": {"color": run.color, "width": 5 if present else 4},
        },
        "text": [run.mark_text],
        "hovertemplate": "%{text}<extra></extra>",
        "cliponaxis": False,  # an × on the view's edge shows whole
        "legendgroup": run.key,
        "showlegend": False,
        "name": "diverged",
        "meta": f"diverged-{run.key}",
    }


def _dot_trace(run: _Run, dots: np.ndarray, trail: int, present: bool) -> dict:
    """The optimizer's head (first) and trail (fading, shrinking), in its colour and marker
    symbol, ringed in dark so light colours read on the light contour; the legend entry of
    its group.  The head comes first so the legend takes its colour."""
    r, g, b = (int(run.color[i : i + 2], 16) for i in (1, 3, 5))
    fade = np.linspace(TRAIL_OPACITY[1], TRAIL_OPACITY[0], trail)
    return {
        "type": "scatter",
        "x": f32(dots[:, 0]),
        "y": f32(dots[:, 1]),
        "mode": "markers",
        "marker": {
            "symbol": run.symbol,
            "color": [run.color] + [f"rgba({r},{g},{b},{a:.2f})" for a in fade],
            "size": _comet_sizes(trail, run.head)[::-1].round(2).tolist(),
            "line": {
                "color": DOT_OUTLINE,
                "width": [1.5 if present else 1.0] + [0.0] * trail,
            },
        },
        "cliponaxis": False,  # a dot waiting on the view's edge shows whole
        "legendgroup": run.key,
        "showlegend": True,
        "name": run.label,
        "meta": f"dot-{run.key}",
        "hovertemplate": f"{optimizer_name(run.key)}<br>(%{{x:.3f}}, %{{y:.3f}})<extra></extra>",
    }


def _start_trace(start, size: float) -> dict:
    return {
        "type": "scatter",
        "x": [float(start[0])],
        "y": [float(start[1])],
        "mode": "markers",
        "marker": {**START_STYLE, "size": size},
        "cliponaxis": False,
        "name": "start",
        "showlegend": False,
        "hovertemplate": "start (%{x:.3f}, %{y:.3f})<extra></extra>",
    }


def _legend_font(present: bool, count: int) -> int:
    """The legend's type size (px) for ``count`` optimizers."""
    return 14 if present and count > CROWDED else LEGEND_FONT[present]


def legend_rows(labels, present: bool) -> int:
    """Rows of the race's horizontal legend of ``labels`` in the narrowest figure, packed as
    plotly.js packs entries that share legend groups: left to right, a new row when the next
    entry would pass the plot's width (its text at 0.65 em a character: generous)."""
    font = _legend_font(present, len(labels))
    pad, em = LEGEND_ENTRY
    rows, used = 0, 0.0
    for label in labels:
        entry = pad + em * font * len(label)
        if rows == 0 or (used > 0 and used + entry > LEGEND_WIDTH):
            rows, used = rows + 1, 0.0
        used += entry
    return rows


def race_figure(
    surface,
    trajectories: Mapping[str, object],
    *,
    start,
    present: bool = False,
    show_paths: bool = False,
    max_frames: int = MAX_FRAMES,
    trail: int = TRAIL,
    bounds=None,
) -> go.Figure:
    """The animated race: contour, paths growing as they play, moving dots with short trails.

    Trace order: the click grid (invisible; makes clicks arrive, tells f on hover), every
    optimizer's path, the start, the minima, every diverged run's ×, every optimizer's dot —
    so the dots are drawn above everything.  An optimizer's traces share its legend group and
    only its dot has a legend entry.  The contour is the layout's image (see the module's note).

    Before Play only the start and the dots (at the start) show.  Each frame (named by its
    step) grows each path up to that step, shows an × once its run has left the view, and moves
    the dots; the last frame draws every path whole.  With ``show_paths`` the paths and × marks
    are whole from the start and the frames move only the dots.

    The traces are plain dicts of known-good properties and the figure skips plotly's
    per-property validation (``_validate=False``): that validation costs more than the
    rest of the figure together, and the page rebuilds the figure on every slider change.
    """
    view = view_bounds(bounds or surface.bounds, start)
    head = 16.0 if present else 12.0
    items = list(trajectories.items())
    runs = [_Run(i, key, traj, view, len(items), head) for i, (key, traj) in enumerate(items)]
    frames, layout, plan = [], {}, []
    if runs:
        steps, dots = moving_dots([r.path for r in runs], max_frames, trail)
        if not show_paths:
            span = max(view[0][1] - view[0][0], view[1][1] - view[1][0])
            plan = reveal_plan(runs, steps, span)
    first = [np.arange(r.last + 1) if show_paths else np.zeros(1, int) for r in runs]
    data = [dict(_click_grid(surface, view))]
    paths = list(range(len(data), len(data) + len(runs)))
    data += [_path_trace(r, shown, present) for r, shown in zip(runs, first, strict=True)]
    data.append(_start_trace(start, head + 4))
    minima = _minima(surface, present)
    if minima is not None:
        data.append(dict(minima))
    diverged = [r for r in runs if r.mark is not None]
    marks = list(range(len(data), len(data) + len(diverged)))
    data += [_divergence_trace(r, show_paths, present) for r in diverged]
    moving = list(range(len(data), len(data) + len(runs)))
    if runs:
        data += [_dot_trace(r, d, trail, present) for r, d in zip(runs, dots[0], strict=True)]
        dot_xy, path_xy = Coords(dots), [Coords(r.path) for r in runs]
        for k, step in enumerate(steps):
            traces, updates = list(moving), [dot_xy.xy((k, j)) for j in range(len(runs))]
            if not show_paths:
                traces += paths + marks
                updates += [xy.xy(p[k]) for xy, p in zip(path_xy, plan, strict=True)]
                updates += [_mark_xy(r, step >= r.last) for r in diverged]
            frames.append({"name": str(step), "traces": traces, "data": updates})
        layout["updatemenus"], layout["sliders"] = animation_controls(steps, present)

    (x0, x1), (y0, y1) = view
    layout |= {
        "images": [dict(contour_image(surface, view))],  # cached: the figure's own copy
        "xaxis": {
            "title": {"text": "x", "standoff": 2},
            "range": [x0, x1],
            "autorange": False,
            "constrain": "domain",
            "showgrid": False,
            "zeroline": False,
        },
        "yaxis": {
            "title": {"text": "y", "standoff": 4},
            "range": [y0, y1],
            "autorange": False,
            "scaleanchor": "x",
            "scaleratio": 1,
            "constrain": "domain",
            "showgrid": False,
            "zeroline": False,
        },
        "hovermode": "closest",
        "showlegend": bool(runs),
        # Above the plot, never over it: the top margin holds its rows (the plot is as wide as
        # the page allows, so height is what it can spare).
        "legend": {
            "orientation": "h",
            "x": 0.0,
            "xanchor": "left",
            "y": 1.0,
            "yanchor": "bottom",
            "yref": "paper",
            "itemsizing": "constant",
            "bgcolor": "rgba(0,0,0,0)",
            "font": {"size": _legend_font(present, len(runs))},
        },
    }
    font = _legend_font(present, len(runs))
    if present:
        # On a projector the square plot is limited by the screen's height, and the width
        # to its right is free: the legend stands there, one optimizer a row.
        layout["legend"] |= {"orientation": "v", "x": 1.02, "y": 1.0, "yanchor": "top"}
        if len(runs) > CROWDED:  # no gap between the optimizers' groups: all 14 fit at 720 px
            layout["legend"]["tracegroupgap"] = 0
        longest = max((len(r.label) for r in runs), default=0)
        # The legend starts 2 % of the plot's width to its right: up to 30 px on a wide screen.
        right = 40 + round(2.5 * font + 0.6 * font * longest)
        layout["margin"] = MARGINS[present] | {"r": right, "t": 10}
    else:
        top = 12 + round(legend_rows([r.label for r in runs], present) * LEGEND_ROW * font)
        layout["margin"] = MARGINS[present] | {"t": top}
    layout = _merged(_own_house_layout(present), layout)
    # Figure(frames=…) validates every trace of every frame (a second for 13 optimizers × 60
    # frames) whatever _validate says: the frames, plain dicts, are set as they are.
    return BuiltFigure.of(data, layout, frames)
