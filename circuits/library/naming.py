"""Input and output names of the library's circuits, and converters.

One scheme everywhere, unambiguous at any size:

* a vector ``x`` of length ``n`` is the inputs ``x_1, ..., x_n``;
* a matrix ``X`` of shape ``m × n`` is ``X_1_1, X_1_2, ..., X_m_n``, row by
  row, with 1-based row and column indices separated by underscores, so
  ``X_1_12`` (row 1, column 12) and ``X_11_2`` (row 11, column 2) never clash;
* a matrix that belongs to a numbered family (the factors of a matrix chain,
  the layers of a network) puts the number right after the letter:
  ``A2_3_1`` is entry (3, 1) of ``A2``, ``W1_2_5`` entry (2, 5) of ``W1``.

Matrix outputs follow the same scheme (``INV_i_j``, ``P_i_j``).

Examples
--------
>>> from circuits.library.naming import matrix_names, vector_names, matrix_values, as_matrix
>>> vector_names("x", 3)
['x_1', 'x_2', 'x_3']
>>> matrix_names("X", 2, 2)
['X_1_1', 'X_1_2', 'X_2_1', 'X_2_2']
>>> matrix_values("X", [[1, 2], [3, 4]])
{'X_1_1': 1, 'X_1_2': 2, 'X_2_1': 3, 'X_2_2': 4}
>>> as_matrix({'P_1_1': 1.0, 'P_1_2': 2.0}, "P", 1, 2)
array([[1., 2.]])
"""

from __future__ import annotations

import numbers
from typing import Any, Mapping

import numpy as np

from ..core.checks import check_count, check_mapping, check_text
from ..core.errors import CircuitError

#: Largest size a library function accepts for one dimension (a width, a depth, a count) or
#: for a number of names: beyond it the circuit alone would not fit in memory.
MAX_SIZE = 10_000_000

__all__ = ["vector_names", "matrix_names", "vector_values", "matrix_values",
           "as_vector", "as_matrix"]


def vector_names(prefix: str, n: int) -> list:
    """Names ``prefix_1 .. prefix_n`` of a length-``n`` vector.

    Examples
    --------
    >>> vector_names("w", 2)
    ['w_1', 'w_2']
    """
    prefix, n = _prefix(prefix), check_count(n, "vector_names: n", maximum=MAX_SIZE)
    return [f"{prefix}_{i}" for i in range(1, n + 1)]


def matrix_names(prefix: str, m: int, n: int) -> list:
    """Names of an ``m × n`` matrix, row by row: ``prefix_i_j``, 1-based.

    Examples
    --------
    >>> matrix_names("A1", 1, 3)
    ['A1_1_1', 'A1_1_2', 'A1_1_3']
    """
    prefix = _prefix(prefix)
    m, n = check_count(m, "matrix_names: m", maximum=MAX_SIZE), check_count(n, "matrix_names: n", maximum=MAX_SIZE)
    if m * n > MAX_SIZE:
        raise CircuitError(f"matrix_names: {m} × {n} names are more than {MAX_SIZE:,}")
    return [f"{prefix}_{i}_{j}" for i in range(1, m + 1) for j in range(1, n + 1)]


def vector_values(prefix: str, values) -> dict:
    """Input dictionary ``{prefix_i: values[i-1]}`` for a vector.

    Examples
    --------
    >>> vector_values("x", [5, 6])
    {'x_1': 5, 'x_2': 6}
    """
    values = _array(values, f"vector {prefix!r}")
    if values.ndim != 1:
        raise CircuitError(f"vector {prefix!r}: expected a 1-D array, got shape {values.shape}")
    return dict(zip(vector_names(prefix, len(values)), values.tolist()))


def matrix_values(prefix: str, values) -> dict:
    """Input dictionary ``{prefix_i_j: values[i-1, j-1]}`` for a matrix.

    Examples
    --------
    >>> matrix_values("W1", [[0.5, 1.5]])
    {'W1_1_1': 0.5, 'W1_1_2': 1.5}
    """
    values = _array(values, f"matrix {prefix!r}")
    if values.ndim != 2:
        raise CircuitError(f"matrix {prefix!r}: expected a 2-D array, got shape {values.shape}")
    m, n = values.shape
    return dict(zip(matrix_names(prefix, m, n), values.ravel().tolist()))


def _array(values, what: str) -> np.ndarray:
    try:
        values = np.asarray(values)
    except ValueError:  # ragged nesting
        raise CircuitError(f"{what}: the values are not a rectangular array of numbers") from None
    exact = values.dtype.kind == "O" and all(isinstance(v, numbers.Real) and not isinstance(v, bool)
                                             for v in values.flat)  # Fractions
    if values.dtype.kind not in "biuf" and not exact:
        raise CircuitError(f"{what}: expected numbers, got an array of {values.dtype}")
    return values


def _prefix(prefix) -> str:
    return check_text(prefix, "the name prefix")


def _lookup(result: Mapping[str, Any], names: list, what: str) -> list:
    result = check_mapping(result, f"{what}: result")
    missing = [k for k in names if k not in result]
    if missing:
        raise CircuitError(f"{what}: no entry named {missing[0]!r}; "
                           f"the result has {sorted(result)[:5]}...")
    return [result[k] for k in names]


def as_vector(result: Mapping[str, Any], prefix: str, n: int) -> np.ndarray:
    """The entries ``prefix_1 .. prefix_n`` of ``result`` as a numpy vector.

    Examples
    --------
    >>> as_vector({"y_1": 1, "y_2": 4}, "y", 2)
    array([1, 4])
    """
    return np.array(_lookup(result, vector_names(prefix, n), f"vector {prefix!r}"))


def as_matrix(result: Mapping[str, Any], prefix: str, m: int, n: int) -> np.ndarray:
    """The entries ``prefix_i_j`` of ``result`` (an evaluation) as an ``m × n`` array.

    Examples
    --------
    >>> as_matrix({"X_1_1": 1, "X_1_2": 2, "X_2_1": 3, "X_2_2": 4}, "X", 2, 2)
    array([[1, 2],
           [3, 4]])
    """
    values = _lookup(result, matrix_names(prefix, m, n), f"matrix {prefix!r}")
    return np.array(values).reshape(m, n)
