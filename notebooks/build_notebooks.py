"""Write the tutorial notebooks from the cell lists below, then execute them.

The notebooks are generated so that their text lives in one reviewable Python
file; the committed ``.ipynb`` files carry the outputs of an execution with
nbclient, so they read well on a code host.  ``tests/test_notebooks.py``
checks that the committed cells are the ones written here and that their
outputs are what the current code prints.

Usage (from anywhere)::

    python3 notebooks/build_notebooks.py            # all notebooks
    python3 notebooks/build_notebooks.py 03 05      # names starting with 03 or 05
    python3 notebooks/build_notebooks.py --no-execute

Needs ``nbformat``, ``nbclient``, ``ipykernel``, ``matplotlib`` and the
Graphviz ``dot`` program.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

__all__ = ["NOTEBOOKS", "HERE", "build", "execute", "main"]

#: The folder holding the notebooks (the kernel's working directory).
HERE = Path(__file__).resolve().parent


def md(text: str) -> tuple:
    """A markdown cell."""
    return ("markdown", text.strip("\n"))


def code(text: str) -> tuple:
    """A code cell."""
    return ("code", text.strip("\n"))


SETUP = code('''
%matplotlib inline
import sys, pathlib
try:
    import circuits
except ImportError:          # a checkout without `pip install -e .`
    sys.path.insert(0, str(pathlib.Path.cwd().parent))
    import circuits
from circuits import library
import matplotlib.pyplot as plt
plt.rcParams.update({"figure.figsize": (6, 3.6), "figure.dpi": 100})
''')


# --------------------------------------------------------------------------
# 01: building circuits
# --------------------------------------------------------------------------

NB01 = [
    md('''
# 1. Building circuits

A **circuit** is a directed acyclic graph whose sources are input variables or
constants and whose other vertices, the **gates**, apply a basic operation
(Baur & Strassen 1983; Griewank & Walther 2008).  Its **size** is the number of
gates, the time to evaluate it sequentially; its **depth** is the number of
gates on the longest path, the time to evaluate it in parallel.

This notebook builds the same function four ways (the builder, tracing a
Python function, parsing text, converting a sympy expression), evaluates it in
several number systems, queries it as a networkx graph and draws it.
'''),
    SETUP,
    md('''
## The sum-of-squares example with the builder

The running example is the sum-of-squares loss

$$f(x, y, z) = (x - 3y - 3z + 5)^2 + (x - 2y - 2z)^2 + (x + y - 5z - 3)^2 .$$

`Builder.inputs` returns **wires**.  Arithmetic on wires records gates; a linear
combination stays pending until something uses it and then becomes a single
`+` gate whose wires carry the coefficients as weights: "scaled wires".
'''),
    code('''
b = circuits.Builder()
x, y, z = b.inputs("x y z")
b.output("f", (x - 3*y - 3*z + 5)**2 + (x - 2*y - 2*z)**2 + (x + y - 5*z - 3)**2)
f = b.build()
f, f.size, f.depth
'''),
    md('''
Size 7 and depth 3: three weighted `+` gates for the linear
forms, three squares, and one `+` on top.  The library has the same circuit
ready-made, and the gates are listed in topological order (node ids):
'''),
    code('''
fig1 = library.figure1()
print(fig1.size, fig1.depth)
for v in f.gates():
    print(v, f.op(v), f.args(v), f.weights(v))
'''),
    md('''
## Evaluating

The same circuit evaluates on floats, exact fractions, numpy arrays (a batch of
points at once) and sympy symbols.  A simple example point is
$(x, y, z) = (1, 1, 1)$, where $f = 0^2 + (-3)^2 + (-6)^2 = 45$.
'''),
    code('''
import numpy as np, sympy
from fractions import Fraction

print(f.evaluate(x=1, y=1, z=1))
print(f.evaluate(x=Fraction(1, 3), y=Fraction(1, 2), z=0))
print(f.evaluate(x=np.array([1.0, 2.0, 3.0]), y=np.zeros(3), z=np.ones(3)))
X, Y, Z = sympy.symbols("x y z")
print(sympy.expand(f.evaluate(x=X, y=Y, z=Z)["f"]))
'''),
    md('''
## Tracing a Python function

`@circuits.trace` calls the function once with wires instead of numbers.  The
inputs are named after the parameters, the output after the function.  The
gate functions (`circuits.exp`, `circuits.sigmoid`, ...) work on wires and on
plain numbers alike.
'''),
    code('''
@circuits.trace
def neuron(w0, w1, w2, x1, x2):
    return circuits.sigmoid(w0 + w1 * x1 + w2 * x2)

print(neuron)
print(neuron.evaluate(w0=0.0, w1=1.0, w2=-1.0, x1=2.0, x2=2.0))
'''),
    md('''
A circuit is straight-line code: Python control flow that depends on an input
cannot be recorded, and tracing says so instead of silently picking a branch.
'''),
    code('''
def absolute(x):
    return x if x > 0 else -x

try:
    circuits.trace(absolute)
except circuits.CircuitError as error:
    print("CircuitError:", error)

print(circuits.trace(lambda x: circuits.relu(x) + circuits.relu(-x)).evaluate(x=-2.5))
'''),
    md('''
## Parsing text

`circuits.parse` reads a formula without evaluating it as Python.  Equal
subexpressions become one node; errors carry the position of the offending
character.
'''),
    code('''
p = circuits.parse("(x - 3*y - 3*z + 5)**2 + (x - 2*y - 2*z)**2 + (x + y - 5*z - 3)**2")
print(p, p.evaluate(x=1, y=1, z=1))

try:
    circuits.parse("x + * y")
except circuits.ParseError as error:
    print(error)
'''),
    md('''
## From and to sympy

`circuits.from_sympy` turns an expression into a circuit (sums become weighted
`+` gates, `u**2` a square gate, `1/(1 + exp(-t))` a σ gate), and
`circuits.to_sympy` goes back.  A classic exercise uses a
function with a power, a logarithm and an exponential:
$f(x, y, z, v) = \\exp(y^{-x} - \\log z) + (y - z)^2 \\log v$.
'''),
    code('''
x_, y_, z_, v_ = sympy.symbols("x y z v")
expr = sympy.exp(y_**(-x_) - sympy.log(z_)) + (y_ - z_)**2 * sympy.log(v_)
s = circuits.from_sympy(expr, inputs=["x", "y", "z", "v"])
print(s)
back = circuits.to_sympy(s)["f"]
print(back)
point = {"x": 0.5, "y": 1.5, "z": 2.0, "v": 3.0}
reference = float(expr.subs({sympy.Symbol(k): val for k, val in point.items()}))
print("circuit", round(s.evaluate(point)["f"], 12), " sympy", round(reference, 12))
'''),
    md('''
## The circuit as a networkx graph

`circuit.dag` is a `networkx.MultiDiGraph`: node attributes `op`, `name`,
`value`; the edge key is the argument position (so `x·x` has two ordered
wires); wires into `+` gates carry their `weight`.  Every networkx algorithm
applies.  The depth is the number of edges on the longest path, the wire count
the number of edges.
'''),
    code('''
import networkx as nx

G = f.dag
print("nodes", G.number_of_nodes(), "wires", G.number_of_edges(), "= f.wires", f.wires)
path = nx.dag_longest_path(G)
print("longest path", [G.nodes[v]["op"] for v in path], "edges:", len(path) - 1, "= depth", f.depth)
print("fan-out of x:", G.out_degree(f.inputs["x"]))
print("layers:", [sorted(G.nodes[v]["op"] for v in layer) for layer in nx.topological_generations(G)])
print("weights into the first + gate:",
      [(G.nodes[u].get("name") or G.nodes[u]["op"], d.get("weight")) for u, _, d in G.in_edges(next(iter(f.gates())), data=True)])
'''),
    md('''
The conversion goes both ways: any DAG with `op` attributes becomes a circuit.
Here is the worked example of backpropagation,
$y = (x_1 + x_2 + x_1 x_2)(x_1 + x_2)$, written as a networkx graph in the
topological order $x_1, x_2, u_1, u_2, u_3, y$:
'''),
    code('''
D = nx.MultiDiGraph()
D.add_node("x1", op="input", name="x1")
D.add_node("x2", op="input", name="x2")
D.add_node("u1", op="add"); D.add_node("u2", op="mul"); D.add_node("u3", op="add"); D.add_node("y", op="mul")
D.add_edge("x1", "u1", key=0); D.add_edge("x2", "u1", key=1)
D.add_edge("x1", "u2", key=0); D.add_edge("x2", "u2", key=1)
D.add_edge("u1", "u3", key=0); D.add_edge("u2", "u3", key=1)
D.add_edge("u1", "y", key=0); D.add_edge("u3", "y", key=1)
ex = circuits.Circuit.from_networkx(D, outputs={"y": "y"})
print(ex, ex.evaluate(x1=1, x2=2), "expected", (1 + 2 + 1*2) * (1 + 2))
'''),
    md('''
The node-level builder API does the same with integer node ids
(`input_node`, `gate`, `output_node`), which is handy in loops:
'''),
    code('''
nb = circuits.Builder()
x1, x2 = nb.input_node("x1"), nb.input_node("x2")
u1 = nb.gate("add", x1, x2)
u2 = nb.gate("mul", x1, x2)
u3 = nb.gate("add", u1, u2)
nb.output_node("y", nb.gate("mul", u1, u3))
print(nb.build())
'''),
    md('''
## Drawing

`circuits.render` returns a Graphviz drawing that Jupyter shows inline.  Sources
are boxes, gates circles labelled by their operation, weights other than 1 are
written on the wires, and the output is outlined.  This is the sum-of-squares example:
'''),
    code('''
circuits.render(f)
'''),
    md('''
With `values=` every node also shows its value at a point, an
"example evaluation":
'''),
    code('''
circuits.render(library.backprop_example(), values={"x_1": 1, "x_2": 2})
'''),
    md('''
## Rich display

In Jupyter a circuit small enough to draw shows as its drawing (Graphviz SVG);
a larger one as a one-line summary saying how to draw it.  The results of the
analyses, bound checks and gradient checks show as tables with a ✓/✗ verdict.
One cell per kind:
'''),
    code('''
circuits.parse("(x - 3*y)**2 + sin(x*y)")
'''),
    code('''
library.FAMILIES["random"](40)
'''),
    md('''
`collapse=True` draws a large circuit in outline: one box per operation and
level, with the number of gates, and arrows counting the wires.  A 4-16-16-1
tanh network shows its layers:
'''),
    code('''
circuits.render(library.layered_chain([4, 16, 16, 1], "tanh"), collapse=True)
'''),
    code('''
small = circuits.parse("(x - 3*y)**2 + sin(x*y)")
circuits.analyze(small)
'''),
    code('''
circuits.bounds.theorem3(small)
'''),
    code('''
circuits.check_gradient(small, circuits.backward(small), {"x": 0.5, "y": -1.0})
'''),
    code('''
circuits.symbolic_check(small, circuits.backward(small))
'''),
    code('''
circuits.bauer_paths(small, input="x")
'''),
    code('''
circuits.scaling(library.sigma2_fast, [4, 8, 16])
'''),
    md('''
## Your own gate

Every operation is one `circuits.Gate` declaration in the registry
`circuits.GATES`, and every part of the toolkit reads it from there.
`circuits.register_gate` adds one.  `softplus(u) = log(1 + e^u)`, a smooth
relu, needs its value (a `formula` over a namespace `m` of elementary
functions: floats, numpy, sympy and the benchmark peers are derived from it)
and its partial rule, built from registered gates: `d/du softplus(u) = σ(u)`,
a `sigmoid` gate.
'''),
    code('''
softplus = circuits.Gate(
    "softplus", 1, "softplus",
    formula=lambda m, u: m.log(1 + m.exp(u)),
    partial=lambda b, args, out, i: (b.gate("sigmoid", args[0]), 1),
    doc="log(1 + e^u)")
circuits.register_gate(softplus)

s = circuits.parse("softplus(w*x + b)")
print(s, s.evaluate(w=1.0, x=2.0, b=-1.0))
print(circuits.trace(lambda x: circuits.softplus(x) - x.softplus()).evaluate(x=0.5))
'''),
    md('''
It differentiates like any built-in gate, and sympy agrees with every partial:
'''),
    code('''
ds = circuits.backward(s)
print(ds.evaluate(w=1.0, x=2.0, b=-1.0))
print(circuits.symbolic_check(s, ds))
circuits.render(circuits.backward(s, keep_primal=True))
'''),
    md('''
A second registration of the same name, a partial rule that emits a gate the
registry does not have, or a gate without a numeric evaluation is one clear
error:
'''),
    code('''
for bad in (softplus,
            circuits.Gate("bad", 1, "bad", formula=lambda m, u: m.exp(u),
                          partial=lambda b, args, out, i: (b.gate("expm1", args[0]), 1))):
    try:
        circuits.register_gate(bad)
    except circuits.CircuitError as error:
        print("CircuitError:", error)
'''),
    md('''
Next: [02_forward_vs_backward.ipynb](02_forward_vs_backward.ipynb) differentiates
these circuits.
'''),
]


# --------------------------------------------------------------------------
# 02: forward vs backward
# --------------------------------------------------------------------------

NB02 = [
    md('''
# 2. Forward propagation vs backpropagation

Forward propagation and backpropagation turn a circuit $C$ into a
circuit $\\nabla C$ for its partial derivatives.

* **Forward propagation** creates, for every gate $g$ and every input $x$, a
  gate for $\\partial g/\\partial x$ by the chain rule: size
  $\\Theta(n\\cdot(s + w))$ for $n$ inputs, $s$ gates and $w$ wires.
* **Backpropagation** visits the nodes in reverse topological order and builds
  $\\partial y/\\partial z$ for every node $z$ by the chain rule read backwards: at most
  $3w + \\text{nodes}$ extra gates (Baur & Strassen 1983), whatever $n$ is.

We push the same circuits through both, check the values, draw and count them,
and plot their sizes against $n$.
'''),
    SETUP,
    code('''
import sympy
y = library.backprop_example()          # y = (x1 + x2 + x1·x2)(x1 + x2)
fp = circuits.forward(y)
bp = circuits.backward(y)
print(y); print(fp); print(bp)
'''),
    md('''
Both compute the same partials.  Worked out by hand,
$\\partial y/\\partial x_1 = 2x_1 + 2x_2 + 2x_1x_2 + x_2^2$; sympy differentiates
the expression independently:
'''),
    code('''
x1, x2 = sympy.symbols("x_1 x_2")
expr = (x1 + x2 + x1 * x2) * (x1 + x2)
point = {"x_1": 3, "x_2": 5}
subs = {x1: 3, x2: 5}
print("sympy   ", {f"dy/d{v}": int(sympy.diff(expr, v).subs(subs)) for v in (x1, x2)})
print("forward ", fp.evaluate(point))
print("backward", bp.evaluate(point))
'''),
    md('''
## Drawing both

The forward circuit keeps the original gates and adds, for every gate and every
input, the chain rule (5): one product per wire and a sum.  Gates of the
original circuit and derivative gates have different colours.
'''),
    code('''
circuits.render(fp)
'''),
    md('''
The backward circuit is small.  Built with `mirror=True`, every
$\\partial y/\\partial z$ is a gate of its own (a one-wire $+$ where it equals a
scaled or shared value) and `render(..., mirror=True)` places it at the
height mirroring $z$, so the gradient reads as the circuit reflected above
itself, the layout textbooks use to explain the algorithm step by step.
'''),
    code('''
circuits.render(bp)
'''),
    code('''
circuits.render(circuits.backward(y, mirror=True), mirror=True)
'''),
    md('''
`circuits.render_steps` draws those steps, one per vertex in reverse
topological order ($y, u_3, u_2, u_1, x_2, x_1$), each titled by its chain rule
(6) with the gates it adds outlined; all steps share one layout, so they can
be flipped through like slides (`render_steps(y, "step.svg")` writes them).
'''),
    code('''
steps = circuits.render_steps(y)
print("\\n".join(steps.titles))
steps[3]
'''),
    md('''
The same steps, interactive: `circuits.view` shows a page (one self-contained HTML file, no
network) on which the buttons, the slider or the arrow keys walk through the steps; with a
point, hovering a node shows its value, its adjoint and the partials on its wires, and clicking
an input highlights its heaviest gradient paths. `circuits.to_html(y, "steps.html", ...)`
writes the page, to open in any browser.
'''),
    code('''
circuits.view(y, point={"x_1": 1.0, "x_2": 2.0})
'''),
    md('''
## Counting

`circuits.analyze` counts inputs, gates, wires and depth;
`circuits.compare` tabulates a circuit against both gradient circuits (also
after `circuits.simplify`) with the upper bound of `circuits.bounds` for each.
On the sum-of-squares example, backprop followed by simplification gives exactly
the hand-built gradient circuit: three linear forms and one weighted sum per partial.
'''),
    code('''
f = library.figure1()
for name, c in [("f", f), ("forward", circuits.forward(f)), ("backward", circuits.backward(f))]:
    print(f"{name:9s}", circuits.analyze(c))
'''),
    code('''
circuits.compare(f)
'''),
    code('''
circuits.compare(y)
'''),
    md('''
The sum of squares has only $n = 3$ inputs, so the two are close.  The gap opens with
many inputs.  The backpropagation size bound as `circuits.bounds` states it:
'''),
    code('''
from circuits import bounds
print(bounds.theorem3(f))
print(bounds.forward_size(f))
'''),
    md('''
## Gates or operations

`circuits.simplify` keeps the size, counted in gates, small.  Tools such as
CasADi and JAX count *binary operations* instead: a $k$-wire gate is $k - 1$
operations plus one per weight other than $\\pm 1$ (`analyze(c).binary_ops`).
`simplify(c, minimize="ops")` trades gates for operations where that pays: a
weight shared by several wires out of one node is applied once, and the
partials of a long product (the determinant's product of pivots) share prefix
and suffix products.
'''),
    code('''
for name, c in [("sum of squares", f), ("det 8×8", library.determinant(8))]:
    g = circuits.backward(c)
    for mode in ("gates", "ops"):
        a = circuits.analyze(circuits.simplify(g, minimize=mode))
        print(f"{name:9s} minimize={mode!r:8s} {a.s:4d} gates {a.binary_ops:5d} operations")
'''),
    md('''
## Gate counts against $n$

`circuits.scaling` builds a family of circuits of growing size together with
both gradient circuits.  We take σ2 computed in $n + 3$ gates (the
rewriting $\\tfrac12(\\sum x)^2 - \\tfrac12\\sum x^2$) and random circuits with $10n$ gates.  Forward propagation grows like
$n \\cdot s$, i.e. $n^2$ here (slope 2 on a log-log plot); backpropagation like
$s$ (slope 1).
'''),
    code('''
rows = circuits.scaling(library.sigma2_fast, [4, 8, 16, 32, 64])
for r in rows:
    print(r)
'''),
    code('''
circuits.plot_scaling(rows, title="σ2 in n + 3 gates: gate counts against n")
'''),
    md('''
The measured slopes, by a least-squares fit of $\\log(\\text{size})$ against
$\\log n$, here for random circuits with $10n$ gates:
'''),
    code('''
import numpy as np
rand = circuits.scaling(library.FAMILIES["random"], [4, 8, 16, 32])
n = np.log([r["n"] for r in rand])
for key in ("s", "forward", "backward"):
    slope = np.polyfit(n, np.log([r[key] for r in rand]), 1)[0]
    print(f"{key:8s} slope {slope:.1f}")
'''),
    code('''
fig, ax = plt.subplots()
ns = [r["n"] for r in rand]
ax.loglog(ns, [r["s"] for r in rand], "o-", label="circuit s")
ax.loglog(ns, [r["forward"] for r in rand], "s-", label="forward")
ax.loglog(ns, [r["backward"] for r in rand], "^-", label="backward")
ax.loglog(ns, [rand[0]["forward"] * (k / ns[0])**2 for k in ns], "k:", label="slope 2")
ax.loglog(ns, [rand[0]["backward"] * (k / ns[0]) for k in ns], "k--", label="slope 1")
ax.set_xlabel("n (inputs)"); ax.set_ylabel("gates"); ax.set_title("random circuits, 10n gates")
ax.legend();
'''),
    md('''
Next: [03_baur_strassen.ipynb](03_baur_strassen.ipynb) puts the backpropagation size bound to work.
'''),
]


# --------------------------------------------------------------------------
# 03: Baur–Strassen
# --------------------------------------------------------------------------

NB03 = [
    md('''
# 3. Baur–Strassen in practice

The backpropagation size bound says that backpropagation adds at
most $3w + \\text{nodes}$ gates to a circuit: the gradient of a function costs
a constant factor more than the function (Baur & Strassen 1983; Kakade's note puts the factor at 5, "all for the price of one").
Griewank & Walther (2008) extend it to $m$ outputs and $d$ inputs:
$T(g, \\nabla g) \\le C\\gamma (m \\wedge d)\\, T(g)$.

This notebook checks those bounds on every family of the library, then uses
the theorem the way Baur & Strassen do: a circuit for the determinant gives a
circuit for the inverse, and σ2 shows how much a clever circuit saves.
'''),
    SETUP,
    md('''
## The bounds across the library

`circuits.bounds` states each claim with explicit constants and measures it.
`library.FAMILIES` maps a name to a function `size -> circuit`.
'''),
    code('''
from circuits import bounds

sizes = {"lsq": 4, "mlp": 3, "det": 4, "det_faddeev": 3, "chain": 20, "sigma2_naive": 6,
         "sigma2_fast": 6, "random": 4, "sin_dot": 4, "matrix_chain": 2, "rnn": 3,
         "conv1d": 6, "horner": 6}
print(f"{'family':13s} {'n':>3s} {'m':>3s} {'s':>5s}  {'bwd added/bound':>18s}  "
      f"{'fwd size/bound':>15s}  {'jacobian/s bound':>17s}  ok")
all_hold = True
for name, size in sizes.items():
    c = library.FAMILIES[name](size)
    out = list(c.outputs)[0]
    t3 = bounds.theorem3(c, output=out)
    fw = bounds.forward_size(c)
    vb = bounds.vector_bound(c)
    ok = bool(t3) and bool(fw) and bool(vb)
    all_hold &= ok
    print(f"{name:13s} {len(c.inputs):3d} {len(c.outputs):3d} {c.size:5d}  "
          f"{t3.measured:8d}/{t3.bound:<9d}  {fw.measured:6d}/{fw.bound:<8d}  "
          f"{vb.measured:7.2f}/{vb.bound:<9.2f}  {'yes' if ok else 'NO'}")
print("every bound holds:", all_hold)
assert all_hold
'''),
    md('''
The "cheap gradient" ratio (Baur & Strassen 1983): evaluating $f$ and $\\nabla f$ together
against evaluating $f$ alone, with every gate at unit cost.  Gates whose
derivative needs more gates than the gate itself (σ, tanh) make the ratio of
small circuits exceed the constant 5: the theorem assumes a derivative costs about
as much as the function.  `details["theorem3_ratio"]` is what the backpropagation
size bound guarantees.
'''),
    code('''
for name in ("lsq", "det", "sigma2_fast", "mlp", "chain"):
    c = library.FAMILIES[name](sizes[name])
    r = bounds.cheap_gradient(c, output=list(c.outputs)[0])
    print(f"{name:12s} ratio {r.measured:5.2f}  (price of one: ≤ {r.bound}, size bound: ≤ {r.details['theorem3_ratio']:.2f})")
'''),
    md('''
## DET → INV

By Cramer's rule, $\\partial \\mathrm{DET}(X)/\\partial X_{ij}$ is the $(i, j)$
cofactor, so $\\mathrm{INV}(X) = \\nabla\\mathrm{DET}(X)^{\\mathsf T} / \\mathrm{DET}(X)$
(often written $\\nabla\\mathrm{DET}/\\mathrm{DET}$; the transpose is invisible
for symmetric matrices).  `library.inverse_from_determinant(n)` builds the
determinant by Gaussian elimination (with division gates), runs backpropagation
on it and adds $n^2$ divisions.  Any size-$s$ circuit for DET thus gives a
size-$O(s)$ circuit for INV.
'''),
    code('''
import numpy as np

rng = np.random.default_rng(1)
n = 4
A = rng.normal(size=(n, n)) + n * np.eye(n)          # well conditioned, nonzero pivots
inv = library.inverse_from_determinant(n)
got = library.as_matrix(inv.evaluate(library.matrix_values("X", A)), "INV", n, n)
print(np.round(got, 4))
print("max |INV - numpy.linalg.inv| =", f"{np.abs(got - np.linalg.inv(A)).max():.0e}")
det = library.determinant(n)
print("DET:", round(det.evaluate(library.matrix_values("X", A))["DET"], 6),
      " numpy:", round(float(np.linalg.det(A)), 6))
'''),
    md('''
The sizes: the inverse stays within a constant factor of the determinant as
$n$ grows (both $\\Theta(n^3)$ with Gaussian elimination).
'''),
    code('''
ns = [2, 3, 4, 6, 8, 10]
det_sizes = [library.determinant(k).size for k in ns]
inv_sizes = [library.inverse_from_determinant(k).size for k in ns]
for k, d, i in zip(ns, det_sizes, inv_sizes):
    print(f"n={k:2d}  DET {d:5d} gates   INV {i:6d} gates   INV/DET {i / d:4.1f}")
fig, ax = plt.subplots()
ax.loglog(ns, det_sizes, "o-", label="DET (Gaussian elimination)")
ax.loglog(ns, inv_sizes, "s-", label="INV = ∇DETᵀ / DET")
ax.loglog(ns, [det_sizes[-1] * (k / ns[-1])**3 for k in ns], "k:", label="slope 3")
ax.set_xlabel("n"); ax.set_ylabel("gates"); ax.legend();
'''),
    md('''
Division-free determinants exist too (`method="laplace"` builds each minor
once, `method="faddeev"` uses the Faddeev–LeVerrier recurrence); all agree with
numpy.
'''),
    code('''
B = rng.normal(size=(3, 3))
vals = library.matrix_values("X", B)
for method in library.DETERMINANT_METHODS:
    c = library.determinant(3, method)
    print(f"{method:8s} size {c.size:3d}  DET = {c.evaluate(vals)['DET']:.6f}")
print(f"numpy             DET = {np.linalg.det(B):.6f}")
'''),
    md('''
## σ2: a quadratic circuit and a linear one

$\\sigma_2(x_1, \\dots, x_n) = \\sum_{i<j} x_i x_j$ written out takes
$\\binom{n}{2} + 1$ gates; rewritten as
$\\tfrac12 (x_1 + \\dots + x_n)^2 - \\tfrac12 (x_1^2 + \\dots + x_n^2)$ it takes
$n + 3$.  Both compute the same polynomial, and the gradient of each costs a
constant factor more than the circuit it comes from:
$\\partial\\sigma_2/\\partial x_i = (x_1 + \\dots + x_n) - x_i$.
'''),
    code('''
import sympy
n = 5
naive, fast = library.sigma2_naive(n), library.sigma2_fast(n)
xs = sympy.symbols(f"x_1:{n + 1}")
point = {f"x_{i + 1}": sympy.Integer(i + 2) for i in range(n)}     # exact
print("naive:", naive, "\\nfast: ", fast)
print("same polynomial:",
      sympy.expand(circuits.to_sympy(naive)["sigma2"] - circuits.to_sympy(fast)["sigma2"]) == 0)
S = sum(point.values())
for c in (naive, fast):
    g = circuits.backward(c).evaluate(point)
    print([g[f"dsigma2/dx_{i + 1}"] for i in range(n)], " expected", [S - point[f"x_{i + 1}"] for i in range(n)])
'''),
    code('''
ns = [4, 8, 16, 32, 64]
table = {"naive": [], "fast": [], "∇ naive": [], "∇ fast": []}
for k in ns:
    a, b = library.sigma2_naive(k), library.sigma2_fast(k)
    table["naive"].append(a.size); table["fast"].append(b.size)
    table["∇ naive"].append(circuits.backward(a).size); table["∇ fast"].append(circuits.backward(b).size)
for key, vals in table.items():
    print(f"{key:8s}", vals)
fig, ax = plt.subplots()
for (key, vals), style in zip(table.items(), ["o-", "s-", "o--", "s--"]):
    ax.loglog(ns, vals, style, label=key)
ax.set_xlabel("n"); ax.set_ylabel("gates"); ax.set_title("σ2 and its gradient"); ax.legend();
'''),
    md('''
Next: [04_training_with_backprop.ipynb](04_training_with_backprop.ipynb) uses
gradient circuits to train models.
'''),
]


# --------------------------------------------------------------------------
# 04: training
# --------------------------------------------------------------------------

NB04 = [
    md('''
# 4. Training with backprop

Gradient descent needs the gradient of the loss at many points.  A gradient
circuit is built once, compiled once to straight-line Python, and then called
at every step.  `circuits.backward(c, keep_primal=True)` keeps the loss as an
output next to its partials, so one call gives both.

We train a perceptron on a small table of students and a
small multi-layer perceptron (Rumelhart, Hinton & Williams 1986), and check the gradients against central finite
differences.
'''),
    SETUP,
    md('''
## The perceptron of the students' table

Will a student get an A?  From homework average $x_1$, project grade $x_2$ and
weekly hours $x_3$ the perceptron estimates
$\\sigma(w_0 + w_1 x_1 + w_2 x_2 + w_3 x_3)$ with the logistic σ; the loss is
the sum of the squared errors over the table.  The weights are the circuit's
inputs, the data its constants.
'''),
    code('''
for row in library.STUDENTS:
    print(row)
loss = library.perceptron()
print(loss)
circuits.render(loss)
'''),
    code('''
grad = circuits.backward(loss, keep_primal=True)
step = circuits.compile(grad)
print(list(grad.outputs))
print(step(w0=0.0, w1=0.0, w2=0.0, w3=0.0))
'''),
    md('''
Before using it, check the gradient circuit against central finite differences
of the loss circuit (Wolfe 1982 recommends this check):
'''),
    code('''
report = circuits.check_gradient(loss, grad, {"w0": 0.1, "w1": -0.02, "w2": 0.03, "w3": 0.05})
print(report)
assert report
'''),
    code('''
w = {"w0": 0.0, "w1": 0.0, "w2": 0.0, "w3": 0.0}
rate = 1e-3
history = []
for it in range(2000):
    out = step(**w)
    history.append(out["f"])
    for k in w:
        w[k] -= rate * out[f"df/d{k}"]
print("loss", round(history[0], 4), "->", round(history[-1], 4))
print({k: round(v, 3) for k, v in w.items()})
'''),
    code('''
from circuits import sigmoid
for name, *xs, label in library.STUDENTS:
    p = sigmoid(w["w0"] + sum(w[f"w{i + 1}"] * x for i, x in enumerate(xs)))
    print(f"{name:8s} A? {'yes' if label else 'no ':3s}  predicted {p:.2f}")
fig, ax = plt.subplots()
ax.semilogy(history)
ax.set_xlabel("step"); ax.set_ylabel("loss"); ax.set_title("perceptron, gradient descent");
'''),
    md('''
## A small MLP on XOR

`library.mlp([2, 4, 1], ...)` is the square loss
$\\tfrac12 \\sum_k \\|f(x_k, \\theta) - y_k\\|^2$ of a network with a tanh hidden
layer of width 4 and a σ output, with the four XOR points built in as
constants: its inputs are the 17 weights and biases.  No perceptron can learn
XOR; one hidden layer can.
'''),
    code('''
import numpy as np
X, Y = [[0, 0], [0, 1], [1, 0], [1, 1]], [0, 1, 1, 0]
net_loss = library.mlp([2, 4, 1], activation="tanh", output_activation="sigmoid", data=(X, Y))
net_grad = circuits.backward(net_loss, keep_primal=True)
net_step = circuits.compile(net_grad)
params = list(net_loss.inputs)
print(net_loss)
print(net_grad)
print(params)
'''),
    code('''
rng = np.random.default_rng(0)
theta = dict(zip(params, rng.normal(0.0, 1.0, len(params))))
print(circuits.check_gradient(net_loss, net_grad, theta))
'''),
    code('''
losses = []
for it in range(1500):
    out = net_step(**theta)
    losses.append(out["loss"])
    for k in params:
        theta[k] -= 1.0 * out[f"dloss/d{k}"]
print("loss", round(losses[0], 4), "->", round(losses[-1], 5))
predict = library.mlp([2, 4, 1], activation="tanh", output_activation="sigmoid", loss=None, data=(X, None))
print({k: round(v, 2) for k, v in predict.evaluate(theta).items()}, "targets", Y)
fig, ax = plt.subplots()
ax.semilogy(losses)
ax.set_xlabel("step"); ax.set_ylabel("loss"); ax.set_title("MLP [2, 4, 1] on XOR");
'''),
    md('''
## Why backprop and not finite differences

Finite differences need two evaluations of the loss per parameter (central
differences), so their cost grows with the number of parameters; the backward
circuit costs a constant factor times one evaluation (Baur & Strassen 1983).  In gate
counts, for MLPs of growing width on one data point:
'''),
    code('''
print(f"{'width':>5s} {'params':>6s} {'loss s':>7s} {'loss+∇ s':>9s} {'ratio':>5s} {'FD gates 2·p·s':>15s}")
for width in (2, 4, 8, 16):
    c = library.mlp([width, width, 1])
    p = sum(1 for name in c.inputs if name[0] in "Wb")
    g = circuits.backward(c, keep_primal=True, output="loss")
    print(f"{width:5d} {p:6d} {c.size:7d} {g.size:9d} {g.size / c.size:5.1f} {2 * p * c.size:15d}")
'''),
    md('''
Next: [05_beyond_the_gradient.ipynb](05_beyond_the_gradient.ipynb).
'''),
]


# --------------------------------------------------------------------------
# 05: beyond the gradient
# --------------------------------------------------------------------------

NB05 = [
    md('''
# 5. Beyond the gradient

The same two sweeps give more than gradients (Griewank & Walther 2008):
Jacobian-vector products (forward, one direction), vector-Jacobian products
(reverse, one combination of outputs), whole Jacobians with the cheaper of the
two modes, Hessian-vector products (Pearlmutter), all partials of order $k$,
and Bauer's formula that explains what both
sweeps are computing.
'''),
    SETUP,
    md('''
## JVP and VJP

For $g: \\mathbb R^d \\to \\mathbb R^m$, the JVP circuit computes $\\nabla g \\cdot v$
in one forward sweep, the VJP circuit $w \\cdot \\nabla g$ in one reverse sweep;
each is $O(s + w)$ gates.  The tangents $v$ (named `x_dot`) and cotangents $w$
(named `f_bar`) are new inputs.  Checked against the Jacobian sympy computes:
'''),
    code('''
import sympy
g = circuits.parse(["x * sin(y)", "exp(x - y) + x*y"], name="g")
print(g)
J_sym = sympy.Matrix([[sympy.diff(e, s) for s in sympy.symbols("x y")]
                      for e in circuits.to_sympy(g).values()])
print("Jacobian (sympy):", J_sym)
'''),
    code('''
at = {"x": 0.5, "y": 2.0}
J = J_sym.subs({sympy.Symbol("x"): 0.5, sympy.Symbol("y"): 2.0})

jv = circuits.jvp(g)
print(jv)
print("JVP circuit", {k: round(v, 10) for k, v in jv.evaluate(at, x_dot=1.0, y_dot=-3.0).items()})
print("J·v (sympy)", [round(float(e), 10) for e in J * sympy.Matrix([1.0, -3.0])])

vj = circuits.vjp(g)
print(vj)
print("VJP circuit", {k: round(v, 10) for k, v in vj.evaluate(at, g0_bar=2.0, g1_bar=0.5).items()})
print("w·J (sympy)", [round(float(e), 10) for e in sympy.Matrix([[2.0, 0.5]]) * J])
'''),
    md('''
## Jacobians and the $m \\wedge d$ choice

A full Jacobian takes $d$ forward sweeps (one per input) or $m$ reverse sweeps
(one per output): $T(g, \\nabla g) \\le C\\gamma(m \\wedge d)\\,T(g)$.
`jacobian(mode="forward")` and `jacobian(mode="reverse")` build exactly these
sweeps; `jacobian(mode="auto")` goes further and builds the vertex-elimination order
with the fewest counted multiplications (notebook 06).  To see the
difference, take $d$ inputs summed into $h$, eight layers $h \\leftarrow
\\tanh(h)\\cdot h$, and $m$ outputs $\\sin(h + j)$: every sweep pays for the
eight layers once.
'''),
    code('''
def deep(d, m, layers=8):
    b = circuits.Builder()
    xs = b.inputs([f"x_{i + 1}" for i in range(d)])
    h = circuits.sum_of(xs)
    for _ in range(layers):
        h = circuits.tanh(h) * h
    for j in range(m):
        b.output(f"f_{j + 1}", circuits.sin(h + j))
    return b.build()

print(f"{'d':>3s} {'m':>3s} {'s':>4s} {'forward':>8s} {'reverse':>8s} {'auto':>5s}")
for d, m in [(1, 16), (2, 16), (16, 16), (16, 2), (16, 1)]:
    c = deep(d, m)
    sizes = {mode: circuits.jacobian(c, mode=mode).size for mode in ("forward", "reverse", "auto")}
    print(f"{d:3d} {m:3d} {c.size:4d} {sizes['forward']:8d} {sizes['reverse']:8d} {sizes['auto']:5d}")
'''),
    md('''
The $m \\wedge d$ factor cannot be avoided in general.  The tightness
example (Griewank 2012) $f(x) = \\sin(w^{\\mathsf T}x)\\,b$ (`library.sin_dot`) costs $O(d + m)$
gates, but its Jacobian $b \\cos(w^{\\mathsf T}x)\\, w^{\\mathsf T}$ has $d \\cdot m$
entries, so both modes need about $d \\cdot m$ gates:
'''),
    code('''
for d, m in [(4, 4), (8, 8), (16, 16)]:
    c = library.sin_dot(d, m)
    print(f"d = m = {d:2d}: circuit {c.size:3d} gates, Jacobian forward {circuits.jacobian(c, mode='forward').size:4d}, "
          f"reverse {circuits.jacobian(c, mode='reverse').size:4d}")
'''),
    code('''
import numpy as np
c = library.sin_dot(3, 2, w=[1, 2, 3], b=[2, -1])
x = {"x_1": 0.3, "x_2": -0.2, "x_3": 0.1}
jac = circuits.jacobian(c).evaluate(x)
reference = np.outer([2, -1], np.cos(0.3 - 0.4 + 0.3) * np.array([1, 2, 3]))   # b·cos(wᵀx)·wᵀ
print(np.allclose([[jac[f"df_{i}/dx_{j}"] for j in (1, 2, 3)] for i in (1, 2)], reference))
'''),
    md('''
## Hessian-vector products and Hessians

`circuits.hvp` is forward-over-reverse: a JVP of the backward circuit, so
$\\nabla^2 f \\cdot v$ costs $O(s + w)$ gates, a constant times the function
(Møller 1993, Pearlmutter 1994).  `circuits.hessian` builds
all $n^2$ second partials.  Here on the exercise function,
checked against `sympy.hessian`:
'''),
    code('''
f = library.exercise()
print(f, list(f.inputs))
names = list(f.inputs)
syms = sympy.symbols(names)
H_sym = sympy.hessian(circuits.to_sympy(f)[list(f.outputs)[0]], syms)
at = {"x": 0.5, "y": 1.5, "z": 2.0, "v": 3.0}
H_ref = np.array(H_sym.subs(dict(zip(syms, at.values()))).evalf(), dtype=float)

hv = circuits.hvp(f)
direction = {f"{k}_dot": val for k, val in zip(names, [1.0, 0.0, -1.0, 2.0])}
got = np.array(list(hv.evaluate(at, **direction).values()))
print("Hv circuit:", hv.size, "gates;  matches sympy:", np.allclose(got, H_ref @ [1.0, 0.0, -1.0, 2.0]))

H = circuits.hessian(f)
got = np.array(list(H.evaluate(at).values())).reshape(4, 4)
print("Hessian circuit:", H.size, "gates;  matches sympy:", np.allclose(got, H_ref))
'''),
    md('''
## Higher orders

`circuits.derivative(c, order=k)` applies backpropagation $k$ times; each pass
differentiates every output of the previous one, so the $k$-th pass makes
$n^{k-1}$ sweeps and the size grows as $O(n^{k-1})$ times the circuit.
For $f = \\exp(x_1^2 + \\dots + x_n^2)$, where every partial of every order is
nonzero:
'''),
    code('''
ns = [2, 4, 8, 16]
sizes = {k: [] for k in (1, 2, 3)}
for n in ns:
    c = circuits.parse("exp(" + " + ".join(f"x{i}**2" for i in range(n)) + ")")
    for k in sizes:
        sizes[k].append(circuits.derivative(c, order=k).size)
for k, vals in sizes.items():
    slope = np.polyfit(np.log(ns), np.log(vals), 1)[0]
    print(f"order {k}: sizes {vals}, log-log slope {slope:.1f}")
fig, ax = plt.subplots()
for k, vals in sizes.items():
    ax.loglog(ns, vals, "o-", label=f"order {k}")
ax.set_xlabel("n"); ax.set_ylabel("gates"); ax.set_title("all k-th order partials of exp(Σ xᵢ²)"); ax.legend();
'''),
    md('''
A spot check of order 3 against sympy, for $n = 2$:
'''),
    code('''
c = circuits.parse("exp(x0**2 + x1**2)")
d3 = circuits.derivative(c, order=3).evaluate(x0=0.3, x1=-0.4)
x0, x1 = sympy.symbols("x0 x1")
ref = sympy.diff(sympy.exp(x0**2 + x1**2), x0, x0, x1).subs({x0: 0.3, x1: -0.4})
print(list(d3)[:3], "...")
print(round(d3["d3f/dx0dx0dx1"], 10), round(float(ref), 10))
'''),
    md('''
## Bauer's path formula, and why nobody uses it directly

Label every wire $u \\to g$ with the local partial $\\partial_u[g]$.  Then
$\\partial y/\\partial x$ is the sum, over all directed paths from $x$ to $y$,
of the product of the labels along the path (Bauer 1974).
The worked example has three paths from $x_1$ to $y$:
'''),
    code('''
y = library.backprop_example()
r = circuits.bauer_paths(y, input="x_1")
print(r)
print("expanded:", sympy.expand(r.value))
'''),
    md('''
The number of paths can grow exponentially with the depth.  On a *ladder*,
each rung computes $u_k = u_{k-1} + v_{k-1}$ and $v_k = u_{k-1} \\cdot v_{k-1}$:
two gates per rung, and the number of paths doubles at every rung.
Backpropagation is the dynamic program that shares the common path prefixes:
its circuit grows linearly.
'''),
    code('''
def ladder(depth):
    b = circuits.Builder()
    u = v = b.input_node("x")
    for _ in range(depth):
        u, v = b.gate("add", u, v), b.gate("mul", u, v)
    b.output_node("f", u)
    return b.build()

circuits.render(ladder(3))
'''),
    code('''
depths = [2, 4, 6, 8, 10, 12]
paths, back = [], []
for k in depths:
    c = ladder(k)
    r = circuits.bauer_paths(c, point={"x": 0.5})
    bp = circuits.backward(c)
    assert abs(r.value - bp.evaluate(x=0.5)["df/dx"]) <= 1e-9 * max(1.0, abs(r.value))
    paths.append(r.paths); back.append(bp.size)
print("depth   ", depths)
print("paths   ", paths)
print("backward", back)
fig, ax = plt.subplots()
ax.semilogy(depths, paths, "o-", label="Bauer paths x → f")
ax.semilogy(depths, back, "s-", label="gates of backward(c)")
ax.set_xlabel("rungs"); ax.legend(); ax.set_title("paths explode, backprop does not");
'''),
    md('''
Past `max_paths` the formula refuses to enumerate, but still reports the count
(computed by the same dynamic programming that backpropagation performs):
'''),
    code('''
try:
    circuits.bauer_paths(ladder(40), point={"x": 0.5})
except circuits.CircuitError as error:
    print(error)
print(circuits.backward(ladder(40)).size, "gates for the whole gradient")
'''),
]


# --------------------------------------------------------------------------
# 06: Jacobian accumulation
# --------------------------------------------------------------------------

NB06 = [
    md('''
# Jacobian accumulation: forward, reverse, Markowitz and the optimum

Bauer (1974) labels every edge $j \\to k$ of the
computational graph with the local partial $c_{kj} = \\partial_j[k]$; then
$\\partial y / \\partial x$ is Bauer's sum over the paths from $x$ to $y$ of the products of
the labels, forward and reverse mode are two dynamic programmes for it, and finding the
cheapest one is NP-hard (Naumann 2008).

**Vertex elimination** (Griewank and Walther, *Evaluating Derivatives*, 2nd ed., 2008,
chapters 9 and 10) covers them all.  Eliminating an intermediate vertex $j$ does, for every
predecessor $i$ and successor $k$,
$$c_{ki} \\leftarrow c_{ki} + c_{kj}\\,c_{ji} \\qquad\\text{(a new "fill-in" edge when } c_{ki}
\\text{ was absent)}$$
and deletes $j$.  When only inputs and outputs are left, the edges are the Jacobian.
Increasing order is the forward mode, decreasing the reverse mode, anything else is
"cross-country".

`circuits.eliminate(circuit, order)` does this on the circuit's linearized graph and
returns the Jacobian **as a circuit**, with the counts: a *multiplication* is a product of
two partials that are both non-constant (one `×` gate); a product by a constant (a `+`
weight, the 2 of $d(u^2)/du$) folds into a wire weight and is free; an *addition* is one
`+` gate.  When no partial is constant, eliminating $j$ costs its Markowitz degree
$|P(j)|\\cdot|S(j)|$.
'''),
    SETUP,
    md('''
## Speelpenning's product

$f(x) = x_1 x_2 \\cdots x_n$ as a chain of binary products, Griewank and Walther's
standard example: forward elimination costs $n(n-1)/2 - 1$ multiplications, reverse
elimination $2(n-2)$.  For $n = 10$: 44 and 16.  Markowitz (smallest $|P|\\cdot|S|$ first,
ties to the lowest vertex) starts at the bottom of the chain, where every degree is 2, and
pays for it; its relative variant ($|P||S| - |X(j)||Y(j)|$, as in ANGEL) and the exact
optimum (dynamic programming over the subsets of intermediate vertices) find the reverse
order's cost.
'''),
    code('''
f = library.speelpenning(10)
for n in (4, 10, 16):
    e_f = circuits.eliminate(library.speelpenning(n), "forward")
    e_r = circuits.eliminate(library.speelpenning(n), "reverse")
    print(f"n = {n:2d}: forward {e_f.multiplications:3d} = n(n-1)/2 - 1 = {n * (n - 1) // 2 - 1:3d};  "
          f"reverse {e_r.multiplications:2d} = 2(n-2) = {2 * (n - 2)}")
circuits.compare_orders(f)
'''),
    md('''
`render_elimination` draws each step: edge labels are the partials (here as numbers at
$x = (1, 2, 3, 4)$), the eliminated vertex is dashed red with the edges it had, fill-in
edges are orange and updated edges blue.  Forward elimination of $x_1 x_2 x_3 x_4$:
$v_4 = x_1 x_2$ goes first and hands $x_1$ and $x_2$ to $v_5$ (2 multiplications), then
$v_5$ hands three inputs to the output (3 more):
'''),
    code('''
from IPython.display import display
point = {"x_1": 1, "x_2": 2, "x_3": 3, "x_4": 4}
for frame in circuits.render_elimination(library.speelpenning(4), "forward", point=point):
    display(frame)
'''),
    md('''
Reverse elimination takes $v_5$ first: its only successor is the output, so each step
costs the number of its predecessors, 2.  Without a point the labels are the symbolic
partials, products and sums of the circuit's nodes:
'''),
    code('''
for frame in circuits.render_elimination(library.speelpenning(4), "reverse"):
    display(frame)
'''),
    md('''
## The tightness example $\\sin(w^{\\mathsf T}x)\\,b$

The tightness example (Griewank 2012) has $d + m$ gates and a Jacobian $b\\cos(w^{\\mathsf T}x)w^{\\mathsf T}$
with $d\\cdot m$ entries.  With $w$ and $b$ fixed, every partial except $\\cos(w^{\\mathsf T}x)$
is a constant, so no order needs a single multiplication of two varying partials: every
entry is $\\cos(w^{\\mathsf T}x)$ times the constant $w_i b_j$ (one *scaling* each), the
$d\\cdot m$ that no order can avoid.
'''),
    code('''
c = library.sin_dot(4, 4)
e = circuits.eliminate(c, "optimal")
print(f"{e.multiplications} multiplications, {e.additions} additions, {e.scalings} scalings "
      f"for a {len(c.outputs)} x {len(c.inputs)} Jacobian")
circuits.compare_orders(c)
'''),
    md('''
Inside a network the choice matters.  Take $w$ and $b$ as variables (a layer's weights,
inputs of the circuit) and put a $\\tanh$ layer before and an $\\exp$ after:
$f_j(x) = \\exp\\big(b_j \\sin(\\textstyle\\sum_i w_i \\tanh x_i)\\big)$, differentiated with
respect to $x$ only (`wrt`).  Now the partials $w_i$, $b_j$, $1 - \\tanh^2 x_i$ and
$\\exp(\\cdot)$ all vary.  Forward elimination drags $d$ columns through the output side,
reverse drags $m$ rows through the input side; the optimum eliminates the input side
towards the bottleneck $\\sin$ and the output side away from it, and pays $d\\cdot m$ only
once, at the bottleneck.  Neither forward nor reverse is best; Markowitz finds the optimum.
'''),
    code('''
def remark_12_8_in_a_network(d, m):
    b = circuits.Builder()
    x = b.inputs([f"x_{i}" for i in range(1, d + 1)])
    w = b.inputs([f"w_{i}" for i in range(1, d + 1)])
    beta = b.inputs([f"b_{j}" for j in range(1, m + 1)])
    s = circuits.sin(circuits.sum_of([wi * circuits.tanh(xi) for wi, xi in zip(w, x)]))
    for j in range(m):
        b.output(f"f_{j + 1}", circuits.exp(s * beta[j]))
    return b.build()

net = remark_12_8_in_a_network(4, 4)
xs = [f"x_{i}" for i in range(1, 5)]
circuits.compare_orders(net, wrt=xs)
'''),
    code('''
import random
rng = random.Random(0)
at = {name: rng.uniform(-1, 1) for name in net.inputs}
best = circuits.eliminate(net, "optimal", wrt=xs)
reference = circuits.backward(net).evaluate(at)
print("optimal order:", best.order)
print("same Jacobian as backward:",
      all(abs(v - reference[k]) < 1e-12 for k, v in best.jacobian.evaluate(at).items()))
'''),
    md('''
## A graph where Markowitz loses to reverse, and neither is optimal

Six product gates computing $x_1^{10} - 2x_1^8x_2^2$: $a = x_1x_1$, $p = aaa$,
$q = pa$, $r = qa$, $t = x_2x_2q$, $f = r - 2t$.  Markowitz's greedy choice is worse than
the reverse order, and the optimum (found by the dynamic programme, checked against all
$5! = 120$ orders in the tests) beats both.
'''),
    code('''
b = circuits.Builder()
x1, x2 = b.input_node("x_1"), b.input_node("x_2")
a = b.gate("mul", x1, x1)
p = b.gate("mul", a, a, a)
q = b.gate("mul", p, a)
r = b.gate("mul", q, a)
t = b.gate("mul", x2, x2, q)
b.output_node("f", b.gate("add", t, r, weights=(-2, 1)))
g = b.build()
print(circuits.to_sympy(g))
for order in ("markowitz", "reverse", "optimal"):
    e = circuits.eliminate(g, order)
    print(f"{order:10s} order {e.order}: {e.multiplications} multiplications, "
          f"per step {[s.multiplications for s in e.steps]}")
circuits.compare_orders(g)
'''),
    code('''
circuits.render_elimination(g, "optimal")[0]     # the linearized graph the orders work on
'''),
    md('''
## The matrix chain

A chain of dense layers $h \\leftarrow W h$ of widths $(30, 35, 15, 5, 10, 20, 25)$, with
the weights as inputs too, differentiated with respect to $x$ (`wrt`): its Jacobian is the
product $W_6 \\cdots W_1$ of six matrices of variables.  Eliminating the products
$w \\cdot h$ is free (their partial into the sum is 1), and eliminating a whole layer of
width $d_k$ between layers of widths $d_{k-1}$ and $d_{k+1}$ then costs
$d_{k-1} d_k d_{k+1}$ multiplications: one matrix product.  So the layer orders are the
bracketings of the matrix-chain problem, and `library.matrix_chain_order` gives the best one: 15,125
multiplications (the classic answer, Cormen et al. §15.2), against 40,500 from the left and
47,500 from the right.
'''),
    code('''
dims = (30, 35, 15, 5, 10, 20, 25)
chain = library.layered_chain(dims)          # meta["layers"]: node ids of each layer's units
xs = [f"x_{i}" for i in range(1, dims[0] + 1)]

def layer_order(circuit, tree):
    """The free products first, then whole layers in the post-order of the bracketing."""
    layers = circuit.meta["layers"]
    units = {v for layer in layers for v in layer}
    order = [v for v in circuits.intermediate_vertices(circuit, wrt=xs) if v not in units]
    stack, spans = [(tree, False)], []
    while stack:
        node, done = stack.pop()
        if isinstance(node, int):
            spans.append((node, node))
        elif done:
            right, left = spans.pop(), spans.pop()
            order.extend(layers[left[1]])     # the layer between matrices left[1] and left[1] + 1
            spans.append((left[0], right[1]))
        else:
            stack += [(node, True), (node[1], False), (node[0], False)]
    return order

for how in ("left", "right", "optimal"):
    tree, cost = library.matrix_chain_order(dims, how)
    e = circuits.eliminate(chain, layer_order(chain, tree), wrt=xs)
    print(f"{how:8s} {str(tree):32s} matrix_chain_order {cost:6,d}   eliminate {e.multiplications:6,d}")
'''),
    md('''
Vertex by vertex, the orders do not know about layers, yet increasing node ids multiply
from the left (40,500), decreasing ones from the right (47,500), and Markowitz's greedy
choice lands on the best bracketing's 15,125.  The exact optimum would have to search
$2^{|Z|}$ subsets here, far too many:
'''),
    code('''
circuits.compare_orders(chain, wrt=xs)
'''),
    md('''
## `jacobian(mode="auto")` and the limits of the optimum

`circuits.jacobian(c)` counts the heuristics (and, on small graphs, the optimum) without
building anything, each count stopping once it exceeds the best so far, and builds the
cheapest.  The exact optimum visits all subsets of the intermediate vertices, so it refuses
large graphs and says what to do instead:
'''),
    code('''
for name, c, wrt in [("speelpenning(10)", f, None), ("network", net, None),
                     ("six products", g, None), ("chain", chain, xs)]:
    print(f"{name:18s} auto picks {circuits.cheapest_order(c, wrt=wrt)}")
try:
    circuits.eliminate(chain, "optimal", wrt=xs)
except circuits.CircuitError as error:
    print(error)
'''),
    md('''
## Two ways of counting, and searching beyond the heuristics

`count="circuit"` (the default) counts the gates the Jacobian circuit gets: a product by a
constant partial (a weight, the ±1 of a difference, a constant factor of `×` or `÷`) is a wire
weight and costs nothing.  Published tables count every scalar product: `count="all"`, where
eliminating a vertex costs its Markowitz degree.  AlphaGrad (Lohoff and Neftci 2024) learned
elimination orders by reinforcement learning for five scalar functions, which
`circuits.library.alphagrad` translates one gate per JAX primitive.  In the `"all"` count the
package's forward, reverse and Markowitz orders cost exactly the paper's baselines, and
`order="search"` (beam search over sets of eliminated vertices, seeded by the heuristics)
looks for cheaper orders within a time budget (here one second per function and count; what
it finds in a second depends on the machine, so only its guarantee is printed):
'''),
    code('''
from circuits.library import alphagrad
heuristics = ("forward", "reverse", "markowitz", "relative_markowitz")
print(f"{'function':18s} {'count':8s}" + "".join(f"{h[:14]:>15s}" for h in heuristics)
      + f"{'AlphaGrad':>11s}  search (1 s) no worse")
for count in ("all", "circuit"):
    for name, published in alphagrad.PUBLISHED.items():
        c = alphagrad.circuit(name)
        costs = circuits.order_costs(c, heuristics, count=count)
        found = circuits.eliminate(c, "search", count=count, budget=1.0, seed=0).multiplications
        # what a timed search finds depends on the machine's speed: its numbers are the benchmark's
        print(f"{name:18s} {count:8s}" + "".join(f"{costs[h][0]:15d}" for h in heuristics)
              + f"{published['alphagrad'] if count == 'all' else '—':>11}  {found <= min(v[0] for v in costs.values())}")
'''),
    md('''
With a minute per function (`python -m benchmarks --elimination --budget 60 --seed 0`, two
shared cores), the search matches AlphaGrad's learned orders on two functions and beats them
on three; the benchmark's results:
'''),
    code('''
import json
with open("../benchmarks/results/alphagrad.json") as fh:
    bench = json.load(fh)
for row in bench["rows"]:
    if row["count"] == "all":
        print(f"{row['function']:18s} search {row['search']:4d}   AlphaGrad {row['alphagrad']:4d}   "
              f"margin {row['search'] - row['alphagrad']:+d}   ({row['budget_s']:g} s, seed {row['seed']})")
'''),
    md('''
## Edge elimination

`kind="edge"` eliminates one edge at a time (Naumann 2004): a *front* elimination of `i → j`
multiplies it into every out-edge of `j`, a *back* elimination of `j → k` into every in-edge of
`j`.  Every vertex order is an edge order of the same cost, so the best edge order is never worse
than the best vertex order; `"optimal"` searches every edge order on small graphs:
'''),
    code('''
small = circuits.library.random_circuit(2, 7, n_outputs=2, seed=3)
for count in ("circuit", "all"):
    print(count, {kind: circuits.eliminate(small, "optimal", kind=kind, count=count).cost
                  for kind in ("vertex", "edge")})
e = circuits.eliminate(small, "markowitz", kind="edge")
print(e)
print(e.order[:4])
frames = circuits.render_elimination(small, "markowitz", kind="edge")
frames[1]
'''),
    md('''
### Strictly cheaper

On some graphs no vertex order reaches the best edge order (Naumann 2004). The smallest we
know of has one input, three intermediate vertices and three outputs: every vertex order needs
at least 7 multiplications, the best edge order 6.  Eliminating the edge $u_2 \\to u_3$ backwards
first folds it into $u_1 \\to u_3$, so $u_2$ is later eliminated with one successor fewer
(node ids: $x = 0$, $u_1, u_2, u_3 = 1, 2, 3$, the outputs $a, b, c = 4, 5, 6$):
'''),
    code('''
b = circuits.Builder()
x = b.input("x")
u1 = circuits.sin(x)
u2 = circuits.sin(u1)
u3 = u1 * u2
b.output("a", circuits.sin(u2))
b.output("b", x * u2)
b.output("c", u1 * u3)
g = b.build()
vertex = circuits.eliminate(g, "optimal")
edge = circuits.eliminate(g, "optimal", kind="edge")
print("best vertex order", vertex.order, "multiplications:", vertex.multiplications)
print("best edge order  ", edge.order, "multiplications:", edge.multiplications)
je, jv = edge.jacobian.evaluate(x=0.7), vertex.jacobian.evaluate(x=0.7)
print("largest difference of the two Jacobians:", max(abs(je[k] - jv[k]) for k in je))
circuits.render(g)
'''),
]


NB07 = [
    md('''
# Paths and semirings

Bauer's formula (Bauer 1974)
writes a partial derivative as a **sum over paths** of **products of edge labels**
$\\partial_u[g]$.  Backpropagation computes that sum with one $\\oplus$ and one $\\otimes$
per wire, and it never uses anything of the real numbers but the semiring laws.  Put
another semiring in their place and the same sweep answers other questions
(Du et al., *Generalizing Backpropagation for Gradient-Based Interpretability*, ACL 2023;
Kim, Nesterov, Skokov & Cherkasskii 1984):

| semiring | one edge | the sum over paths |
|---|---|---|
| `REAL` | the partial | the derivative |
| `COUNTING` | 1 | the number of paths |
| `BOOLEAN` | structurally nonzero? | the Jacobian's sparsity |
| `MAX_PRODUCT`, `k_best(k)` | $|\\partial|$ and the wire | the heaviest paths |
| `ENTROPY` | $(|\\partial|, -|\\partial|\\log|\\partial|)$ | the entropy of the gradient flow |
'''),
    SETUP,
    code('''
from circuits.semirings import COUNTING, REAL, BOOLEAN, k_best
y = circuits.trace(lambda x1, x2: (x1 + x2 + x1 * x2) * (x1 + x2))   # the worked example
print("paths:", circuits.propagate(y, COUNTING).inputs)
print("gradient at (3, 5):", circuits.propagate(y, REAL, {"x1": 3, "x2": 5}).inputs)
for p in circuits.top_paths(y, {"x1": 3, "x2": 5}, k=3, input="x1"):
    print(p)
'''),
    md('''
The three paths from $x_1$ carry $40$, $23$ and $8$ (products of the partials along them);
their sum is $\\partial y/\\partial x_1 = 71$.  Drawn with each node's value and adjoint and each wire's
partial, as micrograd's `draw_dot` shows data and grad:
'''),
    code('''
circuits.render(y, values={"x1": 3, "x2": 5}, gradients=True, legend=False)
'''),
    md('''
## Exponentially many paths, linear work

Squaring 40 times makes $2^{40}$ paths from $x$ to the output.  Enumerating them is
hopeless; the counting semiring needs one sweep of 40 steps, the same sweep that
backpropagation does.
'''),
    code('''
import time
b = circuits.Builder(); (x,) = b.inputs("x"); u = x
for _ in range(40):
    u = u * u
b.output("f", u)
deep = b.build()
start = time.perf_counter()
count = circuits.propagate(deep, COUNTING).inputs["x"]
print(f"{count} = 2**40 paths, counted over {deep.wires} wires")
try:
    circuits.bauer_paths(deep)
except circuits.CircuitError as error:
    print(error)
'''),
    md('''
## The top gradient paths of a small network

`top_paths` reads the $k$ heaviest paths out of the $k$-best semiring: which parameters
and activations carry most of the gradient of the loss.  They are drawn over the circuit,
one colour each, heaviest in red.
'''),
    code('''
import random
random.seed(1)
net = library.mlp([2, 3, 1], activation="sigmoid")
point = {x: round(random.uniform(-1, 1), 2) for x in net.inputs}
paths = circuits.top_paths(net, point, k=3)
for p in paths:
    print(p)
circuits.render(net, values=point, highlight=paths, legend=False, title="the 3 heaviest gradient paths", size="9,9")
'''),
    md('''
## How spread out is the gradient?

The entropy of the distribution of gradient mass $\\prod|\\partial|$ over the paths from
an input is 0 when one path carries everything and $\\log(\\#\\text{paths})$ when all carry
the same.  It comes from the expectation semiring, in the same single sweep.
'''),
    code('''
import math
for x in ("W1_1_1", "x_1", "b2_1"):
    n = circuits.propagate(net, COUNTING).inputs[x]
    h = circuits.gradient_entropy(net, point, input=x)
    print(f"{x:7} {n} paths, entropy {h:.3f} nats (log of the count: {math.log(n):.3f})")
'''),
    md('''
## Sparse Jacobians by colouring

The Boolean semiring gives the Jacobian's sparsity pattern.  Columns with no nonzero row
in common share one forward sweep (Curtis, Powell and Reid 1974): colouring the column
intersection graph (networkx) tells how few sweeps are needed.  The banded map
$y_i = x_{i-1} x_i x_{i+1}$ needs **3 colours whatever $n$ is**, so its Jacobian circuit
grows linearly in $n$, built in 3 sweeps instead of $n$.  (Forward propagation that skips
structural zeros, `jacobian(mode="forward")`, reaches the same size here, but only after $n$
sweeps over the whole circuit: its build time grows quadratically.)
'''),
    code('''
print(circuits.jacobian_sparsity(library.banded_product(5)))
print(f"{'n':>6} {'colours':>8} {'size':>6} {'sweeps':>7} {'forward sweeps':>15}")
for n in (10, 100, 1000, 10000):
    c = library.banded_product(n)
    colours = circuits.jacobian_colouring(c).colours
    J = circuits.jacobian(c, sparse=True)
    print(f"{n:>6} {colours:>8} {J.size:>6} {colours:>7} {n:>15}")
'''),
]


NB08 = [
    md('''
# 8. Second order and memory

Two questions come right after the gradient.  **Hessians**: Newton and interior-point methods need
$\\nabla^2 f$, and most Hessians are sparse.  **Memory**: backpropagation holds every forward value
until the reverse sweep reaches it, so on long chains its real cost is memory.  This notebook computes
sparse Hessians with one Hessian-vector product per *colour* (Gebremedhin, Manne and Pothen,
*What color is your Jacobian?*, SIAM Review 2005), measures **peak memory** beside size and depth, and
trades gates for memory with Griewank's **binomial checkpointing** (revolve; Griewank and Walther,
*Evaluating Derivatives*, 2nd ed., SIAM 2008, ch. 12).
'''),
    SETUP,
    md('''
## The Hessian's sparsity, structurally

`hessian_sparsity` propagates first-order dependency sets and, at each gate, the nonlinear interactions
its registry entry declares (`Gate.interaction`): a `+` creates none, a product pairs its arguments' sets,
a nonlinear unary gate pairs its argument's set with itself.  The arrowhead
$f = x_0 \\sum_{i\\ge1} x_i + \\sum_i \\cos x_i$ has a dense first row and column and the diagonal.
'''),
    code('''
def arrowhead(n):
    b = circuits.Builder()
    xs = b.inputs([f"x{i}" for i in range(n + 1)])
    b.output("f", xs[0] * circuits.sum_of(xs[1:]) + circuits.sum_of([circuits.cos(x) for x in xs]))
    return b.build()

f = arrowhead(5)
print(circuits.hessian_sparsity(f))
print({k: g.interaction for k, g in circuits.GATES.items() if k in ("add", "mul", "div", "sin", "relu")})
'''),
    md('''
## Colourings, drawn

Star colouring reads every entry directly; acyclic colouring needs fewer colours and recovers the
entries by substitution.  The arrowhead needs **2 colours for every n**; a banded pattern of bandwidth
$b$ needs $2b+1$ (star) or $b+1$ (acyclic).  Below, the adjacency graphs coloured.
'''),
    code('''
import networkx as nx

def draw(pattern, colouring, ax, title):
    G = nx.Graph([(x, z) for x, row in pattern.items() for z in row if x < z])
    G.add_nodes_from(pattern)
    colour = colouring.colour
    nx.draw_networkx(G, nx.circular_layout(G), ax=ax, node_color=[f"C{colour[v]}" for v in G],
                     font_size=7, node_size=300)
    ax.set_title(f"{title}: {colouring.colours} colours ({colouring.method})", fontsize=9)
    ax.axis("off")

banded = {f"x{i}": [f"x{j}" for j in range(max(0, i - 2), min(10, i + 3))] for i in range(10)}
fig, axes = plt.subplots(1, 3, figsize=(11, 3.6))
p = circuits.hessian_sparsity(arrowhead(9))
draw(p, circuits.hessian_colouring(p), axes[0], "arrowhead")
draw(banded, circuits.hessian_colouring(banded), axes[1], "bandwidth 2")
draw(banded, circuits.hessian_colouring(banded, "acyclic"), axes[2], "bandwidth 2")
fig.tight_layout()
'''),
    md('''
## Colours against n, and the sparse Hessian's linear size

`hessian(c, sparse=True)` sweeps the gradient circuit forward once per colour and outputs only the
structurally nonzero entries of the lower triangle, so its size grows like colours·(s + w).
'''),
    code('''
from circuits import bounds
print(f"{'n':>6} {'colours':>8} {'entries':>8} {'sparse size':>12} {'bound':>7}")
for n in (10, 100, 1000):
    f = arrowhead(n)
    h = circuits.hessian(f, sparse=True)
    check = bounds.sparse_hessian_size(f)
    print(f"{n:>6} {check.details['colours']:>8} {len(h.outputs):>8} {h.size:>12} {check.bound:>7}")
f = arrowhead(4)
point = {x: 0.1 * k for k, x in enumerate(f.inputs)}
dense = circuits.hessian(f).evaluate(point)
print(all(abs(v - dense[k]) < 1e-12 for k, v in circuits.hessian(f, sparse=True).evaluate(point).items()))
'''),
    md('''
## Peak memory: the third measure

`peak_memory` counts the values held at once when the gates run in node order (inputs and outputs
included); `compare` shows it beside size and depth.  Forward propagation and backpropagation of a
chain of 200 `sin` gates, and the checkpointed gradient:
'''),
    code('''
from circuits import library
chain = library.chain(200, "sin")
for name, c in (("circuit", chain), ("forward", circuits.forward(chain)), ("backward", circuits.backward(chain)),
                ("checkpoint, 5 snapshots", circuits.checkpoint(chain, snapshots=5))):
    print(f"{name:24} size {c.size:6}  depth {c.depth:4}  peak memory {circuits.peak_memory(c):4}")
'''),
    md('''
## Checkpointing: the binomial schedule against its bound

With $c$ snapshots, reversing a chain of $l$ steps needs at least
$t(l, c) = r\\,l - \\binom{c+r}{r-1}$ forward steps, $r$ the least integer with $\\binom{c+r}{c} \\ge l$
(Griewank and Walther 2008, ch. 12).  `checkpoint` builds that schedule; its recomputed gates are drawn in
their own colour.
'''),
    code('''
print(f"{'c':>3} {'closed form':>12} {'gates evaluated':>16} {'peak memory':>12}")
for c in (1, 2, 3, 5, 10, 50):
    g = circuits.checkpoint(chain, snapshots=c)
    evaluated = sum(1 for v in range(len(g)) if g.record.args[v] and g.meta["role"][v] != "derivative")
    print(f"{c:>3} {circuits.revolve_steps(200, c):>12} {evaluated:>16} {circuits.peak_memory(g):>12}")
circuits.render(circuits.checkpoint(library.chain(6, "sin"), snapshots=2), title="6 steps, 2 snapshots")
'''),
    md('''
## The time–memory trade-off

Size against peak memory as the number of snapshots grows, for a chain, an RNN and an MLP; the stars are
plain backpropagation.  The chain and the RNN trade gates for memory along the binomial curve; the MLP's
memory is mostly its parameters and their gradients, which no schedule can drop.
'''),
    code('''
curves = {"chain (200 sin)": circuits.tradeoff(chain),
          "RNN (40 steps, 2 units)": circuits.tradeoff(library.rnn(40, 2)),
          "MLP 4-8-8-8-1": circuits.tradeoff(library.mlp([4, 8, 8, 8, 1]))}
circuits.plot_tradeoff(curves)
'''),
    code('''
rnn = library.rnn(40, 2)
budget = circuits.peak_memory(circuits.backward(rnn)) // 4
g = circuits.checkpoint(rnn, memory=budget)
print(f"budget {budget}: peak memory {circuits.peak_memory(g)}, size {g.size}")
try:
    circuits.checkpoint(rnn, memory=20)
except circuits.CircuitError as error:
    print(error)
'''),
]


#: notebook file stem → list of (cell type, source).
NOTEBOOKS = {
    "01_building_circuits": NB01,
    "02_forward_vs_backward": NB02,
    "03_baur_strassen": NB03,
    "04_training_with_backprop": NB04,
    "05_beyond_the_gradient": NB05,
    "06_jacobian_accumulation": NB06,
    "07_paths_and_semirings": NB07,
    "08_second_order_and_memory": NB08,
}


def build(name: str):
    """The unexecuted notebook ``name`` (a key of :data:`NOTEBOOKS`) as an nbformat node."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for i, (kind, source) in enumerate(NOTEBOOKS[name]):
        make = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
        cell = make(source)
        cell["id"] = f"{name[:2]}-{i:02d}"      # stable ids: regenerating changes nothing else
        nb.cells.append(cell)
    return nb


def execute(nb, timeout: int = 120):
    """Run ``nb`` top to bottom in a ``python3`` kernel with ``notebooks/`` as working directory."""
    from nbclient import NotebookClient

    NotebookClient(nb, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(HERE)}}).execute()
    for cell in nb.cells:
        _tidy(cell)
    return nb


_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+>")


def _tidy(cell) -> None:
    """Drop what changes at every run without meaning anything, so regenerating gives small diffs.

    The timing metadata; the memory address in reprs like
    ``<graphviz.graphs.Digraph at 0x7f...>`` (the drawing itself is the SVG
    next to it); and the split of one print into several stream messages
    (consecutive stream outputs of the same name are joined).
    """
    cell.get("metadata", {}).pop("execution", None)
    outputs = []
    for out in cell.get("outputs", []):
        if (out["output_type"] == "stream" and outputs and outputs[-1]["output_type"] == "stream"
                and outputs[-1]["name"] == out["name"]):
            outputs[-1]["text"] += out["text"]
            continue
        plain = out.get("data", {}).get("text/plain")
        if plain is not None:
            out["data"]["text/plain"] = _ADDRESS.sub(">", plain)
        outputs.append(out)
    if "outputs" in cell:
        cell["outputs"] = outputs


def main(argv=None) -> int:
    """Write (and by default execute) the notebooks selected by name prefixes in ``argv``."""
    import nbformat

    args = list(sys.argv[1:] if argv is None else argv)
    run = "--no-execute" not in args
    prefixes = [a for a in args if not a.startswith("--")]
    for name in NOTEBOOKS:
        if prefixes and not any(name.startswith(p) for p in prefixes):
            continue
        nb = build(name)
        if run:
            execute(nb)
        nbformat.write(nb, str(HERE / f"{name}.ipynb"))
        print("wrote", HERE / f"{name}.ipynb")
    return 0


if __name__ == "__main__":
    sys.exit(main())
