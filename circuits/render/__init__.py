"""Drawing circuits with Graphviz: circuits and their transforms, backpropagation step by step,
and Jacobian accumulation by elimination."""

from .draw import COLORS, DrawingSteps, render, render_steps, render_transforms, write
from .elimination import OrderTable, compare_orders, render_elimination
from .html import View, to_html, view
from .tikz import to_tikz

__all__ = ["render", "render_transforms", "render_steps", "DrawingSteps", "write", "COLORS",
           "OrderTable", "compare_orders", "render_elimination",
           "to_html", "view", "View", "to_tikz"]
