"""Feed documents to :class:`ParsedFeed`: RSS 0.9x/1.0/2.0, Atom 0.3/1.0, JSON Feed 1.0/1.1.

The fast path is lxml over the raw bytes (it honours the declared encoding: windows-1251,
ISO-8859-x, UTF-16 with a BOM, ...) with entity expansion and network access switched off,
so a "billion laughs" document stays small. When the XML is too broken for lxml, even in
recovery mode, feedparser's lenient parser gets a try (it strips entity declarations
itself). Measured in docs/benchmarks.md: the lxml path is several times faster than
feedparser on ordinary feeds.

Each entry gets a stable key (GUID, else link, else a hash of title and content); relative
links are resolved against xml:base or the feed's address; entry HTML is sanitized with nh3
as the last step.
"""

from __future__ import annotations

import email.utils
import hashlib
import html as html_lib
import html.entities as html_entities
import re
import warnings
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import orjson
from lxml import etree

from tidings.errors import ParseError
from tidings.models import Entry, ParsedFeed
from tidings.sanitize import html_to_text, sanitize_html

NS_ATOM = "http://www.w3.org/2005/Atom"
NS_ATOM03 = "http://purl.org/atom/ns#"
NS_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
NS_RSS10 = "http://purl.org/rss/1.0/"
NS_RSS090 = "http://my.netscape.com/rdf/simple/0.9/"
NS_CONTENT = "http://purl.org/rss/1.0/modules/content/"
NS_DC = "http://purl.org/dc/elements/1.1/"
NS_SY = "http://purl.org/rss/1.0/modules/syndication/"
NS_MEDIA = "http://search.yahoo.com/mrss/"
NS_XHTML = "http://www.w3.org/1999/xhtml"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

SUMMARY_CHARS = 400
_SY_PERIODS = {"hourly": 3600, "daily": 86400, "weekly": 604800, "monthly": 2592000,
               "yearly": 31536000}
_IMG = re.compile(r"""<img\b[^>]*?\ssrc=["']([^"']+)["']""", re.I)
_IMAGE_EXT = re.compile(r"\.(?:jpe?g|png|gif|webp|avif)(?:$|\?)", re.I)


def _xml_parser(recover: bool) -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False, recover=recover, remove_comments=True,
                           remove_pis=True, strip_cdata=True)


_STRICT = _xml_parser(False)
_RECOVER = _xml_parser(True)


_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def _apply_charset(data: bytes, charset: str | None) -> bytes:
    """Honour an HTTP charset when the document itself declares no encoding (RFC 7303)."""
    if not charset or data.startswith(_BOMS):
        return data
    head = data[:256].lstrip()
    if head.startswith(b"<?xml") and b"encoding" in head.split(b"?>", 1)[0]:
        return data
    if charset.lower().replace("-", "") in ("utf8", "usascii", "ascii"):
        return data
    try:
        text = data.decode(charset)
    except (LookupError, UnicodeDecodeError):
        return data
    if text.startswith("<?xml"):
        text = text.split("?>", 1)[1] if "?>" in text else text
    return text.encode("utf-8")


def parse_feed(data: bytes, url: str | None = None, *, charset: str | None = None
               ) -> ParsedFeed:
    """Parse a feed document fetched from ``url``; ParseError (one line) when it is none.

    ``charset`` is the one the HTTP Content-Type named; the document's own declaration wins.
    """
    data = _apply_charset(data, charset)
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith((b"{", b"[")):
        return parse_json_feed(data, url)
    root, well_formed = _xml_root(data, url)
    feed: ParsedFeed | None = None
    if root is not None:
        kind = _root_kind(root)
        if kind == "html":
            raise ParseError("not a feed: the address gives an HTML page")
        if kind is None:  # news sitemaps read as feeds, with this module's parser
            from tidings.parse.sitemap import parse_sitemap
            sitemap = parse_sitemap(root, url)
            if sitemap is not None:
                return sitemap
        if kind is not None:
            feed = _PARSERS[kind](root, url)
            if well_formed and (feed.entries or feed.title):
                return feed
    # broken XML: lxml's recovery may have nested items inside an unclosed tag, so let
    # feedparser's lenient parser try too and keep whichever found more entries
    try:
        lenient = _feedparser_fallback(data, url)
    except (UnicodeError, ValueError, TypeError) as exc:  # feedparser's own bugs (tests/fuzz)
        if feed is not None and (feed.entries or feed.title):
            return feed
        raise ParseError(f"not a feed: {type(exc).__name__}") from None
    except ParseError:
        if feed is not None and (feed.entries or feed.title):
            return feed
        raise
    if feed is not None and len(feed.entries) >= len(lenient.entries) and feed.title:
        return feed
    return lenient


_HTML_ENTITY = re.compile(rb"&([A-Za-z][A-Za-z0-9]{1,31});")
_XML_ENTITIES = {b"amp", b"lt", b"gt", b"quot", b"apos"}


def _html_entities_to_numeric(data: bytes) -> bytes:
    """``&nbsp;`` and friends (undeclared in XML, common in feeds) as numeric references."""

    def repl(match: re.Match[bytes]) -> bytes:
        name = match.group(1)
        if name in _XML_ENTITIES:
            return match.group(0)
        code = html_entities.name2codepoint.get(name.decode("ascii"))
        return b"&#%d;" % code if code is not None else match.group(0)

    return _HTML_ENTITY.sub(repl, data)


def _xml_root(data: bytes, url: str | None) -> tuple[etree._Element | None, bool]:
    """The document's root element, and whether it was well-formed."""
    for parser, well_formed in ((_STRICT, True), (_RECOVER, False)):
        try:
            root = etree.fromstring(data, parser, base_url=url)
        except etree.XMLSyntaxError as exc:
            if well_formed and "not defined" in str(exc) and not data.startswith(_BOMS[1:]):
                # HTML entity names in an XML feed: spell them as numbers and try again
                fixed = _html_entities_to_numeric(data)
                if fixed != data:
                    return _xml_root(fixed, url)
            if "Excessive depth" in str(exc):
                # hostile nesting: the lenient fallback would spend seconds per megabyte on it
                # (found by tests/security/test_bombs.py)
                raise ParseError("not a feed: elements nested too deeply") from None
            continue
        except ValueError:  # e.g. an encoding lxml does not know
            return None, False
        if root is not None:
            return root, well_formed
    return None, False


def _root_kind(root: etree._Element) -> str | None:
    tag = root.tag if isinstance(root.tag, str) else ""
    try:
        local = etree.QName(root).localname.lower() if tag else ""
        ns = etree.QName(root).namespace if tag else None
    except ValueError:  # a recovered tag such as ":" (found by tests/fuzz)
        return None
    if local == "rss":
        return "rss"
    if local == "rdf" and ns == NS_RDF:
        return "rdf"
    if local == "feed" and ns in (NS_ATOM, NS_ATOM03, None):
        return "atom"
    if local in ("html", "body", "head"):
        return "html"
    return None


# ---------------------------------------------------------------- helpers


def _text(el: etree._Element | None) -> str:
    """Text of an element; child elements (HTML left unescaped in a feed) are serialized."""
    if el is None:
        return ""
    try:
        if len(el) == 0:
            return (el.text or "").strip()
        parts = [el.text or ""]
        for child in el:
            if isinstance(child.tag, str):
                parts.append(etree.tostring(child, encoding="unicode", with_tail=True))
            else:
                parts.append(child.tail or "")
    except UnicodeError:  # a recovered surrogate reference such as &#xD800; (tests/fuzz)
        return ""
    return "".join(parts).strip()


def _plain(text: str) -> str:
    if "<" in text or "&" in text:
        return html_to_text(text)
    return " ".join(text.split())


def parse_date(text: str | None) -> datetime | None:
    """RFC 822, ISO 8601, and the odd spellings feedparser knows; naive times are UTC."""
    if not text:
        return None
    text = text.strip()
    when: datetime | None = None
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        try:
            when = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            from feedparser.datetimes import _parse_date

            parsed = _parse_date(text)
            if parsed is not None:
                when = _from_struct(parsed)
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    when = when.astimezone(UTC)
    return when if when.year >= 1970 else None


def _from_struct(st: Any) -> datetime:
    """A UTC datetime from a time.struct_time (what feedparser hands out)."""
    return datetime(st[0], st[1], st[2], st[3], st[4], st[5], tzinfo=UTC)


def _summary(text: str) -> str | None:
    text = " ".join(text.split())
    if not text:
        return None
    if len(text) <= SUMMARY_CHARS:
        return text
    cut = text.rfind(" ", 0, SUMMARY_CHARS)
    return text[: cut if cut > SUMMARY_CHARS // 2 else SUMMARY_CHARS].rstrip(" ,;:") + "…"


def entry_key(guid: str | None, link: str | None, title: str, content: str) -> str:
    """GUID, else link, else a hash of title and content: stable across refetches."""
    if guid and guid.strip():
        return guid.strip()[:1000]
    if link:
        return link[:1000]
    digest = hashlib.sha256(f"{title}\x00{content}".encode()).hexdigest()
    return f"sha256:{digest}"


def _lang(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip().lower().replace("_", "-")
    return value[:16] or None


def _make_entry(*, guid: str | None, link: str | None, title: str, author: str | None,
                published: datetime | None, updated: datetime | None, content_html: str,
                summary_html: str, base: str | None, image: str | None, language: str | None,
                categories: Iterable[str]) -> Entry:
    if link:
        link = link.strip()
        if base and not link.startswith(("http://", "https://")):
            link = urljoin(base, link)
    body = content_html or summary_html
    clean = sanitize_html(body, base)
    text = html_to_text(clean)
    if summary_html and content_html:
        summary = _summary(html_to_text(summary_html))  # plain text: no markup survives
    else:
        summary = _summary(text)
    title = _plain(title)
    if not title:
        title = _summary(text[:120]) or (link or "(untitled)")
    if image:
        if base and not image.startswith(("http://", "https://")):
            image = urljoin(base, image)
    else:
        found = _IMG.search(clean) if "<img" in clean else None  # nh3 writes lowercase tags
        image = html_lib.unescape(found.group(1)) if found else None
    return Entry(key=entry_key(guid, link, title, body), guid=guid.strip() if guid else None,
                 url=link or None, title=title, author=author or None, published_at=published,
                 updated_at=updated, summary=summary, content_html=clean or None,
                 content_text=text or None, image_url=image, language=language,
                 categories=[c.strip() for c in categories if c and c.strip()])


def _children(el: etree._Element) -> dict[Any, Any]:
    """First child per tag, plus lists for repeatable ones, in one pass."""
    found: dict[Any, Any] = {}
    for child in el:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        if tag in found:
            found.setdefault((tag, "all"), [found[tag]]).append(child)
        else:
            found[tag] = child
    return found


def _all(found: dict[Any, Any], tag: str) -> list[etree._Element]:
    many = found.get((tag, "all"))
    if many is not None:
        return list(many)
    one = found.get(tag)
    return [one] if one is not None else []


def _media_image(found: dict[Any, Any]) -> str | None:
    for el in _all(found, "enclosure"):
        kind = (el.get("type") or "").lower()
        href = el.get("url")
        if href and (kind.startswith("image/") or (not kind and _IMAGE_EXT.search(href))):
            return href
    for tag in (f"{{{NS_MEDIA}}}content", f"{{{NS_MEDIA}}}thumbnail"):
        for el in _all(found, tag):
            href = el.get("url")
            kind = (el.get("type") or el.get("medium") or "image").lower()
            if href and (kind.startswith("image") or _IMAGE_EXT.search(href)):
                return href
    group = found.get(f"{{{NS_MEDIA}}}group")
    if group is not None:
        return _media_image(_children(group))
    return None


def _ttl(found: dict[Any, Any]) -> int | None:
    ttl = _text(found.get("ttl"))
    if ttl.isdigit() and int(ttl) > 0:
        return int(ttl) * 60
    period = _text(found.get(f"{{{NS_SY}}}updatePeriod")).lower()
    if period in _SY_PERIODS:
        freq = _text(found.get(f"{{{NS_SY}}}updateFrequency"))
        divisor = int(freq) if freq.isdigit() and int(freq) > 0 else 1
        return max(60, _SY_PERIODS[period] // divisor)
    return None


# ---------------------------------------------------------------- RSS 0.9x / 2.0 / 1.0


def _rss_item(item: etree._Element, ns: str, base: str | None, lang: str | None) -> Entry:
    f = _children(item)
    guid_el = f.get(f"{ns}guid")
    guid = _text(guid_el) or item.get(f"{{{NS_RDF}}}about") or None
    link = _text(f.get(f"{ns}link")) or None
    if not link and guid_el is not None and guid_el.get("isPermaLink", "true") != "false" \
            and guid and guid.startswith(("http://", "https://")):
        link = guid
    content = _text(f.get(f"{{{NS_CONTENT}}}encoded"))
    description = _text(f.get(f"{ns}description"))
    author = _text(f.get(f"{{{NS_DC}}}creator")) or _text(f.get(f"{ns}author"))
    published = parse_date(_text(f.get(f"{ns}pubDate")) or _text(f.get(f"{{{NS_DC}}}date")))
    categories = [_text(c) for c in _all(f, f"{ns}category") + _all(f, f"{{{NS_DC}}}subject")]
    return _make_entry(guid=guid, link=link, title=_text(f.get(f"{ns}title")), author=author,
                       published=published, updated=None, content_html=content,
                       summary_html=description, base=base, image=_media_image(f),
                       language=_lang(item.get(XML_LANG)) or lang, categories=categories)


def _parse_rss(root: etree._Element, url: str | None) -> ParsedFeed:
    channel = root.find("channel")
    if channel is None:
        channel = root
    f = _children(channel)
    site = _text(f.get("link")) or None
    lang = _lang(_text(f.get("language")) or _text(f.get(f"{{{NS_DC}}}language")))
    items = _all(f, "item") or channel.findall(".//item") or root.findall("item")
    base = url or site
    entries = [_rss_item(item, "", base, lang) for item in items]
    version = root.get("version", "2.0").strip()
    fmt = "rss20" if version.startswith("2") else "rss" + version.replace(".", "")
    return ParsedFeed(title=_plain(_text(f.get("title"))) or None,
                      site_url=urljoin(url, site) if url and site else site, language=lang,
                      entries=entries, ttl_seconds=_ttl(f), format=fmt)


def _parse_rdf(root: etree._Element, url: str | None) -> ParsedFeed:
    ns_uri = NS_RSS10 if root.find(f"{{{NS_RSS10}}}channel") is not None \
        or root.find(f"{{{NS_RSS10}}}item") is not None else NS_RSS090
    ns = f"{{{ns_uri}}}"
    channel = root.find(f"{ns}channel")
    f = _children(channel) if channel is not None else {}
    site = _text(f.get(f"{ns}link")) or None
    lang = _lang(_text(f.get(f"{{{NS_DC}}}language")))
    base = url or site
    entries = [_rss_item(item, ns, base, lang) for item in root.iter(f"{ns}item")]
    return ParsedFeed(title=_plain(_text(f.get(f"{ns}title"))) or None, site_url=site,
                      language=lang, entries=entries, ttl_seconds=_ttl(f),
                      format="rss10" if ns_uri == NS_RSS10 else "rss090")


# ---------------------------------------------------------------- Atom 1.0 / 0.3


def _atom_content(el: etree._Element | None, atom03: bool) -> str:
    if el is None:
        return ""
    kind = (el.get("type") or "text").lower()
    mode = (el.get("mode") or "").lower()
    if atom03 and mode == "base64":
        return ""
    if kind in ("xhtml", "application/xhtml+xml") or (atom03 and mode == "xml"):
        div = el.find(f"{{{NS_XHTML}}}div")
        target = div if div is not None else el
        parts = [target.text or ""]
        for child in target:
            parts.append(etree.tostring(child, encoding="unicode", with_tail=True))
        markup = "".join(parts)
        # drop the XHTML namespace declarations lxml writes on serialized children
        return re.sub(r'\sxmlns(?::\w+)?="[^"]*"', "", markup).strip()
    text = _text(el)
    if kind in ("html", "text/html") or (atom03 and mode == "escaped"):
        return text
    return "<p>" + html_lib.escape(text).replace("\n\n", "</p><p>") + "</p>" if text else ""


def _atom_link(found: dict[Any, Any], ns: str, base: str | None) -> tuple[str | None, str | None]:
    link = None
    image = None
    for el in _all(found, f"{ns}link"):
        rel = (el.get("rel") or "alternate").lower()
        href = el.get("href")
        if not href:
            continue
        if rel == "alternate" and link is None:
            link = urljoin(el.base or base or "", href) if (el.base or base) else href
        elif rel == "enclosure" and (el.get("type") or "").startswith("image/") and not image:
            image = urljoin(el.base or base or "", href) if (el.base or base) else href
    return link, image


def _atom_author(found: dict[Any, Any], ns: str) -> str | None:
    names = [_text(a.find(f"{ns}name")) for a in _all(found, f"{ns}author")]
    names = [n for n in names if n]
    return ", ".join(names) if names else None


def _parse_atom(root: etree._Element, url: str | None) -> ParsedFeed:
    ns_uri = etree.QName(root).namespace or ""
    atom03 = ns_uri == NS_ATOM03
    ns = f"{{{ns_uri}}}" if ns_uri else ""
    f = _children(root)
    feed_base = root.base or url
    site, _ = _atom_link(f, ns, feed_base)
    lang = _lang(root.get(XML_LANG))
    feed_author = _atom_author(f, ns)
    entries = []
    for entry in _all(f, f"{ns}entry"):
        e = _children(entry)
        base = entry.base or feed_base
        link, image = _atom_link(e, ns, base)
        content = _atom_content(e.get(f"{ns}content"), atom03)
        summary = _atom_content(e.get(f"{ns}summary"), atom03)
        published = parse_date(_text(e.get(f"{ns}published")) or _text(e.get(f"{ns}issued"))
                               or _text(e.get(f"{ns}created")))
        updated = parse_date(_text(e.get(f"{ns}updated")) or _text(e.get(f"{ns}modified")))
        title_el = e.get(f"{ns}title")
        title = _text(title_el)
        if title_el is not None and (title_el.get("type") or "").lower() in ("html", "xhtml"):
            title = html_to_text(title)
        categories = [c.get("term") or c.get("label") or _text(c)
                      for c in _all(e, f"{ns}category")]
        entries.append(_make_entry(
            guid=_text(e.get(f"{ns}id")) or None, link=link, title=title,
            author=_atom_author(e, ns) or feed_author, published=published or updated,
            updated=updated, content_html=content, summary_html=summary, base=base,
            image=image or _media_image(e), language=_lang(entry.get(XML_LANG)) or lang,
            categories=categories))
    return ParsedFeed(title=_plain(_text(f.get(f"{ns}title"))) or None, site_url=site,
                      language=lang, entries=entries, ttl_seconds=_ttl(f),
                      format="atom03" if atom03 else "atom10")


_PARSERS = {"rss": _parse_rss, "rdf": _parse_rdf, "atom": _parse_atom}


# ---------------------------------------------------------------- JSON Feed


def parse_json_feed(data: bytes, url: str | None = None) -> ParsedFeed:
    try:
        doc = orjson.loads(data.decode("utf-8-sig") if data.startswith(b"\xef\xbb\xbf") else data)
    except (orjson.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ParseError(f"not a feed: invalid JSON ({str(exc).splitlines()[0]})") from None
    if not isinstance(doc, dict) or not str(doc.get("version", "")).startswith(
            ("https://jsonfeed.org/version/", "http://jsonfeed.org/version/")):
        raise ParseError("not a feed: JSON without a JSON Feed version")
    version = str(doc["version"]).rstrip("/").rsplit("/", 1)[-1]
    site = doc.get("home_page_url") if isinstance(doc.get("home_page_url"), str) else None
    base = url or site
    lang = _lang(doc.get("language") if isinstance(doc.get("language"), str) else None)
    feed_author = _json_author(doc)
    entries = []
    items = doc.get("items")
    for item in items if isinstance(items, list) else []:  # "items": true (tests/fuzz)
        if not isinstance(item, dict):
            continue
        content = _str(item.get("content_html"))
        if not content and _str(item.get("content_text")):
            text = _str(item.get("content_text"))
            content = "<p>" + html_lib.escape(text).replace("\n\n", "</p><p>") + "</p>"
        summary = html_lib.escape(_str(item.get("summary")))
        guid = item.get("id")
        entries.append(_make_entry(
            guid=str(guid) if guid not in (None, "") else None,
            link=_str(item.get("url")) or _str(item.get("external_url")) or None,
            title=_str(item.get("title")), author=_json_author(item) or feed_author,
            published=parse_date(_str(item.get("date_published"))),
            updated=parse_date(_str(item.get("date_modified"))),
            content_html=content, summary_html=summary, base=base,
            image=_str(item.get("image")) or _str(item.get("banner_image")) or None,
            language=_lang(_str(item.get("language"))) or lang,
            categories=_str_list(item.get("tags"))))
    return ParsedFeed(title=_str(doc.get("title")) or None, site_url=site, language=lang,
                      entries=entries, ttl_seconds=None, format="json" + version.replace(".", ""))


def _str(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _str_list(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _json_author(obj: dict[str, Any]) -> str | None:
    authors = obj.get("authors")
    if not isinstance(authors, list):
        authors = [obj.get("author")] if isinstance(obj.get("author"), dict) else []
    names = [_str(a.get("name")) for a in authors if isinstance(a, dict)]
    names = [n for n in names if n]
    return ", ".join(names) if names else None


# ---------------------------------------------------------------- lenient fallback


def _feedparser_fallback(data: bytes, url: str | None) -> ParsedFeed:
    import feedparser

    with warnings.catch_warnings():  # feedparser warns about its own key aliases
        warnings.simplefilter("ignore", DeprecationWarning)
        parsed = feedparser.parse(data, response_headers={"content-location": url or ""},
                                  resolve_relative_uris=True, sanitize_html=False)
        return _from_feedparser(parsed, url)


def _from_feedparser(parsed: Any, url: str | None) -> ParsedFeed:
    if not parsed.get("version") and not parsed.entries:
        reason = parsed.get("bozo_exception")
        detail = str(reason).strip().splitlines()[0] if reason else "no feed elements found"
        raise ParseError(f"not a feed: {detail}")
    info = parsed.feed
    lang = _lang(info.get("language"))
    entries = []
    for item in parsed.entries:
        contents = item.get("content") or []
        content = contents[0].get("value", "") if contents else ""
        summary = item.get("summary", "")
        if summary == content:
            summary = ""
        stamp = item.get("published_parsed") or item.get("updated_parsed")
        updated = item.get("updated_parsed")
        image = None
        for media in (item.get("media_content") or []) + (item.get("media_thumbnail") or []):
            if media.get("url"):
                image = media["url"]
                break
        entries.append(_make_entry(
            guid=item.get("id"), link=item.get("link"), title=item.get("title", ""),
            author=item.get("author"),
            published=_from_struct(stamp) if stamp else None,
            updated=_from_struct(updated) if updated else None,
            content_html=content, summary_html=summary, base=url, image=image,
            language=lang, categories=[t.get("term", "") for t in item.get("tags") or []]))
    ttl = info.get("ttl")
    return ParsedFeed(title=info.get("title") or None, site_url=info.get("link") or None,
                      language=lang, entries=entries,
                      ttl_seconds=int(ttl) * 60 if isinstance(ttl, str) and ttl.isdigit()
                      else None, format=parsed.get("version") or "unknown")
