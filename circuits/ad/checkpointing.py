"""Checkpointed backpropagation: a gradient circuit that recomputes to hold fewer values.

Backpropagation (Baur & Strassen 1983; Griewank & Walther 2008, ch. 3) holds every
forward value until the reverse sweep reaches it, so on a chain of ``l``
steps its peak memory (:func:`circuits.peak_memory`) grows like ``l``.
Checkpointing keeps only some intermediate *states* (snapshots) and
recomputes the others from the nearest snapshot when the reverse sweep needs
them, trading gates for memory.

The circuit is cut into **stages** ``1 .. l`` (a chain: one gate each; an
unrolled RNN: one time step each); the **state** after stage ``j`` is the set
of values of stages ``≤ j`` that later stages read.  A schedule is a sequence
of *advances* (recompute stages ``i+1 .. j`` from the state ``i`` held),
*snapshots* (hold the state just computed), *youturns* (recompute stage ``k``
from state ``k − 1`` and sweep it backwards) and *frees*.  With ``c``
snapshots (the inputs' state 0 among them) the **binomial schedule** of
Griewank (*Achieving logarithmic growth of temporal and spatial complexity in
reverse automatic differentiation*, Optimization Methods and Software 1,
1992; Griewank and Walther, *Algorithm 799: revolve*, ACM TOMS 26(1), 2000)
advances

    t(l, c) = r·l − β(c + 1, r − 1),   β(c, r) = (c + r)! / (c!·r!),

steps, with ``r`` the least integer such that ``β(c, r) ≥ l``: the fewest any
schedule with ``c`` snapshots can do (Griewank and Walther, *Evaluating
Derivatives*, 2nd ed., SIAM 2008, ch. 12).  It places the next snapshot ``m``
steps ahead with ``m = max(β(c, r − 2), l − β(c − 1, r))``, inside the range
of optimal places that chapter gives, and recurses on both sides.

:func:`checkpoint` builds the schedule's gradient circuit: gates evaluated
for the first time are ``"primal"``, those evaluated again ``"recomputed"``
in ``meta["role"]`` (:func:`circuits.render` draws them in their own colour),
and contributions to an adjoint are added up as soon as they are made, so
that no list of them is held.  The gradients are those of
:func:`circuits.backward`.  On a general DAG the stages are a heuristic (cut
where the number of values held in node order is at a local minimum) and,
given a ``memory`` budget, the most snapshots whose circuit fits are found by
bisection on the circuit's measured peak memory: the result never exceeds the
budget, and a budget below what one snapshot reaches is a CircuitError.

Examples
--------
>>> import circuits
>>> from circuits import library
>>> c = library.chain(100, "sin")
>>> g = circuits.checkpoint(c, snapshots=4)
>>> circuits.peak_memory(circuits.backward(c)), circuits.peak_memory(g)
(101, 7)
>>> sum(r != "derivative" for r in g.meta["role"]) - 1 == revolve_steps(100, 4)   # gates, x aside
True
>>> abs(g.evaluate(x=0.5)["df/dx"] - circuits.backward(c).evaluate(x=0.5)["df/dx"]) < 1e-15
True
"""

from __future__ import annotations

from math import comb, isqrt
from typing import Optional, Sequence

from ..analysis.memory import peak_memory
from ..core.builder import Builder
from ..core.checks import check_count, check_sequence
from ..core.circuit import Circuit, check_circuit, select_outputs
from ..core.errors import CircuitError
from ..core.gates import GATES
from .common import active_nodes, dnames, materialise, times

__all__ = ["revolve_steps", "revolve_schedule", "checkpoint", "stages"]


def _beta(c: int, r: int) -> int:
    return comb(c + r, c) if c >= 0 and r >= 0 else 0


def _repetitions(steps: int, snapshots: int) -> int:
    """The least ``r`` with ``β(snapshots, r) ≥ steps``: doubling, then bisection (β grows with r)."""
    high = 1
    while _beta(snapshots, high) < steps:
        high *= 2
    low = -1  # β(c, low) < steps <= β(c, high)
    while high - low > 1:
        mid = (low + high) // 2
        if _beta(snapshots, mid) < steps:
            low = mid
        else:
            high = mid
    return high


def _check_counts(steps, snapshots, where):
    for name, value in (("steps", steps), ("snapshots", snapshots)):
        check_count(value, f"{where}: {name}", minimum=1)


def revolve_steps(steps: int, snapshots: int) -> int:
    """The fewest forward steps that reverse a chain of ``steps`` with ``snapshots`` snapshots.

    Griewank and Walther (2008, ch. 12): ``t(l, c) = r·l − β(c + 1, r − 1)``
    with ``β(c, r) = C(c + r, c)`` and ``r`` the least integer with
    ``β(c, r) ≥ l``.  The snapshots include the one holding the initial
    state; a youturn's own step is not counted (storing every state, ``l − 1``
    steps are advanced, as backpropagation evaluates the chain's gates below
    its output once).

    Examples
    --------
    >>> revolve_steps(10, 10), revolve_steps(10, 1), revolve_steps(1000, 20)
    (9, 45, 2747)
    """
    _check_counts(steps, snapshots, "revolve_steps")
    r = _repetitions(steps, snapshots)
    return r * steps - _beta(snapshots + 1, r - 1)


def _split(steps: int, snapshots: int) -> int:
    """Where the next snapshot goes: ``max(β(c, r − 2), l − β(c − 1, r))`` steps ahead."""
    r = _repetitions(steps, snapshots)
    return min(steps - 1, max(1, _beta(snapshots, r - 2), steps - _beta(snapshots - 1, r)))


#: The longest chain :func:`revolve_schedule` lists the actions of.
MAX_SCHEDULE = 10 ** 6


def revolve_schedule(steps: int, snapshots: int) -> list:
    """The binomial checkpointing schedule for a chain, as a list of actions.

    Actions, in order: ``("advance", i, j)`` computes state ``j`` from the
    state ``i`` held (``j − i`` forward steps); ``("snapshot", j)`` holds the
    state just computed; ``("youturn", k)`` recomputes step ``k`` from state
    ``k − 1`` and reverses it; ``("free", j)`` lets snapshot ``j`` go.  State
    0 (the inputs) is held throughout and counts as one of the snapshots.
    Built without recursion; its advances add up to :func:`revolve_steps`.

    Examples
    --------
    >>> revolve_schedule(3, 2)
    [('advance', 0, 1), ('snapshot', 1), ('advance', 1, 2), ('youturn', 3), ('youturn', 2), ('free', 1), ('youturn', 1)]
    """
    _check_counts(steps, snapshots, "revolve_schedule")
    check_count(steps, "revolve_schedule: steps (a schedule has an action per step at least; "
                "revolve_steps counts a longer one's cost)", minimum=1, maximum=MAX_SCHEDULE)
    actions: list[tuple] = []
    stack: list[tuple] = [(0, steps, snapshots)]
    while stack:
        task = stack.pop()
        if task[0] == "free":
            actions.append(task)
            continue
        i, e, c = task
        length = e - i
        if length == 1:
            actions.append(("youturn", e))
        elif c == 1:  # only state i: advance from it to each step in turn, last first
            for k in range(e, i, -1):
                if k - 1 > i:
                    actions.append(("advance", i, k - 1))
                actions.append(("youturn", k))
        else:
            m = _split(length, c)
            actions += [("advance", i, i + m), ("snapshot", i + m)]
            stack += [(i, i + m, c), ("free", i + m), (i + m, e, c - 1)]  # the right part first
    return actions


def stages(circuit: Circuit) -> list:
    """The default stages of :func:`checkpoint`: the gates cut where few values are held.

    Walking the gates in node order, the number of gate values held (inputs
    aside: they are held throughout) is computed after each gate; a stage
    ends after each gate where that number is at a local minimum (plateaus
    included).  A chain is cut after every gate, an unrolled RNN at least
    once per time step (where the hidden state alone is held).

    Returns
    -------
    list of list of int
        The gates of each stage, in node order.

    Examples
    --------
    >>> from circuits import library
    >>> stages(library.chain(3, "sin"))
    [[1], [2], [3]]
    >>> [len(s) for s in stages(library.rnn(3, 2))]
    [1, 1, 1, 2, 1, 4, 1, 2, 2, 1, 4, 1, 2, 2, 1, 1, 2]
    """
    check_circuit(circuit, "stages()")
    rec = circuit.record
    argss = rec.args
    gates = [g for g in range(len(argss)) if argss[g]]
    if not gates:
        return []
    last = {}
    for g in gates:
        for u in argss[g]:
            last[u] = g
    outputs = set(rec.outputs.values())
    held_after = []
    held = 0
    for g in gates:
        held += 1
        for u in set(argss[g]):
            if argss[u] and last[u] == g and u not in outputs:
                held -= 1
        if last.get(g) is None and g not in outputs:
            held -= 1
        held_after.append(held)
    out, current = [], []
    for k, g in enumerate(gates):
        current.append(g)
        if k + 1 < len(gates) and held_after[k] <= held_after[max(k - 1, 0)] and held_after[k] <= held_after[k + 1]:
            out.append(current)
            current = []
    out.append(current)
    return out


class _Reversal:
    """Builds the checkpointed gradient circuit of one output from a schedule over stages."""

    def __init__(self, circuit: Circuit, y: str, parts: list):
        self.circuit = circuit
        rec = circuit.record
        self.rec = rec
        self.parts = parts
        self.b = Builder()
        self.node = {}  # original source node -> its node in b
        for name, v in rec.inputs.items():
            self.node[v] = self.b.input_node(name)
        self.active = active_nodes(circuit, rec.inputs.values())
        stage_of = {}
        for k, part in enumerate(parts, 1):
            for g in part:
                stage_of[g] = k
        self.boundary: list = [set() for _ in range(len(parts) + 1)]  # boundary[j]: gate values later stages read
        for g, a in enumerate(rec.args):
            for u in a:
                if u in stage_of:
                    for j in range(stage_of[u], stage_of[g]):
                        self.boundary[j].add(u)
        self.evaluated: set = set()
        self.kind: dict = {}  # node of b -> "primal" or "recomputed"
        self.held: dict = {0: {}}
        self.current: tuple[int, dict] = (0, {})
        self.adjoint = {rec.outputs[y]: (None, 1)}
        self.y = y

    def _arg(self, values, u):
        n = self.node.get(u)
        if n is not None:
            return n
        if self.rec.ops[u] == "const":
            n = self.node[u] = self.b.const_node(self.rec.constants[u])
            return n
        return values[u]

    def _run(self, k, values):
        """Evaluate stage ``k`` into ``values`` (original gate -> node of b)."""
        rec, b = self.rec, self.b
        for g in self.parts[k - 1]:
            n = b.gate(rec.ops[g], *[self._arg(values, u) for u in rec.args[g]], weights=rec.params[g])
            values[g] = n
            self.kind[n] = "recomputed" if g in self.evaluated else "primal"
            self.evaluated.add(g)

    def _state(self, i):
        j, values = self.current
        return dict(values) if j == i else dict(self.held[i])

    def advance(self, i, j):
        values = self._state(i)
        for k in range(i + 1, j + 1):
            self._run(k, values)
        self.current = (j, {v: values[v] for v in self.boundary[j]})

    def snapshot(self, j):
        assert self.current[0] == j
        self.held[j] = self.current[1]

    def free(self, j):
        del self.held[j]

    def youturn(self, k):
        values = self._state(k - 1)
        self._run(k, values)
        rec, b, adjoint = self.rec, self.b, self.adjoint
        for g in reversed(self.parts[k - 1]):
            d = adjoint.pop(g, None)
            if d is None:
                continue
            gate = GATES[rec.ops[g]]
            a = rec.args[g]
            args = [self._arg(values, u) for u in a]
            for i, u in enumerate(a):
                if not self.active[u]:
                    continue
                if gate.linear:
                    w = rec.params[g]
                    p = (None, 1 if w is None else w[i])
                elif gate.weighted:
                    p = gate.partial(b, args, values[g], i, weights=rec.params[g])
                else:
                    p = gate.partial(b, args, values[g], i)
                if p is None:
                    continue
                contribution = times(b, d, p)
                old = adjoint.get(u)
                if old is None:
                    adjoint[u] = contribution
                else:  # added up at once: a running sum, not a list of terms held to the end
                    node = b.linear([old, contribution])
                    adjoint[u] = ((None, b.value(node)) if b.value(node) else None) \
                        if b.op(node) == "const" else (node, 1)
                    if adjoint[u] is None:
                        del adjoint[u]

    def build(self, actions) -> Circuit:
        for action in actions:
            getattr(self, action[0])(*action[1:])
        b, rec = self.b, self.rec
        names = dnames(self.y, rec.inputs)
        for name, v in zip(names, rec.inputs.values()):
            b.output_node(name, materialise(b, self.adjoint.get(v)))
        roles = [self.kind.get(v, "primal" if b.op(v) in ("input", "const") else "derivative")
                 for v in range(len(b))]
        return b.build(meta={"role": roles})


def _build(circuit, y, parts, snapshots) -> Circuit:
    return _Reversal(circuit, y, parts).build(revolve_schedule(len(parts), min(snapshots, len(parts))))


def checkpoint(circuit: Circuit, memory: Optional[int] = None, *, snapshots: Optional[int] = None,
               output: Optional[str] = None, stages: Optional[Sequence[Sequence[int]]] = None) -> Circuit:
    """The gradient of one output by checkpointed backpropagation (the binomial schedule).

    Parameters
    ----------
    circuit : Circuit
    memory : int, optional
        A budget on the result's :func:`circuits.peak_memory` (values held
        at once, inputs and outputs included): the most snapshots whose
        circuit fits are used.
    snapshots : int, optional
        The number of snapshots ``c`` instead (state 0, the inputs, among
        them).  Neither given: about ``√l`` for ``l`` stages.
    output : str, optional
        The output to differentiate (needed when there are several).
    stages : sequence of sequences of int, optional
        The gates of each stage, every gate once, stages in topological
        order; by default :func:`circuits.ad.checkpointing.stages`.

    Returns
    -------
    Circuit
        Same inputs; outputs ``d{y}/d{x}`` as :func:`circuits.backward`'s;
        ``meta["role"]`` tells ``"primal"`` gates (first evaluation),
        ``"recomputed"`` ones and ``"derivative"`` ones.  On a chain of
        ``l`` stages the schedule advances :func:`revolve_steps` ``(l, c)``
        stages, the optimum.

    Raises
    ------
    CircuitError
        When ``memory`` is below the least peak memory the schedules reach
        (one snapshot: every stage recomputed from the inputs); the message
        gives that least budget.

    Examples
    --------
    An unrolled RNN of 30 steps in half the memory of backpropagation:

    >>> import circuits
    >>> from circuits import library
    >>> c = library.rnn(30, 2)
    >>> full = circuits.backward(c)
    >>> g = circuits.checkpoint(c, memory=circuits.peak_memory(full) // 2)
    >>> circuits.peak_memory(g) <= circuits.peak_memory(full) // 2, g.size > full.size
    (True, True)
    >>> circuits.checkpoint(c, memory=10)
    Traceback (most recent call last):
    ...
    circuits.CircuitError: no checkpointed gradient of y fits in 10 values: the least the binomial schedules reach is 58 (1 snapshot: every stage recomputed from the inputs); give memory >= 58
    """
    check_circuit(circuit, "checkpoint()")
    y = select_outputs(circuit, output, one=True, what="checkpoint")[0]
    parts = _stages_of(circuit, stages)
    if not parts:
        raise CircuitError("checkpoint(): the circuit has no gates, so there is nothing to reverse; "
                           "use circuits.backward")
    return _scheduled(circuit, y, parts, memory, snapshots)


def _scheduled(circuit: Circuit, y: str, parts: list, memory: Optional[int], snapshots: Optional[int]) -> Circuit:
    """:func:`checkpoint`'s gradient with ``snapshots``, the most that fit in ``memory``, or about √l."""
    l = len(parts)
    if memory is not None and snapshots is not None:
        raise CircuitError("checkpoint(): give memory= (a budget in values) or snapshots=, not both")
    if snapshots is not None:
        _check_counts(1, snapshots, "checkpoint")
        return _build(circuit, y, parts, snapshots)
    if memory is None:
        return _build(circuit, y, parts, max(1, isqrt(l)))
    check_count(memory, "checkpoint(): memory (the values held at once)", minimum=1)
    least = _build(circuit, y, parts, 1)
    low = peak_memory(least)
    if low > memory:
        raise CircuitError(f"no checkpointed gradient of {y} fits in {memory} values: the least the binomial "
                           f"schedules reach is {low} (1 snapshot: every stage recomputed from the inputs); "
                           f"give memory >= {low}")
    best, lo, hi = least, 1, l  # the most snapshots that fit: bisection on the measured peak memory
    while lo < hi:
        mid = (lo + hi + 1) // 2
        g = _build(circuit, y, parts, mid)
        if peak_memory(g) <= memory:
            best, lo = g, mid
        else:
            hi = mid - 1
    return best


def _stages_of(circuit: Circuit, given) -> list:
    if given is None:
        return stages(circuit)
    argss = circuit.record.args
    parts = [check_sequence(p, f"checkpoint(): stage {k}") for k, p in enumerate(check_sequence(given, "checkpoint(): stages"))]
    seen: dict = {}
    for k, part in enumerate(parts):
        for g in part:
            if not (type(g) is int and 0 <= g < len(argss) and argss[g]):
                raise CircuitError(f"checkpoint(): stage {k} lists {g!r}, which is not a gate of the circuit")
            if g in seen:
                raise CircuitError(f"checkpoint(): gate {g} is in stages {seen[g]} and {k}; give every gate once")
            seen[g] = k
    for g, a in enumerate(argss):
        if a and g not in seen:
            raise CircuitError(f"checkpoint(): gate {g} is in no stage; give every gate once")
        for u in a:
            if argss[u] and (seen[u], parts[seen[u]].index(u)) > (seen[g], parts[seen[g]].index(g)):
                raise CircuitError(f"checkpoint(): gate {g} comes before its argument {u}; "
                                   "list the stages and their gates in a topological order")
    return [p for p in parts if p]
