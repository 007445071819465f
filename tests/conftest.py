"""Test selection shared by the suite: ``make test-fast`` skips what is marked ``slow``.

Whole files of long property-based runs and benchmark smoke runs are marked here, in one place,
so ``pytest -m "not slow and not notebooks"`` is the edit-run loop and ``make test`` still runs
everything.

Every hypothesis test is derandomized (the same examples every run, so that CI's verdict does not
depend on luck); ``CIRCUITS_RANDOM_PROPERTIES=1`` explores new examples instead, as
``tests/test_properties.py`` describes.
"""
import os

import pytest
from hypothesis import settings

settings.register_profile("circuits", derandomize=not os.environ.get("CIRCUITS_RANDOM_PROPERTIES"))
settings.load_profile("circuits")

#: test files whose every test is slow (hypothesis sweeps, benchmark subprocesses)
SLOW_FILES = {"test_properties.py", "test_benchmarks_smoke.py"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.name in SLOW_FILES:
            item.add_marker(pytest.mark.slow)
