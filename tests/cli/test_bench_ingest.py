"""`tidings bench ingest` runs end to end on a tiny load (correctness only; numbers live in
docs/benchmarks.md)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tidings.benchmarks._synthetic import synthetic_feed
from tidings.benchmarks.ingest import command
from tidings.parse.feed import parse_feed


def test_bench_ingest_tiny_run() -> None:
    result = CliRunner().invoke(command, ["--feeds", "3", "--items", "4", "--words", "30",
                                          "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert list(data) == ["feeds", "items", "first_fetch_s", "items_per_s",
                          "unchanged_fetch_s", "peak_rss_mb", "parse_processes",
                          "parse_peak_rss_mb"]
    assert data["feeds"] == 3 and data["items"] == 12
    assert "the server answered 3 with 304" in result.stderr
    # auto: three feeds are too few for a parse process
    assert data["parse_processes"] == 0 and data["parse_peak_rss_mb"] is None


def test_bench_ingest_with_a_parse_process_reports_its_memory_and_cpu() -> None:
    result = CliRunner().invoke(command, ["--feeds", "3", "--items", "4", "--words", "30",
                                          "--parse-processes", "1", "--floor", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert data["items"] == 12 and data["parse_processes"] == 1
    assert data["parse_peak_rss_mb"] > 0 and data["first_fetch_parse_cpu_s"] > 0
    assert "the server answered 3 with 304" in result.stderr


def test_bench_ingest_refuses_a_bad_parse_process_count() -> None:
    result = CliRunner().invoke(command, ["--feeds", "3", "--parse-processes", "many"])
    assert result.exit_code != 0 and "TIDINGS_PARSE_PROCESSES" in result.output


def test_bench_ingest_language_is_what_the_feeds_declare(monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    from datetime import UTC, datetime

    feed = parse_feed(synthetic_feed(1, 2, 30, datetime.now(UTC), "pt-BR"), "http://x/feed")
    assert {e.language for e in feed.entries} == {"pt-br"}  # the parser lowercases codes
    refused = CliRunner().invoke(command, ["--feeds", "3", "--language", "en<x/>"])
    assert refused.exit_code != 0 and "--language" in refused.output
    asked: list[str] = []

    def run_bench(*args: object, language: str, **kw: object) -> dict[str, object]:
        asked.append(language)
        return {}

    monkeypatch.setattr("tidings.benchmarks.ingest.run_bench", run_bench)
    assert CliRunner().invoke(command, ["--feeds", "3", "--language", "pl"]).exit_code == 0
    assert asked == ["pl"]


def test_synthetic_feeds_parse_with_the_requested_size() -> None:
    from datetime import UTC, datetime

    feed = parse_feed(synthetic_feed(7, 5, 300, datetime.now(UTC)), "http://x/feed")
    assert len(feed.entries) == 5 and len({e.key for e in feed.entries}) == 5
    words = len((feed.entries[0].content_text or "").split())
    assert 290 <= words <= 310


def test_bench_ingest_floor_adds_keys_and_keeps_the_contract() -> None:
    result = CliRunner().invoke(command, ["--feeds", "3", "--items", "4", "--words", "30",
                                          "--floor", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert list(data)[:6] == ["feeds", "items", "first_fetch_s", "items_per_s",
                              "unchanged_fetch_s", "peak_rss_mb"]
    assert data["items"] == 12 and data["floor_items"] == 12
    # both times are rounded to the millisecond before they are printed
    assert data["floor_ratio"] == pytest.approx(data["first_fetch_s"] / data["floor_s"], rel=0.1)
    assert data["database"] == "sqlite" and data["first_fetch_db_cpu_s"] is None
    # storing only queues for search; the index stage, timed on its own, indexes every item
    assert data["index_items"] == 12 and data["index_db_cpu_s"] is None
    assert data["index_cpu_ms_per_item"] == pytest.approx(data["index_cpu_s"] * 1000 / 12,
                                                          abs=0.05)
    profile = data["profile_cpu_s"]
    assert set(profile) == {"tidings_first", "tidings_unchanged", "floor"}
    # the floor neither sanitizes nor checks duplicates; tidings does both
    assert "sanitize" not in profile["floor"] and "dedup" not in profile["floor"]
    assert profile["tidings_first"]["total"] > 0


def test_floor_table_has_the_article_tables_indexes() -> None:
    from tidings.store.benchdb import floor_table
    from tidings.store.schema import articles

    def shapes(table: object) -> set[tuple[str, ...]]:
        return {tuple(c.name for c in index.columns) for index in table.indexes}  # type: ignore[attr-defined]

    floor = floor_table()
    assert shapes(floor) == shapes(articles)
    assert {c.name for c in floor.columns} == {c.name for c in articles.columns}
    assert not floor.foreign_keys


def test_cpu_profile_charges_a_busy_thread_to_its_stage() -> None:
    import threading

    from tidings.benchmarks._cpuprofile import CpuProfile
    from tidings.sanitize import sanitize_html

    html = "<p>" + "word <b>bold</b> " * 2000 + "</p><script>x()</script>"
    stop = threading.Event()

    def busy() -> None:
        while not stop.is_set():
            sanitize_html(html)

    with CpuProfile() as profile:
        worker = threading.Thread(target=busy)
        worker.start()
        stop.wait(0.3)
        stop.set()
        worker.join()
    assert profile.seconds.get("sanitize", 0.0) > 0.5 * sum(profile.seconds.values())
