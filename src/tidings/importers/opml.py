"""OPML subscription lists in and out, with categories.

Categories are read from the enclosing outline (``<outline text="World">`` around the feeds)
or the ``category`` attribute (``/World,/Tech`` — the first one counts), and written back as
enclosing outlines, so an export imports into tidings (or another reader) unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from urllib.parse import urlsplit
from xml.sax.saxutils import quoteattr

from lxml import etree

from tidings.errors import ParseError
from tidings.models import Feed, ProgressFn, Source
from tidings.store import Store


@dataclass(slots=True)
class Outline:
    url: str
    title: str | None = None
    html_url: str | None = None
    category: str | None = None


@dataclass
class OpmlReport:
    added: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _category_attr(value: str | None) -> str | None:
    if not value:
        return None
    first = value.split(",")[0].strip().strip("/")
    return first.split("/")[-1].strip() or None


def parse_opml(data: bytes) -> list[Outline]:
    """Every feed outline of an OPML document; ParseError when it is not OPML."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             recover=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"not an OPML file: {exc}") from None
    if root is None or not isinstance(root.tag, str) or root.tag.lower() != "opml":
        raise ParseError("not an OPML file: no <opml> root element")
    body = root.find("body")
    if body is None:
        raise ParseError("not an OPML file: no <body>")
    found: list[Outline] = []

    def walk(node: etree._Element, category: str | None) -> None:
        for el in node:
            if not isinstance(el.tag, str) or el.tag.lower() != "outline":
                continue
            url = (el.get("xmlUrl") or el.get("xmlurl") or el.get("url") or "").strip()
            label = (el.get("title") or el.get("text") or "").strip() or None
            if url:
                found.append(Outline(url=url, title=label,
                                     html_url=(el.get("htmlUrl") or el.get("htmlurl") or None),
                                     category=_category_attr(el.get("category")) or category))
            else:
                walk(el, label or category)

    walk(body, None)
    return found


def import_outlines(store: Store, outlines: list[Outline], *, now: datetime,
                    progress: ProgressFn | None = None) -> OpmlReport:
    """Create a source and a feed for every new outline; feeds already known are left alone.
    ``progress(done, total)`` hears the count of outlines handled."""
    report = OpmlReport()
    for done, item in enumerate(outlines):
        if progress is not None:
            progress(done, len(outlines))
        parts = urlsplit(item.url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            report.skipped.append(item.url)
            continue
        if store.feeds.by_url(item.url) is not None:
            report.existing.append(item.url)
            continue
        site = item.html_url or f"{parts.scheme}://{parts.netloc}/"
        # outlines with the same name and site share a source (an export writes one outline
        # per feed); differently named subscriptions on one host stay apart
        name = item.title or parts.netloc
        source = store.sources.find(url=site, name=name)
        if source is None:
            source = store.sources.add(Source(id=None, name=name,
                                              url=site, category=item.category), now)
        elif item.category and not source.category:
            source = store.sources.update(source.id or 0, category=item.category)
        store.feeds.add(Feed(id=None, source_id=source.id, url=item.url, title=item.title,
                             site_url=item.html_url), now)
        report.added.append(item.url)
    if progress is not None:
        progress(len(outlines), len(outlines))
    return report


def import_opml(store: Store, data: bytes, *, now: datetime,
                progress: ProgressFn | None = None) -> OpmlReport:
    return import_outlines(store, parse_opml(data), now=now, progress=progress)


def export_opml(store: Store, *, now: datetime, title: str = "tidings subscriptions") -> str:
    """OPML 2.0 of every feed, grouped by its source's category."""
    by_category: dict[str | None, list[tuple[Source, Feed]]] = {}
    for source in store.sources.list():
        for feed in store.feeds.list(source_id=source.id):
            by_category.setdefault(source.category, []).append((source, feed))

    def outline(source: Source, feed: Feed, indent: str) -> str:
        attrs = [f"type=\"rss\" text={quoteattr(source.name)} title={quoteattr(source.name)}",
                 f"xmlUrl={quoteattr(feed.url)}"]
        if source.url or feed.site_url:
            attrs.append(f"htmlUrl={quoteattr(source.url or feed.site_url or '')}")
        return f"{indent}<outline {' '.join(attrs)}/>"

    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<opml version="2.0">', "  <head>",
             f"    <title>{_escape(title)}</title>",
             f"    <dateCreated>{format_datetime(now)}</dateCreated>", "  </head>", "  <body>"]
    for source, feed in by_category.pop(None, []):
        lines.append(outline(source, feed, "    "))
    for category in sorted(c for c in by_category if c):
        lines.append(f"    <outline text={quoteattr(category)} title={quoteattr(category)}>")
        lines.extend(outline(s, f, "      ") for s, f in by_category[category])
        lines.append("    </outline>")
    lines += ["  </body>", "</opml>"]
    return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
