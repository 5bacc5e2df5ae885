"""The Surface value: vectorized f, gradient and Hessian derived from the SymPy expression."""

import inspect
import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, assume, given, settings

from surfaces import Surface, SurfaceError, get_surface, parse_surface
from surfaces._surface import X, Y, _compile, polynomial_degree
from tests._formulas import formulas, points


def _surface(expr) -> Surface:
    return Surface("test", "test", expr, ((-3.0, 3.0), (-3.0, 3.0)), (), (0.0, 0.0))


ROSENBROCK = _surface((1 - X) ** 2 + 100 * (Y - X**2) ** 2)


@pytest.mark.parametrize("leading", [(), (3,), (4, 5)])
def test_outputs_follow_the_leading_shape(leading):
    xy = np.random.default_rng(0).normal(size=(*leading, 2))
    assert np.shape(ROSENBROCK.f(xy)) == leading
    assert ROSENBROCK.grad(xy).shape == (*leading, 2)
    assert ROSENBROCK.hessian(xy).shape == (*leading, 2, 2)


def test_rosenbrock_values_by_hand():
    f, g, h = ROSENBROCK.f((0.0, 1.0)), ROSENBROCK.grad((0.0, 1.0)), ROSENBROCK.hessian((0.0, 1.0))
    assert f == 101.0
    # ∂f/∂x = −2(1 − x) − 400x(y − x²), ∂f/∂y = 200(y − x²)
    np.testing.assert_allclose(g, [-2.0, 200.0])
    # ∂²f/∂x² = 2 − 400(y − 3x²), ∂²f/∂x∂y = −400x, ∂²f/∂y² = 200
    np.testing.assert_allclose(h, [[-398.0, 0.0], [0.0, 200.0]])
    assert isinstance(ROSENBROCK.f((0.0, 1.0)), float)


def test_a_scalar_point_gives_a_scalar_value():
    assert np.ndim(ROSENBROCK.f(np.array([0.5, 0.5]))) == 0


def test_constant_derivatives_broadcast_to_the_points_shape():
    plane = _surface(2 * X - 3 * Y)
    xy = np.zeros((4, 5, 2))
    np.testing.assert_array_equal(plane.grad(xy), np.broadcast_to([2.0, -3.0], (4, 5, 2)))
    np.testing.assert_array_equal(plane.hessian(xy), np.zeros((4, 5, 2, 2)))
    bowl = _surface(X**2 + 3 * Y**2)
    np.testing.assert_array_equal(
        bowl.hessian(xy), np.broadcast_to(np.diag([2.0, 6.0]), (4, 5, 2, 2))
    )


def test_points_must_have_two_coordinates():
    with pytest.raises(ValueError, match=r"\(\.\.\., 2\)"):
        ROSENBROCK.f(np.zeros((4, 3)))


def test_outside_the_domain_values_are_nan_and_no_warning_escapes():
    s = _surface(sp.sqrt(X) + sp.exp(Y))
    # RuntimeWarnings are errors in this test suite (pyproject's filterwarnings)
    values = s.f(np.array([[-1.0, 0.0], [1.0, 1000.0]]))
    assert math.isnan(values[0]) and math.isinf(values[1])
    assert np.isnan(s.grad(np.array([-1.0, 0.0]))[0])
    assert np.isnan(s.hessian(np.array([-1.0, 0.0]))[0, 0])


def test_abs_has_pointwise_derivatives():
    s = parse_surface("abs(x) + abs(log(y))")
    np.testing.assert_allclose(s.grad(np.array([-2.0, 0.5])), [-1.0, -2.0])
    # |log y| = −log y for y < 1: second derivative 1/y²; no Dirac delta, no complex parts
    np.testing.assert_allclose(s.hessian(np.array([-2.0, 0.5])), [[0.0, 0.0], [0.0, 4.0]])
    assert s.grad(np.array([0.0, 1.0])).tolist() == [0.0, 0.0]


def test_compiled_functions_are_shared_by_equal_expressions():
    a = get_surface("rosenbrock")
    b = parse_surface("(1-x)^2 + 100(y - x^2)^2")
    assert a.expr == b.expr
    assert _compile(a.expr) is _compile(b.expr)


def test_surface_is_a_hashable_frozen_value():
    a, b = get_surface("bowl", kappa=50), get_surface("bowl", kappa=50.0)
    assert a == b and hash(a) == hash(b) and a.key == b.key
    assert a.key != get_surface("bowl", kappa=51).key
    with pytest.raises(AttributeError):
        a.name = "other"


def test_custom_key_includes_text_and_view():
    a = parse_surface("x^2 + y^2")
    b = parse_surface("x^2 + y^2", bounds=((-1, 1), (-1, 1)))
    assert a.key != b.key and a.key.startswith("custom:")


def test_latex_is_sympys():
    assert ROSENBROCK.latex == sp.latex(ROSENBROCK.expr)
    assert parse_surface("abs(log(x)) + y").latex.count(r"\left|") == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x^2 + 3y^2", (2.0, 6.0)),
        ("x^2 - y^2", (-2.0, 2.0)),
        ("(x + y)^2 + 1 + x", (0.0, 4.0)),
        ("2x y", (-2.0, 2.0)),
        ("x^3 + y^2", None),
        ("x + y", None),
        ("sin(x) + y^2", None),
        ("(x + 1)^2 - x^2", None),  # degree 2 at sight, linear after expanding
    ],
)
def test_quadratic_eigenvalues(text, expected):
    eigenvalues = parse_surface(text).quadratic_eigenvalues
    if expected is None:
        assert eigenvalues is None
    else:
        np.testing.assert_allclose(eigenvalues, expected, atol=1e-12)


def test_polynomial_degree_is_an_upper_bound_found_without_expanding():
    assert polynomial_degree(((X + Y) ** 10) ** 10 * X) == 101
    assert polynomial_degree(X**2 * Y + sp.sqrt(2)) == 3
    assert polynomial_degree(sp.sin(X)) is None
    assert polynomial_degree(1 / X) is None


def test_long_products_get_a_small_hessian():
    # 16 factors: the expanded Hessian has thousands of terms; ours is straight-line code
    s = parse_surface("*".join(f"sin({k}x + y)" for k in range(1, 17)))
    assert "_d" in inspect.getsource(_compile(s.expr).hessian_entries)  # the forward-mode code
    p = np.array([0.3, -0.2])
    _check_against_finite_differences(s, p)


def _central(fn, p: np.ndarray, h: float) -> np.ndarray:
    """Central differences of fn along x and y, stacked on the last axis."""
    steps = np.eye(2) * h
    return np.stack([(fn(p + e) - fn(p - e)) / (2 * h) for e in steps], axis=-1)


def _check_against_finite_differences(s: Surface, p: np.ndarray) -> None:
    h = 1e-5
    grad, hess = s.grad(p), s.hessian(p)
    scale = 1.0 + np.abs(grad).max() + np.abs(hess).max() + abs(float(s.f(p)))
    np.testing.assert_allclose(grad, _central(s.f, p, h), rtol=1e-5, atol=1e-6 * scale)
    np.testing.assert_allclose(hess, _central(s.grad, p, h), rtol=1e-5, atol=1e-6 * scale)


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)
@given(formula=formulas(), point=points())
def test_derivatives_agree_with_finite_differences(formula, point):
    text, _ = formula
    try:
        s = parse_surface(text)
    except SurfaceError as error:
        assume("constant" not in str(error) and "too large" not in str(error))
        raise
    p = np.array(point)
    stencil = p + np.array([[0, 0], [1, 0], [-1, 0], [0, 1], [0, -1]]) * 1e-5
    values = np.concatenate([s.f(stencil).ravel(), s.grad(stencil).ravel()])
    assume(np.all(np.isfinite(values)) and np.abs(values).max() < 1e6)
    _check_against_finite_differences(s, p)
