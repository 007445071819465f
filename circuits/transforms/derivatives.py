"""Jacobians, Hessians and higher derivatives by composing the two sweeps.

Every transform returns an ordinary circuit, so they compose: ``hvp`` is
forward over reverse (seed ``001_98bb05108a2025f7.txt``, Def. 12.11 and
Pearlmutter's trick), ``hessian`` is forward propagation of the gradient
circuit, and ``derivative(c, order=k)`` repeats backpropagation k times, which
costs O(n^(k−1)·m) times the circuit as seed ``002_3c7c11eee237a228.txt`` says.
"""

from __future__ import annotations

from itertools import product as _cartesian
from typing import Optional

from ..circuit import Circuit
from ..errors import CircuitError
from .backward import backward
from .common import resolve_outputs
from .forward import forward, jvp

__all__ = ["jacobian", "hvp", "hessian", "derivative"]


def jacobian(circuit: Circuit, mode: str = "auto", *, simplify: bool = False, sparse: bool = False) -> Circuit:
    """The Jacobian ``d{y}/d{x}`` of every output by every input, output-major.

    Parameters
    ----------
    mode : {"auto", "forward", "reverse"}
        ``"auto"`` picks the sweep whose count is ``min(d, m)`` (seed 001's
        bound ``T(g, ∇g) ≤ Cγ(m∧d)·T(g)``): forward propagation (one sweep
        per input) when there are fewer inputs ``d`` than outputs ``m``,
        backpropagation (one sweep per output) otherwise.
    sparse : bool
        Only the structurally nonzero entries, by colouring
        (:func:`circuits.transforms.sparsity.sparse_jacobian`): one sweep per
        colour of the columns (or rows, when fewer), not per input or output;
        ``meta["colours"]`` reports how many.  ``mode`` "forward"/"reverse"
        picks columns/rows.

    Examples
    --------
    >>> import circuits
    >>> c = circuits.trace(lambda x: (circuits.sin(x), x * x, 3 * x))
    >>> j = circuits.jacobian(c)          # 1 input, 3 outputs: forward
    >>> list(j.outputs)
    ['df0/dx', 'df1/dx', 'df2/dx']
    >>> j.evaluate(x=0.0)
    {'df0/dx': 1.0, 'df1/dx': 0.0, 'df2/dx': 3}
    """
    if mode not in ("auto", "forward", "reverse"):
        raise CircuitError(f"mode must be 'auto', 'forward' or 'reverse', not {mode!r}")
    if sparse:
        from .sparsity import sparse_jacobian
        j = sparse_jacobian(circuit, None if mode == "auto" else mode)
        if simplify:
            from .simplify import simplify as simplified
            colours, sweep = j.meta["colours"], j.meta["sweep"]
            j = simplified(j)
            j._meta.update(colours=colours, sweep=sweep)
        return j
    if mode == "auto":
        mode = "forward" if len(circuit.inputs) < len(circuit.outputs) else "reverse"
    if mode == "forward":
        return forward(circuit, sparse=True, simplify=simplify)
    return backward(circuit, simplify=simplify)


def _scalar_output(circuit: Circuit, output: Optional[str]) -> str:
    if output is None:
        if len(circuit.outputs) != 1:
            raise CircuitError(f"the circuit has {len(circuit.outputs)} outputs {list(circuit.outputs)}; "
                               "choose one with output=...")
        return next(iter(circuit.outputs))
    return resolve_outputs(circuit, output)[0]


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
    y = _scalar_output(circuit, output)
    grad = backward(circuit, y)
    out = jvp(grad, vector)
    names = {f"{g}_dot": f"Hv[{x}]" for g, x in zip(grad.outputs, circuit.inputs)}
    return _renamed(out, names)


def hessian(circuit: Circuit, output: Optional[str] = None, *, simplify: bool = False) -> Circuit:
    """All second partials ``d2f/dxdy`` of a scalar output, row-major (x the row).

    Forward propagation (sparse) of the backpropagated gradient circuit.

    Examples
    --------
    >>> import circuits
    >>> f = circuits.trace(lambda x, y: x**3 * y)
    >>> h = circuits.hessian(f)
    >>> list(h.outputs)
    ['d2f/dxdx', 'd2f/dxdy', 'd2f/dydx', 'd2f/dydy']
    >>> h.evaluate(x=1, y=2)
    {'d2f/dxdx': 12, 'd2f/dxdy': 3, 'd2f/dydx': 3, 'd2f/dydy': 0}
    """
    y = _scalar_output(circuit, output)
    h = forward(backward(circuit, y), sparse=True, simplify=simplify)
    xs = list(circuit.inputs)
    names = [f"d2{y}/d{a}d{b}" for a in xs for b in xs]
    return _renamed(h, dict(zip(h.outputs, names)))


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
    if not isinstance(order, int) or order < 0:
        raise CircuitError(f"order must be a non-negative integer, not {order!r}")
    result = circuit
    for _ in range(order):
        result = backward(result, simplify=simplify)
    if order <= 1:
        return result
    xs = list(circuit.inputs)
    names = [f"d{order}{f}/" + "".join(f"d{x}" for x in combo)
             for f in circuit.outputs for combo in _cartesian(xs, repeat=order)]
    return _renamed(result, dict(zip(result.outputs, names)))


def _renamed(circuit: Circuit, names: dict) -> Circuit:
    outputs = {names.get(k, k): v for k, v in circuit.outputs.items()}
    return Circuit(circuit._ops, circuit._args, circuit._weights, circuit._values,
                   circuit._names, circuit._inputs, outputs, circuit._meta)
