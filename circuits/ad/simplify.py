"""Simplification: constant folding, algebraic identities, CSE and dead-gate removal.

One pass walks the circuit in topological order and maps every old node to a
*scaled value* ``(node, c)`` or a constant ``(None, c)`` in a new builder:

* constant folding: a gate whose arguments are all constants becomes a
  constant (when the registry can evaluate it there: exactly for rational
  gates, in floating point otherwise; a domain error leaves the gate);
* identities: ``u·1``, ``u·0``, ``u+0``, products and quotients by constants,
  ``pow`` with exponent 0, 1, 2 or −1, ``u·(1/v) = u / v``;
* scaled wires folded into weights: a scale ``c·u`` is never a gate unless a
  non-linear gate or an output needs it, and nested weighted ``+`` gates used
  once are flattened into their consumer;
* common-subexpression elimination by structural hashing, with the operands
  of commutative gates sorted;
* dead gates (that no output needs) are dropped.

The pass is repeated until nothing changes, so :func:`simplify` is idempotent.
With ``minimize="ops"`` each round also runs rewrites that trade gates for
binary operations, and the cheapest round is returned (see :func:`simplify`).
It preserves every output's value (up to floating-point rounding where
constants are folded in floating point).  Rules that move a constant across
a gate (``(c·u)² = c²·u²``, ``(a·u)·(b·v) = ab·(u·v)``, ``u / c = (1/c)·u``,
flattening nested weighted sums) only fire when every constant they combine
lies within ``2^±256`` of 1 (:data:`TAME`), so that a value the circuit
computes as a finite float cannot over- or underflow after the rewrite
(``(1e200·x)²`` at ``x = 1e-300`` stays ``1e-200``); constant folding refuses
exact results beyond :data:`circuits.evaluate.MAX_EXACT_BITS` bits and leaves
the gate, so ``((x - x + 3)**65536)**65536`` simplifies at once.
"""

from __future__ import annotations

import heapq
import math
from typing import Any
from fractions import Fraction

from ..core.circuit import gate_binary_ops
from ..core.builder import Builder
from ..core.circuit import Circuit, check_circuit
from ..core.errors import CircuitError
from ..core.folding import fold
from ..core.gates import GATES

__all__ = ["simplify", "TAME"]

#: Constants that simplification may combine and move across gates: 0 and
#: magnitudes in [2^-256, 2^256].  Beyond, the circuit's own order of operations is kept.
TAME = (Fraction(1, 2 ** 256), 2 ** 256)


def _tame(*constants) -> bool:
    low, high = TAME
    for c in constants:
        if c != 0 and not (low <= abs(c) <= high):  # False for nan too
            return False
    return True


def _tame_product(*factors) -> bool:
    """Whether the factors and their product are tame, checked factor by factor
    (so the product can neither overflow nor underflow to 0 while computed)."""
    if any(c == 0 for c in factors):
        return True
    product = 1
    for c in factors:
        if not _tame(c):
            return False
        product = product * c
        if product == 0 or not _tame(product):
            return False
    return True

_MAX_ROUNDS = 20

# the weighted sums, whose wire weights are the node's parameters (add); simplify's
# linear algebra merges, flattens and factors them
_LINEAR = frozenset(name for name, gate in GATES.items() if gate.linear)
# the variadic products (mul): simplify gathers their constant factors
_PRODUCTS = frozenset(name for name, gate in GATES.items()
                      if gate.monoid is not None and gate.monoid.operator == "*" and not gate.weighted)


def simplify(circuit: Circuit, minimize: str = "gates") -> Circuit:
    """A smaller circuit computing the same outputs.

    Parameters
    ----------
    circuit : Circuit
    minimize : {"gates", "ops"}
        ``"gates"`` (the default) keeps the gate count (the size) as small
        as the rules can.  ``"ops"`` then trades gates for binary operations
        (:attr:`circuits.analysis.Analysis.binary_ops`, the count CasADi and
        JAX report): the main pass keeps a scale ``c·u`` used by several
        gates as one scale gate where spreading ``c`` into their weights and
        products would cost more, takes a constant common to the weights of a
        sum out of it (``2·a + 2·b → 2·(a + b)``), and five more rewrites run,
        each applied only where it saves operations:

        * a constant shared by many wire weights out of one node (directly or
          through products used once) is applied once, by a scale gate, so
          those weights become ±1 (``2·rᵢ`` formed once in a least-squares
          gradient, as CasADi does);
        * the partials of a ``k``-ary product (each the product of the other
          ``k − 1`` factors, ``k − 2`` operations apiece) share prefix and
          suffix products: about ``3k`` operations instead of ``k(k − 2)``;
        * a sum minus one of its own terms, ``S − w·u``, becomes the partial
          sum ``T`` that ``S = T + w·u`` is then built from (no more gates,
          one operation fewer);
        * sums over nearly the same terms are built from one shared core sum.

        The result never has more operations than the input nor than the
        ``"gates"`` result: the cheapest of the rounds, the input and that
        result is returned, a safety net behind the estimates of the main
        pass.

    Examples
    --------
    On the sum-of-squares example, backpropagation followed by simplification is
    the hand-built minimal gradient circuit: three linear forms and one
    weighted sum of them per partial.

    >>> import circuits
    >>> f = circuits.parse("(x - 3*y - 3*z + 5)**2 + (x - 2*y - 2*z)**2 + (x + y - 5*z - 3)**2")
    >>> g = circuits.simplify(circuits.backward(f))
    >>> g.size, sorted(g.op(v) for v in g.gates())
    (6, ['add', 'add', 'add', 'add', 'add', 'add'])
    >>> s = circuits.simplify(circuits.parse("(x*1 + 0) * (2*y) + x*y + exp(0)"))
    >>> s.size, s.evaluate(x=2, y=3)
    (2, {'f': 19.0})

    Minimising operations instead of gates on the same gradient: ``6·r₁``
    and ``4·r₂`` are each used by two partials, so each is formed once, and
    ``∂f/∂x = 2·r₁ + 2·r₂ + 2·r₃`` becomes ``2·(r₁ + r₂ + r₃)`` (three more
    gates, four fewer operations).

    >>> from circuits.analysis.counts import analyze
    >>> [(analyze(h).s, analyze(h).binary_ops) for h in (g, circuits.simplify(g, minimize="ops"))]
    [(6, 28), (9, 24)]

    Never more operations than the input (issue 17: ``2u`` formed once by
    backpropagation used to be spread into two weights and a product):

    >>> h = circuits.backward(circuits.parse("(x*y + x)*(x*y + x)"))
    >>> analyze(h).binary_ops, analyze(circuits.simplify(h, minimize="ops")).binary_ops
    (6, 6)
    """
    check_circuit(circuit, "simplify()")
    if minimize not in ("gates", "ops"):
        raise CircuitError(f"simplify: minimize must be 'gates' or 'ops', not {minimize!r}")
    current = circuit
    # minimize="ops": the cheapest circuit seen, the input included (the latest on ties,
    # so a result equal in cost to the input is still the simplified one)
    best, best_cost = circuit, _ops_and_size(circuit) if minimize == "ops" else ()  # (): unused for "gates"
    for _ in range(_MAX_ROUNDS):
        nxt = _Pass(current, minimize).run()
        if minimize == "ops":
            nxt = _factor_constants(_share_partial_products(_reuse_partial_sums(_share_sum_cores(nxt))))
            cost = _ops_and_size(nxt)
            if cost <= best_cost:
                best, best_cost = nxt, cost
        if _same(nxt, current):
            break
        current = nxt
    if minimize == "ops":
        # the gate-minimal form is a candidate too: there constants are folded before any
        # weight is factored out ((1 + 2x + 2y) - 1 is 2x + 2y, not 2(x + y + 1/2) - 1)
        by_gates = simplify(circuit)
        if _ops_and_size(by_gates) < best_cost:
            best = by_gates
    return best if minimize == "ops" else current


def _ops_and_size(circuit: Circuit) -> tuple:
    """(binary operations, gates): what minimize="ops" compares, operations first.

    The rewrites each save operations where they apply, and the main pass
    spreads a scale only where that is estimated to cost nothing; this
    comparison is the safety net behind those estimates, so that the result
    never has more operations than the input (nor than any round before it).
    """
    return sum(gate_binary_ops(circuit, v) for v in circuit.gates()), circuit.size


def _same(a: Circuit, b: Circuit) -> bool:
    ra, rb = a.record, b.record
    return (ra.ops == rb.ops and ra.args == rb.args and ra.params == rb.params
            and ra.constants == rb.constants and ra.outputs == rb.outputs)


def _fold(op, values):
    """Value of gate ``op`` on constant arguments, or None when it cannot be folded."""
    gate = GATES[op]
    try:
        result = fold(gate, values)  # None past the bit budget: folding would take hours (3**(2**32))
    except (ArithmeticError, ValueError, OverflowError, TypeError):
        return None
    if isinstance(result, float) and not (result == result and abs(result) != float("inf")):
        return None
    return result


def _nonunit(weights) -> int:
    return sum(1 for w in weights if w != 1 and w != -1)


def _ratio(w, c):
    """``w / c`` exactly (an int where it is one), or None when that would round."""
    if _exact(w):
        q = Fraction(w) / c
        return int(q) if q.denominator == 1 else q
    if w == c or w == -c:  # a float weight equal to ±c divides to ±1 exactly
        return 1 if w == c else -1
    return None


def _common_scale(weights, constant):
    """``(c, weights / c, constant / c)`` for the sum ``Σ wᵢ·uᵢ + constant`` written ``c·Σ (wᵢ/c)·uᵢ``.

    ``c`` is the most frequent exact ``|wᵢ| ≠ 1``; it is taken out only when
    that saves at least two weight multiplications, since the scale itself
    may cost one where the sum is used (a scale gate; nothing when a ``+``
    gate takes it into a weight).  ``2·r₁ + 2·x₂·r₃ − 2·10⁶`` becomes
    ``2·(r₁ + x₂·r₃ − 10⁶)``: three operations and the scale instead of four.
    Division is exact (rational), so no value changes.
    """
    counts: dict = {}
    units = 0
    for w in weights:
        if w == 1 or w == -1:
            units += 1  # ±1 would become ±1/c: one more multiplication
        elif _exact(w):
            counts[abs(w)] = counts.get(abs(w), 0) + 1
    if not counts:
        return 1, weights, constant
    c = max(counts, key=lambda k: counts[k])
    if counts[c] - units < 2:  # the saving, known before dividing anything
        return 1, weights, constant
    scaled = [_ratio(w, c) for w in weights]
    k = _ratio(constant, c) if constant != 0 else 0
    if k is None or any(w is None for w in scaled) or _nonunit(weights) - _nonunit(scaled) < 2:
        return 1, weights, constant
    return c, scaled, k


class _Pass:
    def __init__(self, circuit: Circuit, minimize: str = "gates"):
        self.c = circuit
        self.minimize = minimize
        self.b = Builder()
        self.cse: dict = {}
        uses = [0] * len(circuit)
        for a in circuit.record.args:
            for u in a:
                uses[u] += 1
        for v in circuit.outputs.values():
            uses[v] += 1
        self.uses = uses
        if minimize == "ops":  # who consumes each old node, for the cost of spreading a scale
            readers: list = [None] * len(circuit)
            for j, a in enumerate(circuit.record.args):
                for pos, u in enumerate(a):
                    if uses[u] > 1:
                        if readers[u] is None:
                            readers[u] = []
                        readers[u].append((j, pos))
            self.readers = readers
            self.outputs = set(circuit.record.outputs.values())
        self.origin: dict = {}  # new add gate -> the old node it was made for
        self.used: dict = {}    # new node -> wires out of it so far

    def gate(self, op, args, weights=None):
        """A gate through the CSE table (commutative operands sorted); counts the new uses."""
        # Two operands commute exactly in floating point; three or more are kept in
        # the circuit's order, since reordering them can overflow (x·x·0 is nan, 0·x·x is 0).
        # (the gate declares it: max and min do, nan propagating and +0 above -0; atan2 does not)
        if GATES[op].commutes_exactly and len(args) <= 2:
            if weights is None:
                args = tuple(sorted(args))
            else:  # the nodes of a sum are distinct, so weights are never compared
                args, weights = zip(*sorted(zip(args, weights)))
                if weights.count(1) == len(weights):
                    weights = None
        # weight types are part of the key: 0.5 and Fraction(1, 2) are equal but
        # merging them would make exact evaluation inexact
        key = (op, args, weights, None if weights is None else tuple(map(type, weights)))
        node = self.cse.get(key)
        if node is None:
            node = self.cse[key] = self.b.gate(op, *args, weights=weights)
            for u in args:
                self.used[u] = self.used.get(u, 0) + 1
        return node

    def node(self, val) -> int:
        """A node for a scaled value, making the scale gate (once) if needed.

        A scaled product ``c·(u·v)`` (or square ``c·u²``) becomes the product
        ``u·v·c`` with the constant as a factor: one gate, where a scale gate
        would be a second one whenever ``u·v`` has no other use.  When ``u·v``
        is already used, a scale gate is one operation where the longer
        product would be two.
        """
        n, c = val
        if n is None:
            return self.b.const_node(c)
        if c == 1:
            return n
        op = self.b.op(n)
        product = GATES[op].identities.get("product") if op in GATES else None  # square(u) = mul(u, u)
        # minimising operations: a later consumer may still need u·v itself, and then
        # u·v·c would cost two operations where the scale gate costs one
        if (op in _PRODUCTS or product) and self.used.get(n, 0) == 0 and self.minimize == "gates":
            if product:  # c·u² = u·u·c, pulled out of (c'·u)² by other()
                (u,) = self.b.args(n)
                return self.gate(product, (u,) * GATES[op].degree_of() + (self.b.const_node(c),))
            return self.gate(op, self.b.args(n) + (self.b.const_node(c),))
        return self.gate("add", (n,), (c,))

    def linear(self, terms, constant):
        """Canonical weighted sum: merged duplicates, no zeros, constants folded."""
        acc: dict = {}
        for n, c in terms:
            acc[n] = acc.get(n, 0) + c
        items = [(n, c) for n, c in acc.items() if c != 0]
        if not items:
            return (None, constant)
        if constant == 0 and len(items) == 1:
            return items[0]
        args = [n for n, _ in items]
        weights = [c for _, c in items]
        scale = 1
        if self.minimize == "ops":
            scale, weights, constant = _common_scale(weights, constant)
        if constant != 0:
            args.append(self.b.const_node(constant))
            weights.append(1)
        return (self.gate("add", tuple(args), tuple(weights)), scale)

    def run(self) -> Circuit:
        c, b = self.c, self.b
        rec = c.record
        val: list = [None] * len(c)
        for name, v in rec.inputs.items():
            val[v] = (b.input_node(name), 1)
        roles = rec.meta.get("role")
        made: list | None = [] if roles is not None else None  # (first new node, role of the old node it serves)
        for i, op in enumerate(rec.ops):
            if op == "input":
                continue
            if op == "const":
                val[i] = (None, rec.constants[i])
                continue
            if made is not None and roles is not None:  # both or neither
                made.append((len(b), roles[i]))
            args = rec.args[i]
            if op in _LINEAR:  # a weighted sum: its weights are the node's parameters
                val[i] = self.add(i, args, c.weights(i), val)
                if val[i][0] is not None and val[i][1] == 1:
                    self.origin.setdefault(val[i][0], i)
            elif op in _PRODUCTS:
                val[i] = self.mul(i, op, args, val)
            else:
                val[i] = self.other(i, op, args, val)
            if self.minimize == "ops" and self.uses[i] > 1:
                val[i] = self.settle(i, val[i])
        for name, v in rec.outputs.items():
            if made is not None and roles is not None:  # both or neither
                made.append((len(b), roles[v]))
            b.output_node(name, self.node(val[v]))
        return b.build(meta=_carried_meta(rec.meta, made, val, len(b)))

    def add(self, i, args, weights, val):
        b = self.b
        terms, constant = [], 0
        for u, w in zip(args, weights):
            n, c = val[u]
            if n is None:
                constant += w * c
                continue
            if not _tame_product(w, c):  # keep the circuit's order: scale, then weigh
                terms.append((self.node((n, c)), w))
                continue
            # flatten a weighted + gate that only this gate uses (when minimising
            # operations, only if scaling its weights costs no more than the wire)
            if (b.op(n) in _LINEAR and self.uses[u] == 1 and self.origin.get(n) == u
                    and (self.minimize == "gates" or self.flattens(n, w * c))
                    and all(_tame_product(w, c, iw) for iw in (b.params(n) or ()))):
                inner_w = b.params(n) or (1,) * len(b.args(n))
                for m, iw in zip(b.args(n), inner_w):
                    if b.op(m) == "const":
                        constant += w * c * iw * b.value(m)
                    else:
                        terms.append((m, w * c * iw))
                continue
            terms.append((n, w * c))
        return self.linear(terms, constant)

    def settle(self, i, value):
        """``value`` of a shared old node ``i``, its scale applied once when spreading costs more.

        A scaled value ``c·u`` (``c ≠ ±1``) is normally handed to every
        consumer, which absorbs ``c``: a ``+`` gate into its weight (one more
        operation when the weight was ±1, one fewer when ``c·w`` is ±1), a
        product into its own scale (to be applied further on: counted as one
        operation), any other gate or an output through one shared scale gate.
        When that costs more than the one operation of a scale gate made here,
        the scale gate is made here and the consumers see ``c·u`` as a plain
        node, as ``backward`` built it (``2·u`` formed once, not spread into
        weights and products).
        """
        n, c = value
        if n is None or c == 1 or c == -1:
            return value
        ops, weights = self.c.record.ops, self.c.record.params
        shared = i in self.outputs
        cost = int(shared)
        readers = self.readers[i] or ()
        for k, (j, pos) in enumerate(readers):
            op = ops[j]
            if op in _LINEAR:
                w = weights[j][pos] if weights[j] is not None else 1
                if w == 1 or w == -1:
                    cost += 1          # ±1 becomes ±c
                else:
                    wc = w * c
                    cost -= wc == 1 or wc == -1
            elif op in _PRODUCTS or (GATES[op].homogeneous and self.uses[j] == 1):
                cost += 1  # (c·u)·v and (c·u)² carry c (or c²) on to their own consumers
            elif not shared:
                shared = True
                cost += 1
            if cost - (len(readers) - k - 1) > 1:
                break  # each later reader saves at most one: decided
        if cost <= 1:
            return value
        return (self.node(value), 1)

    def flattens(self, n, scale) -> bool:
        inner = [w for m, w in zip(self.b.args(n), self.b.params(n) or (1,) * len(self.b.args(n)))
                 if self.b.op(m) != "const"]
        return _nonunit([scale * w for w in inner]) <= _nonunit(inner) + _nonunit([scale])

    def mul(self, i, op, args, val):
        if not _tame_product(*[val[u][1] for u in args]):
            # constants too large or small to gather: the product of the operands as they are
            return (self.gate(op, tuple(self.node(val[u]) for u in args)), 1)
        coeff = 1
        nodes = []
        for u in args:
            n, c = val[u]
            coeff = coeff * c
            if n is not None:
                nodes.append(n)
        if coeff == 0:
            return (None, 0 * coeff)
        if not nodes:
            return (None, coeff)
        if len(nodes) == 1:
            return (nodes[0], coeff)
        inverse, quotient = GATES[op].identities.get("inverse"), GATES[op].identities.get("quotient")
        if len(nodes) == 2 and quotient:  # u·(1/v) = u / v
            if self.b.op(nodes[1]) == inverse:
                nodes.reverse()
            if self.b.op(nodes[0]) == inverse:
                return (self.gate(quotient, (nodes[1],) + self.b.args(nodes[0])), coeff)
        if coeff != 1 and self.uses[i] > 1:
            # a shared product keeps its constant factor: pulled out, every
            # consumer that is not a + gate would need a gate of its own
            return (self.gate(op, tuple(nodes) + (self.b.const_node(coeff),)), 1)
        return (self.gate(op, tuple(nodes)), coeff)

    def other(self, i, op, args, val):
        vals = [val[u] for u in args]
        if all(n is None for n, _ in vals):
            folded = _fold(op, [c for _, c in vals])
            if folded is not None:
                return (None, folded)
        gate = GATES[op]
        inverse = gate.identities.get("inverse")
        if inverse and not gate.monoid:  # a quotient: u / c = (1/c)·u
            (n0, c0), (n1, c1) = vals
            if n1 is None and c1 != 0 and _tame(c1):
                inv = fold(GATES[inverse], [c1])
                if _tame_product(c0, inv):
                    return (n0, c0 * inv) if n0 is not None else (None, c0 * inv)
        if gate.powers:  # an integer power: k = 0 and 1 vanish, others may have a gate of their own
            (pos,) = gate.constant_args
            k = vals[pos][1]
            if k == 0:
                return (None, 1)
            if k == 1:
                return vals[0]
            if k in gate.powers:
                op, args, vals = gate.powers[k], args[:1], vals[:1]
                gate = GATES[op]
        if gate.homogeneous and gate.arity == 1 and vals[0][0] is not None and self.uses[i] == 1:
            n, c = vals[0]  # (c·u)² = c²·u²
            factors = [c] * gate.degree_of()
            if _tame_product(*factors):
                return (self.gate(op, (n,)), math.prod(factors))
        nodes = tuple(self.node(v) for v in vals)
        return (self.gate(op, nodes), 1)


def _carried_meta(meta, made, val, n) -> dict:
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
    return b.build(meta=_carried_meta(rec.meta, made, val, len(b)))


def _share_partial_products(circuit: Circuit) -> Circuit:
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
    ops, argss = circuit.record.ops, circuit.record.args
    by_set: dict = {}  # factor set -> gate
    groups: dict = {}  # (length, two smallest factors) -> gates
    for i, op in enumerate(ops):
        a = argss[i]
        if op not in _PRODUCTS or len(a) < 3:
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


def _reuse_partial_sums(circuit: Circuit) -> Circuit:
    """``D = S − w·u`` for a sum ``S = T + w·u``: build ``T`` first, ``S`` from it, ``D`` is ``T``."""
    ops, argss, weights = circuit.record.ops, circuit.record.args, circuit.record.params
    plan: dict = {}   # S -> position of u in S
    taken: dict = {}  # D -> S
    where: dict = {}  # S -> {argument: position}, built once per S
    for d, op in enumerate(ops):
        if op not in _LINEAR or len(argss[d]) != 2:
            continue
        wd = weights[d] or (1, 1)
        for k in (0, 1):
            sum_, u, alpha, beta = argss[d][k], argss[d][1 - k], wd[k], wd[1 - k]
            if alpha != 1 or ops[sum_] not in _LINEAR or sum_ in plan or len(argss[sum_]) < 3:
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


def _share_sum_cores(circuit: Circuit) -> Circuit:
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
        if op not in _LINEAR or len(a) < 4:
            continue
        newest = max(a)
        groups.setdefault(frozenset(a).difference((newest,)), []).append(g)
    plans: dict = {}  # gate -> (core, [(arg, weight)] on top of the core)
    cores: dict = {}  # core key -> (args, weights) of the core sum
    for key, members in groups.items():
        if len(members) < 2 or any(m in plans for m in members):
            continue
        core_args = sorted(key)
        tops = {argss[m][argss[m].index(max(argss[m]))] for m in members}
        wsets = []
        for m in members:
            ws = weights[m] or (1,) * len(argss[m])
            wsets.append(dict(zip(argss[m], ws)))
        if len(tops) == 1:  # the same newest argument everywhere: part of the core
            (top,) = tops
            core_args.append(top)
        core_w = []
        for u in core_args:
            counts: dict = {}
            for ws in wsets:
                counts[ws[u]] = counts.get(ws[u], 0) + 1
            core_w.append(max(counts, key=lambda c: (counts[c], c == 1)))
        old_cost = sum(len(argss[m]) - 1 + _nonunit(wsets[k].values()) for k, m in enumerate(members))
        new_cost = len(core_args) - 1 + _nonunit(core_w)
        member_plans = []
        ok = True
        for k, m in enumerate(members):
            extra = []
            for u, cw in zip(core_args, core_w):
                w = wsets[k][u]
                if w != cw:
                    if not (_exact(w) and _exact(cw)):
                        ok = False
                        break
                    extra.append((u, w - cw))
            if not ok:
                break
            extra += [(u, w) for u, w in wsets[k].items() if u not in key and u not in core_args]
            new_cost += len(extra) + _nonunit([w for _, w in extra])
            member_plans.append((m, extra))
        if not ok or new_cost >= old_cost:
            continue
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


def _exact(value) -> bool:
    return isinstance(value, (int, Fraction)) and not isinstance(value, bool)


def _factor_constants(circuit: Circuit) -> Circuit:
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
    uses = [0] * len(circuit)
    for a in argss:
        for u in a:
            uses[u] += 1
    for v in rec.outputs.values():
        uses[v] += 1
    claims: dict = {}  # node -> {|w|: [(add gate, position, product or None)]}
    for g, op in enumerate(ops):
        w = weights[g]
        if op not in _LINEAR or w is None:
            continue
        for pos, (u, c) in enumerate(zip(argss[g], w)):
            if c == 1 or c == -1 or ops[u] == "const" or not _exact(c):
                continue
            if len(argss[g]) == 1 and c < 0:  # −|c|·u would stay a negation: nothing saved
                continue
            claims.setdefault(u, {}).setdefault(abs(c), []).append((g, pos, None))
            if ops[u] in _PRODUCTS and uses[u] == 1:
                for f in dict.fromkeys(argss[u]):
                    if ops[f] != "const":
                        claims.setdefault(f, {}).setdefault(abs(c), []).append((g, pos, u))
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
        if ops[i] not in _LINEAR or w is None or not any((i, pos) in taken for pos in range(len(w))):
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
