"""analyze, cost, compare and scaling against hand counts, networkx and the notes."""

import re
import sys
import xml.etree.ElementTree as ET

import networkx as nx
import pytest
from hypothesis import given, settings

import circuits
import circuits.testing as ct
from circuits import Builder, CircuitError, analyze, compare, cost, scaling


def figure1():
    # The sum-of-squares example, traced from its formula.
    return circuits.trace(lambda x, y, z: (x - 3*y - 3*z + 5)**2 + (x - 2*y - 2*z)**2
                          + (x + y - 5*z - 3)**2)


def backprop_example():
    # The worked example y = (x1 + x2 + x1·x2)(x1 + x2) with its gates u1, u2, u3, y.
    b = Builder()
    x1, x2 = b.input_node("x1"), b.input_node("x2")
    u1 = b.gate("add", x1, x2)
    u2 = b.gate("mul", x1, x2)
    u3 = b.gate("add", u1, u2)
    b.output_node("y", b.gate("mul", u1, u3))
    return b.build()


def test_figure1_hand_counts():
    a = analyze(figure1())
    # size 7, depth 3; wires 4 + 3 + 4 into the sums, 3 into the squares, 3 into f
    assert (a.n, a.s, a.depth, a.w) == (3, 7, 3, 17)
    assert a.constants == 2                       # the +5 and the −3
    assert a.op_counts == {"add": 4, "square": 3}
    assert a.max_fan_in == 4 and a.max_fan_out == 3
    assert a.outputs == ("f",)
    # binary ops: sums 3+2 (−3y, −3z), 2+2 (−2y, −2z), 3+1 (−5z); 3 squares; 2 for f
    assert a.binary_ops == 5 + 4 + 4 + 3 + 2
    assert a.size == a.s and a.wires == a.w


def test_backprop_example_hand_counts():
    a = analyze(backprop_example())
    assert (a.n, a.s, a.w, a.depth, a.constants) == (2, 4, 8, 3, 0)
    assert a.op_counts == {"add": 2, "mul": 2}
    assert (a.max_fan_in, a.max_fan_out, a.binary_ops) == (2, 2, 4)


def test_repeated_operand_and_nary_gates():
    b = Builder()
    x, y, z = (b.input_node(n) for n in "xyz")
    sq = b.gate("mul", x, x)                       # x·x: two wires from x
    p3 = b.gate("mul", x, y, z)                    # one 3-ary product: 2 binary ops
    lin = b.gate("add", sq, p3, z, weights=(2, -3, 1))  # 2 additions + 2 scalings
    s1 = b.gate("add", lin, weights=(7,))          # a one-wire gate counts 1
    b.output_node("f", b.gate("sin", s1))
    a = analyze(b.build())
    assert (a.s, a.w) == (5, 2 + 3 + 3 + 1 + 1)
    assert a.max_fan_out == 3                      # x: twice into sq, once into p3
    assert a.binary_ops == 1 + 2 + 4 + 1 + 1
    assert a.depth == 4


def test_as_dict_and_str():
    a = analyze(figure1())
    d = a.as_dict()
    assert d["s"] == 7 and d["op_counts"] == {"add": 4, "square": 3} and d["outputs"] == ["f"]
    assert "s=7" in str(a) and "depth 3" in str(a)


@settings(max_examples=40, deadline=None)
@given(ct.random_circuits(max_outputs=2, max_inputs=3, max_gates=10))
def test_counts_agree_with_networkx(c):
    G = c.dag
    a = analyze(c)
    assert a.s == sum(1 for _, op in G.nodes(data="op") if op not in ("input", "const"))
    assert a.w == G.number_of_edges()
    assert a.max_fan_out == max((d for _, d in G.out_degree()), default=0)
    # depth: edges on the longest path into an output = gates on it
    depth = 0
    for v in c.outputs.values():
        sub = G.subgraph(nx.ancestors(G, v) | {v})
        depth = max(depth, nx.dag_longest_path_length(sub, weight="unit", default_weight=1))
    assert a.depth == depth


def test_cost_models():
    c = circuits.trace(lambda x, y: circuits.sin(x * y) + 2 * x)
    assert cost(c) == cost(c, "unit") == 3
    assert cost(c, "binary") == 1 + 1 + 2        # mul, sin, add with one weight 2
    assert cost(c, {"mul": 2, "add": 1, "sin": 10}) == 13
    assert cost(c, {"sin": 4, "default": 1}) == 6
    assert cost(c, lambda circuit, v: len(circuit.args(v))) == 2 + 1 + 2
    with pytest.raises(CircuitError, match="'sin'.*default"):
        cost(c, {"mul": 1, "add": 1})
    with pytest.raises(CircuitError, match="unknown cost model"):
        cost(c, "flops")


def _dag_size(c):
    return sum(1 for _, op in c.dag.nodes(data="op") if op not in ("input", "const"))


def test_compare_rows_and_formats():
    c = backprop_example()
    t = compare(c, extra=("jvp", "vjp", "hvp"))
    labels = [r["circuit"] for r in t.rows]
    assert labels == ["circuit", "forward", "backward", "simplify(forward)", "simplify(backward)",
                      "jvp", "vjp", "hvp"]
    assert t.rows[0]["s"] == 4 and t.rows[0]["bound"] is None
    fwd = circuits.forward(c)
    assert t.rows[1]["s"] == _dag_size(fwd) and t.rows[1]["w"] == fwd.dag.number_of_edges()
    assert t.rows[1]["ratio"] == pytest.approx(t.rows[1]["s"] / 4)
    for r in t.rows[1:]:
        assert r["holds"] == (r["s"] <= r["bound"])
        assert isinstance(r["claim"], str) and re.search(r"\(.* (19|20)\d\d\)", r["claim"])
    assert all(r["holds"] for r in t.rows[1:])

    text = str(t).splitlines()
    assert text[1].split()[:5] == ["circuit", "n", "s", "w", "depth"]
    body = text[3:3 + len(t.rows)]
    assert [line.split()[0] for line in body] == labels
    assert len({len(line) for line in body[:2]}) == 1         # aligned columns
    assert len(t) == len(t.rows)

    md = t.to_markdown().splitlines()
    table = [line for line in md if line.startswith("|")]
    assert len(table) == 2 + len(t.rows)
    assert all(line.count("|") == 10 for line in table)
    assert t.rows[0]["memory"] == circuits.peak_memory(c) and t.rows[1]["memory"] == circuits.peak_memory(fwd)
    assert text[1].split()[5] == "memory" and int(body[0].split()[5]) == circuits.peak_memory(c)

    root = ET.fromstring(f"<div>{t._repr_html_()}</div>")
    assert len(root.findall(".//tbody/tr")) == len(t.rows)
    assert [td.text for td in root.findall(".//tbody/tr")[0]][:3] == ["circuit", "2", "4"]


def test_compare_without_simplified_and_bad_extra():
    t = compare(figure1(), simplified=False)
    assert [r["circuit"] for r in t.rows] == ["circuit", "forward", "backward"]
    with pytest.raises(CircuitError, match="unknown extra"):
        compare(figure1(), extra=("jacobian",))


def test_compare_several_outputs():
    c = circuits.trace(lambda x, y: (x * y, x + circuits.sin(y)))
    t = compare(c)
    assert t.rows[2]["circuit"] == "backward" and t.rows[2]["holds"]


def sum_of_squares(k):
    b = Builder()
    xs = b.inputs([f"x{i}" for i in range(k)])
    b.output("f", circuits.sum_of([circuits.square(x) for x in xs]))
    return b.build()


def test_scaling_rows_follow_the_notes():
    seen = []
    rows = scaling(sum_of_squares, [4, 8, 16], progress=lambda done, total, k: seen.append((done, total, k)))
    assert seen == [(1, 3, 4), (2, 3, 8), (3, 3, 16)]
    assert [(r["size"], r["n"], r["s"], r["w"]) for r in rows] == [(k, k, k + 1, 2 * k) for k in (4, 8, 16)]
    # forward grows like n·(s + w) (quadratic here), backward like s + w (linear)
    f4, f8, f16 = (r["forward"] for r in rows)
    b4, b8, b16 = (r["backward"] for r in rows)
    assert f16 / f8 > 3.5 and f8 / f4 > 3.0
    assert b16 / b8 < 2.5 and b8 / b4 < 2.5


def test_scaling_rejects_non_circuits():
    with pytest.raises(CircuitError, match="not a Circuit"):
        scaling(lambda k: k, [2])


def test_plot_scaling(tmp_path):
    pytest.importorskip("matplotlib")
    rows = scaling(sum_of_squares, [2, 4, 8])
    png = tmp_path / "plots" / "s.png"
    circuits.plot_scaling(rows, png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = tmp_path / "s.svg"
    fig = circuits.plot_scaling(rows, svg)
    assert ET.parse(svg).getroot().tag.endswith("svg")
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels[:3] == ["circuit s", "forward", "backward"] and any("slope 2" in x for x in labels)
    with pytest.raises(CircuitError, match=".png, .svg or .pdf"):
        circuits.plot_scaling(rows, tmp_path / "s.txt")


def test_plots_refuse_a_path_they_cannot_write(tmp_path):
    pytest.importorskip("matplotlib")
    (tmp_path / "taken.png").mkdir()  # a folder where the file would go
    rows = scaling(sum_of_squares, [2, 4])
    with pytest.raises(CircuitError, match="cannot write"):
        circuits.plot_scaling(rows, tmp_path / "taken.png")
    curves = {"checkpointed": list(circuits.tradeoff(circuits.library.figure1()))}
    with pytest.raises(CircuitError, match="cannot write"):
        circuits.plot_tradeoff(curves, tmp_path / "taken.png")
    with pytest.raises(CircuitError, match="plot_tradeoff writes .png, .svg or .pdf"):
        circuits.plot_tradeoff(curves, tmp_path / "t.txt")
    circuits.plot_tradeoff(curves, tmp_path / "new" / "t.svg")
    assert ET.parse(tmp_path / "new" / "t.svg").getroot().tag.endswith("svg")


def test_plot_scaling_without_matplotlib(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(CircuitError, match="pip install matplotlib"):
        circuits.plot_scaling([{"n": 1, "s": 1, "forward": 1, "backward": 1}], tmp_path / "x.png")
