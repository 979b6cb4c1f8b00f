"""Crash safety: SIGKILL at random moments during ingestion, SIGTERM for a clean stop.

A loopback fixture server serves feeds that grow every round. Each round starts a real
``tidings fetch`` process and kills it at a random moment. Afterwards the database must pass
``PRAGMA integrity_check``, every article stored before is still there unchanged, each feed's
entries are all-or-nothing per fetched version (one transaction per feed), and a final fetch
catches up with everything.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from fixtures_server import FixtureServer, Request
from tidings.models import Feed, Source
from tidings.store import open_store

FEEDS = 24
BASE_ITEMS = 20
GROWTH = 3  # new items per feed per round
KILLS = int(os.environ.get("TIDINGS_CRASH_KILLS", "25"))
SEED = int(os.environ.get("TIDINGS_CRASH_SEED", "20260215"))

DRIVER = """
import sys
from tidings.cli import main
print("ready", flush=True)
main(sys.argv[1:])
"""

# Imports tidings once, then forks one real ``tidings`` process per round (no start-up cost
# per round): reads a command line, prints the child's pid, then ``exit <signal>|<code>``.
ZYGOTE = """
import os, sys
from tidings.cli import main
import tidings.ingest.pipeline, tidings.worker.loop, tidings.fetch.http
print("ready", flush=True)
for line in sys.stdin:
    pid = os.fork()
    if pid == 0:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        code = 0
        try:
            main(line.split())
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        os._exit(code)
    print(pid, flush=True)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        print("signal", os.WTERMSIG(status), flush=True)
    else:
        print("code", os.WEXITSTATUS(status), flush=True)
"""

pytestmark = pytest.mark.slow


class GrowingFeeds:
    """Feed ``f`` at version ``v`` lists items 0 .. BASE_ITEMS + v*GROWTH - 1."""

    def __init__(self, server: FixtureServer):
        self.server = server
        self.version = 0
        for f in range(FEEDS):
            server.add(f"/feed/{f}", handler=self._handler(f), delay=0.02)

    def size(self, version: int) -> int:
        return BASE_ITEMS + version * GROWTH

    def _handler(self, f: int):  # type: ignore[no-untyped-def]
        def answer(request: Request) -> tuple[int, dict[str, str], bytes]:
            n = self.size(self.version)
            items = "".join(
                f"<item><title>Feed {f} item {i}</title>"
                f"<link>http://127.0.0.1:{self.server.port}/a/{f}/{i}</link>"
                f"<guid>f{f}-i{i}</guid><pubDate>Sun, 15 Feb 2026 {i % 24:02d}:00:00 GMT</pubDate>"
                f"<description>{f'Paragraph of feed {f} item {i}. ' * 25}</description>"
                "</item>" for i in range(n))
            body = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {f}</title>'
                    f"{items}</channel></rss>").encode()
            return 200, {"Content-Type": "application/rss+xml"}, body
        return answer


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[GrowingFeeds, dict[str, str], Path]]:
    server = FixtureServer().start()
    feeds = GrowingFeeds(server)
    db = tmp_path / "crash.db"
    store = open_store(f"sqlite:///{db}")
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    for f in range(FEEDS):
        source = store.sources.add(Source(None, f"Outlet {f}", fulltext="never"), now)
        store.feeds.add(Feed(None, source.id, server.url(f"/feed/{f}")), now)
    store.close()
    env = {**os.environ, "TIDINGS_HOME": str(tmp_path / "home"),
           "TIDINGS_DATABASE_URL": f"sqlite:///{db}", "TIDINGS_ALLOW_PRIVATE": "1",
           "TIDINGS_LOG_LEVEL": "ERROR", "PYTHONUNBUFFERED": "1"}
    try:
        yield feeds, env, db
    finally:
        server.close()


def start(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", DRIVER, *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.strip() == "ready", (line, proc.stderr.read() if proc.stderr else "")
    return proc


def snapshot(db: Path) -> dict[str, tuple[object, ...]]:
    conn = sqlite3.connect(db, timeout=30)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        rows = conn.execute(
            "SELECT entry_key, feed_id, title, url, published_at, summary, content_text "
            "FROM articles").fetchall()
    finally:
        conn.close()
    return {r[0]: tuple(r[1:]) for r in rows}


def check_feeds_atomic(rows: dict[str, tuple[object, ...]], feeds: GrowingFeeds) -> None:
    """Each feed holds exactly the items of one version it was served: nothing half-stored."""
    sizes = {0} | {feeds.size(v) for v in range(feeds.version + 1)}
    per_feed: dict[int, set[int]] = {}
    for key, values in rows.items():
        f, i = (int(part[1:]) for part in key.split("-"))
        per_feed.setdefault(f, set()).add(i)
        title, summary = values[1], values[4]
        assert title == f"Feed {f} item {i}", "an article was half-written"
        assert summary and str(summary).startswith(f"Paragraph of feed {f} item {i}.")
    for f, items in per_feed.items():
        assert len(items) in sizes, f"feed {f} has {len(items)} entries: a partial fetch"
        assert items == set(range(len(items)))


@pytest.mark.timeout(max(300, KILLS * 12))
def test_sigkill_during_ingestion_loses_nothing(world) -> None:  # type: ignore[no-untyped-def]
    feeds, env, db = world
    rng = random.Random(SEED)
    zygote = subprocess.Popen([sys.executable, "-c", ZYGOTE], env=env, text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert zygote.stdin is not None and zygote.stdout is not None
    assert zygote.stdout.readline().strip() == "ready"

    def run(args: str, kill_after: float | None) -> bool:
        """One real ``tidings`` process; True when SIGKILL ended it mid-run."""
        assert zygote.stdin is not None and zygote.stdout is not None
        zygote.stdin.write(args + "\n")
        zygote.stdin.flush()
        pid = int(zygote.stdout.readline())
        if kill_after is not None:
            time.sleep(kill_after)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        kind, value = zygote.stdout.readline().split()
        if kind == "code":
            assert value == "0", f"tidings {args} failed with exit code {value}"
        return kind == "signal" and int(value) == signal.SIGKILL

    try:
        t0 = time.monotonic()
        assert not run("fetch --fetch-only --json", None)  # learn how long a fetch takes
        duration = time.monotonic() - t0
        seen = snapshot(db)
        assert len(seen) == FEEDS * BASE_ITEMS

        kills = rounds = mid_ingestion = 0
        while kills < KILLS and rounds < KILLS * 3:
            rounds += 1
            feeds.version += 1  # every round brings new articles to store
            args = "fetch --fetch-only --json" if rounds % 2 else "fetch --json"
            # a fetch takes longer as the feeds grow: aim within this round's likely duration
            scale = feeds.size(feeds.version) / feeds.size(0)
            kills += run(args, rng.uniform(0.0, 0.8 * duration * scale))
            now = snapshot(db)
            lost = [k for k, v in seen.items() if now.get(k) != v]
            assert not lost, f"round {rounds}: {len(lost)} stored articles lost or changed"
            check_feeds_atomic(now, feeds)
            grown = {k.split("-")[0] for k in now.keys() - seen.keys()}
            mid_ingestion += 0 < len(grown) < FEEDS  # killed between two feeds' commits
            seen = now
        assert kills == KILLS, f"only {kills} of {rounds} rounds were killed mid-run"
        # the next fetch resumes and catches up with every feed's newest version
        assert not run("fetch --fetch-only --json", None)
    finally:
        zygote.stdin.close()
        zygote.wait(30)
        zygote.__exit__(None, None, None)  # closes the pipes
    done = snapshot(db)
    assert all(seen[k] == done[k] for k in seen)
    assert len(done) == FEEDS * feeds.size(feeds.version)
    check_feeds_atomic(done, feeds)
    print(f"\ncrash test: {kills} SIGKILLs in {rounds} rounds ({mid_ingestion} with some "
          f"feeds stored and others not yet), {len(done)} articles, 0 lost")


def test_sigterm_stops_the_worker_cleanly(world) -> None:  # type: ignore[no-untyped-def]
    feeds, env, db = world
    proc = start(env, "worker", "--stage", "fetch", "--json")
    time.sleep(1.0)  # mid-way through the first round of fetches
    proc.send_signal(signal.SIGTERM)
    try:
        _out, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail("the worker did not stop within 30 s of SIGTERM")
    assert proc.returncode == 0, err
    rows = snapshot(db)
    check_feeds_atomic(rows, feeds)
    conn = sqlite3.connect(db)
    try:
        held = conn.execute("SELECT count(*) FROM feeds WHERE lease_owner IS NOT NULL "
                            "AND lease_until > datetime('now')").fetchone()[0]
    finally:
        conn.close()
    assert held == 0, "a stopped worker must give its feed leases back"
    # work not done is picked up by the next run
    with start(env, "fetch", "--fetch-only", "--json") as again:
        assert again.wait(120) == 0
    assert len(snapshot(db)) == FEEDS * BASE_ITEMS
