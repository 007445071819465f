"""The record as arrays: op codes, arguments in compressed-row form, sparse wire weights.

Every circuit the :class:`~circuits.core.builder.Builder` or the compiled backward sweep makes
keeps them and makes the tuples of :class:`circuits.core.circuit.Record` only when a pass asks
for them; a pass that reads arrays (:attr:`Circuit.arrays`) never pays for tuples.  An array
record takes 2 bytes per node for the op, 8 for the row pointer and 4 or 8 per wire
(``python -m benchmarks --memory`` measures a built random circuit at under 30 bytes per
gate, where its tuples took about 400).
"""

from __future__ import annotations

import ctypes
import gc
from contextlib import contextmanager
from functools import lru_cache
from itertools import chain, compress, repeat
from operator import itemgetter
from collections.abc import ItemsView, Mapping
from typing import Iterable, NamedTuple, Optional

import numpy as np

__all__ = ["RecordArrays", "arrays_of", "tuples_of", "split", "pick", "gc_young_only", "give_back_memory",
           "GIVE_BACK_FROM", "needed_nodes",
           "keep_nodes", "NodeMap", "WeightMap", "index_type"]


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
    weights : WeightMap
        Node → its wire weights (a tuple), for the nodes whose weights are given (``params``
        not None); kept as arrays.

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
    weights: "WeightMap"


def index_type(n: int):
    """The integer type of node ids below ``n``: int32, or int64 from 2**31 nodes on."""
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
    flat = np.fromiter(chain.from_iterable(args), index_type(n), int(argptr[-1]))
    weights = WeightMap.of({i: w for i, w in enumerate(params) if w is not None} if any(params) else {})
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


#: Below this many rows, :func:`split` slices in Python.
_SPLIT_FROM = 256


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
    if len(lengths) < _SPLIT_FROM:  # a few rows: plain slices cost less than numpy's calls
        it = flat.tolist() if isinstance(flat, np.ndarray) else flat
        rows, at = [], 0
        for k in (lengths.tolist() if isinstance(lengths, np.ndarray) else lengths):
            rows.append(tuple(it[at:at + k]))
            at += k
        return rows
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


#: From this many nodes of its result on, a transform ends with :func:`give_back_memory` (a call
#: costs about 7 ms after a 10**6-gate backward, whose sweep takes a second).
GIVE_BACK_FROM = 1 << 17


@lru_cache(maxsize=None)
def _malloc_trim():
    """glibc's ``malloc_trim`` or None (musl, macOS, Windows: nothing to call)."""
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError, TypeError):
        return None


def give_back_memory() -> bool:
    """Give the C heap's free pages back to the system (glibc's ``malloc_trim(0)``).

    glibc serves a large array with its own ``mmap`` and unmaps it when it is
    freed, but then raises the size from which it does so to that array's
    (up to 32 MiB): the smaller temporaries that a large transform makes
    next come from the heap, and once freed under the result's arrays they
    stay in the process's resident set.  After the backward of a 10**6-gate
    random circuit they held 45 bytes per gate more than the gradient itself
    (80 against 35, ``python -m benchmarks --memory``).  The process would
    reuse them; a user who does something else with the memory would not.
    Only free pages are returned, so nothing changes but the resident set.

    Returns
    -------
    bool
        False where the C library has no ``malloc_trim`` (nothing done).

    Examples
    --------
    >>> import platform
    >>> give_back_memory() == (platform.libc_ver()[0] == "glibc")
    True
    """
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


#: From this many nodes on, :func:`needed_nodes` counts uses with numpy instead of marking in Python.
_COUNT_FROM = 2048


def needed_nodes(args, roots) -> Optional[bytearray]:
    r"""Marks (1 = needed) of the nodes that ``roots`` depend on, or None when all are needed.

    ``args`` is a record's argument tuples or its :class:`RecordArrays`.  A
    node nothing uses is not needed, nor is, in turn, a node whose every use
    is by nodes not needed: counting the uses at C speed and walking only the
    unneeded nodes costs far less than marking every node in Python when, as
    in a derivative circuit, nearly every node is needed.

    Examples
    --------
    >>> needed_nodes([(), (0,), (0,), (1, 1)], [3]), needed_nodes([(), (0,)], [1]) is None
    (bytearray(b'\x01\x01\x00\x01'), True)
    >>> needed_nodes(arrays_of(["input", "sin", "cos"], [(), (0,), (0,)], [None] * 3), [2])
    bytearray(b'\x01\x00\x01')
    """
    if isinstance(args, RecordArrays):
        n = len(args.codes)
        if n < _COUNT_FROM:
            return needed_nodes(split(args.argflat, np.diff(args.argptr)), roots)
        ptr, flat = args.argptr, args.argflat

        def args_of(v):
            return flat[ptr[v]:ptr[v + 1]].tolist()
        counts = np.bincount(flat, minlength=n)
    else:
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
        args_of = args.__getitem__
        counts = np.bincount(np.fromiter(chain.from_iterable(args), dtype=np.intp), minlength=n)
    counts[list(roots)] += 1  # the roots are used from outside
    unused = np.flatnonzero(counts == 0).tolist()
    if not unused:
        return None
    uses = counts.tolist()
    live = bytearray(b"\x01") * n
    while unused:
        v = unused.pop()
        live[v] = 0
        for u in args_of(v):
            uses[u] -= 1
            if not uses[u]:
                unused.append(u)
    return live


def keep_nodes(arrays: RecordArrays, live) -> tuple:
    r"""The record of the nodes marked in ``live``, renumbered in order, and the new id of every node.

    Returns ``(kept, new)``: ``kept`` the :class:`RecordArrays` of the marked
    nodes, ``new[v]`` the id node ``v`` gets (meaningful where ``v`` is kept).
    No kept node may use a node that is not kept.

    Examples
    --------
    >>> a = arrays_of(["input", "sin", "cos"], [(), (0,), (0,)], [None] * 3)
    >>> kept, new = keep_nodes(a, bytearray(b"\x01\x00\x01"))
    >>> kept.codes.tolist(), kept.argflat.tolist(), new.tolist()
    ([0, 2], [0], [0, 0, 1])
    """
    mask = np.frombuffer(live, np.uint8) if isinstance(live, (bytes, bytearray)) else np.asarray(live)
    mask = mask if mask.dtype == np.bool_ else mask != 0
    new = np.cumsum(mask, dtype=np.int64)
    new -= 1
    keep = np.flatnonzero(mask)
    lengths = np.diff(arrays.argptr)
    argflat = arrays.argflat[:int(arrays.argptr[-1])][np.repeat(mask, lengths)]  # the kept nodes' wires
    lengths = lengths[keep]
    argptr = np.zeros(len(keep) + 1, np.int64)
    np.cumsum(lengths, out=argptr[1:])
    del lengths
    argflat = np.take(new, argflat, out=argflat if argflat.dtype == np.int64 else None, mode="clip")
    argflat = argflat.astype(index_type(len(keep)), copy=False)
    weights = arrays.weights.kept(mask, new)
    return RecordArrays(arrays.op_names, arrays.codes[keep], argptr, argflat, weights), new


class _ByNode(Mapping):
    """A read-only mapping keyed by node ids, kept in increasing order in an int64 array ``nodes``."""

    __slots__ = ("nodes",)
    nodes: np.ndarray

    def _position(self, node) -> int:
        """Where ``node`` is in ``nodes``; KeyError when it is not there."""
        i = int(np.searchsorted(self.nodes, node)) if isinstance(node, (int, np.integer)) else -1
        if 0 <= i < len(self.nodes) and self.nodes[i] == node:
            return i
        raise KeyError(node)

    def __iter__(self):
        return iter(self.nodes.tolist())

    def __len__(self) -> int:
        return len(self.nodes)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict(self.items())!r})"


class NodeMap(_ByNode):
    """A read-only ``{node: node}`` mapping kept as two integer arrays (a backward circuit's
    ``meta["adjoint_of"]``): 16 bytes a pair, where a dict takes over 100.

    Examples
    --------
    >>> m = NodeMap([7, 3], [2, 0])
    >>> m[3], dict(m), 5 in m, len(m)
    (0, {3: 0, 7: 2}, False, 2)
    """

    __slots__ = ("_values",)

    def __init__(self, keys, values):
        keys = np.asarray(keys, np.int64)
        order = np.argsort(keys, kind="stable")
        self.nodes = keys[order]
        self._values = np.asarray(values, np.int64)[order]

    def __getitem__(self, key):
        return int(self._values[self._position(key)])

    def items(self):
        """The ``(node, node)`` pairs, in node order."""
        return _NodeItems(self)

    def kept(self, mask, new) -> "NodeMap":
        """The pairs whose both nodes are marked in ``mask`` (a bool array over all nodes), renumbered
        by ``new``.

        Examples
        --------
        >>> dict(NodeMap([3, 4], [1, 2]).kept(np.array([1, 1, 0, 1, 1], bool), np.array([0, 1, 1, 2, 3])))
        {2: 1}
        """
        both = mask[self.nodes] & mask[self._values]
        return NodeMap(new[self.nodes[both]], new[self._values[both]])

    def arrays(self) -> tuple:
        """The keys and their values as two int64 arrays, in key order (read-only views)."""
        keys, values = self.nodes.view(), self._values.view()
        keys.flags.writeable = values.flags.writeable = False
        return keys, values


class _NodeItems(ItemsView):
    def __iter__(self):
        keys, values = self._mapping.arrays()
        return zip(keys.tolist(), values.tolist())


class WeightMap(_ByNode):
    """A read-only ``{node: wire weights}`` mapping kept as arrays (``RecordArrays.weights``).

    The weighted nodes in increasing order (``nodes``), a row pointer into
    the weights of all of them, one after the other (``ptr``), and those
    weights: an int64 array when all are ints that fit, a float64 array when
    all are floats, else a tuple of the numbers themselves.  Reading a node
    gives back the numbers of the types they were given with.

    Examples
    --------
    >>> w = WeightMap.of({7: (2, -1), 3: (1, 1, 5)})
    >>> w[7], w.nodes.tolist(), w.ptr.tolist(), w.flat()
    ((2, -1), [3, 7], [0, 3, 5], [1, 1, 5, 2, -1])
    >>> dict(w) == {3: (1, 1, 5), 7: (2, -1)}, 4 in w, len(WeightMap.of({}))
    (True, False, 0)
    """

    __slots__ = ("ptr", "_values")

    def __init__(self, nodes, ptr, values):
        self.nodes = np.asarray(nodes, np.int64)
        self.ptr = np.asarray(ptr, np.int64)
        self._values = _packed(values)

    @classmethod
    def of(cls, weights: Mapping) -> "WeightMap":
        """The map of a ``{node: tuple of weights}`` mapping."""
        if isinstance(weights, WeightMap):
            return weights
        if not weights:
            return cls(_NO_NODES, _NO_ROWS, _NO_NODES)
        nodes = list(weights)
        rows = list(weights.values())
        if any(a > b for a, b in zip(nodes, nodes[1:])):
            order = sorted(range(len(nodes)), key=nodes.__getitem__)
            nodes, rows = [nodes[i] for i in order], [rows[i] for i in order]
        ptr = np.zeros(len(rows) + 1, np.int64)
        np.cumsum(np.fromiter(map(len, rows), np.int64, len(rows)), out=ptr[1:])
        return cls(nodes, ptr, list(chain.from_iterable(rows)))

    def flat(self) -> list:
        """Every weight, node after node, as a list of Python numbers."""
        v = self._values
        return v.tolist() if isinstance(v, np.ndarray) else list(v)

    def array(self) -> Optional[np.ndarray]:
        """Every weight, node after node, as an int64 or float64 array (read-only), or None when they are
        not all ints, or not all floats (then :meth:`flat` has them)."""
        v = self._values
        if not isinstance(v, np.ndarray):
            return None
        view = v.view()
        view.flags.writeable = False
        return view

    def starts(self, argptr: np.ndarray) -> Optional[np.ndarray]:
        """Per node of a record with argument pointers ``argptr``: where its weights start in
        :meth:`flat` (-1 where it has none); None unless each weighted node has one weight per
        argument.  Kernels read node ``v``'s weight of argument ``j`` at ``starts[v] + j``.

        Examples
        --------
        >>> WeightMap.of({1: (2, 3)}).starts(np.array([0, 0, 2])).tolist()
        [-1, 0]
        >>> WeightMap.of({1: (2,)}).starts(np.array([0, 0, 2])) is None
        True
        """
        nodes = self.nodes
        if not np.array_equal(np.diff(self.ptr), argptr[nodes + 1] - argptr[nodes]):
            return None
        starts = np.full(len(argptr) - 1, -1, np.int64)
        starts[nodes] = self.ptr[:-1]
        return starts

    def kept(self, mask, new) -> "WeightMap":
        """The weights of the nodes where ``mask`` (a bool array over all nodes) is set, renumbered by ``new``."""
        if not len(self.nodes):
            return self
        keep = mask[self.nodes]
        lengths = np.diff(self.ptr)
        wires = np.repeat(keep, lengths)
        ptr = np.zeros(int(keep.sum()) + 1, np.int64)
        np.cumsum(lengths[keep], out=ptr[1:])
        v = self._values
        values = v[wires] if isinstance(v, np.ndarray) else tuple(compress(v, wires.tolist()))
        return WeightMap(new[self.nodes[keep]], ptr, values)

    def __getitem__(self, node):
        i = self._position(node)
        row = self._values[int(self.ptr[i]):int(self.ptr[i + 1])]
        return tuple(row.tolist()) if isinstance(row, np.ndarray) else row

    def items(self):
        """The ``(node, weights)`` pairs, in node order."""
        return _WeightItems(self)


_NO_NODES = np.zeros(0, np.int64)
_NO_ROWS = np.zeros(1, np.int64)
_NO_NODES.flags.writeable = _NO_ROWS.flags.writeable = False


class _WeightItems(ItemsView):
    def __iter__(self):
        m = self._mapping
        return zip(m.nodes.tolist(), split(m.flat(), np.diff(m.ptr)))


def _packed(values):
    """``values`` (numbers) as an int64 or float64 array when they all are ints or floats, else a tuple."""
    if isinstance(values, np.ndarray) and values.dtype != object:
        return values
    values = list(values)
    types = set(map(type, values))
    if types == {float}:
        return np.array(values, np.float64)
    if types <= {int}:
        try:
            return np.array(values, np.int64)
        except OverflowError:
            pass
    return tuple(values)
