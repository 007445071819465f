"""Memory benchmark: bytes per gate of a circuit and its backward circuit, beside CasADi.

Every measurement runs in a fresh child process (``python -m benchmarks.memory
--child KIND N``, started with :mod:`subprocess`), so that no allocation of an
earlier measurement, and no memory the allocator kept from it, is counted.
The child imports what it needs (``circuits``, and ``casadi`` for the peer),
runs the measured code once on a small circuit (so that what it imports or
compiles lazily, numba's kernels, is not counted), runs :func:`gc.collect`
and glibc's ``malloc_trim(0)`` (so that memory freed before, which a phase
would reuse without growing, is given back) and takes its *baseline*: its
resident set size (RSS) then.  Then, phase by phase (each starting with the
same collect and trim):

* **peak** of a phase: ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` (KiB on
  Linux) at its end, minus the RSS at its start.  Before each phase the child
  resets the kernel's high-water mark (``echo 5 > /proc/self/clear_refs``,
  Linux ≥ 4.0; ``ru_maxrss`` reads that mark), so a phase's peak is its own;
  where the reset is refused, the peak is the process's peak so far (the
  report says which, ``peak_reset``);
* **retained** after a phase: the current RSS (``/proc/self/statm``) after
  :func:`gc.collect`, minus the RSS at its start: what the objects kept alive
  (the circuit, the backward circuit, the SX graph, the ``Function``) hold,
  plus the free memory the allocators keep;
* **live** after a phase: the same after glibc's ``malloc_trim(0)`` too: the
  free pages of the C heap given back, what the kept objects hold.  The two
  differ by the C heap's free blocks: glibc serves arrays over a threshold
  with ``mmap`` and returns them on ``free``, but raises that threshold to
  the size of each such block freed (up to 32 MiB), after which freed arrays
  stay in the heap until trimmed (numpy's temporaries of a large transform
  are such blocks).  The process reuses them; where a user's next
  allocation cannot, "retained" is what they pay.  ``circuits.backward``
  gives them back itself from ``GIVE_BACK_FROM`` nodes of its result on
  (:func:`circuits.core.arrays.give_back_memory`), so that its retained and
  live bytes are the same.

Divided by the number of gates (``circuit.size``), SX nodes or instructions,
this gives bytes per gate.  RSS counts whole pages and what Python's and the C
allocator's free lists keep, which is what a user pays; it is not
``sys.getsizeof``.

Measured, in one run:

1. ``library.random_circuit(10, N, seed=1)`` (N = 10^6, 10^5 with
   ``--quick``): build time, bytes per gate at peak and retained;
2. its ``circuits.backward``: the growth from after the circuit to after
   the backward circuit, per gate of the backward circuit;
3. CasADi on the same circuit (translated gate by gate,
   :func:`benchmarks.peers.casadi_outputs`): bytes of the SX graph per gate
   of ours and per SX node, then ``casadi.Function('f', [x],
   [casadi.gradient(f, x)])`` per instruction;
4. whether a 10^7-gate circuit and its backward build in one process within
   4 GiB (not with ``--quick``): measured directly when the projection from
   N fits in the machine's available memory, else measured at 2·10^6 and
   4·10^6 gates and extrapolated linearly (the report says so);
5. conversion to a tape (``circuits.eval.engine.tape``) in µs per gate on
   the gradient circuit of every case of :mod:`benchmarks.engine`: the best
   of 5 timings, each of as many calls as take about 2 ms (as ``timeit``
   does; one call of a small case is a few tens of µs).

``python -m benchmarks --memory [--quick]`` writes ``memory.md`` and
``memory.json``.
"""

from __future__ import annotations

import gc
import json
import math
import os
import platform
import resource
import subprocess
import sys
import time

__all__ = ["run_child", "measure", "table", "render", "main"]

SIZE, QUICK_SIZE = 1_000_000, 100_000
LARGE = 10_000_000
STEPS = (2_000_000, 4_000_000)  # measured and extrapolated when LARGE does not fit
SEED, INPUTS = 1, 10
TIMEOUT = 1800
MARK = "MEMORY-JSON "

TARGETS = {
    "circuit_b_per_gate": 64, "backward_b_per_gate": 64, "large_gib": 4.0, "convert_us_per_gate": 1.0,
}
#: the peer numbers the issue quotes (CasADi SX graph per gate, gradient Function per instruction)
ISSUE_CASADI = {"sx_b_per_gate": 116, "grad_b_per_instruction": 59}


# --- in the child -----------------------------------------------------------------

def _rss_kib() -> int:
    """The current resident set size in KiB (``/proc/self/statm``; ``ru_maxrss`` elsewhere)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _peak_kib() -> int:
    """The peak resident set size in KiB (``ru_maxrss``, KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _reset_peak() -> bool:
    """Reset the high-water mark ``ru_maxrss`` reads to the current RSS; whether it worked."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        return False
    return _peak_kib() <= _rss_kib() + 1024


def _trim() -> None:
    """Give the C heap's free pages back to the system (:func:`circuits.core.arrays.give_back_memory`).

    Memory freed before a phase (numba compiling a kernel frees hundreds of MiB) would otherwise be
    reused by the phase without growing the RSS, and its objects would look free."""
    from circuits.core.arrays import give_back_memory
    give_back_memory()


class _Phase:
    """Peak and retained RSS growth of the code run inside ``with``, in KiB."""

    def __enter__(self):
        gc.collect()
        _trim()
        self.start = _rss_kib()
        self.reset = _reset_peak()
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.t0
        self.peak_abs = _peak_kib()
        gc.collect()
        self.end = _rss_kib()
        self.peak = max(self.peak_abs, self.end) - self.start
        self.retained = self.end - self.start
        _trim()
        self.live = _rss_kib() - self.start
        return False


def _random(n):
    from circuits import library
    return library.random_circuit(INPUTS, n, seed=SEED)


def _warmup():
    """Run the measured code once on a small circuit, so that what it imports or compiles lazily (numba
    and the compiled reverse sweep, from ``circuits.ad.backward.COMPILED_FROM`` nodes on) is part of the
    baseline, not of the circuit's bytes."""
    import circuits
    from circuits.ad.backward import COMPILED_FROM
    circuits.backward(_random(2 * COMPILED_FROM))


def child_circuit(n: int) -> dict:
    """Our circuit and its backward circuit (measurements 1, 2 and 4), in this process."""
    import circuits
    _warmup()
    gc.collect()
    _trim()
    base = _rss_kib()
    with _Phase() as p1:
        c = _random(n)
    statuses = _watch_sweep()
    with _Phase() as p2:
        g = circuits.backward(c)
    return {"kind": "circuit", "n": n, "baseline_kib": base, "peak_reset": p1.reset and p2.reset,
            "sweep": _which_sweep(statuses),
            "gates": c.size, "nodes": len(c.record.ops), "wires": c.wires, "build_s": p1.seconds,
            "circuit_peak_kib": p1.peak, "circuit_retained_kib": p1.retained, "circuit_live_kib": p1.live,
            "backward_gates": g.size, "backward_nodes": len(g.record.ops), "backward_s": p2.seconds,
            "backward_peak_kib": p2.peak, "backward_retained_kib": p2.retained, "backward_live_kib": p2.live,
            "process_peak_kib": max(p1.peak_abs, p2.peak_abs, p2.end)}


def _watch_sweep() -> list:
    """The statuses the compiled reverse sweep returns from now on, in this process (0: it built the
    gradient; 1 or 2: it stopped and the Python sweep built it)."""
    from circuits.ad import fast_backward
    statuses: list = []
    sweep = fast_backward.kernel()
    if sweep is not None:
        def recording(*args):
            out = sweep(*args)
            statuses.append(int(out[0]))
            return out
        fast_backward.kernel = lambda compiled=True: recording
    return statuses


def _which_sweep(statuses: list) -> str:
    if statuses == [0]:
        return "the compiled sweep"
    if statuses:
        return ("the Python sweep: the compiled one stopped on a number it does not model (an exact scale "
                "beyond 2**53)" if statuses[-1] == 1 else "the Python sweep: the compiled one ran out of room")
    return "the Python sweep: the compiled one does not apply"


def child_casadi(n: int) -> dict:
    """CasADi's SX graph of the same circuit and its gradient ``Function`` (measurement 3)."""
    import casadi
    from .peers import casadi_outputs
    _warmup()
    x, outs = casadi_outputs(_random(100))
    casadi.Function("f", [x], [casadi.gradient(outs[0], x)])
    del x, outs
    c = _random(n)
    _ = c.record  # the tuples casadi_outputs reads, made before the phase: they are ours, not CasADi's
    gc.collect()
    with _Phase() as p1:
        x, outs = casadi_outputs(c)
        f = outs[0]
        del outs
    with _Phase() as p2:
        fg = casadi.Function("f", [x], [casadi.gradient(f, x)])
    nodes = casadi.Function("F", [x], [f]).n_nodes()
    return {"kind": "casadi", "n": n, "casadi": casadi.__version__, "peak_reset": p1.reset and p2.reset,
            "gates": c.size, "sx_nodes": nodes, "sx_s": p1.seconds, "sx_peak_kib": p1.peak,
            "sx_retained_kib": p1.retained, "sx_live_kib": p1.live, "grad_instructions": fg.n_instructions(),
            "grad_s": p2.seconds, "grad_peak_kib": p2.peak, "grad_retained_kib": p2.retained,
            "grad_live_kib": p2.live}


def child_convert(n: int = 0) -> dict:
    """Conversion to a tape in µs per gate on every case of :mod:`benchmarks.engine` (measurement 5)."""
    from circuits.ad import backward
    from circuits.eval import engine
    from .engine import CASES, _best, _number
    from .families import FAMILIES
    if not engine.warmup():
        return {"kind": "convert", "rows": [], "skipped": "the engine is off (no numba, or CIRCUITS_ENGINE=python)"}
    rows = []
    for name, size in CASES:
        fam = FAMILIES[name]
        c = backward(fam.make(size))
        _ = c.record  # built once, by every consumer; not the tape's cost (as in engine.py)
        number = _number(lambda c=c: engine.tape(c))
        s = _best(lambda c=c: engine.tape(c), 5, number)  # as timeit: calls of about 2 ms in all per timing, best of 5
        rows.append({"case": f"{name} {fam.label(size)}", "gates": c.size, "wires": c.wires, "convert_s": s})
    return {"kind": "convert", "rows": rows}


CHILDREN = {"circuit": child_circuit, "casadi": child_casadi, "convert": child_convert}


def _child_main(argv) -> int:
    kind, n = argv[0], int(argv[1]) if len(argv) > 1 else 0
    result = CHILDREN[kind](n)
    sys.stdout.write(MARK + json.dumps(result) + "\n")
    return 0


# --- in the parent ----------------------------------------------------------------

def run_child(kind: str, n: int = 0, timeout: float = TIMEOUT) -> dict:
    """One measurement in a fresh child process.

    Parameters
    ----------
    kind : {"circuit", "casadi", "convert"}
        What the child measures (:func:`child_circuit`, :func:`child_casadi`,
        :func:`child_convert`).
    n : int
        Gates of the random circuit (ignored by ``"convert"``).
    timeout : float
        Seconds before the child is killed.

    Returns
    -------
    dict
        The child's measurements (RSS in KiB, times in seconds); on failure
        ``{"kind": kind, "n": n, "error": text}``.

    Examples
    --------
    >>> from benchmarks.memory import run_child
    >>> r = run_child("circuit", 300)
    >>> r["gates"], r["circuit_retained_kib"] >= 0
    (300, True)
    """
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ)
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    cmd = [sys.executable, "-m", "benchmarks.memory", "--child", kind, str(n)]
    try:
        proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"kind": kind, "n": n, "error": f"timeout after {timeout:.0f} s"}
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(MARK):
            return json.loads(line[len(MARK):])
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
    return {"kind": kind, "n": n, "error": f"exit {proc.returncode}: " + " / ".join(tail)}


def _available_kib() -> int:
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _large(small: dict, log) -> dict:
    """Measurement 4: the 10^7-gate circuit and its backward, measured or extrapolated."""
    avail = _available_kib()
    budget = 0.7 * avail

    def projected(n):
        return small["baseline_kib"] + (small["process_peak_kib"] - small["baseline_kib"]) * n / small["n"]
    out = {"n": LARGE, "available_kib": avail, "projected_kib": projected(LARGE)}
    if projected(LARGE) <= budget:
        log(f"circuit + backward at {LARGE:,} gates")
        r = run_child("circuit", LARGE)
        out.update(how="measured", points=[r])
        if "error" not in r:
            out.update(peak_kib=r["process_peak_kib"], seconds=r["build_s"] + r["backward_s"])
        return out
    points = []
    for n in STEPS:
        if projected(n) > budget:
            log(f"skip {n:,} gates: projected {projected(n) / 2**20:.1f} GiB > 70% of available memory")
            continue
        log(f"circuit + backward at {n:,} gates (10^7 would need ~{projected(LARGE) / 2**20:.0f} GiB)")
        r = run_child("circuit", n)
        if "error" not in r:
            points.append(r)
    out.update(how="extrapolated", points=points)
    if len(points) >= 2:
        (a, b) = points[-2], points[-1]
        slope = (b["process_peak_kib"] - a["process_peak_kib"]) / (b["n"] - a["n"])
        tslope = (b["build_s"] + b["backward_s"] - a["build_s"] - a["backward_s"]) / (b["n"] - a["n"])
        out["peak_kib"] = b["process_peak_kib"] + slope * (LARGE - b["n"])
        out["seconds"] = b["build_s"] + b["backward_s"] + tslope * (LARGE - b["n"])
    elif points:
        p = points[-1]
        out["peak_kib"] = p["baseline_kib"] + (p["process_peak_kib"] - p["baseline_kib"]) * LARGE / p["n"]
        out["seconds"] = (p["build_s"] + p["backward_s"]) * LARGE / p["n"]
    return out


def measure(quick: bool = False, log=print) -> dict:
    """All five measurements, each in its own child process.

    Parameters
    ----------
    quick : bool
        10^5 gates and no 10^7-gate case (under a minute).
    log : callable
        Progress lines.

    Returns
    -------
    dict
        ``{"when", "quick", "circuit", "casadi", "large", "convert"}``.
    """
    n = QUICK_SIZE if quick else SIZE
    res = {"when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "quick": quick, "n": n}
    log(f"circuit + backward at {n:,} gates")
    res["circuit"] = run_child("circuit", n)
    log(f"CasADi SX + gradient Function at {n:,} gates")
    res["casadi"] = run_child("casadi", n)
    if not quick and "error" not in res["circuit"]:
        res["large"] = _large(res["circuit"], log)
    log("tape conversion on the engine cases")
    res["convert"] = run_child("convert")
    return res


def _per(kib, count):
    return kib * 1024 / count if count else math.nan


def summary(res: dict) -> list:
    """``[(what, ours, casadi, target, met)]``: the measured numbers beside the targets."""
    c, k = res["circuit"], res.get("casadi", {})
    rows = []
    ok_k = bool(k) and "error" not in k
    if "error" not in c:
        sx = _per(k["sx_retained_kib"], k["gates"]) if ok_k else math.nan
        gr = _per(k["grad_retained_kib"], k["grad_instructions"]) if ok_k else math.nan
        sxl = _per(k.get("sx_live_kib", math.nan), k["gates"]) if ok_k else math.nan
        grl = _per(k.get("grad_live_kib", math.nan), k["grad_instructions"]) if ok_k else math.nan
        for what, ours, peer, key in (
                ("circuit, retained B/gate", _per(c["circuit_retained_kib"], c["gates"]), sx, "circuit_b_per_gate"),
                ("circuit, live B/gate (after malloc_trim)", _per(c.get("circuit_live_kib", math.nan), c["gates"]),
                 sxl, "circuit_b_per_gate"),
                ("circuit, peak B/gate", _per(c["circuit_peak_kib"], c["gates"]), sx, "circuit_b_per_gate"),
                ("backward, retained B/gate", _per(c["backward_retained_kib"], c["backward_gates"]), gr,
                 "backward_b_per_gate"),
                ("backward, live B/gate (after malloc_trim)",
                 _per(c.get("backward_live_kib", math.nan), c["backward_gates"]), grl, "backward_b_per_gate"),
                ("backward, peak B/gate", _per(c["backward_peak_kib"], c["backward_gates"]), gr,
                 "backward_b_per_gate")):
            t = TARGETS[key]
            met = ours <= t and (not ok_k or not ours >= peer)  # no peer number (nan): the bound alone
            rows.append((what, ours, peer, f"≤ {t} and < CasADi", met))
    big = res.get("large")
    if big and "peak_kib" in big:
        gib = big["peak_kib"] / 2**20
        rows.append((f"10^7 gates + backward, process peak GiB ({big['how']})", gib, math.nan,
                     f"≤ {TARGETS['large_gib']}", gib <= TARGETS["large_gib"]))
    conv = res.get("convert", {}).get("rows", [])
    if conv:
        worst = max(r["convert_s"] / r["gates"] * 1e6 for r in conv)
        rows.append(("tape conversion, worst µs/gate", worst, math.nan,
                     f"≤ {TARGETS['convert_us_per_gate']} on every family", worst <= TARGETS["convert_us_per_gate"]))
    return rows


def table(res: dict) -> str:
    """The results as markdown: targets, the two circuits, CasADi, the 10^7 case, tape conversion."""
    def num(v, f="{:,.1f}"):
        return "–" if v is None or (isinstance(v, float) and math.isnan(v)) else f.format(v)
    mib = 1 / 1024
    lines = ["| measurement | ours | CasADi | target | met |", "|---|---|---|---|---|"]
    for what, ours, peer, target, met in summary(res):
        lines.append(f"| {what} | {num(ours, '{:,.2f}')} | {num(peer)} | {target} | {'yes' if met else '**no**'} |")
    c = res["circuit"]
    lines += ["", "| circuit | gates | nodes | wires | time | peak MiB | retained MiB | peak B/gate "
              "| retained B/gate | live B/gate |", "|" + "---|" * 10]
    if "error" in c:
        lines.append(f"| error: {c['error']} |" + " |" * 9)
    else:
        for label, g, nodes, w, s, pk, rt, lv in (
                (f"random_circuit({INPUTS}, {c['n']:,}, seed={SEED})", c["gates"], c["nodes"], c["wires"],
                 c["build_s"], c["circuit_peak_kib"], c["circuit_retained_kib"], c.get("circuit_live_kib")),
                (f"its backward ({c.get('sweep', '?')})", c["backward_gates"], c["backward_nodes"], None, c["backward_s"],
                 c["backward_peak_kib"], c["backward_retained_kib"], c.get("backward_live_kib"))):
            lines.append(f"| {label} | {g:,} | {nodes:,} | {num(w, '{:,}')} | {s:.1f} s | {pk * mib:,.0f} "
                         f"| {rt * mib:,.0f} | {_per(pk, g):,.0f} | {_per(rt, g):,.0f} "
                         f"| {num(None if lv is None else _per(lv, g), '{:,.0f}')} |")
    k = res.get("casadi", {})
    lines += ["", "| CasADi | count | time | peak MiB | retained MiB | peak B/unit | retained B/unit "
              "| retained B/gate of ours |", "|" + "---|" * 8]
    if "error" in k:
        lines.append(f"| error: {k['error']} |" + " |" * 7)
    elif k:
        lines.append(f"| SX graph (casadi_outputs), per SX node | {k['sx_nodes']:,} | {k['sx_s']:.1f} s "
                     f"| {k['sx_peak_kib'] * mib:,.0f} | {k['sx_retained_kib'] * mib:,.0f} "
                     f"| {_per(k['sx_peak_kib'], k['sx_nodes']):,.0f} | {_per(k['sx_retained_kib'], k['sx_nodes']):,.0f} "
                     f"| {_per(k['sx_retained_kib'], k['gates']):,.0f} |")
        lines.append(f"| Function(f, [x], [gradient(f, x)]), per instruction | {k['grad_instructions']:,} "
                     f"| {k['grad_s']:.1f} s | {k['grad_peak_kib'] * mib:,.0f} | {k['grad_retained_kib'] * mib:,.0f} "
                     f"| {_per(k['grad_peak_kib'], k['grad_instructions']):,.0f} "
                     f"| {_per(k['grad_retained_kib'], k['grad_instructions']):,.0f} | – |")
        lines.append(f"\nThe issue quoted {ISSUE_CASADI['sx_b_per_gate']} B/gate for the SX graph and "
                     f"{ISSUE_CASADI['grad_b_per_instruction']} B/instruction for the gradient Function "
                     f"(CasADi {k['casadi']} here).")
    big = res.get("large")
    if big:
        lines += ["", f"10^7 gates + backward in one process ({big['how']}; available memory "
                  f"{big['available_kib'] / 2**20:.1f} GiB, projection from {res['n']:,} gates "
                  f"{big['projected_kib'] / 2**20:.1f} GiB); the peak is the whole process's `ru_maxrss`, its "
                  f"baseline after imports ({res['circuit']['baseline_kib'] / 2**20:.2f} GiB) included:", "",
                  "| gates | backward gates | process peak GiB | circuit + backward time | built by |",
                  "|---|---|---|---|---|"]
        for p in big["points"]:
            if "error" in p:
                lines.append(f"| {p['n']:,} | error: {p['error']} | | | |")
            else:
                lines.append(f"| {p['gates']:,} | {p['backward_gates']:,} | {p['process_peak_kib'] / 2**20:.2f} "
                             f"| {p['build_s'] + p['backward_s']:.1f} s | {p.get('sweep', '?')} |")
        if "peak_kib" in big and big["how"] != "measured":
            lines.append(f"| **{LARGE:,}** ({big['how']}) | | **{big['peak_kib'] / 2**20:.1f}** "
                         f"| **{big['seconds']:.0f} s** | |")
    conv = res.get("convert", {})
    lines += ["", "| tape conversion (engine.py cases, gradient circuits) | gates | wires | convert "
              "| µs/gate |", "|---|---|---|---|---|"]
    if "error" in conv or conv.get("skipped"):
        lines.append(f"| {conv.get('error') or conv.get('skipped')} | | | | |")
    for r in conv.get("rows", []):
        lines.append(f"| {r['case']} | {r['gates']:,} | {r['wires']:,} | {r['convert_s'] * 1e3:.2f} ms "
                     f"| {r['convert_s'] / r['gates'] * 1e6:.2f} |")
    return "\n".join(lines) + "\n"


def main(out_dir: str = "benchmarks/results", quick: bool = False) -> str:
    """Run :func:`measure`, write ``memory.md`` and ``memory.json`` into ``out_dir``; the markdown."""
    t0 = time.perf_counter()
    res = measure(quick)
    res["seconds"] = time.perf_counter() - t0
    text = render(res)
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "memory.md"), "w", encoding="utf-8") as fh:
        fh.write(text)
    with open(os.path.join(out_dir, "memory.json"), "w", encoding="utf-8") as fh:
        json.dump(res, fh, indent=1)
    return text


def render(res: dict) -> str:
    """``memory.md``: a heading, how it was measured, and :func:`table`."""
    quick = res["quick"]
    head = (f"# Memory per gate{' (--quick)' if quick else ''}\n\n"
            f"Run {res['when']}, {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}; {res['seconds']:.0f} s.  Each measurement in a fresh "
            "child process: peak = `ru_maxrss` (high-water mark reset before each phase) minus the RSS at "
            "the phase's start; retained = RSS after `gc.collect()` minus the RSS at the phase's start; "
            "live = the same after glibc's `malloc_trim(0)` too (see the docstring of "
            "`benchmarks/memory.py`).\n\n")
    if res.get("note"):
        head += f"{res['note']}.\n\n"
    return head + table(res)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        sys.exit(_child_main(sys.argv[2:]))
    sys.exit(print(main(quick="--quick" in sys.argv)) or 0)
