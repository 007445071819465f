"""Saving and exchanging circuits: a JSON format and a bridge to sympy.

JSON
----
:func:`to_json` writes, and :func:`from_json` reads, one versioned document::

    {"format": "circuits", "version": 2,
     "inputs": ["x", "y"],
     "outputs": {"f": 4},
     "nodes": [{"op": "input", "name": "x"},
               {"op": "input", "name": "y"},
               {"op": "const", "value": "1/3"},
               {"op": "add", "args": [0, 1, 2], "weights": [2, -0.5, 1]},
               {"op": "sin", "args": [3]}],
     "meta": {"role": [...], "adjoint_of": [[7, 2], ...]},
     "gates": {"softplus": 1}}

Nodes are listed in topological order: node ``i`` may only use nodes ``< i``
as arguments (``args`` in argument-position order).  ``inputs`` gives the
input names in order, ``outputs`` maps output names to node ids, ``weights``
(``add`` only, optional: absent means all 1) the wire weights, and ``meta``
(optional) what transforms recorded about the nodes (see
:attr:`circuits.Circuit.meta`).  A number is a JSON integer, a JSON float,
a string ``"p/q"`` for an exact :class:`fractions.Fraction` (``"3/1"`` too, so
that the type survives), or one of the strings ``"nan"``, ``"inf"``,
``"-inf"``, so the file is always valid JSON.  ``gates`` (optional) names the
gates added with :func:`circuits.register_gate` that the circuit uses, with
their arity (``null``: variadic), so that loading can say which ones must be
registered first.  Version 1 documents (no ``gates`` key) are read as well.

Loading never executes anything and validates as much as
:meth:`circuits.Circuit.from_networkx` does; every problem (text that is not
JSON, nesting too deep to parse, a wrong version, a wrong type, an argument
that refers forward, an unknown op, ...) is one :class:`circuits.CircuitError`
naming the node or key at fault.  Both directions are loops over the node
list, so million-node circuits load and save without recursion.

sympy
-----
:func:`to_sympy` evaluates a circuit on symbols (with the registry's ``sym``
functions); :func:`from_sympy` turns sympy expressions into a circuit,
sharing repeated subexpressions (the circuit is a DAG, not a tree).

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
