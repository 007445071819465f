"""Saving and exchanging circuits: a JSON format and a bridge to sympy.

- JSON: :func:`to_json` writes, and :func:`from_json` reads, one versioned document that
  loading validates and never executes (the format is described in
  :mod:`circuits.frontends.json_format`);
- sympy: :func:`to_sympy` evaluates a circuit on symbols; :func:`from_sympy` turns sympy
  expressions into a circuit, sharing repeated subexpressions.

The JSON format is implemented in :mod:`circuits.frontends.json_format`, the sympy bridge in
:mod:`circuits.frontends.sympy_bridge`; this module gathers them.

Examples
--------
>>> import circuits, sympy
>>> c = circuits.trace(lambda x, y: circuits.sin(x * y) + 2 * x)
>>> circuits.from_json(circuits.to_json(c)).evaluate(x=1.0, y=0.0)
{'f': 2.0}
>>> circuits.to_sympy(c)
{'f': 2*x + sin(x*y)}
>>> x, y = sympy.symbols("x y")
>>> d = circuits.from_sympy(sympy.sin(x * y) + sympy.sin(x * y) ** 2)
>>> d.size, d.evaluate(x=0, y=1.0)
(4, {'f': 0.0})
"""

from __future__ import annotations

from .json_format import FORMAT, READS, VERSION, from_json, to_json
from .sympy_bridge import from_sympy, to_sympy

__all__ = ["FORMAT", "VERSION", "READS", "to_json", "from_json", "to_sympy", "from_sympy"]
