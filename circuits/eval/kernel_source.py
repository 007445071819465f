"""The engine's kernels as source generated from the gate registry (see :mod:`circuits.eval.engine`).

Every built-in gate gets the opcode of its position in the registry, and the
kernels' branches are written from each gate's declaration: a variadic gate
with a monoid folds its arguments left to right (with wire weights where it
has them), a unary or binary gate calls its scalar ``num`` function.  There
is no second gate table.  :func:`batch_source` writes the batch kernel,
:func:`point_source` the one-point kernel, both from one unpacking of the
tape (:data:`UNPACK`); :func:`module_text` makes them a module numba caches.

Examples
--------
>>> CODES["input"], CODES["const"], CODES["add"] >= 0
(-2, -1, True)
>>> point_source().splitlines()[0]
'def run_point(code, fcode, x, y):'
"""

from __future__ import annotations

import inspect
import math
from typing import Any

import numpy as np

from ..core.gates import BUILTIN, GATES

__all__ = ["OP_CONST", "OP_INPUT", "CODES", "opcodes", "kernel_gates", "UNPACK", "point_source", "batch_source",
           "module_text"]

OP_CONST = -1
OP_INPUT = -2


def opcodes() -> dict:
    """Gate name → opcode: the built-in gates' positions in the registry (``input``, ``const``: negative)."""
    codes = {name: k for k, name in enumerate(n for n in GATES if n in BUILTIN)}
    codes.update(input=OP_INPUT, const=OP_CONST)
    return codes


CODES = opcodes()


def kernel_gates() -> list:
    """The gates the kernels run, as ``(opcode, name, gate)`` in opcode order (``input`` and ``const`` left out)."""
    return [(code, name, GATES[name]) for name, code in CODES.items() if code >= 0]


# The kernels' first lines: the tape packed in two arrays (see Tape), as few arguments make a cheap call.
UNPACK = [
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


def point_source() -> str:
    """The one-point kernel's source, generated from the registry: the batch kernel's arithmetic on
    scalars (no block loops), for the lowest cost per instruction."""
    lines = [
        "def run_point(code, fcode, x, y):",
        *UNPACK,
        "    S = np.empty(n_slots)",
        "    for k in range(n_in):",
        "        S[input_slots[k]] = x[k]",
        "    for t in range(n_instr):",
        "        op = opc[t]",
        "        p = argp[t]",
        "        if op == -1:",
        "            v = consts[t]",
    ]
    for code, name, gate in kernel_gates():
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


def batch_source() -> tuple:
    """The kernel's source, generated from the registry, and its globals."""
    env: dict[str, Any] = {"np": np, "math": math}
    lines = [
        "def run(code, fcode, X, Y, geometry):",
        *UNPACK,
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
    for code, name, gate in kernel_gates():
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


def module_text(sweeps) -> str:
    """The kernels as a module (numba's on-disk cache needs a source file), followed by the plain
    functions ``sweeps`` (their source), each compiled by numba too."""
    source, env = batch_source()
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
    tail = "\n\n@numba.njit(error_model='numpy', cache=True)\n" + point_source()
    tail += "".join("\n\n@numba.njit(cache=True)\n" + inspect.getsource(f) for f in sweeps)
    return ("\n".join(head) + "\n\n" + source.replace(
        "def run(", "@numba.njit(error_model='numpy', cache=True)\ndef run(", 1) + tail)
