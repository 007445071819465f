"""Counting circuits and checking the theorems' bounds.

* :mod:`circuits.analysis.counts` — size, depth, wires and cost (:func:`analyze`, :func:`cost`);
* :mod:`circuits.analysis.memory` — peak memory (:func:`peak_memory`, :func:`schedule`);
* :mod:`circuits.analysis.bounds` — the size bounds of forward propagation and
  backpropagation, checked on a circuit.
"""

from . import bounds
from .counts import Analysis, analyze, cost, gate_binary_ops
from .memory import peak_memory, memory_profile, schedule

__all__ = ["Analysis", "analyze", "cost", "gate_binary_ops", "bounds",
           "peak_memory", "memory_profile", "schedule"]
