"""``tidings import FILE``: OPML subscriptions, or a saved page / text dump of a page."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import click

from tidings.cli.context import AppContext, pass_app
from tidings.cli.progress import Progress
from tidings.config import Settings
from tidings.console import print_json
from tidings.errors import ConfigError, TidingsError
from tidings.importers.opml import import_opml
from tidings.worker.stages import run_queued


def parse_now(value: str | None, settings: Settings) -> datetime:
    """``--now``: ISO 8601; without an offset it is wall-clock time in TIDINGS_TIMEZONE."""
    if not value:
        return datetime.now(UTC)
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(f"--now: not an ISO 8601 time: {value!r}") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=settings.tz)
    return when.astimezone(UTC)


def is_opml(path: Path, head: bytes) -> bool:
    return path.suffix.lower() == ".opml" or b"<opml" in head.lower()


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--now", "now_text", metavar="ISO",
              help="Resolve relative times against this moment (default: now).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@pass_app
def import_(app: AppContext, file: Path, now_text: str | None, as_json: bool) -> None:
    """Import OPML subscriptions, or a saved page (HTML, or a text dump of a page)."""
    now = parse_now(now_text, app.settings)
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise TidingsError(f"cannot read {file}: {exc.strerror or exc}") from None
    if is_opml(file, data[:4096]):
        with Progress("import", quiet=as_json, unit="feeds") as bar:
            report = import_opml(app.store, data, now=now, progress=bar)
        if as_json:
            print_json({"kind": "opml", "added": len(report.added),
                        "existing": len(report.existing), "skipped": report.skipped})
        else:
            click.echo(f"imported {len(report.added)} feeds from {file.name} "
                       f"({len(report.existing)} already subscribed"
                       + (f", {len(report.skipped)} skipped" if report.skipped else "") + ")")
        return
    from tidings.importers.pages import import_page  # imported when used: a quick start-up

    result = import_page(app.store, app.settings, file, now=now)
    # the imported articles are searchable when the command ends (the other stages wait for
    # the worker, as after any fetch)
    run_queued(app.store, app.settings, only=("index",))
    if as_json:
        print_json(dataclasses.asdict(result))
    else:
        click.echo(result.summary())


import_.name = "import"
COMMANDS = [import_]
