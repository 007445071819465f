"""The Moré–Garbow–Hillstrom least-squares test problems as circuits.

J. J. Moré, B. S. Garbow and K. E. Hillstrom, *Testing unconstrained
optimization software*, ACM Transactions on Mathematical Software 7(1),
17–41 (1981): 35 problems ``f(x) = Σᵢ rᵢ(x)²`` with their standard starting
points ``x0`` and, for most, the value of ``f`` at a minimiser.  They are
real-world shaped gradients (exponential fits, rational fits, banded and
dense nonlinear systems), so the benchmarks and the property tests use them
next to the classic families.

Every circuit has inputs ``x_1 .. x_n`` and one output ``f``, the sum of
the squared residuals, each square a ``square`` gate.  Data given in the
paper as decimals (``yᵢ``, ``tᵢ``) enter as exact :class:`~fractions.Fraction`
weights and constants, so exact evaluation and exact factoring in
:func:`circuits.simplify` see the paper's numbers.

Left out or changed, for the gates the registry has today:

* 7, helical valley: ``θ`` needs ``atan`` (with the quadrant of ``atan2``);
  it is not in :data:`PROBLEMS` until the registry has that gate.
* 11, Gulf research: ``|yᵢ − x₂|^x₃`` is built as ``exp(x₃·log(yᵢ − x₂))``,
  equal to the paper's function wherever ``x₂ < min yᵢ ≈ 25.1`` (the
  start ``x₂ = 2.5`` and the minimiser ``x₂ = 25`` included).

Examples
--------
>>> from circuits.library import mgh
>>> f = mgh.circuit("rosenbrock")
>>> f.evaluate(mgh.start("rosenbrock", exact=True))      # 24.2, the classic value
{'f': Fraction(121, 5)}
>>> mgh.PROBLEMS["wood"].number, mgh.circuit("wood").evaluate(mgh.start("wood"))["f"]
(14, 19192.0)
>>> len(mgh.PROBLEMS)
34
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable, Optional

from ..core.builder import Builder, exp, log, sin, cos, sum_of, product
from ..core.circuit import Circuit
from ..core.errors import CircuitError
from ._build import check_int
from .naming import vector_names

__all__ = ["Problem", "PROBLEMS", "circuit", "start", "names"]

F = Fraction


def _dec(text: str) -> list:
    """Decimal data as exact fractions (``"0.14 0.18"`` → [7/50, 9/50])."""
    return [F(t) for t in text.split()]


@dataclass(frozen=True)
class Problem:
    """One test problem of Moré, Garbow and Hillstrom (1981).

    Attributes
    ----------
    number : int
        The problem's number in the paper (1–35).
    title : str
    n, m : int
        Default number of variables and of residuals (``m`` None: decided by ``n``).
    residuals : callable
        ``residuals(x, n, m)`` → list of wires (or numbers), given the input wires.
    x0 : callable
        ``x0(n)`` → the standard starting point (list of numbers).
    variable_n : bool
        Whether ``n`` may be chosen (else it is fixed).
    m_of_n : callable, optional
        ``m`` as a function of ``n`` when it is not free.
    minima : tuple
        ``(n, m, x*, f*)`` published in the paper (``x*`` None where the
        paper gives only ``f*``), for tests.
    """

    number: int
    title: str
    n: int
    m: Optional[int]
    residuals: Callable
    x0: Callable
    variable_n: bool = False
    m_of_n: Optional[Callable] = None
    minima: tuple = field(default=())
    min_n: int = 1
    max_n: int = 10 ** 6
    n_multiple: int = 1
    variable_m: bool = False
    min_m: int = 1
    max_m: int = 10 ** 6


# --- the residuals, in the paper's order --------------------------------------------------

def _rosenbrock(x, n, m):
    return [10 * (x[1] - x[0] ** 2), 1 - x[0]]


def _freudenstein_roth(x, n, m):
    x1, x2 = x
    return [-13 + x1 + ((5 - x2) * x2 - 2) * x2, -29 + x1 + ((x2 + 1) * x2 - 14) * x2]


def _powell_badly_scaled(x, n, m):
    x1, x2 = x
    return [10_000 * (x1 * x2) - 1, exp(-x1) + exp(-x2) - F("1.0001")]


def _brown_badly_scaled(x, n, m):
    x1, x2 = x
    return [x1 - 10 ** 6, x2 - F(2, 10 ** 6), x1 * x2 - 2]


def _beale(x, n, m):
    x1, x2 = x
    y = _dec("1.5 2.25 2.625")
    return [y[i - 1] - x1 * (1 - x2 ** i) for i in (1, 2, 3)]


def _jennrich_sampson(x, n, m):
    x1, x2 = x
    return [2 + 2 * i - (exp(i * x1) + exp(i * x2)) for i in range(1, m + 1)]


_BARD_Y = _dec("0.14 0.18 0.22 0.25 0.29 0.32 0.35 0.39 0.37 0.58 0.73 0.96 1.34 2.10 4.39")


def _bard(x, n, m):
    x1, x2, x3 = x
    out = []
    for i in range(1, 16):
        u, v = i, 16 - i
        w = min(u, v)
        out.append(_BARD_Y[i - 1] - (x1 + u / (v * x2 + w * x3)))
    return out


_GAUSS_Y = _dec("0.0009 0.0044 0.0175 0.0540 0.1295 0.2420 0.3521 0.3989 "
                "0.3521 0.2420 0.1295 0.0540 0.0175 0.0044 0.0009")


def _gaussian(x, n, m):
    x1, x2, x3 = x
    return [x1 * exp(-x2 * (F(8 - i, 2) - x3) ** 2 / 2) - _GAUSS_Y[i - 1] for i in range(1, 16)]


_MEYER_Y = [34780, 28610, 23650, 19630, 16370, 13720, 11540, 9744, 8261, 7030, 6005, 5147,
            4427, 3820, 3307, 2872]


def _meyer(x, n, m):
    x1, x2, x3 = x
    return [x1 * exp(x2 / (45 + 5 * i + x3)) - _MEYER_Y[i - 1] for i in range(1, 17)]


def _gulf(x, n, m):
    x1, x2, x3 = x
    out = []
    for i in range(1, m + 1):
        t = F(i, 100)
        y = 25 + (-50 * math.log(t)) ** (2 / 3)
        # |y − x₂|^x₃ = exp(x₃·log(y − x₂)) where x₂ < y (see the module docstring)
        out.append(exp(-exp(x3 * log(y - x2)) / x1) - t)
    return out


def _box_3d(x, n, m):
    x1, x2, x3 = x
    out = []
    for i in range(1, m + 1):
        t = F(i, 10)
        out.append(exp(-t * x1) - exp(-t * x2) - x3 * (math.exp(-t) - math.exp(-10 * t)))
    return out


def _powell_singular(x, n, m):
    out = []
    for k in range(0, n, 4):
        x1, x2, x3, x4 = x[k:k + 4]
        out += [x1 + 10 * x2, math.sqrt(5) * (x3 - x4), (x2 - 2 * x3) ** 2,
                math.sqrt(10) * (x1 - x4) ** 2]
    return out


def _wood(x, n, m):
    x1, x2, x3, x4 = x
    return [10 * (x2 - x1 ** 2), 1 - x1, math.sqrt(90) * (x4 - x3 ** 2), 1 - x3,
            math.sqrt(10) * (x2 + x4 - 2), (x2 - x4) / math.sqrt(10)]


_KO_Y = _dec("0.1957 0.1947 0.1735 0.1600 0.0844 0.0627 0.0456 0.0342 0.0323 0.0235 0.0246")
_KO_U = _dec("4 2 1 0.5 0.25 0.167 0.125 0.1 0.0833 0.0714 0.0625")


def _kowalik_osborne(x, n, m):
    x1, x2, x3, x4 = x
    return [y - x1 * (u * u + u * x2) / (u * u + u * x3 + x4) for y, u in zip(_KO_Y, _KO_U)]


def _brown_dennis(x, n, m):
    x1, x2, x3, x4 = x
    out = []
    for i in range(1, m + 1):
        t = F(i, 5)
        out.append((x1 + t * x2 - math.exp(t)) ** 2 + (x3 + x4 * math.sin(t) - math.cos(t)) ** 2)
    return out


_OSB1_Y = _dec("0.844 0.908 0.932 0.936 0.925 0.908 0.881 0.850 0.818 0.784 0.751 0.718 0.685 "
               "0.658 0.628 0.603 0.580 0.558 0.538 0.522 0.506 0.490 0.478 0.467 0.457 0.448 "
               "0.438 0.431 0.424 0.420 0.414 0.411 0.406")


def _osborne1(x, n, m):
    x1, x2, x3, x4, x5 = x
    return [y - (x1 + x2 * exp(-10 * i * x4) + x3 * exp(-10 * i * x5)) for i, y in enumerate(_OSB1_Y)]


def _biggs_exp6(x, n, m):
    x1, x2, x3, x4, x5, x6 = x
    out = []
    for i in range(1, m + 1):
        t = F(i, 10)
        y = math.exp(-t) - 5 * math.exp(-10 * t) + 3 * math.exp(-4 * t)
        out.append(x3 * exp(-t * x1) - x4 * exp(-t * x2) + x6 * exp(-t * x5) - y)
    return out


_OSB2_Y = _dec(
    "1.366 1.191 1.112 1.013 0.991 0.885 0.831 0.847 0.786 0.725 0.746 0.679 0.608 0.655 0.616 "
    "0.606 0.602 0.626 0.651 0.724 0.649 0.649 0.694 0.644 0.624 0.661 0.612 0.558 0.533 0.495 "
    "0.500 0.423 0.395 0.375 0.372 0.391 0.396 0.405 0.428 0.429 0.523 0.562 0.607 0.653 0.672 "
    "0.708 0.633 0.668 0.645 0.632 0.591 0.559 0.597 0.625 0.739 0.710 0.729 0.720 0.636 0.581 "
    "0.428 0.292 0.162 0.098 0.054")


def _osborne2(x, n, m):
    x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11 = x
    out = []
    for i, y in enumerate(_OSB2_Y):
        t = F(i, 10)
        out.append(y - (x1 * exp(-t * x5) + x2 * exp(-(t - x9) ** 2 * x6)
                        + x3 * exp(-(t - x10) ** 2 * x7) + x4 * exp(-(t - x11) ** 2 * x8)))
    return out


def _watson(x, n, m):
    out = []
    for i in range(1, 30):
        t = F(i, 29)
        first = sum_of([(j - 1) * t ** (j - 2) * x[j - 1] for j in range(2, n + 1)])
        second = sum_of([t ** (j - 1) * x[j - 1] for j in range(1, n + 1)])
        out.append(first - second ** 2 - 1)
    return out + [x[0], x[1] - x[0] ** 2 - 1]


def _extended_rosenbrock(x, n, m):
    out = []
    for k in range(0, n, 2):
        out += [10 * (x[k + 1] - x[k] ** 2), 1 - x[k]]
    return out


_A = F(1, 10 ** 5)


def _penalty1(x, n, m):
    return [math.sqrt(_A) * (xi - 1) for xi in x] + [sum_of([xi ** 2 for xi in x]) - F(1, 4)]


def _penalty2(x, n, m):
    r = math.sqrt(_A)
    out = [x[0] - F(1, 5)]
    for i in range(2, n + 1):
        y = math.exp(i / 10) + math.exp((i - 1) / 10)
        out.append(r * (exp(x[i - 1] / 10) + exp(x[i - 2] / 10) - y))
    for i in range(n + 1, 2 * n):
        out.append(r * (exp(x[i - n] / 10) - math.exp(-1 / 10)))
    out.append(sum_of([(n - j + 1) * x[j - 1] ** 2 for j in range(1, n + 1)]) - 1)
    return out


def _variably_dimensioned(x, n, m):
    s = sum_of([j * (x[j - 1] - 1) for j in range(1, n + 1)])
    return [xi - 1 for xi in x] + [s, s ** 2]


def _trigonometric(x, n, m):
    cosines = [cos(xi) for xi in x]
    total = sum_of(cosines)
    return [n - total + i * (1 - cosines[i - 1]) - sin(x[i - 1]) for i in range(1, n + 1)]


def _brown_almost_linear(x, n, m):
    total = sum_of(x)
    return [x[i] + total - (n + 1) for i in range(n - 1)] + [product(x) - 1]


def _discrete_boundary_value(x, n, m):
    h = F(1, n + 1)
    out = []
    for i in range(1, n + 1):
        t = i * h
        r = 2 * x[i - 1] + h * h * (x[i - 1] + t + 1) ** 3 / 2
        if i > 1:
            r = r - x[i - 2]
        if i < n:
            r = r - x[i]
        out.append(r)
    return out


def _discrete_integral_equation(x, n, m):
    h = F(1, n + 1)
    t = [j * h for j in range(1, n + 1)]
    cubes = [(x[j] + t[j] + 1) ** 3 for j in range(n)]
    out = []
    for i in range(n):
        left = sum_of([t[j] * cubes[j] for j in range(i + 1)])
        right = sum_of([(1 - t[j]) * cubes[j] for j in range(i + 1, n)]) if i + 1 < n else 0
        out.append(x[i] + h * ((1 - t[i]) * left + t[i] * right) / 2)
    return out


def _broyden_tridiagonal(x, n, m):
    out = []
    for i in range(n):
        r = (3 - 2 * x[i]) * x[i] + 1
        if i > 0:
            r = r - x[i - 1]
        if i < n - 1:
            r = r - 2 * x[i + 1]
        out.append(r)
    return out


def _broyden_banded(x, n, m):
    out = []
    for i in range(n):
        band = [j for j in range(max(0, i - 5), min(n - 1, i + 1) + 1) if j != i]
        out.append(x[i] * (2 + 5 * x[i] ** 2) + 1 - sum_of([x[j] * (1 + x[j]) for j in band]))
    return out


def _linear_full_rank(x, n, m):
    total = sum_of(x)
    return [x[i] - F(2, m) * total - 1 for i in range(n)] + [-F(2, m) * total - 1] * (m - n)


def _linear_rank1(x, n, m):
    s = sum_of([j * x[j - 1] for j in range(1, n + 1)])
    return [i * s - 1 for i in range(1, m + 1)]


def _linear_rank1_zero(x, n, m):
    s = sum_of([j * x[j - 1] for j in range(2, n)])
    return [-1] + [(i - 1) * s - 1 for i in range(2, m)] + [-1]


def _chebyquad(x, n, m):
    out = []
    # shifted Chebyshev polynomials on [0, 1]: T₀ = 1, T₁ = 2x − 1, T_{k+1} = 2(2x − 1)T_k − T_{k−1}
    rows = [[2 * xj - 1 for xj in x]]
    prev = [1] * n
    for _k in range(2, m + 1):
        cur = [2 * (2 * xj - 1) * tk - tp for xj, tk, tp in zip(x, rows[-1], prev)]
        prev = rows[-1]
        rows.append(cur)
    for i in range(1, m + 1):
        y = 0 if i % 2 else F(-1, i * i - 1)
        out.append(sum_of(rows[i - 1]) / n - y)
    return out


def _const(*values):
    return lambda n: list(values)


PROBLEMS = {p.title: p for p in [
    Problem(1, "rosenbrock", 2, 2, _rosenbrock, _const(F("-1.2"), 1), minima=((2, 2, [1, 1], 0),)),
    Problem(2, "freudenstein_roth", 2, 2, _freudenstein_roth, _const(F("0.5"), -2),
            minima=((2, 2, [5, 4], 0), (2, 2, None, 48.9842))),
    Problem(3, "powell_badly_scaled", 2, 2, _powell_badly_scaled, _const(0, 1),
            minima=((2, 2, [1.098159e-5, 9.106146], 0),)),
    Problem(4, "brown_badly_scaled", 2, 3, _brown_badly_scaled, _const(1, 1),
            minima=((2, 3, [10 ** 6, F(2, 10 ** 6)], 0),)),
    Problem(5, "beale", 2, 3, _beale, _const(1, 1), minima=((2, 3, [3, F("0.5")], 0),)),
    Problem(6, "jennrich_sampson", 2, 10, _jennrich_sampson, _const(F("0.3"), F("0.4")),
            variable_m=True, min_m=2,
            minima=((2, 10, [0.2578, 0.2578], 124.362),)),
    Problem(8, "bard", 3, 15, _bard, _const(1, 1, 1),
            minima=((3, 15, [0.08241, 1.13304, 2.34370], 8.21487e-3),)),
    Problem(9, "gaussian", 3, 15, _gaussian, _const(F("0.4"), 1, 0), minima=((3, 15, None, 1.12793e-8),)),
    Problem(10, "meyer", 3, 16, _meyer, _const(F("0.02"), 4000, 250),
            minima=((3, 16, [5.60963766837e-03, 6.18134616768e+03, 3.45223628592e+02], 87.9458),)),
    Problem(11, "gulf", 3, 99, _gulf, _const(5, F("2.5"), F("0.15")), variable_m=True, max_m=100,
            minima=((3, 99, [50, 25, 1.5], 0),)),
    Problem(12, "box_3d", 3, 10, _box_3d, _const(0, 10, 20), variable_m=True, minima=((3, 10, [1, 10, 1], 0),)),
    Problem(13, "powell_singular", 4, 4, _powell_singular, _const(3, -1, 0, 1),
            minima=((4, 4, [0, 0, 0, 0], 0),)),
    Problem(14, "wood", 4, 6, _wood, _const(-3, -1, -3, -1), minima=((4, 6, [1, 1, 1, 1], 0),)),
    Problem(15, "kowalik_osborne", 4, 11, _kowalik_osborne,
            _const(F("0.25"), F("0.39"), F("0.415"), F("0.39")),
            minima=((4, 11, [0.1928, 0.1914, 0.1231, 0.1361], 3.07505e-4),)),
    Problem(16, "brown_dennis", 4, 20, _brown_dennis, _const(25, 5, -5, -1), variable_m=True,
            minima=((4, 20, [-11.5944399, 13.2036301, -0.4034394, 0.2367788], 85822.2),)),
    Problem(17, "osborne1", 5, 33, _osborne1,
            _const(F("0.5"), F("1.5"), -1, F("0.01"), F("0.02")),
            minima=((5, 33, [0.375410, 1.935836, -1.464676, 0.0128676, 0.0221227], 5.46489e-5),)),
    Problem(18, "biggs_exp6", 6, 13, _biggs_exp6, _const(1, 2, 1, 1, 1, 1), variable_m=True,
            minima=((6, 13, [1, 10, 1, 5, 4, 3], 0),
                    (6, 13, [1.71142, 17.6833, 1.16314, 5.18662, 1.71142, 1.16314], 5.65565e-3))),
    Problem(19, "osborne2", 11, 65, _osborne2,
            _const(F("1.3"), F("0.65"), F("0.65"), F("0.7"), F("0.6"), 3, 5, 7, 2, F("4.5"), F("5.5")),
            minima=((11, 65, [1.30998, 0.43155, 0.63366, 0.59943, 0.75418, 0.90429, 1.36581,
                              4.82370, 2.39869, 4.56888, 5.67534], 4.01377e-2),)),
    Problem(20, "watson", 6, 31, _watson, lambda n: [0] * n, variable_n=True, min_n=2,
            max_n=31, m_of_n=lambda n: 31,
            minima=((6, 31, [-0.01573919, 1.01241881, -0.23273987, 1.25964331, -1.51285698,
                             0.99265101], 2.28767e-3),)),
    Problem(21, "extended_rosenbrock", 10, None, _extended_rosenbrock,
            lambda n: [F("-1.2"), 1] * (n // 2), variable_n=True, min_n=2, n_multiple=2,
            m_of_n=lambda n: n, minima=((10, 10, [1] * 10, 0),)),
    Problem(22, "extended_powell_singular", 12, None, _powell_singular,
            lambda n: [3, -1, 0, 1] * (n // 4), variable_n=True, min_n=4, n_multiple=4,
            m_of_n=lambda n: n,
            minima=((12, 12, [0] * 12, 0),)),
    Problem(23, "penalty1", 10, None, _penalty1, lambda n: list(range(1, n + 1)), variable_n=True,
            m_of_n=lambda n: n + 1,
            minima=((4, 5, [0.2500075] * 4, 2.24997e-5), (10, 11, [0.158122] * 10, 7.08765e-5))),
    Problem(24, "penalty2", 10, None, _penalty2, lambda n: [F(1, 2)] * n, variable_n=True,
            m_of_n=lambda n: 2 * n,
            minima=((4, 8, [0.1999993, 0.1913145, 0.4800895, 0.5188700], 9.37629e-6),
                    (10, 20, None, 2.93660e-4))),
    Problem(25, "variably_dimensioned", 10, None, _variably_dimensioned,
            lambda n: [1 - F(j, n) for j in range(1, n + 1)], variable_n=True, m_of_n=lambda n: n + 2,
            minima=((10, 12, [1] * 10, 0),)),
    Problem(26, "trigonometric", 10, None, _trigonometric, lambda n: [F(1, n)] * n, variable_n=True,
            m_of_n=lambda n: n, minima=((10, 10, None, 0),)),
    Problem(27, "brown_almost_linear", 10, None, _brown_almost_linear, lambda n: [F(1, 2)] * n,
            variable_n=True, min_n=2, m_of_n=lambda n: n, minima=((10, 10, [1] * 10, 0),)),
    Problem(28, "discrete_boundary_value", 10, None, _discrete_boundary_value,
            lambda n: [F(j, n + 1) * (F(j, n + 1) - 1) for j in range(1, n + 1)], variable_n=True,
            m_of_n=lambda n: n, minima=((10, 10, None, 0),)),
    Problem(29, "discrete_integral_equation", 10, None, _discrete_integral_equation,
            lambda n: [F(j, n + 1) * (F(j, n + 1) - 1) for j in range(1, n + 1)], variable_n=True,
            m_of_n=lambda n: n, minima=((10, 10, None, 0),)),
    Problem(30, "broyden_tridiagonal", 10, None, _broyden_tridiagonal, lambda n: [-1] * n,
            variable_n=True, m_of_n=lambda n: n, minima=((10, 10, None, 0),)),
    Problem(31, "broyden_banded", 10, None, _broyden_banded, lambda n: [-1] * n, variable_n=True,
            m_of_n=lambda n: n, minima=((10, 10, None, 0),)),
    Problem(32, "linear_full_rank", 10, 20, _linear_full_rank, lambda n: [1] * n, variable_n=True, variable_m=True,
            minima=((10, 20, [-1] * 10, 10),)),
    Problem(33, "linear_rank1", 10, 20, _linear_rank1, lambda n: [1] * n, variable_n=True, variable_m=True,
            minima=((10, 20, None, F(20 * 19, 2 * 41)),)),
    Problem(34, "linear_rank1_zero", 10, 20, _linear_rank1_zero, lambda n: [1] * n, variable_n=True, variable_m=True,
            min_n=3, minima=((10, 20, None, F(20 * 20 + 3 * 20 - 6, 2 * (2 * 20 - 3))),)),
    Problem(35, "chebyquad", 8, None, _chebyquad, lambda n: [F(j, n + 1) for j in range(1, n + 1)],
            variable_n=True, m_of_n=lambda n: n, minima=((8, 8, None, 3.51687e-3),)),
]}


def names() -> list:
    """Problem titles in the paper's order.

    Examples
    --------
    >>> from circuits.library import mgh
    >>> mgh.names()[:3]
    ['rosenbrock', 'freudenstein_roth', 'powell_badly_scaled']
    """
    return list(PROBLEMS)


def _problem(name: str) -> Problem:
    if not isinstance(name, str) or name not in PROBLEMS:
        raise CircuitError(f"unknown Moré–Garbow–Hillstrom problem {name!r}; "
                           f"choose one of {', '.join(PROBLEMS)}")
    return PROBLEMS[name]


def _sizes(p: Problem, n, m) -> tuple:
    if n is None:
        n = p.n
    n = check_int(n, f"{p.title}: n", p.min_n)
    if not p.variable_n and n != p.n:
        raise CircuitError(f"{p.title} has n = {p.n} variables; leave n out")
    if n > p.max_n:
        raise CircuitError(f"{p.title}: n must be at most {p.max_n}")
    if n % p.n_multiple:
        raise CircuitError(f"{p.title}: n must be a multiple of {p.n_multiple}")
    if p.m_of_n is not None:
        fixed = p.m_of_n(n)
        if m is not None and m != fixed:
            raise CircuitError(f"{p.title} has m = {fixed} residuals for n = {n}; leave m out")
        return n, fixed
    if m is None:
        m = p.m
    if not p.variable_m:
        if m != p.m:
            raise CircuitError(f"{p.title} has m = {p.m} residuals; leave m out")
        return n, m
    m = check_int(m, f"{p.title}: m", max(p.min_m, n))
    if m > p.max_m:
        raise CircuitError(f"{p.title}: m must be at most {p.max_m}")
    return n, m


def circuit(name: str, n: Optional[int] = None, m: Optional[int] = None) -> Circuit:
    """Problem ``name`` as a circuit: inputs ``x_1 .. x_n``, output ``f = Σᵢ rᵢ²``.

    Parameters
    ----------
    name : str
        A key of :data:`PROBLEMS` (see :func:`names`).
    n, m : int, optional
        Variables and residuals, for the problems where the paper lets them
        vary (default: :attr:`Problem.n`, :attr:`Problem.m`).

    Examples
    --------
    >>> from circuits.library import mgh
    >>> c = mgh.circuit("beale")
    >>> list(c.inputs)
    ['x_1', 'x_2']
    >>> c.evaluate(mgh.start("beale"))          # 1.5² + 2.25² + 2.625²
    {'f': 14.203125}
    >>> mgh.circuit("extended_rosenbrock", n=4).evaluate(mgh.start("extended_rosenbrock", 4, exact=True))
    {'f': Fraction(242, 5)}
    """
    p = _problem(name)
    n, m = _sizes(p, n, m)
    b = Builder()
    x = [b.input(v) for v in vector_names("x", n)]
    rs = p.residuals(x, n, m)
    b.output("f", sum_of([r ** 2 for r in rs]))
    return b.build()


def start(name: str, n: Optional[int] = None, exact: bool = False) -> dict:
    """The standard starting point ``x0`` of problem ``name``, as ``{"x_1": ..., ...}``.

    Floats by default; ``exact=True`` gives the paper's decimals as
    Fractions (for exact evaluation).

    Examples
    --------
    >>> from circuits.library import mgh
    >>> mgh.start("rosenbrock")
    {'x_1': -1.2, 'x_2': 1.0}
    >>> mgh.start("rosenbrock", exact=True)
    {'x_1': Fraction(-6, 5), 'x_2': Fraction(1, 1)}
    """
    p = _problem(name)
    n, _ = _sizes(p, n, None)
    convert = Fraction if exact else float
    return {v: convert(c) for v, c in zip(vector_names("x", n), p.x0(n))}
