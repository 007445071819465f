"""Backpropagation (reverse mode, Speelpenning 1980; Baur & Strassen 1983).

Nodes are visited in reverse topological order (decreasing ids) and for each
node ``g`` the adjoint ``∂y/∂g`` is built by formula (6),

    ∂y/∂g = Σ over wires (g, u) of  ∂y/∂u · ∂_g[u],

with, per wire, the partial ``∂_g[u]`` (a gate from the registry's rule, or
the wire weight of a ``+`` gate), at most one product, and per node at most
one addition.  Products by constants are folded into wire weights rather than
made gates, while they stay numbers every evaluator reads exactly
(:func:`circuits.ad.common.folds`).  On a circuit of ``+`` and ``×`` gates this adds at most
``3·wires + nodes`` gates, the textbook count (Baur & Strassen 1983); for other gates the per-wire
cost of the partial is :func:`circuits.core.gates.partial_gate_cost`.
"""

from __future__ import annotations

from collections import Counter
from typing import Mapping, Optional, Sequence, Union

from ..core.arrays import GIVE_BACK_FROM, give_back_memory
from ..core.checks import check_sequence
from ..core.circuit import Circuit, check_circuit, check_number
from ..core.errors import CircuitError, listing
from .simplify import simplify as _simplify
from .common import (EXACT_LIMIT, active_nodes, dnames, finish, folds, gc_young_only, legacy_selector,
                     materialise, resolve_inputs, resolve_outputs, total)
from .fast_backward import gradient as fast_gradient
from .linearize import Linearization

__all__ = ["backward", "vjp"]

#: From this many nodes on, one output's sweep runs compiled (``fast_backward``) when numba is
#: there; below, the Python sweep is faster (break-even measured at 200–500 nodes on chains,
#: MLPs and random circuits) and a small circuit does not pay numba's first load (~0.4 s).
COMPILED_FROM = 512

_TRIM_SPAN = 64  # how many top nodes a sweep watches for being unused (see reverse_sweep's ``dropped``)
# A product of two scales is folded into one weight only where common.folds says so (a finite float,
# an exact number below 2**53): otherwise the first factor becomes a one-wire ``+`` gate and the product
# is left to the evaluation, which gives the same value as forward's chain of weights.
_LIMIT = EXACT_LIMIT
_ONE = 1  # the int 1 (one object in CPython): ``x is _ONE`` is a cheap, safe test for "times 1 is x"


def reverse_sweep(lin, seeds, active, mirror=None, keep=False, dropped=None):
    """One reverse sweep from ``seeds`` {node: [scaled values]}; returns adjoints of inputs.

    The wires' partials come from the linearization ``lin``, which builds
    each one once however many sweeps share it.  ``mirror``, when given,
    receives {adjoint node: node} for drawing ∂y/∂z opposite z.  With
    ``keep`` every adjoint becomes a node of its own (a one-wire ``+`` gate
    where it would be a constant, a scaled node, a primal node or another
    node's adjoint) and the chain rule reads that node: formula (6) as seed
    003 draws it, every ∂y/∂z a gate.

    ``dropped``, when a list (for a single sweep whose result keeps no
    original output), lets the sweep remove from the builder the gates at the
    top of the circuit that the derivative does not use, as soon as it knows
    them (typically the output itself), so that the gates it makes get their
    final ids and the result needs no renumbering; it appends how many it
    removed.
    """
    b, circuit = lin.fast, lin.circuit  # every gate made here is over nodes of b
    partial = lin.partial if lin.cached else None
    rule_of = lin.rule
    rec = circuit.record
    ops, argss, weights = rec.ops, rec.args, rec.params
    n_ops = len(ops)
    first_new = n_ops  # ids from here on are the sweep's (after a trim, fewer primal nodes stay)
    rules: dict = {}  # op -> lin.rule(op), without a call per wire
    # gates with a constant argument ask their rule, which makes a constant factor (mul(2, u),
    # div(u, 0.5)) a scale, not a gate; the rule read as data cannot see constants
    consts = rec.constants
    const_fed = {g for g, a in enumerate(argss) if a and not consts.keys().isdisjoint(a)} if consts else ()
    gate = b.gate  # the trusted twin's: no checks
    # pending[u]: the contributions to u's adjoint so far: one scaled value, or a list of several
    pending = {v: ds[0] if len(ds) == 1 else list(ds) for v, ds in seeds.items() if ds}
    last_c = last_pc = last_cc = None  # the last product of two scales (below)
    adjoint = {}
    top = max(pending, default=-1)
    trimming = dropped is not None and not lin.cached
    n = None
    if trimming:  # every node above g is a gate nothing made so far refers to
        refs = {node for ds in seeds.values() for node, _ in ds}
        touched = set(pending)  # the buckets that may hold nodes made while watching
        scanned = len(b)
        top = n_ops - 1
    for g in range(top, -1, -1):
        if trimming:
            h = g + 1  # the node just swept: its last users were swept before it
            if h < n_ops:
                refs.update(b.arguments_from(scanned))
                scanned = len(b)
                a = argss[h]
                if a and rule_of(ops[h])[0] is None:
                    # a linear h passed on its adjoint's node n (or h was skipped: n is an
                    # older node, which only makes the watch stop sooner)
                    refs.add(n)
                    if n is not None and n >= n_ops:
                        touched.update(a)
                else:  # h's contributions are the last ones of its arguments' buckets, one per wire
                    touched.update(a)
                    for u, k in Counter(a).items() if len(a) > 8 else zip(a, map(a.count, a)):
                        bucket = pending.get(u)
                        if type(bucket) is tuple:
                            refs.add(bucket[0])
                        elif bucket:
                            refs.update(node for node, _ in bucket[-k:])
            # stop at a used node or a source; or after _TRIM_SPAN nodes, for a long unused top
            # (sums of terms whose values the derivative never reads) costs more to watch here
            # than compact's renumbering: the gates above h are still unused, so trim them
            if h < n_ops and (h in refs or not argss[h] or h < n_ops - _TRIM_SPAN):
                trimming = False
                first_new = _trim(b, h + 1, n_ops, pending, touched, adjoint, mirror)
                dropped.append(n_ops - first_new)
        contributions = pending.pop(g, None)
        if contributions is None:
            continue
        d = contributions if type(contributions) is tuple else total(b, contributions)
        if d is None:
            continue
        if keep:
            n, c = d
            if n is None:
                n = b.gate("add", b.const_node(c))
            elif c != 1 or n < first_new or n in mirror:
                n = b.gate("add", n, weights=None if c == 1 else (c,))
            mirror[n] = g
            d = (n, 1)
        elif mirror is not None and d[0] is not None and d[0] >= first_new:
            mirror.setdefault(d[0], g)
        n, c = d
        op = ops[g]
        if op == "input":
            adjoint[g] = d
            continue
        if op == "const":
            continue
        a = argss[g]
        r = rules.get(op)
        if r is None:
            r = rules[op] = (*rule_of(op), {})
        rule, rb, weighted, plans = r
        linear = rule is None  # ∂_u[g] is the wire weight (Linearization.weight), it scales the adjoint
        if linear:
            w = weights[g]
        else:
            plan = plans.get(len(a))
            if plan is None:
                plan = plans[len(a)] = lin.plan(op, len(a))
        for i, u in enumerate(a):
            if not active[u]:
                continue
            if linear:
                if w is None:
                    contribution = d
                elif c is _ONE:
                    contribution = (n, w[i])
                else:
                    cw = c * w[i]
                    if -_LIMIT < cw < _LIMIT if type(cw) is int else folds(cw):
                        contribution = (n, cw)
                    else:  # kept unfolded (see _LIMIT), and c is 1 for the next wires
                        n, c = d = (materialise(b, d), _ONE)
                        contribution = (n, w[i])
            else:
                if plan and g not in const_fed:  # the rule read as data (linearize.partial_template): no call
                    p = plan[i]
                    if p is None:
                        continue
                    pop, ref, pc = p
                    pn = g if ref < 0 else a[ref]
                    if pop is not None:
                        pn = gate(pop, pn)
                else:
                    if partial is not None:
                        p = partial(g, i)
                    elif weighted:
                        p = rule(rb, a, g, i, weights=weights[g])
                    else:
                        p = rule(rb, a, g, i)
                    if p is None:
                        continue
                    pn, pc = p
                # d · p (common.times inlined).  A factor 1 is skipped and the last product of the
                # same two scale objects reused: both leave the product as it is, and save
                # Fraction arithmetic, slow in Python, where weights like 1/2 recur
                if pc is _ONE:
                    cc = c
                elif c is _ONE:
                    cc = pc
                elif c is last_c and pc is last_pc:
                    cc = last_cc
                else:
                    cc = c * pc
                    if -_LIMIT < cc < _LIMIT if type(cc) is int else folds(cc):
                        last_cc = cc
                        last_c, last_pc = c, pc
                    else:  # kept unfolded (see _LIMIT), and c is 1 for the next wires
                        n, c = d = (materialise(b, (n, c)), _ONE)
                        cc = pc
                if n is None:
                    contribution = (pn, cc)
                elif pn is None:
                    contribution = (n, cc)
                else:
                    contribution = (gate("mul", n, pn), cc)
            bucket = pending.get(u)
            if bucket is None:
                pending[u] = contribution
            elif type(bucket) is tuple:
                pending[u] = [bucket, contribution]
            else:
                bucket.append(contribution)
    if trimming:  # swept to the bottom without meeting a used node or a source: nothing to trim
        dropped.append(0)
    return adjoint


def _trim(b, keep, n, pending, touched, adjoint, mirror) -> int:
    """Remove the unused gates ``keep .. n - 1`` from the builder ``b`` during a sweep.

    The nodes made since (ids ``n`` on) move down to follow node ``keep - 1``
    (:meth:`Builder.remove`); the pending contributions (of the nodes in
    ``touched``, those that can hold such nodes), adjoints and ``mirror``
    that name them follow; ``mirror``'s pairs of removed nodes become -1
    (which the caller drops).  Returns ``keep``, where the sweep's ids now start.
    """
    shift = n - keep
    if shift == 0:
        return keep

    def moved(u):
        return u - shift if u >= n else u
    b.remove(keep, n)
    for v in touched:
        bucket = pending.get(v)
        if type(bucket) is tuple:
            pending[v] = (None if bucket[0] is None else moved(bucket[0]), bucket[1])
        elif bucket:
            bucket[:] = [(None if u is None else moved(u), c) for u, c in bucket]
    for x, (u, c) in adjoint.items():
        adjoint[x] = (None if u is None else moved(u), c)
    if mirror is not None:  # a pair of a removed node stays, as -1, so that its adjoint node keeps
        # the first pair the sweep found for it (as the compiled sweep's adjoint_of does)
        later = {u - shift: z if z < keep else -1 for u, z in mirror.items()}
        mirror.clear()
        mirror.update(later)
    return keep


def backward(circuit: Circuit, *legacy, output: Optional[Union[str, Sequence[str]]] = None,
             wrt: Optional[Union[str, Sequence[str]]] = None,
             keep_primal: bool = False, simplify: bool = False, mirror: bool = False) -> Circuit:
    """Gradient circuit by backpropagation.

    Parameters
    ----------
    circuit : Circuit
    output : str or sequence of str, optional
        Outputs to differentiate (default: all); a string is one name.
        Several outputs give one reverse sweep each, sharing the forward
        gates and the partial gates: the Jacobian by rows.
        (``backward(c, "y")``, the old positional form, still means
        ``output="y"`` for one release, with a DeprecationWarning.)
    wrt : str or sequence of str, optional
        Inputs to differentiate with respect to (default: all).  Only the
        nodes that depend on them get adjoints, so the gradient of a loss by
        its weights alone (the data being inputs too) makes no gates for the
        data's adjoints.
    keep_primal : bool
        Also keep the original outputs (first, under their own names).
    simplify : bool
        Run :func:`circuits.simplify` on the result.
    mirror : bool
        Keep every adjoint ``∂y/∂z`` as a node of its own, the chain rule (6)
        reading it, as textbooks draw backpropagation, so that
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
        every input ``x`` of ``wrt``, output-major.

    Examples
    --------
    The worked example, ``∂y/∂x1 = 2x1 + 2x2 + 2x1x2 + x2²``:

    >>> import circuits
    >>> y = circuits.trace(lambda x1, x2: (x1 + x2 + x1 * x2) * (x1 + x2))
    >>> g = circuits.backward(y)
    >>> list(g.outputs)
    ['df/dx1', 'df/dx2']
    >>> g.evaluate(x1=3, x2=5)["df/dx1"] == 2*3 + 2*5 + 2*3*5 + 5**2
    True
    >>> circuits.backward(y, wrt="x2").evaluate(x1=3, x2=5)
    {'df/dx2': 55}

    With ``mirror=True`` every ``∂y/∂z`` is a node: six of them here, one
    per vertex ``x1, x2, u1, u2, u3, y``:

    >>> m = circuits.backward(y, mirror=True)
    >>> len(m.meta["adjoint_of"]), m.evaluate(x1=3, x2=5)
    (6, {'f': 184, 'df/dx1': 71, 'df/dx2': 55})
    """
    check_circuit(circuit, "backward()")
    names = resolve_outputs(circuit, legacy_selector("backward", legacy, "output", output))
    xs = resolve_inputs(circuit, wrt)
    if mirror and len(names) > 1:
        raise CircuitError(f"backward(mirror=True) keeps the adjoints of one output, and {len(names)} are "
                           f"selected ({', '.join(map(repr, names[:3]))}{', ...' if len(names) > 3 else ''}); "
                           f"choose one with output={names[0]!r}")
    keep_primal = keep_primal or mirror  # the drawing mirrors y: keep it
    compiled = len(names) == 1 and not keep_primal and len(circuit) >= COMPILED_FROM
    with gc_young_only():
        result = fast_gradient(circuit, names[0], wrt=xs) if compiled else None
        if result is None:  # the compiled sweep does not apply
            result = _swept(circuit, names, xs, keep_primal, mirror)
    if len(result) >= GIVE_BACK_FROM:  # the sweep's freed temporaries: back to the system
        give_back_memory()
    return _simplify(result) if simplify else result


def _swept(circuit: Circuit, names: Sequence[str], xs: Sequence[str], keep_primal: bool, mirror: bool) -> Circuit:
    """:func:`backward`'s gradient by one interpreted reverse sweep per output."""
    lin = Linearization(circuit, cache=len(names) > 1)  # one sweep asks for each wire once
    b = lin.fast
    wrt_nodes = [circuit.inputs[x] for x in xs]
    active = active_nodes(circuit, wrt_nodes)
    outs: list = []
    adjoint_of: dict = {}
    dropped: list | None = [] if len(names) == 1 and not keep_primal else None
    for k, y in enumerate(names):
        adjoint = reverse_sweep(lin, {circuit.outputs[y]: [(None, 1)]}, active, adjoint_of if k == 0 else None,
                                keep=mirror, dropped=dropped)
        get = adjoint.get
        outs += zip(dnames(y, xs), [materialise(b, get(v)) for v in wrt_nodes])
    adjoint_of = {u: z for u, z in adjoint_of.items() if z >= 0}  # (see _trim)
    return finish(b, circuit, outs, keep_primal, adjoint_of=adjoint_of, dropped=sum(dropped or ()))


def vjp(circuit: Circuit, cotangents=None, *, output: Optional[Union[str, Sequence[str]]] = None,
        wrt: Optional[Union[str, Sequence[str]]] = None, keep_primal: bool = False) -> Circuit:
    """Vector-Jacobian product ``w · ∇g`` (Griewank & Walther 2008) in one reverse sweep.

    Parameters
    ----------
    circuit : Circuit
    cotangents : None, mapping or sequence
        Seeds per output: by default each output ``y`` gets a new input named
        ``y_bar``; a mapping gives, per output name, a number (a constant
        seed) or a string (the name of a new input); outputs left out have
        seed zero.  A sequence gives them in output order (in ``output``'s
        order when given).
    output : str or sequence of str, optional
        The outputs that get a cotangent (default: all); the others have
        seed zero.
    wrt : str or sequence of str, optional
        The inputs ``x`` whose ``x_bar`` is made (default: all).
    keep_primal : bool
        Also keep the original outputs.

    Returns
    -------
    Circuit
        Inputs: the circuit's, then the cotangent inputs; outputs ``x_bar``
        for every input ``x`` of ``wrt``.  Its size is O(s + w).

    Examples
    --------
    >>> import circuits
    >>> c = circuits.trace(lambda x, y: (x * y, x + y))
    >>> v = circuits.vjp(c)
    >>> list(v.inputs), list(v.outputs)
    (['x', 'y', 'f0_bar', 'f1_bar'], ['x_bar', 'y_bar'])
    >>> v.evaluate(x=2, y=3, f0_bar=1, f1_bar=10)
    {'x_bar': 13, 'y_bar': 12}
    >>> circuits.vjp(c, output="f1", wrt="x").evaluate(x=2, y=3, f1_bar=10)
    {'x_bar': 10}
    """
    check_circuit(circuit, "vjp()")
    seeds_by_name = seed_spec(resolve_outputs(circuit, output), cotangents, "_bar")
    xs = resolve_inputs(circuit, wrt)
    with gc_young_only():
        return _vjp(circuit, seeds_by_name, keep_primal, xs)


def _vjp(circuit, seeds_by_name, keep_primal, xs=None):
    """:func:`vjp` once its seeds are read: one reverse sweep from them."""
    lin = Linearization(circuit, cache=False)
    b = lin.fast
    seeds: dict = {}
    for y, seed in seeds_by_name.items():
        if seed is None:
            continue
        d = (b.input_node(seed), 1) if isinstance(seed, str) else (None, seed)
        if d == (None, 0):
            continue
        seeds.setdefault(circuit.outputs[y], []).append(d)
    xs = list(circuit.inputs) if xs is None else xs
    active = active_nodes(circuit, [circuit.inputs[x] for x in xs])
    dropped = None if keep_primal else []
    adjoint = reverse_sweep(lin, seeds, active, dropped=dropped)
    outs = [(f"{x}_bar", materialise(b, adjoint.get(circuit.inputs[x]))) for x in xs]
    return finish(b, circuit, outs, keep_primal, dropped=sum(dropped or ()))


def seed_spec(names, spec, suffix):
    """Normalise tangent/cotangent seeds to {name: None | number | new input name}."""
    if spec is None:
        return {n: f"{n}{suffix}" for n in names}
    if isinstance(spec, Mapping):
        unknown = [k for k in spec if k not in names]
        if unknown:
            raise CircuitError(f"seed given for {unknown[0]!r}, which is not one of {listing(names)}")
        out = {}
        for n in names:
            s = spec.get(n)
            out[n] = s if s is None or isinstance(s, str) else check_number(s, f"seed for {n!r}")
        return out
    spec = check_sequence(spec, "the seeds (tangents or cotangents)")
    if len(spec) != len(names):
        raise CircuitError(f"{len(spec)} seeds given for {len(names)} names {listing(names)}")
    return seed_spec(names, dict(zip(names, spec)), suffix)
