"""circuits.to_html / circuits.view: the interactive page, checked as data and in headless Chromium.

The browser tests drive Debian's Chromium through Playwright (the optional ``browser``
extra); they are skipped, saying so, where either is missing.  Every number the page shows
is checked against the package's own: the steps against ``render_steps``, values against
``node_values``, adjoints against ``propagate`` over the real semiring, paths against
``top_paths``.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import time

import pytest

import circuits
from circuits import CircuitError, library
from circuits.cli import main
from circuits.eval.interpreter import node_values
from circuits.render.draw import collapsed_boxes
from circuits.render.html import EXPAND_LIMIT
from circuits.semirings import REAL

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
needs_browser = pytest.mark.skipif(
    CHROMIUM is None or importlib.util.find_spec("playwright") is None,
    reason="the browser tests need Chromium (apt-get install chromium) and Playwright "
           "(pip install 'gradient-circuits[browser]')")

EXAMPLE_POINT = {"x_1": 1.0, "x_2": 2.0}
HOSTILE = ["<img src=x onerror=alert(1)>", "</script><script>alert(2)</script>", "a&b\"'<!--"]


def _data(page: str) -> dict:
    found = re.search(r'<script id="circuit-data" type="application/json">(.*?)</script>', page, re.S)
    return json.loads(found.group(1))


def test_the_page_is_one_file_that_reaches_nothing_outside():
    page = circuits.to_html(library.backprop_example(), point=EXAMPLE_POINT)
    head, body = page.split("<body>")
    assert "default-src 'none'" in head                     # the browser refuses any request
    assert not re.search(r"(src|href)\s*=", page.replace('xmlns:xlink="http://www.w3.org/1999/xlink"', ""))
    data = _data(page)
    steps = circuits.render_steps(library.backprop_example())
    assert [f["title"] for f in data["frames"]] == steps.titles
    assert [f["fresh"] for f in data["frames"]] == [[f"n{v}" for v in s] for s in steps.fresh]


@pytest.mark.parametrize("transform", ["backward", "forward", "eliminate"])
@pytest.mark.parametrize("name", HOSTILE)
def test_names_are_text_in_the_page_data(name, transform):
    b = circuits.Builder()
    x, y = b.input(name), b.input("y")
    b.output("f", x * y + circuits.sin(x))
    page = circuits.to_html(b.build(), point={name: 1.0, "y": 2.0}, transform=transform)
    assert page.count("<script") == 2 and page.count("</script>") == 2
    assert name not in page                                   # only escaped forms reach the file
    assert name in _data(page)["inputs"].values()


def test_bad_arguments_are_circuit_errors(tmp_path):
    c = library.backprop_example()
    for kwargs, match in [({"transform": "sideways"}, "unknown transform"),
                          ({"point": 3}, "point must be a mapping"),
                          ({"max_nodes": 0}, "max_nodes must be"),
                          ({"title": 5}, "title must be a str"),
                          ({"point": {"x_1": 1.0}}, "x_2")]:
        with pytest.raises(CircuitError, match=match):
            circuits.to_html(c, **kwargs)
    with pytest.raises(CircuitError, match="expects a Circuit"):
        circuits.to_html("x*y")
    with pytest.raises(CircuitError, match="one output"):
        circuits.to_html(circuits.parse({"f": "x*y", "g": "x+y"}))
    with pytest.raises(CircuitError, match="cannot write"):
        circuits.to_html(c, tmp_path / "missing" / "page.html")
    with pytest.raises(CircuitError, match="write it with"):
        circuits.view(c, path="x.html")


def test_jupyter_shows_the_page_in_an_iframe(tmp_path):
    v = circuits.view(library.backprop_example(), point=EXAMPLE_POINT)
    frame = v._repr_html_()
    assert frame.startswith('<iframe srcdoc="') and 'sandbox="allow-scripts"' in frame
    assert "<script" not in frame                              # escaped into the attribute
    assert v.save(tmp_path / "p.html").read_text(encoding="utf-8") == v.html


def test_the_command_line_writes_the_page(tmp_path, capsys):
    out = tmp_path / "page.html"
    assert main(["view", "x*y + sin(x)", "-o", str(out), "--point", "x=1,y=2"]) == 0
    assert "wrote" in capsys.readouterr().out
    assert len(_data(out.read_text(encoding="utf-8"))["frames"]) == len(circuits.parse("x*y + sin(x)"))  # a step per vertex
    assert main(["view", "x*y", "-o", str(out), "--transform", "eliminate"]) == 0
    assert main(["view", "x*y", "-o", str(out), "--point", "x=1,z=2"]) == 2


def test_a_large_circuit_opens_in_outline_and_its_small_boxes_open():
    c = library.random_circuit(3, 400, seed=2)
    data = _data(circuits.to_html(c))
    assert data["kind"] == "outline" and len(data["frames"]) == 1
    assert "outline" in data["frames"][0]["title"]
    boxes = collapsed_boxes(c)
    assert sorted(v for members in boxes.values() for v in members) == list(range(len(c)))
    small = {name for name, members in boxes.items()
             if 0 < sum(c.op(v) not in ("input", "const") for v in members) <= EXPAND_LIMIT}
    assert small and set(data["expand"]) == small
    for name, k in data["expand"].items():               # every gate of the box is drawn inside it
        drawn = re.findall(r"<title>n(\d+)</title>", data["svgs"][k])
        gates = sum(c.op(v) not in ("input", "const") for v in boxes[name])
        assert len(drawn) >= gates, name


# --- in the browser ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


def _open(browser, tmp_path, page_html, name="page.html"):
    path = tmp_path / name
    path.write_text(page_html, encoding="utf-8")
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    problems = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("request", lambda r: problems.append(f"request {r.url}") if not r.url.startswith(("file:", "data:", "about:")) else None)
    page.on("dialog", lambda d: (problems.append(f"dialog {d.message}"), d.dismiss()))
    page.goto(path.as_uri())
    return page, problems


def _classes(page, cls):
    return sorted(page.eval_on_selector_all(f"#canvas > div:not([hidden]) g.node.{cls} title", "ts => ts.map(t => t.textContent.trim())"))


def _hover_text(page, node):
    page.hover(f"#canvas > div:not([hidden]) g.node:has(title:text-is('{node}'))", force=True)
    return page.text_content("#info")


@needs_browser
def test_stepping_through_backpropagation_in_the_browser(browser, tmp_path):
    c = library.backprop_example()
    steps = circuits.render_steps(c)
    page, problems = _open(browser, tmp_path, circuits.to_html(c, point=EXAMPLE_POINT))
    drawn = set(page.eval_on_selector_all("#canvas g.node title", "ts => ts.map(t => t.textContent.trim())"))
    assert {f"n{v}" for v in range(len(c))} <= drawn
    hidden_at_start = set(_classes(page, "step-hidden"))
    assert hidden_at_start == {f"n{v}" for s in steps.fresh[1:] for v in s} & drawn
    for k, fresh in enumerate(steps.fresh):
        assert page.text_content("#step-title") == steps.titles[k]
        assert _classes(page, "step-fresh") == sorted({f"n{v}" for v in fresh} & drawn)
        assert f"gates added so far: {sum(map(len, steps.fresh[:k + 1]))}" in page.text_content("#counters")
        page.keyboard.press("ArrowRight") if k % 2 else page.click("#next")
    assert page.evaluate("window.circuitsViewer.state()") == {"step": len(steps.fresh) - 1, "frames": len(steps.fresh),
                                                              "expanded": None}
    assert _classes(page, "step-hidden") == []
    page.click("#first")
    assert page.evaluate("window.circuitsViewer.state().step") == 0
    page.keyboard.press("End")
    # values and adjoints, node by node, against node_values and propagate
    grad = steps.circuit
    values = node_values(grad, EXAMPLE_POINT)
    adjoints = circuits.propagate(c, REAL, EXAMPLE_POINT, output="y")
    primal = node_values(c, EXAMPLE_POINT)
    for v in range(len(grad)):
        if f"n{v}" not in drawn:       # a constant drawn beside each gate that reads it
            continue
        text = _hover_text(page, f"n{v}")
        assert f"value {values[v]:g}" in text, (v, text)
    for x, v in c.inputs.items():
        assert f"= {adjoints.inputs[x]:g}" in _hover_text(page, f"n{v}").split("adjoint")[1].splitlines()[0]
    for v in range(len(c)):
        assert f"value {primal[v]:g}" in _hover_text(page, f"n{v}")
    # clicking an input highlights its heaviest gradient paths
    for x, v in c.inputs.items():
        page.click(f"#canvas > div:not([hidden]) g.node:has(title:text-is('n{v}'))", force=True)
        want = {f"n{u}" for p in circuits.top_paths(c, EXAMPLE_POINT, k=3, input=x) for u in p.nodes}
        assert set(_classes(page, "on-path")) == want
        assert "heaviest gradient paths" in page.text_content("#info")
    page.screenshot(path=str(tmp_path / "middle.png"))
    assert problems == []


@needs_browser
def test_an_mlp_forward_and_an_elimination_step_through_without_errors(browser, tmp_path):
    mlp = library.mlp([2, 3, 1])
    point = {x: 0.1 * (k + 1) for k, x in enumerate(mlp.inputs)}
    for transform in ("backward", "forward", "eliminate"):
        page, problems = _open(browser, tmp_path, circuits.to_html(mlp, point=point, transform=transform,
                                                                    max_nodes=None), f"{transform}.html")
        frames = page.evaluate("window.circuitsViewer.state().frames")
        for _ in range(frames):
            page.keyboard.press("ArrowRight")
        assert page.evaluate("window.circuitsViewer.state().step") == frames - 1
        page.mouse.wheel(0, -300)                               # zoom in, then fit again
        page.click("#reset")
        assert problems == [], transform


@needs_browser
@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_show_as_text_and_run_nothing(browser, tmp_path, name):
    b = circuits.Builder()
    x = b.input(name)
    b.output("f", circuits.sin(x) * x)
    page, problems = _open(browser, tmp_path, circuits.to_html(b.build(), point={name: 0.5}))
    assert page.evaluate("typeof window.alert") == "function" and problems == []
    texts = page.eval_on_selector_all("#canvas svg text", "ts => ts.map(t => t.textContent)")
    assert any(name in t for t in texts)
    assert name in _hover_text(page, "n0")


@needs_browser
def test_a_ten_thousand_gate_circuit_opens_in_outline(browser, tmp_path):
    page_html = circuits.to_html(library.random_circuit(4, 10_000, seed=1))
    start = time.perf_counter()
    page, problems = _open(browser, tmp_path, page_html)
    page.wait_for_selector("#canvas svg")
    opened = time.perf_counter() - start                       # reported, not asserted (timing)
    print(f"10,000-gate outline opened in {opened:.2f} s")
    boxes = page.eval_on_selector_all("#canvas > div:not([hidden]) g.node title", "ts => ts.map(t => t.textContent)")
    assert 1 < len(boxes) <= 60
    page.click("#canvas g.node", force=True)
    assert page.text_content("#info").strip()
    assert problems == []


@needs_browser
def test_a_box_of_the_outline_opens_and_closes(browser, tmp_path):
    page_html = circuits.to_html(library.mlp([8, 16, 16, 1]))
    data = _data(page_html)
    name = sorted(data["expand"])[0]
    page, problems = _open(browser, tmp_path, page_html)
    page.click(f"#canvas > div:not([hidden]) g.node:has(title:text-is('{name}'))", force=True)
    assert page.evaluate("window.circuitsViewer.state().expanded") == name
    inside = page.eval_on_selector_all("#canvas > div:not([hidden]) g.node", "gs => gs.length")
    assert inside == data["svgs"][data["expand"][name]].count('class="node"')
    assert page.text_content("#step-title").startswith("inside")
    page.click("#back")
    assert page.evaluate("window.circuitsViewer.state().expanded") is None
    assert problems == []
