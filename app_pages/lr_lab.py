"""Learning-rate lab: the outcome of a whole grid of runs, learning rate × momentum (or β₁, ρ)."""

from __future__ import annotations

import functools

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from app_pages._controls import log_options, nearest_option, optimizer_controls, steps_control
from app_pages._ui import clicked_point, current_view, load_surface, require_surface, start_of
from optim_core import (
    OPTIMIZERS,
    OptimizerError,
    QuadraticTheory,
    divergence_reason,
    quadratic_theory,
    run,
    second_values,
    stable_lr,
    suggest_lr,
    sweep,
)
from surfaces import get_surface
from viz._base import color_for
from viz.lr_lab import (
    loss_curves_figure,
    outcome_heatmap,
    outcome_line,
    rotation_figure,
    trajectory_figure,
)

CHART = "lab_chart"
OPT, METRIC, GRID_N, LR_MIN, LR_MAX, TOL = (
    "lab_opt",
    "lab_metric",
    "lab_n",
    "lab_lr_min",
    "lab_lr_max",
    "lab_tol",
)
PICK_LR, PICK_SECOND = "lab_pick_lr", "lab_pick_second"
METRIC_LABELS = {"loss": "final loss", "steps": "steps to tolerance"}  # as the URL holds them
_CONTEXT_MEMO = "_lab_context"  # the (surface, optimizer) the range and the pick belong to

DEFAULT_OPTIMIZER = "momentum"
N_DEFAULT, N_MIN, N_MAX = 32, 4, 64
STEPS_DEFAULT, STEPS_MAX = 200, 500
LR_SPAN = 100.0  # default range: the suggested α ÷ 100 … × 100
LR_OPTIONS = log_options(1e-6, 100.0)
TOL_OPTIONS = (1e-2, 1e-3, 1e-4, 1e-6, 1e-8, 1e-10)
# Gradient-descent types: α multiplies the gradient, so 2/λ_max and the optima apply.
ROTATION_ANGLES = (0.0, 15.0, 30.0, 45.0, 60.0, 75.0, 90.0)
ROTATION_OPTIMIZERS = ("sgd", "adagrad", "adam")
ROTATION_LRS = 16
ROTATION_STEPS = 300


# ---------------------------------------------------------------------------- computation


def _second_hyper(spec):
    """The Hyper of the optimizer's second grid axis (momentum μ, β₁ or ρ)."""
    return next(h for h in spec.hyper if h.name == spec.second)


@st.cache_data(max_entries=32, show_spinner="Running the grid…")
def outcome_grid(
    surface_id: str,
    params: tuple,
    formula: str,
    optimizer: str,
    start: tuple[float, float],
    lr_lo: float,
    lr_hi: float,
    n: int,
    steps: int,
    fixed: tuple,
    tol: float,
) -> dict:
    """Every (α, second) cell's final loss gap, steps to tolerance and divergence step.

    One batched run of n × n members (n for optimizers without a second hyperparameter).
    Arrays are (rows = second values, columns = learning rates), or (n,) in 1-D.
    """
    surface = load_surface(surface_id, params, formula)
    result = sweep(
        surface,
        optimizer,
        start,
        np.geomspace(lr_lo, lr_hi, n),
        seconds=second_values(optimizer, n),
        steps=steps,
        tol=tol,
        **dict(fixed),
    )
    return {
        "lrs": result.lrs,
        "seconds": result.seconds,
        "final": result.final_gap,
        "steps_to_tol": result.steps_to_tol,
        "diverged_at": result.diverged_at,
        "f_ref": result.f_ref,
    }


@st.cache_data(max_entries=16, show_spinner="Rotating the bowl…")
def rotation_steps(kappa: float, tol: float) -> dict[str, np.ndarray]:
    """Steps to tolerance of each comparison optimizer, at its best α, for every rotation.

    Each bowl's default start turns with it, so only the bowl's orientation relative to the
    axes changes: a rotation-invariant method (gradient descent) needs the same steps at every
    angle, a per-coordinate method (Adam) does not.
    """
    upright = get_surface("bowl", kappa=kappa, angle=0.0)
    out = {}
    for optimizer in ROTATION_OPTIMIZERS:
        center = suggest_lr(optimizer, upright, upright.start)
        lrs = np.geomspace(center / 30, center * 30, ROTATION_LRS)
        best = []
        for angle in ROTATION_ANGLES:
            bowl = get_surface("bowl", kappa=kappa, angle=angle)
            reached = sweep(bowl, optimizer, bowl.start, lrs, steps=ROTATION_STEPS, tol=tol)
            reached = reached.steps_to_tol
            best.append(np.nanmin(reached) if np.isfinite(reached).any() else np.nan)
        out[optimizer] = np.asarray(best)
    return out


# ---------------------------------------------------------------------------- widgets


def pick_from_click(chart_key: str, has_second: bool) -> None:
    """``on_select`` callback: the clicked cell becomes the picked run."""
    picked = clicked_point(chart_key)
    if picked is None:
        return
    st.session_state[PICK_LR] = float(f"{picked[0]:.6g}")
    if has_second:
        st.session_state[PICK_SECOND] = float(f"{picked[1]:.6g}")


def _follow_context(surface, optimizer: str, lr_range: tuple[float, float]) -> None:
    """A new surface or optimizer wants its own learning-rate range and pick.

    The widgets are bound to the URL, so they are reset by value (the URL follows), not
    deleted (the URL would bring the old values back).
    """
    state = st.session_state
    context = (surface.key, optimizer)
    previous = state.get(_CONTEXT_MEMO)
    if previous is not None and tuple(previous) != context:
        state[LR_MIN], state[LR_MAX] = lr_range
        state[PICK_LR] = state[PICK_SECOND] = None
    state[_CONTEXT_MEMO] = context


def _lr_slider(container, label: str, key: str, default: float) -> float:
    # Once the value lives in session state it wins; a default passed alongside a value set
    # through session state would only log a warning.
    value = {} if key in st.session_state else {"value": default}
    return container.select_slider(
        label,
        options=LR_OPTIONS,
        format_func=lambda v: f"{v:g}",
        key=key,
        bind="query-params",
        **value,
    )


def _controls(surface, start) -> dict:
    ids = list(OPTIMIZERS)
    top = st.columns([2, 2, 2, 2])
    optimizer = top[0].selectbox(
        "Optimizer",
        ids,
        index=ids.index(DEFAULT_OPTIMIZER),
        format_func=lambda o: OPTIMIZERS[o].name,
        key=OPT,
        bind="query-params",
    )
    center = suggest_lr(optimizer, surface, start)
    lr_range = (
        nearest_option(LR_OPTIONS, center / LR_SPAN),
        nearest_option(LR_OPTIONS, center * LR_SPAN),
    )
    _follow_context(surface, optimizer, lr_range)
    metric = top[1].radio(
        "Colour by",
        list(METRIC_LABELS),
        format_func=METRIC_LABELS.get,
        key=METRIC,
        bind="query-params",
        horizontal=True,
    )
    n = top[2].slider(
        "Grid size n (n × n runs)",
        N_MIN,
        N_MAX,
        N_DEFAULT,
        key=GRID_N,
        bind="query-params",
        help="One batched run of every cell; 64 × 64 × 500 steps stays interactive.",
    )
    if st.session_state.get("steps", 0) > STEPS_MAX:
        st.session_state["steps"] = STEPS_MAX  # the Race page allows longer runs
    steps = steps_control(top[3], default=STEPS_DEFAULT, max_steps=STEPS_MAX)
    row = st.columns([3, 3, 2])
    lr_lo = _lr_slider(row[0], "Smallest learning rate", LR_MIN, lr_range[0])
    lr_hi = _lr_slider(row[1], "Largest learning rate", LR_MAX, lr_range[1])
    tol = row[2].select_slider(
        "Tolerance: f − f* shrunk by",
        options=list(TOL_OPTIONS),
        value=1e-6,
        format_func=lambda v: f"{v:g}",
        key=TOL,
        bind="query-params",
    )
    spec = OPTIMIZERS[optimizer]
    fixed = optimizer_controls(
        optimizer, surface, start, up_front=(), skip=("lr", spec.second or "lr")
    )
    lo, hi = sorted((float(lr_lo), float(lr_hi)))
    if lo == hi:
        hi = lo * 10
    return {
        "optimizer": optimizer,
        "metric": metric,
        "n": int(n),
        "steps": int(steps),
        "lr_lo": lo,
        "lr_hi": hi,
        "tol": float(tol),
        "fixed": tuple(sorted(fixed.items())),
    }


# ---------------------------------------------------------------------------- sections


def theory_of(surface) -> QuadraticTheory | None:
    """The quadratic theory of this surface, or None (not a quadratic, or not convex)."""
    eigenvalues = surface.quadratic_eigenvalues
    if eigenvalues is None or eigenvalues[0] <= 0:
        return None
    return quadratic_theory(*eigenvalues)


def outcome_chart(grid: dict, config: dict, theory, pick, present: bool) -> go.Figure:
    """The outcome chart: a heat map (or a line without a second hyperparameter), with the
    theory's marks for gradient-descent types on a convex quadratic."""
    optimizer, metric = config["optimizer"], config["metric"]
    values = grid["final"] if metric == "loss" else grid["steps_to_tol"]
    spec = OPTIMIZERS[optimizer]
    gd_type = theory is not None and stable_lr(optimizer, theory.lam_max) is not None
    height = 620 if present else 540
    if grid["seconds"] is None:
        return outcome_line(
            grid["lrs"],
            values,
            grid["diverged_at"],
            metric=metric,
            steps=config["steps"],
            stable_lr=theory.lr_stable_max if gd_type else None,
            optimal_lr=theory.gd_lr_opt if gd_type and optimizer == "sgd" else None,
            pick=pick[0] if pick else None,
            present=present,
            height=height,
        )
    second = _second_hyper(spec)
    edge = stable_lr(optimizer, theory.lam_max, grid["seconds"]) if gd_type else None
    return outcome_heatmap(
        grid["lrs"],
        grid["seconds"],
        values,
        grid["diverged_at"],
        metric=metric,
        second_label=second.label,
        steps=config["steps"],
        stable_lr=theory.lr_stable_max if gd_type else None,
        stability_curve=(edge, grid["seconds"]) if edge is not None else None,
        optimum=(theory.momentum_lr_opt, theory.momentum_opt) if gd_type else None,
        pick=pick,
        present=present,
        height=height,
    )


def best_cell(grid: dict) -> tuple[float, float | None]:
    """The best cell: fewest steps to settle within tolerance, else the lowest final loss."""
    for values in (grid["steps_to_tol"], grid["final"]):
        if np.isfinite(values).any():
            index = np.unravel_index(np.nanargmin(values), values.shape)
            break
    else:
        index = (0,) * grid["final"].ndim
    if grid["seconds"] is None:
        return float(grid["lrs"][index[0]]), None
    return float(grid["lrs"][index[1]]), float(grid["seconds"][index[0]])


def _pick_inputs(spec, best) -> tuple[float | None, float | None]:
    """The picked cell's α (and second hyperparameter): clicked, typed or from the URL."""
    left, right = st.columns(2)
    lr = left.number_input(
        "Picked α",
        value=None,
        min_value=1e-12,
        key=PICK_LR,
        bind="query-params",
        format="%.4g",
        placeholder=f"best cell: {best[0]:.3g}",
        help="Click a cell of the chart, or type a learning rate.",
    )
    second = None
    if spec.second is not None:
        h = _second_hyper(spec)
        second = right.number_input(
            f"Picked {h.label}",
            value=None,
            min_value=float(h.min),
            max_value=float(h.max),
            key=PICK_SECOND,
            bind="query-params",
            format="%.4g",
            placeholder=f"best cell: {best[1]:.3g}",
        )
    return lr, second


def _picked_run(surface, start, config, grid, pick, is_best: bool, view) -> None:
    """The picked cell's run (the best cell until one is picked): path and loss curve."""
    spec = OPTIMIZERS[config["optimizer"]]
    hyper = {**dict(config["fixed"]), "lr": pick[0]}
    label = f"α = {pick[0]:.3g}"
    if spec.second is not None:
        hyper[spec.second] = pick[1]
        label += f", {_second_hyper(spec).label} = {pick[1]:.3g}"
    t = run(surface, config["optimizer"], start=start, steps=config["steps"], **hyper)
    title = f"{'Best cell' if is_best else 'Picked run'}: {spec.name}, {label}"
    st.markdown(f"**{title}**" + (" — click a cell to pick another." if is_best else ""))
    if t.diverged_at is not None:
        st.warning(divergence_reason(surface, config["optimizer"], hyper, t.diverged_at))
    path_area, loss_area = st.columns(2) if view.present else (st.container(), st.container())
    path_area.plotly_chart(
        trajectory_figure(
            surface,
            t.path,
            optimizer=config["optimizer"],
            label=label,
            diverged_at=t.diverged_at,
            present=view.present,
            height=480 if view.present else 420,
        ),
        config={"displayModeBar": False},
    )
    loss_area.plotly_chart(
        loss_curves_figure(
            [
                {
                    "name": label,
                    "loss": t.loss - grid["f_ref"],
                    "color": color_for(config["optimizer"]),
                    "diverged_at": t.diverged_at,
                }
            ],
            title="Loss gap f − f* of the picked run",
            present=view.present,
            height=480 if view.present else 300,
        ),
        config={"displayModeBar": False},
    )


def _theory_section(surface, start, theory, steps: int, f_ref: float, view) -> None:
    st.subheader("Theory on a quadratic")
    cols = st.columns(5)
    cols[0].metric("κ", f"{theory.kappa:.4g}", help="condition number λ_max / λ_min")
    cols[1].metric("λ_min", f"{theory.lam_min:.4g}")
    cols[2].metric("λ_max", f"{theory.lam_max:.4g}")
    cols[3].metric("GD α*", f"{theory.gd_lr_opt:.3g}", help="optimal α = 2/(λ_min + λ_max)")
    cols[4].metric(
        "Momentum α*, μ*",
        f"{theory.momentum_lr_opt:.3g}, {theory.momentum_opt:.3g}",
        help="optimal α = 4/(√λ_max + √λ_min)², μ = ((√κ − 1)/(√κ + 1))²",
    )
    st.markdown(
        f"Gradient descent is stable for **0 < α < 2/λ_max = {theory.lr_stable_max:.3g}** "
        "(the dashed line on the chart). At its best α it shrinks the distance to the minimum "
        f"by **(κ−1)/(κ+1) = {theory.gd_rate:.4f}** per step; heavy-ball momentum at its best "
        f"(α, μ) by **(√κ−1)/(√κ+1) = {theory.momentum_rate:.4f}**. The loss shrinks by the "
        "square of that: straight lines on a log scale."
    )
    gd = run(surface, "sgd", start=start, steps=steps, lr=theory.gd_lr_opt)
    heavy = run(
        surface,
        "momentum",
        start=start,
        steps=steps,
        lr=theory.momentum_lr_opt,
        momentum=theory.momentum_opt,
    )
    t = np.arange(steps + 1)
    curves = []
    for name, traj, rate, opt in (
        ("GD at optimal α", gd, theory.gd_rate, "sgd"),
        ("momentum at optimal α, μ", heavy, theory.momentum_rate, "momentum"),
    ):
        gap = traj.loss - f_ref
        curves.append({"name": f"{name} (measured)", "loss": gap, "color": color_for(opt)})
        curves.append(
            {
                "name": f"predicted rate² = {rate**2:.4f}",
                "loss": max(gap[0], 0.0) * rate ** (2.0 * t),
                "color": color_for(opt),
                "dash": "dash",
            }
        )
    st.plotly_chart(
        loss_curves_figure(
            curves,
            title="Measured loss gap vs the predicted rate",
            present=view.present,
            height=420,
        ),
        config={"displayModeBar": False},
    )
    st.caption(
        "Momentum's measured curve bends at first and then runs parallel to its line: at the "
        "optimal μ the extreme directions are critically damped, which adds a factor t."
    )


def _rotation_section(surface, tol: float, view) -> None:
    kappa = dict(surface.params)["kappa"]
    st.subheader("Rotation takes away the diagonal methods' advantage")
    st.markdown(
        "Move the bowl's **κ** slider in the sidebar: gradient descent needs more steps as κ "
        "grows. Then rotate it: gradient descent does not care — it is rotation-invariant. "
        "AdaGrad, RMSProp and Adam divide each *coordinate* by its own gradient scale; on an "
        "axis-aligned bowl (0° or 90°) that undoes the ill-conditioning, on a rotated one it "
        "cannot, because the steep direction mixes both coordinates. Below, AdaGrad's lead "
        "melts away as the bowl turns towards 45°; Adam, whose constant step length and "
        "momentum dominate here, gains little from the scaling at any angle."
    )
    steps_by = rotation_steps(float(kappa), tol)
    st.plotly_chart(
        rotation_figure(
            ROTATION_ANGLES,
            steps_by,
            max_steps=ROTATION_STEPS,
            labels={o: OPTIMIZERS[o].name for o in steps_by},
            present=view.present,
            height=380,
        ),
        config={"displayModeBar": False},
    )
    st.caption(
        f"κ = {kappa:g}; each optimizer at its best of {ROTATION_LRS} learning rates around its "
        f"suggested one, {ROTATION_STEPS} steps from the bowl's start (turned with the bowl); "
        f"steps until f − f* stays below {tol:g} × its start value."
    )


def main() -> None:
    st.title("Learning-rate lab")
    st.markdown(
        "Run a whole grid at once — every learning rate × momentum (or β₁, ρ) — and colour each "
        "cell by how it ended. Click a cell to see that run."
    )
    view = current_view()
    surface = require_surface(view)
    start = start_of(view, surface)
    config = _controls(surface, start)
    try:
        grid = outcome_grid(
            view.surface_id,
            view.params,
            view.formula,
            config["optimizer"],
            tuple(map(float, start)),
            config["lr_lo"],
            config["lr_hi"],
            config["n"],
            config["steps"],
            config["fixed"],
            config["tol"],
        )
    except OptimizerError as err:  # e.g. a start point where the formula is not defined
        st.error(f"Cannot run from ({start[0]:.4g}, {start[1]:.4g}): {err}")
        st.stop()
    theory = theory_of(surface)
    spec = OPTIMIZERS[config["optimizer"]]
    best = best_cell(grid)
    # On a projector the chart gets the whole width and the picked run goes below it.
    chart_column, run_column = (
        (st.container(), st.container()) if view.present else st.columns([3, 2], gap="medium")
    )
    with run_column:
        pick_lr, pick_second = _pick_inputs(spec, best)
    is_best = pick_lr is None and pick_second is None
    pick = (
        best[0] if pick_lr is None else float(pick_lr),
        None if spec.second is None else best[1] if pick_second is None else float(pick_second),
    )
    with chart_column:
        st.plotly_chart(
            outcome_chart(grid, config, theory, pick, view.present),
            key=CHART,
            on_select=functools.partial(pick_from_click, CHART, spec.second is not None),
            selection_mode="points",
            config={"displayModeBar": False},
        )
        diverged = int((grid["diverged_at"] >= 0).sum())
        st.caption(
            f"{grid['diverged_at'].size} runs of {config['steps']} steps from "
            f"({start[0]:.3g}, {start[1]:.3g}); {diverged} diverged (red). f* = "
            f"{grid['f_ref']:.6g}, the lowest loss known."
        )
        if config["metric"] == "steps" and not np.isfinite(grid["steps_to_tol"]).any():
            st.info(
                "No run settled within the tolerance in these steps: give them more steps, "
                "a looser tolerance or a wider learning-rate range."
            )
    with run_column:
        _picked_run(surface, start, config, grid, pick, is_best, view)
    if surface.quadratic_eigenvalues is not None:
        if theory is None:
            st.info(
                "This quadratic is not convex (λ_min ≤ 0): there is no minimum to converge "
                "to, so no convergence rate — gradient descent runs away along the negative "
                "curvature."
            )
        else:
            _theory_section(surface, start, theory, config["steps"], grid["f_ref"], view)
            if surface.id == "bowl":
                _rotation_section(surface, config["tol"], view)


if __name__ == "__main__":
    main()
