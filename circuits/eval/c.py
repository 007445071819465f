"""C code for a circuit: :func:`to_c` writes it, :func:`compile_c` builds and loads it.

:func:`to_c` returns self-contained C99 source with two functions,

* ``void f(const double *x, double *y)`` — one point: the inputs in input order, the outputs
  in output order (``x`` and ``y`` must not overlap: outputs are written as soon as computed);
* ``void f_batch(const double *X, double *Y, long n)`` — ``n`` points, row-major (point ``i``
  reads ``X[i*n_in ...]`` and writes ``Y[i*n_out ...]``), spread over threads with OpenMP when
  the compiler has it and the batch is large (:data:`THREADS_FROM` points);

no global variables, no allocation, only ``<math.h>``.  One statement per gate, split into
functions of at most :data:`STATEMENTS_PER_FUNCTION` statements, so a compiler's time grows
linearly with the circuit.  Inside a function values are local variables (registers); a value
read by a later function is stored, where it is computed, in a stack array of the slots the
circuit needs at once (a slot is reused as soon as its value is dead) and read from there where
it is used; inputs are read from ``x`` where they are used and outputs written to ``y`` where
they are computed, so no value is copied only to be moved.  Sums are written as CasADi writes
them: a weight 1 is no multiplication, a weight -1 a subtraction (both exact in IEEE), and a
weight times a constant is folded into one literal (the same double product C would form).

Each gate is lowered from its ``formula`` in the registry, evaluated on C expressions
(:data:`C_FUNCTIONS`, one entry per elementary function), a variadic sum or product from its
declared monoid, left to right, and where the interpreter's float code is not the formula read
literally (the stable sigmoid, relu's signed zeros, ``u * u``) from its entry in :data:`C_GATES`.
With IEEE doubles, no fast-math and no contraction of ``a*b + c`` into a
fused multiply–add, every result is bit-identical to :func:`circuits.evaluate` with floats.

Examples
--------
>>> import circuits
>>> src = circuits.to_c(circuits.parse("x * sin(y) + 2*x"), name="f")
>>> for line in src.splitlines():
...     if line.startswith(("void", "    r")) and "return" not in line:
...         print(line)
    r0 = sin(x[1]);
    r0 = (x[0] * r0);
    r0 = (r0 + (2.0 * x[0]));
void f(const double *x, double *y)
void f_batch(const double *X, double *Y, long n)
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import subprocess
import tempfile
import warnings
from pathlib import Path
from typing import Optional

import numpy as np

from ..core.circuit import Circuit, check_circuit
from ..core.errors import CircuitError, EvaluationWarning, listing
from ..core.gates import GATES, Namespace
from .._version import __version__
from . import kernel_cache
from .number_systems import live_nodes

__all__ = ["to_c", "compile_c", "CCompiledCircuit", "C_FUNCTIONS", "C_GATES", "FLAGS", "THREADS_FROM",
           "STATEMENTS_PER_FUNCTION", "TOGETHER", "compiler"]

#: Statements per generated function (the point function calls them in order): small functions
#: keep the compiler fast (measured: a third of the time of 2,000-statement ones at -O2).
STATEMENTS_PER_FUNCTION = 128

#: Unary gates written side by side when they read the same node, so that the C compiler computes
#: them in one call (``sincos``: the same values as ``sin`` and ``cos``, in half the time).
TOGETHER = ("sin", "cos")

#: Batches of at least this many points run on all threads (OpenMP); smaller ones on one.
THREADS_FROM = 4096

#: Compiler flags: optimised, IEEE arithmetic kept exactly (no fast-math, no fused a*b+c).
FLAGS = ("-O2", "-std=c99", "-fPIC", "-shared", "-fno-fast-math", "-ffp-contract=off", "-fno-math-errno")


class _C:
    """A C expression of type double, built by a gate's formula with Python operators."""

    __slots__ = ("text", "value")

    def __init__(self, text: str, value: Optional[float] = None):
        self.text = text
        self.value = value  # the number, for a literal (constants fold into weighted sums)

    @staticmethod
    def of(value) -> "_C":
        if isinstance(value, _C):
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(value, "__float__"):
            raise CircuitError(f"the C backend cannot use {value!r} in a formula")
        return _C(_literal(float(value)), float(value))

    def _bin(self, op, other, right=False):
        other = _C.of(other)
        a, b = (other, self) if right else (self, other)
        return _C(f"({a.text} {op} {b.text})")

    def __add__(self, o): return self._bin("+", o)
    def __radd__(self, o): return self._bin("+", o, True)
    def __sub__(self, o): return self._bin("-", o)
    def __rsub__(self, o): return self._bin("-", o, True)
    def __mul__(self, o): return self._bin("*", o)
    def __rmul__(self, o): return self._bin("*", o, True)
    def __truediv__(self, o): return self._bin("/", o)
    def __rtruediv__(self, o): return self._bin("/", o, True)
    def __neg__(self): return _C(f"(-{self.text})")
    def __pos__(self): return self

    def __pow__(self, k):
        return _C(f"pow({self.text}, {_C.of(k).text})")

    def __bool__(self):
        raise CircuitError("a gate's formula branches on its arguments' values (if/and/or/comparisons), "
                           "which the C backend cannot lower; give the gate a formula built from the "
                           "namespace's functions (m.max, m.step, ...), or evaluate it with circuits.compile")


def _literal(c: float) -> str:
    """An exact C double literal (hexadecimal floats are C99)."""
    if c != c:
        return "(0.0/0.0)"
    if c in (float("inf"), float("-inf")):
        return "(1.0/0.0)" if c > 0 else "(-1.0/0.0)"
    if c == int(c) and abs(c) < 2 ** 53:
        text = f"{int(c)}.0"
        return "-0.0" if c == 0 and str(c).startswith("-") else text
    return float.hex(c)


def _call(name: str):
    return lambda *a: _C(f"{name}({', '.join(_C.of(u).text for u in a)})")


#: The elementary functions a formula calls (``m.exp`` ...), as C: one entry per function.
C_FUNCTIONS = Namespace(
    "c", exp=_call("exp"), log=_call("log"), sqrt=_call("sqrt"), sin=_call("sin"), cos=_call("cos"),
    tan=_call("tan"), atan=_call("atan"), tanh=_call("tanh"), abs=_call("fabs"),
    sign=_call("circuits_sign"), max=_call("circuits_max"), min=_call("circuits_min"),
    step=_call("circuits_step"), ipow=lambda u, k: _C(f"pow({_C.of(u).text}, {_literal(float(k))})"))
for _name in ("sinh", "cosh", "asin", "acos", "asinh", "acosh", "atanh", "erf", "log1p", "expm1", "hypot", "atan2"):
    setattr(C_FUNCTIONS, _name, _call(_name))  # C99 <math.h>, the libm functions Python's math calls


def _term(weight, u) -> tuple:
    """A weighted term as (negated, expression): 1·u is u and -1·u is -u, exactly in IEEE, and a
    weight times a constant is folded here, in the same double arithmetic C would use."""
    u = _C.of(u)
    if weight is None or weight == 1:
        return False, u
    if u.value is not None:
        return False, _C.of(float(weight) * u.value)
    if weight == -1:
        return True, u
    return False, _C.of(weight) * u


def _sum(*a, weights=None) -> _C:
    """Left to right, each term scaled by its weight, as the interpreter sums; a term of weight
    -1 is subtracted (a + (-b) is a - b, exactly)."""
    negated, total = _term(None if weights is None else weights[0], a[0])
    if negated:
        total = -total
    for k in range(1, len(a)):
        negated, term = _term(None if weights is None else weights[k], a[k])
        total = total - term if negated else total + term
    return total


def _fold(monoid, *a, weights=None) -> _C:
    """A variadic gate's monoid, left to right as the interpreter folds (a sum: :func:`_sum`)."""
    if monoid.operator == "+":
        return _sum(*a, weights=weights)
    terms = [_C.of(u) if weights is None else _C.of(weights[k]) * u for k, u in enumerate(a)]
    total = terms[0]
    for u in terms[1:]:
        total = total._bin(monoid.operator, u)
    return total


#: The lowering table of the C backend, keyed by gate, for gates whose float evaluation is not
#: their formula read literally; a variadic sum or product is lowered from its declared monoid and
#: every other gate from its formula.
C_GATES = {
    "sigmoid": _call("circuits_sigmoid"),          # the stable two-sided form the interpreter uses
    "relu": _call("circuits_relu"),                # u if u > 0 else u*0: -0.0 for negative u
    "square": lambda u: _C(f"({_C.of(u).text} * {_C.of(u).text})"),
}

# The interpreter's semantics, written once: max/min are IEEE 754-2019 maximum/minimum (a nan
# argument gives nan, +0 is above -0), as the gates' num; step and sign keep u's nan through u*0.
_HELPERS = """static double circuits_max(double u, double v)
{
    if (u != u) return u;
    if (v != v) return v;
    if (u == v && u == 0) return signbit(u) ? v : u;
    return v > u ? v : u;
}
static double circuits_min(double u, double v)
{
    if (u != u) return u;
    if (v != v) return v;
    if (u == v && u == 0) return signbit(u) ? u : v;
    return v < u ? v : u;
}
static double circuits_step(double u) { return u * 0.0 + (u > 0 ? 1.0 : 0.0); }
static double circuits_sign(double u) { return u * 0.0 + (double)((u > 0) - (u < 0)); }
static double circuits_relu(double u) { return u > 0 ? u : u * 0.0; }
static double circuits_sigmoid(double u)
{
    if (u >= 0) return 1.0 / (1.0 + exp(-u));
    double e = exp(u);
    return e / (1.0 + e);
}
"""


def _lower(op: str, args: list, weights) -> _C:
    """One gate as a C expression over its arguments' expressions."""
    gate = GATES[op]
    if gate.monoid is not None and op not in C_GATES:  # variadic (and weighted): left to right
        return _fold(gate.monoid, *args, weights=weights)
    if op in C_GATES:
        return C_GATES[op](*args, weights=weights) if gate.weighted else C_GATES[op](*args)
    if gate.formula is None:
        raise CircuitError(f"the C backend lowers each gate from its formula, and gate {op!r} has none; "
                           f"register it with a formula over the namespace m (m.exp, m.max, ...)")
    try:
        out = gate.formula(C_FUNCTIONS, *args, weights=weights) if gate.weighted else gate.formula(C_FUNCTIONS, *args)
    except CircuitError:
        raise
    except (AttributeError, TypeError, ValueError) as err:
        known = ", ".join(f"m.{k}" for k in sorted(vars(C_FUNCTIONS)) if k != "name")
        raise CircuitError(f"gate {op!r}: its formula cannot be written in C ({err}); the C backend knows "
                           f"{known}") from None
    return _C.of(out)


def _ident(name: str) -> str:
    if not isinstance(name, str) or not (name.isidentifier() and name.isascii()) or name.startswith("circuits_"):
        raise CircuitError(f"to_c: name must be an ASCII C identifier not starting with 'circuits_', "
                           f"got {name!r}")
    return name


def to_c(circuit: Circuit, *, name: str = "f") -> str:
    """Self-contained C99 source for ``circuit``: a point function and a batch function.

    Parameters
    ----------
    circuit : Circuit
    name : str
        The point function's name (an ASCII C identifier); the batch function is
        ``{name}_batch``.

    Returns
    -------
    str
        The C source (see the module docstring for the two signatures).

    Raises
    ------
    CircuitError
        Not a circuit, a bad name, a gate without a formula C can express, a text constant.

    Examples
    --------
    >>> import circuits
    >>> src = circuits.to_c(circuits.parse("max(x, y) / 3"), name="g")
    >>> "void g(const double *x, double *y)" in src, "void g_batch(" in src
    (True, True)
    """
    check_circuit(circuit, "to_c")
    name = _ident(name)
    order = _statement_order(circuit)
    expr, slot, crossing, n_slots, body = _statements(circuit, order)
    outputs_of: dict = {}
    for k, v in enumerate(circuit.outputs.values()):
        outputs_of.setdefault(v, []).append(k)
    n_in, n_out = len(circuit.inputs), len(circuit.outputs)
    # names stay out of the source (a name is any text); the inputs and outputs go by position
    head = (f"/* {name}: {n_in} inputs -> {n_out} outputs, in the circuit's order; generated by "
            f"circuits {__version__}; {circuit.size} gates, {n_slots} slots */")
    lines = [head, "#include <math.h>", "", _HELPERS]
    # Values are locals (registers) inside a part; a value read by a later part is stored to s[]
    # where it is computed and read from s[] where it is used, so only those touch memory.  An
    # output is written to y[] where it is computed.
    parts = [body[i:i + STATEMENTS_PER_FUNCTION] for i in range(0, len(body), STATEMENTS_PER_FUNCTION)]
    for k, statements in enumerate(parts):
        lines.extend(_part_lines(f"{name}_part{k}", statements, slot, crossing, outputs_of))
    lines.append(f"void {name}(const double *x, double *y)")
    lines.append("{")
    lines.append(f"    double s[{max(n_slots, 1)}];")
    lines.extend(f"    {name}_part{k}(x, y, s);" for k in range(len(parts)))
    lines.extend(f"    y[{o}] = {expr[v].text};" for v in expr for o in outputs_of.get(v, ()))
    lines.append("}")
    lines.append("")
    lines.append(f"void {name}_batch(const double *X, double *Y, long n)")
    lines.append("{")
    lines.append("    long i;")
    lines.append(f"#pragma omp parallel for schedule(static) if (n >= {THREADS_FROM})")
    lines.append("    for (i = 0; i < n; i++)")
    lines.append(f"        {name}(X + i * {n_in}, Y + i * {n_out});")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _statement_order(circuit: Circuit) -> list:
    """The nodes the outputs need, in the order of their statements."""
    n = len(circuit)
    needed = live_nodes(circuit)  # which nodes the outputs need
    # the order of the statements: creation order, except that gates a C compiler computes
    # together when they share an argument in one function (sin and cos: one sincos call) are
    # written side by side, at the first of them
    together: dict = {}
    for v in range(n):
        if needed[v] and circuit.op(v) in TOGETHER:
            together.setdefault(circuit.args(v)[0], []).append(v)
    order, placed = [], [False] * n
    for v in range(n):
        if needed[v] and not placed[v]:
            group = together.get(circuit.args(v)[0], [v]) if circuit.op(v) in TOGETHER else [v]
            for w in group:
                if not placed[w]:
                    placed[w] = True
                    order.append(w)
    return order


def _const_expr(circuit: Circuit, v: int) -> _C:
    """The constant node ``v`` as a C literal (refused unless it is a float64 number)."""
    value = circuit.value(v)
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise CircuitError(f"to_c: node {v}: the constant {str(value)[:40]} is not a float64 "
                           "number; the C backend computes in doubles") from None
    return _C(_literal(number), number)


def _statements(circuit: Circuit, order: list) -> tuple:
    """The statements of the gates in ``order``, cut into parts, with the slots that hold their values.

    Returns ``(expr, slot, crossing, n_slots, body)``: the expressions of the inputs and
    constants, each gate's slot, the gates read in a later part, the number of slots,
    and the ``(node, statement)`` pairs.
    """
    last = {}
    for v in order:
        for u in circuit.args(v):
            last[u] = v
    inputs = {v: k for k, v in enumerate(circuit.inputs.values())}
    expr: dict = {}      # inputs (x[k]) and constants (literals): no statement, no slot
    slot: dict = {}
    part_of: dict = {}   # the part (function) whose statement computes a node
    crossing = set()     # nodes read in a later part than their own: stored to s[] once computed
    free: list = []
    n_slots = 0
    body: list = []      # (node, statement)
    for v in order:
        op = circuit.op(v)
        if op == "input":
            expr[v] = _C(f"x[{inputs[v]}]")
            continue
        if op == "const":
            expr[v] = _const_expr(circuit, v)
            continue
        part = len(body) // STATEMENTS_PER_FUNCTION
        fixed = GATES[op].constant_args  # pow's exponent: the number itself, as formulas expect
        args = []
        for k, u in enumerate(circuit.args(v)):
            if u in expr:
                args.append(circuit.value(u) if k in fixed and expr[u].value is not None else expr[u])
            elif part_of[u] == part:
                args.append(_C(f"r{slot[u]}"))
            else:
                crossing.add(u)
                args.append(_C(f"s[{slot[u]}]"))
        text = _lower(op, args, circuit.weights(v) if GATES[op].weighted else None).text
        # free the slots of arguments read for the last time here, then take one
        for u in dict.fromkeys(circuit.args(v)):  # an argument read twice (x·x) is freed once
            if last.get(u) == v and u in slot:
                free.append(slot[u])
        slot[v] = free.pop() if free else n_slots
        n_slots = max(n_slots, slot[v] + 1)
        if v not in last:  # read by no gate: an output, written to y at once
            free.append(slot[v])
        part_of[v] = part
        body.append((v, f"r{slot[v]} = {text};"))
    return expr, slot, crossing, n_slots, body


def _part_lines(part: str, statements: list, slot: dict, crossing: set, outputs_of: dict) -> list:
    """The C lines of the part function ``part``: its statements, on locals."""
    used = sorted({slot[v] for v, _ in statements})
    lines = [f"static void {part}(const double *restrict x, double *restrict y, double *restrict s)"]
    lines.append("{")
    lines.append("    (void)x; (void)y; (void)s;")
    for j in range(0, len(used), 16):
        lines.append("    double " + ", ".join(f"r{r}" for r in used[j:j + 16]) + ";")
    for v, statement in statements:
        lines.append("    " + statement)
        if v in crossing:
            lines.append(f"    s[{slot[v]}] = r{slot[v]};")
        lines.extend(f"    y[{o}] = r{slot[v]};" for o in outputs_of.get(v, ()))
    lines.append("}")
    lines.append("")
    return lines


def compiler() -> Optional[str]:
    """The C compiler :func:`compile_c` uses: ``$CC``, else ``cc``, ``gcc`` or ``clang`` on PATH."""
    for candidate in (os.environ.get("CC"), "cc", "gcc", "clang"):
        if candidate and shutil.which(candidate):
            return shutil.which(candidate)
    return None


def _cache_folder() -> Path:
    """The engine's checked cache folder (this user's, created 0700, refused with one warning when
    others may write to it) + ``/c``; a private temporary folder when it is refused."""
    base = kernel_cache.cache_folder()
    if base is None:
        return Path(tempfile.mkdtemp(prefix="circuits-c-"))
    return Path(base) / "c"


def _build(source: str, threads: bool) -> Path:
    cc = compiler()
    if cc is None:
        raise CircuitError("compile(backend='c') needs a C compiler (cc, gcc or clang on PATH, or $CC); "
                           "install one (apt-get install gcc) or use the default backend: circuits.compile(c)")
    flags = list(FLAGS) + (["-fopenmp"] if threads else [])
    key = hashlib.sha256("\0".join([cc, *flags, source]).encode()).hexdigest()[:24]
    folder = _cache_folder()
    target = folder / f"circuit_{key}.so"
    if target.exists():
        return target
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        folder = Path(tempfile.mkdtemp(prefix="circuits-c-"))
        target = folder / f"circuit_{key}.so"
    with tempfile.TemporaryDirectory(prefix="circuits-c-") as tmp:
        src = Path(tmp) / "circuit.c"
        src.write_text(source, encoding="ascii")
        out = Path(tmp) / "circuit.so"
        done = subprocess.run([cc, *flags, str(src), "-o", str(out), "-lm"], capture_output=True, text=True)
        if done.returncode != 0:
            if threads:  # a compiler without OpenMP: one thread
                return _build(source, False)
            raise CircuitError(f"the C compiler {cc} failed on the generated code:\n{done.stderr[-400:]}")
        os.replace(out, target)
    return target


class CCompiledCircuit:
    """A circuit compiled to machine code through C (:func:`compile_c`).

    Called like the default compiled circuit: ``f(x=1.0, y=2.0)`` gives a dict of outputs,
    ``f.array(X, out=None)`` takes a 1-D point or a 2-D batch (one point per row) and gives the
    outputs in output order.  ``source`` is the C code, ``library`` the loaded shared library.

    A point whose result is not finite is evaluated again by :func:`circuits.evaluate`, which
    raises (or warns) about the gate that left its domain, as the default compiled circuit
    does; in a batch such rows keep C's IEEE values (inf, nan) and one
    :class:`~circuits.EvaluationWarning` counts them.
    """

    def __init__(self, circuit: Circuit, source: str, path: Path, name: str):
        self.circuit = circuit
        self.source = source
        self.path = path
        self.inputs = tuple(circuit.inputs)
        self.outputs = tuple(circuit.outputs)
        self.library = ctypes.CDLL(str(path))
        pointer = np.ctypeslib.ndpointer(dtype=np.float64, flags="C_CONTIGUOUS")
        self._point = getattr(self.library, name)
        self._point.argtypes, self._point.restype = [pointer, pointer], None
        self._batch = getattr(self.library, f"{name}_batch")
        self._batch.argtypes, self._batch.restype = [pointer, pointer, ctypes.c_long], None

    def __call__(self, **point) -> dict:
        missing = [k for k in self.inputs if k not in point]
        unknown = [k for k in point if k not in self.inputs]
        if missing or unknown:
            raise CircuitError(f"this compiled circuit takes the inputs {listing(self.inputs)}; "
                               + (f"missing {missing[0]!r}" if missing else f"unknown input {unknown[0]!r}"))
        try:
            x = np.array([float(point[k]) for k in self.inputs], dtype=np.float64)
        except (TypeError, ValueError, OverflowError):
            raise CircuitError("the C backend takes float inputs; evaluate exact or symbolic values "
                               "with circuits.evaluate") from None
        y = np.empty(len(self.outputs))
        self._point(x, y)
        if not np.isfinite(y).all():  # the interpreter says which gate left its domain, or warns
            return self.circuit.evaluate(dict(zip(self.inputs, x.tolist())))
        return dict(zip(self.outputs, y.tolist()))

    def array(self, X, out=None) -> np.ndarray:
        """Outputs for one point (1-D ``X``) or a batch (2-D, one point per row)."""
        X = np.asarray(X)
        if X.dtype.kind not in "biuf" or X.ndim not in (1, 2) or X.shape[-1] != len(self.inputs):
            raise CircuitError(f"array(X): X must be a float array of shape ({len(self.inputs)},) or "
                               f"(n, {len(self.inputs)}), got {X.dtype} {X.shape}")
        rows = np.ascontiguousarray(X.reshape(-1, len(self.inputs)), dtype=np.float64)
        if out is not None and np.shares_memory(out, X):
            rows = rows.copy()
        Y = np.empty((rows.shape[0], len(self.outputs)))
        self._batch(rows, Y, rows.shape[0])
        bad = int(np.count_nonzero(~np.isfinite(Y).all(axis=1)))
        if bad:
            warnings.warn(f"{bad} of {rows.shape[0]} points give a non-finite output (IEEE inf or nan, as C "
                          "computes it: a gate outside its domain or an overflow); evaluate one of them with "
                          "circuits.evaluate to see which gate", EvaluationWarning, stacklevel=2)
        Y = Y.reshape(X.shape[:-1] + (len(self.outputs),))
        if out is None:
            return Y
        if not isinstance(out, np.ndarray) or out.shape != Y.shape:
            raise CircuitError(f"array(X, out): out must be a numpy array of shape {Y.shape}")
        out[...] = Y
        return out

    def __repr__(self):
        return (f"<CCompiledCircuit ({', '.join(self.inputs[:6])}) -> ({', '.join(self.outputs[:6])}): "
                f"{self.path.name}>")


def compile_c(circuit: Circuit, *, name: str = "f", threads: bool = True) -> CCompiledCircuit:
    """Compile ``circuit`` through :func:`to_c` with the system C compiler and load it.

    The shared library is cached by a hash of the source, the compiler and its flags (in
    ``$CIRCUITS_CACHE_DIR/c`` or the user's cache folder), so a second compile of the same
    circuit only loads it.

    Parameters
    ----------
    circuit : Circuit
    name : str
        The C function's name.
    threads : bool
        Build the batch function with OpenMP (all cores from :data:`THREADS_FROM` points on);
        False, or a compiler without OpenMP, gives one thread.  Results are identical either
        way: each point is computed by the same code.

    Raises
    ------
    CircuitError
        No C compiler (the message names what to install and the other backends), or what
        :func:`to_c` refuses.

    Examples
    --------
    >>> import circuits
    >>> f = circuits.compile_c(circuits.parse("x * sin(y) + 2*x"))   # doctest: +SKIP
    >>> f(x=1.0, y=0.5)                                              # doctest: +SKIP
    {'f': 2.479425538604203}
    """
    source = to_c(circuit, name=name)
    return CCompiledCircuit(circuit, source, _build(source, threads), name)
