"""A feed's state around a refresh: which feeds a refresh takes, and a failure recorded."""

from __future__ import annotations

import logging
import random
from collections.abc import Sequence
from datetime import datetime

from tidings.config import Settings
from tidings.errors import NotFoundError, TidingsError, one_line
from tidings.fetch import schedule
from tidings.models import Feed
from tidings.store import Store
from tidings.store import counters as totals

log = logging.getLogger("tidings.ingest.pipeline")  # the name these lines always had


def select_feeds(store: Store, *, feed_ids: Sequence[int] | None, only_due: bool,
                 now: datetime) -> list[Feed]:
    """The feeds with ``feed_ids`` (unknown ids skipped), else every active (or due) one."""
    if feed_ids is not None:
        found = []
        for feed_id in feed_ids:
            try:
                found.append(store.feeds.get(feed_id))
            except NotFoundError:
                continue
        return found
    return store.feeds.active(due_before=now if only_due else None)


def record_error(store: Store, settings: Settings, feed: Feed, exc: BaseException,
                 now: datetime, rng: random.Random) -> str:
    """Count a failed fetch against ``feed`` (backing off, disabling it at the limit) and
    return the one-line message; a store that fails here is logged, not raised."""
    assert feed.id is not None
    message = one_line(exc)
    count = feed.error_count + 1
    retry_after = getattr(exc, "retry_after", None)
    try:
        with store.db.write() as conn:
            store.feeds.update(
                feed.id, conn=conn, error_count=count, last_error=message, last_checked_at=now,
                next_check_at=schedule.backoff(now, settings, count, retry_after=retry_after,
                                               rng=rng),
                disabled=feed.disabled or schedule.should_disable(count, settings))
            store.counters.add(conn, {totals.FETCH_ERROR: 1})
    except TidingsError as store_exc:
        log.warning("could not record a feed's error", extra={
            "feed_id": feed.id, "url": feed.url, "error": one_line(store_exc)})
    log.debug("feed failed", extra={"feed_id": feed.id, "url": feed.url, "error": message,
                                    "error_count": count})
    return message
