"""The live event log: appended inside the writes it announces, read by every web process.

Writers call :meth:`EventLog.articles_stored` or :meth:`EventLog.outlets_gained` as the last
statement of their transaction, so an event is visible exactly when its change is. Readers
poll :meth:`EventLog.after` from the last id they saw, which is only correct if ids become
visible in increasing order: SQLite has one writer at a time, and on PostgreSQL the append
takes a transaction-scoped advisory lock, so the transaction that gets the next ids also
commits next. Taken last and held only until the commit, that lock adds no wait to the
writes before it and cannot close a deadlock cycle (its holder waits for nothing else).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from tidings.store import dialects
from tidings.store.engine import Database
from tidings.store.schema import articles, events, stories

ARTICLE = "article"
STORY = "story"
#: the advisory lock key that orders event appends on PostgreSQL ("tidings" + "events")
_APPEND_LOCK = 0x7469_6469_6E67_7365
_APPEND_LOCK_SIGNED = _APPEND_LOCK - (1 << 64) if _APPEND_LOCK >= 1 << 63 else _APPEND_LOCK


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """One event with what a client is told about it, read when it is delivered."""

    id: int
    kind: str
    article_id: int
    title: str | None  # None: the article was deleted since (nothing to announce)
    url: str | None
    source_id: int | None
    published_at: datetime | None
    views: int
    story_id: int | None
    story_title: str | None
    outlets: int | None


_ARTICLES_PG = ("INSERT INTO events (kind, article_id, story_id, created_at) "
                "SELECT %s, t.id, NULL, %s FROM unnest(%b::integer[]) AS t(id) ORDER BY t.id")
_ARTICLES_SQLITE = ("INSERT INTO events (kind, article_id, story_id, created_at) "
                    "SELECT ?, value, NULL, ? FROM json_each(?) ORDER BY value")


def _bind_stamp(dialect: sa.Dialect, stamp: datetime) -> object:
    """``created_at`` as SQLAlchemy would send it (on SQLite, the text range queries compare)."""
    processor = dialects.bind_processor(events.c.created_at, dialect)
    return processor(stamp) if processor else stamp


class EventLog:
    def __init__(self, db: Database):
        self.db = db

    def _lock(self, conn: sa.Connection) -> None:
        if self.db.dialect == "postgresql":
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_APPEND_LOCK_SIGNED)))

    def articles_stored(self, conn: sa.Connection, article_ids: Sequence[int],
                        now: datetime | None = None) -> None:
        """Announce new articles (call last in the transaction that inserted them): one
        statement whose ids arrive as one array (JSON on SQLite), in id order."""
        if not article_ids:
            return
        stamp = _bind_stamp(conn.dialect, now or datetime.now(UTC))
        self._lock(conn)
        ids = sorted(article_ids)
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(_ARTICLES_PG, (ARTICLE, stamp, ids))
        else:
            conn.exec_driver_sql(_ARTICLES_SQLITE, (ARTICLE, stamp, json.dumps(ids)))

    def outlets_gained(self, conn: sa.Connection, article_ids: Sequence[int],
                       now: datetime | None = None) -> None:
        """Announce each of these just-assigned articles that brought its story an outlet it
        did not have: no other article of the same source is in the story, except ones of
        this batch with a smaller id (a story's first report counts too)."""
        if not article_ids:
            return
        batch = sorted(article_ids)
        other = articles.alias("other")
        had_outlet = sa.select(other.c.id).where(
            other.c.story_id == articles.c.story_id, other.c.source_id == articles.c.source_id,
            other.c.id != articles.c.id,
            sa.or_(other.c.id.not_in(batch), other.c.id < articles.c.id)).exists()
        stamp = now or datetime.now(UTC)
        found = sa.select(sa.literal(STORY), articles.c.id, articles.c.story_id,
                          sa.literal(stamp, type_=events.c.created_at.type)).where(
            articles.c.id.in_(batch), articles.c.story_id.is_not(None), ~had_outlet
        ).order_by(articles.c.id)
        self._lock(conn)
        conn.execute(events.insert().from_select(
            ["kind", "article_id", "story_id", "created_at"], found))

    def last_id(self) -> int:
        with self.db.read() as conn:
            return int(conn.execute(sa.select(sa.func.max(events.c.id))).scalar() or 0)

    def after(self, event_id: int, limit: int = 500) -> list[StoredEvent]:
        """Events with a larger id, oldest first, with their article and story as they are now
        (an article deleted since comes back with no title: skip it, but move past it)."""
        query = (
            sa.select(events.c.id, events.c.kind, events.c.article_id, articles.c.title,
                      articles.c.url, articles.c.source_id, articles.c.published_at,
                      articles.c.views,
                      sa.func.coalesce(events.c.story_id, articles.c.story_id).label("sid"),
                      stories.c.title.label("story_title"),
                      stories.c.source_count)
            .select_from(events.outerjoin(articles, articles.c.id == events.c.article_id)
                         .outerjoin(stories, stories.c.id == sa.func.coalesce(
                             events.c.story_id, articles.c.story_id)))
            .where(events.c.id > event_id).order_by(events.c.id).limit(limit)
        )
        with self.db.read() as conn:
            return [StoredEvent(id=r.id, kind=r.kind, article_id=r.article_id, title=r.title,
                                url=r.url, source_id=r.source_id,
                                published_at=r.published_at, views=r.views or 0, story_id=r.sid,
                                story_title=r.story_title, outlets=r.source_count)
                    for r in conn.execute(query)]

    def prune(self, before: datetime) -> int:
        """Forget events older than ``before`` (a reconnecting client can resume within it)."""
        with self.db.write() as conn:
            return conn.execute(events.delete().where(events.c.created_at < before)
                                ).rowcount or 0
