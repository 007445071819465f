"""The circuit model: the classic examples, the networkx view and every validation error.

References: the sum-of-squares example ( size 7, depth 3;
y = (x1 + x2 + x1·x2)(x1 + x2)), networkx's own algorithms, exact Fractions.
"""

import importlib
from fractions import Fraction

import networkx as nx
import pytest

import circuits
from circuits import Builder, Circuit, CircuitError, trace
from circuits.core.gates import MAX_EXPONENT


def figure1(x, y, z):
    return (x - 3*y - 3*z + 5)**2 + (x - 2*y - 2*z)**2 + (x + y - 5*z - 3)**2


def figure1_exact(x, y, z):  # the formula on Fractions: an outside reference
    return (x - 3*y - 3*z + 5)**2 + (x - 2*y - 2*z)**2 + (x + y - 5*z - 3)**2


FIG1_TEXT = "(x - 3*y - 3*z + 5)**2 + (x - 2*y - 2*z)**2 + (x + y - 5*z - 3)**2"
POINTS = [(1, 1, 1), (Fraction(1, 2), -2, 3), (0, 0, 0), (Fraction(-7, 3), Fraction(5, 4), 11)]


def _figure1_builder():
    b = Builder()
    x, y, z = b.inputs("x y z")
    l1 = b.gate("add", x, y, z, b.const_node(5), weights=(1, -3, -3, 1))
    l2 = b.gate("add", x, y, z, weights=(1, -2, -2))
    l3 = b.gate("add", x, y, z, b.const_node(-3), weights=(1, 1, -5, 1))
    f = b.gate("add", b.gate("square", l1), b.gate("square", l2), b.gate("square", l3))
    b.output("f", b.wire(f))
    return b.build()


def _figure1_variants():
    yield "trace", trace(figure1)
    yield "builder", _figure1_builder()
    try:
        parse = importlib.import_module("circuits.frontends.parse").parse
    except ImportError:  # parse.py is written by another engineer
        return
    yield "parse", parse(FIG1_TEXT)


@pytest.mark.parametrize("how,c", list(_figure1_variants()))
def test_figure1_size_depth_wires_and_values(how, c):
    assert (c.size, c.depth, c.wires) == (7, 3, 17)
    assert list(c.inputs) == ["x", "y", "z"]
    # three weighted + gates, three squares, one + (Figure 1)
    assert sorted(c.op(v) for v in c.gates()) == ["add"] * 4 + ["square"] * 3
    for p in POINTS:
        out = c.evaluate(x=Fraction(p[0]), y=Fraction(p[1]), z=Fraction(p[2]))
        assert list(out.values()) == [figure1_exact(*map(Fraction, p))]
    assert nx.dag_longest_path_length(c.dag) == 3
    assert nx.is_directed_acyclic_graph(c.dag)


def test_worked_example():
    """y = (x1 + x2 + x1·x2)(x1 + x2) with the hand-drawn gates u1, u2, u3, y."""
    b = Builder()
    x1, x2 = b.inputs("x1 x2")
    u1 = x1 + x2
    u2 = x1 * x2
    u3 = u1 + u2
    b.output("y", u1 * u3)
    c = b.build()
    assert c.size == 4 and c.depth == 3
    assert sorted(c.op(v) for v in c.gates()) == ["add", "add", "mul", "mul"]
    # u1 is ONE node feeding both u3 and y
    y = c.outputs["y"]
    u1_node, u3_node = c.args(y)
    assert c.op(y) == "mul" and c.op(u1_node) == "add" and c.op(u3_node) == "add"
    assert u1_node in c.args(u3_node)
    u2_node = next(u for u in c.args(u3_node) if u != u1_node)
    assert c.op(u2_node) == "mul" and c.args(u2_node) == (c.inputs["x1"], c.inputs["x2"])
    for p in [(2, 3), (Fraction(1, 3), Fraction(-4, 5)), (-1, 7)]:
        a, bb = map(Fraction, p)
        assert c.evaluate(x1=a, x2=bb)["y"] == (a + bb + a * bb) * (a + bb)


# --- the networkx view --------------------------------------------------------------

def test_dag_attributes_edge_keys_and_weights():
    b = Builder()
    x, y = b.inputs("x y")
    b.output("f", circuits.sin(x * x) + Fraction(-1, 2) * y + 3.5)
    c = b.build()
    g = c.dag
    assert isinstance(g, nx.MultiDiGraph)
    assert g.graph["inputs"] == {"x": 0, "y": 1} and g.graph["outputs"] == dict(c.outputs)
    assert list(g.nodes) == list(range(len(c)))
    assert g.nodes[0] == {"op": "input", "name": "x"}
    mul = next(v for v in c.gates() if c.op(v) == "mul")
    # x*x: two ordered wires from x, keys 0 and 1
    assert sorted(g.in_edges(mul, keys=True)) == [(0, mul, 0), (0, mul, 1)]
    add = c.outputs["f"]
    weights = {(u, k): d["weight"] for u, _, k, d in g.in_edges(add, keys=True, data=True)}
    consts = [u for u in c.args(add) if c.op(u) == "const"]
    assert len(consts) == 1 and g.nodes[consts[0]] == {"op": "const", "value": 3.5}
    assert weights[(1, c.args(add).index(1))] == Fraction(-1, 2)
    assert all("weight" not in d for _, _, d in g.in_edges(mul, data=True))
    assert g.number_of_edges() == c.wires
    assert c.dag is g  # cached


def test_networkx_algorithms_work_on_the_dag():
    c = trace(figure1)
    (out,) = c.outputs.values()
    g = c.dag
    order = list(nx.topological_sort(g))
    pos = {v: i for i, v in enumerate(order)}
    assert all(pos[u] < pos[v] for u, v in g.edges())
    assert nx.ancestors(g, out) == set(range(len(c))) - {out}
    assert len(nx.dag_longest_path(g)) == 4  # source + 3 gates
    sources = [v for v in g if g.in_degree(v) == 0]
    # x, y, z and the constants 5 and -3 of Figure 1
    assert sorted(g.nodes[v].get("name", g.nodes[v].get("value")) for v in sources
                  if g.nodes[v]["op"] == "input") == ["x", "y", "z"]
    assert sorted(g.nodes[v]["value"] for v in sources if g.nodes[v]["op"] == "const") == [-3, 5]
    assert [v for v in g if g.out_degree(v) == 0] == [out]


def test_from_networkx_round_trip_preserves_structure_and_values():
    c = trace(lambda x, y: (circuits.exp(x * y) - Fraction(2, 3) * y) / circuits.sqrt(x) + x ** 5)
    d = Circuit.from_networkx(c.dag)
    assert [d.op(v) for v in range(len(d))] == [c.op(v) for v in range(len(c))]
    assert [d.args(v) for v in range(len(d))] == [c.args(v) for v in range(len(c))]
    assert [d.weights(v) for v in range(len(d))] == [c.weights(v) for v in range(len(c))]
    assert dict(d.inputs) == dict(c.inputs) and dict(d.outputs) == dict(c.outputs)
    assert d.evaluate(x=2.0, y=0.5) == c.evaluate(x=2.0, y=0.5)


def test_from_networkx_with_string_nodes_and_digraph():
    G = nx.DiGraph()
    G.add_node("a", op="input", name="a")
    G.add_node("b", op="input", name="b")
    G.add_node("q", op="div", name="q")
    G.add_edge("b", "q", position=1)
    G.add_edge("a", "q", position=0)
    c = Circuit.from_networkx(G, outputs=["q"])
    assert c.evaluate(a=Fraction(1), b=4) == {"q": Fraction(1, 4)}


def test_from_networkx_keeps_the_given_input_order():
    G = nx.MultiDiGraph()
    G.add_node("x", op="input", name="x")
    G.add_node("y", op="input", name="y")
    G.add_node("s", op="add")
    G.add_edge("x", "s", key=0, weight=2)
    G.add_edge("y", "s", key=1)
    c = Circuit.from_networkx(G, inputs=["y", "x"], outputs={"f": "s"})
    assert list(c.inputs) == ["y", "x"]
    assert c.evaluate(x=1, y=10) == {"f": 12}


# --- every error path of from_networkx -------------------------------------------------

def _base():
    G = nx.MultiDiGraph()
    G.add_node("x", op="input", name="x")
    G.add_node("k", op="const", value=3)
    G.add_node("g", op="mul")
    G.add_edge("x", "g", key=0)
    G.add_edge("k", "g", key=1)
    return G


def _cycle(G):
    G.add_node("h", op="sin")
    G.add_edge("g", "h", key=0)
    G.add_edge("h", "g", key=2)


def _pow(value, const=True):
    G = nx.MultiDiGraph()
    G.add_node("x", op="input", name="x")
    if const:
        G.add_node("k", op="const", value=value)
    else:
        G.add_node("k", op="input", name="k")
    G.add_node("p", op="pow")
    G.add_edge("x", "p", key=0)
    G.add_edge("k", "p", key=1)
    return G


def _mutate(fn):
    def make():
        G = _base()
        fn(G)
        return G
    return make


ERROR_CASES = {
    "cycle": (_mutate(_cycle), {}, "'g'"),
    "unknown op": (_mutate(lambda G: G.nodes["g"].update(op="gamma")), {}, "'g'"),
    "missing op": (_mutate(lambda G: G.nodes["g"].pop("op")), {}, "'g'"),
    "op not a string": (_mutate(lambda G: G.nodes["g"].update(op=7)), {}, "'g'"),
    "wrong arity": (_mutate(lambda G: G.nodes["g"].update(op="sin")), {}, "'g'"),
    "non-contiguous positions": (_mutate(lambda G: (G.remove_edge("k", "g", key=1),
                                                    G.add_edge("k", "g", key=5))), {}, "'g'"),
    "duplicate positions": (_mutate(lambda G: (G.remove_edge("k", "g", key=1),
                                               G.add_edge("k", "g", key=0))), {}, "'g'"),
    "const without value": (_mutate(lambda G: G.nodes["k"].pop("value")), {}, "'k'"),
    "non-numeric const": (_mutate(lambda G: G.nodes["k"].update(value="3")), {}, "'k'"),
    "bool const": (_mutate(lambda G: G.nodes["k"].update(value=True)), {}, "'k'"),
    "complex const": (_mutate(lambda G: G.nodes["k"].update(value=1j)), {}, "'k'"),
    "duplicate input names": (_mutate(lambda G: (G.add_node("x2", op="input", name="x"),
                                                 G.add_edge("x2", "g", key=2))), {}, "'x2'"),
    "input without name": (_mutate(lambda G: (G.add_node(5, op="input"), G.add_edge(5, "g", key=2))), {}, "5"),
    "input with in-edges": (_mutate(lambda G: G.add_edge("k", "x", key=0)), {}, "'x'"),
    "const with in-edges": (_mutate(lambda G: G.add_edge("x", "k", key=0)), {}, "'k'"),
    "weights on non-add wires": (_mutate(lambda G: G.edges["x", "g", 0].update(weight=2)), {}, "'g'"),
    "non-numeric weight": (_mutate(lambda G: (G.nodes["g"].update(op="add"),
                                              G.edges["x", "g", 0].update(weight="2"))), {}, "'g'"),
    "pow with non-constant exponent": (lambda: _pow(None, const=False), {}, "'p'"),
    "pow with non-integer exponent": (lambda: _pow(2.5), {}, "'p'"),
    "pow with fraction exponent": (lambda: _pow(Fraction(1, 2)), {}, "'p'"),
    "pow with huge exponent": (lambda: _pow(MAX_EXPONENT + 1), {}, "'p'"),
    "output not in graph": (_base, {"outputs": ["nope"]}, "'nope'"),
    "output mapping not in graph": (_base, {"outputs": {"f": "nope"}}, "'nope'"),
    "inputs list missing an input": (_mutate(lambda G: (G.add_node("y", op="input", name="y"),
                                                        G.add_edge("y", "g", key=2))),
                                     {"inputs": ["x"]}, "'y'"),
    "inputs list names a gate": (_base, {"inputs": ["x", "g"]}, "'g'"),
    "inputs list names a missing node": (_base, {"inputs": ["x", "zz"]}, "'zz'"),
}


@pytest.mark.parametrize("case", sorted(ERROR_CASES))
def test_from_networkx_errors_name_the_node(case):
    make, kwargs, name = ERROR_CASES[case]
    with pytest.raises(CircuitError) as info:
        Circuit.from_networkx(make(), **kwargs)
    assert name in str(info.value)


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_from_networkx_non_finite_pow_exponent(value):
    with pytest.raises(CircuitError, match="'p'"):
        Circuit.from_networkx(_pow(value))


def test_from_networkx_rejects_non_graphs():
    with pytest.raises(CircuitError, match="DiGraph"):
        Circuit.from_networkx(nx.Graph())
    with pytest.raises(CircuitError, match="list"):
        Circuit.from_networkx([1, 2])


def test_from_networkx_does_not_mutate_its_input():
    G = _base()
    before = (list(G.nodes(data=True)), list(G.edges(keys=True, data=True)), dict(G.graph))
    Circuit.from_networkx(G, outputs=["g"])
    assert (list(G.nodes(data=True)), list(G.edges(keys=True, data=True)), dict(G.graph)) == before


# --- check() on raw arrays ---------------------------------------------------------------

CHECK_CASES = {
    "forward argument": (["input", "sin"], [(), (1,)], {}, {}, "node 1"),
    "out of range argument": (["input", "sin"], [(), (7,)], {}, {}, "node 1"),
    "unknown op": (["input", "gamma"], [(), (0,)], {}, {}, "node 1"),
    "wrong arity": (["input", "div"], [(), (0,)], {}, {}, "node 1"),
    "const without value": (["input", "const", "mul"], [(), (), (0, 1)], {}, {}, "node 1"),
    "output missing": (["input", "sin"], [(), (0,)], {}, {"g": 9}, "'g'"),
}


@pytest.mark.parametrize("case", sorted(CHECK_CASES))
def test_check_errors_name_the_node(case):
    ops, args, values, outputs, name = CHECK_CASES[case]
    with pytest.raises(CircuitError, match=name):  # the constructor checks, as check() does
        Circuit(ops, args, [None] * len(ops), values, {0: "x"}, {"x": 0}, outputs or {"f": len(ops) - 1})


def test_weights_on_non_add_gate_fail_check():
    with pytest.raises(CircuitError, match="node 1"):
        Circuit(["input", "mul"], [(), (0, 0)], [None, (2, 1)], {}, {0: "x"}, {"x": 0}, {"f": 1})


def test_size_depth_wires_and_accessors():
    def f(x, y):
        s = circuits.sin(x)
        return s * s + y
    c = trace(f)
    assert len(c) == c.size + 2  # two inputs, no constants
    assert c.size == 3 and c.depth == 3 and c.wires == 1 + 2 + 2
    mul = next(v for v in c.gates() if c.op(v) == "mul")
    assert c.args(mul)[0] == c.args(mul)[1]  # one shared sin node, two wires
    assert c.weights(mul) == (1, 1)
    assert c.name(0) == "x" and "size 3" in repr(c)
    with pytest.raises(TypeError):
        c.inputs["z"] = 5  # read-only mapping


def test_needed_nodes_counting_agrees_with_marking():
    # compact's liveness: large circuits count uses with numpy, small ones mark in Python
    import random
    from circuits.core.arrays import _COUNT_FROM, needed_nodes
    rng = random.Random(7)
    for _trial in range(6):
        n = _COUNT_FROM + rng.randrange(3000)
        args = [()] * 5 + [tuple(rng.randrange(i) for _ in range(rng.choice((1, 1, 2, 3))))
                           for i in range(5, n)]
        roots = rng.sample(range(n), rng.choice((1, 3, 50)))
        want = bytearray(n)
        for v in roots:
            want[v] = 1
        for i in range(n - 1, -1, -1):
            if want[i]:
                for u in args[i]:
                    want[u] = 1
        got = needed_nodes(args, roots)
        assert (bytearray(b"\x01") * n if got is None else got) == want
    chain = [()] + [(i,) for i in range(_COUNT_FROM * 2)]
    assert needed_nodes(chain, [len(chain) - 1]) is None
    assert needed_nodes(chain, [0]) == bytearray(b"\x01") + bytearray(len(chain) - 1)


def test_record_arrays_round_trip_and_array_backed_circuits():
    import pickle

    from circuits.core.arrays import arrays_of, tuples_of
    from circuits.core.circuit import circuit_from_arrays
    from circuits.library import random_circuit

    for seed in range(5):
        c = random_circuit(3, 300, seed=seed)
        r = c.record
        a = c.arrays
        assert tuples_of(a) == (r.ops, r.args, r.params)
        assert a.argptr[-1] == c.wires and len(a.codes) == len(c)
        d = circuit_from_arrays(arrays_of(r.ops, r.args, r.params), r.constants, r.input_names,
                                r.inputs, r.outputs, r.meta)
        assert (len(d), d.size, d.wires) == (len(c), c.size, c.wires)   # read from the arrays
        assert d.record == r
        e = pickle.loads(pickle.dumps(circuit_from_arrays(a, r.constants, r.input_names, r.inputs, r.outputs)))
        point = {x: 0.1 * k for k, x in enumerate(c.inputs)}
        assert e.evaluate(point) == c.evaluate(point)
