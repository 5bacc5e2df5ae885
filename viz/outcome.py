"""The outcome of a grid of runs: over learning rate × a second hyperparameter as a heat map, or
over the learning rate alone as a line.

The heat map's x axis is the learning rate on a log scale; its y axis the optimizer's second
hyperparameter (momentum μ, β₁ or ρ, or the batch size).  Diverged cells get their own colour
and say when they diverged.  Plotly does not report clicks on heat-map cells reliably, so an
invisible scatter with one point per cell carries the click and the hover text.  On quadratics
the theory is drawn on top — only what holds for the chosen optimizer
(``optim_core.grid.theory_overlay``): its stable band or edge of stability and its own optimum.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from viz._base import LOSS_FLOOR, line_width, log_ticks, style

# Settings of these figures, together.
DIVERGED_COLOR = "#e8412c"
NOT_REACHED_COLOR = "#c8c8c8"
OUTCOME_COLORSCALE = "Viridis"
THEORY_COLOR = "#ffffff"
STABLE_BAND_COLOR = "rgba(46, 160, 67, 0.13)"
OPTIMUM_COLOR = "#ffd700"
PICK_COLOR = "#ff00cc"
METRICS = {"loss": "final loss gap f − f*", "steps": "steps to tolerance"}
# The heat map's margins: the axes' titles and tick labels, the colour bar and the legend under
# the plot.
HEATMAP_ROOM = {False: {"l": 66, "r": 96, "b": 142}, True: {"l": 80, "r": 142, "b": 118}}


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
    fig.update_xaxes(
        type="log", title_text="learning rate α", range=_log_range(lrs), **log_ticks(lrs)
    )
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
    fig.update_xaxes(type="log", title_text="learning rate α", **log_ticks(lrs))
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
