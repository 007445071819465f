"""A progress bar for operations that take seconds: tqdm when installed, else one plain line.

Shown on standard error, and only when it is a terminal (``progress=None``,
the default of the functions that take it) or when asked (``progress=True``);
``progress=False`` turns it off.

Examples
--------
>>> with Progress(3, "counting", enabled=False) as bar:
...     for _ in range(3):
...         bar.update(1)
>>> bar.done
3
"""

from __future__ import annotations

import sys
import time

__all__ = ["Progress"]


class Progress:
    """A bar of ``total`` steps named ``desc``; ``update(n)`` advances it.

    Parameters
    ----------
    total : int
    desc : str
    enabled : bool or None
        None: on when standard error is a terminal.
    """

    def __init__(self, total: int, desc: str = "", enabled=None):
        if enabled is None:
            enabled = hasattr(sys.stderr, "isatty") and sys.stderr.isatty()
        self.total, self.desc, self.enabled = total, desc, bool(enabled)
        self.done = 0
        self._bar = None
        self._last = 0.0
        if self.enabled:
            try:
                from tqdm import tqdm
            except ImportError:
                tqdm = None
            if tqdm is not None:
                self._bar = tqdm(total=total, desc=desc, file=sys.stderr, leave=False)

    def update(self, n: int = 1) -> None:
        """Advance by ``n`` steps."""
        self.done += n
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.update(n)
            return
        now = time.monotonic()
        if now - self._last >= 0.2 or self.done >= self.total:
            self._last = now
            share = f" ({100 * self.done / self.total:.0f}%)" if self.total else ""
            sys.stderr.write(f"\r{self.desc}: {self.done:,}/{self.total:,}{share}")
            sys.stderr.flush()

    def close(self) -> None:
        """Remove the bar (the plain line ends)."""
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.close()
        else:
            sys.stderr.write("\r" + " " * (len(self.desc) + 40) + "\r")
            sys.stderr.flush()

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
