"""Pinging ``TIDINGS_WEBSUB_HUB`` when the feeds tidings serves change (the ``publish`` stage).

The site's feeds declare the hub and their own URL under ``TIDINGS_PUBLIC_URL``
(``tidings.web.feeds``); subscribers of those feeds hear of new articles once the hub is told
which feeds changed: a form POST ``hub.mode=publish`` with one ``hub.url`` per changed feed
(RSS, Atom and JSON Feed of the front page, of each source with new articles and of each
story they joined).

It runs in the worker beside the other stages, never on a request or in ingestion, so a slow
or failing hub costs nothing but a log line. Articles are taken in id order after a
watermark kept in the store (first use: the newest article, history is not announced); an
article waits for story assignment (at most :data:`CLUSTER_WAIT`) so its story feed is
included. Rounds are at least :data:`MIN_ROUND_SECONDS` apart and cover at most
:data:`ROUND_ARTICLES` articles, which bounds the pings a burst of news can cause.
Search feeds are not pinged: which searches a new article changes is not knowable cheaply.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from tidings.config import Settings
from tidings.errors import TidingsError, one_line
from tidings.fetch.http import Fetcher
from tidings.store import Store
from tidings.store.websub import ChangedArticle

log = logging.getLogger(__name__)

FORMATS = ("xml", "atom", "json")
MIN_ROUND_SECONDS = 5.0
ROUND_ARTICLES = 200
#: an article not yet assigned to a story after this long is announced without its story
CLUSTER_WAIT = timedelta(seconds=60)
ROUND_KEY = "websub_published_at"


def changed_feed_urls(base: str, changed: Iterable[ChangedArticle]) -> list[str]:
    """The URLs (under ``base``) of every feed the ``changed`` articles appear in."""
    paths = ["/feed"]
    for article in changed:
        for path in (f"/sources/{article.source_id}/feed" if article.source_id else None,
                     f"/stories/{article.story_id}/feed" if article.story_id else None):
            if path and path not in paths:
                paths.append(path)
    return [f"{base}{path}.{ext}" for path in paths for ext in FORMATS]


def ready(changed: list[ChangedArticle], now: datetime) -> list[ChangedArticle]:
    """The oldest articles that can be announced: up to the first still waiting for its story."""
    out = []
    for article in changed:
        if not article.clustered and now - article.fetched_at < CLUSTER_WAIT:
            break
        out.append(article)
    return out


def _round_due(store: Store, now: datetime) -> bool:
    last = store.meta.get(ROUND_KEY)
    return last is None or now.timestamp() - float(last) >= MIN_ROUND_SECONDS


async def ping(fetcher: Fetcher, hub: str, url: str) -> bool:
    try:
        await fetcher.post_form(hub, {"hub.mode": "publish", "hub.url": url})
    except TidingsError as exc:
        log.warning("websub ping failed", extra={"hub": hub, "url": url,
                                                 "error": one_line(exc)})
        return False
    return True


async def publish_async(store: Store, settings: Settings, *, limit: int | None = None,
                        fetcher: Fetcher | None = None, now: datetime | None = None) -> int:
    """One round: ping the hub for the feeds new articles changed; how many pings were sent."""
    hub, base = settings.websub_hub, settings.public_base
    now = now or datetime.now(UTC)
    if not hub or not base or not await asyncio.to_thread(_round_due, store, now):
        return 0
    mark = await asyncio.to_thread(store.published.start_mark)
    changed = await asyncio.to_thread(store.published.since, mark, limit or ROUND_ARTICLES)
    announce = ready(changed, now)
    if not announce:
        return 0
    urls = changed_feed_urls(base, announce)
    active = fetcher or Fetcher(settings)
    try:
        sent = await asyncio.gather(*(ping(active, hub, url) for url in urls))
    finally:
        if fetcher is None:
            await active.aclose()
    await asyncio.to_thread(store.published.set_mark, announce[-1].id)
    await asyncio.to_thread(store.meta.set, ROUND_KEY, str(now.timestamp()))
    log.info("websub hub pinged", extra={"hub": hub, "feeds": len(urls),
                                         "failed": sent.count(False)})
    return len(urls)


def publish(store: Store, settings: Settings, *, limit: int | None = None,
            now: datetime | None = None) -> int:
    """Synchronous :func:`publish_async`, for the stage table."""
    return asyncio.run(publish_async(store, settings, limit=limit, now=now))
