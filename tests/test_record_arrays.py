"""The record as arrays: WeightMap and NodeMap against plain dicts, and circuits that keep arrays."""

import random
from fractions import Fraction

import numpy as np
import pytest

import circuits
from circuits import library
from circuits.core.arrays import NodeMap, WeightMap, keep_nodes, needed_nodes, arrays_of


@pytest.mark.parametrize("numbers", [
    [2, -1, 3],                               # ints: an int64 array
    [0.5, -2.0, 1e300],                       # floats: a float64 array
    [2, 0.5, Fraction(1, 3)],                 # mixed: the numbers themselves
    [2**70, -1],                              # an int beyond int64: the numbers themselves
])
def test_weight_map_is_a_dict_of_tuples(numbers):
    rng = random.Random(len(numbers))
    pairs = {}
    for node in rng.sample(range(100), 12):
        pairs[node] = tuple(rng.choice(numbers) for _ in range(rng.randint(1, 4)))
    w = WeightMap.of(pairs)
    assert dict(w) == pairs and w == pairs and len(w) == len(pairs)
    for node, row in pairs.items():
        assert w[node] == row and [type(x) for x in w[node]] == [type(x) for x in row]
    assert list(w) == sorted(pairs) and [r for _, r in w.items()] == [pairs[v] for v in sorted(pairs)]
    with pytest.raises(KeyError):
        w[1000]
    with pytest.raises(KeyError):
        w["a"]
    mask = np.zeros(100, bool)
    mask[::2] = True
    new = np.cumsum(mask) - 1
    kept = w.kept(mask, new)
    assert dict(kept) == {int(new[v]): r for v, r in pairs.items() if mask[v]}
    bulk = w.array()
    assert bulk is None or (bulk.tolist() == w.flat() and not bulk.flags.writeable)


def test_node_map_is_a_dict_of_ints():
    pairs = {9: 1, 2: 0, 5: 5}
    m = NodeMap(list(pairs), list(pairs.values()))
    assert m == pairs and dict(m.items()) == pairs and list(m) == [2, 5, 9] and m.get(3) is None
    keys, values = m.arrays()
    with pytest.raises(ValueError):
        keys[0] = 7  # read-only views


@pytest.mark.parametrize("n", [300, 5000])  # below and above needed_nodes' counting threshold
def test_keep_nodes_and_needed_nodes_agree_with_tuples(n):
    rec = library.random_circuit(3, n, seed=5).record
    roots = [n // 2, n // 3]  # two inner nodes: what lies above them, and their unused parts, are dead
    a = arrays_of(rec.ops, rec.args, rec.params)
    live = needed_nodes(rec.args, roots)
    assert live is not None and live.count(0) > n // 3 and needed_nodes(a, roots) == live
    kept, new = keep_nodes(a, live)
    # the tuples, compacted by hand: the kept nodes in order, their arguments renumbered
    ids = [v for v in range(len(rec.ops)) if live[v]]
    renumber = {v: k for k, v in enumerate(ids)}
    assert [kept.op_names[k] for k in kept.codes] == [rec.ops[v] for v in ids]
    rows = [tuple(kept.argflat[kept.argptr[k]:kept.argptr[k + 1]].tolist()) for k in range(len(ids))]
    assert rows == [tuple(renumber[u] for u in rec.args[v]) for v in ids]
    assert [new[v] for v in ids] == list(range(len(ids)))
    assert dict(kept.weights) == {renumber[v]: rec.params[v] for v in ids if rec.params[v] is not None}


def test_a_built_circuit_keeps_arrays_and_matches_its_tuples():
    b = circuits.Builder()
    x, y = b.inputs("x y")
    b.output("f", circuits.sin(2 * x - y / 3) * x)
    c = b.build()
    a = c.arrays
    assert [a.op_names[k] for k in a.codes] == list(c.record.ops)
    assert [tuple(a.argflat[a.argptr[i]:a.argptr[i + 1]].tolist()) for i in range(len(c))] == list(c.record.args)
    assert {i: w for i, w in enumerate(c.record.params) if w is not None} == dict(a.weights)
    assert c.evaluate(x=0.7, y=3.0) == {"f": circuits.parse("sin(2*x - y/3)*x").evaluate(x=0.7, y=3.0)["f"]}


def test_builder_remove_moves_arguments_and_weights():
    b = circuits.Builder()
    x, y = b.input_node("x"), b.input_node("y")
    dead = b.gate("cos", x)
    s = b.gate("add", x, y, weights=(2, Fraction(1, 2)))
    b.remove(dead, dead + 1)
    assert b.op(2) == "add" and b.args(2) == (0, 1) and b.params(2) == (2, Fraction(1, 2))
    with pytest.raises(circuits.CircuitError, match="uses one of the removed nodes"):
        b.remove(0, 1)
    assert s == 3 and len(b) == 3


@pytest.mark.parametrize("call", [
    lambda b: b.op(7), lambda b: b.op(-1), lambda b: b.args(True), lambda b: b.args("x"),
    lambda b: b.arguments_from(-1), lambda b: b.arguments_from(9), lambda b: b.remove(1, 0),
    lambda b: b.remove(0, 9), lambda b: b.remove("a", 1),
])
def test_builder_node_reads_refuse_what_is_not_a_node(call):
    b = circuits.Builder()
    b.gate("sin", b.input_node("x"))
    with pytest.raises(circuits.CircuitError, match="node"):
        call(b)
    assert b.op(np.int64(1)) == "sin" and b.args(np.int32(1)) == (0,)  # numpy ints are node ids too


@pytest.mark.parametrize("compiled", [True, False])
def test_a_large_backward_gives_the_heaps_free_pages_back(monkeypatch, compiled):
    """From GIVE_BACK_FROM nodes of the gradient on (by either sweep), backward ends with
    give_back_memory; a small gradient does not pay for the call."""
    import importlib
    bw = importlib.import_module("circuits.ad.backward")  # (the module: the package exports the function)
    calls, built = [], []
    monkeypatch.setattr(bw, "give_back_memory", lambda: calls.append(1) or True)
    monkeypatch.setattr(bw, "GIVE_BACK_FROM", 200)
    fast = bw.fast_gradient

    def fast_gradient(*args, **kwargs):  # which sweep built the gradient
        g = fast(*args, **kwargs) if compiled else None
        built.append(g is not None)
        return g

    monkeypatch.setattr(bw, "fast_gradient", fast_gradient)
    circuits.backward(circuits.parse("x * y + sin(x)"))
    assert calls == []
    big = library.random_circuit(4, bw.COMPILED_FROM, seed=2)  # (the compiled sweep's size)
    g = circuits.backward(big)
    assert len(g) >= 200 and calls == [1]
    no_kernel = importlib.import_module("circuits.ad.fast_backward").kernel() is None  # (numba off)
    assert built == [compiled and not no_kernel]


def test_give_back_memory_calls_malloc_trim_where_glibc_has_it():
    import platform
    from circuits.core.arrays import give_back_memory
    assert give_back_memory() is (platform.libc_ver()[0] == "glibc")
