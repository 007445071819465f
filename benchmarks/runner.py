"""The benchmark run: every family at every size, ours and the peers, in one process.

For each circuit ``c`` it measures, in this order,

* ``build``: time to build ``c`` with :mod:`circuits.library`;
* ``backward``: time and peak memory (see :mod:`benchmarks.measure`) of
  :func:`circuits.backward`, its gates, wires and binary operations;
* ``simplify``: of ``simplify(backward(c))`` and of ``simplify(backward(c),
  minimize="ops")`` (the one evaluated below); ``hvp``; ``forward``
  (sparse, only while inputs × wires is small);
* evaluation of the operation-minimised gradient: ``compile`` time, one point through
  ``compile(g).function("float")``, a batch of ``BATCH`` points through numpy
  against the same operations replayed as bare numpy calls, and against the
  hot-cache floor (both in :mod:`benchmarks.raw`);
* the networkx floor for the gradient's nodes and wires and the time of
  materialising ``backward(c).dag``;
* the peers (:mod:`benchmarks.peers`), each in a child process with a timeout.

Steps that would take minutes at the largest sizes are capped by wire
counts (``HEAVY_WIRES`` etc.); a capped step is recorded as ``None``.
"""

from __future__ import annotations

import gc
import json
import os
import platform
import time

import numpy as np

import circuits
from .families import FAMILIES, points
from .measure import binary_ops, edge_list, memory_method, nx_floor, peak_memory, timed
from .peers import available, run_peer
from .progress import Progress
from .raw import hot_numpy_seconds, raw_program, run_raw, unit_costs

__all__ = ["run", "measure_case", "BATCH"]

BATCH = 10_000             # points of the batch evaluation
FORWARD_WORK = 3_000_000   # forward runs while inputs × wires stays below this
BATCH_NODES = 12_000       # batch evaluation keeps every node's array alive: nodes × BATCH × 8 bytes
COMPILE_WIRES = 700_000    # compile / single-point evaluation up to this many gradient wires
HVP_WIRES = 700_000        # hvp up to this many input wires
TIMEOUTS = {"casadi": 120.0, "jax": 150.0, "sympy": 15.0}
QUICK_TIMEOUTS = {"casadi": 20.0, "jax": 20.0, "sympy": 3.0}

def _sizes(circuit) -> dict:
    return {"gates": circuit.size, "wires": circuit.wires, "nodes": len(circuit), "ops": binary_ops(circuit)}


def measure_case(family, size, *, peers=(), costs=None, note=lambda text: None, timeouts=None) -> dict:
    """All measurements of one family at one size (see the module docstring).

    Examples
    --------
    >>> from benchmarks.families import FAMILIES
    >>> from benchmarks.runner import measure_case
    >>> r = measure_case(FAMILIES["chain"], 10)
    >>> r["f"]["gates"], r["backward"]["gates"], r["simplify"]["ops"] <= r["backward"]["ops"]
    (10, 28, True)
    """
    label = f"{family.name} {family.label(size)}"
    rec = {"family": family.name, "size": list(size) if isinstance(size, tuple) else size,
           "label": family.label(size)}
    note(f"{label}: build")
    c, t = timed(family.make, size)
    rec["build_s"] = t
    rec["f"] = dict(_sizes(c), inputs=len(c.inputs))
    wires = c.wires

    note(f"{label}: backward")
    g, t, peak, whole = peak_memory(circuits.backward, c)
    rec["backward"] = dict(_sizes(g), seconds=t, peak_bytes=peak, process_peak_bytes=whole,
                           seconds_per_wire=t / max(wires, 1))

    note(f"{label}: simplify")
    s, t, peak, whole = peak_memory(circuits.simplify, g)
    rec["simplify"] = dict(_sizes(s), seconds=t, peak_bytes=peak)
    del s
    note(f"{label}: simplify(minimize='ops')")
    s, t, peak, whole = peak_memory(circuits.simplify, g, minimize="ops")
    rec["simplify_ops"] = dict(_sizes(s), seconds=t, peak_bytes=peak)

    rec["hvp"] = None
    if wires <= HVP_WIRES:
        note(f"{label}: hvp")
        h, t, peak, whole = peak_memory(circuits.hvp, c)
        rec["hvp"] = dict(_sizes(h), seconds=t, peak_bytes=peak)
        del h

    rec["forward"] = None
    if len(c.inputs) * wires <= FORWARD_WORK:
        note(f"{label}: forward")
        fw, t, peak, whole = peak_memory(circuits.forward, c, sparse=True)
        rec["forward"] = dict(_sizes(fw), seconds=t, peak_bytes=peak)
        del fw

    rec["eval"] = None
    batch_values = None
    if s.wires <= COMPILE_WIRES:
        note(f"{label}: compile")
        ev = {}
        compiled, ev["compile_s"] = timed(circuits.compile, s)
        fn = compiled.function("float")
        pt = points(c, family, 1, seed=1)
        xs = [float(pt[x][0]) for x in c.inputs]
        try:
            fn(*xs)
            reps, t0 = 0, time.perf_counter()
            while reps < 3 or (time.perf_counter() - t0 < 0.2 and reps < 1000):
                fn(*xs)
                reps += 1
            ev["point_s"] = (time.perf_counter() - t0) / reps
        except Exception as exc:  # a domain error at this point is reported, not fatal
            ev["point_error"] = f"{type(exc).__name__}: {exc}"[:200]
        if len(s) <= BATCH_NODES:
            note(f"{label}: batch evaluation")
            batch_values = points(c, family, BATCH, seed=2)
            compiled(batch_values)
            _, ev["batch_s"] = timed(compiled, batch_values, repeat=3)
            program = raw_program(s)
            xs = [np.asarray(batch_values[x], dtype=float) for x in s.inputs]
            run_raw(program, xs)
            _, ev["raw_numpy_s"] = timed(run_raw, program, xs, repeat=3)
            ev["hot_numpy_s"] = hot_numpy_seconds(s, costs) if costs else None
            del program, xs
        rec["eval"] = ev
        del compiled, fn

    note(f"{label}: networkx floor")
    edges = edge_list(g)
    rec["floor_s"] = min(nx_floor(len(g), edges) for _ in range(1 if len(edges) > 200_000 else 3))
    del edges
    note(f"{label}: backward(c).dag")
    _, rec["dag_s"] = timed(lambda g=g: g.dag)
    del g, s
    gc.collect()

    rec["peers"] = {}
    first = list(points(c, family, 1, seed=1).values())
    point = [float(v[0]) for v in first]
    for peer in peers:
        cap = family.peers.get(peer)
        if cap is not None and wires > cap:
            continue
        note(f"{label}: {peer}")
        options = {"point": point}
        if peer == "casadi" and batch_values is not None:
            options["batch"] = np.vstack([batch_values[x] for x in c.inputs])
        rec["peers"][peer] = run_peer(peer, c, options, (timeouts or TIMEOUTS)[peer])
    del c
    gc.collect()
    return rec


def machine() -> dict:
    """The machine the run is on."""
    info = {"python": platform.python_version(), "platform": platform.platform(),
            "cpus": os.cpu_count(), "memory_method": memory_method()}
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    versions = {"circuits": circuits.__version__, "numpy": np.__version__}
    for mod in ("networkx", "sympy", "casadi", "jax"):
        try:
            versions[mod] = __import__(mod).__version__
        except ImportError:
            versions[mod] = None
    info["versions"] = versions
    return info


def run(families=None, *, quick: bool = False, peers: bool = True, out_dir: str = "benchmarks/results",
        figure: str = "figures/bench_time_per_wire.png", stream=None) -> dict:
    """Run the benchmark; write ``results.json``, ``results.md`` and the plot; return the results.

    Parameters
    ----------
    families : list of str, optional
        Family names (default: all of :data:`benchmarks.families.FAMILIES`).
    quick : bool
        The small ``--quick`` sizes.
    peers : bool
        Run the installed peers.
    out_dir : str
        Directory of ``results.json`` and ``results.md``.
    figure : str or None
        Path of the plot (None: no plot).

    Examples
    --------
    >>> import io, tempfile
    >>> from benchmarks import run
    >>> with tempfile.TemporaryDirectory() as d:
    ...     res = run(["chain"], quick=True, peers=False, out_dir=d, figure=None, stream=io.StringIO())
    >>> [r["f"]["gates"] for r in res["cases"]]
    [100, 1000]
    """
    from .report import write_markdown, plot
    names = list(FAMILIES) if not families else list(families)
    unknown = [n for n in names if n not in FAMILIES]
    if unknown:
        raise ValueError(f"unknown family {unknown[0]!r}; choose from {list(FAMILIES)}")
    have = available()
    use = [p for p in ("casadi", "jax", "sympy") if peers and have[p]]
    plan = [(FAMILIES[n], s) for n in names for s in (FAMILIES[n].quick if quick else FAMILIES[n].sizes)]
    bar = Progress(len(plan), stream=stream)
    costs = unit_costs(BATCH)
    t_start = time.time()
    cases = []
    for family, size in plan:
        # --quick runs the peers at the largest quick size only, with short time limits
        last = size == (family.quick if quick else family.sizes)[-1]
        cases.append(measure_case(family, size, peers=use if last or not quick else (), costs=costs,
                                  note=bar.note, timeouts=QUICK_TIMEOUTS if quick else TIMEOUTS))
        bar.step()
    bar.close()
    results = {"machine": machine(), "quick": quick, "peers": use, "batch": BATCH,
               "started": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t_start)),
               "total_s": time.time() - t_start, "numpy_unit_costs": costs, "cases": cases}
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "results.json"), "w") as fh:
        json.dump(results, fh, indent=1)
    write_markdown(results, os.path.join(out_dir, "results.md"))
    if figure:
        os.makedirs(os.path.dirname(figure) or ".", exist_ok=True)
        plot(results, figure)
    return results
