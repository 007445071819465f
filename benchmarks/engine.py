"""Engine benchmark (issue 15): the tape engine beside today's paths and CasADi's VM.

For the gradient circuit of one size per family, each measured in one run so
that ratios share the machine's load:

* conversion to a tape (µs per gate and per wire);
* one point: the array call ``f.array(x, out=y)``, the dict call
  ``f(**point)``, the kernel alone (``engine.run_point``, no Python around
  it), and CasADi's SX ``Function`` called on a numpy vector;
* a batch of 10^4 points: the array call (points × inputs in, points ×
  outputs out, into a preallocated ``out``), the dict call with one array per
  input, the numpy path the engine replaced (``CIRCUITS_ENGINE=python``),
  and CasADi's ``map``.

``python -m benchmarks --engine`` writes ``engine.md`` and ``engine.json``.
"""

from __future__ import annotations

import json
import os
import platform
import time

import numpy as np

import circuits
from circuits.eval import engine
from circuits.ad import backward

from .families import FAMILIES, points
from .peers import casadi_outputs

CASES = [("mlp", (16, 32, 32, 1)), ("lsq", 100), ("det", 8), ("sigma2_naive", 50), ("sigma2_fast", 3000),
         ("random", 10_000), ("chain", 10_000)]
BATCH = 10_000


def _best(fn, repeat=5, number=1):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number)
    return min(times)


def _number(fn, seconds=2e-3):
    """Calls per timing so that one timing takes about ``seconds``."""
    return max(1, int(seconds / max(_best(fn, 1), 1e-7)))


def _case(name, size, batch=BATCH):
    import casadi as ca
    fam = FAMILIES[name]
    c = backward(fam.make(size))
    _ = c.record  # built once, by every consumer; not the tape's cost
    row = {"case": f"{name} {fam.label(size)}", "gates": c.size, "wires": c.wires,
           "inputs": len(c.inputs), "outputs": len(c.outputs)}
    row["convert_s"] = _best(lambda: engine.tape(c), 3)
    row["compile_s"] = _best(lambda: circuits.compile(c), 3)  # no Python source, no tape until called
    f = circuits.compile(c)
    pts = points(c, fam, batch)
    one = {k: float(v[0]) for k, v in pts.items()}
    x = np.array(list(one.values()))
    y = np.empty(len(c.outputs))
    f(**one)
    tp = f._tape
    assert tp is not None, "the engine is off or cannot run this circuit"
    n = _number(lambda: f.array(x, out=y))
    row["array_point_s"] = _best(lambda: f.array(x, out=y), number=n)
    row["dict_point_s"] = _best(lambda: f(**one), number=max(1, n // 4))
    row["kernel_point_s"] = _best(lambda: engine.run_point(tp, x, y), number=n)
    X = np.ascontiguousarray(np.array([pts[k] for k in c.inputs]).T)  # points × inputs
    Y = np.empty((batch, len(c.outputs)))
    f.array(X, out=Y)
    row["array_batch_s"] = _best(lambda: f.array(X, out=Y), 3)
    row["dict_batch_s"] = _best(lambda: f(**pts), 3)
    os.environ["CIRCUITS_ENGINE"] = "python"
    try:
        g = circuits.compile(c)
        row["numpy_batch_s"] = _best(lambda: g(**pts), 3)
    finally:
        del os.environ["CIRCUITS_ENGINE"]
    xs, outs = casadi_outputs(c)
    fn = ca.Function("f", [xs], [ca.vertcat(*outs)])
    fn(x)
    row["casadi_point_s"] = _best(lambda: fn(x), number=_number(lambda: fn(x)))
    fm = fn.map(batch)
    M = np.ascontiguousarray(X.T)
    fm(M)
    row["casadi_map_s"] = _best(lambda: fm(M), 3)
    return row


def table(rows) -> str:
    """The results as two markdown tables (point, batch), ratios within the run."""
    us, ms = 1e6, 1e3
    lines = ["| case | gates | wires | compile | convert µs/gate | µs/wire | point: array | dict | kernel alone "
             "| CasADi VM | array ÷ CasADi |", "|" + "---|" * 11]
    for r in rows:
        lines.append(
            f"| {r['case']} | {r['gates']} | {r['wires']} | {r['compile_s'] * us:.1f} µs "
            f"| {r['convert_s'] / r['gates'] * us:.2f} "
            f"| {r['convert_s'] / r['wires'] * us:.3f} | {r['array_point_s'] * us:.1f} µs "
            f"| {r['dict_point_s'] * us:.1f} µs | {r['kernel_point_s'] * us:.1f} µs "
            f"| {r['casadi_point_s'] * us:.1f} µs | {r['array_point_s'] / r['casadi_point_s']:.2f} |")
    lines += ["", "| case | batch 10^4: array | dict | numpy path (before) | CasADi map | ×numpy | ×map |",
              "|" + "---|" * 7]
    for r in rows:
        lines.append(
            f"| {r['case']} | {r['array_batch_s'] * ms:.2f} ms | {r['dict_batch_s'] * ms:.2f} ms "
            f"| {r['numpy_batch_s'] * ms:.2f} ms | {r['casadi_map_s'] * ms:.2f} ms "
            f"| {r['numpy_batch_s'] / r['array_batch_s']:.1f} | {r['casadi_map_s'] / r['array_batch_s']:.1f} |")
    return "\n".join(lines) + "\n"


def main(out_dir="benchmarks/results", cases=None) -> str:
    t0 = time.perf_counter()
    if not engine.warmup():
        raise SystemExit("the engine is off (numba is not installed, or CIRCUITS_ENGINE=python)")
    rows = [_case(n, s) for n, s in (cases or CASES)]
    import casadi
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    head = (f"Run {when}, {platform.processor() or platform.machine()}, {os.cpu_count()} cores, CasADi "
            f"{casadi.__version__}, numba {__import__('numba').__version__}; "
            f"{time.perf_counter() - t0:.0f} s.\n\n")
    text = head + table(rows)
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "engine.md"), "w", encoding="utf-8") as fh:
        fh.write(text)
    with open(os.path.join(out_dir, "engine.json"), "w", encoding="utf-8") as fh:
        json.dump({"when": when, "rows": rows}, fh, indent=1)
    return text
