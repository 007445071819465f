"""The tape engine agrees with the interpreter bit for bit, errors included.

Run with compiled kernels (numba installed) and with them disabled
(``CIRCUITS_ENGINE=python``); both must agree with :func:`circuits.evaluate`.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import circuits
from circuits import engine
from circuits.errors import CircuitError
from circuits.testing import circuits as random_circuits

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
    reference = c.evaluate(**batch)  # numpy's own functions: equal to rounding
    for k, v in got.items():
        assert v.shape == (3, 5)
        np.testing.assert_allclose(v, reference[k], rtol=1e-12, atol=1e-300, equal_nan=True)
    if engine.enabled() and not any(np.isnan(v).any() or np.isinf(v).any() for v in got.values()):
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
