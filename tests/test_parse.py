"""Safe formula parsing: what is accepted means what it says, everything else is refused
with a message that says what and where, and nothing typed can run code."""

import builtins
import math
import os
import subprocess

import numpy as np
import pytest
import sympy
import sympy.parsing.sympy_parser
from hypothesis import HealthCheck, assume, given, settings

from surfaces import SurfaceError, critical_points, curvature_map, parse_surface
from tests._formulas import WITH_KINKS, formulas, points

# text, point, expected f there
ACCEPTED = [
    ("x^2 + 3 y^2", (1.0, 2.0), 13.0),
    ("x**2 + 3*y**2", (1.0, 2.0), 13.0),
    ("2x y", (1.5, 2.0), 6.0),
    ("xy", (1.5, 2.0), 3.0),
    ("2(x+1)", (0.5, 0.0), 3.0),
    ("(x+1)(y-1)", (1.0, 3.0), 4.0),
    ("2 sin(x)", (math.pi / 2, 0.0), 2.0),
    ("(1-x)^2+100(y-x^2)^2", (0.5, 0.5), 0.25 + 100 * 0.0625),
    ("sin(x)cos(y)", (0.3, 0.7), math.sin(0.3) * math.cos(0.7)),
    ("e^x", (1.0, 0.0), math.e),
    ("e^(x y)", (1.0, 2.0), math.exp(2.0)),
    ("2^x + y", (3.0, 0.0), 8.0),
    ("pi*x", (1.0, 0.0), math.pi),
    ("2pi x", (1.0, 0.0), 2 * math.pi),
    ("abs(x)+abs(y)", (-1.5, 2.0), 3.5),
    ("sqrt(x^2+y^2+1)", (2.0, 2.0), 3.0),
    ("log(1+x^2)", (1.0, 0.0), math.log(2.0)),
    ("ln(x) + y", (math.e, 1.0), 2.0),
    ("log10(x) + log2(y)", (100.0, 8.0), 5.0),
    ("exp(-x^2 - y^2)", (1.0, 0.0), math.exp(-1.0)),
    ("tanh(x) + atan(y)", (0.5, 1.0), math.tanh(0.5) + math.pi / 4),
    ("arctan(y) + arcsin(x/4) + acos(x/4)", (1.0, 1.0), math.pi / 4 + math.pi / 2),
    (
        "sinh(x) cosh(y) + asinh(x) + atanh(y/2)",
        (0.5, 1.0),
        math.sinh(0.5) * math.cosh(1.0) + math.asinh(0.5) + math.atanh(0.5),
    ),
    ("acosh(2 + x^2) - y", (0.0, 1.0), math.acosh(2.0) - 1.0),
    ("x^-2 + y", (2.0, 1.0), 1.25),
    ("x^0.5 + y", (4.0, 0.0), 2.0),
    ("-x^2", (3.0, 0.0), -9.0),
    ("2^-x * y", (1.0, 4.0), 2.0),
    (".5x + 1.5e1 y", (2.0, 1.0), 16.0),
    ("1e-3 x + 1E+2 y", (1000.0, 0.01), 2.0),
    ("x/2/2 + y", (4.0, 0.0), 1.0),
    ("  x +\ty\n", (1.0, 2.0), 3.0),
    ("x^2^2 + y", (2.0, 0.0), 16.0),  # right-associative like ** (2^(2^2) would be 16 too)
    ("x^3^2 + y", (2.0, 0.0), 512.0),  # 2^(3^2) = 2^9
    ("(x - 1)(x + 1) - x^2 + y", (5.0, 2.0), 1.0),
]


@pytest.mark.parametrize(("text", "point", "expected"), ACCEPTED)
def test_accepted_formulas_mean_what_they_say(text, point, expected):
    s = parse_surface(text)
    assert s.id == "custom" and s.minima == () and s.text == text.strip()
    assert float(s.f(np.array(point))) == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_custom_surface_defaults():
    s = parse_surface("x^2 + 3y^2")
    assert s.bounds == ((-3.0, 3.0), (-3.0, 3.0))
    assert s.name == "Custom: x^2 + 3y^2"
    (xmin, xmax), (ymin, ymax) = s.bounds
    assert xmin < s.start[0] < xmax and ymin < s.start[1] < ymax
    assert s.start != (0.0, 0.0)


def test_start_point_is_where_the_surface_is_defined():
    s = parse_surface("log(x) + y^2")  # undefined for x <= 0
    assert s.start[0] > 0 and np.isfinite(s.f(np.array(s.start)))


def test_custom_view():
    s = parse_surface("x + y^2", bounds=((0, 10), (-1, 1)))
    assert s.bounds == ((0.0, 10.0), (-1.0, 1.0))
    assert 0 < s.start[0] < 10 and -1 < s.start[1] < 1


@pytest.mark.parametrize(
    "bounds", [((1, 0), (0, 1)), ((0, 1),), "abc", ((0, math.inf), (0, 1)), ((0, 1e9), (0, 1))]
)
def test_bad_views_are_refused(bounds):
    with pytest.raises(SurfaceError, match="view"):
        parse_surface("x + y", bounds=bounds)


def test_the_formula_must_be_text():
    with pytest.raises(SurfaceError, match="must be text"):
        parse_surface(42)


# text, a fragment of the message, the 0-based position (None: the whole formula)
HOSTILE = [
    ("__import__('os').system('echo hi')", "Unknown name '__import__' at position 1", 0),
    ("().__class__.__bases__", "'.' at position 3: attributes", 2),
    ("x.__class__", "'.' at position 2: attributes", 1),
    ("open('f')", "Unknown name 'open'", 0),
    ("lambda: 1", "Unknown name 'lambda'", 0),
    ("[x for x in y]", "'[' at position 1", 0),
    ("9**9**9", "too large", 0),
    ("x**99999", "Exponent 99999 is too large", 3),
    ("1e400", "out of range", 0),
    ("x" * 10_000, "too long (10000 characters; at most 500)", 500),
    ("(" * 240 + "x" + ")" * 240, "Too deeply nested", 20),
    ("-" * 499 + "x", "too complex", None),
    ("exec", "Unknown name 'exec'", 0),
    ("eval(x)", "Unknown name 'eval'", 0),
    ("getattr(x, y)", "Unknown name 'getattr'", 0),
    ("x if y else 1", "Unknown name 'if' at position 3", 2),
    ("x; y", "';' at position 2", 1),
    ("x=1", "'=' at position 2", 1),
    ('"abc"', "quotes", 0),
    ("'x'", "quotes", 0),
    ("x @ y", "'@' at position 3", 2),
    ("x < y", "comparisons", 2),
    ("not x", "Unknown name 'not'", 0),
    ("x and y", "Unknown name 'and'", 2),
    ("sin(x, y)", "takes exactly one argument", 0),
    ("sin(x=1)", "'=' at position 6", 5),
    ("*x", "'*' at position 1 is missing something on its left", 0),
    ("x[0]", "'[' at position 2", 1),
    ("{}", "'{' at position 1", 0),
    ("{x}", "'{' at position 1", 0),
    ("ｘ + y", "Unexpected character 'ｘ'", 0),  # fullwidth x
    ("x\u200b + y", "Unexpected character", 1),  # zero-width space
    ("\u0435^x", "Unexpected character", 0),  # Cyrillic e
    ("\x00", "Unexpected character '\\x00'", 0),
    ("x\x00y", "Unexpected character", 1),
    ("E**x", "did you mean 'e'", 0),
    ("X + y", "did you mean 'x'", 0),
    ("sqrt(-1) * x", "sqrt(-1) is not a real number", 0),
    ("1/0 + x", "Division by zero at position 3", 2),
    ("x/(y-y)", "Division by zero", 3),
    ("log(0) + x", "log(0) is not a real number", 0),
    ("log(x - x)", "log(0) is not a real number", 0),
    ("0^-1 + x", "Division by zero", 0),
    ("5", "constant", None),
    ("x - x", "constant", None),
    ("(x+1)^2 - x^2 - 2x", "constant in the view", None),
    ("I*x", "Unknown name 'I'", 0),
    ("oo", "Unknown name 'oo'", 0),
    ("nan * x", "Unknown name 'nan'", 0),
    ("zoo", "Unknown name 'zoo'", 0),
    ("Symbol('z')", "Unknown name 'Symbol'", 0),
    ("S('x')", "Unknown name 'S'", 0),
    ("x^y", "both base and exponent", 0),
    ("(-2)^x", "needs a positive base", 0),
    ("(-8)^(1/3) + x", "not a real number", 0),
    ("exp(1000) * x", "too large", 0),
    ("exp(exp(10)) * x", "too large", 0),
    ("10^20 * x", "too large", 0),
    ("10**10**10", "too large", 0),
    ("tan(pi/2) * x", "Undefined value", 0),
    ("asin(2) + x", "asin(2) is not a real number", 0),
    ("log(-x^2 - 1)", "undefined (not a finite real number) everywhere in the view", None),
    ("1e-99999 * x", "out of range", 0),
    ("1234567890123456789012 * x", "Number too long", 0),
    ("2000000 x", "too large", 0),
    ("x // y", "'/' at position 4 is missing something on its left", 3),
    ("x % y", "'%' at position 3", 2),
    ("True", "Unknown name 'True'", 0),
    ("None", "Unknown name 'None'", 0),
    ("1 2", "Missing operator between 1 and 2 at position 3", 2),
    ("1.2.3 x", "Missing operator", 3),
    ("x,", "ends too early", 1),
    ("x, y", "Commas outside a function call", 0),
    ("()", "Empty parentheses at position 1", 0),
    ("sin()", "Empty parentheses", 3),
    ("sin x", "needs its argument in parentheses", 0),
    ("sin^2(x)", "needs its argument in parentheses", 0),
    ("sin", "ends too early", 0),
    ("x +", "ends too early: '+' at position 3", 2),
    ("(x", "Unclosed '(' at position 1", 0),
    ("x)", "Unmatched ')' at position 2", 1),
    ("", "empty", None),
    ("   ", "empty", None),
    ("x ** ** 2", "'**' at position 6", 5),
    ("π x", "write pi", 0),
    ("x²", "write ^2", 1),
    ("1j * x", "Unknown name 'j'", 1),
    ("0x10", "Unknown name 'x10'", 1),
    ("x_1", "Unknown name 'x_1'", 0),
    ("sinx", "write sin(...)", 0),
    ("__builtins__", "Unknown name '__builtins__'", 0),
    ("globals()['os']", "Unknown name 'globals'", 0),
    ("x if 1 else y", "Unknown name 'if'", 2),
    ("[].__class__.__base__.__subclasses__()", "'[' at position 1", 0),
    ("__import__('pathlib').Path('/tmp/pwned').touch()", "Unknown name '__import__'", 0),
]


@pytest.mark.parametrize(
    ("text", "fragment", "position"), HOSTILE, ids=[h[0][:30] for h in HOSTILE]
)
def test_hostile_and_broken_input_is_refused_with_what_and_where(text, fragment, position):
    with pytest.raises(SurfaceError) as caught:
        parse_surface(text)
    assert fragment in str(caught.value)
    assert caught.value.position == position
    if position is not None and len(text) <= 500:
        assert f"position {position + 1}" in str(caught.value)


def test_the_hostile_corpus_is_large():
    assert len(HOSTILE) >= 40


def test_nothing_typed_can_run_code(monkeypatch, tmp_path):
    """Every input, accepted or refused, goes through our own tokenizer and AST walk:
    eval, exec of user text, sympify of strings, os.system and subprocesses never run."""
    sentinel = tmp_path / "pwned"
    payloads = [
        f"__import__('pathlib').Path('{sentinel}').touch()",
        f"open('{sentinel}', 'w').write('x')",
        f"exec(\"open('{sentinel}', 'w')\")",
        f"eval(\"open('{sentinel}', 'w')\")",
        "__import__('os').system('echo hi')",
        "x + __import__('subprocess').run(['true'])",
    ]

    def forbidden(*args, **kwargs):
        raise AssertionError(f"called with {args!r}")

    real_sympify = sympy.sympify

    def sympify_without_strings(value, *args, **kwargs):
        if isinstance(value, str):
            raise AssertionError(f"sympify of text {value!r}")
        return real_sympify(value, *args, **kwargs)

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(os, "system", forbidden)
    monkeypatch.setattr(subprocess, "Popen", forbidden)
    monkeypatch.setattr(sympy.parsing.sympy_parser, "parse_expr", forbidden)
    monkeypatch.setattr(sympy, "sympify", sympify_without_strings)
    for text in [*payloads, *(h[0] for h in HOSTILE)]:
        with pytest.raises(SurfaceError):
            parse_surface(text)
    for text, _, _ in ACCEPTED:
        parse_surface(text)
    assert not sentinel.exists()


@pytest.mark.parametrize(
    "text",
    ["sin(x)*cos(y)", "x^4 - 3x^2 + y^2", "exp(-x^2-y^2) - exp(-(x-1)^2 - y^2)", "abs(x) + y^2",
     "x^2", "x + y", "log(x) + y^2", "sqrt(x^2 + y^2)", "((x^10)^10)^10 + y",
     "*".join(f"sin({k}x + y)" for k in range(1, 15))],
)  # fmt: skip
def test_typed_formulas_can_be_analysed(text):
    s = parse_surface(text)
    found = critical_points(s)
    assert found.message
    cmap = curvature_map(s, n=20)
    assert cmap.kind.shape == (20, 20)


@settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)
@given(formula=formulas(WITH_KINKS), point=points())
def test_parsed_formulas_evaluate_like_python_math(formula, point):
    text, reference = formula
    try:
        expected = reference(*point)
    except (OverflowError, ValueError, ZeroDivisionError):
        expected = math.nan
    assume(math.isfinite(expected) and abs(expected) < 1e12)
    try:
        s = parse_surface(text)
    except SurfaceError as error:
        assume("constant" not in str(error) and "too large" not in str(error))
        raise
    assert float(s.f(np.array(point))) == pytest.approx(expected, rel=1e-9, abs=1e-9)
