"""The clustering stage: pending articles, in publication order, through the clusterer.

``run_pending`` takes articles whose ``cluster_state`` is ``pending`` and whose extraction is
settled, feeds them to one :class:`~tidings.cluster.clusterer.StoryClusterer` per store (kept
in memory between calls), and writes what it decided: ``story_id``, ``duplicate_of``, story
rows with their counters, merges (``stories.merged_into``) and splits. The clusterer's memory
is rebuilt from the stored articles of the last window when the process starts, or when
another process clustered in the meantime (a counter in ``meta`` tells).
"""

from __future__ import annotations

import logging
import time
import weakref
from collections import defaultdict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tidings.cluster.clusterer import Assignment, ClusterConfig, ClusterDoc, StoryClusterer
from tidings.cluster.headline import story_headline
from tidings.cluster.topicstage import TopicAssigner
from tidings.config import Settings
from tidings.sanitize import html_to_text
from tidings.store import Store
from tidings.store.clustering import ClusterBatch

log = logging.getLogger(__name__)

BATCH = 200  # articles per write transaction
TITLE_SAMPLE = 40  # newest headlines looked at when choosing a story's title



@dataclass
class _State:
    clusterer: StoryClusterer
    story_of: dict[int, int] = field(default_factory=dict)  # clusterer id -> story row id
    epoch: str | None = None


_states: weakref.WeakKeyDictionary[Store, _State] = weakref.WeakKeyDictionary()


def cluster_config(settings: Settings) -> ClusterConfig:
    """The clusterer configuration for these settings (the story window is configurable)."""
    return ClusterConfig(window_days=float(settings.story_window_days))


def to_doc(row: Mapping[Any, Any]) -> ClusterDoc:
    """What the clusterer sees of a stored article: title, text, date and language."""
    text = row["content_text"] or html_to_text(row["summary"]) or ""
    return ClusterDoc(id=int(row["id"]), title=row["title"] or "", text=text,
                      published=row["published_at"], language=row["language"])


def forget(store: Store) -> None:
    """Drop the in-memory clusterer of ``store`` (the next run rebuilds it from the store)."""
    _states.pop(store, None)


def run_pending(store: Store, settings: Settings, *, limit: int | None = None) -> int:
    """Assign pending articles to stories; return how many were assigned.

    The caller holds ``CLUSTER_LOCK`` (``tidings.worker.stages.run_stage`` does): one
    process at a time across all workers, since two clustering at once could each start a
    story for the same event, and the clusterer in memory must match the store.
    """
    state = _state(store, settings)
    done = 0
    while limit is None or done < limit:
        size = BATCH if limit is None else min(BATCH, limit - done)
        rows = store.clustering.pending(size)
        if not rows:
            break
        started = time.perf_counter()
        try:
            with store.clustering.batch() as batch:
                _assign_batch(batch, state, rows, settings.locale)
                state.epoch = batch.finish(seconds=time.perf_counter() - started)
        except BaseException:
            forget(store)  # memory may be ahead of the rolled-back store
            raise
        done += len(rows)
    return done


def _state(store: Store, settings: Settings) -> _State:
    state = _states.get(store)
    epoch = store.clustering.epoch()
    if state is None or state.epoch != epoch:
        state = rebuild(store, settings)
        state.epoch = epoch
        _states[store] = state
    return state


def rebuild(store: Store, settings: Settings) -> _State:
    """A clusterer holding the clustered articles of the last window, as stored."""
    window = store.clustering.window(settings.story_window_days)
    clusterer = StoryClusterer(cluster_config(settings), first_story_id=window.top_story_id + 1,
                               remember_all=False)
    state = _State(clusterer)
    for row in window.rows:
        sid = _follow(window.merged, int(row["story_id"]))
        clusterer.restore(to_doc(row), sid, row["duplicate_of"])
        state.story_of[sid] = sid
    if window.rows:
        log.info("clusterer rebuilt", extra={"stage": "cluster", "articles": len(window.rows)})
    return state


def _follow(merged: Mapping[int, int], sid: int) -> int:
    seen = set()
    while sid in merged and sid not in seen:
        seen.add(sid)
        sid = merged[sid]
    return sid


def _assign_batch(batch: ClusterBatch, state: _State, rows: Sequence[Mapping[Any, Any]],
                  locale: str) -> None:
    now = datetime.now(UTC)
    touched: set[int] = set()
    topics = TopicAssigner(batch.topics(), locale)

    def story_for(cluster: int, title: str) -> int:
        sid = state.story_of.get(cluster)
        if sid is None:
            sid = batch.new_story(title, now)
            state.story_of[cluster] = sid
        return sid

    for row in rows:
        doc = to_doc(row)
        result: Assignment = state.clusterer.add(doc)
        for gone, survivor in result.merged.items():
            target = story_for(survivor, doc.title)
            old = state.story_of.pop(gone, None)
            if old is not None and old != target:
                batch.merge(old, target, now)
            touched.add(target)
        for new, origin in result.split.items():
            touched.add(story_for(new, doc.title))
            touched.add(story_for(state.clusterer.resolve(origin), doc.title))
        _move(batch, result.moved, story_for, doc.title, touched)
        sid = story_for(result.story, doc.title)
        touched.add(sid)
        copy_of = None if result.duplicate_of is None else int(str(result.duplicate_of))
        batch.assign(int(row["id"]), sid, copy_of)
        topics.add(doc, sid, row["published_at"])
    topics.finish()
    alive = set(state.story_of.values())
    live = {s for s in touched if s in alive}
    batch.refresh(live, now, titles=_titles(batch, live, locale))


def _move(batch: ClusterBatch, moved: Mapping[Hashable, int],
          story_for: Callable[[int, str], int], title: str, touched: set[int]) -> None:
    by_story: dict[int, list[int]] = defaultdict(list)
    for key, cluster in moved.items():
        by_story[story_for(cluster, title)].append(int(str(key)))
    for sid, ids in by_story.items():
        touched.add(sid)
        batch.move(sid, ids)


def _titles(batch: ClusterBatch, story_ids: set[int], locale: str) -> dict[int, str]:
    """Each story's headline, in the site's locale when one of its reports is in it."""
    return {sid: story_headline(rows, locale)
            for sid, rows in batch.headlines(story_ids, TITLE_SAMPLE).items()}
