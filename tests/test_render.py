"""Rendering: parse the SVG that Graphviz draws and count what it shows."""

import re
import shutil
import xml.etree.ElementTree as ET

import pytest

import circuits
from circuits import Builder, CircuitError, library
from circuits.render.draw import COLORS, name_label, render, render_transforms

pytestmark = pytest.mark.skipif(shutil.which("dot") is None,
                                reason="Graphviz 'dot' is not installed (apt-get install graphviz)")

SVG = "{http://www.w3.org/2000/svg}"


def parse_svg(path):
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG}svg"
    nodes, edges, clusters = {}, {}, {}
    for g in root.iter(f"{SVG}g"):
        kind = g.get("class")
        title = g.findtext(f"{SVG}title")
        if kind == "node":
            nodes[title] = g
        elif kind == "edge":
            edges.setdefault(title, []).append(g)
        elif kind == "cluster":
            clusters[title] = g
    return root, nodes, edges, clusters


def texts(g):
    return [t.text for t in g.iter(f"{SVG}text")]


def circuit_nodes(nodes, prefix=""):
    # a constant is drawn at each use: node n{const}_{gate}_{position}
    pattern = re.compile(rf"^{prefix}n\d+(?:_\d+_\d+)?$")
    return {k: v for k, v in nodes.items() if pattern.match(k)}


def y_of(g):
    """Height of a node: the middle of its label lines (SVG y grows downwards)."""
    ys = [float(t.get("y")) for t in g.iter(f"{SVG}text")]
    return sum(ys) / len(ys)


def fill_of(g):
    for tag in ("ellipse", "polygon", "path"):
        shape = g.find(f"{SVG}{tag}")
        if shape is not None:
            return shape.get("fill"), shape.get("stroke")
    raise AssertionError("node without a shape")


def test_figure1_svg(tmp_path):
    c = library.figure1()                                  # 3 inputs, 2 constants, 7 gates, 17 wires
    path = tmp_path / "fig1.svg"
    g = render(c, path)
    assert "digraph" in g.source
    _, nodes, edges, _ = parse_svg(path)
    drawn = circuit_nodes(nodes)
    assert len(drawn) == len(c) == 12
    labels = [texts(n)[0] for n in drawn.values()]
    assert labels.count("x²") == 3 and labels.count("+") == 4
    assert sorted(l for l in labels if l in ("x", "y", "z")) == ["x", "y", "z"]
    assert sorted(l for l in labels if l.lstrip("-").isdigit()) == ["-3", "5"]
    wires = [e for title, es in edges.items() if re.match(r"^n\d+(?:_\d+_\d+)?->n\d+$", title) for e in es]
    assert len(wires) == 17
    # the scaling factors of formula (1): −3, −3 / −2, −2 / −5 (x and the constants have weight 1)
    weights = sorted(t for e in wires for t in texts(e))
    assert weights == ["-2", "-2", "-3", "-3", "-5"]
    # the output is outlined and named
    outlined = [n for n in drawn.values() if fill_of(n)[1] == COLORS["output"]]
    assert len(outlined) == 1 and texts(outlined[0]) == ["+"]
    assert texts(nodes["out0"]) == ["f"] and any(e.endswith("->out0") for e in edges)  # a pin above it
    assert {"legend_input", "legend_const", "legend_primal", "legend_output"} <= set(nodes)
    assert "legend_derivative" not in nodes


def test_values_are_shown(tmp_path):
    c = library.figure1()
    path = tmp_path / "v.svg"
    render(c, path, values={"x": 1, "y": 1, "z": 1}, legend=False)
    _, nodes, _, _ = parse_svg(path)
    shown = [t for n in circuit_nodes(nodes).values() for t in texts(n)]
    # (1 − 3 − 3 + 5)² + (1 − 2 − 2)² + (1 + 1 − 5 − 3)² = 0 + 9 + 36 = 45
    for v in ("= 0", "= 9", "= 36", "= 45", "= -3", "= -6"):
        assert v in shown
    assert not any(n.startswith("legend") for n in nodes)


def test_argument_order_of_non_commutative_gates(tmp_path):
    b = Builder()
    x, y = b.input_node("x"), b.input_node("y")
    q = b.gate("div", y, x)
    b.output_node("f", b.gate("pow", q, b.const_node(3)))
    path = tmp_path / "d.svg"
    render(b.build(), path)
    _, nodes, edges, _ = parse_svg(path)
    ids = {texts(n)[0]: k for k, n in circuit_nodes(nodes).items()}
    assert texts(edges[f"{ids['y']}->{ids['÷']}"][0]) == ["num"]
    assert texts(edges[f"{ids['x']}->{ids['÷']}"][0]) == ["den"]
    assert texts(edges[f"{ids['÷']}->{ids['xⁿ']}"][0]) == ["base"]
    assert texts(edges[f"{ids['3']}->{ids['xⁿ']}"][0]) == ["exp"]


def test_repeated_operand_draws_two_wires(tmp_path):
    path = tmp_path / "sq.svg"
    render(circuits.trace(lambda x: x * x), path)
    _, _, edges, _ = parse_svg(path)
    assert len(edges["n0->n1"]) == 2


def test_roles_and_outputs_of_a_gradient_circuit(tmp_path):
    c = library.backprop_example()
    grad = circuits.backward(c, keep_primal=True)
    roles = grad.meta["role"]
    path = tmp_path / "g.svg"
    render(grad, path)
    _, nodes, _, _ = parse_svg(path)
    drawn = circuit_nodes(nodes)
    assert len(drawn) == len(grad)
    fills = {k: fill_of(n)[0] for k, n in drawn.items()}
    derivative_gates = [v for v in grad.gates() if roles[v] == "derivative"]
    assert derivative_gates
    assert sum(f == COLORS["derivative"] for f in fills.values()) == len(derivative_gates)
    outlined = [n for n in drawn.values() if fill_of(n)[1] == COLORS["output"]]
    assert len(outlined) == len(set(grad.outputs.values()))
    assert {"legend_primal", "legend_derivative", "legend_output"} <= set(nodes)


def mirrored_backprop():
    """Backpropagation of the worked example y = (x1 + x2 + x1·x2)(x1 + x2), built by hand with adjoint_of."""
    b = Builder()
    x1, x2 = b.input_node("x1"), b.input_node("x2")
    u1 = b.gate("add", x1, x2)
    u2 = b.gate("mul", x1, x2)
    u3 = b.gate("add", u1, u2)
    y = b.gate("mul", u1, u3)
    n = len(b)
    a_y = b.gate("add", b.const_node(1))                  # ∂y/∂y = 1
    a_u3 = b.gate("mul", a_y, u1)                          # ∂y/∂y · u1
    a_u2 = b.gate("add", a_u3)                             # ∂y/∂u3 · 1
    a_u1 = b.gate("add", a_u3, b.gate("mul", a_y, u3))     # ∂y/∂u3 + ∂y/∂y · u3
    a_x2 = b.gate("add", a_u1, b.gate("mul", a_u2, x1))
    a_x1 = b.gate("add", a_u1, b.gate("mul", a_u2, x2))
    b.output_node("y", y)
    b.output_node("dy/dx1", a_x1)
    b.output_node("dy/dx2", a_x2)
    roles = ["primal"] * n + ["derivative"] * (len(b) - n)
    adjoint_of = {a_y: y, a_u3: u3, a_u2: u2, a_u1: u1, a_x2: x2, a_x1: x1}
    return b.build(meta={"role": roles, "adjoint_of": adjoint_of}), (x1, x2, u1, u2, u3, y)


def test_mirrored_layout(tmp_path):
    c, (x1, x2, u1, u2, u3, y) = mirrored_backprop()
    assert c.evaluate(x1=3, x2=5)["dy/dx1"] == 2*3 + 2*5 + 2*3*5 + 5**2     # the worked example's check
    adjoint = {z: a for a, z in c.meta["adjoint_of"].items()}
    path = tmp_path / "m.svg"
    render(c, path, mirror=True)
    _, nodes, _, _ = parse_svg(path)
    height = {v: y_of(nodes[f"n{v}"]) for v in range(len(c)) if f"n{v}" in nodes}  # y grows downwards
    # the primal circuit bottom-up: x below u1, u2 below u3 below y
    assert height[x1] == height[x2] > height[u1] == height[u2] > height[u3] > height[y]
    # its mirror image above it: ∂y/∂y just above y, ∂y/∂x at the top
    a = {z: height[adjoint[z]] for z in (x1, x2, u1, u2, u3, y)}
    assert height[y] > a[y] > a[u3] > a[u1] == a[u2] > a[x1] == a[x2]
    # without mirror=True, dot ranks ∂y/∂y by its arguments (next to the constant 1)
    render(c, tmp_path / "plain.svg")
    _, plain, _, _ = parse_svg(tmp_path / "plain.svg")
    assert y_of(plain[f"n{adjoint[y]}"]) > y_of(plain[f"n{y}"])


def _labelled_dag(c):
    """The circuit as a networkx DiGraph whose nodes carry what a drawing shows of them."""
    import networkx as nx
    g = nx.MultiDiGraph()
    for v in range(len(c)):
        op = c.op(v)
        g.add_node(v, label=(op, list(c.inputs).index(c.name(v)) if op == "input"
                             else c.value(v) if op == "const" else None))
    for v in c.gates():
        for u, w in zip(c.args(v), c.weights(v)):
            g.add_edge(u, v, weight=w)
    return g


def test_backward_mirror_is_the_notes_backpropagation():
    """backward(mirror=True) builds the worked example exactly as the hand-drawn circuit:
    the same gates wired the same way, and every ∂y/∂z on the node the note puts it on."""
    from networkx.algorithms.isomorphism import MultiDiGraphMatcher
    want, _ = mirrored_backprop()
    got = circuits.backward(library.backprop_example(), mirror=True)
    assert got.size == want.size == 13
    def same(a, b):
        return a["label"] == b["label"]

    def weights(a, b):
        return sorted(e["weight"] for e in a.values()) == sorted(e["weight"] for e in b.values())

    matcher = MultiDiGraphMatcher(_labelled_dag(got), _labelled_dag(want), node_match=same, edge_match=weights)
    maps = list(matcher.isomorphisms_iter())
    assert maps, "backward(mirror=True) is not the note's circuit"
    assert any({m[a]: m[z] for a, z in got.meta["adjoint_of"].items()} == dict(want.meta["adjoint_of"])
               for m in maps)
    assert got.evaluate(x_1=3, x_2=5)["dy/dx_1"] == 2*3 + 2*5 + 2*3*5 + 5**2


@pytest.mark.parametrize("seed", range(12))
def test_backward_mirror_keeps_every_adjoint_as_its_node(seed):
    """On random circuits: one node per vertex y depends on, holding ∂y/∂z (checked against the
    adjoints that propagate computes), the same gradient as backward, at most one gate more per node."""
    import random
    from circuits.eval.interpreter import node_values
    c = circuits.library.random_circuit(3, 12, seed=seed)
    y = list(c.outputs)[0]
    c = c.replace(outputs={y: c.outputs[y]})
    point = {x: random.Random(seed).uniform(0.5, 1.5) + k / 7 for k, x in enumerate(c.inputs)}
    plain, mirrored = circuits.backward(c), circuits.backward(c, mirror=True)
    assert mirrored.size <= plain.size + len(c)
    got = mirrored.evaluate(point)
    assert {k: got[k] for k in plain.outputs} == plain.evaluate(point)
    adjoint_of = mirrored.meta["adjoint_of"]
    import networkx as nx
    active = set(c.inputs.values())
    for x in c.inputs.values():
        active |= nx.descendants(c.dag, x)
    reached = (nx.ancestors(c.dag, c.outputs[y]) | {c.outputs[y]}) & active  # what y depends on
    values = node_values(mirrored, point)
    from circuits.semirings import REAL, propagate
    want = propagate(c, REAL, point).values
    z_of = list(adjoint_of.values())
    assert len(set(z_of)) == len(z_of) and set(z_of) <= reached              # each z at most once
    assert all(want[z] == 0 for z in reached - set(z_of))                     # only zero adjoints missing
    for a, z in adjoint_of.items():
        assert values[a] == pytest.approx(want[z], rel=1e-9, abs=1e-12), (a, z)


def test_backward_mirror_refuses_several_outputs():
    c = circuits.trace(lambda x, y: (x * y, x + y))
    with pytest.raises(CircuitError, match="output='f0'"):
        circuits.backward(c, mirror=True)
    assert circuits.backward(c, output="f1", mirror=True).evaluate(x=2, y=3)["df1/dx"] == 1


def test_render_steps_draws_the_notes_six_steps(tmp_path):
    """Backpropagation visits y, u3, u2, u1, x2, x1: six drawings, one layout, each adding ∂y/∂z."""
    import subprocess
    steps = circuits.render_steps(library.backprop_example(), tmp_path / "s.svg")
    assert len(steps) == 6
    assert steps.titles[3] == "step 4 of 6: dy/du₁ = dy/du₃ · d[u₃]/du₁ + dy/dy · d[y]/du₁"
    grad = circuits.backward(library.backprop_example(), mirror=True)
    adjoint = {z: a for a, z in grad.meta["adjoint_of"].items()}
    visible, positions = [], []
    for k in range(1, 7):
        _, nodes, _, _ = parse_svg(tmp_path / f"s_{k}.svg")
        shown = {n for n, g in nodes.items() if texts(g) and re.fullmatch(r"n\d+", n)}
        visible.append(shown)
        plain = subprocess.run(["dot", "-Tplain"], input=steps[k - 1].source, capture_output=True,
                               text=True, check=True).stdout
        positions.append({line.split()[1]: line.split()[2:4] for line in plain.splitlines()
                          if line.startswith("node ")})
    assert all(p == positions[0] for p in positions)          # the same layout at every step
    assert all(a < b for a, b in zip(visible, visible[1:]))     # each step adds gates
    order = [5, 4, 3, 2, 1, 0]                                  # y, u3, u2, u1, x2, x1
    for k, z in enumerate(order):
        assert f"n{adjoint[z]}" in visible[k]
        assert all(f"n{adjoint[later]}" not in visible[k] for later in order[k + 1:])
    assert visible[-1] == {f"n{v}" for v in range(len(grad)) if grad.op(v) != "const"}
    assert steps._repr_html_().count("<svg") == 6                # Jupyter shows them all


def test_render_steps_errors():
    with pytest.raises(CircuitError, match="output="):
        circuits.render_steps(circuits.trace(lambda x, y: (x * y, x + y)))
    with pytest.raises(CircuitError, match="max_nodes"):
        circuits.render_steps(library.random_circuit(4, 150, seed=1))
    with pytest.raises(CircuitError, match="expects a Circuit"):
        circuits.render_steps("x*y")


def test_render_steps_and_mirror_of_a_constant_output_say_so():
    """A constant output has no ∂y/∂z node: one clear error each, not max() of an empty list."""
    for c in (circuits.parse("3"), circuits.parse({"f": "x", "g": "3"})):
        with pytest.raises(CircuitError, match="'.' is a constant.*choose an output"):
            circuits.render_steps(c, output=list(c.outputs)[-1])
        grad = circuits.backward(c, output=list(c.outputs)[-1], mirror=True)
        with pytest.raises(CircuitError, match="no ∂y/∂z node .* without mirror=True"):
            render(grad, mirror=True)


def _collapsed_boxes(g):
    """{box id: label lines} and {(tail, head): wires} read back from a collapsed drawing's DOT source."""
    boxes, wires = {}, {}
    for line in g.source.splitlines():
        m = re.match(r'\s*(g\d+) \[label=("(?:[^"\\]|\\.)*"|\S+)', line)
        if m:
            boxes[m.group(1)] = m.group(2).strip('"').split("\\n")
        m = re.match(r'\s*(g\d+) -> (g\d+) \[label=("?)([\d,]*)\3 ', line)
        if m:
            wires[(m.group(1), m.group(2))] = int(m.group(4).replace(",", "") or 1)
    return boxes, wires


def _gates_in(lines):
    m = re.match(r"([\d,]+) gates?", lines[1]) if len(lines) > 1 else None
    return int(m.group(1).replace(",", "")) if m else 0


@pytest.mark.parametrize("make", [
    lambda: library.chain(100_000),
    lambda: library.layered_chain([8, 16, 16, 1], "tanh"),
    lambda: circuits.backward(library.layered_chain([8, 16, 16, 1], "tanh")),
    lambda: library.random_circuit(4, 200, seed=1),
    lambda: library.determinant(5),
])
def test_collapse_draws_large_circuits_in_outline(make, tmp_path):
    """Every gate is in one box, every wire in one arrow's count, and the drawing stays small."""
    from circuits.render.draw import COLLAPSED_BOXES
    c = make()
    g = render(c, collapse=True, legend=False)
    boxes, wires = _collapsed_boxes(g)
    assert sum(_gates_in(lines) for lines in boxes.values()) == c.size
    assert sum(wires.values()) == c.wires
    assert len(boxes) <= COLLAPSED_BOXES + 2          # gate boxes, plus inputs and constants
    outputs = " ".join(" ".join(lines) for lines in boxes.values())
    assert all(name_label(o) in outputs for o in list(c.outputs)[:3])
    if len(c) < 2000:
        render(c, tmp_path / "c.svg", collapse=True)
        assert parse_svg(tmp_path / "c.svg")[1]


def test_collapse_shows_the_layers_of_a_network():
    """A 4-16-16-1 tanh network: per layer a × box, a + box and a tanh box, wires counted."""
    boxes, wires = _collapsed_boxes(render(library.layered_chain([4, 16, 16, 1], "tanh"), collapse=True))
    by_level = {lines[1].split(", ")[1]: (lines[0], _gates_in(lines)) for lines in boxes.values() if len(lines) > 1}
    assert [by_level[f"level {k}"] for k in range(1, 10)] == [
        ("×", 64), ("+", 16), ("tanh", 16), ("×", 256), ("+", 16), ("tanh", 16), ("×", 16), ("+", 1), ("tanh", 1)]
    chain = library.chain(1000)
    boxes, wires = _collapsed_boxes(render(chain, collapse=True, legend=False))
    assert len(boxes) == 2 and wires == {("g0", "g1"): 1, ("g1", "g1"): 999}


def test_collapse_keeps_the_count_of_outputs_in_a_box():
    """A box holding 256 outputs says so, however long their names (the cut used to eat the count)."""
    grad = circuits.backward(library.layered_chain([8, 16, 16, 1], "tanh"))
    boxes, _ = _collapsed_boxes(render(grad, collapse=True, legend=False))
    counts = sorted(int(m.group(1)) for lines in boxes.values() for line in lines
                    for m in [re.search(r"… \((\d+) outputs\)$", line)] if m)
    assert counts == [8, 16, 128, 256] and sum(counts) == len(grad.outputs)
    assert all(len(line) <= 44 for lines in boxes.values() for line in lines[2:])


def test_collapse_errors_say_what_to_do():
    c = library.random_circuit(4, 600, seed=2)
    with pytest.raises(CircuitError, match="collapse=True to draw it in outline"):
        render(c)
    with pytest.raises(CircuitError, match="values= needs every gate drawn"):
        render(library.figure1(), collapse=True, values={"x": 1, "y": 2, "z": 3})
    with pytest.raises(CircuitError, match="collapsed drawing has .* max_nodes=3"):
        render(library.layered_chain([4, 16, 1], "tanh"), collapse=True, max_nodes=3)


@pytest.mark.parametrize("kwargs, message", [
    ({"max_nodes": "5"}, "max_nodes must be a whole number"),
    ({"max_nodes": -1}, "max_nodes must be a whole number"),
    ({"max_nodes": 2.5}, "max_nodes must be a whole number"),
    ({"dpi": "high"}, "dpi must be a positive number"),
    ({"dpi": 0}, "dpi must be a positive number"),
    ({"size": "a,b"}, "width,height"),
    ({"size": (9, 5)}, "width,height"),
    ({"values": [1, 2]}, "values must be a mapping"),
])
def test_render_argument_mistakes_are_named(kwargs, message):
    """Graphviz would ignore a bad size or dpi silently, and Python would fail deep inside on the rest."""
    c = library.backprop_example()
    with pytest.raises(CircuitError, match=message):
        render(c, **kwargs)
    if "values" not in kwargs:
        with pytest.raises(CircuitError, match=message):
            circuits.render_steps(c, **kwargs)


def test_render_names_a_bad_path_and_output():
    import numpy as np
    c = library.backprop_example()
    with pytest.raises(CircuitError, match="path must be a file name"):
        render(c, 5)
    with pytest.raises(CircuitError, match="3 is not an output"):
        circuits.render_steps(c, output=3)
    assert "size=9" in render(c, size=9, dpi=np.float32(96), max_nodes=np.int64(10)).source


@pytest.mark.parametrize("make", [
    lambda: circuits.backward(circuits.parse({"f": "x*y + sin(x)", "g": "x/y"})),
    lambda: circuits.parse("x/y + (x - y)/(x + y)"),
])
def test_argument_names_of_a_quotient_do_not_overprint(make, tmp_path):
    """num and den at the head of two wires into one ÷ turn away from each other (they overprinted)."""
    g = make()
    render(g, tmp_path / "q.svg", mirror="adjoint_of" in g.meta)
    root = ET.parse(tmp_path / "q.svg").getroot()
    at = {"num": [], "den": []}
    for t in root.iter(f"{SVG}text"):
        if t.text in at:
            at[t.text].append((float(t.get("x")), float(t.get("y"))))
    assert at["num"] and len(at["num"]) == len(at["den"])
    for xn, yn in at["num"]:
        for xd, yd in at["den"]:
            assert abs(xn - xd) > 20 or abs(yn - yd) > 10, at


def test_mirror_needs_adjoint_of():
    with pytest.raises(CircuitError, match="adjoint_of"):
        render(library.figure1(), mirror=True)


def test_render_transforms_side_by_side(tmp_path):
    c = library.backprop_example()
    path = tmp_path / "t.svg"
    render_transforms(c, path)
    _, nodes, _, clusters = parse_svg(path)
    assert {"cluster_circuit", "cluster_forward", "cluster_backward"} == set(clusters)
    fwd, bwd = circuits.forward(c), circuits.backward(c)
    def drawn(k):  # one node per input and gate, one small box per use of a constant
        uses = sum(1 for v in k.gates() for u in k.args(v) if k.op(u) == "const")
        return sum(1 for v in range(len(k)) if k.op(v) != "const" or v in k.outputs.values()) + uses
    assert len(circuit_nodes(nodes, "c")) == drawn(c)
    assert len(circuit_nodes(nodes, "f")) == drawn(fwd)
    assert len(circuit_nodes(nodes, "b")) == drawn(bwd)
    cluster_titles = {k: " ".join(t for t in texts(g) if t) for k, g in clusters.items()}
    assert f"size {fwd.size}" in cluster_titles["cluster_forward"]
    assert f"size {bwd.size}" in cluster_titles["cluster_backward"]


def test_formats(tmp_path):
    c = circuits.trace(lambda x, y: circuits.sin(x) * y)
    render(c, tmp_path / "a.png")
    assert (tmp_path / "a.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    render(c, tmp_path / "sub" / "a.pdf")
    assert (tmp_path / "sub" / "a.pdf").read_bytes()[:5] == b"%PDF-"
    render(c, tmp_path / "a.dot")
    assert (tmp_path / "a.dot").read_text().startswith("digraph")
    with pytest.raises(CircuitError, match=r"\.svg, \.png, \.pdf, \.tex or \.dot"):
        render(c, tmp_path / "a.jpeg")


def test_missing_dot(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))       # no dot on PATH
    c = circuits.trace(lambda x: x * x)
    render(c)                                        # building the graph needs no dot
    render(c, tmp_path / "ok.dot")
    with pytest.raises(CircuitError, match="apt-get install graphviz"):
        render(c, tmp_path / "x.svg")
    assert not (tmp_path / "x.svg").exists()


def test_too_large():
    c = library.sigma2_naive(40)                     # 40 inputs + 780 products + 1 sum
    with pytest.raises(CircuitError, match=r"821 nodes, more than max_nodes=500.*max_nodes=821"):
        render(c)
    g = render(c, max_nodes=None, legend=False)
    assert g.source.count("label=\"×\"") == 780
    with pytest.raises(CircuitError, match="max_nodes=10"):
        render_transforms(library.figure1(), max_nodes=10)


def test_does_not_change_the_circuit():
    c = library.figure1()
    before = c.to_json()
    render(c, values={"x": 1, "y": 2, "z": 3})
    assert c.to_json() == before


def _x_of(g):
    xs = [float(t.get("x")) for t in g.iter(f"{SVG}text")]
    return sum(xs) / len(xs)


def test_slide_ready_layout(tmp_path):
    """Inputs in declaration order on one rank, outputs in order on one rank, x_1 as x₁."""
    c = circuits.trace(lambda z, y, x_1: (z * x_1 + y, circuits.sin(y) * z, x_1 * y + 2 * z),
                       inputs=["z", "y", "x_1"])
    path = tmp_path / "o.svg"
    render(c, path)
    _, nodes, _, _ = parse_svg(path)
    ins = [nodes[f"n{v}"] for v in c.inputs.values()]
    assert texts(ins[2])[0] == "x₁"
    assert len({y_of(n) for n in ins}) == 1 and [_x_of(n) for n in ins] == sorted(_x_of(n) for n in ins)
    outs = [nodes[f"n{v}"] for v in c.outputs.values()]
    assert len({y_of(n) for n in outs}) == 1 and [_x_of(n) for n in outs] == sorted(_x_of(n) for n in outs)
    # the constant 2 is a small box at its use, not a hub; a weight is its wire's own label
    g = render(c)
    assert "label=2 decorate=true" in g.source and '"2"' not in g.source


def test_constants_are_drawn_at_each_use():
    c = circuits.parse("(x + 1) * (y + 1) * (x - 1)")
    g = render(c)
    one = [v for v in range(len(c)) if c.op(v) == "const"]
    uses = sum(1 for v in c.gates() for u in c.args(v) if u in one)
    assert uses >= 2 and all(f"\tn{u} [" not in g.source for u in one)
    assert len(re.findall(r"\tn\d+_\d+_\d+ \[", g.source)) == uses


def test_title_size_dpi_and_direction(tmp_path):
    names = " ".join(f"weight_{i}" for i in range(60))
    b = Builder()
    ws = b.inputs(names)
    b.output("loss", circuits.sum_of(ws))
    c = b.build()
    g = render(c, size="4,3", dpi=150, rankdir="LR")
    title = re.search(r'label="([^"]*)"', g.source.split("node [")[0]).group(1)
    assert len(title) <= 90 and "…" in title and "size 1" in title
    assert "size=\"4,3\"" in g.source and "dpi=150" in g.source and "rankdir=LR" in g.source
    assert "label=" not in render(c, title=False).source.split("node [")[0]
    with pytest.raises(CircuitError, match="rankdir must be one of"):
        render(c, rankdir="up")
    render(circuits.parse("x*y"), tmp_path / "s.png", size="2,2", dpi=50)
    assert (tmp_path / "s.png").read_bytes()[:4] == b"\x89PNG"


def test_one_font(tmp_path):
    path = tmp_path / "f.svg"
    render(library.figure1(), path)
    fonts = set(re.findall(r'font-family="([^"]+)"', path.read_text()))
    assert fonts == {"Helvetica,sans-Serif"}


def test_cli_render_switches(tmp_path, capsys):
    from circuits.cli import main
    out = tmp_path / "c.dot"
    assert main(["render", "x_1*y + sin(x_1)", "-o", str(out), "--rankdir", "LR", "--no-legend",
                 "--title", "my slide", "--size", "5,3", "--dpi", "120"]) == 0
    dot = out.read_text()
    assert "rankdir=LR" in dot and "legend" not in dot and 'label="my slide"' in dot
    assert 'size="5,3"' in dot and "dpi=120" in dot
    assert main(["render", "x*y", "-o", str(out), "--no-title"]) == 0
    assert "labelloc" not in out.read_text()


def test_mirrored_labels_name_the_differentiated_output():
    """Mirroring the backward circuit of a gradient output df/dx labels its adjoints d(df/dx)/d…,
    spelled as dname spells partials (reading the name off d{y}/d{x} outputs used to give ∂f/…)."""
    from circuits.render.graph_parts import mirror_names
    g = circuits.backward(circuits.backward(circuits.parse("x*x*y")), output="df/dx", mirror=True)
    labels = {v for v in mirror_names(g).values() if v.startswith("d(df/dx)/d")}
    assert labels == {"d(df/dx)/d(df/dx)", "d(df/dx)/du₁", "d(df/dx)/du₂", "d(df/dx)/dx", "d(df/dx)/dy"}
    assert "d(df/dx)/du₁" in render(g, mirror=True).source
