"""circuits.parse: values, structure, precedence, inputs, outputs and every error path.

Values are checked against outside references: the same formula written by hand
in Python (floats at random points), sympy expressions written by hand, and
exact ``fractions.Fraction`` arithmetic done by hand.
"""

import math
import random
from fractions import Fraction

import pytest
import sympy

from circuits import CircuitError, ParseError, parse
from circuits.core.gates import MAX_EXPONENT
from circuits.frontends.parse import MAX_BITS, MAX_DIGITS, MAX_LENGTH


def _ops(c):
    return sorted(c.op(v) for v in c.gates())


def _sigmoid(u):
    return 1 / (1 + math.exp(-u))


FIGURE_1 = "(x - 3*y - 3*z + 5)**2 + (x - 2*y - 2*z)**2 + (x + y - 5*z - 3)**2"


# --- values against hand-written Python at random points -------------------------------

VALID = [
    (FIGURE_1, lambda x, y, z: (x - 3*y - 3*z + 5)**2 + (x - 2*y - 2*z)**2 + (x + y - 5*z - 3)**2),
    ("x + y*z", lambda x, y, z: x + y*z),
    ("x - y - z", lambda x, y, z: (x - y) - z),
    ("x / y / z", lambda x, y, z: (x / y) / z),
    ("x / y * z", lambda x, y, z: (x / y) * z),
    ("x ** 2 ** 2", lambda x, y, z: x ** 4),
    ("-x**2 + y", lambda x, y, z: -(x * x) + y),
    ("2**-x**2", lambda x, y, z: 2.0 ** (-(x * x))),
    ("-2**-x*3", lambda x, y, z: -(2.0 ** (-x)) * 3),
    ("--x - -y + +z", lambda x, y, z: x + y + z),
    ("x**y", lambda x, y, z: x ** y),
    ("x**-1.5 + y**0.5 - z**-0.5", lambda x, y, z: x ** -1.5 + math.sqrt(y) - 1 / math.sqrt(z)),
    ("pow(x, 3) - pow(y, -2) + pow(x, y)", lambda x, y, z: x**3 - y**-2 + x**y),
    ("exp(x) * log(y) + sqrt(z)", lambda x, y, z: math.exp(x) * math.log(y) + math.sqrt(z)),
    ("sin(x)**2 + cos(x)**2 - tanh(y)", lambda x, y, z: math.sin(x)**2 + math.cos(x)**2 - math.tanh(y)),
    ("sigmoid(x - y) * relu(z - 1) + step(y - 1)",
     lambda x, y, z: _sigmoid(x - y) * max(0.0, z - 1) + (1.0 if y > 1 else 0.0)),
    ("square(x + y) / recip(z)", lambda x, y, z: (x + y) ** 2 * z),
    ("exp(sin(x*y) / (1 + z**2)) - 1e-3 * x", lambda x, y, z: math.exp(math.sin(x*y) / (1 + z*z)) - 0.001 * x),
    ("pi * x + e * y + 2.5e2 * z - .5", lambda x, y, z: math.pi * x + math.e * y + 250 * z - 0.5),
    ("(((x)))*((y)+(z))", lambda x, y, z: x * (y + z)),
    ("2**x + 3 ** (y - z)", lambda x, y, z: 2 ** x + 3 ** (y - z)),
    ("1/x + 2/(y + z) - 3", lambda x, y, z: 1 / x + 2 / (y + z) - 3),
    ("x\t*\ny  +\r\nz ", lambda x, y, z: x * y + z),
    ("sqrt(2) * x + log(10) + 10**-2 * y", lambda x, y, z: math.sqrt(2) * x + math.log(10) + y / 100),
]


@pytest.mark.parametrize("text,reference", VALID, ids=[t for t, _ in VALID])
def test_values_match_hand_written_python(text, reference):
    c = parse(text, inputs=["x", "y", "z"])
    c.check()
    rng = random.Random(text)
    for _ in range(5):
        point = {k: rng.uniform(0.5, 2.0) for k in "xyz"}
        got = c.evaluate(point)["f"]
        assert math.isclose(got, reference(**point), rel_tol=1e-12, abs_tol=1e-12)


SYMPY_CASES = [
    (FIGURE_1, lambda x, y, z: (x - 3*y - 3*z + 5)**2 + (x - 2*y - 2*z)**2 + (x + y - 5*z - 3)**2),
    ("x**3/6 - y/3 + 0.1*z", lambda x, y, z: x**3 / 6 - y / 3 + sympy.Rational(1, 10) * z),
    ("exp(y**-x - log(z)) + (y - z)**2 * log(x)",  # the exercise function, with x for v
     lambda x, y, z: sympy.exp(y**-x - sympy.log(z)) + (y - z)**2 * sympy.log(x)),
    ("(x + y + x*y) * (x + y)", lambda x, y, z: (x + y + x*y) * (x + y)),  # the worked example
    ("sigmoid(x) * tanh(y) / sqrt(z)", lambda x, y, z: 1 / (1 + sympy.exp(-x)) * sympy.tanh(y) / sympy.sqrt(z)),
]


@pytest.mark.parametrize("text,reference", SYMPY_CASES, ids=[t for t, _ in SYMPY_CASES])
def test_values_match_sympy(text, reference):
    x, y, z = sympy.symbols("x y z", positive=True)
    c = parse(text, inputs="x y z")
    got = c.evaluate(x=x, y=y, z=z)["f"]
    assert sympy.simplify(got - reference(x, y, z)) == 0


def test_exact_evaluation_with_fractions():
    c = parse("x/3 + 0.25*y - 1e-2 + x**-2", inputs="x y")
    x, y = Fraction(3, 7), Fraction(-5, 2)
    assert c.evaluate(x=x, y=y) == {"f": x / 3 + y / 4 - Fraction(1, 100) + 1 / (x * x)}


# --- structure ---------------------------------------------------------------------------

def test_figure_1_size_7_depth_3():
    c = parse(FIGURE_1)
    assert (c.size, c.depth) == (7, 3)
    assert list(c.inputs) == ["x", "y", "z"]
    assert _ops(c) == ["add"] * 4 + ["square"] * 3
    assert c.evaluate(x=1, y=1, z=1) == {"f": 45}  # 0**2 + (-3)**2 + (-6)**2


def test_linear_part_is_one_weighted_add_gate():
    c = parse("x - 3*y + z/4 - 7 + x")
    assert _ops(c) == ["add"]
    v = c.outputs["f"]
    terms = {c.name(u) if c.op(u) == "input" else ("const", c.value(u)): w
             for u, w in zip(c.args(v), c.weights(v))}
    assert terms == {"x": 2, "y": -3, "z": Fraction(1, 4), ("const", -7): 1}


@pytest.mark.parametrize("text,ops", [
    ("x**2", ["square"]),
    ("x**5", ["pow"]),
    ("pow(x, 5)", ["pow"]),
    ("x**-1", ["recip"]),
    ("x**0.5", ["sqrt"]),
    ("x**1", []),
    ("x**y", ["exp", "log", "mul"]),
    ("x*y*z", ["mul", "mul"]),
    ("x/y", ["div"]),
    ("sin(x) + sin(x)", ["add", "sin"]),  # one shared sin gate
    ("x**(1 + 1)", ["square"]),           # the exponent folds first
])
def test_gates_built(text, ops):
    assert _ops(parse(text)) == ops


def test_pow_gate_exponent_is_an_integer_constant():
    c = parse("x**7")
    (v,) = c.gates()
    assert c.op(v) == "pow" and c.value(c.args(v)[1]) == 7


def test_numbers_fold_exactly():
    cases = {"0.1 + 0.2": Fraction(3, 10), "1/3": Fraction(1, 3), "2**-2": Fraction(1, 4),
             "1e-3": Fraction(1, 1000), "2.5E+2": 250, "(1/3)**2 * 9": 1, "007": 7,
             "1.": 1, "-2**2": -4, "(-2)**2": 4, "2**3**2": 512, "8/4/2": 1, "8-4-2": 2,
             "2*3**2": 18, "relu(-1/2) + step(1/2)": 1, "square(1/3)": Fraction(1, 9),
             "recip(4)": Fraction(1, 4), "pow(2, 10)": 1024}
    for text, value in cases.items():
        c = parse(text)
        assert c.size == 0, text
        out = c.outputs["f"]
        assert c.value(out) == value and type(c.value(out)) is type(value), text


def test_transcendental_constants_fold_to_floats():
    c = parse("exp(1) - e + sqrt(16) + 4**0.5 + pi")
    assert c.size == 0
    assert math.isclose(c.value(c.outputs["f"]), 4 + 2 + math.pi, rel_tol=1e-15)


def test_does_not_mutate_or_share_between_calls():
    a = parse("x + 1")
    b = parse("x + 1")
    assert a is not b and a.evaluate(x=1) == b.evaluate(x=1) == {"f": 2}


def test_output_name_and_constant_output():
    c = parse("3", name="g")
    assert list(c.outputs) == ["g"] and list(c.inputs) == [] and c.evaluate() == {"g": 3}
    c = parse("y", name="g")
    assert c.outputs["g"] == c.inputs["y"]


# --- inputs --------------------------------------------------------------------------------

def test_inputs_default_to_first_appearance():
    assert list(parse("b*c + a - b").inputs) == ["b", "c", "a"]


def test_inputs_fix_the_order_and_may_be_unused():
    c = parse("b*c", inputs=["a", "c", "b", "d"])
    assert list(c.inputs) == ["a", "c", "b", "d"]
    assert c.evaluate(a=0, b=2, c=3, d=0) == {"f": 6}
    assert list(parse("b*c", inputs="c, b a").inputs) == ["c", "b", "a"]


def test_name_not_in_inputs_is_an_error_naming_it():
    with pytest.raises(ParseError, match="'z'.*inputs") as err:
        parse("x + y*z", inputs=["x", "y"])
    assert err.value.position == 6


def test_pi_and_e_are_inputs_when_listed():
    c = parse("pi * e", inputs=["pi", "e"])
    assert list(c.inputs) == ["pi", "e"] and c.evaluate(pi=2, e=3) == {"f": 6}
    c = parse("pi * e * x")
    assert list(c.inputs) == ["x"]
    assert math.isclose(c.evaluate(x=1)["f"], math.pi * math.e)


def test_bad_inputs_argument_raises_circuit_error():
    with pytest.raises(CircuitError, match="already exists"):
        parse("x", inputs=["x", "x"])


# --- several outputs ----------------------------------------------------------------------

def test_list_of_formulas_share_inputs_and_nodes():
    c = parse(["sin(x) * y", "sin(x) + z", "2"])
    assert list(c.outputs) == ["f0", "f1", "f2"]
    assert list(c.inputs) == ["x", "y", "z"]
    assert _ops(c).count("sin") == 1
    got = c.evaluate(x=0.5, y=2.0, z=3.0)
    assert math.isclose(got["f0"], math.sin(0.5) * 2) and math.isclose(got["f1"], math.sin(0.5) + 3)
    assert got["f2"] == 2
    assert list(parse(["x", "y"], name="g").outputs) == ["g0", "g1"]


def test_dict_of_formulas():
    c = parse({"loss": "(w*x - t)**2", "pred": "w*x"}, inputs=["w", "x", "t"])
    assert list(c.outputs) == ["loss", "pred"]
    assert _ops(c).count("mul") == 1
    assert c.evaluate(w=2, x=3, t=1) == {"loss": 25, "pred": 6}


def test_error_in_one_of_several_formulas_names_it():
    with pytest.raises(ParseError, match="output 'f1'") as err:
        parse(["x + 1", "x + )"])
    assert err.value.position == 4 and err.value.text == "x + )"


@pytest.mark.parametrize("text", [3, None, b"x + 1", [], {}, ["x", 2], {"": "x"}])
def test_bad_text_argument_raises_circuit_error(text):
    with pytest.raises(CircuitError):
        parse(text)


# --- error paths with their positions --------------------------------------------------------

ERRORS = [
    ("", 0, "empty expression"),
    ("   ", 0, "empty expression"),
    ("x +", 3, "end of the formula"),
    ("x $ y", 2, "unexpected character '\\$'"),
    ("x \x00 y", 2, "unexpected character"),
    ("x^2", 1, "use|write x\\*\\*2"),
    ("2 ** 3 ^ 4", 7, "'\\^' is not a power"),
    ("foo(x)", 0, "unknown function 'foo'"),
    ("x + bar (x)", 4, "unknown function 'bar'"),
    ("sin(x, y)", 0, "exactly 1 argument, got 2"),
    ("pow(x)", 0, "exactly 2 arguments, got 1"),
    ("x + exp()", 4, "exactly 1 argument, got 0"),
    ("sin", 0, "is a function"),
    ("(x + 1", 0, "never closed"),
    ("x * sin(x", 4, "never closed"),
    ("x + 1)", 5, "without a matching"),
    ("()", 0, "empty parentheses"),
    ("x + ()", 4, "empty parentheses"),
    ("x.real", 1, "attribute access"),
    ("(x).real", 3, "attribute access"),
    ("x . y", 2, "attribute access"),
    ("x[0]", 1, "subscripts"),
    ("'x'", 0, "strings"),
    ('"x"', 0, "strings"),
    ("lambda x: x", 0, "'lambda' is a Python keyword"),
    ("x if y else z", 2, "'if' is a Python keyword"),
    ("x and y", 2, "keyword"),
    ("None", 0, "keyword"),
    ("__import__", 0, "'__'"),
    ("x + __class__", 4, "'__'"),
    ("x, y", 1, "comma outside"),
    ("(x, y)", 2, "comma outside"),
    ("sin(x), y", 6, "comma outside"),
    (",", 0, "unexpected ','"),
    ("x = 1", 2, "assignments"),
    ("x < 1", 2, "comparisons"),
    ("x // 2", 2, "floor division"),
    ("x % 2", 2, "'%'"),
    ("x @ y", 2, "'@'"),
    ("x; y", 1, "statements"),
    ("{x}", 0, "dicts and sets"),
    ("x # comment", 2, "comments"),
    ("~x", 0, "bitwise"),
    ("2x", 1, "write 2\\*x"),
    ("2 x", 2, "operator is missing"),
    ("x y", 2, "operator is missing"),
    ("(x)(y)", 3, "operator is missing"),
    ("x sin(y)", 2, "operator is missing"),
    ("1.2.3", 3, "malformed number"),
    ("1e", 1, "malformed exponent"),
    ("1_000", 1, "underscores"),
    ("0x1F", 1, "only decimal"),
    ("x * * y", 4, "unexpected '\\*'"),
    ("* x", 0, "unexpected '\\*'"),
    ("x + / y", 4, "unexpected '/'"),
    ("x ** ", 5, "end of the formula"),
    ("1" * (MAX_DIGITS + 1), 0, "digits"),
    ("1e-999999999", 0, "out of range"),
    ("x * 1e500", 4, "out of range"),
    ("x ∗ y", 2, "unexpected character"),
    ("x²", 1, "unexpected character"),
]


@pytest.mark.parametrize("text,position,message", ERRORS, ids=[repr(t[0])[:40] for t in ERRORS])
def test_error_position_and_message(text, position, message):
    with pytest.raises(ParseError, match=message) as err:
        parse(text)
    assert err.value.position == position
    assert err.value.text == text


# Failures of the builder or of folding become ParseErrors at the operator or call.
BUILD_ERRORS = [
    ("x / 0", 2, "division"),
    ("x / (1 - 1)", 2, "division"),
    ("1 / (2 - 2)", 2, "division by zero"),
    ("x**10**10", 1, "too large"),
    ("x ** 1e300", 2, "too large"),
    (f"x**{MAX_EXPONENT + 1}", 1, "too large"),
    ("(-2)**x", 4, "positive base"),
    ("0**x", 1, "positive base"),
    ("-pow(x-x, x)", 1, "positive base"),     # a base that folds to 0 is refused like a literal 0
    ("(y - y) ** x", 8, "positive base"),
    ("0**-1", 1, "zero to a negative power"),
    ("log(0)", 0, "math domain error"),
    ("1 + sqrt(-1)", 4, "math domain error"),
    ("exp(1000)", 0, "cannot compute exp\\(1000\\)"),
    ("(-8)**(1/3)", 4, "not a real number"),
    ("10**10**10", 2, "bits"),
    ("9**9**9**9", 4, "bits"),
    ("2**2**2**2**2", 1, "bits"),
    ("(1/3)**100000", 5, "bits"),
    ("x" + "/7" * 3000, None, "constant factors"),
    ("1e300 * 1e300 * 1e300 * 1e300 * 1e300 * 1e300 * 1e300 * 1e300 * 1e300", None, "bits"),
    ("recip(0)", 0, "division by zero"),
    ("x * 2**5000 * 2**5000", 12, "constant factors"),
    ("(x + 1)/3**3000/3**3000", 15, "constant factors"),
]


def test_wire_powers_whose_base_or_exponent_folds_to_a_constant():
    """x ** (y - y) is x ** 0 = 1 even at x < 0 (not exp(0 · log x)); (x - x + 2) ** y is 2 ** y."""
    assert parse("x ** (y - y)").evaluate(x=-0.5, y=3.0) == {"f": 1}
    assert parse("(x - x + 2) ** y").evaluate(x=-0.5, y=3.0)["f"] == pytest.approx(8.0, rel=1e-15)
    assert parse("x ** (y - y + 2)").evaluate(x=-3, y=1) == {"f": 9}


@pytest.mark.parametrize("text,position,message", BUILD_ERRORS, ids=[t[0][:30] for t in BUILD_ERRORS])
def test_build_and_folding_errors_become_parse_errors(text, position, message):
    with pytest.raises(ParseError, match=message) as err:
        parse(text)
    if position is not None:
        assert err.value.position == position
    assert text[err.value.position] in "+-*/(" or text[err.value.position].isalpha()


def test_float_factors_overflowing_while_collected_are_refused():
    # exp(700)**2 overflows a float only when the builder multiplies the two
    # factors into the add gate's weight; nothing in the text is too large.
    with pytest.raises(ParseError, match="overflows to infinity"):
        parse("x * exp(700) * exp(700)")


def test_folded_constants_stay_within_the_bit_limit():
    c = parse("2**8000 * x")
    assert c.weights(c.outputs["f"]) == (2**8000,)
    with pytest.raises(ParseError, match="bits"):
        parse(f"2**{MAX_BITS} * x")


def test_error_message_points_at_the_position():
    with pytest.raises(ParseError) as err:
        parse("x + y^2")
    lines = str(err.value).splitlines()
    assert lines[1].strip() == "x + y^2"
    assert lines[2].index("^") - lines[1].index("x") == 5


def test_too_long_text():
    with pytest.raises(ParseError, match="too long") as err:
        parse("x" * (MAX_LENGTH + 1))
    assert err.value.position == MAX_LENGTH


# --- deep and long formulas (nothing recursive) ---------------------------------------------

def test_deep_parentheses_parse():
    n = 100_000
    c = parse("(" * n + "x + 1" + ")" * n)
    assert c.size == 1 and c.evaluate(x=2) == {"f": 3}


def test_deep_calls_and_powers():
    n = 10_000
    c = parse("sin(" * n + "x" + ")" * n)
    assert (c.size, c.depth) == (n, n)
    value = 0.5
    for _ in range(n):
        value = math.sin(value)
    assert math.isclose(c.evaluate(x=0.5)["f"], value, rel_tol=1e-12)
    c = parse("x" + "**1" * 20_000)  # right-associative: x ** (1 ** (1 ** ...))
    assert c.outputs["f"] == c.inputs["x"]


def test_deep_unary_minus_and_long_sums():
    c = parse("-" * 20_001 + "x")
    assert c.evaluate(x=Fraction(3)) == {"f": -3}
    c = parse(" + ".join(f"{i}*x{i}" for i in range(1, 2001)))
    assert c.size == 1 and c.evaluate({f"x{i}": 1 for i in range(1, 2001)}) == {"f": 2000 * 2001 // 2}
