"""``tidings sources ...`` (list, show, pause, resume, publish, remove, edit) and
``export-opml``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import click

from tidings.cli.context import AppContext, pass_app
from tidings.console import print_json
from tidings.importers.opml import export_opml
from tidings.models import Feed, Source
from tidings.operations import sources as ops
from tidings.operations.sources import FULLTEXT_MODES, resolve_source
from tidings.operations.subscriptions import publish_source
from tidings.store import Store


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _feed_dict(feed: Feed) -> dict[str, Any]:
    return {"id": feed.id, "url": feed.url, "title": feed.title, "site_url": feed.site_url,
            "last_checked_at": _iso(feed.last_checked_at),
            "next_check_at": _iso(feed.next_check_at), "error_count": feed.error_count,
            "last_error": feed.last_error, "disabled": feed.disabled,
            "poll_interval": feed.poll_interval}


def _source_dict(store: Store, source: Source) -> dict[str, Any]:
    feeds = store.feeds.list(source_id=source.id)
    return {"id": source.id, "name": source.name, "url": source.url,
            "category": source.category, "fulltext": source.fulltext,
            "language": source.language, "paused": source.paused, "public": source.public,
            "articles": store.articles.count(source_id=source.id),
            "feeds": [_feed_dict(f) for f in feeds]}


def _status(info: dict[str, Any]) -> str:
    if info["paused"]:
        return "paused"
    feeds = info["feeds"]
    if feeds and all(f["disabled"] for f in feeds):
        return "disabled"
    if any(f["error_count"] for f in feeds):
        return "failing"
    return "ok"


@click.group("sources")
def sources() -> None:
    """List and manage sources (outlets) and their feeds."""


@sources.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@pass_app
def list_(app: AppContext, as_json: bool) -> None:
    """Every source with its feeds, article count and status."""
    infos = [_source_dict(app.store, s) for s in app.store.sources.list()]
    if as_json:
        print_json({"sources": infos, "total": len(infos)})
        return
    if not infos:
        click.echo("no sources yet: add one with `tidings add URL`")
        return
    for info in infos:
        category = f" [{info['category']}]" if info["category"] else ""
        click.echo(f"{info['id']:>4}  {info['name']}{category}  {len(info['feeds'])} feed(s), "
                   f"{info['articles']} articles, {_status(info)}")


@sources.command("show")
@click.argument("source")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@pass_app
def show(app: AppContext, source: str, as_json: bool) -> None:
    """One source (by id or name) with the state of each feed."""
    info = _source_dict(app.store, resolve_source(app.store, source))
    if as_json:
        print_json(info)
        return
    for key in ("id", "name", "url", "category", "fulltext", "language", "paused", "articles"):
        click.echo(f"{key:>10}: {info[key] if info[key] is not None else '-'}")
    for feed in info["feeds"]:
        click.echo(f"  feed {feed['id']}: {feed['url']}")
        for key in ("last_checked_at", "next_check_at", "error_count", "last_error",
                    "disabled", "poll_interval"):
            if feed[key] not in (None, 0, False) or key in ("next_check_at", "error_count"):
                click.echo(f"    {key}: {feed[key] if feed[key] is not None else '-'}")


@sources.command("pause")
@click.argument("source")
@pass_app
def pause(app: AppContext, source: str) -> None:
    """Stop fetching a source's feeds (articles stay)."""
    found = ops.pause_source(app.store, resolve_source(app.store, source).id or 0,
                             app.settings)
    click.echo(f"paused source {found.id} ({found.name})")


@sources.command("resume")
@click.argument("source")
@pass_app
def resume(app: AppContext, source: str) -> None:
    """Fetch a paused source again; re-enables feeds disabled after too many errors."""
    found = ops.resume_source(app.store, resolve_source(app.store, source).id or 0)
    click.echo(f"resumed source {found.id} ({found.name})")


@sources.command("publish")
@click.argument("source")
@pass_app
def publish(app: AppContext, source: str) -> None:
    """Make a reader's private source public: on the site, and followed by every account."""
    found = publish_source(app.store, resolve_source(app.store, source).id or 0,
                           datetime.now(UTC))
    click.echo(f"source {found.id} ({found.name}) is public")


@sources.command("remove")
@click.argument("source")
@pass_app
def remove(app: AppContext, source: str) -> None:
    """Remove a source with its feeds and articles."""
    found, count = ops.remove_source(app.store, resolve_source(app.store, source).id or 0,
                                     app.settings)
    click.echo(f"removed source {found.id} ({found.name}) and its {count} articles")


@sources.command("edit")
@click.argument("source")
@click.option("--name")
@click.option("--url", help="The outlet's site address.")
@click.option("--category", help="Category; an empty string clears it.")
@click.option("--fulltext", type=click.Choice(FULLTEXT_MODES))
@click.option("--language")
@click.option("--feed-url", help="Change the address of the source's (only) feed.")
@click.option("--poll-interval", type=int, metavar="SECONDS",
              help="Fixed check interval for its feeds; 0 goes back to adaptive.")
@pass_app
def edit(app: AppContext, source: str, name: str | None, url: str | None,
         category: str | None, fulltext: str | None, language: str | None,
         feed_url: str | None, poll_interval: int | None) -> None:
    """Change a source; its feeds are re-enabled and checked on the next round."""
    found = ops.edit_source(app.store, resolve_source(app.store, source).id or 0, name=name,
                            url=url, category=category, fulltext=fulltext, language=language,
                            feed_url=feed_url, poll_interval=poll_interval)
    click.echo(f"updated source {found.id} ({found.name})")


@click.command("export-opml")
@pass_app
def export_opml_command(app: AppContext) -> None:
    """Write every subscription as OPML 2.0 (with categories) to standard output."""
    click.echo(export_opml(app.store, now=datetime.now(UTC)), nl=False)


COMMANDS = [sources, export_opml_command]
