r"""Any Graphviz drawing as a LaTeX/TikZ picture: Graphviz's drawing operations as TikZ commands.

:func:`circuits.to_tikz` (in :mod:`circuits.render.tikz`) and ``write(g, "x.tex")`` use it.

Examples
--------
>>> latex_text("a_1 & 50% {x}")
'a\\_1 \\& 50\\% \\{x\\}'
"""

from __future__ import annotations

from typing import Optional

from .layout import layout

__all__ = ["tikz_source", "latex_text"]

_SPECIALS = {"\\": r"\textbackslash{}", "_": r"\_", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
             "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
             "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}", '"': r"\textquotedbl{}"}

#: Symbols the drawings print, in LaTeX (math mode where needed).
_SYMBOLS = {
    "×": r"$\times$", "÷": r"$\div$", "·": r"$\cdot$", "∇": r"$\nabla$", "∂": r"$\partial$",
    "…": r"\dots{}", "−": r"$-$", "–": "--", "—": "---", "→": r"$\to$", "←": r"$\leftarrow$",
    "√": r"$\surd$", "∑": r"$\sum$", "Σ": r"$\Sigma$", "∏": r"$\prod$", "‖": r"$\|$", "≤": r"$\le$",
    "≥": r"$\ge$", "≠": r"$\ne$", "±": r"$\pm$", "∞": r"$\infty$", "°": r"$^\circ$", "′": r"$'$",
    "ᵀ": r"$^{T}$", "⁻": r"$^{-}$", "¹": r"$^{1}$", "²": r"$^{2}$", "³": r"$^{3}$",
    "“": "``", "”": "''", "‘": "`", "’": "'", "\u00a0": "~",
}
_SYMBOLS.update({chr(0x2080 + d): f"$_{{{d}}}$" for d in range(10)})          # ₀ … ₉
_SYMBOLS.update({c: f"$^{{{d}}}$" for c, d in zip("⁰⁴⁵⁶⁷⁸⁹", "0456789")})
_GREEK = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho "
          "varsigma sigma tau upsilon phi chi psi omega").split()
for k, name in enumerate(_GREEK):
    _SYMBOLS[chr(0x3B1 + k)] = f"$\\{name}$" if name != "omicron" else "o"
for k, name in enumerate(("Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi",
                          "Omega")):
    _SYMBOLS["ΓΔΘΛΞΠΣΥΦΨΩ"[k]] = f"$\\{name}$"


def latex_text(text: str) -> str:
    r"""``text`` for LaTeX's text mode: specials escaped, the drawings' symbols as math.

    Characters LaTeX's ``utf8`` input knows (Latin-1) pass through; any other is
    written as ``[U+XXXX]`` rather than breaking the document.

    Examples
    --------
    >>> latex_text("dy/dx₁ = x² · σ")
    'dy/dx$_{1}$ = x$^{2}$ $\\cdot$ $\\sigma$'
    >>> latex_text("\\end{document}")
    '\\textbackslash{}end\\{document\\}'
    """
    out = []
    for ch in str(text):
        if ch in _SPECIALS:
            out.append(_SPECIALS[ch])
        elif ch in _SYMBOLS:
            out.append(_SYMBOLS[ch])
        elif " " <= ch <= "~" or "\u00c0" <= ch <= "\u00ff" and ch not in "×÷":
            out.append(ch)
        elif ch < " ":
            out.append(" ")
        else:
            out.append(f"[U+{ord(ch):04X}]")
    return "".join(out)


def _colour(spec: str, names: dict) -> Optional[str]:
    """A TikZ colour name for a Graphviz colour (``#rrggbb``, ``#rrggbbaa`` or a name);
    None for a fully transparent one."""
    spec = spec.strip()
    if spec.startswith("#"):
        hexa = spec[1:]
        if len(hexa) == 8:
            if hexa[6:].lower() == "00":
                return None
            hexa = hexa[:6]
        if len(hexa) != 6:
            return "black"
        key = hexa.upper()
        if key not in names:
            names[key] = f"c{len(names)}"
        return names[key]
    return {"transparent": None, "none": None}.get(spec.lower(), spec.lower() if spec.isalpha() else "black")


def _point(p) -> str:
    return f"({p[0]:.2f},{p[1]:.2f})"


def _bezier(points) -> str:
    parts = [_point(points[0])]
    for k in range(1, len(points) - 2, 3):
        parts.append(f".. controls {_point(points[k])} and {_point(points[k + 1])} .. {_point(points[k + 2])}")
    return " ".join(parts)


def _ops(ops, names: dict, lines: list) -> None:
    """TikZ commands for a list of xdot drawing operations."""
    pen: Optional[str] = "black"  # None: transparent
    fill: Optional[str] = "black"
    style, width, size, bold = "solid", None, 14.0, False
    for op in ops or ():
        kind = op["op"]
        if kind == "c":
            pen = _colour(op.get("color", "black"), names)
        elif kind == "C":
            fill = _colour(op.get("color", "black"), names)
        elif kind == "S":
            s = op["style"]
            if s.startswith("setlinewidth("):
                width = float(s[len("setlinewidth("):-1])
            else:
                style = s
        elif kind == "F":
            size = float(op["size"])
        elif kind == "t":
            bold = bool(int(op.get("fontchar", 0)) & 1)
        elif style == "invis":
            continue
        elif kind == "T":
            if not op["text"].strip() or pen is None:
                continue
            anchor = {"l": "base west", "c": "base", "r": "base east"}[op["align"]]
            font = f"\\fontsize{{{size:.1f}}}{{{size * 1.2:.1f}}}\\selectfont" + ("\\bfseries" if bold else "")
            lines.append(f"\\node[anchor={anchor},inner sep=0pt,text={pen},font={font}] at "
                         f"{_point(op['pt'])} {{{latex_text(op['text'])}}};")
        else:
            drawn = pen is not None
            filled = kind in "EPB" and fill is not None
            if not (drawn or filled):
                continue
            opts = []
            if drawn:
                opts.append(f"draw={pen}")
                if width is not None:
                    opts.append(f"line width={width:.2f}pt")
                if style in ("dashed", "dotted"):
                    opts.append(style)
            if filled:
                opts.append(f"fill={fill}")
            if kind in "eE":
                x, y, rx, ry = op["rect"]
                path = f"{_point((x, y))} ellipse [x radius={rx:.2f}, y radius={ry:.2f}]"
            elif kind in "pP":
                path = " -- ".join(_point(p) for p in op["points"]) + " -- cycle"
            elif kind == "L":
                path = " -- ".join(_point(p) for p in op["points"])
            elif kind in "bB":
                path = _bezier(op["points"])
            else:
                continue
            lines.append(f"\\path[{','.join(opts)}] {path};")


def tikz_source(graph) -> str:
    r"""A standalone LaTeX document holding ``graph`` (a :class:`graphviz.Digraph`) as a
    ``tikzpicture``, laid out by Graphviz's ``dot``.

    Raises
    ------
    CircuitError
        When the ``dot`` program is missing or fails.
    """
    data = layout(graph)
    names: dict = {}
    body: list = []
    _ops(data.get("_draw_"), names, body)
    objects = data.get("objects", ())
    clusters = [o for o in objects if "nodes" in o or "edges" in o and "pos" not in o]
    nodes = [o for o in objects if o not in clusters]
    for c in clusters:
        _ops(c.get("_draw_"), names, body)
        _ops(c.get("_ldraw_"), names, body)
    for e in data.get("edges", ()):
        for key in ("_draw_", "_tdraw_", "_hdraw_", "_ldraw_", "_tldraw_", "_hldraw_"):
            _ops(e.get(key), names, body)
    for v in nodes:
        _ops(v.get("_draw_"), names, body)
        _ops(v.get("_ldraw_"), names, body)
    _ops(data.get("_ldraw_"), names, body)
    colours = [f"\\definecolor{{{name}}}{{HTML}}{{{hexa}}}" for hexa, name in names.items()]
    bb = [float(t) for t in str(data.get("bb", "0,0,0,0")).split(",")]
    return "\n".join([
        "% A circuit drawn by circuits (gradient-circuits): Graphviz's layout as TikZ commands.",
        "% Compile with pdflatex, or \\input the tikzpicture into a document that loads TikZ and helvet",
        "% (Helvetica, as Graphviz measured the labels: Debian's texlive-fonts-recommended).",
        "\\documentclass[tikz,border=2pt]{standalone}",
        "\\usepackage[T1]{fontenc}",
        "\\usepackage[utf8]{inputenc}",
        "\\usepackage[scaled=0.92]{helvet}",
        "\\renewcommand{\\familydefault}{\\sfdefault}",
        "\\begin{document}",
        *colours,
        "\\begin{tikzpicture}[x=1pt,y=1pt,line width=1pt,line join=round]",
        f"\\useasboundingbox ({bb[0]:.2f},{bb[1]:.2f}) rectangle ({bb[2]:.2f},{bb[3]:.2f});",
        *body,
        "\\end{tikzpicture}",
        "\\end{document}",
        "",
    ])


