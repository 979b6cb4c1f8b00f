"""``tidings bench ingest``: the fetch → parse → store stage against a loopback feed server.

A separate process serves ``--feeds`` synthetic RSS 2.0 feeds of ``--items`` items (about 300
words each, with ETags) on 127.0.0.1; each feed has its own host name (``feed-N.bench.test``,
answered by a stub resolver with 127.0.0.1), so the per-host limit applies as it would to
many outlets. The store starts empty (a temporary SQLite file, or ``--database``). Timed:
the first refresh of every feed, then a second refresh where every feed answers 304 (the
server counts them). The last line is one JSON object:
``{"feeds", "items", "first_fetch_s", "items_per_s", "unchanged_fetch_s", "peak_rss_mb"}``.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import resource
import shutil
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import click

from tidings.benchmarks._synthetic import synthetic_feed
from tidings.config import Settings
from tidings.fetch.http import Fetcher
from tidings.ingest.pipeline import refresh_async
from tidings.models import Feed, Source
from tidings.store import Store, open_store

HOST_SUFFIX = ".bench.test"
def serve(feeds: int, items: int, words: int, ready: Any, stop: Any) -> None:
    """The feed server process: answers GET /feed/N.xml (200 or 304) and GET /_stats."""
    now = datetime.now(UTC)
    bodies = [synthetic_feed(n, items, words, now) for n in range(feeds)]
    counts = {"200": 0, "304": 0, "404": 0}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            with lock:
                counts[str(status)] = counts.get(str(status), 0) + 1
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body:
                self.wfile.write(body)

        def do_GET(self) -> None:
            if self.path == "/_stats":
                with lock:
                    payload = json.dumps(counts).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                return
            try:
                n = int(self.path.removeprefix("/feed/").removesuffix(".xml"))
                body = bodies[n]
            except (ValueError, IndexError):
                self._send(404, b"", {})
                return
            etag = f'"bench-{n}-v1"'
            if self.headers.get("If-None-Match") == etag:
                self._send(304, b"", {"ETag": etag})
                return
            self._send(200, body, {"Content-Type": "application/rss+xml; charset=utf-8",
                                   "ETag": etag})

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 512

    httpd = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    ready.put(httpd.server_address[1])
    stop.wait(600)
    httpd.shutdown()


def _stats(port: int) -> dict[str, int]:
    import urllib.request

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stats", timeout=10) as resp:
        return dict(json.loads(resp.read()))


async def _loopback_resolver(host: str, port: int) -> list[str]:
    if host.endswith(HOST_SUFFIX):
        return ["127.0.0.1"]
    raise OSError(f"the benchmark resolves only *{HOST_SUFFIX}")


def _subscribe(store: Store, feeds: int, port: int) -> None:
    now = datetime.now(UTC)
    for n in range(feeds):
        source = store.sources.add(Source(id=None, name=f"Bench outlet {n}",
                                          url=f"https://outlet-{n}.example/"), now)
        store.feeds.add(Feed(id=None, source_id=source.id,
                             url=f"http://feed-{n}{HOST_SUFFIX}:{port}/feed/{n}.xml"), now)


async def _timed_refresh(store: Store, settings: Settings,
                         port: int) -> tuple[float, float, Any]:
    """Wall-clock seconds, CPU seconds of this process, and the FetchReport."""
    fetcher = Fetcher(settings, resolver=_loopback_resolver)
    try:
        # warm-up outside the clock: the HTTP stack imports parts of itself on first use
        await fetcher.get(f"http://warmup{HOST_SUFFIX}:{port}/_stats")
        started, cpu = time.perf_counter(), time.process_time()
        report = await refresh_async(store, settings, fetcher=fetcher)
        return time.perf_counter() - started, time.process_time() - cpu, report
    finally:
        await fetcher.aclose()


def run_bench(feeds: int, items: int, words: int, database: str | None,
              progress: bool) -> dict[str, Any]:
    ctx = multiprocessing.get_context("spawn")
    ready, stop = ctx.Queue(), ctx.Event()
    server = ctx.Process(target=serve, args=(feeds, items, words, ready, stop), daemon=True)
    server.start()
    folder = Path(tempfile.mkdtemp(prefix="tidings-bench-"))
    try:
        port = int(ready.get(timeout=300))
        url = database or f"sqlite:///{folder / 'bench.db'}"
        settings = Settings.from_dict({"home": str(folder), "allow_private": True,
                                       "database_url": url})
        store = open_store(url)
        try:
            if store.articles.count() or store.feeds.list():
                raise click.ClickException("--database must point to an empty store")
            _subscribe(store, feeds, port)
            first_s, first_cpu, first = asyncio.run(_timed_refresh(store, settings, port))
            if progress:
                click.echo(f"first fetch: {first.feeds} feeds, {first.new_articles} items in "
                           f"{first_s:.2f} s ({first_cpu:.2f} s CPU in this process), "
                           f"{len(first.errors)} errors", err=True)
            before = _stats(port)
            second_s, second_cpu, second = asyncio.run(_timed_refresh(store, settings, port))
            after = _stats(port)
            not_modified = after.get("304", 0) - before.get("304", 0)
            if progress:
                click.echo(f"unchanged fetch: {second.feeds} feeds in {second_s:.2f} s "
                           f"({second_cpu:.2f} s CPU); the "
                           f"server answered {not_modified} with 304", err=True)
            if first.errors:
                click.echo(f"first error: {first.errors[0]}", err=True)
        finally:
            store.close()
    finally:
        stop.set()
        server.join(timeout=10)
        if server.is_alive():
            server.terminate()
        shutil.rmtree(folder, ignore_errors=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"feeds": first.feeds, "items": first.new_articles,
            "first_fetch_s": round(first_s, 3),
            "items_per_s": round(first.new_articles / first_s, 1) if first_s else 0.0,
            "unchanged_fetch_s": round(second_s, 3), "peak_rss_mb": round(peak, 1)}


@click.command("ingest")
@click.option("--feeds", default=200, show_default=True, help="Number of synthetic feeds.")
@click.option("--items", default=50, show_default=True, help="Items per feed.")
@click.option("--words", default=300, show_default=True, help="Words per item.")
@click.option("--database", metavar="URL", help="An empty store to use (default: temp SQLite).")
@click.option("--workers", metavar="LIST",
              help="Comma-separated worker counts: run the multi-worker variant instead.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object as the last line.")
def command(feeds: int, items: int, words: int, database: str | None, workers: str | None,
            as_json: bool) -> None:
    """Fetch → parse → store for synthetic feeds on loopback, from scratch and unchanged."""
    if feeds <= 0 or items < 0 or words <= 0:
        raise click.BadParameter("--feeds and --words must be positive, --items not negative")
    if workers:
        try:
            counts = [int(w) for w in workers.split(",") if w.strip()]
        except ValueError:
            raise click.BadParameter("--workers takes numbers like 1,2,4") from None
        from tidings.benchmarks import ingest_workers

        result = ingest_workers.run(feeds=feeds, items=items, database_url=database, workers=counts)
    else:
        result = run_bench(feeds, items, words, database, progress=True)
    if as_json:
        sys.stdout.write(json.dumps(result) + "\n")
    else:
        for key, value in (result.items() if isinstance(result, dict) else []):
            click.echo(f"{key:>18}: {value}")
