"""to_jax: the circuit as a JAX function, checked against our own evaluation and backward.

JAX is an optional extra; these tests run where it is installed (CPU is enough).
"""

from __future__ import annotations

import numpy as np
import pytest

import circuits
from circuits import CircuitError, library

jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)
jnp = jax.numpy


CASES = [
    circuits.parse("x * sin(y) + x**2 - atan(x / (1 + y*y))"),
    circuits.parse("exp(x) * tanh(y) + log(1 + x*x) + max(x, y) - abs(y)"),
    library.figure1(),
    library.mlp([2, 3, 1], activation="sigmoid"),
]


@pytest.mark.parametrize("c", CASES, ids=range(len(CASES)))
def test_values_jit_vmap_and_grad(c):
    rng = np.random.default_rng(0)
    names = list(c.inputs)
    point = {x: float(v) for x, v in zip(names, rng.uniform(0.2, 0.9, len(names)))}
    y = next(iter(c.outputs))
    f = circuits.to_jax(c)
    got = jax.jit(f)(*point.values())
    want = c.evaluate(point)
    for k in want:
        assert float(got[k]) == pytest.approx(float(want[k]), rel=1e-12, abs=1e-12)
    g = circuits.to_jax(c, output=y)
    grads = jax.grad(g, argnums=tuple(range(len(names))))(*point.values())
    back = circuits.backward(c, output=y).evaluate(point)
    for x, d in zip(names, grads):
        assert float(d) == pytest.approx(float(back[f"d{y}/d{x}"]), rel=1e-10, abs=1e-12)
    batch = {x: jnp.asarray(rng.uniform(0.2, 0.9, 5)) for x in names}
    vals = jax.vmap(g)(*batch.values())
    ours = c.evaluate({x: np.asarray(v) for x, v in batch.items()})[y]
    np.testing.assert_allclose(np.asarray(vals), ours, rtol=1e-12, atol=1e-12)


def test_errors():
    with pytest.raises(CircuitError, match="to_jax"):
        circuits.to_jax("x + y")
    with pytest.raises(CircuitError, match="'g' is not an output"):
        circuits.to_jax(circuits.parse("x + y"), output="g")
    with pytest.raises(CircuitError, match="takes 2 inputs"):
        circuits.to_jax(circuits.parse("x + y"))(1.0)
