"""Errors that say what to do: issue 16's list, each as a user meets it."""

import math
import warnings

import numpy as np
import pytest

import circuits
from circuits import CircuitError, ParseError
from circuits.core.errors import EvaluationWarning


def test_math_sin_while_tracing_suggests_circuits_sin():
    with pytest.raises(CircuitError, match=r"math\.sin\(x\) needs a number, so call circuits\.sin\(x\)"):
        circuits.trace(lambda x: math.sin(x) * 2)
    with pytest.raises(CircuitError, match=r"math\.exp\(x\) needs a number, so call circuits\.exp\(x\)"):
        circuits.trace(lambda x, y: x + math.exp(y))
    with pytest.raises(CircuitError, match="has no circuit counterpart"):
        circuits.trace(lambda x: math.gamma(x))


def test_abs_uses_the_registry_gate_or_says_what_to_write():
    if "abs" in circuits.GATES:
        f = circuits.trace(lambda x: abs(x))
        assert f.evaluate(x=-2.5) == {"f": 2.5}
    else:
        with pytest.raises(CircuitError, match=r"relu\(x\) \+ circuits\.relu\(-x\)"):
            circuits.trace(lambda x: abs(x))


def test_a_traced_circuit_is_callable():
    f = circuits.trace(lambda x, y, z: x * y - z)
    assert f(1, 2, 3) == -1 and f(1, 2, z=0) == 2 and f(x=2, y=2, z=1) == 3
    g = circuits.trace(lambda x, y: (x + y, x * y))
    assert g(2, 5) == (7, 10)  # several outputs: a tuple in output order
    with pytest.raises(CircuitError, match="missing z"):
        f(1, 2)
    with pytest.raises(CircuitError, match="got 4 positional"):
        f(1, 2, 3, 4)
    with pytest.raises(CircuitError, match="given twice"):
        f(1, 2, 3, x=1)


def test_unknown_names_get_close_matches():
    with pytest.raises(ParseError, match=r"unknown function 'sinn' \(did you mean 'sin'\?\)"):
        circuits.parse("sinn(x)")
    with pytest.raises(ParseError, match=r"did you mean 'y'\?.*--inputs on the command line"):
        circuits.parse("x + yy", inputs=["x", "y"])
    with pytest.raises(CircuitError, match=r"did you mean 'sin'\?"):
        circuits.Builder().gate("sinn", 0)


def test_numpy_batches_warn_where_scalars_raise():
    c = circuits.parse("log(x) * y")
    with pytest.raises(CircuitError, match=r"log\(x\) cannot be evaluated at -1.0 \(x = -1.0, y = 2.0\)"):
        c.evaluate(x=-1.0, y=2.0)
    xs = np.array([1.0, -1.0, 2.0])
    for run in (lambda: c.evaluate(x=xs, y=2.0), lambda: circuits.compile(c)(x=xs, y=2.0)):
        with pytest.warns(EvaluationWarning, match=r"'f' \(1 of 3\)"):
            out = run()
        assert np.isnan(out["f"][1]) and out["f"][2] == pytest.approx(2 * math.log(2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        c.evaluate(x=np.array([np.nan, 1.0]), y=2.0)  # nan in, nan out: nothing to say
        c.evaluate(x=np.array([1.0, 3.0]), y=2.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", EvaluationWarning)
        with pytest.raises(EvaluationWarning):
            c.evaluate(x=xs, y=2.0)
