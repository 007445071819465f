"""The two exceptions users see: one for circuits, one for expression text."""

from __future__ import annotations

import difflib

__all__ = ["CircuitError", "ParseError", "EvaluationWarning", "did_you_mean", "listing", "MAX_MESSAGE"]

#: No error message of the package is longer than this many characters: long lists of names
#: are cut by :func:`listing`, and a message still longer is shortened in its middle.
MAX_MESSAGE = 500


class EvaluationWarning(RuntimeWarning):
    """A numpy batch met a point where the scalar path raises (log of a negative, 1/0, overflow).

    Scalars raise :class:`CircuitError` there; a batch keeps numpy's nan/inf
    at those entries, so the other points are not lost, and warns once.
    Turn it into an error with ``warnings.simplefilter("error", EvaluationWarning)``.
    """


def did_you_mean(name: str, choices) -> str:
    """`` (did you mean 'sin'?)`` for the closest of ``choices``, or ``""``.

    Examples
    --------
    >>> did_you_mean("sinn", ["sin", "cos", "exp"])
    " (did you mean 'sin'?)"
    >>> did_you_mean("zzz", ["sin", "cos"])
    ''
    """
    close = difflib.get_close_matches(str(name), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def listing(names, most: int = 8) -> str:
    """``names`` as a list for a message: all of them, or the first few and ``… (25,220 in all)``.

    Messages name the inputs or outputs a user may choose from; a circuit
    can have hundreds of thousands, so a long list keeps its first ``most``
    names and says how many there are.

    Examples
    --------
    >>> listing(["x", "y"])
    "['x', 'y']"
    >>> listing([f"w{i}" for i in range(25220)], most=3)
    "['w0', 'w1', 'w2', …] (25,220 in all)"
    """
    names = list(names)
    if len(names) <= most:
        return repr(names)
    head = ", ".join(map(repr, names[:most]))
    return f"[{head}, …] ({len(names):,} in all)"


def _clip(message: str) -> str:
    """``message`` cut in its middle to :data:`MAX_MESSAGE` characters (its start and its advice stay)."""
    if len(message) <= MAX_MESSAGE:
        return message
    tail = MAX_MESSAGE // 3
    gap = f" … [{len(message):,} characters in all] … "
    return message[:MAX_MESSAGE - tail - len(gap)] + gap + message[-tail:]


class CircuitError(ValueError):
    """A circuit is malformed, or cannot be evaluated or transformed as asked.

    The message names the node (or input, output, gate) at fault and what to do;
    it is at most :data:`MAX_MESSAGE` characters long (a longer one is cut in its
    middle).

    Examples
    --------
    >>> from circuits.core.errors import MAX_MESSAGE
    >>> len(str(CircuitError("x" * 10_000))) <= MAX_MESSAGE
    True
    """

    def __init__(self, *args):
        if len(args) == 1 and isinstance(args[0], str):
            args = (_clip(args[0]),)
        super().__init__(*args)


class ParseError(ValueError):
    """An expression string could not be parsed.

    Attributes
    ----------
    position : int
        0-based character offset of the problem in the text.
    text : str
        The text that was being parsed.
    """

    def __init__(self, message: str, position: int = 0, text: str = ""):
        self.position = position
        self.text = text
        if text and len(text) <= 200:
            pointer = " " * position + "^"
            message = f"{message} at position {position}\n  {text}\n  {pointer}"
        else:
            message = f"{message} at position {position}"
        super().__init__(_clip(message))


# Shown as circuits.CircuitError (where users import them from), not by the module they live in.
for _cls in (CircuitError, ParseError, EvaluationWarning):
    _cls.__module__ = "circuits"
