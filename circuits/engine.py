"""A compiled tape engine: a circuit as a flat instruction tape run by one numba kernel.

:func:`tape` converts a circuit once into flat arrays: an opcode per gate,
argument slots in CSR form (``argp``, ``args``), a weight per argument (wire
weights of ``add``), the slot each result goes to, and the constants.  Slots
are reused after a value's last use, so a batch keeps only the live values.

Opcodes are derived from the gate registry (:data:`circuits.gates.GATES`):
every built-in gate gets the opcode of its position in the registry, and the
kernel's branches are generated from each gate's scalar ``num`` function, so
there is no second gate table.  Gates registered by users have no kernel; a
circuit using one is evaluated by the interpreter.

The kernel (numba, ``error_model="numpy"``) evaluates blocks of points, one
instruction at a time over a cache-sized block.  It reports whether any value
came out non-finite; the caller then re-evaluates with the interpreter, which
raises the same :class:`CircuitError` (or returns the same inf/nan) as before.

Without numba, or with the environment variable ``CIRCUITS_ENGINE=python``,
:func:`kernel` returns None and callers use the interpreter.

Examples
--------
>>> import circuits
>>> from circuits.engine import tape
>>> t = tape(circuits.parse("x * y + exp(x)"))
>>> t.n_instructions, t.n_slots
(3, 2)
"""

from __future__ import annotations

import hashlib
import importlib.util
import math
import os
import sys
from fractions import Fraction
from typing import Optional

import numpy as np

from .circuit import Circuit
from .gates import BUILTIN, GATES

__all__ = ["Tape", "tape", "kernel", "enabled", "warmup", "cache_dir", "BLOCK"]

#: Points per block of a batch: a block's live slots stay in cache.
BLOCK = 256

OP_CONST = -1


def _opcodes() -> dict:
    """Gate name → opcode: the built-in gates' positions in the registry."""
    return {name: k for k, name in enumerate(n for n in GATES if n in BUILTIN)}


class Tape:
    """A circuit as flat arrays (see the module docstring)."""

    def __init__(self, opc, argp, args, weights, weighted, dst, consts, input_slots, output_slots, n_slots):
        self.opc, self.argp, self.args, self.weights = opc, argp, args, weights
        self.weighted, self.dst, self.consts = weighted, dst, consts
        self.input_slots, self.output_slots, self.n_slots = input_slots, output_slots, n_slots

    @property
    def n_instructions(self) -> int:
        return len(self.opc)


def tape(circuit: Circuit) -> Optional[Tape]:
    """The circuit as a :class:`Tape`, or None when it uses a gate without an engine kernel."""
    rec = circuit.record
    codes = _opcodes()
    ops, argss, params = rec.ops, rec.args, rec.params
    if any(op not in codes and op not in ("input", "const") for op in ops):
        return None
    plain = (int, float, Fraction)  # a numpy-scalar weight or constant makes numpy-scalar values
    if any(type(v) not in plain for v in rec.constants.values() if v is not None) or any(
            w is not None and any(type(c) not in plain for c in w) for w in params):
        return None
    n = len(ops)
    last_use = [-1] * n
    for i, a in enumerate(argss):
        for u in a:
            last_use[u] = i
    for v in circuit.outputs.values():
        last_use[v] = n  # outputs are never freed
    fixed = [False] * n  # depends on constants only (an int circuit gives ints there)
    for i, op in enumerate(ops):
        fixed[i] = op == "const" or (op != "input" and all(fixed[u] for u in argss[i]))
    # max/min return one of their arguments: an int constant stays an int in Python
    maybe_int = list(fixed)
    for i, op in enumerate(ops):
        if op in ("max", "min") and any(maybe_int[u] for u in argss[i]):
            maybe_int[i] = True
        elif op not in ("input", "const") and argss[i] and all(maybe_int[u] for u in argss[i]):
            maybe_int[i] = True
    slot = [-1] * n
    free: list = []
    n_slots = 0

    def take():
        nonlocal n_slots
        if free:
            return free.pop()
        n_slots += 1
        return n_slots - 1

    for v in circuit.inputs.values():
        slot[v] = take()
    opc, argp, args, weights, weighted, dst, consts = [], [0], [], [], [], [], []
    for i, op in enumerate(ops):
        if op == "input":
            continue
        if op == "const":
            opc.append(OP_CONST)
            consts.append(float(rec.constants[i]))
            argp.append(len(args))
            weighted.append(False)
        else:
            a = argss[i]
            w = params[i] if GATES[op].weighted else None
            opc.append(codes[op])
            args.extend(slot[u] for u in a)
            weights.extend(float(c) for c in w) if w is not None else weights.extend([1.0] * len(a))
            argp.append(len(args))
            weighted.append(w is not None)
            consts.append(0.0)
            for u in set(a):  # free after last use; the result may take the slot
                if last_use[u] == i:
                    free.append(slot[u])
        slot[i] = take()
        dst.append(slot[i])
        if last_use[i] == -1:  # never used: free at once
            free.append(slot[i])
    i64 = np.int64
    t = Tape(np.array(opc, dtype=i64), np.array(argp, dtype=i64), np.array(args, dtype=i64),
                np.array(weights, dtype=float), np.array(weighted, dtype=np.bool_),
                np.array(dst, dtype=i64), np.array(consts, dtype=float),
                np.array([slot[v] for v in circuit.inputs.values()], dtype=i64),
                np.array([slot[v] for v in circuit.outputs.values()], dtype=i64), max(n_slots, 1))
    t.int_outputs = any(maybe_int[v] and not fixed[v] for v in circuit.outputs.values())
    t.constant_outputs = [k for k, v in enumerate(circuit.outputs.values()) if fixed[v]]
    return t


def enabled() -> bool:
    """Whether compiled kernels are used (numba installed and ``CIRCUITS_ENGINE`` is not ``python``)."""
    if os.environ.get("CIRCUITS_ENGINE", "").lower() == "python":
        return False
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def _kernel_source() -> tuple:
    """The kernel's source, generated from the registry, and its globals."""
    env = {"np": np, "math": math}
    lines = [
        "def run(opc, argp, args, weights, weighted, dst, consts, input_slots, output_slots, n_slots, X, Y, block):",
        "    n = X.shape[1]",
        "    S = np.empty((n_slots, block))",
        "    T = np.empty(block)",
        "    bad = False",
        "    for start in range(0, n, block):",
        "        b = min(block, n - start)",
        "        for k in range(input_slots.shape[0]):",
        "            s = input_slots[k]",
        "            for j in range(b):",
        "                S[s, j] = X[k, start + j]",
        "        for t in range(opc.shape[0]):",
        "            op = opc[t]",
        "            d = dst[t]",
        "            p, q = argp[t], argp[t + 1]",
        "            if op == -1:",
        "                c = consts[t]",
        "                for j in range(b):",
        "                    S[d, j] = c",
    ]
    for name, code in _opcodes().items():
        gate = GATES[name]
        lines.append(f"            elif op == {code}:  # {name}")
        if name == "add":  # left to right, as the interpreter's _sum (T: d may share a slot with an argument)
            lines += [
                "                if weighted[t]:",
                "                    w = weights[p]",
                "                    a = args[p]",
                "                    for j in range(b):",
                "                        T[j] = w * S[a, j]",
                "                    for r in range(p + 1, q):",
                "                        w = weights[r]",
                "                        a = args[r]",
                "                        for j in range(b):",
                "                            T[j] = T[j] + w * S[a, j]",
                "                else:",
                "                    a = args[p]",
                "                    for j in range(b):",
                "                        T[j] = S[a, j]",
                "                    for r in range(p + 1, q):",
                "                        a = args[r]",
                "                        for j in range(b):",
                "                            T[j] = T[j] + S[a, j]",
                "                for j in range(b):",
                "                    S[d, j] = T[j]",
            ]
        elif name == "mul":  # left to right, as the interpreter's reduce
            lines += [
                "                a = args[p]",
                "                for j in range(b):",
                "                    T[j] = S[a, j]",
                "                for r in range(p + 1, q):",
                "                    a = args[r]",
                "                    for j in range(b):",
                "                        T[j] = T[j] * S[a, j]",
                "                for j in range(b):",
                "                    S[d, j] = T[j]",
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
            lines += ["                bad = True"]
        continue
    lines += [
        "            for j in range(b):",
        "                if not math.isfinite(S[d, j]):",
        "                    bad = True",
        "        for k in range(output_slots.shape[0]):",
        "            s = output_slots[k]",
        "            for j in range(b):",
        "                Y[k, start + j] = S[s, j]",
        "    return bad",
    ]
    return "\n".join(lines) + "\n", env


_KERNEL = None


def cache_dir() -> str:
    """Where the generated kernel module and numba's cache live: the package's ``_engine_cache``,
    or the user cache directory (``$XDG_CACHE_HOME/circuits``) when the package is read-only."""
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_engine_cache")
    try:
        os.makedirs(here, exist_ok=True)
        if os.access(here, os.W_OK):
            return here
    except OSError:
        pass
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    path = os.path.join(base, "circuits")
    os.makedirs(path, exist_ok=True)
    return path


def _module_text() -> str:
    """The kernel as a module: numba's on-disk cache needs a source file."""
    source, env = _kernel_source()
    head = ["# Generated by circuits.engine from the gate registry; do not edit.",
            "import math", "import numba", "import numpy as np", "from circuits.gates import GATES", ""]
    for name, f in env.items():
        if name.startswith("f_"):
            gate = name[2:]
            if f in (abs, max, min):
                head.append(f"{name} = {f.__name__}")
            elif isinstance(f, type(math.exp)) and getattr(math, f.__name__, None) is f:
                head.append(f"{name} = math.{f.__name__}")
            else:
                head.append(f"{name} = numba.njit(GATES[{gate!r}].num, error_model='numpy')")
    return "\n".join(head) + "\n\n" + source.replace(
        "def run(", "@numba.njit(error_model='numpy', cache=True)\ndef run(", 1)


def kernel():
    """The compiled kernel (compiled lazily, cached on disk), or None when disabled."""
    global _KERNEL
    if not enabled():
        return None
    if _KERNEL is None:
        text = _module_text()
        name = "circuits_engine_" + hashlib.sha1(text.encode()).hexdigest()[:16]
        path = os.path.join(cache_dir(), name + ".py")
        if not os.path.exists(path):
            tmp = f"{path}.{os.getpid()}.tmp"
            with open(tmp, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, path)
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # numba's cache finds the kernel's module by name
        spec.loader.exec_module(module)
        _KERNEL = module.run
    return _KERNEL


def warmup() -> bool:
    """Compile the kernel now (cached on disk for later sessions); False when the engine is disabled."""
    if kernel() is None:
        return False
    i64 = np.int64
    empty = Tape(np.zeros(0, i64), np.zeros(1, i64), np.zeros(0, i64), np.zeros(0), np.zeros(0, np.bool_),
                 np.zeros(0, i64), np.zeros(0), np.zeros(1, i64), np.zeros(1, i64), 1)
    run(empty, np.ones((1, 1)))  # the kernel's types do not depend on the circuit
    return True


def run(t: Tape, X: np.ndarray, out: Optional[np.ndarray] = None):
    """Run the tape on inputs ``X`` (inputs × points); returns (outputs × points array, flagged)."""
    k = kernel()
    if out is None:
        out = np.empty((len(t.output_slots), X.shape[1]))
    bad = k(t.opc, t.argp, t.args, t.weights, t.weighted, t.dst, t.consts, t.input_slots,
            t.output_slots, t.n_slots, X, out, min(BLOCK, max(X.shape[1], 1)))
    return out, bad
