"""The memory benchmark's child-process measurement (``python -m benchmarks --memory``) at a tiny size.

Only the structure of the results and that bytes per gate come out as positive finite numbers are
checked: memory and time depend on the machine, so no threshold is asserted.
"""

import importlib.util
import math

import pytest

from benchmarks.memory import run_child, summary, table

N = 2000


def _per_gate(kib, count):
    assert isinstance(kib, int) and isinstance(count, int) and count > 0
    value = kib * 1024 / count
    assert math.isfinite(value) and value > 0
    return value


def test_circuit_child():
    r = run_child("circuit", N, timeout=120)
    assert "error" not in r, r.get("error")
    assert r["kind"] == "circuit" and r["n"] == N and r["gates"] == N
    assert r["nodes"] > r["gates"] and r["backward_gates"] > 0 and r["backward_nodes"] > r["backward_gates"]
    for key in ("circuit_peak_kib", "circuit_retained_kib", "backward_peak_kib", "backward_retained_kib"):
        gates = r["gates"] if key.startswith("circuit") else r["backward_gates"]
        _per_gate(r[key], gates)
    assert r["circuit_peak_kib"] >= r["circuit_retained_kib"]
    # trimming only gives pages back: what stays live is at most what was retained
    assert 0 <= r["circuit_live_kib"] <= r["circuit_retained_kib"] + 4
    assert 0 <= r["backward_live_kib"] <= r["backward_retained_kib"] + 4
    assert r["process_peak_kib"] >= r["baseline_kib"] > 0
    assert isinstance(r["peak_reset"], bool)
    assert r["build_s"] >= 0 and r["backward_s"] >= 0

    rows = summary({"circuit": r, "casadi": {}, "n": N})
    assert [w for w, *_ in rows] == ["circuit, retained B/gate", "circuit, live B/gate (after malloc_trim)",
                                     "circuit, peak B/gate", "backward, retained B/gate",
                                     "backward, live B/gate (after malloc_trim)", "backward, peak B/gate"]
    assert all(math.isfinite(ours) and (ours > 0 or "live" in w) and isinstance(met, bool)
               for w, ours, _, _, met in rows)
    assert "random_circuit(10, 2,000, seed=1)" in table({"circuit": r, "n": N})


@pytest.mark.skipif(importlib.util.find_spec("casadi") is None, reason="casadi is not installed")
def test_casadi_child():
    r = run_child("casadi", N, timeout=120)
    assert "error" not in r, r.get("error")
    assert r["kind"] == "casadi" and r["gates"] == N and r["sx_nodes"] > 0 and r["grad_instructions"] > 0
    _per_gate(r["sx_retained_kib"], r["sx_nodes"])
    _per_gate(r["grad_retained_kib"], r["grad_instructions"])


def test_failing_child_reports_an_error():
    r = run_child("circuit", -5, timeout=60)
    assert r["kind"] == "circuit" and r["n"] == -5 and r["error"].startswith("exit ")
