"""Jacobian accumulation by vertex elimination on the linearized graph.

Bauer's formula (Bauer 1974) writes ``∂y/∂x`` as the
sum over the paths from ``x`` to ``y`` of the products of the edge partials
``c_kj = ∂_j[k]``; forward and reverse mode are two dynamic programmes for
it, and finding the cheapest one is NP-hard (Naumann 2008).  *Vertex
elimination* (Griewank and Walther, *Evaluating Derivatives*, 2nd ed., 2008,
chapters 9 and 10) covers them all: eliminating an intermediate vertex ``j``
replaces, for every predecessor ``i`` and successor ``k``,

    c_ki ← c_ki + c_kj · c_ji        (a new edge, "fill-in", when absent)

and deletes ``j``.  Once every intermediate vertex is gone the graph is
bipartite and its edges are the Jacobian's entries.  The order is free:
increasing index is the forward mode, decreasing the reverse mode, and any
other order is "cross-country".  The named orders (fixed, greedy, optimal)
are in :mod:`circuits.ad.elimination_orders`.

The graph
---------
Vertices are the circuit's nodes on a path from an input in ``wrt`` to an
output in ``output`` along wires whose partial is not structurally zero
(:mod:`circuits.ad.linearize`); parallel wires (``x·x``) are one edge
whose partial is their sum, built with the partials.  Inputs are X, the
output nodes Y, the rest Z.  An output node that other outputs use, or that
is an input, keeps its place in Z and gets a separate output vertex joined to
it by an edge of partial 1.

Counting convention
-------------------
Edge values are scaled values (``(None, c)`` a constant, ``(node, c)`` the
node times ``c``) as in the sweeps, so a constant never becomes a gate:

* a **multiplication** is a product ``c_kj · c_ji`` of two edge values that
  are both non-constant: one binary ``mul`` gate.  A product with a constant
  factor (a ``+`` gate's weight, the 2 of ``d(u²)/du``, the ±1 of a
  difference) is folded into the scale and costs nothing;
* an **addition** is an update ``c_ki + c_kj · c_ji`` onto an existing edge
  when at least one of the two terms is non-constant: one binary ``add``
  gate whose two wires carry the scales as weights; two constants are added
  when the circuit is built;
* a **scaling** is a constant factor other than ±1 left on a wire of those
  ``add`` gates, or a one-wire gate applying a constant factor (a sign
  included) to a Jacobian entry at the end.

This is the ``count="circuit"`` convention, :attr:`circuits.Analysis.binary_ops`'s count: the gates elimination
adds have exactly ``multiplications + additions + scalings`` binary
operations, and the Jacobian circuit's size is the size of its partials
(the circuit's gates and the partial gates they need) plus
``multiplications + additions`` plus the one-wire scaling gates.  When no
partial is constant, as in Speelpenning's product or any circuit of ``×``
gates, eliminating ``j`` costs exactly its Markowitz degree ``|P(j)|·|S(j)|``
multiplications, Griewank and Walther's unit-cost model.  Orders are ranked
by ``(multiplications, additions)``: the multiplications first, as in
Naumann's optimal Jacobian accumulation problem.

With ``count="all"`` every scalar product is counted, constant partials
included: eliminating ``j`` costs ``|P(j)|·|S(j)|`` multiplications (its
Markowitz degree, whatever the partials) and one addition per product that
lands on an existing edge.  This is the unit-cost model of Griewank and
Walther (2008, section 9.2) and the convention of published elimination
tables such as Lohoff and Neftci's AlphaGrad (2024); it is
``sum(step.markowitz for step in e.steps)``.  Every :class:`Elimination`
reports both (:attr:`Elimination.counts`).

Examples
--------
Speelpenning's product ``x1·x2·…·xn`` as a chain of binary products costs
``n(n−1)/2 − 1`` multiplications forward and ``2(n−2)`` in reverse:

>>> import circuits
>>> from circuits.library import speelpenning
>>> f = speelpenning(10)
>>> [circuits.eliminate(f, order).multiplications for order in ("forward", "reverse")]
[44, 16]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional, Sequence, Union

from ..core.builder import Builder
from ..core.checks import check_sequence
from ..core.circuit import Circuit
from ..core.errors import CircuitError
from ..core.gates import GATES
from .common import dname, edge_varies, finish, materialise, resolve_inputs, resolve_outputs, times, total
from .linearize import Linearization
from .edge_elimination import edge_order, run_edges
from .elimination_counts import COUNTED, count_order
from .elimination_orders import OPTIMAL_LIMIT, ORDERS, FixedOrder, HeapOrder, checked_order, optimal_order
from .order_search import SearchGraph, search

__all__ = ["eliminate", "Elimination", "EliminationStep", "ORDERS", "COUNTS", "SEARCH_BUDGET", "order_costs",
           "intermediate_vertices", "cheapest_order", "OPTIMAL_LIMIT"]

#: The counting conventions (see the module docstring).
COUNTS = ("circuit", "all")

#: Seconds ``order="search"`` searches when no ``budget`` is given.
SEARCH_BUDGET = 10.0

#: The heuristics ``order="search"`` starts from (it never returns worse than the best of them).
SEARCH_STARTS = ("forward", "reverse", "markowitz", "relative_markowitz", "min_fill")


@dataclass(frozen=True)
class EliminationStep:
    """One vertex elimination.

    Attributes
    ----------
    vertex : int
        The eliminated vertex (a node of the circuit).
    predecessors, successors : tuple of int
        Its neighbours when it was eliminated; ``len(predecessors) *
        len(successors)`` is its Markowitz degree.  Output vertices added for
        output nodes with successors are numbered after the circuit's nodes.
    multiplications, additions : int
        What the step cost in the ``count="circuit"`` convention (see the
        module docstring); in the ``"all"`` convention it costs
        :attr:`markowitz` multiplications and ``markowitz - len(fill)``
        additions.
    fill : tuple of (int, int)
        The new edges ``(i, k)`` it created.
    """

    vertex: int
    predecessors: tuple
    successors: tuple
    multiplications: int
    additions: int
    fill: tuple = ()

    @property
    def markowitz(self) -> int:
        """``|P(j)|·|S(j)|``, the vertex's Markowitz degree when eliminated."""
        return len(self.predecessors) * len(self.successors)


@dataclass(frozen=True)
class Elimination:
    """What :func:`eliminate` returns.

    Attributes
    ----------
    jacobian : Circuit
        Inputs of the circuit; outputs ``d{y}/d{x}`` for every selected output
        and input, output-major (as :func:`circuits.backward`).
    order : tuple of int
        The vertices in the order they were eliminated.
    multiplications, additions : int
        Totals over the steps, in the convention ``count``.
    fill_in : int
        New edges created.
    scalings : int
        Constant factors other than ±1 left on wires of the elimination's
        ``add`` gates, plus one-wire gates scaling an entry.
    steps : tuple of EliminationStep
    strategy : str
        The order's name, or ``"explicit"``.
    kind : str
        ``"vertex"`` (``order`` lists vertices, ``steps`` are
        :class:`EliminationStep`) or ``"edge"`` (``order`` lists steps
        ``("front", (i, j))``/``("back", (j, k))``, ``steps`` are
        :class:`circuits.ad.edge_elimination.EdgeStep`).
    count : str
        ``"circuit"`` or ``"all"``: the convention of ``multiplications``,
        ``additions`` and :attr:`cost`; :attr:`counts` has both.
    """

    jacobian: Circuit
    order: tuple
    multiplications: int
    additions: int
    fill_in: int
    scalings: int
    steps: tuple = field(repr=False)
    strategy: str = "explicit"
    count: str = "circuit"
    kind: str = "vertex"

    @property
    def cost(self) -> tuple:
        """``(multiplications, additions)``, the key orders are ranked by."""
        return (self.multiplications, self.additions)

    @property
    def counts(self) -> dict:
        """``{"circuit": (multiplications, additions), "all": (multiplications, additions)}``."""
        return {"circuit": (sum(s.multiplications for s in self.steps), sum(s.additions for s in self.steps)),
                "all": (sum(s.markowitz for s in self.steps),
                        sum(s.markowitz - len(s.fill) for s in self.steps))}

    @property
    def binary_ops(self) -> int:
        """Binary operations elimination added: multiplications + additions + scalings."""
        return self.multiplications + self.additions + self.scalings

    def __str__(self) -> str:
        what = "vertices" if self.kind == "vertex" else "edges"
        return (f"{self.strategy} {self.kind} elimination of {len(self.order)} {what}: "
                f"{self.multiplications} multiplications, {self.additions} additions"
                f"{' (every scalar product counted)' if self.count == 'all' else ''}, "
                f"{self.fill_in} fill-in edges, {self.scalings} scalings")


# --- the linearized graph -------------------------------------------------------


class _Graph:
    """Adjacency dicts of the linearized graph: ``succ[i][k]`` is ``c_ki``."""

    __slots__ = ("succ", "pred", "X", "Z", "Y", "wrt", "names", "n")
    succ: dict[int, dict[int, Any]]
    pred: dict[int, dict[int, Any]]
    X: Any
    Z: Any
    Y: Any
    wrt: Any
    names: Any
    n: int

    def copy(self) -> "_Graph":
        g = _Graph()
        g.succ = {v: dict(s) for v, s in self.succ.items()}
        g.pred = {v: dict(p) for v, p in self.pred.items()}
        g.X, g.Z, g.Y, g.wrt, g.names, g.n = self.X, self.Z, self.Y, self.wrt, self.names, self.n
        return g


def _flag_of_sum(ps):
    """Whether the sum of the scaled values ``ps`` varies (True), is constant (False) or is 0 (None).

    Mirrors :func:`circuits.ad.common.total`, which merges repeated nodes.
    """
    if len(ps) == 1:
        return ps[0][0] is not None
    acc: dict = {}
    for node, c in ps:
        acc[node] = acc.get(node, 0) + c
    constant = acc.pop(None, 0)
    if any(acc.values()):
        return True
    return None if constant == 0 else False


def _forward_wires(circuit: Circuit, X: list, lin: Linearization) -> tuple:
    """(marks of the nodes depending on ``X`` through nonzero partials, {(u, g): partials})."""
    fwd = bytearray(len(circuit))
    for v in X:
        fwd[v] = 1
    partial = lin.partial
    wires: dict = {}
    for g, a in enumerate(circuit.record.args):
        if not a:
            continue
        for i, u in enumerate(a):
            if fwd[u]:
                p = partial(g, i)
                if p is not None:
                    fwd[g] = 1
                    wires.setdefault((u, g), []).append(p)
    return fwd, wires


def _backward_marks(circuit: Circuit, outs, fwd: bytearray, wires: dict) -> bytearray:
    """Marks of the nodes reaching an output of ``outs`` through ``wires``."""
    n = len(circuit)
    bwd = bytearray(n)
    for y in outs:
        bwd[circuit.outputs[y]] = 1
    preds: dict = {}
    for (u, g) in wires:
        preds.setdefault(g, []).append(u)
    for g in range(n - 1, -1, -1):
        if bwd[g] and fwd[g]:
            for u in preds.get(g, ()):
                bwd[u] = 1
    return bwd


def _output_vertices(G: "_Graph", circuit: Circuit, outs, inputs: set, flags: bool) -> dict:
    """{output: its vertex in ``G``}, adding a sink (edge 1) to an output node that has successors or is an input."""
    n = G.n
    needs_sink = {v for v in G.succ if G.succ[v] or v in inputs}
    sinks: dict = {}
    Y: dict = {}
    for y in outs:
        v = circuit.outputs[y]
        if v not in G.succ:
            Y[y] = None                      # no path from wrt: the entries are 0
        elif v in needs_sink:
            sink = sinks.get(v)
            if sink is None:
                sink = sinks[v] = n + len(sinks)
                G.succ[sink] = {}
                G.pred[sink] = {v: None}
                G.succ[v][sink] = False if flags else (None, 1)
            Y[y] = sink
        else:
            Y[y] = v
    return Y


def elimination_graph(circuit: Circuit, wrt, output, b: Optional[Builder], caller: str = "eliminate"):
    """The graph of ``circuit`` with scaled edge values built into ``b``.

    With ``b`` None the values are only flags: True for a non-constant partial.
    """
    if not isinstance(circuit, Circuit):
        raise CircuitError(f"{caller} expects a Circuit, got {type(circuit).__name__}")
    wrt = resolve_inputs(circuit, wrt)
    outs = resolve_outputs(circuit, output)
    n = len(circuit)
    lin = Linearization(circuit, b if b is not None else Builder.extending(circuit))
    # forward marks: depends on wrt through nonzero partials; backward: reaches an output
    X = [circuit.inputs[x] for x in wrt]
    fwd, wires = _forward_wires(circuit, X, lin)
    bwd = _backward_marks(circuit, outs, fwd, wires)
    G = _Graph()
    G.n, G.wrt = n, wrt
    keep = [v for v in range(n) if fwd[v] and bwd[v]]
    G.succ = {v: {} for v in keep}
    G.pred = {v: {} for v in keep}
    bld = lin.builder
    for (u, g), ps in wires.items():
        if not (bwd[g] and bwd[u]):
            continue
        value = total(bld, ps) if b is not None else _flag_of_sum(ps)
        if value is None:  # parallel wires cancelling, as in x - x
            continue
        G.succ[u][g] = value
        G.pred[g][u] = None
    inputs = set(X)
    G.X, G.Y = X, _output_vertices(G, circuit, outs, inputs, b is None)
    ys = set(G.Y.values())
    G.Z = [v for v in keep if v not in inputs and v not in ys]
    G.names = outs
    return G


# --- the elimination ------------------------------------------------------------


def product_step(b, a, p):
    """(value, multiplications) of ``a · p``."""
    if b is None:
        return a or p, int(a and p)
    return times(b, a, p), int(a[0] is not None and p[0] is not None)


def sum_step(b, a, p):
    """(value, additions) of ``a + p``, one binary add gate unless both are constants."""
    if b is None:
        return a or p, int(a or p)
    n1, c1 = a
    n2, c2 = p
    if n1 is None and n2 is None:
        return (None, c1 + c2), 0
    if n1 is None:
        n1, c1 = b.const_node(c1), 1
    if n2 is None:
        n2, c2 = b.const_node(c2), 1
    if c1 == c2:
        return (b.gate("add", n1, n2), c1), 1
    return (b.gate("add", n1, n2, weights=(c1, c2)), 1), 1


def run_order(G, chooser, b, record=True, budget=None, count="circuit"):
    """Eliminate vertices in the chooser's order; returns (order, steps, mults, adds, fill).

    ``mults`` and ``adds`` are in the convention ``count``; the steps record
    the ``"circuit"`` counts (the ``"all"`` ones follow from their degrees).
    With a ``budget`` (multiplications), stop early and return None once it
    is exceeded: :func:`cheapest_order` uses it so that a bad order costs no
    more time than the best one found so far.
    """
    every = count == "all"
    succ, pred = G.succ, G.pred
    order, steps = [], []
    mults = adds = fills = 0
    while True:
        j = chooser.pop()
        if j is None:
            break
        P = pred.pop(j)
        S = succ.pop(j)
        sm = sa = 0
        new = []
        for i in P:
            si = succ[i]
            cji = si.pop(j)
            for k, ckj in S.items():
                prod, m = product_step(b, ckj, cji)
                sm += m
                old = si.get(k)
                if old is None:
                    si[k] = prod
                    pred[k][i] = None
                    new.append((i, k))
                else:
                    si[k], a = sum_step(b, old, prod)
                    sa += a
        for k in S:
            del pred[k][j]
        chooser.update(j, P, S, new)
        order.append(j)
        if every:
            degree = len(P) * len(S)
            mults += degree
            adds += degree - len(new)
        else:
            mults += sm
            adds += sa
        fills += len(new)
        if budget is not None and mults > budget:
            return None
        if record:
            steps.append(EliminationStep(j, tuple(P), tuple(S), sm, sa, tuple(new)))
    return order, steps, mults, adds, fills


def checked_count(count) -> str:
    if count not in COUNTS:
        raise CircuitError(f"unknown count {count!r}; use 'circuit' (products of two non-constant "
                           "partials, the gates the Jacobian circuit gets) or 'all' (every scalar product)")
    return count


def _flags(G) -> "_Graph":
    """A copy of ``G`` whose edge values are flags (True: not a constant), as ``run_order`` counts on."""
    F = G.copy()
    F.succ = {i: {k: edge_varies(v) for k, v in s.items()}
              for i, s in G.succ.items()}
    return F


def _searched_order(G, count, budget=None, seed=0, progress=False):
    """The order :func:`circuits.ad.order_search.search` finds, from the heuristics' orders."""
    F = _flags(G)
    starts = []
    for name in SEARCH_STARTS:
        H = F.copy()
        chooser, _ = order_for(H, name, count)
        starts.append((name, run_order(H, chooser, None, record=False, count=count)[0]))
    edges = [(i, k, v) for i, s in F.succ.items() for k, v in s.items()]
    budget = SEARCH_BUDGET if budget is None else budget
    if not (isinstance(budget, (int, float)) and not isinstance(budget, bool) and budget >= 0):
        raise CircuitError(f"budget must be a number of seconds >= 0, got {budget!r}")
    return list(search(SearchGraph(edges, G.Z, count), starts, budget=float(budget), seed=seed,
                       progress=progress).order)


def order_for(G, order, count="circuit", **search_options):
    """(chooser, strategy name) for a named or explicit order."""
    if isinstance(order, str):
        if order == "forward":
            return FixedOrder(sorted(G.Z)), order
        if order == "reverse":
            return FixedOrder(sorted(G.Z, reverse=True)), order
        if order in ("markowitz", "relative_markowitz", "min_fill"):
            return HeapOrder(order, G), order
        if order == "optimal":
            return FixedOrder(optimal_order(G.copy(), count)), order
        if order == "search":
            return FixedOrder(_searched_order(G, count, **search_options)), order
        raise CircuitError(f"unknown order {order!r}; use one of {list(ORDERS) + ['search']} "
                           "or a sequence of the intermediate vertices (node ids)")
    return FixedOrder(checked_order(G, order)), "explicit"


def _jacobian_entries(G, circuit: Circuit, b: Builder) -> list:
    """[(d{y}/d{x}, node)], output-major: the edges left from each input to each output."""
    entries = []
    for y in G.names:
        v = G.Y[y]
        for x in G.wrt:
            xv = circuit.inputs[x]
            d = G.succ[xv].get(v) if (v is not None and xv in G.succ) else None
            entries.append((dname(y, x), materialise(b, d)))
    return entries


def _scalings(b: Builder, mark: int) -> int:
    """The non-unit weights of the weighted sums ``b`` built from node ``mark`` on."""
    scalings = 0
    for v in range(mark, len(b)):
        gate = GATES.get(b.op(v))
        if gate is not None and gate.linear:  # a weighted sum: its non-unit weights are scalings
            w = b.params(v)
            if len(b.args(v)) == 1:
                scalings += 1
            elif w is not None:
                scalings += sum(1 for c in w if c != 1 and c != -1)
    return scalings


def eliminate(circuit: Circuit, order: Union[str, Sequence[int]] = "markowitz", *,
              output: Optional[Union[str, Sequence[str]]] = None,
              wrt: Optional[Sequence[str]] = None, count: str = "circuit",
              budget: Optional[float] = None, seed: int = 0, progress=False,
              kind: str = "vertex") -> Elimination:
    """The Jacobian of ``circuit`` by vertex elimination in the given order.

    Parameters
    ----------
    circuit : Circuit
    order : str or sequence of int
        ``"forward"`` (increasing node id: the forward mode), ``"reverse"``
        (decreasing: the reverse mode), ``"markowitz"`` (smallest current
        Markowitz degree ``|P(j)|·|S(j)|``, ties to the lowest id),
        ``"relative_markowitz"`` (smallest ``|P(j)|·|S(j)| − |X(j)|·|Y(j)|``,
        with ``X(j)`` the inputs below ``j`` and ``Y(j)`` the outputs above,
        as ANGEL's ``lowest_relative_markowitz_vertex``), ``"min_fill"``
        (fewest new edges, then Markowitz, then id), ``"optimal"`` (least
        ``(multiplications, additions)`` by dynamic programming over subsets
        of Z; at most :data:`OPTIMAL_LIMIT` intermediate vertices),
        ``"search"`` (the cheapest order :func:`circuits.ad.order_search.search`
        finds in ``budget`` seconds, starting from the heuristics: never
        worse than the best of them), or an explicit sequence of every
        intermediate vertex (node ids).
    output : str or sequence of str, optional
        Outputs to differentiate (default: all).
    wrt : sequence of str, optional
        Inputs to differentiate with respect to (default: all).
    count : {"circuit", "all"}
        The counting convention of the result's ``multiplications`` and
        ``additions`` and the one ``"optimal"`` minimises: ``"circuit"``
        counts the gates the Jacobian circuit gets (products of two
        non-constant partials), ``"all"`` every scalar product (see the
        module docstring).  The result has both in ``counts``.
    budget, seed, progress : optional
        For ``order="search"``: seconds to search (default
        :data:`SEARCH_BUDGET`), the seed of its random tie-breaking, and
        whether to print each improvement (or a callable receiving the lines).
    kind : {"vertex", "edge"}
        ``"edge"``: front and back edge eliminations
        (:mod:`circuits.ad.edge_elimination`) in the order ``"forward"``,
        ``"reverse"``, ``"markowitz"`` (edges), ``"optimal"`` (exhaustive,
        small graphs), ``"search"`` (half the budget searching vertex orders,
        half randomised edge orders) or an explicit list of steps.

    Returns
    -------
    Elimination
        The Jacobian circuit (outputs ``d{y}/d{x}``, output-major), the
        order, the counts (see the module docstring) and one
        :class:`EliminationStep` per vertex.

    Raises
    ------
    CircuitError
        For an unknown order, an explicit order that is not a permutation of
        the intermediate vertices, or ``"optimal"`` on too many of them.

    Examples
    --------
    >>> import circuits
    >>> f = circuits.trace(lambda x, y: circuits.sin(x * y) * x)
    >>> e = circuits.eliminate(f, "reverse")
    >>> e.order, e.multiplications, e.additions
    ((3, 2), 3, 1)
    >>> e.jacobian.evaluate(x=0.0, y=2.0)     # sin(xy) + xy·cos(xy) and x²·cos(xy)
    {'df/dx': 0.0, 'df/dy': 0.0}
    >>> [(s.vertex, s.markowitz, s.fill) for s in e.steps]   # x=0, y=1, x·y=2, sin=3, f=4
    [(3, 1, ((2, 4),)), (2, 2, ((1, 4),))]
    >>> e.counts            # no constant partial here: both conventions agree
    {'circuit': (3, 1), 'all': (3, 1)}
    """
    checked_count(count)
    if kind not in ("vertex", "edge"):
        raise CircuitError(f"unknown kind {kind!r}; use 'vertex' (vertex elimination) or 'edge' "
                           "(front and back edge eliminations)")
    b = Builder.extending(circuit) if isinstance(circuit, Circuit) else None
    G = elimination_graph(circuit, wrt, output, b)
    mark = len(b)
    if kind == "edge":
        steps_of, strategy = edge_order_for(G, order, count, budget, seed, progress)
        order_done, steps, mults, adds, fills = run_edges(G, steps_of, b, product_step, sum_step, count)
    else:
        chooser, strategy = order_for(G, order, count, budget=budget, seed=seed, progress=progress)
        order_done, steps, mults, adds, fills = run_order(G, chooser, b, count=count)
    entries = _jacobian_entries(G, circuit, b)
    scalings = _scalings(b, mark)
    jac = finish(b, circuit, entries, False)
    return Elimination(jac, tuple(order_done), mults, adds, fills, scalings, tuple(steps), strategy, count, kind)


def edge_order_for(G, order, count, budget=None, seed=0, progress=False):
    """(steps callable, strategy) of an edge order; searches and the optimum run on a flags copy of ``G``."""
    F = _flags(G)
    vertex_orders = {}
    if order == "search":
        total = SEARCH_BUDGET if budget is None else budget
        vertex_orders["search"] = _searched_order(G, count, total / 2, seed, progress)
        budget = total / 2
    return edge_order(F, order, count, product_step, sum_step, vertex_orders, budget, seed, progress)


def order_costs(circuit: Circuit, orders: Sequence = ("forward", "reverse", "markowitz",
                                                      "relative_markowitz", "min_fill", "optimal"),
                *, output=None, wrt=None, skip_optimal: bool = True, count: str = "circuit",
                budget: Optional[float] = None, seed: int = 0, kind: str = "vertex") -> dict:
    """``{order: (multiplications, additions, fill_in)}`` without building any circuit.

    The counts are those :func:`eliminate` reports with the same ``count``;
    ``"optimal"`` is left out (with ``skip_optimal``) when the graph has more
    than :data:`OPTIMAL_LIMIT` intermediate vertices; ``"search"`` searches
    ``budget`` seconds with ``seed`` (see :func:`eliminate`); ``kind="edge"``
    counts edge elimination orders (``"optimal"`` then means the exhaustive
    edge search, for small graphs).

    Examples
    --------
    >>> from circuits.library import speelpenning
    >>> order_costs(speelpenning(5), ("forward", "reverse", "optimal"))
    {'forward': (9, 0, 9), 'reverse': (6, 0, 6), 'optimal': (6, 0, 6)}
    >>> import circuits
    >>> f = circuits.parse("sin(2*x + 3*y)")       # constant partials 2 and 3
    >>> order_costs(f, ("forward", "reverse"), count="circuit"), order_costs(f, ("forward", "reverse"), count="all")
    ({'forward': (0, 0, 2), 'reverse': (0, 0, 2)}, {'forward': (2, 0, 2), 'reverse': (2, 0, 2)})
    """
    checked_count(count)
    orders = [orders] if isinstance(orders, str) else check_sequence(orders, "order_costs: orders")
    base = elimination_graph(circuit, wrt, output, None, "order_costs")
    out = {}
    for name in orders:
        if name == "optimal" and skip_optimal and len(base.Z) > OPTIMAL_LIMIT:
            continue
        if kind == "edge":
            G = base.copy()
            steps_of, _ = edge_order_for(G, name, count, budget, seed)
            _, _, mults, adds, fills = run_edges(G, steps_of, None, product_step, sum_step, count, record=False)
            out[name if isinstance(name, str) else "explicit"] = (mults, adds, fills)
            continue
        key = name if isinstance(name, str) else "explicit"
        out[key] = _count(base, name, count, budget=budget, seed=seed)
    return out


def _count(base, order, count, limit=None, **search_options):
    """``(multiplications, additions, fill_in)`` of ``order`` on ``base`` (not changed), or None past ``limit``.

    The heuristics and explicit orders are counted on bit sets
    (:func:`circuits.ad.elimination_counts.count_order`); ``"optimal"`` and
    ``"search"`` find their order first, then run it.
    """
    if not isinstance(order, str) or order in COUNTED:
        sequence = order if isinstance(order, str) else checked_order(base, order)
        return count_order(base, sequence, count=count, budget=limit)
    G = base.copy()
    chooser, _ = order_for(G, order, count, **search_options)
    result = run_order(G, chooser, None, record=False, count=count, budget=limit)
    return None if result is None else result[2:]


#: ``cheapest_order`` tries ``"optimal"`` only up to this many intermediate vertices.
AUTO_OPTIMAL_LIMIT = 10


def cheapest_order(circuit: Circuit, *, output=None, wrt=None, count: str = "circuit") -> str:
    """The named order of least ``(multiplications, additions)`` for ``circuit``.

    Tries Markowitz, relative Markowitz, min-fill, reverse and forward (ties
    go to the first in that list) and, on graphs of at most
    ``AUTO_OPTIMAL_LIMIT`` intermediate vertices, the optimum.  Each count
    stops as soon as it exceeds the best so far, so the search costs a few
    times the best order's work.  :func:`circuits.jacobian` (``mode="auto"``)
    builds the Jacobian in the order it returns.  ``count`` is the counting
    convention compared (:func:`eliminate`).

    Examples
    --------
    >>> from circuits.library import speelpenning
    >>> cheapest_order(speelpenning(10))
    'relative_markowitz'
    """
    checked_count(count)
    base = elimination_graph(circuit, wrt, output, None, "cheapest_order")
    names = ["markowitz", "relative_markowitz", "min_fill", "reverse", "forward"]
    if len(base.Z) <= AUTO_OPTIMAL_LIMIT:
        names.append("optimal")
    best = best_cost = None
    for name in names:
        result = _count(base, name, count, limit=None if best_cost is None else best_cost[0])
        if result is None:
            continue
        cost = (result[0], result[1])
        if best_cost is None or cost < best_cost:
            best, best_cost = name, cost
    assert best is not None  # the search above tries at least one candidate
    return best


def intermediate_vertices(circuit: Circuit, *, output=None, wrt=None) -> list:
    """The intermediate vertices Z of the linearized graph, the ids an explicit order lists."""
    return list(elimination_graph(circuit, wrt, output, None, "intermediate_vertices").Z)
