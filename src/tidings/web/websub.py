"""``/websub/<token>``: the callbacks hubs talk to (the rules live in
``tidings.websub.callbacks``).

Hubs are not browsers: these routes take no cookies and set none, need no CSRF token, and
answer in plain text. Bodies may be as large as ``TIDINGS_MAX_BODY_BYTES`` (the security
layer's cap for this path); storing runs in a thread, never on the event loop.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from tidings.errors import TidingsError, one_line
from tidings.fetch.http import content_charset
from tidings.web.site import Site
from tidings.websub.callbacks import Answer, receive_content, verify_intent

log = logging.getLogger(__name__)

PREFIX = "/websub/"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_NO_STORE = {"cache-control": "no-store"}


def _plain(answer: Answer) -> Response:
    return PlainTextResponse(answer.text, status_code=answer.status, headers=_NO_STORE)


def routes(site: Site) -> list[BaseRoute]:
    store = site.store
    limit = site.settings.max_body_bytes

    async def verify(request: Request) -> Response:
        token = request.path_params["token"]
        if not TOKEN.match(token):
            return _plain(Answer(404, "unknown callback\n"))
        query = {k: v for k, v in request.query_params.items()}
        try:
            answer = await run_in_threadpool(verify_intent, store, token, query,
                                             datetime.now(UTC))
        except TidingsError as exc:
            log.warning("websub verification failed", extra={"error": one_line(exc)})
            return _plain(Answer(503, "try again later\n"))
        return _plain(answer)

    async def push(request: Request) -> Response:
        token = request.path_params["token"]
        if not TOKEN.match(token):
            return _plain(Answer(404, "unknown callback\n"))
        body = await request.body()
        if len(body) > limit:
            return _plain(Answer(413, f"body larger than {limit} bytes\n"))
        charset = content_charset(request.headers.get("content-type"))
        try:
            answer = await run_in_threadpool(
                receive_content, store, token, body,
                signature=request.headers.get("x-hub-signature"), charset=charset,
                now=datetime.now(UTC))
        except TidingsError as exc:  # the store is busy or down: the hub will retry
            log.warning("websub push not stored", extra={"error": one_line(exc)})
            return _plain(Answer(503, "try again later\n"))
        if answer.new_ids:
            site.cache.invalidate()  # this process shows them at once; others within 1 s
        return _plain(answer)

    return [Route(PREFIX + "{token}", verify, methods=["GET"]),
            Route(PREFIX + "{token}", push, methods=["POST"])]

