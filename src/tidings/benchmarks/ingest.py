"""``tidings bench ingest``: the fetch → parse → store stage against a loopback feed server.

A separate process serves ``--feeds`` synthetic RSS 2.0 feeds of ``--items`` items (about 300
words each, with ETags) on 127.0.0.1; each feed has its own host name (``feed-N.bench.test``,
answered by a stub resolver with 127.0.0.1), so the per-host limit applies as it would to
many outlets. The store starts empty (a temporary SQLite file, or ``--database``). Timed:
the first refresh of every feed, then a second refresh where every feed answers 304 (the
server counts them). The parse processes (``--parse-processes``, as
``TIDINGS_PARSE_PROCESSES``) are started before the clock, once, as a long-running worker
starts them. The last line is one JSON object: ``{"feeds", "items", "first_fetch_s",
"items_per_s", "unchanged_fetch_s", "peak_rss_mb", "parse_processes", "parse_peak_rss_mb"}``
(the peak resident memory of this process, and of the largest parse process).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing
import os
import re
import resource
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import click

from tidings.benchmarks._cpuprofile import CpuProfile
from tidings.benchmarks._floor import floor_database, floor_fetch
from tidings.benchmarks._servercpu import BackendCpu
from tidings.benchmarks._synthetic import synthetic_feed
from tidings.config import Settings
from tidings.errors import TidingsError
from tidings.fetch.http import Fetcher
from tidings.ingest.parsing import ParsePool
from tidings.ingest.pipeline import refresh_async
from tidings.models import Feed, Source
from tidings.store import Store, open_store
from tidings.store.benchdb import scratch_postgres
from tidings.worker.stages import run_stage

HOST_SUFFIX = ".bench.test"
LANGUAGE_CODE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})?")


def serve(feeds: int, items: int, words: int, language: str, ready: Any, stop: Any) -> None:
    """The feed server process: answers GET /feed/N.xml (200 or 304) and GET /_stats."""
    now = datetime.now(UTC)
    bodies = [synthetic_feed(n, items, words, now, language) for n in range(feeds)]
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
    stop.wait(6 * 3600)  # a daemon: it ends with the benchmark; this only bounds an orphan
    httpd.shutdown()


def _stats(port: int) -> dict[str, int]:
    import urllib.request

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stats", timeout=10) as resp:
        return dict(json.loads(resp.read()))


async def _loopback_resolver(host: str, port: int) -> list[str]:
    if host.endswith(HOST_SUFFIX):
        return ["127.0.0.1"]
    raise OSError(f"the benchmark resolves only *{HOST_SUFFIX}")


def _feed_urls(feeds: int, port: int) -> list[str]:
    return [f"http://feed-{n}{HOST_SUFFIX}:{port}/feed/{n}.xml" for n in range(feeds)]


def _subscribe(store: Store, feeds: int, port: int) -> None:
    now = datetime.now(UTC)
    for n, url in enumerate(_feed_urls(feeds, port)):
        source = store.sources.add(Source(id=None, name=f"Bench outlet {n}",
                                          url=f"https://outlet-{n}.example/"), now)
        store.feeds.add(Feed(id=None, source_id=source.id, url=url), now)


@dataclass
class Timed:
    """One timed run: wall and CPU seconds (this process without the sampler; the local
    PostgreSQL server's when there is one; the parse processes'), the stage profile when
    asked for, the result."""

    wall_s: float
    cpu_s: float
    db_cpu_s: float | None
    profile: dict[str, float] | None
    result: Any
    parse_cpu_s: float | None = None  # the parse processes', when there are any


async def _timed(settings: Settings, port: int, work: Callable[[Fetcher], Awaitable[Any]], *,
                 profile: bool, database_url: str, parser: ParsePool | None = None) -> Timed:
    fetcher = Fetcher(settings, resolver=_loopback_resolver)
    try:
        # warm-up outside the clock: the HTTP stack imports parts of itself on first use
        await fetcher.get(f"http://warmup{HOST_SUFFIX}:{port}/_stats")
        sampler = CpuProfile() if profile else None
        children = parser.usage() if parser else None
        with BackendCpu(database_url) as database:
            started, cpu = time.perf_counter(), time.process_time()
            with sampler or contextlib.nullcontext():
                result = await work(fetcher)
                wall = time.perf_counter() - started
        cpu = (time.process_time() - cpu - database.own_cpu_s
               - (sampler.own_cpu_s if sampler else 0.0))
        after = parser.usage() if parser else None
        return Timed(wall, cpu, database.seconds, sampler.rounded() if sampler else None,
                     result, after[1] - children[1] if children and after else None)
    finally:
        await fetcher.aclose()


def _floor_run(url: str, settings: Settings, port: int, feed_urls: list[str]) -> Timed:
    db = floor_database(url)
    try:
        return asyncio.run(_timed(settings, port,
                                  lambda fetcher: floor_fetch(db, fetcher, feed_urls),
                                  profile=True, database_url=url))
    finally:
        db.dispose()


def _tidings_runs(store: Store, settings: Settings, port: int, *, profile: bool,
                  database_url: str, progress: bool,
                  parser: ParsePool) -> tuple[Timed, Timed, int]:
    """The first refresh, the unchanged one, and how many 304s the server counted."""
    def refresh(fetcher: Fetcher) -> Awaitable[Any]:
        return refresh_async(store, settings, fetcher=fetcher, parser=parser)

    first = asyncio.run(_timed(settings, port, refresh, profile=profile,
                               database_url=database_url, parser=parser))
    if progress:
        click.echo(f"first fetch: {first.result.feeds} feeds, {first.result.new_articles} items "
                   f"in {first.wall_s:.2f} s ({first.cpu_s:.2f} s CPU in this process), "
                   f"{len(first.result.errors)} errors", err=True)
        if first.result.errors:
            click.echo(f"first error: {first.result.errors[0]}", err=True)
    before = _stats(port)
    second = asyncio.run(_timed(settings, port, refresh, profile=profile,
                                database_url=database_url, parser=parser))
    not_modified = _stats(port).get("304", 0) - before.get("304", 0)
    if progress:
        click.echo(f"unchanged fetch: {second.result.feeds} feeds in {second.wall_s:.2f} s "
                   f"({second.cpu_s:.2f} s CPU); the server answered {not_modified} with 304",
                   err=True)
    return first, second, not_modified


def _index_run(store: Store, settings: Settings, database_url: str) -> Timed:
    """The ``index`` stage over everything the first fetch stored, timed on its own: storing
    only queues articles for search, so this is where the indexing cost went."""
    with BackendCpu(database_url) as database:
        started, cpu = time.perf_counter(), time.process_time()
        done = run_stage("index", store, settings) or 0
        wall = time.perf_counter() - started
    cpu = time.process_time() - cpu - database.own_cpu_s
    return Timed(wall, cpu, database.seconds, None, done)


def _per_item_ms(run: Timed, items: int) -> float | None:
    if not items:
        return None
    return round((run.cpu_s + (run.db_cpu_s or 0.0) + (run.parse_cpu_s or 0.0)) * 1000 / items,
                 3)


def floor_keys(floor: Timed, first: Timed, second: Timed, dialect: str,
               index: Timed | None = None) -> dict[str, Any]:
    """What ``--floor`` adds to the JSON: tidings against the floor, in wall and CPU time, and
    the search indexing of what the first fetch stored (timed after it, on its own)."""
    items = first.result.new_articles
    mine, base = _per_item_ms(first, items), _per_item_ms(floor, floor.result)
    indexed = {} if index is None else {
        "index_items": index.result, "index_s": round(index.wall_s, 3),
        "index_cpu_s": round(index.cpu_s, 3),
        "index_db_cpu_s": None if index.db_cpu_s is None else round(index.db_cpu_s, 3),
        "index_cpu_ms_per_item": _per_item_ms(index, index.result)}
    return {
        "database": dialect, "load_avg_1m": round(os.getloadavg()[0], 2),
        "first_fetch_cpu_s": round(first.cpu_s, 3),
        "first_fetch_db_cpu_s": None if first.db_cpu_s is None else round(first.db_cpu_s, 3),
        "first_fetch_parse_cpu_s": None if first.parse_cpu_s is None
        else round(first.parse_cpu_s, 3),
        "cpu_ms_per_item": mine,
        "unchanged_fetch_cpu_s": round(second.cpu_s, 3),
        "floor_items": floor.result, "floor_s": round(floor.wall_s, 3),
        "floor_cpu_s": round(floor.cpu_s, 3),
        "floor_db_cpu_s": None if floor.db_cpu_s is None else round(floor.db_cpu_s, 3),
        "floor_cpu_ms_per_item": base,
        "floor_ratio": round(first.wall_s / floor.wall_s, 2) if floor.wall_s else None,
        "floor_cpu_ratio": round(mine / base, 2) if mine and base else None,
        **indexed,
        "profile_cpu_s": {"tidings_first": first.profile, "tidings_unchanged": second.profile,
                          "floor": floor.profile},
    }


def run_bench(feeds: int, items: int, words: int, database: str | None, progress: bool,
              floor: bool = False, parse_processes: str = "auto",
              language: str = "en") -> dict[str, Any]:
    ctx = multiprocessing.get_context("spawn")
    ready, stop = ctx.Queue(), ctx.Event()
    server = ctx.Process(target=serve, args=(feeds, items, words, language, ready, stop),
                         daemon=True)
    server.start()
    folder = Path(tempfile.mkdtemp(prefix="tidings-bench-"))
    try:
        port = int(ready.get(timeout=300))
        url = database or f"sqlite:///{folder / 'bench.db'}"
        settings = Settings.from_dict({"home": str(folder), "allow_private": True,
                                       "database_url": url, "parse_processes": parse_processes})
        floor_run = None
        if floor:
            with _floor_url(database, folder) as floor_url:
                floor_run = _floor_run(floor_url, settings, port, _feed_urls(feeds, port))
            if progress:
                click.echo(f"floor: {floor_run.result} items in {floor_run.wall_s:.2f} s "
                           f"({floor_run.cpu_s:.2f} s CPU)", err=True)
        store = open_store(url)
        parser = ParsePool(settings)
        try:
            if store.articles.count() or store.feeds.list():
                raise click.ClickException("--database must point to an empty store")
            _subscribe(store, feeds, port)
            if parser.begin(feeds):
                parser.start()  # before the clock, as a long-running worker starts it
            first, second, _ = _tidings_runs(store, settings, port, profile=floor,
                                             database_url=url, progress=progress, parser=parser)
            index = _index_run(store, settings, url) if floor else None
            if index is not None and progress:
                click.echo(f"index: {index.result} items in {index.wall_s:.2f} s "
                           f"({index.cpu_s:.2f} s CPU in this process)", err=True)
            dialect = store.dialect
            used = 0 if parser.broken else len(parser.pids)
            usage = parser.usage()
        finally:
            parser.close()
            store.close()
    finally:
        stop.set()
        server.join(timeout=10)
        if server.is_alive():
            server.terminate()
        shutil.rmtree(folder, ignore_errors=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report = first.result
    result = {"feeds": report.feeds, "items": report.new_articles,
              "first_fetch_s": round(first.wall_s, 3),
              "items_per_s": round(report.new_articles / first.wall_s, 1) if first.wall_s
              else 0.0,
              "unchanged_fetch_s": round(second.wall_s, 3), "peak_rss_mb": round(peak, 1),
              "parse_processes": used,
              "parse_peak_rss_mb": None if usage is None else round(usage[0], 1)}
    if floor_run is not None:
        result.update(floor_keys(floor_run, first, second, dialect, index))
    return result


@contextlib.contextmanager
def _floor_url(database: str | None, folder: Path) -> Iterator[str]:
    """The floor's own empty database: a file beside the store's, or a scratch schema."""
    if database and database.startswith(("postgresql", "postgres")):
        with scratch_postgres(database) as url:
            yield url
    else:
        yield f"sqlite:///{folder / 'floor.db'}"


@click.command("ingest")
@click.option("--feeds", default=200, show_default=True, help="Number of synthetic feeds.")
@click.option("--items", default=50, show_default=True, help="Items per feed.")
@click.option("--words", default=300, show_default=True, help="Words per item.")
@click.option("--database", metavar="URL", help="An empty store to use (default: temp SQLite).")
@click.option("--workers", metavar="LIST",
              help="Comma-separated worker counts: run the multi-worker variant instead.")
@click.option("--floor", is_flag=True,
              help="Also time the floor (lxml + one executemany per feed, nothing else) and "
                   "add the ratio, CPU times, a CPU profile by stage and the search indexing "
                   "of the stored items (index_*) to the output.")
@click.option("--parse-processes", default="auto", show_default=True,
              help="Parse processes beside the fetching one, as TIDINGS_PARSE_PROCESSES "
                   "(0: one parse thread).")
@click.option("--language", default="en", show_default=True, metavar="CODE",
              help="The language the feeds declare (the words stay English): what the store "
                   "indexes them as, e.g. one PostgreSQL has no stemmer for.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object as the last line.")
def command(feeds: int, items: int, words: int, database: str | None, workers: str | None,
            floor: bool, parse_processes: str, language: str, as_json: bool) -> None:
    """Fetch → parse → store for synthetic feeds on loopback, from scratch and unchanged."""
    if feeds <= 0 or items < 0 or words <= 0:
        raise click.BadParameter("--feeds and --words must be positive, --items not negative")
    if not LANGUAGE_CODE.fullmatch(language):
        raise click.BadParameter("--language takes a code like en, pl or pt-BR")
    if workers:
        try:
            counts = [int(w) for w in workers.split(",") if w.strip()]
        except ValueError:
            raise click.BadParameter("--workers takes numbers like 1,2,4") from None
        from tidings.benchmarks import ingest_workers

        result = ingest_workers.run(feeds=feeds, items=items, database_url=database, workers=counts)
    else:
        try:
            Settings.from_dict({"parse_processes": parse_processes})
        except TidingsError as exc:
            raise click.BadParameter(str(exc)) from None
        result = run_bench(feeds, items, words, database, progress=True, floor=floor,
                           parse_processes=parse_processes, language=language)
    if as_json:
        sys.stdout.write(json.dumps(result) + "\n")
    else:
        for key, value in (result.items() if isinstance(result, dict) else []):
            click.echo(f"{key:>18}: {value}")
