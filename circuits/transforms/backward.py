"""Backpropagation (reverse mode): seed ``003_cb4127dae40e521c.txt``, Algorithm BP.

Nodes are visited in reverse topological order (decreasing ids) and for each
node ``g`` the adjoint ``∂y/∂g`` is built by formula (6),

    ∂y/∂g = Σ over wires (g, u) of  ∂y/∂u · ∂_g[u],

with, per wire, the partial ``∂_g[u]`` (a gate from the registry's rule, or
the wire weight of a ``+`` gate), at most one product, and per node at most
one addition.  Products by constants are folded into wire weights rather than
made gates.  On a circuit of ``+`` and ``×`` gates this adds at most
``3·wires + nodes`` gates, Theorem 3's count; for other gates the per-wire
cost of the partial is :func:`circuits.gates.partial_gate_cost`.
"""

from __future__ import annotations

from typing import Optional, Sequence, Union

from ..circuit import Circuit, check_circuit, check_number
from ..errors import CircuitError
from ..gates import GATES
from .simplify import simplify as _simplify
from .common import active_nodes, dname, finish, materialise, resolve_outputs, times, total
from .linearize import Linearization

__all__ = ["backward", "vjp"]


def _sweep(lin, seeds, active, mirror=None, keep=False):
    """One reverse sweep from ``seeds`` {node: [scaled values]}; returns adjoints of inputs.

    The wires' partials come from the linearization ``lin``, which builds
    each one once however many sweeps share it.  ``mirror``, when given,
    receives {adjoint node: node} for drawing ∂y/∂z opposite z.  With
    ``keep`` every adjoint becomes a node of its own (a one-wire ``+`` gate
    where it would be a constant, a scaled node, a primal node or another
    node's adjoint) and the chain rule reads that node: formula (6) as seed
    003 draws it, every ∂y/∂z a gate.
    """
    b, circuit = lin.builder, lin.circuit
    partial = lin.partial if lin.cached else lin.build
    rec = circuit.record
    ops, argss, weights = rec.ops, rec.args, rec.params
    linear = {name for name, gate in GATES.items() if gate.linear}
    pending = {v: list(ds) for v, ds in seeds.items()}
    adjoint = {}
    top = max(pending, default=-1)
    for g in range(top, -1, -1):
        contributions = pending.pop(g, None)
        if contributions is None:
            continue
        d = contributions[0] if len(contributions) == 1 else total(b, contributions)
        if d is None:
            continue
        if keep:
            n, c = d
            if n is None:
                n = b.gate("add", b.const_node(c))
            elif c != 1 or n < len(ops) or n in mirror:
                n = b.gate("add", n, weights=None if c == 1 else (c,))
            mirror[n] = g
            d = (n, 1)
        elif mirror is not None and d[0] is not None and d[0] >= len(ops) and d[0] not in mirror:
            mirror[d[0]] = g
        op = ops[g]
        if op == "input":
            adjoint[g] = d
            continue
        if op == "const":
            continue
        a = argss[g]
        if op in linear:  # ∂_u[g] is the wire weight (Linearization.weight): no gate, it scales the adjoint
            n, c = d
            w = weights[g]
            for i, u in enumerate(a):
                if active[u]:
                    contribution = (n, c if w is None else c * w[i])
                    bucket = pending.get(u)
                    if bucket is None:
                        pending[u] = [contribution]
                    else:
                        bucket.append(contribution)
            continue
        for i, u in enumerate(a):
            if not active[u]:
                continue
            p = partial(g, i)
            if p is None:
                continue
            contribution = times(b, d, p)
            bucket = pending.get(u)
            if bucket is None:
                pending[u] = [contribution]
            else:
                bucket.append(contribution)
    return adjoint


def backward(circuit: Circuit, output: Optional[Union[str, Sequence[str]]] = None, *,
             keep_primal: bool = False, simplify: bool = False, mirror: bool = False) -> Circuit:
    """Gradient circuit by backpropagation.

    Parameters
    ----------
    circuit : Circuit
    output : str or sequence of str, optional
        Outputs to differentiate (default: all).  Several outputs give one
        reverse sweep each, sharing the forward gates and the partial gates:
        the Jacobian by rows.
    keep_primal : bool
        Also keep the original outputs (first, under their own names).
    simplify : bool
        Run :func:`circuits.simplify` on the result.
    mirror : bool
        Keep every adjoint ``∂y/∂z`` as a node of its own, the chain rule (6)
        reading it, as seed 003 draws backpropagation, so that
        ``render(g, mirror=True)`` shows each one opposite its ``z``
        (:func:`circuits.render_steps` draws them one step at a time).  It
        costs at most one ``+`` gate per node of the circuit (a constant, a
        scaled or a shared adjoint gets a one-wire ``+``); one output only,
        and the circuit's outputs are kept (``keep_primal``), ``y`` being
        drawn too.

    Returns
    -------
    Circuit
        Same inputs; outputs ``d{y}/d{x}`` for every selected output ``y`` and
        every input ``x``, output-major.

    Examples
    --------
    Seed 003's worked example, ``∂y/∂x1 = 2x1 + 2x2 + 2x1x2 + x2²``:

    >>> import circuits
    >>> y = circuits.trace(lambda x1, x2: (x1 + x2 + x1 * x2) * (x1 + x2))
    >>> g = circuits.backward(y)
    >>> list(g.outputs)
    ['df/dx1', 'df/dx2']
    >>> g.evaluate(x1=3, x2=5)["df/dx1"] == 2*3 + 2*5 + 2*3*5 + 5**2
    True

    With ``mirror=True`` every ``∂y/∂z`` is a node: six of them here, one
    per vertex ``x1, x2, u1, u2, u3, y``:

    >>> m = circuits.backward(y, mirror=True)
    >>> len(m.meta["adjoint_of"]), m.evaluate(x1=3, x2=5)
    (6, {'f': 184, 'df/dx1': 71, 'df/dx2': 55})
    """
    check_circuit(circuit, "backward()")
    names = resolve_outputs(circuit, output)
    if mirror and len(names) > 1:
        raise CircuitError(f"backward(mirror=True) keeps the adjoints of one output, and {len(names)} are "
                           f"selected ({', '.join(map(repr, names[:3]))}{', ...' if len(names) > 3 else ''}); "
                           f"choose one with output={names[0]!r}")
    keep_primal = keep_primal or mirror  # the drawing mirrors y: keep it
    lin = Linearization(circuit, cache=len(names) > 1)  # one sweep asks for each wire once
    b = lin.builder
    active = active_nodes(circuit, circuit.inputs.values())
    outs = []
    adjoint_of: dict = {}
    for k, y in enumerate(names):
        adjoint = _sweep(lin, {circuit.outputs[y]: [(None, 1)]}, active, adjoint_of if k == 0 else None,
                         keep=mirror)
        for x, v in circuit.inputs.items():
            outs.append((dname(y, x), materialise(b, adjoint.get(v))))
    result = finish(b, circuit, outs, keep_primal, adjoint_of=adjoint_of)
    if simplify:
        result = _simplify(result)
    return result


def vjp(circuit: Circuit, cotangents=None, *, keep_primal: bool = False) -> Circuit:
    """Vector-Jacobian product ``w · ∇g`` (seed ``001_98bb05108a2025f7.txt``) in one reverse sweep.

    Parameters
    ----------
    circuit : Circuit
    cotangents : None, mapping or sequence
        Seeds per output: by default each output ``y`` gets a new input named
        ``y_bar``; a mapping gives, per output name, a number (a constant
        seed) or a string (the name of a new input); outputs left out have
        seed zero.  A sequence gives them in output order.
    keep_primal : bool
        Also keep the original outputs.

    Returns
    -------
    Circuit
        Inputs: the circuit's, then the cotangent inputs; outputs ``x_bar``
        for every input ``x``.  Its size is O(s + w).

    Examples
    --------
    >>> import circuits
    >>> c = circuits.trace(lambda x, y: (x * y, x + y))
    >>> v = circuits.vjp(c)
    >>> list(v.inputs), list(v.outputs)
    (['x', 'y', 'f0_bar', 'f1_bar'], ['x_bar', 'y_bar'])
    >>> v.evaluate(x=2, y=3, f0_bar=1, f1_bar=10)
    {'x_bar': 13, 'y_bar': 12}
    """
    check_circuit(circuit, "vjp()")
    seeds_by_name = _seed_spec(list(circuit.outputs), cotangents, "_bar")
    lin = Linearization(circuit, cache=False)
    b = lin.builder
    seeds: dict = {}
    for y, seed in seeds_by_name.items():
        if seed is None:
            continue
        d = (b.input_node(seed), 1) if isinstance(seed, str) else (None, seed)
        if d == (None, 0):
            continue
        seeds.setdefault(circuit.outputs[y], []).append(d)
    active = active_nodes(circuit, circuit.inputs.values())
    adjoint = _sweep(lin, seeds, active)
    outs = [(f"{x}_bar", materialise(b, adjoint.get(v))) for x, v in circuit.inputs.items()]
    return finish(b, circuit, outs, keep_primal)


def _seed_spec(names, spec, suffix):
    """Normalise tangent/cotangent seeds to {name: None | number | new input name}."""
    if spec is None:
        return {n: f"{n}{suffix}" for n in names}
    if isinstance(spec, dict):
        unknown = [k for k in spec if k not in names]
        if unknown:
            raise CircuitError(f"seed given for {unknown[0]!r}, which is not one of {names}")
        out = {}
        for n in names:
            s = spec.get(n)
            out[n] = s if s is None or isinstance(s, str) else check_number(s, f"seed for {n!r}")
        return out
    spec = list(spec)
    if len(spec) != len(names):
        raise CircuitError(f"{len(spec)} seeds given for {len(names)} names {names}")
    return _seed_spec(names, dict(zip(names, spec)), suffix)
