"""AlphaGrad's benchmark functions, the two counting conventions and the order search.

Outside references: the functions' jaxprs (the same source run under JAX:
one gate per primitive, in the same sequence), JAX's Jacobians, and the
multiplication counts Lohoff and Neftci (2024) publish for the forward,
reverse and Markowitz orders.
"""

import itertools
import random

import numpy as np
import pytest

import circuits
from circuits import CircuitError
from circuits.ad.order_search import SearchGraph, search
from circuits.library import alphagrad, random_circuit, speelpenning

NAMES = list(alphagrad.PUBLISHED)

# JAX primitive -> gate (``sub``/``neg`` are weighted ``+`` gates; integer_pow 2 is ``square``)
_PRIMITIVE = {"sub": "add", "neg": "add", "pow": "powr", "integer_pow": "square"}
_NOT_STAGED = {"convert_element_type", "broadcast_in_dim"}  # dtype casts and jnp.ones: no gate


@pytest.mark.parametrize("name", NAMES)
def test_heuristic_orders_cost_exactly_the_published_baselines(name):
    f = alphagrad.circuit(name)
    got = circuits.order_costs(f, ("forward", "reverse", "markowitz"), count="all")
    assert {k: v[0] for k, v in got.items()} == {k: alphagrad.PUBLISHED[name][k]
                                                 for k in ("forward", "reverse", "markowitz")}


@pytest.mark.parametrize("name", NAMES)
def test_one_gate_per_jax_primitive_in_the_same_sequence(name):
    jax = pytest.importorskip("jax")
    import jax.numpy as jnp
    source, inputs = alphagrad.FUNCTIONS[name]
    jaxpr = jax.make_jaxpr(lambda *xs: tuple(source(jnp, *xs).values()))(*[0.5] * len(inputs))
    prims = [e.primitive.name for e in jaxpr.jaxpr.eqns if e.primitive.name not in _NOT_STAGED]
    f = alphagrad.circuit(name)
    assert [f.op(v) for v in f.gates()] == [_PRIMITIVE.get(p, p) for p in prims]
    assert list(f.outputs) == list(source(jnp, *[0.5] * len(inputs)))


# graphax's starting point for the Roe flux; points inside every domain for the others
_POINTS = {"RoeFlux_1d": [.01, .02, .02, .01, .03, .03], "RobotArm_6DOF": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
           "HumanHeartDipole": [0.3 * k for k in range(1, 9)], "PropaneCombustion": [0.5 + 0.1 * k for k in range(11)]}


@pytest.mark.parametrize("name", list(_POINTS))
def test_values_and_jacobians_match_jax(name):
    jax = pytest.importorskip("jax")
    import jax.numpy as jnp
    source, inputs = alphagrad.FUNCTIONS[name]
    xs = _POINTS[name]
    jax.config.update("jax_enable_x64", True)  # as tests/test_export.py
    fn = lambda *a: jnp.stack(list(source(jnp, *a).values()))  # noqa: E731
    want_f = np.asarray(fn(*map(jnp.float64, xs)))
    want_j = np.stack([np.asarray(c) for c in jax.jacfwd(fn, argnums=tuple(range(len(xs))))(
        *map(jnp.float64, xs))], axis=1)
    point = dict(zip(inputs, xs))
    for traced in (False, True):
        f = alphagrad.circuit(name, traced=traced)
        np.testing.assert_allclose(list(f.evaluate(point).values()), want_f, rtol=1e-10, atol=1e-12)
        e = circuits.eliminate(f, "markowitz", count="all")
        jac = e.jacobian.evaluate(point)
        got = np.array([[jac[f"d{y}/d{x}"] for x in inputs] for y in f.outputs])
        np.testing.assert_allclose(got, want_j, rtol=1e-9, atol=1e-9)


def test_traced_variants_are_smaller_and_agree():
    for name in NAMES[:4]:
        f, t = alphagrad.circuit(name), alphagrad.circuit(name, traced=True)
        assert t.size < f.size
        point = dict(zip(f.inputs, _POINTS[name]))
        assert f.evaluate(point) == pytest.approx(t.evaluate(point), rel=1e-10, abs=1e-12)
    with pytest.raises(CircuitError, match="RoeFlux_1d"):
        alphagrad.circuit("roe")


# --- the two counting conventions -----------------------------------------------------


def test_constant_partials_count_only_when_every_product_is_counted():
    f = circuits.parse("sin(2*x + 3*y)")
    assert circuits.eliminate(f, "forward").counts == {"circuit": (0, 0), "all": (2, 0)}
    e = circuits.eliminate(f, "forward", count="all")
    assert (e.multiplications, e.count) == (2, "all") and "every scalar product" in str(e)
    with pytest.raises(CircuitError, match="unknown count 'every'"):
        circuits.eliminate(f, count="every")


@pytest.mark.parametrize("seed", range(6))
def test_all_count_is_the_sum_of_markowitz_degrees(seed):
    c = random_circuit(3, 18, n_outputs=2, seed=seed)
    for order in ("forward", "reverse", "markowitz", "min_fill"):
        e = circuits.eliminate(c, order, count="all")
        assert e.multiplications == sum(s.markowitz for s in e.steps)
        assert e.additions == sum(s.markowitz - len(s.fill) for s in e.steps)
        assert circuits.eliminate(c, order).cost == e.counts["circuit"]
        assert circuits.order_costs(c, (order,), count="all")[order][:2] == e.cost


@pytest.mark.parametrize("seed", range(4))
def test_optimal_in_each_count_is_the_brute_force_minimum(seed):
    c = random_circuit(2, 9, n_outputs=2, seed=seed)
    Z = circuits.intermediate_vertices(c)
    if len(Z) > 6:
        Z = None
    for count in ("circuit", "all"):
        best = circuits.eliminate(c, "optimal", count=count).cost
        if Z is not None:
            assert best == min(circuits.eliminate(c, list(p), count=count).cost for p in itertools.permutations(Z))


# --- the search ---------------------------------------------------------------------


@pytest.mark.parametrize("count", ["circuit", "all"])
def test_search_is_never_worse_than_the_heuristics_and_gives_the_jacobian(count):
    c = random_circuit(3, 40, n_outputs=3, seed=11)
    e = circuits.eliminate(c, "search", count=count, budget=0.5, seed=1)
    heuristics = circuits.order_costs(c, ("forward", "reverse", "markowitz", "relative_markowitz", "min_fill"),
                                      count=count)
    assert e.cost <= min(v[:2] for v in heuristics.values())
    assert sorted(e.order) == sorted(circuits.intermediate_vertices(c))
    assert e.strategy == "search"
    point = {x: 0.3 + 0.1 * k for k, x in enumerate(c.inputs)}
    want = circuits.backward(c).evaluate(point)
    got = e.jacobian.evaluate(point)
    assert got.keys() == want.keys()
    for k in want:
        assert got[k] == pytest.approx(want[k], rel=1e-9, abs=1e-12)


def test_search_beats_markowitz_on_the_roe_flux_in_a_second():
    lines = []
    e = circuits.eliminate(alphagrad.roe_flux_1d(), "search", count="all", budget=1.0, seed=0,
                           progress=lines.append)
    assert e.multiplications < alphagrad.PUBLISHED["RoeFlux_1d"]["markowitz"]
    assert lines and "multiplications" in lines[-1]


def test_search_graph_costs_agree_with_eliminate_and_windows_are_exact():
    f = speelpenning(7)
    from circuits.ad.elimination import elimination_graph
    G = elimination_graph(f, None, None, None)
    graph = SearchGraph([(i, k, v) for i, s in G.succ.items() for k, v in s.items()], G.Z, "circuit")
    rng = random.Random(3)
    for _ in range(5):
        order = list(G.Z)
        rng.shuffle(order)
        idx = [graph.names.index(v) for v in order]
        assert graph.cost(idx) == circuits.eliminate(f, order).cost
    # windows as wide as the order: the exact optimum
    worst = [graph.names.index(v) for v in sorted(G.Z)]
    _, cost = graph.windows(worst, len(worst), deadline=float("inf"))
    assert cost == circuits.eliminate(f, "optimal").cost
    result = search(graph, [("forward", sorted(G.Z))], budget=0.2)
    assert result.cost <= result.start and result.cost == graph.cost([graph.names.index(v) for v in result.order])


def test_search_refuses_a_bad_budget():
    with pytest.raises(CircuitError, match="budget"):
        circuits.eliminate(speelpenning(4), "search", budget=-1)
    with pytest.raises(CircuitError, match="search"):
        circuits.eliminate(speelpenning(4), "serch")
