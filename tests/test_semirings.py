"""Semiring backpropagation (issue 14): every built-in against brute force over paths."""

from __future__ import annotations

import math

import pytest
import sympy
from hypothesis import HealthCheck, given, settings, strategies as st

import circuits
import circuits.testing as ct
from circuits import CircuitError, semirings


def _paths(c, x, y, ev):
    """Every path from input node x to output node y as a list of wires, by explicit stack."""
    succ = {}
    for (u, g, i) in ev:
        succ.setdefault(u, []).append((u, g, i))
    out, stack = [], [(x, [])]
    while stack:
        node, path = stack.pop()
        if node == y:
            out.append(path)
        for w in succ.get(node, ()):
            stack.append((w[1], path + [w]))
    return out


def _brute(c, point):
    """{(x, y): [(signed product, wires)]} over all paths, and the edge values."""
    ev = circuits.edge_values(c, point)
    table = {}
    for y, yv in c.outputs.items():
        for x, xv in c.inputs.items():
            table[x, y] = [(math.prod(float(ev[w]) for w in p), p) for p in _paths(c, xv, yv, ev)]
    return table


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.data())
def test_semirings_match_brute_force_on_random_circuits(data):
    c = data.draw(ct.circuits(max_inputs=3, max_gates=8))
    point = data.draw(ct.points(c))
    table = _brute(c, point)
    grad = circuits.backward(c).evaluate(point)
    for y in c.outputs:
        real = circuits.propagate(c, semirings.real, point, output=y).inputs
        count = circuits.propagate(c, semirings.counting, output=y).inputs
        best = circuits.propagate(c, semirings.max_product, point, output=y).inputs
        kb = circuits.propagate(c, semirings.k_best(3), point, output=y).inputs
        lg = circuits.propagate(c, semirings.log, point, output=y).inputs
        ent = circuits.propagate(c, semirings.entropy, point, output=y).inputs
        for x in c.inputs:
            paths = table[x, y]
            if c.inputs[x] == c.outputs[y]:     # the empty path
                paths = [(1.0, [])]
            assert math.isclose(float(real[x]), float(grad[f"d{y}/d{x}"]), rel_tol=1e-9, abs_tol=1e-9)
            assert math.isclose(float(real[x]), sum(p for p, _ in paths), rel_tol=1e-9, abs_tol=1e-9)
            assert count[x] == len(paths)
            weights = sorted((abs(p) for p, _ in paths), reverse=True)
            top = weights[0] if weights else 0.0
            assert math.isclose(best[x][0], top, rel_tol=1e-9, abs_tol=1e-12)
            if paths and best[x][0] > 0:
                wires = semirings.path_of(best[x][1])
                assert wires in [p for _, p in paths]
                assert math.isclose(abs(math.prod(float(circuits.edge_values(c, point)[w]) for w in wires)),
                                    top, rel_tol=1e-9)
            assert [w for w, _ in kb[x]] == pytest.approx(weights[:3], rel=1e-9, abs=1e-12) or not paths
            z = sum(weights)
            assert math.isclose(math.exp(lg[x]) if lg[x] < 700 else math.inf, z, rel_tol=1e-9, abs_tol=1e-300)
            if z > 0:
                h = -sum((w / z) * math.log(w / z) for w in weights if w > 0)
                assert math.isclose(semirings.entropy_of(ent[x]), h, rel_tol=1e-7, abs_tol=1e-9)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_boolean_semiring_covers_sympy_jacobian_pattern(data):
    c = data.draw(ct.circuits(max_inputs=3, max_gates=8))
    exprs = circuits.to_sympy(c)
    symbols = {x: sympy.Symbol(x) for x in c.inputs}
    for y in c.outputs:
        pattern = circuits.propagate(c, semirings.boolean, output=y).inputs
        for x in c.inputs:
            d = sympy.diff(exprs[y], symbols[x]).replace(sympy.DiracDelta, lambda *a: 0)  # a.e. zero
            if d != 0:                          # structural sparsity is a superset of the true one
                assert pattern[x], (y, x, d)


def test_boolean_is_exact_without_cancellation():
    c = circuits.parse({"y1": "x1 * x2", "y2": "sin(x3) + x2", "y3": "exp(x1)"})
    want = {y: {x: sympy.diff(e, sympy.Symbol(x)) != 0 for x in c.inputs} for y, e in circuits.to_sympy(c).items()}
    got = {y: circuits.propagate(c, semirings.boolean, output=y).inputs for y in c.outputs}
    assert got == want


def test_counting_deep_circuit_exponentially_many_paths_linear_work():
    # x_{k+1} = x_k * x_k doubles the paths each layer
    depth = 2000
    b = circuits.Builder()
    v = b.input("x")
    for _ in range(depth):
        v = v * v
    b.output("y", v)
    c = b.build()
    p = circuits.propagate(c, semirings.counting)
    assert p.inputs == {"x": 2 ** depth}
    assert p.operations <= 2 * 2 * depth
    fwd = circuits.propagate(c, semirings.counting, direction="forward")
    assert fwd.outputs == {"y": 2 ** depth}


def test_bauer_paths_count_is_the_counting_semiring():
    y = circuits.trace(lambda x1, x2: (x1 + x2 + x1 * x2) * (x1 + x2))
    assert circuits.bauer_paths(y, input="x1").paths == 3 == circuits.propagate(y, semirings.counting, input="x1").inputs["x1"]


def test_forward_equals_reverse():
    c = circuits.parse("exp(x*z) * sin(x + z) - x*x", name="y")
    point = {"x": 0.3, "z": -1.2}
    for s in (semirings.real, semirings.counting, semirings.log, semirings.entropy):
        for x in c.inputs:
            r = circuits.propagate(c, s, point, input=x).inputs[x]
            f = circuits.propagate(c, s, point, input=x, direction="forward").outputs["y"]
            assert r == pytest.approx(f, rel=1e-12)
    r = circuits.propagate(c, semirings.max_product, point, input="x").inputs["x"]
    f = circuits.propagate(c, semirings.max_product, point, input="x", direction="forward").outputs["y"]
    assert r[0] == pytest.approx(f[0])
    assert semirings.path_of(r[1]) == semirings.path_of(f[1])[::-1]


def test_100000_deep():
    b = circuits.Builder()
    v = b.input("x")
    for _ in range(100_000):
        v = circuits.sin(v)
    b.output("y", v)
    c = b.build()
    assert circuits.propagate(c, semirings.counting).inputs == {"x": 1}
    best = circuits.propagate(c, semirings.max_product, {"x": 0.1}).inputs["x"]
    assert len(semirings.path_of(best[1])) == 100_000


def test_mistakes():
    c = circuits.parse("x * x")
    with pytest.raises(CircuitError, match="Semiring"):
        circuits.propagate(c, "real")
    with pytest.raises(CircuitError, match="direction"):
        circuits.propagate(c, semirings.real, {"x": 1}, direction="backwards")
    with pytest.raises(CircuitError, match="'z' is not an input"):
        circuits.propagate(c, semirings.counting, input="z")
    with pytest.raises(CircuitError, match="needs numbers"):
        circuits.propagate(c, semirings.max_product)
    with pytest.raises(CircuitError, match="positive integer"):
        semirings.k_best(0)
