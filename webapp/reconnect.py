"""A page that reconnects to a restarted server comes back whole: run again, its animated chart
sent anew.

Two behaviours of Streamlit's frontend (1.67) meet here:

* A chart that plays from Plotly frames loses them while the server is away.  On a disconnect the
  frontend disables widgets; a chart with ``on_select`` then gets a rebuilt plotly config (a new
  fullscreen-button closure), and plotly.js's ``react`` with a changed config calls ``newPlot``,
  which purges the plot and does not add the frames back.  The frontend keeps that frameless
  figure as the element's state, and an element of the same id keeps its state: the same
  figure sent again by a rerun does not bring the frames back.  ``mark_session`` puts the
  session's token in a framed figure's ``layout.meta``: a new session (a restarted server, a
  session that expired) sends a figure of another element id, which the frontend mounts fresh,
  with its frames.
* After a reconnect the frontend asks for a run only if one was under way (or an auto-rerunning
  fragment is on the page); otherwise the new server's session never runs and the page keeps
  the old elements.  ``rerun_on_reconnect`` draws an empty fragment with ``run_every``: its
  presence is what makes the frontend rerun the page after reconnecting.

Left to Streamlit: a session that survives the disconnect (the same server back within its
``disconnectedSessionTTL``) keeps its token, so its chart stays without frames until a setting
changes the figure or the page is reloaded; so does a chart opened full screen (the same config
rebuild, with no run after it).
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import streamlit as st

_TOKEN = "_session_token"
# The fragment reruns itself this often, doing nothing: what matters is that it auto-reruns.
# Within setInterval's limit (24.8 days), long enough never to be noticed.
WATCH_EVERY = timedelta(days=1)


def session_token() -> str:
    """A random token for this session, the same on every run of it."""
    return st.session_state.setdefault(_TOKEN, uuid.uuid4().hex)


def mark_session(figure):
    """A figure with frames, marked with the session's token (``layout.meta``)."""
    if figure.frames:
        figure.update_layout(meta={"session": session_token()})
    return figure


@st.fragment(run_every=WATCH_EVERY)
def _watch() -> None:
    """Empty: the frontend reruns the page after a reconnect when a page has one of these."""


def rerun_on_reconnect() -> None:
    """Draw the empty auto-rerunning fragment (where it draws nothing)."""
    _watch()
