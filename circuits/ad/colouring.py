"""Sparse Jacobians by colouring: one sweep per colour instead of one per input or output.

Columns ``x`` and ``x'`` of the Jacobian that have no nonzero row in common
can share one forward sweep seeded with 1 on both: each output's tangent is
then the one partial of that output that can be nonzero (Curtis, Powell and
Reid 1974; Coleman and Moré 1983).  Grouping columns is colouring the
*column intersection graph*, whose vertices are the inputs and whose edges
join two inputs that appear in a common row; rows are grouped the same way
for reverse sweeps.  The sparsity pattern comes from the Boolean semiring
(:func:`circuits.jacobian_sparsity`) and the colouring from networkx.

A banded Jacobian such as that of ``y_i = x_{i-1}·x_i·x_{i+1}`` needs three
colours whatever ``n`` is, so its Jacobian circuit grows like
``3·(s + w)`` rather than ``n·(s + w)``.

Examples
--------
>>> import circuits
>>> from circuits.library import banded_product
>>> c = banded_product(8)
>>> col = circuits.jacobian_colouring(c)
>>> col.direction, col.colours
('forward', 3)
>>> J = circuits.jacobian(c, sparse=True)
>>> J.evaluate({f"x{i}": 1.0 + i for i in range(8)})["dy3/dx4"]   # x2·x3 at x = 1, 2, ...
12.0
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from ..core.circuit import Circuit
from ..core.errors import CircuitError
from .backward import reverse_sweep
from .common import active_nodes, dname, finish, materialise
from .forward import forward_sweep
from .linearize import Linearization
from .semirings import jacobian_sparsity

__all__ = ["Colouring", "jacobian_colouring", "sparse_jacobian"]

_STRATEGIES = ("largest_first", "smallest_last")  # linear in the graph; networkx's others are not


@dataclass(frozen=True)
class Colouring:
    """A grouping of the Jacobian's columns (or rows) for compressed sweeps.

    Attributes
    ----------
    direction : str
        ``"forward"`` (groups of inputs, one JVP each) or ``"reverse"``
        (groups of outputs, one VJP each).
    groups : tuple of tuple of str
        The names in each colour.
    pattern : dict
        Output name → input names of its structurally nonzero partials.
    """

    direction: str
    groups: tuple
    pattern: dict

    @property
    def colours(self) -> int:
        """Number of sweeps the compressed Jacobian needs."""
        return len(self.groups)

    def __str__(self) -> str:
        return f"{self.colours} {self.direction} sweeps for a {len(self.pattern)}-row Jacobian"


#: Largest intersection graph (its edges counted with repeats, Σ over lines of len²/2) that is
#: built for networkx's colourings; beyond it a greedy colouring reads the lines directly.
GRAPH_EDGES = 200_000


def _colour(vertices, lines, limit=None):
    """Few colours for the intersection graph of ``lines`` (vertices in a common line differ).

    Small graphs are coloured by networkx's greedy strategies, the fewest
    colours of both kept.  Beyond :data:`GRAPH_EDGES` the graph (a clique per
    line: quadratic in a dense line) is never built: :func:`_colour_lines`
    colours from the lines.  Returns the groups, or None when more than
    ``limit`` colours would be needed.
    """
    if sum(len(line) * (len(line) - 1) // 2 for line in lines) > GRAPH_EDGES:
        return _colour_lines(vertices, lines, limit)
    groups = _colour_graph(vertices, lines)
    return None if limit is not None and len(groups) > limit else groups


def _colour_lines(vertices, lines, limit=None):
    """Greedy distance-2 colouring of the bipartite graph vertices–lines, largest first.

    Each line keeps the set of colours its vertices have; a vertex takes the
    smallest colour in none of its lines' sets.  The work is the sum over
    vertices of their lines' colour counts, at most ``limit`` each, instead
    of the square of a dense line.
    """
    lines_of: dict = {v: [] for v in vertices}
    for k, line in enumerate(lines):
        for v in line:
            lines_of[v].append(k)
    sizes = [len(line) for line in lines]
    # largest first: by the degree the vertex would have in the intersection graph (an upper bound)
    order = sorted(vertices, key=lambda v: -sum(sizes[k] for k in lines_of[v]))
    used = [set() for _ in lines]
    colour: dict = {}
    count = 0
    for v in order:
        taken = set()
        for k in lines_of[v]:
            taken |= used[k]
        c = 0
        while c in taken:
            c += 1
        if limit is not None and c >= limit:
            return None
        colour[v] = c
        count = max(count, c + 1)
        for k in lines_of[v]:
            used[k].add(c)
    groups = [[] for _ in range(count)]
    for v in vertices:  # declaration order inside each group
        groups[colour[v]].append(v)
    return tuple(tuple(g) for g in groups)


def _colour_graph(vertices, lines) -> tuple:
    """Fewest colours networkx's greedy strategies find for the intersection graph of ``lines``."""
    G = nx.Graph()
    G.add_nodes_from(vertices)
    for line in lines:
        for a in range(len(line)):
            for b in range(a + 1, len(line)):
                G.add_edge(line[a], line[b])
    best = None
    for strategy in _STRATEGIES:
        colouring = nx.greedy_color(G, strategy=strategy)
        k = max(colouring.values(), default=-1) + 1
        if best is None or k < best[0]:
            best = (k, colouring)
    assert best is not None  # the search above tries at least one candidate
    k, colouring = best
    groups: list = [[] for _ in range(k)]
    for v in vertices:  # declaration order inside each group
        groups[colouring[v]].append(v)
    return tuple(tuple(g) for g in groups)


def jacobian_colouring(circuit: Circuit) -> Colouring:
    """Colour the Jacobian's columns, or its rows when that needs fewer colours.

    Examples
    --------
    Dense rows make column colouring useless (three inputs, three
    colours); two reverse sweeps, one per row, do better:

    >>> import circuits
    >>> c = circuits.trace(lambda a, b, c: (a * b * c, a + b + c))
    >>> col = circuits.jacobian_colouring(c)
    >>> col.direction, col.groups
    ('reverse', (('f0',), ('f1',)))
    """
    if not isinstance(circuit, Circuit):
        raise CircuitError(f"jacobian_colouring expects a Circuit, got {type(circuit).__name__}")
    pattern = jacobian_sparsity(circuit)
    by_input: dict = {x: [] for x in circuit.inputs}
    for y, xs in pattern.items():
        for x in xs:
            by_input[x].append(y)
    inputs, outputs = list(circuit.inputs), list(circuit.outputs)
    row_lines, column_lines = list(pattern.values()), list(by_input.values())
    # A line is a clique: columns need at least as many colours as the longest row has entries,
    # rows as the longest column.  The side that looks cheaper is coloured first and the other
    # only while it can still win (forward on a tie): one dense row is never made a clique.
    need_columns = max(map(len, row_lines), default=0)
    need_rows = max(map(len, column_lines), default=0)
    if need_columns <= need_rows:
        columns = _colour(inputs, row_lines)
        rows = _colour(outputs, column_lines, limit=len(columns) - 1) if need_rows < len(columns) else None
    else:
        rows = _colour(outputs, column_lines)
        columns = _colour(inputs, row_lines, limit=len(rows)) if need_columns <= len(rows) else None
    if columns is None or (rows is not None and len(rows) < len(columns)):
        return Colouring("reverse", rows, pattern)  # type: ignore[arg-type]  # columns is None only when rows is not
    return Colouring("forward", columns, pattern)


def sparse_jacobian(circuit: Circuit, colouring: "Colouring | None" = None) -> Circuit:
    """The Jacobian circuit from one sweep per colour (see :func:`circuits.jacobian` ``sparse=True``).

    Only the entries that can be nonzero are outputs (output-major, inputs
    in declaration order; :attr:`Colouring.pattern` lists them; a Jacobian
    with none is all its entries, the constant 0): a sparse
    Jacobian with n² entries but O(n) nonzeros stays O(n).  They are read
    off the compressed sweeps.  Size O(colours · (s + w)).
    """
    col = jacobian_colouring(circuit) if colouring is None else colouring
    rec = circuit.record
    lin = Linearization(circuit)
    b = lin.builder
    entry: dict = {}
    if col.direction == "forward":
        for group in col.groups:
            tangent = forward_sweep(lin, {rec.inputs[x]: (None, 1) for x in group})
            members = set(group)
            for y, xs in col.pattern.items():
                for x in xs:
                    if x in members:
                        entry[(y, x)] = materialise(b, tangent.get(rec.outputs[y]))
    else:
        active = active_nodes(circuit, rec.inputs.values())
        for group in col.groups:
            seeds: dict = {}
            for y in group:
                seeds.setdefault(rec.outputs[y], []).append((None, 1))
            adjoint = reverse_sweep(lin, seeds, active)
            for y in group:
                for x in col.pattern[y]:
                    entry[(y, x)] = materialise(b, adjoint.get(rec.inputs[x]))
    outs = [(dname(y, x), entry[(y, x)]) for y in rec.outputs for x in col.pattern[y]]
    if not outs:  # a constant map: its Jacobian is all zeros, kept as outputs so there are some
        outs = [(dname(y, x), b.const_node(0)) for y in rec.outputs for x in rec.inputs]
    return finish(b, circuit, outs, False)
