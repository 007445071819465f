"""Backpropagation over any semiring: one sweep, many questions about paths.

Bauer's formula writes ``∂y/∂x`` as a sum over the paths ``x → y`` of the
product of the local partials on each path's wires (seed 003).  Replace the
numbers by the elements of another semiring and the same backward sweep —
O(s + w) semiring operations, never one per path — answers other questions
about those paths:

==============  =========================================  ====================================
semiring        an edge becomes                            the sweep computes
==============  =========================================  ====================================
``real``        its partial                                the derivative (backpropagation)
``counting``    1                                          the number of paths (Bauer)
``boolean``     ``partial ≠ 0`` (structurally)              the Jacobian's sparsity pattern
``max_product`` ``(|partial|, wire)``                       the heaviest path and its weight
``k_best(k)``   ``[(|partial|, wire)]``                     the k heaviest paths
``log``         ``log |partial|``                           log Σ_paths Π |partials| (stably)
``entropy``     ``⟨w, −w log w⟩``, ``w = |partial|``          the entropy of the gradient flow
==============  =========================================  ====================================

The entropy (expectation) semiring and the idea of reading gradient paths
through semirings follow Du, Torroba Hennigen, Stoehr, Warstadt & Cotterell,
*Generalizing Backpropagation for Gradient-Based Interpretability*, ACL 2023
(arXiv:2307.03056), §3–4.

A :class:`Semiring` is a plain record; define your own the same way.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional

from ..circuit import Circuit
from ..errors import CircuitError
from .linearize import linearize, _node_values, _scaled_value

__all__ = ["Semiring", "Propagation", "propagate", "real", "counting", "boolean", "max_product",
           "k_best", "log", "entropy", "entropy_of", "path_of", "SEMIRINGS"]


@dataclass(frozen=True)
class Semiring:
    """A semiring for :func:`propagate`.

    Attributes
    ----------
    name : str
    zero, one : element
        The identities of ``plus`` and ``times``.
    plus, times : callable
        ``plus(a, b)`` and ``times(a, b)``.  The sweep always calls
        ``times(edge_element, accumulated)``, so a non-commutative ``times``
        (paths as lists) sees the new wire first.
    edge : callable
        ``edge(value, wire)`` → element: ``value`` is the wire's partial (a
        number at ``point``, a sympy expression without one; ``0`` when it is
        structurally zero) and ``wire`` is ``(u, g, i)``.
    numeric : bool
        Whether ``edge`` needs the partial's value.  If not, the sweep never
        evaluates the circuit; ``value`` is then the partial's constant, or
        ``None`` when it depends on the inputs (and is not known to be zero).
    symbolic : bool
        Whether a numeric semiring also takes sympy partials (then ``point``
        may be left out); otherwise :func:`propagate` asks for a point.

    Examples
    --------
    The tropical (min, +) semiring on the number of wires gives each node's
    shortest distance to the output:

    >>> import circuits
    >>> hops = circuits.Semiring("hops", math.inf, 0, min, lambda a, b: a + b,
    ...                          lambda v, wire: 1, numeric=False)
    >>> f = circuits.parse("x * exp(sin(x))")
    >>> circuits.propagate(f, hops).inputs
    {'x': 1}
    """

    name: str
    zero: Any
    one: Any
    plus: Callable[[Any, Any], Any]
    times: Callable[[Any, Any], Any]
    edge: Callable[[Any, tuple], Any]
    numeric: bool = True
    symbolic: bool = False

    def __repr__(self) -> str:
        return f"Semiring({self.name!r})"


@dataclass(frozen=True)
class Propagation:
    """What :func:`propagate` computed.

    Attributes
    ----------
    semiring : Semiring
    direction : str
    values : list
        One element per node: in reverse, the sum over paths from the node to
        the output(s); forward, over paths from the input(s) to the node.
    inputs : dict
        Reverse: input name → element.  Forward: ``{}``.
    outputs : dict
        Forward: output name → element.  Reverse: ``{}``.
    operations : int
        ``plus`` and ``times`` calls made (at most 2 per wire).
    """

    semiring: Semiring
    direction: str
    values: list = field(repr=False)
    inputs: dict
    outputs: dict
    operations: int


def propagate(circuit: Circuit, semiring: Semiring, point: Optional[Mapping[str, Any]] = None, *,
              output=None, direction: str = "reverse", input=None) -> Propagation:
    """One sweep of ``semiring`` over the wires of ``circuit``.

    Parameters
    ----------
    circuit : Circuit
    semiring : Semiring
        See :mod:`circuits.semirings` for the built-ins.
    point : mapping, optional
        Input values at which the partials are evaluated (needed only by
        semirings whose ``numeric`` is true; without it the partials are
        sympy expressions).
    output : str or sequence of str, optional
        The output(s) the paths end at (default: all; several are summed).
    direction : {"reverse", "forward"}
        ``"reverse"`` sweeps from the output(s) to every node (backpropagation);
        ``"forward"`` from the input(s) to every node.
    input : str or sequence of str, optional
        The input(s) the paths start at (default: all).

    Returns
    -------
    Propagation
        ``values`` at every node, ``inputs`` (reverse) or ``outputs`` (forward).

    Examples
    --------
    Seed 003's worked example: 3 paths from ``x1`` to ``y``, whose partials
    sum to the derivative 71 at (3, 5):

    >>> import circuits
    >>> from circuits import semirings
    >>> y = circuits.trace(lambda x1, x2: (x1 + x2 + x1 * x2) * (x1 + x2))
    >>> circuits.propagate(y, semirings.counting).inputs
    {'x1': 3, 'x2': 3}
    >>> circuits.propagate(y, semirings.real, {"x1": 3, "x2": 5}).inputs
    {'x1': 71, 'x2': 55}
    >>> circuits.propagate(y, semirings.counting, direction="forward", input="x1").outputs
    {'f': 3}
    """
    if not isinstance(circuit, Circuit):
        raise CircuitError(f"propagate expects a Circuit, got {type(circuit).__name__}")
    if not isinstance(semiring, Semiring):
        raise CircuitError(f"propagate expects a Semiring (see circuits.semirings), got {type(semiring).__name__}")
    if direction not in ("reverse", "forward"):
        raise CircuitError(f"direction must be 'reverse' or 'forward', not {direction!r}")
    outputs = _names(circuit.outputs, output, "output")
    inputs = _names(circuit.inputs, input, "input")
    if semiring.numeric and not semiring.symbolic and point is None:
        raise CircuitError(f"the {semiring.name} semiring needs numbers: pass point={{input: value}}")
    lin = linearize(circuit, wrt=inputs, output=outputs)
    partials = lin.partials()
    if semiring.numeric:
        nodes = _node_values(lin.builder, circuit.inputs, point)
        edge = {w: semiring.edge(_scaled_value(p, nodes), w) for w, p in partials.items()}
    else:
        edge = {w: semiring.edge(0 if p is None else (p[1] if p[0] is None else None), w)
                for w, p in partials.items()}
    plus, times, zero = semiring.plus, semiring.times, semiring.zero
    n = len(circuit)
    values = [zero] * n
    ops = 0
    args = circuit._args
    if direction == "reverse":
        for name in outputs:
            values[circuit.outputs[name]] = semiring.one
        for g in range(n - 1, -1, -1):
            a = args[g]
            if not a:
                continue
            vg = values[g]
            for i, u in enumerate(a):
                e = edge.get((u, g, i))
                if e is None:
                    continue
                values[u] = plus(values[u], times(e, vg))
                ops += 2
        return Propagation(semiring, direction, values, {x: values[circuit.inputs[x]] for x in inputs}, {}, ops)
    for name in inputs:
        values[circuit.inputs[name]] = semiring.one
    for g in range(n):
        a = args[g]
        for i, u in enumerate(a or ()):
            e = edge.get((u, g, i))
            if e is None:
                continue
            values[g] = plus(values[g], times(e, values[u]))
            ops += 2
    return Propagation(semiring, direction, values, {}, {y: values[circuit.outputs[y]] for y in outputs}, ops)


def _names(table, chosen, what):
    if chosen is None:
        return list(table)
    chosen = [chosen] if isinstance(chosen, str) else list(chosen)
    for c in chosen:
        if c not in table:
            raise CircuitError(f"{c!r} is not an {what}; {what}s are {list(table)}")
    return chosen


# --------------------------------------------------------------------------- built-ins

real = Semiring("real", 0, 1, lambda a, b: a + b, lambda a, b: a * b, lambda v, wire: v,
               symbolic=True)
"""Numbers: the sweep is backpropagation (forward: forward-mode)."""

counting = Semiring("counting", 0, 1, lambda a, b: a + b, lambda a, b: a * b,
                    lambda v, wire: 1, numeric=False)
"""Every wire counts 1: the sweep counts paths (Bauer's formula's number of terms)."""

boolean = Semiring("boolean", False, True, lambda a, b: a or b, lambda a, b: a and b,
                   lambda v, wire: v is None or v != 0, numeric=False)
"""A wire is ``True`` unless its partial is structurally zero: the Jacobian's sparsity."""


# Paths are persistent cons lists (wire, rest) built without recursion.
def _concat(a, b):
    """The cons list ``a ++ b``; O(len(a)), and the sweep's ``a`` is one wire."""
    if a is None:
        return b
    if a[1] is None:
        return (a[0], b)
    items = []
    while a is not None:
        items.append(a[0])
        a = a[1]
    for w in reversed(items):
        b = (w, b)
    return b


def path_of(cons) -> list:
    """The wires ``[(u, g, i), ...]`` of a cons-list path, in order."""
    out = []
    while cons is not None:
        out.append(cons[0])
        cons = cons[1]
    return out


def _max_plus(a, b):
    return b if b[0] > a[0] else a


max_product = Semiring("max-product", (0.0, None), (1.0, None), _max_plus,
                       lambda a, b: (a[0] * b[0], _concat(a[1], b[1])),
                       lambda v, wire: (abs(v), (wire, None)))
"""``(|weight|, path)``: the path whose product of |partials| is largest, with its wires
(a cons list; :func:`path_of` lists it).  Reverse sweeps list wires input → output;
forward sweeps output → input."""


def k_best(k: int) -> Semiring:
    """The ``k`` heaviest paths: elements are lists of ``(|weight|, path)``, heaviest first.

    Examples
    --------
    >>> import circuits
    >>> from circuits import semirings
    >>> f = circuits.parse("x*x + 3*x")
    >>> best = circuits.propagate(f, semirings.k_best(2), {"x": 2}).inputs["x"]
    >>> [w for w, path in best]
    [3.0, 2.0]
    """
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise CircuitError(f"k_best needs a positive integer k, got {k!r}")

    def plus(a, b):
        if not a:
            return b
        if not b:
            return a
        return heapq.nlargest(k, a + b, key=lambda t: t[0])

    def times(a, b):
        return heapq.nlargest(k, ((x * y, _concat(p, q)) for x, p in a for y, q in b), key=lambda t: t[0])

    return Semiring(f"{k}-best", [], [(1.0, None)], plus, times,
                    lambda v, wire: [(float(abs(v)), (wire, None))])


def _logaddexp(a, b):
    if a == -math.inf:
        return b
    if b == -math.inf:
        return a
    m = max(a, b)
    return m + math.log1p(math.exp(-abs(a - b)))


log = Semiring("log", -math.inf, 0.0, _logaddexp, lambda a, b: a + b,
               lambda v, wire: math.log(abs(v)) if v != 0 else -math.inf)
"""Log-weights: the sweep computes ``log Σ_paths Π |partial|`` without overflow."""


def _entropy_edge(v, wire):
    w = abs(float(v))
    return (w, -w * math.log(w) if w > 0 else 0.0)


entropy = Semiring("entropy", (0.0, 0.0), (1.0, 0.0),
                   lambda a, b: (a[0] + b[0], a[1] + b[1]),
                   lambda a, b: (a[0] * b[0], a[0] * b[1] + a[1] * b[0]),
                   _entropy_edge)
"""Du et al. (2023)'s entropy semiring ``⟨w, −w log w⟩`` with ``w = |partial|``: the sweep gives
``⟨Z, −Σ_p w_p log w_p⟩`` over paths ``p``; :func:`entropy_of` turns it into the entropy
(in nats) of the distribution ``w_p / Z`` of gradient flow over paths."""


def entropy_of(element) -> float:
    """Entropy (nats) of the path distribution from an :data:`entropy` element ``⟨Z, y⟩``.

    ``H = log Z + y / Z``; ``nan`` when no weight flows (``Z = 0``).

    Examples
    --------
    Two paths of equal weight carry one bit, ``log 2`` nats:

    >>> import circuits
    >>> from circuits import semirings
    >>> f = circuits.parse("x*x")
    >>> round(semirings.entropy_of(circuits.propagate(f, semirings.entropy, {"x": 3}).inputs["x"]), 6)
    0.693147
    """
    z, y = element
    if z <= 0:
        return math.nan
    return math.log(z) + y / z


SEMIRINGS = {s.name: s for s in (real, counting, boolean, max_product, log, entropy)}
"""The built-in semirings by name (``k_best`` is a function of ``k``)."""
