"""The author, from the most deliberate signal to the least.

Order of trust: JSON-LD ``author`` of the article (strings, Person objects, arrays, and
``@id`` references resolved through the page's ``@graph``) → author meta tags (``author``,
``article:author``, Dublin Core ``dc.creator``, …) → the "Written by" pair some CMSs put in
``twitter:label1``/``twitter:data1`` → author markup in the page (``rel="author"``,
``itemprop="author"``, vCard, byline classes) → a byline in the visible text ("By …",
"Von …", "Par …", "Di …", "Автор: …"). Each is cleaned by ``names.clean_author``: an author
is a person (or several), not the site, a section, an agency desk or "admin"; when a source
gives no person the next one is asked. A declared author must be shown on the page (as is, or
respaced for a login name): names only the markup carries are templates' defaults.
"""

from __future__ import annotations

import re
from typing import Any

from tidings.extract.metadata.byline import page_byline
from tidings.extract.metadata.names import clean_author
from tidings.extract.metadata.signals import PageSignals, text_of

_AUTHOR_META = ("author", "article:author", "og:article:author", "dc.creator", "byl",
                "sailthru.author", "parsely-author", "cxenseparse:author", "dcterms.creator",
                "dc:creator", "article:author_name", "shareaholic:article_author_name",
                "author_name")
_WRITTEN_BY = re.compile(r"^(?:written\s+by|verfasst\s+von|geschrieben\s+von|autor(?:in)?|"
                         r"author|écrit\s+par|auteur|escrito\s+por|scritto\s+da|autore|"
                         r"geschreven\s+door|napisane\s+przez|автор)\b", re.IGNORECASE)


def ld_names(value: Any, ids: dict[str, dict[str, Any]] | None = None) -> list[str]:
    """Author names from a JSON-LD ``author`` (a string, an object, a reference by ``@id``,
    or a list of these)."""
    out: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict) and "name" not in item and ids:
            ref = item.get("@id")
            item = ids.get(ref, item) if isinstance(ref, str) else item
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


def _declared_candidates(page: PageSignals) -> list[tuple[str, bool]]:
    """Every author value the page declares, most trusted first, each with whether its
    field names the article's author for sure (JSON-LD, "Written by") or only maybe (meta
    ``author`` often names the web agency or the site's owner)."""
    found: list[tuple[str, bool]] = []
    if page.article:
        authors = ld_names(page.article.get("author"), page.ld_ids)
        if authors:
            found.append(("; ".join(authors), True))
    for key in _AUTHOR_META:
        value = page.meta.get(key)
        if value and "://" not in value:
            found.append((value, False))
    for n in ("1", "2"):
        if _WRITTEN_BY.match(page.meta.get(f"twitter:label{n}", "")):
            value = page.meta.get(f"twitter:data{n}")
            if value:
                found.append((value, True))
    return found


def declared_byline(page: PageSignals) -> str | None:
    """The author as the page declares it, before cleaning ("Reuters", "AP Writer")."""
    candidates = _declared_candidates(page)
    return candidates[0][0].replace("; ", ", ") if candidates else None


def resolve_author(page: PageSignals) -> str | None:
    """People's names: from the declared author fields, else from the page's own byline."""
    for value, sure in _declared_candidates(page):
        name = clean_author(value, page.site_name, declared=sure)
        if not name:
            continue
        shown = _shown(name, page)
        if shown == "as is":
            return name
        if shown == "respaced":  # the login "arianschlichenmayer", shown as a real name
            visible = page_byline(page.tree, page.site_name)
            flat = _FLAT.sub("", name.casefold())
            return visible if visible and _FLAT.sub("", visible.casefold()) == flat else name
        # declared but never shown: a template's default (the site owner, the first editor,
        # a login name) rather than a byline readers see
    return page_byline(page.tree, page.site_name)


def _shown(name: str, page: PageSignals) -> str | None:
    """How the page's visible text names the first of these people: "as is", "respaced"
    (spacing and punctuation aside, for names long enough to tell), or None."""
    first = name.split(", ")[0].casefold()
    if re.search(rf"(?<!\w){re.escape(first)}(?!\w)", page.visible_text()):
        return "as is"
    flat = _FLAT.sub("", first)
    return "respaced" if len(flat) >= 8 and flat in page.flat_visible_text() else None


_FLAT = re.compile(r"[\W_]+")
