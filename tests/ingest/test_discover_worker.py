"""Feed discovery from pages, and the background worker loop."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from tidings.config import Settings
from tidings.errors import FetchError, ParseError
from tidings.fetch.discover import Discovered, advertised_feeds, find_feed
from tidings.fetch.http import Fetcher
from tidings.models import Feed, Source
from tidings.store import Store
from tidings.worker import loop as worker
from tidings.worker.stages import run_queued

FEED = ("<rss version='2.0'><channel><title>Found</title><link>https://x.example/</link>"
        "<item><guid>1</guid><title>One</title></item></channel></rss>")


def page(links: str) -> str:
    return f"<!doctype html><html><head><title>Site</title>{links}</head><body>hi</body></html>"


def discover(settings: Settings, url: str) -> Discovered:
    async def go() -> Discovered:
        async with Fetcher(settings) as fetcher:
            return await find_feed(fetcher, url)
    return asyncio.run(go())


def test_advertised_feeds_skip_comment_feeds() -> None:
    html = page('<link rel="alternate" type="application/rss+xml" title="Comments" '
                'href="/comments/feed">'
                '<link rel="alternate" type="application/atom+xml" href="/atom.xml">'
                '<link rel="alternate" type="application/rss+xml" href="rss.xml">'
                '<link rel="stylesheet" href="/style.css">'
                '<link rel="alternate" type="application/feed+json" href="/atom.xml">')
    assert advertised_feeds(html, "https://site.example/blog/") == [
        "https://site.example/atom.xml", "https://site.example/blog/rss.xml"]


def test_feed_url_is_used_directly(settings: Settings, feed_server) -> None:  # type: ignore[no-untyped-def]
    url = feed_server.add("/feed.xml", FEED)
    found = discover(settings, url)
    assert found.url == url and found.parsed.title == "Found" and found.page_url is None


def test_page_with_link_alternate(settings: Settings, feed_server) -> None:  # type: ignore[no-untyped-def]
    feed_server.add("/comments.xml", FEED)
    feed_server.add("/main.xml", FEED)
    url = feed_server.add("/", page(
        '<link rel="alternate" type="application/rss+xml" title="Comment feed" '
        'href="/comments.xml"><link rel="alternate" type="application/rss+xml" '
        'href="/main.xml">'), content_type="text/html; charset=utf-8")
    found = discover(settings, url)
    assert found.url == feed_server.url("/main.xml") and found.page_url == url


def test_page_without_links_probes_usual_paths(settings: Settings, feed_server) -> None:  # type: ignore[no-untyped-def]
    url = feed_server.add("/", page(""), content_type="text/html")
    feed_server.add("/index.xml", FEED)
    assert discover(settings, url).url == feed_server.url("/index.xml")
    probed = [h.path for h in feed_server.hits]
    assert probed[:5] == ["/", "/feed", "/rss.xml", "/atom.xml", "/index.xml"]


def test_nothing_subscribable(settings: Settings, feed_server) -> None:  # type: ignore[no-untyped-def]
    url = feed_server.add("/", page(""), content_type="text/html")
    with pytest.raises(ParseError, match="no feed found"):
        discover(settings, url)
    with pytest.raises(FetchError, match="404"):
        discover(settings, feed_server.url("/nope"))
    text = feed_server.add("/notes.txt", "just text", content_type="text/plain")
    with pytest.raises(ParseError, match="is not a feed"):
        discover(settings, text)


def test_a_failing_later_stage_is_reported_not_raised(store: Store, settings: Settings,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(store, settings, **options):  # type: ignore[no-untyped-def]
        raise RuntimeError("cluster exploded")

    monkeypatch.setattr("tidings.cluster.stage.run_pending", explode)
    done = run_queued(store, settings)
    assert done["extract"] == 0
    assert str(done["cluster"]).startswith("error: cluster exploded")


def test_run_forever_fetches_and_stops_promptly(sqlite_store: Store, settings: Settings,
                                                feed_server) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    url = feed_server.add("/feed", FEED)
    source = sqlite_store.sources.add(Source(id=None, name="s"), now)
    sqlite_store.feeds.add(Feed(id=None, source_id=source.id, url=url), now)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run_forever, args=(sqlite_store, settings, stop))
    thread.start()
    deadline = time.monotonic() + 20
    while sqlite_store.articles.count() == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert sqlite_store.articles.count() == 1
