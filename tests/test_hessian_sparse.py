"""Sparse Hessians: the structural pattern against sympy, symmetric colourings against brute force
and the standard patterns' known colour counts, ``hessian(c, sparse=True)`` against the dense Hessian."""

import itertools
import random

import pytest
import sympy

import circuits
from circuits import library
from circuits.analysis import bounds
from circuits.ad.symmetric_colouring import (distance2_colouring, is_acyclic_colouring, is_star_colouring)
from circuits.ad.hessian_pattern import interaction_pairs, lower_entries
from circuits.core.gates import GATES
from circuits.library import mgh


# --- patterns ------------------------------------------------------------------------------------

def banded(n, b):
    return {f"x{i}": [f"x{j}" for j in range(max(0, i - b), min(n, i + b + 1))] for i in range(n)}


def grid(m):
    """The 5-point Laplacian on an m×m grid."""
    pattern = {}
    for i, j in itertools.product(range(m), repeat=2):
        near = [(i + di, j + dj) for di, dj in ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1))
                if 0 <= i + di < m and 0 <= j + dj < m]
        pattern[f"g{i}_{j}"] = [f"g{a}_{b}" for a, b in sorted(near)]
    return pattern


def block_diagonal(n, k):
    return {f"x{i}": [f"x{j}" for j in range(i - i % k, min(n, i - i % k + k))] for i in range(n)}


def arrowhead(n):
    """f = x0·(x1 + ... + xn) + Σ cos(xi): a dense first row and column and the diagonal."""
    b = circuits.Builder()
    xs = b.inputs([f"x{i}" for i in range(n + 1)])
    b.output("f", xs[0] * circuits.sum_of(xs[1:]) + circuits.sum_of([circuits.cos(x) for x in xs]))
    return b.build()


def laplacian_energy(m):
    """Σ over grid edges of (u_p − u_q)² + Σ sin(u_p): the 5-point pattern."""
    b = circuits.Builder()
    u = {(i, j): b.input(f"g{i}_{j}") for i, j in itertools.product(range(m), repeat=2)}
    terms = [circuits.sin(v) for v in u.values()]
    for (i, j), v in u.items():
        for q in ((i + 1, j), (i, j + 1)):
            if q in u:
                terms.append((v - u[q]) ** 2)
    b.output("f", circuits.sum_of(terms))
    return b.build()


def sympy_pattern(circuit):
    """Which second partials sympy finds nonzero (Dirac deltas of kinks count as zero, as in the package)."""
    names = list(circuit.inputs)
    xs = [sympy.Symbol(x, real=True) for x in names]
    e = circuits.to_sympy(circuit)[next(iter(circuit.outputs))].subs(
        {sympy.Symbol(x): s for x, s in zip(names, xs)})
    return {x: [names[j] for j in range(len(xs))
                if sympy.diff(e, xs[i], xs[j]).replace(sympy.DiracDelta, lambda *a: 0) != 0]
            for i, x in enumerate(names)}


def contains(big, small):
    return all(set(small[x]) <= set(big[x]) for x in small)


def brute_chromatic(pattern, check):
    names = list(pattern)
    for k in range(1, len(names) + 1):
        for colours in itertools.product(range(k), repeat=len(names) - 1):
            if check(pattern, dict(zip(names, (0,) + colours))):
                return k


# --- the registry's declarations -----------------------------------------------------------------

@pytest.mark.parametrize("op", sorted(GATES))
def test_each_gates_interaction_against_sympy(op):
    """A gate's declared second partials: nonzero exactly where sympy's are (pow by its exponent)."""
    gate = GATES[op]
    k = gate.arity or 3
    us = sympy.symbols(f"u0:{k}", real=True, positive=gate.domain is not None or None)
    exponents = gate.constants or (None,)
    for e in exponents:
        args = list(us)
        constants = ()
        if gate.constant_args:
            args[gate.constant_args[0]] = sympy.Integer(e)
            constants = (e,)
        value = gate.sym(*args, weights=(2,) * k) if gate.weighted else gate.sym(*args)
        want = {(a, b) for a in range(k) for b in range(a, k)
                if not isinstance(args[a], sympy.Integer) and not isinstance(args[b], sympy.Integer)
                and sympy.simplify(sympy.diff(value, args[a], args[b]).replace(sympy.DiracDelta, lambda *x: 0)) != 0}
        assert set(interaction_pairs(op, k, constants)) == want, (op, e)


def test_pow_with_exponent_one_or_zero_has_no_curvature():
    assert interaction_pairs("pow", 2, (1,)) == interaction_pairs("pow", 2, (0,)) == ()


def test_a_user_gate_gets_a_safe_default_and_a_bad_declaration_is_one_clear_error():
    softplus = circuits.Gate("softplus_h", 1, "softplus", formula=lambda m, u: m.log(1 + m.exp(u)),
                             partial=lambda b, args, out, i: (b.gate("sigmoid", args[0]), 1))
    assert softplus.interaction == "all"
    with circuits.registered_gate(softplus):
        f = circuits.parse("softplus_h(x * y) + z")
        assert circuits.hessian_sparsity(f) == {"x": ["x", "y"], "y": ["x", "y"], "z": []}
    bad = circuits.Gate("bad_h", 1, "bad", formula=lambda m, u: u * u,
                        partial=lambda b, args, out, i: (args[0], 2), interaction=((0, 3),))
    with circuits.registered_gate(bad):
        with pytest.raises(circuits.CircuitError, match="interaction must be"):
            circuits.hessian_sparsity(circuits.parse("bad_h(x)"))


# --- the pattern ---------------------------------------------------------------------------------

NAMED = {
    "figure1": library.figure1(),
    "exercise": library.exercise(),
    "backprop_example": library.backprop_example(),
    "arrowhead": arrowhead(5),
    "relu_cross": circuits.parse("relu(x * y) + step(z) * x + abs(z)"),
    "division": circuits.parse("x / (y + z) + w"),
    "rosenbrock": mgh.circuit("rosenbrock"),
    "extended_rosenbrock": mgh.circuit("extended_rosenbrock", n=6),
    "broyden_tridiagonal": mgh.circuit("broyden_tridiagonal", n=6),
    "extended_powell_singular": mgh.circuit("extended_powell_singular", n=8),
    "wood": mgh.circuit("wood"),
    "trigonometric": mgh.circuit("trigonometric", n=4),
}


@pytest.mark.parametrize("name", sorted(NAMED))
def test_pattern_equals_sympys_on_named_functions(name):
    c = NAMED[name]
    assert circuits.hessian_sparsity(c) == sympy_pattern(c)


def _random(seed):
    return library.random_circuit(4, 12, seed=seed)


@pytest.mark.parametrize("seeds", [range(20), pytest.param(range(20, 100), marks=pytest.mark.slow)],
                         ids=["20", "80 more"])
def test_pattern_contains_sympys_on_random_circuits(seeds):
    exact = 0
    for seed in seeds:
        c = _random(seed)
        mine, theirs = circuits.hessian_sparsity(c), sympy_pattern(c)
        assert contains(mine, theirs), seed
        exact += mine == theirs
    # only values that cancel numerically across paths (2·u² − 2·(u² + 1)) are kept as nonzero
    assert exact >= 0.95 * len(seeds)


def test_pattern_is_symmetric_and_matches_the_gradients_jacobian_pattern():
    for seed in range(30):
        c = _random(seed)
        p = circuits.hessian_sparsity(c)
        assert all(x in p[z] for x in p for z in p[x])
        names = list(c.inputs)
        jp = circuits.jacobian_sparsity(circuits.backward(c))
        assert contains(p, {x: jp[f"df/d{x}"] for x in names}), seed


def test_structural_zeros():
    # a product of sums: only the cross block; a linear term and a step add nothing
    f = circuits.parse("(a + b) * (c + d) + 3 * a + step(a * b)")
    assert circuits.hessian_sparsity(f) == {"a": ["c", "d"], "b": ["c", "d"], "c": ["a", "b"], "d": ["a", "b"]}
    # the wires of one + gate from one node add up: 2u − 2u does not depend on u
    b = circuits.Builder()
    x, y = b.inputs("x y")
    s = circuits.sin(x * y)
    b.output_node("f", b.gate("add", s.node, s.node, y.node, weights=(2, -2, 1)))
    assert circuits.hessian_sparsity(b.build()) == {"x": [], "y": []}


def test_hessian_sparsity_errors():
    with pytest.raises(circuits.CircuitError, match="choose one with output"):
        circuits.hessian_sparsity(circuits.trace(lambda x: (x * x, x)))
    with pytest.raises(circuits.CircuitError, match="expects a Circuit"):
        circuits.hessian_sparsity("x * y")


# --- colourings ----------------------------------------------------------------------------------

@pytest.mark.parametrize("n", [2, 3, 10, 100, 400])
def test_arrowhead_needs_two_colours_for_every_n(n):
    p = circuits.hessian_sparsity(arrowhead(n))
    col = circuits.hessian_colouring(p)
    assert col.colours == 2 and is_star_colouring(p, col)


@pytest.mark.parametrize("b", [1, 2, 3, 4])
def test_banded(b):
    """Bandwidth b: star 2b + 1 (optimal, brute force below), acyclic b + 1 (the clique K_{b+1} needs it)."""
    p = banded(40, b)
    star, acyclic = circuits.hessian_colouring(p), circuits.hessian_colouring(p, "acyclic")
    assert is_star_colouring(p, star) and is_acyclic_colouring(p, acyclic)
    assert (star.colours, acyclic.colours) == (2 * b + 1, b + 1)


@pytest.mark.parametrize("b", [1, 2])
def test_banded_counts_are_optimal_by_brute_force(b):
    p = banded(7, b)
    assert brute_chromatic(p, is_star_colouring) == 2 * b + 1
    assert brute_chromatic(p, is_acyclic_colouring) == b + 1


def test_banded_from_a_circuit():
    """Broyden's tridiagonal system: residuals of bandwidth 1, so Σ r_i² has bandwidth 2."""
    f = mgh.circuit("broyden_tridiagonal", n=30)
    p = circuits.hessian_sparsity(f)
    assert p == {x.replace("x", "x_"): [z.replace("x", "x_") for z in row]
                 for x, row in banded(30, 2).items()} or p == {f"x_{i + 1}": [f"x_{j + 1}" for j in range(max(0, i - 2), min(30, i + 3))] for i in range(30)}
    assert circuits.hessian_colouring(f).colours == 5
    assert circuits.hessian_colouring(f, "acyclic").colours == 3


@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_block_diagonal_needs_the_block_size(k):
    p = block_diagonal(30, k)
    assert circuits.hessian_colouring(p).colours == circuits.hessian_colouring(p, "acyclic").colours == k


def test_grid_laplacian():
    """The 5-point stencil: star chromatic number 5 (Fertin, Raspaud and Reed 2004), acyclic 3
    (the greedy finds 4), against 5 to 7 for a greedy distance-2 colouring."""
    f = laplacian_energy(8)
    p = circuits.hessian_sparsity(f)
    assert p == grid(8)
    star, acyclic = circuits.hessian_colouring(p), circuits.hessian_colouring(p, "acyclic")
    assert star.colours == 5 and is_star_colouring(p, star)
    assert 3 <= acyclic.colours <= 4 and is_acyclic_colouring(p, acyclic)
    assert brute_chromatic(grid(3), is_star_colouring) == 4


def test_separable_sums():
    """MGH/CUTEst-style sums of small element functions: the element size, whatever n."""
    for n in (12, 100):
        assert circuits.hessian_colouring(mgh.circuit("extended_rosenbrock", n=n)).colours == 2
        col = circuits.hessian_colouring(mgh.circuit("extended_powell_singular", n=n), "acyclic")
        assert col.colours == 3  # each 4-block is a 4-cycle: 3 colours, acyclic or star


def test_never_more_colours_than_greedy_distance2_and_always_valid():
    rng = random.Random(5)
    for trial in range(60):
        n = rng.randint(2, 14)
        p = {f"v{i}": [f"v{i}"] for i in range(n)}
        for i, j in itertools.combinations(range(n), 2):
            if rng.random() < rng.choice((0.15, 0.3, 0.6)):
                p[f"v{i}"].append(f"v{j}")
                p[f"v{j}"].append(f"v{i}")
        star, acyclic = circuits.hessian_colouring(p), circuits.hessian_colouring(p, "acyclic")
        d2 = distance2_colouring(p)
        assert is_star_colouring(p, star) and is_acyclic_colouring(p, acyclic), trial
        assert acyclic.colours <= star.colours <= d2.colours, trial


def test_colouring_errors():
    with pytest.raises(circuits.CircuitError, match="method must be"):
        circuits.hessian_colouring(banded(4, 1), "greedy")
    with pytest.raises(circuits.CircuitError, match="not a row"):
        circuits.hessian_colouring({"a": ["b"]})
    with pytest.raises(circuits.CircuitError, match="expects a pattern"):
        circuits.hessian_colouring([1, 2])


# --- the sparse Hessian circuit ------------------------------------------------------------------

def _point(circuit, seed):
    rng = random.Random(seed)
    return {x: rng.uniform(-1, 1) for x in circuit.inputs}


def _check_against_dense(c, seed=0, point=None):
    dense = circuits.hessian(c)
    point = point or _point(c, seed)
    want = dense.evaluate(point)
    y = next(iter(c.outputs))
    pattern = circuits.hessian_sparsity(c)
    entries = lower_entries(pattern)
    for method in ("star", "acyclic"):
        h = circuits.hessian(c, sparse=True, method=method)
        got = h.evaluate(point)
        if entries:
            assert len(got) == len(entries)
        for (name, value), (x, z) in zip(got.items(), entries):
            assert name == f"d2{y}/d{x}d{z}"
            assert value == pytest.approx(want[name], rel=1e-9, abs=1e-9), (method, name)
        # every entry left out is zero
        for x, z in itertools.product(c.inputs, repeat=2):
            if z not in pattern[x]:
                assert want[f"d2{y}/d{x}d{z}"] == 0


@pytest.mark.parametrize("seeds", [range(25), pytest.param(range(25, 100), marks=pytest.mark.slow)],
                         ids=["25", "75 more"])
def test_sparse_equals_dense_on_random_circuits(seeds):
    for seed in seeds:
        _check_against_dense(_random(seed), seed)


@pytest.mark.parametrize("name", sorted(NAMED))
def test_sparse_equals_dense_on_named_functions(name):
    c = NAMED[name]
    point = {x: 0.3 + 0.1 * k for k, x in enumerate(c.inputs)}
    _check_against_dense(c, point=point)


def test_sparse_hessian_is_exact_on_fractions():
    from fractions import Fraction
    f = circuits.parse("a * (b + c + d) + b**3 + c**3 + d**3 + a * b * c")
    point = {"a": Fraction(1, 3), "b": Fraction(2, 3), "c": Fraction(5, 7), "d": Fraction(-1, 2)}
    for method in ("star", "acyclic"):
        got = circuits.hessian(f, sparse=True, method=method).evaluate(point)
        assert got == {"d2f/dbda": 1 + point["c"], "d2f/dbdb": 6 * point["b"], "d2f/dcda": 1 + point["b"],
                       "d2f/dcdb": point["a"], "d2f/dcdc": 6 * point["c"], "d2f/ddda": 1,
                       "d2f/dddd": 6 * point["d"]}


def test_sparse_hessian_size_is_linear_and_within_its_bound():
    sizes = []
    for n in (20, 40, 60):
        f = arrowhead(n)
        h = circuits.hessian(f, sparse=True)
        sizes.append(h.size)
        check = bounds.sparse_hessian_size(f)
        assert check.holds and check.details["colours"] == 2, str(check)
    assert sizes[2] - sizes[1] == sizes[1] - sizes[0] > 0  # linear in n: 2 sweeps whatever n is


def test_a_function_without_curvature():
    h = circuits.hessian(circuits.parse("3*x + y"), sparse=True)
    assert h.evaluate(x=1, y=2) == {"d2f/dxdx": 0}
