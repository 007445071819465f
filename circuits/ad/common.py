"""What forward and reverse sweeps share: scaled values and the chain-rule sum.

A derivative value during a sweep is

* ``None`` when it is structurally zero,
* ``(None, c)`` when it is the constant ``c``,
* ``(node, c)`` when it is ``c · node``.

Keeping the scale ``c`` apart means that multiplying by a constant (a wire
weight of a ``+`` gate, the 2 of ``d(u²)/du = 2u``) never costs a gate: it ends
up as the weight of a wire into the ``+`` gate of the chain rule, which is
how the figures of forward propagation and backpropagation draw them.

A reverse sweep folds a product of two scales into one only while the product
stays a number every evaluator reads exactly and cheaply (:func:`folds`): an
exact one (int or Fraction) below 2**53 in numerator and denominator, a finite
float.  Beyond that the first factor becomes a one-wire ``+`` gate
(:func:`materialise`) and the product is left to the evaluation, which gives
the same value: ``x·2**40·2**40`` keeps the two weights, as forward's chain of
weights does, rather than one weight 2**80.
"""

from __future__ import annotations

import sys
import warnings
from fractions import Fraction

import numpy as np

from ..core.checks import check_names
from ..core.circuit import select_outputs
from ..core.arrays import gc_young_only
from ..core.errors import CircuitError, listing

__all__ = ["times", "total", "materialise", "folds", "EXACT_LIMIT", "dname", "dnames", "active_nodes",
           "resolve_inputs", "resolve_outputs", "legacy_selector", "finish", "gc_young_only"]


#: Exact scales a reverse sweep folds stay below this in numerator and denominator: the integers a
#: float64 holds exactly, and so the compiled sweep's int64 arithmetic, whose products it checks in floats.
EXACT_LIMIT = 2 ** 53
_HUGE = sys.float_info.max


def folds(c) -> bool:
    """Whether a sweep folds the scale ``c`` (a product of two scales) into one wire weight.

    An int or a Fraction does while its numerator and denominator stay below
    :data:`EXACT_LIMIT`, a float while it is finite; otherwise the sweep
    keeps the factors apart (see the module's docstring).

    >>> folds(2 ** 52), folds(-2 ** 53), folds(Fraction(1, 3 ** 34)), folds(1e308 * 10)
    (True, False, False, False)
    """
    t = type(c)
    if t is int:
        return -EXACT_LIMIT < c < EXACT_LIMIT
    if t is Fraction:
        return -EXACT_LIMIT < c.numerator < EXACT_LIMIT and c.denominator < EXACT_LIMIT
    return -_HUGE <= c <= _HUGE  # a float (nan is not folded either)


def times(b, d, p):
    """The product ``d · p`` of two scaled values (at most one ``mul`` gate)."""
    n1, c1 = d
    n2, c2 = p
    if n1 is None:
        return (n2, c1 * c2)
    if n2 is None:
        return (n1, c1 * c2)
    return (b.gate("mul", n1, n2), c1 * c2)


def total(b, contributions):
    """The sum of scaled values (the chain rule's sum): at most one ``add`` gate.

    A single contribution passes through unchanged, so a chain of one-wire
    gates costs no additions at all.
    """
    if len(contributions) == 1:
        return contributions[0]
    node = b.linear(contributions)  # (None, c) terms are constants
    if b.op(node) == "const":
        value = b.value(node)
        return None if value == 0 else (None, value)
    return (node, 1)


def materialise(b, d) -> int:
    """A node computing the scaled value ``d`` (a constant, the node or a scale gate)."""
    if d is None:
        return b.const_node(0)
    n, c = d
    if n is None:
        return b.const_node(c)
    if c == 1:
        return n
    if not c:  # as b.linear([(n, c)]) would: a zero scale is the constant 0
        return b.const_node(0)
    return b.gate("add", n, weights=(c,))


def dname(y: str, x: str, d: str = "d") -> str:
    """Name of the partial of output ``y`` with respect to ``x``: ``d{y}/d{x}``.

    A name that already contains ``/`` is parenthesised, so that repeated
    transforms stay readable: ``d(df/dx)/dy``; drawings write ``d="∂"``.

    >>> dname("df/dx", "y"), dname("y", "u₁", d="∂")
    ('d(df/dx)/dy', '∂y/∂u₁')
    """
    return f"{d}{_wrap(y)}/{d}{_wrap(x)}"


def dnames(y: str, xs) -> list:
    """``[dname(y, x) for x in xs]``, with ``y``'s part made once (a gradient names every input).

    Examples
    --------
    >>> dnames("f", ["x", "dg/dx"])
    ['df/dx', 'df/d(dg/dx)']
    """
    head = f"d{_wrap(y)}/d"
    return [head + (f"({x})" if "/" in x else x) for x in xs]


def _wrap(name: str) -> str:
    return f"({name})" if "/" in name else name


def active_nodes(circuit, wrt_nodes) -> bytearray:
    """Marks the nodes that depend on at least one node of ``wrt_nodes``."""
    active = bytearray(len(circuit))
    for v in wrt_nodes:
        active[v] = 1
    for i, a in enumerate(circuit.record.args):
        if a and not active[i]:
            for u in a:
                if active[u]:
                    active[i] = 1
                    break
    return active


def resolve_inputs(circuit, wrt):
    """Input names of ``wrt`` (default: all), checked against the circuit.

    A string is one name (``wrt="x"``), never split into characters or words.

    Examples
    --------
    >>> import circuits
    >>> c = circuits.parse("x * y + z")
    >>> resolve_inputs(c, None), resolve_inputs(c, "y"), resolve_inputs(c, ("z", "x"))
    (['x', 'y', 'z'], ['y'], ['z', 'x'])
    >>> resolve_inputs(c, "x y")
    Traceback (most recent call last):
    ...
    circuits.CircuitError: 'x y' is not an input of the circuit; its inputs are ['x', 'y', 'z'] (a string is one name: give several as a list, wrt=['x', 'y'])
    """
    if wrt is None:
        return list(circuit.inputs)
    wrt = check_names(wrt, "wrt")
    for x in wrt:
        if x not in circuit.inputs:
            hint = ""
            if isinstance(x, str) and len(wrt) == 1 and all(p in circuit.inputs for p in x.replace(",", " ").split()):
                hint = f" (a string is one name: give several as a list, wrt={x.replace(',', ' ').split()})"
            raise CircuitError(f"{x!r} is not an input of the circuit; its inputs are {listing(circuit.inputs)}{hint}")
    if len(set(wrt)) != len(wrt):
        raise CircuitError(f"wrt lists an input twice: {listing(wrt)}")
    return wrt


def resolve_outputs(circuit, output):
    """Output names selected by ``output`` (default: all); see :func:`circuits.core.circuit.select_outputs`."""
    return select_outputs(circuit, output)


def legacy_selector(func: str, legacy: tuple, keyword: str, given):
    """The selector passed by position to ``func`` (the old call), with a DeprecationWarning.

    ``forward(c, ["x"])`` meant ``wrt=["x"]`` and ``backward(c, "y")`` meant
    ``output="y"``; both now take the keywords ``output=`` and ``wrt=``.  The
    positional form keeps working for one release.  Returns ``given`` when
    nothing came by position.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     legacy_selector("forward", (["x"],), "wrt", None)
    ['x']
    >>> print(caught[0].message)
    forward(circuit, ['x']) is deprecated: write forward(circuit, wrt=['x'])
    """
    if not legacy:
        return given
    if len(legacy) > 1:
        raise CircuitError(f"{func}() takes the circuit and keyword arguments only, got {1 + len(legacy)} "
                           f"positional arguments; write {func}(circuit, output=..., wrt=...)")
    if given is not None:
        raise CircuitError(f"{func}() got {keyword} twice, by position and as {keyword}=; "
                           f"write {func}(circuit, {keyword}=...)")
    value = legacy[0]
    shown = repr(value) if len(repr(value)) <= 60 else "..."
    warnings.warn(f"{func}(circuit, {shown}) is deprecated: write {func}(circuit, {keyword}={shown})",
                  DeprecationWarning, stacklevel=3)
    return value


def finish(b, circuit, outputs, keep_primal, adjoint_of=None, dropped=0):
    """Declare outputs (primal ones first when asked) and build with node roles.

    ``adjoint_of`` ({adjoint node: primal node}, from backward) is kept in
    ``meta`` for drawing each ∂y/∂z opposite its z.  ``dropped`` counts the
    circuit's nodes a sweep already removed from ``b`` (see
    :func:`circuits.ad.backward.reverse_sweep`).
    """
    if keep_primal:
        for name, node in circuit.outputs.items():
            b.output_node(name, node)
    declared = keep_primal and bool(circuit.outputs)
    for name, node in outputs:  # names made of the circuit's own names, nodes of b: only repeats to refuse
        if b.has_output(name):
            raise CircuitError(f"output name {name!r} would appear twice; rename the circuit's outputs")
        b.output_node(name, node)
        declared = True
    if not declared and not circuit.inputs:
        raise CircuitError("the circuit has no inputs, so there is no partial d{y}/d{x} to compute; "
                           "name the inputs it should have, e.g. circuits.parse(text, inputs=['x'])")
    n = len(circuit) - dropped
    roles = ["primal"] * n + ["derivative"] * (len(b) - n)
    meta = {"role": roles}
    if adjoint_of:
        meta["adjoint_of"] = adjoint_of
    return b.build(meta=meta)


def edge_varies(value) -> bool:
    """Whether an elimination graph's edge value is not a constant: a flag, or a ``(node, scale)``
    pair whose node is set.

    >>> edge_varies(True), edge_varies((None, 2)), edge_varies((5, 1))
    (True, False, True)
    """
    return bool(value) if isinstance(value, bool) else value[0] is not None


def set_bits(mask: int) -> list:
    """The positions of the set bits of ``mask``, lowest first.

    One bit at a time for a sparse mask (O(set bits)), one numpy pass for a dense one.

    >>> set_bits(0b10110)
    [1, 2, 4]
    """
    if mask.bit_count() <= 64:
        out = []
        while mask:
            low = mask & -mask
            out.append(low.bit_length() - 1)
            mask ^= low
        return out
    raw = np.frombuffer(mask.to_bytes((mask.bit_length() + 7) // 8, "little"), np.uint8)
    return np.flatnonzero(np.unpackbits(raw, bitorder="little")).tolist()
