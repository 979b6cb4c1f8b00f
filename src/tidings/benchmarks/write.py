"""``tidings bench write``: the store's write path alone, without fetching or parsing.

The synthetic feeds of ``tidings bench ingest`` are parsed into rows before the clock starts;
then every feed's rows are written with ``write_prepared`` in groups of ``--group`` feeds (one
transaction each, as the ingest writer groups them): the known-key lookup, the grouped
INSERT, the feed updates, the totals and the live events. Timed twice: into the empty store,
and again with every entry already stored. CPU is this process's (and the local PostgreSQL
server's, when there is one), so the figures compare across load; ``profile_cpu_s`` splits the
first write by stage as ``tidings bench ingest --floor`` does.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from tidings.benchmarks._cpuprofile import CpuProfile
from tidings.benchmarks._servercpu import BackendCpu
from tidings.benchmarks._synthetic import synthetic_feed
from tidings.ingest.parsing import entry_rows
from tidings.ingest.pipeline import PreparedWrite, write_prepared
from tidings.models import Feed, Source
from tidings.parse.feed import parse_feed
from tidings.store import Store, open_store
from tidings.store.benchdb import scratch_postgres
from tidings.store.counters import FETCH_OK


def prepared(store: Store, feeds: int, items: int, words: int, now: datetime
             ) -> list[PreparedWrite]:
    """Subscribe ``feeds`` synthetic feeds and parse each into the write a fetch would make."""
    jobs = []
    for n in range(feeds):
        source = store.sources.add(Source(id=None, name=f"Bench outlet {n}",
                                          url=f"https://outlet-{n}.example/"), now)
        feed = store.feeds.add(Feed(id=None, source_id=source.id,
                                    url=f"https://feed-{n}.bench.test/feed/{n}.xml"), now)
        parsed = parse_feed(synthetic_feed(n, items, words, now), feed.url)
        jobs.append(PreparedWrite(feed, entry_rows(feed, parsed, now),
                                  {"etag": f'"{n}"', "last_checked_at": now, "error_count": 0},
                                  counts_as=FETCH_OK))
    return jobs


def timed_write(store: Store, jobs: list[PreparedWrite], group: int, url: str
                ) -> dict[str, Any]:
    """Write ``jobs`` in groups; stored count, wall and CPU seconds, stage profile."""
    stored = 0
    with BackendCpu(url) as database, CpuProfile() as profile:
        wall, cpu = time.perf_counter(), time.process_time()
        for start in range(0, len(jobs), group):
            for result in write_prepared(store, jobs[start:start + group], datetime.now(UTC)):
                if isinstance(result, BaseException):
                    raise click.ClickException(f"a write failed: {result}")
                stored += len(result)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"stored": stored, "wall_s": wall,
            "cpu_s": cpu - database.own_cpu_s - profile.own_cpu_s,
            "db_cpu_s": database.seconds, "profile": profile.rounded()}


@contextlib.contextmanager
def _store_url(database: str | None) -> Iterator[str]:
    """A scratch schema of ``database``, or a temporary SQLite file."""
    if database and database.startswith(("postgresql", "postgres")):
        with scratch_postgres(database) as url:
            yield url
        return
    if database:
        raise click.BadParameter("--database takes a postgresql:// URL (default: temp SQLite)")
    with tempfile.TemporaryDirectory(prefix="tidings-bench-") as folder:
        yield f"sqlite:///{Path(folder) / 'bench.db'}"


def run(feeds: int, items: int, words: int, group: int, database: str | None
        ) -> dict[str, Any]:
    with _store_url(database) as url:
        store = open_store(url)
        try:
            jobs = prepared(store, feeds, items, words, datetime.now(UTC))
            first = timed_write(store, jobs, group, url)
            again = timed_write(store, jobs, group, url)
            dialect = store.dialect
        finally:
            store.close()
    stored = first["stored"]
    total = first["cpu_s"] + (first["db_cpu_s"] or 0.0)
    return {
        "database": dialect, "feeds": feeds, "items": items, "group": group,
        "stored": stored, "write_s": round(first["wall_s"], 3),
        "write_cpu_s": round(first["cpu_s"], 3),
        "write_db_cpu_s": None if first["db_cpu_s"] is None else round(first["db_cpu_s"], 3),
        "cpu_ms_per_item": round(1000 * total / stored, 4) if stored else None,
        "again_stored": again["stored"], "again_cpu_s": round(again["cpu_s"], 3),
        "again_db_cpu_s": None if again["db_cpu_s"] is None else round(again["db_cpu_s"], 3),
        "profile_cpu_s": first["profile"],
        "load_avg_1m": round(os.getloadavg()[0], 1),
    }


@click.command("write")
@click.option("--feeds", default=200, show_default=True, help="Number of synthetic feeds.")
@click.option("--items", default=50, show_default=True, help="Items per feed.")
@click.option("--words", default=300, show_default=True, help="Words per item.")
@click.option("--group", default=50, show_default=True, help="Feeds per write transaction.")
@click.option("--database", metavar="URL",
              help="A PostgreSQL database to write into a scratch schema of (default: temp "
                   "SQLite).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object as the last line.")
def command(feeds: int, items: int, words: int, group: int, database: str | None,
            as_json: bool) -> None:
    """The store's write path: parsed synthetic feeds written in groups, twice."""
    if feeds <= 0 or items < 0 or words <= 0 or group <= 0:
        raise click.BadParameter("--feeds, --words and --group must be positive, "
                                 "--items not negative")
    result = run(feeds, items, words, group, database)
    if as_json:
        sys.stdout.write(json.dumps(result) + "\n")
    else:
        for key, value in result.items():
            click.echo(f"{key:>16}: {value}")
