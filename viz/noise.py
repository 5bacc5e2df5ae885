"""Figures of mini-batch gradient noise: the cloud of mini-batch gradients at one point with the
central limit theorem's ellipses, and its spread against the batch size on log-log axes.

Figures take the core's typed results (``optim_core.noise.GradientNoise`` or ``RunBatches``,
``NoiseScaling``). The cloud is drawn in SGD's colour: it is the gradient SGD steps along; a
run's batches that straddle two epochs are drawn apart, with their own (mean) ellipses.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from optim_core.noise import SIGMAS
from viz._base import color_for, line_width, log_ticks, style

# Settings of these figures, together.
CLOUD_COLOR = color_for("sgd")
FULL_COLOR = "#000000"
ELLIPSE_COLOR = "#1b1b1b"
ELLIPSE_DASHES = ("solid", "dash")
REFERENCE_COLOR = "#8a8a8a"
CHOSEN_COLOR = "#b8860b"
STRADDLE_COLOR = "#CC6677"  # Paul Tol's rose: the batches that straddle two epochs
ELLIPSE_POINTS = 121


def ellipse(center, cov, k: float, n: int = ELLIPSE_POINTS) -> np.ndarray:
    """(n, 2) points of {x : (x − c)ᵀ cov⁻¹ (x − c) = k²}, closed (first = last)."""
    values, vectors = np.linalg.eigh(np.asarray(cov, dtype=float))
    t = np.linspace(0.0, 2.0 * np.pi, n)
    circle = np.stack([np.cos(t), np.sin(t)], axis=-1)
    return np.asarray(center, dtype=float) + k * (circle * np.sqrt(np.maximum(values, 0.0))) @ (
        vectors.T
    )


def _groups(noise) -> list[tuple[str, np.ndarray, np.ndarray | None, str, str, str]]:
    """The clouds to draw: (name, samples, predicted covariance or None, colour, symbol, the
    ellipses' name suffix). One for a ``GradientNoise``; a ``RunBatches`` has one per group of
    its batches (within an epoch, straddling two), each with its own prediction."""
    m = noise.batch_size
    if not hasattr(noise, "straddles"):
        cov = noise.predicted_cov if noise.inside(SIGMAS[0]) is not None else None
        return [
            (f"mini-batch gradients ĝ (m = {m})", noise.samples, cov, CLOUD_COLOR, "circle", "")
        ]
    parts = [("within", "within an epoch", CLOUD_COLOR, "circle", "")]
    if noise.count("straddling"):
        parts.append(
            (
                "straddling",
                "straddling two epochs",
                STRADDLE_COLOR,
                "diamond",
                ", straddling (mean)",
            )
        )
    out = []
    for group, words, color, symbol, suffix in parts:
        if not noise.count(group):
            continue
        name = f"mini-batch gradients ĝ (m = {m})" + (f", {words}" if len(parts) > 1 else "")
        spread = noise.inside(SIGMAS[0], group) is not None
        cov = noise.predicted_cov(group) if spread else None
        out.append((name, noise.samples[noise.chosen(group)], cov, color, symbol, suffix))
    return out


def noise_figure(noise, *, present: bool = False, height: int | None = None) -> go.Figure:
    """The mini-batch gradients as dots, the full gradient as a cross, and the predicted
    covariance Σ/m (× the finite-population factor) as its 1σ and 2σ ellipses; for a run's
    batches (``RunBatches``) those straddling two epochs apart, with their own mean ellipses."""
    fig = go.Figure()
    dot = 7 if present else 5
    groups = _groups(noise)
    for name, samples, _, color, symbol, _ in groups:
        fig.add_trace(
            go.Scatter(
                x=samples[:, 0],
                y=samples[:, 1],
                mode="markers",
                marker={"size": dot, "color": color, "opacity": 0.55, "symbol": symbol},
                name=name,
                hovertemplate="ĝ = (%{x:.4g}, %{y:.4g})<extra></extra>",
            )
        )
    for _, _, cov, color, _, suffix in groups:
        if cov is None:
            continue
        line = ELLIPSE_COLOR if not suffix else color
        for k, dash in zip(SIGMAS, ELLIPSE_DASHES, strict=True):
            ring = ellipse(noise.full_grad, cov, k)
            fig.add_trace(
                go.Scatter(
                    x=ring[:, 0],
                    y=ring[:, 1],
                    mode="lines",
                    line={"color": line, "width": line_width(present), "dash": dash},
                    name=f"CLT {k:g}σ ellipse{suffix}",
                    hoverinfo="skip",
                )
            )
    fig.add_trace(
        go.Scatter(
            x=[noise.full_grad[0]],
            y=[noise.full_grad[1]],
            mode="markers",
            marker={
                "symbol": "x-thin",
                "size": 22 if present else 16,
                "line": {"color": FULL_COLOR, "width": 4 if present else 3},
            },
            name="full gradient ∇f",
            hovertemplate="∇f = (%{x:.4g}, %{y:.4g})<extra></extra>",
        )
    )
    fig.update_xaxes(title_text="∂f/∂x", zeroline=False)
    fig.update_yaxes(title_text="∂f/∂y", zeroline=False)
    if all(cov is None for _, _, cov, *_ in groups):  # no spread: the per-example scale
        for axis, update in enumerate((fig.update_xaxes, fig.update_yaxes)):
            half = 2.0 * np.sqrt(noise.per_example_cov[axis, axis]) or 1.0
            update(range=[noise.full_grad[axis] - half, noise.full_grad[axis] + half])
    whose = (
        "The run's mini-batch gradients" if hasattr(noise, "straddles") else "Mini-batch gradients"
    )
    fig.update_layout(
        title={"text": f"{whose} at ({noise.point[0]:.3g}, {noise.point[1]:.3g})"},
        legend={"orientation": "h", "yanchor": "top", "y": -0.14, "x": 0},
        hovermode="closest",
    )
    return style(fig, present=present, height=height)


def scaling_figure(
    scaling,
    *,
    batch_size: int | None = None,
    present: bool = False,
    height: int | None = None,
) -> go.Figure:
    """Measured and predicted spread √trace Cov ĝ against m on log-log axes, a slope −½
    reference through the prediction at the smallest m, and the chosen m marked. A spread of 0
    (m = N drawn without replacement) has no place on a log axis and is left out."""
    sizes = np.asarray(scaling.sizes, dtype=float)
    measured = np.where(scaling.measured > 0, scaling.measured, np.nan)
    predicted = np.where(scaling.predicted > 0, scaling.predicted, np.nan)
    lw = line_width(present)
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=sizes,
            y=predicted[0] * np.sqrt(sizes[0] / sizes),
            mode="lines",
            line={"color": REFERENCE_COLOR, "width": lw, "dash": "dot"},
            name="slope −½ (1/√m)",
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=sizes,
            y=predicted,
            mode="lines",
            line={"color": ELLIPSE_COLOR, "width": lw, "dash": "dash"},
            name="predicted √trace(Σ/m"
            + ("" if scaling.sampling == "replacement" else "·fpc")
            + ")",
            hovertemplate="m = %{x}<br>predicted %{y:.4g}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=sizes,
            y=measured,
            mode="markers",
            marker={"size": 9 if present else 7, "color": CLOUD_COLOR},
            name="measured",
            hovertemplate="m = %{x}<br>measured %{y:.4g}<extra></extra>",
        )
    )
    if batch_size:
        fig.add_vline(x=batch_size, line={"color": CHOSEN_COLOR, "width": lw})
        fig.add_annotation(
            x=np.log10(batch_size),
            y=1.0,
            yref="paper",
            text=f"m = {batch_size}",
            showarrow=False,
            xanchor="left",
            yanchor="top",
            xshift=4,
            font={"color": CHOSEN_COLOR},
        )
    fig.update_xaxes(type="log", title_text="batch size m", **log_ticks(sizes))
    spreads = np.concatenate([np.asarray(predicted, float), np.asarray(measured, float)])
    fig.update_yaxes(type="log", title_text="spread √trace Cov ĝ", **log_ticks(spreads))
    fig.update_layout(
        title={"text": "Spread against batch size"},
        legend={"orientation": "h", "yanchor": "top", "y": -0.22, "x": 0},
    )
    return style(fig, present=present, height=height)
