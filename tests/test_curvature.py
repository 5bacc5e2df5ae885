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
from surfaces.curvature import UNDEFINED, best_gradient_step, local_steps

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
    assert c.kind == "saddle" and c.definiteness == "indefinite"
    assert math.isnan(c.condition_number)  # κ is the course's λmax/λmin of a PD Hessian only
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


def test_degenerate_point_has_no_condition_number():
    c = curvature_at(parse_surface("x^2 + y^4"), (0.0, 0.0))
    assert c.kind == "degenerate" and c.definiteness == "singular"
    assert math.isnan(c.condition_number)


@pytest.mark.parametrize(
    ("text", "point", "missing"),
    [
        ("sqrt(x) + y^2", (-1.0, 0.0), "f, the gradient ∇f and the Hessian H are"),
        ("1/x + y^2", (0.0, 0.0), "f, the gradient ∇f and the Hessian H are"),
        ("abs(x)^1.5 + y^2", (0.0, 0.0), "the Hessian H is"),
    ],
)
def test_undefined_point_is_reported_not_raised(text, point, missing):
    c = curvature_at(parse_surface(text), point)
    assert c.kind == "undefined" and not c.defined
    assert c.problem.startswith(missing) and f"({point[0]:g}, {point[1]:g})" in c.problem
    assert math.isnan(c.condition_number)
    steps = local_steps(parse_surface(text), c, 0.1)
    for step in (steps.gradient, steps.best, steps.newton):
        assert step.displacement is None and step.note == c.problem
    assert curvature_at(parse_surface(text), (1.0, 1.0)).defined


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
    assert math.isnan(m.condition[20, 20])  # indefinite: no condition number
    convex = m.kind == 1
    assert np.all(np.isnan(m.condition[~convex])) and np.all(m.condition[convex] >= 1)


def test_curvature_map_codes_concave_and_degenerate():
    m = curvature_map(parse_surface("-(x^2) - y^2"), n=5)
    assert np.all(m.kind == -1)
    m = curvature_map(parse_surface("x^2 + y"), n=5)
    assert np.all(m.kind == 2) and np.all(np.isnan(m.condition))
    m = curvature_map(parse_surface("sqrt(x) + y^2"), n=6)
    assert np.all(m.kind[:, :3] == UNDEFINED)  # x < 0: not defined, told apart from degenerate
    assert np.all(m.kind[:, 3:] == 0)  # x > 0: f_xx = −x^(−3/2)/4 < 0 < f_yy = 2, saddle-shaped


def test_curvature_map_of_the_bowl_has_condition_kappa_everywhere():
    m = curvature_map(get_surface("bowl", kappa=50), n=10)
    np.testing.assert_allclose(m.condition, 50.0, rtol=1e-12)
    assert np.all(m.kind == 1)


# ---------------------------------------------------------------------------- model steps

QUADRATICS = ["x^2 + 5y^2 + x y - 3x + 2", "3(x-1)^2 + 0.5(y+2)^2 - 2x y", "x^2 - 2y^2 + x y"]


def _line_minimizer(surface, point, direction) -> float:
    """The exact minimizer over ε of f(p + ε d) for a quadratic: f along the line is a parabola,
    fitted through three of its points (no derivatives, no model)."""
    eps = np.array([0.0, 1.0, 2.0])
    values = surface.f(np.asarray(point) + eps[:, None] * np.asarray(direction))
    a, b, _ = np.polyfit(eps, values, 2)
    assert a > 0
    return -b / (2 * a)


@pytest.mark.parametrize("text", QUADRATICS[:2])
@pytest.mark.parametrize("point", [(2.0, 1.0), (-1.5, 0.3), (0.2, -3.0)])
def test_best_gradient_step_is_the_exact_line_minimizer_on_a_quadratic(text, point):
    s = parse_surface(text)
    c = curvature_at(s, point)
    step, epsilon, along = best_gradient_step(s, c)
    assert epsilon == pytest.approx(_line_minimizer(s, point, -c.gradient), rel=1e-9)
    np.testing.assert_allclose(step.displacement, -epsilon * c.gradient)
    f0 = float(s.f(np.asarray(point)))
    f1 = float(s.f(np.asarray(point) - epsilon * c.gradient))
    assert -step.predicted == pytest.approx(f0 - f1, rel=1e-9)  # the predicted decrease is real
    assert step.actual == pytest.approx(f1 - f0, rel=1e-9)
    g = c.gradient
    assert along == pytest.approx(g @ c.hessian @ g / (g @ g))
    assert f"{epsilon:.4g}" in step.note


def test_best_gradient_step_beats_every_other_multiple_of_the_gradient():
    s = get_surface("bowl", kappa=30, angle=20)
    c = curvature_at(s, (1.5, -2.0))
    step, epsilon, _ = best_gradient_step(s, c)
    others = np.linspace(0.2, 2.0, 19) * epsilon
    values = s.f(c.point - others[:, None] * c.gradient)
    assert step.actual <= values.min() - c.value + 1e-12


def test_no_best_step_where_the_model_has_no_minimum_along_the_gradient():
    s = parse_surface(QUADRATICS[2])  # a saddle: −g has negative curvature from (0, 1)
    c = curvature_at(s, (0.0, 1.0))
    g = c.gradient
    assert g @ c.hessian @ g < 0
    step, epsilon, along = best_gradient_step(s, c)
    assert epsilon is None and step.displacement is None and along < 0
    assert "no minimum along the gradient" in step.note and "≤ 0" in step.note
    flat = parse_surface("x + y^2")  # along −g = (−1, 0) the model is flat
    step, epsilon, along = best_gradient_step(flat, curvature_at(flat, (0.0, 0.0)))
    assert epsilon is None and along == 0 and "is flat" in step.note
    critical = curvature_at(s, (0.0, 0.0))
    step, epsilon, _ = best_gradient_step(s, critical)
    assert epsilon is None and "∇f = 0" in step.note


def test_local_steps_predict_and_measure_each_change_of_f():
    s = get_surface("rosenbrock")
    c = curvature_at(s, (-1.0, 1.5))
    steps = local_steps(s, c, 1e-3)
    g, h = c.gradient, c.hessian
    np.testing.assert_allclose(steps.gradient.displacement, -1e-3 * g)
    np.testing.assert_allclose(steps.newton.displacement, -np.linalg.solve(h, g))
    for step in (steps.gradient, steps.best, steps.newton):
        d = step.displacement
        assert step.predicted == pytest.approx(g @ d + 0.5 * d @ h @ d, rel=1e-12)
        assert step.actual == pytest.approx(float(s.f(c.point + d)) - c.value, rel=1e-12)
        assert step.length == pytest.approx(np.hypot(*d))
    on_bowl = local_steps(get_surface("bowl"), curvature_at(get_surface("bowl"), (1, 2)), 0.01)
    assert on_bowl.newton.actual == pytest.approx(on_bowl.newton.predicted, rel=1e-9)
    assert on_bowl.newton.actual <= on_bowl.best.actual <= 0  # Newton lands on the minimum


def test_newton_step_says_why_not_where_h_is_singular_and_names_a_saddle():
    s = parse_surface("x^2 + y^4")
    steps = local_steps(s, curvature_at(s, (1.0, 0.0)), 0.1)
    assert steps.newton.displacement is None and "singular" in steps.newton.note
    saddle = get_surface("saddle")
    steps = local_steps(saddle, curvature_at(saddle, (0.5, 0.5)), 0.1)
    assert "attracted to saddles" in steps.newton.note


def test_critical_point_search_stops_at_its_time_budget_and_says_so():
    slow = parse_surface("sin(x)*cos(y) + x^2/20")  # not a polynomial: the numeric search
    found = critical_points(slow, budget=0.0)
    assert found.timed_out and not found.complete and found.method == "numeric"
    assert "time budget of 0 s" in found.message and "there may be others" in found.message
    polynomial = parse_surface("x^4 - 3x^2 + y^2")
    cut = critical_points(polynomial, budget=0.0)
    assert cut.timed_out and not cut.complete  # elimination abandoned between its steps
    full = critical_points(polynomial)
    assert not full.timed_out and full.complete and len(full.points) == 3
    numeric = critical_points(slow)
    assert not numeric.timed_out and numeric.points
