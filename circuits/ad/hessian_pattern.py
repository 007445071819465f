"""Which second partials of a circuit can be nonzero: second-order structural propagation.

The Hessian of ``f`` is a sum over the gates ``g = φ(u_0, ..., u_{k-1})`` of

    ∂f/∂g · Σ_{a, b} ∂²φ/∂u_a∂u_b · ∇u_a ∇u_bᵀ

(Griewank and Walther, *Evaluating Derivatives*, 2nd ed., SIAM 2008, ch. 4),
so its entry ``(x, z)`` can be nonzero only if some gate ``g`` that reaches
``f`` through structurally nonzero partials has a second partial
``∂²φ/∂u_a∂u_b`` that can be nonzero, with ``x`` among the inputs ``u_a``
depends on and ``z`` among those of ``u_b``.  Three structural facts decide
it, each read off the registry:

* the first-order dependency sets ``D(v)`` (the inputs ``v`` depends on through
  nonzero partials: the Boolean semiring, :func:`circuits.jacobian_sparsity`);
* which gates reach the output through nonzero partials (the same sweep, reversed);
* each gate's *nonlinear interaction* (:attr:`circuits.Gate.interaction`): a
  linear gate creates none, a product pairs distinct arguments' sets
  (``D(u)×D(v)`` for ``u·v``), a nonlinear unary gate pairs its argument's set
  with itself, ``u/v`` pairs ``D(u)×D(v)`` and ``D(v)×D(v)``.

The result is exact on structural zeros: an entry is left out only when every
term of the sum is structurally zero, and it contains every entry sympy finds
nonzero (values that cancel, ``x·y − y·x``, are kept, as structure cannot see
them).  The sweep is O(s + w) set operations plus the pattern's size.

Examples
--------
>>> import circuits
>>> f = circuits.trace(lambda x, y, z: x * y + circuits.sin(z) + 3 * x)
>>> circuits.hessian_sparsity(f)
{'x': ['y'], 'y': ['x'], 'z': ['z']}
"""

from __future__ import annotations

from typing import Optional

from ..core.circuit import Circuit, check_circuit, select_outputs
from ..core.errors import CircuitError
from ..core.gates import GATES
from .common import set_bits
from .linearize import linearize

__all__ = ["hessian_sparsity", "interaction_pairs", "lower_entries"]


def interaction_pairs(op: str, arity: int, constants=()) -> tuple:
    """The argument positions ``(a, b)``, ``a ≤ b``, whose second partial can be nonzero.

    Read from the gate's :attr:`~circuits.Gate.interaction` declaration;
    ``constants`` are the values of its ``constant_args`` (``pow``'s exponent).

    Examples
    --------
    >>> interaction_pairs("mul", 3), interaction_pairs("sin", 1), interaction_pairs("add", 4)
    (((0, 1), (0, 2), (1, 2)), ((0, 0),), ())
    >>> interaction_pairs("pow", 2, (1,)), interaction_pairs("pow", 2, (3,))
    ((), ((0, 0),))
    """
    gate = GATES[op]
    spec = gate.interaction
    if callable(spec):
        spec = spec(*constants)
    if spec == "none":
        return ()
    if spec == "all":
        return tuple((a, b) for a in range(arity) for b in range(a, arity))
    if spec == "cross":
        return tuple((a, b) for a in range(arity) for b in range(a + 1, arity))
    try:
        pairs = tuple(sorted((min(a, b), max(a, b)) for a, b in spec))
    except (TypeError, ValueError):
        pairs = None
    if pairs is None or any(not (0 <= a < arity and 0 <= b < arity) for a, b in pairs):
        raise CircuitError(f"gate {op!r}: interaction must be 'none', 'cross', 'all' or pairs of argument "
                           f"positions (a, b) below its arity {arity}, not {gate.interaction!r}; "
                           f"fix the declaration given to register_gate")
    return pairs


def _nonzero_arguments(circuit: Circuit) -> list:
    """Per node, its distinct arguments whose total partial is not structurally zero.

    A wire's partial is structurally zero when the registry's rule says so
    (``None``: a ``step``'s, a ``pow`` exponent's); the wires of a linear gate
    from one node add up, so ``2·u − 2·u`` does not depend on ``u`` (as
    :func:`circuits.backward` sees it: it merges them).
    """
    rec = circuit.record
    partials = None
    uses = []
    for g, a in enumerate(rec.args):
        if not a:
            uses.append(())
            continue
        gate = GATES[rec.ops[g]]
        if gate.linear:
            total: dict = {}
            for u, w in zip(a, rec.params[g] or (1,) * len(a)):
                total[u] = total.get(u, 0) + w
            uses.append(tuple(u for u, w in total.items() if w != 0))
            continue
        if partials is None:
            partials = linearize(circuit).partials()
        uses.append(tuple(dict.fromkeys(u for i, u in enumerate(a) if partials.get((u, g, i)) is not None)))
    return uses


def _pattern_rows(circuit: Circuit, y: str) -> list:
    """Per input position, the bitset of input positions of its structurally nonzero row."""
    rec = circuit.record
    ops, argss = rec.ops, rec.args
    n = len(rec.inputs)
    nodes = len(ops)
    depends = [0] * nodes  # D(v) as a bitset over input positions
    for k, v in enumerate(rec.inputs.values()):
        depends[v] = 1 << k
    uses = _nonzero_arguments(circuit)
    for g in range(nodes):  # in node order: D(u) is final when g is reached
        for u in uses[g]:
            depends[g] |= depends[u]
    reaches = bytearray(nodes)  # g reaches y through nonzero partials: ∂y/∂g is not structurally 0
    reaches[rec.outputs[y]] = 1
    for g in range(nodes - 1, -1, -1):
        if reaches[g]:
            for u in uses[g]:
                reaches[u] = 1
    rows = [0] * n
    seen: set = set()

    def pair(A, B):  # every (i, j) with i in A and j in B, both ways: the Hessian is symmetric
        if (A, B) in seen or not A or not B:
            return
        seen.add((A, B))
        seen.add((B, A))
        for i in set_bits(A):
            rows[i] |= B
        for j in set_bits(B):
            rows[j] |= A

    for g in range(nodes):
        a = argss[g]
        if not a or not reaches[g]:
            continue
        op = ops[g]
        gate = GATES[op]
        if gate.interaction == "none":
            continue
        if gate.interaction == "cross" and len(a) > 8:  # wide products: prefix and suffix unions, O(k)
            sets = [depends[u] for u in a]
            prefix, suffix = [0] * (len(a) + 1), [0] * (len(a) + 1)
            for k, s in enumerate(sets):
                prefix[k + 1] = prefix[k] | s
            for k in range(len(a) - 1, -1, -1):
                suffix[k] = suffix[k + 1] | sets[k]
            for k, s in enumerate(sets):
                pair(s, prefix[k] | suffix[k + 1])
            continue
        constants = tuple(rec.constants[a[k]] for k in gate.constant_args)
        for i, j in interaction_pairs(op, len(a), constants):
            pair(depends[a[i]], depends[a[j]])
    return rows


def hessian_sparsity(circuit: Circuit, *, output: Optional[str] = None) -> dict:
    """The structurally nonzero entries of the Hessian of one output.

    Parameters
    ----------
    circuit : Circuit
    output : str, optional
        The scalar output ``f`` (needed when there are several).

    Returns
    -------
    dict
        Input name → the input names ``z`` for which ``∂²f/∂x∂z`` can be
        nonzero, in input order; symmetric (``z`` in row ``x`` exactly when
        ``x`` is in row ``z``).  Every input is a key.

    Examples
    --------
    The arrowhead of ``x_0 · (x_1 + ... + x_n) + Σ x_i²``: a dense first row
    and column and the diagonal.

    >>> import circuits
    >>> f = circuits.trace(lambda a, b, c: a * (b + c) + b * b + c * c)
    >>> circuits.hessian_sparsity(f)
    {'a': ['b', 'c'], 'b': ['a', 'b'], 'c': ['a', 'c']}

    A piecewise linear gate adds no curvature of its own; a product of an
    input with itself does:

    >>> circuits.hessian_sparsity(circuits.trace(lambda x, y: circuits.relu(x + y) + x * x))
    {'x': ['x'], 'y': []}
    """
    check_circuit(circuit, "hessian_sparsity()")
    y = select_outputs(circuit, output, one=True, what="hessian_sparsity")[0]
    names = list(circuit.inputs)
    rows = _pattern_rows(circuit, y)
    return {x: [names[j] for j in set_bits(rows[i])] for i, x in enumerate(names)}


def lower_entries(pattern: dict) -> list:
    """The entries ``(x, z)`` of the lower triangle (``z`` not after ``x``), row by row.

    Examples
    --------
    >>> lower_entries({'a': ['b', 'c'], 'b': ['a', 'b'], 'c': ['a', 'c']})
    [('b', 'a'), ('b', 'b'), ('c', 'a'), ('c', 'c')]
    """
    position = {x: k for k, x in enumerate(pattern)}
    return [(x, z) for x, row in pattern.items() for z in row if position[z] <= position[x]]
