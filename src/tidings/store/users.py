"""Accounts and failed sign-ins.

Failed sign-ins live in the database (not in process memory), so a rate limit holds across
every web process and a restart does not reset it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from tidings.errors import ConstraintError, NotFoundError, UserExistsError
from tidings.store.dialects import insert
from tidings.store.engine import Database
from tidings.store.schema import login_attempts, meta, users
from tidings.store.subscriptions import follow_public_sources


@dataclass(frozen=True, slots=True)
class User:
    id: int
    name: str
    password_hash: str
    is_admin: bool
    created_at: datetime


def user_from_row(row: Mapping[Any, Any]) -> User:
    return User(row["id"], row["name"], row["password_hash"], bool(row["is_admin"]),
                row["created_at"])


class UserRepo:
    def __init__(self, db: Database):
        self.db = db

    def create(self, name: str, password_hash: str, *, is_admin: bool, now: datetime) -> User:
        taken = UserExistsError(f"a user named {name!r} already exists")
        try:
            with self.db.write() as conn:
                if conn.execute(sa.select(users.c.id).where(users.c.name == name)).first():
                    raise taken
                new_id = conn.execute(
                    users.insert().values(name=name, password_hash=password_hash,
                                          is_admin=is_admin, created_at=now).returning(users.c.id)
                ).scalar_one()
                follow_public_sources(conn, new_id, now)
        except ConstraintError:  # created by another process since the check
            raise taken from None
        return self.get(new_id)

    def get(self, user_id: int) -> User:
        with self.db.read() as conn:
            row = conn.execute(users.select().where(users.c.id == user_id)).mappings().first()
        if row is None:
            raise NotFoundError(f"no user with id {user_id}")
        return user_from_row(row)

    def by_name(self, name: str) -> User | None:
        with self.db.read() as conn:
            row = conn.execute(users.select().where(users.c.name == name)).mappings().first()
        return user_from_row(row) if row else None

    def list(self) -> list[User]:
        with self.db.read() as conn:
            return [user_from_row(r) for r in conn.execute(users.select().order_by(users.c.name))
                    .mappings()]

    def delete(self, name: str) -> None:
        with self.db.write() as conn:
            if conn.execute(users.delete().where(users.c.name == name)).rowcount == 0:
                raise NotFoundError(f"no user named {name!r}")

    def set_password(self, name: str, password_hash: str) -> None:
        with self.db.write() as conn:
            done = conn.execute(users.update().where(users.c.name == name)
                                .values(password_hash=password_hash))
            if done.rowcount == 0:
                raise NotFoundError(f"no user named {name!r}")

    def set_admin(self, name: str, is_admin: bool) -> None:
        with self.db.write() as conn:
            done = conn.execute(users.update().where(users.c.name == name)
                                .values(is_admin=is_admin))
            if done.rowcount == 0:
                raise NotFoundError(f"no user named {name!r}")

    # -- ended sessions ----------------------------------------------------------------------

    def end_sessions(self, user_id: int, now: datetime) -> None:
        """Sessions of ``user_id`` issued before ``now`` are no longer accepted (sign-out)."""
        key = f"sessions_after:{user_id}"
        value = str(now.timestamp())
        statement = insert(self.db.dialect, meta).values(key=key, value=value)
        with self.db.write() as conn:
            conn.execute(statement.on_conflict_do_update(index_elements=["key"],
                                                         set_={"value": value}))

    def sessions_valid_after(self, user_id: int) -> float:
        """The time (epoch seconds) before which this user's sessions were ended, or 0."""
        with self.db.read() as conn:
            value = conn.execute(sa.select(meta.c.value)
                                 .where(meta.c.key == f"sessions_after:{user_id}")).scalar()
        try:
            return float(value) if value is not None else 0.0
        except ValueError:
            return 0.0

    # -- failed sign-ins ---------------------------------------------------------------------

    def record_failure(self, key: str, address: str, now: datetime) -> None:
        with self.db.write() as conn:
            conn.execute(login_attempts.insert().values(key=key, address=address,
                                                        attempted_at=now))

    def failures_since(self, since: datetime, *, key: str | None = None,
                       address: str | None = None) -> tuple[int, datetime | None]:
        """How many failures since ``since`` for a key or an address, and the oldest of them."""
        query = sa.select(sa.func.count(), sa.func.min(login_attempts.c.attempted_at)).where(
            login_attempts.c.attempted_at >= since)
        if key is not None:
            query = query.where(login_attempts.c.key == key)
        if address is not None:
            query = query.where(login_attempts.c.address == address)
        with self.db.read() as conn:
            count, oldest = conn.execute(query).one()
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=UTC)
        return int(count), oldest

    def clear_failures(self, key: str) -> None:
        with self.db.write() as conn:
            conn.execute(login_attempts.delete().where(login_attempts.c.key == key))

    def prune_failures(self, before: datetime) -> int:
        with self.db.write() as conn:
            return conn.execute(login_attempts.delete()
                                .where(login_attempts.c.attempted_at < before)).rowcount
