"""Step by step: one optimizer, one update at a time — the rule with this step's numbers, the
optimizer's state, the same rule as code, and the variants that differ where it matters."""

from __future__ import annotations

import streamlit as st

from app_pages._controls import (
    hyper_key,
    log_options,
    nearest_option,
    optimizer_controls,
    steps_control,
)
from app_pages._ui import current_view, load_surface, require_surface, start_of
from optim_core import OPTIMIZERS, divergence_reason, run, suggest_lr
from viz._base import color_for
from viz.step import (
    Series,
    paths_figure,
    series_figure,
    state_table,
    step_figure,
    step_latex,
    step_sizes,
    zoom_bounds,
)

STEP_KEY = "step_t"
FIRST_STEPS = 10  # the bias-correction comparison looks at the first steps
PLOTLY_CONFIG = {"displaylogo": False}

# Which comparison matters most for each optimizer (the others follow it).
VARIANTS = ("Adam: bias correction", "Nesterov: two forms", "AdaGrad vs RMSProp: the cache")
_FIRST_VARIANT = {
    "adam": 0,
    "adamw": 0,
    "amsgrad": 0,
    "nadam": 0,
    "momentum": 1,
    "nesterov": 1,
    "nesterov_reparam": 1,
    "adagrad": 2,
    "rmsprop": 2,
    "rmsprop_nesterov": 2,
    "adadelta": 2,
}


@st.cache_data(max_entries=512, show_spinner=False)
def recorded_run(
    surface_id: str,
    params: tuple[tuple[str, float], ...],
    formula: str,
    optimizer: str,
    hyper: tuple[tuple[str, float], ...],
    start: tuple[float, float],
    steps: int,
):
    """A run with every state field recorded, cached by plain values."""
    surface = load_surface(surface_id, params, formula)
    return run(surface, optimizer, start=start, steps=steps, record_state=True, **dict(hyper))


def _run(view, optimizer: str, hyper: dict, start, steps: int):
    return recorded_run(
        view.surface_id,
        view.params,
        view.formula,
        optimizer,
        tuple(sorted(hyper.items())),
        tuple(float(v) for v in start),
        steps,
    )


def _current_hyper(optimizer: str, surface, start) -> dict:
    """An optimizer's hyperparameters as its shared widgets last held them (the URL keys
    ``{optimizer}_{hyper}``), else the widgets' defaults — for the variants, whose optimizer
    may not be the one on show."""
    values = {}
    for h in OPTIMIZERS[optimizer].hyper:
        if h.name == "lr":
            default = nearest_option(
                log_options(h.min, h.max), suggest_lr(optimizer, surface, start)
            )
        else:
            default = h.default
        values[h.name] = st.session_state.get(hyper_key(optimizer, h.name), default)
    return values


def _move(delta: int, steps: int) -> None:
    """Previous / next: move the scrubber one step, staying inside 1 … steps."""
    t = int(st.session_state.get(STEP_KEY, 1)) + delta
    st.session_state[STEP_KEY] = min(max(t, 1), steps)


def _scrubber(steps: int) -> int:
    if int(st.session_state.get(STEP_KEY, 1)) > steps:
        st.session_state[STEP_KEY] = steps
    back, slider, forward = st.columns([3, 12, 3], vertical_alignment="bottom")
    back.button("◀ Previous", key="step_prev", on_click=_move, args=(-1, steps), width="stretch")
    forward.button("Next ▶", key="step_next", on_click=_move, args=(1, steps), width="stretch")
    return int(
        slider.slider(
            "Step t",
            1,
            steps,
            1,
            key=STEP_KEY,
            bind="query-params",
            help="The update from θ_{t−1} to θ_t. Steps count from 1, as in the update rules.",
        )
    )


def _rule(spec) -> None:
    """The update rule as LaTeX and, beside it, as NumPy code: the metadata's, shown as is."""
    rule, code = st.columns(2, gap="medium")
    with rule:
        st.markdown(f"**The rule** — {spec.name}")
        st.latex(spec.latex)
    with code:
        st.markdown("**The same rule in NumPy**")
        st.code(spec.code, language="python", wrap_lines=True)
        st.caption(f"Equals {spec.equals}. {spec.convention}")


def _this_step(surface, trajectory, t: int, present: bool) -> None:
    picture, numbers = st.columns(2, gap="medium")
    with picture:
        zoom = st.toggle(
            "Zoom to this step",
            key="step_zoom",
            bind="query-params",
            help="Late steps are short: zoom the view to this step's points.",
        )
        bounds = zoom_bounds(trajectory, t, surface.bounds) if zoom else None
        st.plotly_chart(
            step_figure(surface, trajectory, t, present, bounds=bounds),
            config=PLOTLY_CONFIG,
            key="step_chart",
        )
    with numbers:
        st.markdown(f"**This step, t = {t}** — every number from the run")
        st.latex(step_latex(trajectory, t))
        st.markdown(f"**State after step {t}**")
        st.dataframe(state_table(trajectory, t), hide_index=True, width="stretch")


def _compare_bias_correction(view, surface, start, steps: int, present: bool) -> None:
    hyper = _current_hyper("adam", surface, start)
    shown = min(FIRST_STEPS, steps)
    with_hats = _run(view, "adam", {**hyper, "bias_correction": True}, start, steps)
    without = _run(view, "adam", {**hyper, "bias_correction": False}, start, steps)
    big, small = step_sizes(with_hats)[:shown], step_sizes(without)[:shown]
    st.markdown(
        f"The same Adam run (α = {hyper['lr']:g}, β₁ = {hyper['beta1']:g}, "
        f"β₂ = {hyper['beta2']:g}) with and without dividing m and v by 1 − βᵗ. "
        "The moments start at 0, so early on they are too small: m by the factor 1 − β₁ᵗ, "
        "v by 1 − β₂ᵗ. Without the correction the step is m/√v, off by "
        "(1 − β₁ᵗ)/√(1 − β₂ᵗ): the first steps differ most."
    )
    chart, table = st.columns([3, 2])
    chart.plotly_chart(
        series_figure(
            [
                Series("with bias correction", big, color_for("adam")),
                Series("without", small, color_for("adam"), dash="dot"),
            ],
            title=f"Step size ‖θ_t − θ_(t−1)‖, first {shown} steps",
            y_title="step size",
            log_y=True,
            present=present,
        ),
        config=PLOTLY_CONFIG,
        key="step_bias_chart",
    )
    table.dataframe(
        [
            {
                "t": i + 1,
                "with correction": f"{a:.4g}",
                "without": f"{b:.4g}",
                "without ÷ with": f"{b / a:.3g}" if a > 0 else "n/a",
            }
            for i, (a, b) in enumerate(zip(big, small, strict=True))
        ],
        hide_index=True,
        width="stretch",
    )


def _compare_nesterov(view, surface, start, steps: int, present: bool) -> None:
    hyper = _current_hyper("nesterov", surface, start)
    look_ahead = _run(view, "nesterov", hyper, start, steps)
    reparam = _run(view, "nesterov_reparam", hyper, start, steps)
    st.markdown(
        f"The same method (α = {hyper['lr']:g}, μ = {hyper['momentum']:g}) written two ways. "
        "The look-ahead form keeps θ and takes the gradient at θ̃ = θ + μv (open circles); the "
        "re-parametrized form (torch's `nesterov=True`) keeps θ̃ itself as its iterate, so its "
        "path runs through the look-ahead points."
    )
    st.plotly_chart(
        paths_figure(
            surface,
            [look_ahead, reparam],
            [OPTIMIZERS["nesterov"].name, OPTIMIZERS["nesterov_reparam"].name],
            present,
        ),
        config=PLOTLY_CONFIG,
        key="step_nesterov_chart",
    )
    with st.expander("Where each form sits in the lecture notes and in torch"):
        for opt in ("nesterov", "nesterov_reparam"):
            spec = OPTIMIZERS[opt]
            st.markdown(f"**{spec.name}** — equals {spec.equals}. {spec.convention}")


def _compare_caches(view, surface, start, steps: int, present: bool) -> None:
    adagrad = _run(view, "adagrad", _current_hyper("adagrad", surface, start), start, steps)
    rmsprop = _run(view, "rmsprop", _current_hyper("rmsprop", surface, start), start, steps)
    st.markdown(
        "AdaGrad adds every g² to its cache r, so r only grows and its per-coordinate learning "
        "rate α/(√r + ε) only shrinks: it can stall before the minimum. RMSProp keeps a moving "
        "average instead: old gradients fade, and the rate follows the recent gradient size."
    )
    series = []
    for trajectory in (adagrad, rmsprop):
        rates = trajectory.states["effective_lr"]
        name = OPTIMIZERS[trajectory.optimizer].name
        color = color_for(trajectory.optimizer)
        series.append(Series(f"{name}, x", rates[:, 0], color))
        series.append(Series(f"{name}, y", rates[:, 1], color, dash="dot"))
    st.plotly_chart(
        series_figure(
            series,
            title="Effective learning rate per coordinate",
            y_title="α / (√r + ε)",
            log_y=True,
            present=present,
        ),
        config=PLOTLY_CONFIG,
        key="step_cache_chart",
    )


def step_page() -> None:
    view = current_view()
    surface = require_surface(view)
    start = start_of(view, surface)
    st.title("Step by step")
    st.caption(
        "One optimizer, one update at a time: the rule, this step's numbers in it, the state the "
        "optimizer carries, and the same rule as code. Move with ◀ ▶ or drag the step slider."
    )
    ids = list(OPTIMIZERS)
    pick, settings, length = st.columns([2, 3, 2])
    optimizer = pick.selectbox(
        "Optimizer",
        ids,
        index=ids.index("adam"),
        format_func=lambda o: OPTIMIZERS[o].name,
        key="step_opt",
        bind="query-params",
    )
    pick.caption(OPTIMIZERS[optimizer].description)
    hyper = optimizer_controls(optimizer, surface, start, container=settings)
    steps = steps_control(length)
    trajectory = _run(view, optimizer, hyper, start, steps)

    _rule(OPTIMIZERS[optimizer])
    t = _scrubber(steps)
    if trajectory.diverged_at is not None:
        message = f"This run diverged at step {trajectory.diverged_at}. " + divergence_reason(
            surface, optimizer, trajectory.hyper, trajectory.diverged_at
        )
        (st.error if t >= trajectory.diverged_at else st.warning)(message)
    _this_step(surface, trajectory, t, view.present)

    st.header("Compare with")
    order = _FIRST_VARIANT.get(optimizer, 0)
    tabs = st.tabs(VARIANTS, default=VARIANTS[order])
    compare = (_compare_bias_correction, _compare_nesterov, _compare_caches)
    for tab, draw in zip(tabs, compare, strict=True):
        with tab:
            draw(view, surface, start, steps, view.present)


step_page()
