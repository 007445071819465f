"""Jacobian accumulation by vertex elimination (circuits.eliminate).

References for the known values:

* Griewank, A. and Walther, A. (2008). *Evaluating Derivatives: Principles and
  Techniques of Algorithmic Differentiation*, 2nd ed., SIAM; chapters 9 and 10
  (vertex elimination on the linearized graph, forward and reverse as
  elimination orders, Markowitz).  Speelpenning's product costs
  n(n−1)/2 − 1 multiplications forward and 2(n−2) in reverse as a chain of
  binary products (the issue's known values).
* Naumann, U. (2004). "Optimal accumulation of Jacobian matrices by
  elimination methods on the dual computational graph", Math. Program. 99,
  399–421; Naumann, U. (2008). "Optimal Jacobian accumulation is
  NP-complete", Math. Program. 112, 427–441 (also Remark 12.7 of the course notes *12 Automatic Differentiation*): the
  reverse order is optimal for a single output whose graph is a tree of
  binary products, since each intermediate vertex then has one successor at
  elimination time and costs its in-degree.
* Cormen et al., *Introduction to Algorithms*, matrix-chain multiplication: the matrix chain (30, 35, 15, 5, 10, 20, 25) costs
  15,125 multiplications in the best order (Cormen et al., *Introduction to
  Algorithms*, §15.2, the same dimensions).
"""

from __future__ import annotations

import itertools
import math
import random

import pytest
import sympy
from hypothesis import HealthCheck, given, settings, strategies as st

import circuits
import circuits.testing as ct
from circuits import CircuitError, library
from circuits.analysis.counts import gate_binary_ops
from circuits.ad.elimination import OPTIMAL_LIMIT

NAMED = ("forward", "reverse", "markowitz", "relative_markowitz", "min_fill", "optimal")


def _close(a, b):
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)


def _assert_same_jacobian(c, point, orders=NAMED):
    want = circuits.backward(c).evaluate(point)
    for order in orders:
        got = circuits.eliminate(c, order).jacobian.evaluate(point)
        assert list(got) == list(want), order
        for k in want:
            assert _close(got[k], want[k]), (order, k, got[k], want[k])


# --- known values ------------------------------------------------------------


@pytest.mark.parametrize("n", [3, 4, 5, 6, 10, 12])
def test_speelpenning_forward_and_reverse_counts(n):
    # Griewank & Walther (2008), ch. 9-10: n(n-1)/2 - 1 forward, 2(n-2) reverse
    f = library.speelpenning(n)
    fwd = circuits.eliminate(f, "forward")
    rev = circuits.eliminate(f, "reverse")
    assert fwd.multiplications == n * (n - 1) // 2 - 1
    assert rev.multiplications == 2 * (n - 2)
    assert fwd.additions == rev.additions == 0
    # every partial is a node: each step costs exactly its Markowitz degree
    for e in (fwd, rev):
        assert all(s.multiplications == s.markowitz for s in e.steps)
    if n <= OPTIMAL_LIMIT + 2:
        assert circuits.eliminate(f, "optimal").multiplications == 2 * (n - 2)


def test_speelpenning_n10_is_44_and_16():
    f = library.speelpenning(10)
    assert [circuits.eliminate(f, o).multiplications for o in ("forward", "reverse")] == [44, 16]
    point = {f"x_{i}": i / 3 for i in range(1, 11)}
    got = circuits.eliminate(f, "reverse").jacobian.evaluate(point)
    for i in range(1, 11):
        want = math.prod(j / 3 for j in range(1, 11) if j != i)
        assert _close(got[f"df/dx_{i}"], want)


def test_reverse_is_optimal_for_a_tree_of_products_with_one_output():
    # Naumann (2004): a single output over a tree, each vertex has one successor in reverse order
    f = circuits.trace(lambda a, b, c, d: (a * b) * (c * d) * (a * c))
    costs = circuits.order_costs(f)
    assert costs["reverse"][:2] == costs["optimal"][:2]
    assert costs["forward"][0] > costs["reverse"][0]


def _xs(circuit):
    return [x for x in circuit.inputs if x.startswith("x_")]


def _chain_order(circuit, tree):
    """The free vertices first (weight products), then whole layers in the bracketing's post-order."""
    layers = circuit.meta["layers"]
    units = {v for layer in layers for v in layer}
    order = [v for v in circuits.intermediate_vertices(circuit, wrt=_xs(circuit)) if v not in units]
    stack = [(tree, False)]
    spans = []
    while stack:  # iterative post-order; each inner node splits after its left span
        node, done = stack.pop()
        if isinstance(node, int):
            spans.append((node, node))
        elif done:
            right = spans.pop()
            left = spans.pop()
            order.extend(layers[left[1]])           # the layer between matrices left[1] and left[1]+1
            spans.append((left[0], right[1]))
        else:
            stack.append((node, True))
            stack.append((node[1], False))
            stack.append((node[0], False))
    return order


def test_matrix_chain_of_exercise_12_6_costs_15125_multiplications():
    dims = (30, 35, 15, 5, 10, 20, 25)
    c = library.layered_chain(dims)
    for how in ("left", "right", "optimal"):
        tree, mults = library.matrix_chain_order(dims, how)
        e = circuits.order_costs(c, [_chain_order(c, tree)], wrt=_xs(c))["explicit"]
        assert e[0] == mults, how
    costs = circuits.order_costs(c, ["forward", "reverse", "markowitz"], wrt=_xs(c))
    # increasing ids multiply from the left, decreasing from the right; Markowitz finds the best
    assert [costs[o][0] for o in ("forward", "reverse", "markowitz")] == [40500, 47500, 15125]
    assert library.matrix_chain_order(dims)[1] == 15125


def test_matrix_chain_small_values_agree_with_backward():
    dims = (3, 4, 2, 3)
    for activation in (None, "tanh"):
        c = library.layered_chain(dims, activation)
        tree, mults = library.matrix_chain_order(dims)
        rng = random.Random(1)
        point = {x: rng.uniform(-1, 1) for x in c.inputs}
        want = circuits.backward(c).evaluate(point)
        for order in ("markowitz", "reverse", _chain_order(c, tree)):
            e = circuits.eliminate(c, order, wrt=_xs(c))
            got = e.jacobian.evaluate(point)
            assert all(_close(v, want[k]) for k, v in got.items())
        if activation is None:
            assert circuits.eliminate(c, _chain_order(c, tree), wrt=_xs(c)).multiplications == mults


# --- values ------------------------------------------------------------------


@pytest.mark.parametrize("name,make,point", [
    ("figure1", library.figure1, None),
    ("backprop_example", library.backprop_example, None),
    ("sin_dot", lambda: library.sin_dot(3, 4), None),
    ("mlp", lambda: library.mlp([3, 3, 2], loss=None), None),
    ("det3", lambda: library.determinant(3), None),
    ("horner", lambda: library.horner([1, 2, 3, 4]), None),
    ("rnn", lambda: library.rnn(3, 2), None),
    ("conv1d", lambda: library.conv1d(6, 3, "tanh"), None),
    ("matrix_chain", lambda: library.matrix_chain([2, 3, 2, 2]), None),
    ("random", lambda: library.random_circuit(3, 14, seed=3), None),
])
def test_every_order_matches_backward_on_library_circuits(name, make, point):
    c = make()
    rng = random.Random(7)
    point = {x: rng.uniform(0.5, 1.5) for x in c.inputs}
    orders = NAMED if len(circuits.intermediate_vertices(c)) <= 12 else NAMED[:-1]
    _assert_same_jacobian(c, point, orders)
    e = circuits.eliminate(c, "markowitz")
    ct.assert_gradient_close(c, e.jacobian, point)


def test_values_match_sympy_exactly():
    f = circuits.trace(lambda x, y: (circuits.sin(x * y) + x) * circuits.exp(y) / (1 + x * x))
    X, Y = sympy.symbols("x y")
    expr = circuits.to_sympy(f)["f"]
    for order in NAMED:
        J = circuits.to_sympy(circuits.eliminate(f, order).jacobian)
        for v, sym in (("x", X), ("y", Y)):
            assert sympy.simplify(J[f"df/d{v}"] - sympy.diff(expr, sym)) == 0, (order, v)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_circuits_every_order_matches_backward(data):
    c = data.draw(ct.random_circuits(max_inputs=3, max_gates=10, max_outputs=3))
    point = data.draw(ct.points(c))
    _assert_same_jacobian(c, point)


def test_outputs_that_are_inputs_constants_or_shared():
    b = circuits.Builder()
    x, y = b.inputs("x y")
    s = circuits.sin(x * y)
    b.output("f", s)
    b.output("g", s * x)            # f's node has a successor: it gets its own sink
    b.output("h", x)                # an input as an output
    b.output("k", b.const(3.0))     # a constant: zero row
    b.output("f2", s)               # the same node under another name
    c = b.build()
    point = {"x": 0.7, "y": -0.4}
    _assert_same_jacobian(c, point)
    J = circuits.eliminate(c).jacobian.evaluate(point)
    assert J["dh/dx"] == 1 and J["dh/dy"] == 0 and J["dk/dx"] == 0


def test_wrt_and_output_select_the_entries():
    f = circuits.trace(lambda x, y, z: (x * y * z, circuits.sin(x) + z))
    e = circuits.eliminate(f, "optimal", output="f1", wrt=["x", "z"])
    assert list(e.jacobian.outputs) == ["df1/dx", "df1/dz"]
    got = e.jacobian.evaluate(x=0.3, y=2.0, z=1.0)
    assert _close(got["df1/dx"], math.cos(0.3)) and got["df1/dz"] == 1


# --- the counting convention ---------------------------------------------------


@pytest.mark.parametrize("make", [
    lambda: library.speelpenning(6),
    lambda: library.sin_dot(3, 4),
    lambda: library.layered_chain([3, 4, 2, 3], "sin"),
    lambda: library.random_circuit(3, 12, seed=1),
    lambda: library.mlp([2, 3, 2], loss=None),
])
def test_counts_are_the_gates_and_binary_ops_added(make):
    c = make()
    for order in ("forward", "reverse", "markowitz", "min_fill"):
        e = circuits.eliminate(c, order)
        J = e.jacobian
        # the partials alone: the same builder without any elimination gate
        lin = circuits.linearize(c)
        nodes = sorted({p[0] for p in lin.partials().values() if p is not None and p[0] is not None})
        b = lin.builder
        for k, v in enumerate(nodes):
            b.output_node(f"p{k}", v)
        base = b.build() if nodes else None
        base_size = base.size if base else 0
        base_ops = sum(gate_binary_ops(base, v) for v in base.gates()) if base else 0
        base_muls = sum(1 for v in base.gates() if base.op(v) == "mul") if base else 0
        assert sum(1 for v in J.gates() if J.op(v) == "mul") == base_muls + e.multiplications, order
        ops = sum(gate_binary_ops(J, v) for v in J.gates())
        assert ops == base_ops + e.multiplications + e.additions + e.scalings, order
        one_wire = sum(1 for v in range(len(J)) if J.op(v) == "add" and len(J.args(v)) == 1
                       and J.meta["role"][v] == "derivative")
        base_one_wire = sum(1 for v in base.gates() if base.op(v) == "add" and len(base.args(v)) == 1
                            and base.meta.get("role", ["primal"] * len(base))[v] == "derivative") if base else 0
        assert J.size == base_size + e.multiplications + e.additions + one_wire - base_one_wire, order


def test_constant_partials_fold_into_weights():
    # sin(wᵀx)·b with constant w, b: every product has a constant factor, no multiplication
    c = library.sin_dot(4, 5)
    for order in NAMED:
        e = circuits.eliminate(c, order)
        assert (e.multiplications, e.additions) == (0, 0)
        assert e.scalings == 4 * 5        # one scaled copy of cos(wᵀx) per entry


def test_order_costs_match_eliminate():
    for seed in range(6):
        c = library.random_circuit(3, 12, seed=seed)
        costs = circuits.order_costs(c)
        for order, (m, a, fill) in costs.items():
            e = circuits.eliminate(c, order)
            assert (e.multiplications, e.additions, e.fill_in) == (m, a, fill), (seed, order)
            assert sum(s.multiplications for s in e.steps) == m
            assert sum(len(s.fill) for s in e.steps) == fill


# --- optimal -------------------------------------------------------------------


def _brute_force(c):
    Z = circuits.intermediate_vertices(c)
    best = None
    for perm in itertools.permutations(Z):
        e = circuits.order_costs(c, [list(perm)])["explicit"]
        best = e[:2] if best is None or e[:2] < best else best
    return best


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ct.random_circuits(max_inputs=3, max_gates=9, max_outputs=2))
def test_optimal_is_never_worse_and_equals_brute_force_on_tiny_graphs(c):
    costs = circuits.order_costs(c)
    best = costs["optimal"][:2]
    assert all(best <= v[:2] for v in costs.values())
    if len(circuits.intermediate_vertices(c)) <= 6:
        assert best == _brute_force(c)


def test_optimal_refuses_large_graphs_with_a_suggestion():
    c = library.chain(OPTIMAL_LIMIT + 5, "sin")
    with pytest.raises(CircuitError, match=r"\|Z\| = 20.*markowitz"):
        circuits.eliminate(c, "optimal")
    assert "optimal" not in circuits.order_costs(c)
    with pytest.raises(CircuitError, match=r"\|Z\| = 1999 \(2\^1999 ≈ 10\^602 states\)"):
        circuits.eliminate(library.chain(2000), "optimal")


def test_optimal_at_the_limit_finishes():
    f = library.speelpenning(OPTIMAL_LIMIT + 2)         # |Z| = OPTIMAL_LIMIT
    assert len(circuits.intermediate_vertices(f)) == OPTIMAL_LIMIT
    costs = circuits.order_costs(f, ["optimal", "reverse", "markowitz"])
    assert costs["optimal"][:2] == costs["reverse"][:2] == (2 * OPTIMAL_LIMIT, 0)
    assert costs["markowitz"][0] > costs["optimal"][0]


# --- orders and errors -----------------------------------------------------------


def test_explicit_orders_are_checked():
    f = library.speelpenning(4)          # x_1..x_4 = 0..3, products 4, 5, 6 (output)
    assert circuits.intermediate_vertices(f) == [4, 5]
    assert circuits.eliminate(f, [5, 4]).order == (5, 4)
    with pytest.raises(CircuitError, match="leaves intermediate vertices \\[5\\]"):
        circuits.eliminate(f, [4])
    with pytest.raises(CircuitError, match="twice"):
        circuits.eliminate(f, [4, 4, 5])
    with pytest.raises(CircuitError, match="vertex 6 is not an intermediate"):
        circuits.eliminate(f, [4, 5, 6])
    with pytest.raises(CircuitError, match="unknown order 'sideways'"):
        circuits.eliminate(f, "sideways")
    with pytest.raises(CircuitError, match="node ids"):
        circuits.eliminate(f, ["a", "b"])
    with pytest.raises(CircuitError, match="expects a Circuit"):
        circuits.eliminate("x*y")


def test_markowitz_ties_go_to_the_lowest_index_and_degrees_are_current():
    f = library.speelpenning(6)
    e = circuits.eliminate(f, "markowitz")
    # every vertex starts at degree 2; the lowest goes first, then degrees grow
    assert e.steps[0].vertex == min(circuits.intermediate_vertices(f))
    for s in e.steps:
        assert s.markowitz == len(s.predecessors) * len(s.successors)


def test_deep_chain_is_not_recursive_and_markowitz_is_linear():
    c = library.chain(20_000, "sin")
    e = circuits.eliminate(c, "markowitz")
    assert e.multiplications == 20_000 - 1 and e.fill_in == 20_000 - 1
    assert e.jacobian.evaluate(x=0.1)["df/dx"] == pytest.approx(
        circuits.backward(c).evaluate(x=0.1)["df/dx"])


# --- seeing it -----------------------------------------------------------------


def test_compare_orders_table_text_markdown_html():
    t = circuits.compare_orders(library.speelpenning(10))
    rows = {r["order"]: r for r in t.rows}
    assert rows["forward"]["multiplications"] == 44 and rows["reverse"]["multiplications"] == 16
    assert rows["optimal"]["ratio"] == 1.0
    text = str(t)
    assert "reverse *" in text and "forward *" not in text
    assert t.to_markdown().count("\n|") == len(t.rows) + 2
    html = t._repr_html_()
    assert html.startswith("<table>") and html.count("<tr>") == len(t.rows) + 1
    big = circuits.compare_orders(library.chain(OPTIMAL_LIMIT + 3))
    assert f"|Z| = {OPTIMAL_LIMIT + 2} > {OPTIMAL_LIMIT}" in str(big)


def test_render_elimination_frames_and_files(tmp_path):
    f = library.speelpenning(4)
    frames = circuits.render_elimination(f, "forward", tmp_path / "sp.png", point={
        "x_1": 1, "x_2": 2, "x_3": 3, "x_4": 4})
    assert len(frames) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sp-00.png", "sp-01.png", "sp-02.png"]
    # step 1 eliminates v4 = x_1·x_2; its fill edges x_1 → v5 (3·2 = 6) and x_2 → v5 (3)
    src = frames[1].source
    assert 'v0 -> v5 [label=6 color="#e67e22"' in src and 'v1 -> v5 [label=3 color="#e67e22"' in src
    assert "style=dashed" in src
    frames = circuits.render_elimination(f, "reverse", tmp_path / "sp.pdf")
    data = (tmp_path / "sp.pdf").read_bytes()
    assert data.startswith(b"%PDF") and b"/Count 3" in data and len(frames) == 3
    with pytest.raises(CircuitError, match="max_vertices"):
        circuits.render_elimination(library.chain(100), "forward")
