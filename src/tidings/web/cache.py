"""Rendered pages and API answers, cached per process and validated per request.

An entry is valid while (1) the store's content token is unchanged — a counter in the ``meta``
table that writers bump, plus the newest article and story ids, so every web process agrees
without talking to the others, (2) the calendar day in the site's zone is the one it was
rendered on, since time labels ("Yesterday, 22:40") change at midnight, and (3) it is younger
than ``page_cache_seconds`` (view counts move). Responses carry an ETag and Last-Modified and
answer conditional requests with 304.

Rendering is shared: when an entry is missing or its content changed, concurrent requests for
the same URL wait for one rendering instead of each starting their own (no thundering herd
when a popular page changes). When an entry has only aged past the TTL, it is served while a
single refresh runs behind it; across midnight or a content change nothing stale is served.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from tidings.store.reads import Meta
from tidings.web.i18n import local_day

#: how often (seconds) a process re-reads the content token from the store
TOKEN_REFRESH_SECONDS = 1.0
#: renderings running at once per process: rendering is CPU-bound Python, so more threads
#: only fight over the GIL (and starve the event loop serving cached pages)
RENDER_CONCURRENCY = 3


@dataclass(slots=True)
class Entry:
    body: bytes
    media_type: str
    etag: str
    last_modified: datetime
    created: float  # monotonic
    token: str
    day: str
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()  # more response headers (a feed's Link)


class PageCache:
    """A bounded LRU of rendered bodies with hit/miss counters."""

    def __init__(self, meta: Meta, *, ttl: float, tz: object, max_entries: int = 4096,
                 clock: Callable[[], datetime] | None = None):
        self.meta = meta
        self.clock = clock or (lambda: datetime.now(UTC))
        self.ttl = ttl
        self.tz = tz
        self.max_entries = max_entries
        self.entries: OrderedDict[str, Entry] = OrderedDict()
        self.objects: dict[str, tuple[Any, str, str, float]] = {}
        self.hits = 0
        self.misses = 0
        self._token = ""
        self._token_at = -1e9
        self.stale = 0  # aged entries served while one refresh runs
        self._inflight: dict[str, asyncio.Future[Entry]] = {}
        self._slots: asyncio.Semaphore | None = None
        self._lock = threading.Lock()

    def token(self) -> str:
        now = time.monotonic()
        if now - self._token_at >= TOKEN_REFRESH_SECONDS:
            self._token = self.meta.content_token()
            self._token_at = now
        return self._token

    def invalidate(self) -> None:
        """Forget the token so the next request re-reads it (tests, admin actions)."""
        self._token_at = -1e9

    def get(self, key: str, now: datetime, *, count_miss: bool = True) -> Entry | None:
        """A valid entry, or None. ``count_miss=False`` for a look that will be retried."""
        if self.ttl <= 0:
            self.misses += count_miss
            return None
        entry = self.entries.get(key)
        if entry is not None and (
            entry.token == self.token()
            and entry.day == local_day(now, self.tz).isoformat()  # type: ignore[arg-type]
            and time.monotonic() - entry.created < self.ttl
        ):
            self.hits += 1
            self.entries.move_to_end(key)
            return entry
        self.misses += count_miss
        return None

    def put(self, key: str, body: bytes, media_type: str, now: datetime, token: str,
            status: int = 200, headers: tuple[tuple[str, str], ...] = ()) -> Entry:
        entry = Entry(body=body, media_type=media_type,
                      etag='"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"',
                      last_modified=now.replace(microsecond=0), created=time.monotonic(),
                      token=token, day=local_day(now, self.tz).isoformat(),  # type: ignore[arg-type]
                      status=status, headers=headers)
        if self.ttl > 0 and status == 200:
            with self._lock:
                self.entries[key] = entry
                self.entries.move_to_end(key)
                while len(self.entries) > self.max_entries:
                    self.entries.popitem(last=False)
        return entry

    def memo(self, key: str, now: datetime, build: Callable[[], Any]) -> Any:
        """A shared piece of data (the latest list, the outlets) under the same rules as pages,
        so rendering many different pages does not rebuild it each time."""
        token = self.token()
        day = local_day(now, self.tz).isoformat()  # type: ignore[arg-type]
        found = self.objects.get(key)
        if (found is not None and found[1] == token and found[2] == day
                and time.monotonic() - found[3] < self.ttl):
            return found[0]
        value = build()
        if self.ttl > 0:
            self.objects[key] = (value, token, day, time.monotonic())
        return value

    def clear(self) -> None:
        self.entries.clear()
        self.objects.clear()

    def stats(self) -> dict[str, float]:
        served = self.hits + self.stale
        total = served + self.misses
        return {"hits": self.hits, "misses": self.misses, "stale": self.stale,
                "entries": len(self.entries),
                "hit_rate": round(served / total, 4) if total else 0.0}

    async def serve(self, request: Request, render: Callable[[datetime], tuple[bytes, str]],
                    headers: tuple[tuple[str, str], ...] = ()) -> tuple[Response, bool]:
        """The cached entry for this URL (rendering it on a miss) as a 200 or a 304;
        ``headers`` go with it, also when it is served from the cache.

        Returns the response and whether it was a 304.
        """
        now = self.clock()
        key = cache_key(request.scope)
        entry = self.get(key, now, count_miss=False)
        if entry is None:
            old = self.entries.get(key)
            if (old is not None and old.token == self.token()
                    and old.day == local_day(now, self.tz).isoformat()):  # type: ignore[arg-type]
                # only aged (view counts may have moved): serve it, refresh it once, behind
                self.stale += 1
                if key not in self._inflight:
                    self._inflight[key] = asyncio.ensure_future(
                        self._render(key, render, now, headers))
                    self._inflight[key].add_done_callback(_quiet)
                entry = old
            else:
                # new content or a new day: wait for one rendering shared by every request
                self.misses += 1
                task = self._inflight.get(key)
                if task is None:
                    task = asyncio.ensure_future(self._render(key, render, now, headers))
                    self._inflight[key] = task
                entry = await asyncio.shield(task)
        return conditional(request, entry)

    async def _render(self, key: str, render: Callable[[datetime], tuple[bytes, str]],
                      now: datetime, headers: tuple[tuple[str, str], ...]) -> Entry:
        if self._slots is None:
            self._slots = asyncio.Semaphore(RENDER_CONCURRENCY)
        try:
            async with self._slots:
                token = self.token()
                body, media_type = await run_in_threadpool(render, now)
            return self.put(key, body, media_type, now, token, headers=headers)
        except Exception:
            self.entries.pop(key, None)  # e.g. the article is gone: never serve it stale
            raise
        finally:
            self._inflight.pop(key, None)


def _quiet(task: asyncio.Future[Entry]) -> None:
    """A background refresh that failed is retried by the next request; do not log it twice."""
    if not task.cancelled():
        task.exception()


def cache_key(scope: Scope) -> str:
    """One key per URL as the client asked for it (the host matters: feeds hold links)."""
    host = b""
    for name, value in scope["headers"]:
        if name == b"host":
            host = value
            break
    query = scope.get("query_string", b"")
    key: bytes = host + (scope.get("raw_path") or scope["path"].encode()) + b"?" + query
    return key.decode("latin-1")


def not_modified(request: Request, entry: Entry) -> bool:
    inm = request.headers.get("if-none-match")
    if inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return entry.etag in tags or "*" in tags
    ims = request.headers.get("if-modified-since")
    if ims:
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return entry.last_modified <= since
    return False


def conditional(request: Request, entry: Entry) -> tuple[Response, bool]:
    headers = {
        "etag": entry.etag,
        "last-modified": format_datetime(entry.last_modified, usegmt=True),
        # revalidate every time: cheap (304), and it keeps reads and labels honest
        "cache-control": "no-cache",
        "vary": "Accept-Encoding",
        **dict(entry.headers),
    }
    if not_modified(request, entry):
        return Response(status_code=304, headers=headers), True
    return Response(entry.body, status_code=entry.status, media_type=entry.media_type,
                    headers=headers), False
