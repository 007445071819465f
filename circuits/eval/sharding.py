"""Batches larger than one device: a circuit's JAX function with its batch split over devices.

:func:`circuits.to_jax` turns a circuit into a JAX function; :func:`sharded` runs that
function on a batch of points spread over several devices — the GPUs or TPUs of one machine,
or the CPU cores of one machine seen as devices — along the batch axis, with
``jax.sharding.NamedSharding`` over a one-axis device mesh.  Every device evaluates the same
circuit on its own rows; no row depends on another, so the results equal a one-device run.

Several hosts are JAX's own business: start each process with ``jax.distributed.initialize()``
and ``jax.devices()`` spans them all; :func:`sharded` takes that list like any other (each
process then holds the whole batch; see JAX's documentation on multi-process arrays for input
pipelines that do not).

Examples
--------
>>> import circuits, importlib.util, numpy as np
>>> c = circuits.parse("x * sin(y) + x**2")
>>> x, y = np.linspace(0, 1, 7), np.linspace(1, 2, 7)
>>> if importlib.util.find_spec("jax"):       # JAX is an optional extra
...     import jax
...     jax.config.update("jax_enable_x64", True)   # float64, as evaluate computes
...     f = circuits.sharded(c)               # every device JAX sees (here: one CPU)
...     got = np.asarray(f(x, y)["f"])
... else:
...     got = circuits.evaluate(c, x=x, y=y)["f"]
>>> bool(np.allclose(got, x * np.sin(y) + x**2, rtol=1e-12))
True
"""

from __future__ import annotations

from typing import Callable, Optional, Sequence, Union

import numpy as np

from ..core.circuit import Circuit
from ..core.errors import CircuitError
from .jax import jax_namespace, to_jax

__all__ = ["sharded"]


def sharded(function: Union[Circuit, Callable], devices: Optional[Sequence] = None, *,
            method: str = "auto") -> Callable:
    """Evaluate a circuit's JAX function with its batch split over ``devices``.

    Parameters
    ----------
    function : Circuit or callable
        A circuit (turned into a function by :func:`circuits.to_jax` with ``method``) or a
        function :func:`circuits.to_jax` returned.
    devices : sequence of jax devices, optional
        The devices to split the batch over, in mesh order; by default ``jax.devices()`` —
        every accelerator of the default backend (with several hosts under
        ``jax.distributed``, every host's).  On a CPU-only machine, JAX shows the cores as
        devices when started with ``XLA_FLAGS=--xla_force_host_platform_device_count=N``.
    method : {"auto", "unrolled", "levels"}
        Passed to :func:`circuits.to_jax` when ``function`` is a circuit.

    Returns
    -------
    callable
        ``g(*inputs)`` or ``g(x=..., y=...)``: one 1-D array per input (all of one length N,
        or scalars, broadcast to N), returning what the function returns (a dict of output
        arrays, or one array) with a leading axis of length N.  The batch is padded to a
        multiple of the number of devices (by repeating its last point) and the padding is
        dropped from the results.  ``g.mesh`` is the device mesh, ``g.place(*inputs)`` the
        inputs as padded, sharded arrays (to inspect where each row lives).  Values are in
        JAX's default float type: float64 once ``jax.config.update("jax_enable_x64", True)``.

    Raises
    ------
    CircuitError
        JAX missing, an empty device list or not a device list, inputs that are not 1-D
        batches of one length.

    Examples
    --------
    >>> import circuits, importlib.util
    >>> if importlib.util.find_spec("jax"):
    ...     g = circuits.sharded(circuits.parse("x * y"))
    ...     print(g.mesh.axis_names, [float(v) for v in g([1.0, 2.0, 3.0], 2.0)["f"]])
    ... else:
    ...     print(('batch',), [2.0, 4.0, 6.0])
    ('batch',) [2.0, 4.0, 6.0]
    """
    jax_namespace()  # a CircuitError saying how to install JAX when it is missing
    f = to_jax(function, method=method) if isinstance(function, Circuit) else function
    if not callable(f):
        raise CircuitError(f"sharded: expected a Circuit or a function from circuits.to_jax, got "
                           f"{type(function).__name__}")
    input_names = list(function.inputs) if isinstance(function, Circuit) else None
    return _over_devices(f, _devices(devices), input_names)


def _over_devices(f: Callable, chosen: list, input_names: Optional[list]) -> Callable:
    """``f`` run by ``jax.jit`` on batches padded and split over the devices ``chosen``."""
    import jax
    from jax.sharding import Mesh, NamedSharding, PartitionSpec

    mesh = Mesh(np.array(chosen), ("batch",))
    rows = NamedSharding(mesh, PartitionSpec("batch"))
    run = jax.jit(f)

    def g(*xs, **named):
        if named:  # by name, in the circuit's input order
            xs = _by_name(xs, named, input_names)
        placed, n = _place(xs, len(chosen), rows)
        values = run(*placed)
        if isinstance(values, dict):
            return {k: v[:n] if np.ndim(v) else v for k, v in values.items()}
        return values[:n] if np.ndim(values) else values

    g.mesh = mesh  # type: ignore[attr-defined]  # function attributes, documented
    g.place = lambda *xs: _place(xs, len(chosen), rows)[0]  # type: ignore[attr-defined]
    return g


def _devices(devices: Optional[Sequence]) -> list:
    """The devices to shard over: ``devices`` checked, or every device JAX sees."""
    import jax

    try:
        chosen = list(jax.devices() if devices is None else devices)
    except TypeError:
        raise CircuitError(f"sharded: devices must be a list of JAX devices (e.g. jax.devices()), got "
                           f"{type(devices).__name__}") from None
    if not chosen or not all(isinstance(d, jax.Device) for d in chosen):
        raise CircuitError("sharded: devices must be a non-empty list of JAX devices, e.g. jax.devices() "
                           "or jax.devices('cpu')")
    return chosen


def _by_name(xs: tuple, named: dict, input_names: Optional[list]) -> tuple:
    """The inputs given by position then by name, in the circuit's input order."""
    if input_names is None or set(named) != set(input_names[len(xs):]):
        raise CircuitError("sharded: pass the inputs by position, or (for a circuit) every input "
                           "not given by position by its name"
                           + (f": {', '.join(input_names)}" if input_names else ""))
    return xs + tuple(named[k] for k in input_names[len(xs):])


def _batch_length(xs) -> int:
    """The common length N of the 1-D inputs (1 when all are scalars)."""
    lengths = {int(np.shape(x)[0]) for x in xs if np.ndim(x) == 1}
    if any(np.ndim(x) > 1 for x in xs) or len(lengths) > 1:
        raise CircuitError("sharded: give each input as a 1-D batch of one length N (or a scalar); got "
                           "shapes " + ", ".join(str(np.shape(x)) for x in xs))
    return lengths.pop() if lengths else 1


def _place(xs, n_devices: int, rows) -> tuple:
    """The inputs as batches padded to a multiple of ``n_devices`` and sharded by ``rows``, and N."""
    import jax
    import jax.numpy as jnp

    arrays = [np.asarray(x) for x in xs]
    for k, a in enumerate(arrays):
        if a.dtype.kind not in "biuf":
            raise CircuitError(f"sharded: input {k} is not a number or numeric array ({a.dtype})")
    xs = [jnp.asarray(a, jnp.result_type(a, float)) for a in arrays]
    n = _batch_length(xs)
    padded = -(-n // n_devices) * n_devices
    out = []
    for x in xs:
        x = jnp.broadcast_to(x, (n,))
        if padded > n:
            x = jnp.concatenate([x, jnp.repeat(x[-1:], padded - n)])
        out.append(jax.device_put(x, rows))
    return out, n
