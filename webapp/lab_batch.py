"""The Learning-rate lab's picked cell (typed or clicked) and its batch-size axis on data
surfaces: the choice of second axis, how the examples are drawn, the picked m and the cached
learning rate × batch size grid. Layout only; the sweep is ``optim_core.grid.batch_sweep``.
"""

from __future__ import annotations

import streamlit as st

from optim_core import grid as core
from webapp import budget
from webapp.cache import cached_on_surface
from webapp.settings import SCHEMA, LabSettings
from webapp.state import set_values, store, widget
from webapp.ui import clicked_point

SAMPLING_LABELS = {"shuffle": "shuffled epochs", "replacement": "with replacement"}


@cached_on_surface(max_entries=32, show_spinner="Running the grid…")
def batch_grid(surface, optimizer, start, lr_range, n, steps, tol, fixed, sampling, seed):
    """The learning rate × batch size sweep, or the Budget it would exceed."""
    sizes = core.batch_sizes(surface.n_examples)
    runs = n * len(sizes)
    mean_m = round(sum(sizes) / len(sizes))
    verdict = budget.grid_budget(surface, optimizer, start, runs, steps, batch_size=mean_m)
    if not verdict.ok:
        return verdict
    args = (optimizer, start, lr_range, n, steps, tol, dict(fixed))
    timed = {"sampling": sampling, "seed": seed, "deadline": budget.LAB_DEADLINE}
    return core.batch_sweep(surface, *args, **timed)


def axis_controls(surface, optimizer: str, container=None) -> str:
    """On a data surface, the grid's second axis: the optimizer's second hyperparameter (or
    none) or the batch size m, and then how the examples are drawn. Elsewhere the batch axis
    (from a link) falls back to the hyperparameter. Returns the axis."""
    container = container or st
    if not surface.n_examples:
        if store().get("lab_axis") == "batch":
            set_values(lab_axis="second")
        return "second"
    h = LabSettings.second_hyper(optimizer)
    labels = {"second": h.label if h else "none (α alone)", "batch": LabSettings.BATCH_LABEL}
    left, right = container.columns(2)
    axis = widget(
        left.radio,
        "Second axis",
        "lab_axis",
        options=list(labels),
        format_func=labels.get,
        horizontal=True,
        help=f"With the batch size m, each run averages m of the {surface.n_examples} examples' "
        "gradients per step (plain SGD when the optimizer is SGD).",
    )
    if axis == "batch":
        widget(
            right.radio,
            "Examples drawn",
            "sampling",
            options=list(SAMPLING_LABELS),
            format_func=SAMPLING_LABELS.get,
            horizontal=True,
        )
    return axis


def pick_m_input(container, best: core.Cell, n_examples: int) -> None:
    """The picked cell's batch size, typed (a click on the chart fills it)."""
    typed = store().get("lab_pick_m")
    if typed is not None and not 1 <= typed <= n_examples:  # from a link: clamp it
        set_values(lab_pick_m=min(max(typed, 1), n_examples))
    widget(
        container.number_input,
        "Picked m",
        "lab_pick_m",
        value=None,
        min_value=1,
        max_value=n_examples,
        step=1,
        placeholder=f"best cell: {best.second:.0f}",
    )


def pick_from_click(chart_key: str, second_key: str | None) -> None:
    """``on_select``: the clicked cell becomes the pick — both coordinates, one history entry
    (``second_key``: "lab_pick_second", "lab_pick_m" for a batch grid, or None for α alone)."""
    picked = clicked_point(chart_key)
    if picked is not None:
        y = round(picked[1]) if second_key == "lab_pick_m" else float(f"{picked[1]:.6g}")
        second = {second_key: y} if second_key else {}
        set_values(lab_pick_lr=float(f"{picked[0]:.6g}"), **second)


def pick_inputs(lab: LabSettings, best: core.Cell, n_examples: int) -> None:
    """The picked cell, typed (a click on the chart fills both)."""
    left, right = st.columns(2)
    f, h = SCHEMA["lab_pick_lr"], LabSettings.second_hyper(lab.optimizer)
    lr = {"min_value": f.lo, "max_value": f.hi, "placeholder": f"best cell: {best.lr:.3g}"}
    widget(left.number_input, "Picked α", "lab_pick_lr", value=None, format="%.4g", **lr)
    if lab.batch_axis:
        pick_m_input(right, best, n_examples)
    elif h is not None:
        typed = store().get("lab_pick_second")
        if typed is not None and not h.min <= typed <= h.max:  # from a link: clamp it
            set_values(lab_pick_second=min(max(typed, h.min), h.max))
        second = {"min_value": h.min, "max_value": h.max, "value": None, "format": "%.4g"}
        label, hint = f"Picked {h.label}", f"best cell: {best.second:.3g}"
        widget(right.number_input, label, "lab_pick_second", placeholder=hint, **second)
