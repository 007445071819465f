"""The two exceptions users see: one for circuits, one for expression text."""

from __future__ import annotations

__all__ = ["CircuitError", "ParseError"]


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
