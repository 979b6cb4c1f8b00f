"""Reads (page views) and the small facts in the ``meta`` table.

A read is a row ``(day, visitor, article_id)``: the primary key is what makes "once per visitor
per article per day" hold across every web process. ``record`` inserts a batch and adds only the
rows that were new to ``articles.views`` and ``stories.views``, in one transaction.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.schema import CreateTable

from tidings.store.counters import READS_COUNTED, Counters
from tidings.store.dialects import insert
from tidings.store.engine import Database
from tidings.store.schema import UTCDateTime, articles, meta, reads, stories

CONTENT_VERSION = "content_version"

#: a per-connection scratch table for one flush of reads (see ReadRepo.record)
read_batch = sa.Table(
    "tidings_read_batch", sa.MetaData(),
    sa.Column("day", sa.String(10)), sa.Column("visitor", sa.String(64)),
    sa.Column("article_id", sa.Integer),
    prefixes=["TEMPORARY"],
)


def _bulk_insert(conn: sa.Connection, table: str, columns: Sequence[str],
                 rows: Sequence[tuple[object, ...]]) -> None:
    """Plain values into a scratch table through the driver's own ``executemany``: no
    per-row work in Python, which matters when a flush carries ten thousand reads."""
    style = conn.dialect.paramstyle
    mark = "?" if style == "qmark" else "%s"
    sql = (f"INSERT INTO {table} ({', '.join(columns)}) "
           f"VALUES ({', '.join(mark for _ in columns)})")
    cursor = conn.connection.cursor()
    try:
        cursor.executemany(sql, rows)
    finally:
        cursor.close()


@dataclass(frozen=True, slots=True)
class Read:
    day: str  # YYYY-MM-DD in the site's zone
    visitor: str  # salted daily hash, never an address
    article_id: int
    read_at: datetime


class Meta:
    """Key/value facts shared by every process: the page-cache version, the visitor salt."""

    def __init__(self, db: Database):
        self.db = db

    def get(self, key: str) -> str | None:
        with self.db.read() as conn:
            return conn.execute(sa.select(meta.c.value).where(meta.c.key == key)).scalar()

    def set(self, key: str, value: str) -> None:
        stmt = insert(self.db.dialect, meta).values(key=key, value=value)
        stmt = stmt.on_conflict_do_update(index_elements=["key"], set_={"value": value})
        with self.db.write() as conn:
            conn.execute(stmt)

    def setdefault(self, key: str, value: str) -> str:
        """Store ``value`` unless the key exists; return what is stored (first writer wins)."""
        stmt = insert(self.db.dialect, meta).values(key=key, value=value).on_conflict_do_nothing()
        with self.db.write() as conn:
            conn.execute(stmt)
            stored = conn.execute(sa.select(meta.c.value).where(meta.c.key == key)).scalar_one()
        return str(stored)

    def bump(self, key: str = CONTENT_VERSION, conn: sa.Connection | None = None) -> None:
        """Increment a counter (creating it at 1); inside ``conn``'s transaction if given.

        Writers call ``bump()`` after adding articles or changing stories so every web
        process drops its cached pages.
        """
        value = sa.cast(sa.cast(meta.c.value, sa.Integer) + 1, sa.Text)
        stmt = insert(self.db.dialect, meta).values(key=key, value="1")
        stmt = stmt.on_conflict_do_update(index_elements=["key"], set_={"value": value})
        if conn is not None:
            conn.execute(stmt)
            return
        with self.db.write() as own:
            own.execute(stmt)

    def content_token(self) -> str:
        """A string that changes whenever content does: the counter plus the newest ids.

        The ids make the token move even for writers that forget to ``bump``.
        """
        with self.db.read() as conn:
            version = conn.execute(
                sa.select(meta.c.value).where(meta.c.key == CONTENT_VERSION)).scalar()
            last_article = conn.execute(sa.select(sa.func.max(articles.c.id))).scalar()
            last_story = conn.execute(sa.select(sa.func.max(stories.c.id))).scalar()
        return f"{version or 0}:{last_article or 0}:{last_story or 0}"

    def daily_salt(self, day: str) -> str:
        """The salt for ``day``, created on first use; older salts are deleted (rotation)."""
        key = f"read_salt:{day}"
        salt = self.get(key)
        if salt is not None:
            return salt
        salt = self.setdefault(key, secrets.token_hex(16))
        with self.db.write() as conn:
            conn.execute(meta.delete().where(meta.c.key.like("read\\_salt:%", escape="\\"),
                                             meta.c.key < key))
        return salt


class ReadRepo:
    def __init__(self, db: Database, totals: Counters):
        self.db = db
        self.totals = totals

    def record(self, batch: Sequence[Read]) -> int:
        """Insert reads; count each new (day, visitor, article) once. Returns reads counted.

        Set-based, so a flush of thousands of reads is a handful of statements: the batch goes
        into a temporary table (one executemany), one ``INSERT .. SELECT .. ON CONFLICT DO
        NOTHING RETURNING`` keeps the new keys and says which they were, and the views are
        added from that. Reads of articles deleted meanwhile are dropped.
        """
        if not batch:
            return 0
        unique = {(r.day, r.visitor, r.article_id) for r in batch}
        read_at = max(r.read_at for r in batch)  # one time per flush: seconds late at most
        keep = (sa.select(read_batch.c.day, read_batch.c.visitor, read_batch.c.article_id,
                          sa.bindparam("read_at", read_at, type_=UTCDateTime))
                .join(articles, articles.c.id == read_batch.c.article_id)
                .where(sa.true()))  # WHERE lets SQLite parse the ON CONFLICT that follows
        stmt = (insert(self.db.dialect, reads)
                .from_select(["day", "visitor", "article_id", "read_at"], keep)
                .on_conflict_do_nothing(index_elements=["day", "visitor", "article_id"])
                .returning(reads.c.article_id))
        with self.db.write() as conn:
            conn.execute(CreateTable(read_batch, if_not_exists=True))
            conn.execute(read_batch.delete())
            _bulk_insert(conn, read_batch.name, ("day", "visitor", "article_id"), list(unique))
            new = Counter(int(aid) for aid in conn.execute(stmt).scalars())
            conn.execute(read_batch.delete())
            self._add_views(conn, new)
            self.totals.add(conn, {READS_COUNTED: sum(new.values())})
        return sum(new.values())

    def _add_views(self, conn: sa.Connection, per_article: Counter[int]) -> None:
        # lock rows in id order first: concurrent flushes of several web processes on
        # PostgreSQL otherwise deadlock (no-op on SQLite, whose writers queue)
        conn.execute(sa.select(articles.c.id).where(articles.c.id.in_(sorted(per_article)))
                     .order_by(articles.c.id).with_for_update(key_share=True))
        by_count: dict[int, list[int]] = {}
        for aid, n in per_article.items():
            by_count.setdefault(n, []).append(aid)
        for n, ids in by_count.items():
            conn.execute(articles.update().where(articles.c.id.in_(ids))
                         .values(views=articles.c.views + n))
        per_story: Counter[int] = Counter()
        owners = conn.execute(sa.select(articles.c.id, articles.c.story_id).where(
            articles.c.id.in_(list(per_article)), articles.c.story_id.is_not(None)))
        for aid, sid in owners:
            per_story[sid] += per_article[aid]
        for sid, n in sorted(per_story.items()):
            conn.execute(stories.update().where(stories.c.id == sid)
                         .values(views=stories.c.views + n))

    def counts_since(self, since: datetime, *, limit: int = 10) -> list[tuple[int, int]]:
        """``(article_id, reads)`` since a time, most read first."""
        n = sa.func.count().label("n")
        query = (sa.select(reads.c.article_id, n).where(reads.c.read_at >= since)
                 .group_by(reads.c.article_id).order_by(n.desc(), reads.c.article_id.desc())
                 .limit(limit))
        with self.db.read() as conn:
            return [(int(a), int(c)) for a, c in conn.execute(query)]

    def read_times(self, since: datetime, article_ids: Iterable[int] | None = None
                   ) -> list[tuple[int, int | None, datetime]]:
        """``(article_id, story_id, read_at)`` of every read since a time (for trending)."""
        query = (sa.select(reads.c.article_id, articles.c.story_id, reads.c.read_at)
                 .join(articles, articles.c.id == reads.c.article_id)
                 .where(reads.c.read_at >= since))
        if article_ids is not None:
            query = query.where(reads.c.article_id.in_(list(article_ids)))
        with self.db.read() as conn:
            return [(int(a), s, t) for a, s, t in conn.execute(query)]

    def count(self) -> int:
        """Reads stored (the benchmarks check that buffered reads were all written)."""
        with self.db.read() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(reads)).scalar_one())

    def prune(self, before: datetime) -> int:
        """Forget dedup keys older than ``before`` (views already counted stay counted)."""
        with self.db.write() as conn:
            return conn.execute(reads.delete().where(reads.c.read_at < before)).rowcount or 0


def retention_cutoff(now: datetime, days: int = 8) -> datetime:
    return now - timedelta(days=days)
