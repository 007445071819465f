"""A seeded fuzzer for circuits.parse (issue 12): ParseError only, values equal sympy's.

Expressions come from a seeded generator that favours what broke the parser
before: zeros (``0*x`` raised OverflowError), huge and tiny literals, nested
powers and chains of unary signs.  Every text must either parse or raise
:class:`ParseError`; evaluating what parsed may raise only :class:`CircuitError`
(a domain error), and where both are finite its value must equal the one
sympy computes from the same text (an outside reference).

``CIRCUITS_FUZZ=N`` runs N expressions instead of the default 10,000, and
``CIRCUITS_FUZZ_SEED=S`` picks another seed.
"""

import math
import os
import random
import re

import pytest
import sympy
from sympy.parsing.sympy_parser import parse_expr

import circuits
from circuits import CircuitError, ParseError

COUNT = int(os.environ.get("CIRCUITS_FUZZ", "10000"))
SEED = int(os.environ.get("CIRCUITS_FUZZ_SEED", "12"))

# Huge integers are powers of two, exact as doubles: sin(int) is computed on the
# double (as in Python), where sympy would take the exact integer.
LITERALS = ["0", "0.0", "1", "2", "3", "0.5", "10", "7", "1e300", "1e-300", "5e-324", "1e308",
            "2.5e-8", str(2 ** 100), "65536", "1.0", ".25", "00", str(2 ** 140), "10000000000000000000000"]
EXTREME = ("1e300", "1e-300", "5e-324", "1e308")  # tried for exceptions, not compared
NAMES = ["x", "y", "x", "y", "pi"]
FUNCTIONS = ["sin", "cos", "exp", "log", "sqrt", "tanh"]
EXPONENTS = ["0", "1", "2", "3", "-1", "-2", "65536", "0.5", "x", "(-3)", "2**3", "(1/2)"]
POINT = {"x": 0.7, "y": -1.3}


def expression(rng: random.Random, depth: int) -> str:
    """A random formula over x, y with at most ``depth`` levels of nesting."""
    if depth <= 0 or rng.random() < 0.2:
        return rng.choice(LITERALS if rng.random() < 0.5 else NAMES)
    kind = rng.random()
    a = expression(rng, depth - 1)
    if kind < 0.45:
        b = expression(rng, depth - 1)
        op = rng.choice(["+", "-", "*", "/", "*", "/"])
        return f"{a} {op} {b}" if rng.random() < 0.5 else f"({a}) {op} ({b})"
    if kind < 0.6:
        return f"({a})**{rng.choice(EXPONENTS)}"
    if kind < 0.7:  # nested powers
        return f"(({a})**{rng.choice(EXPONENTS)})**{rng.choice(EXPONENTS)}"
    if kind < 0.8:  # unary chains
        return "".join(rng.choice("-+") for _ in range(rng.randint(1, 6))) + f"({a})"
    if kind < 0.85:  # zeros
        return rng.choice([f"0*({a})", f"({a})*0", f"0.0*({a})", f"0/({a})", f"({a}) - ({a})"])
    return f"{rng.choice(FUNCTIONS)}({a})"


_FLOAT = re.compile(r"(?<![A-Za-z_0-9.])(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+(?=[eE])|[0-9]{16,})(?:[eE][+-]?[0-9]+)?")


_INTEGER = re.compile(r"(?<![A-Za-z_0-9.])(?<!\*\*)(?<!\*\*\()(?<!\*\*-)(?<!\*\*\(-)[0-9]+(?![0-9.eE])")


def _sympy_value(text: str, nudge: float = 0.0):
    """sympy's value of ``text`` at POINT with 40 digits, the j-th number times ``1 ± j·nudge``.

    Float literals become the binary doubles that Python reads (sympy would
    otherwise take ``1e300`` as the decimal 10^300); so do the huge integer
    literals (powers of two, exact as doubles), pi and e.
    """
    count = []

    def number(value):  # each number nudged differently, so that ratios move too
        count.append(1)
        return sympy.Float(value, 40) * (1 + sympy.Float(nudge * len(count) * (-1) ** len(count), 40))
    local = {name: number(value) for name, value in POINT.items()}
    local.update({"pi": number(math.pi), "e": number(math.e)})  # as parse reads them

    def double(match):
        name = f"_f{len(local)}"
        local[name] = number(float(match.group()))
        return name
    text = _FLOAT.sub(double, text)
    if nudge:  # integers too, where they are not exponents: sin(10**24) is sin of a double
        text = _INTEGER.sub(double, text)
    value = parse_expr(text, local_dict=local)
    value = value if value.is_Float else value.evalf(40)
    if not value.is_real or not value.is_finite:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _reference(text: str):
    """sympy's value of ``text``, or None where it is not a finite, well-conditioned real.

    Moving every number by a few rounding errors (1e-14) must move the value by
    little: else (``sin`` of 2^200) the double value means nothing to compare.
    """
    value, nudged = _sympy_value(text), _sympy_value(text, 1e-14)
    if value is None or nudged is None or not _close(value, nudged, 1e-9):
        return None
    return value


def _close(a: float, b: float, tolerance: float = 1e-6) -> bool:
    return abs(a - b) <= tolerance * max(1.0, abs(a), abs(b))


def test_fuzz_parse_raises_only_parse_error_and_agrees_with_sympy():
    rng = random.Random(SEED)
    parsed = compared = 0
    for _ in range(COUNT):
        text = expression(rng, rng.randint(1, 5))
        try:
            c = circuits.parse(text, inputs=["x", "y"])
        except ParseError:
            continue
        except Exception as exc:  # noqa: BLE001 - the point of the test
            pytest.fail(f"parse({text!r}) raised {type(exc).__name__}: {exc}")
        parsed += 1
        try:
            got = c.evaluate(POINT)["f"]
        except CircuitError:
            continue
        except Exception as exc:  # noqa: BLE001
            pytest.fail(f"evaluating parse({text!r}) raised {type(exc).__name__}: {exc}")
        try:
            got = float(got)  # an exact int may be too large for a float
        except OverflowError:
            continue
        if not math.isfinite(got):
            continue
        if any(lit in text for lit in EXTREME):
            continue  # doubles under- and overflow where sympy's exponents do not
        want = _reference(text)
        if want is None:
            continue
        compared += 1
        assert _close(got, want), f"{text!r}: circuit {got!r}, sympy {want!r}"
    # the generator must exercise both outcomes, or the test proves nothing
    assert parsed > COUNT // 4 and compared > COUNT // 8, (parsed, compared)
