"""Figures of the Curvature page: the Hessian at a point drawn on the contour, and curvature maps.

At a point p the surface looks like its local quadratic model
``m(p + d) = f(p) + gᵀd + ½ dᵀH d``.  The figure shows the model's pieces: the eigenvectors of
H as arrows (length ∝ |λ|, colour by the sign of λ), the level curve ``½ dᵀH d = ±c`` of its
curvature part around p (an ellipse when both eigenvalues share a sign, a hyperbola at a
saddle), and the steps the model suggests — gradient descent ``−αg``, the best multiple of the
gradient ``−ε*g`` and Newton ``−H⁻¹g`` (``surfaces.curvature.LocalSteps``).  Where f, ∇f or H is
not defined at the point, only the point is drawn: no non-finite number reaches a figure.
The LaTeX of the numbers panel is built here too (pure strings).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from viz._base import click_grid_trace, contour_trace, minima_trace, style

# Settings of these figures, together.
EIGEN_COLORS = {1: "#0b63c4", -1: "#d7301f", 0: "#7f7f7f"}  # curves up / down / flat
CRITICAL_MARKERS = {  # kind -> (plotly symbol, fill colour)
    "minimum": ("circle", "#1a9850"),
    "maximum": ("triangle-up", "#d7301f"),
    "saddle": ("x", "#fdae61"),
    "degenerate": ("diamond", "#bdbdbd"),
}
KIND_CODES = {
    1: "convex (min-like)",
    0: "saddle",
    -1: "concave (max-like)",
    2: "degenerate",
    3: "not defined",
}
KIND_COLORS = {1: "#4575b4", 0: "#fdae61", -1: "#d73027", 2: "#e0e0e0", 3: "#ffffff"}
STEP_STYLES = {  # LocalSteps field -> (colour, dash); none is an eigenvector's blue or red
    "gradient": ("#1b1b1b", "solid"),
    "best": ("#0b8a8a", "dot"),
    "newton": ("#7b3294", "solid"),
}
ARROW_FRACTION = 0.3  # longest eigenvector arrow, as a fraction of the view's smaller side
MIN_ARROW = 0.125  # shortest eigenvector arrow, as a fraction of the longest
MODEL_FRACTION = 0.22  # size of the quadratic model's level curve, same units
CURVE_POINTS = 121
MODEL_COLOR = "#1b1b1b"  # dark on the light contour
POINT_COLOR = "#ffffff"


def _extent(bounds) -> float:
    (x0, x1), (y0, y1) = bounds
    return float(min(x1 - x0, y1 - y0))


def _is_zero(lam: float, scale: float) -> bool:
    return abs(lam) <= 1e-9 * max(scale, 1e-300)


def _halo_trace(arrow: go.Scatter, width: float) -> go.Scatter:
    """A wider white line under an arrow, so dark arrows stay visible on a dark contour."""
    return go.Scatter(
        x=arrow.x,
        y=arrow.y,
        mode="lines",
        line={"color": "rgba(255,255,255,0.8)", "width": width + 3},
        showlegend=False,
        hoverinfo="skip",
    )


def _arrow_trace(
    start, end, *, color: str, name: str, width: float = 3.0, dash: str = "solid", hover: str = ""
) -> go.Scatter:
    """A straight arrow from ``start`` to ``end``: a line with an arrowhead marker at its end."""
    return go.Scatter(
        x=[float(start[0]), float(end[0])],
        y=[float(start[1]), float(end[1])],
        mode="lines+markers",
        line={"color": color, "width": width, "dash": dash},
        marker={
            "symbol": "arrow",
            "size": [0, 6 + 3 * width],
            "angleref": "previous",
            "color": color,
        },
        name=name,
        hovertemplate=(hover or name) + "<extra></extra>",
    )


def eigen_arrows(
    point, eigenvalues, eigenvectors, bounds, *, present: bool = False
) -> list[go.Scatter]:
    """One arrow per eigenvector of H from ``point``: length ∝ |λ| / max|λ|, colour by sign of λ."""
    lams = np.asarray(eigenvalues, dtype=float)
    vecs = np.asarray(eigenvectors, dtype=float)
    if not (np.all(np.isfinite(lams)) and np.all(np.isfinite(vecs))):
        return []  # H is not defined here: nothing to draw
    biggest = float(np.max(np.abs(lams)))
    longest = ARROW_FRACTION * _extent(bounds)
    p = np.asarray(point, dtype=float)
    traces = []
    for i, lam in enumerate(lams):
        sign = 0 if _is_zero(lam, biggest) else int(np.sign(lam))
        length = longest * abs(lam) / biggest if biggest > 0 else 0.0
        length = max(length, MIN_ARROW * longest)  # a flat direction still shows its way
        end = p + length * vecs[:, i]
        words = {1: "curves up", -1: "curves down", 0: "flat"}[sign]
        traces.append(
            _arrow_trace(
                p,
                end,
                color=EIGEN_COLORS[sign],
                width=5.0 if present else 3.5,
                name=f"eigenvector λ{'₁₂'[i]} = {lam:.3g} ({words})",
                hover=f"λ{'₁₂'[i]} = {lam:.4g}, v = ({vecs[0, i]:.3f}, {vecs[1, i]:.3f})",
            )
        )
    return traces


def model_level_curve(eigenvalues, eigenvectors, center, radius: float):
    """Level curve ``½ dᵀH d = ±c`` of the curvature part of the local model around ``center``.

    Returns ``(x, y, shape)``: coordinates with NaN gaps between pieces and the shape's name —
    "ellipse" (both eigenvalues of one sign), "hyperbola" (a saddle: both branches of +c and
    of −c), "parallel lines" (one eigenvalue zero) or "none" (H = 0).  The curve is sized to
    fit in a disc of ``radius``.
    """
    lams = np.asarray(eigenvalues, dtype=float)
    vecs = np.asarray(eigenvectors, dtype=float)
    c0 = np.asarray(center, dtype=float)
    mags = np.abs(lams)
    biggest = float(mags.max()) if np.all(np.isfinite(lams)) else 0.0
    if biggest == 0.0:
        return np.array([]), np.array([]), "none"
    zero = [_is_zero(lam, biggest) for lam in lams]
    pieces: list[np.ndarray] = []  # each (k, 2) in eigen-coordinates (u along v₁, w along v₂)
    if any(zero):
        i = 0 if not zero[0] else 1  # the curved direction
        s = np.linspace(-radius, radius, CURVE_POINTS)
        half = 0.5 * radius
        for side in (-1.0, 1.0):
            piece = np.zeros((CURVE_POINTS, 2))
            piece[:, i] = side * half
            piece[:, 1 - i] = s
            pieces.append(piece)
        shape = "parallel lines"
    elif np.sign(lams[0]) == np.sign(lams[1]):
        # ½(|λ₁|u² + |λ₂|w²) = c with the long semi-axis (flattest direction) = radius.
        c = 0.5 * mags.min() * radius**2
        t = np.linspace(0.0, 2.0 * np.pi, CURVE_POINTS)
        semi = np.sqrt(2.0 * c / mags)
        pieces.append(np.stack([semi[0] * np.cos(t), semi[1] * np.sin(t)], axis=1))
        shape = "ellipse"
    else:
        # ½(λ₊u² − |λ₋|w²) = ±c: vertices at 0.4·radius (larger of the two), clipped to radius.
        r0 = 0.4 * radius
        c = 0.5 * mags.min() * r0**2
        semi = np.sqrt(2.0 * c / mags)  # semi[k]: vertex distance of the branch opening along k
        for k in (0, 1):
            a, b = semi[k], semi[1 - k]
            s_max = np.arcsinh(np.sqrt(max(radius**2 - a**2, 0.0) / (a**2 + b**2)))
            s = np.linspace(-s_max, s_max, CURVE_POINTS // 2)
            for side in (-1.0, 1.0):
                piece = np.zeros((s.size, 2))
                piece[:, k] = side * a * np.cosh(s)
                piece[:, 1 - k] = b * np.sinh(s)
                pieces.append(piece)
        shape = "hyperbola"
    xs, ys = [], []
    for piece in pieces:
        world = c0 + piece @ vecs.T
        xs.extend([*world[:, 0], np.nan])
        ys.extend([*world[:, 1], np.nan])
    return np.asarray(xs[:-1]), np.asarray(ys[:-1]), shape


def _critical_point_traces(points, *, present: bool = False) -> list[go.Scatter]:
    """Critical points as markers, one trace (and symbol) per kind."""
    crowded = len(points) > 30  # e.g. Rastrigin's grid of bumps: smaller markers
    size = (12 if present else 8) if crowded else (20 if present else 14)
    traces = []
    for kind, (symbol, color) in CRITICAL_MARKERS.items():
        chosen = [p for p in points if p.kind == kind]
        if not chosen:
            continue
        xy = np.asarray([p.point for p in chosen], dtype=float)
        text = [
            f"{kind} ({p.point[0]:.4g}, {p.point[1]:.4g})<br>f = {p.value:.5g}"
            f"<br>λ = {p.eigenvalues[0]:.4g}, {p.eigenvalues[1]:.4g}"
            for p in chosen
        ]
        traces.append(
            go.Scatter(
                x=xy[:, 0],
                y=xy[:, 1],
                mode="markers",
                marker={
                    "symbol": symbol,
                    "size": size,
                    "color": color,
                    "line": {"color": "black", "width": 1.5},
                },
                name=f"{kind} ({len(chosen)})",
                text=text,
                hovertemplate="%{text}<extra></extra>",
            )
        )
    return traces


def _equal_aspect(fig: go.Figure, bounds) -> None:
    """Fix the view; draw x and y to the same scale unless that would squash the view."""
    (x0, x1), (y0, y1) = bounds
    fig.update_xaxes(range=[x0, x1], title_text="x", constrain="domain")
    fig.update_yaxes(range=[y0, y1], title_text="y", constrain="domain")
    ratio = (x1 - x0) / (y1 - y0)
    if 0.25 <= ratio <= 4.0:
        fig.update_yaxes(scaleanchor="x", scaleratio=1)


# The curvature figure's margins: tick labels, the colour bar on the right and the legend's rows
# under the plot (to present, the legend and the colour bar stand beside the plot).
CURVATURE_ROOM = {False: {"l": 76, "r": 92, "b": 228}, True: {"l": 96, "r": 20, "b": 70}}


def curvature_figure(
    surface,
    curvature,
    *,
    steps=None,
    critical=(),
    bounds=None,
    present: bool = False,
    height: int | None = None,
) -> go.Figure:
    """The contour with the Hessian's picture at ``curvature.point``.

    ``steps`` is a ``LocalSteps`` (gradient, best and Newton step; a step without displacement
    is left out) or None; ``critical`` is a sequence of critical points (objects with point,
    value, kind, eigenvalues).
    """
    bounds = bounds or surface.bounds
    p = np.asarray(curvature.point, dtype=float)
    fig = go.Figure()
    fig.add_trace(contour_trace(surface, bounds, present=present))
    pick = click_grid_trace(bounds)
    pick.update(hovertemplate="click to inspect here<br>(%{x:.2f}, %{y:.2f})<extra></extra>")
    fig.add_trace(pick)
    if critical:
        fig.add_traces(_critical_point_traces(critical, present=present))
    else:
        minima = minima_trace(surface, present=present)
        if minima is not None:
            fig.add_trace(minima)
    xs, ys, shape = model_level_curve(
        curvature.eigenvalues, curvature.eigenvectors, p, MODEL_FRACTION * _extent(bounds)
    )
    if shape != "none":
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                line={"color": MODEL_COLOR, "width": 3.0 if present else 2.0, "dash": "dash"},
                name=f"local model ½dᵀHd = c ({shape})",
                hoverinfo="skip",
            )
        )
    fig.add_traces(
        eigen_arrows(p, curvature.eigenvalues, curvature.eigenvectors, bounds, present=present)
    )
    width = 4.5 if present else 3.0
    for field, (color, dash) in STEP_STYLES.items():
        step = getattr(steps, field) if steps is not None else None
        d = None if step is None else step.displacement
        if d is None or not np.all(np.isfinite(d)):
            continue
        end = p + np.asarray(d, dtype=float)
        arrow = _arrow_trace(
            p,
            end,
            color=color,
            width=width,
            dash=dash,
            name=step.name,
            hover=f"{step.name}: ({d[0]:.4g}, {d[1]:.4g}) → ({end[0]:.4g}, {end[1]:.4g})",
        )
        fig.add_traces([_halo_trace(arrow, width), arrow])
    where = f"point ({p[0]:.3g}, {p[1]:.3g})"
    fig.add_trace(_point_marker(p, present, name=where + ("" if _defined(curvature) else
                                                          ": not defined here")))  # fmt: skip
    _equal_aspect(fig, bounds)
    fig.update_layout(
        legend={"orientation": "h", "yanchor": "top", "y": -0.08, "x": 0},
        clickmode="event+select",
        dragmode=False,
    )
    return style(fig, present=present, height=height, room=CURVATURE_ROOM)


def _defined(curvature) -> bool:
    return bool(getattr(curvature, "defined", True))


def _surface_lines(surface, bounds, present: bool) -> go.Contour:
    """Thin contour lines of the surface, to find one's way on a curvature map."""
    backdrop = contour_trace(surface, bounds, present=present)
    backdrop.update(
        contours={"coloring": "none", "showlines": True},
        line={"width": 1.0, "color": "rgba(0,0,0,0.45)"},
        showscale=False,
        opacity=1.0,
        hoverinfo="skip",
        hovertemplate=None,
    )
    return backdrop


def _point_marker(point, present: bool, name: str = "point") -> go.Scatter:
    return go.Scatter(
        x=[point[0]],
        y=[point[1]],
        mode="markers",
        marker={
            "size": 16 if present else 12,
            "color": POINT_COLOR,
            "line": {"color": "black", "width": 2.5},
        },
        name=name,
        hovertemplate="point (%{x:.4g}, %{y:.4g})<extra></extra>",
    )


def kind_map_figure(
    surface, cmap, *, point=None, present: bool = False, height: int | None = None
) -> go.Figure:
    """Where the surface is convex, a saddle or concave: categorical colours over the view."""
    codes = list(KIND_CODES)  # display order: convex, saddle, concave, degenerate
    kind = np.asarray(cmap.kind)
    index = np.full(kind.shape, np.nan)
    for i, code in enumerate(codes):
        index[kind == code] = i
    n = len(codes)
    colorscale = []
    for i, code in enumerate(codes):
        colorscale += [[i / n, KIND_COLORS[code]], [(i + 1) / n, KIND_COLORS[code]]]
    labels = np.vectorize(lambda c: KIND_CODES.get(int(c), "?"))(kind)
    bounds = ((float(cmap.xs[0]), float(cmap.xs[-1])), (float(cmap.ys[0]), float(cmap.ys[-1])))
    fig = go.Figure(
        go.Heatmap(
            x=cmap.xs,
            y=cmap.ys,
            z=index,
            zmin=-0.5,
            zmax=n - 0.5,
            colorscale=colorscale,
            customdata=labels,
            colorbar={
                "tickvals": list(range(n)),
                "ticktext": [KIND_CODES[c] for c in codes],
                "thickness": 18 if present else 12,
            },
            hovertemplate="x=%{x:.3f}<br>y=%{y:.3f}<br>%{customdata}<extra></extra>",
            name="curvature kind",
        )
    )
    fig.add_trace(_surface_lines(surface, bounds, present))
    if point is not None:
        fig.add_trace(_point_marker(point, present))
    _equal_aspect(fig, bounds)
    fig.update_layout(showlegend=False)
    return style(fig, present=present, height=height)


_NO_CONDITION = {  # curvature-map code -> what H is where it has no condition number
    0: "no κ: H indefinite (λ₁ < 0 < λ₂)",
    -1: "no κ: H negative definite (λ₁ ≤ λ₂ < 0)",
    2: "no κ: H singular (an eigenvalue ≈ 0)",
    3: "not defined",
}


def _condition_labels(cond: np.ndarray, kind: np.ndarray) -> np.ndarray:
    """Each cell's hover line: κ where H is positive definite, else what H is."""
    labels = np.vectorize(lambda c: _NO_CONDITION.get(int(c), ""), otypes=[object])(kind)
    have = np.isfinite(cond)
    labels[have] = [f"κ={v:.4g}" for v in cond[have]]
    return labels


def condition_map_figure(
    surface, cmap, *, point=None, present: bool = False, height: int | None = None
) -> go.Figure:
    """The condition number κ = λmax / λmin over the view, on a log colour scale, where the
    Hessian is positive definite; blank elsewhere, its hover saying what H is instead."""
    with np.errstate(all="ignore"):
        cond = np.asarray(cmap.condition, dtype=float)
        log_cond = np.log10(np.where(np.isfinite(cond) & (cond >= 1), cond, np.nan))
    finite = log_cond[np.isfinite(log_cond)]
    top = float(np.ceil(np.percentile(finite, 98))) if finite.size else 1.0
    top = max(top, 1.0)
    ticks = list(range(0, int(top) + 1))
    lam = np.asarray(cmap.eigenvalues, dtype=float)
    fig = go.Figure(
        go.Heatmap(
            x=cmap.xs,
            y=cmap.ys,
            z=np.minimum(log_cond, top),
            zmin=0.0,
            zmax=top,
            colorscale="Magma",
            reversescale=True,
            customdata=np.stack([lam[..., 0], lam[..., 1]], axis=-1),
            text=_condition_labels(cond, np.asarray(cmap.kind)),
            colorbar={
                "title": {"text": "κ"},
                "tickvals": ticks,
                "ticktext": [f"1e{t}" if t > 2 else f"{10**t:g}" for t in ticks],
                "thickness": 18 if present else 12,
            },
            hovertemplate="x=%{x:.3f}<br>y=%{y:.3f}<br>%{text}"
            "<br>λ=%{customdata[0]:.3g}, %{customdata[1]:.3g}<extra></extra>",
            name="condition number",
        )
    )
    bounds = ((float(cmap.xs[0]), float(cmap.xs[-1])), (float(cmap.ys[0]), float(cmap.ys[-1])))
    fig.add_trace(_surface_lines(surface, bounds, present))
    if point is not None:
        fig.add_trace(_point_marker(point, present))
    _equal_aspect(fig, bounds)
    fig.update_layout(showlegend=False)
    return style(fig, present=present, height=height)


# ---------------------------------------------------------------------------- LaTeX


def latex_number(value: float) -> str:
    """A number for LaTeX: 4 significant digits, powers of ten written as such."""
    if not np.isfinite(value):
        return r"\text{undefined}"
    mantissa, _, exponent = f"{value:.4g}".partition("e")
    return rf"{mantissa} \times 10^{{{int(exponent)}}}" if exponent else mantissa


def _latex_matrix(rows) -> str:
    body = r" \\ ".join(" & ".join(latex_number(v) for v in row) for row in rows)
    return r"\begin{bmatrix} " + body + r" \end{bmatrix}"


def hessian_latex(curvature) -> tuple[str, str]:
    """H at the point, and each eigenvalue with its eigenvector (two lines of LaTeX)."""
    lam, vec = curvature.eigenvalues, curvature.eigenvectors
    pairs = r" \\ ".join(
        rf"\lambda_{i + 1} &= {latex_number(lam[i])}, "
        rf"& v_{i + 1} &= ({vec[0, i]:.3f},\ {vec[1, i]:.3f})"
        for i in (0, 1)
    )
    matrix = r"H = \nabla^2 f = " + _latex_matrix(curvature.hessian)
    return matrix, r"\begin{aligned} " + pairs + r" \end{aligned}"


def displacement_latex(step) -> str:
    """A step's displacement d and its length (the step must exist)."""
    d = step.displacement
    return (
        r"d = " + _latex_matrix([[d[0]], [d[1]]]) + rf",\quad \|d\| = {latex_number(step.length)}"
    )
