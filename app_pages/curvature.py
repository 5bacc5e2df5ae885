"""Curvature: click a point and see the Hessian there, what it says, and where the steps go."""

from __future__ import annotations

import math

import streamlit as st

from optim_core import suggest_lr
from surfaces import critical_points, curvature_at, curvature_map
from surfaces.curvature import condition_text, local_steps, verdict
from viz import (
    condition_map_figure,
    curvature_figure,
    hessian_latex,
    kind_map_figure,
    plotly_config,
)
from viz import displacement_latex as step_latex
from webapp.cache import cached_on_surface
from webapp.settings import SCHEMA, CurvatureSettings, lr_options, nearest_option
from webapp.state import (
    current_view,
    forget,
    page_fragment,
    publish,
    set_values,
    show_notices,
    store,
    widget,
)
from webapp.ui import clicked_point, hero_chart, require_surface, stacked_columns, start_of

CHART = "curv_chart"
CONFIG = plotly_config(mode_bar=False)
MAP_N = 80
_MEMO = "_curv_surface"  # in the store: the surface the point and the rate were set on
FIGURE_NOTE = (
    "Arrows from the point: eigenvectors (blue curves up, red curves down; length ∝ |λ|, the "
    "shorter at least an eighth of the longer), the gradient step −αg (black), the best step "
    "along −g, −ε*g (teal, dotted) and Newton's step −H⁻¹g (purple). Dashed: the level curve "
    "½dᵀHd = c of the local model."
)
MODEL_NOTE = (
    "The local model m(d) = f + gᵀd + ½dᵀHd predicts the change of f for a step d; the actual "
    "change is the surface's. Along −g the model is lowest at ε* = gᵀg / gᵀHg (if gᵀHg > 0)."
)
MAP_NOTES = (
    "Blue: both eigenvalues positive (locally convex). Orange: opposite signs (saddle-shaped). "
    "Red: both negative (concave). Grey: degenerate. White: f is not defined there.",
    "κ = λmax/λmin on a log scale where the Hessian is positive definite: where it is large, "
    "gradient descent zig-zags across the steep direction while crawling along the flat one. "
    "Blank where the Hessian is indefinite, negative definite or singular: there is no "
    "condition number there (hover for the eigenvalues).",
)


@cached_on_surface(max_entries=64, show_spinner="Looking for critical points…")
def _critical(surface):
    return critical_points(surface)


@cached_on_surface(max_entries=64, show_spinner="Mapping the curvature…")
def _map(surface):
    return curvature_map(surface, n=MAP_N)


def _follow_surface(view, surface, start) -> None:
    """A point picked on another surface does not carry over, nor a learning rate suggested for
    other parameters (a link rebuilds the store without the memo, so its values stay)."""
    values = store()
    memo = values.get(_MEMO)
    here = (view.surface_id, view.formula if view.is_custom else "", surface.key)
    if memo is not None and memo[:2] != here[:2]:
        forget(lambda key: key in (*CurvatureSettings.POINT_KEYS, "curv_lr"))
    elif memo is not None and memo != here:
        forget(lambda key: key == "curv_lr")
    values[_MEMO] = here
    if values.get("curv_lr") is None:
        values["curv_lr"] = nearest_option(lr_options("sgd"), suggest_lr("sgd", surface, start))


def _point_from_click() -> None:
    """``on_select``: inspect the clicked point (x and y at once, unrounded: one history entry)."""
    picked = clicked_point(CHART)
    if picked is not None:
        set_values(curv_x=picked[0], curv_y=picked[1])


def _controls(start) -> None:
    left, middle, right = st.columns([1, 1, 2])
    limit = SCHEMA["curv_x"].hi
    for column, label, key, default in (
        (left, "x", "curv_x", start[0]),
        (middle, "y", "curv_y", start[1]),
    ):
        widget(
            column.number_input,
            label,
            key,
            value=None,
            min_value=-limit,
            max_value=limit,
            format="%.4f",
            placeholder=f"{default:.4f}",
            help="Click the contour or type a value; empty means the start point.",
        )
    options = {"options": list(lr_options("sgd")), "format_func": lambda v: f"{v:g}"}
    widget(right.select_slider, "Learning rate α of the gradient step", "curv_lr", **options)


def _numbers(curv) -> None:
    head, body = verdict(curv)
    if not curv.defined:
        st.warning(f"{body} Click or type another point.")
        return
    for tex in hessian_latex(curv):
        st.latex(tex)
    numbers = f"f = {curv.value:.5g} · ‖∇f‖ = {curv.gradient_norm:.4g}"
    st.markdown(f"{condition_text(curv)} · {numbers}")
    st.markdown(f"### {head}")
    st.markdown(body)


def _step_card(step) -> None:
    st.markdown(f"**{step.name}**")
    if step.displacement is not None:
        st.latex(step_latex(step))
        actual = "not defined there" if math.isnan(step.actual) else f"{step.actual:.4g}"
        st.markdown(f"Δf: model {step.predicted:.4g} · actual {actual}")
    st.caption(step.note)


def _critical_table(found) -> None:
    st.subheader("Critical points in the view")
    if not found.complete or not found.points:  # none found, or maybe not all: say so plainly
        (st.warning if found.timed_out else st.info)(found.message)
    if found.points:
        number = st.column_config.NumberColumn(format="%.4g")
        columns = dict.fromkeys(("x", "y", "f", "λ₁", "λ₂"), number)
        st.dataframe(found.rows(), hide_index=True, column_config=columns)
        if found.complete:
            st.caption(found.message)


def _maps(surface, point, present: bool) -> None:
    st.subheader("Curvature over the view")
    cmap = _map(surface)
    for tab, draw, note in zip(
        st.tabs(["Convex · saddle · concave", "Condition number"]),
        (kind_map_figure, condition_map_figure),
        MAP_NOTES,
        strict=True,
    ):
        with tab:
            figure = draw(surface, cmap, point=point, present=present, height=520)
            st.plotly_chart(figure, theme=None, config=CONFIG)
            st.caption(note)


def main() -> None:
    st.title("Curvature")
    view = current_view()
    if not view.present:
        st.markdown(
            "Click any point of the contour (or type it): the **Hessian** there, its eigenvalues "
            "and eigenvectors, the second-derivative test, and where a gradient step, the best "
            "step along the gradient and a Newton step would go."
        )
    show_notices()
    surface = require_surface(view)
    start = start_of(view, surface)
    _follow_surface(view, surface, start)
    _curvature(view, surface, start)


@page_fragment
def _curvature(view, surface, start) -> None:
    """Everything under the title. A click on the contour, the point typed or the learning
    rate rerun this part only: not the sidebar and the page around it."""
    hero = st.container() if view.present else None  # presenting: the contour first and large
    _controls(start)
    settings = CurvatureSettings.read(store())
    point = settings.point(start)
    curv = curvature_at(surface, point)
    steps = local_steps(surface, curv, settings.lr)
    found = _critical(surface)
    # On a projector the contour gets the whole width and the numbers go below it; on a narrow
    # screen the numbers go below it too (the Hessian is never cut off).
    figure_column, numbers_column = (
        (hero, st.container()) if view.present else stacked_columns("curv", [3, 2], gap="medium")
    )
    with numbers_column:
        _numbers(curv)
    with figure_column:
        more = {"steps": steps, "critical": found.points, "present": view.present}
        figure = curvature_figure(surface, curv, height=640, **more)  # presenting: screen-high
        clicks = {"key": CHART, "on_select": _point_from_click, "selection_mode": "points"}
        hero_chart(figure, view.present, config=CONFIG, side_legend=True, **clicks)
        st.caption(FIGURE_NOTE)
    if curv.defined:
        st.subheader("Three steps from this point")
        st.caption(MODEL_NOTE)
        three = (steps.gradient, steps.best, steps.newton)
        for column, step in zip(stacked_columns("curv_steps", 3), three, strict=True):
            with column:
                _step_card(step)
    _critical_table(found)
    _maps(surface, point, view.present)
    publish(settings)


main()
