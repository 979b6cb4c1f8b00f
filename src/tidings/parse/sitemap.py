"""News sitemaps as feeds: ``<urlset>`` (Google News or plain) and ``<sitemapindex>``.

Many outlets publish a Google News sitemap (``news:news`` with publication name and language,
publication date, title, keywords) but no feed. Its entries carry only a title, so the
full-text stage fetches the article pages, as it does for short feed entries. A plain
sitemap only has ``<loc>`` and ``<lastmod>``; its entries are titled by their address until
the article page is extracted.

Parsing goes through :func:`tidings.parse.feed.parse_feed` (the same lxml parser with entity
expansion and network access off); this module only reads the tree. Following a sitemap
index to its child sitemaps needs the network, so it lives in :mod:`tidings.fetch.sitemaps`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

from lxml import etree

from tidings.models import Entry, ParsedFeed
from tidings.parse.dates import parse_date
from tidings.parse.elements import text_of
from tidings.parse.entries import lang, make_entry

NS_SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
NS_NEWS = "http://www.google.com/schemas/sitemap-news/0.9"
NS_IMAGE = "http://www.google.com/schemas/sitemap-image/1.1"
MAX_ENTRIES = 1000  # Google News caps a news sitemap at 1,000 URLs; plain ones may be huge
NEWS_FORMAT = "sitemap-news"  # ParsedFeed.format of a sitemap with news:news entries
_OLDEST = datetime.min.replace(tzinfo=UTC)


@dataclass(slots=True)
class SitemapIndex(ParsedFeed):
    """A ``<sitemapindex>``: no entries of its own, child sitemap URLs newest first."""

    children: list[str] = field(default_factory=list)


def _local(el: etree._Element) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].lower()


def _child(el: etree._Element, name: str) -> etree._Element | None:
    """First child with local name ``name`` in any namespace (sitemaps are often sloppy)."""
    for child in el:
        if _local(child) == name:
            return child
    return None


def parse_sitemap(root: etree._Element, url: str | None) -> ParsedFeed | None:
    """The sitemap whose root is ``root``, or None when ``root`` is not a sitemap."""
    kind = _local(root)
    if kind == "urlset":
        return _parse_urlset(root, url)
    if kind == "sitemapindex":
        return _parse_index(root, url)
    return None


def _site(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/" if parts.scheme and parts.netloc else None


def _parse_urlset(root: etree._Element, url: str | None) -> ParsedFeed:
    entries: list[Entry] = []
    feed_title: str | None = None
    feed_lang: str | None = None
    is_news = False
    for item in root:
        if _local(item) != "url":
            continue
        loc = text_of(_child(item, "loc"))
        if not loc:
            continue
        news = _child(item, "news")
        title = ""
        published = parse_date(text_of(_child(item, "lastmod")))
        language = None
        keywords: list[str] = []
        if news is not None:
            is_news = True
            publication = _child(news, "publication")
            if publication is not None:
                feed_title = feed_title or text_of(_child(publication, "name")) or None
                language = lang(text_of(_child(publication, "language")))
                feed_lang = feed_lang or language
            title = text_of(_child(news, "title"))
            published = parse_date(text_of(_child(news, "publication_date"))) or published
            keywords = [k.strip() for k in text_of(_child(news, "keywords")).split(",")]
        image_el = _child(item, "image")
        image = text_of(_child(image_el, "loc")) if image_el is not None else None
        entries.append(make_entry(
            guid=None, link=loc, title=title, author=None, published=published, updated=None,
            content_html="", summary_html="", base=url, image=image or None, language=language,
            categories=keywords))
    if len(entries) > MAX_ENTRIES:
        entries.sort(key=lambda e: e.published_at or _OLDEST, reverse=True)
        entries = entries[:MAX_ENTRIES]
    return ParsedFeed(title=feed_title, site_url=_site(url), language=feed_lang,
                      entries=entries, format=NEWS_FORMAT if is_news else "sitemap")


def _parse_index(root: etree._Element, url: str | None) -> SitemapIndex:
    found: list[tuple[datetime, int, str]] = []
    for position, item in enumerate(root):
        if _local(item) != "sitemap":
            continue
        loc = text_of(_child(item, "loc"))
        if not loc:
            continue
        when = parse_date(text_of(_child(item, "lastmod"))) or _OLDEST
        found.append((when, -position, urljoin(url or "", loc)))
    found.sort(reverse=True)  # newest first; undated ones in document order, last
    children: list[str] = []
    for _when, _pos, loc in found:
        if loc not in children and loc != url:
            children.append(loc)
    return SitemapIndex(title=None, site_url=_site(url), language=None, entries=[],
                        format="sitemapindex", children=children)
