"""Node-level helpers shared by the library's families (private).

They work on node ids of a :class:`circuits.Builder` so that big families
(10^6 wires) cost one ``b.gate`` call per gate and nothing more.
"""

from __future__ import annotations

import numbers

import numpy as np
from typing import Sequence

from ..core.checks import check_sequence, shown
from ..core.circuit import check_number
from ..core.errors import CircuitError
from ..core.gates import GATES
from .naming import MAX_SIZE, matrix_names, vector_names


def check_int(value, name: str, minimum: int = 1, maximum: int = MAX_SIZE) -> int:
    """``value`` as an int from ``minimum`` to ``maximum``, or a CircuitError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise CircuitError(f"{name} must be an integer >= {minimum}, got {shown(value)}")
    if value > maximum:  # type: ignore[operator]  # numbers.Integral orders, typeshed does not say so
        raise CircuitError(f"{name} must be at most {maximum:,}, got {shown(value)}: the circuit would not fit "
                           "in memory")
    return int(value)


def check_seed(seed, name: str) -> int:
    """A random seed: a non-negative integer."""
    return check_int(seed, name, minimum=0, maximum=2 ** 64)


def check_ints(values, name: str, minimum: int = 1) -> list:
    """A sequence of sizes (widths, dimensions), each checked by :func:`check_int`."""
    return [check_int(v, f"{name}: every entry", minimum) for v in check_sequence(values, name)]


def numbers_of(values, where: str) -> list:
    """Plain Python numbers (int, float, Fraction) of a flat sequence or 1-D array."""
    if isinstance(values, np.ndarray) and values.dtype.kind in "iuf":
        return values.tolist()  # already plain ints or floats: no per-entry check
    return [check_number(v, where) for v in values]


def weighted_sum(b, nodes: Sequence[int], weights: Sequence, constant=0) -> int:
    """``constant + Σ w·u`` as one weighted ``add`` (zero weights dropped; the node
    itself for a single unit weight and no constant).  Assumes distinct nodes."""
    pairs = [(u, w) for u, w in zip(nodes, weights) if w != 0]
    if constant != 0:
        pairs.append((b.const_node(constant), 1))
    if not pairs:
        return b.const_node(0)
    if len(pairs) == 1 and pairs[0][1] == 1:
        return pairs[0][0]
    us, ws = zip(*pairs)
    return b.gate("add", *us, weights=ws)


def input_vector(b, prefix: str, n: int) -> list:
    return [b.input_node(name) for name in vector_names(prefix, n)]


def input_matrix(b, prefix: str, m: int, n: int) -> list:
    names = matrix_names(prefix, m, n)
    nodes = [b.input_node(name) for name in names]
    return [nodes[i * n:(i + 1) * n] for i in range(m)]


def total(b, nodes: Sequence[int], weight=1) -> int:
    """``weight · Σ nodes``: one ``add`` gate, or the node itself when alone."""
    if len(nodes) == 1 and weight == 1:
        return nodes[0]
    if weight == 1:
        return b.gate("add", *nodes)
    return b.gate("add", *nodes, weights=(weight,) * len(nodes))


def dot(b, us: Sequence[int], vs: Sequence[int]) -> int:
    """``Σ u_k·v_k`` of two node lists: one ``mul`` per term and one ``add``."""
    gate = b.gate
    return total(b, [gate("mul", u, v) for u, v in zip(us, vs)])


def matmul(b, P: list, Q: list) -> list:
    """Product of two matrices of nodes (lists of rows)."""
    columns = list(zip(*Q))
    return [[dot(b, row, col) for col in columns] for row in P]


def out(b, name: str, node: int) -> None:
    """Declare output ``name`` as node ``node`` (``b.output`` reads a bare int as a number)."""
    b.output_node(name, node)


def output_matrix(b, prefix: str, M: list) -> None:
    n = len(M[0])
    for name, node in zip(matrix_names(prefix, len(M), n), (u for row in M for u in row)):
        out(b, name, node)


def output_vector(b, prefix: str, nodes: Sequence[int]) -> None:
    for name, node in zip(vector_names(prefix, len(nodes)), nodes):
        out(b, name, node)


def unary(op: str, what: str) -> str:
    """Validate the name of a one-argument gate (an activation)."""
    gate = GATES.get(op) if isinstance(op, str) else None
    if gate is None or gate.arity != 1:
        choices = sorted(k for k, g in GATES.items() if g.arity == 1)
        raise CircuitError(f"{what} {op!r} is not a one-argument gate; choose one of {choices}")
    return op
