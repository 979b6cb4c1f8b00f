"""Following sitemaps over the network: a sitemap index's children, robots.txt ``Sitemap:``.

Reading one sitemap is pure parsing (:mod:`tidings.parse.sitemap`); what needs more fetches
lives here, on the fetch side, so that the parse package never touches the network.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urljoin

from tidings.errors import FetchError, ParseError
from tidings.fetch.http import Fetcher, Response
from tidings.models import Entry, ParsedFeed
from tidings.parse.feed import parse_feed
from tidings.parse.sitemap import NEWS_FORMAT, SitemapIndex

MAX_CHILDREN = 3  # child sitemaps of an index read per refresh, newest first
MAX_ROBOTS_SITEMAPS = 3  # ``Sitemap:`` lines of robots.txt tried when a site has no feed


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
