"""The site as a WebSub publisher: its feeds declare the hub and themselves, and the hub is
pinged for the feeds new articles change."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree as ET

import pytest
from starlette.testclient import TestClient
from starlette.types import ASGIApp
from tests.web.seeding import Seeded, seed

from tidings.benchmarks._hub import LoopbackHub
from tidings.config import Settings
from tidings.models import NewArticle, Source
from tidings.store import Store
from tidings.web.app import create_app
from tidings.websub import publisher

ATOM = "{http://www.w3.org/2005/Atom}"
HUB = "https://hub.example/websub?x=1"  # declared exactly as given
PUBLIC = "https://news.example.org"


@pytest.fixture
def seeded(sqlite_store: Store) -> Seeded:
    return seed(sqlite_store)


def client_for(settings: Settings, store: Store, seeded: Seeded) -> Iterator[TestClient]:
    app = create_app(settings, store)
    app.state.site.set_clock(lambda: seeded.now)
    with TestClient(app) as c:
        yield c


@pytest.fixture
def publishing(settings: Settings, sqlite_store: Store, seeded: Seeded) -> Iterator[TestClient]:
    yield from client_for(settings.replace(websub_hub=HUB, public_url=PUBLIC + "/"),
                          sqlite_store, seeded)


@pytest.fixture
def plain(settings: Settings, sqlite_store: Store, seeded: Seeded) -> Iterator[TestClient]:
    yield from client_for(settings, sqlite_store, seeded)


def feed_paths(seeded: Seeded) -> list[str]:
    return ["/feed", f"/stories/{seeded.stories['border']}/feed",
            f"/sources/{seeded.sources['Gazzetta']}/feed", "/search/feed"]


@pytest.mark.parametrize("which", range(4))
def test_every_feed_declares_the_hub_and_itself(publishing: TestClient, seeded: Seeded,
                                                which: int) -> None:
    path = feed_paths(seeded)[which]
    query = "?q=syria" if path == "/search/feed" else ""
    for ext in ("xml", "atom", "json"):
        own = f"{PUBLIC}{path}.{ext}{query}"
        for _ in range(2):  # rendered, then from the cache: the same declarations
            r = publishing.get(f"{path}.{ext}{query}")
            assert r.status_code == 200
            assert r.headers["link"] == f'<{HUB}>; rel="hub", <{own}>; rel="self"'
        if ext == "json":
            doc = json.loads(r.content)
            assert doc["hubs"] == [{"type": "WebSub", "url": HUB}] and doc["feed_url"] == own
            continue
        root = ET.fromstring(r.content)
        top = root.find("channel") if ext == "xml" else root
        assert top is not None
        links = {(el.get("rel"), el.get("href")) for el in top.findall(f"{ATOM}link")}
        assert {("hub", HUB), ("self", own)} <= links


def test_without_a_hub_nothing_is_declared(plain: TestClient) -> None:
    r = plain.get("/feed.atom")
    assert "link" not in r.headers and b'rel="hub"' not in r.content
    assert "hubs" not in plain.get("/feed.json").json()


def _insert(store: Store, source_id: int, key: str, now: datetime) -> list[int]:
    with store.db.write() as conn:
        return store.articles.insert_many(conn, [NewArticle(
            source_id=source_id, entry_key=key, title=f"News {key}", published_at=now,
            fetched_at=now)])


def test_the_hub_is_pinged_for_the_feeds_new_articles_change(
        settings: Settings, sqlite_store: Store, serve_app: Callable[[ASGIApp], int]) -> None:
    hub = LoopbackHub()
    hub_url = f"http://127.0.0.1:{serve_app(hub.app())}/hub"
    site = settings.replace(websub_hub=hub_url, public_url=PUBLIC)
    store = sqlite_store
    now = datetime.now(UTC)
    source = store.sources.add(Source(None, "Wire"), now)
    _insert(store, source.id or 0, "old", now)
    assert publisher.publish(store, site, now=now) == 0  # history is not announced
    [fresh] = _insert(store, source.id or 0, "new", now)
    soon = now + timedelta(seconds=10)
    assert publisher.publish(store, site, now=soon) == 0  # waits for its story
    later = now + timedelta(seconds=publisher.CLUSTER_WAIT.total_seconds() + 1)
    assert publisher.publish(store, site, now=later) == 6
    assert sorted(hub.pings) == sorted(
        f"{PUBLIC}{p}.{ext}" for p in ("/feed", f"/sources/{source.id}/feed")
        for ext in ("xml", "atom", "json"))
    assert all(r["hub.mode"] == "publish" for r in hub.requests)
    assert store.published.mark() == fresh
    _insert(store, source.id or 0, "newer", now)
    assert publisher.publish(store, site, now=later + timedelta(seconds=1)) == 0  # too soon
    assert publisher.publish(store, site, now=later + timedelta(seconds=10)) == 6


def test_a_clustered_article_pings_its_story_feed_and_a_dead_hub_fails_nothing(
        settings: Settings, sqlite_store: Store, seeded: Seeded) -> None:
    site = settings.replace(websub_hub="http://127.0.0.1:9/hub", public_url=PUBLIC)
    store = sqlite_store
    now = datetime.now(UTC)
    assert publisher.publish(store, site, now=now) == 0
    source_id = seeded.sources["Gazzetta"]
    story_id = seeded.stories["border"]
    [new_id] = _insert(store, source_id, "joined", now)
    store.articles.update(new_id, story_id=story_id, cluster_state="done")
    assert publisher.publish(store, site, now=now + timedelta(seconds=6)) == 9
    assert store.published.mark() == new_id  # moved on: pings are best effort
