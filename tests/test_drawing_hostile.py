"""Every drawing function escapes what it is given: names, sympy expressions and gate labels go
through one escaping path, so a hostile name can neither change the DOT text nor make ``dot``
embed a local file in the SVG; meta and paths the drawing cannot use are refused clearly."""

import json
import shutil
import subprocess

import numpy as np
import pytest

import circuits
from circuits import CircuitError, Gate, library

pytestmark = pytest.mark.skipif(shutil.which("dot") is None,
                                reason="Graphviz 'dot' is not installed (apt-get install graphviz)")

HOSTILE = [
    '<<TABLE><TR><TD><IMG SRC="/some/local.png"/></TD></TR></TABLE>>',
    "ends_in_backslash\\",
    'say "hi"',
    "{x}_1 & 50% $a$ #2 ~^",
    '<x>]; y [label="PWNED"]; z [label=<y>',
    "\\N\\G\\E",
]


def _hostile_json(names) -> str:
    """A JSON circuit whose inputs and output carry the hostile names."""
    return json.dumps({"format": "circuits", "version": 2, "inputs": names[:2], "outputs": {names[2]: 4},
                       "nodes": [{"op": "input", "name": names[0]}, {"op": "input", "name": names[1]},
                                 {"op": "mul", "args": [0, 1]}, {"op": "sin", "args": [2]},
                                 {"op": "add", "args": [3, 1]}]})


@pytest.fixture
def backslash_gate():
    """A registered gate whose display label ends in a backslash."""
    gate = Gate("twice_bs", 1, "2×\\", formula=lambda m, u: 2 * u, num=lambda u: 2 * u,
                vec=lambda u: 2 * np.asarray(u), partial=lambda b, args, out, i: (None, 2))
    with circuits.registered_gate(gate):
        yield gate


def _circuits(backslash_gate):
    out = []
    for k in range(len(HOSTILE)):
        a, b, y = HOSTILE[k], HOSTILE[(k + 1) % len(HOSTILE)], HOSTILE[(k + 2) % len(HOSTILE)]
        c = circuits.trace(lambda u, v: circuits.sin(u * v) + v, inputs=[a, b])
        out.append(c.replace(outputs={y: c.outputs[next(iter(c.outputs))]}))
    b = circuits.Builder()
    x = b.input(HOSTILE[1])
    b.output_node(HOSTILE[0], b.gate("twice_bs", b.gate("sin", x)))
    out.append(b.build())
    return out


def _svg(g) -> str:
    return subprocess.run(["dot", "-Tsvg"], input=g.source.encode("utf-8"), capture_output=True,
                          check=True).stdout.decode("utf-8")


def _drawings(c):
    x = next(iter(c.inputs))
    point = {name: 0.5 + k for k, name in enumerate(c.inputs)}
    yield circuits.render(c)
    yield circuits.render(c, values=point, gradients=True)
    yield circuits.render(c, values=point, highlight=circuits.top_paths(c, point, k=2))
    yield circuits.render(c, collapse=True)
    yield circuits.render(circuits.backward(c, mirror=True), mirror=True)
    yield circuits.render(circuits.forward(c, wrt=[x]))
    yield circuits.render_transforms(c)
    yield from circuits.render_steps(c)
    yield from circuits.render_elimination(c, "reverse")
    yield from circuits.render_elimination(c, "forward", point=point)


def test_every_drawing_function_escapes_hostile_names(backslash_gate):
    for c in _circuits(backslash_gate):
        for g in _drawings(c):
            svg = _svg(g)  # dot accepts it (check=True)
            assert "<image" not in svg and "local.png" not in svg.replace("&lt;IMG SRC=&quot;/some/local.png", "")
            assert "PWNED" not in g.source.replace('\\"PWNED\\"', "")


def test_titles_with_line_breaks_and_quotes_stay_one_label():
    c = circuits.parse("x*y")
    g = circuits.render(c, title='two\nlines "quoted" \\')
    svg = _svg(g)
    assert "two" in svg and "lines" in svg and "&quot;quoted&quot;" in svg


def test_a_gate_label_ending_in_a_backslash_is_drawn_as_written(backslash_gate):
    c = circuits.parse("twice_bs(x)")
    svg = _svg(circuits.render(c))
    assert "2×\\" in svg


def test_hostile_json_circuit_draws_its_names_as_text():
    c = circuits.from_json(_hostile_json(HOSTILE[:3]))
    svg = _svg(circuits.render(c))
    assert "&lt;&lt;TABLE&gt;" in svg and "<image" not in svg
    svg = _svg(circuits.render_elimination(c)[0])
    assert "&lt;&lt;TABLE&gt;" in svg and "<image" not in svg


def test_render_refuses_a_forged_adjoint_map():
    c = circuits.backward(circuits.parse("x*y + sin(x)"), mirror=True)
    for forged in ({5: 99}, {99: 2}, {"a": 2}, {1: -1}):
        with pytest.raises(CircuitError, match="adjoint_of"):
            circuits.render(c.replace(meta={**c.meta, "adjoint_of": forged}), mirror=True)
    with pytest.raises(CircuitError, match="role"):
        circuits.render(c.replace(meta={**c.meta, "role": ["primal"]}))


def test_highlight_takes_one_path_or_several_of_this_circuit():
    f = library.backprop_example()
    point = {"x_1": 3.0, "x_2": 5.0}
    paths = circuits.top_paths(f, point, k=2)
    one = circuits.render(f, highlight=paths[0]).source
    assert one.count("penwidth=3.5") == len(paths[0].edges)
    other = circuits.top_paths(library.figure1(), {"x": 1.0, "y": 2.0, "z": 3.0}, k=1)
    with pytest.raises(CircuitError, match="not a path of this circuit"):
        circuits.render(f, highlight=other)
    for wrong in ("path", 3, {"a": 1}, [None]):
        with pytest.raises(CircuitError, match="highlight"):
            circuits.render(f, highlight=wrong)
