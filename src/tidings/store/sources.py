"""Sources (outlets) and their feeds."""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from tidings.errors import NotFoundError
from tidings.models import Feed, Source
from tidings.store.engine import Database
from tidings.store.schema import feeds, sources
from tidings.store.subscriptions import follow_for_everyone

SOURCE_FIELDS = ("name", "url", "category", "fulltext", "language", "paused")
FEED_FIELDS = ("url", "title", "site_url", "etag", "last_modified", "next_check_at",
               "last_checked_at", "error_count", "last_error", "disabled", "poll_interval",
               "last_push_at")


def source_from_row(row: Mapping[Any, Any]) -> Source:
    return Source(id=row["id"], public=bool(row["is_public"]),
                  **{k: row[k] for k in SOURCE_FIELDS})


def feed_from_row(row: Mapping[Any, Any]) -> Feed:
    return Feed(id=row["id"], source_id=row["source_id"], **{k: row[k] for k in FEED_FIELDS})


class SourceRepo:
    def __init__(self, db: Database):
        self.db = db

    def add(self, source: Source, now: datetime) -> Source:
        """Add a source; a public one is followed by every account at once (a reader may
        unfollow it later), a private one by nobody yet (its adder follows it)."""
        values = {k: getattr(source, k) for k in SOURCE_FIELDS}
        with self.db.write() as conn:
            new_id = conn.execute(
                sources.insert().values(**values, is_public=source.public, created_at=now)
                .returning(sources.c.id)
            ).scalar_one()
            if source.public:
                follow_for_everyone(conn, new_id, now)
        return self.get(new_id)

    def publish(self, source_id: int, now: datetime) -> Source:
        """Make a reader's private source public: it appears on the site, and every account
        follows it (as when an administrator adds one); publishing twice changes nothing."""
        with self.db.write() as conn:
            row = conn.execute(sa.select(sources.c.is_public)
                               .where(sources.c.id == source_id)).first()
            if row is None:
                raise NotFoundError(f"no source with id {source_id}")
            if not row.is_public:
                conn.execute(sources.update().where(sources.c.id == source_id)
                             .values(is_public=True))
                follow_for_everyone(conn, source_id, now)
        return self.get(source_id)

    def get(self, source_id: int, *, public_only: bool = False) -> Source:
        query = sources.select().where(sources.c.id == source_id)
        if public_only:
            query = query.where(sources.c.is_public == sa.true())
        with self.db.read() as conn:
            row = conn.execute(query).mappings().first()
        if row is None:
            raise NotFoundError(f"no source with id {source_id}")
        return source_from_row(row)

    def find(self, *, url: str | None = None, name: str | None = None) -> Source | None:
        query = sources.select()
        if url is not None:
            query = query.where(sources.c.url == url)
        if name is not None:
            query = query.where(sources.c.name == name)
        with self.db.read() as conn:
            row = conn.execute(query.limit(1)).mappings().first()
        return source_from_row(row) if row else None

    def list(self, *, public_only: bool = False) -> list[Source]:
        query = sources.select().order_by(sources.c.name, sources.c.id)
        if public_only:
            query = query.where(sources.c.is_public == sa.true())
        with self.db.read() as conn:
            rows = conn.execute(query).mappings()
            return [source_from_row(r) for r in rows]

    def update(self, source_id: int, **changes: Any) -> Source:
        unknown = set(changes) - set(SOURCE_FIELDS)
        if unknown:
            raise ValueError(f"cannot change {', '.join(sorted(unknown))}")
        with self.db.write() as conn:
            done = conn.execute(sources.update().where(sources.c.id == source_id).values(**changes))
            if done.rowcount == 0:
                raise NotFoundError(f"no source with id {source_id}")
        return self.get(source_id)

    def remove(self, source_id: int) -> None:
        """Remove a source with its feeds and articles, in one transaction."""
        from tidings.store.schema import articles

        with self.db.write() as conn:
            exists = sa.select(sources.c.id).where(sources.c.id == source_id)
            if conn.execute(exists).first() is None:
                raise NotFoundError(f"no source with id {source_id}")
            ids = sa.select(articles.c.id).where(articles.c.source_id == source_id)
            conn.execute(articles.update().where(articles.c.duplicate_of.in_(ids))
                         .values(duplicate_of=None))
            conn.execute(articles.delete().where(articles.c.source_id == source_id))
            conn.execute(feeds.delete().where(feeds.c.source_id == source_id))
            conn.execute(sources.delete().where(sources.c.id == source_id))


class FeedRepo:
    def __init__(self, db: Database):
        self.db = db

    def add(self, feed: Feed, now: datetime) -> Feed:
        values = {k: getattr(feed, k) for k in FEED_FIELDS}
        with self.db.write() as conn:
            new_id = conn.execute(
                feeds.insert()
                .values(**values, source_id=feed.source_id, created_at=now)
                .returning(feeds.c.id)
            ).scalar_one()
        return self.get(new_id)

    def get(self, feed_id: int) -> Feed:
        with self.db.read() as conn:
            row = conn.execute(feeds.select().where(feeds.c.id == feed_id)).mappings().first()
        if row is None:
            raise NotFoundError(f"no feed with id {feed_id}")
        return feed_from_row(row)

    def by_url(self, url: str) -> Feed | None:
        with self.db.read() as conn:
            row = conn.execute(feeds.select().where(feeds.c.url == url)).mappings().first()
        return feed_from_row(row) if row else None

    def list(self, source_id: int | None = None) -> list[Feed]:
        query = feeds.select().order_by(feeds.c.id)
        if source_id is not None:
            query = query.where(feeds.c.source_id == source_id)
        with self.db.read() as conn:
            return [feed_from_row(r) for r in conn.execute(query).mappings()]

    def active(self, due_before: datetime | None = None) -> builtins.list[Feed]:
        """Feeds that may be fetched: not disabled, source not paused, optionally due."""
        query = (
            feeds.select()
            .join(sources, sources.c.id == feeds.c.source_id)
            .where(feeds.c.disabled == sa.false(), sources.c.paused == sa.false())
            .order_by(feeds.c.next_check_at, feeds.c.id)
        )
        if due_before is not None:
            query = query.where(sa.or_(feeds.c.next_check_at.is_(None),
                                       feeds.c.next_check_at <= due_before))
        with self.db.read() as conn:
            return [feed_from_row(r) for r in conn.execute(query).mappings()]

    def update(self, feed_id: int, conn: sa.Connection | None = None, **changes: Any) -> None:
        """Change feed columns; inside ``conn``'s transaction when one is given."""
        statement = feeds.update().where(feeds.c.id == feed_id).values(**changes)
        if conn is not None:
            conn.execute(statement)
            return
        with self.db.write() as own:
            if own.execute(statement).rowcount == 0:
                raise NotFoundError(f"no feed with id {feed_id}")

    def update_many(self, conn: sa.Connection, changes: Mapping[int, Mapping[str, Any]]) -> None:
        """Change many feeds in ``conn``'s transaction: one ``executemany`` per set of changed
        columns (a refresh changes the same few columns of every feed)."""
        groups: dict[tuple[str, ...], builtins.list[dict[str, Any]]] = {}
        for feed_id, values in changes.items():
            if values:
                row = {f"new_{k}": v for k, v in values.items()}
                groups.setdefault(tuple(sorted(values)), []).append({"feed": feed_id, **row})
        for columns, params in groups.items():
            statement = (feeds.update().where(feeds.c.id == sa.bindparam("feed"))
                         .values({c: sa.bindparam(f"new_{c}") for c in columns}))
            conn.execute(statement, params)

    def remove(self, feed_id: int) -> None:
        with self.db.write() as conn:
            conn.execute(feeds.delete().where(feeds.c.id == feed_id))

    def urls(self, feed_ids: Sequence[int]) -> dict[int, str]:
        with self.db.read() as conn:
            rows = conn.execute(sa.select(feeds.c.id, feeds.c.url).where(feeds.c.id.in_(feed_ids)))
            return {r.id: r.url for r in rows}
