"""Jacobian accumulation by edge elimination: front and back eliminations on the linearized graph.

Vertex elimination (:mod:`circuits.ad.elimination`) removes an intermediate
vertex ``j`` with all its edges at once.  Edge elimination (Naumann, *Optimal
accumulation of Jacobian matrices by elimination methods on the dual
computational graph*, Math. Program. 99, 2004; Griewank and Walther,
*Evaluating Derivatives*, 2nd ed., 2008, section 10.1) removes one edge at a
time, through its intermediate end ``j``:

* **front elimination** of ``i → j`` (``j`` intermediate): for every
  successor ``k`` of ``j``, ``c_ki ← c_ki + c_kj · c_ji``; then the edge is
  deleted: ``|S(j)|`` products;
* **back elimination** of ``j → k`` (``j`` intermediate): for every
  predecessor ``i`` of ``j``, ``c_ki ← c_ki + c_kj · c_ji``; then the edge is
  deleted: ``|P(j)|`` products.

An intermediate vertex left without predecessors (after a front elimination)
or without successors (after a back elimination) is removed with its other
edges: no path of the Jacobian passes through it any more.  Eliminating a
vertex is front-eliminating all its in-edges (or back-eliminating all its
out-edges), so every vertex order is an edge order of the same cost, and the
best edge order can be strictly cheaper than the best vertex order.

Orders are sequences of steps ``("front", (i, j))`` / ``("back", (j, k))``;
the named ones are ``"forward"`` and ``"reverse"`` (the vertex orders
written as edges), ``"markowitz"`` (the eliminable edge of fewest products,
ties to front eliminations, then the lowest vertices), ``"optimal"`` (an
exhaustive search over the graphs edge elimination can reach, for small
graphs only) and ``"search"`` (the cheapest of the vertex heuristics and
search written as edges and randomised edge-Markowitz orders within a time
budget).  The counts follow :mod:`circuits.ad.elimination`'s two
conventions.

Examples
--------
>>> import circuits
>>> f = circuits.trace(lambda x, y: circuits.sin(x * y) * x)
>>> e = circuits.eliminate(f, "markowitz", kind="edge")
>>> e.kind, e.order[0], e.multiplications
('edge', ('front', (0, 2)), 4)
>>> e.jacobian.evaluate(x=0.0, y=2.0)
{'df/dx': 0.0, 'df/dy': 0.0}
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import Callable, Optional

from ..core.errors import CircuitError, listing

__all__ = ["EdgeStep", "EDGE_ORDERS", "EDGE_OPTIMAL_LIMIT", "run_edges", "edge_order"]

#: The named edge orders.
EDGE_ORDERS = ("forward", "reverse", "markowitz", "optimal", "search")

#: ``order="optimal"`` with ``kind="edge"`` refuses graphs with more edges than this.
EDGE_OPTIMAL_LIMIT = 24

SIDES = ("front", "back")


@dataclass(frozen=True)
class EdgeStep:
    """One front or back elimination.

    Attributes
    ----------
    side : str
        ``"front"`` or ``"back"``.
    edge : (int, int)
        The eliminated edge ``(tail, head)``.
    vertex : int
        Its intermediate end: the head for a front elimination, the tail for a back one.
    multiplications, additions : int
        What the step cost in the ``count="circuit"`` convention.
    fill : tuple of (int, int)
        The new edges it created.
    products : int
        Scalar products it made (``|S(j)|`` front, ``|P(j)|`` back): its cost in the ``"all"`` count.
    removed : tuple of int
        Intermediate vertices it left isolated (removed with their edges).
    """

    side: str
    edge: tuple
    vertex: int
    multiplications: int
    additions: int
    fill: tuple
    products: int
    removed: tuple = ()

    @property
    def markowitz(self) -> int:
        """The scalar products of the step (named as a vertex step's degree, for the ``"all"`` count)."""
        return self.products


def _eliminable(G, Zset):
    """Every step possible now: ``(products, side rank, j, other end, side, edge)``."""
    succ, pred = G.succ, G.pred
    out = []
    for j in Zset:
        S, P = succ[j], pred[j]
        for i in P:
            out.append((len(S), 0, j, i, "front", (i, j)))
        for k in S:
            out.append((len(P), 1, j, k, "back", (j, k)))
    return out


def _check_step(G, Zset, step):
    try:
        side, (a, c) = step
        a, c = int(a), int(c)
    except (TypeError, ValueError):
        raise CircuitError(f"an edge order lists steps ('front', (i, j)) or ('back', (j, k)), got {step!r}") from None
    if side not in SIDES:
        raise CircuitError(f"step {step!r}: the side is 'front' or 'back', not {side!r}")
    j = c if side == "front" else a
    if j not in Zset or c not in G.succ.get(a, {}):
        raise CircuitError(f"step {step!r} cannot be taken: {'(%d, %d)' % (a, c)} is not an edge into "
                           f"(front) or out of (back) an intermediate vertex of the graph at that point")
    return side, (a, c)


def prune(G, Zset) -> list:
    """Remove intermediate vertices without predecessors or successors (dead ends of zero partials)."""
    succ, pred = G.succ, G.pred
    removed = []
    todo = [j for j in Zset if not pred[j] or not succ[j]]
    while todo:
        j = todo.pop()
        if j not in Zset:
            continue
        for i in pred.pop(j):
            del succ[i][j]
            if i in Zset and not succ[i]:
                todo.append(i)
        for k in succ.pop(j):
            del pred[k][j]
            if k in Zset and not pred[k]:
                todo.append(k)
        Zset.discard(j)
        removed.append(j)
    return removed


def apply_step(G, Zset, side, edge, b, product: Callable, add: Callable):
    """Take one front or back elimination on ``G`` (in place); returns ``(mults, adds, fill, products, removed)``.

    ``mults`` and ``adds`` are in the ``"circuit"`` convention; ``product(b, a, p)``
    and ``add(b, a, p)`` are :mod:`circuits.ad.elimination`'s helpers.
    """
    succ, pred = G.succ, G.pred
    a, c = edge
    if side == "front":
        i, j = a, c
        cji = succ[i].pop(j)
        del pred[j][i]
        pairs = [(i, k, ckj, cji) for k, ckj in succ[j].items()]
    else:
        j, k = a, c
        ckj = succ[j].pop(k)
        del pred[k][j]
        pairs = [(i, k, ckj, succ[i][j]) for i in pred[j]]
    sm = sa = 0
    new = []
    for i, k, ckj, cji in pairs:
        prod, m = product(b, ckj, cji)
        sm += m
        old = succ[i].get(k)
        if old is None:
            succ[i][k] = prod
            pred[k][i] = None
            new.append((i, k))
        else:
            succ[i][k], s = add(b, old, prod)
            sa += s
    removed: tuple = ()
    if not pred[j] or not succ[j]:  # isolated from the inputs or from the outputs: gone
        for i in pred.pop(j):
            del succ[i][j]
        for k in succ.pop(j):
            del pred[k][j]
        Zset.discard(j)
        removed = (j,)
    return sm, sa, new, len(pairs), removed


def run_edges(G, steps, b, product: Callable, add: Callable, count: str = "circuit", record: bool = True):
    """Eliminate edges of the graph ``G`` (changed in place) until no intermediate vertex is left.

    ``steps(G, Zset)`` returns the next step ``(side, (i, k))`` or None.
    Returns ``(order, steps, mults, adds, fill)`` with the counts in the
    convention ``count``.
    """
    every = count == "all"
    Zset = {j for j in G.Z if j in G.succ}
    prune(G, Zset)
    order, done = [], []
    mults = adds = fills = 0
    while Zset:
        step = steps(G, Zset)
        if step is None:
            raise CircuitError(f"the edge order ends with intermediate vertices {listing(sorted(Zset))} still joined to "
                               "the graph; eliminate every edge through them (eliminate(c, 'markowitz', "
                               "kind='edge').order is a complete order)")
        side, edge = _check_step(G, Zset, step)
        j = edge[1] if side == "front" else edge[0]
        sm, sa, new, products, removed = apply_step(G, Zset, side, edge, b, product, add)
        order.append((side, edge))
        if every:
            mults += products
            adds += products - len(new)
        else:
            mults += sm
            adds += sa
        fills += len(new)
        if record:
            done.append(EdgeStep(side, edge, j, sm, sa, tuple(new), products, removed))
    return order, done, mults, adds, fills


# --- the orders -------------------------------------------------------------------------


def _vertex_steps(vertex_order, side="front"):
    """A vertex order as edge steps: each vertex's in-edges front (or out-edges back) eliminated."""
    queue = list(vertex_order)
    pos = [0]
    pending: list = []

    def steps(G, Zset):
        while True:
            if pending:
                return pending.pop(0)
            if pos[0] >= len(queue):
                return None
            j = queue[pos[0]]
            pos[0] += 1
            if j not in Zset:
                continue
            if side == "front":
                pending.extend(("front", (i, j)) for i in sorted(G.pred[j]))
            else:
                pending.extend(("back", (j, k)) for k in sorted(G.succ[j]))
    return steps


def _markowitz_steps(rng: Optional[random.Random] = None, slack: int = 0):
    """The eliminable edge of fewest products; with ``rng``, any within ``slack`` of the fewest, at random."""
    def steps(G, Zset):
        options = _eliminable(G, Zset)
        if not options:
            return None
        if rng is None:
            best = min(options)
            return best[4], best[5]
        low = min(o[0] for o in options)
        near = sorted(o for o in options if o[0] <= low + slack)
        pick = near[rng.randrange(len(near))]
        return pick[4], pick[5]
    return steps


def _fixed_steps(order):
    it = iter(order)
    return lambda G, Zset: next(it, None)


def _optimal_edge_order(G, count, product, add) -> list:
    """The cheapest edge order, by an exhaustive search with memory over the graphs it can reach.

    Iterative (an explicit stack): each frame holds a graph, its eliminable
    steps, the next one to try and the best ``(cost, order)`` found from it.
    """
    n_edges = sum(len(s) for s in G.succ.values())
    if n_edges > EDGE_OPTIMAL_LIMIT:
        raise CircuitError(f"order='optimal' with kind='edge' searches every graph edge elimination can "
                           f"reach; this graph has {n_edges} edges, more than the limit of "
                           f"{EDGE_OPTIMAL_LIMIT}; use order='markowitz' or order='search'")
    every = count == "all"
    memo: dict = {}

    def key(H):
        return frozenset((i, k, v) for i, s in H.succ.items() for k, v in s.items())

    def frame(H, Zset):
        return {"H": H, "Z": Zset, "options": sorted(_eliminable(H, Zset)), "t": 0, "best": None, "cost": None}

    root = G.copy()
    Z0 = {j for j in root.Z if j in root.succ}
    prune(root, Z0)
    stack = [frame(root, Z0)]
    returned = None  # (cost, order) of the frame just finished
    while True:
        f = stack[-1]
        if returned is not None:
            total = (returned[0][0] + f["cost"][0], returned[0][1] + f["cost"][1])
            if f["best"] is None or total < f["best"][0]:
                f["best"] = (total, [f["step"]] + returned[1])
            returned = None
        if not f["Z"] or f["t"] >= len(f["options"]):
            result = f["best"] if f["Z"] else ((0, 0), [])
            memo[key(f["H"])] = result
            stack.pop()
            if not stack:
                return result[1]
            returned = result
            continue
        opt = f["options"][f["t"]]
        f["t"] += 1
        H = f["H"].copy()
        Zset = set(f["Z"])
        sm, sa, new, products, _ = apply_step(H, Zset, opt[4], opt[5], None, product, add)
        f["cost"] = (products, products - len(new)) if every else (sm, sa)
        f["step"] = (opt[4], opt[5])
        known = memo.get(key(H))
        if known is not None:
            returned = known
            continue
        stack.append(frame(H, Zset))


def edge_order(G, order, count, product, add, vertex_orders=None, budget=None, seed=0, progress=False):
    """``(steps callable, strategy name)`` for a named or explicit edge order on ``G``.

    ``vertex_orders`` (for ``"search"``): ``{name: vertex order}`` written as
    edge orders among the starts; ``budget`` seconds of randomised
    edge-Markowitz orders follow, the cheapest order wins.
    """
    if isinstance(order, str):
        if order == "forward":
            return _vertex_steps(sorted(G.Z)), order
        if order == "reverse":
            return _vertex_steps(sorted(G.Z, reverse=True), "back"), order
        if order == "markowitz":
            return _markowitz_steps(), order
        if order == "optimal":
            return _fixed_steps(_optimal_edge_order(G, count, product, add)), order
        if order == "search":
            return _fixed_steps(_search(G, count, product, add, vertex_orders or {}, budget, seed,
                                        progress)), order
        raise CircuitError(f"unknown edge order {order!r}; use one of {list(EDGE_ORDERS)} or a sequence of "
                           "steps ('front', (i, j)) / ('back', (j, k))")
    if not hasattr(order, "__iter__"):
        raise CircuitError(f"unknown edge order {order!r}; use one of {list(EDGE_ORDERS)} or a sequence of "
                           "steps ('front', (i, j)) / ('back', (j, k))")
    return _fixed_steps(list(order)), "explicit"


def _search(G, count, product, add, vertex_orders, budget, seed, progress) -> list:
    t0 = time.monotonic()
    deadline = t0 + (10.0 if budget is None else budget)
    say = progress if callable(progress) else (print if progress else None)
    best = None

    def offer(name, steps_fn):
        nonlocal best
        H = G.copy()
        order, _, m, a, _ = run_edges(H, steps_fn, None, product, add, count, record=False)
        if best is None or (m, a) < best[0]:
            best = ((m, a), order)
            if say is not None:
                say(f"edge search {time.monotonic() - t0:7.2f} s  {name:<28} {m} multiplications, {a} additions")

    offer("forward", _vertex_steps(sorted(G.Z)))
    offer("reverse", _vertex_steps(sorted(G.Z, reverse=True), "back"))
    offer("markowitz (edges)", _markowitz_steps())
    for name, vorder in vertex_orders.items():
        offer(f"{name} (vertices)", _vertex_steps(vorder))
    rng = random.Random(seed)
    tries = 0
    while time.monotonic() < deadline:
        offer(f"random markowitz {tries}", _markowitz_steps(rng, slack=tries % 3))
        tries += 1
    assert best is not None  # the search above tries at least one candidate
    return best[1]
