"""Who is signed in, and whether a posted form may act for them: one gate for every page.

The admin area, the reader view and the settings page all ask the same questions: which
account holds this session cookie (still valid: same password, not signed out since), and does
a posted form carry that session's CSRF token. Store calls run in the thread pool.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from tidings.config import Settings
from tidings.errors import one_line
from tidings.store import Store
from tidings.store.users import User
from tidings.web import auth

MAX_FORM_FIELDS = 50

#: a signed-in account and its session (the session holds the CSRF token)
SignedIn = tuple[User, auth.Session]


class Gate:
    """Sessions for one application: the signer (one secret) and the account checks."""

    def __init__(self, settings: Settings, store: Store):
        self.settings = settings
        self.store = store
        self.secret = auth.load_secret(settings)
        self.signer = auth.SessionSigner(self.secret)

    async def current_user(self, request: Request) -> SignedIn | None:
        return await auth.session_user(self.store, self.signer, request)

    async def require(self, request: Request, *, admin: bool = False) -> SignedIn | Response:
        """The signed-in account, or the answer for a stranger: pages send them to sign in,
        actions are refused; ``admin`` also refuses readers."""
        found = await self.current_user(request)
        if found is None:
            if request.method in ("GET", "HEAD"):
                target = quote(request.url.path, safe="/")
                return RedirectResponse(f"/login?next={target}", status_code=303)
            return PlainTextResponse("Sign in first.", status_code=403)
        if admin and not found[0].is_admin:
            return PlainTextResponse("Administrators only.", status_code=403)
        return found

    async def checked_form(self, request: Request, *, admin: bool = False
                           ) -> tuple[SignedIn, FormData] | Response:
        """The signed-in account and the posted form, when its CSRF token matches."""
        found = await self.require(request, admin=admin)
        if isinstance(found, Response):
            return found
        form = await read_form(request)
        if isinstance(form, Response):
            return form
        if not auth.tokens_match(found[1].csrf, field(form, auth.CSRF_FIELD)):
            return PlainTextResponse("Missing or wrong CSRF token.", status_code=403)
        return found, form

    def start_session(self, response: Response, request: Request, user: User) -> None:
        """Sign ``user`` in on this browser (a new session cookie, a new CSRF token)."""
        session = self.signer.new_session(user.id, user.password_hash)
        auth.set_cookie(response, request, auth.SESSION_COOKIE, self.signer.dumps(session),
                        max_age=auth.SESSION_MAX_AGE)

    async def end_sessions(self, user: User) -> None:
        """Every session of ``user`` issued until now stops working, on every device."""
        await run_in_threadpool(self.store.users.end_sessions, user.id, datetime.now(UTC))


async def read_form(request: Request) -> FormData | Response:
    try:
        return await request.form(max_files=0, max_fields=MAX_FORM_FIELDS)
    except Exception as exc:  # malformed bodies must be a 400, never a 500
        return PlainTextResponse(f"Malformed form: {one_line(exc, 300)}", status_code=400)


def field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""
