"""Every gate of the registry, from ONE table, against sympy and central differences.

Each built-in gate has one row of :data:`TABLE` (in the spirit of JAX's
``grad_test_spec``): its meaning written with sympy independently of the
registry, float sample points, exact sample points when the gate is exact,
the partial-rule cases and the gates each partial rule costs.  The tests run
every row through every surface: values (Python floats, Fractions, numpy,
sympy), partial rules against ``sympy.diff``, backward/forward/jvp against
central differences, ``circuits.<name>`` and the ``Wire`` method, parse
(names and aliases), sympy both ways, JSON, compile, simplify, analyze, render,
the hypothesis strategies, the library's random circuits and the benchmark
peers.  A gate added to the registry without a row makes
``test_every_gate_has_a_table_row`` fail.
"""

import math
from collections import namedtuple
from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, find, settings

import circuits
import circuits.testing as ct
from circuits import Builder, CircuitError, evaluate
from circuits.eval.interpreter import node_values
from circuits.core.gates import BUILTIN, GATES, MAX_EXPONENT, SOURCES
from circuits.frontends.parse import FUNCTIONS
from circuits.core.registry import partial_gate_cost

#: meaning: the gate on sympy arguments, written without the registry;
#: points: float argument tuples (a constant argument is an int);
#: exact: Fraction argument tuples (exactly the exact gates have some);
#: partials: (arity, add's weights or None, constant argument or None) cases;
#: cost: {(arity, i, constant argument or None): gates the partial rule emits}.
Row = namedtuple("Row", "meaning points exact partials cost")

_PW = sympy.Piecewise
TABLE = {
    "add": Row(lambda *a: sympy.Add(*a), [(1.5, -2.0), (0.25, 3.0, -1.0), (2.0,)],
               [(Fraction(1, 3), Fraction(-5, 7))], [(2, (1, 1), None), (3, (2, Fraction(-1, 2), 3), None)],
               {(3, 0, None): 0}),
    "mul": Row(lambda *a: sympy.Mul(*a), [(1.5, -2.0), (0.5, 3.0, -4.0)],
               [(Fraction(2, 3), Fraction(9, 4), 5)], [(2, None, None), (3, None, None), (4, None, None)],
               {(2, 0, None): 0, (2, 1, None): 0, (3, 0, None): 1, (4, 2, None): 1}),
    "div": Row(lambda a, b: a / b, [(1.0, 4.0), (-3.0, 0.5)], [(Fraction(1, 3), Fraction(-5, 7))],
               [(2, None, None)], {(2, 0, None): 1, (2, 1, None): 1}),
    "recip": Row(lambda a: 1 / a, [(4.0,), (-0.3,)], [(Fraction(-7, 3),)], [(1, None, None)], {(1, 0, None): 1}),
    "square": Row(lambda a: a ** 2, [(-1.5,), (3.0,)], [(Fraction(-2, 5),)], [(1, None, None)],
                  {(1, 0, None): 0}),
    "pow": Row(lambda a, k: a ** k, [(1.5, 3), (2.0, -2), (-1.2, 5), (0.7, 0)],
               [(Fraction(2, 3), 4), (Fraction(2, 3), -3)], [(2, None, k) for k in (-3, -2, -1, 0, 1, 2, 3, 5)],
               {(2, 1, 2): 0, (2, 0, 0): 0, (2, 0, 1): 0, (2, 0, 2): 0, (2, 0, 3): 1, (2, 0, 4): 1, (2, 0, -2): 1}),
    "exp": Row(sympy.exp, [(0.3,), (-2.0,)], [], [(1, None, None)], {(1, 0, None): 0}),
    "log": Row(sympy.log, [(0.5,), (3.0,)], [], [(1, None, None)], {(1, 0, None): 1}),
    "sqrt": Row(sympy.sqrt, [(0.25,), (2.0,)], [], [(1, None, None)], {(1, 0, None): 1}),
    "sin": Row(sympy.sin, [(0.3,), (-2.5,)], [], [(1, None, None)], {(1, 0, None): 1}),
    "cos": Row(sympy.cos, [(0.3,), (-2.5,)], [], [(1, None, None)], {(1, 0, None): 1}),
    "tanh": Row(sympy.tanh, [(0.3,), (-2.5,)], [], [(1, None, None)], {(1, 0, None): 2}),
    "sigmoid": Row(lambda a: 1 / (1 + sympy.exp(-a)), [(0.0,), (1.5,), (-40.0,), (40.0,)], [],
                   [(1, None, None)], {(1, 0, None): 2}),
    "atan": Row(sympy.atan, [(0.3,), (-2.5,), (40.0,)], [], [(1, None, None)], {(1, 0, None): 3}),
    "tan": Row(sympy.tan, [(0.3,), (-1.2,), (2.5,)], [], [(1, None, None)], {(1, 0, None): 2}),
    "sign": Row(sympy.sign, [(2.0,), (-0.5,), (0.0,)], [(Fraction(-1, 3),), (Fraction(1, 3),), (0,)],
                [(1, None, None)], {(1, 0, None): 0}),
    "abs": Row(sympy.Abs, [(1.5,), (-0.5,), (0.0,)], [(Fraction(-1, 3),), (Fraction(1, 3),)],
               [(1, None, None)], {(1, 0, None): 1}),
    "relu": Row(lambda a: _PW((a, a > 0), (0, True)), [(1.5,), (-0.5,), (0.0,)],
                [(Fraction(-1, 3),), (Fraction(1, 3),)], [(1, None, None)], {(1, 0, None): 1}),
    "step": Row(lambda a: _PW((1, a > 0), (0, True)), [(2.0,), (-0.5,), (0.0,)],
                [(Fraction(-1, 3),), (Fraction(1, 3),)], [(1, None, None)], {(1, 0, None): 0}),
    "max": Row(sympy.Max, [(1.5, -2.0), (0.5, 3.0), (1.0, 1.0)], [(Fraction(1, 3), Fraction(-5, 7))],
               [(2, None, None)], {(2, 0, None): 2, (2, 1, None): 2}),
    "min": Row(sympy.Min, [(1.5, -2.0), (0.5, 3.0), (1.0, 1.0)], [(Fraction(1, 3), Fraction(-5, 7))],
               [(2, None, None)], {(2, 0, None): 2, (2, 1, None): 2}),
    "atan2": Row(sympy.atan2, [(0.5, 2.0), (1.5, -0.5), (-2.0, -1.0)], [], [(2, None, None)],
                 {(2, 0, None): 4, (2, 1, None): 4}),
    "sinh": Row(sympy.sinh, [(0.3,), (-2.5,)], [], [(1, None, None)], {(1, 0, None): 1}),
    "cosh": Row(sympy.cosh, [(0.3,), (-2.5,)], [], [(1, None, None)], {(1, 0, None): 1}),
    "asin": Row(sympy.asin, [(0.3,), (-0.9,)], [], [(1, None, None)], {(1, 0, None): 4}),
    "acos": Row(sympy.acos, [(0.3,), (-0.9,)], [], [(1, None, None)], {(1, 0, None): 4}),
    "asinh": Row(sympy.asinh, [(0.3,), (-2.5,)], [], [(1, None, None)], {(1, 0, None): 4}),
    "acosh": Row(sympy.acosh, [(1.5,), (4.0,)], [], [(1, None, None)], {(1, 0, None): 4}),
    "atanh": Row(sympy.atanh, [(0.3,), (-0.8,)], [], [(1, None, None)], {(1, 0, None): 3}),
    "erf": Row(sympy.erf, [(0.3,), (-1.5,)], [], [(1, None, None)], {(1, 0, None): 3}),
    "log1p": Row(lambda a: sympy.log(1 + a), [(1e-10,), (0.5,), (-0.5,)], [], [(1, None, None)],
                 {(1, 0, None): 2}),
    "expm1": Row(lambda a: sympy.exp(a) - 1, [(1e-10,), (0.5,), (-2.0,)], [], [(1, None, None)],
                 {(1, 0, None): 1}),
    "hypot": Row(lambda a, b: sympy.sqrt(a ** 2 + b ** 2), [(3.0, 4.0), (-1.5, 0.5)], [], [(2, None, None)],
                 {(2, 0, None): 1, (2, 1, None): 1}),
    "powr": Row(lambda a, b: a ** b, [(2.5, 1.7), (0.3, -2.0), (4.0, 0.5)], [], [(2, None, None)],
                {(2, 0, None): 2, (2, 1, None): 2}),
}

U, V = sympy.symbols("u v", real=True)


def test_every_gate_has_a_table_row():
    assert set(TABLE) == set(BUILTIN), "add a TABLE row for the new gate"
    for op, row in TABLE.items():
        assert bool(row.exact) == GATES[op].exact, op
        assert {(a, i) for a, i, _ in row.cost} <= {(a, i) for a, _, _ in row.partials for i in range(a)}


def _gate_circuit(op, point, weights=None):
    """One ``op`` gate over inputs u0, u1, ... (constant arguments as constants) and its input values."""
    gate = GATES[op]
    b = Builder()
    nodes, given = [], {}
    for j, x in enumerate(point):
        if j in gate.constant_args:
            nodes.append(b.const_node(x))
        else:
            nodes.append(b.input_node(f"u{j}"))
            given[f"u{j}"] = x
    b.output("g", b.wire(b.gate(op, *nodes, weights=weights)))
    return b.build(), given


def _expected(op, point):
    gate = GATES[op]
    return TABLE[op].meaning(*[sympy.Integer(x) if j in gate.constant_args else sympy.Float(x, 30)
                               for j, x in enumerate(point)])


def _rows(field):
    return [(op, item) for op, row in TABLE.items() for item in getattr(row, field)]


# --- values ----------------------------------------------------------------------------


@pytest.mark.parametrize("op,point", _rows("points"))
def test_values_match_sympy_in_every_number_system(op, point):
    gate = GATES[op]
    c, given = _gate_circuit(op, point)
    expected = float(_expected(op, point))
    assert evaluate(c, given)["g"] == pytest.approx(expected, rel=1e-12, abs=1e-300)
    assert float(gate.num(*point)) == pytest.approx(expected, rel=1e-12, abs=1e-300)
    assert circuits.compile(c)(given)["g"] == pytest.approx(expected, rel=1e-12, abs=1e-300)
    batch = {k: np.full(3, float(x)) for k, x in given.items()}
    got = evaluate(c, batch)["g"]
    assert got.shape == (3,)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(circuits.compile(c)(batch)["g"], expected, rtol=1e-12, atol=1e-300)
    syms = {k: sympy.Symbol(k, real=True) for k in given}
    expr = evaluate(c, syms)["g"]
    val = expr.subs({syms[k]: sympy.Float(x, 30) for k, x in given.items()})
    assert float(val.evalf(30)) == pytest.approx(expected, rel=1e-12, abs=1e-300)


@pytest.mark.parametrize("op,point", _rows("exact"))
def test_exact_values_match_sympy_rationals(op, point):
    c, given = _gate_circuit(op, point)
    got = evaluate(c, given)["g"]
    expected = sympy.nsimplify(TABLE[op].meaning(*[sympy.Rational(x.numerator, x.denominator)
                                                   if isinstance(x, Fraction) else sympy.Integer(x)
                                                   for x in point]))
    assert isinstance(got, (int, Fraction))
    assert sympy.Rational(got.numerator, got.denominator) == expected


def test_non_exact_gates_refuse_fractions():
    for op in BUILTIN:
        if GATES[op].exact:
            continue
        c, _ = _gate_circuit(op, TABLE[op].points[0])
        with pytest.raises(CircuitError, match=op):
            evaluate(c, {k: Fraction(1, 2) for k in c.inputs})


def test_sigmoid_is_stable_in_both_tails():
    assert GATES["sigmoid"].num(-1000.0) == 0.0
    assert GATES["sigmoid"].num(1000.0) == 1.0
    np.testing.assert_array_equal(GATES["sigmoid"].vec(np.array([-1000.0, 1000.0])), [0.0, 1.0])


# --- partial rules -----------------------------------------------------------------------

ARG_SYMBOLS = sympy.symbols("a0:4", positive=True)


def _partial_against_diff(op, arity, weights, constant):
    """``(i, sympy.diff of the meaning, the partial rule's value)`` for every argument."""
    gate = GATES[op]
    b = Builder()
    args = [b.const_node(constant) if j in gate.constant_args else b.input_node(f"a{j}") for j in range(arity)]
    sym_args = [sympy.Integer(constant) if j in gate.constant_args else ARG_SYMBOLS[j] for j in range(arity)]
    w = None if weights is None else tuple(weights)
    out = b.gate(op, *args, weights=w)
    terms = [a * sympy.nsimplify(c) for a, c in zip(sym_args, weights)] if weights else sym_args
    meaning = sympy.Add(*terms) if gate.weighted else TABLE[op].meaning(*sym_args)
    params = {"weights": w} if gate.weighted else {}
    for i in range(arity):
        rule = gate.partial(b, tuple(args), out, i, **params)
        if i in gate.constant_args:
            assert rule is None
            continue
        if rule is None:
            value = 0
        else:
            node, coeff = rule
            value = sympy.nsimplify(coeff, [sympy.pi])  # erf's 2/√π is a float
            if node is not None:
                values = node_values(b.snapshot(), {f"a{j}": ARG_SYMBOLS[j] for j in range(arity)
                                                                      if j not in gate.constant_args})
                value = values[node] * value
        yield i, sympy.diff(meaning, sym_args[i]), value


@pytest.mark.parametrize("op,case", _rows("partials"))
def test_partial_rule_matches_sympy_diff(op, case):
    kink = GATES[op].kink
    for i, diff, rule in _partial_against_diff(op, *case):
        # arguments are positive symbols: one-sided gates are checked on both
        # sides by the central differences below
        d = sympy.simplify(diff - rule)
        if d != 0 and kink is not None:  # equal off the kink (sympy's Heaviside(0) is 1/2)
            points = [dict(zip(ARG_SYMBOLS, p)) for p in ((sympy.Rational(1, 3), 2, 1, 1), (2, sympy.Rational(1, 3), 1, 1),
                                                          (sympy.Rational(5, 7), sympy.Rational(3, 2), 2, 2))]
            assert all(d.subs(p) == 0 for p in points), (op, i, diff, rule)
        else:
            assert d == 0, (op, i, diff, rule)


def test_partial_gate_cost_values():
    for op, row in TABLE.items():
        for (arity, i, constant), cost in row.cost.items():
            got = partial_gate_cost(op, arity, i) if constant is None else \
                partial_gate_cost(op, arity, i, exponent=constant)
            assert got == cost, (op, arity, i, constant)


# --- transforms against central differences and sympy.diff ----------------------------


def _off_kink(op, point):
    gate = GATES[op]
    return gate.kink is None or abs(gate.kink(*point)) > 1e-3


@pytest.mark.parametrize("op,point", _rows("points"))
def test_backward_forward_jvp_match_central_differences_and_sympy(op, point):
    if not _off_kink(op, point) or (op == "sigmoid" and abs(point[0]) > 30):
        pytest.skip("a kink or a flat tail: no useful difference quotient there")
    c, given = _gate_circuit(op, point)
    g = circuits.backward(c)
    ct.assert_gradient_close(c, g, given)
    ct.assert_gradient_close(c, circuits.forward(c, sparse=True), given)
    ct.assert_gradient_close(c, circuits.simplify(g), given)
    syms = [sympy.Symbol(f"u{j}", real=True) for j in range(len(point))]
    gate = GATES[op]
    meaning = TABLE[op].meaning(*[sympy.Integer(x) if j in gate.constant_args else syms[j]
                                  for j, x in enumerate(point)])
    at = {syms[j]: sympy.Float(x, 30) for j, x in enumerate(point)}
    got = g.evaluate(given)
    for x in given:
        want = float(sympy.diff(meaning, sympy.Symbol(x, real=True)).subs(at).evalf(30))
        assert float(got[f"dg/d{x}"]) == pytest.approx(want, rel=1e-9, abs=1e-12), (op, x)
    tangents = {x: 1.0 for x in given}
    j = circuits.jvp(c, tangents).evaluate(given)["g_dot"]
    assert float(j) == pytest.approx(sum(float(got[f"dg/d{x}"]) for x in given), rel=1e-9, abs=1e-12)


# --- every surface --------------------------------------------------------------------


def _call_text(name, point, gate):
    args = [str(x) if j in gate.constant_args else f"u{j}" for j, x in enumerate(point)]
    return f"{name}({', '.join(args)})"


@pytest.mark.parametrize("op", sorted(TABLE))
def test_every_surface(op):
    gate = GATES[op]
    point = next(p for p in TABLE[op].points if _off_kink(op, p))
    c, given = _gate_circuit(op, point)
    value = evaluate(c, given)["g"]
    if gate.function:
        # circuits.<name>, the Wire method and parse, under the name and every alias
        assert getattr(circuits, op).__name__ == op and op in FUNCTIONS
        for name in gate.names:
            b = circuits.Builder()
            wires = iter(b.inputs(list(given)))
            b.output("f", getattr(circuits.core.builder, name)(
                *[p if j in gate.constant_args else next(wires) for j, p in enumerate(point)]))
            for built in (circuits.parse(_call_text(name, point, gate), inputs=list(given)), b.build()):
                assert built.evaluate(given)["f"] == pytest.approx(value, rel=1e-12)
        ws = circuits.Builder().inputs(list(given))
        if not gate.constant_args:
            wire = getattr(ws[0], op)(*ws[1:])
            assert wire._builder.op(wire.node) == op
    # sympy both ways
    expr = circuits.to_sympy(c)["g"]
    again = circuits.from_sympy(expr, inputs=list(given))
    assert again.evaluate(given)["f"] == pytest.approx(value, rel=1e-12)
    if gate.sympy and not gate.linear:
        assert any(again.op(v) == op for v in again.gates())
    # JSON, compile, simplify, analyze, render
    assert circuits.from_json(circuits.to_json(c)).record == c.record
    assert circuits.compile(c)(given)["g"] == pytest.approx(value, rel=1e-12)
    assert circuits.simplify(c).evaluate(given)["g"] == pytest.approx(value, rel=1e-12)
    assert circuits.analyze(c).op_counts == {op: 1}
    assert gate.label in circuits.render(c).source
    # the benchmark peers' sympy translation
    from benchmarks.peers import sympy_expression
    xs, e = sympy_expression(c)
    assert float(e.subs(dict(zip(xs, [given[str(x)] for x in xs])))) == pytest.approx(value, rel=1e-9)


@pytest.mark.parametrize("op", sorted(TABLE))
def test_strategies_and_random_circuits_draw_every_gate(op):
    gate = GATES[op]
    drawn = find(ct.random_circuits(max_outputs=2, ops=(op,), max_gates=6, exact=gate.exact),
                 lambda c: any(c.op(v) == op for v in c.gates()),
                 settings=settings(max_examples=200, database=None,
                                   suppress_health_check=list(HealthCheck)))
    assert drawn.check() is drawn
    point = {x: 0.375 for x in drawn.inputs}
    assert all(math.isfinite(float(v)) for v in drawn.evaluate(point).values())
    r = circuits.library.random_circuit(3, 25, ops=(op, "add"), seed=4)
    assert any(r.op(v) == op for v in r.gates())
    for seed in range(3):
        xs = np.random.default_rng(seed).uniform(-2, 2, 3)
        values = r.evaluate({x: float(v) for x, v in zip(r.inputs, xs)})
        assert all(math.isfinite(v) and abs(v) < 1e6 for v in values.values())


def test_registry_invariants():
    assert not set(SOURCES) & set(GATES)
    for op in BUILTIN:
        gate = GATES[op]
        assert gate.name == op and gate.label and gate.doc and gate.num and gate.partial
        assert gate.linear <= gate.weighted
        assert gate.formula is not None, "the peers compute gates from their formula"
    assert GATES["pow"].constant_args == (1,)
    assert MAX_EXPONENT >= 2 ** 10
