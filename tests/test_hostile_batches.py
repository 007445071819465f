"""Batches mean what the docs say (issue 28, item 3).

A batch is a set of points, each computed on its own: ``out=`` may alias the input, a row's
value never depends on the other rows, ``compile`` and ``evaluate`` agree bit for bit (nan
and signed zeros included), special values (nan, ±0, ±inf) mean the same in every number
system and the engine, and a compiled circuit notices a gate replaced after compilation.
"""
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import circuits
from circuits import CircuitError, Gate
from circuits.core.errors import EvaluationWarning
from circuits.core.gates import GATES
from circuits.eval import engine
from circuits.testing import random_circuits

ENGINE = engine.enabled()
SPECIAL = [0.0, -0.0, math.inf, -math.inf, math.nan, 1e308, -1e308, 5e-324, -1e-300, 1.0, -2.5, 3.0]


def same(a, b) -> bool:
    """Bit for bit, nan equal to nan (numpy makes nan of either sign)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.all((a.view(np.int64) == b.view(np.int64)) | (np.isnan(a) & np.isnan(b))))


def quiet(f, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EvaluationWarning)
        return f(*args, **kwargs)


@pytest.fixture(params=["engine", "python"])
def mode(request, monkeypatch):
    if request.param == "engine" and not ENGINE:
        pytest.skip("numba is not installed")
    if request.param == "python":
        monkeypatch.setenv("CIRCUITS_ENGINE", "python")
    return request.param


# --- out= aliasing the input --------------------------------------------------


def test_out_aliasing_the_input_is_copied_first(mode):
    f = circuits.compile(circuits.parse("log(x)"))
    X = np.full((300, 1), math.e)
    X[-1] = -1.0
    with pytest.warns(EvaluationWarning):
        Y = f.array(X, out=X)
    assert Y is X
    assert (X[:-1] == 1.0).all() and np.isnan(X[-1, 0])


def test_out_overlapping_the_input_shifted_by_a_row(mode):
    f = circuits.compile(circuits.parse({"f": "x * y", "g": "x - y"}))
    buffer = np.arange(1.0, 603.0).reshape(301, 2)
    X = buffer[:-1]
    want = f.array(X.copy())
    got = f.array(X, out=buffer[1:])
    assert got.base is buffer or got is not None
    assert same(buffer[1:], want)


def test_out_aliasing_one_point(mode):
    f = circuits.compile(circuits.parse({"f": "x * y", "g": "x + 1"}))
    x = np.array([2.0, 3.0])
    assert same(f.array(x, out=x), [6.0, 3.0])


# --- a row never depends on the other rows ------------------------------------


def test_a_row_does_not_depend_on_a_failing_row(mode):
    c = circuits.parse("exp(x) + log(x)")
    f = circuits.compile(c)
    alone = f.array(np.array([[0.10014]]))[0, 0]
    beside = quiet(f.array, np.array([[0.10014], [-1.0]]))
    assert same(beside[0, 0], alone) and np.isnan(beside[1, 0])
    batch = quiet(c.evaluate, x=np.array([0.10014, -1.0]))["f"]
    assert same(batch[0], alone)
    if mode == "engine":  # the engine's batch rows are the float path's points, bit for bit
        assert same(alone, c.evaluate(x=0.10014)["f"])


def test_block_boundaries_do_not_change_rows(mode):
    f = circuits.compile(circuits.parse("exp(sin(x)) / (x - 2) + max(x, 1)"))
    xs = np.linspace(-3, 3, 1001)
    xs[[5, 400, 700]] = [2.0, math.nan, -math.inf]
    whole = quiet(f.array, xs[:, None])[:, 0]
    for k in (0, 255, 256, 257, 999):
        assert same(quiet(f.array, xs[k:k + 1, None])[0, 0], whole[k])


# --- one semantics of special values ----------------------------------------


SELECTS = {  # the gates whose special values are a decision, with their decided values
    "max": lambda u, v: math.nan if math.isnan(u) or math.isnan(v) else
    (0.0 if u == v == 0 and (math.copysign(1, u) > 0 or math.copysign(1, v) > 0) else max(u, v)),
    "min": lambda u, v: math.nan if math.isnan(u) or math.isnan(v) else
    (-0.0 if u == v == 0 and (math.copysign(1, u) < 0 or math.copysign(1, v) < 0) else min(u, v)),
    "relu": lambda u: u if math.isnan(u) or u > 0 else 0.0,
    "step": lambda u: u if math.isnan(u) else (1.0 if u > 0 else 0.0),
    "sign": lambda u: u if math.isnan(u) else (1.0 if u > 0 else -1.0 if u < 0 else 0.0),
    "abs": lambda u: abs(u),
}


@pytest.mark.parametrize("op", sorted(SELECTS))
def test_special_values_mean_the_same_everywhere(op):
    gate, want = GATES[op], SELECTS[op]
    pairs = [(u,) for u in SPECIAL] if gate.arity == 1 else [(u, v) for u in SPECIAL for v in SPECIAL]
    for args in pairs:
        expected = want(*args)
        assert same(float(gate.num(*args)), expected), (op, args)
        with np.errstate(all="ignore"):
            assert same(gate.vec(*(np.array([a]) for a in args)), [expected]), (op, args, "numpy")
    c = circuits.parse(f"{op}(x)" if gate.arity == 1 else f"{op}(x, y)")
    names = list(c.inputs)
    columns = [np.array([p[k] for p in pairs]) for k in range(len(names))]
    expected = [want(*p) for p in pairs]
    for m in ("engine", "python") if ENGINE else ("python",):
        with pytest.MonkeyPatch.context() as mp:
            if m == "python":
                mp.setenv("CIRCUITS_ENGINE", "python")
            f = circuits.compile(c)
            assert same(quiet(f, dict(zip(names, columns)))["f"], expected), (op, m)
            assert same(quiet(c.evaluate, dict(zip(names, columns)))["f"], expected), (op, m)
            assert same(quiet(f.array, np.stack(columns, axis=1))[:, 0], expected), (op, m)
            for p, e in zip(pairs, expected):  # one float point, the point kernel and the interpreter
                assert same(f(dict(zip(names, p)))["f"], e), (op, m, p)


@pytest.mark.parametrize("text, at, limit", [
    ("relu(x)", -math.inf, 0.0), ("relu(x)", math.inf, math.inf), ("step(x)", math.inf, 1.0),
    ("step(x)", -math.inf, 0.0), ("sign(x)", math.inf, 1.0), ("sign(x)", -math.inf, -1.0)])
def test_relu_step_sign_at_infinity_give_their_limits(text, at, limit, mode):
    c = circuits.parse(text)
    f = circuits.compile(c)
    assert same(c.evaluate(x=at)["f"], limit)
    assert same(f(x=at)["f"], limit)
    assert same(c.evaluate(x=np.array([at, 1.0]))["f"][0], limit)
    assert same(f.array(np.array([[at], [1.0]]))[0, 0], limit)


def _extreme_points(c, data, n):
    return {name: np.array(data.draw(st.lists(st.sampled_from(SPECIAL), min_size=n, max_size=n)))
            for name in c.inputs}


@settings(max_examples=60, deadline=None)
@given(c=random_circuits(max_gates=10, max_outputs=2), data=st.data())
def test_compile_and_evaluate_agree_bit_for_bit_at_extreme_points(c, data):
    """On random circuits at ±0, ±inf, nan, huge and tiny values: compile = evaluate on batches,
    and (engine on) each row is its point's float value where that does not raise."""
    points = _extreme_points(c, data, 12)
    for m in ("engine", "python") if ENGINE else ("python",):
        with pytest.MonkeyPatch.context() as mp:
            if m == "python":
                mp.setenv("CIRCUITS_ENGINE", "python")
            f = circuits.compile(c)
            batch = quiet(c.evaluate, points)
            compiled = quiet(f, points)
            rows = quiet(f.array, np.stack(list(points.values()), axis=1)) if points else None
            for k, name in enumerate(c.outputs):
                assert same(compiled[name], batch[name]), (m, name)
                if rows is not None:
                    assert same(rows[:, k], batch[name]), (m, name)
            if m != "engine":
                continue
            for j in range(12):
                point = {name: float(v[j]) for name, v in points.items()}
                try:
                    values = f(point)
                except CircuitError:
                    continue  # the float path raises: the batch has nan/inf there
                for name, v in values.items():
                    if isinstance(v, float):
                        assert same(batch[name][j], v), (name, point)


# --- a gate replaced after compilation ---------------------------------------


def _twice(value):
    return Gate("twice", 1, "2x", num=lambda u: value * u, partial=lambda b, a, out, i: (None, value))


def test_compiled_circuit_notices_a_replaced_gate():
    with circuits.registered_gate(_twice(2)):
        c = circuits.parse("twice(x) + 1")
        f = circuits.compile(c)
        assert f(x=1.0) == {"f": 3.0}
    with pytest.raises(CircuitError, match="'twice' was unregistered"):
        f(x=1.0)
    with circuits.registered_gate(_twice(3)):
        assert c.evaluate(x=1.0) == {"f": 4.0}
        for call in (lambda: f(x=1.0), lambda: f.array([1.0]), lambda: f.array(np.ones((3, 1))),
                     lambda: f(x=np.ones(3))):
            with pytest.raises(CircuitError, match="'twice' was replaced .* compile the circuit again"):
                call()
        assert circuits.compile(c)(x=1.0) == {"f": 4.0}


def test_registering_other_gates_keeps_compiled_circuits_working():
    f = circuits.compile(circuits.parse("exp(x) + 1"))
    with circuits.registered_gate(_twice(2)):
        assert f(x=0.0) == {"f": 2.0}
    assert f(x=0.0) == {"f": 2.0}


@pytest.mark.parametrize("text, exact", [("10**400*x + y", 10**400 + 2), ("10**400 + x + y", 10**400 + 3)])
def test_weight_or_constant_beyond_float64_is_a_circuit_error_from_compile(mode, text, exact):
    c = circuits.parse(text)
    f = circuits.compile(c)
    for call in (lambda: f(x=1.0, y=2.0), lambda: f.array([1.0, 2.0]), lambda: f.array(np.ones((3, 2))),
                 lambda: f(x=np.ones(3), y=np.ones(3)), lambda: c.evaluate(x=1.0, y=2.0),
                 lambda: c.evaluate(x=np.ones(3), y=np.ones(3))):
        with pytest.raises(CircuitError, match="too large"):
            call()
    assert f(x=1, y=2)["f"] == exact  # ints stay exact
