"""Curvature analysis against hand-computed cases."""

import math

import numpy as np
import pytest

from surfaces import (
    SURFACES,
    classify,
    critical_points,
    curvature_at,
    curvature_map,
    get_surface,
    parse_surface,
)

# Himmelblau's critical points (f = (x² + y − 11)² + (x + y² − 7)²), from the literature
HIMMELBLAU = {
    "minimum": [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)],
    "maximum": [(-0.270845, -0.923039)],
    "saddle": [(0.086678, 2.884255), (-3.073026, -0.081353), (3.385154, 0.073852),
               (-0.127961, -1.953715)],
}  # fmt: skip


@pytest.mark.parametrize(
    ("eigenvalues", "kind"),
    [
        ((1.0, 2.0), "minimum"),
        ((-2.0, -1.0), "maximum"),
        ((-2.0, 2.0), "saddle"),
        ((0.0, 2.0), "degenerate"),
        ((-3.0, 0.0), "degenerate"),
        ((0.0, 0.0), "degenerate"),
        ((1e-12, 5.0), "degenerate"),  # within 1e-9 of the largest: the test cannot decide
        ((1e-8, 5.0), "minimum"),
        ((2.0, 1.0), "minimum"),  # order does not matter
        ((math.nan, 1.0), "degenerate"),
    ],
)
def test_classify(eigenvalues, kind):
    assert classify(eigenvalues) == kind


def test_classify_tolerance_is_relative():
    assert classify((1e-6, 1.0), tol=1e-5) == "degenerate"
    assert classify((1e-6, 1.0), tol=1e-7) == "minimum"


def test_saddle_at_the_origin():
    c = curvature_at(parse_surface("x^2 - y^2"), (0, 0))
    np.testing.assert_allclose(c.eigenvalues, [-2.0, 2.0])
    np.testing.assert_allclose(np.abs(c.eigenvectors), np.eye(2)[:, ::-1])  # y first, then x
    assert c.kind == "saddle" and c.condition_number == 1.0
    assert c.value == 0.0 and c.gradient.tolist() == [0.0, 0.0]
    assert c.point.shape == (2,) and c.hessian.shape == (2, 2)


@pytest.mark.parametrize("angle", [0, 30, -60, 90])
def test_rotated_bowl(angle):
    kappa = 50
    c = curvature_at(get_surface("bowl", kappa=kappa, angle=angle), (1.0, 2.0))
    np.testing.assert_allclose(c.eigenvalues, [1.0, kappa], rtol=1e-12)
    theta = math.radians(angle)
    flat, steep = (math.cos(theta), math.sin(theta)), (-math.sin(theta), math.cos(theta))
    assert abs(c.eigenvectors[:, 0] @ flat) == pytest.approx(1.0)
    assert abs(c.eigenvectors[:, 1] @ steep) == pytest.approx(1.0)
    assert np.all(c.eigenvectors[0] >= -1e-15)  # sign convention: x component >= 0
    np.testing.assert_allclose(c.hessian @ c.eigenvectors, c.eigenvectors * c.eigenvalues)
    assert c.condition_number == pytest.approx(kappa)
    assert c.kind == "minimum"


def test_rosenbrock_minimum():
    c = curvature_at(get_surface("rosenbrock"), (1, 1))
    np.testing.assert_allclose(c.hessian, [[802.0, -400.0], [-400.0, 200.0]])
    # eigenvalues of [[802, −400], [−400, 200]]: 501 ∓ √(301² + 400²)
    radius = math.hypot(301, 400)
    np.testing.assert_allclose(c.eigenvalues, [501 - radius, 501 + radius])
    assert c.condition_number == pytest.approx((501 + radius) / (501 - radius))
    assert c.kind == "minimum" and c.value == 0.0


def test_degenerate_point_has_infinite_condition_number():
    c = curvature_at(parse_surface("x^2 + y^4"), (0.0, 0.0))
    assert c.kind == "degenerate" and c.condition_number == math.inf


def test_undefined_point_is_reported_not_raised():
    c = curvature_at(parse_surface("sqrt(x) + y^2"), (-1.0, 0.0))
    assert c.kind == "degenerate" and math.isnan(c.condition_number)


def _match(found, expected: dict[str, list[tuple[float, float]]], atol: float) -> None:
    by_kind: dict[str, list] = {}
    for p in found.points:
        by_kind.setdefault(p.kind, []).append(p.point)
    assert sorted(by_kind) == sorted(expected)
    for kind, points in expected.items():
        assert len(by_kind[kind]) == len(points), kind
        for point in points:
            distances = [math.dist(point, q) for q in by_kind[kind]]
            assert min(distances) < atol, (kind, point)


def test_himmelblau_critical_points_found_exactly_and_classified():
    found = critical_points(get_surface("himmelblau"))
    assert found.method == "symbolic" and found.complete
    assert "All 9 critical points" in found.message
    _match(found, HIMMELBLAU, atol=1e-5)
    assert [p.kind for p in found.points][:4] == ["minimum"] * 4  # minima listed first
    maximum = next(p for p in found.points if p.kind == "maximum")
    assert maximum.value == pytest.approx(181.616522, rel=1e-8)


def test_himmelblau_numeric_search_finds_the_same_points():
    # a tiny non-polynomial term: the same critical points to ~1e-10, found numerically
    wiggly = parse_surface(
        "(x^2 + y - 11)^2 + (x + y^2 - 7)^2 + 1e-9 sin(x)^2 sin(y)^2", ((-5, 5), (-5, 5))
    )
    found = critical_points(wiggly)  # not a polynomial: Newton's method from a grid
    assert found.method == "numeric" and not found.complete
    assert "others may exist" in found.message
    _match(found, HIMMELBLAU, atol=1e-4)


def test_rosenbrock_has_one_critical_point():
    found = critical_points(get_surface("rosenbrock"))
    assert found.complete and len(found.points) == 1
    (p,) = found.points
    assert p.kind == "minimum" and p.point == pytest.approx((1.0, 1.0), abs=1e-12)
    assert p.eigenvalues == pytest.approx((501 - math.hypot(301, 400), 501 + math.hypot(301, 400)))


def test_polynomial_without_critical_points_is_known_to_have_none():
    found = critical_points(parse_surface("x + y^3 + y"))
    assert found.complete and found.points == () and "none" in found.message


def test_bounds_restrict_the_search():
    s = get_surface("himmelblau")
    found = critical_points(s, bounds=((0, 5), (0, 5)))
    assert all(0 <= p.point[0] <= 5 and 0 <= p.point[1] <= 5 for p in found.points)
    assert [p.kind for p in found.points] == ["minimum", "saddle", "saddle"]
    assert found.points[0].point == pytest.approx((3.0, 2.0))


def test_a_line_of_critical_points_falls_back_to_the_numeric_search():
    found = critical_points(parse_surface("(x + y)^2"))  # every point on y = −x is critical
    assert found.method == "numeric" and not found.complete
    assert found.points and all(p.kind == "degenerate" for p in found.points)
    assert all(abs(p.point[0] + p.point[1]) < 1e-9 for p in found.points)


def test_no_critical_points_in_a_plain_slope():
    found = critical_points(parse_surface("exp(x) + y"))
    assert found.points == () and not found.complete
    assert found.message.startswith("No critical points found in the view")


def test_a_plateau_is_not_mistaken_for_critical_points():
    found = critical_points(get_surface("plateau"))
    assert [(p.kind, p.point) for p in found.points] == [("minimum", (0.0, 0.0))]


@pytest.mark.parametrize("sid", list(SURFACES))
def test_every_catalog_surface_is_analysed_and_its_minima_found(sid):
    s = get_surface(sid)
    found = critical_points(s)
    minima = [p.point for p in found.points if p.kind == "minimum"]
    for m in s.minima:
        assert min(math.dist(m, q) for q in minima) < 1e-6, m
    for p in found.points:
        assert np.linalg.norm(s.grad(np.array(p.point))) < 1e-6 * (1 + abs(p.value)) + 1e-6


@pytest.mark.parametrize(
    "text",
    ["sin(x)*cos(y)", "x^4 - 3x^2 + y^2", "x^3 - 3x y^2", "abs(x) + abs(y)", "log(x) + y^2",
     "1/(x^2 + y^2)", "sqrt(x) sqrt(y)", "exp(x y)", "tan(x) + y^2"],
)  # fmt: skip
def test_typed_formulas_never_raise(text):
    found = critical_points(parse_surface(text))
    assert found.message and found.method in ("symbolic", "numeric")
    for p in found.points:
        assert p.kind in ("minimum", "maximum", "saddle", "degenerate")


def test_double_well_by_hand():
    # x⁴ − 3x² + y²: ∂f/∂x = 4x³ − 6x = 0 at x = 0, ±√(3/2); ∂f/∂y = 2y = 0
    found = critical_points(parse_surface("x^4 - 3x^2 + y^2"))
    assert found.complete
    r = math.sqrt(1.5)
    _match(found, {"minimum": [(-r, 0.0), (r, 0.0)], "saddle": [(0.0, 0.0)]}, atol=1e-12)
    saddle = next(p for p in found.points if p.kind == "saddle")
    assert saddle.eigenvalues == pytest.approx((-6.0, 2.0))


def test_monkey_saddle_is_degenerate():
    found = critical_points(parse_surface("x^3 - 3x y^2"))
    assert [(p.kind, p.point) for p in found.points] == [("degenerate", (0.0, 0.0))]


def test_curvature_map_layout_and_kinds():
    s = parse_surface("x^2 - y^2 + y^4/8", bounds=((-3, 3), (-4, 4)))
    m = curvature_map(s, n=41)
    assert m.xs.shape == m.ys.shape == (41,)
    assert m.kind.shape == m.condition.shape == (41, 41) and m.eigenvalues.shape == (41, 41, 2)
    np.testing.assert_allclose([m.xs[0], m.xs[-1], m.ys[0], m.ys[-1]], [-3, 3, -4, 4])
    # f_yy = −2 + 3y²/2: a saddle where |y| < 2/√3, convex beyond; rows index y
    for row, y in enumerate(m.ys):
        expected = 0 if abs(y) < 2 / math.sqrt(3) else 1
        assert set(m.kind[row]) == {expected}, y
    assert np.all(m.eigenvalues[..., 0] <= m.eigenvalues[..., 1])
    center = m.eigenvalues[20, 20]
    np.testing.assert_allclose(center, [-2.0, 2.0])
    assert m.condition[20, 20] == pytest.approx(1.0)


def test_curvature_map_codes_concave_and_degenerate():
    m = curvature_map(parse_surface("-(x^2) - y^2"), n=5)
    assert np.all(m.kind == -1)
    m = curvature_map(parse_surface("x^2 + y"), n=5)
    assert np.all(m.kind == 2) and np.all(m.condition == math.inf)
    m = curvature_map(parse_surface("sqrt(x) + y^2"), n=6)
    assert np.all(m.kind[:, :3] == 2)  # x < 0: undefined, reported as degenerate


def test_curvature_map_of_the_bowl_has_condition_kappa_everywhere():
    m = curvature_map(get_surface("bowl", kappa=50), n=10)
    np.testing.assert_allclose(m.condition, 50.0, rtol=1e-12)
    assert np.all(m.kind == 1)
