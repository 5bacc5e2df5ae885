"""Network: the same optimizers train a small neural network; its boundary, its path through
the weights, its loss and its curvature, step by step."""

from __future__ import annotations

import streamlit as st

from optim_core import OPTIMIZERS
from webapp.network_runs import network_of, run_network
from webapp.network_view import (
    boundary_choice,
    draw_figure,
    draw_results,
    draw_slice,
    network_controls,
)
from webapp.settings import NetworkSettings
from webapp.state import current_view, page_fragment, publish, show_notices, store
from webapp.ui import stacked_columns


def network_page() -> None:
    view = current_view()
    st.title("Network")
    if not view.present:
        st.write(
            "A small neural network learns a 2D data set, trained by the optimizers of the "
            "Race: its decision boundary, its path through the weights, its loss and its "
            "sharpness, step by step."
        )
    show_notices()
    _network(view)


@page_fragment
def _network(view) -> None:
    """The controls, the figures and the table: a change to one of them reruns this part only.

    On a laptop the board stands right under the title, the settings beside it (whose boundary
    is drawn among them, under the optimizers' settings), so that the four views fit the screen;
    on a narrow screen (``webapp/netboard/board.css``) the board comes first, then the open
    optimizer's settings, then the notes and the other settings. Presenting, the board comes
    first and large, whose boundary is asked under it, the settings folded below."""
    if view.present:
        board = st.container()
        controls = st.expander("Settings: network, optimizers, learning rates, steps")
    else:
        controls, board = stacked_columns("net", [1, 2.8], gap="medium")
    with controls:
        choice = network_controls()
    settings = NetworkSettings.read(store())
    net = network_of(settings)
    with board:
        if not settings.optimizers:
            st.info("Pick one or more optimizers in the settings to train the network.")
        runs, errors, refused = run_network(net, settings)
        if refused:
            st.error(refused, icon="⏱️")
        for opt, message in errors.items():
            st.error(f"**{OPTIMIZERS[opt].name}** cannot train this network: {message}")
        figures = st.container(key="net_figures")
        if view.present:
            choice, _ = st.columns([2, 3])
        if runs:
            with choice:
                boundary = boundary_choice(list(runs))
            with figures:
                draw_figure(net, settings, runs, boundary)
    if runs:
        draw_results(net, settings, runs)
        draw_slice(net, settings, runs, boundary)
    publish(NetworkSettings.read(store()))  # read again: the boundary's choice comes after


network_page()
