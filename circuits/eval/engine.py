"""A compiled tape engine: a circuit as a flat instruction tape run by numba kernels.

:func:`tape` converts a circuit once into flat arrays: an opcode per gate,
argument slots in CSR form (``argp``, ``args``), a weight per argument (wire
weights of ``add``), the slot each result goes to, and the constants.  Gates
that no output needs are dropped, gates on constants alone are folded to the
values the float interpreter computes for them, and slots are reused after a
value's last use, so a batch keeps only the live values.  The conversion is
linear: numpy reads the circuit's arrays in bulk and compiled sweeps
(:func:`_liveness`, :func:`_analyse`, :func:`_allocate`) do what is sequential.

Opcodes are derived from the gate registry (:data:`circuits.core.gates.GATES`):
every built-in gate gets the opcode of its position in the registry, and the
kernels' branches are generated from each gate's scalar ``num`` function
(:mod:`circuits.eval.kernel_source`), so there is no second gate table.
Gates registered by users have no kernel; a circuit using one is evaluated
by the interpreter.

Two kernels (numba, ``error_model="numpy"``), compiled lazily and cached on
disk in the user's cache folder (:func:`cache_dir`, never inside the package;
:func:`load_module` says why a planted, damaged or shared cache is never
used; both are in :mod:`circuits.eval.kernel_cache`): :func:`run` evaluates a batch in blocks of
:data:`BLOCK` points, one instruction at a time over a block; :func:`run_point`
evaluates one point on scalars.  The point kernel reports whether any value
came out non-finite; the caller then re-evaluates with the interpreter, which
raises the same :class:`CircuitError` (or returns the same inf/nan) as before.
The batch kernel computes every point on its own with IEEE arithmetic (nan
or ±inf where the float interpreter raises), so that a point's value never
depends on the other points of its batch.

Without numba, or with the environment variable ``CIRCUITS_ENGINE=python``,
:func:`kernel` returns None and callers use the interpreter.

Examples
--------
>>> import circuits
>>> from circuits.eval.engine import tape
>>> t = tape(circuits.parse("x * y + exp(x)"))
>>> t.n_instructions, t.n_slots
(3, 3)
"""

from __future__ import annotations

import os
import sys
import threading
from fractions import Fraction
from functools import lru_cache
from typing import Any, Optional

import numpy as np

from ..core.circuit import Circuit
from ..core.folding import MAX_EXACT_BITS
from ..core.gates import GATES
from .kernel_cache import CACHE_ENV, CacheWarning, cache_dir, load_module, short_message, warn_once
from .kernel_source import CODES, OP_CONST, OP_INPUT, kernel_gates, module_text

__all__ = ["Tape", "tape", "kernel", "enabled", "warmup", "run", "run_point", "cache_dir", "load_module",
           "CacheWarning", "CACHE_ENV", "BLOCK"]

#: Points per block of a batch: a block's live slots stay in cache.
BLOCK = 256

_NO_KERNEL = -3  # a gate the kernels do not know

# Indexed by opcode (the last two entries are input and const): gates that return an argument or
# a small int exactly (max, relu, sign, ...), and exact gates that round once on Python ints.
_SELECTS = np.array([gate.selects for _, _, gate in kernel_gates()] + [False, False])
_ROUNDS = np.array([gate.exact and not gate.selects for _, _, gate in kernel_gates()] + [False, False])
_WEIGHTED = np.array([gate.weighted for _, _, gate in kernel_gates()] + [False, False])
# a gate's power of its arguments; NaN where a constant argument sets it (pow: |k|), per node (_plan)
_DEGREE = np.array([gate.degree_of() if not gate.constant_args else np.nan for _, _, gate in kernel_gates()]
                   + [1, 1], dtype=float)
_NO_INTS, _NO_FLOATS, _ONE_ZERO = np.zeros(0, np.int64), np.zeros(0), np.zeros(1, np.int64)  # (never written)
_PLAIN = {int, float, Fraction}  # a numpy-scalar weight or constant makes numpy-scalar values


class Tape:
    """A circuit as flat arrays (see the module docstring).

    The tape is two arrays, ``code`` and ``fcode``, the kernels' only
    arguments (two arguments make a cheaper call than eleven); the
    attributes below are views into them.

    Attributes
    ----------
    opc : int64 array
        Opcode of each instruction (:data:`OP_CONST` for a constant).
    argp, args : int64 arrays
        Instruction ``t`` reads the slots ``args[argp[t]:argp[t + 1]]``.
    weights : float64 array
        The wire weight of each of ``args`` (1 where the gate has none).
    weighted : int64 array
        Whether instruction ``t`` is a sum with wire weights (1 or 0).
    dst : int64 array
        The slot instruction ``t`` writes.
    consts : float64 array
        The value of a constant instruction (0 for the others).
    input_slots, output_slots : int64 arrays
        The slots of the inputs and outputs, in order.
    n_slots : int
        Slots a point needs (values live at once).
    int_outputs : bool
        Whether an output may be a Python int in the interpreter (``max(x, 1)``).
    constant_outputs : list of int
        Positions of the outputs computed from constants alone.
    code, fcode : int64 and float64 arrays
        The sizes (instructions, arguments, inputs, outputs, slots), then
        ``opc``, ``argp``, ``args``, ``dst``, ``weighted``, ``input_slots``,
        ``output_slots``; and ``weights``, ``consts``.
    """

    def __init__(self, code: np.ndarray, fcode: np.ndarray, int_outputs: bool = False, constant_outputs=()):
        self.code, self.fcode = code, fcode
        n_instr, n_args, n_in, n_out, n_slots = code[:5].tolist()
        a = 5 + n_instr
        b = a + n_instr + 1
        c = b + n_args
        d = c + n_instr
        e = d + n_instr
        f = e + n_in
        self.opc, self.argp, self.args, self.dst = code[5:a], code[a:b], code[b:c], code[c:d]
        self.weighted, self.input_slots, self.output_slots = code[d:e], code[e:f], code[f:f + n_out]
        self.weights, self.consts = fcode[:n_args], fcode[n_args:]
        self.n_slots = n_slots
        self.int_outputs, self.constant_outputs = int_outputs, list(constant_outputs)

    @property
    def n_instructions(self) -> int:
        return len(self.opc)


def _prepare(table, codes, argp, argflat, wnodes, wptr, weighted, degree):
    """The record's arrays as the sweeps read them, in one pass: per node its opcode (``table`` of its
    op code), degree (``degree`` by opcode) and where its wire weights start (-1: none, or a gate that
    reads none); the arguments as int64.  ``ok`` is False unless each weighted node has one weight per
    argument."""
    n = codes.shape[0]
    opcode = np.empty(n, np.int64)
    power = np.empty(n, np.float64)
    wstart = np.empty(n, np.int64)
    for v in range(n):
        o = table[codes[v]]
        opcode[v] = o
        power[v] = degree[o]
        wstart[v] = -1
    ok = True
    for i in range(wnodes.shape[0]):
        v = wnodes[i]
        if wptr[i + 1] - wptr[i] != argp[v + 1] - argp[v]:
            ok = False
        elif weighted[opcode[v]]:
            wstart[v] = wptr[i]
    flat = np.empty(argflat.shape[0], np.int64)
    for j in range(argflat.shape[0]):
        flat[j] = argflat[j]
    return ok, opcode, power, wstart, flat


def _liveness(opcode, argp, flat, outputs, op_input, op_const):
    """Which nodes some output needs (constants are leaves), the last gate that reads each (outputs:
    ``n``, never freed), and the number of instructions and of their arguments.  One sweep back."""
    n = opcode.shape[0]
    live = np.zeros(n, np.bool_)
    for k in range(outputs.shape[0]):
        live[outputs[k]] = True
    n_instr = 0
    n_args = 0
    last = np.full(n, -1, np.int64)
    for i in range(n - 1, -1, -1):
        if live[i] and opcode[i] != op_input:
            n_instr += 1
            if opcode[i] != op_const:
                n_args += argp[i + 1] - argp[i]
                for r in range(argp[i], argp[i + 1]):
                    u = flat[r]
                    live[u] = True
                    if last[u] == -1:
                        last[u] = i
    for k in range(outputs.shape[0]):
        last[outputs[k]] = n
    return live, last, n_instr, n_args


def _analyse(opcode, argp, flat, wstart, wvals, const_of, int_const, selects, rounds, power, outputs, op_input, op_const):
    """:func:`_liveness`, then which live nodes are fixed (computed from constants alone) and may be
    Python ints in the float interpreter (``maybe_int``); and whether a live gate that is not fixed
    may compute on exact ints beyond 2**53 (``max(x, 2**53) + 1 + 1``: the interpreter's exact sum,
    rounded once, differs from float arithmetic, so the tape is refused).  ``bound`` bounds the
    magnitude of the values that may be ints: ``power`` is a gate's power of its arguments (2 for
    ``square``, the exponent of ``pow``).  Gate ``i``'s wire weights are ``wvals[wstart[i]:]`` (one per
    argument), or all 1 where ``wstart[i]`` is -1.  ``selects`` and ``rounds`` are indexed by opcode.
    A gate's arguments are read only until the answer is known.  Also returns the number of live gates
    computed from constants alone (to be folded), and whether a bound needed a ``power`` left NaN (read
    from a constant argument, which the caller then supplies).  Run by numba when the engine is on.
    """
    n = opcode.shape[0]
    live, last, n_instr, n_args = _liveness(opcode, argp, flat, outputs, op_input, op_const)
    fixed = np.zeros(n, np.bool_)
    maybe_int = np.zeros(n, np.bool_)
    bound = np.zeros(n)
    exact = False
    n_folded = 0
    unknown = False
    for i in range(n):
        op = opcode[i]
        if op == op_input or not live[i]:
            continue
        if op == op_const:
            fixed[i] = True
            maybe_int[i] = int_const[i]
            bound[i] = abs(const_of[i])
            continue
        p, q = argp[i], argp[i + 1]
        f = True
        if selects[op]:  # max, min, relu, ...: an argument or a small int, exactly
            any_int = False
            b = 1.0
            for r in range(p, q):
                u = flat[r]
                f = f and fixed[u]
                any_int = any_int or maybe_int[u]
                b = max(b, bound[u])
            maybe_int[i] = any_int
            bound[i] = b
        elif rounds[op]:  # exact on ints: the bound of the result where all arguments may be ints
            ws = wstart[i]
            all_int = q > p
            b = 1.0
            w = 0.0
            for r in range(p, q):
                u = flat[r]
                f = f and fixed[u]
                all_int = all_int and maybe_int[u]
                if not (f or all_int):
                    break
                b = b * max(bound[u], 1.0)
                w += abs(wvals[ws + r - p]) if ws >= 0 else 1.0
            if all_int:
                maybe_int[i] = True
                bound[i] = w * b ** power[i]
                unknown = unknown or power[i] != power[i]
                exact = exact or (not f and not bound[i] <= 2.0 ** 53)
        else:
            for r in range(p, q):
                if not fixed[flat[r]]:
                    f = False
                    break
        fixed[i] = f
        if f:
            n_folded += 1
    return live, last, n_instr, n_args, fixed, maybe_int, exact, n_folded, unknown


def _allocate(opcode, argp, flat, wstart, wvals, const_of, inputs, outputs, live, last, n_instr, n_args,
              op_input, op_const):
    """Slots reused after a value's last use, given :func:`_liveness` (``last`` is used up).

    Returns the tape's two arrays (see :class:`Tape`): ``code`` (the sizes,
    then opcodes, argument pointers, argument slots, destination slots,
    weighted flags, input and output slots) and ``fcode`` (the wire weights,
    then the constants).  Linear; run by numba when the engine is on.
    """
    n = opcode.shape[0]
    n_in, n_out = inputs.shape[0], outputs.shape[0]
    o_argp = 5 + n_instr
    o_args = o_argp + n_instr + 1
    o_dst = o_args + n_args
    o_weighted = o_dst + n_instr
    o_in = o_weighted + n_instr
    code = np.empty(o_in + n_in + n_out, np.int64)
    fcode = np.empty(n_args + n_instr, np.float64)
    slot = np.full(n, -1, np.int64)
    free = np.empty(n + 1, np.int64)
    n_free = 0
    n_slots = 0
    for k in range(n_in):
        slot[inputs[k]] = n_slots
        n_slots += 1
    code[o_argp] = 0
    t = 0
    a = 0
    for i in range(n):
        op = opcode[i]
        if op == op_input or not live[i]:
            continue
        p, q = argp[i], argp[i + 1]
        ws = wstart[i]
        if op != op_const:
            for r in range(p, q):
                code[o_args + a] = slot[flat[r]]
                fcode[a] = wvals[ws + r - p] if ws >= 0 else 1.0
                a += 1
        code[o_argp + t + 1] = a
        # the result's slot is taken before the arguments' slots are freed: a sum or product
        # accumulates in its slot while it still reads its arguments
        if n_free > 0:
            n_free -= 1
            s = free[n_free]
        else:
            s = n_slots
            n_slots += 1
        slot[i] = s
        code[5 + t] = op
        code[o_dst + t] = s
        code[o_weighted + t] = 1 if ws >= 0 else 0
        fcode[n_args + t] = const_of[i]
        t += 1
        if op != op_const:
            for r in range(p, q):  # free after last use
                u = flat[r]
                if last[u] == i:
                    last[u] = -2  # freed once, however often it is an argument
                    free[n_free] = slot[u]
                    n_free += 1
    for k in range(n_in):
        code[o_in + k] = slot[inputs[k]]
    for k in range(n_out):
        code[o_in + n_in + k] = slot[outputs[k]]
    code[0] = n_instr
    code[1] = n_args
    code[2] = n_in
    code[3] = n_out
    code[4] = max(n_slots, 1)
    return code, fcode


def _fold(rec, nodes, const_of: np.ndarray) -> Optional[dict]:
    """The float interpreter's values of the live gates computed from constants alone (Python ints
    stay exact, Fractions become floats), so the tape holds them as constants, bit for bit; None when
    one fails (the interpreter raises the error) or is an int too large for this quick path."""
    values: dict = {}
    for i in nodes:
        args = [values[u] if u in values else _float_system(rec.constants[u]) for u in rec.args[i]]
        gate = GATES[rec.ops[i]]
        if gate.result_bits(args) > MAX_EXACT_BITS:  # the interpreter's guard raises
            return None
        try:
            if gate.weighted:
                w = rec.params[i]
                v = gate.num(*args, weights=None if w is None else tuple(map(_float_system, w)))  # type: ignore[misc]  # a registered gate has num (register() checks)
            else:
                v = gate.num(*args)  # type: ignore[misc]  # a registered gate has num (register() checks)
            const_of[i] = float(v)
        except (ValueError, ZeroDivisionError, OverflowError, ArithmeticError, TypeError):
            return None
        values[i] = v
    return values


def _floats(values: list) -> np.ndarray:
    """``values`` (ints, floats, Fractions) as float64, each as ``float(v)``; OverflowError beyond float64.

    A Fraction converts slowly (~1 µs), and a record's weights repeat a few
    Fraction objects (``1/n`` on every wire of a mean): each distinct object
    is converted once.
    """
    if Fraction not in set(map(type, values)):
        return np.array(values, dtype=float)
    ids = np.fromiter(map(id, values), np.int64, len(values))  # the list keeps every object alive
    _, first, at = np.unique(ids, return_index=True, return_inverse=True)
    return np.array([float(values[i]) for i in first.tolist()], dtype=float)[at.ravel()]


def _float_system(v):
    """A constant or weight as the float interpreter takes it."""
    return float(v) if type(v) is Fraction else v


def _plan(table, codes, argp, argflat, wnodes, wptr, weighted, degree, pow_nodes, pow_degree, wvals, const_of,
          int_const, selects, rounds, inputs, outputs, op_input, op_const):
    """:func:`_prepare` (then the degrees ``pow_degree`` of the nodes ``pow_nodes``, which ``degree`` leaves
    NaN), :func:`_analyse` and :func:`_allocate` in one call: what :func:`tape` computes, less its
    Python steps (one compiled call: a small circuit's conversion is mostly calls).

    Returns ``status`` (0: ``code`` and ``fcode`` are the tape's arrays; 1: the tape is refused, for a
    node with a weight count unlike its argument count or a gate that may compute on exact ints beyond
    2**53; 2: live gates on constants alone are to be folded first, with ``opcode``, ``flat``, ``wstart``,
    ``live`` and ``fixed``; 3: a bound needs the degree of a node left NaN, to be passed in
    ``pow_nodes``), whether an output that is not fixed may be a Python int, and per output whether it
    is fixed (computed from constants alone).
    """
    ok, opcode, power, wstart, flat = _prepare(table, codes, argp, argflat, wnodes, wptr, weighted, degree)
    for k in range(pow_nodes.shape[0]):
        power[pow_nodes[k]] = pow_degree[k]
    live, last, n_instr, n_args, fixed, maybe_int, exact, n_folded, unknown = _analyse(
        opcode, argp, flat, wstart, wvals, const_of, int_const, selects, rounds, power, outputs, op_input, op_const)
    n_out = outputs.shape[0]
    fixed_out = np.empty(n_out, np.bool_)
    int_out = False
    for k in range(n_out):
        fixed_out[k] = fixed[outputs[k]]
        int_out = int_out or (maybe_int[outputs[k]] and not fixed_out[k])
    status = 1 if not ok else 3 if unknown else 1 if exact else 2 if n_folded else 0
    if status == 0:
        code, fcode = _allocate(opcode, argp, flat, wstart, wvals, const_of, inputs, outputs, live, last, n_instr,
                                n_args, op_input, op_const)
    else:
        code, fcode = np.empty(0, np.int64), np.empty(0, np.float64)
    return status, code, fcode, int_out, fixed_out, opcode, flat, wstart, live, fixed


# tape()'s sweeps, compiled with the kernels: the three it calls, then those _plan calls
_TAPE_SWEEPS = (_plan, _liveness, _allocate, _prepare, _analyse)


def tape(circuit: Circuit, _sweeps=None) -> Optional[Tape]:
    """The circuit as a :class:`Tape`, or None when the engine cannot run it bit-identically.

    None when a gate has no kernel (a user's gate), a constant or weight is
    not an int, float or Fraction, a constant does not fit a float64, or a
    gate may compute on exact Python ints (``max(x, 1) * 3``): the
    interpreter evaluates those.  Gates on constants alone are folded as the
    interpreter computes them.  Linear time: the circuit's arrays are read
    in bulk and the sequential sweeps (:func:`_plan`: :func:`_prepare`,
    :func:`_analyse`, :func:`_allocate`; and :func:`_liveness` after a fold)
    run compiled when the engine is on.

    Examples
    --------
    >>> import circuits
    >>> t = tape(circuits.parse("exp(exp(exp(exp(x))))"))
    >>> t.n_instructions, t.n_slots, t.dst.tolist()
    (4, 2, [1, 0, 1, 0])
    """
    a = circuit.arrays  # read in bulk: no tuple per node
    known, table = _code_table(tuple(a.op_names))
    if not known and (table[a.codes] == _NO_KERNEL).any():  # a user's gate: no kernel
        return None
    wvals = _weight_values(a.weights)
    if wvals is None:
        return None
    constants = circuit.constants
    values = list(constants.values())
    if not set(map(type, values)) <= _PLAIN:
        return None
    if _sweeps is None:  # (the kernels' loader passes its own while it warms them up)
        _sweeps = _SWEEPS if kernel() is not None else _TAPE_SWEEPS
    plan, liveness, allocate = _sweeps[:3]
    argp, w = a.argptr, a.weights
    # (an empty map's arrays are read-only, which numba would compile another version for)
    wnodes, wptr = (w.nodes, w.ptr) if w.nodes.size else (_NO_INTS, _ONE_ZERO)
    n = len(a.codes)
    const_of = np.zeros(n)
    int_const = np.zeros(n, np.bool_)
    if values:
        const_nodes = np.fromiter(constants, np.int64, len(values))
        try:
            const_of[const_nodes] = _floats(values)
        except OverflowError:  # an int beyond float64: the interpreter's exact path
            return None
        int_const[const_nodes] = [type(v) is int for v in values]
    inputs = np.fromiter(circuit.inputs.values(), np.int64, len(circuit.inputs))
    outputs = np.fromiter(circuit.outputs.values(), np.int64, len(circuit.outputs))
    def plan_with(pow_nodes, pow_degree):
        return plan(table, a.codes, argp, a.argflat, wnodes, wptr, _WEIGHTED, _DEGREE, pow_nodes, pow_degree, wvals,
                    const_of, int_const, _SELECTS, _ROUNDS, inputs, outputs, OP_INPUT, OP_CONST)

    status, code, fcode, int_out, fixed_out, opcode, flat, wstart, live, fixed = plan_with(_NO_INTS, _NO_FLOATS)
    if status == 3:  # rare: a power of exact ints, whose degree a constant argument sets
        status, code, fcode, int_out, fixed_out, opcode, flat, wstart, live, fixed = plan_with(
            *_degrees(a, table, const_of))
    if status == 1:
        return None
    if status == 2:  # rare: live gates on constants alone, folded as the interpreter computes them
        folded = np.flatnonzero(live & fixed & (opcode != OP_CONST)).tolist()
        if _fold(circuit.record, folded, const_of) is None:
            return None
        opcode[folded] = OP_CONST
        live, last, n_instr, n_args = liveness(opcode, argp, flat, outputs, OP_INPUT, OP_CONST)  # folded: leaves
        code, fcode = allocate(opcode, argp, flat, wstart, wvals, const_of, inputs, outputs, live, last, n_instr,
                               n_args, OP_INPUT, OP_CONST)
    return Tape(code, fcode, int_out, np.flatnonzero(fixed_out).tolist())


@lru_cache(maxsize=64)
def _code_table(op_names: tuple) -> tuple:
    """Whether the kernels know every op of a record's table, and the table as opcodes (circuits of one
    transform share one table)."""
    codes = [CODES.get(op, _NO_KERNEL) for op in op_names]
    return _NO_KERNEL not in codes, np.array(codes, np.int64)


def _degrees(a, table, const_of) -> tuple:
    """The nodes whose degree a constant argument sets (``pow``: ``|k|``), and their degrees, as their
    gates compute them from the constants' values ``const_of``."""
    nodes = np.flatnonzero(np.isnan(_DEGREE[table[a.codes]])).tolist()
    gates = [GATES[a.op_names[c]] for c in a.codes[nodes].tolist()]
    return np.array(nodes, np.int64), np.array(
        [float(g.degree_of(tuple(const_of[a.argflat[a.argptr[v] + k]] for k in g.constant_args)))
         for v, g in zip(nodes, gates)], np.float64)


def _weight_values(w) -> Optional[np.ndarray]:
    """The record's wire weights (a :class:`WeightMap`) as float64, node after node; None where a weight
    is not an int, float or Fraction, or is an int beyond float64 (the interpreter's exact path)."""
    if not w.nodes.size:
        return np.zeros(0)
    wvals = w.array()  # all ints within int64, or all floats: no Python number per weight
    if wvals is None:
        ws = w.flat()
        if not set(map(type, ws)) <= _PLAIN:
            return None
        try:
            return _floats(ws)
        except OverflowError:
            return None
    return wvals.astype(np.float64, copy=False)


def enabled() -> bool:
    """Whether compiled kernels are used (numba installed and ``CIRCUITS_ENGINE`` is not ``python``)."""
    if os.environ.get("CIRCUITS_ENGINE", "").lower() == "python":
        return False
    if "numba" in sys.modules:  # (asked on every tape: no import machinery once loaded)
        return sys.modules["numba"] is not None
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


_KERNEL: Any = None
_POINT_KERNEL: Any = None  # compiled
_SWEEPS: Any = None  # compiled: _TAPE_SWEEPS
_LOCK = threading.Lock()  # one thread loads the kernels; the others wait for them


def _module_text() -> str:
    """The kernels as a module (numba's on-disk cache needs a source file), with the tape's sweeps."""
    return module_text(_TAPE_SWEEPS)


def _warm(module) -> None:
    """Compile (or load from numba's cache) the engine's kernels for the only types they are called with."""
    t = tape(warmup_circuit(), _sweeps=tuple(getattr(module, f.__name__) for f in _TAPE_SWEEPS))
    assert t is not None  # the warm-up circuit is tiny: always taped
    module.run(t.code, t.fcode, np.ones(1), np.empty(1), np.array([1, 1, 1, 1, 1, 1], dtype=np.int64))
    module.run_point(t.code, t.fcode, np.ones(1), np.empty(1))


def kernel():
    """The compiled kernel (compiled lazily, cached on disk), or None when disabled.

    None too, after one :class:`CacheWarning`, when the kernels cannot be
    built at all (numba fails to compile them): the interpreter evaluates.
    """
    global _KERNEL, _POINT_KERNEL, _SWEEPS
    if not enabled() or _FAILED:
        return None
    if _KERNEL is None:
        with _LOCK:
            if _KERNEL is None and not _FAILED:
                module = built("the evaluation engine", lambda: load_module("circuits_engine_", _module_text(),
                                                                            warm=_warm))
                if module is None:
                    return None
                _POINT_KERNEL = module.run_point
                _SWEEPS = tuple(getattr(module, f.__name__) for f in _TAPE_SWEEPS)
                _KERNEL = module.run
    return _KERNEL


_FAILED = False  # the engine's kernels could not be built in this process: the interpreter's turn


def built(what: str, load):
    """``load()``, or None after one :class:`CacheWarning` when it fails (the callers then interpret)."""
    global _FAILED
    try:
        return load()
    except Exception as exc:  # noqa: BLE001 - numba failing to compile: evaluate without it
        if what == "the evaluation engine":
            _FAILED = True
        warn_once("build:" + what, f"{what}'s kernels could not be compiled ({exc.__class__.__name__}: "
                  f"{short_message(exc)}); the interpreter runs instead (slower); CIRCUITS_ENGINE=python turns "
                  "the compiled engine off")
        return None


def warmup_circuit() -> Circuit:
    """``f = exp(2x + exp(1))``: the small circuit whose evaluation compiles a kernel (its types do not
    depend on the circuit), and the tape's sweeps, its fold of ``exp(1)`` included."""
    return Circuit(("input", "const", "exp", "add", "exp"), ((), (), (1,), (0, 2), (3,)),
                   (None, None, None, (2, 1), None), {1: 1.0}, {0: "x"}, {"x": 0}, {"f": 4})


def warmup() -> bool:
    """Compile the kernels now (cached on disk for later sessions); False when the engine is disabled."""
    if kernel() is None:
        return False
    # the kernels' types do not depend on the circuit: one small circuit compiles them all
    t = tape(warmup_circuit())
    assert t is not None  # the warm-up circuit is tiny: always taped
    run(t, np.ones((1, 1)), np.empty((1, 1)))
    run_point(t, np.ones(1), np.empty(1))
    return True


def run(t: Tape, X: np.ndarray, Y: np.ndarray) -> None:
    """Run the tape on points ``X`` (points × inputs) into ``Y`` (points × outputs), both float64.

    Either may be in C or Fortran order (``Y`` of a batch by outputs is
    ``Y.T`` of an outputs × points array, without a copy); others are copied,
    as is an ``X`` that shares memory with ``Y``.  Every point is computed on
    its own with IEEE arithmetic, as the float interpreter computes it where
    that does not raise: nan or ±inf where it raises (``log(-1.0)`` is nan,
    ``1 / 0.0`` is inf), never depending on the other points.  Callers check
    :func:`kernel` first.
    """
    n = X.shape[0]
    if n == 0:
        return
    if (not (X.flags.c_contiguous or X.flags.f_contiguous) or not X.flags.writeable
            or np.shares_memory(X, Y)):  # (a read-only array would make numba compile another kernel)
        X = np.array(X)
    target = Y if Y.flags.c_contiguous or Y.flags.f_contiguous else np.empty(Y.shape)
    xs, ys = X.strides, target.strides
    geometry = np.array([xs[0] >> 3, xs[1] >> 3, ys[0] >> 3, ys[1] >> 3, n, min(BLOCK, n)], dtype=np.int64)
    _KERNEL(t.code, t.fcode, X.ravel(order="K"), target.ravel(order="K"), geometry)
    if target is not Y:
        Y[...] = target


def run_point(t: Tape, x: np.ndarray, y: np.ndarray) -> bool:
    """One point: ``x`` and ``y`` contiguous writable 1-D float64 arrays (inputs, outputs).

    Returns True when some value came out non-finite: ``y`` is then incomplete
    and the caller re-evaluates with the interpreter (which raises the
    :class:`CircuitError` naming the gate, or returns the inf/nan).
    """
    return _POINT_KERNEL(t.code, t.fcode, x, y)
