"""Gates 2 and 3 of the formula parser: a walk over the syntax tree of the rewritten text
that accepts only numbers, names, + - * / **, unary ±, and calls of allowed functions with one
argument, and builds the SymPy expression itself, checking every constant (finite, real, not
too large) and every exponent before SymPy computes anything with it.
"""

from __future__ import annotations

import ast
import math
import operator
from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from ._formula_rules import (
    _CONSTANTS,
    _FUNCTIONS,
    _MAX_EXACT_DIGITS,
    _VARIABLES,
    MAX_CONSTANT,
    MAX_DEPTH,
    MAX_EXPONENT,
    _at,
)
from ._surface import SurfaceError


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
