"""The package's shape, read with ``ast``: passes ask the gate registry about a gate's algebra
instead of testing its name (issue 21)."""

import ast
from pathlib import Path

from circuits.core.gates import BUILTIN

PACKAGE = Path(__file__).resolve().parent.parent / "circuits"
#: The registry itself, where gates are declared by name.
REGISTRY = {"core/gates.py", "core/registry.py"}
#: Comparisons with a word that is also a gate name but means something else.
NOT_AN_OP = {("library/networks.py", "loss")}  # loss="square": the squared-error loss


def _strings(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return [s for e in node.elts for s in _strings(e)]
    return []


def name_checks(root: Path = PACKAGE) -> list:
    """Every comparison outside the registry of an expression with a gate name: ``op == "add"``."""
    found = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel in REGISTRY:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Compare):
                continue
            sides = [node.left, *node.comparators]
            names = [s for side in sides for s in _strings(side) if s in BUILTIN]
            others = {ast.unparse(side) for side in sides if not _strings(side)}
            if names and not any((rel, o) in NOT_AN_OP for o in others):
                found.append(f"{rel}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_no_module_outside_the_registry_compares_an_op_to_a_gate_name():
    found = name_checks()
    assert not found, ("passes test gate names; declare the property on Gate (monoid, selects, "
                       "degree, identities, ...) and read it instead:\n" + "\n".join(found))


def test_the_scan_finds_a_name_check(tmp_path):
    (tmp_path / "bad.py").write_text('def f(op, ops, i):\n    return op == "mul" or ops[i] in ("add", "x")\n')
    (tmp_path / "good.py").write_text('def f(gate):\n    return gate.monoid is not None and "+" == "+"\n')
    assert [line.split(":")[0] for line in name_checks(tmp_path)] == ["bad.py", "bad.py"]
