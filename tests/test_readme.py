"""The README's example runs and prints what its comments say."""

import contextlib
import io
import re
from pathlib import Path

import circuits
from circuits.core.gates import BUILTIN, GATES

README = Path(__file__).resolve().parent.parent / "README.md"


def _python_blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_readme_gate_tutorial_prints_what_it_claims():
    (block,) = [b for b in _python_blocks() if "register_gate" in b]
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(block, "README.md", "exec"), {})
    finally:
        for name in set(GATES) - BUILTIN:  # the tutorial's gate must not leak into other tests
            circuits.unregister_gate(name)
    printed = out.getvalue().splitlines()
    claims = [line.split("#", 1)[1].strip() for line in block.splitlines()
              if line.startswith("print(") and "#" in line]
    assert len(claims) == 3 and len(printed) >= 3
    for claim, line in zip(claims, printed):
        assert line.startswith(claim.rstrip(". ")), (claim, line)


def test_readme_array_call_prints_what_it_claims():
    (block,) = [b for b in _python_blocks() if ".array(" in b]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(block, "README.md", "exec"), {})
    claims = [line.split("#", 1)[1].strip().split(":")[0] for line in block.splitlines()
              if line.startswith("print(") and "#" in line]
    assert out.getvalue().splitlines() == claims == ["(54,)", "True"]


def test_readme_example_prints_what_it_claims(tmp_path, monkeypatch):
    (block,) = [b for b in _python_blocks() if "register_gate" not in b and ".array(" not in b]
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(block, "README.md", "exec"), {})
    printed = out.getvalue().splitlines()
    # every `print(...)  # expected` line: the output starts with the comment up to its first ':'
    claims = [line.split("#", 1)[1].strip() for line in block.splitlines()
              if line.startswith("print(") and "#" in line]
    for claim in claims:
        expected = claim.split(":")[0] if not claim.startswith("{") else claim
        if claim.startswith("sizes"):
            continue
        assert any(p.startswith(expected) for p in printed), (claim, printed)
    assert (tmp_path / "f_backward.svg").read_text().lstrip().startswith(("<?xml", "<svg"))


def test_distribution_name_is_ours_and_every_install_hint_uses_it():
    """The PyPI name ``circuits`` belongs to an unrelated project: no hint may install it."""
    import re
    import tomllib
    root = Path(__file__).resolve().parent.parent
    meta = tomllib.loads((root / "pyproject.toml").read_text())
    assert meta["project"]["name"] == "gradient-circuits"
    sources = [root / "README.md", *sorted((root / "circuits").rglob("*.py"))]
    for path in sources:
        for hint in re.findall(r"pip install[^\n`\"]*", path.read_text()):
            assert not re.search(r"(?<![-\w])circuits\[", hint), (path, hint)


def test_make_test_fast_deselects_slow_and_notebooks():
    root = Path(__file__).resolve().parent.parent
    makefile = (root / "Makefile").read_text()
    assert 'test-fast:' in makefile and '-m "not slow and not notebooks"' in makefile
    assert "\ttest:" not in makefile and "\n\t$(PY) -m pytest\n" in makefile  # make test: everything


def test_readme_benchmark_tables_are_generated_from_the_stored_results():
    """The README's tables are exactly what ``python -m benchmarks.readme`` makes of benchmarks/results."""
    from benchmarks import readme

    text = README.read_text(encoding="utf-8")
    assert text.count(readme.BEGIN) == 1 and text.count(readme.END) == 1
    body = text.split(readme.BEGIN, 1)[1].split(readme.END, 1)[0].strip("\n")
    assert body == readme.tables(), "regenerate with: python -m benchmarks.readme --write"
    assert readme.render(text, body) == text
    # every stored case is a row
    assert body.count("\n| ") >= 3 * 7


def test_readme_is_for_users_not_a_development_log():
    text = README.read_text(encoding="utf-8")
    assert not re.search(r"\bissue \d+|\bsession\b|\b20\d\d-\d\d-\d\d\b", text, flags=re.I)
    quick = text.split("## Quick start", 1)[1].split("##", 1)[0]
    (commands,) = re.findall(r"```sh\n(.*?)```", quick, flags=re.S)
    assert [line.split("#")[0].strip() for line in commands.strip().splitlines()] == ["make demo", "make test"]
