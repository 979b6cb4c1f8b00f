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


def test_grouped_insert_stores_times_as_range_queries_compare_them(store: Store) -> None:
    # the grouped INSERT sends plain tuples: times must be spelled exactly as SQLAlchemy
    # spells the bound ``since`` of a range query, or on SQLite the text comparison drifts
    feed = _feed(store)
    when = NOW - timedelta(hours=1)
    rows = [NewArticle.from_entry(Entry(key="a", guid=None, url=None, title="a",
                                        published_at=when),
                                  feed_id=feed.id, source_id=feed.source_id, now=NOW)]
    with store.db.write() as conn:
        store.articles.insert_many(conn, rows)
    assert feed.id is not None
    assert store.articles.recent_counts([feed.id], when) == {feed.id: 1}
    assert store.articles.recent_counts([feed.id], when + timedelta(microseconds=1)) == {}
    stored = store.articles.get(store.articles.latest()[0][0].id)
    assert (stored.published_at, stored.fetched_at) == (when, NOW)


def test_a_group_of_feeds_is_written_together_each_id_to_the_first_feed(store: Store) -> None:
    from tidings.ingest.pipeline import PreparedWrite, write_prepared

    first = _feed(store)
    second = store.feeds.add(Feed(None, first.source_id, "https://example.org/other"), NOW)
    shared = Entry(key="shared", guid="shared", url=None, title="shared")
    own = Entry(key="own", guid="own", url=None, title="own")

    def rows(feed: Feed, entries: list[Entry]) -> list[NewArticle]:
        assert feed.id is not None and feed.source_id is not None
        return [NewArticle.from_entry(e, feed_id=feed.id, source_id=feed.source_id, now=NOW)
                for e in entries]

    jobs = [PreparedWrite(first, rows(first, [shared, shared]), {"etag": '"1"'}),
            PreparedWrite(second, rows(second, [shared, own]), {"etag": '"2"'})]
    first_ids, second_ids = write_prepared(store, jobs, NOW)
    assert isinstance(first_ids, list) and isinstance(second_ids, list)
    assert len(first_ids) == 1 and len(second_ids) == 1 and first_ids != second_ids
    assert store.articles.count() == 2
    assert first.id is not None and second.id is not None
    assert [store.feeds.get(f).etag for f in (first.id, second.id)] == ['"1"', '"2"']


def test_grouped_write_skips_stored_and_repeated_keys_and_announces_new_ids_in_order(
        store: Store) -> None:
    # more rows than one statement takes (articlerows.CHUNK), across sources, with keys
    # already stored, keys repeated within the batch and one key shared by two sources
    from tidings.ingest.pipeline import PreparedWrite, write_prepared
    from tidings.store import articlerows
    from tidings.store.counters import ITEMS_STORED

    feeds = [_feed(store)]
    feeds.append(store.feeds.add(Feed(None, store.sources.add(
        Source(None, "Other", "https://other.example"), NOW).id, "https://other.example/f"), NOW))
    size = articlerows.CHUNK + 50

    def rows(feed: Feed, keys: list[str]) -> list[NewArticle]:
        assert feed.id is not None and feed.source_id is not None
        return [NewArticle.from_entry(Entry(key=k, guid=k, url=None, title=k,
                                            published_at=NOW - timedelta(minutes=i)),
                                      feed_id=feed.id, source_id=feed.source_id, now=NOW)
                for i, k in enumerate(keys)]

    stored_before = write_prepared(store, [PreparedWrite(feeds[0], rows(feeds[0], ["k0", "k1"]),
                                                         {})], NOW)[0]
    assert isinstance(stored_before, list) and len(stored_before) == 2
    first = store.events.last_id()
    keys = [f"k{i}" for i in range(size)]
    results = write_prepared(store, [
        PreparedWrite(feeds[0], rows(feeds[0], keys + keys[:10]), {"etag": '"a"'}),
        PreparedWrite(feeds[1], rows(feeds[1], keys[:3]), {"etag": '"b"'})], NOW)
    assert all(isinstance(r, list) for r in results)
    new_first, new_second = (r for r in results if isinstance(r, list))
    assert len(new_first) == size - 2 and len(new_second) == 3
    assert store.articles.count() == size + 3
    assert store.articles.count(feeds[1].source_id) == 3
    announced = store.events.after(first, limit=2 * size)
    assert [e.article_id for e in announced] == sorted(new_first + new_second)
    assert [e.id for e in announced] == sorted(e.id for e in announced)
    assert store.counters.all()[ITEMS_STORED] == size + 3
    by_id = store.articles.get(new_first[-1])
    assert by_id.fetched_at == NOW and by_id.published_at < NOW
    with store.db.write() as conn:  # all stored now: nothing new, nothing announced
        assert store.articles.insert_many(conn, rows(feeds[0], keys)) == []
    assert store.events.last_id() == announced[-1].id


def test_postgresql_compresses_long_text_with_lz4_when_the_server_can(pg_url: str) -> None:
    from tidings.store.engine import _HAS_LZ4

    store = open_store(pg_url)
    try:
        with store.db.read() as conn:
            if not conn.exec_driver_sql(_HAS_LZ4).scalar():
                pytest.skip("this PostgreSQL server is built without lz4")
        feed = _feed(store)
        body = " ".join(f"word{i}" for i in range(2000))  # long enough to be compressed
        row = NewArticle.from_entry(Entry(key="long", guid=None, url=None, title="long",
                                          content_html=f"<p>{body}</p>"),
                                    feed_id=feed.id, source_id=feed.source_id, now=NOW)
        with store.db.write() as conn:
            (article_id,) = store.articles.insert_many(conn, [row])
            method = conn.exec_driver_sql(
                "SELECT pg_column_compression(content_html) FROM articles WHERE id = %s",
                (article_id,)).scalar()
        assert method == "lz4"
        assert store.articles.get(article_id).content_html == f"<p>{body}</p>"
    finally:
        store.close()
