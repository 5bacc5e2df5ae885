"""The Race's board: its figure drawn in the browser by plotly.js, with a learning-rate
scrubber that answers while the finger moves (a Streamlit v2 component).

The server sends the figure and, per optimizer, the runs along its learning-rate slider
(``webapp.family``); the browser swaps the open optimizer's path as its α moves
(``board.js``). What reaches the server is what a widget would send: the released α, a click
on the contour (a new start), "use suggested α", "tune every α". Each is a callback here that
changes the stored settings before the page runs, so the widgets, the runs, the table and the
URL follow as they do for any setting.

plotly.js is the one in the installed ``plotly`` package (``package_data/plotly.min.js``),
served by this server (``webapp.compat.serve_directory``): nothing comes from the network.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import orjson
import plotly
import streamlit as st

from webapp.compat import asset_path, serve_directory

HERE = Path(__file__).parent
PRESENT_HEIGHT = "calc(100vh - 11rem)"  # presenting: the screen less the title and scrubbers

_BOARD = st.components.v2.component(
    "descent_lab_race_board",
    html=(
        '<div class="dl-board"><div class="dl-plot"></div>'
        '<div class="dl-scrub" hidden><div class="dl-rows"></div>'
        '<button class="dl-tune" type="button">Tune every α</button></div>'
        '<p class="dl-note" hidden></p></div>'
    ),
    css=(HERE / "board.css").read_text(),
    js=(HERE / "board.js").read_text(),
    isolate_styles=False,
)


def plotly_src() -> str:
    """Where the browser loads plotly.js from: this server."""
    package_data = Path(plotly.__file__).parent / "package_data"
    component = serve_directory("descent_lab", "plotlyjs", package_data)
    return asset_path(component, "plotly.min.js", st.get_option("server.baseUrlPath") or "")


def board_bytes(figure, *, config: dict, present: bool, families: dict, scrub: list,
                why: str | None, crowded: bool) -> bytes:  # fmt: skip
    """What the browser draws, as JSON bytes: the figure (its arrays already base64), each
    family's members (``Family.payload``, JSON made once when it was computed)."""
    spec = figure.to_dict()
    height = PRESENT_HEIGHT if present else f"{spec['layout'].get('height') or 680}px"
    head = orjson.dumps(
        {
            "figure": spec,
            "config": config,
            "height": height,
            "plotly_src": plotly_src(),
            "scrub": scrub,
            "crowded": crowded,
            "why": why,
        },
        option=orjson.OPT_SERIALIZE_NUMPY,
    )
    parts = b",".join(orjson.dumps(opt) + b":" + family.payload for opt, family in families.items())
    return head[:-1] + b',"families":{' + parts + b"}}"


def board_value(key: str, event: str):
    """The value the board sent for ``event`` in this run (a callback's), or None."""
    state = st.session_state.get(key)
    return None if state is None else state.get(event)


def race_board(payload: bytes, *, key: str, on_release, on_click, on_suggest, on_tune):
    """Draw the board; each ``on_*`` is called (before the page runs) with the value sent."""
    return _BOARD(
        data=payload,
        key=key,
        on_release_change=partial(_forward, key, "release", on_release),
        on_click_change=partial(_forward, key, "click", on_click),
        on_suggest_change=partial(_forward, key, "suggest", on_suggest),
        on_tune_change=partial(_forward, key, "tune", on_tune),
    )


def _forward(key: str, event: str, handler) -> None:
    value = board_value(key, event)
    if value is not None:
        handler(value)
