"""A loopback hub, tidings' web app on loopback, and a feed that declares the hub."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from starlette.types import ASGIApp

from fixtures_server import FixtureServer, feed_server
from tidings.benchmarks._hub import LoopbackHub
from tidings.config import Settings
from tidings.ingest.pipeline import refresh
from tidings.models import Feed, Source
from tidings.store import Store
from tidings.web.app import create_app

__all__ = ["feed_server"]


def atom(topic: str, hub: str, entries: list[tuple[str, str]]) -> str:
    """An Atom feed declaring ``hub`` and ``topic`` (self), with (id, title) entries."""
    items = "".join(
        f"<entry><id>urn:{key}</id><title>{title}</title>"
        f"<link href='https://outlet.example/{key}'/><updated>2026-12-04T07:00:00Z</updated>"
        f"<content type='html'>&lt;p&gt;{title} in full.&lt;/p&gt;</content></entry>"
        for key, title in entries)
    return (f"<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
            f"<title>Outlet</title><id>urn:outlet</id><updated>2026-12-04T07:00:00Z</updated>"
            f"<link rel='hub' href='{hub}'/><link rel='self' href='{topic}'/>"
            f"<link rel='alternate' href='https://outlet.example/'/>{items}</feed>")


@dataclass
class Setup:
    store: Store
    settings: Settings  # with TIDINGS_PUBLIC_URL pointing at the served app
    hub: LoopbackHub
    hub_url: str
    topic: str
    feed: Feed
    source: Source
    feeds: FixtureServer
    site: str


@pytest.fixture
def hub() -> LoopbackHub:
    return LoopbackHub()


@pytest.fixture
def setup(store: Store, settings: Settings, hub: LoopbackHub, feed_server: FixtureServer,
          serve_app: Callable[[ASGIApp], int]) -> Setup:
    """A subscribed-to-nothing-yet source whose feed (fetched once) declares the hub."""
    hub_url = f"http://127.0.0.1:{serve_app(hub.app())}/hub"
    port = serve_app(create_app(settings, store))
    site = f"http://127.0.0.1:{port}"
    settings = settings.replace(public_url=site)
    topic = feed_server.add("/feed", "")
    feed_server.add("/feed", atom(topic, hub_url, [("1", "First report")]),
                    content_type="application/atom+xml")
    now = datetime.now(UTC)
    source = store.sources.add(Source(None, "Outlet", url="https://outlet.example/"), now)
    feed = store.feeds.add(Feed(None, source.id, topic), now)
    report = refresh(store, settings, feed_ids=[feed.id or 0])
    assert report.errors == [] and report.new_articles == 1
    return Setup(store, settings, hub, hub_url, topic, store.feeds.get(feed.id or 0), source,
                 feed_server, site)
