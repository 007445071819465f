"""The gate registry against sympy: every gate's value and every partial rule.

Table-driven over ``circuits.gates.GATES`` (STYLE.md, "Tests"): each gate has a
row giving its sympy meaning and sample points; a gate added to the registry
without a row makes ``test_every_gate_has_a_table_row`` fail.
"""

import math
from fractions import Fraction

import numpy as np
import pytest
import sympy

from circuits import Builder, CircuitError, evaluate
from circuits.gates import GATES, MAX_EXPONENT, SOURCES
from circuits.registry import partial_gate_cost

U, V, W = sympy.symbols("u v w", real=True)

# op -> (sympy meaning of the gate on its arguments, sample argument tuples)
# The meaning is written independently of the registry's own ``sym`` functions.
REFERENCE = {
    "add": (lambda *a: sympy.Add(*a), [(1.5, -2.0), (0.25, 3.0, -1.0), (2.0,)]),
    "mul": (lambda *a: sympy.Mul(*a), [(1.5, -2.0), (0.5, 3.0, -4.0)]),
    "div": (lambda a, b: a / b, [(1.0, 4.0), (-3.0, 0.5)]),
    "recip": (lambda a: 1 / a, [(4.0,), (-0.3,)]),
    "square": (lambda a: a ** 2, [(-1.5,), (3.0,)]),
    "pow": (lambda a, k: a ** k, [(1.5, 3), (2.0, -2), (-1.2, 5), (0.7, 0)]),
    "exp": (sympy.exp, [(0.3,), (-2.0,)]),
    "log": (sympy.log, [(0.5,), (3.0,)]),
    "sqrt": (sympy.sqrt, [(0.25,), (2.0,)]),
    "sin": (sympy.sin, [(0.3,), (-2.5,)]),
    "cos": (sympy.cos, [(0.3,), (-2.5,)]),
    "tanh": (sympy.tanh, [(0.3,), (-2.5,)]),
    "sigmoid": (lambda a: 1 / (1 + sympy.exp(-a)), [(0.0,), (1.5,), (-40.0,), (40.0,)]),
    "relu": (lambda a: sympy.Piecewise((a, a > 0), (0, True)), [(1.5,), (-0.5,), (0.0,)]),
    "step": (lambda a: sympy.Piecewise((1, a > 0), (0, True)), [(2.0,), (-0.5,), (0.0,)]),
}

# Exact rational sample points for the gates whose registry entry says ``exact``.
EXACT_POINTS = {
    "add": [(Fraction(1, 3), Fraction(-5, 7))], "mul": [(Fraction(2, 3), Fraction(9, 4), 5)],
    "div": [(Fraction(1, 3), Fraction(-5, 7))], "recip": [(Fraction(-7, 3),)],
    "square": [(Fraction(-2, 5),)], "pow": [(Fraction(2, 3), 4), (Fraction(2, 3), -3)],
    "relu": [(Fraction(-1, 3),), (Fraction(1, 3),)], "step": [(Fraction(-1, 3),), (Fraction(1, 3),)],
}


def test_every_gate_has_a_table_row():
    assert set(REFERENCE) == set(GATES), "add a REFERENCE row (and a PARTIAL_CASES row) for the new gate"
    assert set(PARTIAL_CASES) == set(GATES)
    assert {op for op, g in GATES.items() if g.exact} == set(EXACT_POINTS)


def _gate_circuit(op, k_args, const_args=()):
    """A circuit computing one ``op`` gate over inputs u0.. (constant args fixed)."""
    b = Builder()
    nodes = []
    for j in range(k_args):
        if j in const_args:
            nodes.append(b.const_node(const_args[j]))
        else:
            nodes.append(b.input_node(f"u{j}"))
    b.output("g", b.wire(b.gate(op, *nodes)))
    return b.build()


def _cases(op):
    gate = GATES[op]
    for point in REFERENCE[op][1]:
        consts = {k: point[k] for k in gate.constant_args}
        yield point, consts


@pytest.mark.parametrize("op", sorted(REFERENCE))
def test_float_numpy_sympy_values_match_sympy(op):
    meaning, _ = REFERENCE[op]
    gate = GATES[op]
    for point, consts in _cases(op):
        c = _gate_circuit(op, len(point), consts)
        given = {f"u{j}": x for j, x in enumerate(point) if j not in consts}
        expected = float(meaning(*[sympy.Float(x) if j not in consts else sympy.Integer(x)
                                   for j, x in enumerate(point)]))
        # Python floats
        assert evaluate(c, given)["g"] == pytest.approx(expected, rel=1e-12, abs=1e-300)
        # gate.num directly
        assert float(gate.num(*point)) == pytest.approx(expected, rel=1e-12, abs=1e-300)
        # numpy batch of the same point repeated, and the registry's vec function
        batch = {k: np.full(3, float(x)) for k, x in given.items()}
        got = evaluate(c, batch)["g"]
        assert got.shape == (3,)
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-300)
        # sympy symbols, then substitute
        syms = {k: sympy.Symbol(k, real=True) for k in given}
        expr = evaluate(c, syms)["g"]
        val = expr.subs({syms[k]: sympy.Float(x, 30) for k, x in given.items()})
        assert float(val.evalf(30)) == pytest.approx(expected, rel=1e-12, abs=1e-300)


@pytest.mark.parametrize("op", sorted(EXACT_POINTS))
def test_exact_values_match_sympy_rationals(op):
    meaning, _ = REFERENCE[op]
    for point in EXACT_POINTS[op]:
        consts = {k: point[k] for k in GATES[op].constant_args}
        c = _gate_circuit(op, len(point), consts)
        given = {f"u{j}": x for j, x in enumerate(point) if j not in consts}
        got = evaluate(c, given)["g"]
        expected = sympy.nsimplify(meaning(*[sympy.Rational(x.numerator, x.denominator)
                                             if isinstance(x, Fraction) else sympy.Integer(x)
                                             for x in point]))
        assert isinstance(got, (int, Fraction))
        assert sympy.Rational(got.numerator, got.denominator) == expected


def test_non_exact_gates_refuse_fractions():
    for op, gate in GATES.items():
        if gate.exact:
            continue
        c = _gate_circuit(op, 1)
        with pytest.raises(CircuitError, match=op):
            evaluate(c, {"u0": Fraction(1, 2)})


def test_sigmoid_is_stable_in_both_tails():
    assert GATES["sigmoid"].num(-1000.0) == 0.0
    assert GATES["sigmoid"].num(1000.0) == 1.0
    np.testing.assert_array_equal(GATES["sigmoid"].vec(np.array([-1000.0, 1000.0])), [0.0, 1.0])


# --- partial rules ---------------------------------------------------------------

# op -> list of (number of arguments, weights for add or None, pow exponent or None)
PARTIAL_CASES = {
    "add": [(2, (1, 1), None), (3, (2, Fraction(-1, 2), 3), None)],
    "mul": [(2, None, None), (3, None, None), (4, None, None)],
    "div": [(2, None, None)],
    "recip": [(1, None, None)], "square": [(1, None, None)],
    "pow": [(2, None, k) for k in (-3, -2, -1, 0, 1, 2, 3, 5)],
    "exp": [(1, None, None)], "log": [(1, None, None)], "sqrt": [(1, None, None)],
    "sin": [(1, None, None)], "cos": [(1, None, None)], "tanh": [(1, None, None)],
    "sigmoid": [(1, None, None)], "relu": [(1, None, None)], "step": [(1, None, None)],
}

ARG_SYMBOLS = sympy.symbols("a0:4", positive=True)


def _sympy_meaning(op, args, weights):
    if op == "add":
        return sympy.Add(*[w * a for w, a in zip(weights, args)])
    return REFERENCE[op][0](*args)


def _partial_against_diff(op, arity, weights, exponent):
    """sympy.diff of the gate's meaning minus the circuit of its partial rule."""
    b = Builder()
    args = [b.input_node(f"a{j}") for j in range(arity)]
    if exponent is not None:
        args[1] = b.const_node(exponent)
    w = None if weights is None else tuple(weights)
    out = b.gate(op, *args, weights=w)
    sym_args = list(ARG_SYMBOLS[:arity])
    if exponent is not None:
        sym_args[1] = sympy.Integer(exponent)
    meaning = _sympy_meaning(op, sym_args, weights or (1,) * arity)
    for i in range(arity):
        if i in GATES[op].constant_args:
            assert GATES[op].partial(b, tuple(args), out, i) is None
            continue
        rule = GATES[op].partial(b, tuple(args), out, i)
        if rule is None:
            value = 0
        else:
            node, coeff = rule
            if node is None:
                value = sympy.nsimplify(coeff)
            else:
                b.output(f"p{i}", b.wire(node))
                c = b.build()
                value = evaluate(c, {f"a{j}": ARG_SYMBOLS[j] for j in range(arity)
                                     if f"a{j}" in c.inputs})[f"p{i}"] * sympy.nsimplify(coeff)
                del b._outputs[f"p{i}"]  # a scratch builder: reuse it for the next argument
        if op == "add":  # the wire weight is applied by the transforms, not by the rule
            value = value * sympy.nsimplify(weights[i])
        yield i, sympy.diff(meaning, sym_args[i]), value


@pytest.mark.parametrize("op,arity,weights,exponent",
                         [(op,) + case for op in sorted(PARTIAL_CASES) for case in PARTIAL_CASES[op]])
def test_partial_rule_matches_sympy_diff(op, arity, weights, exponent):
    for i, diff, rule in _partial_against_diff(op, arity, weights, exponent):
        # arguments are positive symbols: relu/step are compared on u > 0 here and on
        # both sides in test_relu_and_step_partials_on_both_sides
        assert sympy.simplify(diff - rule) == 0, (op, i, diff, rule)


def test_relu_and_step_partials_on_both_sides():
    b = Builder()
    u = b.input_node("u")
    out = b.gate("relu", u)
    node, coeff = GATES["relu"].partial(b, (u,), out, 0)
    b.output("d", b.wire(node))
    c = b.build()
    assert [evaluate(c, u=x)["d"] * coeff for x in (-2.0, -0.1, 0.1, 2.0)] == [0, 0, 1, 1]
    assert GATES["step"].partial(b, (u,), out, 0) is None


# --- partial_gate_cost -------------------------------------------------------------

def test_partial_gate_cost_values():
    expected = {
        ("add", 3, 0): 0, ("mul", 2, 0): 0, ("mul", 2, 1): 0, ("mul", 3, 0): 1, ("mul", 4, 2): 1,
        ("div", 2, 0): 1, ("div", 2, 1): 1, ("recip", 1, 0): 1, ("square", 1, 0): 0,
        ("exp", 1, 0): 0, ("log", 1, 0): 1, ("sqrt", 1, 0): 1, ("sin", 1, 0): 1, ("cos", 1, 0): 1,
        ("tanh", 1, 0): 2, ("sigmoid", 1, 0): 2, ("relu", 1, 0): 1, ("step", 1, 0): 0,
        ("pow", 2, 1): 0,
    }
    for (op, arity, i), cost in expected.items():
        assert partial_gate_cost(op, arity, i) == cost, (op, arity, i)
    # pow: k=2 -> 2*u (no gate), k=3 -> 3*square(u), other k -> k*pow(u, k-1)
    assert [partial_gate_cost("pow", 2, 0, exponent=k) for k in (0, 1, 2, 3, 4, -2)] == [0, 0, 0, 1, 1, 1]
    assert {op for op, _, _ in expected} == set(GATES)


def test_registry_invariants():
    assert not set(SOURCES) & set(GATES)
    for op, gate in GATES.items():
        assert gate.name == op and gate.label and gate.doc
        assert gate.weighted == (op == "add")
    assert GATES["pow"].constant_args == (1,)
    assert MAX_EXPONENT >= 2 ** 10
    assert all(math.isfinite(GATES[op].num(0.5)) for op in ("exp", "log", "sqrt", "sin", "cos", "tanh"))
