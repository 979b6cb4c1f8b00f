"""``/robots.txt``, ``/sitemap.xml`` (a sitemap index) and the sitemaps it names: the site's
list pages, stories and articles in id buckets, and a Google News sitemap of the last two
days' articles (https://www.sitemaps.org/protocol.html,
https://developers.google.com/search/docs/crawling-indexing/sitemaps/news-sitemap).

Only public content is listed (``store/sitemaps.py`` filters); answers go through the page
cache like every other page.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime, timedelta
from xml.etree import ElementTree as ET

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tidings.errors import NotFoundError
from tidings.store.sitemaps import NewsEntry
from tidings.web import topicdata
from tidings.web.pages import base_url, error_page
from tidings.web.seo import SITE_NAME
from tidings.web.site import Site

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
XML = "application/xml; charset=utf-8"
#: URLs per article or story sitemap (the protocol allows 50,000)
BUCKET = 10_000
#: Google News reads articles of the last two days, at most 1,000 per sitemap
NEWS_WINDOW = timedelta(days=2)
NEWS_LIMIT = 1000
#: paths no crawler needs: the API, the admin area, per-reader pages, endless search results
DISALLOWED = ("/api/", "/admin", "/login", "/search", "/reader", "/settings")

Build = Callable[[datetime, str, Request], bytes]
Handler = Callable[[Request], Awaitable[Response]]


def _document(root: ET.Element) -> bytes:
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body


def _w3c(when: datetime | None) -> str | None:
    return None if when is None else when.replace(microsecond=0).isoformat()


def _listing(root_tag: str, item_tag: str,
             entries: Iterable[tuple[str, datetime | None]]) -> bytes:
    root = ET.Element(root_tag, {"xmlns": SITEMAP_NS})
    for loc, lastmod in entries:
        node = ET.SubElement(root, item_tag)
        ET.SubElement(node, "loc").text = loc
        if lastmod is not None:
            ET.SubElement(node, "lastmod").text = _w3c(lastmod)
    return _document(root)


def url_set(entries: Iterable[tuple[str, datetime | None]]) -> bytes:
    """A page sitemap: ``<urlset>`` of pages and when they last changed."""
    return _listing("urlset", "url", entries)


def sitemap_index(entries: Iterable[tuple[str, datetime | None]]) -> bytes:
    """``/sitemap.xml``: the sitemaps, each with its newest change."""
    return _listing("sitemapindex", "sitemap", entries)


def news_language(code: str | None, fallback: str) -> str:
    """Google News wants an ISO 639 code (``zh-cn``/``zh-tw`` for Chinese)."""
    code = (code or fallback or "en").lower()
    if code.startswith("zh"):
        return "zh-tw" if code in ("zh-tw", "zh-hk", "zh-hant") else "zh-cn"
    return code.split("-")[0]


def news_sitemap(entries: Iterable[NewsEntry], base: str, locale: str) -> bytes:
    """A Google News sitemap: publication (this site) and language, date and title."""
    root = ET.Element("urlset", {"xmlns": SITEMAP_NS, "xmlns:news": NEWS_NS})
    for entry in entries:
        node = ET.SubElement(root, "url")
        ET.SubElement(node, "loc").text = f"{base}/articles/{entry.id}"
        item = ET.SubElement(node, "news:news")
        publication = ET.SubElement(item, "news:publication")
        ET.SubElement(publication, "news:name").text = SITE_NAME
        ET.SubElement(publication, "news:language").text = news_language(entry.language, locale)
        ET.SubElement(item, "news:publication_date").text = _w3c(entry.published_at)
        ET.SubElement(item, "news:title").text = entry.title
    return _document(root)


def robots(base: str) -> bytes:
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in DISALLOWED), "Allow: /", "",
             f"Sitemap: {base}/sitemap.xml", f"Sitemap: {base}/sitemaps/news.xml", ""]
    return "\n".join(lines).encode()


def routes(site: Site) -> list[BaseRoute]:
    repo = site.store.sitemaps
    locale = site.data.locale

    def index(now: datetime, base: str, request: Request) -> bytes:
        articles = repo.article_buckets(BUCKET)
        newest = max((b.lastmod for b in articles if b.lastmod), default=None)
        return sitemap_index([
            (f"{base}/sitemaps/pages.xml", newest),
            (f"{base}/sitemaps/news.xml", newest),
            *((f"{base}/sitemaps/stories-{b.number}.xml", b.lastmod)
              for b in repo.story_buckets(BUCKET)),
            *((f"{base}/sitemaps/articles-{b.number}.xml", b.lastmod) for b in articles)])

    def pages(now: datetime, base: str, request: Request) -> bytes:
        listed = [s for s in site.store.sources.list() if s.public]
        sections = topicdata.sections(site.data, now)
        return url_set([(f"{base}/", now), (f"{base}/topics", None),
                        *((f"{base}{s['url']}", None) for s in sections),
                        *((f"{base}/sources/{s.id}", None) for s in listed),
                        *((f"{base}/topics/{slug}", at) for slug, at in
                          site.store.topics.all_listed())])

    def news(now: datetime, base: str, request: Request) -> bytes:
        return news_sitemap(repo.news(now - NEWS_WINDOW, NEWS_LIMIT), base, locale)

    def bucket(kind: str) -> Build:
        def build(now: datetime, base: str, request: Request) -> bytes:
            number = int(request.path_params["number"])
            found = (repo.articles_in(number, BUCKET) if kind == "articles"
                     else repo.stories_in(number, BUCKET))
            if not found:
                raise NotFoundError(f"no sitemap {kind}-{number}")
            return url_set((f"{base}/{kind}/{e.id}", e.lastmod) for e in found)
        return build

    def serve(build: Build, media_type: str = XML) -> Handler:
        async def handler(request: Request) -> Response:
            base = base_url(site, request)

            def render(now: datetime) -> tuple[bytes, str]:
                return build(now, base, request), media_type

            try:
                response, _ = await site.cache.serve(request, render)
            except NotFoundError as exc:
                return error_page(site, request, 404, str(exc))
            return response
        return handler

    get = ["GET", "HEAD"]
    return [
        Route("/robots.txt", serve(lambda now, base, request: robots(base),
                                   "text/plain; charset=utf-8"), methods=get),
        Route("/sitemap.xml", serve(index), methods=get),
        Route("/sitemaps/pages.xml", serve(pages), methods=get),
        Route("/sitemaps/news.xml", serve(news), methods=get),
        Route("/sitemaps/articles-{number:int}.xml", serve(bucket("articles")), methods=get),
        Route("/sitemaps/stories-{number:int}.xml", serve(bucket("stories")), methods=get),
    ]
