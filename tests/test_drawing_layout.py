"""Every drawing can be read: no two labels overlap, inputs and outputs keep their order, titles
are short phrases.  Checked on the layout Graphviz computes (``dot -Tjson``), not on the DOT text."""

import shutil

import graphviz
import pytest
from hypothesis import HealthCheck, given, settings

import circuits
from circuits import library
from circuits import testing as ct
from circuits.render.draw import TITLE_MOST, name_label
from circuits.render.layout import describe, layout, node_positions, overlaps, text_boxes

pytestmark = pytest.mark.skipif(shutil.which("dot") is None,
                                reason="Graphviz 'dot' is not installed (apt-get install graphviz)")


def neuron():
    def neuron(w0, w1, w2, x1, x2):
        return circuits.sigmoid(w0 + w1 * x1 + w2 * x2)
    return circuits.trace(neuron)


def drawings():
    """(name, drawing) for each drawing the issue lists, figures apart."""
    f, bp = library.figure1(), library.backprop_example()
    p1, p2 = {"x": 1.0, "y": 2.0, "z": 3.0}, {"x_1": 3.0, "x_2": 5.0}
    ls = library.least_squares([[1, 2], [3, 4], [5, 6]], [1, 0, -1])
    mlp = library.mlp([2, 3, 1])
    n = neuron()
    out = [
        ("figure1", circuits.render(f, values=p1)),
        ("figure1 forward", circuits.render(circuits.forward(f, wrt=["x"], figure2=True))),
        ("figure1 forward, all inputs", circuits.render(circuits.forward(f))),
        ("figure1 backward", circuits.render(circuits.backward(f))),
        ("figure1 backward, primal kept", circuits.render(circuits.backward(f, keep_primal=True))),
        ("figure1 backward simplified", circuits.render(circuits.simplify(circuits.backward(f, keep_primal=True)))),
        ("figure1 transforms", circuits.render_transforms(f)),
        ("worked example mirrored", circuits.render(circuits.backward(bp, mirror=True), mirror=True)),
        ("worked example gradients", circuits.render(bp, values=p2, gradients=True)),
        ("worked example highlight", circuits.render(bp, values=p2, highlight=circuits.top_paths(bp, p2, k=3))),
        ("least squares", circuits.render(ls)),
        ("least squares backward", circuits.render(circuits.backward(ls))),
        ("least squares transforms", circuits.render_transforms(ls)),
        ("neuron", circuits.render(n)),
        ("neuron transforms", circuits.render_transforms(n)),
        ("neuron backward mirrored", circuits.render(circuits.backward(n, mirror=True), mirror=True)),
        ("mlp 2-3-1", circuits.render(mlp)),
        ("mlp 2-3-1 backward", circuits.render(circuits.backward(mlp))),
        ("collapsed layered chain", circuits.render(library.layered_chain([4, 16, 16, 1], "tanh"), collapse=True)),
        ("collapsed mlp backward", circuits.render(circuits.backward(library.mlp([4, 8, 8, 1])), collapse=True)),
        ("collapsed chain", circuits.render(library.chain(1000), collapse=True)),
        ("checkpointed chain", circuits.render(circuits.checkpoint(library.chain(6), snapshots=2))),
    ]
    for k, g in enumerate(circuits.render_steps(bp), 1):
        out.append((f"worked example step {k}", g))
    for k, g in enumerate(circuits.render_steps(n), 1):
        out.append((f"neuron step {k}", g))
    for order, point in (("markowitz", None), ("reverse", {"x_1": 3.0, "x_2": 5.0})):
        for k, g in enumerate(circuits.render_elimination(bp, order, point=point)):
            out.append((f"elimination {order} step {k}", g))
    for k, g in enumerate(circuits.render_elimination(library.speelpenning(4), "forward")):
        out.append((f"elimination speelpenning step {k}", g))
    for k, g in enumerate(circuits.render_elimination(bp, "markowitz", kind="edge")):
        out.append((f"edge elimination step {k}", g))
    return out


DRAWINGS = drawings() if shutil.which("dot") else []
_LAYOUTS: dict = {}


def _layout(name, g):
    """Each drawing is laid out once for all the tests that read it."""
    if name not in _LAYOUTS:
        _LAYOUTS[name] = layout(g)
    return _LAYOUTS[name]


def assert_legible(name, g):
    found = overlaps(g)
    assert not found, f"{name}: labels drawn over each other:\n{describe(found)}"


@pytest.mark.parametrize("name, g", DRAWINGS, ids=[name for name, _ in DRAWINGS])
def test_no_two_labels_overlap(name, g):
    assert_legible(name, _layout(name, g))


def test_no_committed_figure_has_overlapping_labels(tmp_path):
    from circuits.cli import _write_figures
    for path in _write_figures(tmp_path, "dot", log=lambda *a: None):
        if path.suffix == ".dot":
            assert_legible(path.name, graphviz.Source(path.read_text(encoding="utf-8")))


@pytest.mark.slow
@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
@given(ct.random_circuits(max_inputs=4, max_gates=30, max_outputs=2))
def test_random_circuits_and_their_backward_circuits_have_no_overlapping_labels(c):
    assert_legible("random circuit", circuits.render(c))
    assert_legible("its backward circuit", circuits.render(circuits.backward(c, keep_primal=True)))


def _titles(g):
    data = layout(g)
    return [b.text for b in text_boxes(data) if b.owner == "graph"]


@pytest.mark.parametrize("name, g", DRAWINGS, ids=[name for name, _ in DRAWINGS])
def test_default_titles_are_short_balanced_phrases(name, g):
    for title in _titles(_layout(name, g)):
        assert len(title) <= TITLE_MOST, title
        for a, b in ("()", "[]", "{}"):
            assert title.count(a) == title.count(b), title


def test_long_names_are_cut_between_words():
    names = [f"dloss/dweight_{k}" for k in range(40)]
    def a_very_long_loss_name(*xs):
        return sum(x * x for x in xs)
    c = circuits.trace(a_very_long_loss_name, inputs=names)
    labels = {name_label(n) for n in [*names, "a_very_long_loss_name"]}
    for g in (circuits.render(c), circuits.render(circuits.backward(c, mirror=True), mirror=True),
              circuits.render(circuits.backward(c), collapse=True)):
        (title,) = _titles(g)
        assert len(title) <= TITLE_MOST and title.count("(") == title.count(")"), title
        shown = title.split(" · ")[0].replace("(", ",").replace(")", ",").split(",")
        for name in (n.strip() for n in shown if n.strip()):
            assert (name in labels or name.endswith("…") or name in ("… 40 in all", "40 in all")
                    or name.lstrip("∇") in labels), (name, title)


def _x_in_order(g, names):
    pos = node_positions(g)
    xs = [pos[n][0] for n in names if n in pos]
    return xs == sorted(xs) and len(set(xs)) == len(xs)


def _order_cases():
    n = neuron()
    shuffled = circuits.trace(lambda z, y, x_1: (z * x_1 + y, circuits.sin(y) * z, x_1 * y + 2 * z),
                              inputs=["z", "y", "x_1"])
    return [("figure1", library.figure1()), ("neuron", n), ("shuffled", shuffled),
            ("least squares", library.least_squares([[1, 2], [3, 4], [5, 6]], [1, 0, -1])),
            ("worked example", library.backprop_example())]


def _pins(circuit, prefix="", skip=()):
    """The DOT names of the pins (output names) of the outputs nothing reads, in output order."""
    read = {u for v in circuit.gates() for u in circuit.args(v)}
    return [f"{prefix}out{k}" for k, (o, v) in enumerate(circuit.outputs.items())
            if v not in read and o not in skip]


@pytest.mark.parametrize("name, c", _order_cases(), ids=[name for name, _ in _order_cases()])
def test_inputs_and_outputs_keep_their_order_in_every_panel(name, c):
    ins = [f"n{v}" for v in c.inputs.values()]
    g = circuits.render(c)
    assert _x_in_order(g, ins), "render: inputs out of order"
    assert _x_in_order(g, _pins(c)), "render: outputs out of order"
    back = circuits.backward(c)
    assert _x_in_order(circuits.render(back), ins) and _x_in_order(circuits.render(back), _pins(back))
    t = circuits.render_transforms(c)
    for prefix, circuit in (("c", c), ("f", circuits.forward(c)), ("b", back)):
        assert _x_in_order(t, [f"{prefix}{n}" for n in ins]), f"transforms panel {prefix}: inputs"
        assert _x_in_order(t, _pins(circuit, prefix)), f"transforms panel {prefix}: outputs"
    if len(c.outputs) == 1:
        for k, step in enumerate(circuits.render_steps(c), 1):
            assert _x_in_order(step, ins), f"step {k}: inputs"
        m = circuits.backward(c, mirror=True)
        drawn = circuits.render(m, mirror=True)
        assert _x_in_order(drawn, ins)
        assert _x_in_order(drawn, _pins(m, skip=c.outputs)), "mirrored: gradient outputs"
    for g in circuits.render_elimination(c, "reverse"):
        assert _x_in_order(g, [f"v{v}" for v in c.inputs.values()]), "elimination: inputs"
