"""Subscribing to the hubs fetched feeds declare, renewing and ending those subscriptions.

:func:`upkeep` is the worker's ``websub`` stage. It compares what the store says tidings
should hold (every fetchable feed whose last fetch declared a hub, with ``TIDINGS_PUBLIC_URL``
set) with the subscriptions it has, and talks to hubs through the fetcher (address guard,
limits, timeouts) to close the gap:

- a feed with a hub and no subscription: a new row (``requested``, a random callback token
  and secret) and ``hub.mode=subscribe``; the row is written first, since a hub may verify
  before it answers;
- ``requested`` rows the hub never verified, and ``active`` rows whose lease is running out:
  subscribe again (same callback);
- rows whose feed was paused, disabled, removed or now declares another hub or topic:
  ``hub.mode=unsubscribe``, and the row stays (``unsubscribing``) until the hub verifies it,
  or its lease has run out anyway;
- a hub that denied a subscription is asked again after a day.

Failed requests are retried with exponential backoff (``next_action_at``), so a dead hub
costs one request per row now and then, and the stage reports only work it did.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from datetime import UTC, datetime, timedelta

from tidings.config import Settings
from tidings.errors import TidingsError, one_line
from tidings.fetch.http import Fetcher
from tidings.models import HubSubscription
from tidings.models import SubscriptionState as State
from tidings.store import Store

log = logging.getLogger(__name__)

#: the lease tidings asks for (hubs may grant another one; the verification says which)
LEASE_SECONDS = 10 * 86400
#: how long a hub may take to verify a request before it is sent again
VERIFY_WAIT = timedelta(minutes=10)
#: a hub that denied a subscription is asked again after this long
DENIED_WAIT = timedelta(days=1)
#: backoff after a failed request: this doubled per attempt, at most MAX_BACKOFF
FIRST_BACKOFF = timedelta(minutes=1)
MAX_BACKOFF = timedelta(days=1)
#: unsubscribes of a never-verified subscription sent before it is forgotten
UNVERIFIED_TRIES = 3
LIVE = (State.REQUESTED, State.ACTIVE)


def callback_url(settings: Settings, token: str) -> str:
    return f"{settings.public_base}/websub/{token}"


def renew_at(now: datetime, lease_seconds: int) -> datetime:
    """When to renew a lease that started ``now``: a tenth of it (at most a day) early."""
    margin = min(lease_seconds / 10, 86400)
    return now + timedelta(seconds=max(lease_seconds - margin, lease_seconds / 2))


def backoff(attempts: int) -> timedelta:
    seconds = FIRST_BACKOFF.total_seconds() * 2 ** min(attempts, 20)
    return timedelta(seconds=min(seconds, MAX_BACKOFF.total_seconds()))


def _due(sub: HubSubscription, now: datetime) -> bool:
    return sub.next_action_at is None or sub.next_action_at <= now


def _lapsed(sub: HubSubscription, now: datetime) -> bool:
    """An unsubscribe still unverified whose lease has ended anyway (or that was never
    verified and has been asked for several times): the hub holds nothing to end."""
    if sub.lease_expires_at is not None:
        return sub.lease_expires_at <= now
    return sub.attempts >= UNVERIFIED_TRIES


def plan(store: Store, now: datetime) -> list[tuple[str, HubSubscription]]:
    """The requests to send now, as ``(hub.mode, subscription)``; new rows are stored here,
    rows past hope (a denial's wait over, an unverified unsubscribe whose lease ended) go."""
    wanted = store.websub.wanted()
    held: set[int] = set()
    todo: list[tuple[str, HubSubscription]] = []
    for sub in store.websub.all():
        assert sub.id is not None
        current = sub.feed_id is not None and wanted.get(sub.feed_id) == (sub.hub, sub.topic)
        if current and sub.state != State.UNSUBSCRIBING:
            held.add(sub.feed_id or 0)
        if sub.state in LIVE and not current:
            todo.append(("unsubscribe", sub))
        elif not _due(sub, now):
            continue
        elif sub.state in LIVE:
            todo.append(("subscribe", sub))  # unverified, or the lease is running out
        elif sub.state == State.DENIED or _lapsed(sub, now):
            store.websub.delete(sub.id)  # denied: ask again; unsubscribing: nothing to end
            held.discard(sub.feed_id or 0)
        else:
            todo.append(("unsubscribe", sub))
    for feed_id, (hub, topic) in wanted.items():
        if feed_id not in held:
            sub = store.websub.add(HubSubscription(
                id=None, feed_id=feed_id, hub=hub, topic=topic,
                token=secrets.token_urlsafe(24), secret=secrets.token_urlsafe(32),
                state=State.REQUESTED), now)
            todo.append(("subscribe", sub))
    return todo


async def send(store: Store, settings: Settings, fetcher: Fetcher, mode: str,
               sub: HubSubscription, now: datetime) -> bool:
    """One subscribe or unsubscribe request; whether the hub accepted it."""
    assert sub.id is not None
    form = {"hub.mode": mode, "hub.topic": sub.topic,
            "hub.callback": callback_url(settings, sub.token)}
    if mode == "subscribe":
        form.update({"hub.secret": sub.secret, "hub.lease_seconds": str(LEASE_SECONDS)})
        expected: tuple[State, ...] = LIVE
        changes = {}
    else:
        expected = (*LIVE, State.UNSUBSCRIBING)
        changes = {"state": State.UNSUBSCRIBING}
    # before the request: a hub may verify before it answers, and that verification wins
    await asyncio.to_thread(store.websub.update, sub.id, states=expected, **changes,
                            next_action_at=now + VERIFY_WAIT, attempts=sub.attempts + 1)
    try:
        await fetcher.post_form(sub.hub, form)
    except TidingsError as exc:
        log.warning("websub request failed", extra={
            "mode": mode, "hub": sub.hub, "topic": sub.topic, "error": one_line(exc)})
        await asyncio.to_thread(store.websub.update, sub.id, last_error=one_line(exc),
                                next_action_at=now + backoff(sub.attempts))
        return False
    log.info("websub request sent", extra={"mode": mode, "hub": sub.hub, "topic": sub.topic})
    return True


async def upkeep_async(store: Store, settings: Settings, *, limit: int | None = None,
                       fetcher: Fetcher | None = None, now: datetime | None = None) -> int:
    """Send what :func:`plan` finds (at most ``limit`` requests); how many were sent."""
    if not settings.public_base:
        return 0
    now = now or datetime.now(UTC)
    todo = await asyncio.to_thread(plan, store, now)
    if limit is not None:
        todo = todo[:limit]
    if not todo:
        return 0
    active = fetcher or Fetcher(settings)
    try:
        await asyncio.gather(*(send(store, settings, active, mode, sub, now)
                               for mode, sub in todo))
    finally:
        if fetcher is None:
            await active.aclose()
    return len(todo)


def upkeep(store: Store, settings: Settings, *, limit: int | None = None,
           now: datetime | None = None) -> int:
    """Synchronous :func:`upkeep_async`, for the stage table and the source operations."""
    return asyncio.run(upkeep_async(store, settings, limit=limit, now=now))
