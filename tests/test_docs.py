"""The documentation's examples run and print what the pages say; its links and claims hold.

Every ```` ```pycon ```` block of a page under ``docs/`` is a doctest; the blocks of one page
share their names, as a reader typing them in order would.  They run in a temporary folder
(drawings are written there).  The theory page must name, for every claim, a function that
exists, and cite only works the bibliography lists.
"""

from __future__ import annotations

import doctest
import importlib
import re
from pathlib import Path

import pytest

import circuits

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted(p for p in DOCS.rglob("*.md")
               if not {"_build", "_generated", "generated"}.intersection(p.relative_to(DOCS).parts))
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _blocks(page: Path) -> list:
    return re.findall(r"^```pycon\n(.*?)^```", page.read_text(encoding="utf-8"), flags=re.S | re.M)


@pytest.mark.parametrize("page", [p for p in PAGES if _blocks(p)], ids=lambda p: str(p.relative_to(DOCS)))
def test_page_examples(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    parser, runner = doctest.DocTestParser(), doctest.DocTestRunner(optionflags=FLAGS)
    names: dict = {}
    registered = set(circuits.GATES)
    try:
        for k, block in enumerate(_blocks(page)):
            test = parser.get_doctest(block, names, f"{page.name}[{k}]", str(page), 0)
            runner.run(test, clear_globs=False)
            names.update(test.globs)        # DocTest copies its globals: carry them to the next block
    finally:
        for name in set(circuits.GATES) - registered:   # a page's own gate must not leak
            circuits.unregister_gate(name)
    result = runner.summarize(verbose=False)
    assert result.attempted > 0 and result.failed == 0, f"{result.failed} example(s) of {page.name} failed"


def test_every_page_is_in_a_table_of_contents():
    tocs = "\n".join(re.findall(r"```\{toctree\}(.*?)```", "\n".join(p.read_text() for p in PAGES), flags=re.S))
    for page in PAGES:
        rel = page.relative_to(DOCS).with_suffix("").as_posix()
        if rel == "index":
            continue
        name = rel.split("/")[-1]
        assert re.search(rf"^\s*({re.escape(rel)}|{re.escape(name)})\s*$", tocs, flags=re.M), rel


def test_readme_links_into_the_docs_exist():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\(((?:docs|notebooks)/[^)#]+)", readme)
    assert len(links) >= 10
    for link in links:
        assert (ROOT / link).exists(), link


def test_theory_names_functions_that_exist_and_cites_the_bibliography():
    theory = (DOCS / "theory.md").read_text(encoding="utf-8")
    bibliography = (DOCS / "bibliography.md").read_text(encoding="utf-8")
    checked = re.findall(r"`(circuits(?:\.\w+)+)`", theory)
    assert len(set(checked)) >= 15
    for dotted in checked:
        obj, path = circuits, "circuits"
        for part in dotted.split(".")[1:]:
            path += "." + part
            if not hasattr(obj, part):      # a submodule not imported by ``import circuits``
                obj = importlib.import_module(path)
            else:
                obj = getattr(obj, part)
    keys = set(re.findall(r"^\(([\w-]+)\)=", bibliography, flags=re.M))
    refs = set(re.findall(r"\]\(bibliography\.md#([\w-]+)\)", theory))
    assert len(refs) >= 8 and refs <= keys, refs - keys
