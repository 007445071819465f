"""The package's imports, read with ``ast``: no cycles, imports only down the layers of
:data:`LAYERS`, no imports inside functions except of the optional heavy dependencies
(Graphviz, matplotlib, Pillow, numba, jax)."""

import ast
from pathlib import Path

import networkx as nx

PACKAGE = Path(__file__).resolve().parent.parent / "circuits"
OPTIONAL = {"graphviz", "matplotlib", "PIL", "numba", "jax", "tqdm"}


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        is_package = parts[-1] == "__init__"
        name = ".".join(parts[:-1] if is_package else parts)
        yield name, (name if is_package else name.rsplit(".", 1)[0]), ast.parse(path.read_text(encoding="utf-8"))


def _is_module(dotted: str) -> bool:
    path = PACKAGE.parent / dotted.replace(".", "/")
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def _graph():
    G = nx.DiGraph()
    for name, package, tree in _modules():
        G.add_node(name)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
                for alias in node.names:
                    full = f"{target}.{alias.name}"
                    dep = full if _is_module(full) else target
                    if dep != name and not name.startswith(dep + "."):  # a package's own __init__ runs first
                        G.add_edge(name, dep)
    return G


def test_no_import_cycles():
    cycles = list(nx.simple_cycles(_graph()))
    assert not cycles, f"import cycles: {cycles}"


def test_imports_inside_functions_only_for_optional_dependencies():
    found = []
    for name, _, tree in _modules():
        for fn in ast.walk(tree):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for node in ast.walk(fn):
                    if isinstance(node, ast.Import):
                        roots = {a.name.split(".")[0] for a in node.names}
                    elif isinstance(node, ast.ImportFrom):
                        roots = {"." if node.level else node.module.split(".")[0]}
                    else:
                        continue
                    if not roots <= OPTIONAL:
                        found.append(f"{name}:{node.lineno}: {ast.unparse(node)}")
    assert not found, "imports inside functions:\n" + "\n".join(found)


def test_the_graph_sees_known_edges():
    G = _graph()
    assert G.has_edge("circuits.core.builder", "circuits.core.gates")
    assert G.has_edge("circuits.report.tables", "circuits.analysis.bounds")
    assert not G.has_edge("circuits.core.gates", "circuits.core.builder")


#: The layers of the package, lowest first, one folder each; a module imports only from its own
#: layer or below.  (README "What is in the box" draws the same picture; STYLE.md suggests it.)
LAYERS = [
    ("core", ["circuits.core", "circuits._moved", "circuits._version"]),
    ("frontends and evaluation", ["circuits.frontends", "circuits.eval"]),
    ("counts", ["circuits.analysis.counts", "circuits.analysis.memory"]),
    ("automatic differentiation", ["circuits.ad", "circuits.semirings"]),
    ("bounds, checks and examples", ["circuits.analysis", "circuits.library", "circuits.testing"]),
    ("reports", ["circuits.report"]),
    ("drawing", ["circuits.render"]),
    ("command line", ["circuits.cli", "circuits.__main__"]),
    ("the package", ["circuits"]),
]


def _layer(module: str) -> int:
    best = None
    for k, (_, prefixes) in enumerate(LAYERS):
        for p in prefixes:
            if module == p or module.startswith(p + "."):
                if best is None or len(p) > best[1]:
                    best = (k, len(p))
    assert best is not None, f"{module} belongs to no layer of tests/test_imports.py's LAYERS; add it"
    return best[0]


def test_imports_only_go_down():
    upward = [f"{a} ({LAYERS[_layer(a)][0]}) imports {b} ({LAYERS[_layer(b)][0]})"
              for a, b in _graph().edges if _layer(b) > _layer(a)]
    assert not upward, "imports that go up a layer:\n" + "\n".join(upward)


def test_every_module_lives_in_a_layer_folder():
    """The top of the package holds only its entry points; everything else is in a layer folder."""
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert top == ["__init__.py", "__main__.py", "_moved.py", "_version.py", "cli.py", "semirings.py", "testing.py"], top


def test_old_module_paths_still_import(recwarn):
    import importlib
    import warnings
    from circuits.eval import engine
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        old = importlib.import_module("circuits.engine")
        assert old is engine
        assert importlib.import_module("circuits.transforms.linearize") is importlib.import_module("circuits.ad.linearize")
        from circuits.gates import GATES  # noqa: F401  (the 0.1 spelling)
    assert any(issubclass(w.category, DeprecationWarning) and "circuits.eval.engine" in str(w.message)
               for w in recwarn.list)
    assert engine.__spec__.name == "circuits.eval.engine"


def test_old_paths_named_like_functions_keep_the_functions():
    import importlib
    import circuits
    assert importlib.import_module("circuits.parse") is importlib.import_module("circuits.frontends.parse")
    assert callable(circuits.parse) and callable(circuits.evaluate)


def test_no_private_reads_across_modules():
    """A module reads another's state through its public names (``Builder.gate_lists``,
    ``Builder.remove``, ``circuit.record``...), never ``x._name`` of a name another module owns."""
    from benchmarks.health import measure

    assert measure()["private reads across modules"] == []


def test_the_private_read_check_sees_one(tmp_path):
    pkg = tmp_path / "circuits"
    pkg.mkdir()
    (pkg / "a.py").write_text("class A:\n    def __init__(self):\n        self._rows = []\n")
    (pkg / "b.py").write_text("def f(a):\n    return a._rows\n\n\ndef g(self):\n    return self._rows\n")
    (pkg / "c.py").write_text("from .a import _helper\n")
    from benchmarks.health import measure

    assert measure(pkg)["private reads across modules"] == ["circuits/b.py:2 ._rows", "circuits/c.py:1 import _helper"]
