"""Reading a parsed feed tree: element text, children by tag, media images, refresh hints.

Shared by the RSS, Atom and sitemap readers so that each of them only knows its own tags.
"""

from __future__ import annotations

import html as html_lib
import re
from typing import Any
from urllib.parse import urljoin

from lxml import etree

from tidings.parse.safexml import NS_ATOM, NS_DC, NS_MEDIA, NS_SY

_SY_PERIODS = {"hourly": 3600, "daily": 86400, "weekly": 604800, "monthly": 2592000,
               "yearly": 31536000}
_IMAGE_EXT = re.compile(r"\.(?:jpe?g|png|gif|webp|avif)(?:$|\?)", re.I)

#: first child per tag, and under (tag, "all") every child when a tag repeats
Children = dict[Any, Any]


def text_of(el: etree._Element | None) -> str:
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


def children(el: etree._Element) -> Children:
    """First child per tag, plus lists for repeatable ones, in one pass."""
    found: Children = {}
    for child in el:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        if tag in found:
            found.setdefault((tag, "all"), [found[tag]]).append(child)
        else:
            found[tag] = child
    return found


def all_of(found: Children, tag: str) -> list[etree._Element]:
    """Every child with ``tag`` from a :func:`children` map, in document order."""
    many = found.get((tag, "all"))
    if many is not None:
        return list(many)
    one = found.get(tag)
    return [one] if one is not None else []


def media_image(found: Children) -> str | None:
    """An image enclosure, Media RSS content or thumbnail (also inside media:group)."""
    for el in all_of(found, "enclosure"):
        kind = (el.get("type") or "").lower()
        href = el.get("url")
        if href and (kind.startswith("image/") or (not kind and _IMAGE_EXT.search(href))):
            return str(href)
    for tag in (f"{{{NS_MEDIA}}}content", f"{{{NS_MEDIA}}}thumbnail"):
        for el in all_of(found, tag):
            href = el.get("url")
            kind = (el.get("type") or el.get("medium") or "image").lower()
            if href and (kind.startswith("image") or _IMAGE_EXT.search(href)):
                return str(href)
    group = found.get(f"{{{NS_MEDIA}}}group")
    if group is not None:
        return media_image(children(group))
    return None


def fallback_title(found: Children) -> str:
    """A title from dc:title, else Media RSS media:title (item, then media:group), as HTML.

    For items that carry no ``<title>`` of their own: RSS 1.0 feeds written with Dublin
    Core only, and video or podcast feeds that title the media rather than the item.
    """
    dc_title = text_of(found.get(f"{{{NS_DC}}}title"))
    if dc_title:
        return dc_title
    el = found.get(f"{{{NS_MEDIA}}}title")
    if el is None:
        group = found.get(f"{{{NS_MEDIA}}}group")
        el = group.find(f"{{{NS_MEDIA}}}title") if group is not None else None
    if el is None:
        return ""
    title = text_of(el)
    # media:title is plain text unless it says type="html"
    return title if (el.get("type") or "").lower() == "html" else html_lib.escape(title)


def ttl_seconds(found: Children, ns: str = "") -> int | None:
    """The publisher's refresh hint: RSS ``<ttl>`` minutes or ``sy:updatePeriod``."""
    ttl = text_of(found.get(f"{ns}ttl"))
    if ttl.isdigit() and int(ttl) > 0:
        return int(ttl) * 60
    period = text_of(found.get(f"{{{NS_SY}}}updatePeriod")).lower()
    if period in _SY_PERIODS:
        freq = text_of(found.get(f"{{{NS_SY}}}updateFrequency"))
        divisor = int(freq) if freq.isdigit() and int(freq) > 0 else 1
        return max(60, _SY_PERIODS[period] // divisor)
    return None


def websub_links(found: Children, base: str | None, ns: str = f"{{{NS_ATOM}}}"
                 ) -> tuple[list[str], str | None]:
    """The hubs (``<link rel="hub">``) and the self URL a feed's top level declares.

    Atom documents carry these as their own ``link`` elements, RSS channels as ``atom:link``
    (``ns``); relative references are resolved against ``base``.
    """
    hubs: list[str] = []
    self_url = None
    for el in all_of(found, f"{ns}link"):
        href = (el.get("href") or "").strip()
        if not href:
            continue
        href = urljoin(el.base or base or "", href) if (el.base or base) else href
        rels = (el.get("rel") or "").lower().split()
        if "hub" in rels and href not in hubs:
            hubs.append(href)
        if "self" in rels and self_url is None:
            self_url = href
    return hubs, self_url
