"""A tiny console progress bar (no dependency)."""

from __future__ import annotations

import sys
import time

__all__ = ["Progress"]


class Progress:
    """``[#####-----] 12/40  1m05s  lsq n=300: backward`` on one console line.

    Examples
    --------
    >>> import io
    >>> from benchmarks.progress import Progress
    >>> out = io.StringIO()
    >>> bar = Progress(2, stream=out, width=4)
    >>> bar.step("a"); bar.step("b"); bar.close()
    >>> out.getvalue().splitlines()[-1].startswith("[####] 2/2")
    True
    """

    def __init__(self, total: int, stream=None, width: int = 30):
        self.total = max(total, 1)
        self.done = 0
        self.width = width
        self.stream = stream if stream is not None else sys.stderr
        self.start = time.monotonic()
        self.text = ""

    def _draw(self):
        filled = int(self.width * self.done / self.total)
        elapsed = int(time.monotonic() - self.start)
        line = (f"[{'#' * filled}{'-' * (self.width - filled)}] {self.done}/{self.total} "
                f"{elapsed // 60}m{elapsed % 60:02d}s  {self.text}")
        self.stream.write("\r" + line[:110].ljust(110))
        self.stream.flush()

    def note(self, text: str) -> None:
        """Show what is running now, without advancing."""
        self.text = text
        self._draw()

    def step(self, text: str = "") -> None:
        """One unit of work done."""
        self.done += 1
        if text:
            self.text = text
        self._draw()

    def close(self) -> None:
        """End the line."""
        self._draw()
        self.stream.write("\n")
        self.stream.flush()
