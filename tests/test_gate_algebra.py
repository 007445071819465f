"""Each gate's declared algebra (monoid, commutes_exactly, degree, growth, selects, homogeneous,
identities, powers) checked against the gate's own evaluation, table-driven over the registry."""

import math
import random
from fractions import Fraction
from functools import reduce

import pytest

from circuits.core.gates import GATES, exact_bits

SAMPLES = [Fraction(-7, 3), Fraction(5, 2), Fraction(1, 3), 2, -3, 7]
ALL = sorted(GATES)


def _points(gate, rng, n=20):
    k = gate.arity if gate.arity is not None else 3
    for _ in range(n):
        args = [rng.choice(SAMPLES) for _ in range(k)]
        for pos in gate.constant_args:
            args[pos] = rng.choice(gate.constants)
        yield args


def _exact_value(gate, args):
    """The gate's exact value on rationals, or None where it is undefined there."""
    try:
        v = gate.num(*args)
    except (ZeroDivisionError, ValueError):
        return None
    return v if isinstance(v, (int, Fraction)) else None


@pytest.mark.parametrize("name", [n for n in ALL if GATES[n].monoid is not None])
def test_a_monoid_folds_like_the_gate(name):
    gate = GATES[name]
    rng = random.Random(1)
    for args in _points(gate, rng):
        weights = tuple(rng.choice((1, -2, Fraction(1, 3))) for _ in args) if gate.weighted else None
        terms = args if weights is None else [w * u for w, u in zip(weights, args)]
        expected = reduce(gate.monoid.combine, terms, gate.monoid.identity)
        got = gate.num(*args, weights=weights) if gate.weighted else gate.num(*args)
        assert got == expected
        assert eval(f" {gate.monoid.operator} ".join(map(repr, terms)), {"Fraction": Fraction}) == expected


@pytest.mark.parametrize("name", [n for n in ALL if GATES[n].commutes_exactly])
def test_commutes_exactly_even_with_nan(name):
    gate = GATES[name]
    for u, v in [(1.0, math.nan), (math.nan, 2.0), (-0.0, 0.0), (math.inf, -math.inf), (3.0, 0.5)]:
        a, b = gate.num(u, v), gate.num(v, u)
        assert (a == b or (a != a and b != b)) and math.copysign(1, a) == math.copysign(1, b)


@pytest.mark.parametrize("name", [n for n in ALL if GATES[n].exact])
def test_growth_bounds_the_bits_of_exact_results(name):
    gate = GATES[name]
    for args in _points(gate, random.Random(2)):
        v = _exact_value(gate, args)
        if v is None or gate.growth is None:
            continue
        # an estimate at most a bit per factor short (u**k has (bits(u) - 1)·k to bits(u)·k bits)
        constants = [args[k] for k in gate.constant_args]
        factors = gate.degree_of(constants) * (len(args) - len(constants))
        assert exact_bits(v) <= gate.result_bits(args) + factors, (args, v)


@pytest.mark.parametrize("name", [n for n in ALL if GATES[n].exact])
def test_degree_bounds_the_magnitude(name):
    gate = GATES[name]
    rng = random.Random(3)
    for args in _points(gate, rng):
        v = _exact_value(gate, args)
        if v is None or gate.selects:
            continue
        free = [a for k, a in enumerate(args) if k not in gate.constant_args]
        if any(abs(a) < 1 for a in free):
            continue  # the bound is for magnitudes at least 1 (a reciprocal of a small number grows)
        constants = [args[k] for k in gate.constant_args]
        bound = math.prod(max(abs(a), 1) for a in free) ** gate.degree_of(constants) * len(free)
        assert abs(v) <= bound, (args, v)


@pytest.mark.parametrize("name", [n for n in ALL if GATES[n].selects])
def test_a_selecting_gate_returns_an_argument_or_a_small_integer(name):
    gate = GATES[name]
    for args in _points(gate, random.Random(4)):
        v = gate.num(*args)
        assert v in args or -v in args or v in (-1, 0, 1), (args, v)
        assert abs(v) <= max(max(abs(a) for a in args), 1)


@pytest.mark.parametrize("name", [n for n in ALL if GATES[n].powers])
def test_special_powers_are_their_gates(name):
    gate = GATES[name]
    for k, other in gate.powers.items():
        for u in SAMPLES:
            assert GATES[other].num(u) == gate.num(u, k)


@pytest.mark.parametrize("name", [n for n in ALL if GATES[n].homogeneous])
def test_homogeneous_gates_move_constant_factors_out(name):
    gate = GATES[name]
    for args in _points(gate, random.Random(5)):
        c = Fraction(3, 2)
        scaled = [c * a if k not in gate.constant_args else a for k, a in enumerate(args)]
        v, w = _exact_value(gate, args), _exact_value(gate, scaled)
        if v is None or w is None or v == 0:
            continue
        ratio = w / v
        power = round(math.log(abs(ratio)) / math.log(c))
        assert ratio == c ** power


def test_identities_hold():
    for _name, gate in GATES.items():
        ids = gate.identities
        for u in map(Fraction, SAMPLES):
            for v in map(Fraction, SAMPLES):
                if "quotient" in ids:  # u · inverse(v) = quotient(u, v)
                    assert gate.num(u, GATES[ids["inverse"]].num(v)) == GATES[ids["quotient"]].num(u, v)
                elif "inverse" in ids:  # quotient(u, c) = u · inverse(c)
                    assert gate.num(u, v) == u * GATES[ids["inverse"]].num(v)
            if "product" in ids:  # square(u) = product(u, u)
                assert gate.num(u) == GATES[ids["product"]].num(*[u] * gate.degree_of())
