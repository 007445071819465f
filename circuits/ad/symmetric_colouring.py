"""Sparse Hessians by symmetric colouring: one Hessian-vector product per colour.

Columns of a symmetric matrix can share a Hessian-vector product
``H·d`` (``d`` the sum of the unit vectors of the columns of one colour)
when every nonzero can still be read off the products.  Gebremedhin, Manne
and Pothen (*What color is your Jacobian? Graph coloring for computing
derivatives*, SIAM Review 47(4), 2005) phrase the choice as colourings of the
*adjacency graph* of the pattern (one vertex per input, one edge per
off-diagonal nonzero):

* a **star colouring** (a proper colouring in which every path on four
  vertices uses at least three colours) lets every nonzero be read directly:
  for an edge ``x – z``, either ``z`` is the only neighbour of ``x`` of its
  colour, and ``H[x, z]`` is entry ``x`` of the product of ``z``'s colour, or
  the same holds with ``x`` and ``z`` swapped (their Theorem 4.6);
* an **acyclic colouring** (a proper colouring in which every cycle uses at
  least three colours: any two colours span a forest) needs fewer colours and
  recovers the nonzeros by substitution, peeling the leaves of each
  two-coloured tree (their section 6).

Both are found greedily, vertices in largest-first, smallest-last and input
order, keeping the fewest colours; a distance-2 colouring (every two vertices
at distance at most 2 apart differ: Curtis, Powell and Reid's column
colouring of the symmetric matrix) is a star colouring, and is used instead
when the greedy one comes out worse, so neither ever needs more colours than
a greedy distance-2 colouring.  The Hessian of an arrowhead needs 2 colours
for every ``n`` (star), a tridiagonal one 3 (star) or 2 (acyclic).

Examples
--------
>>> import circuits
>>> f = circuits.trace(lambda a, b, c, d: a * (b + c + d) + b * b + c * c + d * d)
>>> col = circuits.hessian_colouring(circuits.hessian_sparsity(f))
>>> col.colours, col.groups
(2, (('a',), ('b', 'c', 'd')))
>>> h = circuits.hessian(f, sparse=True)
>>> list(h.outputs)
['d2f/dbda', 'd2f/dbdb', 'd2f/dcda', 'd2f/dcdc', 'd2f/ddda', 'd2f/dddd']
>>> h.evaluate(a=1, b=2, c=3, d=4)['d2f/dbdb']
2
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import networkx as nx

from ..core.circuit import Circuit, check_circuit, select_outputs
from ..core.errors import CircuitError
from .backward import backward
from .common import dnames, finish, materialise
from .forward import forward_sweep
from .hessian_pattern import hessian_sparsity, lower_entries
from .linearize import Linearization

__all__ = ["HessianColouring", "hessian_colouring", "distance2_colouring", "is_star_colouring",
           "is_acyclic_colouring", "sparse_hessian"]

_METHODS = ("star", "acyclic")


@dataclass(frozen=True)
class HessianColouring:
    """A grouping of the Hessian's columns for compressed Hessian-vector products.

    Attributes
    ----------
    method : str
        ``"star"`` (direct recovery), ``"acyclic"`` (recovery by
        substitution) or ``"distance2"``.
    groups : tuple of tuple of str
        The inputs of each colour, in input order.
    pattern : dict
        Input name → input names of its structurally nonzero row
        (:func:`circuits.hessian_sparsity`).
    """

    method: str
    groups: tuple
    pattern: dict

    @property
    def colours(self) -> int:
        """Number of Hessian-vector products the compressed Hessian needs."""
        return len(self.groups)

    @property
    def colour(self) -> dict:
        """Input name → its colour (the index of its group)."""
        return {x: k for k, group in enumerate(self.groups) for x in group}

    def __str__(self) -> str:
        return f"{self.colours} Hessian-vector products ({self.method} colouring) for {len(self.pattern)} inputs"


def _graph(pattern: dict) -> dict:
    """The adjacency graph: vertex index → set of neighbour indices (off-diagonal nonzeros)."""
    index = {x: k for k, x in enumerate(pattern)}
    adj: dict = {k: set() for k in range(len(index))}
    for x, row in pattern.items():
        i = index[x]
        for z in row:
            j = index.get(z)
            if j is None:
                raise CircuitError(f"the pattern's row {x!r} names {z!r}, which is not a row of it; "
                                   "give every input a row (circuits.hessian_sparsity does)")
            if j != i:
                adj[i].add(j)
                adj[j].add(i)
    return adj


def _orders(adj: dict) -> list:
    natural = list(adj)
    largest = sorted(natural, key=lambda v: -len(adj[v]))
    G = nx.Graph()
    G.add_nodes_from(natural)
    G.add_edges_from((u, v) for u in adj for v in adj[u] if u < v)
    smallest_last = list(nx.coloring.strategy_smallest_last(G, {}))
    return [largest, smallest_last, natural]


def _smallest_free(forbidden) -> int:
    c = 0
    while c in forbidden:
        c += 1
    return c


def _greedy_distance2(adj, order) -> dict:
    colour: dict = {}
    for v in order:
        forbidden = set()
        for w in adj[v]:
            if w in colour:
                forbidden.add(colour[w])
            for x in adj[w]:
                if x != v and x in colour:
                    forbidden.add(colour[x])
        colour[v] = _smallest_free(forbidden)
    return colour


def _greedy_star(adj, order) -> dict:
    """Greedy star colouring: a colour is refused when it would make a path on 4 vertices 2-coloured.

    The coloured vertices stay star-coloured after each step: every path on
    four vertices is checked when its last vertex is coloured, whether that
    vertex ends the path (``v–w–x–y``) or sits inside it (``x–w–v–y``).
    """
    colour: dict = {}
    around: dict = {v: {} for v in adj}  # around[x][c]: coloured neighbours of x with colour c
    for v in order:
        forbidden = set()
        mine = around[v]
        for w in adj[v]:
            cw = colour.get(w)
            if cw is None:
                continue
            forbidden.add(cw)
            twice = mine.get(cw, 0) >= 2  # v has another neighbour of w's colour: x–w–v–y'
            for x in adj[w]:
                cx = colour.get(x)
                if x == v or cx is None:
                    continue
                # v–w–x–y with colour(y) = colour(w), y ≠ w
                if twice or around[x].get(cw, 0) - 1 >= 1:
                    forbidden.add(cx)
        c = colour[v] = _smallest_free(forbidden)
        for w in adj[v]:
            around[w][c] = around[w].get(c, 0) + 1
    return colour


class _Forests:
    """Union-find over the vertices, one forest per pair of colours."""

    def __init__(self):
        self.parent: dict = {}

    def find(self, pair, v):
        p = self.parent.setdefault(pair, {})
        root = v
        while p.get(root, root) != root:
            root = p[root]
        while p.get(v, v) != root:  # path compression
            p[v], v = root, p[v]
        return root

    def union(self, pair, u, v):
        ru, rv = self.find(pair, u), self.find(pair, v)
        if ru != rv:
            self.parent[pair][ru] = rv


def _greedy_acyclic(adj, order) -> dict:
    """Greedy acyclic colouring: a colour is refused when two colours would close a cycle.

    Giving ``v`` colour ``c`` closes a two-coloured cycle exactly when two of
    its neighbours of one colour ``c'`` are already joined in the forest of
    the colours ``c, c'``.
    """
    colour: dict = {}
    forests = _Forests()
    for v in order:
        by_colour: dict = {}
        for w in adj[v]:
            if w in colour:
                by_colour.setdefault(colour[w], []).append(w)
        c = 0
        while True:
            if c not in by_colour and all(
                    len(ws) < 2 or len({forests.find((min(c, c2), max(c, c2)), w) for w in ws}) == len(ws)
                    for c2, ws in by_colour.items()):
                break
            c += 1
        colour[v] = c
        for c2, ws in by_colour.items():
            for w in ws:
                forests.union((min(c, c2), max(c, c2)), v, w)
    return colour


def _best(adj, greedy) -> dict:
    best = None
    for order in _orders(adj):
        colour = greedy(adj, order)
        if best is None or max(colour.values(), default=-1) < max(best.values(), default=-1):
            best = colour
    assert best is not None  # the search above tries at least one candidate
    return best


def _groups(pattern: dict, colour: dict) -> tuple:
    k = max(colour.values(), default=-1) + 1
    groups: list = [[] for _ in range(k)]
    for i, x in enumerate(pattern):
        groups[colour[i]].append(x)
    return tuple(tuple(g) for g in groups)


def _pattern_of(pattern, output, where) -> dict:
    if isinstance(pattern, Circuit):
        return hessian_sparsity(pattern, output=output)
    if not isinstance(pattern, dict):
        raise CircuitError(f"{where} expects a pattern {{input: [inputs]}} from circuits.hessian_sparsity "
                           f"or a Circuit, got {type(pattern).__name__}")
    for x, row in pattern.items():
        if not isinstance(row, (list, tuple, set, frozenset)):
            raise CircuitError(f"{where}: the pattern's row {x!r:.40} must be a list of the inputs its "
                               f"input meets, got {type(row).__name__}")
    return pattern


def distance2_colouring(pattern, output: Optional[str] = None) -> HessianColouring:
    """Greedy distance-2 colouring of the pattern's adjacency graph (the baseline).

    Two inputs within distance 2 get different colours, so no two columns
    of one colour have a nonzero in a common row: the Jacobian column
    colouring of the symmetric matrix, which ignores symmetry.

    Examples
    --------
    >>> p = {"a": ["a", "b"], "b": ["a", "b", "c"], "c": ["b", "c", "d"], "d": ["c", "d"]}
    >>> distance2_colouring(p).colours     # tridiagonal: 3
    3
    """
    pattern = _pattern_of(pattern, output, "distance2_colouring()")
    adj = _graph(pattern)
    return HessianColouring("distance2", _groups(pattern, _best(adj, _greedy_distance2)), pattern)


def hessian_colouring(pattern, method: str = "star", *, output: Optional[str] = None) -> HessianColouring:
    """Colour the Hessian's columns for compressed Hessian-vector products.

    Parameters
    ----------
    pattern : dict or Circuit
        The Hessian's sparsity (:func:`circuits.hessian_sparsity`), or a
        circuit to take it from.
    method : {"star", "acyclic"}
        Star colouring, for direct recovery, or acyclic colouring, for
        recovery by substitution (Gebremedhin, Manne and Pothen 2005).
    output : str, optional
        The output, when ``pattern`` is a circuit with several.

    Returns
    -------
    HessianColouring
        Never more colours than a greedy distance-2 colouring (and an
        acyclic colouring never more than the star colouring).

    Examples
    --------
    The tridiagonal pattern: a path, star-coloured with 3 colours (a path
    on four vertices must see three), acyclic-coloured with 2.

    >>> p = {f"x{i}": [f"x{j}" for j in (i - 1, i, i + 1) if 0 <= j < 6] for i in range(6)}
    >>> hessian_colouring(p).colours, hessian_colouring(p, "acyclic").colours
    (3, 2)
    """
    if method not in _METHODS:
        raise CircuitError(f"hessian_colouring: method must be 'star' or 'acyclic', not {method!r}")
    pattern = _pattern_of(pattern, output, "hessian_colouring()")
    adj = _graph(pattern)
    star = _best(adj, _greedy_star)
    d2 = _best(adj, _greedy_distance2)
    if max(d2.values(), default=-1) < max(star.values(), default=-1):
        star = d2  # a distance-2 colouring is a star colouring
    colour = star
    if method == "acyclic":
        acyclic = _best(adj, _greedy_acyclic)
        if max(acyclic.values(), default=-1) < max(star.values(), default=-1):
            colour = acyclic  # else the star colouring, which is acyclic too
    return HessianColouring(method, _groups(pattern, colour), pattern)


def _adjacency_and_colour(pattern, colouring):
    adj = _graph(pattern)
    if isinstance(colouring, HessianColouring):
        colouring = colouring.colour
    index = {x: k for k, x in enumerate(pattern)}
    return adj, {index[x]: c for x, c in colouring.items()}


def is_star_colouring(pattern: dict, colouring) -> bool:
    """Whether ``colouring`` ({input: colour} or a :class:`HessianColouring`) is a star colouring.

    Brute force over every path on up to four vertices: proper, and no path
    on four vertices with two colours.

    Examples
    --------
    >>> p = {"a": ["b"], "b": ["a", "c"], "c": ["b", "d"], "d": ["c"]}
    >>> is_star_colouring(p, {"a": 0, "b": 1, "c": 0, "d": 1}), is_star_colouring(p, {"a": 0, "b": 1, "c": 2, "d": 0})
    (False, True)
    """
    adj, colour = _adjacency_and_colour(pattern, colouring)
    for v in adj:
        for w in adj[v]:
            if colour[v] == colour[w]:
                return False
            for x in adj[w]:
                if x == v:
                    continue
                for y in adj[x]:
                    if y not in (v, w) and colour[v] == colour[x] and colour[w] == colour[y]:
                        return False
    return True


def is_acyclic_colouring(pattern: dict, colouring) -> bool:
    """Whether ``colouring`` is an acyclic colouring: proper, and any two colours span a forest.

    Examples
    --------
    >>> square = {"a": ["b", "d"], "b": ["a", "c"], "c": ["b", "d"], "d": ["a", "c"]}
    >>> is_acyclic_colouring(square, {"a": 0, "b": 1, "c": 0, "d": 1})
    False
    """
    adj, colour = _adjacency_and_colour(pattern, colouring)
    if any(colour[v] == colour[w] for v in adj for w in adj[v]):
        return False
    colours = sorted(set(colour.values()))
    for i, a in enumerate(colours):
        for b in colours[i + 1:]:
            G = nx.Graph()
            G.add_edges_from((v, w) for v in adj for w in adj[v]
                             if v < w and {colour[v], colour[w]} == {a, b})
            if G.number_of_edges() and not nx.is_forest(G):
                return False
    return True


def _entry_names(y: str, entries: list) -> list:
    for wrap in ("{}", "({})"):
        names = [f"d2{y}/d" + wrap.format(x) + "d" + wrap.format(z) for x, z in entries]
        if len(set(names)) == len(names):
            return names
    raise CircuitError(f"the names of the second partials of {y!r} would coincide; rename the inputs so "
                       "that none contains 'd', '(' or ')'")


def sparse_hessian(circuit: Circuit, output: Optional[str] = None, method: str = "star",
                   colouring: Optional[HessianColouring] = None) -> Circuit:
    """The structurally nonzero lower-triangle Hessian entries, one Hessian-vector product per colour.

    See :func:`circuits.hessian` with ``sparse=True``.  The gradient
    ``backward(circuit)`` is built once and swept forward once per colour,
    seeded with 1 on the inputs of that colour; every entry is then read off
    the products directly (star) or by substitution along the two-coloured
    trees (acyclic: one ``+`` gate per entry).  Size at most
    ``colours · (s' + w')`` plus the gradient circuit (of ``s' + w' = O(s + w)``
    by the cheap gradient principle) plus one gate per entry
    (:func:`circuits.bounds.sparse_hessian_size`).
    """
    return coloured_hessian(circuit, output, method, colouring)[0]


def coloured_hessian(circuit, output, method, colouring):
    """:func:`sparse_hessian` and ``{output name: (row, column)}`` of its lower-triangle entries."""
    check_circuit(circuit, "hessian()")
    y = select_outputs(circuit, output, one=True, what="hessian")[0]
    col = hessian_colouring(circuit, method, output=y) if colouring is None else colouring
    pattern = col.pattern
    names = list(circuit.inputs)
    if list(pattern) != names:
        raise CircuitError("the colouring's pattern is not this circuit's: its rows are not the circuit's "
                           "inputs; colour circuits.hessian_sparsity(circuit)")
    grad = backward(circuit, output=y)
    gnames = dnames(y, names)
    lin = Linearization(grad)
    b = lin.builder
    product = []  # product[k][x]: entry x of H·d_k, a scaled value or None
    for group in col.groups:
        tangent = forward_sweep(lin, {grad.inputs[x]: (None, 1) for x in group})
        product.append({x: tangent.get(grad.outputs[g]) for x, g in zip(names, gnames)})
    colour = col.colour
    adj = {x: [z for z in row if z != x] for x, row in pattern.items()}
    value: dict = {}
    if col.method == "acyclic":
        value.update(_substitute(b, adj, colour, product))
    else:
        for x in names:
            for z in adj[x]:
                cz = colour[z]
                if sum(1 for u in adj[x] if colour[u] == cz) == 1:  # z alone in its colour around x
                    value[(x, z)] = product[cz][x]
                elif sum(1 for u in adj[z] if colour[u] == colour[x]) == 1:
                    value[(x, z)] = product[colour[x]][z]
                else:
                    raise CircuitError(f"hessian(sparse=True): the colouring is not a star colouring around "
                                       f"{x!r} and {z!r}; colour with hessian_colouring(..., 'star')")
    for x in names:
        if x in pattern[x]:
            value[(x, x)] = product[colour[x]][x]
    entries = lower_entries(pattern)
    if not entries and names:  # a function without curvature: its Hessian is all zeros, kept as one output
        entries = [(names[0], names[0])]
    entry_names = _entry_names(y, entries)
    outs = [(name, materialise(b, value[e] if e in value else value.get((e[1], e[0]))))
            for name, e in zip(entry_names, entries)]
    index = {x: i for i, x in enumerate(names)}
    # which output is which entry (x the row), for circuits.hessian's .matrix(point)
    positions = {name: (index[x], index[z]) for name, (x, z) in zip(entry_names, entries)}
    return finish(b, grad, outs, False), positions


def _substitute(b, adj, colour, product) -> dict:
    """Entries from the products by peeling the leaves of every two-coloured tree (acyclic colouring).

    In the forest of colours ``a`` and ``b``, entry ``x`` of the product of
    colour ``b`` (``x`` of colour ``a``) is the sum of ``H[x, z]`` over the
    tree neighbours ``z`` of ``x``: at a leaf it is the one entry; each entry
    found is subtracted from the sums of its other end.
    """
    value: dict = {}
    known: dict = {}  # (x, colour) -> [scaled values of the entries of x toward that colour already found]
    degree: dict = {}
    for x, row in adj.items():
        for z in row:
            degree[(x, colour[z])] = degree.get((x, colour[z]), 0) + 1
    done: set = set()
    leaves = [(x, z) for x, row in adj.items() for z in row if degree[(x, colour[z])] == 1]
    while leaves:
        x, z = leaves.pop()
        if (x, z) in done:
            continue
        cz = colour[z]
        if degree[(x, cz)] != 1:
            continue
        # x has one unknown entry toward colour cz: H[x, z] = (H·d_cz)[x] − the known ones
        terms = [t for t in [product[cz][x]] if t is not None]
        terms += [(n, -c) for n, c in known.get((x, cz), []) if c]
        if not terms:
            v = None
        else:
            node = b.linear([(n, c) for n, c in terms])
            v = None if b.op(node) == "const" and b.value(node) == 0 else (
                (None, b.value(node)) if b.op(node) == "const" else (node, 1))
        value[(x, z)] = v
        done.add((x, z))
        done.add((z, x))
        degree[(x, cz)] -= 1
        cx = colour[x]
        degree[(z, cx)] -= 1
        if v is not None:
            known.setdefault((z, cx), []).append(v)
        if degree[(z, cx)] == 1:
            for u in adj[z]:
                if colour[u] == cx and (z, u) not in done:
                    leaves.append((z, u))
                    break
    missing = [(x, z) for x, row in adj.items() for z in row if (x, z) not in done]
    if missing:
        x, z = missing[0]
        raise CircuitError(f"hessian(sparse=True): entry ({x!r}, {z!r}) lies on a two-coloured cycle, so the "
                           "colouring is not acyclic; colour with hessian_colouring(..., 'acyclic')")
    return value
