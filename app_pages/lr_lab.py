"""Learning-rate lab: the outcome of a whole grid of runs, learning rate × momentum (or β₁, ρ)."""

from __future__ import annotations

import streamlit as st

from optim_core import OPTIMIZERS, OptimizerError, divergence_reason, suggest_lr
from optim_core import grid as core
from teach import lab_text
from viz import (
    loss_curves_figure,
    outcome_figure,
    plotly_config,
    rotation_figure,
    trajectory_figure,
)
from webapp import budget
from webapp.cache import cached_on_surface
from webapp.controls import optimizer_controls, steps_control
from webapp.lab_batch import axis_controls, batch_grid, pick_from_click, pick_inputs
from webapp.runs import cached_run
from webapp.settings import SCHEMA, LabSettings, nearest_option
from webapp.state import current_view, forget, publish, show_notices, store, widget
from webapp.ui import hero_chart, require_surface, stacked_columns, start_of

CHART = "lab_chart"
CONFIG = plotly_config(mode_bar=False)
LR_SPAN = 100.0  # the suggested range: the suggested α ÷ 100 … × 100
_MEMO = "_lab_surface"  # in the store: the surface the range and the pick were set on
_STALE = LabSettings.RANGE_KEYS + LabSettings.PICK_KEYS
METRIC_LABELS = {"loss": "final loss f − f*", "steps": "steps to settle"}
LAB_ADVICE = "Choose a smaller grid or fewer steps (or a simpler formula)."


@cached_on_surface(max_entries=32, show_spinner="Running the grid…")
def _grid(surface, optimizer, start, lr_range, n, steps, tol, fixed):
    """The sweep, or the GridBudget it would exceed (a refusal is cached like a result)."""
    runs = n * n if OPTIMIZERS[optimizer].second else n
    verdict = budget.grid_budget(surface, optimizer, start, runs, steps)
    if not verdict.ok:
        return verdict
    grid = (optimizer, start, lr_range, n, steps, tol, dict(fixed))
    return core.grid_sweep(surface, *grid, deadline=budget.LAB_DEADLINE)


@st.cache_data(max_entries=16, show_spinner="Rotating the bowl…")
def _rotation(kappa: float, tol: float) -> core.RotationComparison:
    return core.rotation_comparison(kappa, tol)


@st.cache_data(max_entries=16, show_spinner=False)
def _round_bowl(tol: float) -> core.RotationComparison:
    """The same sweep on the round bowl (κ = 1): each optimizer's steps without
    ill-conditioning, which the rotation text compares against."""
    return core.rotation_comparison(1.0, tol, angles=(0.0,))


def _follow_surface(surface, optimizer: str, start) -> None:
    """The range and the pick belong to the surface they were set on (a link rebuilds the store
    without the memo, so its own values stay); a missing end of the range is suggested."""
    values = store()
    if values.get(_MEMO, surface.key) != surface.key:
        forget(_STALE.__contains__)
    values[_MEMO] = surface.key
    center = suggest_lr(optimizer, surface, start)
    for key, lr in zip(_STALE[:2], (center / LR_SPAN, center * LR_SPAN), strict=True):
        if values.get(key) is None:
            values[key] = nearest_option(LabSettings.LR_OPTIONS, lr)


def _controls(surface, start) -> None:
    top, row = st.columns(4), st.columns([3, 3, 2])
    forget_stale = {"on_change": forget, "args": (_STALE.__contains__,)}  # another optimizer
    names = {"options": list(OPTIMIZERS), "format_func": lambda o: OPTIMIZERS[o].name}
    opt = widget(top[0].selectbox, "Optimizer", "lab_opt", **names, **forget_stale)
    _follow_surface(surface, opt, start)
    metric = {"options": list(METRIC_LABELS), "format_func": METRIC_LABELS.get}
    widget(top[1].radio, "Colour by", "lab_metric", horizontal=True, **metric)
    n = {"min_value": int(SCHEMA["lab_n"].lo), "max_value": int(SCHEMA["lab_n"].hi)}
    widget(top[2].slider, "Grid size n (n × n runs)", "lab_n", **n)
    steps_control(top[3], max_steps=LabSettings.MAX_STEPS)
    lrs = {"options": list(LabSettings.LR_OPTIONS), "format_func": lambda v: f"{v:g}"}
    widget(row[0].select_slider, "Smallest α", "lab_lr_min", **lrs)
    widget(row[1].select_slider, "Largest α", "lab_lr_max", **lrs)
    tols = {"options": list(LabSettings.TOL_OPTIONS), "format_func": lambda v: f"{v:g}"}
    settled = f"A run has settled at step k when f − f* {lab_text.SETTLED}."
    widget(row[2].select_slider, "Tolerance tol (relative)", "lab_tol", help=settled, **tols)
    h, axis = LabSettings.second_hyper(opt), axis_controls(surface, opt)
    skip = ("lr", h.name if h and axis != "batch" else "")  # a batch grid fixes μ (β₁, ρ)
    optimizer_controls(opt, surface, start, up_front=(), skip=skip)


def _picked_run(surface, start, lab: LabSettings, pick: core.Cell, f_ref, present) -> None:
    hyper, label = lab.hyper_at(pick.lr, pick.second), lab.cell_label(pick.lr, pick.second)
    timed = {**hyper, "deadline": budget.LAB_DEADLINE}
    t = cached_run(surface, lab.optimizer, timed, start, lab.run_at(pick.second))
    is_best = lab.pick_lr is None and lab.pick_second is None and lab.pick_m is None
    head = "Best cell" if is_best else "Picked run"
    more = " — click a cell to pick another." if is_best else ""
    st.markdown(f"**{head}: {OPTIMIZERS[lab.optimizer].name}, {label}**{more}")
    if t.diverged_at is not None:
        st.warning(divergence_reason(surface, lab.optimizer, hyper, t.diverged_at))
    if t.deadline_at is not None:
        stopped = budget.stopped_message("This run", budget.LAB_DEADLINE, t.deadline_at, lab.steps)
        st.warning(f"{stopped}.", icon="⏱️")
    path_area, loss_area = st.columns(2) if present else (st.container(), st.container())
    stop, opt = t.diverged_at, lab.optimizer
    size = {"present": present, "height": 480 if present else 420}
    path = trajectory_figure(surface, t.path, optimizer=opt, label=label, diverged_at=stop, **size)
    path_area.plotly_chart(path, theme=None, config=CONFIG)
    size["height"] = 480 if present else 300
    curve = core.measured_curve(label, t, f_ref, lab.optimizer)
    loss = loss_curves_figure([curve], title="Loss gap f − f* of this run", **size)
    loss_area.plotly_chart(loss, theme=None, config=CONFIG)


def _theory(surface, start, theory, lab: LabSettings, f_ref: float, present: bool) -> None:
    st.subheader("Theory on a quadratic")
    opts = ("sgd", "momentum", *((lab.optimizer,) if lab.optimizer in core.NESTEROV else ()))
    metrics = lab_text.theory_metrics(theory, opts)
    for column, (label, value, why) in zip(st.columns(len(metrics)), metrics, strict=True):
        column.metric(label, value, help=why)
    st.markdown(lab_text.theory_text(theory))
    curves = core.predicted_curves(surface, start, theory, lab.steps, f_ref, opts)
    title = "Measured loss gap vs the predicted rate"
    figure = loss_curves_figure(curves, title=title, present=present, height=420)
    st.plotly_chart(figure, theme=None, config=CONFIG)
    if surface.id == "bowl":
        st.subheader(lab_text.ROTATION_TITLE)
        comparison = _rotation(float(dict(surface.params)["kappa"]), lab.tol)
        labels = {o: OPTIMIZERS[o].name for o in comparison.optimizers}
        st.markdown(lab_text.rotation_text(comparison, _round_bowl(lab.tol), labels))
        figure = rotation_figure(comparison, labels=labels, present=present, height=380)
        st.plotly_chart(figure, theme=None, config=CONFIG)
        st.caption(lab_text.rotation_caption(comparison))


def _outcome(grid, lab: LabSettings, pick: core.Cell, theory, start, present: bool) -> None:
    axis = lab.batch_axis
    overlay = core.theory_overlay(lab.optimizer, theory, grid.seconds, batch_axis=axis)
    size = {"present": present, "height": 620 if present else 540, "second_log": axis}
    size.update(metric=lab.metric, steps=lab.steps, second_label=lab.second_label)
    figure = outcome_figure(grid, overlay=overlay, pick=pick, **size)
    key = "lab_pick_m" if axis else "lab_pick_second" if grid.seconds is not None else None
    clicks = {"key": CHART, "on_select": lambda: pick_from_click(CHART, key)}
    hero_chart(figure, present, config=CONFIG, selection_mode="points", **clicks)
    caption = (lab_text.batch_caption, lab.sampling) if axis else (lab_text.grid_caption,)
    st.caption(caption[0](grid, lab.steps, start, lab.tol, *caption[1:]))
    if lab.metric == "steps" and not grid.any_settled:
        st.info(lab_text.NONE_SETTLED)


def _results(surface, start, lab: LabSettings, grid, present: bool, hero) -> LabSettings:
    """The chart (to present: in ``hero``), the picked run, the theory; the settings + pick."""
    best = core.best_cell(grid)
    chart, side = (hero, st.container()) if present else stacked_columns("lab", [3, 2])
    with side:
        pick_inputs(lab, best, surface.n_examples)
    lab = LabSettings.read(store())
    pick = lab.picked(best, surface.n_examples)
    theory = core.surface_theory(surface)
    with chart:
        _outcome(grid, lab, pick, theory, start, present)
    with side:
        _picked_run(surface, start, lab, pick, grid.f_ref, present)
    if theory is not None:
        _theory(surface, start, theory, lab, grid.f_ref, present)
    elif surface.quadratic_eigenvalues is not None:
        st.info(lab_text.no_theory(surface.quadratic_eigenvalues))
    return lab


def main() -> None:
    st.title("Learning-rate lab")
    view = current_view()
    if not view.present:
        st.markdown(
            "Run a whole grid at once — every learning rate × momentum (or β₁, ρ) — and colour "
            "each cell by how it ended. Click a cell to see that run."
        )
    show_notices()
    surface = require_surface(view)
    start = start_of(view, surface)
    hero = st.container() if view.present else None  # presenting: the grid first and large
    with st.expander("Settings: optimizer, grid, α range") if hero else st.container():
        _controls(surface, start)
    lab = LabSettings.read(store())
    args = (lab.optimizer, start, lab.lr_range, lab.n, lab.steps, lab.tol, lab.fixed)
    try:
        batch = (lab.sampling, lab.seed) if lab.batch_axis else ()
        sweep = batch_grid if batch else _grid
        grid = sweep(surface, *args, *batch)
        if getattr(grid, "deadline_at", None) is not None:
            sweep.clear(surface, *args, *batch)  # cut short by a busy server: not kept
    except OptimizerError as err:  # e.g. a start point where the formula is not defined
        grid = None
        st.error(f"Cannot run from ({start[0]:.4g}, {start[1]:.4g}): {err}")
    if isinstance(grid, budget.Budget):
        st.warning(grid.message, icon="⏱️")
    elif grid is not None:
        if grid.deadline_at is not None:
            stopped = budget.stopped_message(
                "The grid", budget.LAB_DEADLINE, grid.deadline_at, lab.steps
            )
            st.warning(f"{stopped}: each cell shows its run as it was then. {LAB_ADVICE}", icon="⏱️")
        lab = _results(surface, start, lab, grid, view.present, hero)
    publish(lab)


main()
