"""Two web processes' apps on one PostgreSQL store agree: reads counted once, caches in step."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from tidings.config import Settings
from tidings.models import Entry, NewArticle, Source
from tidings.store import Store, open_store
from tidings.web.app import create_app

BROWSER = {"user-agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"}
OTHER = {"user-agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) Safari/605.1.15"}


def _article(store: Store, source_id: int, key: str) -> int:
    now = datetime.now(UTC)
    row = NewArticle.from_entry(Entry(key=key, guid=key, url=f"https://o.example/{key}",
                             title=f"Headline {key}", content_text="Body text. " * 40),
                       feed_id=None, source_id=source_id, now=now)
    with store.db.write() as conn:
        [new_id] = store.articles.insert_many(conn, [row])
    return new_id


@pytest.fixture
def two_apps(pg_url: str, settings: Settings) -> Iterator[tuple[Store, Starlette, Starlette]]:
    first, second = open_store(pg_url), open_store(pg_url, upgrade=False)
    web = settings.replace(read_flush_seconds=3600.0, page_cache_seconds=600)
    try:
        yield first, create_app(web, first), create_app(web, second)
    finally:
        first.close()
        second.close()


def test_a_visitor_is_counted_once_across_processes(
        two_apps: tuple[Store, Starlette, Starlette]) -> None:
    store, app_a, app_b = two_apps
    source = store.sources.add(Source(None, "Outlet"), datetime.now(UTC))
    assert source.id is not None
    article_id = _article(store, source.id, "a1")
    with TestClient(app_a) as a, TestClient(app_b) as b:
        for client in (a, b, a, b):
            assert client.get(f"/articles/{article_id}", headers=BROWSER).status_code == 200
            client.app.state.site.reads.flush()  # type: ignore[attr-defined]
        assert store.articles.get(article_id).views == 1
        assert b.get(f"/articles/{article_id}", headers=OTHER).status_code == 200
        app_b.state.site.reads.flush()
        assert a.get(f"/articles/{article_id}", headers=OTHER).status_code == 200
        app_a.state.site.reads.flush()
        assert store.articles.get(article_id).views == 2


def test_a_change_reaches_every_processes_cache(
        two_apps: tuple[Store, Starlette, Starlette]) -> None:
    store, app_a, app_b = two_apps
    source = store.sources.add(Source(None, "Outlet"), datetime.now(UTC))
    assert source.id is not None
    _article(store, source.id, "old")
    with TestClient(app_a) as a, TestClient(app_b) as b:
        before = [c.get("/api/latest").json() for c in (a, b)]
        assert before[0] == before[1]
        assert [i["title"] for i in before[0]["items"]] == ["Headline old"]
        hits = app_b.state.site.cache.hits
        assert b.get("/api/latest").json() == before[1]
        assert app_b.state.site.cache.hits == hits + 1  # served from b's own cache
        # a worker (a third process) writes; neither web process is told directly
        _article(store, source.id, "new")
        store.meta.bump()
        for app in (app_a, app_b):
            app.state.site.cache.invalidate()  # skip the one-second token re-read interval
        after = [c.get("/api/latest").json() for c in (a, b)]
        assert after[0] == after[1]
        assert [i["title"] for i in after[0]["items"]] == ["Headline new", "Headline old"]


def test_concurrent_read_flushes_neither_deadlock_nor_lose_counts(pg_url: str) -> None:
    """Web processes flush overlapping batches at once; every flush commits, every read counts."""
    import random
    import threading

    from tidings.store.reads import Read
    from tidings.store.schema import stories

    store = open_store(pg_url)
    now = datetime.now(UTC)
    source = store.sources.add(Source(None, "Outlet"), now)
    assert source.id is not None
    with store.db.write() as conn:
        story_ids = [conn.execute(stories.insert().values(title=f"s{i}", created_at=now,
                                                          updated_at=now)
                                  .returning(stories.c.id)).scalar_one() for i in range(6)]
    ids = [_article(store, source.id, f"k{i}") for i in range(24)]
    for n, article_id in enumerate(ids):
        store.articles.update(article_id, story_id=story_ids[n % 6])
    errors: list[str] = []

    def flusher(seed: int) -> None:
        own = open_store(pg_url, upgrade=False)
        rng = random.Random(seed)
        try:
            for b in range(20):
                batch = [Read("2026-02-15", f"v{seed}-{b}-{j}", rng.choice(ids), now)
                         for j in range(25)]
                try:
                    own.reads.record(batch)
                except Exception as exc:
                    errors.append(str(exc).splitlines()[0])
        finally:
            own.close()

    threads = [threading.Thread(target=flusher, args=(seed,)) for seed in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    total = sum(store.articles.get(i).views for i in ids)
    assert total == 3 * 20 * 25
    store.close()
