"""The representative headline of a story: the title most like the others.

The first report is often a terse flash and a late one a follow-up angle; the headline whose
words the other headlines share most is the one that names the event.
"""

from __future__ import annotations

from collections.abc import Sequence

import regex

from tidings.cluster.features import stop_words

_WORD = regex.compile(r"[\p{L}\p{N}]+")


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
