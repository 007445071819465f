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


def test_every_public_submodule_is_reachable_after_import_circuits():
    import pkgutil
    import subprocess
    import sys
    names = [m.name for m in pkgutil.walk_packages(circuits.__path__, "circuits.")
             if not any(part.startswith("_") for part in m.name.split("."))
             and not m.name.startswith("circuits.render.")]  # circuits.render is the function render
    code = "import circuits, functools\nfor n in %r:\n    functools.reduce(getattr, n.split('.')[1:], circuits)\n" % names
    code += "circuits.semirings.COUNTING, circuits.testing.check_grads, circuits.bounds.theorem3\n"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-800:]


def test_circuits_testing_imports_without_hypothesis():
    import subprocess
    import sys
    code = ("import sys; sys.modules['hypothesis'] = None\n"
            "import circuits, circuits.testing as ct\n"
            "c = circuits.parse('x * sin(y)')\n"
            "ct.check_grads(c, {'x': 0.5, 'y': 0.25}, order=1)\n"
            "try:\n    ct.random_circuits()\nexcept ImportError as e:\n    print(e)\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-800:]
    assert "hypothesis is not installed: pip install 'gradient-circuits[test]'" in run.stdout


def test_random_circuits_takes_one_gate_as_a_string():
    from hypothesis import given, settings
    import circuits.testing as ct

    @settings(max_examples=5, deadline=None)
    @given(ct.random_circuits(ops="mul", max_gates=4))
    def only_products(c):
        assert {c.op(v) for v in c.gates()} <= {"mul", "square", "add", "exp"}
    only_products()


@pytest.fixture(scope="module")
def wide():
    return library.mlp([64, 128, 128, 1])  # 25,026 inputs


@pytest.mark.parametrize("call", [
    lambda c: c.evaluate(x=1),
    lambda c: circuits.forward(c, wrt=["nope"]),
    lambda c: circuits.backward(c, wrt="nope"),
    lambda c: circuits.compile(c).array(np.zeros(3)),
    lambda c: c(1, 2),
    lambda c: circuits.jvp(c, {"nope": 1}),
    lambda c: circuits.jvp(c, [1, 2]),
])
def test_no_error_message_is_longer_than_500_characters(wide, call):
    with pytest.raises(CircuitError) as caught:
        call(wide)
    message = str(caught.value)
    assert len(message) <= 500, message[:200]
    assert "(25,026 in all)" in message or "25026" in message


def test_listing_cuts_long_lists():
    from circuits.core.errors import MAX_MESSAGE, listing
    assert listing(["a", "b"]) == "['a', 'b']"
    assert listing(range(25220), most=2) == "[0, 1, …] (25,220 in all)"
    message = str(CircuitError("start " + "x" * 5000 + " what to do"))
    assert len(message) == MAX_MESSAGE and message.startswith("start") and message.endswith("what to do")


def test_compiled_circuit_names_its_inputs_and_outputs_in_array_order():
    c = circuits.trace(lambda b, a: (a - b, a * b))
    f = circuits.compile(c)
    assert f.inputs == ("b", "a") and f.outputs == ("f0", "f1")
    got = f.array(np.array([[2.0, 5.0], [1.0, 1.0]]))
    assert got.tolist() == [[3.0, 10.0], [0.0, 1.0]]


def test_dag_is_read_only_and_its_copy_is_not():
    import networkx as nx
    c = circuits.parse("x * y + sin(x)")
    for change in (lambda g: g.remove_node(0), lambda g: g.add_edge(0, 1), lambda g: g.clear(),
                   lambda g: g.remove_edges_from(list(g.edges))):
        with pytest.raises(CircuitError, match="read-only"):
            change(c.dag)
    with pytest.raises(TypeError):
        c.dag.nodes[0]["op"] = "const"
    with pytest.raises(TypeError):
        c.dag.graph["inputs"]["z"] = 7
    assert nx.is_frozen(c.dag) and c.dag is c.dag
    assert [c.dag.nodes[v]["op"] for v in c.dag] == list(c.record.ops)  # unchanged
    g = c.dag.copy()
    g.remove_node(len(c) - 1)
    g.graph["outputs"] = {"f": 2}
    assert circuits.Circuit.from_networkx(g).evaluate(x=2, y=3) == {"f": 6}
    assert c.evaluate(x=0, y=3) == {"f": 0.0}


def test_trace_keeps_default_arguments_as_constants():
    def f(x, k=3, *, scale=2.0):
        return scale * x ** k
    c = circuits.trace(f)
    assert list(c.inputs) == ["x"]
    assert c.evaluate(x=2) == {"f": 16.0}
    assert list(circuits.trace(f, inputs=["x", "k"]).inputs) == ["x", "k"]  # asked for: an input
    g = circuits.trace(lambda x, *, y: x - y)  # a keyword-only parameter without default is an input
    assert list(g.inputs) == ["x", "y"] and g.evaluate(x=5, y=2) == {"f": 3}


def test_trace_accepts_arrays_and_nested_lists_of_wires():
    A = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    c = circuits.trace(lambda x, y: A @ np.array([x, y]))
    assert list(c.outputs) == ["f[0]", "f[1]", "f[2]"]
    assert list(c.evaluate(x=1.0, y=-1.0).values()) == (A @ [1.0, -1.0]).tolist()
    outer = circuits.trace(lambda x, y: [[x * x, x * y], [y * x, y * y]])
    assert list(outer.outputs) == ["f[0,0]", "f[0,1]", "f[1,0]", "f[1,1]"]
    assert outer.evaluate(x=2, y=3)["f[1,0]"] == 6
    both = circuits.trace(lambda x, y: (x + y, np.array([x, 2 * y])))
    assert list(both.outputs) == ["f0", "f1[0]", "f1[1]"]
    named = circuits.trace(lambda x: {"grad": np.array([x, x * x])})
    assert list(named.outputs) == ["grad[0]", "grad[1]"]
    assert list(circuits.trace(lambda x, y: [x, y]).outputs) == ["f0", "f1"]  # flat lists as before
    with pytest.raises(CircuitError, match="different lengths"):
        circuits.trace(lambda x, y: [[x, y], [x]])


def test_jacobian_and_hessian_evaluate_to_arrays_matching_sympy():
    c = circuits.trace(lambda x, y, z: (x * y * z, circuits.sin(x) + y ** 2))
    xs = [sympy.Symbol(x) for x in c.inputs]
    exprs = list(circuits.to_sympy(c).values())
    point = {"x": 0.3, "y": -1.2, "z": 2.0}
    subs = {sympy.Symbol(k): v for k, v in point.items()}
    want = np.array(sympy.Matrix(exprs).jacobian(xs).subs(subs), dtype=float)
    for mode in ("auto", "forward", "reverse", "markowitz"):
        got = circuits.jacobian(c, mode).matrix(point)
        assert got.shape == (2, 3) and np.allclose(got, want)
    sparse = circuits.jacobian(c, sparse=True)
    assert len(sparse.outputs) < 6 and np.allclose(sparse.matrix(point), want)  # zeros filled in
    f = circuits.parse("x * y * z + sin(x) * y ** 2")
    h = circuits.hessian(f)
    want_h = np.array(sympy.hessian(circuits.to_sympy(f)["f"], xs).subs(subs), dtype=float)
    assert h.matrix(point).shape == (3, 3) and np.allclose(h.matrix(point), want_h)
    assert np.allclose(h.matrix([0.3, -1.2, 2.0]), want_h)  # a point in input order
    # a batch adds a leading axis
    batch = np.array([[0.3, -1.2, 2.0], [1.0, 2.0, 3.0]])
    got = circuits.jacobian(c).matrix(batch)
    assert got.shape == (2, 2, 3) and np.allclose(got[0], want)
    assert np.allclose(got[1], circuits.jacobian(c).matrix(x=1.0, y=2.0, z=3.0))
    assert h.matrix({"x": batch[:, 0], "y": batch[:, 1], "z": batch[:, 2]}).shape == (2, 3, 3)
    with pytest.raises(CircuitError, match="circuits.jacobian"):
        circuits.backward(f).matrix(point)
    with pytest.raises(CircuitError, match="has 3 values"):
        h.matrix([1.0, 2.0])


@pytest.mark.parametrize("formula, system", [
    (lambda m, u: m.erfc(u), "m.erfc"),                                      # every namespace lacks it
    (lambda m, u: m.sin(u) if isinstance(u, float) else m.gamma(u), "m.gamma"),  # numpy and sympy only
])
def test_register_gate_probes_the_formula_and_names_what_is_missing(formula, system):
    gate = circuits.Gate("probed", 1, "probed", formula=formula,
                         partial=lambda b, args, out, i: (b.gate("exp", args[0]), 1))
    with pytest.raises(CircuitError, match=rf"formula calls {system}, which the formula namespace does not have"):
        circuits.register_gate(gate)
    assert "probed" not in circuits.GATES


@pytest.mark.parametrize("partial", [
    lambda b, args, out, i: (circuits.cos(args[0]), 1),
    lambda b, args, out, i: circuits.cos(args[0]),
    lambda b, args, out, i: (circuits.square(args[0]), 2),  # an int, but no node of the builder
])
def test_register_gate_refuses_a_partial_that_computes_with_node_ids(partial):
    gate = circuits.Gate("idsin", 1, "idsin", formula=lambda m, u: m.sin(u), partial=partial)
    with pytest.raises(CircuitError, match=r"returned the number .* where a node is expected.*b\.gate\('cos'"):
        circuits.register_gate(gate)
    assert "idsin" not in circuits.GATES
    good = circuits.Gate("idsin", 1, "idsin", formula=lambda m, u: m.sin(u),
                         partial=lambda b, args, out, i: (b.gate("cos", args[0]), 1))
    with circuits.registered_gate(good):
        assert circuits.backward(circuits.parse("idsin(x)")).evaluate(x=0.0) == {"df/dx": 1.0}


def test_compare_orders_takes_one_order_as_a_string():
    f = library.speelpenning(5)
    t = circuits.compare_orders(f, "forward", progress=False)
    assert [r["order"] for r in t.rows] == ["forward"]
    with pytest.raises(CircuitError, match="unknown order 'sideways'"):
        circuits.compare_orders(f, "sideways", progress=False)


def test_compare_orders_shows_progress_when_asked(capsys):
    circuits.compare_orders(library.speelpenning(5), progress=True)
    assert "compare_orders:" in capsys.readouterr().err
    circuits.compare_orders(library.speelpenning(5), progress=False)
    assert capsys.readouterr().err == ""


def _run_counts(G, order, count="circuit"):
    from circuits.ad.elimination import order_for, run_order
    H = G.copy()
    chooser, _ = order_for(H, order, count)
    return run_order(H, chooser, None, record=False, count=count)[2:]


@pytest.mark.parametrize("build", [
    lambda: library.matrix_chain([3, 4, 2, 5]),
    lambda: library.mlp([3, 4, 2], activation="tanh", batch=2),
    lambda: library.layered_chain([3, 4, 4, 2], "tanh"),
    lambda: circuits.parse("sin(x*y)*exp(x+y)/(x*x+1) + 3*x - 2*y"),
])
def test_bit_set_counts_equal_the_elimination(build):
    from circuits.ad.elimination import elimination_graph
    from circuits.ad.elimination_counts import COUNTED, count_order
    G = elimination_graph(build(), None, None, None)
    for order in COUNTED:
        assert count_order(G, order) == _run_counts(G, order), order
        assert count_order(G, order, count="all") == _run_counts(G, order, "all"), order
    explicit = sorted(G.Z)[::-1]
    assert count_order(G, explicit) == _run_counts(G, explicit)
    assert count_order(G, explicit, count="all") == _run_counts(G, explicit, "all")
    mults = count_order(G, "forward")[0]
    assert count_order(G, "forward", budget=mults) == count_order(G, "forward")
    if mults:
        assert count_order(G, "forward", budget=mults - 1) is None


def test_bit_set_counts_equal_the_elimination_on_random_circuits():
    from hypothesis import given, settings
    import circuits.testing as ct
    from circuits.ad.elimination import elimination_graph
    from circuits.ad.elimination_counts import COUNTED, count_order

    @settings(max_examples=40, deadline=None)
    @given(ct.random_circuits(max_inputs=3, max_gates=14, max_outputs=3))
    def same(c):
        G = elimination_graph(c, None, None, None)
        for order in COUNTED:
            assert count_order(G, order) == _run_counts(G, order), order
            assert count_order(G, order, count="all") == _run_counts(G, order, "all"), order
    same()


def test_compare_orders_and_order_costs_count_alike_in_both_conventions():
    from circuits.ad.elimination import order_costs
    f = circuits.parse("sin(2*x + 3*y) * exp(x*y)")
    for count in ("circuit", "all"):
        table = circuits.compare_orders(f, ["forward", "reverse", "markowitz", "optimal"], count=count,
                                        progress=False)
        costs = order_costs(f, ("forward", "reverse", "markowitz", "optimal"), count=count)
        for row in table.rows:
            e = circuits.eliminate(f, row["order"], count=count)
            want = (e.multiplications, e.additions, e.fill_in)
            assert (row["multiplications"], row["additions"], row["fill_in"]) == want == costs[row["order"]]


@pytest.mark.parametrize("method", ["star", "acyclic"])
def test_sparse_hessian_matrix_fills_both_triangles(method):
    f = circuits.trace(lambda x, y, z: x * y * z + x * x + circuits.sin(z))
    point = {"x": 1.0, "y": 2.0, "z": 3.0}
    dense = circuits.hessian(f).matrix(point)
    for simplify in (False, True):
        sparse = circuits.hessian(f, sparse=True, method=method, simplify=simplify)
        assert np.allclose(sparse.matrix(point), dense)
    batch = circuits.hessian(f, sparse=True, method=method).matrix({k: [v, v] for k, v in point.items()})
    assert batch.shape == (2, 3, 3) and np.allclose(batch[1], dense)
