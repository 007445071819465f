"""Checkpointed backpropagation: the binomial schedule against Griewank and Walther's closed formula and
a brute-force optimum, the circuits' gradients against backward, their memory against the budget."""

import random
from fractions import Fraction
from functools import lru_cache

import pytest

import circuits
from circuits import library
from circuits.ad.checkpointing import revolve_schedule, revolve_steps, stages
from circuits.analysis.memory import peak_memory


@lru_cache(maxsize=None)
def fewest_steps(l, c):
    """The optimum over every recursive schedule: advance m, reverse the rest with c − 1, then the first m."""
    if l <= 1:
        return 0
    if c == 1:
        return l * (l - 1) // 2
    return min(m + fewest_steps(l - m, c - 1) + fewest_steps(m, c) for m in range(1, l))


def advances(actions):
    return sum(a[2] - a[1] for a in actions if a[0] == "advance")


def check_schedule(actions, l, c):
    """A valid reversal: every step reversed once, last first, from a state that is there; ≤ c snapshots."""
    held, current, reversed_ = {0}, 0, []
    for action in actions:
        kind = action[0]
        if kind == "advance":
            i, j = action[1:]
            assert i in held or i == current, action
            assert i < j
            current = j
        elif kind == "snapshot":
            assert action[1] == current
            held.add(current)
            assert len(held) <= c, f"{len(held)} snapshots held, {c} allowed"
        elif kind == "free":
            held.remove(action[1])
        else:
            k = action[1]
            assert k - 1 in held or k - 1 == current, action
            reversed_.append(k)
            current = None
    assert reversed_ == list(range(l, 0, -1))


def test_closed_formula_against_the_brute_force_optimum():
    for c in range(1, 7):
        for l in range(1, 61):
            assert revolve_steps(l, c) == fewest_steps(l, c), (l, c)


def test_published_values():
    # store every state: l − 1 advances; one snapshot: l(l − 1)/2 (Griewank and Walther 2008, ch. 12)
    assert revolve_steps(1000, 1000) == 999 and revolve_steps(100, 1) == 4950
    # β(c, r) steps with c snapshots are reversed advancing each at most r times
    assert revolve_steps(10, 3) == 2 * 10 - 5  # β(3, 2) = 10 ≥ 10 > β(3, 1) = 4: r = 2, t = 2l − β(4, 1)


L_FAST = sorted(set(range(1, 1001, 37)) | {2, 3, 999, 1000})


@pytest.mark.parametrize("c", range(1, 21))
def test_schedule_advances_the_closed_formula(c):
    for l in L_FAST:
        actions = revolve_schedule(l, c)
        assert advances(actions) == revolve_steps(l, c), (l, c)
        check_schedule(actions, l, c)


@pytest.mark.slow
def test_schedule_advances_the_closed_formula_for_every_l_up_to_1000_and_c_up_to_20():
    for c in range(1, 21):
        for l in range(1, 1001):
            assert advances(revolve_schedule(l, c)) == revolve_steps(l, c), (l, c)


def test_schedule_errors():
    with pytest.raises(circuits.CircuitError, match="snapshots must be an integer >= 1"):
        revolve_schedule(10, 0)
    with pytest.raises(circuits.CircuitError, match="steps must be an integer, got float 2.5"):
        revolve_steps(2.5, 3)
    with pytest.raises(circuits.CircuitError, match="steps must be an integer >= 1"):
        revolve_steps(0, 3)


def _evaluated(g):
    """Gates evaluated on the forward side: first evaluations and recomputations."""
    roles = g.meta["role"]
    return sum(1 for v in range(len(g)) if g.record.args[v] and roles[v] in ("primal", "recomputed"))


@pytest.mark.parametrize("l, c", [(1, 1), (2, 1), (10, 1), (10, 3), (50, 2), (100, 4), (300, 6), (64, 64)])
def test_a_chain_evaluates_exactly_the_optimal_number_of_steps(l, c):
    chain = library.chain(l, "sin")
    g = circuits.checkpoint(chain, snapshots=c)
    assert _evaluated(g) == revolve_steps(l, c)
    recomputed = sum(1 for r in g.meta["role"] if r == "recomputed")
    assert recomputed == revolve_steps(l, c) - revolve_steps(l, l)  # beyond the l − 1 that backward evaluates
    want = circuits.backward(chain).evaluate(x=0.7)
    assert g.evaluate(x=0.7) == want  # the same operations in the same order: the same floats


def test_peak_memory_of_a_chain_grows_with_the_snapshots_not_the_length():
    for l in (50, 400):
        chain = library.chain(l, "sin")
        assert [peak_memory(circuits.checkpoint(chain, snapshots=c)) for c in (1, 2, 4, 8)] == [4, 5, 7, 11]
    assert peak_memory(circuits.backward(library.chain(400, "sin"))) == 401


def test_deep_chains_are_fine():
    g = circuits.checkpoint(library.chain(20_000, "sin"), snapshots=30)
    assert _evaluated(g) == revolve_steps(20_000, 30) and peak_memory(g) < 40


@pytest.mark.parametrize("seed", range(12))
def test_gradients_equal_backwards_on_random_circuits(seed):
    c = library.random_circuit(3, 30, ops=["add", "mul", "square", "div", "recip"], seed=seed)
    point = {x: Fraction(k + 2, 3) for k, x in enumerate(c.inputs)}
    want = circuits.backward(c).evaluate(point)
    parts = len(stages(c))
    for snapshots in sorted({1, 2, 3, parts}):
        assert circuits.checkpoint(c, snapshots=snapshots).evaluate(point) == want, snapshots


def test_gradients_equal_backwards_on_named_circuits():
    for c in (library.rnn(8, 2), library.mlp([3, 4, 2]), library.figure1(), library.chain(4, "exp"), library.chain(30, "tanh"),
              library.exercise()):
        rng = random.Random(1)
        point = {x: rng.uniform(0.2, 0.9) for x in c.inputs}
        want = circuits.backward(c).evaluate(point)
        for snapshots in (1, 3):
            got = circuits.checkpoint(c, snapshots=snapshots).evaluate(point)
            assert got.keys() == want.keys()
            for k in want:
                assert got[k] == pytest.approx(want[k], rel=1e-12, abs=1e-12)


def test_memory_budget_is_never_exceeded():
    rnn = library.rnn(20, 2)
    full = peak_memory(circuits.backward(rnn))
    least = peak_memory(circuits.checkpoint(rnn, snapshots=1))
    sizes = []
    for budget in range(least, full + 1, 12):
        g = circuits.checkpoint(rnn, memory=budget)
        assert peak_memory(g) <= budget
        sizes.append(g.size)
    assert sizes[0] > 5 * sizes[-1]  # less memory, more recomputation
    with pytest.raises(circuits.CircuitError, match=f"give memory >= {least}"):
        circuits.checkpoint(rnn, memory=least - 1)


def test_stages():
    assert stages(library.chain(4, "cos")) == [[1], [2], [3], [4]]
    rnn = library.rnn(5, 2)
    parts = stages(rnn)
    assert sorted(g for p in parts for g in p) == [g for g in range(len(rnn)) if rnn.record.args[g]]
    # a cut at every time step: after each step's second tanh
    tanh = [g for g in range(len(rnn)) if rnn.record.ops[g] == "tanh"]
    ends = {p[-1] for p in parts}
    assert all(t in ends for t in tanh[1::2][:-1])


def test_given_stages_and_their_errors():
    c = library.rnn(4, 1)
    gates = [g for g in range(len(c)) if c.record.args[g]]
    per_step = [gates[:3], gates[3:7], gates[7:11], gates[11:]]
    g = circuits.checkpoint(c, snapshots=2, stages=per_step)
    point = {x: 0.3 for x in c.inputs}
    assert g.evaluate(point) == pytest.approx(circuits.backward(c).evaluate(point))
    with pytest.raises(circuits.CircuitError, match="in no stage"):
        circuits.checkpoint(c, stages=per_step[1:])
    with pytest.raises(circuits.CircuitError, match="before its argument"):
        circuits.checkpoint(c, stages=per_step[::-1])
    with pytest.raises(circuits.CircuitError, match="not a gate"):
        circuits.checkpoint(c, stages=[[0]] + per_step)
    with pytest.raises(circuits.CircuitError, match="not both"):
        circuits.checkpoint(c, memory=100, snapshots=2)
    with pytest.raises(circuits.CircuitError, match=r"memory \(the values held at once\) must be an integer >= 1"):
        circuits.checkpoint(c, memory=0)
    with pytest.raises(circuits.CircuitError, match="choose one with output"):
        circuits.checkpoint(circuits.trace(lambda x: (x * x, x + 1)))


def test_render_colours_recomputed_gates():
    pytest.importorskip("graphviz")
    from circuits.render.draw import COLORS
    g = circuits.checkpoint(library.chain(6, "sin"), snapshots=2)
    source = circuits.render(g).source
    assert COLORS["recomputed"] in source and "recomputed gate" in source
