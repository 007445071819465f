"""to_jax: the circuit as a JAX function, checked against our own evaluation and backward.

JAX is an optional extra; these tests run where it is installed (CPU is enough,
float64 enabled) and skip otherwise, except the test that JAX's absence gives
one clear error.

Tolerances.  Both lowerings apply each gate's formula in the same order, but
XLA's CPU compiler contracts a product followed by a sum into one fused
multiply-add wherever a fusion puts them in one loop (``jit(lambda a, b, c:
a*b + c)`` rounds once), and the two lowerings fuse differently (and differ
from numpy, which rounds twice).  So values agree to a few ulps per gate,
amplified by the circuit's condition: ``rtol=1e-12`` on values and ``1e-10``
on gradients, with an absolute floor for results near zero.
"""

from __future__ import annotations

import importlib.util
import os
import sys

import numpy as np
import pytest

import circuits
from circuits import CircuitError, library
from circuits.eval.jax import LEVELS_ABOVE, level_plan

HAVE_JAX = importlib.util.find_spec("jax") is not None
needs_jax = pytest.mark.skipif(not HAVE_JAX, reason="JAX is an optional extra: pip install 'gradient-circuits[jax]'")
if HAVE_JAX:
    os.environ.setdefault("JAX_PLATFORMS", "cpu")  # make test runs JAX on the CPU, whatever the machine has
    import jax
    jax.config.update("jax_enable_x64", True)
    jnp = jax.numpy

METHODS = ("unrolled", "levels")
RTOL, GRAD_RTOL, ATOL = 1e-12, 1e-10, 1e-12

#: Every built-in gate, in one circuit (the level loop compiles one branch per kind of gate).
EVERY_GATE = circuits.parse(
    "x * sin(y) + x**2 - atan(x / (1 + y*y)) + exp(x) * tanh(y) + log(1 + x*x) + max(x, y) - abs(y)"
    " + x**-3 * sqrt(y) + y**5 - min(x, y) * relu(x - y) + cos(x) / tan(y) + sign(x) + sigmoid(y*x)"
    " + step(x - y) + 1/x")

CASES = [
    EVERY_GATE,
    library.figure1(),
    library.mlp([2, 3, 1], activation="sigmoid"),
    library.determinant(4, "gauss"),
]


def _point(c, seed=0, lo=0.2, hi=0.9):
    rng = np.random.default_rng(seed)
    return {x: float(v) for x, v in zip(c.inputs, rng.uniform(lo, hi, len(c.inputs)))}


def _check(c, method, point, batch=5, seed=0, against_unrolled=False, batch_grad=False):
    """jit values = evaluate, grad = backward, vmap = evaluate on arrays, for the first output
    (one jit, so one XLA compilation per circuit and method)."""
    names = list(c.inputs)
    y = next(iter(c.outputs))
    f = circuits.to_jax(c, method=method)
    g = circuits.to_jax(c, output=y, method=method)
    assert f.method == g.method == method
    rng = np.random.default_rng(seed)
    batch = {x: point[x] + rng.uniform(-0.01, 0.01, batch) for x in names}
    other = circuits.to_jax(c, method="unrolled") if against_unrolled else (lambda *xs: {})
    every = tuple(range(len(names)))
    grad_batch = jax.vmap(jax.grad(g, argnums=every)) if batch_grad else (lambda *xs: ())

    @jax.jit
    def everything(p, b):
        return f(*p), jax.grad(g, argnums=every)(*p), jax.vmap(g)(*b), other(*p), grad_batch(*b)

    got, grads, vals, unrolled, batch_grads = everything(tuple(point.values()),
                                                         tuple(jnp.asarray(v) for v in batch.values()))
    want = c.evaluate(point)
    assert list(got) == list(want)
    for k in want:
        assert float(got[k]) == pytest.approx(float(want[k]), rel=RTOL, abs=ATOL)
    for k in unrolled:
        assert float(got[k]) == pytest.approx(float(unrolled[k]), rel=RTOL, abs=ATOL)
    back = circuits.backward(c, output=y).evaluate(point)
    for x, d in zip(names, grads):
        assert float(d) == pytest.approx(float(back[f"d{y}/d{x}"]), rel=GRAD_RTOL, abs=ATOL)
    np.testing.assert_allclose(np.asarray(vals), c.evaluate(batch)[y], rtol=RTOL, atol=ATOL)
    if batch_grad:  # vmap of grad: JAX batches the derivative of the loop with its own rules
        back = circuits.backward(c, output=y).evaluate(batch)
        for x, d in zip(names, batch_grads):
            np.testing.assert_allclose(np.asarray(d), back[f"d{y}/d{x}"], rtol=GRAD_RTOL, atol=ATOL)


@needs_jax
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("c", CASES, ids=range(len(CASES)))
def test_values_jit_vmap_and_grad(c, method):
    _check(c, method, _point(c))


@needs_jax
@pytest.mark.parametrize("seed", [0])
def test_levels_equals_unrolled_on_random_circuits(seed):
    c = library.random_circuit(4, 80, seed=seed, n_outputs=2)
    box = library.RANDOM_BOX
    _check(c, "levels", _point(c, seed, -box, box), seed=seed, against_unrolled=True, batch_grad=True)


@needs_jax
def test_wide_sums_and_products_use_one_reduction():
    # 24 and 20 terms: past COLUMNS, so XLA's reduction order; padded with -0.0 and 1
    b = circuits.Builder()
    xs = [b.input_node(f"x{k}") for k in range(24)]
    b.output_node("f", b.gate("add", b.gate("add", *xs, weights=[k % 5 - 2 for k in range(24)]), b.gate("mul", *xs[:20])))
    c = b.build()
    plan = level_plan(c)
    assert {(k.op, k.arity) for k in plan.kinds} >= {("mul", 32)}
    _check(c, "levels", _point(c, 1, 0.9, 1.1))


@needs_jax
def test_plan_groups_by_level_and_reuses_slots():
    p = level_plan(library.chain(1000, "sin"))
    assert (p.depth, p.gates, p.steps, len(p.kinds)) == (1000, 1000, 1000, 1)
    assert p.n_slots <= 6  # input, one, one scratch, two working slots (ping-pong)
    m = level_plan(library.mlp([8, 16, 1]))
    assert m.steps < m.gates / 10  # wide levels go in few steps
    # only live gates are planned, for the chosen output
    two = circuits.trace(lambda x, y: (circuits.sin(x) * y, circuits.exp(y)))
    assert level_plan(two, "f1").gates == 1 and level_plan(two).gates == 3


@needs_jax
def test_auto_picks_by_size_and_arrays_broadcast():
    small = CASES[0]
    assert circuits.to_jax(small).method == "unrolled"
    big = library.chain(LEVELS_ABOVE + 1, "sin")
    f = circuits.to_jax(big, output="f")
    assert f.method == "levels"
    xs = np.linspace(0.1, 1.0, 7)
    np.testing.assert_allclose(np.asarray(f(xs)), big.evaluate(x=xs)["f"], rtol=RTOL)
    # broadcasting of array and scalar inputs, as numpy would
    c = circuits.parse("x * sin(y) + y")
    for method in METHODS:
        out = circuits.to_jax(c, output="f", method=method)(np.array([[1.0], [2.0]]), np.array([0.5, 1.5, 2.5]))
        assert out.shape == (2, 3)
        np.testing.assert_allclose(np.asarray(out), c.evaluate(x=np.array([[1.0], [2.0]]), y=np.array([0.5, 1.5, 2.5]))["f"])


@needs_jax
@pytest.mark.parametrize("method", METHODS)
def test_odd_outputs_and_integer_inputs(method):
    b = circuits.Builder()
    x, y = b.input_node("x"), b.input_node("y")
    s = b.gate("mul", x, y)
    b.output_node("k", b.const_node(3))  # constants only
    b.output_node("x_again", x)  # an input
    b.output_node("p", s)
    b.output_node("q", s)  # the same node twice
    c = b.build()
    f = circuits.to_jax(c, method=method)
    got = jax.jit(f)(2, 5)  # integers: promoted to floats
    assert {k: float(v) for k, v in got.items()} == {"k": 3.0, "x_again": 2.0, "p": 10.0, "q": 10.0}
    assert all(jnp.asarray(v).dtype == jnp.float64 for v in got.values())
    got = jax.vmap(f)(jnp.arange(3), jnp.ones(3))
    np.testing.assert_array_equal(np.asarray(got["k"]), [3.0, 3.0, 3.0])
    np.testing.assert_array_equal(np.asarray(got["x_again"]), [0.0, 1.0, 2.0])
    assert float(jax.grad(circuits.to_jax(c, output="k", method=method))(1.0, 2.0)) == 0.0
    assert float(jax.grad(circuits.to_jax(c, output="x_again", method=method))(1.0, 2.0)) == 1.0
    assert float(jax.grad(circuits.to_jax(c, output="q", method=method), argnums=1)(3.0, 2.0)) == 3.0
    # float32 inputs stay float32
    assert circuits.to_jax(c, output="p", method=method)(np.float32(2), np.float32(3)).dtype == jnp.float32


@needs_jax
@pytest.mark.parametrize("method", METHODS)
def test_user_gates(method):
    softplus = circuits.Gate("softplus", 1, "sp", formula=lambda m, u: m.log(1 + m.exp(u)),
                             partial=lambda b, args, out, i: (b.gate("sigmoid", args[0]), 1))
    with circuits.registered_gate(softplus):
        c = circuits.parse("softplus(2*x - y) * y + softplus(x)**2")
        _check(c, method, {"x": 0.7, "y": -1.3})
    def exp_sum(m, *a, weights=None):
        w = weights or (1,) * len(a)
        total = w[0] * m.exp(a[0])
        for c, u in zip(w[1:], a[1:]):
            total = total + c * m.exp(u)
        return total
    expsum = circuits.Gate("expsum", None, "Σe", formula=exp_sum, weighted=True,
                           partial=lambda b, args, out, i, weights=None: (b.gate("exp", args[i]),
                                                                          1 if weights is None else weights[i]))
    with circuits.registered_gate(expsum):  # variadic and weighted: the level loop groups by arity and weights
        b = circuits.Builder()
        x, y = b.input_node("x"), b.input_node("y")
        parts = [b.gate("expsum", x, y, weights=(2, -1)), b.gate("expsum", y, x, weights=(2, -1)),
                 b.gate("expsum", x, y, x)]
        b.output_node("f", b.gate("mul", *parts))
        c = b.build()
        assert {(k.op, k.arity, k.weights) for k in level_plan(c).kinds} >= {("expsum", 2, (2, -1)), ("expsum", 3, None)}
        _check(c, method, {"x": 0.3, "y": -0.2})
    branchy = circuits.Gate("branchy", 1, "b", num=lambda u: u if u > 0 else 0.0,
                            formula=lambda m, u: u if u > 0 else 0 * u,
                            partial=lambda b, args, out, i: (b.gate("step", args[0]), 1))
    with circuits.registered_gate(branchy):
        c = circuits.parse("branchy(x) + x")
        with pytest.raises(CircuitError, match="formula of gate 'branchy' failed on jax values"):
            jax.jit(circuits.to_jax(c, method=method))(1.0)
    opaque = circuits.Gate("opaque", 1, "o", num=lambda u: u, partial=lambda b, args, out, i: (None, 1))
    with circuits.registered_gate(opaque):
        c = circuits.parse("opaque(x) * x")
        with pytest.raises(CircuitError, match="gate 'opaque' has no formula"):
            circuits.to_jax(c, method=method)(1.0)


@needs_jax
def test_100000_deep_chain():
    c = library.chain(100_000, "sin")
    p = level_plan(c)  # iterative: no recursion over depth
    assert p.steps == 100_000
    f = circuits.to_jax(c, output="f")
    assert f.method == "levels"
    assert float(jax.jit(f)(0.5)) == pytest.approx(c.evaluate(x=0.5)["f"], rel=1e-12)
    d = jax.jit(jax.grad(f))(0.5)
    assert float(d) == pytest.approx(circuits.backward(c).evaluate(x=0.5)["df/dx"], rel=1e-9)
    # XLA segfaults compiling straight-line code this deep: refused with the way out
    with pytest.raises(CircuitError, match="100,000 gates deep.*use method='levels'"):
        circuits.to_jax(c, method="unrolled")


@needs_jax
def test_errors():
    with pytest.raises(CircuitError, match="to_jax"):
        circuits.to_jax("x + y")
    with pytest.raises(CircuitError, match="'g' is not an output"):
        circuits.to_jax(circuits.parse("x + y"), output="g")
    for method in METHODS:
        with pytest.raises(CircuitError, match="takes 2 inputs"):
            circuits.to_jax(circuits.parse("x + y"), method=method)(1.0)
    with pytest.raises(CircuitError, match="unknown method 'fast'; choose one of 'auto', 'unrolled', 'levels'"):
        circuits.to_jax(circuits.parse("x + y"), method="fast")


@needs_jax
@pytest.mark.parametrize("method", METHODS)
def test_call_mistakes_and_inputs_by_name(method):
    """The exported function takes inputs by name too, and names a bad call in our words (was JAX's TypeError)."""
    f = circuits.to_jax(circuits.parse("x * sin(y)"), method=method)
    expected = float(f(2.0, 0.5)["f"])
    assert float(f(x=2.0, y=0.5)["f"]) == expected == float(f(2.0, y=0.5)["f"])
    assert float(jax.jit(f)(y=0.5, x=2.0)["f"]) == expected
    for args, kwargs, message in [((), {"x": 1.0}, "missing y"),
                                  ((1.0,), {"x": 1.0}, "'x' was given twice"),
                                  ((), {"x": 1.0, "z": 2.0}, "unknown input 'z'"),
                                  (("a", 1.0), {}, "input 'x': 'a' is not a number"),
                                  ((np.ones(3), np.ones(4)), {}, r"shapes \(3,\), \(4,\) do not broadcast")]:
        with pytest.raises(CircuitError, match=message):
            f(*args, **kwargs)


@needs_jax
def test_an_unregistered_gate_is_named():
    softplus = circuits.Gate("softplus", 1, "sp", formula=lambda m, u: m.log(1 + m.exp(u)),
                             partial=lambda b, args, out, i: (b.gate("sigmoid", args[0]), 1))
    with circuits.registered_gate(softplus):
        c = circuits.parse("softplus(x) * y")
    for method in METHODS:  # was KeyError: 'softplus'
        with pytest.raises(CircuitError, match="gate 'softplus', which is not registered"):
            circuits.to_jax(c, method=method)


def test_without_jax_the_error_says_how_to_install(monkeypatch):
    for name in [m for m in sys.modules if m == "jax" or m.startswith("jax.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "jax", None)  # import jax raises ImportError
    for method in ("auto",) + METHODS:
        with pytest.raises(CircuitError, match=r"to_jax needs JAX: pip install 'gradient-circuits\[jax\]'"):
            circuits.to_jax(circuits.parse("x * y"), method=method)
    # the rest of the package does not need it
    assert circuits.parse("x * y").evaluate(x=2, y=3) == {"f": 6}
    assert level_plan(circuits.parse("x * y")).gates == 1
