"""Backups, restores, retention, and re-running the later stages from the command line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from tidings.cli.context import AppContext, pass_app
from tidings.cli.progress import Progress
from tidings.console import print_json, progress
from tidings.operations import pipeline as ops
from tidings.store import backup as backups
from tidings.store import health, retention


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON line.")
@pass_app
def backup_command(app: AppContext, path: Path, force: bool, as_json: bool) -> None:
    """A consistent online backup of the store (SQLite backup API, or pg_dump)."""
    app.store  # noqa: B018 - opens (and migrates) the store, so the copy is current
    result = backups.backup(app.settings.resolved_database_url, path, force=force)
    if as_json:
        print_json({"path": result.path, "bytes": result.bytes, "revision": result.revision})
    else:
        click.echo(f"backed up to {result.path} ({result.bytes} bytes)")


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True,
              help="Replace a store that holds data (SQLite keeps the old one aside).")
@pass_app
def restore_command(app: AppContext, path: Path, force: bool) -> None:
    """Bring a backup back: checked first, never over data without --force."""
    if not app.settings.database_url:
        app.settings.ensure_home()
    result = backups.restore(app.settings.resolved_database_url, path, force=force)
    if result.kept_aside:
        progress(f"the previous database is kept at {result.kept_aside}")
    click.echo(f"restored {path} into {result.path}")


@click.command("prune")
@click.option("--days", type=click.IntRange(min=1), default=None,
              help="Keep this many days (default: TIDINGS_RETENTION_DAYS, per-source overrides).")
@click.option("--source", "source_id", type=int, default=None, help="Only this source.")
@click.option("--dry-run", is_flag=True, help="Count what would go; delete nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON line.")
@pass_app
def prune_command(app: AppContext, days: int | None, source_id: int | None, dry_run: bool,
                  as_json: bool) -> None:
    """Delete articles past retention, keeping each story's first report and copied originals."""
    store = app.store
    if days is not None:
        report = retention.prune(store, default_days=days, now=datetime.now(UTC),
                                 source_id=source_id, dry_run=dry_run, override_sources=True)
    else:
        report = retention.prune(store, default_days=app.settings.retention_days,
                                 now=datetime.now(UTC), source_id=source_id, dry_run=dry_run)
    if as_json:
        print_json(report.as_dict())
        return
    verb = "would delete" if dry_run else "deleted"
    click.echo(f"{verb} {report.deleted} article(s); kept {report.kept_first_reports} first "
               f"report(s) and {report.kept_originals} original(s) of copies")


@click.command("retention")
@click.argument("source_id", type=int)
@click.argument("days")
@pass_app
def retention_command(app: AppContext, source_id: int, days: str) -> None:
    """Set how many DAYS to keep a source's articles (0: forever; 'default': the global one)."""
    value: int | None
    if days == "default":
        value = None
    elif days.isdigit():
        value = int(days)
    else:
        raise click.BadParameter("a whole number of days, or 'default'", param_hint="DAYS")
    retention.set_source_days(app.store, source_id, value)
    click.echo(f"source {source_id}: " + ("global retention" if value is None else
                                          "kept forever" if value == 0 else f"{value} days"))


@click.command("reextract")
@click.option("--source", "source_id", type=int, default=None, help="Only this source.")
@click.option("--all", "everything", is_flag=True,
              help="Every article, not only those whose extraction failed.")
@click.option("--run", is_flag=True, help="Run the extraction stage now, not at the next round.")
@pass_app
def reextract_command(app: AppContext, source_id: int | None, everything: bool,
                      run: bool) -> None:
    """Queue articles for full-text extraction again (as the admin area's buttons do)."""
    action = "requeue-extract-all" if everything else "requeue-extract"
    click.echo(ops.pipeline_action(app.store, app.settings, action, source_id=source_id))
    if run:
        with Progress("extract", unit="pages") as bar:
            done = ops.pipeline_action(app.store, app.settings, "run-extract", progress=bar)
        click.echo(done)


@click.command("health")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@pass_app
def health_command(app: AppContext, as_json: bool) -> None:
    """Each source's health (as on /admin) and the stage queues."""
    view = health.overview(app.store)
    rows: list[dict[str, Any]] = [
        {"id": h.source.id, "name": h.source.name, "status": h.status,
         "feeds": len(h.feeds), "articles": h.articles, "failing_feeds": h.failing_feeds,
         "last_errors": [f.last_error for f in h.feeds if f.last_error]}
        for h in view.sources]
    if as_json:
        print_json({"sources": rows, "extract_queue": view.extract_queue,
                    "cluster_queue": view.cluster_queue, "index_queue": view.index_queue})
        return
    for r in rows:
        errors = "; ".join(str(e) for e in r["last_errors"])
        click.echo(f"{r['id']}\t{r['name']}\t{r['status']}\t{r['articles']} articles"
                   + (f"\t{errors}" if errors else ""))
    click.echo(f"extraction queue: {view.extract_queue or 'empty'}; "
               f"clustering queue: {view.cluster_queue or 'empty'}; "
               f"search index queue: {view.index_queue or 'empty'}")


COMMANDS = [backup_command, restore_command, prune_command, retention_command,
            reextract_command, health_command]
