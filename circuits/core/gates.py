"""The gate registry: every operation a circuit can use, declared once.

Each :class:`Gate` holds everything a pass or a surface needs to know about one
operation, and nothing else in the package knows it a second time:

* its arity, display label, argument names and the names it goes by (the
  ``circuits.<name>`` function and ``Wire`` method, parse's function names and
  ``aliases``, the sympy functions it comes from);
* its *formula*, written once against a namespace of elementary functions, from
  which evaluation on Python numbers, numpy arrays, sympy expressions and the
  benchmark peers (CasADi, JAX) are derived unless ``num``/``vec``/``sym`` are
  given for speed;
* whether it is exact on Fractions, commutative, linear in weighted wires;
* its domain (where random generators put its arguments), value range and an
  interval rule (how random generators and strategies bound its value);
* its *algebra*: the monoid of a variadic sum or product, exact
  commutativity, how fast its exact values grow, whether it selects one of its
  arguments, and the special exponents an integer power lowers to, so that the
  backends (kernels, JAX, sympy, exact evaluation, folding, simplify, random
  generators) ask the gate instead of testing its name;
* its *partial-derivative rule*.

The partial rule of a gate ``g`` with arguments ``u_0 .. u_{k-1}`` returns
``∂_{u_i}[g]`` (the chain rule's local partial): the derivative of
the operation with respect to its i-th argument, expressed with gates of this
same registry, so that derivative circuits can be differentiated again.  A rule
is called as ``rule(b, args, out, i)`` where ``b`` is a :class:`circuits.Builder`,
``args`` the argument nodes, ``out`` the gate's own node (``exp``'s partial is
``exp`` itself) and ``i`` the argument position.  It returns

* ``None`` when the partial is structurally zero,
* ``(None, c)`` when it is the constant ``c``,
* ``(node, c)`` when it is ``c · node``.

Scaling by a constant is thus never a gate of its own: it becomes the weight of
a wire into a ``+`` gate, "syntactic sugar" for a multiplication by a constant.

Node parameters reach the rules, never the passes: the wire weights of a
``weighted`` gate are passed as the keyword ``weights`` (a tuple, or ``None``
for all ones) to ``num``, ``vec``, ``sym``, ``formula``, ``source``,
``interval`` and ``partial``; a ``constant_args`` position (``pow``'s integer
exponent) is an argument whose value the rules read as a number.

New gates are added with :func:`circuits.register_gate`.

Examples
--------
>>> from circuits.core.gates import GATES
>>> GATES["mul"].arity is None, GATES["sin"].arity
(True, 1)
>>> GATES["sigmoid"].num(0.0)
0.5
>>> GATES["max"].arity, GATES["atan"].aliases
(2, ('arctan',))
>>> GATES["add"].num(1, 2, weights=(3, -1))
1
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Mapping
from types import MappingProxyType
from dataclasses import dataclass, field
from fractions import Fraction
from functools import reduce
from operator import add as _add, mul as _mul
from typing import Any, Callable, NamedTuple, Optional

import numpy as np
import sympy

from .errors import CircuitError

__all__ = ["Gate", "Monoid", "GATES", "SOURCES", "MAX_EXPONENT", "INF", "Namespace", "MATH", "NUMPY",
           "SYMPY", "exact_bits", "function_names", "gate_of_function", "interval_of", "domain_of"]

#: Node kinds that are not gates.
SOURCES = ("input", "const")

#: Largest ``|k|`` allowed for the integer exponent of a ``pow`` gate, so that
#: exact evaluation of ``x**k`` can neither hang nor exhaust memory.
MAX_EXPONENT = 1 << 16

INF = math.inf


# --- namespaces of elementary functions --------------------------------------------


class Namespace:
    """The elementary functions a gate's ``formula`` may call, for one number system.

    ``exp log sqrt sin cos tan atan tanh abs sign max min step ipow`` and ``sinh cosh
    asin acos asinh acosh atanh erf log1p expm1 atan2 hypot``; ``step(u)``
    is 1 for ``u > 0`` else 0 and ``ipow(u, k)`` is ``u ** k`` for an integer
    ``k``.  The benchmark peers build their own (CasADi, JAX).
    """

    def __init__(self, name: str, **functions):
        self.name = name
        self.__dict__.update(functions)

    def __repr__(self):
        return f"<Namespace {self.name}>"


# The selecting gates on special values, the same in every number system and the engine (written
# so that numba compiles them): nan gives nan; ±inf give their limits (relu(-inf) = 0, step(inf) = 1,
# sign(-inf) = -1); a zero result is +0 of the argument's type (a Fraction stays exact); max and min
# are IEEE 754-2019's maximum and minimum: nan if either argument is nan, max(-0.0, 0.0) = 0.0 and
# min(-0.0, 0.0) = -0.0 in either order, otherwise the larger (smaller) argument itself.


def _step(u):
    if u != u:
        return u
    zero = u * 0 + 0 if u - u == 0 else 0.0  # u * 0 is nan at ±inf
    return zero + 1 if u > 0 else zero


def _sign(u):
    if u != u:
        return u
    zero = u * 0 + 0 if u - u == 0 else 0.0
    return zero + 1 if u > 0 else zero - 1 if u < 0 else zero


def _max(u, v):
    if u != u:
        return u
    if v != v:
        return v
    if u == v and u == 0:
        return u if math.copysign(1.0, u) > 0 else v
    return v if v > u else u


def _min(u, v):
    if u != u:
        return u
    if v != v:
        return v
    if u == v and u == 0:
        return u if math.copysign(1.0, u) < 0 else v
    return v if v < u else u


def _np_step(u):
    u = np.asarray(u, dtype=float)
    return np.where(u > 0, 1.0, np.where(u != u, u, 0.0))


def _np_max(u, v):
    u, v = np.asarray(u, dtype=float), np.asarray(v, dtype=float)
    return np.where((u == 0) & (v == 0), u + v, np.maximum(u, v))  # +0 if either zero is +0


def _np_min(u, v):
    u, v = np.asarray(u, dtype=float), np.asarray(v, dtype=float)
    return np.where((u == 0) & (v == 0), -(-u - v), np.minimum(u, v))  # -0 if either zero is -0


MATH = Namespace("math", exp=math.exp, log=math.log, sqrt=math.sqrt, sin=math.sin, cos=math.cos,
                 tan=math.tan, atan=math.atan, tanh=math.tanh, abs=builtins.abs, sign=_sign,
                 max=_max, min=_min, step=_step, ipow=lambda u, k: u ** k)
NUMPY = Namespace("numpy", exp=np.exp, log=np.log, sqrt=np.sqrt, sin=np.sin, cos=np.cos,
                  tan=np.tan, atan=np.arctan, tanh=np.tanh, abs=np.abs, sign=np.sign,
                  max=_np_max, min=_np_min, step=_np_step, ipow=lambda u, k: u ** k)
SYMPY = Namespace("sympy", exp=sympy.exp, log=sympy.log, sqrt=sympy.sqrt, sin=sympy.sin,
                  cos=sympy.cos, tan=sympy.tan, atan=sympy.atan, tanh=sympy.tanh, abs=sympy.Abs,
                  sign=sympy.sign, max=sympy.Max, min=sympy.Min,
                  step=lambda u: sympy.Heaviside(u, 0), ipow=lambda u, k: u ** k)


# The elementary functions of the twelve gates added with edge elimination (issue 27): added to the
# namespaces here so that the lines above stay as they were.
MATH.__dict__.update(sinh=math.sinh, cosh=math.cosh, asin=math.asin, acos=math.acos, asinh=math.asinh,
                     acosh=math.acosh, atanh=math.atanh, erf=math.erf, log1p=math.log1p,
                     expm1=math.expm1, atan2=math.atan2, hypot=math.hypot)
NUMPY.__dict__.update(sinh=np.sinh, cosh=np.cosh, asin=np.arcsin, acos=np.arccos, asinh=np.arcsinh,
                      acosh=np.arccosh, atanh=np.arctanh, erf=np.vectorize(math.erf, otypes=[float]),
                      log1p=np.log1p, expm1=np.expm1, atan2=np.arctan2, hypot=np.hypot)
SYMPY.__dict__.update(sinh=sympy.sinh, cosh=sympy.cosh, asin=sympy.asin, acos=sympy.acos,
                      asinh=sympy.asinh, acosh=sympy.acosh, atanh=sympy.atanh, erf=sympy.erf,
                      log1p=lambda u: sympy.log(1 + u), expm1=lambda u: sympy.exp(u) - 1,
                      atan2=sympy.atan2, hypot=lambda u, v: sympy.sqrt(u ** 2 + v ** 2))


_REQUIRED = object()  # Gate's arity may be None (variadic), so "not given" needs its own marker
_CALLABLES = ("num", "partial", "vec", "sym", "source", "formula", "wire", "from_sympy", "interval", "kink",
              "growth")
_FLAGS = ("exact", "commutative", "weighted", "linear", "function", "commutes_exactly", "selects", "homogeneous")


def _check_declaration(gate) -> None:
    """Refuse a malformed :class:`Gate` declaration with one CircuitError naming the field."""
    name = gate.name
    if not isinstance(name, str) or not name:
        raise CircuitError(f"Gate needs a name (a non-empty string), got {name!r}")
    where = f"Gate {name!r}"
    if gate.arity is _REQUIRED:
        raise CircuitError(f"{where}: give its arity (an integer, or None for any number of arguments)")
    if gate.arity is not None and (isinstance(gate.arity, bool) or not isinstance(gate.arity, int)
                                   or not 0 <= gate.arity <= 64):
        raise CircuitError(f"{where}: arity must be an integer from 0 to 64 or None, got {gate.arity!r}")
    if not isinstance(gate.label, str):
        raise CircuitError(f"{where}: label must be a string (how drawings show the gate), got {gate.label!r}")
    if isinstance(gate.min_arity, bool) or not isinstance(gate.min_arity, int) or not 0 <= gate.min_arity <= 64:
        raise CircuitError(f"{where}: min_arity must be an integer from 0 to 64, got {gate.min_arity!r}")
    for f in _CALLABLES:
        value = getattr(gate, f)
        if value is not None and not callable(value):
            raise CircuitError(f"{where}: {f} must be a function or None, got {type(value).__name__}")
    for f in _FLAGS:
        if not isinstance(getattr(gate, f), (bool, np.bool_)):
            raise CircuitError(f"{where}: {f} must be True or False, got {getattr(gate, f)!r}")
    if gate.numpy is not None and not (isinstance(gate.numpy, str) and isinstance(getattr(np, gate.numpy, None), np.ufunc)):
        raise CircuitError(f"{where}: numpy must name a numpy ufunc (like 'arctan'), got {gate.numpy!r}")
    for f in ("aliases", "sympy", "constant_args", "arg_names", "constants"):
        if not isinstance(getattr(gate, f), tuple):
            raise CircuitError(f"{where}: {f} must be a tuple, got {type(getattr(gate, f)).__name__}")
    # the algebra (issue 21)
    if gate.monoid is not None and not isinstance(gate.monoid, Monoid):
        raise CircuitError(f"{where}: monoid must be a Monoid(identity, operator, combine) or None, "
                           f"got {type(gate.monoid).__name__}")
    if not callable(gate.degree) and (isinstance(gate.degree, bool) or not isinstance(gate.degree, int)
                                      or not 0 <= gate.degree <= MAX_EXPONENT):
        raise CircuitError(f"{where}: degree must be an integer from 0 to {MAX_EXPONENT} or a function of the "
                           f"constant arguments, got {gate.degree!r}")
    for f, key, keys in (("identities", str, "relation names ('inverse', 'quotient', 'product')"),
                         ("powers", int, "integer exponents")):
        value = getattr(gate, f)
        if not isinstance(value, Mapping) or not all(
                type(k) is key and isinstance(g, str) for k, g in value.items()):
            raise CircuitError(f"{where}: {f} must be a dict from {keys} to gate names, got "
                               f"{type(value).__name__}")


class Monoid(NamedTuple):
    """The monoid a variadic gate folds its arguments with, left to right.

    Attributes
    ----------
    identity : int
        The value of the empty fold (0 for a sum, 1 for a product).
    operator : str
        The Python infix operator of ``combine`` (``"+"``, ``"*"``), for
        generated code.
    combine : callable
        ``combine(total, term)``; a weighted gate's terms are ``w_i * u_i``.

    Examples
    --------
    >>> GATES["add"].monoid.identity, GATES["mul"].monoid.operator
    (0, '*')
    """

    identity: int
    operator: str
    combine: Callable[[Any, Any], Any]


SUM = Monoid(0, "+", _add)
PRODUCT = Monoid(1, "*", _mul)


@dataclass(frozen=True)
class Gate:
    """Declaration of one gate operation.

    Parameters
    ----------
    name : str
        Registry key, stored as the ``op`` attribute of the node; also the name
        of the ``circuits.<name>`` function, of the ``Wire`` method and of the
        formula function (when ``function`` is true).
    arity : int or None
        Number of arguments, or ``None`` for a variadic gate taking at least
        ``min_arity`` arguments.
    label : str
        Symbol drawn inside the node (``+``, ``×``, ``exp``, ``σ``, ...).
    num : callable, optional
        Evaluation on Python numbers; derived from ``formula`` when omitted.
    partial : callable
        The partial-derivative rule described in the module docstring.
    vec, sym : callable, optional
        Evaluation on numpy arrays and on sympy expressions; derived from
        ``numpy``, then ``formula``, then ``num`` when omitted.
    exact : bool
        True when ``num`` maps Fractions to Fractions (rational operations).
    commutative : bool
        True when argument order does not matter (used by CSE).
    weighted : bool
        True when the wires into the gate carry a ``weight``, passed to the
        rules as the keyword ``weights``.
    source : callable, optional
        ``source(*argument_expressions) -> str``: Python source of the gate for
        :func:`circuits.compile`; by default a call of the gate's function.  A
        list of strings is a long expression cut into pieces: the first is the
        start, each further one is appended to the running value.
    min_arity : int
        Smallest arity of a variadic gate.
    doc : str
        One line shown in documentation and errors.
    constant_args : tuple of int
        Argument positions that must be integer constants (``pow``'s exponent).
    formula : callable, optional
        ``formula(m, *args)`` computes the gate with the elementary functions
        of the :class:`Namespace` ``m`` (and Python operators).
    numpy : str, optional
        Name of the numpy function computing the gate (``"arctan"``).
    linear : bool
        The partial with respect to argument ``i`` is the constant wire weight
        ``weights[i]``: passes may use it without calling ``partial``.
    function : bool
        Exposed as ``circuits.<name>``, a ``Wire`` method and a parse function
        (false for the gates written with operators: ``+ × ÷``).
    wire : callable, optional
        How ``circuits.<name>`` builds the gate on wires, when not by a plain
        gate (``pow`` goes through ``**``, which picks ``square``/``recip``).
    aliases : tuple of str
        Further names accepted by :func:`circuits.parse`.
    sympy : tuple
        sympy functions that :func:`circuits.from_sympy` turns into this gate
        (by default ``sym`` when it is a sympy function class).
    from_sympy : callable, optional
        ``from_sympy(expr) -> tuple of argument expressions or None``: whether a
        sympy expression whose ``func`` is in ``sympy`` is this gate (relu takes
        ``Max(0, u)`` only).  Gates are tried in registry order, so relu
        claims ``Max(0, u)`` before max does.
    domain : tuple or callable, optional
        Where random generators put the arguments: one open interval
        ``(lo, hi)`` per argument (``None``: any real); a single interval for a
        variadic gate; a callable of the constant arguments' values for gates
        with ``constant_args``.
    range : (lo, hi)
        Interval containing every value of the gate.
    interval : callable, optional
        ``interval(ivs) -> (lo, hi)``: an interval containing the gate's values
        when argument ``i`` lies in ``ivs[i]`` (endpoints may be infinite).  By
        default from monotonicity checks on samples, clipped to ``range``.
    kink : callable, optional
        ``kink(*argument_values) -> float``, zero where the gate is not
        differentiable (``u`` for relu, ``u - v`` for max): finite differences
        keep away from those points.
    arg_names : tuple of str
        Names drawn on the wires of a non-commutative gate.
    constants : tuple
        Values random generators draw for the ``constant_args``.
    interaction : str, tuple or callable
        Which second partials ``∂²g/∂u_a∂u_b`` can be nonzero, for the Hessian's
        sparsity (:func:`circuits.hessian_sparsity`): ``"none"`` (linear or
        piecewise linear: ``+``, ``abs``, ``relu``, ``max``), ``"cross"`` (only
        between distinct positions: ``×``), ``"all"``, or a tuple of position
        pairs ``(a, b)``, ``a ≤ b`` (``÷``: ``((0, 1), (1, 1))``); a callable of
        the constant arguments' values for gates with ``constant_args``.  By
        default ``"none"`` for ``linear`` gates and ``"all"`` otherwise, which
        never misses a nonzero.
    monoid : Monoid, optional
        For a variadic gate that folds its (weighted) arguments left to right
        with one associative operation: the kernels, JAX, sympy and simplify
        lower it from this, whatever its name.
    commutes_exactly : bool
        Argument order never changes the value, not even with nan or signed
        zeros (``x + y``; ``max``, whose nan propagates and whose +0 is above
        -0; Python's ``max`` would not be, as ``max(1, nan)`` is 1 and
        ``max(nan, 1)`` nan): simplify may sort the arguments.
    degree : int or callable
        The power of its arguments that bounds the magnitude of an exact
        value: ``|g(u)| ≤ Σ|w_i| · ∏ max(|u_i|, 1) ** degree`` (2 for
        ``square``); a callable of the ``constant_args`` values (``|k|`` for
        ``pow``).
    growth : callable, optional
        ``growth(bits, *constants) -> int``: the bits of the exact result,
        estimated from the bit sizes of the arguments' exact values (0 for a
        float) to within a bit per factor, for gates whose exact values can
        grow faster than their arguments (products, quotients, powers); None
        for the others.  Exact evaluation and folding refuse a result whose
        estimate exceeds their bit budget before computing it.
    selects : bool
        The value is one of the arguments, its negation or a small integer
        (max, min, abs, relu, sign, step): exact on any number and no larger
        than its largest argument.
    homogeneous : bool
        ``g(c·u)`` is a power of the constant ``c`` times ``g(u)`` (``c² u²``
        for ``square``, ``c^k u^k`` for ``pow``): simplify moves constant
        factors out through it.
    identities : mapping
        Relations to other gates that simplify rewrites with, as data:
        ``"inverse"`` (on a product: ``u · inverse(v) = quotient(u, v)``; on a
        quotient: ``quotient(u, c) = u · inverse(c)``), ``"quotient"`` (on a
        product) and ``"product"`` (on a power of one argument: ``square(u) =
        product(u, u)``, ``degree`` copies).
    powers : mapping
        For an integer power gate (``constant_args``): exponent → the gate of
        one argument that computes that power (``{2: "square", -1: "recip"}``);
        the one integer-power builder and the passes that fold powers read it.
    """

    # required: checked in __post_init__, so a missing one is a CircuitError (hence the ignores)
    name: str = None  # type: ignore[assignment]
    arity: Optional[int] = _REQUIRED  # type: ignore[assignment]
    label: str = None  # type: ignore[assignment]
    num: Optional[Callable[..., Any]] = None
    partial: Optional[Callable[..., Any]] = None
    vec: Optional[Callable[..., Any]] = None
    sym: Optional[Callable[..., Any]] = None
    exact: bool = False
    commutative: bool = False
    weighted: bool = False
    source: Optional[Callable[..., Any]] = None
    min_arity: int = 1
    doc: str = ""
    constant_args: tuple = field(default=())
    formula: Optional[Callable[..., Any]] = None
    numpy: Optional[str] = None
    linear: bool = False
    function: bool = True
    wire: Optional[Callable[..., Any]] = None
    aliases: tuple = ()
    sympy: tuple = ()
    from_sympy: Optional[Callable[..., Any]] = None
    domain: Any = None
    range: tuple = (-INF, INF)
    interval: Optional[Callable[..., Any]] = None
    kink: Optional[Callable[..., Any]] = None
    arg_names: tuple = ()
    constants: tuple = ()
    interaction: Any = None
    monoid: Optional[Monoid] = None
    commutes_exactly: bool = False
    degree: Any = 1
    growth: Optional[Callable[..., int]] = None
    selects: bool = False
    homogeneous: bool = False
    identities: Any = field(default_factory=dict)
    powers: Any = field(default_factory=dict)

    def __post_init__(self):
        _check_declaration(self)
        set_ = object.__setattr__
        if self.interaction is None:
            set_(self, "interaction", "none" if self.linear else "all")
        if self.num is None and self.formula is not None:
            formula = self.formula
            set_(self, "num", (lambda *a, weights=None: formula(MATH, *a, weights=weights)) if self.weighted
                 else (lambda *a: formula(MATH, *a)))
        if self.vec is None:
            if self.numpy is not None:
                set_(self, "vec", getattr(np, self.numpy))
            elif self.formula is not None:
                formula = self.formula
                set_(self, "vec", (lambda *a, weights=None: formula(NUMPY, *a, weights=weights))
                     if self.weighted else (lambda *a: formula(NUMPY, *a)))
            else:
                set_(self, "vec", self.num)
        if self.sym is None:
            if self.formula is not None:
                formula = self.formula
                set_(self, "sym", (lambda *a, weights=None: formula(SYMPY, *a, weights=weights))
                     if self.weighted else (lambda *a: formula(SYMPY, *a)))
            else:
                set_(self, "sym", self.num)
        if not self.sympy and isinstance(self.sym, sympy.FunctionClass):
            set_(self, "sympy", (self.sym,))
        set_(self, "powers", MappingProxyType(dict(self.powers)))
        set_(self, "identities", MappingProxyType(dict(self.identities)))

    def degree_of(self, constants=()) -> int:
        """The gate's :attr:`degree`, given the values of its ``constant_args``.

        Examples
        --------
        >>> GATES["square"].degree_of(), GATES["pow"].degree_of((-3,)), GATES["sin"].degree_of()
        (2, 3, 1)
        """
        return self.degree(*constants) if callable(self.degree) else self.degree

    def result_bits(self, values) -> int:
        """Estimated bits of the exact result on argument ``values`` (0 when it does not grow).

        Examples
        --------
        >>> GATES["square"].result_bits([Fraction(3, 4)]), GATES["mul"].result_bits([3, 0.5])
        (10, 0)
        """
        if self.growth is None:
            return 0
        skip = self.constant_args
        return self.growth([exact_bits(v) for k, v in enumerate(values) if k not in skip],
                           *[values[k] for k in skip])

    def bits(self, bits, constants=()) -> int:
        """Estimated bits of an exact result (0 when the gate does not grow).

        ``bits`` are the sizes of the arguments' exact values (0 for floats).

        Examples
        --------
        >>> GATES["mul"].bits([10, 20]), GATES["pow"].bits([5, 2], (3,)), GATES["add"].bits([10, 20])
        (30, 12, 0)
        """
        return 0 if self.growth is None else self.growth(bits, *constants)

    def accepts(self, k: int) -> bool:
        """Whether the gate takes ``k`` arguments."""
        return k == self.arity if self.arity is not None else k >= self.min_arity

    def arity_text(self) -> str:
        """Human description of the arity, for error messages."""
        if self.arity is not None:
            return f"exactly {self.arity} argument{'s' if self.arity != 1 else ''}"
        return f"at least {self.min_arity} argument{'s' if self.min_arity != 1 else ''}"

    @property
    def names(self) -> tuple:
        """Every name :func:`circuits.parse` accepts for the gate (empty for operators)."""
        return ((self.name,) + tuple(self.aliases)) if self.function else ()


# --- numeric helpers -------------------------------------------------------


def _product(*values):
    return reduce(_mul, values)


def _sum(*a, weights=None):
    if weights is None:
        return sum(a[1:], a[0])
    total = weights[0] * a[0]
    for c, u in zip(weights[1:], a[1:]):
        total = total + c * u
    return total


def _formula_sum(m, *a, weights=None):
    # a wire of weight ±1 costs no product, as a peer would write it
    w = weights or (1,) * len(a)
    terms = [u if c == 1 else -u if c == -1 else _float(c) * u for u, c in zip(a, w)]
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    return total


def _float(c):
    return float(c) if isinstance(c, Fraction) else c


def _sum_source(*names, weights=None, const=repr, chunk=64):
    w = weights or (1,) * len(names)
    terms = [("-" if c < 0 or (c == 0 and math.copysign(1, c) < 0) else "+",  # -0.0 keeps its sign
              v if abs(c) == 1 else f"{const(abs(c))}*{v}")
             for v, c in zip(names, w)]  # (an int beyond float64 is compared, never converted)
    # ``b - a`` is one numpy call where ``-a + b`` is two; swapping the first
    # two terms keeps every rounding the interpreter's left-to-right sum makes
    if len(terms) > 1 and terms[0][0] == "-" and terms[1][0] == "+":
        terms[0], terms[1] = terms[1], terms[0]
    head = ("-" if terms[0][0] == "-" else "") + terms[0][1]
    pieces = [head + "".join(f" {s} {t}" for s, t in terms[1:chunk])]
    for j in range(chunk, len(terms), chunk):
        pieces.append("".join(f" {s} {t}" for s, t in terms[j:j + chunk]))
    return pieces if len(pieces) > 1 else pieces[0]


def _product_source(*names, chunk=64):
    pieces = [" * ".join(names[j:j + chunk]) for j in range(0, len(names), chunk)]
    return pieces[0] if len(pieces) == 1 else [pieces[0]] + [" * " + p for p in pieces[1:]]


def _sigmoid(u):
    # Stable on both sides: exp never overflows.
    if u >= 0:
        return 1.0 / (1.0 + math.exp(-u))
    e = math.exp(u)
    return e / (1.0 + e)


def _np_sigmoid(u):
    return np.exp(-np.logaddexp(0.0, -np.asarray(u, dtype=float)))


def _relu(u):  # see _step: relu(nan) = nan, relu(-inf) = relu(-0.0) = +0
    if u > 0 or u != u:
        return u
    return u * 0 + 0 if u - u == 0 else 0.0


def _np_relu(u):
    return np.maximum(u, 0.0) + 0.0  # + 0.0 turns -0.0 into +0.0


# --- intervals (for random generators) --------------------------------------------


def _mul_iv(a, b):
    def m(x, y):
        return 0.0 if x == 0 or y == 0 else x * y
    ps = (m(a[0], b[0]), m(a[0], b[1]), m(a[1], b[0]), m(a[1], b[1]))
    return (min(ps), max(ps))


def _iv_sum(ivs, weights=None):
    lo = hi = 0.0
    for (a, z), w in zip(ivs, weights or (1,) * len(ivs)):
        w = float(w)
        lo += w * a if w > 0 else w * z
        hi += w * z if w > 0 else w * a
    return (lo, hi)


def _iv_product(ivs):
    r = ivs[0]
    for iv in ivs[1:]:
        r = _mul_iv(r, iv)
    return r


def _iv_recip(iv):
    lo, hi = iv
    if lo > 0 or hi < 0:
        return (0.0 if hi == INF else 1 / hi, 1 / lo if lo != 0 else INF)
    return (-INF, INF)


def _iv_even_power(iv, e):
    lo, hi = iv
    if lo >= 0:
        return (lo ** e, hi ** e)
    if hi <= 0:
        return (hi ** e, lo ** e)
    return (0.0, max(lo ** e, hi ** e))


def _iv_pow(ivs):
    (lo, hi), (k, _) = ivs
    k = int(k)
    if k == 0:
        return (1.0, 1.0)
    if k > 0:
        return _iv_even_power((lo, hi), k) if k % 2 == 0 else (_pw(lo, k), _pw(hi, k))
    if lo > 0:  # a positive base, as the generators make it
        return (0.0 if hi == INF else hi ** k, lo ** k)
    return _iv_pow([_iv_recip((lo, hi)), (-k, -k)])


def _pw(x, k):
    try:
        return x ** k
    except OverflowError:
        return math.copysign(INF, x) if k % 2 else INF


def _monotone(f):
    """Interval rule of a non-decreasing one-argument function."""
    def rule(ivs):
        lo, hi = ivs[0]
        return (_safe(f, lo), _safe(f, hi))
    return rule


def _safe(f, x):
    try:
        return float(f(x))
    except OverflowError:
        return INF
    except (ValueError, ZeroDivisionError):
        return math.nan


def interval_of(gate: Gate, ivs, weights=None) -> tuple:
    """An interval containing ``gate``'s values for arguments in ``ivs``.

    Uses the gate's ``interval`` rule; without one, the gate's ``range`` (or,
    for a bounded argument box, the hull of samples widened by a tenth, clipped
    to ``range``: a heuristic for user gates that random generators accept).

    Examples
    --------
    >>> interval_of(GATES["exp"], [(0.0, 1.0)])
    (1.0, 2.718281828459045)
    >>> interval_of(GATES["add"], [(0.0, 1.0), (-1.0, 2.0)], weights=(2, -1))
    (-2.0, 3.0)
    """
    if gate.interval is not None:
        result = gate.interval(ivs, weights=weights) if gate.weighted else gate.interval(ivs)
    else:
        result = _sampled_interval(gate, ivs)
    lo, hi = result
    lo = -INF if lo != lo else lo
    hi = INF if hi != hi else hi
    return (max(lo, gate.range[0]), min(hi, gate.range[1]))


def _sampled_interval(gate, ivs):
    if any(not (math.isfinite(lo) and math.isfinite(hi)) for lo, hi in ivs) or len(ivs) > 2:
        return gate.range
    grids = [[lo + (hi - lo) * j / 16 for j in range(17)] for lo, hi in ivs]
    points = [(x,) for x in grids[0]] if len(ivs) == 1 else [(x, y) for x in grids[0] for y in grids[1]]
    values = []
    for p in points:
        v = _safe(lambda args: gate.num(*args), p)
        if v != v or abs(v) == INF:
            return gate.range
        values.append(v)
    lo, hi = min(values), max(values)
    pad = (hi - lo) / 10 + 1e-9
    return (lo - pad, hi + pad)


def domain_of(gate: Gate, constants=()) -> list:
    """Per argument position, the open interval ``(lo, hi)`` random arguments go in, or None.

    Examples
    --------
    >>> domain_of(GATES["div"])
    [None, (0, inf)]
    >>> domain_of(GATES["pow"], (-2,)), domain_of(GATES["pow"], (3,))
    ([(0, inf), None], [None, None])
    """
    d = gate.domain
    if callable(d):
        d = d(*constants)
    k = gate.arity if gate.arity is not None else gate.min_arity
    if d is None:
        return [None] * k
    if gate.arity is None:
        return [d[0]] * k
    return list(d) + [None] * (k - len(d))


# --- growth of exact values -------------------------------------------------


def exact_bits(v) -> int:
    """Size in bits of an exact number (numerator plus denominator); 0 for others.

    Exact numbers are ints, Fractions and sympy rationals; a sympy expression
    counts its numeric coefficient (``3**100 * x`` has the bits of ``3**100``),
    which sympy multiplies out when the expression is raised to a power.

    Examples
    --------
    >>> exact_bits(255), exact_bits(Fraction(1, 3)), exact_bits(sympy.Integer(3) ** 100 * sympy.Symbol("x"))
    (8, 3, 159)
    >>> exact_bits(0.5)
    0
    """
    t = type(v)
    if t is int:
        return v.bit_length()
    if t is Fraction:
        return v.numerator.bit_length() + v.denominator.bit_length()
    if isinstance(v, sympy.Basic):
        if not v.is_Rational:
            if not v.is_Mul:
                return 0
            v = v.args[0]  # sympy keeps a Mul's numeric coefficient first
            if not v.is_Rational:
                return 0
        return int(v.p).bit_length() + (int(v.q).bit_length() if v.q != 1 else 0)
    return 0


def _product_growth(bits, *constants):
    # a product or quotient grows only when two or more of its arguments are exact
    return sum(bits) if sum(1 for b in bits if b) > 1 else 0


def _power_growth(bits, k=None):
    if k is None:  # a one-argument power of degree 2 (square)
        return 2 * bits[0]
    return (bits[0] - 1) * abs(int(k)) if bits[0] > 1 else 0


# --- partial rules ----------------------------------------------------------
# rule(b, args, out, i) -> None | (node | None, coeff); see module docstring.


def _d_add(b, args, out, i, weights=None):
    return (None, 1 if weights is None else weights[i])


def _d_mul(b, args, out, i):
    # constant factors (mul(2, u)) are the partial's scale, not nodes: a scaling, as a wire weight
    if len(args) == 2:
        v = args[1 - i]
        return (None, b.value(v)) if b.op(v) == "const" else (v, 1)
    others = args[:i] + args[i + 1:]
    scale, nodes = 1, []
    for v in others:
        if b.op(v) == "const":
            scale = scale * b.value(v)
        else:
            nodes.append(v)
    if not nodes:
        return (None, scale)
    return (nodes[0] if len(nodes) == 1 else b.gate("mul", *nodes), scale)


def _d_div(b, args, out, i):
    if i == 0:  # d(u/v)/du = 1/v; for a constant v the scale 1/v (div(u, 0.5) is 2·u)
        v = args[1]
        c = b.value(v) if b.op(v) == "const" else 0
        if c != 0:  # (u/0 keeps its gate, and its error where it is evaluated)
            return (None, Fraction(1, c) if isinstance(c, int) else 1 / c)
        return (b.gate("recip", v), 1)
    return (b.gate("div", out, args[1]), -1)  # d(u/v)/dv = -(u/v)/v


def _d_pow(b, args, out, i):
    if i == 1:  # the exponent is a constant source: no derivative flows there
        return None
    k = b.value(args[1])
    if k == 0:
        return None
    if k == 1:
        return (None, 1)
    if k == 2:
        return (args[0], 2)
    if k == 3:
        return (b.gate("square", args[0]), 3)
    return (b.gate("pow", args[0], b.const_node(k - 1)), k)


def _d_tanh(b, args, out, i):  # 1 - tanh(u)^2
    return (b.gate("add", b.const_node(1), b.gate("square", out), weights=(1, -1)), 1)


def _d_sigmoid(b, args, out, i):  # σ(u)(1 - σ(u))
    one_minus = b.gate("add", b.const_node(1), out, weights=(1, -1))
    return (b.gate("mul", out, one_minus), 1)


def _d_atan2(b, args, out, i):  # ∂/∂u = v/(u² + v²), ∂/∂v = -u/(u² + v²)
    r2 = b.gate("add", b.gate("square", args[0]), b.gate("square", args[1]))
    return (b.gate("div", args[1 - i], r2), 1 if i == 0 else -1)


def _inv_sqrt_one_minus_square(b, u):  # 1/√(1 - u²), asin's and acos's partial
    return b.gate("recip", b.gate("sqrt", b.gate("add", b.const_node(1), b.gate("square", u), weights=(1, -1))))


def _even_interval(f, iv):  # an even function increasing in |u| (cosh)
    lo, hi = iv
    low = 0.0 if lo <= 0 <= hi else min(abs(lo), abs(hi))
    return (_safe(f, low), _safe(f, max(abs(lo), abs(hi))))


def _d_powr(b, args, out, i):  # ∂/∂u = v·out/u, ∂/∂v = out·log u
    if i == 0:
        return (b.gate("mul", args[1], b.gate("div", out, args[0])), 1)
    return (b.gate("mul", out, b.gate("log", args[0])), 1)


def _iv_powr(ivs):  # exp(v·log u), monotone in each factor
    (lo, hi), v = ivs
    log_iv = (_safe(math.log, lo) if lo > 0 else -INF, _safe(math.log, hi) if hi > 0 else -INF)
    p = _mul_iv(log_iv, v)
    return (_safe(math.exp, p[0]) if p[0] > -INF else 0.0, _safe(math.exp, p[1]) if p[1] > -INF else 0.0)


def _pow_wire(u, k):
    return u ** k


def _pow_domain(k):
    return ((0, INF), None) if k < 0 else None


_POSITIVE = ((0, INF),)

_GATE_LIST = [
    Gate("add", None, "+", num=_sum, partial=_d_add, formula=_formula_sum,
         exact=True, commutative=True, weighted=True, linear=True, function=False,
         source=_sum_source, interval=_iv_sum, sympy=(sympy.Add,), monoid=SUM, commutes_exactly=True,
         doc="sum of the weighted arguments: Σ w_i·u_i"),
    Gate("mul", None, "×", num=_product, partial=_d_mul, formula=lambda m, *a: _product(*a),
         exact=True, commutative=True, min_arity=2, source=_product_source, function=False, interaction="cross",
         interval=_iv_product, sympy=(sympy.Mul,), monoid=PRODUCT, commutes_exactly=True,
         growth=_product_growth, identities={"inverse": "recip", "quotient": "div"},
         doc="product of the arguments (∇(uvw) = (vw, wu, uv))"),
    Gate("div", 2, "÷", num=lambda u, v: u / v, partial=_d_div, exact=True, function=False,
         formula=lambda m, u, v: u / v, source=lambda u, v: f"{u} / {v}",
         domain=(None, (0, INF)), arg_names=("num", "den"), interaction=((0, 1), (1, 1)),
         growth=_product_growth, identities={"inverse": "recip"},
         interval=lambda ivs: _mul_iv(ivs[0], _iv_recip(ivs[1])), doc="u / v"),
    Gate("recip", 1, "1/x", num=lambda u: 1 / u, formula=lambda m, u: 1 / u,
         partial=lambda b, a, out, i: (b.gate("square", out), -1), exact=True,
         source=lambda u: f"1 / {u}", domain=_POSITIVE,
         interval=lambda ivs: _iv_recip(ivs[0]), doc="1 / u"),
    Gate("square", 1, "x²", num=lambda u: u * u, formula=lambda m, u: m.ipow(u, 2),
         partial=lambda b, a, out, i: (a[0], 2), exact=True, range=(0, INF),
         source=lambda u: f"{u} * {u}", interval=lambda ivs: _iv_even_power(ivs[0], 2), doc="u²",
         degree=2, growth=_power_growth, homogeneous=True, identities={"product": "mul"}),
    Gate("pow", 2, "xⁿ", num=lambda u, k: u ** k, partial=_d_pow, exact=True,
         formula=lambda m, u, k: m.ipow(u, int(k)),
         source=lambda u, k: f"{u} ** {k}", constant_args=(1,), wire=_pow_wire,
         domain=_pow_domain, constants=(3, 4, -2), interval=_iv_pow,
         interaction=lambda k: "none" if k in (0, 1) else ((0, 0),),
         arg_names=("base", "exp"), degree=lambda k: abs(int(k)), growth=_power_growth, homogeneous=True,
         powers={2: "square", -1: "recip"},
         doc=f"u ** k for an integer constant k, |k| ≤ {MAX_EXPONENT}"),
    Gate("exp", 1, "exp", num=math.exp, numpy="exp", sym=sympy.exp, formula=lambda m, u: m.exp(u),
         partial=lambda b, a, out, i: (out, 1), range=(0, INF),
         interval=_monotone(math.exp), doc="e ** u"),
    Gate("log", 1, "log", num=math.log, numpy="log", sym=sympy.log, formula=lambda m, u: m.log(u),
         partial=lambda b, a, out, i: (b.gate("recip", a[0]), 1), domain=_POSITIVE,
         interval=_monotone(lambda u: math.log(u) if u > 0 else -INF),
         doc="natural logarithm, u > 0"),
    Gate("sqrt", 1, "√", num=math.sqrt, numpy="sqrt", sym=sympy.sqrt, formula=lambda m, u: m.sqrt(u),
         partial=lambda b, a, out, i: (b.gate("recip", out), Fraction(1, 2)), domain=_POSITIVE,
         range=(0, INF), interval=_monotone(lambda u: math.sqrt(max(u, 0.0))),
         doc="square root, u ≥ 0"),
    Gate("sin", 1, "sin", num=math.sin, numpy="sin", sym=sympy.sin, formula=lambda m, u: m.sin(u),
         partial=lambda b, a, out, i: (b.gate("cos", a[0]), 1), range=(-1.0, 1.0),
         interval=lambda ivs: (-1.0, 1.0), doc="sine"),
    Gate("cos", 1, "cos", num=math.cos, numpy="cos", sym=sympy.cos, formula=lambda m, u: m.cos(u),
         partial=lambda b, a, out, i: (b.gate("sin", a[0]), -1), range=(-1.0, 1.0),
         interval=lambda ivs: (-1.0, 1.0), doc="cosine"),
    Gate("tanh", 1, "tanh", num=math.tanh, numpy="tanh", sym=sympy.tanh,
         formula=lambda m, u: m.tanh(u), partial=_d_tanh, range=(-1.0, 1.0),
         interval=_monotone(math.tanh), doc="hyperbolic tangent"),
    Gate("sigmoid", 1, "σ", num=_sigmoid, vec=_np_sigmoid,
         formula=lambda m, u: 1 / (1 + m.exp(-u)), partial=_d_sigmoid, range=(0.0, 1.0),
         interval=_monotone(lambda u: _sigmoid(u) if abs(u) < INF else float(u > 0)),
         doc="logistic function 1 / (1 + e^-u)"),
    Gate("atan", 1, "atan", num=math.atan, numpy="arctan", sym=sympy.atan, formula=lambda m, u: m.atan(u),
         partial=lambda b, a, out, i: (b.gate("recip", b.gate("add", b.const_node(1), b.gate("square", a[0]))), 1),
         aliases=("arctan",), range=(-math.pi / 2, math.pi / 2), interval=_monotone(math.atan),
         doc="arc tangent, in (-π/2, π/2); partial 1 / (1 + u²)"),
    Gate("tan", 1, "tan", num=math.tan, numpy="tan", sym=sympy.tan, formula=lambda m, u: m.tan(u),
         partial=lambda b, a, out, i: (b.gate("add", b.const_node(1), b.gate("square", out)), 1),
         domain=((-math.pi / 2, math.pi / 2),),
         interval=lambda ivs: _monotone(math.tan)(ivs) if -math.pi / 2 < ivs[0][0] <= ivs[0][1] < math.pi / 2
         else (-INF, INF),
         doc="tangent; random arguments stay in (-π/2, π/2); partial 1 + tan(u)²"),
    Gate("sign", 1, "sgn", num=_sign, numpy="sign", sym=sympy.sign, formula=lambda m, u: m.sign(u),
         partial=lambda b, a, out, i: None, exact=True, range=(-1, 1), interaction="none",
         interval=lambda ivs: (float(_sign(ivs[0][0])), float(_sign(ivs[0][1]))), kink=lambda u: u, selects=True,
         doc="sign: 1 for u > 0, -1 for u < 0, 0 at 0 (derivative of abs)"),
    Gate("abs", 1, "|x|", num=abs, numpy="abs", sym=sympy.Abs, formula=lambda m, u: m.abs(u),
         partial=lambda b, a, out, i: (b.gate("sign", a[0]), 1), exact=True, range=(0, INF), interaction="none",
         aliases=("fabs", "absolute"),
         interval=lambda ivs: (0.0 if ivs[0][0] <= 0 <= ivs[0][1] else min(map(abs, ivs[0])),
                               max(map(abs, ivs[0]))), kink=lambda u: u, selects=True,
         doc="absolute value |u|; partial sign(u)"),
    Gate("relu", 1, "relu", num=_relu, vec=_np_relu,
         formula=lambda m, u: m.max(u, 0), sym=lambda u: sympy.Max(0, u), exact=True,
         partial=lambda b, a, out, i: (b.gate("step", a[0]), 1), range=(0, INF), interaction="none",
         sympy=(sympy.Max,),
         from_sympy=lambda e: ((e.args[1] if e.args[0] == 0 else e.args[0]),)
         if len(e.args) == 2 and sympy.S.Zero in e.args else None,
         interval=_monotone(lambda u: max(u, 0.0)), kink=lambda u: u, selects=True,
         doc="max(0, u)"),
    Gate("step", 1, "step", num=_step, formula=lambda m, u: m.step(u),
         sym=lambda u: sympy.Heaviside(u, 0), exact=True, range=(0.0, 1.0),
         partial=lambda b, a, out, i: None, sympy=(sympy.Heaviside,), interaction="none",
         from_sympy=lambda e: (e.args[0],) if len(e.args) == 2 and e.args[1] == 0 else None,
         interval=lambda ivs: (0.0, 1.0), kink=lambda u: u, selects=True,
         doc="Heaviside step, 1 for u > 0 else 0 (derivative of relu)"),
    Gate("max", 2, "max", num=_max, vec=_np_max, sym=sympy.Max, formula=lambda m, u, v: m.max(u, v),
         partial=lambda b, a, out, i: (b.gate("step", b.gate("add", a[i], a[1 - i], weights=(1, -1))), 1),
         exact=True, commutative=True, commutes_exactly=True, kink=lambda u, v: u - v, interaction="none",
         selects=True,
         from_sympy=lambda e: (e.args[0], sympy.Max(*e.args[1:])) if len(e.args) >= 2 else None,
         interval=lambda ivs: (max(ivs[0][0], ivs[1][0]), max(ivs[0][1], ivs[1][1])),
         doc="larger of two arguments (nan if either is nan, max(-0.0, 0.0) = 0.0); partials "
             "step(u - v) and step(v - u), both 0 at a tie (a kink, like relu's at 0)"),
    Gate("min", 2, "min", num=_min, vec=_np_min, sym=sympy.Min, formula=lambda m, u, v: m.min(u, v),
         partial=lambda b, a, out, i: (b.gate("step", b.gate("add", a[1 - i], a[i], weights=(1, -1))), 1),
         exact=True, commutative=True, commutes_exactly=True, kink=lambda u, v: u - v, interaction="none",
         selects=True,
         from_sympy=lambda e: (e.args[0], sympy.Min(*e.args[1:])) if len(e.args) >= 2 else None,
         interval=lambda ivs: (min(ivs[0][0], ivs[1][0]), min(ivs[0][1], ivs[1][1])),
         doc="smaller of two arguments (nan if either is nan, min(-0.0, 0.0) = -0.0); partials "
             "step(v - u) and step(u - v), both 0 at a tie"),
    # issue 27: twelve more gates, each declared once (partials from registered gates only).  Their
    # algebra (issue 21): none folds a monoid, none is exact (so no growth, degree or selection of an
    # argument to declare), none moves constant factors out (hypot's |c| is not a power of c, powr's
    # c**v not a constant one), no identities or special powers; hypot commutes exactly, nan and
    # signed zeros included, so simplify may sort its arguments.
    Gate("atan2", 2, "atan2", num=math.atan2, numpy="arctan2", sym=sympy.atan2,
         formula=lambda m, u, v: m.atan2(u, v), partial=_d_atan2, aliases=("arctan2",),
         range=(-math.pi, math.pi), interval=lambda ivs: (-math.pi, math.pi),
         kink=lambda u, v: abs(u) + abs(v), arg_names=("y", "x"),
         doc="angle of the point (x, y) = (v, u), in (-π, π]; partials v/(u²+v²) and -u/(u²+v²)"),
    Gate("sinh", 1, "sinh", num=math.sinh, numpy="sinh", sym=sympy.sinh, formula=lambda m, u: m.sinh(u),
         partial=lambda b, a, out, i: (b.gate("cosh", a[0]), 1), interval=_monotone(math.sinh),
         doc="hyperbolic sine; partial cosh(u)"),
    Gate("cosh", 1, "cosh", num=math.cosh, numpy="cosh", sym=sympy.cosh, formula=lambda m, u: m.cosh(u),
         partial=lambda b, a, out, i: (b.gate("sinh", a[0]), 1), range=(1.0, INF),
         interval=lambda ivs: _even_interval(math.cosh, ivs[0]), doc="hyperbolic cosine; partial sinh(u)"),
    Gate("asin", 1, "asin", num=math.asin, numpy="arcsin", sym=sympy.asin, formula=lambda m, u: m.asin(u),
         partial=lambda b, a, out, i: (_inv_sqrt_one_minus_square(b, a[0]), 1), aliases=("arcsin",),
         domain=((-1, 1),), range=(-math.pi / 2, math.pi / 2), interval=_monotone(math.asin),
         doc="arc sine, -1 < u < 1; partial 1/√(1 - u²)"),
    Gate("acos", 1, "acos", num=math.acos, numpy="arccos", sym=sympy.acos, formula=lambda m, u: m.acos(u),
         partial=lambda b, a, out, i: (_inv_sqrt_one_minus_square(b, a[0]), -1), aliases=("arccos",),
         domain=((-1, 1),), range=(0.0, math.pi),
         interval=lambda ivs: (_safe(math.acos, ivs[0][1]), _safe(math.acos, ivs[0][0])),
         doc="arc cosine, -1 < u < 1; partial -1/√(1 - u²)"),
    Gate("asinh", 1, "asinh", num=math.asinh, numpy="arcsinh", sym=sympy.asinh,
         formula=lambda m, u: m.asinh(u), aliases=("arcsinh",), interval=_monotone(math.asinh),
         partial=lambda b, a, out, i: (b.gate("recip", b.gate("sqrt", b.gate(
             "add", b.gate("square", a[0]), b.const_node(1)))), 1),
         doc="inverse hyperbolic sine; partial 1/√(u² + 1)"),
    Gate("acosh", 1, "acosh", num=math.acosh, numpy="arccosh", sym=sympy.acosh,
         formula=lambda m, u: m.acosh(u), aliases=("arccosh",), domain=((1, INF),), range=(0.0, INF),
         interval=_monotone(math.acosh),
         partial=lambda b, a, out, i: (b.gate("recip", b.gate("sqrt", b.gate(
             "add", b.gate("square", a[0]), b.const_node(1), weights=(1, -1)))), 1),
         doc="inverse hyperbolic cosine, u > 1; partial 1/√(u² - 1)"),
    Gate("atanh", 1, "atanh", num=math.atanh, numpy="arctanh", sym=sympy.atanh,
         formula=lambda m, u: m.atanh(u), aliases=("arctanh",), domain=((-1, 1),),
         interval=_monotone(math.atanh),
         partial=lambda b, a, out, i: (b.gate("recip", b.gate(
             "add", b.const_node(1), b.gate("square", a[0]), weights=(1, -1))), 1),
         doc="inverse hyperbolic tangent, -1 < u < 1; partial 1/(1 - u²)"),
    Gate("erf", 1, "erf", num=math.erf, sym=sympy.erf, formula=lambda m, u: m.erf(u),
         range=(-1.0, 1.0), interval=_monotone(math.erf),
         partial=lambda b, a, out, i: (b.gate("exp", b.gate("add", b.gate("square", a[0]), weights=(-1,))),
                                       2 / math.sqrt(math.pi)),
         doc="error function 2/√π ∫₀ᵘ exp(-t²) dt; partial 2/√π · exp(-u²)"),
    Gate("log1p", 1, "log1p", num=math.log1p, numpy="log1p", sym=lambda u: sympy.log(1 + u),
         formula=lambda m, u: m.log1p(u), domain=((-1, INF),), interval=_monotone(math.log1p),
         partial=lambda b, a, out, i: (b.gate("recip", b.gate("add", b.const_node(1), a[0])), 1),
         doc="log(1 + u), accurate for small u, u > -1; partial 1/(1 + u)"),
    Gate("expm1", 1, "expm1", num=math.expm1, numpy="expm1", sym=lambda u: sympy.exp(u) - 1,
         formula=lambda m, u: m.expm1(u), range=(-1.0, INF), interval=_monotone(math.expm1),
         partial=lambda b, a, out, i: (b.gate("add", out, b.const_node(1)), 1),
         doc="exp(u) - 1, accurate for small u; partial exp(u) = expm1(u) + 1"),
    Gate("hypot", 2, "hypot", num=math.hypot, numpy="hypot", formula=lambda m, u, v: m.hypot(u, v),
         sym=lambda u, v: sympy.sqrt(u ** 2 + v ** 2), commutative=True, commutes_exactly=True, range=(0.0, INF),
         partial=lambda b, a, out, i: (b.gate("div", a[i], out), 1),
         interval=lambda ivs: (0.0, math.hypot(max(map(abs, ivs[0])), max(map(abs, ivs[1])))),
         kink=lambda u, v: abs(u) + abs(v),
         doc="√(u² + v²) without overflow; partials u/hypot and v/hypot"),
    Gate("powr", 2, "xʸ", num=lambda u, v: math.exp(v * math.log(u)), formula=lambda m, u, v: m.exp(v * m.log(u)),
         sym=lambda u, v: u ** v, partial=_d_powr, domain=((0, INF), None), range=(0.0, INF),
         interval=_iv_powr, arg_names=("base", "exp"),
         doc="u ** v = exp(v·log u) for a real exponent v and u > 0 (IEEE 754's powr, JAX's pow); "
             "partials v·u^v/u and u^v·log u"),
]

class UnregisteredGate(CircuitError, KeyError):
    """A gate looked up in the registry is not registered (it may have been unregistered).

    A :class:`CircuitError` (what users see) that is also a ``KeyError`` (what
    ``GATES[name]`` raises for a missing key), so code that asks the registry
    with ``try: GATES[op] except KeyError`` keeps working.
    """

    def __str__(self):
        return str(self.args[0]) if self.args else ""


UnregisteredGate.__module__ = "circuits"


class Registry(dict[str, "Gate"]):
    """The registry's dict: safe to read while another thread registers a gate.

    Iterating it, or its ``keys()``, ``values()``, ``items()``, walks a copy
    taken at once (a copy of a dict of strings runs without other Python
    threads in between), so a reader never meets "dictionary changed size
    during iteration".  ``version`` changes with every change, so that a
    compiled circuit notices a gate that was unregistered or replaced.  Looking up
    a missing gate (``GATES["twice"]``) raises :class:`UnregisteredGate`, a
    :class:`CircuitError` naming it, so every use of a circuit whose gate was
    unregistered fails with that one error.
    Change it through :func:`circuits.register_gate` and
    :func:`circuits.unregister_gate`.
    """

    version = 0

    def __missing__(self, key):
        raise UnregisteredGate(f"gate {key!r} is not registered: a circuit that uses it cannot be evaluated, "
                               f"transformed, drawn or saved (was it unregistered with unregister_gate({key!r})?); "
                               "register it with circuits.register_gate(...) first")

    def _changed(self):
        self.version += 1

    def _snapshot(self) -> dict:
        return dict(dict.items(self))  # built in C from the live view: no other thread runs meanwhile

    def __iter__(self):
        return iter(self._snapshot())

    def keys(self):
        return self._snapshot().keys()

    def values(self):
        return self._snapshot().values()

    def items(self):
        return self._snapshot().items()

    def copy(self):
        return self._snapshot()

    def __setitem__(self, key, value):
        dict.__setitem__(self, key, value)
        self._changed()

    def __delitem__(self, key):
        dict.__delitem__(self, key)
        self._changed()

    def pop(self, *args):
        try:
            return dict.pop(self, *args)
        finally:
            self._changed()

    def popitem(self):
        try:
            return dict.popitem(self)
        finally:
            self._changed()

    def setdefault(self, key, default=None):
        try:
            return dict.setdefault(self, key, default)
        finally:
            self._changed()

    def update(self, *args, **kwargs):
        try:
            dict.update(self, *args, **kwargs)
        finally:
            self._changed()

    def clear(self):
        dict.clear(self)
        self._changed()


#: The registry: gate name → :class:`Gate`.  Add to it with :func:`circuits.register_gate`.
GATES: Registry = Registry({g.name: g for g in _GATE_LIST})

#: Names of the built-in gates (those :func:`circuits.unregister_gate` refuses).
BUILTIN = frozenset(GATES)


def function_names() -> dict:
    """Every function name of the registry (names and aliases) → gate name.

    Examples
    --------
    >>> function_names()["exp"], "add" in function_names()
    ('exp', False)
    """
    table: dict = {}
    for name, gate in GATES.items():
        for alias in gate.names:
            table.setdefault(alias, name)
    return table


def gate_of_function(name: str) -> Optional[Gate]:
    """The gate called ``name`` (or aliased so) in formulas, or None."""
    gate = GATES.get(name)
    if gate is not None and gate.function:
        return gate
    for gate in GATES.values():
        if name in gate.aliases and gate.function:
            return gate
    return None
