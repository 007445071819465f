"""Transforms: pure functions from circuit to circuit.

* :func:`forward` — General Forward Propagation (seed 003), Θ(n·(s+w));
* :func:`backward` — Backpropagation (seed 003, Theorem 3), O(n+s+w);
* :func:`jvp`, :func:`vjp` — seeded sweeps (seed 001);
* :func:`jacobian`, :func:`hvp`, :func:`hessian`, :func:`derivative` — compositions;
* :func:`simplify` — constant folding, identities, CSE, dead-gate removal;
* :func:`check_gradient`, :func:`symbolic_check`, :func:`bauer_paths` — verification.
"""

from .forward import forward, jvp
from .backward import backward, vjp
from .derivatives import jacobian, hvp, hessian, derivative
from .simplify import simplify
from .verify import check_gradient, symbolic_check, bauer_paths

__all__ = ["forward", "backward", "jvp", "vjp", "jacobian", "hvp", "hessian", "derivative", "simplify",
           "check_gradient", "symbolic_check", "bauer_paths"]
