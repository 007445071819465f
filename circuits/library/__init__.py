"""Ready circuits: the notes' examples and classic families.

Every function returns a :class:`circuits.Circuit` and says in its docstring
which note (by file name, in ``/work/shared/seeds``) it comes from.  Names of
vector and matrix inputs and outputs follow :mod:`circuits.library.naming`:
``x_1 .. x_n`` and, row by row, ``X_1_1 .. X_m_n``.
"""

from .naming import vector_names, matrix_names, vector_values, matrix_values, as_vector, as_matrix
from .notes import (figure1, backprop_example, least_squares, perceptron, STUDENTS,
                    sigma2_naive, sigma2_fast, exercise)
from .linalg import (determinant, DETERMINANT_METHODS, inverse_from_determinant,
                     matrix_chain, matrix_chain_order)
from .networks import mlp, sin_dot, rnn, conv1d
from .general import horner, chain, random_circuit, RANDOM_OPS, RANDOM_BOX, RANDOM_CAP
from .families import FAMILIES

__all__ = [
    "vector_names", "matrix_names", "vector_values", "matrix_values", "as_vector", "as_matrix",
    "figure1", "backprop_example", "least_squares", "perceptron", "STUDENTS",
    "sigma2_naive", "sigma2_fast", "exercise",
    "determinant", "DETERMINANT_METHODS", "inverse_from_determinant",
    "matrix_chain", "matrix_chain_order",
    "mlp", "sin_dot", "rnn", "conv1d",
    "horner", "chain", "random_circuit", "RANDOM_OPS", "RANDOM_BOX", "RANDOM_CAP",
    "FAMILIES",
]
