"""Engine benchmark (issue 15): the tape engine beside today's paths and CasADi's VM.

For a few gradient circuits, each measured in one run so that ratios share the
machine's load: one point (engine vs CasADi ``Function`` call), a batch of
10^4 points (engine vs today's numpy path vs CasADi ``map``), and the
conversion to a tape (µs per gate).  ``python -m benchmarks --engine``.
"""

from __future__ import annotations

import os
import time

import numpy as np

import circuits
from circuits import engine
from circuits.transforms import backward

from .families import FAMILIES, points

CASES = [("mlp", (16, 32, 32, 1)), ("lsq", 100), ("det", 8), ("random", 10_000), ("chain", 10_000)]


def _best(fn, repeat=5, number=1):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number)
    return min(times)


def _case(name, size, batch=10_000):
    import casadi as ca
    fam = FAMILIES[name]
    c = backward(fam.make(size))
    row = {"case": f"{name} {fam.label(size)}", "gates": c.size}
    t0 = time.perf_counter()
    tp = engine.tape(c)
    row["convert_us_per_gate"] = (time.perf_counter() - t0) / c.size * 1e6
    f = circuits.compile(c)
    pts = points(c, fam, batch)
    one = {k: float(v[0]) for k, v in pts.items()}
    f(**one)
    number = max(1, int(2e-3 / max(_best(lambda: f(**one), 1), 1e-7)))
    row["engine_point_s"] = _best(lambda: f(**one), number=number)
    X = np.array([list(one.values())]).T
    row["kernel_point_s"] = _best(lambda: engine.run(tp, X), number=number)
    row["engine_batch_s"] = _best(lambda: f(**pts), 3)
    os.environ["CIRCUITS_ENGINE"] = "python"
    try:
        g = circuits.compile(c)
        row["numpy_batch_s"] = _best(lambda: g(**pts), 3)
    finally:
        del os.environ["CIRCUITS_ENGINE"]
    x, outs = _casadi_all(c)
    fn = ca.Function("f", [x], outs)
    v = list(one.values())
    row["casadi_point_s"] = _best(lambda: fn(v), number=number)
    fm = fn.map(batch)
    M = np.array([pts[k] for k in c.inputs])
    row["casadi_map_s"] = _best(lambda: fm(M), 3)
    return row


def _casadi_all(c):
    """A CasADi SX function input and every output of ``c`` (the gradient), as the peers build them."""
    import casadi as ca
    from circuits.gates import Namespace
    from .peers import _number, _translate
    x = ca.SX.sym("x", len(c.inputs))
    ns = Namespace("casadi", exp=ca.exp, log=ca.log, sqrt=ca.sqrt, sin=ca.sin, cos=ca.cos, tan=ca.tan,
                   atan=ca.atan, tanh=ca.tanh, abs=ca.fabs, sign=ca.sign, max=ca.fmax, min=ca.fmin,
                   step=lambda u: ca.if_else(u > 0, 1, 0), ipow=lambda u, k: u * u if k == 2 else u ** k)
    outs = _translate(c, ca.vertsplit(x), lambda v: ca.SX(_number(v)), ns)
    return x, [ca.vertcat(*outs)]


def main(out_dir="benchmarks/results") -> str:
    engine.warmup()
    rows = [_case(n, s) for n, s in CASES]
    lines = ["| case | gates | point engine | point CasADi | ratio | batch 10^4 engine | numpy | ×numpy "
             "| CasADi map | ×map | convert µs/gate |", "|" + "---|" * 11]
    for r in rows:
        lines.append(
            f"| {r['case']} | {r['gates']} | {r['engine_point_s'] * 1e6:.1f} µs | {r['casadi_point_s'] * 1e6:.1f} µs "
            f"| {r['engine_point_s'] / r['casadi_point_s']:.2f} | {r['engine_batch_s'] * 1e3:.2f} ms "
            f"| {r['numpy_batch_s'] * 1e3:.2f} ms | {r['numpy_batch_s'] / r['engine_batch_s']:.1f} "
            f"| {r['casadi_map_s'] * 1e3:.2f} ms | {r['casadi_map_s'] / r['engine_batch_s']:.1f} "
            f"| {r['convert_us_per_gate']:.2f} |")
    text = "\n".join(lines) + "\n"
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "engine.md"), "w", encoding="utf-8") as fh:
        fh.write(text)
    return text
