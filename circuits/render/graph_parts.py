"""The parts of a drawing: the Graphviz digraph, a circuit's nodes and wires, the legend, files.

:func:`digraph` makes the :class:`graphviz.Digraph` every drawing starts
from; :func:`add_circuit` draws a circuit's nodes and wires into it (with
highlighted paths, and a backward circuit's gates mirroring the forward
ones); :func:`add_legend` adds the legend of node kinds; :func:`write`
writes a drawing to a file.  :func:`circuits.render`,
:func:`circuits.render_transforms` and :func:`circuits.render_steps` are
made of them.

Examples
--------
>>> import circuits
>>> from circuits.render.graph_parts import add_circuit, digraph
>>> from circuits.render.labels import graphviz_module
>>> g = digraph(graphviz_module(), "c", "x·y", None)
>>> sorted(add_circuit(g, circuits.parse("x * y"), ""))   # the kinds of node drawn, for the legend
['input', 'output', 'primal']
>>> sum("->" in line and "invis" not in line for line in g.source.splitlines())   # x, y → ×, × → f
3
"""

from __future__ import annotations

import re
from numbers import Integral, Real
from os import PathLike
from pathlib import Path
from typing import Mapping, Optional

from ..core.circuit import Circuit
from ..eval.interpreter import node_values
from ..core.errors import CircuitError
from ..core.gates import GATES
from ..ad.common import dname
from ..ad.semirings import GradientPath
from .latex import tikz_source
from .labels import (COLORS, FONT, FRESH_COLOR, LEGEND, ROLES, WEIGHT_COLOR, escape, escape_lines, graphviz_module,
                     name_label, number_text, truncate_text)

__all__ = ["node_levels", "digraph", "check_size", "PATH_COLORS", "add_circuit", "highlighted_paths", "check_meta",
           "ordered_rank", "mirror_names", "SHAPES", "add_legend", "write", "write_bytes"]


_FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf"}


def node_levels(circuit: Circuit) -> list:
    level = [0] * len(circuit)
    for v in range(len(circuit)):
        a = circuit.args(v)
        if a:
            level[v] = 1 + max(level[u] for u in a)
    return level


def digraph(graphviz, name: str, title, most: Optional[int], rankdir: str = "BT", size=None, dpi=None):
    """A Digraph with the drawings' one font, direction, title (cut at ``most`` characters), size and dpi."""
    if rankdir not in ("BT", "TB", "LR", "RL"):
        raise CircuitError(f"rankdir must be one of 'BT', 'TB', 'LR', 'RL', not {rankdir!r}")
    # Graphviz ignores a size or dpi it cannot read, silently: say so instead
    if size is not None and not re.fullmatch(r"\s*\d+(\.\d*)?\s*(,\s*\d+(\.\d*)?\s*)?!?\s*", str(size)):
        raise CircuitError(f"size must be Graphviz's \"width,height\" in inches, e.g. \"9,5\" (or \"9,5!\" to "
                           f"scale small drawings up), not {size!r}")
    if dpi is not None and (isinstance(dpi, bool) or not isinstance(dpi, Real) or not dpi > 0):  # type: ignore[operator]  # numbers.Real orders
        raise CircuitError(f"dpi must be a positive number of dots per inch, e.g. dpi=96, not {dpi!r}")
    g = graphviz.Digraph(name)
    # newrank: rank constraints hold inside clusters too; remincross=false: the second crossing
    # minimisation that dot runs over clusters ignores the invisible edges that keep inputs
    # and outputs in order (it drew a neuron's inputs w0, w1, x1, x2, w2)
    g.attr(rankdir=rankdir, fontname=FONT, fontsize="12", newrank="true", remincross="false")
    if title:
        g.attr(label=escape(str(title) if most is None else truncate_text(str(title), most)), labelloc="t")
    if size is not None:
        g.attr(size=str(size))
    if dpi is not None:
        g.attr(dpi=str(dpi))
    g.attr("node", fontname=FONT, fontsize="12")
    g.attr("edge", fontname=FONT, fontsize="11", arrowsize="0.6")
    return g


def check_size(nodes: int, max_nodes: Optional[int], what: str, at_least: bool = False,
                hint: str = "") -> None:
    if max_nodes is not None and (isinstance(max_nodes, bool) or not isinstance(max_nodes, Integral) or max_nodes < 0):
        raise CircuitError(f"max_nodes must be a whole number of nodes, or None for no limit, not {max_nodes!r}")
    if max_nodes is not None and nodes > max_nodes:
        if at_least:
            raise CircuitError(f"{what} have at least {nodes} nodes, more than max_nodes={max_nodes} that can "
                               "be drawn legibly; pass max_nodes=None to draw them anyway")
        raise CircuitError(f"{what} has {nodes} nodes, more than max_nodes={max_nodes} that can be drawn "
                           f"legibly; pass max_nodes={nodes} (or max_nodes=None) to draw it anyway{hint}")


#: Colours of highlighted paths, heaviest first.
PATH_COLORS = ("#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")


def _add_nodes(g, circuit: Circuit, prefix: str, values, mirror, adjoints, hidden, fresh) -> tuple:
    """Draw the nodes of ``circuit`` (of :func:`add_circuit`); return ``(kinds, drawn)``: the
    kinds drawn and the nodes drawn once (not the constants drawn at each use)."""
    roles = circuit.meta.get("role")
    outputs: dict[int, list] = {}
    for name, v in circuit.outputs.items():
        outputs.setdefault(v, []).append(name)
    if values is not None and not isinstance(values, Mapping):
        raise CircuitError(f"values must be a mapping {{input name: number}}, e.g. values={{'x': 1.0}}, "
                           f"not a {type(values).__name__}")
    vals = node_values(circuit, dict(values)) if values is not None else None
    adjoint_of = circuit.meta.get("adjoint_of") or {}  # a mirrored ∂y/∂z is drawn even when constant
    # u₁, u₂ and ∂y/∂u₁ when the internal adjoints are gates (backward(..., mirror=True))
    names = mirror_names(circuit) if mirror and _keeps_adjoints(circuit) else {}
    kinds = set()
    drawn = set()
    for v in range(len(circuit)):
        op = circuit.op(v)
        if op == "const" and v not in outputs and not (mirror and v in adjoint_of):
            kinds.add("const")
            continue  # drawn small at each use, not as one hub every user points to
        drawn.add(v)
        if op == "input":
            lines, kind = [escape(name_label(circuit.name(v)))], "input"
            attrs = {"shape": "box", "style": "rounded,filled"}
        elif op == "const":
            lines, kind = [escape(number_text(circuit.value(v)))], "const"
            attrs = {"shape": "box", "style": "filled"}
        else:
            lines = [escape(GATES[op].label)]
            kind = roles[v] if roles is not None and roles[v] in ROLES else "primal"
            attrs = {"shape": "circle", "style": "filled"}
        kinds.add(kind)
        if v in names and v not in outputs and op != "input":  # u₁, ∂y/∂u₁: the worked example's names
            lines.append(escape(names[v]))
        if v in outputs:  # named by a pin above it (_add_output_pins)
            attrs.update(color=COLORS["output"], penwidth="2.5")
            kinds.add("output")
        if vals is not None and op != "const":
            lines.append(escape("= " + number_text(vals[v])))
        if adjoints is not None and v in adjoints and op != "const":
            lines.append(escape("grad " + number_text(adjoints[v])))
        attrs["fillcolor"] = COLORS[kind]
        if v in fresh:
            attrs.update(color=FRESH_COLOR, penwidth="3")
        if v in hidden:
            attrs["style"] = "invis"
        g.node(f"{prefix}n{v}", escape_lines(lines), **attrs)
    return kinds, drawn


def _add_wires(g, circuit: Circuit, prefix: str, drawn: set, partials, highlight, hidden) -> None:
    """Draw the wires of ``circuit`` (of :func:`add_circuit`), with a small box for a constant
    argument at each use."""
    for v in circuit.gates():
        op = circuit.op(v)
        gate = GATES[op]
        a = circuit.args(v)
        show_positions = not gate.commutative and len(a) > 1
        arg_names = gate.arg_names
        for k, (u, w) in enumerate(zip(a, circuit.weights(v))):
            # weights and argument names are the wire's own label, which dot lays out as a
            # point of the wire's path, so no two of them (and no label and node) collide
            attrs = {}
            if gate.weighted and w != 1:
                attrs = {"label": escape(number_text(w)), "fontcolor": WEIGHT_COLOR, "decorate": "true"}
            elif show_positions:
                attrs = {"label": escape(arg_names[k] if k < len(arg_names) else f"#{k}"),
                         "fontcolor": "#555555", "fontsize": "10"}
            wire = (u, v, k)
            if partials is not None and wire in partials and not gate.weighted:  # a + wire's partial is its weight
                attrs = {"label": escape(number_text(partials[wire])), "fontcolor": WEIGHT_COLOR, "decorate": "true"}
            if highlight is not None and wire in highlight:
                attrs.update(color=highlight[wire], penwidth="3.5", fontcolor=highlight[wire])
            tail = f"{prefix}n{u}"
            if v in hidden:
                attrs = {"style": "invis"}
            if u not in drawn:  # a constant: a small box of its own at this use
                tail = f"{prefix}n{u}_{v}_{k}"
                g.node(tail, escape(number_text(circuit.value(u))), shape="box",
                       style="invis" if v in hidden else "filled",
                       fillcolor=COLORS["const"], fontsize="9", width="0.2", height="0.15",
                       margin="0.03,0.01")
            g.edge(tail, f"{prefix}n{v}", **attrs)


def _add_output_pins(g, circuit: Circuit, prefix: str, mirror, hidden) -> None:
    """Draw the output names of ``circuit`` (of :func:`add_circuit`) as pins above their nodes."""
    # every output's name on one row above the drawing, in output order, each with a wire
    # from its node: long names never swell a gate, and the order is the circuit's
    pins = []
    for k, (name, v) in enumerate(circuit.outputs.items()):
        pin = f"{prefix}out{k}"
        style = "invis" if v in hidden else "solid"
        g.node(pin, escape(name_label(name)), shape="plaintext", fontcolor=COLORS["output"],
               margin="0.02,0.02", width="0", height="0.2", style=style)
        g.edge(f"{prefix}n{v}", pin, color=COLORS["output"], arrowsize="0.5", style=style)
        pins.append(pin)
    if not mirror:  # the pins of the outputs nothing reads on the top row, in order
        read = {u for v in circuit.gates() for u in circuit.args(v)}
        top = [pin for pin, v in zip(pins, circuit.outputs.values()) if v not in read and v not in hidden]
        if len(top) == 1:
            with g.subgraph() as s:
                s.attr(rank="max")
                s.node(top[0])
        ordered_rank(g, top, "max")


def add_circuit(g, circuit: Circuit, prefix: str, *, values=None, mirror=False,
                 adjoints=None, partials=None, highlight=None, hidden=(), fresh=(), inputs=None) -> set:
    """Draw ``circuit`` into graph ``g`` with node ids ``{prefix}n{v}``; return the kinds drawn.

    ``adjoints`` (node → ∂y/∂node) adds a line per node, ``partials``
    ({(u, g, i): value}) labels the wires, ``highlight`` ({(u, g, i): colour})
    draws those wires thick and coloured.  Nodes in ``hidden`` are laid out
    but invisible, with their wires (so that a sequence of drawings keeps one
    layout); nodes in ``fresh`` are outlined as new.  The DOT names of the
    inputs are appended to the list ``inputs`` (the legend goes under them).
    """
    check_meta(circuit)
    kinds, drawn = _add_nodes(g, circuit, prefix, values, mirror, adjoints, hidden, fresh)
    _add_wires(g, circuit, prefix, drawn, partials, highlight, hidden)
    # inputs in declaration order on one rank; outputs nothing reads in output order on one rank
    ordered_rank(g, [f"{prefix}n{v}" for v in circuit.inputs.values()], "same")
    if inputs is not None:
        inputs.extend(f"{prefix}n{v}" for v in circuit.inputs.values())
    if mirror:
        _mirror(g, circuit, prefix, drawn)
    _add_output_pins(g, circuit, prefix, mirror, hidden)
    return kinds


def highlighted_paths(circuit: Circuit, highlight) -> list:
    """``highlight`` as a list of GradientPaths of ``circuit``: one path or several, each checked
    to be made of the circuit's wires (a path of another circuit would colour other wires)."""
    paths = [highlight] if isinstance(highlight, GradientPath) else highlight
    if isinstance(paths, (str, bytes, Mapping)) or not hasattr(paths, "__iter__"):
        raise CircuitError(f"render(highlight=...) takes a GradientPath or a list of them from "
                           f"circuits.top_paths, not a {type(highlight).__name__}")
    paths = list(paths)
    n = len(circuit)
    for p in paths:
        if not isinstance(p, GradientPath):
            raise CircuitError(f"render(highlight=...) takes GradientPaths from circuits.top_paths, "
                               f"got {type(p).__name__}")
        for wire in p.edges:
            u, v, i = wire if isinstance(wire, tuple) and len(wire) == 3 else (None, None, None)
            ok = (isinstance(v, Integral) and 0 <= v < n and isinstance(i, Integral)  # type: ignore[operator]  # numbers.Integral orders, typeshed does not say so
                  and 0 <= i < len(circuit.args(v)) and circuit.args(v)[i] == u)  # type: ignore[operator, arg-type]
            if not ok or p.input not in circuit.inputs or p.output not in circuit.outputs:
                raise CircuitError(f"the path {p.input} → {p.output} is not a path of this circuit (a wire "
                                   f"{wire!r} it follows is not one of its wires); highlight paths that "
                                   "circuits.top_paths found in the circuit you draw")
    return paths


def check_meta(circuit: Circuit) -> None:
    """Refuse a ``circuit.meta`` the drawing cannot read (a forged or hand-made one): ``role``
    must hold one entry per node, ``adjoint_of`` map node ids to node ids."""
    n = len(circuit)
    meta = circuit.meta
    roles = meta.get("role")
    if roles is not None and (not isinstance(roles, (list, tuple)) or len(roles) != n):
        raise CircuitError(f"circuit.meta['role'] must list one role per node ({n}), and it holds "
                           f"{len(roles) if isinstance(roles, (list, tuple)) else type(roles).__name__}; "
                           "rebuild the circuit with circuits.backward or drop its meta")
    adjoint_of = meta.get("adjoint_of")
    if adjoint_of is None:
        return
    if not isinstance(adjoint_of, Mapping):
        raise CircuitError(f"circuit.meta['adjoint_of'] must map adjoint node ids to node ids, not a "
                           f"{type(adjoint_of).__name__}; rebuild the circuit with circuits.backward")
    for a, z in adjoint_of.items():
        if not all(isinstance(u, Integral) and not isinstance(u, bool) and 0 <= u < n for u in (a, z)):  # type: ignore[operator]  # numbers.Integral orders, typeshed does not say so
            raise CircuitError(f"circuit.meta['adjoint_of'] maps {a!r} to {z!r}, and the circuit's nodes are "
                               f"0 to {n - 1}; rebuild the circuit with circuits.backward, or draw it "
                               "without mirror=True")


def ordered_rank(g, nodes: list, rank: str) -> None:
    """Put ``nodes`` on one rank, left to right in the given order (invisible edges)."""
    if len(nodes) < 2:
        return
    with g.subgraph() as s:
        s.attr(rank=rank)
        for name in nodes:
            s.node(name)
        for a, b in zip(nodes, nodes[1:]):
            s.edge(a, b, style="invis", weight="10")


def _mirror(g, circuit: Circuit, prefix: str, drawn: set) -> None:
    """Rank each node z at its depth and each ∂y/∂z at the mirrored rank ``2L + 1 - depth(z)``."""
    adjoint_of = circuit.meta.get("adjoint_of")
    if adjoint_of is not None and not adjoint_of:
        raise CircuitError("mirror=True draws each ∂y/∂z opposite z, and this backward circuit has no "
                           "∂y/∂z node (its output is a constant, which depends on no input and no gate). "
                           "Draw it without mirror=True")
    if not adjoint_of:
        raise CircuitError("mirror=True needs circuit.meta['adjoint_of'] (the map ∂y/∂z node → z node "
                           "that a backward circuit records); this circuit has none. "
                           "Draw it without mirror=True")
    level = node_levels(circuit)
    primal = set(adjoint_of.values())
    roles = circuit.meta.get("role")
    if roles is not None:
        primal.update(v for v in range(len(circuit)) if roles[v] == "primal")
    primal -= set(adjoint_of)
    top = max(level[z] for z in primal) if primal else 0
    rank: dict[int, list] = {}
    for z in primal:
        rank.setdefault(level[z], []).append(z)
    for a, z in adjoint_of.items():
        rank.setdefault(2 * top + 1 - level[z], []).append(a)
    anchors = [f"{prefix}rank{r}" for r in range(2 * top + 2)]
    for name in anchors:
        g.node(name, "", style="invis", shape="point", width="0")
    for lo, hi in zip(anchors, anchors[1:]):
        g.edge(lo, hi, style="invis")
    for r, nodes in sorted(rank.items()):
        with g.subgraph() as s:
            s.attr(rank="same")
            s.node(anchors[r])
            for v in sorted(nodes):
                if v in drawn:
                    s.node(f"{prefix}n{v}")
            # outputs of one rank left to right in output order (∂f/∂x before ∂f/∂y)
            order = [v for v in dict.fromkeys(circuit.outputs.values()) if v in nodes and v in drawn]
            for a, b in zip(order, order[1:]):
                s.edge(f"{prefix}n{a}", f"{prefix}n{b}", style="invis", weight="10")


def _keeps_adjoints(circuit: Circuit) -> bool:
    """Whether a gate of the circuit other than the output has its ∂y/∂z node (backward(mirror=True))."""
    adjoint_of = circuit.meta.get("adjoint_of") or {}
    if not adjoint_of:
        return False
    seed = max(adjoint_of.values())
    return any(z != seed and circuit.op(z) not in ("input", "const") for z in adjoint_of.values())


def mirror_names(circuit: Circuit) -> dict:
    """The worked example's names for a mirrored drawing: ``u₁, u₂, ...`` for the gates of the
    circuit, ``∂y/∂z`` for each adjoint node (``circuit.meta["adjoint_of"]``)."""
    adjoint_of = circuit.meta["adjoint_of"]
    seed = max(adjoint_of.values())  # the differentiated output comes last in topological order
    named = {v: o for o, v in reversed(list(circuit.outputs.items()))}
    names, k = {}, 0
    roles = circuit.meta.get("role")
    for v in range(len(circuit)):
        op = circuit.op(v)
        if op == "input":
            names[v] = circuit.name(v)
        elif op != "const" and (roles is None or roles[v] == "primal"):
            if v in named:  # backward(mirror=True) keeps the circuit's outputs, y among them
                names[v] = named[v]
            elif v == seed:
                names[v] = "y"
            else:
                k += 1
                names[v] = f"u_{k}"
    names = {v: name_label(n) for v, n in names.items()}
    y_label = names.get(seed, "y")
    for a, z in adjoint_of.items():
        names[a] = dname(y_label, names.get(z, "?"))
    return names


#: The shape of each kind of node, in every drawing and its legend.
SHAPES = {"input": ("box", "rounded,filled"), "const": ("box", "filled"), "primal": ("circle", "filled"),
          "recomputed": ("circle", "filled"), "derivative": ("circle", "filled"), "output": ("circle", "filled"), "fresh": ("circle", "filled")}


def add_legend(g, kinds: set, prefix: str = "", above=()) -> None:
    """One row under the drawing: a small shape and a word for each kind of node drawn.

    Invisible wires from the row to the nodes ``above`` (the inputs) keep it under them."""
    entries = [k for k in ("input", "const", "primal", "recomputed", "derivative", "output", "fresh")
               if k in kinds]
    if not entries:
        return
    with g.subgraph(name=f"{prefix}legend") as s:
        s.attr(rank="min")
        previous = None
        for kind in entries:
            shape, style = SHAPES[kind]
            attrs = {"shape": shape, "style": style, "fillcolor": COLORS.get(kind, "white"),
                     "label": "", "width": "0.22", "height": "0.16" if shape == "box" else "0.22",
                     "fixedsize": "true"}
            if kind == "output":
                attrs.update(fillcolor="white", color=COLORS["output"], penwidth="2.5")
            elif kind == "fresh":
                attrs.update(fillcolor="white", color=FRESH_COLOR, penwidth="3")
            mark, word = f"{prefix}legend_{kind}", f"{prefix}legend_{kind}_text"
            s.node(mark, **attrs)
            s.node(word, LEGEND[kind], shape="plaintext", fontsize="10", margin="0.02,0",
                   height="0.2", width="0")
            if previous is not None:
                s.edge(previous, mark, style="invis", minlen="0")
            s.edge(mark, word, style="invis", minlen="0")
            previous = word
    first = f"{prefix}legend_{entries[0]}"
    for name in above:
        g.edge(first, name, style="invis", weight="0")


def write(graph, path) -> Path:
    """Write a :class:`graphviz.Digraph` to ``path``; the suffix picks the format.

    ``.svg``, ``.png`` and ``.pdf`` need the Graphviz ``dot`` program, and so
    does ``.tex`` (a standalone LaTeX/TikZ picture, :func:`circuits.to_tikz`);
    ``.dot`` and ``.gv`` write the DOT source.  Missing folders are created.

    Raises
    ------
    CircuitError
        For another suffix, or when ``dot`` is missing or fails.
    """
    graphviz = graphviz_module()
    if not isinstance(path, (str, PathLike)):
        raise CircuitError(f"path must be a file name such as 'circuit.svg', not a {type(path).__name__}")
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".dot", ".gv"):
        write_bytes(path, graph.source.encode("utf-8"))
        return path
    if suffix == ".tex":  # a standalone LaTeX/TikZ picture of the same layout
        write_bytes(path, tikz_source(graph).encode("utf-8"))
        return path
    fmt = _FORMATS.get(suffix)
    if fmt is None:
        raise CircuitError(f"cannot write {path.name!r}: use a .svg, .png, .pdf, .tex or .dot file name")
    try:
        data = graph.pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        raise CircuitError("the Graphviz 'dot' program was not found on PATH; install it with "
                           "`apt-get install graphviz` (macOS: `brew install graphviz`), "
                           "or write a .dot file instead") from None
    except graphviz.CalledProcessError as exc:
        raise CircuitError(f"Graphviz 'dot' failed to draw {path.name!r}: {exc}") from None
    write_bytes(path, data)
    return path


def write_bytes(path, data: bytes) -> None:
    """Write a file, turning the operating system's refusal into a CircuitError."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as exc:  # a folder of that name, no permission, a full disk...
        raise CircuitError(f"cannot write {str(path)!r}: {exc.strerror or exc}") from None
