"""``tidings add URL``: subscribe to a feed, or to the feed(s) a web page advertises."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import click

from tidings.cli.context import AppContext, pass_app, print_json
from tidings.errors import TidingsError
from tidings.fetch.discover import Discovered, find_feeds
from tidings.fetch.http import Fetcher
from tidings.ingest.pipeline import ingest_response
from tidings.models import Feed, Source
from tidings.store import Store


@dataclass
class Subscription:
    feed: Feed
    source: Source
    new_articles: int
    already: bool


def normalize_input_url(url: str) -> str:
    """Accept ``example.com/news`` as ``https://example.com/news``."""
    url = url.strip()
    if "://" not in url:
        url = "https://" + url
    return url


async def _discover(app: AppContext, url: str, every: bool) -> list[Discovered]:
    async with Fetcher(app.settings) as fetcher:
        return await find_feeds(fetcher, url, every=every)


def _source_for(store: Store, found: Discovered, *, name: str | None, category: str | None,
                fulltext: str | None, now: datetime) -> Source:
    parsed = found.parsed
    parts = urlsplit(parsed.site_url or found.page_url or found.url)
    site = parsed.site_url or f"{parts.scheme}://{parts.netloc}/"
    existing = store.sources.find(url=site, name=name) if name else store.sources.find(url=site)
    if existing is not None:
        return existing
    label = name or parsed.title or parts.hostname or found.url
    source = Source(id=None, name=label, url=site, category=category,
                    fulltext=fulltext or "auto", language=parsed.language)
    return store.sources.add(source, now)


def _existing(store: Store, feed: Feed) -> Subscription:
    return Subscription(feed, store.sources.get(feed.source_id or 0), 0, True)


def subscribe(app: AppContext, url: str, *, name: str | None = None,
              category: str | None = None, fulltext: str | None = None,
              every: bool = False, now: datetime | None = None) -> list[Subscription]:
    """Subscribe to ``url`` (or the feeds its page advertises) and ingest the first fetch."""
    store = app.store
    now = now or datetime.now(UTC)
    url = normalize_input_url(url)
    known = store.feeds.by_url(url)
    if known is not None:
        return [_existing(store, known)]
    done: list[Subscription] = []
    for found in asyncio.run(_discover(app, url, every)):
        known = store.feeds.by_url(found.url)
        if known is not None:
            done.append(_existing(store, known))
            continue
        source = _source_for(store, found, name=name, category=category, fulltext=fulltext,
                             now=now)
        feed = store.feeds.add(Feed(id=None, source_id=source.id, url=found.url,
                                    title=found.parsed.title, site_url=found.parsed.site_url),
                               now)
        outcome = ingest_response(store, app.settings, feed, found.response, now,
                                  parsed=found.parsed)
        done.append(Subscription(store.feeds.get(feed.id or 0), source,
                                 len(outcome.new_ids), False))
    return done


@click.command("add")
@click.argument("url")
@click.option("--name", help="Name of the outlet (default: the feed's title).")
@click.option("--category", help="Category, e.g. World or Tech.")
@click.option("--fulltext", type=click.Choice(["auto", "always", "never"]),
              help="Fetch article pages for full text (default auto: only for short entries).")
@click.option("--all", "every", is_flag=True,
              help="Subscribe to every feed a page advertises, not only the first.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per feed.")
@pass_app
def add(app: AppContext, url: str, name: str | None, category: str | None,
        fulltext: str | None, every: bool, as_json: bool) -> None:
    """Subscribe to a feed URL, or to the feed(s) a web page advertises."""
    try:
        subscriptions = subscribe(app, url, name=name, category=category, fulltext=fulltext,
                                  every=every)
    except TidingsError as exc:
        message = str(exc) if url in str(exc) else f"cannot subscribe to {url}: {exc}"
        raise TidingsError(message) from None
    for sub in subscriptions:
        if as_json:
            print_json({"feed_id": sub.feed.id, "feed_url": sub.feed.url,
                        "source_id": sub.source.id, "source": sub.source.name,
                        "new_articles": sub.new_articles, "already_subscribed": sub.already})
        elif sub.already:
            click.echo(f"already subscribed: {sub.feed.url} "
                       f"(source {sub.source.id}, {sub.source.name})")
        else:
            click.echo(f"subscribed to {sub.source.name}: {sub.feed.url} "
                       f"({sub.new_articles} articles)")


COMMANDS = [add]
