"""Sphinx configuration of the circuits documentation (``make docs``).

The pages are MyST markdown; the API reference is generated from the numpydoc
docstrings (autosummary); the tutorial notebooks are shown with the outputs
they were committed with (myst-nb, execution off: ``tests/test_notebooks.py``
executes them).  Notebooks and figures live outside ``docs/`` in the
repository, so they are copied into ``docs/_generated/`` when the build starts.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))          # document this checkout's circuits, not an installed one

import circuits  # noqa: E402

# --- copies of the notebooks and figures ------------------------------------------

GENERATED = DOCS / "_generated"


def _copy_sources() -> None:
    for name, pattern in (("notebooks", "*.ipynb"), ("figures", "*")):
        target = GENERATED / name
        target.mkdir(parents=True, exist_ok=True)
        wanted = {p.name: p for p in sorted((ROOT / name).glob(pattern)) if p.is_file()}
        for old in target.iterdir():
            if old.name not in wanted:
                old.unlink()
        for file_name, path in wanted.items():
            copy = target / file_name
            if not copy.exists() or copy.read_bytes() != path.read_bytes():
                shutil.copyfile(path, copy)


_copy_sources()

# --- project --------------------------------------------------------------------------

project = "circuits"
author = "the circuits authors"
copyright = "the circuits authors, MIT licence"
release = getattr(circuits, "__version__", "")
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_nb",
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints", "README.md"]
templates_path = ["_templates"]

# --- MyST and notebooks ----------------------------------------------------------------

myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
nb_execution_mode = "off"              # the committed outputs are shown as they are
nb_merge_streams = True

# --- API reference ---------------------------------------------------------------------

autosummary_generate = True
autosummary_imported_members = True
autodoc_typehints = "none"             # numpydoc's Parameters sections say the types
numpydoc_show_class_members = False    # classes list their documented methods themselves
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# --- HTML ------------------------------------------------------------------------------

html_theme = "furo"
html_title = "circuits"
html_static_path = []
html_show_sourcelink = False
