"""Feed documents to :class:`ParsedFeed`: RSS 0.9x/1.0/2.0, Atom 0.3/1.0, JSON Feed 1.0/1.1.

The fast path is lxml over the raw bytes (it honours the declared encoding: windows-1251,
ISO-8859-x, UTF-16 with a BOM, ...) with entity expansion and network access switched off
(:mod:`~tidings.parse.safexml`), so a "billion laughs" document stays small. When the XML is
too broken for lxml, even in recovery mode, feedparser's lenient parser gets a try
(:mod:`~tidings.parse.fallback`). Measured in docs/benchmarks.md: the lxml path is several
times faster than feedparser on ordinary feeds.

This module only decides which reader a document goes to; the readers live in
:mod:`~tidings.parse.rss`, :mod:`~tidings.parse.atom`, :mod:`~tidings.parse.jsonfeed` and
:mod:`~tidings.parse.sitemap`, and every entry is built by
:func:`tidings.parse.entries.make_entry` (stable key, absolute links, nh3 sanitizing last).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeGuard

from lxml import etree

from tidings.errors import ParseError
from tidings.models import ParsedFeed
from tidings.parse.atom import parse_atom
from tidings.parse.dates import parse_date
from tidings.parse.encoding import apply_charset, redecode
from tidings.parse.entries import SUMMARY_CHARS, entry_key
from tidings.parse.fallback import feedparser_fallback
from tidings.parse.jsonfeed import parse_json_feed
from tidings.parse.rss import parse_rdf, parse_rss
from tidings.parse.safexml import root_kind, xml_root
from tidings.parse.sitemap import parse_sitemap

__all__ = ["SUMMARY_CHARS", "entry_key", "parse_date", "parse_feed", "parse_json_feed"]

_PARSERS: dict[str, Callable[[etree._Element, str | None], ParsedFeed]] = {
    "rss": parse_rss, "rdf": parse_rdf, "atom": parse_atom}


def parse_feed(data: bytes, url: str | None = None, *, charset: str | None = None
               ) -> ParsedFeed:
    """Parse a feed document fetched from ``url``; ParseError (one line) when it is none.

    ``charset`` is the one the HTTP Content-Type named; the document's own declaration wins.
    """
    data = apply_charset(data, charset)
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith((b"{", b"[")):
        return parse_json_feed(data, url)
    data, root, well_formed = _xml_tree(data, url)
    feed, is_sitemap = _read_tree(root, url) if root is not None else (None, False)
    if feed is not None and (is_sitemap or (well_formed and _has_content(feed))):
        return feed
    return _lenient(data, url, feed)


def _xml_tree(data: bytes, url: str | None) -> tuple[bytes, etree._Element | None, bool]:
    """The (possibly re-decoded) bytes, lxml's root and whether the document was well-formed.

    Bytes that the declared (or default UTF-8) encoding cannot decode get one more try in
    the encoding they most likely are.
    """
    root, well_formed = xml_root(data, url)
    if not well_formed:
        decoded = redecode(data)
        if decoded is not None:
            data = decoded
            root, well_formed = xml_root(data, url)
    return data, root, well_formed


def _read_tree(root: etree._Element, url: str | None) -> tuple[ParsedFeed | None, bool]:
    """The feed lxml's tree reads as, and whether it is a news sitemap (final as it is)."""
    kind = root_kind(root)
    if kind == "html":
        raise ParseError("not a feed: the address gives an HTML page")
    if kind is None:  # news sitemaps read as feeds
        return parse_sitemap(root, url), True
    return _PARSERS[kind](root, url), False


def _has_content(feed: ParsedFeed | None) -> TypeGuard[ParsedFeed]:
    """A feed with entries or at least a title: something lxml really read."""
    return feed is not None and bool(feed.entries or feed.title)


def _lenient(data: bytes, url: str | None, feed: ParsedFeed | None) -> ParsedFeed:
    """feedparser's reading of broken XML, unless lxml's recovered ``feed`` found as much.

    lxml's recovery may have nested items inside an unclosed tag, so feedparser's lenient
    parser tries too and whichever found more entries is kept.
    """
    try:
        lenient = feedparser_fallback(data, url)
    except (UnicodeError, ValueError, TypeError) as exc:  # feedparser's own bugs (tests/fuzz)
        if _has_content(feed):
            return feed
        raise ParseError(f"not a feed: {type(exc).__name__}") from None
    except ParseError:
        if _has_content(feed):
            return feed
        raise
    if feed is not None and len(feed.entries) >= len(lenient.entries) and feed.title:
        return feed
    return lenient
