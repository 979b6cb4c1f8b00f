"""The admin area: managing sources and the pipeline stages.

Only signed-in administrators reach ``/admin`` (sign-in itself is :mod:`tidings.web.signin`).
Every form carries a CSRF token (hidden field ``csrf_token``) that must match the session's.
Store calls run in the thread pool, off the event loop.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.templating import Jinja2Templates

from tidings.errors import FormError, NotFoundError, TidingsError, one_line
from tidings.operations import pipeline as pipeline_ops
from tidings.operations import sources as source_ops
from tidings.operations import subscriptions as subscription_ops
from tidings.operations.sources import FULLTEXT_MODES
from tidings.store import health
from tidings.web.sessions import Gate, SignedIn, field

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).parent / "templates"
MAX_FIELD = 2000


def routes(gate: Gate) -> list[BaseRoute]:
    """The ``/admin`` pages, ready for ``Starlette(routes=...)`` (sign-in is in ``signin``)."""
    area = AdminArea(gate)
    post = ["POST"]
    return [
        Route("/admin", area.dashboard, methods=["GET", "HEAD"]),
        Route("/admin/", area.dashboard, methods=["GET", "HEAD"]),
        Route("/admin/admin.css", area.stylesheet, methods=["GET", "HEAD"]),
        Route("/admin/sources", area.add_source, methods=post),
        Route("/admin/sources/{source_id:int}", area.source_page, methods=["GET", "HEAD"]),
        Route("/admin/sources/{source_id:int}/edit", area.edit_source, methods=post),
        Route("/admin/sources/{source_id:int}/pause", area.pause_source, methods=post),
        Route("/admin/sources/{source_id:int}/resume", area.resume_source, methods=post),
        Route("/admin/sources/{source_id:int}/remove", area.remove_source, methods=post),
        Route("/admin/sources/{source_id:int}/publish", area.publish_source, methods=post),
        Route("/admin/pipeline", area.pipeline, methods=post),
    ]


class AdminArea:
    def __init__(self, gate: Gate):
        self.gate = gate
        self.settings = gate.settings
        self.store = gate.store
        self.templates = Jinja2Templates(directory=str(TEMPLATES))

    def render(self, request: Request, name: str, context: dict[str, Any],
               status_code: int = 200) -> Response:
        response = self.templates.TemplateResponse(request, name, context,
                                                   status_code=status_code)
        response.headers["cache-control"] = "no-store"
        return response

    async def require_admin(self, request: Request) -> SignedIn | Response:
        return await self.gate.require(request, admin=True)

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
        checked = await self.gate.checked_form(request, admin=True)
        if isinstance(checked, Response):
            return checked
        (user, _session), form = checked
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
                self.store, self.settings, url=_url(field(form, "url")),
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

    async def publish_source(self, request: Request) -> Response:
        source_id = int(request.path_params["source_id"])

        def action(form: FormData) -> str:
            return f"Published {subscription_ops.publish_source(self.store, source_id).name}."
        return await self._act(request, action, lambda form: f"/admin/sources/{source_id}")

    async def pipeline(self, request: Request) -> Response:
        def action(form: FormData) -> str:
            what = field(form, "action")
            source = field(form, "source_id").strip()
            source_id = int(source) if source.isdigit() else None
            return pipeline_ops.pipeline_action(self.store, self.settings, what,
                                                source_id=source_id)
        return await self._act(request, action, lambda form: "/admin")


# -- small pure helpers ----------------------------------------------------------------------


def _text(form: FormData, name: str) -> str | None:
    value = field(form, name).strip()
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
    fulltext = field(form, "fulltext") or "auto"
    if fulltext not in FULLTEXT_MODES:
        raise FormError("full text must be auto, always or never")
    interval_text = field(form, "poll_interval").strip()
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


def _message(request: Request) -> str | None:
    done = request.query_params.get("done")
    return done[:200] if done else None
