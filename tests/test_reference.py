"""The reference sweep (circuits.ad.reference) is the specification of backward: the Python sweep
and the compiled sweep give the same adjoint as it at every node, on random circuits."""

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import circuits
from circuits.ad.fast_backward import gradient
from circuits.ad.reference import adjoints
from circuits.eval.interpreter import node_values
from circuits.testing import points, random_circuits

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))


def _reference(c, point):
    """{node: ∂y/∂node} of the first output by the reference sweep, at ``point``."""
    grad, adjoint = adjoints(c)
    values = node_values(grad, point)
    return {v: values[a] for v, a in adjoint.items()}


def _close(a, b, exact):
    return a == b if exact else a == pytest.approx(b, rel=1e-9, abs=1e-12)


def _check(c, point, exact):
    y = next(iter(c.outputs))
    ref = _reference(c, point)
    # the Python sweep, every adjoint a node of its own (mirror=True), node for node
    mirror = circuits.backward(c, output=y, mirror=True)
    values = node_values(mirror, point)
    adjoint_of = mirror.record.meta["adjoint_of"]
    for a, v in adjoint_of.items():
        assert _close(values[a], ref.get(v, 0), exact), (v, values[a], ref.get(v, 0))
    # the input adjoints of the plain Python sweep and of the sweep kernel (as Python, and compiled)
    expected = [ref.get(v, 0) for v in c.inputs.values()]
    results = [circuits.backward(c, output=y), gradient(c, y, compiled=False), gradient(c, y)]
    for g in results:
        if g is not None:  # None: the kernel leaves this circuit to the Python sweep
            got = g.evaluate(point)
            assert all(_close(got[k], e, exact) for k, e in zip(g.outputs, expected)), (got, expected)


@SETTINGS
@given(st.data())
def test_every_adjoint_is_the_reference_one_exactly(data):
    c = data.draw(random_circuits(max_gates=14, exact=True))
    _check(c, data.draw(points(c, exact=True)), exact=True)


@SETTINGS
@given(st.data())
def test_every_adjoint_is_the_reference_one_in_floats(data):
    c = data.draw(random_circuits(max_gates=14, max_outputs=2))
    _check(c, data.draw(points(c)), exact=False)


def test_reference_reads_formula_6():
    """Of f = x·y + sin(x): ∂f/∂x = y + cos(x), ∂f/∂y = x, and the adjoint of the product is 1."""
    c = circuits.parse("x * y + sin(x)")
    ref = _reference(c, {"x": 0.5, "y": 3.0})
    x, y = c.inputs.values()
    assert ref[x] == 3.0 + math.cos(0.5) and ref[y] == 0.5
    product = next(v for v in c.gates() if c.args(v) == (x, y))
    assert ref[product] == 1


def test_the_reference_is_short():
    import inspect
    from circuits.ad import reference
    assert len(inspect.getsource(reference.adjoints).splitlines()) <= 40
