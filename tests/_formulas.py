"""Random formulas for property tests: each drawn as the text a user might type (with `^` or
`**`, explicit or implicit products) together with the same function on Python floats."""

import math
import re
from collections.abc import Callable

from hypothesis import strategies as st

Formula = tuple[str, Callable[[float, float], float]]

SMOOTH = {
    "sin": math.sin,
    "cos": math.cos,
    "tanh": math.tanh,
    "atan": math.atan,
    "exp": math.exp,
    "asinh": math.asinh,
}
WITH_KINKS = {**SMOOTH, "abs": abs}
_OPERATORS = ["+", "-", "*", "implicit", "/"]
_VARIABLE = re.compile(r"(?<![a-z])[xy](?![a-z])")


def _leaves() -> st.SearchStrategy[Formula]:
    numbers = st.sampled_from(["1", "2", "3", "0.5", "1.5", "2.25"])
    return st.one_of(
        st.just(("x", lambda x, y: x)),
        st.just(("y", lambda x, y: y)),
        numbers.map(lambda n: (n, lambda x, y, v=float(n): v)),
    )


def _binary(op: str, a: Formula, b: Formula) -> Formula:
    (ta, fa), (tb, fb) = a, b
    if op == "+":
        return f"({ta}) + ({tb})", lambda x, y: fa(x, y) + fb(x, y)
    if op == "-":
        return f"({ta}) - ({tb})", lambda x, y: fa(x, y) - fb(x, y)
    if op == "*":
        return f"({ta})*({tb})", lambda x, y: fa(x, y) * fb(x, y)
    if op == "implicit":
        return f"({ta})({tb})", lambda x, y: fa(x, y) * fb(x, y)
    # a division that stays bounded: u / (1 + v²)
    return f"({ta}) / (1 + ({tb})^2)", lambda x, y: fa(x, y) / (1 + fb(x, y) ** 2)


def _call(functions: dict[str, Callable], name: str, arg: Formula) -> Formula:
    text, fn = arg
    return f"{name}({text})", lambda x, y: functions[name](fn(x, y))


def _power(arg: Formula, p: int, caret: str) -> Formula:
    text, fn = arg
    return f"({text}){caret}{p}", lambda x, y: fn(x, y) ** p


def _negate(arg: Formula) -> Formula:
    text, fn = arg
    return f"-({text})", lambda x, y: -fn(x, y)


def formulas(functions: dict[str, Callable] = SMOOTH) -> st.SearchStrategy[Formula]:
    """Two random trees joined by a random operator, mentioning x or y (they may still
    cancel to a constant, like (x) - (x): callers skip those)."""

    def extend(children: st.SearchStrategy[Formula]) -> st.SearchStrategy[Formula]:
        return st.one_of(
            st.builds(_call, st.just(functions), st.sampled_from(sorted(functions)), children),
            st.builds(_binary, st.sampled_from(_OPERATORS), children, children),
            st.builds(_power, children, st.sampled_from([2, 3]), st.sampled_from(["^", "**"])),
            children.map(_negate),
        )

    tree = st.recursive(_leaves(), extend, max_leaves=8)
    pair = st.builds(_binary, st.sampled_from(_OPERATORS), tree, tree)
    return pair.filter(lambda formula: _VARIABLE.search(formula[0]) is not None)


def points() -> st.SearchStrategy[tuple[float, float]]:
    coordinate = st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False)
    return st.tuples(coordinate, coordinate)
