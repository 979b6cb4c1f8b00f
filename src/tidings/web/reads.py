"""Counting reads of article pages: once per visitor per article per day, no cookies.

The visitor is ``sha256(daily salt + address + user agent)``: the salt lives in the ``meta``
table, is the same for every web process, and is replaced each day (so yesterday's hashes
cannot be recomputed). The address is the client address as the server sees it; uvicorn
rewrites it from ``X-Forwarded-For`` only for proxies listed in ``--forwarded-allow-ips``
(default: 127.0.0.1), so a visitor cannot pick their own identity from outside.

Reads are buffered in memory and written as one transaction every ``read_flush_seconds``;
the ``reads`` table's primary key makes the once-a-day rule hold across processes.
Known bots, crawlers, link previewers and command-line clients are never counted.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from starlette.concurrency import run_in_threadpool

from tidings.store.reads import Meta, Read, ReadRepo, retention_cutoff
from tidings.web.i18n import local_day

log = logging.getLogger(__name__)

BOT_PATTERN = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|scrap|archiver|facebookexternalhit|embedly|preview|"
    r"curl/|wget/|python-|httpx|aiohttp|go-http-client|java/|okhttp|libwww|headlesschrome|"
    r"phantomjs|lighthouse|pingdom|uptime|monitor|feed|rss|validator|^$",
    re.IGNORECASE,
)
#: per-process memory of keys already buffered today (cleared at each new day)
SEEN_LIMIT = 200_000


def is_bot(user_agent: str | None) -> bool:
    return bool(BOT_PATTERN.search((user_agent or "").strip()))


class ReadCounter:
    def __init__(self, repo: ReadRepo, meta: Meta, tz: object, *, flush_seconds: float,
                 clock: Callable[[], datetime] | None = None):
        self.repo = repo
        self.meta = meta
        self.tz = tz
        self.flush_seconds = max(0.05, flush_seconds)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.pending: list[Read] = []
        self.seen: set[tuple[str, str, int]] = set()
        self.seen_day = ""
        self.salts: dict[str, str] = {}
        self.counted = 0  # reads written as new, by this process
        self.flushes = 0  # write transactions made, by this process
        self._lock = threading.Lock()
        self._task: asyncio.Task[None] | None = None
        self._last_prune_day = ""

    def visitor(self, day: str, address: str, user_agent: str) -> str:
        salt = self.salts.get(day)
        if salt is None:
            salt = self.meta.daily_salt(day)
            self.salts = {day: salt}
        digest = hashlib.sha256(f"{salt}\0{address}\0{user_agent}".encode())
        return digest.hexdigest()[:32]

    def note(self, article_id: int, address: str | None, user_agent: str | None) -> bool:
        """Buffer a read unless it is a bot's or already buffered today. True if buffered."""
        if is_bot(user_agent):
            return False
        now = self.clock()
        day = local_day(now, self.tz).isoformat()  # type: ignore[arg-type]
        visitor = self.visitor(day, address or "", user_agent or "")
        key = (day, visitor, article_id)
        with self._lock:
            if day != self.seen_day or len(self.seen) > SEEN_LIMIT:
                self.seen = set()
                self.seen_day = day
            if key in self.seen:
                return False
            self.seen.add(key)
            self.pending.append(Read(day, visitor, article_id, now))
        return True

    def flush(self) -> int:
        """Write buffered reads; on failure they go back in the buffer for the next flush."""
        with self._lock:
            batch, self.pending = self.pending, []
        if not batch:
            return 0
        try:
            counted = self.repo.record(batch)
            self.flushes += 1
        except Exception as exc:  # keep the reads; the store may be busy or briefly down
            log.warning("could not write %d reads: %s", len(batch), exc)
            with self._lock:
                self.pending[:0] = batch
            return 0
        self.counted += counted
        day = batch[-1].day
        if day != self._last_prune_day:
            self._last_prune_day = day
            self.repo.prune(retention_cutoff(batch[-1].read_at))
        return counted

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.flush_seconds)
            await run_in_threadpool(self.flush)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await run_in_threadpool(self.flush)
