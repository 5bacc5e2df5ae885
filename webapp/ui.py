"""Widgets every page shares: the surface in the sidebar, presentation mode and the start point.

``sidebar()`` draws the controls and returns the frozen :class:`View` they define; ``router.py``
keeps it for the page. Values live in the URL store (``_state``): a link reopens the exact view.
"""

from __future__ import annotations

import streamlit as st

from surfaces import SURFACES, Surface, SurfaceError, get_surface, list_surfaces, parse_surface
from viz import plotly_config
from webapp.board import fold_sidebar_on_touch
from webapp.escape import inert
from webapp.pages import NETWORK
from webapp.reconnect import mark_session
from webapp.settings import CUSTOM, SCHEMA, View, surface_param_key
from webapp.state import current_page, current_view, forget, keep_view, set_values, store, widget

__all__ = [
    "clicked_point",
    "current_view",
    "hero_chart",
    "load_surface",
    "require_surface",
    "sidebar",
    "stacked_columns",
    "start_from_click",
    "start_of",
]

_PRESENT_CSS = """
<style>
html { font-size: 20px; }
[data-testid="stMainBlockContainer"] { padding-top: 3.2rem; padding-bottom: 1rem; }
[data-testid="stAppViewContainer"] h1 { font-size: 1.6rem; padding: 0 0 0.3rem 0; }
[data-testid="stMain"] h2 { font-size: 1.35rem; }
[data-testid="stMain"] h3 { font-size: 1.2rem; }
[data-testid="stMarkdownContainer"] p,
[data-testid="stMarkdownContainer"] li { font-size: 1.05rem; }
[data-testid="stMetricValue"] { font-size: 2.2rem; }
[data-testid="stAppViewContainer"] { color: #000; }
/* The page's main chart fills the screen below the title and its one row of controls. */
.st-key-hero [data-testid="stElementContainer"],
.st-key-hero [data-testid="stFullScreenFrame"],
.st-key-hero .stPlotlyChart, .st-key-hero .stPlotlyChart > div {
  height: calc(100vh - var(--hero-room, 8.5rem)) !important; min-height: 320px;
  flex: 0 0 auto !important;
}
.st-key-hero .js-plotly-plot, .st-key-hero .plot-container { height: 100% !important; }
</style>
"""
# Always: columns in a ``stack_…`` container stand one under the other when the main area is
# narrow (a 1024 px screen with the sidebar open), so formulas and tables are never cut off.
_LAYOUT_CSS = """
<style>
[data-testid="stMain"] { container-type: inline-size; container-name: main; }
/* A multiselect shows every chosen option: its chips wrap onto more lines instead of scrolling
   out of sight behind a fade. */
[data-testid="stMultiSelect"] div:has(> span > [data-tag]) {
  flex-wrap: wrap !important; overflow: visible !important; row-gap: 4px; height: auto !important;
  mask-image: none !important; -webkit-mask-image: none !important; padding: 4px 0;
}
[data-testid="stMultiSelect"] div:has(> div > span > [data-tag]) {
  height: auto !important; max-height: none !important;
}
@container main (max-width: 920px) {
  [class*="st-key-stack_"] [data-testid="stHorizontalBlock"] { flex-wrap: wrap; }
  [class*="st-key-stack_"] [data-testid="stColumn"] {
    min-width: 100% !important; flex: 1 1 100% !important;
  }
  /* The Race's chart (and its α) first, its settings under it: in the hand, the chart leads. */
  .st-key-stack_race [data-testid="stColumn"]:nth-child(2),
  .st-key-stack_net [data-testid="stColumn"]:nth-child(2) { order: -1; }
}
</style>
"""
_RESUGGESTED = "_surface_resuggested"  # session state: the last change of surface re-suggested α
# Pages that no 2D surface shapes (the Network trains on its own data): their sidebar holds
# presentation mode only, and says why.
WITHOUT_SURFACE = {
    NETWORK.url_path: "This page trains a network on its own data set: the surface and start "
    "point of the other pages do not apply here."
}

HERO_ROOM = 8.5  # rem above and below the presented hero chart: the title and a row of controls


def hero_chart(figure, present: bool, *, room: float = HERO_ROOM, side_legend=False, **kwargs):
    """The page's main chart. To present, it takes the height of the screen less ``room`` rem
    (CSS above, the figure sized by its container), so it is large and above the fold at
    1280×720 and 1920×1080 alike; ``side_legend``: a square plot's legend beside it."""
    config = plotly_config(responsive=present) | kwargs.pop("config", {})
    if present:
        figure.update_layout(height=None, autosize=True)
        if side_legend:
            legend_beside(figure)
    if present and room != HERO_ROOM:
        st.html(f"<style>.st-key-hero {{ --hero-room: {room}rem; }}</style>")
    with st.container(key="hero"):
        # A figure with frames carries the session's token: after a reconnect, it is sent as a
        # new element and mounted with its frames (see ``_reconnect``).
        return st.plotly_chart(mark_session(figure), theme=None, config=config, **kwargs)


def legend_beside(figure):
    """To present a square plot: the plot on the left, the legend at the top of the room to its
    right and the colour scale at the bottom of it (under the plot, they cost its height)."""
    figure.update_xaxes(constraintoward="left")
    figure.update_layout(legend={"orientation": "v", "x": 1.0, "xanchor": "right", "y": 1.0,
                                 "yanchor": "top", "traceorder": "normal"})  # fmt: skip
    bar = {"x": 1.0, "xanchor": "right", "y": 0.0, "yanchor": "bottom", "len": 0.4}
    figure.update_traces(colorbar=bar, selector={"type": "contour"})
    return figure


def stacked_columns(key: str, spec, **kwargs):
    """``st.columns`` side by side, one under the other when the main area is narrow."""
    with st.container(key=f"stack_{key}"):
        return st.columns(spec, **kwargs)


@st.cache_resource(max_entries=128, show_spinner=False)
def load_surface(surface_id: str, params: tuple[tuple[str, float], ...], formula: str) -> Surface:
    """The compiled surface for a view, built once per (id, parameters) or formula text and
    shared by every session."""
    if surface_id == CUSTOM:
        return parse_surface(formula)
    return get_surface(surface_id, **dict(params))


def require_surface(view: View) -> Surface:
    """The view's surface; for a refused formula, the parser's message and the page stops there."""
    try:
        return load_surface(*view.surface_args)
    except SurfaceError as err:
        st.error(f"This formula can't be used: {inert(str(err))}")  # it quotes the typed text
        st.stop()


def start_of(view: View, surface: Surface) -> tuple[float, float]:
    """The start point: typed or clicked if there is one, else the surface's default."""
    return view.start if view.start is not None else tuple(float(v) for v in surface.start)


def _is_learning_rate(key: str) -> bool:
    """A value suggested for each surface (an optimizer's learning rate: ``Field.per_surface``)."""
    f = SCHEMA.get(key)
    return f is not None and f.per_surface


def _new_surface() -> None:
    """Another surface has its own scale: the start point is forgotten and every learning rate
    is suggested anew for it (and written to the URL); the next run says so (``_RESUGGESTED``).
    A change of the surface's parameters (the bowl's κ or angle) keeps every value: the lecture's
    demonstration is the same α on a narrower valley."""
    forget(lambda key: key in ("x0", "y0", "batch") or _is_learning_rate(key))
    st.session_state[_RESUGGESTED] = True


def set_start(x: float, y: float) -> None:
    """Move the start point (a click on a contour): x₀ and y₀ change together."""
    set_values(x0=round(float(x), 4), y0=round(float(y), 4))


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


def _default_start() -> tuple[float, float] | None:
    """The current surface's own start point (None while its formula is refused)."""
    view = View.read(store(), SCHEMA)
    try:
        return tuple(float(v) for v in load_surface(*view.surface_args).start)
    except SurfaceError:
        return None


def _complete_start(typed: str, default) -> None:
    """A start point is a pair: typing one coordinate fills the other with the surface's own
    (so the URL, which holds both or neither, reproduces what is shown); emptying one empties
    both."""
    state = st.session_state
    other = "y0" if typed == "x0" else "x0"
    if state.get(typed) is None:
        set_values(x0=None, y0=None)
    elif state.get(other) is None and default is not None:
        set_values(**{other: round(default[0 if other == "x0" else 1], 4)})


def _surface_label(surface_id: str) -> str:
    return "Custom formula…" if surface_id == CUSTOM else SURFACES[surface_id].name


def _surface_controls() -> str:
    surface_id = widget(
        st.selectbox,
        "Loss surface",
        "surface",
        options=[*list_surfaces(), CUSTOM],
        format_func=_surface_label,
        on_change=_new_surface,
    )
    if surface_id == CUSTOM:
        widget(
            st.text_input,
            "f(x, y) =",
            "formula",
            on_change=_new_surface,
            help="Use x and y, numbers, pi, e, + − × / ^ and sin cos tan exp log sqrt abs "
            "tanh … — e.g. (1-x)^2 + 100(y-x^2)^2.  2x and x y mean multiplication.",
        )
        return surface_id
    spec = SURFACES[surface_id]
    st.caption(spec.description)
    for p in spec.params:
        key = surface_param_key(surface_id, p.name)
        if p.switch:  # 0 or 1 in the URL, a switch on the screen
            if key not in st.session_state:
                st.session_state[key] = bool(store().get(key, p.default))
            widget(st.toggle, p.label, key, help=p.help or None)
            continue
        widget(
            st.slider,
            p.label,
            surface_param_key(surface_id, p.name),
            min_value=float(p.min),
            max_value=float(p.max),
            step=float(p.step),
            help=p.help or None,
        )
    return surface_id


def sidebar() -> View:
    """Draw the shared sidebar controls and return the view they define."""
    with st.sidebar:
        fold_sidebar_on_touch()
        present = widget(
            st.toggle,
            "Presentation mode",
            "present",
            help="Large type, thick lines and high contrast for a projector.",
        )
        st.markdown(_LAYOUT_CSS + (_PRESENT_CSS if present else ""), unsafe_allow_html=True)
        if current_page() in WITHOUT_SURFACE:
            st.caption(WITHOUT_SURFACE[current_page()])
            view = View.read(store(), SCHEMA)
            keep_view(view)
            return view
        st.subheader("Surface")
        surface_id = _surface_controls()
        st.subheader("Start point")
        st.caption("Click the contour to pick it, or type it. Empty means the surface's default.")
        left, right = st.columns(2)
        limit = SCHEMA["x0"].hi
        default = _default_start()
        for column, label, key in ((left, "x₀", "x0"), (right, "y₀", "y0")):
            with column:
                widget(
                    st.number_input,
                    label,
                    key,
                    value=None,
                    min_value=-limit,
                    max_value=limit,
                    format="%.3f",
                    on_change=_complete_start,
                    args=(key, default),
                )
        view = View.read(store(), SCHEMA)
        if view.start is not None:
            st.button(
                "Reset start point",
                on_click=set_values,
                kwargs={"x0": None, "y0": None},
                width="stretch",
            )
    if st.session_state.pop(_RESUGGESTED, False):
        name = _surface_label(surface_id)
        st.toast(f"New surface: every learning rate is suggested anew for {name}.", icon="🎚️")
    keep_view(view)
    return view
