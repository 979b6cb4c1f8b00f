"""The representative headline of a story: the title most like the others, in the site's
language when the story has reports in it.

The first report is often a terse flash and a late one a follow-up angle; the headline whose
words the other headlines share most is the one that names the event. A story told in
several languages is headed in the site's locale (``TIDINGS_LOCALE``) when one of its reports
is in it, so a Russian site shows the Russian headline of a story most outlets tell in English.
"""

from __future__ import annotations

from collections.abc import Sequence

import regex

from tidings.cluster.features import stop_words
from tidings.textnorm import language_code

_WORD = regex.compile(r"[\p{L}\p{N}]+")


def story_headline(headlines: Sequence[tuple[str, str | None]], locale: str | None) -> str:
    """The representative title of ``(title, language)`` pairs, among those in ``locale``'s
    language when there are any (``"en-GB"`` and ``"en"`` are one language), else among all."""
    wanted = language_code(locale)
    local = [(t, lang) for t, lang in headlines if wanted and language_code(lang) == wanted]
    chosen = local or list(headlines)
    if not chosen:
        return ""
    return representative_title([t for t, _ in chosen], chosen[0][1])


def representative_title(titles: Sequence[str], language: str | None = None) -> str:
    """The title sharing the most words with the others (ties: the earliest)."""
    cleaned = [t.strip() for t in titles if t and t.strip()]
    if not cleaned:
        return ""
    if len(cleaned) <= 2:
        return cleaned[0]
    stops = stop_words(language)
    words = [{w for w in _WORD.findall(t.lower()) if w not in stops} for t in cleaned]
    best, best_score = 0, -1.0
    for i, mine in enumerate(words):
        if not mine:
            continue
        score = sum(len(mine & other) / len(mine | other)
                    for j, other in enumerate(words) if j != i and other)
        if score > best_score + 1e-12:
            best, best_score = i, score
    return cleaned[best]
