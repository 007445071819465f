"""Old module paths of the 0.1 layout, kept importable for one release.

``circuits.engine`` became :mod:`circuits.eval.engine`, ``circuits.transforms`` became
:mod:`circuits.ad`, and so on (:data:`MOVED`).  Importing an old path returns the new module
itself (so a monkeypatch through either name reaches the same object) with a
:class:`DeprecationWarning` naming the new path.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import warnings

__all__ = ["MOVED", "alias_quietly"]

#: old dotted path -> new dotted path (submodules of ``circuits.transforms`` follow ``circuits.ad``)
MOVED = {
    "circuits.errors": "circuits.core.errors",
    "circuits.gates": "circuits.core.gates",
    "circuits.registry": "circuits.core.registry",
    "circuits.circuit": "circuits.core.circuit",
    "circuits.builder": "circuits.core.builder",
    "circuits.display": "circuits.core.display",
    "circuits.parse": "circuits.frontends.parse",
    "circuits.io": "circuits.frontends.io",
    "circuits.evaluate": "circuits.eval.interpreter",
    "circuits.engine": "circuits.eval.engine",
    "circuits.export": "circuits.eval.jax",
    "circuits.bounds": "circuits.analysis.bounds",
    "circuits.accumulation": "circuits.render.elimination",
    "circuits.transforms": "circuits.ad",
}


def new_path(name: str):
    """The module an old dotted path now lives at, or None when ``name`` did not move."""
    if name in MOVED:
        return MOVED[name]
    old = "circuits." + "transforms."  # (spelled in two parts so that no rewrite of old paths touches it)
    if name.startswith(old):
        return "circuits.ad." + name[len(old):]
    return None


class _Alias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname, path=None, target=None):
        if new_path(fullname) is None:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec):
        new = new_path(spec.name)
        warnings.warn(f"{spec.name} moved to {new}; import it from there (the old path goes "
                      "away in the next release)", DeprecationWarning, stacklevel=2)
        module = importlib.import_module(new)
        self._spec = module.__spec__  # the import system overwrites __spec__; exec_module restores it
        return module

    def exec_module(self, module):
        module.__spec__ = self._spec


if not any(isinstance(f, _Alias) for f in sys.meta_path):
    # First in line: an old parent path (``circuits.transforms``) resolves to the new package, whose
    # ``__path__`` the standard path finder would otherwise search, loading a second copy of
    # ``circuits.ad.linearize`` under the old name.
    sys.meta_path.insert(0, _Alias())


def alias_quietly(*names: str) -> None:
    """Enter old paths in ``sys.modules`` now, without a warning.

    For the old module paths that share their name with a function of the package
    (``circuits.parse``, ``circuits.evaluate``): importing a module binds it as an attribute of
    its parent package, so a first ``import circuits.parse`` through the finder would replace
    the function ``circuits.parse`` by the module.
    """
    for name in names:
        sys.modules.setdefault(name, importlib.import_module(new_path(name)))
