"""The shipped text cites public references, never the file names of private notes.

The project started from lecture notes that a clone does not contain; a reader
meets their claims in the project's own words with public references (the
bibliography in ``docs/bibliography.md``).  This test greps everything that
ships or is shown to a user — the package, the README, the notebooks, the
docs, the benchmarks and their results, the tests, the build files — and the
text and figures ``circuits demo`` writes, for a notes file name
(``NNN_<16 hex digits>.txt``), a path into the notes folder, or a citation
of a note by its number (the word "seed" and three digits).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: Each pattern with what it catches; built from pieces so that this file does not match itself.
FORBIDDEN = {
    "a notes file name": re.compile(r"\b0\d\d_[0-9a-f]{16}\b"),
    "a path into the notes folder": re.compile("shared" + r"/seeds\b"),
    "a note cited by its number": re.compile(r"\bseeds?[ _`]*0\d\d(?!\d)", re.IGNORECASE),
}

SHIPPED = ["circuits", "benchmarks", "notebooks", "docs", "figures", "tests", ".ci"]
TOP_LEVEL = ["README.md", "Makefile", "pyproject.toml", "CHANGELOG.md", "LICENSE"]
SKIP_DIRS = {"__pycache__", "_engine_cache", "_build", ".ipynb_checkpoints", ".hypothesis"}
TEXT = {".py", ".md", ".ipynb", ".txt", ".json", ".svg", ".toml", ".rst", ".cfg", ".yml",
        ".yaml", ".html", ".css", ".csv", ""}


def _shipped_files():
    for name in TOP_LEVEL:
        if (ROOT / name).is_file():
            yield ROOT / name
    for top in SHIPPED:
        for path in sorted((ROOT / top).rglob("*")):
            if (path.is_file() and path.suffix in TEXT
                    and not SKIP_DIRS.intersection(path.relative_to(ROOT).parts)):
                yield path


def _offences(text: str, where: str) -> list:
    found = []
    for what, pattern in FORBIDDEN.items():
        for m in pattern.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            found.append(f"{where}:{line}: {what}: {m.group()!r}")
    return found


def test_patterns_catch_what_they_should():
    samples = ["see " + "003" + "_cb4127dae40e521c" + ".txt", "in ../" + "shared" + "/seeds/",
               "Theorem 3 of " + "seed" + " 003", "Seed" + " ``001_...``", "seeds" + " 000 and 004",
               "SEED" + "_003 = ..."]
    for s in samples:
        assert _offences(s, "sample"), s
    for s in ["random.seed(1)", "seed=0", "seed 12", "library.random_circuit(seed 1)",
              "Baur & Strassen 1983", "Remark 12.7"]:
        assert not _offences(s, "sample"), s


def test_no_notes_file_names_in_shipped_files():
    files = list(_shipped_files())
    assert len(files) > 100            # the walk found the repository
    found = []
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        found += _offences(text, str(path.relative_to(ROOT)))
    assert not found, "cite the public reference instead:\n" + "\n".join(found)


@pytest.mark.skipif(__import__("shutil").which("dot") is None, reason="needs Graphviz dot")
def test_no_notes_file_names_in_demo_output(tmp_path, capsys):
    from circuits import cli

    assert cli.main(["demo", "--out", str(tmp_path)]) in (0, None)
    for command in ([], ["demo"], ["figures"], ["report"], ["render"], ["scaling"]):
        assert cli.main([*command, "--help"]) == 0
    found = _offences(capsys.readouterr().out, "circuits demo / --help output")
    drawn = sorted(tmp_path.iterdir())
    assert drawn
    for path in drawn:
        found += _offences(path.read_text(encoding="utf-8", errors="replace"), f"demo figure {path.name}")
    assert not found, "\n".join(found)
