"""Gate 1 of the formula parser: our own tokenizer, a check of the tokens' structure with
clear messages, and the Python text rewritten from them for `ast.parse`.

Only ASCII letters, digits, spaces and + - * / ^ ( ) . , pass; every name must be x, y, pi, e
or an allowed function; `^` becomes `**` and implicit products (`2x`, `x y`, `2(x+1)`,
`(x+1)(y-1)`, `2 sin(x)`) get an explicit `*`.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from fractions import Fraction
from itertools import accumulate

from ._formula_rules import (
    _CONSTANTS,
    _FUNCTIONS,
    _VARIABLES,
    MAX_LITERAL,
    MAX_NUMBER_CHARS,
    MAX_PARENTHESES,
    _at,
)
from ._surface import SurfaceError

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
