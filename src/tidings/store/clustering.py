"""The clustering stage's queries: its queue, its memory on start-up, its batched writes.

The stage decides (in :mod:`tidings.cluster.stage`); this module only reads and writes.
A batch of decisions is written through one :class:`ClusterBatch`, which holds one write
transaction, so a batch of articles lands in its stories together or not at all.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from tidings.models import ClusterState, ExtractState
from tidings.store.counters import CLUSTER_SECONDS, CLUSTERED_ARTICLES, Counters
from tidings.store.engine import Database
from tidings.store.events import EventLog
from tidings.store.reads import Meta
from tidings.store.schema import articles, meta, stories
from tidings.store.stories import StoryRepo
from tidings.store.topics import TopicWriter, reset_topics
from tidings.store.visibility import public_article

EPOCH_KEY = "cluster_epoch"  # bumped by every clustering write, to spot other writers
_CHUNK = 500  # ids per IN (...) list

_COLUMNS = (articles.c.id, articles.c.title, articles.c.content_text, articles.c.summary,
            articles.c.published_at, articles.c.language)
_READY = (articles.c.cluster_state == ClusterState.PENDING,
          articles.c.extract_state != ExtractState.PENDING)


@dataclass(slots=True)
class Window:
    """What a fresh clusterer is rebuilt from: the clustered articles of the last window."""

    top_story_id: int  # the largest story id in use (new stories are numbered after it)
    merged: dict[int, int]  # story id -> the story it was merged into
    rows: list[dict[str, Any]]  # id, title, text, dates, language, story_id, duplicate_of


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start:start + _CHUNK]


class ClusterBatch:
    """The writes of one batch of clustering decisions, inside one transaction."""

    def __init__(self, conn: sa.Connection, stories_repo: StoryRepo, meta_repo: Meta,
                 events: EventLog, totals: Counters):
        self._conn = conn
        self._stories = stories_repo
        self._meta = meta_repo
        self._events = events
        self._totals = totals
        self._assigned: list[int] = []

    def new_story(self, title: str, now: datetime) -> int:
        return self._stories.create(self._conn, title=title, now=now)

    def merge(self, gone: int, survivor: int, now: datetime) -> None:
        self._stories.merge(self._conn, gone, survivor, now)

    def assign(self, article_id: int, story_id: int, duplicate_of: int | None) -> None:
        """Put one article in its story and take it off the queue."""
        self._conn.execute(articles.update().where(articles.c.id == article_id)
                           .values(story_id=story_id, duplicate_of=duplicate_of,
                                   cluster_state=ClusterState.DONE))
        self._assigned.append(article_id)

    def move(self, story_id: int, article_ids: Sequence[int]) -> None:
        """Move already assigned articles to another story (a split)."""
        for part in _chunks(article_ids):
            self._conn.execute(articles.update().where(articles.c.id.in_(part))
                               .values(story_id=story_id))

    def headlines(self, story_ids: Iterable[int], limit: int
                  ) -> dict[int, list[tuple[str, str | None]]]:
        """Per story, the titles and languages of its newest ``limit`` original reports,
        oldest first (what a representative title is chosen from). Public reports only, when
        the story has any: the public site shows the title, and a reader's private feed
        must not name it."""
        found: dict[int, list[tuple[str, str | None]]] = {}
        public = public_article()
        for sid in story_ids:
            query = (sa.select(articles.c.title, articles.c.language,
                               sa.case((public, 1), else_=0).label("public"))
                     .where(articles.c.story_id == sid, articles.c.duplicate_of.is_(None))
                     .order_by(sa.desc("public"), articles.c.published_at.desc(),
                               articles.c.id.desc())
                     .limit(limit))
            got = list(self._conn.execute(query))
            if got and got[0].public:
                got = [r for r in got if r.public]
            rows = [(str(r[0]), r[1]) for r in got][::-1]
            if rows:
                found[sid] = rows
        return found

    def topics(self) -> TopicWriter:
        """Topic writes in this batch's transaction."""
        return TopicWriter(self._conn)

    def refresh(self, story_ids: Iterable[int], now: datetime,
                titles: Mapping[int, str] | None = None) -> None:
        self._stories.refresh(self._conn, story_ids, now, titles=titles)

    def finish(self, seconds: float = 0.0) -> str | None:
        """Mark the store as changed (pages and other clusterers notice), count the batch
        and the ``seconds`` it took, announce the outlets stories gained; the new epoch."""
        self._meta.bump(EPOCH_KEY, conn=self._conn)
        self._meta.bump(conn=self._conn)
        value = self._conn.execute(sa.select(meta.c.value)
                                   .where(meta.c.key == EPOCH_KEY)).scalar()
        self._totals.add(self._conn, {CLUSTERED_ARTICLES: len(self._assigned),
                                      CLUSTER_SECONDS: seconds})
        self._events.outlets_gained(self._conn, self._assigned)  # last: see store.events
        return None if value is None else str(value)


class ClusterQueue:
    def __init__(self, db: Database, stories_repo: StoryRepo, meta_repo: Meta,
                 events: EventLog, totals: Counters):
        self.db = db
        self._stories = stories_repo
        self._meta = meta_repo
        self._events = events
        self._totals = totals

    def pending(self, limit: int) -> list[dict[str, Any]]:
        """Articles waiting for a story whose extraction is settled, in publication order."""
        query = (sa.select(*_COLUMNS).where(*_READY)
                 .order_by(articles.c.published_at, articles.c.id).limit(limit))
        with self.db.read() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def pending_count(self) -> int:
        query = sa.select(sa.func.count()).select_from(articles).where(*_READY)
        with self.db.read() as conn:
            return int(conn.execute(query).scalar_one())

    def epoch(self) -> str | None:
        return self._meta.get(EPOCH_KEY)

    @contextlib.contextmanager
    def batch(self) -> Iterator[ClusterBatch]:
        """One write transaction for a batch of decisions (rolled back if the block raises)."""
        with self.db.write() as conn:
            yield ClusterBatch(conn, self._stories, self._meta, self._events, self._totals)

    def window(self, days: float) -> Window:
        """The clustered articles published within ``days`` of the newest clustered one."""
        with self.db.read() as conn:
            newest = conn.execute(sa.select(sa.func.max(articles.c.published_at))
                                  .where(articles.c.cluster_state == ClusterState.DONE)).scalar()
            top = conn.execute(sa.select(sa.func.max(stories.c.id))).scalar() or 0
            merged = {int(k): int(v) for k, v in conn.execute(
                sa.select(stories.c.id, stories.c.merged_into)
                .where(stories.c.merged_into.is_not(None))).all()}
            rows: list[dict[str, Any]] = []
            if newest is not None:
                query = (sa.select(*_COLUMNS, articles.c.story_id, articles.c.duplicate_of)
                         .where(articles.c.cluster_state == ClusterState.DONE,
                                articles.c.story_id.is_not(None),
                                articles.c.published_at >= newest - timedelta(days=days))
                         .order_by(articles.c.published_at, articles.c.id))
                rows = [dict(r) for r in conn.execute(query).mappings()]
        return Window(int(top), merged, rows)

    def reset(self, since: datetime | None, now: datetime) -> int:
        """Unassign articles published at or after ``since`` (all when None) and put them
        back in the queue; drop the stories left empty. Returns how many were unassigned."""
        chosen = [] if since is None else [articles.c.published_at >= since]
        with self.db.write() as conn:
            reset_topics(conn, since)
            affected = set(conn.execute(sa.select(articles.c.story_id).distinct().where(
                *chosen, articles.c.story_id.is_not(None))).scalars())
            count = conn.execute(articles.update().where(*chosen)
                                 .values(story_id=None, duplicate_of=None,
                                         cluster_state=ClusterState.PENDING)).rowcount
            if since is None:
                conn.execute(stories.update().values(merged_into=None))
                conn.execute(stories.delete())
            else:
                kept = _in_use(conn)
                _drop_empty(conn, affected - kept)
                self._stories.refresh(conn, affected & kept, now)
            self._meta.bump(conn=conn)
        return int(count)


def _in_use(conn: sa.Connection) -> set[int]:
    return set(conn.execute(sa.select(articles.c.story_id).distinct()
                            .where(articles.c.story_id.is_not(None))).scalars())


def _drop_empty(conn: sa.Connection, emptied: set[int]) -> None:
    """Delete emptied stories, and the merged stories whose chain led into them."""
    doomed = set(emptied)
    frontier = set(doomed)
    while frontier:
        feeding = set(conn.execute(sa.select(stories.c.id)
                                   .where(stories.c.merged_into.in_(sorted(frontier)))).scalars())
        frontier = feeding - doomed
        doomed |= feeding
    ids = sorted(doomed)
    for part in _chunks(ids):
        conn.execute(stories.update().where(stories.c.id.in_(part)).values(merged_into=None))
    for part in _chunks(ids):
        conn.execute(stories.delete().where(stories.c.id.in_(part)))
