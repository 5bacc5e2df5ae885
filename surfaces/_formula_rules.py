"""What a typed formula may contain, and how much of it: the limits that keep every input
quick to accept or refuse, the names it may use (x, y, pi, e and the functions, each with its
SymPy form and its form on floats), and how a refusal says where the problem is.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import sympy as sp

from ._surface import X, Y

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


def _at(position: int) -> str:
    return f"at position {position + 1}"
