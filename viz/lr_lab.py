"""Figures of the Learning-rate lab: outcome over a learning-rate × hyperparameter grid, and theory.

The heat map's x axis is the learning rate on a log scale; its y axis the optimizer's second
hyperparameter (momentum μ, β₁ or ρ).  Diverged cells get their own colour and say when they
diverged.  Plotly does not report clicks on heat-map cells reliably, so an invisible scatter with
one point per cell carries the click and the hover text.  On quadratics the theory is drawn on
top — only what holds for the chosen optimizer (``optim_core.grid.theory_overlay``): its stable
band or edge of stability and its own optimum, and predicted convergence rates against measured
losses.  Figures take the core's typed results (``Sweep``, ``Overlay``, ``Cell``, ``Curve``,
``RotationComparison``).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from viz._base import color_for, contour_trace, line_width, minima_trace, style

# Settings of these figures, together.
DIVERGED_COLOR = "#e8412c"
NOT_REACHED_COLOR = "#c8c8c8"
OUTCOME_COLORSCALE = "Viridis"
THEORY_COLOR = "#ffffff"
STABLE_BAND_COLOR = "rgba(46, 160, 67, 0.13)"
OPTIMUM_COLOR = "#ffd700"
PICK_COLOR = "#ff00cc"
LOSS_FLOOR = 1e-16  # a loss gap below this is drawn at this value on log scales

METRICS = {"loss": "final loss gap f − f*", "steps": "steps to tolerance"}


def _overlay(mask: np.ndarray, xs, ys, color: str, name: str) -> go.Heatmap:
    """Cells where ``mask`` holds, painted one flat colour (the click grid carries the hover)."""
    return go.Heatmap(
        x=xs,
        y=ys,
        z=np.where(mask, 1.0, np.nan),
        zmin=0.0,
        zmax=1.0,
        colorscale=[[0.0, color], [1.0, color]],
        showscale=False,
        hoverinfo="skip",
        name=name,
    )


def _legend_entry(color: str, name: str) -> go.Scatter:
    """A legend item for a flat-coloured overlay (heat maps have no legend symbol)."""
    return go.Scatter(
        x=[None],
        y=[None],
        mode="markers",
        marker={"symbol": "square", "size": 14, "color": color},
        name=name,
        hoverinfo="skip",
    )


def _cell_text(lrs, seconds, values, diverged_at, metric: str, second_label: str, steps: int):
    """Hover text per cell: the hyperparameters and the outcome in words."""
    rows, cols = values.shape
    text = np.empty((rows, cols), dtype=object)
    for i in range(rows):
        for j in range(cols):
            head = f"α = {lrs[j]:.3g}"
            if seconds is not None:
                head += f", {second_label} = {seconds[i]:.3g}"
            if diverged_at[i, j] >= 0:
                body = f"diverged at step {int(diverged_at[i, j])}"
            elif not np.isfinite(values[i, j]):
                body = f"not within tolerance in {steps} steps"
            elif metric == "steps":
                body = f"settled at step {int(values[i, j])} (within tolerance from there on)"
            else:
                body = f"final f − f* = {values[i, j]:.3g}"
            text[i, j] = f"{head}<br>{body}"
    return text


def _colour_values(values: np.ndarray, metric: str) -> tuple[np.ndarray, dict]:
    """Values to colour by (log₁₀ of the loss gap) and the colour bar that reads them back."""
    with np.errstate(all="ignore"):
        if metric == "steps":
            return values, {"title": {"text": "steps"}}
        z = np.log10(np.maximum(values, LOSS_FLOOR))
    finite = z[np.isfinite(z)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    ticks = list(range(int(np.floor(lo)), int(np.ceil(hi)) + 1))
    step = max(1, len(ticks) // 8)
    ticks = ticks[::step]
    return z, {
        "title": {"text": "f − f*"},
        "tickvals": ticks,
        "ticktext": [f"1e{t}" for t in ticks],
    }


# The heat map's margins: the axes' titles and tick labels, the colour bar and the legend under
# the plot.
HEATMAP_ROOM = {False: {"l": 66, "r": 96, "b": 142}, True: {"l": 80, "r": 142, "b": 118}}


def outcome_heatmap(
    lrs,
    seconds,
    values,
    diverged_at,
    *,
    metric: str = "loss",
    second_label: str = "μ",
    steps: int = 0,
    overlay=None,
    pick=None,
    present: bool = False,
    height: int | None = None,
    second_log: bool = False,
) -> go.Figure:
    """Outcome over learning rate (columns, log x) × second hyperparameter (rows; on a log
    axis with ``second_log``, as the batch sizes 1, 2, 4, … of a batch grid).

    ``values`` is (len(seconds), len(lrs)): the final loss gap f_T − f* (metric "loss") or the
    steps to tolerance (metric "steps"), NaN where there is none; ``diverged_at`` the step each
    run diverged at, −1 for never.  ``overlay`` (an ``optim_core.grid.Overlay``, optional) adds
    2/λ_max as a dashed line, the optimizer's edge of stability and its optimum as a star.
    ``pick`` = (lr, second) outlines the picked cell.
    """
    lrs = np.asarray(lrs, dtype=float)
    seconds = np.asarray(seconds, dtype=float)
    values = np.asarray(values, dtype=float)
    diverged_at = np.asarray(diverged_at)
    diverged = diverged_at >= 0
    text = _cell_text(lrs, seconds, values, diverged_at, metric, second_label, steps)
    z, colorbar = _colour_values(np.where(diverged, np.nan, values), metric)
    colorbar["thickness"] = 18 if present else 12
    rows = _log_edges(seconds) if second_log else seconds  # on a log axis: the cells' edges
    fig = go.Figure()
    fig.add_trace(
        go.Heatmap(
            x=lrs,
            y=rows,
            z=z,
            colorscale=OUTCOME_COLORSCALE,
            colorbar=colorbar,
            hoverinfo="skip",
            name=METRICS[metric],
        )
    )
    if diverged.any():
        fig.add_trace(_overlay(diverged, lrs, rows, DIVERGED_COLOR, "diverged"))
        fig.add_trace(_legend_entry(DIVERGED_COLOR, "diverged (hover: at which step)"))
    missing = ~diverged & ~np.isfinite(values)
    if missing.any():
        fig.add_trace(_overlay(missing, lrs, rows, NOT_REACHED_COLOR, "not reached"))
        fig.add_trace(_legend_entry(NOT_REACHED_COLOR, f"not within tolerance in {steps} steps"))
    xx, yy = np.meshgrid(lrs, seconds)
    fig.add_trace(
        go.Scatter(
            x=xx.ravel(),
            y=yy.ravel(),
            mode="markers",
            marker={"size": 12, "opacity": 0.0, "color": "white"},
            text=text.ravel(),
            hovertemplate="%{text}<br>click to see this run<extra></extra>",
            name="pick",
            showlegend=False,
        )
    )
    lw = line_width(present)
    label_font = {"color": "white", "size": 17 if present else 12}
    stable_lr = overlay.gd_edge if overlay is not None else None
    if stable_lr is not None:
        fig.add_trace(
            go.Scatter(
                x=[stable_lr, stable_lr],
                y=[seconds[0], seconds[-1]],
                mode="lines",
                line={"color": THEORY_COLOR, "width": lw, "dash": "dash"},
                name="α = 2/λ_max (GD stable below)",
                showlegend=False,
                hoverinfo="skip",
            )
        )
        fig.add_annotation(
            x=np.log10(stable_lr),
            y=np.log10(seconds[-1]) if second_log else seconds[-1],  # log axes: log10 here
            text="2/λ_max",
            showarrow=False,
            xanchor="right",
            yanchor="top",
            font=label_font,
            bgcolor="rgba(0,0,0,0.45)",
        )
    if overlay is not None and overlay.edge is not None:
        edge_lrs = np.asarray(overlay.edge, dtype=float)
        edge_seconds = seconds
        fig.add_trace(
            go.Scatter(
                x=edge_lrs,
                y=edge_seconds,
                mode="lines",
                line={"color": THEORY_COLOR, "width": lw},
                name="edge of stability",
                showlegend=False,
                hoverinfo="skip",
            )
        )
        fig.add_annotation(
            x=np.log10(edge_lrs[len(edge_lrs) // 2]),
            y=edge_seconds[len(edge_seconds) // 2],
            text="edge of stability",
            showarrow=False,
            xanchor="left",
            xshift=6,
            font=label_font,
            bgcolor="rgba(0,0,0,0.45)",
        )
    optimum = overlay.optimum if overlay is not None else None
    if optimum is not None and optimum.second is not None:
        fig.add_trace(
            go.Scatter(
                x=[optimum.lr],
                y=[optimum.second],
                mode="markers",
                marker={
                    "symbol": "star",
                    "size": 22 if present else 16,
                    "color": OPTIMUM_COLOR,
                    "line": {"color": "black", "width": 1.5},
                },
                name=f"optimal α = {optimum.lr:.3g}, {second_label} = {optimum.second:.3g}"
                + _outside(optimum.lr, lrs),
                hovertemplate="theory optimum<br>α = %{x:.4g}<br>"
                + second_label
                + " = %{y:.4g}<extra></extra>",
            )
        )
    if pick is not None:
        fig.add_trace(
            go.Scatter(
                x=[pick[0]],
                y=[pick[1]],
                mode="markers",
                marker={
                    "symbol": "square-open",
                    "size": 18 if present else 14,
                    "color": PICK_COLOR,
                    "line": {"width": 3},
                },
                name="picked run",
                hoverinfo="skip",
            )
        )
    fig.update_xaxes(type="log", title_text="learning rate α", range=_log_range(lrs))
    if second_log:
        fig.update_yaxes(
            type="log",
            title_text=second_label,
            range=[float(np.log10(rows[0])), float(np.log10(rows[-1]))],
            tickvals=seconds,
        )
    else:
        fig.update_yaxes(title_text=second_label, range=_lin_range(seconds))
    fig.update_layout(
        # In the bottom margin, a fixed distance from the figure's bottom edge whatever the
        # plot's height: at a fraction of it below the plot, a tall presented chart pushed the
        # legend past its room and plotly.js grew the margin, drawing the chart twice.
        legend={"orientation": "h", "yref": "container", "yanchor": "bottom", "y": 0, "x": 0},
        hovermode="closest",
        hoverdistance=-1,
        clickmode="event+select",
        dragmode=False,
    )
    return style(fig, present=present, height=height, room=HEATMAP_ROOM)


def _outside(lr: float, lrs) -> str:
    """A note for a theory mark that falls outside the chart's learning rates."""
    return "" if lrs[0] <= lr <= lrs[-1] else " (outside this range)"


def _log_range(lrs) -> list[float]:
    """The x range of a log axis that shows the first and last cells whole."""
    logs = np.log10(lrs)
    half = 0.5 * (logs[-1] - logs[0]) / max(len(logs) - 1, 1)
    return [float(logs[0] - half), float(logs[-1] + half)]


def _log_edges(values) -> np.ndarray:
    """Cell edges for centres on a log axis: geometric midpoints, half a step beyond the ends
    (plotly would put the edges of given centres at arithmetic midpoints)."""
    logs = np.log10(np.asarray(values, dtype=float))
    if len(logs) == 1:
        return 10.0 ** (logs[0] + np.array([-0.5, 0.5]))
    mids = (logs[1:] + logs[:-1]) / 2
    return 10.0 ** np.concatenate(
        [[logs[0] - (mids[0] - logs[0])], mids, [logs[-1] + (logs[-1] - mids[-1])]]
    )


def _lin_range(values) -> list[float]:
    half = 0.5 * (values[-1] - values[0]) / max(len(values) - 1, 1)
    return [float(values[0] - half), float(values[-1] + half)]


def outcome_line(
    lrs,
    values,
    diverged_at,
    *,
    metric: str = "loss",
    steps: int = 0,
    overlay=None,
    pick: float | None = None,
    present: bool = False,
    height: int | None = None,
) -> go.Figure:
    """Outcome against the learning rate alone (optimizers without a second hyperparameter).

    Diverged runs sit on the top edge as crosses saying when they diverged; with an
    ``overlay`` (gradient descent on a convex quadratic) the stable band 0 < α < 2/λ_max is
    shaded and the optimal α marked.
    """
    stable_lr = overlay.gd_edge if overlay is not None else None
    best = overlay.optimum if overlay is not None else None
    optimal_lr = best.lr if best is not None and best.second is None else None
    lrs = np.asarray(lrs, dtype=float)
    values = np.asarray(values, dtype=float)
    diverged_at = np.asarray(diverged_at)
    diverged = diverged_at >= 0
    text = _cell_text(lrs, None, values[None, :], diverged_at[None, :], metric, "", steps)[0]
    shown = np.where(diverged, np.nan, values)
    if metric == "loss":
        shown = np.maximum(shown, LOSS_FLOOR)
    finite = shown[np.isfinite(shown)]
    top = float(finite.max()) if finite.size else 1.0
    edge = np.where(np.isfinite(shown), shown, top)  # where the click points of bad runs sit
    fig = go.Figure()
    lw = line_width(present)
    if stable_lr is not None:
        fig.add_vrect(
            x0=lrs[0], x1=stable_lr, fillcolor=STABLE_BAND_COLOR, line_width=0, layer="below"
        )
        fig.add_trace(
            go.Scatter(
                x=[stable_lr, stable_lr],
                y=[float(finite.min()) if finite.size else 0.0, top],
                mode="lines",
                line={"color": "#2ca02c", "width": lw, "dash": "dash"},
                name=f"α = 2/λ_max = {stable_lr:.3g} (stable below: shaded)",
                hoverinfo="skip",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=lrs,
            y=shown,
            mode="lines+markers",
            line={"color": "#1b1b1b", "width": lw},
            marker={"size": 7, "color": "#1b1b1b"},
            text=text,
            hovertemplate="%{text}<br>click to see this run<extra></extra>",
            connectgaps=False,
            name=METRICS[metric],
        )
    )
    fig.add_trace(
        go.Scatter(
            x=lrs,
            y=edge,
            mode="markers",
            marker={"size": 14, "opacity": 0.0, "color": "white"},
            text=text,
            hovertemplate="%{text}<br>click to see this run<extra></extra>",
            name="pick",
            showlegend=False,
        )
    )
    for mask, color, symbol, name in (
        (diverged, DIVERGED_COLOR, "x", "diverged"),
        (~diverged & ~np.isfinite(values), NOT_REACHED_COLOR, "circle-open", "not reached"),
    ):
        if mask.any():
            fig.add_trace(
                go.Scatter(
                    x=lrs[mask],
                    y=np.full(int(mask.sum()), top),
                    mode="markers",
                    marker={"symbol": symbol, "size": 12, "color": color, "line": {"width": 2}},
                    text=text[mask],
                    hovertemplate="%{text}<extra></extra>",
                    name=name,
                )
            )
    if optimal_lr is not None:
        fig.add_vline(x=optimal_lr, line={"color": "#b8860b", "width": lw, "dash": "dot"})
        fig.add_trace(
            go.Scatter(
                x=[optimal_lr],
                y=[top],
                mode="markers",
                marker={"symbol": "star", "size": 18, "color": OPTIMUM_COLOR, "line": {"width": 1}},
                name=f"optimal α = 2/(λ_min+λ_max) = {optimal_lr:.3g}" + _outside(optimal_lr, lrs),
                hoverinfo="skip",
            )
        )
    if pick is not None:
        fig.add_vline(x=pick, line={"color": PICK_COLOR, "width": lw})
    fig.update_xaxes(type="log", title_text="learning rate α")
    fig.update_yaxes(
        type="log" if metric == "loss" else "linear",
        title_text=METRICS[metric],
    )
    fig.update_layout(
        legend={"orientation": "h", "yanchor": "top", "y": -0.2, "x": 0},
        hovermode="closest",
        hoverdistance=-1,
        clickmode="event+select",
        dragmode=False,
    )
    return style(fig, present=present, height=height)


def outcome_figure(
    result,
    *,
    metric: str,
    steps: int,
    second_label: str = "",
    overlay=None,
    pick=None,
    present: bool = False,
    height: int | None = None,
    second_log: bool = False,
) -> go.Figure:
    """The outcome of a sweep (``optim_core.Sweep``): a heat map over (α, second value), or a
    line over α when the optimizer has no second hyperparameter.  ``pick`` is a ``Cell``;
    ``second_log`` puts the second axis on a log scale (a batch-size grid's m)."""
    values = result.final_gap if metric == "loss" else result.steps_to_tol
    common = {"metric": metric, "steps": steps, "overlay": overlay, "present": present}
    if result.seconds is None:
        return outcome_line(
            result.lrs,
            values,
            result.diverged_at,
            pick=None if pick is None else pick.lr,
            height=height,
            **common,
        )
    return outcome_heatmap(
        result.lrs,
        result.seconds,
        values,
        result.diverged_at,
        second_label=second_label,
        pick=None if pick is None else (pick.lr, pick.second),
        height=height,
        second_log=second_log,
        **common,
    )


def trajectory_figure(
    surface,
    path,
    *,
    optimizer: str,
    label: str,
    diverged_at: int | None = None,
    bounds=None,
    present: bool = False,
    height: int | None = None,
) -> go.Figure:
    """One run's path on the contour (start ○, end ◆, a cross where it diverged)."""
    bounds = bounds or surface.bounds
    path = np.asarray(path, dtype=float)
    color = color_for(optimizer)
    fig = go.Figure(contour_trace(surface, bounds, present=present))
    minima = minima_trace(surface, present=present)
    if minima is not None:
        fig.add_trace(minima)
    shown = path if diverged_at is None else path[: max(int(diverged_at), 1)]
    fig.add_trace(
        go.Scatter(
            x=shown[:, 0],
            y=shown[:, 1],
            mode="lines+markers",
            line={"color": color, "width": line_width(present)},
            marker={"size": 4 if len(shown) > 60 else 6, "color": color},
            name=label,
            hovertemplate="step %{pointNumber}<br>(%{x:.4g}, %{y:.4g})<extra></extra>",
        )
    )
    ends = [("start", shown[0], "circle")]
    ends.append(
        (
            "diverged" if diverged_at is not None else "end",
            shown[-1],
            "x" if diverged_at is not None else "diamond",
        )
    )
    for name, xy, symbol in ends:
        fig.add_trace(
            go.Scatter(
                x=[xy[0]],
                y=[xy[1]],
                mode="markers",
                marker={
                    "symbol": symbol,
                    "size": 16 if present else 12,
                    "color": color if name != "diverged" else DIVERGED_COLOR,
                    "line": {"color": "white", "width": 2},
                },
                name=name,
                hovertemplate=f"{name} (%{{x:.4g}}, %{{y:.4g}})<extra></extra>",
            )
        )
    (x0, x1), (y0, y1) = bounds
    fig.update_xaxes(range=[x0, x1], title_text="x")
    fig.update_yaxes(range=[y0, y1], title_text="y")
    fig.update_layout(legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0})
    return style(fig, present=present, height=height)


def loss_curves_figure(
    curves,
    *,
    title: str = "",
    y_title: str = "f − f*",
    present: bool = False,
    height: int | None = None,
) -> go.Figure:
    """Loss-gap curves (``optim_core.grid.Curve``) on a log scale: predictions dashed, a
    diverged run cut where it stopped, gaps below LOSS_FLOOR drawn at it."""
    fig = go.Figure()
    lw = line_width(present)
    for curve in curves:
        gap = np.asarray(curve.gap, dtype=float)
        if curve.diverged_at is not None:
            gap = gap[: max(int(curve.diverged_at), 1)]
        with np.errstate(all="ignore"):
            y = np.where(np.isfinite(gap), np.maximum(gap, LOSS_FLOOR), np.nan)
        fig.add_trace(
            go.Scatter(
                x=np.arange(y.size),
                y=y,
                mode="lines",
                line={
                    "color": color_for(curve.optimizer),
                    "width": lw,
                    "dash": "dash" if curve.predicted else "solid",
                },
                name=curve.name,
                hovertemplate="step %{x}<br>%{y:.3g}<extra>" + curve.name + "</extra>",
            )
        )
    fig.update_xaxes(title_text="step t")
    fig.update_yaxes(type="log", title_text=y_title, exponentformat="power")
    fig.update_layout(
        title={"text": title},
        legend={"orientation": "h", "yanchor": "top", "y": -0.2, "x": 0},
    )
    return style(fig, present=present, height=height)


def rotation_figure(
    comparison, *, labels: dict | None = None, present: bool = False, height: int | None = None
) -> go.Figure:
    """Steps to tolerance against the bowl's rotation, one line per optimizer (best α each),
    from an ``optim_core.grid.RotationComparison``.  NaN (never within tolerance in its
    ``max_steps``) is drawn on the top edge as an open marker.  ``labels`` maps ids to names.
    """
    labels = labels or {}
    max_steps = comparison.max_steps
    fig = go.Figure()
    angles = np.asarray(comparison.angles, dtype=float)
    for index, (opt, steps) in enumerate(zip(comparison.optimizers, comparison.steps, strict=True)):
        steps = np.asarray(steps, dtype=float)
        color = color_for(opt, index)
        name = labels.get(opt, opt)
        fig.add_trace(
            go.Scatter(
                x=angles,
                y=steps,
                mode="lines+markers",
                line={"color": color, "width": line_width(present)},
                marker={"size": 9 if present else 7, "color": color},
                name=name,
                hovertemplate="rotation %{x:.0f}°<br>%{y:.0f} steps<extra>" + name + "</extra>",
            )
        )
        missing = ~np.isfinite(steps)
        if missing.any():
            fig.add_trace(
                go.Scatter(
                    x=angles[missing],
                    y=np.full(int(missing.sum()), max_steps),
                    mode="markers",
                    marker={
                        "symbol": "circle-open",
                        "size": 12,
                        "color": color,
                        "line": {"width": 2},
                    },
                    name=f"{name}: not within tolerance in {max_steps} steps",
                )
            )
    fig.update_xaxes(title_text="rotation of the bowl (degrees)", dtick=15)
    fig.update_yaxes(title_text="steps to tolerance (best α)", rangemode="tozero")
    fig.update_layout(legend={"orientation": "h", "yanchor": "top", "y": -0.22, "x": 0})
    return style(fig, present=present, height=height)
