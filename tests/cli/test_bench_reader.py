"""`tidings bench reader` runs end to end on a tiny load (correctness only; numbers live in
docs/benchmarks.md)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from tidings.benchmarks.reader import command


def test_bench_reader_tiny_run_reports_every_measure() -> None:
    result = CliRunner().invoke(command, ["--users", "3", "--articles", "300", "--samples", "3",
                                          "--json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.strip().splitlines()[-2:]]
    details, main = lines
    assert list(main) == ["unread_ids", "stream_contents", "fever_items", "mark_all_read_s",
                          "state_bytes_per_user"]
    for measure in ("unread_ids", "stream_contents", "fever_items"):
        assert 0 < main[measure]["p50_ms"] <= main[measure]["p99_ms"]
    assert details["details"]["articles"] == 300 and details["details"]["users"] == 3
    assert set(details["details"]["cpu"]) >= {"unread_ids", "stream_contents", "fever_items"}
