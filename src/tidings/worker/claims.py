"""Claim due feeds, fetch them, give them back: the one path every worker takes.

`tidings worker` processes and the background loop of `tidings serve`
(:func:`refresh_continuously`), and the fetch stage run once by name (:func:`claim_and_refresh`,
see ``tidings.worker.stages``) all claim through ``tidings.store.leases``, so a feed is
fetched by one process at a time however many run, and per-host politeness holds across all
of them. While feeds are in flight a heartbeat renews their leases; if the process
dies they expire on their own.

:func:`refresh_continuously` keeps ``concurrency`` feeds in flight and claims a new one as
each finishes, so one slow feed (up to connect + read timeout) holds one slot, not a batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from tidings.config import Settings
from tidings.errors import one_line
from tidings.models import FeedError
from tidings.store import Store

if TYPE_CHECKING:  # imported when used below: keeps the command line quick
    from tidings.fetch.http import Fetcher
    from tidings.ingest.pipeline import FetchReport

log = logging.getLogger(__name__)

BUSY_HOST_SECONDS = 0.2  # due feeds wait for a slot of their host that another worker holds
RECLAIM_SECONDS = 1.0  # with feeds in flight, look for newly due ones this often


@dataclass(slots=True)
class ClaimResult:
    claimed: int
    report: FetchReport | None = None  # what refreshing the claimed feeds gave


@dataclass(slots=True)
class Totals:
    feeds: int = 0
    new_articles: int = 0
    not_modified: int = 0
    errors: list[FeedError] = field(default_factory=list)

    def add(self, report: FetchReport) -> None:
        self.feeds += int(report.feeds)
        self.new_articles += int(report.new_articles)
        self.not_modified += int(report.not_modified)
        self.errors.extend(report.errors)


def new_worker_id() -> str:
    """Unique per process and start: host, pid and a random tail (leases name their owner)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def lease_seconds(settings: Settings) -> float:
    """Long enough for a slow fetch; the heartbeat renews it every third of that."""
    return max(120.0, 4 * (settings.connect_timeout + settings.read_timeout))


async def claim_and_refresh_async(store: Store, settings: Settings, worker_id: str, limit: int,
                                  *, due_before: datetime | None = None,
                                  **refresh_options: Any) -> ClaimResult:
    """Lease up to ``limit`` due feeds to ``worker_id``, refresh them, release the leases.

    ``due_before`` bounds which feeds count as due (default: now); ``refresh_options`` go to
    ``tidings.ingest.pipeline.refresh_async`` (e.g. ``fetcher`` in tests).
    """
    from tidings.ingest.pipeline import refresh_async

    seconds = lease_seconds(settings)
    claims = await asyncio.to_thread(
        store.leases.claim, worker_id, limit=limit, lease_seconds=seconds,
        per_host=settings.per_host_concurrency, due_before=due_before,
    )
    if not claims:
        return ClaimResult(0)
    ids = [c.feed_id for c in claims]
    heartbeat = asyncio.create_task(_heartbeat(store, worker_id, ids, seconds))
    try:
        report = await refresh_async(store, settings, feed_ids=ids, **refresh_options)
    finally:
        heartbeat.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await heartbeat
        await asyncio.to_thread(store.leases.release, worker_id, ids)
    return ClaimResult(len(ids), report)


async def _heartbeat(store: Store, worker_id: str, ids: list[int], seconds: float) -> None:
    while True:
        await asyncio.sleep(seconds / 3)
        await asyncio.to_thread(store.leases.renew, worker_id, ids, lease_seconds=seconds)


def claim_and_refresh(store: Store, settings: Settings, worker_id: str, limit: int,
                      *, due_before: datetime | None = None,
                      **refresh_options: Any) -> ClaimResult:
    """Synchronous :func:`claim_and_refresh_async`, for loops that run in a thread."""
    return asyncio.run(claim_and_refresh_async(store, settings, worker_id, limit,
                                               due_before=due_before, **refresh_options))


async def refresh_continuously(store: Store, settings: Settings, worker_id: str, *,
                               concurrency: int, stop: threading.Event,
                               due_before: datetime | None = None, drain: bool = False,
                               idle: float = 5.0, fetcher: Fetcher | None = None) -> Totals:
    """Keep up to ``concurrency`` due feeds in flight until ``stop`` is set.

    ``drain``: return once no feed due by ``due_before`` is left unclaimed and none is in
    flight (a run-once worker). Otherwise wait ``idle`` seconds when nothing is due. On stop
    the feeds in flight are finished and released before returning.
    """
    from tidings.fetch.http import Fetcher
    from tidings.ingest.parsing import ParsePool
    from tidings.ingest.pipeline import GroupWriter, refresh_async

    seconds = lease_seconds(settings)
    own = fetcher is None
    active = fetcher or Fetcher(settings)
    writer = GroupWriter(store)  # feeds finishing together share one transaction
    parser = ParsePool(settings)  # its processes start once enough feeds are in flight
    totals = Totals()
    in_flight: dict[asyncio.Task[Any], int] = {}
    heartbeat = asyncio.create_task(_heartbeat_all(store, worker_id, in_flight, seconds))
    try:
        while True:
            free = 0 if stop.is_set() else concurrency - len(in_flight)
            if free > 0:
                claims = await asyncio.to_thread(
                    store.leases.claim, worker_id, limit=free, lease_seconds=seconds,
                    per_host=settings.per_host_concurrency, due_before=due_before)
                for claim in claims:
                    task = asyncio.create_task(refresh_async(
                        store, settings, feed_ids=[claim.feed_id], fetcher=active,
                        writer=writer, parser=parser))
                    in_flight[task] = claim.feed_id
                parser.begin(len(in_flight))  # the pool decides whether that is enough
            if not in_flight:
                if not await _wait_for_work(store, stop, drain=drain, due_before=due_before,
                                            idle=idle):
                    break
                continue
            done, _ = await asyncio.wait(in_flight, timeout=RECLAIM_SECONDS,
                                         return_when=asyncio.FIRST_COMPLETED)
            finished = _collect(done, in_flight, totals, worker_id)
            if finished:
                await asyncio.to_thread(store.leases.release, worker_id, finished)
    finally:
        heartbeat.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await heartbeat
        if in_flight:  # cancelled from outside: give the leases back all the same
            for task in in_flight:
                task.cancel()
            await asyncio.to_thread(store.leases.release, worker_id, list(in_flight.values()))
        await writer.close()
        await asyncio.to_thread(parser.close)
        if own:
            await active.aclose()
    return totals


async def _wait_for_work(store: Store, stop: threading.Event, *, drain: bool,
                         due_before: datetime | None, idle: float) -> bool:
    """With nothing in flight, wait for feeds to come due; False when the loop should end.

    It ends on stop, or when draining and no feed due by ``due_before`` is left unclaimed.
    """
    if stop.is_set():
        return False
    if drain:
        left = await asyncio.to_thread(store.leases.due_unclaimed, None, due_before)
        if not left:
            return False
        await asyncio.sleep(BUSY_HOST_SECONDS)
    else:
        await asyncio.to_thread(stop.wait, idle)
    return True


def _collect(done: set[asyncio.Task[Any]], in_flight: dict[asyncio.Task[Any], int],
             totals: Totals, worker_id: str) -> list[int]:
    """Feed ids of the ``done`` tasks (taken out of ``in_flight``), their results added up.

    A failed refresh is logged and does not stop the others.
    """
    finished = [in_flight.pop(task) for task in done]
    for task, feed_id in zip(done, finished, strict=True):
        failure = task.exception()
        if failure is not None:
            log.warning("refreshing a feed failed",
                        extra={"feed_id": feed_id, "worker_id": worker_id,
                               "error": one_line(failure)})
        else:
            totals.add(task.result())
    return finished


async def _heartbeat_all(store: Store, worker_id: str, in_flight: dict[asyncio.Task[Any], int],
                         seconds: float) -> None:
    while True:
        await asyncio.sleep(seconds / 3)
        ids = list(in_flight.values())
        if ids:
            await asyncio.to_thread(store.leases.renew, worker_id, ids,
                                    lease_seconds=seconds)
