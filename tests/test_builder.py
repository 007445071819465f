"""Builder, Wire and trace: what becomes a gate, what is shared, and what is refused.

Values are checked against exact Fractions computed by hand or by Python on
plain numbers (an outside reference), structure by counting nodes and wires.
"""

import math
from fractions import Fraction

import numpy as np
import pytest
import sympy

import circuits
from circuits import Builder, CircuitError, Wire, trace


def _ops(c):
    return sorted(c.op(v) for v in c.gates())


# --- linear combinations -------------------------------------------------------------

def test_linear_combination_is_one_weighted_add():
    c = trace(lambda x, y, z: 2 * x - 3 * y + z / 4 - 7 + x)
    assert _ops(c) == ["add"]
    add = c.outputs["f"]
    terms = {c.name(u) if c.op(u) == "input" else ("const", c.value(u)): w
             for u, w in zip(c.args(add), c.weights(add))}
    assert terms == {"x": 3, "y": -3, "z": Fraction(1, 4), ("const", -7): 1}
    assert c.evaluate(x=Fraction(1), y=Fraction(2), z=Fraction(3)) == {"f": Fraction(3 - 6 - 7) + Fraction(3, 4)}


def test_cancelling_terms_disappear():
    c = trace(lambda x, y: (x + y - x) * y)
    assert _ops(c) == ["mul"]
    assert c.args(c.outputs["f"]) == (c.inputs["y"], c.inputs["y"])


def test_long_sum_is_one_gate_and_does_not_recurse():
    def f(*xs):
        return sum(xs) ** 2
    names = [f"x{i}" for i in range(3000)]
    c = trace(f, inputs=names)
    assert _ops(c) == ["add", "square"]
    assert c.wires == 3000 + 1
    # a chain of pending additions 20,000 deep
    b = Builder()
    x = b.input("x")
    acc = x
    for _ in range(20000):
        acc = acc + x
    b.output("f", acc)
    d = b.build()
    assert d.size == 1 and d.evaluate(x=2) == {"f": 2 * 20001}


def test_sum_of_and_product():
    c = trace(lambda a, b, d: circuits.sum_of([a, b, 5, d], [1, -2, 3, Fraction(1, 2)]))
    assert _ops(c) == ["add"]
    assert c.evaluate(a=1, b=1, d=4) == {"f": 1 - 2 + 15 + 2}
    p = trace(lambda a, b, d: circuits.product([a, b, d]))
    assert _ops(p) == ["mul"] and p.wires == 3
    assert p.evaluate(a=3, b=5, d=7) == {"f": 105}
    assert circuits.sum_of([1, 2], [3, 4]) == 11 and circuits.product([2, 3]) == 6
    with pytest.raises(CircuitError, match="weights"):
        trace(lambda a, b: circuits.sum_of([a, b], [1]))


def test_product_with_an_integer_factor():
    p = trace(lambda a, b, d: circuits.product([a, 2, b, d]))
    assert p.evaluate(a=3, b=5, d=7) == {"f": 210}


# --- sharing and argument order ----------------------------------------------------

def test_x_times_x_is_two_ordered_wires_on_one_node():
    c = trace(lambda x: x * x)
    (g,) = c.gates()
    assert c.op(g) == "mul" and c.args(g) == (0, 0)
    assert sorted(c.dag.in_edges(g, keys=True)) == [(0, g, 0), (0, g, 1)]
    assert c.evaluate(x=-3) == {"f": 9}


def test_argument_order_is_kept_for_div():
    c = trace(lambda x, y: y / x)
    g = c.outputs["f"]
    assert c.args(g) == (c.inputs["y"], c.inputs["x"])
    assert c.evaluate(x=Fraction(4), y=Fraction(1)) == {"f": Fraction(1, 4)}


def test_f_of_x_x():
    """f(x, x): one input feeding both arguments."""
    def f(a, b):
        return a * circuits.sin(b)
    c = trace(lambda x: f(x, x))
    assert len(c.inputs) == 1 and c.size == 2
    assert c.evaluate(x=0.5)["f"] == pytest.approx(0.5 * math.sin(0.5))


def test_shared_wire_is_one_node():
    def f(x, y):
        h = circuits.exp(x * y)
        return h + h * h + circuits.sin(h)
    c = trace(f)
    assert _ops(c) == ["add", "exp", "mul", "mul", "sin"]
    exp_node = next(v for v in c.gates() if c.op(v) == "exp")
    assert c.dag.out_degree(exp_node) == 4  # add, two wires of h*h, sin
    h = math.exp(0.3 * 0.7)
    assert c.evaluate(x=0.3, y=0.7)["f"] == pytest.approx(h + h * h + math.sin(h))


def test_shared_linear_combination_materialises_once():
    def f(x, y):
        s = x + 2 * y
        return s * s + circuits.sin(s)
    c = trace(f)
    assert _ops(c).count("add") == 2  # s, and the final sum
    assert c.size == 4
    assert c.evaluate(x=1.0, y=1.0)["f"] == pytest.approx(9 + math.sin(3.0))


# --- outputs -------------------------------------------------------------------------

def test_output_naming_tuple_dict_and_function_name():
    def pair(x, y):
        return x * y, x - y
    c = trace(pair)
    assert list(c.outputs) == ["pair0", "pair1"]
    assert c.evaluate(x=5, y=2) == {"pair0": 10, "pair1": 3}
    d = trace(lambda x: {"double": 2 * x, "sq": x * x})
    assert list(d.outputs) == ["double", "sq"] and d.evaluate(x=3) == {"double": 6, "sq": 9}
    e = trace(lambda x: [x, 1])
    assert list(e.outputs) == ["f0", "f1"] and e.evaluate(x=4) == {"f0": 4, "f1": 1}
    g = trace(lambda u, v: u * v, inputs=["a", "b"])
    assert list(g.inputs) == ["a", "b"]


def test_builder_errors():
    b = Builder()
    x = b.input("x")
    with pytest.raises(CircuitError, match="'x'"):
        b.input("x")
    with pytest.raises(CircuitError, match="input names"):
        b.input("")
    with pytest.raises(CircuitError, match="no outputs"):
        b.build()
    b.output("f", x)
    with pytest.raises(CircuitError, match="'f'"):
        b.output("f", x)
    with pytest.raises(CircuitError, match="gamma"):
        b.gate("gamma", x)
    with pytest.raises(CircuitError, match="sin"):
        b.gate("sin", x, x)
    with pytest.raises(CircuitError, match="weighted"):
        b.gate("mul", x, x, weights=(1, 2))
    with pytest.raises(CircuitError, match="pow"):
        b.gate("pow", x, x)
    with pytest.raises(CircuitError, match="pow"):
        b.gate("pow", x, b.const(2.5))
    with pytest.raises(CircuitError, match="constant 0"):
        x / 0
    with pytest.raises(CircuitError, match="too large"):
        x ** (10 ** 6)
    with pytest.raises(CircuitError, match="positive base"):
        (-2) ** x
    with pytest.raises(CircuitError, match="not a number"):
        b.const("3")


def test_build_drops_dead_gates_but_keeps_inputs():
    b = Builder()
    x, y = b.inputs("x, y")
    circuits.sin(x)  # dead
    b.output("f", circuits.cos(x))
    c = b.build()
    assert list(c.inputs) == ["x", "y"] and _ops(c) == ["cos"]


# --- what tracing refuses ---------------------------------------------------------------

@pytest.mark.parametrize("fn", [
    lambda x: x if x > 0 else -x,
    lambda x: x * 2 if x else x,
    lambda x: x and x,
    lambda x: max(x, 0),
    lambda x: float(x),
    lambda x: int(x),
    lambda x: [1, 2][x],
])
def test_control_flow_on_wires_is_an_error(fn):
    with pytest.raises(CircuitError, match="wire"):
        trace(fn)


@pytest.mark.parametrize("fn", [
    lambda x: 1.0 + 0 * x if x == 0 else circuits.sin(x) / x,   # issue 17: silently took the else branch
    lambda x: x if x != 0 else x + 1,
    lambda x: x * 2 if 0 == x else x,
    lambda x, y: x if x == y else y,
    lambda x: x if x in [0, 1] else -x,
])
def test_equality_on_wires_is_the_same_error_as_ordering(fn):
    with pytest.raises(CircuitError, match=r"cannot be compared.*step.*trace each branch"):
        trace(fn)


def test_wires_still_hash_by_identity():
    # __eq__ raises, so sets and dicts of wires must never need it (identity comes first)
    b = Builder()
    x, y = b.input("x"), b.input("y")
    s = x * y
    table = {x: 1, y: 2, s: 3}
    assert table[x] == 1 and table[s] == 3 and len({x, y, s, x}) == 3
    assert x in table and s in {s}


def test_varargs_need_inputs():
    with pytest.raises(CircuitError, match="inputs"):
        trace(lambda *xs: sum(xs))


def test_mixing_builders_is_an_error():
    b1, b2 = Builder(), Builder()
    x, y = b1.input("x"), b2.input("y")
    with pytest.raises(CircuitError, match="different circuits"):
        x + y
    with pytest.raises(CircuitError, match="different circuits"):
        x * y
    with pytest.raises(CircuitError, match="another builder"):
        b1.gate("mul", x, y)
    with pytest.raises(CircuitError, match="another builder"):
        b1.output("f", y)
    leaked = []
    trace(lambda u: leaked.append(u) or u)
    with pytest.raises(CircuitError, match="another builder"):
        trace(lambda v: circuits.sin(leaked[0]))


# --- numbers in functions -----------------------------------------------------------------

def test_functions_accept_numbers_arrays_and_sympy():
    assert circuits.exp(0) == 1.0 and circuits.sin(0.0) == 0.0
    assert circuits.sqrt(4) == 2.0 and circuits.relu(-3) == 0 and circuits.step(2) == 1
    assert circuits.square(Fraction(2, 3)) == Fraction(4, 9) and circuits.recip(Fraction(2, 3)) == Fraction(3, 2)
    np.testing.assert_allclose(circuits.tanh(np.array([0.0, 1.0])), np.tanh([0.0, 1.0]))
    t = sympy.Symbol("t")
    assert circuits.sigmoid(t) == 1 / (1 + sympy.exp(-t))
    with pytest.raises(CircuitError, match="log"):
        circuits.log("e")


def test_numbers_mixed_into_traced_functions():
    def f(x):
        return circuits.exp(2.0) * x + circuits.sqrt(x) * 3 + 1 / x + 2 ** x + x ** 0.5 + x ** -0.5
    c = trace(f)
    x = 2.25
    expected = math.exp(2.0) * x + math.sqrt(x) * 3 + 1 / x + 2 ** x + x ** 0.5 + x ** -0.5
    assert c.evaluate(x=x)["f"] == pytest.approx(expected, rel=1e-14)
    k = trace(lambda x: x ** 0 + x ** 1)
    assert k.evaluate(x=7) == {"f": 8}


def test_powers_map_to_their_gates():
    cases = {2: "square", -1: "recip", 3: "pow", -4: "pow", 0.5: "sqrt"}
    for k, op in cases.items():
        c = trace(lambda x: x ** k)  # noqa: B023 - trace calls it at once, in this iteration
        assert op in _ops(c), k
        assert c.evaluate(x=2.0)["f"] == pytest.approx(2.0 ** k)
    c = trace(lambda x, y: x ** y)
    assert _ops(c) == ["exp", "log", "mul"]
    assert c.evaluate(x=2.0, y=3.0)["f"] == pytest.approx(8.0)


def test_wire_repr_and_node():
    b = Builder()
    x = b.input("x")
    assert "x" in repr(x) and isinstance(x + 1, Wire)
    assert "pending" in repr(x + 1)
    w = 2 * x + 1
    first = w.node
    n = len(b)
    assert w.node == first and len(b) == n  # materialised once


def test_remove_renumbers_what_follows_and_refuses_a_used_node():
    b = circuits.Builder()
    x = b.input_node("x")
    dead = b.gate("cos", x)
    two = b.const_node(2.0)
    y = b.gate("mul", x, two)
    b.output_node("y", y)
    with pytest.raises(circuits.CircuitError, match="a later node uses"):
        b.remove(two, two + 1)
    b.remove(dead, dead + 1)
    c = b.build()
    assert c.record.ops == ("input", "const", "mul") and c.record.args == ((), (), (0, 1))
    assert c.evaluate(x=3.0) == {"y": 6.0}
    assert b.const_node(2.0) == 1  # the constant cache followed the move


def test_builder_keeps_the_record_as_arrays():
    """The builder's record is its arrays: what arrays() copies out is what build() keeps."""
    b = circuits.Builder()
    x, y = b.input_node("x"), b.input_node("y")
    s = b.gate("add", x, y, weights=(2, -1))
    p = b.gate("mul", s, x)
    assert list(b.arguments_from(s)) == [x, y, s, x] and list(b.arguments_from(p + 1)) == []
    a = b.arrays()
    assert [a.op_names[k] for k in a.codes] == ["input", "input", "add", "mul"]
    assert a.argptr.tolist() == [0, 0, 0, 2, 4] and a.argflat.tolist() == [0, 1, 2, 0] and a.weights == {2: (2, -1)}
    b.output_node("f", p)
    c = b.build()
    assert c.arrays.argflat.tolist() == [0, 1, 2, 0] and c.evaluate(x=3, y=1) == {"f": 15}
