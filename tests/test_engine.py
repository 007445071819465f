"""The tape engine agrees with the interpreter bit for bit, errors included.

Run with compiled kernels (numba installed) and with them disabled
(``CIRCUITS_ENGINE=python``); both must agree with :func:`circuits.evaluate`.
"""

import math
from fractions import Fraction
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import circuits
from circuits.eval import engine
from circuits.core.errors import CircuitError, EvaluationWarning
from circuits.testing import random_circuits

MODES = ["compiled", "python"]


@pytest.fixture(params=MODES)
def mode(request, monkeypatch):
    if request.param == "python":
        monkeypatch.setenv("CIRCUITS_ENGINE", "python")
    elif not engine.enabled():
        pytest.skip("numba is not installed")
    return request.param


def _same(a, b):
    return type(a) is type(b) and (a == b or (math.isnan(a) and math.isnan(b)))


def _bits(a):
    """float64 values as comparable bits: every nan alike, -0.0 apart from 0.0."""
    a = np.array(a, dtype=float)
    bits = a.view(np.int64).copy()
    bits[np.isnan(a)] = 0x7FF8000000000000
    return bits


def _outcome(f, **point):
    try:
        return f(**point)
    except CircuitError as exc:
        return ("error", str(exc).split(":")[0])


@settings(max_examples=150, deadline=None)
@given(c=random_circuits(max_gates=14), data=st.data())
def test_point_bit_identical(c, data):
    point = {name: data.draw(st.floats(-3, 3, allow_nan=False)) for name in c.inputs}
    for m in MODES:
        with pytest.MonkeyPatch.context() as mp:
            if m == "python":
                mp.setenv("CIRCUITS_ENGINE", "python")
            expected = _outcome(c.evaluate, **point)
            got = _outcome(circuits.compile(c), **point)
        if isinstance(expected, tuple):
            assert isinstance(got, tuple) and got[0] == "error"
        else:
            assert got.keys() == expected.keys()
            assert all(_same(got[k], expected[k]) for k in got), (m, got, expected)


@settings(max_examples=60, deadline=None)
@given(c=random_circuits(max_gates=14), seed=st.integers(0, 2**32 - 1))
def test_batch_matches_float_path(c, seed):
    rng = np.random.default_rng(seed)
    batch = {name: rng.uniform(-2, 2, size=(3, 5)) for name in c.inputs}
    got = circuits.compile(c)(**batch)
    reference = c.evaluate(**batch)  # numpy's own functions, which may differ from libm's in the last bit
    assert all(v.shape == (3, 5) for v in got.values())
    if not engine.enabled() or any(not np.isfinite(v).all() for v in got.values()):
        for k, v in got.items():  # the interpreter's numpy path
            assert (_bits(v) == _bits(reference[k])).all()
        return
    for j in range(15):  # element for element the float path, bit for bit
        p = {name: float(x.ravel()[j]) for name, x in batch.items()}
        try:
            point = c.evaluate(**p)
        except CircuitError:
            continue
        for k, v in got.items():
            assert _same(float(v.ravel()[j]), float(point[k])) or not math.isfinite(point[k])


def test_domain_errors_as_before(mode):
    f = circuits.compile(circuits.parse("log(x) + 1 / y"))
    with pytest.raises(CircuitError, match=r"log\(x\) cannot be evaluated"):
        f(x=-1.0, y=1.0)
    with pytest.raises(CircuitError, match=r"cannot be evaluated.*(division|zero)"):
        f(x=1.0, y=0.0)
    with pytest.warns(circuits.core.errors.EvaluationWarning, match="2 of 2"):  # batches warn where points raise
        out = f(x=np.array([-1.0, 1.0]), y=np.array([1.0, 0.0]))["f"]
    assert np.isnan(out[0]) and np.isinf(out[1])


def test_integers_stay_integers(mode):
    assert circuits.compile(circuits.parse("x * y + 2"))(x=3, y=4) == {"f": 14}


def test_tape_reuses_slots():
    c = circuits.parse("exp(exp(exp(exp(x))))")
    t = engine.tape(c)
    assert t.n_instructions == 4 and t.n_slots <= 2


def test_user_gate_falls_back(mode):
    from test_registry import make_softplus
    with circuits.registered_gate(make_softplus()):
        c = circuits.parse("softplus(x) * x")
        assert engine.tape(c) is None
        assert circuits.compile(c)(x=0.5) == c.evaluate(x=0.5)


def test_batch_shape_and_scalars(mode):
    f = circuits.compile(circuits.parse("x * y + 1"))
    out = f(x=np.ones((2, 3)), y=2.0)["f"]
    assert out.shape == (2, 3) and (out == 3.0).all()


def test_warmup_command(capsys, monkeypatch):
    from circuits.cli import main
    assert main(["warmup"]) == 0
    out = capsys.readouterr().out
    assert "compiling" in out and ("done in" in out or "engine is off" in out)
    monkeypatch.setenv("CIRCUITS_ENGINE", "python")
    assert main(["warmup"]) == 0
    assert "engine is off" in capsys.readouterr().out


def test_engine_switch(monkeypatch):
    monkeypatch.setenv("CIRCUITS_ENGINE", "python")
    assert not engine.enabled() and engine.kernel() is None


# --- the array call: the dict call's values as float64, without dicts ---------------


@settings(max_examples=120, deadline=None)
@given(c=random_circuits(max_gates=14, max_outputs=3), data=st.data())
def test_array_point_is_the_dict_call(c, data):
    point = [data.draw(st.floats(-3, 3, allow_nan=False)) for _ in c.inputs]
    for m in MODES:
        with pytest.MonkeyPatch.context() as mp:
            if m == "python":
                mp.setenv("CIRCUITS_ENGINE", "python")
            f = circuits.compile(c)
            expected = _outcome(f, **dict(zip(c.inputs, point)))
            try:
                got = f.array(np.array(point))
            except CircuitError as exc:
                got = ("error", str(exc).split(":")[0])
        if isinstance(expected, tuple):
            assert got == expected, m
        else:
            assert got.shape == (len(c.outputs),) and got.dtype == np.float64
            assert (_bits(got) == _bits([float(v) for v in expected.values()])).all(), (m, got, expected)


@settings(max_examples=60, deadline=None)
@given(c=random_circuits(max_gates=14, max_outputs=3), seed=st.integers(0, 2**32 - 1))
def test_array_batch_is_the_dict_call(c, seed):
    X = np.random.default_rng(seed).uniform(-2.5, 2.5, size=(7, len(c.inputs)))
    for m in MODES:
        with pytest.MonkeyPatch.context() as mp:
            if m == "python":
                mp.setenv("CIRCUITS_ENGINE", "python")
            f = circuits.compile(c)
            with warnings.catch_warnings(record=True) as expected_warnings:
                warnings.simplefilter("always")
                expected = f(**{name: X[:, k] for k, name in enumerate(c.inputs)})
            with warnings.catch_warnings(record=True) as got_warnings:
                warnings.simplefilter("always")
                got = f.array(X)
        assert got.shape == (7, len(c.outputs))
        for k, name in enumerate(c.outputs):
            assert (_bits(got[:, k]) == _bits(expected[name])).all(), (m, name)
        assert len(got_warnings) == len(expected_warnings)
        assert all(w.category is EvaluationWarning for w in got_warnings)


@pytest.fixture
def two_by_two():
    return circuits.compile(circuits.parse({"f": "log(x) * y", "g": "x + 1"}))


def test_array_errors_and_warnings_as_the_dict_call(mode, two_by_two):
    f = two_by_two
    with pytest.raises(CircuitError) as from_dict:
        f(x=-1.0, y=2.0)
    with pytest.raises(CircuitError, match=r"log\(x\) cannot be evaluated .*x = -1.0, y = 2.0") as from_array:
        f.array([-1.0, 2.0])
    assert str(from_array.value) == str(from_dict.value)
    with pytest.warns(EvaluationWarning, match="'f' \\(1 of 2\\)"):
        out = f.array([[-1.0, 2.0], [1.0, 2.0]])
    assert np.isnan(out[0, 0]) and out[0, 1] == 0.0 and out[1].tolist() == [0.0, 2.0]


def test_array_layouts_and_out(mode, two_by_two):
    f = two_by_two
    X = np.array([[1.0, 2.0], [np.e, 3.0], [4.0, 0.5]])
    expected = np.array([[f(x=a, y=b)["f"], f(x=a, y=b)["g"]] for a, b in X])
    assert (f.array(X) == expected).all()
    assert (f.array(np.asfortranarray(X)) == expected).all()
    assert (f.array(np.array([[1, 2], [3, 4]])) == f.array([[1.0, 2.0], [3.0, 4.0]])).all()  # ints as floats
    wide = np.zeros((3, 5))
    wide[:, 1::3] = X  # strided columns
    assert (f.array(wide[:, 1::3]) == expected).all()
    out = np.full((3, 2), 7.0)
    assert f.array(X, out=out) is out and (out == expected).all()
    out_f = np.asfortranarray(np.zeros((3, 2)))
    assert f.array(X, out=out_f) is out_f and (out_f == expected).all()
    big = np.zeros((3, 4))
    assert (f.array(X, out=big[:, ::2]) == expected).all() and (big[:, ::2] == expected).all()
    assert (big[:, 1::2] == 0).all()
    point = np.zeros(4)
    f.array(X[1], out=point[::2])
    assert (point[::2] == expected[1]).all() and (point[1::2] == 0).all()
    assert f.array(np.zeros((0, 2))).shape == (0, 2)


@pytest.mark.parametrize("x, message", [
    ("1.0 2.0", "x is a str"),
    (3.0, "x is a float"),
    ([1.0, 2.0, 3.0], r"x has shape \(3,\); expected \(2,\) for one point or \(points, 2\)"),
    (np.zeros((2, 2, 2)), r"x has shape \(2, 2, 2\)"),
    ([[1.0, 2.0], [3.0]], "x is not a rectangular array"),
    (np.array(["a", "b"]), "x has dtype <U1, not real numbers"),
    ([1.0, None], "x has dtype object, not real numbers"),
])
def test_array_bad_x(mode, two_by_two, x, message):
    with pytest.raises(CircuitError, match="array\\(\\): " + message):
        two_by_two.array(x)


@pytest.mark.parametrize("out, message", [
    ([0.0, 0.0], "out is a list"),
    (np.zeros(2, dtype=np.float32), "out has dtype float32; it must be float64"),
    (np.zeros(3), r"out has shape \(3,\); the result has shape \(2,\)"),
    (np.zeros((1, 2)), r"out has shape \(1, 2\); the result has shape \(2,\)"),
    (np.broadcast_to(np.zeros(1), (2,)), "out is read-only"),
])
def test_array_bad_out(mode, two_by_two, out, message):
    with pytest.raises(CircuitError, match="array\\(\\): " + message):
        two_by_two.array([1.0, 2.0], out=out)


def test_array_constant_outputs(mode):
    from circuits.core.circuit import Circuit
    c = circuits.parse({"f": "x * 2", "g": "3"})
    f = circuits.compile(c)
    assert f.array([1.5]).tolist() == [3.0, 3.0]
    assert f.array(np.ones((4, 1))).tolist() == [[2.0, 3.0]] * 4
    no_inputs = circuits.compile(circuits.parse("2 + 3"))
    assert no_inputs.array(np.zeros(0)).tolist() == [5.0]
    assert no_inputs.array(np.zeros((2, 0))).tolist() == [[5.0], [5.0]]
    huge = Circuit(("input", "const"), ((), ()), (None, None), {1: 10**400}, {0: "x"},
                   {"x": 0}, {"x": 0, "big": 1}).check()
    assert circuits.compile(huge)(x=1.0) == {"x": 1.0, "big": 10**400}
    with pytest.raises(CircuitError, match="output 'big' is the integer <int of 1329 bits>, too large for float64"):
        circuits.compile(huge).array([1.0])


def test_constants_fold_as_the_interpreter(mode):
    from circuits.core.circuit import Circuit
    # (2**53 + 1 + 1) exactly is 2**53 + 2; in floats, left to right, it is 2**53
    c = Circuit(("input", "const", "const", "add", "add"), ((), (), (), (1, 2, 2), (0, 3)),
                (None, None, None, None, None), {1: 2**53, 2: 1}, {0: "x"}, {"x": 0}, {"f": 4, "k": 3}).check()
    expected = c.evaluate(x=0.0)
    assert expected == {"f": 2.0**53 + 2, "k": 2**53 + 2}
    f = circuits.compile(c)
    assert f(x=0.0) == expected and type(f(x=0.0)["k"]) is int
    assert f.array([0.0]).tolist() == [2.0**53 + 2, 2.0**53 + 2]
    batch = f(x=np.zeros(3))  # numpy's semantics: constants enter as floats (the engine folds them exactly)
    assert (f.array(np.zeros((3, 1))) == np.array([batch["f"], batch["k"]]).T).all()
    if engine.enabled():
        t = engine.tape(c)
        assert t.n_instructions == 2 and t.consts[0] == 2.0**53 + 2  # folded: one constant, one sum


def test_exact_int_arithmetic_is_left_to_the_interpreter(mode):
    from circuits.core.circuit import Circuit
    # max(x, 2**53) is the int 2**53 at x = 0; adding the ints 1 and 1 to it is exact in Python
    c = Circuit(("input", "const", "max", "const", "add"), ((), (), (0, 1), (), (2, 3, 3)),
                (None,) * 5, {1: 2**53, 3: 1}, {0: "x"}, {"x": 0}, {"f": 4}).check()
    assert engine.tape(c) is None
    f = circuits.compile(c)
    assert f(x=0.0) == c.evaluate(x=0.0) == {"f": 2**53 + 2}
    assert f.array([0.0]).tolist() == [2.0**53 + 2]
    assert engine.tape(circuits.parse("max(x, 1) * y")) is not None  # an int times a float: floats


@pytest.mark.parametrize("base, taped", [(2**10, True), (2**13, False)])
def test_a_power_of_exact_ints_is_bounded_by_its_degree(mode, base, taped):
    # max(x, base) ** 4 is an int at x = 0; its bound (base * 4) ** 4 uses pow's degree |k| = 4, read
    # from its constant argument: 2**48 is within 2**53 (floats are exact), 2**60 is not (refused)
    c = circuits.parse(f"max(x, {base}) ** 4 + 1")
    assert "pow" in c.arrays.op_names
    assert (engine.tape(c) is not None) == taped
    assert circuits.compile(c)(x=0.0) == c.evaluate(x=0.0) == {"f": base ** 4 + 1}


def test_float_calls_need_no_python_source(mode):
    c = circuits.parse("exp(x) * y + sin(x)")
    f = circuits.compile(c)
    assert f(x=0.5, y=2.0) == c.evaluate(x=0.5, y=2.0)
    f.array(np.ones((3, 2)))
    assert bool(f._variants) == (mode == "python")  # the engine needs no generated Python
    assert f.source.startswith("def _circuit(v0, v2):")  # made when asked for
    with pytest.raises(CircuitError, match="unknown input 'z'"):
        f(x=0.5, y=2.0, z=1.0)


def test_weights_and_constants_convert_to_floats_as_python_does():
    # a record repeats a few Fraction objects (1/n on every wire of a mean): each converts once
    third = Fraction(1, 3)
    values = [third] * 5 + [Fraction(2, 7), 3, 2.5, third, Fraction(10 ** 30, 3), -0.0]
    values += [Fraction(i, 7) for i in range(20)]
    assert engine._floats(values).tolist() == [float(v) for v in values]
    assert engine._floats([1, 2.5]).tolist() == [1.0, 2.5]
    for beyond in (Fraction(10 ** 400, 3), 10 ** 400):
        with pytest.raises(OverflowError):
            engine._floats([third, beyond])
    b = circuits.Builder()  # and a tape of such a circuit evaluates as the interpreter does
    xs = [b.input(f"x{i}") for i in range(6)]
    b.output_node("mean", b.gate("add", *xs, weights=[Fraction(1, 6)] * 6))
    c = b.build()
    point = {f"x{i}": 0.1 * i for i in range(6)}
    assert circuits.compile(c)(**point) == c.evaluate(**point)
