"""Simplification: constant folding, algebraic identities, CSE and dead-gate removal.

One pass walks the circuit in topological order and maps every old node to a
*scaled value* ``(node, c)`` or a constant ``(None, c)`` in a new builder:

* constant folding: a gate whose arguments are all constants becomes a
  constant (when the registry can evaluate it there: exactly for rational
  gates, in floating point otherwise; a domain error leaves the gate);
* identities: ``u·1``, ``u·0``, ``u+0``, products and quotients by constants,
  ``pow`` with exponent 0, 1, 2 or −1;
* scaled wires folded into weights: a scale ``c·u`` is never a gate unless a
  non-linear gate or an output needs it, and nested weighted ``+`` gates used
  once are flattened into their consumer;
* common-subexpression elimination by structural hashing, with the operands
  of commutative gates sorted;
* dead gates (that no output needs) are dropped.

The pass is repeated until nothing changes, so :func:`simplify` is idempotent.
It preserves every output's value (up to floating-point rounding where
constants are folded in floating point).
"""

from __future__ import annotations

from fractions import Fraction

from ..builder import Builder
from ..circuit import Circuit
from ..gates import GATES

__all__ = ["simplify"]

_MAX_ROUNDS = 20


def simplify(circuit: Circuit) -> Circuit:
    """A smaller circuit computing the same outputs.

    Examples
    --------
    On Figure 1 of seed 003, backpropagation followed by simplification is
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
    """
    current = circuit
    for _ in range(_MAX_ROUNDS):
        nxt = _simplify_once(current)
        if _same(nxt, current):
            return nxt
        current = nxt
    return current


def _same(a: Circuit, b: Circuit) -> bool:
    return (a._ops == b._ops and a._args == b._args and a._weights == b._weights
            and a._values == b._values and a._outputs == b._outputs)


def _fold(op, values):
    """Value of gate ``op`` on constant arguments, or None when it cannot be folded."""
    gate = GATES[op]
    exact = gate.exact and all(isinstance(v, (int, Fraction)) for v in values)
    try:
        if exact:
            result = gate.num(*values)
            if op in ("div", "recip") and isinstance(result, float):
                result = Fraction(values[0]) / Fraction(values[1]) if op == "div" else 1 / Fraction(values[0])
            return result
        result = gate.num(*[float(v) for v in values])
        return result if result == result and abs(result) != float("inf") else None
    except (ArithmeticError, ValueError, OverflowError, TypeError):
        return None


class _Pass:
    def __init__(self, circuit: Circuit):
        self.c = circuit
        self.b = Builder()
        self.cse: dict = {}
        self.materialised: dict = {}
        uses = [0] * len(circuit)
        for a in circuit._args:
            for u in a:
                uses[u] += 1
        for v in circuit._outputs.values():
            uses[v] += 1
        self.uses = uses
        self.origin: dict = {}  # new add gate -> the old node it was made for

    def gate(self, op, args, weights=None):
        """A gate through the CSE table (commutative operands sorted)."""
        if GATES[op].commutative:
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
        return node

    def node(self, val) -> int:
        """A node for a scaled value, making the scale gate (once) if needed.

        A scaled product ``c·(u·v)`` (or square ``c·u²``) becomes the product
        ``u·v·c`` with the constant as a factor: one gate, where a scale gate
        would be a second one whenever ``u·v`` has no other use.
        """
        n, c = val
        if n is None:
            return self.b.const_node(c)
        if c == 1:
            return n
        op = self.b._ops[n]
        if op == "mul":
            return self.gate("mul", self.b._args[n] + (self.b.const_node(c),))
        if op == "square":  # c·u² = u·u·c, pulled out of (c'·u)² by other()
            (u,) = self.b._args[n]
            return self.gate("mul", (u, u, self.b.const_node(c)))
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
        if constant != 0:
            args.append(self.b.const_node(constant))
            weights.append(1)
        return (self.gate("add", tuple(args), tuple(weights)), 1)

    def run(self) -> Circuit:
        c, b = self.c, self.b
        val: list = [None] * len(c)
        for name, v in c._inputs.items():
            val[v] = (b.input_node(name), 1)
        for i, op in enumerate(c._ops):
            if op == "input":
                continue
            if op == "const":
                val[i] = (None, c._values[i])
                continue
            args = c._args[i]
            if op == "add":
                val[i] = self.add(i, args, c.weights(i), val)
                if val[i][0] is not None and val[i][1] == 1:
                    self.origin.setdefault(val[i][0], i)
            elif op == "mul":
                val[i] = self.mul(i, args, val)
            else:
                val[i] = self.other(i, op, args, val)
        for name, v in c._outputs.items():
            b.output_node(name, self.node(val[v]))
        return b.build()

    def add(self, i, args, weights, val):
        b = self.b
        terms, constant = [], 0
        for u, w in zip(args, weights):
            n, c = val[u]
            if n is None:
                constant += w * c
                continue
            # flatten a weighted + gate that only this gate uses
            if b._ops[n] == "add" and self.uses[u] == 1 and self.origin.get(n) == u:
                inner_w = b._weights[n] or (1,) * len(b._args[n])
                for m, iw in zip(b._args[n], inner_w):
                    if b._ops[m] == "const":
                        constant += w * c * iw * b._values[m]
                    else:
                        terms.append((m, w * c * iw))
                continue
            terms.append((n, w * c))
        return self.linear(terms, constant)

    def mul(self, i, args, val):
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
        if coeff != 1 and self.uses[i] > 1:
            # a shared product keeps its constant factor: pulled out, every
            # consumer that is not a + gate would need a gate of its own
            return (self.gate("mul", tuple(nodes) + (self.b.const_node(coeff),)), 1)
        return (self.gate("mul", tuple(nodes)), coeff)

    def other(self, i, op, args, val):
        vals = [val[u] for u in args]
        if all(n is None for n, _ in vals):
            folded = _fold(op, [c for _, c in vals])
            if folded is not None:
                return (None, folded)
        if op == "div":
            (n0, c0), (n1, c1) = vals
            if n1 is None and c1 != 0:  # u / c = (1/c)·u
                inv = Fraction(1) / c1 if isinstance(c1, (int, Fraction)) else 1 / c1
                return (n0, c0 * inv) if n0 is not None else (None, c0 * inv)
        if op == "pow":
            k = vals[1][1]
            if k == 0:
                return (None, 1)
            if k == 1:
                return vals[0]
            if k in (2, -1):
                op, args = ("square" if k == 2 else "recip"), args[:1]
                vals = vals[:1]
        if op == "square" and vals[0][0] is not None and self.uses[i] == 1:  # (c·u)² = c²·u²
            n, c = vals[0]
            return (self.gate("square", (n,)), c * c)
        nodes = tuple(self.node(v) for v in vals)
        return (self.gate(op, nodes), 1)


def _simplify_once(circuit: Circuit) -> Circuit:
    return _Pass(circuit).run()
