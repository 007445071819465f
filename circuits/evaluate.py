"""Evaluating circuits: an interpreter and a compiler to straight-line Python.

Both pick a *number system* from the input values:

* ``"numpy"`` when any input is a numpy array: a whole batch in one pass over
  the gates, with numpy's nan/inf semantics;
* ``"sympy"`` when any input is a sympy expression: symbolic evaluation;
* ``"exact"`` when any input is a :class:`fractions.Fraction` and none is a
  float: exact rational arithmetic (gates such as ``exp`` that have no rational
  value raise :class:`CircuitError`);
* ``"float"`` otherwise: Python numbers (integer circuits stay integers).

Domain errors (log of a negative float, division by zero) raise
:class:`CircuitError` naming the gate.

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

import builtins
import contextlib
import math
from fractions import Fraction
from typing import Any, Mapping, Optional

import numpy as np
import sympy

from .circuit import Circuit
from . import engine
from .errors import CircuitError
from .gates import GATES

__all__ = ["evaluate", "node_values", "compile", "number_system"]

_ERRORS = (ValueError, ZeroDivisionError, OverflowError, ArithmeticError, TypeError)


def number_system(values) -> str:
    """Which number system :func:`evaluate` uses for these input values."""
    kinds = set()
    for v in values:
        if isinstance(v, np.ndarray):
            return "numpy"
        if isinstance(v, sympy.Basic):
            kinds.add("sympy")
        elif isinstance(v, Fraction):
            kinds.add("fraction")
        elif isinstance(v, (float, np.floating)):
            kinds.add("float")
    if "sympy" in kinds:
        return "sympy"
    if "fraction" in kinds and "float" not in kinds:
        return "exact"
    return "float"


def _convert(system: str):
    """How constants and weights enter each number system."""
    if system == "float":
        return lambda v: float(v) if isinstance(v, Fraction) else v
    if system == "exact":  # ints too: int / int would be a float
        return Fraction
    if system == "numpy":
        return float
    return lambda v: sympy.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else sympy.sympify(v)


def _not_exact(name):
    def fn(*args):
        raise ArithmeticError(f"'{name}' has no exact rational value; evaluate with float inputs "
                              "(or sympy symbols) instead of Fractions")
    return fn


def _functions(system: str) -> dict:
    """Gate name → its evaluation in ``system``, from the registry."""
    table = {}
    for name, gate in GATES.items():
        if system == "numpy":
            table[name] = gate.vec
        elif system == "sympy":
            table[name] = gate.sym
        elif system == "exact" and not gate.exact:
            table[name] = _not_exact(name)
        else:
            table[name] = gate.num
    return table


def _check_registered(ops) -> None:
    unknown = set(ops) - GATES.keys() - {"input", "const"}
    if unknown:
        raise CircuitError(f"the circuit uses gate {sorted(unknown)[0]!r}, which is not registered; "
                           "register it with circuits.register_gate(...) first")


def _input_values(circuit: Circuit, values: Optional[Mapping], kwargs: dict) -> list:
    given = dict(values or {}, **kwargs)
    inputs = circuit.inputs
    unknown = [k for k in given if k not in inputs]
    if unknown:
        raise CircuitError(f"unknown input {unknown[0]!r}; the circuit's inputs are {list(inputs)}")
    missing = [k for k in inputs if k not in given]
    if missing:
        raise CircuitError(f"missing value for input {missing[0]!r}; the circuit's inputs are {list(inputs)}")
    return [given[k] for k in inputs]


def _prepare_inputs(system: str, xs: list) -> list:
    if system == "numpy":
        return [np.asarray(x, dtype=float) for x in xs]
    if system == "sympy":
        return [sympy.sympify(x) if not isinstance(x, sympy.Basic) else x for x in xs]
    if system == "float":
        return [float(x) if isinstance(x, np.floating) else x for x in xs]
    return [Fraction(x) for x in xs]


def _batch_shape(xs: list) -> tuple:
    """The shape every output of a numpy batch has: the inputs' shapes broadcast together."""
    try:
        return np.broadcast_shapes(*(x.shape for x in xs))
    except ValueError:
        shown = ", ".join(str(x.shape) for x in xs)
        raise CircuitError(f"the input arrays' shapes {shown} do not broadcast together; "
                           "give arrays of one batch shape (or scalars)") from None


def _broadcast_outputs(outputs: dict, shape: tuple) -> dict:
    """Each output as an array of the batch's shape (a constant output is repeated).

    A structurally constant output (a gradient entry such as ``d(2x)/dx``)
    would otherwise come back as a plain number beside the arrays.
    """
    for name, v in outputs.items():
        if not isinstance(v, np.ndarray) or v.shape != shape:
            outputs[name] = np.array(np.broadcast_to(np.asarray(v, dtype=float), shape))
    return outputs


def _gate_error(circuit: Circuit, i: int, vals: list, exc: Exception) -> CircuitError:
    op = circuit.op(i)
    shown = ", ".join(repr(vals[u]) for u in circuit.args(i))
    return CircuitError(f"gate {i} ({op}) cannot be evaluated at argument(s) {shown}: {exc}")


def node_values(circuit: Circuit, values: Optional[Mapping[str, Any]] = None, /, **kwargs) -> list:
    """The value of every node of ``circuit`` (list indexed by node id), as :func:`evaluate` computes them.

    Examples
    --------
    >>> import circuits
    >>> from circuits.evaluate import node_values
    >>> node_values(circuits.trace(lambda x: circuits.relu(x) * x), x=3)
    [3, 3, 9]
    """
    xs = _input_values(circuit, values, kwargs)
    system = number_system(xs)
    xs = _prepare_inputs(system, xs)
    if system == "numpy":
        _batch_shape(xs)  # one clear error for batches of different shapes
    conv = _convert(system)
    fns = _functions(system)
    rec = circuit.record
    _check_registered(rec.ops)
    ops, argss, params = rec.ops, rec.args, rec.params
    inputs = dict(zip(rec.inputs.values(), xs))
    consts = rec.constants
    weighted = {name for name, gate in GATES.items() if gate.weighted}
    vals = [None] * len(ops)
    i = 0
    ctx = np.errstate(all="ignore") if system == "numpy" else contextlib.nullcontext()
    try:
        with ctx:
            for i in range(len(ops)):
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
    except _ERRORS as exc:
        raise _gate_error(circuit, i, vals, exc) from None
    return vals


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
    circuits.errors.CircuitError: gate 1 (log) cannot be evaluated at argument(s) -1.0: math domain error
    """
    vals = node_values(circuit, values, **kwargs)
    outputs = {name: vals[v] for name, v in circuit.outputs.items()}
    xs = [vals[v] for v in circuit.inputs.values()]
    return _broadcast_outputs(outputs, _batch_shape(xs)) if number_system(xs) == "numpy" else outputs



_CHUNK = 64  # terms per line of generated code: long sums must not nest deeply


def _source(circuit: Circuit):
    """Straight-line Python for the circuit; returns (source, line → node, constants).

    Each value is deleted right after its last use, so a numpy batch keeps
    only the live arrays in memory (and reuses their pages).
    """
    rec = circuit.record
    _check_registered(rec.ops)
    ops, argss, params = rec.ops, rec.args, rec.params
    lines = ["def _circuit(" + ", ".join(f"v{v}" for v in circuit.inputs.values()) + "):"]
    where = [None]
    consts: list = []  # values referenced as k0, k1, ... (kept exact per number system)
    last_use = {}
    for i, a in enumerate(argss):
        for u in a:
            last_use[u] = i
    for v in circuit.outputs.values():
        last_use[v] = len(ops)  # never deleted

    def k(value):
        if isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
            return repr(value)
        consts.append(value)
        return f"k{len(consts) - 1}"

    def emit(i, text):
        lines.append("    " + text)
        where.append(i)

    for i, op in enumerate(ops):
        if op == "input":
            continue
        if op == "const":
            consts.append(rec.constants[i])
            emit(i, f"v{i} = k{len(consts) - 1}")
            continue
        a = argss[i]
        gate = GATES[op]
        names = [f"v{u}" for u in a]
        if gate.source is None:
            text = f"g_{op}({', '.join(names)})"
        elif gate.weighted:
            text = gate.source(*names, weights=params[i], const=k, chunk=_CHUNK)
        else:
            text = gate.source(*names)
        if isinstance(text, str):
            emit(i, f"v{i} = " + text)
        else:  # a long expression in pieces: long sums must not nest deeply
            emit(i, f"v{i} = " + text[0])
            for piece in text[1:]:
                emit(i, f"v{i} = v{i}" + piece)
        dead = sorted({u for u in a if last_use[u] == i})
        if dead:
            lines[-1] += "; del " + ", ".join(f"v{u}" for u in dead)
    outs = ", ".join(f"v{v}" for v in circuit.outputs.values())
    lines.append(f"    return ({outs}{',' if len(circuit.outputs) == 1 else ''})")
    where.append(None)
    return "\n".join(lines) + "\n", where, consts


class CompiledCircuit:
    """A circuit compiled to straight-line Python; call it like :func:`evaluate`.

    ``compiled(x=..., y=...)`` returns the dict of outputs;
    ``compiled.function(system)`` gives the raw function of the inputs in
    order, returning the tuple of outputs, for tight loops.
    """

    def __init__(self, circuit: Circuit):
        self.circuit = circuit
        self.source, self._where, self._consts = _source(circuit)
        self._code = builtins.compile(self.source, "<circuit>", "exec")
        self._functions: dict = {}
        self._constants: Optional[dict] = None
        self._tape: Any = False  # built on the first float call: None when a gate has no kernel

    def _engine(self, system: str, xs: list):
        """Outputs from the compiled tape engine, or None (no numba, a non-float input, a non-finite value)."""
        if system not in ("float", "numpy") or not engine.enabled():
            return None
        if system == "float" and not all(type(x) is float for x in xs):
            return None  # integer circuits stay integers: the interpreter's path
        if self._tape is False:
            self._tape = engine.tape(self.circuit)
        if self._tape is None:
            return None
        if system == "float":
            X = np.array(xs, dtype=float).reshape(len(xs), 1)
        else:
            shape = _batch_shape(xs)
            X = np.empty((len(xs), int(np.prod(shape))))
            for k, x in enumerate(xs):
                X[k] = np.broadcast_to(x, shape).ravel()
        Y, bad = engine.run(self._tape, X)
        if bad:  # the interpreter reproduces the error, or numpy's inf/nan
            return None
        if system == "float":
            if self._tape.int_outputs:  # an output may be an int (max(x, 1) at x < 1): the interpreter's type
                return None
            outputs = dict(zip(self.circuit.outputs, Y[:, 0].tolist()))
            if self._tape.constant_outputs:  # their Python values (ints stay ints), computed once
                if self._constants is None:
                    try:
                        values = self.function("float")(*xs)
                    except _ERRORS:
                        return None
                    names = list(self.circuit.outputs)
                    self._constants = {names[k]: values[k] for k in self._tape.constant_outputs}
                outputs.update(self._constants)
            return outputs
        return {name: Y[k].reshape(shape) for k, name in enumerate(self.circuit.outputs)}

    def function(self, system: str = "float"):
        """The generated function for a number system (see :func:`number_system`)."""
        fn = self._functions.get(system)
        if fn is None:
            conv = _convert(system)
            env = {f"g_{name}": f for name, f in _functions(system).items()}
            env.update({f"k{j}": conv(v) for j, v in enumerate(self._consts)})
            exec(self._code, env)
            fn = self._functions[system] = env["_circuit"]
        return fn

    def __call__(self, values: Optional[Mapping[str, Any]] = None, /, **kwargs) -> dict:
        xs = _input_values(self.circuit, values, kwargs)
        if all(type(x) is float for x in xs):  # the common case, checked quickly
            system = "float"
        else:
            system = number_system(xs)
            xs = _prepare_inputs(system, xs)
        if system == "numpy":
            _batch_shape(xs)
        fast = self._engine(system, xs)
        if fast is not None:
            return fast
        fn = self.function(system)
        try:
            if system == "numpy":
                with np.errstate(all="ignore"):
                    out = fn(*xs)
            else:
                out = fn(*xs)
        except _ERRORS as exc:
            tb = exc.__traceback__
            line = None
            while tb is not None:
                if tb.tb_frame.f_code.co_filename == "<circuit>":
                    line = tb.tb_lineno
                tb = tb.tb_next
            node = self._where[line - 1] if line else None
            if node is None:
                raise
            op = self.circuit.op(node)
            raise CircuitError(f"gate {node} ({op}) cannot be evaluated: {exc}") from None
        outputs = dict(zip(self.circuit.outputs, out))
        return _broadcast_outputs(outputs, _batch_shape(xs)) if system == "numpy" else outputs

    def __repr__(self):
        return f"<compiled {self.circuit!r}>"


def _evaluate_method(self, values: Optional[Mapping[str, Any]] = None, /, **kwargs) -> dict:
    """Evaluate every output; see :func:`circuits.evaluate`."""
    return evaluate(self, values, **kwargs)


Circuit.evaluate = _evaluate_method


def compile(circuit: Circuit) -> CompiledCircuit:  # noqa: A001 - the public name asked for
    """Compile a circuit to generated straight-line Python for repeated evaluation.

    Examples
    --------
    >>> import circuits
    >>> f = circuits.compile(circuits.parse("exp(x) * y + y"))
    >>> f(x=0.0, y=2.0)
    {'f': 4.0}
    >>> f.function("float")(0.0, 2.0)
    (4.0,)
    """
    return CompiledCircuit(circuit)
