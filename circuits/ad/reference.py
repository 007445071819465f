"""The reference reverse sweep: backpropagation written as its formula, and nothing else.

For one output ``y``, nodes are visited in reverse topological order and each
node's adjoint is the sum, over the wires out of it, of the adjoint of the
wire's head times the wire's local partial (Baur & Strassen 1983; Griewank &
Walther 2008, section 3.2):

    ∂y/∂u = Σ over wires u → v of  ∂y/∂v · ∂v/∂u.

Every product and every sum is a gate of its own: no scale folding, no
trimming, no shared products.  :func:`circuits.backward`'s Python sweep and
the compiled sweep are the fast versions; the tests hold both to this one,
adjoint for adjoint, on random circuits.

Examples
--------
>>> import circuits
>>> c = circuits.parse("x * y + sin(x)")
>>> grad, adjoint = adjoints(c)
>>> from circuits.eval.interpreter import node_values
>>> values = node_values(grad, x=0.0, y=3.0)
>>> [values[adjoint[v]] for v in c.inputs.values()]
[4.0, 0.0]
"""

from __future__ import annotations

from typing import Optional

from ..core.circuit import Circuit
from ..core.gates import SOURCES
from .linearize import Linearization

__all__ = ["adjoints"]


def adjoints(circuit: Circuit, output: Optional[str] = None) -> tuple:
    """∂y/∂v for every node ``v`` that ``y`` depends on, by formula (6).

    Returns ``(derivative, adjoint)``: a circuit holding ``circuit``'s nodes
    and the gates of the sweep (no outputs), and {node v: node of ∂y/∂v in
    it}; a node ``y`` does not depend on has no entry (its adjoint is 0).
    """
    lin = Linearization(circuit, cache=False)
    b = lin.fast
    y = circuit.outputs[output if output is not None else next(iter(circuit.outputs))]
    terms = {y: [b.const_node(1)]}  # terms[u]: the products ∂y/∂v · ∂v/∂u found so far
    adjoint = {}
    for v in range(y, -1, -1):  # every head v of a wire out of u comes before u
        if v not in terms:
            continue
        t = terms.pop(v)
        adjoint[v] = bar = t[0] if len(t) == 1 else b.gate("add", *t)  # the Σ of formula (6)
        if circuit.op(v) in SOURCES:
            continue
        linear = lin.rule(circuit.op(v))[0] is None  # a weighted sum: ∂v/∂u is the wire's weight
        for i, u in enumerate(circuit.args(v)):
            p = (None, lin.weight(v, i)) if linear else lin.partial(v, i)  # ∂v/∂u = c · node
            if p is None:
                continue  # a structurally zero partial: no term
            node, c = p
            dv_du = b.const_node(c) if node is None else node if c == 1 else b.gate("mul", b.const_node(c), node)
            terms.setdefault(u, []).append(b.gate("mul", bar, dv_du))  # ∂y/∂v · ∂v/∂u
    return b.snapshot(), adjoint
