"""What a page says about itself, read once: meta tags, JSON-LD, canonical URL, site, ``<h1>``.

Every field resolver (title, author, date, image) reads these instead of walking the tree
again, so the structured data is parsed one time per page.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.etree
from lxml.html import HtmlElement

_VISIBLE = "//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript)]"
_VISIBLE_TEXT = lxml.etree.XPath(_VISIBLE, smart_strings=False)  # plain strings: faster
_H1_TEXT = lxml.etree.XPath(".//text()[not(ancestor::script or ancestor::style)]",
                            smart_strings=False)
_BEFORE_H1 = lxml.etree.XPath(
    "count(preceding::text()[ancestor::body][normalize-space()]"
    "[not(ancestor::script or ancestor::style or ancestor::noscript)])")
ARTICLE_TYPES = {
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "blogposting",
    "opinionnewsarticle", "backgroundnewsarticle", "reviewnewsarticle", "scholarlyarticle",
    "techarticle", "liveblogposting", "socialmediaposting", "report", "webpage", "posting",
    "askpublicnewsarticle", "satiricalarticle", "medicalscholarlyarticle", "creativework",
}


def text_of(value: Any) -> str | None:
    """A string value with whitespace collapsed; None for empty or non-strings."""
    if isinstance(value, str):
        value = re.sub(r"\s+", " ", value).strip()
        return value or None
    return None


@dataclass(slots=True)
class PageSignals:
    """The parsed page and everything structured it declares."""

    tree: HtmlElement
    url: str | None
    meta: dict[str, str] = field(default_factory=dict)
    article: dict[str, Any] | None = None  # the JSON-LD object that describes the article
    ld_ids: dict[str, dict[str, Any]] = field(default_factory=dict)  # JSON-LD objects by @id
    canonical_url: str | None = None
    site_name: str | None = None
    h1s: list[str] = field(default_factory=list)

    _visible: str | None = None
    _parts: list[str] | None = None

    def visible_parts(self) -> list[str]:
        """The body's text nodes without scripts and styles, whitespace collapsed, case-folded,
        empty ones dropped (computed on first use; ``visible_text`` is them joined)."""
        if self._parts is None:
            parts = (" ".join(str(p).split()) for p in _VISIBLE_TEXT(self.tree))
            self._parts = [p.casefold() for p in parts if p]
        return self._parts

    def headline_span(self) -> tuple[int, int] | None:
        """Which of ``visible_parts`` the first ``<h1>`` holds (start, stop), or None."""
        h1 = self.tree.find(".//body//h1")
        if h1 is None:
            return None
        inside = sum(1 for p in _H1_TEXT(h1) if p.split())
        if not inside:
            return None
        start = int(_BEFORE_H1(h1))  # counted in C: a Python walk costs more than the rest
        parts = self.visible_parts()
        return (start, start + inside) if start + inside <= len(parts) else None

    def visible_text(self) -> str:
        """The body's text without scripts and styles, case-folded (computed on first use)."""
        if self._visible is None:
            self._visible = " ".join(self.visible_parts())
        return self._visible

    _flat: str | None = None

    def flat_visible_text(self) -> str:
        """The visible text case-folded with every non-word character removed."""
        if self._flat is None:
            self._flat = re.sub(r"[\W_]+", "", self.visible_text())
        return self._flat

    @property
    def base(self) -> str | None:
        """The URL relative links resolve against."""
        return self.canonical_url or self.url


def json_ld_objects(tree: HtmlElement) -> Iterator[dict[str, Any]]:
    """Every JSON object in the page's JSON-LD, ``@graph`` and ``mainEntity`` unfolded."""
    for script in tree.iterfind('.//script[@type="application/ld+json"]'):
        raw = script.text
        if not raw or not raw.strip():
            continue
        try:
            data = json.loads(raw.strip().rstrip(";"), strict=False)
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                yield item
                graph = item.get("@graph")
                if isinstance(graph, list):
                    stack.extend(reversed(graph))
                main = item.get("mainEntity")
                if isinstance(main, dict):
                    stack.append(main)


def ld_types(obj: dict[str, Any]) -> set[str]:
    """The lower-cased ``@type`` values of a JSON-LD object."""
    value = obj.get("@type")
    values = value if isinstance(value, list) else [value]
    return {v.lower() for v in values if isinstance(v, str)}


def meta_map(tree: HtmlElement) -> dict[str, str]:
    """First value of each meta name/property/itemprop, lower-cased keys."""
    found: dict[str, str] = {}
    for meta in tree.iterfind(".//meta[@content]"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop")
        content = meta.get("content")
        if key and content and content.strip():
            found.setdefault(key.strip().lower(), content.strip())
    return found


def absolute(url: str | None, base: str | None) -> str | None:
    """``url`` made absolute against ``base``; None unless it is http(s)."""
    if not url:
        return None
    url = url.strip()
    if url.startswith("//"):
        url = "https:" + url
    joined = urljoin(base or "", url)
    return joined if urlsplit(joined).scheme in {"http", "https"} else None


def _article_object(tree: HtmlElement, ids: dict[str, dict[str, Any]]
                    ) -> tuple[dict[str, Any] | None, str | None]:
    """The JSON-LD article (a typed article object, else any object with a headline and an
    author or date) and the publisher's name from an Organization/WebSite object; ``ids``
    is filled with every object that has an ``@id`` and more than that."""
    article: dict[str, Any] | None = None
    fallback: dict[str, Any] | None = None  # a typed object we do not know, with a headline
    publisher_name: str | None = None
    for obj in json_ld_objects(tree):
        types = ld_types(obj)
        ref = obj.get("@id")
        if isinstance(ref, str) and len(obj) > 1:
            ids.setdefault(ref, obj)
        has_fields = obj.get("headline") or obj.get("articleBody") or obj.get("datePublished")
        better = article is None or ("webpage" in ld_types(article) and "webpage" not in types)
        if types & ARTICLE_TYPES and has_fields and better:
            article = obj
        elif fallback is None and obj.get("headline") and (obj.get("author")
                                                          or obj.get("datePublished")):
            fallback = obj
        if types & {"organization", "newsmediaorganization", "website"} and not publisher_name:
            publisher_name = text_of(obj.get("name"))
    return article or fallback, publisher_name


def _canonical(tree: HtmlElement, meta: dict[str, str], url: str | None) -> str | None:
    for link in tree.iterfind('.//link[@rel]'):
        if "canonical" in (link.get("rel") or "").lower().split():
            found = absolute(link.get("href"), url)
            if found:
                return found
            break
    return absolute(meta.get("og:url"), url) or url


def _site_name(meta: dict[str, str], article: dict[str, Any] | None,
               publisher_name: str | None, base: str | None) -> str | None:
    site = text_of(meta.get("og:site_name")) or publisher_name
    if article and not site and isinstance(article.get("publisher"), dict):
        site = text_of(article["publisher"].get("name"))
    site = site or text_of(meta.get("application-name"))
    if not site and base:
        host = urlsplit(base).hostname or ""
        site = host.removeprefix("www.") or None
    return site


def read_signals(tree: HtmlElement, url: str | None) -> PageSignals:
    """Parse the page's declarations once."""
    meta = meta_map(tree)
    ids: dict[str, dict[str, Any]] = {}
    article, publisher_name = _article_object(tree, ids)
    signals = PageSignals(tree=tree, url=url, meta=meta, article=article, ld_ids=ids)
    signals.canonical_url = _canonical(tree, meta, url)
    signals.site_name = _site_name(meta, article, publisher_name, signals.base)
    signals.h1s = [t for t in (text_of(el.text_content()) for el in tree.iterfind(".//body//h1"))
                   if t and len(t) < 300][:5]
    return signals
