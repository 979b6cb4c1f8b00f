"""Language-blind normal forms of names, numbers and calendar words.

Reports of one event in different languages and scripts share little vocabulary, but they
name the same people and places ("Норланд" / "Norland"), quote the same figures ("13,000" /
"13.000" / "13 000", "4.25%" / "4,25 %") and the same days ("16 July" / "16 de julio" /
"16 juli"). Each function here maps those spellings to one form, without being told (or
guessing) the language of the text: a rule that looked at the language would join or split
documents by language, which is not a method. A leaf module (only anyascii, Babel and the
standard library), so clustering, topics and anything else that compares names across
languages can share it.
"""

from __future__ import annotations

import functools

import regex
from anyascii import anyascii
from babel import Locale

# Locales whose month and weekday names are recognised: the common languages of the news
# tidings reads. More locales mean more chance that an ordinary word is read as a month.
CALENDAR_LOCALES = ("en", "es", "it", "nl", "de", "fr", "pt", "ru", "uk", "pl", "el", "sv",
                    "da", "nb", "fi", "cs", "ro", "tr")

# A name's key is its consonant skeleton: transliteration conventions disagree mostly on
# vowels, on "h" ("Гренхавн" → "Grenkhavn" / "Grenhavn") and on y/j/w, and inflection mostly
# changes a final vowel ("Норланда", "Norland"). Too short a skeleton says little, so names
# under three consonants keep their letters, less a final vowel ("Elna", "Эльны" → "eln").
_SKELETON_DROP = regex.compile(r"[aeiouyhjw]")
_DOUBLED = regex.compile(r"(.)\1+")
_SKELETON_MIN = 3
_VOWELS = "aeiouy"
# thousands may be grouped by spaces (no-break, thin) or apostrophes (Swiss "1'000")
_GROUPS = regex.compile(r"[ \u00a0\u202f\u2009'’]")


@functools.lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """Lower-case Latin letters of any script ("Норланд" → "norland", "Zürich" → "zurich");
    apostrophes that transliteration leaves for soft signs are dropped ("El'na" → "elna")."""
    return anyascii(word.lower()).lower().replace("'", "")


@functools.lru_cache(maxsize=200_000)
def name_key(word: str) -> str:
    """One key for a name however it is written and inflected ("Норланда" ≡ "Norland" →
    "nrlnd", "Шторм" ≡ "Storm" → "strm", "Elna" ≡ "Эльны" → "eln")."""
    letters = "".join(c for c in fold(word) if c.isalnum())
    skeleton = str(_DOUBLED.sub(r"\1", _SKELETON_DROP.sub("", letters.replace("kh", "h"))))
    if len(skeleton) >= _SKELETON_MIN:
        return skeleton
    if len(letters) > _SKELETON_MIN and letters[-1] in _VOWELS:
        return letters[:-1]
    return letters


def canonical_number(token: str) -> str | None:
    """A number written in any national format, as one token, or None if it is not one.

    "13,000", "13.000", "13 000" and "13'000" → "13000"; "4.25" and "4,25" → "4.25";
    "7,465.95", "7.465,95" and "7 465,95" → "7465.95". With both separators, the last one is
    the decimal mark; with one kind used once, a group of exactly three digits after it means
    thousands ("1.500", "1,500") and anything else a decimal ("1,5", "2.25"); a leading "0"
    always means a decimal ("0,750"). Spaces and apostrophes group thousands only in threes
    after a 1–3 digit head ("2010 300" is two numbers: None).
    """
    head, *groups = _GROUPS.split(token)
    if groups:
        last, _, decimals = groups[-1].partition(groups[-1][3:4] or ".")
        if not 1 <= len(head) <= 3 or any(len(g) != 3 for g in groups[:-1]) or len(last) != 3 \
                or (decimals and groups[-1][3] not in ".,"):
            return None
    token = head + "".join(groups)
    if not token.replace(",", "").replace(".", "").isdecimal() or not token[0].isdecimal():
        return None
    whole, fraction = _split_decimal(token)
    whole = str(int(whole.replace(",", "").replace(".", "")))  # any script's digits, no zeros
    fraction = "".join(str(int(c)) for c in fraction).rstrip("0")
    return f"{whole}.{fraction}" if fraction else whole


def _split_decimal(token: str) -> tuple[str, str]:
    """(integer part, decimal digits) of a number with '.' and ',' in either role."""
    last = max(token.rfind("."), token.rfind(","))
    if last < 0:
        return token, ""
    mark = token[last]
    other = "," if mark == "." else "."
    if other in token:  # "7,465.95", "7.465,95": the last separator is the decimal mark
        return token[:last], token[last + 1:]
    if token.count(mark) > 1:  # "1.000.000", "1,000,000"
        return token, ""
    head, tail = token[:last], token[last + 1:]
    if len(tail) == 3 and head.lstrip("0"):
        return token, ""
    return head, tail


WEEKDAY = 13  # what calendar_word answers for a weekday's name


@functools.cache
def _calendar() -> dict[str, int]:
    """Lower-case and transliterated month names → 1–12, weekday names → WEEKDAY."""
    words: dict[str, int] = {}
    for code in CALENDAR_LOCALES:
        locale = Locale.parse(code)
        for context in ("format", "stand-alone"):
            for number, name in locale.months[context]["wide"].items():
                for form in (name.lower(), fold(name)):
                    words.setdefault(form, number)
            for name in locale.days[context]["wide"].values():
                for form in (name.lower(), fold(name)):
                    words.setdefault(form, WEEKDAY)
    return words


def calendar_word(lower: str) -> int:
    """One lookup for a lower-case word: its month (1–12), WEEKDAY, or 0 for neither."""
    return _calendar().get(lower, 0)


def month_number(word: str) -> int:
    """1–12 for a month's name in any of :data:`CALENDAR_LOCALES` ("julio", "июля"), else 0."""
    found = calendar_word(word.lower())
    return found if found != WEEKDAY else 0


def is_weekday(word: str) -> bool:
    """True for a weekday's name in any of :data:`CALENDAR_LOCALES`."""
    return calendar_word(word.lower()) == WEEKDAY


def language_code(tag: str | None) -> str:
    """The primary subtag of a language tag or locale, lower-case ("en-GB", "en_US" → "en"),
    "" for none. For choosing and showing reports by language, never for clustering."""
    return str(regex.split(r"[-_.@]", (tag or "").strip().lower(), maxsplit=1)[0])
