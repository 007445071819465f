"""Sparse Jacobians by colouring (issue 14): Boolean-semiring sparsity, one sweep per colour.

Two columns of the Jacobian that share no nonzero row can be seeded together
in one forward sweep: the sum of their tangents still separates, row by row.
Greedy colouring of the column intersection graph (Curtis, Powell & Reid 1974;
Coleman & Moré 1983) groups the columns; the rows likewise group reverse
sweeps, which are used when they need fewer colours.  A banded function
``y_i = x_{i-1} x_i x_{i+1}`` needs 3 colours whatever ``n``, so its Jacobian
circuit grows linearly in ``n`` instead of quadratically.
"""

from __future__ import annotations

from typing import Optional

from ..circuit import Circuit
from ..errors import CircuitError
from .common import active_nodes, dname, finish, materialise
from .linearize import Linearization, linearize


def jacobian_sparsity(circuit: Circuit) -> dict:
    """Structural nonzero pattern of the Jacobian: ``{output: (inputs it depends on), ...}``.

    One forward sweep of the Boolean semiring, vectorised: each node carries
    the set of inputs with a path to it over wires whose partial is not
    structurally zero.  Exact unless terms cancel (``x - x``).

    Examples
    --------
    >>> import circuits
    >>> f = circuits.parse({"a": "x * y", "b": "sin(z)", "c": "3 * y"})
    >>> circuits.jacobian_sparsity(f)
    {'a': ('x', 'y'), 'b': ('z',), 'c': ('y',)}
    """
    if not isinstance(circuit, Circuit):
        raise CircuitError(f"jacobian_sparsity expects a Circuit, got {type(circuit).__name__}")
    order = {node: k for k, node in enumerate(circuit.inputs.values())}
    names = list(circuit.inputs)
    partials = linearize(circuit).partials()
    sets: list = [None] * len(circuit)
    for node in circuit.inputs.values():
        sets[node] = frozenset((order[node],))
    args = circuit._args
    for g in range(len(circuit)):
        a = args[g]
        if not a:
            continue
        parts = []
        for i, u in enumerate(a):
            s = sets[u]
            if s:
                p = partials.get((u, g, i))
                if p is not None and p != (None, 0):
                    parts.append(s)
        if parts:
            sets[g] = parts[0] if len(parts) == 1 else frozenset().union(*parts)
    return {y: tuple(names[k] for k in sorted(sets[v] or ())) for y, v in circuit.outputs.items()}


def _colouring(groups: dict) -> dict:
    """Greedy colouring of the intersection graph of ``{item: keys}``: {item: colour}."""
    import networkx as nx
    G = nx.Graph()
    G.add_nodes_from(groups)
    by_key: dict = {}
    for item, keys in groups.items():
        for key in keys:
            by_key.setdefault(key, []).append(item)
    for items in by_key.values():
        for i, a in enumerate(items):
            for b in items[i + 1:]:
                G.add_edge(a, b)
    return nx.greedy_color(G, strategy="largest_first")


def sparse_jacobian(circuit: Circuit, mode: Optional[str] = None) -> Circuit:
    """The Jacobian's structurally nonzero entries ``d{y}/d{x}``, one sweep per colour.

    Parameters
    ----------
    circuit : Circuit
    mode : {None, "forward", "reverse"}
        Colour columns (forward sweeps) or rows (reverse sweeps); by default
        whichever needs fewer colours (forward on a tie).

    Returns
    -------
    Circuit
        Outputs ``d{y}/d{x}`` for the pattern of :func:`jacobian_sparsity`,
        output-major; ``meta["colours"]`` is the number of sweeps and
        ``meta["sweep"]`` their direction.  Size O(colours · (s + w)).

    Examples
    --------
    >>> import circuits
    >>> f = circuits.parse({"a": "x * y", "b": "sin(z)", "c": "3 * y"})
    >>> j = circuits.jacobian(f, sparse=True)
    >>> list(j.outputs), j.meta["colours"]
    (['da/dx', 'da/dy', 'db/dz', 'dc/dy'], 2)
    >>> j.evaluate(x=2, y=5, z=0.0)
    {'da/dx': 5, 'da/dy': 2, 'db/dz': 1.0, 'dc/dy': 3}
    """
    from .backward import _sweep as reverse_sweep
    from .forward import _sweep as forward_sweep
    if mode not in (None, "forward", "reverse"):
        raise CircuitError(f"a sparse Jacobian's mode must be 'forward' or 'reverse', not {mode!r}")
    rows = jacobian_sparsity(circuit)
    if not any(rows.values()):
        raise CircuitError("every entry of this Jacobian is structurally zero (no output depends on an input "
                           "through a differentiable wire); use jacobian(circuit) for the dense zeros")
    cols: dict = {x: [] for x in circuit.inputs}
    for y, xs in rows.items():
        for x in xs:
            cols[x].append(y)
    col_colour = _colouring(cols) if mode != "reverse" else None
    row_colour = _colouring(rows) if mode != "forward" else None
    n_col = len(set(col_colour.values())) if col_colour is not None else None
    n_row = len(set(row_colour.values())) if row_colour is not None else None
    if mode is None:
        mode = "forward" if n_col <= n_row else "reverse"
    lin = Linearization(circuit)
    b = lin.builder
    entry = {}
    if mode == "forward":
        colours = n_col
        for c in range(colours):
            seeds = {circuit.inputs[x]: (None, 1) for x, k in col_colour.items() if k == c}
            tangent = forward_sweep(lin, seeds)
            for y, xs in rows.items():
                for x in xs:
                    if col_colour[x] == c:
                        entry[y, x] = materialise(b, tangent.get(circuit.outputs[y]))
    else:
        colours = n_row
        active = active_nodes(circuit, circuit.inputs.values())
        for c in range(colours):
            seeds: dict = {}
            for y, k in row_colour.items():
                if k == c:
                    seeds.setdefault(circuit.outputs[y], []).append((None, 1))
            adjoint = reverse_sweep(lin, seeds, active)
            for y, xs in rows.items():
                if row_colour[y] == c:
                    for x in xs:
                        entry[y, x] = materialise(b, adjoint.get(circuit.inputs[x]))
    outs = [(dname(y, x), entry[y, x]) for y, xs in rows.items() for x in xs]
    result = finish(b, circuit, outs, False)
    result._meta["colours"] = colours
    result._meta["sweep"] = mode
    return result
