"""fetch → parse → store for many feeds, on SQLite and PostgreSQL, against the fixture server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tidings.config import Settings
from tidings.ingest.pipeline import refresh
from tidings.models import Feed, Source
from tidings.store import Store


def rss(items: list[tuple[str, str]], *, extra: str = "") -> str:
    body = "".join(
        f"<item><guid>{guid}</guid><title>{title}</title>"
        f"<link>https://site.example/{guid}?utm_source=rss&amp;utm_medium=feed#top</link>"
        f"<description>&lt;p&gt;Body of {title}&lt;/p&gt;</description>{extra}</item>"
        for guid, title in items)
    return f"<rss version='2.0'><channel><title>Site</title><link>https://site.example/</link>" \
           f"{body}</channel></rss>"


def subscribe(store: Store, url: str, name: str = "Site") -> Feed:
    now = datetime.now(UTC)
    source = store.sources.add(Source(id=None, name=name, url=url), now)
    return store.feeds.add(Feed(id=None, source_id=source.id, url=url), now)


def titles(store: Store) -> list[str]:
    items, _ = store.articles.latest(limit=100)
    return sorted(a.title for a in items)


def test_first_fetch_stores_every_item_and_refetch_never_duplicates(
        store: Store, settings: Settings, feed_server) -> None:  # type: ignore[no-untyped-def]
    url = feed_server.add("/feed", rss([("a", "A"), ("b", "B")]), etag='"1"')
    feed = subscribe(store, url)
    report = refresh(store, settings)
    assert (report.feeds, report.new_articles, report.not_modified) == (1, 2, 0)
    assert len(report.new_article_ids) == 2 and report.errors == []
    article = store.articles.get(report.new_article_ids[0])
    assert article.canonical_url == "https://site.example/a"
    assert article.content_html == "<p>Body of A</p>" and article.content_text == "Body of A"

    again = refresh(store, settings)
    assert (again.new_articles, again.not_modified) == (0, 1)
    assert feed_server.count("/feed", 304) == 1

    # the feed changes: same items plus one new, served without validators this time
    feed_server.add("/feed", rss([("c", "C"), ("a", "A"), ("b", "B")]))
    third = refresh(store, settings)
    assert third.new_articles == 1 and titles(store) == ["A", "B", "C"]
    state = store.feeds.get(feed.id or 0)
    assert state.title == "Site" and state.error_count == 0 and state.etag is None
    assert state.last_checked_at is not None and state.next_check_at is not None
    assert state.next_check_at > state.last_checked_at


def test_duplicate_guid_within_a_feed_stores_one_article(
        store: Store, settings: Settings, feed_server) -> None:  # type: ignore[no-untyped-def]
    subscribe(store, feed_server.add("/feed", rss([("x", "First"), ("x", "Second")])))
    assert refresh(store, settings).new_articles == 1
    assert store.articles.count() == 1


def test_one_failing_feed_never_stops_the_others(
        store: Store, settings: Settings, feed_server) -> None:  # type: ignore[no-untyped-def]
    subscribe(store, feed_server.add("/good", rss([("g", "Good")])), "Good")
    subscribe(store, feed_server.url("/missing"), "Missing")
    subscribe(store, feed_server.add("/broken", "<html><body>no feed</body></html>"), "Broken")
    report = refresh(store, settings)
    assert report.feeds == 3 and report.new_articles == 1
    assert sorted(e.feed_url for e in report.errors) == [feed_server.url("/broken"),
                                                            feed_server.url("/missing")]
    assert all("\n" not in e.error for e in report.errors)
    assert report.as_json().keys() == {"feeds", "new_articles", "not_modified", "errors"}


def test_failed_fetch_leaves_articles_alone_and_backs_off(
        store: Store, settings: Settings, feed_server) -> None:  # type: ignore[no-untyped-def]
    url = feed_server.add("/feed", rss([("a", "A"), ("b", "B")]))
    feed = subscribe(store, url)
    refresh(store, settings)
    before = titles(store)
    feed_server.add("/feed", b"oops", status=500)
    now = datetime.now(UTC)
    report = refresh(store, settings, now=now)
    assert report.errors and "500" in report.errors[0].error
    assert titles(store) == before
    state = store.feeds.get(feed.id or 0)
    assert state.error_count == 1 and "500" in (state.last_error or "")
    assert state.next_check_at is not None
    assert state.next_check_at >= now + timedelta(seconds=settings.min_poll_interval)
    second = refresh(store, settings, now=now)
    assert second.errors
    later = store.feeds.get(feed.id or 0)
    assert later.error_count == 2 and later.next_check_at > state.next_check_at  # type: ignore[operator]


def test_feed_is_disabled_after_too_many_errors(
        store: Store, settings: Settings, feed_server) -> None:  # type: ignore[no-untyped-def]
    strict = settings.replace(max_feed_errors=2)
    feed = subscribe(store, feed_server.url("/gone"))
    refresh(store, strict)
    assert not store.feeds.get(feed.id or 0).disabled
    refresh(store, strict)
    assert store.feeds.get(feed.id or 0).disabled
    assert refresh(store, strict).feeds == 0  # disabled feeds are not fetched


def test_permanent_redirect_updates_the_feed_url(
        store: Store, settings: Settings, feed_server) -> None:  # type: ignore[no-untyped-def]
    new = feed_server.add("/new", rss([("a", "A")]))
    feed = subscribe(store, feed_server.redirect("/old", new, status=301))
    assert refresh(store, settings).new_articles == 1
    assert store.feeds.get(feed.id or 0).url == new

    temp = feed_server.add("/target", rss([("t", "T")]))
    other = subscribe(store, feed_server.redirect("/moving", temp, status=302), "Other")
    refresh(store, settings, feed_ids=[other.id or 0])
    assert store.feeds.get(other.id or 0).url == feed_server.url("/moving")


def test_missing_dates_fall_back_to_first_seen_and_future_dates_are_clamped(
        store: Store, settings: Settings, feed_server) -> None:  # type: ignore[no-untyped-def]
    doc = ("<rss version='2.0'><channel><title>t</title>"
           "<item><guid>nodate</guid><title>No date</title></item>"
           "<item><guid>future</guid><title>Future</title>"
           "<pubDate>Fri, 01 Jan 2100 00:00:00 GMT</pubDate></item></channel></rss>")
    subscribe(store, feed_server.add("/feed", doc))
    now = datetime(2026, 2, 15, 12, 0, tzinfo=UTC)
    report = refresh(store, settings, now=now)
    for article_id in report.new_article_ids:
        assert store.articles.get(article_id).published_at == now


def test_only_due_feeds(store: Store, settings: Settings, feed_server) -> None:  # type: ignore[no-untyped-def]
    feed = subscribe(store, feed_server.add("/feed", rss([("a", "A")])))
    assert refresh(store, settings, only_due=True).feeds == 1
    assert refresh(store, settings, only_due=True).feeds == 0
    store.feeds.update(feed.id or 0, next_check_at=datetime.now(UTC) - timedelta(seconds=1))
    assert refresh(store, settings, only_due=True).feeds == 1


def test_paused_sources_are_skipped(store: Store, settings: Settings, feed_server) -> None:  # type: ignore[no-untyped-def]
    feed = subscribe(store, feed_server.add("/feed", rss([("a", "A")])))
    store.sources.update(feed.source_id or 0, paused=True)
    assert refresh(store, settings).feeds == 0


@pytest.mark.parametrize("count", [12])
def test_many_feeds_concurrently(store: Store, settings: Settings, feed_server, count: int) -> None:  # type: ignore[no-untyped-def]
    for i in range(count):
        subscribe(store, feed_server.add(f"/f{i}", rss([(f"{i}-{j}", f"T{i}-{j}")
                                                        for j in range(5)])), f"S{i}")
    report = refresh(store, settings.replace(per_host_concurrency=3))
    assert report.feeds == count and report.new_articles == count * 5
    assert store.articles.count() == count * 5


def test_a_failing_feed_in_a_shared_write_does_not_sink_the_others(store: Store) -> None:
    from tidings.ingest.pipeline import PreparedWrite, entry_rows, write_prepared
    from tidings.parse.feed import parse_feed

    now = datetime.now(UTC)
    good = subscribe(store, "https://good.example/feed", "Good")
    bad = subscribe(store, "https://bad.example/feed", "Bad")
    parsed = parse_feed(rss([("a", "A"), ("b", "B")]).encode(), "https://good.example/feed")
    broken_rows = entry_rows(bad, parsed, now)
    broken_rows[1].title = None  # type: ignore[assignment] # violates NOT NULL: the whole feed must be rolled back
    results = write_prepared(store, [
        PreparedWrite(good, entry_rows(good, parsed, now), {"title": "Good feed"}),
        PreparedWrite(bad, broken_rows, {"title": "Bad feed"}),
    ], now)
    assert isinstance(results[0], list) and len(results[0]) == 2
    assert isinstance(results[1], Exception)
    assert store.articles.count(source_id=good.source_id) == 2
    assert store.articles.count(source_id=bad.source_id) == 0
    assert store.feeds.get(good.id or 0).title == "Good feed"
    assert store.feeds.get(bad.id or 0).title is None
