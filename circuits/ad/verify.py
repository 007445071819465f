"""Checking gradient circuits against outside references.

* :func:`check_gradient` — central finite differences, the check
  Wolfe (1982) recommends;
* :func:`symbolic_check` — exact comparison with ``sympy.diff``;
* :func:`bauer_paths` — Bauer's formula: a partial derivative as the sum over
  all paths of the products of the local partials along the path (Bauer
  1974), with the number of paths,
  which grows exponentially where backpropagation's work grows linearly.
"""

from __future__ import annotations

import math
import numbers
import warnings
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

import numpy as np
import sympy

from ..core import display
from ..core.checks import check_count, check_member, shown
from ..core.circuit import Circuit, check_circuit, check_number, select_outputs
from ..core.errors import CircuitError, EvaluationWarning, listing
from ..eval.budget import symbolic_budget
from ..eval.interpreter import node_values
from ..core.gates import GATES
from ..eval.interpreter import sympy_number
from .common import dname
from .linearize import edge_values
from .semirings import COUNTING, propagate

__all__ = ["check_gradient", "finite_differences", "kink_distances", "symbolic_check", "bauer_paths",
           "GradientReport", "SymbolicReport", "BauerPaths"]

_EPS_F = 2.0 ** -52  # float64's machine epsilon


def _partials(circuit: Circuit, gradient: Circuit):
    """Pairs (gradient output name, (output, input)) that name a partial of ``circuit``."""
    table = {dname(y, x): (y, x) for y in circuit.outputs for x in circuit.inputs}
    found = [(name, table[name]) for name in gradient.outputs if name in table]
    if not found:
        raise CircuitError("the gradient circuit has no output named d{y}/d{x} for an output y and "
                           f"input x of the circuit (its outputs are {listing(gradient.outputs)})")
    extra = [x for x in gradient.inputs if x not in circuit.inputs]
    if extra:
        raise CircuitError(f"the gradient circuit has inputs {extra} that the circuit does not have; "
                           "check seeded products (jvp/vjp) by evaluating them instead")
    return found


@dataclass(frozen=True)
class GradientReport:
    """Result of :func:`check_gradient`; truthy when every partial agrees with the differences.

    ``rows`` holds ``(name, analytic, numeric, error, resolution, ok)``:
    ``error`` is ``|analytic − numeric|`` and ``resolution`` what the finite
    differences can resolve at that point (their estimated error, at least
    the rounding of ``f`` divided by the step), both relative to the
    partial's scale ``max(|analytic|, |numeric|, √ε·V)``, where ``V`` is how
    much ``f`` varies over the largest step per unit of the input (a partial
    far below it is zero as far as differences can tell).  A partial is
    ``ok`` when ``error ≤ tolerance + 10·resolution``.
    """

    rows: tuple
    tolerance: float

    @property
    def max_error(self) -> float:
        return max((r[3] for r in self.rows), default=0.0)

    def __bool__(self) -> bool:
        return all(r[5] for r in self.rows)

    def __str__(self) -> str:
        lines = [f"{'partial':<16} {'circuit':>14} {'finite diff.':>14} {'error':>9} {'resolvable':>10}"]
        for name, a, n, e, res, ok in self.rows:
            flag = "" if ok else "  <-- too large"
            lines.append(f"{name:<16} {a:>14.8g} {n:>14.8g} {e:>9.1e} {res:>10.1e}{flag}")
        verdict = "OK" if self else "FAILED"
        lines.append(f"{verdict}: max error {self.max_error:.1e} (tolerance {self.tolerance:.0e} "
                     "plus 10× what the differences resolve)")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = [(name, a, n, f"{e:.1e}" + ("" if ok else " ✗"), f"{res:.1e}")
                for name, a, n, e, res, ok in self.rows]
        return (display.verdict(bool(self), f"gradient check: max error {self.max_error:.1e} "
                                            f"(tolerance {self.tolerance:.0e} plus 10× what the "
                                            f"differences resolve)")
                + display.table(["partial", "circuit", "finite diff.", "error", "resolvable"], rows))


_RIDDERS_STEPS = 12     # central differences at h, h/c, h/c², ... (c = 1.6: a range of 1.6¹¹ ≈ 176)
_RIDDERS_SHRINK = 1.6
_FIRST_STEP = 0.1       # relative to |x|


def _ridders(columns, steps):
    """Ridders' extrapolation of central differences to step 0 (Numerical Recipes, ``dfridr``).

    ``columns[k]`` is the central difference at ``steps[k]`` (shrinking).
    Returns ``(estimate, error estimate, level)``; the error is the largest
    change between neighbouring entries of the Neville tableau at the best
    entry, the entry of least error over the whole tableau (no early stop:
    a large first step can look converged by chance).  Non-finite
    differences (a step leaving the domain) are skipped while no estimate
    exists, and end the tableau after.
    """
    c2 = _RIDDERS_SHRINK ** 2
    best, err, level = math.nan, math.inf, 0
    prev = None
    for i, d in enumerate(columns):
        if not math.isfinite(d):
            if prev is None:
                continue
            break
        row = [d]
        if prev is not None:
            fac = c2
            for j in range(1, len(prev) + 1):
                row.append((row[j - 1] * fac - prev[j - 1]) / (fac - 1))
                fac *= c2
                errt = max(abs(row[j] - row[j - 1]), abs(row[j] - prev[j - 1]))
                if errt <= err:
                    best, err, level = row[j], errt, i
        elif math.isnan(best):
            best, level = d, i
        prev = row
    return best, err, level


def kink_distances(circuit: Circuit, values) -> list:
    """For every gate with a declared kink (relu, step, abs, max, ...), ``kink(arguments)`` at ``values``.

    Zero means the gate sits on its kink, where it is not differentiable.
    """
    rec = circuit.record
    out = []
    for v, op in enumerate(rec.ops):
        gate = GATES.get(op)
        if gate is not None and gate.kink is not None:
            out.append(gate.kink(*(values[u] for u in rec.args[v])))
    return out


def _differences(circuit: Circuit, base: dict, x: str, h0: float) -> dict:
    """Ridders-extrapolated central differences of every output along ``x`` at ``base``.

    The one finite-difference scheme of the package.  Central differences at
    ``_RIDDERS_STEPS`` steps shrinking from ``h0`` by ``_RIDDERS_SHRINK``,
    all in one numpy batch, extrapolated to step 0 by :func:`_ridders`.  While
    the widest stencil would cross a gate's declared kink (relu, step, abs,
    max, ...: the sign of ``kink(arguments)`` changes over the batch), ``h0``
    is divided by 8.  Returns ``{y: (estimate, resolution, variation)}``:
    the resolution is what the differences can tell apart (Ridders' error
    estimate, at least the rounding of the values over the step), the
    variation how much ``y`` changes over the widest step per unit of ``x``.
    """
    x0 = base[x]
    kinked = any(GATES[op].kink is not None for op in set(circuit.record.ops) if op in GATES)
    while True:
        steps = [h0 / _RIDDERS_SHRINK ** k for k in range(_RIDDERS_STEPS)]
        # the steps as actually represented around x0, so that rounding of x0 ± h costs nothing
        ups = np.array([x0 + h for h in steps])
        downs = np.array([x0 - h for h in steps])
        batch = dict(base)
        batch[x] = np.concatenate([ups, downs, [x0]])
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", EvaluationWarning)  # a step out of the domain: nan, skipped
            nodes = node_values(circuit, batch)
        if not kinked:
            break
        crossed = False
        for d in kink_distances(circuit, nodes):
            d = np.broadcast_to(np.asarray(d, dtype=float), batch[x].shape)
            if d[-1] == 0:
                raise CircuitError(f"input {x!r}: the point {short_point(base)} lies on the kink of a gate (relu, "
                                   "step, abs, max, ...), where the derivative is undefined; choose another point")
            finite = np.isfinite(d)
            crossed |= bool(np.any(np.sign(d[finite]) != np.sign(d[-1])))
        if not crossed:
            break
        h0 /= 8
        if h0 < 1e-12 * max(1.0, abs(x0)):
            raise CircuitError(f"input {x!r}: the point {short_point(base)} is within {h0 * 8:.1g} of the kink of "
                               "a gate (relu, step, abs, max, ...), too close for finite differences; "
                               "choose another point")
    widths = [float(w) for w in ups - downs]
    return {y: _extrapolated(np.broadcast_to(np.asarray(nodes[node], dtype=float), batch[x].shape), steps, widths)
            for y, node in circuit.outputs.items()}


def _extrapolated(v, steps: list, widths: list) -> tuple:
    """(estimate, resolution, variation) of one output's values ``v``: ups, downs, then the centre."""
    m = len(steps)
    up, down, centre = v[:m], v[m:2 * m], float(v[-1])
    columns = [(float(u) - float(d)) / w for u, d, w in zip(up, down, widths)]
    est, err, level = _ridders(columns, steps)
    noise = _EPS_F * max(abs(float(up[level])), abs(float(down[level]))) / widths[level] * 4
    variation = 0.0
    # how much y varies over the largest finite step, per unit of x: partials far
    # below it (√ε times) are zero as far as differences can tell
    for u, d, w in zip(up, down, widths):
        if math.isfinite(u) and math.isfinite(d) and math.isfinite(centre):
            variation = (abs(float(u) - centre) + abs(float(d) - centre)) / w
            break
    return est, max(err, noise) if math.isfinite(est) else math.inf, variation


def check_point(circuit: Circuit, point: Any, where: str) -> dict:
    """``point``'s value of every input of ``circuit`` as a finite float, or one CircuitError naming the problem.

    >>> import circuits
    >>> check_point(circuits.parse("x * y"), {"x": 1, "y": float("nan")}, "check")
    Traceback (most recent call last):
    ...
    circuits.CircuitError: check: point['y'] is nan; finite differences need a finite point
    """
    if not isinstance(point, Mapping):
        raise CircuitError(f"{where}: point must be a mapping of input name to number, e.g. "
                           f"{{'x': 0.5}}, got {type(point).__name__}")
    missing = [k for k in circuit.inputs if k not in point]
    if missing:
        raise CircuitError(f"{where}: missing value for input {missing[0]!r}; the circuit's inputs are "
                           f"{listing(circuit.inputs)}")
    values = {k: float(check_number(point[k], f"{where}: point[{k!r}]")) for k in circuit.inputs}
    for k, v in values.items():
        if not math.isfinite(v):
            raise CircuitError(f"{where}: point[{k!r}] is {v}; finite differences need a finite point")
    return values


def check_step(h: Any, where: str) -> Optional[float]:
    """``h`` (a largest finite-difference step) as a positive float, None kept, or one CircuitError."""
    if h is None:
        return None
    if isinstance(h, bool) or not isinstance(h, numbers.Real) or not (math.isfinite(h) and 0 < h <= 1):  # type: ignore[operator]  # numbers.Real orders, typeshed does not say so
        raise CircuitError(f"{where} must be a positive number at most 1 (the largest finite-difference "
                           f"step, relative to |x| where |x| > 1), not {shown(h)}")
    return float(h)


def _first_step(x0: float) -> float:
    return _FIRST_STEP * abs(x0) if x0 != 0 else _FIRST_STEP


def _scaled_differences(circuit: Circuit, base: dict, x: str) -> dict:
    """:func:`_differences` from the default largest step, ``0.1·|x|``, and for ``|x| > 1`` also from 0.1.

    A step relative to ``x`` suits badly scaled inputs (Brown's ``x₁ ≈ 10⁶``) but
    overshoots what varies on a scale of 1 far from 0 (``sin`` at ``x = 10⁴``: steps of
    10³ see an average of zero, consistently enough for Ridders to trust it).  Per
    output, where the two agree within their errors the one with the smaller error
    is kept; where they do not, the smaller steps' (whose error estimate counts the
    rounding honestly, while large steps can agree with each other on an average).
    """
    relative = _differences(circuit, base, x, _first_step(base[x]))
    if abs(base[x]) <= 1:
        return relative
    absolute = _differences(circuit, base, x, _FIRST_STEP)
    out = {}
    for y, (est_r, res_r, var_r) in relative.items():
        est_a, res_a, var_a = absolute[y]
        agree = abs(est_r - est_a) <= res_r + res_a
        out[y] = (est_r, res_r, var_r) if agree and res_r <= res_a else (est_a, res_a, var_a)
    return out


def short_point(point: Mapping, most: int = 6) -> str:
    """A point for a message: its first ``most`` items, then how many inputs there are.

    >>> short_point({f"x{i}": float(i) for i in range(8)}, 2)
    "{'x0': 0.0, 'x1': 1.0, ... (8 inputs)}"
    """
    items = list(point.items())
    text = ", ".join(f"{k!r}: {v!r}" for k, v in items[:most])
    return "{" + text + (f", ... ({len(items)} inputs)" if len(items) > most else "") + "}"


def finite_differences(circuit: Circuit, point: Mapping[str, float], wrt=None, *,
                       h: Optional[float] = None) -> dict:
    """Central differences of every output along each input: ``{x: {y: ∂y/∂x}}``.

    The one finite-difference scheme of the package (Wolfe 1982),
    shared by :func:`check_gradient`,
    :func:`circuits.testing.assert_gradient_close` and
    :func:`circuits.testing.check_grads`: central differences at a dozen
    steps shrinking from ``h`` (default ``0.1·|x|``, and also 0.1 where
    ``|x| > 1``, the smaller steps winning where the two disagree),
    extrapolated to step 0 by Ridders' method (Numerical Recipes,
    ``dfridr``), all steps along one input one numpy batch; the largest
    step is divided by 8 while the stencil would cross a gate's declared kink.

    Raises
    ------
    CircuitError
        When ``point`` lies on a kink (no step small enough avoids it), is
        not a mapping with a finite number for every input, or ``h`` is not
        a positive number.

    Examples
    --------
    >>> import circuits
    >>> from circuits.ad.verify import finite_differences
    >>> d = finite_differences(circuits.parse("x**3 + abs(y)"), {"x": 2.0, "y": -1.0})
    >>> round(d["x"]["f"], 9), round(d["y"]["f"], 9)
    (12.0, -1.0)
    """
    check_circuit(circuit, "finite_differences()")
    point = check_point(circuit, point, "finite_differences")
    h = check_step(h, "finite_differences: h")
    wrt = list(circuit.inputs) if wrt is None else list(wrt)
    return {x: {y: d[0] for y, d in (_differences(circuit, point, x, h) if h is not None
                                     else _scaled_differences(circuit, point, x)).items()}
            for x in wrt}


def check_gradient(circuit: Circuit, gradient_circuit: Circuit, point: Mapping[str, float],
                   eps: Optional[float] = None, tolerance: float = 1e-5) -> GradientReport:
    """Compare a gradient circuit with finite differences of the circuit.

    Central differences (the check Wolfe 1982
    recommends) at a dozen shrinking steps per input,
    extrapolated to step 0 by Ridders' method, which also estimates their
    error.  The steps scale with each input (from ``0.1·|x|``, and also from
    0.1 where ``|x| > 1``, for what varies on a scale of 1 far from 0), so inputs of very different sizes are each differenced at
    their own scale, and each partial is judged against what the
    differences can resolve there (their error estimate, and at least the
    rounding of the function's values divided by the step): a correct
    gradient of a badly scaled function passes, a wrong one still fails.
    All differences along one input are one numpy batch evaluation.

    Parameters
    ----------
    circuit, gradient_circuit : Circuit
        The function and a circuit with outputs named ``d{y}/d{x}`` (from
        :func:`circuits.backward`, :func:`circuits.forward`, ...).
    point : mapping
        Input name → value.
    eps : float, optional
        Largest step, the same for every input (default: scaled per input).
    tolerance : float
        Accepted error relative to each partial's scale, on top of 10× what
        the differences resolve (see :class:`GradientReport`).

    Examples
    --------
    >>> import circuits
    >>> f = circuits.parse("sin(x) * exp(y)")
    >>> report = circuits.check_gradient(f, circuits.backward(f), {"x": 0.5, "y": -1.0})
    >>> bool(report), report.max_error < 1e-10
    (True, True)

    Brown's badly scaled function (Moré, Garbow, Hillstrom 1981, problem 4)
    has values near 10¹²: differences cannot resolve ∂f/∂x₂ to 10⁻⁵, and
    the check says so instead of raising a false alarm.

    >>> from circuits.library import mgh
    >>> f = mgh.circuit("brown_badly_scaled")
    >>> report = circuits.check_gradient(f, circuits.backward(f), {"x_1": 1.35, "x_2": 0.86})
    >>> bool(report), report.rows[1][4] > 1e-5
    (True, True)
    """
    check_circuit(circuit, "check_gradient()")
    check_circuit(gradient_circuit, "check_gradient(): gradient_circuit")
    if not isinstance(point, Mapping):
        raise CircuitError(f"point must be a mapping of input name to number, got {type(point).__name__}")
    pairs = _partials(circuit, gradient_circuit)
    eps = check_step(eps, "check_gradient: eps")
    if isinstance(tolerance, bool) or not isinstance(tolerance, numbers.Real) or not tolerance >= 0:
        raise CircuitError(f"check_gradient: tolerance must be a number ≥ 0, not {tolerance!r}")
    base = {k: float(check_number(v, f"check_gradient: point[{k!r}]")) for k, v in point.items()}
    check_point(circuit, base, "check_gradient")
    circuit.evaluate(base)  # names checked, and a point outside the domain is a CircuitError
    analytic = gradient_circuit.evaluate({k: base[k] for k in gradient_circuit.inputs})
    differences = _differences_by_pair(circuit, base, pairs, eps)
    return GradientReport(_report_rows(pairs, analytic, differences, tolerance), tolerance)


def _differences_by_pair(circuit: Circuit, base: dict, pairs: list, eps: Optional[float]) -> dict:
    """{(y, x): (estimate, resolution, variation)} at ``base`` for every input ``x`` of ``pairs``."""
    inputs = {k: v for k, v in base.items() if k in circuit.inputs}
    differences = {}
    for x in dict.fromkeys(x for _, (_, x) in pairs):
        found = _differences(circuit, inputs, x, eps) if eps is not None else _scaled_differences(circuit, inputs, x)
        for y, d in found.items():
            differences[(y, x)] = d
    return differences


def _report_rows(pairs: list, analytic: dict, differences: dict, tolerance: float) -> tuple:
    """The rows of :class:`GradientReport`: each partial against its difference."""
    rows = []
    for name, (y, x) in pairs:
        d, res, variation = differences[(y, x)]
        a = float(analytic[name])
        scale = max(abs(a), abs(d), math.sqrt(_EPS_F) * variation)
        if scale == 0:  # everything zero: compare absolutely
            scale = 1.0
        error = abs(a - d) / scale
        res = res / scale
        if math.isnan(error):
            error = math.inf
        ok = math.isfinite(error) and error <= tolerance + 10 * res
        rows.append((name, a, float(d), float(error), float(res), bool(ok)))
    return tuple(rows)


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
    check_circuit(circuit, "symbolic_check()")
    check_circuit(gradient_circuit, "symbolic_check(): gradient_circuit")
    with symbolic_budget("symbolic_check"):
        return _symbolic_check(circuit, gradient_circuit)


def _symbolic_check(circuit: Circuit, gradient_circuit: Circuit) -> SymbolicReport:
    pairs = _partials(circuit, gradient_circuit)
    symbols = _symbols(circuit)
    fs = circuit.evaluate(symbols)
    gs = gradient_circuit.evaluate(symbols)
    rows = []
    try:
        for name, (y, x) in pairs:
            want = sympy.diff(fs[y], symbols[x])
            got = sympy_number(gs[name])
            difference = sympy.simplify(sympy.nsimplify(got - want, rational=True)) if got != want else 0
            rows.append((name, got, want, difference == 0))
    except RecursionError:  # sympy differentiates and simplifies recursively
        raise CircuitError(f"the circuit is too deep (depth {circuit.depth}) for sympy.diff, which recurses "
                           "over the expression; use check_gradient instead") from None
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
    The worked example has 3 paths from x1 to y:

    >>> import circuits, sympy
    >>> y = circuits.trace(lambda x1, x2: (x1 + x2 + x1 * x2) * (x1 + x2))
    >>> r = circuits.bauer_paths(y, input="x1")
    >>> r.paths, sympy.expand(r.value)
    (3, 2*x1*x2 + 2*x1 + x2**2 + 2*x2)
    """
    check_circuit(circuit, "bauer_paths()")
    output = select_outputs(circuit, output, one=True, what="bauer_paths")[0]
    if input is None:
        if len(circuit.inputs) != 1:
            raise CircuitError(f"choose an input among {listing(circuit.inputs)}")
        input = next(iter(circuit.inputs))
    check_member(input, circuit.inputs, "bauer_paths")
    max_paths = check_count(max_paths, "bauer_paths: max_paths")
    source = circuit.inputs[input]

    # the number of paths from each node to the target: the counting semiring, one sweep
    count = propagate(circuit, COUNTING, output=output).values
    paths = count.get(source, 0)
    if paths > max_paths:
        raise CircuitError(f"{paths} paths lead from {input!r} to {output!r}, more than max_paths={max_paths}; "
                           "Bauer's formula is exponential here, which is why backpropagation shares them")

    with symbolic_budget("bauer_paths") if point is None else nullcontext():
        return _bauer_sum(circuit, output, input, point, count, paths)


def _bauer_sum(circuit, output, input, point, count, paths) -> BauerPaths:
    source, target = circuit.inputs[input], circuit.outputs[output]
    # the edge labels c_kj = ∂_j[k] of the linearized graph, on the wires between input and output
    local = edge_values(circuit, point, wrt=[input], output=output)

    successors: dict = {}
    for g, a in enumerate(circuit.record.args):
        if g in count:
            for i, u in enumerate(a):
                successors.setdefault(u, []).append((g, i))
    total: Any = 0  # a number, or a sympy expression
    stack = [(source, sympy.Integer(1))]  # explicit stack: no recursion over depth
    while stack:
        node, product = stack.pop()
        if node == target:
            total += product
            continue
        for g, i in successors.get(node, ()):
            stack.append((g, product * local[(node, g, i)]))
    if point is not None and (not isinstance(total, sympy.Basic) or total.is_number):
        total = float(total)
    return BauerPaths(output, input, paths, total)
