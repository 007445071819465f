"""The compiled reverse sweep: :func:`circuits.backward`'s result, built by a numba kernel.

For one output, without ``keep_primal`` or ``mirror``, on circuits of the
registry's gates whose weights and constants are ints, floats or Fractions
of fewer than 54 bits, the sweep of :mod:`circuits.transforms.backward` runs
in :mod:`circuits.transforms._sweep_kernel`: the same gates, in the same
order, with the same ids, weights (types included) and constants, so that the
result's record is identical.  The partial rules reach the kernel as data,
the traces :func:`circuits.transforms.linearize.partial_trace` reads from
the registry.  :func:`gradient` answers None wherever it does not apply (or
the kernel meets a number it does not model) and the Python sweep runs.

The kernel is compiled lazily and cached on disk beside the engine's
(:func:`circuits.engine.cache_dir`); ``CIRCUITS_ENGINE=python`` or a missing
numba switch it off.
"""

from __future__ import annotations

import importlib.util
import hashlib
import os
import sys
from collections import deque
from fractions import Fraction
from itertools import chain, compress, islice

import numpy as np

from ..gates import BUILTIN, GATES
from . import _sweep_kernel
from .common import dnames
from .linearize import _CALL, partial_trace

__all__ = ["gradient", "kernel"]

_LIM = _sweep_kernel.LIM
_KERNEL = None
_OPNAMES = ("input", "const", *GATES)  # output op codes
_OPCODE = {op: k for k, op in enumerate(_OPNAMES)}


def kernel(compiled: bool = True):
    """The sweep: numba's compiled function, or with ``compiled=False`` the plain Python one; None when off."""
    global _KERNEL
    if not compiled:
        return _sweep_kernel.sweep
    from .. import engine
    if not engine.enabled():
        return None
    if _KERNEL is None:
        with open(_sweep_kernel.__file__, encoding="utf-8") as fh:
            text = fh.read()
        text = "import numba\n" + text.replace("\ndef ", "\n@numba.njit(cache=True)\ndef ")
        name = "circuits_sweep_" + hashlib.sha1(text.encode()).hexdigest()[:16]
        path = os.path.join(engine.cache_dir(), name + ".py")
        if not os.path.exists(path):
            tmp = f"{path}.{os.getpid()}.tmp"
            with open(tmp, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, path)
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # numba's cache finds the kernel's module by name
        spec.loader.exec_module(module)
        _KERNEL = module.sweep
    return _KERNEL


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


def _number(k, n, d, f, made):
    """A scale as the Python number the sweep would have made (Fractions made once per value)."""
    if k == 0:
        return n
    if k == 1:
        return f
    x = made.get((n, d))
    if x is None:
        x = made[(n, d)] = Fraction(n, d)
    return x


def gradient(circuit, y: str, compiled: bool = True):
    """``backward(circuit, y)``'s result by the kernel, or None where it does not apply."""
    sweep = kernel(compiled)
    if sweep is None:
        return None
    rec = circuit.record
    ops, argss, params, consts = rec.ops, rec.args, rec.params, rec.constants
    n = len(ops)
    opcode = _OPCODE
    try:
        codes = np.fromiter(map(opcode.__getitem__, ops), np.int64, n)
    except KeyError:
        return None
    if not set(ops) <= BUILTIN | {"input", "const"}:
        return None
    lens = np.fromiter(map(len, argss), np.int64, n)
    argp = np.zeros(n + 1, np.int64)
    np.cumsum(lens, out=argp[1:])
    na = int(argp[-1])
    argi = np.fromiter(chain.from_iterable(argss), np.int64, na)
    kind_of = np.full(len(_OPNAMES), 3, np.int64)
    kind_of[0], kind_of[1] = 0, 1
    for op, gate in GATES.items():
        if gate.linear:
            kind_of[opcode[op]] = 2
    kind = kind_of[codes]
    # weights, wire by wire
    has = [w is not None for w in params]
    hasw = np.array(has, np.int8)
    wk = np.zeros(na, np.int64)
    wn = np.zeros(na, np.int64)
    wd = np.ones(na, np.int64)
    wf = np.zeros(na, np.float64)
    weighted = np.flatnonzero(hasw)
    if weighted.size:
        flat = list(chain.from_iterable(compress(params, has)))
        s = _scales(flat)
        if s is None or len(flat) != int(lens[weighted].sum()):
            return None
        starts, ln = argp[weighted], lens[weighted]
        wires = np.arange(len(flat)) + np.repeat(starts - np.concatenate(([0], np.cumsum(ln)[:-1])), ln)
        wk[wires], wn[wires], wd[wires], wf[wires] = s
    # constants
    isconst = (kind == 1).astype(np.int8)
    ck = np.zeros(n, np.int64)
    cn = np.zeros(n, np.int64)
    cd = np.ones(n, np.int64)
    cf = np.zeros(n, np.float64)
    if consts:
        cnodes = list(consts)
        s = _scales(list(consts.values()))
        if s is None:
            return None
        ck[cnodes], cn[cnodes], cd[cnodes], cf[cnodes] = s
    # the partial rules' traces, one group per (op, arity, constant arguments)
    special = [op for op in set(ops) if op in GATES and GATES[op].constant_args]
    nonlinear = (kind == 3) & ~np.isin(codes, [opcode[op] for op in special])
    width = int(lens.max(initial=0)) + 1
    gkey = codes * width + lens
    tix = np.zeros(n, np.int64)
    keys = {}
    uniq, inverse = np.unique(gkey[nonlinear], return_inverse=True)
    tix[nonlinear] = inverse
    for j, key in enumerate(uniq.tolist()):
        keys[(_OPNAMES[key // width], key % width, ())] = j
    if special:
        for g in np.flatnonzero(np.isin(codes, [opcode[op] for op in special])).tolist():
            gate = GATES[ops[g]]
            a = argss[g]
            cs = tuple(consts.get(a[j]) for j in gate.constant_args)
            if None in cs:
                return None
            key = (ops[g], len(a), tuple((type(x), x) for x in cs))
            j = keys.get(key)
            if j is None:
                j = keys[key] = len(keys)
            tix[g] = j
    groups = sorted(keys.items(), key=lambda kv: kv[1])
    tpos = np.zeros(len(groups), np.int64)
    tzero, tstep0, tstep1, tres, tscale = [], [], [], [], []
    sop, snargs, sargp, sargs, shasw, sconst, sw = [], [], [], [], [], [], []
    most = 1
    for (op, arity, ckey), j in groups:
        tpos[j] = len(tzero)
        cs = tuple(x for _, x in ckey)
        for i in range(arity):
            t = partial_trace(op, arity, i, cs)
            if t is _CALL:
                return None
            tstep0.append(len(sop))
            if t is None:
                tzero.append(1), tres.append(-1), tscale.append(0)
            else:
                steps, ref, c = t
                tzero.append(0), tres.append(-1 if ref is None else ref), tscale.append(c)
                for step in steps:
                    sargp.append(len(sargs))
                    if step[0] == "const":
                        sop.append(_OPCODE["const"]), snargs.append(0), shasw.append(0)
                        sconst.append(len(sargs))
                        sargs.append(0), sw.append(step[1])
                    else:
                        gop, refs, ws = step
                        sop.append(_OPCODE[gop]), snargs.append(len(refs)), shasw.append(ws is not None)
                        sconst.append(-1)
                        sargs.extend(refs), sw.extend(ws if ws is not None else (0,) * len(refs))
                most = max(most, sum(len(step[1]) if step[0] != "const" else 0 for step in steps) + 2,
                           len(steps) + 1)
            tstep1.append(len(sop))
    tsc = _scales(tscale)
    ssc = _scales(sw)
    if tsc is None or ssc is None:
        return None
    inputs = np.array(list(rec.inputs.values()), np.int64)
    out = rec.outputs[y]
    cap = n + na * (most + 1) + 2 * n + 2 * len(inputs) + 2 * most + 16
    acap = na + na * (most + 2) + na + 1 + n + len(inputs) + 2 * most + 16
    i64 = np.int64
    res = sweep(kind, tix, argp, argi, hasw, wk, wn, wd, wf, ck, cn, cd, cf, isconst,
                tpos, np.array(tzero, np.int8), np.array(tstep0, i64), np.array(tstep1, i64), np.array(tres, i64),
                *tsc, np.array(sop, i64), np.array(snargs, i64), np.array(sargp, i64), np.array(sargs, i64),
                np.array(shasw, np.int8), *ssc, np.array(sconst, i64),
                out, inputs, cap, acap, most, _OPCODE["mul"], _OPCODE["add"], _OPCODE["const"])
    status, m, bop, bptr, bargs, bhasw, bwk, bwn, bwd, bwf, xk, xn, xd, xf, xc, outs, live, mir = res
    if status:
        return None
    return _circuit(circuit, y, n, m, bop[:m], bptr[:m + 1], bargs, bhasw[:m], bwk, bwn, bwd, bwf,
                    xk[:m], xn[:m], xd[:m], xf[:m], xc[:m], outs, live[:m], mir)


def _tuples(flat, lengths) -> list:
    """``flat`` cut into tuples of ``lengths``: the one- and two-element ones (nearly all) made by zip."""
    res = [()] * len(lengths)
    ends = np.cumsum(lengths)
    starts = ends - lengths
    for k in (1, 2):
        at = np.flatnonzero(lengths == k)
        if at.size:
            cols = [flat[starts[at] + j].tolist() for j in range(k)]
            deque(map(res.__setitem__, at.tolist(), zip(*cols)), 0)
    other = np.flatnonzero(lengths > 2)
    if other.size:
        it = flat.tolist()
        for j in other.tolist():
            res[j] = tuple(it[starts[j]:ends[j]])
    return res


def _circuit(circuit, y, n, m, bop, bptr, bargs, bhasw, bwk, bwn, bwd, bwf, xk, xn, xd, xf, xc, outs, live, mir):
    """The kernel's builder, compacted as :func:`circuits.circuit.compact` does, as a Circuit."""
    from ..circuit import Circuit
    rec = circuit.record
    new = np.cumsum(live, dtype=np.int64) - 1
    dead = np.flatnonzero(live == 0)
    first = int(dead[0]) if dead.size else m
    keep = first + np.flatnonzero(live[first:])  # the nodes after the first dead one that stay
    p = min(first, n)
    ops = list(rec.ops[:p])
    args = list(rec.args[:p])
    weights = list(rec.params[:p])
    made: dict = {}
    # primal nodes past the first dead one: their own records, renumbered
    kp = keep[keep < n].tolist()
    getnew = new.tolist().__getitem__
    for g in kp:
        ops.append(rec.ops[g])
        a = rec.args[g]
        args.append(tuple(map(getnew, a)) if a else ())
        weights.append(rec.params[g])
    kd = keep[keep >= n]
    ops += map(_OPNAMES.__getitem__, bop[kd].tolist())
    starts, ends = bptr[kd], bptr[kd + 1]
    ln = ends - starts
    wires = np.arange(int(ln.sum())) + np.repeat(starts - np.concatenate(([0], np.cumsum(ln)[:-1])), ln)
    args += _tuples(new[bargs[wires]], ln)
    hw = bhasw[kd].astype(bool)
    wt = [None] * len(kd)
    if hw.any():
        wl = wires[np.repeat(hw, ln)]
        ks, ns, ds, fs = bwk[wl].tolist(), bwn[wl].tolist(), bwd[wl].tolist(), bwf[wl].tolist()
        if 2 not in ks and 1 not in ks:
            vals = ns
        else:
            vals = [_number(k, a, d, f, made) for k, a, d, f in zip(ks, ns, ds, fs)]
        it = iter(vals)
        for j, k in zip(np.flatnonzero(hw).tolist(), ln[hw].tolist()):
            wt[j] = tuple(islice(it, k))
    weights += wt
    values = {}
    for g, v in rec.constants.items():
        if live[g]:
            values[int(new[g])] = v
    for g in np.flatnonzero(xc[n:]).tolist():
        g += n
        if live[g]:
            values[int(new[g])] = _number(int(xk[g]), int(xn[g]), int(xd[g]), float(xf[g]), made)
    names = {int(new[v]): x for v, x in rec.input_names.items()}
    inputs = {x: int(new[v]) for x, v in rec.inputs.items()}
    outputs = dict(zip(dnames(y, rec.inputs), new[outs].tolist()))
    primal = int(live[:n].sum())
    roles = ["primal"] * primal + ["derivative"] * (len(ops) - primal)
    meta = {"role": roles}
    if mir.size:  # as compact keeps backward's adjoint_of: the pairs whose both nodes stay
        a, z = mir[0::2], mir[1::2]
        both = (live[a] & live[z]).astype(bool)
        meta["adjoint_of"] = dict(zip(new[a[both]].tolist(), new[z[both]].tolist()))
    return Circuit(ops, args, weights, values, names, inputs, outputs, meta)
