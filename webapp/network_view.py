"""The Network page's controls and how its figures are drawn (the page holds the layout only).

Every widget is keyed by its URL key (``webapp.settings.network``) and keeps its value in the
URL store, so a link reopens the same network, runs and view.
"""

from __future__ import annotations

import streamlit as st

from optim_core import OPTIMIZERS
from optim_core.sharpness import stability_edge
from surfaces.network import LOSSES
from surfaces.network_data import DATASETS, N_TRAIN
from teach.network import network_results, plane_note, results_table, sharpness_note
from viz import color_for
from viz.network import network_panels
from viz.network_parts import slice_figure
from webapp import network_runs
from webapp.cache import MISSING, SizedLRU, budget_bytes
from webapp.controls import hyper_widget
from webapp.netboard import board_bytes, network_board, network_slice
from webapp.settings import SCHEMA, NetworkSettings, net_hyper_key
from webapp.state import store, widget
from webapp.table import table

HOW_TO_READ = (
    "**How to read this.** The views open at the last step, the trained network; ▶ Play "
    "replays the training from step 0, and the step slider moves the four views together "
    "(the buttons above them hide or show an optimizer everywhere). "
    "Top left, the network's prediction over the plane of the data (orange: class 0, blue: "
    "class 1, the dark line where it is undecided), training points as circles and test points "
    "as diamonds. Top right, every run on the plane of its iterates' top two principal "
    "directions (Li et al. 2018), over the training loss on that plane; the white circle is θ₀, "
    "where every run starts. Bottom, the loss and the sharpness λ_max of the Hessian along each "
    "run, dotted its stability edge where it has one (2/α for gradient descent)."
)
SLICE_NOTE = (
    "The loss over θ + a·d₁ + b·d₂ around the end point θ, for two random directions d₁, d₂ "
    "scaled neuron by neuron to the norm of that neuron's weights and bias (filter "
    "normalization, Li et al. 2018): a = 1 moves every neuron by as much as its own weights."
)


BOARD_CACHE_SHARE = 16  # the boards' bytes: a sixteenth of the run cache's budget (~80 boards)
_boards = SizedLRU(budget_bytes() // BOARD_CACHE_SHARE)  # one per server: every session's


def _batch_label(m: float) -> str:
    return f"full batch (all {N_TRAIN})" if m == 0 else f"m = {m:g}"


def network_controls():
    """The network, the optimizers and the runs' settings (values to the store); returns the
    empty container under the optimizers' settings, for the choice whose boundary is drawn
    (``boundary_choice``, once the runs are known)."""
    widget(st.selectbox, "Data set", "net_data", options=list(DATASETS), format_func=DATASETS.get)
    left, right = st.columns(2)
    with left:
        widget(
            st.select_slider,
            "Width (units per layer)",
            "net_width",
            options=list(SCHEMA["net_width"].options),
            format_func=lambda w: f"{w:g}",
        )
    with right:
        widget(
            st.select_slider,
            "Hidden layers",
            "net_depth",
            options=list(range(int(SCHEMA["net_depth"].lo), int(SCHEMA["net_depth"].hi) + 1)),
        )
    left, right = st.columns(2)
    with left:
        widget(
            st.radio,
            "Activation",
            "net_act",
            options=list(SCHEMA["net_act"].choices),
            horizontal=True,
        )
    with right:
        widget(
            st.radio,
            "Loss",
            "net_loss",
            options=list(LOSSES),
            format_func=LOSSES.get,
            horizontal=True,
        )
    chosen = widget(
        st.multiselect,
        "Optimizers",
        "net_opts",
        options=list(OPTIMIZERS),
        format_func=lambda o: OPTIMIZERS[o].name,
        help="Each trains the same network from the same θ₀; each keeps its colour on every "
        "figure. Its settings are under «Settings of».",
    )
    if chosen:
        _optimizer_settings(list(chosen))
    slot = st.container()
    widget(
        st.selectbox,  # a slider's value label would run off a narrow column at its end
        "Mini-batch size",
        "net_batch",
        options=list(SCHEMA["net_batch"].options),
        format_func=_batch_label,
        help=f"Each step averages the gradients of m of the {N_TRAIN} training examples "
        "(shuffled epochs); the full batch is the exact gradient.",
    )
    left, right = st.columns([2, 1])
    with left:
        f = SCHEMA["net_steps"]
        widget(
            st.slider,
            "Steps",
            "net_steps",
            min_value=int(f.lo),
            max_value=int(f.hi),
            step=int(f.step),
        )
    with right:
        widget(
            st.number_input,
            "Seed",
            "net_seed",
            min_value=0,
            max_value=10_000,
            help="Draws θ₀ and the mini-batches.",
        )
    return slot


def _optimizer_settings(chosen: list[str]) -> None:
    """The hyperparameters of one chosen optimizer at a time (``net_tune``)."""
    if st.session_state.get("net_tune", store().get("net_tune")) not in chosen:
        st.session_state["net_tune"] = chosen[0]
    with st.container(key="net_settings"):
        opt = widget(
            st.selectbox,
            "Settings of",
            "net_tune",
            options=chosen,
            format_func=lambda o: OPTIMIZERS[o].name,
            help="Each optimizer has its own settings on this page (a learning rate fit "
            "for a bowl is rarely fit for a network); pick whose to change.",
        )
        spec = OPTIMIZERS[opt]
        st.markdown(
            f'<span style="color:{color_for(opt, chosen.index(opt))}">●</span> '
            f"**{spec.name}**: {spec.description}",
            unsafe_allow_html=True,
        )
        up_front = [h for h in spec.hyper if h.name in ("lr", "momentum", "beta1")]
        rest = [h for h in spec.hyper if h not in up_front]
        for h in up_front:
            hyper_widget(opt, h, key=net_hyper_key(opt, h.name))
        if rest:
            with st.expander(f"More {spec.name} settings"):
                for h in rest:
                    hyper_widget(opt, h, key=net_hyper_key(opt, h.name))


def boundary_choice(ran: list[str]) -> str:
    """Whose decision boundary (and random slice) is drawn (``net_boundary``), of the
    optimizers that ran."""
    if st.session_state.get("net_boundary", store().get("net_boundary")) not in ran:
        st.session_state["net_boundary"] = ran[0]
    return widget(
        st.selectbox,
        "Boundary of",
        "net_boundary",
        options=ran,
        format_func=lambda o: OPTIMIZERS[o].name,
        help="Whose network the decision boundary and the random slice show; the plane's "
        "origin is its end point.",
    )


def edges_of(settings: NetworkSettings, runs) -> dict:
    """Each run's stability edge (None for an optimizer that has none)."""
    return {opt: stability_edge(opt, settings.hyper_of(opt)) for opt in runs}


def _label(settings: NetworkSettings, opt: str, run) -> str:
    label = f"{OPTIMIZERS[opt].name} · α {settings.hyper_of(opt)['lr']:g}"
    if run.diverged_at is not None:
        label += f" ✕ diverged at {run.diverged_at}"
    return label


def board_key(runs, boundary: str, present: bool, labels: dict, edges: dict, measured) -> str:
    """What the board's figures are made of: each run (its key names the network, the
    optimizer and every setting of the run) up to its last iterate, in order (an optimizer's
    colour is its place), whose boundary and plane, presenting or not, the legend's labels, the
    stability edges and whose sharpness was measured."""
    parts = [f"{opt}={r.key}@{r.last}/{len(r.trajectory.path)}" for opt, r in runs.items()]
    return "|".join([boundary, str(present), *parts, repr(labels), repr(edges), repr(measured)])


def _board_payload(net, settings: NetworkSettings, runs, boundary: str, plane_view, sharpness,
                   edges: dict, labels: dict) -> bytes:  # fmt: skip
    """The board's bytes (``webapp.netboard.board_bytes``), made once per ``board_key``: the
    four figures take about 0.25 s to build (sixty pictures of the boundary), which a rerun that
    changes no run (another optimizer's settings opened) and the first visit to a view the
    server warmed up at start then do not wait for."""
    present = settings.view.present
    key = board_key(runs, boundary, present, labels, edges, sorted(sharpness))
    found = _boards.get(key)
    if found is MISSING:
        panels = network_panels(
            net,
            runs,
            plane_view,
            boundary_of=boundary,
            sharpness=sharpness,
            edges=edges,
            labels=labels,
            present=present,
        )
        found = _boards.put(key, board_bytes(panels, present=present))
    return found


def draw_figure(net, settings: NetworkSettings, runs, boundary: str) -> None:
    """The animated figure, its notes, and the numbers behind the plane and the sharpness."""
    present = settings.view.present
    plane_view = network_runs.plane_of(net, runs, boundary)
    sharpness, skipped = network_runs.sharpness_of(net, runs)
    edges = edges_of(settings, runs)
    labels = {opt: _label(settings, opt, r) for opt, r in runs.items()}
    network_board(
        _board_payload(net, settings, runs, boundary, plane_view, sharpness, edges, labels)
    )
    if not present:
        st.caption(HOW_TO_READ)
    st.caption(plane_note(plane_view.plane, OPTIMIZERS[boundary].name))
    if skipped:
        names = ", ".join(OPTIMIZERS[o].name for o in skipped)
        st.caption(f"Sharpness not measured for {names}: the time budget was spent.")
    notes = [sharpness_note(OPTIMIZERS[o].name, s, edges.get(o)) for o, s in sharpness.items()]
    notes = [n for n in notes if n]
    if notes:
        st.caption("Sharpness along each run: " + " ".join(notes))


def draw_results(net, settings: NetworkSettings, runs) -> None:
    rows = network_results(net, runs, settings.hyper_of)
    for row in rows:
        if row.diverged_at is not None:
            st.warning(
                f"**{row.name}** diverged at step {row.diverged_at}: its weights grew past the "
                "divergence bound; the figures show it up to the step before.",
                icon="⚠️",
            )
    cut = [row for row in rows if row.deadline_at is not None]
    if cut:
        names = ", ".join(f"**{row.name}** at step {row.deadline_at}" for row in cut)
        st.warning(
            f"The time budget stopped {names} (of {settings.steps}): the figures show the runs "
            "so far. Choose fewer steps or optimizers, or a smaller network.",
            icon="⏱️",
        )
    with st.container(key="net_results"):
        table(results_table(rows))


def draw_slice(net, settings: NetworkSettings, runs, boundary: str) -> None:
    name = OPTIMIZERS[boundary].name
    with st.expander(f"A random slice around {name}'s end point", expanded=False):
        found = network_runs.slice_of(net, runs[boundary], settings.seed)
        figure = slice_figure(
            found.grid.a, found.grid.b, found.grid.loss, name=name, present=settings.view.present
        )
        network_slice(figure, present=settings.view.present)
        st.caption(SLICE_NOTE)
