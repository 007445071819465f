"""Ready circuits: the classic worked examples and families.

Every function returns a :class:`circuits.Circuit` and names in its docstring
where it comes from:

* :mod:`~circuits.library.notes` — the classic teaching examples:
  :func:`figure1`, :func:`backprop_example`, :func:`least_squares`,
  :func:`perceptron`, :func:`sigma2_naive`, :func:`sigma2_fast`; the
  exercise function: :func:`exercise`;
* :mod:`~circuits.library.linalg` — :func:`determinant`,
  :func:`inverse_from_determinant` (Baur & Strassen 1983), :func:`matrix_chain`,
  :func:`matrix_chain_order` (Cormen et al., *Introduction to Algorithms*);
* :mod:`~circuits.library.networks` — :func:`mlp` (Rumelhart,
  Hinton & Williams 1986), :func:`sin_dot`,
  :func:`rnn`, :func:`conv1d`;
* :mod:`~circuits.library.general` — :func:`horner`, :func:`chain`,
  :func:`speelpenning`, :func:`layered_chain`, :func:`random_circuit`;
* :mod:`~circuits.library.mgh` — the Moré–Garbow–Hillstrom least-squares
  test problems (ACM TOMS 7(1), 1981): ``mgh.circuit(name)``, ``mgh.start(name)``;
* :mod:`~circuits.library.alphagrad` — the scalar benchmark functions of
  Lohoff and Neftci's AlphaGrad (2024), one gate per JAX primitive:
  ``alphagrad.circuit(name)``, ``alphagrad.PUBLISHED``;
* :data:`FAMILIES` — name → ``size -> Circuit`` for scaling runs.

Vector and matrix inputs and outputs are named as in
:mod:`circuits.library.naming`: ``x_1 .. x_n`` and, row by row,
``X_1_1 .. X_m_n``.

Examples
--------
>>> import circuits
>>> det = circuits.library.determinant(3)
>>> inv = circuits.library.inverse_from_determinant(3)
>>> det.size, inv.size
(14, 56)
>>> circuits.library.FAMILIES["det"](3).size == det.size
True
"""

from .naming import vector_names, matrix_names, vector_values, matrix_values, as_vector, as_matrix
from .notes import (figure1, backprop_example, least_squares, perceptron, STUDENTS,
                    sigma2_naive, sigma2_fast, exercise)
from .linalg import (determinant, DETERMINANT_METHODS, inverse_from_determinant,
                     matrix_chain, matrix_chain_order)
from .networks import mlp, sin_dot, rnn, conv1d
from .general import horner, chain, speelpenning, banded_product, layered_chain, random_circuit, RANDOM_OPS, RANDOM_BOX, RANDOM_CAP
from .families import FAMILIES
from . import mgh
from . import alphagrad

__all__ = [
    "vector_names", "matrix_names", "vector_values", "matrix_values", "as_vector", "as_matrix",
    "figure1", "backprop_example", "least_squares", "perceptron", "STUDENTS",
    "sigma2_naive", "sigma2_fast", "exercise",
    "determinant", "DETERMINANT_METHODS", "inverse_from_determinant",
    "matrix_chain", "matrix_chain_order",
    "mlp", "sin_dot", "rnn", "conv1d",
    "horner", "chain", "speelpenning", "banded_product", "layered_chain", "random_circuit", "RANDOM_OPS", "RANDOM_BOX", "RANDOM_CAP",
    "FAMILIES", "mgh", "alphagrad",
]
