"""Command line of the benchmark: ``python -m benchmarks [--quick] [--families a,b] [--no-peers] [--out DIR] [--mgh] [--engine] [--jax] [--backward] [--codegen] [--memory]``."""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys

from .families import FAMILIES
from .report import targets


def profile(names, out_dir: str, top: int = 18) -> str:
    """cProfile of backward, both simplify(backward) modes and compile on the largest size of each family."""
    import circuits
    parts = []
    for name in names:
        fam = FAMILIES[name]
        size = fam.sizes[-1]
        c = fam.make(size)
        g = circuits.backward(c)
        s = circuits.simplify(g)
        for what, fn in (("backward", lambda c=c: circuits.backward(c)),
                         ("simplify", lambda g=g: circuits.simplify(g)),
                         ("simplify(minimize='ops')", lambda g=g: circuits.simplify(g, minimize="ops")),
                         ("compile", lambda s=s: circuits.compile(s).function("float"))):
            prof = cProfile.Profile()
            prof.enable()
            fn()
            prof.disable()
            buf = io.StringIO()
            pstats.Stats(prof, stream=buf).strip_dirs().sort_stats("tottime").print_stats(top)
            parts.append(f"## {what} on {name} {fam.label(size)} ({c.wires:,} wires)\n\n```\n{buf.getvalue().strip()}\n```\n")
        del c, g, s
    text = ("# cProfile hotspots (sorted by own time)\n\n"
            f"Command: `python -m benchmarks --profile {','.join(names)}` (largest sizes; under cProfile, "
            "so absolute times are inflated).\n\n" + "\n".join(parts))
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "profile.md")
    with open(path, "w") as fh:
        fh.write(text)
    return path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes only (under a minute)")
    parser.add_argument("--families", default=None, help=f"comma-separated subset of {','.join(FAMILIES)}")
    parser.add_argument("--no-peers", action="store_true", help="skip CasADi, JAX and SymPy")
    parser.add_argument("--out", default="benchmarks/results", help="directory of results.json / results.md")
    parser.add_argument("--figure", default="figures/bench_time_per_wire.png", help="path of the plot ('' for none)")
    parser.add_argument("--profile", default=None, metavar="FAMILIES",
                        help="instead of the benchmark, cProfile the largest case of these families")
    parser.add_argument("--mgh", action="store_true",
                        help="instead of the benchmark, count gradient operations on the Moré–Garbow–Hillstrom "
                             "problems against CasADi (writes mgh.md, mgh.json; seconds)")
    parser.add_argument("--codegen", action="store_true",
                        help="instead of the benchmark, time circuits.to_c's C beside CasADi's generated C "
                             "(needs casadi and a C compiler with OpenMP; writes codegen.md and codegen.json)")
    parser.add_argument("--engine", action="store_true",
                        help="instead of the benchmark, time the tape engine beside numpy and CasADi's VM "
                             "(writes engine.md and engine.json; about three minutes)")
    parser.add_argument("--memory", action="store_true",
                        help="instead of the benchmark, measure bytes per gate of a 10^6-gate random circuit and "
                             "its backward beside CasADi, the 10^7-gate case and tape conversion, each in a child "
                             "process (writes memory.md and memory.json; with --quick 10^5 gates, under a minute)")
    parser.add_argument("--jax", action="store_true",
                        help="instead of the benchmark, time both lowerings of circuits.to_jax (compile, point, "
                             "vmap, grad on CPU; writes jax_export.md; about three minutes)")
    parser.add_argument("--backward", action="store_true",
                        help="instead of the benchmark, time backward beside CasADi's gradient on one "
                             "10^4-10^5-gate circuit per family (writes backward.md; about a minute)")
    parser.add_argument("--elimination", action="store_true",
                        help="instead of the benchmark, search elimination orders for AlphaGrad's five functions "
                             "in both counts and compare with the heuristics and the published learned orders "
                             "(writes alphagrad.md and alphagrad.json; 2 × 5 × budget seconds)")
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per search for --elimination")
    parser.add_argument("--seed", type=int, default=0, help="seed of the searches for --elimination")
    args = parser.parse_args(argv)
    names = args.families.split(",") if args.families else None
    if names:
        bad = [n for n in names if n not in FAMILIES]
        if bad:
            parser.error(f"unknown family {bad[0]!r}; choose from {', '.join(FAMILIES)}")
    if args.elimination:
        from .elimination import alphagrad, write_alphagrad
        print(write_alphagrad(alphagrad(args.budget, args.seed), args.out))
        return 0
    if args.backward:
        from .backward import main as backward_main
        print(backward_main(args.out, names))
        return 0
    if args.jax:
        from .jax_export import main as jax_main
        print(jax_main(args.out))
        return 0
    if args.codegen:
        from .codegen import run as codegen_run
        print(codegen_run(args.out))
        return 0
    if args.memory:
        from .memory import main as memory_main
        print(memory_main(args.out, quick=args.quick))
        return 0
    if args.engine:
        from .engine import main as engine_main
        print(engine_main(args.out))
        return 0
    if args.mgh:
        from .mgh import main as mgh_main
        print(mgh_main(args.out, peers=not args.no_peers))
        return 0
    if args.profile:
        names = args.profile.split(",")
        bad = [n for n in names if n not in FAMILIES]
        if bad:
            parser.error(f"unknown family {bad[0]!r}; choose from {', '.join(FAMILIES)}")
        print(profile(names, args.out))
        return 0
    from .runner import run
    results = run(names, quick=args.quick, peers=not args.no_peers, out_dir=args.out,
                  figure=args.figure or None)
    print(f"\nresults: {os.path.join(args.out, 'results.json')}, {os.path.join(args.out, 'results.md')}"
          + (f", {args.figure}" if args.figure else ""))
    for target, measured, holds in targets(results):
        mark = "  -  " if holds is None else " yes " if holds else " NO  "
        print(f"[{mark}] {target}: {measured}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
