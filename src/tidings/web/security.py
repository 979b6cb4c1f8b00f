"""Security headers, an overload guard, request size caps and timeouts, for every response.

``install(app, settings)`` wraps the whole application (outside Starlette's own error
middleware), so even a 500 page, a 404 or a 503 from the guard carries the headers. The guard
is a pure ASGI middleware: it bounds the requests in flight and answers ``503`` with
``Retry-After`` instead of letting a queue grow until the process collapses (open event
streams, ``/api/events``, are bounded apart, by ``TIDINGS_MAX_EVENT_STREAMS``, and have no time
limit: they are meant to stay open); it refuses bodies
larger than a cap (``413``), over-long URLs (``414``) and headers (``431``); and it ends a
request that takes too long (``503``) so one slow handler cannot hold a slot forever.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.applications import Starlette
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tidings.config import Settings
from tidings.web.responses import error_body

log = logging.getLogger(__name__)

#: request bodies larger than this are refused (the admin forms are tiny)
MAX_REQUEST_BYTES = 1024 * 1024
#: path plus query string longer than this is refused
MAX_URL_BYTES = 8192
#: request headers larger than this, all together, are refused (httptools sets no limit)
MAX_HEADER_BYTES = 32 * 1024
#: a request that has not finished in this many seconds is cut off
REQUEST_TIMEOUT = 30.0
#: how long a request may wait for a free slot before it is turned away
QUEUE_WAIT = 0.25
RETRY_AFTER_SECONDS = 2
#: the live event stream (``web.live``): long-lived, so counted apart and never timed out
EVENTS_PATH = "/api/events"


def content_security_policy(settings: Settings) -> str:
    """No inline script, no third-party script or style; images third-party only without proxy."""
    images = "'self' data:" if settings.image_proxy else "'self' data: https:"
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        f"img-src {images}",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def security_headers(settings: Settings) -> list[tuple[bytes, bytes]]:
    """The headers added to every response (unless the handler already set one)."""
    pairs = {
        "content-security-policy": content_security_policy(settings),
        "x-content-type-options": "nosniff",
        "referrer-policy": "strict-origin-when-cross-origin",
        "x-frame-options": "DENY",
        "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
                              "interest-cohort=()",
        "cross-origin-opener-policy": "same-origin",
    }
    return [(k.encode(), v.encode()) for k, v in pairs.items()]


class _Slots:
    """A counted limit on requests in flight, with a short, bounded wait for a free slot."""

    def __init__(self, limit: int, wait: float):
        self.limit = max(1, limit)
        self.wait = wait
        self.in_flight = 0
        self.waiting = 0
        self._freed: asyncio.Event | None = None

    async def acquire(self) -> bool:
        if self.in_flight < self.limit:
            self.in_flight += 1
            return True
        if self.wait <= 0 or self.waiting >= self.limit:
            return False
        self.waiting += 1
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.wait
        try:
            while self.in_flight >= self.limit:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return False
                if self._freed is None:
                    self._freed = asyncio.Event()
                freed = self._freed
                try:
                    await asyncio.wait_for(freed.wait(), remaining)
                except TimeoutError:
                    return False
            self.in_flight += 1
            return True
        finally:
            self.waiting -= 1

    def release(self) -> None:
        self.in_flight -= 1
        if self._freed is not None:
            self._freed.set()
            self._freed = None


class SecurityMiddleware:
    """Headers on every HTTP response; overload, size and time limits around the app."""

    def __init__(self, app: ASGIApp, settings: Settings, *,
                 max_request_bytes: int = MAX_REQUEST_BYTES,
                 request_timeout: float = REQUEST_TIMEOUT,
                 queue_wait: float = QUEUE_WAIT):
        self.app = app
        self.headers = security_headers(settings)
        self.max_request_bytes = max_request_bytes
        # WebSub pushes are whole feeds: capped like a fetched one
        self.max_push_bytes = max(max_request_bytes, settings.max_body_bytes)
        self.request_timeout = request_timeout
        self.slots = _Slots(settings.max_concurrent_requests, queue_wait)
        self.streams = _Slots(settings.max_event_streams, 0)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False
        answered = False  # the guard answered itself; drop whatever the app still sends
        api = str(scope.get("path", "")).startswith("/api")

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if answered:
                return
            if message["type"] == "http.response.start":
                started = True
                _add_missing(message, self.headers)
            await send(message)

        early = self._refuse_early(scope)
        if early is not None:
            await _plain(send_with_headers, *early, as_json=api)
            return
        stream = scope.get("path") == EVENTS_PATH
        slots = self.streams if stream else self.slots
        if not await slots.acquire():
            await _plain(send_with_headers, 503, "The server is busy; try again shortly.",
                         [(b"retry-after", str(RETRY_AFTER_SECONDS).encode())], as_json=api)
            return
        async def too_large() -> None:
            nonlocal answered
            if not started:
                await _plain(send_with_headers, 413, "Request body too large.",
                             [(b"connection", b"close")], as_json=api)
            answered = True

        limit = self._limit(scope)
        try:
            await asyncio.wait_for(
                self.app(scope, self._capped(receive, too_large, limit), send_with_headers),
                None if stream else self.request_timeout)
        except TimeoutError:
            log.warning("request timed out after %.0fs: %s %s", self.request_timeout,
                        scope.get("method"), scope.get("path"))
            if not started:
                await _plain(send_with_headers, 503, "The request took too long.",
                             [(b"retry-after", str(RETRY_AFTER_SECONDS).encode())], as_json=api)
        finally:
            slots.release()

    def _refuse_early(self, scope: Scope) -> tuple[int, str, list[tuple[bytes, bytes]]] | None:
        raw_path = scope.get("raw_path") or scope.get("path", "").encode("utf-8", "replace")
        if len(raw_path) + len(scope.get("query_string", b"")) > MAX_URL_BYTES:
            return 414, "URL too long.", []
        headers = scope.get("headers", [])
        if sum(len(name) + len(value) + 4 for name, value in headers) > MAX_HEADER_BYTES:
            return 431, "Request headers too large.", [(b"connection", b"close")]
        for name, value in headers:
            if name == b"content-length":
                try:
                    length = int(value)
                except ValueError:
                    return 400, "Malformed Content-Length.", [(b"connection", b"close")]
                if length < 0:
                    return 400, "Malformed Content-Length.", [(b"connection", b"close")]
                if length > self._limit(scope):
                    return 413, "Request body too large.", [(b"connection", b"close")]
        return None

    def _limit(self, scope: Scope) -> int:
        """The body cap for this request: larger for WebSub callbacks (hubs push feeds)."""
        if str(scope.get("path", "")).startswith("/websub/"):
            return self.max_push_bytes
        return self.max_request_bytes

    def _capped(self, receive: Receive, on_overflow: Callable[[], Awaitable[None]],
                limit: int) -> Receive:
        """A ``receive`` that answers 413 once more than the cap has arrived, then tells the
        app the client is gone (Starlette ends the request quietly, no traceback)."""
        total = 0
        over = False

        async def capped() -> Message:
            nonlocal total, over
            if over:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                total += len(message.get("body", b""))
                if total > limit:
                    over = True
                    await on_overflow()
                    return {"type": "http.disconnect"}
            return message

        return capped


def _add_missing(message: MutableMapping[str, Any], headers: list[tuple[bytes, bytes]]) -> None:
    existing = list(message.get("headers", []))
    present = {name.lower() for name, _ in existing}
    existing.extend((k, v) for k, v in headers if k not in present)
    message["headers"] = existing


async def _plain(send: Callable[[Message], Awaitable[None]], status: int, text: str,
                 extra: list[tuple[bytes, bytes]], *, as_json: bool = False) -> None:
    """A short error answer; JSON in the API's one error shape for ``/api`` paths."""
    if as_json:
        body = error_body(status, text)
        kind = b"application/json"
    else:
        body = text.encode() + b"\n"
        kind = b"text/plain; charset=utf-8"
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", kind),
                    (b"content-length", str(len(body)).encode()),
                    (b"cache-control", b"no-store"), *extra],
    })
    await send({"type": "http.response.body", "body": body})


def install(app: Starlette, settings: Settings, **limits: Any) -> None:
    """Wrap ``app`` outermost, so the headers reach even Starlette's own 500 page.

    ``limits`` passes ``max_request_bytes``, ``request_timeout`` or ``queue_wait`` through
    (tests use small ones).
    """
    build = app.build_middleware_stack

    def build_guarded() -> ASGIApp:
        return SecurityMiddleware(build(), settings, **limits)

    app.build_middleware_stack = build_guarded  # type: ignore[method-assign]
    app.middleware_stack = None
