"""A small catalogue for the reader tests: public outlets, articles, and accounts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher

from tidings import passwords
from tidings.models import NewArticle, Source
from tidings.store import Store

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def cheap_hashing() -> Iterator[None]:
    previous = passwords.use_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    yield
    passwords.use_hasher(previous)


def add_source(store: Store, name: str, *, public: bool = True) -> int:
    return store.sources.add(Source(None, name, f"https://{name.lower()}.example/",
                                    public=public), NOW - timedelta(days=30)).id or 0


def add_articles(store: Store, source_id: int, count: int, *, start: int = 0,
                 fetched: datetime = NOW, title: str = "Story") -> list[int]:
    rows = [NewArticle(source_id=source_id, entry_key=f"{source_id}-{start + n}",
                       title=f"{title} {start + n}",
                       url=f"https://x.example/{source_id}/{start + n}",
                       published_at=fetched - timedelta(minutes=count - n), fetched_at=fetched)
            for n in range(count)]
    with store.db.write() as conn:
        ids = store.articles.insert_many(conn, rows)
    store.search_index.run()  # the index stage, as the worker runs it after storing
    return ids


def add_user(store: Store, name: str) -> int:
    return store.users.create(name, passwords.hash_password("password1"), is_admin=False,
                              now=NOW).id
