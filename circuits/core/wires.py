"""Wires: values inside a circuit under construction, their arithmetic, and the wire-level
functions of the gates (``circuits.<name>``, :func:`function`), :func:`sum_of` and
:func:`product`.

A :class:`Wire` belongs to a :class:`circuits.Builder` (:mod:`circuits.core.builder`, which
re-exports everything here); ``+``, ``-`` and scaling by numbers keep it a pending linear
combination until a non-linear use needs its node.

Examples
--------
>>> import circuits
>>> b = circuits.Builder()
>>> x, y = b.inputs("x y")
>>> 2 * x - y, (2 * x - y).node, function("sin")(x)
(<Wire: pending linear combination>, 2, <Wire node 3: sin>)
"""

from __future__ import annotations

import builtins
import functools
import linecache
import math
import numbers
import re
import sys
from fractions import Fraction
from typing import Any, Callable, Iterable, Optional, Union

import numpy as np
import sympy

from .checks import check_sequence
from .circuit import check_number
from .errors import CircuitError, did_you_mean
from .gates import GATES, MAX_EXPONENT, function_names, gate_of_function

__all__ = ["Wire", "Number", "node_of", "function", "sum_of", "product", "SHADOWING", "EXPORTS"]

Number = Union[int, float, Fraction]


def _is_number(x) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def node_of(builder: Any, x) -> int:
    """The node of ``x`` in ``builder``: a wire's node (refusing a wire of another builder), or
    the constant node of a number.

    Examples
    --------
    >>> from circuits.core.builder import Builder
    >>> b = Builder()
    >>> x = b.input("x")
    >>> node_of(b, x), node_of(b, 2.5), b.op(1)
    (0, 1, 'const')
    """
    if isinstance(x, Wire):
        if x._builder is not builder:
            raise CircuitError("a wire from another builder or trace was used here; "
                               "wires cannot be shared between circuits")
        return x.node
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return builder.const_node(x)  # any real (numpy's too): const_node checks it
    raise CircuitError(f"expected a wire or a number, got {type(x).__name__} {x!r}")


def _operator(method: Callable) -> Callable:
    """A wire's binary operator, called with the other operand already coerced.

    Parameters
    ----------
    method : callable
        ``method(wire, other)``, where ``other`` is a wire of the same builder
        or a checked number.

    Returns
    -------
    callable
        The operator: it returns ``NotImplemented`` for an operand that is
        neither (so Python tries the other side), and raises for a wire of
        another circuit.
    """
    @functools.wraps(method)
    def operator(self, other):
        other = self._coerce(other)
        if other is NotImplemented:
            return NotImplemented
        return method(self, other)
    return operator


class Wire:
    """A value inside a circuit under construction.

    Supports ``+ - * / **``, unary minus and the wire-level functions (``circuits.exp``, ...).
    A wire is either a node or a pending linear combination ``c + Σ a_i·w_i``
    that becomes a single weighted ``add`` gate when first needed.
    """

    __slots__ = ("_builder", "_node", "_parts", "_const", "__weakref__")

    def __init__(self, builder: Any, node: Optional[int] = None,
                 parts: tuple = (), const: Number = 0):
        self._builder = builder
        self._node = node
        self._parts = parts  # ((Wire, coeff), ...) when a pending linear combination
        self._const = const

    @property
    def node(self) -> int:
        """The node computing this wire (materialises a linear combination)."""
        if self._node is None:
            self._node = self._materialise()
            self._parts = ()
        return self._node

    def _materialise(self) -> int:
        acc: dict[int, Number] = {}
        const: float = 0
        stack = [(self, 1)]  # iterative: long sums must not recurse
        try:
            while stack:
                w, c = stack.pop()
                if w._node is not None:
                    acc[w._node] = acc.get(w._node, 0) + c
                    continue
                const += c * w._const
                for part in reversed(w._parts):
                    stack.append((part[0], c * part[1]))
        except OverflowError:  # a huge exact factor times a float factor
            raise CircuitError("a constant factor of a linear combination overflows a float; "
                               "use smaller constant factors") from None
        return self._builder.linear(acc.items(), const)

    # --- linear arithmetic ---------------------------------------------------

    def _lin(self, parts, const=0) -> "Wire":
        return Wire(self._builder, None, parts, const)

    def _coerce(self, other):
        if isinstance(other, Wire):
            if other._builder is not self._builder:
                raise CircuitError("cannot combine wires of two different circuits")
            return other
        if _is_number(other):
            return check_number(other, "operand")
        return NotImplemented

    @_operator
    def __add__(self, other):
        if isinstance(other, Wire):
            return self._lin(((self, 1), (other, 1)))
        return self._lin(((self, 1),), other)

    __radd__ = __add__

    @_operator
    def __sub__(self, other):
        if isinstance(other, Wire):
            return self._lin(((self, 1), (other, -1)))
        return self._lin(((self, 1),), -other)

    @_operator
    def __rsub__(self, other):
        return self._lin(((self, -1),), other)

    def __neg__(self):
        return self._lin(((self, -1),))

    def __pos__(self):
        return self

    @_operator
    def __mul__(self, other):
        if isinstance(other, Wire):
            return self._gate("mul", self, other)
        return self._lin(((self, other),))

    __rmul__ = __mul__

    @_operator
    def __truediv__(self, other):
        if isinstance(other, Wire):
            return self._gate("div", self, other)
        if other == 0:
            raise CircuitError("division of a wire by the constant 0")
        inverse = Fraction(1, other) if isinstance(other, (int, Fraction)) else 1 / other
        return self._lin(((self, inverse),))

    @_operator
    def __rtruediv__(self, other):
        if other == 1:
            return self._gate("recip", self)
        return self._gate("div", self._builder.const(other), self)

    def _constant(self):
        """The value of this wire when it is a constant node (``x - x``), else None."""
        b = self._builder
        node = self.node
        return b.value(node) if b.op(node) == "const" else None

    def __pow__(self, k):
        if isinstance(k, Wire):  # u ** v = exp(v · log u), for u > 0
            if k._builder is not self._builder:
                raise CircuitError("cannot combine wires of two different circuits")
            # a wire that folded to a constant (x - x) is that number: 0 ** x is refused like
            # a literal 0 ** x, and x ** (y - y) is x ** 0 = 1, not exp(0 · log x)
            base, exponent = self._constant(), k._constant()
            if exponent is not None:
                return self ** exponent
            if base is not None:
                return k.__rpow__(base)
            return _exp(k * _log(self))
        if not _is_number(k):
            return NotImplemented
        if isinstance(k, float) and not math.isfinite(k):
            raise CircuitError(f"the exponent {k!r} is not a finite number; a power needs a finite exponent")
        if k == int(k):
            k = int(k)
            if abs(k) > MAX_EXPONENT:
                shown = k if abs(k) < 10 ** 30 else f"of {abs(k).bit_length()} bits"
                raise CircuitError(f"exponent {shown} is too large; |k| must be at most {MAX_EXPONENT}")
            if k == 0:  # u itself is not needed: no gate for it
                return self._builder.const(1)
            return self if k == 1 else self._builder.wire(self._builder.power_node(self.node, k))
        if k == 0.5:
            return self._gate("sqrt", self)
        if k == -0.5:
            return self._gate("recip", self._gate("sqrt", self))
        return _exp(k * _log(self))

    def __rpow__(self, base):
        if not _is_number(base):
            return NotImplemented
        if base <= 0:
            raise CircuitError(f"{base!r} ** wire needs a positive base; it is built as exp(wire * log(base))")
        return _exp(self * math.log(base))

    def _gate(self, op, *args) -> "Wire":
        b = self._builder
        return Wire(b, b.gate(op, *(a.node for a in args)))

    # --- what a traced value cannot do ------------------------------------------

    def __bool__(self):
        raise CircuitError("a circuit wire has no truth value: Python control flow (if, while, and, or) "
                           "cannot depend on a traced input; use relu/step gates instead")

    def _no_compare(self, other):
        raise CircuitError("circuit wires cannot be compared (==, !=, <, <=, >, >=): control flow on "
                           "traced inputs is not part of a circuit; select with gates instead "
                           "(step(u)*a + (1 - step(u))*b, or relu: max(u, v) = v + relu(u - v)), "
                           "or trace each branch as its own circuit")

    # == and != too: the default identity test would make ``x == 0`` silently False
    # and trace one branch without a word.  Hashing stays by identity (below).
    __lt__ = __le__ = __gt__ = __ge__ = __eq__ = __ne__ = _no_compare

    def _no_integer_arithmetic(self, *other):
        raise CircuitError("circuit wires have no integer arithmetic (//, %, divmod, round, floor, ceil, "
                           "trunc): a circuit computes with real numbers; write the real operation "
                           "instead (u / v, or a registered gate)")

    __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = __divmod__ = __rdivmod__ = _no_integer_arithmetic
    __round__ = __floor__ = __ceil__ = __trunc__ = _no_integer_arithmetic
    __and__ = __rand__ = __or__ = __ror__ = __xor__ = __rxor__ = __lshift__ = __rlshift__ = \
        __rshift__ = __rrshift__ = __invert__ = __matmul__ = __rmatmul__ = \
        lambda self, *other: _no_bit_operation()

    def __float__(self):
        raise CircuitError("a circuit wire has no numeric value while the circuit is being built"
                           + _numeric_hint(sys._getframe(1)))


    __int__ = __index__ = __complex__ = __float__

    __hash__ = object.__hash__

    def __repr__(self):
        if self._node is None:
            return "<Wire: pending linear combination>"
        b = self._builder
        op = b.op(self._node)
        what = b.name(self._node) if op == "input" else b.value(self._node) if op == "const" else op
        return f"<Wire node {self._node}: {what}>"

    def __abs__(self):
        return function("abs")(self)

    def __getattr__(self, name):
        # every gate of the registry is a method: numpy calls wire.exp() on object arrays
        gate = gate_of_function(name) if not name.startswith("_") else None
        if gate is None:
            raise AttributeError(f"'Wire' object has no attribute {name!r}")
        fn = function(name)
        return lambda *rest: fn(self, *rest)


_FOREIGN_CALL = re.compile(r"\b(math|np|numpy|cmath|sympy)\.(\w+)\s*\(")


def _shown_number(a) -> str:
    return f"<int of {a.bit_length()} bits>" if isinstance(a, int) and a.bit_length() > 64 else repr(a)


def _no_bit_operation():
    raise CircuitError("circuit wires have no bitwise or matrix operators (&, |, ^, ~, <<, >>, @): a wire is "
                       "one real number; use * for products and a registered gate for other operations")


def _numeric_hint(frame) -> str:
    """What to write instead, read from the source line that asked a wire for a number."""
    line = linecache.getline(frame.f_code.co_filename, frame.f_lineno) if frame else ""
    for module, name in _FOREIGN_CALL.findall(line):
        fn = function_names().get(name, name)  # numpy's arctan is the gate atan: its alias
        if fn in EXPORTS or fn in GATES:
            return (f"; {module}.{name}(x) needs a number, so call circuits.{fn}(x) instead, "
                    f"which adds a {fn} gate")
        return (f"; {module}.{name}(x) needs a number and has no circuit counterpart"
                f"{did_you_mean(name, [f for f in EXPORTS if f.islower()])}; the circuit "
                f"functions are circuits.{', circuits.'.join(f for f in EXPORTS if f.islower() and f not in ('trace', 'product', 'sum_of'))}")
    return ("; use the circuit functions (circuits.sin, circuits.exp, ...) instead of math or "
            "numpy ones, or evaluate the built circuit")


def function(name: str) -> Callable:
    """The wire-level function of gate ``name`` (``circuits.<name>``), from its registry entry.

    On wires it adds the gate (numbers among the arguments become constants);
    on numbers, numpy arrays or sympy expressions it computes the value with
    the gate's ``num``, ``vec`` or ``sym``.

    Examples
    --------
    >>> import circuits
    >>> from circuits.core.builder import function
    >>> c = circuits.trace(lambda x: function("tanh")(x))
    >>> [c.op(v) for v in c.gates()], function("tanh")(0.0)
    (['tanh'], 0.0)
    """
    first = gate_of_function(name)
    if first is None:
        raise CircuitError(f"no gate is called {name!r}; the functions are {sorted(function_names())}")
    op = first.name

    def fn(*args):
        gate = GATES.get(op)
        if gate is None:
            raise CircuitError(f"gate {op!r} is not registered any more")
        if not gate.accepts(len(args)):
            raise CircuitError(f"{name}() takes {gate.arity_text()}, got {len(args)}")
        wires = [a for a in args if isinstance(a, Wire)]
        if wires:
            if gate.wire is not None:
                return gate.wire(*args)
            b = wires[0]._builder
            return Wire(b, b.gate(op, *(node_of(b, a) for a in args)))
        if any(isinstance(a, np.ndarray) for a in args):
            return gate.vec(*args)
        if any(isinstance(a, sympy.Basic) for a in args):
            return gate.sym(*args)
        if all(_is_number(a) for a in args):
            try:
                return gate.num(*args)
            except (ArithmeticError, ValueError) as exc:  # log(-1), exp(1e100): as evaluate says it
                shown = ", ".join(_shown_number(a) for a in args)
                raise CircuitError(f"{name}({shown}) cannot be evaluated: {exc}") from None
        bad = next(a for a in args if not _is_number(a))
        raise CircuitError(f"{name}() expects wires or numbers, got {type(bad).__name__}")

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"{first.doc}: a ``{op}`` gate on wires, the value on numbers, numpy arrays "
                  "and sympy expressions (declared in :data:`circuits.core.gates.GATES`).")
    return fn


# Names of Python built-ins (abs, max, min, pow) are not globals of circuits.core.builder, which
# would shadow the built-ins there and under ``from circuits import *``: that module's
# __getattr__ serves them as ``circuits.core.builder.max`` (and ``circuits.max``).
SHADOWING = frozenset(n for n in dir(builtins) if not n.startswith("_"))

#: What :mod:`circuits.core.builder` exports (its ``__all__``, built the same way there), for the
#: hints of a wire used as a number: the classes, trace, sum_of, product, then every wire-level
#: function not named like a built-in.
EXPORTS = ["Builder", "Wire", "trace", "sum_of", "product",
           "exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "step",
           "square", "recip"]
EXPORTS += [_name for _name in function_names() if _name not in EXPORTS and _name not in SHADOWING]

_exp = function("exp")  # for u ** v = exp(v · log u)
_log = function("log")


def sum_of(terms: Iterable, weights: Optional[Iterable[Number]] = None):
    """One weighted ``add`` over many wires: ``Σ weights[i] · terms[i]``.

    Linear in the number of terms (``sum()`` over wires is too, since sums stay
    pending linear combinations until used).

    Examples
    --------
    >>> import circuits
    >>> c = circuits.trace(lambda a, b, c: circuits.sum_of([a, b, c], [1, -2, 3]) ** 2)
    >>> c.size, c.evaluate(a=1, b=1, c=1)
    (2, {'f': 4})
    """
    terms = check_sequence(terms, "sum_of: terms")
    weights = [1] * len(terms) if weights is None else check_sequence(weights, "sum_of: weights")
    if len(weights) != len(terms):
        raise CircuitError(f"{len(weights)} weights for {len(terms)} terms")
    wires = [t for t in terms if isinstance(t, Wire)]
    if not wires:
        return sum(check_number(w, "sum_of: weight") * check_number(t, "sum_of: term")
                   for w, t in zip(weights, terms))
    b = wires[0]._builder
    const = 0
    parts = []
    for t, w in zip(terms, weights):
        if isinstance(t, Wire):
            parts.append((t, check_number(w, "weight")))
        else:
            const += w * check_number(t, "term")
    return Wire(b, None, tuple(parts), const)


def product(factors: Iterable):
    """One n-ary ``mul`` gate over the factors (numbers become constants).

    Examples
    --------
    >>> import circuits
    >>> c = circuits.trace(lambda u, v, w: circuits.product([u, v, w]))
    >>> c.size, c.wires, c.evaluate(u=2, v=3, w=4)
    (1, 3, {'f': 24})
    >>> circuits.trace(lambda u, v: circuits.product([u, 2, v])).evaluate(u=3, v=5)
    {'f': 30}
    """
    factors = check_sequence(factors, "product: factors")
    wires = [t for t in factors if isinstance(t, Wire)]
    coefficient = math.prod(check_number(t, "factor") for t in factors if not isinstance(t, Wire))
    if not wires:
        return coefficient
    b = wires[0]._builder
    result = wires[0] if len(wires) == 1 else Wire(b, b.gate("mul", *wires))
    return result if coefficient == 1 else result * coefficient
