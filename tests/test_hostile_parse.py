"""circuits.parse on hostile and random text: ParseError, never execution, never a hang.

While ``parse`` runs, Python's own ways of running text (``__import__``,
``eval``, ``exec``, ``compile``, ``ast.parse``, ``sympy.sympify``,
``os.system``) are replaced by functions that record the call and explode, so
a test fails if any of them is reached.  A SIGALRM watchdog turns a hang into
a failure (it is a guard against hanging, not a timing assertion).  Random
token soups that parse are checked against sympy's parser as an outside
reference for precedence and values.
"""

import ast
import builtins
import os
import signal
import subprocess
from contextlib import contextmanager

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import circuits
from circuits import CircuitError, ParseError, parse
from circuits.frontends.parse import MAX_LENGTH


@contextmanager
def _watchdog(seconds=120):
    if not hasattr(signal, "SIGALRM"):
        yield
        return

    def hang(signum, frame):
        raise AssertionError(f"parse did not finish within {seconds} s")

    previous = signal.signal(signal.SIGALRM, hang)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def _nothing_runs(calls):
    """Make every way of executing text record its use and raise."""
    def trap(name):
        def explode(*args, **kwargs):
            calls.append(name)
            raise RuntimeError(f"parse called {name}")
        return explode

    targets = [(builtins, "__import__"), (builtins, "eval"), (builtins, "exec"),
               (builtins, "compile"), (ast, "parse"), (ast, "literal_eval"),
               (sympy, "sympify"), (sympy, "parse_expr"), (os, "system"),
               (os, "popen"), (subprocess, "Popen")]
    saved = [(obj, attr, getattr(obj, attr)) for obj, attr in targets]
    for obj, attr in targets:
        setattr(obj, attr, trap(f"{getattr(obj, '__name__', obj)}.{attr}"))
    try:
        yield
    finally:
        for obj, attr, value in saved:
            setattr(obj, attr, value)


def _parse_hostile(text):
    """Parse under the traps and the watchdog; return the error (or circuit) and the trapped calls."""
    calls = []
    result = None
    with _watchdog():
        with _nothing_runs(calls):
            try:
                result = parse(text)
            except Exception as err:  # checked by the caller, outside the traps
                result = err
    return result, calls


HOSTILE = [
    "__import__('os').system('echo hi')",
    "__import__(\"os\").system(\"echo hi\")",
    "x.__class__",
    "x.__class__.__bases__[0].__subclasses__()",
    "().__class__.__bases__[0].__subclasses__()",
    "lambda: 1",
    "(lambda: 0)()",
    "[x for x in y]",
    '"a"',
    "'a' * 10**9",
    "f'{x}'",
    "exec('1')",
    "eval('1')",
    "compile('1', 'f', 'eval')",
    "open('/etc/passwd').read()",
    "globals()",
    "getattr(x, 'real')",
    "import os",
    "x\nimport os",
    "x; import os",
    "sin.__globals__",
    "sin(x).__class__",
    "exp.__code__",
    "x if 1 else 2",
    "True + x",
    "{}",
    "x[0:1]",
    "x**10**10",
    "x**-10**10",
    "9**9**9**9",
    "10**10**10",
    "2**2**2**2**2**2",
    "(2**1000)**(2**1000)",
    "9" * 5000,
    "1e9999999999",
    "x" + "/7" * 100_000,
    "x" + "*1" + "0" * 399 + ("*1" + "0" * 399) * 100,
    "(" * 100_000,
    ")" * 100_000,
    "(" * 100_000 + "x",
    "sin(" * 100_000 + "x",
    "(" * 100_000 + "x" + ")" * 99_999,
    "x" * (2 * 1024 * 1024),
    "x+" * (1024 * 1024),
    "\x00" * 1000,
    "\ud800",
    "x \u202e+ y",
]


@pytest.mark.parametrize("text", HOSTILE, ids=[repr(t[:30]) + f"[{len(t)}]" for t in HOSTILE])
def test_hostile_text_raises_parse_error_and_runs_nothing(text):
    result, calls = _parse_hostile(text)
    assert calls == []
    assert isinstance(result, ParseError), result
    assert 0 <= result.position <= len(text)


def test_specific_hostile_positions():
    assert _parse_hostile("__import__('os').system('echo hi')")[0].position == 0
    assert _parse_hostile("x.__class__")[0].position == 1
    assert _parse_hostile("x" * (2 * 1024 * 1024))[0].position == MAX_LENGTH
    assert _parse_hostile("(" * 100_000 + "x")[0].position == 99_999  # the innermost unclosed '('
    assert _parse_hostile(")" * 100_000)[0].position == 0


def test_valid_text_also_runs_nothing():
    # The traps themselves must not get in the way of a normal parse.
    result, calls = _parse_hostile("(x - 3*y - 3*z + 5)**2 + sin(x) / pow(y, 3) - 1e-3 * pi")
    assert calls == [] and isinstance(result, circuits.Circuit)
    result, calls = _parse_hostile("(" * 100_000 + "x" + ")" * 100_000)
    assert calls == [] and result.evaluate(x=5) == {"f": 5}


# --- fuzzing ------------------------------------------------------------------------------

FUZZ = settings(max_examples=300, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])


def _only_parse_errors(text):
    try:
        c = parse(text)
    except ParseError as err:
        assert 0 <= err.position <= len(text)
        assert isinstance(err.text, str)
        return None
    c.check()
    return c


@FUZZ
@given(st.text(max_size=60))
def test_fuzz_any_text_only_raises_parse_error(text):
    _only_parse_errors(text)


TOKENS = ["x", "y", "e", "pi", "0.0", "1", "2", "3", "1.5", ".5", "1e-3", "2E2",
          "+", "-", "*", "/", "**", "(", ")", ",", " ",
          "sin(", "cos(", "exp(", "log(", "sqrt(", "tanh(", "sigmoid(", "relu(", "step(",
          "square(", "recip(", "pow(", "^", ".", "_", "[", "'", "foo("]

# sympy's parser (Python's grammar) as the outside reference for what parses.
_X, _Y = sympy.Rational(7, 10), sympy.Rational(13, 10)
_SYMPY_NAMES = {
    "x": _X, "y": _Y, "e": sympy.E, "pi": sympy.pi,
    "sin": sympy.sin, "cos": sympy.cos, "exp": sympy.exp, "log": sympy.log,
    "sqrt": sympy.sqrt, "tanh": sympy.tanh,
    "sigmoid": lambda u: 1 / (1 + sympy.exp(-u)),
    "relu": lambda u: sympy.Max(0, u),
    "step": lambda u: sympy.Heaviside(u, 0),
    "square": lambda u: u**2,
    "recip": lambda u: 1 / u,
    "pow": lambda u, k: u**k,
}


def _sympy_reference(text):
    from sympy.parsing.sympy_parser import parse_expr, auto_number, rationalize
    return parse_expr(text, local_dict=dict(_SYMPY_NAMES), transformations=(auto_number, rationalize))


@FUZZ
@given(st.lists(st.sampled_from(TOKENS), max_size=14).map("".join))
def test_fuzz_token_soup_only_raises_parse_error_and_agrees_with_sympy(text):
    c = _only_parse_errors(text)
    if c is None:
        return
    if not set(c.inputs) <= {"x", "y"}:  # tokens glued into other names ("xy", "e1")
        return
    values = {"x": _X, "y": _Y}
    try:
        got = c.evaluate({k: values[k] for k in c.inputs})
    except CircuitError:  # a domain error at this point (log of a negative, ...)
        return
    (got,) = got.values()
    exact = _sympy_reference(text).evalf(30)
    if not (exact.is_real and exact.is_finite):
        return
    if abs(exact) > 1e300:
        # beyond float range the comparison measures conditioning, not parsing: 7**x becomes
        # exp(x·ln 7) with ln 7 a float, and e^(2·7^(27x)) ≈ 10^(8·10^15) turns its 10⁻¹⁶ into 10⁴²
        return
    got = sympy.sympify(got).evalf(30)
    assert got.is_real and got.is_finite, (text, got, exact)
    assert abs(got - exact) <= 1e-9 * (1 + abs(exact)), (text, got, exact)


def _join(parts):
    left, op, right = parts
    return f"{left}{op}{right}"


# Grammatical formulas glued without added parentheses, so that precedence and
# associativity are decided by the parser under test and by sympy's (Python's).
GRAMMATICAL = st.recursive(
    st.sampled_from(["x", "y", "e", "pi", "2", "3", "0.5", "1e-1", "7"]),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "**", " + ", " ** "]), inner).map(_join),
        inner.map(lambda s: f"({s})"),
        inner.map(lambda s: f"-{s}"),
        st.tuples(st.sampled_from(["sin", "cos", "exp", "log", "sqrt", "tanh", "sigmoid",
                                   "relu", "step", "square", "recip"]), inner)
        .map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(inner, inner).map(lambda t: f"pow({t[0]}, {t[1]})"),
    ),
    max_leaves=10,
)


@FUZZ
@given(GRAMMATICAL)
def test_fuzz_grammatical_text_agrees_with_sympy(text):
    test_fuzz_token_soup_only_raises_parse_error_and_agrees_with_sympy.hypothesis.inner_test(text)
