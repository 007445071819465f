"""Rich display in Jupyter: small HTML building blocks shared by the result objects.

Every result object of the package (``Analysis``, ``BoundCheck``, ``GradientReport``,
``SymbolicReport``, ``BauerPaths``, ``ScalingTable``) keeps its plain ``str`` for terminals and
adds ``_repr_html_`` built from these helpers, so a notebook shows a table or a verdict instead
of a dataclass repr.  Nothing here imports the rest of the package.
"""

from __future__ import annotations

import html
from typing import Iterable, Optional, Sequence

__all__ = ["verdict", "table", "pre"]


def verdict(ok: Optional[bool], title: str) -> str:
    """A bold one-line heading, green for ✓ and red for ✗ (no mark when ``ok`` is None).

    Examples
    --------
    >>> verdict(True, "backpropagation size")
    '<div><b style="color:#1a7f37">✓ backpropagation size</b></div>'
    """
    if ok is None:
        return f"<div><b>{html.escape(title)}</b></div>"
    color, mark = ("#1a7f37", "✓") if ok else ("#cf222e", "✗")
    return f'<div><b style="color:{color}">{mark} {html.escape(title)}</b></div>'


def table(headers: Sequence[str], rows: Iterable[Sequence], caption: str = "",
          align: Optional[Sequence[str]] = None) -> str:
    """An HTML table; numbers right-aligned (or ``align[i]`` for column i), every cell escaped.

    Examples
    --------
    >>> table(["n", "s"], [[2, 5]])
    '<table><thead><tr><th>n</th><th>s</th></tr></thead><tbody><tr><td style="text-align:right">2</td><td style="text-align:right">5</td></tr></tbody></table>'
    """
    e = html.escape

    def cell(i, v):
        if isinstance(v, float):
            text, side = f"{v:.4g}", "right"
        else:
            text, side = str(v), "right" if isinstance(v, int) else "left"
        return f'<td style="text-align:{side if align is None else align[i]}">{e(text)}</td>'

    head = "".join(f"<th>{e(str(h))}</th>" for h in headers)
    body = "".join("<tr>" + "".join(cell(i, v) for i, v in enumerate(row)) + "</tr>" for row in rows)
    cap = f"<caption>{e(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def pre(text: str) -> str:
    """Preformatted, escaped text."""
    return f"<pre>{html.escape(text)}</pre>"
