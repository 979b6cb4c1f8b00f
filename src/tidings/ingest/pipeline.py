"""Fetch → parse → store for many feeds at once: the fast first stage.

Feeds are fetched concurrently (the fetcher enforces the global and per-host limits); each
feed's new entries and its new state land in one transaction, so a feed is either fully
ingested or untouched. Errors come back as values in the :class:`FetchReport`: one failing
feed never stops the others, and a failed fetch never alters stored articles.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tidings.config import Settings
from tidings.errors import TidingsError
from tidings.fetch import schedule
from tidings.fetch.http import Fetcher, Response
from tidings.fetch.sitemaps import follow_index
from tidings.ingest.feedstate import record_error, select_feeds
from tidings.ingest.parsing import ParsedRows, ParsePool, entry_rows, parse_rows
from tidings.models import Feed, FeedError, NewArticle, ParsedFeed, ProgressFn
from tidings.store import Store
from tidings.store import counters as totals
from tidings.store.engine import Connection

log = logging.getLogger(__name__)


@dataclass
class FetchReport:
    feeds: int = 0
    new_articles: int = 0
    not_modified: int = 0
    errors: list[FeedError] = field(default_factory=list)
    new_article_ids: list[int] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The ``tidings fetch --json`` shape (DESIGN.md)."""
        return {"feeds": self.feeds, "new_articles": self.new_articles,
                "not_modified": self.not_modified,
                "errors": [e.as_json() for e in self.errors]}


@dataclass
class FeedOutcome:
    feed: Feed
    new_ids: list[int] = field(default_factory=list)
    not_modified: bool = False
    error: str | None = None
    parsed: ParsedFeed | None = None


ProgressHook = Callable[[FeedOutcome], None]


@dataclass
class PreparedWrite:
    """What one fetch changes: the rows to insert and the feed's new state."""

    feed: Feed
    rows: list[NewArticle]
    changes: dict[str, Any]
    not_modified: bool = False
    parsed: ParsedFeed | None = None
    now: datetime | None = None  # when it was fetched (``write_prepared``'s ``now`` if None)
    counts_as: str | None = None  # a ``tidings.store.counters`` total to add one to


def _write_group(store: Store, conn: Connection, jobs: Sequence[PreparedWrite],
                 now: datetime) -> list[list[int]]:
    """Every job's new rows in one grouped insert, every feed's new state, then totals and live
    events; the new ids of each job (an id counts for the first job that carried its entry)."""
    new = store.articles.insert_new(conn, [row for job in jobs for row in job.rows])
    claimed: set[int] = set()
    results: list[list[int]] = []
    changes: dict[int, dict[str, Any]] = {}
    for job in jobs:
        assert job.feed.id is not None
        ids = []
        for row in job.rows:
            article_id = new.get((row.source_id, row.entry_key))
            if article_id is not None and article_id not in claimed:
                claimed.add(article_id)
                ids.append(article_id)
        ids.sort()
        results.append(ids)
        changes[job.feed.id] = dict(job.changes)
        if ids:
            changes[job.feed.id].setdefault("last_new_at", job.now or now)
    store.feeds.update_many(conn, changes)
    store.wrote(conn, sorted(claimed), [job.counts_as for job in jobs])
    return results


def write_prepared(store: Store, jobs: Sequence[PreparedWrite], now: datetime
                   ) -> list[list[int] | BaseException]:
    """Write several feeds in one transaction (one commit for all of them).

    Each feed is still all-or-nothing; if the shared transaction fails, every feed is
    retried in a transaction of its own so one bad feed cannot sink the others.
    """
    if len(jobs) > 1:
        try:
            with store.db.write() as conn:
                return list(_write_group(store, conn, jobs, now))
        except Exception:
            log.debug("batch write failed; writing feeds one by one", extra={"feeds": len(jobs)})
    results: list[list[int] | BaseException] = []
    for job in jobs:
        try:
            with store.db.write() as conn:
                results.append(_write_group(store, conn, [job], now)[0])
        except Exception as exc:
            results.append(exc)
    return results


def store_parsed(store: Store, feed: Feed, parsed: ParsedFeed, now: datetime, *,
                 counts_as: str | None = None, **feed_changes: Any) -> list[int]:
    """Insert a parsed document's new entries and change the feed, in one transaction."""
    result = write_prepared(store, [PreparedWrite(feed, entry_rows(feed, parsed, now),
                                                  feed_changes, counts_as=counts_as)], now)[0]
    if isinstance(result, BaseException):
        raise result
    return result


def _schedule_changes(store: Store, feed: Feed, settings: Settings, now: datetime,
                      response: Response | None, done: ParsedRows | None,
                      rng: random.Random, stored: int | None) -> dict[str, Any]:
    """The feed's next check; ``stored``: its articles of the last week (None: ask)."""
    assert feed.id is not None
    since = now - timedelta(seconds=schedule.WEEK)
    if stored is None:
        stored = store.articles.recent_counts([feed.id], since).get(feed.id, 0)
    # the document's own dates count too (its new entries are not stored yet)
    fresh = done.published if done else []
    fresh_recent = sum(1 for t in fresh if t is not None and since <= t <= now)
    max_age = schedule.cache_max_age(response.headers.get("cache-control")) if response else None
    when, _interval = schedule.next_check(
        now, settings, recent_entries=max(stored, fresh_recent),
        ttl_seconds=done.parsed.ttl_seconds if done else None,
        max_age=max_age, fixed_interval=feed.poll_interval,
        pushed=schedule.pushes_arriving(feed.last_push_at, now), rng=rng)
    return {"next_check_at": when, "last_checked_at": now, "error_count": 0, "last_error": None}


def prepare_response(store: Store, settings: Settings, feed: Feed, response: Response,
                     now: datetime, *, parsed: ParsedFeed | None = None,
                     rng: random.Random | None = None, recent_stored: int | None = None,
                     done: ParsedRows | None = None) -> PreparedWrite:
    """Parse a fetched body and work out the rows and feed state to write (no writing);
    ``recent_stored``: the feed's articles of the last week, if the caller counted them;
    ``done``: the body already parsed into rows (by a :class:`ParsePool`)."""
    rng = rng or random.Random()
    changes: dict[str, Any] = {}
    moved = response.permanent_url
    if moved and moved != feed.url and store.feeds.by_url(moved) is None:
        changes["url"] = moved
    if response.not_modified:
        changes.update(_schedule_changes(store, feed, settings, now, response, None, rng,
                                         recent_stored))
        if response.etag:
            changes["etag"] = response.etag
        return PreparedWrite(feed, [], changes, not_modified=True, now=now,
                             counts_as=totals.FETCH_NOT_MODIFIED)
    if done is None:
        done = ParsedRows.of(parsed, feed, now) if parsed is not None else \
            parse_rows(response.content, response.url, response.charset, feed, now)
    parsed = done.parsed
    changes.update(_schedule_changes(store, feed, settings, now, response, done, rng,
                                     recent_stored))
    changes.update(etag=response.etag, last_modified=response.last_modified,
                   ttl_seconds=parsed.ttl_seconds)
    if parsed.title and parsed.title != feed.title:
        changes["title"] = parsed.title
    if parsed.site_url and parsed.site_url != feed.site_url:
        changes["site_url"] = parsed.site_url
    changes.update(websub_declared(response, parsed))
    return PreparedWrite(feed, done.rows, changes, parsed=parsed, now=now,
                         counts_as=totals.FETCH_OK)


def websub_declared(response: Response, parsed: ParsedFeed) -> dict[str, str | None]:
    """The hub and topic (self URL) a fetched feed declares: the ``Link`` header first, then
    the document (W3C WebSub discovery); the fetched URL when no self URL is given."""
    hub = response.link("hub") or (parsed.hubs[0] if parsed.hubs else None)
    topic = response.link("self") or parsed.self_url or response.url
    return {"websub_hub": hub, "websub_topic": topic if hub else None}


def store_push(store: Store, feed: Feed, parsed: ParsedFeed, now: datetime) -> list[int]:
    """A hub's content distribution for ``feed``: stored as a fetch of it would be (same
    rows, same queues for full text and stories), leaving its fetch state alone."""
    return store_parsed(store, feed, parsed, now, counts_as=totals.PUSH_RECEIVED,
                        last_push_at=now)


def ingest_response(store: Store, settings: Settings, feed: Feed, response: Response,
                    now: datetime, *, parsed: ParsedFeed | None = None,
                    rng: random.Random | None = None) -> FeedOutcome:
    """Everything after a successful fetch (parse, store, new feed state), synchronously.

    ``parsed`` skips parsing when the caller already parsed the body (``tidings add``).
    """
    job = prepare_response(store, settings, feed, response, now, parsed=parsed, rng=rng)
    result = write_prepared(store, [job], now)[0]
    if isinstance(result, BaseException):
        raise result
    return FeedOutcome(feed, new_ids=result, not_modified=job.not_modified, parsed=job.parsed)


class GroupWriter:
    """One writer for a refresh (or a worker's one-feed refreshes): feeds ready while a
    write is under way share the next transaction and its few statements (SQLite has one
    writer anyway; hundreds of small commits become a few larger ones)."""

    MAX_FEEDS = 64
    MAX_ROWS = 2500  # keeps one write transaction well under a second

    def __init__(self, store: Store):
        self.store = store
        self.queue: asyncio.Queue[tuple[PreparedWrite, asyncio.Future[list[int]]] | None] = \
            asyncio.Queue()
        self.task = asyncio.ensure_future(self._run())

    async def write(self, job: PreparedWrite) -> list[int]:
        future: asyncio.Future[list[int]] = asyncio.get_running_loop().create_future()
        await self.queue.put((job, future))
        return await future

    async def close(self) -> None:
        await self.queue.put(None)
        await self.task

    async def _run(self) -> None:
        closing = False
        while not closing:
            item = await self.queue.get()
            if item is None:
                return
            batch = [item]
            rows = len(item[0].rows)
            while len(batch) < self.MAX_FEEDS and rows < self.MAX_ROWS and not self.queue.empty():
                more = self.queue.get_nowait()
                if more is None:
                    closing = True
                    break
                batch.append(more)
                rows += len(more[0].rows)
            try:
                results = await asyncio.to_thread(write_prepared, self.store,
                                                  [job for job, _ in batch],
                                                  datetime.now(UTC))
            except Exception as exc:  # the thread itself failed: fail every waiter
                results = [exc] * len(batch)
            for (_job, future), result in zip(batch, results, strict=True):
                if future.done():
                    continue
                if isinstance(result, BaseException):
                    future.set_exception(result)
                else:
                    future.set_result(result)


async def _prepare(parser: ParsePool, store: Store, settings: Settings, feed: Feed,
                   response: Response, now: datetime, parsed: ParsedFeed | None,
                   rng: random.Random, recent_stored: int) -> PreparedWrite:
    """:func:`prepare_response` with the parsing in ``parser`` and the rest (the schedule,
    a few dict entries) on the loop, unless a moved feed's new URL must be looked up."""
    done = None
    if parsed is None and not response.not_modified:
        done = await parser.parse(response.content, response.url, response.charset, feed, now)
    prepare = functools.partial(prepare_response, store, settings, feed, response, now,
                                parsed=parsed, rng=rng, recent_stored=recent_stored, done=done)
    if response.permanent_url and response.permanent_url != feed.url:  # asks the store
        job: PreparedWrite = await parser.in_thread(prepare)
        return job
    return prepare()


async def _refresh_one(store: Store, settings: Settings, fetcher: Fetcher, feed: Feed,
                       now: datetime, rng: random.Random, writer: GroupWriter,
                       recent_stored: int, room: asyncio.Semaphore,
                       parser: ParsePool) -> FeedOutcome:
    """One feed, from fetch to write; ``room`` bounds how many feeds are anywhere between
    the two (bodies and parsed entries wait for the writer in memory)."""
    async with room:
        try:
            response = await fetcher.get(feed.url, etag=feed.etag,
                                         last_modified=feed.last_modified)
            parsed = await follow_index(fetcher, response)  # None unless a sitemap index
            job = await _prepare(parser, store, settings, feed, response, now, parsed, rng,
                                 recent_stored)
            ids = await writer.write(job)
            log.debug("feed refreshed", extra={
                "feed_id": feed.id, "url": feed.url, "status": response.status,
                "new_articles": len(ids), "not_modified": job.not_modified,
                "duration_s": round(response.elapsed, 3)})
            # no parsed document in the outcome: a refresh holds every outcome till its end
            return FeedOutcome(feed, new_ids=ids, not_modified=job.not_modified)
        except TidingsError as exc:  # FetchError, ParseError, a store error
            return FeedOutcome(feed, error=await asyncio.to_thread(
                record_error, store, settings, feed, exc, now, rng))
        except Exception as exc:  # one feed's surprise must not stop the others
            log.exception("unexpected failure refreshing a feed",
                          extra={"feed_id": feed.id, "url": feed.url})
            err = RuntimeError(f"internal error: {type(exc).__name__}: {exc}")
            return FeedOutcome(feed, error=await asyncio.to_thread(
                record_error, store, settings, feed, err, now, rng))


async def refresh_async(store: Store, settings: Settings, *,
                        feed_ids: Sequence[int] | None = None, only_due: bool = False,
                        now: datetime | None = None, fetcher: Fetcher | None = None,
                        on_feed: ProgressHook | None = None,
                        progress: ProgressFn | None = None,
                        writer: GroupWriter | None = None,
                        parser: ParsePool | None = None) -> FetchReport:
    """Refresh the chosen feeds (default: every active one) and report what happened;
    ``on_feed`` hears each feed's outcome, ``progress(done, total)`` the count. ``writer``:
    one shared with other refreshes running at the same time (their caller closes it);
    ``parser``: the caller's parse thread and processes (default: one thread of its own)."""
    now = now or datetime.now(UTC)
    feeds = select_feeds(store, feed_ids=feed_ids, only_due=only_due, now=now)
    report = FetchReport()
    if not feeds:
        return report
    recent = await asyncio.to_thread(store.articles.recent_counts,
                                     [f.id for f in feeds if f.id is not None],
                                     now - timedelta(seconds=schedule.WEEK))
    own = fetcher is None
    active = fetcher or Fetcher(settings)
    rng = random.Random()
    own_writer = writer is None
    group = writer or GroupWriter(store)
    room = asyncio.Semaphore(2 * max(settings.fetch_concurrency, 1))
    own_parser = parser is None
    parse = parser or ParsePool(settings.replace(parse_processes="0"))
    parse.begin(len(feeds))
    tasks = [asyncio.ensure_future(_refresh_one(store, settings, active, f, now, rng, group,
                                                recent.get(f.id or 0, 0), room, parse))
             for f in feeds]
    if progress is not None:
        progress(0, len(feeds))
    try:
        for next_done in asyncio.as_completed(tasks):
            outcome = await next_done
            report.feeds += 1
            if outcome.error is not None:
                report.errors.append(FeedError(outcome.feed.url, outcome.error))
            elif outcome.not_modified:
                report.not_modified += 1
            report.new_articles += len(outcome.new_ids)
            report.new_article_ids.extend(outcome.new_ids)
            if on_feed is not None:
                on_feed(outcome)
            if progress is not None:
                progress(report.feeds, len(feeds))
    finally:
        for task in tasks:  # only left running when the loop above was interrupted
            task.cancel()
        if own_writer:
            await group.close()
        if own:
            await active.aclose()
        if own_parser:
            await asyncio.to_thread(parse.close)
    report.new_article_ids.sort()
    report.errors.sort(key=lambda e: e.feed_url)
    return report


def refresh(store: Store, settings: Settings, *, feed_ids: Sequence[int] | None = None,
            only_due: bool = False, now: datetime | None = None, fetcher: Fetcher | None = None,
            on_feed: ProgressHook | None = None, progress: ProgressFn | None = None,
            parser: ParsePool | None = None) -> FetchReport:
    """Synchronous :func:`refresh_async`, for the command line and the worker thread."""
    return asyncio.run(refresh_async(store, settings, feed_ids=feed_ids, only_due=only_due,
                                     now=now, fetcher=fetcher, on_feed=on_feed,
                                     progress=progress, parser=parser))
