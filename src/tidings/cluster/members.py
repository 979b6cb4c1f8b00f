"""A story's running centroid and its members, kept so adding or removing one costs O(terms)."""

from __future__ import annotations

import math
from collections.abc import Hashable
from datetime import UTC, date, datetime

from tidings.cluster.features import cosine


class Member:
    """One document as the clusterer holds it: its term vector, its story, its original."""

    __slots__ = ("day", "key", "original", "raw", "story", "terms", "vec")

    def __init__(self, key: Hashable, raw: dict[str, float], day: float | None):
        self.key = key
        self.raw = raw
        self.day = day
        self.vec: dict[str, float] = {}
        self.terms: tuple[str, ...] = ()
        self.story = -1
        self.original: Hashable | None = None


class StoryVectors:
    """A story as sums: the total of member vectors and its squared norm, for O(1) similarity."""

    __slots__ = ("checked", "first", "id", "last", "members", "merge_checked", "sq", "total")

    def __init__(self, story_id: int):
        self.id = story_id
        self.members: dict[Hashable, Member] = {}
        self.total: dict[str, float] = {}  # sum of member vectors
        self.sq = 0.0  # squared norm of ``total``
        self.first: float | None = None
        self.last: float | None = None
        self.checked = 0  # size at the last split check
        self.merge_checked = 0  # size at the last merge check

    def add(self, doc: Member) -> None:
        total = self.total
        self.sq += 2.0 * cosine(doc.vec, total) + squared_norm(doc.vec)
        for k, v in doc.vec.items():
            total[k] = total.get(k, 0.0) + v
        self.members[doc.key] = doc
        if doc.day is not None:
            self.first = doc.day if self.first is None else min(self.first, doc.day)
            self.last = doc.day if self.last is None else max(self.last, doc.day)

    def remove(self, doc: Member) -> None:
        total = self.total
        for k, v in doc.vec.items():
            left = total.get(k, 0.0) - v
            if abs(left) < 1e-9:
                total.pop(k, None)
            else:
                total[k] = left
        self.sq = max(0.0, self.sq - 2.0 * cosine(doc.vec, total) - squared_norm(doc.vec))
        del self.members[doc.key]
        days = [d.day for d in self.members.values() if d.day is not None]
        self.first = min(days) if days else None
        self.last = max(days) if days else None

    def cross(self, other: StoryVectors) -> float:
        """Mean similarity of a document here to a document there (average link)."""
        return cosine(self.total, other.total) / (len(self.members) * len(other.members))

    def inside(self, other: StoryVectors) -> float:
        """Mean similarity between two documents of this story (of ``other`` for a single)."""
        n = len(self.members)
        if n < 2:
            return other.inside(self) if len(other.members) >= 2 else 1.0
        return max(0.0, self.sq - n) / (n * (n - 1))

    def similarity(self, vec: dict[str, float]) -> float:
        if self.sq <= 0:
            return 0.0
        return cosine(vec, self.total) / math.sqrt(self.sq)


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
