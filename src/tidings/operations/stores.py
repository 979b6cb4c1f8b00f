"""Copying a whole store to another database (``tidings migrate-store``), e.g. SQLite to
PostgreSQL when a site outgrows one machine.

The copying itself (dependency order, one target transaction, late foreign keys, sequences,
checksums) is :func:`tidings.store.copy.copy_store`; this opens both ends safely, times the
copy, and says when the result differs from the source.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tidings.errors import StorageError
from tidings.models import ProgressFn
from tidings.store import copy, open_store
from tidings.store.copy import Report


def _quiet(_line: str) -> None:
    pass


def copy_store(source_url: str, target_url: str, *, force: bool, batch: int,
               report: Report = _quiet, progress: ProgressFn | None = None) -> dict[str, Any]:
    """Copy every table of the store at ``source_url`` into ``target_url`` and compare; the
    result as ``migrate-store --json`` prints it (with ``seconds``). A mismatch is in the
    result, not raised, so the caller can show it first; :func:`check_copied` raises it."""
    if source_url == target_url:
        raise StorageError("--from and --to name the same database")
    if source_url.startswith("sqlite:///"):  # opening it would create an empty one
        source_file = Path(source_url[len("sqlite:///"):]).expanduser()
        if not source_file.is_file():
            raise StorageError(f"no SQLite store at {source_file}")
    started = time.monotonic()
    source = open_store(source_url)
    try:
        target = open_store(target_url)
        try:
            result = copy.copy_store(source, target, force=force, batch=batch, report=report,
                                     progress=progress)
        finally:
            target.close()
    finally:
        source.close()
    result["seconds"] = round(time.monotonic() - started, 3)
    return result


def check_copied(result: dict[str, Any]) -> None:
    """Raise when a copy differs from its source in any table."""
    if not result["ok"]:
        raise StorageError("copy differs from the source in: " + ", ".join(result["mismatched"]))
