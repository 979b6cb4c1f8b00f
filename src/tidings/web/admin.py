"""The admin area: sign-in, sign-out, and managing sources and the pipeline stages.

Only signed-in administrators reach ``/admin``. Every form carries a CSRF token (hidden field
``csrf_token``) that must match the session's (or, on ``/login``, the login cookie's); failed
sign-ins are counted in the database per address and user name, so the limit holds across
processes. Store calls and password hashing run in the thread pool, off the event loop.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.templating import Jinja2Templates

from tidings import passwords
from tidings.config import Settings
from tidings.errors import FormError, NotFoundError, TidingsError, one_line
from tidings.operations import pipeline as pipeline_ops
from tidings.operations import sources as source_ops
from tidings.operations.sources import FULLTEXT_MODES
from tidings.store import Store, health
from tidings.store.users import User
from tidings.web import auth

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).parent / "templates"
LOGIN_WINDOW = timedelta(minutes=15)
LOGIN_LIMIT_PER_NAME = 5  # failures per address + user name within the window
LOGIN_LIMIT_PER_ADDRESS = 20  # failures per address, whatever the names tried
MAX_FIELD = 2000


def routes(settings: Settings, store: Store) -> list[BaseRoute]:
    """``/login``, ``/logout`` and the ``/admin`` pages, ready for ``Starlette(routes=...)``."""
    area = AdminArea(settings, store)
    post = ["POST"]
    return [
        Route("/login", area.login_form, methods=["GET", "HEAD"]),
        Route("/login", area.login, methods=post),
        Route("/logout", area.logout, methods=post),
        Route("/admin", area.dashboard, methods=["GET", "HEAD"]),
        Route("/admin/", area.dashboard, methods=["GET", "HEAD"]),
        Route("/admin/admin.css", area.stylesheet, methods=["GET", "HEAD"]),
        Route("/admin/sources", area.add_source, methods=post),
        Route("/admin/sources/{source_id:int}", area.source_page, methods=["GET", "HEAD"]),
        Route("/admin/sources/{source_id:int}/edit", area.edit_source, methods=post),
        Route("/admin/sources/{source_id:int}/pause", area.pause_source, methods=post),
        Route("/admin/sources/{source_id:int}/resume", area.resume_source, methods=post),
        Route("/admin/sources/{source_id:int}/remove", area.remove_source, methods=post),
        Route("/admin/pipeline", area.pipeline, methods=post),
    ]


class AdminArea:
    def __init__(self, settings: Settings, store: Store):
        self.settings = settings
        self.store = store
        self.secret = auth.load_secret(settings)
        self.signer = auth.SessionSigner(self.secret)
        self.templates = Jinja2Templates(directory=str(TEMPLATES))

    # -- helpers -----------------------------------------------------------------------------

    def render(self, request: Request, name: str, context: dict[str, Any],
               status_code: int = 200) -> Response:
        response = self.templates.TemplateResponse(request, name, context,
                                                   status_code=status_code)
        response.headers["cache-control"] = "no-store"
        return response

    async def current_user(self, request: Request) -> tuple[User, auth.Session] | None:
        return await auth.session_user(self.store, self.signer, request)

    async def require_admin(self, request: Request) -> tuple[User, auth.Session] | Response:
        found = await self.current_user(request)
        if found is None:
            if request.method in ("GET", "HEAD"):
                target = quote(request.url.path, safe="/")
                return RedirectResponse(f"/login?next={target}", status_code=303)
            return PlainTextResponse("Sign in first.", status_code=403)
        if not found[0].is_admin:
            return PlainTextResponse("Administrators only.", status_code=403)
        return found

    async def checked_form(self, request: Request) -> tuple[User, FormData] | Response:
        """The signed-in administrator and the posted form, when its CSRF token matches."""
        found = await self.require_admin(request)
        if isinstance(found, Response):
            return found
        form = await _read_form(request)
        if isinstance(form, Response):
            return form
        if not auth.tokens_match(found[1].csrf, _field(form, auth.CSRF_FIELD)):
            return PlainTextResponse("Missing or wrong CSRF token.", status_code=403)
        return found[0], form

    def _limit_keys(self, address: str, username: str) -> tuple[str, str]:
        def digest(text: str) -> str:
            return hashlib.sha256((self.secret + "\0" + text).encode()).hexdigest()
        return digest(address + "\0" + username.casefold()), digest(address)

    # -- sign-in and sign-out ----------------------------------------------------------------

    async def login_form(self, request: Request) -> Response:
        return self._login_page(request, error=None, status_code=200,
                                username="", next_url=_safe_next(request.query_params.get("next")))

    def _login_page(self, request: Request, *, error: str | None, status_code: int,
                    username: str, next_url: str,
                    headers: dict[str, str] | None = None) -> Response:
        nonce = secrets.token_urlsafe(24)
        response = self.render(request, "admin/login.html", {
            "csrf_token": self.signer.login_token(nonce), "error": error,
            "username": username, "next": next_url,
            "logged_out": request.query_params.get("logged_out") == "1",
        }, status_code=status_code)
        auth.set_cookie(response, request, auth.LOGIN_CSRF_COOKIE, nonce, max_age=3600)
        for key, value in (headers or {}).items():
            response.headers[key] = value
        return response

    async def login(self, request: Request) -> Response:
        form = await _read_form(request)
        if isinstance(form, Response):
            return form
        username = _field(form, "username")[:200]
        password = _field(form, "password")[:1000]
        next_url = _safe_next(_field(form, "next"))
        nonce = request.cookies.get(auth.LOGIN_CSRF_COOKIE)
        if not self.signer.check_login_token(nonce, _field(form, auth.CSRF_FIELD)):
            return PlainTextResponse("Missing or wrong CSRF token; reload the sign-in page.",
                                     status_code=403)
        address = auth.client_address(request)
        key, address_key = self._limit_keys(address, username)
        now = datetime.now(UTC)
        since = now - LOGIN_WINDOW
        users = self.store.users
        by_name, oldest_name = await run_in_threadpool(
            lambda: users.failures_since(since, key=key))
        by_address, oldest_address = await run_in_threadpool(
            lambda: users.failures_since(since, address=address_key))
        if by_name >= LOGIN_LIMIT_PER_NAME or by_address >= LOGIN_LIMIT_PER_ADDRESS:
            oldest = oldest_name if by_name >= LOGIN_LIMIT_PER_NAME else oldest_address
            wait = LOGIN_WINDOW - (now - (oldest or now))
            seconds = max(1, int(wait.total_seconds()) + 1)
            log.warning("sign-in rate limited for %r from %s", username, address)
            return self._login_page(
                request, error="Too many failed sign-ins. Try again later.", status_code=429,
                username=username, next_url=next_url, headers={"retry-after": str(seconds)})
        user = await run_in_threadpool(users.by_name, username) if username else None
        ok = await run_in_threadpool(passwords.verify_password,
                                     user.password_hash if user else None, password)
        if not ok or user is None:
            await run_in_threadpool(users.record_failure, key, address_key, now)
            if by_name == 0 and by_address == 0:
                await run_in_threadpool(users.prune_failures, since)
            return self._login_page(request, error="Wrong user name or password.",
                                    status_code=401, username=username, next_url=next_url)
        await run_in_threadpool(users.clear_failures, key)
        session = self.signer.new_session(user.id, user.password_hash)
        response = RedirectResponse(next_url if user.is_admin else "/", status_code=303)
        auth.set_cookie(response, request, auth.SESSION_COOKIE, self.signer.dumps(session),
                        max_age=auth.SESSION_MAX_AGE)
        auth.clear_cookie(response, request, auth.LOGIN_CSRF_COOKIE)
        log.info("%r signed in from %s", user.name, address)
        return response

    async def logout(self, request: Request) -> Response:
        form = await _read_form(request)
        if isinstance(form, Response):
            return form
        found = await self.current_user(request)
        if found is not None and not auth.tokens_match(found[1].csrf,
                                                       _field(form, auth.CSRF_FIELD)):
            return PlainTextResponse("Missing or wrong CSRF token.", status_code=403)
        if found is not None:
            await run_in_threadpool(self.store.users.end_sessions, found[0].id,
                                    datetime.now(UTC))
        response = RedirectResponse("/login?logged_out=1", status_code=303)
        auth.clear_cookie(response, request, auth.SESSION_COOKIE)
        response.headers["clear-site-data"] = '"cookies"'
        return response

    # -- pages -------------------------------------------------------------------------------

    async def stylesheet(self, request: Request) -> Response:
        return FileResponse(TEMPLATES / "admin" / "admin.css", media_type="text/css",
                            headers={"cache-control": "public, max-age=3600"})

    async def dashboard(self, request: Request) -> Response:
        found = await self.require_admin(request)
        if isinstance(found, Response):
            return found
        user, session = found
        overview = await run_in_threadpool(health.overview, self.store)
        return self.render(request, "admin/dashboard.html", {
            "user": user, "csrf_token": session.csrf, "overview": overview,
            "message": _message(request), "modes": FULLTEXT_MODES,
        })

    async def source_page(self, request: Request) -> Response:
        found = await self.require_admin(request)
        if isinstance(found, Response):
            return found
        user, session = found
        source_id = int(request.path_params["source_id"])
        try:
            detail = await run_in_threadpool(health.source_detail, self.store, source_id)
        except NotFoundError:
            return PlainTextResponse("No such source.", status_code=404)
        return self.render(request, "admin/source.html", {
            "user": user, "csrf_token": session.csrf, "detail": detail,
            "message": _message(request), "modes": FULLTEXT_MODES,
        })

    # -- actions -----------------------------------------------------------------------------

    async def _act(self, request: Request, action: Callable[[FormData], str],
                   back: Callable[[FormData], str]) -> Response:
        checked = await self.checked_form(request)
        if isinstance(checked, Response):
            return checked
        user, form = checked
        try:
            message = await run_in_threadpool(action, form)
        except NotFoundError:
            return PlainTextResponse("No such source.", status_code=404)
        except (FormError, TidingsError, ValueError) as exc:
            return PlainTextResponse(f"Not done: {one_line(exc, 300)}", status_code=400)
        log.info("admin %r: %s", user.name, message)
        return RedirectResponse(f"{back(form)}?done={quote(message)}", status_code=303)

    async def add_source(self, request: Request) -> Response:
        def action(form: FormData) -> str:
            source, new = source_ops.add_source(
                self.store, self.settings, url=_url(_field(form, "url")),
                name=_text(form, "name"), category=_text(form, "category"),
                now=datetime.now(UTC))
            return f"Added {source.name} ({new} articles)."
        return await self._act(request, action, lambda form: "/admin")

    async def edit_source(self, request: Request) -> Response:
        source_id = int(request.path_params["source_id"])

        def action(form: FormData) -> str:
            source_ops.edit_source(self.store, source_id, **_edit_values(form))
            return "Saved."
        return await self._act(request, action, lambda form: f"/admin/sources/{source_id}")

    async def pause_source(self, request: Request) -> Response:
        return await self._set_paused(request, True)

    async def resume_source(self, request: Request) -> Response:
        return await self._set_paused(request, False)

    async def _set_paused(self, request: Request, paused: bool) -> Response:
        source_id = int(request.path_params["source_id"])

        def action(form: FormData) -> str:
            if paused:
                paused_source = source_ops.pause_source(self.store, source_id, self.settings)
                return f"Paused {paused_source.name}."
            return f"Resumed {source_ops.resume_source(self.store, source_id).name}."
        return await self._act(request, action, lambda form: f"/admin/sources/{source_id}")

    async def remove_source(self, request: Request) -> Response:
        source_id = int(request.path_params["source_id"])

        def action(form: FormData) -> str:
            source, _articles = source_ops.remove_source(self.store, source_id,
                                                         self.settings)
            return f"Removed {source.name}."
        return await self._act(request, action, lambda form: "/admin")

    async def pipeline(self, request: Request) -> Response:
        def action(form: FormData) -> str:
            what = _field(form, "action")
            source = _field(form, "source_id").strip()
            source_id = int(source) if source.isdigit() else None
            return pipeline_ops.pipeline_action(self.store, self.settings, what,
                                                source_id=source_id)
        return await self._act(request, action, lambda form: "/admin")


# -- small pure helpers ----------------------------------------------------------------------


async def _read_form(request: Request) -> FormData | Response:
    try:
        return await request.form(max_files=0, max_fields=50)
    except Exception as exc:  # malformed bodies must be a 400, never a 500
        return PlainTextResponse(f"Malformed form: {one_line(exc, 300)}", status_code=400)


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _text(form: FormData, name: str) -> str | None:
    value = _field(form, name).strip()
    if len(value) > MAX_FIELD:
        raise FormError(f"{name} is too long")
    return value or None


def _url(value: str) -> str:
    value = source_ops.normalize_input_url(value) if value.strip() else ""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FormError("the feed address must be an http:// or https:// URL")
    return value


def _edit_values(form: FormData) -> dict[str, Any]:
    name = _text(form, "name")
    if not name:
        raise FormError("a source needs a name")
    fulltext = _field(form, "fulltext") or "auto"
    if fulltext not in FULLTEXT_MODES:
        raise FormError("full text must be auto, always or never")
    interval_text = _field(form, "poll_interval").strip()
    interval: int | None = None
    if interval_text:
        if not interval_text.isdigit() or not 60 <= int(interval_text) <= 7 * 86400:
            raise FormError("poll interval: whole seconds between 60 and 604800, or empty")
        interval = int(interval_text)
    language = _text(form, "language")
    if language and (len(language) > 16 or not language.replace("-", "").isalnum()):
        raise FormError("language: a code such as en or pt-BR")
    # the form shows every setting: an empty field clears it (0: the adaptive schedule)
    return {"name": name, "category": _text(form, "category") or "", "fulltext": fulltext,
            "language": language or "", "poll_interval": interval or 0}


def _safe_next(value: str | None) -> str:
    """Only local paths under /admin: never an open redirect."""
    if value and value.startswith("/admin") and not value.startswith("//") and "\\" not in value:
        return value
    return "/admin"


def _message(request: Request) -> str | None:
    done = request.query_params.get("done")
    return done[:200] if done else None
