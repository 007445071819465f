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
binary operations (:mod:`circuits.ad.simplify_sharing`), and the cheapest
round is returned (see :func:`simplify`).
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

import math
from fractions import Fraction

from ..core.circuit import gate_binary_ops
from ..core.builder import Builder
from ..core.circuit import Circuit, check_circuit
from ..core.errors import CircuitError
from ..core.folding import fold
from ..core.gates import GATES
from .simplify_sharing import (LINEAR, PRODUCTS, carried_meta, exact_number, factor_constants, nonunit,
                               reuse_partial_sums, share_partial_products, share_sum_cores)

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
    current, best, best_cost = _rounds(circuit, minimize)
    if minimize == "ops":
        # the gate-minimal form is a candidate too: there constants are folded before any
        # weight is factored out ((1 + 2x + 2y) - 1 is 2x + 2y, not 2(x + y + 1/2) - 1)
        by_gates = simplify(circuit)
        if _ops_and_size(by_gates) < best_cost:
            best = by_gates
    return best if minimize == "ops" else current


def _rounds(circuit: Circuit, minimize: str) -> tuple:
    """(last round, cheapest circuit seen, its cost) of the passes of :func:`simplify`, up to a fixed point."""
    current = circuit
    # minimize="ops": the cheapest circuit seen, the input included (the latest on ties,
    # so a result equal in cost to the input is still the simplified one)
    best, best_cost = circuit, _ops_and_size(circuit) if minimize == "ops" else ()  # (): unused for "gates"
    for _ in range(_MAX_ROUNDS):
        nxt = _Pass(current, minimize).run()
        if minimize == "ops":
            nxt = factor_constants(share_partial_products(reuse_partial_sums(share_sum_cores(nxt))))
            cost = _ops_and_size(nxt)
            if cost <= best_cost:
                best, best_cost = nxt, cost
        if _same(nxt, current):
            break
        current = nxt
    return current, best, best_cost


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


def _ratio(w, c):
    """``w / c`` exactly (an int where it is one), or None when that would round."""
    if exact_number(w):
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
        elif exact_number(w):
            counts[abs(w)] = counts.get(abs(w), 0) + 1
    if not counts:
        return 1, weights, constant
    c = max(counts, key=lambda k: counts[k])
    if counts[c] - units < 2:  # the saving, known before dividing anything
        return 1, weights, constant
    scaled = [_ratio(w, c) for w in weights]
    k = _ratio(constant, c) if constant != 0 else 0
    if k is None or any(w is None for w in scaled) or nonunit(weights) - nonunit(scaled) < 2:
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
        if (op in PRODUCTS or product) and self.used.get(n, 0) == 0 and self.minimize == "gates":
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
            if op in LINEAR:  # a weighted sum: its weights are the node's parameters
                val[i] = self.add(i, args, c.weights(i), val)
                if val[i][0] is not None and val[i][1] == 1:
                    self.origin.setdefault(val[i][0], i)
            elif op in PRODUCTS:
                val[i] = self.mul(i, op, args, val)
            else:
                val[i] = self.other(i, op, args, val)
            if self.minimize == "ops" and self.uses[i] > 1:
                val[i] = self.settle(i, val[i])
        for name, v in rec.outputs.items():
            if made is not None and roles is not None:  # both or neither
                made.append((len(b), roles[v]))
            b.output_node(name, self.node(val[v]))
        return b.build(meta=carried_meta(rec.meta, made, val, len(b)))

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
            if (b.op(n) in LINEAR and self.uses[u] == 1 and self.origin.get(n) == u
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
            if op in LINEAR:
                w = weights[j][pos] if weights[j] is not None else 1
                if w == 1 or w == -1:
                    cost += 1          # ±1 becomes ±c
                else:
                    wc = w * c
                    cost -= wc == 1 or wc == -1
            elif op in PRODUCTS or (GATES[op].homogeneous and self.uses[j] == 1):
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
        return nonunit([scale * w for w in inner]) <= nonunit(inner) + nonunit([scale])

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

