"""Search indexing as its own stage: inserts queue, the ``index`` stage indexes in batches.

The index must stay exactly what the articles say: FTS5's external-content 'delete' needs
the values that were indexed, so edits and deletes of queued and of indexed rows are checked
against an index rebuilt from scratch (SQLite) or vectors recomputed (PostgreSQL).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command

from tidings.config import Settings
from tidings.models import Entry, NewArticle, Source
from tidings.store import Store, open_store
from tidings.store.engine import _alembic_config, create_engine
from tidings.store.schema import articles
from tidings.worker import stages

NOW = datetime(2026, 2, 15, 11, 0, tzinfo=UTC)


def _add(store: Store, *titles: str, key: str = "k", language: str | None = "en",
         text: str | None = None) -> list[int]:
    source = store.sources.find(name="Wire") or store.sources.add(Source(None, "Wire"), NOW)
    assert source.id is not None
    rows = [NewArticle.from_entry(Entry(key=f"{key}{i}", guid=None, url=None, title=title,
                                        content_text=text or f"Body of {title.lower()}.",
                                        language=language),
                                  feed_id=None, source_id=source.id, now=NOW)
            for i, title in enumerate(titles)]
    with store.db.write() as conn:
        return store.articles.insert_many(conn, rows)


def _found(store: Store, q: str) -> list[str]:
    hits, total = store.search.search(q, limit=500)
    assert total == len(hits)
    return sorted(h.article.title for h in hits)


def _assert_index_is_exact(store: Store) -> None:
    """Every indexed article is in the index with exactly its current words, and nothing
    else is (SQLite: FTS5's own check, then the index against one rebuilt from the articles;
    PostgreSQL: each vector against one computed now, queued rows without one)."""
    with store.db.write() as conn:
        if store.dialect == "postgresql":
            stale = conn.exec_driver_sql(
                "SELECT a.id FROM articles a LEFT JOIN search_queue q ON q.article_id = a.id "
                "WHERE (q.article_id IS NULL AND a.search_vector IS DISTINCT FROM "
                "tidings_search_vector(a.language, a.title, coalesce(a.content_text, a.summary)))"
                " OR (q.article_id IS NOT NULL AND a.search_vector IS NOT NULL)").all()
            assert stale == []
            return
        conn.exec_driver_sql("INSERT INTO articles_fts(articles_fts) VALUES('integrity-check')")
        conn.exec_driver_sql(
            "CREATE VIRTUAL TABLE temp.expect USING fts5(title, content_text, "
            "tokenize='unicode61 remove_diacritics 2')")
        conn.exec_driver_sql(
            "INSERT INTO temp.expect(rowid, title, content_text) "
            "SELECT id, title, coalesce(content_text, summary, '') FROM articles "
            "WHERE id NOT IN (SELECT article_id FROM search_queue)")
        conn.exec_driver_sql("CREATE VIRTUAL TABLE temp.have_v USING "
                             "fts5vocab(main, articles_fts, instance)")
        conn.exec_driver_sql("CREATE VIRTUAL TABLE temp.want_v USING "
                             "fts5vocab(temp, expect, instance)")
        cols = "term, doc, col, offset"
        extra = conn.exec_driver_sql(
            f"SELECT {cols} FROM temp.have_v EXCEPT SELECT {cols} FROM temp.want_v").all()
        missing = conn.exec_driver_sql(
            f"SELECT {cols} FROM temp.want_v EXCEPT SELECT {cols} FROM temp.have_v").all()
        # the totals ranking reads (rows, sizes) too: the same scores for every word
        terms = [t for (t,) in conn.exec_driver_sql(
            "SELECT term FROM temp.want_v UNION SELECT term FROM temp.have_v")]
        for term in terms:
            phrase = '"' + term.replace('"', '""') + '"'
            scores = [conn.exec_driver_sql(
                f"SELECT rowid, round(bm25({table}), 9) FROM {schema}.{table} "
                f"WHERE {table} MATCH ? ORDER BY rowid", (phrase,)).all()
                for schema, table in (("main", "articles_fts"), ("temp", "expect"))]
            assert scores[0] == scores[1], term
        for name in ("have_v", "want_v", "expect"):
            conn.exec_driver_sql(f"DROP TABLE temp.{name}")
        assert (extra, missing) == ([], [])


def test_stored_articles_are_found_once_the_index_stage_ran(store: Store,
                                                            settings: Settings) -> None:
    _add(store, "Harbour strike ends", "Harbour cranes idle")
    assert _found(store, "harbour") == []  # stored, queued, not yet indexed
    assert store.search_index.queued() == 2
    assert stages.run_stage("index", store, settings) == 2
    assert _found(store, "harbour") == ["Harbour cranes idle", "Harbour strike ends"]
    assert store.search_index.queued() == 0
    assert stages.run_stage("index", store, settings) == 0
    _assert_index_is_exact(store)


def test_batches_and_limits(store: Store) -> None:
    _add(store, *(f"Bridge report {i}" for i in range(7)))
    assert store.search_index.run(limit=3, batch=2) == 3
    assert store.search_index.queued() == 4
    assert len(_found(store, "bridge")) == 3
    assert store.search_index.run(batch=2) == 4
    assert len(_found(store, "bridge")) == 7
    _assert_index_is_exact(store)


def test_a_failed_batch_indexes_nothing(store: Store) -> None:
    _add(store, "Tram line opens", "Tram fares rise")
    with pytest.raises(RuntimeError), store.db.write() as conn:
        assert store.search_index.index_batch(conn) == 2
        raise RuntimeError("the transaction fails after indexing")
    assert store.search_index.queued() == 2
    assert _found(store, "tram") == []
    _assert_index_is_exact(store)


def test_edits_and_deletes_of_queued_and_indexed_articles_keep_the_index_exact(
        store: Store) -> None:
    old = _add(store, "Glacier melts early", "Glacier park closes", "Orchard harvest begins",
               key="old")
    store.search_index.run()
    new = _add(store, "Glacier tour cancelled", "Lighthouse repainted", "Orchard frost",
               key="new")
    _assert_index_is_exact(store)
    # indexed: edited and deleted through the triggers; queued: the indexer reads them later
    store.articles.update(old[0], title="Volcano erupts early", content_text="Ash cloud.")
    store.articles.update(new[0], title="Volcano tour cancelled", content_text="Ash again.")
    with store.db.write() as conn:
        conn.execute(articles.delete().where(articles.c.id.in_([old[1], new[1]])))
    _assert_index_is_exact(store)
    assert _found(store, "volcano") == ["Volcano erupts early"]
    assert _found(store, "glacier") == []
    assert store.search_index.queued() == 2  # the deleted queued article left the queue
    assert store.search_index.run() == 2
    assert _found(store, "volcano") == ["Volcano erupts early", "Volcano tour cancelled"]
    assert _found(store, "orchard") == ["Orchard frost", "Orchard harvest begins"]
    assert _found(store, "lighthouse") == []
    store.articles.update(new[0], content_text="Lava flows.")  # indexed now: re-indexed
    assert _found(store, "lava") == ["Volcano tour cancelled"]
    assert _found(store, "ash") == ["Volcano erupts early"]
    _assert_index_is_exact(store)


def test_two_indexers_on_postgresql_take_disjoint_batches(pg_url: str) -> None:
    store = open_store(pg_url)
    try:
        _add(store, *(f"Ferry timetable {i}" for i in range(60)))
        # one indexer's batch is open (uncommitted); another runs meanwhile
        with store.db.write() as held:
            first = store.search_index.index_batch(held, 10)
            assert first == 10
            assert store.search_index.run(batch=7) == 50  # skips the held rows, never waits
        assert store.search_index.queued() == 0
        _add(store, *(f"Ferry fares {i}" for i in range(80)), key="more")
        counts: list[int] = []
        barrier = threading.Barrier(3)

        def indexer() -> None:
            barrier.wait()
            counts.append(store.search_index.run(batch=5))

        threads = [threading.Thread(target=indexer) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sum(counts) == 80  # each queued article taken by exactly one indexer
        assert store.search_index.queued() == 0
        assert len(_found(store, "ferry")) == 140
        _assert_index_is_exact(store)
    finally:
        store.close()


def _migrate(url: str, revision: str, *, down: bool = False) -> None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            cfg = _alembic_config()
            cfg.attributes["connection"] = conn.execution_options(tidings_write=True)
            (command.downgrade if down else command.upgrade)(cfg, revision)
            conn.commit()
    finally:
        engine.dispose()


def test_migration_0011_up_and_down(database_url: str) -> None:
    _migrate(database_url, "0010")
    before = open_store(database_url, upgrade=False)
    try:
        _add(before, "Canal reopens", key="before")  # indexed on insert by 0005's triggers
    finally:
        before.close()
    _migrate(database_url, "0011")
    store = open_store(database_url, upgrade=False)
    try:
        assert store.search_index.queued() == 0  # already indexed: nothing queued
        assert _found(store, "canal") == ["Canal reopens"]
        _add(store, "Canal tolls", "Canal barges", key="after")
        assert _found(store, "canal") == ["Canal reopens"]
        _assert_index_is_exact(store)
    finally:
        store.close()
    _migrate(database_url, "0010", down=True)  # what was queued is indexed on the way down
    engine = create_engine(database_url)
    try:
        assert "search_queue" not in sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()
    down = open_store(database_url, upgrade=False)
    try:
        assert _found(down, "canal") == ["Canal barges", "Canal reopens", "Canal tolls"]
        _add(down, "Canal museum", key="down")  # indexed on insert again
        assert len(_found(down, "canal")) == 4
        if down.dialect == "sqlite":
            with down.db.write() as conn:
                conn.exec_driver_sql(
                    "INSERT INTO articles_fts(articles_fts) VALUES('integrity-check')")
    finally:
        down.close()
    _migrate(database_url, "head")
    again = open_store(database_url)
    try:
        assert again.search_index.queued() == 0
        assert len(_found(again, "canal")) == 4
        _assert_index_is_exact(again)
    finally:
        again.close()



def _vector_words(conn: sa.Connection, article_id: int) -> list[tuple[str, str]]:
    """(lexeme, positions with weights) of one article's stored vector."""
    return [(lexeme, ",".join(f"{p}{w}" for p, w in zip(positions, weights, strict=True)))
            for lexeme, positions, weights in conn.exec_driver_sql(
                "SELECT lexeme, positions, weights FROM articles, unnest(search_vector) "
                f"WHERE id = {int(article_id)} ORDER BY lexeme")]


def test_postgresql_vectors_hold_each_word_once_without_a_stemmer(pg_url: str) -> None:
    """An article in a language PostgreSQL cannot stem is parsed once ('simple'), one with
    a stemmer keeps both forms; both are found with and without a language filter."""
    store = open_store(pg_url)
    try:
        polish = "Wyniki wyborów ogłoszono."
        plain = _add(store, "Wybory w Gdańsku", key="pl", language="pl", text=polish)[0]
        unknown = _add(store, "Wybory w Gdańsku", key="xx", language=None, text=polish)[0]
        english = _add(store, "Elections in Gdansk", key="en", text="Results were announced.")[0]
        stages.run_stage("index", store, Settings.from_dict({"database_url": pg_url}))
        with store.db.write() as conn:
            once = conn.exec_driver_sql(
                "SELECT setweight(to_tsvector('simple', 'Wybory w Gdańsku'), 'A') || "
                "setweight(to_tsvector('simple', 'Wyniki wyborów ogłoszono.'), 'B')").scalar()
            stored = conn.exec_driver_sql(
                f"SELECT search_vector FROM articles WHERE id IN ({plain}, {unknown})").scalars()
            assert [str(v) for v in stored] == [str(once)] * 2
            words = dict(_vector_words(conn, english))
        assert "elect" in words and "elections" in words  # stemmed and as written
        assert words["elect"] == "1A" and words["elections"].endswith("A")  # title words
        _assert_index_is_exact(store)
        for language in (None, "pl"):
            hits, _ = store.search.search("wyborów", language=language)
            assert {h.article.id for h in hits} == ({plain, unknown} if language is None
                                                    else {plain})
        assert [h.article.id for h in store.search.search("election", language="en")[0]] == \
            [english]
    finally:
        store.close()


def test_migration_0012_recomputes_only_unstemmed_vectors(pg_url: str) -> None:
    _migrate(pg_url, "0011")
    before = open_store(pg_url, upgrade=False)
    try:
        plain = _add(before, "東京 news", key="ja", language="ja", text="plain words here")[0]
        english = _add(before, "Tokyo news", key="en", text="plain words here")[0]
        stages.run_stage("index", before, Settings.from_dict({"database_url": pg_url}))
        with before.db.write() as conn:
            twice = _vector_words(conn, plain)
            english_before = _vector_words(conn, english)
    finally:
        before.close()
    assert dict(twice)["plain"].count("B") == 2  # 0005's function: every word twice
    _migrate(pg_url, "0012")
    after = open_store(pg_url, upgrade=False)
    try:
        with after.db.write() as conn:
            assert dict(_vector_words(conn, plain))["plain"].count("B") == 1
            assert _vector_words(conn, english) == english_before
        _assert_index_is_exact(after)
    finally:
        after.close()
    _migrate(pg_url, "0011", down=True)
    down = open_store(pg_url, upgrade=False)
    try:
        with down.db.write() as conn:
            assert _vector_words(conn, plain) == twice
    finally:
        down.close()
