"""A small progress bar for long batches, drawn on standard error."""

from __future__ import annotations

import stat
import sys
import time
from pathlib import Path
from typing import TextIO


class Progress:
    """Counts finished items and redraws at most ten times a second (a line per 10% off a TTY)."""

    def __init__(self, stream: TextIO, total: int | None, label: str = "requests") -> None:
        self.stream, self.total, self.label = stream, total, label
        self.done = 0
        self._start = self._drawn = time.monotonic()
        self._tty = stream.isatty()
        self._tenth = 0

    def advance(self, count: int = 1) -> None:
        """``count`` more items finished (a batch's workers finish them by the chunk)."""
        self.done += count
        now = time.monotonic()
        if self._tty and now - self._drawn >= 0.1:
            self._drawn = now
            self.stream.write("\r" + self.line())
            self.stream.flush()
        elif not self._tty and self.total and self.done * 10 // self.total > self._tenth:
            self._tenth = self.done * 10 // self.total
            self.stream.write(self.line() + "\n")

    def line(self) -> str:
        """The bar as text: a bar when the total is known, the count and rate always."""
        elapsed = max(time.monotonic() - self._start, 1e-9)
        rate = f"{self.done / elapsed:,.0f}/s"
        if not self.total:
            return f"{self.done:,} {self.label} {rate}"
        filled = 30 * self.done // self.total
        bar = "#" * filled + "-" * (30 - filled)
        return f"[{bar}] {self.done:,}/{self.total:,} {self.label} {rate}"

    def close(self) -> None:
        """Draw the final state and end the line."""
        self.stream.write(("\r" if self._tty else "") + self.line() + "\n")
        self.stream.flush()


def for_lines(path: str, quiet: bool) -> Progress | None:
    """The bar for a JSON Lines file (``-``: standard input, of unknown length), or none.

    A regular file is counted first, in 1 MiB reads, so the bar knows its total: its
    lines as a batch reads them, the last one too when no line break ends it. Anything
    else (a pipe such as ``<(zcat requests.jsonl.gz)``, a device) is of unknown length:
    it can be read only once, and counting it would leave the batch nothing to decide.
    A path that cannot be opened is left for the batch to report.
    """
    if quiet:
        return None
    total = None
    if path != "-" and _regular(path):
        total, last = 0, b"\n"
        with open(path, "rb") as counting:
            for chunk in iter(lambda: counting.read(1 << 20), b""):
                total += chunk.count(b"\n")
                last = chunk[-1:]
        total += last != b"\n"  # a last line without its line break
    return Progress(sys.stderr, total)


def _regular(path: str) -> bool:
    """Whether ``path`` is a regular file, which can be read twice (once to count)."""
    try:
        return stat.S_ISREG(Path(path).stat().st_mode)
    except OSError:
        return False
