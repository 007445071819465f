"""Constant factors are scalings: mul(const, u), div(u, const) and mul(u, const) as wire weights.

The same 2·sin(xy) costs the same whether the 2 is a wire weight (what
``parse``/``trace`` build) or a constant node of a ``mul``/``div`` gate (what
the Builder, ``from_json`` and user gates can build): in elimination, in
every order, and in ``backward``, which emits a weight, not a ``mul`` gate.
"""

import pytest

import circuits
from circuits import Builder, CircuitError
from circuits.ad.backward import COMPILED_FROM
from circuits.testing import assert_gradient_close

ORDERS = ("forward", "reverse", "markowitz", "relative_markowitz", "min_fill", "optimal")
FORMS = ("mul(const, u)", "div(u, const)", "mul(u, const)")


def _const_products(c):
    """How many ``mul``/``div`` gates of ``c`` have a constant argument."""
    return sum(1 for v in c.gates() if c.op(v) in ("mul", "div") and any(c.op(a) == "const" for a in c.args(v)))


def _scaled(form, depth=1):
    """``f = c · sin(x·y)`` (c = 2, or 1/0.5) with the constant as a node, ``depth`` times over."""
    b = Builder()
    x, y = b.input_node("x"), b.input_node("y")
    u = b.gate("sin", b.gate("mul", x, y))
    for _ in range(depth):
        if form == "mul(const, u)":
            u = b.gate("mul", b.const_node(2), u)
        elif form == "div(u, const)":
            u = b.gate("div", u, b.const_node(0.5))
        else:
            u = b.gate("mul", u, b.const_node(2))
        u = b.gate("sin", u)
    b.output("f", b.wire(u))
    return b.build()


def _weighted(depth=1):
    b = Builder()
    x, y = b.input_node("x"), b.input_node("y")
    u = b.gate("sin", b.gate("mul", x, y))
    for _ in range(depth):
        u = b.gate("sin", b.gate("add", u, weights=(2,)))
    b.output("f", b.wire(u))
    return b.build()


@pytest.mark.parametrize("form", FORMS)
def test_elimination_counts_a_constant_node_like_a_wire_weight_in_every_order(form):
    c, w = _scaled(form, depth=3), _weighted(depth=3)
    for order in ORDERS:
        e = circuits.eliminate(c, order)
        assert e.cost == circuits.eliminate(w, order).cost, (form, order)
        assert e.cost == circuits.eliminate(w, order).cost
        assert _const_products(e.jacobian) <= _const_products(c), (form, order)  # the primal's, no new ones
        assert circuits.eliminate(c, order, kind="edge" if order in ("forward", "reverse", "markowitz") else "vertex").cost \
            == circuits.eliminate(w, order, kind="edge" if order in ("forward", "reverse", "markowitz") else "vertex").cost
    assert circuits.eliminate(c, "search", budget=0.2).cost == circuits.eliminate(w, "search", budget=0.2).cost
    point = {"x": 0.4, "y": -1.3}
    assert_gradient_close(c, circuits.eliminate(c, "reverse").jacobian, point)


@pytest.mark.parametrize("form", FORMS)
def test_backward_emits_weights_not_mul_gates_for_constant_factors(form):
    c, w = _scaled(form, depth=3), _weighted(depth=3)
    g, gw = circuits.backward(c), circuits.backward(w)
    assert _const_products(g) <= _const_products(c)  # the primal's, no new ones
    assert g.size - c.size == gw.size - w.size  # the same derivative gates as with the wire weight
    point = {"x": 0.4, "y": -1.3}
    assert g.evaluate(point) == pytest.approx(gw.evaluate(point), rel=1e-12)
    assert_gradient_close(c, g, point)
    for other in (circuits.forward(c, sparse=True), circuits.jacobian(c)):
        assert_gradient_close(c, other, point)


def test_backward_folds_constant_factors_on_large_circuits_too():
    depth = COMPILED_FROM // 2 + 10  # past the compiled sweep's threshold: it hands over to the Python one
    c, w = _scaled("mul(const, u)", depth), _weighted(depth)
    assert len(c) >= COMPILED_FROM
    g, gw = circuits.backward(c), circuits.backward(w)
    assert g.size - c.size == gw.size - w.size
    point = {"x": 0.4, "y": -0.3}
    assert g.evaluate(point)["df/dx"] == pytest.approx(gw.evaluate(point)["df/dx"], rel=1e-9)


def test_nary_products_and_exact_scales():
    b = Builder()
    x, y = b.input_node("x"), b.input_node("y")
    b.output("f", b.wire(b.gate("mul", b.const_node(3), x, b.const_node(2), y)))
    c = b.build()
    g = circuits.backward(c)
    assert g.evaluate(x=2, y=5) == {"df/dx": 30, "df/dy": 12}     # exact: ints stay ints
    assert circuits.eliminate(c, "forward").cost == (0, 0)
    b = Builder()
    x = b.input_node("x")
    b.output("f", b.wire(b.gate("div", b.gate("sin", x), b.const_node(3))))
    g = circuits.backward(b.build())
    assert [g.weights(v) for v in g.gates() if g.op(v) == "add"] == [(circuits.core.gates.Fraction(1, 3),)]


def test_division_by_a_constant_zero_keeps_its_gate_and_its_error():
    b = Builder()
    x = b.input_node("x")
    b.output("f", b.wire(b.gate("div", b.gate("sin", x), b.const_node(0))))
    g = circuits.backward(b.build())  # no ZeroDivisionError while building
    with pytest.raises(CircuitError):
        g.evaluate(x=0.3)
