"""Drawing circuits with Graphviz, as textbooks draw them.

A circuit is drawn with its sources (inputs
and constants) at the bottom, gates labeled by their operation and scaling
factors written on the wires into ``+`` gates, and a backpropagation
circuit is best drawn with "the gate ∂y/∂z in a position
mirroring the gate z".  :func:`render` does all of that and returns a
:class:`graphviz.Digraph`, which Jupyter shows inline; :func:`render_transforms`
draws a circuit, its forward and its backward circuit side by side.

Only writing an image needs the Graphviz ``dot`` program; building the
:class:`graphviz.Digraph` (and writing ``.dot`` files) does not.

Examples
--------
>>> import circuits
>>> c = circuits.trace(lambda x, y: (x - 3*y) * y)
>>> g = circuits.render(c)          # a graphviz.Digraph; render(c, "f.svg") writes it
>>> [line.strip() for line in g.source.splitlines() if "->" in line and "invis" not in line]
['n0 -> n2', 'n1 -> n2 [label=-3 decorate=true fontcolor="#1f4e9a"]', 'n2 -> n3', 'n1 -> n3', 'n3 -> out0 [arrowsize=0.5 color="#c0392b" style=solid]']
"""

from __future__ import annotations

import html
import re
from fractions import Fraction
from numbers import Integral, Real
from os import PathLike
from pathlib import Path
from typing import Any, Literal, Mapping, Optional, Union

from ..core.checks import check_path
from ..core.circuit import Circuit, names_text, select_outputs
from ..eval.interpreter import node_values
from ..core.errors import CircuitError
from ..core.gates import GATES
# the functions: mypy takes ..ad.forward and ..ad.backward for the modules
from ..ad.forward import forward
from ..ad.backward import backward
from ..ad.common import dname
from ..ad.linearize import edge_values
from ..ad.semirings import REAL, GradientPath, propagate
from ..ad.common import dnames
from .latex import tikz_source

__all__ = ["render", "render_transforms", "render_steps", "DrawingSteps", "write", "COLORS", "collapsed_boxes"]

#: Fill colours by node kind; ``primal``, ``derivative`` and ``recomputed`` (a gate evaluated again
#: by :func:`circuits.checkpoint`) follow ``circuit.meta["role"]``.
COLORS = {
    "input": "#d9f2d9",
    "const": "#eeeeee",
    "primal": "#d6e6f7",
    "derivative": "#fde0c2",
    "recomputed": "#e3d3f2",
    "output": "#c0392b",
}

_ROLES = ("primal", "derivative", "recomputed")

#: Colour of the weights written on wires into ``+`` gates.
WEIGHT_COLOR = "#1f4e9a"

#: Outline of the nodes a step of :func:`render_steps` adds.
FRESH_COLOR = "#2c7be5"

_LEGEND = {
    "input": "input",
    "const": "constant",
    "primal": "gate",
    "derivative": "derivative gate",
    "recomputed": "recomputed gate",
    "output": "output",
    "fresh": "new in this step",
}

_FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf"}


def graphviz_module():
    try:
        import graphviz
    except ImportError:
        raise CircuitError("rendering needs the graphviz Python package: pip install graphviz "
                           "(and the dot program: apt-get install graphviz)") from None
    return graphviz


def number_text(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, Fraction) and v.denominator != 1:
        return f"{v.numerator}/{v.denominator}"
    if isinstance(v, Fraction):
        return str(v.numerator)
    return str(v)


def escape(text: str) -> str:
    r"""``text`` as a plain (quoted) DOT label: never read as an HTML-like ``<...>`` label.

    Every label the drawings build from names, numbers, sympy expressions or gate
    labels goes through here.  Backslashes and double quotes are escaped so that a
    name can neither close the quoted string nor form an escape sequence (``\N``,
    ``\G``, ``\l``...); a line break in a name becomes a DOT line break and other
    control characters a space; joining escaped lines with ``"\n"`` keeps our own
    line breaks.  ``nohtml`` stops the graphviz package from passing a name shaped
    like ``<...>`` through unquoted, as an HTML-like label (which could embed a
    local file with ``<IMG SRC=...>``).

    >>> print(escape('<x>]; y [label="PWNED"]; z [label=<y>'))
    <x>]; y [label=\"PWNED\"]; z [label=<y>
    >>> print(escape('a\\b'), escape('two\nlines'), escape('end\\'))
    a\\b two\nlines end\\
    """
    from graphviz import nohtml
    text = str(text).replace("\\", "\\\\").replace('"', '\\"')
    text = text.replace("\r\n", "\n").replace("\n", "\\n")
    return nohtml("".join(ch if ch >= " " or ch == "\\" else " " for ch in text))


def escape_lines(lines) -> str:
    """Escaped lines joined by DOT line breaks, as one plain label."""
    from graphviz import nohtml
    return nohtml("\\n".join(lines))


def _escape_html(text: str) -> str:
    """``text`` for the inside of an HTML-like ``<...>`` label: ``& < > " '`` as entities.

    >>> _escape_html('<b>&"x"</b>')
    '&lt;b&gt;&amp;&quot;x&quot;&lt;/b&gt;'
    """
    return html.escape(str(text), quote=True)


_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")

#: One font for everything in a drawing (labels, weights, title, legend).
FONT = "Helvetica"


def name_label(name: str) -> str:
    """``x_1`` → ``x₁``, ``w_12`` → ``w₁₂`` (digit subscripts); other names unchanged.

    Examples
    --------
    >>> name_label("x_1"), name_label("df/dx_12"), name_label("x_a")
    ('x₁', 'df/dx₁₂', 'x_a')
    """
    return re.sub(r"_(\d+)\b", lambda m: m.group(1).translate(_SUBSCRIPTS), name)


#: Output names up to this many characters are written inside their gate, longer ones beside it.
SHORT_NAME = 3


def _truncate(text: str, most: int = 70) -> str:
    """``text`` cut to at most ``most`` characters at a space, never inside a word or
    between brackets, with "…" where it was cut.

    Examples
    --------
    >>> _truncate("dloss/dW1, dloss/dW2, dloss/db", 20)
    'dloss/dW1, …'
    >>> _truncate("f(x, y, z) and more", 10)
    'f(x, …)'
    """
    text = str(text)
    if len(text) <= most:
        return text
    cut = text[:max(most - 3, 1)]
    space = cut.rfind(" ")
    cut = cut[:space].rstrip() if space > 0 else ""
    while cut and _balanced(cut + " …") != cut + " …" and len(_balanced(cut + " …")) > most:
        cut = cut[:max(cut.rfind(" "), 0)].rstrip()
    return _balanced(cut + " …") if cut else "…"


def _balanced(text: str) -> str:
    """``text`` with brackets it leaves open closed, in the right order."""
    pairs = {"(": ")", "[": "]", "{": "}"}
    stack = []
    for ch in text:
        if ch in pairs:
            stack.append(pairs[ch])
        elif stack and ch == stack[-1]:
            stack.pop()
    return text + "".join(reversed(stack))


def names_list(names, most: int) -> str:
    """Whole names joined by commas in about ``most`` characters: ``a, b, … (9 in all)``
    (the first name is always shown, a name longer than ``most`` cut with "…").

    Examples
    --------
    >>> names_list(["x", "y", "z"], 20)
    'x, y, z'
    >>> names_list([f"x{k}" for k in range(1, 30)], 24)
    'x1, x2, … (29 in all)'
    """
    names = [str(n) if len(str(n)) <= most else str(n)[:max(most - 1, 1)] + "…" for n in names]
    text = ", ".join(names)
    if len(text) <= most or len(names) < 2:
        return text
    more = f", … ({len(names)} in all)"
    if len(names[0]) + len(more) > most:
        return f"… {len(names)} in all"
    shown = 1
    while shown < len(names) and len(", ".join(names[:shown + 1])) + len(more) <= most:
        shown += 1
    return ", ".join(names[:shown]) + more


#: Default titles are at most this many characters.
TITLE_MOST = 60


def _default_title(circuit: Circuit) -> str:
    """A short phrase: ``f(x, y, z) · size 7, depth 3``, ``f and ∇f(x, y, z) · ...`` for a
    gradient circuit, whole names only, at most :data:`TITLE_MOST` characters.

    Examples
    --------
    >>> import circuits
    >>> f = circuits.parse("x*y + z", name="f")
    >>> _default_title(f), _default_title(circuits.backward(f))
    ('f(x, y, z) · size 2, depth 2', '∇f(x, y, z) · size 0, depth 0')
    """
    tail = f" · size {circuit.size:,}, depth {circuit.depth:,}"
    return _function_text(circuit, TITLE_MOST - len(tail)) + tail


def _function_text(circuit: Circuit, most: int = 40) -> str:
    """``f(x, y, z)``, ``(f, g)(x, y)`` or ``∇f(x, y)`` in at most ``most`` characters: whole
    names (one longer than half of ``most`` is cut, with "…")."""
    outs = list(circuit.outputs)
    head = _gradient_head(outs, list(circuit.inputs))
    if head is not None and len(head) > most // 2:
        head = head.split(" and ")[-1]  # "f and ∇f" → "∇f"
    if head is None:
        head = name_label(names_list(outs, most // 2 - 2))
        if len(outs) > 1:
            head = f"({head})"
    ins = name_label(names_list(circuit.inputs, max(most - len(head) - 2, 8)))
    return f"{head}({ins})"


def _gradient_head(outs: list, ins: list) -> Optional[str]:
    """``∇f`` when the outputs are the gradient of one output ``f`` (``f and ∇f`` with ``f``)."""
    if not ins or not outs:
        return None
    suffix = dname("", ins[0])[1:]  # "/dx" of "df/dx"
    candidates = [outs[0]]
    first = next((o for o in outs[:2] if o.startswith("d") and o.endswith(suffix)), None)
    if first is not None:
        y = first[1:len(first) - len(suffix)]
        candidates += [y, y[1:-1]]  # a name with "/" is parenthesised: d(df/dx)/dy
    for y in candidates:
        if not y or dname(y, ins[0]) not in outs:
            continue
        grad = dnames(y, ins)
        rest = [o for o in outs if o not in set(grad)]
        if len(grad) + len(rest) == len(outs) and rest in ([], [y]):
            name = name_label(y if len(y) <= 12 else y[:11] + "…")
            return f"∇{name}" if not rest else f"{name} and ∇{name}"
    return None


def _levels(circuit: Circuit) -> list:
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
        g.attr(label=escape(str(title) if most is None else _truncate(str(title), most)), labelloc="t")
    if size is not None:
        g.attr(size=str(size))
    if dpi is not None:
        g.attr(dpi=str(dpi))
    g.attr("node", fontname=FONT, fontsize="12")
    g.attr("edge", fontname=FONT, fontsize="11", arrowsize="0.6")
    return g


def _check_size(nodes: int, max_nodes: Optional[int], what: str, at_least: bool = False,
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


def _add_circuit(g, circuit: Circuit, prefix: str, *, values=None, mirror=False,
                 adjoints=None, partials=None, highlight=None, hidden=(), fresh=(), inputs=None) -> set:
    """Draw ``circuit`` into graph ``g`` with node ids ``{prefix}n{v}``; return the kinds drawn.

    ``adjoints`` (node → ∂y/∂node) adds a line per node, ``partials``
    ({(u, g, i): value}) labels the wires, ``highlight`` ({(u, g, i): colour})
    draws those wires thick and coloured.  Nodes in ``hidden`` are laid out
    but invisible, with their wires (so that a sequence of drawings keeps one
    layout); nodes in ``fresh`` are outlined as new.  The DOT names of the
    inputs are appended to the list ``inputs`` (the legend goes under them).
    """
    _check_meta(circuit)
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
    names = _mirror_names(circuit) if mirror and _keeps_adjoints(circuit) else {}
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
            kind = roles[v] if roles is not None and roles[v] in _ROLES else "primal"
            attrs = {"shape": "circle", "style": "filled"}
        kinds.add(kind)
        if v in names and v not in outputs and op != "input":  # u₁, ∂y/∂u₁: the worked example's names
            lines.append(escape(names[v]))
        if v in outputs:  # named by a pin above it (below the loop)
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
    # inputs in declaration order on one rank; outputs nothing reads in output order on one rank
    ordered_rank(g, [f"{prefix}n{v}" for v in circuit.inputs.values()], "same")
    if inputs is not None:
        inputs.extend(f"{prefix}n{v}" for v in circuit.inputs.values())
    if mirror:
        _mirror(g, circuit, prefix, drawn)
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
    return kinds


def _paths(circuit: Circuit, highlight) -> list:
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


def _check_meta(circuit: Circuit) -> None:
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
    level = _levels(circuit)
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


def _mirror_names(circuit: Circuit) -> dict:
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


#: A collapsed drawing merges levels into wider bands until it has at most this many boxes.
COLLAPSED_BOXES = 40


def _collapsed_groups(circuit: Circuit, width: Optional[int] = None):
    """A large circuit in outline: nodes grouped by operation and level.

    With ``width=None``, levels (the depth of each node) with the same census
    of operations in a row form one run, so a chain of 10⁵ ``sin`` gates is
    one group; with a ``width``, the levels of gates are cut into bands of
    that many.  Returns ``(groups, wires, runs)``: ``groups`` maps
    ``(run, kind, role)`` to its node ids, ``wires`` maps ``(group, group)``
    to the number of wires between them, ``runs`` lists each run's
    ``(first level, last level)``.
    """
    level = _levels(circuit)
    roles = circuit.meta.get("role")
    by_level: dict = {}
    for v in range(len(circuit)):
        op = circuit.op(v)
        role = roles[v] if roles is not None and op not in ("input", "const") else ""
        by_level.setdefault(level[v], []).append((op, role, v))
    runs: list = []
    run_of: dict = {}
    previous: Any = None
    for lvl in sorted(by_level):
        if width is not None:
            band = 0 if lvl == 0 else 1 + (lvl - 1) // width
            if not runs or runs[-1][2] != band:
                runs.append([lvl, lvl, band])
            runs[-1][1] = lvl
        else:
            census = sorted({(op, role) for op, role, _ in by_level[lvl]})
            counts = [sum(1 for op, role, _ in by_level[lvl] if (op, role) == key) for key in census]
            signature = (census, counts)
            if lvl == 0 or signature != previous or lvl != runs[-1][1] + 1:
                runs.append([lvl, lvl, None])
            else:
                runs[-1][1] = lvl
            previous = signature
        run_of[lvl] = len(runs) - 1
    groups: dict = {}
    group_of = [None] * len(circuit)
    for lvl, members in by_level.items():
        for op, role, v in members:
            key = (run_of[lvl], op, role)
            groups.setdefault(key, []).append(v)
            group_of[v] = key
    wires: dict = {}
    for v in circuit.gates():
        for u in circuit.args(v):
            pair = (group_of[u], group_of[v])
            wires[pair] = wires.get(pair, 0) + 1
    return groups, wires, [(first, last) for first, last, _ in runs]


def _grouping(circuit: Circuit):
    """:func:`_collapsed_groups` by runs of levels, or by bands of 2, 4, 8, ... levels where runs
    give more than :data:`COLLAPSED_BOXES` boxes."""
    groups, wires, runs = _collapsed_groups(circuit)
    width = 1
    while len(groups) > COLLAPSED_BOXES and width < len(circuit):
        width *= 2
        groups, wires, runs = _collapsed_groups(circuit, width)
    return groups, wires, runs


def _box_names(groups) -> dict:
    """Each group's node name in the DOT source: ``g0, g1, ...`` by run, operation and role."""
    return {key: f"g{k}" for k, key in enumerate(sorted(groups, key=lambda k: (k[0], k[1], k[2])))}


def collapsed_boxes(circuit: Circuit) -> dict:
    """The boxes of ``render(circuit, collapse=True)``: each box's DOT name → its node ids.

    Examples
    --------
    >>> import circuits
    >>> boxes = collapsed_boxes(circuits.library.chain(1000))
    >>> sorted(len(members) for members in boxes.values())
    [1, 1000]
    """
    groups, _, _ = _grouping(circuit)
    return {name: tuple(groups[key]) for key, name in _box_names(groups).items()}


def _add_collapsed(g, circuit: Circuit, max_nodes: Optional[int], inputs=None) -> set:
    """Draw :func:`_collapsed_groups` into ``g``: one box per group, wires counted.

    Runs of levels first; where that gives more than :data:`COLLAPSED_BOXES`
    boxes, bands of 2, 4, 8, ... levels.
    """
    _check_meta(circuit)
    groups, wires, runs = _grouping(circuit)
    _check_size(len(groups), max_nodes, "the collapsed drawing")
    outputs: dict = {}
    for name, v in circuit.outputs.items():
        outputs.setdefault(v, []).append(name)
    ids = _box_names(groups)
    kinds = set()
    for key, members in groups.items():
        run, op, role = key
        first, last = runs[run]
        count = len(members)
        if op == "input":
            kind = "input"
            names = [circuit.name(v) for v in members]
            head = ", ".join(name_label(n) for n in names[:4]) + (f", … ({count} inputs)" if count > 4 else "")
        elif op == "const":
            kind = "const"
            head = f"{count} constant{'s' if count > 1 else ''}"
        else:
            kind = role if role in _ROLES else "primal"
            head = GATES[op].label
        lines = [escape(head)]
        if op not in ("input", "const"):
            where = f"level {first:,}" if first == last else f"levels {first:,}–{last:,}"
            lines.append(escape(f"{count:,} gate{'s' if count > 1 else ''}, {where}"))
        members_set = set(members)
        out = [o for o, v in circuit.outputs.items() if v in members_set]
        attrs = {"shape": "box", "style": "rounded,filled" if kind == "input" else "filled",
                 "fillcolor": COLORS[kind]}
        if out:
            # the count survives the cut: "df/dW₁, df/dW₂, … (256 outputs)"
            names = [name_label(o) for o in out]
            shown = 1
            while shown < min(3, len(names)) and len(", ".join(names[:shown + 1])) + 17 <= 44:
                shown += 1
            more = f", … ({len(out)} outputs)" if shown < len(out) else ""
            lines.append(escape(_truncate(", ".join(names[:shown]), 40) + more))
            attrs.update(color=COLORS["output"], penwidth="2.5")
            kinds.add("output")
        kinds.add(kind)
        g.node(ids[key], escape_lines(lines), **attrs)
        if op == "input" and inputs is not None:
            inputs.append(ids[key])
    for (a, b), n in wires.items():
        g.edge(ids[a], ids[b], label=f"{n:,}" if n > 1 else "", fontcolor="#555555", fontsize="10")
    return kinds


#: The shape of each kind of node, in every drawing and its legend.
SHAPES = {"input": ("box", "rounded,filled"), "const": ("box", "filled"), "primal": ("circle", "filled"),
          "recomputed": ("circle", "filled"), "derivative": ("circle", "filled"), "output": ("circle", "filled"), "fresh": ("circle", "filled")}


def _add_legend(g, kinds: set, prefix: str = "", above=()) -> None:
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
            s.node(word, _LEGEND[kind], shape="plaintext", fontsize="10", margin="0.02,0",
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


def render(circuit: Circuit, path=None, *, values: Optional[Mapping[str, Any]] = None,
           mirror: bool = False, max_nodes: Optional[int] = 500, legend: bool = True,
           title: Union[str, Literal[False], None] = None, rankdir: str = "BT", gradients: bool = False,
           highlight=None, output: Optional[str] = None, size: Optional[str] = None,
           dpi: Optional[float] = None, collapse: bool = False):
    """Draw ``circuit`` as a :class:`graphviz.Digraph`, and write it when ``path`` is given.

    Inputs and constants are drawn as boxes (the sources), gates as circles
    labeled by their symbol (``GATES[op].label``: +, ×, ÷, x², 1/x, exp, σ, ...).
    Weights other than 1 are written on the wires into ``+`` gates (the
    sum-of-squares example); the wires of non-commutative
    gates say which argument they are (``num``/``den`` for ÷,
    ``base``/``exp`` for pow).  Gates are coloured by ``circuit.meta["role"]``
    (gates of the original circuit vs derivative gates) and outputs are
    outlined and named, with a legend.

    Inputs are drawn in declaration order on one rank, outputs that nothing
    reads in output order on one rank; a constant is a small box at each use;
    weights sit at the head of their wire; ``x_1`` is written x₁; one font.

    Parameters
    ----------
    circuit : Circuit
    path : str or path-like, optional
        Write the drawing there: ``.svg``, ``.png``, ``.pdf`` and ``.tex``
        (LaTeX/TikZ, :func:`circuits.to_tikz`; all need the Graphviz ``dot``
        program) or ``.dot`` (the source).
    values : mapping, optional
        Input name → value: every node also shows its value at that point.
    mirror : bool
        For a backward circuit (one with ``circuit.meta["adjoint_of"]``):
        place each ``∂y/∂z`` at the rank mirroring ``z``'s, so the gradient
        reads as the circuit reflected above itself (the textbook layout).  Of
        ``backward(c, mirror=True)``, whose adjoints are gates, the gates of
        ``c`` are named ``u₁, u₂, ...`` and each adjoint ``dy/du₁``, ...
    max_nodes : int or None
        Refuse to draw more nodes than this (None: no limit).
    legend : bool
        Draw the colour legend.
    title : str or False, optional
        A title; by default ``outputs(inputs)`` and the size, with long name
        lists cut as ``repr`` cuts them; ``False`` (or ``""``) for none.
    rankdir : str
        Graphviz direction; ``"BT"`` puts the sources at the bottom, ``"LR"``
        draws left to right (wide slides).
    size : str, optional
        Largest drawing size in inches, Graphviz's ``"width,height"`` (e.g.
        ``"9,5"``); add ``!`` to scale small drawings up to it.
    dpi : float, optional
        Resolution of ``.png`` output (and the pixel size of ``size``).
    gradients : bool
        With ``values``: label every node with its adjoint ``dy/dz`` (line
        ``grad …``) and every wire with its local partial, as micrograd's
        ``draw_dot`` shows data and grad (for the output ``output``,
        optional for a one-output circuit).
    highlight : GradientPath or sequence of GradientPath, optional
        Paths of this circuit from :func:`circuits.top_paths` drawn thick, one colour each
        (:data:`PATH_COLORS`, heaviest first); with ``values`` their wires
        are labelled with their partials.
    output : str, optional
        The output whose adjoints ``gradients`` shows.
    collapse : bool
        Draw a large circuit in outline: one box per operation and level
        (the depth of its nodes), labelled with how many gates it holds,
        levels with the same census of operations in a row merged (a chain
        of 10⁵ ``sin`` gates is one box), and one arrow per pair of boxes
        labelled with its number of wires.  ``max_nodes`` then limits the
        boxes.

    Returns
    -------
    graphviz.Digraph
        Shown inline in Jupyter; ``.source`` is the DOT text.

    Raises
    ------
    CircuitError
        When the circuit has more than ``max_nodes`` nodes, when ``mirror`` is
        asked of a circuit without ``adjoint_of`` (or with none, a constant's),
        for an unknown file suffix, a ``max_nodes``, ``size``, ``dpi``,
        ``rankdir``, ``values`` or ``path`` of the wrong kind, and when the
        ``dot`` program is missing (saying how to install it).

    Examples
    --------
    >>> import circuits
    >>> c = circuits.trace(lambda x, y: x / y)
    >>> g = render(c, values={"x": 1, "y": 4})
    >>> '"÷\\\\n= 0.25"' in g.source, 'out0 [label=f' in g.source, 'label=num' in g.source
    (True, True, True)
    >>> render(c, max_nodes=2)
    Traceback (most recent call last):
    ...
    circuits.CircuitError: the circuit has 3 nodes, more than max_nodes=2 that can be drawn legibly; pass max_nodes=3 (or max_nodes=None) to draw it anyway, or collapse=True to draw it in outline

    A chain of 100,000 ``sin`` gates in outline: its input, and one box for
    the chain, which holds the output and feeds itself 99,999 times:

    >>> g = render(circuits.library.chain(100_000), collapse=True, legend=False)
    >>> print("\\n".join(line.strip() for line in g.source.splitlines()[5:]))
    g0 [label=x fillcolor="#d9f2d9" shape=box style="rounded,filled"]
    g1 [label="sin\\n100,000 gates, levels 1–100,000\\nf" color="#c0392b" fillcolor="#d6e6f7" penwidth=2.5 shape=box style=filled]
    g0 -> g1 [label="" fontcolor="#555555" fontsize=10]
    g1 -> g1 [label="99,999" fontcolor="#555555" fontsize=10]
    }
    """
    if not isinstance(circuit, Circuit):
        raise CircuitError(f"render() expects a Circuit, got {type(circuit).__name__}")
    if collapse:
        clash = [k for k, v in (("values", values), ("gradients", gradients), ("highlight", highlight),
                                ("mirror", mirror)) if v not in (None, False)]
        if clash:
            raise CircuitError(f"render(collapse=True) draws groups of gates, and {clash[0]}= needs every "
                               f"gate drawn; leave out collapse=True (and raise max_nodes) or {clash[0]}=")
    else:
        _check_size(len(circuit), max_nodes, "the circuit", hint=", or collapse=True to draw it in outline")
    graphviz = graphviz_module()
    g = digraph(graphviz, "circuit", _default_title(circuit) if title is None else title, None,
                 rankdir, size, dpi)
    adjoints = partials = None
    colours: Optional[dict] = None
    if gradients:
        if values is None:
            raise CircuitError("render(gradients=True) needs values={input: number, ...} to compute the adjoints at")
        adjoints = propagate(circuit, REAL, values, output=output).values
        partials = edge_values(circuit, values, output=output)
    if highlight is not None:
        colours = {}
        for k, p in enumerate(_paths(circuit, highlight)):
            for wire in p.edges:
                colours.setdefault(wire, PATH_COLORS[k % len(PATH_COLORS)])
        if values is not None and partials is None:
            partials = {w: v for w, v in edge_values(circuit, values).items() if w in colours}
    sources: list = []
    if collapse:
        kinds = _add_collapsed(g, circuit, max_nodes, inputs=sources)
    else:
        kinds = _add_circuit(g, circuit, "", values=values, mirror=mirror, adjoints=adjoints,
                             partials=partials, highlight=colours, inputs=sources)
    if legend:
        _add_legend(g, kinds, above=sources)
    if path is not None:
        write(g, path)
    return g


def render_transforms(circuit: Circuit, path=None, *, values: Optional[Mapping[str, Any]] = None,
                      max_nodes: Optional[int] = 500, legend: bool = True, sparse: bool = False,
                      rankdir: str = "BT"):
    """Draw ``circuit``, ``forward(circuit)`` and ``backward(circuit)`` side by side.

    One figure with three clusters, whose node ids are prefixed ``c``, ``f``
    and ``b``; each cluster is titled with its size, so the figure shows
    the point of the comparison: forward propagation grows with
    the number of inputs, backpropagation does not.

    Parameters
    ----------
    circuit : Circuit
    path : str or path-like, optional
        As for :func:`render`.
    values : mapping, optional
        Input values shown at every node of the three circuits.
    max_nodes : int or None
        Limit on the total number of nodes of the three circuits.
    legend : bool
        Draw one colour legend.
    sparse : bool
        Passed to :func:`circuits.forward` (False: the literal textbook construction).

    Returns
    -------
    graphviz.Digraph

    Examples
    --------
    >>> import circuits
    >>> g = render_transforms(circuits.trace(lambda x, y: x * y))
    >>> [line.strip() for line in g.source.splitlines() if "cluster_" in line]
    ['subgraph cluster_circuit {', 'subgraph cluster_forward {', 'subgraph cluster_backward {']
    """

    if not isinstance(circuit, Circuit):
        raise CircuitError(f"render_transforms() expects a Circuit, got {type(circuit).__name__}")
    what = "the circuit with its forward and backward circuits"
    # Check before building: each gradient circuit holds a copy of the circuit, and
    # the literal forward circuit grows as n·(s + w) (a least-squares circuit with
    # n = 240 took gigabytes before it was refused).
    _check_size(3 * len(circuit), max_nodes, what, at_least=True)
    back = backward(circuit)
    # the literal forward circuit (Θ(n·(s + w))) has a chain-rule term per input and
    # wire into a gate of two or more wires
    joins = 0 if sparse else sum(len(a) for a in circuit.record.args if len(a) >= 2)
    _check_size(2 * len(circuit) + len(back) + len(circuit.inputs) * joins, max_nodes, what, at_least=True)
    parts = [("circuit", "c", circuit), ("forward", "f", forward(circuit, sparse=sparse)),
             ("backward", "b", back)]
    _check_size(sum(len(c) for _, _, c in parts), max_nodes, what)
    graphviz = graphviz_module()
    g = digraph(graphviz, "transforms", f"{_function_text(circuit)}: circuit, forward, backward",
                 TITLE_MOST, rankdir)
    kinds: set = set()
    sources: list = []
    for label, prefix, c in parts:
        with g.subgraph(name=f"cluster_{label}") as s:
            s.attr(label=f"{label}: size {c.size}, depth {c.depth}, wires {c.wires}",
                   style="rounded", color="#888888")
            kinds |= _add_circuit(s, c, prefix, values=values, inputs=sources)
    if legend:
        _add_legend(g, kinds, above=sources)
    if path is not None:
        write(g, path)
    return g


class DrawingSteps(list):
    """The drawings of :func:`render_steps`: a list of :class:`graphviz.Digraph`
    that Jupyter shows one under the other; ``titles`` holds each one's whole title
    (a drawing shows it cut at a word to 60 characters) and ``paths`` the files
    written, if any.

    For tools built on the steps (the HTML viewer): ``circuit`` is the drawn gradient circuit
    (``backward(..., mirror=True, keep_primal=True)``), ``fresh[k]`` the ids of its gates new
    in step ``k + 1`` (drawn as node ``n{id}``), ``labels`` every node's drawn name.
    """

    def __init__(self, graphs=(), titles=()):
        super().__init__(graphs)
        self.titles = list(titles)
        self.fresh: list = []
        self.circuit: Optional[Circuit] = None
        self.labels: dict = {}
        self.paths: list = []

    def _repr_html_(self):
        try:
            svgs = [g.pipe(format="svg").decode() for g in self]
        except Exception:  # no dot program: fall back to the list's text
            return None
        return "".join(f"<div>{svg}</div>" for svg in svgs)


def _ancestors(circuit: Circuit, node: int, seen: set) -> set:
    """Nodes ``node`` reads, directly or not (itself included), that are not in ``seen``."""
    found, stack = set(), [node]
    while stack:
        v = stack.pop()
        if v in found or v in seen:
            continue
        found.add(v)
        stack.extend(circuit.args(v))
    return found


def render_steps(circuit: Circuit, path=None, *, output: Optional[str] = None,
                 values: Optional[Mapping[str, Any]] = None, max_nodes: Optional[int] = 200,
                 legend: bool = True, rankdir: str = "BT", size: Optional[str] = None,
                 dpi: Optional[float] = None) -> DrawingSteps:
    """Backpropagation on ``circuit`` drawn one step at a time, for a lecture.

    Backpropagation is run on the worked example by
    visiting the vertices in reverse topological order and, at each vertex
    ``z``, building ``∂y/∂z`` by the chain rule (6), drawn "in a position
    mirroring the gate z".  Step ``k`` draws the circuit with the gates that
    compute the first ``k`` adjoints (:func:`circuits.backward` with
    ``mirror=True``), the new ones outlined; every step has the same layout
    (the later gates are there, invisible), so the drawings can be flipped
    through like slides.  The title of each step is its chain rule.

    Parameters
    ----------
    circuit : Circuit
    path : str or path-like, optional
        Write step ``k`` to ``{stem}_{k}{suffix}``, ``k`` zero-padded to the
        digits of the number of steps (``steps.png`` gives ``steps_1.png``,
        ``steps_2.png``, ... for up to 9 steps, ``steps_01.png`` ... for 10 to 99).
    output : str, optional
        The output ``y`` to differentiate (needed when there are several).
    values, max_nodes, legend, rankdir, size, dpi
        As for :func:`render`; ``max_nodes`` limits the drawn gradient circuit.

    Returns
    -------
    DrawingSteps
        A list of :class:`graphviz.Digraph`, one per vertex that ``y``
        depends on; Jupyter shows them all.

    Examples
    --------
    The worked example ``y = (x1 + x2 + x1·x2)(x1 + x2)`` takes six steps,
    visiting ``y, u3, u2, u1, x2, x1``:

    >>> import circuits
    >>> from circuits import library
    >>> steps = circuits.render_steps(library.backprop_example())
    >>> len(steps)
    6
    >>> for title in steps.titles[:4]:
    ...     print(title)
    step 1 of 6: dy/dy = 1
    step 2 of 6: dy/du₃ = dy/dy · d[y]/du₃
    step 3 of 6: dy/du₂ = dy/du₃ · d[u₃]/du₂
    step 4 of 6: dy/du₁ = dy/du₃ · d[u₃]/du₁ + dy/dy · d[y]/du₁
    """
    if not isinstance(circuit, Circuit):
        raise CircuitError(f"render_steps() expects a Circuit, got {type(circuit).__name__}")
    check_path(path, "render_steps(): path")
    what = "the circuit with its mirrored backward circuit"
    _check_size(2 * len(circuit), max_nodes, what, at_least=True)
    names = select_outputs(circuit, output)
    if len(names) != 1:
        raise CircuitError(f"render_steps() draws the backpropagation of one output, and the circuit has "
                           f"{len(names)} ({names_text(circuit.outputs, 4)}); choose one with "
                           f"output={names[0]!r}")
    y = names[0]
    grad = backward(circuit, output=y, mirror=True, keep_primal=True)
    # y is drawn as the worked example draws it, the circuit's other outputs as plain gates
    grad = grad.replace(outputs={o: v for o, v in grad.outputs.items() if o == y or o not in circuit.outputs})
    _check_size(len(grad), max_nodes, what)
    adjoint_of = grad.meta["adjoint_of"]
    if not adjoint_of:
        raise CircuitError(f"output {y!r} is a constant: it depends on no input and no gate, so "
                           f"backpropagation has no step to draw; choose an output that depends on an input")
    adjoint = {z: a for a, z in adjoint_of.items()}
    order = sorted(adjoint_of, key=lambda a: -adjoint_of[a])  # the reverse topological order of BP
    label = _mirror_names(grad)
    roles = grad.meta["role"]
    derivative = {v for v in range(len(grad)) if roles[v] == "derivative"}
    users: dict = {}
    for v in range(len(circuit)):
        for u in circuit.args(v):
            users.setdefault(u, []).append(v)
    graphviz = graphviz_module()
    steps = DrawingSteps()
    shown: set = set()
    for k, a in enumerate(order, 1):
        new = _ancestors(grad, a, shown) & derivative
        shown |= new
        z = adjoint_of[a]
        # formula (6): a term per wire out of z into a gate u that y depends on
        terms = [f"{label[adjoint[u]]} · d[{label[u]}]/d{label[z]}" for u in users.get(z, ()) if u in adjoint]
        title = f"step {k} of {len(order)}: {label[a]} = {' + '.join(terms) or '1'}"
        g = digraph(graphviz, f"step{k}", title, TITLE_MOST, rankdir, size, dpi)
        sources: list = []
        kinds = _add_circuit(g, grad, "", values=values, mirror=True, hidden=derivative - shown, fresh=new,
                             inputs=sources)
        if legend:
            _add_legend(g, kinds | {"fresh"}, above=sources)
        steps.append(g)
        steps.titles.append(title)
        steps.fresh.append(sorted(new))
    steps.circuit, steps.labels = grad, label
    if path is not None:
        path = Path(path)
        width = len(str(len(steps)))  # zero-padded: step_01 ... step_10 sort as they come
        for k, g in enumerate(steps, 1):
            steps.paths.append(write(g, path.with_name(f"{path.stem}_{k:0{width}d}{path.suffix}")))
    return steps


def _circuit_mimebundle(self, include=None, exclude=None) -> dict:
    """Jupyter: the drawing (SVG) when small enough and Graphviz is there, else one HTML line."""
    bundle = {"text/plain": repr(self)}
    ins, outs = names_text(self.inputs), names_text(self.outputs)
    summary = (f"<b>Circuit</b> ({html.escape(ins)}) → ({html.escape(outs)}): size {self.size}, "
               f"depth {self.depth}, wires {self.wires}")
    if len(self) <= self.DISPLAY_MAX_NODES:
        try:
            bundle["image/svg+xml"] = render(self, legend=False).pipe(format="svg").decode()
            return bundle
        except Exception:  # no Graphviz: the summary below says how to draw it
            summary += " (install Graphviz's dot to see it drawn)"
    else:
        summary += (f" — {len(self)} nodes, more than Circuit.DISPLAY_MAX_NODES = "
                    f"{self.DISPLAY_MAX_NODES} drawn inline; draw it in outline with circuits.render(c, "
                    f"collapse=True), or whole with circuits.render(c, 'c.svg', max_nodes=None)")
    bundle["text/html"] = f"<div>{summary}</div>"
    return bundle


# rich display in Jupyter lives with the drawing code (imports only go down)
Circuit._repr_mimebundle_ = _circuit_mimebundle
