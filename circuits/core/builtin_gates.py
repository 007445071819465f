"""The built-in gates' declarations (:data:`BUILTIN_GATES`) and the helpers they are written
with: numeric helpers, interval rules, growth estimates and partial-derivative rules.

:mod:`circuits.core.gates` registers them in :data:`circuits.core.gates.GATES`; its docstring
describes what a declaration holds and how a partial rule is called.

Examples
--------
>>> [g.name for g in BUILTIN_GATES][:4]
['add', 'mul', 'div', 'recip']
>>> interval_of(BUILTIN_GATES[0], [(0.0, 1.0), (2.0, 3.0)])
(2.0, 4.0)
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import reduce
from operator import mul as _mul

import numpy as np
import sympy

from .gate import (INF, MAX_EXPONENT, PRODUCT, SUM, Gate, maximum, minimum, np_maximum, np_minimum, sign,
                   step)

__all__ = ["BUILTIN_GATES", "interval_of", "domain_of"]


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


def _relu(u):  # see circuits.core.gate.step: relu(nan) = nan, relu(-inf) = relu(-0.0) = +0
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
    >>> from circuits.core.gates import GATES
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
    >>> from circuits.core.gates import GATES
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


def _extremum(name, num, vec, sym, larger, doc) -> Gate:
    """The gate ``max`` (``larger``) or ``min`` of two arguments: the two mirror each other.

    Parameters
    ----------
    name : str
        ``"max"`` or ``"min"``, also the name of the formula namespace's function.
    num, vec, sym : callable
        Its value on floats, on numpy arrays and in sympy (``sympy.Max`` or ``sympy.Min``).
    larger : bool
        True for ``max``: the partial on argument ``i`` is ``step(a_i - a_other)``; False for
        ``min``: ``step(a_other - a_i)``.
    doc : str
        The gate's description.

    Returns
    -------
    Gate
        Exact, commutative (nan and signed zeros included), selecting one of its arguments, with
        a kink where the two arguments meet.
    """
    pick = max if larger else min

    def partial(b, a, out, i):
        u, v = (a[i], a[1 - i]) if larger else (a[1 - i], a[i])
        return b.gate("step", b.gate("add", u, v, weights=(1, -1))), 1

    return Gate(name, 2, name, num=num, vec=vec, sym=sym, formula=lambda m, u, v: getattr(m, name)(u, v),
                partial=partial, exact=True, commutative=True, commutes_exactly=True, kink=lambda u, v: u - v,
                interaction="none", selects=True,
                from_sympy=lambda e: (e.args[0], sym(*e.args[1:])) if len(e.args) >= 2 else None,
                interval=lambda ivs: (pick(ivs[0][0], ivs[1][0]), pick(ivs[0][1], ivs[1][1])), doc=doc)


_POSITIVE = ((0, INF),)

#: The built-in gates, in registry order (:data:`circuits.core.gates.GATES` is built from it).
BUILTIN_GATES = [
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
    Gate("sign", 1, "sgn", num=sign, numpy="sign", sym=sympy.sign, formula=lambda m, u: m.sign(u),
         partial=lambda b, a, out, i: None, exact=True, range=(-1, 1), interaction="none",
         interval=lambda ivs: (float(sign(ivs[0][0])), float(sign(ivs[0][1]))), kink=lambda u: u, selects=True,
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
    Gate("step", 1, "step", num=step, formula=lambda m, u: m.step(u),
         sym=lambda u: sympy.Heaviside(u, 0), exact=True, range=(0.0, 1.0),
         partial=lambda b, a, out, i: None, sympy=(sympy.Heaviside,), interaction="none",
         from_sympy=lambda e: (e.args[0],) if len(e.args) == 2 and e.args[1] == 0 else None,
         interval=lambda ivs: (0.0, 1.0), kink=lambda u: u, selects=True,
         doc="Heaviside step, 1 for u > 0 else 0 (derivative of relu)"),
    _extremum("max", maximum, np_maximum, sympy.Max, True,
              "larger of two arguments (nan if either is nan, max(-0.0, 0.0) = 0.0); partials "
              "step(u - v) and step(v - u), both 0 at a tie (a kink, like relu's at 0)"),
    _extremum("min", minimum, np_minimum, sympy.Min, False,
              "smaller of two arguments (nan if either is nan, min(-0.0, 0.0) = -0.0); partials "
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
