"""Smoke test of the benchmark runner (issue 6): smallest sizes, no peers, a few seconds.

The benchmark itself is not part of the test run (``python -m benchmarks``);
this only checks that the runner produces its files and that the counts it
reports agree with independent references: the gradient circuit it measures
evaluates to sympy's gradient, and the binary-operation count matches a count
made by hand.
"""

import dataclasses
import json
import math

import pytest
import sympy

import circuits
from benchmarks import FAMILIES, binary_ops, run
from benchmarks.measure import nx_floor, edge_list
from benchmarks.report import targets


def test_runner_smallest_sizes_no_peers(tmp_path, monkeypatch):
    for name in ("chain", "lsq", "sigma2_fast"):
        monkeypatch.setitem(FAMILIES, name, dataclasses.replace(FAMILIES[name], quick=FAMILIES[name].quick[:1]))
    run(["chain", "lsq", "sigma2_fast"], quick=True, peers=False, out_dir=str(tmp_path),
              figure=str(tmp_path / "plot.png"), stream=open(tmp_path / "bar.txt", "w"))
    data = json.loads((tmp_path / "results.json").read_text())
    assert [c["label"] for c in data["cases"]] == ["depth=100", "n=4", "n=10"]
    chain = data["cases"][0]
    # backward of a 100-deep sin chain: per link one cos, one mul (the backpropagation size bound's shape)
    assert chain["f"]["gates"] == 100 and chain["backward"]["gates"] >= 200
    assert chain["peers"] == {}
    assert (tmp_path / "plot.png").stat().st_size > 1000
    md = (tmp_path / "results.md").read_text()
    assert "| chain | depth=100 |" in md and "Targets of issue 6" in md
    assert len(targets(data)) >= 8


def test_binary_ops_by_hand():
    b = circuits.Builder()
    x, y = b.inputs("x y")
    u = b.gate("add", x.node, y.node, b.const_node(3), weights=(2, -1, 1))   # 2 adds + 1 for weight 2
    v = b.gate("mul", u, x.node, y.node)                                     # 2 multiplications
    w = b.gate("sin", v)                                                     # 1
    b.output_node("f", w)
    assert binary_ops(b.build()) == 3 + 2 + 1


def test_measured_gradient_matches_sympy():
    c = FAMILIES["lsq"].make(3)
    g = circuits.backward(c)
    xs = sympy.symbols("x_1:4")
    f = circuits.to_sympy(c)["f"].subs({sympy.Symbol(f"x_{i + 1}"): xs[i] for i in range(3)})
    point = {f"x_{i + 1}": 0.5 * (i + 1) for i in range(3)}
    got = circuits.evaluate(g, point)
    for i, x in enumerate(xs):
        want = float(sympy.diff(f, x).subs({xs[j]: point[f"x_{j + 1}"] for j in range(3)}))
        assert math.isclose(got[f"df/dx_{i + 1}"], want, rel_tol=1e-12)


def test_floor_edges_are_the_wires():
    c = FAMILIES["chain"].make(5)
    edges = edge_list(c)
    assert len(edges) == c.wires == 5
    assert nx_floor(len(c), edges) >= 0


# --- the batch-evaluation yardsticks (benchmarks/raw.py) --------------------------------

from hypothesis import given, settings  # noqa: E402
import numpy as np  # noqa: E402

from benchmarks.raw import hot_numpy_seconds, raw_program, run_raw  # noqa: E402
from circuits.testing import random_circuits as circuit_strategy, points as point_strategy  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(data=circuit_strategy(max_outputs=2).flatmap(lambda c: point_strategy(c).map(lambda p: (c, p))))
def test_replay_computes_what_the_circuit_computes(data):
    """The replay is only a yardstick if it does the same work: same outputs as evaluate."""
    c, point = data
    xs = [np.full(3, float(point[x])) for x in c.inputs]
    got = run_raw(raw_program(c), xs)
    want = circuits.evaluate(c, {x: np.full(3, float(point[x])) for x in c.inputs})
    for (name, w), g in zip(want.items(), got):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-300, err_msg=name)


def test_replay_makes_one_numpy_call_per_binary_operation():
    for family, size in (("lsq", 4), ("mlp", (2, 4, 4, 1)), ("det", 3), ("sigma2_fast", 10)):
        g = circuits.simplify(circuits.backward(FAMILIES[family].make(size)))
        steps = raw_program(g)[2]
        # unary gates count one operation and are one call (sigmoid is one vectorised call)
        assert len(steps) == binary_ops(g), family


def test_hot_floor_counts_operations():
    c = circuits.parse("sin(x) * y + 3*x")
    assert hot_numpy_seconds(c, {"binary": 1.0, "sin": 10.0}) == 10 + 1 + 2


# --- the benchmark's own doctests (the benchmark is not collected; its examples are) ---------

import doctest  # noqa: E402
import importlib  # noqa: E402


@pytest.mark.parametrize("module", ["measure", "raw", "runner", "report", "peers", "families", "progress"])
def test_benchmark_doctests(module):
    mod = importlib.import_module(f"benchmarks.{module}")
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0, f"{result.failed} doctest(s) of benchmarks.{module} failed"


def test_elimination_benchmark_quick_rows(tmp_path):
    from benchmarks import elimination
    rows = elimination.run(["chain", "horner"], quick=True, out=open(tmp_path / "log.txt", "w"))
    by = {(r["case"], r["method"]): r for r in rows}
    # a 50-deep sin chain: every order costs 49 multiplications, and as many ops as backward
    assert by["chain(50)", "markowitz"]["mults"] == 49
    assert by["chain(50)", "reverse"]["ops"] == by["chain(50)", "backward sweeps"]["ops"]
    # Horner: forward elimination = forward sweeps in binary operations
    assert by["horner(10)", "forward"]["ops"] == by["horner(10)", "forward sweeps"]["ops"]
    assert elimination.markdown(rows).count("\n") == len(rows) + 1


def test_mgh_table_counts_and_targets(tmp_path):
    """Issue 17: the MGH table reports our operation counts against CasADi's (when installed)."""
    from benchmarks import mgh as bench_mgh
    rows = bench_mgh.measure(["rosenbrock", "brown_badly_scaled"])
    by = {r["problem"]: r for r in rows}
    # ∇ of 100(x₂ − x₁²)² + (1 − x₁)² by hand: s = x₁², d = x₂ − s, t = x₁·d, ∂₂ = 200·d,
    # ∂₁ = −400·t + 2·x₁ − 2: 1 + 1 + 1 + 1 + 4 = 8 operations
    assert by["rosenbrock"]["backward_ops"] == 10 and by["rosenbrock"]["simplify_ops_ops"] == 8
    assert all(r["simplify_ops_ops"] <= r["backward_ops"] for r in rows)
    if by["rosenbrock"]["casadi_grad_ops"] is not None:
        assert all(r["simplify_ops_ops"] <= r["casadi_grad_ops"] for r in rows)
    md = open(bench_mgh.write(rows, str(tmp_path))).read()
    assert "| 1 | rosenbrock | 2 |" in md and "never has more operations than its input | 2 of 2 cases | yes |" in md


def test_sparse_jacobian_benchmark_smallest_sizes(tmp_path):
    from benchmarks.sparse_jacobian import main
    text = main(["--max", "100", "--dense-max", "100", "--out", str(tmp_path / "sj.md")])
    rows = [line.split("|")[1:-1] for line in text.splitlines() if line.startswith("| 1")]
    assert [(r[0].strip(), r[1].strip(), r[4].strip(), r[8].strip()) for r in rows] == \
        [("10", "3", "28", "100"), ("100", "3", "298", "10000")]   # colours; 3n − 2 entries vs n²
    assert (tmp_path / "sj.md").read_text() == text


@pytest.mark.slow
def test_jax_export_benchmark_smallest_case(tmp_path):
    """Issue 15: ``python -m benchmarks --jax`` measures both lowerings in child processes."""
    pytest.importorskip("jax")
    from benchmarks import jax_export
    text = jax_export.main(str(tmp_path), cases=[("chain", 30)], timeout=120)
    rows = [line for line in text.splitlines() if line.startswith("| chain")]
    assert [r.split(" | ")[3] for r in rows] == ["unrolled", "levels"]
    assert "error" not in text and "–" not in rows[0].split(" | ", 6)[-1]  # every timing of unrolled measured
    assert (tmp_path / "jax_export.md").read_text() == text


def test_engine_benchmark_smallest_case():
    """Issue 15: ``python -m benchmarks --engine`` times compile, conversion, the array and dict calls,
    the kernel, the numpy path and CasADi's VM and map on one case (CasADi from the bench extra)."""
    pytest.importorskip("casadi")
    from benchmarks import engine as bench_engine
    if circuits.eval.engine.kernel() is None:
        pytest.skip("the engine is off (no numba, or CIRCUITS_ENGINE=python)")
    row = bench_engine._case("det", 3, batch=20)
    times = [k for k in row if k.endswith("_s")]
    assert {"compile_s", "convert_s", "array_point_s", "casadi_map_s"} <= set(times)
    assert all(row[k] > 0 for k in times)
    lines = bench_engine.table([row]).splitlines()
    assert lines[2].startswith("| det 3×3 |") and lines[2].count("|") == 12


def test_codegen_benchmark_smallest_case(tmp_path):
    """``python -m benchmarks --codegen``: our C and CasADi's generated C, timed by one C driver."""
    pytest.importorskip("casadi", reason="CasADi is in the bench extra")
    from benchmarks import codegen
    from circuits.eval import c as cbackend
    if cbackend.compiler() is None:
        pytest.skip("no C compiler")
    text = codegen.run(str(tmp_path), cases=[("mlp", (2, 3, 1))], batch=50)
    row = json.loads((tmp_path / "codegen.json").read_text())[0]
    assert row["max_abs_diff"] < 1e-12              # both generated functions compute the same gradient
    assert row["point_ours"] > 0 and row["point_casadi"] > 0
    assert "| mlp 2-3-1 |" in text
