"""Evaluating circuits: an interpreter and a compiler to straight-line Python.

Both pick a *number system* from the input values:

* ``"numpy"`` when any input is a numpy array: a whole batch in one pass over
  the gates, with numpy's nan/inf semantics: where the float path raises
  (log of a negative, division by zero, overflow), a batch keeps nan/inf at
  those entries and warns once with :class:`circuits.errors.EvaluationWarning`
  naming the outputs and how many entries (a documented choice: one bad point
  does not lose the batch; ``warnings.simplefilter("error", EvaluationWarning)``
  makes it raise);
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
import warnings
from fractions import Fraction
from typing import Any, Mapping, Optional

import numpy as np
import sympy

from .circuit import Circuit
from .errors import CircuitError, EvaluationWarning
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
    unknown = [k for k in given if k not in circuit.inputs]
    if unknown:
        raise CircuitError(f"unknown input {unknown[0]!r}; the circuit's inputs are {list(circuit.inputs)}")
    missing = [k for k in circuit.inputs if k not in given]
    if missing:
        raise CircuitError(f"missing value for input {missing[0]!r}; the circuit's inputs are {list(circuit.inputs)}")
    return [given[k] for k in circuit.inputs]


def _prepare_inputs(system: str, xs: list) -> list:
    if system == "numpy":
        return [np.asarray(x, dtype=float) for x in xs]
    if system == "sympy":
        return [sympy.sympify(x) if not isinstance(x, sympy.Basic) else x for x in xs]
    if system == "float":
        return [float(x) if isinstance(x, np.floating) else x for x in xs]
    return [Fraction(x) for x in xs]


def describe(circuit: Circuit, node: int, depth: int = 3) -> str:
    """A short formula for ``node`` in terms of input names, ``depth`` gates deep.

    Examples
    --------
    >>> import circuits
    >>> c = circuits.parse("log(y - x) * sin(x)")
    >>> describe(c, c.outputs["f"])
    'mul(log((y - x)), sin(x))'
    >>> describe(c, c.outputs["f"], depth=1)
    'mul(log(…), sin(…))'
    """
    op = circuit.op(node)
    if op == "input":
        return circuit.name(node)
    if op == "const":
        return repr(circuit.value(node))
    if depth <= 0:
        return f"{op}(…)"
    args = circuit.args(node)
    shown = [describe(circuit, u, depth - 1) for u in args[:4]]  # depth-bounded, not circuit-deep
    more = " …" if len(args) > 4 else ""
    if op == "add":
        text = ""
        for w, t in zip(circuit.weights(node), shown):
            sign = "-" if w < 0 else "+"
            w = abs(w)
            term = t if w == 1 else f"{w}*{t}"
            text = (f"-{term}" if sign == "-" else term) if not text else f"{text} {sign} {term}"
        return f"({text}{more})"
    return f"{op}({', '.join(shown)}{',' + more if more else ''})"


def _fed_outputs(circuit: Circuit, node: int) -> list:
    reach = {node}
    for v in range(node + 1, len(circuit)):
        if any(u in reach for u in circuit.args(v)):
            reach.add(v)
    return [k for k, v in circuit.outputs.items() if v in reach]


def gate_error(circuit: Circuit, i: int, exc: Exception, args: Optional[list] = None,
               inputs: Optional[Mapping] = None) -> CircuitError:
    """The error of a gate that cannot be evaluated, in the user's names, not node ids."""
    text = f"{describe(circuit, i)} cannot be evaluated"
    if args is not None:
        text += " at " + ", ".join(repr(a) for a in args)
    if inputs is not None and len(inputs) <= 6:
        text += " (" + ", ".join(f"{k} = {v!r}" for k, v in inputs.items()) + ")"
    outs = _fed_outputs(circuit, i)
    if outs:
        text += f"; it feeds output{'s' if len(outs) > 1 else ''} {', '.join(map(repr, outs[:4]))}"
    return CircuitError(f"{text}: {exc}")


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


def _gate_error(circuit: Circuit, i: int, vals: list, xs: list, exc: Exception) -> CircuitError:
    inputs = dict(zip(circuit.inputs, xs))
    return gate_error(circuit, i, exc, [vals[u] for u in circuit.args(i)], inputs)


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
        raise _gate_error(circuit, i, vals, xs, exc) from None
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
    circuits.errors.CircuitError: log(x) cannot be evaluated at -1.0 (x = -1.0); it feeds output 'f': math domain error
    """
    vals = node_values(circuit, values, **kwargs)
    outputs = {name: vals[v] for name, v in circuit.outputs.items()}
    xs = [vals[v] for v in circuit.inputs.values()]
    if number_system(xs) == "numpy":
        outputs = _broadcast_outputs(outputs, _batch_shape(xs))
        _warn_nonfinite(xs, outputs)
    return outputs


def _warn_nonfinite(xs: list, out: Mapping) -> None:
    """Warn when finite batch inputs gave nan/inf outputs (the scalar path raises there)."""
    finite = np.ones(np.broadcast_shapes(*(np.shape(x) for x in xs)) if xs else (), dtype=bool)
    for x in xs:
        finite &= np.isfinite(x)
    bad = []
    for name, value in out.items():
        value = np.asarray(value)
        if value.dtype.kind in "fc":
            try:
                at_finite = np.broadcast_to(finite, value.shape)
            except ValueError:  # an output of another shape: judge it alone
                at_finite = True
            count = int(np.count_nonzero(~np.isfinite(value) & at_finite))
            if count:
                bad.append(f"{name!r} ({count} of {value.size})")
    if bad:
        warnings.warn(f"the batch has nan/inf at finite inputs in output(s) {', '.join(bad[:4])}: "
                      "the same point as floats raises CircuitError naming the gate; evaluate one "
                      "such point with floats to see which", EvaluationWarning, stacklevel=3)



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
        system = number_system(xs)
        xs = _prepare_inputs(system, xs)
        if system == "numpy":
            _batch_shape(xs)
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
            raise gate_error(self.circuit, node, exc, inputs=dict(zip(self.circuit.inputs, xs))) from None
        outputs = dict(zip(self.circuit.outputs, out))
        if system == "numpy":
            outputs = _broadcast_outputs(outputs, _batch_shape(xs))
            _warn_nonfinite(xs, outputs)
        return outputs

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
