"""JSON and sympy bridges: round trips, malformed documents, fuzzing, shared subexpressions.

References: the json module's own parser (documents are valid JSON), exact
Fractions, and sympy evaluated independently at random points.
"""

import json
import math
import random
from fractions import Fraction

import pytest
import sympy
from hypothesis import given, settings, strategies as st

import circuits
from circuits import Builder, Circuit, CircuitError, from_json, from_sympy, to_json, to_sympy, trace


def _structure(c):
    return ([c.op(v) for v in range(len(c))], [c.args(v) for v in range(len(c))],
            [c.weights(v) for v in range(len(c))],
            {v: (c.value(v), type(c.value(v))) for v in range(len(c)) if c.op(v) == "const"},
            list(c.inputs.items()), list(c.outputs.items()))


def _sample():
    b = Builder()
    x, y, z = b.inputs("x y z")
    s = Fraction(-2, 3) * x + 0.25 * y - 7 * z + Fraction(5, 2)
    b.output("f", circuits.sigmoid(s) * circuits.relu(x) / (y ** 3 + circuits.sqrt(z)))
    b.output("g", s * s + circuits.step(x) + x ** -2)
    b.output("h", x)  # an output that is an input
    return b.build()


# --- JSON round trips ----------------------------------------------------------------------

@pytest.mark.parametrize("indent", [None, 0, 2])
def test_json_round_trip_preserves_structure_and_values(indent):
    c = _sample()
    text = to_json(c, indent=indent)
    doc = json.loads(text)  # valid JSON for an independent parser
    assert doc["format"] == "circuits" and doc["version"] == 2
    d = from_json(text)
    assert _structure(d) == _structure(c)
    point = dict(x=Fraction(1, 3), y=Fraction(2), z=Fraction(9, 4))
    with pytest.raises(CircuitError):  # sigmoid has no exact value: same error both ways
        d.evaluate(point)
    pf = {k: float(v) for k, v in point.items()}
    assert d.evaluate(pf) == c.evaluate(pf)
    assert Circuit.from_json(c.to_json()).evaluate(pf) == c.evaluate(pf)


def test_json_preserves_exact_and_special_numbers():
    b = Builder()
    x = b.input("x")
    b.output("f", b.wire(b.gate("add", x.node, b.const_node(Fraction(1, 3)), b.const_node(float("nan")),
                         b.const_node(float("inf")), b.const_node(-math.inf), b.const_node(Fraction(4)),
                         b.const_node(2 ** 80), b.const_node(0.1), b.const_node(-0.0),
                         weights=(Fraction(-7, 9), -1, 1, 1, 1, 1, 1, 1e-300, -2.5))))
    c = b.build()
    text = to_json(c)
    assert "NaN" not in text and "Infinity" not in text
    json.loads(text, parse_constant=lambda s: pytest.fail(f"invalid JSON constant {s}"))
    d = from_json(text)
    got = [d.value(v) for v in range(len(d)) if d.op(v) == "const"]
    want = [c.value(v) for v in range(len(c)) if c.op(v) == "const"]
    assert [type(v) for v in got] == [type(v) for v in want]
    assert [str(v) for v in got] == [str(v) for v in want]  # nan == nan as text; -0.0 keeps its sign
    assert d.weights(d.outputs["f"]) == c.weights(c.outputs["f"])
    assert isinstance(d.weights(d.outputs["f"])[0], Fraction)


def test_json_preserves_meta():
    c = Circuit(["input", "sin", "cos"], [(), (0,), (0,)], [None] * 3, {}, {0: "x"}, {"x": 0},
                {"f": 1, "df/dx": 2}, meta={"role": ["primal", "primal", "derivative"], "adjoint_of": {2: 1}})
    d = from_json(to_json(c))
    assert list(d.meta["role"]) == ["primal", "primal", "derivative"] and dict(d.meta["adjoint_of"]) == {2: 1}
    assert list(d.outputs) == ["f", "df/dx"]


def test_json_keeps_input_order_different_from_node_order():
    import networkx as nx
    G = nx.MultiDiGraph()
    G.add_node("a", op="input", name="a")
    G.add_node("b", op="input", name="b")
    G.add_node("d", op="div")
    G.add_edge("a", "d", key=0)
    G.add_edge("b", "d", key=1)
    c = Circuit.from_networkx(G, inputs=["b", "a"], outputs={"q": "d"})
    d = from_json(to_json(c))
    assert list(d.inputs) == ["b", "a"]
    assert d.evaluate(a=Fraction(1), b=3) == {"q": Fraction(1, 3)}


def test_indented_json_is_one_node_per_line():
    c = _sample()
    lines = to_json(c, indent=2).splitlines()
    assert sum(1 for line in lines if line.startswith('    {"op"')) == len(c)


def test_deep_chain_json_round_trip():
    b = Builder()
    v = b.input_node("x")
    for i in range(100_000):
        v = b.gate("sin", v) if i % 2 else b.gate("add", v, b.const_node(Fraction(1, 7)), weights=(2, -1))
    b.output("f", b.wire(v))
    c = b.build()
    d = from_json(to_json(c))
    assert len(d) == len(c) and d.depth == 100_000
    assert d.evaluate(x=0.5) == c.evaluate(x=0.5)


# --- malformed JSON ---------------------------------------------------------------------------

def _doc(**changes):
    doc = {"format": "circuits", "version": 1, "inputs": ["x"], "outputs": {"f": 2},
           "nodes": [{"op": "input", "name": "x"}, {"op": "const", "value": 2},
                     {"op": "pow", "args": [0, 1]}]}
    doc.update(changes)
    return json.dumps(doc)


def _nodes(*nodes, outputs=None, inputs=("x",)):
    return json.dumps({"format": "circuits", "version": 1, "inputs": list(inputs),
                       "outputs": outputs if outputs is not None else {"f": len(nodes) - 1},
                       "nodes": list(nodes)})


X = {"op": "input", "name": "x"}

MALFORMED = {
    "not JSON": ("{", "JSON"),
    "empty text": ("", "JSON"),
    "trailing garbage": (_doc() + "x", "JSON"),
    "NaN literal": (_doc().replace('"value": 2', '"value": NaN'), "NaN"),
    "deeply nested arrays": ("[" * 100_000 + "]" * 100_000, "nested"),
    "deeply nested objects": ('{"a":' * 100_000 + "1" + "}" * 100_000, "nested"),
    "not an object": ("[1, 2]", "object"),
    "wrong format": (_doc(format="other"), "format"),
    "wrong version": (_doc(version=3), "version"),
    "version as string": (_doc(version="1"), "version"),
    "version as bool": (_doc(version=True), "version"),
    "unknown top-level key": (_doc(extra=1), "'extra'"),
    "missing nodes": (json.dumps({"format": "circuits", "version": 1, "inputs": [], "outputs": {}}), "'nodes'"),
    "missing inputs": (json.dumps({"format": "circuits", "version": 1, "nodes": [], "outputs": {}}), "'inputs'"),
    "nodes not a list": (_doc(nodes={"0": X}), "nodes"),
    "node not an object": (_nodes(X, 5), "node 1"),
    "node without op": (_nodes(X, {"args": [0]}), "node 1"),
    "op not a string": (_nodes(X, {"op": 3, "args": [0]}), "node 1"),
    "unknown op": (_nodes(X, {"op": "gamma", "args": [0]}), "node 1"),
    "unexpected node key": (_nodes(X, {"op": "sin", "args": [0], "colour": "red"}), "node 1"),
    "weights on non-add": (_nodes(X, {"op": "mul", "args": [0, 0], "weights": [1, 2]}), "node 1"),
    "forward reference": (_nodes(X, {"op": "sin", "args": [2]}, {"op": "cos", "args": [1]}), "node 1"),
    "self reference": (_nodes(X, {"op": "sin", "args": [1]}), "node 1"),
    "negative reference": (_nodes(X, {"op": "sin", "args": [-1]}), "node 1"),
    "arg not an int": (_nodes(X, {"op": "sin", "args": ["0"]}), "node 1"),
    "arg a float": (_nodes(X, {"op": "sin", "args": [0.0]}), "node 1"),
    "arg a bool": (_nodes(X, {"op": "sin", "args": [False]}), "node 1"),
    "args not a list": (_nodes(X, {"op": "sin", "args": 0}), "node 1"),
    "missing args": (_nodes(X, {"op": "sin"}), "node 1"),
    "wrong arity": (_nodes(X, {"op": "div", "args": [0]}), "node 1"),
    "too few weights": (_nodes(X, {"op": "add", "args": [0, 0], "weights": [1]}), "node 1"),
    "weights not a list": (_nodes(X, {"op": "add", "args": [0, 0], "weights": 2}), "node 1"),
    "non-numeric weight": (_nodes(X, {"op": "add", "args": [0, 0], "weights": [1, "two"]}), "node 1"),
    "bool weight": (_nodes(X, {"op": "add", "args": [0, 0], "weights": [1, True]}), "node 1"),
    "input without name": (_nodes({"op": "input"}, inputs=()), "node 0"),
    "input name not a string": (_nodes({"op": "input", "name": 3}, inputs=()), "node 0"),
    "input with args": (_nodes({"op": "input", "name": "x", "args": []}), "node 0"),
    "const without value": (_nodes(X, {"op": "const"}), "node 1"),
    "const value a string": (_nodes(X, {"op": "const", "value": "three"}), "node 1"),
    "const value a list": (_nodes(X, {"op": "const", "value": [1]}), "node 1"),
    "const value null": (_nodes(X, {"op": "const", "value": None}), "node 1"),
    "const value bool": (_nodes(X, {"op": "const", "value": False}), "node 1"),
    "fraction with zero denominator": (_nodes(X, {"op": "const", "value": "1/0"}), "node 1"),
    "pow with input exponent": (_nodes(X, {"op": "input", "name": "k"}, {"op": "pow", "args": [0, 1]},
                                       inputs=("x", "k")), "node 2"),
    "pow with float exponent": (_nodes(X, {"op": "const", "value": 2.5}, {"op": "pow", "args": [0, 1]}), "node 2"),
    "pow with nan exponent": (_nodes(X, {"op": "const", "value": "nan"}, {"op": "pow", "args": [0, 1]}), "node 2"),
    "pow with inf exponent": (_nodes(X, {"op": "const", "value": "-inf"}, {"op": "pow", "args": [0, 1]}), "node 2"),
    "pow with huge exponent": (_nodes(X, {"op": "const", "value": 10 ** 9}, {"op": "pow", "args": [0, 1]}), "node 2"),
    "inputs not a list": (_doc(inputs="x"), "inputs"),
    "input name missing from inputs": (_doc(inputs=[]), "'x'"),
    "inputs name an unknown input": (_doc(inputs=["x", "y"]), "'y'"),
    "inputs list a name twice": (_doc(inputs=["x", "x"]), "'x'"),
    "duplicate input nodes": (_nodes(X, X, {"op": "mul", "args": [0, 1]}), "'x'"),
    "outputs not an object": (_doc(outputs=[2]), "outputs"),
    "output out of range": (_doc(outputs={"f": 3}), "'f'"),
    "output not an int": (_doc(outputs={"f": "2"}), "'f'"),
    "meta not an object": (_doc(meta=[]), "meta"),
    "meta unknown key": (_doc(meta={"colour": 1}), "colour"),
    "meta role wrong length": (_doc(meta={"role": ["primal"]}), "role"),
    "meta adjoint out of range": (_doc(meta={"adjoint_of": [[5, 0]]}), "adjoint_of"),
    "bytes not utf-8": (b"\xff\xfe\x00", "JSON"),
    "huge integer literal": ("1" * 5000, "JSON"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_json_gives_one_circuit_error(case):
    text, fragment = MALFORMED[case]
    with pytest.raises(CircuitError) as info:
        from_json(text)
    assert fragment in str(info.value)
    assert info.value.__cause__ is None or isinstance(info.value.__cause__, CircuitError)


def test_from_json_rejects_non_text():
    with pytest.raises(CircuitError, match="JSON text"):
        from_json({"format": "circuits"})
    with pytest.raises(CircuitError, match="Circuit"):
        to_json("not a circuit")


def test_the_valid_base_documents_load():
    # the malformed cases are small edits of these; make sure the bases themselves are fine
    assert from_json(_doc()).evaluate(x=3) == {"f": 9}
    assert from_json(_nodes(X, {"op": "sin", "args": [0]})).evaluate(x=0.0) == {"f": 0.0}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=5) | st.sampled_from(["input", "const", "add", "pow", "sin", "1/0", "1/2", "nan"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["op", "args", "name", "value", "weights", "format", "version", "inputs",
                         "outputs", "nodes", "meta", "role", "x"]), inner, max_size=5),
    max_leaves=10)

documents = st.fixed_dictionaries(
    {"format": st.sampled_from(["circuits", "other"]), "version": st.sampled_from([1, 1, 2, "1", True])},
    optional={"inputs": json_values, "outputs": json_values, "nodes": st.lists(json_values, max_size=5),
              "meta": json_values})


PATHS = [("inputs",), ("outputs",), ("outputs", "f"), ("nodes", 0), ("nodes", 0, "name"), ("nodes", 1, "value"),
         ("nodes", 2, "op"), ("nodes", 2, "args"), ("nodes", 2, "args", 0), ("nodes", 2, "args", 1),
         ("nodes", 2, "weights"), ("version",), ("meta",)]


def _mutated(path, value):
    doc = json.loads(_doc())
    doc["nodes"][2]["op"] = "add"  # weights allowed: mutations can also give valid circuits
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return doc


mutated = st.builds(_mutated, st.sampled_from(PATHS),
                    st.integers(-1, 3) | st.sampled_from(["x", "add", "1/2"]) | json_values)


@settings(max_examples=300, deadline=None)
@given(st.one_of(json_values, documents, mutated))
def test_fuzz_json_values_only_raise_circuit_error(value):
    text = json.dumps(value)
    try:
        c = from_json(text)
    except CircuitError:
        return
    # whatever loads is a valid circuit that survives another round trip
    c.check()
    assert _structure(from_json(to_json(c))) == _structure(c)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60) | st.binary(max_size=40))
def test_fuzz_text_only_raises_circuit_error(text):
    with pytest.raises(CircuitError):
        from_json(text)


# --- sympy ------------------------------------------------------------------------------------

def test_to_sympy_matches_an_independent_formula():
    c = _sample()
    x, y, z = sympy.symbols("x y z")
    got = to_sympy(c)
    s = -sympy.Rational(2, 3) * x + sympy.Float(0.25) * y - 7 * z + sympy.Rational(5, 2)
    f = 1 / (1 + sympy.exp(-s)) * sympy.Max(0, x) / (y ** 3 + sympy.sqrt(z))
    g = s ** 2 + sympy.Heaviside(x, 0) + x ** -2
    assert set(got) == {"f", "g", "h"} and got["h"] == x
    rng = random.Random(3)
    for _ in range(5):
        point = {x: rng.uniform(-2, 2), y: rng.uniform(0.5, 2), z: rng.uniform(0.1, 3)}
        assert float(got["f"].subs(point)) == pytest.approx(float(f.subs(point)), rel=1e-12)
        assert float(got["g"].subs(point)) == pytest.approx(float(g.subs(point)), rel=1e-12)


def test_to_sympy_keeps_fractions_exact_and_handles_constant_circuits():
    c = trace(lambda x: Fraction(1, 3) * x + Fraction(2, 7))
    x = sympy.Symbol("x")
    assert to_sympy(c) == {"f": sympy.Rational(1, 3) * x + sympy.Rational(2, 7)}
    b = Builder()
    b.output("k", b.wire(b.gate("log", b.const_node(-1))))
    assert to_sympy(b.build()) == {"k": sympy.I * sympy.pi}


def test_from_sympy_shares_subexpressions():
    x, y = sympy.symbols("x y")
    h = sympy.sin(x * y)
    expr = sympy.exp(h) + h ** 2 + sympy.cos(h) * h
    c = from_sympy(expr)
    ops = [c.op(v) for v in c.gates()]
    assert ops.count("sin") == 1 and ops.count("mul") == 2  # x*y and cos(h)*h
    assert sorted(ops) == sorted(["mul", "sin", "exp", "square", "cos", "mul", "add"])
    sin_node = next(v for v in c.gates() if c.op(v) == "sin")
    assert c.dag.out_degree(sin_node) == 4  # exp, square, cos, mul


def test_from_sympy_deep_expression_is_iterative():
    x = sympy.Symbol("x")
    e = x
    for _ in range(20000):  # sympy itself only builds this deep without evaluation
        e = sympy.sin(e, evaluate=False)
    c = from_sympy({"f": e, "g": sympy.cos(e, evaluate=False)})
    assert c.size == 20001 and c.depth == 20001  # g shares f's 20,000 sin gates
    v = 0.3
    for _ in range(20000):
        v = math.sin(v)
    assert c.evaluate(x=0.3) == pytest.approx({"f": v, "g": math.cos(v)}, rel=1e-12)


def test_to_sympy_of_a_too_deep_circuit_is_a_circuit_error():
    b = Builder()
    v = b.input_node("x")
    for _ in range(4000):
        v = b.gate("sin", v)
    b.output("f", b.wire(v))
    with pytest.raises(CircuitError, match="too deep"):
        to_sympy(b.build())


def test_from_sympy_translation_table():
    x, y = sympy.symbols("x y")
    cases = [
        (3 * x + 2 * y - 5, ["add"]),
        (-x * y, ["add", "mul"]),
        (x / y, ["div"]),
        (1 / x, ["recip"]),
        (x ** 2, ["square"]),
        (x ** -3, ["pow"]),
        (sympy.sqrt(x), ["sqrt"]),
        (1 / sympy.sqrt(x), ["recip", "sqrt"]),
        (x ** sympy.Rational(1, 3), ["add", "exp", "log"]),
        (x ** y, ["exp", "log", "mul"]),
        (sympy.Max(0, x), ["relu"]),
        (sympy.Heaviside(x, 0), ["step"]),
        (1 / (1 + sympy.exp(-x)), ["sigmoid"]),
        (sympy.tanh(x) + sympy.log(x), ["add", "log", "tanh"]),
        (sympy.pi * x, ["add"]),
        (sympy.pi * x * y + sympy.E, ["add", "mul"]),
    ]
    for expr, ops in cases:
        c = from_sympy(expr)
        assert sorted(c.op(v) for v in c.gates()) == ops, expr


def test_from_sympy_numbers():
    c = from_sympy([sympy.Rational(2, 3), sympy.Integer(5), sympy.Float(0.1), sympy.pi, sympy.E, sympy.oo])
    assert [c.value(v) if c.op(v) == "const" else None for v in c.outputs.values()] == \
        [Fraction(2, 3), 5, 0.1, math.pi, math.e, math.inf]
    assert list(c.outputs) == ["f0", "f1", "f2", "f3", "f4", "f5"]
    with pytest.raises(CircuitError, match="real"):
        from_sympy(sympy.I)


def test_from_sympy_inputs_and_names():
    x, y, z = sympy.symbols("x y z")
    assert list(from_sympy(z * x + y).inputs) == ["x", "y", "z"]  # sorted by name
    c = from_sympy({"u": x * y, "v": x + 1}, inputs=["y", "x", "w"])
    assert list(c.inputs) == ["y", "x", "w"] and list(c.outputs) == ["u", "v"]
    assert c.evaluate(x=2, y=3, w=0) == {"u": 6, "v": 3}
    with pytest.raises(CircuitError, match="'z'"):
        from_sympy(x * z, inputs=[x])
    with pytest.raises(CircuitError, match="twice"):
        from_sympy(x, inputs=["x", x])
    with pytest.raises(CircuitError, match="parse"):
        from_sympy("x + 1")
    assert from_sympy(x * y, name="g").evaluate(x=2, y=5) == {"g": 10}


@pytest.mark.parametrize("expr", ["gamma", "Piecewise", "Symbolic Heaviside"])
def test_from_sympy_unsupported_nodes_are_named(expr):
    x, y, h = sympy.symbols("x y h")
    e, name = {"gamma": (sympy.gamma(x), "gamma"),
               "Piecewise": (sympy.Piecewise((x, x > 0), (y, True)), "Piecewise"),
               "Symbolic Heaviside": (sympy.Heaviside(x, h), "Heaviside")}[expr]
    with pytest.raises(CircuitError, match=name):
        from_sympy(e)


def test_from_sympy_min_and_max_of_several_arguments():
    x, y = sympy.symbols("x y")
    c = from_sympy({"lo": sympy.Min(x, y), "hi": sympy.Max(x, y, 1), "r": sympy.Max(0, x)})
    assert sorted(c.op(v) for v in c.gates()) == ["max", "max", "min", "relu"]
    assert c.evaluate(x=Fraction(1, 2), y=-3) == {"lo": -3, "hi": 1, "r": Fraction(1, 2)}


def test_from_sympy_exact_rewrites():
    x = sympy.Symbol("x")
    half = from_sympy(sympy.Heaviside(x))  # H(0) = 1/2
    assert [half.evaluate(x=v)["f"] for v in (Fraction(-2), Fraction(0), Fraction(3))] == [0, Fraction(1, 2), 1]
    absolute = from_sympy(sympy.Abs(x))
    assert [absolute.evaluate(x=v)["f"] for v in (Fraction(-2), Fraction(0), Fraction(3))] == [2, 0, 3]


def _random_circuit(seed):
    return circuits.library.random_circuit(3, 14, seed=seed, n_outputs=2)


@pytest.mark.parametrize("seed", range(12))
def test_sympy_round_trip_preserves_values(seed):
    rng = random.Random(seed)
    c = _random_circuit(seed)
    d = from_sympy(to_sympy(c), inputs=list(c.inputs))
    assert list(d.inputs) == list(c.inputs)
    for _ in range(3):
        point = {k: rng.uniform(-1.5, 1.5) for k in c.inputs}
        want = c.evaluate(point)
        got = d.evaluate(point)
        for k in want:
            assert got[k] == pytest.approx(want[k], rel=1e-9, abs=1e-12)


def test_sympy_round_trip_of_every_gate():
    x, y = sympy.symbols("x y")
    for op, gate in circuits.GATES.items():
        b = Builder()
        u, v = b.input_node("x"), b.input_node("y")
        args = [u, v] if gate.accepts(2) and op != "pow" else [u]
        if op == "pow":
            args = [u, b.const_node(-3)]
        b.output("f", b.wire(b.gate(op, *args)))
        c = b.build()
        d = from_sympy(to_sympy(c), inputs=["x", "y"])
        for point in ({"x": 0.7, "y": 1.9}, {"x": -0.4, "y": 2.5}, {"x": 1.3, "y": -0.2}):
            try:
                want = c.evaluate(point)["f"]
            except CircuitError:  # outside the gate's domain (log, sqrt, asin, acosh, ...): both refuse
                with pytest.raises(CircuitError):
                    d.evaluate(point)
                continue
            assert d.evaluate(point)["f"] == pytest.approx(want, rel=1e-12), op


# Written by circuits before the format's version 2 (the registry refactor of issue 11):
# backward(parse("(x - y/3)**2 * sin(x) + relu(y)**5 - sigmoid(x*y)"), keep_primal=True).to_json()
_VERSION_1 = (
    '{"format":"circuits","version":1,"inputs":["x","y"],"outputs":{"f":11,"df/dx":25,"df/dy":24},'
    '"nodes":[{"op":"input","name":"x"},{"op":"input","name":"y"},{"op":"add","args":[0,1],"weights":[1,"-1/3"]},'
    '{"op":"square","args":[2]},{"op":"sin","args":[0]},{"op":"mul","args":[3,4]},{"op":"relu","args":[1]},'
    '{"op":"const","value":5},{"op":"pow","args":[6,7]},{"op":"mul","args":[0,1]},{"op":"sigmoid","args":[9]},'
    '{"op":"add","args":[5,8,10],"weights":[1,1,-1]},{"op":"const","value":1},{"op":"add","args":[12,10],'
    '"weights":[1,-1]},{"op":"mul","args":[10,13]},{"op":"mul","args":[14,1]},{"op":"mul","args":[14,0]},'
    '{"op":"const","value":4},{"op":"pow","args":[6,17]},{"op":"step","args":[1]},{"op":"mul","args":[18,19]},'
    '{"op":"cos","args":[0]},{"op":"mul","args":[3,21]},{"op":"mul","args":[4,2]},{"op":"add","args":[16,20,23],'
    '"weights":[-1,5,"-2/3"]},{"op":"add","args":[15,22,23],"weights":[-1,1,2]}],'
    '"meta":{"role":["primal","primal","primal","primal","primal","primal","primal","primal","primal","primal",'
    '"primal","primal","derivative","derivative","derivative","derivative","derivative","derivative",'
    '"derivative","derivative","derivative","derivative","derivative","derivative","derivative","derivative"],'
    '"adjoint_of":[[14,9],[18,6],[23,2],[24,1],[25,0]]}}')


def test_version_1_documents_still_load():
    c = from_json(_VERSION_1)
    # the values that the writing version printed for this circuit
    assert c.evaluate(x=0.5, y=-1.25) == pytest.approx(
        {"f": 0.05420549085430809, "df/dx": 1.9002245768735442, "df/dy": -0.40652812606241756}, rel=1e-15)
    assert c.meta["adjoint_of"][25] == 0 and c.meta["role"][12] == "derivative"
    again = from_json(to_json(c))
    assert json.loads(to_json(c))["version"] == 2 and again.record == c.record
