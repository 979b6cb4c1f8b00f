"""Page metadata: title, author, date, lead image, canonical URL and site name.

Structured data first (JSON-LD, OpenGraph, ``article:*`` and other meta tags), because sites
write it on purpose; page heuristics (``<h1>``, byline elements, htmldate) only for what is
missing. Everything here reads one parsed lxml tree and is cheap: no heavy whole-page XPath.
"""

from __future__ import annotations

import html as html_lib
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
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
    r"\s*(?:;|\||,|\band\b|\bund\b|\be\b|\by\b|\bet\b|&)\s*")
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
    byline: str | None = None  # the declared author before cleaning ("Reuters", "AP Writer")


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


_ORG_WORDS = {
    "media", "news", "newsroom", "agency", "press", "staff", "team", "desk", "editors",
    "editorial", "insider", "group", "inc", "ltd", "llc", "network", "magazine", "journal",
    "times", "post", "daily", "weekly", "blog", "service", "services", "online", "radio", "tv",
    "television", "channel", "associated", "wire", "redazione", "redaktion", "redacción",
    "rédaction", "admin", "administrator", "webmaster", "guest", "anonymous", "contributors",
    "correspondent", "reporter", "writer", "editor", "contributor", "columnist", "analysis",
    "opinion", "review", "photos", "video", "ap", "afp", "reuters", "dpa", "ansa", "efe",
}
# words that make a whole byline part an organisation rather than a person
_ORG_MARKERS = {
    "agency", "media", "group", "inc", "ltd", "llc", "network", "magazine", "journal", "weekly",
    "blog", "online", "radio", "television", "channel", "newsroom", "staff", "team", "desk",
    "editors", "editorial", "redazione", "redaktion", "redacción", "rédaction", "admin",
    "administrator", "webmaster",
}
_CALENDAR_WORDS = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
    "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "updated", "published", "posted",
    # page furniture that follows a byline
    "leave", "comment", "comments", "share", "follow", "email", "print", "view", "read", "more",
    "twitter", "facebook", "linkedin", "biography", "bio", "profile", "subscribe",
}
_PARTICLES = {"de", "da", "di", "del", "della", "van", "von", "der", "den", "la", "le", "du",
              "bin", "ibn", "al", "el", "dos", "das", "y", "e", "ter", "mac"}


def _person_name(part: str, site_name: str | None = None) -> str | None:
    """A person's name from one byline part, or None ("India Post News Weekly", "admin")."""
    part = re.sub(r"@\w+", " ", part)  # social handles
    part = re.sub(r"^.*?\b(?:by|von|di|de|par|por)\s+(?=[A-ZÀ-Ý])", "", part.strip(),
                  flags=re.IGNORECASE) if re.search(r"\bby\s", part, re.IGNORECASE) else part
    part = _BY.sub("", part)
    tokens = part.replace("\u00a0", " ").split()
    kept: list[str] = []
    for token in tokens:
        bare = token.strip(".,:;|()[]").lower()
        if bare in _ORG_MARKERS:
            return None  # "European Space Agency", "India Post News Weekly": an organisation
        if bare in _CALENDAR_WORDS or bare in _ORG_WORDS or any(c.isdigit() for c in token):
            break  # the name ends where a role, an outlet or a date begins
        kept.append(token.strip(",:;|()[]"))
    kept = _drop_site_tail(" ".join(kept), site_name).split()
    if not 2 <= len(kept) <= 5 or kept[0].lower() == "the":
        return None
    name = " ".join(kept)
    if name.isupper():
        name = name.title()
    for token in name.split():
        if token.lower() in _PARTICLES:
            continue
        if not (token[:1].isupper() and (token[1:].islower() or token[1:] in {"", "."}
                                         or "-" in token or "'" in token or "’" in token
                                         or re.fullmatch(r"(?:Mc|Mac|O'|D')\w+", token)
                                         or re.fullmatch(r"[A-Z]\.(?:[A-Z]\.)*", token))):
            return None
    return name


def _drop_site_tail(part: str, site_name: str | None) -> str:
    """ "Elliot Brownstein Florida Today" on floridatoday.com → "Elliot Brownstein"."""
    if not site_name:
        return part
    site_flat = re.sub(r"\W+", "", site_name.casefold().rsplit(".", 1)[0]
                       if "." in site_name and " " not in site_name else site_name.casefold())
    tokens = part.split()
    for k in (3, 2, 1):
        if len(tokens) > k + 1:
            tail = re.sub(r"\W+", "", "".join(tokens[-k:]).casefold())
            if len(tail) > 3 and tail in site_flat:
                return " ".join(tokens[:-k])
    return part


def clean_author(value: str | None, site_name: str | None = None) -> str | None:
    """People named in a byline, joined with ", "; None when no part is a person's name."""
    if not value:
        return None
    value = html_lib.unescape(value)
    names: list[str] = []
    for part in _AUTHOR_SPLIT.split(value):
        if not part or "://" in part or part.strip().startswith("www."):
            continue
        part = re.sub(r"\S+@\S+", "", part)
        if site_name and len(site_name) > 3:
            part = re.sub(re.escape(site_name), " ", part, flags=re.IGNORECASE)
        name = _person_name(" ".join(part.split()), site_name)
        if not name or (site_name and name.lower() == site_name.lower()):
            continue
        if name not in names:
            names.append(name)
    return ", ".join(names[:5]) or None


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.casefold()))


def _similar(a: str, b: str) -> bool:
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return False
    return len(wa & wb) / min(len(wa), len(wb)) >= 0.6


def _site_like(piece: str, site_name: str | None, host: str | None) -> bool:
    flat = re.sub(r"\W+", "", piece.casefold())
    if not flat:
        return False
    for other in (site_name, host):
        other_flat = re.sub(r"\W+", "", (other or "").casefold())
        if other_flat and (other_flat in flat or flat in other_flat):
            return True
    return False


def clean_title(title: str | None, site_name: str | None, h1: str | list[str] | None,
                host: str | None = None) -> str | None:
    """The headline: the page's visible ``<h1>`` when it matches the declared title, else
    the declared title without a " | Site" part."""
    title = _text(html_lib.unescape(title)) if title else None
    h1s = [h1] if isinstance(h1, str) else list(h1 or [])
    h1s = [h for h in (_text(html_lib.unescape(x)) for x in h1s) if h]
    headline_h1s = [h for h in h1s if len(h) > 3 and not _site_like(h, site_name, host)]
    if not title:
        return headline_h1s[0] if headline_h1s else None
    for candidate in headline_h1s:
        if _similar(candidate, title):
            return candidate
    if len(h1s) == 1 and len(headline_h1s) == 1 and len(headline_h1s[0].split()) >= 4:
        return headline_h1s[0]  # one visible headline: what readers see as the title
    pieces = _TITLE_SEPARATORS.split(title)
    if len(pieces) > 1:
        if _site_like(pieces[-1], site_name, host):
            return title[: title.rfind(pieces[-1])].rstrip(" |-–—:·•»/")
        if _site_like(pieces[0], site_name, host):
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


# compiled XPath runs in C; ElementPath predicates in iterfind run in Python and are slow
_BYLINE_XPATH = lxml.etree.XPath('//body//*[@rel="author" or @itemprop="author"]')
_BYLINE_CANDIDATES = lxml.etree.XPath(
    "//body//*[self::span or self::div or self::p or self::a or self::address]"
    "[contains(@class, 'yline') or contains(@class, 'uthor') or contains(@class, 'riter') "
    "or contains(@class, 'utore') or contains(@class, 'uteur') or contains(@class, 'utor')]")
_BYLINE_CLASS = re.compile(r"\b(?:byline|author-name|author__name|article-author|byline__name|"
                           r"author|writer|autore|autor|auteur)\b", re.IGNORECASE)


def _byline(tree: HtmlElement, site_name: str | None) -> str | None:
    for el in _BYLINE_XPATH(tree):
        if el.get("itemprop") == "author":
            named = el.find('.//*[@itemprop="name"]')
            el = named if named is not None else el
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
    return _text_byline(tree, site_name)


_TEXT_BYLINE = re.compile(
    r"(?:^|[|•·–—-])\s*(?:by|von|di|par|por|publicado\s+por|pubblicato\s+da|posted\s+by|"
    r"written\s+by|geschrieben\s+von|escrito\s+por|écrit\s+par|autor|author|auteur|autore"
    r"|автор)\s*:?\s+(?P<name>[A-ZÀ-ÝА-Я][\w'’.-]+(?:\s+[A-ZÀ-ÝА-Я][\w'’.-]+){1,3})")


def _text_byline(tree: HtmlElement, site_name: str | None) -> str | None:
    """ "By Jane Doe", "Von Moritz Bachmann", "Publicado por: Ana Lima" near the headline."""
    h1 = tree.find(".//body//h1")
    start = h1 if h1 is not None else tree.find(".//body")
    if start is None:
        return None
    chunks: list[str] = []
    size = 0
    for el in start.itersiblings() if h1 is not None else start.iterchildren():
        if not isinstance(el.tag, str) or el.tag in {"script", "style"}:
            continue
        text = " ".join(el.text_content().split())
        chunks.append(text)
        size += len(text)
        if size > 1500:
            break
    if h1 is not None and size < 200:  # the byline may sit beside the headline's container
        parent = h1.getparent()
        if parent is not None:
            chunks.append(" ".join(parent.text_content().split())[:1500])
    for chunk in chunks:
        m = _TEXT_BYLINE.search(chunk[:600])
        if m:
            return clean_author(m.group("name"), site_name)
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
    fallback: dict[str, Any] | None = None  # a typed object we do not know, with a headline
    publisher_name: str | None = None
    for obj in _json_ld_objects(tree):
        types = _types(obj)
        has_fields = obj.get("headline") or obj.get("articleBody") or obj.get("datePublished")
        better = article is None or ("webpage" in _types(article) and "webpage" not in types)
        if types & ARTICLE_TYPES and has_fields and better:
            article = obj
        elif fallback is None and obj.get("headline") and (obj.get("author")
                                                          or obj.get("datePublished")):
            fallback = obj
        if types & {"organization", "newsmediaorganization", "website"} and not publisher_name:
            publisher_name = _text(obj.get("name"))

    article = article or fallback
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

    h1s = [t for t in (_text(el.text_content()) for el in tree.iterfind(".//body//h1"))
           if t and len(t) < 300][:5]
    hostname = urlsplit(base).hostname if base else None
    host_label = hostname.removeprefix("www.").rsplit(".", 1)[0] if hostname else None
    title = None
    if article:
        title = _text(article.get("headline")) or _text(article.get("name"))
    title = title or _text(meta.get("og:title")) or _text(meta.get("twitter:title"))
    if not title:
        title_el = tree.find(".//title")
        title = _text(title_el.text_content()) if title_el is not None else None
    meta_out.title = clean_title(title, site, h1s, host_label)

    authors: list[str] = _names(article.get("author")) if article else []
    author = ", ".join(authors) if authors else None
    if not author:
        for key in _AUTHOR_META:
            value = meta.get(key)
            if value and "://" not in value:
                author = value
                break
    meta_out.byline = author
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
    day = url_day(url) or url_day(meta_out.canonical_url)
    if day is None and published is not None and published.utcoffset() == timedelta(0):
        # a UTC stamp says nothing about the site's own day: ask the page (htmldate, cheap mode)
        local = _htmldate(tree, url, extensive=False)
        day = local.date() if local is not None else None
    meta_out.published_at = align_with_day(published, day)

    image = _image(article.get("image")) if article else None
    image = (_text(meta.get("og:image")) or _text(meta.get("og:image:url"))
             or _text(meta.get("twitter:image")) or _text(meta.get("twitter:image:src")) or image)
    meta_out.image_url = _absolute(image, base) or _large_figure(tree, base)

    meta_out.description = _text(meta.get("og:description")) or _text(meta.get("description"))
    if article:
        body = article.get("articleBody")
        meta_out.article_body = body.strip() if isinstance(body, str) and body.strip() else None
    return meta_out


_URL_DATE = re.compile(r"/((?:19|20)\d\d)[/-]([01]?\d)[/-]([0-3]?\d)(?:/|-|$)")


def url_day(url: str | None) -> date | None:
    """The day a URL names (``/2019/11/18/``), if any."""
    m = _URL_DATE.search(url or "")
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def align_with_day(published: datetime | None, day: date | None) -> datetime | None:
    """Express ``published`` in an offset whose calendar day is ``day`` (one day apart at most).

    "2019-11-19T01:19Z" on a page that says 18 November is the evening of the 18th where the
    site is; the instant stays the same, only the offset changes (by as few hours as it takes).
    """
    if published is None or day is None:
        return published
    if published.date() == day or abs((published.date() - day).days) > 1:
        return published
    url_day = day
    utc = published.astimezone(UTC)
    for hours in range(0, 15):
        for sign in ((-1, 1) if url_day < published.date() else (1, -1)):
            zone = timezone(timedelta(hours=sign * hours))
            if utc.astimezone(zone).date() == url_day:
                return utc.astimezone(zone)
    return published


def _htmldate(tree: HtmlElement, url: str | None, *, extensive: bool = True
              ) -> datetime | None:
    try:
        from htmldate import find_date

        found = find_date(tree, url=url, extensive_search=False, original_date=True)
        if not found and extensive:
            found = find_date(tree, url=url, extensive_search=True, original_date=True)
    except Exception as exc:  # htmldate raises assorted errors on odd pages
        log.debug("htmldate failed: %s", exc)
        return None
    return parse_datetime(found) if found else None
