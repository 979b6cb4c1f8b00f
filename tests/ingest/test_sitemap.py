"""Sitemaps over the network: indexes followed, robots.txt read, entries stored (fixture server)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from tidings.config import Settings
from tidings.fetch.discover import Discovered, find_feed
from tidings.fetch.http import Fetcher
from tidings.fetch.sitemaps import MAX_CHILDREN
from tidings.ingest.pipeline import refresh
from tidings.models import Feed, Source
from tidings.store import Store

FEEDS = Path(__file__).resolve().parent.parent / "data" / "feeds"


def sample(name: str) -> bytes:
    return (FEEDS / name).read_bytes()


def discover(settings: Settings, url: str) -> Discovered:
    async def go() -> Discovered:
        async with Fetcher(settings) as fetcher:
            return await find_feed(fetcher, url)
    return asyncio.run(go())


def news(*items: tuple[str, str]) -> str:
    urls = "".join(
        f"<url><loc>{loc}</loc><news:news><news:publication><news:name>Index Times</news:name>"
        f"<news:language>de</news:language></news:publication><news:publication_date>"
        f"2026-03-01T10:00:00Z</news:publication_date><news:title>{title}</news:title>"
        f"</news:news></url>" for loc, title in items)
    return ('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">' + urls + "</urlset>")


def serve_index(feed_server) -> str:  # type: ignore[no-untyped-def]
    feed_server.add("/sitemaps/news-2026-03.xml", news(("https://it.example/c", "March"),
                                                       ("https://it.example/b", "Late Feb")))
    feed_server.add("/sitemaps/news-2026-02.xml", news(("https://it.example/b", "Late Feb"),
                                                       ("https://it.example/a", "February")))
    feed_server.add("/sitemaps/news-2026-01.xml", news(("https://it.example/z", "January")))
    return feed_server.add("/sitemaps/index.xml", sample("sitemap_index.xml"),
                           content_type="application/xml")


def test_index_follows_the_newest_children_and_skips_broken_ones(
        settings: Settings, feed_server) -> None:  # type: ignore[no-untyped-def]
    url = serve_index(feed_server)
    found = discover(settings, url)
    assert found.url == url and found.parsed.title == "Index Times"
    assert found.parsed.language == "de"
    # three newest children read (one of them a 404, skipped); entries merged without repeats
    assert [e.title for e in found.parsed.entries] == ["March", "Late Feb", "February"]
    assert MAX_CHILDREN == 3 and feed_server.count("/sitemaps/news-2026-01.xml") == 0
    assert feed_server.count("/sitemaps/news-missing.xml") == 1


def test_index_whose_children_all_fail_is_an_error(
        settings: Settings, feed_server) -> None:  # type: ignore[no-untyped-def]
    url = feed_server.add("/sitemaps/index.xml", sample("sitemap_index.xml"))
    try:
        discover(settings, url)
    except Exception as exc:  # the type and the one-line message are the point
        assert type(exc).__name__ == "ParseError" and "\n" not in str(exc)
        assert "could be read" in str(exc)
    else:
        raise AssertionError("an index of broken sitemaps must not subscribe")


def test_refresh_stores_sitemap_entries_pending_full_text(
        store: Store, settings: Settings, feed_server) -> None:  # type: ignore[no-untyped-def]
    url = feed_server.add("/news-sitemap.xml", sample("news_sitemap.xml"),
                          content_type="application/xml", etag='"s1"')
    now = datetime.now(UTC)
    source = store.sources.add(Source(id=None, name="Lagoon", url=url), now)
    store.feeds.add(Feed(id=None, source_id=source.id, url=url), now)
    report = refresh(store, settings)
    assert (report.feeds, report.new_articles, report.errors) == (1, 2, [])
    again = refresh(store, settings)
    assert (again.new_articles, again.not_modified) == (0, 1)
    items, total = store.articles.latest(limit=10)
    assert total == 2
    assert {a.title for a in items} == {"Ferry strike ends after & overnight talks",
                                        "Harbour dredging approved"}


ARTICLE = ("<!doctype html><html lang='de'><head><title>{t}</title></head><body><nav>Home News"
           "</nav><article><h1>{t}</h1>" + "<p>{t}: the council met for a long session and "
           "agreed on the timetable, the budget and the next steps for the harbour.</p>" * 6 +
           "</article><footer>Imprint</footer></body></html>")


def test_sitemap_entries_get_their_text_from_the_full_text_stage(
        sqlite_store: Store, settings: Settings, feed_server) -> None:  # type: ignore[no-untyped-def]
    from tidings.extract import stage as fulltext

    for slug in ("a", "b"):
        feed_server.add(f"/a/{slug}", ARTICLE.format(t=f"Story {slug}"),
                        content_type="text/html; charset=utf-8")
    url = feed_server.add("/news.xml", news((feed_server.url("/a/a"), "Story a"),
                                            (feed_server.url("/a/b"), "Story b")))
    now = datetime.now(UTC)
    source = sqlite_store.sources.add(Source(id=None, name="Local", url=url), now)
    sqlite_store.feeds.add(Feed(id=None, source_id=source.id, url=url), now)
    assert refresh(sqlite_store, settings).new_articles == 2
    assert fulltext.run_pending(sqlite_store, settings) == 2
    items, _ = sqlite_store.articles.latest(limit=10)
    for article in items:
        assert article.content_text and "council met" in article.content_text
        assert "Imprint" not in article.content_text


def test_refresh_of_a_sitemap_index_reads_its_newest_sitemaps(
        sqlite_store: Store, settings: Settings, feed_server) -> None:  # type: ignore[no-untyped-def]
    url = serve_index(feed_server)
    now = datetime.now(UTC)
    source = sqlite_store.sources.add(Source(id=None, name="Index", url=url), now)
    sqlite_store.feeds.add(Feed(id=None, source_id=source.id, url=url), now)
    report = refresh(sqlite_store, settings)
    assert (report.new_articles, report.errors) == (3, [])
    items, _ = sqlite_store.articles.latest(limit=10)
    assert sorted(a.title for a in items) == ["February", "Late Feb", "March"]
    assert refresh(sqlite_store, settings).new_articles == 0


def bare_page() -> str:
    return "<!doctype html><html><head><title>Only pages</title></head><body>hi</body></html>"


def test_a_site_without_feeds_is_found_through_the_news_sitemap_in_robots_txt(
        settings: Settings, feed_server) -> None:  # type: ignore[no-untyped-def]
    page = feed_server.add("/", bare_page(), content_type="text/html; charset=utf-8")
    feed_server.add("/sitemap-pages.xml", sample("sitemap_plain.xml"))
    news_url = feed_server.add("/sitemaps/news.xml", news(("https://it.example/n", "News")))
    feed_server.add("/robots.txt", "User-agent: *\nDisallow: /private\n"
                    f"Sitemap: {feed_server.url('/sitemap-pages.xml')}\n"
                    "sitemap: /sitemaps/news.xml\n", content_type="text/plain")
    found = discover(settings, page)
    assert found.url == news_url and found.page_url == page
    assert [e.title for e in found.parsed.entries] == ["News"]
    assert feed_server.count("/sitemap-pages.xml") == 0  # the news sitemap was tried first


def test_robots_txt_with_only_a_plain_sitemap_is_no_feed(
        settings: Settings, feed_server) -> None:  # type: ignore[no-untyped-def]
    page = feed_server.add("/", bare_page(), content_type="text/html; charset=utf-8")
    feed_server.add("/sitemap.xml", sample("sitemap_plain.xml"))
    feed_server.add("/robots.txt", "Sitemap: /sitemap.xml\n", content_type="text/plain")
    try:
        discover(settings, page)
    except Exception as exc:  # the type and the one-line message are the point
        assert type(exc).__name__ == "ParseError" and "no feed found" in str(exc)
    else:
        raise AssertionError("a plain sitemap of pages is not a news source")
    assert feed_server.count("/sitemap.xml") == 1


def test_plain_sitemap_entries_take_the_title_of_their_page(
        sqlite_store: Store, settings: Settings, feed_server) -> None:  # type: ignore[no-untyped-def]
    from tidings.extract import stage as fulltext

    feed_server.add("/p/council", ARTICLE.format(t="Council agrees harbour timetable"),
                    content_type="text/html; charset=utf-8")
    url = feed_server.add("/sitemap.xml", (
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url>'
        f"<loc>{feed_server.url('/p/council')}</loc><lastmod>2026-03-01</lastmod></url>"
        "</urlset>"))
    now = datetime.now(UTC)
    source = sqlite_store.sources.add(Source(id=None, name="Plain", url=url), now)
    sqlite_store.feeds.add(Feed(id=None, source_id=source.id, url=url), now)
    assert refresh(sqlite_store, settings).new_articles == 1
    items, _ = sqlite_store.articles.latest(limit=10)
    assert items[0].title == feed_server.url("/p/council")  # nothing better until extraction
    assert fulltext.run_pending(sqlite_store, settings) == 1
    items, _ = sqlite_store.articles.latest(limit=10)
    assert items[0].title == "Council agrees harbour timetable"
