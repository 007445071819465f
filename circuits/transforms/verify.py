"""Checking gradient circuits against outside references.

* :func:`check_gradient` — central finite differences, the check seed
  ``001_98bb05108a2025f7.txt`` recommends (after Wolfe 1982);
* :func:`symbolic_check` — exact comparison with ``sympy.diff``;
* :func:`bauer_paths` — Bauer's formula: a partial derivative as the sum over
  all paths of the products of the local partials along the path (seed 001,
  Remark 12.7; seed ``002_3c7c11eee237a228.txt``), with the number of paths,
  which grows exponentially where backpropagation's work grows linearly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

import sympy

from .. import display
from ..circuit import Circuit
from ..errors import CircuitError
from ..gates import GATES
from .common import dname

__all__ = ["check_gradient", "symbolic_check", "bauer_paths",
           "GradientReport", "SymbolicReport", "BauerPaths"]


def _partials(circuit: Circuit, gradient: Circuit):
    """Pairs (gradient output name, (output, input)) that name a partial of ``circuit``."""
    table = {dname(y, x): (y, x) for y in circuit.outputs for x in circuit.inputs}
    found = [(name, table[name]) for name in gradient.outputs if name in table]
    if not found:
        raise CircuitError("the gradient circuit has no output named d{y}/d{x} for an output y and "
                           f"input x of the circuit (its outputs are {list(gradient.outputs)[:6]})")
    extra = [x for x in gradient.inputs if x not in circuit.inputs]
    if extra:
        raise CircuitError(f"the gradient circuit has inputs {extra} that the circuit does not have; "
                           "check seeded products (jvp/vjp) by evaluating them instead")
    return found


@dataclass(frozen=True)
class GradientReport:
    """Result of :func:`check_gradient`; truthy when every partial is within tolerance.

    ``rows`` holds ``(name, analytic, numeric, error)`` with the error relative to
    ``max(1, |numeric|)``.
    """

    rows: tuple
    tolerance: float

    @property
    def max_error(self) -> float:
        return max((r[3] for r in self.rows), default=0.0)

    def __bool__(self) -> bool:
        return all(r[3] <= self.tolerance for r in self.rows)

    def __str__(self) -> str:
        lines = [f"{'partial':<16} {'circuit':>14} {'finite diff.':>14} {'error':>9}"]
        for name, a, n, e in self.rows:
            flag = "" if e <= self.tolerance else "  <-- too large"
            lines.append(f"{name:<16} {a:>14.8g} {n:>14.8g} {e:>9.1e}{flag}")
        verdict = "OK" if self else "FAILED"
        lines.append(f"{verdict}: max error {self.max_error:.1e} (tolerance {self.tolerance:.0e})")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = [(name, a, n, f"{e:.1e}" + ("" if e <= self.tolerance else " ✗"))
                for name, a, n, e in self.rows]
        return (display.verdict(bool(self), f"gradient check: max error {self.max_error:.1e} "
                                            f"(tolerance {self.tolerance:.0e})")
                + display.table(["partial", "circuit", "finite diff.", "error"], rows))


def check_gradient(circuit: Circuit, gradient_circuit: Circuit, point: Mapping[str, float],
                   eps: Optional[float] = None, tolerance: float = 1e-5) -> GradientReport:
    """Compare a gradient circuit with central finite differences of the circuit.

    Parameters
    ----------
    circuit, gradient_circuit : Circuit
        The function and a circuit with outputs named ``d{y}/d{x}`` (from
        :func:`circuits.backward`, :func:`circuits.forward`, ...).
    point : mapping
        Input name → value.
    eps : float, optional
        Step; by default ``ε^(1/3)·max(1, |x|)`` per input, ε the float precision.
    tolerance : float
        Largest accepted error relative to ``max(1, |finite difference|)``.

    Examples
    --------
    >>> import circuits
    >>> f = circuits.parse("sin(x) * exp(y)")
    >>> report = circuits.check_gradient(f, circuits.backward(f), {"x": 0.5, "y": -1.0})
    >>> bool(report), report.max_error < 1e-8
    (True, True)
    """
    pairs = _partials(circuit, gradient_circuit)
    base = {k: float(v) for k, v in point.items()}
    analytic = gradient_circuit.evaluate(base)
    rows = []
    for name, (y, x) in pairs:
        h = eps if eps is not None else (2.0 ** -52) ** (1 / 3) * max(1.0, abs(base[x]))
        up = circuit.evaluate({**base, x: base[x] + h})[y]
        down = circuit.evaluate({**base, x: base[x] - h})[y]
        numeric = (up - down) / (2 * h)
        a = float(analytic[name])
        error = abs(a - numeric) / max(1.0, abs(numeric))
        if math.isnan(error):
            error = math.inf
        rows.append((name, a, numeric, error))
    return GradientReport(tuple(rows), tolerance)


@dataclass(frozen=True)
class SymbolicReport:
    """Result of :func:`symbolic_check`; truthy when every partial equals sympy's.

    ``rows`` holds ``(name, circuit expression, sympy.diff expression, equal)``.
    """

    rows: tuple

    def __bool__(self) -> bool:
        return all(r[3] for r in self.rows)

    def __str__(self) -> str:
        lines = [f"{name}: {'equal' if ok else 'DIFFERENT'}  ({got} vs {want})" for name, got, want, ok in self.rows]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = [(name, str(got), str(want), "equal" if ok else "DIFFERENT ✗")
                for name, got, want, ok in self.rows]
        title = f"symbolic check: {sum(r[3] for r in self.rows)} of {len(self.rows)} partials equal sympy.diff"
        return display.verdict(bool(self), title) + display.table(
            ["partial", "gradient circuit", "sympy.diff", ""], rows)


def _symbols(circuit: Circuit):
    return {x: sympy.Symbol(x) for x in circuit.inputs}


def symbolic_check(circuit: Circuit, gradient_circuit: Circuit) -> SymbolicReport:
    """Compare a gradient circuit with ``sympy.diff`` of the circuit, exactly.

    Both sides are evaluated symbolically; a partial is equal when sympy
    simplifies the difference to zero.

    Examples
    --------
    >>> import circuits
    >>> f = circuits.parse("x * exp(x * y) + y**3")
    >>> bool(circuits.symbolic_check(f, circuits.forward(f)))
    True
    """
    pairs = _partials(circuit, gradient_circuit)
    symbols = _symbols(circuit)
    fs = circuit.evaluate(symbols)
    gs = gradient_circuit.evaluate(symbols)
    rows = []
    for name, (y, x) in pairs:
        want = sympy.diff(fs[y], symbols[x])
        got = sympy.sympify(gs[name])
        difference = sympy.simplify(sympy.nsimplify(got - want, rational=True)) if got != want else 0
        rows.append((name, got, want, difference == 0))
    return SymbolicReport(tuple(rows))


@dataclass(frozen=True)
class BauerPaths:
    """Bauer's path formula for one partial: its value and the number of paths."""

    output: str
    input: str
    paths: int
    value: Any = field(compare=False)

    def __str__(self) -> str:
        return f"d{self.output}/d{self.input}: {self.paths} paths, sum = {self.value}"

    def _repr_html_(self) -> str:
        return display.verdict(None, f"Bauer's formula for d{self.output}/d{self.input}") + display.table(
            ["paths", "sum of path products"], [(self.paths, str(self.value))])


def bauer_paths(circuit: Circuit, output: Optional[str] = None, input: Optional[str] = None,
                point: Optional[Mapping[str, Any]] = None, max_paths: int = 10_000) -> BauerPaths:
    """Bauer's formula: ``∂y/∂x`` as the sum over paths x → y of products of local partials.

    Parameters
    ----------
    output : str, optional
        Output ``y`` (optional for a single-output circuit).
    input : str
        Input ``x`` (optional for a single-input circuit).
    point : mapping, optional
        Evaluate at these input values; by default the sum is a sympy
        expression in the inputs.
    max_paths : int
        Refuse to enumerate more paths than this (their number is always
        counted, by dynamic programming, and reported in the error).

    Examples
    --------
    Seed 003's example has 3 paths from x1 to y:

    >>> import circuits, sympy
    >>> y = circuits.trace(lambda x1, x2: (x1 + x2 + x1 * x2) * (x1 + x2))
    >>> r = circuits.bauer_paths(y, input="x1")
    >>> r.paths, sympy.expand(r.value)
    (3, 2*x1*x2 + 2*x1 + x2**2 + 2*x2)
    """
    if output is None:
        if len(circuit.outputs) != 1:
            raise CircuitError(f"choose an output among {list(circuit.outputs)}")
        output = next(iter(circuit.outputs))
    if input is None:
        if len(circuit.inputs) != 1:
            raise CircuitError(f"choose an input among {list(circuit.inputs)}")
        input = next(iter(circuit.inputs))
    if output not in circuit.outputs:
        raise CircuitError(f"{output!r} is not an output; outputs are {list(circuit.outputs)}")
    if input not in circuit.inputs:
        raise CircuitError(f"{input!r} is not an input; inputs are {list(circuit.inputs)}")
    source, target = circuit.inputs[input], circuit.outputs[output]

    # number of paths from each node to the target, by dynamic programming
    count = [0] * len(circuit)
    count[target] = 1
    for g in range(target, -1, -1):
        if count[g]:
            for u in circuit._args[g]:
                count[u] += count[g]
    paths = count[source]
    if paths > max_paths:
        raise CircuitError(f"{paths} paths lead from {input!r} to {output!r}, more than max_paths={max_paths}; "
                           "Bauer's formula is exponential here, which is why backpropagation shares them")

    node_value = _node_values(circuit, point)

    def local(g, i):
        op = circuit._ops[g]
        if op == "add":
            return circuit.weights(g)[i]
        args = [node_value[u] for u in circuit._args[g]]
        dummies = sympy.symbols(f"a0:{len(args)}")
        expr = (GATES[op].sym or GATES[op].num)(*dummies)
        return sympy.diff(expr, dummies[i]).subs(dict(zip(dummies, args)))

    successors: dict = {}
    for g, a in enumerate(circuit._args):
        if count[g]:
            for i, u in enumerate(a):
                successors.setdefault(u, []).append((g, i))
    total = 0
    stack = [(source, sympy.Integer(1))]  # explicit stack: no recursion over depth
    while stack:
        node, product = stack.pop()
        if node == target:
            total += product
            continue
        for g, i in successors.get(node, ()):
            stack.append((g, product * local(g, i)))
    if point is not None:
        total = sympy.sympify(total)
        total = float(total) if total.is_number else total
    return BauerPaths(output, input, paths, total)


def _node_values(circuit: Circuit, point):
    """Value of every node, symbolic (inputs as symbols) or at ``point``."""
    from ..evaluate import evaluate
    env = dict(point) if point is not None else _symbols(circuit)
    env = {k: sympy.sympify(v) for k, v in env.items()}
    every = Circuit(circuit._ops, circuit._args, circuit._weights, circuit._values,
                    circuit._names, circuit._inputs, {str(i): i for i in range(len(circuit))})
    out = evaluate(every, env)
    return [out[str(i)] for i in range(len(circuit))]
