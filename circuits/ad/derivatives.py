"""Jacobians, Hessians and higher derivatives by composing the two sweeps.

Every transform returns an ordinary circuit, so they compose: ``hvp`` is
forward over reverse (Møller 1993 and
Pearlmutter's trick, 1994), ``hessian`` is forward propagation of the gradient
circuit, and ``derivative(c, order=k)`` repeats backpropagation k times, which
costs O(n^(k−1)·m) times the circuit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from itertools import product as _cartesian
from typing import Optional

import numpy as np

from ..core.checks import check_count
from ..core.circuit import Circuit, check_circuit, select_outputs
from ..core.errors import CircuitError, listing
from .common import dname
from .backward import backward
from .colouring import sparse_jacobian
from .elimination import ORDERS, cheapest_order, eliminate
from .forward import forward, jvp
from .symmetric_colouring import coloured_hessian
from .semirings import jacobian_sparsity
from .simplify import simplify as _simplify

__all__ = ["jacobian", "hvp", "hessian", "derivative", "matrix"]


_ELIMINATION_MODES = tuple(o for o in ORDERS if o not in ("forward", "reverse"))


def jacobian(circuit: Circuit, mode: str = "auto", *, sparse: bool = False,
             simplify: bool = False) -> Circuit:
    """The Jacobian ``d{y}/d{x}`` of every output by every input, output-major.

    Parameters
    ----------
    mode : str
        ``"forward"``: forward propagation, one sweep per input;
        ``"reverse"``: backpropagation, one sweep per output (the vector bound
        ``T(g, ∇g) ≤ Cγ(m∧d)·T(g)`` for the smaller of the two).
        ``"markowitz"``, ``"relative_markowitz"``, ``"min_fill"``,
        ``"optimal"``: vertex elimination in that order
        (:func:`circuits.eliminate`).  ``"auto"`` (default) counts the
        elimination orders without building them and builds the cheapest
        (fewest multiplications, then additions; :func:`cheapest_order`),
        which is never costlier than forward or reverse elimination.
    sparse : bool
        Compress by colouring instead (``mode`` is then ignored): one JVP
        per colour of the columns, or one VJP per colour of the rows when
        fewer (:func:`circuits.jacobian_colouring`), so the size is
        O(colours · (s + w)); only the entries that can be nonzero are
        outputs (:func:`circuits.jacobian_sparsity` lists them).
    simplify : bool
        Run :func:`circuits.simplify` on the result.

    Examples
    --------
    >>> import circuits
    >>> c = circuits.trace(lambda x: (circuits.sin(x), x * x, 3 * x))
    >>> j = circuits.jacobian(c)
    >>> list(j.outputs)
    ['df0/dx', 'df1/dx', 'df2/dx']
    >>> j.evaluate(x=0.0)
    {'df0/dx': 1.0, 'df1/dx': 0.0, 'df2/dx': 3}
    >>> circuits.jacobian(c, mode="reverse").evaluate(x=0.0) == j.evaluate(x=0.0)
    True

    At a point, the Jacobian is an ``(m, n)`` array (:func:`matrix`); a batch
    of points adds a leading axis:

    >>> j.matrix(x=0.0).tolist()
    [[1.0], [0.0], [3.0]]
    >>> j.matrix([[0.0], [1.0]]).shape
    (2, 3, 1)
    """
    check_circuit(circuit, "jacobian()")
    if mode not in ("auto", "forward", "reverse") + _ELIMINATION_MODES:
        raise CircuitError(f"mode must be 'auto', 'forward', 'reverse' or an elimination order "
                           f"{list(_ELIMINATION_MODES)}, not {mode!r}")
    result = _jacobian_circuit(circuit, mode, sparse)
    if simplify:
        result = _simplify(result)
    return _jacobian_matrix(circuit, result, sparse)


def _jacobian_circuit(circuit: Circuit, mode: str, sparse: bool) -> Circuit:
    """The Jacobian circuit of :func:`jacobian` in ``mode`` (checked), or by colouring when ``sparse``."""
    if sparse:
        return sparse_jacobian(circuit)
    if mode == "forward":
        return forward(circuit, sparse=True)
    if mode == "reverse":
        return backward(circuit)
    if not isinstance(circuit, Circuit):
        raise CircuitError(f"jacobian expects a Circuit, got {type(circuit).__name__}")
    if mode == "auto":
        mode = cheapest_order(circuit)
    return eliminate(circuit, mode).jacobian


def _jacobian_matrix(circuit: Circuit, result: Circuit, sparse: bool) -> Circuit:
    """``result`` with the ``(i, j)`` of each ``d{y}/d{x}`` of ``circuit`` in ``meta["matrix"]``."""
    ys, xs = list(circuit.outputs), list(circuit.inputs)
    row, col = {y: i for i, y in enumerate(ys)}, {x: j for j, x in enumerate(xs)}
    # a sparse Jacobian names only its structural nonzeros: O(nnz) names, not m·n
    pairs = (((y, x) for y, row_xs in jacobian_sparsity(circuit).items() for x in row_xs) if sparse
             else ((y, x) for y in ys for x in xs))
    return _with_matrix(result, ys, xs, {dname(y, x): (row[y], col[x]) for y, x in pairs})


def _with_matrix(result: Circuit, rows: list, cols: list, entries: dict, symmetric: bool = False) -> Circuit:
    """``result`` with ``meta["matrix"]``: the row and column names and the ``(i, j)`` of each output.

    ``symmetric``: each output is also entry ``(j, i)`` (a sparse Hessian's lower triangle).
    """
    entries = {name: entries[name] for name in result.outputs if name in entries}
    meta = dict(result.meta)
    meta["matrix"] = {"rows": tuple(rows), "cols": tuple(cols), "entries": entries, "symmetric": symmetric}
    return Circuit(*result.record[:7], meta)


def _matrix_point(names: list, point, values: dict) -> tuple:
    """(values by input name, batch length or None) of :func:`matrix`'s ``point`` and keywords."""
    if point is None:
        given = {}
    elif isinstance(point, Mapping):
        given = dict(point)
    else:
        array = np.asarray(point, dtype=float)
        if array.ndim not in (1, 2) or array.shape[-1] != len(names):
            raise CircuitError(f"matrix(): a point in input order has {len(names)} values "
                               f"({listing(names)}), one per column for a batch; got shape {array.shape}")
        given = dict(zip(names, array.T))
    given.update(values)
    batch = None
    for x, v in given.items():
        if isinstance(v, (list, tuple, np.ndarray)):
            v = given[x] = np.asarray(v, dtype=float)
            if v.ndim != 1 or (batch is not None and len(v) != batch):
                raise CircuitError(f"matrix(): a batch gives every input a 1-D array of the same length; "
                                   f"{x!r} has shape {v.shape}")
            batch = len(v)
    if batch is not None:  # every input a column of the batch
        given = {x: np.broadcast_to(np.asarray(v, dtype=float), (batch,)) for x, v in given.items()}
    return given, batch


def matrix(circuit: Circuit, point=None, /, **values) -> np.ndarray:
    """The Jacobian or Hessian circuit's value at a point as a numpy array: ``(m, n)`` or ``(n, n)``.

    Attached as ``Circuit.matrix``: ``circuits.jacobian(c).matrix(point)``
    and ``circuits.hessian(c).matrix(point)``.  Entries that are not outputs
    (a sparse Jacobian leaves out the structural zeros) are 0; a sparse
    Hessian's lower triangle fills the upper one too.

    Parameters
    ----------
    circuit : Circuit
        A result of :func:`jacobian` or :func:`hessian` (they record which
        output is which entry).
    point : mapping, sequence or array, optional
        Input values by name, or in input order; a 2-D array (one point per
        row) or a mapping of 1-D arrays is a batch, which adds a leading
        axis to the result.  Keywords give values by name too.

    Returns
    -------
    numpy.ndarray
        Float entries, shape ``(m, n)`` (rows: outputs, columns: inputs), or
        ``(points, m, n)`` for a batch.

    Examples
    --------
    >>> import circuits
    >>> f = circuits.trace(lambda x, y: x**3 * y)
    >>> circuits.hessian(f).matrix(x=1, y=2)
    array([[12.,  3.],
           [ 3.,  0.]])
    >>> circuits.jacobian(f).matrix({"x": [1.0, 2.0], "y": [2.0, 1.0]})
    array([[[ 6.,  1.]],
    <BLANKLINE>
           [[12.,  8.]]])
    """
    spec = circuit.meta.get("matrix") if isinstance(circuit, Circuit) else None
    if spec is None:
        raise CircuitError("matrix() reads which output is which entry from circuits.jacobian(...) or "
                           "circuits.hessian(...); this circuit does not say (use evaluate() for its outputs by name)")
    given, batch = _matrix_point(list(circuit.inputs), point, values)
    out = circuit.evaluate(given)
    shape = (len(spec["rows"]), len(spec["cols"]))
    result = np.zeros(shape if batch is None else (batch,) + shape)
    for name, (i, j) in spec["entries"].items():
        result[..., i, j] = np.asarray(out[name], dtype=float)
        if spec.get("symmetric"):
            result[..., j, i] = result[..., i, j]
    return result


Circuit.matrix = matrix


def _scalar_output(circuit: Circuit, output: Optional[str]) -> str:
    return select_outputs(circuit, output, one=True)[0]


def hvp(circuit: Circuit, output: Optional[str] = None, vector=None) -> Circuit:
    """Hessian-vector product ``∇²f · v`` by forward over reverse, of size O(s + w).

    Parameters
    ----------
    output : str, optional
        The scalar output ``f`` (needed when there are several).
    vector : None, mapping or sequence
        The direction ``v``: by default new inputs ``x_dot`` per input ``x``;
        otherwise as the ``tangents`` of :func:`circuits.jvp`.

    Returns
    -------
    Circuit
        Outputs ``Hv[x]`` = ``Σ_z ∂²f/∂x∂z · v_z`` for every input ``x``.

    Examples
    --------
    >>> import circuits
    >>> f = circuits.trace(lambda x, y: x * x * y)
    >>> h = circuits.hvp(f)
    >>> list(h.inputs), list(h.outputs)
    (['x', 'y', 'x_dot', 'y_dot'], ['Hv[x]', 'Hv[y]'])
    >>> h.evaluate(x=1, y=2, x_dot=1, y_dot=0)   # first column of [[2y, 2x], [2x, 0]]
    {'Hv[x]': 4, 'Hv[y]': 2}
    """
    check_circuit(circuit, "hvp()")
    y = _scalar_output(circuit, output)
    grad = backward(circuit, output=y)
    out = jvp(grad, vector)
    names = {f"{g}_dot": f"Hv[{x}]" for g, x in zip(grad.outputs, circuit.inputs)}
    return _renamed(out, names)


def hessian(circuit: Circuit, output: Optional[str] = None, *, simplify: bool = False,
            sparse: bool = False, method: str = "star") -> Circuit:
    """All second partials ``d2f/dxdy`` of a scalar output, row-major (x the row).

    Forward propagation (sparse) of the backpropagated gradient circuit.
    Outputs are named ``d2{f}/d{x}d{y}``; where two such names would coincide
    (inputs ``x, ydz`` and ``xdy, z`` both spell ``d2f/dxdydz``) every name
    parenthesises the inputs instead, ``d2f/d(x)d(ydz)``, and if names still
    coincide a CircuitError asks to rename the inputs: no partial is dropped.

    With ``sparse=True`` the outputs are only the structurally nonzero
    entries of the lower triangle (:func:`circuits.hessian_sparsity`; ``x``
    the row, ``y`` not after ``x``), from one Hessian-vector product per
    colour of :func:`circuits.hessian_colouring` (``method`` ``"star"``: read
    directly; ``"acyclic"``: fewer colours, recovered by substitution), so
    the size is O(colours · (s + w)) instead of O(n · (s + w)).

    Examples
    --------
    >>> import circuits
    >>> f = circuits.trace(lambda x, y: x**3 * y)
    >>> h = circuits.hessian(f)
    >>> list(h.outputs)
    ['d2f/dxdx', 'd2f/dxdy', 'd2f/dydx', 'd2f/dydy']
    >>> h.evaluate(x=1, y=2)
    {'d2f/dxdx': 12, 'd2f/dxdy': 3, 'd2f/dydx': 3, 'd2f/dydy': 0}
    >>> h.matrix(x=1, y=2)   # the (n, n) array; a batch of points adds a leading axis
    array([[12.,  3.],
           [ 3.,  0.]])
    """
    check_circuit(circuit, "hessian()")
    y = _scalar_output(circuit, output)
    xs = list(circuit.inputs)
    if sparse:
        h, entries = coloured_hessian(circuit, y, method, None)
        h = _simplify(h) if simplify else h
        return _with_matrix(h, xs, xs, entries, symmetric=True)
    h = forward(backward(circuit, output=y), sparse=True, simplify=simplify)
    names = _partial_names(y, xs, 2)
    h = _renamed(h, dict(zip(h.outputs, names)))
    return _with_matrix(h, xs, xs, {name: divmod(k, len(xs)) for k, name in enumerate(names)})


def derivative(circuit: Circuit, order: int = 1, *, simplify: bool = False) -> Circuit:
    """All partial derivatives of order ``k`` of every output, by k backward passes.

    Outputs are named ``d{k}{f}/d{x1}d{x2}...`` (``df/dx`` for k = 1), for
    every output and every k-tuple of inputs in lexicographic (row-major)
    order.  Each pass is a Jacobian by rows, so the size grows as
    O(n^(k−1)·m) times the circuit.

    The size is estimated before each pass and a circuit beyond
    :data:`MAX_DERIVATIVE_WIRES` wires is refused before it is built: the
    ``m·n^k`` partials are counted first, and after each pass the wires of
    the result are extrapolated by the growth of the last pass (each pass
    multiplies them by a nearly constant factor, about 2.9 for one input and
    one output), ``wires_j · (wires_j / wires_{j−1})^(k−j)``.  More than
    :data:`MAX_ORDER` passes are refused whatever the size.

    Examples
    --------
    >>> import circuits
    >>> f = circuits.trace(lambda x: x**4)
    >>> circuits.derivative(f, order=3).evaluate(x=2)
    {'d3f/dxdxdx': 48}
    >>> circuits.derivative(circuits.parse("sin(x)*exp(x)/(1+x*x)"), order=14)
    Traceback (most recent call last):
    ...
    circuits.CircuitError: derivative: order 14 would make a circuit of about 4.8e+07 wires ...
    """
    check_circuit(circuit, "derivative()")
    order = check_count(order, "derivative: order", minimum=0)
    if order > MAX_ORDER:
        raise CircuitError(f"derivative: order {_count(order)} is more than MAX_ORDER = {MAX_ORDER} backward "
                           "passes; ask for a lower order")
    n, m = len(circuit.inputs), len(circuit.outputs)
    partials = m * n ** order
    if partials > MAX_DERIVATIVE_WIRES:
        raise CircuitError(f"derivative: order {order} has {_count(partials)} partials ({m} output(s) × "
                           f"{n}^{order}), more than MAX_DERIVATIVE_WIRES = {MAX_DERIVATIVE_WIRES:,}; "
                           "ask for a lower order, or directional derivatives (hvp, jvp) instead")
    result = circuit
    for done in range(order):
        before = result.wires
        result = backward(result, simplify=simplify)
        _check_growth(order, done + 1, before, result.wires)
    if order <= 1:
        return result
    xs = list(circuit.inputs)
    names = [name for f in circuit.outputs for name in _partial_names(f, xs, order)]
    return _renamed(result, dict(zip(result.outputs, names)))


#: Largest circuit (in wires) that :func:`derivative` builds; about 1.5 GB of memory at 150 bytes a wire.
MAX_DERIVATIVE_WIRES = 10_000_000
#: Most backward passes :func:`derivative` makes.
MAX_ORDER = 100


def _count(k: int) -> str:
    return f"{k:,}" if k < 10 ** 15 else f"about 10^{len(str(k)) - 1}"


def _check_growth(order: int, done: int, before: int, after: int) -> None:
    """Refuse the remaining passes when the extrapolated size passes MAX_DERIVATIVE_WIRES."""
    remaining = order - done
    if not remaining or after <= 0:
        return
    growth = max(after / max(before, 1), 1.0)
    estimate = math.log(after) + remaining * math.log(growth)
    if estimate > math.log(MAX_DERIVATIVE_WIRES):
        shown = f"{math.exp(estimate):.2g}" if estimate < 700 else f"10^{estimate / math.log(10):.0f}"
        raise CircuitError(
            f"derivative: order {order} would make a circuit of about {shown} wires (pass {done} multiplied "
            f"them by {growth:.2g}, {remaining} passes remain), more than MAX_DERIVATIVE_WIRES = "
            f"{MAX_DERIVATIVE_WIRES:,}; ask for a lower order, evaluate directional derivatives (hvp, "
            "jvp) instead, or raise circuits.ad.derivatives.MAX_DERIVATIVE_WIRES")


def _partial_names(f: str, xs: list, order: int) -> list:
    """``d{k}{f}/d{x1}d{x2}...`` for every k-tuple of inputs, made unique (see :func:`hessian`)."""
    for wrap in ("{}", "({})"):
        names = [f"d{order}{f}/" + "".join("d" + wrap.format(x) for x in combo)
                 for combo in _cartesian(xs, repeat=order)]
        if len(set(names)) == len(names):
            return names
    raise CircuitError(f"the names of the order-{order} partials of {f!r} would coincide for the inputs "
                       f"{xs[:6]}; rename the inputs so that none contains 'd', '(' or ')'")


def _renamed(circuit: Circuit, names: dict) -> Circuit:
    outputs = {names.get(k, k): v for k, v in circuit.outputs.items()}
    if len(outputs) != len(circuit.outputs):  # never drop an output silently
        seen: set = set()
        twice = None
        for n in (names.get(k, k) for k in circuit.outputs):
            if n in seen:
                twice = n
                break
            seen.add(n)
        raise CircuitError(f"two outputs would both be named {twice!r}; rename the circuit's inputs or outputs")
    return circuit.replace(outputs=outputs)
