"""Domain operations below both front ends: sources, accounts, pipeline actions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from tidings import passwords
from tidings.errors import (
    ConfigError,
    NotFoundError,
    OperationError,
    StorageError,
    UserExistsError,
)
from tidings.models import Feed, Source
from tidings.operations import sources, stores, users
from tidings.store import Store

NOW = datetime(2026, 1, 5, tzinfo=UTC)


@pytest.fixture(autouse=True)
def cheap_hashing() -> Iterator[None]:
    previous = passwords.use_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    yield
    passwords.use_hasher(previous)


@pytest.fixture
def outlet(sqlite_store: Store) -> tuple[int, int]:
    source = sqlite_store.sources.add(Source(None, "Planet", "https://planet.example/",
                                             category="World", language="en"), NOW)
    feed = sqlite_store.feeds.add(Feed(None, source.id, "https://planet.example/rss"), NOW)
    sqlite_store.feeds.update(feed.id or 0, error_count=4, last_error="timed out",
                              disabled=True, poll_interval=600)
    return source.id or 0, feed.id or 0


def test_edit_changes_only_what_is_given_and_resets_errors(sqlite_store: Store,
                                                           outlet: tuple[int, int]) -> None:
    source_id, feed_id = outlet
    edited = sources.edit_source(sqlite_store, source_id, fulltext="never")
    assert (edited.name, edited.category, edited.language, edited.fulltext) == (
        "Planet", "World", "en", "never")
    feed = sqlite_store.feeds.get(feed_id)
    assert (feed.error_count, feed.last_error, feed.disabled, feed.poll_interval) == (
        0, None, False, 600)
    edited = sources.edit_source(sqlite_store, source_id, category="", language="",
                                 poll_interval=0)
    assert (edited.category, edited.language) == (None, None)
    assert sqlite_store.feeds.get(feed_id).poll_interval is None


def test_edit_refuses_before_changing_anything(sqlite_store: Store,
                                               outlet: tuple[int, int]) -> None:
    source_id, feed_id = outlet
    other = sqlite_store.sources.add(Source(None, "Mars", "https://mars.example/"), NOW)
    sqlite_store.feeds.add(Feed(None, other.id, "https://mars.example/rss"), NOW)
    with pytest.raises(OperationError, match="another feed already has the address"):
        sources.edit_source(sqlite_store, source_id, name="Renamed",
                            feed_url="https://mars.example/rss")
    assert sqlite_store.sources.get(source_id).name == "Planet"
    with pytest.raises(OperationError, match="full text must be"):
        sources.edit_source(sqlite_store, source_id, fulltext="sometimes")
    with pytest.raises(OperationError, match="needs a name"):
        sources.edit_source(sqlite_store, source_id, name="  ")
    assert sqlite_store.feeds.get(feed_id).error_count == 4


def test_pause_resume_remove(sqlite_store: Store, outlet: tuple[int, int]) -> None:
    source_id, feed_id = outlet
    assert sources.pause_source(sqlite_store, source_id).paused
    assert sqlite_store.feeds.get(feed_id).disabled  # pausing leaves the feed's state alone
    resumed = sources.resume_source(sqlite_store, source_id)
    assert not resumed.paused and not sqlite_store.feeds.get(feed_id).disabled
    assert sources.resolve_source(sqlite_store, "Planet").id == source_id
    assert sources.resolve_source(sqlite_store, str(source_id)).name == "Planet"
    removed, count = sources.remove_source(sqlite_store, source_id)
    assert (removed.name, count) == ("Planet", 0)
    with pytest.raises(NotFoundError):
        sources.resolve_source(sqlite_store, "Planet")


def test_accounts(sqlite_store: Store) -> None:
    created = users.create_user(sqlite_store, " ada ", "long enough", admin=True, now=NOW)
    assert (created.name, created.is_admin) == ("ada", True)
    assert passwords.verify_password(created.password_hash, "long enough")
    with pytest.raises(UserExistsError):
        users.create_user(sqlite_store, "ada", "long enough", admin=False, now=NOW)
    with pytest.raises(ConfigError, match="at least 8"):
        users.create_user(sqlite_store, "bob", "short", admin=False, now=NOW)
    with pytest.raises(ConfigError, match="without spaces"):
        users.check_name("two words")
    users.set_password(sqlite_store, "ada", "another password")
    stored = sqlite_store.users.by_name("ada")
    assert stored is not None and passwords.verify_password(stored.password_hash,
                                                            "another password")
    with pytest.raises(ConfigError, match="no user named"):
        users.set_password(sqlite_store, "nobody", "another password")
    users.set_admin(sqlite_store, "ada", False)
    users.delete_user(sqlite_store, "ada")
    assert sqlite_store.users.by_name("ada") is None


def test_copy_a_store(sqlite_store: Store, outlet: tuple[int, int], tmp_path: Path) -> None:
    source_url = sqlite_store.db.engine.url.render_as_string(hide_password=False)
    with pytest.raises(StorageError, match="same database"):
        stores.copy_store(source_url, source_url, force=False, batch=10)
    with pytest.raises(StorageError, match="no SQLite store at"):
        stores.copy_store(f"sqlite:///{tmp_path / 'missing.db'}", source_url, force=False,
                          batch=10)
    seen: list[tuple[int, int]] = []
    # force: a fresh SQLite store already has rows in its full-text index's config tables
    result = stores.copy_store(source_url, f"sqlite:///{tmp_path / 'copy.db'}", force=True,
                               batch=1, progress=lambda done, total: seen.append((done, total)))
    stores.check_copied(result)
    assert result["ok"] and result["tables"]["sources"]["rows"] == 1 and seen
    assert not (tmp_path / "missing.db").exists()
    with pytest.raises(StorageError, match="copy differs from the source in: feeds"):
        stores.check_copied({"ok": False, "mismatched": ["feeds"]})
