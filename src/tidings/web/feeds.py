"""Outgoing feeds: RSS 2.0, Atom 1.0 and JSON Feed 1.1 for the front page, each story, each
outlet, each topic and each search, built from the same data functions as the pages."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from xml.etree import ElementTree as ET

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tidings import __version__
from tidings.config import Settings
from tidings.errors import BadParam, NotFoundError
from tidings.web import params
from tidings.web.responses import api_error, dumps
from tidings.web.site import Site

ATOM_NS = "http://www.w3.org/2005/Atom"
FEED_SIZE = 30
KINDS = {"xml": "application/rss+xml; charset=utf-8",
         "atom": "application/atom+xml; charset=utf-8",
         "json": "application/feed+json; charset=utf-8"}


def _bytes(root: ET.Element) -> bytes:
    """The document with our own declaration (ElementTree's would use single quotes)."""
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body


def _when(item: dict[str, Any]) -> datetime:
    raw = item.get("published_at")
    return datetime.fromisoformat(raw) if raw else datetime.now(UTC)


def rss(meta: dict[str, str], items: list[dict[str, Any]]) -> bytes:
    ET.register_namespace("atom", ATOM_NS)
    root = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(root, "channel")
    ET.SubElement(channel, "title").text = meta["title"]
    ET.SubElement(channel, "link").text = meta["home"]
    ET.SubElement(channel, "description").text = meta["description"]
    ET.SubElement(channel, f"{{{ATOM_NS}}}link",
                  {"href": meta["self"], "rel": "self", "type": "application/rss+xml"})
    if meta.get("hub"):
        ET.SubElement(channel, f"{{{ATOM_NS}}}link", {"href": meta["hub"], "rel": "hub"})
    ET.SubElement(channel, "generator").text = f"tidings {__version__}"
    if items:
        ET.SubElement(channel, "lastBuildDate").text = format_datetime(
            max(_when(i) for i in items), usegmt=True)
    for item in items:
        node = ET.SubElement(channel, "item")
        ET.SubElement(node, "title").text = item["title"]
        ET.SubElement(node, "link").text = item["link"]
        ET.SubElement(node, "guid", {"isPermaLink": "true"}).text = item["link"]
        ET.SubElement(node, "pubDate").text = format_datetime(_when(item), usegmt=True)
        if item.get("summary"):
            # plain text; readers render <description> as HTML, so escape it once more
            ET.SubElement(node, "description").text = html.escape(item["summary"])
        if item.get("source_name"):
            ET.SubElement(node, "source", {"url": item.get("source_url") or meta["home"]}
                          ).text = item["source_name"]
    return _bytes(root)


def atom(meta: dict[str, str], items: list[dict[str, Any]]) -> bytes:
    ET.register_namespace("", ATOM_NS)

    def el(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        node = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            node.text = text
        return node

    root = ET.Element(f"{{{ATOM_NS}}}feed")
    el(root, "title", meta["title"])
    el(root, "subtitle", meta["description"])
    el(root, "id", meta["self"])
    el(root, "link", href=meta["self"], rel="self", type="application/atom+xml")
    if meta.get("hub"):
        el(root, "link", href=meta["hub"], rel="hub")
    el(root, "link", href=meta["home"], rel="alternate", type="text/html")
    updated = max((_when(i) for i in items), default=datetime(2000, 1, 1, tzinfo=UTC))
    el(root, "updated", updated.isoformat())
    el(root, "generator", "tidings", version=__version__)
    for item in items:
        entry = el(root, "entry")
        el(entry, "title", item["title"])
        el(entry, "id", item["link"])
        el(entry, "link", href=item["link"], rel="alternate", type="text/html")
        el(entry, "published", _when(item).isoformat())
        el(entry, "updated", _when(item).isoformat())
        author = el(entry, "author")
        el(author, "name", item.get("author") or item.get("source_name") or "tidings")
        if item.get("summary"):
            el(entry, "summary", item["summary"], type="text")
    return _bytes(root)


def json_feed(meta: dict[str, str], items: list[dict[str, Any]]) -> bytes:
    return dumps({
        "version": "https://jsonfeed.org/version/1.1",
        "title": meta["title"], "home_page_url": meta["home"], "feed_url": meta["self"],
        "description": meta["description"], "language": meta.get("language", "en"),
        **({"hubs": [{"type": "WebSub", "url": meta["hub"]}]} if meta.get("hub") else {}),
        "items": [{
            "id": i["link"], "url": i["link"], "title": i["title"],
            "content_text": i.get("summary") or i["title"],
            "date_published": _when(i).isoformat(),
            **({"external_url": i["external_url"]} if i.get("external_url") else {}),
            **({"image": i["image_url"]} if i.get("image_url") else {}),
            **({"authors": [{"name": i["author"]}]} if i.get("author") else {}),
        } for i in items],
    })


RENDER: dict[str, Callable[[dict[str, str], list[dict[str, Any]]], bytes]] = {
    "xml": rss, "atom": atom, "json": json_feed}


def _items(articles: list[dict[str, Any]], base: str) -> list[dict[str, Any]]:
    out = []
    for a in articles:
        source = a.get("source") or {}
        text = a.get("summary") or (a.get("content_text") or "")[:500] or None
        out.append({"title": a["title"], "link": f"{base}/articles/{a['id']}",
                    "external_url": a.get("url"), "published_at": a.get("published_at"),
                    "summary": text, "author": a.get("author"),
                    "image_url": _absolute(a.get("image_url"), base),
                    "source_name": source.get("name"), "source_url": source.get("url")})
    return out


def _absolute(url: str | None, base: str) -> str | None:
    """Site-relative URLs (proxied images) made absolute: a feed is read elsewhere."""
    return base + url if url and url.startswith("/") else url


def feed_url(settings: Settings, request: Request) -> str:
    """A feed's own (self) URL: under ``TIDINGS_PUBLIC_URL`` when it is set — the address
    the hub is pinged with — else as the client asked for it."""
    if not settings.public_base:
        return str(request.url)
    query = request.url.query
    return settings.public_base + request.url.path + (f"?{query}" if query else "")


def routes(site: Site) -> list[BaseRoute]:
    data = site.data
    _ = site.gettext

    def front(now: datetime, request: Request) -> tuple[str, str, list[dict[str, Any]]]:
        listed = data.articles(now, limit=FEED_SIZE)["articles"]
        return "tidings", _("Latest news from every outlet"), listed

    def story(now: datetime, request: Request) -> tuple[str, str, list[dict[str, Any]]]:
        found = data.story(params.path_id(request, "story_id"), now)
        arts = sorted(found["timeline"], key=lambda a: a["published_at"] or "", reverse=True)
        return found["story"]["title"], _("Full coverage"), arts[:FEED_SIZE]

    def source(now: datetime, request: Request) -> tuple[str, str, list[dict[str, Any]]]:
        sid = params.path_id(request, "source_id")
        found = data.source(sid, now, limit=1)
        listed = data.articles(now, limit=FEED_SIZE, source_id=sid)["articles"]
        return found["source"]["name"], _("Latest from {name}", name=found["source"]["name"]), \
            listed

    def topic(now: datetime, request: Request) -> tuple[str, str, list[dict[str, Any]]]:
        found = data.store.topics.by_slug(params.path_text(request, "slug"))
        ids = data.store.topics.newest_articles(found.id, FEED_SIZE)
        listed = data.search_repo.by_ids(ids)
        sources = data.sources_by_id(now)
        arts = [data.article_dict(listed[i], sources, now) for i in ids if i in listed]
        return f"tidings: {found.name}", _("Stories about {name}", name=found.name), arts

    def search(now: datetime, request: Request) -> tuple[str, str, list[dict[str, Any]]]:
        q = params.Q_REQUIRED.parse(request.query_params, data.tz)
        listed = data.search(now, q, limit=FEED_SIZE)["articles"]
        return f"tidings: {q}", _("Search results for “{q}”", q=q), listed

    def view(kind: str, build: Callable[[datetime, Request],
                                       tuple[str, str, list[dict[str, Any]]]]) -> Any:
        async def handler(request: Request) -> Response:
            base = str(request.base_url).rstrip("/")
            self_url = feed_url(site.settings, request)
            hub = site.settings.websub_hub

            def render(now: datetime) -> tuple[bytes, str]:
                title, description, articles = build(now, request)
                meta = {"title": title, "description": description, "home": base + "/",
                        "self": self_url, "language": data.locale, "hub": hub}
                return RENDER[kind](meta, _items(articles, base)), KINDS[kind]

            links = ((("link", f'<{hub}>; rel="hub", <{self_url}>; rel="self"'),) if hub
                     else ())
            try:
                params.Q.parse(request.query_params, data.tz)
                response, _ = await site.cache.serve(request, render, links)
            except BadParam as exc:
                return api_error(400, str(exc))
            except NotFoundError as exc:
                return api_error(404, str(exc))
            return response

        return handler

    out: list[BaseRoute] = []
    for kind in KINDS:
        ext = kind
        out += [
            Route(f"/feed.{ext}", view(kind, front), methods=["GET", "HEAD"]),
            Route(f"/stories/{{story_id:int}}/feed.{ext}", view(kind, story),
                  methods=["GET", "HEAD"]),
            Route(f"/sources/{{source_id:int}}/feed.{ext}", view(kind, source),
                  methods=["GET", "HEAD"]),
            Route(f"/search/feed.{ext}", view(kind, search), methods=["GET", "HEAD"]),
            Route(f"/topics/{{slug}}/feed.{ext}", view(kind, topic), methods=["GET", "HEAD"]),
        ]
    return out

