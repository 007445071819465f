"""The two exceptions users see: one for circuits, one for expression text."""

from __future__ import annotations

import difflib

__all__ = ["CircuitError", "ParseError", "EvaluationWarning", "did_you_mean"]


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


class CircuitError(ValueError):
    """A circuit is malformed, or cannot be evaluated or transformed as asked.

    The message names the node (or input, output, gate) at fault and what to do.
    """


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
        super().__init__(message)


# Shown as circuits.CircuitError (where users import them from), not by the module they live in.
for _cls in (CircuitError, ParseError, EvaluationWarning):
    _cls.__module__ = "circuits"
