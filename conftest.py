"""Settings for every test run, doctests included: the kernel cache is the checkout's own.

Compiled kernels are cached in ``.kernel-cache/`` beside this file (ignored by git, removed by
``make clean``), never in the user's cache folder; a test of the cache itself points
``CIRCUITS_CACHE_DIR`` at a temporary folder.  A ``CIRCUITS_CACHE_DIR`` set by the caller wins.
"""
import os

os.environ.setdefault("CIRCUITS_CACHE_DIR", os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                         ".kernel-cache"))
