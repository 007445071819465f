"""Ready circuits: the notes' examples and classic families.

Every function returns a :class:`circuits.Circuit` and names in its docstring
the note (by file name, in ``/work/shared/seeds``) it comes from:

* :mod:`~circuits.library.notes` — seed ``003_cb4127dae40e521c.txt``:
  :func:`figure1`, :func:`backprop_example`, :func:`least_squares`,
  :func:`perceptron`, :func:`sigma2_naive`, :func:`sigma2_fast`; seed
  ``002_3c7c11eee237a228.txt``: :func:`exercise`;
* :mod:`~circuits.library.linalg` — :func:`determinant`,
  :func:`inverse_from_determinant` (seed 003), :func:`matrix_chain`,
  :func:`matrix_chain_order` (seed ``001_98bb05108a2025f7.txt``);
* :mod:`~circuits.library.networks` — :func:`mlp` (seeds
  ``000_dc516a4e4f2b9471.txt``, ``004_917d2e0b943a251d.txt``), :func:`sin_dot`,
  :func:`rnn`, :func:`conv1d` (seed 001);
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
