"""Tests of circuits.library against outside references.

Values are checked against numpy, sympy, exact Fraction arithmetic written
out here, or central finite differences; gate counts against the numbers the
literature gives (the sum-of-squares example has size 7 and depth 3, σ2 naive C(n,2)+1,
σ2 fast n + O(1)).
"""

import math
import random
import warnings
from fractions import Fraction
from itertools import combinations

import numpy as np
import pytest
import sympy
from hypothesis import given, settings, strategies as st

import circuits
from circuits import library
from circuits.core.errors import EvaluationWarning
from circuits.library import as_matrix, as_vector, matrix_values, vector_values


def rationals(rng, k, low=-5, high=5):
    return [Fraction(rng.randint(low * 4, high * 4), 4) for _ in range(k)]


def random_matrix(rng, n, m=None):
    m = n if m is None else m
    return np.array([[rng.uniform(-2, 2) for _ in range(m)] for _ in range(n)])


def central_difference(fn, point, name, h=1e-6):
    up = dict(point, **{name: point[name] + h})
    down = dict(point, **{name: point[name] - h})
    return (fn(up) - fn(down)) / (2 * h)


# --- naming --------------------------------------------------------------------


def test_names_are_row_by_row_and_unambiguous_past_ten():
    names = library.matrix_names("X", 12, 12)
    assert len(set(names)) == 144
    assert names[:2] == ["X_1_1", "X_1_2"] and names[12] == "X_2_1"
    assert "X_1_12" in names and "X_11_2" in names
    M = np.arange(6).reshape(2, 3)
    assert as_matrix(matrix_values("M", M), "M", 2, 3).tolist() == M.tolist()
    assert as_vector(vector_values("v", [3, 4]), "v", 2).tolist() == [3, 4]
    with pytest.raises(circuits.CircuitError, match="no entry named 'M_3_1'"):
        as_matrix(matrix_values("M", M), "M", 3, 3)


# --- the classic examples ------------------------------------------------------------------


def test_figure1_size_depth_and_value_against_sympy():
    c = library.figure1()
    assert (c.size, c.depth) == (7, 3)
    x, y, z = sympy.symbols("x y z")
    ref = (x - 3*y - 3*z + 5)**2 + (x - 2*y - 2*z)**2 + (x + y - 5*z - 3)**2
    rng = random.Random(1)
    for _ in range(5):
        p = dict(zip("xyz", rationals(rng, 3)))
        assert c.evaluate(p)["f"] == ref.subs({x: p["x"], y: p["y"], z: p["z"]})


def test_backprop_example_structure_value_and_the_notes_derivative():
    c = library.backprop_example()
    assert [c.op(v) for v in c.gates()] == ["add", "mul", "add", "mul"]
    g = circuits.backward(c)
    rng = random.Random(2)
    for _ in range(5):
        x1, x2 = rationals(rng, 2)
        assert c.evaluate(x_1=x1, x_2=x2)["y"] == (x1 + x2 + x1 * x2) * (x1 + x2)
        # the note's check: ∂y/∂x1 = 2x1 + 2x2 + 2x1x2 + x2²
        assert g.evaluate(x_1=x1, x_2=x2)["dy/dx_1"] == 2*x1 + 2*x2 + 2*x1*x2 + x2**2


@pytest.mark.parametrize("m,n", [(1, 1), (3, 2), (5, 4)])
def test_least_squares_value_and_gradient_2At_Ax_minus_b(m, n):
    rng = np.random.default_rng(m * 10 + n)
    A = rng.integers(-4, 5, size=(m, n))
    b = rng.integers(-4, 5, size=m)
    c = library.least_squares(A, b)
    assert list(c.inputs) == [f"x_{j}" for j in range(1, n + 1)]
    g = circuits.backward(c)
    r = random.Random(m + n)
    for _ in range(3):
        x = rationals(r, n)
        residual = [sum(int(A[i, j]) * x[j] for j in range(n)) - int(b[i]) for i in range(m)]
        assert c.evaluate(vector_values("x", np.array(x, dtype=object)))["f"] == \
            sum(t * t for t in residual)
        grad = g.evaluate(dict(zip(c.inputs, x)))
        for j in range(n):   # 2Aᵀ(Ax − b), exactly
            assert grad[f"df/dx_{j + 1}"] == 2 * sum(int(A[i, j]) * residual[i] for i in range(m))


def test_least_squares_random_data_is_seeded_and_sized():
    c = library.least_squares(6, 3, seed=4)
    assert c.size == 2 * 6 + 1 and len(c.inputs) == 3
    assert c.to_json() == library.least_squares(6, 3, seed=4).to_json()
    assert c.to_json() != library.least_squares(6, 3, seed=5).to_json()
    with pytest.raises(circuits.CircuitError, match="m×n"):
        library.least_squares([[1, 2]], [1, 2])


def test_perceptron_against_numpy_on_the_notes_table():
    c = library.perceptron()
    assert list(c.inputs) == ["w0", "w1", "w2", "w3"]
    table = np.array([row[1:] for row in library.STUDENTS], dtype=float)
    assert table[:, :3].tolist()[0] == [39, 31, 12] and table[:, 3].tolist() == [1, 0, 1, 1]
    rng = np.random.default_rng(0)
    for _ in range(3):
        w = rng.normal(scale=0.05, size=4)
        t = w[0] + table[:, :3] @ w[1:]
        ref = np.sum((table[:, 3] - 1 / (1 + np.exp(-t))) ** 2)
        got = c.evaluate(dict(zip(c.inputs, w.tolist())))["f"]
        assert got == pytest.approx(ref, rel=1e-12)
    assert c.size == 4 * 4 - 1 + 1   # per row +, σ, (σ − ŷ unless ŷ = 0), square; one sum
    small = library.perceptron([(1, 2, 1), ("named", -1, 0, 0)])
    assert list(small.inputs) == ["w0", "w1", "w2"]
    assert small.evaluate(w0=0.0, w1=0.0, w2=0.0)["f"] == pytest.approx(0.5)


@pytest.mark.parametrize("n", [2, 3, 7, 20])
def test_sigma2_values_brute_force_and_the_notes_gate_counts(n):
    naive, fast = library.sigma2_naive(n), library.sigma2_fast(n)
    assert naive.size == math.comb(n, 2) + 1
    assert fast.size == n + 3
    rng = random.Random(n)
    x = rationals(rng, n)
    brute = sum(x[i] * x[j] for i, j in combinations(range(n), 2))
    p = dict(zip(naive.inputs, x))
    assert naive.evaluate(p)["sigma2"] == brute
    assert fast.evaluate(p)["sigma2"] == brute


def test_sigma2_fast_is_linear_in_n():
    sizes = [library.sigma2_fast(n).size - n for n in (2, 10, 100, 1000)]
    assert sizes == [3, 3, 3, 3]


# --- the exercise function ------------------------------------------------------------------


def test_exercise_against_closed_form_and_sympy():
    c = library.exercise()
    x, y, z, v = sympy.symbols("x y z v", positive=True)
    ref = sympy.exp(y ** (-x) - sympy.log(z)) + (y - z) ** 2 * sympy.log(v)
    got = circuits.evaluate(c, x=x, y=y, z=z, v=v)["f"]
    assert sympy.simplify(sympy.powsimp(sympy.expand_log(got - ref, force=True))) == 0
    for p in [(0.5, 2.0, 3.0, 4.0), (-1.0, 0.3, 1.7, 0.9)]:
        got = c.evaluate(dict(zip("xyzv", p)))["f"]
        X, Y, Z, V = p
        assert got == pytest.approx(math.exp(Y ** (-X) - math.log(Z)) + (Y - Z) ** 2 * math.log(V))


# --- determinants and the inverse ------------------------------------------------


@pytest.mark.parametrize("method", ["gauss", "laplace", "faddeev"])
@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_determinant_against_numpy(method, n):
    c = library.determinant(n, method)
    assert list(c.inputs) == library.matrix_names("X", n, n)
    rng = random.Random(n)
    for _ in range(3):
        X = random_matrix(rng, n) + 3 * np.eye(n)   # leading minors away from zero
        got = c.evaluate(matrix_values("X", X))["DET"]
        assert got == pytest.approx(np.linalg.det(X), rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("method", ["laplace", "faddeev"])
def test_division_free_determinants_exact_on_singular_leading_minor(method):
    # X_1_1 = 0 breaks elimination without pivoting but not the division-free methods
    X = sympy.Matrix([[0, 2, 1, 3], [1, 1, 0, 2], [4, -1, 2, 0], [1, 0, 3, 1]])
    c = library.determinant(4, method)
    assert not any(c.op(v) == "div" for v in c.gates())
    values = {k: Fraction(int(v)) for k, v in matrix_values("X", np.array(X.tolist(), dtype=int)).items()}
    assert c.evaluate(values)["DET"] == X.det()


def test_gauss_gate_count_and_laplace_limit():
    for n in (2, 5, 9):
        assert library.determinant(n).size == sum(r * (2 * r + 1) for r in range(n)) + 1
    with pytest.raises(circuits.CircuitError, match="faddeev"):
        library.determinant(13, "laplace")
    with pytest.raises(circuits.CircuitError, match="unknown method"):
        library.determinant(3, "lu")


@pytest.mark.parametrize("method", ["gauss", "faddeev", "laplace"])
@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_inverse_from_determinant_against_numpy(method, n):
    c = library.inverse_from_determinant(n, method)
    assert list(c.outputs) == library.matrix_names("INV", n, n)
    rng = random.Random(10 + n)
    X = random_matrix(rng, n) + 3 * np.eye(n)
    X[0, -1] += 1.5   # not symmetric: a missing transpose would show
    got = as_matrix(c.evaluate(matrix_values("X", X)), "INV", n, n)
    assert np.allclose(got, np.linalg.inv(X), rtol=1e-9, atol=1e-12)


def test_inverse_is_within_a_constant_factor_of_the_determinant():
    # the corollary: size O(s) for INV when DET has size s (ratio stays bounded)
    ratios = [library.inverse_from_determinant(n).size / library.determinant(n).size
              for n in (4, 8, 12)]
    assert max(ratios) < 10


# --- automatic differentiation examples ------------------------------------------------------------------


@pytest.mark.parametrize("order", ["left", "right", "optimal", ((1, 2), (3, 4)), (1, ((2, 3), 4))])
def test_matrix_chain_against_numpy(order):
    dims = [2, 3, 1, 4, 2]
    c = library.matrix_chain(dims, order)
    rng = random.Random(3)
    mats = [random_matrix(rng, dims[l], dims[l + 1]) for l in range(4)]
    values = {}
    for l, M in enumerate(mats, start=1):
        values.update(matrix_values(f"A{l}", M))
    got = as_matrix(c.evaluate(values), "P", dims[0], dims[-1])
    assert np.allclose(got, mats[0] @ mats[1] @ mats[2] @ mats[3])
    tree, cost = library.matrix_chain_order(dims, order)
    assert [c.op(v) for v in c.gates()].count("mul") == cost


def test_matrix_chain_order_textbook_example():
    # CLRS 15.2: dims 30 35 15 5 10 20 25 → 15125 multiplications, ((1 (2 3)) ((4 5) 6))
    tree, cost = library.matrix_chain_order([30, 35, 15, 5, 10, 20, 25])
    assert cost == 15125 and tree == ((1, (2, 3)), ((4, 5), 6))
    # a Jacobian chain d×...×1: right to left (reverse mode) is cheapest
    dims = [50, 40, 30, 1]
    assert library.matrix_chain_order(dims, "right")[1] < library.matrix_chain_order(dims, "left")[1]
    assert library.matrix_chain_order(dims)[1] == library.matrix_chain_order(dims, "right")[1]
    with pytest.raises(circuits.CircuitError, match="in order"):
        library.matrix_chain([2, 2, 2], (2, 1))


def test_sin_dot_against_numpy_and_its_size():
    d, m = 5, 4
    c = library.sin_dot(d, m, seed=3)
    assert c.size == m + 2
    w = np.array([1.0, -2.0, 0.5, 3.0, 1.0])
    b = np.array([2.0, -1.0, 0.25, 4.0])
    c = library.sin_dot(d, m, w=w, b=b)
    x = np.array([0.3, -0.1, 0.7, 0.2, -0.4])
    got = as_vector(c.evaluate(vector_values("x", x)), "f", m)
    assert np.allclose(got, np.sin(w @ x) * b)
    # Remark 12.8: the Jacobian b·cos(wᵀx)·wᵀ has d·m entries
    J = circuits.jacobian(c).evaluate(vector_values("x", x))
    ref = np.outer(b, np.cos(w @ x) * w)
    assert np.allclose([[J[f"df_{i}/dx_{j}"] for j in range(1, d + 1)] for i in range(1, m + 1)], ref)


@pytest.mark.parametrize("steps,hidden,features", [(1, 1, 1), (3, 2, 1), (4, 3, 2)])
def test_rnn_against_numpy(steps, hidden, features):
    c = library.rnn(steps, hidden, features)
    rng = np.random.default_rng(steps + hidden)
    W, U = rng.normal(size=(hidden, hidden)), rng.normal(size=(hidden, features))
    cvec, v, X = rng.normal(size=hidden), rng.normal(size=hidden), rng.normal(size=(steps, features))
    h = np.zeros(hidden)
    for t in range(steps):
        h = np.tanh(W @ h + U @ X[t] + cvec)
    values = {**matrix_values("W", W), **matrix_values("U", U), **vector_values("c", cvec),
              **vector_values("v", v), **matrix_values("X", X)}
    assert c.evaluate(values)["y"] == pytest.approx(v @ h, rel=1e-12)


@pytest.mark.parametrize("length,kernel", [(5, 1), (6, 3), (7, 7)])
def test_conv1d_against_numpy(length, kernel):
    c = library.conv1d(length, kernel)
    rng = np.random.default_rng(length)
    x, k = rng.integers(-5, 6, size=length), rng.integers(-3, 4, size=kernel)
    got = as_vector(c.evaluate({**vector_values("x", x), **vector_values("k", k)}), "y",
                    length - kernel + 1)
    assert got.tolist() == np.correlate(x, k, mode="valid").tolist()
    act = library.conv1d(length, kernel, activation="relu")
    got = as_vector(act.evaluate({**vector_values("x", x), **vector_values("k", k)}), "y",
                    length - kernel + 1)
    assert got.tolist() == np.maximum(np.correlate(x, k, mode="valid"), 0).tolist()


# --- MLP ---------------------------------------------------------


def _numpy_mlp(params, widths, X, act, out_act=None):
    Z = X
    L = len(widths) - 1
    for l in range(1, L + 1):
        W = as_matrix(params, f"W{l}", widths[l], widths[l - 1])
        b = as_vector(params, f"b{l}", widths[l])
        A = Z @ W.T + b
        f = act if l < L else out_act
        Z = A if f is None else f(A)
    return Z


def _random_params(rng, widths):
    p = {}
    for l in range(1, len(widths)):
        p.update(matrix_values(f"W{l}", rng.normal(size=(widths[l], widths[l - 1]))))
        p.update(vector_values(f"b{l}", rng.normal(size=widths[l])))
    return p


SIGMOID = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731


@pytest.mark.parametrize("widths,batch", [([3, 1], 1), ([2, 4, 3], 1), ([3, 3, 2, 1], 4)])
def test_mlp_against_a_numpy_forward_pass(widths, batch):
    c = library.mlp(widths, batch=batch)
    rng = np.random.default_rng(len(widths) + batch)
    params = _random_params(rng, widths)
    X, Y = rng.normal(size=(batch, widths[0])), rng.normal(size=(batch, widths[-1]))
    data = ({**vector_values("x", X[0]), **vector_values("y", Y[0])} if batch == 1 else
            {**matrix_values("X", X), **matrix_values("Y", Y)})
    ref = 0.5 * np.sum((_numpy_mlp(params, widths, X, SIGMOID) - Y) ** 2)
    assert c.evaluate({**params, **data})["loss"] == pytest.approx(ref, rel=1e-12)
    built_in = library.mlp(widths, data=(X, Y))
    assert set(built_in.inputs) == set(params)
    assert built_in.evaluate(params)["loss"] == pytest.approx(ref, rel=1e-12)


def test_mlp_predictions_and_activations():
    widths = [2, 3, 2]
    rng = np.random.default_rng(7)
    params = _random_params(rng, widths)
    X = rng.normal(size=(3, 2))
    c = library.mlp(widths, activation="tanh", loss=None, data=(X, None), output_activation="sigmoid")
    got = as_matrix(c.evaluate(params), "Yhat", 3, 2)
    assert np.allclose(got, _numpy_mlp(params, widths, X, np.tanh, SIGMOID))
    single = library.mlp(widths, activation="relu", loss=None)
    got = as_vector(single.evaluate({**params, **vector_values("x", X[0])}), "yhat", 2)
    assert np.allclose(got, _numpy_mlp(params, widths, X[:1], lambda a: np.maximum(a, 0))[0])
    with pytest.raises(circuits.CircuitError, match="not a one-argument gate"):
        library.mlp([2, 1], activation="mul")


def test_mlp_gradient_against_central_differences():
    widths = [3, 4, 2]
    c = library.mlp(widths)
    g = circuits.compile(circuits.backward(c))
    f = circuits.compile(c)
    rng = np.random.default_rng(11)
    point = {**_random_params(rng, widths), **vector_values("x", rng.normal(size=3)),
             **vector_values("y", rng.normal(size=2))}
    grad = g(point)
    for name in point:
        fd = central_difference(lambda p: f(p)["loss"], point, name)
        assert grad[f"dloss/d{name}"] == pytest.approx(fd, rel=1e-5, abs=1e-7)


# --- general -------------------------------------------------------------------


@pytest.mark.parametrize("coefficients", [[7], [0, 0, 3], [1, -2], [2, -3, 0, 5], [1, 0, 0, 0, 0, -1]])
def test_horner_against_numpy_polyval(coefficients):
    c = library.horner(coefficients)
    for x in range(-3, 4):
        assert c.evaluate(x=x)["p"] == np.polyval(coefficients, x)
    rng = np.random.default_rng(0)
    cs = rng.normal(size=12)
    assert library.horner(cs).evaluate(x=0.7)["p"] == pytest.approx(np.polyval(cs, 0.7))


def test_chain_deep_and_its_value():
    deep = library.chain(100_000)
    assert (deep.size, deep.depth) == (100_000, 100_000)
    assert math.isfinite(deep.evaluate(x=1.0)["f"])
    v = 0.3
    for _ in range(5):
        v = math.tanh(v)
    assert library.chain(5, "tanh").evaluate(x=0.3)["f"] == pytest.approx(v)
    assert library.chain(3, "add").evaluate(x=2)["f"] == 8
    with pytest.raises(circuits.CircuitError, match="cannot form a chain"):
        library.chain(3, "div")


def _argument_values(c, point):
    """Values of every argument of log/sqrt/recip/÷-denominator/negative-pow gates."""
    watched = {}
    for v in c.gates():
        op, args = c.op(v), c.args(v)
        if op in ("log", "sqrt", "recip") or (op == "pow" and c.value(args[1]) < 0):
            watched[f"a{v}"] = args[0]
        elif op == "div":
            watched[f"a{v}"] = args[1]
    if not watched:
        return {}
    probe = c.replace(outputs=watched)
    return probe.evaluate(point)


def test_random_circuit_reproducible_sized_valid_and_safe():
    for seed in range(40):
        n_in, n_gates, n_out = 1 + seed % 4, 5 + 3 * seed, 1 + seed % 3
        c = library.random_circuit(n_in, n_gates, seed=seed, n_outputs=n_out)
        assert c.to_json() == library.random_circuit(n_in, n_gates, seed=seed, n_outputs=n_out).to_json()
        c.check()
        assert c.size == n_gates and len(c.outputs) == n_out and len(c.inputs) == n_in
        rng = np.random.default_rng(seed)
        box = {x: rng.uniform(-library.RANDOM_BOX, library.RANDOM_BOX, size=20) for x in c.inputs}
        for value in c.evaluate(box).values():
            assert np.all(np.isfinite(value)) and np.all(np.abs(value) < library.RANDOM_CAP * n_gates)
        wide = {x: rng.uniform(-1e3, 1e3, size=20) for x in c.inputs}
        with warnings.catch_warnings():  # far outside the box exp overflows: inf/nan expected, dropped below
            warnings.simplefilter("ignore", EvaluationWarning)
            arguments = _argument_values(c, wide)
        for value in arguments.values():
            value = value[np.isfinite(value)]
            assert np.all(value >= 1)   # log/sqrt/÷ arguments at least 1 for every input
    assert library.random_circuit(3, 30, seed=1).to_json() != library.random_circuit(3, 30, seed=2).to_json()


def test_random_circuit_shares_subexpressions_and_repeats_operands():
    c = library.random_circuit(5, 400, seed=0)
    uses = {}
    repeated = False
    for v in c.gates():
        args = c.args(v)
        repeated |= len(set(args)) < len(args)
        for u in args:
            uses[u] = uses.get(u, 0) + 1
    assert repeated
    assert sum(1 for v in c.gates() if uses.get(v, 0) > 1) > 10
    assert {c.op(v) for v in c.gates()} >= set(library.RANDOM_OPS)


def test_random_circuit_with_chosen_ops_and_errors():
    c = library.random_circuit(2, 60, ops=["mul", "sin", "log"], seed=3)
    assert {c.op(v) for v in c.gates()} <= {"mul", "sin", "log", "add", "square"}
    with pytest.raises(circuits.CircuitError, match="unknown gate 'foo'"):
        library.random_circuit(2, 10, ops=["foo"])
    with pytest.raises(circuits.CircuitError, match="n_gates must be an integer >= 3"):
        library.random_circuit(2, 2, n_outputs=3)


@settings(max_examples=30, deadline=None)
@given(n_inputs=st.integers(1, 6), n_gates=st.integers(1, 80), seed=st.integers(0, 10**6))
def test_random_circuit_property_exact_size_and_finite_in_the_box(n_inputs, n_gates, seed):
    c = library.random_circuit(n_inputs, n_gates, seed=seed)
    assert c.size == n_gates
    point = {x: random.Random(seed).uniform(-2, 2) for x in c.inputs}
    assert math.isfinite(c.evaluate(point)["f"])


# --- families --------------------------------------------------------------------


def test_families_build_and_grow():
    expected = {"lsq", "mlp", "det", "chain", "sigma2_naive", "sigma2_fast", "random", "sin_dot"}
    assert expected <= set(library.FAMILIES)
    for name, family in library.FAMILIES.items():
        small, large = family(5), family(10)
        assert isinstance(small, circuits.Circuit) and small.size > 0, name
        assert large.size > small.size, name
