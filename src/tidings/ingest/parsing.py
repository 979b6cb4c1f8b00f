"""Parsing fetched feeds off the event loop: in one thread, or in processes beside it.

Parsing a body and building its rows (lxml, nh3, plain text) is the CPU-heavy, store-free
part of a fetch. On the default executor (six threads on two cores) it fought the event
loop and the writer for the GIL and cost a third more CPU than the same work done serially
(docs/benchmarks.md, issue 15). A :class:`ParsePool` runs it in one dedicated thread, or,
for large refreshes on a machine with a second core, in a small process pool
(``TIDINGS_PARSE_PROCESSES``) that the long-running caller owns and starts once.

Either way the result is the same: a ParseError in a child comes back as the same one-line
ParseError, and a child that dies (``BrokenProcessPool``) sends that feed and the rest of
the refresh to the thread. Children exit when the process that started them dies, even by
SIGKILL, so a killed worker leaves no parse processes behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import resource
import select
import signal
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any

from tidings.config import Settings
from tidings.fetch.urls import canonicalize
from tidings.models import Feed, NewArticle, ParsedFeed
from tidings.parse.feed import parse_feed

log = logging.getLogger(__name__)

#: ``auto`` starts the processes for a refresh of at least this many feeds: below it, the
#: start-up (a fresh interpreter importing lxml and nh3, ~0.3 s of the other core) and
#: pickling the rows back cost more than parsing beside the fetching saves
AUTO_MIN_FEEDS = 16
#: a pool whose children keep dying is restarted this often, then parsing stays in the thread
MAX_RESTARTS = 3


def entry_rows(feed: Feed, parsed: ParsedFeed, now: datetime) -> list[NewArticle]:
    """The rows a parsed document's entries become for ``feed`` (URLs canonical)."""
    assert feed.id is not None and feed.source_id is not None
    return [NewArticle.from_entry(e, feed_id=feed.id, source_id=feed.source_id, now=now,
                                  canonical_url=canonicalize(e.url) if e.url else None)
            for e in parsed.entries]


@dataclass(slots=True)
class ParsedRows:
    """A parsed body as the rest of a fetch needs it: the document (without its entries when
    it came from a parse process), the rows, and the entries' own dates (for the schedule)."""

    parsed: ParsedFeed
    rows: list[NewArticle]
    published: list[datetime | None]

    @classmethod
    def of(cls, parsed: ParsedFeed, feed: Feed, now: datetime) -> ParsedRows:
        return cls(parsed, entry_rows(feed, parsed, now), [e.published_at for e in parsed.entries])


def parse_rows(content: bytes, url: str, charset: str | None, feed: Feed,
               now: datetime) -> ParsedRows:
    """A fetched body parsed and turned into rows."""
    return ParsedRows.of(parse_feed(content, url, charset=charset), feed, now)


_ROW_FIELDS = tuple(f.name for f in fields(NewArticle))
Packed = tuple[ParsedFeed, list[tuple[Any, ...]], list[datetime | None]]


def _parse_packed(content: bytes, url: str, charset: str | None, feed: Feed,
                  now: datetime) -> Packed:
    """:func:`parse_rows` in a parse process, packed to cross the pipe: rows as tuples and no
    entries (the rows carry their text), half the pickling of the objects themselves."""
    done = parse_rows(content, url, charset, feed, now)
    rows = [tuple([getattr(row, name) for name in _ROW_FIELDS]) for row in done.rows]
    return replace(done.parsed, entries=[]), rows, done.published


def _unpack(packed: Packed) -> ParsedRows:
    parsed, rows, published = packed
    return ParsedRows(parsed, [NewArticle(*row) for row in rows], published)


def available_cpus() -> int:
    """CPUs this process may run on (its affinity mask where the platform has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def planned_processes(setting: str | int, cpus: int) -> tuple[int, bool]:
    """How many parse processes ``TIDINGS_PARSE_PROCESSES`` asks for, and whether by ``auto``
    (then only for refreshes of :data:`AUTO_MIN_FEEDS` feeds or more)."""
    text = str(setting).strip().lower()
    if text == "auto":
        return (1 if cpus >= 2 else 0), True
    return int(text), False


def _child_start(parent: int) -> None:
    """In each parse process: Ctrl-C is the parent's business, and the parent's death ends it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with, args=(parent,), name="tidings-parent-watch",
                     daemon=True).start()


def _exit_with(parent: int) -> None:
    """Wait for ``parent`` to end, then end this process (a pidfd on Linux, else polling)."""
    try:
        fd = os.pidfd_open(parent)
    except ProcessLookupError:
        os._exit(0)
    except (AttributeError, OSError):
        while True:
            time.sleep(1.0)
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                os._exit(0)
            except PermissionError:
                continue
    select.select([fd], [], [])
    os._exit(0)


def _child_info(pause: float = 0.0) -> tuple[int, float, float]:
    """This parse process's pid, peak resident memory in MB (Linux reports KiB) and CPU
    seconds so far (after ``pause`` seconds, so that the next question goes elsewhere)."""
    time.sleep(pause)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return os.getpid(), usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


class ParsePool:
    """Where fetched bodies are parsed: one dedicated thread, and processes when they pay.

    Owned by a long-running caller (``tidings fetch``, the worker loop, the bench) and
    passed to each refresh; :meth:`close` ends it. The processes start on the first refresh
    that wants them (:meth:`begin`), or up front with :meth:`start`.
    """

    def __init__(self, settings: Settings, *, cpus: int | None = None):
        self.processes, self.auto = planned_processes(settings.parse_processes,
                                                      available_cpus() if cpus is None else cpus)
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="tidings-parse")
        self._pool: ProcessPoolExecutor | None = None
        self._starting: Future[None] | None = None
        self.broken = False
        self.restarts = 0
        self.generation = 0  # which pool a failure came from (refreshes share this object)
        self.pids: list[int] = []

    def __enter__(self) -> ParsePool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def begin(self, feeds: int) -> bool:
        """Whether a refresh of ``feeds`` feeds parses in processes; starts them (in the
        parse thread, while the fetching goes on) the first time they are wanted."""
        if self.broken and self.restarts < MAX_RESTARTS and self._starting is not None:
            self.restarts += 1  # a child died in an earlier refresh: a fresh pool for this one
            self._shutdown_pool()
            self.broken = False
        if self.processes == 0 or self.broken:
            return False
        if self._starting is None:
            if self.auto and feeds < AUTO_MIN_FEEDS:
                return False
            self._starting = self._thread.submit(self._start)
        return True

    def start(self) -> None:
        """Start the processes now and wait until each has answered (outside a timed region)."""
        if self.begin(AUTO_MIN_FEEDS) and self._starting is not None:
            try:
                self._starting.result()
            except Exception as exc:
                self._broke(exc)

    def _start(self) -> None:
        methods = multiprocessing.get_all_start_methods()
        # never a plain fork of a process with threads and an event loop
        ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        if ctx.get_start_method() == "forkserver":
            ctx.set_forkserver_preload([__name__])  # children fork with lxml and nh3 loaded
        pool = ProcessPoolExecutor(self.processes, mp_context=ctx, initializer=_child_start,
                                   initargs=(os.getpid(),))
        self._pool = pool
        self.pids = sorted(self._ask_each(pool))  # every process starts now

    async def parse(self, content: bytes, url: str, charset: str | None, feed: Feed,
                    now: datetime) -> ParsedRows:
        """:func:`parse_rows` in a process when this refresh uses them, else in the thread."""
        loop = asyncio.get_running_loop()
        if self._starting is not None and not self.broken:
            try:
                await asyncio.wrap_future(self._starting)
            except Exception as exc:  # could not start: parse here
                self._broke(exc)
        if self._pool is not None and not self.broken:
            generation = self.generation
            try:
                return _unpack(await loop.run_in_executor(self._pool, _parse_packed, content,
                                                          url, charset, feed, now))
            except BrokenProcessPool as exc:
                if generation == self.generation:  # not an older pool, replaced meanwhile
                    self._broke(exc)
        return await loop.run_in_executor(self._thread, parse_rows, content, url, charset,
                                          feed, now)

    async def in_thread(self, fn: Any, *args: Any) -> Any:
        """``fn(*args)`` in the parse thread (work that must not hold up the event loop)."""
        return await asyncio.get_running_loop().run_in_executor(self._thread, fn, *args)

    def usage(self) -> tuple[float, float] | None:
        """The parse processes' largest peak resident memory (MB) and their CPU seconds so
        far, for benchmarks (None: none running); with several processes, of those that
        answer one question each."""
        if self._pool is None or self.broken:
            return None
        try:
            found = self._ask_each(self._pool, timeout=30)
        except Exception:
            return None
        return max(rss for rss, _ in found.values()), sum(cpu for _, cpu in found.values())

    def _ask_each(self, pool: ProcessPoolExecutor, timeout: float | None = None
                  ) -> dict[int, tuple[float, float]]:
        """Each process's pid → (peak RSS in MB, CPU seconds): one question per process, each
        held a moment, asked again with longer holds until every process has answered."""
        found: dict[int, tuple[float, float]] = {}
        for attempt in range(1, 6):  # a process still starting leaves its question to another
            pause = 0.1 * attempt if self.processes > 1 else 0.0
            asked = [pool.submit(_child_info, pause) for _ in range(self.processes)]
            for future in asked:
                pid, rss, cpu = future.result(timeout=timeout)
                found[pid] = (rss, cpu)
            if len(found) >= self.processes:
                break
        return found

    def _broke(self, exc: BaseException) -> None:
        if not self.broken:
            log.warning("parse processes failed; parsing in the fetching process instead",
                        extra={"error": f"{type(exc).__name__}: {exc}"})
        self.broken = True

    def _shutdown_pool(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        self.generation += 1
        self._pool = None
        self._starting = None
        self.pids = []

    def close(self) -> None:
        """End the processes and the thread (waits for work already handed to them)."""
        if self._starting is not None:  # a start that failed leaves nothing, but must be over
            with contextlib.suppress(Exception):
                self._starting.result()
        self._shutdown_pool()
        self._thread.shutdown(wait=True)
