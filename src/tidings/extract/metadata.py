"""Page metadata: title, author, date, lead image, canonical URL and site name.

Structured data first (JSON-LD, OpenGraph, ``article:*`` and other meta tags), because sites
write it on purpose; page heuristics (``<h1>``, byline elements, htmldate) only for what is
missing. Everything here reads one parsed lxml tree and is cheap: no heavy whole-page XPath.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.etree
from lxml.html import HtmlElement

log = logging.getLogger(__name__)

ARTICLE_TYPES = {
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "blogposting",
    "opinionnewsarticle", "backgroundnewsarticle", "reviewnewsarticle", "scholarlyarticle",
    "techarticle", "liveblogposting", "socialmediaposting", "report", "webpage", "posting",
    "askpublicnewsarticle", "satiricalarticle", "medicalscholarlyarticle", "creativework",
}
_DATE_META = (
    "article:published_time", "og:article:published_time", "article:published",
    "datepublished", "publishdate", "publish-date", "publish_date", "pubdate", "date",
    "dc.date.issued", "dc.date", "dcterms.created", "dcterms.issued", "sailthru.date",
    "parsely-pub-date", "article.published", "published-date", "og:published_time",
    "cxenseparse:recs:publishtime", "date.available", "originalpublicationdate",
)
_AUTHOR_META = ("author", "article:author", "og:article:author", "dc.creator", "byl",
                "sailthru.author", "parsely-author", "cxenseparse:author", "dcterms.creator")
_BY = re.compile(r"^\s*(?:by|von|di|de|par|por|от|автор:?)\s+", re.IGNORECASE)
_AUTHOR_SPLIT = re.compile(
    r"\s*(?:;|\||\band\b|\bund\b|\be\b|\by\b|\bet\b|&)\s*|,\s+(?=\S+\s+\S)")
_ROLE = re.compile(r"\b(?:writer|correspondent|editor|reporter|staff|contributor|columnist|"
                   r"redazione|redaktion|redacción|rédaction)\b", re.IGNORECASE)
_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:·•»/]\s+")


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


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        value = re.sub(r"\s+", " ", value).strip()
        return value or None
    return None


def _json_ld_objects(tree: HtmlElement) -> Iterator[dict[str, Any]]:
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


def _types(obj: dict[str, Any]) -> set[str]:
    value = obj.get("@type")
    values = value if isinstance(value, list) else [value]
    return {v.lower() for v in values if isinstance(v, str)}


def _names(value: Any) -> list[str]:
    """Author names from a JSON-LD ``author`` (a string, an object, or a list of either)."""
    out: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str):
            name = _text(item)
        elif isinstance(item, dict):
            name = _text(item.get("name"))
            if not name and (item.get("givenName") or item.get("familyName")):
                name = _text(f"{item.get('givenName', '')} {item.get('familyName', '')}")
        else:
            name = None
        if name:
            out.append(name)
    return out


def _image(value: Any) -> str | None:
    if isinstance(value, list):
        for item in value:
            found = _image(item)
            if found:
                return found
        return None
    if isinstance(value, dict):
        return _text(value.get("url") or value.get("contentUrl"))
    return _text(value)


def parse_datetime(value: str | None) -> datetime | None:
    """An ISO 8601 (or other common) date string → aware datetime (UTC when no offset)."""
    if not value:
        return None
    value = value.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            from dateutil import parser as dateparser

            parsed = dateparser.parse(value)
        except (ValueError, OverflowError, TypeError):
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    if not 1995 <= parsed.year <= datetime.now(UTC).year + 1:
        return None
    return parsed


def clean_author(value: str | None, site_name: str | None = None) -> str | None:
    """Drop URLs, "By ", e-mail addresses and obvious non-names; join several with ", "."""
    if not value:
        return None
    parts = [p for p in _AUTHOR_SPLIT.split(value) if p]
    names: list[str] = []
    for part in parts:
        part = _BY.sub("", part).strip(" .,:;-–—")
        if _ROLE.search(part):
            continue  # "AP Auto Writer", "Staff Reporter": a role, not a name
        part = re.sub(r"\S+@\S+", "", part).strip()
        if (not part or "://" in part or part.startswith("www.") or len(part) > 60
                or sum(c.isdigit() for c in part) > 2 or len(part.split()) > 5):
            continue
        if site_name and part.lower() == site_name.lower():
            continue
        if part not in names:
            names.append(part)
    return ", ".join(names[:5]) or None


def clean_title(title: str | None, site_name: str | None, h1: str | None) -> str | None:
    """Drop a " | Site" tail; prefer the page's ``<h1>`` when the title merely wraps it."""
    title = _text(title)
    if not title:
        return _text(h1)
    if h1 and len(h1) > 10 and h1 != title and h1 in title:
        return h1
    pieces = _TITLE_SEPARATORS.split(title)
    if len(pieces) > 1:
        site = (site_name or "").lower().replace(" ", "")
        last, first = pieces[-1].lower().replace(" ", ""), pieces[0].lower().replace(" ", "")
        if site and (site in last or last in site):
            return _TITLE_SEPARATORS.split(title)[0] if len(pieces) == 2 else \
                title[: title.rfind(pieces[-1])].rstrip(" |-–—:·•»/")
        if site and (site in first or first in site):
            return title[len(pieces[0]):].lstrip(" |-–—:·•»/")
    return title


def _meta_map(tree: HtmlElement) -> dict[str, str]:
    """First value of each meta name/property/itemprop, lower-cased keys."""
    found: dict[str, str] = {}
    for meta in tree.iterfind(".//meta[@content]"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop")
        content = meta.get("content")
        if key and content and content.strip():
            found.setdefault(key.strip().lower(), content.strip())
    return found


def _first_text(tree: HtmlElement, path: str, limit: int = 300) -> str | None:
    for el in tree.iterfind(path):
        text = _text(el.text_content())
        if text and 2 < len(text) < limit:
            return text
    return None


_BYLINE_XPATH = (
    './/*[@rel="author"]',
    './/*[@itemprop="author"]//*[@itemprop="name"]',
    './/*[@itemprop="author"]',
)
_BYLINE_CANDIDATES = lxml.etree.XPath(
    "//body//*[self::span or self::div or self::p or self::a or self::address]"
    "[contains(@class, 'yline') or contains(@class, 'uthor') or contains(@class, 'riter') "
    "or contains(@class, 'utore') or contains(@class, 'uteur') or contains(@class, 'utor')]")
_BYLINE_CLASS = re.compile(r"\b(?:byline|author-name|author__name|article-author|byline__name|"
                           r"author|writer|autore|autor|auteur)\b", re.IGNORECASE)


def _byline(tree: HtmlElement, site_name: str | None) -> str | None:
    for path in _BYLINE_XPATH:
        for el in tree.iterfind(path):
            name = clean_author(el.get("content") or el.text_content(), site_name)
            if name:
                return name
    # the XPath filter runs in C; the word-boundary check only on the few candidates
    for el in _BYLINE_CANDIDATES(tree):
        cls = el.get("class") or ""
        if _BYLINE_CLASS.search(cls) and len(el) < 8:
            name = clean_author(el.text_content(), site_name)
            if name:
                return name
    return None


def _large_figure(tree: HtmlElement, base: str | None) -> str | None:
    """The first image in a ``<figure>`` or with a declared width of at least 300 pixels."""
    body = tree.find(".//body")
    if body is None:
        return None
    for img in body.iter("img"):
        src = img.get("src") or img.get("data-src")
        if not src or src.startswith("data:"):
            continue
        width = re.match(r"\d+", img.get("width") or "")
        in_figure = any(a.tag == "figure" for a in img.iterancestors())
        if (width and int(width.group()) >= 300) or (in_figure and not width):
            return urljoin(base or "", src)
    return None


def _absolute(url: str | None, base: str | None) -> str | None:
    if not url:
        return None
    url = url.strip()
    if url.startswith("//"):
        url = "https:" + url
    joined = urljoin(base or "", url)
    return joined if urlsplit(joined).scheme in {"http", "https"} else None


def extract_metadata(tree: HtmlElement, url: str | None) -> PageMetadata:
    meta = _meta_map(tree)
    meta_out = PageMetadata()
    article: dict[str, Any] | None = None
    publisher_name: str | None = None
    for obj in _json_ld_objects(tree):
        types = _types(obj)
        has_fields = obj.get("headline") or obj.get("articleBody") or obj.get("datePublished")
        better = article is None or ("webpage" in _types(article) and "webpage" not in types)
        if types & ARTICLE_TYPES and has_fields and better:
            article = obj
        if types & {"organization", "newsmediaorganization", "website"} and not publisher_name:
            publisher_name = _text(obj.get("name"))

    canonical = None
    for link in tree.iterfind('.//link[@rel]'):
        if "canonical" in (link.get("rel") or "").lower().split():
            canonical = _absolute(link.get("href"), url)
            break
    meta_out.canonical_url = canonical or _absolute(meta.get("og:url"), url) or url
    base = meta_out.canonical_url or url

    site = _text(meta.get("og:site_name")) or publisher_name
    if article and not site and isinstance(article.get("publisher"), dict):
        site = _text(article["publisher"].get("name"))
    site = site or _text(meta.get("application-name"))
    if not site and base:
        host = urlsplit(base).hostname or ""
        site = host.removeprefix("www.") or None
    meta_out.site_name = site

    h1 = _first_text(tree, ".//body//h1")
    title = None
    if article:
        title = _text(article.get("headline")) or _text(article.get("name"))
    title = title or _text(meta.get("og:title")) or _text(meta.get("twitter:title"))
    if not title:
        title_el = tree.find(".//title")
        title = _text(title_el.text_content()) if title_el is not None else None
    meta_out.title = clean_title(title, site, h1)

    authors: list[str] = _names(article.get("author")) if article else []
    author = ", ".join(authors) if authors else None
    if not author:
        for key in _AUTHOR_META:
            value = meta.get(key)
            if value and "://" not in value:
                author = value
                break
    meta_out.author = clean_author(author, site) or _byline(tree, site)

    published = None
    if article:
        published = parse_datetime(_text(article.get("datePublished")) or
                                   _text(article.get("dateCreated")))
    for key in _DATE_META:
        if published:
            break
        published = parse_datetime(meta.get(key))
    if not published:
        for el in tree.iterfind(".//time[@datetime]"):
            published = parse_datetime(el.get("datetime"))
            if published:
                break
    if not published:
        published = _htmldate(tree, url)
    meta_out.published_at = published

    image = _image(article.get("image")) if article else None
    image = (_text(meta.get("og:image")) or _text(meta.get("og:image:url"))
             or _text(meta.get("twitter:image")) or _text(meta.get("twitter:image:src")) or image)
    meta_out.image_url = _absolute(image, base) or _large_figure(tree, base)

    meta_out.description = _text(meta.get("og:description")) or _text(meta.get("description"))
    if article:
        body = article.get("articleBody")
        meta_out.article_body = body.strip() if isinstance(body, str) and body.strip() else None
    return meta_out


def _htmldate(tree: HtmlElement, url: str | None) -> datetime | None:
    try:
        from htmldate import find_date

        found = find_date(tree, url=url, extensive_search=False, original_date=True)
    except Exception as exc:  # htmldate raises assorted errors on odd pages
        log.debug("htmldate failed: %s", exc)
        return None
    return parse_datetime(found) if found else None
