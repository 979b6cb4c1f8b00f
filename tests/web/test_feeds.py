"""Outgoing RSS 2.0, Atom and JSON Feed: well-formed, with the right items."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest
from starlette.testclient import TestClient

from .seeding import Seeded

ATOM = "{http://www.w3.org/2005/Atom}"


def paths(seeded: Seeded) -> list[str]:
    return ["", f"/stories/{seeded.stories['border']}", f"/sources/{seeded.sources['Gazzetta']}",
            "/search"]


@pytest.mark.parametrize("which", range(4))
def test_rss(sqlite_client: TestClient, sqlite_seeded: Seeded, which: int) -> None:
    base = paths(sqlite_seeded)[which]
    r = sqlite_client.get(base + "/feed.xml", params={"q": "syria"} if base == "/search" else None)
    assert r.status_code == 200 and "rss" in r.headers["content-type"]
    root = ET.fromstring(r.content)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel is not None and channel.findtext("title")
    items = channel.findall("item")
    assert items
    for item in items:
        assert item.findtext("title") and item.findtext("link", "").startswith("http")
        assert item.findtext("pubDate", "").endswith("GMT")
    assert channel.find(f"{ATOM}link[@rel='self']") is not None


@pytest.mark.parametrize("which", range(4))
def test_atom(sqlite_client: TestClient, sqlite_seeded: Seeded, which: int) -> None:
    base = paths(sqlite_seeded)[which]
    r = sqlite_client.get(base + "/feed.atom", params={"q": "syria"} if base == "/search" else None)
    assert r.status_code == 200 and "atom" in r.headers["content-type"]
    root = ET.fromstring(r.content)
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.findtext(f"{ATOM}{required}")
    entries = root.findall(f"{ATOM}entry")
    assert entries
    for entry in entries:
        for required in ("id", "title", "updated"):
            assert entry.findtext(f"{ATOM}{required}")
        assert entry.find(f"{ATOM}author/{ATOM}name") is not None


@pytest.mark.parametrize("which", range(4))
def test_json_feed(sqlite_client: TestClient, sqlite_seeded: Seeded, which: int) -> None:
    base = paths(sqlite_seeded)[which]
    r = sqlite_client.get(base + "/feed.json", params={"q": "syria"} if base == "/search" else None)
    assert r.status_code == 200 and "json" in r.headers["content-type"]
    feed = r.json()
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] and feed["items"]
    for item in feed["items"]:
        assert item["id"] and item["url"].startswith("http")
        assert item.get("content_text") or item.get("content_html")


def test_story_feed_lists_the_story(sqlite_client: TestClient, sqlite_seeded: Seeded) -> None:
    feed = sqlite_client.get(f"/stories/{sqlite_seeded.stories['border']}/feed.json").json()
    links = {i["url"].rsplit("/", 1)[1] for i in feed["items"]}
    assert links == {str(sqlite_seeded.articles[k]) for k in ("wire", "copy", "own")}


def test_feed_errors(sqlite_client: TestClient) -> None:
    assert sqlite_client.get("/stories/99999/feed.xml").status_code == 404
    assert sqlite_client.get("/search/feed.xml").status_code == 400
    r = sqlite_client.get("/feed.xml")
    assert sqlite_client.get("/feed.xml", headers={"If-None-Match": r.headers["etag"]}
                             ).status_code == 304
