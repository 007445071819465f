"""The gate registry: every operation a circuit can use, declared once.

Each :class:`Gate` holds everything a pass or a surface needs to know about one
operation, and nothing else in the package knows it a second time:

* its arity, display label, argument names and the names it goes by (the
  ``circuits.<name>`` function and ``Wire`` method, parse's function names and
  ``aliases``, the sympy functions it comes from);
* its *formula*, written once against a namespace of elementary functions, from
  which evaluation on Python numbers, numpy arrays, sympy expressions and the
  benchmark peers (CasADi, JAX) are derived unless ``num``/``vec``/``sym`` are
  given for speed;
* whether it is exact on Fractions, commutative, linear in weighted wires;
* its domain (where random generators put its arguments), value range and an
  interval rule (how random generators and strategies bound its value);
* its *algebra*: the monoid of a variadic sum or product, exact
  commutativity, how fast its exact values grow, whether it selects one of its
  arguments, and the special exponents an integer power lowers to, so that the
  backends (kernels, JAX, sympy, exact evaluation, folding, simplify, random
  generators) ask the gate instead of testing its name;
* its *partial-derivative rule*.

The partial rule of a gate ``g`` with arguments ``u_0 .. u_{k-1}`` returns
``∂_{u_i}[g]`` (the chain rule's local partial): the derivative of
the operation with respect to its i-th argument, expressed with gates of this
same registry, so that derivative circuits can be differentiated again.  A rule
is called as ``rule(b, args, out, i)`` where ``b`` is a :class:`circuits.Builder`,
``args`` the argument nodes, ``out`` the gate's own node (``exp``'s partial is
``exp`` itself) and ``i`` the argument position.  It returns

* ``None`` when the partial is structurally zero,
* ``(None, c)`` when it is the constant ``c``,
* ``(node, c)`` when it is ``c · node``.

Scaling by a constant is thus never a gate of its own: it becomes the weight of
a wire into a ``+`` gate, "syntactic sugar" for a multiplication by a constant.

Node parameters reach the rules, never the passes: the wire weights of a
``weighted`` gate are passed as the keyword ``weights`` (a tuple, or ``None``
for all ones) to ``num``, ``vec``, ``sym``, ``formula``, ``source``,
``interval`` and ``partial``; a ``constant_args`` position (``pow``'s integer
exponent) is an argument whose value the rules read as a number.

New gates are added with :func:`circuits.register_gate`.

Examples
--------
>>> from circuits.core.gates import GATES
>>> GATES["mul"].arity is None, GATES["sin"].arity
(True, 1)
>>> GATES["sigmoid"].num(0.0)
0.5
>>> GATES["max"].arity, GATES["atan"].aliases
(2, ('arctan',))
>>> GATES["add"].num(1, 2, weights=(3, -1))
1
"""

from __future__ import annotations

from fractions import Fraction  # noqa: F401  (``circuits.core.gates.Fraction``, as before the split)
from typing import Optional

from .builtin_gates import BUILTIN_GATES, domain_of, interval_of
from .errors import CircuitError
from .gate import INF, MATH, MAX_EXPONENT, NUMPY, PRODUCT, SUM, SYMPY, Gate, Monoid, Namespace, exact_bits

__all__ = ["Gate", "Monoid", "GATES", "SOURCES", "MAX_EXPONENT", "INF", "Namespace", "MATH", "NUMPY",
           "SYMPY", "SUM", "PRODUCT", "exact_bits", "function_names", "gate_of_function", "interval_of", "domain_of"]

#: Node kinds that are not gates.
SOURCES = ("input", "const")


class UnregisteredGate(CircuitError, KeyError):
    """A gate looked up in the registry is not registered (it may have been unregistered).

    A :class:`CircuitError` (what users see) that is also a ``KeyError`` (what
    ``GATES[name]`` raises for a missing key), so code that asks the registry
    with ``try: GATES[op] except KeyError`` keeps working.
    """

    def __str__(self):
        return str(self.args[0]) if self.args else ""


UnregisteredGate.__module__ = "circuits"


class Registry(dict[str, "Gate"]):
    """The registry's dict: safe to read while another thread registers a gate.

    Iterating it, or its ``keys()``, ``values()``, ``items()``, walks a copy
    taken at once (a copy of a dict of strings runs without other Python
    threads in between), so a reader never meets "dictionary changed size
    during iteration".  ``version`` changes with every change, so that a
    compiled circuit notices a gate that was unregistered or replaced.  Looking up
    a missing gate (``GATES["twice"]``) raises :class:`UnregisteredGate`, a
    :class:`CircuitError` naming it, so every use of a circuit whose gate was
    unregistered fails with that one error.
    Change it through :func:`circuits.register_gate` and
    :func:`circuits.unregister_gate`.
    """

    version = 0

    def __missing__(self, key):
        raise UnregisteredGate(f"gate {key!r} is not registered: a circuit that uses it cannot be evaluated, "
                               f"transformed, drawn or saved (was it unregistered with unregister_gate({key!r})?); "
                               "register it with circuits.register_gate(...) first")

    def _changed(self):
        self.version += 1

    def _snapshot(self) -> dict:
        return dict(dict.items(self))  # built in C from the live view: no other thread runs meanwhile

    def __iter__(self):
        return iter(self._snapshot())

    def keys(self):
        return self._snapshot().keys()

    def values(self):
        return self._snapshot().values()

    def items(self):
        return self._snapshot().items()

    def copy(self):
        return self._snapshot()

    def __setitem__(self, key, value):
        dict.__setitem__(self, key, value)
        self._changed()

    def __delitem__(self, key):
        dict.__delitem__(self, key)
        self._changed()

    def pop(self, *args):
        try:
            return dict.pop(self, *args)
        finally:
            self._changed()

    def popitem(self):
        try:
            return dict.popitem(self)
        finally:
            self._changed()

    def setdefault(self, key, default=None):
        try:
            return dict.setdefault(self, key, default)
        finally:
            self._changed()

    def update(self, *args, **kwargs):
        try:
            dict.update(self, *args, **kwargs)
        finally:
            self._changed()

    def clear(self):
        dict.clear(self)
        self._changed()


#: The registry: gate name → :class:`Gate`.  Add to it with :func:`circuits.register_gate`.
GATES: Registry = Registry({g.name: g for g in BUILTIN_GATES})

#: Names of the built-in gates (those :func:`circuits.unregister_gate` refuses).
BUILTIN = frozenset(GATES)


def function_names() -> dict:
    """Every function name of the registry (names and aliases) → gate name.

    Examples
    --------
    >>> function_names()["exp"], "add" in function_names()
    ('exp', False)
    """
    table: dict = {}
    for name, gate in GATES.items():
        for alias in gate.names:
            table.setdefault(alias, name)
    return table


def gate_of_function(name: str) -> Optional[Gate]:
    """The gate called ``name`` (or aliased so) in formulas, or None."""
    gate = GATES.get(name)
    if gate is not None and gate.function:
        return gate
    for gate in GATES.values():
        if name in gate.aliases and gate.function:
            return gate
    return None
