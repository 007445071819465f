"""Backpropagation over any semiring, the heaviest gradient paths, and Jacobian sparsity.

Bauer's formula (Bauer 1974)
writes ``∂y/∂x`` as a sum over the paths from
``x`` to ``y`` of the products of the edge labels ``∂_u[g]``.  The backward
sweep computes that sum with one ⊕ and one ⊗ per wire, and it uses nothing of
the real numbers but the semiring laws: Kim, Nesterov, Skokov and
Cherkasskii (1984) and Du, Torroba Hennigen, Stoehr, Warstadt and Cotterell,
"Generalizing Backpropagation for Gradient-Based Interpretability" (ACL 2023),
put other semirings in the place of (+, ×) to answer other questions:

=================  ===============================  ==========================================
semiring           element of one edge              value of a sum over paths
=================  ===============================  ==========================================
``REAL``           the partial                      the derivative (what backward computes)
``COUNTING``       1 per wire                       the number of Bauer paths
``BOOLEAN``        structurally nonzero?            whether ∂y/∂x can be nonzero (sparsity)
``MAX_PRODUCT``    ``(|partial|, the wire)``        the heaviest path and its weight
``k_best(k)``      ``[(|partial|, the wire)]``      the k heaviest paths
``LOG``            ``log |partial|``                log of the sum of ``|path products|``
``ENTROPY``        ``(|p|, −|p| log |p|)``          the entropy of gradient mass over paths
=================  ===============================  ==========================================

:func:`propagate` runs one sweep, O(s + w) semiring operations, iteratively
over the node order; :func:`top_paths` reads the heaviest paths out of the
k-best semiring; :func:`jacobian_sparsity` is the Boolean semiring, one
reverse sweep per output.

Examples
--------
The worked example ``y = (x1 + x2 + x1·x2)(x1 + x2)`` has three
paths from ``x1`` to ``y``:

>>> import circuits
>>> from circuits.semirings import COUNTING, REAL
>>> y = circuits.trace(lambda x1, x2: (x1 + x2 + x1 * x2) * (x1 + x2))
>>> circuits.propagate(y, COUNTING).inputs
{'x1': 3, 'x2': 3}
>>> circuits.propagate(y, REAL, {"x1": 3, "x2": 5}).inputs
{'x1': 71, 'x2': 55}
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional

from ..core.checks import check_count, check_member
from ..core.circuit import Circuit, check_circuit, select_outputs
from ..core.errors import CircuitError, listing
from .common import set_bits
from .linearize import edge_values, linearize

__all__ = ["Semiring", "Propagation", "GradientPath", "REAL", "COUNTING", "BOOLEAN", "MAX_PRODUCT",
           "LOG", "ENTROPY", "k_best", "propagate", "gradient_entropy", "top_paths",
           "jacobian_sparsity"]


@dataclass(frozen=True)
class Semiring:
    """A semiring for :func:`propagate`: what a path's edges combine into.

    Parameters
    ----------
    name : str
    zero, one : object
        The identities of ``plus`` and ``times``.  ``zero`` also marks "no
        path": nodes whose value stays ``zero`` send nothing on.
    plus, times : callable
        ``plus(a, b)`` joins two sets of paths; ``times(a, b)`` extends the
        paths ``b`` by the edge ``a``: in a reverse sweep ``b`` holds the
        paths beyond the edge (towards the output), in a forward sweep those
        behind it (from the input).  Path-building semirings such as
        :func:`k_best` therefore list a reverse sweep's wires from the node
        to the output, and a forward sweep's backwards.
    edge : callable
        ``edge(partial, wire)`` → the element of one wire ``(u, g, i)``.
        For a semiring with ``numeric=True`` ``partial`` is the partial's
        value at the point (0 for a structural zero); otherwise it is ``None``
        for a structurally zero partial and ``True`` for any other.
    numeric : bool
        Whether the edge elements need the partials' values (and so a point).

    Examples
    --------
    The tropical (min, +) semiring on ``−log |partial|`` gives the heaviest
    path's weight as a distance:

    >>> import circuits, math
    >>> tropical = circuits.Semiring("tropical", math.inf, 0.0, min, lambda a, b: a + b,
    ...                              lambda p, wire: -math.log(abs(p)) if p else math.inf)
    >>> f = circuits.parse("x*x*x + 10*x")
    >>> round(math.exp(-circuits.propagate(f, tropical, {"x": 1.0}).inputs["x"]), 9)
    10.0
    """

    name: str
    zero: Any
    one: Any
    plus: Callable[[Any, Any], Any]
    times: Callable[[Any, Any], Any]
    edge: Callable[[Any, tuple], Any]
    numeric: bool = True

    def __repr__(self) -> str:
        return f"<Semiring {self.name}>"


def _wire_cost(p, wire):
    return p


REAL = Semiring("real", 0, 1, lambda a, b: a + b, lambda a, b: a * b, _wire_cost)
"""The real numbers: :func:`propagate` computes the gradient, as :func:`circuits.backward` does."""

COUNTING = Semiring("counting", 0, 1, lambda a, b: a + b, lambda a, b: a * b,
                    lambda p, wire: 1, numeric=False)
"""Natural numbers, 1 per wire: the number of Bauer paths (every wire, as ``x·x`` has two)."""

BOOLEAN = Semiring("boolean", False, True, lambda a, b: a or b, lambda a, b: a and b,
                   lambda p, wire: p is not None, numeric=False)
"""Reachability over structurally nonzero partials: the Jacobian's sparsity pattern."""


# A path is a linked list of wires, (wire, rest) or None, so that extending a
# path by one edge costs O(1): reverse sweeps cons the edge onto the path
# beyond it, forward sweeps onto the path behind it (then the list runs backwards).

def _mp_plus(a, b):
    return a if a[0] >= b[0] else b


def _mp_times(a, b):
    return (a[0] * b[0], _join(a[1], b[1]))


def _join(edge, rest):
    """The wire list ``rest`` with the one-wire list ``edge`` in front, in O(1)."""
    return rest if edge is None else (edge[0], rest)


MAX_PRODUCT = Semiring("max-product", (0.0, None), (1.0, None), _mp_plus, _mp_times,
                       lambda p, wire: (abs(p), (wire, None)) if p else (0.0, None))
"""(max, ×) on ``|partials|`` with back-pointers: the heaviest path and its weight."""


def k_best(k: int) -> Semiring:
    """The k heaviest paths: elements are lists of at most ``k`` (weight, path), heaviest first.

    Examples
    --------
    >>> import circuits
    >>> from circuits.semirings import k_best
    >>> best = circuits.propagate(circuits.parse("x*x*x + 10*x"), k_best(2), {"x": 1.0})
    >>> [w for w, _ in best.inputs["x"]]
    [10.0, 1.0]
    """
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise CircuitError(f"k_best: k must be a positive integer, got {k!r}")

    def plus(a, b):
        if not a:
            return b
        if not b:
            return a
        return heapq.nlargest(k, a + b, key=lambda t: t[0])

    def times(a, b):
        if not a or not b:
            return []
        return heapq.nlargest(k, ((wa * wb, _join(pa, pb)) for wa, pa in a for wb, pb in b),
                              key=lambda t: t[0])

    return Semiring(f"{k}-best", [], [(1.0, None)], plus, times,
                    lambda p, wire: [(abs(p), (wire, None))] if p else [])


def _log_plus(a, b):
    if a == -math.inf:
        return b
    if b == -math.inf:
        return a
    m = max(a, b)
    return m + math.log1p(math.exp(-abs(a - b)))


LOG = Semiring("log", -math.inf, 0.0, _log_plus, lambda a, b: a + b,
               lambda p, wire: math.log(abs(p)) if p else -math.inf)
"""(logaddexp, +) on ``log |partials|``: the log of the sum over paths of ``|path product|``."""


def _entropy_edge(p, wire):
    w = abs(p)
    return (w, -w * math.log(w)) if w else (0.0, 0.0)


ENTROPY = Semiring("entropy", (0.0, 0.0), (1.0, 0.0),
                   lambda a, b: (a[0] + b[0], a[1] + b[1]),
                   lambda a, b: (a[0] * b[0], a[0] * b[1] + b[0] * a[1]),
                   _entropy_edge)
"""The expectation semiring (Eisner 2002) of Du et al. 2023: a path of weight W = Π|p| is
(W, −W log W) summed; :func:`gradient_entropy` turns (Z, R) into the entropy log Z + R/Z."""


@dataclass(frozen=True)
class Propagation:
    """What one sweep of :func:`propagate` found.

    Attributes
    ----------
    semiring : Semiring
    direction : str
        ``"reverse"`` (from ``output``) or ``"forward"`` (from ``input``).
    output, input : str or None
        Where the sweep started (and, for ``forward``, which input).
    values : dict
        Node id → element: the paths from the node to ``output`` (reverse)
        or from ``input`` to the node (forward).  Nodes with no path are absent.
    inputs, outputs : dict
        The elements at the circuit's inputs (reverse) or outputs (forward),
        by name (``zero`` where no path reaches).
    """

    semiring: Semiring
    direction: str
    output: Optional[str]
    input: Optional[str]
    values: dict = field(repr=False)
    inputs: dict = field(default_factory=dict)
    outputs: dict = field(default_factory=dict)


def _edges(circuit, semiring, point, output, input):
    """{(u, g, i): edge element} over the wires between ``input`` and ``output``."""
    wrt = None if input is None else [input]
    if semiring.numeric:
        if point is None:
            raise CircuitError(f"the {semiring.name} semiring needs the partials' values: pass point={{...}}")
        values = edge_values(circuit, point, wrt=wrt, output=output)
        return {wire: semiring.edge(v, wire) for wire, v in values.items()}
    partials = linearize(circuit, wrt=wrt, output=output).partials()
    return {wire: semiring.edge(None if p is None else True, wire) for wire, p in partials.items()}


def propagate(circuit: Circuit, semiring: Semiring, point: Optional[Mapping[str, Any]] = None, *,
              output: Optional[str] = None, input: Optional[str] = None,
              direction: str = "reverse") -> Propagation:
    """Sum over Bauer paths in any semiring: one sweep, one ⊕ and one ⊗ per wire.

    Parameters
    ----------
    circuit : Circuit
    semiring : Semiring
        :data:`REAL`, :data:`COUNTING`, :data:`BOOLEAN`, :data:`MAX_PRODUCT`,
        :func:`k_best`, :data:`LOG`, :data:`ENTROPY` or your own.
    point : mapping, optional
        Input values, for semirings that read the partials' values.
    output : str, optional
        The output a reverse sweep starts from (optional for one output).
    input : str, optional
        The input a forward sweep starts from (optional for one input).  A
        reverse sweep given one keeps to the wires that depend on it and
        reports only it in ``inputs``.
    direction : {"reverse", "forward"}

    Returns
    -------
    Propagation

    Examples
    --------
    A chain of 60 products ``u ← u·u`` has 2⁶⁰ paths, counted in 60 steps:

    >>> import circuits
    >>> from circuits.semirings import COUNTING
    >>> b = circuits.Builder(); (x,) = b.inputs("x"); u = x
    >>> for _ in range(60):
    ...     u = u * u
    >>> b.output("f", u)
    >>> circuits.propagate(b.build(), COUNTING).inputs["x"] == 2 ** 60
    True
    >>> circuits.propagate(b.build(), COUNTING, direction="forward").outputs["f"] == 2 ** 60
    True
    """
    if not isinstance(circuit, Circuit):
        raise CircuitError(f"propagate expects a Circuit, got {type(circuit).__name__}")
    if not isinstance(semiring, Semiring):
        raise CircuitError(f"propagate: semiring must be a circuits.Semiring, got {type(semiring).__name__}")
    if direction not in ("reverse", "forward"):
        raise CircuitError(f"propagate: direction must be 'reverse' or 'forward', not {direction!r}")
    if input is not None:
        check_member(input, circuit.record.inputs, "propagate")
    if direction == "reverse":
        return _propagate_reverse(circuit, semiring, point, output, input)
    return _propagate_forward(circuit, semiring, point, input)


def _propagate_reverse(circuit: Circuit, semiring: Semiring, point, output, input) -> Propagation:
    """:func:`propagate` from ``output`` back to the inputs (or to ``input`` alone)."""
    rec = circuit.record
    (y,) = select_outputs(circuit, output, one=True, what="propagate")
    into: dict = {}
    for (u, g, _i), e in _edges(circuit, semiring, point, y, input).items():
        into.setdefault(g, []).append((u, e))
    values = _sum_paths(semiring, rec.outputs[y], range(rec.outputs[y], -1, -1), into)
    inputs = {name: values.get(v, semiring.zero) for name, v in rec.inputs.items() if input in (None, name)}
    return Propagation(semiring, "reverse", y, input, values, inputs=inputs)


def _propagate_forward(circuit: Circuit, semiring: Semiring, point, input) -> Propagation:
    """:func:`propagate` from ``input`` (the only one when None) forward to the outputs."""
    rec = circuit.record
    if input is None:
        if len(rec.inputs) != 1:
            raise CircuitError(f"propagate: a forward sweep starts from one input; choose one of "
                               f"{listing(rec.inputs)} with input=...")
        input = next(iter(rec.inputs))
    out_of: dict = {}
    for (u, g, _i), e in _edges(circuit, semiring, point, None, input).items():
        out_of.setdefault(u, []).append((g, e))
    values = _sum_paths(semiring, rec.inputs[input], range(rec.inputs[input], len(rec.ops)), out_of)
    outputs = {name: values.get(v, semiring.zero) for name, v in rec.outputs.items()}
    return Propagation(semiring, "forward", None, input, values, outputs=outputs)


def _sum_paths(semiring: Semiring, start: int, order, neighbours: dict) -> dict:
    """Path sums from ``start``, visiting nodes in ``order`` (topological away from it).

    ``neighbours[v]`` lists ``(w, edge element)`` for the wires leading on from
    ``v``; each wire costs one ⊗ (edge first) and at most one ⊕.
    """
    zero, plus, times = semiring.zero, semiring.plus, semiring.times
    values = {start: semiring.one}
    for v in order:
        vv = values.get(v)
        if vv is None or vv == zero:
            continue
        for w, e in neighbours.get(v, ()):
            contribution = times(e, vv)
            values[w] = contribution if w not in values else plus(values[w], contribution)
    return values


def gradient_entropy(circuit: Circuit, point: Mapping[str, Any], *, output: Optional[str] = None,
                     input: Optional[str] = None) -> float:
    """Entropy (nats) of the distribution of gradient mass over the paths from ``input`` to ``output``.

    Each path π carries mass ``W_π = Π |∂_u[g]|`` along it; the entropy of
    ``p_π = W_π / Σ W`` is ``log Z + R / Z`` for the :data:`ENTROPY`
    semiring's total ``(Z, R)`` (Du et al. 2023, section 4).  Zero when
    one path carries everything, ``log(#paths)`` when all carry the same.

    Examples
    --------
    >>> import circuits, math
    >>> f = circuits.parse("x*x")          # two paths, equal mass
    >>> math.isclose(circuits.gradient_entropy(f, {"x": 3.0}), math.log(2))
    True
    """
    check_circuit(circuit, "gradient_entropy()")
    if input is not None:
        check_member(input, circuit.inputs, "gradient_entropy")
    r = propagate(circuit, ENTROPY, point, output=output)
    (x,) = [input] if input is not None else ([next(iter(circuit.inputs))] if len(circuit.inputs) == 1 else [None])
    if x is None:
        raise CircuitError(f"gradient_entropy: choose an input among {listing(circuit.inputs)} with input=...")
    if x not in r.inputs:
        raise CircuitError(f"gradient_entropy: {x!r} is not an input; the inputs are {listing(circuit.inputs)}")
    z, rr = r.inputs[x]
    if z == 0:
        raise CircuitError(f"gradient_entropy: no gradient mass reaches {x!r} at this point (every path has a zero partial)")
    return math.log(z) + rr / z


@dataclass(frozen=True)
class GradientPath:
    """One path from an input to an output with the product of its partials.

    Attributes
    ----------
    input, output : str
    nodes : tuple of int
        Node ids from the input to the output.
    edges : tuple of (u, g, i)
        Its wires: argument position ``i`` of gate ``g`` is ``u``.
    product : float
        The signed product of the partials along the path.
    """

    input: str
    output: str
    nodes: tuple
    edges: tuple
    product: float

    def __str__(self) -> str:
        return f"{self.input} → {self.output} via {len(self.edges)} wires: {self.product:.6g}"


def _unlink(path) -> list:
    wires = []
    while path is not None:
        wires.append(path[0])
        path = path[1]
    return wires


def top_paths(circuit: Circuit, point: Mapping[str, Any], k: int = 1, *, output: Optional[str] = None,
              input: Optional[str] = None, max_paths: int = 10_000) -> list:
    """The ``k`` paths with the largest ``|product of partials|`` (Du et al. 2023's top gradient paths).

    Parameters
    ----------
    circuit : Circuit
    point : mapping
        Input values.
    k : int
        How many paths.
    output : str, optional
        Optional for a one-output circuit.
    input : str, optional
        Only paths from this input (default: from any input).
    max_paths : int
        Refuse to keep more paths than this: ``k`` is first capped by the
        number of paths (counted by dynamic programming), and a ``k`` still
        above ``max_paths`` raises CircuitError, for the lists of the k best
        paths at every node would take time and memory in proportion.

    Returns
    -------
    list of GradientPath
        Heaviest first (at most as many as there are paths); their products
        summed over all paths give ∂y/∂x.

    Examples
    --------
    >>> import circuits
    >>> f = circuits.parse("sin(x) * y + 10 * x")
    >>> [str(p) for p in circuits.top_paths(f, {"x": 0.0, "y": 2.0}, k=2)]
    ['x → f via 1 wires: 10', 'x → f via 3 wires: 2']
    """
    check_circuit(circuit, "top_paths()")
    (y,) = select_outputs(circuit, output, one=True, what="top_paths")
    if input is not None:
        check_member(input, circuit.inputs, "top_paths")
    k = check_count(k, "top_paths: k", minimum=1)
    max_paths = check_count(max_paths, "top_paths: max_paths", minimum=1)
    counts = propagate(circuit, COUNTING, output=y).values
    paths_count = sum(counts.get(v, 0) for x, v in circuit.inputs.items() if input is None or x == input)
    k = max(1, min(k, paths_count))
    if k > max_paths:
        raise CircuitError(f"top_paths: k={k} asks for more paths than max_paths={max_paths} "
                           f"({paths_count} paths lead to {y!r}); ask for fewer paths, or raise max_paths")
    return _heaviest_paths(circuit, point, k, y, input)


def _heaviest_paths(circuit: Circuit, point, k: int, y: str, input) -> list:
    """The ``k`` heaviest :class:`GradientPath` into output ``y`` (from ``input`` alone when given)."""
    r = propagate(circuit, k_best(k), point, output=y)
    values = edge_values(circuit, point, output=y)
    candidates: list = []
    for x, _v in circuit.inputs.items():
        if input is None or x == input:
            candidates.extend((w, x, path) for w, path in r.inputs[x])
    candidates.sort(key=lambda t: -t[0])
    paths = []
    for _w, x, path in candidates[:k]:
        wires = tuple(_unlink(path))
        nodes = (circuit.inputs[x],) + tuple(g for _, g, _ in wires)
        product = 1
        for wire in wires:
            product = product * values[wire]
        paths.append(GradientPath(x, y, nodes, wires, product))
    return paths


def jacobian_sparsity(circuit: Circuit) -> dict:
    """Which partials ``∂y/∂x`` can be nonzero: the Boolean semiring.

    One forward sweep of the Boolean semiring vectorised over the inputs: a
    node's element is the set of inputs with a path of structurally nonzero
    partials to it (a bitset, so the sweep is O(s + w) set unions).
    Structurally zero partials (a ``step`` gate's, a ``pow`` exponent's) cut
    paths; values that vanish only at some points do not.

    Returns
    -------
    dict
        Output name → the list of input names its partials depend on, in
        input order.

    Examples
    --------
    >>> import circuits
    >>> c = circuits.trace(lambda x, y, z: (x * y, z + 1, circuits.step(x) * z))
    >>> circuits.jacobian_sparsity(c)
    {'f0': ['x', 'y'], 'f1': ['z'], 'f2': ['z']}
    """
    if not isinstance(circuit, Circuit):
        raise CircuitError(f"jacobian_sparsity expects a Circuit, got {type(circuit).__name__}")
    rec = circuit.record
    names = list(rec.inputs)
    index = {v: k for k, v in enumerate(rec.inputs.values())}
    # an input's set is its index, not the int 1 << k (n inputs would hold n²/2 bits); a gate's
    # set is made once from its arguments': the inputs' bits at once, the gates' sets or-ed
    reach: dict = {}
    partials = linearize(circuit).partials()
    g0: Any = None
    bits: list = []
    sets: list = []
    for (u, g, _i), p in partials.items():  # in node order of g: every u < g is final
        if p is None:
            continue
        if g != g0:
            if g0 is not None:
                reach[g0] = _union(bits, sets)
            g0, bits, sets = g, [], []
        k = index.get(u)
        if k is not None:
            bits.append(k)
        elif u in reach:
            sets.append(reach[u])
    if g0 is not None:
        reach[g0] = _union(bits, sets)
    pattern = {}
    for y, v in rec.outputs.items():
        k = index.get(v)
        pattern[y] = [names[k]] if k is not None else [names[j] for j in set_bits(reach.get(v, 0))]
    return pattern


def _union(bits: list, sets: list) -> int:
    """The bitset of the indices ``bits`` or-ed with the bitsets ``sets``."""
    if len(bits) > 64:  # one byte array instead of len(bits) shifted ints
        raw = bytearray(max(bits) // 8 + 1)
        for k in bits:
            raw[k >> 3] |= 1 << (k & 7)
        acc = int.from_bytes(raw, "little")
    else:
        acc = 0
        for k in bits:
            acc |= 1 << k
    for s in sets:
        acc |= s
    return acc
