"""Progress for people: ``label [n/total] pct rate, time left`` on one line of stderr.

The line is rewritten in place, and only when stderr is a terminal: piped or redirected
output, and every ``--json`` run, stay free of it. The work itself only ever sees a plain
``progress(done, total)`` callable (:data:`tidings.models.ProgressFn`), so nothing below
the command line depends on click or on this module.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import TextIO

from tidings import console

#: redraw at most this often (seconds); the last step is always drawn
REDRAW_SECONDS = 0.1
_CLEAR = "\r\x1b[K"


def render(label: str, done: int, total: int, elapsed: float, unit: str = "") -> str:
    """``fetch [12/340] 3% 8.3 feeds/s, 0:39 left`` (rate and time once there is a rate)."""
    width = len(str(total))
    line = f"{label} [{done:>{width}}/{total}]"
    if total > 0:
        line += f" {min(100, done * 100 // total)}%"
    if done > 0 and elapsed > 0:
        rate = done / elapsed
        line += f" {rate:.1f}{' ' + unit if unit else ''}/s"
        if total > done:
            line += f", {_duration((total - done) / rate)} left"
    return line


def _duration(seconds: float) -> str:
    whole = int(seconds + 0.5)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class Progress:
    """A ``progress(done, total)`` callable that draws on a terminal and is silent elsewhere.

    ``note(message)`` prints a line of its own (above the progress line on a terminal, and
    also when stderr is not one: notes are the command's ordinary stderr output).
    """

    def __init__(self, label: str, *, quiet: bool = False, unit: str = "",
                 stream: TextIO | None = None,
                 clock: Callable[[], float] = time.monotonic):
        self.label = label
        self.unit = unit
        self.stream = stream if stream is not None else sys.stderr
        # with JSON logs, notes for stderr become log records (an explicit stream keeps them)
        self.sink = console.sink if stream is None else None
        self.quiet = quiet
        # with JSON logs nothing is drawn: every stderr line must be one JSON object
        self.active = not quiet and self.sink is None and _is_terminal(self.stream)
        self.clock = clock
        self.started = clock()
        self._drawn_at: float | None = None
        self._line = ""

    def __call__(self, done: int, total: int) -> None:
        if not self.active:
            return
        now = self.clock()
        if (self._drawn_at is not None and done < total
                and now - self._drawn_at < REDRAW_SECONDS):
            return
        self._line = render(self.label, done, total, now - self.started, self.unit)
        self._drawn_at = now
        self.stream.write(_CLEAR + self._line)
        self.stream.flush()

    def note(self, message: str) -> None:
        """A line of ordinary output, kept clear of the progress line."""
        if self.quiet:
            return
        if self.sink is not None:
            self.sink(message)
            return
        if self._line:
            self.stream.write(_CLEAR + message + "\n" + self._line)
        else:
            self.stream.write(message + "\n")
        self.stream.flush()

    def clear(self) -> None:
        """Take the line away for other output (a log record); drawn again on the next step."""
        if self._line:
            self.stream.write(_CLEAR)
            self.stream.flush()
            self._line = ""
            self._drawn_at = None

    def close(self) -> None:
        """Take the progress line away (the command prints its own summary next)."""
        for handler in logging.getLogger().handlers:
            handler.removeFilter(self._clear_for_logs)
        if console.live is self:
            console.live = None
        self.clear()

    def __enter__(self) -> Progress:
        if self.active:
            console.live = self  # lines for people go above the progress line
            # log records (tidings -v) go to stderr too: clear the line first
            for handler in logging.getLogger().handlers:
                handler.addFilter(self._clear_for_logs)
        return self

    def _clear_for_logs(self, _record: logging.LogRecord) -> bool:
        self.clear()
        return True

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False
