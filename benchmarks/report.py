"""Results as a Markdown table, the issue's targets as ratios, and the log-log plot."""

from __future__ import annotations

__all__ = ["targets", "write_markdown", "plot"]


def _ratio(a, b):
    return a / b if a is not None and b else None


def _fmt(x, digits=2):
    if x is None:
        return "–"
    if isinstance(x, str):
        return x
    if isinstance(x, int):
        return f"{x:,}"
    if x == 0:
        return "0"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.{digits}g}" if abs(x) < 1 else f"{x:.{digits + 1}g}"


def _peer(rec, peer, key):
    p = rec["peers"].get(peer)
    return None if p is None else p.get(key)


def targets(results: dict) -> list:
    """The issue's targets, one row each: ``(target, measured, holds)``; holds is True/False/None.

    Examples
    --------
    >>> from benchmarks.report import targets
    >>> targets({"cases": []})[0][2] is None
    True
    """
    cases = results["cases"]
    fams = []
    for r in cases:
        if r["family"] not in fams:
            fams.append(r["family"])
    rows = []

    # 1. backward time per wire flat within 2x from 10^3 to 10^6 wires
    parts, ok = [], []
    for fam in fams:
        rs = [r for r in cases if r["family"] == fam and 1_000 <= r["f"]["wires"] <= 1_100_000]
        if len(rs) >= 2:
            per = [r["backward"]["seconds_per_wire"] for r in rs]
            spread = max(per) / min(per)
            parts.append(f"{fam} {spread:.1f}× ({_fmt(rs[0]['f']['wires'])}–{_fmt(rs[-1]['f']['wires'])} wires)")
            ok.append(spread <= 2)
    rows.append(("backward time per wire: max/min ≤ 2 from 10^3 to 10^6 wires", "; ".join(parts) or "–",
                 all(ok) if ok else None))

    # 2. backward <= 2x networkx floor (largest size per family); also backward + .dag
    parts, ok, parts2 = [], [], []
    for fam in fams:
        r = [r for r in cases if r["family"] == fam][-1]
        q = _ratio(r["backward"]["seconds"], r["floor_s"])
        q2 = _ratio(r["backward"]["seconds"] + r["dag_s"], r["floor_s"])
        parts.append(f"{fam} {q:.2f}×")
        parts2.append(f"{fam} {q2:.1f}×")
        ok.append(q <= 2)
    rows.append(("backward ≤ 2× networkx floor of its output (largest size)", "; ".join(parts) or "–",
                 all(ok) if ok else None))
    rows.append(("backward + .dag vs the floor (largest size; not a target, for honesty)",
                 "; ".join(parts2) or "–", None))

    # 3. >= 10x faster than JAX make_jaxpr(grad) at the largest common size
    parts, ok = [], []
    for fam in fams:
        rs = [r for r in cases if r["family"] == fam and _peer(r, "jax", "grad_jaxpr_s")]
        if rs:
            r = rs[-1]
            q = _ratio(_peer(r, "jax", "grad_jaxpr_s"), r["backward"]["seconds"])
            parts.append(f"{fam} {r['label']} {q:.0f}×")
            ok.append(q >= 10)
        else:
            timeouts = [r for r in cases if r["family"] == fam and _peer(r, "jax", "status") == "timeout"]
            if timeouts:
                parts.append(f"{fam} JAX timed out")
    rows.append(("backward ≥ 10× faster than JAX make_jaxpr(grad) (largest common size)",
                 "; ".join(parts) or "–", all(ok) if ok else None))

    # 4. simplify(backward) ops <= CasADi gradient ops and JAX grad eqns, every common size
    comparisons = (("simplify_ops", "casadi", "grad_ops", "CasADi gradient ops", True),
                   ("simplify_ops", "jax", "grad_eqns", "JAX grad eqns", True),
                   ("simplify", "casadi", "grad_ops", "CasADi gradient ops", False))
    for which, peer, key, what, target in comparisons:
        parts, ok = [], []
        for fam in fams:
            rs = [r for r in cases if r["family"] == fam and _peer(r, peer, key) and r.get(which)]
            if rs:
                worst = max(rs, key=lambda r: r[which]["ops"] / _peer(r, peer, key))
                q = worst[which]["ops"] / _peer(worst, peer, key)
                parts.append(f"{fam} {q:.2f}")
                ok.append(all(r[which]["ops"] <= _peer(r, peer, key) for r in rs))
        name = ('simplify(backward, minimize="ops")' if which == "simplify_ops"
                else "simplify(backward) (minimising gates; not a target, for honesty)")
        rows.append((f"{name} ops ≤ {what} (worst ratio ours/theirs over sizes)",
                     "; ".join(parts) or "–", (all(ok) if ok else None) if target else None))

    # 5. batch evaluation: faster than CasADi map, within 1.5x raw numpy
    parts, ok, parts2, ok2, parts3 = [], [], [], [], []
    for fam in fams:
        rs = [r for r in cases if r["family"] == fam and r["eval"] and r["eval"].get("batch_s")]
        if not rs:
            continue
        r = rs[-1]
        q = _ratio(r["eval"]["batch_s"], r["eval"].get("raw_numpy_s"))
        if q is not None:
            parts2.append(f"{fam} {r['label']} {q:.2f}×")
            ok2.append(q <= 1.5)
        q = _ratio(r["eval"]["batch_s"], r["eval"].get("hot_numpy_s"))
        if q is not None:
            parts3.append(f"{fam} {r['label']} {q:.2f}×")
        m = _peer(r, "casadi", "map_eval_s")
        if m:
            parts.append(f"{fam} {r['label']} {m / r['eval']['batch_s']:.1f}×")
            ok.append(r["eval"]["batch_s"] < m)
    rows.append(("batch eval (10^4 points) faster than CasADi map (CasADi time / ours)",
                 "; ".join(parts) or "–", all(ok) if ok else None))
    rows.append(("batch eval within 1.5× the same numpy operations replayed (ours / replay)",
                 "; ".join(parts2) or "–", all(ok2) if ok2 else None))
    rows.append(("batch eval vs the hot-cache floor (not a target, for honesty: ours / floor)",
                 "; ".join(parts3) or "–", None))

    # 6. memory
    parts = []
    for fam in fams:
        r = [r for r in cases if r["family"] == fam][-1]
        parts.append(f"{fam} {r['backward']['peak_bytes'] / max(r['backward']['gates'], 1):,.0f} B")
    rows.append(("backward peak memory per gradient gate (largest size)", "; ".join(parts) or "–", None))
    big = [r for r in cases if r["f"]["wires"] >= 1_000_000]
    if big:
        worst = max(big, key=lambda r: r["backward"]["process_peak_bytes"] or r["backward"]["peak_bytes"])
        whole = worst["backward"]["process_peak_bytes"] or worst["backward"]["peak_bytes"]
        rows.append(("10^6-wire backward fits in 4 GiB (process peak RSS)",
                     f"{whole / 2**30:.2f} GiB ({worst['family']} {worst['label']})", whole < 4 * 2**30))
    else:
        rows.append(("10^6-wire backward fits in 4 GiB (process peak RSS)", "no 10^6-wire case in this run", None))
    return rows


def write_markdown(results: dict, path: str) -> None:
    """Write the per-case table and the targets table to ``path``."""
    m = results["machine"]
    lines = [
        "# Benchmark results",
        "",
        f"Run {results['started']} on {m.get('cpu', '?')} ({m['cpus']} CPUs), Python {m['python']}, "
        f"{m['platform']}; total {results['total_s'] / 60:.1f} min. Peers: {', '.join(results['peers']) or 'none'}. "
        f"Versions: " + ", ".join(f"{k} {v}" for k, v in m["versions"].items() if v) + ".",
        f"Memory: peak {'RSS growth (/proc VmHWM after clear_refs)' if m['memory_method'] == 'rss' else 'tracemalloc'}.",
        "Timings are wall clock on a shared, loaded machine: read the ratios, not the absolute times.",
        "",
        "## Targets of issue 6",
        "",
        "| target | measured | holds |",
        "|---|---|---|",
    ]
    for target, measured, holds in targets(results):
        lines.append(f"| {target} | {measured} | {'–' if holds is None else 'yes' if holds else 'NO'} |")
    lines += [
        "",
        "## Per case",
        "",
        "Sizes of f and of the gradient in gates / wires / binary operations (a k-wire gate is k−1 "
        "operations plus its weights other than ±1, at least 1). µs/w = microseconds per wire of f. "
        "floor = bulk-building a networkx MultiDiGraph with the gradient's nodes and keyed wires. "
        "CasADi: gradient instructions without inputs/outputs/constants; JAX: equations of make_jaxpr(grad).",
        "",
        "| family | size | f gates / wires / ops | build s | backward s | µs/w | bw / floor | (bw+dag) / floor "
        "| ∇ gates / ops | simplify(∇) gates / ops | ops-minimised gates / ops | ratio to f | simplify s "
        "| ops-minimised s | hvp s | forward s | CasADi ∇ ops (s) "
        "| JAX ∇ eqns (s) | JAX / bw time | SymPy diff / cse ops | peak B/gate |",
        "|" + "---|" * 21,
    ]
    for r in results["cases"]:
        f, b, s, so = r["f"], r["backward"], r["simplify"], r.get("simplify_ops")
        cas = r["peers"].get("casadi")
        jx = r["peers"].get("jax")
        sp = r["peers"].get("sympy")

        def peer_cell(p, key, tkey):
            if p is None:
                return "–"
            if p.get(key) is None:
                return p["status"]
            return f"{_fmt(p[key])} ({_fmt(p.get(tkey))})" + ("" if p["status"] == "ok" else f" {p['status']}")
        sym = "–"
        if sp is not None:
            sym = (f"{_fmt(sp.get('grad_ops'))} / {_fmt(sp.get('cse_ops'))}" if sp.get("grad_ops") is not None
                   else sp["status"] + (f" ({sp['error'][:40]})" if sp.get("error") else ""))
        jr = _ratio(jx.get("grad_jaxpr_s"), b["seconds"]) if jx else None
        lines.append("| " + " | ".join([
            r["family"], r["label"], f"{_fmt(f['gates'])} / {_fmt(f['wires'])} / {_fmt(f['ops'])}",
            _fmt(r["build_s"]), _fmt(b["seconds"]), _fmt(b["seconds_per_wire"] * 1e6),
            _fmt(_ratio(b["seconds"], r["floor_s"])), _fmt(_ratio(b["seconds"] + r["dag_s"], r["floor_s"])),
            f"{_fmt(b['gates'])} / {_fmt(b['ops'])}", f"{_fmt(s['gates'])} / {_fmt(s['ops'])}",
            f"{_fmt(so['gates'])} / {_fmt(so['ops'])}" if so else "–",
            _fmt((so or s)["ops"] / max(f["ops"], 1)),
            _fmt(s["seconds"]), _fmt(so["seconds"] if so else None), _fmt(r["hvp"]["seconds"] if r["hvp"] else None),
            _fmt(r["forward"]["seconds"] if r["forward"] else None),
            peer_cell(cas, "grad_ops", "grad_s"), peer_cell(jx, "grad_eqns", "grad_jaxpr_s"),
            _fmt(jr), sym, _fmt(b["peak_bytes"] / max(b["gates"], 1)),
        ]) + " |")
    ev_rows = [r for r in results["cases"] if r["eval"]]
    if ev_rows:
        lines += ["", "## Evaluation of simplify(backward(f), minimize=\"ops\")", "",
                  f"compile: generating and compiling Python; point: one call of compile(g).function('float'); "
                  f"batch: compile(g)(arrays of {results['batch']:,} points); replay: the same operations as "
                  "bare numpy calls from a flat list, one call per binary operation, results kept "
                  "(benchmarks/raw.py); hot floor: operations × one numpy operation on two recycled in-cache "
                  "arrays; CasADi map: Function.map over the same points.", "",
                  "| family | size | compile s | point µs | batch s | replay s | batch / replay | hot floor s "
                  "| batch / hot floor | CasADi point µs | CasADi map s | CasADi map / ours |", "|" + "---|" * 12]
        for r in ev_rows:
            e = r["eval"]
            cas = r["peers"].get("casadi") or {}
            lines.append("| " + " | ".join([
                r["family"], r["label"], _fmt(e["compile_s"]),
                _fmt(e["point_s"] * 1e6) if e.get("point_s") else e.get("point_error", "–")[:30],
                _fmt(e.get("batch_s")), _fmt(e.get("raw_numpy_s")), _fmt(_ratio(e.get("batch_s"), e.get("raw_numpy_s"))),
                _fmt(e.get("hot_numpy_s")), _fmt(_ratio(e.get("batch_s"), e.get("hot_numpy_s"))),
                _fmt(cas["eval1_s"] * 1e6) if cas.get("eval1_s") else "–", _fmt(cas.get("map_eval_s")),
                _fmt(_ratio(cas.get("map_eval_s"), e.get("batch_s"))),
            ]) + " |")
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")


def plot(results: dict, path: str) -> None:
    """Log-log time per wire of f against wires of f, one panel per family: ours, floor, peers."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - optional
        raise RuntimeError("the plot needs matplotlib: pip install matplotlib") from exc
    fams = []
    for r in results["cases"]:
        if r["family"] not in fams:
            fams.append(r["family"])
    # two panels a row, 8.8 in at 100 dpi: 880 px, the README's column, so text is shown at its size
    cols = min(2, len(fams))
    rows = (len(fams) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(4.4 * cols, 3.0 * rows + 0.8), squeeze=False)
    series = [
        ("backward", lambda r: r["backward"]["seconds"], dict(color="C0", marker="o")),
        ("backward + .dag", lambda r: r["backward"]["seconds"] + r["dag_s"], dict(color="C0", ls="--", marker=".")),
        ("networkx floor", lambda r: r["floor_s"], dict(color="gray", ls=":", marker=".")),
        ("simplify(∇)", lambda r: r["simplify"]["seconds"], dict(color="C2", marker="s", ms=3)),
        ("CasADi gradient", lambda r: _peer(r, "casadi", "grad_s"), dict(color="C1", marker="^")),
        ("JAX make_jaxpr(grad)", lambda r: _peer(r, "jax", "grad_jaxpr_s"), dict(color="C3", marker="v")),
        ("SymPy diff", lambda r: _peer(r, "sympy", "diff_s"), dict(color="C4", marker="x")),
    ]
    for ax, fam in zip(axes.flat, fams):
        rs = [r for r in results["cases"] if r["family"] == fam]
        for name, get, style in series:
            pts = [(r["f"]["wires"], get(r) / r["f"]["wires"]) for r in rs if get(r)]
            if pts:
                ax.loglog(*zip(*pts), label=name, **style)
        ax.set_title(fam)
        ax.set_xlabel("wires of f")
        ax.set_ylabel("seconds per wire")
        ax.grid(True, which="major", alpha=0.3)
    for ax in list(axes.flat)[len(fams):]:
        ax.axis("off")
    handles, labels = [], []
    for ax in axes.flat:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
    fig.legend(handles, labels, loc="lower center", ncol=min(len(labels), 4), fontsize=9)
    fig.suptitle("Gradient construction time per wire (log-log), shared 2-core machine", fontsize=11)
    fig.tight_layout(rect=(0, 0.6 / fig.get_size_inches()[1] * 2, 1, 0.97))
    fig.savefig(path, dpi=100)
    plt.close(fig)
