"""`tidings bench ingest` runs end to end on a tiny load (correctness only; numbers live in
docs/benchmarks.md)."""

from __future__ import annotations

import json

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
                          "unchanged_fetch_s", "peak_rss_mb"]
    assert data["feeds"] == 3 and data["items"] == 12
    assert "the server answered 3 with 304" in result.stderr


def test_synthetic_feeds_parse_with_the_requested_size() -> None:
    from datetime import UTC, datetime

    feed = parse_feed(synthetic_feed(7, 5, 300, datetime.now(UTC)), "http://x/feed")
    assert len(feed.entries) == 5 and len({e.key for e in feed.entries}) == 5
    words = len((feed.entries[0].content_text or "").split())
    assert 290 <= words <= 310
