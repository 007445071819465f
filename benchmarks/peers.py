"""The peers: CasADi SX, JAX and SymPy on the same circuits, each in a child process with a timeout.

Every peer gets our circuit translated gate by gate (:func:`casadi_function`,
:func:`jax_function`, :func:`sympy_expression`), so it computes the same
function with the same operations: a weighted ``add`` becomes one product per
weight other than 1 and one addition per further wire, ``square`` is ``u*u``
(CasADi ``sq``, JAX ``integer_pow``), ``sigmoid`` is one ``logistic`` in JAX
and ``1/(1+exp(−u))`` in CasADi and SymPy (they have no such primitive).

:func:`run_peer` runs one peer case in a forked child process, which reports
each measurement as soon as it has it; when the time limit strikes the child
is killed and the case is reported as a timeout, together with what it
measured before.
"""

from __future__ import annotations

import multiprocessing as mp
import queue as queue_module
import time
from fractions import Fraction


from circuits.eval.jax import jax_namespace, translate
from circuits.core.gates import SYMPY, Namespace

__all__ = ["available", "run_peer", "casadi_function", "jax_function", "sympy_expression"]

PEERS = ("casadi", "jax", "sympy")


def available() -> dict:
    """Which peers can be imported here: ``{"casadi": bool, "jax": bool, "sympy": bool}``.

    Examples
    --------
    >>> from benchmarks.peers import available
    >>> available()["sympy"]
    True
    """
    import importlib.util
    return {p: importlib.util.find_spec(p) is not None for p in PEERS}


def casadi_function(circuit):
    """``(x, f)``: a CasADi ``SX`` input vector and the scalar expression of the first output.

    Examples
    --------
    >>> import circuits
    >>> from benchmarks.peers import casadi_function, available
    >>> if available()["casadi"]:
    ...     import casadi
    ...     x, f = casadi_function(circuits.parse("x * sin(y)"))
    ...     print(float(casadi.Function("f", [x], [f])([2.0, 0.5])))
    ... else:
    ...     print(2.0 * 0.479425538604203)
    0.958851077208406
    """
    x, outs = casadi_outputs(circuit)
    return x, outs[0]


def casadi_outputs(circuit):
    """``(x, outputs)``: a CasADi ``SX`` input vector and the expressions of every output, in order,
    each gate translated from its declared formula (:func:`circuits.eval.jax.translate`)."""
    import casadi as ca
    x = ca.SX.sym("x", len(circuit.inputs))
    ns = Namespace("casadi", exp=ca.exp, log=ca.log, sqrt=ca.sqrt, sin=ca.sin, cos=ca.cos, tan=ca.tan,
                   atan=ca.atan, tanh=ca.tanh, abs=ca.fabs, sign=ca.sign, max=ca.fmax, min=ca.fmin,
                   step=lambda u: ca.if_else(u > 0, 1, 0),
                   ipow=lambda u, k: u * u if k == 2 else u ** k,
                   sinh=ca.sinh, cosh=ca.cosh, asin=ca.asin, acos=ca.acos, asinh=ca.asinh, acosh=ca.acosh,
                   atanh=ca.atanh, erf=ca.erf, atan2=ca.atan2,
                   log1p=getattr(ca, "log1p", lambda u: ca.log(1 + u)),
                   expm1=getattr(ca, "expm1", lambda u: ca.exp(u) - 1),
                   hypot=getattr(ca, "hypot", lambda u, v: ca.sqrt(u * u + v * v)))
    outs = translate(circuit, ca.vertsplit(x), lambda v: ca.SX(float(v) if isinstance(v, Fraction) else v), ns)
    return x, outs


def jax_function(circuit):
    """A JAX function of a list of scalars computing the first output, built from the circuit.

    Examples
    --------
    >>> import circuits
    >>> from benchmarks.peers import jax_function, available
    >>> if available()["jax"]:
    ...     print(round(float(jax_function(circuits.parse("x * y + x"))([2.0, 3.0])), 6))
    ... else:
    ...     print(8.0)
    8.0
    """
    ns = jax_namespace()

    def f(xs):
        return translate(circuit, xs, float, ns)[0]
    return f


def sympy_expression(circuit):
    """``(symbols, expression)`` of the first output, built gate by gate with shared subexpressions.

    Examples
    --------
    >>> import circuits
    >>> from benchmarks.peers import sympy_expression
    >>> xs, e = sympy_expression(circuits.parse("x * sin(y)"))
    >>> e
    x*sin(y)
    """
    import sympy
    xs = sympy.symbols(list(circuit.inputs))
    if len(circuit.inputs) == 1:
        xs = [xs] if not isinstance(xs, (list, tuple)) else list(xs)

    def const(v):
        return sympy.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else sympy.sympify(v)
    return list(xs), translate(circuit, list(xs), const, SYMPY)[0]


# --- the peer cases, run in a child ------------------------------------------------

def _casadi_ops(fn) -> int:
    import casadi as ca
    skip = {ca.OP_INPUT, ca.OP_OUTPUT, ca.OP_CONST, ca.OP_PARAMETER}
    return sum(1 for k in range(fn.n_instructions()) if fn.instruction_id(k) not in skip)


def _case_casadi(circuit, report, options):
    import casadi as ca
    t0 = time.perf_counter()
    x, f = casadi_function(circuit)
    F = ca.Function("f", [x], [f])
    report("build_s", time.perf_counter() - t0)
    report("f_nodes", F.n_nodes())
    report("f_instructions", F.n_instructions())
    report("f_ops", _casadi_ops(F))
    t0 = time.perf_counter()
    g = ca.gradient(f, x)
    G = ca.Function("g", [x], [g])
    report("grad_s", time.perf_counter() - t0)
    report("grad_nodes", G.n_nodes())
    report("grad_instructions", G.n_instructions())
    report("grad_ops", _casadi_ops(G))
    point = options["point"]
    G(point)
    t0 = time.perf_counter()
    reps = 0
    while reps < 3 or (time.perf_counter() - t0 < 0.2 and reps < 1000):
        G(point)
        reps += 1
    report("eval1_s", (time.perf_counter() - t0) / reps)
    batch = options.get("batch")
    if batch is not None:
        t0 = time.perf_counter()
        M = G.map(batch.shape[1])
        report("map_build_s", time.perf_counter() - t0)
        M(batch)
        t0 = time.perf_counter()
        M(batch)
        report("map_eval_s", time.perf_counter() - t0)


def _count_eqns(jaxpr) -> int:
    """Equations of a jaxpr, counting those of nested jaxprs instead of their containers."""
    total = 0
    stack = [jaxpr]
    while stack:
        jp = stack.pop()
        for eqn in jp.eqns:
            subs = []
            for p in eqn.params.values():
                for q in (p if isinstance(p, (tuple, list)) else (p,)):
                    inner = getattr(q, "jaxpr", None)
                    if inner is not None and hasattr(q, "eqns") is False and hasattr(inner, "eqns"):
                        subs.append(inner)
                    elif hasattr(q, "eqns"):
                        subs.append(q)
            if subs:
                stack.extend(subs)
            else:
                total += 1
    return total


def _case_jax(circuit, report, options):
    import jax
    jax.config.update("jax_enable_x64", True)
    jax.config.update("jax_platforms", "cpu")
    f = jax_function(circuit)
    args = [float(v) for v in options["point"]]
    t0 = time.perf_counter()
    jf = jax.make_jaxpr(f)(args)
    report("f_jaxpr_s", time.perf_counter() - t0)
    report("f_eqns", _count_eqns(jf.jaxpr))
    del jf
    t0 = time.perf_counter()
    jg = jax.make_jaxpr(jax.grad(f))(args)
    report("grad_jaxpr_s", time.perf_counter() - t0)
    report("grad_eqns", _count_eqns(jg.jaxpr))


def _case_sympy(circuit, report, options):
    import sympy
    t0 = time.perf_counter()
    xs, f = sympy_expression(circuit)
    report("build_s", time.perf_counter() - t0)
    report("f_ops", int(sympy.count_ops(f)))
    t0 = time.perf_counter()
    grad = [sympy.diff(f, x) for x in xs]
    report("diff_s", time.perf_counter() - t0)
    report("grad_ops", int(sum(sympy.count_ops(g) for g in grad)))
    t0 = time.perf_counter()
    repl, reduced = sympy.cse(grad)
    report("cse_s", time.perf_counter() - t0)
    report("cse_ops", int(sum(sympy.count_ops(e) for _, e in repl) + sum(sympy.count_ops(e) for e in reduced)))


_CASES = {"casadi": _case_casadi, "jax": _case_jax, "sympy": _case_sympy}


def _child(target, args, q):
    try:
        target(*args, lambda key, value: q.put((key, value)))
        q.put(("__done__", None))
    except BaseException as exc:  # reported to the parent, which decides
        q.put(("__error__", f"{type(exc).__name__}: {exc}"[:300]))


def run_in_child(target, args: tuple, timeout: float, context: str = "fork") -> dict:
    """Run ``target(*args, report)`` in a child process for at most ``timeout`` seconds.

    ``report(key, value)`` sends one measurement; ``report("__start__", step)``
    says which step is running (kept as ``at``, so a timeout says where).
    Returns the measurements and ``status``: ``"ok"``, ``"timeout"`` (killed
    after ``timeout`` s, with ``timeout_s``; the keys measured before are
    kept), ``"error"`` (with ``error``) or ``"crashed"`` (the child died, e.g.
    out of memory or a segmentation fault in a compiler, with ``exitcode``).
    ``context`` is the multiprocessing start method (``"spawn"`` for a child
    that must not inherit the parent's threads, as JAX needs).
    """
    ctx = mp.get_context(context)
    q = ctx.Queue()
    proc = ctx.Process(target=_child, args=(target, args, q), daemon=True)
    out = {"status": "ok"}
    deadline = time.monotonic() + timeout
    proc.start()
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                out["status"] = "timeout"
                out["timeout_s"] = timeout
                break
            try:
                key, value = q.get(timeout=min(remaining, 1.0))
            except queue_module.Empty:
                if not proc.is_alive() and q.empty():
                    out["status"] = "crashed"
                    out["exitcode"] = proc.exitcode
                    break
                continue
            if key == "__done__":
                break
            if key == "__error__":
                out["status"] = "error"
                out["error"] = value
                break
            if key == "__start__":
                out["at"] = value
            else:
                out[key] = value
    finally:
        if proc.is_alive():
            proc.terminate()
            proc.join(5)
            if proc.is_alive():
                proc.kill()
        proc.join(5)
        q.close()
    return out


def _peer_case(peer, circuit, options, report):
    _CASES[peer](circuit, report, options)


def run_peer(peer: str, circuit, options: dict, timeout: float) -> dict:
    """Run one peer case on ``circuit`` in a child process for at most ``timeout`` seconds
    (:func:`run_in_child`).

    Examples
    --------
    >>> import circuits
    >>> from benchmarks.peers import run_peer
    >>> r = run_peer("sympy", circuits.parse("x * sin(y)"), {"point": [1.0, 2.0]}, timeout=60)
    >>> r["status"], r["grad_ops"]
    ('ok', 3)
    """
    return run_in_child(_peer_case, (peer, circuit, options), timeout)
