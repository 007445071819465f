"""A user-defined gate: one register_gate call makes it work on every surface.

``softplus(u) = log(1 + e^u)``, partial ``σ(u)``, is registered for the
duration of each test (the ``softplus`` fixture), so nothing leaks into other
tests.  Values are checked against sympy and partials against ``sympy.diff``
and central differences.
"""

import json
import math
from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, find, settings

import circuits
import circuits.testing as ct
from circuits import CircuitError, Gate
from circuits.core.gates import GATES, INF
from circuits.frontends.parse import FUNCTIONS


def _softplus_num(u):
    return max(u, 0.0) + math.log1p(math.exp(-abs(u)))  # no overflow for large |u|


def make_softplus(**changes):
    spec = dict(formula=lambda m, u: m.log(1 + m.exp(u)), num=_softplus_num,
                vec=lambda u: np.logaddexp(0.0, u),
                partial=lambda b, args, out, i: (b.gate("sigmoid", args[0]), 1),
                range=(0.0, INF), doc="log(1 + e^u), a smooth relu")
    spec.update(changes)
    return Gate("softplus", 1, "softplus", **spec)


@pytest.fixture
def softplus():
    with circuits.registered_gate(make_softplus()) as gate:
        yield gate
    assert "softplus" not in GATES


def _reference(x):
    return sympy.log(1 + sympy.exp(x))


X, Y = sympy.symbols("x y", real=True)
POINT = {"x": 0.7, "y": -1.3}


def _f():
    return circuits.parse("softplus(2*x - y) * y + softplus(x)**2")


def _f_sympy():
    return _reference(2 * X - Y) * Y + _reference(X) ** 2


def _at(expr, point):
    return float(expr.subs({X: point["x"], Y: point["y"]}).evalf(30))


def test_builder_parse_and_wire_surfaces(softplus):
    b = circuits.Builder()
    x, y = b.inputs("x y")
    b.output("f", circuits.softplus(2 * x - y) * y + x.softplus() ** 2)
    built = b.build()
    for c in (built, _f(), circuits.trace(lambda x, y: circuits.softplus(2 * x - y) * y
                                          + circuits.core.builder.softplus(x) ** 2)):
        assert c.evaluate(POINT)["f"] == pytest.approx(_at(_f_sympy(), POINT), rel=1e-13)
        assert sum(c.op(v) == "softplus" for v in c.gates()) == 2
    assert circuits.softplus(0.0) == pytest.approx(math.log(2))
    assert FUNCTIONS["softplus"] == 1


def test_every_evaluation_mode(softplus):
    c = _f()
    want = _at(_f_sympy(), POINT)
    assert circuits.compile(c)(POINT)["f"] == pytest.approx(want, rel=1e-13)
    batch = {k: np.array([v, v / 2]) for k, v in POINT.items()}
    half = {k: v / 2 for k, v in POINT.items()}
    for got in (c.evaluate(batch)["f"], circuits.compile(c)(batch)["f"]):
        np.testing.assert_allclose(got, [want, _at(_f_sympy(), half)], rtol=1e-13)
    symbolic = circuits.to_sympy(c)["f"]
    assert sympy.simplify(symbolic.subs({sympy.Symbol("x"): X, sympy.Symbol("y"): Y}) - _f_sympy()) == 0
    with pytest.raises(CircuitError, match="'softplus' has no exact rational value"):
        c.evaluate(x=Fraction(1, 2), y=Fraction(1, 3))


def test_every_transform(softplus):
    c = _f()
    want = {f"df/d{v}": _at(sympy.diff(_f_sympy(), s), POINT) for v, s in (("x", X), ("y", Y))}
    for g in (circuits.backward(c), circuits.forward(c), circuits.forward(c, sparse=True),
              circuits.simplify(circuits.backward(c)), circuits.backward(c, simplify=True),
              circuits.jacobian(c), circuits.derivative(c)):
        got = g.evaluate(POINT)
        assert {k: got[k] for k in want} == pytest.approx(want, rel=1e-12)
        ct.assert_gradient_close(c, g, POINT)
    assert circuits.check_gradient(c, circuits.backward(c), POINT)
    assert circuits.symbolic_check(c, circuits.backward(c))
    hess = circuits.hessian(c).evaluate(POINT)
    assert hess["d2f/dxdy"] == pytest.approx(_at(sympy.diff(_f_sympy(), X, Y), POINT), rel=1e-10)
    v = circuits.vjp(c).evaluate({**POINT, "f_bar": 1.0})
    assert v["x_bar"] == pytest.approx(want["df/dx"], rel=1e-12)
    j = circuits.jvp(c, {"x": 1.0}).evaluate(POINT)
    assert j["f_dot"] == pytest.approx(want["df/dx"], rel=1e-12)
    h = circuits.hvp(c).evaluate({**POINT, "x_dot": 1.0, "y_dot": 0.0})
    assert sum(h.values()) == pytest.approx(_at(sympy.diff(_f_sympy(), X, X) + sympy.diff(_f_sympy(), X, Y),
                                                POINT), rel=1e-10)
    path = circuits.bauer_paths(circuits.parse("softplus(x)"), point={"x": 0.3})
    assert path.value == pytest.approx(1 / (1 + math.exp(-0.3)))
    edges = circuits.edge_values(circuits.parse("softplus(x)"), {"x": 0.3})
    assert list(edges.values()) == [pytest.approx(1 / (1 + math.exp(-0.3)))]


def test_json_analyze_render_and_bounds(softplus):
    c = circuits.backward(_f(), keep_primal=True)
    text = circuits.to_json(c)
    assert json.loads(text)["gates"] == {"softplus": 1}
    assert circuits.from_json(text).record == c.record
    assert circuits.analyze(c).op_counts["softplus"] == 2
    assert "softplus" in circuits.render(c).source
    assert circuits.analysis.bounds.partial_costs(_f())[1]["softplus"] == 1
    assert circuits.analysis.bounds.theorem3(_f()).holds
    circuits.unregister_gate("softplus")
    try:
        with pytest.raises(CircuitError, match="uses gate 'softplus', which is not registered"):
            circuits.from_json(text)
    finally:
        circuits.register_gate(softplus)


def test_strategies_random_circuits_and_peers(softplus):
    drawn = find(ct.random_circuits(max_outputs=2, ops=("softplus", "mul"), max_gates=5),
                 lambda c: any(c.op(v) == "softplus" for v in c.gates()),
                 settings=settings(max_examples=200, database=None, suppress_health_check=list(HealthCheck)))
    assert drawn.check() is drawn
    point = {x: 0.5 for x in drawn.inputs}
    ct.assert_gradient_close(drawn, circuits.backward(drawn), point)
    r = circuits.library.random_circuit(3, 30, ops=("softplus", "mul", "add"), seed=2)
    assert any(r.op(v) == "softplus" for v in r.gates())
    ct.assert_gradient_close(r, circuits.backward(r), {x: 0.25 for x in r.inputs})
    from benchmarks.peers import sympy_expression
    xs, e = sympy_expression(_f())
    assert float(e.subs({xs[0]: POINT["x"], xs[1]: POINT["y"]})) == pytest.approx(_at(_f_sympy(), POINT))


def test_unregistered_gate_is_gone_everywhere():
    with circuits.registered_gate(make_softplus()):
        c = _f()
    for attempt in (lambda: circuits.parse("softplus(x)"), lambda: circuits.softplus,
                    lambda: c.evaluate(POINT), lambda: c.check()):
        with pytest.raises((CircuitError, circuits.ParseError, AttributeError)):
            attempt()


def test_registration_errors(softplus):
    with pytest.raises(CircuitError, match="'softplus' is already registered"):
        circuits.register_gate(make_softplus())
    with pytest.raises(CircuitError, match="'exp' is already registered"):
        circuits.register_gate(GATES["exp"])
    with pytest.raises(CircuitError, match="'arctan' already calls gate 'atan'"):
        circuits.register_gate(Gate("softplus2", 1, "sp", formula=lambda m, u: u,
                                    partial=lambda b, a, o, i: (None, 1), aliases=("arctan",)))
    with pytest.raises(CircuitError, match="partial rule of gate 'bad' emits gate 'bogus', which is not registered"):
        circuits.register_gate(Gate("bad", 1, "bad", num=math.exp,
                                    partial=lambda b, a, out, i: (b.gate("bogus", a[0]), 1)))
    assert "bad" not in GATES
    with pytest.raises(CircuitError, match="'nonum' has no numeric evaluation"):
        circuits.register_gate(Gate("nonum", 1, "n", partial=lambda b, a, out, i: None))
    with pytest.raises(CircuitError, match="'nopartial' has no partial rule"):
        circuits.register_gate(Gate("nopartial", 1, "n", num=math.exp))
    with pytest.raises(CircuitError, match="must be a Python identifier"):
        circuits.register_gate(Gate("two words", 1, "n", num=math.exp, partial=lambda b, a, o, i: None))
    with pytest.raises(CircuitError, match="circuits.compile already exists"):
        circuits.register_gate(Gate("compile", 1, "n", num=math.exp, partial=lambda b, a, o, i: None))
    with pytest.raises(CircuitError, match="'input' is a source kind"):
        circuits.register_gate(Gate("input", 1, "n", num=math.exp, partial=lambda b, a, o, i: None))
    with pytest.raises(CircuitError, match="returned 3"):
        circuits.register_gate(Gate("odd", 1, "n", num=math.exp, partial=lambda b, a, o, i: 3))
    with pytest.raises(CircuitError, match="built-in gate"):
        circuits.unregister_gate("exp")
    with pytest.raises(CircuitError, match="no gate named 'nope'"):
        circuits.unregister_gate("nope")
    assert "nonum" not in GATES and "nopartial" not in GATES and "odd" not in GATES
