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
# class words that mark a byline ("byline", "header-info__author", "entry-author", "vcard")
_BYLINE_WORDS = {"byline", "author", "authors", "writer", "autore", "autor", "autorin",
                 "auteur", "verfasser", "fn", "vcard"}
_CLASS_SPLIT = re.compile(r"[\s_-]+")
# containers whose names are not the article's author: comments, related articles, footers
_ELSEWHERE = {"comment", "comments", "commentlist", "replies", "related", "sidebar", "footer",
              "site-footer", "widget-area"}
_ELSEWHERE_PREFIXES = ("comment-", "comments-", "comment_", "related-", "related_")
# a short block that starts with a byline cue: "Von Claudia Lindner", "Text von …", "Autor: …"
_CUE_START = re.compile(
    r"^\W{0,3}(?:(?:text|posted|written|eingestellt|gespeichert|geschrieben|verfasst|"
    r"écrit|publié|escrito|publicado|scritto|pubblicato)\s+)?(?:by|von|par|por|di|da|от)"
    r"\s*:?\s+|^\W{0,3}(?:autor(?:in|en)?|authors?|auteur|autore|verfasser(?:in)?|автор)"
    r"\s*:?\s+|^\W{0,3}(?:text|texte|redaktion)\s*:\s*", re.IGNORECASE)
_CUE_WORD = re.compile(
    r"^\W{0,3}(?:text|posted|written|eingestellt|gespeichert|geschrieben|verfasst|écrit|publié|"
    r"escrito|publicado|scritto|pubblicato|by|von|par|por|di|da|от|autor|author|auteur|"
    r"autore|verfasser|автор|texte|redaktion)", re.IGNORECASE)
_BLOCKS = lxml.etree.XPath(
    "//body//*[self::p or self::span or self::div or self::em or self::i or self::b "
    "or self::strong or self::small or self::address or self::li or self::dd or self::h4 "
    "or self::h5 or self::h6][not(ancestor::nav or ancestor::footer or ancestor::aside)]")
_AUTHOR_LINKS = lxml.etree.XPath(
    "//body//a[contains(@href, '/author/') or contains(@href, '/autor/') or "
    "contains(@href, '/authors/') or contains(@href, '/autoren/') or "
    "contains(@href, '/auteur/') or contains(@href, '/autore/')]"
    "[not(ancestor::nav or ancestor::footer or ancestor::aside)]")
_VISIBLE_NODES = lxml.etree.XPath(
    "//body//text()[normalize-space()][not(ancestor::script or ancestor::style "
    "or ancestor::noscript or ancestor::nav or ancestor::footer or ancestor::aside)]")
_LABEL = re.compile(r"^\s*(?:autor(?:in|en)?|authors?|von|by|verfasser(?:in)?|auteur|autore|"
                    r"автор|written\s+by)\s*:?\s*$", re.IGNORECASE)
_TEXT_BYLINE = re.compile(
    r"(?:^|[|•·–—-])\s*(?:by|von|di|par|por|publicado\s+por|pubblicato\s+da|posted\s+by|"
    r"written\s+by|geschrieben\s+von|escrito\s+por|écrit\s+par|autor|author|auteur|autore"
    r"|автор)\s*:?\s+(?P<name>[A-ZÀ-ÝА-Я][\w'’.-]+(?:\s+[A-ZÀ-ÝА-Я][\w'’.-]+){1,3})")


def _spaced_text(el: HtmlElement) -> str:
    """The element's text with its pieces kept apart: "By" and "<a>Jane Doe</a>" must not
    become "ByJane Doe"."""
    return " ".join(" ".join(el.itertext()).split())


def _elsewhere(el: HtmlElement) -> bool:
    """Inside comments, related articles or page furniture."""
    for anc in el.iterancestors():
        if anc.tag in {"body", "html"}:
            break
        marks = f"{anc.get('class') or ''} {anc.get('id') or ''}".lower().split()
        if any(m in _ELSEWHERE or m.startswith(_ELSEWHERE_PREFIXES) for m in marks):
            return True
    return False


def page_byline(tree: HtmlElement, site_name: str | None) -> str | None:
    """A person named by the page's markup or visible byline text, or None."""
    for el in _BYLINE_XPATH(tree):
        if _elsewhere(el):
            continue
        if el.get("itemprop") == "author":
            named = el.find('.//*[@itemprop="name"]')
            el = named if named is not None else el
        text = el.get("content") or _spaced_text(el)
        name = clean_author(text, site_name, declared=len(text.strip()) <= 40)
        if name:
            return name
    # the XPath filter runs in C; the class-word check only on the few candidates
    for el in _BYLINE_CANDIDATES(tree):
        words = set(_CLASS_SPLIT.split((el.get("class") or "").lower()))
        if words & _BYLINE_WORDS and len(el) < 8 and not _elsewhere(el):
            text = _spaced_text(el)
            # a bare vCard/author name ("gizzmo") is declared; longer text must read as a name
            sure = bool(words & {"fn", "author"}) and len(text.strip()) <= 40
            name = clean_author(text, site_name, declared=sure)
            if name:
                return name
    return (text_byline(tree, site_name) or _cue_block(tree, site_name)
            or _author_link(tree, site_name) or _labelled(tree, site_name))


def _author_link(tree: HtmlElement, site_name: str | None) -> str | None:
    """A person's name linking to their author page ("/author/jane-doe", "/autor/frank_g"),
    outside comments and page furniture."""
    for el in _AUTHOR_LINKS(tree):
        if _elsewhere(el):
            continue
        name = clean_author(_spaced_text(el), site_name)
        if name:
            return name
    return None


def _labelled(tree: HtmlElement, site_name: str | None) -> str | None:
    """The value after a label of its own ("<span>Autor:</span> Fritz Imhof",
    "<h5>Author:</h5>Jane Doe", "<b>Von:</b><br>Götz Warnke")."""
    nodes = _VISIBLE_NODES(tree)
    for i, node in enumerate(nodes[:-1]):
        if len(node) > 20 or not _LABEL.match(node):
            continue
        value = next((str(n) for n in nodes[i + 1:i + 3] if str(n).strip()), "")
        parent = node.getparent()
        if parent is not None and _elsewhere(parent):
            continue
        name = clean_author(" ".join(value.split()), site_name)
        if name:
            return name
    return None


def _cue_block(tree: HtmlElement, site_name: str | None) -> str | None:
    """A short block anywhere in the article that starts with a byline cue ("Von Claudia
    Lindner 27.1.2022", "Text von …", "Autor: …"), outside comments and page furniture."""
    for el in _BLOCKS(tree):
        # cheap test on the block's first words before joining its whole text
        lead = (el.text or "").strip()
        if not lead and len(el):
            lead = (el[0].text or "").strip()
        if not _CUE_WORD.match(lead):
            continue
        text = _spaced_text(el)[:120]  # a byline leads its block
        if not _CUE_START.match(text):
            continue
        if _elsewhere(el):
            continue
        name = clean_author(" ".join(text.split()), site_name)
        if name:
            return name
    return None


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
