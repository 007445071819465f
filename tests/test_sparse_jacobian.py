"""Sparse Jacobians by colouring (issue 14 #2)."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import circuits
import circuits.testing as ct
from circuits import CircuitError
from benchmarks.sparse_jacobian import banded


@pytest.mark.parametrize("n", [10, 100, 1000, 10_000])
def test_banded_needs_three_colours_and_linear_size(n):
    c = banded(n)
    j = circuits.jacobian(c, sparse=True)
    assert j.meta["colours"] == 3
    assert len(j.outputs) == 3 * n - 2
    assert j.size <= 12 * n          # linear: O(colours · (s + w))
    if n == 10:
        point = {f"x{i}": i + 2 for i in range(n)}
        got = j.evaluate(point)
        dense = circuits.jacobian(c).evaluate(point)
        for name, value in dense.items():
            assert got.get(name, 0) == value


def test_banded_sizes_grow_linearly():
    sizes = {n: circuits.jacobian(banded(n), sparse=True).size for n in (100, 200, 400)}
    assert abs((sizes[400] - sizes[200]) - 2 * (sizes[200] - sizes[100])) <= 2
    # the dense forward Jacobian (sparse tangent propagation) is no larger here, but it has
    # n² outputs and n sweeps; the coloured one has 3n − 2 outputs and 3 sweeps
    dense = circuits.jacobian(banded(200))
    assert len(dense.outputs) == 200 * 200
    assert sizes[200] <= dense.size


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_sparse_jacobian_matches_dense_on_random_circuits(data):
    c = data.draw(ct.circuits(max_inputs=3, max_gates=10, max_outputs=3))
    point = data.draw(ct.points(c))
    dense = circuits.jacobian(c).evaluate(point)
    pattern = circuits.jacobian_sparsity(c)
    if not any(pattern.values()):
        with pytest.raises(CircuitError, match="structurally zero"):
            circuits.jacobian(c, sparse=True)
        assert all(v == 0 for v in dense.values())
        return
    for mode in ("auto", "forward", "reverse"):
        j = circuits.jacobian(c, mode, sparse=True)
        got = j.evaluate(point)
        assert list(j.outputs) == [f"d{y}/d{x}" for y, xs in pattern.items() for x in xs]
        for name, value in dense.items():
            assert math.isclose(float(got.get(name, 0)), float(value), rel_tol=1e-9, abs_tol=1e-9), (mode, name)


def test_reverse_chosen_when_rows_need_fewer_colours():
    # one output depending on every input: columns all clash (n colours), rows 1
    f = circuits.parse("x*y + y*z + sin(x*z)", name="f")
    j = circuits.jacobian(f, sparse=True)
    assert (j.meta["colours"], j.meta["sweep"]) == (1, "reverse")
    assert circuits.jacobian(f, "forward", sparse=True).meta["colours"] == 3


def test_sparsity_and_mistakes():
    c = banded(5)
    assert circuits.jacobian_sparsity(c)["y2"] == ("x1", "x2", "x3")
    with pytest.raises(CircuitError, match="mode"):
        circuits.jacobian(c, "sideways", sparse=True)
    with pytest.raises(CircuitError, match="expects a Circuit"):
        circuits.jacobian_sparsity("x*y")
