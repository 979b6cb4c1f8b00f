"""What a callback ``/websub/<token>`` answers, apart from HTTP (``tidings.web.websub``).

- Verification of intent (GET): the challenge is echoed only when the token names a
  subscription tidings asked for and mode and topic match what it asked (a subscribe while
  ``requested`` or ``active``, an unsubscribe while ``unsubscribing``); anything else is a
  4xx without the challenge, so nobody can subscribe tidings to anything it did not ask for.
- Content distribution (POST): stored only when ``X-Hub-Signature`` is the HMAC of the body
  with the subscription's secret, by the same code as a fetched feed
  (``tidings.ingest.pipeline.store_push``). A bad or missing signature is answered exactly
  like a good one (``202``, nothing stored), as W3C WebSub allows, so a forger learns
  nothing; an unknown token is ``404``; a subscription being ended is ``410`` (the hub may
  drop it); a body that is no feed is a ``400`` with the one-line reason.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tidings.errors import NotFoundError, ParseError, one_line
from tidings.ingest.pipeline import store_push
from tidings.models import SubscriptionState as State
from tidings.parse.feed import parse_feed
from tidings.store import Store
from tidings.store.counters import PUSH_REFUSED
from tidings.websub.signature import signature_matches
from tidings.websub.subscriber import DENIED_WAIT, LEASE_SECONDS, LIVE, renew_at

log = logging.getLogger(__name__)

#: leases granted outside this range are taken as this range
MIN_LEASE, MAX_LEASE = 60, 366 * 86400
ACCEPTED = "accepted\n"


@dataclass(slots=True)
class Answer:
    status: int
    text: str
    new_ids: list[int] = field(default_factory=list)
    feed_id: int | None = None


def verify_intent(store: Store, token: str, query: Mapping[str, str], now: datetime) -> Answer:
    """The answer to a hub's GET on a callback (verification of intent, or a denial)."""
    sub = store.websub.by_token(token)
    if sub is None or sub.id is None:
        return Answer(404, "unknown callback\n")
    mode = query.get("hub.mode", "")
    topic = query.get("hub.topic", "")
    challenge = query.get("hub.challenge", "")
    if topic != sub.topic:
        return Answer(404, "no such subscription for this topic\n")
    if mode == "denied":
        store.websub.update(sub.id, states=LIVE, state=State.DENIED,
                            last_error=f"denied: {query.get('hub.reason', '')}"[:500],
                            next_action_at=now + DENIED_WAIT)
        log.warning("websub subscription denied", extra={"hub": sub.hub, "topic": topic})
        return Answer(200, "ok\n")
    if not challenge:
        return Answer(400, "hub.challenge missing\n")
    if mode == "subscribe" and sub.state in LIVE:
        lease = _lease(query.get("hub.lease_seconds"))
        done = store.websub.update(sub.id, states=LIVE, state=State.ACTIVE,
                                   lease_expires_at=now + timedelta(seconds=lease),
                                   next_action_at=renew_at(now, lease), attempts=0,
                                   last_error=None)
    elif mode == "unsubscribe" and sub.state == State.UNSUBSCRIBING:
        done = store.websub.delete(sub.id, states=(State.UNSUBSCRIBING,))
    else:
        return Answer(404, f"no {mode or 'such'} request pending for this callback\n")
    if not done:  # its state changed meanwhile
        return Answer(404, "no such request pending\n")
    log.info("websub verified", extra={"mode": mode, "hub": sub.hub, "topic": topic})
    return Answer(200, challenge)


def _lease(raw: str | None) -> int:
    if raw is None or not raw.strip().isdigit():
        return LEASE_SECONDS
    return min(max(int(raw), MIN_LEASE), MAX_LEASE)


def receive_content(store: Store, token: str, body: bytes, *, signature: str | None,
                    charset: str | None, now: datetime) -> Answer:
    """The answer to a hub's POST on a callback; the new articles' ids when stored."""
    sub = store.websub.by_token(token)
    if sub is None or sub.id is None:
        return Answer(404, "unknown callback\n")
    if sub.state not in LIVE or sub.feed_id is None:
        return Answer(410, "subscription ended\n")
    if not signature_matches(sub.secret, body, signature):
        log.warning("websub push with a bad signature dropped",
                    extra={"hub": sub.hub, "topic": sub.topic, "bytes": len(body)})
        store.counters.add_now({PUSH_REFUSED: 1})
        return Answer(202, ACCEPTED)
    try:
        feed = store.feeds.get(sub.feed_id)
    except NotFoundError:
        return Answer(410, "subscription ended\n")
    try:
        parsed = parse_feed(body, sub.topic, charset=charset)
    except ParseError as exc:
        log.warning("websub push is not a feed", extra={
            "feed_id": feed.id, "topic": sub.topic, "error": one_line(exc)})
        store.counters.add_now({PUSH_REFUSED: 1})
        return Answer(400, one_line(exc) + "\n")
    ids = store_push(store, feed, parsed, now)
    store.websub.record_push(sub.id, now)
    log.info("websub push stored", extra={"feed_id": feed.id, "topic": sub.topic,
                                          "new_articles": len(ids)})
    return Answer(202, ACCEPTED, new_ids=ids, feed_id=feed.id)
