"""The `Surface` value: a SymPy expression in real x, y with NumPy f, gradient and Hessian.

The gradient and Hessian are derived symbolically once per expression and lambdified to
NumPy (cached by the expression), so a `Surface` stays a small frozen value that is cheap
to build, compare and hash.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import sympy as sp
from sympy.printing.numpy import NumPyPrinter

X, Y = sp.symbols("x y", real=True)

Bounds = tuple[tuple[float, float], tuple[float, float]]


class SurfaceError(ValueError):
    """A surface that cannot be built: unknown id, bad parameter, or a refused formula.

    `position` is the 0-based index in the formula text where the problem is (None when the
    problem concerns the whole formula or no formula is involved); messages count characters
    from 1, as a reader does.
    """

    def __init__(self, message: str, position: int | None = None):
        super().__init__(message)
        self.position = position


def polynomial_degree(expr: sp.Expr) -> int | None:
    """Upper bound on the total degree of `expr` in x, y without expanding it; None if it is
    not visibly a polynomial (e.g. contains sin(x), 1/x or x**0.5)."""
    if not expr.free_symbols:
        return 0
    if expr.is_Symbol:
        return 1
    if expr.is_Add:
        degrees = [polynomial_degree(term) for term in expr.args]
        return None if None in degrees else max(degrees)
    if expr.is_Mul:
        degrees = [polynomial_degree(factor) for factor in expr.args]
        return None if None in degrees else sum(degrees)
    if expr.is_Pow:
        base, exponent = expr.args
        if exponent.is_Integer and exponent >= 0:
            degree = polynomial_degree(base)
            return None if degree is None else degree * int(exponent)
    return None


def _pointwise(derivative: sp.Expr) -> sp.Expr:
    """Derivatives are taken pointwise: the distributional part of d|u|' (a Dirac delta at
    the kink) is dropped, as it is zero wherever the derivative exists."""
    return derivative.replace(sp.DiracDelta, lambda *args: sp.S.Zero)


class softplus(sp.Function):  # lower case: SymPy function names print as written
    """softplus(z) = log(1 + eᶻ), evaluated without overflow."""

    def fdiff(self, argindex=1):
        return sigmoid(self.args[0])


class sigmoid(sp.Function):
    """σ(z) = 1 / (1 + e⁻ᶻ), the derivative of softplus, accurate in both tails."""

    def fdiff(self, argindex=1):
        return sigmoid(self.args[0]) * (1 - sigmoid(self.args[0]))


def _np_softplus(z):
    """log(1 + eᶻ) = max(z, 0) + log(1 + e^(−|z|)): no overflow, full precision."""
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def _np_sigmoid(z):
    """1 / (1 + e⁻ᶻ) as e^(−|z|) / (1 + e^(−|z|)) for z < 0: no overflow, accurate tails."""
    small = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, small) / (1.0 + small)


_NUMPY_FUNCTIONS = {"softplus": _np_softplus, "sigmoid": _np_sigmoid}
# NumPy's printer with NumPy itself as the namespace: the generated code calls numpy.sin …
# The module name "numpy" would make lambdify run `from numpy import *`, which imports
# numpy.f2py (~0.4 s of a cold start) for nothing.
_MODULES = [{**_NUMPY_FUNCTIONS, "numpy": np}]
_LAMBDIFY = {
    "modules": _MODULES,
    "printer": NumPyPrinter(
        {
            "fully_qualified_modules": True,
            "inline": True,
            "allow_unknown_functions": True,  # softplus, sigmoid: found in _NUMPY_FUNCTIONS
            "user_functions": {name: name for name in _NUMPY_FUNCTIONS},
        }
    ),
}


def _points(xy) -> tuple[np.ndarray, np.ndarray]:
    xy = np.asarray(xy, dtype=float)
    if xy.ndim == 0 or xy.shape[-1] != 2:
        raise ValueError(f"points must have shape (..., 2), got {xy.shape}")
    return xy[..., 0], xy[..., 1]


@dataclass(frozen=True)
class _Compiled:
    """NumPy functions of one expression, shared by every Surface with that expression."""

    value: Callable
    gradient: Callable
    hessian_entries: Callable  # (hxx, hxy, hyy)

    def f(self, xy) -> np.ndarray:
        x, y = _points(xy)
        out = np.empty(x.shape)
        with np.errstate(all="ignore"):
            out[...] = self.value(x, y)
        return out[()]

    def grad(self, xy) -> np.ndarray:
        x, y = _points(xy)
        out = np.empty((*x.shape, 2))
        with np.errstate(all="ignore"):
            out[..., 0], out[..., 1] = self.gradient(x, y)
        return out

    def hessian(self, xy) -> np.ndarray:
        x, y = _points(xy)
        out = np.empty((*x.shape, 2, 2))
        with np.errstate(all="ignore"):
            hxx, hxy, hyy = self.hessian_entries(x, y)
            out[..., 0, 0] = hxx
            out[..., 0, 1] = hxy
            out[..., 1, 0] = hxy
            out[..., 1, 1] = hyy
        return out


@functools.lru_cache(maxsize=256)
def _quadratic_eigenvalues(expr: sp.Expr) -> tuple[float, float] | None:
    """Eigenvalues of the Hessian of a quadratic a x² + b xy + c y² + …: [[2a, b], [b, 2c]]."""
    if polynomial_degree(expr) != 2:  # an upper bound, so Poly never expands a big power
        return None
    poly = sp.Poly(expr, X, Y)
    if poly.total_degree() != 2:
        return None
    a, b, c = (float(poly.coeff_monomial(m)) for m in (X**2, X * Y, Y**2))
    low, high = np.linalg.eigvalsh(np.array([[2 * a, b], [b, 2 * c]]))
    return float(low), float(high)


_MAX_CLOSED_FORM_OPS = 200  # gradient size up to which the Hessian is taken in closed form

Program = list[tuple[sp.Symbol, sp.Expr]]  # straight-line code: symbol = expression, in order


def _differentiate_program(program: Program, outputs: list[sp.Expr]):
    """Forward-mode differentiation of straight-line code with respect to x and y.

    Each intermediate t = e(…) gets two new intermediates dt/dx and dt/dy by the chain rule
    through the earlier ones, so the derivative code grows like the code itself, where
    differentiating the expanded expression (a product of n factors has an n-term
    gradient and an n²-term Hessian, each term with n factors) would grow much faster.
    Returns the extended program and, per output, its (d/dx, d/dy).
    """
    names = sp.numbered_symbols(f"_d{len(program)}_", real=True)
    derivatives: dict[sp.Symbol, tuple[sp.Expr, sp.Expr]] = {}

    def total(e: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
        inner = e.free_symbols & derivatives.keys()
        return tuple(
            _pointwise(sp.diff(e, v) + sum(sp.diff(e, t) * derivatives[t][k] for t in inner))
            for k, v in enumerate((X, Y))
        )

    extended: Program = []
    for symbol, e in program:
        extended.append((symbol, e))
        named = []
        for d in total(e):
            if d.free_symbols:
                name = next(names)
                extended.append((name, d))
                d = name
            named.append(d)
        derivatives[symbol] = tuple(named)
    return extended, [total(o) for o in outputs]


def _straight_line(expr: sp.Expr) -> tuple[Program, sp.Expr]:
    """`expr` as straight-line code in which every step has at most two operands (sums and
    products of many terms become chains), shared subexpressions computed once."""
    names = sp.numbered_symbols("_t", real=True)
    program: Program = []
    seen: dict[sp.Expr, sp.Expr] = {}

    def step(e: sp.Expr) -> sp.Symbol:
        name = next(names)
        program.append((name, e))
        return name

    def visit(e: sp.Expr) -> sp.Expr:
        if e.is_Atom or not e.free_symbols:
            return e
        if e not in seen:
            args = [visit(a) for a in e.args]
            if e.is_Add or e.is_Mul:
                result = args[0]
                for a in args[1:]:
                    result = step(e.func(result, a))
            else:
                result = step(e.func(*args))
            seen[e] = result
        return seen[e]

    return program, visit(expr)


def _prune(program: Program, outputs: list[sp.Expr]) -> Program:
    """The assignments the outputs depend on."""
    needed = set().union(*(o.free_symbols for o in outputs))
    kept = []
    for symbol, e in reversed(program):
        if symbol in needed:
            kept.append((symbol, e))
            needed |= e.free_symbols
    return kept[::-1]


def _numpy_function(outputs: list[sp.Expr], program: Program | None = None) -> Callable:
    """A NumPy function of (x, y) returning `outputs` (one, or a tuple of several)."""
    if any(e.has(sp.Derivative, sp.Subs) for e in [*outputs, *(e for _, e in program or ())]):
        raise SurfaceError("This formula cannot be differentiated in closed form.")
    result = outputs[0] if len(outputs) == 1 else tuple(outputs)
    if program is None:
        return sp.lambdify((X, Y), result, cse=True, **_LAMBDIFY)
    code = _prune(program, outputs)
    return sp.lambdify((X, Y), result, cse=lambda _: (code, result), **_LAMBDIFY)


@functools.lru_cache(maxsize=256)
def _compile(expr: sp.Expr) -> _Compiled:
    """f, gradient and Hessian of `expr` as NumPy functions, keyed by the expression itself
    (SymPy expressions hash and compare structurally, like their srepr).

    The gradient is differentiated symbolically in closed form (the hot path of every
    optimizer), and so is the Hessian while the gradient is small; beyond that, the
    Hessian comes from forward-mode differentiation, twice, of f as straight-line code,
    which stays small where the closed form explodes (long products).
    """
    gx, gy = (_pointwise(sp.diff(expr, v)) for v in (X, Y))
    if sp.count_ops(gx) + sp.count_ops(gy) <= _MAX_CLOSED_FORM_OPS:
        second = [_pointwise(sp.diff(g, v)) for g, v in ((gx, X), (gx, Y), (gy, Y))]
        hessian_entries = _numpy_function(second)
    else:
        program, f_code = _straight_line(expr)
        program, [(gx_code, gy_code)] = _differentiate_program(program, [f_code])
        program, ((hxx, hxy), (_, hyy)) = _differentiate_program(program, [gx_code, gy_code])
        hessian_entries = _numpy_function([hxx, hxy, hyy], program)
    return _Compiled(
        value=_numpy_function([expr]),
        gradient=_numpy_function([gx, gy]),
        hessian_entries=hessian_entries,
    )


@dataclass(frozen=True)
class Examples:
    """The data set behind a data surface, f(x, y) = (1/N) Σᵢ loss(x, y; rowᵢ).

    ``loss`` is one example's loss, a SymPy expression in x, y and the ``columns`` symbols;
    ``rows`` holds the N examples, one value per column each. Per-example losses, gradients
    and Hessians are that expression and its symbolic derivatives, vectorized over the
    examples. With ``exact_by_mean`` (the default) the surface's own f, ∇f and ∇²f are their
    means too, exact and cheap to compile; without, they come from the surface's expression,
    for data whose mean loss has a short closed form (regression's expanded quadratic).
    """

    loss: sp.Expr
    columns: tuple[sp.Symbol, ...]
    rows: tuple[tuple[float, ...], ...]
    exact_by_mean: bool = True

    @functools.cached_property
    def values(self) -> np.ndarray:
        """The rows as an (N, len(columns)) array (read-only)."""
        values = np.array(self.rows, dtype=float).reshape(len(self.rows), len(self.columns))
        values.flags.writeable = False
        return values

    @functools.cached_property
    def _table(self) -> np.ndarray:
        """The data by column, (len(columns), N), contiguous: one take gathers every column."""
        return np.ascontiguousarray(self.values.T)

    def _evaluate(self, which: int, xy, indices):
        """One compiled function of (x, y, *columns) on every example, (..., N), or on the
        chosen ones, (..., m), as a list of arrays of that shape."""
        x, y = _points(xy)
        columns = self._table if indices is None else np.take(self._table, indices, axis=1)
        shape = np.broadcast_shapes((*x.shape, 1), columns.shape[1:])
        with np.errstate(all="ignore"):
            values = _compile_examples(self.loss, self.columns)[which](
                x[..., None], y[..., None], *columns
            )
        return [np.broadcast_to(v, shape) for v in (values if which else [values])]

    def f(self, xy) -> np.ndarray:
        """The mean loss at points (..., 2): (...)."""
        return self._evaluate(0, xy, None)[0].mean(axis=-1)[()]

    def grad(self, xy) -> np.ndarray:
        """The mean gradient at points (..., 2): (..., 2)."""
        return np.stack([g.mean(axis=-1) for g in self._evaluate(1, xy, None)], axis=-1)

    def hessian(self, xy) -> np.ndarray:
        """The mean Hessian at points (..., 2): (..., 2, 2)."""
        hxx, hxy, hyy = (h.mean(axis=-1) for h in self._evaluate(2, xy, None))
        return np.stack([np.stack([hxx, hxy], axis=-1), np.stack([hxy, hyy], axis=-1)], axis=-2)

    def losses(self, xy, indices=None) -> np.ndarray:
        chosen = None if indices is None else example_indices(indices, len(self.rows))
        return np.array(self._evaluate(0, xy, chosen)[0], dtype=float)

    def grads(self, xy, indices=None) -> np.ndarray:
        chosen = None if indices is None else example_indices(indices, len(self.rows))
        return np.stack(self._evaluate(1, xy, chosen), axis=-1)

    def mean_grad(self, xy, indices) -> np.ndarray:
        """The mean gradient of the chosen examples, ``indices`` (..., m): (..., 2)."""
        indices = example_indices(indices, len(self.rows)).astype(np.intp, copy=False)
        weights = np.full(indices.shape[-1], 1.0 / indices.shape[-1])
        gx, gy = self._evaluate(1, xy, indices)
        return np.stack([gx @ weights, gy @ weights], axis=-1)  # a matmul beats .mean here


def example_indices(indices, n: int) -> np.ndarray:
    """``indices`` as an integer array (..., m), m ≥ 1, of example numbers 0 … n − 1; an empty,
    non-integer, negative or out-of-range index is refused with a SurfaceError naming it."""
    chosen = np.asarray(indices)
    if chosen.ndim == 0:
        raise SurfaceError(
            f"Invalid example indices {indices!r}: give an array (..., m) of example numbers, "
            "one row per mini-batch, not a single number"
        )
    if chosen.shape[-1] == 0:
        raise SurfaceError(
            f"Invalid example indices {indices!r}: a mini-batch needs at least one example "
            f"(an array (..., m) of integers from 0 to {n - 1})"
        )
    if chosen.dtype.kind not in "iu":
        bad = chosen.dtype.kind != "f" or chosen != np.floor(chosen)
        raise SurfaceError(
            f"Invalid example index {_first(chosen, bad)!r}: examples are numbered by "
            f"integers from 0 to {n - 1}"
        )
    outside = (chosen >= n) | (chosen < 0) if chosen.dtype.kind == "i" else chosen >= n
    if outside.any():
        raise SurfaceError(
            f"Invalid example index {_first(chosen, outside)!r}: this data set has {n} "
            f"examples, numbered 0 to {n - 1}"
        )
    return chosen


def _first(values: np.ndarray, where) -> object:
    """The first of ``values`` where ``where`` holds (the first of all if it never does)."""
    where = np.broadcast_to(np.asarray(where, dtype=bool), values.shape)
    return (values[where] if where.any() else values.ravel())[0].item()


@functools.lru_cache(maxsize=16)
def _compile_examples(loss: sp.Expr, columns: tuple[sp.Symbol, ...]) -> tuple[Callable, ...]:
    """One example's loss, its gradient and its Hessian entries (hxx, hxy, hyy) in (x, y), as
    NumPy functions of (x, y, *columns)."""
    gx, gy = (_pointwise(sp.diff(loss, v)) for v in (X, Y))
    second = [_pointwise(sp.diff(g, v)) for g, v in ((gx, X), (gx, Y), (gy, Y))]
    arguments = (X, Y, *columns)
    return tuple(
        sp.lambdify(arguments, e, cse=True, **_LAMBDIFY) for e in (loss, (gx, gy), tuple(second))
    )


@dataclass(frozen=True)
class Surface:
    """A loss surface f(x, y): a SymPy expression, a default view and what we know about it.

    f, grad and hessian accept points of shape (..., 2) and return (...), (..., 2) and
    (..., 2, 2). Values outside the domain (log of a negative number, overflow) come back as
    nan or inf, never as a NumPy warning.

    A data surface (``examples`` set) is the mean of per-example losses over a small data
    set: ``n_examples`` is N, and ``example_losses`` / ``example_grads`` give each example's
    loss (..., N) and gradient (..., N, 2), or those of chosen examples with ``indices`` of
    shape (..., m). Other surfaces have ``n_examples == 0`` and raise SurfaceError there.
    """

    id: str
    name: str
    expr: sp.Expr
    bounds: Bounds
    minima: tuple[tuple[float, float], ...]
    start: tuple[float, float]
    params: tuple[tuple[str, float], ...] = ()
    description: str = ""
    text: str = ""
    examples: Examples | None = None

    def f(self, xy) -> np.ndarray:
        return self._numeric().f(xy)

    def grad(self, xy) -> np.ndarray:
        return self._numeric().grad(xy)

    def hessian(self, xy) -> np.ndarray:
        return self._numeric().hessian(xy)

    def _numeric(self) -> _Compiled | Examples:
        if self.examples is not None and self.examples.exact_by_mean:
            return self.examples
        return _compile(self.expr)

    @property
    def n_examples(self) -> int:
        """N, the number of examples of a data surface; 0 for any other surface."""
        return 0 if self.examples is None else len(self.examples.rows)

    def example_losses(self, xy, indices=None) -> np.ndarray:
        """Per-example losses at points (..., 2): (..., N), or (..., m) for ``indices``
        (..., m) of examples; their mean over all N examples is ``f``."""
        return self._examples().losses(xy, indices)

    def example_grads(self, xy, indices=None) -> np.ndarray:
        """Per-example gradients at points (..., 2): (..., N, 2), or (..., m, 2) for
        ``indices`` (..., m); their mean over all N examples is ``grad``."""
        return self._examples().grads(xy, indices)

    def minibatch_grad(self, xy, indices) -> np.ndarray:
        """The mini-batch gradient (1/m) Σ over the chosen examples ``indices`` (..., m) of
        their gradients at points (..., 2): (..., 2)."""
        return self._examples().mean_grad(xy, indices)

    def _examples(self) -> Examples:
        if self.examples is None:
            raise SurfaceError(
                f"'{self.name}' is not a data surface: it has no per-example losses "
                "(only data surfaces such as 'regression' and 'logistic' do)"
            )
        return self.examples

    @property
    def latex(self) -> str:
        return sp.latex(self.expr)

    @property
    def key(self) -> str:
        """A string that identifies this surface, for caches: id and parameters for the
        catalog, formula text and view for custom surfaces."""
        if self.id == "custom":
            return f"custom:{self.text}@{self.bounds}"
        return self.id + "(" + ",".join(f"{name}={value!r}" for name, value in self.params) + ")"

    @property
    def quadratic_eigenvalues(self) -> tuple[float, float] | None:
        """(λmin, λmax) of the constant Hessian when f is a quadratic polynomial, else None."""
        return _quadratic_eigenvalues(self.expr)
