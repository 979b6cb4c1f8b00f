"""``/settings``: the reader's account, apps, feeds, folders, filters, saved searches and
reading preferences.

Every change is a small form posted to ``/settings/{action}`` with the session's CSRF token.
A bad value shows the page again with a one-line message (400); a good one redirects back
with a note of what was done.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from tidings import passwords
from tidings.errors import InputError, NotFoundError, TidingsError, one_line
from tidings.operations import accounts, filters, subscriptions
from tidings.web.reader import changes
from tidings.web.reader.common import Handlers
from tidings.web.sessions import SignedIn


class SettingsPages(Handlers):
    async def show(self, request: Request) -> Response:
        signed = await self.gate.require(request)
        if isinstance(signed, Response):
            return signed
        done = request.query_params.get("done", "")[:200] or None
        return await self._render(request, signed, message=done)

    async def _render(self, request: Request, signed: SignedIn, *, status_code: int = 200,
                      **extra: Any) -> Response:
        base = str(request.base_url).rstrip("/")
        context = await run_in_threadpool(self._context, signed, base)
        return self.page("reader/settings.html", request, signed, active="settings",
                         status_code=status_code, **context, **extra)

    def _context(self, signed: SignedIn, base: str) -> dict[str, Any]:
        user_id = signed[0].id
        subs = subscriptions.list_subscriptions(self.store, user_id)
        following = {s.source_id for s in subs}
        _ = self._
        return {
            "prefs": accounts.get_prefs(self.store, user_id),
            "subscriptions": subs,
            "available": [s for s in self.store.sources.list()
                          if s.public and s.id not in following],
            "folders": subscriptions.list_folders(self.store, user_id),
            "filters": filters.list_rules(self.store, user_id),
            "searches": filters.list_saved_searches(self.store, user_id),
            "feed_titles": {s.source_id: s.title for s in subs},
            "filter_actions": {"mute": _("Mute"), "keep": _("Keep only")},
            "filter_fields": {"any": _("Any field"), "title": _("Title"), "text": _("Text"),
                              "source": _("Source"), "author": _("Author")},
            "has_api_password": accounts.has_api_password(self.store, user_id),
            "greader_url": base + "/api/greader", "fever_url": base + "/api/fever.php",
            "min_length": passwords.MIN_PASSWORD_LENGTH,
        }

    async def act(self, request: Request) -> Response:
        action = changes.ACTIONS.get(request.path_params["action"])
        if action is None:
            return PlainTextResponse("No such setting.", status_code=404)
        checked = await self.gate.checked_form(request)
        if isinstance(checked, Response):
            return checked
        signed, form = checked
        try:
            outcome = await run_in_threadpool(action, changes.Change(self.store, self.settings,
                                                                     signed[0], form, self._))
        except (InputError, NotFoundError, TidingsError, ValueError) as exc:
            return await self._render(request, signed, status_code=400,
                                      error=one_line(exc, 300))
        target = f"/settings?done={quote(outcome.message)}#{outcome.section}"
        response = RedirectResponse(target, status_code=303)
        if outcome.renew_session is not None:
            # the password changed or every session ended: this browser stays signed in
            self.gate.start_session(response, request, outcome.renew_session)
        return response

