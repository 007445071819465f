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
import numbers
import warnings
from fractions import Fraction
from typing import Any, Mapping, Optional

import numpy as np
import sympy

from . import engine
from .c import compile_c
from ..core.circuit import Circuit, check_circuit, check_number, needed_nodes
from ..core.errors import CircuitError, EvaluationWarning, listing
from .budget import check_time, symbolic_budget
from ..core.folding import MAX_EXACT_BITS  # a gate whose exact result would be larger raises
from ..core.gates import GATES, exact_bits

__all__ = ["evaluate", "node_values", "compile", "number_system", "check_value", "sympy_number",
           "MAX_EXACT_BITS", "exact_bits"]

_ERRORS = (ValueError, ZeroDivisionError, OverflowError, ArithmeticError, TypeError)


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


def _shown(v) -> str:
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


def _convert(system: str):
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
        raise CircuitError(f"the constant {_shown(v)} is too large for float64, in which batches are computed; "
                           "evaluate one point with Python ints for the exact value") from None


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


def _check_registered(ops) -> None:
    unknown = set(ops) - GATES.keys() - {"input", "const"}
    if unknown:
        raise CircuitError(f"the circuit uses gate {sorted(unknown)[0]!r}, which is not registered; "
                           "register it with circuits.register_gate(...) first")


def _input_values(circuit: Circuit, values: Optional[Mapping], kwargs: dict) -> list:
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


def _prepare_inputs(system: str, xs: list) -> list:
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
        return _shown(circuit.value(node))
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
        text += " at " + ", ".join(_shown(a) for a in args)  # huge exact numbers by their size
    if inputs is not None and len(inputs) <= 6:
        text += " (" + ", ".join(f"{k} = {_shown(v)}" for k, v in inputs.items()) + ")"
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
        except _ERRORS as exc:
            live = live if live is not None or not _dead_ok else _live(circuit)
            if live is None or live[i]:
                raise _gate_error(circuit, i, vals, xs, exc) from None
            start = i + 1  # a dead gate: its value stays None, as do those of its (dead) users
        except RecursionError:  # sympy recurses over the depth of the expressions it builds
            raise _too_deep(circuit) from None
    return vals


def _engine_batch(tape, circuit: Circuit, xs: list) -> dict:
    """A numpy batch on the compiled engine: every point on its own, as the float interpreter computes
    it, with nan/inf (and one EvaluationWarning) where that raises."""
    shape = _batch_shape(xs)
    size = math.prod(shape)
    X = np.empty((len(xs), size))
    for k, x in enumerate(xs):
        X[k].reshape(shape)[...] = x
    names = circuit.outputs
    Y = np.empty((len(names), size))
    engine.run(tape, X.T, Y.T)
    outputs = {name: Y[k].reshape(shape) for k, name in enumerate(names)}
    if not np.isfinite(Y).all():
        _warn_nonfinite(xs, outputs)
    return outputs


def _evaluate_batch(circuit: Circuit, values, kwargs: dict) -> Optional[dict]:
    """:func:`evaluate` of a numpy batch on the compiled engine, as :func:`compile` runs it; None when
    the inputs are no batch, the engine is off or a gate has no kernel."""
    xs = _input_values(circuit, values, kwargs)
    if number_system(xs) != "numpy" or engine.kernel() is None:
        return None
    xs = _prepare_inputs("numpy", xs)
    _batch_shape(xs)  # one clear error for shapes that do not broadcast
    _check_registered(circuit.record.ops)
    tape = engine.tape(circuit)
    return None if tape is None else _engine_batch(tape, circuit, xs)


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



def _live(circuit: Circuit) -> bytearray:
    """Marks the nodes some output needs (outputs and their ancestors): the one liveness."""
    rec = circuit.record
    live = needed_nodes(rec.args, list(rec.outputs.values()))
    return bytearray(b"\x01") * len(rec.ops) if live is None else live


def _too_deep(circuit: Circuit) -> CircuitError:
    return CircuitError(f"the circuit is too deep (depth {circuit.depth}) for sympy expressions, which "
                        "sympy builds and compares recursively; evaluate it with numbers instead")



_CHUNK = 64  # terms per line of generated code: long sums must not nest deeply


def _source(circuit: Circuit, guarded: bool = False):
    """Straight-line Python for the circuit; returns (source, line → node, constants).

    Each value is deleted right after its last use, so a numpy batch keeps
    only the live arrays in memory (and reuses their pages).  Gates that no
    output needs are not computed (so they cannot fail).  Products, quotients
    and powers call the guarded gate functions (which refuse exact results
    beyond MAX_EXACT_BITS) where exact numbers may meet: on constants only, or
    everywhere when ``guarded`` (exact inputs); there every constant but an int
    also enters through the number system's conversion, as in :func:`evaluate`,
    so that a float weight becomes a Fraction in exact arithmetic.
    """
    rec = circuit.record
    _check_registered(rec.ops)
    ops, argss, params = rec.ops, rec.args, rec.params
    constant = bytearray(len(ops))  # nodes computed from constants alone
    for i, a in enumerate(argss):
        constant[i] = ops[i] == "const" or (bool(a) and all(constant[u] for u in a))
    live = _live(circuit)
    lines = ["def _circuit(" + ", ".join(f"v{v}" for v in circuit.inputs.values()) + "):"]
    where = [None]
    consts: list = []  # values referenced as k0, k1, ... (kept exact per number system)
    last_use = {}
    for i, a in enumerate(argss):
        if live[i]:
            for u in a:
                last_use[u] = i
    for v in circuit.outputs.values():
        last_use[v] = len(ops)  # never deleted

    def k(value):
        if type(value) is int or (type(value) is float and math.isfinite(value) and not guarded):
            return repr(value)
        consts.append(value)
        return f"k{len(consts) - 1}"

    def emit(i, text):
        lines.append("    " + text)
        where.append(i)

    for i, op in enumerate(ops):
        if op == "input" or not live[i]:
            continue
        if op == "const":
            consts.append(rec.constants[i])
            emit(i, f"v{i} = k{len(consts) - 1}")
            continue
        a = argss[i]
        gate = GATES[op]
        names = [f"v{u}" for u in a]
        if gate.source is None or (gate.growth is not None and (guarded or constant[i])):
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
    """A circuit compiled for repeated evaluation; call it like :func:`evaluate`.

    ``compiled(x=..., y=...)`` returns the dict of outputs;
    ``compiled.array(x, out=None)`` takes and returns numpy arrays in input
    and output order (the fast call for many inputs or outputs);
    ``compiled.function(system)`` gives the generated Python function of the
    inputs in order, returning the tuple of outputs; ``compiled.source`` is
    its text.  Float points and numpy batches run on the tape engine
    (:mod:`circuits.engine`) when numba is installed, with the float
    interpreter's results bit for bit (and :func:`evaluate`'s on batches,
    which runs them on the same engine); every point of a batch is computed
    on its own, nan/inf where the float path raises (see the module
    docstring for the meaning of nan, ±0 and ±inf in ``max``, ``relu``, ...);
    ``CIRCUITS_ENGINE=python`` turns it off, read at a compiled circuit's
    first float call.  A compiled circuit refuses to run once one of its
    gates was unregistered or replaced (compile it again).
    """

    def __init__(self, circuit: Circuit):
        self.circuit = check_circuit(circuit, "compile()")
        _check_registered(circuit.record.ops)
        # the gates compiled in: a gate unregistered or replaced later is refused (see _check_gates)
        self._gates = {op: GATES[op] for op in set(circuit.record.ops) if op not in ("input", "const")}
        self._version = GATES.version
        # guarded → (source, code, line → node, constants): the generated Python, made when first
        # needed (the engine runs float points and batches without it; CPython's compiler takes
        # seconds on a gradient of 10^5 gates)
        self._variants: dict = {}
        self._functions: dict = {}
        self._constants: Optional[dict] = None
        self._tape: Any = False  # built on the first float call: None when a gate has no kernel

    def _check_gates(self) -> None:
        """Refuse to run if a gate of the circuit was unregistered or replaced since compilation."""
        for op, gate in self._gates.items():
            now = GATES.get(op)
            if now is not gate:
                what = "unregistered" if now is None else "replaced by another gate of that name"
                raise CircuitError(f"gate {op!r} was {what} after this circuit was compiled; the compiled "
                                   f"code would run the old gate: compile the circuit again (circuits.compile)")
        self._version = GATES.version

    @property
    def inputs(self) -> tuple:
        """The input names, in the order :meth:`array` and :meth:`function` take them.

        Examples
        --------
        >>> import circuits
        >>> f = circuits.compile(circuits.trace(lambda x, y: (x + y, x * y)))
        >>> f.inputs, f.outputs
        (('x', 'y'), ('f0', 'f1'))
        >>> dict(zip(f.outputs, f.array([2.0, 3.0]).tolist()))
        {'f0': 5.0, 'f1': 6.0}
        """
        return tuple(self.circuit.inputs)

    @property
    def outputs(self) -> tuple:
        """The output names, in the order :meth:`array` returns them (see :attr:`inputs`)."""
        return tuple(self.circuit.outputs)

    def _engine_tape(self):
        """The tape to run, or None (the compiled engine is off, or a gate has no kernel).

        Decided on the first float call (``CIRCUITS_ENGINE`` is read then), so
        that ``compile`` itself never imports numba.
        """
        if self._tape is False:
            try:
                self._tape = engine.tape(self.circuit) if engine.kernel() is not None else None
            except OverflowError:  # a weight beyond float64: the interpreter says which, as evaluate does
                self._tape = None
        return self._tape

    def _constant_outputs(self, xs: list) -> Optional[dict]:
        """The interpreter's values of the outputs that depend on constants only (ints stay ints), once."""
        if self._constants is None:
            try:
                values = self.function("float")(*xs)
            except _ERRORS:
                return None
            names = list(self.circuit.outputs)
            self._constants = {names[k]: values[k] for k in self._tape.constant_outputs}
        return self._constants

    def _point(self, xs: list) -> Optional[dict]:
        """One point of Python floats on the compiled engine, or None (engine off, an output that may
        be an int, a non-finite value: the interpreter's turn)."""
        tape = self._tape if self._tape is not False else self._engine_tape()
        if tape is None or tape.int_outputs:  # max(x, 1) at x < 1 is the int 1 in the interpreter
            return None
        Y = np.empty(len(tape.output_slots))
        if engine.run_point(tape, np.array(xs, dtype=float), Y):
            return None  # the interpreter reproduces the error, or the inf/nan
        outputs = dict(zip(self.circuit.outputs, Y.tolist()))
        if tape.constant_outputs:
            constants = self._constant_outputs(xs)
            if constants is None:
                return None
            outputs.update(constants)
        return outputs

    def _batch(self, xs: list) -> Optional[dict]:
        """A numpy batch on the compiled engine, or None (engine off, or a gate without a kernel)."""
        tape = self._tape if self._tape is not False else self._engine_tape()
        return None if tape is None else _engine_batch(tape, self.circuit, xs)

    def function(self, system: str = "float", guarded: Optional[bool] = None):
        """The generated function for a number system (see :func:`number_system`).

        ``guarded`` (default: for the ``"exact"`` system) picks the code that
        checks the size of every exact product, quotient and power; use it when
        the inputs are Python ints or Fractions.
        """
        guarded = system == "exact" if guarded is None else bool(guarded)
        fn = self._functions.get((system, guarded))
        if fn is None:
            _, code, _, consts = self._variant(guarded)
            conv = _convert(system)
            env = {f"g_{name}": f for name, f in _functions(system).items()}
            env.update({f"k{j}": conv(v) for j, v in enumerate(consts)})
            exec(code, env)
            fn = self._functions[(system, guarded)] = env["_circuit"]
        return fn

    @property
    def source(self) -> str:
        """The generated straight-line Python (for float, numpy and sympy inputs), made on first use."""
        return self._variant(False)[0]

    def _variant(self, guarded: bool) -> tuple:
        """(source, code, line → node, constants) of the generated function, made once."""
        variant = self._variants.get(guarded)
        if variant is None:
            source, where, consts = _source(self.circuit, guarded=guarded)
            variant = self._variants[guarded] = (source, builtins.compile(source, "<circuit>", "exec"), where,
                                                 consts)
        return variant

    def _interpret(self, system: str, xs: list) -> tuple:
        """The generated function's outputs (a tuple); a failing gate raises CircuitError naming it."""
        guarded = system == "exact" or (system == "float" and any(type(x) is int for x in xs))
        fn = self.function(system, guarded)
        try:
            if system == "numpy":
                with np.errstate(all="ignore"):
                    return fn(*xs)
            return fn(*xs)
        except RecursionError:
            raise _too_deep(self.circuit) from None
        except _ERRORS as exc:
            tb = exc.__traceback__
            line = None
            while tb is not None:
                if tb.tb_frame.f_code.co_filename == "<circuit>":
                    line = tb.tb_lineno
                tb = tb.tb_next
            node = self._variant(guarded)[2][line - 1] if line else None
            if node is None:
                raise
            raise gate_error(self.circuit, node, exc, inputs=dict(zip(self.circuit.inputs, xs))) from None

    def __call__(self, values: Optional[Mapping[str, Any]] = None, /, **kwargs) -> dict:
        if GATES.version != self._version:
            self._check_gates()
        xs = _input_values(self.circuit, values, kwargs)
        if all(type(x) is float for x in xs):  # the common case, checked quickly
            system = "float"
            fast = self._point(xs)
        else:
            system = number_system(xs)
            xs = _prepare_inputs(system, xs)
            fast = None
            if system == "numpy":
                _batch_shape(xs)  # one clear error for shapes that do not broadcast
                fast = self._batch(xs)
        if fast is not None:
            return fast
        outputs = dict(zip(self.circuit.outputs, self._interpret(system, xs)))
        if system == "numpy":
            outputs = _broadcast_outputs(outputs, _batch_shape(xs))
            _warn_nonfinite(xs, outputs)
        return outputs

    def array(self, x, out: Optional[np.ndarray] = None) -> np.ndarray:
        """Evaluate at points given as one array, inputs in order; the outputs as one array.

        The values are those of the dict call, as float64: a 1-D ``x`` is one
        point, evaluated as ``compiled(**point)`` with float values (a domain
        error raises :class:`CircuitError` naming the gate); a 2-D ``x`` is a
        batch, one point per row, evaluated as ``compiled(**columns)``
        (nan/inf where a point's float evaluation would raise, with one
        :class:`EvaluationWarning`).  Without Python dicts in the way this is
        the fast call for circuits with many inputs or outputs, such as
        gradients.  ``out`` may be ``x`` itself or overlap it: the inputs are
        then copied before any output is written.

        Parameters
        ----------
        x : array_like of real numbers
            Shape ``(n_inputs,)`` for one point or ``(points, n_inputs)`` for a
            batch; column ``k`` is input ``list(circuit.inputs)[k]``.
        out : numpy.ndarray, optional
            A writable float64 array of the result's shape to write the
            result into (no allocation for repeated calls); it may share
            memory with ``x``.

        Returns
        -------
        numpy.ndarray
            float64 of shape ``(n_outputs,)`` for one point or
            ``(points, n_outputs)`` for a batch, outputs in the order of
            ``circuit.outputs``; ``out`` itself when given.

        Raises
        ------
        CircuitError
            ``x`` or ``out`` of the wrong shape or type, or (one point) a gate
            that cannot be evaluated there.

        Examples
        --------
        >>> import circuits, numpy as np
        >>> f = circuits.compile(circuits.parse({"f": "x * y", "g": "x + 1"}))
        >>> list(f.circuit.inputs), list(f.circuit.outputs)
        (['x', 'y'], ['f', 'g'])
        >>> f.array([2.0, 3.0])
        array([6., 3.])
        >>> points = np.array([[2.0, 3.0], [1.0, -1.0], [0.5, 4.0]])
        >>> f.array(points)
        array([[ 6. ,  3. ],
               [-1. ,  2. ],
               [ 2. ,  1.5]])
        >>> buffer = np.empty((3, 2))
        >>> f.array(points, out=buffer) is buffer
        True
        >>> f.array([2.0, 3.0, 4.0])
        Traceback (most recent call last):
        ...
        circuits.CircuitError: array(): x has shape (3,); expected (2,) for one point or (points, 2) for a batch, columns in input order ['x', 'y']
        """
        if GATES.version != self._version:
            self._check_gates()
        n_out = len(self.circuit.outputs)
        tape = self._tape if self._tape is not False else self._engine_tape()
        if (tape is not None and type(x) is np.ndarray and x.ndim == 1 and x.dtype == np.float64
                and x.flags.c_contiguous and x.flags.writeable and x.shape[0] == len(self.circuit.inputs)):
            # one point, the common case, checked quickly
            Y = np.empty(n_out) if out is None else _array_out(out, (n_out,))
            if Y.flags.c_contiguous and not (out is not None and np.shares_memory(x, Y)):
                if not engine.run_point(tape, x, Y):
                    return Y
                tape = None  # a non-finite value: the interpreter's turn
        X = _array_points(x, self.circuit.inputs)
        point = X.ndim == 1
        shape = (n_out,) if point else (X.shape[0], n_out)
        Y = np.empty(shape) if out is None else _array_out(out, shape)
        if np.shares_memory(X, Y):  # out=x: read every input before the first output is written
            X = X.copy()
        if tape is not None and point:  # a point the quick path above did not take (a list, a copy, ...)
            y = np.empty(n_out)
            if not engine.run_point(tape, np.array(X, dtype=float), y):
                Y[...] = y
                return Y
        if tape is not None and not point:  # (the tape holds the interpreter's values of constant outputs)
            engine.run(tape, X, Y)
            if not np.isfinite(Y).all():
                xs = [X[:, k] for k in range(X.shape[1])]
                _warn_nonfinite(xs, {name: Y[:, k] for k, name in enumerate(self.circuit.outputs)})
            return Y
        names = list(self.circuit.outputs)
        if point:
            for k, v in enumerate(self._interpret("float", X.tolist())):
                Y[k] = _as_float(v, names[k])
            return Y
        xs = [X[:, k] for k in range(X.shape[1])]
        outputs = _broadcast_outputs(dict(zip(names, self._interpret("numpy", xs))), (X.shape[0],))
        for k, v in enumerate(outputs.values()):
            Y[:, k] = v
        _warn_nonfinite(xs, outputs)
        return Y

    def __repr__(self):
        return f"<compiled {self.circuit!r}>"


def _array_points(x, inputs: Mapping) -> np.ndarray:
    """``x`` of :meth:`CompiledCircuit.array` as a float64 array, or CircuitError."""
    if isinstance(x, (str, bytes)) or not isinstance(x, (np.ndarray, list, tuple)):
        raise CircuitError(f"array(): x is a {type(x).__name__}; give a numpy array (or list) of "
                           "floats, one point or one point per row, columns in input order")
    try:
        X = np.asarray(x)
    except ValueError:  # ragged nesting
        raise CircuitError("array(): x is not a rectangular array of numbers (rows of different "
                           "lengths?); give one point or one point per row") from None
    if X.dtype.kind not in "iuf":
        raise CircuitError(f"array(): x has dtype {X.dtype}, not real numbers; array() computes in "
                           "float64 (call the compiled circuit with a dict for ints, Fractions or sympy)")
    n = len(inputs)
    if X.ndim not in (1, 2) or X.shape[-1] != n:
        raise CircuitError(f"array(): x has shape {X.shape}; expected ({n},) for one point or "
                           f"(points, {n}) for a batch, columns in input order {listing(inputs)}")
    return X.astype(float, copy=False)


def _array_out(out, shape: tuple) -> np.ndarray:
    """``out`` of :meth:`CompiledCircuit.array` if it can hold the result, or CircuitError."""
    if not isinstance(out, np.ndarray):
        raise CircuitError(f"array(): out is a {type(out).__name__}; give a float64 numpy array of shape {shape}")
    if out.dtype != np.float64:
        raise CircuitError(f"array(): out has dtype {out.dtype}; it must be float64 (shape {shape})")
    if out.shape != shape:
        raise CircuitError(f"array(): out has shape {out.shape}; the result has shape {shape} "
                           "(outputs in the order of circuit.outputs)")
    if not out.flags.writeable:
        raise CircuitError("array(): out is read-only; give a writable array")
    return out


def _as_float(v, name: str) -> float:
    try:
        return float(v)
    except OverflowError:
        raise CircuitError(f"output {name!r} is the integer {_shown(v)}, too large for float64; "
                           "call the compiled circuit with a dict to get it exactly") from None


def _evaluate_method(self, *values, **kwargs) -> dict:
    """Evaluate every output; see :func:`circuits.evaluate`."""
    if len(values) > 1:
        raise CircuitError(f"evaluate takes one mapping of input values or keywords, got {len(values)} "
                           f"positional values; name them: c.evaluate({', '.join(f'{x}=...' for x in list(self.inputs)[:3])})")
    return evaluate(self, *values, **kwargs)


Circuit.evaluate = _evaluate_method


def compile(circuit: Circuit, *, backend: str = "engine"):  # noqa: A001 - the public name asked for
    """Compile a circuit for repeated evaluation.

    The tape and the Python source are made on first need (``f.source``
    shows the Python); see :class:`CompiledCircuit`.

    Parameters
    ----------
    circuit : Circuit
    backend : {"engine", "c"}
        ``"engine"``: the tape engine for floats (numba when installed), generated Python for
        exact and symbolic values.  ``"c"``: C source from :func:`circuits.to_c`, built by the
        system C compiler and loaded (floats only; :func:`circuits.compile_c`).  Both give
        results bit-identical to :func:`evaluate` with floats.

    Examples
    --------
    >>> import circuits
    >>> f = circuits.compile(circuits.parse("exp(x) * y + y"))
    >>> f(x=0.0, y=2.0)
    {'f': 4.0}
    >>> f.function("float")(0.0, 2.0)
    (4.0,)
    """
    if backend == "c":
        return compile_c(circuit)
    if backend != "engine":
        raise CircuitError(f"compile(): unknown backend {backend!r}; choose 'engine' (the default) or 'c'")
    return CompiledCircuit(circuit)
