"""``tidings migrate-store --from URL --to URL``: move a whole store to another database.

The copying itself (dependency order, one target transaction, late foreign keys, sequences,
checksums) is :func:`tidings.store.copy.copy_store`; this module opens both ends, prints
progress and the result, and turns a mismatch into an error.
"""

from __future__ import annotations

import time
from pathlib import Path

import click

from tidings.cli.context import print_json, progress
from tidings.cli.progress import Progress
from tidings.errors import StorageError
from tidings.store import open_store
from tidings.store.copy import copy_store


@click.command("migrate-store")
@click.option("--from", "source_url", required=True, metavar="URL",
              help="The store to copy, e.g. sqlite:///home/me/.local/share/tidings/tidings.db")
@click.option("--to", "target_url", required=True, metavar="URL",
              help="The database to fill, e.g. postgresql://tidings@db/tidings")
@click.option("--force", is_flag=True, help="Replace whatever the target holds.")
@click.option("--batch-size", type=click.IntRange(min=1), default=1000, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON line.")
def migrate_store_command(source_url: str, target_url: str, force: bool, batch_size: int,
                          as_json: bool) -> None:
    """Copy every table of one store into another, then compare counts and checksums."""
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
            with Progress("migrate-store", quiet=as_json, unit="rows") as bar:
                result = copy_store(source, target, force=force, batch=batch_size,
                                    report=progress, progress=bar)
        finally:
            target.close()
    finally:
        source.close()
    result["seconds"] = round(time.monotonic() - started, 3)
    for name, info in result["tables"].items():
        mark = "ok" if info["ok"] else "MISMATCH"
        progress(f"migrate-store: {name}: {info['source_rows']} → {info['rows']} rows, "
                 f"checksum {info['checksum']} {mark}")
    if as_json:
        print_json(result)
    if not result["ok"]:
        raise StorageError("copy differs from the source in: " + ", ".join(result["mismatched"]))
    progress(f"migrate-store: {result['rows']} rows copied and verified "
             f"in {result['seconds']} s")


COMMANDS = [migrate_store_command]
