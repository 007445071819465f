"""Linearization: the local partial ``∂_u[g]`` of every wire, built once.

The chain rule writes the derivative of a gate
``g`` with arguments ``u, v, ..., w`` through its *local partials*
``∂_u[g], ∂_v[g], ..., ∂_w[g]``; Bauer (1974) and Griewank & Walther
(2008) label every edge ``j → k`` of the computational graph with
``c_kj = ∂_j[k]`` and calls the result the *linearized computational graph*:
``∂y/∂x`` is then Bauer's sum, over the paths from ``x`` to ``y``, of the
products of the edge labels.  Forward propagation, backpropagation, JVPs,
VJPs and Bauer's paths are different ways of summing the same labels, so they
all read them from one place, this module.

A wire is ``(u → g, i)``: argument position ``i`` of gate ``g`` is node ``u``.
Its partial is a *scaled value* (see :mod:`circuits.ad.common`):

* ``None`` when it is structurally zero (the exponent of a ``pow`` gate, the
  argument of a ``step``),
* ``(None, c)`` when it is the constant ``c`` (a wire weight of a ``+`` gate),
* ``(node, c)`` when it is ``c · node`` for a node of the builder, where the
  gate's partial rule emitted the gates computing it.

Three views:

* :class:`Linearization` — the symbolic one, built lazily over a
  :class:`~circuits.Builder` that extends the circuit: each wire's partial
  gates are emitted the first time a sweep asks for them and never again.
  The sweeps of :func:`~circuits.forward`, :func:`~circuits.backward`,
  :func:`~circuits.jvp` and :func:`~circuits.vjp` work on it.
* :func:`edge_values` — every partial as a number (or a sympy expression)
  at a point.
* :func:`linearized_graph` — Bauer's linearized graph as a :class:`networkx.DiGraph`
  with a ``partial`` attribute per edge (parallel wires, as in ``f(x, x)``,
  summed).

Examples
--------
>>> import circuits
>>> f = circuits.parse("x * y + sin(x)")
>>> lin = circuits.linearize(f)
>>> sorted(lin.wires())                  # (u, g, position): x=0, y=1, x*y=2, sin(x)=3, + = 4
[(0, 2, 0), (0, 3, 0), (1, 2, 1), (2, 4, 0), (3, 4, 1)]
>>> values = circuits.edge_values(f, {"x": 0.0, "y": 2.0})
>>> values[(0, 2, 0)], values[(1, 2, 1)], values[(0, 3, 0)]   # y, x and cos(x)
(2.0, 0.0, 1.0)
>>> G = circuits.linearized_graph(f)
>>> G.edges[0, 2]["partial"], G.edges[0, 3]["partial"]
(y, cos(x))
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any, Iterator, Mapping, Optional, Sequence, Union

import networkx as nx
import sympy

from ..core.builder import Builder
from ..core.scratch import run_partial
from ..core.circuit import Circuit
from ..core.errors import CircuitError
from ..eval.budget import symbolic_budget
from ..eval.interpreter import node_values
from ..core.gates import BUILTIN, GATES
from .common import active_nodes, resolve_inputs, resolve_outputs

__all__ = ["Linearization", "linearize", "edge_values", "linearized_graph"]


class Linearization:
    """The local partials of a circuit's wires, as gates of one builder.

    Parameters
    ----------
    circuit : Circuit
        The circuit whose wires are linearized.
    builder : Builder, optional
        Where the partial gates go: a builder extending ``circuit`` (node ids
        of ``circuit`` are node ids of the builder).  By default a new
        ``Builder.extending(circuit)``.  Transforms pass their own, so that
        the partials and the chain-rule gates end up in one circuit.
    cache : bool
        Keep each wire's partial (default).  A caller that asks for each wire
        at most once, such as a single reverse sweep, passes False and saves
        the bookkeeping; :meth:`wires` and :meth:`partials` then stay empty.

    Notes
    -----
    :meth:`partial` emits a wire's partial gates on first use and caches the
    result, so however many sweeps run over one linearization (one per output
    in a Jacobian by rows, one per input in forward propagation), every
    partial is built once.  The weight of a wire into a ``+`` gate is its
    partial; it costs no gate.
    """

    __slots__ = ("circuit", "builder", "fast", "_cache", "_ops", "_args", "_weights", "_rules")

    def __init__(self, circuit: Circuit, builder: Optional[Builder] = None, *, cache: bool = True):
        if not isinstance(circuit, Circuit):
            raise CircuitError(f"linearize expects a Circuit, got {type(circuit).__name__}")
        if builder is not None and not isinstance(builder, Builder):
            raise CircuitError(f"Linearization: builder must be a circuits.Builder (one extending the circuit), "
                               f"got {type(builder).__name__}")
        self.circuit = circuit
        self.builder = Builder.extending(circuit) if builder is None else builder
        #: the builder's trusted twin (:meth:`Builder.trusted`), for gates made of known nodes
        self.fast = self.builder.trusted()
        self._cache: Optional[dict] = {} if cache else None
        rec = circuit.record
        self._ops, self._args, self._weights = rec.ops, rec.args, rec.params
        self._rules: dict = {}

    @property
    def cached(self) -> bool:
        """Whether :meth:`partial` keeps what it builds."""
        return self._cache is not None

    def weight(self, g: int, i: int):
        """The partial of wire ``i`` into the weighted (``+``) gate ``g``: its weight, no gate."""
        w = self._weights[g]
        return 1 if w is None else w[i]

    def partial(self, g: int, i: int):
        """``∂_{u_i}[g]`` as a scaled value: ``None``, ``(None, c)`` or ``(node, c)``."""
        cache = self._cache
        if cache is None:
            return self.build(g, i)
        key = (g, i)
        p = cache.get(key, cache)
        if p is cache:
            p = cache[key] = self.build(g, i)
        return p

    def rule(self, op: str) -> tuple:
        """``(partial rule, builder, weighted)`` for gates ``op``: how :meth:`build` calls the rule.

        The registry's own rules get the builder's trusted twin (they only
        pass node ids they were given or made); rules of gates registered
        later get the checking builder, so a faulty rule is reported where it
        errs.  A linear gate has no rule to call: ``(None, None, True)``.
        """
        r = self._rules.get(op)
        if r is None:
            gate = GATES[op]
            if gate.linear:
                r = (None, None, True)
            else:
                r = (gate.partial, self.fast if op in BUILTIN else self.builder, gate.weighted)
            self._rules[op] = r
        return r

    def plan(self, op: str, arity: int):
        """The partials of a gate ``op`` of ``arity`` arguments as data, one per position, or False.

        Each is what :func:`partial_template` traced from the registry's
        rule; a sweep that builds each wire once may emit it without calling
        the rule.  False when some position needs the rule itself (a gate
        registered later, a weighted gate, a partial of several gates or
        with constants).
        """
        if op not in BUILTIN or self.cached:
            return False
        plan = tuple(partial_template(op, arity, i) for i in range(arity))
        return False if CALL_RULE in plan else plan

    def build(self, g: int, i: int):
        """Emit the partial of wire ``i`` into ``g`` anew, bypassing the cache."""
        rule, b, weighted = self.rule(self._ops[g])
        if rule is None:  # a linear gate: the partial is the wire weight, no gate
            return (None, self.weight(g, i))
        if weighted:  # the node's parameters go to the rule
            return rule(b, self._args[g], g, i, weights=self._weights[g])
        return rule(b, self._args[g], g, i)

    def wires(self) -> Iterator[tuple]:
        """The wires linearized so far, as ``(u, g, i)`` triples (argument ``i`` of ``g`` is ``u``)."""
        args = self._args
        for g, i in self._cache or ():
            yield (args[g][i], g, i)

    def partials(self) -> dict:
        """``{(u, g, i): scaled value}`` for the wires linearized so far."""
        args = self._args
        return {(args[g][i], g, i): p for (g, i), p in (self._cache or {}).items()}

    def __len__(self) -> int:
        return len(self._cache or ())

    def __repr__(self) -> str:
        extra = len(self.builder) - len(self.circuit)
        return f"<Linearization of {len(self)} wires, {extra} new nodes>"


CALL_RULE = "call"  # partial_template's answer when the rule itself must be called
_TEMPLATES: dict = {}


def partial_template(op: str, arity: int, i: int):
    """The partial rule of gate ``op`` (``arity`` arguments, position ``i``) as data, traced once.

    The rule declared in :data:`circuits.core.gates.GATES` is run on placeholder
    nodes (an input per argument and one for the gate's output) and what it
    emitted is read back:

    * ``None``: the partial is structurally zero;
    * ``(None, ref, c)``: the partial is ``c`` times an existing node, the
      argument ``ref`` or, for ``ref = -1``, the gate's output;
    * ``(gate, ref, c)``: ``c`` times one new gate ``gate`` over that node;
    * ``"call"``: anything else (several gates, constants, parameters), for
      which the rule itself is called.

    The rule stays the only declaration; this is a reading of it that a sweep
    can apply without a call per wire.

    Examples
    --------
    >>> partial_template("sin", 1, 0), partial_template("exp", 1, 0), partial_template("cos", 1, 0)
    (('cos', 0, 1), (None, -1, 1), ('sin', 0, -1))
    >>> partial_template("mul", 2, 1), partial_template("step", 1, 0), partial_template("tanh", 1, 0)
    ((None, 0, 1), None, 'call')
    """
    gate = GATES[op]
    key = (op, arity, i)
    known = _TEMPLATES.get(key)
    if known is not None and known[0] is gate:
        return known[1]
    template: Any = CALL_RULE  # CALL_RULE, None or the traced rule
    if not (gate.weighted or gate.constant_args or gate.linear):
        b, args, out, first, p = run_partial(gate, arity, i)
        places = {u: j for j, u in enumerate(args)}
        places[out] = -1
        made = len(b) - first
        last = len(b) - 1
        if p is None:
            template = None
        elif made == 0 and p[0] in places:
            template = (None, places[p[0]], p[1])
        elif made == 1 and p[0] == last and b.params(last) is None and len(b.args(last)) == 1 \
                and b.args(last)[0] in places:
            template = (b.op(last), places[b.args(last)[0]], p[1])
    _TEMPLATES[key] = (gate, template)
    return template


def _relevant(circuit: Circuit, wrt, output):
    """Marks of the nodes that depend on ``wrt`` and of those that reach ``output``."""
    active = active_nodes(circuit, [circuit.inputs[x] for x in resolve_inputs(circuit, wrt)])
    useful = bytearray(len(circuit))
    for y in resolve_outputs(circuit, output):
        useful[circuit.outputs[y]] = 1
    argss = circuit.record.args
    for g in range(len(circuit) - 1, -1, -1):
        if useful[g]:
            for u in argss[g]:
                useful[u] = 1
    return active, useful


def linearize(circuit: Circuit, *, wrt: Optional[Sequence[str]] = None,
              output: Optional[Union[str, Sequence[str]]] = None) -> Linearization:
    """Build the local partial of every wire that lies between ``wrt`` and ``output``.

    Parameters
    ----------
    circuit : Circuit
    wrt : sequence of str, optional
        Inputs (default: all).  Wires out of nodes that depend on none of them
        carry no derivative and are skipped.
    output : str or sequence of str, optional
        Outputs (default: all).  Wires into gates that reach none of them are
        skipped.

    Returns
    -------
    Linearization
        With every such wire's partial built; the partial gates live in
        ``linearization.builder`` after the circuit's own nodes.

    Examples
    --------
    The partials of ``x · y`` are ``y`` and ``x`` (no new gate); the partial
    of ``exp(u)`` is the ``exp`` gate itself; a ``+`` wire's is its weight:

    >>> import circuits
    >>> f = circuits.parse("exp(x * y) - 3*x")
    >>> lin = circuits.linearize(f)
    >>> [f.op(n) for n in range(len(f))]
    ['input', 'input', 'mul', 'exp', 'add']
    >>> lin.partials()
    {(0, 2, 0): (1, 1), (1, 2, 1): (0, 1), (2, 3, 0): (3, 1), (3, 4, 0): (None, 1), (0, 4, 1): (None, -3)}
    >>> len(lin.builder) - len(f)             # no partial needed a gate of its own
    0
    """
    if not isinstance(circuit, Circuit):
        raise CircuitError(f"linearize expects a Circuit, got {type(circuit).__name__}")
    lin = Linearization(circuit)
    active, useful = _relevant(circuit, wrt, output)
    partial = lin.partial
    for g, a in enumerate(circuit.record.args):
        if a and useful[g]:
            for i, u in enumerate(a):
                if active[u]:
                    partial(g, i)
    return lin


def _node_values(builder: Builder, inputs: Mapping[str, int], point: Optional[Mapping[str, Any]]):
    """Value of every node of ``builder`` at ``point`` (sympy symbols without one)."""
    env = point if point is not None else {x: sympy.Symbol(x) for x in inputs}
    return node_values(builder.snapshot(), env)  # a point that is not a mapping: one CircuitError there


def _scaled_value(p, values):
    if p is None:
        return 0
    node, c = p
    if node is None:
        return c
    return values[node] if c == 1 else c * values[node]


def edge_values(circuit: Circuit, point: Optional[Mapping[str, Any]] = None, *,
                wrt: Optional[Sequence[str]] = None,
                output: Optional[Union[str, Sequence[str]]] = None) -> dict:
    """Every wire's local partial at ``point``: ``{(u, g, i): value}``.

    Parameters
    ----------
    circuit : Circuit
    point : mapping, optional
        Input name → value, in any number system :func:`circuits.evaluate`
        takes (floats, Fractions, numpy batches, sympy expressions).  Without
        a point the partials are sympy expressions in the input symbols.
    wrt, output : optional
        As in :func:`linearize`: only wires between these inputs and outputs.

    Returns
    -------
    dict
        ``(u, g, i) → ∂_u[g]`` for argument position ``i`` of gate ``g``;
        a structurally zero partial is ``0``.

    Examples
    --------
    The worked example ``y = (x1 + x2 + x1·x2)(x1 + x2)`` at (3, 5):

    >>> import circuits
    >>> y = circuits.trace(lambda x1, x2: (x1 + x2 + x1 * x2) * (x1 + x2))
    >>> ev = circuits.edge_values(y, {"x1": 3, "x2": 5})
    >>> [(y.op(g), i, v) for (u, g, i), v in sorted(ev.items())]
    [('mul', 0, 5), ('add', 0, 1), ('add', 0, 1), ('mul', 1, 3), ('add', 1, 1), ('add', 1, 1), ('add', 2, 1), ('mul', 0, 8), ('mul', 1, 23)]
    """
    lin = linearize(circuit, wrt=wrt, output=output)
    values = _node_values(lin.builder, circuit.inputs, point)
    return {wire: _scaled_value(p, values) for wire, p in lin.partials().items()}


def linearized_graph(circuit: Circuit, point: Optional[Mapping[str, Any]] = None, *,
                     wrt: Optional[Sequence[str]] = None,
                     output: Optional[Union[str, Sequence[str]]] = None) -> nx.DiGraph:
    """The linearized computational graph (Bauer 1974; Griewank & Walther 2008).

    Parameters
    ----------
    circuit : Circuit
    point : mapping, optional
        Where to evaluate the partials; without one they are sympy
        expressions in the inputs.
    wrt, output : optional
        As in :func:`linearize`.

    Returns
    -------
    networkx.DiGraph
        Nodes are the circuit's node ids (attributes ``op``, and ``name`` for
        inputs, ``value`` for constants, ``output`` for the output names a
        node carries); an edge ``u → g`` carries ``partial``, the sum of
        ``∂_u[g]`` over the wires from ``u`` into ``g`` (``x · x`` has two
        wires and one edge of partial ``2x``).  Only wires with a partial
        that is not structurally zero are edges.  Graph attributes:
        ``inputs`` and ``outputs`` (name → node).

    Examples
    --------
    ``f(x, x)``: the two wires of ``x · x`` make one edge.

    >>> import circuits
    >>> G = circuits.linearized_graph(circuits.parse("x*x + x"))
    >>> sorted(G.edges(data="partial"))
    [(0, 1, 2*x), (0, 2, 1), (1, 2, 1)]
    >>> circuits.linearized_graph(circuits.parse("x*x + x"), {"x": 3}).edges[0, 1]["partial"]
    6
    """
    with symbolic_budget("linearized_graph") if point is None else nullcontext():
        return _linearized_graph(circuit, point, wrt, output)


def _linearized_graph(circuit, point, wrt, output) -> nx.DiGraph:
    lin = linearize(circuit, wrt=wrt, output=output)
    values = _node_values(lin.builder, circuit.inputs, point)
    G = nx.DiGraph(inputs=dict(circuit.inputs), outputs=dict(circuit.outputs))
    names_at: dict = {}
    for y, v in circuit.outputs.items():
        names_at.setdefault(v, []).append(y)
    for v in range(len(circuit)):
        op = circuit.op(v)
        attrs: dict = {"op": op}
        if op == "input":
            attrs["name"] = circuit.name(v)
        elif op == "const":
            attrs["value"] = circuit.value(v)
        if v in names_at:
            attrs["output"] = tuple(names_at[v])
        G.add_node(v, **attrs)
    for (u, g, _i), p in lin.partials().items():
        if p is None:
            continue
        value = _scaled_value(p, values)
        if G.has_edge(u, g):
            G.edges[u, g]["partial"] = G.edges[u, g]["partial"] + value
        else:
            G.add_edge(u, g, partial=value)
    return G


_TRACES: dict = {}


def _traced_steps(b, first: int, refs: dict, arity: int) -> Optional[tuple]:
    """The steps the rule emitted from node ``first`` on, numbering them in ``refs``; None if one reads another node."""
    steps: list[tuple] = []
    for node in range(first, len(b)):
        if b.op(node) == "const":
            steps.append(("const", b.value(node)))
        else:
            if not all(u in refs for u in b.args(node)):
                return None
            steps.append((b.op(node), tuple(refs[u] for u in b.args(node)), b.params(node)))
        refs[node] = arity + 1 + node - first
    return tuple(steps)


def partial_trace(op: str, arity: int, i: int, constants: tuple = (), positions: Optional[tuple] = None):
    """The partial rule of gate ``op`` at position ``i`` as a straight-line program, traced once.

    Like :func:`partial_template`, but for rules that emit several gates and
    constants: the rule declared in :data:`circuits.core.gates.GATES` runs on
    placeholder nodes (an input per argument, one for the gate's output; the
    arguments at ``positions``, by default the gate's declared constant
    arguments such as ``pow``'s exponent, are the constants ``constants`` in
    order: ``2·u``'s rule folds its 2 into the partial's scale) and what it
    emitted is read back as

    * ``None``: the partial is structurally zero;
    * ``(steps, ref, c)``: ``steps`` a tuple of ``("const", value)`` or
      ``(gate, refs, weights)``, and the partial ``c`` times node ``ref``
      (``None`` for the constant ``c``).  A ref ``j < arity`` is argument
      ``j``, ``arity`` the gate's output and ``arity + 1 + s`` step ``s``;
    * ``"call"``: anything else (a linear or weighted gate, a rule that
      fails on placeholders or reads a constant argument's node).

    The compiled reverse sweep (:mod:`circuits.ad.fast_backward`)
    replays these instead of calling the rule; the rule stays the only
    declaration.

    Examples
    --------
    >>> partial_trace("tanh", 1, 0)
    ((('const', 1), ('square', (1,), None), ('add', (2, 3), (1, -1))), 4, 1)
    >>> partial_trace("pow", 2, 0, (3,)), partial_trace("pow", 2, 1, (3,)), partial_trace("mul", 2, 0)
    (((('square', (0,), None),), 3, 3), None, ((), 1, 1))
    >>> partial_trace("mul", 2, 0, (5,), positions=(1,))   # d(u·5)/du: the scale 5, no node
    ((), None, 5)
    """
    gate = GATES[op]
    positions = gate.constant_args if positions is None else tuple(positions)
    key = (op, arity, i, positions, tuple((type(k), k) for k in constants))
    known = _TRACES.get(key)
    if known is not None and known[0] is gate:
        return known[1]
    trace: Any = CALL_RULE  # CALL_RULE, None or the traced steps
    if (not (gate.weighted or gate.linear) and len(constants) == len(positions)
            and set(gate.constant_args) <= set(positions)):
        given = dict(zip(positions, constants))
        try:
            b, args, out, first, p = run_partial(gate, arity, i, constants, positions=positions)
        except Exception:  # a rule that needs more than placeholders: call it
            p = CALL_RULE
        if p is None:
            trace = None
        elif p is not CALL_RULE and len(set(args)) == arity:
            refs = {u: j for j, u in enumerate(args) if j not in given}
            refs[out] = arity
            steps = _traced_steps(b, first, refs, arity)
            node, c = p
            if steps is not None and (node is None or node in refs):
                trace = (steps, None if node is None else refs[node], c)
    _TRACES[key] = (gate, trace)
    return trace
