"""circuits.to_tikz: a standalone LaTeX/TikZ picture with render's layout, compiled by pdflatex."""

import shutil
import subprocess

import pytest

import circuits
from circuits import CircuitError, library
from circuits.render.layout import node_positions, text_boxes
from circuits.render.latex import latex_text

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")
needs_latex = pytest.mark.skipif(
    shutil.which("pdflatex") is None or shutil.which("kpsewhich") is None
    or subprocess.run(["kpsewhich", "phvr8t.tfm"], capture_output=True).returncode != 0,
    reason="pdflatex or the Helvetica the drawings use is not installed (make test installs them on Debian: "
           "apt-get install texlive-latex-base texlive-pictures texlive-latex-extra texlive-fonts-recommended)")

SPECIALS = "a_b & 50% $x$ #1 {y} ~z ^w back\\"


def test_latex_specials_are_escaped():
    assert latex_text(SPECIALS) == (r"a\_b \& 50\% \$x\$ \#1 \{y\} \textasciitilde{}z "
                                    r"\textasciicircum{}w back\textbackslash{}")
    assert latex_text("dy/du₁ ÷ σ") == r"dy/du$_{1}$ $\div$ $\sigma$"


@needs_dot
def test_same_layout_labels_and_colours_as_render():
    c = library.figure1()
    g = circuits.render(c)
    tex = circuits.to_tikz(c)
    for name, (x, y) in node_positions(g).items():
        if name.startswith("n"):
            assert f"{x:.2f}" in tex and f"{y:.2f}" in tex, name
    for box in text_boxes(g):
        assert latex_text(box.text) in tex, box.text
    assert "{HTML}{C0392B}" in tex and "{HTML}{D9F2D9}" in tex  # output outline, input fill


@needs_dot
def test_render_picks_tikz_by_suffix_and_refuses_bad_arguments(tmp_path):
    c = circuits.parse("x*y")
    circuits.render(c, tmp_path / "c.tex")
    assert (tmp_path / "c.tex").read_text(encoding="utf-8") == circuits.to_tikz(c)
    circuits.render_transforms(c, tmp_path / "t.tex")
    assert "\\begin{tikzpicture}" in (tmp_path / "t.tex").read_text(encoding="utf-8")
    with pytest.raises(CircuitError, match="expects a Circuit"):
        circuits.to_tikz("x*y")
    with pytest.raises(CircuitError, match="no render options"):
        circuits.to_tikz(circuits.render(c), legend=False)


@needs_dot
@needs_latex
def test_the_picture_compiles_with_pdflatex(tmp_path):
    names = ["a_b & 50%", "x$#{}", "w~^\\"]
    c = circuits.trace(lambda p, q, r: circuits.sin(p * q) + r, inputs=names)
    c = c.replace(outputs={"loss_1": c.outputs[next(iter(c.outputs))]})
    path = tmp_path / "c.tex"
    circuits.render(circuits.backward(c, keep_primal=True), path, values=None)
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", path.name],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:]
    pdf = (tmp_path / "c.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000
    if shutil.which("mutool"):
        text = subprocess.run(["mutool", "draw", "-q", "-F", "txt", "-o", "-", str(tmp_path / "c.pdf")],
                              capture_output=True, text=True).stdout
        for word in ("a_b & 50%", "x$#{}", "w~^\\", "loss"):
            assert word in text, (word, text)
