"""Gradient construction benchmark (issue 15): ``backward`` beside CasADi's ``gradient``.

For one circuit per family at 10^4–10^5 gates, in one run so that the ratios
share the machine's load: the time of :func:`circuits.backward` (the whole
call: linearization, reverse sweep, building the result circuit) and the time
CasADi takes to differentiate the *same* circuit, translated gate by gate by
:func:`benchmarks.peers.casadi_function`: ``casadi.gradient`` plus the
``casadi.Function`` construction, as the main benchmark's CasADi case times it
(``grad_s``).  Each time is the best of a few repeats, in CPU seconds of this
process (both sides are single-threaded), so that other load on a shared
machine distorts the ratios less.
``python -m benchmarks --backward [--families a,b]``.
"""

from __future__ import annotations

import gc
import os
import time

import circuits

from .families import FAMILIES
from .peers import available, casadi_function

__all__ = ["CASES", "measure", "main"]

#: (family, size): 10^4–10^5 gates each.
CASES = [("mlp", (64, 128, 128, 1)), ("det", 40), ("lsq", 300), ("sigma2_naive", 160),
         ("sigma2_fast", 30_000), ("random", 50_000), ("chain", 100_000)]


def _best(fn, repeat):
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        t0 = time.process_time()
        result = fn()
        best = min(best, time.process_time() - t0)
        del result  # freeing it is not part of building it
    return best


def measure(name, size, repeat=3) -> dict:
    """One row: gates of the circuit and of both gradients, seconds of each and their ratio.

    Examples
    --------
    >>> from benchmarks.backward import measure
    >>> row = measure("det", 3, repeat=1)
    >>> row["case"], row["gates"], row["backward_gates"] > 0
    ('det 3×3', 14, True)
    """
    fam = FAMILIES[name]
    c = fam.make(size)
    g = circuits.backward(c)
    row = {"case": f"{name} {fam.label(size)}", "gates": c.size, "wires": c.wires,
           "backward_gates": g.size}
    del g
    row["backward_s"] = _best(lambda: circuits.backward(c), repeat)
    if circuits.eval.engine.enabled():  # the compiled sweep ran: time the Python sweep beside it
        os.environ["CIRCUITS_ENGINE"] = "python"
        try:
            row["python_s"] = _best(lambda: circuits.backward(c), repeat)
        finally:
            del os.environ["CIRCUITS_ENGINE"]
    if available()["casadi"]:
        import casadi as ca
        x, f = casadi_function(c)

        def grad():
            return ca.Function("g", [x], [ca.gradient(f, x)])
        G = grad()
        row["casadi_nodes"] = G.n_nodes()
        del G
        row["casadi_s"] = _best(grad, repeat)
        row["ratio"] = row["backward_s"] / row["casadi_s"]
    return row


def _table(rows) -> str:
    lines = ["| case | gates | wires | ∇ gates | CasADi ∇ nodes | backward | Python sweep | CasADi gradient "
             "| ratio |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        cas = f"{r['casadi_s'] * 1e3:.1f} ms" if "casadi_s" in r else "–"
        ratio = f"{r['ratio']:.2f}" if "ratio" in r else "–"
        py = f"{r['python_s'] * 1e3:.1f} ms" if "python_s" in r else "–"
        lines.append(f"| {r['case']} | {r['gates']:,} | {r['wires']:,} | {r['backward_gates']:,} | "
                     f"{r.get('casadi_nodes', 0):,} | {r['backward_s'] * 1e3:.1f} ms | {py} | {cas} | {ratio} |")
    return "\n".join(lines)


def main(out_dir: str, families=None, repeat: int = 5) -> str:
    """Measure every case (or those of ``families``), write ``backward.md`` in ``out_dir``, return its text."""
    rows = []
    for name, size in CASES:
        if families and name not in families:
            continue
        rows.append(measure(name, size, repeat))
        print(_table(rows[-1:]).splitlines()[-1], flush=True)
    text = ("# backward vs CasADi gradient\n\n"
            "Command: `python -m benchmarks --backward`.  CPU seconds, the best of "
            f"{repeat} runs of `circuits.backward(c)` and of `casadi.Function('g', [x], "
            "[casadi.gradient(f, x)])` on the same circuit (CasADi SX, translated gate by gate); "
            "ratio = backward / CasADi (target ≤ 1.0, chains ≤ 2).  `backward` runs the compiled "
            "sweep (numba, `circuits.ad.fast_backward`) where it applies; *Python sweep* is "
            "the same call with `CIRCUITS_ENGINE=python` (an identical circuit).\n\n" + _table(rows) + "\n")
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "backward.md"), "w") as fh:
        fh.write(text)
    return text
