"""The ``circuits`` command line (also ``python -m circuits``).

Subcommands:

* ``circuits demo`` — the classic examples (the sum-of-squares loss,
  the worked example ``y = (x1 + x2 +
  x1·x2)(x1 + x2)`` and ``‖Ax − b‖²``): comparison tables, bound checks,
  numerical gradient checks and before/after figures in ``figures/``;
* ``circuits figures`` — only the figures;
* ``circuits report "EXPR" [--inputs x,y] [--simplify] [--json]``;
* ``circuits render "EXPR" -o out.svg [--transform forward|backward] [--mirror]``;
* ``circuits view "EXPR" -o page.html [--point x=1,y=2] [--transform backward|forward|eliminate]``;
* ``circuits scaling FAMILY --sizes 2,4,8 [-o plot.png]``.

``report``, ``render`` and ``scaling`` estimate the gates they would build
(forward propagation makes about ``n·(s + w)``, backpropagation ``m·(s + w)``
for ``n`` inputs, ``m`` outputs, ``s`` gates and ``w`` wires; a family's
``n``, ``m`` and ``s + w`` are extrapolated from two small sizes) and refuse
beyond ``--max-gates`` before building anything; the default,
:data:`MAX_GATES`, fits a machine of 2 cores and 24 GiB.  Running out of
memory anyway ends with a message that says what to do, not a traceback.

Bad input (a formula that does not parse, an invalid circuit, bad options)
ends with exit code 2 and a one-line ``circuits: error: ...`` on stderr.

Examples
--------
>>> from circuits.cli import main
>>> main(["report", "x*y + sin(x)", "--json"])                # doctest: +ELLIPSIS
{
  "expression": "x*y + sin(x)",
...
0
>>> main(["report", "x*(y"])
2
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from . import __version__, library
from .analysis import bounds
from .eval import engine
from . import library as L
from .analysis.counts import analyze
from .core.errors import CircuitError, ParseError
from .library import FAMILIES
from .frontends.parse import parse
from .render.draw import render, render_steps, render_transforms
from .render.html import to_html
from .report.tables import compare, plot_scaling, scaling
from .ad import backward, check_gradient, fast_backward, forward, simplify

__all__ = ["main", "build_parser", "families", "ProgressBar"]

FIGURES = "figures"

#: Default of ``--max-gates``: the most gates a command may build (its circuits and their
#: forward and backward circuits), sized for 2 cores and 24 GiB (a few hundred bytes a gate
#: in a circuit, several times that while a transform builds one; about a minute of work).
MAX_GATES = 10_000_000


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line and exit with status 2."""

    def error(self, message):  # noqa: D401 - argparse's hook
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


class ProgressBar:
    """A tiny progress bar on a stream (stderr by default).

    Examples
    --------
    >>> import io
    >>> out = io.StringIO()
    >>> bar = ProgressBar(2, stream=out, width=4)
    >>> bar(1, 2, 8); bar(2, 2, 16)
    >>> out.getvalue().splitlines()[-1].strip()
    '[####] 2/2  size 16'
    """

    def __init__(self, total: int, stream=None, width: int = 30):
        self.total = max(total, 1)
        self.stream = stream if stream is not None else sys.stderr
        self.width = width

    def __call__(self, done: int, total: int, size) -> None:
        filled = int(self.width * done / self.total)
        bar = "#" * filled + "." * (self.width - filled)
        end = "\n" if done >= total else ""
        self.stream.write(f"\r[{bar}] {done}/{total}  size {size}{end}")
        self.stream.flush()


# --- families for `circuits scaling` --------------------------------------------


def families() -> dict:
    """Circuit families for ``circuits scaling``: name → (size → Circuit, description).

    :data:`circuits.library.FAMILIES`.

    Examples
    --------
    >>> import circuits
    >>> name, (family, what) = sorted(families().items())[0]
    >>> isinstance(family(3), circuits.Circuit)
    True
    """
    return {name: (fn, ((fn.__doc__ or name).strip().splitlines() or [name])[0])
            for name, fn in FAMILIES.items()}


# --- helpers ----------------------------------------------------------------------


def _csv(text: str, what: str) -> list:
    items = [t.strip() for t in text.split(",") if t.strip()]
    if not items:
        raise CircuitError(f"{what} is empty; give a comma-separated list")
    return items


def _sizes(text: str) -> list:
    sizes = []
    for item in _csv(text, "--sizes"):
        try:
            k = int(item)
        except ValueError:
            raise CircuitError(f"--sizes: {item!r} is not an integer; use e.g. --sizes 2,4,8") from None
        if k < 1:
            raise CircuitError(f"--sizes: {k} is not a positive size")
        sizes.append(k)
    return sizes


def _values(text: Optional[str]) -> Optional[dict]:
    if text is None:
        return None
    out = {}
    for item in _csv(text, "--values"):
        name, sep, value = item.partition("=")
        if not sep:
            raise CircuitError(f"--values: {item!r} is not name=value; use e.g. --values x=1,y=0.5")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            raise CircuitError(f"--values: {value!r} (for {name.strip()!r}) is not a number") from None
    return out


def _parse(expr: str, inputs: Optional[str]):
    return parse(expr, inputs=_csv(inputs, "--inputs") if inputs else None)


def _plain(x):
    """JSON-safe numbers: inf/nan become None, Fractions floats."""
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if isinstance(x, (int, float, str, bool)) or x is None:
        return x
    return float(x)


def _text_table(rows: Sequence[dict], columns: Sequence[str]) -> str:
    cells = [["—" if r.get(c) is None else str(r.get(c)) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) if cells else len(c) for i, c in enumerate(columns)]
    lines = ["  ".join(c.rjust(w) for c, w in zip(columns, widths)),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.rjust(w) for c, w in zip(row, widths)) for row in cells]
    return "\n".join(lines)


def _work(n: float, m: float, sw: float) -> tuple:
    """The largest circuit a command builds from one with ``n`` inputs, ``m`` outputs, ``s + w = sw``.

    Returns (gates, what): forward propagation ``n·sw``, backpropagation
    ``m·sw`` (one reverse sweep per output), or the circuit itself.
    """
    return max((n * sw, "its forward circuit"), (m * sw, "its backward circuit"), (sw, "the circuit"))


def _refuse(what: str, gates: float, part: str, max_gates: int) -> None:
    raise CircuitError(f"{what} would build about {gates:.2g} gates ({part}), more than --max-gates "
                       f"{max_gates:,} (sized for a 2-core, 24 GiB machine); use a smaller size or "
                       "expression, or raise --max-gates if this machine has the memory")


def _check_gates(circuit, max_gates: int, what: str) -> None:
    """Refuse a circuit whose transforms would pass ``max_gates`` (0: no limit)."""
    if max_gates:
        gates, part = _work(len(circuit.inputs), len(circuit.outputs), circuit.size + circuit.wires)
        if gates > max_gates:
            _refuse(what, gates, part, max_gates)


#: The sizes at which a family is built to extrapolate its growth (the second if the first fails).
_PROBES = ((4, 8), (8, 12))


def _check_family(name: str, family, sizes: Sequence[int], max_gates: int) -> None:
    """Refuse sizes at which ``family``'s circuits and their transforms would pass ``max_gates``.

    ``n``, ``m`` and ``s + w`` are measured at two small sizes and extrapolated
    as powers of the size (``q(k) = q(b)·(k/b)^e``, ``e`` from the two sizes),
    without building the large circuits.
    """
    big = [k for k in sizes if k > _PROBES[-1][1]]
    if not max_gates or not big:
        return
    for a, b in _PROBES:
        try:
            ca, cb = family(a), family(b)
        except (CircuitError, ValueError, MemoryError):
            continue
        break
    else:
        return  # no small sizes to learn from: build as asked
    k = max(big)
    qa = (len(ca.inputs), len(ca.outputs), ca.size + ca.wires)
    qb = (len(cb.inputs), len(cb.outputs), cb.size + cb.wires)
    # in logarithms: matrix_chain at 10**8 overflows a float
    logs = [math.log(max(y, 1)) + math.log(max(y, 1) / max(x, 1)) / math.log(b / a) * math.log(k / b)
            for x, y in zip(qa, qb)]
    n, m, sw = logs
    log_gates, part = max((n + sw, "its forward circuit"), (m + sw, "its backward circuit"), (sw, "the circuit"))
    if log_gates > math.log(max_gates):
        gates = math.exp(min(log_gates, 700))
        _refuse(f"{name} at size {k}", gates, part + f", s + w ≈ {math.exp(min(sw, 700)):.2g}", max_gates)


def _checks(circuit) -> list:
    """The complexity bound checks that apply to ``circuit``."""
    checks = [bounds.forward_size(circuit)]
    if len(circuit.outputs) == 1:
        checks += [bounds.theorem3(circuit), bounds.cheap_gradient(circuit)]
    checks.append(bounds.vector_bound(circuit))
    return checks


# --- subcommands --------------------------------------------------------------------


def _cmd_report(args) -> int:
    c = _parse(args.expr, args.inputs)
    _check_gates(c, _max_gates(args), "the report")
    table = compare(c, simplified=args.simplify)
    checks = _checks(c)
    if args.json:
        print(json.dumps({
            "expression": args.expr,
            "inputs": list(c.inputs),
            "outputs": list(c.outputs),
            "analysis": _plain(analyze(c).as_dict()),
            "rows": _plain(table.rows),
            "bounds": [{"name": r.name, "claim": r.claim, "bound": _plain(r.bound),
                        "measured": _plain(r.measured), "holds": r.holds} for r in checks],
        }, indent=2, ensure_ascii=False))
        return 0
    print(f"{args.expr}\n  {analyze(c)}\n")
    print(table)
    print()
    for r in checks:
        print(r)
    return 0


def _cmd_render(args) -> int:
    c = _parse(args.expr, args.inputs)
    if args.transform:
        _check_gates(c, _max_gates(args), "the drawing")
    if args.transform == "forward":
        c = forward(c, keep_primal=True)
    elif args.transform == "backward" and not args.steps:
        c = backward(c, keep_primal=True, mirror=args.mirror)
    for flag, given in (("--mirror", args.mirror), ("--steps", args.steps)):
        if given and args.transform != "backward":
            raise CircuitError(f"{flag} draws a backward circuit; add --transform backward")
    if args.steps and (args.title is not None or args.no_title):
        raise CircuitError("--steps titles each drawing with its step of the chain rule; "
                           "leave out --title and --no-title")
    if args.collapse:
        for flag, given in (("--values", args.values), ("--mirror", args.mirror), ("--steps", args.steps)):
            if given:
                raise CircuitError(f"--collapse draws groups of gates, and {flag} needs every gate drawn; "
                                   f"leave out one of them")
    if args.max_nodes < 0:
        raise CircuitError(f"--max-nodes must be a number of nodes, or 0 for no limit, not {args.max_nodes}")
    max_nodes = None if args.max_nodes == 0 else args.max_nodes
    try:
        if args.steps:
            steps = render_steps(c, args.output, values=_values(args.values), max_nodes=max_nodes,
                                 legend=not args.no_legend, rankdir=args.rankdir, size=args.size, dpi=args.dpi)
            last = f" ... {steps.paths[-1].name}" if len(steps) > 1 else ""
            print(f"wrote {len(steps)} step{'s' * (len(steps) > 1)} of backpropagation: "
                  f"{steps.paths[0].name}{last}")
            return 0
        render(c, args.output, values=_values(args.values), mirror=args.mirror, max_nodes=max_nodes,
               legend=not args.no_legend, title=False if args.no_title else args.title,
               rankdir=args.rankdir, size=args.size, dpi=args.dpi, collapse=args.collapse)
    except CircuitError as err:  # say it in the command's own words: the flag, not the argument
        if "max_nodes=" not in str(err):
            raise
        nodes = re.search(r"(?:has|have at least) (\d+) nodes", str(err))
        raise CircuitError(f"the drawing has {nodes.group(1) if nodes else 'too many'} nodes, more "
                           f"than --max-nodes {args.max_nodes} that can be drawn legibly; pass "
                           f"--max-nodes {nodes.group(1) if nodes else 0} (or --max-nodes 0 for "
                           "no limit) to draw it anyway"
                           + (", or --collapse to draw it in outline" if "collapse=True" in str(err) else "")
                           ) from None
    print(f"wrote {args.output} ({len(c)} nodes, size {c.size})")
    return 0


def _cmd_view(args) -> int:
    c = _parse(args.expr, args.inputs)
    if args.max_nodes < 0:
        raise CircuitError(f"--max-nodes must be a number of nodes, or 0 for no limit, not {args.max_nodes}")
    to_html(c, args.output, point=_values(args.point), transform=args.transform, order=args.order,
            max_nodes=None if args.max_nodes == 0 else args.max_nodes)
    print(f"wrote {args.output}: {args.transform} of a circuit of size {c.size}; open it in a browser "
          "(arrow keys step, hover a node, click an input)")
    return 0


def _plain_text(text: str) -> str:
    """Docstring reST as a terminal shows it: ``x`` → x, :func:`f` → f.

    Examples
    --------
    >>> _plain_text("``n × n`` matrix, see :func:`circuits.library.lsq`")
    'n × n matrix, see circuits.library.lsq'
    """
    text = re.sub(r":[a-z]+:`~?([^`]+)`", r"\1", text)
    return re.sub(r"``([^`]+)``", r"\1", text)


def _cmd_scaling(args) -> int:
    fams = families()
    if args.family not in fams:
        raise CircuitError(f"unknown family {args.family!r}; choose from {', '.join(sorted(fams))}")
    family, what = fams[args.family]
    sizes = _sizes(args.sizes)
    _check_family(args.family, family, sizes, _max_gates(args))
    rows = scaling(family, sizes, progress=None if args.quiet else ProgressBar(len(sizes)))
    if args.json:
        print(json.dumps({"family": args.family, "rows": _plain(rows)}, indent=2))
    else:
        print(f"{args.family}: {_plain_text(what)}")
        print(_text_table(rows, ("size", "n", "s", "w", "depth", "forward", "backward")))
    if args.output:
        plot_scaling(rows, args.output, title=f"{args.family}: gate counts against n")
        print(f"wrote {args.output}", file=sys.stderr if args.json else sys.stdout)
    return 0


def _examples() -> list:
    """The classic examples: (file stem, title, circuit, point)."""
    return [
        ("figure1", "the sum-of-squares loss", L.figure1(),
         {"x": 1.0, "y": 2.0, "z": 3.0}),
        ("backprop_example", "the worked example y = (x1 + x2 + x1·x2)(x1 + x2)",
         L.backprop_example(), {"x_1": 3.0, "x_2": 5.0}),
        ("least_squares", "least squares: ‖Ax − b‖² with A 3×2", L.least_squares([[1, 2], [3, 4], [5, 6]], [1, 0, -1]),
         {"x_1": 0.5, "x_2": -1.0}),
    ]


def _write_figures(out: Path, fmt: str, log=print) -> list:
    written = []
    for stem, _title, c, point in _examples():
        # the worked example is drawn as backpropagation by hand, every ∂y/∂z a gate; the
        # sum of squares' backward circuit is the hand-built one, its adjoints folded into weights
        g = backward(c, keep_primal=True, mirror=stem == "backprop_example")
        mirror = bool(g.meta.get("adjoint_of"))
        x = next(iter(c.inputs))
        fx = forward(c, wrt=[x], figure2=True)
        for name, draw in ((f"{stem}.{fmt}", lambda p, c=c, point=point: render(c, p, values=point)),
                           (f"{stem}_forward.{fmt}", lambda p, fx=fx: render(
                               fx, p, legend=False,
                               title=f"{next(iter(fx.outputs))} by forward propagation · "
                                     f"size {fx.size}, depth {fx.depth}")),
                           (f"{stem}_backward.{fmt}", lambda p, g=g, mirror=mirror: render(g, p, mirror=mirror)),
                           (f"{stem}_backward_simplified.{fmt}", lambda p, g=g: render(simplify(g), p)),
                           (f"{stem}_transforms.{fmt}", lambda p, c=c: render_transforms(c, p))):
            draw(out / name)
            written.append(out / name)
            log(f"wrote {out / name}")
        if stem == "backprop_example":  # backpropagation's six steps, one drawing each
            steps = render_steps(c, out / f"{stem}_step.{fmt}", legend=False)
            for path in steps.paths:
                written.append(path)
                log(f"wrote {path}")
    written.extend(_write_scaling(out, log))
    return written


#: The family and sizes of the README's scaling figure: σ2 in n + O(1) gates
#: (σ2 in n + O(1) gates), so forward propagation grows as n² and backpropagation as n.
SCALING_FIGURE = ("sigma2_fast", (4, 8, 16, 32, 64, 128))


def _write_scaling(out: Path, log=print) -> list:
    name, sizes = SCALING_FIGURE
    rows = scaling(library.FAMILIES[name], sizes)
    out.mkdir(parents=True, exist_ok=True)
    data = out / "scaling.json"
    data.write_text(json.dumps({"family": name, "rows": rows}, indent=1) + "\n", encoding="utf-8")
    plot = out / "scaling.png"
    try:
        plot_scaling(rows, plot, title=f"{name}: gate counts against n")
    except CircuitError as err:  # matplotlib is an optional extra
        log(f"skipped {plot}: {err}")
        return [data]
    log(f"wrote {data}\nwrote {plot}")
    return [data, plot]


def _cmd_figures(args) -> int:
    _write_figures(Path(args.out), args.format)
    return 0


def _cmd_warmup(args) -> int:
    print("compiling the evaluation engine's and the reverse sweep's kernels (numba; once, then cached "
          "on disk) ...", flush=True)
    start = time.perf_counter()
    if not (engine.warmup() and fast_backward.warmup()):
        print("the compiled engine is off (numba is not installed, or CIRCUITS_ENGINE=python); "
              "install it with: pip install 'gradient-circuits[fast]'")
        return 0
    print(f"done in {time.perf_counter() - start:.1f} s; cache: {engine.cache_dir()}")
    return 0


def _cmd_demo(args) -> int:


    for stem, title, c, point in _examples():
        print("=" * 78)
        print(title)
        print("=" * 78)
        a = analyze(c)
        value = c.evaluate(point)
        print(f"size {a.s}, depth {a.depth}, wires {a.w}, inputs {a.n}; "
              f"at {point}: {', '.join(f'{k} = {v}' for k, v in value.items())}")
        print()
        print(compare(c, extra=("jvp", "vjp", "hvp")))
        print()
        for r in _checks(c):
            print(r)
        print()
        for label, grad in (("backward", backward(c)), ("forward", forward(c))):
            report = check_gradient(c, grad, point)
            print(f"central finite differences vs {label}: {'OK' if report else 'FAILED'}, "
                  f"max error {report.max_error:.1e}")
            if not report:
                print(report)
                return 1
        if stem == "least_squares":
            A = np.array([[1, 2], [3, 4], [5, 6]], dtype=float)
            bvec = np.array([1, 0, -1], dtype=float)
            x = np.array([point["x_1"], point["x_2"]])
            want = 2 * A.T @ (A @ x - bvec)
            got = backward(c).evaluate(point)
            got = np.array([got["df/dx_1"], got["df/dx_2"]])
            ok = np.allclose(got, want)
            print(f"backward = 2Aᵀ(Ax − b) (numpy): {got.tolist()} vs {want.tolist()}: {'OK' if ok else 'FAILED'}")
            if not ok:
                return 1
        print()
    try:
        _write_figures(Path(args.out), args.format)
    except CircuitError as err:
        print(f"circuits: figures skipped: {err}", file=sys.stderr)
    return 0


def _max_gates(args) -> int:
    if args.max_gates < 0:
        raise CircuitError(f"--max-gates must be a number of gates, or 0 for no limit, not {args.max_gates}")
    return args.max_gates


def _add_max_gates(p) -> None:
    p.add_argument("--max-gates", type=int, default=MAX_GATES,
                   help=f"refuse work that would build more gates (0: no limit; default {MAX_GATES:,}, "
                        "for 24 GiB of memory)")


# --- the parser -----------------------------------------------------------------------


def _figure_arguments(f) -> None:
    """The arguments of ``circuits demo`` and ``circuits figures``."""
    f.add_argument("--out", default=FIGURES, help="folder for the figures (default: figures)")
    f.add_argument("--format", choices=("svg", "png", "pdf"), default="svg", help="figure format (default: svg)")


def _report_arguments(r) -> None:
    """The arguments of ``circuits report``."""
    r.add_argument("expr", metavar="EXPR", help='a formula, e.g. "x*y + sin(x)"')
    r.add_argument("--inputs", help="input names in order, comma-separated (default: as they appear)")
    r.add_argument("--simplify", action="store_true", help="add rows for the simplified circuits")
    r.add_argument("--json", action="store_true", help="print JSON instead of text")
    _add_max_gates(r)


def _render_arguments(g) -> None:
    """The arguments of ``circuits render``."""
    g.add_argument("expr", metavar="EXPR", help='a formula, e.g. "x*y + sin(x)"')
    g.add_argument("-o", "--output", required=True, help="output file: .svg, .png, .pdf or .dot")
    g.add_argument("--inputs", help="input names in order, comma-separated")
    g.add_argument("--transform", choices=("forward", "backward"), help="draw this gradient circuit instead")
    g.add_argument("--mirror", action="store_true",
                   help="with --transform backward: every ∂y/∂z a gate, drawn opposite z")
    g.add_argument("--steps", action="store_true",
                   help="with --transform backward: one drawing per step of backpropagation, "
                        "written to OUTPUT's stem with _1, _2, ... (a lecture's slides)")
    g.add_argument("--values", help="show node values at a point, e.g. x=1,y=2")
    g.add_argument("--collapse", action="store_true",
                   help="draw a large circuit in outline: one box per operation and level")
    g.add_argument("--max-nodes", type=int, default=500, help="refuse larger circuits (0: no limit; default 500)")
    g.add_argument("--rankdir", choices=("BT", "TB", "LR", "RL"), default="BT",
                   help="direction: BT puts inputs at the bottom (default), LR left to right")
    g.add_argument("--title", help="title of the drawing (default: outputs(inputs), size, depth)")
    g.add_argument("--no-title", action="store_true", help="no title")
    g.add_argument("--no-legend", action="store_true", help="no colour legend")
    g.add_argument("--size", help='largest size in inches, "width,height" (e.g. 9,5)')
    g.add_argument("--dpi", type=float, help="resolution of .png output (e.g. 150)")
    _add_max_gates(g)


def _view_arguments(v) -> None:
    """The arguments of ``circuits view``."""
    v.add_argument("expr", metavar="EXPR", help='a formula, e.g. "x*y + sin(x)"')
    v.add_argument("-o", "--output", required=True, help="the page to write (.html)")
    v.add_argument("--inputs", help="input names in order, comma-separated")
    v.add_argument("--point", help="input values, e.g. x=1,y=2: nodes show values, adjoints and partials")
    v.add_argument("--transform", choices=("backward", "forward", "eliminate"), default="backward",
                   help="what the steps walk through (default: backward)")
    v.add_argument("--order", default="markowitz", help="with --transform eliminate: the order (default markowitz)")
    v.add_argument("--max-nodes", type=int, default=200,
                   help="above this many drawn nodes the page opens in outline (0: no limit; default 200)")


def _scaling_arguments(s) -> None:
    """The arguments of ``circuits scaling``."""
    s.add_argument("family", metavar="FAMILY", help="one of: " + ", ".join(sorted(families())))
    s.add_argument("--sizes", default="2,4,8", help="comma-separated sizes (default: 2,4,8)")
    s.add_argument("-o", "--output", help="also save a log-log plot (.png, .svg, .pdf; needs matplotlib)")
    s.add_argument("--json", action="store_true", help="print JSON instead of text")
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_max_gates(s)


def _no_arguments(p) -> None:
    """A subcommand without arguments of its own."""


#: The subcommands, in the order ``--help`` lists them: name, one-line help, description (None:
#: the help), the function that declares its arguments and the one that runs it.
_COMMANDS = (
    ("demo", "the classic examples: tables, bound checks, gradient checks, figures",
     "Build the classic examples (the sum-of-squares loss, the worked example, ‖Ax − b‖²), print their "
     "comparison tables and bound checks, check gradients against central finite differences and write "
     "figures.", _figure_arguments, _cmd_demo),
    ("figures", "(re)generate the figures only", "Write the before/after figures of the classic examples.",
     _figure_arguments, _cmd_figures),
    ("report", "compare an expression with its forward and backward circuits",
     "Parse EXPR, then tabulate it against its forward and backward circuits with their complexity bounds.",
     _report_arguments, _cmd_report),
    ("render", "draw an expression (or its gradient circuit)",
     "Parse EXPR and draw it with Graphviz; the suffix of -o picks the format.", _render_arguments, _cmd_render),
    ("view", "an interactive page: step through backpropagation in the browser",
     "Parse EXPR and write one self-contained HTML page that steps through backpropagation (or forward "
     "propagation, or an elimination order): buttons, slider and arrow keys; hover a node for its value "
     "and adjoint.", _view_arguments, _cmd_view),
    ("warmup", "compile the evaluation engine's kernels now (numba), with a progress message", None,
     _no_arguments, _cmd_warmup),
    ("scaling", "gate counts of a family of circuits of growing size",
     "Build FAMILY at each size and tabulate n, s, w and the sizes of the forward and backward circuits.",
     _scaling_arguments, _cmd_scaling),
)


def build_parser() -> argparse.ArgumentParser:
    """The argparse parser of the ``circuits`` command."""
    p = _Parser(prog="circuits",
                description="Arithmetic circuits and their gradient circuits: forward propagation, "
                            "backpropagation, analysis and rendering.")
    p.add_argument("--version", action="version", version=f"circuits {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name, help_, description, arguments, func in _COMMANDS:
        c = sub.add_parser(name, help=help_, description=description)
        arguments(c)
        c.set_defaults(func=func)
    return p


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the ``circuits`` command; return its exit status.

    Exit status 2 and one line on stderr for bad input (:class:`ParseError`,
    :class:`CircuitError`, bad options) and for any other error (a file that
    cannot be written, ...): never a traceback.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors
        return exc.code if isinstance(exc.code, int) else 2
    try:
        return args.func(args)
    except (ParseError, CircuitError) as err:
        lines = str(err).splitlines() or [type(err).__name__]
        print(f"circuits: error: {lines[0]}", file=sys.stderr)
        if isinstance(err, ParseError) and len(lines) == 3:  # the formula and a caret under the fault
            print("\n".join(lines[1:]), file=sys.stderr)
        return 2
    except BrokenPipeError:  # `circuits report ... | head`
        return 0
    except MemoryError:
        print(f"circuits: error: out of memory in '{args.command}'; use smaller sizes or a shorter "
              "expression, or a lower --max-gates so that such work is refused before it starts",
              file=sys.stderr)
        return 2
    except OSError as err:
        print(f"circuits: error: {err.strerror or err}: {err.filename!r}" if err.filename
              else f"circuits: error: {err}", file=sys.stderr)
        return 2
    except Exception as err:  # noqa: BLE001 - a bug, still one line and status 2
        first = str(err).splitlines()[0] if str(err) else ""
        print(f"circuits: error: {type(err).__name__}: {first}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
