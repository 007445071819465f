"""The compiled reverse sweep builds backward's gradient record for record.

Each case is built three ways: by the Python sweep (``CIRCUITS_ENGINE=python``),
by the kernel run as plain Python (``compiled=False``, no numba needed) and,
where numba is installed, by the compiled kernel; the records (ops, args,
weights with their types, constants, names, outputs, meta) must be equal.
"""

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings

import circuits
from circuits.eval import engine
from circuits.library import FAMILIES, chain
from circuits.testing import random_circuits
from circuits.ad import fast_backward
from circuits.ad.linearize import partial_trace


def _python(c, monkeypatch=None, **kw):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CIRCUITS_ENGINE", "python")
        return circuits.backward(c, **kw)


def _typed(record):
    """The record with every weight and constant tagged by its type (1 == 1.0 == Fraction(1) otherwise)."""
    return (record, [tuple(map(type, w)) if w else w for w in record.params],
            {k: type(v) for k, v in record.constants.items()})


def _check(c, compiled_too=True):
    y = next(iter(c.outputs))
    expected = _python(c, output=y)
    modes = [False] + ([True] if compiled_too and engine.enabled() else [])
    built = 0
    for compiled in modes:
        got = fast_backward.gradient(c, y, compiled=compiled)
        if got is None:
            continue
        built += 1
        assert _typed(got.record) == _typed(expected.record), (compiled, c)
    return built


@settings(max_examples=150, deadline=None)
@given(c=random_circuits(max_inputs=3, max_gates=16))
def test_random_circuits_identical(c):
    _check(c)


@settings(max_examples=40, deadline=None)
@given(c=random_circuits(max_inputs=2, max_gates=10, exact=True))
def test_exact_circuits_identical(c):
    _check(c)


@pytest.mark.parametrize("family, size", [("mlp", 3), ("det", 4), ("lsq", 5), ("sigma2_naive", 6),
                                          ("sigma2_fast", 7), ("random", 40), ("chain", 20),
                                          ("det_faddeev", 3), ("sin_dot", 5), ("matrix_chain", 3),
                                          ("rnn", 3), ("conv1d", 5), ("horner", 6)])
def test_families_identical(family, size):
    assert _check(FAMILIES[family](size)) >= 1  # the kernel applies to every family


def test_weights_and_constants_of_every_type():
    b = circuits.Builder()
    x, y = b.input("x"), b.input("y")
    u = x * Fraction(1, 3) + y * 2.5 + x * y * 3 + Fraction(2, 7)
    v = circuits.exp(u) * 0.25 + circuits.sqrt(x * x + 1) / 3 + y ** 3 + x ** -2 + circuits.tanh(y) * 1e-3
    b.output("f", v * v - u)
    assert _check(b.build()) >= 1


def test_deep_chain_no_recursion():
    c = chain(100_000)
    assert _check(c) == (2 if engine.enabled() else 1)


def test_falls_back_where_it_does_not_apply():
    c = circuits.parse("x * y + sin(x)")
    y = "f"
    assert fast_backward.gradient(c, y, compiled=False) is not None
    b = circuits.Builder()  # weights beyond 2**53 are not modelled: Python's sweep runs
    x = b.input("x")
    b.output("f", circuits.sin(x) * 2 ** 60)
    assert fast_backward.gradient(b.build(), "f", compiled=False) is None
    # several outputs, keep_primal, mirror: the Python sweep (same results as before)
    c2 = circuits.parse({"f": "x * y", "g": "sin(x)"})
    g = circuits.backward(c2)
    assert list(g.outputs) == ["df/dx", "df/dy", "dg/dx", "dg/dy"]
    assert circuits.backward(c, keep_primal=True).record == _python(c, keep_primal=True).record


def test_kernel_switched_off(monkeypatch):
    monkeypatch.setenv("CIRCUITS_ENGINE", "python")
    assert fast_backward.kernel() is None
    assert fast_backward.gradient(circuits.parse("sin(x)"), "f") is None


def test_traces_read_from_the_registry():
    # tanh's rule 1 - tanh(u)^2 as data: a constant, a square of the output, a weighted sum
    assert partial_trace("tanh", 1, 0) == ((("const", 1), ("square", (1,), None), ("add", (2, 3), (1, -1))), 4, 1)
    assert partial_trace("pow", 2, 1, (3,)) is None
    assert partial_trace("add", 2, 0) == "call"


def test_user_gates_take_the_python_sweep():
    from circuits.core.gates import Gate
    gate = Gate("softplus2", 1, "softplus2", num=lambda u: math.log1p(math.exp(u)),
                partial=lambda b, args, out, i: (b.gate("sigmoid", args[0]), 1))
    with circuits.registered_gate(gate):
        c = circuits.parse("softplus2(x * y) + sin(x)")
        assert fast_backward.gradient(c, "f", compiled=False) is None
        g = circuits.backward(c)
        assert g.record == _python(c).record
        assert g.evaluate(x=0.5, y=2.0)["df/dx"] == pytest.approx(2.0 / (1 + math.exp(-1.0)) + math.cos(0.5))


def test_fraction_sums_near_the_limit():
    # sums of Fractions whose cross products pass 2**63: the kernel refuses them or gets them exact
    b = circuits.Builder()
    x = b.input("x")
    p, q = Fraction(2 ** 50 + 1, 2 ** 50 + 3), Fraction(2 ** 50 + 5, 2 ** 50 + 7)
    b.output("f", circuits.sin(x * p) + circuits.cos(x * q) + x * p - x * q)
    c = b.build()
    _check(c)
    assert circuits.backward(c).record == _python(c).record


def test_backward_compiles_only_circuits_large_enough_to_gain(monkeypatch):
    """Below COMPILED_FROM nodes the Python sweep is faster, and a small circuit never loads numba."""
    import importlib
    backward_module = importlib.import_module("circuits.ad.backward")
    calls = []
    monkeypatch.setattr(backward_module, "fast_gradient", lambda c, y, **kw: calls.append(len(c)))
    small = circuits.library.chain(backward_module.COMPILED_FROM - 2)
    large = circuits.library.chain(backward_module.COMPILED_FROM)
    assert len(small) < backward_module.COMPILED_FROM <= len(large)
    circuits.backward(small)
    assert calls == []
    circuits.backward(large)
    assert calls == [len(large)]


@pytest.mark.parametrize("build", [
    lambda b, x, y: b.gate("mul", circuits.sin(x), b.const_node(3)),  # a constant factor: the partial's scale
    lambda b, x, y: b.gate("mul", b.const_node(2), x, y),             # variadic, with a constant
    lambda b, x, y: b.gate("mul", b.const_node(2), b.const_node(0.5), x),  # two constants
    lambda b, x, y: b.gate("div", circuits.exp(x), b.const_node(4)),  # the scale Fraction(1, 4)
    lambda b, x, y: b.gate("add", b.gate("div", circuits.exp(x), b.const_node(0.5)),
                           b.gate("div", x, b.const_node(Fraction(2, 3)))),  # a float, a Fraction
    lambda b, x, y: b.gate("mul", b.gate("div", b.const_node(3), x), y),  # a constant numerator
    lambda b, x, y: b.gate("add", b.gate("mul", b.gate("square", b.gate("mul", x, b.const_node(7))),
                                         b.const_node(7)), b.gate("mul", y, b.const_node(7))),  # one 7, three gates
])
def test_constant_arguments_of_gates_are_scales(build):
    b = circuits.Builder()
    x, y = b.input("x"), b.input("y")
    f = build(b, x, y)
    b.output_node("f", f) if isinstance(f, int) else b.output("f", f)
    c = b.build()
    assert _check(c) >= 1  # the kernel applies, record for record
    assert fast_backward.gradient(c, "f", compiled=False) is not None


def test_division_by_a_constant_zero_keeps_its_gate():
    b = circuits.Builder()
    x = b.input("x")
    b.output_node("f", b.gate("div", circuits.exp(x), b.const_node(0)))
    c = b.build()
    assert "recip" in _python(c).record.ops  # the rule keeps 1/0 as a gate (its error where it is evaluated)
    assert _check(c) == 0  # which a trace cannot read as data: the kernel declines, the Python sweep builds it


def test_constants_beyond_the_kernels_numbers_are_carried():
    b = circuits.Builder()  # u + 2**60 (a random circuit's shift, say): the constant has no adjoint
    x, y = b.input("x"), b.input("y")
    big = b.gate("add", b.gate("mul", x, y), b.const_node(2 ** 60))
    b.output_node("f", b.gate("sin", b.gate("add", big, b.const_node(float("inf")))))
    c = b.build()
    assert _check(c) >= 1
    b2 = circuits.Builder()  # folded into a partial's scale, it stops the kernel: Python's sweep
    x = b2.input("x")
    b2.output_node("f", b2.gate("mul", circuits.sin(x), b2.const_node(2 ** 60)))
    assert fast_backward.gradient(b2.build(), "f", compiled=False) is None
