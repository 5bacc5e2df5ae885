"""Figures of the Race page: optimizers racing across a contour, the same paths on the 3D surface,
and their loss against step.

The race plays in the browser from Plotly frames.  The base figure holds everything that stands
still — the contour, every full path (faint), the start point, the known minima, where a run
diverged — and one trace that moves: every optimizer's head and its short trail, drawn as one
scatter of dots.  A frame updates only that trace (``traces=[index]``), so the figure grows with
frames × optimizers, never with steps², and frames are subsampled to ``max_frames``.

The contour under the race is a layout image, not a contour trace: when frames play, plotly.js
drops every contour and heatmap trace from the plot (plotly.py#2151, plotly.js#4491; with
``redraw`` on too), while layout images stay.  The image is drawn like ``contour_trace`` — the
same colours, levels and scale — with the values on hover from the click grid.

A diverged run leaves the view for good: its drawn path stops where it last crosses the view's
edge, marked with an ×, and its marker waits there.  The axes keep the view, so a diverging run
never rescales them.
"""

from __future__ import annotations

import base64
import struct
import zlib
from collections.abc import Mapping
from functools import lru_cache

import numpy as np
import plotly.graph_objects as go
from plotly.colors import get_colorscale, sample_colorscale

from optim_core import OPTIMIZERS
from optim_core.analysis import loss_gap
from viz._base import (
    CONTOUR_COLORSCALE,
    click_grid_trace,
    color_for,
    contour_levels,
    grid,
    line_width,
    minima_trace,
    style,
)

# Settings of these figures, together.
MAX_FRAMES = 60  # frames in the animation at most
TRAIL = 8  # earlier frames shown behind each marker
FRAME_MS = 80  # one frame at 1× speed: 60 frames play in about 5 s
SPEEDS = (("½×", 2.0), ("1×", 1.0), ("2×", 0.5), ("4×", 0.25))  # label, frame-duration factor
FIGURE_HEIGHT = 680
PRESENT_HEIGHT = 670  # large type pushes the figure down: it still fits a 1000 px screen
PATH_OPACITY = 0.75  # the full paths, behind the moving markers
HALO_OPACITY = 0.45  # the white band under each path
LOSS_FLOOR = 1e-16  # f − f_min at or below this is drawn at this value on the log axis
SURFACE_GRID_3D = 60
START_STYLE = {"symbol": "circle", "color": "white", "line": {"color": "black", "width": 3}}
VIEW_MARGIN = 0.05  # extra room when a typed start point lies outside the surface's view
CONTOUR_PIXELS = 320  # the contour image's side
CONTOUR_LEVELS = 30  # level lines, as contour_trace's ncontours
CONTOUR_OPACITY = 0.85  # over white, as contour_trace
LEVEL_LINE_ALPHA = 0.3  # white level lines, as contour_trace
UNDEFINED_GREY = 225.0  # where f is not a number


@lru_cache(maxsize=2)
def _house_layout(present: bool) -> dict:
    """The shared style's layout (template expanded), made once: validating it costs ~15 ms."""
    height = PRESENT_HEIGHT if present else FIGURE_HEIGHT
    return style(go.Figure(), present=present, height=height).to_dict()["layout"]


def _name(optimizer: str) -> str:
    spec = OPTIMIZERS.get(optimizer)
    return spec.name if spec is not None else optimizer


def _f32(values) -> dict:
    """An array for the browser as plotly's typed-array spec: float32 (7 significant digits),
    base64-encoded — a third of the JSON of decimal text, and plotly takes it without the
    per-element checks it runs on lists and arrays."""
    data = np.ascontiguousarray(values, dtype="<f4")
    spec = {"dtype": "f4", "bdata": base64.b64encode(data).decode("ascii")}
    if data.ndim > 1:
        spec["shape"] = ", ".join(str(n) for n in data.shape)
    return spec


def _png(rgb: np.ndarray) -> bytes:
    """An (h, w, 3) uint8 image as PNG bytes (each row stored as its difference to the row above,
    which deflate packs well for smooth images)."""
    height, width, _ = rgb.shape
    up = np.diff(rgb.astype(np.int16), axis=0, prepend=0).astype(np.uint8)
    rows = np.concatenate([np.full((height, 1), 2, np.uint8), up.reshape(height, -1)], axis=1)

    def chunk(tag: bytes, data: bytes) -> bytes:
        body = tag + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows.tobytes(), 6))
        + chunk(b"IEND", b"")
    )


_COLORS = np.array(
    [
        [float(v) for v in c[c.index("(") + 1 : -1].split(",")]
        for c in sample_colorscale(get_colorscale(CONTOUR_COLORSCALE), np.linspace(0, 1, 256))
    ]
)


@lru_cache(maxsize=32)
def contour_image(surface, bounds, pixels: int = CONTOUR_PIXELS) -> dict:
    """The filled contour of ``surface`` over ``bounds`` as a plotly layout image (a PNG).

    Same look as ``contour_trace``: colour by f (or log₁₀(f − f_min) when f spans decades),
    white level lines, 85 % opaque over white.  Cached per surface and view.
    """
    _, _, points = grid(bounds, pixels)
    with np.errstate(all="ignore"):
        f = np.asarray(surface.f(points), dtype=float)
    z, _ = contour_levels(f)
    finite = np.isfinite(z)
    lo, hi = (float(z[finite].min()), float(z[finite].max())) if finite.any() else (0.0, 1.0)
    with np.errstate(all="ignore"):
        t = np.where(finite, np.clip((z - lo) / (hi - lo if hi > lo else 1.0), 0.0, 1.0), 1.0)
    rgb = _COLORS[np.round(t * 255).astype(int)]
    level = np.minimum(np.floor(t * CONTOUR_LEVELS), CONTOUR_LEVELS - 1)
    line = np.zeros(level.shape, dtype=bool)  # a pixel with a neighbour on another level
    across, along = level[:, 1:] != level[:, :-1], level[1:, :] != level[:-1, :]
    line[:, 1:] |= across
    line[:, :-1] |= across
    line[1:, :] |= along
    line[:-1, :] |= along
    rgb[line] += LEVEL_LINE_ALPHA * (255.0 - rgb[line])
    rgb += (1.0 - CONTOUR_OPACITY) * (255.0 - rgb)
    rgb[~finite] = UNDEFINED_GREY  # where f is not defined (e.g. log of a negative number)
    image = np.round(rgb[::-1]).astype(np.uint8)  # grid rows go up in y; image rows go down
    (x0, x1), (y0, y1) = bounds
    return {
        "source": "data:image/png;base64," + base64.b64encode(_png(image)).decode("ascii"),
        "xref": "x",
        "yref": "y",
        "x": x0,
        "y": y1,
        "sizex": x1 - x0,
        "sizey": y1 - y0,
        "xanchor": "left",
        "yanchor": "top",
        "sizing": "stretch",
        "layer": "below",
        "name": "contour",
    }


def _click_grid(surface, view) -> go.Scatter:
    """The invisible click grid, also telling f where the pointer is."""
    clicks = click_grid_trace(view)
    xy = np.stack([np.asarray(clicks.x, dtype=float), np.asarray(clicks.y, dtype=float)], -1)
    with np.errstate(all="ignore"):
        f = np.asarray(surface.f(xy), dtype=float)
    return clicks.update(
        x=_f32(xy[:, 0]),
        y=_f32(xy[:, 1]),
        customdata=_f32(f),
        hovertemplate="f = %{customdata:.4g} at (%{x:.2f}, %{y:.2f})<br>"
        "click to start here<extra></extra>",
    )


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


def _inside(points: np.ndarray, bounds) -> np.ndarray:
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
    inside = np.flatnonzero(_inside(path[: end + 1], bounds))
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


def frame_steps(steps: int, max_frames: int = MAX_FRAMES) -> np.ndarray:
    """The steps the animation shows: 0 … steps, evenly spaced, at most ``max_frames`` of them."""
    n = max(2, min(int(max_frames), int(steps) + 1))
    return np.unique(np.round(np.linspace(0, int(steps), n)).astype(int))


def _comet_sizes(trail: int, head: float) -> np.ndarray:
    """Dot sizes along a trail, oldest first: small and growing, the head largest."""
    return head * np.append(0.3 + 0.4 * np.arange(1, trail + 1) / max(trail, 1), 1.0)


def _buttons(durations: list[tuple[str, float]]) -> list[dict]:
    def play(label, ms):
        return {
            "label": label,
            "method": "animate",
            "args": [
                None,
                {
                    "frame": {"duration": ms, "redraw": False},
                    "transition": {"duration": 0},
                    "fromcurrent": True,
                    "mode": "immediate",
                },
            ],
        }

    return [play(label, ms) for label, ms in durations]


def _animation_controls(steps: np.ndarray, present: bool) -> tuple[list[dict], list[dict]]:
    """Play / Pause / speed buttons and the step scrubber, under the plot (offsets in px)."""
    font = {"size": 18 if present else 13}
    below = 34 if present else 26  # clear of the tick labels
    pause = {
        "label": "❚❚ Pause",
        "method": "animate",
        "args": [[None], {"frame": {"duration": 0, "redraw": False}, "mode": "immediate"}],
    }
    restart = {
        "label": "↺ Restart",
        "method": "animate",
        "args": [
            [str(steps[0])],
            {"frame": {"duration": 0, "redraw": False}, "mode": "immediate"},
        ],
    }
    menus = [
        {
            "type": "buttons",
            "direction": "right",
            "buttons": [*_buttons([("▶ Play", FRAME_MS)]), pause, restart],
            "x": 0.0,
            "xanchor": "left",
            "y": 0.0,
            "yanchor": "top",
            "pad": {"t": below, "r": 6},
            "showactive": False,
            "font": font,
            "name": "play",
        },
        {
            "type": "buttons",
            "direction": "right",
            "buttons": _buttons([(f"{label}", FRAME_MS * f) for label, f in SPEEDS]),
            "x": 1.0,
            "xanchor": "right",
            "y": 0.0,
            "yanchor": "top",
            "pad": {"t": below},
            "showactive": True,
            "active": 1,
            "font": font,
            "name": "speed",
        },
    ]
    scrub = {
        "frame": {"duration": 0, "redraw": False},
        "mode": "immediate",
        "transition": {"duration": 0},
    }
    sliders = [
        {
            "active": 0,
            "steps": [
                {"label": str(s), "method": "animate", "args": [[str(s)], scrub]} for s in steps
            ],
            "x": 0.0,
            "len": 1.0,
            "y": 0.0,
            "yanchor": "top",
            "pad": {"t": below + (58 if present else 46), "b": 0},
            "currentvalue": {
                "prefix": "step ",
                "font": font | {"color": "#000" if present else "#1b1f24"},
                "xanchor": "right",
                "offset": 6,
            },
            "ticklen": 0,
            "tickcolor": "rgba(0,0,0,0)",
            "font": {"color": "rgba(0,0,0,0)", "size": 1},
            "transition": {"duration": 0},
            "name": "step",
        }
    ]
    return menus, sliders


def _pad(paths: list[np.ndarray]) -> np.ndarray:
    """Stack paths of possibly different lengths, a shorter one waiting at its last point."""
    n = max(len(p) for p in paths)
    return np.stack([np.concatenate([p, np.repeat(p[-1:], n - len(p), axis=0)]) for p in paths])


def _moving_dots(paths: list[np.ndarray], max_frames: int, trail: int):
    """The steps shown and, per frame, every optimizer's trail and head: (frames, opt·(trail+1), 2).

    Frame k shows, for each optimizer, its positions at the steps of frames k − trail … k
    (the oldest first; before frame 0 the start repeats).
    """
    positions = _pad(paths)  # (optimizers, steps+1, 2)
    steps = frame_steps(positions.shape[1] - 1, max_frames)
    back = np.arange(trail, -1, -1)
    shown = steps[np.clip(np.arange(len(steps))[:, None] - back[None, :], 0, None)]  # (F, trail+1)
    dots = positions[:, shown].transpose(1, 0, 2, 3).reshape(len(steps), -1, 2)
    return steps, dots


def _path_traces(trajectories: Mapping[str, object], view, present: bool):
    """One full path per optimizer, faint and on a white halo so it reads on any colour of the
    contour; also the paths as drawn (for the animation) and the divergence marks."""
    traces, drawn, marks = [], [], []
    width = line_width(present)
    for i, (key, traj) in enumerate(trajectories.items()):
        path, last, mark = visible_path(traj.path, traj.diverged_at, view)
        drawn.append(path)
        color = color_for(traj.optimizer, i)
        x, y = _f32(path[: last + 1, 0]), _f32(path[: last + 1, 1])
        line = {"type": "scatter", "x": x, "y": y, "mode": "lines", "legendgroup": key}
        label = _name(key) if mark is None else f"{_name(key)} ✕ diverged at {traj.diverged_at}"
        traces.append(
            line
            | {
                "line": {"color": "white", "width": width + 3},
                "opacity": HALO_OPACITY,
                "hoverinfo": "skip",
                "showlegend": False,
                "name": f"{_name(key)} halo",
            }
        )
        traces.append(
            line
            | {
                "line": {"color": color, "width": width},
                "opacity": PATH_OPACITY,
                "name": label,
                "hovertemplate": f"{_name(key)}<br>(%{{x:.3f}}, %{{y:.3f}})<extra></extra>",
            }
        )
        if mark is not None:
            marks.append((_name(key), color, mark, traj.diverged_at))
    return traces, drawn, marks


def _divergence_trace(marks: list, head: float) -> dict:
    """An × in the optimizer's colour where each diverged run left the view."""
    return {
        "type": "scatter",
        "x": _f32([m[2][0] for m in marks]),
        "y": _f32([m[2][1] for m in marks]),
        "mode": "markers",
        "marker": {
            "symbol": "x",
            "size": 1.8 * head,
            "color": [m[1] for m in marks],
            "line": {"color": "white", "width": 2},
        },
        "text": [f"{m[0]} diverged at step {m[3]}" for m in marks],
        "hovertemplate": "%{text}<extra></extra>",
        "cliponaxis": False,  # an × on the view's edge shows whole
        "name": "diverged",
        "showlegend": False,
    }


def _moving_trace(
    trajectories: Mapping[str, object], dots: np.ndarray, trail: int, head: float, present: bool
) -> dict:
    """Every optimizer's head and trail as one scatter: frames then move just this trace."""
    per = trail + 1
    colors = [color_for(t.optimizer, i) for i, t in enumerate(trajectories.values())]
    outline = np.append(np.full(trail, 0.5), 2.5 if present else 2.0)
    return {
        "type": "scatter",
        "x": _f32(dots[:, 0]),
        "y": _f32(dots[:, 1]),
        "mode": "markers",
        "marker": {
            "color": [c for c in colors for _ in range(per)],
            "size": np.tile(_comet_sizes(trail, head), len(colors)),
            "line": {"color": "white", "width": np.tile(outline, len(colors))},
        },
        "text": [_name(k) for k in trajectories for _ in range(per)],
        "hovertemplate": "%{text}<br>(%{x:.3f}, %{y:.3f})<extra></extra>",
        "name": "position",
        "showlegend": False,
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


def race_figure(
    surface,
    trajectories: Mapping[str, object],
    *,
    start,
    present: bool = False,
    max_frames: int = MAX_FRAMES,
    trail: int = TRAIL,
    bounds=None,
) -> go.Figure:
    """The animated race: contour, faint full paths, moving markers with short trails.

    Trace order: the click grid (invisible; makes clicks arrive, tells f on hover), a halo and a
    faint path per optimizer, the divergence marks (if any), the moving dots, the start, the
    minima.  The contour is the layout's image (see the module's note).
    Frames update only the moving dots; a frame's name is the step it shows.

    The traces are plain dicts of known-good properties and the figure skips plotly's
    per-property validation (``_validate=False``): that validation costs more than the
    rest of the figure together, and the page rebuilds the figure on every slider change.
    """
    view = view_bounds(bounds or surface.bounds, start)
    head = 16.0 if present else 12.0
    paths, drawn, marks = _path_traces(trajectories, view, present)
    data = [_click_grid(surface, view), *paths]
    if marks:
        data.append(_divergence_trace(marks, head))
    frames, layout = [], {}
    if trajectories:
        steps, dots = _moving_dots(drawn, max_frames, trail)
        moving = len(data)
        data.append(_moving_trace(trajectories, dots[0], trail, head, present))
        frames = [
            {
                "name": str(s),
                "traces": [moving],
                "data": [{"type": "scatter", "x": _f32(d[:, 0]), "y": _f32(d[:, 1])}],
            }
            for s, d in zip(steps, dots, strict=True)
        ]
        layout["updatemenus"], layout["sliders"] = _animation_controls(steps, present)
    data.append(_start_trace(start, head + 4))
    minima = minima_trace(surface, present=present)
    if minima is not None:
        data.append(minima.update(showlegend=False))

    (x0, x1), (y0, y1) = view
    layout |= {
        "images": [contour_image(surface, view)],
        "xaxis": {
            "range": [x0, x1],
            "autorange": False,
            "constrain": "domain",
            "showgrid": False,
            "zeroline": False,
        },
        "yaxis": {
            "range": [y0, y1],
            "autorange": False,
            "scaleanchor": "x",
            "scaleratio": 1,
            "constrain": "domain",
            "showgrid": False,
            "zeroline": False,
        },
        "hovermode": "closest",
        "legend": {"orientation": "h", "x": 0.0, "y": 1.0, "yanchor": "bottom"},
    }
    layout["margin"] = {"l": 10, "r": 10, "t": 10, "b": 130 if present else 105}
    layout = _merged(_house_layout(present), layout)
    return go.Figure(data=data, layout=layout, frames=frames, _validate=False)


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
            x=_f32(xs),
            y=_f32(ys),
            z=_f32(z),
            customdata=_f32(f),
            colorscale="Viridis",
            opacity=0.85,
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
        path[~_inside(path, view)] = np.nan
        with np.errstate(all="ignore"):
            heights = height_of(surface.f(path)) + lift
        data.append(
            go.Scatter3d(
                x=_f32(path[:, 0]),
                y=_f32(path[:, 1]),
                z=_f32(heights),
                mode="lines",
                line={"color": color_for(traj.optimizer, i), "width": width},
                name=_name(key),
                hovertemplate=f"{_name(key)}<extra></extra>",
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
        label = _name(key)
        if traj.diverged_at is not None:
            label += f" ✕ diverged at {traj.diverged_at}"
        data.append(
            go.Scatter(
                x=np.arange(len(y), dtype=np.int32),
                y=y,
                mode="lines",
                line={"color": color_for(traj.optimizer, i), "width": width},
                name=label,
                hovertemplate=f"{_name(key)}<br>step %{{x}}<br>%{{y:.4g}}<extra></extra>",
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
