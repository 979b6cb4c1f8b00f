"""Text representation for story clustering: weighted terms, names, numbers and dates.

Bag-of-words alone merges two events of one kind (two earthquakes, two shootings); what tells
them apart is *who, where and when*. So besides word keys, a document yields name tokens
(capitalized words and runs of them, as a cheap named-entity stand-in), numbers, and dates it
mentions. Everything is plain Python with caches, because it runs once per article.
"""

from __future__ import annotations

import functools
import heapq
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import regex
from stop_words import LANGUAGE_MAPPING, get_stop_words

from tidings.textnorm import WEEKDAY, calendar_word, canonical_number, fold, name_key

# Words (letters/digits, inner apostrophes) and sentence ends; hyphens split words.
# Decimal numbers stay whole ("7.1"); commas, brackets and dashes end a run of names.
# Thousands grouped by spaces or apostrophes stay whole too ("13 000", "13'000");
# textnorm decides what a number is.
_TOKEN = regex.compile(
    r"(\p{N}+(?:[.,]\p{N}+)*(?:[ \u00a0\u202f\u2009'’]\p{N}{3}(?:[.,]\p{N}+)?(?!\p{N}))*"
    r"|[\p{L}\p{N}]+(?:['’][\p{L}]+)*)|([.!?;:\n\"“”]+)|([,()/–—]+)")
_NOT_NAMES = frozenset(("today", "yesterday"))
_DAY_REACH = 2  # "9 October", "October 9", "9 de octubre", "16th July": a day this close

NAME = "E|"  # a name-like token or run of them
NUMBER = "#|"  # a number mentioned in the text
DATE = "D|"  # a year-month or month-day mentioned in the text
CROSS_LANGUAGE_KINDS = frozenset((NAME, NUMBER, DATE))  # what survives translation


@dataclass(frozen=True, slots=True)
class FeatureConfig:
    """Weights of the feature kinds (learned on the train split, see docs/clustering.md)."""

    title_weight: float = 2.0  # a title term counts this many times a body term
    name_weight: float = 0.5  # extra weight of a name token on top of its word
    number_weight: float = 2.0
    date_weight: float = 1.0
    word_letters: int = 6  # letters of a word's transliteration that key it (word_key)
    max_chars: int = 5000  # the lead carries the event; the tail wanders off


@functools.cache
def stop_words(language: str | None) -> frozenset[str]:
    """Stop words of a language; unknown languages get the union of the common ones."""
    code = (language or "").split("-")[0].lower()
    name = LANGUAGE_MAPPING.get(code)
    if name is None:
        words: set[str] = set()
        for common in ("en", "fr", "de", "es", "it", "pt", "nl", "ru"):
            words |= stop_words(common)
        return frozenset(words)
    return frozenset(w.lower() for w in get_stop_words(name))


@functools.lru_cache(maxsize=200_000)
def word_key(lower: str, letters: int = 6) -> str:
    """A language-blind stem: the first letters of the word in Latin script.

    Truncation stems English about as well as Snowball did ("rates", "rate" → "rate";
    "elections", "election" → "electi"), and unlike a per-language stemmer it needs no
    language and lets cognates meet across languages and scripts ("antenna", "antenne" →
    "antenn"; "compañía", "company" → "compan"; "Норланд", "Norland" → "norlan"). Six
    letters scored best over the three tuning splits (docs/clustering.md).
    """
    return fold(lower)[:letters]


def _is_name(token: str) -> bool:
    first = token[0]
    return (first.isupper() and not token.isupper()) or (token.isupper() and len(token) > 1)


def _title_case(title: str) -> bool:
    """Headline Case Capitalizes Every Word, so capitals say nothing about names there."""
    words = [w for w in regex.findall(r"\p{L}+", title) if len(w) > 3]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) > 0.6 * len(words)


def extract(title: str, text: str, language: str | None = None,
            config: FeatureConfig | None = None) -> dict[str, float]:
    """Raw feature weights (term frequency times kind and title weights) of one document."""
    cfg = config or FeatureConfig()
    stops = stop_words(language)
    features: dict[str, float] = {}
    _scan(title, cfg.title_weight, stops, cfg, features, names=not _title_case(title))
    _scan(text[: cfg.max_chars], 1.0, stops, cfg, features)
    return features


def _scan(text: str, weight: float, stops: frozenset[str], cfg: FeatureConfig,
          out: dict[str, float], names: bool = True) -> None:
    """Add the words, names, numbers and dates of ``text`` to ``out``, in one pass.

    This runs over every token of every clustered article, so the common path (a word)
    stays inline; numbers, months and the end of a run of names go to helpers.
    """
    sentence_start = True
    run: list[str] = []  # the current run of name tokens
    dates = _DateReader(out, weight * cfg.date_weight)
    name_weight = weight * cfg.name_weight
    held: str | None = None  # a capitalized first word of a sentence: a name if one follows

    for match in _TOKEN.finditer(text):
        token, stop = match.group(1), match.group(2)
        if token is None:  # punctuation ends a run of names; a sentence end, a month's reach
            if stop is not None:
                sentence_start = sentence_start or stop != '"'
                dates.month = 0
            _close_run(run, out, name_weight)
            held = None
            continue
        dates.position += 1
        lower = token.lower()
        if lower.endswith(("'s", "’s")):
            lower = lower[:-2]
            token = token[:-2]
        initial = sentence_start
        sentence_start = False
        if token[0].isdigit():
            _close_run(run, out, name_weight)
            held = None
            _add_number(token, dates, weight * cfg.number_weight, out)
            continue
        calendar = dates.word(lower)
        if lower in stops or len(lower) < 2:
            _close_run(run, out, name_weight)
            held = None
            continue
        word = word_key(lower, cfg.word_letters)
        out[word] = out.get(word, 0.0) + weight
        if not names or calendar or not _is_name(token):
            _close_run(run, out, name_weight)
            held = None
        elif initial and not token.isupper():
            held = token
        else:
            _add_name(token, held, run, out, name_weight)
            held = None
    _close_run(run, out, name_weight)


def _close_run(run: list[str], out: dict[str, float], name_weight: float) -> None:
    """End a run of names; two or more in a row ("Gavin Newsom") also count as one name."""
    if len(run) > 1:
        key = NAME + " ".join(run)
        out[key] = out.get(key, 0.0) + name_weight
    run.clear()


def _add_name(token: str, held: str | None, run: list[str], out: dict[str, float],
              name_weight: float) -> None:
    """Count a name token and extend the run; a ``held`` sentence-initial word joins first.

    "Gavin Newsom said": the capitalized first word of the sentence was a name too. Names
    are keyed in one script and without inflection ("Норланда" and "Norland" are one name).
    """
    for word in (token,) if held is None else (held, token):
        key = name_key(word)
        out[NAME + key] = out.get(NAME + key, 0.0) + name_weight
        run.append(key)


def _add_number(token: str, dates: _DateReader, weight: float, out: dict[str, float]) -> None:
    """Count a number in one form whatever its national format ("13.000" ≡ "13,000")."""
    value = canonical_number(token)
    if value is None:  # "in 2010 300 people": two numbers that only looked grouped
        parts = token.split()
        if len(parts) > 1:
            for part in parts:
                _add_number(part, dates, weight, out)
        return
    key = NUMBER + value
    out[key] = out.get(key, 0.0) + weight
    dates.number(value)


class _DateReader:
    """Dates written out in any common language: "9 October 2002", "9 de octubre de 2002",
    "October 9", "9 ottobre" give ``D|10-09``; a year after a month gives ``D|2002-10``."""

    __slots__ = ("day", "day_at", "month", "month_at", "out", "position", "weight")

    def __init__(self, out: dict[str, float], weight: float):
        self.out = out
        self.weight = weight
        self.position = 0  # words read so far
        self.month = 0  # the month last named in this sentence
        self.month_at = -_DAY_REACH - 1
        self.day = 0  # the last number that could be a day of the month
        self.day_at = -_DAY_REACH - 1

    def word(self, lower: str) -> bool:
        """Read a word; True when it is a calendar word (a month, a weekday), never a name."""
        month = calendar_word(lower)
        if month == WEEKDAY:
            return True
        if month:
            self.month, self.month_at = month, self.position
            if self.position - self.day_at <= _DAY_REACH:
                self._add(f"{month:02d}-{self.day:02d}")
            return True
        return lower in _NOT_NAMES

    def number(self, value: str) -> None:
        if not value.isdecimal():
            return
        number = int(value)
        if 1 <= number <= 31:
            self.day, self.day_at = number, self.position
            if self.month and self.position - self.month_at <= 1:
                self._add(f"{self.month:02d}-{number:02d}")
        elif self.month and len(value) == 4:
            self._add(f"{value}-{self.month:02d}")

    def _add(self, date: str) -> None:
        key = DATE + date
        self.out[key] = self.out.get(key, 0.0) + self.weight


class StreamIdf:
    """Document frequencies learned from the stream itself (no corpus shipped with tidings)."""

    def __init__(self) -> None:
        self.df: dict[str, int] = {}
        self.docs = 0

    def add(self, features: Iterable[str]) -> None:
        self.docs += 1
        df = self.df
        for key in features:
            df[key] = df.get(key, 0) + 1

    def remove(self, features: Iterable[str]) -> None:
        self.docs = max(0, self.docs - 1)
        df = self.df
        for key in features:
            left = df.get(key, 0) - 1
            if left > 0:
                df[key] = left
            else:
                df.pop(key, None)

    def idf(self, key: str) -> float:
        return math.log((self.docs + 1) / (self.df.get(key, 0) + 1)) + 1.0


def weigh(raw: Mapping[str, float], idf: StreamIdf, keep: int = 0) -> dict[str, float]:
    """Unit-length TF-IDF vector (sublinear term frequency) of raw feature weights.

    ``keep`` > 0 keeps only the heaviest terms: the tail is noise and costs time in every
    comparison.
    """
    df, log = idf.df, math.log
    total = log(idf.docs + 1)
    vec = {k: ((1.0 + log(v)) if v >= 1.0 else v) * (total - log(df.get(k, 0) + 1) + 1.0)
           for k, v in raw.items()}
    if 0 < keep < len(vec):
        vec = dict(heapq.nlargest(keep, vec.items(), key=lambda kv: kv[1]))
    norm = math.sqrt(sum(x * x for x in vec.values()))
    if norm == 0:
        return {}
    inv = 1.0 / norm
    return {k: x * inv for k, x in vec.items()}


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Dot product of two unit vectors (iterating over the shorter one)."""
    if len(a) > len(b):
        a, b = b, a
    get = b.get
    return sum(x * get(k, 0.0) for k, x in a.items())
