"""Parsing in a process beside the fetching one: same rows, same errors, no lost refresh
when a child dies, no child left behind when the parent is killed."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tidings.config import Settings
from tidings.errors import ConfigError, ParseError
from tidings.ingest.parsing import AUTO_MIN_FEEDS, ParsePool, parse_rows, planned_processes
from tidings.ingest.pipeline import refresh
from tidings.models import Feed, Source
from tidings.store import Store, open_store

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
FEED = Feed(id=7, source_id=3, url="https://site.example/feed")


def rss(items: list[tuple[str, str]]) -> str:
    body = "".join(f"<item><guid>{guid}</guid><title>{title}</title>"
                   f"<link>https://site.example/{guid}?utm_source=rss</link>"
                   f"<pubDate>Fri, 04 Dec 2026 10:00:00 +0000</pubDate>"
                   f"<description>&lt;p&gt;Body of {title}&lt;/p&gt;</description></item>"
                   for guid, title in items)
    return f"<rss version='2.0'><channel><title>Site</title>{body}</channel></rss>"


def subscribe(store: Store, url: str, name: str) -> Feed:
    source = store.sources.add(Source(id=None, name=name, url=url), NOW)
    return store.feeds.add(Feed(id=None, source_id=source.id, url=url), NOW)


DOC = rss([("a", "A &amp; B"), ("b", "<b>Bold</b> title")]).encode()


@pytest.fixture
def pool(settings: Settings) -> Iterator[ParsePool]:
    with ParsePool(settings.replace(parse_processes="1")) as started:
        started.start()
        assert started.pids and not started.broken
        yield started


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead too (its parent has not reaped it yet)
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (OSError, IndexError):
        return True


def _wait_gone(pids: list[int], seconds: float = 20.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = [pid for pid in pids if _alive(pid)]
        if not left:
            return []
        time.sleep(0.1)
    return [pid for pid in pids if _alive(pid)]


def test_auto_means_one_process_with_a_second_cpu_and_zero_means_a_thread() -> None:
    assert planned_processes("auto", 1) == (0, True)
    assert planned_processes("auto", 2) == (1, True)
    assert planned_processes("auto", 16) == (1, True)
    assert planned_processes("0", 8) == (0, False)
    assert planned_processes(" 3 ", 1) == (3, False)
    for bad in ("-1", "many", "1.5", "65"):
        with pytest.raises(ConfigError, match="TIDINGS_PARSE_PROCESSES"):
            Settings.from_dict({"parse_processes": bad})


def test_auto_starts_no_process_for_a_small_refresh(settings: Settings) -> None:
    with ParsePool(settings, cpus=2) as auto:
        assert not auto.begin(AUTO_MIN_FEEDS - 1) and auto.pids == []
    with ParsePool(settings, cpus=1) as single:
        assert not single.begin(10_000)


def test_every_one_of_several_processes_is_counted(settings: Settings) -> None:
    """Each process answers for itself, even when one is busy and the others would answer
    every question (as a process still starting does)."""
    with ParsePool(settings.replace(parse_processes="3")) as several:
        several.start()
        assert len(several.pids) == 3 and not several.broken
        assert several._pool is not None
        busy = several._pool.submit(time.sleep, 0.5)
        assert sorted(several._ask_each(several._pool, timeout=30)) == several.pids
        busy.result()
        usage = several.usage()
        assert usage is not None and usage[0] > 0 and usage[1] > 0
        pids = list(several.pids)
    assert _wait_gone(pids) == []


def test_a_process_parses_exactly_what_the_thread_parses(pool: ParsePool) -> None:
    here = parse_rows(DOC, FEED.url, None, FEED, NOW)
    there = asyncio.run(pool.parse(DOC, FEED.url, None, FEED, NOW))
    assert there.rows == here.rows and there.published == here.published
    assert there.parsed.title == here.parsed.title and there.parsed.entries == []
    assert [r.title for r in there.rows] == ["A & B", "Bold title"]


def test_a_parse_error_in_the_child_is_the_same_one_line_error(pool: ParsePool) -> None:
    page = b"<html><body>no feed</body></html>"
    with pytest.raises(ParseError) as here:
        parse_rows(page, FEED.url, None, FEED, NOW)
    with pytest.raises(ParseError) as there:
        asyncio.run(pool.parse(page, FEED.url, None, FEED, NOW))
    assert str(there.value) == str(here.value) and "\n" not in str(there.value)
    assert not pool.broken


def test_a_killed_child_sends_the_rest_to_the_thread(pool: ParsePool) -> None:
    os.kill(pool.pids[0], signal.SIGKILL)
    assert _wait_gone(pool.pids) == []
    done = [asyncio.run(pool.parse(DOC, FEED.url, None, FEED, NOW)) for _ in range(3)]
    assert pool.broken and all(len(d.rows) == 2 and d.parsed.entries for d in done)


def test_a_refresh_whose_child_dies_stores_every_feed(
        store: Store, settings: Settings, feed_server) -> None:  # type: ignore[no-untyped-def]
    for i in range(20):
        subscribe(store, feed_server.add(f"/f{i}", rss([(f"{i}-{j}", f"T{i}-{j}")
                                                        for j in range(5)])), f"S{i}")
    with ParsePool(settings.replace(parse_processes="1")) as parser:
        parser.start()
        os.kill(parser.pids[0], signal.SIGKILL)
        report = refresh(store, settings, parser=parser)
        assert parser.broken
        assert report.errors == [] and report.new_articles == 100
        assert store.articles.count() == 100
        # the next refresh starts a fresh child and uses it
        feed_server.add("/f0", rss([("0-new", "New")]))
        again = refresh(store, settings, parser=parser)
        assert not parser.broken and parser.pids and again.new_articles == 1
    items, _ = store.articles.latest(limit=200)
    assert "New" in {a.title for a in items}


def test_refreshes_with_and_without_the_process_store_the_same(
        tmp_path: Path, settings: Settings, feed_server) -> None:  # type: ignore[no-untyped-def]
    urls = [feed_server.add(f"/g{i}", rss([(f"{i}-{j}", f"Title {i} {j} &amp; more")
                                           for j in range(4)])) for i in range(17)]
    stored = []
    for processes in ("0", "auto"):
        store = open_store(f"sqlite:///{tmp_path / f'{processes}.db'}")
        try:
            for i, url in enumerate(urls):
                subscribe(store, url, f"S{i}")
            mode = settings.replace(parse_processes=processes)
            with ParsePool(mode, cpus=2) as parser:
                report = refresh(store, mode, parser=parser, now=NOW)
                assert bool(parser.pids) == (processes == "auto")
            assert report.errors == [] and report.new_articles == 17 * 4
            items, _ = store.articles.latest(limit=100)
            stored.append(sorted((a.entry_key, a.title, a.canonical_url, a.summary,
                                  a.content_html, a.published_at) for a in items))
        finally:
            store.close()
    assert stored[0] == stored[1]


PARENT = """
import sys, time
from tidings.config import Settings
from tidings.ingest.parsing import ParsePool
pool = ParsePool(Settings.from_dict({"home": sys.argv[1], "parse_processes": "2"}))
pool.start()
print(" ".join(str(pid) for pid in pool.pids), flush=True)
time.sleep(600)
"""


def test_a_killed_parent_leaves_no_parse_process_behind(tmp_path: Path) -> None:
    src = str(Path(__file__).resolve().parents[2] / "src")
    env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
    with subprocess.Popen([sys.executable, "-c", PARENT, str(tmp_path)], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True) as parent:
        try:
            assert parent.stdout is not None
            pids = [int(pid) for pid in parent.stdout.readline().split()]
            assert len(pids) == 2 and all(_alive(pid) for pid in pids)
        finally:
            parent.send_signal(signal.SIGKILL)
            parent.wait()
    assert _wait_gone(pids) == []


def test_the_worker_loop_starts_its_parse_process_once_and_stores_every_feed(
        tmp_path: Path, settings: Settings, feed_server,  # type: ignore[no-untyped-def]
        monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from tidings.worker.loop import work

    started: list[int] = []
    real_start = ParsePool._start

    def counted(self: ParsePool) -> None:
        real_start(self)
        started.extend(self.pids)

    monkeypatch.setattr(ParsePool, "_start", counted)
    store = open_store(f"sqlite:///{tmp_path / 'worker.db'}")
    try:
        for i in range(AUTO_MIN_FEEDS + 2):
            subscribe(store, feed_server.add(f"/w{i}", rss([(f"w{i}-{j}", f"W{i} {j}")
                                                            for j in range(3)])), f"W{i}")
        # one host here: its limit raised so that they are all in flight at once
        totals = work(store, settings.replace(parse_processes="auto", per_host_concurrency=32),
                      concurrency=AUTO_MIN_FEEDS + 2, once=True, stages=("fetch",),
                      stop=threading.Event())
        assert totals["new_articles"] == (AUTO_MIN_FEEDS + 2) * 3
        assert store.articles.count() == (AUTO_MIN_FEEDS + 2) * 3
    finally:
        store.close()
    if len(os.sched_getaffinity(0)) >= 2:  # auto: one process, started once
        assert len(started) == 1 and _wait_gone(started) == []
