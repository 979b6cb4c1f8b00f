"""The stage table: complete, and the one path every front end takes to run a stage."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from tidings.cli import main
from tidings.config import Settings
from tidings.errors import UnknownStageError
from tidings.models import Feed, Source
from tidings.operations import pipeline as operations
from tidings.store import Store
from tidings.store.locks import exclusive
from tidings.store.schema import articles
from tidings.worker import stages
from tidings.worker.loop import run_forever, work
from tidings.worker.stages import CLUSTER, EXTRACT, FETCH, INDEX, PUBLISH, STAGES, WEBSUB

FEED = ("<rss version='2.0'><channel><title>Wire</title><link>https://wire.example/</link>"
        "<item><guid>1</guid><title>Quake hits the coast</title>"
        "<description>A strong quake hit the coast today.</description></item></channel></rss>")

Calls = list[tuple[str, "int | None", bool]]


def pending(store: Store, n: int) -> None:
    """``n`` stored articles of a source that never fetches pages: no network needed."""
    now = datetime.now(UTC)
    source = store.sources.add(Source(None, "Wire", fulltext="never"), now)
    with store.db.write() as conn:
        for i in range(n):
            conn.execute(articles.insert().values(
                source_id=source.id, entry_key=f"k{i}", title=f"Quake hits the coast {i}",
                published_at=now, fetched_at=now, content_text="A strong quake hit. " * 30))


def states(store: Store) -> set[tuple[str, str]]:
    with store.db.read() as conn:
        return {(r.extract_state, r.cluster_state) for r in conn.execute(articles.select())}


def test_the_table_declares_every_stage_once(sqlite_store: Store, settings: Settings) -> None:
    assert stages.NAMES == ("fetch", "extract", "cluster", "index", "websub", "publish") == tuple(
        s.name for s in STAGES)
    assert (FETCH, EXTRACT, CLUSTER, INDEX, WEBSUB, PUBLISH) == STAGES
    assert [s.name for s in STAGES if s.queued] == ["extract", "cluster", "index", "websub",
                                                    "publish"]
    assert FETCH.lock is None  # leases share the feeds out instead
    locks = {EXTRACT.lock, CLUSTER.lock, INDEX.lock, WEBSUB.lock, PUBLISH.lock}
    assert len(locks) == 5 and None not in locks
    assert all(callable(s.runner) and s.run_limit > 0 for s in STAGES)
    totals = work(sqlite_store, settings, concurrency=1, once=True, stages=(),
                  stop=threading.Event())
    assert {s.counter for s in STAGES} <= set(totals)


def test_unknown_stage_names_are_a_clear_error(sqlite_store: Store, settings: Settings,
                                               tmp_path: Path) -> None:
    with pytest.raises(UnknownStageError, match=r"unknown stage 'fulltext' \(known: fetch, "
                                                r"extract, cluster, index, websub, publish\)"):
        stages.get("fulltext")
    with pytest.raises(UnknownStageError, match="unknown stage 'fulltext'"):
        operations.run_stage(sqlite_store, settings, "fulltext")
    with pytest.raises(UnknownStageError, match="unknown stage 'nope'"):
        work(sqlite_store, settings, concurrency=1, once=True, stages=("fetch", "nope"),
             stop=threading.Event())
    env = {"TIDINGS_HOME": str(tmp_path / "home"), "TIDINGS_DATABASE_URL": ""}
    with CliRunner().isolation(env=env) as (_out, err, _), pytest.raises(SystemExit) as ended:
        main(["worker", "--once", "--stage", "fulltext"])
    assert ended.value.code == 2
    assert ("'fulltext' is not one of 'fetch', 'extract', 'cluster', 'index', 'websub', "
            "'publish'"
            in err.getvalue().decode())


def test_the_worker_runs_the_queued_stages_by_name(sqlite_store: Store, settings: Settings,
                                                   stage_calls: Calls) -> None:
    pending(sqlite_store, 3)
    totals = work(sqlite_store, settings, concurrency=1, once=True,
                  stages=("cluster", "extract"), stop=threading.Event())
    assert stage_calls[:2] == [("extract", None, True), ("cluster", None, True)]  # pipeline order
    assert (totals["extracted"], totals["clustered"]) == (3, 3)
    assert states(sqlite_store) == {("skipped", "done")}


def test_operations_run_one_stage_within_its_limit(sqlite_store: Store, settings: Settings,
                                                   stage_calls: Calls) -> None:
    pending(sqlite_store, 3)
    message = operations.pipeline_action(sqlite_store, settings, "run-extract")
    assert message == "Extraction handled 3 article(s)."
    assert operations.run_stage(sqlite_store, settings, "cluster", limit=2) == 2
    assert stage_calls == [("extract", EXTRACT.run_limit, False), ("cluster", 2, False)]


def test_tidings_fetch_runs_the_queued_stages_after_fetching(tmp_path: Path, stage_calls: Calls,
                                                             feed_server) -> None:  # type: ignore[no-untyped-def]
    url = feed_server.add("/feed", FEED)
    env = {"TIDINGS_HOME": str(tmp_path / "home"), "TIDINGS_ALLOW_PRIVATE": "1",
           "TIDINGS_DATABASE_URL": ""}
    runner = CliRunner()
    with runner.isolation(env=env) as (out, _err, _):
        main(["add", url, "--fulltext", "never"])
        assert stage_calls == []
        feed_server.add("/feed", FEED.replace("<guid>1</guid>", "<guid>2</guid>"))
        main(["fetch"])
    assert [name for name, _limit, _wait in stage_calls] == ["extract", "cluster", "index",
                                                                 "websub", "publish"]
    assert out.getvalue().decode().splitlines()[-1].endswith(
        "; extract: 2, cluster: 2, index: 2, websub: 0, publish: 0")


def test_serves_background_loop_runs_every_stage(sqlite_store: Store, settings: Settings,
                                                 stage_calls: Calls, feed_server) -> None:  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)
    source = sqlite_store.sources.add(Source(None, "Wire", fulltext="never"), now)
    sqlite_store.feeds.add(Feed(None, source.id, feed_server.add("/feed", FEED)), now)
    stop = threading.Event()
    thread = threading.Thread(target=run_forever, args=(sqlite_store, settings, stop))
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while states(sqlite_store) != {("skipped", "done")} and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(timeout=15)
    assert states(sqlite_store) == {("skipped", "done")}
    assert {"extract", "cluster"} <= {name for name, _limit, _wait in stage_calls}
    assert all(not wait for _name, _limit, wait in stage_calls)  # never queues behind a holder


@pytest.fixture
def held_elsewhere(sqlite_store: Store) -> Iterator[threading.Event]:
    """The extraction lock, held by another thread until the event is set."""
    taken, release = threading.Event(), threading.Event()

    def hold() -> None:
        with exclusive(sqlite_store.db, EXTRACT.lock or ""):
            taken.set()
            release.wait(20)

    holder = threading.Thread(target=hold)
    holder.start()
    assert taken.wait(10)
    try:
        yield release
    finally:
        release.set()
        holder.join(10)


def test_a_stage_held_elsewhere_is_skipped_or_waited_for(sqlite_store: Store, settings: Settings,
                                                         held_elsewhere: threading.Event) -> None:
    pending(sqlite_store, 2)
    assert stages.run_stage(EXTRACT, sqlite_store, settings, wait=False) is None
    assert operations.pipeline_action(sqlite_store, settings, "run-extract") == (
        "Extraction is already running elsewhere; it will handle the queue.")
    result: list[int | None] = []
    waiter = threading.Thread(target=lambda: result.append(
        stages.run_stage("extract", sqlite_store, settings, wait=True)))
    waiter.start()
    time.sleep(0.2)
    assert result == []  # queued behind the holder
    held_elsewhere.set()
    waiter.join(10)
    assert result == [2]


def test_the_fetch_stage_runs_once_by_name_through_leases(sqlite_store: Store,
                                                          settings: Settings,
                                                          feed_server) -> None:  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)
    source = sqlite_store.sources.add(Source(None, "Wire", fulltext="never"), now)
    sqlite_store.feeds.add(Feed(None, source.id, feed_server.add("/feed", FEED)), now)
    assert operations.run_stage(sqlite_store, settings, "fetch") == 1  # the one due feed
    assert sqlite_store.articles.count() == 1
    assert operations.run_stage(sqlite_store, settings, "fetch") == 0  # not due again yet
    assert sqlite_store.leases.active(datetime.now(UTC)) == []  # leases given back
