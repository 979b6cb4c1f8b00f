"""Claim due feeds, fetch them, give them back: the one path every worker takes.

`tidings worker` processes and the background loop of `tidings serve` both call
:func:`claim_and_refresh`, so a feed is fetched by one process at a time however many run,
and per-host politeness holds across all of them (see ``tidings.store.leases``). While a
batch runs, a heartbeat renews its leases; if the process dies they expire on their own.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tidings.config import Settings
from tidings.store import Store


@dataclass(slots=True)
class ClaimResult:
    claimed: int
    report: Any = None  # the pipeline's FetchReport for the claimed feeds, or None


def new_worker_id() -> str:
    """Unique per process and start: host, pid and a random tail (leases name their owner)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def lease_seconds(settings: Settings) -> float:
    """Long enough for a slow fetch; the heartbeat renews it every third of that."""
    return max(120.0, 4 * (settings.connect_timeout + settings.read_timeout))


def _now() -> datetime:
    return datetime.now(UTC)


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
        per_host=settings.per_host_concurrency, now=_now(), due_before=due_before,
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
        await asyncio.to_thread(store.leases.renew, worker_id, ids, lease_seconds=seconds,
                                now=_now())


def claim_and_refresh(store: Store, settings: Settings, worker_id: str, limit: int,
                      *, due_before: datetime | None = None,
                      **refresh_options: Any) -> ClaimResult:
    """Synchronous :func:`claim_and_refresh_async`, for loops that run in a thread."""
    return asyncio.run(claim_and_refresh_async(store, settings, worker_id, limit,
                                               due_before=due_before, **refresh_options))
