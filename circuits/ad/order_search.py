"""Searching for cheap vertex elimination orders within a time budget.

Finding the elimination order of fewest multiplications is NP-complete
(Naumann, "Optimal Jacobian accumulation is NP-complete", Math. Program.
112, 2008), and the exact dynamic programme of ``order="optimal"`` visits
all ``2^|Z|`` subsets of the intermediate vertices.  Lohoff and Neftci
(2024, AlphaGrad) learn orders by reinforcement learning instead.  This
module searches, and rests on one fact: the graph left after eliminating a
*set* of vertices does not depend on the order they went in (an edge
``(i, k)`` exists iff a path ``i → k`` has its interior in the set), so the
cost of eliminating one more vertex depends on the set only.  Hence

* **beam search over sets**: layer ``t`` keeps the ``width`` cheapest sets
  of ``t`` eliminated vertices found (two orders reaching the same set are
  one state, as in the dynamic programme), each with the cheapest order
  reaching it; the widths double until the budget runs out, later passes
  breaking ties at random (``seed``);
* **window re-ordering**: in any order, the vertices at positions
  ``s .. s+k-1`` can be re-ordered freely without changing what the rest
  costs, so the best order of each window is found exactly by the dynamic
  programme over its ``2^k`` subsets, sweeping windows until none improves.

The search starts from the orders it is given (the heuristics of
:func:`circuits.eliminate`) and never returns one that costs more than the
best of them.  Costs are compared as ``(multiplications, additions)`` in
either counting convention of :mod:`circuits.ad.elimination`.

Examples
--------
>>> import circuits
>>> from circuits.library import alphagrad
>>> f = alphagrad.propane_combustion()
>>> e = circuits.eliminate(f, "search", count="all", budget=1.0, seed=0)
>>> e.multiplications <= 88     # AlphaGrad's learned order costs 88
True
"""

from __future__ import annotations

import heapq
import random
import sys
import time
from dataclasses import dataclass
from typing import Optional, Sequence

from .common import set_bits
from .elimination_orders import eliminated, step_cost_all, step_cost_circuit

__all__ = ["SearchGraph", "SearchResult", "search"]


@dataclass(frozen=True)
class SearchResult:
    """What :func:`search` found.

    Attributes
    ----------
    order : tuple of int
        The best order (vertex names as given).
    cost : (int, int)
        Its ``(multiplications, additions)``.
    start : (int, int)
        The best cost among the orders the search started from.
    evaluated : int
        Partial states the search expanded.
    seconds : float
    history : tuple of (float, str, int, int)
        ``(seconds, phase, multiplications, additions)`` each time the best improved.
    """

    order: tuple
    cost: tuple
    start: tuple
    evaluated: int
    seconds: float
    history: tuple


class SearchGraph:
    """A linearized graph as bit masks, for fast costs of elimination orders.

    Parameters
    ----------
    edges : iterable of (i, k, varies)
        Edge ``i → k`` and whether its partial is not a constant.
    Z : sequence
        The intermediate vertices (those eliminated).
    count : {"circuit", "all"}
        The counting convention of :mod:`circuits.ad.elimination`.
    """

    def __init__(self, edges, Z: Sequence, count: str = "all"):
        edges = list(edges)
        names = sorted({v for i, k, _ in edges for v in (i, k)} | set(Z))
        self.names = names
        idx = {v: k for k, v in enumerate(names)}
        n = len(names)
        P, N, S = [0] * n, [0] * n, [0] * n
        for i, k, varies in edges:
            a, c = idx[i], idx[k]
            P[c] |= 1 << a
            S[a] |= 1 << c
            if varies:
                N[c] |= 1 << a
        self.P0, self.N0, self.S0 = P, N, S
        self.Z = [idx[v] for v in Z]
        self.all = count == "all"
        # ``step_cost(P, N, S, j)``: (multiplications, additions) of eliminating ``j`` from the graph
        # ``(P, N, S)``, in the count asked for (chosen once: it runs for every state and vertex)
        self.step_cost = step_cost_all if self.all else step_cost_circuit

    # --- one step --------------------------------------------------------------

    apply = staticmethod(eliminated)  # the graph after eliminating j (new lists; the arguments are not changed)

    def cost(self, order) -> tuple:
        """``(multiplications, additions)`` of a complete order of indices."""
        P, N, S = self.P0, self.N0, self.S0
        m = a = 0
        for j in order:
            dm, da = self.step_cost(P, N, S, j)
            m += dm
            a += da
            P, N, S = self.apply(P, N, S, j)
        return m, a

    # --- beam search ------------------------------------------------------------

    def _h(self, P, S, rest) -> int:
        """Σ |P(v)|·|S(v)| over the vertices ``rest`` still to eliminate: an estimate of what they cost."""
        h = 0
        for v in set_bits(rest):
            h += P[v].bit_count() * S[v].bit_count()
        return h

    def _dh(self, P, S, j, rest) -> int:
        """How eliminating ``j`` changes :meth:`_h` (``rest`` excludes ``j``)."""
        bj = 1 << j
        pj, sj = P[j], S[j]
        dh = -pj.bit_count() * sj.bit_count()
        for k in set_bits(sj & rest):
            dh += (((P[k] | pj) & ~bj).bit_count() - P[k].bit_count()) * S[k].bit_count()
        for i in set_bits(pj & rest):
            dh += P[i].bit_count() * (((S[i] | sj) & ~bj).bit_count() - S[i].bit_count())
        return dh

    def beam(self, width: int, rng: Optional[random.Random], deadline: float, lookahead: bool = False):
        """The best complete order a beam of ``width`` sets finds, or None when out of time.

        Sets are ranked by their cost so far (multiplications, then
        additions), or with ``lookahead`` by the multiplications so far plus
        the Markowitz degrees of the vertices left; ``rng`` breaks ties at
        random.  Returns ``((cost, order) or None, states expanded)``.
        """
        Z = self.Z
        zmask = 0
        for j in Z:
            zmask |= 1 << j
        # state: (cost, done mask, masks, order as a linked list (j, parent), estimate of the rest)
        h0 = self._h(self.P0, self.S0, zmask) if lookahead else 0
        layer: list[tuple] = [((0, 0), 0, (self.P0, self.N0, self.S0), None, h0)]
        expanded = 0
        for _ in range(len(Z)):
            if time.monotonic() > deadline:
                return None, expanded
            children: dict = {}
            for g, done, masks, path, h in layer:
                P, N, S = masks
                todo = zmask & ~done
                for j in set_bits(todo):
                    low = 1 << j
                    dm, da = self.step_cost(P, N, S, j)
                    c = (g[0] + dm, g[1] + da)
                    key = done | low
                    old = children.get(key)
                    if old is None or c < old[0]:
                        hc = h + self._dh(P, S, j, todo ^ low) if lookahead else 0
                        children[key] = (c, j, hc, masks, path)
                expanded += 1
            if rng is None:
                rank = (lambda kv: (kv[1][0][0] + kv[1][2], kv[1][0])) if lookahead else (lambda kv: kv[1][0])
            elif lookahead:
                rank = lambda kv: (kv[1][0][0] + kv[1][2], rng.random())  # noqa: E731
            else:
                rank = lambda kv: (kv[1][0], rng.random())  # noqa: E731
            best = heapq.nsmallest(width, children.items(), key=rank)
            layer = [(c, key, self.apply(*masks, j), (j, path), hc)  # type: ignore[call-arg]  # masks is the (P, N, S) triple
                     for key, (c, j, hc, masks, path) in best]
        c, _, _, path, _ = min(layer, key=lambda s: s[0])
        order: list = []
        while path is not None:
            order.append(path[0])
            path = path[1]
        order.reverse()
        return (c, order), expanded

    # --- window re-ordering -------------------------------------------------------

    def windows(self, order: list, size: int, deadline: float):
        """Re-order each window of ``size`` positions optimally; returns (order, cost)."""
        order = list(order)
        improved = True
        while improved and time.monotonic() < deadline:
            improved = False
            P, N, S = self.P0, self.N0, self.S0
            step = max(1, size // 2)
            s = 0
            while s < len(order):
                if time.monotonic() > deadline:
                    break
                block = order[s:s + size]
                old = (0, 0)
                masks = (P, N, S)
                for j in block:
                    dm, da = self.step_cost(*masks, j)
                    old = (old[0] + dm, old[1] + da)
                    masks = self.apply(*masks, j)
                best, seq = self._window_dp(P, N, S, block)
                if best < old:
                    order[s:s + len(block)] = seq
                    improved = True
                for j in order[s:s + step]:
                    P, N, S = self.apply(P, N, S, j)
                s += step
        return order, self.cost(order)

    def _window_dp(self, P, N, S, block):
        layer: dict[int, tuple] = {0: ((0, 0), (P, N, S), ())}
        for _ in range(len(block)):
            nxt: dict = {}
            for done, (c0, masks, seq) in layer.items():
                for t, j in enumerate(block):
                    if done >> t & 1:
                        continue
                    dm, da = self.step_cost(*masks, j)
                    c = (c0[0] + dm, c0[1] + da)
                    key = done | 1 << t
                    old = nxt.get(key)
                    if old is None or c < old[0]:
                        nxt[key] = (c, masks, seq + (j,))
            layer = {key: (c, self.apply(*masks, seq[-1]), seq) for key, (c, masks, seq) in nxt.items()}
        (c, _, seq), = layer.values()
        return c, list(seq)


def _reporter(progress):
    if callable(progress):
        return progress
    if progress:
        return lambda line: print(line, file=sys.stderr, flush=True)
    return None


class _Incumbent:
    """The best order found so far, its cost and the history of improvements."""

    def __init__(self, t0: float, say) -> None:
        self.t0, self.say = t0, say
        self.history: list = []
        self.cost: Optional[tuple] = None
        self.order: Optional[list] = None

    def offer(self, phase: str, c: tuple, order) -> None:
        """Keep ``order`` when it costs less than the best so far, and report it."""
        if self.cost is None or c < self.cost:
            self.cost, self.order = c, list(order)
            self.history.append((time.monotonic() - self.t0, phase, c[0], c[1]))
            if self.say is not None:
                self.say(f"search {time.monotonic() - self.t0:7.2f} s  {phase:<24} {c[0]} multiplications, "
                         f"{c[1]} additions")


def _beams(graph: SearchGraph, best: _Incumbent, window: int, deadline: float, rng) -> int:
    """Beams of doubling width until ``deadline``, each polished by windows; returns the states expanded."""
    expanded = 0
    width = 1
    passes = 0
    kinds = ((False, False), (True, False), (False, True), (True, True))  # (lookahead, random ties)
    while time.monotonic() < deadline:
        lookahead, noisy = kinds[passes % len(kinds)]
        found, n = graph.beam(width, rng if noisy else None, deadline, lookahead=lookahead)
        expanded += n
        if found is None:
            break
        c, order = found
        phase = f"beam {width}" + (" lookahead" if lookahead else "") + (" random" if noisy else "")
        best.offer(phase, c, order)
        if time.monotonic() < deadline:
            order, c = graph.windows(order, window, deadline)
            best.offer(phase + " + windows", c, order)
        passes += 1
        if passes % len(kinds) == 0:
            width *= 2
    return expanded


def search(graph: SearchGraph, starts: Sequence[tuple], *, budget: float = 10.0, seed: int = 0,
           progress=False, window: int = 8) -> SearchResult:
    """The cheapest order found within ``budget`` seconds, never worse than the ``starts``.

    Parameters
    ----------
    graph : SearchGraph
    starts : sequence of (name, order)
        Complete orders of ``graph``'s intermediate vertices (names as given
        to :class:`SearchGraph`), e.g. the heuristics'.
    budget : float
        Seconds to search (wall clock).
    seed : int
        Seeds the random tie-breaking of the beam passes after the first:
        the same seed and budget give the same order on the same machine
        load (the passes that fit in the budget depend on the speed).
    progress : bool or callable
        True prints one line per improvement to stderr; a callable receives
        the lines instead.
    window : int
        Positions re-ordered exactly at a time (the dynamic programme visits
        ``2^window`` subsets per window).

    Returns
    -------
    SearchResult
    """
    t0 = time.monotonic()
    deadline = t0 + budget
    best = _Incumbent(t0, _reporter(progress))
    idx = {v: k for k, v in enumerate(graph.names)}
    for name, order in starts:
        ix = [idx[v] for v in order]
        best.offer(f"start: {name}", graph.cost(ix), ix)
    start = best.cost
    if not graph.Z:
        return SearchResult(tuple(graph.names[j] for j in best.order or ()), best.cost or (0, 0),
                            best.cost or (0, 0), 0, time.monotonic() - t0, tuple(best.history))
    rng = random.Random(seed)
    # a quick polish of the best start, then beams of doubling width, each polished
    assert best.order is not None and best.cost is not None and start is not None  # offer() saw the starts
    order, c = graph.windows(best.order, window, deadline)
    best.offer("windows", c, order)
    expanded = _beams(graph, best, window, deadline, rng)
    assert best.order is not None and best.cost is not None
    return SearchResult(tuple(graph.names[j] for j in best.order), best.cost, start, expanded,
                        time.monotonic() - t0, tuple(best.history))
