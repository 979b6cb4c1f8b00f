"""News sitemaps (Google News, plain, indexes) read from bytes: no network."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tidings.parse.feed import parse_feed
from tidings.parse.sitemap import SitemapIndex

FEEDS = Path(__file__).resolve().parent.parent / "data" / "feeds"
BASE = "https://lagoon-post.example/news-sitemap.xml"


def sample(name: str) -> bytes:
    return (FEEDS / name).read_bytes()


def test_google_news_sitemap_gives_titled_dated_entries_without_content() -> None:
    feed = parse_feed(sample("news_sitemap.xml"), BASE)
    assert feed.title == "The Lagoon Post" and feed.language == "en"
    assert feed.site_url == "https://lagoon-post.example/"
    assert [e.title for e in feed.entries] == ["Ferry strike ends after & overnight talks",
                                               "Harbour dredging approved"]
    first, second = feed.entries
    assert first.url == "https://lagoon-post.example/2026/03/ferry-strike-ends"
    assert first.key == first.url  # the address is the stable key: refetches never duplicate
    assert first.published_at == datetime(2026, 3, 4, 8, 15, tzinfo=UTC)
    assert first.categories == ["ferries", "strikes", "transport"]
    assert first.image_url == "https://lagoon-post.example/img/ferry.jpg"
    assert first.content_text is None and first.content_html is None  # full text comes later
    # a relative <loc> is resolved; news:publication_date wins over <lastmod>
    assert second.url == "https://lagoon-post.example/2026/03/harbour-dredging-approved"
    assert second.published_at == datetime(2026, 3, 3, tzinfo=UTC)


def test_plain_sitemap_uses_lastmod_and_the_address_as_title() -> None:
    feed = parse_feed(sample("sitemap_plain.xml"), "https://quarry-gazette.example/sitemap.xml")
    assert feed.title is None and len(feed.entries) == 2
    dated, undated = feed.entries
    assert dated.published_at == datetime(2026, 2, 11, 7, 30, tzinfo=UTC)
    assert undated.published_at is None
    assert dated.title == dated.url == "https://quarry-gazette.example/news/council-vote"


def test_entities_in_a_sitemap_are_never_expanded() -> None:
    feed = parse_feed(sample("sitemap_entities.xml"), "https://entity.example/sitemap.xml")
    assert len(feed.entries) == 1
    assert "BOOM" not in feed.entries[0].title


def test_sitemap_index_lists_children_newest_first() -> None:
    index = parse_feed(sample("sitemap_index.xml"), "https://site.example/sitemaps/index.xml")
    assert isinstance(index, SitemapIndex) and index.entries == []
    assert index.children == ["https://site.example/sitemaps/" + name for name in (
        "news-2026-03.xml", "news-missing.xml", "news-2026-02.xml", "news-2026-01.xml")]
