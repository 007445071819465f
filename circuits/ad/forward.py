"""Forward propagation: general forward propagation over any gates (Wengert 1964; Griewank & Walther 2008).

For every gate ``g`` with children ``u, v, ..., w`` a gate ``∇g`` (the
partials ``∂_u[g]``) is made once, and for every input ``x`` a node ``∂g/∂x``
joined by the chain rule (5),

    ∂g/∂x = ∂u/∂x · ∂_u[g] + ∂v/∂x · ∂_v[g] + ... + ∂w/∂x · ∂_w[g].

Taken literally (``sparse=False``) that is one sum gate and one product gate
per wire for every input, Θ(n·(s + w)) gates whatever the weights are;
``sparse=True`` skips structurally zero partials and folds constants into
wire weights.  :func:`jvp` is the same sweep seeded with one tangent per input.
"""

from __future__ import annotations

from typing import Optional, Sequence, Union

from ..core.circuit import Circuit, check_circuit
from .backward import seed_spec
from .simplify import simplify as _simplify
from .common import (dname, finish, legacy_selector, materialise, resolve_inputs, resolve_outputs,
                     times, total)
from .linearize import Linearization

__all__ = ["forward", "jvp"]


def forward_sweep(lin, tangent):
    """Propagate scaled tangents {node: value} forward through every gate (sparse).

    The wires' partials come from the linearization ``lin``, shared by the
    sweeps of all inputs.
    """
    b, partial = lin.builder, lin.partial
    argss = lin.circuit.record.args
    for g in range(len(argss)):
        a = argss[g]
        if not a:
            continue
        contributions = []
        for i, u in enumerate(a):
            t = tangent.get(u)
            if t is None:
                continue
            p = partial(g, i)
            if p is None:
                continue
            contributions.append(times(b, t, p))
        if contributions:
            d = total(b, contributions)
            if d is not None:
                tangent[g] = d
    return tangent


def _figure2(lin, wrt_nodes):
    """Forward propagation as drawn by hand: per input, the gates the drawing has.

    ``∂x/∂x`` is the constant node 1 and zero tangents are left out; for every
    gate reached, a partial other than a constant factor is its own gate (the
    ``2u`` of ``d(u²)/du``, drawn once per partial), each such wire gets one
    product gate, and every gate gets its ``∂g/∂x`` as one ``+`` gate, whose
    wires from the 1 node carry the factors.  On the sum-of-squares example that is 13 gates per
    partial and 3 + 3·13 = 42 in all.
    """
    b = lin.builder
    argss = lin.circuit.record.args
    one = b.const_node(1)
    tangents = []
    for x in wrt_nodes:
        t = {x: one}
        for g in range(len(argss)):
            a = argss[g]
            if not a:
                continue
            nodes, weights = [], []
            for i, u in enumerate(a):
                if u not in t:
                    continue
                p = lin.build(g, i)  # uncached: partial gates are drawn per partial, as the figure does
                if p is None:
                    continue
                node, c = p
                if node is None:  # a constant factor: the weight of the wire
                    nodes.append(t[u])
                    weights.append(c)
                    continue
                if c != 1:
                    node = b.gate("add", node, weights=[c])
                nodes.append(b.gate("mul", t[u], node))
                weights.append(1)
            if nodes:
                t[g] = b.gate("add", *nodes, weights=weights)
        tangents.append(t)
    return tangents


def _literal(lin, wrt_nodes):
    """The textbook construction verbatim: a sum of one product per wire, per gate and input."""
    b, circuit = lin.builder, lin.circuit
    ops, argss = circuit.record.ops, circuit.record.args
    zero, one = b.const_node(0), b.const_node(1)
    inputs = [v for v in circuit.inputs.values()]
    # ∇g once per gate: the partial of every wire as a node and a weight
    grads = {}
    for g in range(len(ops)):
        if argss[g]:
            row = []
            for i in range(len(argss[g])):
                p = lin.partial(g, i)
                if p is None:
                    row.append((zero, 1))
                elif p[0] is None:
                    row.append((b.const_node(p[1]), 1))
                else:
                    row.append(p)
            grads[g] = row
    tangents = []
    for x in wrt_nodes:
        t = {v: (one if v == x else zero) for v in inputs}
        for g in range(len(ops)):
            a = argss[g]
            if not a:
                if ops[g] == "const":
                    t[g] = zero
                continue
            products = [b.gate("mul", t[u], p) for u, (p, _) in zip(a, grads[g])]
            t[g] = b.gate("add", *products, weights=[c for _, c in grads[g]])
        tangents.append(t)
    return tangents


def forward(circuit: Circuit, *legacy, output: Optional[Union[str, Sequence[str]]] = None,
            wrt: Optional[Union[str, Sequence[str]]] = None, sparse: bool = False,
            keep_primal: bool = False, simplify: bool = False, figure2: bool = False) -> Circuit:
    """Gradient circuit by forward propagation.

    Parameters
    ----------
    circuit : Circuit
    output : str or sequence of str, optional
        Outputs to differentiate (default: all); a string is one name.
    wrt : str or sequence of str, optional
        Inputs to differentiate with respect to (default: all); a string is
        one name.  One sweep per input.  (``forward(c, ["x"])``, the old
        positional form, still means ``wrt=["x"]`` for one release, with a
        DeprecationWarning.)
    sparse : bool
        False (default) follows general forward propagation
        literally: for every gate ``g`` and input ``x`` one sum gate over one
        product gate per wire, so the size is Θ(n·(s + w)) however the
        weights fall.  True skips structurally zero partials and folds
        constant factors into wire weights.
    keep_primal : bool
        Also keep the original outputs (first).
    simplify : bool
        Run :func:`circuits.simplify` on the result.
    figure2 : bool
        The construction as drawn by hand (overrides ``sparse``):
        ``∂x/∂x`` is the node 1, zero tangents are left out, and every gate
        reached gets a ``+`` gate for ``∂g/∂x``, a product gate per wire whose
        partial is not a constant, and that partial as a gate of its own
        (``2u`` for ``u²``).  On the sum-of-squares example: 3 + 3·13 = 42 gates.

    Returns
    -------
    Circuit
        Outputs ``d{out}/d{x}`` for every selected output and every ``x`` in
        ``wrt``, output-major.

    Examples
    --------
    >>> import circuits
    >>> f = circuits.trace(lambda x, y: x * y + x)
    >>> fp = circuits.forward(f)
    >>> fp.evaluate(x=2, y=3)
    {'df/dx': 4, 'df/dy': 2}
    >>> circuits.forward(f, wrt="y").evaluate(x=2, y=3)
    {'df/dy': 2}
    >>> circuits.forward(f, sparse=True).size < fp.size
    True
    >>> circuits.forward(circuits.library.figure1(), figure2=True).size   # 3 + 3·13
    42
    """
    check_circuit(circuit, "forward()")
    wrt = resolve_inputs(circuit, legacy_selector("forward", legacy, "wrt", wrt))
    names = resolve_outputs(circuit, output)
    lin = Linearization(circuit)
    outs = _tangent_outputs(lin, circuit, wrt, names, sparse, figure2)
    result = finish(lin.builder, circuit, outs, keep_primal)
    return _simplify(result) if simplify else result


def _tangent_outputs(lin: Linearization, circuit: Circuit, wrt: Sequence[str], names: Sequence[str],
                     sparse: bool, figure2: bool) -> list:
    """[(d{out}/d{x}, node)], output-major, by the construction :func:`forward` selects."""
    b = lin.builder
    wrt_nodes = [circuit.inputs[x] for x in wrt]
    if figure2:
        tangents = _figure2(lin, wrt_nodes)
        value = lambda t, node: t[node] if node in t else materialise(b, None)  # noqa: E731
    elif sparse:
        tangents = [forward_sweep(lin, {v: (None, 1)}) for v in wrt_nodes]
        value = lambda t, node: materialise(b, t.get(node))  # noqa: E731
    else:
        tangents = _literal(lin, wrt_nodes)
        value = lambda t, node: t[node]  # noqa: E731
    return [(dname(y, x), value(t, circuit.outputs[y]))
            for y in names
            for x, t in zip(wrt, tangents)]


def jvp(circuit: Circuit, tangents=None, *, output: Optional[Union[str, Sequence[str]]] = None,
        wrt: Optional[Union[str, Sequence[str]]] = None, keep_primal: bool = False) -> Circuit:
    """Jacobian-vector product ``∇g · v`` (Griewank & Walther 2008) in one forward sweep.

    Parameters
    ----------
    circuit : Circuit
    tangents : None, mapping or sequence
        Seeds per input: by default each input ``x`` gets a new input named
        ``x_dot``; a mapping gives, per input name, a number (a constant seed)
        or a string (the name of a new input); inputs left out have tangent
        zero.  A sequence gives them in input order (in ``wrt``'s order when
        given).
    output : str or sequence of str, optional
        The outputs ``y`` whose ``y_dot`` is made (default: all).
    wrt : str or sequence of str, optional
        The inputs that get a tangent (default: all); the others have
        tangent zero.
    keep_primal : bool
        Also keep the original outputs.

    Returns
    -------
    Circuit
        Inputs: the circuit's, then the tangent inputs; outputs ``y_dot`` for
        every selected output ``y``.  Its size is O(s + w).

    Examples
    --------
    >>> import circuits
    >>> c = circuits.trace(lambda x, y: x * y)
    >>> circuits.jvp(c).evaluate(x=2, y=3, x_dot=1, y_dot=10)
    {'f_dot': 23}
    >>> circuits.jvp(c, {"x": 1}).evaluate(x=2, y=3)
    {'f_dot': 3}
    >>> list(circuits.jvp(c, wrt="y").inputs)
    ['x', 'y', 'y_dot']
    """
    check_circuit(circuit, "jvp()")
    names = resolve_outputs(circuit, output)
    spec = seed_spec(resolve_inputs(circuit, wrt), tangents, "_dot")
    lin = Linearization(circuit)
    b = lin.builder
    seeds = {}
    for x, seed in spec.items():
        if seed is None:
            continue
        d = (b.input_node(seed), 1) if isinstance(seed, str) else (None, seed)
        if d != (None, 0):
            seeds[circuit.inputs[x]] = d
    tangent = forward_sweep(lin, seeds)
    outs = [(f"{y}_dot", materialise(b, tangent.get(circuit.outputs[y]))) for y in names]
    return finish(b, circuit, outs, keep_primal)
