"""Rich display in Jupyter: every result object has HTML, small circuits are drawn."""

import json
import shutil

import pytest

import circuits
from circuits import bounds, library


def test_a_small_circuit_is_drawn_and_a_large_one_summarised():
    f = circuits.parse("(x - 3*y)**2 + sin(x)")
    bundle = f._repr_mimebundle_()
    assert bundle["text/plain"] == repr(f)
    if shutil.which("dot"):
        assert bundle["image/svg+xml"].lstrip().startswith("<?xml") and "<svg" in bundle["image/svg+xml"]
    big = library.FAMILIES["random"](40)
    html = big._repr_mimebundle_()["text/html"]
    assert "image/svg+xml" not in big._repr_mimebundle_()
    assert "size 400" in html and "circuits.render" in html and html.count("\n") == 0


def test_result_objects_show_html_tables_and_verdicts():
    f = circuits.parse("(x - 3*y)**2 + sin(x)")
    g = circuits.backward(f)
    html = circuits.analyze(f)._repr_html_()
    assert "<table>" in html and "gates s" in html
    assert "✓ backpropagation size" in bounds.theorem3(f)._repr_html_()
    good = circuits.check_gradient(f, g, {"x": 1.0, "y": 2.0})._repr_html_()
    assert "✓ gradient check" in good and "<td" in good
    wrong = circuits.check_gradient(f, circuits.backward(circuits.parse("x*y")), {"x": 1.0, "y": 2.0})
    assert not wrong and "✗ gradient check" in wrong._repr_html_()
    assert "2 of 2 partials equal" in circuits.symbolic_check(f, g)._repr_html_()
    assert "Bauer" in circuits.bauer_paths(f, input="x")._repr_html_()


def test_scaling_returns_a_list_with_html():
    rows = circuits.scaling(library.sigma2_fast, [2, 4])
    assert isinstance(rows, list) and type(rows).__name__ == "ScalingTable"
    assert json.loads(json.dumps(rows)) == list(rows)
    html = rows._repr_html_()
    assert "<th>forward</th>" in html and html.count("<tr>") == 3


def test_plot_scaling_leaves_no_open_pyplot_figure():
    plt = pytest.importorskip("matplotlib.pyplot")
    plt.close("all")
    fig = circuits.plot_scaling(circuits.scaling(library.sigma2_fast, [2, 4, 8]))
    # Jupyter's inline backend shows every open pyplot figure at the end of a cell; the returned
    # figure is shown too, so an open figure is drawn twice
    assert plt.get_fignums() == [] and fig.axes
