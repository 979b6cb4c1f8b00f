"""Reading state per user: read/unread and starred, kept small.

Each subscription holds ``read_through``: every article of that source with a smaller or equal
id is read. ``article_states`` holds only the exceptions (an unread article below the mark, a
read one above it) and the stars. After articles are marked read, :meth:`ReadStateRepo.compact`
moves the mark up over the run of read articles and drops the exceptions it covers, so a
reader who keeps up costs one number per source, however many articles there are. Marking
unread works on any article: below the mark it becomes an "unread" exception.

(On PostgreSQL an article whose transaction commits after a larger id was already counted can
land below a mark moved meanwhile, and show as read; the window is one feed's transaction.)
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from tidings.store.dialects import insert
from tidings.store.engine import Database
from tidings.store.schema import article_states, articles, read_undo, subscriptions
from tidings.store.subscriptions import followed_sources
from tidings.store.visibility import public_sources

CHUNK = 5_000  # ids per IN list: under SQLite's 32,766 variables, few round trips
#: mark-all-read actions that can still be undone, per user
UNDO_KEEP = 5


def chunks(ids: Sequence[int], size: int = CHUNK) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def _targets(conn: sa.Connection, user_id: int, ids: Sequence[int]
             ) -> list[tuple[int, int, int]]:
    """(article id, source id, read_through or 0) for the ids ``user_id`` may see."""
    marks = dict(conn.execute(sa.select(subscriptions.c.source_id, subscriptions.c.read_through)
                              .where(subscriptions.c.user_id == user_id)).all())
    public = set(conn.execute(public_sources()).scalars())
    found: list[tuple[int, int, int]] = []
    for part in chunks(sorted(set(ids))):
        rows = conn.execute(sa.select(articles.c.id, articles.c.source_id)
                            .where(articles.c.id.in_(part)))
        found.extend((i, s, marks.get(s, 0)) for i, s in rows if s in marks or s in public)
    return found


def _sub(user_id: int) -> sa.ColumnElement[bool]:
    return sa.and_(subscriptions.c.user_id == user_id,
                   subscriptions.c.source_id == articles.c.source_id)


def _drop_empty(conn: sa.Connection, user_id: int, ids: Sequence[int]) -> None:
    for part in chunks(ids):
        conn.execute(article_states.delete().where(
            article_states.c.user_id == user_id, article_states.c.article_id.in_(part),
            article_states.c.is_read.is_(None), article_states.c.starred_at.is_(None)))


def _store_read(conn: sa.Connection, user_id: int, values: dict[int, bool | None]) -> None:
    """Write each article's exception (None: no exception, as the mark says)."""
    dialect = conn.dialect.name
    kept = [{"user_id": user_id, "article_id": i, "is_read": v}
            for i, v in values.items() if v is not None]
    if kept:  # one statement, many parameter sets: compiled once, sent in batches
        statement = insert(dialect, article_states)
        conn.execute(statement.on_conflict_do_update(
            index_elements=["user_id", "article_id"],
            set_={"is_read": statement.excluded.is_read}), kept)
    cleared = [i for i, v in values.items() if v is None]
    for part in chunks(cleared):
        conn.execute(article_states.update().where(
            article_states.c.user_id == user_id, article_states.c.article_id.in_(part),
            article_states.c.is_read.is_not(None)).values(is_read=None))
    _drop_empty(conn, user_id, cleared)


class ReadStateRepo:
    def __init__(self, db: Database):
        self.db = db

    # -- single articles ---------------------------------------------------------------------

    def set_read(self, user_id: int, article_ids: Iterable[int], read: bool) -> list[int]:
        """Mark articles read or unread; the ids that ``user_id`` may see (others skipped)."""
        with self.db.write() as conn:
            return self._set_read(conn, user_id, list(article_ids), read)

    def _set_read(self, conn: sa.Connection, user_id: int, ids: Sequence[int],
                  read: bool) -> list[int]:
        targets = _targets(conn, user_id, ids)
        values: dict[int, bool | None] = {}
        for article_id, _source, through in targets:
            below = article_id <= through
            values[article_id] = (None if below else True) if read else (False if below else None)
        _store_read(conn, user_id, values)
        if read:
            self.compact(conn, user_id, {source for _id, source, _t in targets})
        return [t[0] for t in targets]

    def set_starred(self, user_id: int, article_ids: Iterable[int], starred: bool,
                    now: datetime) -> list[int]:
        """Star or unstar articles (a star keeps its first time); the ids ``user_id`` may see."""
        with self.db.write() as conn:
            ids = [t[0] for t in _targets(conn, user_id, list(article_ids))]
            if starred:
                if ids:
                    statement = insert(self.db.dialect, article_states)
                    conn.execute(statement.on_conflict_do_update(
                        index_elements=["user_id", "article_id"],
                        set_={"starred_at": sa.func.coalesce(article_states.c.starred_at,
                                                             statement.excluded.starred_at)}),
                        [{"user_id": user_id, "article_id": i, "starred_at": now} for i in ids])
                return ids
            for part in chunks(ids):
                conn.execute(article_states.update().where(
                    article_states.c.user_id == user_id, article_states.c.article_id.in_(part)
                ).values(starred_at=None))
            _drop_empty(conn, user_id, ids)
            return ids

    def copies(self, user_id: int, article_ids: Iterable[int]) -> list[int]:
        """Articles in sources ``user_id`` follows that are copies of these (same original,
        ``articles.duplicate_of``), the given ones included."""
        ids = sorted(set(article_ids))
        found: set[int] = set(ids)
        with self.db.read() as conn:
            followed = set(conn.execute(followed_sources(user_id)).scalars())
            roots: set[int] = set()
            for part in chunks(ids):
                roots.update(conn.execute(sa.select(
                    sa.func.coalesce(articles.c.duplicate_of, articles.c.id)
                ).where(articles.c.id.in_(part))).scalars())
            for part in chunks(sorted(roots)):
                for column in (articles.c.id, articles.c.duplicate_of):
                    rows = conn.execute(sa.select(articles.c.id, articles.c.source_id)
                                        .where(column.in_(part)))
                    found.update(i for i, s in rows if s in followed)
        return sorted(found)

    # -- marks -------------------------------------------------------------------------------

    def compact(self, conn: sa.Connection, user_id: int, source_ids: Iterable[int]) -> None:
        """Move each subscription's mark up over the read articles just above it, and drop
        the exceptions it now covers (a few set-based statements, whatever the number of
        sources)."""
        wanted = sorted(set(source_ids))
        if not wanted:
            return
        read = sa.exists(sa.select(article_states.c.article_id).where(
            article_states.c.user_id == user_id, article_states.c.article_id == articles.c.id,
            article_states.c.is_read == sa.true()))
        marks = dict(conn.execute(
            sa.select(subscriptions.c.source_id, subscriptions.c.read_through).where(
                subscriptions.c.user_id == user_id,
                subscriptions.c.source_id.in_(wanted))).all())
        first_unread = dict(conn.execute(
            sa.select(articles.c.source_id, sa.func.min(articles.c.id))
            .join(subscriptions, sa.and_(_sub(user_id),
                                         articles.c.id > subscriptions.c.read_through))
            .where(articles.c.source_id.in_(list(marks)), ~read)
            .group_by(articles.c.source_id)).all())
        newest = dict(conn.execute(
            sa.select(articles.c.source_id, sa.func.max(articles.c.id))
            .where(articles.c.source_id.in_([s for s in marks if s not in first_unread]))
            .group_by(articles.c.source_id)).all())
        moves = []
        for source_id, through in marks.items():
            top = first_unread[source_id] - 1 if source_id in first_unread else \
                newest.get(source_id, through)
            if top > through:
                moves.append({"s": source_id, "t": top})
        if moves:
            self._move_marks(conn, user_id, moves)

    @staticmethod
    def _move_marks(conn: sa.Connection, user_id: int, moves: Sequence[dict[str, int]]) -> None:
        conn.execute(subscriptions.update().where(
            subscriptions.c.user_id == user_id,
            subscriptions.c.source_id == sa.bindparam("s")).values(
                read_through=sa.bindparam("t")), list(moves))
        covered = (sa.select(articles.c.id).join(subscriptions, sa.and_(
            _sub(user_id), articles.c.id <= subscriptions.c.read_through))
            .where(articles.c.source_id.in_([m["s"] for m in moves])))
        conn.execute(article_states.update().where(
            article_states.c.user_id == user_id, article_states.c.is_read == sa.true(),
            article_states.c.article_id.in_(covered)).values(is_read=None))
        conn.execute(article_states.delete().where(
            article_states.c.user_id == user_id, article_states.c.is_read.is_(None),
            article_states.c.starred_at.is_(None)))

    def mark_sources_read(self, user_id: int, source_ids: Sequence[int], now: datetime) -> int:
        """Everything in these followed sources is read; the undo id."""
        with self.db.write() as conn:
            marks = {r.source_id: r.read_through for r in conn.execute(
                sa.select(subscriptions.c.source_id, subscriptions.c.read_through).where(
                    subscriptions.c.user_id == user_id,
                    subscriptions.c.source_id.in_(list(source_ids))))}
            newest = dict(conn.execute(
                sa.select(articles.c.source_id, sa.func.max(articles.c.id))
                .where(articles.c.source_id.in_(list(marks))).group_by(articles.c.source_id)
            ).all())
            states = conn.execute(
                sa.select(article_states.c.article_id, article_states.c.is_read)
                .join(articles, articles.c.id == article_states.c.article_id)
                .where(article_states.c.user_id == user_id,
                       article_states.c.is_read.is_not(None),
                       articles.c.source_id.in_(list(marks)))).all()
            for source_id, top in newest.items():
                if top > marks[source_id]:
                    conn.execute(subscriptions.update().where(
                        subscriptions.c.user_id == user_id,
                        subscriptions.c.source_id == source_id).values(read_through=top))
            _store_read(conn, user_id, {article_id: None for article_id, _read in states})
            return self._remember(conn, user_id, now, {
                "marks": {str(k): v for k, v in marks.items()},
                "states": [[i, bool(r)] for i, r in states]})

    def mark_ids_read(self, user_id: int, article_ids: Sequence[int], now: datetime) -> int:
        """These (unread) articles are read; the undo id."""
        with self.db.write() as conn:
            done = self._set_read(conn, user_id, article_ids, True)
            return self._remember(conn, user_id, now, {"ids": done})

    def _remember(self, conn: sa.Connection, user_id: int, now: datetime,
                  data: dict[str, Any]) -> int:
        undo_id = int(conn.execute(read_undo.insert().values(
            user_id=user_id, created_at=now, data=json.dumps(data)
        ).returning(read_undo.c.id)).scalar_one())
        kept = (sa.select(read_undo.c.id).where(read_undo.c.user_id == user_id)
                .order_by(read_undo.c.id.desc()).limit(UNDO_KEEP))
        conn.execute(read_undo.delete().where(read_undo.c.user_id == user_id,
                                              read_undo.c.id.not_in(kept.scalar_subquery())))
        return undo_id

    def undo(self, user_id: int, undo_id: int) -> bool:
        """Take a mark-all-read back (once); False when there is nothing to undo."""
        with self.db.write() as conn:
            raw = conn.execute(sa.select(read_undo.c.data).where(
                read_undo.c.id == undo_id, read_undo.c.user_id == user_id)).scalar()
            if raw is None:
                return False
            conn.execute(read_undo.delete().where(read_undo.c.id == undo_id))
            data = json.loads(raw)
            if "ids" in data:
                self._set_read(conn, user_id, data["ids"], False)
                return True
            for source_id, through in data["marks"].items():
                conn.execute(subscriptions.update().where(
                    subscriptions.c.user_id == user_id,
                    subscriptions.c.source_id == int(source_id)).values(read_through=through))
            _store_read(conn, user_id, {int(i): bool(r) for i, r in data["states"]})
            return True

    def state_rows(self, user_id: int) -> int:
        """How many exception/star rows ``user_id`` has (their marks are one per source)."""
        with self.db.read() as conn:
            return int(conn.execute(sa.select(sa.func.count()).where(
                article_states.c.user_id == user_id)).scalar_one())
