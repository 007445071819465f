"""The time–memory trade-off of checkpointed backpropagation: size against peak memory.

:func:`tradeoff` builds :func:`circuits.checkpoint` for a range of snapshot
counts and records each circuit's size (gates: time) and
:func:`circuits.peak_memory` (values held at once); :func:`plot_tradeoff`
draws the curves of several circuits, with plain backpropagation as a mark.

Examples
--------
>>> import circuits
>>> from circuits import library
>>> rows = tradeoff(library.chain(50, "sin"), snapshots=[1, 2, 50])
>>> [(r["snapshots"], r["size"], r["memory"]) for r in rows]
[(1, 1324, 4), (2, 384, 5), (50, 148, 51)]
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Mapping, Optional, Sequence

from ..ad import backward, checkpoint
from ..ad.checkpointing import stages
from ..analysis.memory import peak_memory
from ..core.checks import check_count, check_mapping, check_path, check_rows, check_sequence
from ..core.circuit import Circuit, check_circuit
from ..core.errors import CircuitError
from .tables import ScalingTable, pyplot, save_figure

__all__ = ["tradeoff", "plot_tradeoff"]


def tradeoff(circuit: Circuit, snapshots: Optional[Iterable[int]] = None, *,
             output: Optional[str] = None) -> ScalingTable:
    """Size and peak memory of the checkpointed gradient for each number of snapshots.

    Parameters
    ----------
    circuit : Circuit
    snapshots : iterable of int, optional
        Default: 1, 2, 4, ... up to the number of stages, and that number.
    output : str, optional
        The output, when there are several.

    Returns
    -------
    ScalingTable
        One row per count: ``snapshots``, ``size``, ``memory``, and the
        ``backward_size`` and ``backward_memory`` of plain backpropagation.
    """
    check_circuit(circuit, "tradeoff()")
    l = len(stages(circuit))
    if snapshots is None:
        counts, c = [], 1
        while c < l:
            counts.append(c)
            c *= 2
        snapshots = counts + [max(l, 1)]
    snapshots = [check_count(c, "tradeoff(): each number of snapshots", minimum=1)
                 for c in check_sequence(snapshots, "tradeoff(): snapshots")]
    full = backward(circuit, output=output)
    rows = ScalingTable()
    for c in snapshots:
        g = checkpoint(circuit, snapshots=c, output=output)
        rows.append({"snapshots": c, "size": g.size, "memory": peak_memory(g),
                     "backward_size": full.size, "backward_memory": peak_memory(full)})
    return rows


def plot_tradeoff(curves: Mapping[str, Sequence[Mapping]], path=None, *,
                  title: str = "checkpointed backpropagation: time against memory"):
    """Plot size against peak memory for each named list of :func:`tradeoff` rows.

    Each curve is drawn with its points labelled by the number of snapshots,
    and plain backpropagation as a star.  ``path``: where to save
    (``.png``, ``.svg`` or ``.pdf``).  Returns the matplotlib figure.
    """
    plt = pyplot("plot_tradeoff", path)
    curves = {name: check_rows(rows, f"plot_tradeoff: the rows of {name!r}")
              for name, rows in check_mapping(curves, "plot_tradeoff: curves", keys="curve name").items()}
    if not curves or not all(curves.values()):
        raise CircuitError("plot_tradeoff needs {name: rows} with rows from circuits.tradeoff")
    missing = {k for rows in curves.values() for r in rows
               for k in ("snapshots", "size", "memory", "backward_size", "backward_memory") if k not in r}
    if missing:
        raise CircuitError(f"plot_tradeoff: rows lack {sorted(missing)}; give rows from circuits.tradeoff")
    check_path(path, "plot_tradeoff: path")
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    for k, (name, rows) in enumerate(curves.items()):
        colour = f"C{k}"
        ax.plot([r["memory"] for r in rows], [r["size"] for r in rows], "o-", color=colour, label=name)
        for r in rows:
            ax.annotate(str(r["snapshots"]), (r["memory"], r["size"]), fontsize=7, color=colour,
                        xytext=(3, 3), textcoords="offset points")
        ax.plot([rows[0]["backward_memory"]], [rows[0]["backward_size"]], "*", color=colour, markersize=12,
                label=f"{name}: backward")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("peak memory (values held at once)")
    ax.set_ylabel("size (gates)")
    ax.set_title(title)
    ax.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    plt.close(fig)
    if path is not None:
        save_figure(fig, Path(path), "plot_tradeoff")
    return fig
