"""Accounts, failed sign-ins and ended sessions, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tidings import passwords
from tidings.errors import NotFoundError, UserExistsError
from tidings.store import Store

NOW = datetime(2026, 2, 15, 12, 0, tzinfo=UTC)


def test_accounts(store: Store) -> None:
    hashed = passwords.hash_password("secret password")
    user = store.users.create("ada", hashed, is_admin=True, now=NOW)
    assert store.users.by_name("ada") == user and user.is_admin
    assert hashed.startswith("$argon2id$") and "secret" not in hashed
    assert passwords.verify_password(user.password_hash, "secret password")
    assert not passwords.verify_password(user.password_hash, "Secret password")
    with pytest.raises(UserExistsError):
        store.users.create("ada", hashed, is_admin=False, now=NOW)
    store.users.set_password("ada", passwords.hash_password("another one"))
    assert not passwords.verify_password(store.users.get(user.id).password_hash, "secret password")
    store.users.delete("ada")
    with pytest.raises(NotFoundError):
        store.users.delete("ada")
    assert store.users.list() == []


def test_failed_sign_ins_are_counted_in_a_window(store: Store) -> None:
    for minutes in (30, 10, 5, 1):
        store.users.record_failure("k", "a", NOW - timedelta(minutes=minutes))
    store.users.record_failure("other", "a", NOW)
    count, oldest = store.users.failures_since(NOW - timedelta(minutes=15), key="k")
    assert count == 3 and oldest == NOW - timedelta(minutes=10)
    assert store.users.failures_since(NOW - timedelta(minutes=15), address="a")[0] == 4
    store.users.clear_failures("k")
    assert store.users.failures_since(NOW - timedelta(days=1), key="k")[0] == 0
    assert store.users.prune_failures(NOW + timedelta(seconds=1)) == 1


def test_ended_sessions(store: Store) -> None:
    assert store.users.sessions_valid_after(7) == 0.0
    store.users.end_sessions(7, NOW)
    store.users.end_sessions(7, NOW + timedelta(seconds=5))
    assert store.users.sessions_valid_after(7) == (NOW + timedelta(seconds=5)).timestamp()
