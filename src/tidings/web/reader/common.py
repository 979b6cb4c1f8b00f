"""What every reader and settings handler shares: the gate, the site's templates, rendering."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from tidings.web.sessions import Gate, SignedIn
from tidings.web.site import Site


class Handlers:
    def __init__(self, gate: Gate, site: Site):
        self.gate = gate
        self.site = site
        self.store = gate.store
        self.settings = gate.settings
        self._ = site.gettext

    def page(self, template: str, request: Request, signed: SignedIn, *,
             status_code: int = 200, **context: Any) -> Response:
        """A signed-in page: never cached, with the account and its CSRF token."""
        user, session = signed
        body = self.site.render(template, request, user=user, csrf_token=session.csrf,
                                **context)
        return HTMLResponse(body, status_code=status_code,
                            headers={"cache-control": "no-store"})
