"""The feed parser against golden files, encodings, leniency and hostile documents."""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from tidings.errors import ParseError
from tidings.models import ParsedFeed
from tidings.parse.feed import entry_key, parse_date, parse_feed

FEEDS = Path(__file__).resolve().parent.parent / "data" / "feeds"
GOLDEN = FEEDS / "golden"
BASE = "https://feeds.test/dir/feed.xml"
SAMPLES = sorted(p.name for p in FEEDS.iterdir() if p.is_file())


def as_plain(feed: ParsedFeed) -> dict[str, Any]:
    return json.loads(json.dumps(asdict(feed), default=str, ensure_ascii=False))


@pytest.mark.parametrize("name", SAMPLES)
def test_golden(name: str) -> None:
    """Each sample parses to exactly its reviewed golden output.

    Regenerate after a deliberate change with TIDINGS_UPDATE_GOLDEN=1, then review the diff.
    """
    got = as_plain(parse_feed((FEEDS / name).read_bytes(), BASE))
    golden = GOLDEN / (name + ".json")
    if os.environ.get("TIDINGS_UPDATE_GOLDEN") == "1":
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(json.dumps(got, indent=2, ensure_ascii=False) + "\n", "utf-8")
    assert got == json.loads(golden.read_text("utf-8"))


def parse(name: str) -> ParsedFeed:
    return parse_feed((FEEDS / name).read_bytes(), BASE)


def test_formats_are_recognised() -> None:
    formats = {name: parse(name).format for name in SAMPLES}
    assert formats["rss20.xml"] == "rss20"
    assert formats["rss091.xml"] == "rss091"
    assert formats["rss10.rdf"] == "rss10"
    assert formats["rss090.rdf"] == "rss090"
    assert formats["atom10.xml"] == "atom10"
    assert formats["atom03.xml"] == "atom03"
    assert formats["jsonfeed10.json"] == "json1"
    assert formats["jsonfeed11.json"] == "json11"


def test_declared_encodings() -> None:
    assert parse("windows1251.xml").title == "Новости дня"
    assert parse("windows1251.xml").entries[0].content_text == "Текст новости на русском языке."
    assert parse("iso885915.xml").entries[0].title == "Prix en €: l'été arrive"
    assert parse("rss091.xml").entries[0].title == "Café opens on Main Street"
    utf16 = parse("utf16.xml")
    assert utf16.title == "UTF-16 Feed ✓"
    assert utf16.entries[0].title == "Ünïcödé entry"


def test_relative_links_resolved() -> None:
    first = parse("rss20.xml").entries[0]
    assert first.url == "https://feeds.test/2026/01/first-story?utm_source=rss&id=7"
    assert 'href="https://feeds.test/related"' in (first.content_html or "")
    assert first.image_url == "https://feeds.test/dir/img/photo.jpg"
    atom = parse("atom10.xml").entries
    assert atom[0].url == "https://blog.example.com/posts/hello-world"
    assert 'href="https://blog.example.com/about"' in (atom[0].content_html or "")
    assert atom[0].image_url == "https://blog.example.com/img/hello.png"
    assert atom[1].url == "https://other.example.org/elsewhere"


def test_html_is_sanitized() -> None:
    html = parse("rss20.xml").entries[0].content_html or ""
    assert "<script" not in html and "alert(1)" not in html
    assert "onclick" not in html and "onerror" not in html
    assert "javascript:" not in html


def test_entry_keys() -> None:
    entries = parse("rss20.xml").entries
    assert entries[0].key == "tag:news.example.com,2026:1"
    assert entries[1].key == "https://news.example.com/2026/01/second"
    assert entries[2].key.startswith("sha256:")
    assert entries[3].url == "https://news.example.com/2026/01/permalink-guid"
    assert entry_key(None, None, "t", "c") == entry_key(None, None, "t", "c")
    assert entry_key(None, None, "t", "c") != entry_key(None, None, "t", "d")


def test_ttl_hints() -> None:
    assert parse("rss20.xml").ttl_seconds == 45 * 60
    assert parse("rss10.rdf").ttl_seconds == 86400 // 4
    assert parse("atom10.xml").ttl_seconds is None


def test_dates() -> None:
    first = parse("rss20.xml").entries[0]
    assert first.published_at is not None and first.published_at.isoformat() == \
        "2026-02-10T08:30:00+00:00"
    assert parse_date("2026-02-09T12:00:00Z") == parse_date("Mon, 09 Feb 2026 12:00:00 GMT")
    assert parse_date("not a date") is None
    assert parse("rss091.xml").entries[0].published_at is None


def test_malformed_xml_is_parsed_leniently() -> None:
    feed = parse("malformed.xml")
    assert [e.url for e in feed.entries] == ["https://broken.example.com/1",
                                            "https://broken.example.com/2"]
    assert "ampersand" in feed.entries[0].title


def test_billion_laughs_is_not_expanded() -> None:
    started = time.perf_counter()
    feed = parse("billion_laughs.xml")
    assert time.perf_counter() - started < 5  # sanity guard against expansion, not a timing test
    text = json.dumps(as_plain(feed))
    assert len(text) < 10_000
    assert "lollollol" not in text
    assert "root:" not in text  # the external entity was not read


def test_billion_laughs_in_broken_document_goes_to_a_safe_fallback() -> None:
    data = (FEEDS / "billion_laughs.xml").read_bytes().replace(b"</channel></rss>", b"<oops>")
    feed = parse_feed(data, BASE)
    assert "lollollol" not in json.dumps(as_plain(feed))


def test_duplicate_guids_are_kept_for_the_store_to_merge() -> None:
    item = "<item><guid>same</guid><title>{}</title></item>"
    doc = f"<rss version='2.0'><channel><title>d</title>{item.format('a')}{item.format('b')}" \
          "</channel></rss>"
    keys = [e.key for e in parse_feed(doc.encode(), BASE).entries]
    assert keys == ["same", "same"]


@pytest.mark.parametrize("data, message", [
    (b"<html><head><title>x</title></head><body><p>page</p></body></html>", "HTML page"),
    (b"\x00\x01garbage that is not xml at all", "not a feed"),
    (b'{"hello": "world"}', "JSON Feed"),
    (b"{not json", "invalid JSON"),
    (b"<?xml version='1.0'?><catalog><book/></catalog>", "not a feed"),
])
def test_not_a_feed_is_one_line(data: bytes, message: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_feed(data, BASE)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_http_charset_applies_only_without_a_declaration() -> None:
    body = "<rss version='2.0'><channel><title>Заголовок</title></channel></rss>"
    undeclared = body.encode("windows-1251")
    assert parse_feed(undeclared, BASE, charset="windows-1251").title == "Заголовок"
    declared = b'<?xml version="1.0" encoding="windows-1251"?>' + undeclared
    assert parse_feed(declared, BASE, charset="iso-8859-1").title == "Заголовок"
    assert parse_feed(body.encode(), BASE, charset="utf-8").title == "Заголовок"


def test_html_entity_names_in_xml_are_understood() -> None:
    doc = (b"<rss version='2.0'><channel><title>A&nbsp;B &mdash; C &amp; D</title>"
           b"<item><guid>1</guid><title>Wait&hellip;</title></item></channel></rss>")
    feed = parse_feed(doc, BASE)
    assert feed.title == "A B — C & D"
    assert feed.entries[0].title == "Wait…"
