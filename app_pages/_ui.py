"""Widgets every page shares: the surface in the sidebar, presentation mode and the start point.

Every widget that defines a view is keyed and bound to the URL (``bind="query-params"``), so a
link reopens the exact setup and the choice survives page switches.  ``sidebar()`` draws the
controls and returns a frozen :class:`View`; pages read the same value with ``current_view()``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import streamlit as st

from surfaces import SURFACES, Surface, SurfaceError, get_surface, list_surfaces, parse_surface

CUSTOM = "custom"
DEFAULT_SURFACE = "bowl"
DEFAULT_FORMULA = "x^2 + 5y^2 + x y - 2sin(x)"
START_X, START_Y = "x0", "y0"

_PRESENT_CSS = """
<style>
html { font-size: 21px; }
[data-testid="stAppViewContainer"] h1 { font-size: 2.6rem; }
[data-testid="stMarkdownContainer"] p,
[data-testid="stMarkdownContainer"] li { font-size: 1.15rem; }
[data-testid="stMetricValue"] { font-size: 2.4rem; }
[data-testid="stAppViewContainer"] { color: #000; }
[data-testid="stMainBlockContainer"] { padding-top: 2rem; }
</style>
"""


@dataclass(frozen=True)
class View:
    """What the sidebar says: which surface, with which parameters, and how to show it."""

    surface_id: str
    params: tuple[tuple[str, float], ...]
    formula: str
    start: tuple[float, float] | None  # None: the surface's own default start
    present: bool


def _param_key(surface_id: str, name: str) -> str:
    return f"{surface_id}_{name}"


@st.cache_resource(max_entries=128, show_spinner=False)
def load_surface(surface_id: str, params: tuple[tuple[str, float], ...], formula: str) -> Surface:
    """The compiled surface for a view, built once per (id, parameters) or formula text."""
    if surface_id == CUSTOM:
        return parse_surface(formula)
    return get_surface(surface_id, **dict(params))


def surface_of(view: View) -> tuple[Surface | None, str | None]:
    """The view's surface, or None and the parser's message for a refused formula."""
    try:
        return load_surface(view.surface_id, view.params, view.formula), None
    except SurfaceError as err:
        return None, str(err)


def _plain(text: str) -> str:
    """Text shown as typed: Markdown's special characters escaped (a formula has * and _)."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|~$:<>])", r"\\\1", text)


def require_surface(view: View) -> Surface:
    """The view's surface; for a refused formula, the parser's message and the page stops there."""
    surface, error = surface_of(view)
    if error is not None:
        st.error(f"This formula can't be used. {_plain(error)}")
        st.stop()
    return surface


def start_of(view: View, surface: Surface) -> tuple[float, float]:
    """The start point: typed or clicked if there is one, else the surface's default."""
    return view.start if view.start is not None else tuple(surface.start)


def current_view() -> View:
    """The view as the sidebar's widgets hold it (safe to call before or after they render)."""
    state = st.session_state
    surface_id = state.get("surface", DEFAULT_SURFACE)
    if surface_id != CUSTOM and surface_id not in SURFACES:
        surface_id = DEFAULT_SURFACE
    params: tuple[tuple[str, float], ...] = ()
    if surface_id != CUSTOM:
        params = tuple(
            (p.name, float(state.get(_param_key(surface_id, p.name), p.default)))
            for p in SURFACES[surface_id].params
        )
    x, y = state.get(START_X), state.get(START_Y)
    start = (float(x), float(y)) if x is not None and y is not None else None
    return View(
        surface_id=surface_id,
        params=params,
        formula=str(state.get("formula", DEFAULT_FORMULA)),
        start=start,
        present=bool(state.get("present", False)),
    )


def _forget_start() -> None:
    """A new surface has its own view: drop a start point picked on the old one."""
    st.session_state[START_X] = None
    st.session_state[START_Y] = None


def set_start(x: float, y: float) -> None:
    """Move the start point (a click on a contour); the URL follows through the bound inputs."""
    st.session_state[START_X] = round(float(x), 4)
    st.session_state[START_Y] = round(float(y), 4)


def clicked_point(chart_key: str) -> tuple[float, float] | None:
    """The (x, y) of the point clicked on the chart with ``chart_key``, if any."""
    event = st.session_state.get(chart_key)
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    for point in points:
        if "x" in point and "y" in point:
            return float(point["x"]), float(point["y"])
    return None


def start_from_click(chart_key: str) -> None:
    """``on_select`` callback: a click on the contour becomes the new start point."""
    picked = clicked_point(chart_key)
    if picked is not None:
        set_start(*picked)


def _surface_label(surface_id: str) -> str:
    return "Custom formula…" if surface_id == CUSTOM else SURFACES[surface_id].name


def sidebar() -> View:
    """Draw the shared sidebar controls and return the view they define."""
    with st.sidebar:
        present = st.toggle(
            "Presentation mode",
            key="present",
            bind="query-params",
            help="Large type, thick lines and high contrast for a projector.",
        )
        if present:
            st.markdown(_PRESENT_CSS, unsafe_allow_html=True)
        st.subheader("Surface")
        surface_id = st.selectbox(
            "Loss surface",
            [*list_surfaces(), CUSTOM],
            index=list_surfaces().index(DEFAULT_SURFACE),
            format_func=_surface_label,
            key="surface",
            bind="query-params",
            on_change=_forget_start,
        )
        if surface_id == CUSTOM:
            st.text_input(
                "f(x, y) =",
                value=DEFAULT_FORMULA,
                key="formula",
                bind="query-params",
                max_chars=500,
                help="Use x and y, numbers, pi, e, + − × / ^ and sin cos tan exp log sqrt abs "
                "tanh … — e.g. (1-x)^2 + 100(y-x^2)^2.  2x and x y mean multiplication.",
            )
        else:
            spec = SURFACES[surface_id]
            st.caption(spec.description)
            for p in spec.params:
                st.slider(
                    p.label,
                    min_value=float(p.min),
                    max_value=float(p.max),
                    value=float(p.default),
                    step=float(p.step),
                    key=_param_key(surface_id, p.name),
                    bind="query-params",
                    help=p.help or None,
                )
        st.subheader("Start point")
        st.caption("Click the contour to pick it, or type it. Empty means the surface's default.")
        left, right = st.columns(2)
        left.number_input("x₀", value=None, key=START_X, bind="query-params", format="%.3f")
        right.number_input("y₀", value=None, key=START_Y, bind="query-params", format="%.3f")
        view = current_view()
        if view.start is not None:
            st.button("Reset start point", on_click=_forget_start, width="stretch")
    return view
