"""The vertex elimination orders of :func:`circuits.eliminate`: fixed, greedy and optimal.

:class:`FixedOrder` hands out a given sequence (``"forward"``, ``"reverse"``,
an explicit order checked by :func:`checked_order`, or the result of
:func:`optimal_order`); :class:`HeapOrder` picks the vertex of least key
(``"markowitz"``, ``"relative_markowitz"``, ``"min_fill"``) and rekeys the
neighbours each elimination touches.  :func:`optimal_order` is the exact
order of least (multiplications, additions), by dynamic programming over the
subsets of the intermediate vertices (at most :data:`OPTIMAL_LIMIT`).
:func:`circuits.ad.elimination.order_for` picks among them.

Examples
--------
>>> import circuits
>>> from circuits.ad.elimination import elimination_graph
>>> from circuits.ad.elimination_orders import checked_order, optimal_order
>>> G = elimination_graph(circuits.parse("sin(x * y) * x"), None, None, None)
>>> sorted(G.Z)
[2, 3]
>>> optimal_order(G)
[3, 2]
>>> checked_order(G, [3])
Traceback (most recent call last):
...
circuits.CircuitError: order leaves intermediate vertices [2] uneliminated; list every one (eliminate(c, 'forward').order is a complete order)
"""

from __future__ import annotations

import heapq
import math

from ..core.errors import CircuitError
from .common import edge_varies, set_bits
from .elimination_counts import pop_least, reach_counts, rekey

__all__ = ["ORDERS", "OPTIMAL_LIMIT", "FixedOrder", "HeapOrder", "checked_order", "optimal_order"]

#: The named orders; ``"optimal"`` is exact, the others are heuristics.
ORDERS = ("forward", "reverse", "markowitz", "relative_markowitz", "min_fill", "optimal")

#: ``order="optimal"`` refuses graphs with more intermediate vertices than this
#: (its dynamic programme visits all 2^|Z| subsets of them).
OPTIMAL_LIMIT = 16


def _fill(G, v) -> int:
    succ = G.succ
    S = succ[v]
    return sum(1 for i in G.pred[v] for k in S if k not in succ[i])


def _key_function(name: str, G):
    succ, pred = G.succ, G.pred
    if name == "markowitz":
        return lambda v: (len(pred[v]) * len(succ[v]), v)
    if name == "relative_markowitz":
        reach = reach_counts(G)
        return lambda v: (len(pred[v]) * len(succ[v]) - reach[v], v)
    if name == "min_fill":
        return lambda v: (_fill(G, v), len(pred[v]) * len(succ[v]), v)
    raise AssertionError(name)


class HeapOrder:
    """Smallest key first; stale entries are skipped by comparing with the current key."""

    def __init__(self, name, G):
        self.key = _key_function(name, G)
        self.current = {v: self.key(v) for v in G.Z}
        self.heap = [(k, v) for v, k in self.current.items()]
        heapq.heapify(self.heap)
        self.wide = name == "min_fill"
        self.G = G

    def pop(self):
        return pop_least(self.heap, self.current)

    def update(self, j, P, S, fill):
        current, key, heap = self.current, self.key, self.heap
        touched = set(P) | set(S)
        if self.wide:  # a new edge (i, k) changes the fill of every v with i → v → k
            succ, pred = self.G.succ, self.G.pred
            for i, k in fill:
                touched.update(v for v in succ[i] if v in pred[k])
        rekey(heap, current, key, touched)


class FixedOrder:
    def __init__(self, order):
        self.it = iter(order)

    def pop(self):
        return next(self.it, None)

    def update(self, j, P, S, fill):
        pass


def checked_order(G, order) -> list:
    if isinstance(order, (str, bytes)) or not hasattr(order, "__iter__"):
        raise CircuitError(f"unknown order {order!r}; use one of {list(ORDERS)} "
                           "or a sequence of the intermediate vertices (node ids)")
    seq = list(order)
    Z = set(G.Z)
    seen = set()
    for v in seq:
        if type(v) is not int and not (hasattr(v, "__index__") and not isinstance(v, bool)):
            raise CircuitError(f"order lists {v!r}; an explicit order lists node ids (ints)")
        v = int(v)
        if v in seen:
            raise CircuitError(f"order lists vertex {v} twice")
        if v not in Z:
            raise CircuitError(f"vertex {v} is not an intermediate vertex of the linearized graph "
                               f"(those are {sorted(Z)}); inputs and outputs are never eliminated")
        seen.add(v)
    missing = sorted(Z - seen)
    if missing:
        raise CircuitError(f"order leaves intermediate vertices {missing} uneliminated; "
                           "list every one (eliminate(c, 'forward').order is a complete order)")
    return [int(v) for v in seq]


def step_cost_all(P, N, S, j) -> tuple:
    """(multiplications, additions) of eliminating ``j``, every scalar product counted."""
    pj, sj = P[j], S[j]
    adds = 0
    for k in set_bits(sj):
        adds += (pj & P[k]).bit_count()
    return pj.bit_count() * sj.bit_count(), adds


def step_cost_circuit(P, N, S, j) -> tuple:
    """(multiplications, additions) of eliminating ``j``, as gates of the Jacobian circuit."""
    bj = 1 << j
    pj, nj = P[j], N[j]
    n_var, const_in = nj.bit_count(), pj & ~nj
    mults = adds = 0
    for k in set_bits(S[j]):
        varies = N[k] & bj
        if varies:
            mults += n_var
        common = pj & P[k]
        if common:
            adds += common.bit_count()
            if not varies:              # constant + constant needs no gate
                adds -= (common & ~N[k] & const_in).bit_count()
    return mults, adds


def eliminated(P, N, S, j) -> tuple:
    """The masks (P, N, S) after eliminating ``j``, as new lists."""
    P, N, S = P[:], N[:], S[:]
    bj = 1 << j
    pj, nj, sj = P[j], N[j], S[j]
    for k in set_bits(sj):
        varies = N[k] & bj
        P[k] = (P[k] | pj) & ~bj
        N[k] = (N[k] | (pj if varies else nj)) & ~bj
    for i in set_bits(pj):
        S[i] = (S[i] | sj) & ~bj
    P[j] = N[j] = S[j] = 0
    return P, N, S


def _masks(G, idx: dict) -> tuple:
    """Per vertex index: predecessor mask, non-constant predecessor mask, successor mask."""
    nv = len(idx)
    P0, N0, S0 = [0] * nv, [0] * nv, [0] * nv
    for i, s in G.succ.items():
        for k, value in s.items():
            varies = edge_varies(value)
            P0[idx[k]] |= 1 << idx[i]
            S0[idx[i]] |= 1 << idx[k]
            if varies:
                N0[idx[k]] |= 1 << idx[i]
    return P0, N0, S0


def optimal_order(G, count="circuit") -> list:
    """The order of least (multiplications, additions), by dynamic programming over subsets of Z.

    The graph after eliminating a set S of vertices does not depend on the
    order (edge (i, k) exists iff a path i → k has its interior in S, and its
    value is constant iff every such path is), so neither does the cost of
    eliminating one more vertex: f(S ∪ {j}) = min over j of f(S) + cost(j | S).
    The subsets are visited layer by layer (|S| = 0, 1, ...), each keeping the
    graph after S as bit masks.
    """
    Z = G.Z
    nz = len(Z)
    if nz > OPTIMAL_LIMIT:
        raise CircuitError(
            f"order='optimal' searches all 2^|Z| subsets of the intermediate vertices; this graph "
            f"has |Z| = {nz} (2^{nz} ≈ 10^{nz * math.log10(2):.0f} states), more than the limit of "
            f"{OPTIMAL_LIMIT} that finishes in seconds; use order='markowitz', 'min_fill' or "
            "'relative_markowitz', or compare_orders(circuit) to see them side by side")
    vertices = sorted(G.succ)
    idx = {v: k for k, v in enumerate(vertices)}
    cost = step_cost_all if count == "all" else step_cost_circuit  # the structural count, or the circuit's
    zbits = [idx[v] for v in Z]
    layer: dict[int, tuple] = {0: ((0, 0), _masks(G, idx))}
    back = []
    for _ in range(nz):
        best: dict = {}
        for done, (c0, masks) in layer.items():
            for j in zbits:
                if done >> j & 1:
                    continue
                m, a = cost(*masks, j)  # type: ignore[call-arg]  # masks is the (P, N, S) triple
                c = (c0[0] + m, c0[1] + a)
                key = done | 1 << j
                old = best.get(key)
                if old is None or c < old[0]:
                    best[key] = (c, done, j, masks)
        back.append({key: (done, j) for key, (_, done, j, _) in best.items()})
        layer = {key: (c, eliminated(*masks, j)) for key, (c, _, j, masks) in best.items()}  # type: ignore[call-arg]  # masks is the (P, N, S) triple
    order = []
    key = sum(1 << j for j in zbits)
    for step in reversed(back):
        key, j = step[key]
        order.append(vertices[j])
    order.reverse()
    return order
