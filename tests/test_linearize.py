"""linearize, edge_values, linearized_graph: every wire's local partial, once.

References: sympy.diff of each gate's sympy form (the outside reference for
the local partials), Bauer's path formula (Bauer 1974)
summed over networkx's paths of the linearized graph, and the worked example
of the worked example.
"""

from __future__ import annotations

import math

import networkx as nx
import pytest
import sympy
from hypothesis import HealthCheck, given, settings, strategies as st

import circuits
import circuits.testing as ct
from circuits import CircuitError
from circuits.core.gates import GATES
from circuits.ad.linearize import Linearization


def _sympy_partial(c, g, i, values):
    """∂ of gate g's formula in its argument i, by sympy.diff, at the node values."""
    if c.op(g) == "add":
        return c.weights(g)[i]
    args = c.args(g)
    dummies = sympy.symbols(f"a0:{len(args)}", real=True)  # Abs and sign differentiate on reals
    gate = GATES[c.op(g)]
    others = [sympy.sympify(values[v]) if j != i else d for j, (d, v) in enumerate(zip(dummies, args))]
    expr = (gate.sym or gate.num)(*others)  # the other arguments first: x**k at 0 stays exact
    return sympy.diff(expr, dummies[i]).subs(dummies[i], values[args[i]])


def test_worked_example_partials():
    y = circuits.trace(lambda x1, x2: (x1 + x2 + x1 * x2) * (x1 + x2))
    ev = circuits.edge_values(y)
    x1, x2 = sympy.symbols("x1 x2")
    by_gate = {}
    for (_u, g, _i), v in ev.items():
        by_gate.setdefault(y.op(g), []).append(sympy.expand(v))
    # the outer product's partials are the other factor: (x1 + x2) and (x1 + x2 + x1·x2)
    assert sorted(map(str, by_gate["mul"])) == sorted(map(str, [x2, x1, x1 + x2, x1 * x2 + x1 + x2]))
    assert set(by_gate["add"]) == {1}


def test_parallel_wires_are_summed_in_the_graph():
    # f(x, x): two wires, one edge whose partial is their sum
    c = circuits.parse("x * x")
    lin = circuits.linearize(c)
    assert len(lin) == 2
    G = circuits.linearized_graph(c, {"x": 5})
    assert G.number_of_edges() == 1 and G.edges[0, 1]["partial"] == 10


def test_structural_zeros_are_not_edges():
    c = circuits.parse("x**3 + step(x)")
    lin = circuits.linearize(c)
    partials = lin.partials()
    assert any(p is None for p in partials.values())  # the step gate's argument
    G = circuits.linearized_graph(c)
    assert all(G.nodes[g]["op"] != "step" for _, g in G.edges)


def test_partials_are_built_once_for_many_sweeps():
    f = circuits.trace(lambda x, y: (circuits.sin(x * y), circuits.sin(x * y) + x))
    lin = circuits.Linearization(f)
    first = [lin.partial(g, i) for g in f.gates() for i in range(len(f.args(g)))]
    n = len(lin.builder)
    again = [lin.partial(g, i) for g in f.gates() for i in range(len(f.args(g)))]
    assert first == again and len(lin.builder) == n


def test_wrt_and_output_restrict_the_wires():
    f = circuits.trace(lambda x, y: (x * x, circuits.sin(y)))
    assert {f.op(g) for _, g, _ in circuits.linearize(f, output="f0").wires()} == {"mul"}
    assert {f.op(g) for _, g, _ in circuits.linearize(f, wrt=["y"]).wires()} == {"sin"}


def test_numeric_and_symbolic_values_agree():
    f = circuits.parse("exp(x*y) / (1 + y**2) + log(x) * tanh(y)")
    point = {"x": 1.5, "y": -0.5}
    numeric = circuits.edge_values(f, point)
    symbolic = circuits.edge_values(f)
    env = {sympy.Symbol(k): v for k, v in point.items()}
    for wire, value in numeric.items():
        assert math.isclose(value, float(sympy.sympify(symbolic[wire]).subs(env)), rel_tol=1e-12, abs_tol=1e-12)


def test_errors_name_the_problem():
    with pytest.raises(CircuitError, match="expects a Circuit"):
        circuits.linearize("x * y")
    f = circuits.parse("x * y")
    with pytest.raises(CircuitError, match="'z' is not an input"):
        circuits.linearize(f, wrt=["z"])
    with pytest.raises(CircuitError, match="'g' is not an output"):
        circuits.edge_values(f, {"x": 1, "y": 2}, output="g")


def test_deep_chain_is_not_recursive():
    b = circuits.Builder()
    (x,) = b.inputs("x")
    w = x
    for _ in range(100_000):
        w = circuits.sin(w)
    b.output("f", w)
    c = b.build()
    lin = circuits.linearize(c)
    assert len(lin) == 100_000
    G = circuits.linearized_graph(c, {"x": 0.1})
    assert G.number_of_edges() == 100_000


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_edge_values_match_sympy_and_bauer_matches_backward(data):
    c = data.draw(ct.random_circuits(max_outputs=2, max_inputs=3, max_gates=8))
    point = data.draw(ct.points(c))
    ev = circuits.edge_values(c, point)
    values = ct.node_values(c, point)
    for (_u, g, i), value in ev.items():
        want = _sympy_partial(c, g, i, values)
        assert math.isclose(float(value), float(want), rel_tol=1e-9, abs_tol=1e-9), (c.op(g), i)
    # Bauer: ∂y/∂x = Σ over paths of the linearized graph of the product of edge labels
    G = circuits.linearized_graph(c, point)
    grad = circuits.backward(c).evaluate(point)
    for y, yv in c.outputs.items():
        for x, xv in c.inputs.items():
            if xv == yv:
                paths_sum = 1.0
            else:
                paths_sum = sum(math.prod(G.edges[a, b]["partial"] for a, b in zip(p, p[1:]))
                                for p in nx.all_simple_paths(G, xv, yv))
            assert math.isclose(float(paths_sum), float(grad[f"d{y}/d{x}"]), rel_tol=1e-9, abs_tol=1e-9)


def test_registry_rules_get_the_trusted_twin_and_user_rules_the_checking_builder():
    f = circuits.parse("sin(x) * exp(y)")
    lin = circuits.linearize(f)
    rule, b, weighted = lin.rule("sin")
    assert b is lin.fast and not weighted and rule is GATES["sin"].partial
    assert lin.rule("add") == (None, None, True)  # linear: the weight is the partial
    # both twins share one state: what one adds, the other sees
    n = len(lin.builder)
    node = lin.fast.gate("cos", 0)
    assert node == n and len(lin.builder) == n + 1 and lin.builder.op(node) == "cos"
    # a user gate's faulty rule (here, only past node 20, so registration's probe passes)
    # is still refused with the builder's words
    bad = circuits.Gate("wobble", 1, "w", formula=lambda m, u: m.sin(u),
                        partial=lambda b, args, out, i: (b.gate("sin", *args * (1 + (out > 5))), 1))
    with circuits.registered_gate(bad):
        g = circuits.parse(" + ".join(f"x{k}" for k in range(20)) + " + wobble(x0) * x1")
        lin = Linearization(g)
        assert lin.rule("wobble")[1] is lin.builder
        with pytest.raises(CircuitError, match="sin"):
            circuits.backward(g)


def test_trusted_gate_still_checks_weights():
    b = circuits.Builder()
    x = b.input_node("x")
    fast = b.trusted()
    assert fast.gate("add", x, x, weights=(1, 1)) == 1
    assert b.params(1) is None  # all-one weights are stored as None, as Builder.gate does
    with pytest.raises(CircuitError, match="finite"):
        fast.gate("add", x, x, weights=(1.0, math.inf))


def test_partial_templates_reproduce_the_rules():
    # a template is the registry's rule read back from one traced call: applied to any
    # wire it must make the gates the rule makes, and nothing else
    from circuits.ad.linearize import partial_template
    templated = set()
    for op, gate in GATES.items():
        for arity in ([gate.arity] if gate.arity is not None else [2, 3]):
            b = circuits.Builder()
            xs = [b.input_node(f"x{j}") for j in range(arity)]
            args = (xs[0],) * arity if arity == 2 and op == "mul" else tuple(xs)  # x*x too
            if gate.constant_args:
                args = args[:1] + (b.const_node(3),)
            out = b.gate(op, *args)
            for i in range(arity):
                t = partial_template(op, arity, i)
                n = len(b)
                want = gate.partial(b, args, out, i) if not gate.weighted else t
                if t == "call" or gate.weighted:
                    continue
                templated.add(op)
                made = [(b.op(v), b.args(v), b.params(v)) for v in range(n, len(b))]
                if t is None:
                    assert want is None and not made
                    continue
                gop, ref, c = t
                node = out if ref < 0 else args[ref]
                if gop is None:
                    assert want == (node, c) and not made
                else:
                    assert made == [(gop, (node,), None)] and want == (n, c)
    assert {"sin", "cos", "exp", "log", "mul", "step"} <= templated
