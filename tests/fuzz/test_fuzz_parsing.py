"""Feed parsing, page import, extraction and URL canonicalization under hostile input:
each returns a value or raises its one documented error (one line), never anything else,
and never takes long."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import lxml.html
from hypothesis import example, given
from hypothesis import strategies as st

from tidings.errors import ExtractError, ParseError
from tidings.extract import extract_article
from tidings.fetch.urls import canonicalize
from tidings.importers.savedpage import parse_page, parse_text_dump
from tidings.models import ParsedFeed
from tidings.parse.feed import parse_feed

from .conftest import FUZZ, SLOW, tried
from .strategies import FEEDS, TEXT, html_page, text_dump

NOW = datetime(2026, 2, 15, 12, 0, tzinfo=UTC)
TZ = ZoneInfo("Europe/Rome")
SECONDS = 30.0  # far above any honest input's cost; a hang shows up as a failure


CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def assert_inert(html: str | None) -> None:
    """Sanitized HTML: no script-like elements, no event handlers, no script URLs."""
    if not html or not html.strip():
        return
    # lxml refuses control characters a browser would skip: drop them before looking
    html = CONTROL.sub("", html)
    for el in lxml.html.fragment_fromstring(html, create_parent="div").iter():
        if not isinstance(el.tag, str):
            continue
        assert el.tag.lower() not in ("script", "iframe", "object", "embed", "style"), html
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on"), html
            if name.lower() in ("href", "src", "action", "srcset"):
                assert not value.strip().lower().startswith(
                    ("javascript:", "vbscript:", "data:text/html")), html


def _one_line(exc: Exception) -> None:
    assert str(exc).strip() and "\n" not in str(exc).strip(), repr(exc)


# inputs the campaigns found, kept as regressions (see docs/security.md)
FOUND = [
    b"<:",
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>x'
    b"</title><description>&#xD800;</description></item></channel></rss>",
    b'<?xml version="1.0"?><rss version="2.0"><channel><item><description>&#XD800;'
    b"</description></item></channel></rss>",
    b'{"version":"http://jsonfeed.org/version/","items":true}',
    b'{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"1","tags":true}]}',
    b"<rss><channel>" + b"<a>" * 5000 + b"</a>" * 5000 + b"</channel></rss>",
    b"<entry<content<\x01</content<",
]


@FUZZ
@given(data=FEEDS)
@example(data=FOUND[0])
@example(data=FOUND[1])
@example(data=FOUND[2])
@example(data=FOUND[3])
@example(data=FOUND[4])
@example(data=FOUND[5])
@example(data=FOUND[6])
def test_parse_feed_never_crashes(data: bytes) -> None:
    tried("parse_feed")
    started = time.monotonic()
    try:
        feed = parse_feed(data, "https://feeds.example/rss")
    except ParseError as exc:
        _one_line(exc)
        return
    finally:
        assert time.monotonic() - started < SECONDS
    assert isinstance(feed, ParsedFeed)
    for entry in feed.entries:
        assert isinstance(entry.title, str) and entry.key
        assert_inert(entry.content_html)


@FUZZ
@given(url=st.one_of(TEXT, st.from_regex(r"\Ahttps?://[^\s/?#]{0,30}(:\d{0,6})?(/[^\s]{0,40})?"
                                          r"(\?[^\s#]{0,40})?(#.{0,10})?\Z")))
def test_canonicalize_never_crashes_and_is_stable(url: str) -> None:
    tried("canonicalize")
    once = canonicalize(url)
    assert isinstance(once, str)
    assert canonicalize(once) == once


@FUZZ
@given(text=text_dump())
def test_text_dump_import_never_crashes(text: str) -> None:
    tried("parse_text_dump")
    started = time.monotonic()
    page = parse_text_dump(text, NOW, TZ)
    assert time.monotonic() - started < SECONDS
    for entry in page.entries:
        assert entry.title


@SLOW
@given(data=st.one_of(html_page(), st.binary(max_size=3000)))
def test_page_import_never_crashes(data: bytes) -> None:
    tried("parse_page")
    started = time.monotonic()
    try:
        page = parse_page(data, Path("saved.html"), NOW, TZ)
    except ParseError as exc:
        _one_line(exc)
        return
    finally:
        assert time.monotonic() - started < SECONDS
    assert_inert(page.html)


@SLOW
@given(data=st.one_of(html_page(), st.binary(max_size=3000), TEXT),
       url=st.one_of(st.none(), st.just("https://news.example/a/1"), TEXT))
def test_extraction_never_crashes(data: bytes | str, url: str | None) -> None:
    tried("extract_article")
    started = time.monotonic()
    try:
        result = extract_article(data, url)
    except ExtractError as exc:
        _one_line(exc)
        return
    finally:
        assert time.monotonic() - started < SECONDS
    if result.error is not None:
        _one_line(ValueError(result.error))
    assert_inert(result.content_html)
