"""Race: optimizers race across one loss surface from one start point."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import partial

import streamlit as st

from app_pages._controls import (
    log_options,
    noise_controls,
    optimizer_controls,
    schedule_controls,
    steps_control,
)
from app_pages._ui import (
    CUSTOM,
    current_view,
    load_surface,
    require_surface,
    start_from_click,
    start_of,
)
from optim_core import OPTIMIZERS, OptimizerError, divergence_reason, run
from viz._base import color_for
from viz.export import figure_html, trajectories_csv
from viz.race import known_min_value, loss_figure, race_figure, race_results, surface_3d_figure

CHART_KEY = "race_chart"
DEFAULT_OPTIMIZERS = ["sgd", "momentum", "rmsprop", "adam"]
TOL_OPTIONS = log_options(1e-10, 1e-1)
TOL_DEFAULT = 1e-4
VIEWS = ("Race", "3D surface", "Loss curves")
PLOTLY_CONFIG = {"displaylogo": False, "scrollZoom": False}
HOW_TO_READ = (
    "**How to read this.** Every optimizer starts at the white circle. Press ▶ Play (or drag the "
    "step slider): each coloured dot is an optimizer, with a short trail of where it just was; "
    "the faint line is its whole path. White stars are the known minima; an × marks where a run "
    "diverged and left the view. Click anywhere on the contour to start from there."
)


@dataclass(frozen=True)
class RaceSettings:
    """What the race controls say."""

    optimizers: tuple[str, ...]
    hyper: dict  # optimizer id -> {hyperparameter: value}
    schedule: dict | None
    noise: float
    seed: int
    steps: int
    tol: float


@st.cache_data(max_entries=2048, show_spinner=False)
def race_run(
    surface_id: str,
    params: tuple[tuple[str, float], ...],
    formula: str,
    optimizer: str,
    hyper: tuple[tuple[str, float], ...],
    start: tuple[float, float],
    steps: int,
    schedule: str,
    noise: float,
    seed: int,
):
    """One optimizer's run, cached by plain values (the surface comes from its own cache)."""
    surface = load_surface(surface_id, params, formula)
    return run(
        surface,
        optimizer,
        start=start,
        steps=steps,
        schedule=json.loads(schedule),
        noise=noise,
        seed=seed,
        **dict(hyper),
    )


def _optimizer_tabs(chosen: list[str], surface, start) -> dict[str, dict]:
    """Each chosen optimizer's hyperparameters in its own tab, labelled in its colour."""
    css = "".join(
        f".st-key-race_settings [role=tablist] > [role=tab]:nth-child({i + 1}) p"
        f"{{color:{color_for(opt, i)};font-weight:700}}"
        for i, opt in enumerate(chosen)
    )
    hyper = {}
    with st.container(key="race_settings"):
        st.html(f"<style>{css}</style>")
        for i, (opt, tab) in enumerate(zip(chosen, st.tabs(chosen), strict=True)):
            with tab:
                spec = OPTIMIZERS[opt]
                st.markdown(
                    f'<span style="color:{color_for(opt, i)}">●</span> **{spec.name}**: '
                    f"{spec.description}",
                    unsafe_allow_html=True,
                )
                hyper[opt] = optimizer_controls(opt, surface, start)
    return hyper


def _race_controls(surface, start) -> RaceSettings:
    chosen = st.multiselect(
        "Optimizers",
        list(OPTIMIZERS),
        default=DEFAULT_OPTIMIZERS,
        key="race_opts",
        bind="query-params",
        wrap=True,
        help="Each optimizer's settings are in its tab below, in its colour on every figure.",
    )
    hyper = _optimizer_tabs(chosen, surface, start) if chosen else {}
    with st.expander("Schedule and gradient noise"):
        schedule = schedule_controls()
        noise, seed = noise_controls()
    steps = steps_control()
    tol = st.select_slider(
        "Tolerance on " + ("f − f_min" if surface.minima else "‖∇f‖ (no known minimum)"),
        options=TOL_OPTIONS,
        value=TOL_DEFAULT,
        format_func=lambda v: f"{v:g}",
        key="race_tol",
        bind="query-params",
        help="The results table counts the steps each optimizer needs to get this close.",
    )
    return RaceSettings(tuple(chosen), hyper, schedule, noise, seed, steps, tol)


def _run_all(view, start, race: RaceSettings) -> dict:
    """Every chosen optimizer's trajectory (cached one by one); an invalid setting is reported."""
    formula = view.formula if view.surface_id == CUSTOM else ""
    schedule = json.dumps(race.schedule, sort_keys=True)
    trajectories = {}
    for opt in race.optimizers:
        try:
            trajectories[opt] = race_run(
                view.surface_id,
                view.params,
                formula,
                opt,
                tuple(sorted(race.hyper[opt].items())),
                (float(start[0]), float(start[1])),
                race.steps,
                schedule,
                race.noise,
                race.seed,
            )
        except OptimizerError as err:
            st.error(f"**{OPTIMIZERS[opt].name}** cannot run with these settings: {err}")
    return trajectories


def _figures(surface, trajectories: dict, start, present: bool, f_min: float | None) -> None:
    """The race, the 3D view and the loss curves; only the open tab's figure is built."""
    race, landscape, losses = st.tabs(list(VIEWS), key="race_view", bind="query-params")
    if race.open:
        with race:
            st.plotly_chart(
                race_figure(surface, trajectories, start=start, present=present),
                key=CHART_KEY,
                on_select=partial(start_from_click, CHART_KEY),
                selection_mode="points",
                theme=None,
                config=PLOTLY_CONFIG,
            )
    if landscape.open:
        with landscape:
            st.plotly_chart(
                surface_3d_figure(surface, trajectories, present, start=start),
                theme=None,
                config=PLOTLY_CONFIG,
            )
    if losses.open:
        with losses:
            st.plotly_chart(
                loss_figure(trajectories, present, f_min=f_min), theme=None, config=PLOTLY_CONFIG
            )


def _divergence_warnings(surface, trajectories: dict) -> dict[str, str]:
    """A warning per diverged run, with the reason; returns the reasons."""
    reasons = {}
    for opt, traj in trajectories.items():
        if traj.diverged_at is not None:
            reasons[opt] = divergence_reason(surface, opt, traj.hyper, traj.diverged_at)
            st.warning(f"**{OPTIMIZERS[opt].name}** diverged. {reasons[opt]}", icon="⚠️")
    return reasons


def _shown(value) -> str:
    """A table cell as read from a projector: 3 significant digits, a dash for nothing."""
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def _results_table(surface, trajectories: dict, tol: float, f_min, reasons: dict) -> None:
    """Final and best loss, steps to tolerance, divergence: a plain table (it wraps long reasons
    and follows presentation mode's large type)."""
    rows = race_results(trajectories, tol=tol, f_min=f_min, reasons=reasons, surface=surface)
    st.table([{column: _shown(value) for column, value in row.items()} for row in rows])


def _race_html(surface, trajectories: dict, start, present: bool) -> str:
    return figure_html(race_figure(surface, trajectories, start=start, present=present))


def _downloads(surface, trajectories: dict, start, present: bool) -> None:
    """Both files are made when their button is clicked (the HTML embeds 3+ MB of plotly.js)."""
    left, right = st.columns(2)
    left.download_button(
        "⬇ Animation (HTML, plays offline)",
        data=partial(_race_html, surface, trajectories, start, present),
        file_name="descent-lab-race.html",
        mime="text/html",
        key="race_html",
        on_click="ignore",
        width="stretch",
    )
    right.download_button(
        "⬇ Trajectories (CSV)",
        data=partial(trajectories_csv, trajectories),
        file_name="descent-lab-trajectories.csv",
        mime="text/csv",
        key="race_csv",
        on_click="ignore",
        width="stretch",
    )


def race_page() -> None:
    st.title("Race")
    st.write("Same surface, same start: which optimizer gets to the minimum first, and how?")
    view = current_view()
    surface = require_surface(view)
    start = start_of(view, surface)
    f_min = known_min_value(surface)

    controls, board = st.columns([1, 1.8] if view.present else [1, 2.5], gap="medium")
    with controls:
        race = _race_controls(surface, start)
    with board:
        if not race.optimizers:
            st.info("Pick one or more optimizers on the left to start the race.")
        trajectories = _run_all(view, start, race)
        _figures(surface, trajectories, start, view.present, f_min)
        st.caption(HOW_TO_READ)
        reasons = _divergence_warnings(surface, trajectories)
    if trajectories:
        _results_table(surface, trajectories, race.tol, f_min, reasons)
        _downloads(surface, trajectories, start, view.present)


race_page()
