"""Testing helpers: hypothesis strategies for random circuits and a gradient check.

Users trust gradient circuits only if every law they rely on holds on circuits
nobody hand-picked.  This module gives pytest users what the project's own
property suite (``tests/test_properties.py``) uses:

* :func:`random_circuits` — a hypothesis strategy of valid random circuits, built
  with the node level of :class:`circuits.Builder`: shared subexpressions,
  repeated operands ``f(x, x)``, several outputs, weighted ``add`` wires
  (negative and Fraction weights), constants, and domain-safe arguments for
  ``log``, ``sqrt``, ``div``, ``recip`` and negative powers; single-output
  by default, as the bounds of :mod:`circuits.bounds` need (a failing
  example prints as ``circuits.from_json('...')``, code that rebuilds it);
* :func:`points` — a strategy of evaluation points inside the domain of a
  circuit (floats in ``[-2, 2]`` or Fractions);
* :func:`assert_gradient_close` — compare the outputs ``d{out}/d{x}`` of a
  gradient circuit with central finite differences of the circuit
  (Wolfe 1982);
* :func:`check_grads` — one call that builds the gradient circuits by forward
  propagation and backpropagation, to any order, and checks each with
  :func:`assert_gradient_close` (JAX's ``check_grads``, PyTorch's ``gradcheck``).

The strategy used to be called ``circuits``, which shadows the package after
``from circuits.testing import circuits``; that name still works and warns.

Every circuit drawn by :func:`random_circuits` keeps all its node values below
:data:`VALUE_BOUND` in absolute value on the box ``[-2, 2]^n`` (a bound is
tracked through every gate while drawing), so float evaluation never
overflows and finite differences stay accurate.  Circuits are built from
drawn integers and choices only, so hypothesis shrinks a failing circuit
towards few gates over the first inputs.

The strategies need hypothesis (the ``test`` extra: ``pip install 'gradient-circuits[test]'``);
without it the module imports and they raise ImportError saying what to install.

Examples
--------
>>> from hypothesis import given, settings
>>> import circuits.testing as ct
>>> @settings(max_examples=20, deadline=None)
... @given(ct.random_circuits(max_gates=6))
... def test_valid(c):
...     assert c.check() is c and 1 <= c.size <= 6
>>> test_valid()
"""

from __future__ import annotations

import functools
import math
import warnings
from fractions import Fraction
from typing import Any, Callable, Mapping, Optional, Sequence

from .core.builder import Builder
from .core.checks import check_mapping, check_names, check_real, shown
from .core.circuit import Circuit, check_circuit
from .core.errors import CircuitError, listing
from .eval.interpreter import evaluate, node_values as _node_values
from .core.gates import GATES, domain_of, interval_of
from .ad import backward, forward
from .ad.common import dname
from .ad.verify import check_point, check_step, finite_differences, kink_distances, short_point

try:
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover - depends on the environment
    st = None  # type: ignore[assignment]  # the strategies say so when called; check_grads and the rest work without hypothesis

_NO_HYPOTHESIS = ("circuits.testing.{} is a hypothesis strategy and hypothesis is not installed: "
                  "pip install 'gradient-circuits[test]' (or pip install hypothesis)")


def _strategy(func):
    """``hypothesis.strategies.composite(func)``, or, without hypothesis, a function that says what to install."""
    if st is not None:
        return st.composite(func)

    @functools.wraps(func)
    def missing(*args, **kwargs):
        raise ImportError(_NO_HYPOTHESIS.format(func.__name__))
    return missing


__all__ = ["random_circuits", "points", "assert_gradient_close", "check_grads", "node_values",
           "EXACT_OPS", "ALL_OPS", "VALUE_BOUND", "INPUT_RANGE"]

#: Built-in gates with exact rational values: circuits of these evaluate exactly on Fractions.
EXACT_OPS = tuple(op for op, g in GATES.items() if g.exact)

#: Every built-in gate, rational ones first (shrinking prefers earlier ops).  The
#: strategies draw from the registry as it is when they run, registered gates included.
ALL_OPS = EXACT_OPS + tuple(op for op in GATES if op not in EXACT_OPS)


def _exact_ops() -> tuple:
    return tuple(op for op, g in GATES.items() if g.exact)


def _all_ops() -> tuple:
    exact = _exact_ops()
    return exact + tuple(op for op in GATES if op not in exact)

#: Bound on ``|value|`` of every node of a drawn circuit on the input box.
VALUE_BOUND = 1000.0

#: Inputs of drawn points lie in ``[-INPUT_RANGE, INPUT_RANGE]``.
INPUT_RANGE = 2

_INPUT_NAMES = ("x", "y", "z")
_OUTPUT_NAMES = ("f", "g", "h")
# Shrinking moves towards the first entry of each table.
_WEIGHTS_EXACT = (1, -1, 2, Fraction(1, 3), -3, Fraction(-3, 2), Fraction(2, 7), 0)
_WEIGHTS_FLOAT = _WEIGHTS_EXACT + (0.25, -1.5)
_CONSTANTS_EXACT = (1, 2, -1, Fraction(1, 2), 3, Fraction(-2, 3), 0)
_CONSTANTS_FLOAT = _CONSTANTS_EXACT + (0.5, -1.25)
_EXPONENTS = (3, 2, -1, 4, -2, 0, 1, 5, -3)
_SHIFTS = (1, Fraction(1, 2), 2)  # c in the positive wrapper square(u) + c


def _positive_args(op) -> tuple:
    """Argument positions of ``op`` that must receive a positive node (from the gate's domain)."""
    gate = GATES[op]
    if gate.constant_args:  # pow: a negative exponent asks for it, handled where k is drawn
        return ()
    return tuple(j for j, d in enumerate(domain_of(gate)) if d is not None and d[0] > -math.inf and d[1] == math.inf)


def _threshold(gate, limit: float) -> float:
    """The largest ``t <= limit`` (to 1e-9) with ``|gate(u)| <= limit`` for every ``|u| <= t``.

    Found by bisection on the gate's interval rule; ``INPUT_RANGE`` at least,
    so that an input can always be picked (a gate too large there falls back
    to ``tanh`` where it is drawn).
    """
    key = (gate.name, limit)
    known, t = _THRESHOLDS.get(key, (None, None))
    if known is not gate:  # first use, or a gate registered again under the name
        def within(r):
            lo, hi = interval_of(gate, [(-r, r)])
            return max(abs(lo), abs(hi)) <= limit
        lo, hi = 0.0, limit
        if within(hi):
            lo = hi
        while hi - lo > 1e-9 * limit and lo < hi:
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if within(mid) else (lo, mid)
        t = max(lo, float(INPUT_RANGE))
        _THRESHOLDS[key] = (gate, t)
    return t


_THRESHOLDS: dict = {}


def _name(names: Sequence[str], i: int, stem: str) -> str:
    return names[i] if i < len(names) else f"{stem}{i}"


def _pretty_circuit(circuit, printer, cycle):
    # hypothesis prints a falsifying circuit as code that rebuilds it
    printer.text(f"circuits.from_json({circuit.to_json()!r})")


try:  # only hypothesis's own reports change; repr(circuit) stays as it is
    from hypothesis.vendor.pretty import for_type_by_name
    for_type_by_name(Circuit.__module__, Circuit.__qualname__, _pretty_circuit)
except ImportError:  # pragma: no cover - older hypothesis: the plain repr is printed
    pass


@_strategy
def random_circuits(draw, max_inputs: int = 3, max_gates: int = 12,
                    ops: Optional[Sequence[str]] = None, max_outputs: int = 1,
                    exact: bool = False) -> Circuit:
    """Hypothesis strategy of valid random circuits.

    Parameters
    ----------
    max_inputs : int
        Inputs are named ``x, y, z, x3, x4, ...``; between 1 and
        ``max_inputs`` of them (an input may be unused).
    max_gates : int
        The circuit has between 1 and ``max_gates`` gates, domain wrappers
        included (gates that no output uses are dropped by ``build``).
    ops : str or sequence of str, optional
        Gates to draw from (a string is one gate); by default all of them, or
        :data:`EXACT_OPS` when ``exact``.  Domain wrappers (``square(u) + c``, or ``exp(u)`` when not
        exact) may use ``square``, ``add`` and ``exp`` even if not listed.
    max_outputs : int
        1 by default: the backpropagation size bound and the other bounds of :mod:`circuits.bounds`
        are about one output.  Outputs are named ``f, g, h, f3, ...``; the first is the last gate
        drawn, the others any node (possibly an input, a constant, or the same
        node as another output).
    exact : bool
        Only rational gates (:data:`EXACT_OPS`) and rational constants and
        weights, so that evaluation on Fractions is exact.

    Returns
    -------
    hypothesis.strategies.SearchStrategy
        Of :class:`circuits.Circuit`.  On inputs in ``[-2, 2]`` every node's
        absolute value is at most :data:`VALUE_BOUND`; ``log``/``sqrt``/
        ``recip``/``div``-denominator/negative-``pow`` arguments are at least
        a positive constant.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> import circuits
    >>> import circuits.testing as ct
    >>> @settings(max_examples=25, deadline=None)
    ... @given(ct.random_circuits(exact=True, max_inputs=2))
    ... def test_exact_ops(c):
    ...     assert set(c.inputs) <= {"x", "y"}
    ...     assert all(c.op(v) in ct.EXACT_OPS for v in c.gates())
    >>> test_exact_ops()
    """
    if max_inputs < 1 or max_gates < 1 or max_outputs < 1:
        raise CircuitError("random_circuits(): max_inputs, max_gates and max_outputs must be at least 1")
    ops = _checked_ops(ops, exact)
    r = _Drawing(draw, exact)
    b = r.b
    r.sources(max_inputs)
    last = r.gates(ops, max_gates)
    nodes = r.nodes
    n_outputs = draw(st.integers(1, max_outputs))
    b.output(_name(_OUTPUT_NAMES, 0, "f"), b.wire(last))  # a bare int would be a constant
    for i in range(1, n_outputs):
        b.output(_name(_OUTPUT_NAMES, i, "f"), b.wire(nodes[draw(st.integers(0, len(nodes) - 1))]))
    return b.build()


def _checked_ops(ops, exact: bool) -> tuple:
    """The gates :func:`random_circuits` draws from, checked: ``ops`` as a tuple, by default
    all gates (or :data:`EXACT_OPS` when ``exact``)."""
    if ops is None:
        ops = _exact_ops() if exact else _all_ops()
    ops = (ops,) if isinstance(ops, str) else tuple(ops)
    unknown = [op for op in ops if op not in GATES]
    if unknown or not ops:
        raise CircuitError(f"random_circuits(): unknown gate {unknown[0] if unknown else None!r} in ops; "
                           f"choose from {sorted(GATES)}")
    if exact:
        inexact = [op for op in ops if not GATES[op].exact]
        if inexact:
            raise CircuitError(f"random_circuits(exact=True): gate {inexact[0]!r} has no exact rational "
                               f"value; choose ops from {_exact_ops()}")
    return ops


def _cost(op: str) -> int:
    """The gates that one gate ``op`` drawn by :func:`random_circuits` takes, its wrappers included."""
    # gates of the wrappers too: square(u) + c per positive argument (3 in all, with the
    # gate), tanh and a scaled + per argument with a bounded domain (tan)
    if _positive_args(op):  # and lo + p for a domain (lo, inf) with lo ≠ 0 (acosh, log1p)
        return 3 + any(domain_of(GATES[op])[j][0] != 0 for j in _positive_args(op))
    if GATES[op].constant_args:  # pow: its wrapper is chosen where k is drawn, within the budget
        return 1
    bounded = sum(1 for d in domain_of(GATES[op])
                  if d is not None and math.isfinite(d[0]) and math.isfinite(d[1]))
    return 1 + 2 * bounded


class _Drawing:
    """One circuit being drawn by :func:`random_circuits`: its builder, a bound on the absolute
    value of each node on the input box, and the pool of nodes later gates may use."""

    def __init__(self, draw, exact: bool) -> None:
        self.draw = draw
        self.exact = exact
        self.weights = _WEIGHTS_EXACT if exact else _WEIGHTS_FLOAT
        self.limit = VALUE_BOUND
        self.b = Builder()
        self.bound: list[float] = []  # bound[v] >= |value of node v| on the input box
        self.low: dict[int, float] = {}  # low[v] <= value of node v, for nodes known positive
        self.nodes: list[int] = []  # the pool of nodes later gates may use, in creation order

    def sources(self, max_inputs: int) -> None:
        """Draw between 1 and ``max_inputs`` inputs, then up to two constants."""
        b, draw = self.b, self.draw
        for i in range(draw(st.integers(1, max_inputs))):
            self.add_node(b.input_node(_name(_INPUT_NAMES, i, "x")), float(INPUT_RANGE))
        for _ in range(draw(st.integers(0, 2))):
            value = draw(st.sampled_from(_CONSTANTS_EXACT if self.exact else _CONSTANTS_FLOAT))
            self.add_node(b.const_node(value), abs(float(value)))

    def gates(self, ops: tuple, max_gates: int) -> int:
        """Draw between 1 and ``max_gates`` gates from ``ops``; return the last one."""
        b, draw = self.b, self.draw
        target = draw(st.integers(1, max_gates))
        last = None
        while b.num_gates < target:
            remaining = target - b.num_gates
            affordable = [op for op in ops if _cost(op) <= remaining]
            if not affordable:  # only wrapped ops and too little budget left
                break
            last = self.gate(draw(st.sampled_from(affordable)), remaining)
        if last is None:  # no gate could be afforded: a single gate on an input
            op = next((op for op in ops if not _positive_args(op)), "add")
            gate = GATES[op]
            last = b.gate(op, *[self.nodes[0]] * (gate.arity or gate.min_arity))
            self.add_node(last, math.inf)
        return last

    def add_node(self, node: int, m: float, positive_low: Optional[float] = None) -> int:
        bound = self.bound
        while len(bound) <= node:
            bound.append(math.inf)
        bound[node] = m
        if positive_low is not None and positive_low > 0:
            self.low[node] = positive_low
        if node not in self.nodes:
            self.nodes.append(node)
        return node

    def pick(self, threshold: float) -> int:
        # Inputs have bound INPUT_RANGE <= every threshold used, so never empty.
        # Counting from the newest node keeps most drawn gates alive (used).
        eligible = [v for v in self.nodes if self.bound[v] <= threshold]
        return eligible[-1 - self.draw(st.integers(0, len(eligible) - 1))]

    def positive(self, budget: int) -> tuple:
        """A node known to be positive on the box: (node, lower bound, gates used)."""
        draw, b, bound = self.draw, self.b, self.bound
        use_exp = not self.exact and budget >= 1 and draw(st.booleans())
        if use_exp:  # exp(u) with |u| <= 2: in [e^-2, e^2]
            u = self.pick(2.0)
            node = b.gate("exp", u)
            return self.add_node(node, math.exp(bound[u]), math.exp(-bound[u])), math.exp(-bound[u]), 1
        c = draw(st.sampled_from(_SHIFTS))
        u = self.pick(math.sqrt(self.limit / 2))
        sq = b.gate("square", u)
        self.add_node(sq, bound[u] ** 2)
        node = b.gate("add", sq, b.const_node(c))
        return self.add_node(node, bound[u] ** 2 + float(c), float(c)), float(c), 2

    def gate(self, op: str, remaining: int) -> int:
        """Draw one gate ``op`` (with its wrappers, at most ``remaining`` gates); return it."""
        gate = GATES[op]
        if gate.monoid is not None and gate.weighted:  # a weighted sum
            return self._weighted_sum(op)
        if gate.monoid is not None:  # a product
            return self._product(op)
        if gate.arity == 1 and gate.degree_of() != 1:  # a power of one argument (square)
            d = gate.degree_of()
            u = self.pick(self.limit ** (1 / d))
            return self.add_node(self.b.gate(op, u), self.bound[u] ** d)
        if gate.constant_args:  # an integer power: the exponent drawn from the table
            return self._integer_power(op, remaining)
        if _positive_args(op) and gate.arity is not None:
            return self._positive_domain(op, gate.arity, remaining)
        return self._bounded(op)

    def _weighted_sum(self, op: str) -> int:
        draw, bound = self.draw, self.bound
        k = draw(st.integers(1, 3))
        w = [draw(st.sampled_from(self.weights)) for _ in range(k)]
        scale = sum(abs(float(x)) for x in w) or 1.0
        args: list = [self.pick(self.limit / scale) for _ in range(k)]
        node = self.b.gate(op, *args, weights=w)
        m = sum(abs(float(x)) * bound[u] for x, u in zip(w, args))
        return self.add_node(node, m)

    def _product(self, op: str) -> int:
        k = self.draw(st.integers(2, 3))
        args = [self.pick(self.limit ** (1 / k)) for _ in range(k)]
        return self.add_node(self.b.gate(op, *args), math.prod(self.bound[u] for u in args))

    def _integer_power(self, op: str, remaining: int) -> int:
        b = self.b
        k = self.draw(st.sampled_from(_EXPONENTS))
        if k < 0 and remaining >= 3:
            u, lo, _ = self.positive(remaining - 1)
            m = lo ** k
        else:
            k = abs(k)
            u = self.pick(self.limit ** (1 / k) if k else self.limit)
            m = self.bound[u] ** k if k else 1.0
        return self.add_node(b.gate(op, u, b.const_node(k)), m)

    def _positive_domain(self, op: str, arity: int, remaining: int) -> int:
        # arguments in a positive domain (log, sqrt, recip, div's denominator) get a
        # node known positive; the others are small enough for the quotient's bound
        b, bound, gate = self.b, self.bound, GATES[op]
        positives = _positive_args(op)
        args: list = [None] * arity
        ivs: list = [None] * arity
        lo = math.inf
        for j in positives:
            p, p_low, _ = self.positive(remaining - 1)
            floor = domain_of(gate)[j][0]
            if floor != 0:  # a domain (lo, inf) other than the positive numbers (acosh, log1p): lo + p
                p = self.add_node(b.gate("add", p, b.const_node(floor)), bound[p] + abs(floor))
                p_low += floor
            args[j], ivs[j] = p, (p_low, bound[p])
            lo = min(lo, p_low)
        for j in range(arity):
            if args[j] is None:
                u = self.pick(self.limit * lo)
                args[j], ivs[j] = u, (-bound[u], bound[u])
        v_low, v_high = interval_of(gate, ivs)
        return self.add_node(b.gate(op, *args), max(abs(v_low), abs(v_high)), v_low if v_low > 0 else None)

    def _bounded(self, op: str) -> int:
        # any other gate, bounded by its interval rule
        b, bound, gate, limit = self.b, self.bound, GATES[op], self.limit
        k = gate.arity if gate.arity is not None else self.draw(st.integers(gate.min_arity, gate.min_arity + 1))
        dom = domain_of(gate)
        args, ivs = [], []
        for j in range(k):
            d = dom[j]
            if d is not None and math.isfinite(d[0]) and math.isfinite(d[1]):
                # a bounded domain (tan): mid + 0.9·half·tanh(u) stays inside it
                u = self.pick(limit)
                t = self.add_node(b.gate("tanh", u), 1.0)
                mid, half = (d[0] + d[1]) / 2, 0.9 * (d[1] - d[0]) / 2
                u = b.gate("add", t, b.const_node(mid), weights=(half, 1)) if mid else \
                    b.gate("add", t, weights=(half,))
                self.add_node(u, abs(mid) + half)
                iv = (mid - half, mid + half)
            else:  # the widest box the gate keeps within the limit (exp: log(limit))
                u = self.pick(_threshold(gate, limit) if k == 1 else limit)
                iv = (-bound[u], bound[u])
            args.append(u)
            ivs.append(iv)
        lo, hi = interval_of(gate, ivs)
        m = max(abs(lo), abs(hi))
        if m > limit:  # too large on the box: fall back to the bounded tanh
            return self.add_node(b.gate("tanh", args[0]), 1.0)
        return self.add_node(b.gate(op, *args), m, lo if lo > 0 else None)


def circuits(*args, **kwargs):
    """Deprecated name of :func:`random_circuits` (it shadows the package when imported).

    Examples
    --------
    >>> import warnings
    >>> import circuits.testing as ct
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     strategy = ct.circuits(max_gates=3)
    >>> print(caught[0].message)
    circuits.testing.circuits is deprecated: it shadows the circuits package after 'from circuits.testing import circuits'; use circuits.testing.random_circuits (same arguments)
    """
    warnings.warn("circuits.testing.circuits is deprecated: it shadows the circuits package after "
                  "'from circuits.testing import circuits'; use circuits.testing.random_circuits "
                  "(same arguments)", DeprecationWarning, stacklevel=2)
    return random_circuits(*args, **kwargs)


def _tolerances(rtol, atol, where: str) -> tuple:
    """``rtol`` and ``atol`` as non-negative finite floats, or a CircuitError."""
    rtol, atol = check_real(rtol, f"{where}: rtol"), check_real(atol, f"{where}: atol")
    if rtol < 0 or atol < 0:
        raise CircuitError(f"{where}: rtol and atol must not be negative, got {rtol!r} and {atol!r}")
    return rtol, atol


def node_values(circuit: Circuit, point: Mapping) -> list:
    """Values of every node of ``circuit`` at ``point`` (evaluated with :func:`circuits.evaluate`).

    Examples
    --------
    >>> import circuits
    >>> from circuits.testing import node_values
    >>> c = circuits.trace(lambda x: circuits.relu(x) * x)
    >>> node_values(c, {"x": 3})
    [3, 3, 9]
    """
    check_circuit(circuit, "node_values()")
    point = check_mapping(point, "node_values: point")
    missing = [k for k in circuit.inputs if k not in point]
    if missing:
        raise CircuitError(f"node_values: the point has no value for input {missing[0]!r}")
    return _node_values(circuit, {k: point[k] for k in circuit.inputs})


def _inside(circuit: Circuit, point: Mapping, margin: float) -> bool:
    try:
        values = node_values(circuit, {k: float(v) for k, v in point.items()})
    except CircuitError:
        return False
    if not all(math.isfinite(v) for v in values):
        return False
    if not margin:
        return True
    return all(abs(d) > margin for d in kink_distances(circuit, values))


def points(circuit: Circuit, exact: bool = False, margin: float = 1e-6):
    """Hypothesis strategy of evaluation points inside the domain of ``circuit``.

    Parameters
    ----------
    circuit : Circuit
    exact : bool
        Draw Fractions (denominators up to 16) instead of floats; the circuit
        should then use only rational gates (:data:`EXACT_OPS`).
    margin : float
        Keep every argument of a ``relu``/``step`` gate at least ``margin``
        away from its kink at 0 (``margin=0`` allows kinks).

    Returns
    -------
    hypothesis.strategies.SearchStrategy
        Of dicts input name → value in ``[-2, 2]``, at which float
        evaluation of every node succeeds with finite values.

    Raises
    ------
    CircuitError
        With ``exact=True`` for a circuit with a gate that has no exact value.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> import circuits
    >>> from circuits.testing import points
    >>> c = circuits.trace(lambda x, y: circuits.relu(x - y))
    >>> @settings(max_examples=20, deadline=None)
    ... @given(points(c))
    ... def test_away_from_kink(p):
    ...     assert set(p) == {"x", "y"} and abs(p["x"] - p["y"]) > 1e-6
    >>> test_away_from_kink()
    """
    if st is None:
        raise ImportError(_NO_HYPOTHESIS.format("points"))
    check_circuit(circuit, "points()")
    margin = check_real(margin, "points: margin")
    if exact:
        bad = [v for v in circuit.gates() if circuit.op(v) not in EXACT_OPS]
        if bad:
            raise CircuitError(f"points(exact=True): gate {bad[0]} ({circuit.op(bad[0])}) has no exact "
                               f"rational value; use exact=False for this circuit")
        value: Any = st.fractions(-INPUT_RANGE, INPUT_RANGE, max_denominator=16)  # Fraction or float
    else:
        value = st.floats(-INPUT_RANGE, INPUT_RANGE, allow_nan=False, allow_infinity=False)
    names = list(circuit.inputs)
    return st.fixed_dictionaries({name: value for name in names}).filter(
        lambda p: _inside(circuit, p, margin))


def assert_gradient_close(circuit: Circuit, gradient_circuit: Circuit, point: Mapping,
                          rtol: float = 1e-5, atol: float = 1e-6, h: Optional[float] = 1e-3) -> None:
    """Check a gradient circuit against central finite differences of ``circuit``.

    Every output of ``gradient_circuit`` named ``d{out}/d{x}``, for an output
    ``out`` and an input ``x`` of ``circuit``, is compared with the
    Ridders-extrapolated central differences of ``out`` along ``x`` at
    ``point`` (other outputs, such as kept primal values, are ignored).  The
    step shrinks from ``h`` when the difference stencil would cross a gate's
    kink (relu, step, abs, max, ...); see :func:`circuits.ad.verify.finite_differences`.

    Parameters
    ----------
    circuit, gradient_circuit : Circuit
    point : mapping
        Input name → number.
    rtol, atol : float
        Pass when ``|grad - fd| <= atol + rtol * max(|grad|, |fd|)``.
    h : float
        Largest finite-difference step.

    Raises
    ------
    AssertionError
        Listing the worst partials (gradient circuit, finite differences,
        error) when any is not close, or when no output is named ``d{out}/d{x}``.
    CircuitError
        When the point lies on the kink of a gate (``relu``, ``step``,
        ``abs``, ``max``, ...), where the derivative is undefined, outside the
        circuit's domain, is not a finite number for every input, or ``h``
        is not a positive number.

    Examples
    --------
    >>> import circuits
    >>> from circuits.testing import assert_gradient_close
    >>> f = circuits.trace(lambda x, y: circuits.sin(x) * y)
    >>> b = circuits.Builder()
    >>> x, y = b.inputs("x y")
    >>> b.output("df/dx", circuits.cos(x) * y)
    >>> b.output("df/dy", circuits.sin(x))
    >>> assert_gradient_close(f, b.build(), {"x": 0.5, "y": 2.0})
    >>> b = circuits.Builder()
    >>> x, y = b.inputs("x y")
    >>> b.output("df/dx", circuits.cos(x))
    >>> assert_gradient_close(f, b.build(), {"x": 0.5, "y": 2.0})
    Traceback (most recent call last):
    ...
    AssertionError: 1 of 1 partials differ from central finite differences at {'x': 0.5, 'y': 2.0}:
      df/dx: gradient circuit 0.8775825618903728, finite differences 1.755165123780..., error 0.878
    """
    __tracebackhide__ = True  # pytest shows the caller's line and this report, not our loops
    check_circuit(circuit, "assert_gradient_close()")
    check_circuit(gradient_circuit, "assert_gradient_close(): gradient_circuit")
    point = check_point(circuit, point, "assert_gradient_close")
    h = check_step(h, "assert_gradient_close: h")
    rtol, atol = _tolerances(rtol, atol, "assert_gradient_close")
    evaluate(circuit, point)  # a point outside the domain is the CircuitError naming the gate, not nan
    wanted = [(out, x, dname(out, x)) for out in circuit.outputs for x in circuit.inputs]
    present = [(out, x, key) for out, x, key in wanted if key in gradient_circuit.outputs]
    if not present:
        raise AssertionError(f"the gradient circuit has no output named d{{out}}/d{{x}} for the circuit's "
                             f"outputs {listing(circuit.outputs)} and inputs {listing(circuit.inputs)}; "
                             f"its outputs are {listing(gradient_circuit.outputs)}")
    foreign = [k for k in gradient_circuit.inputs if k not in point]
    if foreign:
        raise CircuitError(f"assert_gradient_close: the gradient circuit has the input {foreign[0]!r}, which "
                           f"the circuit has not (its inputs are {listing(circuit.inputs)}); pass the "
                           "gradient circuit of this circuit")
    grad = evaluate(gradient_circuit, {k: point[k] for k in gradient_circuit.inputs})
    fd = finite_differences(circuit, point, sorted({x for _, x, _ in present}), h=h)
    bad = []
    for out, x, key in present:
        g, d = float(grad[key]), float(fd[x][out])
        err = abs(g - d)
        tol = atol + rtol * max(abs(g), abs(d))
        if not err <= tol:  # also catches nan
            bad.append((err / tol if tol else math.inf, key, g, d, err))
    if bad:
        bad.sort(key=lambda t: -t[0] if t[0] == t[0] else -math.inf)
        lines = [f"  {key}: gradient circuit {g!r}, finite differences {d!r}, error {err:.3g}"
                 for _, key, g, d, err in bad[:5]]
        more = f"\n  ... and {len(bad) - 5} more" if len(bad) > 5 else ""
        raise AssertionError(f"{len(bad)} of {len(present)} partials differ from central finite "
                             f"differences at {short_point(point)}:\n" + "\n".join(lines) + more)


_MODES: dict[str, Callable[..., Circuit]] = {"forward": forward, "fwd": forward, "reverse": backward, "rev": backward}


def check_grads(circuit: Circuit, point: Mapping, order: int = 2,
                modes: Sequence[str] = ("forward", "reverse"), rtol: float = 1e-5,
                atol: float = 1e-6, h: float = 1e-3) -> None:
    """Check a circuit's derivatives up to ``order`` against finite differences, in one call.

    For each mode, the gradient circuit of ``circuit`` (by :func:`circuits.forward`
    for ``"forward"``, :func:`circuits.backward` for ``"reverse"``) is compared
    with central finite differences by :func:`assert_gradient_close`; then the
    same mode is applied to that gradient circuit and checked against finite
    differences of it, up to ``order`` derivatives (JAX's
    ``check_grads(f, args, order, modes)``).

    Parameters
    ----------
    circuit : Circuit
    point : mapping
        Input name → number, away from the kinks of ``relu``/``step``.
    order : int
        Highest derivative order checked (1: the gradient; 2: also the Hessian).
    modes : sequence of str
        ``"forward"`` (or ``"fwd"``) and/or ``"reverse"`` (or ``"rev"``).
    rtol, atol, h : float
        As in :func:`assert_gradient_close`.

    Raises
    ------
    AssertionError
        Naming the mode and order, then the worst partials, in a few lines.

    Examples
    --------
    >>> import circuits
    >>> from circuits.testing import check_grads
    >>> f = circuits.parse("sin(x) * y**3")
    >>> check_grads(f, {"x": 0.5, "y": 2.0}, order=2)
    >>> check_grads(f, {"x": 0.5, "y": 2.0}, modes=["sideways"])
    Traceback (most recent call last):
    ...
    circuits.CircuitError: check_grads: unknown mode 'sideways'; choose from 'forward', 'reverse'
    """
    __tracebackhide__ = True
    check_circuit(circuit, "check_grads()")
    check_point(circuit, point, "check_grads")
    if isinstance(order, bool) or not isinstance(order, int) or not 1 <= order <= 8:
        raise CircuitError(f"check_grads: order must be a positive integer (at most 8), not {shown(order)}")
    modes = check_names(modes, "check_grads: modes")
    rtol, atol = _tolerances(rtol, atol, "check_grads")
    if not modes:
        raise CircuitError("check_grads: no modes given, so nothing would be checked; "
                           "pass modes=('forward', 'reverse') or one of them")
    for mode in modes:
        if mode not in _MODES:
            raise CircuitError(f"check_grads: unknown mode {mode!r}; choose from 'forward', 'reverse'")
    for mode in modes:
        transform = _MODES[mode]
        f = circuit
        for k in range(1, order + 1):
            g = transform(f)
            try:
                assert_gradient_close(f, g, point, rtol=rtol, atol=atol, h=h)
            except AssertionError as exc:
                raise AssertionError(f"check_grads: {mode} mode, order {k}: {exc}") from None
            f = g
