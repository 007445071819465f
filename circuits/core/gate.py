"""One gate's declaration: :class:`Gate`, the :class:`Monoid` of a variadic gate and the
:class:`Namespace` of elementary functions a gate's ``formula`` is written against.

The registry of declared gates is :mod:`circuits.core.gates` (whose docstring describes what a
declaration holds and how partial rules are called); the built-in declarations are in
:mod:`circuits.core.builtin_gates`.

Examples
--------
>>> Monoid(0, "+", lambda total, term: total + term).identity
0
>>> MATH.step(2.0), MATH.max(-0.0, 0.0)
(1.0, 0.0)
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Mapping
from types import MappingProxyType
from dataclasses import dataclass, field
from fractions import Fraction
from operator import add as _add, mul as _mul
from typing import Any, Callable, NamedTuple, Optional

import numpy as np
import sympy

from .errors import CircuitError

__all__ = ["Gate", "Monoid", "SUM", "PRODUCT", "MAX_EXPONENT", "INF", "Namespace", "MATH", "NUMPY", "SYMPY",
           "exact_bits", "step", "sign", "maximum", "minimum", "np_maximum", "np_minimum"]

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


def step(u):
    """The step gate on a number: 1 for ``u > 0``, else 0 (see above for nan, ±inf and zeros)."""
    if u != u:
        return u
    zero = u * 0 + 0 if u - u == 0 else 0.0  # u * 0 is nan at ±inf
    return zero + 1 if u > 0 else zero


def sign(u):
    """The sign gate on a number: 1, -1 or 0 (see above for nan, ±inf and zeros)."""
    if u != u:
        return u
    zero = u * 0 + 0 if u - u == 0 else 0.0
    return zero + 1 if u > 0 else zero - 1 if u < 0 else zero


def maximum(u, v):
    """The max gate on numbers: IEEE 754-2019's maximum (see above)."""
    if u != u:
        return u
    if v != v:
        return v
    if u == v and u == 0:
        return u if math.copysign(1.0, u) > 0 else v
    return v if v > u else u


def minimum(u, v):
    """The min gate on numbers: IEEE 754-2019's minimum (see above)."""
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


def np_maximum(u, v):
    """:func:`maximum` on numpy arrays."""
    u, v = np.asarray(u, dtype=float), np.asarray(v, dtype=float)
    return np.where((u == 0) & (v == 0), u + v, np.maximum(u, v))  # +0 if either zero is +0


def np_minimum(u, v):
    """:func:`minimum` on numpy arrays."""
    u, v = np.asarray(u, dtype=float), np.asarray(v, dtype=float)
    return np.where((u == 0) & (v == 0), -(-u - v), np.minimum(u, v))  # -0 if either zero is -0


MATH = Namespace("math", exp=math.exp, log=math.log, sqrt=math.sqrt, sin=math.sin, cos=math.cos,
                 tan=math.tan, atan=math.atan, tanh=math.tanh, abs=builtins.abs, sign=sign,
                 max=maximum, min=minimum, step=step, ipow=lambda u, k: u ** k)
NUMPY = Namespace("numpy", exp=np.exp, log=np.log, sqrt=np.sqrt, sin=np.sin, cos=np.cos,
                  tan=np.tan, atan=np.arctan, tanh=np.tanh, abs=np.abs, sign=np.sign,
                  max=np_maximum, min=np_minimum, step=_np_step, ipow=lambda u, k: u ** k)
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
    >>> from circuits.core.gates import GATES
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
        >>> from circuits.core.gates import GATES
        >>> GATES["square"].degree_of(), GATES["pow"].degree_of((-3,)), GATES["sin"].degree_of()
        (2, 3, 1)
        """
        return self.degree(*constants) if callable(self.degree) else self.degree

    def result_bits(self, values) -> int:
        """Estimated bits of the exact result on argument ``values`` (0 when it does not grow).

        Examples
        --------
        >>> from circuits.core.gates import GATES
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
        >>> from circuits.core.gates import GATES
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
