"""The clustering stage on a real store (SQLite and PostgreSQL): stories, copies, counters,
merged ids, restarts, and ``tidings recluster``."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from click.testing import CliRunner

from tidings.cli import cli
from tidings.cluster import stage
from tidings.cluster.rebuild import recluster
from tidings.config import Settings
from tidings.models import Entry, ExtractState, Feed, NewArticle, Source
from tidings.store import Store
from tidings.store.clustering import EPOCH_KEY
from tidings.store.schema import articles, stories

from .reports import QUAKE_CALIFORNIA, QUAKE_JAPAN, WIRE

T0 = datetime(2026, 2, 10, 8, 0, tzinfo=UTC)


def _outlet(store: Store, n: int) -> tuple[int, int]:
    source = store.sources.add(Source(None, f"Outlet {n}", f"https://o{n}.example"), T0)
    feed = store.feeds.add(Feed(None, source.id, f"https://o{n}.example/feed"), T0)
    assert source.id is not None and feed.id is not None
    return source.id, feed.id


def _add(store: Store, outlet: tuple[int, int], key: str, title: str, text: str,
         when: datetime, extract_state: str = "done") -> int:
    entry = Entry(key=key, guid=key, url=f"https://x.example/{key}", title=title,
                  published_at=when, content_text=text)
    row = dataclasses.replace(
        NewArticle.from_entry(entry, feed_id=outlet[1], source_id=outlet[0], now=when),
        extract_state=ExtractState(extract_state))
    with store.db.write() as conn:
        return store.articles.insert_many(conn, [row])[0]


def _stream(store: Store) -> dict[str, int]:
    outlets = [_outlet(store, n) for n in range(4)]
    ids = {}
    for i, (title, text) in enumerate(QUAKE_JAPAN):
        ids[f"jp{i}"] = _add(store, outlets[i], f"jp{i}", title, text, T0 + timedelta(hours=i))
    for i, (title, text) in enumerate(QUAKE_CALIFORNIA):
        ids[f"us{i}"] = _add(store, outlets[i], f"us{i}", title, text,
                             T0 + timedelta(days=1, hours=i))
    ids["wire"] = _add(store, outlets[0], "wire", *WIRE, T0 + timedelta(days=2))
    ids["copy"] = _add(store, outlets[1], "copy", WIRE[0], WIRE[1] + " (Reuters)",
                       T0 + timedelta(days=2, hours=1))
    ids["own"] = _add(store, outlets[1], "own", "ECB lifts rates again, Lagarde says",
                      "Christine Lagarde said in Frankfurt the European Central Bank raised "
                      "interest rates by a quarter point to fight eurozone inflation; bond "
                      "yields rose.", T0 + timedelta(days=2, hours=2))
    return ids


def _partition(store: Store) -> set[frozenset[int]]:
    with store.db.read() as conn:
        rows = conn.execute(sa.select(articles.c.id, articles.c.story_id)).all()
    groups: dict[int, set[int]] = {}
    for aid, sid in rows:
        groups.setdefault(sid, set()).add(aid)
    return {frozenset(g) for g in groups.values()}


def test_stage_writes_stories_copies_and_counters(store: Store, settings: Settings) -> None:
    ids = _stream(store)
    waiting = _add(store, _outlet(store, 9), "later", *QUAKE_JAPAN[0], T0, extract_state="pending")
    assert stage.run_pending(store, settings) == len(ids)
    assert store.articles.get(waiting).story_id is None  # extraction not settled yet

    japan = store.stories.get(store.articles.get(ids["jp0"]).story_id or -1)
    assert set(japan.article_ids) == {ids["jp0"], ids["jp1"], ids["jp2"]}
    california = store.articles.get(ids["us0"]).story_id
    assert california != japan.id
    assert japan.first_published_at == T0 and japan.last_published_at == T0 + timedelta(hours=2)
    assert "Kumamoto" in japan.title or "Japan" in japan.title

    copy = store.articles.get(ids["copy"])
    assert copy.duplicate_of == ids["wire"]
    wire_story = store.articles.get(ids["wire"]).story_id
    assert wire_story is not None and copy.story_id == wire_story
    assert store.articles.get(ids["own"]).story_id == wire_story
    counters = store.stories.counters(wire_story)
    # three articles, two outlets; the copy is listed but is not separate coverage
    assert counters == {"article_count": 3, "source_count": 2}
    assert [s.name for s in store.stories.sources(wire_story)] == ["Outlet 0", "Outlet 1"]

    live = store.story_rows.recent(limit=10)
    assert store.stories.count() == 3
    assert {s.id for s in live} == {japan.id, california, wire_story}
    assert stage.run_pending(store, settings) == 0


def test_merged_story_answers_at_its_old_id(store: Store, settings: Settings) -> None:
    ids = _stream(store)
    stage.run_pending(store, settings)
    japan = store.articles.get(ids["jp0"]).story_id
    california = store.articles.get(ids["us0"]).story_id
    assert japan is not None and california is not None
    with store.db.write() as conn:
        store.stories.merge(conn, california, japan, T0)
        store.stories.refresh(conn, [japan], T0)
    merged = store.stories.get(california)
    assert merged.id == japan and len(merged.article_ids) == 6
    assert store.stories.counters(japan)["article_count"] == 6
    assert store.stories.count() == 2


def test_restart_rebuilds_memory_from_the_store(store: Store, settings: Settings) -> None:
    ids = _stream(store)
    stage.run_pending(store, settings)
    stage.forget(store)  # as if the process restarted
    late = _add(store, _outlet(store, 7), "late", "Kumamoto aftershock toll rises in Mashiki",
                "Another aftershock shook Kumamoto and Mashiki on Kyushu, the Japan "
                "Meteorological Agency said; the death toll from the magnitude 6.8 earthquake "
                "rose as Self-Defense Forces searched collapsed homes.",
                T0 + timedelta(days=2, hours=5))
    assert stage.run_pending(store, settings) == 1
    assert store.articles.get(late).story_id == store.articles.get(ids["jp0"]).story_id


def test_another_writer_makes_the_stage_rebuild(store: Store, settings: Settings) -> None:
    ids = _stream(store)
    stage.run_pending(store, settings)
    store.meta.bump(EPOCH_KEY)  # someone else clustered meanwhile
    late = _add(store, _outlet(store, 8), "late2", *QUAKE_CALIFORNIA[1],
                T0 + timedelta(days=3))
    stage.run_pending(store, settings)
    assert store.articles.get(late).story_id == store.articles.get(ids["us1"]).story_id


def test_recluster_is_deterministic(store: Store, settings: Settings) -> None:
    _stream(store)
    stage.run_pending(store, settings)
    first = _partition(store)
    seen: list[tuple[int, int]] = []
    done = recluster(store, settings, progress=lambda n, total: seen.append((n, total)))
    assert done > 0 and seen[0] == (0, done) and seen[-1] == (done, done)
    assert _partition(store) == first
    assert recluster(store, settings, since=T0 + timedelta(days=1)) == 6
    assert _partition(store) == first
    with store.db.read() as conn:
        live = conn.execute(sa.select(sa.func.count()).select_from(stories)
                            .where(stories.c.merged_into.is_(None))).scalar_one()
    assert live == 3


def test_recluster_command(sqlite_store: Store, tmp_path) -> None:
    _stream(sqlite_store)
    url = str(sqlite_store.db.engine.url)
    runner = CliRunner()
    env = {"TIDINGS_HOME": str(tmp_path / "home")}
    result = runner.invoke(cli, ["--database", url, "recluster"], env=env)
    assert result.exit_code == 0, result.output
    assert "9 articles in 3 stories" in result.output
    bad = runner.invoke(cli, ["--database", url, "recluster", "--since", "yesterday"], env=env)
    assert bad.exit_code != 0 and "--since" in str(bad.exception or bad.output)
