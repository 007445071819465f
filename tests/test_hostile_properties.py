"""Property tests of issue 12's invariants on random circuits with extreme floats.

Circuits come from :func:`circuits.testing.circuits`; each input is first scaled
by an extreme constant (a weighted wire, 1e±200 and the like) and the circuit
is evaluated at extreme points (1e±300, 5e-324, ±1.7e308, -0.0) as well as
ordinary ones.  For every such circuit:

* ``simplify`` returns without raising and never adds gates;
* where the original computes every output as a finite float, the simplified
  circuit computes it too, and close to it: the difference is within 1e-6 of the
  largest intermediate magnitude (rounding of reordered sums), and, in circuits
  without sums (where no cancellation can explain it), a normal nonzero value
  (|v| >= 1e-280) never flushes to zero;
* ``compile`` agrees with ``evaluate`` in value and type.
"""

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import circuits
from circuits import CircuitError
from circuits.testing import circuits as random_circuits

EXTREME = [1e300, -1e300, 1e-300, -1e-300, 5e-324, 1.7e308, -0.0, 0.0, 1e154, 1e-160]
SCALES = [1, 1e200, 1e-200, -1e150, 2.0 ** 500, 3.0, 1e300]
ORDINARY = [0.5, -1.25, 2.0]


def _scaled(c, scales):
    """``c`` with input ``x`` replaced by ``scale · x`` (a one-wire weighted + gate)."""
    b = circuits.Builder()
    new = {}
    for (name, v), s in zip(c.inputs.items(), scales):
        node = b.input_node(name)
        new[v] = node if s == 1 else b.gate("add", node, weights=[s])
    for i in range(len(c)):
        op = c.op(i)
        if op == "input":
            continue
        if op == "const":
            new[i] = b.const_node(c.value(i))
        else:
            new[i] = b.gate(op, *[new[u] for u in c.args(i)], weights=c._weights[i])
    for name, v in c.outputs.items():
        b.output_node(name, new[v])
    return b.build()


def _values(c, point):
    """Every node's float value at ``point``, or None when evaluation fails."""
    every = circuits.Circuit(c._ops, c._args, c._weights, c._values, c._names, c._inputs,
                             {str(i): i for i in range(len(c))})
    try:
        return every.evaluate(point)
    except CircuitError:
        return None


def _finite(v) -> bool:
    try:
        return math.isfinite(v)
    except (TypeError, OverflowError):
        return False


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(random_circuits(max_inputs=3, max_gates=10), st.data())
def test_simplify_and_compile_keep_finite_values(c, data):
    c = _scaled(c, [data.draw(st.sampled_from(SCALES)) for _ in c.inputs])
    s = circuits.simplify(c)
    sums = any(c.op(v) == "add" and len(c.args(v)) > 1 for v in c.gates())
    assert s.size <= c.size, (c.to_json(), s.size, c.size)
    compiled = circuits.compile(c)
    for _ in range(4):
        point = {x: data.draw(st.sampled_from(EXTREME + ORDINARY)) for x in c.inputs}
        try:
            want = c.evaluate(point)
        except CircuitError:
            continue
        got = compiled(point)
        for name in want:
            a, b = want[name], got[name]
            assert type(a) is type(b) and (a == b or (a != a and b != b)), (c.to_json(), point, name, a, b)
        if not all(_finite(v) for v in want.values()):
            continue
        nodes = _values(c, point)
        scale = max((abs(v) for v in nodes.values() if _finite(v)), default=0.0) if nodes else 0.0
        simplified = s.evaluate(point)  # must not raise where the original gave finite outputs
        for name, a in want.items():
            b = simplified[name]
            assert _finite(b), (c.to_json(), point, name, a, b)
            assert abs(a - b) <= 1e-6 * max(abs(a), abs(b), scale) or (a == b), (c.to_json(), point, name, a, b)
            if abs(a) >= 1e-280 and not sums:  # without sums no cancellation: 0 is an underflow
                assert b != 0, (c.to_json(), point, name, a, b)
