"""Finding the feed behind a URL: the URL itself, the feeds a page advertises, or usual paths.

A page advertises feeds with ``<link rel="alternate" type="application/rss+xml" ...>``;
comment feeds are skipped. When a page advertises none, the usual paths of the site are
probed (``/feed``, ``/rss.xml``, ``/atom.xml``, ``/index.xml``, ``/feed.xml``, ``/rss``).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from tidings.errors import FetchError, ParseError
from tidings.fetch.http import Fetcher, Response
from tidings.fetch.sitemaps import follow_index, news_sitemap_from_robots
from tidings.models import ParsedFeed
from tidings.parse.feed import parse_feed

FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/rdf+xml",
              "application/feed+json", "application/json", "text/xml", "application/xml"}
COMMON_PATHS = ("/feed", "/rss.xml", "/atom.xml", "/index.xml", "/feed.xml", "/rss")


@dataclass(slots=True)
class Discovered:
    url: str  # the feed URL to subscribe to
    response: Response
    parsed: ParsedFeed
    page_url: str | None = None  # the page that pointed to it, if any


def advertised_feeds(html: bytes | str, base_url: str) -> list[str]:
    """Feed URLs a page advertises, in page order, without comment feeds or repeats."""
    try:
        doc = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return []
    base = base_url
    for el in doc.iter("base"):
        if el.get("href"):
            base = urljoin(base_url, el.get("href"))
            break
    found: list[str] = []
    for link in doc.iter("link", "a"):
        rels = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        href = (link.get("href") or "").strip()
        if "alternate" not in rels or kind not in FEED_TYPES or not href:
            continue
        if kind in ("application/json", "text/xml", "application/xml") and link.tag != "link":
            continue
        label = f"{link.get('title') or ''} {href}".lower()
        if "comment" in label:
            continue
        url = urljoin(base, href)
        if url not in found:
            found.append(url)
    return found


def looks_like_html(response: Response) -> bool:
    if response.content_type in ("text/html", "application/xhtml+xml"):
        return True
    head = response.content[:2048].lower()
    return b"<html" in head or b"<!doctype html" in head


async def _try_feed(fetcher: Fetcher, url: str, page_url: str) -> Discovered | None:
    try:
        response = await fetcher.get(url)
        parsed = parse_feed(response.content, response.url, charset=response.charset)
    except (FetchError, ParseError):
        return None
    return Discovered(response.permanent_url or url, response, parsed, page_url)


async def find_feed(fetcher: Fetcher, url: str) -> Discovered:
    """The feed at ``url``, or the first working feed the page at ``url`` leads to.

    Raises FetchError when ``url`` cannot be fetched and ParseError when it leads to no feed.
    """
    return (await find_feeds(fetcher, url, every=False))[0]


async def find_feeds(fetcher: Fetcher, url: str, *, every: bool = True) -> list[Discovered]:
    """The feed at ``url``, or every working feed the page advertises (else a usual path)."""
    response = await fetcher.get(url)
    try:
        parsed = (await follow_index(fetcher, response)  # a sitemap index: its newest sitemaps
                  or parse_feed(response.content, response.url, charset=response.charset))
        return [Discovered(response.permanent_url or url, response, parsed)]
    except ParseError as exc:
        if not looks_like_html(response):
            raise ParseError(f"{url} is not a feed ({exc})") from None
    page = response.url
    results: list[Discovered] = []
    for candidate in advertised_feeds(response.content, page):
        found = await _try_feed(fetcher, candidate, page)
        if found is not None and all(r.url != found.url for r in results):
            results.append(found)
            if not every:
                return results
    if results:
        return results
    parts = urlsplit(page)
    origin = f"{parts.scheme}://{parts.netloc}"
    for path in COMMON_PATHS:
        found = await _try_feed(fetcher, origin + path, page)
        if found is not None:
            return [found]
    news = await news_sitemap_from_robots(fetcher, origin)  # a site with only a news sitemap
    if news is not None:
        return [Discovered(news[0], news[1], news[2], page)]
    raise ParseError(f"no feed found at {url}: the page advertises none and none of "
                     f"{', '.join(COMMON_PATHS)} is a feed")
