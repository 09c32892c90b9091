"""Progress on a terminal: the one facility every long command uses (verify, checkpoint, report,
the read commands' fold, import, demo, publish).

    with progress("verify", quiet=as_json) as meter:
        report = audit(app, ..., on_progress=meter.on_progress)

A library loop calls ``meter.update(done, total)`` (ledger/progress.py's `Progress`; the
meter's `on_progress` is None when quiet); a loop in the CLI may call ``meter.advance(n)``.
The meter draws one line on stderr —
``verify: 120,000 / 1,000,000 events (12%), 85,000/s, about 10 s left`` — redrawn in place
(``\\r``, cut to the terminal's width so it never wraps), at most every INTERVAL seconds and
first after DELAY seconds, so a quick command shows nothing. When the block ends, normally or
by an error, the line is erased: the result, or the one ``error: ...`` line cli/main.py prints
after the block, starts on a clean line. A warning printed meanwhile (cli/main.py) erases it
first too (`clear_lines`); the next update redraws it.

Quiet — nothing written, each update a cheap call — when stderr or stdout is not a terminal
(a pipe, a file, a test runner), on a ``TERM=dumb`` terminal, or when the caller says so
(``--json``).
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from domain.text import escape_text
from ledger.progress import Progress

DELAY = 0.5  # seconds before the first line: a command this quick needs none
INTERVAL = 0.1  # seconds between redraws
_ERASE = "\r\x1b[K"  # to the line's start, then clear to its end

_SHOWN: list[Meter] = []  # the meters drawing now (cli/main.py erases them before a warning)


class Meter:
    """Counts what a long loop has done and draws it on `stream` (None: quiet)."""

    def __init__(
        self,
        label: str,
        total: int = 0,
        unit: str = "events",
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label, self.unit = escape_text(label), unit
        self.total, self.done = max(total, 0), 0
        self.stream, self.clock = stream, clock
        self.started = clock()
        self.next_draw = self.started + DELAY
        self.drawn = False
        self.width = shutil.get_terminal_size().columns - 1 if stream is not None else 0

    @property
    def on_progress(self) -> Progress | None:
        """What to pass a library loop: `update` when drawing, None when quiet (the loop then
        skips even its estimate of the total)."""
        return self.update if self.stream is not None else None

    def update(self, done: int, total: int | None = None) -> None:
        """`done` items so far, of about `total` (unchanged when None); redraw if it is time."""
        self.done = done
        if total is not None:
            self.total = max(total, 0)
        if self.stream is None:
            return
        now = self.clock()
        if now >= self.next_draw:
            self.next_draw = now + INTERVAL
            self._draw(self.line(now))

    def advance(self, count: int = 1) -> None:
        """`count` more items done."""
        self.update(self.done + count)

    def line(self, now: float) -> str:
        """The text drawn at time `now`: count of total, share, rate, time left."""
        done = self.done
        total = max(self.total, done) if self.total else 0
        elapsed = now - self.started
        rate = done / elapsed if elapsed > 0 else 0.0
        text = f"{self.label}: {done:,}"
        text += f" / {total:,} {self.unit} ({100 * done // total}%)" if total else f" {self.unit}"
        if rate >= 1:
            text += f", {rate:,.0f}/s"
            if done < total:
                text += f", about {duration((total - done) / rate)} left"
        return text

    def clear(self) -> None:
        """Erase the drawn line (the next update draws it again)."""
        if self.drawn and self.stream is not None:
            self.stream.write(_ERASE)
            self.stream.flush()
            self.drawn = False

    def _draw(self, text: str) -> None:
        if self.stream is None:
            return
        self.stream.write("\r" + text[: max(self.width, 20)] + "\x1b[K")
        self.stream.flush()
        self.drawn = True


def duration(seconds: float) -> str:
    """A short human duration: ``8 s``, ``3 min 5 s``, ``2 h 10 min``."""
    whole = max(int(seconds + 0.5), 0)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60} s"
    return f"{whole // 3600} h {whole % 3600 // 60} min"


def is_terminal(stream: TextIO) -> bool:
    """Whether `stream` is an interactive terminal."""
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or closed
        return False


@contextmanager
def progress(
    label: str,
    total: int = 0,
    *,
    unit: str = "events",
    quiet: bool = False,
    stream: TextIO | None = None,
) -> Iterator[Meter]:
    """A Meter for one long step, drawn on `stream` (default: stderr) when it and stdout are
    terminals and not `quiet`; its line is erased when the block ends (see the module
    docstring)."""
    out = stream if stream is not None else sys.stderr
    dumb = os.environ.get("TERM") == "dumb"  # cannot erase a line
    live = not quiet and not dumb and is_terminal(out) and is_terminal(sys.stdout)
    meter = Meter(label, total, unit, out if live else None)
    if not live:
        yield meter
        return
    _SHOWN.append(meter)
    try:
        yield meter
    finally:
        _SHOWN.remove(meter)
        meter.clear()


def clear_lines() -> None:
    """Erase every progress line drawn now (before a warning is printed)."""
    for meter in _SHOWN:
        meter.clear()
