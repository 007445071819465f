"""Reports: a circuit against its forward and backward circuits, and families by size.

* :func:`compare` tabulates a circuit against its forward and backward
  circuits (and their simplified forms), each row with the bound of
  :mod:`circuits.bounds` it must satisfy (a :class:`ComparisonTable`);
* :func:`scaling` and :func:`plot_scaling` follow a family of circuits of
  growing size.

The counts come from :mod:`circuits.analysis`, the bounds from
:mod:`circuits.bounds`; this module sits above both.

Examples
--------
>>> import circuits
>>> t = circuits.compare(circuits.parse("x * y + sin(x)"), simplified=False)
>>> [row["circuit"] for row in t.rows]
['circuit', 'forward', 'backward']
"""

from __future__ import annotations

import html
import math
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence

from ..analysis import bounds
from ..analysis.memory import peak_memory
from ..core import display
from ..core.checks import check_callable, check_count, check_names, check_path, check_rows, check_sequence
from ..core.circuit import Circuit, check_circuit
from ..core.errors import CircuitError
from ..ad import backward, forward, hvp, jvp, simplify, vjp

__all__ = ["ComparisonTable", "compare", "ScalingTable", "scaling", "plot_scaling"]

_DIRECTIONAL: dict[str, Callable[..., Circuit]] = {"jvp": jvp, "vjp": vjp, "hvp": hvp}


# --- comparison tables --------------------------------------------------------

_COLUMNS = ("circuit", "n", "s", "w", "depth", "memory", "ratio", "bound", "holds")
_HEADERS = ("circuit", "n", "s", "w", "depth", "memory", "s/s0", "bound on s", "holds")
_ALIGN = ("left",) + ("right",) * (len(_HEADERS) - 1)  # the row label, then numbers


def _cell(key: str, value: Any) -> str:
    if value is None:
        return "—"
    if key == "holds":
        return "yes" if value else "NO"
    if key == "ratio":
        return f"{value:.2f}"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


class ComparisonTable:
    """The rows of :func:`compare`, printable as text, Markdown and HTML.

    Attributes
    ----------
    rows : list of dict
        One plain dict per circuit with keys ``circuit``, ``n``, ``s``,
        ``w``, ``depth``, ``memory`` (:func:`circuits.peak_memory` in node
        order), ``ratio`` (``s / s0``), ``bound`` (upper bound on
        ``s``, or None), ``holds`` (``s <= bound``, or None) and ``claim``
        (what the bound states and where it comes from).
    """

    def __init__(self, rows: Sequence[dict], title: str = ""):
        self.rows = check_rows(rows, f"{type(self).__name__}: rows")
        self.title = title

    def _cells(self) -> list[list[str]]:
        return [[_cell(k, r.get(k)) for k in _COLUMNS] for r in self.rows]

    def _notes(self) -> list[str]:
        notes, seen = [], set()
        for r in self.rows:
            claim = r.get("claim")
            if claim and claim not in seen:
                seen.add(claim)
                notes.append(f"{r['circuit']}: {claim}")
        return notes

    def __str__(self) -> str:
        cells = self._cells()
        widths = [max(len(h), *(len(row[i]) for row in cells)) for i, h in enumerate(_HEADERS)]

        def line(row):
            # the first column is text (left), the others numbers (right)
            return "  ".join(c.ljust(wd) if i == 0 else c.rjust(wd)
                             for i, (c, wd) in enumerate(zip(row, widths))).rstrip()

        out = [self.title] if self.title else []
        out.append(line(_HEADERS))
        out.append("  ".join("-" * wd for wd in widths))
        out.extend(line(r) for r in cells)
        out.extend("  " + n for n in self._notes())
        return "\n".join(out)

    def to_markdown(self) -> str:
        """The table in GitHub Markdown, with the bounds' claims as a list."""
        out = [f"**{self.title}**", ""] if self.title else []
        out.append("| " + " | ".join(_HEADERS) + " |")
        out.append("|" + "|".join(":---" if i == 0 else "---:" for i in range(len(_HEADERS))) + "|")
        out.extend("| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in self._cells())
        notes = self._notes()
        if notes:
            out.append("")
            out.extend(f"- {n}" for n in notes)
        return "\n".join(out)

    def _repr_html_(self) -> str:
        e = html.escape
        notes = "".join(f"<li>{e(n)}</li>" for n in self._notes())
        notes = f"<ul>{notes}</ul>" if notes else ""
        return display.table(_HEADERS, self._cells(), self.title, align=_ALIGN) + notes

    def __repr__(self) -> str:
        return f"<ComparisonTable: {len(self.rows)} rows>"

    def __len__(self) -> int:
        return len(self.rows)


def _row(label: str, c: Circuit, s0: int, bound=None, claim=None) -> dict:
    s = c.size
    return {
        "circuit": label, "n": len(c.inputs), "s": s, "w": c.wires, "depth": c.depth,
        "memory": peak_memory(c),
        "ratio": s / s0 if s0 else (1.0 if s == 0 else math.inf),
        "bound": bound, "holds": None if bound is None else s <= bound, "claim": claim,
    }


def compare(circuit: Circuit, *, simplified: bool = True,
            extra: Iterable[str] = ()) -> ComparisonTable:
    """Tabulate ``circuit`` against its gradient circuits.

    Rows: the circuit itself, :func:`circuits.forward`, :func:`circuits.backward`
    and, when ``simplified``, both after :func:`circuits.simplify`; ``extra``
    may add ``"jvp"``, ``"vjp"`` and ``"hvp"`` rows.  Each derived row carries
    the upper bound on its size from :mod:`circuits.bounds` and whether it holds.

    Parameters
    ----------
    circuit : Circuit
    simplified : bool, optional
        Add the rows ``simplify(forward)`` and ``simplify(backward)``.
    extra : iterable of str, optional
        Any of ``"jvp"``, ``"vjp"``, ``"hvp"`` (a single direction or seed).

    Returns
    -------
    ComparisonTable

    Examples
    --------
    >>> import circuits
    >>> from circuits.library import backprop_example
    >>> t = compare(backprop_example())   # the worked example y = (x1 + x2 + x1·x2)(x1 + x2)
    >>> [r["circuit"] for r in t.rows]
    ['circuit', 'forward', 'backward', 'simplify(forward)', 'simplify(backward)']
    >>> [r["s"] for r in t.rows], all(r["holds"] for r in t.rows[1:])
    ([4, 27, 8, 9, 7], True)
    >>> print(t)                                      # doctest: +ELLIPSIS
    y(x_1, x_2)
    circuit             n   s   w  depth  memory  s/s0  bound on s  holds
    ------------------  -  --  --  -----  ------  ----  ----------  -----
    circuit             2   4   8      3       4  1.00           —      —
    forward             2  27  54      6       8  6.75          28    yes
    backward            2   8  16      4       5  2.00          26    yes
    ...
    """
    check_circuit(circuit, "compare()")
    extra = tuple(check_names(extra, "compare(): extra"))
    unknown = [e for e in extra if e not in ("jvp", "vjp", "hvp")]
    if unknown:
        raise CircuitError(f"compare(): unknown extra row {unknown[0]!r}; choose from 'jvp', 'vjp', 'hvp'")
    s0 = circuit.size
    rows = [_row("circuit", circuit, s0)]
    fb, fclaim = bounds.forward_bound(circuit)
    bb, bclaim = bounds.backward_bound(circuit)
    fwd = forward(circuit)
    bwd = backward(circuit)  # one reverse sweep per output
    rows.append(_row("forward", fwd, s0, fb, fclaim))
    rows.append(_row("backward", bwd, s0, bb, bclaim))
    if simplified:
        rows.append(_row("simplify(forward)", simplify(fwd), s0, fb, fclaim))
        rows.append(_row("simplify(backward)", simplify(bwd), s0, bb, bclaim))
    for name in extra:
        c = _DIRECTIONAL[name](circuit)
        bound, claim = bounds.directional_bound(circuit, name)
        rows.append(_row(name, c, s0, bound, claim))
    return ComparisonTable(rows, title=f"{', '.join(circuit.outputs)}({', '.join(circuit.inputs)})")


# --- scaling -------------------------------------------------------------------


class ScalingTable(list):
    """The rows of :func:`scaling`: a list of dicts that Jupyter shows as a table.

    It is a ``list`` (indexing, ``len``, JSON, ``plot_scaling(rows)`` as before)
    whose ``_repr_html_`` draws the rows as an HTML table.

    Examples
    --------
    >>> t = ScalingTable([{"n": 2, "s": 5}, {"n": 4, "s": 9}])
    >>> t[1]["s"], isinstance(t, list)
    (9, True)
    >>> "<th>n</th>" in t._repr_html_()
    True
    """

    def _repr_html_(self) -> str:
        keys = list(dict.fromkeys(k for row in self for k in row))
        return display.table(keys, ([row.get(k, "") for k in keys] for row in self),
                             caption=f"scaling: {len(self)} sizes")


def scaling(family: Callable[[int], Circuit], sizes: Iterable[int], *,
            progress: Optional[Callable[[int, int, int], None]] = None) -> "ScalingTable":
    """Sizes of a family's circuits and of their forward and backward circuits.

    Parameters
    ----------
    family : callable
        ``family(size)`` returns a :class:`Circuit`.
    sizes : iterable of int
        The sizes to build.
    progress : callable, optional
        Called as ``progress(done, total, size)`` after each size.

    Returns
    -------
    list of dict
        One row per size: ``size``, ``n``, ``s``, ``w``, ``depth``,
        ``forward`` and ``backward`` (gate counts; backward makes one reverse
        sweep per output).

    Examples
    --------
    >>> import circuits
    >>> def sum_of_squares(k):
    ...     b = circuits.Builder()
    ...     xs = b.inputs([f"x{i}" for i in range(k)])
    ...     b.output("f", circuits.sum_of([circuits.square(x) for x in xs]))
    ...     return b.build()
    >>> rows = scaling(sum_of_squares, [2, 4])
    >>> [(r["n"], r["s"], r["w"]) for r in rows]
    [(2, 3, 4), (4, 5, 8)]
    """

    check_callable(family, "scaling: family")
    sizes = [check_count(k, "scaling: every size", minimum=1) for k in check_sequence(sizes, "scaling: sizes")]
    if progress is not None:
        check_callable(progress, "scaling: progress")
    rows = ScalingTable()
    for done, k in enumerate(sizes, 1):
        c = family(k)
        if not isinstance(c, Circuit):
            raise CircuitError(f"the family returned {type(c).__name__} for size {k}, not a Circuit")
        rows.append({
            "size": k, "n": len(c.inputs), "s": c.size, "w": c.wires, "depth": c.depth,
            "forward": forward(c).size,
            "backward": backward(c).size,
        })
        if progress is not None:
            progress(done, len(sizes), k)
    return rows


def pyplot(where: str, path=None):
    """``matplotlib.pyplot`` (the Agg backend when saving to ``path``), or a CircuitError naming ``where``."""
    try:
        import matplotlib
        if path is not None:
            matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError:
        raise CircuitError(f"{where} needs matplotlib: pip install matplotlib "
                           "(or pip install 'gradient-circuits[plot]')") from None
    return plt


def plot_scaling(rows: Sequence[Mapping], path=None, *, title: str = "gate counts against n"):
    """Log-log plot of the gate counts of :func:`scaling` rows against ``n``.

    Draws ``s``, the forward size and the backward size, with reference lines
    of slope 1 and 2 through the first point of ``s`` (forward
    is Θ(n·(s+w)), backward O(n+s+w); Baur & Strassen 1983).

    Parameters
    ----------
    rows : sequence of dict
        As returned by :func:`scaling`.
    path : str or path-like, optional
        Where to save the figure; the suffix (``.png``, ``.svg``, ``.pdf``)
        chooses the format.  Missing folders are created.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    CircuitError
        When matplotlib is not installed, or ``rows`` has fewer than one row.
    """
    check_path(path, "plot_scaling: path")
    plt = pyplot("plot_scaling", path)
    rows = [r for r in check_rows(rows, "plot_scaling: rows") if r.get("n")]
    if not rows:
        raise CircuitError("plot_scaling needs at least one row with n > 0; run circuits.scaling first")
    ns = [r["n"] for r in rows]
    fig, ax = plt.subplots(figsize=(6, 4.5))
    for key, label, marker in (("s", "circuit s", "o"), ("forward", "forward", "s"),
                               ("backward", "backward", "^")):
        pts = [(r["n"], r[key]) for r in rows if r.get(key)]
        if pts:
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker=marker, label=label)
    _reference_slopes(ax, ns, max(rows[0]["s"], 1))
    _log_n_axes(ax, ns, title)
    fig.tight_layout()
    # closed, the figure is drawn once in Jupyter: as the returned value, not also by pyplot
    plt.close(fig)
    if path is not None:
        save_figure(fig, Path(path))
    return fig


def _reference_slopes(ax, ns: list, s0) -> None:
    """Lines of slope 1 and 2 through ``(ns[0], s0)``, across the range of ``ns``."""
    n0 = ns[0]
    lo, hi = min(ns), max(ns)
    for slope, style in ((1, ":"), (2, "--")):
        ax.plot([lo, hi], [s0 * (lo / n0) ** slope, s0 * (hi / n0) ** slope],
                linestyle=style, color="gray", label=f"slope {slope} (∝ n^{slope})")


def _log_n_axes(ax, ns: list, title: str) -> None:
    """Log-log axes with a tick at every ``n``, the labels, the title and the legend."""
    ax.set_xscale("log")
    ax.set_yscale("log")
    from matplotlib.ticker import NullFormatter
    ax.xaxis.set_minor_formatter(NullFormatter())  # minor labels (3×10¹, 4×10¹) overlap
    ax.set_xticks(sorted(set(ns)))
    ax.set_xticklabels([str(n) for n in sorted(set(ns))])
    ax.set_xlabel("n (inputs)")
    ax.set_ylabel("gates")
    ax.set_title(title)
    ax.legend()


def save_figure(fig, p: Path, who: str = "plot_scaling") -> None:
    """Write a plot's figure to ``p`` (.png, .svg or .pdf), creating its folders; one CircuitError
    naming ``who`` (the plotting function) for another suffix or a path that cannot be written."""
    if p.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise CircuitError(f"{who} writes .png, .svg or .pdf files, not {p.name!r}")
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(p)
    except OSError as exc:  # a folder of that name, no permission...
        raise CircuitError(f"cannot write {str(p)!r}: {exc.strerror or exc}") from None
