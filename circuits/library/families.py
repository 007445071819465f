"""Scalable families for scaling runs: :data:`FAMILIES` maps a name to ``size -> Circuit``.

``size`` is the natural ``n`` of the family (matrix side, number of inputs,
width, depth); the CLI and the benchmarks sweep it to plot gate counts and
times against ``n``.

Examples
--------
>>> from circuits.library import FAMILIES
>>> sorted(FAMILIES)[:4]
['chain', 'conv1d', 'det', 'det_faddeev']
>>> FAMILIES["sigma2_fast"](10).size
13
"""

from __future__ import annotations

from typing import Callable, Dict

from ..core.circuit import Circuit
from .general import chain, horner, random_circuit
from .linalg import determinant, matrix_chain
from .networks import conv1d, mlp, rnn, sin_dot
from .notes import least_squares, sigma2_fast, sigma2_naive

__all__ = ["FAMILIES"]


def _lsq(n: int) -> Circuit:
    """‖Ax − b‖² for a seeded random integer ``n × n`` matrix (n² wires)."""
    return least_squares(n, n)


def _mlp(n: int) -> Circuit:
    """Square loss of an MLP ``[n, n, 1]`` (sigmoid) on one data point: about 2n² gates."""
    return mlp([n, n, 1])


def _det(n: int) -> Circuit:
    """Determinant of an ``n × n`` matrix by Gaussian elimination: about 2n³/3 gates."""
    return determinant(n, "gauss")


def _det_faddeev(n: int) -> Circuit:
    """Division-free determinant (Faddeev–LeVerrier): O(n⁴) gates."""
    return determinant(n, "faddeev")


def _random(n: int) -> Circuit:
    """A random circuit with ``n`` inputs and ``10n`` gates (seed 0)."""
    return random_circuit(n, 10 * n, seed=0)


def _sin_dot(n: int) -> Circuit:
    """sin(wᵀx)·b with ``d = m = n``: ``n + 2`` gates, an ``n × n`` Jacobian."""
    return sin_dot(n, n)


def _matrix_chain(n: int) -> Circuit:
    """Product of four ``n × n`` matrices, left to right: about 6n³ gates."""
    return matrix_chain([n] * 5, "left")


def _rnn(n: int) -> Circuit:
    """An RNN with hidden size 4 unrolled over ``n`` steps."""
    return rnn(n, 4)


def _conv1d(n: int) -> Circuit:
    """A length-``n`` signal convolved with a kernel of 5 (n ≥ 5)."""
    return conv1d(n, 5)


def _horner(n: int) -> Circuit:
    """A degree-``n`` polynomial with coefficients 1, 2, ..., n + 1."""
    return horner(list(range(1, n + 2)))


#: name → callable(size) → Circuit, for scaling runs.
FAMILIES: Dict[str, Callable[[int], Circuit]] = {
    "lsq": _lsq,
    "mlp": _mlp,
    "det": _det,
    "det_faddeev": _det_faddeev,
    "chain": chain,
    "sigma2_naive": sigma2_naive,
    "sigma2_fast": sigma2_fast,
    "random": _random,
    "sin_dot": _sin_dot,
    "matrix_chain": _matrix_chain,
    "rnn": _rnn,
    "conv1d": _conv1d,
    "horner": _horner,
}
