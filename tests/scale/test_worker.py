"""`tidings worker` processes racing over one PostgreSQL store."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from fixtures_server import FixtureServer, Request
from tidings.benchmarks.ingest_workers import feed_document
from tidings.config import Settings
from tidings.models import Feed, Source
from tidings.store import Store, open_store
from tidings.store.schema import feeds
from tidings.worker.claims import lease_seconds

NOW = datetime.now(UTC)
pytestmark = [pytest.mark.postgres, pytest.mark.slow]


class InFlight:
    """Counts requests being answered at once, to check the per-host cap across processes."""

    def __init__(self, delay: float):
        self.delay = delay
        self.now = 0
        self.peak = 0
        self.lock = threading.Lock()

    def handler(self, body: bytes):  # type: ignore[no-untyped-def]
        def answer(_request: Request) -> tuple[int, dict[str, str], bytes]:
            with self.lock:
                self.now += 1
                self.peak = max(self.peak, self.now)
            time.sleep(self.delay)
            with self.lock:
                self.now -= 1
            return 200, {"Content-Type": "application/rss+xml"}, body
        return answer


def _subscribe(store: Store, urls: list[str]) -> None:
    for n, url in enumerate(urls):
        source = store.sources.add(Source(None, f"Outlet {n}", fulltext="never"), NOW)
        store.feeds.add(Feed(None, source.id, url), NOW)


def _worker(url: str, home: Path, *args: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", "from tidings.cli import main; main()", "worker", *args],
        env={**os.environ, "TIDINGS_DATABASE_URL": url, "TIDINGS_ALLOW_PRIVATE": "1",
             "TIDINGS_HOME": str(home), **env},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_racing_workers_fetch_each_feed_once_within_the_host_cap(pg_url: str,
                                                                  tmp_path: Path) -> None:
    server = FixtureServer().start()
    flight = InFlight(delay=0.15)
    try:
        urls = [server.add(f"/f{n}.xml", handler=flight.handler(feed_document(n, 4)))
                for n in range(24)]
        store = open_store(pg_url)
        _subscribe(store, urls)
        procs = [_worker(pg_url, tmp_path, "--once", "--stage", "fetch", "--json",
                         TIDINGS_PER_HOST_CONCURRENCY="2") for _ in range(3)]
        outputs = [p.communicate(timeout=120) for p in procs]
        for proc, (_out, err) in zip(procs, outputs, strict=True):
            assert proc.returncode == 0, err
        totals = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]
        assert sum(t["feeds"] for t in totals) == 24
        assert sum(t["new_articles"] for t in totals) == 24 * 4
        assert all(server.count(f"/f{n}.xml") == 1 for n in range(24))  # never fetched twice
        assert flight.peak <= 2  # one host, at most two of its feeds in flight at any time
        assert store.articles.count() == 24 * 4
        with store.db.read() as conn:
            held = conn.execute(sa.select(sa.func.count()).select_from(feeds)
                                .where(feeds.c.lease_owner.is_not(None))).scalar_one()
        assert held == 0  # every lease given back
        store.close()
    finally:
        server.close()


def test_sigterm_finishes_the_feeds_in_flight_and_releases(pg_url: str, tmp_path: Path) -> None:
    server = FixtureServer().start()
    try:
        url = server.add("/slow.xml", feed_document(1, 3), delay=2.0,
                         content_type="application/rss+xml")
        store = open_store(pg_url)
        _subscribe(store, [url])
        proc = _worker(pg_url, tmp_path)
        _wait_for_lease(store)  # the batch is in hand: the feed answers after two seconds
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert "SIGTERM" in err
        assert store.articles.count() == 3  # the batch in hand was finished
        with store.db.read() as conn:
            owner = conn.execute(sa.select(feeds.c.lease_owner)).scalar()
        assert owner is None
        store.close()
    finally:
        server.close()


def _wait_for_lease(store: Store) -> None:
    deadline = time.monotonic() + 60
    while True:
        with store.db.read() as conn:
            if conn.execute(sa.select(sa.func.count()).select_from(feeds)
                            .where(feeds.c.lease_owner.is_not(None))).scalar():
                return
        assert time.monotonic() < deadline, "the worker never claimed"
        time.sleep(0.05)


def test_a_killed_worker_leaves_a_lease_that_expires(pg_url: str, tmp_path: Path) -> None:
    server = FixtureServer().start()
    try:
        url = server.add("/stuck.xml", feed_document(2, 3), delay=30.0,
                         content_type="application/rss+xml")
        store = open_store(pg_url)
        _subscribe(store, [url])
        proc = _worker(pg_url, tmp_path)
        _wait_for_lease(store)
        proc.kill()
        proc.communicate(timeout=30)
        now = datetime.now(UTC)
        assert store.leases.claim("other", limit=5, lease_seconds=60, per_host=4, now=now) == []
        later = now + timedelta(seconds=lease_seconds(Settings()) + 1)
        taken = store.leases.claim("other", limit=5, lease_seconds=60, per_host=4, now=later)
        assert [c.url for c in taken] == [url]
        store.close()
    finally:
        server.close()


def test_a_slow_feed_holds_one_slot_not_the_others(pg_url: str, tmp_path: Path) -> None:
    """With two slots, the fast feeds all go through while the slow one is still answering
    (the slow one answers only once they have: a batch-at-a-time worker would wait out the
    slow one's timeout first)."""
    server = FixtureServer().start()
    fast_done = threading.Event()
    fast_paths = {f"/fast{n}.xml" for n in range(8)}

    def slow(_request: Request) -> tuple[int, dict[str, str], bytes]:
        slow_saw.append(fast_done.wait(timeout=25))
        return 200, {"Content-Type": "application/rss+xml"}, feed_document(99, 2)

    def fast(body: bytes):  # type: ignore[no-untyped-def]
        def answer(request: Request) -> tuple[int, dict[str, str], bytes]:
            served.add(request.path)
            if served >= fast_paths:
                fast_done.set()
            return 200, {"Content-Type": "application/rss+xml"}, body
        return answer

    served: set[str] = set()
    slow_saw: list[bool] = []
    try:
        urls = [server.add("/slow.xml", handler=slow)]
        urls += [server.add(p, handler=fast(feed_document(n, 2)))
                 for n, p in enumerate(sorted(fast_paths))]
        store = open_store(pg_url)
        _subscribe(store, urls)  # the slow feed is claimed first
        proc = _worker(pg_url, tmp_path, "--once", "--stage", "fetch", "--concurrency", "2",
                       "--json")
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert json.loads(out.strip().splitlines()[-1])["feeds"] == 9
        assert slow_saw == [True]  # every fast feed was served while the slow one waited
        assert store.articles.count() == 9 * 2
        store.close()
    finally:
        server.close()


def test_serves_background_loop_and_a_worker_share_the_feeds(pg_url: str, tmp_path: Path,
                                                             settings: Settings) -> None:
    """`tidings serve`'s loop (run_forever, in a thread here) claims through the same leases:
    while it holds the feeds, a worker started beside it finds nothing to take."""
    from tidings.worker.loop import run_forever

    server = FixtureServer().start()
    release = threading.Event()
    stop = threading.Event()

    def held(body: bytes):  # type: ignore[no-untyped-def]
        def answer(_request: Request) -> tuple[int, dict[str, str], bytes]:
            release.wait(timeout=60)  # answer once the worker has had its go
            return 200, {"Content-Type": "application/rss+xml"}, body
        return answer

    try:
        urls = [server.add(f"/s{n}.xml", handler=held(feed_document(n, 3))) for n in range(20)]
        store = open_store(pg_url)
        _subscribe(store, urls)
        # one loopback host: lift the per-host cap so the loop can lease all twenty at once
        loop = threading.Thread(target=run_forever, args=(
            store, settings.replace(per_host_concurrency=50), stop))
        loop.start()
        _wait_for_lease(store)
        proc = _worker(pg_url, tmp_path, "--once", "--stage", "fetch", "--json",
                       TIDINGS_PER_HOST_CONCURRENCY="50")
        out, err = proc.communicate(timeout=120)
        release.set()
        assert proc.returncode == 0, err
        assert json.loads(out.strip().splitlines()[-1])["feeds"] == 0  # all leased by serve
        deadline = time.monotonic() + 60
        while store.articles.count() < 20 * 3:
            assert time.monotonic() < deadline, "the loop did not fetch every feed"
            time.sleep(0.1)
        stop.set()
        loop.join(timeout=60)
        assert all(server.count(f"/s{n}.xml") == 1 for n in range(20))
        store.close()
    finally:
        release.set()
        stop.set()
        server.close()
