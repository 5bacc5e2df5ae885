"""Descent Lab's server: ``streamlit run app.py`` serves the app whose entry script is
``router.py`` (navigation, URL state, sidebar, the chosen page), warmed before its first visitor.

Streamlit finds the ``st.App`` below and serves it; its start-up runs every page once with no
browser (``webapp/warm.py``), so imports, compiled surfaces and the default views' runs are
ready when the first request arrives. Tests drive ``router.py`` directly (AppTest).
"""

import gc
from contextlib import asynccontextmanager

import streamlit as st
from streamlit import config

from webapp.warm import warm_up

_EVERY_INTERFACE = ("", "0.0.0.0", "::")  # server.address values that mean every interface


def _where() -> str:
    """The app's local address, as Streamlit's welcome message (hidden in .streamlit/config.toml:
    it looks up the machine's external address on the internet) would print it."""
    address = config.get_option("server.address") or ""
    host = "localhost" if address in _EVERY_INTERFACE else address
    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    return f"http://{host}:{config.get_option('server.port')}/{base + '/' if base else ''}"


@asynccontextmanager
async def _lifespan(_app):
    # Said at once: the warm-up takes some 20 s on a cold machine, and silence reads as a hang.
    print(
        f"\n  Descent Lab is warming up (every page runs once), then it serves {_where()}"
        " — about 20 s…",
        flush=True,
    )
    await warm_up()
    # What the imports and warm-up made lives as long as the process: out of the collector's
    # sight, a full collection walks only what later runs make.
    gc.freeze()
    print(f"\n  Descent Lab is ready: {_where()}\n", flush=True)
    yield


app = st.App("router.py", lifespan=_lifespan)
