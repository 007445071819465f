"""The compiled reverse sweep: :func:`circuits.backward`'s result, built by a numba kernel.

For one output, without ``keep_primal`` or ``mirror``, on circuits (of at
least :data:`circuits.ad.backward.COMPILED_FROM` nodes, where
:func:`circuits.backward` calls it) of the registry's gates whose weights,
and whatever constants the partial rules fold into a scale, are ints, floats
or Fractions of fewer than 54 bits (other constants are carried as they
are), the sweep of :mod:`circuits.ad.backward` runs in
:mod:`circuits.ad.sweep_kernel`: the same gates, in the same order, with the
same ids, weights (types included) and constants, so that the result's
record is identical.  The partial rules reach the kernel as data, the traces
:func:`circuits.ad.linearize.partial_trace` reads from the registry.
:func:`gradient` answers None wherever it does not apply (or
the kernel meets a number it does not model) and the Python sweep runs.

The kernel is compiled lazily and cached on disk beside the engine's, under
the same rules (:func:`circuits.eval.engine.load_module`: a private folder in
the user's cache, :func:`circuits.eval.engine.cache_dir`; any problem compiles
it in memory with one warning); ``CIRCUITS_ENGINE=python`` or a missing numba
switch it off.
"""

from __future__ import annotations

import functools
import threading
from fractions import Fraction
from operator import itemgetter

import numpy as np

from ..eval import engine
from ..core.arrays import NodeMap, RecordArrays, WeightMap, keep_nodes
from ..core.circuit import circuit_from_arrays
from ..core.gates import BUILTIN, GATES
from . import sweep_kernel
from .common import dnames
from .linearize import CALL_RULE, partial_trace

__all__ = ["gradient", "kernel", "warmup"]

_LIM = sweep_kernel.LIM
_KERNEL = None
_FAILED = False  # the compiled sweep could not be built in this process
_LOCK = threading.Lock()  # one thread loads the sweep; the others wait for it
_OPNAMES = ("input", "const", *GATES)  # output op codes
_OPCODE = {op: k for k, op in enumerate(_OPNAMES)}


@functools.wraps(sweep_kernel.sweep)
def _plain_sweep(*args):
    """The kernel as plain Python: numpy's scalars warn where numba's do not (a float product's overflow,
    which the kernel reads as a product that does not fold)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return sweep_kernel.sweep(*args)


def kernel(compiled: bool = True):
    """The sweep: numba's compiled function, or with ``compiled=False`` the plain Python one; None when off.

    Examples
    --------
    >>> kernel(compiled=False).__name__
    'sweep'
    """
    global _KERNEL, _FAILED
    if not compiled:
        return _plain_sweep
    if not engine.enabled():
        return None
    if _KERNEL is None:
        with _LOCK:
            if _KERNEL is None and not _FAILED:
                with open(sweep_kernel.__file__, encoding="utf-8") as fh:
                    text = fh.read()
                text = "import numba\n" + text.replace("\ndef ", "\n@numba.njit(cache=True)\ndef ")
                module = engine.built("the reverse sweep", lambda: engine.load_module("circuits_sweep_", text,
                                                                                      warm=_warm))
                if module is None:
                    _FAILED = True  # the Python sweep runs
                    return None
                _KERNEL = module.sweep
    return _KERNEL


def _warm(module) -> None:
    """Compile (or load from numba's cache) the sweep for the only types it is called with."""
    gradient(engine.warmup_circuit(), "f", _sweep=module.sweep)


def warmup() -> bool:
    """Compile the sweep now (cached on disk for later sessions); False when the engine is off.

    Examples
    --------
    >>> import os
    >>> os.environ["CIRCUITS_ENGINE"] = "python"
    >>> warmup()
    False
    >>> del os.environ["CIRCUITS_ENGINE"]
    """
    if kernel() is None:
        return False
    gradient(engine.warmup_circuit(), "f")
    return True


def _scales(values):
    """Four arrays (kind, num, den, float) for plain numbers, or None for one the kernel does not model."""
    m = len(values)
    types = set(map(type, values))
    k = np.zeros(m, np.int64)
    num = np.zeros(m, np.int64)
    den = np.ones(m, np.int64)
    f = np.zeros(m, np.float64)
    if not types <= {int, float, Fraction}:
        return None
    if types == {int}:
        if m and (max(values) >= _LIM or min(values) <= -_LIM):
            return None
        num[:] = values
        return k, num, den, f
    if types == {float}:
        f[:] = values
        if not np.isfinite(f).all():
            return None
        k[:] = 1
        return k, num, den, f
    if types == {Fraction}:  # each distinct object read once (a circuit's weights share a few)
        objects = {id(x): x for x in values}
        where = {key: j for j, key in enumerate(objects)}
        at = np.fromiter(map(where.__getitem__, map(id, values)), np.int64, m)
        s = _scales([*objects.values(), 0.5])  # a float among them: read one by one
        return None if s is None else tuple(a[at] for a in s)
    for j, x in enumerate(values):
        t = type(x)
        if t is float:
            if not x - x == 0.0:
                return None
            k[j], f[j] = 1, x
        else:
            n, d = (x, 1) if t is int else (x.numerator, x.denominator)
            if abs(n) >= _LIM or d >= _LIM:
                return None
            k[j], num[j], den[j] = (0 if t is int else 2), n, d
    return k, num, den, f


def _numbers(k, n, d, f) -> list:
    """Scales as the Python numbers the sweep would have made (each distinct Fraction made once)."""
    out = f.astype(object)
    ints = k == 0
    out[ints] = n[ints].astype(object)
    fr = np.flatnonzero(k == 2)
    if fr.size:  # each distinct Fraction made once
        nf, df = n[fr], d[fr]
        if (nf == nf[0]).all() and (df == df[0]).all():  # one value, as a sum's weights often are
            out[fr] = Fraction(int(nf[0]), int(df[0]))
        else:  # (n, d) as one complex number, exact below 2**53
            pairs, at = np.unique(nf.astype(np.float64) + 1j * df.astype(np.float64), return_inverse=True)
            made = np.empty(len(pairs), object)
            made[:] = [Fraction(int(z.real), int(z.imag)) for z in pairs.tolist()]
            out[fr] = made[at.ravel()]
    return out.tolist()


def gradient(circuit, y: str, compiled: bool = True, wrt=None, _sweep=None):
    """``backward(circuit, output=y, wrt=wrt)``'s result by the kernel, or None where it does not apply.

    Parameters
    ----------
    circuit : Circuit
    y : str
        The output to differentiate.
    wrt : sequence of str, optional
        The inputs to differentiate by (default: all), checked by the caller.
    compiled : bool
        Run numba's compiled kernel (None when the engine is off); False runs
        the same kernel as plain Python, for tests.

    Returns
    -------
    Circuit or None
        The gradient, record for record :func:`circuits.backward`'s.

    Examples
    --------
    >>> import circuits
    >>> c = circuits.parse("exp(x * y) / 3 + sin(x)")
    >>> g = gradient(c, "f", compiled=False)
    >>> g.record == circuits.backward(c).record, list(g.outputs)
    (True, ['df/dx', 'df/dy'])
    >>> gradient(circuits.parse("x * 2**60"), "f", compiled=False) is None   # beyond 2**53: Python's sweep
    True
    """
    sweep = kernel(compiled) if _sweep is None else _sweep  # (the loader passes the sweep it warms)
    if sweep is None:
        return None
    if not circuit.inputs:  # no partials to make: the Python sweep says so
        return None
    wrt = list(circuit.inputs) if wrt is None else list(wrt)
    a = circuit.arrays
    codes, kind = _kinds(a)
    args = _kernel_arguments(circuit, a, codes, kind, wrt, y)
    if args is None:
        return None
    status, m, builder, mir = sweep(*args)
    del args  # the kernel's inputs are not needed to compact its builder
    if status:
        return None
    parts = list(builder)
    del builder  # (the compaction empties ``parts``: the builder's arrays are released as it goes)
    return _circuit(circuit, a, codes, y, wrt, len(a.codes), m, parts, mir)


def _kernel_arguments(circuit, a, codes, kind, wrt, y):
    """The sweep's four groups of arguments (see :func:`circuits.ad.sweep_kernel.sweep`), or None where
    a gate, weight or constant is not one the kernel models."""
    consts = circuit.constants
    n = len(a.codes)
    ops_used = [a.op_names[k] for k in np.unique(a.codes).tolist()]
    if not set(ops_used) <= BUILTIN | {"input", "const"}:
        return None
    argp = a.argptr
    lens = np.diff(argp)
    na = int(argp[-1])
    argi = a.argflat.astype(np.int64)
    wires = _wire_scales(a, argp)
    if wires is None:
        return None
    scales = _constant_scales(consts)
    tix, keys = _groups(codes, kind, lens, argp, argi, consts, n)
    traced = _traces(keys)
    if traced is None:
        return None
    traces, steps, most, gnodes, gargs = traced
    inputs = np.array([circuit.inputs[x] for x in wrt], np.int64)
    # the builder's size at most: per node a sum, a constant and a scale node, per gate its partials'
    # gates, per input a scale; plus what the kernel's check per node allows for (np.empty: the
    # capacity costs address space, not memory)
    rule = kind == 3
    slack = 2 * (int(lens[rule].max(initial=0)) + 1) * (most + 2) + 16
    cap = 4 * n + int(gnodes[tix[rule]].sum()) + 2 * len(inputs) + slack
    acap = 2 * na + 1 + 2 * n + int(gargs[tix[rule]].sum()) + len(inputs) + slack
    return ((kind, tix, argp, argi, *wires, *scales, inputs), traces, steps,
            np.array([circuit.outputs[y], cap, acap, most, _OPCODE["mul"], _OPCODE["add"], _OPCODE["const"]],
                     np.int64))


def _kinds(a):
    """Per node the kernel's op code and kind (0 input, 1 constant, 2 linear gate, 3 gate with rules)."""
    codes = np.array([_OPCODE.get(op, -1) for op in a.op_names], np.int64)[a.codes]
    kind_of = np.full(len(_OPNAMES), 3, np.int64)
    kind_of[0], kind_of[1] = 0, 1
    for op, gate in GATES.items():
        if gate.linear:
            kind_of[_OPCODE[op]] = 2
    return codes, kind_of[codes]


def _wire_scales(a, argp):
    """Where each node's wire weights start (-1: it has none), and the weights as exact scales (kind,
    numerator, denominator, float), one per wire of the weighted nodes only; None when a weight is not
    a scale the kernel holds."""
    wstart = a.weights.starts(argp)  # (None unless one weight per wire)
    s = None if wstart is None else _scales(a.weights.flat())
    if s is None:
        return None
    k, num, den, f = s
    return wstart, k.astype(np.int8), num, den, f  # (the kinds of scales are small)


def _constant_scales(consts):
    """The constant nodes whose values the kernel models (ints and Fractions of fewer than 54 bits,
    finite floats) and their values as exact scales.  It only carries the others (2**60, say): they
    have no adjoint, equal no constant it makes, and a rule that would fold one into a partial's
    scale makes a scale it does not hold, which stops it."""
    values = list(consts.values())
    s = _scales(values)
    nodes = list(consts)
    if s is None:
        kept = [j for j, x in enumerate(values) if _scales([x]) is not None]
        nodes, values = [nodes[j] for j in kept], [values[j] for j in kept]
        s = _scales(values)
        assert s is not None  # (each of them is modelled)
    k, num, den, f = s
    return np.array(nodes, np.int64), k.astype(np.int8), num, den, f


def _groups(codes, kind, lens, argp, argi, consts, n):
    """Per nonlinear gate its group of partial rules' traces, and the groups' keys ``(op, arity,
    constants)``: ``constants`` the ``(position, type, value)`` of each constant argument, declared
    (``pow``'s exponent) or a constant node (the 2 of ``2·u``, which the rule folds into the
    partial's scale).  The trace of one group serves all its gates."""
    rule = kind == 3
    const_wires = np.concatenate(([0], np.cumsum(kind[argi] == 1)))
    with_const = rule & (const_wires[argp[1:]] > const_wires[argp[:-1]])
    del const_wires
    width = int(lens.max(initial=0)) + 1
    gkey = codes * width + lens
    tix = np.zeros(n, np.int64)
    keys: dict = {}
    plain = rule & ~with_const
    uniq, inverse = np.unique(gkey[plain], return_inverse=True)
    tix[plain] = inverse.ravel()
    for j, key in enumerate(uniq.tolist()):
        keys[(_OPNAMES[key // width], key % width, ())] = j
    special = np.flatnonzero(with_const)
    for key in np.unique(gkey[special]).tolist():  # per op and arity: its constants' positions and values
        op, arity = _OPNAMES[key // width], key % width
        at = special[gkey[special] == key]
        columns = [[None if v is None else (j, type(v), v) for v in map(consts.get, argi[argp[at] + j].tolist())]
                   for j in range(arity)]
        found = [tuple(x for x in row if x is not None) for row in zip(*columns)]
        for ckey in dict.fromkeys(found):
            keys.setdefault((op, arity, ckey), len(keys))
        tix[at] = [keys[(op, arity, ckey)] for ckey in found]
    return tix, keys


def _traces(keys):
    """The partial rules' traces of every group, as the kernel's arrays (traces, steps, the longest
    trace, and per group its nodes and arguments at most); None when a rule must be called (it cannot
    be read as data) or a scale is not one the kernel holds."""
    groups = sorted(keys.items(), key=lambda kv: kv[1])
    tpos = np.zeros(len(groups), np.int64)
    tzero: list = []
    tstep0: list = []
    tstep1: list = []
    tres: list = []
    tscale: list = []
    sop: list = []
    snargs: list = []
    sargp: list = []
    sargs: list = []
    shasw: list = []
    sconst: list = []
    sw: list = []
    most = 1
    gnodes = np.zeros(len(groups), np.int64)  # at most this many nodes and arguments per gate of a group
    gargs = np.zeros(len(groups), np.int64)
    for (op, arity, ckey), j in groups:
        tpos[j] = len(tzero)
        positions = tuple(map(itemgetter(0), ckey))
        constants = tuple(map(itemgetter(2), ckey))  # the constant arguments, without their types
        for i in range(arity):  # (a constant argument has no adjoint: no partial)
            t = None if i in positions else partial_trace(op, arity, i, constants, positions)
            if t is CALL_RULE:
                return None
            tstep0.append(len(sop))
            if t is None:
                tzero.append(1)
                tres.append(-1)
                tscale.append(0)
            else:
                steps, ref, c = t
                tzero.append(0)
                tres.append(-1 if ref is None else ref)
                tscale.append(c)
                _write_steps(steps, sop, snargs, sargp, sargs, shasw, sconst, sw)
                used = sum(len(step[1]) if step[0] != "const" else 0 for step in steps) + 2
                most = max(most, used, len(steps) + 1)
                gnodes[j] += len(steps) + 1
                gargs[j] += used
            tstep1.append(len(sop))
    tsc = _scales(tscale)
    ssc = _scales(sw)
    if tsc is None or ssc is None:
        return None
    i64 = np.int64
    traces = (tpos, np.array(tzero, np.int8), np.array(tstep0, i64), np.array(tstep1, i64), np.array(tres, i64), *tsc)
    steps = (np.array(sop, i64), np.array(snargs, i64), np.array(sargp, i64), np.array(sargs, i64),
             np.array(shasw, np.int8), *ssc, np.array(sconst, i64))
    return traces, steps, most, gnodes, gargs


def _write_steps(steps, sop, snargs, sargp, sargs, shasw, sconst, sw) -> None:
    """Append a trace's gates to the kernel's step lists: op, argument count and pointer, arguments,
    weight mark, constant slot and the weights (or the constant) as scales to be."""
    for step in steps:
        sargp.append(len(sargs))
        if step[0] == "const":
            sop.append(_OPCODE["const"])
            snargs.append(0)
            shasw.append(0)
            sconst.append(len(sargs))
            sargs.append(0)
            sw.append(step[1])
        else:
            gop, refs, ws = step
            sop.append(_OPCODE[gop])
            snargs.append(len(refs))
            shasw.append(ws is not None)
            sconst.append(-1)
            sargs.extend(refs)
            sw.extend(ws if ws is not None else (0,) * len(refs))


def _circuit(circuit, a, codes, y, wrt, n, m, builder: list, mir):
    """The kernel's builder, compacted as :func:`circuits.core.circuit.compact` does, as a Circuit
    that keeps its arrays (:func:`circuits.core.circuit.circuit_from_arrays`).  ``builder`` (a list of
    the kernel's arrays) is emptied once its nodes are compacted, so that its memory is released."""
    bop, bptr, bargs, bhasw, bwk, bwn, bwd, bwf, xk, xn, xd, xf, xc, outs, live = builder
    bop, bptr, bhasw, xk, xn, xd, xf, xc, live = bop[:m], bptr[:m + 1], bhasw[:m], xk[:m], xn[:m], xd[:m], xf[:m], \
        xc[:m], live[:m]
    hw = np.flatnonzero(bhasw[n:]) + n  # the new weighted gates, then their wires' weights
    weights = a.weights
    if hw.size:
        ln = bptr[hw + 1] - bptr[hw]
        mw = int(ln.sum())  # the kernel wrote the new gates' weights one after the other
        ks = bwk[:mw]
        vals = bwn[:mw].tolist() if not ks.any() else _numbers(ks, bwn[:mw], bwd[:mw], bwf[:mw])  # ints: as they are
        ptr = np.concatenate((weights.ptr, weights.ptr[-1] + np.cumsum(ln)))
        weights = WeightMap(np.concatenate((weights.nodes, hw)), ptr, weights.flat() + list(vals))
    record = RecordArrays(_OPNAMES, np.concatenate((codes[:n].astype(np.int16), bop[n:m])), bptr, bargs, weights)
    del bop, bptr, bargs, bwk, bwn, bwd, bwf
    builder.clear()
    arrays, new = keep_nodes(record, live)
    del record
    dead = np.flatnonzero(live == 0)
    first = int(dead[0]) if dead.size else m
    values = {}
    for g, v in circuit.constants.items():
        if live[g]:
            values[int(new[g])] = v
    made = np.flatnonzero(xc[n:]) + n
    made = made[live[made].astype(bool)]
    values.update(zip(new[made].tolist(), _numbers(xk[made], xn[made], xd[made], xf[made])))
    if first >= n:  # no node before the inputs moved
        names, inputs = circuit.input_names, circuit.inputs
    else:
        names = dict(zip(new[list(circuit.input_names)].tolist(), circuit.input_names.values()))
        inputs = dict(zip(circuit.inputs, new[list(circuit.inputs.values())].tolist()))
    outputs = dict(zip(dnames(y, wrt), new[outs].tolist()))
    primal = int(live[:n].sum())
    roles = ["primal"] * primal + ["derivative"] * (len(arrays.codes) - primal)
    meta: dict = {"role": roles}
    if mir.size:  # as compact keeps backward's adjoint_of: the pairs whose both nodes stay
        meta["adjoint_of"] = NodeMap(mir[0::2], mir[1::2]).kept(live.astype(bool), new)
    return circuit_from_arrays(arrays, values, names, inputs, outputs, meta)
