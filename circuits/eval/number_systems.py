"""Number systems of evaluation and the pieces the interpreter and the compiled circuits share.

:func:`number_system` picks ``"float"``, ``"exact"``, ``"numpy"`` or
``"sympy"`` from the input values (see :mod:`circuits.eval.interpreter`);
:func:`gate_functions` and :func:`converter` give each system's gate
functions and constant conversion; the input checks, the batch shapes, the
errors naming a gate (:func:`gate_error`) and the batch on the compiled
engine (:func:`engine_batch`) serve both :func:`circuits.evaluate`
(:mod:`circuits.eval.interpreter`) and :func:`circuits.compile`
(:mod:`circuits.eval.compiled`).

Examples
--------
>>> from fractions import Fraction
>>> import numpy as np
>>> from circuits.eval.number_systems import number_system
>>> number_system([1.0, 2]), number_system([Fraction(1), 2]), number_system([np.ones(2), 1.0])
('float', 'exact', 'numpy')
"""

from __future__ import annotations

import math
import numbers
import warnings
from fractions import Fraction
from typing import Any, Mapping, Optional

import numpy as np
import sympy

from . import engine
from ..core.circuit import Circuit, check_number, needed_nodes
from ..core.errors import CircuitError, EvaluationWarning, listing
from .budget import check_time
from ..core.folding import MAX_EXACT_BITS  # a gate whose exact result would be larger raises
from ..core.gates import GATES, exact_bits

__all__ = ["number_system", "check_value", "sympy_number", "describe", "gate_error", "MAX_EXACT_BITS",
           "exact_bits", "EVALUATION_ERRORS", "shown_value", "converter", "gate_functions",
           "input_values", "prepare_inputs", "batch_shape", "broadcast_outputs",
           "live_nodes", "too_deep_error", "engine_batch", "warn_nonfinite"]

EVALUATION_ERRORS = (ValueError, ZeroDivisionError, OverflowError, ArithmeticError, TypeError)


def _guarded(op: str, fn):
    """``fn`` refusing exact results beyond MAX_EXACT_BITS before computing them."""
    gate_ = GATES[op]

    def gate(*args):
        bits = gate_.result_bits(args)
        if bits > MAX_EXACT_BITS:
            raise ArithmeticError(f"the exact result would have about {bits} bits, more than "
                                  f"MAX_EXACT_BITS = {MAX_EXACT_BITS}; evaluate with float inputs")
        return fn(*args)
    return gate


def shown_value(v) -> str:
    """A value for an error message: huge exact numbers by their size, long text cut."""
    bits = exact_bits(v)
    if bits > 256:
        return f"<{type(v).__name__} of {bits} bits>"
    try:
        text = repr(v)
    except ValueError:  # e.g. sympy integers beyond Python's digit limit
        return f"<{type(v).__name__}>"
    return text if len(text) <= 80 else text[:77] + "..."


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


def check_value(value: Any, where: str) -> Any:
    """Return an input value that :func:`evaluate` accepts, or raise CircuitError.

    Accepted are real numbers (int, float, Fraction, numpy scalars), numpy
    arrays of numbers (lists and tuples of numbers become arrays) and sympy
    expressions.  Nothing else, text in particular, is ever converted: a
    string is refused, never parsed or evaluated.

    Examples
    --------
    >>> check_value(2.5, "input 'x'")
    2.5
    >>> check_value("ab", "input 'x'")
    Traceback (most recent call last):
    ...
    circuits.CircuitError: input 'x': 'ab' is a str, not a number, numpy array or sympy expression; text is never evaluated, use circuits.parse for expressions
    """
    if isinstance(value, sympy.Basic):
        return value
    if isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)):
        return value
    if isinstance(value, (list, tuple)):
        try:
            value = np.asarray(value)
        except ValueError as exc:  # ragged nesting
            raise CircuitError(f"{where}: the sequence is not a rectangular array of numbers ({exc})") from None
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise CircuitError(f"{where}: a numpy array of dtype {value.dtype} is not an array of real numbers")
        return value
    shown = repr(value)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    raise CircuitError(f"{where}: {shown} is a {type(value).__name__}, not a number, numpy array or "
                       "sympy expression; text is never evaluated, use circuits.parse for expressions")


def sympy_number(value: Any) -> sympy.Basic:
    """A number (int, float, Fraction, numpy scalar) or sympy expression as a sympy object.

    Unlike ``sympy.sympify`` this never parses text: anything else raises CircuitError.
    """
    if isinstance(value, sympy.Basic):
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise CircuitError(f"{value!r} is a {type(value).__name__}, not a number or sympy expression")
    if isinstance(value, numbers.Integral):
        return sympy.Integer(int(value))
    if isinstance(value, Fraction):
        return sympy.Rational(value.numerator, value.denominator)
    if isinstance(value, numbers.Rational):
        return sympy.Rational(int(value.numerator), int(value.denominator))
    return sympy.Float(float(value))


def converter(system: str):
    """How constants and weights enter each number system."""
    if system == "float":
        return lambda v: float(v) if isinstance(v, Fraction) else v
    if system == "exact":  # ints too: int / int would be a float; numpy scalars as Python numbers
        return lambda v: Fraction(v) if type(v) in (int, float, Fraction) else Fraction(check_number(v, "constant"))
    if system == "numpy":
        return _batch_float
    return sympy_number


def _batch_float(v) -> float:
    """A constant or weight as a float64 for numpy batches (an int beyond float64 is a CircuitError)."""
    try:
        return float(v)
    except OverflowError:
        raise CircuitError(f"the constant {shown_value(v)} is too large for float64, in which batches are computed; "
                           "evaluate one point with Python ints for the exact value") from None


def _not_exact(name):
    def fn(*args):
        raise ArithmeticError(f"'{name}' has no exact rational value; evaluate with float inputs "
                              "(or sympy symbols) instead of Fractions")
    return fn


def gate_functions(system: str) -> dict:
    """Gate name → its evaluation in ``system``, from the registry."""
    table = {}
    for name, gate in GATES.items():
        if system == "numpy":
            table[name] = gate.vec
        elif system == "sympy" and gate.monoid is not None and gate.sympy:
            # one n-ary node (the gate's sympy class), in linear time, not n nested binary ones
            table[name] = _sympy_fold(gate.sympy[0]) if gate.weighted else gate.sympy[0]
        elif system == "sympy":
            table[name] = gate.sym
        elif system == "exact" and not gate.exact:
            table[name] = _not_exact(name)
        else:
            table[name] = gate.num
        # sympy multiplies exact numbers out too: 3**65536**65536 would hang
        if system in ("float", "exact", "sympy") and gate.growth is not None:
            table[name] = _guarded(name, table[name])
    if system == "sympy":
        for name, fn in table.items():  # the time budget is checked between gates, too
            table[name] = _timed(fn)
    return table


def _timed(fn):
    def gate(*args, **kwargs):
        check_time()
        return fn(*args, **kwargs)
    return gate


def _sympy_fold(node):
    def fold(*terms, weights=None):
        return node(*(terms if weights is None else [c * u for c, u in zip(weights, terms)]))
    return fold


def input_values(circuit: Circuit, values: Optional[Mapping], kwargs: dict) -> list:
    if values is not None and not isinstance(values, Mapping):
        raise CircuitError(f"values must be a mapping of input name to value, got {type(values).__name__}")
    given = kwargs if values is None else dict(values, **kwargs)
    inputs = circuit.inputs
    if given.keys() == inputs.keys():  # the common case: every input once, as a float
        xs = [given[k] for k in inputs]
        if all(type(x) is float for x in xs):
            return xs
    unknown = [k for k in given if k not in inputs]
    if unknown:
        raise CircuitError(f"unknown input {unknown[0]!r}; the circuit's inputs are {listing(inputs)}")
    missing = [k for k in inputs if k not in given]
    if missing:
        raise CircuitError(f"missing value for input {missing[0]!r}; the circuit's inputs are {listing(inputs)}")
    return [check_value(given[k], f"input {k!r}") for k in inputs]


def prepare_inputs(system: str, xs: list) -> list:
    if system == "numpy":
        return [np.asarray(x, dtype=float) for x in xs]
    if system == "sympy":
        return [sympy_number(x) for x in xs]
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
        return shown_value(circuit.value(node))
    if depth <= 0:
        return f"{op}(…)"
    args = circuit.args(node)
    shown = [describe(circuit, u, depth - 1) for u in args[:4]]  # depth-bounded, not circuit-deep
    more = " …" if len(args) > 4 else ""
    if GATES[op].weighted:  # a weighted sum, written out
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
        text += " at " + ", ".join(shown_value(a) for a in args)  # huge exact numbers by their size
    if inputs is not None and len(inputs) <= 6:
        text += " (" + ", ".join(f"{k} = {shown_value(v)}" for k, v in inputs.items()) + ")"
    outs = _fed_outputs(circuit, i)
    if outs:
        text += f"; it feeds output{'s' if len(outs) > 1 else ''} {', '.join(map(repr, outs[:4]))}"
    return CircuitError(f"{text}: {exc}")


def batch_shape(xs: list) -> tuple:
    """The shape every output of a numpy batch has: the inputs' shapes broadcast together."""
    try:
        return np.broadcast_shapes(*(x.shape for x in xs))
    except ValueError:
        shown = ", ".join(str(x.shape) for x in xs)
        raise CircuitError(f"the input arrays' shapes {shown} do not broadcast together; "
                           "give arrays of one batch shape (or scalars)") from None


def broadcast_outputs(outputs: dict, shape: tuple) -> dict:
    """Each output as an array of the batch's shape (a constant output is repeated).

    A structurally constant output (a gradient entry such as ``d(2x)/dx``)
    would otherwise come back as a plain number beside the arrays.
    """
    for name, v in outputs.items():
        if not isinstance(v, np.ndarray) or v.shape != shape:
            outputs[name] = np.array(np.broadcast_to(np.asarray(v, dtype=float), shape))
    return outputs


def engine_batch(tape, circuit: Circuit, xs: list) -> dict:
    """A numpy batch on the compiled engine: every point on its own, as the float interpreter computes
    it, with nan/inf (and one EvaluationWarning) where that raises."""
    shape = batch_shape(xs)
    size = math.prod(shape)
    X = np.empty((len(xs), size))
    for k, x in enumerate(xs):
        X[k].reshape(shape)[...] = x
    names = circuit.outputs
    Y = np.empty((len(names), size))
    engine.run(tape, X.T, Y.T)
    outputs = {name: Y[k].reshape(shape) for k, name in enumerate(names)}
    if not np.isfinite(Y).all():
        warn_nonfinite(xs, outputs)
    return outputs


def warn_nonfinite(xs: list, out: Mapping) -> None:
    """Warn when finite batch inputs gave nan/inf outputs (the scalar path raises there)."""
    finite = np.ones(np.broadcast_shapes(*(np.shape(x) for x in xs)) if xs else (), dtype=bool)
    for x in xs:
        finite &= np.isfinite(x)
    bad = []
    for name, value in out.items():
        value = np.asarray(value)
        if value.dtype.kind in "fc":
            at_finite: np.ndarray | bool
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


def live_nodes(circuit: Circuit) -> bytearray:
    """Marks the nodes some output needs (outputs and their ancestors): the one liveness."""
    rec = circuit.record
    live = needed_nodes(rec.args, list(rec.outputs.values()))
    return bytearray(b"\x01") * len(rec.ops) if live is None else live


def too_deep_error(circuit: Circuit) -> CircuitError:
    return CircuitError(f"the circuit is too deep (depth {circuit.depth}) for sympy expressions, which "
                        "sympy builds and compares recursively; evaluate it with numbers instead")
