"""The core layer: errors, the gate registry, the circuit record and the builder.

Everything else in the package is built on these modules, and they import nothing from the
layers above them (``tests/test_imports.py`` checks it).
"""
