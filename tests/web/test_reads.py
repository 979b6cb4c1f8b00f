"""Reads: once per visitor per article per day, across processes, never bots, buffered."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from tidings.config import Settings
from tidings.store import Store
from tidings.store.schema import meta
from tidings.web.app import create_app
from tidings.web.reads import is_bot

from .seeding import Seeded

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


@pytest.fixture
def slow_flush(settings: Settings) -> Settings:
    """Flushing only when the test says so (or at shutdown)."""
    return settings.replace(read_flush_seconds=3600)


def make_client(settings: Settings, store: Store, seeded: Seeded) -> TestClient:
    app = create_app(settings, store)
    app.state.site.set_clock(lambda: seeded.now)
    return TestClient(app)


@pytest.fixture
def reader(slow_flush: Settings, store: Store, seeded: Seeded) -> Iterator[TestClient]:
    with make_client(slow_flush, store, seeded) as c:
        yield c


def views(store: Store, article_id: int) -> int:
    return store.articles.get(article_id).views


def flush(client: TestClient) -> int:
    return int(client.app.state.site.reads.flush())  # type: ignore[attr-defined]


def test_one_read_per_visitor_per_day(reader: TestClient, store: Store, seeded: Seeded) -> None:
    aid = seeded.articles["arch"]
    before = views(store, aid)
    for _ in range(3):
        assert reader.get(f"/articles/{aid}", headers={"User-Agent": BROWSER}).status_code == 200
    reader.get(f"/articles/{aid}", headers={"User-Agent": BROWSER + " other"})
    assert views(store, aid) == before  # buffered, not yet written
    assert flush(reader) == 2
    assert views(store, aid) == before + 2
    # the next day the same visitor counts again
    site = reader.app.state.site  # type: ignore[attr-defined]
    site.set_clock(lambda: seeded.now + timedelta(days=1))
    reader.get(f"/articles/{aid}", headers={"User-Agent": BROWSER})
    assert flush(reader) == 1
    assert views(store, aid) == before + 3
    # the story's views are its articles' views, reads included
    story = reader.get(f"/api/stories/{seeded.stories['arch']}").json()
    assert story["views"] == views(store, aid) + views(store, seeded.articles["arch2"])
    assert story["views"] == 294 + 40 + 3


def test_bots_head_and_missing_articles_are_not_counted(reader: TestClient, store: Store,
                                                        seeded: Seeded) -> None:
    aid = seeded.articles["arch"]
    before = views(store, aid)
    for agent in ("Googlebot/2.1 (+http://www.google.com/bot.html)", "curl/8.5.0",
                  "Mozilla/5.0 (compatible; bingbot/2.0)", "facebookexternalhit/1.1", ""):
        reader.get(f"/articles/{aid}", headers={"User-Agent": agent})
    reader.head(f"/articles/{aid}", headers={"User-Agent": BROWSER})
    reader.get("/articles/99999", headers={"User-Agent": BROWSER})
    assert flush(reader) == 0
    assert views(store, aid) == before


def test_304_counts(reader: TestClient, store: Store, seeded: Seeded) -> None:
    aid = seeded.articles["wire"]
    first = reader.get(f"/articles/{aid}", headers={"User-Agent": BROWSER})
    again = reader.get(f"/articles/{aid}", headers={"User-Agent": BROWSER + " b",
                                                    "If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert flush(reader) == 2


def test_deduplicated_across_processes(slow_flush: Settings, store: Store,
                                       seeded: Seeded) -> None:
    aid = seeded.articles["own"]
    before = views(store, aid)
    with make_client(slow_flush, store, seeded) as one, \
            make_client(slow_flush, store, seeded) as two:
        one.get(f"/articles/{aid}", headers={"User-Agent": BROWSER})
        two.get(f"/articles/{aid}", headers={"User-Agent": BROWSER})
        assert flush(one) + flush(two) == 1
    assert views(store, aid) == before + 1


def test_a_burst_is_one_write(reader: TestClient, store: Store, seeded: Seeded) -> None:
    aid = seeded.articles["old"]
    before = views(store, aid)
    for i in range(60):
        reader.get(f"/articles/{aid}", headers={"User-Agent": f"{BROWSER} visitor/{i}"})
    counter = reader.app.state.site.reads  # type: ignore[attr-defined]
    flushes = counter.flushes
    assert flush(reader) == 60
    assert counter.flushes == flushes + 1
    assert views(store, aid) == before + 60


def test_salt_rotates_daily_and_no_address_is_stored(reader: TestClient, store: Store,
                                                     seeded: Seeded) -> None:
    aid = seeded.articles["arch"]
    reader.get(f"/articles/{aid}", headers={"User-Agent": BROWSER})
    flush(reader)
    site = reader.app.state.site  # type: ignore[attr-defined]
    site.set_clock(lambda: seeded.now + timedelta(days=1))
    reader.get(f"/articles/{aid}", headers={"User-Agent": BROWSER})
    flush(reader)
    with store.db.read() as conn:
        salts = conn.execute(sa.select(meta.c.key).where(meta.c.key.like("read_salt:%"))
                             ).scalars().all()
        visitors = conn.execute(sa.text("SELECT visitor FROM reads")).scalars().all()
    assert salts == ["read_salt:2026-02-16"]
    assert len(set(visitors)) == 2  # same person, different day: unlinkable hashes
    assert all("testclient" not in v and len(v) == 32 for v in visitors)


def test_reads_written_at_shutdown(slow_flush: Settings, store: Store, seeded: Seeded) -> None:
    aid = seeded.articles["cjk"]
    before = views(store, aid)
    with make_client(slow_flush, store, seeded) as c:
        c.get(f"/articles/{aid}", headers={"User-Agent": BROWSER})
    assert views(store, aid) == before + 1


def test_most_read_and_trending(reader: TestClient, store: Store, seeded: Seeded) -> None:
    for i in range(3):
        reader.get(f"/articles/{seeded.articles['cjk']}", headers={"User-Agent": f"{BROWSER} {i}"})
    reader.get(f"/articles/{seeded.articles['arch']}", headers={"User-Agent": BROWSER})
    flush(reader)
    reader.app.state.site.cache.entries.clear()  # type: ignore[attr-defined]
    most = reader.get("/api/most-read").json()["items"]
    assert [i["id"] for i in most][:2] == [seeded.articles["cjk"], seeded.articles["arch"]]
    trending = reader.get("/api/trending").json()["items"]
    assert trending[0]["id"] == seeded.articles["cjk"]


@pytest.mark.parametrize("agent,bot", [
    (BROWSER, False), ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Mobile/15E148 Safari", False),
    ("Googlebot/2.1", True), ("Mozilla/5.0 AppleWebKit (compatible; YandexBot/3.0)", True),
    ("python-requests/2.31", True), ("Wget/1.21", True), ("", True), (None, True),
    ("Mozilla/5.0 HeadlessChrome/120", True), ("Feedly/1.0", True),
])
def test_bot_detection(agent: str | None, bot: bool) -> None:
    assert is_bot(agent) is bot
