"""Race: optimizers race across one loss surface from one start point."""

from __future__ import annotations

from functools import partial

import streamlit as st

from optim_core import OPTIMIZERS
from optim_core.analysis import known_min_value
from teach.results import race_results
from viz import figure_html, loss_figure, race_figure, surface_3d_figure, trajectories_csv
from webapp.board.race import draw_race_board, send_families, tuned_note
from webapp.budget import RACE_DEADLINE, first_deadline, race_budget, stopped_message, timed
from webapp.controls import (
    minibatch_controls,
    noise_controls,
    optimizer_settings,
    schedule_controls,
    steps_control,
)
from webapp.noise_view import NOISE, noise_batch, noise_view, open_view, views_for
from webapp.runs import run_all
from webapp.settings import SCHEMA, RaceSettings
from webapp.state import (
    current_view,
    page_fragment,
    publish,
    show_notices,
    store,
    widget,
)
from webapp.table import table
from webapp.ui import hero_chart, require_surface, stacked_columns, start_of

SLOW_ADVICE = "Choose fewer steps or optimizers, or a simpler formula."
VIEW_LABELS = {"race": "Race", "3d": "3D surface", "loss": "Loss curves"}
VIEW_LABELS[NOISE] = "Gradient noise"  # offered on data surfaces only
HOW_TO_READ = (
    "**How to read this.** Every optimizer starts at the white circle. Press ▶ Play (or drag the "
    "step slider): each coloured dot, with its own symbol, draws its path as it goes. Stars are "
    "the known minima; an × marks where a run that diverged left the view for good (hover it "
    "for the step the divergence rule stopped it). Drag the α slider under the chart: the "
    "path follows at once. Click a legend entry to hide that optimizer, or anywhere on the "
    "contour to start from there."
)


def _controls(surface, start) -> None:
    chosen = widget(
        st.multiselect,
        "Optimizers",
        "race_opts",
        options=list(OPTIMIZERS),
        format_func=lambda o: OPTIMIZERS[o].name,
        help="Each keeps its colour on every figure; its settings are under «Settings of».",
    )
    if chosen:
        optimizer_settings(chosen, surface, start)
    batch_up_front = open_view(surface) == NOISE  # the noise view is about m: keep it in sight
    if batch_up_front:
        minibatch_controls(surface)
    title = "Schedule, noise and mini-batches" if surface.n_examples else "Schedule and noise"
    with st.expander(title):
        schedule_controls()
        if not batch_up_front:
            minibatch_controls(surface)
        noise_controls()
    steps_control()
    target = "f − f_min" if surface.minima else "‖∇f‖ (no known minimum)"
    widget(
        st.select_slider,
        f"Tolerance on {target}",
        "race_tol",
        options=list(SCHEMA["race_tol"].options),
        format_func=lambda v: f"{v:g}",
        help="The table gives the step from which each run stays within this tolerance.",
    )


def _figures(surface, race: RaceSettings, trajectories: dict, start) -> str | None:
    """The open figure only: the race, the 3D view or the loss curves; the race's token."""
    present = race.view.present
    choice, paths = st.columns([5, 2], vertical_alignment="center")
    with choice:
        chart = widget(
            st.segmented_control,
            "Figure",
            "race_view",
            options=views_for(surface, VIEW_LABELS),
            format_func=VIEW_LABELS.get,
            label_visibility="collapsed",
            on_change=noise_batch,
        )
    with paths:
        show_paths = widget(
            st.toggle,
            "Show whole paths",
            "race_paths",
            help="Off: each path is drawn as its optimizer moves — predict, then press ▶ Play.",
        )
    if chart == "3d":
        hero_chart(surface_3d_figure(surface, trajectories, present, start=start), present)
    elif chart == "loss":
        f_min = known_min_value(surface)
        hero_chart(loss_figure(trajectories, present, f_min=f_min), present)
    elif chart == NOISE:
        noise_view(surface, race.run, start, present)
    else:
        figure = race_figure(
            surface, trajectories, start=start, present=present, show_paths=show_paths
        )
        with st.container(key="race_hero"):
            token = draw_race_board(figure, surface, race, start)
        st.caption(HOW_TO_READ)
        return token


def _downloads(surface, trajectories: dict, start, race: RaceSettings) -> None:
    """Both files are made when their button is clicked (the HTML embeds plotly.js)."""

    def html() -> str:
        figure = race_figure(
            surface,
            trajectories,
            start=start,
            present=race.view.present,
            show_paths=race.show_paths,
        )
        return figure_html(figure)

    left, right = st.columns(2)
    left.download_button(
        "⬇ Animation (HTML, plays offline)",
        data=html,
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
    view = current_view()
    st.title("Race")
    if not view.present:
        st.write("Same surface, same start: which optimizer gets to the minimum first, and how?")
    show_notices()
    surface = require_surface(view)
    _race(view, surface, start_of(view, surface))


@page_fragment
def _race(view, surface, start) -> None:
    """The Race's controls, figure and table. A change to one of its own controls reruns this
    part only: not the sidebar and the page around it, on the server and in the browser."""
    if view.present:  # the chart first and large; the settings folded below it
        board = st.container()
        controls = st.expander("Settings: optimizers, learning rates, steps")
    else:
        controls, board = stacked_columns("race", [1, 2.5], gap="medium")
    with controls:
        _controls(surface, start)
    race = RaceSettings.read(store())
    with board:
        if not race.optimizers:
            st.info("Pick one or more optimizers in the settings to start the race.")
        budget = race_budget(surface, race.optimizers, start, race.run.steps)
        if not budget.ok:
            st.error(budget.message, icon="⏱️")
        chosen = race.optimizers if budget.ok else ()
        hyper_of = timed(race.hyper_of, RACE_DEADLINE)
        trajectories, errors = run_all(surface, chosen, hyper_of, start, race.run)
        if (cut := first_deadline(trajectories.values())) is not None:
            stopped = stopped_message("The race", RACE_DEADLINE, cut, race.run.steps)
            st.warning(f"{stopped}: the paths end where they were then. {SLOW_ADVICE}", icon="⏱️")
        for opt, message in errors.items():
            st.error(f"**{OPTIMIZERS[opt].name}** cannot run with these settings: {message}")
        token = _figures(surface, race, trajectories, start)
    if (note := tuned_note(surface, race, start)) is not None:
        st.caption(note)
    if trajectories:
        results = race_results(surface, trajectories, race.tol)
        for row in results.rows:
            if row.stopped_at is not None:
                st.warning(f"**{row.name}** {row.why}", icon="⚠️")
        table(results.table())
        _downloads(surface, trajectories, start, race)
    publish(RaceSettings.read(store()))  # read again: the figure's controls come after `race`
    if token is not None:  # last: the figure, the table and the link never wait for them
        send_families(token, surface, race, start)


race_page()
