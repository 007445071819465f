"""Test selection shared by the suite: ``make test-fast`` skips what is marked ``slow``.

Whole files of long property-based runs and benchmark smoke runs are marked here, in one place,
so ``pytest -m "not slow and not notebooks"`` is the edit-run loop and ``make test`` still runs
everything.
"""
import pytest

#: test files whose every test is slow (hypothesis sweeps, benchmark subprocesses)
SLOW_FILES = {"test_properties.py", "test_benchmarks_smoke.py"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.name in SLOW_FILES:
            item.add_marker(pytest.mark.slow)
