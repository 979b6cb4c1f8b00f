"""Sections come from the outlet's own categories and section URLs, never from guessing."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from starlette.testclient import TestClient

from tidings.config import Settings
from tidings.demo import load_sample
from tidings.parse.feed import parse_feed
from tidings.parse.sections import SECTIONS, section_of
from tidings.store import Store
from tidings.store.schema import articles
from tidings.web.app import create_app


def test_categories_first_in_several_languages() -> None:
    assert section_of(["Business"], None) == "business"
    assert section_of(["  Экономика "], None) == "business"
    assert section_of(["Wissenschaft"], None) == "science"
    assert section_of(["batteries", "e-bikes", "Sport"], None) == "sport"  # first known word
    # the category wins over the URL
    assert section_of(["Culture"], "https://x.example/business/a-story") == "culture"


def test_section_urls_and_nothing_guessed() -> None:
    assert section_of([], "https://x.example/sport/2026/final.html") == "sport"
    assert section_of(["Weather"], "https://x.example/tech/gadget-review") == "technology"
    # the article's own slug is not a section, nor is an unknown folder or word
    assert section_of([], "https://x.example/news/business") is None
    assert section_of(["Opinion", "Weather"], "https://x.example/local/pier-cafe") is None
    assert section_of([], None) is None
    assert set(SECTIONS) >= {"business", "science", "sport", "politics", "world", "technology",
                             "culture"}


def test_feeds_keep_categories_and_sections() -> None:
    rss = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
    <item><title>A</title><link>https://x.example/a</link><category>Politics</category></item>
    <item><title>B</title><link>https://x.example/science/b</link></item>
    <item><title>C</title><link>https://x.example/c</link><category>Misc</category></item>
    </channel></rss>"""
    entries = parse_feed(rss, "https://x.example/rss").entries
    assert [(e.categories, e.section) for e in entries] == [
        (["Politics"], "politics"), ([], "science"), (["Misc"], None)]


def test_stored_and_shown(store: Store, settings: Settings) -> None:
    load_sample(store, settings, datetime(2026, 3, 1, 12, tzinfo=UTC))
    with store.db.read() as conn:
        rows = conn.execute(sa.select(articles.c.url, articles.c.categories,
                                      articles.c.section)).all()
    by_url = {url: (cats, section) for url, cats, section in rows}
    assert by_url["https://vestnik-severa.example/economy/stavka-425"] == (["Экономика"],
                                                                          "business")
    assert by_url["https://harbordaily.example/sport/calder-bay-fc-promoted.html"][1] == "sport"
    assert by_url["https://harbordaily.example/local/library-of-things.html"] == (None, None)
    with TestClient(create_app(settings, store)) as client:
        front = client.get("/").text
        assert 'href="/sections/business"' in front and 'href="/sections/sport"' in front
        page = client.get("/api/sections/business").json()
        assert page["total"] == sum(1 for _, s in by_url.values() if s == "business")
        dates = [i["published_at"] for i in page["items"]]
        assert dates == sorted(dates, reverse=True)
        assert client.get("/sections/business").status_code == 200
        assert client.get("/sections/horoscopes").status_code == 404
        assert client.get("/api/sections/horoscopes").status_code == 404
