"""An interactive page: step through backpropagation, forward propagation or an elimination.

:func:`to_html` writes ONE self-contained HTML file — Graphviz's SVG drawings with a small
script and style inlined, no network access, no server — that opens in any browser:

* **steps**: buttons, a slider and the arrow keys walk through backpropagation one vertex at a
  time in reverse topological order (each step titled by its chain rule, as
  :func:`circuits.render_steps` titles it, the gates it adds outlined), forward propagation
  one input's tangent sweep at a time, or an elimination order one vertex at a time;
* **values**: with ``point=``, every node shows its value, and hovering a node shows its
  formula, its value, its adjoint ∂y/∂u and the partial derivative on each of its wires;
* **paths**: clicking an input highlights its heaviest gradient paths
  (:func:`circuits.top_paths`);
* **size**: the wheel zooms, dragging pans; a circuit above ``max_nodes`` opens as the
  collapsed outline of :func:`circuits.render` (``collapse=True``), and clicking a box of at
  most :data:`EXPAND_LIMIT` gates opens it into a drawing of its gates (larger boxes show what
  they hold);
* **counters**: size, depth and the gates added so far.

Names are text, never markup: every name reaches the page through Graphviz's escaping or as
JSON data written with ``textContent``, and a Content-Security-Policy forbids the page any
network access, so a circuit from an untrusted file cannot run script in the page.

:func:`view` returns an object that Jupyter shows inline (in an ``iframe``, so the page's
script and style stay out of the notebook); the command line writes the page with
``circuits view "EXPR" -o page.html``.

Examples
--------
>>> import circuits
>>> from circuits import library
>>> page = circuits.to_html(library.backprop_example(), point={"x_1": 1.0, "x_2": 2.0})
>>> page.startswith("<!DOCTYPE html>"), "http" in page.split("<body>")[0].replace("http-equiv", "")
(True, False)
"""

from __future__ import annotations

import html
import json
import math
from pathlib import Path
from typing import Any, Mapping, Optional

from ..ad import edge_values, eliminate, forward, top_paths
from ..core.builder import Builder
from ..core.circuit import Circuit, select_outputs
from ..core.errors import CircuitError
from ..core.gates import GATES
from ..eval.interpreter import node_values
from .draw import collapsed_boxes, render, render_steps
from .elimination import render_elimination

__all__ = ["to_html", "view", "View", "TRANSFORMS", "EXPAND_LIMIT"]

#: What the page steps through.
TRANSFORMS = ("backward", "forward", "eliminate")

#: Paths highlighted per input when it is clicked.
PATHS_PER_INPUT = 3

#: A box of the outline with at most this many gates opens, when clicked, into a drawing of them.
EXPAND_LIMIT = 60


def to_html(circuit: Circuit, path=None, *, point: Optional[Mapping[str, Any]] = None,
            transform: str = "backward", output: Optional[str] = None, order: str = "markowitz",
            title: Optional[str] = None, max_nodes: Optional[int] = 200) -> str:
    """One self-contained HTML page that steps through a transform of ``circuit``.

    Parameters
    ----------
    circuit : Circuit
    path : str or path-like, optional
        Also write the page to this file (UTF-8).
    point : mapping, optional
        Input values: nodes then show their values and adjoints, wires their partials, and
        clicking an input highlights its heaviest gradient paths.
    transform : {"backward", "forward", "eliminate"}
        Backpropagation one vertex per step (the drawing of :func:`circuits.render_steps`),
        forward propagation one input's tangents per step, or vertex elimination in ``order``
        one vertex per step (the drawings of :func:`circuits.render_elimination`).
    output : str, optional
        The output to differentiate (needed for backward when there are several).
    order : str
        The elimination order for ``transform="eliminate"``.
    title : str, optional
        The page's heading (default: a description of the circuit and the transform).
    max_nodes : int or None
        Above this many nodes in the drawn circuit the page opens the collapsed outline of
        the circuit instead of its steps; None draws everything.

    Returns
    -------
    str
        The page.

    Raises
    ------
    CircuitError
        Not a circuit, an unknown transform, a bad point, output or path, or what the
        transform itself refuses.

    Examples
    --------
    >>> import circuits
    >>> page = circuits.to_html(circuits.parse("x * y + sin(x)"), transform="forward")
    >>> "step 2 of 2" in page            # one step per input's tangent sweep
    True
    """
    names = _checked_outputs(circuit, transform, point, max_nodes, output)
    point = dict(point) if point is not None else None
    big = max_nodes is not None and 2 * len(circuit) > max_nodes
    data = _page_data(circuit, transform, names, point, order, max_nodes, big)
    heading = title if title is not None else (
        f"a circuit of size {circuit.size:,}, depth {circuit.depth:,}, in outline" if big else
        f"{transform} · size {circuit.size}, depth {circuit.depth}")
    if not isinstance(heading, str):
        raise CircuitError(f"to_html(): title must be a str, got {type(heading).__name__}")
    page = _PAGE.format(title=html.escape(heading), style=_STYLE, script=_SCRIPT,
                        data=_script_json(data), heading=html.escape(heading))
    if path is not None:
        _write_page(page, path)
    return page


def _checked_outputs(circuit: Circuit, transform: str, point, max_nodes, output: Optional[str]) -> list:
    """Check the arguments of :func:`to_html`; return the names of the outputs it differentiates."""
    if not isinstance(circuit, Circuit):
        raise CircuitError(f"to_html() expects a Circuit, got {type(circuit).__name__}")
    if transform not in TRANSFORMS:
        raise CircuitError(f"to_html(): unknown transform {transform!r}; choose one of "
                           f"{', '.join(map(repr, TRANSFORMS))}")
    if point is not None and not isinstance(point, Mapping):
        raise CircuitError(f"to_html(): point must be a mapping of input names to numbers, e.g. "
                           f"{{'x': 1.0}}, got {type(point).__name__}")
    if max_nodes is not None and (not isinstance(max_nodes, int) or isinstance(max_nodes, bool) or max_nodes < 1):
        raise CircuitError(f"to_html(): max_nodes must be a positive int or None, got {max_nodes!r}")
    names = select_outputs(circuit, output)
    if transform == "backward" and len(names) != 1:
        raise CircuitError(f"to_html() steps through the backpropagation of one output; choose one with "
                           f"output={names[0]!r}")
    return names


def _page_data(circuit: Circuit, transform: str, names: list, point: Optional[dict], order: str,
               max_nodes: Optional[int], big: bool) -> dict:
    """The data the page's script draws: the frames of the transform (or the outline), paths, inputs."""
    if big:
        data = _outline(circuit, max_nodes)
    elif transform == "backward":
        data = _backward_frames(circuit, names[0], point, max_nodes)
    elif transform == "forward":
        data = _forward_frames(circuit, point, max_nodes)
    else:
        data = _elimination_frames(circuit, order, point, names)
    data["paths"] = _paths(circuit, point, names[0]) if point is not None and not big else {}
    data["inputs"] = {f"n{v}": x for x, v in circuit.inputs.items()}
    return data


def _write_page(page: str, path) -> None:
    """Write the page to the file ``path`` (UTF-8)."""
    if not isinstance(path, (str, Path)):
        raise CircuitError(f"to_html(): path must be a file name, got {type(path).__name__}")
    try:
        Path(path).write_text(page, encoding="utf-8")
    except OSError as err:
        raise CircuitError(f"to_html(): cannot write {str(path)!r}: {err.strerror or err}") from None


class View:
    """A page of :func:`to_html` that Jupyter shows inline, in an ``iframe``.

    ``html`` is the page; :meth:`save` writes it.
    """

    def __init__(self, page: str, height: int = 620):
        self.html = page
        self.height = height

    def save(self, path) -> Path:
        """Write the page to ``path`` and return it as a Path."""
        if not isinstance(path, (str, Path)):
            raise CircuitError(f"View.save(): path must be a file name, got {type(path).__name__}")
        Path(path).write_text(self.html, encoding="utf-8")
        return Path(path)

    def _repr_html_(self) -> str:
        # srcdoc keeps the page's script and style inside the frame; sandbox lets only scripts run
        return (f'<iframe srcdoc="{html.escape(self.html, quote=True)}" sandbox="allow-scripts" '
                f'style="width:100%;height:{self.height}px;border:1px solid #ddd"></iframe>')

    def __repr__(self) -> str:
        return f"<circuits.View: {len(self.html):,} characters of HTML; .save(path) writes it>"


def view(circuit: Circuit, **options) -> View:
    """:func:`to_html` as an object Jupyter shows inline (same options, without ``path``).

    Examples
    --------
    >>> import circuits
    >>> v = circuits.view(circuits.parse("x * y"))
    >>> v._repr_html_().startswith("<iframe srcdoc=")
    True
    """
    if "path" in options:
        raise CircuitError("view() shows the page; write it with circuits.to_html(circuit, path) or "
                           "view(...).save(path)")
    return View(to_html(circuit, **options))


# --- the frames each transform steps through ------------------------------------------------

def _svg(graph) -> str:
    svg = graph.pipe(format="svg").decode("utf-8")
    return svg[svg.index("<svg"):]  # no XML prolog or DOCTYPE inside the page


def _number(x) -> str:
    if x is None:
        return "?"
    try:
        f = float(x)
    except (TypeError, ValueError, OverflowError):
        return str(x)
    if math.isfinite(f) and f == int(f) and abs(f) < 1e15:
        return str(int(f))
    return f"{f:.6g}"


def _formula(circuit: Circuit, v: int, labels: Mapping[int, str]) -> str:
    """``u₃ = u₁ · u₂``-style text for node ``v`` (a source shows its name or value)."""
    op = circuit.op(v)
    name = labels.get(v, f"v{v}")
    if op == "input":
        return f"{name}: input"
    if op == "const":
        return f"{name} = {_number(circuit.value(v))}"
    gate = GATES.get(op)
    args = [labels.get(u, f"v{u}") for u in circuit.args(v)]
    if gate is not None and gate.weighted:
        terms = []
        for a, w in zip(args, circuit.weights(v)):
            terms.append(a if w == 1 else f"-{a}" if w == -1 else f"{_number(w)}·{a}")
        body = " + ".join(terms).replace("+ -", "− ")
    else:
        symbol = gate.label if gate is not None else op
        body = f" {symbol} ".join(args) if len(args) == 2 and not symbol.isalnum() else f"{symbol}({', '.join(args)})"
    return f"{name} = {body}"


def _node_info(circuit: Circuit, labels: Mapping[int, str], point, adjoint_of=None,
               primal: Optional[Circuit] = None) -> dict:
    """Hover text per drawn node: formula, value, adjoint and the partials on its wires."""
    values = node_values(circuit, point) if point is not None else None
    adjoint = {z: a for a, z in (adjoint_of or {}).items()}
    partials = edge_values(primal, point) if point is not None and primal is not None else {}
    into: dict = {}
    for (u, v, _pos), d in partials.items():
        into.setdefault(v, []).append(f"∂{labels.get(v, v)}/∂{labels.get(u, u)} = {_number(d)}")
    info = {}
    for v in range(len(circuit)):
        lines = [_formula(circuit, v, labels)]
        if values is not None:
            lines.append(f"value {_number(values[v])}")
            if v in adjoint:
                lines.append(f"adjoint {labels.get(adjoint[v], '')} = {_number(values[adjoint[v]])}")
            lines.extend(into.get(v, ()))
        info[f"n{v}"] = {"text": lines, "value": _number(values[v]) if values is not None else None}
    return info


def _backward_frames(circuit: Circuit, y: str, point, max_nodes) -> dict:
    steps = render_steps(circuit, output=y, values=point, max_nodes=max_nodes)
    grad = steps.circuit
    assert grad is not None  # render_steps of a circuit with an output always has one
    added, frames = 0, []
    for title, fresh in zip(steps.titles, steps.fresh):
        added += len(fresh)
        frames.append({"title": title, "svg": 0, "fresh": [f"n{v}" for v in fresh], "added": added})
    hidden_until = {f"n{v}": k for k, fresh in enumerate(steps.fresh) for v in fresh}
    # every gate drawn, none outlined: the page outlines each step's own gates
    whole = render(grad, values=point, mirror=True, max_nodes=max_nodes, title=f"backpropagation of {y}")
    return {"svgs": [_svg(whole)], "frames": frames, "hidden_until": hidden_until,
            "info": [_node_info(grad, steps.labels, point, grad.meta["adjoint_of"], circuit)],
            "size": grad.size, "depth": grad.depth, "kind": "backward"}


def _forward_frames(circuit: Circuit, point, max_nodes) -> dict:
    inputs = list(circuit.inputs)
    if not inputs:
        raise CircuitError("to_html(transform='forward'): the circuit has no inputs, so there is no "
                           "tangent to propagate; name inputs with trace, parse or Builder.input")
    svgs, infos, frames = [], [], []
    before = circuit.size
    for k, x in enumerate(inputs, 1):
        fwd = forward(circuit, wrt=inputs[:k], keep_primal=True)
        svgs.append(_svg(render(fwd, values=point, max_nodes=max_nodes, legend=k == 1,
                                title=f"forward propagation: tangents of {', '.join(inputs[:k])}")))
        labels = {v: fwd.name(v) for v in fwd.inputs.values()}
        labels.update({v: o for o, v in fwd.outputs.items()})
        infos.append(_node_info(fwd, labels, point))
        frames.append({"title": f"step {k} of {len(inputs)}: the tangents d·/d{x} of every gate",
                       "svg": k - 1, "info": k - 1, "fresh": [], "added": fwd.size - before})
    return {"svgs": svgs, "frames": frames, "hidden_until": {}, "info": infos,
            "size": fwd.size, "depth": fwd.depth, "kind": "forward"}


def _elimination_frames(circuit: Circuit, order: str, point, outputs) -> dict:
    graphs = render_elimination(circuit, order, point=point, output=outputs if len(outputs) > 1 else outputs[0])
    result = eliminate(circuit, order, output=outputs if len(outputs) > 1 else outputs[0])
    frames, done = [], 0
    for k, g in enumerate(graphs):
        label = g.graph_attr.get("label", f"step {k}")
        if k:
            done += result.steps[k - 1].multiplications if k - 1 < len(result.steps) else 0
        frames.append({"title": label, "svg": k, "fresh": [], "added": done})
    return {"svgs": [_svg(g) for g in graphs], "frames": frames, "hidden_until": {}, "info": [],
            "size": circuit.size, "depth": circuit.depth, "kind": "eliminate"}


def _outline(circuit: Circuit, max_nodes) -> dict:
    g = render(circuit, collapse=True)
    svgs, expand = [_svg(g)], {}
    for box, members in collapsed_boxes(circuit).items():
        gates = [v for v in members if circuit.op(v) not in ("input", "const")]
        if 0 < len(gates) <= EXPAND_LIMIT:
            expand[box] = len(svgs)
            svgs.append(_svg(render(_box_circuit(circuit, members), legend=False,
                                    title=f"inside the box: {len(gates)} gate{'s' * (len(gates) > 1)}")))
    frame = {"title": f"{len(circuit):,} nodes: more than max_nodes = {max_nodes}, drawn in outline "
                      f"(one box per operation and level); click a box to see inside it",
             "svg": 0, "fresh": [], "added": 0}
    return {"svgs": svgs, "frames": [frame], "hidden_until": {}, "info": [], "expand": expand,
            "size": circuit.size, "depth": circuit.depth, "kind": "outline"}


def _box_circuit(circuit: Circuit, members) -> Circuit:
    """The gates of one box as a circuit: what they read from outside the box becomes an input,
    what the rest of the circuit reads from them (or an output) an output, each named ``v{id}``."""
    inside = set(members)
    read_outside = set(circuit.outputs.values())
    for v in range(len(circuit)):
        if v not in inside:
            read_outside.update(u for u in circuit.args(v) if u in inside)
    b = Builder()
    node = {}

    def source(u):
        if u not in node:
            node[u] = (b.const_node(circuit.value(u)) if circuit.op(u) == "const"
                       else b.input_node(circuit.name(u) if circuit.op(u) == "input" else f"v{u}"))
        return node[u]

    for v in sorted(inside):
        op = circuit.op(v)
        if op in ("input", "const"):
            source(v)
            continue
        args = [node[u] if u in inside else source(u) for u in circuit.args(v)]
        node[v] = b.gate(op, *args, weights=circuit.weights(v) if GATES[op].weighted else None)
        if v in read_outside:
            b.output_node(f"v{v}", node[v])
    return b.build()


def _paths(circuit: Circuit, point, y: str) -> dict:
    out = {}
    for x, v in circuit.inputs.items():
        found = top_paths(circuit, point, k=PATHS_PER_INPUT, output=y, input=x)
        out[f"n{v}"] = [{"nodes": [f"n{u}" for u in p.nodes],
                         "edges": [[f"n{a}", f"n{b}"] for a, b, _ in p.edges],
                         "text": str(p)} for p in found]
    return out


def _script_json(data) -> str:
    """JSON that cannot end the script element it sits in (``</script>``, ``<!--``)."""
    text = json.dumps(data, ensure_ascii=True, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>{title}</title>
<style>{style}</style>
</head>
<body>
<header>
  <h1>{heading}</h1>
  <div id="controls">
    <button id="first" title="first step (Home)">&#124;◀</button>
    <button id="prev" title="previous step (←)">◀</button>
    <input id="slider" type="range" min="0" value="0" aria-label="step">
    <button id="next" title="next step (→)">▶</button>
    <button id="last" title="last step (End)">▶&#124;</button>
    <button id="reset" title="fit the drawing">fit</button>
    <button id="back" title="back to the outline" hidden>back to the outline</button>
    <span id="counters"></span>
  </div>
  <div id="step-title"></div>
  <div id="legend">gates outlined in <span style="color:#1f6feb">blue</span> are new in this step; click an input for its heaviest paths (<span style="color:#d97706">orange</span>)</div>
</header>
<main><div id="canvas"></div><aside id="info">Hover a node for its formula, value and adjoint; click an input for its heaviest gradient paths.</aside></main>
<script id="circuit-data" type="application/json">{data}</script>
<script>{script}</script>
</body>
</html>
"""

_STYLE = """
body{font-family:Helvetica,Arial,sans-serif;margin:0;color:#222}
header{padding:8px 14px;border-bottom:1px solid #ddd}
h1{font-size:17px;margin:0 0 6px 0;font-weight:600}
#controls{display:flex;gap:6px;align-items:center;flex-wrap:wrap}
#controls button{font-size:14px;padding:2px 9px}
#slider{width:260px}
#counters{margin-left:12px;font-size:13px;color:#444}
#step-title{margin-top:6px;font-size:15px;min-height:20px}
#legend{font-size:12px;color:#555}
main{display:flex;height:calc(100vh - 128px)}
#canvas{flex:1;overflow:hidden;cursor:grab;position:relative}
#canvas svg{width:100%;height:100%}
#info{width:300px;border-left:1px solid #ddd;padding:10px;font-size:13px;white-space:pre-wrap;overflow:auto}
.step-hidden{visibility:hidden}
.step-fresh ellipse,.step-fresh polygon,.step-fresh path{stroke:#1f6feb !important;stroke-width:3px}
.on-path ellipse,.on-path polygon{stroke:#d97706 !important;stroke-width:3.5px}
g.edge.on-path path{stroke:#d97706 !important;stroke-width:3px}
g.node{cursor:pointer}
"""

_SCRIPT = r"""
(function(){
'use strict';
const data = JSON.parse(document.getElementById('circuit-data').textContent);
const canvas = document.getElementById('canvas'), info = document.getElementById('info');
const slider = document.getElementById('slider'), stepTitle = document.getElementById('step-title');
const counters = document.getElementById('counters');
const holders = data.svgs.map(function(svg){
  const div = document.createElement('div');
  div.style.width = '100%'; div.style.height = '100%';
  // the SVG comes from Graphviz, which escaped every name; parse it as SVG, not as HTML
  const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
  div.appendChild(document.importNode(doc.documentElement, true));
  div.hidden = true; canvas.appendChild(div); return div;
});
function nodes(div){ return Array.from(div.querySelectorAll('g.node')); }
function nameOf(g){ const t = g.querySelector('title'); return t ? t.textContent.trim() : ''; }
function ends(g){ return nameOf(g).split('->').map(function(s){ return s.split(':')[0].trim(); }); }
let current = 0, pathOwner = null, expanded = null;
const back = document.getElementById('back');
function openBox(name, g){
  expanded = name;
  holders.forEach(function(d, i){ d.hidden = i !== data.expand[name]; });
  stepTitle.textContent = 'inside ' + Array.from(g.querySelectorAll('text')).map(function(x){ return x.textContent; }).join(' · ');
  back.hidden = false;
}
back.addEventListener('click', function(){ expanded = null; back.hidden = true; show(current); });
window.circuitsViewer = {state: function(){ return {step: current, frames: data.frames.length, expanded: expanded}; },
                         data: data};
function show(k){
  expanded = null; back.hidden = true;
  current = Math.max(0, Math.min(data.frames.length - 1, k));
  const frame = data.frames[current];
  holders.forEach(function(d, i){ d.hidden = i !== frame.svg; });
  const div = holders[frame.svg];
  const fresh = new Set(frame.fresh);
  const visible = function(n){ return !(n in data.hidden_until) || data.hidden_until[n] <= current; };
  nodes(div).forEach(function(g){
    const n = nameOf(g);
    g.classList.toggle('step-hidden', !visible(n));
    g.classList.toggle('step-fresh', fresh.has(n));
  });
  div.querySelectorAll('g.edge').forEach(function(g){
    const e = ends(g);
    g.classList.toggle('step-hidden', !(visible(e[0]) && visible(e[1])));
  });
  slider.value = current;
  stepTitle.textContent = frame.title;
  counters.textContent = 'step ' + (current + 1) + ' of ' + data.frames.length + ' · size ' + data.size +
    ', depth ' + data.depth + ' · gates added so far: ' + frame.added;
  clearPaths();
}
function clearPaths(){
  pathOwner = null;
  canvas.querySelectorAll('.on-path').forEach(function(g){ g.classList.remove('on-path'); });
}
function highlightPaths(input){
  const div = holders[data.frames[current].svg];
  const paths = data.paths[input] || [];
  const onNodes = new Set(), onEdges = new Set();
  paths.forEach(function(p){
    p.nodes.forEach(function(n){ onNodes.add(n); });
    p.edges.forEach(function(e){ onEdges.add(e[0] + '->' + e[1]); });
  });
  clearPaths(); pathOwner = input;
  nodes(div).forEach(function(g){ if (onNodes.has(nameOf(g))) g.classList.add('on-path'); });
  div.querySelectorAll('g.edge').forEach(function(g){
    const e = ends(g); if (onEdges.has(e[0] + '->' + e[1])) g.classList.add('on-path');
  });
  info.textContent = (data.inputs[input] || input) + ': heaviest gradient paths\n' +
    paths.map(function(p){ return '• ' + p.text; }).join('\n');
}
function describe(g){
  const frame = data.frames[current];
  const table = data.info[frame.info !== undefined ? frame.info : 0] || {};
  const entry = table[nameOf(g)];
  if (entry) { info.textContent = entry.text.join('\n'); return; }
  const t = g.querySelector('text');
  info.textContent = Array.from(g.querySelectorAll('text')).map(function(x){ return x.textContent; }).join(' ') ||
    (t ? t.textContent : nameOf(g));
}
canvas.addEventListener('mouseover', function(ev){
  const g = ev.target.closest && ev.target.closest('g.node');
  if (g && !g.classList.contains('step-hidden') && pathOwner === null) describe(g);
});
canvas.addEventListener('click', function(ev){
  if (moved) return;
  const g = ev.target.closest && ev.target.closest('g.node');
  if (!g) { clearPaths(); return; }
  const n = nameOf(g);
  if (n in data.paths) { pathOwner === n ? clearPaths() : highlightPaths(n); }
  else if (data.expand && n in data.expand && !expanded) { openBox(n, g); }
  else { clearPaths(); describe(g); }
});
// zoom (wheel) and pan (drag) by the SVG's viewBox
let drag = null, moved = false;
function visibleSvg(){ return holders[expanded ? data.expand[expanded] : data.frames[current].svg].querySelector('svg'); }
function box(svg){
  if (!svg.dataset.vb0) svg.dataset.vb0 = svg.getAttribute('viewBox');
  return svg.getAttribute('viewBox').split(/[ ,]+/).map(Number);
}
canvas.addEventListener('wheel', function(ev){
  const svg = visibleSvg();
  const b = box(svg), r = svg.getBoundingClientRect();
  const s = ev.deltaY > 0 ? 1.15 : 1 / 1.15;
  const fx = (ev.clientX - r.left) / r.width, fy = (ev.clientY - r.top) / r.height;
  const w = b[2] * s, h = b[3] * s;
  svg.setAttribute('viewBox', [b[0] + (b[2] - w) * fx, b[1] + (b[3] - h) * fy, w, h].join(' '));
  ev.preventDefault();
}, {passive: false});
canvas.addEventListener('mousedown', function(ev){ drag = [ev.clientX, ev.clientY]; moved = false; });
window.addEventListener('mouseup', function(){ drag = null; canvas.style.cursor = 'grab'; });
window.addEventListener('mousemove', function(ev){
  if (!drag) return;
  const svg = visibleSvg();
  const b = box(svg), r = svg.getBoundingClientRect();
  const dx = (ev.clientX - drag[0]) * b[2] / r.width, dy = (ev.clientY - drag[1]) * b[3] / r.height;
  if (Math.abs(ev.clientX - drag[0]) + Math.abs(ev.clientY - drag[1]) > 3) moved = true;
  svg.setAttribute('viewBox', [b[0] - dx, b[1] - dy, b[2], b[3]].join(' '));
  drag = [ev.clientX, ev.clientY]; canvas.style.cursor = 'grabbing';
});
document.getElementById('reset').addEventListener('click', function(){
  holders.forEach(function(d){ const svg = d.querySelector('svg');
    if (svg && svg.dataset.vb0) svg.setAttribute('viewBox', svg.dataset.vb0); });
});
document.getElementById('first').addEventListener('click', function(){ show(0); });
document.getElementById('prev').addEventListener('click', function(){ show(current - 1); });
document.getElementById('next').addEventListener('click', function(){ show(current + 1); });
document.getElementById('last').addEventListener('click', function(){ show(data.frames.length - 1); });
slider.max = data.frames.length - 1;
slider.addEventListener('input', function(){ show(Number(slider.value)); });
document.addEventListener('keydown', function(ev){
  if (ev.key === 'ArrowRight') show(current + 1);
  else if (ev.key === 'ArrowLeft') show(current - 1);
  else if (ev.key === 'Home') show(0);
  else if (ev.key === 'End') show(data.frames.length - 1);
});
show(0);
})();
"""
