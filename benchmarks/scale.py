"""Scale check (issue 7): deep and wide circuits through every stage, memory per wire.

Runs a sin chain of depth 10^3 .. 10^5 and ‖Ax − b‖² with 10^4 .. 10^6 wires
through build, evaluate, forward (sparse, 2 inputs), backward, simplify and a
JSON round trip, measuring each stage's peak traced memory (``tracemalloc``,
Python allocations only) and time.  Nothing here is asserted: the output is a
Markdown table whose last column, peak memory per wire of the stage's output,
should stay flat as the size grows 100-fold if memory grows linearly.

Usage::

    python -m benchmarks.scale            # the full run (a few minutes)
    python -m benchmarks.scale --quick    # sizes / 10, seconds
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc

import circuits
from circuits import library


def _stage(fn):
    tracemalloc.start()
    t0 = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, seconds, peak


def _wires(x) -> int:
    return x.wires if isinstance(x, circuits.Circuit) else 0


def run(shapes, out=sys.stdout) -> list[dict]:
    rows = []
    for shape, size, build in shapes:
        c, t, peak = _stage(build)
        stages = [("build", c, t, peak)]
        point = {x: 0.5 for x in c.inputs}
        stages.append(("evaluate",) + _stage(lambda c=c, point=point: c.evaluate(point)))
        wrt = list(c.inputs)[:2]
        stages.append(("forward (2 inputs)",) + _stage(lambda c=c, wrt=wrt: circuits.forward(c, wrt=wrt, sparse=True)))
        g, t, peak = _stage(lambda c=c: circuits.backward(c))
        stages.append(("backward", g, t, peak))
        stages.append(("simplify(backward)",) + _stage(lambda g=g: circuits.simplify(g)))
        text, t, peak = _stage(lambda g=g: circuits.to_json(g))
        stages.append(("to_json(backward)", g, t, peak))
        stages.append(("from_json",) + _stage(lambda text=text: circuits.from_json(text)))
        del text
        for name, result, seconds, peak in stages:
            w = _wires(result) or c.wires
            rows.append({"shape": shape, "size": size, "stage": name, "wires": w,
                         "seconds": seconds, "peak_mib": peak / 2 ** 20, "bytes_per_wire": peak / w})
            print(f"{shape:>6} {size:>8} {name:<20} {w:>9} wires {seconds:8.2f} s "
                  f"{peak / 2 ** 20:9.1f} MiB {peak / w:8.0f} B/wire", file=out, flush=True)
    return rows


def markdown(rows) -> str:
    lines = ["| shape | size | stage | wires | seconds | peak MiB | bytes/wire |",
             "|---|---:|---|---:|---:|---:|---:|"]
    lines += [f"| {r['shape']} | {r['size']} | {r['stage']} | {r['wires']:,} | {r['seconds']:.2f} | "
              f"{r['peak_mib']:.1f} | {r['bytes_per_wire']:.0f} |" for r in rows]
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.scale", description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="sizes divided by 10")
    p.add_argument("--markdown", metavar="PATH", help="also write the table to PATH")
    args = p.parse_args(argv)
    k = 10 if args.quick else 1
    depths = [1_000 // k, 10_000 // k, 100_000 // k]
    sides = [100 // k or 1, 316 // k, 1000 // k]  # ‖Ax − b‖² has about n² wires
    shapes = [("chain", d, lambda d=d: library.chain(d, "sin")) for d in depths]
    shapes += [("lsq", n, lambda n=n: library.least_squares(n, n)) for n in sides]
    rows = run(shapes)
    table = markdown(rows)
    print(table)
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as f:
            f.write(table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
