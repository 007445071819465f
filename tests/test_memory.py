"""Peak memory against hand-computed values and an independent simulation, and schedule against brute
force over every topological order of small circuits."""

import itertools

import pytest

import circuits
from circuits import library
from circuits.analysis.memory import memory_profile, peak_memory, schedule


def simulate(circuit, order):
    """The model written out with sets: inputs held from the start, a value freed after its last use,
    outputs held to the end, constants not counted."""
    rec = circuit.record
    gates = [g for g in range(len(rec.ops)) if rec.args[g]]
    position = {g: t for t, g in enumerate(order)}
    last = {}
    for g in gates:
        for u in rec.args[g]:
            last[u] = max(last.get(u, -1), position[g])
    outputs = set(rec.outputs.values())
    held = set(rec.inputs.values())
    peak = len(held)
    held = {v for v in held if v in outputs or v in last}
    for t, g in enumerate(order):
        held.add(g)
        peak = max(peak, len(held))
        held = {v for v in held if v in outputs or last.get(v, -1) > t}
    return peak


def topological_orders(circuit):
    rec = circuit.record
    gates = [g for g in range(len(rec.ops)) if rec.args[g]]
    for perm in itertools.permutations(gates):
        seen = {v for v in range(len(rec.ops)) if not rec.args[v]}
        ok = True
        for g in perm:
            if not all(u in seen for u in rec.args[g]):
                ok = False
                break
            seen.add(g)
        if ok:
            yield list(perm)


def test_hand_computed_values():
    # a chain: the value and the next one
    assert peak_memory(library.chain(100, "sin")) == 2
    # x stays for every link: x, the product so far and the next one
    assert peak_memory(library.chain(100, "mul")) == 3
    # Figure 1 traced: u1, u1², u2, u2², u3, u3², the sum.  x, y, z stay until u3 is made:
    # x y z u1 | x y z u1 u1² | x y z u1² u2 | x y z u1² u2 u2² | x y z u1² u2² u3 | ... u3² | sum
    assert peak_memory(library.figure1()) == 6
    assert [op for op in library.figure1().record.ops if op not in ("input", "const")] == ["add", "square"] * 3 + ["add"]
    assert memory_profile(library.figure1()) == [4, 5, 5, 6, 6, 4, 4]
    # the backpropagation example circuit: u1 = x1 + x2 | u2 = x1·x2 beside x1, x2, u1 | u3 = u1 + u2 (x1, x2 gone) | u3·u1
    y = library.backprop_example()
    assert y.record.ops[2:] == ("add", "mul", "add", "mul") and y.record.args[4:] == ((2, 3), (2, 4))
    assert memory_profile(y) == [3, 4, 3, 3]
    # an unused input counts at the start only; an output input to the end
    c = circuits.parse("sin(x) + 1", inputs=["x", "unused"])
    assert memory_profile(c) == [2, 2] and peak_memory(c) == 2
    c = circuits.parse("sin(x) + 1 + 0*y")
    assert list(c.inputs) == ["x", "y"] and peak_memory(c) == 2
    # backpropagation holds every value of a chain until the reverse sweep reaches it
    assert peak_memory(circuits.backward(library.chain(100, "sin"))) == 101


@pytest.mark.parametrize("seed", range(40))
def test_peak_memory_equals_the_simulation_and_schedule_against_brute_force(seed):
    c = library.random_circuit(3, 2 + seed % 7, seed=seed)  # 2 to 8 gates
    orders = list(topological_orders(c))
    peaks = [peak_memory(c, order) for order in orders]
    assert peaks == [simulate(c, order) for order in orders]
    best = min(peaks)
    mine = peak_memory(c, schedule(c))
    assert best <= mine <= peak_memory(c)
    assert sorted(schedule(c)) == [g for g in range(len(c)) if c.record.args[g]]


def test_schedule_reaches_the_optimum_on_most_small_circuits():
    hits = total = 0
    for seed in range(60):
        c = library.random_circuit(3, 8, seed=100 + seed)
        best = min(peak_memory(c, order) for order in topological_orders(c))
        hits += peak_memory(c, schedule(c)) == best
        total += 1
    assert hits >= 0.9 * total


def test_schedule_interleaves_to_save_memory():
    b = circuits.Builder()
    x = b.input_node("x")
    scaled = [b.gate("add", x, weights=(k,)) for k in range(2, 12)]
    sines = [b.gate("sin", u) for u in scaled]
    total = sines[0]
    for s in sines[1:]:
        total = b.gate("add", total, s)
    b.output_node("f", total)
    c = b.build()
    assert peak_memory(c) == 11 and peak_memory(c, schedule(c)) == 4


def test_deep_circuits_are_fine():
    c = library.chain(100_000, "sin")
    assert peak_memory(c) == 2 and peak_memory(c, schedule(c)) == 2


def test_order_errors():
    c = circuits.parse("sin(x) * y")
    gates = [g for g in range(len(c)) if c.record.args[g]]
    with pytest.raises(circuits.CircuitError, match="before its argument"):
        peak_memory(c, gates[::-1])
    with pytest.raises(circuits.CircuitError, match="leaves out gate"):
        peak_memory(c, gates[:1])
    with pytest.raises(circuits.CircuitError, match="twice"):
        peak_memory(c, gates + gates[:1])
    with pytest.raises(circuits.CircuitError, match="not a node"):
        peak_memory(c, gates + [99])
    with pytest.raises(circuits.CircuitError, match="sequence of node ids"):
        peak_memory(c, 3)
    with pytest.raises(circuits.CircuitError, match="expects a Circuit"):
        peak_memory("x")


def test_analyze_and_compare_show_it():
    f = library.figure1()
    assert circuits.analyze(f).peak_memory == 6
    assert "peak memory" in circuits.analyze(f)._repr_html_()
    t = circuits.compare(f, simplified=False)
    assert [r["memory"] for r in t.rows] == [6, peak_memory(circuits.forward(f)),
                                             peak_memory(circuits.backward(f))]
