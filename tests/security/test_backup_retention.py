"""Backups that are consistent while writers run, safe restores, and retention that keeps
what stories and copies still point at."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from tidings.cli import cli
from tidings.errors import StorageError
from tidings.models import Source
from tidings.store import Store, open_store, retention
from tidings.store import backup as backups
from tidings.store.schema import articles, reads, stories

NOW = datetime(2026, 2, 15, 12, 0, tzinfo=UTC)


def _article(conn: sa.Connection, source_id: int, key: str, age_days: float, **values) -> int:  # type: ignore[no-untyped-def]
    when = NOW - timedelta(days=age_days)
    return int(conn.execute(articles.insert().values(
        source_id=source_id, entry_key=key, title=f"title {key}", published_at=when,
        fetched_at=when, content_text="text " * 20, **values).returning(articles.c.id)
    ).scalar_one())


def _story(conn: sa.Connection, age_days: float) -> int:
    when = NOW - timedelta(days=age_days)
    return int(conn.execute(stories.insert().values(
        title="s", first_published_at=when, last_published_at=when, created_at=when,
        updated_at=when).returning(stories.c.id)).scalar_one())


def _ids(store: Store) -> set[int]:
    with store.db.read() as conn:
        return set(conn.execute(sa.select(articles.c.id)).scalars())


# -- retention --------------------------------------------------------------------------------

def test_prune_keeps_first_reports_and_originals(store: Store) -> None:
    src = store.sources.add(Source(None, "A"), NOW).id
    other = store.sources.add(Source(None, "B"), NOW).id
    assert src is not None and other is not None
    with store.db.write() as conn:
        story = _story(conn, 40)
        first = _article(conn, src, "first", 40, story_id=story)
        later = _article(conn, src, "later", 39, story_id=story)
        fresh_in_story = _article(conn, other, "fresh", 1, story_id=story)
        original = _article(conn, src, "orig", 50)
        copy_old = _article(conn, other, "copy-old", 49, duplicate_of=original)
        orig2 = _article(conn, src, "orig2", 50)
        copy_fresh = _article(conn, other, "copy-fresh", 2, duplicate_of=orig2)
        plain_old = _article(conn, src, "plain", 45)
        plain_new = _article(conn, src, "new", 3)
        conn.execute(reads.insert().values(day="2026-01-01", visitor="v", article_id=plain_old,
                                           read_at=NOW - timedelta(days=45)))
    report = retention.prune(store, default_days=30, now=NOW)
    left = _ids(store)
    assert first in left, "the story's first report is kept"
    assert later not in left and plain_old not in left
    assert copy_old not in left and original not in left, "a copy goes, then its original"
    assert orig2 in left, "an original still named by a kept copy stays"
    assert {fresh_in_story, copy_fresh, plain_new} <= left
    assert report.deleted == 4 and report.kept_first_reports == 1
    with store.db.read() as conn:
        count = conn.execute(sa.select(stories.c.article_count)
                             .where(stories.c.id == story)).scalar_one()
        assert count == 2
        assert conn.execute(sa.select(sa.func.count()).select_from(reads)).scalar_one() == 0


def test_zero_days_keeps_everything_and_sources_override(store: Store) -> None:
    keep = store.sources.add(Source(None, "Archive"), NOW).id
    short = store.sources.add(Source(None, "Ephemeral"), NOW).id
    assert keep is not None and short is not None
    with store.db.write() as conn:
        a = _article(conn, keep, "a", 400)
        b = _article(conn, short, "b", 10)
        c = _article(conn, short, "c", 1)
    assert retention.prune(store, default_days=0, now=NOW).deleted == 0
    retention.set_source_days(store, short, 7)
    assert retention.prune(store, default_days=0, now=NOW).deleted == 1
    assert _ids(store) == {a, c}
    retention.set_source_days(store, keep, 365)
    dry = retention.prune(store, default_days=0, now=NOW, dry_run=True)
    assert dry.deleted == 1 and _ids(store) == {a, c}
    assert b not in _ids(store)


# -- backup and restore (SQLite) --------------------------------------------------------------

def _seed_file(tmp_path: Path, n: int) -> tuple[str, Store]:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    store = open_store(url)
    sid = store.sources.add(Source(None, "A"), NOW).id
    with store.db.write() as conn:
        for i in range(n):
            _article(conn, sid, f"k{i}", 1)  # type: ignore[arg-type]
    return url, store


def test_backup_is_consistent_while_writers_run(tmp_path: Path) -> None:
    url, store = _seed_file(tmp_path, 200)
    sid = store.sources.list()[0].id
    stop = threading.Event()
    written = [0]

    def writer() -> None:
        i = 0
        while not stop.is_set():
            with store.db.write() as conn:
                for _ in range(20):
                    _article(conn, sid, f"w{i}", 0)  # type: ignore[arg-type]
                    i += 1
            written[0] = i

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        results = [backups.backup(url, tmp_path / f"b{n}.db") for n in range(3)]
    finally:
        stop.set()
        thread.join()
    for result in results:
        check = sqlite3.connect(result.path)
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        count = check.execute("SELECT count(*) FROM articles").fetchone()[0]
        check.close()
        assert count >= 200 and (count - 200) % 20 == 0, "a whole number of transactions"
    assert written[0] > 0
    store.close()


def test_backup_refuses_to_overwrite(tmp_path: Path) -> None:
    url, store = _seed_file(tmp_path, 1)
    (tmp_path / "taken.db").write_bytes(b"keep me")
    with pytest.raises(StorageError):
        backups.backup(url, tmp_path / "taken.db")
    assert (tmp_path / "taken.db").read_bytes() == b"keep me"
    store.close()


def test_restore_checks_refuses_and_keeps_the_old_database(tmp_path: Path) -> None:
    url, store = _seed_file(tmp_path, 5)
    backups.backup(url, tmp_path / "five.db")
    sid = store.sources.list()[0].id
    with store.db.write() as conn:
        for i in range(5):
            _article(conn, sid, f"more{i}", 0)  # type: ignore[arg-type]
    store.close()
    with pytest.raises(StorageError, match="--force"):
        backups.restore(url, tmp_path / "five.db")
    corrupt = tmp_path / "corrupt.db"
    data = bytearray((tmp_path / "five.db").read_bytes())
    data[4096:8192] = b"\xff" * 4096
    corrupt.write_bytes(bytes(data))
    with pytest.raises(StorageError):
        backups.restore(url, corrupt, force=True)
    (tmp_path / "not.db").write_text("hello")
    with pytest.raises(StorageError):
        backups.restore(url, tmp_path / "not.db", force=True)
    result = backups.restore(url, tmp_path / "five.db", force=True)
    assert result.kept_aside and Path(result.kept_aside).exists()
    reopened = open_store(url)
    assert reopened.articles.count() == 5
    reopened.close()
    kept = open_store(f"sqlite:///{result.kept_aside}")
    assert kept.articles.count() == 10
    kept.close()


def test_cli_backup_and_restore_round_trip(tmp_path: Path) -> None:
    env = {"TIDINGS_HOME": str(tmp_path / "home")}
    runner = CliRunner()
    assert runner.invoke(cli, ["user", "create", "ops", "--admin", "--password", "pw123456!"],
                         env=env).exit_code == 0
    out = runner.invoke(cli, ["backup", str(tmp_path / "b.db"), "--json"], env=env)
    assert out.exit_code == 0 and '"bytes"' in out.output
    assert runner.invoke(cli, ["user", "delete", "ops"], env=env).exit_code == 0
    refused = runner.invoke(cli, ["restore", str(tmp_path / "b.db")], env=env)
    assert refused.exit_code != 0 or "ops" in runner.invoke(cli, ["user", "list"], env=env).output
    done = runner.invoke(cli, ["restore", "--force", str(tmp_path / "b.db")], env=env)
    assert done.exit_code == 0, done.output
    assert "ops" in runner.invoke(cli, ["user", "list"], env=env).output


def test_postgres_backup_gives_guidance_or_a_dump(pg_url: str, tmp_path: Path) -> None:
    import shutil

    store = open_store(pg_url)
    store.close()
    target = tmp_path / "pg.dump"
    if shutil.which("pg_dump") is None:
        with pytest.raises(StorageError, match="pg_dump"):
            backups.backup(pg_url, target)
    else:
        try:
            result = backups.backup(pg_url, target)
        except StorageError as exc:  # e.g. a client older than the server
            assert "pg_dump" in str(exc) and "\n" not in str(exc)
        else:
            assert result.bytes > 0
