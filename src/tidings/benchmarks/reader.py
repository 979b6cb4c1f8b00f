"""``tidings bench reader``: the reader layer at 100 users × 200k articles.

A temporary store (SQLite, or ``--database postgresql://…`` in a scratch schema) gets 200
public outlets and ``--articles`` articles over 30 days in arrival order (a tenth of them wire
copies of an earlier article, ``duplicate_of``), then ``--users`` readers. Each reader follows
about 90% of the outlets, has read each source up to a point in its last 0.5–3% of articles
(a few thousand unread each, see ``BEHIND``), read 300 articles out of order above those
marks, marked 20 read ones unread again and starred 50 — through the operations API, as the
web and the sync APIs do.

Measured, on random readers: ``unread_ids`` — every unread id, as sync clients ask for it
(``stream/items/ids?xt=read&n=10000``); ``stream_contents`` — a page of 50 unread items with
their articles, source, folder and state; ``mark_all_read_s`` — marking the newest 10,000
articles of the reading list read in one call (all unread ones and the read ones below;
copies of wire stories included, as the default preference says; the median of three
readers); ``state_bytes_per_user`` — the bytes of ``subscriptions`` and
``article_states`` (tables and indexes) per reader, after the setup and before the marks.
"""

from __future__ import annotations

import contextlib
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from tidings.console import print_json, progress
from tidings.models import ClusterState, ExtractState
from tidings.operations import reading
from tidings.store import Store, open_store
from tidings.store.benchdb import bulk_load, scratch_postgres, set_read_marks, table_bytes
from tidings.store.streams import StreamQuery

WORDS = ("minister", "border", "talks", "market", "storm", "election", "court", "energy",
         "vote", "police", "budget", "strike", "council", "report", "summit", "climate",
         "health", "school", "rail", "bank", "trade", "coast", "city")
N_SOURCES = 200
UNREAD_IDS_LIMIT = 10_000
PAGE = 50
MARKED = 10_000
#: how far behind a reader is, per source: the last 0.5–3% of the month (about 1–5k unread)
BEHIND = (0.005, 0.03)


def _text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def build(store: Store, n_articles: int, rng: random.Random, now: datetime) -> None:
    span = timedelta(days=30)
    n_stories = n_articles // 3

    def articles() -> Iterator[dict[str, Any]]:
        for aid in range(1, n_articles + 1):
            published = now - span + span * (aid / n_articles)
            copy_of = rng.randint(max(1, aid - 500), aid - 1) if aid > 1 and rng.random() < 0.1 \
                else None
            text = _text(rng, 50)
            yield {"id": aid, "source_id": rng.randint(1, N_SOURCES), "feed_id": None,
                   "entry_key": f"k{aid}", "url": f"https://outlet.example/a/{aid}",
                   "title": _text(rng, 8), "published_at": published, "fetched_at": published,
                   "summary": text[:160], "content_text": text, "language": "en",
                   "story_id": 1 + aid * n_stories // (n_articles + 1), "duplicate_of": copy_of,
                   "extract_state": ExtractState.DONE, "cluster_state": ClusterState.DONE}

    bulk_load(
        store,
        source_rows=[{"id": i, "name": f"Outlet {i}", "url": f"https://outlet{i}.example",
                      "created_at": now - span} for i in range(1, N_SOURCES + 1)],
        feed_rows=[{"id": i, "source_id": i, "url": f"https://outlet{i}.example/feed.xml",
                    "created_at": now - span} for i in range(1, N_SOURCES + 1)],
        story_rows=[{"id": s, "title": f"Story {s}", "first_published_at": now - span,
                     "last_published_at": now - span, "created_at": now - span,
                     "updated_at": now - span} for s in range(1, n_stories + 1)],
        article_rows=articles())


def readers(store: Store, n_users: int, rng: random.Random, now: datetime,
            tick: Callable[[int, int], None]) -> list[int]:
    """Accounts with realistic reading states, through the operations API (the marks are
    set in bulk: reading a month of articles one by one would take the benchmark an hour)."""
    users: list[int] = []
    newest = store.articles.count()
    for n in range(n_users):
        user = store.users.create(f"reader{n}", "x", is_admin=False, now=now).id
        users.append(user)
        marks = []
        for source in range(1, N_SOURCES + 1):
            if rng.random() < 0.1:
                marks.append({"user_id": user, "source_id": source, "read_through": None})
            else:
                cut = int(newest * (1 - rng.uniform(*BEHIND)))
                marks.append({"user_id": user, "source_id": source, "read_through": cut})
        set_read_marks(store, marks)
        unread, _ = reading.stream_ids(store, user, StreamQuery(unread_only=True,
                                                                 limit=UNREAD_IDS_LIMIT))
        reading.set_read(store, user, rng.sample(unread, min(300, len(unread))))
        reading.set_read(store, user, [rng.randint(1, newest // 2) for _ in range(20)], False)
        reading.set_starred(store, user, [rng.randint(1, newest) for _ in range(50)], now=now)
        tick(n + 1, n_users)
    return users


def _percentiles(times: list[float], unit: str) -> dict[str, float]:
    times = sorted(times)
    return {f"p50_{unit}": round(statistics.median(times), 2),
            f"p99_{unit}": round(times[min(len(times) - 1, int(len(times) * 0.99))], 2)}


def _timed(samples: int, call: Callable[[], object], cpu: dict[str, Any], name: str
           ) -> dict[str, float]:
    """Wall-clock percentiles; the process's CPU time per call goes to ``cpu[name]`` (with
    SQLite all the work is in this process, so it shows the cost apart from a busy machine)."""
    wall, spent = [], []
    for _ in range(samples):
        started, cpu_started = time.perf_counter(), time.process_time()
        call()
        wall.append((time.perf_counter() - started) * 1000)
        spent.append((time.process_time() - cpu_started) * 1000)
    cpu[name] = _percentiles(spent, "cpu_ms")
    return _percentiles(wall, "ms")


def measure(store: Store, users: list[int], rng: random.Random, samples: int,
            now: datetime) -> dict[str, Any]:
    def unread_ids() -> object:
        return reading.stream_ids(store, rng.choice(users),
                                  StreamQuery(unread_only=True, limit=UNREAD_IDS_LIMIT))

    def page() -> object:
        return reading.stream(store, rng.choice(users),
                              StreamQuery(unread_only=True, limit=PAGE))

    def fever_items() -> object:
        """Fever's ``items&since_id=``: the next 50 of the reading list and ``total_items``
        (apps page through everything this way on their first sync)."""
        user = rng.choice(users)
        reading.stream(store, user, StreamQuery(oldest_first=True, limit=PAGE,
                                                continuation=str(rng.randrange(1, top))))
        return reading.count(store, user, StreamQuery())

    top = max(store.articles.count(), 2)
    state = table_bytes(store, ["subscriptions", "article_states"])
    unread_counts = [len(reading.stream_ids(store, u, StreamQuery(
        unread_only=True, limit=UNREAD_IDS_LIMIT))[0]) for u in users[:10]]
    cpu: dict[str, Any] = {}
    result: dict[str, Any] = {"unread_ids": _timed(samples, unread_ids, cpu, "unread_ids"),
                              "stream_contents": _timed(samples, page, cpu, "stream_contents"),
                              "fever_items": _timed(samples, fever_items, cpu, "fever_items")}
    marks, marks_cpu = [], []
    for user in rng.sample(users, 3):
        # the newest 10,000 of the reading list: every unread one and older, read ones
        newest = reading.stream_ids(store, user, StreamQuery(limit=MARKED))[0]
        started, cpu_started = time.perf_counter(), time.process_time()
        reading.set_read(store, user, newest)
        marks.append(time.perf_counter() - started)
        marks_cpu.append(time.process_time() - cpu_started)
    cpu["mark_10k_s"] = [round(m, 3) for m in marks_cpu]
    result["mark_all_read_s"] = round(statistics.median(marks), 3)
    result["state_bytes_per_user"] = round(state / len(users)) if state is not None else None
    result["details"] = {"unread_per_reader_sample": unread_counts,
                         "mark_10k_runs_s": [round(m, 3) for m in marks],
                         "state_rows": sum(store.read_state.state_rows(u) for u in users),
                         "cpu": cpu}
    return result


@contextlib.contextmanager
def _store_url(database: str | None) -> Iterator[str]:
    if database:
        with scratch_postgres(database) as url:
            yield url
        return
    with tempfile.TemporaryDirectory(prefix="tidings-bench-reader-") as tmp:
        yield f"sqlite:///{Path(tmp) / 'reader.db'}"


@click.command("reader")
@click.option("--users", default=100, show_default=True)
@click.option("--articles", default=200_000, show_default=True)
@click.option("--samples", default=300, show_default=True, help="Timed calls per measure.")
@click.option("--database", metavar="URL", help="A PostgreSQL server to use (scratch schema).")
@click.option("--seed", default=7, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Last line: one JSON object.")
def command(users: int, articles: int, samples: int, database: str | None, seed: int,
            as_json: bool) -> None:
    """Unread ids, a 50-item page, a Fever items call and 10,000 marks, at USERS readers ×
    ARTICLES."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    with _store_url(database) as url:
        store = open_store(url)
        try:
            started = time.monotonic()
            build(store, articles, rng, now)
            def tick(done: int, total: int) -> None:
                if not as_json and done % 10 == 0:
                    progress(f"readers {done}/{total}")

            accounts = readers(store, users, rng, now, tick)
            setup_s = time.monotonic() - started
            result = measure(store, accounts, rng, samples, now)
        finally:
            store.close()
    result["details"].update({"users": users, "articles": articles, "setup_s": round(setup_s, 1),
                              "database": "postgresql" if database else "sqlite"})
    main = {k: result[k] for k in ("unread_ids", "stream_contents", "fever_items",
                                   "mark_all_read_s", "state_bytes_per_user")}
    if not as_json:
        for key, value in result.items():
            click.echo(f"{key}: {value}")
    print_json({"details": result["details"]})
    print_json(main)
