"""Sparse Jacobian by colouring on the banded function ``y_i = x_{i-1} x_i x_{i+1}`` (issue 14).

``python -m benchmarks.sparse_jacobian [--max N]`` prints (and writes to
``benchmarks/results/sparse_jacobian.md``) the colours, sweeps, Jacobian
circuit size and build/evaluation times of ``jacobian(f, sparse=True)``
against the dense ``jacobian(f)`` (forward, one sweep per input), whose
evaluation returns all n² entries.
"""

from __future__ import annotations

import argparse
import os
import time

import circuits


def banded(n: int) -> circuits.Circuit:
    """``y_i = x_{i-1} · x_i · x_{i+1}`` with the missing neighbours left out."""
    b = circuits.Builder()
    xs = [b.input(f"x{i}") for i in range(n)]
    for i in range(n):
        v = xs[i]
        if i > 0:
            v = xs[i - 1] * v
        if i < n - 1:
            v = v * xs[i + 1]
        b.output(f"y{i}", v)
    return b.build()


def _timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def main(argv=None) -> str:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max", type=int, default=10_000, help="largest n (default 10000)")
    ap.add_argument("--dense-max", type=int, default=1000, help="largest n for the dense Jacobian")
    args = ap.parse_args(argv)
    rows = ["| n | colours | sweep | sparse size | entries | build s | eval s | dense size | dense entries | dense build s | dense eval s |",
            "|---|---|---|---|---|---|---|---|---|---|---|"]
    n = 10
    while n <= args.max:
        f = banded(n)
        point = {x: 1.0 + 0.001 * k for k, x in enumerate(f.inputs)}
        j, tb = _timed(lambda: circuits.jacobian(f, sparse=True))
        _, te = _timed(lambda: j.evaluate(point))
        dense = "| – | – | – | – |"
        if n <= args.dense_max:
            d, db = _timed(lambda: circuits.jacobian(f))
            _, de = _timed(lambda: d.evaluate(point))
            dense = f"| {d.size} | {len(d.outputs)} | {db:.3f} | {de:.3f} |"
        rows.append(f"| {n} | {j.meta['colours']} | {j.meta['sweep']} | {j.size} | {len(j.outputs)} "
                    f"| {tb:.3f} | {te:.3f} " + dense)
        print(rows[-1], flush=True)
        n *= 10
    text = "\n".join(["# Sparse Jacobian of the banded function y_i = x_{i-1} x_i x_{i+1}", ""] + rows) + "\n"
    out = os.path.join(os.path.dirname(__file__), "results", "sparse_jacobian.md")
    with open(out, "w") as fh:
        fh.write(text)
    return text


if __name__ == "__main__":
    main()
