"""Cache hits answered before routing: the common case (a page or API answer already
rendered) costs a dictionary lookup and two ASGI messages instead of a trip through
Starlette's router, request and response objects.

It sits inside the security and error middleware, so hits carry the same headers as every
other response, and it counts article reads exactly as the article handler does.
"""

from __future__ import annotations

import re
from email.utils import format_datetime, parsedate_to_datetime

from starlette.types import ASGIApp, Receive, Scope, Send

from tidings.web.cache import Entry, cache_key
from tidings.web.site import Site

ARTICLE_PATH = re.compile(r"^/articles/(\d{1,18})$")


def _header(scope: Scope, wanted: bytes) -> bytes | None:
    for name, value in scope["headers"]:
        if name == wanted:
            return bytes(value)
    return None


def fresh_etag(scope: Scope, etag: bytes) -> bool:
    """Whether the client's If-None-Match already names ``etag``."""
    inm = _header(scope, b"if-none-match")
    if inm is None:
        return False
    tags = {t.strip().removeprefix(b"W/") for t in inm.split(b",")}
    return etag in tags or b"*" in tags


def fresh_for_client(scope: Scope, entry: Entry) -> bool:
    """The conditional-request check of cache.not_modified, on raw ASGI headers."""
    if _header(scope, b"if-none-match") is not None:
        return fresh_etag(scope, entry.etag.encode())
    ims = _header(scope, b"if-modified-since")
    if ims:
        try:
            since = parsedate_to_datetime(ims.decode("latin-1"))
        except (TypeError, ValueError):
            return False
        return since.tzinfo is not None and entry.last_modified <= since
    return False


class FastPath:
    def __init__(self, app: ASGIApp, site: Site):
        self.app = app
        self.site = site

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        cache = self.site.cache
        now = cache.clock()
        entry = cache.get(cache_key(scope), now, count_miss=False)
        if entry is None:
            await self.app(scope, receive, send)
            return
        headers = [
            (b"etag", entry.etag.encode()),
            (b"last-modified", format_datetime(entry.last_modified, usegmt=True).encode()),
            (b"cache-control", b"no-cache"),
            (b"vary", b"Accept-Encoding"),
            *((name.encode(), value.encode()) for name, value in entry.headers),
        ]
        if fresh_for_client(scope, entry):
            status, body = 304, b""
        else:
            status, body = entry.status, entry.body
            headers.append((b"content-type", entry.media_type.encode()))
            headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body",
                    "body": body if scope["method"] == "GET" else b""})
        if scope["method"] == "GET":
            match = ARTICLE_PATH.match(scope["path"])
            if match:
                client = scope.get("client")
                agent = _header(scope, b"user-agent")
                self.site.reads.note(int(match.group(1)), client[0] if client else "",
                                     agent.decode("latin-1") if agent is not None else None)
