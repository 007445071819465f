"""Parsing formula text into circuits, safely.

:func:`parse` turns text such as ``"(x - 3*y - 3*z + 5)**2 + sin(x)"`` into a
:class:`circuits.Circuit`.  The text is never handed to Python: there is no
``eval``, ``exec``, ``compile``, ``ast`` or ``sympify`` here, only a tokenizer
(one regular expression) and an *iterative* operator-precedence parser (the
shunting-yard algorithm with explicit operator and operand stacks), so
100,000 nested parentheses parse without touching the recursion limit.

The grammar is Python's for arithmetic:

* numbers ``3``, ``0.25``, ``.5``, ``1e-3``, names (the inputs), the
  constants ``pi`` and ``e`` (unless listed as inputs);
* ``+ - * / **`` with Python's precedence: ``**`` is right-associative and
  binds tighter than a unary minus on its left (``-x**2`` is ``-(x**2)``,
  ``2**-x`` is ``2**(-x)``);
* calls of the one-argument gates of the registry (``exp log sqrt sin cos
  tanh sigmoid relu step square recip``) and ``pow(u, k)`` (the same as
  ``u**k``).

Operations are built with the :class:`circuits.Wire` operators, so a linear
part such as ``x - 3*y - 3*z + 5`` becomes ONE weighted ``add`` gate,
``x**2`` a ``square`` gate, ``x**5`` a ``pow`` gate and ``u**v`` with a
non-constant exponent ``exp(v*log(u))``.  Repeated sub-expressions are built
once (``sin(x) + sin(x)`` has one ``sin`` gate), also across the outputs of a
list or dict of texts.

Numbers are exact: integer and decimal literals are ``int`` and
:class:`fractions.Fraction` (``0.1`` is ``1/10``, ``1/3`` folds to
``Fraction(1, 3)``), so circuits evaluate exactly on Fractions; a sub-expression
that needs a transcendental function or a non-integer power (``sqrt(2)``,
``pi``, ``2**0.5``) folds to a float.  Folding is guarded: a literal may have
at most :data:`MAX_DIGITS` digits, an exact constant at most
:data:`MAX_BITS` bits, and the size of a power is estimated before it is
computed, so ``9**9**9**9`` fails at once instead of exhausting memory.

Every problem raises :class:`circuits.ParseError` with the 0-based character
position of the culprit.

Examples
--------
>>> import circuits
>>> c = circuits.parse("(x - 3*y - 3*z + 5)**2 + (x - 2*y - 2*z)**2 + (x + y - 5*z - 3)**2")
>>> c.size, c.depth, list(c.inputs)
(7, 3, ['x', 'y', 'z'])
>>> circuits.parse("-x**2").evaluate(x=3)
{'f': -9}
>>> circuits.parse("x^2")
Traceback (most recent call last):
...
circuits.ParseError: '^' is not a power operator in formulas; write x**2 for powers at position 1
  x^2
   ^
"""

from __future__ import annotations

import math
from typing import Iterable, Mapping, Optional, Union

from ..core.builder import Wire
from ..core.circuit import Circuit
from ..core.errors import CircuitError, ParseError
from .formula_parser import CONSTANTS, FUNCTIONS, MAX_BITS, MAX_DIGITS, MAX_LENGTH, Parser

__all__ = ["parse", "FUNCTIONS", "CONSTANTS", "MAX_LENGTH", "MAX_DIGITS", "MAX_BITS"]

_Text = Union[str, Iterable[str], Mapping[str, str]]


def parse(text: _Text, inputs: Optional[Union[str, Iterable[str]]] = None,
          name: str = "f") -> Circuit:
    """Build a circuit from formula text, without evaluating it as Python.

    Parameters
    ----------
    text : str, list of str or dict
        One formula (output ``name``), a list of formulas (outputs
        ``name0, name1, ...``) or a dict ``{output name: formula}``.  Several
        formulas share their inputs and common sub-expressions.
    inputs : list of str or str, optional
        Input names in order (a string is split at spaces and commas).  Every
        listed name is an input even if no formula uses it; a name used but not
        listed is an error.  Listing ``pi`` or ``e`` makes it an input instead
        of a constant.  By default the inputs are the names used, in order of
        first appearance.
    name : str
        Name of the output of a single formula, prefix of a list's outputs.

    Returns
    -------
    Circuit

    Raises
    ------
    ParseError
        For malformed or unsupported text, with the 0-based ``position`` of the
        offending character, operator or call (see the module docstring);
        also when building fails there, e.g. ``x / 0``, ``log(0)``,
        ``x**10**10`` (exponent beyond ``circuits.core.gates.MAX_EXPONENT``) or
        ``9**9**9**9`` (a constant too large to compute).
    CircuitError
        For bad arguments other than the text: duplicate or empty input
        names, a ``text`` that is not a string, list or dict.

    Examples
    --------
    >>> import circuits
    >>> c = circuits.parse("x*y + 2*sin(x)")
    >>> list(c.inputs), sorted(c.op(v) for v in c.gates())
    (['x', 'y'], ['add', 'mul', 'sin'])
    >>> c.evaluate(x=0, y=1)
    {'f': 0.0}

    Powers follow Python, with exact numbers:

    >>> circuits.parse("2**-x**2 + 1/4").evaluate(x=1)
    {'f': 0.75}
    >>> from fractions import Fraction
    >>> c = circuits.parse("x**3 / 6 + 0.5", inputs=["x", "y"])
    >>> list(c.inputs), c.evaluate(x=Fraction(1), y=0)
    (['x', 'y'], {'f': Fraction(2, 3)})

    Several outputs share their inputs and sub-expressions:

    >>> c = circuits.parse({"u": "exp(a) + b", "v": "exp(a) * b"})
    >>> list(c.outputs), c.size
    (['u', 'v'], 3)

    Errors point at the culprit:

    >>> circuits.parse("sin(x, y)")
    Traceback (most recent call last):
    ...
    circuits.ParseError: sin() takes exactly 1 argument, got 2 at position 0
      sin(x, y)
      ^
    """
    formulas = _formulas(text, name)
    parser = Parser(inputs)
    for out, formula, labelled in formulas:
        _add_output(parser, out, formula, labelled)
    circuit = parser.builder.build()
    _check_weights(circuit)
    return circuit


def _add_output(parser: Parser, out: str, formula: str, labelled: bool) -> None:
    """Parse ``formula`` into the output ``out`` (a number folded from it as a constant)."""
    value = parser.formula(formula, out if labelled else None)
    if not isinstance(value, Wire):  # a formula that folded to a number
        value = parser.builder.const(value)
    try:
        parser.builder.output(out, value)
    except (CircuitError, ArithmeticError) as err:  # materialising the last linear combination
        raise ParseError(str(err), len(formula), formula) from None


def _formulas(text, name):
    """``[(output name, formula, labelled)]`` for the accepted ``text`` forms."""
    if isinstance(text, str):
        return [(name, text, False)]
    if isinstance(text, Mapping):
        items = list(text.items())
    elif isinstance(text, (list, tuple)):
        items = [(f"{name}{i}", t) for i, t in enumerate(text)]
    else:
        raise CircuitError(f"parse() expects a formula string, a list of strings or a dict "
                           f"{{output name: formula}}, got {type(text).__name__}")
    if not items:
        raise CircuitError("parse() was given no formulas; pass at least one")
    for out, formula in items:
        if not isinstance(out, str) or not out:
            raise CircuitError(f"output names must be non-empty strings, got {out!r}")
        if not isinstance(formula, str):
            raise CircuitError(f"output {out!r}: expected a formula string, got {type(formula).__name__}")
    return [(out, formula, True) for out, formula in items]


def _check_weights(circuit: Circuit) -> None:
    # Products of finite float constants can overflow while a linear
    # combination is collected into its add gate.
    for v in range(len(circuit)):
        op = circuit.op(v)
        numbers = (circuit.value(v),) if op == "const" else circuit.weights(v) or ()
        if any(isinstance(w, float) and not math.isfinite(w) for w in numbers):
            raise ParseError(f"a constant factor overflows to infinity (node {v}, {op!r}); "
                             "rescale the formula", 0)
