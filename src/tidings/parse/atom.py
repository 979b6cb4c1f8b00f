"""Atom 1.0 and Atom 0.3 documents to :class:`ParsedFeed`.

Atom text constructs come as text, escaped HTML or inline XHTML (and, in 0.3, with a
``mode`` of xml, escaped or base64); xml:base on any ancestor sets the base for links.
"""

from __future__ import annotations

import base64
import binascii
import html as html_lib
import re
from urllib.parse import urljoin

from lxml import etree

from tidings.models import Entry, ParsedFeed
from tidings.parse.dates import parse_date
from tidings.parse.elements import (
    Children,
    all_of,
    children,
    fallback_title,
    media_image,
    text_of,
    ttl_seconds,
    websub_links,
)
from tidings.parse.entries import lang, make_entry, plain
from tidings.parse.safexml import NS_ATOM03, NS_XHTML, XML_LANG

_XMLNS_ATTR = re.compile(r'\sxmlns(?::\w+)?="[^"]*"')


def atom_content(el: etree._Element | None, atom03: bool) -> str:
    """An Atom text construct (content, summary) as HTML."""
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
        return _XMLNS_ATTR.sub("", markup).strip()
    text = text_of(el)
    if kind in ("html", "text/html") or (atom03 and mode == "escaped"):
        return text
    return "<p>" + html_lib.escape(text).replace("\n\n", "</p><p>") + "</p>" if text else ""


def _base64_text(el: etree._Element) -> str:
    try:
        return base64.b64decode(text_of(el), validate=False).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return ""


def atom_title(el: etree._Element | None, atom03: bool) -> str:
    """An Atom title as HTML, for :func:`~tidings.parse.entries.plain` to make plain text.

    html and xhtml titles keep their markup (tags are dropped later); text titles are
    escaped so that a literal ``<`` or ``&`` survives; Atom 0.3 base64 titles are decoded.
    """
    if el is None:
        return ""
    kind = (el.get("type") or "text").lower()
    is_markup = "html" in kind  # html, xhtml, text/html, application/xhtml+xml
    if atom03 and (el.get("mode") or "").lower() == "base64":
        decoded = _base64_text(el)
        return decoded if is_markup else html_lib.escape(decoded)
    text = text_of(el)  # inline (x)html children come back serialized
    if is_markup or len(el):
        return text
    return html_lib.escape(text) if ("<" in text or "&" in text) else text


def _atom_link(found: Children, ns: str, base: str | None) -> tuple[str | None, str | None]:
    link = None
    image = None
    for el in all_of(found, f"{ns}link"):
        rel = (el.get("rel") or "alternate").lower()
        href = el.get("href")
        if not href:
            continue
        if rel == "alternate" and link is None:
            link = urljoin(el.base or base or "", href) if (el.base or base) else href
        elif rel == "enclosure" and (el.get("type") or "").startswith("image/") and not image:
            image = urljoin(el.base or base or "", href) if (el.base or base) else href
    return link, image


def _atom_author(found: Children, ns: str) -> str | None:
    names = [text_of(a.find(f"{ns}name")) for a in all_of(found, f"{ns}author")]
    names = [n for n in names if n]
    return ", ".join(names) if names else None


def _atom_entry(entry: etree._Element, ns: str, atom03: bool, feed_base: str | None,
                feed_author: str | None, feed_lang: str | None) -> Entry:
    e = children(entry)
    base = entry.base or feed_base
    link, image = _atom_link(e, ns, base)
    content = atom_content(e.get(f"{ns}content"), atom03)
    summary = atom_content(e.get(f"{ns}summary"), atom03)
    published = parse_date(text_of(e.get(f"{ns}published")) or text_of(e.get(f"{ns}issued"))
                           or text_of(e.get(f"{ns}created")))
    updated = parse_date(text_of(e.get(f"{ns}updated")) or text_of(e.get(f"{ns}modified")))
    title = atom_title(e.get(f"{ns}title"), atom03) or fallback_title(e)
    categories = [c.get("term") or c.get("label") or text_of(c) for c in all_of(e, f"{ns}category")]
    return make_entry(
        guid=text_of(e.get(f"{ns}id")) or None, link=link, title=title,
        author=_atom_author(e, ns) or feed_author, published=published or updated,
        updated=updated, content_html=content, summary_html=summary, base=base,
        image=image or media_image(e), language=lang(entry.get(XML_LANG)) or feed_lang,
        categories=categories)


def parse_atom(root: etree._Element, url: str | None) -> ParsedFeed:
    """A ``<feed>`` document in the Atom 1.0 or 0.3 namespace (or none)."""
    ns_uri = etree.QName(root).namespace or ""
    atom03 = ns_uri == NS_ATOM03
    ns = f"{{{ns_uri}}}" if ns_uri else ""
    f = children(root)
    feed_base = root.base or url
    site, _ = _atom_link(f, ns, feed_base)
    feed_lang = lang(root.get(XML_LANG))
    feed_author = _atom_author(f, ns)
    entries = [_atom_entry(entry, ns, atom03, feed_base, feed_author, feed_lang)
               for entry in all_of(f, f"{ns}entry")]
    hubs, self_url = websub_links(f, feed_base, ns)
    return ParsedFeed(title=plain(text_of(f.get(f"{ns}title"))) or None, site_url=site,
                      language=feed_lang, entries=entries, ttl_seconds=ttl_seconds(f),
                      format="atom03" if atom03 else "atom10", hubs=hubs, self_url=self_url)
