"""`tidings bench write` runs end to end on a tiny load (correctness only; numbers live in
docs/benchmarks.md)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from tidings.benchmarks.write import command


def test_bench_write_stores_every_item_once_then_nothing() -> None:
    result = CliRunner().invoke(command, ["--feeds", "5", "--items", "4", "--words", "30",
                                          "--group", "2", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert data["database"] == "sqlite" and data["write_db_cpu_s"] is None
    assert (data["stored"], data["again_stored"]) == (20, 0)
    assert data["write_cpu_s"] > 0 and data["cpu_ms_per_item"] > 0
    assert data["profile_cpu_s"]["total"] >= 0


def test_bench_write_refuses_a_bad_group_and_a_non_postgresql_url() -> None:
    assert "--group" in CliRunner().invoke(command, ["--group", "0"]).output
    result = CliRunner().invoke(command, ["--feeds", "1", "--database", "mysql://x/y"])
    assert result.exit_code != 0 and "postgresql://" in result.output
