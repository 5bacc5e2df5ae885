"""The Race's board: its figure drawn in the browser by plotly.js, with a learning-rate
scrubber that answers while the finger moves (Streamlit v2 components).

The server sends the figure first; at the end of the page, once the table and the link are out,
it sends in a second element (``families.js``, which draws nothing) the runs along each
optimizer's slider (``webapp.family``), each payload once per browser tab. The figure never
waits for them: the board draws it, and builds its scrubbers when the families for that figure
(the same token) arrive. The browser then swaps the open optimizer's path as its α moves
(``board.js``).

What reaches the server is what a widget would send: the released α, a click on the contour (a
new start), "use suggested α", "tune every α". Each is a callback here that changes the stored
settings before the page runs, so the widgets, the runs, the table and the URL follow as they
do for any setting.

plotly.js is the one in the installed ``plotly`` package (``package_data/plotly.min.js``),
served by this server (``webapp.compat.serve_directory``): nothing comes from the network.
"""

from __future__ import annotations

import hashlib
from functools import partial
from pathlib import Path

import orjson
import plotly
import streamlit as st

from webapp.compat import asset_path, serve_directory

HERE = Path(__file__).parent
PRESENT_HEIGHT = "calc(100vh - 11rem)"  # presenting: the screen less the title and scrubbers


def board_script(path: Path) -> str:
    """A board's script: ``common.js`` (loading plotly.js, reading the server's bytes), then
    the board's own file."""
    return (HERE / "common.js").read_text() + "\n" + path.read_text()


_BOARD = st.components.v2.component(
    "descent_lab_race_board",
    html=(
        '<div class="dl-board"><div class="dl-plot"></div>'
        '<div class="dl-scrub" hidden><div class="dl-rows"></div>'
        '<button class="dl-tune" type="button">Tune every α</button></div>'
        '<p class="dl-note" hidden></p></div>'
    ),
    css=(HERE / "board.css").read_text(),
    js=board_script(HERE / "board.js"),
    isolate_styles=False,
)
_FOLD = st.components.v2.component(
    "descent_lab_fold", js=(HERE / "fold.js").read_text(), isolate_styles=False
)
_FAMILIES = st.components.v2.component(
    "descent_lab_race_families", js=(HERE / "families.js").read_text(), isolate_styles=False
)


def plotly_src() -> str:
    """Where the browser loads plotly.js from: this server."""
    package_data = Path(plotly.__file__).parent / "package_data"
    component = serve_directory("descent_lab", "plotlyjs", package_data)
    return asset_path(component, "plotly.min.js", st.get_option("server.baseUrlPath") or "")


def board_bytes(figure, *, config: dict, present: bool) -> tuple[bytes, str]:
    """What the browser draws, as JSON bytes (the figure's arrays already base64), and its
    token: a digest of them, which the families sent for this figure carry too."""
    spec = figure.to_dict()
    height = PRESENT_HEIGHT if present else f"{spec['layout'].get('height') or 680}px"
    body = orjson.dumps(
        {
            "figure": spec,
            "config": config,
            "height": height,
            "present": present,
            "plotly_src": plotly_src(),
        },
        option=orjson.OPT_SERIALIZE_NUMPY,
    )
    token = hashlib.blake2b(body, digest_size=12).hexdigest()
    return body[:-1] + b',"token":' + orjson.dumps(token) + b"}", token


def families_bytes(token: str, families: dict, *, rows: list, why: str | None, crowded: bool,
                   sent: set) -> bytes:  # fmt: skip
    """The families message for the figure with ``token``: which payload each family is
    (``Family.key``), and the payloads this session has not sent yet (``sent``, updated): a
    browser tab keeps each one it got, so a rerun resends none that did not change."""
    keys = {name: family.key for name, family in families.items()}
    fresh = {family.key: family.payload for family in families.values() if family.key not in sent}
    sent.update(fresh)
    head = orjson.dumps(
        {"token": token, "keys": keys, "rows": rows, "why": why, "crowded": crowded}
    )
    parts = b",".join(orjson.dumps(key) + b":" + payload for key, payload in fresh.items())
    return head[:-1] + b',"payloads":{' + parts + b"}}"


def board_value(key: str, event: str):
    """The value the board sent for ``event`` in this run (a callback's), or None."""
    state = st.session_state.get(key)
    return None if state is None else state.get(event)


def race_board(payload: bytes, *, key: str, on_release, on_click, on_suggest, on_tune, on_want):
    """Draw the board; each ``on_*`` is called (before the page runs) with the value sent."""
    return _BOARD(
        data=payload,
        key=key,
        on_release_change=partial(_forward, key, "release", on_release),
        on_click_change=partial(_forward, key, "click", on_click),
        on_suggest_change=partial(_forward, key, "suggest", on_suggest),
        on_tune_change=partial(_forward, key, "tune", on_tune),
        on_want_change=partial(_forward, key, "want", on_want),
    )


def family_feed(payload: bytes, *, key: str) -> None:
    """Send the board its families (``families_bytes``): an element that draws nothing."""
    _FAMILIES(data=payload, key=key, height=0)


def fold_sidebar_on_touch() -> None:
    """On a tablet (a touch screen under 1024 px; a phone folds by itself), fold the sidebar
    once per tab (``fold.js``): an element that draws nothing."""
    _FOLD(key="fold_sidebar", height="content")


def _forward(key: str, event: str, handler) -> None:
    value = board_value(key, event)
    if value is not None:
        handler(value)
