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
