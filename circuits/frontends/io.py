"""Saving and exchanging circuits: a JSON format and a bridge to sympy.

JSON
----
:func:`to_json` writes, and :func:`from_json` reads, one versioned document::

    {"format": "circuits", "version": 2,
     "inputs": ["x", "y"],
     "outputs": {"f": 4},
     "nodes": [{"op": "input", "name": "x"},
               {"op": "input", "name": "y"},
               {"op": "const", "value": "1/3"},
               {"op": "add", "args": [0, 1, 2], "weights": [2, -0.5, 1]},
               {"op": "sin", "args": [3]}],
     "meta": {"role": [...], "adjoint_of": [[7, 2], ...]},
     "gates": {"softplus": 1}}

Nodes are listed in topological order: node ``i`` may only use nodes ``< i``
as arguments (``args`` in argument-position order).  ``inputs`` gives the
input names in order, ``outputs`` maps output names to node ids, ``weights``
(``add`` only, optional: absent means all 1) the wire weights, and ``meta``
(optional) what transforms recorded about the nodes (see
:attr:`circuits.Circuit.meta`).  A number is a JSON integer, a JSON float,
a string ``"p/q"`` for an exact :class:`fractions.Fraction` (``"3/1"`` too, so
that the type survives), or one of the strings ``"nan"``, ``"inf"``,
``"-inf"``, so the file is always valid JSON.  ``gates`` (optional) names the
gates added with :func:`circuits.register_gate` that the circuit uses, with
their arity (``null``: variadic), so that loading can say which ones must be
registered first.  Version 1 documents (no ``gates`` key) are read as well.

Loading never executes anything and validates as much as
:meth:`circuits.Circuit.from_networkx` does; every problem (text that is not
JSON, nesting too deep to parse, a wrong version, a wrong type, an argument
that refers forward, an unknown op, ...) is one :class:`circuits.CircuitError`
naming the node or key at fault.  Both directions are loops over the node
list, so million-node circuits load and save without recursion.

sympy
-----
:func:`to_sympy` evaluates a circuit on symbols (with the registry's ``sym``
functions); :func:`from_sympy` turns sympy expressions into a circuit,
sharing repeated subexpressions (the circuit is a DAG, not a tree).

Examples
--------
>>> import circuits, sympy
>>> c = circuits.trace(lambda x, y: circuits.sin(x * y) + 2 * x)
>>> circuits.from_json(circuits.to_json(c)).evaluate(x=1.0, y=0.0)
{'f': 2.0}
>>> circuits.to_sympy(c)
{'f': 2*x + sin(x*y)}
>>> x, y = sympy.symbols("x y")
>>> d = circuits.from_sympy(sympy.sin(x * y) + sympy.sin(x * y) ** 2)
>>> d.size, d.evaluate(x=0, y=1.0)
(4, {'f': 0.0})
"""

from __future__ import annotations

import json
import math
import numbers
import re
from fractions import Fraction
from typing import Any, Mapping, Optional, Sequence, Union

import sympy

from ..core.builder import Builder
from ..core.checks import check_count, check_names, shown
from ..core.circuit import Circuit, check_number, node_error
from ..core.errors import CircuitError
from ..eval.budget import symbolic_budget
from ..eval.interpreter import compile as _compile, evaluate
from ..core.gates import BUILTIN, GATES, MAX_EXPONENT

__all__ = ["FORMAT", "VERSION", "to_json", "from_json", "to_sympy", "from_sympy"]

#: Value of the ``"format"`` key of every document.
FORMAT = "circuits"
#: Schema version written by :func:`to_json`; :func:`from_json` reads it and :data:`READS`.
VERSION = 2
#: Versions :func:`from_json` reads (1: before the ``gates`` key).
READS = (1, 2)

_TOP_KEYS = ("format", "version", "inputs", "outputs", "nodes", "meta", "gates")
_SPECIAL_FLOATS = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}
_FRACTION = re.compile(r"-?[0-9]+/[0-9]+\Z")


# --- JSON: writing -------------------------------------------------------------


def _encode_number(value: Any) -> Union[int, float, str]:
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, float):
        if math.isfinite(value):
            return float(value)
        return "nan" if value != value else ("inf" if value > 0 else "-inf")
    return _encode_number(check_number(value, "number"))


def _node_records(circuit: Circuit) -> list:
    rec = circuit.record
    ops, argss, weights = rec.ops, rec.args, rec.params
    records: list = []
    append = records.append
    for i, op in enumerate(ops):
        if op == "input":
            append({"op": "input", "name": rec.input_names[i]})
        elif op == "const":
            append({"op": "const", "value": _encode_number(rec.constants[i])})
        elif weights[i] is None:
            append({"op": op, "args": list(argss[i])})
        else:
            append({"op": op, "args": list(argss[i]), "weights": [_encode_number(c) for c in weights[i]]})
    return records


def to_json(circuit: Circuit, indent: Optional[int] = None) -> str:
    """Serialise a circuit to the JSON document described in :mod:`circuits.io`.

    Parameters
    ----------
    circuit : Circuit
    indent : int, optional
        ``None`` (default) writes compact JSON on one line; an integer writes
        one key per line and one node per line, indented by that many spaces.

    Returns
    -------
    str
        Valid JSON (non-finite floats are the strings ``"nan"``, ``"inf"``,
        ``"-inf"``; Fractions are strings ``"p/q"``).

    Examples
    --------
    >>> import circuits
    >>> from fractions import Fraction
    >>> b = circuits.Builder()
    >>> x = b.input("x")
    >>> b.output("f", Fraction(1, 3) * x + 1)
    >>> print(circuits.to_json(b.build(), indent=1))
    {
     "format": "circuits",
     "version": 2,
     "inputs": ["x"],
     "outputs": {"f": 2},
     "nodes": [
      {"op": "input", "name": "x"},
      {"op": "const", "value": 1},
      {"op": "add", "args": [0, 1], "weights": ["1/3", 1]}
     ]
    }
    """
    if not isinstance(circuit, Circuit):
        raise CircuitError(f"to_json expects a Circuit, got {type(circuit).__name__}")
    if indent is not None:
        indent = check_count(indent, "to_json: indent", maximum=16)
    head = {"format": FORMAT, "version": VERSION, "inputs": list(circuit.inputs),
            "outputs": dict(circuit.outputs)}
    meta = {}
    if "role" in circuit.meta:
        meta["role"] = list(circuit.meta["role"])
    if "adjoint_of" in circuit.meta:
        meta["adjoint_of"] = [[int(a), int(z)] for a, z in circuit.meta["adjoint_of"].items()]
    nodes = _node_records(circuit)
    used = {op for op in set(circuit.record.ops) if op not in BUILTIN and op not in ("input", "const")}
    if used:
        meta_or_gates = {op: GATES[op].arity for op in sorted(used)}
    else:
        meta_or_gates = None
    try:
        if indent is None:
            doc = dict(head, nodes=nodes)
            if meta:
                doc["meta"] = meta
            if meta_or_gates:
                doc["gates"] = meta_or_gates
            return json.dumps(doc, separators=(",", ":"), allow_nan=False, ensure_ascii=False)
        pad = " " * indent
        lines = ["{"]
        lines += [f"{pad}{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}," for k, v in head.items()]
        rows = [f"{pad}{pad}{json.dumps(r, allow_nan=False, ensure_ascii=False)}" for r in nodes]
        lines.append(f'{pad}"nodes": [' + ("\n" + ",\n".join(rows) + f"\n{pad}]" if rows else "]")
                     + ("," if meta or meta_or_gates else ""))
        if meta:
            lines.append(f'{pad}"meta": {json.dumps(meta, ensure_ascii=False)}' + ("," if meta_or_gates else ""))
        if meta_or_gates:
            lines.append(f'{pad}"gates": {json.dumps(meta_or_gates)}')
        lines.append("}")
        return "\n".join(lines)
    except ValueError as exc:  # e.g. an integer longer than Python's int/str conversion limit
        raise CircuitError(f"the circuit cannot be written as JSON: {exc}") from None


# --- JSON: reading -------------------------------------------------------------


class _NonFinite(Exception):
    pass


def _reject_constant(name):
    raise _NonFinite(name)


def _decode_number(value: Any, where: str) -> Union[int, float, Fraction]:
    if isinstance(value, bool):
        raise CircuitError(f"{where}: expected a number, got the boolean {json.dumps(value)}")
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        if value in _SPECIAL_FLOATS:
            return _SPECIAL_FLOATS[value]
        if _FRACTION.match(value):
            p, q = value.split("/")
            try:
                if int(q) == 0:
                    raise CircuitError(f"{where}: fraction {value!r} has a zero denominator")
                return Fraction(int(p), int(q))
            except ValueError as exc:  # longer than the int/str conversion limit
                raise CircuitError(f"{where}: fraction too long: {exc}") from None
    shown = json.dumps(value)[:60] if not isinstance(value, str) else repr(value[:60])
    raise CircuitError(f"{where}: expected a number (JSON number, \"p/q\", \"nan\", \"inf\" or "
                       f"\"-inf\"), got {shown}")


def _type_name(value) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
            int: "an integer", float: "a float", type(None): "null"}.get(type(value), type(value).__name__)


def _expect(value, kind, where: str):
    if kind is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        what = "an integer"
    else:
        ok = isinstance(value, kind)
        what = {dict: "an object", list: "an array", str: "a string"}[kind]
    if not ok:
        raise CircuitError(f"{where} must be {what}, got {_type_name(value)}")
    return value


def _allowed_keys() -> dict:
    """Keys a node record may have, per op (from the registry, registered gates included)."""
    keys = {"input": frozenset(("op", "name")), "const": frozenset(("op", "value"))}
    keys.update({op: frozenset(("op", "args", "weights") if g.weighted else ("op", "args"))
                 for op, g in GATES.items()})
    return keys


def _node_error(i: int, rec, ops, values) -> CircuitError:
    """The precise error for node record ``rec`` that failed the fast checks."""
    where = f"node {i}"
    _expect(rec, dict, where)
    op = rec.get("op")
    if not isinstance(op, str):
        return CircuitError(f"{where} needs an \"op\" string ('input', 'const' or one of {sorted(GATES)})")
    allowed_keys = _allowed_keys()
    if op not in allowed_keys:
        return node_error(i, op, (), op_of=ops.__getitem__, value_of=values.get)  # type: ignore[return-value]  # an unknown op is always an error
    allowed = allowed_keys[op]
    extra = [k for k in rec if k not in allowed]
    if extra:
        return CircuitError(f"{where} ({op}) has unexpected key {extra[0]!r}; allowed keys are {sorted(allowed)}")
    if op == "input":
        return CircuitError(f"{where} is an input and needs a non-empty \"name\" string")
    if op == "const":
        return CircuitError(f"{where} is a const and needs a \"value\"")
    a = _expect(rec.get("args"), list, f"{where} ({op}): \"args\"")
    for k, u in enumerate(a):
        _expect(u, int, f"{where} ({op}): argument {k}")
    w = rec.get("weights")
    if w is not None:
        _expect(w, list, f"{where} ({op}): \"weights\"")
    error = node_error(i, op, tuple(a), None if w is None else tuple(w), op_of=ops.__getitem__,
                       value_of=values.get)
    return error or CircuitError(f"{where} ({op}) is malformed")  # pragma: no cover - the fast checks agree


def _parse_nodes(nodes: list):
    ops: list = []
    args: list = []
    weights: list = []
    values: dict = {}
    names: dict = {}
    allowed_keys, gates = _allowed_keys(), GATES
    for i, rec in enumerate(nodes):
        # Fast checks first; _node_error() explains a failure precisely.
        if type(rec) is not dict:
            raise _node_error(i, rec, ops, values)
        op = rec.get("op")
        if type(op) is not str or (allowed := allowed_keys.get(op)) is None or not rec.keys() <= allowed:
            raise _node_error(i, rec, ops, values)
        ops.append(op)
        if op == "input":
            name = rec.get("name")
            if type(name) is not str or not name:
                raise _node_error(i, rec, ops, values)
            names[i] = name
            args.append(())
            weights.append(None)
            continue
        if op == "const":
            if "value" not in rec:
                raise _node_error(i, rec, ops, values)
            values[i] = _decode_number(rec["value"], f"node {i} (const) value")
            args.append(())
            weights.append(None)
            continue
        a = rec.get("args")
        gate = gates[op]
        if (type(a) is not list or not all(type(u) is int and 0 <= u < i for u in a)
                or not gate.accepts(len(a))):
            raise _node_error(i, rec, ops, values)
        args.append(tuple(a))
        w = rec.get("weights")
        if w is not None:
            if type(w) is not list or len(w) != len(a):
                raise _node_error(i, rec, ops, values)
            w = tuple(_decode_number(c, f"node {i} ({op}): weight {k}") for k, c in enumerate(w))
            if all(c == 1 for c in w):
                w = None
        weights.append(w)
    return ops, args, weights, values, names


def _parse_meta(meta, n: int) -> dict:
    _expect(meta, dict, "\"meta\"")
    out: dict[str, Any] = {}
    for key, value in meta.items():
        if key == "role":
            _expect(value, list, "\"meta\".\"role\"")
            if len(value) != n:
                raise CircuitError(f"\"meta\".\"role\" has {len(value)} entries for {n} nodes")
            for i, r in enumerate(value):
                _expect(r, str, f"\"meta\".\"role\" of node {i}")
            out["role"] = list(value)
        elif key == "adjoint_of":
            _expect(value, list, "\"meta\".\"adjoint_of\"")
            pairs = {}
            for j, pair in enumerate(value):
                where = f"\"meta\".\"adjoint_of\" entry {j}"
                _expect(pair, list, where)
                if len(pair) != 2:
                    raise CircuitError(f"{where} must be a pair [adjoint node, primal node]")
                for u in pair:
                    _expect(u, int, f"{where}: node")
                    if not 0 <= u < n:
                        raise CircuitError(f"{where} refers to missing node {u}")
                pairs[pair[0]] = pair[1]
            out["adjoint_of"] = pairs
        else:
            raise CircuitError(f"\"meta\" has unknown key {key!r}; known keys are 'role' and 'adjoint_of'")
    return out


def from_json(text: Union[str, bytes, bytearray]) -> Circuit:
    """Load a circuit written by :func:`to_json`, validating everything.

    Parameters
    ----------
    text : str or bytes
        A JSON document in the format described in :mod:`circuits.io`.

    Returns
    -------
    Circuit

    Raises
    ------
    CircuitError
        One error, naming the key or node at fault, for text that is not JSON
        (or is nested too deeply to parse), another format or version, a
        missing key or a value of the wrong type, an unknown op, a wrong
        number of arguments, an argument that is not an earlier node, a
        ``pow`` exponent that is not an integer constant, inputs that do not
        match the input nodes, or an output that refers to a missing node.

    Examples
    --------
    >>> import circuits
    >>> c = circuits.from_json('{"format": "circuits", "version": 1, "inputs": ["x"], '
    ...     '"outputs": {"f": 1}, "nodes": [{"op": "input", "name": "x"}, {"op": "exp", "args": [0]}]}')
    >>> c.evaluate(x=0.0)
    {'f': 1.0}
    >>> circuits.from_json('{"format": "circuits", "version": 1, "inputs": [], "outputs": {}, '
    ...     '"nodes": [{"op": "sin", "args": [0]}]}')
    Traceback (most recent call last):
    ...
    circuits.CircuitError: node 0 (sin): argument 0 refers to node 0, but arguments must be earlier nodes (0..-1); nodes are listed in topological order
    """
    if not isinstance(text, (str, bytes, bytearray)):
        raise CircuitError(f"from_json expects JSON text (str or bytes), got {type(text).__name__}")
    try:
        doc = json.loads(text, parse_constant=_reject_constant)
    except _NonFinite as exc:
        raise CircuitError(f"not valid circuit JSON: {exc.args[0]} is not a JSON number; "
                           "write the strings \"nan\", \"inf\" or \"-inf\"") from None
    except RecursionError:
        raise CircuitError("not valid circuit JSON: arrays or objects are nested too deeply to parse") from None
    except (ValueError, TypeError) as exc:  # JSONDecodeError, bad encodings, over-long integers
        raise CircuitError(f"not valid circuit JSON: {exc}") from None
    _expect(doc, dict, "the JSON document")
    extra = [k for k in doc if k not in _TOP_KEYS]
    if extra:
        raise CircuitError(f"unexpected key {extra[0]!r} in the document; known keys are {list(_TOP_KEYS)}")
    if doc.get("format") != FORMAT:
        raise CircuitError(f"\"format\" is {doc.get('format')!r}, expected {FORMAT!r}; "
                           "is this a circuit written by circuits.to_json?")
    version = doc.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version not in READS:
        raise CircuitError(f"unsupported \"version\" {version!r}; this version of circuits reads versions "
                           f"{', '.join(map(str, READS))}")
    if "gates" in doc:
        if version < 2:
            raise CircuitError("\"gates\" is a key of version 2 documents, but this one says version 1")
        for op, arity in _expect(doc["gates"], dict, "\"gates\"").items():
            gate = GATES.get(op)
            if gate is None:
                raise CircuitError(f"the circuit uses gate {op!r}, which is not registered here; register it "
                                   "with circuits.register_gate(circuits.Gate(...)) before loading")
            if arity != gate.arity:
                raise CircuitError(f"the circuit's gate {op!r} has arity {arity!r}, but the registered one "
                                   f"has {gate.arity!r}")
    for key in ("inputs", "outputs", "nodes"):
        if key not in doc:
            raise CircuitError(f"the document has no {key!r} key")
    nodes = _expect(doc["nodes"], list, "\"nodes\"")
    ops, args, weights, values, names = _parse_nodes(nodes)
    n = len(ops)

    node_of: dict = {}
    for i, name in names.items():
        if name in node_of:
            raise CircuitError(f"nodes {node_of[name]} and {i} are both inputs named {name!r}; "
                               "input names must be unique")
        node_of[name] = i
    in_names = _expect(doc["inputs"], list, "\"inputs\"")
    inputs = {}
    for k, name in enumerate(in_names):
        _expect(name, str, f"\"inputs\" entry {k}")
        if name not in node_of:
            raise CircuitError(f"\"inputs\" names {name!r}, but no input node has that name")
        if name in inputs:
            raise CircuitError(f"\"inputs\" lists {name!r} twice")
        inputs[name] = node_of[name]
    missing = [name for name in node_of if name not in inputs]
    if missing:
        raise CircuitError(f"input node {node_of[missing[0]]} ({missing[0]!r}) is missing from \"inputs\"")
    outputs = {}
    for name, v in _expect(doc["outputs"], dict, "\"outputs\"").items():
        _expect(v, int, f"output {name!r}")
        if not 0 <= v < n:
            raise CircuitError(f"output {name!r} refers to node {v}, but there are only {n} nodes")
        outputs[name] = v
    meta = _parse_meta(doc["meta"], n) if "meta" in doc else None
    return Circuit(ops, args, weights, values, names, inputs, outputs, meta).check()


def _to_json_method(self, indent: Optional[int] = None) -> str:
    """Serialise to JSON; see :func:`circuits.frontends.io.to_json`."""
    return to_json(self, indent=indent)


def _from_json_method(cls, text: str) -> Circuit:
    """Load a circuit written by :meth:`to_json`; see :func:`circuits.frontends.io.from_json`."""
    return from_json(text)


Circuit.to_json = _to_json_method
Circuit.from_json = classmethod(_from_json_method)


# --- sympy ---------------------------------------------------------------------------


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
    if e.is_Number or isinstance(e, sympy.NumberSymbol):
        value = _number(e)
        return (), lambda: b.const_node(value)
    if e.is_Add:
        const: Union[int, float, Fraction] = 0
        coeffs, rests = [], []
        for term in e.args:
            if term.is_Number:
                const += _number(term)
                continue
            if isinstance(term, sympy.NumberSymbol):
                const += _number(term)
                continue
            c: Union[int, float, Fraction] = 1
            rest = term
            if term.is_Mul:
                numeric = [f for f in term.args if f.is_Number or isinstance(f, sympy.NumberSymbol)]
                others = [f for f in term.args if not (f.is_Number or isinstance(f, sympy.NumberSymbol))]
                if numeric and others:
                    for f in numeric:
                        c = c * _number(f)
                    rest = others[0] if len(others) == 1 else sympy.Mul(*others)
            coeffs.append(c)
            rests.append(rest)
        return rests, lambda *nodes: b.linear(zip(nodes, coeffs), const)
    if e.is_Mul:
        numeric = [f for f in e.args if f.is_Number or isinstance(f, sympy.NumberSymbol)]
        if numeric:
            c = 1
            for f in numeric:
                c = c * _number(f)
            others = [f for f in e.args if not (f.is_Number or isinstance(f, sympy.NumberSymbol))]
            rest = others[0] if len(others) == 1 else sympy.Mul(*others)
            return (rest,), lambda node: b.linear([(node, c)])
        num = [f for f in e.args if not (f.is_Pow and f.exp == -1)]
        den = [f.base for f in e.args if f.is_Pow and f.exp == -1]
        if num and den:
            parts = (num[0] if len(num) == 1 else sympy.Mul(*num),
                     den[0] if len(den) == 1 else sympy.Mul(*den))
            return parts, lambda u, v: b.gate("div", u, v)
        return e.args, lambda *nodes: b.gate("mul", *nodes)
    if e.is_Pow:
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
    func = e.func
    found = _gate_for(e)
    if found is not None:
        op, args = found
        return args, lambda *nodes: b.gate(op, *nodes)
    # sympy forms that are combinations of gates
    if func is sympy.Heaviside:
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
    name = getattr(func, "__name__", type(e).__name__)
    raise CircuitError(f"unsupported sympy node {name!r} in {str(e)[:80]}; supported are {_supported()}")


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
    if isinstance(expr, Mapping):
        items = [(str(k), _as_expr(v, f"output {k!r}")) for k, v in expr.items()]
    elif isinstance(expr, (list, tuple)):
        items = [(f"{name}{i}", _as_expr(v, f"expression {i}")) for i, v in enumerate(expr)]
    else:
        items = [(name, _as_expr(expr, "expression"))]
    if not items:
        raise CircuitError("from_sympy needs at least one expression")

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
    b = Builder()
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
