"""JAX export benchmark (issue 15, item 4): compile and run times of both lowerings of :func:`circuits.to_jax`.

For a few circuits (not their gradients: ``jax.grad`` makes the gradient),
each lowering (``"unrolled"``: one XLA operation per gate; ``"levels"``: the
gather-and-apply loop over :func:`circuits.eval.jax.level_plan`) is measured on
CPU in a child process with a time limit: ``jax.jit`` compile time (lowering
and XLA compilation) and run time for one point, for ``jax.vmap`` over 10^4
points, and for ``jax.grad`` at one point.  The function is called with one
vector of inputs (``f(*v)``), as a user with a thousand inputs would; the
batch is an inputs × points matrix mapped over its columns (``in_axes=1``):
mapping over the rows of a points × inputs matrix instead makes XLA compile
a thousand strided column slices, seconds of compile time that are not the
export's (6.8 s for det 16's 256 inputs alone).
``python -m benchmarks --jax`` writes ``jax_export.md``.
"""

from __future__ import annotations

import os
import time

import numpy as np

from .families import FAMILIES, points
from .peers import run_in_child

#: (family, size) pairs measured.
CASES = [("chain", 10_000), ("mlp", (16, 32, 32, 1)), ("random", 10_000), ("det", 16)]

#: Batch size of the vmap measurement.
BATCH = 10_000

#: Seconds each (case, lowering) may take before the rest of its measurements are given up.
TIMEOUT = 40.0

#: Measurements in the order they are made: (key, heading).
COLUMNS = [("plan_s", "plan"), ("jit_compile_s", "jit compile"), ("point_s", "point run"),
           ("vmap_compile_s", "vmap compile"), ("vmap_s", "vmap 10^4 run"),
           ("grad_compile_s", "grad compile"), ("grad_s", "grad run")]


def _best(fn, repeat=5):
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def _measure(name, size, method, report):
    """Make the measurements of one case and lowering, reporting each as it is known."""
    os.environ["JAX_PLATFORMS"] = "cpu"
    import jax
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    import circuits
    from circuits.eval.jax import level_plan

    fam = FAMILIES[name]
    c = fam.make(size)
    y = next(iter(c.outputs))
    pts = points(c, fam, BATCH)
    X = jnp.asarray(np.array([pts[x] for x in c.inputs]))  # inputs × points: each input's points contiguous
    x0 = X[:, 0]
    if method == "levels":
        t0 = time.perf_counter()
        plan = level_plan(c, y)
        report("plan_s", time.perf_counter() - t0)
        report("steps", plan.steps)
        report("kinds", len(plan.kinds))
    g = circuits.to_jax(c, output=y, method=method)

    def f(v):
        return g(*[v[k] for k in range(v.shape[0])])

    def timed_compile(key, fn, arg):
        report("__start__", key)
        t0 = time.perf_counter()
        compiled = jax.jit(fn).lower(arg).compile()
        report(key, time.perf_counter() - t0)
        return compiled

    def timed_run(key, compiled, arg):
        report("__start__", key)
        report(key, _best(lambda: compiled(arg).block_until_ready()))

    one = timed_compile("jit_compile_s", f, x0)
    timed_run("point_s", one, x0)
    many = timed_compile("vmap_compile_s", jax.vmap(f, in_axes=1), X)
    timed_run("vmap_s", many, X)
    grad = timed_compile("grad_compile_s", jax.grad(f), x0)
    timed_run("grad_s", grad, x0)


def run_case(name, size, method, timeout=TIMEOUT) -> dict:
    """Measure one case and lowering in a fresh (spawned) child process: :func:`benchmarks.peers.run_in_child`."""
    return run_in_child(_measure, (name, size, method), timeout, context="spawn")


def _cell(row, key, timeout):
    if key in row:
        v = row[key]
        return f"{v * 1e3:.3g} ms" if v < 1 else f"{v:.3g} s"
    if row["status"] == "timeout" and row.get("at") == key:
        return f"> {timeout:.0f} s (all)"
    return "–"


def main(out_dir="benchmarks/results", cases=None, timeout=TIMEOUT) -> str:
    """Run :data:`CASES` (or ``cases``) for both lowerings; write and return ``jax_export.md``."""
    rows = []
    for name, size in cases or CASES:
        c = FAMILIES[name].make(size)
        for method in ("unrolled", "levels"):
            r = run_case(name, size, method, timeout)
            r.update(case=f"{name} {FAMILIES[name].label(size)}", gates=c.size, depth=c.depth, method=method)
            rows.append(r)
            print(f"{r['case']} {method}: {r['status']}", flush=True)
    head = "| case | gates | depth | lowering | steps | " + " | ".join(h for _, h in COLUMNS) + " |"
    lines = [head, "|" + "---|" * (5 + len(COLUMNS))]
    for r in rows:
        cells = [_cell(r, k, timeout) for k, _ in COLUMNS]
        lines.append(f"| {r['case']} | {r['gates']} | {r['depth']} | {r['method']} | {r.get('steps', '–')} | "
                     + " | ".join(cells) + " |")
        if r["status"] == "error":
            lines.append(f"|  | | | error: {r['error']} |" + " |" * (1 + len(COLUMNS)))
    text = (f"CPU, float64; compile = `jax.jit(...).lower(...).compile()`; run = best of 5; "
            f"vmap over {BATCH} points; each lowering of each case in a fresh process limited to "
            f"{timeout:.0f} s (\"> {timeout:.0f} s (all)\": the case's time ran out in that step).\n\n"
            + "\n".join(lines) + "\n")
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "jax_export.md"), "w", encoding="utf-8") as fh:
        fh.write(text)
    return text
