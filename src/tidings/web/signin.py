"""Signing in, out and up: ``/login``, ``/logout`` and ``/signup`` for administrators and readers.

Administrators land in ``/admin``, readers in ``/reader`` (a ``next`` path is followed only when
it is local and the account may open it). Before sign-in, forms are protected by a
double-submit token (see :mod:`tidings.web.auth`). Failed sign-ins, and every sign-up attempt,
are counted in the database per address (and user name), so the limits hold across processes.
Password hashing runs in the thread pool: an Argon2 check never blocks other requests.
"""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from tidings import passwords
from tidings.errors import TidingsError, one_line
from tidings.operations import accounts
from tidings.web import auth
from tidings.web.sessions import Gate, field, read_form
from tidings.web.signinlimit import SignInLimit
from tidings.web.site import Site

log = logging.getLogger(__name__)

SIGNUP_LIMIT_PER_ADDRESS = 5  # sign-up attempts (made or not) per address within the window
# sign-in failures: the same table, window and limits as the sync APIs (web/signinlimit)
READER_PATHS = ("/reader", "/settings")


def routes(gate: Gate, site: Site) -> list[BaseRoute]:
    doors = Doors(gate, site)
    return [
        Route("/login", doors.login_form, methods=["GET", "HEAD"]),
        Route("/login", doors.login, methods=["POST"]),
        Route("/logout", doors.logout, methods=["POST"]),
        Route("/signup", doors.signup_form, methods=["GET", "HEAD"]),
        Route("/signup", doors.signup, methods=["POST"]),
    ]


class Doors:
    def __init__(self, gate: Gate, site: Site):
        self.gate = gate
        self.site = site
        self.store = gate.store
        self.limit = SignInLimit(gate.store.users, gate.secret)

    # -- sign-in ------------------------------------------------------------------------------

    async def login_form(self, request: Request) -> Response:
        return self._login_page(request, error=None, status_code=200, username="",
                                next_url=_safe_next(request.query_params.get("next")))

    def _form_page(self, request: Request, template: str, *, status_code: int,
                   headers: dict[str, str] | None, **context: object) -> Response:
        """A sign-in or sign-up form in the site's language, never cached, with a fresh
        CSRF nonce in its cookie and the token that matches it in the form."""
        nonce = secrets.token_urlsafe(24)
        body = self.site.render(template, None, csrf_token=self.gate.signer.login_token(nonce),
                                **context)
        response = HTMLResponse(body, status_code=status_code,
                                headers={"cache-control": "no-store", **(headers or {})})
        auth.set_cookie(response, request, auth.LOGIN_CSRF_COOKIE, nonce, max_age=3600)
        return response

    def _login_page(self, request: Request, *, error: str | None, status_code: int,
                    username: str, next_url: str,
                    headers: dict[str, str] | None = None) -> Response:
        _ = self.site.gettext
        logged_out = request.query_params.get("logged_out") == "1"
        return self._form_page(
            request, "reader/login.html", status_code=status_code, headers=headers,
            error=error, username=username, next=next_url,
            message=_("You are signed out.") if logged_out else None,
            signup_open=accounts.signup_open(self.gate.settings))

    async def login(self, request: Request) -> Response:
        form = await read_form(request)
        if isinstance(form, Response):
            return form
        _ = self.site.gettext
        username = field(form, "username")[:200]
        password = field(form, "password")[:1000]
        next_url = _safe_next(field(form, "next"))
        nonce = request.cookies.get(auth.LOGIN_CSRF_COOKIE)
        if not self.gate.signer.check_login_token(nonce, field(form, auth.CSRF_FIELD)):
            return PlainTextResponse("Missing or wrong CSRF token; reload the sign-in page.",
                                     status_code=403)
        address = auth.client_address(request)
        wait = await self.limit.wait_seconds(address, username)
        if wait:
            log.warning("sign-in rate limited for %r from %s", username, address)
            return self._login_page(
                request, error=_("Too many failed sign-ins. Try again later."), status_code=429,
                username=username, next_url=next_url, headers={"retry-after": str(wait)})
        users = self.store.users
        user = await run_in_threadpool(users.by_name, username) if username else None
        ok = await run_in_threadpool(passwords.verify_password,
                                     user.password_hash if user else None, password)
        if not ok or user is None:
            await self.limit.failed(address, username)
            return self._login_page(request, error=_("Wrong user name or password."),
                                    status_code=401, username=username, next_url=next_url)
        await self.limit.succeeded(address, username)
        if user.is_admin:
            target = next_url or "/admin"
        else:
            target = next_url if next_url.startswith(READER_PATHS) else "/reader"
        response = RedirectResponse(target, status_code=303)
        self.gate.start_session(response, request, user)
        auth.clear_cookie(response, request, auth.LOGIN_CSRF_COOKIE)
        log.info("%r signed in from %s", user.name, address)
        return response

    async def logout(self, request: Request) -> Response:
        form = await read_form(request)
        if isinstance(form, Response):
            return form
        found = await self.gate.current_user(request)
        if found is not None and not auth.tokens_match(found[1].csrf,
                                                       field(form, auth.CSRF_FIELD)):
            return PlainTextResponse("Missing or wrong CSRF token.", status_code=403)
        if found is not None:
            await self.gate.end_sessions(found[0])
        response = RedirectResponse("/login?logged_out=1", status_code=303)
        auth.clear_cookie(response, request, auth.SESSION_COOKIE)
        response.headers["clear-site-data"] = '"cookies"'
        return response

    # -- sign-up ------------------------------------------------------------------------------

    def _signup_page(self, request: Request, *, error: str | None = None, username: str = "",
                     status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
        return self._form_page(request, "reader/signup.html", status_code=status_code,
                               headers=headers, error=error, username=username,
                               min_length=passwords.MIN_PASSWORD_LENGTH)

    async def signup_form(self, request: Request) -> Response:
        if not accounts.signup_open(self.gate.settings):
            return self._closed(request)
        return self._signup_page(request)

    def _closed(self, request: Request) -> Response:
        from tidings.web.pages import error_page
        return error_page(self.site, request, 404, self.site.gettext("Not found"))

    async def signup(self, request: Request) -> Response:
        if not accounts.signup_open(self.gate.settings):
            return self._closed(request)
        form = await read_form(request)
        if isinstance(form, Response):
            return form
        if not self.gate.signer.check_login_token(request.cookies.get(auth.LOGIN_CSRF_COOKIE),
                                                  field(form, auth.CSRF_FIELD)):
            return PlainTextResponse("Missing or wrong CSRF token; reload the sign-up page.",
                                     status_code=403)
        _ = self.site.gettext
        username = field(form, "username").strip()[:200]
        now = datetime.now(UTC)
        address = auth.client_address(request)
        key = self.limit.digest("signup\0" + address)
        wait = await self.limit.blocked_for(now, address=key, limit=SIGNUP_LIMIT_PER_ADDRESS)
        if wait:
            return self._signup_page(request, error=_("Too many attempts. Try again later."),
                                     username=username, status_code=429,
                                     headers={"retry-after": str(wait)})
        await run_in_threadpool(self.store.users.record_failure, key, key, now)
        password = field(form, "password")[:1000]
        if password != field(form, "confirm")[:1000]:
            return self._signup_page(request, error=_("The two passwords differ."),
                                     username=username, status_code=400)
        try:
            user = await run_in_threadpool(
                lambda: accounts.sign_up(self.store, self.gate.settings, username, password, now))
        except TidingsError as exc:
            return self._signup_page(request, error=one_line(exc, 200), username=username,
                                     status_code=400)
        log.info("reader %r signed up from %s", user.name, address)
        response = RedirectResponse("/reader", status_code=303)
        self.gate.start_session(response, request, user)
        auth.clear_cookie(response, request, auth.LOGIN_CSRF_COOKIE)
        return response


def _safe_next(value: str | None) -> str:
    """Only local paths of the admin area or the reader: never an open redirect ("" when
    there is none, so each kind of account lands on its own start page)."""
    if (value and value.startswith(("/admin", *READER_PATHS)) and not value.startswith("//")
            and "\\" not in value):
        return value
    return ""

