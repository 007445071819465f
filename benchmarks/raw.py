"""Yardsticks for batch evaluation: the circuit's operations as bare numpy calls.

Two of them, both independent of :func:`circuits.compile`:

* :func:`raw_program` / :func:`run_raw`, the **replay**: one numpy call per
  binary operation (as :func:`benchmarks.measure.binary_ops` counts them; a
  sum whose terms are all negative needs one more, its first negation) on the
  real input arrays, run from a flat instruction list, each result a new array,
  freed after its last use, the outputs kept.  This is "the same number of raw
  numpy operations" doing the same work: reading the inputs, writing every
  intermediate and output array.
* :func:`hot_numpy_seconds`, the **hot-cache floor**: the operation count times
  the cost of one numpy operation on two recycled in-cache arrays whose result
  is thrown away.  No real evaluation can reach it once its arrays outgrow the
  cache (an MLP gradient writes one array per weight); it is reported for
  orientation.

Examples
--------
>>> import numpy as np, circuits
>>> from benchmarks.raw import raw_program, run_raw
>>> c = circuits.parse("2*x - y*sin(x)")
>>> run_raw(raw_program(c), [np.array([0.0, 1.0]), np.array([3.0, 3.0])])[0].round(4)
array([ 0.    , -0.5244])
"""

from __future__ import annotations

import time

import numpy as np

from circuits.analysis.counts import cost as circuits_cost, gate_binary_ops
from circuits.core.gates import GATES, NUMPY

__all__ = ["raw_program", "run_raw", "unit_costs", "hot_numpy_seconds", "numpy_call"]


# one-argument gates without a constant argument: one numpy call each in the replay
_UNARY = tuple(op for op, g in GATES.items() if g.arity == 1 and not g.constant_args and op != "square")


def numpy_call(op: str):
    """The bare numpy function computing gate ``op`` on arrays, from the registry.

    The gate's ``numpy`` function when it names one, else its formula written
    with numpy's functions (sigmoid is ``1 / (1 + exp(-u))``), else its ``vec``.
    """
    gate = GATES[op]
    if gate.numpy is not None:
        return getattr(np, gate.numpy)
    if gate.formula is not None:
        formula = gate.formula
        return lambda *a: formula(NUMPY, *a)
    return gate.vec


def raw_program(circuit):
    """The circuit as a flat list of numpy calls: ``(inputs, slots, steps, outputs)``.

    ``slots`` is the initial value list (constants filled in, inputs and
    gates ``None``); each step is ``(function, argument slots, result slot,
    slots to free)``.  Slot ``len(circuit)`` is a scratch slot for a weighted
    term.
    """
    rec = circuit.record
    ops, argss, weights = rec.ops, rec.args, rec.params
    n = len(ops)
    scratch = n
    slots: list = [None] * (n + 1)
    last_use = {}
    for i, a in enumerate(argss):
        for u in a:
            last_use[u] = i
    keep = set(circuit.outputs.values())
    consts: dict = {}

    def const(value):  # a slot holding a Python float, shared per value
        value = float(value)
        if value not in consts:
            consts[value] = len(slots)
            slots.append(value)
        return consts[value]

    steps = []
    for i, op in enumerate(ops):
        a = argss[i]
        if op == "const":
            slots[i] = float(rec.constants[i])
            continue
        if op == "input":
            continue
        if GATES[op].linear:  # one operation per further term, one per weight other than ±1
            w = weights[i] or (1,) * len(a)
            terms = sorted(zip(a, w), key=lambda t: t[1] < 0)  # a positive term first
            u, c = terms[0]
            if c == 1:
                acc = u
            else:
                steps.append((np.multiply, (u, const(c)), i, ()))
                acc = i
            for u, c in terms[1:]:
                if abs(c) != 1:
                    steps.append((np.multiply, (u, const(abs(c))), scratch, ()))
                    u = scratch
                steps.append((np.add if c > 0 else np.subtract, (acc, u), i, ()))
                acc = i
            if acc != i:  # a single unit term: a copy, one operation
                steps.append((np.copy, (acc,), i, ()))
        elif op == "mul":
            steps.append((np.multiply, (a[0], a[1]), i, ()))
            for u in a[2:]:
                steps.append((np.multiply, (i, u), i, ()))
        elif op == "div":
            steps.append((np.divide, tuple(a), i, ()))
        elif op == "square":
            steps.append((np.multiply, (a[0], a[0]), i, ()))
        elif op == "pow":
            steps.append((np.power, (a[0], const(rec.constants[a[1]])), i, ()))
        else:
            steps.append((numpy_call(op), tuple(a), i, ()))
        dead = tuple(sorted({u for u in a if last_use[u] == i and u not in keep}))
        fn, args, out, _ = steps[-1]
        steps[-1] = (fn, args, out, dead)
    return list(circuit.inputs.values()), slots, steps, list(circuit.outputs.values())


def run_raw(program, xs):
    """Run a :func:`raw_program` on input arrays ``xs``; returns the list of outputs."""
    inputs, slots, steps, outputs = program
    vals = list(slots)
    for v, x in zip(inputs, xs):
        vals[v] = x
    with np.errstate(all="ignore"):
        for fn, args, out, dead in steps:
            vals[out] = fn(*[vals[u] for u in args])
            for u in dead:
                vals[u] = None
    return [vals[v] for v in outputs]


def unit_costs(n: int) -> dict:
    """Seconds of one numpy operation on two recycled ``n``-point arrays, per kind."""
    rng = np.random.default_rng(0)
    a, b = rng.uniform(0.5, 1.5, n), rng.uniform(0.5, 1.5, n)
    costs = {}

    def best(fn):
        fn()
        reps = 50
        t0 = time.perf_counter()
        for _ in range(reps):
            fn()
        return (time.perf_counter() - t0) / reps
    costs["binary"] = best(lambda: a * b)
    costs["div"] = best(lambda: a / b)
    for op in _UNARY:
        f = numpy_call(op)
        costs[op] = best(lambda f=f: f(a))
    return costs


def hot_numpy_seconds(circuit, costs: dict) -> float:
    """The hot-cache floor: operation count × cost of one in-cache numpy operation.

    Each gate costs its binary operations (:func:`benchmarks.measure.binary_ops`)
    times one numpy multiplication, a unary function gate one call of that
    numpy function, a division one numpy division.

    Examples
    --------
    >>> import circuits
    >>> from benchmarks.raw import hot_numpy_seconds
    >>> c = circuits.parse("sin(x) * y + x")
    >>> hot_numpy_seconds(c, {"binary": 1.0, "sin": 10.0})
    12.0
    """
    def price(c, v):
        op = c.op(v)
        if (op in _UNARY or op == "div") and op in costs:
            return costs[op]
        return gate_binary_ops(c, v) * costs["binary"]
    return float(circuits_cost(circuit, price))
