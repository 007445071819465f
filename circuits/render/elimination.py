"""Seeing Jacobian accumulation: elimination orders side by side, and step by step.

:func:`circuits.eliminate` accumulates a Jacobian by vertex elimination on
the linearized graph (Bauer 1974; Griewank & Walther 2008).  This
module shows what the orders cost and what they do:

* :func:`compare_orders` — the multiplications, additions and fill-in of
  every named order for one circuit, as a table (text, Markdown, and HTML in
  Jupyter);
* :func:`render_elimination` — the linearized graph before and after each
  elimination as Graphviz digraphs: edge labels are the partials (symbolic,
  or numbers at a point), the eliminated vertex is drawn dashed in red with
  the edges it had, fill-in edges are orange and updated edges blue.

Examples
--------
>>> import circuits
>>> from circuits.library import speelpenning
>>> t = circuits.compare_orders(speelpenning(6))
>>> [(r["order"], r["multiplications"]) for r in t.rows]       # doctest: +NORMALIZE_WHITESPACE
[('forward', 14), ('reverse', 8), ('markowitz', 12), ('relative_markowitz', 8),
 ('min_fill', 12), ('optimal', 8)]
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

from ..core import display
from ..core.circuit import Circuit, names_text
from ..core.checks import check_count, check_path, check_rows, check_sequence
from ..core.errors import CircuitError
from ..core.gates import GATES
from .draw import (COLORS, SHAPES, TITLE_MOST, WEIGHT_COLOR, digraph, escape, escape_lines, graphviz_module,
                   name_label, names_list, number_text, ordered_rank, write)
from ..ad.elimination import (ORDERS, OPTIMAL_LIMIT, checked_count, checked_order, edge_order_for, elimination_graph, order_for,
                              product_step, run_order, sum_step)
from ..ad.edge_elimination import prune, apply_step, run_edges
from ..ad.elimination_counts import COUNTED, count_order
from ..core.progress import Progress
from ..ad.linearize import linearized_graph

__all__ = ["OrderTable", "compare_orders", "render_elimination"]

_HEADERS = ("order", "multiplications", "additions", "fill-in", "× best")
_ALIGN = ("left",) + ("right",) * (len(_HEADERS) - 1)  # the row label, then numbers


class OrderTable:
    """The rows of :func:`compare_orders`, printable as text, Markdown and HTML.

    Attributes
    ----------
    rows : list of dict
        One per order: ``order``, ``multiplications``, ``additions``,
        ``fill_in``, ``ratio`` (multiplications over the fewest, or None) and
        ``note`` (why a row has no numbers).
    title : str
    """

    def __init__(self, rows: Sequence[dict], title: str = ""):
        self.rows = check_rows(rows, "OrderTable: rows")
        self.title = title

    def _best(self):
        costs = [(r["multiplications"], r["additions"]) for r in self.rows
                 if r["multiplications"] is not None]
        return min(costs) if costs else None

    def _cells(self) -> list:
        best = self._best()
        out = []
        for r in self.rows:
            if r["multiplications"] is None:
                out.append([r["order"], "—", "—", "—", r["note"]])
                continue
            mark = " *" if (r["multiplications"], r["additions"]) == best else ""
            ratio = "—" if r["ratio"] is None else f"{r['ratio']:.2f}"
            out.append([r["order"] + mark, str(r["multiplications"]), str(r["additions"]),
                        str(r["fill_in"]), ratio])
        return out

    def __str__(self) -> str:
        cells = self._cells()
        widths = [max(len(h), *(len(row[i]) for row in cells)) for i, h in enumerate(_HEADERS)]

        def line(row):
            return "  ".join(c.ljust(w) if i in (0, 4) and not c[:1].isdigit() and c != "—"
                             else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))).rstrip()

        out = [self.title] if self.title else []
        out.append(line(_HEADERS))
        out.append("  ".join("-" * w for w in widths))
        out.extend(line(r) for r in cells)
        out.append("* the cheapest: fewest multiplications, then additions")
        return "\n".join(out)

    def to_markdown(self) -> str:
        """The table in GitHub Markdown."""
        out = [f"**{self.title}**", ""] if self.title else []
        out.append("| " + " | ".join(_HEADERS) + " |")
        out.append("|:---|---:|---:|---:|---:|")
        out.extend("| " + " | ".join(row) + " |" for row in self._cells())
        return "\n".join(out)

    def _repr_html_(self) -> str:
        return (display.table(_HEADERS, self._cells(), self.title, align=_ALIGN)
                + "<p><small>* the cheapest: fewest multiplications, then additions</small></p>")

    def __repr__(self) -> str:
        return f"<OrderTable: {len(self.rows)} orders>"

    def __len__(self) -> int:
        return len(self.rows)


def compare_orders(circuit: Circuit, orders: Optional[Sequence] = None, *,
                   output=None, wrt=None, count: str = "circuit", progress=None) -> OrderTable:
    """Multiplications, additions and fill-in of elimination orders for ``circuit``.

    Counts only (no circuit is built), with :func:`circuits.eliminate`'s
    convention, on bit sets (:func:`circuits.ad.elimination_counts.count_order`:
    the same counts without a step per pair of neighbours).  ``"optimal"``
    gets a row without numbers when the graph has more than
    :data:`~circuits.ad.elimination.OPTIMAL_LIMIT` intermediate vertices.

    Parameters
    ----------
    circuit : Circuit
    orders : str or sequence, optional
        Named orders or explicit sequences of node ids (default: all named);
        a string is one order.
    output, wrt : optional
        As in :func:`circuits.eliminate`.
    count : {"circuit", "all"}
        The counting convention, as in :func:`circuits.eliminate`: ``"all"``
        counts every scalar product, as published elimination tables do.
    progress : bool, optional
        A progress bar on standard error (tqdm when installed); by default
        when standard error is a terminal, ``False`` never.

    Returns
    -------
    OrderTable

    Examples
    --------
    >>> import circuits
    >>> f = circuits.trace(lambda x, y: circuits.sin(x * y) * x)
    >>> print(circuits.compare_orders(f, ["forward", "reverse", "optimal"]))
    f(x, y): 2 intermediate vertices
    order      multiplications  additions  fill-in  × best
    ---------  ---------------  ---------  -------  ------
    forward                  4          1        3    1.33
    reverse *                3          1        2    1.00
    optimal *                3          1        2    1.00
    * the cheapest: fewest multiplications, then additions
    """
    checked_count(count)
    base = elimination_graph(circuit, wrt, output, None, "compare_orders")
    orders = (list(ORDERS) if orders is None else [orders] if isinstance(orders, str)
              else check_sequence(orders, "compare_orders: orders"))
    with Progress(len(orders) * len(base.Z), "compare_orders", progress) as bar:
        rows = [_order_row(base, order, k, count, bar) for k, order in enumerate(orders)]
    _set_ratios(rows)
    title = (f"{names_text(base.names)}({names_text(base.wrt)}): {len(base.Z)} intermediate "
             f"vertices" + (", every scalar product counted" if count == "all" else ""))
    return OrderTable(rows, title)


def _order_row(base, order, k: int, count: str, bar) -> dict[str, Any]:
    """The row of :func:`compare_orders` for ``order``, the ``k``-th; advances ``bar`` by ``|Z|``."""
    label = order if isinstance(order, str) else f"explicit {k + 1}"
    if order == "optimal" and len(base.Z) > OPTIMAL_LIMIT:
        bar.update(len(base.Z))
        return {"order": label, "multiplications": None, "additions": None,
                "fill_in": None, "ratio": None,
                "note": f"|Z| = {len(base.Z)} > {OPTIMAL_LIMIT}"}
    if order in COUNTED or not isinstance(order, str):
        sequence = order if isinstance(order, str) else checked_order(base, order)
        counted = count_order(base, sequence, step=bar.update, count=count)
        assert counted is not None  # None only when over a budget, and there is none here
        mults, adds, fill = counted
    else:  # "optimal", "search" (and unknown names, which order_for refuses)
        G = base.copy()
        chooser, _ = order_for(G, order, count)
        _, _, mults, adds, fill = run_order(G, chooser, None, record=False, count=count)
        bar.update(len(base.Z))
    return {"order": label, "multiplications": mults, "additions": adds,
            "fill_in": fill, "ratio": None, "note": ""}


def _set_ratios(rows: list) -> None:
    """Each counted row's multiplications over the fewest (1.0 for none when the fewest is 0)."""
    fewest = min((r["multiplications"] for r in rows if r["multiplications"] is not None), default=None)
    for r in rows:
        if r["multiplications"] is not None and fewest:
            r["ratio"] = r["multiplications"] / fewest
        elif r["multiplications"] is not None:
            r["ratio"] = 1.0 if r["multiplications"] == 0 else None


# --- drawing ---------------------------------------------------------------------

_FILL = "#e67e22"
_UPDATED = "#2e86c1"
_ELIMINATED = "#c0392b"
_MAX_LABEL = 28


def _label(value) -> str:
    """An edge's partial as text: a number, or a sympy expression written as on paper (``x·cos(x·y)``,
    ``x^2``), cut at :data:`_MAX_LABEL`."""
    text = number_text(value) if isinstance(value, (int, float)) or not hasattr(value, "free_symbols") \
        else str(value).replace("**", "^").replace("*", "·")
    if hasattr(value, "is_Number") and value.is_Number:
        try:
            text = number_text(float(value)) if not value.is_Integer else str(value)
        except TypeError:
            pass
    return text if len(text) <= _MAX_LABEL else text[:_MAX_LABEL - 1] + "…"


def _vertex_lines(circuit: Circuit, G, v: int, outputs: dict) -> list:
    """The lines of vertex ``v``'s label, as :func:`circuits.render` writes them (unescaped)."""
    n = len(circuit)
    if v >= n:
        return [name_label(name) for name, w in G.Y.items() if w == v]
    op = circuit.op(v)
    if op == "input":
        return [name_label(circuit.name(v))]
    lines = [GATES[op].label, f"v{v}"]
    if v in outputs:
        lines.append(names_list([name_label(o) for o in outputs[v]], 30))
    return lines


def render_elimination(circuit: Circuit, order="markowitz", path=None, *,
                       point: Optional[Mapping[str, Any]] = None, output=None, wrt=None,
                       max_vertices: Optional[int] = 60, kind: str = "vertex") -> list:
    """Draw the linearized graph before and after each vertex elimination.

    Parameters
    ----------
    circuit : Circuit
    order : str or sequence of int
        As in :func:`circuits.eliminate`.
    path : str or Path, optional
        ``steps.pdf`` writes one multi-page PDF (needs Pillow); any other
        ``.png``/``.svg``/``.dot`` name writes one file per step,
        ``steps-00.png`` (the graph before any elimination), ``steps-01.png``, ...
    point : mapping, optional
        Input values: edge labels become numbers.  Without one they are
        sympy expressions in the inputs (long ones shortened with "…").
    output, wrt : optional
        As in :func:`circuits.eliminate`.
    max_vertices : int or None
        Refuse larger graphs, which cannot be read (None: draw anyway).
    kind : {"vertex", "edge"}
        ``"edge"``: one frame per front or back edge elimination
        (:mod:`circuits.ad.edge_elimination`), the eliminated edge dashed red.

    Returns
    -------
    list of graphviz.Digraph
        Step 0 is the linearized graph; step k the graph after the k-th
        elimination, with the eliminated vertex dashed red (its old edges
        dashed grey), fill-in edges orange and updated edges blue.  Inputs
        are at the bottom.

    Examples
    --------
    >>> import circuits
    >>> f = circuits.trace(lambda x, y: circuits.sin(x * y) * x)
    >>> frames = circuits.render_elimination(f, "reverse")
    >>> len(frames), frames[1].comment
    (3, 'step 1: eliminate v3 (P×S = 1×1): 1 multiplications, 0 additions, 1 fill-in')
    >>> [line.strip() for line in frames[1].source.splitlines() if "v2 -> v4" in line]
    ['v2 -> v4 [label="x·cos(x·y)" color="#e67e22" decorate=true fontcolor="#e67e22" penwidth=2.5]']
    """
    _check_render_arguments(path, max_vertices)
    graphviz = graphviz_module()
    G = elimination_graph(circuit, wrt, output, None, "render_elimination")
    _check_drawable(G, max_vertices, kind)
    # the counts and the order, then the labels along the same order
    seq, steps, strategy = _elimination_steps(G, order, kind)
    draw = _Frames(graphviz, circuit, G, _edge_labels(circuit, G, point, wrt, output))
    _draw_steps(draw, G, kind, seq, steps, strategy)
    if path is not None:
        _write_frames(draw.frames, Path(path))
    return draw.frames


def _check_render_arguments(path, max_vertices) -> None:
    """Refuse a bad ``path`` or ``max_vertices`` of :func:`render_elimination`."""
    check_path(path, "render_elimination(): path")
    if max_vertices is not None:
        check_count(max_vertices, "render_elimination(): max_vertices", minimum=1)


def _check_drawable(G, max_vertices: Optional[int], kind: str) -> None:
    """Refuse a graph over ``max_vertices`` vertices, then an unknown ``kind``."""
    if max_vertices is not None and len(G.succ) > max_vertices:
        raise CircuitError(f"the linearized graph has {len(G.succ)} vertices, more than "
                           f"max_vertices={max_vertices} that can be drawn legibly; pass "
                           f"max_vertices=None to draw it anyway, or compare_orders(circuit) for the counts")
    if kind not in ("vertex", "edge"):
        raise CircuitError(f"unknown kind {kind!r}; use 'vertex' or 'edge'")


class _Frames:
    """The frames of :func:`render_elimination`: calling it draws the graph as it is now."""

    def __init__(self, graphviz, circuit: Circuit, G, succ: dict):
        self.graphviz, self.circuit, self.G, self.succ = graphviz, circuit, G, succ
        self.outputs: dict = {}
        for name, v in circuit.outputs.items():
            self.outputs.setdefault(v, []).append(name)
        self.pred = {v: dict(p) for v, p in G.pred.items()}
        self.frames: list = []
        self.inputs = [f"v{circuit.inputs[x]}" for x in G.wrt if circuit.inputs[x] in succ]
        self.sinks = list(dict.fromkeys(G.Y.values()))

    def __call__(self, title, comment, ghost=None, ghost_edges=(), fill=(), updated=(), gone=()):
        g = digraph(self.graphviz, "elimination", title, TITLE_MOST)
        g.comment = " ".join(comment.split())  # one line: a DOT comment ends at a line break
        _draw_vertices(g, self.circuit, self.G, self.succ, self.outputs, ghost, ghost_edges)
        _draw_edges(g, self.succ, fill, updated, gone)
        # inputs in declaration order on one rank, the outputs' vertices in output order
        ordered_rank(g, self.inputs, "same")
        ordered_rank(g, [f"v{w}" for w in self.sinks if w in self.succ], "max")
        self.frames.append(g)


def _draw_steps(draw: _Frames, G, kind: str, seq, steps, strategy: str) -> None:
    """The linearized graph, then one frame per elimination step of ``kind``."""
    if kind == "edge":
        draw(f"the linearized graph · {strategy} edge order, {len(seq)} steps",
             f"{strategy} edge order ({len(seq)} steps): the linearized graph")
        _edge_frames(G, draw.succ, draw.pred, steps, draw)
    else:
        draw(f"the linearized graph · {strategy} order {list(seq)}",
             f"{strategy} order {list(seq)}: the linearized graph")
        _vertex_frames(draw.succ, draw.pred, steps, draw)


def _elimination_steps(G, order, kind: str) -> tuple:
    """``(seq, steps, strategy)``: the elimination ``order`` of ``kind`` run on a copy of ``G``,
    with its counts."""
    counting = G.copy()
    if kind == "edge":
        steps_of, strategy = edge_order_for(counting, order, "circuit")
        seq, steps, _, _, _ = run_edges(counting, steps_of, None, product_step, sum_step)
    else:
        chooser, strategy = order_for(counting, order)
        seq, steps, _, _, _ = run_order(counting, chooser, None)
    return seq, steps, strategy


def _edge_labels(circuit: Circuit, G, point, wrt, output) -> dict:
    """The edges of ``G`` with their partials (numbers at ``point``, else sympy expressions):
    ``{vertex: {successor: partial}}``."""
    LG = linearized_graph(circuit, point, wrt=wrt, output=output)
    n = len(circuit)
    values = {}
    for i, s in G.succ.items():
        for k in s:
            values[i, k] = 1 if k >= n else LG.edges[i, k]["partial"]
    return {v: {k: values[v, k] for k in s} for v, s in G.succ.items()}


def _draw_vertices(g, circuit: Circuit, G, succ: dict, outputs: dict, ghost, ghost_edges) -> None:
    """Draw the vertices left in ``succ``, and the ``ghost`` vertex just eliminated with its old edges."""
    n = len(circuit)
    for v in list(succ):
        lines = _vertex_lines(circuit, G, v, outputs)
        if v in G.X:
            shape, style = SHAPES["input"]
            attrs = {"shape": shape, "style": style, "fillcolor": COLORS["input"]}
        else:
            shape, style = SHAPES["primal"]
            attrs = {"shape": shape, "style": style, "fillcolor": COLORS["primal"]}
        if v >= n or (v in outputs and v not in G.Z):
            attrs.update(color=COLORS["output"], penwidth="2.5", fontcolor=COLORS["output"])
        g.node(f"v{v}", escape_lines(escape(line) for line in lines), **attrs)
    if ghost is not None:
        g.node(f"v{ghost}", escape_lines(escape(line) for line in _vertex_lines(circuit, G, ghost, outputs)),
               style="dashed", color=_ELIMINATED, fontcolor=_ELIMINATED, shape=SHAPES["primal"][0])
        for a, b in ghost_edges:
            g.edge(f"v{a}", f"v{b}", style="dashed", color="#aaaaaa")


def _draw_edges(g, succ: dict, fill, updated, gone) -> None:
    """Draw the labelled edges of ``succ``: ``fill`` orange, ``updated`` blue, the eliminated
    edges ``gone`` dashed red."""
    fills, ups = set(fill), set(updated)
    for i, s in succ.items():
        for k, value in s.items():
            attrs = {"label": escape(_label(value)), "decorate": "true", "fontcolor": WEIGHT_COLOR}
            if (i, k) in fills:
                attrs.update(color=_FILL, fontcolor=_FILL, penwidth="2.5")
            elif (i, k) in ups:
                attrs.update(color=_UPDATED, fontcolor=_UPDATED, penwidth="2.5")
            g.edge(f"v{i}", f"v{k}", **attrs)
    for i, k in gone:  # an eliminated edge (kind="edge")
        g.edge(f"v{i}", f"v{k}", style="dashed", color=_ELIMINATED, penwidth="2")


def _vertex_frames(succ, pred, steps, frame) -> None:
    """One frame per vertex step, replaying the symbolic labels: c_ki += c_kj · c_ji."""
    total = len(steps)
    for number, step in enumerate(steps, 1):
        j = step.vertex
        P = pred.pop(j)
        S = succ.pop(j)
        ghost_edges = [(i, j) for i in P] + [(j, k) for k in S]
        updated = []
        for i in P:
            cji = succ[i].pop(j)
            for k, ckj in S.items():
                prod = ckj * cji
                if k in succ[i]:
                    succ[i][k] = succ[i][k] + prod
                    updated.append((i, k))
                else:
                    succ[i][k] = prod
                    pred[k][i] = None
        for k in S:
            del pred[k][j]
        frame(f"step {number} of {total}: eliminate v{j} · {step.multiplications} ×, "
              f"{step.additions} +, {len(step.fill)} fill-in",
              f"step {number}: eliminate v{j} (P×S = {len(step.predecessors)}×{len(step.successors)}): "
              f"{step.multiplications} multiplications, {step.additions} additions, "
              f"{len(step.fill)} fill-in", j, ghost_edges, step.fill, updated)


class _Labels:
    """The graph of edge labels, as :func:`circuits.ad.edge_elimination.apply_step` reads it."""

    def __init__(self, succ, pred, Z):
        self.succ, self.pred, self.Z = succ, pred, Z


def _edge_frames(G, succ, pred, steps, frame) -> None:
    """One frame per edge step, replaying the symbolic labels with the step's own rule."""
    labels = _Labels(succ, pred, G.Z)
    Zset = {j for j in G.Z if j in succ}
    prune(labels, Zset)
    product = lambda b, a, p: (a * p, 0)  # noqa: E731 - symbolic c_kj · c_ji
    add = lambda b, a, p: (a + p, 0)  # noqa: E731
    for number, step in enumerate(steps, 1):
        a, c = step.edge
        old = {(i, k) for i, s in succ.items() for k in s}
        j = step.vertex
        neighbours = [(i, j) for i in pred[j]] + [(j, k) for k in succ[j]]
        apply_step(labels, Zset, step.side, step.edge, None, product, add)
        if step.side == "front":
            updated = [(a, k) for k in succ.get(a, {}) if (a, k) in old and (a, k) not in step.fill
                       and (j, k) in old]
        else:
            updated = [(i, c) for i in pred.get(c, {}) if (i, c) in old and (i, c) not in step.fill
                       and (i, j) in old]
        ghost_edges = [e for e in neighbours if e != (a, c)] if step.removed else []
        frame(f"step {number} of {len(steps)}: {step.side}-eliminate v{a} → v{c} · {step.multiplications} ×, "
              f"{step.additions} +, {len(step.fill)} fill-in",
              f"step {number}: {step.side}-eliminate v{a} → v{c} (through v{j}): {step.products} products, "
              f"{step.multiplications} multiplications, {step.additions} additions, {len(step.fill)} fill-in"
              + (f"; v{j} removed" if step.removed else ""),
              j if step.removed else None, ghost_edges, step.fill, updated, gone=[(a, c)])


def _write_frames(frames, path: Path) -> None:
    if path.suffix.lower() == ".pdf":
        try:
            from PIL import Image
        except ImportError:
            raise CircuitError("a multi-page PDF needs Pillow (pip install pillow); "
                               "or pass a .png/.svg path for one file per step") from None
        pages = []
        for g in frames:
            png = g.pipe(format="png")
            pages.append(Image.open(io.BytesIO(png)).convert("RGB"))
        path.parent.mkdir(parents=True, exist_ok=True)
        pages[0].save(path, save_all=True, append_images=pages[1:], resolution=96.0)
        return
    width = max(2, len(str(len(frames) - 1)))
    for k, g in enumerate(frames):
        write(g, path.with_name(f"{path.stem}-{k:0{width}d}{path.suffix}"))
