"""Semiring backpropagation, top gradient paths, sparsity and Jacobians by colouring.

Every semiring is checked against brute force: all Bauer paths enumerated
wire by wire (Bauer 1974), their products of edge labels
(from sympy-checked ``edge_values``) combined by hand.  The Boolean pattern is
checked against sympy's exact Jacobian.
"""

from __future__ import annotations

import math

import pytest
import sympy
from hypothesis import HealthCheck, given, settings, strategies as st

import circuits
import circuits.testing as ct
from circuits import CircuitError, library
from circuits.semirings import BOOLEAN, COUNTING, ENTROPY, LOG, MAX_PRODUCT, REAL, Semiring, k_best


def all_paths(c, x, y):
    """Every wire path from input x to output y, as lists of (u, g, i), by an explicit stack."""
    succ: dict = {}
    rec = c.record
    for g, a in enumerate(rec.args):
        for i, u in enumerate(a):
            succ.setdefault(u, []).append((u, g, i))
    target, out = rec.outputs[y], []
    stack = [(rec.inputs[x], [])]
    while stack:
        node, path = stack.pop()
        if node == target:
            out.append(path)
        for wire in succ.get(node, ()):
            stack.append((wire[1], path + [wire]))
    return out


def close(a, b):
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)


small = dict(max_inputs=3, max_gates=7)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_every_semiring_matches_brute_force(data):
    c = data.draw(ct.random_circuits(**{"max_outputs": 2, **small}))
    point = data.draw(ct.points(c))
    ev = circuits.edge_values(c, point)
    grad = circuits.backward(c).evaluate(point)
    for y in c.outputs:
        real = circuits.propagate(c, REAL, point, output=y).inputs
        count = circuits.propagate(c, COUNTING, output=y).inputs
        best = circuits.propagate(c, MAX_PRODUCT, point, output=y).inputs
        top3 = circuits.propagate(c, k_best(3), point, output=y).inputs
        logs = circuits.propagate(c, LOG, point, output=y).inputs
        ent = circuits.propagate(c, ENTROPY, point, output=y).inputs
        for x in c.inputs:
            paths = all_paths(c, x, y)
            weights = [math.prod(abs(float(ev.get(w, 0))) for w in p) for p in paths]
            assert count[x] == len(paths)
            assert close(real[x], grad[f"d{y}/d{x}"])
            assert close(real[x], sum(math.prod(float(ev.get(w, 0)) for w in p) for p in paths) if paths else 0)
            heaviest = sorted(weights, reverse=True)
            assert close(best[x][0], heaviest[0] if heaviest else 0.0)
            assert [round(w, 9) for w, _ in top3[x]] == [round(w, 9) for w in heaviest[:3] if w]
            for w, path in top3[x]:  # each reported path is a real path of that weight
                wires = []
                while path is not None:
                    wires.append(path[0])
                    path = path[1]
                assert wires in paths and close(w, math.prod(abs(float(ev[v])) for v in wires))
            z = sum(weights)
            assert (logs[x] == -math.inf) if z == 0 else close(logs[x], math.log(z))
            if z > 0:
                h = -sum(w / z * math.log(w / z) for w in weights if w)
                assert close(math.log(ent[x][0]) + ent[x][1] / ent[x][0], h)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ct.random_circuits(max_outputs=2, max_inputs=3, max_gates=10))
def test_boolean_pattern_contains_sympy_nonzeros_and_counting_forward_agrees(c):
    pattern = circuits.jacobian_sparsity(c)
    symbols = {x: sympy.Symbol(x, real=True) for x in c.inputs}
    exprs = circuits.evaluate(c, symbols)
    for y, e in exprs.items():
        for x, s in symbols.items():
            # step, sign and the kinks of abs/max have derivative 0 almost everywhere, as the
            # registry declares; sympy's distributional DiracDelta terms are dropped
            d = sympy.diff(e, s).replace(sympy.DiracDelta, lambda *a: sympy.S.Zero)
            try:
                nonzero = sympy.simplify(d) != 0
            except (ValueError, TypeError):  # sympy's own Max/Heaviside simplification can fail
                continue                     # ('nan is not comparable'): no reference to check
            if nonzero:
                assert x in pattern[y], (y, x)
        for x in c.inputs:
            forward = circuits.propagate(c, COUNTING, input=x, direction="forward").outputs[y]
            assert forward == circuits.propagate(c, COUNTING, output=y).inputs[x]
            assert circuits.propagate(c, BOOLEAN, output=y).inputs[x] == (x in pattern[y])


def test_boolean_pattern_is_exact_on_structural_zeros():
    c = circuits.trace(lambda x, y: (circuits.step(x) * y, x ** 3 + 0 * y))
    assert circuits.jacobian_sparsity(c) == {"f0": ["y"], "f1": ["x"]}


def test_top_paths_of_the_worked_example():
    y = circuits.trace(lambda x1, x2: (x1 + x2 + x1 * x2) * (x1 + x2))
    point = {"x1": 3, "x2": 5}
    paths = circuits.top_paths(y, point, k=10, input="x1")
    assert len(paths) == 3  # three paths from x1
    assert sum(p.product for p in paths) == 2 * 3 + 2 * 5 + 2 * 3 * 5 + 5 ** 2
    assert [abs(p.product) for p in paths] == sorted((abs(p.product) for p in paths), reverse=True)
    for p in paths:
        assert p.nodes[0] == y.inputs["x1"] and p.nodes[-1] == y.outputs["f"]


def test_exponentially_many_paths_in_linear_work():
    b = circuits.Builder()
    (x,) = b.inputs("x")
    u = x
    for _ in range(200):
        u = u * u
    b.output("f", u)
    c = b.build()
    assert circuits.propagate(c, COUNTING).inputs["x"] == 2 ** 200
    with pytest.raises(CircuitError, match=str(2 ** 200)):
        circuits.bauer_paths(c)


def test_deep_circuits_are_not_recursive():
    c = library.chain(100_000, "sin")
    assert circuits.propagate(c, COUNTING).inputs["x"] == 1
    assert circuits.jacobian_sparsity(c) == {"f": ["x"]}
    (p,) = circuits.top_paths(c, {"x": 0.5})
    assert len(p.edges) == 100_000


def test_entropy_of_equal_paths_is_log_of_their_number():
    assert math.isclose(circuits.gradient_entropy(circuits.parse("x*x*x"), {"x": 2.0}), math.log(3))
    assert circuits.gradient_entropy(circuits.parse("sin(x)"), {"x": 0.3}) == 0.0


def test_user_semiring_and_errors():
    longest = Semiring("longest", -math.inf, 0, max, lambda a, b: a + b, lambda p, wire: 1, numeric=False)
    c = circuits.parse("sin(x) * x + x")
    assert circuits.propagate(c, longest).inputs["x"] == 3
    with pytest.raises(CircuitError, match="needs the partials' values"):
        circuits.propagate(c, REAL)
    with pytest.raises(CircuitError, match="expects a Circuit"):
        circuits.propagate("sin(x)", COUNTING)
    with pytest.raises(CircuitError, match="semiring must be"):
        circuits.propagate(c, "real")
    with pytest.raises(CircuitError, match="direction"):
        circuits.propagate(c, COUNTING, direction="sideways")
    with pytest.raises(CircuitError, match="k must be a positive integer"):
        k_best(0)
    with pytest.raises(CircuitError, match="'z' is not an input"):
        circuits.top_paths(c, {"x": 1.0}, input="z")


@pytest.mark.parametrize("n", [10, 100, 1000, 10_000])
def test_banded_jacobian_needs_three_colours(n):
    c = library.banded_product(n)
    col = circuits.jacobian_colouring(c)
    assert col.colours == 3 and col.direction == "forward"


def test_sparse_jacobian_values_and_linear_size():
    sizes = {}
    for n in (10, 20, 40, 80):
        c = library.banded_product(n)
        J = circuits.jacobian(c, sparse=True)
        point = {f"x{i}": 0.5 + 0.1 * i for i in range(n)}
        dense = circuits.backward(c).evaluate(point)
        got = J.evaluate(point)
        assert len(got) == 3 * n - 2  # the tridiagonal entries only
        assert got == pytest.approx({k: dense[k] for k in got})
        assert all(dense[k] == 0 for k in dense if k not in got)
        sizes[n] = J.size
    # linear in n: equal differences between doublings, far below the n·(s+w) of dense sweeps
    assert sizes[80] - sizes[40] == 2 * (sizes[40] - sizes[20]) == 4 * (sizes[20] - sizes[10])
    assert sizes[80] < 80 * library.banded_product(80).size


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_sparse_jacobian_equals_backward_on_random_circuits(data):
    c = data.draw(ct.random_circuits(max_outputs=2, max_inputs=4, max_gates=10))
    point = data.draw(ct.points(c))
    got = circuits.jacobian(c, sparse=True).evaluate(point)
    want = circuits.backward(c).evaluate(point)
    assert list(got) == [k for k in want if k in got]  # the same order, zeros left out
    for k in want:
        assert close(got.get(k, 0), want[k])


def test_render_draws_paths_and_adjoints():
    f = circuits.trace(lambda x1, x2: (x1 + x2 + x1 * x2) * (x1 + x2))
    point = {"x1": 3, "x2": 5}
    g = circuits.render(f, values=point, gradients=True)
    assert "grad 71" in g.source and "grad 55" in g.source  # the adjoints of x1 and x2
    paths = circuits.top_paths(f, point, k=2)
    g = circuits.render(f, values=point, highlight=paths)
    assert g.source.count("penwidth=3.5") == sum(len(p.edges) for p in paths) - len(
        set(paths[0].edges) & set(paths[1].edges))
    with pytest.raises(CircuitError, match="needs values"):
        circuits.render(f, gradients=True)
    with pytest.raises(CircuitError, match="GradientPaths"):
        circuits.render(f, highlight=[(0, 1, 0)])


def test_reverse_sweep_checks_and_keeps_to_its_input():
    from circuits.semirings import COUNTING, REAL
    c = circuits.trace(lambda x1, x2: (x1 + x2 + x1 * x2) * (x1 + x2))
    with pytest.raises(CircuitError, match="'z' is not an input"):
        circuits.propagate(c, COUNTING, input="z")
    r = circuits.propagate(c, REAL, {"x1": 3, "x2": 5}, input="x1")
    assert (r.input, r.inputs) == ("x1", {"x1": 71})
    assert circuits.propagate(c, COUNTING, input="x2").inputs == {"x2": 3}


def test_a_point_that_is_not_a_mapping_is_one_clear_error():
    c = circuits.parse("x * y")
    for call in (lambda: circuits.top_paths(c, 2), lambda: circuits.edge_values(c, [1.0, 2.0]),
                 lambda: circuits.propagate(c, REAL, 2)):
        with pytest.raises(circuits.CircuitError, match="mapping of input name to value, got"):
            call()
