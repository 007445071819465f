"""The committed figures are what the current code draws, and the README shows them."""

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from circuits.cli import _write_figures

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ROOT / "figures"


def _drawn(svg: Path):
    """What an SVG shows, independent of Graphviz's layout: node/edge titles and texts."""
    ns = "{http://www.w3.org/2000/svg}"
    root = ET.parse(svg).getroot()
    titles = sorted(t.text or "" for t in root.iter(f"{ns}title"))
    texts = sorted((t.text or "").strip() for t in root.iter(f"{ns}text"))
    return titles, texts


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    from shutil import which
    if which("dot") is None:
        pytest.skip("Graphviz 'dot' is not installed")
    out = tmp_path_factory.mktemp("figures")
    _write_figures(out, "svg", log=lambda *a: None)
    return out


def test_committed_figures_are_current(regenerated):
    fresh = sorted(p.name for p in regenerated.iterdir())
    committed = sorted(p.name for p in FIGURES.iterdir() if not p.name.startswith("bench_"))
    assert fresh == committed, "run `make figures` and commit figures/"
    for name in fresh:
        if name.endswith(".svg"):
            assert _drawn(regenerated / name) == _drawn(FIGURES / name), f"{name} is stale: run `make figures`"
        elif name.endswith(".json"):
            assert json.loads((regenerated / name).read_text()) == json.loads((FIGURES / name).read_text())


def test_readme_shows_existing_figures():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = re.findall(r"\]\((figures/[^)]+)\)", readme)
    assert shown, "the README shows no figure"
    for path in shown:
        assert (ROOT / path).is_file(), path


def test_scaling_figure_shows_forward_quadratic_backward_linear():
    rows = json.loads((FIGURES / "scaling.json").read_text())["rows"]
    first, last = rows[0], rows[-1]
    growth = last["n"] / first["n"]
    assert last["backward"] / first["backward"] < 2 * growth
    assert last["forward"] / first["forward"] > growth ** 2 / 2


def test_readme_shows_figure1_its_forward_and_backward_separately_at_readable_widths():
    """Each fits the README's 880 px column at its natural size (1 pt = 4/3 px): no shrinking.

    Checked by eye too: each rendered to PNG at 96 dpi and viewed at 880 px.
    """
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in ("figure1.svg", "figure1_forward.svg", "figure1_backward.svg"):
        assert f"](figures/{name})" in readme
        root = ET.parse(FIGURES / name).getroot()
        width_px = float(root.get("width").removesuffix("pt")) * 4 / 3
        assert width_px <= 880, (name, width_px)
    assert "figure1_transforms.svg)" not in readme  # the unreadable three-panel hairball


def test_readme_shows_backpropagation_step_by_step():
    """Backpropagation's six steps on the worked example are drawn (figures/backprop_example_step_k.svg); two are in the README,
    side by side at 420 px each (checked by eye at that width)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for k in range(1, 7):
        root = ET.parse(FIGURES / f"backprop_example_step_{k}.svg").getroot()
        assert float(root.get("width").removesuffix("pt")) * 4 / 3 <= 880
    shown = [k for k in range(1, 7) if f'src="figures/backprop_example_step_{k}.svg" width="420"' in readme]
    assert len(shown) == 2


def test_forward_figure_has_the_hand_drawn_gate_count():
    import circuits
    from circuits import library
    f = library.figure1()
    assert circuits.forward(f, wrt=["x"], figure2=True).size == 3 + 13
    assert any("size 16" in t for t in _drawn(FIGURES / "figure1_forward.svg")[1])


def test_readme_images_fit_the_column_with_text_of_9_px_or_more():
    """Every image the README shows is at most 880 px wide as shown, and its smallest text is at least
    9 px there (font size × the drawing's scale × the shown width over the natural width)."""
    from PIL import Image
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = {p: None for p in re.findall(r"\]\((figures/[^)]+)\)", readme)}
    shown.update({p: float(w) for p, w in re.findall(r'src="(figures/[^"]+)" width="(\d+)"', readme)})
    for path, width in shown.items():
        if path.endswith(".png"):
            assert Image.open(ROOT / path).size[0] <= 880, path
            continue
        root = ET.parse(ROOT / path).getroot()
        natural = float(root.get("width").removesuffix("pt")) * 4 / 3
        scale = natural / (float(root.get("viewBox").split()[2]) * 4 / 3)
        at = min(natural, width or 880)
        assert at <= 880, (path, at)
        smallest = min(float(t.get("font-size")) for t in root.iter("{http://www.w3.org/2000/svg}text"))
        assert smallest * 4 / 3 * scale * at / natural >= 9, (path, smallest)
