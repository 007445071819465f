"""circuits: arithmetic circuits and their gradient circuits.

A circuit is a DAG whose sources are inputs or constants and whose other
vertices are gates (Baur & Strassen 1983; Griewank & Walther 2008).  Build one, transform
it (forward propagation, backpropagation, JVP/VJP, Hessians), analyse it and
draw it.
"""

import importlib as _importlib

from . import _moved  # noqa: F401  (old module paths, one release)
from .core.errors import CircuitError, ParseError, EvaluationWarning
from .core.gates import GATES, Gate
from .core.circuit import Circuit
from .core.builder import (Builder, Wire, trace, sum_of, product, exp, log, sqrt, sin, cos,
                      tanh, sigmoid, relu, step, square, recip)
from .core import builder as _builder
from .core.registry import register_gate, unregister_gate, registered_gate
from .eval.interpreter import evaluate, compile, CompiledCircuit
from .eval.jax import to_jax
from .eval.sharding import sharded
from .eval.c import to_c, compile_c
from .frontends.parse import parse
from .frontends.io import to_json, from_json, to_sympy, from_sympy
from .ad import (forward, backward, jvp, vjp, jacobian, hvp, hessian, derivative, simplify,
                 check_gradient, symbolic_check, bauer_paths,
                 Linearization, linearize, edge_values, linearized_graph,
                 Semiring, Propagation, GradientPath, propagate, gradient_entropy, top_paths,
                 jacobian_sparsity, Colouring, jacobian_colouring,
                 eliminate, Elimination, EliminationStep, order_costs, intermediate_vertices,
                 cheapest_order)
from .ad import hessian_sparsity, HessianColouring, hessian_colouring
from .ad import checkpoint, revolve_steps, revolve_schedule
from .analysis import Analysis, analyze, cost, bounds
from .analysis import peak_memory, memory_profile, schedule
from .report import ComparisonTable, compare, scaling, plot_scaling
from .report import tradeoff, plot_tradeoff
from .render import render, render_steps, render_transforms, OrderTable, compare_orders, render_elimination, to_tikz
from .render import to_html, view, View
from . import library, semirings

from ._version import __version__ as __version__

_moved.alias_quietly("circuits.parse", "circuits.evaluate")  # old paths named like functions

__all__ = [
    "CircuitError", "ParseError", "EvaluationWarning", "GATES", "Gate", "Circuit",
    "Builder", "Wire", "trace", "sum_of", "product",
    "exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "step", "square", "recip",
    "evaluate", "compile", "CompiledCircuit", "to_jax", "sharded", "to_c", "compile_c",
    "parse",
    "to_json", "from_json", "to_sympy", "from_sympy",
    "forward", "backward", "jvp", "vjp", "jacobian", "hvp", "hessian", "derivative", "simplify",
    "check_gradient", "symbolic_check", "bauer_paths",
    "Linearization", "linearize", "edge_values", "linearized_graph",
    "Semiring", "Propagation", "GradientPath", "propagate", "gradient_entropy", "top_paths", "jacobian_sparsity",
    "Colouring", "jacobian_colouring",
    "eliminate", "Elimination", "EliminationStep", "order_costs", "intermediate_vertices",
    "cheapest_order",
    "Analysis", "analyze", "cost", "ComparisonTable", "compare", "scaling", "plot_scaling", "bounds",
    "render", "render_steps", "render_transforms", "to_tikz",
    "OrderTable", "compare_orders", "render_elimination", "to_html", "view", "View",
    "library", "semirings", "testing",
    "register_gate", "unregister_gate", "registered_gate",
    "hessian_sparsity", "HessianColouring", "hessian_colouring",
    "peak_memory", "memory_profile", "schedule",
    "checkpoint", "revolve_steps", "revolve_schedule", "tradeoff", "plot_tradeoff",
]
# One function per gate of the registry (atan, tan, ...): circuits.<name>.  Names that
# would shadow Python built-ins (abs, max, min, pow) stay out of __all__.
for _name in _builder.function_names():
    if _name not in _builder.SHADOWING:  # abs, max, min, pow: served by __getattr__ below
        globals()[_name] = getattr(_builder, _name)
__all__ += [n for n in _builder.__all__ if n not in __all__]


#: Submodules imported on first use (``circuits.testing.check_grads`` after ``import circuits``):
#: ``testing`` loads hypothesis, which ``import circuits`` alone should not pay for.
_LAZY_SUBMODULES = ("testing", "cli")


def __getattr__(name):
    if name in _LAZY_SUBMODULES:
        return _importlib.import_module(f"{__name__}.{name}")
    # a gate registered after import is circuits.<name> too
    if _builder.gate_of_function(name) is not None:
        return _builder.function(name)
    raise AttributeError(f"module 'circuits' has no attribute {name!r}")
