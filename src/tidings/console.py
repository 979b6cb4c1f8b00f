"""What commands print: one JSON object per line on stdout, lines for people on stderr.

Shared by ``tidings`` and ``tidings bench`` (a leaf module, so the benchmarks need not import
the command line). A progress line being drawn (:mod:`tidings.cli.progress`) registers
itself here, so a line for people never lands in the middle of it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any, Protocol


class LiveLine(Protocol):
    """A line redrawn in place on stderr that other output must keep clear of."""

    def note(self, message: str) -> None: ...


#: the line being drawn now, if any (set and cleared by :class:`tidings.cli.progress.Progress`)
live: LiveLine | None = None
#: where lines for people go instead of stderr: set by ``tidings.logs.configure`` when the log
#: format is JSON, so every stderr line stays one JSON object
sink: Callable[[str], None] | None = None


def print_json(obj: Any) -> None:
    """One JSON object on one line (the contract for every ``--json`` output)."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def progress(message: str) -> None:
    """A line for people, on stderr, so stdout stays clean for ``--json`` consumers."""
    if sink is not None:
        sink(message)
        return
    if live is not None:
        live.note(message)
        return
    sys.stderr.write(message + "\n")
    sys.stderr.flush()
