"""``tidings add URL``: subscribe to a feed, or to the feed a web page advertises."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from urllib.parse import urlsplit

import click

from tidings.cli.context import AppContext, pass_app, print_json
from tidings.errors import TidingsError
from tidings.ingest.discover import Discovered, find_feed
from tidings.ingest.fetch import Fetcher
from tidings.ingest.pipeline import ingest_response
from tidings.models import Feed, Source
from tidings.store import Store


def normalize_input_url(url: str) -> str:
    """Accept ``example.com/news`` as ``https://example.com/news``."""
    url = url.strip()
    if "://" not in url:
        url = "https://" + url
    return url


async def _discover(app: AppContext, url: str) -> Discovered:
    async with Fetcher(app.settings) as fetcher:
        return await find_feed(fetcher, url)


def _source_for(store: Store, found: Discovered, *, name: str | None, category: str | None,
                fulltext: str | None, now: datetime) -> Source:
    parsed = found.parsed
    parts = urlsplit(parsed.site_url or found.page_url or found.url)
    site = parsed.site_url or f"{parts.scheme}://{parts.netloc}/"
    existing = store.sources.find(url=site)
    if existing is not None and name is None:
        return existing
    label = name or parsed.title or parts.hostname or found.url
    source = Source(id=None, name=label, url=site, category=category,
                    fulltext=fulltext or "auto", language=parsed.language)
    return store.sources.add(source, now)


def subscribe(app: AppContext, url: str, *, name: str | None = None,
              category: str | None = None, fulltext: str | None = None,
              now: datetime | None = None) -> tuple[Feed, int, bool]:
    """Subscribe and ingest the first fetch; returns (feed, new articles, already subscribed)."""
    store = app.store
    now = now or datetime.now(UTC)
    url = normalize_input_url(url)
    known = store.feeds.by_url(url)
    if known is not None:
        return known, 0, True
    found = asyncio.run(_discover(app, url))
    known = store.feeds.by_url(found.url)
    if known is not None:
        return known, 0, True
    source = _source_for(store, found, name=name, category=category, fulltext=fulltext, now=now)
    feed = store.feeds.add(Feed(id=None, source_id=source.id, url=found.url,
                                title=found.parsed.title, site_url=found.parsed.site_url), now)
    outcome = ingest_response(store, app.settings, feed, found.response, now,
                              parsed=found.parsed)
    return store.feeds.get(feed.id or 0), len(outcome.new_ids), False


@click.command("add")
@click.argument("url")
@click.option("--name", help="Name of the outlet (default: the feed's title).")
@click.option("--category", help="Category, e.g. World or Tech.")
@click.option("--fulltext", type=click.Choice(["auto", "always", "never"]),
              help="Fetch article pages for full text (default auto: only for short entries).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@pass_app
def add(app: AppContext, url: str, name: str | None, category: str | None,
        fulltext: str | None, as_json: bool) -> None:
    """Subscribe to a feed URL, or to the feed a web page advertises."""
    try:
        feed, count, existed = subscribe(app, url, name=name, category=category,
                                         fulltext=fulltext)
    except TidingsError as exc:
        message = str(exc) if url in str(exc) else f"cannot subscribe to {url}: {exc}"
        raise TidingsError(message) from None
    source = app.store.sources.get(feed.source_id or 0)
    if as_json:
        print_json({"feed_id": feed.id, "feed_url": feed.url, "source_id": source.id,
                    "source": source.name, "new_articles": count, "already_subscribed": existed})
    elif existed:
        click.echo(f"already subscribed: {feed.url} (source {source.id}, {source.name})")
    else:
        click.echo(f"subscribed to {source.name}: {feed.url} ({count} articles)")


COMMANDS = [add]
