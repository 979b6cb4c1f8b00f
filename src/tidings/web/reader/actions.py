"""The reader's state changes: read/unread, star/unstar, mark all read, undo.

Buttons without JavaScript and the keyboard script post the same forms to the same handlers,
with the session's CSRF token; a plain post is answered with a redirect back to the list, a
script's (``Accept: application/json``) with the article's new state.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response

from tidings.errors import FormError, InputError, NotFoundError, one_line
from tidings.operations import reading
from tidings.web.reader.common import Handlers
from tidings.web.reader.forms import ids_of, parse_scope, safe_back, wants_json
from tidings.web.reader.lists import stream_query
from tidings.web.sessions import field

STATE_OPS: dict[str, tuple[str, bool]] = {
    "read": ("read", True), "unread": ("read", False),
    "star": ("starred", True), "unstar": ("starred", False),
}


def _back_with(back: str, **extra: str) -> str:
    """``back`` without an old undo note, plus ``extra`` query parameters."""
    path, _, query = back.partition("?")
    pairs = [p for p in query.split("&") if p and not p.startswith("undo=")]
    if extra:
        pairs.append(urlencode(extra))
    return path + ("?" + "&".join(pairs) if pairs else "")


class ReaderActions(Handlers):
    async def _run(self, request: Request, work: Callable[[int, FormData], dict[str, object]],
                   redirect: Callable[[FormData, dict[str, object]], str]) -> Response:
        checked = await self.gate.checked_form(request)
        if isinstance(checked, Response):
            return checked
        (user, _session), form = checked
        try:
            answer = await run_in_threadpool(work, user.id, form)
        except NotFoundError as exc:
            return _refusal(request, 404, one_line(exc, 200))
        except InputError as exc:  # ours (FormError) or the reader layer's
            return _refusal(request, 400, one_line(exc, 200))
        if wants_json(request):
            return JSONResponse(answer, headers={"cache-control": "no-store"})
        return RedirectResponse(redirect(form, answer), status_code=303)

    async def state(self, request: Request) -> Response:
        def work(user_id: int, form: FormData) -> dict[str, object]:
            op = STATE_OPS.get(field(form, "op"))
            if op is None:
                raise FormError("op must be read, unread, star or unstar")
            ids = ids_of([v for v in form.getlist("id") if isinstance(v, str)])
            flag, value = op
            if flag == "read":
                reading.set_read(self.store, user_id, ids, value)
            else:
                reading.set_starred(self.store, user_id, ids, value)
            items = reading.items_by_ids(self.store, user_id, ids)
            if not items:
                raise NotFoundError("no such article among yours")
            return {"id": items[0].article.id, "read": items[0].is_read,
                    "starred": items[0].is_starred}

        return await self._run(request, work,
                               lambda form, answer: safe_back(field(form, "back")))

    async def mark_all_read(self, request: Request) -> Response:
        def work(user_id: int, form: FormData) -> dict[str, object]:
            scope = parse_scope({k: v for k, v in form.items() if isinstance(v, str)})
            if scope.view == "starred" and not scope.kind:
                raise FormError("the starred list cannot be marked read")
            before = _moment(field(form, "before"))
            undo = reading.mark_all_read(self.store, user_id, stream_query(scope),
                                         before=before)
            return {"undo": undo}

        def back(form: FormData, answer: dict[str, object]) -> str:
            return _back_with(safe_back(field(form, "back")), undo=str(answer["undo"]))

        return await self._run(request, work, back)

    async def undo(self, request: Request) -> Response:
        def work(user_id: int, form: FormData) -> dict[str, object]:
            token = field(form, "undo").strip()
            if not token.isdigit() or len(token) > 18:
                raise FormError("nothing to undo")
            if not reading.undo_mark_all(self.store, user_id, int(token)):
                raise FormError("too late to undo that")
            return {"restored": True}

        return await self._run(request, work,
                               lambda form, answer: _back_with(safe_back(field(form, "back"))))


def _moment(text: str) -> datetime | None:
    """The page's time, sent back by "mark all as read" so newer arrivals stay unread."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise FormError("before must be an ISO 8601 time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _refusal(request: Request, status: int, message: str) -> Response:
    if wants_json(request):
        return JSONResponse({"error": {"status": status, "message": message}},
                            status_code=status)
    return PlainTextResponse(message, status_code=status)
