"""Warm-up at server start: the first visitor waits for nothing a server can do beforehand.

A fresh process spends about a second on its first page: importing SymPy, NumPy and Plotly,
compiling the surface, loading Plotly's validators and Streamlit's own first-use work. ``app.py``
runs :func:`warm_up` in the server's start-up, before it takes a request: each page in
``PAGES`` runs once, in its default view, in a session with no browser (Streamlit's runtime API,
as its websocket handler uses it, through ``webapp/compat.py``). That run is the real script, so
it imports and caches exactly what a visitor's first run would; the default view's runs stay in
the shared cache.
A page that fails or times out is logged and skipped: the server starts anyway, only colder.
``DESCENT_LAB_WARM_UP=0`` in the environment skips it (a cold first run, as in the reconnect
test).
"""

from __future__ import annotations

import asyncio
import os
import time

from webapp.compat import HeadlessClient, close_session, get_logger, open_session, rerun
from webapp.pages import PAGES

PAGE_TIMEOUT = 60.0  # seconds one page may take

log = get_logger(__name__)  # Streamlit's format and level: the line shows in the server log


async def _run_page(page: str) -> None:
    client = HeadlessClient(asyncio.get_running_loop())
    session = open_session(client)
    try:
        rerun(session, page)
        await asyncio.wait_for(client.finished.wait(), PAGE_TIMEOUT)
    finally:
        close_session(session)
    if client.exception:
        raise RuntimeError(client.exception)


async def warm_up(pages=tuple(p.url_path for p in PAGES)) -> dict[str, float]:
    """Run each page once; returns the seconds each took (a failed page is left out)."""
    seconds = {}
    if os.environ.get("DESCENT_LAB_WARM_UP", "1") == "0":
        return seconds
    for page in pages:
        start = time.perf_counter()
        try:
            await _run_page(page)
        except Exception as err:  # the server must start, warm or not
            log.warning("warm-up of %s failed: %s", page, err)
            continue
        seconds[page] = time.perf_counter() - start
    log.info("warm-up: %s", ", ".join(f"{p} {s:.2f} s" for p, s in seconds.items()))
    return seconds
