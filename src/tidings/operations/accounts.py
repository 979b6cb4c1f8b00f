"""Reader accounts: the API password (Google Reader ClientLogin, Fever), revocable API tokens,
signing out everywhere, preferences, and sign-up when the site allows it.

:func:`check_api_password` runs Argon2 (tens of milliseconds, 64 MiB): a web handler must call
it off the event loop — ``tidings.web.auth.check_api_password`` does exactly that.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import replace
from datetime import datetime

from tidings.config import Settings
from tidings.errors import InputError, NotFoundError, OperationError
from tidings.operations.users import create_user
from tidings.passwords import check_new_password, hash_password, verify_password
from tidings.store import Store
from tidings.store.apiaccess import MARK_READ_ON, ReaderPrefs
from tidings.store.users import User


def _user(store: Store, name: str) -> User:
    found = store.users.by_name(name)
    if found is None:
        raise NotFoundError(f"no user named {name!r}")
    return found


def fever_key(name: str, password: str) -> str:
    """Fever's api_key, as its clients compute it: md5("NAME:PASSWORD"), lowercase hex."""
    return hashlib.md5(f"{name}:{password}".encode(), usedforsecurity=False).hexdigest()


def set_api_password(store: Store, name: str, password: str) -> User:
    """Set the API password of ``name`` (separate from the sign-in password); the account's
    API tokens are revoked, so apps sign in again with the new one."""
    user = _user(store, name)
    check_new_password(password)
    store.api_access.set_api_password(user.id, hash_password(password),
                                      fever_key(user.name, password))
    store.api_access.revoke_tokens(user.id)
    return user


def clear_api_password(store: Store, name: str) -> None:
    """No API access for ``name`` any more (password, Fever key and tokens go)."""
    user = _user(store, name)
    store.api_access.set_api_password(user.id, None, None)
    store.api_access.revoke_tokens(user.id)


def check_api_password(store: Store, name: str, password: str) -> User | None:
    """The account when ``password`` is its API password (Argon2: blocking, see above)."""
    user = store.users.by_name(name)
    stored = store.api_access.api_password_hash(user.id) if user else None
    ok = verify_password(stored, password)  # same cost for an unknown name or no API password
    return user if ok and user is not None else None


def user_for_fever_key(store: Store, key: str) -> User | None:
    key = key.strip().lower()
    if len(key) != 32 or any(c not in "0123456789abcdef" for c in key):
        return None
    return store.api_access.by_fever_key(key)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_api_token(store: Store, user_id: int, now: datetime) -> str:
    """A new API token for ``user_id``: 64 hex digits (no ``+ & % =``, which newsboat would
    post unescaped). Only its hash is stored."""
    token = secrets.token_hex(32)
    store.api_access.add_token(user_id, _token_hash(token), now)
    return token


def user_for_token(store: Store, token: str) -> User | None:
    token = token.strip()
    if not token or len(token) > 200:
        return None
    return store.api_access.by_token(_token_hash(token))


def revoke_api_tokens(store: Store, user_id: int) -> int:
    return store.api_access.revoke_tokens(user_id)


def sign_out_everywhere(store: Store, user_id: int, now: datetime) -> None:
    """End every session of ``user_id`` issued until ``now`` (web/auth.py checks it on each
    request) and revoke its API tokens."""
    store.users.end_sessions(user_id, now)
    store.api_access.revoke_tokens(user_id)


def get_prefs(store: Store, user_id: int) -> ReaderPrefs:
    return store.api_access.prefs(user_id)


def set_prefs(store: Store, user_id: int, *, mark_read_on: str | None = None,
              mark_duplicates_read: bool | None = None,
              group_by_story: bool | None = None) -> ReaderPrefs:
    """Change the preferences given (None: unchanged); the preferences now."""
    if mark_read_on is not None and mark_read_on not in MARK_READ_ON:
        raise InputError(f"mark read on must be one of {', '.join(MARK_READ_ON)}")
    prefs = store.api_access.prefs(user_id)
    changes = {k: v for k, v in (("mark_read_on", mark_read_on),
                                 ("mark_duplicates_read", mark_duplicates_read),
                                 ("group_by_story", group_by_story)) if v is not None}
    prefs = replace(prefs, **changes)  # type: ignore[arg-type]
    store.api_access.set_prefs(user_id, prefs)
    return prefs


def signup_open(settings: Settings) -> bool:
    return settings.signup == "open"


def sign_up(store: Store, settings: Settings, name: str, password: str,
            now: datetime) -> User:
    """A new reader account from the site's sign-up page (TIDINGS_SIGNUP=open only)."""
    if not signup_open(settings):
        raise OperationError("sign-up is closed on this site")
    return create_user(store, name, password, admin=False, now=now)


def has_api_password(store: Store, user_id: int) -> bool:
    """Whether apps can sign in as ``user_id`` (the settings page says so)."""
    return store.api_access.api_password_hash(user_id) is not None
