"""Drawing a backpropagation circuit step by step: :func:`render_steps` and :class:`DrawingSteps`.

Step ``k`` draws the circuit with the gates that compute the first ``k``
adjoints (:func:`circuits.backward` with ``mirror=True``), the new ones
outlined, every step in the same layout, like slides; :class:`DrawingSteps`
holds the drawings and what the HTML viewer needs of them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Optional

from ..core.checks import check_path
from ..core.circuit import Circuit, names_text, select_outputs
from ..core.errors import CircuitError
# the functions: mypy takes ..ad.forward and ..ad.backward for the modules
from ..ad.backward import backward
from .labels import TITLE_MOST, graphviz_module
from .graph_parts import add_circuit, add_legend, check_size, digraph, mirror_names, write

__all__ = ["DrawingSteps", "render_steps"]


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
    grad = _step_gradient(circuit, output, max_nodes)
    steps = _drawn_steps(circuit, grad, values, legend, rankdir, size, dpi)
    if path is not None:
        _write_steps(steps, Path(path))
    return steps


def _drawn_steps(circuit: Circuit, grad: Circuit, values, legend: bool, rankdir: str,
                 size: Optional[str], dpi: Optional[float]) -> DrawingSteps:
    """One drawing of the mirrored gradient circuit ``grad`` per step, its titles, new gates and labels."""
    graphviz = graphviz_module()
    steps = DrawingSteps()
    parts, label = _step_parts(circuit, grad)
    for k, (title, hidden, new) in enumerate(parts, 1):
        g = digraph(graphviz, f"step{k}", title, TITLE_MOST, rankdir, size, dpi)
        sources: list = []
        kinds = add_circuit(g, grad, "", values=values, mirror=True, hidden=hidden, fresh=new,
                             inputs=sources)
        if legend:
            add_legend(g, kinds | {"fresh"}, above=sources)
        steps.append(g)
        steps.titles.append(title)
        steps.fresh.append(sorted(new))
    steps.circuit, steps.labels = grad, label
    return steps


def _write_steps(steps: DrawingSteps, path: Path) -> None:
    """Write step ``k`` to ``{stem}_{k}{suffix}``, ``k`` zero-padded, recording the paths."""
    width = len(str(len(steps)))  # zero-padded: step_01 ... step_10 sort as they come
    for k, g in enumerate(steps, 1):
        steps.paths.append(write(g, path.with_name(f"{path.stem}_{k:0{width}d}{path.suffix}")))


def _step_gradient(circuit: Circuit, output: Optional[str], max_nodes: Optional[int]) -> Circuit:
    """The mirrored backward circuit of the one output that :func:`render_steps` draws."""
    what = "the circuit with its mirrored backward circuit"
    check_size(2 * len(circuit), max_nodes, what, at_least=True)
    names = select_outputs(circuit, output)
    if len(names) != 1:
        raise CircuitError(f"render_steps() draws the backpropagation of one output, and the circuit has "
                           f"{len(names)} ({names_text(circuit.outputs, 4)}); choose one with "
                           f"output={names[0]!r}")
    y = names[0]
    grad = backward(circuit, output=y, mirror=True, keep_primal=True)
    # y is drawn as the worked example draws it, the circuit's other outputs as plain gates
    grad = grad.replace(outputs={o: v for o, v in grad.outputs.items() if o == y or o not in circuit.outputs})
    check_size(len(grad), max_nodes, what)
    if not grad.meta["adjoint_of"]:
        raise CircuitError(f"output {y!r} is a constant: it depends on no input and no gate, so "
                           f"backpropagation has no step to draw; choose an output that depends on an input")
    return grad


def _step_parts(circuit: Circuit, grad: Circuit) -> tuple:
    """Each step's title (its chain rule), derivative gates still hidden and gates new in it; the node names."""
    adjoint_of = grad.meta["adjoint_of"]
    adjoint = {z: a for a, z in adjoint_of.items()}
    order = sorted(adjoint_of, key=lambda a: -adjoint_of[a])  # the reverse topological order of BP
    label = mirror_names(grad)
    roles = grad.meta["role"]
    derivative = {v for v in range(len(grad)) if roles[v] == "derivative"}
    users: dict = {}
    for v in range(len(circuit)):
        for u in circuit.args(v):
            users.setdefault(u, []).append(v)
    parts = []
    shown: set = set()
    for k, a in enumerate(order, 1):
        new = _ancestors(grad, a, shown) & derivative
        shown |= new
        z = adjoint_of[a]
        # formula (6): a term per wire out of z into a gate u that y depends on
        terms = [f"{label[adjoint[u]]} · d[{label[u]}]/d{label[z]}" for u in users.get(z, ()) if u in adjoint]
        parts.append((f"step {k} of {len(order)}: {label[a]} = {' + '.join(terms) or '1'}", derivative - shown, new))
    return parts, label
