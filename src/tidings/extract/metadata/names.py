"""Is this byline a person? ``clean_author`` keeps people's names and drops the rest.

A byline often carries more than names: a role ("AP Auto Writer"), the outlet ("Florida
Today"), a date, page furniture ("Leave a comment"). A name ends where such words begin; a
part that names an organisation ("European Space Agency", "admin") is no author at all.
"""

from __future__ import annotations

import html as html_lib
import re

_BY = re.compile(r"^\s*(?:by|von|vom|di|de|par|por|от|автор)\s*:?\s+", re.IGNORECASE)
# a byline's lead-in: "Posted by", "Eingestellt von", "Text von", "Autor:", "Écrit par"
_CUE = re.compile(
    r"^\W*(?:(?:posted|written|reported|eingestellt|gespeichert|geschrieben|verfasst|text|"
    r"ein\s+beitrag|écrit|rédigé|publié|escrito|publicado|scritto|pubblicato)\s+)?"
    r"(?:by|von|vom|par|por|da|от)\s*:?\s+|^\W*(?:autor(?:in|en)?|authors?|auteur|autore|"
    r"verfasser(?:in)?|автор)\s*:?\s+|^\W*(?:text|texte|redaktion)\s*:\s*", re.IGNORECASE)
_AUTHOR_SPLIT = re.compile(
    r"\s*(?:;|\||,|\band\b|\bund\b|\be\b|\by\b|\bet\b|&)\s*")

_ORG_WORDS = {
    "media", "news", "newsroom", "agency", "press", "staff", "team", "desk", "editors",
    "editorial", "insider", "group", "inc", "ltd", "llc", "network", "magazine", "journal",
    "times", "post", "daily", "weekly", "blog", "service", "services", "online", "radio", "tv",
    "television", "channel", "associated", "wire", "redazione", "redaktion", "redacción",
    "rédaction", "admin", "administrator", "webmaster", "guest", "anonymous", "contributors",
    "correspondent", "reporter", "writer", "editor", "contributor", "columnist", "analysis",
    "opinion", "review", "photos", "video", "ap", "afp", "reuters", "dpa", "ansa", "efe",
}
# words that make a whole byline part an organisation rather than a person
_ORG_MARKERS = {
    "agency", "media", "group", "inc", "ltd", "llc", "network", "magazine", "journal", "weekly",
    "blog", "online", "radio", "television", "channel", "newsroom", "staff", "team", "desk",
    "editors", "editorial", "redazione", "redaktion", "redacción", "rédaction", "admin",
    "administrator", "webmaster", "gmbh", "mbh", "ag", "kg", "e.v.", "sa", "sarl", "srl",
    "ministerium", "bundesministerium", "departement", "department", "ministry", "stiftung",
    "verlag", "verband", "institut", "institute", "university", "universität", "copyright",
    "publisher", "sekretariat", "für", "for", "of", "pour",
}
# picture credits are not bylines: "Foto: Jane Doe" is none; "Jane Doe Illustration …" ends
_CREDIT_WORDS = {"foto", "fotos", "photo", "photos", "bild", "bilder", "bildrechte", "credit",
                 "credits", "фото", "zvg", "illustration", "illustrationen", "grafik",
                 "quelle", "source"}
_CALENDAR_WORDS = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
    "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "updated", "published", "posted",
    "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag", "januar",
    "februar", "märz", "mai", "juni", "juli", "oktober", "dezember", "lundi", "mardi",
    "mercredi", "jeudi", "vendredi", "samedi", "dimanche", "janvier", "février", "mars",
    "avril", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre",
    "lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo", "enero",
    "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
    "noviembre", "diciembre", "gennaio", "febbraio", "aprile", "maggio", "giugno", "luglio",
    "settembre", "ottobre", "dicembre", "heute", "gestern", "today", "yesterday",
    # page furniture that follows a byline
    "leave", "comment", "comments", "share", "follow", "email", "print", "view", "read", "more",
    "twitter", "facebook", "linkedin", "biography", "bio", "profile", "subscribe",
    # a date or a time follows: "von Jane Doe am 21. April", "by Jane Doe on May 3"
    "am", "um", "on", "at", "veröffentlicht", "aktualisiert", "publiziert", "erschienen",
    "publié", "pubblicato",
    "aggiornato", "publicado", "actualizado", "stand", "uhr", "tags", "tag", "kategorie",
    "kategorien", "category", "categories", "schlagwörter", "rubrik", "sagt", "says",
}
# what a CMS puts in the author field when there is no person
_NOBODY = {"unknown", "anonymous", "anonym", "no author", "none", "null", "guest", "gast",
           "administrator", "admin", "webmaster", "editor", "redaktion", "redazione",
           "rédaction", "redacción", "team", "staff", "author", "autor",
           # a byline's lead-in left alone ("By", "Beitrag von")
           "name", "by", "von", "vom", "par", "por", "di", "da", "de", "posted", "beitragvon"}
_NOBODY_PARTS = ("admin", "redakt", "editor", "webmaster", "redazion")
_PARTICLES = {"de", "da", "di", "del", "della", "van", "von", "der", "den", "la", "le", "du",
              "bin", "ibn", "al", "el", "dos", "das", "y", "e", "ter", "mac"}


def _person_name(part: str, site_name: str | None = None, *, declared: bool = False,
                 handles: bool = False) -> str | None:
    """A person's name from one byline part, or None ("India Post News Weekly", "admin").

    ``declared``: the part comes from a field meant for the author (JSON-LD ``author``, an
    author meta tag or link), so a single name or a handle ("Benni", "gizzmo") counts and
    the capitalisation is not checked; free text needs a capitalised name of 2-5 words.
    ``handles``: one-word names are allowed (no part of the value has several words).
    """
    tokens = _name_tokens(_strip_cues(part, declared))
    if tokens is None:
        return None
    kept = _drop_site_tail(" ".join(tokens), site_name).split()
    if declared and len(kept) == 1:
        return _handle(kept[0], site_name) if handles else None
    if not 2 <= len(kept) <= 5 or kept[0].lower() == "the":
        return None
    name = " ".join(kept)
    if name.isupper():
        name = name.title()
    if declared:
        # any case ("mobasir hassan", "Jessica DeFino"), but words, not figures or dashes
        ok = all(t[:1].isalpha() and not any(c.isdigit() for c in t) for t in name.split())
        return name if ok and name.casefold() not in _NOBODY else None
    capitalised = all(t.lower() in _PARTICLES or _capitalised(t) for t in name.split())
    return name if capitalised else None


def _strip_cues(part: str, declared: bool) -> str:
    """Drop handles, a leading "by …" phrase and byline cue words around the name."""
    part = re.sub(r"@\w+", " ", part) if not declared or " " in part.strip() else part
    part = re.sub(r"^.*?\b(?:by|von|di|de|par|por)\s+(?=[A-ZÀ-Ý])", "", part.strip(),
                  flags=re.IGNORECASE) if re.search(r"\bby\s", part, re.IGNORECASE) else part
    return _BY.sub("", _CUE.sub("", part))


def _name_tokens(part: str) -> list[str] | None:
    """The words of the name, up to where a role, an outlet or a date begins; None: not a person."""
    kept: list[str] = []
    for token in part.replace("\u00a0", " ").split():
        if token.startswith("(") and kept:
            break  # "Eberhard Fuhr (Pressesprecher des EJW)"
        bare = token.strip(".,:;|()[]").lower()
        if bare in _CREDIT_WORDS:
            if not kept:
                return None
            break
        if bare in _ORG_MARKERS:
            return None  # "European Space Agency", "India Post News Weekly": an organisation
        if bare in _CALENDAR_WORDS or bare in _ORG_WORDS or any(c.isdigit() for c in token):
            break
        kept.append(token.strip(",:;|()[]"))
    return kept


def _capitalised(token: str) -> bool:
    """Written as a name: "Anna", "McDonald", "O'Brien", "Jean-Luc", "J.", "J.R."."""
    return bool(token[:1].isupper() and (token[1:].islower() or token[1:] in {"", "."}
                                         or "-" in token or "'" in token or "’" in token
                                         or re.fullmatch(r"(?:Mc|Mac|O'|D')\w+", token)
                                         or re.fullmatch(r"[A-Z]\.(?:[A-Z]\.)*", token)))


def _handle(token: str, site_name: str | None) -> str | None:
    """A one-word author ("Benni", "ThE_PaiN"), unless it is a role, a placeholder or the
    site itself."""
    bare = token.strip(".,:;|()[]")
    flat = re.sub(r"\W+", "", bare.casefold())
    if len(flat) < 2 or not re.search(r"[^\W\d_]", bare) or bare.casefold() in _NOBODY:
        return None
    if any(word in flat for word in _NOBODY_PARTS):
        return None  # "jdadmin", "redakteur"
    if bare.casefold() in _ORG_WORDS or "." in bare.strip("."):
        return None  # "Redaktion", "news", "example.com"
    if site_name:
        site_flat = re.sub(r"\W+", "", site_name.casefold())
        if flat in site_flat or site_flat.startswith(flat) or (len(site_flat) > 3
                                                                and site_flat in flat):
            return None
    return bare


def _drop_site_tail(part: str, site_name: str | None) -> str:
    """ "Elliot Brownstein Florida Today" on floridatoday.com → "Elliot Brownstein"."""
    if not site_name:
        return part
    site_flat = re.sub(r"\W+", "", site_name.casefold().rsplit(".", 1)[0]
                       if "." in site_name and " " not in site_name else site_name.casefold())
    tokens = part.split()
    for k in (3, 2, 1):
        if len(tokens) > k + 1:
            tail = re.sub(r"\W+", "", "".join(tokens[-k:]).casefold())
            if len(tail) > 3 and tail in site_flat:
                return " ".join(tokens[:-k])
    return part


def clean_author(value: str | None, site_name: str | None = None, *, declared: bool = False
                 ) -> str | None:
    """People named in a byline, joined with ", "; None when no part is a person's name.

    ``declared``: the value comes from an author field (see ``_person_name``)."""
    if not value:
        return None
    value = html_lib.unescape(value)
    names: list[str] = []
    parts = _AUTHOR_SPLIT.split(value)
    # a one-word handle only when it is the whole value: in "Rachael Link, MS, RD" the
    # single words are credentials
    handles = declared and all(len(_BY.sub("", _CUE.sub("", p.strip())).split()) <= 1
                               for p in parts)
    for part in parts:
        if not part or "://" in part or part.strip().startswith("www."):
            continue
        part = re.sub(r"\S+@\S+", "", part)
        if site_name and len(site_name) > 3:
            part = re.sub(re.escape(site_name), " ", part, flags=re.IGNORECASE)
        name = _person_name(" ".join(part.split()), site_name, declared=declared,
                            handles=handles)
        if not name or (site_name and name.lower() == site_name.lower()):
            continue
        if name not in names:
            names.append(name)
    return ", ".join(names[:5]) or None
