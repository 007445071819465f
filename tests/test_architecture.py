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


#: Private reads of Circuit's and Builder's arrays that remain, per module (issue 21 asks for none):
#: backward's trim deletes from the builder it extends; finish reads the declared outputs; the
#: drawing counts wires.  The test fails on any new one.
KNOWN_PRIVATE_READS = {"ad/backward.py": 6, "ad/common.py": 1, "render/draw.py": 1}


def private_reads(root: Path = PACKAGE) -> dict:
    """Module → lines that read a private attribute of Circuit or Builder on another object."""
    attrs = set()
    for owner in ("core/circuit.py", "core/builder.py"):
        for node in ast.walk(ast.parse((root / owner).read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self"
                    and node.attr.startswith("_") and not node.attr.startswith("__")):
                attrs.add(node.attr)
    found: dict = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel in ("core/circuit.py", "core/builder.py") or "_engine_cache" in rel:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Attribute) and node.attr in attrs
                    and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))):
                found.setdefault(rel, set()).add(node.lineno)
    return found


def test_no_new_private_reads_of_the_record():
    found = private_reads()
    new = {m: sorted(lines) for m, lines in found.items() if len(lines) > KNOWN_PRIVATE_READS.get(m, 0)}
    assert not new, ("modules read Circuit's or Builder's private arrays; use the public record "
                     f"(circuit.record, builder.op/args/params/value): {new}")
