"""What an elimination order costs, counted on bit sets without eliminating edge by edge.

:func:`circuits.eliminate` and the counting run behind :func:`circuits.compare_orders`
visit every pair ``(i, k)`` of a predecessor and a successor of each eliminated
vertex ``j``: ``|P(j)|·|S(j)|`` steps, 15 million for forward elimination of a
matrix chain of 42,000 intermediate vertices.  The counts need less.  Keep, per
vertex ``k``, its predecessors as a bit set ``P[k]`` and those whose edge
into ``k`` is not a constant as ``N[k]``.  Eliminating ``j`` then costs, for
each successor ``k`` (``c_kj`` the flag of the edge ``j → k``),

* ``popcount(N[j])`` multiplications when ``c_kj`` varies, none otherwise (a
  product of two partials is a gate only when both vary);
* ``popcount(P[j] & ~P[k])`` new edges (fill-in);
* one addition per edge ``i → k`` that exists and receives a product, unless
  both are constants: ``popcount(P[j] & P[k] & (N[k] | M))`` with ``M`` the
  products that vary (``P[j]`` when ``c_kj`` varies, else ``N[j]``);

and ``P[k] |= P[j]``, ``N[k] |= M``, ``S[i] |= S[j]`` for the predecessors.
That is one operation on machine words per successor and predecessor instead
of one Python step per pair.  The heuristics choose the same vertices as
:func:`circuits.eliminate` (the same keys, ties broken by node id), so the
counts are equal, order for order; the tests compare them on random circuits.

Examples
--------
>>> import circuits
>>> from circuits.library import speelpenning
>>> from circuits.ad.elimination import elimination_graph
>>> G = elimination_graph(speelpenning(6), None, None, None)
>>> count_order(G, "forward"), count_order(G, "reverse")
((14, 0, 14), (8, 0, 8))
>>> G = elimination_graph(circuits.parse("sin(2*x + 3*y)"), None, None, None)   # constant partials 2 and 3
>>> count_order(G, "forward"), count_order(G, "forward", count="all")
((0, 0, 2), (2, 0, 2))
"""

from __future__ import annotations

import heapq
from typing import Optional, Sequence

from ..core.errors import CircuitError
from .common import edge_varies, set_bits

__all__ = ["count_order", "COUNTED"]

#: The named orders :func:`count_order` counts (``"optimal"`` has its own search).
COUNTED = ("forward", "reverse", "markowitz", "relative_markowitz", "min_fill")

_popcount = int.bit_count


def reach_counts(G):
    """|X(v)|·|Y(v)|: inputs reaching v times outputs reachable from v (bitsets)."""
    below: dict = {}
    for k, v in enumerate(G.X):
        below[v] = 1 << k
    order = sorted(G.succ)                    # circuit ids are topological; sinks come last
    for v in order:
        m = below.get(v, 0)
        for k in G.succ[v]:
            below[k] = below.get(k, 0) | m
    above: dict = {}
    for k, v in enumerate(set(G.Y.values()) - {None}):
        above[v] = 1 << k
    for v in reversed(order):
        m = above.get(v, 0)
        for i in G.pred[v]:
            above[i] = above.get(i, 0) | m
    return {v: below.get(v, 0).bit_count() * above.get(v, 0).bit_count() for v in G.Z}


def rekey(heap: list, current: dict, key, touched) -> None:
    """Push the new key of every vertex of ``touched`` still to eliminate whose key changed.

    A lazy heap: ``current`` holds each remaining vertex's key; entries whose key is no longer
    current are skipped when popped.
    """
    for v in touched:
        if v in current:
            k = key(v)
            if k != current[v]:
                current[v] = k
                heapq.heappush(heap, (k, v))


class _Counts:
    """The bit sets and edge dicts of :func:`count_order`, with the running totals."""

    def __init__(self, G, min_fill: bool, every: bool) -> None:
        X = {v: k for k, v in enumerate(G.X)}
        Zset = set(G.Z)
        Ylist = sorted(v for v in G.succ if v not in X and v not in Zset)
        Y = {v: k for k, v in enumerate(Ylist)}
        PX, NX = {}, {}            # per Z or Y vertex: its input predecessors, those with a varying edge
        SY, NSY = {}, {}           # per Z vertex: its output successors, those with a varying edge
        zp: dict = {v: {} for v in Zset}  # per Z vertex: {Z predecessor: flag}
        zs: dict = {v: set() for v in Zset}  # per Z vertex: its Z successors
        for v in Zset:
            PX[v] = NX[v] = SY[v] = NSY[v] = 0
        for v in Y:
            PX[v] = NX[v] = 0
        for i, s in G.succ.items():
            for k, value in s.items():
                varies = edge_varies(value)
                if i in X:
                    bit = 1 << X[i]
                    PX[k] |= bit
                    if varies:
                        NX[k] |= bit
                elif k in Y:
                    bit = 1 << Y[k]
                    SY[i] |= bit
                    if varies:
                        NSY[i] |= bit
                else:
                    zp[k][i] = varies
                    zs[i].add(k)
        ypred: dict = {}
        if min_fill:  # the Z predecessors of each output (for the vertices whose fill a new edge changes)
            ypred = {y: set() for y in Y}
            for i in Zset:
                for y in set_bits(SY[i]):
                    ypred[Ylist[y]].add(i)
        self.Zset, self.Ylist, self.min_fill, self.every = Zset, Ylist, min_fill, every
        self.PX, self.NX, self.SY, self.NSY, self.zp, self.zs, self.ypred = PX, NX, SY, NSY, zp, zs, ypred
        self.mults = self.adds = self.fills = 0
        self.mults_all = self.adds_all = 0  # count="all": every scalar product

    def markowitz(self, v) -> int:
        """|P(v)|·|S(v)|."""
        return (_popcount(self.PX[v]) + len(self.zp[v])) * (_popcount(self.SY[v]) + len(self.zs[v]))

    def fill(self, v) -> int:
        """The number of new edges eliminating ``v`` would make."""
        PX, SY, zp, Ylist = self.PX, self.SY, self.zp, self.Ylist
        px, zv, sy = PX[v], zp[v], SY[v]
        total = 0
        for k in self.zs[v]:
            zk = zp[k]
            total += _popcount(px & ~PX[k]) + sum(1 for i in zv if i not in zk)
        for y in set_bits(sy):
            total += _popcount(px & ~PX[Ylist[y]])
        for i in zv:
            total += _popcount(sy & ~SY[i])
        return total

    def eliminate(self, j) -> set:
        """Count eliminating ``j``; return the vertices whose key may change."""
        PX, NX, zp, min_fill = self.PX, self.NX, self.zp, self.min_fill
        fills_before = self.fills
        px, nx, sy, nsy = PX.pop(j), NX.pop(j), self.SY.pop(j), self.NSY.pop(j)
        zpj, zsj = zp.pop(j), self.zs.pop(j)
        touched = set(zpj)
        touched.update(zsj)
        # pairs (input, successor): bit sets at each successor
        succs = [(k, zp[k].pop(j)) for k in zsj]
        succs += [(self.Ylist[y], bool(nsy >> y & 1)) for y in set_bits(sy)]
        mults, adds, fills = self.mults, self.adds, self.fills
        n_x = _popcount(nx)
        for k, ckj in succs:
            pk, nk = PX[k], NX[k]
            made = px if ckj else nx
            if ckj:
                mults += n_x
            new = px & ~pk
            if new:
                fills += _popcount(new)
                if min_fill:  # a new edge x → k changes the fill of every v with x → v → k
                    for v in (zp[k] if k in zp else self.ypred[k]):
                        if v != j and PX[v] & new:
                            touched.add(v)
            adds += _popcount(px & pk & (nk | made))
            PX[k] = pk | px
            NX[k] = nk | made
        self.mults, self.adds, self.fills = mults, adds, fills
        if zpj:
            self._from_predecessors(j, zpj, sy, nsy, touched)
            if zsj:
                self._between(zpj, succs, touched)
        if min_fill:
            for y in set_bits(sy):
                self.ypred[self.Ylist[y]].discard(j)
        if self.every:  # every scalar product: the Markowitz degree, and an addition where no edge is new
            degree = (_popcount(px) + len(zpj)) * (_popcount(sy) + len(zsj))
            self.mults_all += degree
            self.adds_all += degree - (self.fills - fills_before)
        return touched

    def _from_predecessors(self, j, zpj, sy, nsy, touched) -> None:
        """Count the pairs (Z predecessor, output successor) on the bit sets at each predecessor."""
        SY, NSY, zs, ypred, Ylist, min_fill = self.SY, self.NSY, self.zs, self.ypred, self.Ylist, self.min_fill
        mults, adds, fills = self.mults, self.adds, self.fills
        for i, cji in zpj.items():
            zs[i].discard(j)
            if not sy:
                continue
            si, ni = SY[i], NSY[i]
            made = sy if cji else nsy
            if cji:
                mults += _popcount(nsy)
            new = sy & ~si
            if new:
                fills += _popcount(new)
                if min_fill:
                    for y in set_bits(new):
                        ypred[Ylist[y]].add(i)
                    for v in zs[i]:
                        if SY[v] & new:
                            touched.add(v)
            adds += _popcount(sy & si & (ni | made))
            SY[i] = si | sy
            NSY[i] = ni | made
        self.mults, self.adds, self.fills = mults, adds, fills

    def _between(self, zpj, succs, touched) -> None:
        """Count the pairs (Z predecessor, Z successor): one step each, as the elimination does."""
        zp, zs, min_fill = self.zp, self.zs, self.min_fill
        mults, adds, fills = self.mults, self.adds, self.fills
        for k, ckj in succs:
            if k not in zp:
                break  # the output successors come last
            zk = zp[k]
            for i, cji in zpj.items():
                if ckj and cji:
                    mults += 1
                prod = ckj or cji
                old = zk.get(i)
                if old is None:
                    zk[i] = prod
                    zs[i].add(k)
                    fills += 1
                    if min_fill:
                        zi = zs[i]
                        touched.update(v for v in (zi if len(zi) < len(zk) else zk) if v in zi and v in zk)
                else:
                    zk[i] = old or prod
                    adds += old or prod
        self.mults, self.adds, self.fills = mults, adds, fills


def _heap_key(G, order: str, counts: _Counts):
    """The heap key of a heuristic ``order``, or None for forward and reverse; the error for others."""
    markowitz = counts.markowitz
    # keys as single ints (faster in the heap than tuples): (a, v) ordered as a·2^32 + v
    if order == "markowitz":
        def key(v):
            return (markowitz(v) << 32) + v
    elif order == "relative_markowitz":
        reach = reach_counts(G)

        def key(v):
            return ((markowitz(v) - reach[v]) << 32) + v
    elif order == "min_fill":
        fill = counts.fill

        def key(v):
            return (((fill(v) << 64) + markowitz(v)) << 32) + v
    elif order in ("forward", "reverse"):
        return None
    else:
        raise CircuitError(f"count_order counts the orders {list(COUNTED)} or an explicit sequence, "
                           f"not {order!r}")
    return key


def pop_least(heap: list, current: dict):
    """The vertex of least current key, taken off ``current``; None when the heap is spent."""
    while heap:
        k, v = heapq.heappop(heap)
        if current.get(v) == k:
            del current[v]
            return v
    return None


def _schedule(G, order, counts: _Counts) -> tuple:
    """(sequence, key, heap, current): a fixed sequence, or the lazy heap of a heuristic and its keys."""
    key = None
    heap: Optional[list] = None
    current: dict = {}
    sequence: Sequence = ()
    if isinstance(order, str):
        key = _heap_key(G, order, counts)
        if key is None:
            sequence = sorted(counts.Zset, reverse=order == "reverse")
        else:
            current = {v: key(v) for v in counts.Zset}
            heap = [(k, v) for v, k in current.items()]
            heapq.heapify(heap)
    else:
        sequence = list(order)
    return sequence, key, heap, current


def count_order(G, order, step=None, count: str = "circuit", budget=None) -> Optional[tuple]:
    """``(multiplications, additions, fill_in)`` of eliminating ``G``'s intermediate vertices in ``order``.

    Edges from inputs are bit sets over the inputs, kept at their target;
    edges into outputs are bit sets over the outputs, kept at their source;
    edges between intermediate vertices are dicts, as in the elimination
    itself.  Forward elimination then meets only the first kind, reverse
    elimination only the second, and the heuristics mostly those.

    Parameters
    ----------
    G : the linearized graph of :func:`circuits.ad.elimination.elimination_graph`
        Its edge values are read as flags (a scaled value varies when its node
        is not None); ``G`` is not changed.
    order : str or sequence of int
        One of :data:`COUNTED`, or every intermediate vertex in an explicit
        order (checked by the caller).
    step : callable, optional
        Called with the number of vertices eliminated since its last call,
        every 1,000 eliminations and at the end (a progress bar's ``update``).
    count : {"circuit", "all"}
        The counting convention of :func:`circuits.eliminate`: ``"all"``
        counts every scalar product, ``|P(j)|·|S(j)|`` multiplications and
        one addition per product landing on an existing edge.
    budget : int, optional
        Stop and return None as soon as the multiplications exceed it
        (:func:`circuits.cheapest_order` drops an order worse than the best
        so far).

    Returns
    -------
    tuple of int or None
        What :func:`circuits.eliminate` reports for the same order and
        ``count``; None when ``budget`` is exceeded.
    """
    every = count == "all"
    if G.succ and max(G.succ) >= 1 << 32:
        raise CircuitError("count_order numbers vertices below 2**32; this graph has more")
    counts = _Counts(G, order == "min_fill", every)
    sequence, key, heap, current = _schedule(G, order, counts)
    done = 0
    it = iter(sequence)  # read only when sequence is given
    while True:
        j = next(it, None) if heap is None else pop_least(heap, current)
        if j is None:
            break
        touched = counts.eliminate(j)
        if heap is not None:
            rekey(heap, current, key, touched)
        if budget is not None and (counts.mults_all if every else counts.mults) > budget:
            return None
        done += 1
        if step is not None and done % 1000 == 0:
            step(1000)
    if step is not None and done % 1000:
        step(done % 1000)
    return (counts.mults_all, counts.adds_all, counts.fills) if every else (counts.mults, counts.adds, counts.fills)
