"""The gate registry: every operation a circuit can use, declared once.

Each :class:`Gate` holds everything a pass needs to know about one operation:
its arity, its display label, how to evaluate it on Python numbers (floats and,
where the operation is rational, exact ``fractions.Fraction``), on numpy arrays
and on sympy expressions, and its *partial-derivative rule*.

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

Examples
--------
>>> from circuits.gates import GATES
>>> GATES["mul"].arity is None, GATES["sin"].arity
(True, 1)
>>> GATES["sigmoid"].num(0.0)
0.5
>>> sorted(GATES)[:5]
['add', 'cos', 'div', 'exp', 'log']
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from functools import reduce
from operator import mul as _mul
from typing import Any, Callable, Optional

import numpy as np
import sympy

__all__ = ["Gate", "GATES", "SOURCES", "MAX_EXPONENT", "partial_gate_cost"]

#: Node kinds that are not gates.
SOURCES = ("input", "const")

#: Largest ``|k|`` allowed for the integer exponent of a ``pow`` gate, so that
#: exact evaluation of ``x**k`` can neither hang nor exhaust memory.
MAX_EXPONENT = 1 << 16


@dataclass(frozen=True)
class Gate:
    """Declaration of one gate operation.

    Parameters
    ----------
    name : str
        Registry key, stored as the ``op`` attribute of the node.
    arity : int or None
        Number of arguments, or ``None`` for a variadic gate taking at least
        ``min_arity`` arguments.
    label : str
        Symbol drawn inside the node (``+``, ``×``, ``exp``, ``σ``, ...).
    num : callable
        Evaluation on Python numbers; also used for numpy arrays and sympy
        expressions unless ``vec``/``sym`` are given.
    partial : callable
        The partial-derivative rule described in the module docstring.
    vec, sym : callable, optional
        Evaluation on numpy arrays and on sympy expressions.
    exact : bool
        True when ``num`` maps Fractions to Fractions (rational operations).
    commutative : bool
        True when argument order does not matter (used by CSE).
    weighted : bool
        True when the wires into the gate carry a ``weight`` (only ``add``).
    source : callable, optional
        ``source(*argument_expressions) -> str``: Python source of the gate for
        :func:`circuits.compile`; by default a call of the gate's function.
    min_arity : int
        Smallest arity of a variadic gate.
    doc : str
        One line shown in documentation and errors.
    """

    name: str
    arity: Optional[int]
    label: str
    num: Callable[..., Any]
    partial: Callable[..., Any]
    vec: Optional[Callable[..., Any]] = None
    sym: Optional[Callable[..., Any]] = None
    exact: bool = False
    commutative: bool = False
    weighted: bool = False
    source: Optional[Callable[..., str]] = None
    min_arity: int = 1
    doc: str = ""
    constant_args: tuple = field(default=())

    def accepts(self, k: int) -> bool:
        """Whether the gate takes ``k`` arguments."""
        return k == self.arity if self.arity is not None else k >= self.min_arity

    def arity_text(self) -> str:
        """Human description of the arity, for error messages."""
        if self.arity is not None:
            return f"exactly {self.arity} argument{'s' if self.arity != 1 else ''}"
        return f"at least {self.min_arity} argument{'s' if self.min_arity != 1 else ''}"


# --- numeric helpers -------------------------------------------------------


def _product(*values):
    return reduce(_mul, values)


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


def _step(u):
    return u * 0 + (1 if u > 0 else 0)  # keeps u's type: a Fraction stays exact


def _pow(u, k):
    return u ** k


# --- partial rules ----------------------------------------------------------
# rule(b, args, out, i) -> None | (node | None, coeff); see module docstring.


def _d_add(b, args, out, i):  # the wire weight is applied by the transforms
    return (None, 1)


def _d_mul(b, args, out, i):
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


_GATE_LIST = [
    Gate("add", None, "+", num=lambda *a: sum(a[1:], a[0]), partial=_d_add,
         exact=True, commutative=True, weighted=True,
         source=lambda *a: " + ".join(a),
         doc="sum of the weighted arguments: Σ w_i·u_i"),
    Gate("mul", None, "×", num=_product, partial=_d_mul, exact=True,
         commutative=True, min_arity=2, source=lambda *a: " * ".join(a),
         doc="product of the arguments (seed 003: ∇(uvw) = (vw, wu, uv))"),
    Gate("div", 2, "÷", num=lambda u, v: u / v, partial=_d_div, exact=True,
         source=lambda u, v: f"{u} / {v}", doc="u / v"),
    Gate("recip", 1, "1/x", num=lambda u: 1 / u,
         partial=lambda b, a, out, i: (b.gate("square", out), -1), exact=True,
         source=lambda u: f"1 / {u}", doc="1 / u"),
    Gate("square", 1, "x²", num=lambda u: u * u,
         partial=lambda b, a, out, i: (a[0], 2), exact=True,
         source=lambda u: f"{u} * {u}", doc="u²"),
    Gate("pow", 2, "xⁿ", num=_pow, partial=_d_pow, exact=True,
         source=lambda u, k: f"{u} ** {k}", constant_args=(1,),
         doc=f"u ** k for an integer constant k, |k| ≤ {MAX_EXPONENT}"),
    Gate("exp", 1, "exp", num=math.exp, vec=np.exp, sym=sympy.exp,
         partial=lambda b, a, out, i: (out, 1), doc="e ** u"),
    Gate("log", 1, "log", num=math.log, vec=np.log, sym=sympy.log,
         partial=lambda b, a, out, i: (b.gate("recip", a[0]), 1),
         doc="natural logarithm, u > 0"),
    Gate("sqrt", 1, "√", num=math.sqrt, vec=np.sqrt, sym=sympy.sqrt,
         partial=lambda b, a, out, i: (b.gate("recip", out), Fraction(1, 2)),
         doc="square root, u ≥ 0"),
    Gate("sin", 1, "sin", num=math.sin, vec=np.sin, sym=sympy.sin,
         partial=lambda b, a, out, i: (b.gate("cos", a[0]), 1), doc="sine"),
    Gate("cos", 1, "cos", num=math.cos, vec=np.cos, sym=sympy.cos,
         partial=lambda b, a, out, i: (b.gate("sin", a[0]), -1), doc="cosine"),
    Gate("tanh", 1, "tanh", num=math.tanh, vec=np.tanh, sym=sympy.tanh,
         partial=_d_tanh, doc="hyperbolic tangent"),
    Gate("sigmoid", 1, "σ", num=_sigmoid, vec=_np_sigmoid,
         sym=lambda u: 1 / (1 + sympy.exp(-u)), partial=_d_sigmoid,
         doc="logistic function 1 / (1 + e^-u)"),
    Gate("relu", 1, "relu", num=_relu, vec=lambda u: np.maximum(u, 0.0),
         sym=lambda u: sympy.Max(0, u), exact=True,
         partial=lambda b, a, out, i: (b.gate("step", a[0]), 1),
         doc="max(0, u)"),
    Gate("step", 1, "step", num=_step,
         vec=lambda u: (np.asarray(u) > 0).astype(float),
         sym=lambda u: sympy.Heaviside(u, 0), exact=True,
         partial=lambda b, a, out, i: None,
         doc="Heaviside step, 1 for u > 0 else 0 (derivative of relu)"),
]

#: The registry: gate name → :class:`Gate`.
GATES: dict[str, Gate] = {g.name: g for g in _GATE_LIST}


def partial_gate_cost(op: str, arity: int, i: int, exponent: int = 2) -> int:
    """Number of new gates the partial rule of ``op`` emits for argument ``i``.

    This is the per-wire constant that Theorem 3 of seed 003 leaves implicit
    for gates other than + and ×: it is measured by running the rule on a
    scratch builder, never declared by hand.

    Examples
    --------
    >>> partial_gate_cost("mul", 2, 0), partial_gate_cost("mul", 3, 0)
    (0, 1)
    >>> partial_gate_cost("sigmoid", 1, 0)
    2
    """
    from .builder import Builder

    b = Builder()
    args = [b.input_node(f"u{j}") for j in range(arity)]
    if op == "pow":
        args[1] = b.const_node(exponent)
    out = b.gate(op, *args)
    before = b.num_gates
    GATES[op].partial(b, tuple(args), out, i)
    return b.num_gates - before
