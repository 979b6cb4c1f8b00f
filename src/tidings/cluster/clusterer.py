"""The online story clusterer: each article joins the story it reports, or starts one.

One code path serves the server's clustering stage, ``tidings recluster`` and the benchmark:
:meth:`StoryClusterer.add` takes a document (id, title, text, date or None, language) and
returns where it went. Steps per document:

1. verbatim copies (MinHash, :mod:`tidings.cluster.dedupe`) join their original's story;
2. the document's weighted terms (:mod:`tidings.cluster.features`) with IDF learned from the
   stream fetch candidate stories from a windowed inverted index (:mod:`tidings.cluster.index`);
3. each candidate is scored by cosine similarity to its centroid, minus a penalty for the
   gap between dates, and the best one above the threshold wins, else a new story starts;
4. stories that turn out to be one are merged, and recent documents are revisited so the
   result depends less on arrival order.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from tidings.cluster.dedupe import DedupeConfig, Deduper
from tidings.cluster.features import FeatureConfig, StreamIdf, cosine, extract, weigh
from tidings.cluster.index import WindowIndex


@dataclass(frozen=True, slots=True)
class ClusterConfig:
    """Knobs of the clusterer; defaults were chosen on the train split, checked on dev."""

    threshold: float = 0.30  # minimum similarity to join a story
    window_days: float = 30.0  # stories idle longer than this are closed
    date_penalty: float = 0.15  # similarity lost per ``date_scale_days`` between dates
    date_scale_days: float = 3.0
    index_terms: int = 20  # distinctive terms per document used to find candidates
    candidates: int = 40
    merge_threshold: float = 0.0  # centroid similarity that merges two stories (0: off)
    revisit: int = 0  # recent documents re-examined after each addition
    features: FeatureConfig = field(default_factory=FeatureConfig)
    dedupe: DedupeConfig = field(default_factory=DedupeConfig)


@dataclass(frozen=True, slots=True)
class ClusterDoc:
    """What the clusterer sees of an article, and nothing else."""

    id: Hashable
    title: str
    text: str
    published: datetime | date | None = None
    language: str | None = None


@dataclass(slots=True)
class Assignment:
    """Where one document went, and what else changed because of it."""

    story: int
    duplicate_of: Hashable | None = None
    new_story: bool = False
    moved: dict[Hashable, int] = field(default_factory=dict)  # other documents -> new story
    merged: dict[int, int] = field(default_factory=dict)  # story merged away -> survivor


class _Doc:
    __slots__ = ("day", "key", "original", "raw", "story", "terms", "vec")

    def __init__(self, key: Hashable, raw: dict[str, float], day: float | None):
        self.key = key
        self.raw = raw
        self.day = day
        self.vec: dict[str, float] = {}
        self.terms: tuple[str, ...] = ()
        self.story = -1
        self.original: Hashable | None = None


class _Story:
    __slots__ = ("first", "id", "last", "members", "sq", "total")

    def __init__(self, story_id: int):
        self.id = story_id
        self.members: dict[Hashable, _Doc] = {}
        self.total: dict[str, float] = {}  # sum of member vectors
        self.sq = 0.0  # squared norm of ``total``
        self.first: float | None = None
        self.last: float | None = None

    def add(self, doc: _Doc) -> None:
        total = self.total
        self.sq += 2.0 * cosine(doc.vec, total) + _sq(doc.vec)
        for k, v in doc.vec.items():
            total[k] = total.get(k, 0.0) + v
        self.members[doc.key] = doc
        if doc.day is not None:
            self.first = doc.day if self.first is None else min(self.first, doc.day)
            self.last = doc.day if self.last is None else max(self.last, doc.day)

    def remove(self, doc: _Doc) -> None:
        total = self.total
        for k, v in doc.vec.items():
            left = total.get(k, 0.0) - v
            if abs(left) < 1e-9:
                total.pop(k, None)
            else:
                total[k] = left
        self.sq = max(0.0, self.sq - 2.0 * cosine(doc.vec, total) - _sq(doc.vec))
        del self.members[doc.key]
        days = [d.day for d in self.members.values() if d.day is not None]
        self.first = min(days) if days else None
        self.last = max(days) if days else None

    def similarity(self, vec: dict[str, float]) -> float:
        if self.sq <= 0:
            return 0.0
        return cosine(vec, self.total) / math.sqrt(self.sq)


def _sq(vec: dict[str, float]) -> float:
    return sum(v * v for v in vec.values())


def _day(value: datetime | date | None) -> float | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.timestamp() / 86400.0
    return datetime(value.year, value.month, value.day, tzinfo=UTC).timestamp() / 86400.0


class StoryClusterer:
    """Online clustering of a stream of documents into stories (see the module docstring)."""

    def __init__(self, config: ClusterConfig | None = None, *, first_story_id: int = 1):
        self.config = config or ClusterConfig()
        self.idf = StreamIdf()
        self.index = WindowIndex()
        self.dedupe = Deduper(self.config.dedupe)
        self._docs: dict[Hashable, _Doc] = {}
        self._stories: dict[int, _Story] = {}
        self._label: dict[Hashable, int] = {}  # every document ever seen -> its story
        self._merged: dict[int, int] = {}
        self._recent: list[_Doc] = []
        self._next_id = first_story_id
        self._now: float | None = None

    # -- public -------------------------------------------------------------------------
    def add(self, doc: ClusterDoc) -> Assignment:
        """Place one document; it must not have been added before."""
        item = self._prepare(doc)
        result = Assignment(story=-1)
        original = self.dedupe.add(doc.id, doc.title, doc.text)
        if original is not None and original in self._docs:
            item.original = original
            result.duplicate_of = original
            target = self._docs[original].story
        else:
            target = self._best_story(item)
        if target < 0:
            target = self._new_story()
            result.new_story = True
        self._place(item, target)
        if self.config.merge_threshold > 0:
            self._merge_around(target, result)
        if self.config.revisit > 0:
            self._revisit(result)
        result.story = self.resolve(self._label[doc.id])
        result.moved.pop(doc.id, None)
        return result

    def restore(self, doc: ClusterDoc, story: int, duplicate_of: Hashable | None = None) -> None:
        """Put back a document whose story is already known (rebuilding after a restart)."""
        item = self._prepare(doc)
        self.dedupe.add(doc.id, doc.title, doc.text)
        item.original = duplicate_of
        if story not in self._stories:
            self._stories[story] = _Story(story)
        self._next_id = max(self._next_id, story + 1)
        self._place(item, story)

    def resolve(self, story: int) -> int:
        """The surviving story of a possibly merged one."""
        while story in self._merged:
            story = self._merged[story]
        return story

    def labels(self) -> dict[Hashable, int]:
        """Every document seen so far -> its (surviving) story."""
        return {key: self.resolve(s) for key, s in self._label.items()}

    @property
    def open_stories(self) -> int:
        return len(self._stories)

    # -- steps --------------------------------------------------------------------------
    def _prepare(self, doc: ClusterDoc) -> _Doc:
        raw = extract(doc.title, doc.text, doc.language, self.config.features)
        day = _day(doc.published)
        if day is not None and (self._now is None or day > self._now):
            self._now = day
            self._expire()
        self.idf.add(raw)
        item = _Doc(doc.id, raw, day)
        self._weigh(item)
        return item

    def _weigh(self, item: _Doc) -> None:
        item.vec = weigh(item.raw, self.idf)
        ranked = sorted(item.vec.items(), key=lambda kv: -kv[1])
        item.terms = tuple(k for k, _ in ranked[: self.config.index_terms])

    def _score(self, item: _Doc, story: _Story) -> float:
        sim = story.similarity(item.vec)
        if item.day is not None and story.first is not None and story.last is not None:
            gap = max(0.0, story.first - item.day, item.day - story.last)
            sim -= self.config.date_penalty * gap / self.config.date_scale_days
        return sim

    def _best_story(self, item: _Doc, exclude: int | None = None) -> int:
        best, best_score = -1, self.config.threshold
        for sid in self.index.candidates(item.terms, self.config.candidates):
            if sid == exclude:
                continue
            story = self._stories.get(sid)
            if story is None or not story.members:
                continue
            score = self._score(item, story)
            if score >= best_score:
                best, best_score = sid, score
        return best

    def _new_story(self) -> int:
        sid = self._next_id
        self._next_id += 1
        self._stories[sid] = _Story(sid)
        return sid

    def _place(self, item: _Doc, sid: int) -> None:
        item.story = sid
        self._stories[sid].add(item)
        self.index.add(sid, item.terms, item.day)
        self._docs[item.key] = item
        self._label[item.key] = sid
        if self.config.revisit > 0:
            self._recent.append(item)
            if len(self._recent) > self.config.revisit:
                self._recent.pop(0)

    def _unplace(self, item: _Doc) -> None:
        story = self._stories[item.story]
        story.remove(item)
        self.index.remove(item.story, item.terms)

    def _merge_around(self, sid: int, result: Assignment) -> None:
        story = self._stories[sid]
        if story.sq <= 0:
            return
        centroid = {k: v / math.sqrt(story.sq) for k, v in story.total.items()}
        terms = [k for k, _ in sorted(centroid.items(), key=lambda kv: -kv[1])[: self.config.index_terms]]
        for other_id in self.index.candidates(terms, self.config.candidates):
            if other_id == sid:
                continue
            other = self._stories.get(other_id)
            if other is None or not other.members:
                continue
            sim = other.similarity(centroid)
            if sim >= self.config.merge_threshold:
                survivor, gone = (sid, other_id) if len(story.members) >= len(other.members) \
                    else (other_id, sid)
                self._merge(gone, survivor, result)
                return

    def _merge(self, gone: int, survivor: int, result: Assignment) -> None:
        loser = self._stories.pop(gone)
        self.index.drop(gone)
        for item in list(loser.members.values()):
            loser.members.pop(item.key)
            item.story = survivor
            self._stories[survivor].add(item)
            self.index.add(survivor, item.terms, item.day)
            self._label[item.key] = survivor
        self._merged[gone] = survivor
        result.merged[gone] = survivor

    def _revisit(self, result: Assignment) -> None:
        for item in list(self._recent):
            if item.original is not None or item.key not in self._docs:
                continue
            current = item.story
            if current not in self._stories:
                continue
            self._unplace(item)
            self._weigh(item)
            target = self._best_story(item)
            here = self._stories[current]
            if target < 0 or (here.members and self._score(item, here) >= self.config.threshold
                              and self._score(item, here) >= self._score(item,
                                                                         self._stories[target])):
                target = current if here.members or target < 0 else target
            if target == current and not here.members and False:
                pass
            item.story = target
            self._stories[target].add(item)
            self.index.add(target, item.terms, item.day)
            self._label[item.key] = target
            if target != current:
                result.moved[item.key] = target
                if not here.members:
                    self._stories.pop(current, None)
                    self.index.drop(current)
                    self._merged[current] = target
                    result.merged[current] = target

    def _expire(self) -> None:
        assert self._now is not None
        for sid in self.index.expire(self._now - self.config.window_days):
            story = self._stories.pop(sid, None)
            if story is None:
                continue
            for key in story.members:
                self._docs.pop(key, None)
                self.dedupe.forget(key)
            self._recent = [d for d in self._recent if d.story != sid]


def build_docs(records: Iterable[ClusterDoc]) -> list[ClusterDoc]:
    return list(records)
