"""Who follows what: per-user subscriptions over the one shared catalogue of sources, and
folders. A source is fetched once however many follow it.

A new account follows every public source; a public source added (or published) later is
followed by every account at once, and anyone may unfollow it. A private source (added by a
reader) is followed only by the readers who subscribed to it. Following a source with a
history starts its unread list at the last ``BACKLOG`` of arrivals (older ones count as read).
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from tidings.errors import NotFoundError, OperationError
from tidings.store.dialects import insert
from tidings.store.engine import Database
from tidings.store.schema import articles, feeds, folders, sources, subscriptions, users

#: a newly followed source shows as unread what arrived in this last stretch of time
BACKLOG = timedelta(days=2)


@dataclass(frozen=True, slots=True)
class Folder:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class Subscription:
    source_id: int
    title: str  # the reader's own title, else the source's name
    source_name: str
    site_url: str | None
    feed_url: str | None  # the source's first feed
    folder_id: int | None
    folder: str | None
    public: bool
    last_new_at: datetime | None = None  # when any of the source's feeds last brought news


def _backlog_start(source_id: sa.ColumnElement[int] | int,
                   now: datetime) -> sa.ScalarSelect[int]:
    """The id up to which a new follower counts the source's articles as read."""
    return sa.select(sa.func.coalesce(sa.func.max(articles.c.id), 0)).where(
        articles.c.source_id == source_id, articles.c.fetched_at < now - BACKLOG
    ).scalar_subquery()


def follow_for_everyone(conn: sa.Connection, source_id: int, now: datetime) -> None:
    """Every account follows ``source_id`` (a public source just added or published)."""
    dialect = conn.dialect.name
    chosen = sa.select(users.c.id, sa.literal(source_id), _backlog_start(source_id, now),
                       sa.literal(now, type_=subscriptions.c.created_at.type)
                       ).where(users.c.id.is_not(None))  # SQLite: a WHERE before ON CONFLICT
    conn.execute(insert(dialect, subscriptions).from_select(
        ["user_id", "source_id", "read_through", "created_at"], chosen
    ).on_conflict_do_nothing())


def follow_public_sources(conn: sa.Connection, user_id: int, now: datetime) -> None:
    """A new account follows every public source."""
    chosen = sa.select(sa.literal(user_id), sources.c.id, _backlog_start(sources.c.id, now),
                       sa.literal(now, type_=subscriptions.c.created_at.type)
                       ).where(sources.c.is_public == sa.true())
    conn.execute(insert(conn.dialect.name, subscriptions).from_select(
        ["user_id", "source_id", "read_through", "created_at"], chosen
    ).on_conflict_do_nothing())


def followed_sources(user_id: int) -> sa.Select[Any]:
    return sa.select(subscriptions.c.source_id).where(subscriptions.c.user_id == user_id)


def visible_sources(user_id: int) -> sa.Select[Any]:
    """Sources whose articles ``user_id`` may see: the public ones and those they follow."""
    return sa.select(sources.c.id).where(sa.or_(
        sources.c.is_public == sa.true(), sources.c.id.in_(followed_sources(user_id))))


class SubscriptionRepo:
    def __init__(self, db: Database):
        self.db = db

    def list(self, user_id: int) -> builtins.list[Subscription]:
        first_feed = (sa.select(feeds.c.url).where(feeds.c.source_id == sources.c.id)
                      .order_by(feeds.c.id).limit(1).scalar_subquery())
        last_new = (sa.select(sa.func.max(feeds.c.last_new_at))
                    .where(feeds.c.source_id == sources.c.id).scalar_subquery())
        query = (
            sa.select(subscriptions.c.source_id, subscriptions.c.title, sources.c.name,
                      sources.c.url, first_feed.label("feed_url"), subscriptions.c.folder_id,
                      folders.c.name.label("folder"), sources.c.is_public,
                      last_new.label("last_new_at"))
            .join(sources, sources.c.id == subscriptions.c.source_id)
            .outerjoin(folders, folders.c.id == subscriptions.c.folder_id)
            .where(subscriptions.c.user_id == user_id)
            .order_by(sa.func.lower(sa.func.coalesce(subscriptions.c.title, sources.c.name)),
                      subscriptions.c.source_id)
        )
        with self.db.read() as conn:
            return [Subscription(r.source_id, r.title or r.name, r.name, r.url, r.feed_url,
                                 r.folder_id, r.folder, bool(r.is_public), r.last_new_at)
                    for r in conn.execute(query)]

    def get(self, user_id: int, source_id: int) -> Subscription:
        for found in self.list(user_id):  # a reader follows tens to hundreds of sources
            if found.source_id == source_id:
                return found
        raise NotFoundError(f"not subscribed to source {source_id}")

    def source_ids(self, user_id: int, folder_id: int | None = None) -> builtins.list[int]:
        query = followed_sources(user_id).order_by(subscriptions.c.source_id)
        if folder_id is not None:
            query = query.where(subscriptions.c.folder_id == folder_id)
        with self.db.read() as conn:
            return [int(i) for i in conn.execute(query).scalars()]

    def can_see(self, user_id: int, source_id: int) -> bool:
        with self.db.read() as conn:
            return conn.execute(visible_sources(user_id).where(sources.c.id == source_id)
                                ).first() is not None

    def follow(self, user_id: int, source_id: int, now: datetime,
               folder_id: int | None = None) -> bool:
        """Follow a source (True), or change nothing when already following (False)."""
        with self.db.write() as conn:
            if folder_id is not None:
                _own_folder(conn, user_id, folder_id)
            done = conn.execute(insert(self.db.dialect, subscriptions).values(
                user_id=user_id, source_id=source_id, folder_id=folder_id,
                read_through=_backlog_start(source_id, now), created_at=now,
            ).on_conflict_do_nothing())
            return bool(done.rowcount)

    def unfollow(self, user_id: int, source_id: int) -> bool:
        with self.db.write() as conn:
            return bool(conn.execute(subscriptions.delete().where(
                subscriptions.c.user_id == user_id,
                subscriptions.c.source_id == source_id)).rowcount)

    def followers(self, source_id: int) -> int:
        with self.db.read() as conn:
            return int(conn.execute(sa.select(sa.func.count()).where(
                subscriptions.c.source_id == source_id)).scalar_one())

    def set_title(self, user_id: int, source_id: int, title: str | None) -> None:
        self._update(user_id, source_id, title=title or None)

    def set_folder(self, user_id: int, source_id: int, folder_id: int | None) -> None:
        with self.db.write() as conn:
            if folder_id is not None:
                _own_folder(conn, user_id, folder_id)
            self._update_in(conn, user_id, source_id, folder_id=folder_id)

    def _update(self, user_id: int, source_id: int, **values: object) -> None:
        with self.db.write() as conn:
            self._update_in(conn, user_id, source_id, **values)

    @staticmethod
    def _update_in(conn: sa.Connection, user_id: int, source_id: int, **values: object) -> None:
        done = conn.execute(subscriptions.update().where(
            subscriptions.c.user_id == user_id, subscriptions.c.source_id == source_id
        ).values(**values))
        if not done.rowcount:
            raise NotFoundError(f"not subscribed to source {source_id}")

    # -- folders -----------------------------------------------------------------------------

    def folders(self, user_id: int) -> builtins.list[Folder]:
        with self.db.read() as conn:
            rows = conn.execute(sa.select(folders.c.id, folders.c.name)
                                .where(folders.c.user_id == user_id)
                                .order_by(sa.func.lower(folders.c.name), folders.c.id))
            return [Folder(r.id, r.name) for r in rows]

    def folder_by_name(self, user_id: int, name: str) -> Folder | None:
        with self.db.read() as conn:
            row = conn.execute(sa.select(folders.c.id, folders.c.name).where(
                folders.c.user_id == user_id, folders.c.name == name)).first()
        return Folder(row.id, row.name) if row else None

    def folder(self, user_id: int, folder_id: int) -> Folder:
        with self.db.read() as conn:
            return _own_folder(conn, user_id, folder_id)

    def add_folder(self, user_id: int, name: str) -> Folder:
        """The folder called ``name``, created when it does not exist yet."""
        with self.db.write() as conn:
            conn.execute(insert(self.db.dialect, folders).values(user_id=user_id, name=name)
                         .on_conflict_do_nothing())
        found = self.folder_by_name(user_id, name)
        assert found is not None
        return found

    def rename_folder(self, user_id: int, folder_id: int, name: str) -> Folder:
        with self.db.write() as conn:
            _own_folder(conn, user_id, folder_id)
            taken = conn.execute(sa.select(folders.c.id).where(
                folders.c.user_id == user_id, folders.c.name == name,
                folders.c.id != folder_id)).first()
            if taken:
                raise OperationError(f"a folder named {name!r} exists already")
            conn.execute(folders.update().where(folders.c.id == folder_id).values(name=name))
        return Folder(folder_id, name)

    def delete_folder(self, user_id: int, folder_id: int) -> None:
        """Delete a folder; its subscriptions stay, outside any folder."""
        with self.db.write() as conn:
            _own_folder(conn, user_id, folder_id)
            conn.execute(subscriptions.update().where(subscriptions.c.folder_id == folder_id)
                         .values(folder_id=None))
            conn.execute(folders.delete().where(folders.c.id == folder_id))

    def folder_sources(self, user_id: int, folder_ids: Sequence[int]) -> builtins.list[int]:
        with self.db.read() as conn:
            return [int(i) for i in conn.execute(followed_sources(user_id).where(
                subscriptions.c.folder_id.in_(folder_ids))).scalars()]


def _own_folder(conn: sa.Connection, user_id: int, folder_id: int) -> Folder:
    row = conn.execute(sa.select(folders.c.id, folders.c.name).where(
        folders.c.id == folder_id, folders.c.user_id == user_id)).first()
    if row is None:
        raise NotFoundError(f"no folder with id {folder_id}")
    return Folder(row.id, row.name)
