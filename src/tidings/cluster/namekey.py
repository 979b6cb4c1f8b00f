"""One key for a name however it is written: "Norland", "Норланд", "Норланда" → ``norland``.

A word in Cyrillic loses its case ending first ("Норланда", "Норландом" → "норланд"; a short
list, since a stemmer also cuts foreign names: Snowball makes "Маррен" "марр"), a Greek word
goes through Snowball's Greek stemmer, then every word is transliterated to ASCII with
``anyascii`` (a maintained table of Unicode's scripts), lower-cased, and folded where
transliteration conventions differ: ``kh`` → ``h``, ``y`` → ``i``, ``w`` → ``v``,
``ph`` → ``f``, ``c``/``q`` → ``k``, doubled letters once, apostrophes dropped, and a final
vowel dropped ("Elna" and "Эльна" → ``eln``). The fold costs a few collisions (``Maria`` and
``Mario`` share a key); which thing a name means is settled by the topic's senses
(:mod:`tidings.cluster.topics`), not by the key.
"""

from __future__ import annotations

import functools
import re

import snowballstemmer
from anyascii import anyascii

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_GREEK = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]")
_FOLDS = (("kh", "h"), ("ph", "f"), ("ck", "k"), ("y", "i"), ("w", "v"), ("c", "k"),
          ("q", "k"), ("j", "i"))
_NOT_LETTER = re.compile(r"[^a-z0-9]+")
_DOUBLE = re.compile(r"([a-z])\1+")
_VOWELS = "aeiou"
#: Russian noun case endings, longest first (names decline: "в Гренхавне", "Банк Норланда")
_CASE_ENDINGS = ("ами", "ями", "ом", "ем", "ой", "ей", "ою", "ую", "а", "я", "у", "ю", "е",
                 "ы", "и")


@functools.cache
def _stemmer(language: str) -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer(language)


def _without_case_ending(word: str) -> str:
    for ending in _CASE_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


@functools.lru_cache(maxsize=100_000)
def word_key(word: str) -> str:
    """The key of one word of a name."""
    lower = word.lower()
    if _CYRILLIC.search(lower):
        lower = _without_case_ending(lower)
    elif _GREEK.search(lower):
        lower = str(_stemmer("greek").stemWord(lower))
    ascii_ = _NOT_LETTER.sub("", anyascii(lower).lower())
    for old, new in _FOLDS:
        ascii_ = ascii_.replace(old, new)
    ascii_ = _DOUBLE.sub(r"\1", ascii_)
    if len(ascii_) > 3 and ascii_[-1] in _VOWELS:
        ascii_ = ascii_[:-1]
    return ascii_


def name_key(words: list[str]) -> str:
    """The key of a name of one or more words (connectors such as "of" left out already)."""
    return " ".join(k for k in (word_key(w) for w in words) if k)


def slugify(text: str) -> str:
    """A URL slug of a display name, in ASCII: "Банк Норланда" → ``bank-norlanda``."""
    return _NOT_LETTER.sub("-", anyascii(text).lower()).strip("-")[:200] or "topic"
