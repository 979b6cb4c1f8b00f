"""WebSub subscriber end to end, against the loopback hub: subscribe, verify, renew,
content distribution (every signature method), refusals, unsubscribe on pause and remove."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx2
import pytest
from tests.websub.conftest import Setup, atom

from tidings.models import HubSubscription
from tidings.models import SubscriptionState as State
from tidings.operations import sources as ops
from tidings.store.counters import PUSH_RECEIVED, PUSH_REFUSED
from tidings.store.schema import articles
from tidings.websub import subscriber
from tidings.websub.signature import sign


def subscribed(s: Setup) -> HubSubscription:
    """Run the websub stage once and wait for the hub's verification."""
    assert subscriber.upkeep(s.store, s.settings) == 1
    assert s.hub.wait_for(lambda: len(s.hub.subscriptions) == 1)
    [sub] = s.store.websub.all()
    return sub


def titles(s: Setup) -> set[str]:
    with s.store.db.read() as conn:
        return {r.title for r in conn.execute(articles.select())}


def test_a_fetched_feed_with_a_hub_gets_subscribed_and_verified(setup: Setup) -> None:
    s = setup
    assert subscriber.upkeep(s.store, s.settings) == 1
    [request] = s.hub.requests
    assert request["hub.mode"] == "subscribe" and request["hub.topic"] == s.topic
    callback = request["hub.callback"]
    assert callback.startswith(s.site + "/websub/")
    assert len(callback.rsplit("/", 1)[1]) >= 16
    assert request["hub.secret"] and int(request["hub.lease_seconds"]) > 0
    assert s.hub.wait_for(lambda: len(s.hub.subscriptions) == 1)
    [verification] = s.hub.verifications
    assert (verification.status, verification.echoed) == (200, True)
    [sub] = s.store.websub.all()
    assert sub.state == State.ACTIVE and sub.feed_id == s.feed.id
    assert sub.lease_expires_at is not None and sub.next_action_at is not None
    assert sub.next_action_at < sub.lease_expires_at  # renewed before it ends
    assert subscriber.upkeep(s.store, s.settings) == 0  # nothing more to do


def test_nothing_is_subscribed_without_a_public_url(setup: Setup) -> None:
    assert subscriber.upkeep(setup.store, setup.settings.replace(public_url="")) == 0
    assert setup.hub.requests == [] and setup.store.websub.all() == []


def test_the_hub_may_verify_before_it_answers(setup: Setup) -> None:
    setup.hub.verify_first = True
    sub = subscribed(setup)
    assert sub.state == State.ACTIVE
    assert sub.next_action_at is not None and sub.next_action_at > datetime.now(UTC) + \
        timedelta(days=1)  # the verification's renewal time, not the retry time


@pytest.mark.parametrize("method", ["sha1", "sha256", "sha384", "sha512"])
def test_a_signed_push_is_stored_like_a_fetch(setup: Setup, method: str) -> None:
    s = setup
    subscribed(s)
    body = atom(s.topic, s.hub_url, [("2", f"Pushed by {method}")]).encode()
    assert s.hub.push(s.topic, body, method=method) == [202]
    assert f"Pushed by {method}" in titles(s)
    with s.store.db.read() as conn:
        row = conn.execute(articles.select().where(articles.c.entry_key == "urn:2")).one()
    assert (row.extract_state, row.cluster_state, row.feed_id) == ("pending", "pending",
                                                                   s.feed.id)
    assert s.store.feeds.get(s.feed.id or 0).last_push_at is not None
    assert s.store.counters.all()[PUSH_RECEIVED] == 1  # what /metrics reports


def test_a_bad_or_missing_signature_stores_nothing(setup: Setup) -> None:
    s = setup
    subscribed(s)
    body = atom(s.topic, s.hub_url, [("3", "Forged report")]).encode()
    forged = sign("not the secret", body, "sha256")
    assert s.hub.push(s.topic, body, signature=forged) == [202]  # acknowledged, dropped
    assert s.hub.push(s.topic, body, signature="md5=00") == [202]
    [sub] = s.store.websub.all()
    answer = httpx2.post(f"{s.site}/websub/{sub.token}", content=body)  # unsigned
    assert answer.status_code == 202 and "set-cookie" not in answer.headers
    assert "Forged report" not in titles(s)
    totals = s.store.counters.all()
    assert totals[PUSH_REFUSED] == 3 and PUSH_RECEIVED not in totals  # what /metrics reports


def test_pushes_to_unknown_callbacks_and_bad_bodies_are_refused(setup: Setup) -> None:
    s = setup
    sub = subscribed(s)
    unknown = httpx2.post(f"{s.site}/websub/{'x' * 24}", content=b"<feed/>")
    assert unknown.status_code == 404
    assert httpx2.post(f"{s.site}/websub/short", content=b"").status_code == 404
    junk = b"\x00\x01 not a feed at all"
    answer = httpx2.post(f"{s.site}/websub/{sub.token}", content=junk,
                        headers={"x-hub-signature": sign(sub.secret, junk, "sha512")})
    assert answer.status_code == 400 and "\n" not in answer.text.strip()
    big = b"<feed>" + b" " * (s.settings.max_body_bytes + 1)
    too_big = httpx2.post(f"{s.site}/websub/{sub.token}", content=big,
                         headers={"x-hub-signature": sign(sub.secret, big)})
    assert too_big.status_code == 413
    assert titles(s) == {"First report"}


def test_forged_verifications_get_no_challenge(setup: Setup) -> None:
    s = setup
    sub = subscribed(s)
    callback = f"{s.site}/websub/{sub.token}"
    forged = [
        (callback, {"hub.mode": "subscribe", "hub.topic": "https://evil.example/feed"}),
        (callback, {"hub.mode": "unsubscribe", "hub.topic": s.topic}),  # tidings never asked
        (callback, {"hub.mode": "nonsense", "hub.topic": s.topic}),
        (f"{s.site}/websub/{'y' * 24}", {"hub.mode": "subscribe", "hub.topic": s.topic}),
    ]
    for url, query in forged:
        answer = httpx2.get(url, params={**query, "hub.challenge": "pick-me"})
        assert 400 <= answer.status_code < 500, query
        assert "pick-me" not in answer.text
    assert s.store.websub.all()[0].state == State.ACTIVE


def test_a_lease_is_renewed_before_it_ends(setup: Setup) -> None:
    s = setup
    sub = subscribed(s)
    assert sub.id is not None and sub.lease_expires_at is not None
    soon = datetime.now(UTC) - timedelta(seconds=1)
    s.store.websub.update(sub.id, next_action_at=soon)
    assert subscriber.upkeep(s.store, s.settings) == 1
    assert s.hub.wait_for(lambda: len(s.hub.verifications) == 2)
    [renewed] = s.store.websub.all()
    assert renewed.token == sub.token and renewed.state == State.ACTIVE
    assert renewed.next_action_at is not None and renewed.next_action_at > soon
    assert [r["hub.mode"] for r in s.hub.requests] == ["subscribe", "subscribe"]


def test_pausing_a_source_unsubscribes_once_the_hub_verifies(setup: Setup) -> None:
    s = setup
    sub = subscribed(s)
    s.hub.hold = True
    ops.pause_source(s.store, s.source.id or 0, s.settings)
    assert s.hub.requests[-1]["hub.mode"] == "unsubscribe"
    [pending] = s.store.websub.all()  # kept until the hub verifies
    assert pending.state == State.UNSUBSCRIBING
    body = atom(s.topic, s.hub_url, [("4", "After the pause")]).encode()
    assert httpx2.post(f"{s.site}/websub/{sub.token}", content=body, headers={
        "x-hub-signature": sign(sub.secret, body)}).status_code == 410
    s.hub.release()
    assert s.hub.verifications[-1].echoed and s.hub.subscriptions == {}
    assert s.store.websub.all() == []
    assert "After the pause" not in titles(s)


def test_removing_a_source_unsubscribes_too(setup: Setup) -> None:
    s = setup
    subscribed(s)
    s.hub.hold = True
    ops.remove_source(s.store, s.source.id or 0, s.settings)
    assert [r["hub.mode"] for r in s.hub.requests] == ["subscribe", "unsubscribe"]
    assert [x.state for x in s.store.websub.all()] == [State.UNSUBSCRIBING]
    s.hub.release()
    assert s.store.websub.all() == [] and s.hub.subscriptions == {}


def test_a_refusing_hub_is_retried_later_not_at_once(setup: Setup) -> None:
    s = setup
    s.hub.refuse = True
    assert subscriber.upkeep(s.store, s.settings) == 1
    [sub] = s.store.websub.all()
    assert sub.state == State.REQUESTED and "HTTP 500" in (sub.last_error or "")
    assert subscriber.upkeep(s.store, s.settings) == 0  # backing off
    later = datetime.now(UTC) + timedelta(hours=1)
    assert subscriber.upkeep(s.store, s.settings, now=later) == 1


def test_hubs_go_through_the_address_guard(setup: Setup) -> None:
    s = setup
    guarded = s.settings.replace(allow_private=False)
    assert subscriber.upkeep(s.store, guarded) == 1
    [sub] = s.store.websub.all()
    assert sub.state == State.REQUESTED and sub.last_error
    assert s.hub.requests == []  # refused before connecting
