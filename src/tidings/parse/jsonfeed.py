"""JSON Feed 1.0 and 1.1 documents to :class:`ParsedFeed`; anything else is a ParseError.

Every field is type-checked before use: a JSON document can put any type anywhere
(``"items": true`` was found by tests/fuzz).
"""

from __future__ import annotations

import html as html_lib
from typing import Any

import orjson

from tidings.errors import ParseError, one_line
from tidings.models import ParsedFeed
from tidings.parse.dates import parse_date
from tidings.parse.entries import lang, make_entry


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


def parse_json_feed(data: bytes, url: str | None = None) -> ParsedFeed:
    """A JSON Feed document fetched from ``url``; ParseError (one line) when it is none."""
    try:
        doc = orjson.loads(data.decode("utf-8-sig") if data.startswith(b"\xef\xbb\xbf") else data)
    except (orjson.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ParseError(f"not a feed: invalid JSON ({one_line(exc)})") from None
    if not isinstance(doc, dict) or not str(doc.get("version", "")).startswith(
            ("https://jsonfeed.org/version/", "http://jsonfeed.org/version/")):
        raise ParseError("not a feed: JSON without a JSON Feed version")
    version = str(doc["version"]).rstrip("/").rsplit("/", 1)[-1]
    site = doc.get("home_page_url") if isinstance(doc.get("home_page_url"), str) else None
    base = url or site
    feed_lang = lang(doc.get("language") if isinstance(doc.get("language"), str) else None)
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
        entries.append(make_entry(
            guid=str(guid) if guid not in (None, "") else None,
            link=_str(item.get("url")) or _str(item.get("external_url")) or None,
            title=_str(item.get("title")), author=_json_author(item) or feed_author,
            published=parse_date(_str(item.get("date_published"))),
            updated=parse_date(_str(item.get("date_modified"))),
            content_html=content, summary_html=summary, base=base,
            image=_str(item.get("image")) or _str(item.get("banner_image")) or None,
            language=lang(_str(item.get("language"))) or feed_lang,
            categories=_str_list(item.get("tags"))))
    return ParsedFeed(title=_str(doc.get("title")) or None, site_url=site, language=feed_lang,
                      entries=entries, ttl_seconds=None, format="json" + version.replace(".", ""),
                      hubs=_hubs(doc.get("hubs")), self_url=_str(doc.get("feed_url")) or None)


def _hubs(value: Any) -> list[str]:
    """JSON Feed ``hubs``: objects with a ``type`` and a ``url``; WebSub ones (or untyped)."""
    found: list[str] = []
    for hub in value if isinstance(value, list) else []:
        if not isinstance(hub, dict) or not _str(hub.get("url")):
            continue
        kind = _str(hub.get("type")).lower()
        if kind in ("", "websub", "pubsubhubbub") and _str(hub["url"]) not in found:
            found.append(_str(hub["url"]))
    return found
