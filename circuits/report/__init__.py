"""Reports: a circuit beside its forward and backward circuits, and families by size."""

from .tables import ComparisonTable, ScalingTable, compare, plot_scaling, scaling

__all__ = ["ComparisonTable", "compare", "ScalingTable", "scaling", "plot_scaling"]
