"""Text representation for story clustering: weighted terms, names, numbers and dates.

Bag-of-words alone merges two events of one kind (two earthquakes, two shootings); what tells
them apart is *who, where and when*. So besides stemmed words, a document yields name tokens
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
import snowballstemmer
from stop_words import LANGUAGE_MAPPING, get_stop_words

# Words (letters/digits, inner apostrophes) and sentence ends; hyphens split words.
# Decimal numbers stay whole ("7.1"); commas, brackets and dashes end a run of names.
_TOKEN = regex.compile(
    r"(\p{N}+(?:[.,]\p{N}+)*|[\p{L}\p{N}]+(?:['’][\p{L}]+)*)|([.!?;:\n\"“”]+)|([,()/–—]+)")
_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august",
                "september", "october", "november", "december")
_MONTHS = {m: i for i, m in enumerate(_MONTH_NAMES, start=1)}
_CALENDAR = frozenset(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                       "sunday", "today", "yesterday", *_MONTH_NAMES))

NAME = "E|"  # a name-like token or run of them
NUMBER = "#|"  # a number mentioned in the text
DATE = "D|"  # a year-month mentioned in the text


@dataclass(frozen=True, slots=True)
class FeatureConfig:
    """Weights of the feature kinds (learned on the train split, see docs/clustering.md)."""

    title_weight: float = 2.0  # a title term counts this many times a body term
    name_weight: float = 0.5  # extra weight of a name token on top of its word
    number_weight: float = 2.0
    date_weight: float = 1.0
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


_STEMMER_NAMES = {"en": "english", "fr": "french", "de": "german", "es": "spanish",
                  "it": "italian", "pt": "portuguese", "nl": "dutch", "ru": "russian",
                  "sv": "swedish", "nb": "norwegian", "no": "norwegian", "da": "danish",
                  "fi": "finnish", "ro": "romanian", "hu": "hungarian", "tr": "turkish",
                  "ca": "catalan", "el": "greek", "pl": "polish", "cs": "czech",
                  "ar": "arabic", "id": "indonesian", "lt": "lithuanian", "sr": "serbian"}


@functools.cache
def _stem_function(language: str | None) -> functools._lru_cache_wrapper[str]:
    code = (language or "en").split("-")[0].lower()
    try:
        stemmer = snowballstemmer.stemmer(_STEMMER_NAMES.get(code, "english"))
    except KeyError:  # pragma: no cover - every name above exists
        stemmer = snowballstemmer.stemmer("english")

    @functools.lru_cache(maxsize=200_000)
    def stem(word: str) -> str:
        return str(stemmer.stemWord(word))

    return stem


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
    stem = _stem_function(language)
    features: dict[str, float] = {}
    _scan(title, cfg.title_weight, stops, stem, cfg, features, names=not _title_case(title))
    _scan(text[: cfg.max_chars], 1.0, stops, stem, cfg, features)
    return features


def _scan(text: str, weight: float, stops: frozenset[str], stem: functools._lru_cache_wrapper[str],
          cfg: FeatureConfig, out: dict[str, float], names: bool = True) -> None:
    """Add the words, names, numbers and dates of ``text`` to ``out``, in one pass.

    This runs over every token of every clustered article, so the common path (a word)
    stays inline; numbers and the end of a run of names go to helpers.
    """
    sentence_start = True
    run: list[str] = []  # the current run of name tokens
    previous_month = 0  # a capitalized month just seen: a year that follows makes a date
    name_weight = weight * cfg.name_weight
    held: str | None = None  # a capitalized first word of a sentence: a name if one follows

    for match in _TOKEN.finditer(text):
        token, stop = match.group(1), match.group(2)
        if token is None:  # punctuation ends a run of names; a sentence end, a month's reach
            if stop is not None:
                sentence_start = sentence_start or stop != '"'
                previous_month = 0
            _close_run(run, out, name_weight)
            held = None
            continue
        lower = token.lower()
        if lower.endswith(("'s", "’s")):
            lower = lower[:-2]
            token = token[:-2]
        initial = sentence_start
        sentence_start = False
        if token[0].isdigit():
            _close_run(run, out, name_weight)
            held = None
            _add_number(token, lower, previous_month, weight, cfg, out)
            continue
        month = _MONTHS.get(lower, 0)
        if month and token[0].isupper():
            previous_month = month
        if lower in stops or len(lower) < 2:
            _close_run(run, out, name_weight)
            held = None
            continue
        word = stem(lower)
        out[word] = out.get(word, 0.0) + weight
        if not names or lower in _CALENDAR or not _is_name(token):
            _close_run(run, out, name_weight)
            held = None
        elif initial and not token.isupper():
            held = lower
        else:
            _add_name(lower, held, run, out, name_weight)
            held = None
    _close_run(run, out, name_weight)


def _close_run(run: list[str], out: dict[str, float], name_weight: float) -> None:
    """End a run of names; two or more in a row ("Gavin Newsom") also count as one name."""
    if len(run) > 1:
        key = NAME + " ".join(run)
        out[key] = out.get(key, 0.0) + name_weight
    run.clear()


def _add_name(lower: str, held: str | None, run: list[str], out: dict[str, float],
              name_weight: float) -> None:
    """Count a name token and extend the run; a ``held`` sentence-initial word joins first.

    "Gavin Newsom said": the capitalized first word of the sentence was a name too.
    """
    if held is not None:
        out[NAME + held] = out.get(NAME + held, 0.0) + name_weight
        run.append(held)
    key = NAME + lower
    out[key] = out.get(key, 0.0) + name_weight
    run.append(lower)


def _add_number(token: str, lower: str, previous_month: int, weight: float,
                cfg: FeatureConfig, out: dict[str, float]) -> None:
    """Count a number ("7.1", "1,200" → "1200"); a year right after a month is a date too."""
    if token.isdigit() or token.replace(",", "").replace(".", "").isdigit():
        key = NUMBER + (lower.replace(",", "").lstrip("0") or "0")
        out[key] = out.get(key, 0.0) + weight * cfg.number_weight
        if previous_month and len(token) == 4:
            key = DATE + f"{token}-{previous_month:02d}"
            out[key] = out.get(key, 0.0) + weight * cfg.date_weight


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
