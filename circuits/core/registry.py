"""User-defined gates: :func:`register_gate`, :func:`unregister_gate`, :func:`registered_gate`.

One call makes a new operation available everywhere a built-in gate is: the
builder (``circuits.<name>`` and a ``Wire`` method), :func:`circuits.parse`,
JSON, every evaluation mode it can compute, :func:`circuits.compile`, every
transform, :func:`circuits.simplify`, :func:`circuits.analyze`,
:func:`circuits.render` and the hypothesis strategies of :mod:`circuits.testing`.
A gate's partial rule may only emit registered gates, so the set stays closed
under differentiation.

Examples
--------
``softplus(u) = log(1 + e^u)`` with partial ``σ(u)``:

>>> import circuits
>>> softplus = circuits.Gate(
...     "softplus", 1, "softplus",
...     formula=lambda m, u: m.log(1 + m.exp(u)),
...     partial=lambda b, args, out, i: (b.gate("sigmoid", args[0]), 1),
...     doc="log(1 + e^u)")
>>> with circuits.registered_gate(softplus):
...     f = circuits.parse("softplus(2*x) * y")
...     g = circuits.backward(f)
...     print(g.evaluate(x=0.0, y=1.0))
{'df/dx': 1.0, 'df/dy': 0.6931471805599453}
>>> "softplus" in circuits.GATES
False
"""

from __future__ import annotations

import contextlib
import keyword
import numbers
import sys
import threading
import unicodedata

import numpy as np
import sympy

from . import builder as _builder
from .builder import Builder, Wire
from .errors import CircuitError
from .gates import BUILTIN, GATES, MATH, SOURCES, Gate, Namespace
from .scratch import run_partial

__all__ = ["register_gate", "unregister_gate", "registered_gate", "partial_gate_cost"]

#: Held while the registry changes: one change at a time (readers never wait; they iterate snapshots).
_LOCK = threading.RLock()


def _check_name(name, what: str = "gate name") -> None:
    """A gate name or alias must be an ASCII Python identifier, not a keyword, not starting with '_'.

    ASCII only: a look-alike from another script (Cyrillic ``ехр``), a fullwidth
    ``ｅｘｐ`` (which Python reads as ``exp``) or ``ⅇxp`` could pose as another gate.
    """
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_"):
        raise CircuitError(f"{what} {name!r} must be a Python identifier not starting with '_'")
    if not name.isascii():
        odd = next(ch for ch in name if not ch.isascii())
        raise CircuitError(f"{what} {name!r} must be ASCII (letters a-z, A-Z, digits and '_'): it contains "
                           f"{odd!r} ({unicodedata.name(odd, 'U+%04X' % ord(odd))}), and a look-alike name could "
                           "pose as another gate; pick an ASCII name")


def register_gate(gate: Gate) -> Gate:
    """Add ``gate`` to the registry; return it.

    Raises
    ------
    CircuitError
        For a name that is taken (a gate, an alias, ``input``/``const``, a
        ``Wire`` attribute) or not an ASCII identifier, a gate without numeric
        evaluation (``num`` or ``formula``) or without a partial rule, a
        formula that calls a function its namespace does not have (probed on
        floats, numpy arrays and sympy symbols: ``m.erfc``), and a partial
        rule that emits a gate the registry does not have or returns a
        number where a node is expected (``circuits.cos(args[0])`` computes
        with a node id; the rule builds ``b.gate("cos", args[0])``).

    Examples
    --------
    >>> import circuits
    >>> circuits.register_gate(circuits.GATES["exp"])
    Traceback (most recent call last):
    ...
    circuits.CircuitError: a gate named 'exp' is already registered; pick another name or unregister_gate('exp') first
    """
    if not isinstance(gate, Gate):
        raise CircuitError(f"register_gate expects a circuits.Gate, got {type(gate).__name__}")
    name = gate.name
    _check_name(name)
    if not isinstance(gate.aliases, (tuple, list)):
        raise CircuitError(f"gate {name!r}: aliases must be a tuple of names, got {type(gate.aliases).__name__}")
    for alias in gate.aliases:
        _check_name(alias, f"gate {name!r}: alias")
    with _LOCK:
        return _register(gate, name)


def _register(gate: Gate, name: str) -> Gate:
    if name in GATES:
        raise CircuitError(f"a gate named {name!r} is already registered; pick another name "
                           f"or unregister_gate({name!r}) first")
    if name in SOURCES:
        raise CircuitError(f"{name!r} is a source kind, not a gate name; pick another name")
    for alias in (name,) + tuple(gate.aliases):
        for other in GATES.values():
            if alias in other.names:
                raise CircuitError(f"the name {alias!r} already calls gate {other.name!r}; pick another name")
    if gate.function:
        if hasattr(Wire, name):
            raise CircuitError(f"{name!r} is already an attribute of Wire; pick another name")
        package = sys.modules.get("circuits")  # the package, once it is imported
        for module in (_builder, package):
            if module is not None and name in vars(module):
                raise CircuitError(f"{module.__name__}.{name} already exists, so circuits.{name} could not "
                                   "be the gate's function; pick another name")
    if gate.num is None:
        raise CircuitError(f"gate {name!r} has no numeric evaluation: give num=(a function of floats) "
                           "or formula=lambda m, *args: ... (m.exp, m.log, ...)")
    if not callable(gate.partial):
        raise CircuitError(f"gate {name!r} has no partial rule: give partial=lambda b, args, out, i: ... "
                           "returning None, (None, c) or (node, c)")
    if gate.arity is not None and (not isinstance(gate.arity, int) or gate.arity < 1):
        raise CircuitError(f"gate {name!r}: arity must be a positive int or None (variadic)")
    _check_formula(gate)
    GATES[name] = gate
    try:
        _check_partials(gate)
    except BaseException:
        del GATES[name]
        raise
    return gate


def _check_formula(gate: Gate) -> None:
    """Evaluate the gate once on floats, numpy arrays and sympy symbols: a missing name is refused.

    A formula ``lambda m, u: m.erfc(u)`` builds fine and fails only when some
    pass evaluates it; the probe fails now, naming what is missing.  Any other
    error at the probe point (a domain error, say) is left to evaluation.
    """
    k = gate.arity if gate.arity is not None else gate.min_arity
    constant = gate.constants[0] if gate.constants else 2
    points = [constant if j in gate.constant_args else 0.5 + 0.125 * j for j in range(k)]
    probes = (("float", gate.num, points),
              ("numpy", gate.vec, [u if j in gate.constant_args else np.full(2, u) for j, u in enumerate(points)]),
              ("sympy", gate.sym, [u if j in gate.constant_args else sympy.Symbol(f"u{j}") for j, u in enumerate(points)]))
    extra = {"weights": (1,) * k} if gate.weighted else {}
    for system, evaluate, args in probes:
        if evaluate is None:
            continue
        try:
            evaluate(*args, **extra)
        except (AttributeError, NameError) as exc:
            missing = getattr(exc, "name", None) or str(exc)
            if isinstance(getattr(exc, "obj", None), Namespace):
                offered = ", ".join(n for n in vars(MATH) if n != "name")
                raise CircuitError(f"gate {gate.name!r}: its formula calls m.{missing}, which the formula namespace "
                                   f"does not have (it has {offered}); write the formula with those, or give "
                                   f"num=, numpy= and sym= for it") from None
            raise CircuitError(f"gate {gate.name!r}: its {system} evaluation fails on {missing!r} "
                               f"({type(exc).__name__}: {exc}); fix the formula (or num=, numpy=, sym=)") from None
        except Exception:  # noqa: BLE001 - outside the domain at the probe point: evaluation will say so
            pass


class _Unregistered(Exception):
    pass


class _Probe(Builder):
    """A scratch builder that notices a gate the registry does not have."""

    def gate(self, op, *args, weights=None):
        if op not in GATES:
            raise _Unregistered(op)
        return super().gate(op, *args, weights=weights)


def _check_partials(gate: Gate) -> None:
    """Run the partial rule on a scratch builder: every emitted gate must be registered."""
    arities = [gate.arity] if gate.arity is not None else [gate.min_arity, gate.min_arity + 1]
    for k in arities:
        for i in range(k):
            probe = _Probe()
            for j in range(3):  # a rule computing with node ids (not gates) then lands on no valid node
                probe.input_node(f"pad{j}")
            try:
                b, args, out, made, p = run_partial(gate, k, i, out_gate=True, builder=probe)
            except _Unregistered as exc:
                raise CircuitError(f"the partial rule of gate {gate.name!r} emits gate {exc.args[0]!r}, which is "
                                   f"not registered; a partial rule may only use registered gates (register "
                                   f"{exc.args[0]!r} first)") from None
            except CircuitError as exc:
                raise CircuitError(f"the partial rule of gate {gate.name!r} for argument {i} failed: {exc}") from None
            node = p[0] if isinstance(p, tuple) and len(p) == 2 else p
            if isinstance(node, numbers.Number) and not (type(node) is int and (
                    node in args or node == out or made <= node < len(b))):
                raise CircuitError(f"the partial rule of gate {gate.name!r} for argument {i} returned the number "
                                   f"{node!r} where a node is expected: args and out are node ids, so a wire "
                                   f"function such as circuits.cos(args[0]) computes with an id; make gates with "
                                   f"the builder it is given, b.gate('cos', args[0])")
            if not (p is None or (isinstance(p, tuple) and len(p) == 2
                                  and (p[0] is None or (type(p[0]) is int and 0 <= p[0] < len(b))))):
                raise CircuitError(f"the partial rule of gate {gate.name!r} returned {p!r}; it must return "
                                   "None, (None, c) or (node, c) with a node of the builder it was given")


def unregister_gate(name: str) -> Gate:
    """Remove a gate added by :func:`register_gate`; return it.  Built-in gates stay.

    Circuits that use the gate stay as they are, but every later use of one
    (evaluate, compile, a compiled circuit, backward, forward, simplify,
    analyze, eliminate, render, to_json, ...) raises one :class:`CircuitError`
    naming the gate, until a gate of that name is registered again; a circuit
    compiled before refuses to run even then (compile it again).

    Examples
    --------
    >>> import circuits
    >>> twice = circuits.Gate("twice", 1, "2x", num=lambda u: 2 * u, partial=lambda b, a, out, i: (None, 2))
    >>> c = circuits.parse("twice(x)") if circuits.register_gate(twice) else None
    >>> circuits.unregister_gate("twice") is twice
    True
    >>> circuits.backward(c)
    Traceback (most recent call last):
    ...
    circuits.CircuitError: backward(): the circuit uses gate 'twice', which is not registered (unregister_gate removed it, or it was never registered here); register it with circuits.register_gate(...) first
    """
    if not isinstance(name, str):
        raise CircuitError(f"unregister_gate expects a gate name (str), got {type(name).__name__}")
    with _LOCK:
        if name in BUILTIN:
            raise CircuitError(f"{name!r} is a built-in gate and cannot be unregistered")
        if name not in GATES:
            raise CircuitError(f"no gate named {name!r} is registered")
        return GATES.pop(name)


@contextlib.contextmanager
def registered_gate(gate: Gate):
    """Context manager: ``gate`` is registered inside the ``with`` block only (handy in tests)."""
    register_gate(gate)
    try:
        yield gate
    finally:
        with _LOCK:
            if GATES.get(gate.name) is gate:
                del GATES[gate.name]


def partial_gate_cost(op: str, arity: int, i: int, exponent: int = 2) -> int:
    """Number of new gates the partial rule of ``op`` emits for argument ``i``.

    This is the per-wire constant that the bound 3w + n leaves implicit
    for gates other than + and ×: it is measured by running the rule on a
    scratch builder, never declared by hand.  ``exponent`` is the value of
    the gate's constant arguments (``pow``'s exponent).

    Examples
    --------
    >>> partial_gate_cost("mul", 2, 0), partial_gate_cost("mul", 3, 0)
    (0, 1)
    >>> partial_gate_cost("sigmoid", 1, 0)
    2
    """
    gate = GATES[op]
    if gate.linear:
        return 0
    s = run_partial(gate, arity, i, None if exponent is None else [exponent] * len(gate.constant_args),
                    out_gate=True)
    return s.builder.num_gates - 1  # the gates the rule made, beside the gate itself

