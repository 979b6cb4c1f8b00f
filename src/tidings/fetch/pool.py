"""The fetcher's connection pool: connections that pass the address guard, polled sparingly.

httpx2 builds its transport's pool itself; :class:`GuardedTransport` rebuilds it with the
guard's network backend and connections wrapped in :class:`_CheckedOnReuse`.
"""

from __future__ import annotations

import time

import httpcore2
import httpx2

from tidings.fetch.netguard import AddressGuard, GuardedNetworkBackend


class _CheckedOnReuse(httpcore2.AsyncConnectionInterface):
    """A pooled connection whose socket is polled when it is about to be reused.

    httpcore2 asks every pooled connection ``has_expired`` (for an idle one, a poll of its
    socket) on each pass over the pool, that is twice per request: with a refresh's many
    hosts, thousands of polls (issue 15). Here that sweep polls an idle connection at most
    once a second, while reuse (``can_handle_request`` for the request's origin) always polls
    an idle one first: a connection the server closed is never handed out, and keep-alive
    works as before."""

    SWEEP_SECONDS = 1.0

    def __init__(self, inner: httpcore2.AsyncConnectionInterface):
        self.inner = inner
        self.expired = False
        self.swept = 0.0

    async def handle_async_request(self, request: httpcore2.Request) -> httpcore2.Response:
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()

    def info(self) -> str:
        return self.inner.info()

    def can_handle_request(self, origin: httpcore2.Origin) -> bool:
        if not self.inner.can_handle_request(origin):
            return False
        if not self.expired and self.inner.is_idle():  # about to be reused
            self.expired = self.inner.has_expired()
        return not self.expired

    def is_available(self) -> bool:
        return not self.expired and self.inner.is_available()

    def has_expired(self) -> bool:
        if self.expired or not self.inner.is_idle():  # busy ones are cheap to ask
            return self.expired or self.inner.has_expired()
        now = time.monotonic()
        if now - self.swept < self.SWEEP_SECONDS:
            return False
        self.swept = now
        self.expired = self.inner.has_expired()
        return self.expired

    def is_connected(self) -> bool:
        return self.inner.is_connected()

    def can_multiplex(self) -> bool:
        return self.inner.can_multiplex()

    def is_idle(self) -> bool:
        return self.inner.is_idle()

    def is_closed(self) -> bool:
        return self.inner.is_closed()


class _Pool(httpcore2.AsyncConnectionPool):
    def create_connection(self, origin: httpcore2.Origin) -> httpcore2.AsyncConnectionInterface:
        return _CheckedOnReuse(super().create_connection(origin))


class GuardedTransport(httpx2.AsyncHTTPTransport):
    """httpx2's transport with a connection pool whose connections pass the address guard."""

    def __init__(self, guard: AddressGuard, *, limits: httpx2.Limits):
        ssl_context = httpx2.create_ssl_context(trust_env=False)  # built once: it is slow
        super().__init__(verify=ssl_context, limits=limits, trust_env=False)
        # httpx2 builds its pool without a way to pass a network backend; rebuild it with one
        self._pool = _Pool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedNetworkBackend(guard),
        )
