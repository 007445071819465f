"""Peak memory: the third measure of a circuit, beside its size and depth.

A circuit evaluated one gate at a time in a topological order holds a value
from the moment it is made until its last use:

* every input is held from the start until its last use;
* evaluating a gate needs its arguments held and one more place for its
  value; an argument is freed right after its last use;
* outputs are held to the end;
* constants are not counted (they are literals in the evaluating code, as in
  :func:`circuits.compile`'s source).

:func:`peak_memory` is the largest number of values held at once, and
:func:`memory_profile` the number held while each gate is evaluated.  Which
order is best is NP-complete to decide (Sethi, *Complete register allocation
problems*, SIAM J. Computing 4(3), 1975), so :func:`schedule` is a heuristic:
it keeps the best of the node order, a depth-first order from the outputs
and a greedy list schedule that always evaluates next a ready gate freeing
the most values (ties: the gate made ready last, so that a value is used
soon after it is made).  It is never worse than the node order.

This is what backpropagation's cost on long chains is: the gradient circuit
keeps every forward value until the reverse sweep reaches it, so its peak
memory grows with the chain's length where the function's does not
(:func:`circuits.checkpoint` trades recomputation for it).

Examples
--------
>>> import circuits
>>> from circuits import library
>>> c = library.chain(100, "sin")
>>> circuits.peak_memory(c), circuits.peak_memory(circuits.backward(c))
(2, 101)
"""

from __future__ import annotations

import heapq
from typing import Optional, Sequence

from ..core.circuit import Circuit, check_circuit
from ..core.errors import CircuitError

__all__ = ["peak_memory", "memory_profile", "schedule"]


def _check_order(circuit: Circuit, order) -> list:
    """The gates of ``order`` (sources left out), checked to be every gate once, topologically."""
    ops, argss = circuit.record.ops, circuit.record.args
    n = len(ops)
    if order is None:
        return [g for g in range(n) if argss[g]]
    try:
        order = [g for g in order if not (type(g) is int and 0 <= g < n and not argss[g])]
    except TypeError:
        raise CircuitError(f"order must be a sequence of node ids, not {type(order).__name__}") from None
    done = bytearray(n)
    for v in range(n):
        if not argss[v]:
            done[v] = 1  # sources: always available
    for g in order:
        if not (type(g) is int and 0 <= g < n):
            raise CircuitError(f"order lists {g!r}, which is not a node of the circuit (0..{n - 1})")
        if done[g]:
            raise CircuitError(f"order lists gate {g} twice")
        missing = next((u for u in argss[g] if not done[u]), None)
        if missing is not None:
            raise CircuitError(f"order evaluates gate {g} ({ops[g]}) before its argument {missing}; "
                               "give a topological order (circuits.schedule(circuit) makes one)")
        done[g] = 1
    left = done.find(0)
    if left >= 0:
        raise CircuitError(f"order leaves out gate {left} ({ops[left]}); list every gate once")
    return order


def _uses(circuit: Circuit) -> list:
    """Per node, the number of distinct gates that use it."""
    argss = circuit.record.args
    uses = [0] * len(argss)
    for a in argss:
        if len(a) == 1:
            uses[a[0]] += 1
        elif a:
            for u in set(a):
                uses[u] += 1
    return uses


def memory_profile(circuit: Circuit, order: Optional[Sequence[int]] = None) -> list:
    """The number of values held while each gate is evaluated, in ``order``.

    Parameters
    ----------
    circuit : Circuit
    order : sequence of int, optional
        Every gate once, in a topological order (sources may be listed and
        are ignored); by default node order.

    Returns
    -------
    list of int
        Entry ``t``: the values held while the ``t``-th gate is evaluated,
        its own value included.

    Examples
    --------
    >>> import circuits
    >>> memory_profile(circuits.parse("sin(x) * cos(y)"))     # x y sin(x); sin(x) y cos(y); both, product
    [3, 3, 3]
    """
    check_circuit(circuit, "memory_profile()")
    return _profile(circuit, _check_order(circuit, order))[1]


def _profile(circuit: Circuit, order: list) -> tuple:
    rec = circuit.record
    ops, argss = rec.ops, rec.args
    uses = _uses(circuit)
    outputs = set(rec.outputs.values())
    held = len(rec.inputs)
    peak = held
    held -= sum(1 for v in rec.inputs.values() if not uses[v] and v not in outputs)
    profile = []
    for g in order:
        held += 1
        profile.append(held)
        if held > peak:
            peak = held
        a = argss[g]
        for u in (a if len(a) == 1 else set(a)):
            if ops[u] == "const":
                continue
            uses[u] -= 1
            if not uses[u] and u not in outputs:
                held -= 1
        if not uses[g] and g not in outputs:  # a value nothing reads
            held -= 1
    return peak, profile


def peak_memory(circuit: Circuit, order: Optional[Sequence[int]] = None) -> int:
    """The most values held at once when ``circuit`` is evaluated gate by gate in ``order``.

    Inputs and outputs are counted, constants are not (see the module
    docstring for the model).

    Parameters
    ----------
    circuit : Circuit
    order : sequence of int, optional
        Every gate once, topologically (default: node order;
        :func:`schedule` finds a better one).

    Returns
    -------
    int

    Examples
    --------
    The sum-of-squares circuit :func:`circuits.library.figure1`: ``x, y, z`` stay until the
    third linear form is made, with two forms (or their squares) beside them:

    >>> import circuits
    >>> from circuits import library
    >>> f = library.figure1()
    >>> peak_memory(f)
    6
    >>> peak_memory(library.chain(50, "mul"))     # x, the running product and the next one
    3
    """
    check_circuit(circuit, "peak_memory()")
    return _profile(circuit, _check_order(circuit, order))[0]


def _depth_first(circuit: Circuit) -> list:
    """Gates in the post-order of a depth-first search from the outputs (iterative)."""
    argss = circuit.record.args
    seen = bytearray(len(argss))
    order = []
    roots = list(dict.fromkeys(circuit.record.outputs.values()))
    roots += [g for g in range(len(argss)) if argss[g] and g not in set(roots)]  # gates no output needs
    for root in roots:
        if seen[root]:
            continue
        stack = [(root, 0)]
        seen[root] = 1
        while stack:
            v, k = stack[-1]
            a = argss[v]
            if k < len(a):
                stack[-1] = (v, k + 1)
                u = a[k]
                if not seen[u]:
                    seen[u] = 1
                    stack.append((u, 0))
            else:
                stack.pop()
                if a:
                    order.append(v)
    return order


def _greedy(circuit: Circuit) -> list:
    """List scheduling: next, the ready gate that frees the most values (lazy heap)."""
    rec = circuit.record
    ops, argss = rec.ops, rec.args
    n = len(ops)
    outputs = set(rec.outputs.values())
    uses = _uses(circuit)
    users: list = [[] for _ in range(n)]
    waiting = [0] * n  # arguments not yet available
    for g, a in enumerate(argss):
        for u in set(a):
            users[u].append(g)
            if argss[u]:
                waiting[g] += 1
    done = bytearray(n)
    stamp = 0

    def net(g):  # values held after g minus before
        a = argss[g]
        return 1 - sum(1 for u in set(a) if uses[u] == 1 and ops[u] != "const" and u not in outputs)

    heap: list = []
    for g in range(n):
        if argss[g] and not waiting[g]:
            stamp += 1
            heapq.heappush(heap, (net(g), -stamp, g))
    order = []
    while heap:
        key, _, g = heapq.heappop(heap)
        if done[g]:
            continue
        now = net(g)
        if now != key:  # stale: an argument's other users ran since it was pushed
            stamp += 1
            heapq.heappush(heap, (now, -stamp, g))
            continue
        done[g] = 1
        order.append(g)
        for u in set(argss[g]):
            uses[u] -= 1
            if uses[u] == 1:  # its last user now frees it: look again
                for h in users[u]:
                    if not done[h] and not waiting[h]:
                        stamp += 1
                        heapq.heappush(heap, (net(h), -stamp, h))
        for h in users[g]:
            waiting[h] -= 1
            if not waiting[h]:
                stamp += 1
                heapq.heappush(heap, (net(h), -stamp, h))
    return order


def schedule(circuit: Circuit) -> list:
    """A topological order of the gates with low peak memory (a heuristic).

    The best, by :func:`peak_memory`, of the node order, a depth-first order
    from the outputs and a greedy list schedule (the ready gate that frees
    the most values first; see the module docstring).  Never worse than the
    node order; finding the best order is NP-complete (Sethi 1975).

    Returns
    -------
    list of int
        Every gate of the circuit once (sources are not scheduled).

    Examples
    --------
    Scaling ``x`` four times before taking any sine holds five values;
    taking each sine and adding it up at once holds four:

    >>> import circuits
    >>> b = circuits.Builder()
    >>> x = b.input_node("x")
    >>> scaled = [b.gate("add", x, weights=(k,)) for k in (2, 3, 4, 5)]
    >>> sines = [b.gate("sin", u) for u in scaled]
    >>> total = sines[0]
    >>> for s in sines[1:]:
    ...     total = b.gate("add", total, s)
    >>> b.output_node("f", total)
    >>> c = b.build()
    >>> peak_memory(c), peak_memory(c, schedule(c))
    (5, 4)
    """
    check_circuit(circuit, "schedule()")
    best = None
    for order in (_check_order(circuit, None), _depth_first(circuit), _greedy(circuit)):
        peak = _profile(circuit, order)[0]
        if best is None or peak < best[0]:
            best = (peak, order)
    assert best is not None  # the search above tries at least one candidate
    return best[1]
