"""Generated C against generated C: ``circuits.to_c`` beside CasADi's ``Function.generate``.

For the gradient circuit of one size per family, both generators write C for the same
circuit; both sources are compiled by the same compiler with the same flags (``-O2
-fno-fast-math -ffp-contract=off``, the flags that keep IEEE results) together with one small
timing driver, which calls each generated function in a loop and reads the clock itself —
so no Python, ctypes or CasADi call overhead is in the numbers.  Measured, in one run:

* code generation (seconds) and compilation (seconds) of each;
* one point: nanoseconds per call of our ``f(x, y)`` and of CasADi's ``f(arg, res, iw, w, 0)``;
* a batch of 10^4 points: our ``f_batch`` on one thread and on every thread (OpenMP), and
  CasADi's generated function called 10^4 times in a loop, and ``map(10^4)`` of the CasADi
  function through its VM (what a CasADi user calls for a batch).

``python -m benchmarks --codegen`` writes ``codegen.md`` and ``codegen.json``.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

import circuits
from circuits.ad import backward
from circuits.eval import c as cbackend

from .families import FAMILIES
from .peers import casadi_outputs

CASES = [("mlp", (16, 32, 32, 1)), ("lsq", 100), ("det", 8), ("sigma2_naive", 50), ("sigma2_fast", 3000),
         ("random", 10_000), ("chain", 10_000)]
BATCH = 10_000

_DRIVER = r"""
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <omp.h>
void f(const double *x, double *y);
void f_batch(const double *X, double *Y, long n);
int cas(const double **arg, double **res, long long *iw, double *w, int mem);
int cas_work(long long *sz_arg, long long *sz_res, long long *sz_iw, long long *sz_w);
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + 1e-9 * t.tv_nsec; }
int main(int argc, char **argv)
{
    int n_in = atoi(argv[1]), n_out = atoi(argv[2]); long batch = atol(argv[3]);
    double *X = malloc(sizeof(double) * n_in * batch), *Y = malloc(sizeof(double) * n_out * batch);
    double *Z = malloc(sizeof(double) * n_out * batch);
    for (long i = 0; i < n_in * batch; i++) X[i] = 0.1 + 0.8 * (double)((i * 7919) % 1000) / 1000.0;
    long long sa, sr, si, sw; cas_work(&sa, &sr, &si, &sw);
    const double **arg = malloc(sizeof(double *) * (sa + 1)); double **res = malloc(sizeof(double *) * (sr + 1));
    long long *iw = malloc(sizeof(long long) * (si + 1)); double *w = malloc(sizeof(double) * (sw + 1));
    double best_ours = 1e9, best_cas = 1e9, best_b1 = 1e9, best_bt = 1e9, best_bc = 1e9;
    long reps = 1; double t0 = now(); f(X, Y); double one = now() - t0;
    reps = one > 0 ? (long)(2e-3 / one) + 1 : 1000;
    for (int r = 0; r < 7; r++) {
        t0 = now(); for (long k = 0; k < reps; k++) f(X + (k % batch) * n_in, Y); double t = (now() - t0) / reps;
        if (t < best_ours) best_ours = t;
        t0 = now();
        for (long k = 0; k < reps; k++) { arg[0] = X + (k % batch) * n_in; res[0] = Z; cas(arg, res, iw, w, 0); }
        t = (now() - t0) / reps; if (t < best_cas) best_cas = t;
    }
    for (int r = 0; r < 3; r++) {
        omp_set_num_threads(1);
        t0 = now(); f_batch(X, Y, batch); double t = now() - t0; if (t < best_b1) best_b1 = t;
        omp_set_num_threads(omp_get_num_procs());
        t0 = now(); f_batch(X, Y, batch); t = now() - t0; if (t < best_bt) best_bt = t;
        t0 = now();
        for (long i = 0; i < batch; i++) { arg[0] = X + i * n_in; res[0] = Z + i * n_out; cas(arg, res, iw, w, 0); }
        t = now() - t0; if (t < best_bc) best_bc = t;
    }
    double diff = 0; for (long i = 0; i < n_out * batch; i++) { double d = Y[i] - Z[i]; if (d < 0) d = -d; if (d > diff) diff = d; }
    printf("{\"point_ours\": %.9g, \"point_casadi\": %.9g, \"batch_ours_1\": %.9g, \"batch_ours_threads\": %.9g, "
           "\"batch_casadi_loop\": %.9g, \"threads\": %d, \"max_abs_diff\": %.3g}\n",
           best_ours, best_cas, best_b1, best_bt, best_bc, omp_get_num_procs(), diff);
    return 0;
}
"""


def _case(name, size, tmp: Path, batch=BATCH) -> dict:
    import casadi as ca
    fam = FAMILIES[name]
    c = backward(fam.make(size))
    row = {"case": f"{name} {fam.label(size)}", "gates": c.size, "inputs": len(c.inputs), "outputs": len(c.outputs)}
    t0 = time.perf_counter()
    ours = cbackend.to_c(c, name="f")
    row["generate_ours_s"] = time.perf_counter() - t0
    x, outs = casadi_outputs(c)
    fn = ca.Function("cas", [x], [ca.vertcat(*outs)])
    t0 = time.perf_counter()
    cg = ca.CodeGenerator("cas.c", {"with_header": False, "casadi_int": "long long"})
    cg.add(fn)
    cg.generate(str(tmp) + "/")
    row["generate_casadi_s"] = time.perf_counter() - t0
    (tmp / "ours.c").write_text(ours)
    (tmp / "driver.c").write_text(_DRIVER)
    cc = cbackend.compiler()
    flags = ["-O2", "-std=c99", "-fno-fast-math", "-ffp-contract=off", "-fno-math-errno", "-fopenmp"]
    for key, src in (("ours", "ours.c"), ("casadi", "cas.c")):
        t0, cpu0 = time.perf_counter(), _children_cpu()
        subprocess.run([cc, *flags, "-c", src, "-o", f"{key}.o"], cwd=tmp, check=True, capture_output=True)
        row[f"compile_{key}_s"] = time.perf_counter() - t0
        row[f"compile_{key}_cpu_s"] = _children_cpu() - cpu0   # the compiler's own time, whatever the load
    subprocess.run([cc, *flags, "-D_POSIX_C_SOURCE=199309L", "driver.c", "ours.o", "casadi.o", "-o", "bench",
                    "-lm"], cwd=tmp, check=True, capture_output=True)
    done = subprocess.run(["./bench", str(len(c.inputs)), str(len(c.outputs)), str(batch)], cwd=tmp,
                          check=True, capture_output=True, text=True)
    row.update(json.loads(done.stdout))
    # CasADi's own batch path: map over the VM
    batch_fn = fn.map(batch)
    X = np.random.default_rng(0).uniform(0.1, 0.9, (len(c.inputs), batch))
    batch_fn(X)  # warm
    row["batch_casadi_map"] = min(_timed(lambda: batch_fn(X)) for _ in range(3))
    return row


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _table(rows) -> str:
    head = ("| case | gates | point: ours ns | CasADi C ns | ratio | batch 10⁴ 1 thread ms | threads ms | "
            "speed-up | CasADi C loop ms | CasADi map ms | × map | compile ours s (cc cpu) | CasADi gen+cc s (cc cpu) |")
    lines = [head, "|" + "---|" * 13]
    for r in rows:
        lines.append(
            f"| {r['case']} | {r['gates']:,} | {r['point_ours'] * 1e9:,.0f} | {r['point_casadi'] * 1e9:,.0f} | "
            f"**{r['point_ours'] / r['point_casadi']:.2f}** | {r['batch_ours_1'] * 1e3:.2f} | "
            f"{r['batch_ours_threads'] * 1e3:.2f} | {r['batch_ours_1'] / r['batch_ours_threads']:.2f} | "
            f"{r['batch_casadi_loop'] * 1e3:.2f} | {r['batch_casadi_map'] * 1e3:.2f} | "
            f"{r['batch_casadi_map'] / r['batch_ours_threads']:.1f} | "
            f"{r['generate_ours_s'] + r['compile_ours_s']:.2f} ({r.get('compile_ours_cpu_s', float('nan')):.2f}) | "
            f"{r['generate_casadi_s'] + r['compile_casadi_s']:.2f} ({r.get('compile_casadi_cpu_s', float('nan')):.2f}) |")
    return "\n".join(lines)


def run(out_dir: str = "benchmarks/results", cases=None, batch: int = BATCH) -> str:
    """Run every case (or ``cases``), write ``codegen.md`` and ``codegen.json``; return the Markdown."""
    rows = []
    for name, size in cases or CASES:
        with tempfile.TemporaryDirectory(prefix="circuits-codegen-") as tmp:
            rows.append(_case(name, size, Path(tmp), batch))
            print(f"  {rows[-1]['case']}: point {rows[-1]['point_ours'] / rows[-1]['point_casadi']:.2f}× CasADi's C",
                  flush=True)
    text = ("# Generated C: circuits.to_c against CasADi's code generator\n\n"
            "Command: `python -m benchmarks --codegen`. Each case is the gradient circuit (`circuits.backward`) "
            "of one family member. Both C files are compiled by the same compiler with the same flags "
            "(`-O2 -fno-fast-math -ffp-contract=off`) and timed by one C driver that reads the clock itself "
            "(best of 7 timings of ~2 ms for a point, best of 3 for a batch); no Python in the loop. "
            "*ratio* = ours / CasADi's (target ≤ 1.0); *speed-up* = one thread / every thread; "
            "*× map* = CasADi `Function.map` (its VM) / ours on every thread; compile = generation + compiler, "
            "wall seconds, and in parentheses the compiler's CPU seconds (user + system), which the load of a "
            "shared machine does not inflate.\n\n"
            f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"{platform.python_implementation()} {platform.python_version()}, "
            f"casadi {__import__('casadi').__version__}, circuits {circuits.__version__}.\n\n" + _table(rows) + "\n")
    os.makedirs(out_dir, exist_ok=True)
    Path(out_dir, "codegen.md").write_text(text)
    Path(out_dir, "codegen.json").write_text(json.dumps(rows, indent=1))
    return text
