"""Subscribing to and managing sources: ``tidings add`` / ``tidings sources ...`` and the
admin area's forms all end here, so both change a source the same way (resuming or editing
a source re-enables its feeds and clears their errors, wherever it is done)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from tidings.config import Settings
from tidings.errors import NotFoundError, OperationError
from tidings.fetch.discover import Discovered, find_feeds
from tidings.fetch.http import Fetcher
from tidings.ingest.pipeline import ingest_response
from tidings.models import Feed, FulltextMode, Source
from tidings.store import Store, health
from tidings.worker import stages

FULLTEXT_MODES = tuple(m.value for m in FulltextMode)


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


async def _discover(settings: Settings, url: str, every: bool) -> list[Discovered]:
    async with Fetcher(settings) as fetcher:
        return await find_feeds(fetcher, url, every=every)


def _source_for(store: Store, found: Discovered, *, name: str | None, category: str | None,
                fulltext: str | None, now: datetime, public: bool) -> Source:
    parsed = found.parsed
    parts = urlsplit(parsed.site_url or found.page_url or found.url)
    site = parsed.site_url or f"{parts.scheme}://{parts.netloc}/"
    # a reader's feed gets a private source of its own, never a place in a public one
    existing = (None if not public else
                store.sources.find(url=site, name=name) if name else store.sources.find(url=site))
    if existing is not None:
        return existing
    label = name or parsed.title or parts.hostname or found.url
    source = Source(id=None, name=label, url=site, category=category,
                    fulltext=fulltext or FulltextMode.AUTO, language=parsed.language,
                    public=public)
    return store.sources.add(source, now)


def _existing(store: Store, feed: Feed) -> Subscription:
    return Subscription(feed, store.sources.get(feed.source_id or 0), 0, True)


def subscribe(store: Store, settings: Settings, url: str, *, name: str | None = None,
              category: str | None = None, fulltext: str | None = None,
              every: bool = False, now: datetime | None = None,
              public: bool = True) -> list[Subscription]:
    """Subscribe to ``url`` (or the feeds its page advertises, through the address guard)
    and store the first fetch; feeds already known come back with ``already`` set. A new
    source is public (on the site, followed by every account) unless ``public=False``: a
    reader's feed, seen only by its followers until an administrator publishes it."""
    now = now or datetime.now(UTC)
    url = normalize_input_url(url)
    known = store.feeds.by_url(url)
    if known is not None:
        return [_existing(store, known)]
    done: list[Subscription] = []
    for found in asyncio.run(_discover(settings, url, every)):
        known = store.feeds.by_url(found.url)
        if known is not None:
            done.append(_existing(store, known))
            continue
        source = _source_for(store, found, name=name, category=category, fulltext=fulltext,
                             now=now, public=public)
        feed = store.feeds.add(Feed(id=None, source_id=source.id, url=found.url,
                                    title=found.parsed.title, site_url=found.parsed.site_url),
                               now)
        outcome = ingest_response(store, settings, feed, found.response, now,
                                  parsed=found.parsed)
        done.append(Subscription(store.feeds.get(feed.id or 0), source,
                                 len(outcome.new_ids), False))
    return done


def add_source(store: Store, settings: Settings, *, url: str, name: str | None,
               category: str | None, now: datetime) -> tuple[Source, int]:
    """Subscribe to one new source (the admin form): the source and how many articles came;
    an error when every feed found is already subscribed."""
    done = subscribe(store, settings, url, name=name, category=category, now=now)
    added = [s for s in done if not s.already]
    if not added:
        raise OperationError(f"already subscribed to {done[0].feed.url if done else url}")
    return store.sources.get(added[0].feed.source_id or 0), sum(s.new_articles for s in added)


def resolve_source(store: Store, ref: str) -> Source:
    """A source by id, or by its exact name."""
    if ref.isdigit():
        return store.sources.get(int(ref))
    found = store.sources.find(name=ref)
    if found is None:
        raise NotFoundError(f"no source with id or name {ref!r}")
    return found


def pause_source(store: Store, source_id: int, settings: Settings | None = None) -> Source:
    """Stop fetching a source's feeds; its articles stay. With ``settings``, its WebSub
    subscriptions are ended at once (the worker's ``websub`` stage would, a little later)."""
    source = store.sources.update(source_id, paused=True)
    _websub_upkeep(store, settings)
    return source


def _websub_upkeep(store: Store, settings: Settings | None) -> None:
    """Bring WebSub subscriptions in step after a source changed (sends the unsubscribes)."""
    if settings is not None and settings.public_base:
        stages.run_stage(stages.WEBSUB, store, settings)


def resume_source(store: Store, source_id: int) -> Source:
    """Fetch a source again, re-enabling feeds disabled after too many errors."""
    source = store.sources.update(source_id, paused=False)
    health.reset_feed_errors(store, source_id)
    return source


def remove_source(store: Store, source_id: int, settings: Settings | None = None
                  ) -> tuple[Source, int]:
    """Remove a source with its feeds and articles; the source and how many articles went.
    Its WebSub subscriptions outlive it until their hubs verify the unsubscribe."""
    source = store.sources.get(source_id)
    count = store.articles.count(source_id=source_id)
    store.sources.remove(source_id)
    _websub_upkeep(store, settings)
    return source, count


def edit_source(store: Store, source_id: int, *, name: str | None = None,
                url: str | None = None, category: str | None = None,
                fulltext: str | None = None, language: str | None = None,
                feed_url: str | None = None, poll_interval: int | None = None) -> Source:
    """Change what is given (``None``: unchanged; ``""`` clears the category or language;
    ``poll_interval=0`` goes back to the adaptive schedule). The source's feeds are then
    re-enabled with their errors cleared, so the change is tried on the next round."""
    if fulltext is not None and fulltext not in FULLTEXT_MODES:
        raise OperationError(f"full text must be {', '.join(FULLTEXT_MODES)}")
    if name is not None and not name.strip():
        raise OperationError("a source needs a name")
    source = store.sources.get(source_id)
    feeds = store.feeds.list(source_id=source_id)
    if feed_url is not None:  # checked before anything changes
        if len(feeds) != 1:
            raise OperationError(f"source {source_id} has {len(feeds)} feeds; "
                                 "changing the feed address needs exactly one")
        if store.feeds.by_url(feed_url) is not None:
            raise OperationError(f"another feed already has the address {feed_url}")
    changes: dict[str, Any] = {k: v for k, v in {"name": name, "url": url,
                                                  "fulltext": fulltext}.items()
                               if v is not None}
    for key, value in (("category", category), ("language", language)):
        if value is not None:
            changes[key] = value or None
    if changes:
        source = store.sources.update(source_id, **changes)
    if feed_url is not None:
        store.feeds.update(feeds[0].id or 0, url=feed_url, etag=None, last_modified=None)
    if poll_interval is not None:
        for feed in feeds:
            store.feeds.update(feed.id or 0, poll_interval=poll_interval or None)
    health.reset_feed_errors(store, source_id)
    return source
