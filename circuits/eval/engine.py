"""A compiled tape engine: a circuit as a flat instruction tape run by numba kernels.

:func:`tape` converts a circuit once into flat arrays: an opcode per gate,
argument slots in CSR form (``argp``, ``args``), a weight per argument (wire
weights of ``add``), the slot each result goes to, and the constants.  Gates
that no output needs are dropped, gates on constants alone are folded to the
values the float interpreter computes for them, and slots are reused after a
value's last use, so a batch keeps only the live values.  The conversion is
linear: numpy reads the circuit's arrays in bulk and two compiled sweeps
(:func:`_analyse`, :func:`_allocate`) do what is sequential.

Opcodes are derived from the gate registry (:data:`circuits.core.gates.GATES`):
every built-in gate gets the opcode of its position in the registry, and the
kernels' branches are generated from each gate's scalar ``num`` function, so
there is no second gate table.  Gates registered by users have no kernel; a
circuit using one is evaluated by the interpreter.

Two kernels (numba, ``error_model="numpy"``), compiled lazily and cached on
disk in the user's cache folder (:func:`cache_dir`, never inside the package;
:func:`load_module` says why a planted, damaged or shared cache is never
used): :func:`run` evaluates a batch in blocks of
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

import builtins
import contextlib
import hashlib
import inspect
import math
import os
import stat
import sys
import tempfile
import threading
import types
import warnings
from fractions import Fraction
from itertools import chain
from typing import Any, Optional

import numpy as np

from ..core.circuit import Circuit
from ..core.folding import MAX_EXACT_BITS
from ..core.gates import BUILTIN, GATES

__all__ = ["Tape", "tape", "kernel", "enabled", "warmup", "run", "run_point", "cache_dir", "load_module",
           "CacheWarning", "CACHE_ENV", "BLOCK"]

#: Points per block of a batch: a block's live slots stay in cache.
BLOCK = 256

OP_CONST = -1
OP_INPUT = -2


def _opcodes() -> dict:
    """Gate name → opcode: the built-in gates' positions in the registry (``input``, ``const``: negative)."""
    codes = {name: k for k, name in enumerate(n for n in GATES if n in BUILTIN)}
    codes.update(input=OP_INPUT, const=OP_CONST)
    return codes


_CODES = _opcodes()
# Indexed by opcode (the last two entries are input and const): gates that return an argument or
# a small int exactly (max, relu, sign, ...), and exact gates that round once on Python ints.
_SELECTS = np.array([GATES[name].selects for name in _CODES if _CODES[name] >= 0] + [False, False])
_ROUNDS = np.array([GATES[name].exact and not GATES[name].selects for name in _CODES if _CODES[name] >= 0]
                   + [False, False])
_WEIGHTED = np.array([GATES[name].weighted for name in _CODES if _CODES[name] >= 0] + [False, False])
_DEGREE = np.array([GATES[name].degree_of() if not GATES[name].constant_args else 1
                    for name in _CODES if _CODES[name] >= 0] + [1, 1], dtype=float)
# gates whose degree is a function of a constant argument (pow: |k|)
_POWERS = [(code, GATES[name]) for name, code in _CODES.items() if code >= 0 and GATES[name].constant_args]
_PLAIN = {int, float, Fraction}  # a numpy-scalar weight or constant makes numpy-scalar values


class Tape:
    """A circuit as flat arrays (see the module docstring).

    Attributes
    ----------
    opc : int64 array
        Opcode of each instruction (:data:`OP_CONST` for a constant).
    argp, args : int64 arrays
        Instruction ``t`` reads the slots ``args[argp[t]:argp[t + 1]]``.
    weights : float64 array
        The wire weight of each of ``args`` (1 where the gate has none).
    weighted : bool array
        Whether instruction ``t`` is a sum with wire weights.
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
        The kernels' arguments: the sizes (instructions, arguments, inputs,
        outputs, slots), then ``opc``, ``argp``, ``args``, ``dst``,
        ``weighted``, ``input_slots``, ``output_slots``; and ``weights``,
        ``consts`` (two arguments make a cheaper call than eleven).
    """

    def __init__(self, opc, argp, args, weights, weighted, dst, consts, input_slots, output_slots, n_slots,
                 int_outputs=False, constant_outputs=()):
        self.opc, self.argp, self.args, self.weights = opc, argp, args, weights
        self.weighted, self.dst, self.consts = weighted, dst, consts
        self.input_slots, self.output_slots, self.n_slots = input_slots, output_slots, n_slots
        self.int_outputs, self.constant_outputs = int_outputs, list(constant_outputs)
        # the kernel's arguments: the integer arrays after a header of sizes, then the float arrays
        self.code = np.concatenate([[len(opc), len(args), len(input_slots), len(output_slots), n_slots],
                                    opc, argp, args, dst, weighted, input_slots, output_slots]).astype(np.int64)
        self.fcode = np.concatenate([weights, consts]).astype(np.float64)

    @property
    def n_instructions(self) -> int:
        return len(self.opc)


def _analyse(opcode, argp, flat, wflat, const_of, int_const, selects, rounds, power, outputs, op_input, op_const):
    """Which nodes are live (some output needs them), fixed (computed from constants alone) and may be
    Python ints in the float interpreter (``maybe_int``); and whether a live gate that is not fixed
    may compute on exact ints beyond 2**53 (``max(x, 2**53) + 1 + 1``: the interpreter's exact sum,
    rounded once, differs from float arithmetic, so the tape is refused).  ``bound`` bounds the
    magnitude of the values that may be ints: ``power`` is a gate's power of its arguments (2 for
    ``square``, the exponent of ``pow``).  One sweep each way; run by numba when the engine is on.
    """
    n = opcode.shape[0]
    live = np.zeros(n, np.bool_)
    for k in range(outputs.shape[0]):
        live[outputs[k]] = True
    for i in range(n - 1, -1, -1):
        if live[i]:
            for r in range(argp[i], argp[i + 1]):
                live[flat[r]] = True
    fixed = np.zeros(n, np.bool_)
    maybe_int = np.zeros(n, np.bool_)
    bound = np.zeros(n)
    exact = False
    for i in range(n):
        op = opcode[i]
        if op == op_input:
            continue
        if op == op_const:
            fixed[i] = True
            maybe_int[i] = int_const[i]
            bound[i] = abs(const_of[i])
            continue
        p, q = argp[i], argp[i + 1]
        f = True
        all_int = q > p
        any_int = False
        b = 1.0
        w = 0.0
        for r in range(p, q):
            u = flat[r]
            f = f and fixed[u]
            all_int = all_int and maybe_int[u]
            any_int = any_int or maybe_int[u]
            b = max(b, bound[u]) if selects[i] else b * max(bound[u], 1.0)
            w += abs(wflat[r])
        fixed[i] = f
        if selects[i]:  # max, min, relu, ...: an argument or a small int, exactly
            maybe_int[i] = any_int
            bound[i] = b
        elif rounds[i] and all_int:
            maybe_int[i] = True
            bound[i] = w * b ** power[i]
            exact = exact or (live[i] and not f and not bound[i] <= 2.0 ** 53)
    return live, fixed, maybe_int, exact


def _allocate(opcode, argp, flat, wflat, inputs, outputs, op_input, op_const):
    """Liveness (constants are leaves), the last use of every value, and slots reused after it.

    Returns the instructions' arrays (opcode, node, argument pointers,
    argument slots, their weights, destination slot), the slot of every
    node and the number of slots.  Linear; run by numba when the engine is on.
    """
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
        last[outputs[k]] = n  # outputs are never freed
    slot = np.full(n, -1, np.int64)
    free = np.empty(n + 1, np.int64)
    n_free = 0
    n_slots = 0
    for k in range(inputs.shape[0]):
        slot[inputs[k]] = n_slots
        n_slots += 1
    opc = np.empty(n_instr, np.int64)
    node = np.empty(n_instr, np.int64)
    dst = np.empty(n_instr, np.int64)
    argp_out = np.zeros(n_instr + 1, np.int64)
    args = np.empty(n_args, np.int64)
    weights = np.empty(n_args, np.float64)
    t = 0
    a = 0
    for i in range(n):
        op = opcode[i]
        if op == op_input or not live[i]:
            continue
        if op != op_const:
            p, q = argp[i], argp[i + 1]
            for r in range(p, q):
                args[a] = slot[flat[r]]
                weights[a] = wflat[r]
                a += 1
        argp_out[t + 1] = a
        # the result's slot is taken before the arguments' slots are freed: a sum or product
        # accumulates in its slot while it still reads its arguments
        if n_free > 0:
            n_free -= 1
            s = free[n_free]
        else:
            s = n_slots
            n_slots += 1
        slot[i] = s
        opc[t] = op
        node[t] = i
        dst[t] = s
        t += 1
        if op != op_const:
            for r in range(argp[i], argp[i + 1]):  # free after last use
                u = flat[r]
                if last[u] == i:
                    last[u] = -2  # freed once, however often it is an argument
                    free[n_free] = slot[u]
                    n_free += 1
    return opc, node, argp_out, args, weights, dst, slot, max(n_slots, 1)




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


def _float_system(v):
    """A constant or weight as the float interpreter takes it."""
    return float(v) if type(v) is Fraction else v


def tape(circuit: Circuit, _sweeps=None) -> Optional[Tape]:
    """The circuit as a :class:`Tape`, or None when the engine cannot run it bit-identically.

    None when a gate has no kernel (a user's gate), a constant or weight is
    not an int, float or Fraction, a constant does not fit a float64, or a
    gate may compute on exact Python ints (``max(x, 1) * 3``): the
    interpreter evaluates those.  Gates on constants alone are folded as the
    interpreter computes them.  Linear time: the circuit's arrays are read
    by numpy in bulk and the sequential sweeps (:func:`_analyse`,
    :func:`_allocate`) run compiled when the engine is on.

    Examples
    --------
    >>> import circuits
    >>> t = tape(circuits.parse("exp(exp(exp(exp(x))))"))
    >>> t.n_instructions, t.n_slots, t.dst.tolist()
    (4, 2, [1, 0, 1, 0])
    """
    rec = circuit.record
    ops, argss, params = rec.ops, rec.args, rec.params
    n = len(ops)
    try:
        opcode = np.fromiter(map(_CODES.__getitem__, ops), np.int64, n)
    except KeyError:  # a user's gate: no kernel
        return None
    counts = np.fromiter(map(len, argss), np.int64, n)
    argp = np.zeros(n + 1, np.int64)
    np.cumsum(counts, out=argp[1:])
    flat = np.fromiter(chain.from_iterable(argss), np.int64, int(argp[-1]))
    wflat = np.ones(len(flat))
    sums = np.flatnonzero(_WEIGHTED[opcode]).tolist()
    weighted_nodes = [i for i in sums if params[i] is not None]
    if weighted_nodes:
        ws = list(chain.from_iterable(map(params.__getitem__, weighted_nodes)))
        if not set(map(type, ws)) <= _PLAIN:
            return None
        try:
            wflat[_ranges(argp, weighted_nodes)] = np.array(ws, dtype=float)
        except OverflowError:  # an int beyond float64: the interpreter's exact path
            return None
    const_nodes = np.flatnonzero(opcode == OP_CONST)
    values = list(map(rec.constants.__getitem__, const_nodes.tolist()))
    if not set(map(type, values)) <= _PLAIN:
        return None
    const_of = np.zeros(n)
    int_const = np.zeros(n, np.bool_)
    try:
        const_of[const_nodes] = np.array([float(v) for v in values], dtype=float)
    except OverflowError:  # an int beyond float64: the interpreter's exact path
        return None
    int_const[const_nodes] = [type(v) is int for v in values]
    weighted = np.zeros(n, np.bool_)
    weighted[weighted_nodes] = True
    inputs = np.fromiter(rec.inputs.values(), np.int64, len(rec.inputs))
    outputs = np.fromiter(rec.outputs.values(), np.int64, len(rec.outputs))
    if _sweeps is None:  # (the kernels' loader passes its own while it warms them up)
        _sweeps = (_ANALYSE, _ALLOCATE) if kernel() is not None else (_analyse, _allocate)
    analyse, allocate = _sweeps
    power = _DEGREE[opcode]
    for code, gate in _POWERS:
        pows = np.flatnonzero(opcode == code)
        if len(pows):
            (k,) = gate.constant_args  # the degree's constant, as the gate says
            power[pows] = [gate.degree_of((e,)) for e in const_of[flat[argp[pows] + k]].tolist()]
    live, fixed, maybe_int, exact = analyse(opcode, argp, flat, wflat, const_of, int_const, _SELECTS[opcode],
                                            _ROUNDS[opcode], power, outputs, OP_INPUT, OP_CONST)
    if exact:
        return None
    folded = np.flatnonzero(live & fixed & (opcode != OP_CONST)).tolist()
    if folded:
        if _fold(rec, folded, const_of) is None:
            return None
        opcode[folded] = OP_CONST
    opc, node, argp, args, weights, dst, slot, n_slots = allocate(
        opcode, argp, flat, wflat, inputs, outputs, OP_INPUT, OP_CONST)
    return Tape(opc, argp, args, weights, weighted[node], dst, const_of[node], slot[inputs], slot[outputs],
                int(n_slots), bool((maybe_int[outputs] & ~fixed[outputs]).any()),
                np.flatnonzero(fixed[outputs]).tolist())


def _ranges(argp: np.ndarray, nodes: list) -> np.ndarray:
    """The concatenated index ranges ``argp[i]:argp[i + 1]`` of ``nodes``, without a Python loop."""
    at = np.asarray(nodes)
    starts, lengths = argp[at], argp[at + 1] - argp[at]
    offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
    return np.arange(int(lengths.sum())) + offsets


def enabled() -> bool:
    """Whether compiled kernels are used (numba installed and ``CIRCUITS_ENGINE`` is not ``python``)."""
    if os.environ.get("CIRCUITS_ENGINE", "").lower() == "python":
        return False
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


# The kernels' first lines: the tape packed in two arrays (see Tape), as few arguments make a cheap call.
_UNPACK = [
    "    n_instr, n_args, n_in, n_out, n_slots = code[0], code[1], code[2], code[3], code[4]",
    "    o = 5",
    "    opc = code[o:o + n_instr]",
    "    o += n_instr",
    "    argp = code[o:o + n_instr + 1]",
    "    o += n_instr + 1",
    "    args = code[o:o + n_args]",
    "    o += n_args",
    "    dst = code[o:o + n_instr]",
    "    o += n_instr",
    "    weighted = code[o:o + n_instr]",
    "    o += n_instr",
    "    input_slots = code[o:o + n_in]",
    "    o += n_in",
    "    output_slots = code[o:o + n_out]",
    "    weights = fcode[:n_args]",
    "    consts = fcode[n_args:n_args + n_instr]",
]


def _point_source() -> str:
    """The one-point kernel's source, generated from the registry: the batch kernel's arithmetic on
    scalars (no block loops), for the lowest cost per instruction."""
    lines = [
        "def run_point(code, fcode, x, y):",
        *_UNPACK,
        "    S = np.empty(n_slots)",
        "    for k in range(n_in):",
        "        S[input_slots[k]] = x[k]",
        "    for t in range(n_instr):",
        "        op = opc[t]",
        "        p = argp[t]",
        "        if op == -1:",
        "            v = consts[t]",
    ]
    for name, code in _CODES.items():
        if code < 0:
            continue
        gate = GATES[name]
        lines.append(f"        elif op == {code}:  # {name}")
        if gate.monoid is not None:  # left to right, as the interpreter's fold
            fold = ["v = S[args[p]]", "for r in range(p + 1, argp[t + 1]):",
                    f"    v = v {gate.monoid.operator} S[args[r]]"]
            if gate.weighted:
                weighed = [x.replace("S[", "weights[p] * S[", 1) if k == 0 else
                           x.replace("S[", "weights[r] * S[") for k, x in enumerate(fold)]
                lines += ["            if weighted[t] != 0:", *("                " + x for x in weighed),
                          "            else:", *("                " + x for x in fold)]
            else:
                lines += ["            " + x for x in fold]
        elif gate.arity == 1:
            lines.append(f"            v = float(f_{name}(S[args[p]]))")
        elif gate.arity == 2:
            lines += ["            a1 = args[p + 1] if argp[t + 1] > p + 1 else args[p]",
                      f"            v = float(f_{name}(S[args[p]], S[a1]))"]
        else:
            lines.append("            return True")
    lines += [
        "        else:",
        "            return True",
        "        if not math.isfinite(v):",
        "            return True  # the caller re-evaluates with the interpreter",
        "        S[dst[t]] = v",
        "    for k in range(n_out):",
        "        y[k] = S[output_slots[k]]",
        "    return False",
    ]
    return "\n".join(lines) + "\n"


def _kernel_source() -> tuple:
    """The kernel's source, generated from the registry, and its globals."""
    env: dict[str, Any] = {"np": np, "math": math}
    lines = [
        "def run(code, fcode, X, Y, geometry):",
        *_UNPACK,
        "    xp, xk, yp, yk, n, block = geometry[0], geometry[1], geometry[2], geometry[3], geometry[4], geometry[5]",
        "    S = np.empty((n_slots, block))",
        "    T = np.empty(block)",
        "    for start in range(0, n, block):",
        "        b = min(block, n - start)",
        "        for k in range(input_slots.shape[0]):",
        "            s = input_slots[k]",
        "            for j in range(b):",
        "                S[s, j] = X[(start + j) * xp + k * xk]",
        "        for t in range(opc.shape[0]):",
        "            op = opc[t]",
        "            d = dst[t]",
        "            p, q = argp[t], argp[t + 1]",
        "            if op == -1:",
        "                c = consts[t]",
        "                for j in range(b):",
        "                    S[d, j] = c",
    ]
    for name, code in _CODES.items():
        if code < 0:
            continue
        gate = GATES[name]
        lines.append(f"            elif op == {code}:  # {name}")
        if gate.monoid is not None:
            # left to right, as the interpreter's fold; the partial results in T, which
            # does not alias S (so the loops vectorise), the last term straight into S[d]
            o = gate.monoid.operator
            first, term = (("w * S[a, j]", f"T[j] {o} w * S[a, j]") if gate.weighted else
                           ("S[a, j]", f"T[j] {o} S[a, j]"))
            weight = ["                    w = weights[r] if weighted[t] != 0 else 1.0"] if gate.weighted else []
            lines += [
                "                if q == p + 1:",
                "                    r = p",
                *weight,
                "                    a = args[p]",
                "                    for j in range(b):",
                f"                        S[d, j] = {first}",
                "                else:",
                "                    r = p",
                *weight,
                "                    a = args[p]",
                "                    for j in range(b):",
                f"                        T[j] = {first}",
                "                    for r in range(p + 1, q - 1):",
                *["    " + w for w in weight],
                "                        a = args[r]",
                "                        for j in range(b):",
                f"                            T[j] = {term}",
                "                    r = q - 1",
                *weight,
                "                    a = args[r]",
                "                    for j in range(b):",
                f"                        S[d, j] = {term}",
            ]
        elif gate.arity in (1, 2):
            env[f"f_{name}"] = gate.num
            call = f"f_{name}(S[a0, j])" if gate.arity == 1 else f"f_{name}(S[a0, j], S[a1, j])"
            lines += [
                "                a0 = args[p]",
                "                a1 = args[p + 1] if q > p + 1 else a0",
                "                for j in range(b):",
                f"                    S[d, j] = float({call})",
            ]
        else:
            lines += ["                return True"]
    lines += [
        "        for k in range(output_slots.shape[0]):",
        "            s = output_slots[k]",
        "            for j in range(b):",
        "                Y[(start + j) * yp + k * yk] = S[s, j]",
        "    return False",
    ]
    return "\n".join(lines) + "\n", env


_KERNEL: Any = None
_POINT_KERNEL: Any = None  # compiled
_ANALYSE: Any = None
_ALLOCATE: Any = None
_LOCK = threading.Lock()  # one thread loads the kernels; the others wait for them

#: Environment variable naming the kernel cache folder (overrides the platform's user cache folder).
CACHE_ENV = "CIRCUITS_CACHE_DIR"


class CacheWarning(RuntimeWarning):
    """The kernel cache folder cannot be used: the kernels are compiled in memory instead.

    Raised as a warning, once per problem and process, never as an error:
    evaluation goes on with kernels compiled for this process only (or the
    interpreter).  The message says what is wrong and what to do.
    """


CacheWarning.__module__ = "circuits.eval.engine"


def cache_dir() -> str:
    """The folder where compiled kernels are cached (nothing is created here).

    ``$CIRCUITS_CACHE_DIR`` when set; otherwise the platform's user cache
    folder: ``$XDG_CACHE_HOME/gradient-circuits`` (or
    ``~/.cache/gradient-circuits``) on Linux and other Unixes,
    ``~/Library/Caches/gradient-circuits`` on macOS,
    ``%LOCALAPPDATA%\\gradient-circuits`` on Windows.  Never inside the
    installed package.  The folder is created on first use with mode 0700 and
    is used only while it belongs to this user and nobody else can write to it
    (see :func:`load_module`).

    Examples
    --------
    >>> import os
    >>> os.environ["CIRCUITS_CACHE_DIR"] = "/some/folder"
    >>> cache_dir()
    '/some/folder'
    >>> del os.environ["CIRCUITS_CACHE_DIR"]
    >>> os.path.basename(cache_dir())
    'gradient-circuits'
    """
    given = os.environ.get(CACHE_ENV)
    if given:
        return os.path.abspath(os.path.expanduser(given))
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.join(os.path.expanduser("~"), "AppData", "Local")
    elif sys.platform == "darwin":
        base = os.path.join(os.path.expanduser("~"), "Library", "Caches")
    else:
        base = os.environ.get("XDG_CACHE_HOME", "")
        if not os.path.isabs(base):  # the XDG spec: a relative path is invalid and ignored
            base = os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "gradient-circuits")


_WARNED: set = set()


def _warn(key: str, text: str) -> None:
    """One :class:`CacheWarning` per problem (``key``) and process."""
    if key not in _WARNED:
        _WARNED.add(key)
        warnings.warn(text, CacheWarning, stacklevel=4)


def _private_folder(path: str) -> Optional[str]:
    """Create ``path`` (mode 0700) if missing; None if it is usable, else why it is not.

    Usable: a folder owned by this user that neither group nor others may
    write to.  A folder that fails is refused, never repaired: someone else
    may already have written to it.
    """
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
        st = os.stat(path)
    except (OSError, ValueError) as exc:
        return f"it cannot be created or read ({exc.__class__.__name__}: {exc})"
    if not stat.S_ISDIR(st.st_mode):
        return "it is not a folder"
    if hasattr(os, "getuid"):  # POSIX; on Windows the user's profile folders are private already
        if st.st_uid != os.getuid():
            return f"it is owned by another user (uid {st.st_uid})"
        if st.st_mode & 0o022:
            return (f"group or others may write to it (mode {stat.S_IMODE(st.st_mode):o}); "
                    f"run 'chmod 700 {path}' if it is yours, or remove it")
        if st.st_mode & 0o700 != 0o700:
            return f"this user may not read, write and enter it (mode {stat.S_IMODE(st.st_mode):o})"
    return None


def _cache_folder() -> Optional[str]:
    """The checked cache folder (see :func:`cache_dir`), or None after one :class:`CacheWarning`."""
    path = cache_dir()
    why = _private_folder(path)
    if why is None:
        why = _private_folder(os.path.join(path, "__pycache__"))  # numba's index and machine code
    if why is not None:
        _warn("folder:" + path, f"the kernel cache folder {path} is not used: {why}. The kernels are "
              f"compiled in memory for this process (slower start); set {CACHE_ENV} to a private "
              "folder to cache them on disk")
        return None
    return path


def _write_atomic(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` through a private temporary file renamed over it (removed on failure)."""
    fd, tmp = tempfile.mkstemp(prefix=os.path.basename(path) + ".", suffix=".tmp", dir=os.path.dirname(path))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _module_text() -> str:
    """The kernel as a module: numba's on-disk cache needs a source file."""
    source, env = _kernel_source()
    head = ["# Generated by circuits.engine from the gate registry; do not edit.",
            "import math", "import numba", "import numpy as np", "from circuits.core.gates import GATES", ""]
    for name, f in env.items():
        if name.startswith("f_"):
            gate = name[2:]
            if f in (abs, max, min):
                head.append(f"{name} = {f.__name__}")
            elif isinstance(f, type(math.exp)) and getattr(math, f.__name__, None) is f:
                head.append(f"{name} = math.{f.__name__}")  # type: ignore[union-attr]  # gates' num
            else:
                head.append(f"{name} = numba.njit(GATES[{gate!r}].num, error_model='numpy')")
    sweeps = "\n\n@numba.njit(error_model='numpy', cache=True)\n" + _point_source()
    sweeps += "".join("\n\n@numba.njit(cache=True)\n" + inspect.getsource(f) for f in (_analyse, _allocate))
    return ("\n".join(head) + "\n\n" + source.replace(
        "def run(", "@numba.njit(error_model='numpy', cache=True)\ndef run(", 1) + sweeps)



def _module_name(prefix: str, text: str) -> str:
    return prefix + hashlib.sha256(text.encode()).hexdigest()[:20]


def _exec_module(name: str, text: str, path: str):
    """A module of ``text`` (the verified text, never the file's) whose functions claim ``path``."""
    module = types.ModuleType(name)
    module.__file__ = path
    code = builtins.compile(text, path, "exec")
    sys.modules[name] = module  # numba's cache finds a kernel's module by name
    try:
        exec(code, module.__dict__)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def _numba_paths_inside(module, folder: str) -> bool:
    """Whether every cached numba function of ``module`` keeps its cache in ``folder``'s ``__pycache__``."""
    want = os.path.realpath(os.path.join(folder, "__pycache__"))
    for f in vars(module).values():
        cache = getattr(f, "_cache", None) if hasattr(f, "py_func") else None  # numba's dispatchers
        if cache is not None and type(cache).__name__ != "NullCache":
            where = getattr(cache, "_cache_path", None)  # numba's Cache; unknown → not trusted
            if where is None or os.path.realpath(where) != want:
                return False
    return True


def load_module(prefix: str, text: str, warm=None):
    """Run generated kernel source ``text`` as a module, cached in :func:`cache_dir`.

    The file is named ``prefix`` + a hash of ``text`` so that numba's on-disk
    cache (which finds a kernel by its module's file) is reused while the
    source is the same.  The rules, so that a cache can be neither planted nor
    go stale nor block evaluation:

    * the folder must be private (:func:`cache_dir`), else it is not used;
    * a cached file is used only if its bytes equal ``text``, else it is
      rewritten; the code run is always ``text`` itself, never what was read;
    * files are written to a private temporary file renamed into place, and
      the temporary file is removed if anything fails;
    * numba's cache files live in the folder's ``__pycache__``, nowhere else;
    * ``warm(module)`` compiles the kernels (or loads them from numba's
      cache) inside the same guard: a damaged numba cache is found here.

    Any failure falls back to compiling ``text`` in memory (numba's cache
    off) with one :class:`CacheWarning`.  Only a failure of that in-memory
    compilation itself is raised (the kernels' callers then use the
    interpreter, see :func:`kernel`).

    Examples
    --------
    >>> module = load_module("circuits_doc_", "def twice(u):\\n    return 2 * u\\n")
    >>> module.twice(21)
    42
    """
    name = _module_name(prefix, text)
    folder = _cache_folder()
    if folder is not None:
        path = os.path.join(folder, name + ".py")
        for attempt in (1, 2):
            try:
                return _cached_module(name, text, path, folder, warm)
            except Exception as exc:  # noqa: BLE001 - any failure of the cache: compile in memory
                sys.modules.pop(name, None)
                if attempt == 1 and not isinstance(exc, OSError):
                    _forget(folder, name)  # a damaged numba cache of this module: made afresh, once
                    continue
                _warn("module:" + name, f"the kernel cache {path} cannot be used ({exc.__class__.__name__}: "
                      f"{_short(exc)}); the kernels are compiled in memory for this process")
                break
    module = _exec_module(name, text.replace("cache=True", "cache=False"), f"<{name}>")
    if warm is not None:
        warm(module)
    return module


def _cached_module(name: str, text: str, path: str, folder: str, warm):
    """:func:`load_module`'s cached path; raises whatever goes wrong."""
    data = text.encode("utf-8")
    try:
        with open(path, "rb") as fh:
            same = fh.read(len(data) + 1) == data
    except FileNotFoundError:
        same = False
    if not same:  # missing, truncated, damaged or planted: the file becomes text again
        _write_atomic(path, data)
    try:  # imported now, so that its settings can be read before the module's decorators run
        import numba
        config: Any = numba.config
    except ImportError:
        config = None
    saved = getattr(config, "CACHE_DIR", None)
    if saved:  # $NUMBA_CACHE_DIR would send numba's files elsewhere: the folder's __pycache__ for these
        config.CACHE_DIR = ""
    try:
        module = _exec_module(name, text, path)
    finally:
        if saved:
            config.CACHE_DIR = saved
    if not _numba_paths_inside(module, folder):
        raise OSError(f"numba would keep its cache outside {folder}")
    if warm is not None:
        warm(module)
    return module


def _forget(folder: str, name: str) -> None:
    """Remove the cached module ``name`` and numba's files for it (what can be removed)."""
    pycache = os.path.join(folder, "__pycache__")
    with contextlib.suppress(OSError):
        doomed = [os.path.join(pycache, f) for f in os.listdir(pycache) if f.startswith(name + ".")]
        for f in doomed + [os.path.join(folder, name + ".py")]:
            with contextlib.suppress(OSError):
                os.unlink(f)


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return text if len(text) <= 200 else text[:197] + "..."


def _warm(module) -> None:
    """Compile (or load from numba's cache) the engine's kernels for the only types they are called with."""
    t = tape(warmup_circuit(), _sweeps=(module._analyse, module._allocate))
    assert t is not None  # the warm-up circuit is tiny: always taped
    module.run(t.code, t.fcode, np.ones(1), np.empty(1), np.array([1, 1, 1, 1, 1, 1], dtype=np.int64))
    module.run_point(t.code, t.fcode, np.ones(1), np.empty(1))


def kernel():
    """The compiled kernel (compiled lazily, cached on disk), or None when disabled.

    None too, after one :class:`CacheWarning`, when the kernels cannot be
    built at all (numba fails to compile them): the interpreter evaluates.
    """
    global _KERNEL, _POINT_KERNEL, _ANALYSE, _ALLOCATE
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
                _ANALYSE, _ALLOCATE = module._analyse, module._allocate
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
        _warn("build:" + what, f"{what}'s kernels could not be compiled ({exc.__class__.__name__}: {_short(exc)}); "
              "the interpreter runs instead (slower); CIRCUITS_ENGINE=python turns the compiled engine off")
        return None


def warmup_circuit() -> Circuit:
    """``f = exp(2x + 1)``: the small circuit whose evaluation compiles a kernel (its types do not
    depend on the circuit)."""
    return Circuit(("input", "const", "add", "exp"), ((), (), (0, 1), (2,)), (None, None, (2, 1), None),
                   {1: 1.0}, {0: "x"}, {"x": 0}, {"f": 3})


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
