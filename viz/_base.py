"""Pieces every figure shares: the Plotly config, optimizer colours and names, the contour
backdrop (a trace, or an image for the Race), presentation styling.

Figures are pure functions of arrays: data in, ``go.Figure`` out. Nothing here knows Streamlit.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from functools import lru_cache

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from optim_core import OPTIMIZERS
from viz._encode import png

# One colour and one marker symbol per optimizer id, the same on every page: the optimizer
# entries' own (optim_core.optimizers). Chosen from the Okabe–Ito and Tol palettes so that the
# paths shown together (the Race's default, every lesson) differ by CIEDE2000 ≥ 30, ≥ 20 to
# colour-blind eyes, and each by ≥ 30 from the contour (tests/test_colors.py); the marker symbol
# is the second channel.
OPTIMIZER_COLORS: dict[str, str] = {k: spec.color for k, spec in OPTIMIZERS.items()}
OPTIMIZER_MARKERS: dict[str, str] = {k: spec.marker for k, spec in OPTIMIZERS.items()}
_FALLBACK_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00")
_FALLBACK_MARKERS = ("circle-open", "square-open", "diamond-open", "triangle-up-open")

# The contour under every path: a light, neutral grey ramp, darker where f is low (the valley),
# with darker level lines. Grey has no hue and is light, so every optimizer colour stands out on
# it by hue and by lightness, to colour-blind eyes too (tests/test_colors.py).
CONTOUR_COLORSCALE: list[list] = [[0.0, "rgb(212,212,212)"], [1.0, "rgb(252,252,252)"]]
CONTOUR_LINE_DARKEN = 0.25  # level lines: the fill darkened by this much (they survive a projector)
CONTOUR_LINE_COLOR = f"rgba(0,0,0,{CONTOUR_LINE_DARKEN})"
GRID_N = 120
LOSS_FLOOR = 1e-16  # a loss gap at or below this is drawn at this value on a log axis
CONTOUR_LEVELS = 30  # level lines of the contour, a trace's or an image's
CONTOUR_PIXELS = 320  # the contour image's side
MAX_LINE_SHARE = 0.2  # level lines on at most this share of the image's pixels (else fewer levels)
UNDEFINED_GREY = 255.0  # in the image, where f is not a number: white, lighter than any level
# The chart's controls, the same on every page: no Plotly logo, and the mouse wheel scrolls the
# page, never zooms a chart (on a long page a zoom under the wheel is a trap).
_PLOTLY_CONFIG = {"displaylogo": False, "scrollZoom": False}


def plotly_config(*, mode_bar: bool = True, responsive: bool = False) -> dict[str, bool]:
    """The Plotly config (``st.plotly_chart(..., config=...)``) every chart is drawn with.

    ``mode_bar=False`` hides the bar of zoom, pan and download buttons, for a page whose charts
    are read and clicked, not explored; ``responsive`` lets a chart follow its container's
    size (a presented chart, sized by the screen). A fresh dict holding only what it sets, so
    it can be merged into and changed.
    """
    config = dict(_PLOTLY_CONFIG)
    if not mode_bar:
        config["displayModeBar"] = False
    if responsive:
        config["responsive"] = True
    return config


def color_for(optimizer: str, index: int = 0) -> str:
    """The colour of an optimizer, or a fallback by position for anything unknown."""
    return OPTIMIZER_COLORS.get(optimizer, _FALLBACK_COLORS[index % len(_FALLBACK_COLORS)])


def marker_for(optimizer: str, index: int = 0) -> str:
    """The Plotly marker symbol of an optimizer, or a fallback by position for anything else."""
    return OPTIMIZER_MARKERS.get(optimizer, _FALLBACK_MARKERS[index % len(_FALLBACK_MARKERS)])


def optimizer_name(optimizer: str) -> str:
    """The name an optimizer id is shown by (an unknown id as it is)."""
    spec = OPTIMIZERS.get(optimizer)
    return spec.name if spec is not None else optimizer


def grid(bounds, n: int = GRID_N) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """An n × n grid over ``bounds``: xs (n,), ys (n,), points (n, n, 2) with rows indexing y."""
    (x0, x1), (y0, y1) = bounds
    xs = np.linspace(x0, x1, n)
    ys = np.linspace(y0, y1, n)
    xx, yy = np.meshgrid(xs, ys)
    return xs, ys, np.stack([xx, yy], axis=-1)


def contour_levels(values: np.ndarray) -> tuple[np.ndarray, bool]:
    """Values to colour a contour by, and whether they are on a log scale.

    Loss surfaces such as Rosenbrock span many decades, and linear contours then show one
    flat valley.  When the finite values span more than three decades above their minimum we
    colour by log₁₀(f − f_min + δ) instead, with δ small relative to the range.
    """
    with np.errstate(all="ignore"):
        finite = values[np.isfinite(values)]
        if finite.size == 0:
            return np.zeros_like(values), False
        lo, hi = float(finite.min()), float(finite.max())
        span = hi - lo
        if span <= 0:
            return values, False
        gap = values - lo
        positive = gap[gap > 0]
        if positive.size and span / max(np.percentile(positive, 5), 1e-300) > 1e3:
            delta = span * 1e-6
            return np.log10(gap + delta), True
        return values, False


def contour_trace(surface, bounds=None, n: int = GRID_N, *, present: bool = False) -> go.Contour:
    """The filled contour of ``surface`` over ``bounds`` (its default view if None)."""
    bounds = bounds or surface.bounds
    xs, ys, pts = grid(bounds, n)
    with np.errstate(all="ignore"):
        f = np.asarray(surface.f(pts), dtype=float)
    return values_contour(xs, ys, f, present=present)


def values_contour(xs, ys, f, *, present: bool = False, names=("x", "y", "f")) -> go.Contour:
    """The filled contour of the values ``f`` (len(ys), len(xs)) on a grid, its levels as
    ``contour_levels`` places them; ``names`` label the axes and the value in the hover and
    the colour bar."""
    z, is_log = contour_levels(np.asarray(f, dtype=float))
    x, y, v = names
    return go.Contour(
        x=xs,
        y=ys,
        z=z,
        customdata=f,
        colorscale=CONTOUR_COLORSCALE,
        ncontours=CONTOUR_LEVELS,
        contours={"coloring": "heatmap", "showlines": True},
        line={
            "width": 1.2 if present else 0.8,
            "color": CONTOUR_LINE_COLOR,
        },  # reads on a projector
        colorbar={
            "title": {"text": f"log₁₀({v} − {v}_min)" if is_log else v},
            "thickness": 18 if present else 12,
        },
        hovertemplate=f"{x}=%{{x:.3g}}<br>{y}=%{{y:.3g}}<br>{v}=%{{customdata:.4g}}<extra></extra>",
        name="loss",
        showscale=True,
    )


def contour_colors(n: int = 256) -> np.ndarray:
    """The contour's colour map sampled at n points, low f first: (n, 3) floats in 0 … 255."""
    return np.array(
        [
            [float(v) for v in c[c.index("(") + 1 : -1].split(",")]
            for c in sample_colorscale(CONTOUR_COLORSCALE, np.linspace(0, 1, n))
        ]
    )


_COLORS = contour_colors()


def _level_lines(t: np.ndarray, levels: int) -> np.ndarray:
    """The pixels with a neighbour on another of ``levels`` levels of ``t`` (in 0 … 1)."""
    level = np.minimum(np.floor(t * levels), levels - 1)
    line = np.zeros(level.shape, dtype=bool)
    across, along = level[:, 1:] != level[:, :-1], level[1:, :] != level[:-1, :]
    line[:, 1:] |= across
    line[:, :-1] |= across
    line[1:, :] |= along
    line[:-1, :] |= along
    return line


@lru_cache(maxsize=32)
def contour_image(surface, bounds, pixels: int = CONTOUR_PIXELS) -> dict:
    """The filled contour of ``surface`` over ``bounds`` as a plotly layout image (a PNG).

    Same look as ``contour_trace``: coloured by f (or log₁₀(f − f_min) when f spans decades) on
    the light grey ramp, level lines darker.  Cached per surface and view.  The Race draws its
    contour so (``viz.race``): plotly.js drops contour traces while frames play.
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
    levels = CONTOUR_LEVELS
    line = _level_lines(t, levels)
    while line.mean() > MAX_LINE_SHARE and levels > 4:  # a bumpy surface (Rastrigin): fewer
        levels //= 2  # levels, or its lines cover the map and alias into noise
        line = _level_lines(t, levels)
    rgb[line] *= 1.0 - CONTOUR_LINE_DARKEN
    rgb[~finite] = UNDEFINED_GREY  # where f is not defined (e.g. log of a negative number)
    image = np.round(rgb[::-1]).astype(np.uint8)  # grid rows go up in y; image rows go down
    source = "data:image/png;base64," + base64.b64encode(png(image)).decode("ascii")
    return {**layout_image(source, bounds), "name": "contour"}


def layout_image(source: str, bounds, xref: str = "x", yref: str = "y") -> dict:
    """A layout image (a PNG data URI) filling ``bounds`` ((x0, x1), (y0, y1)) of the axes
    xref/yref, under the traces."""
    (x0, x1), (y0, y1) = bounds
    return {
        "source": source,
        "xref": xref,
        "yref": yref,
        "x": x0,
        "y": y1,
        "sizex": x1 - x0,
        "sizey": y1 - y0,
        "xanchor": "left",
        "yanchor": "top",
        "sizing": "stretch",
        "layer": "below",
    }


def minima_trace(surface, *, present: bool = False) -> go.Scatter | None:
    """Known minima as white stars, or None if the surface lists none."""
    if not surface.minima:
        return None
    pts = np.asarray(surface.minima, dtype=float)
    size = 20 if present else 14
    return go.Scatter(
        x=pts[:, 0],
        y=pts[:, 1],
        mode="markers",
        marker={
            "symbol": "star",
            "size": size,
            "color": "white",
            "line": {"color": "black", "width": 1.5},
        },
        name="minimum",
        hovertemplate="minimum (%{x:.3f}, %{y:.3f})<extra></extra>",
    )


def click_grid_trace(bounds, n: int = 40) -> go.Scatter:
    """An invisible scatter grid over the view: clicks on the contour land on one of its points.

    Plotly reports clicks only on scatter points, not on a contour; this grid of transparent
    markers turns a click anywhere in the view into a selection event carrying (x, y): the
    nearest grid point, if it lies within plotly's hover distance (20 px by default, counted
    from the marker's edge), so n and the marker size must cover the view with no gap.
    """
    _, _, pts = grid(bounds, n)
    flat = pts.reshape(-1, 2)
    return go.Scatter(
        x=np.round(flat[:, 0], 6),
        y=np.round(flat[:, 1], 6),
        mode="markers",
        marker={"size": 14, "opacity": 0.0, "color": "white", "maxdisplayed": 1},
        hovertemplate="click to start here<br>(%{x:.2f}, %{y:.2f})<extra></extra>",
        name="pick",
        showlegend=False,
    )


def style(
    fig: go.Figure,
    *,
    present: bool = False,
    height: int | None = None,
    room: Mapping[bool, Mapping[str, int]] | None = None,
) -> go.Figure:
    """House style: white template, readable fonts; large type and high contrast to present.

    ``room``: margins (px) by ``present`` for what stands around the plot — tick labels, axis
    titles, a colour bar, a legend below. Margins too small for them make plotly.js draw the
    figure twice (``margin.autoexpand``: the first draw finds them outside, the second makes
    room); a page's main chart, drawn again at every change, gets the room it needs at once.
    """
    fig.update_layout(
        template="plotly_white",
        font={"size": 20 if present else 13, "color": "#000" if present else "#1b1f24"},
        margin={"l": 10, "r": 10, "t": 40, "b": 10, **(room or {}).get(present, {})},
        legend={"bgcolor": "rgba(255,255,255,0.85)", "font": {"size": 18 if present else 12}},
        hoverlabel={"font_size": 16 if present else 12},
    )
    if present:  # set on the axes themselves: a chart theme's template must not shrink them
        ticks = {"tickfont": {"size": 18}, "title": {"font": {"size": 20}}}
        fig.update_layout(xaxis=ticks, yaxis=ticks)
        fig.update_xaxes(**ticks)
        fig.update_yaxes(**ticks)
        # A log axis labels 2 … 9 between decades in smaller type: decades only, all large.
        for axis in (*fig.select_xaxes(), *fig.select_yaxes()):
            if axis.type == "log" and axis.dtick is None:
                axis.dtick = 1
    if height is not None:
        fig.update_layout(height=height)
    return fig


def log_ticks(values) -> dict:
    """A log axis's ticks over ``values``: 1, 2 and 5 of each decade, each labelled in full
    ("20", not plotly's "2" after "10"); decades only if that would crowd the axis."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values) & (values > 0)]
    if values.size == 0:
        return {}
    lo, hi = np.floor(np.log10(values.min())), np.ceil(np.log10(values.max()))
    mantissas = (1, 2, 5) if hi - lo <= 4 else (1,)
    every = max(1, int(np.ceil((hi - lo) / 8)))  # at most about eight decades labelled
    ticks = [m * 10.0**e for e in range(int(lo), int(hi) + 1, every) for m in mantissas]
    ticks = [t for t in ticks if values.min() / 1.5 <= t <= values.max() * 1.5]
    return {"tickmode": "array", "tickvals": ticks, "ticktext": [f"{t:g}" for t in ticks]}


def line_width(present: bool) -> float:
    """Trajectory line width: thicker on a projector."""
    return 4.0 if present else 2.0
