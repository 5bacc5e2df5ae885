"""The Step-by-step page's pictures: one update on the contour, its numbers, and the variants.

``step_figure`` draws step t of a trajectory (t counts from 1, as in the update rules): the arrow
θ_{t−1} → θ_t, the path so far faint and, for look-ahead methods, the point θ̃ where the gradient
was taken.  ``step_latex`` and ``state_table`` show that step's numbers under the symbols of the
optimizer's own metadata (``OPTIMIZERS[id].state_fields_for(hyper)``: labels follow the
flags).  Everything comes from the ``Trajectory``'s arrays (``path``, ``grads``,
``eval_points``, ``states``): nothing here knows an update rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import plotly.graph_objects as go

from optim_core import OPTIMIZERS
from teach.compare import Chart, StepGradient, step_gradient
from viz._base import color_for, contour_trace, line_width, minima_trace, style
from viz._compat import unvalidated

# Tunable settings of these figures, together at the top.
FAINT = 0.35  # opacity of the path so far
ZOOM_MARGIN = 1.5  # a zoomed view spans the step's points plus this many step lengths each side
LOOKAHEAD_COLOR = (
    "#D08000"  # amber: ΔE2000 ≥ 30 from Nesterov and the contour (tests/test_colors.py)
)
STEP_HEIGHT = 620
DIGITS = 4  # significant digits of the numbers shown


@dataclass(frozen=True)
class Series:
    """One line of a small chart: a label, its values over steps 1, 2, …, and how to draw it."""

    label: str
    values: np.ndarray
    color: str
    dash: str = "solid"


# ---------------------------------------------------------------------------- numbers


def step_points(trajectory, t: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(θ_{t−1}, θ_t, the point where step t's gradient was evaluated), for t in 1 … steps."""
    steps = len(trajectory.path) - 1
    if not 1 <= t <= steps:
        raise ValueError(f"step {t} is outside 1 … {steps}")
    return trajectory.path[t - 1], trajectory.path[t], trajectory.eval_points[t - 1]


def looks_ahead(trajectory, t: int) -> bool:
    """Whether step t's gradient was taken away from θ_{t−1} (a look-ahead method)."""
    before, _, evaluated = step_points(trajectory, t)
    return bool(np.all(np.isfinite(evaluated))) and not np.allclose(
        evaluated, before, rtol=0, atol=1e-12
    )


def tex_number(x: float, digits: int = DIGITS) -> str:
    """A number for LaTeX: ``digits`` significant digits, powers of ten written out."""
    x = float(x)
    if not np.isfinite(x):
        return r"\text{n/a}"
    if x == 0:
        return "0"
    text = f"{x:.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return text


def tex_value(value) -> str:
    """A scalar, a 2-vector (x, y) or a 2 × 2 matrix as LaTeX."""
    value = np.asarray(value, dtype=float)
    if value.ndim == 0:
        return tex_number(value)
    if value.ndim == 1:
        return r"\big(" + r",\; ".join(tex_number(v) for v in value) + r"\big)"
    rows = r" \\ ".join(" & ".join(tex_number(v) for v in row) for row in value)
    return r"\begin{pmatrix}" + rows + r"\end{pmatrix}"


def _theta(i: int) -> str:
    return rf"\theta_{{{i}}}"


def _gradient_lines(gradient: StepGradient, where: str, t: int) -> list[str]:
    """g as what it is: ∇f, or a stochastic ĝ (mini-batch, noise) with the exact ∇f below it."""
    if not gradient.stochastic:
        return [rf"g &= \nabla f({where}) = {tex_value(gradient.used)}"]
    if gradient.batch is not None:
        m = len(gradient.batch)
        what = rf"\tfrac{{1}}{{{m}}} \textstyle\sum_{{i \in B_{{{t}}}}} \nabla \ell_i({where})"
    else:
        what = rf"\nabla f({where})"
    if gradient.noise:
        what += r" + \text{noise}"
    lines = [rf"g &= \hat g = {what}", rf"&= {tex_value(gradient.used)}"]
    if gradient.exact is not None:
        exact = rf"\nabla f({where}) &= {tex_value(gradient.exact)}"
        lines.append(exact + r" \quad \text{exact, not used}")
    return lines


def step_latex(trajectory, t: int, gradient: StepGradient | None = None) -> str:
    """Step t with its numbers: α_t, the gradient and where it was taken, every state field of the
    optimizer under its own symbol (values after the step), the step Δθ and θ_t = θ_{t−1} + Δθ.
    A stochastic gradient is ĝ, named for what it is, with the exact ∇f below it: ``gradient``
    (``teach.compare.step_gradient``) says so; without it, only a mini-batch is known."""
    spec = OPTIMIZERS[trajectory.optimizer]
    before, after, evaluated = step_points(trajectory, t)
    states = trajectory.states or {}
    gradient = gradient or step_gradient(trajectory, t)
    lines = [rf"\alpha_{{{t}}} &= {tex_number(trajectory.lr[t - 1])}"]
    if looks_ahead(trajectory, t):
        lines.append(rf"\tilde\theta &= {tex_value(evaluated)}")
        where = r"\tilde\theta"
    else:
        where = _theta(t - 1)
    lines += _gradient_lines(gradient, where, t)
    for name, symbol, _ in spec.state_fields_for(trajectory.hyper):
        if name != "step" and name in states:
            lines.append(rf"{symbol} &= {tex_value(states[name][t - 1])}")
    lines.append(rf"\Delta\theta &= {tex_value(after - before)}")
    lines.append(rf"{_theta(t - 1)} &= {tex_value(before)}")
    lines.append(rf"{_theta(t)} &= {_theta(t - 1)} + \Delta\theta = {tex_value(after)}")
    return r"\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}"


def _fmt(x: float) -> str:
    return f"{x:.{DIGITS + 1}g}" if np.isfinite(x) else "n/a"


def _gradient_rows(gradient: StepGradient) -> list[dict[str, str]]:
    if not gradient.stochastic:
        return [_row("g", gradient.used, "gradient ∇f used in this step")]
    if gradient.batch is not None:
        used = ", ".join(str(i) for i in gradient.batch)
        noise = ", plus noise" if gradient.noise else ""
        what = f"mini-batch gradient of examples {used}{noise}"
    else:
        what = "∇f + noise"
    rows = [_row("ĝ", gradient.used, f"gradient used in this step: {what}")]
    if gradient.exact is not None:
        rows.append(_row("∇f", gradient.exact, "exact gradient at the same point, not used"))
    return rows


def state_table(trajectory, t: int, gradient: StepGradient | None = None) -> list[dict[str, str]]:
    """Rows (quantity, x, y, meaning) for step t: the gradient (a stochastic ĝ and the exact ∇f,
    as ``step_latex``), then every state field of the optimizer after the step, in its
    metadata's order. A 2 × 2 field gives two rows, a scalar one row with y empty."""
    spec = OPTIMIZERS[trajectory.optimizer]
    states = trajectory.states or {}
    rows = _gradient_rows(gradient or step_gradient(trajectory, t))
    for name, _, meaning in spec.state_fields_for(trajectory.hyper):
        if name not in states:
            continue
        value = np.asarray(states[name][t - 1], dtype=float)
        if value.ndim == 2:
            for axis, row in zip("xy", value, strict=True):
                rows.append(_row(f"{name} (row {axis})", row, meaning))
        else:
            rows.append(_row(name, value, meaning))
    return rows


def _row(name: str, value, meaning: str) -> dict[str, str]:
    value = np.atleast_1d(np.asarray(value, dtype=float))
    y = _fmt(value[1]) if value.size > 1 else ""
    return {"quantity": name, "x": _fmt(value[0]), "y": y, "meaning": meaning}


# ---------------------------------------------------------------------------- figures


def _arrow(start, end, *, color: str, width: float, dashed: bool = False) -> dict:
    """A Plotly annotation: an arrow in data coordinates from ``start`` to ``end``."""
    return {
        "x": float(end[0]),
        "y": float(end[1]),
        "ax": float(start[0]),
        "ay": float(start[1]),
        "xref": "x",
        "yref": "y",
        "axref": "x",
        "ayref": "y",
        "showarrow": True,
        "arrowhead": 2,
        "arrowsize": 1.2,
        "arrowwidth": width * (0.7 if dashed else 1.0),
        "arrowcolor": color,
        "opacity": 0.8 if dashed else 1.0,
        "text": "",
    }


def zoom_bounds(trajectory, t: int, surface_bounds) -> tuple[tuple[float, float], ...]:
    """A square view around step t: its points plus ``ZOOM_MARGIN`` step lengths each side (the
    surface's view if the step is not finite)."""
    pts = np.array(step_points(trajectory, t))
    if not np.all(np.isfinite(pts)):
        return surface_bounds
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    (x0, x1), (y0, y1) = surface_bounds
    floor = 1e-3 * max(x1 - x0, y1 - y0)
    half = max(float(np.max(hi - lo)) * (0.5 + ZOOM_MARGIN), floor)
    centre = 0.5 * (lo + hi)
    return (
        (float(centre[0] - half), float(centre[0] + half)),
        (float(centre[1] - half), float(centre[1] + half)),
    )


def _backdrop(surface, bounds, present: bool) -> go.Figure:
    """The contour without its colour bar (the room goes to the picture; hover shows f)."""
    fig = go.Figure(contour_trace(surface, bounds, present=present).update(showscale=False))
    minima = minima_trace(surface, present=present)
    if minima is not None:
        fig.add_trace(minima)
    return fig


@lru_cache(maxsize=4)
def _house_layout(present: bool, height: int) -> dict:
    """The shared style's layout (template expanded), made once: validating a template costs
    ~60 ms a figure, and "Next ▶" draws one."""
    return style(go.Figure(), present=present, height=height).to_dict()["layout"]


_BELOW = {"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0}  # the legend under a contour
_BACKDROPS: dict = {}  # (surface key, bounds, present) → the backdrop's traces as dicts
_BACKDROPS_MAX = 16


def _backdrop_traces(surface, bounds, present: bool) -> list[dict]:
    """``_backdrop``'s traces as plain dicts, computed once per surface, view and style: the
    steps of one run share them (a zoomed view has its own bounds at every step)."""
    key = (
        getattr(surface, "key", id(surface)),
        tuple(tuple(float(v) for v in side) for side in bounds),
        present,
    )
    traces = _BACKDROPS.get(key)
    if traces is None:
        traces = [t.to_plotly_json() for t in _backdrop(surface, bounds, present).data]
        if len(_BACKDROPS) >= _BACKDROPS_MAX:
            _BACKDROPS.pop(next(iter(_BACKDROPS)))
        _BACKDROPS[key] = traces
    return [dict(t) for t in traces]


def _axes_layout(bounds) -> dict:
    """The view's axes: x and y on one scale (a circle looks round), clipped to ``bounds``."""
    (x0, x1), (y0, y1) = bounds
    return {
        "xaxis": {"range": [x0, x1], "title": {"text": "x"}, "constrain": "domain"},
        "yaxis": {
            "range": [y0, y1],
            "title": {"text": "y"},
            "scaleanchor": "x",
            "scaleratio": 1,
            "constrain": "domain",
        },
    }


def _styled(traces: list, present: bool, height: int, legend: dict, **layout) -> go.Figure:
    """``style(go.Figure(traces).update_layout(legend=legend, **layout), present, height)``,
    built from the house layout without validation (the traces come validated)."""
    house = _house_layout(present, height)
    merged = {**house, **layout, "legend": {**house["legend"], **legend}}
    for name in ("xaxis", "yaxis"):  # the house's axes (large ticks to present) under the figure's
        axis = {**house.get(name, {}), **layout.get(name, {})}
        if present and axis.get("type") == "log":
            axis.setdefault("dtick", 1)  # decades only: minor labels would be small type
        merged[name] = axis
    return unvalidated(go.Figure, data=traces, layout=merged)


def step_figure(surface, trajectory, t: int, present: bool = False, bounds=None) -> go.Figure:
    """Step t (1 … steps) of ``trajectory`` on the contour of ``surface``.

    The path so far is faint; θ_{t−1} → θ_t is a solid arrow in the optimizer's colour.  When the
    gradient was evaluated elsewhere (a look-ahead method), the look-ahead point θ̃ is marked, with
    dashed arrows θ_{t−1} → θ̃ (the momentum jump) and θ̃ → θ_t (the gradient step taken there).
    ``bounds`` overrides the view (e.g. ``zoom_bounds``).
    """
    bounds = bounds or surface.bounds
    before, after, evaluated = step_points(trajectory, t)
    color = color_for(trajectory.optimizer)
    width = line_width(present)
    size = 16 if present else 11

    traces = _backdrop_traces(surface, bounds, present)
    so_far = trajectory.path[:t]
    traces.append(
        go.Scatter(
            x=so_far[:, 0],
            y=so_far[:, 1],
            mode="lines+markers",
            line={"color": color, "width": width},
            marker={"size": size * 0.45, "color": color},
            opacity=FAINT,
            name="path so far",
            hovertemplate="(%{x:.4g}, %{y:.4g})<extra>path so far</extra>",
        )
    )
    ahead = looks_ahead(trajectory, t)
    if ahead:
        traces.append(
            go.Scatter(
                x=[evaluated[0]],
                y=[evaluated[1]],
                mode="markers",
                marker={
                    "symbol": "diamond-open",
                    "size": size * 1.2,
                    "color": LOOKAHEAD_COLOR,
                    "line": {"width": 3},
                },
                name="look-ahead θ̃: the gradient is taken here",
                hovertemplate="θ̃ = (%{x:.4g}, %{y:.4g})<extra>look-ahead</extra>",
            )
        )
    traces.append(
        go.Scatter(
            x=[before[0], after[0]],
            y=[before[1], after[1]],
            mode="markers+text",
            marker={
                "size": size,
                "color": ["white", color],
                "line": {"color": color, "width": 2.5},
            },
            text=[f"θ{_subscript(t - 1)}", f"θ{_subscript(t)}"],
            textposition="top center",
            textfont={"size": 20 if present else 14, "color": "#1b1f24"},  # dark on light
            name=f"step {t}: θ{_subscript(t - 1)} → θ{_subscript(t)}",
            hovertemplate="(%{x:.6g}, %{y:.6g})<extra></extra>",
        )
    )
    if np.all(np.isfinite([before, after, evaluated])):
        arrows = []
        if ahead:
            arrows.append(
                _arrow(before, evaluated, color=LOOKAHEAD_COLOR, width=width, dashed=True)
            )
            arrows.append(_arrow(evaluated, after, color=LOOKAHEAD_COLOR, width=width, dashed=True))
        if not np.allclose(before, after, rtol=0, atol=1e-15):
            arrows.append(_arrow(before, after, color=color, width=width + 1))
    else:
        arrows = None
    # The same figure as ``_axes`` and ``style`` make, at a fraction of the cost.
    layout = _axes_layout(bounds) | {"title": {"text": f"Step {t} of {len(trajectory.path) - 1}"}}
    if arrows is not None:
        layout["annotations"] = arrows
    layout["margin"] = _step_room(present, ahead)
    height = STEP_HEIGHT + (120 if present else 0)
    return _styled(traces, present, height, _BELOW, **layout)


def _step_room(present: bool, ahead: bool) -> dict:
    """The step figure's margins: the axes' titles and tick labels, and the legend below the
    plot in two rows when a look-ahead point adds its long entry (to present, the legend stands
    beside the plot). Room enough up front: plotly.js draws the figure once (``style``)."""
    if present:
        return {"l": 96, "r": 26, "t": 40, "b": 72}
    return {"l": 78, "r": 16, "t": 40, "b": 160 if ahead else 120}


_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _subscript(i: int) -> str:
    return str(i).translate(_SUBSCRIPTS)


def paths_figure(
    surface, trajectories: Sequence, labels: Sequence[str], present: bool = False
) -> go.Figure:
    """Whole paths of several runs on one contour, each labelled; look-ahead points as open
    circles (for Nesterov they fall on the re-parametrized form's path: the point of comparing)."""
    width = line_width(present)
    traces = _backdrop_traces(surface, surface.bounds, present)
    dashes = ("solid", "dot", "dash", "dashdot")
    for i, (trajectory, label) in enumerate(zip(trajectories, labels, strict=True)):
        color = color_for(trajectory.optimizer, i)
        path = trajectory.path
        traces.append(
            go.Scatter(
                x=path[:, 0],
                y=path[:, 1],
                mode="lines+markers",
                line={"color": color, "width": width, "dash": dashes[i % len(dashes)]},
                marker={"size": 6 if present else 4, "color": color},
                name=label,
                hovertemplate="(%{x:.4g}, %{y:.4g})<extra>" + label + "</extra>",
            )
        )
        evaluated = trajectory.eval_points
        if not np.allclose(evaluated, path[:-1], rtol=0, atol=1e-12, equal_nan=True):
            traces.append(
                go.Scatter(
                    x=evaluated[:, 0],
                    y=evaluated[:, 1],
                    mode="markers",
                    marker={
                        "symbol": "circle-open",
                        "size": 13 if present else 10,
                        "color": color,
                        "line": {"width": 2},
                    },
                    name=f"{label}: look-ahead points θ̃",
                    hovertemplate="θ̃ (%{x:.4g}, %{y:.4g})<extra></extra>",
                )
            )
    return _styled(traces, present, STEP_HEIGHT, _BELOW, **_axes_layout(surface.bounds))


def series_figure(
    series: Sequence[Series],
    *,
    title: str,
    y_title: str,
    log_y: bool = False,
    present: bool = False,
) -> go.Figure:
    """A small line chart of per-step values (steps numbered from 1), optionally log-scaled."""
    traces = []
    width = line_width(present)
    for s in series:
        values = np.asarray(s.values, dtype=float)
        traces.append(
            go.Scatter(
                x=np.arange(1, len(values) + 1),
                y=values,
                mode="lines+markers" if len(values) <= 30 else "lines",
                line={"color": s.color, "width": width, "dash": s.dash},
                marker={"size": 9 if present else 6},
                name=s.label,
                hovertemplate="step %{x}: %{y:.4g}<extra>" + s.label + "</extra>",
            )
        )
    axes = {
        "xaxis": {"title": {"text": "step t"}},
        "yaxis": {
            "title": {"text": y_title},
            "type": "log" if log_y else "linear",
            "exponentformat": "power",
        },
    }
    legend = {"orientation": "h", "yanchor": "top", "y": -0.25, "x": 0}
    height = 400 + (80 if present else 0)
    return _styled(traces, present, height, legend, title={"text": title}, **axes)


# ---------------------------------------------------------------------------- the comparisons


def comparison_figure(surface, chart: Chart, present: bool = False) -> go.Figure:
    """Any comparison's chart: its paths on the surface, or its lines over the steps (log y)."""
    if chart.paths:
        labels, runs = zip(*chart.paths, strict=True)
        return paths_figure(surface, runs, labels, present)
    series = [Series(s.label, s.values, color_for(s.optimizer), s.dash) for s in chart.lines]
    return series_figure(
        series, title=chart.title, y_title=chart.y_title, log_y=True, present=present
    )
