"""The JSON format of circuits: :func:`to_json` writes, and :func:`from_json` reads, one
versioned document::

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

Examples
--------
>>> import circuits
>>> c = circuits.trace(lambda x, y: circuits.sin(x * y) + 2 * x)
>>> from_json(to_json(c)).evaluate(x=1.0, y=0.0)
{'f': 2.0}
"""

from __future__ import annotations

import json
import math
import re
from fractions import Fraction
from typing import Any, Optional, Union

from ..core.checks import check_count
from ..core.circuit import Circuit, check_number, node_error
from ..core.errors import CircuitError
from ..core.gates import BUILTIN, GATES

__all__ = ["FORMAT", "VERSION", "READS", "to_json", "from_json"]

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
    meta = _json_meta(circuit)
    nodes = _node_records(circuit)
    used = {op for op in set(circuit.record.ops) if op not in BUILTIN and op not in ("input", "const")}
    meta_or_gates = {op: GATES[op].arity for op in sorted(used)} if used else None
    try:
        if indent is None:
            doc = dict(head, nodes=nodes)
            if meta:
                doc["meta"] = meta
            if meta_or_gates:
                doc["gates"] = meta_or_gates
            return json.dumps(doc, separators=(",", ":"), allow_nan=False, ensure_ascii=False)
        return _indented_json(head, nodes, meta, meta_or_gates, indent)
    except ValueError as exc:  # e.g. an integer longer than Python's int/str conversion limit
        raise CircuitError(f"the circuit cannot be written as JSON: {exc}") from None


def _json_meta(circuit: Circuit) -> dict:
    """The document's ``meta``: the circuit's roles and adjoint map, if it has them (maybe empty)."""
    meta = {}
    if "role" in circuit.meta:
        meta["role"] = list(circuit.meta["role"])
    if "adjoint_of" in circuit.meta:
        meta["adjoint_of"] = [[int(a), int(z)] for a, z in circuit.meta["adjoint_of"].items()]
    return meta


def _indented_json(head: dict, nodes: list, meta: dict, meta_or_gates: Optional[dict], indent: int) -> str:
    """The document written one key per line and one node per line, indented by ``indent`` spaces."""
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
    doc = _load_document(text)
    _check_header(doc)
    nodes = _expect(doc["nodes"], list, "\"nodes\"")
    ops, args, weights, values, names = _parse_nodes(nodes)
    n = len(ops)
    inputs = _parse_inputs(doc["inputs"], names)
    outputs = {}
    for name, v in _expect(doc["outputs"], dict, "\"outputs\"").items():
        _expect(v, int, f"output {name!r}")
        if not 0 <= v < n:
            raise CircuitError(f"output {name!r} refers to node {v}, but there are only {n} nodes")
        outputs[name] = v
    meta = _parse_meta(doc["meta"], n) if "meta" in doc else None
    return Circuit(ops, args, weights, values, names, inputs, outputs, meta).check()


def _load_document(text) -> dict:
    """The JSON object of ``text`` (non-finite constants, deep nesting and bad JSON refused)."""
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
    return _expect(doc, dict, "the JSON document")


def _check_header(doc: dict) -> None:
    """Check the document's keys, ``format``, ``version`` and ``gates`` (each one registered, with its arity)."""
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


def _parse_inputs(in_names, names: dict) -> dict:
    """The circuit's inputs (name → node) from the document's ``inputs``, matched with the input nodes' names."""
    node_of: dict = {}
    for i, name in names.items():
        if name in node_of:
            raise CircuitError(f"nodes {node_of[name]} and {i} are both inputs named {name!r}; "
                               "input names must be unique")
        node_of[name] = i
    in_names = _expect(in_names, list, "\"inputs\"")
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
    return inputs


def _to_json_method(self, indent: Optional[int] = None) -> str:
    """Serialise to JSON; see :func:`circuits.frontends.io.to_json`."""
    return to_json(self, indent=indent)


def _from_json_method(cls, text: str) -> Circuit:
    """Load a circuit written by :meth:`to_json`; see :func:`circuits.frontends.io.from_json`."""
    return from_json(text)


Circuit.to_json = _to_json_method
Circuit.from_json = classmethod(_from_json_method)
