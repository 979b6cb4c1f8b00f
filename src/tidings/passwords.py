"""Password hashing, in one place for every front end (``tidings user``, sign-in, operations).

Argon2id through argon2-cffi, with its defaults (the RFC 9106 low-memory profile: t=3,
m=64 MiB, p=4). Stored hashes carry their own parameters, so changing the defaults later
still verifies old hashes.
"""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from tidings.errors import ConfigError

MIN_PASSWORD_LENGTH = 8

_hasher = PasswordHasher()
_dummy_hash: str | None = None


def use_hasher(hasher: PasswordHasher) -> PasswordHasher:
    """Swap the cost parameters (tests use cheap ones); returns the one in use before."""
    global _hasher, _dummy_hash
    previous = _hasher
    _hasher, _dummy_hash = hasher, None
    return previous


def _dummy() -> str:
    # verifying against this when the user does not exist keeps the timing the same
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash(secrets.token_hex(16))
    return _dummy_hash


def check_new_password(password: str) -> None:
    """Refuse a password too short to keep (one line, shown as it is)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ConfigError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; a missing user costs the same time as a wrong password."""
    try:
        return _hasher.verify(password_hash or _dummy(), password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
