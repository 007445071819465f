"""The benchmark families: one registry entry per circuit family and its sizes.

Every family builds its circuits with :mod:`circuits.library` (the classic
examples: least squares, σ2, the determinant; the MLP of Rumelhart,
Hinton & Williams 1986).  The peers
(CasADi, JAX, SymPy) get the *same* circuit: :mod:`benchmarks.peers`
translates it gate by gate, so gate, wire and operation counts compare.

Each family lists its default sizes (growing up to about 10^6 wires for the
cheap ones), the sizes of ``--quick`` runs, and per peer the largest size the
peer is run at (the issue's reference points; a peer beyond them is known to
take minutes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from circuits import library

__all__ = ["Family", "FAMILIES", "family_names"]


@dataclass(frozen=True)
class Family:
    """A circuit family of the benchmark.

    Attributes
    ----------
    name : str
        Registry key (``--families`` takes these).
    make : callable
        ``make(size)`` returns the :class:`circuits.Circuit`.
    sizes, quick : tuple
        Default and ``--quick`` sizes, growing.
    label : callable
        ``label(size)`` for tables, e.g. ``"n=300"``.
    peers : dict
        Peer name -> largest size it runs at (absent: every size).
    domain : tuple
        Inputs are drawn uniformly from this interval for evaluation.
    """

    name: str
    make: Callable
    sizes: tuple
    quick: tuple
    label: Callable
    peers: dict = field(default_factory=dict)
    domain: tuple = (-1.0, 1.0)
    description: str = ""


def _mlp(widths):
    return library.mlp(list(widths), activation="sigmoid")


FAMILIES = {
    "lsq": Family(
        "lsq", lambda n: library.least_squares(n, n), (10, 32, 100, 300, 1024), (4, 10),
        lambda n: f"n={n}", {"jax": 90_000, "sympy": 200},
        description="‖Ax − b‖², A n×n constant (wire weights), x inputs; squares as square gates"),
    "mlp": Family(
        "mlp", _mlp,
        ((8, 16, 16, 1), (16, 32, 32, 1), (64, 128, 128, 1), (128, 256, 256, 1)),
        ((2, 4, 4, 1), (8, 16, 16, 1)),
        lambda w: "-".join(map(str, w)), {"jax": 80_000, "sympy": 2_500},
        description="MLP square loss, sigmoid hidden layers, weights, biases, x and y as inputs"),
    "det": Family(
        "det", lambda n: library.determinant(n, "gauss"), (4, 8, 16, 24, 40, 64), (3, 4),
        lambda n: f"{n}×{n}", {"jax": 20_000, "sympy": 400}, domain=(0.5, 1.5),
        description="determinant by Gaussian elimination without pivoting, n² inputs"),
    "chain": Family(
        "chain", lambda d: library.chain(d, "sin"), (1000, 10_000, 100_000, 300_000), (100, 1000),
        lambda d: f"depth={d}", {"jax": 100_000, "sympy": 100},
        description="sin(sin(...sin(x)...)), depth d"),
    "sigma2_naive": Family(
        "sigma2_naive", library.sigma2_naive, (16, 50, 160, 500, 820), (4, 16),
        lambda n: f"n={n}", {"jax": 130_000, "sympy": 400},
        description="σ2 = Σ_{i<j} x_i x_j as C(n,2) products and one sum"),
    "sigma2_fast": Family(
        "sigma2_fast", library.sigma2_fast, (300, 3000, 30_000, 350_000), (10, 300),
        lambda n: f"n={n}", {"jax": 100_000, "sympy": 1000},
        description="σ2 = ½(Σx)² − ½Σx² in n + 3 gates"),
    "random": Family(
        "random", lambda s: library.random_circuit(10, s, seed=1), (1000, 10_000, 50_000, 200_000),
        (100, 1000), lambda s: f"gates={s}", {"jax": 160_000, "sympy": 200},
        domain=(-library.RANDOM_BOX, library.RANDOM_BOX),
        description="library.random_circuit(10 inputs, s gates, seed 1): smooth gates, shared subexpressions"),
}


def family_names() -> list:
    """Names of the registered families, in registry order.

    Examples
    --------
    >>> from benchmarks.families import family_names, FAMILIES
    >>> family_names()[:3]
    ['lsq', 'mlp', 'det']
    >>> FAMILIES["chain"].make(5).size
    5
    """
    return list(FAMILIES)


def points(circuit, family: Family, count: int, seed: int = 0) -> dict:
    """``count`` random input points (one numpy array per input) in the family's domain."""
    rng = np.random.default_rng(seed)
    lo, hi = family.domain
    return {x: rng.uniform(lo, hi, count) for x in circuit.inputs}
