"""``/reader`` (a list: a view over a scope, with the sidebar) and ``/reader/articles/{id}``.

Both are rendered on the server and work without JavaScript. Opening an article marks it read
when the reader's preference says so ("on open"); "on scroll" is the script's job.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from tidings.errors import InputError, NotFoundError, one_line
from tidings.operations import accounts, reading
from tidings.web.reader import lists
from tidings.web.reader.common import Handlers
from tidings.web.reader.forms import Scope, continuation, parse_scope, safe_back
from tidings.web.sessions import SignedIn


class ReaderPages(Handlers):
    def _labels(self) -> lists.Labeler:
        return lists.Labeler(datetime.now(UTC), self.settings.tz, self.site.data.locale)

    async def index(self, request: Request) -> Response:
        signed = await self.gate.require(request)
        if isinstance(signed, Response):
            return signed
        query = request.query_params
        try:
            scope = parse_scope(query)
            token = continuation(query)
        except InputError as exc:  # ours (FormError) or the reader layer's
            return await self._bad(request, signed, one_line(exc, 200))
        back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        try:
            context = await run_in_threadpool(self._list_context, signed, scope, token, back)
        except NotFoundError as exc:
            return await self._bad(request, signed, one_line(exc, 200), status_code=404)
        except InputError as exc:  # ours (FormError) or the reader layer's
            return await self._bad(request, signed, one_line(exc, 200))
        undo = query.get("undo", "")
        return self.page("reader/index.html", request, signed, active="reader",
                         undo=undo if undo.isdigit() and len(undo) < 19 else None, **context)

    async def _bad(self, request: Request, signed: SignedIn, message: str, *,
                   status_code: int = 400) -> Response:
        """The reader page of everything unread, with what was wrong with the address."""
        context = await run_in_threadpool(self._list_context, signed, Scope(), None, "/reader")
        return self.page("reader/index.html", request, signed, active="reader", undo=None,
                         error=message, status_code=status_code, **context)

    def _list_context(self, signed: SignedIn, scope: Scope, token: str | None,
                      back: str) -> dict[str, Any]:
        user_id = signed[0].id
        prefs = accounts.get_prefs(self.store, user_id)
        side = lists.sidebar(self.store, user_id, scope)
        labels = self._labels()
        labels.sources = {s.id: s for s in side.sources()}
        page = lists.list_page(self.store, user_id, scope, token, labels, back,
                               group=prefs.group_by_story)
        return {
            "prefs": prefs, "sidebar": side, "entries": page.rows, "view": scope.view,
            "scope": scope, "back": back, "heading": self._heading(scope, side),
            "views": Scope().views(), "scoped": scope.views(),
            "next_url": scope.url(continuation=page.continuation) if page.continuation else None,
            "first_url": scope.url() if token else None,
            "before": labels.now.isoformat(),
        }

    def _heading(self, scope: Scope, side: lists.Sidebar) -> str:
        _ = self._
        if scope.kind == "story":
            return _("One story")
        title = side.title_of(scope)
        if title:
            return title
        if scope.kind:
            raise NotFoundError(f"no such {scope.kind} among yours")
        return {"unread": _("Unread"), "starred": _("Starred"), "all": _("All articles")
                }[scope.view]

    async def article(self, request: Request) -> Response:
        signed = await self.gate.require(request)
        if isinstance(signed, Response):
            return signed
        article_id = int(request.path_params["article_id"])
        back = safe_back(request.query_params.get("back"))
        try:
            context = await run_in_threadpool(self._article_context, signed, article_id, back)
        except NotFoundError:
            return await self._bad(request, signed, self._("Not found"), status_code=404)
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return self.page("reader/article.html", request, signed, active="reader",
                         back=back, back_here=here, **context)

    def _article_context(self, signed: SignedIn, article_id: int, back: str
                         ) -> dict[str, Any]:
        user_id = signed[0].id
        prefs = accounts.get_prefs(self.store, user_id)
        found = reading.items_by_ids(self.store, user_id, [article_id])
        if not found:
            raise NotFoundError(f"no article {article_id} among yours")
        item = found[0]
        if prefs.mark_read_on == "open" and not item.is_read:
            reading.set_read(self.store, user_id, [article_id], True)
            item = reading.items_by_ids(self.store, user_id, [article_id])[0]
        row = lists.to_row(item, self._labels(), back)
        return {"prefs": prefs, "entry": row, "content_html": lists.article_body(item),
                **lists.neighbours(self.store, user_id, article_id, back)}
