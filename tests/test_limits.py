"""Resource limits: what would hang or exhaust memory is refused quickly with a CircuitError."""

import itertools

import pytest
import sympy

import circuits
from circuits import CircuitError, library
from circuits.ad import colouring
from circuits.eval import budget

# x + 3**65536**65536 · x: seven nodes whose one constant has 6.8e9 bits
HUGE_POWER = ('{"format":"circuits","version":2,"inputs":["x"],"outputs":{"f":6},"nodes":['
              '{"op":"input","name":"x"},{"op":"const","value":3},{"op":"const","value":65536},'
              '{"op":"pow","args":[1,2]},{"op":"pow","args":[3,2]},{"op":"mul","args":[0,4]},'
              '{"op":"add","args":[5,0]}]}')


# --- the exact-size budget covers sympy numbers ------------------------------------------


def test_sympy_integer_input_power_is_refused():
    c = circuits.parse("(x**65536)**65536")
    with pytest.raises(CircuitError, match="MAX_EXACT_BITS"):
        c.evaluate(x=sympy.Integer(3))
    # a symbol is fine: sympy keeps x**4294967296 as a power
    assert circuits.to_sympy(c)["f"] == sympy.Symbol("x") ** 4294967296


@pytest.mark.parametrize("call", [
    lambda c: c.evaluate(x=sympy.Integer(3)),
    lambda c: c.evaluate(x=sympy.Symbol("x")),
    circuits.to_sympy,
    lambda c: circuits.render_elimination(c),
    lambda c: circuits.bauer_paths(c),
    lambda c: circuits.symbolic_check(c, circuits.forward(c)),
    lambda c: circuits.linearized_graph(c),
], ids=["evaluate-Integer", "evaluate-Symbol", "to_sympy", "render_elimination", "bauer_paths",
        "symbolic_check", "linearized_graph"])
def test_huge_constant_from_json_is_refused(call):
    c = circuits.from_json(HUGE_POWER)
    with pytest.raises(CircuitError, match="MAX_EXACT_BITS"):
        call(c)


# --- the time budget of symbolic work ----------------------------------------------------


@pytest.fixture
def short_budget(monkeypatch):
    # sympy caches what it built: a warm cache (an earlier test on the same expressions) answers
    # in milliseconds, so each case starts cold and takes its ~3.5 s against a 0.5 s budget
    sympy.core.cache.clear_cache()
    monkeypatch.setattr(budget, "SYMBOLIC_SECONDS", 0.5)


# sympy's automatic simplification takes seconds on sigmoid(tanh(...)) of this one-input circuit
SLOW = library.random_circuit(1, 17, seed=2)


@pytest.mark.parametrize("call, name", [
    (circuits.to_sympy, "to_sympy"),
    (lambda c: circuits.symbolic_check(c, circuits.backward(c)), "symbolic_check"),
    (circuits.linearized_graph, "linearized_graph"),
    (lambda c: circuits.render_elimination(c), "linearized_graph"),
    (circuits.bauer_paths, "bauer_paths"),
    (lambda c: c.evaluate({x: sympy.Symbol(x) for x in c.inputs}), "evaluating the circuit on sympy values"),
])
def test_symbolic_time_budget(short_budget, call, name):
    with pytest.raises(CircuitError, match=f"{name} ran out of its time budget.*SYMBOLIC_SECONDS"):
        call(SLOW)
    # at a point nothing symbolic happens, and the budget leaves no timer behind
    assert circuits.linearized_graph(SLOW, {x: 0.3 for x in SLOW.inputs}).number_of_nodes() == len(SLOW)


def test_budget_between_gates_outside_the_main_thread(monkeypatch):
    # no timer signal in a thread: the budget is checked between gates (a single slow sympy
    # call runs to its end there)
    import threading
    monkeypatch.setattr(budget, "SYMBOLIC_SECONDS", 1e-9)
    errors = []

    def work():
        try:
            circuits.to_sympy(circuits.parse("sin(x) * exp(x) + x"))
        except CircuitError as exc:
            errors.append(str(exc))
    t = threading.Thread(target=work)
    t.start()
    t.join(60)
    assert len(errors) == 1 and "to_sympy ran out of its time budget" in errors[0]


# --- colouring without the column-intersection graph --------------------------------------


def _dense_row(n):
    b = circuits.Builder()
    xs = [b.input(f"x{i}") for i in range(n)]
    b.output("s", circuits.sum_of(xs))
    b.output("p", xs[0] * xs[1])
    return b.build()


def test_one_dense_row_colours_rows():
    c = _dense_row(20_000)  # a 20,000-clique were the columns' graph built (200 million edges)
    col = circuits.jacobian_colouring(c)
    assert (col.direction, col.colours) == ("reverse", 2)
    J = circuits.jacobian(c, sparse=True)
    got = J.evaluate({f"x{i}": float(i) for i in range(20_000)})
    assert got["ds/dx7"] == 1.0 and got["dp/dx0"] == 1.0 and got["dp/dx1"] == 0.0


@pytest.mark.parametrize("seed", range(6))
def test_colouring_from_lines_is_a_colouring(monkeypatch, seed):
    monkeypatch.setattr(colouring, "GRAPH_EDGES", 0)  # the greedy colouring that reads lines
    c = library.random_circuit(4, 14, seed=seed, n_outputs=3)
    col = circuits.jacobian_colouring(c)
    lines = col.pattern.values() if col.direction == "forward" else \
        [[y for y, xs in col.pattern.items() if x in xs] for x in c.inputs]
    colour = {v: k for k, group in enumerate(col.groups) for v in group}
    for line in lines:
        assert len({colour[v] for v in line}) == len(line)
    x = {name: 0.1 + 0.07 * k for k, name in enumerate(c.inputs)}
    sparse = circuits.jacobian(c, sparse=True).evaluate(x)
    dense = circuits.jacobian(c).evaluate(x)
    for name, value in sparse.items():
        assert value == pytest.approx(dense[name], rel=1e-9, abs=1e-12)


def test_colour_counts_no_worse_than_the_graph_colouring():
    lines = [list(s) for s in itertools.combinations(range(7), 3)][:12]
    vertices = list(range(7))
    from_graph = colouring._colour_graph(vertices, lines)
    assert colouring._colour(vertices, lines) == from_graph  # small: the graph path, as before
    assert colouring._colour(vertices, lines, limit=len(from_graph) - 1) is None


# --- top_paths caps k by the number of paths ----------------------------------------------


def _three_paths_per_stage(stages):
    b = circuits.Builder()
    node = b.input("x").node
    for _ in range(stages):
        s = b.gate("sin", node)
        node = b.gate("add", node, s, s)  # three wires from the stage's input to its output
    b.output_node("f", node)
    return b.build()


def test_top_paths_huge_k():
    c = _three_paths_per_stage(14)  # 28 gates, 3**14 paths
    with pytest.raises(CircuitError, match=f"{3 ** 14} paths lead to 'f'"):
        circuits.top_paths(c, {"x": 0.1}, k=10 ** 12)
    small = _three_paths_per_stage(3)  # 27 paths: k is capped, all of them come back
    paths = circuits.top_paths(small, {"x": 0.1}, k=10 ** 12)
    assert len(paths) == 27
    d = circuits.backward(small).evaluate(x=0.1)["df/dx"]
    assert sum(p.product for p in paths) == pytest.approx(d, rel=1e-12)
    assert len(circuits.top_paths(c, {"x": 0.1}, k=5)) == 5
    with pytest.raises(CircuitError, match="k must be an integer >= 1"):
        circuits.top_paths(c, {"x": 0.1}, k=0)


# --- derivative(order=k) refuses beyond its size estimate ---------------------------------


@pytest.mark.parametrize("order, match", [(14, "MAX_DERIVATIVE_WIRES"), (10 ** 100, "MAX_ORDER"),
                                          (-1, "order must be an integer >= 0"), (2.5, "integer")])
def test_derivative_order_refused_before_building(order, match):
    with pytest.raises(CircuitError, match=match):
        circuits.derivative(circuits.parse("sin(x)*exp(x)/(1+x*x)"), order=order)


def test_derivative_counts_partials_first():
    c = circuits.parse("x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9")
    with pytest.raises(CircuitError, match="partials"):
        circuits.derivative(c, order=8)  # 10**8 partials
    # within the estimate: sympy agrees
    c = circuits.parse("sin(x)*exp(x)/(1+x*x)")
    got = circuits.derivative(c, order=4).evaluate(x=0.25)
    x = sympy.Symbol("x")
    want = sympy.diff(sympy.sin(x) * sympy.exp(x) / (1 + x * x), x, 4).subs(x, sympy.Rational(1, 4))
    assert list(got.values())[0] == pytest.approx(float(want), rel=1e-10)


# --- the command line refuses what it cannot build ----------------------------------------


@pytest.mark.parametrize("argv, match", [
    (["scaling", "matrix_chain", "--sizes", "1000"], "matrix_chain at size 1000 would build about 4e\\+16 gates"),
    (["scaling", "chain", "--sizes", "100000000"], "chain at size 100000000 would build about 2e\\+08"),
    (["report", " + ".join(f"x{i}*y{i}" for i in range(3000))], "the report would build about 7.2e\\+07"),
    (["render", " + ".join(f"x{i}*y{i}" for i in range(3000)), "-o", "never.svg", "--transform", "forward"],
     "the drawing would build"),
    (["scaling", "chain", "--sizes", "40", "--max-gates", "50"], "chain at size 40 would build about 80 gates"),
    (["scaling", "chain", "--sizes", "4", "--max-gates", "-1"], "--max-gates must be"),
])
def test_cli_max_gates(capsys, tmp_path, monkeypatch, argv, match):
    from circuits.cli import main
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert __import__("re").search(match, err), err
    assert not (tmp_path / "never.svg").exists()


def test_cli_within_max_gates_runs(capsys):
    from circuits.cli import main
    assert main(["scaling", "chain", "--sizes", "20,40", "--quiet", "--max-gates", "0"]) == 0
    assert main(["scaling", "chain", "--sizes", "40", "--quiet"]) == 0


def test_cli_memory_error_says_what_to_do(capsys, monkeypatch):
    from circuits import cli

    def exhausted(*args, **kwargs):
        raise MemoryError
    monkeypatch.setattr(cli, "compare", exhausted)
    assert cli.main(["report", "x*y"]) == 2
    err = capsys.readouterr().err
    assert "out of memory in 'report'" in err and "--max-gates" in err and err.count("\n") == 1
