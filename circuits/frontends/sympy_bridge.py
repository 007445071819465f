"""The bridge to sympy: :func:`to_sympy` evaluates a circuit on symbols (with the registry's ``sym``
functions); :func:`from_sympy` turns sympy expressions into a circuit,
sharing repeated subexpressions (the circuit is a DAG, not a tree).

Examples
--------
>>> import circuits, sympy
>>> c = circuits.trace(lambda x, y: circuits.sin(x * y) + 2 * x)
>>> to_sympy(c)
{'f': 2*x + sin(x*y)}
>>> x, y = sympy.symbols("x y")
>>> d = from_sympy(sympy.sin(x * y) + sympy.sin(x * y) ** 2)
>>> d.size, d.evaluate(x=0, y=1.0)
(4, {'f': 0.0})
"""

from __future__ import annotations

import math
import numbers
from fractions import Fraction
from typing import Mapping, Optional, Sequence, Union

import sympy

from ..core.builder import Builder
from ..core.checks import check_names, shown
from ..core.circuit import Circuit, check_number
from ..core.errors import CircuitError
from ..eval.budget import symbolic_budget
from ..eval.interpreter import compile as _compile, evaluate
from ..core.gates import GATES, MAX_EXPONENT

__all__ = ["to_sympy", "from_sympy"]


def to_sympy(circuit: Circuit) -> dict:
    """The sympy expression of every output, with inputs as ``sympy.Symbol(name)``.

    Evaluates the circuit on symbols with each gate's ``sym`` function, so
    exact constants stay exact (a Fraction becomes a ``sympy.Rational``).
    A shared node is one shared sympy subexpression.

    Parameters
    ----------
    circuit : Circuit

    Returns
    -------
    dict
        Output name → sympy expression.

    Examples
    --------
    >>> import circuits
    >>> c = circuits.trace(lambda x, y: circuits.sigmoid(x) * circuits.relu(y) / 2)
    >>> circuits.to_sympy(c)
    {'f': Max(0, y)/(2*(1 + exp(-x)))}
    """
    if not isinstance(circuit, Circuit):
        raise CircuitError(f"to_sympy expects a Circuit, got {type(circuit).__name__}")
    with symbolic_budget("to_sympy"):
        return _to_sympy(circuit)


def _to_sympy(circuit: Circuit) -> dict:
    try:
        if circuit.inputs:
            return evaluate(circuit, {name: sympy.Symbol(name) for name in circuit.inputs})
        # No inputs to carry symbols: run the compiled function in the sympy number system.
        try:
            out = _compile(circuit).function("sympy")()
        except (ValueError, ZeroDivisionError, ArithmeticError, TypeError) as exc:
            raise CircuitError(f"the constant circuit cannot be evaluated symbolically: {exc}") from None
        return {name: sympy.sympify(v) for name, v in zip(circuit.outputs, out)}
    except RecursionError:  # sympy's automatic simplification recurses over expression depth
        raise CircuitError(f"the circuit is too deep (depth {circuit.depth}) for sympy expressions; "
                           "sympy recurses over nested expressions") from None


def _number(e: sympy.Basic) -> Union[int, float, Fraction]:
    """A sympy number as an exact int/Fraction or a float."""
    if e.is_Integer:
        return int(e)
    if e.is_Rational:
        return Fraction(int(e.p), int(e.q))
    if e is sympy.S.Infinity:
        return math.inf
    if e is sympy.S.NegativeInfinity:
        return -math.inf
    if e is sympy.S.NaN:
        return math.nan
    if e.is_Float or isinstance(e, sympy.NumberSymbol):
        return float(e)
    raise CircuitError(f"the sympy number {e} is not real; circuits compute with real numbers")


def _integer_exponent(k: sympy.Basic) -> Optional[int]:
    if k.is_Integer:
        return int(k)
    if k.is_Float and math.isfinite(float(k)) and float(k) == int(float(k)):
        return int(float(k))
    return None


def _supported() -> str:
    names = {getattr(f, "__name__", str(f)) for g in GATES.values() for f in g.sympy} | {"Heaviside"}
    return "Symbol, numbers, pi, E, Add, Mul, Pow, " + ", ".join(sorted(names - {"Add", "Mul"}, key=str.lower))


def _gate_for(e: sympy.Basic):
    """``(gate name, argument expressions)`` of the registered gate that ``e`` is, or None."""
    func = e.func
    for name, gate in GATES.items():
        if func in gate.sympy:  # Add, Mul and Pow are decomposed before this
            args = gate.from_sympy(e) if gate.from_sympy is not None else tuple(e.args)
            if args is not None and gate.accepts(len(args)):
                return name, args
    return None


def _plan(e: sympy.Basic, b: Builder, symbols: dict):
    """Decompose ``e``: (children expressions, build(child nodes) -> node)."""
    if e.is_Symbol:
        if e not in symbols:
            raise CircuitError(f"symbol {e.name!r} is not among inputs={list(s.name for s in symbols)}; "
                               "add it to inputs or substitute a value")
        node = symbols[e]
        return (), lambda: node
    if e is sympy.S.ImaginaryUnit or e is sympy.S.ComplexInfinity:
        raise CircuitError(f"the sympy number {e} is not real; circuits compute with real numbers")
    if _is_numeric(e):
        value = _number(e)
        return (), lambda: b.const_node(value)
    if e.is_Add:
        return _plan_add(e, b)
    if e.is_Mul:
        return _plan_mul(e, b)
    if e.is_Pow:
        return _plan_pow(e, b)
    func = e.func
    found = _gate_for(e)
    if found is not None:
        op, args = found
        return args, lambda *nodes: b.gate(op, *nodes)
    # sympy forms that are combinations of gates
    if func is sympy.Heaviside:
        return _plan_heaviside(e, b)
    name = getattr(func, "__name__", type(e).__name__)
    raise CircuitError(f"unsupported sympy node {name!r} in {str(e)[:80]}; supported are {_supported()}")


def _is_numeric(e: sympy.Basic) -> bool:
    """Whether ``e`` is a sympy number or a named constant (pi, E): a constant of the circuit."""
    return e.is_Number or isinstance(e, sympy.NumberSymbol)


def _coefficient(factors) -> tuple:
    """``(c, rest, numeric)``: the product ``c`` of the numeric ``factors`` (1 when none), the product
    of the others (None when none) and whether any factor is numeric."""
    c: Union[int, float, Fraction] = 1
    others = []
    for f in factors:
        if _is_numeric(f):
            c = c * _number(f)
        else:
            others.append(f)
    rest = None if not others else others[0] if len(others) == 1 else sympy.Mul(*others)
    return c, rest, len(others) < len(factors)


def _plan_add(e: sympy.Basic, b: Builder):
    """:func:`_plan` of a sum: one weighted ``add`` of its non-numeric terms."""
    const: Union[int, float, Fraction] = 0
    coeffs, rests = [], []
    for term in e.args:
        if _is_numeric(term):
            const += _number(term)
            continue
        c, rest, numeric = _coefficient(term.args) if term.is_Mul else (1, term, False)
        if not numeric or rest is None:  # a term without a numeric factor is its own rest
            c, rest = 1, term
        coeffs.append(c)
        rests.append(rest)
    return rests, lambda *nodes: b.linear(zip(nodes, coeffs), const)


def _plan_mul(e: sympy.Basic, b: Builder):
    """:func:`_plan` of a product: a weighted ``add``, a ``div`` or one ``mul``."""
    c, rest, numeric = _coefficient(e.args)
    if numeric:
        return (rest,), lambda node: b.linear([(node, c)])
    num = [f for f in e.args if not (f.is_Pow and f.exp == -1)]
    den = [f.base for f in e.args if f.is_Pow and f.exp == -1]
    if num and den:
        parts = (num[0] if len(num) == 1 else sympy.Mul(*num),
                 den[0] if len(den) == 1 else sympy.Mul(*den))
        return parts, lambda u, v: b.gate("div", u, v)
    return e.args, lambda *nodes: b.gate("mul", *nodes)


def _plan_pow(e: sympy.Basic, b: Builder):
    """:func:`_plan` of a power: ``pow``, ``sqrt``, ``sigmoid`` or ``exp(k*log(u))``."""
    base, k = e.args
    n = _integer_exponent(k)
    if n is not None:
        if abs(n) > MAX_EXPONENT:
            raise CircuitError(f"exponent {n} in {str(e)[:80]} is too large; |k| must be at most {MAX_EXPONENT}")
        if n == -1 and base.is_Add and len(base.args) == 2 and sympy.S.One in base.args:
            other = base.args[1] if base.args[0] == 1 else base.args[0]
            if isinstance(other, sympy.exp):  # 1 / (1 + exp(-t)) is sigmoid(t)
                return (-other.args[0],), lambda u: b.gate("sigmoid", u)
        if n == 0:
            return (), lambda: b.const_node(1)
        return (base,), lambda u: b.power_node(u, n)
    if k.is_Number and k == sympy.Rational(1, 2):
        return (base,), lambda u: b.gate("sqrt", u)
    if k.is_Number and k == sympy.Rational(-1, 2):
        return (base,), lambda u: b.gate("recip", b.gate("sqrt", u))
    # b ** k = exp(k · log b), defined for b > 0
    if k.is_Number:
        kv = _number(k)
        return (base,), lambda u: b.gate("exp", b.linear([(b.gate("log", u), kv)]))
    return (base, k), lambda u, v: b.gate("exp", b.gate("mul", v, b.gate("log", u)))


def _plan_heaviside(e: sympy.Basic, b: Builder):
    """:func:`_plan` of ``Heaviside(x, h0)``: ``step`` gates."""
    x = e.args[0]
    h0 = e.args[1] if len(e.args) > 1 else sympy.S.Half
    if not (h0.is_Number and h0.is_real):
        raise CircuitError(f"Heaviside with a non-numeric value at 0 ({h0}) is not supported")
    h0 = _number(h0)
    if h0 == 0:
        return (x,), lambda u: b.gate("step", u)
    # H(x) with H(0) = h0 is step(x) + h0·(1 - step(x) - step(-x)), exactly
    return (x, -x), lambda u, v: b.linear(
        [(b.gate("step", u), 1 - h0), (b.gate("step", v), -h0)], h0)


def _as_expr(value, where: str) -> sympy.Basic:
    if isinstance(value, sympy.Basic):
        return value
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        if isinstance(value, Fraction):
            return sympy.Rational(value.numerator, value.denominator)
        return sympy.sympify(check_number(value, where))
    raise CircuitError(f"{where}: expected a sympy expression or a number, got {type(value).__name__}; "
                       "text is not parsed here, use circuits.parse")


def from_sympy(expr, inputs: Optional[Sequence] = None, name: str = "f") -> Circuit:
    """Turn sympy expressions into a circuit.

    The expression DAG is walked iteratively with a memo, so equal
    subexpressions become one node.  The translation:

    * ``Symbol`` → input; ``Integer``/``Rational`` → exact ``int``/``Fraction``
      constant, ``Float`` and ``pi``, ``E``, ... → float constant;
    * ``Add`` → one weighted ``add`` (numeric coefficients are wire weights,
      a numeric term is a constant source); a ``Mul`` with a numeric
      coefficient → a weighted ``add`` of the product; ``u * v**-1`` →
      ``div``; other products → one n-ary ``mul``;
    * ``u**k`` for an integer ``k`` → ``square`` (2), ``recip`` (-1) or ``pow``;
      ``u**(1/2)`` → ``sqrt``, ``u**(-1/2)`` → ``recip(sqrt(u))``, other
      exponents → ``exp(k*log(u))`` (defined for ``u > 0``);
      ``1/(1 + exp(-t))`` → ``sigmoid(t)``;
    * a sympy function that a gate of the registry declares (its ``sympy``
      field, and ``from_sympy`` to pick its arguments) → that gate:
      ``exp``, ``log``, ``sin``, ``cos``, ``tan``, ``atan``, ``tanh``,
      ``Abs`` → ``abs``, ``sign``, ``Max(0, u)`` → ``relu``, other ``Max``/``Min``
      → ``max``/``min`` (nested for more arguments), ``Heaviside(u, 0)`` →
      ``step``, and the functions of registered gates;
    * ``Heaviside(u, h0)`` with another value ``h0`` at 0 →
      ``step(u) + h0*(1 - step(u) - step(-u))``.

    Parameters
    ----------
    expr : sympy expression, number, list of them, or dict name → expression
        One output named ``name``; a list gives outputs ``name0, name1, ...``;
        a dict gives its keys as output names.
    inputs : sequence of str or Symbol, optional
        The circuit's inputs in order (may include symbols the expressions do
        not use).  By default the free symbols, sorted by name.
    name : str
        Output name (prefix for a list).

    Raises
    ------
    CircuitError
        Naming an unsupported sympy node (``gamma``, ``Piecewise``, ...), a
        symbol missing from ``inputs``, or a non-real number.

    Examples
    --------
    >>> import circuits, sympy
    >>> x, y = sympy.symbols("x y")
    >>> c = circuits.from_sympy(3*x**2 - y/2 + 1)
    >>> [c.op(v) for v in c.gates()], list(c.inputs)
    (['square', 'add'], ['x', 'y'])
    >>> c.evaluate(x=1, y=4)
    {'f': 2.0}
    >>> circuits.from_sympy({"g": sympy.gamma(x)})
    Traceback (most recent call last):
    ...
    circuits.CircuitError: unsupported sympy node 'gamma' in gamma(x); supported are Symbol, numbers, pi, E, Add, Mul, Pow, Abs, acos, acosh, ..., tanh
    """
    items = _items(expr, name)
    b = Builder()
    symbols = _input_symbols(b, inputs, _free_symbols(items))
    return _build(b, items, symbols)


def _items(expr, name: str) -> list:
    """The ``(output name, sympy expression)`` pairs that ``expr`` gives."""
    if isinstance(expr, Mapping):
        items = [(str(k), _as_expr(v, f"output {k!r}")) for k, v in expr.items()]
    elif isinstance(expr, (list, tuple)):
        items = [(f"{name}{i}", _as_expr(v, f"expression {i}")) for i, v in enumerate(expr)]
    else:
        items = [(name, _as_expr(expr, "expression"))]
    if not items:
        raise CircuitError("from_sympy needs at least one expression")
    return items


def _free_symbols(items: list) -> dict:
    """The symbols of the expressions (a dict as an ordered set), hashing every subexpression bottom-up."""
    # One iterative pass over the expression trees (by identity: sympy's own
    # free_symbols, hashing and equality recurse) that collects the symbols
    # and computes every hash bottom-up, so that later hashing is shallow.
    seen: set = set()
    free: dict = {}
    for _, root in items:
        stack = [(root, False)]
        while stack:
            e, done = stack.pop()
            if done:
                hash(e)
                continue
            if id(e) in seen:
                continue
            seen.add(id(e))
            if e.is_Symbol:
                free.setdefault(e, None)
            stack.append((e, True))
            stack.extend((a, False) for a in e.args)
    return free


def _input_symbols(b: Builder, inputs: Optional[Sequence], free: dict) -> dict:
    """Add the inputs to ``b`` (by default the free symbols by name): the map from each symbol to its input node."""
    if inputs is None:
        inputs = sorted(free, key=lambda s: s.name)
    symbols = {}
    by_name: dict = {}  # a name matches the expression's symbols of that name, whatever their assumptions
    for f in free:
        by_name.setdefault(f.name, []).append(f)
    listed = set()
    for s in check_names(inputs, "from_sympy: inputs"):
        if not isinstance(s, (str, sympy.Symbol)):
            raise CircuitError(f"from_sympy: inputs must be names or sympy Symbols, got {shown(s)}")
        name = s if isinstance(s, str) else s.name
        if name in listed:
            raise CircuitError(f"input {name!r} is listed twice")
        listed.add(name)
        node = b.input_node(name)
        for f in [*by_name.get(name, ()), sympy.Symbol(name) if isinstance(s, str) else s]:
            symbols[f] = node
    return symbols


def _build(b: Builder, items: list, symbols: dict) -> Circuit:
    """The circuit of the expressions: their nodes built in ``b`` (an iterative post-order with a memo)."""
    memo: dict = {}
    plans: dict = {}
    for out_name, root in items:
        stack = [root]
        while stack:  # iterative post-order: deep expressions must not recurse
            e = stack[-1]
            if e in memo:
                stack.pop()
                continue
            plan = plans.get(e)
            if plan is None:
                plan = plans[e] = _plan(e, b, symbols)
            children = plan[0]
            pending = [c for c in children if c not in memo]
            if pending:
                stack.extend(reversed(pending))
                continue
            memo[e] = plan[1](*(memo[c] for c in children))
            del plans[e]
            stack.pop()
        b.output(out_name, b.wire(memo[root]))
    return b.build()
