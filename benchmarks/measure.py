"""Measurements: wall time, peak resident memory, operation counts, the networkx floor.

Memory is the **peak resident set size (RSS)** of the process, read from
``/proc/self/status`` (``VmHWM``) after resetting the high-water mark through
``/proc/self/clear_refs``; freed heap is returned to the system first
(``malloc_trim``) so earlier steps do not hide the growth.  Where that reset is
not possible the peak is taken with :mod:`tracemalloc` in a second run (Python
allocations only); :func:`memory_method` says which is in use.
"""

from __future__ import annotations

import ctypes
import gc
import time
import tracemalloc

import networkx as nx

import circuits

__all__ = ["timed", "peak_memory", "memory_method", "binary_ops", "nx_floor", "edge_list"]

_LIBC = None
try:
    _LIBC = ctypes.CDLL("libc.so.6")
except OSError:  # pragma: no cover - not glibc
    _LIBC = None


def _status(key: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    raise OSError(key)


def _can_reset() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        _status("VmHWM")
        return True
    except OSError:
        return False


_RESET = _can_reset()


def memory_method() -> str:
    """How peak memory is measured here: ``"rss"`` or ``"tracemalloc"``.

    Examples
    --------
    >>> from benchmarks.measure import memory_method
    >>> memory_method() in ("rss", "tracemalloc")
    True
    """
    return "rss" if _RESET else "tracemalloc"


def _settle():
    gc.collect()
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def timed(fn, *args, repeat: int = 1, **kwargs):
    """``(result, seconds)``: the best of ``repeat`` wall-clock runs of ``fn``.

    Examples
    --------
    >>> from benchmarks.measure import timed
    >>> result, seconds = timed(sum, [1, 2, 3])
    >>> result, seconds >= 0
    (6, True)
    """
    best = None
    result = None
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        result = fn(*args, **kwargs)
        t = time.perf_counter() - t0
        best = t if best is None else min(best, t)
    return result, best


def peak_memory(fn, *args, **kwargs):
    """``(result, seconds, peak_bytes, process_peak_bytes)`` of one run of ``fn``.

    ``peak_bytes`` is the growth of the process's peak RSS over its RSS before
    the call (``memory_method() == "rss"``), or tracemalloc's peak of a
    separate traced run; ``process_peak_bytes`` is the process's whole peak
    RSS during the call (``None`` with tracemalloc).  The time is that of the
    untraced run.

    Examples
    --------
    >>> from benchmarks.measure import peak_memory
    >>> result, seconds, peak, whole = peak_memory(lambda: [0] * 1_000_000)
    >>> len(result), peak > 1_000_000
    (1000000, True)
    """
    _settle()
    if _RESET:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        before = _status("VmRSS")
        t0 = time.perf_counter()
        result = fn(*args, **kwargs)
        seconds = time.perf_counter() - t0
        whole = _status("VmHWM")
        return result, seconds, max(whole - before, 0), whole
    t0 = time.perf_counter()
    result = fn(*args, **kwargs)
    seconds = time.perf_counter() - t0
    del result
    _settle()
    tracemalloc.start()
    try:
        result = fn(*args, **kwargs)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, seconds, peak, None


def binary_ops(circuit) -> int:
    """Binary-operation count of a circuit, comparable to instruction/equation counts.

    A gate over ``k`` wires counts ``k − 1`` operations plus one per weight
    other than ±1 (a −1 weight turns an addition into a subtraction, still one
    operation); every gate counts at least one (a unary gate is one
    operation).  Sources count nothing.  This is ``circuits.cost(c, "binary")``
    (:attr:`circuits.analysis.Analysis.binary_ops`).

    Examples
    --------
    >>> import circuits
    >>> from benchmarks.measure import binary_ops
    >>> b = circuits.Builder()
    >>> x, y, z = b.inputs("x y z")
    >>> b.output("f", circuits.sin(2*x - y + z) * x)
    >>> binary_ops(b.build())        # add: 2 + one weight 2; sin: 1; mul: 1
    5
    """
    return circuits.cost(circuit, "binary")


def edge_list(circuit) -> list:
    """The wires of ``circuit`` as ``(u, v, position)`` triples (networkx edge keys)."""
    return [(u, v, k) for v, a in enumerate(circuit.record.args) for k, u in enumerate(a)]


def nx_floor(n_nodes: int, edges: list) -> float:
    """Seconds to bulk-build a :class:`networkx.MultiDiGraph` with these nodes and keyed edges.

    No attributes: this is the least any transform whose output is a networkx
    graph of that size must spend.

    Examples
    --------
    >>> from benchmarks.measure import nx_floor
    >>> nx_floor(3, [(0, 2, 0), (1, 2, 1)]) >= 0
    True
    """
    gc.collect()
    t0 = time.perf_counter()
    g = nx.MultiDiGraph()
    g.add_nodes_from(range(n_nodes))
    g.add_edges_from(edges)
    seconds = time.perf_counter() - t0
    del g
    return seconds
