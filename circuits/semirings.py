"""Semirings for :func:`circuits.propagate`: ``from circuits.semirings import COUNTING, k_best``.

The built-ins and the sweep live in :mod:`circuits.ad.semirings`;
this module is their short public address.
"""

from .ad.semirings import (BOOLEAN, COUNTING, ENTROPY, LOG, MAX_PRODUCT, REAL, GradientPath,
                                   Propagation, Semiring, gradient_entropy, jacobian_sparsity, k_best,
                                   propagate, top_paths)

__all__ = ["Semiring", "Propagation", "GradientPath", "REAL", "COUNTING", "BOOLEAN", "MAX_PRODUCT",
           "LOG", "ENTROPY", "k_best", "propagate", "gradient_entropy", "top_paths", "jacobian_sparsity"]
