r"""Drawings as LaTeX/TikZ pictures, for lecture notes and papers.

:func:`to_tikz` draws a circuit with :func:`circuits.render`, asks Graphviz
for the layout (``dot -Tjson``: every shape, wire, arrowhead and line of text
as drawing operations in points) and writes each operation as a TikZ
command (:func:`circuits.render.latex.tikz_source`).  The picture therefore has
the layout, labels, order and colours of the SVG, and compiles with
``pdflatex`` as a ``standalone`` document; ``\input`` its ``tikzpicture`` into
a paper, or include the PDF.  ``render(c, "c.tex")`` (and
:func:`circuits.render.write` of any drawing) writes the same.

Text is LaTeX-escaped (``_ & % $ # { } ~ ^ \`` are printed as themselves) and
the symbols the drawings use (``×``, ``÷``, ``σ``, ``∇``, subscript digits, ...)
become their math-mode counterparts.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

from ..core.circuit import Circuit
from ..core.errors import CircuitError
from .draw import write_bytes, render
from .latex import tikz_source

__all__ = ["to_tikz"]


def to_tikz(circuit, path=None, **render_options) -> str:
    r"""Draw ``circuit`` as a standalone LaTeX/TikZ picture, and write it when ``path`` is given.

    The picture is :func:`circuits.render`'s drawing with the same options
    (``values``, ``mirror``, ``legend``, ``title``, ``highlight``, ``collapse``, ...):
    the same layout (positions from Graphviz), labels, order and colours.

    Parameters
    ----------
    circuit : Circuit or graphviz.Digraph
        A circuit, or a drawing already made (by :func:`circuits.render_transforms`,
        :func:`circuits.render_steps`, :func:`circuits.render_elimination`, ...).
    path : str or path-like, optional
        A ``.tex`` file to write.
    **render_options
        Passed to :func:`circuits.render`.

    Returns
    -------
    str
        The LaTeX document; compile it with ``pdflatex``.

    Raises
    ------
    CircuitError
        For what :func:`circuits.render` refuses, when the ``dot`` program is
        missing, and when ``path`` cannot be written.

    Examples
    --------
    >>> import circuits
    >>> tex = circuits.to_tikz(circuits.trace(lambda x, y: x * y), legend=False)   # doctest: +SKIP
    >>> "\\begin{tikzpicture}" in tex                                               # doctest: +SKIP
    True
    """
    if isinstance(circuit, Circuit):
        graph = render(circuit, **render_options)
    elif hasattr(circuit, "pipe") and hasattr(circuit, "source"):
        if render_options:
            raise CircuitError(f"to_tikz of a drawing takes no render options (got "
                               f"{', '.join(sorted(render_options))}); pass the circuit instead")
        graph = circuit
    else:
        raise CircuitError(f"to_tikz() expects a Circuit or a drawing, got {type(circuit).__name__}")
    tex = tikz_source(graph)
    if path is not None:
        if not isinstance(path, (str, PathLike)):
            raise CircuitError(f"path must be a file name such as 'circuit.tex', not a {type(path).__name__}")
        write_bytes(Path(path), tex.encode("utf-8"))
    return tex
