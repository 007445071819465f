"""The rewrites of :func:`circuits.simplify` with ``minimize="ops"``, and the pieces its passes share.

Each rewrite rebuilds the circuit node by node and trades gates for binary
operations: :func:`share_partial_products` rebuilds products of all-but-one
of the same factors from shared prefix and suffix products,
:func:`reuse_partial_sums` and :func:`share_sum_cores` let sums that share
terms reuse one another, and :func:`factor_constants` applies a constant that
weighs many wires out of one node once.  :func:`carried_meta` moves the node
roles and adjoint pairs of a circuit's metadata to the rebuilt nodes.
:mod:`circuits.ad.simplify` runs them between its rounds.

Examples
--------
>>> import circuits
>>> from circuits.ad.simplify_sharing import factor_constants
>>> c = circuits.parse({"f": "3*x + y", "g": "3*x + z", "h": "3*x - w"})
>>> d = factor_constants(c)   # 3·x once, then three sums of weights ±1
>>> c, d
(<Circuit (x, y, z, w) -> (f, g, h): size 3, depth 1, wires 6>, <Circuit (x, y, z, w) -> (f, g, h): size 4, depth 2, wires 7>)
>>> d.evaluate(x=1, y=2, z=3, w=4) == c.evaluate(x=1, y=2, z=3, w=4)
True
"""

from __future__ import annotations

import heapq
from fractions import Fraction
from typing import Any, Optional

from ..core.builder import Builder
from ..core.circuit import Circuit
from ..core.gates import GATES

__all__ = ["share_partial_products", "reuse_partial_sums", "share_sum_cores", "factor_constants", "carried_meta",
           "LINEAR", "PRODUCTS", "nonunit", "exact_number"]

# the weighted sums, whose wire weights are the node's parameters (add); simplify's
# linear algebra merges, flattens and factors them
LINEAR = frozenset(name for name, gate in GATES.items() if gate.linear)
# the variadic products (mul): simplify gathers their constant factors
PRODUCTS = frozenset(name for name, gate in GATES.items()
                      if gate.monoid is not None and gate.monoid.operator == "*" and not gate.weighted)


def nonunit(weights) -> int:
    return sum(1 for w in weights if w != 1 and w != -1)


def exact_number(value) -> bool:
    return isinstance(value, (int, Fraction)) and not isinstance(value, bool)


def carried_meta(meta, made, val, n) -> dict:
    """The old circuit's node roles and adjoint pairs, moved to the simplified nodes.

    A new node takes the role of the old node whose rewriting made it; an
    adjoint pair survives when both of its nodes became nodes (not constants
    or scaled nodes) of the new circuit.
    """
    if made is None:
        return {}
    roles = ["primal"] * n  # inputs and constants
    for (start, role), (end, _) in zip(made, made[1:] + [(n, None)]):
        for v in range(start, end):
            roles[v] = role
    new: dict[str, Any] = {"role": roles}
    if "adjoint_of" in meta:
        pairs: dict = {}
        for a, z in meta["adjoint_of"].items():
            (na, ca), (nz, cz) = val[a] or (None, 0), val[z] or (None, 0)
            if na is not None and nz is not None and ca == 1 and cz == 1 and na != nz:
                pairs.setdefault(na, nz)
        new["adjoint_of"] = pairs
    return new


# --- minimize="ops": trade gates for binary operations ------------------------------------


def _copy(circuit: Circuit, emit) -> Circuit:
    """Rebuild ``circuit`` node by node; ``emit(b, i, new)`` may return a node for gate ``i``."""
    b = Builder()
    rec = circuit.record
    new: list = [None] * len(circuit)
    for name, v in rec.inputs.items():
        new[v] = b.input_node(name)
    roles = rec.meta.get("role")
    made: list | None = [] if roles is not None else None
    for i, op in enumerate(rec.ops):
        if op == "input":
            continue
        if op == "const":
            new[i] = b.const_node(rec.constants[i])
            continue
        if made is not None and roles is not None:  # both or neither
            made.append((len(b), roles[i]))
        node = emit(b, i, new)
        if node is None:
            node = b.gate(op, *[new[u] for u in rec.args[i]], weights=rec.params[i])
        new[i] = node
    for name, v in rec.outputs.items():
        b.output_node(name, new[v])
    val = [None if v is None else (v, 1) for v in new]
    return b.build(meta=carried_meta(rec.meta, made, val, len(b)))


def _product_families(circuit: Circuit) -> list:
    """[(factor set S, {missing factor: gate})]: the product gates over all but one factor of S."""
    ops, argss = circuit.record.ops, circuit.record.args
    by_set: dict = {}  # factor set -> gate
    groups: dict = {}  # (length, two smallest factors) -> gates
    for i, op in enumerate(ops):
        a = argss[i]
        if op not in PRODUCTS or len(a) < 3:
            continue
        factors = frozenset(a)
        if len(factors) != len(a):
            continue
        by_set.setdefault(factors, i)
        low = heapq.nsmallest(2, a)
        groups.setdefault((len(a), low[0], low[1]), []).append(i)
    families = []
    for (length, _, _), members in groups.items():
        if len(members) < 2:
            continue
        whole = frozenset().union(*(argss[i] for i in members))
        if len(whole) != length + 1:  # not one family: leave it
            continue
        fam: dict = {}  # missing factor -> gate
        for i in members:
            (missing,) = whole.difference(argss[i])
            fam.setdefault(missing, i)
        for e in heapq.nsmallest(2, whole):
            g = by_set.get(whole - {e})
            if g is not None:
                fam.setdefault(e, g)
        families.append((whole, fam))
    return families


def _product_plans(families: list) -> dict:
    """{gate: (chains, position)} for the families whose prefix and suffix chains save operations."""
    plans: dict = {}  # gate -> (chains, position)
    for whole, fam in families:
        m, k = len(fam), len(whole)
        r = k - m  # factors every gate of the family has
        cost = max(r + m - 2, 0) + max(m - 2, 0) + max(m - 1 - (r == 0), 0)
        if cost >= m * (k - 2) or any(g in plans for g in fam.values()):
            continue
        order = sorted(fam)  # the missing factors e_1..e_m
        chains = {"prefix": sorted(whole - set(fam)) + order, "suffix": order[::-1], "built": {}}
        for pos, e in enumerate(order):
            plans[fam[e]] = (chains, pos)
    return plans


def share_partial_products(circuit: Circuit) -> Circuit:
    """Products of all-but-one of the same factors, rebuilt from shared prefix and suffix products.

    ``m`` gates ``S ∖ {e_i}`` over a factor set ``S`` of size ``k`` cost
    ``m·(k − 2)`` operations; with ``R = Π(S ∖ E)``, prefixes
    ``P_j = R·e_1⋯e_j`` and suffixes ``Q_j = e_j⋯e_m`` the gate of ``e_i``
    is ``P_{i−1}·Q_{i+1}``: at most ``|R| + 3m`` operations.

    Families are found in time linear in the wires: the gates that miss
    neither of the two smallest factors of ``S`` share those two factors and
    their length, and their union is ``S``; the gates missing one of the two
    are looked up by their factor set.
    """
    plans = _product_plans(_product_families(circuit))
    if not plans:
        return circuit

    def chain(b, new, chains, kind, length):  # product of the first `length` factors of a chain
        built = chains["built"]
        factors = chains[kind]
        have = length
        while have > 1 and (kind, have) not in built:
            have -= 1
        node = built.get((kind, have), new[factors[0]])
        for n in range(have + 1, length + 1):
            node = built[(kind, n)] = b.gate("mul", node, new[factors[n - 1]])
        return node

    def emit(b, i, new):
        if i not in plans:
            return None
        chains, pos = plans[i]
        m = len(chains["suffix"])
        head = len(chains["prefix"]) - m + pos  # R·e_1⋯e_{pos}
        tail = m - 1 - pos                      # e_{pos+2}⋯e_m
        parts = [chain(b, new, chains, kind, n) for kind, n in (("prefix", head), ("suffix", tail)) if n]
        return parts[0] if len(parts) == 1 else b.gate("mul", *parts)

    return _copy(circuit, emit)


def reuse_partial_sums(circuit: Circuit) -> Circuit:
    """``D = S − w·u`` for a sum ``S = T + w·u``: build ``T`` first, ``S`` from it, ``D`` is ``T``."""
    ops, argss, weights = circuit.record.ops, circuit.record.args, circuit.record.params
    plan: dict = {}   # S -> position of u in S
    taken: dict = {}  # D -> S
    where: dict = {}  # S -> {argument: position}, built once per S
    for d, op in enumerate(ops):
        if op not in LINEAR or len(argss[d]) != 2:
            continue
        wd = weights[d] or (1, 1)
        for k in (0, 1):
            sum_, u, alpha, beta = argss[d][k], argss[d][1 - k], wd[k], wd[1 - k]
            if alpha != 1 or ops[sum_] not in LINEAR or sum_ in plan or len(argss[sum_]) < 3:
                continue
            if sum_ not in where:
                where[sum_] = {v: j for j, v in enumerate(argss[sum_])}
            pos = where[sum_].get(u)
            if pos is not None:
                if beta == -(weights[sum_][pos] if weights[sum_] is not None else 1):
                    plan[sum_] = pos
                    taken[d] = sum_
                    break
    if not plan:
        return circuit
    partial: dict = {}

    def emit(b, i, new):
        if i in taken:
            return partial[taken[i]]
        if i not in plan:
            return None
        pos = plan[i]
        a = argss[i]
        ws = weights[i] or (1,) * len(a)
        t = partial[i] = b.gate("add", *[new[u] for j, u in enumerate(a) if j != pos],
                                weights=[w for j, w in enumerate(ws) if j != pos])
        return b.gate("add", t, new[a[pos]], weights=(1, ws[pos]))

    return _copy(circuit, emit)


def _core_weights(core_args: list, wsets: list) -> list:
    """Each core argument's most frequent weight among the members (ties to 1)."""
    core_w = []
    for u in core_args:
        counts: dict = {}
        for ws in wsets:
            counts[ws[u]] = counts.get(ws[u], 0) + 1
        core_w.append(max(counts, key=lambda c: (counts[c], c == 1)))
    return core_w


def _core_plan(key, members: list, argss, weights) -> Optional[tuple]:
    """(core arguments, core weights, [(gate, [(arg, weight)] on top)]) when a core saves operations, else None."""
    core_args = sorted(key)
    tops = {argss[m][argss[m].index(max(argss[m]))] for m in members}
    wsets = []
    for m in members:
        ws = weights[m] or (1,) * len(argss[m])
        wsets.append(dict(zip(argss[m], ws)))
    if len(tops) == 1:  # the same newest argument everywhere: part of the core
        (top,) = tops
        core_args.append(top)
    core_w = _core_weights(core_args, wsets)
    old_cost = sum(len(argss[m]) - 1 + nonunit(wsets[k].values()) for k, m in enumerate(members))
    new_cost = len(core_args) - 1 + nonunit(core_w)
    member_plans = []
    for k, m in enumerate(members):
        extra = []
        for u, cw in zip(core_args, core_w):
            w = wsets[k][u]
            if w != cw:
                if not (exact_number(w) and exact_number(cw)):
                    return None
                extra.append((u, w - cw))
        extra += [(u, w) for u, w in wsets[k].items() if u not in key and u not in core_args]
        new_cost += len(extra) + nonunit([w for _, w in extra])
        member_plans.append((m, extra))
    if new_cost >= old_cost:
        return None
    return core_args, core_w, member_plans


def share_sum_cores(circuit: Circuit) -> Circuit:
    """Sums over nearly the same terms, built from one shared core sum.

    Gates are grouped by their arguments less the newest one (a gradient's
    ``Σᵢ 2rᵢ + (product)ⱼ`` differ in that last term only) or by all their
    arguments; the core ``T`` takes each argument with its most frequent
    weight in the group, and each gate becomes ``T + Σ (wᵢ − core wᵢ)·uᵢ +
    w·(newest)`` over the weights where it differs.  Applied to a group only
    when it saves operations.  ``xⱼ + Σᵢ xᵢ − 11`` for ``j = 1..9``: 9 × 11
    operations become 10 + 9 × 1.
    """
    ops, argss, weights = circuit.record.ops, circuit.record.args, circuit.record.params
    groups: dict = {}
    for g, op in enumerate(ops):
        a = argss[g]
        if op not in LINEAR or len(a) < 4:
            continue
        newest = max(a)
        groups.setdefault(frozenset(a).difference((newest,)), []).append(g)
    plans: dict = {}  # gate -> (core, [(arg, weight)] on top of the core)
    cores: dict = {}  # core key -> (args, weights) of the core sum
    for key, members in groups.items():
        if len(members) < 2 or any(m in plans for m in members):
            continue
        found = _core_plan(key, members, argss, weights)
        if found is None:
            continue
        core_args, core_w, member_plans = found
        cores[key] = (core_args, core_w)
        for m, extra in member_plans:
            plans[m] = (key, extra)
    if not plans:
        return circuit
    built: dict = {}

    def emit(b, i, new):
        if i not in plans:
            return None
        key, extra = plans[i]
        if key not in built:
            args, ws = cores[key]
            built[key] = b.gate("add", *[new[u] for u in args], weights=ws)
        if not extra:
            return built[key]
        return b.gate("add", built[key], *[new[u] for u, _ in extra], weights=[1] + [w for _, w in extra])

    return _copy(circuit, emit)


def _weight_claims(circuit: Circuit) -> dict:
    """{node: {|w|: [(add gate, position, product or None)]}}: the exact weights each node could take."""
    rec = circuit.record
    ops, argss, weights = rec.ops, rec.args, rec.params
    uses = [0] * len(circuit)
    for a in argss:
        for u in a:
            uses[u] += 1
    for v in rec.outputs.values():
        uses[v] += 1
    claims: dict = {}  # node -> {|w|: [(add gate, position, product or None)]}
    for g, op in enumerate(ops):
        w = weights[g]
        if op not in LINEAR or w is None:
            continue
        for pos, (u, c) in enumerate(zip(argss[g], w)):
            if c == 1 or c == -1 or ops[u] == "const" or not exact_number(c):
                continue
            if len(argss[g]) == 1 and c < 0:  # −|c|·u would stay a negation: nothing saved
                continue
            claims.setdefault(u, {}).setdefault(abs(c), []).append((g, pos, None))
            if ops[u] in PRODUCTS and uses[u] == 1:
                for f in dict.fromkeys(argss[u]):
                    if ops[f] != "const":
                        claims.setdefault(f, {}).setdefault(abs(c), []).append((g, pos, u))
    return claims


def _taken_weights(claims: dict) -> dict:
    """{(add gate, position): (node, c, product or None)}: the weights factored, each taken once."""
    # greedy: the node with most wires of one |w| first; each weight is taken once
    ranked = sorted(((len(items), u, c) for u, by_c in claims.items() for c, items in by_c.items()
                     if len(items) >= 2), key=lambda t: -t[0])
    # every |w| with two wires or more is factored in one round (one scale gate each),
    # so that the rounds converge in a few steps
    taken: dict = {}   # (add gate, position) -> (node, c, product or None)
    for _, u, c in ranked:
        free = [(g, pos, m) for g, pos, m in claims[u][c] if (g, pos) not in taken]
        if len(free) < 2:
            continue
        for g, pos, m in free:
            taken[(g, pos)] = (u, c, m)
    return taken


def factor_constants(circuit: Circuit) -> Circuit:
    """A constant shared by the weights on many wires out of one node, applied once.

    For a node ``r`` whose wires into ``+`` gates carry weights ``w``, each
    ``|w| = c`` on at least two wires is applied once by a scale gate ``c·r``,
    one operation, and those wires take it with weight ±1.
    A weight on a product ``r·v`` used only by that ``+`` gate counts for
    ``r`` too: the product takes ``c·r`` instead and its wire weight ±1
    (``20000·(x₂·r) − 2·(e·s)`` and ``20000·(x₁·r) − 2·(e'·s)`` share
    ``20000·r`` and ``2·s``, as CasADi forms them).
    Only exact (rational) weights count, so no rounding is introduced.
    """
    rec = circuit.record
    ops, argss, weights = rec.ops, rec.args, rec.params
    taken = _taken_weights(_weight_claims(circuit))  # (add gate, position) -> (node, c, product or None)
    if not taken:
        return circuit
    scaled: dict = {}
    in_product = {m: (u, c) for u, c, m in taken.values() if m is not None}

    def scale(b, new, u, c):
        if (u, c) not in scaled:
            scaled[(u, c)] = b.gate("add", new[u], weights=(c,))
        return scaled[(u, c)]

    def emit(b, i, new):
        if i in in_product:
            u, c = in_product[i]
            args = [new[a] for a in argss[i]]
            args[argss[i].index(u)] = scale(b, new, u, c)
            return b.gate("mul", *args)
        w = weights[i]
        if ops[i] not in LINEAR or w is None or not any((i, pos) in taken for pos in range(len(w))):
            return None
        args, ws = [], []
        for pos, (u, c) in enumerate(zip(argss[i], w)):
            claim = taken.get((i, pos))
            if claim is None:
                args.append(new[u])
                ws.append(c)
                continue
            node, k, m = claim
            args.append(new[m] if m is not None else scale(b, new, node, k))
            ws.append(1 if c > 0 else -1)
        return b.gate("add", *args, weights=ws)

    return _copy(circuit, emit)
