"""The search index's own queue: articles are indexed in batches, not as they are inserted.

Inserting an article only adds its id to ``search_queue`` (a trigger, migration 0011); the
``index`` stage then indexes queued articles a batch per transaction, in two set-based
statements: the FTS5 rows (SQLite) or the tsvectors (PostgreSQL) of every article in the
batch, and the queue rows removed. The stage runs after extraction and clustering, so an
article whose text the extraction stage replaces is usually indexed once, with its full text.

Each batch is all-or-nothing. On PostgreSQL two indexers at once (several workers) take
disjoint batches (``FOR UPDATE SKIP LOCKED``), so no row is indexed twice; SQLite has one
writer at a time. Until its batch commits, a queued article is in the store but not yet found
by a search.
"""

from __future__ import annotations

import sqlalchemy as sa

from tidings.models import ProgressFn
from tidings.store.engine import Database
from tidings.store.schema import search_queue

#: articles per transaction: large enough for set-based statements to pay off, small enough
#: that a batch's write lock (SQLite) or row locks (PostgreSQL) stay short
BATCH = 500

_SQLITE_LAST = sa.text(
    "SELECT max(article_id) FROM "
    "(SELECT article_id FROM search_queue ORDER BY article_id LIMIT :n)")
_SQLITE_INDEX = sa.text(
    "INSERT INTO articles_fts(rowid, title, content_text) "
    "SELECT a.id, a.title, coalesce(a.content_text, a.summary, '') "
    "FROM search_queue q JOIN articles a ON a.id = q.article_id "
    "WHERE q.article_id <= :last ORDER BY q.article_id")
_SQLITE_DONE = sa.text("DELETE FROM search_queue WHERE article_id <= :last")

# the DELETE takes the batch (skipping rows another indexer holds), the UPDATE indexes it;
# both run to completion whatever the outer SELECT reads
_PG_INDEX = sa.text(
    "WITH batch AS ("
    " DELETE FROM search_queue WHERE article_id IN ("
    "  SELECT article_id FROM search_queue ORDER BY article_id LIMIT :n"
    "  FOR UPDATE SKIP LOCKED)"
    " RETURNING article_id),"
    " indexed AS ("
    " UPDATE articles SET search_vector = tidings_search_vector("
    "  language, title, coalesce(content_text, summary))"
    " FROM batch WHERE articles.id = batch.article_id RETURNING articles.id)"
    " SELECT (SELECT count(*) FROM batch)")


class SearchIndex:
    """The ``index`` stage's queue: how much waits, and indexing it in batches."""

    def __init__(self, db: Database):
        self.db = db

    def queued(self) -> int:
        """Articles stored but not yet indexed."""
        with self.db.read() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(search_queue))
                       .scalar_one())

    def index_batch(self, conn: sa.Connection, limit: int = BATCH) -> int:
        """Index up to ``limit`` queued articles in the caller's transaction; how many queue
        rows it took (0: nothing is waiting that another indexer does not hold)."""
        if limit <= 0:
            return 0
        if self.db.dialect == "postgresql":
            return int(conn.execute(_PG_INDEX, {"n": limit}).scalar_one())
        last = conn.execute(_SQLITE_LAST, {"n": limit}).scalar()
        if last is None:
            return 0
        conn.execute(_SQLITE_INDEX, {"last": last})
        return int(conn.execute(_SQLITE_DONE, {"last": last}).rowcount)

    def index_all(self, conn: sa.Connection) -> int:
        """Everything queued, in the caller's transaction (a bulk load or a store copy that
        must end searchable in the same commit)."""
        total = 0
        while done := self.index_batch(conn):
            total += done
        return total

    def run(self, *, limit: int | None = None, batch: int = BATCH,
            progress: ProgressFn | None = None) -> int:
        """Index queued articles a batch per transaction until none are left (or ``limit``
        are done); how many. The caller holds the stage's lock (``run_stage`` does)."""
        total = 0
        waiting = self.queued() if progress is not None else 0
        while limit is None or total < limit:
            want = batch if limit is None else min(batch, limit - total)
            with self.db.write() as conn:
                done = self.index_batch(conn, want)
            total += done
            if progress is not None:
                progress(total, max(waiting, total))
            if done < want:
                break
        return total
