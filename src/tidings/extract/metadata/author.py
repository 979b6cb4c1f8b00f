"""The author: JSON-LD ``author``, then author meta tags, then the page's own byline."""

from __future__ import annotations

from typing import Any

from tidings.extract.metadata.byline import page_byline
from tidings.extract.metadata.names import clean_author
from tidings.extract.metadata.signals import PageSignals, text_of

_AUTHOR_META = ("author", "article:author", "og:article:author", "dc.creator", "byl",
                "sailthru.author", "parsely-author", "cxenseparse:author", "dcterms.creator")


def ld_names(value: Any) -> list[str]:
    """Author names from a JSON-LD ``author`` (a string, an object, or a list of either)."""
    out: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str):
            name = text_of(item)
        elif isinstance(item, dict):
            name = text_of(item.get("name"))
            if not name and (item.get("givenName") or item.get("familyName")):
                name = text_of(f"{item.get('givenName', '')} {item.get('familyName', '')}")
        else:
            name = None
        if name:
            out.append(name)
    return out


def declared_byline(page: PageSignals) -> str | None:
    """The author as the page declares it, before cleaning ("Reuters", "AP Writer")."""
    authors = ld_names(page.article.get("author")) if page.article else []
    if authors:
        return ", ".join(authors)
    for key in _AUTHOR_META:
        value = page.meta.get(key)
        if value and "://" not in value:
            return value
    return None


def resolve_author(page: PageSignals, declared: str | None) -> str | None:
    """People's names: from the declared byline, else from the page's visible byline."""
    return clean_author(declared, page.site_name) or page_byline(page.tree, page.site_name)
