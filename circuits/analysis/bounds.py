"""The complexity claims of automatic differentiation, stated and checked on a given circuit.

Each check returns a :class:`BoundCheck` that says the bound, the measured
value and whether the claim holds, and has an ``assert_...`` twin that raises
``AssertionError`` with the numbers, for use in pytest suites.

* :func:`theorem3` — the backpropagation size bound (the cheap gradient
  principle, Baur & Strassen 1983): backpropagation adds at most ``3·wires + nodes`` gates to a circuit of +
  and × gates.  Formula (6) makes each wire ``(u, g)`` cost the gates of the
  partial ``∂_u[g]``, one multiplication and at most one addition, and each
  node at most one more gate.  For gates other than + and × the partial's
  cost is read off the registry (:func:`circuits.core.gates.partial_gate_cost`), so
  the bound checked is ``Σ_wires (partial cost + 2) + nodes``, which is at
  most ``3w + nodes`` when every partial costs at most one gate, as for +
  and ×.
* :func:`forward_size` — forward propagation's ``Θ(n·(s + w))``
  (Griewank & Walther 2008): each of the ``n`` partials of a gate costs one gate per wire
  and one to add them up, plus the partials ``∂_u[g]`` once, plus the
  original ``s`` gates: ``s + Σ partial costs + n·(s + w)``.  The measured
  constant ``size / (n·(s + w))`` is reported.
* :func:`cheap_gradient` — "all for the price of one" (Baur & Strassen 1983):
  ``cost(f and ∇f) / cost(f)`` is at most a constant, 5 in Kakade's statement.
* :func:`vector_bound` — the vector bound (Griewank & Walther 2008):
  ``T(g, ∇g) ≤ C·γ·(m ∧ d)·T(g)`` for ``m`` outputs and ``d`` inputs, with
  ``γ = 1`` (every registry gate has one output) and ``C`` the backpropagation
  constant of the circuit, ``1 + (Σ_wires (partial cost + 2) + nodes) / s``.

Examples
--------
>>> import circuits
>>> from circuits import bounds
>>> from circuits.library import backprop_example
>>> y = backprop_example()      # the worked example y = (x1 + x2 + x1·x2)(x1 + x2)
>>> y.size, y.wires, len(y)
(4, 8, 6)
>>> r = bounds.theorem3(y)
>>> bool(r), r.bound, r.details["notes_bound"]
(True, 22, 30)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

from ..core import display
from .counts import cost
from ..core.checks import check_count, check_real
from ..core.circuit import Circuit, check_circuit, select_outputs
from ..core.errors import CircuitError, listing
from ..core.gates import GATES
from ..core.registry import partial_gate_cost
from ..ad import backward, forward, jacobian, jvp
from ..ad.common import dname
from ..ad.symmetric_colouring import hessian_colouring, sparse_hessian
from ..ad.hessian_pattern import lower_entries

__all__ = ["BoundCheck", "partial_costs", "forward_bound", "backward_bound", "directional_bound",
           "theorem3", "forward_size", "cheap_gradient", "vector_bound", "sparse_hessian_size",
           "assert_theorem3", "assert_forward_size", "assert_cheap_gradient", "assert_vector_bound"]

REF_BACKPROP = "Baur & Strassen 1983"
REF_FORWARD = "Griewank & Walther 2008"
REF_HVP = "Pearlmutter 1994"


@dataclass(frozen=True)
class BoundCheck:
    """Result of checking one complexity claim on one circuit.

    Attributes
    ----------
    name : str
        Which claim (and which note states it).
    claim : str
        The inequality checked, in words.
    bound : number
        The upper bound.
    measured : number
        The measured quantity.
    holds : bool
        ``measured <= bound``; also the truth value of the result.
    details : dict
        The numbers the bound is made of (wires, nodes, constants, ...).
    """

    name: str
    claim: str
    bound: Any
    measured: Any
    holds: bool
    details: dict = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.holds)

    def _repr_html_(self) -> str:
        def fmt(x):
            return f"{x:.3g}" if isinstance(x, float) else str(x)
        rel = "≤" if self.holds else ">"
        rows = [(k, fmt(v)) for k, v in self.details.items() if not isinstance(v, dict)]
        return (display.verdict(self.holds, f"{self.name}: measured {fmt(self.measured)} {rel} "
                                            f"bound {fmt(self.bound)}")
                + f"<div>{display.html.escape(self.claim)}</div>" + display.table(["", ""], rows))

    def __str__(self) -> str:
        def fmt(x):
            return f"{x:.3g}" if isinstance(x, float) else str(x)
        verdict = "holds" if self.holds else "FAILS"
        rel = "<=" if self.holds else ">"
        extra = ", ".join(f"{k}={fmt(v)}" for k, v in self.details.items()
                          if not isinstance(v, dict))
        return (f"{self.name}: {self.claim}\n"
                f"  measured {fmt(self.measured)} {rel} bound {fmt(self.bound)}: {verdict}"
                + (f"\n  ({extra})" if extra else ""))


# --- the bounds as numbers ----------------------------------------------------


def partial_costs(circuit: Circuit) -> tuple[int, dict]:
    """Gates the partial rules emit over all wires, and the per-gate constants.

    Returns ``(total, per_op)`` where ``total = Σ_wires partial_gate_cost``
    and ``per_op`` maps each gate name used to the most gates its partial
    rule emits for one wire, the constant the textbook bound ``3w + n``
    leaves implicit for gates other than + and ×.

    Examples
    --------
    >>> import circuits
    >>> c = circuits.trace(lambda x, y, z: circuits.sigmoid(circuits.product([x, y, z])) + circuits.sin(x))
    >>> partial_costs(c)
    (6, {'mul': 1, 'sigmoid': 2, 'sin': 1, 'add': 0})
    """
    check_circuit(circuit, "partial_costs()")
    cache: dict = {}
    total = 0
    per_op: dict[str, int] = {}
    for v in circuit.gates():
        op = circuit.op(v)
        a = circuit.args(v)
        gate = GATES[op]
        # the rule reads the constant arguments' values (pow's exponent)
        exponent = circuit.value(a[gate.constant_args[0]]) if gate.constant_args else 2
        for i in range(len(a)):
            if gate.linear:  # the partial is the wire weight: never a gate
                c = 0
            else:
                key = (op, len(a), 0 if gate.commutative else i, exponent)
                cached = cache.get(key)
                if cached is None:
                    cached = cache[key] = partial_gate_cost(op, len(a), i, int(exponent))
                c = cached
            total += c
            per_op[op] = max(per_op.get(op, 0), c)
    return total, per_op


def backward_bound(circuit: Circuit) -> tuple[int, str]:
    """Upper bound on the size of ``backward(circuit)`` for each output, and the claim.

    ``s + m·(Σ_wires (partial cost + 2) + nodes)`` for ``m`` outputs (one
    sweep each), by the backpropagation size bound (Baur & Strassen 1983).

    Examples
    --------
    >>> import circuits
    >>> backward_bound(circuits.trace(lambda x, y: x*y + x))[0]  # s0 + 2w + 0 + nodes = 2 + 8 + 4
    14
    """
    check_circuit(circuit, "backward_bound()")
    p, _ = partial_costs(circuit)
    m = max(len(circuit.outputs), 1)
    b = circuit.size + m * (2 * circuit.wires + p + len(circuit))
    return b, f"s ≤ s0 + Σ_wires(∂ cost + 2) + nodes (backpropagation, {REF_BACKPROP})"


def forward_bound(circuit: Circuit, directions: Optional[int] = None) -> tuple[int, str]:
    """Upper bound on the size of ``forward(circuit)``, and the claim.

    ``s + Σ partial costs + n·(s + w)`` with ``n`` the number of inputs (or
    ``directions``): forward propagation's Θ(n·(s + w)) with
    its constant 1 made explicit.

    Examples
    --------
    >>> import circuits
    >>> forward_bound(circuits.trace(lambda x, y: x*y + x))[0]  # s0 + 0 + n·(s0 + w) = 2 + 2·(2 + 4)
    14
    """
    check_circuit(circuit, "forward_bound()")
    p, _ = partial_costs(circuit)
    n = len(circuit.inputs) if directions is None else check_count(directions, "forward_bound: directions")
    s, w = circuit.size, circuit.wires
    return s + p + n * (s + w), f"s ≤ s0 + Σ ∂ cost + n·(s0 + w) (forward propagation, {REF_FORWARD})"


def directional_bound(circuit: Circuit, kind: str) -> tuple[int, str]:
    """Upper bound on the size of a ``jvp``, ``vjp`` or ``hvp`` circuit, and the claim.

    A JVP is forward propagation along one direction, a VJP one backward
    sweep seeded at the outputs, and an HVP a JVP of a backward circuit
    (or a backward sweep of a JVP circuit; the larger bound is used).
    """
    check_circuit(circuit, "directional_bound()")
    s, w, nodes = circuit.size, circuit.wires, len(circuit)
    p, _ = partial_costs(circuit)
    if kind == "jvp":
        return s + p + (s + w), f"s ≤ s0 + Σ ∂ cost + (s0 + w) (one forward direction, {REF_FORWARD})"
    if kind == "vjp":
        return s + 2 * w + p + nodes, f"s ≤ s0 + Σ_wires(∂ cost + 2) + nodes (one backward sweep, {REF_BACKPROP})"
    if kind == "hvp":
        # Forward over reverse or reverse over forward: bound the second pass
        # by the actual intermediate circuit (itself bounded by one sweep);
        # the larger of the two orders is used, so either implementation fits.
        inner_b = backward(circuit, keep_primal=True)
        over_b, _ = directional_bound(inner_b, "jvp")
        inner_f = jvp(circuit)
        over_f, _ = directional_bound(inner_f, "vjp")
        return max(over_b, over_f), (f"s ≤ one forward pass over backward(C) or one backward pass "
                                     f"over jvp(C) ({REF_HVP})")
    raise CircuitError(f"unknown directional transform {kind!r}; choose 'jvp', 'vjp' or 'hvp'")


# --- the checks ---------------------------------------------------------------


def _single_output(circuit: Circuit, output: Optional[str], what: str) -> str:
    return select_outputs(circuit, output, one=True, what=what)[0]


def _backward(circuit: Circuit, output: str, keep_primal: bool) -> Circuit:
    return backward(circuit, output=output, keep_primal=keep_primal)


def _users(circuit: Circuit, gradient: Any, outputs: Sequence[str], what: str) -> Circuit:
    """Check that a user's gradient circuit is one and names the partials it must have."""
    if not isinstance(gradient, Circuit):
        raise CircuitError(f"{what}: gradient must be a Circuit (your gradient circuit), "
                           f"not {type(gradient).__name__}")
    want = [dname(y, x) for y in outputs for x in circuit.inputs]
    missing = [k for k in want if k not in gradient.outputs]
    if missing:
        raise CircuitError(f"{what}: your gradient circuit has no output {missing[0]!r}; name its "
                           f"outputs d{{output}}/d{{input}} ({', '.join(want[:4])}"
                           f"{', ...' if len(want) > 4 else ''}); its outputs are "
                           f"{listing(gradient.outputs, most=6)}")
    return gradient


def theorem3(circuit: Circuit, output: Optional[str] = None, *,
             gradient: Optional[Circuit] = None) -> BoundCheck:
    """The backpropagation size bound (Baur & Strassen 1983) on ``circuit``.

    Backpropagation adds at most ``Σ_wires (partial cost + 2) + nodes``
    gates, which is at most the textbook ``3·wires + nodes`` for circuits of +
    and × gates.  The measured value is ``backward(c, keep_primal=True).size
    - c.size``, the gates added to the circuit to get its gradient.

    Parameters
    ----------
    circuit : Circuit
    output : str, optional
        The designated output ``y`` (needed when there are several).
    gradient : Circuit, optional
        Your own gradient circuit (outputs ``d{y}/d{x}`` for every input),
        audited instead of the package's ``backward``: the measured value is
        ``gradient.size - c.size``, the gates it has beyond the circuit's.
        Only its size is audited; check its values with
        :func:`circuits.testing.assert_gradient_close`.

    Returns
    -------
    BoundCheck
        ``details`` has ``wires``, ``nodes``, ``partial_gates`` (Σ partial
        costs), ``per_wire`` (gate → partial cost + 2, the explicit
        constants) and ``notes_bound`` (``3w + nodes``).

    Examples
    --------
    >>> import circuits
    >>> r = theorem3(circuits.trace(lambda x, y: x*y + circuits.sin(x)))
    >>> r.holds, r.bound, r.details["per_wire"]
    (True, 16, {'mul': 2, 'sin': 3, 'add': 2})

    Your own gradient circuit, here forward propagation's:

    >>> f = circuits.trace(lambda x, y: x*y + circuits.sin(x))
    >>> r = theorem3(f, gradient=circuits.forward(f, keep_primal=True))
    >>> r.measured, r.details["audited"]
    (17, 'your gradient circuit')
    """
    check_circuit(circuit, "theorem3()")
    y = _single_output(circuit, output, "the backpropagation size bound")
    p, per_op = partial_costs(circuit)
    w, nodes = circuit.wires, len(circuit)
    bound = 2 * w + p + nodes
    notes = 3 * w + nodes
    measured, audited = _backprop_measured(circuit, y, gradient)
    claim = _backprop_claim(per_op, w, p, nodes, notes)
    return BoundCheck(
        name=f"backpropagation size ({REF_BACKPROP})", claim=claim, bound=bound, measured=measured,
        holds=measured <= bound,
        details={"audited": audited, "output": y, "wires": w, "nodes": nodes, "partial_gates": p,
                 "per_wire": {op: c + 2 for op, c in per_op.items()},
                 "notes_bound": notes, "holds_notes_bound": measured <= notes})


def _backprop_measured(circuit: Circuit, y: str, gradient: Optional[Circuit]) -> tuple:
    """(gates added to ``circuit`` for its gradient, what was audited) for :func:`theorem3`."""
    if gradient is None:
        return _backward(circuit, y, True).size - circuit.size, "backward"
    measured = _users(circuit, gradient, [y], "the backpropagation size bound").size - circuit.size
    return measured, "your gradient circuit"


def _backprop_claim(per_op: dict, w: int, p: int, nodes: int, notes: int) -> str:
    """:func:`theorem3`'s claim, comparing the bound with the textbook ``3w + nodes``."""
    costly = sorted(op for op, c in per_op.items() if c > 1)
    return (f"backpropagation adds at most Σ_wires(∂ cost + 2) + nodes = 2·{w} + {p} + {nodes} gates"
            + (f" (≤ the textbook 3w + nodes = {notes}: every partial costs ≤ 1 gate, as for + and ×)"
               if not costly else
               f" (the partials of {', '.join(costly)} cost more than the 1 gate per wire of the "
               f"textbook 3w + nodes = {notes})"))


def forward_size(circuit: Circuit, *, gradient: Optional[Circuit] = None) -> BoundCheck:
    """Forward propagation's Θ(n·(s + w)) size (Griewank & Walther 2008).

    Checks ``forward(c).size ≤ s + Σ partial costs + n·(s + w)`` and reports
    the measured constant ``forward(c).size / (n·(s + w))``.  ``gradient``:
    your own forward-mode gradient circuit, whose size is audited instead.

    Examples
    --------
    >>> import circuits
    >>> f = circuits.trace(lambda x, y, z: (x - 3*y - 3*z + 5)**2 + (x - 2*y - 2*z)**2
    ...                    + (x + y - 5*z - 3)**2)
    >>> r = forward_size(f)
    >>> r.holds, r.bound
    (True, 79)
    """
    check_circuit(circuit, "forward_size()")
    n, s, w = len(circuit.inputs), circuit.size, circuit.wires
    bound, _ = forward_bound(circuit)
    if gradient is None:
        measured = forward(circuit).size
    else:
        measured = _users(circuit, gradient, list(circuit.outputs), "forward_size").size
    scale = n * (s + w)
    return BoundCheck(
        name=f"forward propagation size ({REF_FORWARD})",
        claim=f"forward(C) has at most s + Σ ∂ cost + n·(s + w) = {bound} gates, Θ(n·(s + w)) with n·(s + w) = {scale}",
        bound=bound, measured=measured, holds=measured <= bound,
        details={"n": n, "s": s, "w": w, "constant": measured / scale if scale else 0.0})


def cheap_gradient(circuit: Circuit, model=None, *, output: Optional[str] = None,
                   constant: float = 5, gradient: Optional[Circuit] = None) -> BoundCheck:
    """The "all for the price of one" ratio (Baur & Strassen 1983).

    Measures ``cost(f and ∇f) / cost(f)`` where ``f and ∇f`` is
    ``backward(c, keep_primal=True)``, under the cost model ``model`` (see
    :func:`circuits.cost`), against the constant 5 (Baur & Strassen
    1983, as Kakade states it).  Gates whose derivative costs more than the
    gate itself (σ, tanh under unit cost) can push a small circuit past 5:
    the theorem assumes derivatives cost about as much as the functions.
    ``details["theorem3_ratio"]`` is the ratio the backpropagation size bound guarantees.
    ``gradient``: your own circuit computing ``f`` and ``∇f`` (outputs
    ``d{y}/d{x}``), costed instead of ``backward``'s.

    Examples
    --------
    >>> import circuits
    >>> r = cheap_gradient(circuits.trace(lambda x1, x2: (x1 + x2 + x1*x2) * (x1 + x2)))
    >>> r.holds, r.bound
    (True, 5)
    """
    check_circuit(circuit, "cheap_gradient()")
    check_real(constant, "cheap_gradient: constant", positive=True)  # kept as given: 5 stays an int
    y = _single_output(circuit, output, "the cheap-gradient ratio")
    if gradient is None:
        fg = _backward(circuit, y, True)
    else:
        fg = _users(circuit, gradient, [y], "cheap_gradient")
    c_f = cost(circuit, model)
    c_fg = cost(fg, model)
    ratio = c_fg / c_f if c_f else (1.0 if c_fg == 0 else math.inf)
    p, _ = partial_costs(circuit)
    s = circuit.size
    t3 = (s + 2 * circuit.wires + p + len(circuit)) / s if s else math.inf
    return BoundCheck(
        name=f"all for the price of one ({REF_BACKPROP})",
        claim=f"cost(f and ∇f) / cost(f) ≤ {constant}",
        bound=constant, measured=ratio, holds=ratio <= constant,
        details={"cost_f": c_f, "cost_f_and_grad": c_fg, "theorem3_ratio": t3})


def vector_bound(circuit: Circuit, *, gradient: Optional[Circuit] = None) -> BoundCheck:
    """The vector bound ``T(g, ∇g) ≤ C·γ·(m ∧ d)·T(g)`` (Griewank & Walther 2008).

    ``m`` outputs, ``d`` inputs, ``γ = 1`` (every registry gate has one
    output) and ``C = 1 + (Σ_wires (partial cost + 2) + nodes) / s``, the
    backpropagation constant of the circuit: one sweep per output (reverse) or
    per input (forward) costs at most ``C·s``.  The measured value is
    ``jacobian(c, mode).size / c.size`` with the sweeps of the smaller
    count (forward when ``d < m``, reverse otherwise), or ``gradient.size / c.size``
    for your own Jacobian circuit ``gradient`` (outputs ``d{y}/d{x}``).

    Examples
    --------
    >>> import circuits
    >>> c = circuits.trace(lambda x, y: (x * y, x + y, circuits.sin(x)))
    >>> r = vector_bound(c)
    >>> r.holds, r.details["m"], r.details["d"]
    (True, 3, 2)
    """
    check_circuit(circuit, "vector_bound()")
    m, d = len(circuit.outputs), len(circuit.inputs)
    s = circuit.size
    p, _ = partial_costs(circuit)
    C = 1 + (2 * circuit.wires + p + len(circuit)) / s if s else math.inf
    gamma = 1
    k = min(m, d)
    bound = C * gamma * k
    J = (jacobian(circuit, "forward" if d < m else "reverse") if gradient is None
         else _users(circuit, gradient, list(circuit.outputs), "vector_bound"))
    measured = J.size / s if s else (0.0 if J.size == 0 else math.inf)
    return BoundCheck(
        name=f"vector outputs ({REF_FORWARD})",
        claim=f"T(g, ∇g) / T(g) ≤ C·γ·(m ∧ d) = {C:.3g}·{gamma}·{k}",
        bound=bound, measured=measured, holds=measured <= bound,
        details={"m": m, "d": d, "C": C, "gamma": gamma, "jacobian_size": J.size, "s": s})


def sparse_hessian_size(circuit: Circuit, output: Optional[str] = None, method: str = "star", *,
                        hessian: Optional[Circuit] = None) -> BoundCheck:
    """The compressed Hessian's size: colours · O(s + w), not n · O(s + w).

    ``hessian(c, sparse=True)`` is the gradient circuit ``G = backward(c)``
    swept forward once per colour ``k`` of :func:`circuits.hessian_colouring`,
    plus at most one gate per recovered entry (a scale, or a substitution's
    ``+``): at most ``s_G + Σ ∂ cost(G) + k·(s_G + w_G) + nnz`` gates, where
    ``s_G + w_G`` is O(s + w) by the Baur–Strassen size bound (Baur & Strassen 1983)
    and ``nnz`` counts the structurally nonzero entries of the lower triangle.
    ``details["constant"]`` is ``size / (k·(s + w))``.  ``hessian``: your
    own compressed Hessian circuit, whose size is audited instead.

    Examples
    --------
    >>> import circuits
    >>> f = circuits.trace(lambda a, b, c, d: a * (b + c + d) + b * b + c * c + d * d)
    >>> r = sparse_hessian_size(f)
    >>> r.holds, r.details["colours"], r.details["n"]
    (True, 2, 4)
    """
    check_circuit(circuit, "sparse_hessian_size()")
    if hessian is not None:
        check_circuit(hessian, "sparse_hessian_size(): hessian")
    y = _single_output(circuit, output, "sparse_hessian_size")
    col = hessian_colouring(circuit, method, output=y)
    G = backward(circuit, output=y)
    p, _ = partial_costs(G)
    k = col.colours
    nnz = len(lower_entries(col.pattern))
    s, w = circuit.size, circuit.wires
    bound = G.size + p + k * (G.size + G.wires) + nnz
    measured = (sparse_hessian(circuit, y, method, col) if hessian is None else hessian).size
    scale = k * (s + w)
    return BoundCheck(
        name=f"sparse Hessian size ({method} colouring; Gebremedhin, Manne and Pothen 2005)",
        claim=(f"hessian(C, sparse=True) has at most s_G + Σ ∂ cost + k·(s_G + w_G) + nnz = {bound} gates "
               f"for k = {k} colours (n = {len(circuit.inputs)} inputs), G = backward(C)"),
        bound=bound, measured=measured, holds=measured <= bound,
        details={"colours": k, "n": len(circuit.inputs), "nonzeros": nnz, "s": s, "w": w,
                 "gradient_size": G.size, "gradient_wires": G.wires,
                 "constant": measured / scale if scale else 0.0})


def _assert(result: BoundCheck) -> BoundCheck:
    __tracebackhide__ = True
    if not result.holds:
        raise AssertionError(str(result))
    return result


def assert_theorem3(circuit: Circuit, output: Optional[str] = None, *,
                    gradient: Optional[Circuit] = None) -> BoundCheck:
    """:func:`theorem3`, raising ``AssertionError`` with the numbers when it fails."""
    __tracebackhide__ = True
    return _assert(theorem3(circuit, output, gradient=gradient))


def assert_forward_size(circuit: Circuit, *, gradient: Optional[Circuit] = None) -> BoundCheck:
    """:func:`forward_size`, raising ``AssertionError`` with the numbers when it fails."""
    __tracebackhide__ = True
    return _assert(forward_size(circuit, gradient=gradient))


def assert_cheap_gradient(circuit: Circuit, model=None, *, output: Optional[str] = None,
                          constant: float = 5, gradient: Optional[Circuit] = None) -> BoundCheck:
    """:func:`cheap_gradient`, raising ``AssertionError`` with the numbers when it fails.

    Examples
    --------
    >>> import circuits
    >>> assert_cheap_gradient(circuits.trace(lambda x, y: circuits.sin(x) * y), constant=1)
    Traceback (most recent call last):
    ...
    AssertionError: all for the price of one (Baur & Strassen 1983): ...
    """
    __tracebackhide__ = True
    return _assert(cheap_gradient(circuit, model, output=output, constant=constant,
                                  gradient=gradient))


def assert_vector_bound(circuit: Circuit, *, gradient: Optional[Circuit] = None) -> BoundCheck:
    """:func:`vector_bound`, raising ``AssertionError`` with the numbers when it fails."""
    __tracebackhide__ = True
    return _assert(vector_bound(circuit, gradient=gradient))
