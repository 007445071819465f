"""The compiled reverse sweep builds backward's gradient record for record.

Each case is built three ways: by the Python sweep (``CIRCUITS_ENGINE=python``),
by the kernel run as plain Python (``compiled=False``, no numba needed) and,
where numba is installed, by the compiled kernel; the records (ops, args,
weights with their types, constants, names, outputs, meta) must be equal.
"""

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings, strategies as st

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


def _chain_of_weights(k, weight):
    """u_{i+1} = weight·u_i + y from u_0 = x, k times: the adjoint of u_i is weight**(k - i), folded as far as
    it fits."""
    b = circuits.Builder()
    u, y = b.input("x"), b.input("y")
    for _ in range(k):
        u = b.gate("add", u, y, weights=(weight, 1))
    b.output_node("f", u)
    return b.build()


@pytest.mark.parametrize("weight", [2 ** 20, -3 ** 12, Fraction(1, 3 ** 15), Fraction(2 ** 30, 7)])
def test_products_beyond_2_53_are_kept_unfolded(weight):
    c = _chain_of_weights(12, weight)
    assert _check(c) == (2 if engine.enabled() else 1)  # the kernel applies, record for record
    g = circuits.backward(c)
    for w in filter(None, g.record.params):  # no weight is folded beyond 2**53 ...
        for v in w:
            assert abs(Fraction(v).numerator) < 2 ** 53 and Fraction(v).denominator < 2 ** 53
    assert g.evaluate(x=Fraction(1), y=Fraction(1)) == {"df/dx": weight ** 12, "df/dy": sum(weight ** i for i in range(12))}  # exact
    # the Python sweep does the same: it used to fold weight**12 into one weight
    assert circuits.backward(c).record == _python(c).record


def test_the_kernels_limit_is_the_sweeps():
    from circuits.ad import common, sweep_kernel
    assert sweep_kernel.LIM == common.EXACT_LIMIT == 2 ** 53


def test_partial_scales_beyond_2_53_are_kept_unfolded():
    # mul(C, sin(mul(C, sin(mul(C, x))))) with C = 2**30: the second C's product with the first is 2**60
    for big in (2 ** 30, Fraction(1, 3 ** 20), -(2 ** 27 + 1)):
        b = circuits.Builder()
        u = b.input("x")
        for _ in range(3):
            u = b.gate("mul", b.const_node(big), b.gate("sin", u))
        b.output_node("f", u)
        c = b.build()
        assert _check(c) >= 1
        x, k = 0.3, float(big)
        u1 = k * math.sin(x)
        u2 = k * math.sin(u1)
        expected = k * math.cos(u2) * k * math.cos(u1) * k * math.cos(x)
        assert circuits.backward(c).evaluate(x=x)["df/dx"] == pytest.approx(expected, rel=1e-12)


_BIG_SCALES = [3, -7, 2 ** 20, -(2 ** 31 + 1), 2 ** 45, Fraction(1, 3 ** 15), Fraction(2 ** 30, 7),
               Fraction(-5, 2 ** 40), 0.5, 1e150]


@settings(max_examples=120, deadline=None)
@given(steps=st.lists(st.tuples(st.sampled_from(["add", "mul_c", "sin", "square", "mul"]),
                                st.sampled_from(_BIG_SCALES), st.integers(0, 100)), min_size=1, max_size=14))
def test_big_scales_identical(steps):
    """Random chains whose scales multiply past 2**53: the kernel builds the Python sweep's record."""
    b = circuits.Builder()
    nodes = [b.input("x"), b.input("y")]
    for op, s, r in steps:
        u, v = nodes[-1], nodes[r % len(nodes)]
        if op == "add":
            nodes.append(b.gate("add", u, v, weights=(s, 1)))
        elif op == "mul_c":
            nodes.append(b.gate("mul", u, b.const_node(s)))
        elif op == "mul":
            nodes.append(b.gate("mul", u, v))
        else:
            nodes.append(b.gate(op, u))
    b.output_node("f", nodes[-1])
    c = b.build()
    _check(c)
    if "sin" not in c.record.ops and not any(type(s) is float for _, s, _ in steps):  # exact: forward agrees
        point = {"x": Fraction(1, 3), "y": Fraction(-2, 5)}
        assert circuits.backward(c).evaluate(**point) == circuits.forward(c).evaluate(**point)
