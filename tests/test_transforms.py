"""Forward propagation, backpropagation and their compositions against outside references.

References: sympy.diff (exact), fractions.Fraction evaluation (exact), central
finite differences, and the closed forms of the exercise function and the worked example.
"""

import math
import random
from fractions import Fraction

import pytest
import sympy

import circuits
from circuits import library
from circuits import (Builder, Circuit, CircuitError, backward, derivative, forward,
                      hessian, hvp, jacobian, jvp, simplify, vjp)
from circuits.core.registry import partial_gate_cost

# --- one table row per gate: how to build it on inputs and where its domain is ---

X, Y = sympy.symbols("x y")

#: gate -> (function of two wires, sympy reference, sample points inside the domain): gates
#: inside small compositions.  Every gate of the registry, alone, is checked by the ONE
#: gate table of tests/test_gates.py.
GATE_CASES = {
    "add": (lambda x, y: _linear(x, y), 3 * X - 2 * Y + 1, [(0.3, -1.2), (2.0, 0.5)]),
    "mul": (lambda x, y: x * y, X * Y, [(0.3, -1.2), (2.0, 0.5)]),
    "mul3": (lambda x, y: circuits.product([x, y, x]), X * Y * X, [(0.3, -1.2), (2.0, 0.5)]),
    "div": (lambda x, y: x / y, X / Y, [(0.3, -1.2), (2.0, 0.5)]),
    "recip": (lambda x, y: 1 / x + y, 1 / X + Y, [(0.3, -1.2), (-2.0, 0.5)]),
    "square": (lambda x, y: (x * y) ** 2, (X * Y) ** 2, [(0.3, -1.2), (2.0, 0.5)]),
    "pow3": (lambda x, y: x ** 3 * y, X ** 3 * Y, [(0.3, -1.2), (2.0, 0.5)]),
    "pow-3": (lambda x, y: x ** -3 + y, X ** -3 + Y, [(0.3, -1.2), (2.0, 0.5)]),
    "exp": (lambda x, y: circuits.exp(x * y), sympy.exp(X * Y), [(0.3, -1.2), (1.0, 0.5)]),
    "log": (lambda x, y: circuits.log(x) * y, sympy.log(X) * Y, [(0.3, -1.2), (2.0, 0.5)]),
    "sqrt": (lambda x, y: circuits.sqrt(x) * y, sympy.sqrt(X) * Y, [(0.3, -1.2), (2.0, 0.5)]),
    "sin": (lambda x, y: circuits.sin(x * y), sympy.sin(X * Y), [(0.3, -1.2), (2.0, 0.5)]),
    "cos": (lambda x, y: circuits.cos(x) * y, sympy.cos(X) * Y, [(0.3, -1.2), (2.0, 0.5)]),
    "tanh": (lambda x, y: circuits.tanh(x - y), sympy.tanh(X - Y), [(0.3, -1.2), (2.0, 0.5)]),
    "sigmoid": (lambda x, y: circuits.sigmoid(2 * x + y), 1 / (1 + sympy.exp(-(2 * X + Y))),
                [(0.3, -1.2), (2.0, 0.5)]),
    "relu": (lambda x, y: circuits.relu(x) * y, sympy.Max(0, X) * Y, [(0.3, -1.2), (-2.0, 0.5)]),
    "step": (lambda x, y: circuits.step(x) * y + x, sympy.Heaviside(X, 0) * Y + X, [(0.3, -1.2), (-2.0, 0.5)]),
}


def _linear(x, y):
    return 3 * x - 2 * y + 1


@pytest.mark.parametrize("case", sorted(GATE_CASES))
@pytest.mark.parametrize("transform", ["forward", "forward_sparse", "backward"])
def test_gate_partials_match_sympy_and_finite_differences(case, transform):
    fn, reference, points = GATE_CASES[case]
    c = circuits.trace(fn, inputs=["x", "y"])
    g = {"forward": lambda: forward(c), "forward_sparse": lambda: forward(c, sparse=True),
         "backward": lambda: backward(c)}[transform]()
    g.check()
    for x0, y0 in points:
        values = g.evaluate(x=x0, y=y0)
        for var, name in ((X, "df/dx"), (Y, "df/dy")):
            want = float(sympy.diff(reference, var).subs({X: x0, Y: y0}))
            assert values[name] == pytest.approx(want, rel=1e-12, abs=1e-12)
        assert circuits.check_gradient(c, g, {"x": x0, "y": y0})
    if case not in ("relu", "step"):  # sympy's diff of Max/Heaviside has no closed form to compare
        assert circuits.symbolic_check(c, g)


EXACT_CASES = ["add", "mul", "mul3", "div", "recip", "square", "pow3", "pow-3", "relu", "step"]


@pytest.mark.parametrize("case", EXACT_CASES)
def test_forward_and_backward_agree_exactly_on_rational_gates(case):
    fn, reference, points = GATE_CASES[case]
    c = circuits.trace(fn, inputs=["x", "y"])
    point = {"x": Fraction(3, 7), "y": Fraction(-5, 2)}
    fw, fs, bw = forward(c).evaluate(point), forward(c, sparse=True).evaluate(point), backward(c).evaluate(point)
    assert fw == fs == bw
    for var, name in ((X, "df/dx"), (Y, "df/dy")):
        want = sympy.diff(reference, var).subs({X: sympy.Rational(3, 7), Y: sympy.Rational(-5, 2)})
        assert sympy.Rational(bw[name].numerator, bw[name].denominator) == want
        assert isinstance(bw[name], (int, Fraction))


def test_worked_example():
    """y = (x1 + x2 + x1·x2)(x1 + x2): ∂y/∂x1 = 2x1 + 2x2 + 2x1x2 + x2²."""
    b = Builder()
    x1, x2 = b.inputs("x1 x2")
    u1 = b.gate("add", x1, x2)
    u2 = b.gate("mul", x1, x2)
    u3 = b.gate("add", u1, u2)
    y = b.gate("mul", u1, u3)
    b.output_node("y", y)
    c = b.build()
    for transform in (backward, forward):
        g = transform(c)
        for a, bb in [(Fraction(1, 3), Fraction(2)), (Fraction(-4), Fraction(5, 3))]:
            got = g.evaluate(x1=a, x2=bb)
            assert got["dy/dx1"] == 2 * a + 2 * bb + 2 * a * bb + bb ** 2
            assert got["dy/dx2"] == 2 * a + 2 * bb + 2 * a * bb + a ** 2


def test_exercise_function_closed_forms():
    f = circuits.trace(lambda x, y, z, v:
                       circuits.exp(y ** (-x) - circuits.log(z)) + (y - z) ** 2 * circuits.log(v))
    point = dict(x=0.7, y=1.9, z=0.6, v=2.5)
    x, y, z, v = point.values()
    e = math.exp(y ** -x - math.log(z))
    closed = {
        "df/dx": e * math.exp(-x * math.log(y)) * (-math.log(y)),
        "df/dy": e * math.exp(-x * math.log(y)) * (-x / y) + 2 * (y - z) * math.log(v),
        "df/dz": e / (-z) - 2 * (y - z) * math.log(v),
        "df/dv": (y - z) ** 2 / v,
    }
    for g in (backward(f), forward(f), forward(f, sparse=True), simplify(backward(f))):
        got = g.evaluate(point)
        for name, want in closed.items():
            assert got[name] == pytest.approx(want, rel=1e-12)


def figure1():
    return circuits.trace(lambda x, y, z: (x - 3 * y - 3 * z + 5) ** 2 + (x - 2 * y - 2 * z) ** 2
                          + (x + y - 5 * z - 3) ** 2)


def test_figure1_gradient_sizes():
    f = figure1()
    assert (f.size, f.depth, f.wires) == (7, 3, 17)
    # literal forward: per input, one sum + one product per wire = n·(s + w)
    fw = forward(f, keep_primal=True)
    assert fw.size == f.size + 3 * (f.size + f.wires)
    # backward is already the hand-built minimal gradient: 3 linear forms + 3 sums
    assert backward(f).size == 6
    assert simplify(backward(f)).size == 6
    assert simplify(forward(f)).size == 6


def _theorem3_bound(c: Circuit) -> int:
    """Σ over wires (partial cost + 2) + nodes: the backpropagation size bound with the registry's constants."""
    total = len(c)
    for g in c.gates():
        a = c.args(g)
        for i in range(len(a)):
            if c.op(g) == "add":
                cost = 0
            else:
                cost = partial_gate_cost(c.op(g), len(a), i,
                                         exponent=c.value(a[1]) if c.op(g) == "pow" else 2)
            total += cost + 2
    return total


def _random_circuit(seed, n_inputs=4, n_gates=30, ops=("add", "mul", "sin", "exp", "square", "div", "tanh")):
    """The library's random circuit (the package's one seeded generator), outputs renamed f and g."""
    c = library.random_circuit(n_inputs, n_gates, ops=ops, seed=seed, n_outputs=2)
    return c.replace(outputs=dict(zip(("f", "g"), c.outputs.values())))


@pytest.mark.parametrize("seed", range(12))
def test_random_circuits_forward_backward_finite_differences(seed):
    c = _random_circuit(seed)
    rng = random.Random(seed)
    point = {x: rng.uniform(-1.5, 1.5) for x in c.inputs}
    bw, fw, fs = backward(c), forward(c), forward(c, sparse=True)
    vb, vf, vs = bw.evaluate(point), fw.evaluate(point), fs.evaluate(point)
    for name in vb:
        assert vb[name] == pytest.approx(vf[name], rel=1e-9, abs=1e-12)
        assert vb[name] == pytest.approx(vs[name], rel=1e-9, abs=1e-12)
    assert circuits.check_gradient(c, bw, point)
    # size laws
    assert bw.size <= c.size + _theorem3_bound(c)
    n = len(c.inputs)
    assert fw.size <= c.size + n * (c.size + c.wires) + sum(
        partial_gate_cost(c.op(g), len(c.args(g)), i) for g in c.gates() for i in range(len(c.args(g))))
    assert fw.size >= n * (c.size + c.wires) // 2
    h = hvp(c, "f")
    assert h.size <= 12 * (c.size + c.wires)
    for out in (bw, fw, fs, h, simplify(bw)):
        out.check()
        Circuit.from_networkx(out.dag)


def test_random_circuits_sympy_agreement():
    for seed in range(3):
        c = _random_circuit(seed, n_inputs=2, n_gates=8)
        assert circuits.symbolic_check(c, backward(c))
        assert circuits.symbolic_check(c, forward(c, sparse=True))


@pytest.mark.parametrize("n", [2, 4, 8, 16])
def test_forward_grows_as_n_times_size_backward_linear(n):
    """‖Ax − b‖² on n variables: forward/(n·(s+w)) constant, backward/(s+w) constant."""
    rng = random.Random(n)
    b = Builder()
    xs = b.inputs([f"x{i}" for i in range(n)])
    rows = [circuits.sum_of(xs, [rng.randint(-3, 3) or 1 for _ in xs]) - rng.randint(-5, 5) for _ in range(n)]
    b.output("f", circuits.sum_of([circuits.square(r) for r in rows]))
    c = b.build()
    s, w = c.size, c.wires
    fw = forward(c, keep_primal=True)
    ratio = (fw.size - s) / (n * (s + w))
    assert 0.9 <= ratio <= 1.1
    bw = backward(c, keep_primal=True)
    assert bw.size - s <= 3 * w + len(c)
    assert (bw.size - s) / (s + w) <= 1.0


def test_composition_second_order_against_sympy():
    c = circuits.trace(lambda x, y: circuits.sin(x * y) + x ** 3 / y)
    xs, ys = sympy.symbols("x y")
    f = sympy.sin(xs * ys) + xs ** 3 / ys
    point = {"x": 0.4, "y": 1.3}
    subs = {xs: 0.4, ys: 1.3}
    second = {f"d2f/d{a}d{b}": float(sympy.diff(f, sa, sb).subs(subs))
              for a, sa in (("x", xs), ("y", ys)) for b, sb in (("x", xs), ("y", ys))}
    for h in (hessian(c), derivative(c, 2)):
        got = h.evaluate(point)
        for k, v in second.items():
            assert got[k] == pytest.approx(v, rel=1e-12)
    for composed in (forward(backward(c)), backward(backward(c)), backward(forward(c)), forward(forward(c))):
        got = composed.evaluate(point)
        assert len(got) == 4
        assert sorted(round(v, 9) for v in got.values()) == sorted(round(v, 9) for v in second.values())
    third = derivative(c, 3).evaluate(point)
    assert third["d3f/dxdxdy"] == pytest.approx(float(sympy.diff(f, xs, xs, ys).subs(subs)), rel=1e-12)


def test_jvp_vjp_hvp_against_jacobian():
    c = circuits.trace(lambda x, y, z: (x * y * z, circuits.sin(x) + y ** 2, circuits.exp(z) * x))
    point = {"x": 0.3, "y": -0.7, "z": 1.1}
    J = jacobian(c, mode="reverse").evaluate(point)
    Jf = jacobian(c, mode="forward").evaluate(point)
    assert J.keys() == Jf.keys()
    for k in J:
        assert J[k] == pytest.approx(Jf[k], rel=1e-12)
    v = {"x_dot": 1.5, "y_dot": -2.0, "z_dot": 0.25}
    jv = jvp(c).evaluate({**point, **v})
    for y in c.outputs:
        want = sum(J[f"d{y}/d{x}"] * v[f"{x}_dot"] for x in c.inputs)
        assert jv[f"{y}_dot"] == pytest.approx(want, rel=1e-12)
    w = {"f0_bar": 0.5, "f1_bar": -1.0, "f2_bar": 3.0}
    wj = vjp(c).evaluate({**point, **w})
    for x in c.inputs:
        want = sum(w[f"{y}_bar"] * J[f"d{y}/d{x}"] for y in c.outputs)
        assert wj[f"{x}_bar"] == pytest.approx(want, rel=1e-12)
    # constant seeds
    assert jvp(c, {"x": 1}).evaluate(point)["f0_dot"] == pytest.approx(J["df0/dx"])
    f = circuits.trace(lambda x, y, z: x * y * z + circuits.sin(x) * y ** 2)
    H = hessian(f).evaluate(point)
    hv = hvp(f).evaluate({**point, **v})
    for a in f.inputs:
        want = sum(H[f"d2f/d{a}d{b}"] * v[f"{b}_dot"] for b in f.inputs)
        assert hv[f"Hv[{a}]"] == pytest.approx(want, rel=1e-12)


def test_jacobian_auto_mode_builds_the_cheapest_counted_order():
    wide = circuits.trace(lambda x: tuple(circuits.sin(k * x) for k in range(1, 6)))
    tall = circuits.trace(lambda a, b, c, d: circuits.sin(a * b) * (c * d) * a)
    for c, point in ((wide, {"x": 0.3}), (tall, {"a": 0.3, "b": 2.0, "c": -1.0, "d": 0.5})):
        costs = circuits.order_costs(c)
        best = min(v[:2] for v in costs.values())
        e = circuits.eliminate(c, circuits.cheapest_order(c))
        assert e.cost == best <= costs["forward"][:2] and best <= costs["reverse"][:2]
        J = jacobian(c)
        assert J.size == e.jacobian.size
        want = backward(c).evaluate(point)
        assert J.evaluate(point) == pytest.approx(want)
        for mode in ("forward", "reverse", "markowitz", "min_fill", "optimal"):
            assert jacobian(c, mode=mode).evaluate(point) == pytest.approx(want)
    # the sweeps stay available under their names
    assert jacobian(wide, mode="forward").size == forward(wide, sparse=True).size
    assert jacobian(tall, mode="reverse").size == backward(tall).size


def test_simplify_preserves_values_and_is_idempotent():
    for seed in range(8):
        c = _random_circuit(seed)
        for g in (c, backward(c), forward(c), hessian(c, "f")):
            s = simplify(g)
            assert s.size <= g.size
            s2 = simplify(s)
            assert s2.record[:3] == s.record[:3]
            point = {x: 0.1 * (i + 1) for i, x in enumerate(g.inputs)}
            a, bvals = g.evaluate(point), s.evaluate(point)
            for k in a:
                assert bvals[k] == pytest.approx(a[k], rel=1e-9, abs=1e-12)


def test_simplify_identities_exactly():
    c = circuits.trace(lambda x, y: (x * 1 + 0) * (2 * y) + x * y * 0 + 3 * x / 3 - x + circuits.exp(0) * 0)
    s = simplify(c)
    assert [s.op(v) for v in s.gates()] == ["mul"]  # 2·(x·y) + x·y becomes one product x·y·3
    point = {"x": Fraction(2, 3), "y": Fraction(5)}
    assert s.evaluate(point) == c.evaluate(point)
    # common subexpressions with commuted operands
    d = circuits.trace(lambda x, y: circuits.sin(x * y) + circuits.sin(y * x))
    assert simplify(d).size == 3


def test_transforms_do_not_mutate_their_input():
    c = _random_circuit(3)
    r = c.record
    before = (list(r.ops), list(r.args), list(r.params), dict(r.constants), dict(c.outputs))
    for t in (backward, forward, simplify, hvp, jvp, vjp):
        t(c) if t is not hvp else t(c, "f")
    r = c.record
    assert before == (list(r.ops), list(r.args), list(r.params), dict(r.constants), dict(c.outputs))


def test_deep_chain_through_every_transform():
    depth = 100_000
    b = Builder()
    x = b.input_node("x")
    v = x
    for _ in range(depth):
        v = b.gate("sin", v)
    b.output_node("f", v)
    c = b.build()
    assert c.depth == depth
    bw = backward(c)
    assert bw.size <= 3 * depth
    fw = forward(c, sparse=True)
    s = simplify(bw)
    point = {"x": 0.5}
    # reference: the chain rule evaluated by a plain loop
    value, slope = 0.5, 1.0
    for _ in range(depth):
        value, slope = math.sin(value), slope * math.cos(value)
    for g in (bw, fw, s):
        assert g.evaluate(point)["df/dx"] == pytest.approx(slope, rel=1e-9)
    assert forward(c).size >= 2 * depth  # literal mode too


def test_a_circuit_without_inputs_has_no_gradient_and_says_so():
    """Was 'the circuit has no outputs; declare one with output(name, wire)' about a circuit with one."""
    c = circuits.parse("3")
    for transform in (backward, forward):
        with pytest.raises(CircuitError, match="no inputs, so there is no partial .* inputs=\\['x'\\]"):
            transform(c)
    assert backward(c, keep_primal=True).evaluate() == {"f": 3}
    assert backward(circuits.parse("3", inputs=["x"])).evaluate(x=1.0) == {"df/dx": 0}


def test_errors_name_the_problem():
    c = circuits.trace(lambda x, y: (x * y, x + y))
    with pytest.raises(CircuitError, match="'q' is not an input"):
        forward(c, wrt=["q"])
    with pytest.raises(CircuitError, match="'h' is not an output"):
        backward(c, output="h")
    with pytest.raises(CircuitError, match="2 outputs"):
        hvp(c)
    with pytest.raises(CircuitError, match="mode"):
        jacobian(c, mode="sideways")
    with pytest.raises(CircuitError, match="not one of"):
        jvp(c, {"nope": 1})


def test_outputs_are_named_and_ordered():
    c = circuits.trace(lambda x, y: (x * y, x + y))
    assert list(forward(c).outputs) == ["df0/dx", "df0/dy", "df1/dx", "df1/dy"]
    assert list(backward(c).outputs) == ["df0/dx", "df0/dy", "df1/dx", "df1/dy"]
    assert list(forward(c, wrt=["y"], keep_primal=True).outputs) == ["f0", "f1", "df0/dy", "df1/dy"]
    assert list(backward(backward(c, output="f0")).outputs)[:2] == ["d(df0/dx)/dx", "d(df0/dx)/dy"]
    # derivative of constants and of unused inputs is an explicit 0
    k = circuits.trace(lambda x, y: x * 2)
    assert backward(k).evaluate(x=1, y=1) == {"df/dx": 2, "df/dy": 0}


def test_backward_roles_for_rendering():
    f = figure1()
    g = backward(f, keep_primal=True)
    roles = g.meta["role"]
    assert len(roles) == len(g)
    assert {roles[v] for v in g.gates()} == {"primal", "derivative"}
    assert sum(roles[v] == "primal" for v in g.gates()) == f.size


def test_bauer_paths_counts_grow_exponentially_while_backward_is_linear():
    # a ladder: each level multiplies the number of paths by 2
    b = Builder()
    x = b.input_node("x")
    v = x
    for _ in range(12):
        v = b.gate("mul", v, b.gate("sin", v))
    b.output_node("f", v)
    c = b.build()
    with pytest.raises(CircuitError, match="4096 paths"):
        circuits.bauer_paths(c, max_paths=1000)
    small = circuits.trace(lambda x: x * circuits.sin(x) * circuits.exp(x))
    r = circuits.bauer_paths(small)
    point = 0.7
    want = backward(small).evaluate(x=point)["df/dx"]
    assert float(r.value.subs(sympy.Symbol("x"), point)) == pytest.approx(want, rel=1e-12)
    assert circuits.bauer_paths(small, point={"x": point}).value == pytest.approx(want, rel=1e-12)


def test_backward_records_which_node_each_adjoint_mirrors():
    c = circuits.trace(lambda x, y: circuits.sin(x * y) * circuits.exp(x))
    g = backward(c, keep_primal=True)
    mirror = g.meta["adjoint_of"]
    roles = g.meta["role"]
    assert mirror and all(roles[a] == "derivative" and roles[z] == "primal" for a, z in mirror.items())
    # the adjoint of each input is the node of its partial derivative output
    for x, _v in c.inputs.items():
        assert mirror[g.outputs[f"df/d{x}"]] == g.inputs[x]


def test_builder_output_refuses_bare_ints_but_trace_accepts_constant_results():
    b = Builder()
    u = b.input_node("x")
    with pytest.raises(CircuitError, match="output_node"):
        b.output("y", b.gate("sin", u))
    assert circuits.trace(lambda x: 3).evaluate(x=1) == {"f": 3}
    assert backward(circuits.trace(lambda x: (x, 2))).evaluate(x=1.5) == {"df0/dx": 1, "df1/dx": 0}


def test_overflowing_constant_factors_are_refused():
    with pytest.raises(CircuitError, match="finite"):
        circuits.trace(lambda x: x * math.exp(700) * math.exp(700))


def test_simplify_never_grows_circuits_with_constant_factors():
    """Cases found by random property runs: constants inside shared products and squares."""
    b = Builder()
    x = b.input_node("x")
    b.output_node("f", b.gate("mul", x, b.const_node(2), x))
    c = b.build()
    assert simplify(c).size == 1 and simplify(c).evaluate(x=3) == {"f": 18}

    b = Builder()
    x = b.input_node("x")
    one, half = b.const_node(1), b.const_node(Fraction(1, 2))
    m = b.gate("mul", x, x, half)
    sq = b.gate("square", m)                 # shared: used by an add and by a div
    b.output_node("f", b.gate("div", sq, b.gate("add", sq, one)))
    c = b.build()
    s = simplify(c)
    assert s.size <= c.size
    point = {"x": Fraction(3, 2)}
    assert s.evaluate(point) == c.evaluate(point)
    d = circuits.trace(lambda v: 3 / v)
    assert [simplify(d).op(g) for g in simplify(d).gates()] == ["div"]


def test_simplify_divides_instead_of_multiplying_by_a_reciprocal():
    """u·(1/v) is one ÷ gate: the reciprocal of a quotient rule's partial disappears."""
    b = Builder()
    x, y = b.input_node("x"), b.input_node("y")
    b.output_node("f", b.gate("mul", x, b.gate("recip", y)))
    s = simplify(b.build())
    assert [s.op(g) for g in s.gates()] == ["div"]
    assert s.evaluate(x=Fraction(3), y=Fraction(4)) == {"f": Fraction(3, 4)}


def test_simplify_scales_a_used_product_instead_of_repeating_it():
    """−(x·y) next to a use of x·y: a scale gate (one operation), not x·y·(−1) (two)."""
    b = Builder()
    x, y = b.input_node("x"), b.input_node("y")
    p = b.gate("mul", x, y)
    b.output_node("f", b.gate("sin", p))
    b.output_node("g", b.gate("add", p, weights=(-1,)))
    s = simplify(b.build())
    assert sorted(s.op(g) for g in s.gates()) == ["add", "mul", "sin"]
    assert circuits.cost(s, "binary") == 3
    assert s.evaluate(x=2, y=3)["g"] == -6


def test_simplify_for_operations_shares_the_partials_of_a_long_product():
    """∇(x₁⋯x₆): six 5-factor products (6·4 = 24 operations) become prefix and
    suffix chains: 4 + 4 operations for the chains, 4 to join them (12)."""
    names = [f"x{i}" for i in range(1, 7)]
    c = circuits.trace(lambda *xs: circuits.product(list(xs)), inputs=names)
    g = circuits.backward(c)
    by_gates, by_ops = simplify(g), simplify(g, minimize="ops")
    assert circuits.cost(by_gates, "binary") == 24
    assert circuits.cost(by_ops, "binary") == 12
    assert all(len(by_ops.args(v)) == 2 for v in by_ops.gates())
    point = {n: Fraction(i + 2, 3) for i, n in enumerate(names)}
    total = math.prod(point.values())
    assert by_ops.evaluate(point) == {f"df/d{n}": total / point[n] for n in names}


def test_simplify_for_operations_shares_partials_of_a_wide_product_in_linear_time():
    """300 factors: 300·298 = 89,400 operations become 3·300 − 6 = 894."""
    names = [f"x{i}" for i in range(300)]
    g = simplify(circuits.backward(circuits.trace(lambda *xs: circuits.product(list(xs)), inputs=names)))
    assert circuits.cost(g, "binary") == 300 * 298
    by_ops = simplify(g, minimize="ops")
    assert circuits.cost(by_ops, "binary") == 3 * 300 - 6
    point = {n: Fraction(1 + i % 7, 1 + i % 5) for i, n in enumerate(names)}
    total = math.prod(point.values())
    got = by_ops.evaluate(point)
    assert all(got[f"df/d{n}"] == total / point[n] for n in names)


def test_simplify_for_operations_factors_a_shared_weight():
    """r = x + 3y enters four sums with weights 2, −2, 2, 3: 2·r is formed once and
    three weights become ±1 (11 operations → 9, one more gate)."""
    b = Builder()
    x, y = b.input_node("x"), b.input_node("y")
    r = b.gate("add", x, y, weights=(1, 3))
    b.output_node("a", b.gate("add", r, x, weights=(2, 1)))
    b.output_node("b", b.gate("add", r, y, weights=(-2, 1)))
    b.output_node("c", b.gate("add", r, x, y, weights=(2, 1, 1)))
    b.output_node("d", b.gate("add", r, y, weights=(3, 1)))
    c = b.build()
    by_gates, by_ops = simplify(c), simplify(c, minimize="ops")
    assert (by_gates.size, circuits.cost(by_gates, "binary")) == (5, 11)
    assert (by_ops.size, circuits.cost(by_ops, "binary")) == (6, 9)
    point = {"x": Fraction(1, 3), "y": Fraction(-5, 7)}
    assert by_ops.evaluate(point) == c.evaluate(point)


def test_simplify_for_operations_keeps_a_scale_formed_once():
    """Issue 17: backward forms 2u once for (xy + x)²; spreading the 2 into two
    weights and a three-factor product took 6 operations to 8."""
    g = circuits.backward(circuits.parse("(x*y + x)*(x*y + x)"))
    assert circuits.cost(g, "binary") == 6
    by_ops = simplify(g, minimize="ops")
    assert circuits.cost(by_ops, "binary") == 6
    point = {"x": Fraction(2, 3), "y": Fraction(-5, 7)}
    assert by_ops.evaluate(point) == g.evaluate(point)


def test_simplify_for_operations_takes_a_common_weight_out_of_a_sum():
    """∂/∂x₁ of the Brown badly scaled function is 2·(x₁ − 10⁶) + 2·x₂·(x₁x₂ − 2): the 2 is
    taken out of the sum (CasADi: 11 operations for the gradient; this: 10)."""
    g = circuits.backward(circuits.library.mgh.circuit("brown_badly_scaled"))
    by_ops = simplify(g, minimize="ops")
    assert circuits.cost(g, "binary") == 12 and circuits.cost(by_ops, "binary") == 10
    point = {"x_1": Fraction(3, 2), "x_2": Fraction(-1, 3)}
    assert by_ops.evaluate(point) == g.evaluate(point)


def test_simplify_minimize_is_checked():
    with pytest.raises(ValueError, match="'gates' or 'ops'"):
        simplify(circuits.parse("x + 1"), minimize="size")


def test_simplify_for_operations_reuses_a_partial_sum():
    """S − z for S = x + y + z is the partial sum x + y that S can be built from; S, then
    used only by S − y, merges into it: x + y and z − y + (x + y), 4 → 3 operations."""
    b = Builder()
    x, y, z = (b.input_node(n) for n in "xyz")
    total = b.gate("add", x, y, z)
    b.output_node("a", b.gate("add", total, z, weights=(1, -1)))
    b.output_node("b", b.gate("add", total, y, weights=(1, -1)))
    c = b.build()
    by_gates, by_ops = simplify(c), simplify(c, minimize="ops")
    assert (by_gates.size, circuits.cost(by_gates, "binary")) == (3, 4)
    assert (by_ops.size, circuits.cost(by_ops, "binary")) == (2, 3)
    assert by_ops.evaluate(x=1, y=10, z=100) == {"a": 11, "b": 101}


def test_simplify_folds_negative_powers_of_integers_exactly():
    """Found by a 10× property run: 5 ** -1 folded to the float 0.2."""
    b = Builder()
    x = b.input_node("x")
    five = b.const_node(5)
    b.output_node("f", b.gate("mul", x, b.gate("pow", five, b.const_node(-1))))
    s = simplify(b.build())
    assert s.evaluate(x=Fraction(1)) == {"f": Fraction(1, 5)}


def test_forward_figure2_is_the_hand_drawn_construction_with_its_42_gates():
    """∇f of the sum-of-squares example by forward propagation drawn by hand has 3 + 3·13 = 42 gates."""
    f = circuits.library.figure1()
    g = circuits.forward(f, figure2=True)
    assert g.size == 42
    # 3 gates of f (the three linear forms) are shared; each partial adds 13
    one_partial = circuits.forward(f, wrt=["x"], figure2=True)
    assert one_partial.size == 3 + 13
    assert g.evaluate(x=1, y=2, z=3) == circuits.backward(f).evaluate(x=1, y=2, z=3)
    from circuits.testing import assert_gradient_close
    assert_gradient_close(f, g, {"x": 0.3, "y": -1.2, "z": 0.7})
    # an output that does not depend on an input gets a zero partial
    h = circuits.forward(circuits.parse("x*x", inputs=["x", "z"]), figure2=True)
    assert h.evaluate(x=3.0, z=1.0) == {"df/dx": 6.0, "df/dz": 0}


# --- check_gradient on badly scaled problems (issue 17) ------------------------------------

def _powell_badly_scaled_gradient(flip: bool = False):
    """∇ of Powell's badly scaled function by hand (Moré, Garbow, Hillstrom 1981, problem 3):
    r₁ = 10⁴x₁x₂ − 1, r₂ = e^(−x₁) + e^(−x₂) − 1.0001, ∂f/∂x₁ = 2r₁·10⁴x₂ − 2r₂e^(−x₁), likewise x₂."""
    sign = 1 if flip else -1

    def grad(x_1, x_2):
        r1 = 10_000 * x_1 * x_2 - 1
        r2 = circuits.exp(-x_1) + circuits.exp(-x_2) - Fraction(10001, 10000)
        return {"df/dx_1": 2 * r1 * 10_000 * x_2 + sign * 2 * r2 * circuits.exp(-x_1),
                "df/dx_2": 2 * r1 * 10_000 * x_1 - 2 * r2 * circuits.exp(-x_2)}
    return circuits.trace(grad)


def test_check_gradient_has_no_false_alarm_on_badly_scaled_problems():
    mgh = circuits.library.mgh
    cases = [("brown_badly_scaled", {"x_1": 1.353817643019049, "x_2": 0.8639346706283907}),
             ("meyer", {"x_1": 5.60963766837e-03, "x_2": 6.18134616768e+03, "x_3": 3.45223628592e+02}),
             ("osborne1", {"x_1": 0.37541, "x_2": 1.935836, "x_3": -1.464676, "x_4": 0.0128676,
                           "x_5": 0.0221227}),
             ("biggs_exp6", {"x_1": 1.0, "x_2": 10.0, "x_3": 1.0, "x_4": 5.0, "x_5": 4.0, "x_6": 3.0})]
    # the first three flagged a correct gradient before (f near 10¹²; steps too large for x₄ = 0.013;
    # truncation error at Meyer's minimiser); Biggs' minimiser has an exactly zero gradient
    for name, point in cases:
        f = mgh.circuit(name)
        report = circuits.check_gradient(f, backward(f), point)
        assert report, (name, str(report))
    # Brown's f is near 10¹² there: ∂f/∂x₂ ≈ −0.545 is only resolved to a few digits, and the report says so
    f = mgh.circuit("brown_badly_scaled")
    rows = {r[0]: r for r in circuits.check_gradient(f, backward(f), cases[0][1]).rows}
    assert rows["df/dx_2"][4] > 1e-5 > rows["df/dx_1"][4]
    f = mgh.circuit("powell_badly_scaled")
    assert circuits.check_gradient(f, _powell_badly_scaled_gradient(), {"x_1": 0.0, "x_2": 1.0})


def test_check_gradient_still_catches_wrong_gradients():
    mgh = circuits.library.mgh
    f = mgh.circuit("powell_badly_scaled")
    # the sign of the small e^(−x₁) term in ∂f/∂x₁: 1.5 parts in 10⁴ of the partial
    report = circuits.check_gradient(f, _powell_badly_scaled_gradient(flip=True), {"x_1": 0.0, "x_2": 1.0})
    assert not report and [r[0] for r in report.rows if not r[5]] == ["df/dx_1"]
    assert "too large" in str(report)
    # one partial off by 10⁻³ of itself, on Brown's badly scaled function and on Osborne 1
    for name, point in (("brown_badly_scaled", {"x_1": 1.35, "x_2": 0.86}), ("osborne1", mgh.start("osborne1"))):
        f = mgh.circuit(name)
        g = backward(f)
        b = Builder.extending(g)
        for out, v in g.outputs.items():
            b.output_node(out, b.gate("add", v, weights=(1.001,)) if out == "df/dx_1" else v)
        report = circuits.check_gradient(f, b.build(), point)
        assert [r[0] for r in report.rows if not r[5]] == ["df/dx_1"], (name, str(report))


def test_one_finite_difference_scheme_steps_back_from_kinks():
    """check_gradient, finite_differences and assert_gradient_close share one scheme: with a
    largest step that straddles relu's kink (x = 0.05, step 0.1) it shrinks the step instead of
    averaging the two slopes, and refuses a point on the kink."""
    from circuits.testing import assert_gradient_close
    from circuits.ad.verify import finite_differences
    f = circuits.parse("relu(x) * y + abs(y - 2)")
    g = backward(f)
    point = {"x": 0.05, "y": 3.0}
    assert circuits.check_gradient(f, g, point, eps=0.1)
    d = finite_differences(f, point, h=0.1)
    assert d["x"]["f"] == pytest.approx(3.0, rel=1e-9) and d["y"]["f"] == pytest.approx(1.05, rel=1e-9)
    assert_gradient_close(f, g, point, h=0.1)
    # a wrong partial is still caught when the step had to shrink
    b = Builder.extending(g)
    for out, v in g.outputs.items():
        b.output_node(out, b.gate("add", v, weights=(1.001,)) if out == "df/dx" else v)
    assert not circuits.check_gradient(f, b.build(), point, eps=0.1)
    for check in (lambda p: circuits.check_gradient(f, g, p), lambda p: finite_differences(f, p)):
        with pytest.raises(CircuitError, match="kink"):
            check({"x": 0.0, "y": 3.0})


@pytest.mark.parametrize("x", [1e3, 1e4, 1e6, -3e5])
def test_check_gradient_far_from_zero_on_a_scale_of_one(x):
    """sin at x = 10⁴: steps of 0.1·|x| = 10³ average sin's slope away, all alike, and Ridders trusted
    that (a false alarm on a correct gradient); steps from 0.1 are also taken and win when the two disagree."""
    from circuits.ad.verify import finite_differences
    f = circuits.parse("sin(x) * exp(y) + abs(x - y)")
    point = {"x": x, "y": -1.0}
    assert circuits.check_gradient(f, backward(f), point), str(circuits.check_gradient(f, backward(f), point))
    exact = math.cos(x) * math.exp(-1.0) + math.copysign(1.0, x + 1.0)
    assert finite_differences(f, point)["x"]["f"] == pytest.approx(exact, rel=1e-4)
    wrong = circuits.parse("sin(x) * exp(y) + x")   # its gradient is not f's
    assert not circuits.check_gradient(f, backward(wrong), point)


def test_check_gradient_argument_errors():
    f = circuits.library.mgh.circuit("rosenbrock")
    g = backward(f)
    with pytest.raises(CircuitError, match="missing value for input 'x_2'"):
        circuits.check_gradient(f, g, {"x_1": 1.0})
    with pytest.raises(CircuitError, match="not a number"):
        circuits.check_gradient(f, g, {"x_1": "a", "x_2": 2.0})
    log = circuits.parse("log(x)")
    with pytest.raises(CircuitError, match="log"):
        circuits.check_gradient(log, backward(log), {"x": -1.0})
    # were ZeroDivisionError, ValueError, TypeError, a kink 'within -1', and a FAILED report of nan
    for kwargs, message in [({"eps": 0}, "eps must be a positive number"),
                            ({"eps": -1.0}, "eps must be a positive number"),
                            ({"eps": "a"}, "eps must be a positive number"),
                            ({"tolerance": "a"}, "tolerance must be a number"),
                            ({}, r"point\['x_1'\] is nan; finite differences need a finite point")]:
        point = {"x_1": float("nan") if not kwargs else 1.0, "x_2": 2.0}
        with pytest.raises(CircuitError, match=message):
            circuits.check_gradient(f, g, point, **kwargs)
    from circuits.ad.verify import finite_differences
    with pytest.raises(CircuitError, match="h must be a positive number"):
        finite_differences(f, {"x_1": 1.0, "x_2": 2.0}, h=0.0)


def test_simplify_refuses_an_unknown_objective():
    with pytest.raises(CircuitError, match="minimize must be 'gates' or 'ops', not 'size'"):
        circuits.simplify(circuits.parse("x + x"), minimize="size")


def _untrimmed(c, cotangents=False):
    """backward (or vjp) of the first output through the sweep that drops no gate early.

    With a caching linearization, the sweep calls every partial rule (no template) and
    trims nothing, as sweeps sharing one linearization must.
    """
    from circuits.ad.backward import reverse_sweep
    from circuits.ad.common import active_nodes, dname, finish, materialise
    from circuits.ad.linearize import Linearization
    lin = Linearization(c, cache=True)
    b = lin.builder
    active = active_nodes(c, c.inputs.values())
    y = next(iter(c.outputs))
    seed = (b.input_node(f"{y}_bar"), 1) if cotangents else (None, 1)
    mirror: dict = {}
    adjoint = reverse_sweep(lin, {c.outputs[y]: [seed]}, active, None if cotangents else mirror)
    if cotangents:
        outs = [(f"{x}_bar", materialise(b, adjoint.get(v))) for x, v in c.inputs.items()]
    else:
        outs = [(dname(y, x), materialise(b, adjoint.get(v))) for x, v in c.inputs.items()]
    return finish(b, c, outs, False, adjoint_of=mirror)


def _same(g, h):
    r, s = g.record, h.record
    # repr: a weight -1 and a weight Fraction(-1) are equal but not the same circuit
    assert (r.ops, r.args, repr(r.params), repr(sorted(r.constants.items())), dict(r.inputs), dict(r.outputs)) == \
        (s.ops, s.args, repr(s.params), repr(sorted(s.constants.items())), dict(s.inputs), dict(s.outputs))
    assert dict(r.meta.get("adjoint_of", {})) == dict(s.meta.get("adjoint_of", {}))
    assert r.meta.get("role") == s.meta.get("role")


@pytest.mark.parametrize("make", [
    lambda: library.chain(50, "sin"), lambda: library.chain(30, "exp"), lambda: library.sigma2_naive(12),
    lambda: library.sigma2_fast(40), lambda: library.least_squares(6, 5), lambda: library.determinant(4, "gauss"),
    lambda: library.mlp([3, 4, 1], activation="sigmoid"), lambda: library.random_circuit(4, 300, seed=3),
    lambda: circuits.parse("exp(x*y) * (x - y) + 0*sin(x)"), lambda: circuits.parse("(x + y) * (x - y)"),
    lambda: circuits.parse("sin(tanh(x))"),  # tanh's rule makes the constant 1 before the trim
    lambda: circuits.parse("sin(2*x + y*y)"),  # a + passes a new node on before the trim
])
def test_dropping_the_unused_top_early_changes_nothing(make):
    # backward and vjp remove the gates at the top that the derivative never reads while
    # they sweep (the output, usually), so that the rest needs no renumbering; the
    # result is the circuit that building everything and compacting it gives
    c = make()
    c = c.replace(outputs=dict([next(iter(c.outputs.items()))]))
    _same(backward(c), _untrimmed(c))
    _same(circuits.vjp(c), _untrimmed(c, cotangents=True))


def test_dropping_the_unused_top_on_random_circuits():
    for seed in range(60):
        c = library.random_circuit(3, 25, seed=seed)
        c = c.replace(outputs=dict([next(iter(c.outputs.items()))]))
        _same(backward(c), _untrimmed(c))
        _same(circuits.vjp(c), _untrimmed(c, cotangents=True))
