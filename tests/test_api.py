"""One consistent API (issue 23, items 5-7): selectors, arrays at a point, names, short errors."""

import warnings

import numpy as np
import pytest
import sympy

import circuits
from circuits import CircuitError, library


def _sympy_gradient(c, output, wrt, point):
    expr = circuits.to_sympy(c)[output]
    subs = {sympy.Symbol(x): v for x, v in point.items()}
    return {f"d{output}/d{x}": float(sympy.diff(expr, sympy.Symbol(x)).subs(subs)) for x in wrt}


def test_forward_and_backward_take_the_same_selectors():
    c = circuits.trace(lambda x, y, z: (x * y * z, circuits.sin(x) + y))
    point = dict(x=0.5, y=-1.5, z=2.0)
    for transform in (circuits.forward, circuits.backward):
        g = transform(c, output="f1", wrt=["y", "x"])
        assert list(g.outputs) == ["df1/dy", "df1/dx"]
        got = g.evaluate(point)
        want = _sympy_gradient(c, "f1", ["y", "x"], point)
        assert got == pytest.approx(want)
        # a string is one name
        assert list(transform(c, output="f0", wrt="z").outputs) == ["df0/dz"]


def test_positional_selectors_still_work_with_a_deprecation_warning():
    c = circuits.trace(lambda x, y: (x * y, x + y))
    with pytest.warns(DeprecationWarning, match=r"write forward\(circuit, wrt=\['x'\]\)"):
        f = circuits.forward(c, ["x"])
    assert list(f.outputs) == ["df0/dx", "df1/dx"]
    with pytest.warns(DeprecationWarning, match=r"write backward\(circuit, output='f1'\)"):
        b = circuits.backward(c, "f1")
    assert list(b.outputs) == ["df1/dx", "df1/dy"]
    with pytest.raises(CircuitError, match="twice"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            circuits.backward(c, "f1", output="f0")


@pytest.mark.parametrize("compiled", [False, True])
def test_backward_wrt_the_weights_of_an_mlp_only(compiled, monkeypatch):
    # the data are inputs; their adjoints are neither outputs nor gates
    c = library.mlp([3, 4, 1], activation="tanh", batch=2)
    weights = [x for x in c.inputs if not x.startswith(("X", "Y"))]
    data = [x for x in c.inputs if x not in weights]
    import importlib
    monkeypatch.setattr(importlib.import_module("circuits.ad.backward"), "COMPILED_FROM",
                        0 if compiled else 10 ** 9)
    full = circuits.backward(c)
    part = circuits.backward(c, wrt=weights)
    assert list(part.outputs) == [f"dloss/d{x}" for x in weights]
    assert list(part.inputs) == list(c.inputs)
    assert part.size < full.size  # no adjoints of the data
    rng = np.random.default_rng(3)
    point = {x: float(rng.normal()) for x in c.inputs}
    got = part.evaluate(point)
    assert got == pytest.approx({k: v for k, v in full.evaluate(point).items() if k in got})
    want = _sympy_gradient(c, "loss", weights[:5], point)
    assert {k: got[k] for k in want} == pytest.approx(want)
    # the data's adjoints would be the only other gates: backward by the data alone is what's saved
    assert circuits.backward(c, wrt=data).size > c.size


def test_compiled_and_python_sweeps_agree_on_a_subset_of_inputs():
    from circuits.ad.fast_backward import gradient
    c = library.mlp([3, 4, 1], activation="sigmoid", batch=2)
    wrt = [x for x in c.inputs if x.startswith("W2")] + ["X_1_2"]
    python = gradient(c, "loss", compiled=False, wrt=wrt)
    assert python is not None
    ref = circuits.backward(c, wrt=wrt)  # below COMPILED_FROM: the Python sweep
    assert python.record == ref.record


def test_jvp_and_vjp_take_output_and_wrt():
    c = circuits.trace(lambda x, y: (x * y, x + y))
    j = circuits.jvp(c, output="f0", wrt=["x"])
    assert list(j.inputs) == ["x", "y", "x_dot"] and list(j.outputs) == ["f0_dot"]
    assert j.evaluate(x=2, y=3, x_dot=1) == {"f0_dot": 3}
    v = circuits.vjp(c, output=["f1"], wrt="y")
    assert list(v.inputs) == ["x", "y", "f1_bar"] and list(v.outputs) == ["y_bar"]
    assert v.evaluate(x=2, y=3, f1_bar=5) == {"y_bar": 5}


def test_a_string_is_one_name_where_a_list_is_expected():
    c = circuits.trace(lambda x, y: x * y)
    with pytest.raises(CircuitError, match=r"a string is one name: give several as a list, wrt=\['x', 'y'\]"):
        circuits.forward(c, wrt="x y")
    with pytest.raises(CircuitError, match="'x,y' is not an input"):
        circuits.backward(c, wrt="x,y")
