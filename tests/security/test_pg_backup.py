"""``tidings backup`` / ``tidings restore`` on PostgreSQL: pg_dump in, pg_restore back out.

Runs the real client tools against the test server's own database (127.0.0.1 only); skipped
when the tools are missing or too old for the server (the backup then says so in one line).
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from tidings.cli import cli
from tidings.errors import StorageError
from tidings.models import Source
from tidings.store import backup as backups
from tidings.store import open_store
from tidings.store.schema import articles

NOW = datetime(2026, 2, 15, 12, 0, tzinfo=UTC)


def _titles(url: str) -> list[str]:
    store = open_store(url)
    try:
        with store.db.read() as conn:
            return sorted(conn.execute(sa.select(articles.c.title)).scalars())
    finally:
        store.close()


@pytest.mark.skipif(shutil.which("pg_dump") is None or shutil.which("pg_restore") is None,
                    reason="pg_dump/pg_restore not installed")
def test_postgres_backup_delete_restore_round_trip(pg_url: str, tmp_path: Path) -> None:
    store = open_store(pg_url)
    source_id = store.sources.add(Source(None, "Wire"), NOW).id
    with store.db.write() as conn:
        for n in range(3):
            conn.execute(articles.insert().values(
                source_id=source_id, entry_key=f"k{n}", title=f"title {n}", published_at=NOW,
                fetched_at=NOW, content_text="text"))
    store.close()
    env = {"TIDINGS_HOME": str(tmp_path / "home"), "TIDINGS_DATABASE_URL": pg_url}
    runner = CliRunner()
    dump = tmp_path / "pg.dump"
    made = runner.invoke(cli, ["backup", str(dump), "--json"], env=env)
    if made.exit_code != 0 and "version mismatch" in str(made.exception):
        pytest.skip(str(made.exception))  # a client older than the server
    assert made.exit_code == 0, made.output
    assert dump.stat().st_size > 0

    store = open_store(pg_url)
    with store.db.write() as conn:
        conn.execute(articles.delete())
    store.close()
    assert _titles(pg_url) == []

    refused = runner.invoke(cli, ["restore", str(dump)], env=env)
    # (the CLI's main turns this error into one line; the runner hands back the exception)
    assert refused.exit_code != 0 and "--force" in str(refused.exception)
    assert "\n" not in str(refused.exception) and _titles(pg_url) == []

    done = runner.invoke(cli, ["restore", "--force", str(dump)], env=env)
    assert done.exit_code == 0, done.output
    assert "restored" in done.output and "@" in done.output.split(" into ", 1)[1]
    assert _titles(pg_url) == ["title 0", "title 1", "title 2"]
    # the restored store is usable: new rows get fresh ids after the restored ones
    store = open_store(pg_url)
    try:
        with store.db.write() as conn:
            conn.execute(articles.insert().values(
                source_id=source_id, entry_key="k9", title="after", published_at=NOW,
                fetched_at=NOW, content_text="text"))
    finally:
        store.close()
    assert len(_titles(pg_url)) == 4


def test_postgres_restore_of_a_file_that_is_no_dump_is_one_line(pg_url: str,
                                                                tmp_path: Path) -> None:
    if shutil.which("pg_restore") is None:
        pytest.skip("pg_restore not installed")
    bogus = tmp_path / "not.dump"
    bogus.write_text("hello")
    env = {"TIDINGS_HOME": str(tmp_path / "home"), "TIDINGS_DATABASE_URL": pg_url}
    out = CliRunner().invoke(cli, ["restore", "--force", str(bogus)], env=env)
    assert out.exit_code != 0
    assert "not a pg_dump" in str(out.exception) and "\n" not in str(out.exception)


@pytest.mark.skipif(shutil.which("pg_dump") is None or shutil.which("pg_restore") is None,
                    reason="pg_dump/pg_restore not installed")
def test_postgres_restore_refuses_a_backup_from_a_newer_schema(pg_url: str,
                                                               tmp_path: Path) -> None:
    store = open_store(pg_url)
    store.sources.add(Source(None, "Wire"), NOW)
    with store.db.write() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999_future'"))
    store.close()
    dump = tmp_path / "future.dump"
    try:
        backups.backup(pg_url, dump)
    except StorageError as exc:
        pytest.skip(str(exc))  # e.g. a client older than the server
    with pytest.raises(StorageError, match="newer tidings") as info:
        backups.restore(pg_url, dump, force=True)
    assert "\n" not in str(info.value)
    # nothing was replaced: the live database still holds its source
    engine = sa.create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT name FROM sources")).scalars().all() == ["Wire"]
    finally:
        engine.dispose()
