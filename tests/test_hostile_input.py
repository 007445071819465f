"""Hostile and careless input beyond the parser (issue 12).

No user value is ever evaluated as code; names reaching Graphviz are escaped;
resource guards refuse instead of hanging; public functions check their
arguments; nothing is silently lost.  Every test names the defect it guards.
"""

import math
import signal
from contextlib import contextmanager
from fractions import Fraction

import numpy as np
import pytest
import sympy

import circuits
from circuits import CircuitError

# A payload that would record its own execution if anything ran it as code.
_RAN = []
PAYLOAD = "__import__('tests.test_hostile_input', fromlist=['_RAN'])._RAN.append(1) or 7"


@contextmanager
def _watchdog(seconds=60):
    """Turn a hang into a failure (a guard, not a timing assertion)."""
    def fail(*_):
        raise TimeoutError(f"still running after {seconds} s")
    old = signal.signal(signal.SIGALRM, fail)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


# --- 1. no user value is ever evaluated as code --------------------------------


@pytest.fixture
def xy():
    return circuits.parse("x*y")


def _calls(c):
    x = sympy.Symbol("x")
    return {
        "evaluate": lambda: c.evaluate(x=x, y=PAYLOAD),
        "circuits.evaluate": lambda: circuits.evaluate(c, {"x": x, "y": PAYLOAD}),
        "compile": lambda: circuits.compile(c)(x=x, y=PAYLOAD),
        "jvp": lambda: circuits.jvp(c).evaluate(x=x, y=PAYLOAD, x_dot=1, y_dot=1),
        "bauer_paths": lambda: circuits.bauer_paths(c, input="x", point={"x": PAYLOAD, "y": 1}),
        "bauer_paths sym": lambda: circuits.bauer_paths(c, input="x", point={"x": x, "y": PAYLOAD}),
        "check_gradient": lambda: circuits.check_gradient(c, circuits.backward(c), {"x": PAYLOAD, "y": 1}),
    }


@pytest.mark.parametrize("name", list(_calls(None)))
def test_string_values_are_refused_never_run(xy, name):
    _RAN.clear()
    with pytest.raises(CircuitError, match="never evaluated|not a number"):
        _calls(xy)[name]()
    assert _RAN == []


def test_string_input_is_not_repeated():
    # 2*x at x="ab" was 'abab'
    with pytest.raises(CircuitError, match="input 'x'.*str"):
        circuits.parse("2*x").evaluate(x="ab")
    with pytest.raises(CircuitError, match="input 'x'"):
        circuits.compile(circuits.parse("2*x"))(x="ab")


@pytest.mark.parametrize("bad", [None, "1", b"1", 1j, True, object(), np.array(["1"]), [[1], [1, 2]]])
def test_non_numbers_are_refused(bad):
    with pytest.raises(CircuitError, match="input 'x'"):
        circuits.parse("x + 1").evaluate(x=bad)


def test_numbers_arrays_and_sympy_still_work():
    c = circuits.parse("2*x")
    assert c.evaluate(x=np.float32(1.5))["f"] == 3.0
    assert c.evaluate(x=np.int64(2))["f"] == 4
    assert c.evaluate(x=Fraction(1, 3))["f"] == Fraction(2, 3)
    assert list(c.evaluate(x=[1.0, 2.0])["f"]) == [2.0, 4.0]
    assert c.evaluate(x=sympy.Symbol("x"))["f"] == 2 * sympy.Symbol("x")


def test_infinite_numpy_weight_fails_the_finite_weight_check():
    b = circuits.Builder()
    x = b.input_node("x")
    for w in (np.float64("inf"), np.float32("inf"), np.float64("nan")):
        with pytest.raises(CircuitError, match="finite"):
            b.gate("add", x, x, weights=[1, w])
    with pytest.raises(CircuitError, match="not a number"):
        b.gate("add", x, x, weights=[1, "2"])
    with pytest.raises(CircuitError, match="finite"):  # the constructor checks, as check() does
        circuits.Circuit(["input", "add"], [(), (0, 0)], [None, (1, np.float32("inf"))], {},
                         {0: "x"}, {"x": 0}, {"f": 1})


# --- 2. names reaching Graphviz are escaped; non-printable names are refused -----

DOT_PAYLOAD = '<x>]; INJECTED [label="PWNED"]; z [label=<y>'


def _dot_nodes(source: str) -> set:
    """Node ids of a DOT source as Graphviz itself reads them (``dot -Tplain``)."""
    import subprocess
    out = subprocess.run(["dot", "-Tplain"], input=source, capture_output=True, text=True, check=True).stdout
    return {line.split()[1] for line in out.splitlines() if line.startswith("node ")}


def _payload_circuit(name=DOT_PAYLOAD):
    import json
    doc = json.loads(circuits.parse("x*y").to_json())
    doc["inputs"].append(name)
    doc["nodes"].append({"op": "input", "name": name})
    doc["outputs"] = {name + " out": 2, "f": 2}
    return circuits.from_json(json.dumps(doc))


@pytest.mark.parametrize("name", [DOT_PAYLOAD, 'a\\', 'a\\"];b[label="c', "<b>bold</b>", '"', "\\N\\G"])
def test_names_from_json_cannot_inject_dot(name):
    c = _payload_circuit(name)
    for g in (circuits.render(c, values={"x": 1, "y": 2, name: 3}), circuits.render_transforms(c)):
        nodes = _dot_nodes(g.source)
        assert "INJECTED" not in nodes and "b" not in nodes
    pins = {f"out{k}" for k in range(len(c.outputs))}  # each output's name, above its node
    assert _dot_nodes(circuits.render(c, legend=False).source) == {"n0", "n1", "n2", "n3"} | pins


def test_cli_render_inputs_cannot_inject_dot(tmp_path):
    from circuits.cli import main
    out = tmp_path / "c.dot"
    assert main(["render", "x*y", "--inputs", f"x,y,{DOT_PAYLOAD}", "-o", str(out)]) == 0
    nodes = _dot_nodes(out.read_text())
    assert "INJECTED" not in nodes
    assert {n for n in nodes if not n.startswith("legend")} == {"n0", "n1", "n2", "n3", "out0"}


@pytest.mark.parametrize("name", ["x\ud800", "a\nb", "\x00", "x\x1b[31m", "\u202e"])
def test_non_printable_names_are_refused_at_load_time(name):
    with pytest.raises(CircuitError, match="non-printable"):
        _payload_circuit(name)
    with pytest.raises(CircuitError, match="non-printable"):
        circuits.Builder().input_node(name)
    b = circuits.Builder()
    with pytest.raises(CircuitError, match="non-printable"):
        b.output(name, b.input("x") * 2)


# --- 3. the parser raises only ParseError (the fuzzer is tests/test_parse_fuzz.py) ---


@pytest.mark.parametrize("text, want", [("0*x", 0), ("x*0", 0), ("0.0*x", 0), ("0/x", 0), ("sin(0*x)", 0),
                                        ("0**0 + x*0", 1), ("(0.0)**0", 1)])
def test_zero_products_parse(text, want):
    # math.ceil(-inf) in the bound estimate raised OverflowError; 0**0 folded to 0
    assert circuits.parse(text, inputs=["x"]).evaluate(x=2.5)["f"] == want


def test_overflowing_linear_combination_is_a_parse_error():
    # a huge exact factor times a float factor raised OverflowError from the builder
    with pytest.raises(circuits.ParseError, match="overflows"):
        circuits.parse("(x + y) * 2**1100 * cos(1)")


# --- 4. resource guards ----------------------------------------------------------


def _squares(k):
    def f(x):
        for _ in range(k):
            x = x * x
        return x
    return circuits.trace(f)


@pytest.mark.parametrize("make", [lambda: _squares(40), lambda: circuits.parse("(x**65536)**65536")])
@pytest.mark.parametrize("value", [3, Fraction(3)])
def test_exact_evaluation_refuses_huge_results(make, value):
    c = make()
    with _watchdog(60):
        for run in (c.evaluate, circuits.compile(c)):
            with pytest.raises(CircuitError, match="MAX_EXACT_BITS"):
                run(x=value)
    assert c.evaluate(x=1.0)["f"] == 1.0
    assert circuits.compile(c)(x=Fraction(1))["f"] == 1


def test_huge_values_in_error_messages_are_summarised():
    # repr of a 100,000-digit int raised ValueError while formatting the message
    c = circuits.parse("x**65536 * y", inputs=["x", "y"])
    with pytest.raises(CircuitError, match="int of .* bits"):
        c.evaluate(x=10, y=1e-300 * 1e-300 * 0 + float("1e300"))


def test_simplify_does_not_fold_huge_powers():
    text = "((x-x+3)**65536)**65536"
    with _watchdog(60):
        s = circuits.simplify(circuits.parse(text))
        s2 = circuits.simplify(circuits.from_json(circuits.parse(text).to_json()))
    assert s.size <= 1 and s2.size <= 1
    with pytest.raises(CircuitError):
        s.evaluate(x=1.0)


def test_render_transforms_refuses_large_drawings_before_building():
    # built the literal forward circuit first: MemoryError after 73 s at 3 GiB for n = 240
    c = circuits.library.least_squares(240, 240)
    with _watchdog(60):
        with pytest.raises(CircuitError, match="at least .* nodes, more than max_nodes=500"):
            circuits.render_transforms(c)
    c = circuits.library.least_squares(60, 60)  # small enough to pass the first checks
    with _watchdog(60):
        with pytest.raises(CircuitError, match="at least"):
            circuits.render_transforms(c, max_nodes=20_000)


# --- 5. linear time where it was quadratic; deep circuits in sympy mode ----------


def test_from_networkx_with_many_inputs():
    # `i not in set(in_nodes)` rebuilt the set per node: 448 s for 100k inputs
    b = circuits.Builder()
    b.output("f", circuits.sum_of(b.inputs([f"x{i}" for i in range(100_000)])))
    c = b.build()
    with _watchdog(120):
        d = circuits.Circuit.from_networkx(c.dag)
    assert list(d.inputs) == list(c.inputs) and d.size == 1


def test_to_sympy_of_wide_sums_and_products():
    # pairwise a + b + ... was super-quadratic: 2,000 terms took 123 s
    xs = sympy.symbols("x0:2000")
    for expr in (sympy.Add(*[(i + 1) * x for i, x in enumerate(xs)]), sympy.Mul(*xs)):
        with _watchdog(120):
            assert circuits.to_sympy(circuits.from_sympy(expr))["f"] == expr


def _deep(n=100_000):
    b = circuits.Builder()
    w = b.input("x")
    for _ in range(n):
        w = circuits.sin(w)
    b.output("f", w)
    return b.build()


def test_sympy_mode_on_deep_circuits_is_a_clean_error():
    # RecursionError from deep inside sympy
    c = _deep()
    x = sympy.Symbol("x")
    for run in (lambda: c.evaluate(x=x), lambda: circuits.compile(c)(x=x), lambda: circuits.to_sympy(c),
                lambda: circuits.symbolic_check(c, circuits.backward(c)),
                lambda: circuits.bauer_paths(c)):
        with pytest.raises(CircuitError, match="too deep"):
            run()
    assert c.evaluate(x=0.5)["f"] == pytest.approx(0.0054, abs=1e-3)


# --- 6. no silent loss ------------------------------------------------------------


def test_hessian_names_never_collide():
    # `x, ydz` and `xdy, z` both spelled d2f/dxdydz: 15 outputs instead of 16
    f = circuits.trace(lambda x, ydz, xdy, z: x * ydz * xdy * z)
    for h in (circuits.hessian(f), circuits.derivative(f, order=2)):
        assert len(h.outputs) == 16
        assert "d2f/d(x)d(ydz)" in h.outputs and "d2f/d(xdy)d(z)" in h.outputs
        assert h.evaluate(x=1, ydz=2, xdy=3, z=5)["d2f/d(x)d(ydz)"] == 15
    assert list(circuits.hessian(circuits.parse("x*y")).outputs)[1] == "d2f/dxdy"  # no change when unambiguous
    b = circuits.Builder()  # names that still collide when parenthesised: d(p)d(q)d(r) twice
    xs = b.inputs(["x", "ydz", "xdy", "z", "p", "q)d(r", "p)d(q", "r"])
    b.output("f", circuits.product(xs))
    with pytest.raises(CircuitError, match="rename the inputs"):
        circuits.hessian(b.build())


def test_simplify_keeps_finite_values_on_extreme_floats():
    # (1e200*x)**2 at 1e-300 gave nan; sin(x/5e-324) raised
    c = circuits.parse("(1e200*x)**2")
    assert circuits.simplify(c).evaluate(x=1e-300)["f"] == c.evaluate(x=1e-300)["f"] == pytest.approx(1e-200)
    s = circuits.simplify(circuits.parse("sin(x/5e-324)"))
    assert s.size <= 2
    c = circuits.trace(lambda x: circuits.sin(1e-300 * (1e-300 * x)) * 1e300)
    assert circuits.simplify(c).evaluate(x=1e300)["f"] == pytest.approx(c.evaluate(x=1e300)["f"])


def test_compile_agrees_with_evaluate_in_value_and_type():
    def circuit(weight):
        return circuits.Circuit(["input", "input", "add"], [(), (), (0, 1)], [None, None, (weight, 1)], {},
                                {0: "x", 1: "y"}, {"x": 0, "y": 1}, {"f": 2}).check()
    cases = [(0.5, {"x": Fraction(1, 3), "y": Fraction(1)}),    # Fraction inputs, float weight
             (-0.0, {"x": 2.0, "y": -0.0}), (-0.0, {"x": -2.0, "y": 0.0}),   # the sign of zero
             (np.float64(0.5), {"x": 2.0, "y": 1.0}),           # NameError: np
             (np.float32(0.25), {"x": Fraction(1), "y": Fraction(1)})]
    for weight, point in cases:
        c = circuit(weight)
        want, got = c.evaluate(point)["f"], circuits.compile(c)(point)["f"]
        assert type(got) is type(want) and got == want, (weight, point, got, want)
        assert math.copysign(1, got) == math.copysign(1, want)


def test_dead_gates_do_not_make_evaluation_fail():
    # a gate no output needs raised CircuitError (log of a negative number)
    c = circuits.Circuit(["input", "log", "add"], [(), (0,), (0,)], [None, None, (2,)], {},
                         {0: "x"}, {"x": 0}, {"f": 2}).check()
    assert c.evaluate(x=-1.0) == circuits.compile(c)(x=-1.0) == {"f": -2.0}
    assert c.evaluate(x=sympy.Symbol("x")) == {"f": 2 * sympy.Symbol("x")}
    live = circuits.Circuit(["input", "log"], [(), (0,)], [None, None], {}, {0: "x"}, {"x": 0}, {"f": 1})
    with pytest.raises(CircuitError, match="log"):
        live.evaluate(x=-1.0)


def test_simplify_six_node_json_file_does_not_hang():
    text = ('{"format":"circuits","version":1,"inputs":["x"],"outputs":{"f":5},"nodes":[{"op":"input","name":"x"},'
            '{"op":"add","args":[0,0],"weights":[1,-1]},{"op":"const","value":3},{"op":"add","args":[1,2]},'
            '{"op":"const","value":65536},{"op":"pow","args":[3,4]},{"op":"pow","args":[5,4]}]}'
            ).replace('"outputs":{"f":5}', '"outputs":{"f":6}')
    with _watchdog(60):
        s = circuits.simplify(circuits.from_json(text))
    assert s.size <= 2


# --- 7. public functions check their arguments; the CLI never shows a traceback ---

PUBLIC = {
    "forward": lambda c: circuits.forward(c), "backward": lambda c: circuits.backward(c),
    "jvp": lambda c: circuits.jvp(c), "vjp": lambda c: circuits.vjp(c),
    "jacobian": lambda c: circuits.jacobian(c), "hvp": lambda c: circuits.hvp(c),
    "hessian": lambda c: circuits.hessian(c), "derivative": lambda c: circuits.derivative(c, order=2),
    "simplify": lambda c: circuits.simplify(c), "evaluate": lambda c: circuits.evaluate(c, x=1),
    "compile": lambda c: circuits.compile(c), "check_gradient": lambda c: circuits.check_gradient(c, c, {"x": 1}),
    "symbolic_check": lambda c: circuits.symbolic_check(c, c), "bauer_paths": lambda c: circuits.bauer_paths(c),
    "cost": lambda c: circuits.cost(c), "analyze": lambda c: circuits.analyze(c),
    "compare": lambda c: circuits.compare(c), "render": lambda c: circuits.render(c),
    "render_transforms": lambda c: circuits.render_transforms(c), "to_json": lambda c: circuits.to_json(c),
    "to_sympy": lambda c: circuits.to_sympy(c),
}


@pytest.mark.parametrize("name", sorted(PUBLIC))
@pytest.mark.parametrize("bad", ["x + y", None, 3])
def test_public_functions_want_a_circuit(name, bad):
    # a string gave AttributeError from 14 public functions
    with pytest.raises(CircuitError, match=r"expects a Circuit, got " + type(bad).__name__):
        PUBLIC[name](bad)


def test_huge_exponents_in_messages_are_summarised():
    # formatting a 5000-digit int raised ValueError (Python's digit limit)
    x = circuits.Builder().input("x")
    with pytest.raises(CircuitError, match="exponent of .* bits is too large"):
        x ** (10 ** 5000)
    with pytest.raises(CircuitError, match="must be an integer constant"):
        circuits.Circuit(["input", "const", "pow"], [(), (), (0, 1)], [None] * 3, {1: 10 ** 5000},
                         {0: "x"}, {"x": 0}, {"f": 2})


def test_writing_to_a_folder_is_a_circuit_error(tmp_path):
    # IsADirectoryError from render's write
    folder = tmp_path / "drawing.svg"
    folder.mkdir()
    with pytest.raises(CircuitError, match="cannot write"):
        circuits.render(circuits.parse("x*y"), folder)
    with pytest.raises(CircuitError, match="cannot write"):
        circuits.render(circuits.parse("x*y"), tmp_path / "drawing.svg" / "..")


@pytest.mark.parametrize("argv", [
    ["render", "x*y", "-o", "{folder}"],
    ["render", "x*y", "--inputs", "x,y,a\x1bb", "-o", "{tmp}/a.dot"],
    ["render", "x*y", "--values", "x=__import__('os'),y=1", "-o", "{tmp}/a.dot"],
    ["report", "0*x"], ["report", "sin(0*x) + x"],
    ["report", "((x-x+3)**65536)**65536", "--simplify"],
    ["report", "x**" + "9" * 5000],
])
def test_cli_errors_are_one_line_and_status_2(argv, tmp_path, capsys):
    from circuits.cli import main
    folder = tmp_path / "folder.svg"
    folder.mkdir()
    argv = [a.format(folder=folder, tmp=tmp_path) for a in argv]
    with _watchdog(60):
        status = main(argv)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    if status != 0:
        assert status == 2 and len(err.strip().splitlines()) == 1 and err.startswith("circuits: error: ")
