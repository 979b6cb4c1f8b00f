from datetime import UTC, datetime, timedelta

import pytest

from tidings.errors import NotFoundError
from tidings.models import Entry, Feed, NewArticle, Source
from tidings.store import Store, open_store

NOW = datetime(2026, 2, 15, 11, 0, tzinfo=UTC)


def _feed(store: Store) -> Feed:
    source = store.sources.add(Source(None, "Example", "https://example.org"), NOW)
    return store.feeds.add(Feed(None, source.id, "https://example.org/feed"), NOW)


def test_migrations_run_once_and_reopen_cleanly(database_url: str) -> None:
    first = open_store(database_url)
    first.close()
    again = open_store(database_url)
    assert again.sources.list() == []
    again.close()


def test_entries_are_stored_once_per_source_and_key(store: Store) -> None:
    feed = _feed(store)
    entries = [Entry(key=f"k{i % 3}", guid=f"k{i % 3}", url=None, title=f"t{i}") for i in range(6)]
    rows = [NewArticle.from_entry(e, feed_id=feed.id, source_id=feed.source_id, now=NOW)
            for e in entries]
    with store.db.write() as conn:
        first = store.articles.insert_many(conn, rows)
    with store.db.write() as conn:
        second = store.articles.insert_many(conn, rows)
    assert len(first) == 3
    assert second == []
    assert store.articles.count() == 3


def test_dates_fall_back_to_first_seen_and_future_is_clamped(store: Store) -> None:
    feed = _feed(store)
    future = Entry(key="f", guid=None, url=None, title="f", published_at=NOW + timedelta(days=3))
    undated = Entry(key="u", guid=None, url=None, title="u")
    rows = [NewArticle.from_entry(e, feed_id=feed.id, source_id=feed.source_id, now=NOW)
            for e in (future, undated)]
    with store.db.write() as conn:
        ids = store.articles.insert_many(conn, rows)
    for article_id in ids:
        assert store.articles.get(article_id).published_at == NOW


def test_failed_transaction_leaves_nothing_behind(store: Store) -> None:
    feed = _feed(store)
    rows = [NewArticle.from_entry(Entry(key="a", guid=None, url=None, title="a"),
                         feed_id=feed.id, source_id=feed.source_id, now=NOW)]
    with pytest.raises(RuntimeError), store.db.write() as conn:
        store.articles.insert_many(conn, rows)
        raise RuntimeError("crash in the middle of a feed")
    assert store.articles.count() == 0


def test_unknown_ids_raise_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError):
        store.articles.get(12345)
    with pytest.raises(NotFoundError):
        store.sources.get(12345)
