"""Transforms: pure functions from circuit to circuit.

* :func:`linearize`, :func:`edge_values`, :func:`linearized_graph` — the local
  partial of every wire, once (Bauer 1974), read by all sweeps;
* :func:`forward` — general forward propagation, Θ(n·(s+w));
* :func:`backward` — backpropagation, O(n+s+w) (Baur & Strassen 1983);
* :func:`jvp`, :func:`vjp` — seeded sweeps (Griewank & Walther 2008);
* :func:`jacobian`, :func:`hvp`, :func:`hessian`, :func:`derivative` — compositions;
* :func:`simplify` — constant folding, identities, CSE, dead-gate removal;
* :func:`check_gradient`, :func:`symbolic_check`, :func:`bauer_paths` — verification;
* :func:`eliminate`, :func:`order_costs` — Jacobians by vertex elimination in any order
  (forward, reverse, Markowitz, optimal; Griewank & Walther 2008).
"""

from .linearize import Linearization, linearize, edge_values, linearized_graph
from .colouring import Colouring, jacobian_colouring
from .semirings import (Semiring, Propagation, GradientPath, propagate, gradient_entropy, top_paths,
                        jacobian_sparsity)
from .forward import forward, jvp
from .backward import backward, vjp
from .derivatives import jacobian, hvp, hessian, derivative
from .simplify import simplify
from .verify import check_gradient, symbolic_check, bauer_paths
from .elimination import (eliminate, Elimination, EliminationStep, order_costs,
                          intermediate_vertices, cheapest_order)
from .hessian_pattern import hessian_sparsity
from .symmetric_colouring import HessianColouring, hessian_colouring
from .checkpointing import checkpoint, revolve_steps, revolve_schedule  # last: it reads analysis.memory
from . import reference as reference  # the specification backward's sweeps are tested against (circuits.ad.reference)

__all__ = ["Linearization", "linearize", "edge_values", "linearized_graph", "Semiring", "Propagation",
           "GradientPath", "Colouring", "jacobian_colouring", "propagate", "gradient_entropy", "top_paths", "jacobian_sparsity", "forward", "backward", "jvp", "vjp", "jacobian", "hvp", "hessian", "derivative", "simplify",
           "check_gradient", "symbolic_check", "bauer_paths",
           "eliminate", "Elimination", "EliminationStep", "order_costs", "intermediate_vertices",
           "cheapest_order",
           "hessian_sparsity", "HessianColouring", "hessian_colouring",
           "checkpoint", "revolve_steps", "revolve_schedule"]
