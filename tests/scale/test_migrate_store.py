"""`tidings migrate-store`: SQLite → PostgreSQL without loss, verified by counts and checksums."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from tidings.errors import StorageError
from tidings.models import Entry, Feed, NewArticle, Source
from tidings.store import Store, open_store
from tidings.store.copy import copy_store, plan
from tidings.store.schema import articles, meta, reads, stories, users

NOW = datetime(2026, 2, 15, 11, 0, 0, 123456, tzinfo=UTC)


def _fill(store: Store) -> None:
    """Rows in the core tables, including links that point forward and into the same table."""
    source = store.sources.add(Source(None, "Zeitung «Ü»", "https://z.example", language="de"),
                               NOW)
    feed = store.feeds.add(Feed(None, source.id, "https://z.example/rss", etag='W/"x"'), NOW)
    assert feed.id is not None and source.id is not None
    entries = [Entry(key=f"k{i}", guid=f"k{i}", url=f"https://z.example/{i}",
                     title=f"Nachricht {i} — 東京 ✓", published_at=NOW - timedelta(hours=i),
                     content_text="Text\nmit Zeilen " * i, summary=None if i % 2 else "s")
               for i in range(25)]
    rows = [NewArticle.from_entry(e, feed_id=feed.id, source_id=source.id, now=NOW)
            for e in entries]
    with store.db.write() as conn:
        ids = store.articles.insert_many(conn, rows)
        story_ids = [conn.execute(stories.insert().values(
            title=f"Story {i}", created_at=NOW, updated_at=NOW, score=0.1 * i,
            first_published_at=NOW, last_published_at=NOW)).inserted_primary_key[0]
            for i in range(3)]
        # an older story merged into a newer one: the link points forward
        conn.execute(stories.update().where(stories.c.id == story_ids[0])
                     .values(merged_into=story_ids[2]))
        for n, article_id in enumerate(ids):
            conn.execute(articles.update().where(articles.c.id == article_id).values(
                story_id=story_ids[n % 3], views=n * 7,
                duplicate_of=ids[-1] if n == 0 else None))  # a copy pointing forward
        conn.execute(reads.insert(), [{"day": "2026-02-15", "visitor": f"v{i}",
                                       "article_id": ids[i], "read_at": NOW} for i in range(5)])
        conn.execute(users.insert().values(name="admin", password_hash="x", is_admin=True,
                                           created_at=NOW))
        conn.execute(meta.insert().values(key="cache_version", value="42"))
    store.leases.claim("w", limit=1, lease_seconds=60, per_host=2, now=NOW)


def test_round_trip_sqlite_to_postgresql(tmp_path: Path, pg_url: str) -> None:
    source = open_store(f"sqlite:///{tmp_path / 'src.db'}")
    _fill(source)
    target = open_store(pg_url)
    result = copy_store(source, target, force=False, batch=7)  # several batches per table
    assert result["ok"], result
    assert result["tables"]["articles"]["rows"] == 25
    assert result["tables"]["stories"]["rows"] == 3
    assert result["tables"]["reads"]["rows"] == 5
    plans, _ = plan(source.db.engine, target.db.engine)
    assert {p.name for p in plans} >= {"sources", "feeds", "articles", "stories", "reads",
                                       "users", "meta", "host_slots"}
    with source.db.read() as conn:
        first = conn.execute(articles.select().order_by(articles.c.id)).mappings().all()
    with target.db.read() as conn:
        copied = conn.execute(articles.select().order_by(articles.c.id)).mappings().all()
        merged = conn.execute(sa.select(stories.c.merged_into).where(stories.c.id == 1)).scalar()
    assert [dict(r) for r in copied] == [dict(r) for r in first]
    assert merged == 3
    assert copied[0]["published_at"] == NOW  # microseconds and zone survive
    # sequences continue after the copied ids
    new = target.sources.add(Source(None, "After the move"), NOW)
    assert new.id == 2
    # a second copy into the now non-empty target is refused, unless forced
    with pytest.raises(StorageError, match="not empty"):
        copy_store(source, target, force=False, batch=100)
    again = copy_store(source, target, force=True, batch=100)
    assert again["ok"] and again["tables"]["sources"]["rows"] == 1
    source.close()
    target.close()


def test_checksums_catch_a_difference(tmp_path: Path, pg_url: str) -> None:
    from tidings.store.copy import _verify

    source = open_store(f"sqlite:///{tmp_path / 'src.db'}")
    _fill(source)
    target = open_store(pg_url)
    copy_store(source, target, force=False, batch=100)
    with target.db.write() as conn:
        conn.execute(articles.update().where(articles.c.id == 3).values(title="changed"))
    plans, _ = plan(source.db.engine, target.db.engine)
    with target.db.read() as conn:
        copied = {p.name: int(conn.execute(sa.select(sa.func.count())
                                           .select_from(p.table)).scalar_one()) for p in plans}
    result = _verify(source, target, plans, copied)
    assert result["mismatched"] == ["articles"]
    source.close()
    target.close()


def test_command_line_reports_and_exits(tmp_path: Path, pg_url: str) -> None:
    source = open_store(f"sqlite:///{tmp_path / 'src.db'}")
    _fill(source)
    source.close()
    env = {**os.environ, "TIDINGS_HOME": str(tmp_path / "home")}
    args = [sys.executable, "-c", "from tidings.cli import main; main()", "migrate-store",
            "--from", f"sqlite:///{tmp_path / 'src.db'}", "--to", pg_url]
    done = subprocess.run([*args, "--json"], capture_output=True, text=True, env=env,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "articles: 25 rows" in done.stderr
    assert '"ok": true' in done.stdout.splitlines()[-1]
    refused = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines()[-1].startswith("tidings: error: the target is")
    assert "Traceback" not in refused.stderr


def test_a_missing_source_is_refused_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "x.db"
    done = subprocess.run(
        [sys.executable, "-c", "from tidings.cli import main; main()", "migrate-store",
         "--from", f"sqlite:///{missing}", "--to", f"sqlite:///{tmp_path / 'to.db'}"],
        capture_output=True, text=True, timeout=60,
        env={**os.environ, "TIDINGS_HOME": str(tmp_path / "home")})
    assert done.returncode == 1
    assert done.stderr.strip() == f"tidings: error: no SQLite store at {missing}"
    assert not missing.parent.exists()
