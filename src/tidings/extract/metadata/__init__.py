"""Page metadata: title, author, date, lead image, canonical URL and site name.

Structured data first (JSON-LD, OpenGraph, ``article:*`` and other meta tags), because sites
write it on purpose; page heuristics (``<h1>``, byline elements, htmldate) only for what is
missing. ``signals`` reads the page's declarations once; one small resolver per field
(``title``, ``author``, ``dates``, ``image``) turns them into a value.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lxml.html import HtmlElement

from tidings.extract.metadata.author import declared_byline, resolve_author
from tidings.extract.metadata.dates import align_with_day, parse_datetime, resolve_date, url_day
from tidings.extract.metadata.image import resolve_image
from tidings.extract.metadata.names import clean_author
from tidings.extract.metadata.signals import read_signals, text_of
from tidings.extract.metadata.title import clean_title, resolve_title

__all__ = ["PageMetadata", "align_with_day", "clean_author", "clean_title", "extract_metadata",
           "parse_datetime", "url_day"]


@dataclass(slots=True)
class PageMetadata:
    title: str | None = None
    author: str | None = None
    published_at: datetime | None = None
    image_url: str | None = None
    canonical_url: str | None = None
    site_name: str | None = None
    description: str | None = None
    article_body: str | None = None  # JSON-LD articleBody, when the site gives one
    byline: str | None = None  # the declared author before cleaning ("Reuters", "AP Writer")


def extract_metadata(tree: HtmlElement, url: str | None) -> PageMetadata:
    """Every metadata field of one parsed page (the tree is only read)."""
    page = read_signals(tree, url)
    declared = declared_byline(page)
    out = PageMetadata(canonical_url=page.canonical_url, site_name=page.site_name,
                       title=resolve_title(page), byline=declared)
    out.author = resolve_author(page)
    out.published_at = resolve_date(page)
    out.image_url = resolve_image(page)
    out.description = text_of(page.meta.get("og:description")) or text_of(
        page.meta.get("description"))
    if page.article:
        body = page.article.get("articleBody")
        out.article_body = body.strip() if isinstance(body, str) and body.strip() else None
    return out
