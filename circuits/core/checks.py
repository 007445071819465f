"""Argument checks shared by the public functions: one helper per kind of argument.

Every public function checks what it is given at its entry with these
helpers, so that a wrong type (None where a list is expected, a string where
a count is, a number where a mapping is) becomes one :class:`CircuitError`
that names the argument and says what to give, never a ``TypeError`` from
deep inside.  The helpers return the argument in the one shape the function
works with (a list of names, a dict, an int), so the check and the
conversion are the same step.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Iterable, Mapping
from typing import Any, Optional

from .errors import CircuitError, listing

__all__ = ["shown", "check_names", "check_sequence", "check_mapping", "check_count", "check_real",
           "check_callable", "check_flag", "check_choice", "check_member", "check_rows", "check_path",
           "check_text"]


def shown(value: Any, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters, for an error message.

    Examples
    --------
    >>> shown("abc")
    "'abc'"
    >>> len(shown(list(range(100))))
    60
    """
    try:
        text = repr(value)
    except Exception:  # a broken __repr__, or an int beyond Python's digit limit
        text = f"<{type(value).__name__}>"
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 128:
        text = f"<int of {value.bit_length()} bits>"
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _kind(value) -> str:
    return type(value).__name__


def check_names(value: Any, what: str, *, split: bool = False, hashable_items: bool = True) -> list:
    """``value`` as a list of names (strings), or a CircuitError naming ``what``.

    A string is one name (``split=True``: names separated by spaces or
    commas, ``"x, y"``); any other iterable (list, tuple, dict keys, numpy
    array of strings) gives its items.  A number, None, a mapping or a
    non-iterable is refused.  Items need not be strings when
    ``hashable_items`` (nodes of a networkx graph, sympy symbols): they must
    only be hashable.

    Examples
    --------
    >>> check_names("x", "inputs"), check_names("x, y", "inputs", split=True)
    (['x'], ['x', 'y'])
    >>> check_names(("a", "b"), "wrt")
    ['a', 'b']
    >>> check_names(5, "wrt")
    Traceback (most recent call last):
    ...
    circuits.CircuitError: wrt must be a name or a list of names, got int 5
    """
    if isinstance(value, str):
        return value.replace(",", " ").split() if split else [value]
    if isinstance(value, (Mapping, bytes)) or not isinstance(value, Iterable):
        raise CircuitError(f"{what} must be a name or a list of names, got {_kind(value)} {shown(value)}")
    items = list(value)
    for item in items:
        if hashable_items:
            try:
                hash(item)
            except TypeError:
                raise CircuitError(f"{what} must list names, but one item is a {_kind(item)}: "
                                   f"{shown(item)}") from None
        elif not isinstance(item, str):
            raise CircuitError(f"{what} must list names (strings), but one item is a {_kind(item)}: "
                               f"{shown(item)}")
    return items


def check_sequence(value: Any, what: str, *, allow_str: bool = False) -> list:
    """``value`` as a list (any iterable but a string or a mapping), or a CircuitError.

    Examples
    --------
    >>> check_sequence((1, 2), "coefficients")
    [1, 2]
    >>> check_sequence(6, "coefficients")
    Traceback (most recent call last):
    ...
    circuits.CircuitError: coefficients must be a sequence (list or tuple), got int 6
    """
    if (isinstance(value, str) and not allow_str) or isinstance(value, (Mapping, bytes)) \
            or not isinstance(value, Iterable):
        raise CircuitError(f"{what} must be a sequence (list or tuple), got {_kind(value)} {shown(value)}")
    return list(value)


def check_mapping(value: Any, what: str, *, keys: str = "name") -> dict:
    """``value`` as a dict whose keys are strings, or a CircuitError naming ``what``.

    Examples
    --------
    >>> check_mapping({"x": 1.0}, "point")
    {'x': 1.0}
    >>> check_mapping(2.0, "point")
    Traceback (most recent call last):
    ...
    circuits.CircuitError: point must be a mapping of name to value (a dict like {'x': 1.0}), got float 2.0
    """
    if not isinstance(value, Mapping):
        raise CircuitError(f"{what} must be a mapping of {keys} to value (a dict like {{'x': 1.0}}), "
                           f"got {_kind(value)} {shown(value)}")
    out = dict(value)
    for k in out:
        if not isinstance(k, str):
            raise CircuitError(f"{what} must have {keys}s (strings) as keys, got the key {shown(k)}")
    return out


def check_count(value: Any, what: str, minimum: int = 0, maximum: Optional[int] = None) -> int:
    """``value`` as an int in ``[minimum, maximum]``, or a CircuitError naming ``what``.

    Examples
    --------
    >>> check_count(3, "k")
    3
    >>> check_count(-1, "k", minimum=1)
    Traceback (most recent call last):
    ...
    circuits.CircuitError: k must be an integer >= 1, got -1
    >>> check_count(10**100, "indent", maximum=64)
    Traceback (most recent call last):
    ...
    circuits.CircuitError: indent must be an integer from 0 to 64, got <int of 333 bits>
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise CircuitError(f"{what} must be an integer, got {_kind(value)} {shown(value)}")
    value = int(value)
    if value < minimum or (maximum is not None and value > maximum):
        bound = f">= {minimum}" if maximum is None else f"from {minimum} to {maximum}"
        raise CircuitError(f"{what} must be an integer {bound}, got {shown(value)}")
    return value


def check_real(value: Any, what: str, *, finite: bool = True, positive: bool = False) -> float:
    """``value`` as a float (finite unless told), or a CircuitError naming ``what``.

    Examples
    --------
    >>> check_real(1, "h")
    1.0
    >>> check_real(float("nan"), "h")
    Traceback (most recent call last):
    ...
    circuits.CircuitError: h must be a finite real number, got nan
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise CircuitError(f"{what} must be a real number, got {_kind(value)} {shown(value)}")
    try:
        x = float(value)
    except OverflowError:
        raise CircuitError(f"{what} is too large for a float: {shown(value)}") from None
    if finite and not math.isfinite(x):
        raise CircuitError(f"{what} must be a finite real number, got {x!r}")
    if positive and not x > 0:
        raise CircuitError(f"{what} must be a positive number, got {x!r}")
    return x


def check_callable(value: Any, what: str) -> Any:
    """``value`` if it is callable, else a CircuitError naming ``what``.

    >>> check_callable(None, "f")
    Traceback (most recent call last):
    ...
    circuits.CircuitError: f must be a function, got NoneType None
    """
    if not callable(value):
        raise CircuitError(f"{what} must be a function, got {_kind(value)} {shown(value)}")
    return value


def check_flag(value: Any, what: str) -> bool:
    """``value`` if it is a bool (numpy bools too), else a CircuitError naming ``what``.

    >>> check_flag("no", "mirror")
    Traceback (most recent call last):
    ...
    circuits.CircuitError: mirror must be True or False, got str 'no'
    """
    if value is True or value is False:
        return value
    if type(value).__name__ == "bool_":  # numpy.bool_
        return bool(value)
    raise CircuitError(f"{what} must be True or False, got {_kind(value)} {shown(value)}")


def check_choice(value: Any, what: str, choices) -> Any:
    """``value`` if it is one of ``choices`` (compared as hashable values), else a CircuitError.

    >>> check_choice("rows", "mode", ("rows", "columns"))
    'rows'
    >>> check_choice(["rows"], "mode", ("rows", "columns"))
    Traceback (most recent call last):
    ...
    circuits.CircuitError: mode must be one of ['rows', 'columns'], got list ['rows']
    """
    try:
        ok = value in choices
    except TypeError:  # unhashable in a set or dict of choices
        ok = False
    if not ok:
        raise CircuitError(f"{what} must be one of {list(choices)}, got {_kind(value)} {shown(value)}")
    return value


def check_member(value: Any, names, what: str, kind: str = "input") -> str:
    """``value`` if it is one of the strings ``names`` (inputs, outputs), else a CircuitError.

    >>> check_member("x", {"x": 0, "y": 1}, "top_paths")
    'x'
    >>> check_member(["x"], {"x": 0, "y": 1}, "top_paths")
    Traceback (most recent call last):
    ...
    circuits.CircuitError: top_paths: ['x'] is not an input; the inputs are ['x', 'y']
    """
    if not isinstance(value, str) or value not in names:
        raise CircuitError(f"{what}: {shown(value)} is not an {kind}; the {kind}s are {listing(names)}")
    return value


def check_rows(value: Any, what: str) -> list:
    """``value`` as a list of dicts (the rows of a table), or a CircuitError naming ``what``.

    >>> check_rows([{"n": 2}], "rows")
    [{'n': 2}]
    >>> check_rows("abc", "rows")
    Traceback (most recent call last):
    ...
    circuits.CircuitError: rows must be a sequence (list or tuple), got str 'abc'
    """
    rows = check_sequence(value, what)
    for row in rows:
        if not isinstance(row, Mapping):
            raise CircuitError(f"{what} must be mappings (dicts of column to value), but one is a "
                               f"{_kind(row)}: {shown(row)}")
    return [dict(row) for row in rows]


def check_path(value: Any, what: str):
    """``value`` if it is None, a string or a path-like object, else a CircuitError naming ``what``.

    >>> check_path(3, "path")
    Traceback (most recent call last):
    ...
    circuits.CircuitError: path must be a file name (a string or pathlib.Path), got int 3
    """
    if value is None or isinstance(value, (str, os.PathLike)):
        return value
    raise CircuitError(f"{what} must be a file name (a string or pathlib.Path), got {_kind(value)} {shown(value)}")


def check_text(value: Any, what: str) -> str:
    """``value`` if it is a string, else a CircuitError naming ``what``.

    >>> check_text(3, "path")
    Traceback (most recent call last):
    ...
    circuits.CircuitError: path must be a string, got int 3
    """
    if not isinstance(value, str):
        raise CircuitError(f"{what} must be a string, got {_kind(value)} {shown(value)}")
    return value
