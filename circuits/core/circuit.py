"""The circuit model: a validated DAG of sources and gates.

A circuit (Baur & Strassen 1983; Griewank & Walther 2008) is a directed acyclic
graph whose sources are input variables or constants and whose other vertices
are *gates* labeled by an operation of :data:`circuits.core.gates.GATES`.  Its
*size* is the number of gates (sources are not gates) and its *depth* the
number of gates on the longest source-to-output path.

Internally a :class:`Circuit` is a plain record of parallel arrays indexed by
node id, with ids in creation order, which is a topological order: every
argument of node ``i`` has an id smaller than ``i``.  Passes therefore walk
``range(len(circuit))`` forwards or backwards and never sort or recurse.
The public view is ``circuit.dag``, a :class:`networkx.MultiDiGraph` on which
every networkx algorithm works.  The edge key is the argument position, so
``x * x`` has two ordered wires, and wires into ``add`` carry a ``weight``.

Examples
--------
>>> import circuits, networkx as nx
>>> f = circuits.parse("(x - 3*y)**2 + x*y")
>>> f.size, f.depth, f.wires
(4, 3, 7)
>>> nx.dag_longest_path_length(f.dag)
3
>>> g = circuits.Circuit.from_networkx(f.dag)
>>> g.evaluate(x=1, y=2)
{'f': 27}
"""

from __future__ import annotations

from itertools import compress
from types import MappingProxyType
from typing import Any, Callable, ClassVar, Iterable, Mapping, NamedTuple, Optional, Sequence

import networkx as nx
import numpy as np

from .arrays import NodeMap, RecordArrays, arrays_of, keep_nodes, needed_nodes, tuples_of
from .errors import CircuitError
from .gates import GATES, SOURCES
from .validation import check_name, check_number, is_exponent, names_text, node_error, read_graph, select_outputs

__all__ = ["gate_binary_ops", "Circuit", "Record", "check_number", "check_circuit", "check_name", "is_exponent",
           "node_error", "select_outputs", "needed_nodes"]


def check_circuit(circuit: Any, where: str) -> "Circuit":
    """Return ``circuit`` if it is a :class:`Circuit`, else raise CircuitError naming ``where``.

    Examples
    --------
    >>> check_circuit("x + y", "forward()")
    Traceback (most recent call last):
    ...
    circuits.CircuitError: forward() expects a Circuit, got str; build one with circuits.parse or circuits.trace
    """
    if not isinstance(circuit, Circuit):
        raise CircuitError(f"{where} expects a Circuit, got {type(circuit).__name__}; "
                           "build one with circuits.parse or circuits.trace")
    if circuit._registry_version != GATES.version:  # (a gate may have been unregistered since)
        check_registered(circuit, where)
    return circuit


def check_registered(circuit: "Circuit", where: str = "") -> None:
    """Raise CircuitError naming the first gate of ``circuit`` that is not registered (any more).

    :func:`circuits.unregister_gate` leaves the circuits that use a gate in
    place; every later use of one fails here, in :func:`check_circuit`, with
    this one error.  Linear once per circuit, then a set lookup per gate kind.
    """
    kinds = circuit.gate_kinds()
    version = GATES.version
    for op in kinds:
        if op not in GATES:
            raise CircuitError(f"{where + ': ' if where else ''}the circuit uses gate {op!r}, which is not "
                               f"registered (unregister_gate removed it, or it was never registered here); "
                               f"register it with circuits.register_gate(...) first")
    circuit._registry_version = version


class Record(NamedTuple):
    """The read-only arrays of a circuit: what every pass reads (``circuit.record``).

    Node ids are ``0 .. len(ops) - 1`` in topological order (every argument of
    node ``i`` is smaller than ``i``).

    Attributes
    ----------
    ops : tuple of str
        ``ops[i]``: ``"input"``, ``"const"`` or a gate name of :data:`circuits.GATES`.
    args : tuple of tuple of int
        ``args[i]``: the argument nodes of node ``i`` in position order.
    params : tuple
        ``params[i]``: the node's parameters, passed to its gate's rules: the
        wire weights of a ``weighted`` gate (``None`` when all are 1), else ``None``.
    constants : mapping
        Constant node → its value (int, float or Fraction).
    input_names : mapping
        Input node → its name.
    inputs, outputs : mapping
        Ordered name → node maps.
    meta : mapping
        What transforms record about nodes: ``"role"`` (a tuple of
        ``"primal"``/``"derivative"`` per node) and ``"adjoint_of"``
        ({adjoint node: primal node}).  Not part of the circuit's meaning.

    Examples
    --------
    >>> import circuits
    >>> r = circuits.parse("2*x + y").record
    >>> r.ops, r.args, r.params
    (('input', 'input', 'add'), ((), (), (0, 1)), (None, None, (2, 1)))
    """

    ops: tuple
    args: tuple
    params: tuple
    constants: Mapping
    input_names: Mapping
    inputs: Mapping
    outputs: Mapping
    meta: Mapping


class Circuit:
    """An arithmetic circuit: a DAG of inputs, constants and gates.

    Build circuits with :class:`circuits.Builder`, :func:`circuits.trace`,
    :func:`circuits.parse`, :func:`circuits.from_sympy`,
    :meth:`Circuit.from_networkx` or :meth:`Circuit.from_json`.  The
    constructor takes the raw arrays and validates them as
    :func:`circuits.from_json` does (:meth:`check`: known gates and arities,
    arguments earlier in topological order, numeric constants, text never
    taken as a number): a bad argument raises one :class:`CircuitError`.

    Parameters
    ----------
    ops : sequence of str
        ``ops[i]`` is ``"input"``, ``"const"`` or a gate name.
    args : sequence of tuple of int
        ``args[i]`` are the argument nodes of node ``i``, all smaller than ``i``.
    weights : sequence of (tuple of numbers or None)
        Wire weights of ``add`` gates (``None``: all 1).
    values : mapping
        Constant node → value.
    names : mapping
        Input node → name.
    inputs, outputs : mapping
        Ordered name → node maps.
    meta : mapping, optional
        What transforms record about the nodes they made: ``"role"``, a
        sequence with one of ``"primal"`` (a copy of a gate of the original
        circuit) or ``"derivative"`` per node, and ``"adjoint_of"``, a map
        from each node ``∂y/∂z`` of a backward circuit to the node ``z`` it
        mirrors.  Used for drawing; not part of the circuit's meaning.
    """

    # methods that the modules implementing them attach (eval.interpreter, frontends.io,
    # ad.derivatives, render.draw), declared here for the type checker
    evaluate: Callable[..., Any]
    to_json: Callable[..., Any]
    from_json: ClassVar[Any]  # a classmethod
    matrix: Callable[..., Any]
    _repr_mimebundle_: Callable[..., Any]

    __slots__ = ("_op_t", "_arg_t", "_weight_t", "_arrays", "_values", "_names", "_inputs",
                 "_outputs", "_dag", "_depth", "_meta", "_record", "_kinds", "_registry_version")

    def __init__(self, ops, args, weights, values, names, inputs, outputs, meta=None):
        try:
            self._fill(ops, args, weights, values, names, inputs, outputs, meta)
            self.check()
        except CircuitError:
            raise
        except (TypeError, ValueError, AttributeError, KeyError, IndexError) as exc:
            raise CircuitError(f"Circuit(...): the arguments do not describe a circuit ({type(exc).__name__}: "
                               f"{str(exc)[:200]}); build circuits with circuits.parse, circuits.trace or "
                               "circuits.Builder") from None

    def _fill(self, ops, args, weights, values, names, inputs, outputs, meta, arrays=None):
        if arrays is None:
            self._op_t, self._arg_t, self._weight_t = tuple(ops), tuple(args), tuple(weights)
        else:  # the tuples are made when a pass first asks for them
            self._op_t = self._arg_t = self._weight_t = None
        self._arrays = arrays
        self._values = dict(values)
        self._names = dict(names)
        self._inputs = dict(inputs)
        self._outputs = dict(outputs)
        self._dag = None
        self._depth = None
        meta = dict(meta) if meta else {}
        if "role" in meta:
            meta["role"] = tuple(meta["role"])
        if "adjoint_of" in meta and not isinstance(meta["adjoint_of"], NodeMap):
            pairs = dict(meta["adjoint_of"])
            if set(map(type, pairs)) | set(map(type, pairs.values())) <= {int}:
                meta["adjoint_of"] = NodeMap(list(pairs), list(pairs.values()))
            else:  # not node ids: kept as given, for the pass that reads it to refuse
                meta["adjoint_of"] = MappingProxyType(pairs)
        self._meta = meta
        self._record = None
        self._kinds = None  # the gate kinds used, once needed (check_registered)
        self._registry_version = -1  # the registry's version when they were last found registered

    # --- the record's sequences: tuples, made from the arrays on first use -------

    def _tuples(self) -> tuple:
        if self._op_t is None:
            self._op_t, self._arg_t, self._weight_t = tuples_of(self._arrays)
        return self._op_t, self._arg_t, self._weight_t

    @property
    def _ops(self) -> tuple:
        return self._op_t if self._op_t is not None else self._tuples()[0]

    @property
    def _args(self) -> tuple:
        return self._arg_t if self._arg_t is not None else self._tuples()[1]

    @property
    def _weights(self) -> tuple:
        return self._weight_t if self._weight_t is not None else self._tuples()[2]

    # --- read access -----------------------------------------------------

    @property
    def arrays(self) -> RecordArrays:
        """The ops, arguments and weights as arrays (:class:`circuits.core.arrays.RecordArrays`).

        Kept when the circuit was made from arrays (the compiled backward sweep makes its
        gradient circuits so); made anew from the tuples of :attr:`record` otherwise.

        Examples
        --------
        >>> import circuits
        >>> a = circuits.parse("x * y").arrays
        >>> a.argptr.tolist(), a.argflat.tolist()
        ([0, 0, 0, 2], [0, 1])
        """
        if self._arrays is not None:
            return self._arrays
        return arrays_of(self._op_t, self._arg_t, self._weight_t)

    @property
    def record(self) -> Record:
        """The circuit's arrays as a read-only :class:`Record` (built once)."""
        if self._record is None:
            self._record = Record(self._ops, self._args, self._weights,
                                  MappingProxyType(self._values), MappingProxyType(self._names),
                                  MappingProxyType(self._inputs), MappingProxyType(self._outputs),
                                  MappingProxyType(self._meta))
        return self._record

    def replace(self, **changes) -> "Circuit":
        """A new, validated circuit with some :class:`Record` fields replaced.

        Examples
        --------
        >>> import circuits
        >>> c = circuits.parse("x * y")
        >>> c.replace(outputs={"g": 2, "x": 0}).evaluate(x=2, y=3)
        {'g': 6, 'x': 2}
        >>> c.replace(ops=("input", "input", "div")).evaluate(x=6, y=3)
        {'f': 2.0}
        """
        unknown = [k for k in changes if k not in Record._fields]
        if unknown:
            raise CircuitError(f"replace(): unknown field {unknown[0]!r}; the fields are {list(Record._fields)}")
        fields = self.record._replace(**changes)
        return trusted_circuit(fields.ops, fields.args, fields.params, fields.constants, fields.input_names,
                                fields.inputs, fields.outputs, fields.meta).check()

    def __len__(self) -> int:
        """Number of nodes (sources and gates)."""
        return len(self._op_t) if self._op_t is not None else len(self._arrays.codes)

    def __iter__(self):
        # without it, Python would try c[0], c[1], ... and fail with a TypeError
        raise CircuitError("a circuit is not a sequence; iterate over range(len(c)) for its node ids, "
                           "c.gates() for its gates, or c.inputs / c.outputs for their names")

    @property
    def inputs(self) -> Mapping[str, int]:
        """Ordered read-only mapping from input name to node id."""
        return MappingProxyType(self._inputs)

    @property
    def outputs(self) -> Mapping[str, int]:
        """Ordered read-only mapping from output name to node id."""
        return MappingProxyType(self._outputs)

    @property
    def constants(self) -> Mapping[int, Any]:
        """Read-only mapping from constant node to its value."""
        return MappingProxyType(self._values)

    @property
    def input_names(self) -> Mapping[int, str]:
        """Read-only mapping from input node to its name."""
        return MappingProxyType(self._names)

    @property
    def meta(self) -> Mapping[str, Any]:
        """Annotations left by transforms (node roles, mirrored nodes); may be empty."""
        return MappingProxyType(self._meta)

    def op(self, node: int) -> str:
        """Operation of ``node``: ``"input"``, ``"const"`` or a gate name."""
        return self._ops[node]

    def args(self, node: int) -> tuple:
        """Argument nodes of ``node`` in position order."""
        return self._args[node]

    def weights(self, node: int) -> tuple:
        """Wire weights into ``node`` (all 1 for gates other than ``add``)."""
        w = self._weights[node]
        return w if w is not None else (1,) * len(self._args[node])

    def value(self, node: int):
        """Value of constant ``node``."""
        return self._values[node]

    def name(self, node: int) -> str:
        """Name of input ``node``."""
        return self._names[node]

    @property
    def size(self) -> int:
        """Number of gates (the circuit's size; sources are not gates)."""
        if self._op_t is None:
            a = self._arrays
            return len(a.codes) - sum(int((a.codes == a.op_names.index(op)).sum()) for op in SOURCES
                                      if op in a.op_names)
        return sum(1 for op in self._op_t if op not in SOURCES)

    @property
    def wires(self) -> int:
        """Number of wires (edges)."""
        if self._op_t is None:
            return int(self._arrays.argptr[-1])
        return sum(len(a) for a in self._arg_t)

    @property
    def depth(self) -> int:
        """Number of gates on the longest source-to-output path."""
        if self._depth is None:
            level = [0] * len(self._ops)
            for i, a in enumerate(self._args):
                if a:
                    level[i] = 1 + max(level[u] for u in a)
            self._depth = max((level[v] for v in self._outputs.values()), default=0)
        return self._depth

    def gate_kinds(self) -> tuple:
        """The distinct gate ops the circuit uses (sources apart), found once.

        Examples
        --------
        >>> import circuits
        >>> sorted(circuits.parse("sin(x) * sin(y) + x").gate_kinds())
        ['add', 'mul', 'sin']
        """
        if self._kinds is None:
            if self._op_t is None:  # kept as arrays: the ops their codes use
                a = self._arrays
                used = {a.op_names[k] for k in np.unique(a.codes).tolist()}
            else:
                used = set(self._op_t)
            self._kinds = tuple(used.difference(SOURCES))
        return self._kinds

    def gates(self) -> Iterable[int]:
        """Ids of the gate nodes, in topological order."""
        return (i for i, op in enumerate(self._ops) if op not in SOURCES)

    def __repr__(self) -> str:
        ins, outs = names_text(self._inputs), names_text(self._outputs)
        return (f"<Circuit ({ins}) -> ({outs}): size {self.size}, "
                f"depth {self.depth}, wires {self.wires}>")

    #: Jupyter draws circuits of at most this many nodes (``_repr_mimebundle_``, attached by
    #: circuits.render); larger ones get a one-line summary.
    DISPLAY_MAX_NODES = 60

    # --- the networkx view ---------------------------------------------------

    @property
    def dag(self) -> nx.MultiDiGraph:
        """The circuit as a :class:`networkx.MultiDiGraph` (built once, cached).

        Nodes are the ids ``0 .. len(circuit) - 1`` in topological order with
        attributes ``op`` and, for inputs, ``name``, for constants, ``value``.
        Edge ``(u, v, k)`` is the wire from ``u`` into argument position ``k``
        of ``v``; wires into ``add`` carry ``weight``.  ``dag.graph`` holds the
        ``inputs`` and ``outputs`` maps.

        The graph is read-only, as the circuit is (transforms return new
        circuits): adding or removing nodes or edges raises
        :class:`CircuitError`, and the attribute maps cannot be changed.
        ``circuit.dag.copy()`` is an ordinary graph to edit, and
        :meth:`from_networkx` makes a circuit of it.  (A frozen view costs
        nothing per access; a fresh copy per access would cost as much as
        building the graph, about 2 s on a circuit of 30,000 nodes.)

        Examples
        --------
        >>> import circuits
        >>> c = circuits.parse("x * y + x")
        >>> c.dag.remove_node(0)
        Traceback (most recent call last):
        ...
        circuits.CircuitError: circuit.dag is read-only, as the circuit is; edit a copy, g = circuit.dag.copy(), and make a circuit of it with Circuit.from_networkx(g)
        >>> g = c.dag.copy()
        >>> g.remove_edge(0, 3, 1); _ = g.add_edge(1, 3, 1)   # x * y + y
        >>> circuits.Circuit.from_networkx(g).evaluate(x=2, y=3)
        {'f': 9}
        """
        if self._dag is None:
            g = nx.MultiDiGraph(inputs=dict(self._inputs), outputs=dict(self._outputs))
            values, names = self._values, self._names
            g.add_nodes_from(
                (i, {"op": op, "value": values[i]} if op == "const"
                 else {"op": op, "name": names[i]} if op == "input" else {"op": op})
                for i, op in enumerate(self._ops))
            edges: list = []
            for v, a in enumerate(self._args):
                w = self._weights[v]
                if a and GATES[self._ops[v]].weighted:
                    w = w if w is not None else (1,) * len(a)
                    edges.extend((u, v, k, {"weight": w[k]}) for k, u in enumerate(a))
                else:
                    edges.extend((u, v, k) for k, u in enumerate(a))
            g.add_edges_from(edges)
            self._dag = _frozen(g)
        return self._dag

    @classmethod
    def from_networkx(cls, G, inputs: Optional[Sequence] = None,
                      outputs: Optional[Sequence | Mapping] = None) -> "Circuit":
        """Validate a networkx graph and make it a circuit.

        Parameters
        ----------
        G : networkx.MultiDiGraph or networkx.DiGraph
            Nodes carry ``op`` (a gate name, ``"input"`` or ``"const"``),
            inputs a ``name``, constants a ``value``.  In a MultiDiGraph the
            edge key is the argument position; in a DiGraph the edge attribute
            ``position`` is (it may be omitted for one-argument and
            commutative gates).  Wires into ``add`` may carry ``weight``.
        inputs : sequence of nodes, optional
            Input nodes in order; by default ``G.graph["inputs"]`` or all
            input nodes in topological order.
        outputs : sequence of nodes or mapping name → node, optional
            Output nodes; a sequence takes names from the nodes' ``name``
            attribute (else the node itself).  By default ``G.graph["outputs"]``
            or every gate without successors.

        Raises
        ------
        CircuitError
            Naming the node for a cycle, an unknown op, a wrong arity,
            non-contiguous argument positions, a constant without a numeric
            value, duplicate input names and the like.

        Examples
        --------
        >>> import networkx as nx
        >>> G = nx.MultiDiGraph()
        >>> G.add_node("x", op="input", name="x")
        >>> G.add_node("sq", op="mul", name="f")
        >>> G.add_edge("x", "sq", key=0); G.add_edge("x", "sq", key=1)
        0
        1
        >>> Circuit.from_networkx(G, outputs=["sq"]).evaluate(x=3)
        {'f': 9}
        >>> G.add_edge("sq", "x", key=0)
        0
        >>> Circuit.from_networkx(G)
        Traceback (most recent call last):
        ...
        circuits.CircuitError: the graph has a cycle through nodes 'x' -> 'sq' -> 'x'; a circuit must be acyclic
        """
        ops, args, weights, values, names, in_map, out_map = read_graph(G, inputs, outputs)
        circuit = cls(ops, args, weights, values, names, in_map, out_map)
        circuit.check()
        return circuit

    # --- validation ---------------------------------------------------------

    def check(self) -> "Circuit":
        """Validate the circuit, raising :class:`CircuitError` on the first problem.

        Checks what :meth:`from_networkx` checks: node ids in topological
        order, known ops and arities, constants with numeric values, input
        names unique, pow exponents integer constants, outputs existing.
        Returns the circuit itself.
        """
        ops, args = self._ops, self._args
        n = len(ops)
        if not (len(args) == len(self._weights) == n):
            raise CircuitError("inconsistent node arrays")
        for i in range(n):
            op, a = ops[i], args[i]
            if op == "input":
                if a or not isinstance(self._names.get(i), str):
                    raise CircuitError(f"node {i}: an input needs a name and no arguments")
                check_name(self._names[i], f"node {i}: input")
                continue
            if op == "const":
                if a or i not in self._values:
                    raise CircuitError(f"node {i}: a const needs a value and no arguments")
                check_number(self._values[i], f"constant node {i}")
                continue
            error = node_error(i, op, a, self._weights[i], op_of=ops.__getitem__, value_of=self._values.get)
            if error is not None:
                raise error
        seen = set()
        for name, v in self._inputs.items():
            if not (0 <= v < n) or ops[v] != "input" or self._names[v] != name:
                raise CircuitError(f"input {name!r} does not refer to an input node")
            seen.add(v)
        if len(seen) != sum(1 for op in ops if op == "input"):
            raise CircuitError("every input node must be listed in the circuit's inputs")
        for name, v in self._outputs.items():
            check_name(name, "output")
            if not (isinstance(v, int) and 0 <= v < n):
                raise CircuitError(f"output {name!r} refers to missing node {v!r}")
        return self

    # evaluate(), to_json() and from_json() are attached by circuits.evaluate and
    # circuits.io, which import this module (imports only go down).


    def __call__(self, *args, **kwargs):
        """Evaluate like the Python function it was traced from: ``f(1, 2, 3)``.

        Positional arguments are the inputs in declaration order, keywords by
        name.  A circuit with one output returns that value; with several, a
        tuple in output order (what a traced function returning a tuple
        returned).  :meth:`evaluate` gives the dict of named outputs.

        Examples
        --------
        >>> import circuits
        >>> f = circuits.trace(lambda x, y, z: x * y + z)
        >>> f(1, 2, 3), f(1, 2, z=0.5)
        (5, 2.5)
        >>> circuits.trace(lambda x, y: (x + y, x * y))(2, 5)
        (7, 10)
        >>> f(1, 2)
        Traceback (most recent call last):
        ...
        circuits.CircuitError: the circuit takes 3 inputs (x, y, z) and got 2 values; missing z
        """
        names = list(self._inputs)
        if len(args) > len(names):
            raise CircuitError(f"the circuit takes {len(names)} inputs ({names_text(names)}) and got "
                               f"{len(args)} positional values")
        values = dict(zip(names, args))
        for k, v in kwargs.items():
            if k in values:
                raise CircuitError(f"input {k!r} given twice, by position and by name")
            values[k] = v
        missing = [k for k in names if k not in values]
        if missing and not [k for k in values if k not in self._inputs]:
            raise CircuitError(f"the circuit takes {len(names)} inputs ({names_text(names)}) and got "
                               f"{len(values)} values; missing {names_text(missing)}")
        out = self.evaluate(values)
        result = tuple(out[k] for k in self._outputs)
        return result[0] if len(result) == 1 else result


def _read_only(*args, **kwargs):
    raise CircuitError("circuit.dag is read-only, as the circuit is; edit a copy, g = circuit.dag.copy(), "
                       "and make a circuit of it with Circuit.from_networkx(g)")


_MUTATORS = ("add_node", "add_nodes_from", "remove_node", "remove_nodes_from", "add_edge", "add_edges_from",
             "add_weighted_edges_from", "new_edge_key", "remove_edge", "remove_edges_from", "update", "clear",
             "clear_edges")


def trusted_circuit(ops, args, weights, values, names, inputs, outputs, meta=None) -> Circuit:
    """A :class:`Circuit` of arrays the package built itself, not validated again.

    For the builder and the transforms, whose linear passes must not pay a
    second linear pass of checks; anything from outside goes through
    ``Circuit(...)``, which validates.  The arguments are those of
    :class:`Circuit`.
    """
    circuit = object.__new__(Circuit)
    circuit._fill(ops, args, weights, values, names, inputs, outputs, meta)
    return circuit


def circuit_from_arrays(arrays: RecordArrays, values, names, inputs, outputs, meta=None) -> Circuit:
    """A :class:`Circuit` that keeps ``arrays`` and makes its record's tuples on first use.

    Like :func:`trusted_circuit`, for transforms only: nothing is validated.
    """
    circuit = object.__new__(Circuit)
    circuit._fill(None, None, None, values, names, inputs, outputs, meta, arrays)
    return circuit


def _frozen(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """``g`` made read-only in place: its mutators raise, its attribute maps are read-only views.

    ``g.copy()`` is an ordinary graph again (networkx copies the attribute
    maps into new dicts).
    """
    for name in _MUTATORS:
        setattr(g, name, _read_only)
    g.frozen = True  # what networkx.is_frozen reads
    g.graph = MappingProxyType({k: MappingProxyType(v) for k, v in g.graph.items()})
    nodes = g._node
    for v, data in nodes.items():
        nodes[v] = MappingProxyType(data)
    for _u, nbrs in g._adj.items():
        for _v, keys in nbrs.items():
            for k, data in keys.items():
                if data:
                    keys[k] = MappingProxyType(data)
    return g


def compact(arrays: RecordArrays, values, names, inputs, outputs, meta=None) -> Circuit:
    """Make a circuit of the nodes that inputs and outputs need, renumbered.

    Keeps every input and every ancestor of an output, drops the rest (dead
    gates, unused constants) and renumbers nodes contiguously while keeping
    their relative, topological, order.  Used by the builder and by every
    transform; the circuit keeps the arrays (its tuples are made when a pass
    first asks for them).

    Examples
    --------
    >>> a = arrays_of(["input", "input", "sin", "mul"], [(), (), (0,), (0, 1)], [None] * 4)
    >>> c = compact(a, {}, {0: "x", 1: "y"}, {"x": 0, "y": 1}, {"f": 3})
    >>> c.record.ops, c.record.args
    (('input', 'input', 'mul'), ((), (), (0, 1)))
    """
    live = needed_nodes(arrays, [*outputs.values(), *inputs.values()])
    if live is None:
        return circuit_from_arrays(arrays, values, names, inputs, outputs, meta)
    kept, new = keep_nodes(arrays, live)
    new_meta: dict[str, Any] = {}
    if meta:
        if "role" in meta:
            new_meta["role"] = list(compress(meta["role"], live))
        if "adjoint_of" in meta:
            pairs = meta["adjoint_of"]
            pairs = pairs if isinstance(pairs, NodeMap) else NodeMap(list(pairs), list(pairs.values()))
            new_meta["adjoint_of"] = pairs.kept(np.frombuffer(live, np.uint8).astype(bool), new)

    def renumbered(table):
        return {int(new[i]): x for i, x in table.items() if live[i]}
    return circuit_from_arrays(
        kept,
        renumbered(values),
        renumbered(names),
        {name: int(new[v]) for name, v in inputs.items()},
        {name: int(new[v]) for name, v in outputs.items()},
        new_meta,
    )


def gate_binary_ops(circuit: Circuit, v: int) -> int:
    """Binary operations of gate ``v`` (see :attr:`Analysis.binary_ops`).

    Examples
    --------
    >>> import circuits
    >>> c = circuits.parse("2*x - y + 1")
    >>> gate_binary_ops(c, c.outputs["f"])     # two additions and the weight 2
    3
    """
    k = len(circuit.args(v))
    if k == 1:
        return 1
    extra = sum(1 for x in circuit.weights(v) if x != 1 and x != -1) if GATES[circuit.op(v)].weighted else 0
    return k - 1 + extra
