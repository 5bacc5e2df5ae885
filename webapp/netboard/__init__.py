"""The Network page's board: its four figures drawn in the browser by plotly.js and played
together by one step scrubber (a Streamlit v2 component, ``board.js``); and its random slice,
drawn by the same plotly.js (``slice.js``).

A Plotly figure plays its own frames; four figures that must move together, and that the screen
lays out as it allows (two by two on a laptop, one under the other on a phone, in a row on a
projector: ``board.css``), need one scrubber outside them. The server sends the four figures
(``viz.network.NetworkPanels``) with frames of the same names; the browser does the rest: the
board opens at the last frame (the trained network), a step sets in each figure what its frame
of that name sets (in place in the drawn SVG where it can, else ``Plotly.animate``), a legend
entry hides an optimizer in all four. Nothing comes back to the server. plotly.js is the
installed ``plotly`` package's, served by this server (``webapp.board.plotly_src``); the slice
is drawn by it too, not by ``st.plotly_chart`` (whose own plotly.js, a second 4.7 MB script,
the page would otherwise parse beside the board's while its first figures are drawn).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import orjson
import streamlit as st

from viz import plotly_config
from webapp.board import board_script, plotly_src

HERE = Path(__file__).parent
BOARD_KEY = "net_board"
SLICE_KEY = "net_slice"
FRAME_MS = 80  # one frame while playing: 60 frames in about 5 s
PANELS = ("boundary", "plane", "loss", "sharpness")  # in the grid's order
_HTML = (
    '<div class="dl-net">'
    '<div class="dl-net-controls">'
    '<button class="dl-net-play" type="button" title="Play the training from step 0">▶ Play'
    "</button>"
    '<input class="dl-net-step" type="range" min="0" max="0" step="1" value="0" '
    'aria-label="Step shown in every view">'
    '<output class="dl-net-value">step 0</output></div>'
    '<div class="dl-net-legend" role="group" aria-label="Optimizers shown"></div>'
    '<div class="dl-net-grid">'
    + "".join(
        f'<div class="dl-net-plot dl-net-{"square" if p in ("boundary", "plane") else "wide"}" '
        f'data-panel="{p}"></div>'
        for p in PANELS
    )
    + '</div><p class="dl-net-note" hidden></p></div>'
)

_SLICE = st.components.v2.component(
    "descent_lab_network_slice",
    html='<div class="dl-net-slice"><div class="dl-net-slice-plot"></div>'
    '<p class="dl-net-note" hidden></p></div>',
    js=board_script(HERE / "slice.js"),
    isolate_styles=False,
)
_BOARD = st.components.v2.component(
    "descent_lab_network_board",
    html=_HTML,
    css=(HERE / "board.css").read_text(),
    js=board_script(HERE / "board.js"),
    isolate_styles=False,
)


def board_bytes(panels, *, present: bool) -> bytes:
    """What the browser draws, as JSON bytes: the four figures (in ``PANELS``' order), the
    steps their frames show, the legend, and where plotly.js is."""
    return orjson.dumps(
        {
            "panels": [figure.to_dict() for figure in panels.figures],
            "steps": [int(s) for s in np.asarray(panels.steps)],
            "legend": panels.legend,
            "config": plotly_config(mode_bar=False),
            "present": present,
            "frame_ms": FRAME_MS,
            "plotly_src": plotly_src(),
        },
        option=orjson.OPT_SERIALIZE_NUMPY,
    )


def network_board(payload: bytes) -> None:
    """Draw the board ``payload`` (``board_bytes`` of ``viz.network.network_panels``)."""
    _BOARD(data=payload, key=BOARD_KEY, height="content")


def slice_bytes(figure, *, present: bool) -> bytes:
    """What the browser draws for the random slice, as JSON bytes: the figure, its config and
    where plotly.js is."""
    return orjson.dumps(
        {
            "figure": figure.to_dict(),
            "config": plotly_config(mode_bar=False),
            "present": present,
            "plotly_src": plotly_src(),
        },
        option=orjson.OPT_SERIALIZE_NUMPY,
    )


def network_slice(figure, *, present: bool) -> None:
    """Draw the random slice ``figure`` (``viz.network_parts.slice_figure``) once it is in
    sight (it is drawn in a folded expander)."""
    _SLICE(data=slice_bytes(figure, present=present), key=SLICE_KEY, height="content")
