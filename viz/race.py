"""Figures of the Race page: optimizers racing across a contour, the same paths on the 3D surface,
and their loss against step.

The race plays in the browser from Plotly frames.  The base figure holds what stands still — the
contour, the start point, the known minima — and, per optimizer, three traces in one legend group
(so one legend click hides all three): its path, its moving dot (head and a short trail, in the
optimizer's colour and marker symbol) and, for a run that diverged, an ×.  Before Play no path is
shown: each frame grows every path up to the frame's step, moves the dots, and shows an × once
the animation reaches the step where that run left the view (``show_paths=True`` draws the whole
paths and the × marks from the start instead, and frames then move only the dots).

Frames carry only what moves, and a growing path is the bulk of them.  In frame k a path is the
path up to the frame's step simplified to the iterates that keep it within ``PATH_TOLERANCE`` of
the view's span — about a pixel (Ramer–Douglas–Peucker, ``simplified``) — so what is drawn
differs from every iterate by less than a pixel: a zig-zag you could see is kept, as it happens,
and long smooth stretches cost a few points.  The last frame holds every iterate.  Only if the
paths of the other frames together still exceed ``FRAME_PATH_POINTS`` does the tolerance double
(the drawn paths get coarser while playing, never in the last frame), up to
``MAX_PATH_TOLERANCE``: 13 optimizers × 500 steps stay under 0.5 MB.

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
import bisect
import io
from collections.abc import Mapping
from copy import deepcopy
from functools import lru_cache

import numpy as np
import plotly.graph_objects as go
from PIL import Image
from plotly.colors import sample_colorscale

from optim_core import OPTIMIZERS
from optim_core.analysis import loss_gap
from viz._base import (
    CONTOUR_COLORSCALE,
    CONTOUR_LINE_DARKEN,
    click_grid_trace,
    color_for,
    contour_levels,
    grid,
    line_width,
    marker_for,
    minima_trace,
    style,
)

# Settings of these figures, together.
MAX_FRAMES = 60  # frames in the animation at most
TRAIL = 4  # earlier frames shown behind each marker (the growing path shows the rest)
FRAME_MS = 80  # one frame at 1× speed: 60 frames play in about 5 s
SPEEDS = (("½×", 2.0), ("1×", 1.0), ("2×", 0.5), ("4×", 0.25))  # label, frame-duration factor
FIGURE_HEIGHT = 680
PRESENT_HEIGHT = 670  # large type pushes the figure down: it still fits a 1000 px screen
PATH_OPACITY = 0.9  # the paths, under the moving markers
TRAIL_OPACITY = (0.25, 0.6)  # the oldest and the newest trail dot; the head is opaque
DOT_OUTLINE = "#1b1f24"  # a dark ring around each head: light colours read on the light contour
DOT_SPREAD = 0.6  # the first optimizer's dot is this much larger than the last one's, so
# dots that coincide (at the minimum, at the start) show as nested rings, not one dot
PATH_TOLERANCE = 0.002  # a path while playing stays this close to every iterate (× the view)
MAX_PATH_TOLERANCE = 0.02  # … or, to keep the size budget, at most this close
FRAME_PATH_POINTS = 9_000  # path points in the frames but the last, at most (the size budget)
LOSS_FLOOR = 1e-16  # f − f_min at or below this is drawn at this value on the log axis
SURFACE_GRID_3D = 60
START_STYLE = {"symbol": "circle", "color": "white", "line": {"color": "black", "width": 3}}
VIEW_MARGIN = 0.05  # extra room when a typed start point lies outside the surface's view
CONTOUR_PIXELS = 320  # the contour image's side
CONTOUR_LEVELS = 30  # level lines, as contour_trace's ncontours
UNDEFINED_GREY = 255.0  # where f is not a number: white, lighter than any level
CLICK_GRID = 25  # click grid points per side: a click anywhere lands near one
CLICK_MARKER = 20  # px: with the 20 px hover distance, no gap between grid points up to 1000 px
# The margins hold what plotly.js would otherwise make room for by drawing the figure twice
# (``margin.autoexpand``: a first draw finds the tick labels, the legend or the play controls
# outside the margins, and it draws again): the tick labels at the left and right, the play
# buttons and the step scrubber at the bottom, the legend at the top (or right, to present).
MARGINS = {False: {"l": 40, "r": 24, "b": 132}, True: {"l": 50, "b": 158}}
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


def _name(optimizer: str) -> str:
    spec = OPTIMIZERS.get(optimizer)
    return spec.name if spec is not None else optimizer


_F32_MAX = float(np.finfo(np.float32).max)


def _as_f32(values) -> np.ndarray:
    """``values`` as little-endian float32; a value float32 cannot hold (or not finite) is NaN."""
    values = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        values = np.where(np.abs(values) < _F32_MAX, values, np.nan)
    return values.astype("<f4")


def _bdata(data: np.ndarray) -> dict:
    """A float32 array (``_as_f32``) as plotly's typed-array spec."""
    return {"dtype": "f4", "bdata": base64.b64encode(data.tobytes()).decode("ascii")}


def _f32(values) -> dict:
    """An array for the browser as plotly's typed-array spec: float32 (7 significant digits),
    base64-encoded — a third of the JSON of decimal text, and plotly takes it without the
    per-element checks it runs on lists and arrays. A value float32 cannot hold (or not finite)
    is sent as NaN, a gap: infinity never reaches the browser."""
    data = _as_f32(values)
    spec = _bdata(data)
    if data.ndim > 1:
        spec["shape"] = ", ".join(str(n) for n in data.shape)
    return spec


def _png(rgb: np.ndarray) -> bytes:
    """An (h, w, 3) uint8 image as PNG bytes, greyscale when every pixel is grey (a third of
    the size)."""
    grey = bool((rgb == rgb[..., :1]).all())
    image = Image.fromarray(rgb[..., 0] if grey else rgb, "L" if grey else "RGB")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def contour_colors(n: int = 256) -> np.ndarray:
    """The contour's colour map sampled at n points, low f first: (n, 3) floats in 0 … 255."""
    return np.array(
        [
            [float(v) for v in c[c.index("(") + 1 : -1].split(",")]
            for c in sample_colorscale(CONTOUR_COLORSCALE, np.linspace(0, 1, n))
        ]
    )


_COLORS = contour_colors()


@lru_cache(maxsize=32)
def contour_image(surface, bounds, pixels: int = CONTOUR_PIXELS) -> dict:
    """The filled contour of ``surface`` over ``bounds`` as a plotly layout image (a PNG).

    Same look as ``contour_trace``: coloured by f (or log₁₀(f − f_min) when f spans decades) on
    the light grey ramp, level lines darker.  Cached per surface and view.
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
    rgb[line] *= 1.0 - CONTOUR_LINE_DARKEN
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


@lru_cache(maxsize=32)
def _click_grid(surface, view) -> dict:
    """The invisible click grid (``CLICK_GRID`` points a side), also telling f at its points;
    cached per surface and view (a copy goes into each figure)."""
    clicks = click_grid_trace(view, CLICK_GRID)
    xy = np.stack([np.asarray(clicks.x, dtype=float), np.asarray(clicks.y, dtype=float)], -1)
    with np.errstate(all="ignore"):
        f = np.asarray(surface.f(xy), dtype=float)
    return clicks.update(
        x=_f32(xy[:, 0]),
        y=_f32(xy[:, 1]),
        customdata=_f32(f),
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
    """The steps shown and, per frame, every optimizer's head and trail: (frames, opt, trail+1, 2).

    Frame k shows, for each optimizer, its positions at the steps of frames k, k − 1 … k − trail
    (the head first; before frame 0 the start repeats).
    """
    positions = _pad(paths)  # (optimizers, steps+1, 2)
    steps = frame_steps(positions.shape[1] - 1, max_frames)
    back = np.arange(trail + 1)
    shown = steps[np.clip(np.arange(len(steps))[:, None] - back[None, :], 0, None)]  # (F, trail+1)
    return steps, positions[:, shown].transpose(1, 0, 2, 3)


def simplified(path: np.ndarray, tol: float) -> np.ndarray:
    """The indices of the iterates that keep ``path`` within ``tol`` of itself: every iterate
    lies within ``tol`` of the polyline through them (Ramer–Douglas–Peucker, with the distance to
    each segment, so a path doubling back keeps its turning points).  Both ends are kept; so is
    every iterate of a path with a point that is not finite."""
    n = len(path)
    if n <= 2 or not np.isfinite(path).all():
        return np.arange(n)
    # This loop runs for every run and many frames on each rerun of the Race: each coordinate
    # contiguous, the segment's ends as Python floats, squared distances, in-place ufuncs.
    x, y = np.ascontiguousarray(path[:, 0]), np.ascontiguousarray(path[:, 1])
    xs, ys = x.tolist(), y.tolist()
    keep, todo, tol2 = [0, n - 1], [(0, n - 1)], tol * tol
    maximum, minimum = np.maximum, np.minimum
    while todo:
        i, j = todo.pop()
        ax, ay = xs[i], ys[i]
        dx, dy = xs[j] - ax, ys[j] - ay
        px, py = x[i + 1 : j] - ax, y[i + 1 : j] - ay
        length2 = dx * dx + dy * dy
        if length2 > 0:  # q = p − t d, t the projection clipped to the segment
            t = px * (dx / length2) + py * (dy / length2)
            minimum(maximum(t, 0.0, out=t), 1.0, out=t)
            px -= t * dx
            py -= t * dy
        far2 = px * px
        far2 += py * py
        k = int(far2.argmax())
        if far2[k] > tol2:
            m = i + 1 + k
            keep.append(m)
            todo += [pair for pair in ((i, m), (m, j)) if pair[1] - pair[0] >= 2]
    return np.array(sorted(keep))


def _straight(path: np.ndarray, begins: np.ndarray, ends: np.ndarray, tol: float) -> np.ndarray:
    """Per stretch ``path[b : e + 1]``, whether every iterate lies within ``tol`` of the segment
    from its first to its last point — the test ``simplified`` starts with, for all stretches at
    once."""
    inner = np.maximum(ends - begins - 1, 0)
    ok = np.ones(len(begins), dtype=bool)
    has = np.flatnonzero(inner)
    if not len(has):
        return ok
    inner = inner[has]
    first = np.cumsum(inner) - inner
    owner = np.repeat(has, inner)
    index = begins[owner] + 1 + np.arange(len(owner)) - np.repeat(first, inner)
    x, y = path[:, 0], path[:, 1]
    ax, ay = x[begins[owner]], y[begins[owner]]
    dx, dy = x[ends[owner]] - ax, y[ends[owner]] - ay
    px, py = x[index] - ax, y[index] - ay
    length2 = dx * dx + dy * dy
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(length2 > 0, (px * dx + py * dy) / length2, 0.0)
    t = np.minimum(np.maximum(t, 0.0), 1.0)
    qx, qy = px - t * dx, py - t * dy
    far = np.sqrt(qx * qx + qy * qy)
    ok[has] = ~(np.maximum.reduceat(far, first) > tol)
    return ok


def _revealed(path: np.ndarray, steps: np.ndarray, last: int, tol: float) -> list[np.ndarray]:
    """Per frame, the indices of the iterates drawn: the path up to the frame's step, simplified
    to within ``tol``, and every iterate in the last frame.

    Up to the last vertex of the whole path's simplification that the frame has reached, its
    vertices; from there to the step, that stretch simplified on its own.  Most such stretches
    are straight to within ``tol`` (they lie along one segment of the whole path's
    simplification), which ``_straight`` settles for all frames at once; only the others run
    ``simplified``.
    """
    kept = simplified(path[: last + 1], tol)
    if not np.isfinite(path[: last + 1]).all():  # simplified keeps every iterate
        return [np.arange(min(int(s), last) + 1) for s in steps[:-1]] + [np.arange(last + 1)]
    ends = np.minimum(steps[:-1].astype(int), last)
    begins = kept[np.searchsorted(kept, ends, side="right") - 1]  # last vertex reached
    straight = _straight(path, begins, ends, tol)
    vertices, shown = kept.tolist(), []
    stretches = zip(begins.tolist(), ends.tolist(), straight.tolist(), strict=True)
    for begin, end, is_straight in stretches:
        head = vertices[: bisect.bisect_left(vertices, begin)]
        if is_straight:
            shown.append(np.array(head + ([begin, end] if end > begin else [begin])))
        else:
            tail = begin + simplified(path[begin : end + 1], tol)
            shown.append(np.concatenate([np.array(head, dtype=int), tail]))
    return [*shown, np.arange(last + 1)]


@lru_cache(maxsize=256)
def _revealed_by_bytes(path: bytes, steps: bytes, last: int, tol: float) -> tuple:
    points = np.frombuffer(path).reshape(-1, 2)
    return tuple(_revealed(points, np.frombuffer(steps, dtype=np.int64), last, tol))


def _revealed_of(path: np.ndarray, steps: np.ndarray, last: int, tol: float) -> tuple:
    """``_revealed``, remembered by the path's bytes for the last few hundred paths: after a
    change to one optimizer's setting, the others' paths are the same and not simplified
    again (the cached runs come back as copies, equal byte for byte)."""
    path_bytes = np.ascontiguousarray(path, dtype=float).tobytes()
    steps_bytes = np.ascontiguousarray(steps, dtype=np.int64).tobytes()
    return _revealed_by_bytes(path_bytes, steps_bytes, int(last), float(tol))


def _reveal_plan(runs: list, steps: np.ndarray, span: float) -> list[list[np.ndarray]]:
    """Each run's drawn indices per frame, the tolerance doubled (up to ``MAX_PATH_TOLERANCE``)
    until the frames before the last fit ``FRAME_PATH_POINTS``."""
    tol = PATH_TOLERANCE * span
    while True:
        plan = [_revealed_of(r.path, steps, r.last, tol) for r in runs]
        total = sum(len(idx) for frames in plan for idx in frames[:-1])
        if total <= FRAME_PATH_POINTS or tol * 2 > MAX_PATH_TOLERANCE * span:
            return plan
        tol *= 2


class _Run:
    """One optimizer as the race draws it."""

    def __init__(self, index: int, key: str, traj, view, count: int, head: float):
        self.key = key
        self.color = color_for(traj.optimizer, index)
        self.symbol = marker_for(traj.optimizer, index)
        self.path, self.last, self.mark = visible_path(traj.path, traj.diverged_at, view)
        self.label = _name(key)
        if self.mark is not None:
            self.label += f" ✕ diverged at {traj.diverged_at}"
            self.mark_text = f"{_name(key)} diverged at step {traj.diverged_at}"
        # Earlier optimizers get larger dots (drawn first, underneath): coinciding dots nest.
        self.head = head * (1.0 + DOT_SPREAD * (count - 1 - index) / max(count - 1, 1))


def _path_trace(run: _Run, shown: np.ndarray, present: bool) -> dict:
    """The optimizer's path through the iterates ``shown``: thin, in its colour, no legend entry
    (its dot has it, with the marker symbol)."""
    xy = run.path[shown]
    return {
        "type": "scatter",
        "x": _f32(xy[:, 0]),
        "y": _f32(xy[:, 1]),
        "mode": "lines",
        "line": {"color": run.color, "width": line_width(present)},
        "opacity": PATH_OPACITY,
        "legendgroup": run.key,
        "showlegend": False,
        "name": run.label,
        "meta": f"path-{run.key}",
        "hovertemplate": f"{_name(run.key)}<br>(%{{x:.3f}}, %{{y:.3f}})<extra></extra>",
    }


def _mark_xy(run: _Run, shown: bool) -> dict:
    x, y = ([float(run.mark[0])], [float(run.mark[1])]) if shown else ([], [])
    return {"x": x, "y": y}


def _divergence_trace(run: _Run, shown: bool, present: bool) -> dict:
    """An × in the optimizer's colour where its run left the view (none until ``shown``)."""
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
        "x": _f32(dots[:, 0]),
        "y": _f32(dots[:, 1]),
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
        "hovertemplate": f"{_name(run.key)}<br>(%{{x:.3f}}, %{{y:.3f}})<extra></extra>",
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


def legend_font(present: bool, count: int) -> int:
    """The legend's type size (px) for ``count`` optimizers."""
    return 14 if present and count > CROWDED else LEGEND_FONT[present]


def legend_rows(labels, present: bool) -> int:
    """Rows of the race's horizontal legend of ``labels`` in the narrowest figure, packed as
    plotly.js packs entries that share legend groups: left to right, a new row when the next
    entry would pass the plot's width (its text at 0.65 em a character: generous)."""
    font = legend_font(present, len(labels))
    pad, em = LEGEND_ENTRY
    rows, used = 0, 0.0
    for label in labels:
        entry = pad + em * font * len(label)
        if rows == 0 or (used > 0 and used + entry > LEGEND_WIDTH):
            rows, used = rows + 1, 0.0
        used += entry
    return rows


class _Coords:
    """Points made float32 once (``_as_f32``), each coordinate contiguous, so the frames'
    many selections of them are sliced and encoded without converting each again."""

    def __init__(self, points: np.ndarray):
        data = _as_f32(points)
        self.x, self.y = np.ascontiguousarray(data[..., 0]), np.ascontiguousarray(data[..., 1])

    def xy(self, index) -> dict:
        return {"x": _bdata(self.x[index]), "y": _bdata(self.y[index])}


class _BuiltFigure(go.Figure):
    """A figure whose traces, layout and frames are handed over as built. ``st.plotly_chart``
    calls ``to_dict``, which in plotly deep-copies the figure and walks every value for NumPy
    arrays to encode (60 frames × 14 optimizers: 30 000 values, about half of a rerun's server
    time). Here the traces and frames hold only plain dicts and base64 arrays (``_Coords``,
    ``_mark_xy``), so they are passed as they are; a NumPy array left in them (the minima's) is
    written by plotly's JSON encoder. ``to_dict`` copies the traces and the frames one level
    deep (Streamlit pops the traces' ``uid``s) and the layout's top level: what is nested in
    it is the figure's own, to be read and not changed."""

    @classmethod
    def of(cls, data: list[dict], layout: dict, frames: list[dict]) -> _BuiltFigure:
        """A figure holding ``data``, ``layout`` and ``frames`` (dicts: name, traces, data) as
        they are: its own from now on, ``update_layout`` changes them. ``go.Figure(data=…)``,
        even unvalidated, deep-copies every trace and makes an object of each (20 ms for 14
        optimizers, a third of the figure's time) for ``to_dict`` to take apart again, and
        ``go.Frame`` each frame. The empty template passed here spares plotly's default one,
        which it would copy in (about 1 ms) only for ``layout`` to replace it."""
        fig = cls(layout={"template": {}}, _validate=False)
        fig._data, fig._frame_objs, fig._layout = data, tuple(frames), layout
        return fig

    def to_dict(self) -> dict:
        out = {"data": [dict(trace) for trace in self._data], "layout": dict(self._layout)}
        if self._frame_objs:
            out["frames"] = [dict(frame) for frame in self._frame_objs]
        return out


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
        steps, dots = _moving_dots([r.path for r in runs], max_frames, trail)
        if not show_paths:
            span = max(view[0][1] - view[0][0], view[1][1] - view[1][0])
            plan = _reveal_plan(runs, steps, span)
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
        dot_xy, path_xy = _Coords(dots), [_Coords(r.path) for r in runs]
        for k, step in enumerate(steps):
            traces, updates = list(moving), [dot_xy.xy((k, j)) for j in range(len(runs))]
            if not show_paths:
                traces += paths + marks
                updates += [xy.xy(p[k]) for xy, p in zip(path_xy, plan, strict=True)]
                updates += [_mark_xy(r, step >= r.last) for r in diverged]
            frames.append({"name": str(step), "traces": traces, "data": updates})
        layout["updatemenus"], layout["sliders"] = _animation_controls(steps, present)

    (x0, x1), (y0, y1) = view
    layout |= {
        "images": [dict(contour_image(surface, view))],  # cached: the figure's own copy
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
            "font": {"size": legend_font(present, len(runs))},
        },
    }
    font = legend_font(present, len(runs))
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
    return _BuiltFigure.of(data, layout, frames)


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
