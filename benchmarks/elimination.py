"""Jacobian accumulation by vertex elimination (issue 13): each order against the sweeps.

For every family of :data:`circuits.library.FAMILIES` at a moderate size, the
Jacobian of all outputs with respect to all inputs is built by

* ``backward`` (one reverse sweep per output) and ``forward`` (sparse, one
  sweep per input), and
* :func:`circuits.eliminate` in every named order ("optimal" only where the
  graph has at most ``OPTIMAL_LIMIT`` intermediate vertices),

and the table reports the time to build each, the time to count an order
without building (:func:`circuits.order_costs`), the multiplications and
additions the elimination counts, and, for every method, ``ops``: the
binary operations (:attr:`circuits.Analysis.binary_ops`) of the derivative
gates of the Jacobian circuit, partials included, the one number every
method shares.  Nothing is asserted: speed is measured, not tested.

Usage::

    python -m benchmarks.elimination                 # the full run (a minute or two)
    python -m benchmarks.elimination --quick         # small sizes, seconds
    python -m benchmarks.elimination --markdown benchmarks/results/elimination.md
    python -m benchmarks --elimination --budget 60 --seed 0   # searched orders vs AlphaGrad (issue 27)

:func:`alphagrad` compares, on the scalar benchmark functions of Lohoff and
Neftci's AlphaGrad (2024), the heuristics, ``order="search"`` with a time
budget and the published learned orders, in both counting conventions, and
writes ``benchmarks/results/alphagrad.md`` and ``alphagrad.json``.
"""

from __future__ import annotations

import argparse
import sys
import time

import circuits
from circuits import library
from circuits.analysis.counts import gate_binary_ops
from circuits.ad.elimination import OPTIMAL_LIMIT

#: family → (size, quick size): circuits of a few thousand gates at most.
SIZES = {
    "lsq": (30, 6), "mlp": (24, 4), "det": (10, 4), "det_faddeev": (6, 3), "chain": (5000, 50),
    "sigma2_naive": (30, 6), "sigma2_fast": (1000, 10), "random": (200, 4), "sin_dot": (40, 4),
    "matrix_chain": (6, 2), "rnn": (100, 4), "conv1d": (400, 8), "horner": (1000, 10),
}

ORDERS = ("forward", "reverse", "markowitz", "relative_markowitz", "min_fill", "optimal")


def derivative_ops(J) -> int:
    """Binary operations of the gates of ``J`` whose role is "derivative"."""
    roles = J.meta.get("role")
    return sum(gate_binary_ops(J, v) for v in J.gates() if roles is None or roles[v] == "derivative")


def _timed(fn):
    t0 = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - t0


def run(families=None, quick: bool = False, out=sys.stdout) -> list:
    rows = []
    for name in families or SIZES:
        size = SIZES[name][1 if quick else 0]
        c = library.FAMILIES[name](size)
        Z = len(circuits.intermediate_vertices(c))
        case = f"{name}({size})"
        J, t = _timed(lambda c=c: circuits.backward(c))
        rows.append({"case": case, "s": c.size, "Z": Z, "method": "backward sweeps", "build_s": t,
                     "count_s": None, "mults": None, "adds": None, "ops": derivative_ops(J)})
        J, t = _timed(lambda c=c: circuits.forward(c, sparse=True))
        rows.append({"case": case, "s": c.size, "Z": Z, "method": "forward sweeps", "build_s": t,
                     "count_s": None, "mults": None, "adds": None, "ops": derivative_ops(J)})
        for order in ORDERS:
            if order == "optimal" and Z > OPTIMAL_LIMIT:
                continue
            _, tc = _timed(lambda c=c, order=order: circuits.order_costs(c, [order]))
            e, t = _timed(lambda c=c, order=order: circuits.eliminate(c, order))
            rows.append({"case": case, "s": c.size, "Z": Z, "method": order, "build_s": t,
                         "count_s": tc, "mults": e.multiplications, "adds": e.additions,
                         "ops": derivative_ops(e.jacobian)})
        _, t = _timed(lambda c=c: circuits.cheapest_order(c))
        rows.append({"case": case, "s": c.size, "Z": Z, "method": "(auto: choosing)", "build_s": None,
                     "count_s": t, "mults": None, "adds": None, "ops": None})
        for r in rows[-len(ORDERS) - 3:]:
            if r["case"] == case:
                print(_line(r), file=out, flush=True)
    return rows


# --- searched orders against AlphaGrad (issue 27) ---------------------------------------

#: The heuristics in the AlphaGrad table, then the search.
HEURISTICS = ("forward", "reverse", "markowitz", "relative_markowitz", "min_fill")


def alphagrad(budget: float = 60.0, seed: int = 0, counts=("all", "circuit"), names=None,
              out=sys.stdout) -> list:
    """One row per AlphaGrad function and counting convention: the heuristics, the search, AlphaGrad.

    The search runs ``budget`` seconds per function and count (progress on
    ``out``); AlphaGrad's learned order is published in the ``"all"`` count only.
    """
    from circuits.library import alphagrad as ag
    rows = []
    for count in counts:
        for name in names or ag.PUBLISHED:
            f = ag.circuit(name)
            costs = circuits.order_costs(f, HEURISTICS, count=count)
            print(f"{name}, count={count!r}: searching {budget:g} s (seed {seed})", file=out, flush=True)
            e, t = _timed(lambda f=f, count=count: circuits.eliminate(
                f, "search", count=count, budget=budget, seed=seed,
                progress=lambda line: print("   ", line, file=out, flush=True)))
            published = ag.PUBLISHED[name]["alphagrad"] if count == "all" else None
            best_heuristic = min(costs, key=lambda k: costs[k][:2])
            rows.append({"function": name, "count": count, "gates": f.size,
                         "Z": len(circuits.intermediate_vertices(f)),
                         **{k: costs[k][0] for k in HEURISTICS},
                         "best_heuristic": best_heuristic,
                         "search": e.multiplications, "search_additions": e.additions,
                         "search_s": round(t, 1), "budget_s": budget, "seed": seed,
                         "alphagrad": published,
                         "published": {k: ag.PUBLISHED[name][k] for k in ("forward", "reverse", "markowitz")}
                         if count == "all" else None,
                         "order": list(e.order)})
            print(_alphagrad_line(rows[-1]), file=out, flush=True)
    return rows


def _alphagrad_line(r) -> str:
    margin = "—" if r["alphagrad"] is None else f"{r['search'] - r['alphagrad']:+d}"
    return (f"| {r['function']} | {r['count']} | {r['Z']} | {r['forward']} | {r['reverse']} | {r['markowitz']} | "
            f"{r['relative_markowitz']} | {r['min_fill']} | **{r['search']}** | "
            f"{_fmt(r['alphagrad'], 'd')} | {margin} |")


def alphagrad_markdown(rows) -> str:
    """The table of :func:`alphagrad` in Markdown."""
    lines = ["| function | count | Z | forward | reverse | Markowitz | relative Markowitz | min-fill | search | "
             "AlphaGrad | search − AlphaGrad |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    return "\n".join(lines + [_alphagrad_line(r) for r in rows])


def write_alphagrad(rows, out_dir: str) -> str:
    """Write ``alphagrad.md`` and ``alphagrad.json`` into ``out_dir``; returns the Markdown."""
    import json
    import os
    import platform
    os.makedirs(out_dir, exist_ok=True)
    budget = rows[0]["budget_s"] if rows else None
    seed = rows[0]["seed"] if rows else None
    text = ("# Searched elimination orders against AlphaGrad\n\n"
            f"Command: `python -m benchmarks --elimination --budget {budget:g} --seed {seed}` on "
            f"{os.cpu_count()} shared cores ({platform.python_implementation()} {platform.python_version()}). "
            "Multiplications of each order for Lohoff and Neftci's (2024) scalar benchmark functions, "
            "translated one gate per JAX primitive (`circuits.library.alphagrad`). `count=all` counts every "
            "scalar product, as the paper does (its forward, reverse and Markowitz baselines are reproduced "
            "exactly); `count=circuit` counts only products of two non-constant partials (the gates the "
            "Jacobian circuit gets). `search` is `eliminate(f, 'search', budget=..., seed=...)`; AlphaGrad is "
            "the paper's learned order (published for `count=all` only).\n\n")
    text += alphagrad_markdown(rows) + "\n"
    with open(os.path.join(out_dir, "alphagrad.md"), "w") as fh:
        fh.write(text)
    with open(os.path.join(out_dir, "alphagrad.json"), "w") as fh:
        json.dump({"budget_s": budget, "seed": seed, "cores": os.cpu_count(), "rows": rows}, fh, indent=1)
        fh.write("\n")
    return text


def _fmt(x, spec):
    return "—" if x is None else format(x, spec)


def _line(r) -> str:
    return (f"| {r['case']} | {r['s']:,} | {r['Z']:,} | {r['method']} | {_fmt(r['build_s'], '.3f')} | "
            f"{_fmt(r['count_s'], '.3f')} | {_fmt(r['mults'], ',')} | {_fmt(r['adds'], ',')} | "
            f"{_fmt(r['ops'], ',')} |")


def markdown(rows) -> str:
    lines = ["| case | s | Z | method | build s | count s | multiplications | additions | ops |",
             "|---|---:|---:|---|---:|---:|---:|---:|---:|"]
    return "\n".join(lines + [_line(r) for r in rows])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.elimination", description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="small sizes, seconds")
    p.add_argument("--families", default=None, help=f"comma-separated subset of {','.join(SIZES)}")
    p.add_argument("--markdown", metavar="PATH", help="also write the table to PATH")
    args = p.parse_args(argv)
    families = args.families.split(",") if args.families else None
    unknown = [f for f in families or () if f not in SIZES]
    if unknown:
        p.error(f"unknown family {unknown[0]!r}; choose from {', '.join(SIZES)}")
    print(markdown([]))
    rows = run(families, quick=args.quick)
    if args.markdown:
        with open(args.markdown, "w") as fh:
            fh.write("# Jacobian accumulation: elimination orders against the sweeps\n\n")
            fh.write(f"Command: `python -m benchmarks.elimination{' --quick' if args.quick else ''}`. "
                     "Times in seconds on one core; `ops` = binary operations of the Jacobian "
                     "circuit's derivative gates (partials included).\n\n")
            fh.write(markdown(rows) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
