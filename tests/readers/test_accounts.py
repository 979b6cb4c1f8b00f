"""Reader accounts: the API password, Fever keys, tokens, sign-out everywhere, preferences."""

from __future__ import annotations

import hashlib
import string

import pytest
from tests.readers.conftest import NOW, add_user

from tidings.config import Settings
from tidings.errors import ConfigError, InputError, OperationError
from tidings.operations import accounts
from tidings.store import Store


def test_api_password_is_separate_and_fever_key_is_md5(store: Store) -> None:
    alice = add_user(store, "alice")
    assert accounts.check_api_password(store, "alice", "password1") is None  # sign-in one
    accounts.set_api_password(store, "alice", "app-secret-9")
    found = accounts.check_api_password(store, "alice", "app-secret-9")
    assert found is not None and found.id == alice
    assert accounts.check_api_password(store, "alice", "wrong-one-1") is None
    assert accounts.check_api_password(store, "nobody", "app-secret-9") is None
    key = hashlib.md5(b"alice:app-secret-9").hexdigest()
    assert (accounts.user_for_fever_key(store, key.upper()) or None) is not None
    assert accounts.user_for_fever_key(store, "0" * 32) is None
    assert accounts.user_for_fever_key(store, "not-hex") is None
    accounts.clear_api_password(store, "alice")
    assert accounts.user_for_fever_key(store, key) is None
    assert accounts.check_api_password(store, "alice", "app-secret-9") is None


def test_tokens_are_hex_hashed_and_revocable(store: Store) -> None:
    alice, bob = add_user(store, "alice"), add_user(store, "bob")
    token = accounts.issue_api_token(store, alice, NOW)
    assert set(token) <= set(string.hexdigits.lower()) and len(token) == 64
    found = accounts.user_for_token(store, token + "\n")  # newsboat posts it with a newline
    assert found is not None and found.id == alice
    other = accounts.issue_api_token(store, bob, NOW)
    assert accounts.revoke_api_tokens(store, alice) == 1
    assert accounts.user_for_token(store, token) is None
    assert accounts.user_for_token(store, other) is not None
    accounts.set_api_password(store, "bob", "new-app-pw-1")  # a new password revokes tokens
    assert accounts.user_for_token(store, other) is None


def test_sign_out_everywhere_ends_sessions_and_tokens(store: Store) -> None:
    alice = add_user(store, "alice")
    token = accounts.issue_api_token(store, alice, NOW)
    accounts.sign_out_everywhere(store, alice, NOW)
    assert store.users.sessions_valid_after(alice) == NOW.timestamp()
    assert accounts.user_for_token(store, token) is None


def test_preferences(store: Store) -> None:
    alice = add_user(store, "alice")
    prefs = accounts.get_prefs(store, alice)
    assert (prefs.mark_read_on, prefs.mark_duplicates_read, prefs.group_by_story) == (
        "open", True, False)
    prefs = accounts.set_prefs(store, alice, mark_read_on="scroll", group_by_story=True)
    assert accounts.get_prefs(store, alice) == prefs
    assert prefs.mark_duplicates_read
    with pytest.raises(InputError, match="mark read on"):
        accounts.set_prefs(store, alice, mark_read_on="hover")


def test_signup_follows_the_setting(sqlite_store: Store, tmp_path: object) -> None:
    closed = Settings.from_dict({"home": str(tmp_path)})
    with pytest.raises(OperationError, match="closed"):
        accounts.sign_up(sqlite_store, closed, "carol", "password1", NOW)
    opened = closed.replace(signup="open")
    assert not accounts.sign_up(sqlite_store, opened, "carol", "password1", NOW).is_admin
    with pytest.raises(ConfigError, match="TIDINGS_SIGNUP"):
        Settings.from_dict({"signup": "maybe"})
