"""A story's running centroids and its members, kept so adding or removing one costs O(terms).

A story keeps two centroids: one over every term of its reports, and one over the terms that
survive translation — names, numbers and dates (``Member.cross_vec``). Reports of one event
in two languages share few words but many of those, so the second centroid is what lets
them meet (see :meth:`StoryClusterer._score <tidings.cluster.clusterer.StoryClusterer>`).
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from datetime import UTC, date, datetime

from tidings.cluster.features import CROSS_LANGUAGE_KINDS, cosine


class Member:
    """One document as the clusterer holds it: its term vectors, its story, its original."""

    __slots__ = ("cross_vec", "day", "key", "original", "raw", "story", "terms", "vec")

    def __init__(self, key: Hashable, raw: dict[str, float], day: float | None):
        self.key = key
        self.raw = raw
        self.day = day
        self.vec: dict[str, float] = {}
        self.cross_vec: dict[str, float] = {}  # names, numbers, dates only; unit length
        self.terms: tuple[str, ...] = ()
        self.story = -1
        self.original: Hashable | None = None

    def set_vector(self, vec: dict[str, float]) -> None:
        """Set the term vector and derive the cross-language one from it."""
        self.vec = vec
        self.cross_vec = unit({k: v for k, v in vec.items() if k[:2] in CROSS_LANGUAGE_KINDS})


class Centroid:
    """The sum of unit vectors and its squared norm: similarity to it in O(terms)."""

    __slots__ = ("sq", "total")

    def __init__(self) -> None:
        self.total: dict[str, float] = {}
        self.sq = 0.0

    def add(self, vec: dict[str, float]) -> None:
        total = self.total
        self.sq += 2.0 * cosine(vec, total) + squared_norm(vec)
        for k, v in vec.items():
            total[k] = total.get(k, 0.0) + v

    def remove(self, vec: dict[str, float]) -> None:
        total = self.total
        for k, v in vec.items():
            left = total.get(k, 0.0) - v
            if abs(left) < 1e-9:
                total.pop(k, None)
            else:
                total[k] = left
        self.sq = max(0.0, self.sq - 2.0 * cosine(vec, total) - squared_norm(vec))

    def similarity(self, vec: dict[str, float]) -> float:
        """Cosine between a unit vector and the centroid."""
        if self.sq <= 0:
            return 0.0
        return cosine(vec, self.total) / math.sqrt(self.sq)

    def inside(self, n: int) -> float:
        """Mean similarity between two of the ``n`` vectors summed here."""
        return max(0.0, self.sq - n) / (n * (n - 1))


class StoryVectors:
    """A story as sums of its members' vectors, for O(1)-in-members similarity."""

    __slots__ = ("checked", "cross_language", "first", "id", "last", "members",
                 "merge_checked", "words")

    def __init__(self, story_id: int):
        self.id = story_id
        self.members: dict[Hashable, Member] = {}
        self.words = Centroid()  # every term
        self.cross_language = Centroid()  # names, numbers and dates
        self.first: float | None = None
        self.last: float | None = None
        self.checked = 0  # size at the last split check
        self.merge_checked = 0  # size at the last merge check

    @property
    def total(self) -> dict[str, float]:
        return self.words.total

    @property
    def sq(self) -> float:
        return self.words.sq

    def add(self, doc: Member) -> None:
        self.words.add(doc.vec)
        self.cross_language.add(doc.cross_vec)
        self.members[doc.key] = doc
        if doc.day is not None:
            self.first = doc.day if self.first is None else min(self.first, doc.day)
            self.last = doc.day if self.last is None else max(self.last, doc.day)

    def remove(self, doc: Member) -> None:
        self.words.remove(doc.vec)
        self.cross_language.remove(doc.cross_vec)
        del self.members[doc.key]
        days = [d.day for d in self.members.values() if d.day is not None]
        self.first = min(days) if days else None
        self.last = max(days) if days else None

    def cross(self, other: StoryVectors, cross_language: bool = False) -> float:
        """Mean similarity of a document here to a document there (average link)."""
        mine, theirs = (self.cross_language, other.cross_language) if cross_language \
            else (self.words, other.words)
        return cosine(mine.total, theirs.total) / (len(self.members) * len(other.members))

    def inside(self, other: StoryVectors, cross_language: bool = False) -> float:
        """Mean similarity between two documents of this story (of ``other`` for a single)."""
        n = len(self.members)
        if n < 2:
            return other.inside(self, cross_language) if len(other.members) >= 2 else 1.0
        return (self.cross_language if cross_language else self.words).inside(n)

    def similarity(self, vec: dict[str, float]) -> float:
        return self.words.similarity(vec)

    def cross_language_similarity(self, member: Member, min_shared: int) -> float:
        """Cosine of a document's names, numbers and dates to the story's, when they share
        at least ``min_shared`` single-word terms (one shared place or a stray number is
        not evidence: "Calder Bay" alone is two words of one name)."""
        total = self.cross_language.total
        shared = sum(1 for k in member.cross_vec if k in total and " " not in k)
        return self.cross_language.similarity(member.cross_vec) if shared >= min_shared else 0.0


def unit(vec: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(squared_norm(vec))
    return {k: v / norm for k, v in vec.items()} if norm > 0 else {}


def squared_norm(vec: dict[str, float]) -> float:
    return sum(v * v for v in vec.values())


def day_number(value: datetime | date | None) -> float | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.timestamp() / 86400.0
    return datetime(value.year, value.month, value.day, tzinfo=UTC).timestamp() / 86400.0
