"""The URL and the widgets, kept in step: the Streamlit side of ``_settings``.

One session store holds every URL value the session has set, typed (``_settings.SCHEMA``).

* ``sync_from_url`` runs first on every rerun. When the address bar says something the app did
  not write (a fresh browser, a shared link, Back or Forward), the store is rebuilt from it —
  an absent key is its default — and every widget starts again from the store.
* ``widget`` draws a keyed widget whose value lives in the store, so it survives page switches
  (Streamlit forgets the state of widgets that a page does not draw).
* ``publish`` writes the page's settings back to the URL at the end of the run, in one message:
  one user action is one history entry. A page's fragment (the Race's controls, chart and
  table), rerun alone, publishes too; ``page_fragment`` sends a change to the shared view to
  a full run.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import streamlit as st

from webapp.settings import SCHEMA, SETTINGS, Notice, PageSettings, View, parse_query

_STORE = "_url_values"
_WRITTEN = "_url_written"  # (page, query) the app last put in the address bar
_NOTICES = "_url_notices"
_BOUND = "_url_bound"  # widget keys drawn through ``widget``
_VIEW = "_view"
_ACTED = "_url_acted"  # a callback changed values for this rerun
_FULL_RUN = "_url_full_run"  # set by a full run (the router's), spent by the page's fragment


def _address_query() -> dict[str, str | list[str]]:
    qp = st.query_params
    return {k: (qp.get_all(k) if len(qp.get_all(k)) > 1 else qp[k]) for k in qp}


def _same(a: dict, b: dict) -> bool:
    def norm(d):
        return {k: tuple(v) if isinstance(v, list) else (v,) for k, v in d.items()}

    return norm(a) == norm(b)


def current_page() -> str:
    """The url_path of the page this run shows (``sync_from_url`` notes it first)."""
    return st.session_state.get("_page", "")


def store() -> dict[str, Any]:
    """The session's URL values by key (a dict owned by the session)."""
    return st.session_state.setdefault(_STORE, {})


def sync_from_url(page: str) -> None:
    """Rebuild the store from the address bar when it says something the app did not write."""
    state = st.session_state
    if state.get("_page") != page:
        # Widgets on another page are other widgets: they start from the store, not from the
        # state a widget of the same key left on the last page.
        _reset_widgets()
    state["_page"] = page
    state[_FULL_RUN] = True
    query = _address_query()
    written = state.get(_WRITTEN)
    switched_page = written is not None and written[0] != page and not query
    acted = state.pop(_ACTED, False) or _widgets_moved()
    if written is not None and (_same(query, written[1]) or switched_page or acted):
        # A widget change or a click can arrive with the address from before the app's last
        # write reached the browser: that is the user acting, not a link or Back.
        return
    values, notices = parse_query(query, SCHEMA)
    for settings in SETTINGS:  # what the page's own settings refuse of values valid alone
        if getattr(settings, "PAGE", None) == page:
            notices = [*notices, *settings.refusals(values)]
    state[_STORE] = values
    state[_NOTICES] = notices
    _reset_widgets()
    state[_WRITTEN] = (page, query)


def _widgets_moved() -> bool:
    """Whether a widget's value differs from the store: the user changed it for this rerun."""
    state, values = st.session_state, store()
    return any(
        key in state and key in values and state[key] != _as_widget_value(values[key])
        for key in state.get(_BOUND, ())
    )


def _reset_widgets() -> None:
    state = st.session_state
    for key in state.get(_BOUND, ()):
        state.pop(key, None)


def notices() -> list[Notice]:
    """The URL values refused on the last load (shown once)."""
    return st.session_state.pop(_NOTICES, [])


def show_notices() -> None:
    """A small notice that names each refused URL value and what is used instead."""
    refused = notices()
    if refused:
        lines = "\n".join(f"- {n}" for n in refused)
        st.warning(f"Some values in the link could not be used:\n{lines}", icon="🔗")


def _as_widget_value(value):
    return list(value) if isinstance(value, tuple) else value


def widget(draw: Callable, label: str, key: str, *, default=None, **kwargs):
    """``draw(label, key=key, **kwargs)`` with its value kept in the store under ``key``.

    ``default`` (else the schema's) is used when the store has no value yet.
    """
    state = st.session_state
    values = store()
    if key not in state:
        initial = values.get(key, SCHEMA[key].default if default is None else default)
        if initial is None and default is not None:
            initial = default
        state[key] = _as_widget_value(initial)
    state.setdefault(_BOUND, set()).add(key)
    value = draw(label, key=key, **kwargs)
    values[key] = tuple(value) if isinstance(value, list) else value
    return value


def set_values(**values) -> None:
    """Change stored values from a callback (a click on the chart, a button): the widgets
    drawn next show them and the URL follows at the end of the run."""
    state = st.session_state
    state[_ACTED] = True
    for key, value in values.items():
        if value is None:
            store().pop(key, None)
            state.pop(key, None)
        else:
            store()[key] = value
            state[key] = _as_widget_value(value)


def forget(predicate: Callable[[str], bool]) -> None:
    """Drop stored values (and their widgets' state) whose key matches: they take their
    defaults again on the next draw."""
    state = st.session_state
    state[_ACTED] = True
    for key in [k for k in store() if predicate(k)]:
        store().pop(key, None)
        state.pop(key, None)
    for key in [k for k in state.get(_BOUND, ()) if predicate(k) and k in state]:
        state.pop(key, None)


def keep_view(view: View) -> None:
    st.session_state[_VIEW] = view


def current_view() -> View:
    """The view that the sidebar drew on this run (router.py keeps it for the page)."""
    return st.session_state.get(_VIEW) or View.read(store(), SCHEMA)


def page_fragment(body: Callable) -> Callable:
    """``body(view, *args)`` — a page's part under its title — as an ``st.fragment``: a change
    to its own widgets reruns it alone, not the sidebar and the page around it.

    In a full run the fragment just runs (``sync_from_url`` has read the run's flags). In its
    own rerun: when a callback changed the shared view (a click on the chart moved the start
    point), the whole app runs again, so the sidebar and the page show it, and that run reads
    the flag the callback set (``_ACTED``); otherwise the flag is spent here, so that a later
    full run (Back, a pasted link) reads the address bar."""

    @functools.wraps(body)
    def part(view: View, *args) -> None:
        state = st.session_state
        if not state.pop(_FULL_RUN, False):
            if View.read(store(), SCHEMA) != view:
                st.rerun(scope="app")
            state.pop(_ACTED, None)
        body(view, *args)

    return st.fragment(part)


def publish(settings: PageSettings) -> None:
    """Put ``settings`` in the address bar (one message, one history entry), if it changed."""
    query = settings.query()
    written = st.session_state.get(_WRITTEN)
    if not _same(query, _address_query()) or (written and not _same(query, written[1])):
        st.query_params.from_dict(query)
    st.session_state[_WRITTEN] = (st.session_state.get("_page", ""), query)
