"""Pieces of the Network page's figures: the decision boundary and the loss over the plane of
the iterates as small palette images (plotly.js keeps layout images while frames play and
drops heatmaps and contours, see ``viz.race``), and the static random-slice figure.

The boundary is coloured as TensorFlow Playground colours it: a diverging scale from orange
(class 0, P(class 1) = 0) through light grey (0.5) to blue (class 1), in ``SHADES`` bands, the
decision boundary P = 0.5 drawn dark. The network is evaluated on a ``BOUNDARY_N`` grid and the
probability interpolated (bilinearly) to ``BOUNDARY_PIXELS`` a side before it is banded, so the
boundary line is smooth; a banded image of few colours is a small PNG (a few KB a frame).
"""

from __future__ import annotations

import base64
import io

import numpy as np
import plotly.graph_objects as go
from PIL import Image

from viz._base import (
    _COLORS,
    CONTOUR_COLORSCALE,
    CONTOUR_LEVELS,
    CONTOUR_LINE_COLOR,
    CONTOUR_LINE_DARKEN,
    contour_levels,
    style,
)

# Settings of these pictures, together.
CLASS_COLORS = ("#f59322", "#0877bd")  # class 0, class 1 (TensorFlow Playground's)
MIDDLE = "#e8eaeb"  # P = 0.5
BACKGROUND_WASH = 0.45  # the boundary's colours are the class colours this much toward white,
# so that the points (in the full class colours) stand out on the side they belong to
BOUNDARY_LINE = (40, 40, 40)
SHADES = 16  # colour bands from P = 0 to 1
BOUNDARY_N = 50  # the network is evaluated on BOUNDARY_N × BOUNDARY_N points of the view
BOUNDARY_PIXELS = 160  # … interpolated to this many pixels a side
PLANE_PIXELS = 300  # the loss over the plane, interpolated to this many pixels a side
PLANE_LEVELS = 20  # its level lines
RAMP_SHADES = 128  # the grey ramp's shades in that image (and as many darkened, for its lines)
SLICE_HEIGHT = 420


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


def _edges(level: np.ndarray) -> np.ndarray:
    """The pixels whose left or lower neighbour is on another level: lines one pixel wide."""
    line = np.zeros(level.shape, dtype=bool)
    line[:, 1:] |= level[:, 1:] != level[:, :-1]
    line[1:, :] |= level[1:, :] != level[:-1, :]
    return line


def boundary_grid(bounds, n: int = BOUNDARY_N) -> np.ndarray:
    """The points (n·n, 2) the boundary is evaluated at, row by row from the bottom."""
    (x0, x1), (y0, y1) = bounds
    xx, yy = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    return np.stack([xx.ravel(), yy.ravel()], axis=-1)


def boundary_png(prob: np.ndarray, pixels: int = BOUNDARY_PIXELS) -> str:
    """P(class 1) on a grid (n, n) (rows up in y) as the banded image, the boundary dark."""
    p = np.clip(upsample(np.nan_to_num(prob, nan=0.5), pixels), 0.0, 1.0)
    index = np.minimum((p * SHADES).astype(int), SHADES - 1)
    index[_edges(p >= 0.5)] = SHADES
    palette = np.vstack([diverging_palette(), np.array([BOUNDARY_LINE], dtype=np.uint8)])
    return palette_png(index[::-1], palette)


def loss_png(loss: np.ndarray, pixels: int = PLANE_PIXELS) -> tuple[str, bool]:
    """The loss on a grid (n, n) (rows up in y) drawn as the other contours are (the grey ramp,
    darker where low, level lines; log-scaled when it spans decades: ``contour_levels``), and
    whether it is log-scaled."""
    z, is_log = contour_levels(np.asarray(loss, dtype=float))
    z = upsample(z, pixels)
    finite = np.isfinite(z)
    lo, hi = (float(z[finite].min()), float(z[finite].max())) if finite.any() else (0.0, 1.0)
    with np.errstate(all="ignore"):
        t = np.where(finite, np.clip((z - lo) / (hi - lo if hi > lo else 1.0), 0.0, 1.0), 1.0)
    ramp = _COLORS[:: len(_COLORS) // RAMP_SHADES]  # a PNG palette holds 256 colours
    index = np.round(t * (len(ramp) - 1)).astype(int)
    level = np.minimum(np.floor(t * PLANE_LEVELS), PLANE_LEVELS - 1)
    index[_edges(level)] += len(ramp)  # the same colour, darkened
    palette = np.vstack([ramp, ramp * (1.0 - CONTOUR_LINE_DARKEN)])
    return palette_png(index[::-1], np.round(palette)), is_log


def slice_figure(
    a, b, loss, *, name: str, present: bool = False, height: int = SLICE_HEIGHT
) -> go.Figure:
    """The random slice: the training loss over θ + a·d₁ + b·d₂ around an end point θ (at the
    centre, a star), drawn as the other contours are. A static figure (a contour trace)."""
    z, is_log = contour_levels(np.asarray(loss, dtype=float))
    fig = go.Figure(
        [
            go.Contour(
                x=a,
                y=b,
                z=z,
                customdata=loss,
                colorscale=CONTOUR_COLORSCALE,
                ncontours=CONTOUR_LEVELS,
                contours={"coloring": "heatmap", "showlines": True},
                line={"width": 1.2 if present else 0.8, "color": CONTOUR_LINE_COLOR},
                colorbar={"title": {"text": "log₁₀(loss − min)" if is_log else "loss"}},
                hovertemplate="a=%{x:.2f}<br>b=%{y:.2f}<br>loss=%{customdata:.4g}<extra></extra>",
                name="loss",
            ),
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
