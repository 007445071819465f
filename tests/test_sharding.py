"""circuits.sharded: a batch split over 8 devices (the CPU shown as 8 by XLA) equals evaluate.

JAX fixes its device count when it starts, so the check runs in a child process started with
``XLA_FLAGS=--xla_force_host_platform_device_count=8``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import circuits
from circuits import CircuitError, library

needs_jax = pytest.mark.skipif(importlib.util.find_spec("jax") is None,
                               reason="JAX is an optional extra: pip install 'gradient-circuits[jax]'")

CHILD = textwrap.dedent('''
    import json, sys
    import numpy as np
    import jax
    jax.config.update("jax_enable_x64", True)
    import circuits
    from circuits import library
    assert len(jax.devices()) == 8, jax.devices()
    rng = np.random.default_rng(7)
    report = {}
    cases = {"mlp": library.mlp([3, 5, 1]), "random": library.random_circuit(4, 60, seed=3),
             "chain": library.chain(3000)}
    for name, c in cases.items():
        n = 1003                                      # not a multiple of 8: padded, then trimmed
        points = {k: rng.uniform(0.5, 1.5, n) for k in c.inputs}
        for method in ("unrolled", "levels"):
            g = circuits.sharded(c, method=method)
            placed = g.place(*points.values())
            got = g(*points.values())
            want = circuits.evaluate(c, **points)
            report[f"{name}/{method}"] = {
                "devices": len(placed[0].sharding.device_set),
                "rows": [int(p.shape[0]) for p in placed][:1],
                "shapes": sorted({tuple(np.shape(v)) for v in got.values()}),
                "max_rel": max(float(np.max(np.abs(np.asarray(got[k]) - want[k]) / np.maximum(1, np.abs(want[k]))))
                               for k in c.outputs),
            }
    g = circuits.sharded(cases["mlp"], devices=jax.devices()[:3])
    report["three devices"] = len(g.place(*[np.ones(10)] * len(cases["mlp"].inputs))[0].sharding.device_set)
    print(json.dumps(report))
''')


@needs_jax
def test_a_batch_split_over_eight_devices_equals_evaluate():
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=8", JAX_PLATFORMS="cpu")
    done = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report.pop("three devices") == 3
    for case, r in report.items():
        assert r["devices"] == 8, case
        assert r["rows"] == [1008], case             # 1003 padded to a multiple of 8
        assert r["shapes"] == [[1003]], case          # and trimmed back
        assert r["max_rel"] <= 1e-12, (case, r)


@needs_jax
def test_sharded_refuses_what_it_cannot_split():
    c = circuits.parse("x * y")
    with pytest.raises(CircuitError, match="non-empty list of JAX devices"):
        circuits.sharded(c, devices=[])
    with pytest.raises(CircuitError, match="non-empty list of JAX devices"):
        circuits.sharded(c, devices=["gpu0"])
    g = circuits.sharded(c)
    with pytest.raises(CircuitError, match="1-D batch of one length"):
        g(np.ones(3), np.ones(4))
    with pytest.raises(CircuitError, match="1-D batch of one length"):
        g(np.ones((2, 2)), 1.0)
    with pytest.raises(CircuitError, match="not a number"):
        g(np.array(["a", "b"]), 1.0)
    with pytest.raises(CircuitError, match="by position"):
        g(np.ones(3), z=np.ones(3))
    assert [float(v) for v in g(y=np.array([2.0, 3.0]), x=np.array([1.0, 1.0]))["f"]] == [2.0, 3.0]
    with pytest.raises(CircuitError, match="Circuit or a function"):
        circuits.sharded(42)


def test_sharded_without_jax_says_how_to_install(monkeypatch):
    import builtins
    real = builtins.__import__

    def no_jax(name, *args, **kwargs):
        if name == "jax" or name.startswith("jax."):
            raise ImportError(name)
        return real(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", no_jax)
    with pytest.raises(CircuitError, match=r"pip install 'gradient-circuits\[jax\]'"):
        circuits.sharded(library.mlp([2, 2, 1]))
