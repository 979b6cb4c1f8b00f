"""Who is asking: the ``GoogleLogin`` header, the edit token, and the 401 answer.

Reads send ``Authorization: GoogleLogin auth=<token>``; writes add the form field ``T``.
The token is the whole credential (hex, so newsboat's unescaped bodies carry it intact); a
write without the header may authenticate with ``T`` alone, as Miniflux allows. Nothing here
reads or sets a cookie: a browser never sends this header to another site on its own, so the
API needs no CSRF token of its own and is exempt from the site's.
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response

from tidings.web.responses import api_error

#: what FreshRSS and Miniflux send with a 401, so clients ask for a new token
BAD_TOKEN_HEADERS = {"Google-Bad-Token": "true", "X-Reader-Google-Bad-Token": "true"}
MAX_TOKEN_CHARS = 200

_HEADER = re.compile(r"\s*GoogleLogin\s+auth\s*=\s*\"?([^\s\"]+)\"?\s*", re.I)
_TOKEN = re.compile(rf"[0-9A-Za-z_./-]{{1,{MAX_TOKEN_CHARS}}}")


def header_token(authorization: str | None) -> str | None:
    """The token in ``GoogleLogin auth=<token>``, if the header has that form."""
    if not authorization:
        return None
    match = _HEADER.fullmatch(authorization)
    return well_formed(match.group(1)) if match else None


def well_formed(token: str | None) -> str | None:
    """``token`` trimmed, when it can be a token at all (nothing else is looked up)."""
    if token is None:
        return None
    text = token.strip()
    return text if _TOKEN.fullmatch(text) else None


def request_token(request: Request, edit_token: str | None) -> str | None:
    """The header's token, else (a write from a client that sends only ``T``) the edit token."""
    found = header_token(request.headers.get("authorization"))
    if found is None and request.method == "POST":
        found = well_formed(edit_token)
    return found


def unauthorized(message: str = "sign in with an API token") -> Response:
    return api_error(401, message, BAD_TOKEN_HEADERS)
