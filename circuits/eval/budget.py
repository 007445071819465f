"""A time budget for symbolic (sympy) work.

Sympy simplifies as it builds: every ``exp``, ``sigmoid`` or ``tanh`` of an
expression asks questions about it (is it real? is it zero? a multiple of
iπ/2?) that can take time exponential in its size, so that a 17-gate circuit
of one input can keep :func:`circuits.to_sympy` busy for minutes.  Every
symbolic path of the package (``to_sympy``, evaluation on sympy values,
``symbolic_check``, ``linearized_graph``, ``bauer_paths`` and the drawings
without a point) runs under :func:`symbolic_budget`, which stops it after
:data:`SYMBOLIC_SECONDS` with a :class:`~circuits.CircuitError` that says
what to do instead.

In the main thread (where Python delivers signals) the budget interrupts
sympy wherever it is, by a timer signal; elsewhere, or when the program uses
that timer itself, it is checked between gates (:func:`check_time`).
"""

from __future__ import annotations

import math
import signal
import threading
import time
from contextlib import contextmanager
from typing import Optional

from ..core.errors import CircuitError

__all__ = ["SYMBOLIC_SECONDS", "symbolic_budget", "check_time"]

#: Seconds that one symbolic operation (to_sympy, symbolic_check, ...) may take; change it to
#: allow more (``circuits.eval.budget.SYMBOLIC_SECONDS = 120``) or set it to ``math.inf``.
SYMBOLIC_SECONDS = 20.0

_state = threading.local()  # .what, .deadline, .seconds of the outermost budget of this thread


class _OutOfTime(BaseException):
    """Raised by the timer inside sympy; a BaseException so that sympy's ``except Exception`` lets it by."""


def _error(what: str, seconds: float) -> CircuitError:
    return CircuitError(
        f"{what} ran out of its time budget of {seconds:g} s in sympy, whose automatic simplification of "
        "nested functions can take time exponential in the size of an expression; evaluate at a point "
        "(floats or Fractions) instead, compare gradients with check_gradient, or allow more time with "
        "circuits.eval.budget.SYMBOLIC_SECONDS = ...")


def _raise(signum, frame):
    raise _OutOfTime


@contextmanager
def symbolic_budget(what: str, seconds: Optional[float] = None):
    """Run the body under a time budget for sympy; raise CircuitError naming ``what`` when it runs out.

    Nested budgets share the outermost one (its name and its deadline).

    Examples
    --------
    >>> import sympy
    >>> with symbolic_budget("an example", seconds=5):
    ...     sympy.expand((sympy.Symbol("x") + 1) ** 3)
    x**3 + 3*x**2 + 3*x + 1
    >>> with symbolic_budget("a loop", seconds=0.05):
    ...     while True:
    ...         check_time()
    Traceback (most recent call last):
    ...
    circuits.CircuitError: a loop ran out of its time budget of 0.05 s in sympy, ...
    """
    if getattr(_state, "deadline", None) is not None:  # inside another budget: it governs
        yield
        return
    seconds = SYMBOLIC_SECONDS if seconds is None else seconds
    if not seconds > 0 or math.isinf(seconds):
        yield
        return
    _state.what, _state.seconds, _state.deadline = what, seconds, time.monotonic() + seconds
    timer = _start_timer(seconds)
    try:
        yield
    except _OutOfTime:
        raise _error(what, seconds) from None
    finally:
        if timer is not None:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, timer)
        _state.deadline = None


def _start_timer(seconds: float):
    """Arm a one-shot timer signal; returns the handler to restore, or None when none was armed."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        return None
    try:
        if signal.getsignal(signal.SIGALRM) not in (signal.SIG_DFL, None) \
                or signal.getitimer(signal.ITIMER_REAL)[0] > 0:
            return None  # the program uses the timer itself: check between gates only
        old = signal.signal(signal.SIGALRM, _raise)
        signal.setitimer(signal.ITIMER_REAL, seconds)
    except (ValueError, OSError):  # not the main interpreter, or no timer on this platform
        return None
    return old


def check_time() -> None:
    """Raise the budget's CircuitError if the current symbolic budget has run out (else nothing)."""
    deadline = getattr(_state, "deadline", None)
    if deadline is not None and time.monotonic() > deadline:
        _state.deadline = None
        raise _error(_state.what, _state.seconds)
