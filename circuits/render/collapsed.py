"""The outline drawing of a large circuit: gates grouped by level into boxes, wires counted.

``render(circuit, collapse=True)`` draws one box per group of gates
(:func:`add_collapsed`); :func:`collapsed_boxes` says which nodes each box
holds, for the HTML viewer.

Examples
--------
>>> import circuits
>>> from circuits.render.collapsed import collapsed_boxes
>>> boxes = collapsed_boxes(circuits.parse("exp(x * y) + x"))
>>> sorted(v for nodes in boxes.values() for v in nodes)
[0, 1, 2, 3, 4]
"""

from __future__ import annotations

from typing import Any, Optional

from ..core.circuit import Circuit
from ..core.gates import GATES
from .labels import COLORS, ROLES, escape, escape_lines, name_label, truncate_text
from .graph_parts import check_meta, check_size, node_levels

__all__ = ["COLLAPSED_BOXES", "collapsed_boxes", "add_collapsed"]


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
    level = node_levels(circuit)
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


def add_collapsed(g, circuit: Circuit, max_nodes: Optional[int], inputs=None) -> set:
    """Draw :func:`_collapsed_groups` into ``g``: one box per group, wires counted.

    Runs of levels first; where that gives more than :data:`COLLAPSED_BOXES`
    boxes, bands of 2, 4, 8, ... levels.
    """
    check_meta(circuit)
    groups, wires, runs = _grouping(circuit)
    check_size(len(groups), max_nodes, "the collapsed drawing")
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
            kind = role if role in ROLES else "primal"
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
            lines.append(escape(truncate_text(", ".join(names[:shown]), 40) + more))
            attrs.update(color=COLORS["output"], penwidth="2.5")
            kinds.add("output")
        kinds.add(kind)
        g.node(ids[key], escape_lines(lines), **attrs)
        if op == "input" and inputs is not None:
            inputs.append(ids[key])
    for (a, b), n in wires.items():
        g.edge(ids[a], ids[b], label=f"{n:,}" if n > 1 else "", fontcolor="#555555", fontsize="10")
    return kinds
