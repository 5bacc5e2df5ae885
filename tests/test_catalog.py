"""The catalog: ids, parameters, views, start points, and minima that really are minima."""

import math

import numpy as np
import pytest

from surfaces import (
    SURFACES,
    SurfaceError,
    critical_points,
    curvature_at,
    get_surface,
    list_surfaces,
    regression_data,
)

IDS = [
    "bowl",
    "saddle",
    "rosenbrock",
    "multi_minimum",
    "plateau",
    "himmelblau",
    "beale",
    "rastrigin",
    "six_hump_camel",
    "matyas",
    "regression",
    "logistic",
]


def _variants() -> list[tuple[str, dict]]:
    """Every surface at its defaults, and each parameter at its ends and in between."""
    cases = []
    for sid, spec in SURFACES.items():
        cases.append((sid, {}))
        for p in spec.params:
            for value in sorted({p.min, p.max, round((p.min + p.max) / 2 / p.step) * p.step}):
                cases.append((sid, {p.name: value}))
    cases += [("bowl", {"kappa": 137, "angle": 37}), ("rosenbrock", {"a": 0.7, "b": 3})]
    return cases


VARIANTS = _variants()


def _inside(point, bounds) -> bool:
    (xmin, xmax), (ymin, ymax) = bounds
    return xmin <= point[0] <= xmax and ymin <= point[1] <= ymax


def test_ids_in_display_order():
    assert list_surfaces() == IDS == list(SURFACES)


def test_specs_describe_every_surface_and_parameter():
    for sid, spec in SURFACES.items():
        assert spec.id == sid and spec.name and spec.description.endswith(".")
        for p in spec.params:
            assert p.min <= p.default <= p.max and p.step > 0 and p.label and p.help
    params = {sid: {p.name for p in spec.params} for sid, spec in SURFACES.items()}
    assert params["bowl"] == {"kappa", "angle"}
    assert params["rosenbrock"] == {"a", "b"}
    assert params["rastrigin"] == {"A"}
    assert params["regression"] == {"standardized"}


@pytest.mark.parametrize(("sid", "params"), VARIANTS)
def test_every_listed_minimum_is_a_strict_local_minimum(sid, params):
    s = get_surface(sid, **params)
    assert s.minima, "every catalog surface lists its minima"
    minima = np.array(s.minima)
    gradient_scale = 1.0 + np.abs(s.grad(np.array(s.start))).max()
    np.testing.assert_allclose(s.grad(minima), 0.0, atol=1e-9 * gradient_scale)
    for hessian in s.hessian(minima):
        assert np.all(np.linalg.eigvalsh(hessian) > 0), hessian
    values = s.f(minima)
    assert values[0] <= values.min() + 1e-9 * (1 + abs(values[0])), "global minimum first"


@pytest.mark.parametrize(("sid", "params"), VARIANTS)
def test_view_holds_the_start_and_the_minima(sid, params):
    s = get_surface(sid, **params)
    (xmin, xmax), (ymin, ymax) = s.bounds
    assert xmin < xmax and ymin < ymax
    assert _inside(s.start, s.bounds)
    assert all(_inside(m, s.bounds) for m in s.minima)
    assert math.isfinite(s.f(s.start)) and np.all(np.isfinite(s.grad(s.start)))
    assert s.start not in s.minima
    assert s.id == sid and s.description == SURFACES[sid].description
    assert dict(s.params).keys() == {p.name for p in SURFACES[sid].params}
    assert s.text == str(s.expr)


def test_parameters_are_filled_with_defaults_and_named_in_the_title():
    s = get_surface("bowl", kappa=50)
    assert dict(s.params) == {"kappa": 50.0, "angle": 30.0}
    assert s.name == "Ill-conditioned bowl (κ=50, 30°)"
    assert get_surface("rosenbrock").name == "Rosenbrock (a=1, b=100)"


@pytest.mark.parametrize(("kappa", "angle"), [(1, 0), (20, 30), (50, -45), (200, 90), (137, 37)])
def test_bowl_condition_number_is_kappa_along_the_rotated_axes(kappa, angle):
    s = get_surface("bowl", kappa=kappa, angle=angle)
    np.testing.assert_allclose(s.quadratic_eigenvalues, (1.0, kappa), rtol=1e-12)
    c = curvature_at(s, (0.4, -1.1))  # a quadratic: the same Hessian everywhere
    np.testing.assert_allclose(c.eigenvalues, (1.0, kappa), rtol=1e-12)
    if kappa > 1:
        flat = np.array([math.cos(math.radians(angle)), math.sin(math.radians(angle))])
        assert abs(c.eigenvectors[:, 0] @ flat) == pytest.approx(1.0, abs=1e-12)


def test_saddle_stalls_on_the_x_axis_and_its_valleys_are_the_minima():
    s = get_surface("saddle")
    # on the x-axis the gradient has no y component: gradient descent slides into (0, 0)
    assert s.grad(np.array([2.5, 0.0]))[1] == 0.0
    assert curvature_at(s, (0.0, 0.0)).kind == "saddle"
    np.testing.assert_allclose(s.minima, [(0.0, 2.0), (0.0, -2.0)], atol=1e-12)
    found = critical_points(s)
    assert found.complete and [p.kind for p in found.points] == ["minimum", "minimum", "saddle"]


@pytest.mark.parametrize("tilt", [-0.5, -0.2, 0.2, 0.5])
def test_saddle_tilt_lowers_one_valley(tilt):
    s = get_surface("saddle", tilt=tilt)
    low, high = s.f(np.array(s.minima))
    assert low < high
    assert np.sign(s.minima[0][1]) == -np.sign(tilt)


def test_rosenbrock_minimum_is_at_a_a_squared():
    assert get_surface("rosenbrock", a=1.3, b=7).minima == ((1.3, 1.3**2),)


def test_multi_minimum_has_a_global_and_a_local_minimum_with_a_ridge_between():
    s = get_surface("multi_minimum")
    found = critical_points(s)
    kinds = [p.kind for p in found.points]
    assert kinds == ["minimum", "minimum", "saddle"]
    (best, local, ridge) = found.points
    np.testing.assert_allclose([best.point, local.point], s.minima, atol=1e-8)
    assert best.value < local.value < ridge.value


def test_plateau_is_flat_far_from_its_well():
    s = get_surface("plateau")
    assert np.linalg.norm(s.grad(np.array(s.start))) < 1e-4
    assert s.f(np.array(s.start)) > 0.999
    assert np.linalg.norm(s.grad(np.array([0.5, 0.5]))) > 0.1


def test_himmelblau_has_four_minima_of_value_zero():
    s = get_surface("himmelblau")
    assert len(s.minima) == 4
    np.testing.assert_allclose(s.f(np.array(s.minima)), 0.0, atol=1e-20)


def test_six_hump_camel_has_two_global_minima_first():
    s = get_surface("six_hump_camel")
    values = s.f(np.array(s.minima))
    np.testing.assert_allclose(values[:2], -1.0316284534898774, rtol=1e-12)
    assert np.all(values[2:] > values[0] + 0.5)


def test_rastrigin_amplitude_zero_is_the_plain_bowl():
    s = get_surface("rastrigin", A=0)
    np.testing.assert_allclose(s.hessian(np.array([1.3, -0.4])), 2 * np.eye(2), atol=1e-12)
    assert s.quadratic_eigenvalues == (2.0, 2.0)  # the cosines vanish from the expression
    assert get_surface("rastrigin").f(np.array([1.0, 1.0])) == pytest.approx(2.0)


def test_matyas_is_the_classic_quadratic_with_its_valley_on_the_diagonal():
    s = get_surface("matyas")
    xy = np.random.default_rng(1).uniform(-10, 10, size=(50, 2))
    x, y = xy[:, 0], xy[:, 1]
    np.testing.assert_allclose(s.f(xy), 0.26 * (x**2 + y**2) - 0.48 * x * y, rtol=1e-12)
    assert s.minima == ((0.0, 0.0),) and s.f(np.zeros(2)) == 0.0
    assert s.bounds == ((-10.0, 10.0), (-10.0, 10.0))
    np.testing.assert_allclose(s.quadratic_eigenvalues, (0.04, 1.0), rtol=1e-12)
    flat = curvature_at(s, s.start).eigenvectors[:, 0]
    assert abs(flat @ np.array([1.0, 1.0]) / math.sqrt(2)) == pytest.approx(1.0)
    found = critical_points(s)
    assert found.complete and [p.kind for p in found.points] == ["minimum"]


def test_regression_minimum_is_the_least_squares_solution():
    for standardized in (0, 1):
        s = get_surface("regression", standardized=standardized)
        features, targets = regression_data(standardized=bool(standardized))
        assert features.shape == (40, 2) and targets.shape == (40,)
        w = np.linalg.lstsq(features, targets, rcond=None)[0]
        np.testing.assert_allclose(s.minima[0], w, rtol=1e-10)
        # the surface is the mean squared error of the data, at any weights
        for weights in ([0.3, -1.2], [2.0, 0.5]):
            mse = np.mean((features @ weights - targets) ** 2)
            assert s.f(np.array(weights)) == pytest.approx(mse, rel=1e-12)


def test_regression_feature_scaling_fixes_the_conditioning():
    raw = get_surface("regression").quadratic_eigenvalues
    scaled = get_surface("regression", standardized=1).quadratic_eigenvalues
    assert raw[1] / raw[0] > 100
    assert scaled[1] / scaled[0] < 1.5
    features, _ = regression_data(standardized=True)
    np.testing.assert_allclose(features.mean(axis=0), 0.0, atol=0.01)
    np.testing.assert_allclose(features.std(axis=0), 1.0, atol=0.01)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: get_surface("nope"), "Unknown surface 'nope'"),
        (lambda: get_surface(3), "Unknown surface 3"),
        (lambda: get_surface("bowl", k=3), "Unknown parameter 'k'.*kappa, angle"),
        (lambda: get_surface("plateau", A=3), "Unknown parameter 'A'.*none"),
        (lambda: get_surface("bowl", kappa=0.5), "'kappa' = 0.5 .* between 1 and 200"),
        (lambda: get_surface("bowl", kappa=math.nan), "out of range"),
        (lambda: get_surface("bowl", angle=math.inf), "out of range"),
        (lambda: get_surface("bowl", kappa="big"), "must be a number, got 'big'"),
        (lambda: get_surface("bowl", kappa=None), "must be a number"),
        (lambda: get_surface("rosenbrock", b=-1), "'b' = -1 .* between 1 and 200"),
        (lambda: get_surface("rastrigin", A=25), "between 0 and 20"),
        (lambda: get_surface("regression", standardized=0.5), "must be 0 or 1"),
    ],
)
def test_bad_requests_say_what_is_wrong(call, message):
    with pytest.raises(SurfaceError, match=message):
        call()


def test_numpy_and_bool_parameters_are_accepted():
    assert get_surface("bowl", kappa=np.float64(50)) == get_surface("bowl", kappa=50)
    assert get_surface("regression", standardized=True) == get_surface("regression", standardized=1)


# ---------------------------------------------------------------------------- descriptions
# A surface's description tells what its default view shows: these run the claims, with the
# learning rate the Race suggests (snapped to its slider) from the surface's own start.


def _race_lr(surface) -> float:
    from optim_core import suggest_lr
    from webapp.settings import lr_options, nearest_option

    return nearest_option(lr_options("sgd"), suggest_lr("sgd", surface, surface.start))


def _along_eigenvectors(surface, path):
    """The path's error along (flat, steep) eigenvectors of the constant Hessian."""
    _, vectors = np.linalg.eigh(surface.hessian(np.asarray(surface.start, float)))
    return (path - np.asarray(surface.minima[0])) @ vectors


def test_the_bowl_description_drop_then_crawl_and_zig_zag_above():
    from optim_core import run

    bowl = get_surface("bowl")
    assert "drops to the valley floor" in SURFACES["bowl"].description
    lr = _race_lr(bowl)
    error = _along_eigenvectors(bowl, run(bowl, "sgd", start=bowl.start, steps=40, lr=lr).path)
    flat, steep = np.abs(error[:, 0]), np.abs(error[:, 1])
    assert steep[5] < 1e-2 * steep[0]  # the valley floor within a few steps
    assert flat[5] > 0.5 * flat[0]  # while the long direction has barely moved: a crawl
    lam_max = float(np.linalg.eigvalsh(bowl.hessian(np.asarray(bowl.start, float))).max())
    fast = run(bowl, "sgd", start=bowl.start, steps=10, lr=1.8 / lam_max)
    steep_fast = _along_eigenvectors(bowl, fast.path)[:, 1]
    assert np.all(np.sign(steep_fast[1:]) != np.sign(steep_fast[:-1]))  # zig-zag


def test_the_saddle_description_lingers_then_escapes_and_stalls_on_the_axis():
    from optim_core import run

    saddle = get_surface("saddle")
    text = SURFACES["saddle"].description
    assert "lingers" in text and "escapes into a valley" in text and "stalls at the saddle" in text
    lr = _race_lr(saddle)
    path = run(saddle, "sgd", start=saddle.start, steps=300, lr=lr).path
    assert np.linalg.norm(path, axis=1).min() < 0.1 * np.linalg.norm(path[0])  # near the saddle
    assert abs(abs(path[-1, 1]) - 2.0) < 1e-6  # then in a valley, y = ±2
    on_axis = run(saddle, "sgd", start=(saddle.start[0], 0.0), steps=300, lr=lr).path
    assert np.linalg.norm(on_axis[-1]) < 1e-9  # stalled at the saddle
