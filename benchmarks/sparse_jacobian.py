"""Sparse Jacobian by colouring on the banded function ``y_i = x_{i-1} x_i x_{i+1}`` (issue 14).

``python -m benchmarks.sparse_jacobian [--max N] [--dense-max N] [--out FILE]`` prints (and writes to
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
from circuits.library import banded_product as banded


def _timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def main(argv=None) -> str:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max", type=int, default=10_000, help="largest n (default 10000)")
    ap.add_argument("--dense-max", type=int, default=1000, help="largest n for the dense Jacobian")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "results", "sparse_jacobian.md"),
                    help="where to write the Markdown table")
    args = ap.parse_args(argv)
    rows = ["| n | colours | sweep | sparse size | entries | build s | eval s | dense size | dense entries | dense build s | dense eval s |",
            "|---|---|---|---|---|---|---|---|---|---|---|"]
    n = 10
    while n <= args.max:
        f = banded(n)
        point = {x: 1.0 + 0.001 * k for k, x in enumerate(f.inputs)}
        col = circuits.jacobian_colouring(f)
        j, tb = _timed(lambda f=f: circuits.jacobian(f, sparse=True))
        _, te = _timed(lambda j=j, point=point: j.evaluate(point))
        dense = "| – | – | – | – |"
        if n <= args.dense_max:
            d, db = _timed(lambda f=f: circuits.jacobian(f))
            _, de = _timed(lambda d=d, point=point: d.evaluate(point))
            dense = f"| {d.size} | {len(d.outputs)} | {db:.3f} | {de:.3f} |"
        rows.append(f"| {n} | {col.colours} | {col.direction} | {j.size} | {len(j.outputs)} "
                    f"| {tb:.3f} | {te:.3f} " + dense)
        print(rows[-1], flush=True)
        n *= 10
    text = "\n".join(["# Sparse Jacobian of the banded function y_i = x_{i-1} x_i x_{i+1}", ""] + rows) + "\n"
    with open(args.out, "w") as fh:
        fh.write(text)
    return text


if __name__ == "__main__":
    main()
