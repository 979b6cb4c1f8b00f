"""What machines read about a page: description, canonical URL, Open Graph and Twitter card
tags, and schema.org JSON-LD (``NewsArticle`` for articles, ``ItemList`` for lists).

Every page view declares a ``describe`` function (``web/views.py``) that turns its data into a
:class:`PageMeta`; ``base.html`` renders it. JSON-LD goes into
``<script type="application/ld+json">``: a data block the browser never executes, so the
site's CSP (``script-src 'self'``) does not apply to it; ``<``, ``>`` and ``&`` are written as
``\\u003c``-style escapes so no text in it can close the element.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

SITE_NAME = "tidings"
#: search engines show about this many characters of a description
DESCRIPTION_CHARS = 160
#: Google's limit for a NewsArticle headline
HEADLINE_CHARS = 110


@dataclass(frozen=True, slots=True)
class PageMeta:
    title: str
    description: str
    canonical: str
    og_type: str = "website"
    image: str | None = None
    json_ld: Markup | None = None
    noindex: bool = False

    @property
    def twitter_card(self) -> str:
        return "summary_large_image" if self.image else "summary"


def json_ld(document: Mapping[str, Any]) -> Markup:
    """A JSON-LD document safe inside ``<script>``: nothing in it can end the element."""
    text = json.dumps({"@context": "https://schema.org", **document}, ensure_ascii=False,
                      separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # escaped above: JSON, never HTML


def shorten(text: str | None, limit: int = DESCRIPTION_CHARS) -> str:
    """One line of at most ``limit`` characters, cut at a word, with an ellipsis."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit - 1)
    return text[: cut if cut > limit // 2 else limit - 1].rstrip(" ,;:.") + "…"


def absolute(url: str | None, base: str) -> str | None:
    """This site's own paths (``/static/…``, proxied images) made absolute; others kept."""
    if url and url.startswith("/"):
        return base + url
    return url


def organization(source: Mapping[str, Any] | None) -> dict[str, Any]:
    if not source:
        return {"@type": "Organization", "name": SITE_NAME}
    found = {"@type": "Organization", "name": source["name"]}
    return found | ({"url": source["url"]} if source.get("url") else {})


def news_article(a: Mapping[str, Any], canonical: str, base: str) -> Markup:
    """schema.org ``NewsArticle`` of one article, based on the outlet's original."""
    doc: dict[str, Any] = {
        "@type": "NewsArticle",
        "headline": shorten(a["title"], HEADLINE_CHARS),
        "url": canonical,
        "mainEntityOfPage": canonical,
        "publisher": organization(a.get("source")),
        "author": ([{"@type": "Person", "name": a["author"]}] if a.get("author")
                   else [organization(a.get("source"))]),
    }
    if a.get("published_at"):
        doc["datePublished"] = a["published_at"]
        doc["dateModified"] = a.get("updated_at") or a["published_at"]
    if a.get("image_url"):
        doc["image"] = [absolute(a["image_url"], base)]
    if a.get("url"):
        doc["isBasedOn"] = a["url"]
    if a.get("language"):
        doc["inLanguage"] = a["language"]
    description = shorten(a.get("summary") or a.get("content_text"))
    if description:
        doc["description"] = description
    return json_ld(doc)


def item_list(name: str, urls: Iterable[tuple[str, str]], base: str) -> Markup:
    """schema.org ``ItemList`` of (path, name) pairs, in the order shown."""
    items = [{"@type": "ListItem", "position": i, "url": base + path, "name": title}
             for i, (path, title) in enumerate(urls, start=1)]
    return json_ld({"@type": "ItemList", "name": name, "numberOfItems": len(items),
                    "itemListElement": items})


def website(base: str, description: str) -> Markup:
    """schema.org ``WebSite`` with its search, for the front page."""
    return json_ld({"@type": "WebSite", "name": SITE_NAME, "url": base + "/",
                    "description": description,
                    "potentialAction": {"@type": "SearchAction",
                                        "target": base + "/search?q={query}",
                                        "query-input": "required name=query"}})
