"""Benchmarks of ``circuits`` against CasADi, JAX and SymPy (issue 6).

Run ``python -m benchmarks`` (or ``make bench``); ``--quick`` for small
sizes, ``--families lsq,chain``, ``--no-peers``, ``--out DIR``,
``--profile FAMILY`` for cProfile hotspots of the largest case.  Not part of
the test run: the smoke test ``tests/test_benchmarks_smoke.py`` only checks
that the runner works on the smallest sizes.

Modules: :mod:`benchmarks.families` (the circuits), :mod:`benchmarks.measure`
(time, memory, operation counts, the networkx floor), :mod:`benchmarks.peers`
(the same circuits in CasADi SX, JAX, SymPy, in child processes with
timeouts), :mod:`benchmarks.runner`, :mod:`benchmarks.report` (JSON,
Markdown, plot), :mod:`benchmarks.progress`, :mod:`benchmarks.mgh` (operation
counts on the Moré–Garbow–Hillstrom problems against CasADi: ``--mgh``).
"""

from .families import FAMILIES, Family
from .measure import binary_ops
from .runner import run, measure_case

__all__ = ["FAMILIES", "Family", "binary_ops", "run", "measure_case"]
