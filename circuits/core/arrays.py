"""The record as arrays: op codes, arguments in compressed-row form, sparse wire weights.

A circuit built by a transform that works on arrays (the compiled backward sweep) keeps them
and makes the tuples of :class:`circuits.core.circuit.Record` only when a pass asks for them;
a pass that reads arrays (:attr:`Circuit.arrays`) never pays for tuples.  An array record
takes about 2 bytes per node for the op, 8 for the row pointer and 4 or 8 per wire, where
the tuples take over 100 bytes per gate.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from itertools import chain, repeat
from operator import itemgetter
from typing import Iterable, Mapping, NamedTuple, Optional

import numpy as np

__all__ = ["RecordArrays", "arrays_of", "tuples_of", "split", "pick", "gc_young_only", "needed_nodes"]


class RecordArrays(NamedTuple):
    """A circuit's ops, arguments and weights as arrays (``circuit.arrays``).

    Attributes
    ----------
    op_names : tuple of str
        ``op_names[k]`` is the op of code ``k``.
    codes : numpy.ndarray
        Per node, the code of its op (an integer array of length ``n``).
    argptr : numpy.ndarray of int64
        Length ``n + 1``: the arguments of node ``i`` are ``argflat[argptr[i]:argptr[i + 1]]``.
    argflat : numpy.ndarray
        Every node's arguments, in node order (int32, or int64 from 2**31 nodes on).
    weights : mapping
        Node → its wire weights, for the nodes whose weights are given (``params`` not None).

    Examples
    --------
    >>> import circuits
    >>> a = circuits.parse("2*x + sin(y)").arrays
    >>> [a.op_names[k] for k in a.codes], a.argptr.tolist(), a.argflat.tolist(), dict(a.weights)
    (['input', 'input', 'sin', 'add'], [0, 0, 0, 1, 3], [1, 0, 2], {3: (2, 1)})
    """

    op_names: tuple
    codes: np.ndarray
    argptr: np.ndarray
    argflat: np.ndarray
    weights: Mapping[int, tuple]


def _index_type(n: int):
    return np.int32 if n < 2**31 else np.int64


def arrays_of(ops, args, params) -> RecordArrays:
    """The :class:`RecordArrays` of a record's ``ops``, ``args`` and ``params`` sequences."""
    names = tuple(dict.fromkeys(ops))
    code_of = {op: k for k, op in enumerate(names)}
    n = len(ops)
    codes = np.fromiter(map(code_of.__getitem__, ops), np.int16 if len(names) < 2**15 else np.int64, n)
    lengths = np.fromiter(map(len, args), np.int64, n)
    argptr = np.zeros(n + 1, np.int64)
    np.cumsum(lengths, out=argptr[1:])
    flat = np.fromiter(chain.from_iterable(args), _index_type(n), int(argptr[-1]))
    weights = {i: w for i, w in enumerate(params) if w is not None} if any(params) else {}
    return RecordArrays(names, codes, argptr, flat, weights)


def tuples_of(arrays: RecordArrays) -> tuple:
    """``(ops, args, params)`` tuples of :class:`RecordArrays` (what :class:`Record` holds)."""
    n = len(arrays.codes)
    ops = tuple(map(arrays.op_names.__getitem__, arrays.codes.tolist()))
    with gc_young_only():
        args = tuple(split(arrays.argflat, np.diff(arrays.argptr)))
    params: list = [None] * n
    for i, w in arrays.weights.items():
        params[i] = w
    return ops, args, tuple(params)


def split(flat, lengths) -> list:
    """``flat`` (an array or a list) cut into tuples of ``lengths`` (Python ints).

    Made by ``zip`` per length (one generator for lengths over 4), then drawn back in order:
    no Python loop per node.

    Examples
    --------
    >>> split(np.array([5, 6, 7, 8]), np.array([2, 0, 1, 1]))
    [(5, 6), (), (7,), (8,)]
    """
    if not len(lengths):
        return []
    lengths = np.asarray(lengths)
    ends = np.cumsum(lengths)
    starts = ends - lengths
    makers: list[Optional[Iterable[tuple]]] = [None] * 6  # per argument count: the argument tuples
    wide = np.flatnonzero(lengths > 4)
    if wide.size:
        it = flat.tolist() if isinstance(flat, np.ndarray) else flat
        makers[5] = (tuple(it[a:b]) for a, b in zip(starts[wide].tolist(), ends[wide].tolist()))
    sizes = np.minimum(lengths, 5).tolist()
    for k in set(sizes) - {5}:
        at = starts[lengths == k]
        if isinstance(flat, np.ndarray):
            cols = [flat[at + j].tolist() for j in range(k)]
        else:
            cols = [pick(flat, at + j) for j in range(k)]
        makers[k] = zip(*cols) if k else repeat(())
    chosen = itemgetter(*sizes)(makers)
    return list(map(next, chosen if len(sizes) > 1 else (chosen,)))


def pick(seq, at) -> list:
    """``[seq[i] for i in at]`` at C speed (``at`` an integer array)."""
    if len(at) == 1:
        return [seq[int(at[0])]]
    return list(itemgetter(*at.tolist())(seq)) if len(at) else []


@contextmanager
def gc_young_only():
    """Let Python's cycle collector make only its young passes while a transform builds a circuit.

    A transform allocates a tuple per gate and frees nothing until it returns,
    so the collector finds no garbage; its young passes are cheap (and
    untrack tuples of numbers, which speeds what follows), but its older
    passes walk every object alive, up to a third of a large gradient's
    construction time.  The older generations' thresholds are raised for the
    duration and restored on the way out, errors included.

    Examples
    --------
    >>> import gc
    >>> before = gc.get_threshold()
    >>> with gc_young_only():
    ...     gc.get_threshold()[0] == before[0], gc.get_threshold()[1:] >= (1000, 1000)
    (True, True)
    >>> gc.get_threshold() == before
    True
    """
    old = gc.get_threshold()
    gc.set_threshold(old[0], max(old[1], 1000), max(old[2], 1000))
    try:
        yield
    finally:
        gc.set_threshold(*old)


#: From this many nodes on, :func:`needed_nodes` counts uses with numpy instead of marking in Python.
_COUNT_FROM = 2048


def needed_nodes(args, roots) -> Optional[bytearray]:
    r"""Marks (1 = needed) of the nodes that ``roots`` depend on, or None when all are needed.

    A node nothing uses is not needed, nor is, in turn, a node whose every use
    is by nodes not needed: counting the uses at C speed and walking only the
    unneeded nodes costs far less than marking every node in Python when, as
    in a derivative circuit, nearly every node is needed.

    Examples
    --------
    >>> needed_nodes([(), (0,), (0,), (1, 1)], [3]), needed_nodes([(), (0,)], [1]) is None
    (bytearray(b'\x01\x01\x00\x01'), True)
    """
    n = len(args)
    if n < _COUNT_FROM:
        live = bytearray(n)
        for v in roots:
            live[v] = 1
        for i in range(n - 1, -1, -1):
            if live[i]:
                for u in args[i]:
                    live[u] = 1
        return None if live.find(0) < 0 else live
    counts = np.bincount(np.fromiter(chain.from_iterable(args), dtype=np.intp), minlength=n)
    counts[roots] += 1  # the roots are used from outside
    unused = np.flatnonzero(counts == 0).tolist()
    if not unused:
        return None
    uses = counts.tolist()
    live = bytearray(b"\x01") * n
    while unused:
        v = unused.pop()
        live[v] = 0
        for u in args[v]:
            uses[u] -= 1
            if not uses[u]:
                unused.append(u)
    return live
