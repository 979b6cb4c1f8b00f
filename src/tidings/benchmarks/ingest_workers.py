"""Ingest throughput with N racing ``tidings worker --once`` processes over one database.

For each worker count: a fresh schema (a throw-away PostgreSQL schema, or a new SQLite file),
``feeds`` synthetic feeds of ``items`` items each served from loopback addresses (several
127.0.0.x hosts, so per-host politeness works as it would across outlets), then N worker
processes started at once, each claiming batches of due feeds until none is left. Items per
second are the articles stored divided by the wall time from starting the processes until the
last one exits (interpreter start-up included, as a deployment would pay it).

``tidings bench ingest --database URL --workers 1,2,4`` calls :func:`run`.
"""

from __future__ import annotations

import http.server
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any, ClassVar

from tidings.benchmarks._servercpu import BackendCpu
from tidings.benchmarks._synthetic import synthetic_feed
from tidings.models import Feed, FulltextMode, Source
from tidings.store import open_store
from tidings.store.benchdb import scratch_postgres

HOSTS = 8  # loopback addresses 127.0.0.1 .. 127.0.0.8
WORKER_CONCURRENCY = 16
WORDS = ("council", "budget", "river", "bridge", "storm", "harbour", "election", "minister",
         "court", "trial", "vaccine", "market", "shares", "energy", "grid", "rail", "strike",
         "festival", "museum", "league", "final", "drought")


def feed_document(feed_no: int, items: int) -> bytes:
    """An RSS 2.0 document with ``items`` distinct items, each with a paragraph of text."""
    base = datetime(2026, 2, 15, 12, 0, tzinfo=UTC)
    parts = ['<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>',
             f"<title>Synthetic outlet {feed_no}</title><link>https://outlet{feed_no}.test/</link>"]
    for i in range(items):
        words = " ".join(WORDS[(feed_no * 7 + i * 3 + k) % len(WORDS)] for k in range(60))
        when = format_datetime(base - timedelta(minutes=feed_no + i * 5))
        parts.append(
            f"<item><title>Report {feed_no}-{i}: {WORDS[i % len(WORDS)]}</title>"
            f"<link>https://outlet{feed_no}.test/news/{i}</link>"
            f"<guid>outlet{feed_no}-{i}</guid><pubDate>{when}</pubDate>"
            f"<description>&lt;p&gt;{words}.&lt;/p&gt;</description></item>")
    parts.append("</channel></rss>")
    return "".join(parts).encode()


class _FeedHandler(http.server.BaseHTTPRequestHandler):
    documents: ClassVar[dict[str, bytes]] = {}

    def do_GET(self) -> None:
        body = self.documents.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return


@contextmanager
def feed_servers(feeds: int, items: int, hosts: int = HOSTS, words: int | None = None
                 ) -> Iterator[list[str]]:
    """Serve synthetic feeds from ``hosts`` loopback addresses; yields the feed URLs.

    With ``words``, the documents are ``tidings bench ingest``'s (items of that many words);
    else the short ones of :func:`feed_document`.
    """
    if words is None:
        documents = {f"/feed/{n}.xml": feed_document(n, items) for n in range(feeds)}
    else:
        now = datetime.now(UTC)
        documents = {f"/feed/{n}.xml": synthetic_feed(n, items, words, now)
                     for n in range(feeds)}
    handler = type("Handler", (_FeedHandler,), {"documents": documents})
    servers = []
    try:
        for h in range(hosts):
            server = http.server.ThreadingHTTPServer((f"127.0.0.{h + 1}", 0), handler)
            server.daemon_threads = True
            threading.Thread(target=server.serve_forever, daemon=True).start()
            servers.append(server)
        urls = []
        for n in range(feeds):
            address = servers[n % hosts].server_address
            urls.append(f"http://{address[0]!s}:{address[1]}/feed/{n}.xml")
        yield urls
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


@contextmanager
def fresh_database(database_url: str, workdir: Path) -> Iterator[str]:
    """A URL to an empty store: a new schema on PostgreSQL (dropped afterwards, the user's
    tables untouched), a new file for SQLite."""
    if not database_url.startswith(("postgresql", "postgres")):
        yield f"sqlite:///{workdir / ('bench-' + uuid.uuid4().hex[:8] + '.db')}"
        return
    with scratch_postgres(database_url) as url:
        yield url


def _prepare(url: str, feed_urls: list[str]) -> None:
    store = open_store(url)
    try:
        now = datetime.now(UTC)
        for n, feed_url in enumerate(feed_urls):
            source = store.sources.add(Source(None, f"Outlet {n}", f"https://outlet{n}.test",
                                              fulltext=FulltextMode.NEVER), now)
            store.feeds.add(Feed(None, source.id, feed_url), now)
    finally:
        store.close()


def _count_articles(url: str) -> int:
    store = open_store(url, upgrade=False)
    try:
        return store.articles.count()
    finally:
        store.close()


def race(url: str, workers: int, home: Path) -> dict[str, Any]:
    """Start ``workers`` processes at once; wait for all; their totals and the wall time."""
    env = {**os.environ, "TIDINGS_DATABASE_URL": url, "TIDINGS_ALLOW_PRIVATE": "1",
           "TIDINGS_HOME": str(home), "TIDINGS_LOG_LEVEL": "WARNING"}
    command = [sys.executable, "-c", "from tidings.cli import main; main()", "worker", "--once",
               "--stage", "fetch", "--json", "--concurrency", str(WORKER_CONCURRENCY)]
    cpu_before = _children_cpu()
    with BackendCpu(url) as database:
        started = time.perf_counter()
        procs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(workers)]
        outputs = [p.communicate(timeout=1800) for p in procs]
        wall = time.perf_counter() - started
    cpu = _children_cpu() - cpu_before
    totals = []
    for proc, (out, err) in zip(procs, outputs, strict=True):
        if proc.returncode != 0:
            raise RuntimeError(f"a worker failed: {err.strip().splitlines()[-1:]}")
        totals.append(json.loads(out.strip().splitlines()[-1]))
    return {"wall": wall, "cpu": cpu, "server_cpu": database.seconds, "workers": totals}


def _children_cpu() -> float:
    """User + system CPU seconds of finished child processes (the workers), load-independent."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(database_url: str | None, workers: list[int], feeds: int, items: int,
        words: int = 300) -> dict[str, Any]:
    """Items/s for each worker count; one JSON-ready dict. No URL: a temporary SQLite file.

    The documents are ``tidings bench ingest``'s synthetic feeds (``words`` per item), so the
    figures compare with its single-process run.
    """
    database_url = database_url or "sqlite://"
    dialect = "postgresql" if database_url.startswith("postgres") else "sqlite"
    results = []
    with tempfile.TemporaryDirectory(prefix="tidings-bench-") as tmp, \
            feed_servers(feeds, items, words=words) as feed_urls:
        for count in workers:
            with fresh_database(database_url, Path(tmp)) as url:
                _prepare(url, feed_urls)
                outcome = race(url, count, Path(tmp) / "home")
                stored = _count_articles(url)
            per_worker = [w["feeds"] for w in outcome["workers"]]
            results.append({
                "workers": count,
                "items": stored,
                "seconds": round(outcome["wall"], 3),
                "items_per_s": round(stored / outcome["wall"], 1),
                "feeds_per_worker": per_worker,
                "busy_seconds": max(w["seconds"] for w in outcome["workers"]),
                "worker_cpu_s": round(outcome["cpu"], 2),
                "db_server_cpu_s": (None if outcome["server_cpu"] is None
                                    else round(outcome["server_cpu"], 2)),
                "load_avg_1m": round(os.getloadavg()[0], 1),
            })
    return {"database": dialect, "feeds": feeds, "items_per_feed": items,
            "words_per_item": words, "hosts": HOSTS,
            "worker_concurrency": WORKER_CONCURRENCY, "cpus": os.cpu_count(), "runs": results}
