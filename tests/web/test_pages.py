"""The HTML pages: what a reader sees, from the same data as the API."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from tidings import __version__

from .seeding import Seeded


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_front_page(sqlite_client: TestClient, sqlite_seeded: Seeded) -> None:
    r = sqlite_client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    # top story with its lead image, headline, outlet count and outlets
    assert f'href="/stories/{sqlite_seeded.stories["border"]}"' in html
    assert "https://img.example/border.jpg" in html
    assert "3 outlets" in html
    for outlet in ("Reuters Wire", "Daily Planet", "Gazzetta"):
        assert outlet in html
    # the latest list: headline, then views, then the time label (the seed's rows)
    latest = html[html.index('id="latest-h"'):html.index('id="most-read-h"')]
    rows = re.findall(r'class="latest-title"[^>]*>([^<]+)</a>\s*<div class="latest-meta">'
                      r'.*?</span>([\d,]+)</span><time[^>]*>([^<]+)</time>', latest, re.S)
    assert ("Bad weather, love arch destroyed at Meledugno in Salento", "294",
            "Yesterday, 06:00") in rows
    assert ("China bought some Venezuelan oil from the US", "736", "13.02.2026, 00:18") in rows
    assert "Most read" in html
    # no inline script or style: the page works under a strict CSP; the one script is the
    # site's own file (static/live.js), and the latest list says it may be updated live
    scripts = [s for s in re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S)
               if "application/ld+json" not in s[0]]
    assert scripts == [(' src="/static/live.js?v=' + __version__ + '" defer', "")]
    assert "style=" not in html and "<style" not in html
    assert 'aria-labelledby="latest-h" data-live-latest' in html


def test_story_page(sqlite_client: TestClient, sqlite_seeded: Seeded) -> None:
    r = sqlite_client.get(f"/stories/{sqlite_seeded.stories['border']}")
    assert r.status_code == 200
    text = text_of(r.text)
    assert "First reported by Reuters Wire" in text
    assert "Agency credits: Reuters" in text
    assert "Timeline" in text and "Reports by outlet" in text
    # the copy is folded under its original, not listed as its own report
    assert "1 wire copy" in text
    assert r.text.index("<details") > r.text.index(f'/articles/{sqlite_seeded.articles["wire"]}')


def test_article_page(sqlite_client: TestClient, sqlite_seeded: Seeded) -> None:
    r = sqlite_client.get(f"/articles/{sqlite_seeded.articles['wire']}")
    assert r.status_code == 200
    text = text_of(r.text)
    assert "Israel, Syria in direct contact over border tensions, sources say" in text
    assert "Reuters reports" in text
    assert "Read the original at Reuters Wire" in text
    assert "https://reuters.example/wire" in r.text
    assert "Other coverage" in text and "Contatti diretti" in text
    assert "Latest" in text and "116" in text


def test_source_and_search_pages(sqlite_client: TestClient, sqlite_seeded: Seeded) -> None:
    r = sqlite_client.get(f"/sources/{sqlite_seeded.sources['Gazzetta']}")
    assert r.status_code == 200 and "Fetch health" in r.text
    assert "Contatti diretti" in r.text
    r = sqlite_client.get("/search?q=meledugno")
    assert r.status_code == 200
    assert "<mark>Meledugno</mark>" in r.text
    assert "1 results" in text_of(r.text) or "2 results" in text_of(r.text)
    r = sqlite_client.get("/search?q=<script>alert(1)</script>")
    assert r.status_code == 200 and "<script>alert" not in r.text


@pytest.mark.parametrize("path,status", [
    ("/articles/99999", 404), ("/stories/99999", 404), ("/sources/99999", 404),
    ("/nowhere", 404), ("/search?q=x&since=nope", 400), ("/sources/1?limit=abc", 400),
    ("/articles/99999999999999999999999", 404),
])
def test_page_errors_are_html(sqlite_client: TestClient, path: str, status: int) -> None:
    r = sqlite_client.get(path)
    assert r.status_code == status
    assert r.headers["content-type"].startswith("text/html")


def test_pages_have_etags_and_answer_304(sqlite_client: TestClient) -> None:
    first = sqlite_client.get("/")
    again = sqlite_client.get("/", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304


def test_static_stylesheet_has_dark_mode(sqlite_client: TestClient) -> None:
    r = sqlite_client.get("/static/site.css")
    assert r.status_code == 200 and "prefers-color-scheme: dark" in r.text
    assert r.headers["content-type"].startswith("text/css")
    again = sqlite_client.get("/static/site.css", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304
    assert sqlite_client.head("/static/site.css").content == b""
    assert sqlite_client.get("/static/nope.css").status_code == 404
    assert sqlite_client.get("/static/../app.py").status_code == 404
