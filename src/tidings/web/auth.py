"""Sessions and CSRF tokens: the small pieces the admin area is built from.

Passwords are hashed in :mod:`tidings.passwords` (Argon2id). A session is a signed cookie
(itsdangerous) holding the user id, a fingerprint of the password hash (so changing a
password ends every session) and the session's CSRF token; it is HttpOnly and SameSite=Lax,
and Secure on https.
Before sign-in, the login form is protected by a double-submit token: a random value in its own
cookie and an HMAC of it in the form, so another site can neither read nor forge the pair.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from tidings.config import Settings
from tidings.errors import ConfigError, NotFoundError
from tidings.operations import accounts
from tidings.store import Store
from tidings.store.users import User

SESSION_COOKIE = "tidings_session"
LOGIN_CSRF_COOKIE = "tidings_login_csrf"
CSRF_FIELD = "csrf_token"
SESSION_MAX_AGE = 14 * 24 * 3600


def load_secret(settings: Settings) -> str:
    """``settings.secret_key``, else a key generated once and kept in ``$home/secret_key``."""
    if settings.secret_key:
        return settings.secret_key
    path = Path(settings.ensure_home()) / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        text = path.read_text().strip()
        if len(text) >= 32:
            return text
        raise ConfigError(f"{path} is too short to be a secret key; delete it to make a new one"
                          ) from None
    with os.fdopen(fd, "w") as fh:
        key = secrets.token_urlsafe(48)
        fh.write(key + "\n")
    return key


def password_fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Session:
    user_id: int
    fingerprint: str
    csrf: str
    issued_at: float = 0.0  # epoch seconds, with sub-second precision


class SessionSigner:
    """Signs and reads session cookies and login CSRF tokens with one secret."""

    def __init__(self, secret: str):
        self._secret = secret.encode()
        self._sessions = URLSafeTimedSerializer(secret, salt="tidings.session")

    # -- sessions ---------------------------------------------------------------------------

    def new_session(self, user_id: int, password_hash: str) -> Session:
        return Session(user_id, password_fingerprint(password_hash), secrets.token_urlsafe(32),
                       time.time())

    def dumps(self, session: Session) -> str:
        return self._sessions.dumps([session.user_id, session.fingerprint, session.csrf,
                                     session.issued_at])

    def loads(self, cookie: str | None) -> Session | None:
        if not cookie:
            return None
        try:
            data: Any = self._sessions.loads(cookie, max_age=SESSION_MAX_AGE)
        except BadSignature:
            return None
        if (not isinstance(data, list) or len(data) != 4 or not isinstance(data[0], int)
                or not all(isinstance(x, str) for x in data[1:3])
                or not isinstance(data[3], int | float)):
            return None
        return Session(data[0], data[1], data[2], float(data[3]))

    # -- login CSRF (double submit, bound by HMAC) -------------------------------------------

    def login_token(self, nonce: str) -> str:
        return hmac.new(self._secret, b"login-csrf:" + nonce.encode(), hashlib.sha256).hexdigest()

    def check_login_token(self, nonce: str | None, token: str | None) -> bool:
        if not nonce or not token:
            return False
        return hmac.compare_digest(self.login_token(nonce), token)


def tokens_match(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison of a CSRF token; missing on either side is a mismatch."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def set_cookie(response: Response, request: Request, name: str, value: str,
               max_age: int | None) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/", httponly=True,
                        samesite="lax", secure=is_https(request))


def clear_cookie(response: Response, request: Request, name: str) -> None:
    response.delete_cookie(name, path="/", httponly=True, samesite="lax",
                           secure=is_https(request))


def client_address(request: Request) -> str:
    """The peer address; uvicorn replaces it with X-Forwarded-For only for trusted proxies
    (``forwarded_allow_ips``, loopback by default), so a client cannot pick its own."""
    return request.client.host if request.client else "unknown"


async def session_user(store: Store, signer: SessionSigner, request: Request
                       ) -> tuple[User, Session] | None:
    """The signed-in account (any account, reader or administrator) and its session, or None.
    A session ends when its password changes (fingerprint) and when the account signs out
    everywhere (``operations.accounts.sign_out_everywhere``: sessions issued before then)."""
    session = signer.loads(request.cookies.get(SESSION_COOKIE))
    if session is None:
        return None
    try:
        user = await run_in_threadpool(store.users.get, session.user_id)
    except NotFoundError:
        return None
    if password_fingerprint(user.password_hash) != session.fingerprint:
        return None  # the password changed since: every old session ends
    ended = await run_in_threadpool(store.users.sessions_valid_after, user.id)
    if session.issued_at <= ended:
        return None  # signed out since: a copied cookie is worthless too
    return user, session


async def check_api_password(store: Store, name: str, password: str) -> User | None:
    """:func:`tidings.operations.accounts.check_api_password` in a worker thread: Argon2
    takes tens of milliseconds and must never hold up the event loop (ClientLogin)."""
    return await run_in_threadpool(accounts.check_api_password, store, name, password)
