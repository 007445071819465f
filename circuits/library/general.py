"""General families: polynomials by Horner's rule, deep chains, random circuits.

These are not from one note; they exercise the toolkit at scale: a chain of
depth 10^5 checks that nothing recurses over depth, and random circuits with
shared subexpressions and repeated operands feed the property-based tests.

Examples
--------
>>> from circuits import library
>>> library.chain(100_000).depth
100000
>>> library.random_circuit(3, 20, seed=1).size
20
"""

from __future__ import annotations

import math
import random
from array import array
from typing import Optional, Sequence

from ..core.builder import Builder
from ..core.checks import check_names, check_sequence
from ..core.circuit import Circuit, check_number
from ..core.errors import CircuitError
from ..core.gates import GATES, domain_of, interval_of
from ._build import check_int, check_ints, check_seed, input_vector, out, output_vector, unary

__all__ = ["horner", "chain", "speelpenning", "layered_chain", "random_circuit", "RANDOM_OPS", "RANDOM_BOX", "RANDOM_CAP"]


def horner(coefficients: Sequence) -> Circuit:
    """The polynomial ``c_0·x^d + c_1·x^(d−1) + ... + c_d`` by Horner's rule.

    Coefficients come highest degree first, as in :func:`numpy.polyval`.
    ``p = (...((c_0·x + c_1)·x + c_2)...)·x + c_d``: the first step is one
    weighted ``+`` gate, every later one a ``×`` gate and a ``+`` gate (no
    ``+`` when the coefficient is 0), about ``2d`` gates for degree ``d``.
    Leading zero coefficients are dropped.

    Parameters
    ----------
    coefficients : sequence of numbers
        At least one coefficient.

    Returns
    -------
    Circuit
        Input ``x``; output ``p``.

    Examples
    --------
    >>> from circuits import library
    >>> p = library.horner([2, -3, 0, 5])     # 2x³ − 3x² + 5
    >>> p.evaluate(x=2), p.size
    ({'p': 9}, 4)
    """
    cs = [check_number(c, "horner: coefficient") for c in check_sequence(coefficients, "horner: coefficients")]
    if not cs:
        raise CircuitError("horner: give at least one coefficient")
    while len(cs) > 1 and cs[0] == 0:
        cs.pop(0)
    b = Builder()
    x = b.input_node("x")
    if len(cs) == 1:
        acc = b.const_node(cs[0])
    else:
        acc = b.linear([(x, cs[0])], cs[1])
        for c in cs[2:]:
            acc = b.linear([(b.gate("mul", acc, x), 1)], c)
    out(b, "p", acc)
    return b.build()


def chain(depth: int, op: str = "sin") -> Circuit:
    """A chain of ``depth`` gates: ``f = op(op(...op(x)...))``.

    With a binary ``op`` (``"add"`` or ``"mul"``) each link is
    ``v_k = op(v_(k−1), x)``, so the input feeds every gate.  Built in a loop,
    so depths of 10^5 and more are fine for every pass of the toolkit.
    ``sin``, ``cos``, ``tanh`` and ``sigmoid`` are defined everywhere;
    ``log``/``sqrt``/``recip`` chains leave their domain quickly.

    Parameters
    ----------
    depth : int
        Number of gates.
    op : str
        A one-argument gate, or ``"add"`` or ``"mul"``.

    Returns
    -------
    Circuit
        Input ``x``; output ``f``; size and depth ``depth``.

    Examples
    --------
    >>> import math
    >>> from circuits import library
    >>> c = library.chain(3, "cos")
    >>> c.size, c.depth, c.evaluate(x=0.0)["f"] == math.cos(math.cos(1.0))
    (3, 3, True)
    >>> library.chain(4, "mul").evaluate(x=2)
    {'f': 32}
    """
    depth = check_int(depth, "chain: depth")
    gate = GATES.get(op) if isinstance(op, str) else None
    binary = gate is not None and gate.monoid is not None  # a sum or product: v = v ∘ x
    if gate is None or not (binary or gate.arity == 1):
        choices = sorted(k for k, g in GATES.items() if g.arity == 1) + [k for k, g in GATES.items() if g.monoid]
        raise CircuitError(f"chain: op {op!r} cannot form a chain; choose one of {choices}")
    b = Builder()
    x = b.input_node("x")
    v = x
    g = b.gate
    if binary:
        for _ in range(depth):
            v = g(op, v, x)
    else:
        for _ in range(depth):
            v = g(op, v)
    out(b, "f", v)
    return b.build()


def speelpenning(n: int) -> Circuit:
    """Speelpenning's product ``x_1·x_2·…·x_n`` as a chain of binary products.

    The classic test function of vertex elimination (Griewank and Walther,
    *Evaluating Derivatives*, 2nd ed., 2008): every partial is a node, none a
    constant, so eliminating a vertex costs exactly its Markowitz degree;
    forward elimination costs ``n(n−1)/2 − 1`` multiplications and reverse
    elimination ``2(n−2)`` (see :func:`circuits.eliminate`).

    Parameters
    ----------
    n : int
        Number of factors, at least 2.

    Returns
    -------
    Circuit
        Inputs ``x_1 .. x_n``; output ``f``; ``n − 1`` ``×`` gates.

    Examples
    --------
    >>> from circuits import library
    >>> c = library.speelpenning(4)
    >>> c.size, c.evaluate(x_1=1, x_2=2, x_3=3, x_4=4)
    (3, {'f': 24})
    """
    n = check_int(n, "speelpenning: n", minimum=2)
    b = Builder()
    xs = [b.input_node(f"x_{i}") for i in range(1, n + 1)]
    v = b.gate("mul", xs[0], xs[1])
    for x in xs[2:]:
        v = b.gate("mul", v, x)
    out(b, "f", v)
    return b.build()


def banded_product(n: int) -> Circuit:
    """The banded map ``y_i = x_{i-1}·x_i·x_{i+1}`` (ends with two factors): a tridiagonal Jacobian.

    The test case of Jacobian compression by colouring (Curtis, Powell and
    Reid 1974): columns ``i`` and ``j`` share a nonzero row exactly when
    ``|i − j| ≤ 2``, so three colours suffice for every ``n``
    (:func:`circuits.jacobian_colouring`).

    Parameters
    ----------
    n : int
        Number of inputs and outputs, at least 2.

    Returns
    -------
    Circuit
        Inputs ``x0 .. x{n-1}``, outputs ``y0 .. y{n-1}``, ``n`` ``×`` gates.

    Examples
    --------
    >>> from circuits import library
    >>> c = library.banded_product(4)
    >>> c.size, c.evaluate(x0=1, x1=2, x2=3, x3=4)
    (4, {'y0': 2, 'y1': 6, 'y2': 24, 'y3': 12})
    """
    n = check_int(n, "banded_product: n", minimum=2)
    b = Builder()
    xs = [b.input_node(f"x{i}") for i in range(n)]
    for i in range(n):
        out(b, f"y{i}", b.gate("mul", *xs[max(0, i - 1):i + 2]))
    return b.build()


def layered_chain(widths: Sequence[int], activation: Optional[str] = None) -> Circuit:
    """A chain of dense layers ``h ← W·h`` (or ``activation(W·h)``): a product of Jacobians.

    The matrix-chain exercise of Cormen et al.  The weights are inputs
    too (``W1_1_1, ...``), so differentiated with respect to ``x`` alone
    (``wrt``) the Jacobian is the matrix product ``W_L ··· W_1`` of variable
    entries.  Each weight multiplies its unit in a ``×`` gate and a layer sums
    them: eliminating those products is free (their partial into the sum is
    1), and eliminating a whole layer of width ``d_k`` between layers of
    widths ``d_(k−1)`` and ``d_(k+1)`` then costs ``d_(k−1)·d_k·d_(k+1)``
    multiplications, one matrix product, so the orders of eliminating layers
    are the bracketings of :func:`matrix_chain_order`.

    Parameters
    ----------
    widths : sequence of int
        ``L + 1`` widths: inputs, ``L − 1`` hidden layers, outputs.
    activation : str, optional
        A one-argument gate applied to every unit (none by default).

    Returns
    -------
    Circuit
        Inputs ``x_1 .. x_(widths[0])``, then the weights ``Wℓ_i_j`` (layer
        ``ℓ``, unit ``i``, input ``j``); outputs ``f_1 .. f_(widths[-1])``.
        ``circuit.meta["layers"][ℓ]`` lists the node ids of layer ``ℓ``'s
        units (layer 0: the inputs ``x``).

    Examples
    --------
    >>> from circuits import library
    >>> c = library.layered_chain([2, 3, 1])
    >>> c.size, len(c.inputs), [len(layer) for layer in c.meta["layers"]]
    (13, 11, [2, 3, 1])
    >>> c.evaluate({**{name: 1 for name in c.inputs}, "x_1": 2})
    {'f_1': 9}
    """
    widths = check_ints(widths, "layered_chain: widths")
    if len(widths) < 2:
        raise CircuitError("layered_chain: widths needs at least two entries (inputs and outputs)")
    if activation is not None:
        unary(activation, "layered_chain: activation")
    b = Builder()
    h = [b.input_node(f"x_{i}") for i in range(1, widths[0] + 1)]
    weights = [[[b.input_node(f"W{l}_{i}_{j}") for j in range(1, widths[l - 1] + 1)]
                for i in range(1, widths[l] + 1)] for l in range(1, len(widths))]
    layers = [tuple(h)]
    for W in weights:
        h = _dense_layer(b, W, h, activation)
        layers.append(tuple(h))
    for i, v in enumerate(h, 1):
        out(b, f"f_{i}", v)
    c = b.build()  # every node is used, so the builder's ids are the circuit's
    return c.replace(meta={"layers": layers})


def _dense_layer(b: Builder, W: list, h: list, activation: Optional[str]) -> list:
    """The units of one layer: per row of ``W``, the sum of weight × unit of ``h`` (then ``activation``)."""
    units = []
    for row in W:
        products = [b.gate("mul", w, u) for w, u in zip(row, h)]
        v = b.gate("add", *products)
        units.append(b.gate(activation, v) if activation is not None else v)
    return units


# --- random circuits ------------------------------------------------------------

#: Default gates of :func:`random_circuit`: smooth ones (no relu/step kinks).  Still a hand list:
#: the smooth gates declared since (atan, tan) change the default circuits, and on two of
#: tests/test_render.py's seeds backward(mirror=True) then differs from backward() in the last bit.
RANDOM_OPS = ("add", "mul", "div", "recip", "square", "pow", "exp", "log", "sqrt",
              "sin", "cos", "tanh", "sigmoid")
#: Inputs in ``[−RANDOM_BOX, RANDOM_BOX]`` keep every gate of a random circuit
#: within ``±RANDOM_CAP`` (outputs, which sum several gates, within a multiple).
RANDOM_BOX = 2.0
RANDOM_CAP = 1e4

_INF = math.inf
# gates whose values stay in a bounded interval, and one-argument gates that need positive arguments
_BOUNDED = tuple(op for op, g in GATES.items() if g.arity == 1 and all(map(math.isfinite, g.range)))


def _needs_positive(op):
    gate = GATES[op]
    d = domain_of(gate)[0] if gate.arity == 1 and not gate.constant_args else None
    return d is not None and d[0] > -_INF and d[1] == _INF


def _domain_floor(op):
    """The finite lower end ``lo`` of a one-argument gate's domain ``(lo, inf)`` (0 for log, 1 for acosh)."""
    return domain_of(GATES[op])[0][0]


def _quotient(gate):
    """Whether ``gate`` takes two arguments, the second (a denominator) positive."""
    d = domain_of(gate) if gate.arity == 2 and not gate.constant_args else [None, None]
    return d[1] is not None and d[1][0] >= 0 and d[1][1] == _INF


def _interval(op, ivs, weights=None, k=None):
    """Interval of a gate's value from its arguments' intervals (endpoints may be ±inf)."""
    gate = GATES[op]
    if gate.constant_args:
        ivs = list(ivs) + [(k, k)]
    return interval_of(gate, ivs, weights)


class _Pool:
    """Nodes that no gate uses yet, with O(1) random removal."""

    def __init__(self, nodes):
        self.items = list(nodes)
        self.pos = {u: i for i, u in enumerate(self.items)}

    def __len__(self):
        return len(self.items)

    def add(self, u):
        self.pos[u] = len(self.items)
        self.items.append(u)

    def discard(self, u):
        i = self.pos.pop(u, None)
        if i is None:
            return
        last = self.items.pop()
        if last != u:
            self.items[i] = last
            self.pos[last] = i


class _Intervals:
    """Per node id, an interval ``(lo, hi)``, in two arrays of floats (16 bytes a node)."""

    def __init__(self):
        self.lo, self.hi = array("d"), array("d")

    def __getitem__(self, u):
        return self.lo[u], self.hi[u]

    def __setitem__(self, u, interval):
        gap = u + 1 - len(self.lo)
        if gap > 0:  # ids of constants in between: never read
            self.lo.extend([math.nan] * gap)
            self.hi.extend([math.nan] * gap)
        self.lo[u], self.hi[u] = interval


class _RandomBuilder:
    def __init__(self, n_inputs, ops, seed):
        self.rng = random.Random(seed)
        self.b = Builder()
        self.ops = ops
        self.nodes = array("q", input_vector(self.b, "x", n_inputs))  # the inputs and gates so far
        self.glob = _Intervals()  # for every real input
        self.box = _Intervals()  # for inputs in the box
        for u in self.nodes:
            self.glob[u] = (-_INF, _INF)
            self.box[u] = (-RANDOM_BOX, RANDOM_BOX)
        self.unused = _Pool(self.nodes)
        self.positive = array("q")  # nodes >= 1 for every real input
        self.made = 0

    def mag(self, u):
        lo, hi = self.box[u]
        return max(abs(lo), abs(hi))

    def iv(self, u, system):
        b = self.b
        if b.op(u) == "const":
            v = float(b.value(u))
            return (v, v)
        return system[u]

    def emit(self, op, args, weights=None, k=None):
        nodes = list(args) + ([self.b.const_node(k)] if GATES[op].constant_args else [])
        g = self.b.gate(op, *nodes, weights=weights)
        for u in args:
            self.unused.discard(u)
        self.glob[g] = _interval(op, [self.iv(u, self.glob) for u in args], weights, k)
        self.box[g] = _interval(op, [self.iv(u, self.box) for u in args], weights, k)
        self.nodes.append(g)
        self.unused.add(g)
        if self.glob[g][0] >= 1:
            self.positive.append(g)
        self.made += 1
        return g

    def first(self):
        if len(self.unused):
            return self.unused.items[self.rng.randrange(len(self.unused))]
        return self.rng.choice(self.nodes)

    def other(self, previous):
        if previous and self.rng.random() < 0.2:
            return self.rng.choice(previous)  # a repeated operand
        return self.rng.choice(self.nodes)

    def operands(self, u, more: int) -> list:
        """A gate's arguments: ``u`` and ``more`` others, each drawn by :meth:`other`.

        Parameters
        ----------
        u : int
            The first argument.
        more : int
            How many arguments follow it.

        Returns
        -------
        list of int
            The argument nodes (an argument may repeat an earlier one).
        """
        args = [u]
        for _ in range(more):
            args.append(self.other(args))
        return args

    def positive_plan(self, u):
        """Gates needed to turn ``u`` into a node >= 1 (0, 1 or 2), or None."""
        lo = self.glob[u][0]
        if lo >= 1:
            return 0
        if lo > -_INF:
            return 1
        return 2 if self.mag(u) ** 2 + 1 <= RANDOM_CAP else None

    def make_positive(self, u):
        lo = self.glob[u][0]
        if lo >= 1:
            return u
        one = self.b.const_node(1)
        if lo > -_INF:
            return self.emit("add", [u, self.b.const_node(math.ceil(1 - lo))], (1, 1))
        return self.emit("add", [self.emit("square", [u]), one], (1, 1))

    def try_gate(self, op, left):
        """Emit one random gate ``op`` (with helpers) if it fits ``left`` gates and the cap."""
        u = self.first()
        gate = GATES[op]
        if _needs_positive(op) or _quotient(gate) or gate.constant_args:
            return self._try_in_domain(op, gate, u, left)
        if gate.monoid is not None and gate.weighted:  # a weighted sum
            return self._try_weighted_sum(op, u)
        if gate.monoid is not None:  # a product
            return self._try_product(op, u)
        return self._try_other(op, gate, u, left)

    def _try_in_domain(self, op, gate, u, left):
        """``try_gate`` for a gate with a positive argument, a quotient or an integer power."""
        rng = self.rng
        k = rng.choice(gate.constants) if gate.constant_args else None
        if _quotient(gate):
            if self.positive and rng.random() < 0.5:
                v, cost = rng.choice(self.positive), 0
            else:
                v = self.other([u])
                cost = self.positive_plan(v)
            if cost is None or cost + 1 > left:
                return False
            if self.mag(u) * (1 / max(self.glob[v][0], 1)) > RANDOM_CAP:
                return False
            self.emit(op, [u, self.make_positive(v)])
            return True
        if gate.constant_args and k > 0:  # a positive integer power: any base
            if self.mag(u) ** gate.degree_of((k,)) > RANDOM_CAP:
                return False
            self.emit(op, [u], k=k)
            return True
        if self.positive and u not in self.unused.pos and rng.random() < 0.5:
            u = rng.choice(self.positive)
        cost = self.positive_plan(u)
        floor = 0 if gate.constant_args else _domain_floor(op)  # a negative integer power: a positive base
        if cost is None or cost + 1 + (floor != 0) > left:
            return False
        u = self.make_positive(u)
        if floor != 0:  # a domain (lo, inf) other than the positive numbers (acosh, log1p): lo + u
            u = self.emit("add", [u, self.b.const_node(floor)], (1, 1))
        self.emit(op, [u], k=k)
        return True

    def _try_weighted_sum(self, op, u):
        """``try_gate`` for a weighted sum."""
        rng = self.rng
        args = self.operands(u, rng.randint(1, 2))
        weights = [rng.choice((-3, -2, -1, 1, 2, 3)) for _ in args]
        if rng.random() < 0.3:
            args.append(self.b.const_node(rng.randint(-3, 3) or 1))
            weights.append(1)
        if sum(abs(w) * max(self.mag(a) if self.b.op(a) != "const" else 3.0, 1.0)
               for a, w in zip(args, weights)) > RANDOM_CAP:
            return False
        self.emit(op, args, weights)
        return True

    def _try_product(self, op, u):
        """``try_gate`` for a product."""
        rng = self.rng
        args = self.operands(u, rng.randint(1, 2))
        if math.prod(self.mag(a) for a in args) > RANDOM_CAP:
            return False
        self.emit(op, args)
        return True

    def _try_other(self, op, gate, u, left):
        """``try_gate`` for any other gate: arguments in its domain, its value within the cap on the box."""
        args = self.operands(u, (gate.arity or gate.min_arity) - 1)
        bounded = [j for j, d in enumerate(domain_of(gate)) if d is not None and all(map(math.isfinite, d))]
        if 2 * len(bounded) + 1 > left:
            return False
        floors = [j for j, d in enumerate(domain_of(gate)) if d is not None and d[0] > -_INF and d[1] == _INF]
        plans = [self.positive_plan(args[j]) for j in floors]
        if None in plans or 2 * len(bounded) + sum(plans) + 2 * len(floors) + 1 > left:
            return False
        for j in floors:  # a domain (lo, inf) (powr's base): lo + a node >= 1
            args[j] = self.make_positive(args[j])
            lo = domain_of(gate)[j][0]
            if lo != 0:
                args[j] = self.emit("add", [args[j], self.b.const_node(lo)], (1, 1))
        for j in bounded:  # mid + 0.9·half·tanh(u) lies inside a bounded domain (tan's)
            lo, hi = domain_of(gate)[j]
            t = self.emit("tanh", [args[j]])
            mid, half = (lo + hi) / 2, 0.9 * (hi - lo) / 2
            args[j] = self.emit("add", [t, self.b.const_node(mid)], (half, 1)) if mid else \
                self.emit("add", [t], (half,))
        lo, hi = _interval(op, [self.iv(a, self.box) for a in args])
        if max(abs(lo), abs(hi)) > RANDOM_CAP:
            return False
        self.emit(op, args)
        return True

    def run(self, n_gates, n_outputs):
        rng = self.rng
        budget = n_gates - n_outputs
        bounded = [op for op in self.ops if op in _BOUNDED]
        while self.made < budget:
            left = budget - self.made
            for _ in range(8):
                if self.try_gate(rng.choice(self.ops), left):
                    break
            else:
                # nothing fitted: a bounded gate always does; without one, give up the cap
                op = rng.choice(bounded) if bounded else "add"
                if bounded:
                    self.emit(op, [self.first()])
                else:
                    self.emit("add", [self.first(), self.other([])], (1, 1))
        # collectors: n_outputs + gates that use every node nobody used
        rest = list(self.unused.items)
        rng.shuffle(rest)
        outputs = []
        for j in range(n_outputs):
            share = rest[j::n_outputs] or [rng.choice(self.nodes)]
            weights = [rng.choice((-2, -1, 1, 2)) for _ in share]
            outputs.append(self.b.gate("add", *share, weights=weights))
        return outputs


def random_circuit(n_inputs: int, n_gates: int, ops: Optional[Sequence[str]] = None,
                   seed: int = 0, n_outputs: int = 1) -> Circuit:
    """A reproducible random circuit with exactly ``n_gates`` gates.

    Gates are drawn from ``ops`` with random arguments: the first one is a
    node no gate uses yet (so every gate ends up live), the others any earlier
    node (shared subexpressions), sometimes the same node twice (repeated
    operands, ``x·x``); ``+`` gates get random integer wire weights and
    sometimes a constant.  It is safe to evaluate:

    * every argument of ``log``, ``sqrt``, ``recip``, of a negative ``pow``
      and every divisor is at least 1 *for every real input*: when no such
      node is at hand, helper gates ``u + c`` or ``u² + 1`` (which count in
      ``n_gates``) make one;
    * for inputs in ``[−RANDOM_BOX, RANDOM_BOX]`` every gate stays within
      ``±RANDOM_CAP`` (interval arithmetic decides which gates may grow), as
      long as ``ops`` contains a bounded gate (sin, cos, tanh, sigmoid).

    When a drawn gate does not fit (the cap, or too few gates left for its
    helpers) another is drawn; after 8 misses a bounded gate from ``ops`` is
    used, or a ``+`` gate when ``ops`` has none.  The last ``n_outputs``
    gates are weighted ``+`` gates over the nodes no other gate uses.  Same
    arguments, same circuit.

    Parameters
    ----------
    n_inputs : int
        Inputs ``x_1 .. x_n``.
    n_gates : int
        Exact size, at least ``n_outputs``.
    ops : sequence of str, optional
        Gate names; default :data:`RANDOM_OPS`.
    seed : int
        Seed of the generator.
    n_outputs : int
        Number of outputs: ``f`` for one, else ``f_1 .. f_m``.

    Returns
    -------
    Circuit

    Examples
    --------
    >>> from circuits import library
    >>> c = library.random_circuit(4, 50, seed=7, n_outputs=2)
    >>> c.size, list(c.outputs), len(c.inputs)
    (50, ['f_1', 'f_2'], 4)
    >>> c.to_json() == library.random_circuit(4, 50, seed=7, n_outputs=2).to_json()
    True
    """
    n_inputs, n_gates, ops, seed, n_outputs = _random_arguments(n_inputs, n_gates, ops, seed, n_outputs)
    gen = _RandomBuilder(n_inputs, ops, seed)
    outputs = gen.run(n_gates, n_outputs)
    if n_outputs == 1:
        out(gen.b, "f", outputs[0])
    else:
        output_vector(gen.b, "f", outputs)
    return gen.b.build()


def _random_arguments(n_inputs, n_gates, ops, seed, n_outputs) -> tuple:
    """The checked arguments of :func:`random_circuit`, ``ops`` as a tuple of known gates."""
    n_inputs = check_int(n_inputs, "random_circuit: n_inputs")
    n_outputs = check_int(n_outputs, "random_circuit: n_outputs")
    n_gates = check_int(n_gates, "random_circuit: n_gates", n_outputs)
    ops = tuple(RANDOM_OPS if ops is None else check_names(ops, "random_circuit: ops"))
    seed = check_seed(seed, "random_circuit: seed")
    if not ops:
        raise CircuitError("random_circuit: ops is empty; give gate names such as ['add', 'mul']")
    for op in ops:
        if op not in GATES:
            raise CircuitError(f"random_circuit: unknown gate {op!r}; known gates are {sorted(GATES)}")
    return n_inputs, n_gates, ops, seed, n_outputs
