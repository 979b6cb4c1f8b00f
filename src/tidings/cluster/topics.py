"""Topics: the names of people, organizations and places an article mentions, and which
thing a shared name means. Pure functions; the cluster stage stores what they decide
(``cluster/topicstage.py``) and docs/topics.md states the rules.

A *name* is a run of capitalized words ("Bank of Norland", "Jelagat Rono", "Норланда"),
short connectors allowed inside ("of", "de", "van"). A capitalized word that starts a
sentence counts only when it starts a longer run or the article also writes it capitalized
mid-sentence ("Researchers map …" is not a name). Within an article a lone word that ends a
longer name without connectors ("Rono" after "Jelagat Rono", "Elna" after "Storm Elna") is
that name. Names are keyed across scripts by :mod:`tidings.cluster.namekey`.

A key can stand for several things: each one is a *sense* with the names its articles mention
beside it (its context). See :func:`choose_sense`.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import regex

from tidings.cluster.features import stop_words
from tidings.cluster.namekey import name_key, word_key

#: names kept per article (the most mentioned): bounds the cost of every article
MAX_NAMES = 12
#: a sense is established once this many articles have it
ESTABLISHED_ARTICLES = 3
#: a sense is focused when its most frequent companion name is in this share of its articles
FOCUSED = 0.6
#: an article shows another thing of a name only with at least this many companion names
SPLIT_EVIDENCE = 2

_PIECE = regex.compile(r"(\p{L}[\p{L}\p{M}]*(?:['’]\p{L}+)*)|(\s+)|(\p{N}[\p{L}\p{N}]*)|(.)",
                       regex.S)
_SENTENCE_END = frozenset(".!?:;\n…")
_CONNECTORS = frozenset(("of", "de", "del", "della", "di", "da", "du", "la", "le", "van",
                         "von", "der", "den", "bin", "al", "el", "y"))
#: words that come before a name but are not part of it ("Governor Ilse Marren")
_ROLES = frozenset((
    "mr", "mrs", "ms", "dr", "sir", "lord", "lady", "president", "prime", "minister",
    "governor", "mayor", "king", "queen", "prince", "princess", "chancellor", "senator",
    "judge", "professor", "prof", "pope", "chairman", "chairwoman", "ceo", "sgt", "lt",
    "const", "capt", "cpl", "det", "insp", "supt", "gen", "col", "maj", "gov", "sen", "rep",
    "rev", "officer", "sergeant", "lieutenant", "constable", "captain", "detective",
    "президент", "премьер", "министр", "губернатор", "мэр", "глава", "председатель"))
#: stop words that begin place names ("New Zealand", "New York")
_NAME_STOPS = frozenset(("new",))
_ROMAN = regex.compile(r"^[IVXLCDM]+$")
_CALENDAR = frozenset((
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
    "oct", "nov", "dec", "mon", "tue", "wed", "thu", "fri", "sat", "sun"))


@dataclass(frozen=True, slots=True)
class Mention:
    key: str
    name: str  # as written (the first time), possessive removed
    count: int = 1


@dataclass(slots=True)
class _Run:
    words: list[str]
    display: list[str]
    initial: bool  # its first word starts a sentence
    connected: bool = False  # it holds a connector ("Bank of Norland")
    numbered: bool = False  # right after a number: an address or a count ("117th Street")


def _is_capitalized(word: str) -> bool:
    return word[0].isupper() and (not word.isupper() or len(word) > 1)


def _title_case(title: str) -> bool:
    """Headline Case Capitalizes Every Word, so capitals say nothing about names there."""
    words = [w for w in regex.findall(r"\p{L}+", title) if len(w) > 3]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) > 0.6 * len(words)


def _is_word_of_name(word: str, lower: str, stops: frozenset[str]) -> bool:
    return (_is_capitalized(word) and (lower not in stops or lower in _NAME_STOPS)
            and lower not in _CALENDAR
            and len(word) >= 2 and not _ROMAN.match(word))


class _RunReader:
    """Reads ``text`` piece by piece and collects its runs of capitalized words."""

    def __init__(self, stops: frozenset[str]):
        self.stops = stops
        self.runs: list[_Run] = []
        self.run: _Run | None = None
        self.pending: list[str] = []  # connectors after the run, kept if a name follows
        self.sentence_start = True
        self.after_number = False

    def close(self) -> None:
        if self.run is not None:
            self.runs.append(self.run)
        self.run = None
        self.pending.clear()

    def word(self, word: str) -> None:
        if word.endswith(("'s", "’s")):
            word = word[:-2]
        lower = word.lower()
        initial, self.sentence_start = self.sentence_start, False
        numbered, self.after_number = self.after_number, False
        run = self.run
        if run is not None and lower in _CONNECTORS and not word[0].isupper():
            self.pending.append(word)
            return
        if not _is_word_of_name(word, lower, self.stops):
            self.close()
            return
        if lower in _ROLES or (run is not None and run.words[-1].lower() in _ROLES):
            self.close()  # a role before a name ends here: "Prime Minister | Aud Rostad"
            if lower in _ROLES:
                return
            run = None
        if run is None:
            self.run = _Run([word], [word], initial, numbered=numbered)
            return
        run.connected = run.connected or bool(self.pending)
        run.display.extend(self.pending)
        run.words.append(word)
        run.display.append(word)
        self.pending.clear()


def _runs(text: str, stops: frozenset[str]) -> list[_Run]:
    """Runs of capitalized words in ``text``, in order."""
    reader = _RunReader(stops)
    for match in _PIECE.finditer(text):
        word, space, number, other = match.groups()
        if word is not None:
            reader.word(word)
        elif number is not None:
            reader.close()
            reader.sentence_start, reader.after_number = False, True
        elif other is not None:
            reader.close()
            reader.sentence_start = reader.sentence_start or other in _SENTENCE_END
        elif "\n" in space:
            reader.close()
            reader.sentence_start = True
    reader.close()
    return reader.runs


@functools.cache
def _stops(language: str | None) -> frozenset[str]:
    return stop_words(language)


def mentions(title: str, text: str, language: str | None = None,
             limit: int = MAX_NAMES) -> list[Mention]:
    """The names an article mentions, most mentioned first (at most ``limit``)."""
    stops = _stops(language)
    runs = [] if _title_case(title) else _runs(title, stops)
    runs += _runs(text, stops)
    mid_sentence = {r.words[0].lower() for r in runs if not r.initial}
    mid_sentence |= {w.lower() for r in runs for w in r.words[1:]}
    lowercase = {w for w in regex.findall(r"\b\p{Ll}+\b", f"{title} {text}")}
    names: list[_Run] = []
    for r in runs:
        if r.initial and len(r.words) > 2 and r.words[0].lower() in lowercase:
            # "Owner Greta Nyholm": a common word, capitalized because a sentence starts
            r = _Run(r.words[1:], r.display[r.display.index(r.words[1]):], False, r.connected)
        if len(r.words) == 1 and r.initial and r.words[0].lower() not in mid_sentence:
            continue  # "Researchers map …": a capital only because a sentence starts
        if len(r.words) == 1 and (r.numbered or r.words[0].lower() in lowercase):
            # "117th Street", "23 Somali pirates"; "State Police said … the police": a common
            # word the article also writes in lower case is not a name of its own
            continue
        names.append(r)
    # a lone word that ends a longer plain name is that name ("Rono" → "Jelagat Rono")
    alias = {word_key(r.words[-1]): r for r in names if len(r.words) > 1 and not r.connected}
    counts: Counter[str] = Counter()
    shown: dict[str, str] = {}
    for r in names:
        if len(r.words) == 1 and word_key(r.words[0]) in alias:
            r = alias[word_key(r.words[0])]
        key = name_key(r.words)
        if len(key) < 2:
            continue
        counts[key] += 1
        shown.setdefault(key, " ".join(r.display))
    ranked = sorted(counts, key=lambda k: -counts[k])[:limit]
    return [Mention(k, shown[k], counts[k]) for k in ranked]


@dataclass(frozen=True, slots=True)
class Sense:
    """One thing a name may mean, as far as the store knows it."""

    topic_id: int
    sense: int
    articles: int
    context: Mapping[str, int]  # companion name -> articles mentioning both (only asked ones)
    peak: int = 0  # articles mentioning its most frequent companion

    @property
    def focused(self) -> bool:
        """Established, and most of its articles share one companion (a specific thing, as
        "Michael Jordan" is with "Chicago Bulls"; a country is mentioned beside everything)."""
        return self.articles >= ESTABLISHED_ARTICLES and self.peak >= FOCUSED * self.articles


def choose_sense(senses: Sequence[Sense], companions: set[str], *, in_story: int | None
                 ) -> int | None:
    """Which sense a new mention of a name joins: a topic id, or None for a new sense.

    1. A story is one event: a sense already mentioned in the article's story is the one.
    2. Otherwise the sense sharing the most companion names with the article (ties: the
       one with more articles, then the older one).
    3. No sense shares any companion: the article is about another thing of that name only
       when every sense is :attr:`Sense.focused` and the article names at least
       ``SPLIT_EVIDENCE`` companions, none ever seen with any of them. Otherwise the biggest
       sense: too little is known to split, and a broad thing (a country) has no focus.
    """
    if in_story is not None:
        return in_story
    if not senses:
        return None

    def overlap(s: Sense) -> int:
        return sum(1 for c in companions if s.context.get(c, 0) > 0)

    best = max(senses, key=lambda s: (overlap(s), s.articles, -s.sense))
    if overlap(best) > 0:
        return best.topic_id
    if len(companions) >= SPLIT_EVIDENCE and all(s.focused for s in senses):
        return None
    return best.topic_id
