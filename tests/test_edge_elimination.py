"""Edge elimination (front and back, Naumann 2004): Jacobians, counts, orders, drawings."""

import pytest

import circuits
from circuits import CircuitError
from circuits.library import random_circuit, speelpenning


def _close(a, b):
    assert a.keys() == b.keys()
    for k in a:
        assert a[k] == pytest.approx(b[k], rel=1e-9, abs=1e-12), k


@pytest.mark.parametrize("block", range(4))
def test_jacobian_equals_backward_on_100_random_circuits(block):
    for seed in range(25 * block, 25 * block + 25):
        c = random_circuit(3, 14, n_outputs=2, seed=seed)
        point = {x: 0.3 + 0.2 * k for k, x in enumerate(c.inputs)}
        want = circuits.backward(c).evaluate(point)
        order = ("markowitz", "forward", "reverse")[seed % 3]
        e = circuits.eliminate(c, order, kind="edge")
        _close(e.jacobian.evaluate(point), want)


@pytest.mark.parametrize("seed", range(8))
def test_vertex_orders_written_as_edges_cost_the_same_in_both_counts(seed):
    c = random_circuit(3, 16, n_outputs=2, seed=seed)
    for count in ("circuit", "all"):
        for order in ("forward", "reverse"):
            e = circuits.eliminate(c, order, kind="edge", count=count)
            # <=: edge elimination drops at once the dead ends that zero partials (sign, step) leave
            assert e.cost <= circuits.eliminate(c, order, count=count).cost
            assert e.counts[count] == e.cost
        e = circuits.eliminate(c, "markowitz", kind="edge", count="all")
        assert e.multiplications == sum(s.products for s in e.steps)
        assert circuits.order_costs(c, ("markowitz",), kind="edge", count="all")["markowitz"][:2] == e.cost


def test_vertex_orders_written_as_edges_cost_the_same_without_dead_ends():
    from circuits.library import alphagrad
    f = alphagrad.human_heart_dipole()
    for count in ("circuit", "all"):
        for order in ("forward", "reverse"):
            assert circuits.eliminate(f, order, kind="edge", count=count).cost == \
                circuits.eliminate(f, order, count=count).cost


@pytest.mark.parametrize("seed", range(6))
def test_optimal_edge_order_is_never_worse_than_the_optimal_vertex_order(seed):
    c = random_circuit(2, 6, n_outputs=2, seed=seed)
    for count in ("circuit", "all"):
        edge = circuits.eliminate(c, "optimal", kind="edge", count=count)
        assert edge.cost <= circuits.eliminate(c, "optimal", count=count).cost
        point = {x: 0.4 + 0.1 * k for k, x in enumerate(c.inputs)}
        _close(edge.jacobian.evaluate(point), circuits.backward(c).evaluate(point))


def test_search_with_edges_is_never_worse_than_the_heuristics():
    c = random_circuit(3, 30, n_outputs=3, seed=5)
    e = circuits.eliminate(c, "search", kind="edge", count="all", budget=0.6, seed=2)
    costs = circuits.order_costs(c, ("forward", "reverse", "markowitz", "relative_markowitz", "min_fill"),
                                 count="all")
    assert e.cost <= min(v[:2] for v in costs.values())
    point = {x: 0.3 + 0.1 * k for k, x in enumerate(c.inputs)}
    _close(e.jacobian.evaluate(point), circuits.backward(c).evaluate(point))


def test_explicit_edge_orders_are_checked():
    f = speelpenning(4)
    e = circuits.eliminate(f, "markowitz", kind="edge")
    again = circuits.eliminate(f, list(e.order), kind="edge")
    assert again.cost == e.cost and again.strategy == "explicit"
    with pytest.raises(CircuitError, match="'front' or 'back'"):
        circuits.eliminate(f, [("side", e.order[0][1])], kind="edge")
    with pytest.raises(CircuitError, match="cannot be taken"):
        circuits.eliminate(f, [("front", (0, 1))], kind="edge")
    with pytest.raises(CircuitError, match="still joined"):
        circuits.eliminate(f, list(e.order[:1]), kind="edge")
    with pytest.raises(CircuitError, match="unknown kind"):
        circuits.eliminate(f, kind="edges")


def test_render_elimination_draws_one_frame_per_edge_step():
    f = circuits.trace(lambda x, y: circuits.sin(x * y) * x)
    e = circuits.eliminate(f, "reverse", kind="edge")
    frames = circuits.render_elimination(f, "reverse", kind="edge")
    assert len(frames) == len(e.steps) + 1
    assert "back-eliminate" in frames[1].comment and 'style=dashed' in frames[1].source


def _edge_beats_vertex():
    """One input, three intermediate vertices, three outputs: 0→1, 0→5, 1→2, 1→3, 1→6, 2→3,
    2→4, 2→5, 3→6, every partial varying."""
    b = circuits.Builder()
    x = b.input("x")
    u1 = circuits.sin(x)
    u2 = circuits.sin(u1)
    u3 = u1 * u2
    b.output("a", circuits.sin(u2))
    b.output("b", x * u2)
    b.output("c", u1 * u3)
    return b.build()


def _brute_force(edges, inner):
    """Least multiplications over every vertex order and over every front/back edge order
    (every scalar product counted), by exhaustive search over the graphs reached."""
    from functools import lru_cache

    def left(E):
        return any(v in inner for e in E for v in e)

    @lru_cache(None)
    def vertex(E):
        best = None if left(E) else 0
        for j in {v for e in E for v in e if v in inner}:
            P = [i for i, k in E if k == j]
            S = [k for i, k in E if i == j]
            rest = {e for e in E if j not in e} | {(i, k) for i in P for k in S}
            cost = len(P) * len(S) + vertex(frozenset(rest))
            best = cost if best is None else min(best, cost)
        return best

    @lru_cache(None)
    def edge(E):
        best = None if left(E) else 0
        for i, j in E:
            if j in inner:  # front: i → j into every out-edge of j
                S = [k for a, k in E if a == j]
                rest = (set(E) - {(i, j)}) | {(i, k) for k in S}
                if not any(k == j for _, k in rest):
                    rest = {e for e in rest if e[0] != j}
                cost = len(S) + edge(frozenset(rest))
                best = cost if best is None else min(best, cost)
            if i in inner:  # back: i → j into every in-edge of i
                P = [h for h, a in E if a == i]
                rest = (set(E) - {(i, j)}) | {(h, j) for h in P}
                if not any(h == i for h, _ in rest):
                    rest = {e for e in rest if e[1] != i}
                cost = len(P) + edge(frozenset(rest))
                best = cost if best is None else min(best, cost)
        return best

    return vertex(frozenset(edges)), edge(frozenset(edges))


def test_the_best_edge_order_is_strictly_cheaper_than_the_best_vertex_order():
    # Naumann (2004): edge elimination can beat every vertex elimination order
    c = _edge_beats_vertex()
    edges = {(u, v) for v in range(len(c)) for u in c.args(v)}
    assert edges == {(0, 1), (0, 5), (1, 2), (1, 3), (1, 6), (2, 3), (2, 4), (2, 5), (3, 6)}
    assert _brute_force(edges, {1, 2, 3}) == (7, 6)
    for count in ("circuit", "all"):
        vertex = circuits.eliminate(c, "optimal", count=count)
        edge = circuits.eliminate(c, "optimal", count=count, kind="edge")
        assert vertex.counts[count][0] == 7 and edge.counts[count][0] == 6
        for x in (0.7, -1.3):
            want = circuits.jacobian(c).evaluate(x=x)
            _close(edge.jacobian.evaluate(x=x), want)
            _close(vertex.jacobian.evaluate(x=x), want)
