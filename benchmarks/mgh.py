"""Operation counts on the Moré–Garbow–Hillstrom problems: ours against CasADi's gradient (issue 17).

``python -m benchmarks --mgh`` writes ``benchmarks/results/mgh.md`` and
``mgh.json``: for every problem of :mod:`circuits.library.mgh` (Moré,
Garbow, Hillstrom, ACM TOMS 7(1), 1981) at its default size (and, for the
problems whose size may vary, at 2× and 4× it), the binary
operations (:func:`benchmarks.measure.binary_ops`) of ``f``, of
``backward(f)``, of ``simplify(backward(f))`` in both modes, and of CasADi's
``gradient`` of the same function (the circuit translated gate by gate by
:func:`benchmarks.peers.casadi_function`; instructions other than inputs,
outputs and constants).  Only counts, so it runs in seconds and in-process.
The targets: ``simplify(g, minimize="ops")`` has no more operations than
``g`` (its input) and no more than CasADi's gradient.
"""

from __future__ import annotations

import json
import os

import circuits
from circuits.library import mgh

from .measure import binary_ops
from .peers import available

__all__ = ["measure", "write", "main"]


def _casadi_gradient_ops(circuit):
    import casadi as ca
    from .peers import _casadi_ops, casadi_function
    x, f = casadi_function(circuit)
    return _casadi_ops(ca.Function("g", [x], [ca.gradient(f, x)]))


def _m(p, n, m):
    return m if m is not None else p.m_of_n(n) if p.m_of_n is not None else p.m


def cases(names=None, larger: bool = True) -> list:
    """``(name, n, m)`` to measure: every problem at its default size and, with ``larger``,
    the problems whose size may vary at 2× and 4× it (linear functions with ``m = 2n``).

    Examples
    --------
    >>> from benchmarks.mgh import cases
    >>> cases(["rosenbrock", "penalty1"])
    [('rosenbrock', None, None), ('penalty1', None, None), ('penalty1', 20, None), ('penalty1', 40, None)]
    """
    out = []
    for name in names or mgh.names():
        p = mgh.PROBLEMS[name]
        out.append((name, None, None))
        if not larger:
            continue
        if p.variable_n:
            for n in (2 * p.n, 4 * p.n):
                if n <= p.max_n and n % p.n_multiple == 0:
                    out.append((name, n, 2 * n if p.variable_m else None))
        elif p.variable_m and 2 * p.m <= p.max_m:
            out.append((name, None, 2 * p.m))
    return out


def measure(names=None, peers: bool = True, larger: bool = False) -> list:
    """One row per case (:func:`cases`): counts of ``f``, the gradients and (when installed) CasADi's gradient.

    Examples
    --------
    >>> from benchmarks.mgh import measure
    >>> row = measure(["rosenbrock"], peers=False)[0]
    >>> row["backward_ops"], row["simplify_ops_ops"] <= row["backward_ops"]
    (10, True)
    """
    use_casadi = peers and available()["casadi"]
    rows = []
    for name, n, m in cases(names, larger):
        p = mgh.PROBLEMS[name]
        c = mgh.circuit(name, n, m)
        g = circuits.backward(c)
        by_gates, by_ops = circuits.simplify(g), circuits.simplify(g, minimize="ops")
        rows.append({
            "problem": name, "number": p.number, "n": len(c.inputs), "m": _m(p, len(c.inputs), m),
            "f_ops": binary_ops(c),
            "backward_ops": binary_ops(g), "simplify_ops": binary_ops(by_gates),
            "simplify_ops_ops": binary_ops(by_ops), "simplify_ops_gates": by_ops.size,
            "casadi_grad_ops": _casadi_gradient_ops(c) if use_casadi else None,
        })
    return rows


def write(rows: list, out_dir: str) -> str:
    """``mgh.json`` and ``mgh.md`` (the table and the two targets) in ``out_dir``; returns the .md path."""
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "mgh.json"), "w") as fh:
        json.dump(rows, fh, indent=1)
    lines = ["# Moré–Garbow–Hillstrom problems: gradient operations against CasADi", "",
             "J. J. Moré, B. S. Garbow, K. E. Hillstrom, *Testing unconstrained optimization software*, "
             "ACM TOMS 7(1), 17–41 (1981); `circuits.library.mgh` at the default sizes and, where the size "
             "may vary, 2× and 4× them. "
             "Binary operations: a k-wire gate is k − 1 operations plus its weights other than ±1; "
             "CasADi: instructions of `Function(gradient)` other than inputs, outputs and constants. "
             "Command: `python -m benchmarks --mgh`.", "",
             "| # | problem | n | m | f ops | backward ops | simplify ops | simplify(minimize=\"ops\") ops (gates) "
             "| CasADi ∇ ops | ours / CasADi |", "|" + "---|" * 10]
    for r in rows:
        cas = r["casadi_grad_ops"]
        ratio = f"{r['simplify_ops_ops'] / cas:.3f}" if cas else "–"
        lines.append(f"| {r['number']} | {r['problem']} | {r['n']} | {r['m']} | {r['f_ops']} | {r['backward_ops']} | "
                     f"{r['simplify_ops']} | {r['simplify_ops_ops']} ({r['simplify_ops_gates']}) | "
                     f"{cas if cas is not None else '–'} | {ratio} |")
    grew = [r["problem"] for r in rows if r["simplify_ops_ops"] > r["backward_ops"]]
    with_cas = [r for r in rows if r["casadi_grad_ops"]]
    over = [f"{r['problem']} ({r['simplify_ops_ops'] / r['casadi_grad_ops']:.3f})"
            for r in with_cas if r["simplify_ops_ops"] > r["casadi_grad_ops"]]
    ratios = [r["simplify_ops_ops"] / r["casadi_grad_ops"] for r in with_cas]
    lines += ["", "| target (issue 17) | measured | holds |", "|---|---|---|",
              f"| simplify(minimize=\"ops\") never has more operations than its input | "
              f"{len(rows) - len(grew)} of {len(rows)} cases{': grew on ' + ', '.join(grew) if grew else ''} | "
              f"{'yes' if not grew else 'NO'} |"]
    if with_cas:
        lines.append(f"| … and no more than CasADi's gradient | ratio {min(ratios):.3f}–{max(ratios):.3f}"
                     f"{'; over on ' + ', '.join(over) if over else ''} | {'yes' if not over else 'NO'} |")
    path = os.path.join(out_dir, "mgh.md")
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    return path


def main(out_dir: str = "benchmarks/results", peers: bool = True) -> str:
    """Measure every problem, write the files, print the targets; returns the .md path."""
    path = write(measure(peers=peers, larger=True), out_dir)
    with open(path) as fh:
        print("\n".join(line for line in fh.read().splitlines()[-3:]))
    return path
