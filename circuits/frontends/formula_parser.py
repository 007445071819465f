"""The formula parser behind :func:`circuits.parse`: the limits and grammar tables, the
tokenizer (one regular expression), the iterative operator-precedence :class:`Parser`, and the
guarded folding of numeric sub-expressions.

:mod:`circuits.frontends.parse` describes the grammar and re-exports the limits and tables.

Examples
--------
>>> parser = Parser(None)
>>> parser.formula("2*x + 1/3", None), list(parser.input_ids)
(<Wire: pending linear combination>, ['x'])
>>> parser.formula("2**10 - 24", None)
1000
"""

from __future__ import annotations

import keyword
import math
import re
from fractions import Fraction
from typing import Mapping, Optional

from ..core.builder import Builder, Wire, function
from ..core.checks import check_names
from ..core.errors import CircuitError, ParseError, did_you_mean
from ..core.folding import TooLarge, fold
from ..core.gates import function_names, gate_of_function


__all__ = ["Parser", "FUNCTIONS", "CONSTANTS", "MAX_LENGTH", "MAX_DIGITS", "MAX_BITS"]

#: Longest text accepted, in characters.
MAX_LENGTH = 1_000_000

#: Most significant digits a number literal may have, and the largest
#: decimal exponent it may carry.
MAX_DIGITS = 400

#: Largest bit length of the numerator or denominator of an exact constant
#: obtained by folding numeric sub-expressions.
MAX_BITS = 1 << 13


class _Functions(Mapping):
    """Functions a formula may call → their number of arguments (``None``: variadic).

    A live view of the gate registry: every gate declared with ``function=True``,
    under its name and its aliases, registered gates included.
    """

    def __getitem__(self, name):
        gate = gate_of_function(name)
        if gate is None:
            raise KeyError(name)
        return gate.arity

    def __iter__(self):
        return iter(function_names())

    def __len__(self):
        return len(function_names())


#: Functions a formula may call, with their number of arguments.
FUNCTIONS = _Functions()

#: Named constants (shadowed by inputs of the same name).
CONSTANTS = {"pi": math.pi, "e": math.e}

# Binding power of the operators; unary signs sit between * and **, as in Python.
_BINARY = {"+": 1, "-": 1, "*": 2, "/": 2, "**": 4}
_UNARY_PRECEDENCE = 3

_TOKEN = re.compile(r"""
    (?P<space>[ \t\n\r\f\v]+)
  | (?P<number>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>\*\*|//|[-+*/(),])
""", re.VERBOSE | re.ASCII)
_SPACE = re.compile(r"[ \t\n\r\f\v]*")
_NUMBER = re.compile(r"([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?", re.ASCII)

# Characters of Python syntax that a formula may not use, and why.
_FORBIDDEN = {
    "^": "'^' is not a power operator in formulas; write x**2 for powers",
    ".": "attribute access ('.') is not allowed in formulas",
    "[": "subscripts and lists ('[') are not allowed in formulas",
    "]": "subscripts and lists (']') are not allowed in formulas",
    "{": "dicts and sets ('{') are not allowed in formulas",
    "}": "dicts and sets ('}') are not allowed in formulas",
    "'": "strings are not allowed in formulas",
    '"': "strings are not allowed in formulas",
    "=": "assignments and comparisons ('=') are not allowed in formulas",
    "<": "comparisons ('<') are not allowed in formulas; use relu/step",
    ">": "comparisons ('>') are not allowed in formulas; use relu/step",
    "!": "comparisons ('!') are not allowed in formulas; use relu/step",
    "%": "'%' is not supported in formulas",
    "@": "'@' (matrix product, decorators) is not supported in formulas",
    "&": "bitwise operators ('&') are not supported in formulas",
    "|": "bitwise operators ('|') are not supported in formulas",
    "~": "bitwise operators ('~') are not supported in formulas",
    ";": "statements (';') are not allowed in formulas; pass a list of formulas for several outputs",
    ":": "lambdas, slices and annotations (':') are not allowed in formulas",
    "#": "comments ('#') are not allowed in formulas",
    "\\": "backslashes are not allowed in formulas",
}


class Parser:
    """One builder shared by all formulas, with the sub-expression table."""

    def __init__(self, inputs):
        self.builder = Builder()
        self.memo: dict = {}       # structural key -> (wire, id, bound)
        self.fixed = inputs is not None
        self.input_ids: dict[str, tuple] = {}
        self.next_id = 0
        if inputs is not None:
            for n in check_names(inputs, "parse: inputs", split=True):
                wire = self.builder.input(n)  # CircuitError for bad/duplicate names
                self.input_ids[n] = (wire, self._new_id(), _NODE)

    def _new_id(self) -> int:
        self.next_id += 1
        return self.next_id

    # --- driver ----------------------------------------------------------------

    def formula(self, text: str, label: Optional[str]):
        """Parse one formula; return its wire or number."""
        self.text = text
        self.label = label
        if len(text) > MAX_LENGTH:
            self.fail(f"the formula is too long ({len(text)} characters; at most {MAX_LENGTH})",
                      MAX_LENGTH)
        values: list = []     # operands: (wire or number, id or None, bound or None)
        ops: list = []        # [kind, op, position, argument count]
        expect_operand = True
        seen_token = False
        for kind, tok, pos in self.tokens():
            seen_token = True
            if expect_operand:
                expect_operand = self._operand(kind, tok, pos, values, ops)
            else:
                expect_operand = self._operator(kind, tok, pos, values, ops)
        if not seen_token:
            self.fail("empty expression", 0)
        if expect_operand:
            self.fail("unexpected end of the formula: an operand is missing", len(text))
        while ops:
            top = ops.pop()
            if top[0] in ("group", "call"):
                what = f"the '(' of {top[1]}(" if top[0] == "call" else "this '('"
                self.fail(f"unbalanced parenthesis: {what} is never closed", top[2])
            self.apply(top, values)
        return values[-1][0]

    def _operand(self, kind: str, tok: str, pos: int, values: list, ops: list) -> bool:
        """Take a token where an operand is expected; return whether one still is."""
        if kind == "number":
            values.append((self.number(tok, pos), None, None))
            return False
        if kind == "name":
            values.append(self.name(tok, pos))
            return False
        if kind == "call":
            ops.append(["call", tok, pos, 0])
        elif tok == "(":
            ops.append(["group", "(", pos, 0])
        elif tok in "+-":
            ops.append(["unary", tok, pos, 0])
        elif tok == ")":
            top = ops[-1] if ops else None
            if top is not None and top[0] == "call" and top[3] == 0:
                self.arity_error(top, 0)
            if top is not None and top[0] == "group":
                self.fail("empty parentheses '()'", top[2])
            self.fail("unexpected ')': an operand is missing before it", pos)
        else:
            self.fail(f"unexpected {tok!r}: expected a number, a name or '('", pos)
        return True

    def _operator(self, kind: str, tok: str, pos: int, values: list, ops: list) -> bool:
        """Take a token after an operand (an operator, ')' or ','); return whether an operand is expected."""
        if kind != "op":
            what = f"number {tok}" if kind == "number" else f"name {tok!r}"
            self.fail(f"unexpected {what}: an operator is missing before it "
                      "(write 2*x, not 2x or 2 x)", pos)
        if tok in _BINARY:
            prec = _BINARY[tok]
            right = tok == "**"
            while ops and ops[-1][0] in ("binary", "unary"):
                top = ops[-1]
                top_prec = _UNARY_PRECEDENCE if top[0] == "unary" else _BINARY[top[1]]
                if top_prec > prec or (top_prec == prec and not right):
                    self.apply(ops.pop(), values)
                else:
                    break
            ops.append(["binary", tok, pos, 0])
            return True
        if tok == ")":
            opener = self.unwind(ops, values, pos, ")")
            if opener[0] == "call":
                opener[3] += 1
                self.call(opener, values)
            return False
        if tok != ",":  # "("
            self.fail("unexpected '(' after an operand: an operator is missing "
                      "(write a*(b), not a(b))", pos)
        opener = self.unwind(ops, values, pos, ",")
        if opener[0] != "call":
            self.fail("a comma outside a function call's parentheses "
                      "(tuples are not allowed)", pos)
        opener[3] += 1
        ops.append(opener)
        return True

    def unwind(self, ops, values, pos, tok):
        """Apply operators down to the innermost open parenthesis; pop and return it."""
        while ops and ops[-1][0] in ("binary", "unary"):
            self.apply(ops.pop(), values)
        if not ops:
            if tok == ")":
                self.fail("unbalanced parenthesis: ')' without a matching '('", pos)
            self.fail("a comma outside a function call's parentheses (tuples are not allowed)", pos)
        return ops.pop()

    def fail(self, message: str, position: int):
        if self.label is not None:
            message = f"output {self.label!r}: {message}"
        raise ParseError(message, position, self.text) from None

    # --- tokens --------------------------------------------------------------------

    def tokens(self):
        """Yield ``(kind, token, position)``; kinds: number, name, call, op."""
        text = self.text
        n = len(text)
        pos = 0
        match = _TOKEN.match
        while pos < n:
            m = match(text, pos)
            if m is None:
                self.bad_character(pos)
            kind = m.lastgroup
            end = m.end()
            tok = m.group()
            if kind == "number":
                if end < n and (text[end].isalnum() or text[end] in "._"):
                    self.bad_number_tail(tok, pos, end)
                yield kind, tok, pos
            elif kind == "name":
                if tok.startswith("__"):
                    self.fail(f"names starting with '__' are not allowed in formulas ({tok!r})", pos)
                if keyword.iskeyword(tok):
                    self.fail(f"{tok!r} is a Python keyword; formulas contain only arithmetic", pos)
                after = _SPACE.match(text, end).end()
                if after < n and text[after] == "(":
                    if tok not in FUNCTIONS:
                        self.fail(f"unknown function {tok!r}{did_you_mean(tok, FUNCTIONS)}; the "
                                  f"functions are {', '.join(sorted(FUNCTIONS))}", pos)
                    yield "call", tok, pos
                    end = after + 1
                else:
                    if end < n and text[end] == ".":
                        self.fail("attribute access ('.') is not allowed in formulas", end)
                    yield kind, tok, pos
            elif kind == "op":
                if tok == "//":
                    self.fail("floor division '//' is not supported in formulas", pos)
                if tok == ")" and end < n and text[end] == ".":
                    self.fail("attribute access ('.') is not allowed in formulas", end)
                yield kind, tok, pos
            pos = end

    def bad_character(self, pos):
        text = self.text
        ch = text[pos]
        if ch in _FORBIDDEN:
            self.fail(_FORBIDDEN[ch], pos)
        if ch.isprintable():
            self.fail(f"unexpected character {ch!r}", pos)
        self.fail(f"unexpected character {ch!r} (U+{ord(ch):04X})", pos)

    def bad_number_tail(self, tok, pos, end):
        ch = self.text[end]
        if ch == "_":
            self.fail("underscores in numbers are not supported", end)
        if ch == ".":
            self.fail(f"malformed number {tok + '.'!r}", end)
        if tok in ("0",) and ch in "xXoObB":
            self.fail("only decimal numbers are supported", end)
        if ch in "eE":
            self.fail(f"malformed exponent after {tok!r} (write 1e-3, 2.5E+4)", end)
        self.fail(f"a number cannot be directly followed by {ch!r}; "
                  f"write {tok}*{ch} for a product", end)

    # --- operands --------------------------------------------------------------------

    def number(self, tok: str, pos: int):
        whole, frac, exponent = _NUMBER.fullmatch(tok).groups()  # type: ignore[union-attr]  # tok matched _NUMBER
        frac = frac or ""
        digits = (whole + frac).lstrip("0")
        if len(digits) > MAX_DIGITS:
            self.fail(f"number literal with {len(digits)} digits; at most {MAX_DIGITS} are supported", pos)
        if exponent is None and not frac and "." not in tok:
            return int(whole)
        shift = -len(frac)
        if exponent is not None:
            if len(exponent.lstrip("+-").lstrip("0")) > 6:
                self.fail(f"exponent of {tok!r} is out of range (at most ±{MAX_DIGITS})", pos)
            shift += int(exponent)
        mantissa = int(digits or "0")
        if mantissa == 0:
            return 0
        magnitude = len(digits) + shift
        if not -MAX_DIGITS <= magnitude <= MAX_DIGITS:
            self.fail(f"number {tok!r} is out of range (at most 10**±{MAX_DIGITS})", pos)
        value = mantissa * Fraction(10) ** shift
        return value.numerator if value.denominator == 1 else value

    def name(self, tok: str, pos: int):
        entry = self.input_ids.get(tok)
        if entry is not None:
            return entry
        if tok in CONSTANTS:
            return CONSTANTS[tok], None, None
        if tok in FUNCTIONS:
            self.fail(f"{tok!r} is a function; call it as {tok}(...)", pos)
        if self.fixed:
            self.fail(f"unknown name {tok!r}: it is not one of the inputs "
                      f"{list(self.input_ids)}{did_you_mean(tok, self.input_ids)}; add it to the "
                      f"inputs (inputs=[...] in Python, --inputs on the command line)", pos)
        try:
            wire = self.builder.input(tok)
        except CircuitError as err:
            self.fail(str(err), pos)
        entry = self.input_ids[tok] = (wire, self._new_id(), _NODE)
        return entry

    # --- operations ---------------------------------------------------------------------

    def apply(self, op, values):
        kind, tok, pos, _ = op
        if kind == "unary":
            x = values.pop()
            if tok == "+":
                values.append(x)
            else:
                values.append(self.combine("neg", [x], pos, lambda u: -u, _negate))
            return
        y = values.pop()
        x = values.pop()
        values.append(self.combine(tok, [x, y], pos, _WIRE_BINARY[tok], _FOLD_BINARY[tok]))

    def call(self, op, values):
        _, fname, pos, argc = op
        gate = gate_of_function(fname)
        if not gate.accepts(argc):
            self.arity_error(op, argc)
        args = values[len(values) - argc:]
        del values[len(values) - argc:]
        values.append(self.combine(gate.name, args, pos, function(fname), _gate_fold(gate)))

    def arity_error(self, op, argc):
        _, fname, pos, _ = op
        self.fail(f"{fname}() takes {gate_of_function(fname).arity_text()}, got {argc}", pos)

    def combine(self, op, args, pos, on_wires, on_numbers):
        """``op`` over operands: folded when all are numbers, else one shared wire."""
        key = [op]
        wired = False
        for v, k, _ in args:
            if k is None:
                key.append((type(v), v))
            else:
                key.append(k)
                wired = True
        operands = [entry[0] for entry in args]
        if not wired:
            try:
                return _normalise(on_numbers(*operands)), None, None
            except _Fail as err:
                message = f"{_describe(op, args)}: {err}"
            except (ArithmeticError, ValueError, TypeError) as err:
                message = f"cannot compute {_describe(op, args)}: {err}"
            self.fail(message, pos)
        key = tuple(key)
        entry = self.memo.get(key)
        if entry is not None:
            return entry
        try:
            result = on_wires(*operands)
        except CircuitError as err:
            self.fail(str(err), pos)
        except (ArithmeticError, ValueError, TypeError) as err:
            self.fail(f"cannot build {_describe(op, args)}: {err}", pos)
        if isinstance(result, Wire):
            bound = _bound(op, args, result)
            bits = _bound_bits(bound)
            if bits > MAX_BITS:
                self.fail(f"the constant factors of this linear combination may grow beyond "
                          f"{MAX_BITS} bits (about {bits}); use fewer or simpler "
                          "constant factors", pos)
            self.next_id += 1
            entry = (result, self.next_id, bound)
        else:
            entry = (_normalise(result), None, None)
        self.memo[key] = entry
        return entry


# --- size of the coefficients of pending linear combinations ----------------------
#
# A wire may be a pending linear combination c + Σ a_i·w_i that the builder
# collects into one add gate when it is used.  Its coefficients are sums of
# products of the numbers met on the way, so ``x/7/7/7...`` or
# ``x/2 + x/3 + x/5 + ...`` would make exact coefficients of millions of bits,
# collected in quadratic time.  Each wire operand carries a bound
# ``(log2 S, D)``: S bounds the sum of the absolute values of those products
# (so every coefficient is at most S) and D is a common multiple of their
# denominators (so every coefficient is n/D with |n| <= S·D).

_NODE = (0.0, 1)  # a node: the single coefficient 1
_LINEAR = ("+", "-", "neg", "*", "/", "**")  # the ops whose result may stay pending


def _log2_abs(n) -> float:
    if n == 0:
        return -math.inf
    if isinstance(n, float):
        return math.log2(abs(n))
    if isinstance(n, int):
        return float(n.bit_length())
    return float(n.numerator.bit_length() - n.denominator.bit_length() + 1)


def _number_bound(n) -> tuple:
    return _log2_abs(n), (n.denominator if isinstance(n, Fraction) else 1)


def _bound(op, args, result) -> tuple:
    """Bound of the wire ``result`` of ``op`` over ``args`` (see above)."""
    if op not in _LINEAR:
        return _NODE
    bounds = [entry[2] if entry[1] is not None else _number_bound(entry[0]) for entry in args]
    wired = [entry[1] is not None for entry in args]
    if op in ("+", "-"):
        (sa, da), (sb, db) = bounds
        if sa == sb and da == db and sa == 0.0 and da == 1:  # two nodes: x + y
            return 1.0, 1
        high, low = max(sa, sb), min(sa, sb)
        s = high if low == -math.inf else high + math.log2(1 + 2.0 ** (low - high))
        return s, (da if da == db else math.lcm(da, db))
    if op == "neg":
        return bounds[0]
    if op == "*" and not all(wired):
        (sa, da), (sb, db) = bounds
        return sa + sb, da * db
    if op == "/" and wired[0] and not wired[1]:
        n = args[1][0]
        (sa, da) = bounds[0]
        return sa - _log2_abs(n) + 2, da * abs(n.numerator if isinstance(n, Fraction) else
                                                 n if isinstance(n, int) else 1)
    if op == "/" and wired[1] and not wired[0]:
        return bounds[0]
    if op == "**" and result is args[0][0]:
        return bounds[0]
    return _NODE


def _bound_bits(bound) -> int:
    s, d = bound
    # s is -inf when every coefficient is zero (``0*x``): no bits beyond D's
    if s == math.inf:
        return MAX_BITS + 1 + d.bit_length()
    return d.bit_length() + (math.ceil(s) if s > 0 else 0)


class _Fail(Exception):
    """A folding guard tripped; the message says which."""


def _describe(op, args):
    shown = ["…" if k is not None else _short(v) for v, k, _ in args]
    if op == "neg":
        return f"-{shown[0]}"
    if op in _BINARY:
        return f"{shown[0]} {op} {shown[1]}"
    return f"{op}({', '.join(shown)})"


def _short(v):
    s = str(v)
    if len(s) > 30:
        s = f"{s[:12]}…{s[-6:]} ({len(s)} characters)"
    return f"({s})" if s.startswith("-") or "/" in s else s


def _exact(v) -> bool:
    return isinstance(v, (int, Fraction))


def _bits(v) -> int:
    if isinstance(v, int):
        return v.bit_length()
    return max(v.numerator.bit_length(), v.denominator.bit_length())


def _normalise(value):
    """Check a folded number and give it its canonical type."""
    if isinstance(value, complex):
        raise _Fail("the result is not a real number")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _Fail("the result overflows")
        return value
    if isinstance(value, Fraction):
        if _bits(value) > MAX_BITS:
            raise _Fail(f"the result has more than {MAX_BITS} bits")
        return value.numerator if value.denominator == 1 else value
    if isinstance(value, int):
        if value.bit_length() > MAX_BITS:
            raise _Fail(f"the result has more than {MAX_BITS} bits")
        return value
    raise _Fail(f"unexpected value {value!r}")


def _negate(x):
    return -x


def _divide(x, y):
    if y == 0:
        raise _Fail("division by zero")
    if _exact(x) and _exact(y):
        return Fraction(x) / y
    return x / y


def _power(x, k):
    """``x ** k`` for numbers, refusing results too large to hold."""
    if isinstance(k, int):
        if isinstance(x, float):
            return x ** k
        if x == 0 and k < 0:
            raise _Fail("zero to a negative power")
        if k == 0:  # 0**0 is 1, as in Python
            return 1
        if x in (0, 1):
            return x
        if x == -1:
            return 1 if k % 2 == 0 else -1
        # |x| >= 2 or <= 1/2 here, so the result has at least |k|·(bits - 1) bits.
        if abs(k) * (_bits(x) - 1) > MAX_BITS:
            raise _Fail(f"the result would have about {abs(k) * (_bits(x) - 1)} bits; "
                        f"exact constants are limited to {MAX_BITS} bits")
        return Fraction(x) ** k if k < 0 else x ** k
    # A non-integer exponent: a float power, as in Python.
    return float(x) ** float(k)


def _gate_fold(gate):
    """``gate`` folded on numbers by the one constant folder, within :data:`MAX_BITS`."""
    def on_numbers(*xs):
        try:
            return fold(gate, xs, max_bits=MAX_BITS)
        except TooLarge as err:
            raise _Fail(f"{err}; exact constants are limited to {MAX_BITS} bits") from None
    return on_numbers


_FOLD_BINARY = {
    "+": lambda x, y: x + y,
    "-": lambda x, y: x - y,
    "*": lambda x, y: x * y,
    "/": _divide,
    "**": _power,
}

_WIRE_BINARY = {
    "+": lambda x, y: x + y,
    "-": lambda x, y: x - y,
    "*": lambda x, y: x * y,
    "/": lambda x, y: x / y,
    "**": lambda x, y: x ** y,
}
