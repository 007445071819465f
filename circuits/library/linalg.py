"""Matrix circuits: determinants, the inverse from the determinant, matrix chains.

From Baur & Strassen (1983): the determinant by
Gaussian elimination (:func:`determinant` with ``method="gauss"``), two
division-free alternatives, and the corollary ``INV(X) = ∇DET(X) / DET(X)``
(:func:`inverse_from_determinant`).  From matrix-chain multiplication (Cormen et al., *Introduction to
Algorithms*): the product of a chain of matrices in a chosen order
(:func:`matrix_chain`, :func:`matrix_chain_order`).

Matrix inputs are named row by row ``X_1_1, X_1_2, ..., X_n_n`` (see
:mod:`circuits.library.naming`).

Examples
--------
>>> import numpy as np
>>> from circuits import library
>>> X = np.array([[2.0, 1.0], [1.0, 3.0]])
>>> det = library.determinant(2)
>>> round(det.evaluate(library.matrix_values("X", X))["DET"], 12)
5.0
"""

from __future__ import annotations

import itertools
import numbers
from fractions import Fraction
from typing import Any, Union

from ..core.builder import Builder
from ..core.circuit import Circuit
from ..core.errors import CircuitError
from ..ad.backward import backward  # the function: mypy takes ..ad.backward for the module
from ._build import check_int, check_ints, input_matrix, matmul, out, output_matrix, total

__all__ = ["determinant", "DETERMINANT_METHODS", "inverse_from_determinant",
           "matrix_chain", "matrix_chain_order"]

#: Largest ``n`` for the exponential cofactor expansion (``method="laplace"``).
LAPLACE_MAX = 12


def _det_gauss(b, X):
    """Gaussian elimination without pivoting; DET = product of the pivots."""
    n = len(X)
    A = [row[:] for row in X]
    gate = b.gate
    pivots = []
    for k in range(n):
        p = A[k][k]
        pivots.append(p)
        row_k = A[k]
        for i in range(k + 1, n):
            row_i = A[i]
            factor = gate("div", row_i[k], p)
            for j in range(k + 1, n):
                row_i[j] = gate("add", row_i[j], gate("mul", factor, row_k[j]), weights=(1, -1))
    return pivots[0] if n == 1 else gate("mul", *pivots)


def _det_laplace(b, X):
    """Cofactor expansion along the rows, each minor built once (memoised by columns)."""
    n = len(X)
    if n > LAPLACE_MAX:
        raise CircuitError(f"determinant: method 'laplace' has about n·2^n gates; n = {n} is "
                           f"more than {LAPLACE_MAX}, use method 'faddeev' (division-free, "
                           "O(n^4)) or 'gauss'")
    # minor[cols] = determinant of rows n-|cols| .. n-1 restricted to columns cols
    minor = {(j,): X[n - 1][j] for j in range(n)}
    for size in range(2, n + 1):
        row = X[n - size]
        new = {}
        for cols in itertools.combinations(range(n), size):
            terms = [b.gate("mul", row[j], minor[cols[:t] + cols[t + 1:]])
                     for t, j in enumerate(cols)]
            new[cols] = b.gate("add", *terms, weights=[(-1) ** t for t in range(size)])
        minor = new
    return minor[tuple(range(n))]


def _det_faddeev(b, X):
    """Faddeev–LeVerrier: DET from traces of powers, divisions by constants only.

    ``M_1 = I``, ``c_{n-1} = −tr(X)``; ``M_k = X·M_{k−1} + c_{n−k+1}·I`` and
    ``c_{n−k} = −tr(X·M_k)/k``; ``DET = (−1)^n c_0``.  The divisions by ``k``
    are wire weights (exact Fractions), so no gate divides.
    """
    n = len(X)
    if n == 1:
        return X[0][0]
    diag = [X[i][i] for i in range(n)]
    c = total(b, diag, -1)                               # c_{n-1}
    XM = X                                               # X·M_1
    for k in range(2, n + 1):
        M = [[XM[i][j] if i != j else b.linear([(XM[i][i], 1), (c, 1)]) for j in range(n)]
             for i in range(n)]
        if k < n:
            XM = matmul(b, X, M)
            c = total(b, [XM[i][i] for i in range(n)], Fraction(-1, k))
        else:  # only the trace of X·M_n is needed
            trace_terms = [b.gate("mul", X[i][l], M[l][i]) for i in range(n) for l in range(n)]
            return total(b, trace_terms, Fraction((-1) ** (n + 1), n))


#: Methods of :func:`determinant`: name → ``build(builder, X) -> DET node``.
DETERMINANT_METHODS = {
    "gauss": _det_gauss,
    "laplace": _det_laplace,
    "faddeev": _det_faddeev,
}


def determinant(n: int, method: str = "gauss") -> Circuit:
    """Circuit for the determinant of an ``n × n`` matrix (Baur & Strassen 1983).

    Parameters
    ----------
    n : int
        Matrix size.
    method : {"gauss", "laplace", "faddeev"}
        * ``"gauss"``: Gaussian elimination without pivoting, with ``÷`` gates
          for the multipliers (the textbook ``Θ(n³)`` circuit, about ``2n³/3``
          gates); the product of the pivots.  Correct wherever no leading
          principal minor vanishes.
        * ``"laplace"``: cofactor expansion along the rows with every minor
          built once: division-free, about ``n·2^(n−1)`` ``×`` gates, for
          ``n <= 12``.
        * ``"faddeev"``: the Faddeev–LeVerrier recurrence: division-free
          (its divisions are by the constants ``k``, i.e. wire weights),
          ``O(n⁴)`` gates, correct for every matrix.

    Returns
    -------
    Circuit
        Inputs ``X_1_1 .. X_n_n`` row by row; output ``DET``.

    Examples
    --------
    >>> from circuits import library
    >>> X = {"X_1_1": 1, "X_1_2": 2, "X_2_1": 3, "X_2_2": 4}
    >>> [library.determinant(2, m).evaluate(X)["DET"] for m in ("gauss", "laplace", "faddeev")]
    [-2.0, -2, -2.0]
    >>> library.determinant(3, "laplace").size    # 3 minors of size 2 at 3 gates, then 3 + 1
    13
    >>> library.determinant(8).size                # Σ_r r·(2r + 1) for r < 8, plus the product
    309
    """
    n = check_int(n, "determinant: n")
    build = DETERMINANT_METHODS.get(method) if isinstance(method, str) else None
    if build is None:
        raise CircuitError(f"determinant: unknown method {method!r}; choose one of "
                           f"{sorted(DETERMINANT_METHODS)}")
    b = Builder()
    X = input_matrix(b, "X", n, n)
    out(b, "DET", build(b, X))
    return b.build()


def inverse_from_determinant(n: int, method: str = "gauss") -> Circuit:
    """``INV(X) = ∇DET(X)ᵀ / DET(X)`` by backpropagation (Baur & Strassen 1983).

    The corollary of the cheap gradient principle: a size-``s`` circuit for DET gives a
    size-``O(s)`` circuit for the inverse.  This builds :func:`determinant`,
    runs :func:`circuits.backward` on it (keeping DET) and adds ``n²``
    ``÷`` gates.

    Careful with the transpose: ``∂DET/∂X_ij`` is the ``(i, j)`` *cofactor*
    ``(−1)^(i+j)·DET(X without row i and column j)``, and Cramer's rule puts
    it at position ``(j, i)`` of the inverse.  So output ``INV_i_j`` is
    ``(dDET/dX_j_i) / DET``: ``INV = (∇DET)ᵀ / DET``.  (The textbook
    ``INV = ∇DET / DET`` holds up to this transpose, which is invisible for
    symmetric matrices.)

    Parameters
    ----------
    n : int
        Matrix size.
    method : str
        Determinant method, see :func:`determinant`.

    Returns
    -------
    Circuit
        Inputs ``X_1_1 .. X_n_n``; outputs ``INV_1_1 .. INV_n_n`` row by row.

    Examples
    --------
    >>> import numpy as np
    >>> from circuits import library
    >>> c = library.inverse_from_determinant(2)
    >>> X = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> got = library.as_matrix(c.evaluate(library.matrix_values("X", X)), "INV", 2, 2)
    >>> bool(np.allclose(got, np.linalg.inv(X)))
    True
    """

    n = check_int(n, "inverse_from_determinant: n")
    det = determinant(n, method)
    grad = backward(det, output="DET", keep_primal=True)
    b = Builder.extending(grad)
    d = grad.outputs["DET"]
    for i in range(1, n + 1):
        for j in range(1, n + 1):
            cofactor = grad.outputs[f"dDET/dX_{j}_{i}"]
            out(b, f"INV_{i}_{j}", b.gate("div", cofactor, d))
    return b.build()


# --- matrix chains (Cormen et al., matrix-chain multiplication) ------------------------------------


def _chain_cost(dims, tree):
    """(multiplications, rows, cols) of a parenthesisation over matrices 1..L."""
    stack = [(tree, False)]
    results = []
    while stack:  # iterative post-order: trees may be as deep as the chain is long
        node, done = stack.pop()
        if isinstance(node, int):
            results.append((0, dims[node - 1], dims[node]))
        elif done:
            right = results.pop()
            left = results.pop()
            results.append((left[0] + right[0] + left[1] * left[2] * right[2], left[1], right[2]))
        else:
            stack.append((node, True))
            stack.append((node[1], False))
            stack.append((node[0], False))
    return results[0]


def _check_tree(tree, L):
    leaves = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, numbers.Integral) and not isinstance(node, bool):
            leaves.append(int(node))
        elif isinstance(node, (tuple, list)) and len(node) == 2:
            stack.append(node[1])
            stack.append(node[0])
        else:
            raise CircuitError(f"matrix_chain: bad parenthesisation part {node!r}; use nested "
                               "pairs of 1-based matrix numbers such as ((1, 2), 3)")
    if leaves != list(range(1, L + 1)):
        raise CircuitError(f"matrix_chain: the parenthesisation must list the matrices 1..{L} "
                           f"once each and in order, got {leaves}")


def _normalise(tree):
    if isinstance(tree, (tuple, list)):
        return tuple(_normalise(t) for t in tree)
    return int(tree)


def matrix_chain_order(dims, order: Union[str, tuple] = "optimal") -> tuple:
    """The parenthesisation of a matrix chain and its number of scalar multiplications.

    Matrix ``ℓ`` (1-based) has shape ``dims[ℓ−1] × dims[ℓ]``, as in Exercise
    12.6 of the course notes *12 Automatic Differentiation*.  ``"left"`` multiplies from the
    left (``((A1 A2) A3) ...``, the forward mode when the chain is a product of
    Jacobians), ``"right"`` from the right (the reverse mode), ``"optimal"``
    minimises the multiplications by the classic dynamic programme.

    Parameters
    ----------
    dims : sequence of int
        ``L + 1`` positive dimensions for ``L`` matrices.
    order : "left", "right", "optimal" or nested pairs
        A nested pair of 1-based matrix numbers is checked and costed.

    Returns
    -------
    tuple
        ``(tree, multiplications)``; ``tree`` is an int for one matrix, else a
        pair of subtrees.

    Examples
    --------
    >>> from circuits.library import matrix_chain_order
    >>> matrix_chain_order([10, 100, 5, 50], "left")
    (((1, 2), 3), 7500)
    >>> matrix_chain_order([10, 100, 5, 50], "right")
    ((1, (2, 3)), 75000)
    >>> matrix_chain_order([10, 100, 5, 50])
    (((1, 2), 3), 7500)
    """
    dims = check_ints(dims, "matrix_chain: dims")
    L = len(dims) - 1
    if L < 1:
        raise CircuitError("matrix_chain: dims needs at least two entries (one matrix)")
    if order == "left":
        tree: Any = 1  # a factor, or a pair of trees
        for k in range(2, L + 1):
            tree = (tree, k)
    elif order == "right":
        tree = L
        for k in range(L - 1, 0, -1):
            tree = (k, tree)
    elif order == "optimal":
        tree = _optimal_tree(dims, L)
    elif isinstance(order, (tuple, list, numbers.Integral)):
        _check_tree(order, L)
        tree = _normalise(order)
    else:
        raise CircuitError(f"matrix_chain: unknown order {order!r}; use 'left', 'right', "
                           "'optimal' or nested pairs such as ((1, 2), 3)")
    return tree, _chain_cost(dims, tree)[0]


def _optimal_tree(dims: list, L: int) -> Any:
    """The parenthesisation of ``L`` matrices with the fewest multiplications (dynamic programme)."""
    cost: dict[tuple[int, int], Any] = {(i, i): 0 for i in range(1, L + 1)}
    split = {}
    for length in range(2, L + 1):
        for i in range(1, L - length + 2):
            j = i + length - 1
            best = None
            for k in range(i, j):
                c = cost[i, k] + cost[k + 1, j] + dims[i - 1] * dims[k] * dims[j]
                if best is None or c < best:
                    best, split[i, j] = c, k
            cost[i, j] = best
    built: dict = {}
    for length in range(1, L + 1):  # bottom-up, no recursion
        for i in range(1, L - length + 2):
            j = i + length - 1
            built[i, j] = i if i == j else (built[i, split[i, j]], built[split[i, j] + 1, j])
    return built[1, L]


def matrix_chain(dims, order: Union[str, tuple] = "left") -> Circuit:
    """The product ``A1·A2···AL`` of a chain of matrices (matrix-chain multiplication).

    The order of the multiplications changes the cost.  Each
    entry of a partial product of inner dimension ``q`` costs ``q`` ``×``
    gates and one ``+`` gate (none when ``q = 1``), so the number of ``×``
    gates equals the multiplications counted by :func:`matrix_chain_order`.

    Parameters
    ----------
    dims : sequence of int
        Matrix ``ℓ`` is ``dims[ℓ−1] × dims[ℓ]``.
    order : "left", "right", "optimal" or nested pairs
        See :func:`matrix_chain_order`.

    Returns
    -------
    Circuit
        Inputs ``A1_1_1, ...`` (matrix ``Aℓ`` row by row, matrices in order);
        outputs ``P_1_1 .. P_m_n`` row by row.

    Examples
    --------
    >>> from circuits import library
    >>> c = library.matrix_chain([1, 2, 1])
    >>> list(c.inputs)
    ['A1_1_1', 'A1_1_2', 'A2_1_1', 'A2_2_1']
    >>> c.evaluate(A1_1_1=1, A1_1_2=2, A2_1_1=3, A2_2_1=4)
    {'P_1_1': 11}
    >>> [c.op(v) for v in c.gates()].count("mul")
    2
    """
    tree, _ = matrix_chain_order(dims, order)
    dims = [int(d) for d in dims]
    b = Builder()
    mats = [input_matrix(b, f"A{l}", dims[l - 1], dims[l]) for l in range(1, len(dims))]
    stack = [(tree, False)]
    results = []
    while stack:
        node, done = stack.pop()
        if isinstance(node, int):
            results.append(mats[node - 1])
        elif done:
            right = results.pop()
            left = results.pop()
            results.append(matmul(b, left, right))
        else:
            stack.append((node, True))
            stack.append((node[1], False))
            stack.append((node[0], False))
    output_matrix(b, "P", results[0])
    return b.build()
