"""Size, depth and cost of circuits, and how transforms change them.

A circuit is measured by its *size* ``s``
(number of gates; sources are not gates), its *depth* (gates on the longest
source-to-output path) and, for the analysis of forward propagation and
backpropagation, its number of *wires* ``w``.  Baur & Strassen (1983)
and Griewank & Walther (2008) count time as
the number of basic operations (+, × and transfer functions): :func:`cost`
with an operation-cost model.

* :func:`analyze` gives these numbers as a small frozen record, :class:`Analysis`;
* :func:`cost` prices a circuit under a cost model.

:mod:`circuits.bounds` checks the complexity claims with these counts, and
:mod:`circuits.report` (``compare``, ``scaling``) tabulates them.

Examples
--------
>>> import circuits
>>> @circuits.trace
... def f(x, y, z):
...     return (x - 3*y - 3*z + 5)**2 + (x - 2*y - 2*z)**2 + (x + y - 5*z - 3)**2
>>> a = circuits.analyze(f)
>>> a.n, a.s, a.w, a.depth
(3, 7, 17, 3)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from fractions import Fraction
from typing import Callable, Mapping, Union

from ..core.circuit import Circuit, check_circuit, gate_binary_ops
from ..core import display
from ..core.errors import CircuitError
from ..core.gates import GATES
from .memory import peak_memory

__all__ = ["Analysis", "analyze", "cost", "gate_binary_ops"]


@dataclass(frozen=True)
class Analysis:
    """Counts describing one circuit: size, depth, wires and more.

    Attributes
    ----------
    n : int
        Number of inputs.
    constants : int
        Number of constant sources.
    s : int
        Size: the number of gates.
    w : int
        Number of wires (a gate using ``x`` twice, as in ``x*x``, has two).
    depth : int
        Gates on the longest source-to-output path.
    op_counts : dict
        Gate name → number of gates of that kind (registry order).
    max_fan_in, max_fan_out : int
        Most wires into one gate, and out of one node.
    outputs : tuple of str
        Output names.
    binary_ops : int
        The gates rewritten as binary operations: ``k - 1`` for a ``k``-wire
        gate plus one multiplication per wire weight other than ±1 (a −1
        weight turns an addition into a subtraction); a 1-wire gate counts 1.
        This is the count CasADi's instructions and JAX's equations compare
        with (see ``benchmarks/``).
    peak_memory : int
        The most values held at once when the gates are evaluated in node
        order, inputs and outputs included (:func:`circuits.peak_memory`).
    """

    n: int
    constants: int
    s: int
    w: int
    depth: int
    op_counts: dict = field(default_factory=dict)
    max_fan_in: int = 0
    max_fan_out: int = 0
    outputs: tuple = ()
    binary_ops: int = 0
    peak_memory: int = field(default=0, repr=False)  # in the HTML table and compare(); repr as before

    @property
    def size(self) -> int:
        """Alias of :attr:`s`."""
        return self.s

    @property
    def wires(self) -> int:
        """Alias of :attr:`w`."""
        return self.w

    def as_dict(self) -> dict:
        """The fields as a plain (JSON-ready) dict."""
        d = asdict(self)
        d["op_counts"] = dict(self.op_counts)
        d["outputs"] = list(self.outputs)
        return d

    def __str__(self) -> str:
        ops = ", ".join(f"{GATES[op].label} {k}" for op, k in self.op_counts.items()) or "none"
        return (f"n={self.n} inputs, {self.constants} constants, s={self.s} gates, "
                f"w={self.w} wires, depth {self.depth}; gates: {ops}; "
                f"max fan-in {self.max_fan_in}, max fan-out {self.max_fan_out}; "
                f"{self.binary_ops} binary operations; outputs {', '.join(self.outputs)}")

    def _repr_html_(self) -> str:
        ops = ", ".join(f"{GATES[op].label} {k}" for op, k in self.op_counts.items()) or "none"
        rows = [("inputs n", self.n), ("constants", self.constants), ("gates s", self.s),
                ("wires w", self.w), ("depth", self.depth), ("gates by op", ops),
                ("max fan-in", self.max_fan_in), ("max fan-out", self.max_fan_out),
                ("binary operations", self.binary_ops), ("peak memory", self.peak_memory),
                ("outputs", ", ".join(self.outputs))]
        return display.table(["", ""], rows, caption="Analysis")


def analyze(circuit: Circuit) -> Analysis:
    """Count the inputs, constants, gates, wires, depth and fan of ``circuit``.

    Parameters
    ----------
    circuit : Circuit

    Returns
    -------
    Analysis

    Examples
    --------
    The sum-of-squares example: size 7, depth 3, and 17
    wires (4 + 3 + 4 into the sums, 3 into the squares, 3 into the output):

    >>> import circuits
    >>> f = circuits.trace(lambda x, y, z: (x - 3*y - 3*z + 5)**2 + (x - 2*y - 2*z)**2
    ...                    + (x + y - 5*z - 3)**2)
    >>> a = analyze(f)
    >>> a.s, a.depth, a.w, a.n, a.constants
    (7, 3, 17, 3, 2)
    >>> a.op_counts
    {'add': 4, 'square': 3}
    >>> a.max_fan_in, a.max_fan_out, a.binary_ops, a.peak_memory
    (4, 3, 18, 6)
    """
    check_circuit(circuit, "analyze()")  # a Circuit whose gates are all registered
    counts: dict[str, int] = {}
    fan_out = [0] * len(circuit)
    max_in = 0
    binary = 0
    for v in circuit.gates():
        op = circuit.op(v)
        counts[op] = counts.get(op, 0) + 1
        a = circuit.args(v)
        max_in = max(max_in, len(a))
        for u in a:
            fan_out[u] += 1
        binary += gate_binary_ops(circuit, v)
    order = {name: i for i, name in enumerate(GATES)}
    counts = dict(sorted(counts.items(), key=lambda kv: order[kv[0]]))
    return Analysis(
        n=len(circuit.inputs),
        constants=sum(1 for v in range(len(circuit)) if circuit.op(v) == "const"),
        s=circuit.size,
        w=circuit.wires,
        depth=circuit.depth,
        op_counts=counts,
        max_fan_in=max_in,
        max_fan_out=max(fan_out, default=0),
        outputs=tuple(circuit.outputs),
        binary_ops=binary,
        peak_memory=peak_memory(circuit),
    )


Cost = Union[int, float, Fraction]
CostModel = Union[None, str, Mapping[str, Cost], Callable[[Circuit, int], Cost]]


def cost(circuit: Circuit, model: CostModel = None) -> Cost:
    """Price ``circuit`` under an operation-cost model.

    Sources (inputs and constants) are free; every gate costs what the model
    says.  Baur & Strassen (1983) and Griewank & Walther (2008)
    count +, × and transfer functions at unit cost, the default.

    Parameters
    ----------
    circuit : Circuit
    model : None, "unit", "binary", dict or callable, optional
        ``None``/``"unit"``: every gate costs 1 (the cost is the size).
        ``"binary"``: each gate costs its binary operations (see
        :attr:`Analysis.binary_ops`).  A dict maps gate names to costs; the
        key ``"default"`` prices gates it does not list.  A callable
        ``model(circuit, node)`` returns the cost of one gate.

    Returns
    -------
    number

    Raises
    ------
    CircuitError
        When a dict model has no entry for a gate used by the circuit.

    Examples
    --------
    >>> import circuits
    >>> c = circuits.trace(lambda x, y: circuits.sin(x * y) + 2 * x)
    >>> cost(c), cost(c, "binary"), cost(c, {"mul": 1, "add": 1, "sin": 10})
    (3, 4, 12)
    >>> cost(c, {"mul": 1, "add": 1})
    Traceback (most recent call last):
    ...
    circuits.CircuitError: cost model has no entry for gate 'sin' (node 3); add 'sin' or a 'default' entry to the model
    """
    check_circuit(circuit, "cost()")
    if model is None or model == "unit":
        return circuit.size
    if model == "binary":
        return sum(gate_binary_ops(circuit, v) for v in circuit.gates())
    if callable(model):
        return sum(model(circuit, v) for v in circuit.gates())
    if isinstance(model, Mapping):
        default = model.get("default")
        total: Cost = 0
        for v in circuit.gates():
            op = circuit.op(v)
            c = model.get(op, default)
            if c is None:
                raise CircuitError(f"cost model has no entry for gate {op!r} (node {v}); "
                                   f"add {op!r} or a 'default' entry to the model")
            total += c
        return total
    raise CircuitError(f"unknown cost model {model!r}; use None, 'unit', 'binary', "
                       "a dict {gate name: cost} or a callable (circuit, node) -> cost")
