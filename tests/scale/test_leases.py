"""Claiming due feeds: no feed twice, expired leases come back, the per-host cap holds."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from tidings.models import Feed, Source
from tidings.store import Store, open_store

NOW = datetime(2026, 2, 15, 11, 0, tzinfo=UTC)


def _feeds(store: Store, hosts: int, per_host: int) -> list[int]:
    ids = []
    for h in range(hosts):
        source = store.sources.add(Source(None, f"Outlet {h}", f"https://h{h}.example"), NOW)
        for i in range(per_host):
            feed = store.feeds.add(Feed(None, source.id, f"https://h{h}.example/f{i}.xml"), NOW)
            assert feed.id is not None
            ids.append(feed.id)
    return ids


def test_two_claimers_never_get_the_same_feed(store: Store) -> None:
    ids = _feeds(store, hosts=5, per_host=4)
    first = store.leases.claim("a", limit=7, lease_seconds=60, per_host=4, now=NOW)
    second = store.leases.claim("b", limit=100, lease_seconds=60, per_host=4, now=NOW)
    got_a = {c.feed_id for c in first}
    got_b = {c.feed_id for c in second}
    assert len(got_a) == 7
    assert not got_a & got_b
    assert got_a | got_b == set(ids)
    assert store.leases.claim("c", limit=5, lease_seconds=60, per_host=4, now=NOW) == []


def test_released_feeds_are_claimable_once_due_again(store: Store) -> None:
    ids = _feeds(store, hosts=1, per_host=2)
    claimed = store.leases.claim("a", limit=5, lease_seconds=60, per_host=4, now=NOW)
    assert {c.feed_id for c in claimed} == set(ids)
    store.feeds.update(ids[0], next_check_at=NOW + timedelta(minutes=15))
    assert store.leases.release("a", ids) == 2
    again = store.leases.claim("b", limit=5, lease_seconds=60, per_host=4, now=NOW)
    assert [c.feed_id for c in again] == [ids[1]]  # the other one is not due yet
    assert store.leases.release("a", [ids[1]]) == 0  # not a's lease any more


def test_expired_leases_are_reclaimable(store: Store) -> None:
    ids = _feeds(store, hosts=2, per_host=2)
    store.leases.claim("dead", limit=10, lease_seconds=60, per_host=4, now=NOW)
    assert store.leases.claim("b", limit=10, lease_seconds=60, per_host=4,
                              now=NOW + timedelta(seconds=59)) == []
    later = NOW + timedelta(seconds=61)
    assert store.leases.due_unclaimed(later) == len(ids)
    taken = store.leases.claim("b", limit=10, lease_seconds=60, per_host=4, now=later)
    assert {c.feed_id for c in taken} == set(ids)
    assert {owner for _, owner, _ in store.leases.active(later)} == {"b"}


def test_renew_keeps_a_long_job_leased(store: Store) -> None:
    ids = _feeds(store, hosts=1, per_host=1)
    store.leases.claim("a", limit=1, lease_seconds=60, per_host=4, now=NOW)
    assert store.leases.renew("a", ids, lease_seconds=60, now=NOW + timedelta(seconds=50)) == 1
    assert store.leases.claim("b", limit=1, lease_seconds=60, per_host=4,
                              now=NOW + timedelta(seconds=90)) == []


def test_per_host_cap_holds_across_claimers(store: Store) -> None:
    _feeds(store, hosts=3, per_host=6)
    seen: list[str] = []
    for owner in ("a", "b", "c", "d"):
        seen += [c.host for c in store.leases.claim(owner, limit=4, lease_seconds=60,
                                                    per_host=2, now=NOW)]
    assert sorted(seen) == sorted(["h0.example"] * 2 + ["h1.example"] * 2 + ["h2.example"] * 2)
    per_host = {host: sum(1 for _, _, h in store.leases.active(NOW) if h == host)
                for host in set(seen)}
    assert max(per_host.values()) == 2
    # finishing one feed frees one slot of its host, for anyone
    done = next(fid for fid, owner, host in store.leases.active(NOW) if host == "h1.example")
    owner = next(o for fid, o, _ in store.leases.active(NOW) if fid == done)
    store.feeds.update(done, next_check_at=NOW + timedelta(hours=1))
    store.leases.release(owner, [done])
    more = store.leases.claim("e", limit=10, lease_seconds=60, per_host=2, now=NOW)
    assert [c.host for c in more] == ["h1.example"]


def test_paused_and_disabled_feeds_are_not_claimed(store: Store) -> None:
    ids = _feeds(store, hosts=2, per_host=1)
    source_id = store.feeds.get(ids[0]).source_id
    assert source_id is not None
    store.sources.update(source_id, paused=True)
    store.feeds.update(ids[1], disabled=True)
    assert store.leases.claim("a", limit=10, lease_seconds=60, per_host=4, now=NOW) == []


def test_concurrent_claimers_on_postgresql_split_the_feeds(pg_url: str) -> None:
    """Eight threads, each with its own store (own pool), claim at once; no overlap."""
    setup = open_store(pg_url)
    ids = _feeds(setup, hosts=10, per_host=8)
    results: dict[str, list[int]] = {}
    barrier = threading.Barrier(8)

    def claimer(owner: str) -> None:
        own = open_store(pg_url, upgrade=False)
        try:
            barrier.wait()
            got: list[int] = []
            while batch := own.leases.claim(owner, limit=3, lease_seconds=60, per_host=3,
                                            now=NOW):
                got += [c.feed_id for c in batch]
            results[owner] = got
        finally:
            own.close()

    threads = [threading.Thread(target=claimer, args=(f"w{i}",)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    claimed = [fid for got in results.values() for fid in got]
    assert len(claimed) == len(set(claimed))  # never the same feed twice
    # a claimer may give up early while others hold the rows; a last one tops the hosts up
    claimed += [c.feed_id for c in setup.leases.claim("last", limit=100, lease_seconds=60,
                                                       per_host=3, now=NOW)]
    assert len(claimed) == len(set(claimed))
    assert len(claimed) == 10 * 3  # every host filled to its cap, no further
    hosts = [h for _, _, h in setup.leases.active(NOW)]
    assert all(hosts.count(h) == 3 for h in set(hosts))
    assert set(claimed) <= set(ids)
    setup.close()


def test_the_story_lock_is_exclusive_across_connections_and_reentrant(store: Store,
                                                                       tmp_path) -> None:
    from tidings.store.locks import exclusive, lock_key

    other = open_store(str(store.db.engine.url.render_as_string(hide_password=False))
                       .replace("postgresql+psycopg://", "postgresql://"), upgrade=False)
    outcome: list[bool] = []
    with exclusive(store.db, "t.lock") as first:
        assert first
        with exclusive(store.db, "t.lock") as nested:  # same thread: already held
            assert nested

        def elsewhere() -> None:
            with exclusive(other.db, "t.lock", wait=False) as got:
                outcome.append(got)

        thread = threading.Thread(target=elsewhere)
        thread.start()
        thread.join()
        if store.dialect == "postgresql":  # another session sees the advisory lock taken
            with other.db.engine.connect() as conn:
                taken = conn.exec_driver_sql("SELECT pg_try_advisory_lock(%(k)s)",
                                             {"k": lock_key("t.lock")}).scalar()
                assert taken is False
    assert outcome == [False]
    with exclusive(other.db, "t.lock", wait=False) as got:
        assert got  # free again once the first holder left
    other.close()


def test_without_an_explicit_time_the_database_clock_decides(store: Store) -> None:
    [feed_id] = _feeds(store, hosts=1, per_host=1)
    real_now = datetime.now(UTC)
    store.feeds.update(feed_id, lease_owner="x", lease_until=real_now + timedelta(hours=1))
    assert store.leases.claim("a", limit=1, lease_seconds=60, per_host=4) == []
    assert store.leases.due_unclaimed() == 0
    store.feeds.update(feed_id, lease_until=real_now - timedelta(minutes=1))
    assert store.leases.due_unclaimed() == 1
    [claim] = store.leases.claim("a", limit=1, lease_seconds=60, per_host=4)
    assert claim.feed_id == feed_id
    assert store.leases.renew("a", [feed_id], lease_seconds=60) == 1
