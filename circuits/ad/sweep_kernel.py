"""The compiled reverse sweep's kernel: plain functions that numba compiles (see ``fast_backward``).

Written so that it also runs as plain Python (slowly), which is how the
tests check it without numba.  Nothing here knows a gate: the partial rules
arrive as traces (``linearize.partial_trace``) encoded in integer arrays.

A *scale* (a wire weight, a partial's factor, a constant) is four numbers
``(kind, num, den, f)``: kind 0 an int ``num``, kind 1 a float ``f``, kind 2
the Fraction ``num/den`` (den > 0, lowest terms), so that the sweep computes
exactly what Python computes, types included.  Exact numbers stay below
2**53 (``common.EXACT_LIMIT``).  A product of two scales that would not
(``common.folds``) is not folded, as in the Python sweep: the adjoint becomes a
one-wire ``+`` gate and the product is left to the evaluation.  A sum beyond
2**53, or a non-finite float where a weight is written, stops the kernel
(status 1) and the caller falls back to the Python sweep.
"""

import numpy as np

LIM = 9007199254740992  # 2**53, common.EXACT_LIMIT (this module's text is compiled alone: no imports of ours)


def _gcd(a, b):
    a = abs(a)
    b = abs(b)
    while b:
        a, b = b, a % b
    return a


def _tofloat(k, n, d, f):
    if k == 1:
        return f
    if k == 0:
        return float(n)
    return float(n) / float(d)


def _frac(n, d):
    """Fraction(n, d) normalised; (ok, n, d)."""
    if d < 0:
        n = -n
        d = -d
    g = _gcd(n, d)
    if g > 1:
        n //= g
        d //= g
    ok = abs(n) < LIM and d < LIM
    return ok, n, d


def _smul(ak, an, ad, af, bk, bn, bd, bf):
    """a * b as Python computes it: (ok, kind, num, den, f); ``ok`` is ``common.folds`` of the product.

    Exact factors are cross-reduced first (as ``Fraction.__mul__`` does), so
    that the product is in lowest terms, and its numerator and denominator are
    checked against 2**53 in floats, which is exact: a product of two integers
    below 2**53 is a float exactly when it is below 2**53 itself.
    """
    if ak == 1 or bk == 1:
        r = _tofloat(ak, an, ad, af) * _tofloat(bk, bn, bd, bf)
        return (r - r == 0.0), 1, 0, 1, r
    if ak == 0 and bk == 0:
        if abs(float(an) * float(bn)) >= LIM:
            return False, 0, 0, 1, 0.0
        return True, 0, an * bn, 1, 0.0
    g1 = _gcd(an, bd)  # an int is the Fraction n/1
    g2 = _gcd(bn, ad)
    n1, d2 = an // g1, bd // g1
    n2, d1 = bn // g2, ad // g2
    if abs(float(n1) * float(n2)) >= LIM or float(d1) * float(d2) >= LIM:
        return False, 0, 0, 1, 0.0
    return True, 2, n1 * n2, d1 * d2, 0.0


def _times(ak, an, ad, af, a_one, b_one, bk, bn, bd, bf):
    """``a * b``, where a factor known to be the int 1 leaves the other as it is, types included.

    Parameters
    ----------
    ak, an, ad, af : scalars
        The scale ``a`` (kind, num, den, f).
    a_one, b_one : bool
        Whether ``a`` or ``b`` is known to be the int 1 (``b_one`` is asked first).
    bk, bn, bd, bf : scalars
        The scale ``b``.

    Returns
    -------
    tuple
        ``(ok, kind, num, den, f)`` as :func:`_smul`; ``ok`` False: the product does not fold.
    """
    if b_one:
        return True, ak, an, ad, af
    if a_one:
        return True, bk, bn, bd, bf
    return _smul(ak, an, ad, af, bk, bn, bd, bf)


def _sadd(ak, an, ad, af, bk, bn, bd, bf):
    """a + b as Python computes it: (ok, kind, num, den, f)."""
    if ak == 1 or bk == 1:
        r = _tofloat(ak, an, ad, af) + _tofloat(bk, bn, bd, bf)
        return (r - r == 0.0), 1, 0, 1, r
    if ak == 0 and bk == 0:
        s = an + bn
        return abs(s) < LIM, 0, s, 1, 0.0
    x = abs(float(an) * float(bd)) + abs(float(bn) * float(ad))  # each product, and so the sum, fits
    if x >= LIM or float(ad) * float(bd) >= LIM:
        return False, 0, 0, 1, 0.0
    ok, n, d = _frac(an * bd + bn * ad, ad * bd)
    return ok, 2, n, d, 0.0


def _zero(k, n, f):
    return f == 0.0 if k == 1 else n == 0


def _one(k, n, d, f):
    return f == 1.0 if k == 1 else (n == 1 and d == 1)


def _key(k, n, d, f):
    """The builder's constant-cache key (type, value) as three ints (0.0 and -0.0 share one)."""
    if k == 1:
        if f == 0.0:
            return (1, 0, 0)
        return (1, np.array([f]).view(np.int64)[0], 0)
    return (k, n, d)


def sweep(circuit, traces, steps, params):
    """One reverse sweep from the output and the builder's compaction; see ``fast_backward``.

    The arguments are four groups: ``circuit`` (kind, trace index, argument
    pointers and arguments, where each node's wire weights start (-1: none)
    and the weights as scales, the constant nodes and their values as
    scales, input nodes), ``traces`` (the partial rules'
    traces), ``steps`` (their gates) and ``params`` (an int64 array: the
    output node, the builder's node and argument capacities, the longest
    trace, the opcodes of ``mul``, ``add`` and ``const``).

    Returns (status, n_nodes, builder, adjoint_of): ``builder`` holds the
    builder's nodes (primal ones first) before compaction (op, argument
    pointers, arguments, weight marks, the weights of the new gates with
    weight marks, one per argument and in node order, constants as scales,
    constant marks), then the node of each input's derivative and the live
    marks; status 1 or 2 means the Python sweep must run.
    """
    n, cap, acap = circuit[0].shape[0], params[1], params[2]
    # the builder (arrays read only where written: np.empty touches no page, and the capacities are
    # bounds; the constant and live marks are zeroed as nodes are made, not up to the capacity)
    # (op codes and the kinds of scales are small: int16 and int8)
    builder = (np.empty(cap, np.int16), np.empty(cap + 1, np.int64), np.empty(acap, np.int64),
               np.empty(cap, np.int8), np.empty(acap, np.int8), np.empty(acap, np.int64),
               np.empty(acap, np.int64), np.empty(acap, np.float64), np.empty(cap, np.int8),
               np.empty(cap, np.int64), np.empty(cap, np.int64), np.empty(cap, np.float64),
               np.empty(cap, np.int8), np.empty(circuit[14].shape[0], np.int64), np.empty(cap, np.int8))
    mir = np.empty(2 * n + 2, np.int64)
    status, m, nmir = _sweep(circuit, traces, steps, params, builder, mir)
    return status, m, builder, mir[:nmir]


def _sweep(circuit, traces, steps, params, builder, mir):
    """:func:`sweep`'s work: (status, builder size, adjoint pairs written to ``mir``)."""
    kind, tix, argp, argi, wstart, wk, wn, wd, wf, cnodes, ck, cn, cd, cf, inputs = circuit
    tpos, tzero, tstep0, tstep1, tres, trk, trn, trd, trf = traces
    sop, snargs, sargp, sargs, shasw, swk, swn, swd, swf, sconst = steps
    out, cap, acap, most, op_mul, op_add, op_const = (params[0], params[1], params[2], params[3], params[4],
                                                      params[5], params[6])
    bop, bptr, bargs, bhasw, bwk, bwn, bwd, bwf, xk, xn, xd, xf, xc, outs, live = builder
    n = kind.shape[0]
    na = argp[n]
    # the primal nodes' arguments and constants (their weights and weight marks are not read again)
    bptr[: n + 1] = argp
    bargs[:na] = argi
    xc[:n] = 0
    cache = dict()
    for j in range(cnodes.shape[0]):
        v = cnodes[j]
        xk[v] = ck[j]
        xn[v] = cn[j]
        xd[v] = cd[j]
        xf[v] = cf[j]
        xc[v] = 1
        key = _key(ck[j], cn[j], cd[j], cf[j])
        if key not in cache:
            cache[key] = v
    # which nodes depend on an input differentiated by (those of ``inputs``)
    active = np.zeros(n, np.int8)
    for x in range(inputs.shape[0]):
        active[inputs[x]] = 1
    for v in range(n):
        if kind[v] != 0:
            for j in range(argp[v], argp[v + 1]):
                if active[argi[j]]:
                    active[v] = 1
                    break
    # pending contributions: linked lists per node
    pcap = na + 1
    head = np.full(n, -1, np.int64)
    tail = np.empty(n, np.int64)  # (read only where head is set)
    count = np.zeros(n, np.int64)
    pnode = np.empty(pcap, np.int64)
    pk = np.empty(pcap, np.int8)  # (kinds of scales are small)
    pn = np.empty(pcap, np.int64)
    pd = np.empty(pcap, np.int64)
    pf = np.empty(pcap, np.float64)
    pnext = np.empty(pcap, np.int64)
    npool = 0
    # the seed (None, 1)
    pnode[0] = -1
    pk[0] = 0
    pn[0] = 1
    pd[0] = 1
    pf[0] = 0.0
    head[out] = 0
    tail[out] = 0
    count[out] = 1
    npool = 1
    m = n  # builder size
    ma = na  # builder args used
    mw = 0  # builder weights used: those of the new weighted gates (bhasw), one per argument, in order
    # scratch for sums
    pos = np.empty(cap + 1, np.int64)  # 1 + the slot of a node in the sum being made, 0 when none
    pos[:n] = 0
    pos[cap] = 0  # (the constant's slot)
    accn = np.empty(pcap + 1, np.int64)
    ak = np.empty(pcap + 1, np.int64)
    an = np.empty(pcap + 1, np.int64)
    ad = np.empty(pcap + 1, np.int64)
    af = np.empty(pcap + 1, np.float64)
    adj_n = np.full(n, -2, np.int64)  # -2: no adjoint; -1: a constant
    adj_k = np.empty(n, np.int8)
    adj_nn = np.empty(n, np.int64)
    adj_d = np.empty(n, np.int64)  # (each read only where written: an input's adjoint)
    adj_f = np.empty(n, np.float64)
    stepnode = np.empty(most + 1, np.int64)
    seen = np.empty(cap, np.int8)
    mz = n  # the marks pos, seen and xc are zero from n up to mz, ahead of the nodes made
    nmir = 0
    for g in range(n - 1, -1, -1):
        cnt = count[g]
        if cnt == 0:
            continue
        # what this node can add at most: a sum, a constant, a scale node, its partials
        arity = argp[g + 1] - argp[g] if kind[g] == 3 else 0
        if m + 3 + arity * (most + 1) >= cap or ma + cnt + 2 + arity * (most + 2) >= acap:
            return 2, m, nmir
        mz = _clear(m + 3 + arity * (most + 1), mz, pos, seen, xc)
        # d = total(contributions)
        h = head[g]
        if cnt == 1:
            dn = pnode[h]
            dk = pk[h]
            dnn = pn[h]
            dd = pd[h]
            df = pf[h]
        else:
            node = -1
            h2 = pnext[h]
            if cnt == 2 and pnode[h] >= 0 and pnode[h2] >= 0 and pnode[h] != pnode[h2] \
                    and not _zero(pk[h], pn[h], pf[h]) and not _zero(pk[h2], pn[h2], pf[h2]):
                for t in range(2):
                    e = h if t == 0 else h2
                    if not _set_arg(ma + t, mw + t, pnode[e], pk[e], pn[e], pd[e], pf[e], bargs, bwk, bwn, bwd, bwf):
                        return 1, m, nmir
                bop[m] = op_add
                bhasw[m] = 0 if (_one(pk[h], pn[h], pd[h], pf[h]) and _one(pk[h2], pn[h2], pd[h2], pf[h2])) else 1
                if bhasw[m]:
                    mw += 2
                ma += 2
                bptr[m + 1] = ma
                node = m
                m += 1
            else:
                na_ = 0
                e = h
                while e >= 0:
                    u = pnode[e]
                    slot = pos[cap if u < 0 else u] - 1
                    if slot >= 0:
                        ok, k2, n2, d2, f2 = _sadd(ak[slot], an[slot], ad[slot], af[slot], pk[e], pn[e], pd[e], pf[e])
                        if not ok:
                            return 1, m, nmir
                        ak[slot] = k2
                        an[slot] = n2
                        ad[slot] = d2
                        af[slot] = f2
                    else:
                        pos[cap if u < 0 else u] = na_ + 1
                        accn[na_] = u
                        ak[na_] = pk[e]
                        an[na_] = pn[e]
                        ad[na_] = pd[e]
                        af[na_] = pf[e]
                        na_ += 1
                    e = pnext[e]
                # constant = 0 + acc.pop(None, 0)
                sk, sn, sd, sf = 0, 0, 1, 0.0
                for j in range(na_):
                    pos[cap if accn[j] < 0 else accn[j]] = 0
                    if accn[j] < 0:
                        ok, sk, sn, sd, sf = _sadd(0, 0, 1, 0.0, ak[j], an[j], ad[j], af[j])
                # the terms left: nodes with nonzero coefficients, in order
                kept = 0
                last = -1
                for j in range(na_):
                    if accn[j] >= 0 and not _zero(ak[j], an[j], af[j]):
                        kept += 1
                        last = j
                if kept == 0:
                    node = _const(sk, sn, sd, sf, cache, bop, bptr, bhasw, xk, xn, xd, xf, xc, m, ma, op_const)
                    if node == m:
                        m += 1
                elif _zero(sk, sn, sf) and kept == 1 and _one(ak[last], an[last], ad[last], af[last]):
                    node = accn[last]
                else:
                    start = ma
                    w0 = mw
                    allone = True
                    for j in range(na_):
                        if accn[j] >= 0 and not _zero(ak[j], an[j], af[j]):
                            if not _set_arg(ma, mw, accn[j], ak[j], an[j], ad[j], af[j], bargs, bwk, bwn, bwd, bwf):
                                return 1, m, nmir
                            if not _one(ak[j], an[j], ad[j], af[j]):
                                allone = False
                            ma += 1
                            mw += 1
                    if not _zero(sk, sn, sf):
                        cnode = _const(sk, sn, sd, sf, cache, bop, bptr, bhasw, xk, xn, xd, xf, xc, m, start, op_const)
                        if cnode == m:
                            m += 1
                            bptr[m] = start
                        _set_arg(ma, mw, cnode, 0, 1, 1, 0.0, bargs, bwk, bwn, bwd, bwf)
                        ma += 1
                        mw += 1
                    bop[m] = op_add
                    bhasw[m] = 0 if allone else 1
                    if allone:  # no weights: the ones written are dropped
                        mw = w0
                    bptr[m + 1] = ma
                    node = m
                    m += 1
            if xc[node]:
                if _zero(xk[node], xn[node], xf[node]):
                    continue
                dn, dk, dnn, dd, df = -1, xk[node], xn[node], xd[node], xf[node]
            else:
                dn, dk, dnn, dd, df = node, 0, 1, 1, 0.0
        if dn >= n and not seen[dn]:  # backward's adjoint_of: the first node each new adjoint is of
            seen[dn] = 1
            mir[nmir] = dn
            mir[nmir + 1] = g
            nmir += 2
        kg = kind[g]
        if kg == 0:  # an input: its adjoint
            adj_n[g] = dn
            adj_k[g] = dk
            adj_nn[g] = dnn
            adj_d[g] = dd
            adj_f[g] = df
            continue
        if kg == 1:
            continue
        one_c = dk == 0 and dnn == 1
        if kg == 2:  # linear: the wire weight scales the adjoint
            w = wstart[g] - argp[g]  # wire j's weight: w + j, where the node has weights
            for j in range(argp[g], argp[g + 1]):
                u = argi[j]
                if not active[u]:
                    continue
                if wstart[g] < 0:  # no weights: the adjoint as it is
                    ck2, cn2, cd2, cf2 = dk, dnn, dd, df
                else:
                    ok, ck2, cn2, cd2, cf2 = _times(dk, dnn, dd, df, one_c, False, wk[w + j], wn[w + j], wd[w + j],
                                                    wf[w + j])
                    if not ok:  # kept unfolded: the adjoint becomes a node, its scale 1 for the next wires
                        ok, dn, m, ma, mw = _scale_node(dn, dk, dnn, dd, df, cache, bop, bptr, bargs, bhasw, bwk, bwn,
                                                        bwd, bwf, xk, xn, xd, xf, xc, m, ma, mw, op_add, op_const)
                        if not ok:
                            return 1, m, nmir
                        dk, dnn, dd, df, one_c = 0, 1, 1, 0.0, True
                        ck2, cn2, cd2, cf2 = wk[w + j], wn[w + j], wd[w + j], wf[w + j]
                npool = _push(u, dn, ck2, cn2, cd2, cf2, head, tail, count, pnode, pk, pn, pd, pf, pnext, npool)
            continue
        # a gate with a partial rule: its trace per argument position
        a0 = argp[g]
        arity = argp[g + 1] - a0
        base = tpos[tix[g]]
        for i in range(arity):
            u = argi[a0 + i]
            if not active[u]:
                continue
            t = base + i
            if tzero[t]:
                continue
            for s in range(tstep0[t], tstep1[t]):
                r = s - tstep0[t]
                if sconst[s] >= 0:
                    q = sconst[s]
                    node = _const(swk[q], swn[q], swd[q], swf[q], cache, bop, bptr, bhasw, xk, xn, xd, xf, xc,
                                  m, ma, op_const)
                    if node == m:
                        m += 1
                    stepnode[r] = node
                    continue
                bop[m] = sop[s]
                for j in range(snargs[s]):
                    bargs[ma] = _traced_node(sargs[sargp[s] + j], g, a0, arity, argi, stepnode)
                    if shasw[s]:
                        q = sargp[s] + j
                        bwk[mw] = swk[q]
                        bwn[mw] = swn[q]
                        bwd[mw] = swd[q]
                        bwf[mw] = swf[q]
                        mw += 1
                    ma += 1
                bhasw[m] = shasw[s]
                bptr[m + 1] = ma
                stepnode[r] = m
                m += 1
            pnn = -1 if tres[t] < 0 else _traced_node(tres[t], g, a0, arity, argi, stepnode)
            ok, ck2, cn2, cd2, cf2 = _times(dk, dnn, dd, df, one_c, trk[t] == 0 and trn[t] == 1,
                                            trk[t], trn[t], trd[t], trf[t])
            if not ok:  # kept unfolded, as for a linear gate
                ok, dn, m, ma, mw = _scale_node(dn, dk, dnn, dd, df, cache, bop, bptr, bargs, bhasw, bwk, bwn, bwd,
                                                bwf, xk, xn, xd, xf, xc, m, ma, mw, op_add, op_const)
                if not ok:
                    return 1, m, nmir
                dk, dnn, dd, df, one_c = 0, 1, 1, 0.0, True
                ck2, cn2, cd2, cf2 = trk[t], trn[t], trd[t], trf[t]
            if dn < 0:
                cnode = pnn
            elif pnn < 0:
                cnode = dn
            else:
                bop[m] = op_mul
                bargs[ma] = dn
                bargs[ma + 1] = pnn
                ma += 2
                bhasw[m] = 0
                bptr[m + 1] = ma
                cnode = m
                m += 1
            npool = _push(u, cnode, ck2, cn2, cd2, cf2, head, tail, count, pnode, pk, pn, pd, pf, pnext, npool)
    # materialise each input's derivative
    for x in range(inputs.shape[0]):
        v = inputs[x]
        if m + 2 >= cap or ma + 2 >= acap:
            return 2, m, nmir
        mz = _clear(m + 2, mz, pos, seen, xc)
        dn = adj_n[v]
        if dn == -2 or (dn >= 0 and _zero(adj_k[v], adj_nn[v], adj_f[v]) and not _one(adj_k[v], adj_nn[v], adj_d[v], adj_f[v])):
            node = _const(0, 0, 1, 0.0, cache, bop, bptr, bhasw, xk, xn, xd, xf, xc, m, ma, op_const)
        elif dn == -1:
            node = _const(adj_k[v], adj_nn[v], adj_d[v], adj_f[v], cache, bop, bptr, bhasw, xk, xn, xd, xf, xc,
                          m, ma, op_const)
        elif _one(adj_k[v], adj_nn[v], adj_d[v], adj_f[v]):
            node = dn
        else:
            if not _set_arg(ma, mw, dn, adj_k[v], adj_nn[v], adj_d[v], adj_f[v], bargs, bwk, bwn, bwd, bwf):
                return 1, m, nmir
            bop[m] = op_add
            ma += 1
            mw += 1
            bhasw[m] = 1
            bptr[m + 1] = ma
            node = m
        if node == m:
            m += 1
        outs[x] = node
    # live marks: every input of the circuit and what the outputs need
    live[:m] = 0
    for v in range(n):
        if kind[v] == 0:
            live[v] = 1
    for x in range(inputs.shape[0]):
        live[outs[x]] = 1
    for v in range(m - 1, -1, -1):
        if live[v]:
            for j in range(bptr[v], bptr[v + 1]):
                live[bargs[j]] = 1
    return 0, m, nmir


def _scale_node(dn, k, n, d, f, cache, bop, bptr, bargs, bhasw, bwk, bwn, bwd, bwf, xk, xn, xd, xf, xc,
                m, ma, mw, op_add, op_const):
    """``common.materialise`` of the adjoint ``dn · (k, n, d, f)``: its constant's node, or a one-wire ``+`` gate.

    The scale is neither 0 nor 1 (a product with it did not fold).  Returns
    ``(ok, node, m, ma, mw)``: the builder's new sizes, and ``ok`` False for a
    non-finite float, which the Python sweep must handle.
    """
    if dn < 0:
        if k == 1 and not f - f == 0.0:
            return False, dn, m, ma, mw
        node = _const(k, n, d, f, cache, bop, bptr, bhasw, xk, xn, xd, xf, xc, m, ma, op_const)
        return True, node, m + 1 if node == m else m, ma, mw
    if not _set_arg(ma, mw, dn, k, n, d, f, bargs, bwk, bwn, bwd, bwf):
        return False, dn, m, ma, mw
    bop[m] = op_add
    bhasw[m] = 1
    bptr[m + 1] = ma + 1
    return True, m, m + 1, ma + 1, mw + 1


def _traced_node(ref, g, a0, arity, argi, stepnode):
    """The node a partial rule's trace names by ``ref``.

    Parameters
    ----------
    ref : int
        Below ``arity``: that argument of ``g``; ``arity``: ``g`` itself (its
        value); above: the node made by trace step ``ref - arity - 1``.
    g : int
        The gate whose partial is being made.
    a0, arity : int
        Where ``g``'s arguments start in ``argi``, and how many there are.
    argi, stepnode : arrays
        The circuit's arguments, and the nodes made by the trace's steps so far.

    Returns
    -------
    int
        The node.
    """
    if ref < arity:
        return argi[a0 + ref]
    if ref == arity:
        return g
    return stepnode[ref - arity - 1]


def _const(k, n, d, f, cache, bop, bptr, bhasw, xk, xn, xd, xf, xc, m, ma, op_const):
    """The builder's ``const_node``: the cached node of this value and type, or ``m``, made now."""
    key = _key(k, n, d, f)
    if key in cache:
        return cache[key]
    cache[key] = m
    bop[m] = op_const
    bptr[m + 1] = ma
    bhasw[m] = 0
    xk[m] = k
    xn[m] = n
    xd[m] = d
    xf[m] = f
    xc[m] = 1
    return m


def _set_arg(j, w, node, k, n, d, f, bargs, bwk, bwn, bwd, bwf):
    """Write the builder's argument ``j``: ``node``, and its wire weight ``(k, n, d, f)`` in weight slot ``w``.

    Parameters
    ----------
    j, w : int
        The argument slot and the weight slot (the weights are kept only for
        the gates that have some, one after the other).
    node : int
        The argument's node.
    k, n, d, f : scalars
        The weight as a scale (kind, num, den, float).
    bargs, bwk, bwn, bwd, bwf : arrays
        The builder's arguments and their weights.

    Returns
    -------
    bool
        False for a non-finite float weight, which the Python sweep must handle.
    """
    bargs[j] = node
    bwk[w] = k
    bwn[w] = n
    bwd[w] = d
    bwf[w] = f
    return k != 1 or f - f == 0.0


def _clear(upto, mz, pos, seen, xc):
    """Zero the marks of the nodes from ``mz`` up to ``upto`` (those the next step may make); the new ``mz``."""
    for v in range(mz, upto):
        pos[v] = 0
        seen[v] = 0
        xc[v] = 0
    return max(mz, upto)


def _push(u, node, k, n, d, f, head, tail, count, pnode, pk, pn, pd, pf, pnext, npool):
    """Append the contribution ``(node, scale)`` to ``u``'s adjoint."""
    pnode[npool] = node
    pk[npool] = k
    pn[npool] = n
    pd[npool] = d
    pf[npool] = f
    pnext[npool] = -1
    if head[u] < 0:
        head[u] = npool
    else:
        pnext[tail[u]] = npool
    tail[u] = npool
    count[u] += 1
    return npool + 1
