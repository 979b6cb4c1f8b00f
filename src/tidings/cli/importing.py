"""``tidings import FILE``: OPML subscriptions, or a saved page / text dump of a page."""

from __future__ import annotations

import dataclasses
import importlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from tidings.cli.context import AppContext, pass_app, print_json
from tidings.config import Settings
from tidings.errors import ConfigError, TidingsError
from tidings.importers.opml import import_opml


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


def _as_dict(report: Any) -> dict[str, Any]:
    if dataclasses.is_dataclass(report) and not isinstance(report, type):
        return dataclasses.asdict(report)
    if isinstance(report, dict):
        return report
    return {"result": str(report)}


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
        report = import_opml(app.store, data, now=now)
        if as_json:
            print_json({"kind": "opml", "added": len(report.added),
                        "existing": len(report.existing), "skipped": report.skipped})
        else:
            click.echo(f"imported {len(report.added)} feeds from {file.name} "
                       f"({len(report.existing)} already subscribed"
                       + (f", {len(report.skipped)} skipped" if report.skipped else "") + ")")
        return
    try:
        pages = importlib.import_module("tidings.importers.pages")
    except ModuleNotFoundError:
        raise TidingsError(f"cannot import {file.name}: not OPML, and page import is not "
                           "installed") from None
    result = pages.import_page(app.store, app.settings, file, now=now)
    if as_json:
        print_json(_as_dict(result))
    else:
        summary = getattr(result, "summary", None)
        click.echo(summary() if callable(summary) else f"imported {file.name}: {result}")


import_.name = "import"
COMMANDS = [import_]
