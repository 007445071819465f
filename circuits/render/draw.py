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

The pieces live beside this module, which re-exports their public names:
labels and colours in :mod:`circuits.render.labels`, the digraph, a
circuit's nodes and wires, the legend and files in
:mod:`circuits.render.graph_parts`, the outline drawing in
:mod:`circuits.render.collapsed`, :func:`render_steps` in
:mod:`circuits.render.steps`.

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
from typing import Any, Literal, Mapping, Optional, Union

from ..core.circuit import Circuit, names_text
from ..core.errors import CircuitError
# the functions: mypy takes ..ad.forward and ..ad.backward for the modules
from ..ad.forward import forward
from ..ad.backward import backward
from ..ad.linearize import edge_values
from ..ad.semirings import REAL, propagate
from .labels import (COLORS, FONT, FRESH_COLOR, SHORT_NAME, TITLE_MOST, WEIGHT_COLOR, default_title, escape,
                     escape_lines, function_text, graphviz_module, name_label, names_list, number_text)
from .graph_parts import (PATH_COLORS, SHAPES, add_circuit, add_legend, check_size, digraph, highlighted_paths,
                          ordered_rank, write, write_bytes)
from .collapsed import COLLAPSED_BOXES, add_collapsed, collapsed_boxes
from .steps import DrawingSteps, render_steps

__all__ = ["render", "render_transforms", "render_steps", "DrawingSteps", "write", "COLORS", "collapsed_boxes",
           "WEIGHT_COLOR", "FRESH_COLOR", "graphviz_module", "number_text", "escape", "escape_lines", "FONT",
           "name_label", "SHORT_NAME", "names_list", "TITLE_MOST", "digraph", "PATH_COLORS", "ordered_rank", "SHAPES",
           "write_bytes", "COLLAPSED_BOXES"]


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
        _check_collapse(values=values, gradients=gradients, highlight=highlight, mirror=mirror)
    else:
        check_size(len(circuit), max_nodes, "the circuit", hint=", or collapse=True to draw it in outline")
    graphviz = graphviz_module()
    g = digraph(graphviz, "circuit", default_title(circuit) if title is None else title, None,
                 rankdir, size, dpi)
    adjoints, partials, colours = _annotations(circuit, values, gradients, highlight, output)
    sources: list = []
    if collapse:
        kinds = add_collapsed(g, circuit, max_nodes, inputs=sources)
    else:
        kinds = add_circuit(g, circuit, "", values=values, mirror=mirror, adjoints=adjoints,
                             partials=partials, highlight=colours, inputs=sources)
    if legend:
        add_legend(g, kinds, above=sources)
    if path is not None:
        write(g, path)
    return g


def _check_collapse(**options) -> None:
    """Refuse the options of :func:`render` that need every gate drawn, with ``collapse=True``."""
    clash = [k for k, v in options.items() if v not in (None, False)]
    if clash:
        raise CircuitError(f"render(collapse=True) draws groups of gates, and {clash[0]}= needs every "
                           f"gate drawn; leave out collapse=True (and raise max_nodes) or {clash[0]}=")


def _annotations(circuit: Circuit, values, gradients: bool, highlight, output: Optional[str]) -> tuple:
    """What :func:`render` writes on the drawing besides values: ``(adjoints, partials, path colours)``."""
    adjoints = partials = None
    colours: Optional[dict] = None
    if gradients:
        if values is None:
            raise CircuitError("render(gradients=True) needs values={input: number, ...} to compute the adjoints at")
        adjoints = propagate(circuit, REAL, values, output=output).values
        partials = edge_values(circuit, values, output=output)
    if highlight is not None:
        colours = {}
        for k, p in enumerate(highlighted_paths(circuit, highlight)):
            for wire in p.edges:
                colours.setdefault(wire, PATH_COLORS[k % len(PATH_COLORS)])
        if values is not None and partials is None:
            partials = {w: v for w, v in edge_values(circuit, values).items() if w in colours}
    return adjoints, partials, colours


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
    parts = _transform_parts(circuit, max_nodes, sparse)
    graphviz = graphviz_module()
    g = digraph(graphviz, "transforms", f"{function_text(circuit)}: circuit, forward, backward",
                 TITLE_MOST, rankdir)
    kinds: set = set()
    sources: list = []
    for label, prefix, c in parts:
        with g.subgraph(name=f"cluster_{label}") as s:
            s.attr(label=f"{label}: size {c.size}, depth {c.depth}, wires {c.wires}",
                   style="rounded", color="#888888")
            kinds |= add_circuit(s, c, prefix, values=values, inputs=sources)
    if legend:
        add_legend(g, kinds, above=sources)
    if path is not None:
        write(g, path)
    return g


def _transform_parts(circuit: Circuit, max_nodes: Optional[int], sparse: bool) -> list:
    """The three clusters of :func:`render_transforms` (label, id prefix, circuit), refused when too large."""
    what = "the circuit with its forward and backward circuits"
    # Check before building: each gradient circuit holds a copy of the circuit, and
    # the literal forward circuit grows as n·(s + w) (a least-squares circuit with
    # n = 240 took gigabytes before it was refused).
    check_size(3 * len(circuit), max_nodes, what, at_least=True)
    back = backward(circuit)
    # the literal forward circuit (Θ(n·(s + w))) has a chain-rule term per input and
    # wire into a gate of two or more wires
    joins = 0 if sparse else sum(len(a) for a in circuit.record.args if len(a) >= 2)
    check_size(2 * len(circuit) + len(back) + len(circuit.inputs) * joins, max_nodes, what, at_least=True)
    parts = [("circuit", "c", circuit), ("forward", "f", forward(circuit, sparse=sparse)),
             ("backward", "b", back)]
    check_size(sum(len(c) for _, _, c in parts), max_nodes, what)
    return parts


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
