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
import weakref
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from tidings.cluster.clusterer import Assignment, ClusterConfig, ClusterDoc, StoryClusterer
from tidings.cluster.headline import representative_title
from tidings.config import Settings
from tidings.sanitize import html_to_text
from tidings.store import Store
from tidings.store.schema import articles, meta, stories

log = logging.getLogger(__name__)

BATCH = 200  # articles per write transaction
EPOCH_KEY = "cluster_epoch"  # bumped by every clustering write, to spot other writers
TITLE_SAMPLE = 40  # newest headlines looked at when choosing a story's title

_COLUMNS = (articles.c.id, articles.c.title, articles.c.content_text, articles.c.summary,
            articles.c.published_at, articles.c.language)


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
        pending = (sa.select(*_COLUMNS)
                   .where(articles.c.cluster_state == "pending",
                          articles.c.extract_state != "pending")
                   .order_by(articles.c.published_at, articles.c.id).limit(size))
        with store.db.read() as conn:
            rows = list(conn.execute(pending).mappings())
        if not rows:
            break
        try:
            with store.db.write() as conn:
                _assign_batch(conn, store, state, rows)
                store.meta.bump(EPOCH_KEY, conn=conn)
                store.meta.bump(conn=conn)
                state.epoch = conn.execute(sa.select(meta.c.value)
                                           .where(meta.c.key == EPOCH_KEY)).scalar()
        except BaseException:
            forget(store)  # memory may be ahead of the rolled-back store
            raise
        done += len(rows)
    return done


def _state(store: Store, settings: Settings) -> _State:
    state = _states.get(store)
    epoch = store.meta.get(EPOCH_KEY)
    if state is None or state.epoch != epoch:
        state = rebuild(store, settings)
        state.epoch = epoch
        _states[store] = state
    return state


def rebuild(store: Store, settings: Settings) -> _State:
    """A clusterer holding the clustered articles of the last window, as stored."""
    window = timedelta(days=settings.story_window_days)
    with store.db.read() as conn:
        newest = conn.execute(sa.select(sa.func.max(articles.c.published_at))
                              .where(articles.c.cluster_state == "done")).scalar()
        top = conn.execute(sa.select(sa.func.max(stories.c.id))).scalar() or 0
        merged = dict(conn.execute(sa.select(stories.c.id, stories.c.merged_into)
                                   .where(stories.c.merged_into.is_not(None))).all())
        rows = []
        if newest is not None:
            query = (sa.select(*_COLUMNS, articles.c.story_id, articles.c.duplicate_of)
                     .where(articles.c.cluster_state == "done",
                            articles.c.story_id.is_not(None),
                            articles.c.published_at >= newest - window)
                     .order_by(articles.c.published_at, articles.c.id))
            rows = list(conn.execute(query).mappings())
    clusterer = StoryClusterer(cluster_config(settings), first_story_id=int(top) + 1,
                               remember_all=False)
    state = _State(clusterer)
    for row in rows:
        sid = _follow(merged, int(row["story_id"]))
        clusterer.restore(to_doc(row), sid, row["duplicate_of"])
        state.story_of[sid] = sid
    if rows:
        log.info("clusterer rebuilt from %d articles", len(rows))
    return state


def _follow(merged: Mapping[int, int], sid: int) -> int:
    seen = set()
    while sid in merged and sid not in seen:
        seen.add(sid)
        sid = merged[sid]
    return sid


def _assign_batch(conn: sa.Connection, store: Store, state: _State,
                  rows: Sequence[Mapping[Any, Any]]) -> None:
    now = datetime.now(UTC)
    touched: set[int] = set()

    def story_for(cluster: int, title: str) -> int:
        sid = state.story_of.get(cluster)
        if sid is None:
            sid = store.stories.create(conn, title=title, now=now)
            state.story_of[cluster] = sid
        return sid

    for row in rows:
        doc = to_doc(row)
        result: Assignment = state.clusterer.add(doc)
        for gone, survivor in result.merged.items():
            target = story_for(survivor, doc.title)
            old = state.story_of.pop(gone, None)
            if old is not None and old != target:
                store.stories.merge(conn, old, target, now)
            touched.add(target)
        for new, origin in result.split.items():
            touched.add(story_for(new, doc.title))
            touched.add(story_for(state.clusterer.resolve(origin), doc.title))
        _move(conn, result.moved, lambda c, t=doc.title: story_for(c, t), touched)
        sid = story_for(result.story, doc.title)
        touched.add(sid)
        conn.execute(articles.update().where(articles.c.id == doc.id)
                     .values(story_id=sid, duplicate_of=result.duplicate_of,
                             cluster_state="done"))
    alive = set(state.story_of.values())
    live = {s for s in touched if s in alive}
    store.stories.refresh(conn, live, now, titles=_titles(conn, live))


def _move(conn: sa.Connection, moved: Mapping[Hashable, int], story_for: Any,
          touched: set[int]) -> None:
    by_story: dict[int, list[int]] = defaultdict(list)
    for key, cluster in moved.items():
        by_story[story_for(cluster)].append(int(str(key)))
    for sid, ids in by_story.items():
        touched.add(sid)
        for start in range(0, len(ids), 500):
            conn.execute(articles.update().where(articles.c.id.in_(ids[start:start + 500]))
                         .values(story_id=sid))


def _titles(conn: sa.Connection, story_ids: set[int]) -> dict[int, str]:
    titles: dict[int, str] = {}
    for sid in story_ids:
        query = (sa.select(articles.c.title, articles.c.language)
                 .where(articles.c.story_id == sid, articles.c.duplicate_of.is_(None))
                 .order_by(articles.c.published_at.desc(), articles.c.id.desc())
                 .limit(TITLE_SAMPLE))
        rows = list(conn.execute(query))[::-1]
        if rows:
            titles[sid] = representative_title([r[0] for r in rows], rows[0][1])
    return titles
