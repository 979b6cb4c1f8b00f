"""``tidings sources ...`` (list, show, pause, resume, remove, edit) and ``export-opml``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import click

from tidings.cli.context import AppContext, pass_app, print_json
from tidings.errors import NotFoundError, TidingsError
from tidings.importers.opml import export_opml
from tidings.models import Feed, Source
from tidings.store import Store, health


def resolve_source(store: Store, ref: str) -> Source:
    """A source by id, or by its exact name."""
    if ref.isdigit():
        return store.sources.get(int(ref))
    found = store.sources.find(name=ref)
    if found is None:
        raise NotFoundError(f"no source with id or name {ref!r}")
    return found


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
            "language": source.language, "paused": source.paused,
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
    found = resolve_source(app.store, source)
    app.store.sources.update(found.id or 0, paused=True)
    click.echo(f"paused source {found.id} ({found.name})")


@sources.command("resume")
@click.argument("source")
@pass_app
def resume(app: AppContext, source: str) -> None:
    """Fetch a paused source again; re-enables feeds disabled after too many errors."""
    found = resolve_source(app.store, source)
    app.store.sources.update(found.id or 0, paused=False)
    health.reset_feed_errors(app.store, found.id or 0)
    click.echo(f"resumed source {found.id} ({found.name})")


@sources.command("remove")
@click.argument("source")
@pass_app
def remove(app: AppContext, source: str) -> None:
    """Remove a source with its feeds and articles."""
    found = resolve_source(app.store, source)
    count = app.store.articles.count(source_id=found.id)
    app.store.sources.remove(found.id or 0)
    click.echo(f"removed source {found.id} ({found.name}) and its {count} articles")


@sources.command("edit")
@click.argument("source")
@click.option("--name")
@click.option("--url", help="The outlet's site address.")
@click.option("--category", help="Category; an empty string clears it.")
@click.option("--fulltext", type=click.Choice(["auto", "always", "never"]))
@click.option("--language")
@click.option("--feed-url", help="Change the address of the source's (only) feed.")
@click.option("--poll-interval", type=int, metavar="SECONDS",
              help="Fixed check interval for its feeds; 0 goes back to adaptive.")
@pass_app
def edit(app: AppContext, source: str, name: str | None, url: str | None,
         category: str | None, fulltext: str | None, language: str | None,
         feed_url: str | None, poll_interval: int | None) -> None:
    """Change a source; its feeds are re-enabled and checked on the next round."""
    store = app.store
    found = resolve_source(store, source)
    changes: dict[str, Any] = {k: v for k, v in {"name": name, "url": url, "fulltext": fulltext,
                                                  "language": language}.items() if v is not None}
    if category is not None:
        changes["category"] = category or None
    if changes:
        found = store.sources.update(found.id or 0, **changes)
    feeds = store.feeds.list(source_id=found.id)
    if feed_url is not None:
        if len(feeds) != 1:
            raise TidingsError(f"source {found.id} has {len(feeds)} feeds; --feed-url needs one")
        if store.feeds.by_url(feed_url) is not None:
            raise TidingsError(f"another feed already has the address {feed_url}")
        store.feeds.update(feeds[0].id or 0, url=feed_url, etag=None, last_modified=None)
    if poll_interval is not None:
        for feed in feeds:
            store.feeds.update(feed.id or 0, poll_interval=poll_interval or None)
    health.reset_feed_errors(store, found.id or 0)
    click.echo(f"updated source {found.id} ({found.name})")


@click.command("export-opml")
@pass_app
def export_opml_command(app: AppContext) -> None:
    """Write every subscription as OPML 2.0 (with categories) to standard output."""
    click.echo(export_opml(app.store, now=datetime.now(UTC)), nl=False)


COMMANDS = [sources, export_opml_command]
