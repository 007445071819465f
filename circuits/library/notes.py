"""The classic worked examples of backpropagation, as ready circuits.

The classic teaching examples: the sum of squares
(:func:`figure1`), the backpropagation example (:func:`backprop_example`), the
least-squares loss ``‖Ax − b‖²`` (:func:`least_squares`), the perceptron over
the table of students (:func:`perceptron`) and the two circuits for the second
symmetric polynomial σ2 (:func:`sigma2_naive`, :func:`sigma2_fast`).  Also
the exercise function (:func:`exercise`).

Examples
--------
>>> from circuits import library
>>> f = library.figure1()
>>> f.size, f.depth
(7, 3)
>>> library.sigma2_fast(100).size
103
"""

from __future__ import annotations

import numbers
from fractions import Fraction
from typing import Optional, Sequence

import numpy as np

from ..core.builder import Builder, exp, log, square, trace
from ..core.circuit import Circuit
from ..core.errors import CircuitError
from ..core.checks import check_sequence
from ._build import check_int, input_vector, numbers_of, out, total, weighted_sum

__all__ = ["figure1", "backprop_example", "least_squares", "perceptron", "STUDENTS",
           "sigma2_naive", "sigma2_fast", "exercise"]


def figure1() -> Circuit:
    """The sum-of-squares example: the loss (1) below, size 7, depth 3.

    ``f(x, y, z) = (x − 3y − 3z + 5)² + (x − 2y − 2z)² + (x + y − 5z − 3)²``
    with scaled wires into the three ``+`` gates, as drawn by hand:
    size 7, depth 3.

    Returns
    -------
    Circuit
        Inputs ``x, y, z``; output ``f``.

    Examples
    --------
    >>> from circuits import library
    >>> f = library.figure1()
    >>> f.size, f.depth, list(f.inputs)
    (7, 3, ['x', 'y', 'z'])
    >>> f.evaluate(x=1, y=1, z=1)
    {'f': 45}
    """
    def f(x, y, z):
        return (x - 3*y - 3*z + 5)**2 + (x - 2*y - 2*z)**2 + (x + y - 5*z - 3)**2
    return trace(f)


def backprop_example() -> Circuit:
    """The worked example of backpropagation, ``y = (x1 + x2 + x1·x2)(x1 + x2)``.

    ``y(x1, x2) = (x1 + x2 + x1·x2)(x1 + x2)`` built exactly as the hand-drawn
    circuit, with nodes in the topological order ``x1, x2, u1, u2, u3, y``:
    ``u1 = x1 + x2``, ``u2 = x1·x2``, ``u3 = u1 + u2``, ``y = u1·u3``.

    Returns
    -------
    Circuit
        Inputs ``x_1, x_2``; output ``y``; size 4.

    Examples
    --------
    >>> from circuits import library
    >>> c = library.backprop_example()
    >>> c.size, [c.op(v) for v in c.gates()]
    (4, ['add', 'mul', 'add', 'mul'])
    >>> c.evaluate(x_1=1, x_2=2)
    {'y': 15}
    """
    b = Builder()
    x1, x2 = input_vector(b, "x", 2)
    u1 = b.gate("add", x1, x2)
    u2 = b.gate("mul", x1, x2)
    u3 = b.gate("add", u1, u2)
    out(b, "y", b.gate("mul", u1, u3))
    return b.build()


def _random_integers(rng, low, high, shape):
    return rng.integers(low, high + 1, size=shape)


def least_squares(A, b, *, seed: int = 0) -> Circuit:
    """The least-squares loss ``‖Ax − b‖²``, whose gradient is ``2Aᵀ(Ax − b)``.

    Each residual ``(Ax − b)_i`` is one weighted ``+`` gate (the entries of
    ``A`` are wire weights, ``−b_i`` a constant) followed by a ``square`` gate,
    and one ``+`` gate sums the squares: at most ``2m + 1`` gates for ``m`` rows.  The
    classic remark is that backpropagation on this circuit gives
    ``∇ = 2Aᵀ(Ax − b)``.

    Parameters
    ----------
    A : array_like of shape (m, n), or int
        The matrix; an int ``m`` asks for seeded random integer data in
        ``[−5, 5]``, in which case ``b`` is the int ``n``.
    b : array_like of shape (m,), or int
        The right-hand side, or ``n`` when ``A`` is ``m``.
    seed : int
        Seed of the random data (only used for sizes).

    Returns
    -------
    Circuit
        ``f = ‖Ax − b‖²`` of the inputs ``x_1 .. x_n``, of size at most ``2m + 1`` (a residual
        that is one input, or a single square, needs no gate of its own).

    Examples
    --------
    >>> from circuits import library
    >>> c = library.least_squares([[1, 2], [3, 4], [5, 6]], [1, 0, -1])
    >>> c.size, list(c.inputs)
    (7, ['x_1', 'x_2'])
    >>> c.evaluate(x_1=1, x_2=1)   # (3-1)² + 7² + 12²
    {'f': 197}
    >>> library.least_squares(4, 3).size
    9
    >>> library.least_squares([[1, 1]], [5]).size   # one row: no sum of squares
    2
    """
    if isinstance(A, numbers.Integral) and not isinstance(A, bool):
        m = check_int(A, "least_squares: the number of rows m")
        n = check_int(b, "least_squares: the number of columns n")
        rng = np.random.default_rng(seed)
        A = _random_integers(rng, -5, 5, (m, n))
        b = _random_integers(rng, -5, 5, m)
    A = np.asarray(A)
    rhs = np.asarray(b)
    if A.ndim != 2 or rhs.ndim != 1 or rhs.shape[0] != A.shape[0] or A.size == 0:
        raise CircuitError(f"least_squares: A must be m×n and b of length m, got shapes "
                           f"{A.shape} and {rhs.shape}")
    m, n = A.shape
    b_values = numbers_of(rhs, "least_squares: b")
    bld = Builder()
    x = input_vector(bld, "x", n)
    squares = []
    for i in range(m):
        row = numbers_of(A[i], f"least_squares: row {i + 1} of A")
        residual = weighted_sum(bld, x, row, -b_values[i])
        squares.append(bld.gate("square", residual))
    out(bld, "f", total(bld, squares))
    return bld.build()


#: A table of students for the perceptron example: name, homework average
#: x1, project grade x2, weekly hours x3, and whether they got an A (1 or 0).
STUDENTS = (
    ("Alice", 39, 31, 12, 1),
    ("Bob", 45, 11, 3, 0),
    ("Charlie", 43, 25, 6, 1),
    ("Zack", 50, 40, 0, 1),
)


def perceptron(data: Optional[Sequence] = None) -> Circuit:
    """The perceptron's training loss on a table of students.

    ``f = Σ_s (ŷ(s) − σ(w0 + w1·x1(s) + ... + wn·xn(s)))²`` with the logistic
    ``σ`` and the square loss.  The weights are the inputs; the data are
    constants (wire weights).  Per row: one weighted ``+``, one ``σ``, one
    ``+`` for ``σ − ŷ`` when ``ŷ ≠ 0`` and one ``square``; one final ``+``.

    Parameters
    ----------
    data : sequence of rows, optional
        Each row is ``(x1, ..., xn, label)``, optionally preceded by a name
        (a string); default :data:`STUDENTS`, a small table of students.

    Returns
    -------
    Circuit
        Inputs ``w0 .. wn`` (the bias first); output ``f``.

    Examples
    --------
    >>> from circuits import library
    >>> c = library.perceptron()
    >>> list(c.inputs), c.size
    (['w0', 'w1', 'w2', 'w3'], 16)
    >>> round(c.evaluate(w0=0, w1=0, w2=0, w3=0)["f"], 6)   # 4 rows, σ(0) = 1/2
    1.0
    """
    rows = STUDENTS if data is None else check_sequence(data, "perceptron: data")
    rows = [check_sequence(r, "perceptron: every data row", allow_str=False) for r in rows]
    rows = [r[1:] if r and isinstance(r[0], str) else r for r in rows]
    if not rows:
        raise CircuitError("perceptron: the data table is empty")
    k = len(rows[0])
    if k < 2 or any(len(r) != k for r in rows):
        raise CircuitError("perceptron: every row must be (x1, ..., xn, label) with the same n >= 1")
    n = k - 1
    b = Builder()
    w = [b.input_node(f"w{i}") for i in range(n + 1)]
    losses = []
    for s, row in enumerate(rows):
        *xs, label = numbers_of(row, f"perceptron: data row {s + 1}")
        a = b.linear(zip(w, [1] + xs))
        diff = b.linear([(b.gate("sigmoid", a), 1)], -label)
        losses.append(b.gate("square", diff))
    out(b, "f", total(b, losses))
    return b.build()


def sigma2_naive(n: int) -> Circuit:
    """σ2 as the sum of all ``C(n, 2)`` products: size ``C(n, 2) + 1``.

    ``σ2(x_1, ..., x_n) = Σ_{i<j} x_i·x_j`` written out
    term by term: one ``×`` gate per pair and one
    ``+`` gate, ``Θ(n²)`` gates.

    Parameters
    ----------
    n : int
        Number of inputs, at least 2.

    Returns
    -------
    Circuit
        ``sigma2`` of the inputs ``x_1 .. x_n``, one product gate per pair.

    Examples
    --------
    >>> from circuits import library
    >>> c = library.sigma2_naive(4)
    >>> c.size
    7
    >>> c.evaluate(x_1=1, x_2=2, x_3=3, x_4=4)
    {'sigma2': 35}
    """
    n = check_int(n, "sigma2_naive: n", 2)
    b = Builder()
    x = input_vector(b, "x", n)
    gate = b.gate
    products = [gate("mul", x[i], x[j]) for i in range(n) for j in range(i + 1, n)]
    out(b, "sigma2", total(b, products) if len(products) > 1 else b.gate("add", *products))
    return b.build()


def sigma2_fast(n: int) -> Circuit:
    """σ2 in ``n + 3`` gates: ``½(x_1 + ... + x_n)² − ½(x_1² + ... + x_n²)``.

    The rewriting ``σ2 = ½(Σx)² − ½Σx²``, size
    ``n + O(1)``: one ``+`` for the sum, one ``square`` of it, ``n`` squares of
    the inputs and one ``+`` with wire weights ``½`` and ``−½`` (exact
    Fractions).

    Parameters
    ----------
    n : int
        Number of inputs ``x_1 .. x_n``, at least 2.

    Returns
    -------
    Circuit
        ``sigma2`` of the inputs, of size exactly ``n + 3``.

    Examples
    --------
    >>> from circuits import library
    >>> c = library.sigma2_fast(4)
    >>> c.size
    7
    >>> c.evaluate(x_1=1, x_2=2, x_3=3, x_4=4)
    {'sigma2': 35.0}
    >>> from fractions import Fraction
    >>> c.evaluate(x_1=Fraction(1), x_2=2, x_3=3, x_4=4)   # exactly
    {'sigma2': Fraction(35, 1)}
    """
    n = check_int(n, "sigma2_fast: n", 2)
    b = Builder()
    x = input_vector(b, "x", n)
    s2 = b.gate("square", b.gate("add", *x))
    squares = [b.gate("square", u) for u in x]
    half = Fraction(1, 2)
    out(b, "sigma2", b.gate("add", s2, *squares, weights=(half,) + (-half,) * n))
    return b.build()


def exercise() -> Circuit:
    """The exercise function ``f(x, y, z, v) = exp(y^(−x) − log z) + (y − z)²·log v``.

    ``f(x, y, z, v) = exp(y^(−x) − log z) + (y − z)²·log v`` with
    ``y^(−x) = exp(−x·log y)`` (defined for ``y, z, v > 0``).

    Returns
    -------
    Circuit
        Inputs ``x, y, z, v``; output ``f``.

    Examples
    --------
    >>> import math
    >>> from circuits import library
    >>> c = library.exercise()
    >>> list(c.inputs), c.size
    (['x', 'y', 'z', 'v'], 12)
    >>> got = c.evaluate(x=1.0, y=2.0, z=3.0, v=4.0)["f"]
    >>> abs(got - (math.exp(0.5 - math.log(3)) + math.log(4))) < 1e-12
    True
    """
    def f(x, y, z, v):
        return exp(exp(-x * log(y)) - log(z)) + square(y - z) * log(v)
    return trace(f)
