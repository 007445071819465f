"""Constant folding: the value of a gate on constant arguments, one rule for every pass.

Parse folds literal arithmetic, simplify folds gates on constants, and exact
evaluation computes on ints and Fractions; all three ask :func:`fold`, which
reads the gate's declared algebra: ``exact`` (rational operations stay
rational, redone on Fractions where ``num`` made a float, as ``1 / 3``),
``growth`` (the size of an exact result, estimated before computing it, so
that ``3**(2**32)`` is refused in microseconds instead of computed for hours)
and nothing else.

Examples
--------
>>> from fractions import Fraction
>>> from circuits.core.gates import GATES
>>> fold(GATES["recip"], [3]), fold(GATES["pow"], [Fraction(1, 2), 3]), fold(GATES["sin"], [0])
(Fraction(1, 3), Fraction(1, 8), 0.0)
>>> fold(GATES["square"], [2 ** 600], max_bits=1000)
Traceback (most recent call last):
...
circuits.core.folding.TooLarge: the exact result would have about 1202 bits, more than the 1000 allowed
"""

from __future__ import annotations

from fractions import Fraction

from .gates import Gate

__all__ = ["fold", "TooLarge", "MAX_EXACT_BITS", "is_exact"]

#: Largest size in bits (numerator plus denominator) of an exact int or Fraction
#: that a product, quotient or power may produce during evaluation or constant
#: folding.  A million bits takes milliseconds to multiply; 3**(2**32) would take
#: hours and gigabytes.
MAX_EXACT_BITS = 1 << 20


class TooLarge(ArithmeticError):
    """An exact result would exceed the bit budget."""


def is_exact(value) -> bool:
    """Whether ``value`` is an exact number (an int or a Fraction, not a bool)."""
    return type(value) is int or type(value) is Fraction


def fold(gate: Gate, values, weights=None, max_bits: int = MAX_EXACT_BITS):
    """``gate`` on the constant ``values``: exact when the gate and every value are, else a float.

    Raises :class:`TooLarge` when the exact result would have more than
    ``max_bits`` bits, and the gate's own error (``ZeroDivisionError``,
    ``ValueError``, ...) where it is undefined.
    """
    bits = gate.result_bits(values)
    if bits > max_bits:
        raise TooLarge(f"the exact result would have about {bits} bits, more than the {max_bits} allowed")
    kw = {"weights": weights} if gate.weighted else {}
    if gate.exact and all(map(is_exact, values)):
        result = gate.num(*values, **kw)  # type: ignore[misc]  # a registered gate has num (register() checks)
        if isinstance(result, float):  # int / int or int ** -k: redo in rationals
            skip = gate.constant_args
            result = gate.num(*[v if j in skip else Fraction(v) for j, v in enumerate(values)], **kw)  # type: ignore[misc]  # a registered gate has num (register() checks)
        return result
    return gate.num(*[float(v) if type(v) is Fraction else v for v in values], **kw)  # type: ignore[misc]  # a registered gate has num (register() checks)
