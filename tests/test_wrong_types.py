"""Wrong arguments give one CircuitError or ParseError, never a raw exception from inside.

Two parts: the raw exceptions that were reported one by one (each its own
test), and a table that calls every public callable with a wrong value in one
argument at a time.
"""

import math
from fractions import Fraction

import networkx as nx
import pytest
import sympy

import circuits
from circuits import CircuitError, ParseError, library


ERRORS = (CircuitError, ParseError)


@pytest.fixture
def c():
    return circuits.parse("x*y + sin(x)")


# --- the reported ones ---------------------------------------------------------------


def test_horner_of_a_number():
    with pytest.raises(CircuitError, match="coefficients must be a sequence"):
        library.horner(6)


def test_evaluate_with_positional_values(c):
    with pytest.raises(CircuitError, match="name them"):
        c.evaluate(1, 2)
    assert c.evaluate({"x": 0, "y": 2}) == {"f": 0}


@pytest.mark.parametrize("op", [lambda x: x // 2, lambda x: x % 2, lambda x: 2 // x, lambda x: 2 % x,
                                round, math.floor, math.ceil, math.trunc, lambda x: divmod(x, 2),
                                lambda x: x & 1, lambda x: x @ x, lambda x: ~x])
def test_wire_integer_and_bit_operators(op):
    b = circuits.Builder()
    x = b.input("x")
    with pytest.raises(CircuitError, match="wires have no"):
        op(x)


def test_iter_circuit(c):
    with pytest.raises(CircuitError, match="not a sequence"):
        iter(c)
    with pytest.raises(CircuitError):
        list(c)


def test_from_networkx_inputs_number(c):
    with pytest.raises(CircuitError, match="inputs must be a name or a list"):
        circuits.Circuit.from_networkx(c.dag, inputs=5)
    with pytest.raises(CircuitError, match="outputs must be"):
        circuits.Circuit.from_networkx(c.dag, outputs=5)


def test_forward_wrt_number(c):
    with pytest.raises(CircuitError, match="wrt must be a name or a list"):
        circuits.forward(c, wrt=5)
    with pytest.raises(CircuitError):
        circuits.forward(c, wrt=[["x"]])


def test_jvp_tangents_number(c):
    with pytest.raises(CircuitError, match="must be a sequence"):
        circuits.jvp(c, tangents=5)
    with pytest.raises(CircuitError, match="must be a sequence"):
        circuits.vjp(c, cotangents=5)


def test_parse_and_from_sympy_inputs_number():
    with pytest.raises(CircuitError, match="inputs must be a name or a list"):
        circuits.parse("x + y", inputs=5)
    with pytest.raises(CircuitError, match="inputs must be a name or a list"):
        circuits.from_sympy(sympy.Symbol("x") + 1, inputs=5)
    with pytest.raises(CircuitError):
        circuits.parse("x + y", inputs=[{"x": 1}])


@pytest.mark.parametrize("k", [math.nan, math.inf, -math.inf])
def test_trace_power_non_finite(k):
    with pytest.raises(CircuitError, match="not a finite number"):
        circuits.trace(lambda x: x ** k)


def test_backward_keeps_huge_scale_products_unfolded():
    # 1e200 · 1e200 is beyond float64: folded into one weight, no float evaluation could read it
    c = circuits.parse("1e200*(y*sin(1e200*x))")
    g, f = circuits.backward(c), circuits.forward(c)
    for point in ({"x": 0.5, "y": 2.0}, {"x": 0.0, "y": 2.0}, {"x": 1e-300, "y": -1.0}):
        got, want = g.evaluate(point), f.evaluate(point)
        assert got.keys() == want.keys()
        for k in want:
            assert got[k] == pytest.approx(want[k], rel=1e-12) or (math.isinf(got[k]) and got[k] == want[k])
    # where the product is finite the answer is finite: d/dx at x = 0 is 1e400·y·cos(0)... beyond a float,
    # but d/dy = 1e200·sin(1e200·x) is exact through sympy
    x, y = sympy.symbols("x y")
    exact = circuits.to_sympy(g)
    assert sympy.simplify(exact["df/dx"] - sympy.diff(sympy.Integer(10) ** 200 * y
                                                      * sympy.sin(sympy.Integer(10) ** 200 * x), x)) == 0


def test_from_sympy_matches_symbols_by_name():
    x = sympy.Symbol("x", real=True)
    c = circuits.from_sympy(x ** 2 + 1, inputs=["x"])
    assert list(c.inputs) == ["x"]
    assert c.evaluate(x=3) == {"f": 10}
    # a plain symbol listed matches a real one of the same name, too
    c = circuits.from_sympy(x ** 2, inputs=[sympy.Symbol("x")])
    assert c.evaluate(x=3) == {"f": 9}


def test_top_paths_number_as_point(c):
    with pytest.raises(CircuitError, match="mapping"):
        circuits.top_paths(c, 2)


@pytest.mark.parametrize("indent", [10 ** 100, -1, "2", 2.5])
def test_to_json_indent(c, indent):
    with pytest.raises(CircuitError, match="indent"):
        circuits.to_json(c, indent=indent)


@pytest.mark.parametrize("kwargs, match", [
    ({"numpy": "x"}, "name"),
    ({"name": "foo", "numpy": "x"}, "arity"),
    ({"name": "foo", "arity": 1, "label": "f", "numpy": "x"}, "numpy must name a numpy ufunc"),
    ({"name": "foo", "arity": 1, "label": "f", "num": 3}, "num must be a function"),
    ({"name": "foo", "arity": "1", "label": "f"}, "arity"),
    ({"name": "foo", "arity": 1, "label": "f", "exact": "yes"}, "exact must be True or False"),
])
def test_gate_declaration(kwargs, match):
    with pytest.raises(CircuitError, match=match):
        circuits.Gate(**kwargs)
