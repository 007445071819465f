"""A gate's partial rule run once on a scratch builder, over placeholder nodes.

The registry checks a new gate's rule this way and counts the gates it emits;
linearize reads rules back as data (templates and traces for the sweeps).  All
of them ask :func:`run_partial`, so the placeholders are made one way: an
input ``u<j>`` per argument, the constant arguments (``pow``'s exponent) as
constants, and the gate's own node either as a placeholder input ``out`` or as
the gate itself over the arguments.

Examples
--------
>>> from circuits.core.gates import GATES
>>> s = run_partial(GATES["sin"], 1, 0)
>>> s.builder.op(s.partial[0]), s.builder.args(s.partial[0]) == s.args, s.first
('cos', True, 2)
"""

from __future__ import annotations

from typing import Any, NamedTuple, Optional, Sequence

from .builder import Builder
from .gates import Gate

__all__ = ["Scratch", "run_partial"]


class Scratch(NamedTuple):
    """What :func:`run_partial` made: the builder, the placeholder arguments, the gate's own node,
    the first node the rule emitted and what the rule returned."""

    builder: Builder
    args: tuple
    out: int
    first: int
    partial: Any


def run_partial(gate: Gate, arity: int, i: int, constants: Optional[Sequence] = None, *,
                out_gate: bool = False, builder: Optional[Builder] = None,
                positions: Optional[Sequence[int]] = None) -> Scratch:
    """Run ``gate``'s partial rule for argument ``i`` of ``arity`` on placeholders.

    ``constants`` are the values of the constant arguments at ``positions``
    (by default the gate's ``constant_args``, and its first declared
    constant, else 2, for each; other positions may hold constants too, as
    the 2 of ``2·u``, whose rule folds it); with ``out_gate`` the gate's own
    node is the gate over the placeholders, else an input named ``out``.
    ``builder`` is the builder to use (it may hold nodes already), a new
    :class:`Builder` by default.  Whatever the rule raises propagates.
    """
    b = Builder() if builder is None else builder
    if positions is None:
        positions = gate.constant_args
    if constants is None:
        constants = [gate.constants[0] if gate.constants else 2] * len(positions)
    given = dict(zip(positions, constants))
    args = tuple(b.const_node(given[j]) if j in given else b.input_node(f"u{j}") for j in range(arity))
    out = b.gate(gate.name, *args) if out_gate else b.input_node("out")
    first = len(b)
    p = gate.partial(b, args, out, i, **({"weights": None} if gate.weighted else {}))  # type: ignore[misc]  # a registered gate has a partial rule (register() checks)
    return Scratch(b, args, out, first, p)
