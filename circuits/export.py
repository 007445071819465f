"""Export: a circuit as a function of another array library (JAX), from each gate's ``formula``.

Every gate declares its ``formula`` once, against a namespace of elementary
functions (:class:`circuits.gates.Namespace`); :func:`translate` builds a
circuit's outputs in any such namespace, node by node.  :func:`to_jax` uses
it with ``jax.numpy``/``jax.lax``, so the exported function works under
``jax.jit``, ``jax.vmap`` and ``jax.grad`` (whose gradient equals
:func:`circuits.backward`'s) and runs wherever JAX runs (GPUs, TPUs,
sharded batches).  The benchmark peers (``benchmarks/peers.py``) translate
to CasADi and JAX with the same function.

The export is straight-line: one JAX operation per gate, so tracing and
compiling grow with the circuit's size (a gather-and-apply loop over a tape
for very large circuits is not built yet).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Callable, Optional, Sequence

from .circuit import Circuit, check_circuit, select_outputs
from .errors import CircuitError
from .gates import GATES, Namespace

__all__ = ["translate", "to_jax"]


def _number(v):
    return float(v) if isinstance(v, Fraction) else v


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

    Examples
    --------
    >>> import circuits
    >>> from circuits.gates import MATH
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
        primitive = getattr(ns, f"gate_{op}", None)
        if primitive is not None:
            vals[i] = primitive(*args)
        elif gate.formula is None:
            raise CircuitError(f"gate {op!r} has no formula, so it cannot be translated to {ns.name}; "
                               "declare formula= when registering it")
        elif gate.weighted:
            vals[i] = gate.formula(ns, *args, weights=w)
        else:
            vals[i] = gate.formula(ns, *args)
    return [vals[v] for v in rec.outputs.values()]


def jax_namespace() -> Namespace:
    """JAX's elementary functions for :func:`translate` (imports jax)."""
    try:
        import jax.numpy as jnp
        from jax import lax
    except ImportError:
        raise CircuitError("to_jax needs JAX: pip install 'gradient-circuits[jax]' (or pip install jax)") from None
    return Namespace("jax", exp=jnp.exp, log=jnp.log, sqrt=jnp.sqrt, sin=jnp.sin, cos=jnp.cos, tan=jnp.tan,
                     atan=jnp.arctan, tanh=jnp.tanh, abs=jnp.abs, sign=jnp.sign, max=jnp.maximum,
                     min=jnp.minimum, step=lambda u: jnp.where(u > 0, 1.0, 0.0),
                     ipow=lambda u, k: lax.integer_pow(u, k), gate_sigmoid=lax.logistic)


def to_jax(circuit: Circuit, output: Optional[str] = None) -> Callable:
    """The circuit as a JAX function of its inputs, in input order.

    Parameters
    ----------
    circuit : Circuit
    output : str, optional
        Return this output's array only (what ``jax.grad`` needs); by
        default a dict of every output.

    Returns
    -------
    callable
        ``f(*inputs)``: arrays or scalars in the order of
        ``circuit.inputs``; usable under ``jax.jit``, ``jax.vmap`` and
        ``jax.grad``.

    Examples
    --------
    >>> import circuits, importlib.util
    >>> f = circuits.parse("x * sin(y) + x**2")
    >>> if importlib.util.find_spec("jax"):       # JAX is an optional extra
    ...     import jax
    ...     g = circuits.to_jax(f, output="f")
    ...     print([float(d) for d in jax.grad(g, argnums=(0, 1))(2.0, 0.0)])
    ... else:
    ...     print([float(v) for v in circuits.backward(f).evaluate(x=2.0, y=0.0).values()])
    [4.0, 2.0]
    """
    check_circuit(circuit, "to_jax")
    names = None if output is None else select_outputs(circuit, output, one=True, what="to_jax")
    ns = jax_namespace()
    n = len(circuit.inputs)
    outputs = list(circuit.outputs)

    def f(*xs):
        if len(xs) != n:
            raise CircuitError(f"this function takes {n} inputs {list(circuit.inputs)}, got {len(xs)}")
        values = translate(circuit, xs, float, ns)
        if names is not None:
            return values[outputs.index(names[0])]
        return dict(zip(outputs, values))
    f.__name__ = f"circuit_{'_'.join(outputs)[:40]}"
    return f
