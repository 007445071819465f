"""The Moré–Garbow–Hillstrom problems (circuits.library.mgh) against published values and sympy.

References: J. J. Moré, B. S. Garbow, K. E. Hillstrom, "Testing unconstrained
optimization software", ACM TOMS 7(1), 17–41 (1981): the minimisers ``x*``
and minimum values ``f*`` quoted in :data:`circuits.library.mgh.PROBLEMS`.
Those check the problems' data (an outside reference); the gradients are
checked against ``sympy.diff`` exactly, and simplify(minimize="ops") against
the operation count of its input (issue 17).
"""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy

import circuits
from circuits import CircuitError
from circuits.analysis.counts import analyze
from circuits.library import mgh

NAMES = mgh.names()


def _point(xs) -> dict:
    return {f"x_{i + 1}": float(v) for i, v in enumerate(xs)}


@pytest.mark.parametrize("name", NAMES)
def test_published_minimum_values(name):
    p = mgh.PROBLEMS[name]
    checked = 0
    for n, m, xs, fstar in p.minima:
        if xs is None:
            continue
        c = mgh.circuit(name, n, m if p.variable_m else None)
        f = c.evaluate(_point(xs))["f"]
        if fstar == 0:
            assert f < 1e-8, (name, f)
        else:  # the paper gives six significant digits; x* is rounded too
            assert f == pytest.approx(float(fstar), rel=2e-5), (name, f, fstar)
        checked += 1
    if name not in ("gaussian", "trigonometric", "discrete_boundary_value", "discrete_integral_equation",
                    "broyden_tridiagonal", "broyden_banded", "linear_rank1", "linear_rank1_zero",
                    "chebyquad"):
        assert checked, f"{name}: no published minimiser checked"


# f(x0) worked out by hand from the paper's definitions (exact rationals)
START_VALUES = {
    "rosenbrock": Fraction(121, 5),                    # (10·(1 − 1.44))² + 2.2² = 19.36 + 4.84
    "freudenstein_roth": Fraction(801, 2),             # 19.5² + 4.5²
    "beale": Fraction(909, 64),                        # 1.5² + 2.25² + 2.625²
    "brown_badly_scaled": (1 - 10 ** 6) ** 2 + (1 - Fraction(2, 10 ** 6)) ** 2 + 1,
    "powell_singular": 215,                            # 49 + 5 + 1 + 160
    "wood": 19192,
    "watson": 30,                                      # 29 residuals −1, r₃₁ = −1
    "extended_rosenbrock": 5 * Fraction(121, 5),
}


@pytest.mark.parametrize("name", list(START_VALUES))
def test_start_values_exactly(name):
    c = mgh.circuit(name)
    got = c.evaluate(mgh.start(name, exact=True))["f"]
    assert got == pytest.approx(float(START_VALUES[name]), rel=1e-15)
    if name not in ("powell_singular", "wood"):  # √5, √10, √90 are float weights
        assert got == START_VALUES[name]


def test_variably_dimensioned_start_by_formula():
    n = 10
    s = sum(j * (-Fraction(j, n)) for j in range(1, n + 1))   # Σ j(x_j − 1) at x_j = 1 − j/n
    want = sum(Fraction(j, n) ** 2 for j in range(1, n + 1)) + s ** 2 + s ** 4
    assert mgh.circuit("variably_dimensioned").evaluate(mgh.start("variably_dimensioned", exact=True))["f"] == want


SMALL = {"gulf": dict(m=10)}  # fewer residuals keep sympy quick; the formula is the same


@pytest.mark.parametrize("name", NAMES)
def test_gradient_matches_sympy_at_the_start(name):
    kw = SMALL.get(name, {})
    c = mgh.circuit(name, **kw)
    expr = circuits.to_sympy(c)["f"]
    symbols = {k: sympy.Symbol(k) for k in c.inputs}
    x0 = mgh.start(name, exact=True)
    exact = {symbols[k]: sympy.Rational(v.numerator, v.denominator) for k, v in x0.items()}
    g = circuits.backward(c)
    by_ops = circuits.simplify(g, minimize="ops")
    point = {k: float(v) for k, v in x0.items()}
    got, got_ops = g.evaluate(point), by_ops.evaluate(point)
    for k in c.inputs:
        want = float(sympy.diff(expr, symbols[k]).xreplace(exact).evalf(30))
        scale = max(1.0, abs(want))
        assert abs(got[f"df/d{k}"] - want) <= 1e-9 * scale, (name, k, got[f"df/d{k}"], want)
        assert abs(got_ops[f"df/d{k}"] - want) <= 1e-9 * scale, (name, k, got_ops[f"df/d{k}"], want)


@pytest.mark.parametrize("name", NAMES)
def test_simplify_for_operations_never_adds_operations(name):
    """Issue 17: on 7 of 43 such gradients the operation count used to grow."""
    g = circuits.backward(mgh.circuit(name))
    by_ops = circuits.simplify(g, minimize="ops")
    assert analyze(by_ops).binary_ops <= analyze(g).binary_ops
    assert analyze(by_ops).binary_ops <= analyze(circuits.simplify(g)).binary_ops
    again = circuits.simplify(by_ops, minimize="ops")
    assert (again._ops, again._args, again._weights) == (by_ops._ops, by_ops._args, by_ops._weights)


def test_sizes_are_checked():
    with pytest.raises(CircuitError, match="unknown Moré–Garbow–Hillstrom problem 'rosen'"):
        mgh.circuit("rosen")
    with pytest.raises(CircuitError, match="n = 2 variables"):
        mgh.circuit("rosenbrock", n=3)
    with pytest.raises(CircuitError, match="multiple of 2"):
        mgh.circuit("extended_rosenbrock", n=5)
    with pytest.raises(CircuitError, match="m = 31"):
        mgh.circuit("watson", n=6, m=30)
    with pytest.raises(CircuitError, match="at most 100"):
        mgh.circuit("gulf", m=101)
    with pytest.raises(CircuitError, match="m must be an integer >= 10"):
        mgh.circuit("linear_full_rank", n=10, m=5)
    assert len(mgh.circuit("broyden_banded", n=30).inputs) == 30
    assert mgh.circuit("box_3d", m=20).evaluate(mgh.start("box_3d"))["f"] > 0
