"""Building circuits: the :class:`Builder`, :class:`Wire` arithmetic and :func:`trace`.

A :class:`Builder` appends nodes to growing arrays, so node ids come out in
topological order.  (:class:`Wire`, the wire-level functions, :func:`sum_of` and
:func:`product` live in :mod:`circuits.core.wires`, and are re-exported here.)  It has two levels:

* the *wire* level for people: ``b.inputs("x y z")``, ``b.const(2)``, Python
  operators on :class:`Wire` objects, :func:`exp`, :func:`sin`, ...,
  ``b.output("f", wire)`` and ``b.build()``;
* the *node* level for passes and partial rules: ``b.gate(op, *nodes)``,
  ``b.const_node(value)``, ``b.input_node(name)``, ``b.linear(terms)``, which
  take and return integer node ids.

Linear combinations built with ``+``, ``-`` and scaling by numbers stay
symbolic until a non-linear use (a product, a function, an output) needs them;
then they become ONE weighted ``add`` gate, with the constant term as a
constant source.  So the sum-of-squares example traced from
its formula has exactly its 7 gates and depth 3:

>>> import circuits
>>> @circuits.trace
... def f(x, y, z):
...     return (x - 3*y - 3*z + 5)**2 + (x - 2*y - 2*z)**2 + (x + y - 5*z - 3)**2
>>> f.size, f.depth
(7, 3)
>>> f.evaluate(x=1, y=1, z=1)
{'f': 45}
"""

from __future__ import annotations

import inspect
import math
from array import array
from operator import eq as _eq
from fractions import Fraction
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence, Union, overload

import numpy as np

from .checks import check_callable, check_names
from .arrays import RecordArrays, WeightMap, index_type
from .circuit import Circuit, check_name, check_number, circuit_from_arrays, compact, is_exponent, node_error
from .errors import CircuitError, listing
from .gates import GATES, function_names, gate_of_function
from .wires import SHADOWING, Number, Wire, function, node_of, product, sum_of

__all__ = ["Builder", "Wire", "trace", "sum_of", "product",
           "exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "step",
           "square", "recip"]

_INT = {int}
_PLAIN = {int, float, Fraction}
_INF = math.inf
_NEG_INF = -math.inf


class Builder:
    """Incremental construction of a :class:`Circuit`.

    Examples
    --------
    >>> import circuits
    >>> b = circuits.Builder()
    >>> x, y = b.inputs("x y")
    >>> b.output("f", circuits.sin(x * y) + 2 * x)
    >>> c = b.build()
    >>> c.size, list(c.inputs), list(c.outputs)
    (3, ['x', 'y'], ['f'])
    """

    def __init__(self):
        # the record as growing arrays: per node an op code, its arguments' end in _flat
        self._op_names: list[str] = []  # op of each code
        self._code_of: dict[str, int] = {}
        self._codes = array("H")
        self._ptr = array("q", [0])  # node i's arguments are _flat[_ptr[i]:_ptr[i + 1]]
        self._flat = array("q")
        self._weights: dict[int, tuple] = {}  # the weighted gates' wire weights
        self._values: dict[int, Number] = {}
        self._names: dict[int, str] = {}
        self._inputs: dict[str, int] = {}
        self._outputs: dict[str, int] = {}
        self._const_cache: dict = {}

    def __len__(self) -> int:
        return len(self._codes)

    @property
    def num_gates(self) -> int:
        """Number of gates made so far (every node that is not an input or a constant)."""
        return len(self._codes) - len(self._values) - len(self._names)

    @classmethod
    def extending(cls, circuit: Circuit) -> "Builder":
        """A builder whose first nodes are ``circuit``'s, with the same ids.

        Transforms start from it: the original gates are kept as they are and
        new gates are appended after them, so node ids stay topological.
        Inputs keep their names; outputs start empty.
        """
        b = cls()
        a = circuit.arrays
        b._op_names = list(a.op_names)
        b._code_of = {op: k for k, op in enumerate(a.op_names)}
        b._codes.frombytes(a.codes.astype(np.uint16).tobytes())
        b._ptr = array("q", a.argptr.astype(np.int64).tobytes())
        b._flat.frombytes(a.argflat.astype(np.int64).tobytes())
        b._weights = dict(a.weights)
        b._values = dict(circuit.constants)
        b._names = dict(circuit.input_names)
        b._inputs = dict(circuit.inputs)
        for node, value in b._values.items():
            key = (type(value), value) if value == value else (float, "nan")
            b._const_cache.setdefault(key, node)
        return b

    def trusted(self) -> "Builder":
        """A twin of this builder, sharing its nodes, whose :meth:`gate` trusts its arguments.

        For transforms and the registry's partial rules, which only pass node
        ids they got from the builder: the twin's ``gate`` skips the checks of
        the op, the arity, the argument ids and ``pow``'s exponent (wire
        weights are still checked, since products of scales can overflow).
        Whatever either twin adds, the other sees.

        Examples
        --------
        >>> import circuits
        >>> b = circuits.Builder()
        >>> x = b.input_node("x")
        >>> fast = b.trusted()
        >>> fast.gate("sin", x), len(b), b.num_gates
        (1, 2, 1)
        """
        twin = object.__new__(_TrustedBuilder)
        twin.__dict__ = self.__dict__  # one state, two gate methods
        return twin

    # --- node level ----------------------------------------------------------

    def input_node(self, name: str) -> int:
        """Add an input named ``name``; return its node id."""
        check_name(name, "input")
        if name in self._inputs:
            raise CircuitError(f"an input named {name!r} already exists; input names must be unique")
        node = self._append("input", (), None)
        self._names[node] = name
        self._inputs[name] = node
        return node

    def const_node(self, value: Number) -> int:
        """Node of the constant ``value`` (one node per distinct value and type)."""
        if type(value) not in _PLAIN:
            value = check_number(value, "constant")
        key = (type(value), value) if value == value else (float, "nan")
        node = self._const_cache.get(key)
        if node is None:
            node = self._append("const", (), None)
            self._values[node] = value
            self._const_cache[key] = node
        return node

    def gate(self, op: str, *args, weights: Optional[Sequence[Number]] = None) -> int:
        """Add gate ``op`` over argument nodes (ints or wires); return its id.

        Raises
        ------
        CircuitError
            For an unknown op, a wrong number of arguments, weights on a gate
            other than ``add``, or a ``pow`` exponent that is not an integer
            constant.
        """
        # fast checks here; the shared validator words any failure
        gate = GATES.get(op)
        if gate is None:
            raise self._node_error(op, args, weights)
        k = len(args)
        if (k != gate.arity) if gate.arity is not None else (k < gate.min_arity):
            raise self._node_error(op, args, weights)
        n = len(self._codes)
        if k > 8:  # wide gates: check node ids at C speed
            valid = not (set(map(type, args)) - _INT) and min(args) >= 0 and max(args) < n
        else:
            valid = all(type(a) is int and 0 <= a < n for a in args)
        if not valid:
            args = tuple(self._arg_node(a) for a in args)
        if weights is not None:
            weights = self._checked_weights(op, gate, args, weights)
        for i in gate.constant_args:
            value = self._values.get(args[i])  # only constants have values
            if value is None or not is_exponent(value):
                raise self._node_error(op, args, weights)
        return self._append(op, args, weights)

    def _checked_weights(self, op, gate, args, weights) -> Optional[tuple]:
        """``weights`` as a tuple of plain numbers, or None when all are 1; refuses bad ones."""
        weights = tuple(weights)
        k = len(args)
        if not gate.weighted or len(weights) != k:
            raise self._node_error(op, args, weights)
        types = set(map(type, weights))
        if not types <= _PLAIN:  # numpy scalars, strings...: normalise or refuse
            weights = tuple(check_number(w, f"gate {op!r}: wire weight") for w in weights)
            types = set(map(type, weights))
        # only floats can be infinite or nan; eq(w, w) is False only for nan
        if float in types and (_INF in weights or _NEG_INF in weights
                               or not all(map(_eq, weights, weights))):
            raise self._node_error(op, args, weights)
        if weights[0] == 1 and weights.count(1) == k:  # all ones, said without a weight list
            return None
        return weights

    def _node_error(self, op, args, weights) -> CircuitError:
        n = len(self._codes)
        return node_error(n, op, tuple(args), weights, op_of=self.op,
                          value_of=self._values.get) or CircuitError(f"node {n} ({op}) is malformed")

    def linear(self, terms: Iterable[tuple], constant: Number = 0) -> int:
        """Node of ``constant + Σ coeff·node`` over ``terms`` of ``(node, coeff)``.

        Repeated nodes are merged, zero coefficients dropped, and a term whose
        node is ``None`` adds its coefficient to the constant; a single term
        with coefficient 1 is the node itself and no terms give a constant
        node.  Otherwise one weighted ``add`` gate.
        """
        if type(terms) is list and len(terms) == 2 and constant == 0:  # a sweep's usual sum
            (u, c), (v, e) = terms
            if u is not None and v is not None and u != v and c and e:
                return self.gate("add", u, v, weights=(c, e))
        acc: dict = {}
        for node, c in terms:
            if node in acc:
                acc[node] += c
            else:  # not 0 + c: Fraction arithmetic is slow, and the sum is the same
                acc[node] = c
        constant = constant + acc.pop(None, 0)  # a node of None stands for the constant 1
        if not all(acc.values()):
            acc = {u: c for u, c in acc.items() if c}
        if not acc:
            return self.const_node(constant)
        if constant == 0 and len(acc) == 1:
            ((u, c),) = acc.items()
            if c == 1:
                return u
        nodes = list(acc)
        weights = list(acc.values())
        if constant != 0:
            nodes.append(self.const_node(constant))
            weights.append(1)
        return self.gate("add", *nodes, weights=weights)

    def power_node(self, u: int, k: int) -> int:
        """Node of ``u ** k`` for an integer ``k``: the one integer-power builder.

        ``1`` for ``k = 0``, ``u`` itself for ``k = 1``, the gate the power gate
        declares for ``k`` in its ``powers`` (``square``, ``recip``), else a
        ``pow`` gate with the constant exponent ``k``.

        Examples
        --------
        >>> b = Builder()
        >>> x = b.input_node("x")
        >>> [b.op(b.power_node(x, k)) for k in (0, 1, 2, -1, 5)]
        ['const', 'input', 'square', 'recip', 'pow']
        """
        power = GATES["pow"]
        if k == 0:
            return self.const_node(1)
        if k == 1:
            return u
        if k in power.powers:
            return self.gate(power.powers[k], u)
        return self.gate(power.name, u, self.const_node(k))

    def value(self, node: int) -> Number:
        """Value of a constant node."""
        return self._values[node]

    def name(self, node: int) -> str:
        """Name of an input node."""
        return self._names[node]

    def op(self, node: int) -> str:
        """Operation of ``node``."""
        if type(node) is int and 0 <= node < len(self._codes):
            return self._op_names[self._codes[node]]
        return self.op(self._index(node))

    def args(self, node: int) -> tuple:
        """Argument nodes of ``node``, in position order (empty for a source)."""
        if type(node) is int and 0 <= node < len(self._codes):
            return tuple(self._flat[self._ptr[node]:self._ptr[node + 1]])
        return self.args(self._index(node))

    def params(self, node: int):
        """The wire weights of a weighted gate ``node`` (None when all are 1, and for other nodes).

        Examples
        --------
        >>> b = Builder()
        >>> x, y = b.input_node("x"), b.input_node("y")
        >>> s = b.gate("add", x, y, weights=(2, -1))
        >>> b.op(s), b.args(s), b.params(s)
        ('add', (0, 1), (2, -1))
        """
        return self._weights.get(node)

    def snapshot(self) -> Circuit:
        """Every node made so far as a circuit (no outputs, nothing dropped), e.g. for
        :func:`circuits.evaluate.node_values`."""
        return circuit_from_arrays(self.arrays(), self._values, self._names, self._inputs, {})

    def arrays(self) -> RecordArrays:
        """The nodes made so far as :class:`~circuits.core.arrays.RecordArrays` (a copy).

        Examples
        --------
        >>> b = Builder()
        >>> x = b.input_node("x")
        >>> a = b.arrays()
        >>> a.op_names, a.argptr.tolist()
        (('input',), [0, 0])
        """
        n = len(self._codes)
        return RecordArrays(tuple(self._op_names), np.array(self._codes, np.int16), np.array(self._ptr, np.int64),
                            np.array(self._flat, index_type(n)), WeightMap.of(self._weights))

    def arguments_from(self, start: int) -> array:
        """Every argument of the nodes ``start, start + 1, ...`` made so far, as one flat array.

        For a transform that watches which nodes its new gates use.

        Examples
        --------
        >>> b = Builder()
        >>> x, y = b.input_node("x"), b.input_node("y")
        >>> s, t = b.gate("mul", x, y), b.gate("sin", x)
        >>> list(b.arguments_from(s)), list(b.arguments_from(t))
        ([0, 1, 0], [0])
        """
        if not (type(start) is int and 0 <= start <= len(self._codes)):
            raise CircuitError(f"arguments_from({start!r}): give a node id from 0 to {len(self._codes)} "
                               "(the number of nodes made so far)")
        return self._flat[self._ptr[start]:]

    def remove(self, start: int, stop: int) -> None:
        """Remove the nodes ``start .. stop - 1``; the nodes made after them move down.

        Node ``u >= stop`` becomes ``u - (stop - start)``, in the arguments,
        constants, inputs and outputs of the builder.  No node from ``stop`` on
        may use a removed node (a transform drops gates it made and found
        unused).  Ids the caller keeps elsewhere are its to renumber.

        Examples
        --------
        >>> b = Builder()
        >>> x = b.input_node("x")
        >>> unused = b.gate("cos", x)
        >>> y = b.gate("sin", x)
        >>> b.remove(unused, unused + 1)
        >>> b.op(1), b.args(1), len(b)
        ('sin', (0,), 2)
        """
        n = len(self._codes)
        if not (type(start) is int and type(stop) is int and 0 <= start <= stop <= n):
            raise CircuitError(f"remove({start!r}, {stop!r}): give two node ids with 0 <= start <= stop <= {n} "
                               "(the number of nodes made so far)")
        shift = stop - start
        if shift == 0:
            return
        ptr, flat = self._ptr, self._flat
        w0, w1 = ptr[start], ptr[stop]
        later = np.array(flat[w1:], np.int64)
        if ((later >= start) & (later < stop)).any():
            raise CircuitError(f"remove({start}, {stop}): a later node uses one of the removed nodes")
        later[later >= stop] -= shift
        ends = np.array(ptr[stop + 1:], np.int64) - (w1 - w0)
        del self._codes[start:stop], flat[w0:], ptr[start + 1:]
        flat.frombytes(later.tobytes())
        ptr.frombytes(ends.tobytes())
        by_node: tuple[dict, ...] = (self._values, self._names, self._weights)
        for table in by_node:
            moved = {u: x for u, x in table.items() if u >= start}
            for u in moved:
                del table[u]
            table.update((u - shift, x) for u, x in moved.items() if u >= stop)
        to_node: tuple[dict, ...] = (self._inputs, self._const_cache)
        for table in to_node:
            for key, u in list(table.items()):
                if start <= u < stop:
                    del table[key]
                elif u >= stop:
                    table[key] = u - shift
        for key, u in list(self._outputs.items()):
            if start <= u < stop:
                raise CircuitError(f"remove({start}, {stop}): output {key!r} is one of the removed nodes")
            if u >= stop:
                self._outputs[key] = u - shift

    def has_output(self, name: str) -> bool:
        """Whether an output called ``name`` has been declared."""
        return name in self._outputs

    def _append(self, op, args, weights) -> int:
        """Append a node (no checks); return its id."""
        code = self._code_of.get(op)
        if code is None:
            code = self._code_of[op] = len(self._op_names)
            self._op_names.append(op)
        n = len(self._codes)
        self._codes.append(code)
        if args:
            self._flat.extend(args)
        self._ptr.append(len(self._flat))
        if weights is not None:
            self._weights[n] = weights
        return n

    def _index(self, node) -> int:
        """``node`` (a numpy integer, say) as a node id of this builder, or one CircuitError."""
        if isinstance(node, (int, np.integer)) and not isinstance(node, bool) and 0 <= node < len(self._codes):
            return int(node)
        raise CircuitError(f"{node!r} is not a node of this builder; node ids are ints from 0 to "
                           f"{len(self._codes) - 1}")

    def _arg_node(self, x) -> int:
        """A gate argument: an int is a node id, a wire its node, a float or Fraction a constant."""
        if type(x) is int:
            if not 0 <= x < len(self._codes):
                raise CircuitError(f"node {x} does not exist yet (the builder has {len(self._codes)} nodes); "
                                   "use const_node(value) for an integer constant")
            return x
        return self._node_of(x)

    def _node_of(self, x) -> int:
        return node_of(self, x)

    # --- wire level ----------------------------------------------------------

    def inputs(self, names: Union[str, Iterable[str]]) -> tuple:
        """Add inputs named by a space/comma separated string or an iterable.

        Returns a tuple of wires, one per name.
        """
        if isinstance(names, str):
            names = names.replace(",", " ").split()
        return tuple(Wire(self, self.input_node(n)) for n in names)

    def input(self, name: str) -> "Wire":
        """Add one input; return its wire."""
        return Wire(self, self.input_node(name))

    def const(self, value: Number) -> "Wire":
        """Wire of a constant source."""
        return Wire(self, self.const_node(value))

    def wire(self, node: int) -> "Wire":
        """Wire of an existing node."""
        return Wire(self, node)

    def output(self, name: str, x: Union["Wire", Number]) -> None:
        """Declare output ``name`` as the wire ``x`` (or a float/Fraction constant).

        A plain ``int`` is refused: it could be a node id from the node-level
        API (use :meth:`output_node`) or a constant (use ``const(value)``).
        """
        if type(x) is int:
            raise CircuitError(f"output {name!r}: got the int {x}; pass a wire, use output_node(name, node) "
                               f"for a node id, or output(name, b.const({x})) for a constant")
        self.output_node(name, self._node_of(x))

    def output_node(self, name: str, node: int) -> None:
        """Declare output ``name`` as the node ``node`` (node level)."""
        check_name(name, "output")
        if name in self._outputs:
            raise CircuitError(f"an output named {name!r} already exists; output names must be unique")
        if not (type(node) is int and 0 <= node < len(self._codes)):
            raise CircuitError(f"output {name!r}: {node!r} is not a node of this builder")
        self._outputs[name] = node

    def build(self, meta=None) -> Circuit:
        """The circuit of the inputs and outputs declared so far.

        Gates and constants that no output uses are left out.  ``meta`` is
        passed on to :class:`Circuit` (transforms use it to tag node roles).
        """
        if not self._outputs:
            raise CircuitError("the circuit has no outputs; declare one with output(name, wire)")
        return compact(self.arrays(), self._values, self._names, self._inputs, self._outputs, meta)


class _TrustedBuilder(Builder):
    """The twin :meth:`Builder.trusted` returns: the same nodes, a ``gate`` without argument checks."""

    def gate(self, op: str, *args, weights: Optional[Sequence[Number]] = None) -> int:
        """Add gate ``op`` over argument node ids known to be valid; return its id."""
        if weights is not None:
            weights = self._checked_weights(op, GATES[op], args, weights)
        return self._append(op, args, weights)


# the functions this module lists in __all__ first, bound by name so that readers, linters
# and type checkers see them; the loop below binds them again, with every other registered function
exp: Callable[..., Any] = function("exp")
log: Callable[..., Any] = function("log")
sqrt: Callable[..., Any] = function("sqrt")
sin: Callable[..., Any] = function("sin")
cos: Callable[..., Any] = function("cos")
tanh: Callable[..., Any] = function("tanh")
sigmoid: Callable[..., Any] = function("sigmoid")
relu: Callable[..., Any] = function("relu")
step: Callable[..., Any] = function("step")
square: Callable[..., Any] = function("square")
recip: Callable[..., Any] = function("recip")

for _name in function_names():
    if _name not in SHADOWING:
        globals()[_name] = function(_name)
__all__ += [_name for _name in function_names() if _name not in __all__ and _name not in SHADOWING]


def __getattr__(name):
    # a gate named like a built-in, or registered after import: circuits.core.builder.<name>
    if gate_of_function(name) is not None:
        return function(name)
    raise AttributeError(f"module 'circuits.builder' has no attribute {name!r}")


def _entries(name: str, value) -> list:
    """(output name, value) pairs of one returned value: an array or nested list gives ``name[i,j]``."""
    if not isinstance(value, (list, tuple, np.ndarray)):
        return [(name, value)]
    try:
        array = np.array(value, dtype=object)
        if any(isinstance(v, (list, tuple, np.ndarray)) for v in array.flat):  # numpy keeps ragged rows
            raise ValueError
    except ValueError:
        raise CircuitError(f"the traced function returned {name!r} as nested lists of different lengths; "
                           "return a rectangular array or list of wires, or a dict of named outputs") from None
    if array.ndim == 0:
        return [(name, array.item())]
    return [(f"{name}[{','.join(map(str, at))}]", array[at]) for at in np.ndindex(array.shape)]


@overload
def trace(fn: Callable, *, inputs: Optional[Sequence[str]] = None) -> Circuit: ...
@overload
def trace(fn: None = None, *, inputs: Optional[Sequence[str]] = None) -> Callable[[Callable], Circuit]: ...


def trace(fn: Optional[Callable] = None, *, inputs: Optional[Sequence[str]] = None) -> Any:
    """Trace a Python function of numbers into a circuit.

    The inputs are named after the function's parameters (or ``inputs``);
    a parameter with a default value is not an input and keeps its default
    (``def f(x, k=3)`` has one input, ``x``).  A returned value becomes the
    output named after the function (``f`` for lambdas); a tuple or list of
    values gives ``f0, f1, ...``; a dict gives its keys; a numpy array or a
    nested list of wires gives one output per entry, ``f[0], f[1], ...``
    (``f[0,1]`` for two dimensions), as does an array inside a tuple or dict
    (``f1[0]``, ``grad[2]``).

    Python control flow on inputs is not traceable and raises
    :class:`CircuitError`.

    Examples
    --------
    >>> import circuits
    >>> @circuits.trace
    ... def h(x, y):
    ...     return x * y, x - y
    >>> list(h.outputs), h.evaluate(x=5, y=2)
    (['h0', 'h1'], {'h0': 10, 'h1': 3})
    >>> circuits.trace(lambda x: x * x).evaluate(x=3)
    {'f': 9}
    >>> def power(x, k=3):
    ...     return x ** k
    >>> circuits.trace(power).evaluate(x=2)
    {'power': 8}
    >>> import numpy as np
    >>> A = np.array([[1, 2], [3, 4]])
    >>> circuits.trace(lambda x, y: A @ np.array([x, y])).evaluate(x=1, y=10)
    {'f[0]': 21, 'f[1]': 43}
    """
    if fn is None:
        return lambda f: trace(f, inputs=inputs)
    check_callable(fn, "trace: fn")
    if inputs is not None:
        inputs = check_names(inputs, "trace: inputs", split=True)
    positional_names, keywords = _traced_inputs(fn, inputs)
    b = Builder()
    wires = b.inputs(positional_names + keywords)
    positional = wires[:len(wires) - len(keywords)]
    named = dict(zip(keywords, wires[len(wires) - len(keywords):]))
    try:
        inspect.signature(fn).bind(*positional, **named)
    except TypeError as exc:
        raise CircuitError(f"cannot trace {getattr(fn, '__name__', 'fn')} with the {len(wires)} inputs "
                           f"{listing(positional_names + keywords, most=6)}: {exc}") from None
    except ValueError:  # no signature to check (a builtin): the call will tell
        pass
    result = fn(*positional, **named)
    for key, value in _returned_items(fn, result):
        b.output_node(key, b._node_of(value))  # numbers (ints too) are constant outputs
    return b.build()


def _traced_inputs(fn: Callable, inputs: Optional[list]) -> tuple:
    """(positional input names, keyword-only input names) of :func:`trace`: ``inputs``, or ``fn``'s parameters."""
    if inputs is not None:
        return list(inputs), []
    params = inspect.signature(fn).parameters.values()
    bad = [p.name for p in params if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    if bad:
        raise CircuitError(f"cannot trace {getattr(fn, '__name__', 'fn')}: *{bad[0]} has no fixed inputs; "
                           "pass inputs=[...] or use circuits.Builder")
    # a parameter with a default keeps it: a constant of the function, not an input
    inputs = [p.name for p in params if p.default is p.empty and p.kind != p.KEYWORD_ONLY]
    keywords = [p.name for p in params if p.default is p.empty and p.kind == p.KEYWORD_ONLY]
    return inputs, keywords


def _returned_items(fn: Callable, result) -> list:
    """(output name, value) pairs of what the traced ``fn`` returned, named after ``fn``."""
    name = getattr(fn, "__name__", "f")
    name = name if isinstance(name, str) and name.isidentifier() else "f"
    if isinstance(result, Mapping):
        return [item for key, value in result.items() for item in _entries(str(key), value)]
    if isinstance(result, (tuple, list)) and not any(isinstance(v, (list, np.ndarray)) for v in result):
        return [(f"{name}{i}", value) for i, value in enumerate(result)]
    if isinstance(result, tuple):
        return [item for i, value in enumerate(result) for item in _entries(f"{name}{i}", value)]
    return _entries(name, result)
