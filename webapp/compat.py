"""Streamlit's internals that the app uses, here and nowhere else.

The warm-up (``webapp/warm.py``) runs a page in a session with no browser, as Streamlit's own
websocket handler does. That takes Streamlit's runtime API, which Streamlit does not document
or promise to keep:

- ``streamlit.runtime.Runtime``: ``instance()``, ``connect_session(client=, user_info=)``,
  ``handle_backmsg(session_id, msg)`` and ``close_session(session_id)``;
- the session client's protocol (``streamlit.runtime.session_manager.SessionClient``):
  ``write_forward_msg(msg)`` and the ``client_context`` property;
- the messages: ``BackMsg.rerun_script`` (``page_name``, ``query_string``) asks for a run,
  ``ForwardMsg`` of type ``script_finished`` ends it and a ``delta`` whose
  ``new_element.exception`` is set reports an exception;
- ``streamlit.logger.get_logger``: a logger in Streamlit's format and level;
- the v2 components' manager (``get_bidi_component_manager``, ``register_from_manifest``,
  ``ComponentManifest``, ``ComponentConfig``): ``serve_directory`` registers a directory as a
  manifest component's ``asset_dir`` without an installed package, so Streamlit serves its
  files under ``/_stcore/bidi-components/<name>/`` (the Race loads plotly.js from there).

requirements.txt pins the streamlit release these work with; ``tests/test_compat.py`` checks
each on it and names the one that moved.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from streamlit.components.v2.get_bidi_component_manager import get_bidi_component_manager
from streamlit.components.v2.manifest_scanner import ComponentConfig, ComponentManifest
from streamlit.logger import get_logger
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.runtime import Runtime

__all__ = [
    "HeadlessClient",
    "asset_path",
    "close_session",
    "get_logger",
    "open_session",
    "rerun",
    "serve_directory",
]

ASSET_ROUTE = "_stcore/bidi-components"


class HeadlessClient:
    """A session client with no browser: it only notes how the run ends (``finished`` is set
    once the script has finished; ``exception`` holds the message of an exception it showed)."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self._loop = loop
        self.finished = asyncio.Event()
        self.exception: str | None = None

    def write_forward_msg(self, msg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "delta" and msg.delta.new_element.WhichOneof("type") == "exception":
            self.exception = msg.delta.new_element.exception.message or "an exception"
        elif kind == "script_finished":
            self._loop.call_soon_threadsafe(self.finished.set)

    @property
    def client_context(self):
        return None


def open_session(client: HeadlessClient) -> str:
    """A new session of the running server, talking to ``client``; its id."""
    return Runtime.instance().connect_session(client=client, user_info={})


def rerun(session_id: str, page: str, query: str = "") -> None:
    """Ask the session to run ``page`` (its URL path) with the URL query ``query``."""
    msg = BackMsg()
    msg.rerun_script.query_string = query
    msg.rerun_script.page_name = page
    Runtime.instance().handle_backmsg(session_id, msg)


def close_session(session_id: str) -> None:
    """End the session and drop its state."""
    Runtime.instance().close_session(session_id)


def serve_directory(package: str, name: str, directory: Path) -> str:
    """Serve the files of ``directory`` as the assets of the v2 component ``package.name``
    (once per server); the component's name. Streamlit serves a component's ``asset_dir`` only
    for installed packages that declare it in their ``pyproject.toml``; this declares it for a
    directory of an installed package the app uses as it is (plotly's ``package_data``)."""
    component = f"{package}.{name}"
    manager = get_bidi_component_manager()
    if manager.get(component) is None:
        config = ComponentConfig(name=name, asset_dir=directory.name)
        manifest = ComponentManifest(name=package, version="1", components=[config])
        manager.register_from_manifest(manifest, directory.parent)
    return component


def asset_path(component: str, file: str, base_url_path: str = "") -> str:
    """The URL path at which the server answers with ``file`` of ``component``'s assets."""
    base = base_url_path.strip("/")
    return "/" + "/".join(part for part in (base, ASSET_ROUTE, component, file) if part)
