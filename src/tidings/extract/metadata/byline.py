"""Bylines in the page itself: ``rel/itemprop="author"``, byline-classed elements, and
"By Jane Doe" / "Von …" / "Par …" text near the headline."""

from __future__ import annotations

import re

import lxml.etree
from lxml.html import HtmlElement

from tidings.extract.metadata.names import clean_author

# compiled XPath runs in C; ElementPath predicates in iterfind run in Python and are slow
_BYLINE_XPATH = lxml.etree.XPath('//body//*[@rel="author" or @itemprop="author"]')
_BYLINE_CANDIDATES = lxml.etree.XPath(
    "//body//*[self::span or self::div or self::p or self::a or self::address]"
    "[contains(@class, 'yline') or contains(@class, 'uthor') or contains(@class, 'riter') "
    "or contains(@class, 'utore') or contains(@class, 'uteur') or contains(@class, 'utor')]")
_BYLINE_CLASS = re.compile(r"\b(?:byline|author-name|author__name|article-author|byline__name|"
                           r"author|writer|autore|autor|auteur)\b", re.IGNORECASE)
_TEXT_BYLINE = re.compile(
    r"(?:^|[|•·–—-])\s*(?:by|von|di|par|por|publicado\s+por|pubblicato\s+da|posted\s+by|"
    r"written\s+by|geschrieben\s+von|escrito\s+por|écrit\s+par|autor|author|auteur|autore"
    r"|автор)\s*:?\s+(?P<name>[A-ZÀ-ÝА-Я][\w'’.-]+(?:\s+[A-ZÀ-ÝА-Я][\w'’.-]+){1,3})")


def page_byline(tree: HtmlElement, site_name: str | None) -> str | None:
    """A person named by the page's markup or visible byline text, or None."""
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
    return text_byline(tree, site_name)


def text_byline(tree: HtmlElement, site_name: str | None) -> str | None:
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
