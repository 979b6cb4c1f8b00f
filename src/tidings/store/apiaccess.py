"""What the reader APIs authenticate with, and readers' preferences.

The API password is separate from the sign-in password. Google Reader's ClientLogin checks it
against an Argon2 hash; Fever's clients send md5("NAME:PASSWORD") itself, so that digest is
kept (and looked up) too — nothing else about the password is stored. API tokens are random;
only their SHA-256 is kept, so a copy of the database holds no usable token.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from tidings.errors import NotFoundError
from tidings.store.dialects import insert
from tidings.store.engine import Database
from tidings.store.schema import api_tokens, reader_prefs, users
from tidings.store.users import User, user_from_row

MARK_READ_ON = ("open", "scroll", "never")
#: API tokens kept per account: every ClientLogin makes one (newsboat signs in on each start),
#: so the oldest are retired past this many
KEEP_TOKENS = 50


@dataclass(frozen=True, slots=True)
class ReaderPrefs:
    mark_read_on: str = "open"  # open | scroll | never
    mark_duplicates_read: bool = True  # reading one copy marks the others read
    group_by_story: bool = False


def _prefs(row: Mapping[Any, Any] | None) -> ReaderPrefs:
    if row is None:
        return ReaderPrefs()
    return ReaderPrefs(row["mark_read_on"], bool(row["mark_duplicates_read"]),
                       bool(row["group_by_story"]))


class ApiAccessRepo:
    def __init__(self, db: Database):
        self.db = db

    # -- API password --------------------------------------------------------------------------

    def set_api_password(self, user_id: int, password_hash: str | None,
                         fever_key: str | None) -> None:
        """Store (or with None, remove) the API password's hash and Fever key."""
        with self.db.write() as conn:
            done = conn.execute(users.update().where(users.c.id == user_id).values(
                api_password_hash=password_hash, fever_key=fever_key))
            if not done.rowcount:
                raise NotFoundError(f"no user with id {user_id}")

    def api_password_hash(self, user_id: int) -> str | None:
        with self.db.read() as conn:
            value = conn.execute(sa.select(users.c.api_password_hash)
                                 .where(users.c.id == user_id)).scalar()
        return str(value) if value is not None else None

    def by_fever_key(self, fever_key: str) -> User | None:
        with self.db.read() as conn:
            row = conn.execute(users.select().where(users.c.fever_key == fever_key)
                               ).mappings().first()
        return user_from_row(row) if row else None

    # -- tokens --------------------------------------------------------------------------------

    def add_token(self, user_id: int, token_hash: str, now: datetime) -> None:
        """Keep a new token; the account's oldest beyond :data:`KEEP_TOKENS` stop working."""
        mine = api_tokens.c.user_id == user_id
        newest = (sa.select(api_tokens.c.id).where(mine).order_by(api_tokens.c.id.desc())
                  .limit(KEEP_TOKENS))
        with self.db.write() as conn:
            conn.execute(api_tokens.insert().values(user_id=user_id, token_hash=token_hash,
                                                    created_at=now))
            conn.execute(api_tokens.delete().where(mine, api_tokens.c.id.not_in(newest)))

    def by_token(self, token_hash: str) -> User | None:
        query = (users.select().join(api_tokens, api_tokens.c.user_id == users.c.id)
                 .where(api_tokens.c.token_hash == token_hash))
        with self.db.read() as conn:
            row = conn.execute(query).mappings().first()
        return user_from_row(row) if row else None

    def revoke_tokens(self, user_id: int) -> int:
        with self.db.write() as conn:
            return conn.execute(api_tokens.delete().where(api_tokens.c.user_id == user_id)
                                ).rowcount

    def token_count(self, user_id: int) -> int:
        with self.db.read() as conn:
            return int(conn.execute(sa.select(sa.func.count()).where(
                api_tokens.c.user_id == user_id)).scalar_one())

    # -- preferences ---------------------------------------------------------------------------

    def prefs(self, user_id: int) -> ReaderPrefs:
        with self.db.read() as conn:
            row = conn.execute(reader_prefs.select().where(reader_prefs.c.user_id == user_id)
                               ).mappings().first()
        return _prefs(row)

    def set_prefs(self, user_id: int, prefs: ReaderPrefs) -> None:
        values = {"mark_read_on": prefs.mark_read_on,
                  "mark_duplicates_read": prefs.mark_duplicates_read,
                  "group_by_story": prefs.group_by_story}
        statement = insert(self.db.dialect, reader_prefs).values(user_id=user_id, **values)
        with self.db.write() as conn:
            conn.execute(statement.on_conflict_do_update(index_elements=["user_id"],
                                                         set_=values))

    def user_ids(self) -> builtins.list[int]:
        with self.db.read() as conn:
            return builtins.list(conn.execute(sa.select(users.c.id).order_by(users.c.id))
                                 .scalars())
