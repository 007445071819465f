"""Evaluating circuits: an interpreter and a compiler to straight-line Python.

Both pick a *number system* from the input values:

* ``"numpy"`` when any input is a numpy array: a batch, every point on its
  own.  With numba installed (and ``CIRCUITS_ENGINE`` not ``python``) a batch
  runs on the compiled engine, as :func:`compile` runs it: each point's values
  are the float path's, bit for bit, and never depend on the other points.
  Without it, numpy's functions compute the batch in one pass over the gates
  (numpy's ``exp``, ``log``, ``tanh``, ... may differ from the float path's in
  the last bit).  Where the float path raises (log of a negative, division
  by zero, overflow), a batch keeps IEEE's nan/inf at those entries and warns
  once with :class:`circuits.EvaluationWarning` naming the outputs and how
  many entries (a documented choice: one bad point does not lose the batch;
  ``warnings.simplefilter("error", EvaluationWarning)`` makes it raise).
  Special values mean the same in every number system and the engine: nan
  gives nan (``max(1.0, nan)`` is nan, IEEE 754-2019's maximum; so is
  ``relu(nan)``), ``max(-0.0, 0.0)`` is ``0.0`` and ``min(-0.0, 0.0)`` is
  ``-0.0`` in either order, a zero from ``relu``/``step``/``sign`` is ``+0``,
  and ``relu``, ``step``, ``sign`` at ±inf give their limits (0 or inf, 0 or
  1, ±1);
* ``"sympy"`` when any input is a sympy expression: symbolic evaluation;
* ``"exact"`` when any input is a :class:`fractions.Fraction` and none is a
  float: exact rational arithmetic (gates such as ``exp`` that have no rational
  value raise :class:`CircuitError`);
* ``"float"`` otherwise: Python numbers (integer circuits stay integers).

Domain errors (log of a negative float, division by zero) raise
:class:`CircuitError` naming the gate.  So does an exact (int or Fraction)
product, quotient or power whose result would have more than
:data:`MAX_EXACT_BITS` bits: ``(x**65536)**65536`` at ``x = 3`` is refused at
once instead of running for hours.

The compiler (:func:`compile`, :class:`CompiledCircuit`) is in
:mod:`circuits.eval.compiled`, the number systems and the helpers both share
in :mod:`circuits.eval.number_systems`; their public names are importable
from here too.

Examples
--------
>>> import circuits, numpy as np
>>> from fractions import Fraction
>>> c = circuits.parse("x / y + x**2")
>>> c.evaluate(x=Fraction(1), y=3)
{'f': Fraction(4, 3)}
>>> c.evaluate(x=np.array([1.0, 2.0]), y=np.array([2.0, 4.0]))["f"]
array([1.5, 4.5])
>>> fast = circuits.compile(c)
>>> fast(x=1.0, y=2.0)
{'f': 1.5}
"""

from __future__ import annotations

import contextlib
from typing import Any, Mapping, Optional

import numpy as np

from . import engine
from .compiled import CompiledCircuit, compile
from ..core.circuit import Circuit, check_circuit, check_registered
from ..core.errors import CircuitError
from .budget import symbolic_budget
from ..core.folding import MAX_EXACT_BITS  # a gate whose exact result would be larger raises
from ..core.gates import GATES, exact_bits
from .number_systems import (
    EVALUATION_ERRORS, batch_shape, broadcast_outputs, check_value, converter, describe,
    engine_batch, gate_error, gate_functions, input_values, live_nodes, number_system, prepare_inputs,
    sympy_number, too_deep_error, warn_nonfinite)

__all__ = ["evaluate", "node_values", "compile", "number_system", "check_value", "sympy_number",
           "MAX_EXACT_BITS", "exact_bits", "CompiledCircuit", "describe", "gate_error"]


def _gate_error(circuit: Circuit, i: int, vals: list, xs: list, exc: Exception) -> CircuitError:
    inputs = dict(zip(circuit.inputs, xs))
    return gate_error(circuit, i, exc, [vals[u] for u in circuit.args(i)], inputs)


def node_values(circuit: Circuit, values: Optional[Mapping[str, Any]] = None, /, *, _dead_ok: bool = False,
                **kwargs) -> list:
    """The value of every node of ``circuit`` (list indexed by node id), as :func:`evaluate` computes them.

    (``_dead_ok``, for :func:`evaluate`: a gate that no output needs and that cannot
    be evaluated gets the value None instead of raising.)

    Examples
    --------
    >>> import circuits
    >>> from circuits.eval.interpreter import node_values
    >>> node_values(circuits.trace(lambda x: circuits.relu(x) * x), x=3)
    [3, 3, 9]
    """
    check_circuit(circuit, "node_values()")
    xs = input_values(circuit, values, kwargs)
    system = number_system(xs)
    xs = prepare_inputs(system, xs)
    if system == "numpy":
        batch_shape(xs)  # one clear error for batches of different shapes
    conv = converter(system)
    fns = gate_functions(system)
    rec = circuit.record
    check_registered(circuit)
    ops, argss, params = rec.ops, rec.args, rec.params
    inputs = dict(zip(rec.inputs.values(), xs))
    consts = rec.constants
    weighted = {name for name, gate in GATES.items() if gate.weighted}
    vals = [None] * len(ops)
    i = start = 0
    live = None
    while True:  # resumed after an error in a gate that no output needs
        ctx = np.errstate(all="ignore") if system == "numpy" else \
            symbolic_budget("evaluating the circuit on sympy values") if system == "sympy" else \
            contextlib.nullcontext()
        try:
            with ctx:
                for i in range(start, len(ops)):
                    op = ops[i]
                    if op == "input":
                        vals[i] = inputs[i]
                    elif op == "const":
                        vals[i] = conv(consts[i])
                    elif op in weighted:  # the wire weights are the gate's parameters
                        w = params[i]
                        vals[i] = fns[op](*[vals[u] for u in argss[i]],
                                          weights=None if w is None else tuple(map(conv, w)))
                    else:
                        vals[i] = fns[op](*[vals[u] for u in argss[i]])
            break
        except EVALUATION_ERRORS as exc:
            live = live if live is not None or not _dead_ok else live_nodes(circuit)
            if live is None or live[i]:
                raise _gate_error(circuit, i, vals, xs, exc) from None
            start = i + 1  # a dead gate: its value stays None, as do those of its (dead) users
        except RecursionError:  # sympy recurses over the depth of the expressions it builds
            raise too_deep_error(circuit) from None
    return vals


def _evaluate_batch(circuit: Circuit, values, kwargs: dict) -> Optional[dict]:
    """:func:`evaluate` of a numpy batch on the compiled engine, as :func:`compile` runs it; None when
    the inputs are no batch, the engine is off or a gate has no kernel."""
    xs = input_values(circuit, values, kwargs)
    if number_system(xs) != "numpy" or engine.kernel() is None:
        return None
    xs = prepare_inputs("numpy", xs)
    batch_shape(xs)  # one clear error for shapes that do not broadcast
    check_registered(circuit)
    tape = engine.tape(circuit)
    return None if tape is None else engine_batch(tape, circuit, xs)


def evaluate(circuit: Circuit, values: Optional[Mapping[str, Any]] = None, /, **kwargs) -> dict:
    """Evaluate every output of ``circuit``.

    Parameters
    ----------
    circuit : Circuit
    values : mapping, optional
        Input name → value; keyword arguments work too.  Values may be Python
        numbers, Fractions, numpy arrays (a batch) or sympy expressions.

    Returns
    -------
    dict
        Output name → value.

    Examples
    --------
    >>> import circuits, sympy
    >>> c = circuits.parse("sin(x) * y")
    >>> c.evaluate({"x": 0.0, "y": 2.0})
    {'f': 0.0}
    >>> x, y = sympy.symbols("x y")
    >>> circuits.evaluate(c, x=x, y=y)
    {'f': y*sin(x)}
    >>> circuits.parse("log(x)").evaluate(x=-1.0)
    Traceback (most recent call last):
    ...
    circuits.CircuitError: log(x) cannot be evaluated at -1.0 (x = -1.0); it feeds output 'f': math domain error

    A batch: every point on its own; nan propagates through ``max``, and
    ``max(-0.0, 0.0)`` is ``0.0`` in either order (IEEE 754-2019's maximum):

    >>> import numpy as np
    >>> circuits.parse("max(x, y)").evaluate(x=np.array([1.0, -0.0, 0.0]), y=np.array([np.nan, 0.0, -0.0]))
    {'f': array([nan,  0.,  0.])}
    """
    check_circuit(circuit, "evaluate()")
    batch = _evaluate_batch(circuit, values, kwargs)
    if batch is not None:
        return batch
    vals = node_values(circuit, values, _dead_ok=True, **kwargs)
    outputs = {name: vals[v] for name, v in circuit.outputs.items()}
    xs = [vals[v] for v in circuit.inputs.values()]
    if number_system(xs) == "numpy":
        outputs = broadcast_outputs(outputs, batch_shape(xs))
        warn_nonfinite(xs, outputs)
    return outputs


def _evaluate_method(self, *values, **kwargs) -> dict:
    """Evaluate every output; see :func:`circuits.evaluate`."""
    if len(values) > 1:
        raise CircuitError(f"evaluate takes one mapping of input values or keywords, got {len(values)} "
                           f"positional values; name them: c.evaluate({', '.join(f'{x}=...' for x in list(self.inputs)[:3])})")
    return evaluate(self, *values, **kwargs)


Circuit.evaluate = _evaluate_method
