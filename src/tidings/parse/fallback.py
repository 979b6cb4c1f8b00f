"""feedparser's lenient parser, for XML too broken for lxml even in recovery mode.

Slower than the lxml readers (docs/benchmarks.md), so it only runs when they found nothing
or the document was not well-formed. feedparser strips entity declarations itself.
"""

from __future__ import annotations

import warnings
from typing import Any

from tidings.errors import ParseError, one_line
from tidings.models import ParsedFeed
from tidings.parse.dates import from_struct
from tidings.parse.entries import lang, make_entry


def feedparser_fallback(data: bytes, url: str | None) -> ParsedFeed:
    """The document as feedparser reads it; ParseError when it finds no feed at all."""
    import feedparser  # only broken documents pay for the import

    with warnings.catch_warnings():  # feedparser warns about its own key aliases
        warnings.simplefilter("ignore", DeprecationWarning)
        parsed = feedparser.parse(data, response_headers={"content-location": url or ""},
                                  resolve_relative_uris=True, sanitize_html=False)
        return _from_feedparser(parsed, url)


def _from_feedparser(parsed: Any, url: str | None) -> ParsedFeed:
    if not parsed.get("version") and not parsed.entries:
        reason = parsed.get("bozo_exception")
        detail = one_line(reason) if reason else "no feed elements found"
        raise ParseError(f"not a feed: {detail}")
    info = parsed.feed
    feed_lang = lang(info.get("language"))
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
        entries.append(make_entry(
            guid=item.get("id"), link=item.get("link"), title=item.get("title", ""),
            author=item.get("author"),
            published=from_struct(stamp) if stamp else None,
            updated=from_struct(updated) if updated else None,
            content_html=content, summary_html=summary, base=url, image=image,
            language=feed_lang, categories=[t.get("term", "") for t in item.get("tags") or []]))
    links = [link for link in info.get("links") or [] if link.get("href")]
    hubs = list(dict.fromkeys(link["href"] for link in links if link.get("rel") == "hub"))
    self_url = next((link["href"] for link in links if link.get("rel") == "self"), None)
    ttl = info.get("ttl")
    return ParsedFeed(title=info.get("title") or None, site_url=info.get("link") or None,
                      language=feed_lang, entries=entries,
                      ttl_seconds=int(ttl) * 60 if isinstance(ttl, str) and ttl.isdigit()
                      else None, format=parsed.get("version") or "unknown", hubs=hubs,
                      self_url=self_url)
