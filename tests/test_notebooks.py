"""Execute the tutorial notebooks in ``notebooks/`` and check their committed outputs.

Every notebook runs top to bottom in a fresh ``python3`` kernel (nbclient,
working directory ``notebooks/``); any error fails the test.  The committed
notebooks must also be current:

* their cells are the ones ``notebooks/build_notebooks.py`` writes;
* they were executed in one run (execution counts 1, 2, ... on every code
  cell, no error output);
* the text each cell prints now is the text committed (memory addresses
  dropped, numbers compared to 6 significant digits, tiny ones as 0), and
  the kinds of output (text, SVG drawing, PNG plot, HTML table) are the same.

When one of these fails after a change to the package, regenerate with
``python3 notebooks/build_notebooks.py`` and commit the notebooks.

The tests carry the ``notebooks`` mark: deselect them with ``-m "not notebooks"``.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.notebooks

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"
COMMITTED = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
CELL_TIMEOUT = 120          # seconds per cell


def _generator():
    spec = importlib.util.spec_from_file_location("build_notebooks", NOTEBOOK_DIR / "build_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GENERATOR = _generator()

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
_NUMBER = re.compile(r"-?(?:\d+\.\d*(?:[eE][-+]?\d+)?|\d+[eE][-+]?\d+)")


def _number(match) -> str:
    x = float(match.group())
    return "0" if abs(x) < 1e-6 else f"{x:.6g}"


def _normalise(text: str) -> str:
    return _NUMBER.sub(_number, _ADDRESS.sub("", text)).rstrip()


def _summary(cell) -> dict:
    """What a code cell showed: its streams, plain-text results and output kinds."""
    streams, plain, kinds = {}, [], set()
    for out in cell.get("outputs", []):
        kind = out["output_type"]
        if kind == "stream":
            # one print may arrive as several stream messages: join them
            streams[out["name"]] = streams.get(out["name"], "") + out["text"]
        elif kind in ("execute_result", "display_data"):
            kinds.update(out["data"])
            if "text/plain" in out["data"]:
                plain.append(_normalise(out["data"]["text/plain"]))
        else:
            kinds.add(kind)
    return {"streams": {k: _normalise(v) for k, v in streams.items()}, "plain": plain,
            "kinds": sorted(kinds)}


def _ids(paths):
    return [p.stem for p in paths]


def test_every_generated_notebook_is_committed():
    assert {p.stem for p in COMMITTED} == set(GENERATOR.NOTEBOOKS), (
        "notebooks/*.ipynb and build_notebooks.NOTEBOOKS differ: "
        "run python3 notebooks/build_notebooks.py")


@pytest.mark.parametrize("path", COMMITTED, ids=_ids(COMMITTED))
def test_committed_cells_are_the_generated_ones(path):
    committed = nbformat.read(str(path), as_version=4)
    nbformat.validate(committed)
    assert path.stem in GENERATOR.NOTEBOOKS, f"{path.name} is not written by build_notebooks.py"
    expected = GENERATOR.build(path.stem)
    got = [(c.cell_type, c.source) for c in committed.cells]
    want = [(c.cell_type, c.source) for c in expected.cells]
    for i, (g, w) in enumerate(zip(got, want)):
        assert g == w, f"{path.name}, cell {i} differs from build_notebooks.py: regenerate the notebook"
    assert len(got) == len(want), f"{path.name} has {len(got)} cells, build_notebooks.py {len(want)}"
    assert committed.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", COMMITTED, ids=_ids(COMMITTED))
def test_committed_notebook_was_executed_in_one_run(path):
    nb = nbformat.read(str(path), as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, f"{path.name} has no code cell"
    counts = [c.get("execution_count") for c in code]
    assert counts == list(range(1, len(code) + 1)), (
        f"{path.name}: execution counts {counts}, expected 1..{len(code)} (unexecuted or executed "
        "out of order): regenerate with python3 notebooks/build_notebooks.py")
    errors = [i for i, c in enumerate(nb.cells) for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert not errors, f"{path.name}: error output in cells {errors}"
    shown = sum(1 for c in code if c.outputs)
    assert shown >= len(code) // 2, f"{path.name}: only {shown} of {len(code)} code cells have outputs"


@pytest.mark.parametrize("path", COMMITTED, ids=_ids(COMMITTED))
def test_notebook_runs_and_committed_outputs_are_current(path, monkeypatch):
    if shutil.which("dot") is None:
        pytest.skip("the Graphviz 'dot' program is needed to draw circuits")
    # the kernel inherits the environment: make it import this checkout's package
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    committed = nbformat.read(str(path), as_version=4)
    fresh = nbformat.read(str(path), as_version=4)
    for cell in fresh.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    # raises CellExecutionError, naming the cell and the exception, on any error
    nbclient.NotebookClient(fresh, timeout=CELL_TIMEOUT, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK_DIR)}}).execute()
    for i, (old, new) in enumerate(zip(committed.cells, fresh.cells)):
        if new.cell_type != "code":
            continue
        assert _summary(new) == _summary(old), (
            f"{path.name}, cell {i} ({new.source.splitlines()[0]!r}) now shows other output than "
            "committed: regenerate with python3 notebooks/build_notebooks.py")


def test_normalisation_masks_only_noise():
    assert _normalise("<x at 0x7f85b8f67250>") == _normalise("<x at 0x7f0000000000>") == "<x>"
    assert _normalise("error 9.1e-13, max 5.4e-10") == _normalise("error 3.3e-12, max 1e-11")
    assert _normalise("-0.33820894") == _normalise("-0.338208941")
    assert _normalise("-0.3382") != _normalise("-0.3383")
    assert _normalise("size 27") != _normalise("size 28")
