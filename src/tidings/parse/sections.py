"""Which section of the site an entry belongs to, from the outlet's own signals only.

The fixed set is :data:`SECTIONS`. An entry's own feed categories (``<category>``,
``dc:subject``, Atom ``category``, JSON Feed ``tags``) are read first, in order; then the
path of its URL (``/business/…``, ``/sport/2026/…``). A word that is not in the table below
says nothing, and an entry without any known word stays unsectioned: a section is never
guessed from the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

SECTIONS = ("world", "politics", "business", "technology", "science", "health", "sport",
            "culture")

#: the words outlets use (categories and URL path segments), lower case, several languages
_WORDS: dict[str, tuple[str, ...]] = {
    "world": ("world", "international", "foreign", "world news", "welt", "ausland", "monde",
              "international", "mundo", "internacional", "esteri", "mondo", "buitenland",
              "мир", "в мире", "международные новости"),
    "politics": ("politics", "political", "government", "elections", "politik", "politique",
                 "política", "politica", "politiek", "политика", "власть"),
    "business": ("business", "economy", "economics", "markets", "finance", "money",
                 "companies", "wirtschaft", "finanzen", "économie", "economie", "entreprises",
                 "economía", "negocios", "economia", "finanza", "экономика", "бизнес",
                 "финансы"),
    "technology": ("technology", "tech", "science & technology", "digital", "internet",
                   "gadgets", "technik", "digitales", "technologie", "high-tech",
                   "tecnología", "tecnologia", "технологии", "хайтек"),
    "science": ("science", "research", "space", "environment", "wissenschaft", "forschung",
                "sciences", "ciencia", "scienza", "wetenschap", "наука"),
    "health": ("health", "medicine", "gesundheit", "santé", "salud", "salute", "gezondheid",
               "здоровье", "медицина"),
    "sport": ("sport", "sports", "football", "soccer", "deportes", "sportif", "calcio",
              "fußball", "спорт", "футбол"),
    "culture": ("culture", "arts", "art", "books", "music", "film", "movies", "entertainment",
                "kultur", "feuilleton", "cultura", "spettacoli", "cultuur", "культура",
                "искусство"),
}
_SECTION_OF = {word: name for name, words in _WORDS.items() for word in words}
#: URL path segments are short; a segment only counts when it is one of these words
_PATH_WORDS = _SECTION_OF | {"biz": "business", "sci": "science", "tech": "technology"}


#: a plain http(s) link (no blanks, brackets, user or port), whose path needs no urlsplit
_PLAIN = re.compile(r"https?://[^/?#\s\[\]@:]*(/[^?#\s]*)?(?:[?#]\S*)?\Z")


def _path_of(url: str) -> str:
    """``urlsplit(url).path``, without urlsplit's cost for plain links (issue 15)."""
    plain = _PLAIN.match(url)
    return (plain.group(1) or "") if plain else urlsplit(url).path


def _word(text: str) -> str:
    return " ".join(text.strip().lower().replace("_", " ").split())


def section_of(categories: Iterable[str], url: str | None) -> str | None:
    """The section of an entry, or None when neither its categories nor its URL say."""
    for category in categories:
        found = _SECTION_OF.get(_word(category))
        if found:
            return found
    if url:
        segments = [s for s in _path_of(url).split("/") if s][:-1]  # not the slug
        for segment in segments[:3]:
            found = _PATH_WORDS.get(_word(segment.replace("-", " ")))
            if found:
                return found
    return None
