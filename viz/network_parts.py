"""Pieces of the Network page's figures: the panels' common layout and frames, the decision
boundary and the loss over the plane of the iterates as small palette images under vector level
lines, and the static random-slice figure.

The pictures are images because plotly.js keeps layout images while frames play and drops
heatmaps and contours (see ``viz.race``); their lines are scatter traces (``level_lines``:
marching squares with linear interpolation along the cells' edges), so that they are as sharp
as the screen, never a staircase of pixels.

The boundary is coloured as TensorFlow Playground colours it: a diverging scale from orange
(class 0, P(class 1) = 0) through light grey (0.5) to blue (class 1), in ``SHADES`` bands. The
network is evaluated on a ``BOUNDARY_N`` grid and the probability interpolated (bilinearly) to
``BOUNDARY_PIXELS`` a side before it is banded; a banded image of few colours is a small PNG (a
few KB a frame). The decision boundary P = 0.5 is the level line of that grid, one line a frame.

The loss over the plane is shaded by its rank among the grid's values (the share of the plane
lower than it: darker is lower) and its ``PLANE_LEVELS`` level lines are at the loss's
quantiles over the grid, so that each band between two lines covers the same share of the
plane. Levels evenly spaced in the loss (or its logarithm) crowd where the loss is high and leave
the flat valley the runs end in empty; by share, the valley gets its lines too.
"""

from __future__ import annotations

import base64
import io
from functools import lru_cache
from typing import Any

import numpy as np
import plotly.graph_objects as go
from PIL import Image

from viz._base import (
    _COLORS,
    color_for,
    marker_for,
    style,
    values_contour,
)

# Settings of these pictures, together.
CLASS_COLORS = ("#f59322", "#0877bd")  # class 0, class 1 (TensorFlow Playground's)
MIDDLE = "#e8eaeb"  # P = 0.5
BACKGROUND_WASH = 0.45  # the boundary's colours are the class colours this much toward white,
# so that the points (in the full class colours) stand out on the side they belong to
BOUNDARY_LINE = "#282828"  # the decision boundary P = 0.5
SHADES = 16  # colour bands from P = 0 to 1
BOUNDARY_N = 50  # the network is evaluated on BOUNDARY_N × BOUNDARY_N points of the view
BOUNDARY_PIXELS = 240  # … interpolated to this many pixels a side for the bands
PLANE_PIXELS = 300  # the loss over the plane, interpolated to this many pixels a side
PLANE_LEVELS = 20  # its level lines: one at each of the quantiles 1/20, 2/20, … 19/20
RAMP_SHADES = 128  # the grey ramp's shades in that image
SLICE_HEIGHT = 420
# The panels (``panel_layout``): margins and type on a laptop (False) and presenting (True).
MARGINS = {False: {"l": 52, "r": 12, "t": 34, "b": 44}, True: {"l": 60, "r": 12, "t": 40, "b": 50}}
FONTS = {False: {"title": 13, "axis": 13, "tick": 12}, True: {"title": 18, "axis": 17, "tick": 16}}
DOT_OUTLINE = "#1b1f24"  # an optimizer's dot's outline


@lru_cache(maxsize=2)
def _house(present: bool) -> dict:
    """The house style's layout (the template expanded), made once."""
    return style(go.Figure(), present=present).to_dict()["layout"]


def panel_layout(title: str, present: bool, *, top: int | None = None, **axes) -> dict:
    """The house style with this panel's title (at the top of the panel) and axes; ``top`` the
    top margin if not the usual one. Presenting, the type is larger than on a laptop (16 px
    ticks, the size every presented chart has) but smaller than the house's presenting type:
    two panels share the width."""
    layout: dict[str, Any] = dict(_house(present))
    fonts = FONTS[present]
    for axis in axes.values():
        axis["tickfont"] = {"size": fonts["tick"]}
        axis["title"] = {**axis.get("title", {}), "font": {"size": fonts["axis"]}}
    margin = dict(MARGINS[present])
    if top is not None:
        margin["t"] = top
    layout.update(
        title={
            "text": title,
            "x": 0.0,
            "xanchor": "left",
            "y": 1.0,
            "yref": "container",
            "yanchor": "top",
            "pad": {"t": 6},
            "font": {"size": fonts["title"]},
        },
        font={**layout.get("font", {}), "size": fonts["tick"]},
        margin=margin,
        showlegend=False,
        hovermode="closest",
        dragmode=False,
        autosize=True,
        **axes,
    )
    return layout


def at_steps(values: np.ndarray, steps: np.ndarray, last: int) -> np.ndarray:
    """``values`` at ``steps``, each clamped to ``last`` (a run that stopped waits there)."""
    return values[np.minimum(steps, last)]


def frames_of(steps, moving: list[list[dict]], first: int, layouts=None) -> list[dict]:
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


def dot_marker(opt: str, i: int, size: float) -> dict:
    return {
        "symbol": marker_for(opt, i),
        "color": color_for(opt, i),
        "size": size,
        "line": {"color": DOT_OUTLINE, "width": 1.5},
    }


# ---------------------------------------------------------------------------- the pictures


def _rgb(hex_color: str) -> np.ndarray:
    h = hex_color.lstrip("#")
    return np.array([int(h[i : i + 2], 16) for i in (0, 2, 4)], dtype=float)


def diverging_palette(shades: int = SHADES) -> np.ndarray:
    """(shades, 3) uint8: light orange → light grey → light blue (the class colours washed
    toward white by ``BACKGROUND_WASH``), the colour of each band's middle."""
    t = (np.arange(shades) + 0.5) / shades
    white = np.full(3, 255.0)
    low, high = (_rgb(c) + BACKGROUND_WASH * (white - _rgb(c)) for c in CLASS_COLORS)
    mid = _rgb(MIDDLE)
    below = low + (mid - low) * np.clip(t / 0.5, 0, 1)[:, None]
    above = mid + (high - mid) * np.clip((t - 0.5) / 0.5, 0, 1)[:, None]
    return np.round(np.where((t < 0.5)[:, None], below, above)).astype(np.uint8)


def upsample(values: np.ndarray, pixels: int) -> np.ndarray:
    """``values`` (n, m) on an even grid, linearly interpolated along each axis to (pixels,
    pixels) over the same span (corners kept)."""
    values = np.asarray(values, dtype=float)
    n, m = values.shape
    rows, cols = np.linspace(0, n - 1, pixels), np.linspace(0, m - 1, pixels)
    r0 = np.minimum(np.floor(rows).astype(int), n - 2) if n > 1 else np.zeros(pixels, int)
    c0 = np.minimum(np.floor(cols).astype(int), m - 2) if m > 1 else np.zeros(pixels, int)
    fr, fc = (rows - r0)[:, None], (cols - c0)[None, :]
    r1, c1 = np.minimum(r0 + 1, n - 1), np.minimum(c0 + 1, m - 1)
    top = values[r0][:, c0] * (1 - fc) + values[r0][:, c1] * fc
    bottom = values[r1][:, c0] * (1 - fc) + values[r1][:, c1] * fc
    return top * (1 - fr) + bottom * fr


def palette_png(index: np.ndarray, palette: np.ndarray) -> str:
    """An image of palette indices (h, w), rows from the top, as a PNG data URI."""
    image = Image.fromarray(index.astype(np.uint8), "P")
    image.putpalette(np.asarray(palette, dtype=np.uint8).ravel().tolist())
    out = io.BytesIO()
    image.save(out, format="PNG")  # optimize: 4× the time for 4 % less
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def boundary_grid(bounds, n: int = BOUNDARY_N) -> np.ndarray:
    """The points (n·n, 2) the boundary is evaluated at, row by row from the bottom."""
    (x0, x1), (y0, y1) = bounds
    xx, yy = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    return np.stack([xx.ravel(), yy.ravel()], axis=-1)


def boundary_png(prob: np.ndarray, pixels: int = BOUNDARY_PIXELS) -> str:
    """P(class 1) on a grid (n, n) (rows up in y) as the banded image (the boundary line is a
    trace of its own: ``level_lines``)."""
    p = np.clip(upsample(np.nan_to_num(prob, nan=0.5), pixels), 0.0, 1.0)
    index = np.minimum((p * SHADES).astype(int), SHADES - 1)
    return palette_png(index[::-1], diverging_palette())


# ---------------------------------------------------------------------------- level lines


def _crossings(z: np.ndarray, xs: np.ndarray, ys: np.ndarray, level: float):
    """Where the level line crosses the grid's edges, by linear interpolation along each edge.

    Nodes are numbered: first the horizontal edges (i, j)→(i, j+1), row by row (ny·(nx−1)), then
    the vertical ones (i, j)→(i+1, j) ((ny−1)·nx). Returns the nodes' points (E, 2) (NaN where
    the edge is not crossed), whether each is crossed (E,), and ``above`` (z ≥ level)."""
    above = z >= level
    with np.errstate(divide="ignore", invalid="ignore"):
        th = (level - z[:, :-1]) / (z[:, 1:] - z[:, :-1])  # along x, on each row
        tv = (level - z[:-1, :]) / (z[1:, :] - z[:-1, :])  # along y, on each column
    hx = xs[None, :-1] + th * np.diff(xs)[None, :]
    hy = np.broadcast_to(ys[:, None], hx.shape)
    vy = ys[:-1, None] + tv * np.diff(ys)[:, None]
    vx = np.broadcast_to(xs[None, :], vy.shape)
    crossed = np.concatenate(
        [(above[:, :-1] != above[:, 1:]).ravel(), (above[:-1, :] != above[1:, :]).ravel()]
    )
    points = np.stack(
        [np.concatenate([hx.ravel(), vx.ravel()]), np.concatenate([hy.ravel(), vy.ravel()])], -1
    )
    points[~crossed] = np.nan
    return points, crossed, above


def level_segments(z, xs, ys, level: float) -> tuple[np.ndarray, np.ndarray]:
    """The level line z = ``level`` of ``z`` (ny, nx) over the grid ``xs`` (nx,) × ``ys`` (ny,)
    (rows up in y), by marching squares: in each cell whose corners lie on both sides of the
    level, a segment between the points where it crosses the cell's edges (each by linear
    interpolation between the edge's two values; a value that is not finite counts as above every
    level, as a loss too large to compute). A cell crossed on all four edges (a saddle)
    is resolved by the mean of its corners: if the mean is on the side of the lower-left corner,
    that corner joins the upper-right one and the lines cut off the other two corners.

    Returns the nodes' points (E, 2) (``_crossings``) and the segments (S, 2) as pairs of node
    indices; a node (an edge of the grid) belongs to at most two segments."""
    z = np.asarray(z, dtype=float)
    finite = np.isfinite(z)
    top = max(float(z[finite].max()) if finite.any() else level, level) + 1.0
    z = np.where(finite, z, top)  # a value too large to compute (or none) is above every level
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    ny, nx = z.shape
    points, crossed, above = _crossings(z, xs, ys, level)
    h = np.arange(ny * (nx - 1)).reshape(ny, nx - 1)
    v = ny * (nx - 1) + np.arange((ny - 1) * nx).reshape(ny - 1, nx)
    # Each cell's edges in order around it: bottom, right, top, left.
    edges = np.stack([h[:-1, :], v[:, 1:], h[1:, :], v[:, :-1]], axis=-1).reshape(-1, 4)
    hit = crossed[edges]
    count = hit.sum(axis=1)
    two = edges[count == 2]
    order = np.argsort(~hit[count == 2], axis=1, kind="stable")[:, :2]
    pairs = [np.take_along_axis(two, order, axis=1)]
    four = count == 4
    if four.any():
        corners = np.stack([z[:-1, :-1], z[:-1, 1:], z[1:, 1:], z[1:, :-1]], -1).reshape(-1, 4)
        joined = (corners[four].mean(axis=1) >= level) == above[:-1, :-1].ravel()[four]
        b, r, t, left = edges[four].T
        pairs.append(np.where(joined[:, None], np.c_[b, r], np.c_[b, left]))
        pairs.append(np.where(joined[:, None], np.c_[t, left], np.c_[r, t]))
    return points, np.concatenate(pairs).reshape(-1, 2)


def _chains(segments: np.ndarray) -> list[list[int]]:
    """The segments (pairs of node indices, each node in at most two) joined end to end into
    polylines: open ones from an end, then closed ones (their first node repeated last)."""
    touching: dict[int, list[int]] = {}
    for k, (a, b) in enumerate(segments.tolist()):
        touching.setdefault(a, []).append(k)
        touching.setdefault(b, []).append(k)
    used = np.zeros(len(segments), dtype=bool)
    ends = [n for n, ks in touching.items() if len(ks) == 1]
    out = []
    for start in [*ends, *touching]:
        if all(used[k] for k in touching[start]):
            continue
        chain, node = [start], start
        while True:
            free = [k for k in touching[node] if not used[k]]
            if not free:
                break
            used[free[0]] = True
            a, b = segments[free[0]]
            node = int(b if a == node else a)
            chain.append(node)
        out.append(chain)
    return out


def level_lines(z, xs, ys, levels) -> np.ndarray:
    """Every level line of ``z`` over ``xs`` × ``ys`` at each of ``levels`` as one polyline
    (M, 2): the lines' points in order, the lines separated by a row of NaN (a gap in a plotly
    line)."""
    parts = []
    for level in np.atleast_1d(levels):
        points, segments = level_segments(z, xs, ys, float(level))
        for chain in _chains(segments):
            parts += [points[chain], np.full((1, 2), np.nan)]
    return np.concatenate(parts[:-1]) if parts else np.empty((0, 2))


# ---------------------------------------------------------------------------- the plane


def loss_share(loss: np.ndarray) -> np.ndarray:
    """Each value's share of the finite values below it (0 … 1; undefined: 1, the top)."""
    loss = np.asarray(loss, dtype=float)
    finite = np.isfinite(loss)
    ranked = np.sort(loss[finite])
    if ranked.size < 2:
        return np.where(finite, 0.0, 1.0)
    share = np.searchsorted(ranked, np.where(finite, loss, 0.0), side="left") / (ranked.size - 1)
    return np.where(finite, np.clip(share, 0.0, 1.0), 1.0)


def plane_levels(loss: np.ndarray, n: int = PLANE_LEVELS) -> np.ndarray:
    """The loss at the quantiles 1/n, 2/n, … (n−1)/n of its finite values over the grid: level
    lines that split the plane into bands of equal area (repeated values once)."""
    finite = np.asarray(loss, dtype=float)
    finite = finite[np.isfinite(finite)]
    if finite.size < 2 or finite.min() == finite.max():
        return np.empty(0)
    levels = np.unique(np.quantile(finite, np.arange(1, n) / n))
    return levels[(levels > finite.min()) & (levels < finite.max())]


def loss_png(loss: np.ndarray, pixels: int = PLANE_PIXELS) -> str:
    """The loss on a grid (n, n) (rows up in y) as the grey ramp by its share of the plane
    (``loss_share``: darker where lower), interpolated to ``pixels`` a side; its level lines are
    drawn over it as a trace (``plane_levels``, ``level_lines``)."""
    t = np.clip(upsample(loss_share(loss), pixels), 0.0, 1.0)
    ramp = _COLORS[:: len(_COLORS) // RAMP_SHADES]  # a PNG palette holds 256 colours
    index = np.round(t * (len(ramp) - 1)).astype(int)
    return palette_png(index[::-1], np.round(ramp))


def slice_figure(
    a, b, loss, *, name: str, present: bool = False, height: int = SLICE_HEIGHT
) -> go.Figure:
    """The random slice: the training loss over θ + a·d₁ + b·d₂ around an end point θ (at the
    centre, a star), drawn as the other contours are. A static figure (a contour trace)."""
    fig = go.Figure(
        [
            values_contour(a, b, loss, present=present, names=("a", "b", "loss")),
            go.Scatter(
                x=[0.0],
                y=[0.0],
                mode="markers",
                marker={
                    "symbol": "star",
                    "size": 18 if present else 14,
                    "color": "white",
                    "line": {"color": "black", "width": 1.5},
                },
                name=f"{name}'s end point",
                hovertemplate=f"{name}'s end point<extra></extra>",
            ),
        ]
    )
    fig.update_xaxes(title="a (along d₁)", constrain="domain")
    fig.update_yaxes(title="b (along d₂)", scaleanchor="x", constrain="domain")
    fig.update_layout(showlegend=False)
    return style(fig, present=present, height=height)
