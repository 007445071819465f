"""Export: a circuit as a function of another array library (JAX), from each gate's ``formula``.

Every gate declares its ``formula`` once, against a namespace of elementary
functions (:class:`circuits.core.gates.Namespace`); :func:`translate` builds a
circuit's outputs in any such namespace, node by node.  :func:`to_jax` uses
it with ``jax.numpy``/``jax.lax``, so the exported function works under
``jax.jit``, ``jax.vmap`` and ``jax.grad`` (whose gradient equals
:func:`circuits.backward`'s) and runs wherever JAX runs (GPUs, TPUs,
sharded batches).  The benchmark peers (``benchmarks/peers.py``) translate
to CasADi and JAX with the same function.

:func:`to_jax` has two lowerings.  ``"unrolled"`` is straight-line code, one
JAX operation per gate: the fastest to run, but XLA's compile time grows
faster than linearly with the circuit (14-23 s to jit 10^4 random gates,
more than 40 s for their ``jax.grad``; ``benchmarks/results/jax_export.md``).
``"levels"`` is a gather-and-apply loop over a plan of the circuit
(:func:`level_plan`): gates grouped by depth and by kind, each group applied
with one vectorised operation over arguments gathered from a value buffer,
inside one ``jax.lax.scan`` whose body has one branch per gate kind, so the
compiled program's size depends on the kinds of gates, not on their number
(0.1-0.9 s to jit, 0.1-5 s for ``jax.grad``, on the same circuits), and a
point runs in 0.01-0.13 µs per step; batches run 1-20x slower than
unrolled, since every value goes through the buffer where XLA fuses
unrolled code.  A Python loop over the levels (one operation per level and
kind) would not bound compile time: a chain has as many levels as gates.
"""

from __future__ import annotations

import gc
from fractions import Fraction
from typing import Callable, NamedTuple, Optional, Sequence

import numpy as np

from ..core.circuit import Circuit, check_circuit, needed_nodes, select_outputs
from ..core.errors import CircuitError
from ..core.gates import BUILTIN, GATES, SOURCES, Namespace

__all__ = ["translate", "to_jax", "level_plan", "LevelPlan", "METHODS", "LEVELS_ABOVE", "UNROLLED_DEPTH"]

#: The lowerings :func:`to_jax` offers.
METHODS = ("auto", "unrolled", "levels")

#: ``method="auto"`` lowers circuits with more live gates than this with the level loop.
LEVELS_ABOVE = 1000

#: ``method="unrolled"`` refuses circuits deeper than this: XLA's compiler overflows its
#: stack (a segmentation fault) on straight-line code about 25,000 operations deep
#: (measured with jax 0.10 on CPU: a 20,000 sin chain compiles, 30,000 crashes).
UNROLLED_DEPTH = 20_000

#: Sums and products of at most this many terms are added left to right, column by
#: column (the rounding of the unrolled lowering); wider ones use one reduction.
COLUMNS = 16

#: A step's fixed cost, in gathered arguments, when the plan chooses how many gates
#: of a kind one step applies (see :func:`level_plan`).
STEP_COST = 16


def _number(v):
    return float(v) if isinstance(v, Fraction) else v


def _apply(gate, ns: Namespace, args: list, weights):
    """``gate`` on ``args`` in namespace ``ns``: its primitive ``gate_<name>`` there, else its formula."""
    primitive = getattr(ns, f"gate_{gate.name}", None)
    if primitive is not None:
        return primitive(*args)
    if gate.formula is None:
        raise CircuitError(f"gate {gate.name!r} has no formula, so it cannot be translated to {ns.name}; "
                           "declare formula= when registering it")
    if gate.name in BUILTIN:
        return gate.formula(ns, *args, weights=weights) if gate.weighted else gate.formula(ns, *args)
    try:
        return gate.formula(ns, *args, weights=weights) if gate.weighted else gate.formula(ns, *args)
    except CircuitError:
        raise
    except Exception as e:  # a user's formula written for Python numbers only
        raise CircuitError(f"the formula of gate {gate.name!r} failed on {ns.name} values "
                           f"({type(e).__name__}: {e}); write it with the namespace's elementary "
                           "functions (m.max, m.step, m.exp, ...) instead of Python branches") from None


def translate(circuit: Circuit, inputs: Sequence, const: Callable, ns: Namespace) -> list:
    """The circuit's output values built from each gate's ``formula`` in namespace ``ns``.

    Parameters
    ----------
    circuit : Circuit
    inputs : sequence
        One value per input, in input order.
    const : callable
        How a constant enters (``const(value)``).
    ns : Namespace
        The elementary functions; an attribute ``gate_<name>`` replaces a
        whole gate by a primitive of the target (JAX's ``logistic``).
        Constant arguments (``pow``'s exponent) are passed as numbers.

    Returns
    -------
    list
        One value per output, in output order.

    Raises
    ------
    CircuitError
        A gate without a ``formula``, or a user gate's formula that fails on
        the namespace's values.

    Examples
    --------
    >>> import circuits
    >>> from circuits.core.gates import MATH
    >>> translate(circuits.parse("x * sin(y)"), [2.0, 0.0], float, MATH)
    [0.0]
    """
    rec = circuit.record
    vals = [None] * len(rec.ops)
    for x, v in zip(inputs, rec.inputs.values()):
        vals[v] = x
    for i, (op, a, w) in enumerate(zip(rec.ops, rec.args, rec.params)):
        if op == "input":
            continue
        if op == "const":
            vals[i] = const(rec.constants[i])
            continue
        gate = GATES[op]
        args = [_number(rec.constants[u]) if k in gate.constant_args else vals[u] for k, u in enumerate(a)]
        vals[i] = _apply(gate, ns, args, w)
    return [vals[v] for v in rec.outputs.values()]


def jax_namespace() -> Namespace:
    """JAX's elementary functions for :func:`translate` (imports jax)."""
    try:
        import jax
        import jax.numpy as jnp
        import jax.scipy.special
        from jax import lax
    except ImportError:
        raise CircuitError("to_jax needs JAX: pip install 'gradient-circuits[jax]' (or pip install jax)") from None
    return Namespace("jax", exp=jnp.exp, log=jnp.log, sqrt=jnp.sqrt, sin=jnp.sin, cos=jnp.cos, tan=jnp.tan,
                     atan=jnp.arctan, tanh=jnp.tanh, abs=jnp.abs, sign=jnp.sign, max=jnp.maximum,
                     min=jnp.minimum, step=lambda u: jnp.where(u > 0, 1.0, 0.0),
                     ipow=lambda u, k: lax.integer_pow(u, k), gate_sigmoid=lax.logistic,
                     sinh=jnp.sinh, cosh=jnp.cosh, asin=jnp.arcsin, acos=jnp.arccos, asinh=jnp.arcsinh,
                     acosh=jnp.arccosh, atanh=jnp.arctanh, erf=jax.scipy.special.erf, log1p=jnp.log1p,
                     expm1=jnp.expm1, atan2=jnp.arctan2, hypot=jnp.hypot)


# --- the level plan -------------------------------------------------------------


class Kind(NamedTuple):
    """Gates one branch of the level loop applies: same operation, same column count, same parameters.

    ``op`` is the gate; ``arity`` the columns gathered per gate (a power of
    two for ``add`` and ``mul``, padded); ``constants`` the values of the
    gate's ``constant_args`` positions; ``weights`` the wire weights of a
    user's weighted gate (the built-in ``add`` reads its weights from the
    plan's ``weights`` array instead); ``lanes`` how many gates one step
    applies.
    """

    op: str
    arity: int
    constants: tuple
    weights: Optional[tuple]
    lanes: int


class LevelPlan(NamedTuple):
    """A circuit as flat arrays for the level loop of :func:`to_jax` (built by :func:`level_plan`).

    The value buffer holds, in this order, the inputs (input order), the
    constants, a slot holding 1 (what padded lanes read), one scratch slot
    per lane (where padded lanes write), then working slots, reused once a
    level has read their values for the last time.  Step ``s`` applies
    kind ``kind[s]`` to ``kinds[kind[s]].lanes`` gates: their argument slots
    (lanes × arity, row by row) start at ``index[offset[s]]``, their wire
    weights (``add`` only) at ``weights[weight_offset[s]]``, their
    destination slots at ``dest[dest_offset[s]]``.
    """

    n_slots: int
    n_inputs: int
    constants: np.ndarray
    one: int
    kinds: tuple
    kind: np.ndarray
    offset: np.ndarray
    weight_offset: np.ndarray
    dest_offset: np.ndarray
    index: np.ndarray  # type: ignore[assignment]  # a field named like tuple.index, which it hides
    dest: np.ndarray
    weights: np.ndarray
    output_slots: tuple
    depth: int
    gates: int

    @property
    def steps(self) -> int:
        return len(self.kind)


def _bucket(k: int) -> int:
    return 1 << (k - 1).bit_length()


def _lanes(sizes: list, arity: int) -> int:
    """Gates per step for a kind whose groups have ``sizes``: the power of two minimising
    Σ ceil(n / lanes) · (lanes · arity + STEP_COST) (padding against step count)."""
    best, best_cost = 1, None
    lanes = 1
    while True:
        cost = sum(-(-n // lanes) * (lanes * arity + STEP_COST) for n in sizes)
        if best_cost is None or cost < best_cost:
            best, best_cost = lanes, cost
        if lanes >= max(sizes):
            return best
        lanes *= 2


def level_plan(circuit: Circuit, output=None) -> LevelPlan:
    """The circuit as a :class:`LevelPlan`: its live gates grouped by depth and kind, in padded steps.

    Only gates that some chosen output depends on are planned.  A gate's
    level is one more than its deepest argument's (inputs and constants are
    level 0); the gates of one level and kind are cut into steps of
    ``lanes`` gates, ``lanes`` chosen per kind to balance padding against
    the number of steps (:data:`STEP_COST`).  ``add`` and ``mul`` gates are
    grouped by their number of arguments rounded up to a power of two, and
    padded with terms that change nothing (``+ -0.0``, ``× 1``).
    Everything is iterative: a 100,000-deep circuit is planned in linear time.

    Parameters
    ----------
    circuit : Circuit
    output : str or sequence of str, optional
        The outputs to plan for (default: all).

    Returns
    -------
    LevelPlan

    Examples
    --------
    >>> import circuits
    >>> p = level_plan(circuits.parse("sin(x) * cos(y) + sin(y) * cos(x)"))
    >>> p.depth, p.gates, p.steps
    (3, 7, 4)
    >>> [(k.op, k.arity, k.lanes) for k in p.kinds]
    [('sin', 1, 2), ('cos', 1, 2), ('mul', 2, 2), ('add', 2, 1)]
    """
    check_circuit(circuit, "level_plan")
    names = select_outputs(circuit, output, what="level_plan")
    paused = gc.isenabled()
    gc.disable()  # the plan allocates many small lists; collections would walk them again and again
    try:
        return _plan(circuit.record, [circuit.record.outputs[name] for name in names])
    finally:
        if paused:
            gc.enable()


def _plan(rec, outs: list) -> LevelPlan:
    """:func:`level_plan` of the record ``rec`` for the output nodes ``outs``."""
    ops, constants = rec.ops, rec.constants
    n = len(ops)
    live = needed_nodes(rec.args, outs) or bytearray(b"\x01") * n
    level, last, kinds, groups = _group_gates(rec, live)
    for v in outs:
        last[v] = n + 1  # outputs are never overwritten
    depth = max(level, default=0)
    sizes: list = [[] for _ in kinds]
    for (_, k), gates in groups.items():
        sizes[k].append(len(gates))
    kind_list = tuple(Kind(op, ar, cs, w, _lanes(sizes[k], ar)) for (op, ar, cs, w), k in kinds.items())
    # the buffer: inputs, constants, the one slot, scratch slots, working slots
    n_in = len(rec.inputs)
    slot = [-1] * n
    for s, v in enumerate(rec.inputs.values()):
        slot[v] = s
    const_nodes = [i for i in range(n) if live[i] and ops[i] == "const"]
    for s, i in enumerate(const_nodes, start=n_in):
        slot[i] = s
    one = n_in + len(const_nodes)
    steps = _StepWriter(rec, kind_list, slot, one)
    steps.write(groups, depth, _freed_at(ops, live, last, depth))
    i32 = np.int32
    return LevelPlan(
        n_slots=steps.top, n_inputs=n_in,
        constants=np.array([float(constants[i]) for i in const_nodes], dtype=float), one=one,
        kinds=kind_list, kind=np.array(steps.kind_col, dtype=i32), offset=np.array(steps.offset, dtype=i32),
        weight_offset=np.array(steps.woffset, dtype=i32), dest_offset=np.array(steps.doffset, dtype=i32),
        index=np.array(steps.index, dtype=i32), dest=np.array(steps.dest, dtype=i32),
        weights=np.array(steps.weights, dtype=float), output_slots=tuple(slot[v] for v in outs),
        depth=depth, gates=sum(len(g) for g in groups.values()))


def _group_gates(rec, live) -> tuple:
    """Each live gate's level, the last level reading each value, the gate kinds, and the gates by (level, kind)."""
    ops, argss, params, constants = rec.ops, rec.args, rec.params, rec.constants
    n = len(ops)
    level = [0] * n
    last = [-1] * n  # the last level that reads a value
    kinds: dict = {}
    groups: dict = {}  # (level, kind number) -> gates
    for i in range(n):
        op = ops[i]
        if not live[i] or op in SOURCES:
            continue
        a = argss[i]
        lv = 0
        for u in a:
            if level[u] > lv:
                lv = level[u]
        lv += 1
        level[i] = lv
        for u in a:
            if last[u] < lv:
                last[u] = lv
        if GATES[op].monoid is not None:  # a fold: padded to a power of two of arguments
            key = (op, 1 << (len(a) - 1).bit_length(), (), None)
        else:
            gate = GATES[op]
            key = (op, len(a), tuple(_number(constants[a[k]]) for k in gate.constant_args) if gate.constant_args
                   else (), params[i] if gate.weighted else None)
        k = kinds.get(key)
        if k is None:
            k = kinds[key] = len(kinds)
        group = groups.get((lv, k))
        if group is None:
            groups[(lv, k)] = [i]
        else:
            group.append(i)
    return level, last, kinds, groups


def _freed_at(ops, live, last: list, depth: int) -> list:
    """The gates by the level that reads them for the last time (outputs and sources: never)."""
    n = len(ops)
    freed_at: list = [[] for _ in range(depth + 2)]
    for i in range(n):
        if live[i] and last[i] != n + 1 and ops[i] not in SOURCES:
            freed_at[last[i]].append(i)
    return freed_at


class _StepWriter:
    """The steps of a level plan as flat columns, with the buffer slots of the gates they write."""

    def __init__(self, rec, kind_list: tuple, slot: list, one: int):
        self.argss, self.params, self.kind_list, self.slot, self.one = rec.args, rec.params, kind_list, slot, one
        self.scratch = one + 1
        self.top = self.scratch + max((k.lanes for k in kind_list), default=0)
        self.free: list = []
        self.kind_col: list = []
        self.offset: list = []
        self.woffset: list = []
        self.doffset: list = []
        self.index: list = []
        self.weights: list = []
        self.dest: list = []

    def write(self, groups: dict, depth: int, freed_at: list) -> None:
        """Write the steps of every level in order, reusing the slots of values no later level reads."""
        by_level: list = [[] for _ in range(depth + 1)]
        for (lv, k) in sorted(groups):
            by_level[lv].append(k)
        slot, free = self.slot, self.free
        for lv in range(1, depth + 1):
            for k in by_level[lv]:
                kd = self.kind_list[k]
                gates = groups[(lv, k)]
                for i in gates:
                    if free:
                        slot[i] = free.pop()
                    else:
                        slot[i] = self.top
                        self.top += 1
                for start in range(0, len(gates), kd.lanes):
                    self.step(k, kd, gates[start:start + kd.lanes])
            for i in freed_at[lv]:  # read for the last time at this level: free for the next
                free.append(slot[i])

    def step(self, k: int, kd: Kind, chunk: list) -> None:
        """Append one step applying kind ``k`` to the gates ``chunk``, padded to the kind's lanes."""
        lanes, arity, summed = kd.lanes, kd.arity, GATES[kd.op].weighted
        argss, params, slot, one = self.argss, self.params, self.slot, self.one
        index, weights, dest = self.index, self.weights, self.dest
        self.kind_col.append(k)
        self.offset.append(len(index))
        self.woffset.append(len(weights))
        self.doffset.append(len(dest))
        for i in chunk:
            a = argss[i]
            index.extend([slot[u] for u in a])
            if len(a) < arity:
                index.extend([one] * (arity - len(a)))
            if summed:
                w = params[i]
                weights.extend([float(c) for c in w] if w is not None else [1.0] * len(a))
                if len(a) < arity:
                    weights.extend([-0.0] * (arity - len(a)))
        pad = lanes - len(chunk)
        if pad:
            index.extend([one] * (pad * arity))
            if summed:
                weights.extend([-0.0] * (pad * arity))
        dest.extend([slot[i] for i in chunk])
        dest.extend(range(self.scratch + len(chunk), self.scratch + lanes))


def _levels_function(plan: LevelPlan, ns: Namespace) -> Callable:
    """The level loop of ``plan`` as a function of scalar inputs returning the outputs' tuple.

    Each step's branch (``lax.switch`` on its kind) only reads the buffer and
    returns its results padded to the widest kind; the write into the buffer
    is one scatter outside the branches, so the loop updates the buffer in
    place instead of copying it through a conditional.
    """
    import jax.numpy as jnp
    from jax import lax

    index = jnp.asarray(plan.index)
    weights = np.asarray(plan.weights)
    widest = max((kd.lanes for kd in plan.kinds), default=1)
    dest = jnp.asarray(np.concatenate([plan.dest, np.zeros(widest, np.int32)]))
    lanes_of = jnp.asarray(np.array([kd.lanes for kd in plan.kinds] or [0], dtype=np.int32))
    beyond = plan.n_slots + jnp.arange(widest, dtype=np.int32)  # dropped by the scatter: unique, out of bounds
    branches = [_branch(kd, ns, index, weights, widest) for kd in plan.kinds]
    steps = (jnp.asarray(plan.kind), jnp.asarray(plan.offset), jnp.asarray(plan.weight_offset),
             jnp.asarray(plan.dest_offset))
    n_work = plan.n_slots - plan.one

    def body(V, step):
        k, off, woff, doff = step
        out = branches[0](V, off, woff) if len(branches) == 1 else lax.switch(k, branches, V, off, woff)
        dst = lax.dynamic_slice(dest, (doff,), (widest,))
        dst = jnp.where(jnp.arange(widest) < lanes_of[k], dst, beyond)
        return V.at[dst].set(out, unique_indices=True, mode="drop"), None

    def core(*xs):
        dtype = jnp.result_type(*xs, float) if xs else jnp.result_type(float)
        xs = [jnp.asarray(x, dtype) for x in xs]
        shape = jnp.broadcast_shapes(*(x.shape for x in xs)) if xs else ()
        parts = [jnp.stack([jnp.broadcast_to(x, shape) for x in xs])] if xs else []
        fixed = np.concatenate([plan.constants, np.ones(1), np.zeros(n_work - 1)])
        fixed = jnp.asarray(fixed.reshape((-1,) + (1,) * len(shape)), dtype)
        V = jnp.concatenate(parts + [jnp.broadcast_to(fixed, fixed.shape[:1] + shape)])
        if plan.steps:
            V, _ = lax.scan(body, V, steps)
        return tuple(V[s] for s in plan.output_slots)
    return _points_last(core)


def _branch(kd: Kind, ns: Namespace, index, weights, widest: int) -> Callable:
    """The level loop's branch for the kind ``kd``: its gates' results from the buffer, padded to ``widest``."""
    import jax.numpy as jnp
    from jax import lax

    gate = GATES[kd.op]
    lanes, arity = kd.lanes, kd.arity
    width = lanes * arity
    monoid = gate.monoid
    summed = monoid is not None and gate.weighted  # padded with weight -0.0: a sum's identity
    multiplied = monoid is not None and not gate.weighted  # padded with the constant 1

    def run(V, off, woff):
        rest = V.shape[1:]  # points: a batch given as arrays runs on rows of the buffer
        g = V[lax.dynamic_slice(index, (off,), (width,))].reshape((lanes, arity) + rest)
        if summed:
            w = lax.dynamic_slice(jnp.asarray(weights, V.dtype), (woff,), (width,))
            out = _fold(w.reshape((lanes, arity) + (1,) * len(rest)) * g, arity,
                        getattr(jnp, _REDUCE[monoid.operator]), monoid.combine)
        elif multiplied:
            out = _fold(g, arity, getattr(jnp, _REDUCE[monoid.operator]), monoid.combine)
        else:
            cols = [g[:, j] for j in range(arity)]
            for pos, c in zip(gate.constant_args, kd.constants):
                cols[pos] = c
            out = _apply(gate, ns, cols, kd.weights)
        out = jnp.broadcast_to(jnp.asarray(out, V.dtype), (lanes,) + rest)
        return jnp.pad(out, [(0, widest - lanes)] + [(0, 0)] * len(rest)) if lanes < widest else out
    return run


def _points_last(core: Callable) -> Callable:
    """``core`` whose ``jax.vmap`` puts the mapped axis last, so that the level loop gathers
    whole rows of points (``custom_vmap``; vmap's own rules would put it first, and every
    gathered value would be a strided column), and whose derivatives are ``core``'s own
    (``custom_jvp``: JAX cannot differentiate through a ``custom_vmap``)."""
    import jax
    import jax.numpy as jnp

    batched = jax.custom_batching.custom_vmap(core)

    @batched.def_vmap
    def rule(axis_size, in_batched, *xs):
        xs = [jnp.moveaxis(x, 0, -1) if b else jnp.broadcast_to(x[..., None], x.shape + (axis_size,))
              for x, b in zip(xs, in_batched)]
        outs = core(*xs)
        return tuple(jnp.moveaxis(y, -1, 0) for y in outs), tuple(True for _ in outs)

    @jax.custom_jvp
    def fn(*xs):
        return batched(*xs)

    @fn.defjvp
    def _(primals, tangents):
        return jax.jvp(core, primals, tangents)
    return fn


#: The jax.numpy reduction of a monoid's operator: how a wide fold is lowered.
_REDUCE = {"+": "sum", "*": "prod"}


def _fold(terms, arity: int, reduce, combine):
    """Row-wise sum or product of ``terms`` (lanes × arity): left to right up to COLUMNS columns."""
    if arity > COLUMNS:
        return reduce(terms, axis=1)
    total = terms[:, 0]
    for j in range(1, arity):
        total = combine(total, terms[:, j])
    return total


# --- to_jax ---------------------------------------------------------------------


def to_jax(circuit: Circuit, output: Optional[str] = None, method: str = "auto") -> Callable:
    """The circuit as a JAX function of its inputs, in input order.

    Parameters
    ----------
    circuit : Circuit
    output : str, optional
        Return this output's array only (what ``jax.grad`` needs); by
        default a dict of every output.
    method : {"auto", "unrolled", "levels"}
        ``"unrolled"``: one JAX operation per gate (fastest to run; XLA's
        compile time grows faster than the circuit, tens of seconds past
        10^4 gates, more for ``jax.grad``).  ``"levels"``: a
        ``jax.lax.scan`` over the steps of :func:`level_plan`, one
        vectorised operation per group of gates of one depth and kind, so
        compile time depends on the kinds of gates, not their number
        (under a second to jit, seconds for ``jax.grad``); a point costs
        about as much as unrolled, a large batch 1-20x more (every value
        goes through a buffer in memory).  ``"unrolled"`` refuses circuits
        deeper than :data:`UNROLLED_DEPTH`, on which XLA crashes.
        ``"auto"``: ``"levels"`` above :data:`LEVELS_ABOVE` live gates.

    Returns
    -------
    callable
        ``f(*inputs)``: arrays or scalars in the order of
        ``circuit.inputs`` (or by name, ``f(x=..., y=...)``); usable under ``jax.jit``, ``jax.vmap`` and
        ``jax.grad``.  Integer inputs are promoted to JAX's default float
        type (float64 with ``jax_enable_x64``), as ``jax.grad`` needs.
        ``f.method`` says which lowering was chosen.  Both lowerings apply
        each gate's ``formula`` in the same order; sums and products of
        more than :data:`COLUMNS` terms are reduced by XLA in the levels
        lowering (a different rounding order).

    Raises
    ------
    CircuitError
        Not a circuit, an unknown output or method, JAX missing, an
        unregistered gate or one without a ``formula``, ``"unrolled"`` on a
        circuit deeper than :data:`UNROLLED_DEPTH`; and from ``f``, the
        wrong number or names of inputs, text or objects as inputs, and
        shapes that do not broadcast.

    Examples
    --------
    >>> import circuits, importlib.util
    >>> f = circuits.parse("x * sin(y) + x**2")
    >>> if importlib.util.find_spec("jax"):       # JAX is an optional extra
    ...     import jax
    ...     g = circuits.to_jax(f, output="f")
    ...     h = circuits.to_jax(f, output="f", method="levels")
    ...     print([float(d) for d in jax.grad(g, argnums=(0, 1))(2.0, 0.0)],
    ...           [float(d) for d in jax.grad(h, argnums=(0, 1))(2.0, 0.0)])
    ... else:
    ...     d = [float(v) for v in circuits.backward(f).evaluate(x=2.0, y=0.0).values()]
    ...     print(d, d)
    [4.0, 2.0] [4.0, 2.0]
    """
    names = _checked_output(circuit, output, method)
    return _jax_function(circuit, names, method)


def _checked_output(circuit: Circuit, output: Optional[str], method: str) -> Optional[list]:
    """``[output]`` for :func:`to_jax` (None for every output), after checking the circuit and ``method``."""
    check_circuit(circuit, "to_jax")  # (an unregistered gate included)
    if method not in METHODS:
        raise CircuitError(f"to_jax: unknown method {method!r}; choose one of {', '.join(map(repr, METHODS))}")
    return None if output is None else select_outputs(circuit, output, one=True, what="to_jax")


def _jax_function(circuit: Circuit, names: Optional[list], method: str) -> Callable:
    """The function of :func:`to_jax`, returning the output ``names[0]``, or (None) the dict of every output."""
    ns = jax_namespace()
    import jax.numpy as jnp
    outputs = list(circuit.outputs)
    plan = _choose_plan(circuit, outputs if names is None else names, method)
    lowered = _levels_function(plan, ns) if plan is not None else _unrolled_function(circuit, names, ns)
    input_names = list(circuit.inputs)

    def f(*xs, **named):
        xs = _checked_inputs(circuit, input_names, xs, named)
        values = lowered(*(jnp.asarray(x, jnp.result_type(x, float)) for x in xs))
        if names is not None:
            return values[0]
        return dict(zip(outputs, values))
    f.__name__ = f"circuit_{'_'.join(outputs)[:40]}"
    f.method = "unrolled" if plan is None else "levels"  # type: ignore[attr-defined]  # a function attribute
    return f


def _choose_plan(circuit: Circuit, chosen: list, method: str) -> Optional[LevelPlan]:
    """The level plan ``to_jax`` lowers ``circuit`` with by ``method``, or None to unroll it."""
    plan = None
    if method == "unrolled" and circuit.depth > UNROLLED_DEPTH:
        raise CircuitError(f"to_jax: the circuit is {circuit.depth:,} gates deep; XLA crashes compiling "
                           f"straight-line code deeper than about {UNROLLED_DEPTH:,} operations, so use "
                           "method='levels' (or 'auto')")
    if method != "unrolled":
        plan = level_plan(circuit, chosen)
        if method == "auto" and plan.gates <= LEVELS_ABOVE:
            plan = None
    return plan


def _unrolled_function(circuit: Circuit, names: Optional[list], ns: Namespace) -> Callable:
    """The circuit as straight-line JAX code: a function of the inputs returning the outputs' tuple."""
    import jax.numpy as jnp

    outputs = list(circuit.outputs)

    def lowered(*xs):
        values = translate(circuit, xs, float, ns)
        dtype = jnp.result_type(*xs, float) if xs else jnp.result_type(float)
        shape = jnp.broadcast_shapes(*(jnp.shape(x) for x in xs)) if xs else ()
        picked = values if names is None else [values[outputs.index(names[0])]]
        return tuple(jnp.broadcast_to(jnp.asarray(v, dtype), shape) for v in picked)
    return lowered


def _checked_inputs(circuit: Circuit, input_names: list, xs: tuple, named: dict) -> tuple:
    """The inputs of a ``to_jax`` function in input order, checked: count, names, types and shapes."""
    import jax.numpy as jnp

    n = len(input_names)
    if named:  # inputs by name, as the compiled circuit takes them
        unknown = [k for k in named if k not in circuit.inputs]
        twice = [k for k in input_names[:len(xs)] if k in named]
        if unknown or twice:
            raise CircuitError(f"this function's inputs are {input_names}; "
                               + (f"got an unknown input {unknown[0]!r}" if unknown else
                                  f"input {twice[0]!r} was given twice (by position and by name)"))
        missing = [k for k in input_names[len(xs):] if k not in named]
        if missing:
            raise CircuitError(f"this function takes {n} inputs {input_names}; missing {', '.join(missing)}")
        xs = xs + tuple(named[k] for k in input_names[len(xs):])
    if len(xs) != n:
        raise CircuitError(f"this function takes {n} inputs {input_names}, got {len(xs)}")
    for name, x in zip(input_names, xs):
        if isinstance(x, (str, bytes)) or getattr(x, "dtype", np.float64) == object:  # noqa: E721 - a dtype equals object, is not it
            raise CircuitError(f"input {name!r}: {x!r} is not a number or numeric array")
    try:
        jnp.broadcast_shapes(*(jnp.shape(x) for x in xs))
    except (TypeError, ValueError):
        raise CircuitError("the inputs' shapes " + ", ".join(str(jnp.shape(x)) for x in xs)
                           + " do not broadcast together; give arrays of one batch shape (or scalars)") from None
    return xs
