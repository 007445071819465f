"""Evaluation and compilation in every number system, domain errors, and deep circuits.

References: hand-computed Fractions, Python's ``math`` on the same formula,
numpy applied pointwise, and sympy's own simplification.
"""

import math
from fractions import Fraction

import numpy as np
import pytest
import sympy

import circuits
from circuits import Builder, CircuitError, compile, evaluate, trace
from circuits.eval.interpreter import describe


def mixed(x, y):
    return circuits.sin(x * y) / (1 + x * x) + circuits.exp(-y) * circuits.sqrt(x) - circuits.log(x) * y ** 3


def mixed_math(x, y):
    return math.sin(x * y) / (1 + x * x) + math.exp(-y) * math.sqrt(x) - math.log(x) * y ** 3


def rational(x, y):
    return (x - 2 * y) ** 3 / (x + y) + 1 / x - Fraction(3, 7) * x * y + circuits.relu(y - x)


def test_float_evaluation_matches_math():
    c = trace(mixed)
    for x, y in [(0.5, 1.5), (2.0, -0.3), (3.7, 0.01)]:
        assert c.evaluate(x=x, y=y)["mixed"] == pytest.approx(mixed_math(x, y), rel=1e-13)


def test_exact_evaluation_matches_hand_computed_fractions():
    c = trace(rational)
    # x = 1/2, y = 1/3: (1/2 - 2/3)^3 / (5/6) + 2 - 3/7 * 1/6 + 0
    #   = (-1/216) * (6/5) + 2 - 1/14 = -1/180 + 2 - 1/14
    got = c.evaluate(x=Fraction(1, 2), y=Fraction(1, 3))["rational"]
    assert got == Fraction(-1, 180) + 2 - Fraction(1, 14)
    assert isinstance(got, Fraction)
    # x = 1, y = 2: (1 - 4)^3 / 3 + 1 - 6/7 + relu(1) = -9 + 1 - 6/7 + 1
    assert c.evaluate(x=Fraction(1), y=Fraction(2))["rational"] == Fraction(-7) - Fraction(6, 7)
    # integers stay integers where the arithmetic allows
    assert trace(lambda x, y: x * y - 3 * x).evaluate(x=4, y=5) == {"f": 8}


def test_numpy_batch_matches_pointwise_loop():
    c = trace(mixed)
    rng = np.random.default_rng(7)
    xs = rng.uniform(0.1, 3.0, 50)
    ys = rng.uniform(-2.0, 2.0, 50)
    batch = c.evaluate(x=xs, y=ys)["mixed"]
    loop = np.array([mixed_math(x, y) for x, y in zip(xs, ys)])
    np.testing.assert_allclose(batch, loop, rtol=1e-12)
    # broadcasting a scalar input against an array
    np.testing.assert_allclose(c.evaluate(x=xs, y=0.5)["mixed"], [mixed_math(x, 0.5) for x in xs], rtol=1e-12)
    # numpy's nan semantics instead of an error
    with pytest.warns(circuits.core.errors.EvaluationWarning):  # the float path raises there
        assert np.isnan(c.evaluate(x=np.array([-1.0]), y=np.array([1.0]))["mixed"][0])


@pytest.mark.parametrize("run", [evaluate, lambda c, **kw: compile(c)(**kw)], ids=["evaluate", "compile"])
def test_numpy_batch_outputs_all_have_the_batch_shape(run):
    # issue 17: d(2x + y²)/dx is the constant 2 and came back as a plain number
    g = circuits.backward(circuits.parse("2*x + y*y"))
    got = run(g, x=np.array([1.0, 2.0]), y=np.array([3.0, 4.0]))
    assert isinstance(got["df/dx"], np.ndarray) and got["df/dx"].shape == (2,)
    np.testing.assert_array_equal(got["df/dx"], [2.0, 2.0])
    np.testing.assert_array_equal(got["df/dy"], [6.0, 8.0])
    got["df/dx"][0] = 7.0  # a fresh array, not a read-only broadcast view
    # shapes broadcast: scalar and (2, 1) against (3,) give (2, 3) for every output
    c = trace(lambda x, y: (x * 1.0, y * y, x - x + 5))
    out = run(c, x=np.array([[1.0], [2.0]]), y=np.array([1.0, 2.0, 3.0]))
    assert [v.shape for v in out.values()] == [(2, 3)] * 3
    np.testing.assert_array_equal(out["f2"], np.full((2, 3), 5.0))
    np.testing.assert_array_equal(out["f0"], [[1.0] * 3, [2.0] * 3])
    with pytest.raises(CircuitError, match="do not broadcast"):
        run(g, x=np.array([1.0, 2.0]), y=np.array([1.0, 2.0, 3.0]))


def test_sympy_evaluation_simplifies_to_the_formula():
    c = trace(rational)
    x, y = sympy.symbols("x y", positive=True)
    expr = c.evaluate(x=x, y=y)["rational"]
    reference = (x - 2 * y) ** 3 / (x + y) + 1 / x - sympy.Rational(3, 7) * x * y + sympy.Max(0, y - x)
    assert sympy.simplify(expr - reference) == 0
    m = trace(mixed).evaluate(x=x, y=y)["mixed"]
    ref = sympy.sin(x * y) / (1 + x ** 2) + sympy.exp(-y) * sympy.sqrt(x) - sympy.log(x) * y ** 3
    assert sympy.simplify(m - ref) == 0


def test_input_errors():
    c = trace(lambda x, y: x * y)
    with pytest.raises(CircuitError, match="'y'"):
        c.evaluate(x=1)
    with pytest.raises(CircuitError, match="'z'"):
        c.evaluate(x=1, y=2, z=3)
    assert c.evaluate({"x": 2}, y=3) == {"f": 6}


DOMAIN_ERRORS = [
    ("log of a negative float", lambda x: circuits.log(x), {"x": -1.0}, "log"),
    ("sqrt of a negative float", lambda x: circuits.sqrt(x), {"x": -4.0}, "sqrt"),
    ("float division by zero", lambda x, y: x / y, {"x": 1.0, "y": 0.0}, "div"),
    ("Fraction division by zero", lambda x, y: x / y, {"x": Fraction(1), "y": Fraction(0)}, "div"),
    ("Fraction reciprocal of zero", lambda x: 1 / x, {"x": Fraction(0)}, "recip"),
    ("exp of a Fraction", lambda x: circuits.exp(x), {"x": Fraction(1, 2)}, "exp"),
    ("sin of a Fraction", lambda x: circuits.sin(x) + x, {"x": Fraction(1, 2)}, "sin"),
    ("exp overflow", lambda x: circuits.exp(x), {"x": 1000.0}, "exp"),
]


@pytest.mark.parametrize("what,fn,values,op", DOMAIN_ERRORS, ids=[d[0] for d in DOMAIN_ERRORS])
def test_domain_errors_name_the_gate(what, fn, values, op):
    c = trace(fn, inputs=list(values))
    gate = next(v for v in c.gates() if c.op(v) == op)
    # the message names the gate by its formula in input names, not by an internal node id
    formula = describe(c, gate)
    assert formula.startswith(f"{op}(") and "x" in formula
    for run in (lambda: c.evaluate(values), lambda: compile(c)(values)):
        with pytest.raises(CircuitError) as info:
            run()
        message = str(info.value)
        assert message.startswith(f"{formula} cannot be evaluated") and f"gate {gate}" not in message
        assert "x = " in message and "output 'f'" in message


# --- compile agrees with evaluate ------------------------------------------------------------

COMPILE_CASES = [
    (mixed, {"x": 0.7, "y": -1.3}),
    (rational, {"x": Fraction(2, 3), "y": Fraction(-5, 4)}),
    (rational, {"x": 3, "y": 7}),
    (mixed, {"x": np.linspace(0.1, 2, 5), "y": np.linspace(-1, 1, 5)}),
    (rational, {"x": sympy.Symbol("x"), "y": sympy.Symbol("y")}),
]


@pytest.mark.parametrize("fn,values", COMPILE_CASES)
def test_compile_agrees_with_evaluate(fn, values):
    c = trace(fn)
    expected = evaluate(c, values)
    got = compile(c)(values)
    assert list(got) == list(expected)
    for k in expected:
        if isinstance(expected[k], np.ndarray):
            np.testing.assert_array_equal(got[k], expected[k])
        elif isinstance(expected[k], sympy.Basic):
            assert sympy.simplify(got[k] - expected[k]) == 0
        else:
            assert got[k] == expected[k] and type(got[k]) is type(expected[k])


def test_compiled_function_and_wide_gates():
    names = [f"x{i}" for i in range(200)]
    c = trace(lambda *xs: circuits.product(list(xs)) + circuits.sum_of(list(xs), range(200)), inputs=names)
    values = {n: Fraction(i + 1, i + 2) for i, n in enumerate(names)}
    # product telescopes to 1/201; the weighted sum is Σ i·(i+1)/(i+2)
    expected = Fraction(1, 201) + sum(Fraction(i * (i + 1), i + 2) for i in range(200))
    assert c.evaluate(values) == {"f": expected}
    fast = compile(c)
    assert fast(values) == {"f": expected}
    assert fast.function("exact")(*values.values()) == (expected,)


def test_compiled_sum_leads_with_a_positive_term():
    """``y - x`` is one numpy call; ``-x + y`` would be two (a negation, then an addition).
    Only the first two terms swap, so the float result is the interpreter's, bit for bit."""
    b = Builder()
    x, y, z = b.inputs("x y z")
    b.output("f", -x + y)
    b.output("g", -x - 2 * y)
    c = b.build()
    lines = compile(c).source.splitlines()
    assert lines[1].split("=", 1)[1].split(";")[0].strip() == "v1 - v0"
    assert lines[2].split("=", 1)[1].split(";")[0].strip() == "-v0 - 2*v1"
    values = {"x": np.array([1.0, 2.0]), "y": np.array([5.0, 7.0]), "z": np.zeros(2)}
    got = compile(c)(values)
    np.testing.assert_array_equal(got["f"], [4.0, 5.0])
    np.testing.assert_array_equal(got["g"], [-11.0, -16.0])
    b = Builder()
    x, y, z = b.inputs("x y z")
    b.output("f", -x - y + z)                 # (−x − y) + z: left as it is
    lines = compile(b.build()).source.splitlines()
    assert lines[1].split("=", 1)[1].split(";")[0].strip() == "-v0 - v1 + v2"
    values = {"x": 0.1, "y": 0.2, "z": 0.3}
    assert compile(b.build())(values) == evaluate(b.build(), values)


# --- deep circuits: no recursion anywhere ------------------------------------------------------

N = 100_000


@pytest.fixture(scope="module")
def sin_chain():
    b = Builder()
    v = b.input_node("x")
    for _ in range(N):
        v = b.gate("sin", v)
    b.output("f", b.wire(v))
    return b.build()


@pytest.fixture(scope="module")
def add_mul_chain():
    b = Builder()
    x = b.input_node("x")
    one = b.const_node(Fraction(1, 2))
    v = x
    for i in range(N // 2):
        v = b.gate("add", v, one, weights=(1, -1)) if i % 2 else b.gate("mul", v, x)
    b.output("f", b.wire(v))
    return b.build()


def test_deep_sin_chain(sin_chain):
    assert sin_chain.size == N and sin_chain.depth == N
    x = 0.5
    for _ in range(N):
        x = math.sin(x)
    assert sin_chain.evaluate(x=0.5) == {"f": x}
    assert compile(sin_chain)(x=0.5) == {"f": x}
    assert sin_chain.evaluate(x=np.array([0.5]))["f"][0] == x


def test_deep_add_mul_chain(add_mul_chain):
    c = add_mul_chain
    assert c.depth == N // 2 and c.size == N // 2
    fast = compile(c)  # compiling 50,000 lines is the slow part: once
    for x in (Fraction(-1), -1.0):  # small denominators keep the exact run cheap
        v = x
        for i in range(N // 2):
            v = v - Fraction(1, 2) if i % 2 else v * x
        assert c.evaluate(x=x) == {"f": v} == fast(x=x)
        assert type(c.evaluate(x=x)["f"]) is type(v)
