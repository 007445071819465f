"""Code-health counts of the package: long functions, long modules, private reads across modules.

Run ``python -m benchmarks.health`` (add ``--list`` for the places).  The counts are what the
architecture work tracks; repeated code is counted by the ``duplicates`` tool, not here.

- *function over 60 lines*: a ``def`` that spans more than 60 lines, docstring included; and,
  counted apart, one whose code alone (without its docstring) is over 60 lines;
- *module over 700 lines*: a ``.py`` file of the package longer than 700 lines;
- *private read across modules*: ``x._name`` where ``x`` is not ``self``/``cls`` and ``_name``
  is a private name the package defines (a function, class, assignment, attribute or slot) in
  another module only, or ``from m import _name`` of a module of the package (a package's
  ``__init__`` may import its own private submodules).
"""

from __future__ import annotations

import argparse
import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "circuits"
FUNCTION_LINES, MODULE_LINES = 60, 700
# networkx's graph internals, documented for subclasses (what a frozen DAG's attribute maps are in)
THIRD_PARTY = {"_node", "_adj"}


def _defined(tree: ast.AST) -> set:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    for node in ast.walk(tree):  # names listed in __slots__
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__slots__"
                                                for t in node.targets):
            for elt in getattr(node.value, "elts", ()):
                if isinstance(elt, ast.Constant) and isinstance(elt.value, str):
                    names.add(elt.value)
    return names


def measure(package: Path = PACKAGE) -> dict:
    """The places of each kind, as lists of ``"path:line what"`` strings."""
    long_functions, long_code, long_modules, private = [], [], [], []
    trees = {path: ast.parse(path.read_text()) for path in sorted(package.rglob("*.py"))
             if "_engine_cache" not in path.parts}  # generated kernels, not source
    own = {path: _defined(tree) for path, tree in trees.items()}
    ours = {name for names in own.values() for name in names if name.startswith("_")}
    for path, tree in trees.items():
        rel = path.relative_to(package.parent)
        lines = path.read_text().count("\n") + 1
        if lines > MODULE_LINES:
            long_modules.append(f"{rel} {lines} lines")
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1
                if n > FUNCTION_LINES:
                    long_functions.append(f"{rel}:{node.lineno} {node.name} {n} lines")
                code = n - _docstring_lines(node)
                if code > FUNCTION_LINES:
                    long_code.append(f"{rel}:{node.lineno} {node.name} {code} lines of code")
            elif isinstance(node, ast.Attribute):
                name = node.attr
                if (_private(name) and name in ours and name not in THIRD_PARTY and name not in own[path]
                        and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))):
                    private.append(f"{rel}:{node.lineno} .{name}")
            elif isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("circuits")):
                for alias in node.names:
                    if _private(alias.name) and not (path.name == "__init__.py" and node.module is None):
                        private.append(f"{rel}:{node.lineno} import {alias.name}")
    return {"functions over 60 lines": long_functions, "functions over 60 lines of code": long_code,
            "modules over 700 lines": long_modules, "private reads across modules": private}


def _docstring_lines(node) -> int:
    first = node.body[0] if node.body else None
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        return first.end_lineno - first.lineno + 1
    return 0


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.health", description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="list the places, not only the counts")
    args = parser.parse_args(argv)
    for what, places in measure().items():
        print(f"{what}: {len(places)}")
        if args.list:
            for place in places:
                print("   ", place)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
