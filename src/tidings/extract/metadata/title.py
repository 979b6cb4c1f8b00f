"""The headline: declared title (JSON-LD, OpenGraph, ``<title>``) checked against the ``<h1>``."""

from __future__ import annotations

import html as html_lib
import re
from urllib.parse import urlsplit

from tidings.extract.metadata.signals import PageSignals, text_of

_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:·•»/]\s+")


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
    title = text_of(html_lib.unescape(title)) if title else None
    h1s = [h1] if isinstance(h1, str) else list(h1 or [])
    h1s = [h for h in (text_of(html_lib.unescape(x)) for x in h1s) if h]
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


def resolve_title(page: PageSignals) -> str | None:
    """JSON-LD headline, then OpenGraph/Twitter, then ``<title>``; cleaned by the ``<h1>``."""
    article, meta = page.article, page.meta
    title = None
    if article:
        title = text_of(article.get("headline")) or text_of(article.get("name"))
    title = title or text_of(meta.get("og:title")) or text_of(meta.get("twitter:title"))
    if not title:
        title_el = page.tree.find(".//title")
        title = text_of(title_el.text_content()) if title_el is not None else None
    hostname = urlsplit(page.base).hostname if page.base else None
    host_label = hostname.removeprefix("www.").rsplit(".", 1)[0] if hostname else None
    return clean_title(title, page.site_name, page.h1s, host_label)
