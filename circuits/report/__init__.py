"""Reports: a circuit beside its forward and backward circuits, and families by size."""

from .tables import ComparisonTable, ScalingTable, compare, plot_scaling, scaling
from .tradeoff import tradeoff, plot_tradeoff

__all__ = ["ComparisonTable", "compare", "ScalingTable", "scaling", "plot_scaling", "tradeoff", "plot_tradeoff"]
