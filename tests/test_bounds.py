"""The notes' bounds (circuits.bounds) on hand-counted circuits, families and random circuits."""

import re

import pytest
from hypothesis import given, settings

import circuits
import circuits.testing as ct
from circuits import Builder, CircuitError, bounds, library


def chain3(k):
    """x·y·x, then k times v ← v·x·y with 3-ary × gates."""
    b = Builder()
    x, y = b.input_node("x"), b.input_node("y")
    v = b.gate("mul", x, y, x)
    for _ in range(k):
        v = b.gate("mul", v, x, y)
    b.output_node("f", v)
    return b.build()


FAMILIES = [
    ("least_squares", lambda: library.least_squares(4, 3)),
    ("sigma2_naive", lambda: library.sigma2_naive(5)),
    ("sigma2_fast", lambda: library.sigma2_fast(5)),
    ("mlp", lambda: library.mlp([3, 3, 1])),
    ("determinant", lambda: library.determinant(3)),
    ("rnn", lambda: library.rnn(3, 2)),
    ("figure1", library.figure1),
    ("exercise", library.exercise),
    ("chain3", lambda: chain3(6)),
]


def test_partial_costs_by_hand():
    b = Builder()
    x, y, z = (b.input_node(n) for n in "xyz")
    m3 = b.gate("mul", x, y, z)         # each partial is a 2-ary product: 1 gate per wire
    s = b.gate("sigmoid", m3)           # σ(1 − σ): 2 gates
    t = b.gate("sin", x)                # cos: 1 gate
    p = b.gate("pow", y, b.const_node(5))   # 5·y⁴: one pow gate on the base, none on the exponent
    e = b.gate("exp", z)                # exp itself: 0 gates
    b.output_node("f", b.gate("add", s, t, p, e))
    total, per_op = bounds.partial_costs(b.build())
    assert total == 3 + 2 + 1 + 1 + 0 + 0
    assert per_op == {"mul": 1, "sigmoid": 2, "sin": 1, "pow": 1, "exp": 0, "add": 0}


def test_theorem3_numbers_on_the_worked_example():
    r = bounds.theorem3(library.backprop_example())
    # w = 8 wires, 6 nodes, + and × partials cost nothing: 2·8 + 0 + 6
    assert r.bound == 22 and r.details["notes_bound"] == 3 * 8 + 6
    assert r.holds and bool(r) and r.details["holds_notes_bound"]
    assert r.details["per_wire"] == {"add": 2, "mul": 2}
    text = str(r)
    assert "backpropagation size" in text and "Baur & Strassen 1983" in text and "22" in text and "holds" in text


def test_theorem3_measured_is_gates_added_by_backprop():
    c = library.backprop_example()
    full = circuits.backward(c, keep_primal=True)
    gates = sum(1 for _, op in full.dag.nodes(data="op") if op not in ("input", "const"))
    assert bounds.theorem3(c).measured == gates - 4


@pytest.mark.parametrize("name,make", FAMILIES)
def test_every_bound_on_families(name, make):
    c = make()
    assert bounds.forward_size(c).holds
    assert bounds.vector_bound(c).holds
    for y in c.outputs:
        r = bounds.theorem3(c, y)
        assert r.holds, str(r)
        if all(c.op(v) in ("add", "mul") for v in c.gates()):
            assert r.details["holds_notes_bound"]     # the notes' 3w + nodes, literally


@settings(max_examples=30, deadline=None)
@given(ct.random_circuits(max_outputs=2, max_inputs=3, max_gates=10))
def test_theorem3_and_forward_on_random_circuits(c):
    assert bounds.assert_forward_size(c)
    for y in c.outputs:
        assert bounds.assert_theorem3(c, y)
    assert bounds.assert_vector_bound(c)


@settings(max_examples=30, deadline=None)
@given(ct.random_circuits(max_outputs=2, max_inputs=3, max_gates=10, ops=["add", "mul"]))
def test_notes_bound_3w_plus_nodes_for_plus_times(c):
    for y in c.outputs:
        r = bounds.theorem3(c, y)
        assert r.measured <= 3 * c.wires + len(c)
        assert r.details["holds_notes_bound"]


def test_forward_size_constant_by_hand():
    c = library.figure1()                       # n = 3, s = 7, w = 17
    r = bounds.forward_size(c)
    assert r.bound == 7 + 0 + 3 * (7 + 17)
    assert r.details["constant"] == pytest.approx(r.measured / 72)
    assert 0.5 < r.details["constant"] <= 1 + 7 / 72


def test_cheap_gradient_on_the_notes_examples():
    for c in (library.figure1(), library.backprop_example(), library.least_squares(5, 3)):
        r = bounds.cheap_gradient(c)
        assert r.bound == 5 and r.holds, str(r)
        assert r.details["cost_f"] == c.size


def test_cheap_gradient_depends_on_the_cost_model():
    # With 3-ary × gates at unit cost each wire's partial is a gate of its own
    # and the ratio passes 5; counted in binary operations (Baur & Strassen's model),
    # it stays within 5.
    c = chain3(10)
    unit = bounds.cheap_gradient(c)
    assert not unit.holds and unit.measured > 5 and not bool(unit)
    assert bounds.cheap_gradient(c, "binary").holds
    with pytest.raises(AssertionError, match=r"measured 6\.\d+ > bound 5: FAILS"):
        bounds.assert_cheap_gradient(c)
    # any constant model gives the unit ratio
    assert bounds.cheap_gradient(c, {"default": 3}).measured == pytest.approx(unit.measured)


def test_vector_bound_tightness_example():
    # the tightness example sin(wᵀx)·b (Griewank 2012): the Jacobian has d·m entries, the function O(d + m) gates
    c = library.sin_dot(6, 4)
    r = bounds.vector_bound(c)
    assert (r.details["m"], r.details["d"], r.details["gamma"]) == (4, 6, 1)
    assert r.bound == pytest.approx(r.details["C"] * 4)
    assert r.holds and r.measured > 1


def test_errors_name_the_outputs():
    c = circuits.trace(lambda x, y: (x * y, x + y))
    with pytest.raises(CircuitError, match=r"has 2 outputs .*choose one with output="):
        bounds.theorem3(c)
    with pytest.raises(CircuitError, match="'z' is not an output"):
        bounds.theorem3(c, "z")
    assert bounds.theorem3(c, "f1").holds


def test_directional_bounds():
    c = library.backprop_example()
    for kind in ("jvp", "vjp", "hvp"):
        bound, claim = bounds.directional_bound(c, kind)
        made = getattr(circuits, kind)(c)
        assert made.size <= bound and re.search(r"\(.*(19|20)\d\d\)", claim)
    with pytest.raises(CircuitError, match="unknown directional"):
        bounds.directional_bound(c, "jacobian")
