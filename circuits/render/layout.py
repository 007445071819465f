"""Reading a drawing's layout back from Graphviz: node positions and text boxes.

Graphviz's ``dot -Tjson`` gives the position of every node and the drawing
operations of every label (xdot ``T`` operations: baseline point, alignment,
width and font size).  From these this module builds

* :func:`layout` — the parsed JSON of a :class:`graphviz.Digraph`;
* :func:`text_boxes` — one box per drawn line of text (node labels, edge
  labels, head and tail labels, titles, cluster titles, the legend);
* :func:`overlaps` — the pairs of text boxes that intersect, and the text of
  wires drawn over a node other than their own;
* :func:`node_positions` — the centre of each visible node, by DOT name.

The tests use them to check that no two labels of a drawing overlap and that
inputs and outputs are drawn in order; :func:`circuits.to_tikz` places its
nodes with :func:`layout`.

Examples
--------
>>> import circuits
>>> g = circuits.render(circuits.trace(lambda x, y: x * y), legend=False)
>>> boxes = text_boxes(g)                                          # doctest: +SKIP
>>> overlaps(g)                                                    # doctest: +SKIP
[]
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Optional

from ..core.errors import CircuitError

__all__ = ["TextBox", "layout", "text_boxes", "node_boxes", "overlaps", "node_positions"]

#: Points of a text line above and below its baseline, as fractions of the font size.
_ASCENT, _DESCENT = 0.78, 0.22
#: Boxes closer than this (points) are not counted as overlapping: Graphviz rounds to 0.01 pt.
_SLACK = 0.5


@dataclass(frozen=True)
class TextBox:
    """One drawn line of text: its owner (``node n3``, ``edge n1->n3``, ``graph``), text
    and box ``(x0, y0, x1, y1)`` in points, y up."""

    owner: str
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    def meets(self, other: "TextBox", slack: float = _SLACK) -> bool:
        """Whether the two boxes intersect by more than ``slack`` points both ways."""
        return (min(self.x1, other.x1) - max(self.x0, other.x0) > slack
                and min(self.y1, other.y1) - max(self.y0, other.y0) > slack)


def layout(graph) -> dict:
    """The layout Graphviz's ``dot`` computes for ``graph`` (``-Tjson``), parsed.

    Raises
    ------
    CircuitError
        When the ``dot`` program is missing or fails.
    """
    if isinstance(graph, dict):
        return graph
    import graphviz
    try:
        data = graph.pipe(format="json")
    except graphviz.ExecutableNotFound:
        raise CircuitError("reading a layout needs the Graphviz 'dot' program; install it with "
                           "`apt-get install graphviz` (macOS: `brew install graphviz`)") from None
    except graphviz.CalledProcessError as exc:
        raise CircuitError(f"Graphviz 'dot' failed to lay the drawing out: {exc}") from None
    return json.loads(data)


def _texts(ops, owner: str) -> list:
    boxes, size = [], 14.0
    for op in ops or ():
        if op["op"] == "F":
            size = float(op["size"])
        elif op["op"] == "T" and op["text"].strip():
            x, y = op["pt"]
            w = float(op["width"])
            x0 = {"l": x, "c": x - w / 2, "r": x - w}[op["align"]]
            boxes.append(TextBox(owner, op["text"], x0, y - _DESCENT * size, x0 + w, y + _ASCENT * size))
    return boxes


def _objects(data: dict) -> tuple:
    """(nodes, clusters) of the layout: objects with a position, subgraphs with a box."""
    nodes, clusters = [], []
    for obj in data.get("objects", ()):
        if "nodes" in obj or "edges" in obj and "pos" not in obj:
            clusters.append(obj)
        else:
            nodes.append(obj)
    return nodes, clusters


def text_boxes(graph) -> list:
    """Every drawn line of text of ``graph``'s layout, as :class:`TextBox` es."""
    data = layout(graph)
    nodes, clusters = _objects(data)
    boxes = _texts(data.get("_ldraw_"), "graph")
    for c in clusters:
        boxes += _texts(c.get("_ldraw_"), f"cluster {c['name']}")
    for v in nodes:
        boxes += _texts(v.get("_ldraw_"), f"node {v['name']}")
    names = nodes_by_id(data)
    for e in data.get("edges", ()):
        owner = f"edge {names[e['tail']]}->{names[e['head']]}"
        for key in ("_ldraw_", "_hldraw_", "_tldraw_", "_tlldraw_", "_hlldraw_"):
            boxes += _texts(e.get(key), owner)
    return boxes


def nodes_by_id(data: dict) -> dict:
    """``_gvid`` → DOT name of every object of a layout."""
    return {obj["_gvid"]: obj["name"] for obj in data.get("objects", ())}


def node_boxes(graph) -> dict:
    """DOT name → ``(x0, y0, x1, y1)`` of every visible node's shape, in points."""
    data = layout(graph)
    nodes, _ = _objects(data)
    out = {}
    for v in nodes:
        if "pos" not in v or v.get("style") == "invis" or not v.get("_draw_"):
            continue
        x, y = map(float, v["pos"].split(","))
        w, h = float(v["width"]) * 36, float(v["height"]) * 36
        out[v["name"]] = (x - w, y - h, x + w, y + h)
    return out


def node_positions(graph) -> dict:
    """DOT name → ``(x, y)`` centre of every visible node, in points (y up)."""
    return {name: ((x0 + x1) / 2, (y0 + y1) / 2) for name, (x0, y0, x1, y1) in node_boxes(graph).items()}


def overlaps(graph, slack: float = _SLACK) -> list:
    """Pairs of things drawn over each other in ``graph``'s layout.

    Two lines of text of different owners (or of one owner, where they
    intersect), and a wire's text over the shape of a node: each such pair is
    returned as ``(TextBox, TextBox)`` (a node's shape as a box with the
    text ``"<shape>"``).  An empty list means every label can be read.
    """
    data = layout(graph)
    boxes = text_boxes(data)
    found = []
    boxes.sort(key=lambda b: b.x0)
    for i, a in enumerate(boxes):  # sweep over x: only boxes that start before a ends
        for b in boxes[i + 1:]:
            if b.x0 > a.x1:
                break
            if a.meets(b, slack):
                found.append((a, b))
    shapes = [TextBox(f"node {name}", "<shape>", *box) for name, box in node_boxes(data).items()]
    for t in boxes:
        if not t.owner.startswith("edge "):
            continue
        for s in shapes:
            if t.meets(s, slack):
                found.append((t, s))
    return found


def describe(pairs, most: Optional[int] = 5) -> str:
    """The overlapping pairs of :func:`overlaps`, one line each, for an error message."""
    lines = [f"{a.owner} {a.text!r} over {b.owner} {b.text!r}" for a, b in pairs[:most]]
    if most is not None and len(pairs) > most:
        lines.append(f"... and {len(pairs) - most} more")
    return "\n".join(lines)
