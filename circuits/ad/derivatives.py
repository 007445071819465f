"""Jacobians, Hessians and higher derivatives by composing the two sweeps.

Every transform returns an ordinary circuit, so they compose: ``hvp`` is
forward over reverse (seed ``001_98bb05108a2025f7.txt``, Def. 12.11 and
Pearlmutter's trick), ``hessian`` is forward propagation of the gradient
circuit, and ``derivative(c, order=k)`` repeats backpropagation k times, which
costs O(n^(k−1)·m) times the circuit as seed ``002_3c7c11eee237a228.txt`` says.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import product as _cartesian
from typing import Optional

import numpy as np

from ..core.circuit import Circuit, check_circuit, select_outputs
from ..core.errors import CircuitError, listing
from .common import dname
from .backward import backward
from .colouring import sparse_jacobian
from .elimination import ORDERS, cheapest_order, eliminate
from .forward import forward, jvp
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
        ``"reverse"``: backpropagation, one sweep per output (seed 001's
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
    if sparse:
        result = sparse_jacobian(circuit)
    elif mode == "forward":
        result = forward(circuit, sparse=True)
    elif mode == "reverse":
        result = backward(circuit)
    else:
        if not isinstance(circuit, Circuit):
            raise CircuitError(f"jacobian expects a Circuit, got {type(circuit).__name__}")
        if mode == "auto":
            mode = cheapest_order(circuit)
        result = eliminate(circuit, mode).jacobian
    if simplify:
        result = _simplify(result)
    ys, xs = list(circuit.outputs), list(circuit.inputs)
    return _with_matrix(result, ys, xs, {dname(y, x): (i, j) for i, y in enumerate(ys) for j, x in enumerate(xs)})


def _with_matrix(result: Circuit, rows: list, cols: list, entries: dict) -> Circuit:
    """``result`` with ``meta["matrix"]``: the row and column names and the ``(i, j)`` of each output."""
    entries = {name: entries[name] for name in result.outputs if name in entries}
    meta = dict(result.meta)
    meta["matrix"] = {"rows": tuple(rows), "cols": tuple(cols), "entries": entries}
    return Circuit(*result.record[:7], meta)


def matrix(circuit: Circuit, point=None, /, **values) -> np.ndarray:
    """The Jacobian or Hessian circuit's value at a point as a numpy array: ``(m, n)`` or ``(n, n)``.

    Attached as ``Circuit.matrix``: ``circuits.jacobian(c).matrix(point)``
    and ``circuits.hessian(c).matrix(point)``.  Entries that are not outputs
    (a sparse Jacobian leaves out the structural zeros) are 0.

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
    names = list(circuit.inputs)
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
    out = circuit.evaluate(given)
    shape = (len(spec["rows"]), len(spec["cols"]))
    result = np.zeros(shape if batch is None else (batch,) + shape)
    for name, (i, j) in spec["entries"].items():
        result[..., i, j] = np.asarray(out[name], dtype=float)
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


def hessian(circuit: Circuit, output: Optional[str] = None, *, simplify: bool = False) -> Circuit:
    """All second partials ``d2f/dxdy`` of a scalar output, row-major (x the row).

    Forward propagation (sparse) of the backpropagated gradient circuit.
    Outputs are named ``d2{f}/d{x}d{y}``; where two such names would coincide
    (inputs ``x, ydz`` and ``xdy, z`` both spell ``d2f/dxdydz``) every name
    parenthesises the inputs instead, ``d2f/d(x)d(ydz)``, and if names still
    coincide a CircuitError asks to rename the inputs: no partial is dropped.

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
    h = forward(backward(circuit, output=y), sparse=True, simplify=simplify)
    xs = list(circuit.inputs)
    names = _partial_names(y, xs, 2)
    h = _renamed(h, dict(zip(h.outputs, names)))
    return _with_matrix(h, xs, xs, {name: divmod(k, len(xs)) for k, name in enumerate(names)})


def derivative(circuit: Circuit, order: int = 1, *, simplify: bool = False) -> Circuit:
    """All partial derivatives of order ``k`` of every output, by k backward passes.

    Outputs are named ``d{k}{f}/d{x1}d{x2}...`` (``df/dx`` for k = 1), for
    every output and every k-tuple of inputs in lexicographic (row-major)
    order.  Each pass is a Jacobian by rows, so the size grows as
    O(n^(k−1)·m) times the circuit (seed ``002_3c7c11eee237a228.txt``).

    Examples
    --------
    >>> import circuits
    >>> f = circuits.trace(lambda x: x**4)
    >>> circuits.derivative(f, order=3).evaluate(x=2)
    {'d3f/dxdxdx': 48}
    """
    check_circuit(circuit, "derivative()")
    if isinstance(order, bool) or not isinstance(order, int) or order < 0:
        raise CircuitError(f"order must be a non-negative integer, not {order!r}")
    result = circuit
    for _ in range(order):
        result = backward(result, simplify=simplify)
    if order <= 1:
        return result
    xs = list(circuit.inputs)
    names = [name for f in circuit.outputs for name in _partial_names(f, xs, order)]
    return _renamed(result, dict(zip(result.outputs, names)))


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
        twice = next(n for n in (names.get(k, k) for k in circuit.outputs) if n in seen or seen.add(n))
        raise CircuitError(f"two outputs would both be named {twice!r}; rename the circuit's inputs or outputs")
    return circuit.replace(outputs=outputs)
