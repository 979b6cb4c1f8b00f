"""One :class:`Entry` from the fields every format has: key, links, text, summary, image.

Every reader (RSS, Atom, JSON Feed, sitemaps, the feedparser fallback) ends in
:func:`make_entry`, so sanitizing (nh3, last), summaries and stable keys are done once.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import re
from collections.abc import Iterable
from datetime import datetime
from urllib.parse import urljoin

from tidings.models import Entry
from tidings.parse.sections import section_of
from tidings.sanitize import html_to_text, sanitize_html

SUMMARY_CHARS = 400
_IMG = re.compile(r"""<img\b[^>]*?\ssrc=["']([^"']+)["']""", re.I)


def plain(text: str) -> str:
    """A title or name as one line of plain text (markup and entities resolved)."""
    if "<" in text or "&" in text:
        return html_to_text(text)
    return " ".join(text.split())


def lang(value: str | None) -> str | None:
    """A language tag as stored: lower case, ``-`` separated, at most 16 characters."""
    if not value:
        return None
    value = value.strip().lower().replace("_", "-")
    return value[:16] or None


def summary_of(text: str) -> str | None:
    """At most SUMMARY_CHARS of plain text, cut at a word with an ellipsis."""
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


def make_entry(*, guid: str | None, link: str | None, title: str, author: str | None,
               published: datetime | None, updated: datetime | None, content_html: str,
               summary_html: str, base: str | None, image: str | None, language: str | None,
               categories: Iterable[str]) -> Entry:
    """The stored entry: links absolute, HTML sanitized, a title and summary always set."""
    if link:
        link = link.strip()
        if base and not link.startswith(("http://", "https://")):
            link = urljoin(base, link)
    body = content_html or summary_html
    clean = sanitize_html(body, base)
    text = html_to_text(clean)
    if summary_html and content_html:
        # plain text: no markup survives; text without markup needs only summary_of's spacing
        summary = summary_of(html_to_text(summary_html) if "<" in summary_html
                             or "&" in summary_html else summary_html)
    else:
        summary = summary_of(text)
    title = plain(title)
    if not title:
        title = summary_of(text[:120]) or (link or "(untitled)")
    if image:
        if base and not image.startswith(("http://", "https://")):
            image = urljoin(base, image)
    else:
        found = _IMG.search(clean) if "<img" in clean else None  # nh3 writes lowercase tags
        image = html_lib.unescape(found.group(1)) if found else None
    labels = [c.strip() for c in categories if c and c.strip()]
    return Entry(key=entry_key(guid, link, title, body), guid=guid.strip() if guid else None,
                 url=link or None, title=title, author=author or None, published_at=published,
                 updated_at=updated, summary=summary, content_html=clean or None,
                 content_text=text or None, image_url=image, language=language,
                 categories=labels, section=section_of(labels, link))
