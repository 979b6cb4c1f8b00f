"""Live events across processes: two ``tidings serve`` on one SQLite file, one fetching (its
worker) and one ``--no-worker``; an article the first stores reaches a stream on the second
within 2 seconds. And a server with open streams stops promptly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from fixtures_server import FixtureServer
from tidings.models import Feed
from tidings.store import open_store
from tidings.store.schema import events

from .seeding import seed
from .sse import Event, EventStream
from .test_serve import free_port, wait_until_ready

pytestmark = pytest.mark.slow

RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Loopback</title>
<link>http://127.0.0.1/</link><item><title>Ferry service resumes after the storm</title>
<link>http://127.0.0.1/ferry</link><guid>ferry-1</guid>
<pubDate>{date}</pubDate><description>The first ferry left at dawn.</description></item>
</channel></rss>"""


def first_article(stream: EventStream, timeout: float) -> Event | None:
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        event = stream.next(left)
        if event is None or event.event == "article":
            return event
    return None


@contextmanager
def serving(env: dict[str, str], *args: str) -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", "from tidings.cli import main; main()", "serve",
         "--port", str(port), *args],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(base, proc)
        yield base
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()


def test_an_article_stored_by_one_process_is_an_event_in_the_other(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'site.db'}"
    store = open_store(url)
    seeded = seed(store)
    feeds = FixtureServer().start()
    env = {**os.environ, "TIDINGS_DATABASE_URL": url, "TIDINGS_HOME": str(tmp_path),
           "TIDINGS_ALLOW_PRIVATE": "1", "TIDINGS_EXTRACT_CONCURRENCY": "1"}
    try:
        with serving(env, "--no-worker") as reader, serving(env, "--worker") as fetcher, \
                EventStream(reader + "/api/events") as watching, \
                EventStream(fetcher + "/api/events") as fetching_side:
            assert watching.status == 200 and fetching_side.status == 200
            date = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
            feed_url = feeds.add("/rss", RSS.format(date=date),
                                 content_type="application/rss+xml")
            store.feeds.add(Feed(None, seeded.sources["Daily Planet"], feed_url),
                            datetime.now(UTC))  # due now: the fetching worker takes it
            # (the worker also clusters the seeded articles: 'story' events come and go)
            event = first_article(watching, timeout=20)
            received = datetime.now(UTC)
            assert event is not None, "no article event on the reader"
            other = first_article(fetching_side, timeout=5)
            assert other is not None and other.id == event.id  # the same event, both sides
        data = event.json()
        assert data["title"] == "Ferry service resumes after the storm"
        assert data["source"]["name"] == "Daily Planet"
        with store.db.read() as conn:
            stored_at = conn.execute(sa.select(events.c.created_at)
                                     .where(events.c.id == int(event.id or 0))).scalar_one()
        latency = (received - stored_at).total_seconds()
        print(f"event latency across processes: {latency * 1000:.0f} ms")
        assert 0 <= latency < 2.0
    finally:
        feeds.close()
        store.close()


def test_sigterm_ends_open_streams_and_the_server(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'site.db'}"
    open_store(url).close()
    env = {**os.environ, "TIDINGS_DATABASE_URL": url, "TIDINGS_HOME": str(tmp_path)}
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", "from tidings.cli import main; main()", "serve", "--no-worker",
         "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        text=True)
    try:
        assert proc.stdout is not None and "serving on" in proc.stdout.readline()
        base = f"http://127.0.0.1:{port}"
        streams = []
        deadline = time.monotonic() + 30
        while not streams:
            try:
                streams = [EventStream(base + "/api/events") for _ in range(3)]
            except OSError:
                assert time.monotonic() < deadline, "the server did not become ready"
                time.sleep(0.2)
        assert [s.status for s in streams] == [200, 200, 200]
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
        took = time.monotonic() - started
        assert took < 5, f"shutdown waited {took:.1f} s on open streams"
        for stream in streams:  # each stream ended cleanly: the reader saw its end
            assert stream.next(timeout=2) is None
            stream.close()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.__exit__(None, None, None)
