"""Step by step: one optimizer, one update at a time — the rule with this step's numbers, the
optimizer's state, the same rule as code, and the comparisons that matter for it."""

from __future__ import annotations

import streamlit as st

from optim_core import OPTIMIZERS, OptimizerError
from optim_core.analysis import stopped_why
from teach.compare import COMPARISONS, step_gradient
from viz import (
    comparison_figure,
    plotly_config,
    state_table,
    step_figure,
    step_latex,
    zoom_bounds,
)
from webapp.budget import STEP_DEADLINE, stopped_message
from webapp.cache import cached_on_surface
from webapp.controls import (
    ensure_lr,
    minibatch_controls,
    noise_controls,
    optimizer_controls,
    schedule_controls,
    steps_control,
)
from webapp.runs import cached_run
from webapp.settings import SCHEMA, StepSettings, read_hyper
from webapp.state import (
    current_view,
    forget,
    page_fragment,
    publish,
    set_values,
    show_notices,
    store,
    widget,
)
from webapp.table import table
from webapp.ui import hero_chart, require_surface, stacked_columns, start_of

CONFIG = plotly_config()
HERO_ROOM = 12.5  # rem: the title above the presented picture, the step row below it


def _move(delta: int, steps: int) -> None:
    """Previous / next: move the step one along, staying inside 1 … steps."""
    t = int(store().get("step_t", 1)) + delta
    set_values(step_t=min(max(t, 1), steps))


def _zoom(label: str = "Zoom to this step") -> bool:
    hint = "Late steps are short: zoom the view to this step's points."
    return widget(st.toggle, label, "step_zoom", help=hint)


def _scrubber(steps: int, present: bool) -> tuple[int, bool | None]:
    """Step t, and (presenting, where the zoom toggle joins this row) whether to zoom."""
    if int(store().get("step_t", 1)) > steps:
        set_values(step_t=steps)
    spec = [4, 6, 4, 4] if present else [3, 12, 3]  # presenting: under the picture, large type
    back, slider, forward, *more = st.columns(spec, vertical_alignment="bottom")
    zoom = None
    if more:
        with more[0]:
            zoom = _zoom("Zoom")
    back.button(
        "◀ Back" if present else "◀ Previous",
        key="step_prev",
        on_click=_move,
        args=(-1, steps),
        width="stretch",
    )
    forward.button("Next ▶", key="step_next", on_click=_move, args=(1, steps), width="stretch")
    hint = "The update from θ_{t−1} to θ_t. Steps count from 1, as in the update rules."
    with slider:
        t = int(widget(st.slider, "Step t", "step_t", min_value=1, max_value=steps, help=hint))
    return t, zoom


def _rule(spec, hyper: dict) -> None:
    """The update rule as LaTeX and as the NumPy code a test runs against ``run()``."""
    rule, code = stacked_columns("step_rule", 2, gap="medium")
    with rule:
        st.markdown(f"**The rule** — {spec.name}")
        st.latex(spec.latex_for(hyper))
    with code:
        st.markdown("**The same rule in NumPy** (run by the tests against the app's runner)")
        st.code(spec.code_for(hyper), language="python", wrap_lines=True)
        st.caption(f"Equals {spec.equals}. {spec.convention_for(hyper)}")


def _this_step(surface, trajectory, t: int, noise, present: bool, hero, zoom: bool | None) -> None:
    """The picture (presenting: ``hero``, the picture's place and the numbers' beside it, at the
    top of the page) and this step's numbers: a stochastic gradient (``noise`` σ > 0, or a
    mini-batch) as ĝ, with the exact ∇f beside it."""
    if present:  # the numbers beside the picture and ◀ ▶: on the projector's one screen
        picture, numbers = hero
    else:
        picture, numbers = stacked_columns("step_now", 2, gap="medium")
    with picture:
        zoom = _zoom() if zoom is None else zoom
        bounds = zoom_bounds(trajectory, t, surface.bounds) if zoom else None
        figure = step_figure(surface, trajectory, t, present, bounds=bounds)
        hero_chart(figure, present, key="step_chart", room=HERO_ROOM, side_legend=True)
    gradient = step_gradient(trajectory, t, surface, noise)
    with numbers:
        st.markdown(f"**This step, t = {t}** — every number from the run")
        st.latex(step_latex(trajectory, t, gradient))
        if gradient.batch is not None:
            used = ", ".join(str(i) for i in gradient.batch)
            st.markdown(
                f"**Mini-batch $B_{{{t}}}$ of step {t}**: ĝ averages the gradients ∇ℓᵢ of "
                f"examples {used}"
            )
        st.markdown(f"**State after step {t}**")
        table(state_table(trajectory, t, gradient))


@cached_on_surface(max_entries=256, show_spinner=False)
def _comparison(surface, which: str, hypers: tuple, start, steps: int):
    return COMPARISONS[which].compute(surface, *map(dict, hypers), start, steps)


def _compare(surface, start, steps: int, present: bool, first: str) -> None:
    st.header("Compare with")
    if "step_compare" not in store():
        st.session_state.pop("step_compare", None)  # the optimizer's own comparison first
    which = (
        widget(
            st.segmented_control,
            "Comparison",
            "step_compare",
            default=first,
            options=list(COMPARISONS),
            format_func=lambda c: COMPARISONS[c].title,
            label_visibility="collapsed",
        )
        or first
    )
    hypers = []
    for opt in COMPARISONS[which].optimizers:
        ensure_lr(opt, surface, start)
        hypers.append(tuple(sorted(read_hyper(store(), SCHEMA, opt).items())))
    chart = _comparison(surface, which, tuple(hypers), start, steps).chart()
    st.markdown(COMPARISONS[which].story)
    figure = comparison_figure(surface, chart, present)
    if chart.rows:
        where, numbers = stacked_columns("step_compare_chart", [3, 2])
        where.plotly_chart(figure, theme=None, config=CONFIG)
        table(list(chart.rows), container=numbers)
    else:
        st.plotly_chart(figure, theme=None, config=CONFIG)


def step_page() -> None:
    view = current_view()
    st.title("Step by step")
    if not view.present:
        st.caption(
            "One optimizer, one update at a time: the rule, this step's numbers in it, the state "
            "the optimizer carries, and the same rule as code. Move with ◀ ▶ or drag the slider."
        )
    show_notices()
    surface = require_surface(view)  # a formula it refuses: the error under the title, as elsewhere
    _step(view, surface, start_of(view, surface))


@page_fragment
def _step(view, surface, start) -> None:
    """Everything under the title. ◀ ▶, the slider and the settings rerun this part only: not
    the sidebar and the page around it, on the server and in the browser."""
    # Presenting: the picture first and large with the step row under it and this step's numbers
    # beside them, then the settings row.
    hero, row = None, None
    if view.present:
        left, right = st.columns([5, 4], gap="medium")
        hero, row = (left.container(), right), left.container()
    optimizer, steps = _settings(surface, start)
    step = StepSettings.read(store())
    hyper = dict(step.hyper)
    try:
        timed = {**hyper, "deadline": STEP_DEADLINE}
        trajectory = cached_run(surface, optimizer, timed, start, step.run, record_state=True)
    except OptimizerError as err:
        st.error(f"This run cannot start: {err}")
        publish(step)
        return
    if not view.present:
        _rule(OPTIMIZERS[optimizer], hyper)
        row = st.container()
    with row:
        t, zoom = _scrubber(steps, view.present)
    if trajectory.diverged_at is not None:
        message = f"This run {stopped_why(surface, trajectory)}"
        (st.error if t >= trajectory.diverged_at else st.warning)(message)
    if (cut := trajectory.deadline_at) is not None:
        stopped = stopped_message("This run", STEP_DEADLINE, cut, steps)
        message = f"{stopped}: steps after {cut} were not computed."
        (st.error if t > cut else st.warning)(message, icon="⏱️")
    _this_step(surface, trajectory, t, step.run.noise, view.present, hero, zoom)
    if view.present:
        _rule(OPTIMIZERS[optimizer], hyper)
    _compare(surface, start, steps, view.present, step.comparison)
    publish(StepSettings.read(store()))


def _settings(surface, start) -> tuple[str, int]:
    """The optimizer, its hyperparameters, the number of steps and the run's options."""
    pick, settings, length = st.columns([2, 3, 2])
    with pick:
        names = {"options": list(OPTIMIZERS), "format_func": lambda o: OPTIMIZERS[o].name}
        new = {"on_change": forget, "args": (lambda key: key == "step_compare",)}  # its own
        optimizer = widget(st.selectbox, "Optimizer", "step_opt", **names, **new)
        st.caption(OPTIMIZERS[optimizer].description)
    optimizer_controls(optimizer, surface, start, container=settings)
    with length:
        steps = steps_control()
        with st.expander("Schedule, noise, batches"):
            schedule_controls()
            minibatch_controls(surface)
            noise_controls()
    return optimizer, steps


step_page()
