"""News sitemaps as feeds: ``<urlset>`` (Google News or plain) and ``<sitemapindex>``.

Many outlets publish a Google News sitemap (``news:news`` with publication name and language,
publication date, title, keywords) but no feed. Its entries carry only a title, so the
full-text stage fetches the article pages, as it does for short feed entries. A plain
sitemap only has ``<loc>`` and ``<lastmod>``; its entries are titled by their address until
the article page is extracted.

Parsing goes through :func:`tidings.parse.feed.parse_feed` (the same lxml parser with entity
expansion and network access off); this module only reads the tree. A sitemap index needs more
fetches, so :func:`follow_index` is async and reads the newest few child sitemaps.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

from lxml import etree

from tidings.errors import FetchError, ParseError
from tidings.fetch.http import Fetcher, Response
from tidings.models import Entry, ParsedFeed
from tidings.parse.feed import _lang, _make_entry, _text, parse_date, parse_feed

NS_SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
NS_NEWS = "http://www.google.com/schemas/sitemap-news/0.9"
NS_IMAGE = "http://www.google.com/schemas/sitemap-image/1.1"
MAX_ENTRIES = 1000  # Google News caps a news sitemap at 1,000 URLs; plain ones may be huge
MAX_CHILDREN = 3  # child sitemaps of an index read per refresh, newest first
MAX_ROBOTS_SITEMAPS = 3  # ``Sitemap:`` lines of robots.txt tried when a site has no feed
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
        loc = _text(_child(item, "loc"))
        if not loc:
            continue
        news = _child(item, "news")
        title = ""
        published = parse_date(_text(_child(item, "lastmod")))
        language = None
        keywords: list[str] = []
        if news is not None:
            is_news = True
            publication = _child(news, "publication")
            if publication is not None:
                feed_title = feed_title or _text(_child(publication, "name")) or None
                language = _lang(_text(_child(publication, "language")))
                feed_lang = feed_lang or language
            title = _text(_child(news, "title"))
            published = parse_date(_text(_child(news, "publication_date"))) or published
            keywords = [k.strip() for k in _text(_child(news, "keywords")).split(",")]
        image_el = _child(item, "image")
        image = _text(_child(image_el, "loc")) if image_el is not None else None
        entries.append(_make_entry(
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
        loc = _text(_child(item, "loc"))
        if not loc:
            continue
        when = parse_date(_text(_child(item, "lastmod"))) or _OLDEST
        found.append((when, -position, urljoin(url or "", loc)))
    found.sort(reverse=True)  # newest first; undated ones in document order, last
    children: list[str] = []
    for _when, _pos, loc in found:
        if loc not in children and loc != url:
            children.append(loc)
    return SitemapIndex(title=None, site_url=_site(url), language=None, entries=[],
                        format="sitemapindex", children=children)


def _looks_like_index(response: Response) -> bool:
    return not response.not_modified and b"sitemapindex" in response.content[:4096]


async def follow_index(fetcher: Fetcher, response: Response) -> ParsedFeed | None:
    """For a fetched sitemap index: the entries of its newest few child sitemaps.

    None when ``response`` is not a sitemap index (the caller parses it as usual). Child
    sitemaps that fail are skipped; ParseError when none of them could be read.
    """
    if not _looks_like_index(response):
        return None
    index = parse_feed(response.content, response.url, charset=response.charset)
    if not isinstance(index, SitemapIndex):
        return None
    children = index.children[:MAX_CHILDREN]
    if not children:
        raise ParseError("sitemap index lists no sitemaps")
    results = await asyncio.gather(*(_child_sitemap(fetcher, u) for u in children))
    read = [r for r in results if r is not None]
    if not read:
        raise ParseError(f"none of the {len(children)} newest sitemaps of the index could be read")
    entries: list[Entry] = []
    seen: set[str] = set()
    for part in read:
        for entry in part.entries:
            if entry.key not in seen:
                seen.add(entry.key)
                entries.append(entry)
    return ParsedFeed(title=next((r.title for r in read if r.title), None),
                      site_url=index.site_url,
                      language=next((r.language for r in read if r.language), None),
                      entries=entries,
                      format=NEWS_FORMAT if any(r.format == NEWS_FORMAT for r in read)
                      else "sitemap")


async def _child_sitemap(fetcher: Fetcher, url: str) -> ParsedFeed | None:
    try:
        response = await fetcher.get(url)
        parsed = parse_feed(response.content, response.url, charset=response.charset)
    except (FetchError, ParseError):
        return None
    if isinstance(parsed, SitemapIndex):  # one level only: no index of indexes
        return None
    return parsed


async def news_sitemap_from_robots(fetcher: Fetcher, origin: str
                                   ) -> tuple[str, Response, ParsedFeed] | None:
    """The first Google News sitemap named by ``origin``'s robots.txt, read as a feed.

    For sites with no feed at all. Only news sitemaps count: a plain sitemap lists every
    page of a site, not its news. Sitemaps whose address mentions news are tried first.
    """
    try:
        robots = await fetcher.get(urljoin(origin, "/robots.txt"))
    except FetchError:
        return None
    named: list[str] = []
    for line in robots.content.decode("utf-8", "replace").splitlines():
        field_name, _, value = line.partition(":")
        if field_name.strip().lower() == "sitemap" and value.strip():
            url = urljoin(origin, value.strip())
            if url.startswith(("http://", "https://")) and url not in named:
                named.append(url)
    named.sort(key=lambda u: "news" not in u.lower())  # stable: news ones first
    for url in named[:MAX_ROBOTS_SITEMAPS]:
        try:
            response = await fetcher.get(url)
            parsed = (await follow_index(fetcher, response)
                      or parse_feed(response.content, response.url, charset=response.charset))
        except (FetchError, ParseError):
            continue
        if parsed.format == NEWS_FORMAT and parsed.entries:
            return response.permanent_url or url, response, parsed
    return None
