"""Polite, bounded HTTP fetching of feeds and pages.

:class:`Fetcher` wraps one ``httpx2.AsyncClient``: a User-Agent naming tidings, connect/read
timeouts, conditional GET, gzip/deflate/brotli decoded here with the body cap applied to the
*decoded* size (so a decompression bomb stops at the cap), redirects followed by hand so that
every hop passes the address guard, a global and a per-host concurrency limit, and 429/503
reported with their Retry-After.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import time
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import brotli
import httpx2

from tidings.config import Settings
from tidings.errors import BlockedAddressError, FetchError, one_line
from tidings.fetch.netguard import AddressGuard, Resolver, check_scheme
from tidings.fetch.pool import GuardedTransport

REDIRECTS = {301, 302, 303, 307, 308}
PERMANENT = {301, 308}
CHUNK = 64 * 1024

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Response:
    url: str  # the final URL, after redirects
    status: int  # 200 or 304
    headers: httpx2.Headers
    content: bytes
    permanent_url: str | None = None  # set when every redirect on the way was permanent
    elapsed: float = 0.0

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    def header(self, name: str) -> str | None:
        value = self.headers.get(name)
        return None if value is None else str(value)

    @property
    def etag(self) -> str | None:
        return self.header("etag")

    @property
    def last_modified(self) -> str | None:
        return self.header("last-modified")

    @property
    def charset(self) -> str | None:
        """The charset the Content-Type header names, if any."""
        return content_charset(self.header("content-type"))

    def link(self, rel: str) -> str | None:
        """The absolute URL the ``Link`` header gives for ``rel`` (RFC 8288), if any."""
        if "link" not in self.headers:
            return None
        found = httpx2.Response(self.status, headers=self.headers).links.get(rel)
        href = (found or {}).get("url")
        return urljoin(self.url, href) if href else None

    @property
    def content_type(self) -> str:
        return (self.header("content-type") or "").split(";")[0].strip().lower()


def content_charset(content_type: str | None) -> str | None:
    """The charset a Content-Type value names, if any."""
    for part in (content_type or "").split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset" and value.strip().strip('"'):
            return str(value.strip().strip('"'))
    return None


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = datetime.now(UTC).timestamp() if now is None else now
    return max(0.0, when.timestamp() - current)


class _Decoder:
    """Incremental Content-Encoding decoder whose output never exceeds ``limit`` in total."""

    def __init__(self, encoding: str, limit: int):
        self.limit = limit
        self.size = 0
        self.parts: list[bytes] = []
        codings = [c.strip().lower() for c in encoding.split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        if len(codings) > 1:
            raise FetchError(f"unsupported Content-Encoding {encoding!r}")
        self.coding = codings[0] if codings else ""
        if self.coding in ("gzip", "x-gzip"):
            self._z: Any = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif self.coding == "deflate":
            self._z = None  # zlib-wrapped or raw; decided on the first bytes
        elif self.coding == "br":
            self._z = brotli.Decompressor()
        elif self.coding:
            raise FetchError(f"unsupported Content-Encoding {encoding!r}")

    def _emit(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            raise FetchError(f"body larger than {self.limit} bytes (after decompression)"
                             if self.coding else f"body larger than {self.limit} bytes")
        if data:
            self.parts.append(data)

    def feed(self, chunk: bytes) -> None:
        if not self.coding:
            self._emit(chunk)
            return
        try:
            if self.coding == "br":
                self._feed_brotli(chunk)
            else:
                if self._z is None:
                    raw = not (len(chunk) >= 2 and (chunk[0] & 0x0F) == 8
                               and (chunk[0] * 256 + chunk[1]) % 31 == 0)
                    self._z = zlib.decompressobj(-zlib.MAX_WBITS if raw else zlib.MAX_WBITS)
                self._feed_zlib(chunk)
        except (zlib.error, brotli.error) as exc:
            raise FetchError(f"cannot decode {self.coding} body: {exc}") from None

    def _feed_zlib(self, chunk: bytes) -> None:
        room = self.limit - self.size + 1
        data = self._z.decompress(chunk, room)
        self._emit(data)
        while self._z.unconsumed_tail:
            data = self._z.decompress(self._z.unconsumed_tail, self.limit - self.size + 1)
            if not data:
                break
            self._emit(data)

    def _feed_brotli(self, chunk: bytes) -> None:
        data = self._z.process(chunk, output_buffer_limit=self.limit - self.size + 1)
        self._emit(data)
        while not self._z.can_accept_more_data():
            data = self._z.process(b"", output_buffer_limit=self.limit - self.size + 1)
            if not data:
                break
            self._emit(data)

    def result(self) -> bytes:
        if self.coding in ("gzip", "x-gzip", "deflate") and self._z is not None:
            self._emit(self._z.flush())
        return b"".join(self.parts)


class Fetcher:
    """Fetches URLs under tidings' rules. Use ``async with`` or call :meth:`aclose`."""

    def __init__(self, settings: Settings, *, transport: httpx2.AsyncBaseTransport | None = None,
                 resolver: Resolver | None = None):
        self.settings = settings
        self.guard = AddressGuard(settings, resolver)
        limits = httpx2.Limits(max_connections=max(settings.fetch_concurrency, 1) * 2,
                              max_keepalive_connections=max(settings.fetch_concurrency, 1),
                              keepalive_expiry=30.0)
        self.client = httpx2.AsyncClient(
            transport=transport or GuardedTransport(self.guard, limits=limits),
            timeout=httpx2.Timeout(settings.read_timeout, connect=settings.connect_timeout,
                                  pool=None),
            follow_redirects=False,
            trust_env=False,
            headers={
                "User-Agent": settings.user_agent,
                "Accept": "application/rss+xml, application/atom+xml, application/feed+json, "
                          "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, "
                          "text/html;q=0.7, */*;q=0.5",
                "Accept-Encoding": "gzip, deflate, br",
            },
        )
        self._global = asyncio.Semaphore(settings.fetch_concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.client.aclose()

    def _host_limit(self, url: str) -> asyncio.Semaphore:
        host = (urlsplit(url).hostname or "").lower()
        sem = self._hosts.get(host)
        if sem is None:
            sem = self._hosts[host] = asyncio.Semaphore(self.settings.per_host_concurrency)
        return sem

    async def get(self, url: str, *, etag: str | None = None,
                  last_modified: str | None = None) -> Response:
        """GET ``url`` (conditionally when ``etag``/``last_modified`` are given).

        Returns a 200 or 304 :class:`Response`; raises :class:`FetchError` for everything else.
        """
        started = time.monotonic()
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        permanent: str | None = None
        all_permanent = True
        for _hop in range(self.settings.max_redirects + 1):
            check_scheme(current)
            if not self.settings.allow_private:
                # checked before the request too, so injected transports are guarded as well;
                # the connection layer reuses this answer (one lookup per host)
                await self.guard.check_url(current)
            async with self._global, self._host_limit(current):
                status, resp_headers, content, location = await self._one(current, headers)
            if status in REDIRECTS:
                if not location:
                    raise FetchError(f"HTTP {status} redirect without Location from {current}",
                                     status=status)
                target = urljoin(current, location)
                all_permanent = all_permanent and status in PERMANENT
                permanent = target if all_permanent else None
                current = target
                continue
            elapsed = time.monotonic() - started
            log.debug("fetched", extra={"url": current, "status": status, "bytes": len(content),
                                        "duration_s": round(elapsed, 3)})
            return Response(url=current, status=status, headers=resp_headers, content=content,
                            permanent_url=permanent, elapsed=elapsed)
        raise FetchError(f"too many redirects (more than {self.settings.max_redirects}) "
                         f"from {url}")

    async def post_form(self, url: str, form: dict[str, str]) -> int:
        """POST ``form`` (urlencoded) to ``url`` under the same rules as :meth:`get` (address
        guard, limits, timeouts, body cap); the 2xx status, else :class:`FetchError`.

        For talking to WebSub hubs; redirects are not followed (a hub answers directly).
        """
        check_scheme(url)
        if not self.settings.allow_private:
            await self.guard.check_url(url)
        async with self._global, self._host_limit(url):
            try:
                async with self.client.stream("POST", url, data=form) as resp:
                    await self._body(resp, url)  # read under the cap; errors raised here
                    status = resp.status_code
            except (BlockedAddressError, FetchError):
                raise
            except httpx2.HTTPError as exc:
                raise FetchError(f"cannot post to {url}: {one_line(exc)}") from None
        if not 200 <= status < 300:
            raise FetchError(f"HTTP {status} from {url}", status=status)
        return status

    async def _one(self, url: str, headers: dict[str, str]
                   ) -> tuple[int, httpx2.Headers, bytes, str | None]:
        try:
            async with self.client.stream("GET", url, headers=headers) as resp:
                status = resp.status_code
                if status in REDIRECTS:
                    return status, resp.headers, b"", resp.headers.get("location")
                if status == 304:
                    return status, resp.headers, b"", None
                return status, resp.headers, await self._body(resp, url), None
        except BlockedAddressError:
            raise
        except FetchError as exc:
            if exc.status is None and " from " not in str(exc):
                raise FetchError(f"{exc} from {url}", status=exc.status,
                                 retry_after=exc.retry_after) from None
            raise
        except httpx2.TimeoutException as exc:
            kind = "connecting" if isinstance(exc, httpx2.ConnectTimeout) else "reading"
            raise FetchError(f"timed out {kind} {url}") from None
        except httpx2.ConnectError as exc:
            raise FetchError(f"cannot connect to {url}: {one_line(exc)}") from None
        except httpx2.HTTPError as exc:
            raise FetchError(f"cannot fetch {url}: {one_line(exc)}") from None

    async def _body(self, resp: httpx2.Response, url: str) -> bytes:
        """The decoded body of a final answer: errors refused, size capped while streaming."""
        status = resp.status_code
        if status >= 400 or status < 200:
            retry = parse_retry_after(resp.headers.get("retry-after"))
            reason = resp.reason_phrase or ""
            raise FetchError(f"HTTP {status} {reason}".strip() + f" from {url}",
                             status=status, retry_after=retry)
        declared = resp.headers.get("content-length", "")
        limit = self.settings.max_body_bytes
        if declared.isdigit() and not resp.headers.get("content-encoding") \
                and int(declared) > limit:
            raise FetchError(f"body larger than {limit} bytes ({declared} declared) "
                             f"from {url}")
        decoder = _Decoder(resp.headers.get("content-encoding", ""), limit)
        try:
            async for chunk in resp.aiter_raw(CHUNK):
                decoder.feed(chunk)
        except httpx2.StreamConsumed:  # a test transport that answered with bytes
            decoder.feed(resp.content)
        return decoder.result()
