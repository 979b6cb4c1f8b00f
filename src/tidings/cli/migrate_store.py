"""``tidings migrate-store --from URL --to URL``: move a whole store to another database.

The work is :func:`tidings.operations.stores.copy_store` (which opens both ends and calls
:func:`tidings.store.copy.copy_store`); this module shows progress and the result, and turns
a mismatch into an error once every table's line is out.
"""

from __future__ import annotations

import click

from tidings.cli.progress import Progress
from tidings.console import print_json, progress
from tidings.operations import stores


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
    with Progress("migrate-store", quiet=as_json, unit="rows") as bar:
        result = stores.copy_store(source_url, target_url, force=force, batch=batch_size,
                                   report=progress, progress=bar)
    for name, info in result["tables"].items():
        mark = "ok" if info["ok"] else "MISMATCH"
        progress(f"migrate-store: {name}: {info['source_rows']} → {info['rows']} rows, "
                 f"checksum {info['checksum']} {mark}")
    if as_json:
        print_json(result)
    stores.check_copied(result)
    progress(f"migrate-store: {result['rows']} rows copied and verified "
             f"in {result['seconds']} s")


COMMANDS = [migrate_store_command]
