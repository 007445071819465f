"""The rules a circuit's parts obey, checked where a circuit is made.

Numbers (:func:`check_number`), names (:func:`check_name`), gate nodes (:func:`node_error`,
the one node validator of the package), networkx graphs (:func:`read_graph`, what
:meth:`circuits.Circuit.from_networkx` reads) and output selections (:func:`select_outputs`).
:mod:`circuits.core.circuit` re-exports them.

Examples
--------
>>> is_exponent(3), is_exponent(0.5)
(True, False)
>>> names_text(["x", "y"])
'x, y'
"""

from __future__ import annotations

import math
import numbers
from fractions import Fraction
from typing import Any, Mapping, Optional, Sequence

import networkx as nx

from .checks import check_names
from .errors import CircuitError, did_you_mean, listing
from .gates import GATES, MAX_EXPONENT, SOURCES

__all__ = ["is_exponent", "check_number", "check_name", "node_error", "read_graph", "select_outputs",
           "names_text"]


def is_exponent(value) -> bool:
    """Whether ``value`` may be the exponent of a ``pow`` gate: an integer, |k| <= MAX_EXPONENT."""
    if isinstance(value, float) and not math.isfinite(value):
        return False
    return value == int(value) and abs(value) <= MAX_EXPONENT


def _hashable(v) -> bool:
    try:
        hash(v)
    except TypeError:
        return False
    return True


def check_number(value: Any, where: str) -> Any:
    """Return ``value`` as an int, float or Fraction, or raise CircuitError.

    Examples
    --------
    >>> check_number(3, "x"), check_number(0.5, "x")
    (3, 0.5)
    >>> check_number("3", "constant node 7")
    Traceback (most recent call last):
    ...
    circuits.CircuitError: constant node 7: value '3' is not a number (int, float or Fraction)
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise CircuitError(f"{where}: value {value!r} is not a number (int, float or Fraction)")
    if type(value) in (int, float, Fraction):
        return value
    if isinstance(value, numbers.Integral):  # numpy integers, int subclasses
        return int(value)
    if isinstance(value, numbers.Rational):
        return Fraction(int(value.numerator), int(value.denominator))
    return float(value)


def check_name(name: Any, what: str) -> str:
    r"""Return ``name`` if it is a non-empty printable string, else raise CircuitError.

    Input and output names end up in messages, generated code comments, JSON and
    drawings; control characters, lone surrogates and other non-printable text
    are refused where a circuit is made, not discovered later by Graphviz or an encoder.

    Examples
    --------
    >>> check_name("x_1", "input")
    'x_1'
    >>> check_name("x\ny", "input")
    Traceback (most recent call last):
    ...
    circuits.CircuitError: input name 'x\ny' contains the non-printable character '\n' (U+000A); names must be printable text
    """
    if not isinstance(name, str) or not name:
        raise CircuitError(f"{what} names must be non-empty strings, got {name!r}")
    if not name.isprintable():
        bad = next(ch for ch in name if not ch.isprintable())
        raise CircuitError(f"{what} name {name!r} contains the non-printable character {bad!r} "
                           f"(U+{ord(bad):04X}); names must be printable text")
    return name


def node_error(i: int, op, args, weights=None, *, op_of, value_of,
               where: Optional[str] = None) -> Optional[CircuitError]:
    """The first rule gate node ``i`` breaks, as a :class:`CircuitError`, or None.

    The one node validator of the package: the builder, :meth:`Circuit.from_networkx`,
    :func:`circuits.from_json` and :meth:`Circuit.check` all report a broken rule
    with these words.  ``op_of(u)`` and ``value_of(u)`` read earlier nodes.

    Examples
    --------
    >>> ops = ["input", "const"]
    >>> print(node_error(2, "pow", (0, 1), op_of=ops.__getitem__, value_of={1: 0.5}.get))
    node 2 (pow): argument 1 must be an integer constant with |k| <= 65536; use exp(k*log(u)) for other exponents
    >>> print(node_error(2, "sin", (0, 1), op_of=ops.__getitem__, value_of={}.get))
    node 2: gate 'sin' takes exactly 1 argument, got 2
    """
    where = where or f"node {i}"
    gate = GATES.get(op) if isinstance(op, str) else None
    if gate is None:
        return CircuitError(f"{where} has unknown op {op!r}{did_you_mean(op, GATES)}; known ops are "
                            f"'input', 'const' and {sorted(GATES)}")
    if not gate.accepts(len(args)):
        return CircuitError(f"{where}: gate {op!r} takes {gate.arity_text()}, got {len(args)}")
    for k, u in enumerate(args):
        if not (type(u) is int and 0 <= u < i):
            return CircuitError(f"{where} ({op}): argument {k} refers to node {u!r}, but arguments must be "
                                f"earlier nodes (0..{i - 1}); nodes are listed in topological order")
    if weights is not None:
        if not gate.weighted:
            return CircuitError(f"{where}: only wires into weighted gates such as 'add' may carry weights, "
                                f"not into {op!r}")
        if len(weights) != len(args):
            return CircuitError(f"{where} ({op}): {len(weights)} weights for {len(args)} arguments")
        for k, x in enumerate(weights):
            try:
                x = check_number(x, f"{where} ({op}): weight {k}")  # numpy scalars as Python numbers
            except CircuitError as exc:
                return exc
            if isinstance(x, float) and not math.isfinite(x):
                return CircuitError(f"{where} ({op}): wire weights must be finite, got {x}: "
                                    "a constant factor overflows to infinity or is not a number")
    for k in gate.constant_args:
        u = args[k]
        if op_of(u) != "const" or not is_exponent(value_of(u)):
            return CircuitError(f"{where} ({op}): argument {k} must be an integer constant with "
                                f"|k| <= {MAX_EXPONENT}; use exp(k*log(u)) for other exponents")
    return None


def _graph_order(G) -> tuple:
    """``(order, index)``: the nodes of ``G`` in a topological order and each node's place in it."""
    try:
        order = list(nx.topological_sort(G))
    except nx.NetworkXUnfeasible:
        cycle = nx.find_cycle(G)
        path = " -> ".join(repr(e[0]) for e in cycle) + f" -> {cycle[0][0]!r}"
        raise CircuitError(
            f"the graph has a cycle through nodes {path}; a circuit must be acyclic") from None
    # Prefer the graph's own node order among valid topological orders,
    # so that ids follow creation order when the graph was built that way.
    rank = {v: i for i, v in enumerate(G.nodes)}
    if any(rank[u] >= rank[v] for u, v in G.edges()):
        index = {v: i for i, v in enumerate(order)}
    else:
        index = rank
        order = list(G.nodes)
    return order, index


def _read_nodes(G, order: list, index: dict) -> tuple:
    """``(ops, args, weights, values, names)`` of the nodes of ``G`` taken in ``order``, validated."""
    multi = G.is_multigraph()
    ops: list = []
    args: list = []
    weights: list = []
    values: dict = {}
    names: dict = {}
    for i, v in enumerate(order):
        data = G.nodes[v]
        op = data.get("op")
        where = f"node {v!r}"
        if op is None:
            raise CircuitError(f"{where} has no 'op' attribute; give it 'input', 'const' or one of {sorted(GATES)}")
        if not isinstance(op, str) or (op not in GATES and op not in SOURCES):
            raise CircuitError(f"{where} has unknown op {op!r}; known ops are 'input', 'const' and {sorted(GATES)}")
        in_edges = list(G.in_edges(v, keys=True, data=True)) if multi else \
            [(u, v, d.get("position"), d) for u, v, d in G.in_edges(v, data=True)]
        if op in SOURCES and in_edges:
            raise CircuitError(f"{where} is an {op} but has {len(in_edges)} incoming wire(s); sources take no arguments")
        if op == "input":
            name = data.get("name", v if isinstance(v, str) else None)
            if not isinstance(name, str) or not name:
                raise CircuitError(f"{where} is an input without a 'name' string attribute")
            names[i] = name
        elif op == "const":
            if "value" not in data:
                raise CircuitError(f"{where} is a const without a 'value' attribute")
            values[i] = check_number(data["value"], f"constant {where}")
        ops.append(op)
        if op in SOURCES:
            args.append(())
            weights.append(None)
            continue
        gate = GATES[op]
        if any(k is None for _, _, k, _ in in_edges):
            if len(in_edges) > 1 and not gate.commutative:
                raise CircuitError(f"{where}: the wires into non-commutative gate {op!r} need a 'position' attribute")
            in_edges = [(u, v, k, d) for k, (u, v, _, d) in enumerate(in_edges)]
        keys = sorted(k for _, _, k, _ in in_edges if isinstance(k, int) and not isinstance(k, bool))
        if keys != list(range(len(in_edges))):
            got = sorted((str(k) for _, _, k, _ in in_edges))
            raise CircuitError(f"{where}: argument positions must be 0..{len(in_edges) - 1}, got {', '.join(got)}")
        in_edges.sort(key=lambda e: e[2])
        a = tuple(index[u] for u, _, _, _ in in_edges)
        w = None
        if any("weight" in d for _, _, _, d in in_edges):
            w = tuple(d.get("weight", 1) for _, _, _, d in in_edges)
            if not gate.weighted and all(x == 1 for x in w):
                w = None
        error = node_error(i, op, a, w, op_of=ops.__getitem__, value_of=values.get, where=where)
        if error is not None:
            raise error
        args.append(a)
        weights.append(None if w is None or all(x == 1 for x in w) else tuple(check_number(x, where) for x in w))
    return ops, args, weights, values, names


def _input_map(G, inputs, ops: list, names: dict, order: list, index: dict) -> dict:
    """The inputs of the circuit read from ``G``: input name -> node id, in order."""
    if inputs is None:
        inputs = G.graph.get("inputs")
    if inputs is None:
        in_nodes = [i for i in range(len(ops)) if ops[i] == "input"]
    else:
        if isinstance(inputs, Mapping):
            inputs = list(inputs.values())
        in_nodes = []
        for v in check_names(inputs, "from_networkx: inputs"):
            if v not in index:
                raise CircuitError(f"input {v!r} is not a node of the graph")
            if ops[index[v]] != "input":
                raise CircuitError(f"input {v!r} has op {ops[index[v]]!r}, not 'input'")
            in_nodes.append(index[v])
        listed = set(in_nodes)
        missing = [order[i] for i in range(len(ops)) if ops[i] == "input" and i not in listed]
        if missing:
            raise CircuitError(f"input node(s) {missing!r} are missing from inputs=[...]")
    in_map: dict = {}
    for i in in_nodes:
        if names[i] in in_map:
            raise CircuitError(f"two input nodes are named {names[i]!r} (nodes {order[in_map[names[i]]]!r} "
                               f"and {order[i]!r}); input names must be unique")
        in_map[names[i]] = i
    return in_map


def _output_map(G, outputs, order: list, index: dict) -> dict:
    """The outputs of the circuit read from ``G``: output name -> node id."""
    if outputs is None:
        outputs = G.graph.get("outputs")
    if outputs is None:
        sinks = [v for v in order if G.out_degree(v) == 0 and G.nodes[v]["op"] not in SOURCES]
        outputs = sinks
    if isinstance(outputs, Mapping):
        items = list(outputs.items())
    else:
        items = [(G.nodes[v].get("name", str(v)) if v in G else v, v)
                 for v in check_names(outputs, "from_networkx: outputs")]
    out_map = {}
    for name, v in items:
        if not _hashable(v) or v not in index:
            raise CircuitError(f"output {name!r}: {v!r} is not a node of the graph")
        if not isinstance(name, str):
            name = str(name)
        if name in out_map:
            raise CircuitError(f"two outputs are named {name!r}; output names must be unique")
        out_map[name] = index[v]
    return out_map


def read_graph(G, inputs: Optional[Sequence] = None, outputs: Optional[Sequence | Mapping] = None) -> tuple:
    """The arrays of a circuit read from a networkx graph, validated: ``(ops, args, weights, values,
    names, inputs, outputs)``, the arguments of :class:`circuits.Circuit`.

    What :meth:`circuits.Circuit.from_networkx` does (see there for ``G``, ``inputs`` and
    ``outputs``), less making the circuit.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("x", op="input", name="x"); G.add_node("s", op="sin")
    >>> _ = G.add_edge("x", "s", key=0)
    >>> read_graph(G)
    (['input', 'sin'], [(), (0,)], [None, None], {}, {0: 'x'}, {'x': 0}, {'s': 1})
    """
    if not isinstance(G, (nx.DiGraph, nx.MultiDiGraph)) or not G.is_directed():
        raise CircuitError(f"expected a networkx DiGraph or MultiDiGraph, got {type(G).__name__}")
    order, index = _graph_order(G)
    ops, args, weights, values, names = _read_nodes(G, order, index)
    in_map = _input_map(G, inputs, ops, names, order, index)
    out_map = _output_map(G, outputs, order, index)
    return ops, args, weights, values, names, in_map, out_map


def select_outputs(circuit: Any, output=None, *, one: bool = False, what: str = "") -> list:
    """Output names chosen by ``output`` (a name, a sequence of names, or None for all).

    The one output selector of the package.  With ``one=True`` exactly one
    output must result (``None`` is then accepted only for a one-output
    circuit); ``what`` prefixes the error message.

    Examples
    --------
    >>> import circuits
    >>> c = circuits.trace(lambda x: (x * x, x + 1))
    >>> select_outputs(c), select_outputs(c, "f1")
    (['f0', 'f1'], ['f1'])
    >>> select_outputs(c, one=True, what="hvp")
    Traceback (most recent call last):
    ...
    circuits.CircuitError: hvp: the circuit has 2 outputs ['f0', 'f1']; choose one with output=...
    """
    prefix = f"{what}: " if what else ""
    outputs = circuit.outputs
    if output is None:
        names = list(outputs)
        if one and len(names) != 1:
            raise CircuitError(f"{prefix}the circuit has {len(names)} outputs {names}; choose one with output=...")
        return names
    try:
        names = [output] if isinstance(output, str) else list(output)
    except TypeError:  # a number, say: not a name and not a list of names
        names = [output]
    for y in names:
        if not isinstance(y, str) or y not in outputs:
            raise CircuitError(f"{prefix}{y!r} is not an output of the circuit; its outputs are {listing(outputs)}")
    if one and len(names) != 1:
        raise CircuitError(f"{prefix}choose one output, got {names}")
    return names


def names_text(names, most: int = 6) -> str:
    names = list(names)
    if len(names) <= most:
        return ", ".join(names)
    return ", ".join(names[:most - 2]) + f", ..., {names[-1]} ({len(names)} in all)"
