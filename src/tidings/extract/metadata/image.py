"""The lead image: OpenGraph/Twitter, then JSON-LD ``image``, then a large figure in the body."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin

from lxml.html import HtmlElement

from tidings.extract.metadata.signals import PageSignals, absolute, text_of


def _ld_image(value: Any) -> str | None:
    if isinstance(value, list):
        for item in value:
            found = _ld_image(item)
            if found:
                return found
        return None
    if isinstance(value, dict):
        return text_of(value.get("url") or value.get("contentUrl"))
    return text_of(value)


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
            return urljoin(base or "", str(src))
    return None


def resolve_image(page: PageSignals) -> str | None:
    """An absolute http(s) URL of the page's lead image, or None."""
    meta = page.meta
    image = _ld_image(page.article.get("image")) if page.article else None
    image = (text_of(meta.get("og:image")) or text_of(meta.get("og:image:url"))
             or text_of(meta.get("twitter:image")) or text_of(meta.get("twitter:image:src"))
             or image)
    return absolute(image, page.base) or _large_figure(page.tree, page.base)
