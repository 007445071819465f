"""Every `circuits` subcommand run as a subprocess: exit codes and output."""

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")


def run(*args, cwd=None):
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-m", "circuits", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


class Result:
    def __init__(self, returncode, stdout, stderr):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def call(capsys, *args):
    """In-process run of the same entry point (fast, for the many small cases)."""
    from circuits.cli import main
    code = main(list(args))
    out, err = capsys.readouterr()
    return Result(code, out, err)


def assert_one_line_error(p, *fragments):
    assert p.returncode == 2, p.stderr
    lines = p.stderr.rstrip().splitlines()
    if len(lines) == 3:  # a parse error keeps the formula and its caret line under the error
        assert lines[2].strip() == "^" and lines[1].startswith("  "), p.stderr
        lines = lines[:1]
    assert len(lines) == 1 and "error:" in lines[0], p.stderr
    assert "Traceback" not in p.stderr
    for f in fragments:
        assert f in lines[0]


def test_help_and_bad_command_as_subprocesses():
    p = run("--help")
    assert p.returncode == 0 and p.stdout.startswith("usage: circuits")
    for command in ("demo", "figures", "report", "render", "scaling"):
        assert command in p.stdout
    assert_one_line_error(run("frobnicate"), "invalid choice")


@pytest.mark.parametrize("command", [[], ["demo"], ["figures"], ["report"], ["render"], ["scaling"]])
def test_help_everywhere(capsys, command):
    p = call(capsys, *command, "--help")
    assert p.returncode == 0 and p.stdout.startswith("usage: circuits")


def test_no_command(capsys):
    assert_one_line_error(call(capsys), "required")


@needs_dot
def test_demo(tmp_path):
    p = run("demo", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    out = p.stdout
    # the sum-of-squares example: size 7, depth 3; f(1, 2, 3) = (1-6-9+5)² + (1-4-6)² + (1+2-15-3)² = 81+81+225
    assert "size 7, depth 3, wires 17, inputs 3" in out and "f = 387" in out
    assert "y = 184" in out                      # (3 + 5 + 15)(3 + 5)
    for row in ("forward", "backward", "simplify(backward)", "jvp", "vjp", "hvp"):
        assert f"\n{row} " in out
    assert "backpropagation size (Baur & Strassen 1983)" in out and "all for the price of one" in out and "FAILS" not in out
    assert out.count("central finite differences vs backward: OK") == 3
    assert "2Aᵀ(Ax − b) (numpy): [-45.0, -60.0] vs [-45.0, -60.0]: OK" in out
    svgs = sorted((tmp_path / "figures").glob("*.svg"))
    # per example: drawing, forward, backward, simplified, transforms; the worked example's six steps
    assert len(svgs) == 15 + 6
    for svg in svgs:
        assert ET.parse(svg).getroot().tag.endswith("svg")


@needs_dot
def test_figures(tmp_path):
    p = run("figures", "--out", "figs", "--format", "png", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    pngs = sorted((tmp_path / "figs").glob("*.png"))
    assert {x.name for x in pngs} >= {"figure1.png", "figure1_backward.png", "figure1_transforms.png"}
    assert all(x.read_bytes()[:4] == b"\x89PNG" for x in pngs)
    files = sorted((tmp_path / "figs").iterdir())
    assert {x.name for x in files} >= {"scaling.json", "scaling.png"}
    assert p.stdout.count("wrote ") == len(files)


def test_report_text():
    p = run("report", "x*y + sin(x)")
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    rows = {line.split()[0]: line.split() for line in lines if len(line.split()) == 9 and line.split()[0] in
            ("circuit", "forward", "backward")}
    assert rows["circuit"][:5] == ["circuit", "2", "3", "5", "2"]    # n, s = 3 gates, w = 5 wires, depth 2
    assert rows["backward"][-1] == "yes" and rows["forward"][-1] == "yes"
    assert "backpropagation size" in p.stdout and "simplify(" not in p.stdout


def test_report_json_and_options():
    p = run("report", "(x - 3*y)**2 + x*y", "--inputs", "x,y,z", "--simplify", "--json")
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    assert data["inputs"] == ["x", "y", "z"] and data["outputs"] == ["f"]
    assert data["analysis"]["s"] == 4 and data["analysis"]["w"] == 7 and data["analysis"]["n"] == 3
    assert [r["circuit"] for r in data["rows"]] == ["circuit", "forward", "backward",
                                                    "simplify(forward)", "simplify(backward)"]
    assert all(r["holds"] for r in data["rows"][1:])
    assert {b["name"].split(" (")[0] for b in data["bounds"]} >= {"backpropagation size", "all for the price of one"}


def test_report_bad_input(capsys):
    assert_one_line_error(run("report", "x*(y"), "position")
    assert_one_line_error(call(capsys, "report", "x + y", "--inputs", "x"), "circuits: error:")
    assert_one_line_error(call(capsys, "report"), "EXPR")


@needs_dot
def test_render(tmp_path):
    p = run("render", "x/y + x*x", "-o", "out.svg", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    root = ET.parse(tmp_path / "out.svg").getroot()
    titles = [g.findtext("{http://www.w3.org/2000/svg}title") for g in root.iter("{http://www.w3.org/2000/svg}g")
              if g.get("class") == "node"]
    assert sum(t.startswith("n") for t in titles) == 5       # x, y, ÷, ×, +
    p = run("render", "x/y + x*x", "-o", "b.svg", "--transform", "backward", "--values", "x=1,y=2",
            cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    text = (tmp_path / "b.svg").read_text()
    assert "df/dx" in text and "= 2.5" in text                 # f(1, 2) = 1/2 + 1


@needs_dot
def test_render_steps_mirror_and_collapse(tmp_path):
    expr = "(x1 + x2 + x1*x2) * (x1 + x2)"
    p = run("render", expr, "-o", "step.svg", "--transform", "backward", "--steps", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert sorted(x.name for x in tmp_path.iterdir()) == [f"step_{k}.svg" for k in range(1, 7)]
    assert "step 6 of 6: df/dx1 = df/du₁" in (tmp_path / "step_6.svg").read_text()
    p = run("render", expr, "-o", "m.svg", "--transform", "backward", "--mirror", cwd=tmp_path)
    assert p.returncode == 0 and "df/du₁" in (tmp_path / "m.svg").read_text()
    big = " + ".join(f"sin({k}*x)" for k in range(1, 301))
    p = run("render", big, "-o", "big.svg", cwd=tmp_path)
    assert p.returncode != 0 and "--collapse" in p.stderr and not (tmp_path / "big.svg").exists()
    p = run("render", big, "-o", "big.svg", "--collapse", cwd=tmp_path)
    assert p.returncode == 0 and "299 gates, level 2" in (tmp_path / "big.svg").read_text()  # sin(k·x), k > 1


def test_render_bad_input(tmp_path, capsys, monkeypatch):
    assert_one_line_error(run("render", "x*x", "-o", "a.jpeg", cwd=tmp_path), ".svg")
    monkeypatch.chdir(tmp_path)
    assert_one_line_error(call(capsys, "render", "x*x", "-o", "a.svg", "--mirror"), "--transform backward")
    assert_one_line_error(call(capsys, "render", "x*x", "-o", "a.svg", "--values", "x:1"), "name=value")
    assert_one_line_error(call(capsys, "render", "x*x"), "-o")
    assert_one_line_error(call(capsys, "render", "sum(x)", "-o", "a.dot"))
    assert_one_line_error(call(capsys, "render", "x*y + x", "-o", "a.svg", "--max-nodes", "2"), "--max-nodes")
    assert_one_line_error(call(capsys, "render", "x*x", "-o", "a.svg", "--steps"), "--transform backward")
    assert_one_line_error(call(capsys, "render", "x*x", "-o", "a.svg", "--collapse", "--values", "x=1"),
                          "--collapse")
    p = call(capsys, "render", "x*x", "-o", "a.svg", "--max-nodes", "-1")
    assert_one_line_error(p, "--max-nodes must be", "0 for no limit")
    assert "max_nodes" not in p.stderr
    assert_one_line_error(call(capsys, "render", "x*x", "-o", "a.png", "--size", "big"), "width,height")
    assert_one_line_error(call(capsys, "render", "3", "-o", "a.svg", "--transform", "backward", "--steps"),
                          "is a constant")
    for flag in (["--title", "BP"], ["--no-title"]):  # was: silently ignored
        assert_one_line_error(call(capsys, "render", "x*x", "-o", "a.svg", "--transform", "backward", "--steps",
                                   *flag), "--steps titles each drawing")
    assert list(tmp_path.iterdir()) == []


@needs_dot
def test_render_one_step_says_one(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    p = call(capsys, "render", "x", "-o", "s.svg", "--transform", "backward", "--steps")
    assert p.returncode == 0 and p.stdout.strip() == "wrote 1 step of backpropagation: s_1.svg"
    assert [x.name for x in tmp_path.iterdir()] == ["s_1.svg"]


def test_scaling(tmp_path):
    pytest.importorskip("matplotlib")
    p = run("scaling", "sigma2_naive", "--sizes", "2,4", "-o", "plot.png", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    header = lines[1].split()
    assert header == ["size", "n", "s", "w", "depth", "forward", "backward"]
    # σ2 with C(n,2) products and one sum: s = C(n,2) + 1, w = 2·C(n,2) + C(n,2)
    assert lines[3].split()[:4] == ["2", "2", "2", "3"]
    assert lines[4].split()[:4] == ["4", "4", "7", "18"]
    assert "2/2" in p.stderr                                   # the progress bar
    assert (tmp_path / "plot.png").read_bytes()[:4] == b"\x89PNG"


def test_scaling_json_and_bad_input(capsys):
    p = call(capsys, "scaling", "sigma2_naive", "--sizes", "3", "--json", "--quiet")
    assert p.returncode == 0 and p.stderr == ""
    rows = json.loads(p.stdout)["rows"]
    assert [(r["n"], r["s"]) for r in rows] == [(3, 4)]
    assert_one_line_error(run("scaling", "no-such-family"), "unknown family")
    assert_one_line_error(call(capsys, "scaling", "sigma2_naive", "--sizes", "2,x"), "not an integer")
    assert_one_line_error(call(capsys, "scaling", "sigma2_naive", "--sizes", "0"), "positive")


def test_cli_errors_speak_the_cli(capsys):
    p = call(capsys, "report", "x + yy", "--inputs", "x,y")
    assert p.returncode == 2
    lines = p.stderr.rstrip().splitlines()
    assert len(lines) == 3 and "--inputs on the command line" in lines[0] and "did you mean 'y'" in lines[0]
    assert lines[1] == "  x + yy" and lines[2] == "      ^"
    p = call(capsys, "render", "x*y + sin(x)", "-o", "never.svg", "--max-nodes", "3")
    assert_one_line_error(p, "--max-nodes 3", "--max-nodes 5", "--max-nodes 0")
    assert "max_nodes" not in p.stderr


def test_scaling_prints_no_rest_markup(capsys):
    p = call(capsys, "scaling", "lsq", "--sizes", "2", "--quiet")
    assert p.returncode == 0
    assert "``" not in p.stdout and ":func:" not in p.stdout and "n × n" in p.stdout
