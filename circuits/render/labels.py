"""The text and colours of the drawings: labels, escapes, names, titles.

Graphviz labels escaped (:func:`escape`, :func:`escape_lines`), numbers and
names as the drawings write them (:func:`number_text`, :func:`name_label`,
:func:`names_list`), the titles of :func:`circuits.render` and its kin, the
node colours (:data:`COLORS`) and the one font (:data:`FONT`).  Shared by
:mod:`circuits.render.draw` and the other drawing modules.

Examples
--------
>>> from circuits.render.labels import name_label, number_text
>>> name_label("x_1"), number_text(0.5)
('x₁', '0.5')
"""

from __future__ import annotations

import html
import re
from fractions import Fraction
from typing import Any, Optional

from ..core.circuit import Circuit
from ..core.errors import CircuitError
from ..ad.common import dname, dnames

__all__ = ["COLORS", "ROLES", "WEIGHT_COLOR", "FRESH_COLOR", "LEGEND", "graphviz_module", "number_text", "escape",
           "escape_lines", "FONT", "name_label", "SHORT_NAME", "truncate_text", "names_list", "TITLE_MOST",
           "default_title", "function_text"]


#: Fill colours by node kind; ``primal``, ``derivative`` and ``recomputed`` (a gate evaluated again
#: by :func:`circuits.checkpoint`) follow ``circuit.meta["role"]``.
COLORS = {
    "input": "#d9f2d9",
    "const": "#eeeeee",
    "primal": "#d6e6f7",
    "derivative": "#fde0c2",
    "recomputed": "#e3d3f2",
    "output": "#c0392b",
}


ROLES = ("primal", "derivative", "recomputed")


#: Colour of the weights written on wires into ``+`` gates.
WEIGHT_COLOR = "#1f4e9a"


#: Outline of the nodes a step of :func:`render_steps` adds.
FRESH_COLOR = "#2c7be5"


LEGEND = {
    "input": "input",
    "const": "constant",
    "primal": "gate",
    "derivative": "derivative gate",
    "recomputed": "recomputed gate",
    "output": "output",
    "fresh": "new in this step",
}


def graphviz_module():
    try:
        import graphviz
    except ImportError:
        raise CircuitError("rendering needs the graphviz Python package: pip install graphviz "
                           "(and the dot program: apt-get install graphviz)") from None
    return graphviz


def number_text(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, Fraction) and v.denominator != 1:
        return f"{v.numerator}/{v.denominator}"
    if isinstance(v, Fraction):
        return str(v.numerator)
    return str(v)


def escape(text: str) -> str:
    r"""``text`` as a plain (quoted) DOT label: never read as an HTML-like ``<...>`` label.

    Every label the drawings build from names, numbers, sympy expressions or gate
    labels goes through here.  Backslashes and double quotes are escaped so that a
    name can neither close the quoted string nor form an escape sequence (``\N``,
    ``\G``, ``\l``...); a line break in a name becomes a DOT line break and other
    control characters a space; joining escaped lines with ``"\n"`` keeps our own
    line breaks.  ``nohtml`` stops the graphviz package from passing a name shaped
    like ``<...>`` through unquoted, as an HTML-like label (which could embed a
    local file with ``<IMG SRC=...>``).

    >>> print(escape('<x>]; y [label="PWNED"]; z [label=<y>'))
    <x>]; y [label=\"PWNED\"]; z [label=<y>
    >>> print(escape('a\\b'), escape('two\nlines'), escape('end\\'))
    a\\b two\nlines end\\
    """
    from graphviz import nohtml
    text = str(text).replace("\\", "\\\\").replace('"', '\\"')
    text = text.replace("\r\n", "\n").replace("\n", "\\n")
    return nohtml("".join(ch if ch >= " " or ch == "\\" else " " for ch in text))


def escape_lines(lines) -> str:
    """Escaped lines joined by DOT line breaks, as one plain label."""
    from graphviz import nohtml
    return nohtml("\\n".join(lines))


def _escape_html(text: str) -> str:
    """``text`` for the inside of an HTML-like ``<...>`` label: ``& < > " '`` as entities.

    >>> _escape_html('<b>&"x"</b>')
    '&lt;b&gt;&amp;&quot;x&quot;&lt;/b&gt;'
    """
    return html.escape(str(text), quote=True)


_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


#: One font for everything in a drawing (labels, weights, title, legend).
FONT = "Helvetica"


def name_label(name: str) -> str:
    """``x_1`` → ``x₁``, ``w_12`` → ``w₁₂`` (digit subscripts); other names unchanged.

    Examples
    --------
    >>> name_label("x_1"), name_label("df/dx_12"), name_label("x_a")
    ('x₁', 'df/dx₁₂', 'x_a')
    """
    return re.sub(r"_(\d+)\b", lambda m: m.group(1).translate(_SUBSCRIPTS), name)


#: Output names up to this many characters are written inside their gate, longer ones beside it.
SHORT_NAME = 3


def truncate_text(text: str, most: int = 70) -> str:
    """``text`` cut to at most ``most`` characters at a space, never inside a word or
    between brackets, with "…" where it was cut.

    Examples
    --------
    >>> truncate_text("dloss/dW1, dloss/dW2, dloss/db", 20)
    'dloss/dW1, …'
    >>> truncate_text("f(x, y, z) and more", 10)
    'f(x, …)'
    """
    text = str(text)
    if len(text) <= most:
        return text
    cut = text[:max(most - 3, 1)]
    space = cut.rfind(" ")
    cut = cut[:space].rstrip() if space > 0 else ""
    while cut and _balanced(cut + " …") != cut + " …" and len(_balanced(cut + " …")) > most:
        cut = cut[:max(cut.rfind(" "), 0)].rstrip()
    return _balanced(cut + " …") if cut else "…"


def _balanced(text: str) -> str:
    """``text`` with brackets it leaves open closed, in the right order."""
    pairs = {"(": ")", "[": "]", "{": "}"}
    stack = []
    for ch in text:
        if ch in pairs:
            stack.append(pairs[ch])
        elif stack and ch == stack[-1]:
            stack.pop()
    return text + "".join(reversed(stack))


def names_list(names, most: int) -> str:
    """Whole names joined by commas in about ``most`` characters: ``a, b, … (9 in all)``
    (the first name is always shown, a name longer than ``most`` cut with "…").

    Examples
    --------
    >>> names_list(["x", "y", "z"], 20)
    'x, y, z'
    >>> names_list([f"x{k}" for k in range(1, 30)], 24)
    'x1, x2, … (29 in all)'
    """
    names = [str(n) if len(str(n)) <= most else str(n)[:max(most - 1, 1)] + "…" for n in names]
    text = ", ".join(names)
    if len(text) <= most or len(names) < 2:
        return text
    more = f", … ({len(names)} in all)"
    if len(names[0]) + len(more) > most:
        return f"… {len(names)} in all"
    shown = 1
    while shown < len(names) and len(", ".join(names[:shown + 1])) + len(more) <= most:
        shown += 1
    return ", ".join(names[:shown]) + more


#: Default titles are at most this many characters.
TITLE_MOST = 60


def default_title(circuit: Circuit) -> str:
    """A short phrase: ``f(x, y, z) · size 7, depth 3``, ``f and ∇f(x, y, z) · ...`` for a
    gradient circuit, whole names only, at most :data:`TITLE_MOST` characters.

    Examples
    --------
    >>> import circuits
    >>> f = circuits.parse("x*y + z", name="f")
    >>> default_title(f), default_title(circuits.backward(f))
    ('f(x, y, z) · size 2, depth 2', '∇f(x, y, z) · size 0, depth 0')
    """
    tail = f" · size {circuit.size:,}, depth {circuit.depth:,}"
    return function_text(circuit, TITLE_MOST - len(tail)) + tail


def function_text(circuit: Circuit, most: int = 40) -> str:
    """``f(x, y, z)``, ``(f, g)(x, y)`` or ``∇f(x, y)`` in at most ``most`` characters: whole
    names (one longer than half of ``most`` is cut, with "…")."""
    outs = list(circuit.outputs)
    head = _gradient_head(outs, list(circuit.inputs))
    if head is not None and len(head) > most // 2:
        head = head.split(" and ")[-1]  # "f and ∇f" → "∇f"
    if head is None:
        head = name_label(names_list(outs, most // 2 - 2))
        if len(outs) > 1:
            head = f"({head})"
    ins = name_label(names_list(circuit.inputs, max(most - len(head) - 2, 8)))
    return f"{head}({ins})"


def _gradient_head(outs: list, ins: list) -> Optional[str]:
    """``∇f`` when the outputs are the gradient of one output ``f`` (``f and ∇f`` with ``f``)."""
    if not ins or not outs:
        return None
    suffix = dname("", ins[0])[1:]  # "/dx" of "df/dx"
    candidates = [outs[0]]
    first = next((o for o in outs[:2] if o.startswith("d") and o.endswith(suffix)), None)
    if first is not None:
        y = first[1:len(first) - len(suffix)]
        candidates += [y, y[1:-1]]  # a name with "/" is parenthesised: d(df/dx)/dy
    for y in candidates:
        if not y or dname(y, ins[0]) not in outs:
            continue
        grad = dnames(y, ins)
        rest = [o for o in outs if o not in set(grad)]
        if len(grad) + len(rest) == len(outs) and rest in ([], [y]):
            name = name_label(y if len(y) <= 12 else y[:11] + "…")
            return f"∇{name}" if not rest else f"{name} and ∇{name}"
    return None
