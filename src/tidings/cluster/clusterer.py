"""The online story clusterer: each article joins the story it reports, or starts one.

One code path serves the server's clustering stage, ``tidings recluster`` and the benchmark:
:meth:`StoryClusterer.add` takes a document (id, title, text, date or None, language) and
returns where it went. Steps per document:

1. verbatim copies (MinHash, :mod:`tidings.cluster.dedupe`) join their original's story;
2. the document's weighted terms (:mod:`tidings.cluster.features`) with IDF learned from the
   stream fetch candidate stories from a windowed inverted index (:mod:`tidings.cluster.index`);
3. each candidate is scored by cosine similarity to its centroid — or, when higher, a share of
   the cosine over names, numbers and dates alone, which is what survives translation —
   minus a penalty for the gap between dates, and the best one above the threshold wins, else
   a new story starts;
4. stories that turn out to be one are merged, and recent documents are revisited so the
   result depends less on arrival order.
"""

from __future__ import annotations

import heapq
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy

from tidings.cluster.dedupe import DedupeConfig, Deduper
from tidings.cluster.features import FeatureConfig, StreamIdf, extract, weigh
from tidings.cluster.index import WindowIndex
from tidings.cluster.members import Member, StoryVectors, day_number
from tidings.cluster.split import bipartition, mean_inside, similarity_matrix


@dataclass(frozen=True, slots=True)
class ClusterConfig:
    """Knobs of the clusterer; defaults were chosen on the train split, checked on dev."""

    threshold: float = 0.22  # minimum similarity to join a story
    # Across languages: the cosine over names, numbers and dates only, times this weight,
    # counts when it beats the cosine over all terms; it needs ``cross_min_shared`` shared
    # single-word terms (0 turns the channel off).
    cross_weight: float = 0.5
    cross_min_shared: int = 3
    window_days: float = 30.0  # stories idle longer than this are closed
    date_penalty: float = 0.0  # similarity lost per ``date_scale_days`` between dates
    date_scale_days: float = 3.0
    vector_terms: int = 0  # heaviest terms kept per document vector (0: all)
    index_terms: int = 20  # distinctive terms per document used to find candidates
    candidates: int = 15
    # order robustness: a story whose two halves are less alike than ``split_ratio`` times
    # the likeness inside them is cut in two; two stories whose documents are as alike
    # across as ``merge_ratio`` times inside (and at least ``merge_floor``) become one.
    split_ratio: float = 0.75
    split_min: int = 8  # documents a story needs before it is checked
    split_min_part: int = 2
    split_growth: float = 1.2  # check again after the story grew by this factor
    split_max: int = 80  # newest documents looked at when checking
    merge_ratio: float = 0.9
    merge_floor: float = 0.15
    date_grace_days: float = 45.0  # stories further apart than this never merge
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
    split: dict[int, int] = field(default_factory=dict)  # new story -> story it was cut from


class StoryClusterer:
    """Online clustering of a stream of documents into stories (see the module docstring)."""

    def __init__(self, config: ClusterConfig | None = None, *, first_story_id: int = 1,
                 remember_all: bool = True):
        """``remember_all=False`` forgets the labels of documents that left the window (a
        long-running server has them in its store and needs no copy in memory)."""
        self.config = config or ClusterConfig()
        self.remember_all = remember_all
        self.idf = StreamIdf()
        self.index = WindowIndex()
        self.dedupe = Deduper(self.config.dedupe)
        self._docs: dict[Hashable, Member] = {}
        self._stories: dict[int, StoryVectors] = {}
        self._label: dict[Hashable, int] = {}  # every document ever seen -> its story
        self._merged: dict[int, int] = {}
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
        self._refine(target, result)
        result.story = self.resolve(self._label[doc.id])
        result.moved.pop(doc.id, None)
        return result

    def restore(self, doc: ClusterDoc, story: int, duplicate_of: Hashable | None = None) -> None:
        """Put back a document whose story is already known (rebuilding after a restart)."""
        item = self._prepare(doc)
        self.dedupe.add(doc.id, doc.title, doc.text)
        item.original = duplicate_of
        if story not in self._stories:
            self._stories[story] = StoryVectors(story)
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
    def _prepare(self, doc: ClusterDoc) -> Member:
        raw = extract(doc.title, doc.text, doc.language, self.config.features)
        day = day_number(doc.published)
        if day is not None and (self._now is None or day > self._now):
            self._now = day
            self._expire()
        self.idf.add(raw)
        item = Member(doc.id, raw, day)
        self._weigh(item)
        return item

    def _weigh(self, item: Member) -> None:
        item.set_vector(weigh(item.raw, self.idf, self.config.vector_terms))
        ranked = sorted(item.vec.items(), key=lambda kv: -kv[1])
        item.terms = tuple(k for k, _ in ranked[: self.config.index_terms])

    def _score(self, item: Member, story: StoryVectors) -> float:
        sim = story.similarity(item.vec)
        if self.config.cross_weight > 0:
            cross = story.cross_language_similarity(item, self.config.cross_min_shared)
            sim = max(sim, self.config.cross_weight * cross)
        if item.day is not None and story.first is not None and story.last is not None:
            gap = max(0.0, story.first - item.day, item.day - story.last)
            sim -= self.config.date_penalty * gap / self.config.date_scale_days
        return sim

    def _best_story(self, item: Member, exclude: int | None = None) -> int:
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
        self._stories[sid] = StoryVectors(sid)
        return sid

    def _place(self, item: Member, sid: int) -> None:
        item.story = sid
        self._stories[sid].add(item)
        self.index.add(sid, item.terms, item.day)
        self._docs[item.key] = item
        self._label[item.key] = sid

    def _unplace(self, item: Member) -> None:
        story = self._stories[item.story]
        story.remove(item)
        self.index.remove(item.story, item.terms)

    # -- order robustness: split what holds two events, merge what is one -------------
    def _refine(self, sid: int, result: Assignment) -> None:
        story = self._stories.get(sid)
        if story is None:
            return
        size = len(story.members)
        if self.config.split_ratio > 0 and size >= self.config.split_min and \
                size >= story.checked * self.config.split_growth:
            story.checked = size
            sid = self._maybe_split(story, result)
        if self.config.merge_ratio > 0:
            self._maybe_merge(self.resolve(sid), result)

    def _maybe_split(self, story: StoryVectors, result: Assignment) -> int:
        """Cut a story in two when its halves are much less alike than each half is inside."""
        members = list(story.members.values())[-self.config.split_max:]
        for item in members:  # vectors with today's IDF: early ones were weighed on little
            story.remove(item)
            self.index.remove(story.id, item.terms)
            self._weigh(item)
            story.add(item)
            self.index.add(story.id, item.terms, item.day)
        sims = similarity_matrix([m.vec for m in members])
        parts = bipartition(sims)
        if parts is None:
            return story.id
        a, b = parts
        if min(len(a), len(b)) < self.config.split_min_part:
            return story.id
        inside = min(mean_inside(sims, a), mean_inside(sims, b))
        cross = float(sims[numpy.ix_(a, b)].mean())
        if cross >= self.config.split_ratio * inside:
            return story.id
        keep = a if min(a) == 0 or len(a) > len(b) else b  # the part with the oldest member
        move = [members[i] for i in (b if keep is a else a)]
        new_id = self._new_story()
        result.split[new_id] = story.id
        for item in move:
            self._move(item, new_id, result)
        return story.id

    def _maybe_merge(self, sid: int, result: Assignment) -> None:
        """Merge with a story whose documents are, on average, as alike as its own."""
        story = self._stories.get(sid)
        if story is None or story.sq <= 0:
            return
        size = len(story.members)
        if size < story.merge_checked * self.config.split_growth + 1:
            return  # looked at this size already; the story has not changed much
        story.merge_checked = size
        terms = heapq.nlargest(self.config.index_terms, story.total, key=story.total.__getitem__)
        best, best_cross = -1, 0.0
        for other_id in self.index.candidates(terms, self.config.candidates):
            other = self._stories.get(other_id)
            if other_id == sid or other is None or not other.members:
                continue
            cross, inside = self._link(story, other)
            if cross >= self.config.merge_floor and cross >= self.config.merge_ratio * inside \
                    and cross > best_cross and self._dates_close(story, other):
                best, best_cross = other_id, cross
        if best < 0:
            return
        other = self._stories[best]
        survivor, gone = (sid, best) if (len(story.members), -sid) >= (len(other.members), -best) \
            else (best, sid)
        self._merge(gone, survivor, result)

    def _link(self, story: StoryVectors, other: StoryVectors) -> tuple[float, float]:
        """Average-link similarity across two stories and inside the less coherent one,
        over all terms or (weighted, when higher) over names, numbers and dates."""
        cross = story.cross(other)
        inside = min(story.inside(other), other.inside(story))
        weight = self.config.cross_weight
        if weight > 0:
            cross = max(cross, weight * story.cross(other, cross_language=True))
            inside = max(inside, weight * min(story.inside(other, cross_language=True),
                                              other.inside(story, cross_language=True)))
        return cross, inside

    def _dates_close(self, a: StoryVectors, b: StoryVectors) -> bool:
        if a.first is None or b.first is None or a.last is None or b.last is None:
            return True
        gap = max(0.0, a.first - b.last, b.first - a.last)
        return gap <= self.config.date_grace_days

    def _move(self, item: Member, target: int, result: Assignment) -> None:
        self._unplace(item)
        item.story = target
        self._stories[target].add(item)
        self.index.add(target, item.terms, item.day)
        self._label[item.key] = target
        result.moved[item.key] = target

    def _merge(self, gone: int, survivor: int, result: Assignment) -> None:
        loser = self._stories.pop(gone)
        self.index.drop(gone)
        target = self._stories[survivor]
        for item in loser.members.values():
            item.story = survivor
            target.add(item)
            self.index.add(survivor, item.terms, item.day)
            self._label[item.key] = survivor
            result.moved[item.key] = survivor
        target.checked = target.merge_checked = 0
        self._merged[gone] = survivor
        result.merged[gone] = survivor

    def _expire(self) -> None:
        assert self._now is not None
        for sid in self.index.expire(self._now - self.config.window_days):
            story = self._stories.pop(sid, None)
            if story is None:
                continue
            for key in story.members:
                self._docs.pop(key, None)
                self.dedupe.forget(key)
                if not self.remember_all:
                    self._label.pop(key, None)
