"""Compiled circuits: :func:`compile` and :class:`CompiledCircuit`.

A compiled circuit runs float points and numpy batches on the tape engine
(:mod:`circuits.eval.engine`) when numba is installed, and otherwise (and for
exact and symbolic values) straight-line Python generated from the circuit,
with the interpreter's results (see
:mod:`circuits.eval.interpreter` for the number systems).

Examples
--------
>>> import circuits
>>> from circuits.eval.compiled import compile
>>> compile(circuits.parse("x * y + 1"))(x=2.0, y=3.0)
{'f': 7.0}
"""

from __future__ import annotations

import builtins
import math
from typing import Any, Mapping, Optional

import numpy as np

from . import engine
from ..core.circuit import Circuit, check_circuit, check_registered
from ..core.errors import CircuitError, listing
from ..core.gates import GATES
from .c import compile_c
from .number_systems import (
    EVALUATION_ERRORS, batch_shape, broadcast_outputs, converter, engine_batch,
    gate_error, gate_functions, input_values, live_nodes, number_system, prepare_inputs, shown_value,
    too_deep_error, warn_nonfinite)

__all__ = ["compile", "CompiledCircuit"]

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
    check_registered(circuit)
    ops, argss, params = rec.ops, rec.args, rec.params
    constant = _constant_nodes(ops, argss)
    live = live_nodes(circuit)
    lines = ["def _circuit(" + ", ".join(f"v{v}" for v in circuit.inputs.values()) + "):"]
    where = [None]
    consts: list = []  # values referenced as k0, k1, ... (kept exact per number system)
    last_use = _last_uses(circuit, live)

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
        text = _gate_text(op, [f"v{u}" for u in a], params[i], guarded or bool(constant[i]), k)
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


def _constant_nodes(ops, argss) -> bytearray:
    """1 for the nodes computed from constants alone, else 0."""
    constant = bytearray(len(ops))
    for i, a in enumerate(argss):
        constant[i] = ops[i] == "const" or (bool(a) and all(constant[u] for u in a))
    return constant


def _last_uses(circuit: Circuit, live) -> dict:
    """Node → the last live node that reads it (past the end for an output: never deleted)."""
    last_use = {}
    for i, a in enumerate(circuit.record.args):
        if live[i]:
            for u in a:
                last_use[u] = i
    for v in circuit.outputs.values():
        last_use[v] = len(circuit.record.ops)  # never deleted
    return last_use


def _gate_text(op: str, names: list, params, guarded: bool, k):
    """A gate's expression in ``names`` (a string or pieces): ``g_<op>(...)`` if it has no source, or if
    it grows exact values and ``guarded`` (exact inputs, or a node computed from constants alone)."""
    gate = GATES[op]
    if gate.source is None or (gate.growth is not None and guarded):
        return f"g_{op}({', '.join(names)})"
    if gate.weighted:
        return gate.source(*names, weights=params, const=k, chunk=_CHUNK)
    return gate.source(*names)


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
        # the gates compiled in: a gate unregistered or replaced later is refused (see _check_gates)
        self._gates = {op: GATES[op] for op in circuit.gate_kinds()}
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
            except EVALUATION_ERRORS:
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
        return None if tape is None else engine_batch(tape, self.circuit, xs)

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
            conv = converter(system)
            env = {f"g_{name}": f for name, f in gate_functions(system).items()}
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
            raise too_deep_error(self.circuit) from None
        except EVALUATION_ERRORS as exc:
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
        xs = input_values(self.circuit, values, kwargs)
        if all(type(x) is float for x in xs):  # the common case, checked quickly
            system = "float"
            fast = self._point(xs)
        else:
            system = number_system(xs)
            xs = prepare_inputs(system, xs)
            fast = None
            if system == "numpy":
                batch_shape(xs)  # one clear error for shapes that do not broadcast
                fast = self._batch(xs)
        if fast is not None:
            return fast
        outputs = dict(zip(self.circuit.outputs, self._interpret(system, xs)))
        if system == "numpy":
            outputs = broadcast_outputs(outputs, batch_shape(xs))
            warn_nonfinite(xs, outputs)
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
        return self._array(x, out, tape)

    def _array(self, x, out: Optional[np.ndarray], tape) -> np.ndarray:
        """:meth:`array` past its quick path: any array-like ``x`` and ``out``, on ``tape`` if not None."""
        n_out = len(self.circuit.outputs)
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
                warn_nonfinite(xs, {name: Y[:, k] for k, name in enumerate(self.circuit.outputs)})
            return Y
        return self._array_interpreted(X, Y)

    def _array_interpreted(self, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
        """Write the generated function's outputs at the point or rows ``X`` into ``Y``."""
        names = list(self.circuit.outputs)
        if X.ndim == 1:
            for k, v in enumerate(self._interpret("float", X.tolist())):
                Y[k] = _as_float(v, names[k])
            return Y
        xs = [X[:, k] for k in range(X.shape[1])]
        outputs = broadcast_outputs(dict(zip(names, self._interpret("numpy", xs))), (X.shape[0],))
        for k, v in enumerate(outputs.values()):
            Y[:, k] = v
        warn_nonfinite(xs, outputs)
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
        raise CircuitError(f"output {name!r} is the integer {shown_value(v)}, too large for float64; "
                           "call the compiled circuit with a dict to get it exactly") from None


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
