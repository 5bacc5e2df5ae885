"""Curvature: click a point and see the Hessian there, what it says, and where the steps go."""

from __future__ import annotations

import functools

import numpy as np
import streamlit as st

from app_pages._controls import log_options, nearest_option
from app_pages._ui import clicked_point, current_view, load_surface, require_surface, start_of
from optim_core import OPTIMIZERS, run, suggest_lr
from surfaces import critical_points, curvature_at, curvature_map
from viz.curvature import condition_map_figure, curvature_figure, kind_map_figure

CHART = "curv_chart"
POINT_X, POINT_Y, LR = "curv_x", "curv_y", "curv_lr"
_SURFACE_MEMO = "_curv_surface"  # the surface the point belongs to
MAP_N = 80
CRITICAL_TOL = 1e-6  # |∇f| below this counts as a critical point

_VERDICT = {
    "minimum": (
        "minimum",
        "Both eigenvalues are positive: the surface curves **up** in every direction.",
    ),
    "maximum": (
        "maximum",
        "Both eigenvalues are negative: the surface curves **down** in every direction.",
    ),
    "saddle": (
        "saddle",
        "The eigenvalues have opposite signs: the surface curves up along one eigenvector and "
        "down along the other.",
    ),
    "degenerate": (
        "inconclusive (degenerate)",
        "An eigenvalue is zero: along its eigenvector the second derivative says nothing, so "
        "higher-order terms decide.",
    ),
}


def point_from_click(chart_key: str) -> None:
    """``on_select`` callback: a click on the contour becomes the inspected point.

    Not rounded: a click on a critical point's marker must land exactly on it.
    """
    picked = clicked_point(chart_key)
    if picked is not None:
        st.session_state[POINT_X], st.session_state[POINT_Y] = picked


def _forget_point_on_new_surface(surface, lr_default: float) -> None:
    """A point and learning rate picked on another surface do not carry over.

    The widgets are bound to the URL, so they are reset by value (the URL follows), not
    deleted (the URL would bring the old values back).
    """
    state = st.session_state
    previous = state.get(_SURFACE_MEMO)
    if previous is not None and previous != surface.key:
        state[POINT_X] = state[POINT_Y] = None
        state[LR] = lr_default
    state[_SURFACE_MEMO] = surface.key


@st.cache_data(max_entries=64, show_spinner="Looking for critical points…")
def _critical(surface_id: str, params: tuple, formula: str):
    return critical_points(load_surface(surface_id, params, formula))


@st.cache_data(max_entries=64, show_spinner="Mapping the curvature…")
def _curvature_map(surface_id: str, params: tuple, formula: str, n: int):
    return curvature_map(load_surface(surface_id, params, formula), n=n)


def _num(value: float) -> str:
    """A number for LaTeX: 4 significant digits, powers of ten written as such."""
    mantissa, _, exponent = f"{value:.4g}".partition("e")
    return rf"{mantissa} \times 10^{{{int(exponent)}}}" if exponent else mantissa


def _matrix(rows) -> str:
    body = r" \\ ".join(" & ".join(_num(v) for v in row) for row in rows)
    return r"\begin{bmatrix} " + body + r" \end{bmatrix}"


def _vector(v) -> str:
    return _matrix([[v[0]], [v[1]]])


def _one_step(surface, optimizer: str, point, **hyper):
    """One step of ``optimizer`` from ``point`` (the optimizer's own rule): the displacement,
    or None if it leaves the view by far (a near-singular Hessian, a huge α), and the run."""
    t = run(surface, optimizer, start=tuple(point), steps=1, **hyper)
    return (None if t.diverged_at is not None else t.path[1] - t.path[0]), t


def _point_controls(surface, view) -> tuple[float, float, float]:
    """The inspected point (empty inputs: the start point) and the gradient step's α."""
    start = start_of(view, surface)
    lr_hyper = OPTIMIZERS["sgd"].hyper[0]
    options = log_options(lr_hyper.min, lr_hyper.max)
    lr_default = nearest_option(options, suggest_lr("sgd", surface, start))
    _forget_point_on_new_surface(surface, lr_default)
    left, middle, right = st.columns([1, 1, 2])
    typed = [
        column.number_input(
            label,
            value=None,
            key=key,
            bind="query-params",
            format="%.4f",
            placeholder=f"{default:.4f}",
            help="Click the contour or type a value; empty means the start point.",
        )
        for column, label, key, default in (
            (left, "x", POINT_X, start[0]),
            (middle, "y", POINT_Y, start[1]),
        )
    ]
    x, y = (float(d if v is None else v) for v, d in zip(typed, start, strict=True))
    # Once the value lives in session state it wins; a default passed alongside a value set
    # through session state would only log a warning.
    default = {} if LR in st.session_state else {"value": lr_default}
    lr = right.select_slider(
        "Learning rate α of the gradient step",
        options=options,
        format_func=lambda v: f"{v:g}",
        key=LR,
        bind="query-params",
        **default,
    )
    return x, y, float(lr)


def _verdict(curv) -> None:
    kind, why = _VERDICT[curv.kind]
    lam1, lam2 = curv.eigenvalues
    gnorm = float(np.linalg.norm(curv.gradient))
    signs = f"λ₁ = {lam1:.4g}, λ₂ = {lam2:.4g}."
    if gnorm < CRITICAL_TOL:
        st.markdown(f"### Second-derivative test: **{kind}**")
        st.markdown(f"∇f = 0 here, so this is a critical point. {why} {signs}")
    else:
        st.markdown(f"### Shape here: **{kind}**-like")
        st.markdown(
            f"{why} {signs} Not a critical point (‖∇f‖ = {gnorm:.3g}), so the test only "
            "describes the local shape: it would be a "
            f"{kind} if the gradient vanished here."
        )


def _hessian_panel(curv) -> None:
    lam, vec = curv.eigenvalues, curv.eigenvectors
    st.latex(r"H = \nabla^2 f = " + _matrix(curv.hessian))
    st.latex(
        r"\begin{aligned} "
        + r" \\ ".join(
            rf"\lambda_{i + 1} &= {_num(lam[i])}, "
            rf"& v_{i + 1} &= ({vec[0, i]:.3f},\ {vec[1, i]:.3f})"
            for i in (0, 1)
        )
        + r" \end{aligned}"
    )
    kappa = f"{curv.condition_number:.4g}" if np.isfinite(curv.condition_number) else "∞"
    st.markdown(
        f"**Condition number κ = |λ|max / |λ|min = {kappa}** · f = {curv.value:.5g} · "
        f"‖∇f‖ = {np.linalg.norm(curv.gradient):.4g}"
    )
    _verdict(curv)


def _newton_note(curv) -> str:
    if curv.kind == "degenerate":
        return (
            "H is singular (an eigenvalue is 0): −H⁻¹g does not exist. The Newton optimizer "
            "floors the zero curvature at a tiny value, so its step along that eigenvector is "
            "enormous."
        )
    if curv.kind == "saddle":
        return (
            "H is indefinite: Newton's step jumps to the stationary point of the quadratic "
            "model, which is a **saddle** — Newton's method is attracted to saddles "
            "(saddle-free Newton uses |H| instead)."
        )
    if curv.kind == "maximum":
        return (
            "H is negative definite: Newton's step heads **uphill, to the model's maximum**. "
            "Only with positive curvature does −H⁻¹g point to a minimum."
        )
    return "H is positive definite: Newton's step jumps to the minimum of the quadratic model."


def _step_card(title: str, step, t, curv, note: str) -> None:
    """One step: the displacement, and the change of f the model predicts vs the real one."""
    st.markdown(f"**{title}**")
    if step is None:
        st.markdown("The step is far too long to draw: it leaves the view by orders of magnitude.")
    else:
        g, hess = np.asarray(curv.gradient), np.asarray(curv.hessian)
        st.latex(r"d = " + _vector(step) + rf",\quad \|d\| = {_num(np.linalg.norm(step))}")
        predicted = float(g @ step + 0.5 * step @ hess @ step)
        st.markdown(f"Δf: model {predicted:.4g} · actual {t.loss[1] - t.loss[0]:.4g}")
    st.caption(note)


def _steps_section(curv, lr: float, gd, newton) -> None:
    st.subheader("Two steps from this point")
    st.caption(
        "The local model m(d) = f + gᵀd + ½dᵀHd predicts the change of f for a step d; "
        "the actual change is the surface's."
    )
    left, right = st.columns(2)
    with left:
        _step_card(
            "Gradient step  −αg",
            *gd,
            curv,
            f"α = {lr:g}: the step is α times the gradient, blind to curvature.",
        )
    with right:
        _step_card("Newton step  −H⁻¹g", *newton, curv, _newton_note(curv))


def _critical_table(found) -> None:
    st.subheader("Critical points in the view")
    if not found.complete or not found.points:  # none found, or maybe not all: say so plainly
        st.info(found.message or "No critical points inside the view.")
    if found.points:
        st.dataframe(
            [
                {
                    "kind": p.kind,
                    "x": p.point[0],
                    "y": p.point[1],
                    "f": p.value,
                    "λ₁": p.eigenvalues[0],
                    "λ₂": p.eigenvalues[1],
                }
                for p in found.points
            ],
            hide_index=True,
            column_config={
                c: st.column_config.NumberColumn(format="%.4g") for c in ("x", "y", "f", "λ₁", "λ₂")
            },
        )
        if found.complete:
            st.caption(found.message)


def main() -> None:
    st.title("Curvature")
    st.markdown(
        "Click any point of the contour (or type it): the **Hessian** there, its eigenvalues "
        "and eigenvectors, the second-derivative test, and where a gradient step and a Newton "
        "step would go."
    )
    view = current_view()
    surface = require_surface(view)
    x, y, lr = _point_controls(surface, view)
    curv = curvature_at(surface, (x, y))
    found = _critical(view.surface_id, view.params, view.formula)
    defined = all(np.isfinite(v).all() for v in (curv.value, curv.gradient, curv.hessian))
    if defined:
        gd, gd_run = _one_step(surface, "sgd", curv.point, lr=lr)
        newton, newton_run = _one_step(surface, "newton", curv.point, lr=1.0)
    else:
        gd = newton = None
    # On a projector the contour gets the whole width and the numbers go below it.
    figure_column, numbers_column = (
        (st.container(), st.container()) if view.present else st.columns([3, 2], gap="medium")
    )
    with numbers_column:
        if defined:
            _hessian_panel(curv)
        else:
            st.warning(
                f"f or its derivatives are not defined at ({x:.4g}, {y:.4g}): "
                "click or type another point."
            )
    with figure_column:
        fig = curvature_figure(
            surface,
            curv,
            gd_step=gd,
            newton_step=newton,
            critical=found.points,
            present=view.present,
            height=860 if view.present else 640,
        )
        st.plotly_chart(
            fig,
            key=CHART,
            on_select=functools.partial(point_from_click, CHART),
            selection_mode="points",
            config={"displayModeBar": False},
        )
        st.caption(
            "Arrows from the point: eigenvectors (blue curves up, red curves down; length ∝ |λ|, "
            "the shorter at least an eighth of the longer), the gradient step (black) and "
            "Newton's step (olive). Dashed white: the level curve ½dᵀHd = c of the local model."
        )
    if defined:
        _steps_section(curv, lr, (gd, gd_run), (newton, newton_run))
    _critical_table(found)
    st.subheader("Curvature over the view")
    cmap = _curvature_map(view.surface_id, view.params, view.formula, MAP_N)
    kinds, condition = st.tabs(["Convex · saddle · concave", "Condition number"])
    with kinds:
        st.plotly_chart(
            kind_map_figure(surface, cmap, point=(x, y), present=view.present, height=520),
            config={"displayModeBar": False},
        )
        st.caption(
            "Blue: both eigenvalues positive (locally convex). Orange: opposite signs (saddle-"
            "shaped). Red: both negative (concave)."
        )
    with condition:
        st.plotly_chart(
            condition_map_figure(surface, cmap, point=(x, y), present=view.present, height=520),
            config={"displayModeBar": False},
        )
        st.caption(
            "κ = |λ|max/|λ|min on a log scale: where it is large, gradient descent zig-zags "
            "across the steep direction while crawling along the flat one."
        )


if __name__ == "__main__":
    main()
