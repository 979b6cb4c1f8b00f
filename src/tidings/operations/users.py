"""Accounts: create one, change its password or rights, delete it. ``tidings user ...`` calls
these today; an account page in the admin area would call the same ones."""

from __future__ import annotations

from datetime import datetime

from tidings.errors import ConfigError, UserExistsError
from tidings.passwords import check_new_password, hash_password
from tidings.store import Store
from tidings.store.users import User


def check_name(name: str) -> str:
    """The name as it will be stored (trimmed); an error when it cannot be one."""
    name = name.strip()
    if not name or len(name) > 100 or any(c.isspace() for c in name):
        raise ConfigError("a user name is 1 to 100 characters without spaces")
    return name


def check_available(store: Store, name: str) -> str:
    """:func:`check_name`, and no account has it yet (asked before prompting a password)."""
    name = check_name(name)
    if store.users.by_name(name) is not None:
        raise UserExistsError(f"a user named {name!r} already exists")
    return name


def create_user(store: Store, name: str, password: str, *, admin: bool,
                now: datetime) -> User:
    """A new account with ``password`` hashed (Argon2id)."""
    name = check_available(store, name)
    check_new_password(password)
    return store.users.create(name, hash_password(password), is_admin=admin, now=now)


def set_password(store: Store, name: str, password: str) -> None:
    """Change a password; every session of that account ends with the old hash."""
    if store.users.by_name(name) is None:
        raise ConfigError(f"no user named {name!r}")
    check_new_password(password)
    store.users.set_password(name, hash_password(password))


def set_admin(store: Store, name: str, admin: bool) -> None:
    store.users.set_admin(name, admin)


def delete_user(store: Store, name: str) -> None:
    """Delete an account; its sessions end with it."""
    store.users.delete(name)
