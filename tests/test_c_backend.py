"""The C backend: to_c's source, and compile_c's results bit for bit against the interpreter."""

from __future__ import annotations

import math
import re
import struct

import numpy as np
import pytest

import circuits
from circuits import CircuitError, EvaluationWarning, library
from circuits.eval import c as cbackend

needs_cc = pytest.mark.skipif(cbackend.compiler() is None, reason="no C compiler (apt-get install gcc)")


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CIRCUITS_CACHE_DIR", str(tmp_path / "cache"))


def bits(x: float) -> int:
    return struct.unpack("<q", struct.pack("<d", x))[0]


def assert_same_bits(got: dict, want: dict):
    assert list(got) == list(want)
    for k in want:
        assert bits(float(got[k])) == bits(float(want[k])), (k, got[k], want[k])


EVERY_GATE = circuits.parse({
    "a": "x * sin(y) + 2*x - pow(x, 3) + max(x, y)/3 + sigmoid(x*y) - sigmoid(-7*x)",
    "b": "exp(-x) * log(1 + y*y) + sqrt(x*x + 1) + tanh(y) - atan(x) + cos(x) + tan(y/4)",
    "c": "relu(x - 1) + relu(-x) + step(y) + sign(x - y) + abs(y - x) + min(x, 2) + 1/(1 + x*x)",
    "d": "square(x) - y**2 + (x - y)**4 / 7",
})


@needs_cc
@pytest.mark.parametrize("point", [(0.5, -1.25), (1.5, 0.5), (-2.0, 3.0), (0.0, 0.0), (-0.0, 1e-300), (7.0, -7.0)])
def test_every_gate_is_bit_identical_to_the_interpreter(point):
    f = cbackend.compile_c(EVERY_GATE)
    x, y = point
    assert_same_bits(f(x=x, y=y), circuits.evaluate(EVERY_GATE, x=x, y=y))


@needs_cc
def test_max_and_min_are_the_gates_ieee_semantics_in_c():
    # nan propagates and +0 is above -0, in either order (the gates commute exactly, so simplify
    # may sort their arguments); the batch function is read, as the point one hands nan to evaluate
    c = circuits.parse({"M": "max(x, y)", "m": "min(x, y)", "N": "max(y, x)", "n": "min(y, x)"})
    f = cbackend.compile_c(c)
    points = [(-0.0, 0.0), (0.0, -0.0), (1.0, math.nan), (math.nan, 1.0), (2.0, -3.0)]
    with pytest.warns(EvaluationWarning):
        Y = f.array(np.array(points))
    for (x, y), got in zip(points, Y):
        want = circuits.evaluate(c, x=x, y=y)
        assert [bits(v) for v in got.tolist()] == [bits(float(want[k])) for k in c.outputs], (x, y)


@needs_cc
@pytest.mark.parametrize("seed", range(12))
def test_random_circuits_are_bit_identical_point_and_batch(seed):
    c = library.random_circuit(4, 120, seed=seed, n_outputs=2)
    f = cbackend.compile_c(c)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-library.RANDOM_BOX, library.RANDOM_BOX, (50, 4))
    Y = f.array(X)
    for row, got in zip(X, Y):
        want = circuits.evaluate(c, dict(zip(c.inputs, row.tolist())))
        assert_same_bits(dict(zip(c.outputs, got.tolist())), want)
        assert_same_bits(f(**dict(zip(c.inputs, row.tolist()))), want)


@needs_cc
def test_threads_do_not_change_a_bit():
    c = library.random_circuit(3, 60, seed=5)
    X = np.random.default_rng(1).uniform(-1, 1, (cbackend.THREADS_FROM * 2, 3))
    threaded, single = cbackend.compile_c(c, threads=True), cbackend.compile_c(c, threads=False)
    assert np.array_equal(threaded.array(X).view(np.int64), single.array(X).view(np.int64))


@needs_cc
def test_a_user_gate_is_lowered_from_its_formula():
    gate = circuits.Gate("softplus_c", 1, "softplus", formula=lambda m, u: m.log(1 + m.exp(u)),
                         partial=lambda b, args, out, i: (b.gate("sigmoid", args[0]), 1))
    circuits.register_gate(gate)
    try:
        c = circuits.parse("softplus_c(x) * y")
        assert_same_bits(cbackend.compile_c(c)(x=0.3, y=2.0), circuits.evaluate(c, x=0.3, y=2.0))
        assert "log((1.0 + exp(" in cbackend.to_c(c)
    finally:
        circuits.unregister_gate("softplus_c")


def test_a_gate_c_cannot_express_is_refused_by_name():
    branchy = circuits.Gate("branchy_c", 1, "b", formula=lambda m, u: u if u > 0 else -u,
                            partial=lambda b, args, out, i: (b.gate("sign", args[0]), 1))
    circuits.register_gate(branchy)
    try:
        with pytest.raises(CircuitError, match=r"branchy_c.*cannot be written in C.*m\.max"):
            cbackend.to_c(circuits.parse("branchy_c(x)"))
    finally:
        circuits.unregister_gate("branchy_c")


def test_the_source_is_self_contained_and_names_stay_out_of_it():
    b = circuits.Builder()
    x = b.input("*/ system(\"rm -rf /\"); /*")
    b.output('y"; #include <stdio.h>', circuits.sin(x) * 2)
    src = cbackend.to_c(b.build(), name="g")
    assert "system" not in src and "stdio" not in src
    assert [line for line in src.splitlines() if line.startswith("#")] == ["#include <math.h>",
                                                                           "#pragma omp parallel for schedule(static) if (n >= 4096)"]
    assert "malloc" not in src and "static double s" not in src
    for bad in ["", "1f", "f-g", "circuits_x", "ƒ", None, 3]:
        with pytest.raises(CircuitError, match="ASCII C identifier"):
            cbackend.to_c(circuits.parse("x"), name=bad)


@needs_cc
def test_large_circuits_split_into_functions_and_compile_once(tmp_path):
    c = library.chain(5 * cbackend.STATEMENTS_PER_FUNCTION)
    src = cbackend.to_c(c)
    parts = src.count("static void f_part")
    gates = [len(re.findall(r"^    r\d+ = (?!s\[)", block, re.M)) for block in src.split("static void f_part")[1:]]
    assert parts >= 5 and max(gates) <= cbackend.STATEMENTS_PER_FUNCTION and sum(gates) == c.size
    f = cbackend.compile_c(c)
    assert_same_bits(f(**{x: 0.25 for x in c.inputs}), circuits.evaluate(c, {x: 0.25 for x in c.inputs}))
    assert cbackend.compile_c(c).path == f.path            # cached by the source's hash


@needs_cc
def test_outside_the_domain_the_interpreter_speaks():
    f = cbackend.compile_c(circuits.parse("log(x) + y"))
    with pytest.raises(CircuitError, match="log"):
        f(x=-1.0, y=0.0)
    with pytest.warns(EvaluationWarning, match="1 of 2 points"):
        Y = f.array(np.array([[1.0, 2.0], [-1.0, 0.0]]))
    assert Y[0, 0] == 2.0 and math.isnan(Y[1, 0])


@needs_cc
def test_calls_check_their_arguments():
    f = cbackend.compile_c(circuits.parse("x * y"))
    assert f.inputs == ("x", "y") and f.outputs == ("f",)
    with pytest.raises(CircuitError, match="missing 'y'"):
        f(x=1.0)
    with pytest.raises(CircuitError, match="float inputs"):
        f(x="a", y=1.0)
    with pytest.raises(CircuitError, match=r"shape \(2,\) or \(n, 2\)"):
        f.array(np.ones(3))
    X = np.array([[1.0, 2.0], [3.0, 4.0]])
    out = np.empty((2, 1))
    assert f.array(X, out=out) is out and out.tolist() == [[2.0], [12.0]]


@needs_cc
def test_compile_picks_the_c_backend():
    f = circuits.compile(circuits.parse("x * y + 1"), backend="c")
    assert isinstance(f, cbackend.CCompiledCircuit) and f(x=2.0, y=3.0) == {"f": 7.0}
    with pytest.raises(CircuitError, match="unknown backend 'fortran'"):
        circuits.compile(circuits.parse("x"), backend="fortran")


def test_no_compiler_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(cbackend, "compiler", lambda: None)
    with pytest.raises(CircuitError, match="needs a C compiler.*circuits.compile"):
        cbackend.compile_c(circuits.parse("x + 1"))


def weighted_sums(seed: int) -> circuits.Circuit:
    """Random weighted sums with weights ±1, ±2, 0.5 over inputs, constants (±0.0 included) and
    earlier sums, some of them outputs that later gates read, one input and one constant output."""
    rng = np.random.default_rng(seed)
    b = circuits.Builder()
    nodes = [b.input_node(f"x{k}") for k in range(4)]
    nodes += [b.const_node(c) for c in (1.0, -1.0, 0.0, -0.0, 2.5)]
    for k in range(40):
        picked = rng.choice(len(nodes), size=int(rng.integers(2, 6)), replace=False)
        weights = rng.choice([1.0, -1.0, 1.0, -1.0, 2.0, -2.0, 0.5], size=len(picked)).tolist()
        nodes.append(b.gate("add", *[nodes[i] for i in picked], weights=weights))
        if k % 7 == 0:
            b.output_node(f"s{k}", nodes[-1])
    b.output_node("last", nodes[-1])
    b.output_node("input", nodes[0])
    b.output_node("constant", nodes[8])
    return b.build()


@needs_cc
@pytest.mark.parametrize("seed", range(6))
def test_weights_one_and_minus_one_are_no_multiplications_and_change_no_bit(seed):
    c = weighted_sums(seed)
    src = cbackend.to_c(c)
    assert "1.0 *" not in src and "(-1.0 *" not in src
    f = cbackend.compile_c(c)
    rng = np.random.default_rng(seed)
    for row in [[0.0, -0.0, 1.0, -1.0], [-0.0, -0.0, -0.0, -0.0], *rng.uniform(-3, 3, (20, 4)).tolist()]:
        point = dict(zip(c.inputs, row))
        assert_same_bits(f(**point), circuits.evaluate(c, point))


@needs_cc
def test_sin_and_cos_of_one_value_are_written_side_by_side():
    c = circuits.ad.backward(library.chain(300))
    src = cbackend.to_c(c)
    gates = [line.strip() for line in src.splitlines() if re.match(r"    r\d+ = ", line)]
    sines = 0
    for k, line in enumerate(gates):
        m = re.match(r"r\d+ = sin\((.+)\);$", line)
        if m:
            sines += 1
            assert re.match(rf"r\d+ = cos\({re.escape(m.group(1))}\);$", gates[k + 1]), gates[k:k + 2]
    assert sines == 299
    f = cbackend.compile_c(c)
    for x in (0.25, -1.5, 3.0):
        point = {name: x for name in c.inputs}
        assert_same_bits(f(**point), circuits.evaluate(c, point))
