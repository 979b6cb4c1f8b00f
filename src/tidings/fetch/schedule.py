"""When to check a feed again: pure functions, in the manner of Miniflux.

The interval follows the feed's own cadence (how many entries it published over the last
week), never shorter than the hints the publisher gives (RSS ``<ttl>``, ``sy:updatePeriod``,
``Cache-Control: max-age``, ``Retry-After``), clamped between the configured minimum and
maximum, with a little jitter so feeds added together do not stay in lock-step. A failing feed
backs off exponentially and is disabled after ``max_feed_errors`` failures in a row.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from datetime import datetime, timedelta

from tidings.config import Settings

WEEK = 7 * 86400
JITTER = 0.1  # up to 10% later
#: while a WebSub hub pushes a feed's updates, polling is a safety net this many times rarer
PUSH_SLOWDOWN = 12
#: pushes count as arriving when the last one came within this many seconds
PUSH_FRESH_SECONDS = 2 * 86400
_MAX_AGE = re.compile(r"(?:^|[,\s])(s-maxage|max-age)\s*=\s*\"?(\d+)", re.I)


def cache_max_age(cache_control: str | None) -> int | None:
    """``max-age`` (or ``s-maxage``) seconds of a Cache-Control header; None if absent/no-cache."""
    if not cache_control:
        return None
    lowered = cache_control.lower()
    if "no-store" in lowered or "no-cache" in lowered:
        return None
    ages = [int(m.group(2)) for m in _MAX_AGE.finditer(cache_control)]
    return max(ages) if ages else None


def cadence_interval(entry_times: Iterable[datetime | None], now: datetime,
                     settings: Settings) -> int:
    """Seconds between checks suggested by how often the feed published in the last week."""
    since = now - timedelta(seconds=WEEK)
    return cadence_of(sum(1 for t in entry_times if t is not None and since <= t <= now),
                      settings)


def cadence_of(recent: int, settings: Settings) -> int:
    """Seconds between checks for a feed with ``recent`` entries in the last week."""
    return WEEK // recent if recent > 0 else settings.max_poll_interval


def pushes_arriving(last_push_at: datetime | None, now: datetime) -> bool:
    """Whether a hub delivered this feed's content recently (WebSub)."""
    return last_push_at is not None and now - last_push_at <= timedelta(
        seconds=PUSH_FRESH_SECONDS)


def clamp(seconds: float, settings: Settings) -> int:
    return int(min(max(seconds, settings.min_poll_interval), settings.max_poll_interval))


def _jitter(seconds: int, rng: random.Random | None, ceiling: int) -> int:
    """Up to 10% later, but never past the maximum interval."""
    r = rng.random() if rng is not None else random.random()
    return min(int(seconds * (1 + JITTER * r)), max(seconds, ceiling))


def next_check(now: datetime, settings: Settings, *,
               entry_times: Iterable[datetime | None] = (),
               previous_interval: int | None = None, ttl_seconds: int | None = None,
               max_age: int | None = None, retry_after: float | None = None,
               fixed_interval: int | None = None, pushed: bool = False,
               rng: random.Random | None = None,
               recent_entries: int | None = None) -> tuple[datetime, int]:
    """The next check time and the (unjittered) interval after a successful fetch.

    ``entry_times`` are the dates of the entries in the document just fetched, or
    ``recent_entries`` how many of them fall in the last week; for a 304, pass
    ``previous_interval`` instead (the cadence has not changed). ``pushed``: a hub is
    delivering the feed's updates, so the adaptive interval is :data:`PUSH_SLOWDOWN` times
    longer (still within the maximum); a fixed interval the operator chose stays as it is.
    """
    if fixed_interval:
        interval = fixed_interval
    elif recent_entries is not None:
        interval = cadence_of(recent_entries, settings)
    elif previous_interval is not None and not entry_times:
        interval = previous_interval
    else:
        interval = cadence_interval(entry_times, now, settings)
    if pushed and not fixed_interval:
        interval *= PUSH_SLOWDOWN
    for hint in (ttl_seconds, max_age, retry_after):
        if hint:
            interval = max(interval, int(hint))
    interval = clamp(interval, settings)
    return now + timedelta(seconds=_jitter(interval, rng, settings.max_poll_interval)), interval


def backoff(now: datetime, settings: Settings, error_count: int, *,
            retry_after: float | None = None, rng: random.Random | None = None) -> datetime:
    """When to retry a feed that has failed ``error_count`` times in a row (1 = first failure)."""
    exponent = min(max(error_count - 1, 0), 20)
    interval = settings.min_poll_interval * (2 ** exponent)
    if retry_after:
        interval = max(interval, int(retry_after))
    return now + timedelta(seconds=_jitter(clamp(interval, settings), rng,
                                          settings.max_poll_interval))


def should_disable(error_count: int, settings: Settings) -> bool:
    """A feed is disabled after this many failures in a row (``max_feed_errors``; 0 = never)."""
    return settings.max_feed_errors > 0 and error_count >= settings.max_feed_errors
