"""circuits: arithmetic circuits and their gradient circuits.

A circuit is a DAG whose sources are inputs or constants and whose other
vertices are gates (seed ``003_cb4127dae40e521c.txt``).  Build one, transform
it (forward propagation, backpropagation, JVP/VJP, Hessians), analyse it and
draw it.
"""

from .errors import CircuitError, ParseError
from .gates import GATES, Gate
from .circuit import Circuit
from .builder import (Builder, Wire, trace, sum_of, product, exp, log, sqrt, sin, cos,
                      tanh, sigmoid, relu, step, square, recip)
from .evaluate import evaluate, compile, CompiledCircuit
from .parse import parse
from .io import to_json, from_json, to_sympy, from_sympy
from .transforms import (forward, backward, jvp, vjp, jacobian, hvp, hessian, derivative,
                         simplify, check_gradient, symbolic_check, bauer_paths,
                         Linearization, linearize, edge_values, linearized_graph,
                         Semiring, Propagation, propagate, semirings, jacobian_sparsity)
from .analysis import Analysis, analyze, cost, ComparisonTable, compare, scaling, plot_scaling
from . import bounds
from .render import render, render_transforms
from . import library

__version__ = "0.1.0"

__all__ = [
    "CircuitError", "ParseError", "GATES", "Gate", "Circuit",
    "Builder", "Wire", "trace", "sum_of", "product",
    "exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "step", "square", "recip",
    "evaluate", "compile", "CompiledCircuit",
    "parse",
    "to_json", "from_json", "to_sympy", "from_sympy",
    "forward", "backward", "jvp", "vjp", "jacobian", "hvp", "hessian", "derivative", "simplify",
    "check_gradient", "symbolic_check", "bauer_paths",
    "Linearization", "linearize", "edge_values", "linearized_graph",
    "Semiring", "Propagation", "propagate", "semirings", "jacobian_sparsity",
    "Analysis", "analyze", "cost", "ComparisonTable", "compare", "scaling", "plot_scaling", "bounds",
    "render", "render_transforms",
    "library",
]
