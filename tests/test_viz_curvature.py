"""Curvature figures: eigenvector arrows, the local model's level curve, critical points, maps."""

import numpy as np
import pytest

from surfaces import critical_points, curvature_at, curvature_map, get_surface, parse_surface
from surfaces.curvature import local_steps
from viz import (
    condition_map_figure,
    curvature_figure,
    displacement_latex,
    hessian_latex,
    kind_map_figure,
)
from viz.curvature import (
    CRITICAL_MARKERS,
    EIGEN_COLORS,
    KIND_CODES,
    eigen_arrows,
    latex_number,
    model_level_curve,
)

BOUNDS = ((-3.0, 3.0), (-3.0, 3.0))


def _quadratic_values(xs, ys, center, hessian):
    """½ dᵀH d along a curve (NaN gaps dropped)."""
    keep = np.isfinite(xs)
    d = np.stack([xs[keep], ys[keep]], axis=-1) - center
    return 0.5 * np.einsum("ni,ij,nj->n", d, hessian, d)


def _by_name(fig, prefix):
    return [t for t in fig.data if (t.name or "").startswith(prefix)]


def test_eigen_arrows_point_along_eigenvectors_with_length_by_curvature():
    bowl = get_surface("bowl", kappa=4, angle=30)
    curv = curvature_at(bowl, (1.0, 0.5))
    arrows = eigen_arrows(curv.point, curv.eigenvalues, curv.eigenvectors, BOUNDS)
    assert len(arrows) == 2
    lengths = []
    for i, arrow in enumerate(arrows):
        start = np.array([arrow.x[0], arrow.y[0]])
        end = np.array([arrow.x[1], arrow.y[1]])
        np.testing.assert_allclose(start, curv.point)
        direction = (end - start) / np.linalg.norm(end - start)
        np.testing.assert_allclose(abs(direction @ curv.eigenvectors[:, i]), 1.0, atol=1e-12)
        assert arrow.marker.symbol == "arrow"
        assert arrow.line.color == EIGEN_COLORS[1]  # both curve up in a bowl
        lengths.append(np.linalg.norm(end - start))
    np.testing.assert_allclose(lengths[0] / lengths[1], 1 / 4)  # |λ₁| / |λ₂|
    np.testing.assert_allclose(lengths[1], 0.3 * 6.0)  # the longest: 30 % of the view


def test_eigen_arrows_colour_by_sign_at_a_saddle():
    saddle = get_surface("saddle")
    curv = curvature_at(saddle, (0.0, 0.0))
    arrows = eigen_arrows(curv.point, curv.eigenvalues, curv.eigenvectors, BOUNDS)
    assert [a.line.color for a in arrows] == [EIGEN_COLORS[-1], EIGEN_COLORS[1]]
    assert "curves down" in arrows[0].name and "curves up" in arrows[1].name


def test_model_level_curve_is_an_ellipse_for_a_minimum():
    hessian = np.array([[3.0, 1.0], [1.0, 2.0]])
    lam, vec = np.linalg.eigh(hessian)
    center = np.array([0.5, -1.0])
    xs, ys, shape = model_level_curve(lam, vec, center, radius=1.2)
    assert shape == "ellipse"
    q = _quadratic_values(xs, ys, center, hessian)
    np.testing.assert_allclose(q, q[0], rtol=1e-9)  # one level: ½dᵀHd = c
    radius = np.hypot(xs - center[0], ys - center[1])
    np.testing.assert_allclose(radius.max(), 1.2, rtol=1e-3)  # long semi-axis = radius


def test_model_level_curve_is_a_hyperbola_at_a_saddle():
    hessian = np.array([[2.0, 0.0], [0.0, -5.0]])
    lam, vec = np.linalg.eigh(hessian)
    xs, ys, shape = model_level_curve(lam, vec, np.zeros(2), radius=2.0)
    assert shape == "hyperbola"
    q = _quadratic_values(xs, ys, np.zeros(2), hessian)
    c = np.abs(q).max()
    np.testing.assert_allclose(np.abs(q), c, rtol=1e-9)
    assert (q > 0).any() and (q < 0).any()  # both the +c and the −c branches
    assert np.nanmax(np.hypot(xs, ys)) <= 2.0 + 1e-9
    assert np.isnan(xs).sum() == 3  # four branches


def test_model_level_curve_degenerate_and_flat():
    _, ys, shape = model_level_curve([0.0, 2.0], np.eye(2), np.zeros(2), radius=1.0)
    assert shape == "parallel lines"
    keep = np.isfinite(ys)
    np.testing.assert_allclose(np.abs(ys[keep]), 0.5)  # curved along y only: y = ±const
    assert model_level_curve([0.0, 0.0], np.eye(2), np.zeros(2), 1.0)[2] == "none"


def test_curvature_figure_marks_critical_points_by_kind():
    himmelblau = get_surface("himmelblau")
    found = critical_points(himmelblau)
    curv = curvature_at(himmelblau, (0.0, 0.0))
    fig = curvature_figure(himmelblau, curv, critical=found.points)
    by_kind = {t.name.split(" (")[0]: t for t in fig.data if t.name and "(" in t.name}
    for kind, count in (("minimum", 4), ("saddle", 4), ("maximum", 1)):
        trace = by_kind[kind]
        assert len(trace.x) == count
        assert trace.marker.symbol == CRITICAL_MARKERS[kind][0]
    assert len({CRITICAL_MARKERS[k][0] for k in ("minimum", "saddle", "maximum")}) == 3
    (model,) = _by_name(fig, "local model")
    assert "ellipse" in model.name  # the origin of Himmelblau is a maximum


def test_curvature_figure_draws_the_three_steps_and_the_point():
    bowl = get_surface("bowl")
    curv = curvature_at(bowl, (2.0, 1.0))
    steps = local_steps(bowl, curv, 0.05)
    fig = curvature_figure(bowl, curv, steps=steps)
    (gd_arrow,) = _by_name(fig, "gradient step")
    (best_arrow,) = _by_name(fig, "best gradient step")
    (newton_arrow,) = _by_name(fig, "Newton step")
    np.testing.assert_allclose([gd_arrow.x[1], gd_arrow.y[1]], curv.point - 0.05 * curv.gradient)
    end = curv.point - steps.epsilon * curv.gradient
    np.testing.assert_allclose([best_arrow.x[1], best_arrow.y[1]], end)
    assert best_arrow.line.dash == "dot"
    np.testing.assert_allclose([newton_arrow.x[1], newton_arrow.y[1]], [0.0, 0.0], atol=1e-12)
    (point,) = _by_name(fig, "point")
    assert (point.x[0], point.y[0]) == (2.0, 1.0)
    assert _by_name(fig, "minimum")  # no critical points given: the known minima instead
    assert fig.layout.yaxis.scaleanchor == "x"  # eigenvectors look perpendicular
    assert any(t.name == "pick" for t in fig.data)  # clicks land on the invisible grid


def test_curvature_figure_skips_a_missing_step():
    saddle = parse_surface("x^2 - y^2", bounds=((-2, 2), (-2, 2)))
    curv = curvature_at(saddle, (0.2, 1.5))
    steps = local_steps(saddle, curv, 0.1)
    assert steps.best.displacement is None  # −g curves down here: no best step
    fig = curvature_figure(saddle, curv, steps=steps)
    assert _by_name(fig, "Newton step") and _by_name(fig, "gradient step")
    assert not _by_name(fig, "best gradient step")
    (model,) = _by_name(fig, "local model")
    assert "hyperbola" in model.name


def test_kind_map_shows_saddle_convex_and_concave_regions():
    saddle = get_surface("saddle")
    cmap = curvature_map(saddle, n=41)
    fig = kind_map_figure(saddle, cmap, point=(0.0, 0.0))
    heat = fig.data[0]
    z = np.asarray(heat.z)
    assert z.shape == (41, 41)
    codes = list(KIND_CODES)
    middle = z[20, 20]
    assert codes[int(middle)] == 0  # saddle at the origin
    assert {codes[int(v)] for v in np.unique(z)} <= set(KIND_CODES)
    assert list(heat.colorbar.ticktext) == [KIND_CODES[c] for c in codes]
    assert fig.data[-1].name == "point"


def test_condition_map_is_log10_of_the_condition_number():
    bowl = get_surface("bowl", kappa=50, angle=0)
    cmap = curvature_map(bowl, n=20)
    fig = condition_map_figure(bowl, cmap)
    z = np.asarray(fig.data[0].z, dtype=float)
    np.testing.assert_allclose(z, np.log10(50.0))  # constant Hessian: κ everywhere
    assert "κ" in fig.data[0].colorbar.title.text


@pytest.mark.parametrize("surface_id", ["plateau", "rastrigin", "regression"])
def test_figures_build_without_warnings_on_awkward_surfaces(surface_id):
    surface = get_surface(surface_id)
    curv = curvature_at(surface, surface.start)
    fig = curvature_figure(surface, curv, critical=critical_points(surface).points)
    assert fig.data[0].type == "contour"
    cmap = curvature_map(surface, n=16)
    kind_map_figure(surface, cmap)
    condition_map_figure(surface, cmap)


def _finite_numbers(figure) -> bool:
    """Every number in the figure's traces (but the contour's and maps' own grids) is finite."""
    for trace in figure.data:
        if trace.type in ("contour", "heatmap"):
            continue
        for attr in ("x", "y"):
            values = getattr(trace, attr, None)
            if values is not None and len(values):
                numbers = np.asarray([v for v in values if v is not None], dtype=float)
                if not np.all(np.isfinite(numbers[~np.isnan(numbers)])) or (
                    attr == "x" and trace.name not in ("pick",) and np.isnan(numbers).all()
                ):
                    return False
    return True


@pytest.mark.parametrize(
    ("text", "point"), [("sqrt(x) + y^2", (-1.0, 0.0)), ("1/x + y^2", (0.0, 0.0)),
                        ("log(x y)", (-1.0, 2.0)), ("exp(x)", (800.0, 0.0))],
)  # fmt: skip
def test_a_point_where_f_is_not_defined_draws_only_the_point(text, point):
    surface = parse_surface(text)
    curv = curvature_at(surface, point)
    assert not curv.defined
    fig = curvature_figure(surface, curv, steps=local_steps(surface, curv, 0.1))
    assert not _by_name(fig, "eigenvector") and not _by_name(fig, "local model")
    assert not _by_name(fig, "gradient step") and not _by_name(fig, "Newton step")
    (marker,) = _by_name(fig, "point")
    assert marker.name.endswith("not defined here") and (marker.x[0], marker.y[0]) == point
    assert _finite_numbers(fig)
    assert eigen_arrows(point, curv.eigenvalues, curv.eigenvectors, BOUNDS) == []


def test_kind_map_shows_where_f_is_not_defined():
    surface = parse_surface("sqrt(x) + y^2")
    fig = kind_map_figure(surface, curvature_map(surface, n=6))
    z = np.asarray(fig.data[0].z, dtype=float)
    codes = list(KIND_CODES)
    assert {codes[int(v)] for v in z[:, :3].ravel()} == {3}
    assert "not defined" in list(fig.data[0].colorbar.ticktext)


def test_latex_of_the_numbers_panel():
    bowl = get_surface("bowl")
    curv = curvature_at(bowl, (1.0, 2.0))
    tex = " ".join(hessian_latex(curv))
    for entry in curv.hessian.ravel():
        assert latex_number(entry) in tex
    assert r"\lambda_1" in tex and "bmatrix" in tex
    assert latex_number(1.5e-7) == r"1.5 \times 10^{-7}"
    assert latex_number(float("nan")) == r"\text{undefined}"
    step = local_steps(bowl, curv, 0.01).gradient
    assert latex_number(step.displacement[0]) in displacement_latex(step)
