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
``∂_{u_i}[g]`` (seed ``003_cb4127dae40e521c.txt``, formula (5)): the derivative of
the operation with respect to its i-th argument, expressed with gates of this
same registry, so that derivative circuits can be differentiated again.  A rule
is called as ``rule(b, args, out, i)`` where ``b`` is a :class:`circuits.Builder`,
``args`` the argument nodes, ``out`` the gate's own node (``exp``'s partial is
``exp`` itself) and ``i`` the argument position.  It returns

* ``None`` when the partial is structurally zero,
* ``(None, c)`` when it is the constant ``c``,
* ``(node, c)`` when it is ``c · node``.

Scaling by a constant is thus never a gate of its own: it becomes the weight of
a wire into a ``+`` gate, the "syntactic sugar" of seed 003's Figure 1.

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
from types import MappingProxyType
from dataclasses import dataclass, field
from fractions import Fraction
from functools import reduce
from operator import add as _add, mul as _mul
from typing import Any, Callable, NamedTuple, Optional

import numpy as np
import sympy

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

    ``exp log sqrt sin cos tan atan tanh abs sign max min step ipow``; ``step(u)``
    is 1 for ``u > 0`` else 0 and ``ipow(u, k)`` is ``u ** k`` for an integer
    ``k``.  The benchmark peers build their own (CasADi, JAX).
    """

    def __init__(self, name: str, **functions):
        self.name = name
        self.__dict__.update(functions)

    def __repr__(self):
        return f"<Namespace {self.name}>"


def _step(u):
    return u * 0 + (1 if u > 0 else 0)  # keeps u's type: a Fraction stays exact


def _sign(u):
    return u * 0 + ((u > 0) - (u < 0))


MATH = Namespace("math", exp=math.exp, log=math.log, sqrt=math.sqrt, sin=math.sin, cos=math.cos,
                 tan=math.tan, atan=math.atan, tanh=math.tanh, abs=builtins.abs, sign=_sign,
                 max=builtins.max, min=builtins.min, step=_step, ipow=lambda u, k: u ** k)
NUMPY = Namespace("numpy", exp=np.exp, log=np.log, sqrt=np.sqrt, sin=np.sin, cos=np.cos,
                  tan=np.tan, atan=np.arctan, tanh=np.tanh, abs=np.abs, sign=np.sign,
                  max=np.maximum, min=np.minimum,
                  step=lambda u: (np.asarray(u) > 0).astype(float), ipow=lambda u, k: u ** k)
SYMPY = Namespace("sympy", exp=sympy.exp, log=sympy.log, sqrt=sympy.sqrt, sin=sympy.sin,
                  cos=sympy.cos, tan=sympy.tan, atan=sympy.atan, tanh=sympy.tanh, abs=sympy.Abs,
                  sign=sympy.sign, max=sympy.Max, min=sympy.Min,
                  step=lambda u: sympy.Heaviside(u, 0), ipow=lambda u, k: u ** k)


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
    monoid : Monoid, optional
        For a variadic gate that folds its (weighted) arguments left to right
        with one associative operation: the kernels, JAX, sympy and simplify
        lower it from this, whatever its name.
    commutes_exactly : bool
        Argument order never changes the value, not even with nan (``x + y``;
        ``max`` is commutative but ``max(1, nan)`` is 1 and ``max(nan, 1)``
        nan): simplify may sort the arguments.
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

    name: str
    arity: Optional[int]
    label: str
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
    monoid: Optional[Monoid] = None
    commutes_exactly: bool = False
    degree: Any = 1
    growth: Optional[Callable[..., int]] = None
    selects: bool = False
    homogeneous: bool = False
    identities: Any = field(default_factory=dict)
    powers: Any = field(default_factory=dict)

    def __post_init__(self):
        set_ = object.__setattr__
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
    terms = [("-" if math.copysign(1, c) < 0 else "+", v if abs(c) == 1 else f"{const(abs(c))}*{v}")
             for v, c in zip(names, w)]  # -0.0 keeps its sign
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


def _relu(u):
    return u if u > 0 else u * 0


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
    """Size in bits of an exact int or Fraction (numerator plus denominator); 0 for others.

    Examples
    --------
    >>> exact_bits(255), exact_bits(Fraction(1, 3)), exact_bits(0.5)
    (8, 3, 0)
    """
    t = type(v)
    if t is int:
        return v.bit_length()
    if t is Fraction:
        return v.numerator.bit_length() + v.denominator.bit_length()
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
    if len(args) == 2:
        return (args[1 - i], 1)
    others = args[:i] + args[i + 1:]
    if len(others) == 1:
        return (others[0], 1)
    return (b.gate("mul", *others), 1)


def _d_div(b, args, out, i):
    if i == 0:  # d(u/v)/du = 1/v
        return (b.gate("recip", args[1]), 1)
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
         exact=True, commutative=True, min_arity=2, source=_product_source, function=False,
         interval=_iv_product, sympy=(sympy.Mul,), monoid=PRODUCT, commutes_exactly=True,
         growth=_product_growth, identities={"inverse": "recip", "quotient": "div"},
         doc="product of the arguments (seed 003: ∇(uvw) = (vw, wu, uv))"),
    Gate("div", 2, "÷", num=lambda u, v: u / v, partial=_d_div, exact=True, function=False,
         formula=lambda m, u, v: u / v, source=lambda u, v: f"{u} / {v}",
         domain=(None, (0, INF)), arg_names=("num", "den"), growth=_product_growth,
         identities={"inverse": "recip"},
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
         partial=lambda b, a, out, i: None, exact=True, range=(-1, 1),
         interval=lambda ivs: (float(_sign(ivs[0][0])), float(_sign(ivs[0][1]))), kink=lambda u: u, selects=True,
         doc="sign: 1 for u > 0, -1 for u < 0, 0 at 0 (derivative of abs)"),
    Gate("abs", 1, "|x|", num=abs, numpy="abs", sym=sympy.Abs, formula=lambda m, u: m.abs(u),
         partial=lambda b, a, out, i: (b.gate("sign", a[0]), 1), exact=True, range=(0, INF),
         aliases=("fabs", "absolute"),
         interval=lambda ivs: (0.0 if ivs[0][0] <= 0 <= ivs[0][1] else min(map(abs, ivs[0])),
                               max(map(abs, ivs[0]))), kink=lambda u: u, selects=True,
         doc="absolute value |u|; partial sign(u)"),
    Gate("relu", 1, "relu", num=_relu, vec=lambda u: np.maximum(u, 0.0),
         formula=lambda m, u: m.max(u, 0), sym=lambda u: sympy.Max(0, u), exact=True,
         partial=lambda b, a, out, i: (b.gate("step", a[0]), 1), range=(0, INF),
         sympy=(sympy.Max,),
         from_sympy=lambda e: ((e.args[1] if e.args[0] == 0 else e.args[0]),)
         if len(e.args) == 2 and sympy.S.Zero in e.args else None,
         interval=_monotone(lambda u: max(u, 0.0)), kink=lambda u: u, selects=True,
         doc="max(0, u)"),
    Gate("step", 1, "step", num=_step, formula=lambda m, u: m.step(u),
         sym=lambda u: sympy.Heaviside(u, 0), exact=True, range=(0.0, 1.0),
         partial=lambda b, a, out, i: None, sympy=(sympy.Heaviside,),
         from_sympy=lambda e: (e.args[0],) if len(e.args) == 2 and e.args[1] == 0 else None,
         interval=lambda ivs: (0.0, 1.0), kink=lambda u: u, selects=True,
         doc="Heaviside step, 1 for u > 0 else 0 (derivative of relu)"),
    Gate("max", 2, "max", num=max, numpy="maximum", sym=sympy.Max, formula=lambda m, u, v: m.max(u, v),
         partial=lambda b, a, out, i: (b.gate("step", b.gate("add", a[i], a[1 - i], weights=(1, -1))), 1),
         exact=True, commutative=True, kink=lambda u, v: u - v, selects=True,
         from_sympy=lambda e: (e.args[0], sympy.Max(*e.args[1:])) if len(e.args) >= 2 else None,
         interval=lambda ivs: (max(ivs[0][0], ivs[1][0]), max(ivs[0][1], ivs[1][1])),
         doc="larger of two arguments; partials step(u - v) and step(v - u), both 0 at a tie "
             "(a kink, like relu's at 0)"),
    Gate("min", 2, "min", num=min, numpy="minimum", sym=sympy.Min, formula=lambda m, u, v: m.min(u, v),
         partial=lambda b, a, out, i: (b.gate("step", b.gate("add", a[1 - i], a[i], weights=(1, -1))), 1),
         exact=True, commutative=True, kink=lambda u, v: u - v, selects=True,
         from_sympy=lambda e: (e.args[0], sympy.Min(*e.args[1:])) if len(e.args) >= 2 else None,
         interval=lambda ivs: (min(ivs[0][0], ivs[1][0]), min(ivs[0][1], ivs[1][1])),
         doc="smaller of two arguments; partials step(v - u) and step(u - v), both 0 at a tie"),
]

#: The registry: gate name → :class:`Gate`.  Add to it with :func:`circuits.register_gate`.
GATES: dict[str, Gate] = {g.name: g for g in _GATE_LIST}

#: Names of the built-in gates (those :func:`circuits.unregister_gate` refuses).
BUILTIN = frozenset(GATES)


def function_names() -> dict:
    """Every function name of the registry (names and aliases) → gate name.

    Examples
    --------
    >>> function_names()["exp"], "add" in function_names()
    ('exp', False)
    """
    table = {}
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
