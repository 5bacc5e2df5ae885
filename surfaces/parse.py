"""Safe parsing of a formula typed by a user into a `Surface`.

Nothing the user types is ever evaluated as Python: no eval, exec, sympify or parse_expr.
The text goes through three gates:

1. our own tokenizer: ASCII letters, digits, spaces and + - * / ^ ( ) . , only; every name
   must be x, y, pi, e or an allowed function; `^` becomes `**` and implicit products
   (`2x`, `x y`, `2(x+1)`, `(x+1)(y-1)`, `2 sin(x)`) get an explicit `*`;
2. `ast.parse(..., mode="eval")` on the rewritten text, then a walk that accepts only
   numbers, names, + - * / **, unary ±, and calls of allowed functions with one argument;
3. the walk builds the SymPy expression itself, checking every constant (finite, real,
   not too large) and every exponent before SymPy computes anything with it.

Length, node count, nesting depth, exponents and constants are bounded, so every input is
accepted or refused quickly. A refusal is a `SurfaceError` saying what is wrong and where.
"""

from __future__ import annotations

import ast
import math
import operator
import re
import string
from collections.abc import Callable
from dataclasses import dataclass, replace
from fractions import Fraction
from itertools import accumulate

import numpy as np
import sympy as sp

from ._surface import Bounds, Surface, SurfaceError, X, Y

__all__ = ["parse_surface"]

DEFAULT_BOUNDS: Bounds = ((-3.0, 3.0), (-3.0, 3.0))

MAX_LENGTH = 500  # characters of formula text
MAX_NODES = 250  # syntax-tree nodes
MAX_DEPTH = 40  # syntax-tree depth
MAX_PARENTHESES = 20  # nesting depth of parentheses
MAX_EXPONENT = 10  # |p| in u^p when u contains x or y
MAX_LITERAL = 10**6  # |number| as written
MAX_CONSTANT = 1e15  # |value| of any constant part, e.g. exp(30)
MAX_NUMBER_CHARS = 20
_MAX_EXACT_DIGITS = 10**30  # larger exact rationals are kept as floats

_VARIABLES = {"x": X, "y": Y}
_CONSTANTS = {"pi": (sp.pi, math.pi), "e": (sp.E, math.e)}


class _RealAbs(sp.Function):
    """|u| for a real-valued u whose realness SymPy cannot prove (|log x|): its derivative
    is sign(u)·u', where SymPy's Abs would assume u may be complex."""

    @classmethod
    def eval(cls, u):
        if u.is_extended_real or u.is_number:
            return sp.Abs(u)
        return None

    def fdiff(self, argindex=1):
        return _RealSign(self.args[0])

    def _latex(self, printer):
        return r"\left|{" + printer._print(self.args[0]) + r"}\right|"

    def _numpycode(self, printer):
        return f"numpy.abs({printer._print(self.args[0])})"

    def _sympystr(self, printer):
        return f"Abs({printer._print(self.args[0])})"


class _RealSign(sp.Function):
    """sign(u) for a real-valued u; its derivative is 0 wherever it exists."""

    @classmethod
    def eval(cls, u):
        if u.is_extended_real or u.is_number:
            return sp.sign(u)
        return None

    def fdiff(self, argindex=1):
        return sp.S.Zero

    def _latex(self, printer):
        return r"\operatorname{sign}{\left(" + printer._print(self.args[0]) + r"\right)}"

    def _numpycode(self, printer):
        return f"numpy.sign({printer._print(self.args[0])})"

    def _sympystr(self, printer):
        return f"sign({printer._print(self.args[0])})"


# name -> (SymPy function, the same function on floats for constant arguments)
_FUNCTIONS: dict[str, tuple[Callable, Callable]] = {
    "sin": (sp.sin, math.sin),
    "cos": (sp.cos, math.cos),
    "tan": (sp.tan, math.tan),
    "sinh": (sp.sinh, math.sinh),
    "cosh": (sp.cosh, math.cosh),
    "tanh": (sp.tanh, math.tanh),
    "asin": (sp.asin, math.asin),
    "acos": (sp.acos, math.acos),
    "atan": (sp.atan, math.atan),
    "asinh": (sp.asinh, math.asinh),
    "acosh": (sp.acosh, math.acosh),
    "atanh": (sp.atanh, math.atanh),
    "exp": (sp.exp, math.exp),
    "log": (sp.log, math.log),
    "log10": (lambda u: sp.log(u, 10), math.log10),
    "log2": (lambda u: sp.log(u, 2), math.log2),
    "sqrt": (sp.sqrt, math.sqrt),
    "abs": (_RealAbs, abs),
}
_ALIASES = {
    "ln": "log",
    "arcsin": "asin",
    "arccos": "acos",
    "arctan": "atan",
    "arcsinh": "asinh",
    "arccosh": "acosh",
    "arctanh": "atanh",
}
for _alias, _name in _ALIASES.items():
    _FUNCTIONS[_alias] = _FUNCTIONS[_name]

_NUMBER = re.compile(r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SPLITTABLE = re.compile(r"(?:pi|x|y|e)+")  # "xy", "2pix" -> x*y, 2*pi*x
_WHITESPACE = " \t\r\n"
_OPERATORS = ("**", "+", "-", "*", "/", "^", "(", ")", ",")
_BINARY_ONLY = {"*", "/", "^", "**"}
_CHARACTER_HINTS = {
    "=": "assignments and keyword arguments are not allowed",
    "<": "comparisons are not allowed",
    ">": "comparisons are not allowed",
    "!": "comparisons are not allowed",
    "[": "brackets are not allowed: use parentheses",
    "]": "brackets are not allowed: use parentheses",
    "{": "braces are not allowed: use parentheses",
    "}": "braces are not allowed: use parentheses",
    "'": "text in quotes is not allowed",
    '"': "text in quotes is not allowed",
    ";": "only one formula is allowed",
    ":": "colons are not allowed",
    "@": "matrix products are not allowed",
    "%": "use / for division",
    ".": "attributes are not allowed (a dot belongs in a number such as 0.5)",
    "π": "write pi",
    "·": "write * for multiplication",
    "×": "write * for multiplication",
    "−": "write - (the ASCII minus)",
    "²": "write ^2",
}


def _at(position: int) -> str:
    return f"at position {position + 1}"


@dataclass(frozen=True)
class _Token:
    kind: str  # "number", "name" or "op"
    text: str
    start: int  # index in the user's text


def _unexpected(text: str, i: int) -> SurfaceError:
    ch = text[i]
    hint = _CHARACTER_HINTS.get(ch)
    if hint is None:
        allowed = "letters, digits, spaces and + - * / ^ ( ) . ,"
        hint = f"only {allowed} are allowed"
    return SurfaceError(f"Unexpected character {ch!r} {_at(i)}: {hint}", i)


def _check_number(token: str, start: int) -> None:
    if len(token) > MAX_NUMBER_CHARS:
        raise SurfaceError(
            f"Number too long {_at(start)} (at most {MAX_NUMBER_CHARS} characters)", start
        )
    exponent = token.lower().partition("e")[2]
    if exponent and abs(int(exponent)) > 99:
        raise SurfaceError(f"Number {token} {_at(start)} is out of range", start)
    if abs(Fraction(token)) > MAX_LITERAL:
        raise SurfaceError(
            f"Number {token} {_at(start)} is too large (at most {MAX_LITERAL:g} in size)", start
        )


def _name_tokens(name: str, start: int) -> list[_Token]:
    """A known name as one token; a run of x, y, pi, e ("xy", "pix") as several."""
    if name in _VARIABLES or name in _CONSTANTS or name in _FUNCTIONS:
        return [_Token("name", name, start)]
    if _SPLITTABLE.fullmatch(name):
        parts = re.findall(r"pi|x|y|e", name)
        offsets = accumulate((len(p) for p in parts[:-1]), initial=0)
        return [_Token("name", p, start + o) for p, o in zip(parts, offsets, strict=True)]
    if name.lower() in _VARIABLES or name.lower() in _CONSTANTS or name.lower() in _FUNCTIONS:
        hint = f" (names are case-sensitive: did you mean '{name.lower()}'?)"
    elif any(name.startswith(f) and len(name) > len(f) for f in _FUNCTIONS):
        function = max((f for f in _FUNCTIONS if name.startswith(f)), key=len)
        hint = f" (write {function}(...) with parentheses)"
    else:
        hint = ": only x, y, pi, e and functions such as sin, exp, log, sqrt, abs are known"
    raise SurfaceError(f"Unknown name '{name}' {_at(start)}{hint}", start)


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in _WHITESPACE:
            i += 1
        elif ch in string.digits or (ch == "." and text[i + 1 : i + 2].isdigit()):
            match = _NUMBER.match(text, i)
            _check_number(match.group(), i)
            tokens.append(_Token("number", match.group(), i))
            i = match.end()
        elif ch in string.ascii_letters or ch == "_":
            match = _NAME.match(text, i)
            tokens.extend(_name_tokens(match.group(), i))
            i = match.end()
        else:
            op = next((op for op in _OPERATORS if text.startswith(op, i)), None)
            if op is None:
                raise _unexpected(text, i)
            tokens.append(_Token("op", op, i))
            i += len(op)
    return tokens


def _check_structure(tokens: list[_Token]) -> None:
    """Parentheses, operators and function calls in the right places, with clear messages
    (Python's own syntax errors are vaguer)."""
    open_parens: list[int] = []
    previous: _Token | None = None
    for token in tokens:
        if token.text == "(":
            open_parens.append(token.start)
            if len(open_parens) > MAX_PARENTHESES:
                raise SurfaceError(
                    f"Too deeply nested {_at(token.start)} (at most "
                    f"{MAX_PARENTHESES} levels of parentheses)",
                    token.start,
                )
        elif token.text == ")":
            if not open_parens:
                raise SurfaceError(f"Unmatched ')' {_at(token.start)}", token.start)
            if previous is not None and previous.text == "(":
                raise SurfaceError(f"Empty parentheses {_at(previous.start)}", previous.start)
            open_parens.pop()
        needs_left = token.kind == "op" and token.text in _BINARY_ONLY | {")", ","}
        if needs_left and (previous is None or (previous.kind == "op" and previous.text != ")")):
            raise SurfaceError(
                f"'{token.text}' {_at(token.start)} is missing something on its left", token.start
            )
        after_function = previous is not None and previous.text in _FUNCTIONS
        if after_function and token.text != "(":
            raise SurfaceError(
                f"Function '{previous.text}' {_at(previous.start)} needs its "
                f"argument in parentheses: {previous.text}(...)",
                previous.start,
            )
        if previous is not None and previous.kind == "number" and token.kind == "number":
            raise SurfaceError(
                f"Missing operator between {previous.text} and {token.text} {_at(token.start)}",
                token.start,
            )
        previous = token
    if open_parens:
        raise SurfaceError(f"Unclosed '(' {_at(open_parens[-1])}", open_parens[-1])
    last = tokens[-1]
    if (last.kind == "op" and last.text != ")") or last.text in _FUNCTIONS:
        raise SurfaceError(
            f"The formula ends too early: '{last.text}' {_at(last.start)} needs something after it",
            last.start,
        )


def _python_source(tokens: list[_Token], length: int) -> tuple[str, list[int]]:
    """Python text for the tokens (`^` as `**`, implicit products made explicit) and, for
    each of its characters, the position in the user's text it came from."""
    pieces: list[tuple[str, int]] = []
    previous: _Token | None = None
    for token in tokens:
        ends_value = previous is not None and (
            previous.kind == "number"
            or (previous.kind == "name" and previous.text not in _FUNCTIONS)
            or previous.text == ")"
        )
        starts_value = token.kind in ("number", "name") or token.text == "("
        if ends_value and starts_value:
            pieces.append(("*", token.start))
        piece = {"^": "**"}.get(token.text, token.text)
        if token.kind == "number" and piece.isdigit():
            piece = piece.lstrip("0") or "0"  # Python refuses 007 but not 7
        pieces.append((piece, token.start))
        previous = token
    source, positions = [], []
    for piece, start in pieces:
        source.append(piece + " ")
        positions.extend([start] * (len(piece) + 1))
    positions.append(length)
    return "".join(source), positions


@dataclass(frozen=True)
class _Built:
    expr: sp.Expr
    value: float | None  # the numeric value when expr is a constant


_ARITHMETIC = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
_NODE_NAMES = {
    ast.Tuple: "Commas outside a function call",
    ast.Compare: "Comparisons",
    ast.BoolOp: "Logical operators",
    ast.IfExp: "Conditional expressions",
    ast.Lambda: "Lambdas",
    ast.Attribute: "Attributes",
    ast.Subscript: "Subscripts",
    ast.Starred: "Starred arguments",
    ast.NamedExpr: "Assignments",
}


class _Builder:
    """Walks the syntax tree of the rewritten text and builds the SymPy expression."""

    def __init__(self, source: str, positions: list[int]):
        self.source = source
        self.positions = positions

    def where(self, node: ast.AST) -> int:
        return self.positions[min(getattr(node, "col_offset", 0), len(self.positions) - 1)]

    def refuse(self, message: str, node: ast.AST) -> SurfaceError:
        position = self.where(node)
        return SurfaceError(f"{message} {_at(position)}", position)

    def build(self, node: ast.AST) -> _Built:
        if isinstance(node, ast.Expression):
            return self.build(node.body)
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return self.number(node)
        if isinstance(node, ast.Name) and (node.id in _VARIABLES or node.id in _CONSTANTS):
            if node.id in _VARIABLES:
                return _Built(_VARIABLES[node.id], None)
            return _Built(*_CONSTANTS[node.id])
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd | ast.USub):
            operand = self.build(node.operand)
            if isinstance(node.op, ast.UAdd):
                return operand
            value = None if operand.value is None else -operand.value
            return self.settle(-operand.expr, value, node)
        if isinstance(node, ast.BinOp) and isinstance(
            node.op, ast.Add | ast.Sub | ast.Mult | ast.Div | ast.Pow
        ):
            return self.binary(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Name):
            raise self.refuse(f"Unknown name '{node.id}'", node)
        what = _NODE_NAMES.get(type(node), f"'{type(node).__name__}' expressions")
        raise self.refuse(f"{what} are not allowed", node)

    def number(self, node: ast.Constant) -> _Built:
        text = ast.get_source_segment(self.source, node) or ""
        fraction = Fraction(text)
        return self.settle(
            sp.Rational(fraction.numerator, fraction.denominator), float(fraction), node
        )

    def binary(self, node: ast.BinOp) -> _Built:
        left, right = self.build(node.left), self.build(node.right)
        op = node.op
        if isinstance(op, ast.Pow):
            return self.power(left, right, node)
        if isinstance(op, ast.Div) and right.value is not None and right.value == 0:
            raise self.refuse("Division by zero", node.right)
        apply = _ARITHMETIC[type(op)]
        value = None
        if left.value is not None and right.value is not None:
            value = apply(left.value, right.value)
        return self.settle(apply(left.expr, right.expr), value, node)

    def power(self, base: _Built, exponent: _Built, node: ast.BinOp) -> _Built:
        if exponent.value is None:
            if base.value is None:
                raise self.refuse(
                    "A power with x or y in both base and exponent (like x^y) is not supported",
                    node,
                )
            if base.value <= 0:
                raise self.refuse("A power with x or y in the exponent needs a positive base", node)
            return self.settle(sp.Pow(base.expr, exponent.expr), None, node)
        if abs(exponent.value) > MAX_EXPONENT and base.value is None:
            raise self.refuse(
                f"Exponent {exponent.value:g} is too large (at most {MAX_EXPONENT} in size)",
                node.right,
            )
        if base.value is None:
            return self.settle(sp.Pow(base.expr, exponent.expr), None, node)
        try:
            value = base.value**exponent.value
        except ZeroDivisionError:
            raise self.refuse("Division by zero (0 to a negative power)", node) from None
        except OverflowError:
            raise self.refuse("Number too large", node) from None
        if isinstance(value, complex):
            raise self.refuse("A negative number to a fractional power is not a real number", node)
        if abs(value) > MAX_CONSTANT:
            raise self.refuse(f"Number too large ({value:.3g})", node)
        if abs(exponent.value) > MAX_EXPONENT:
            return self.settle(sp.Float(value), value, node)  # keep exact powers small
        return self.settle(sp.Pow(base.expr, exponent.expr), value, node)

    def call(self, node: ast.Call) -> _Built:
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in _FUNCTIONS:
            raise self.refuse("Only functions such as sin, exp, log, sqrt, abs can be called", node)
        if node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
            raise self.refuse(f"{name}(...) takes exactly one argument", node)
        argument = self.build(node.args[0])
        symbolic, numeric = _FUNCTIONS[name]
        value = None
        if argument.value is not None:
            try:
                value = numeric(argument.value)
            except ValueError:
                message = f"{name}({argument.value:g}) is not a real number"
                raise self.refuse(message, node) from None
            except OverflowError:
                raise self.refuse(f"{name}({argument.value:g}) is too large", node) from None
        return self.settle(symbolic(argument.expr), value, node)

    def settle(self, expr: sp.Expr, value: float | None, node: ast.AST) -> _Built:
        """Check a constant part: finite, real, not too large. Constants that SymPy created
        by cancellation (x - x) are evaluated here."""
        if expr.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
            raise self.refuse("Undefined value (such as 1/0, log(0) or tan(pi/2))", node)
        if expr.has(sp.I):
            raise self.refuse("Not a real number", node)
        if expr.free_symbols:
            return _Built(expr, None)
        if value is None:
            try:
                number = complex(expr.evalf(20))
            except TypeError:
                raise self.refuse("Cannot evaluate this constant", node) from None
            if abs(number.imag) > 1e-12 * max(1.0, abs(number.real)):
                raise self.refuse("Not a real number", node)
            value = number.real
        if not math.isfinite(value):
            raise self.refuse("Undefined value", node)
        if abs(value) > MAX_CONSTANT:
            raise self.refuse(f"Number too large ({value:.3g})", node)
        if expr.is_Rational and max(abs(expr.p), expr.q) > _MAX_EXACT_DIGITS:
            expr = sp.Float(value)
        return _Built(expr, float(value))


def _tree_depth(tree: ast.AST) -> int:
    depth, frontier = 0, [tree]
    while frontier:
        depth += 1
        if depth > MAX_DEPTH:
            return depth
        frontier = [child for node in frontier for child in ast.iter_child_nodes(node)]
    return depth


def _check_bounds(bounds) -> Bounds:
    try:
        (xmin, xmax), (ymin, ymax) = ((float(a), float(b)) for a, b in bounds)
    except (TypeError, ValueError):
        raise SurfaceError(
            f"The view must be ((xmin, xmax), (ymin, ymax)), got {bounds!r}"
        ) from None
    for low, high, axis in ((xmin, xmax, "x"), (ymin, ymax, "y")):
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise SurfaceError(
                f"The view's {axis} range must be finite with min < max, got ({low:g}, {high:g})"
            )
        if max(abs(low), abs(high)) > 1e6:
            raise SurfaceError(f"The view's {axis} range is too large (at most 1e6 in size)")
    return (xmin, xmax), (ymin, ymax)


def _expression(text: str) -> sp.Expr:
    if len(text) > MAX_LENGTH:
        raise SurfaceError(
            f"The formula is too long ({len(text)} characters; at most {MAX_LENGTH})", MAX_LENGTH
        )
    tokens = _tokenize(text)
    if not tokens:
        raise SurfaceError("The formula is empty: type a function of x and y, e.g. x^2 + 3y^2")
    _check_structure(tokens)
    source, positions = _python_source(tokens, len(text))
    try:
        tree = ast.parse(source, mode="eval")
    except (RecursionError, MemoryError):
        raise SurfaceError("The formula is too deeply nested") from None
    except SyntaxError as error:
        index = max(0, (error.offset or 1) - 1)
        position = positions[min(index, len(positions) - 1)]
        raise SurfaceError(f"Invalid formula near position {position + 1}", position) from None
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES:
        raise SurfaceError(f"The formula is too complex (more than {MAX_NODES} parts)")
    if _tree_depth(tree) > MAX_DEPTH:
        raise SurfaceError(f"The formula is too deeply nested (more than {MAX_DEPTH} levels)")
    return _Builder(source, positions).build(tree).expr


def _start(surface: Surface, bounds: Bounds) -> tuple[float, float]:
    """A start point towards a corner of the view where f and its gradient are finite."""
    (xmin, xmax), (ymin, ymax) = bounds
    fractions = [(0.15, 0.8), (0.85, 0.8), (0.15, 0.2), (0.85, 0.2), (0.3, 0.65), (0.5, 0.5)]
    fine = np.linspace(0.05, 0.95, 19)
    fractions += [(a, b) for a in fine for b in fine]
    points = np.array([(xmin + a * (xmax - xmin), ymin + b * (ymax - ymin)) for a, b in fractions])
    ok = np.isfinite(surface.f(points)) & np.isfinite(surface.grad(points)).all(axis=-1)
    x, y = points[int(np.argmax(ok))] if ok.any() else points[0]
    return round(float(x), 4), round(float(y), 4)


def parse_surface(text: str, bounds: Bounds | None = None) -> Surface:
    """A `Surface` (id "custom") from a formula in x and y, parsed safely.

    Accepts numbers, x, y, pi, e, + - * / ^ (or **), parentheses, implicit products such
    as 2x or 2(x+1), and the functions sin cos tan sinh cosh tanh asin acos atan (arcsin
    ...) asinh acosh atanh exp log (ln) log10 log2 sqrt abs. Raises SurfaceError.
    """
    if not isinstance(text, str):
        raise SurfaceError(f"The formula must be text, got {type(text).__name__}")
    bounds = _check_bounds(DEFAULT_BOUNDS if bounds is None else bounds)
    expr = _expression(text)
    text = text.strip()
    if not expr.free_symbols:
        raise SurfaceError("The formula is constant: it must depend on x or y")
    surface = Surface(
        id="custom",
        name=f"Custom: {text}" if len(text) <= 60 else f"Custom: {text[:57]}...",
        expr=expr,
        bounds=bounds,
        minima=(),
        start=(0.0, 0.0),
        text=text,
    )
    (xmin, xmax), (ymin, ymax) = bounds
    grid = np.stack(np.meshgrid(np.linspace(xmin, xmax, 41), np.linspace(ymin, ymax, 41)), -1)
    values = surface.f(grid)
    finite = values[np.isfinite(values)]
    if finite.size <= 1:
        raise SurfaceError(
            "The formula is undefined (not a finite real number) everywhere in the view"
        )
    if np.ptp(finite) <= 1e-12 * (1.0 + np.abs(finite).max()):
        raise SurfaceError("The formula is constant in the view: it must depend on x or y")
    return replace(surface, start=_start(surface, bounds))
