"""Search indexing as its own batched stage: inserts queue an id instead of indexing the row.

Migration 0005 indexed every article as it was inserted (FTS5 on SQLite, ``to_tsvector`` four
times per row on PostgreSQL), and again when the extraction stage replaced its text moments
later. Now an insert only adds the id to ``search_queue``; the ``index`` stage
(``store/searchindex.py``) indexes queued articles in batches, after extraction, so most
articles are indexed once, in a few set-based statements.

SQLite: the FTS5 index is external-content, and its 'delete' command must be given exactly what
was indexed, so the UPDATE and DELETE triggers act only on rows already indexed (not queued);
deleting a queued article drops its queue row. An update of a queued row does nothing: the
indexer reads the current values.

PostgreSQL: a statement-level AFTER INSERT trigger queues the new ids from its transition
table (one statement per insert, not one per row). A queued row has no vector yet, so the
BEFORE UPDATE trigger recomputes the vector only when the old row has one; deleting articles
drops their queue rows (a statement-level AFTER DELETE trigger).

Existing articles are already indexed: nothing is queued for them. The downgrade indexes what
is still queued, then restores 0005's triggers.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS articles_fts_au",
    "DROP TRIGGER IF EXISTS articles_fts_ad",
    "DROP TRIGGER IF EXISTS articles_fts_ai",
]

#: the FTS5 statements the triggers run: forget the old values, index the new ones
_FTS_DELETE_OLD = ("INSERT INTO articles_fts(articles_fts, rowid, title, content_text) VALUES "
                   "('delete', old.id, old.title, coalesce(old.content_text, old.summary, ''));")
_FTS_INSERT_NEW = ("INSERT INTO articles_fts(rowid, title, content_text) VALUES "
                   "(new.id, new.title, coalesce(new.content_text, new.summary, ''));")

_QUEUED = "EXISTS (SELECT 1 FROM search_queue WHERE article_id = old.id)"

SQLITE_UP = [
    *_SQLITE_DROP,
    """CREATE TRIGGER articles_fts_ai AFTER INSERT ON articles BEGIN
           INSERT INTO search_queue(article_id) VALUES (new.id);
       END""",
    f"""CREATE TRIGGER articles_fts_ad AFTER DELETE ON articles BEGIN
           INSERT INTO articles_fts(articles_fts, rowid, title, content_text)
           SELECT 'delete', old.id, old.title, coalesce(old.content_text, old.summary, '')
           WHERE NOT {_QUEUED};
           DELETE FROM search_queue WHERE article_id = old.id;
       END""",
    f"""CREATE TRIGGER articles_fts_au AFTER UPDATE OF title, content_text, summary ON articles
       WHEN NOT {_QUEUED}
       BEGIN
           {_FTS_DELETE_OLD}
           {_FTS_INSERT_NEW}
       END""",
]

#: migration 0005's triggers, restored by the downgrade
SQLITE_0005 = [
    *_SQLITE_DROP,
    f"""CREATE TRIGGER articles_fts_ai AFTER INSERT ON articles BEGIN
           {_FTS_INSERT_NEW}
       END""",
    f"""CREATE TRIGGER articles_fts_ad AFTER DELETE ON articles BEGIN
           {_FTS_DELETE_OLD}
       END""",
    f"""CREATE TRIGGER articles_fts_au AFTER UPDATE OF title, content_text, summary ON articles
       BEGIN
           {_FTS_DELETE_OLD}
           {_FTS_INSERT_NEW}
       END""",
]

SQLITE_INDEX_QUEUED = [
    """INSERT INTO articles_fts(rowid, title, content_text)
       SELECT a.id, a.title, coalesce(a.content_text, a.summary, '')
       FROM articles a JOIN search_queue q ON q.article_id = a.id""",
    "DELETE FROM search_queue",
]

PG_UP = [
    "DROP TRIGGER IF EXISTS articles_search_vector ON articles",
    """CREATE TRIGGER articles_search_vector
        BEFORE UPDATE OF title, content_text, summary, language ON articles
        FOR EACH ROW WHEN (OLD.search_vector IS NOT NULL)
        EXECUTE FUNCTION tidings_articles_search()""",
    """CREATE OR REPLACE FUNCTION tidings_search_queue_add() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO search_queue(article_id) SELECT id FROM tidings_new_articles;
          RETURN NULL;
        END $$""",
    """CREATE TRIGGER articles_search_queue_add AFTER INSERT ON articles
        REFERENCING NEW TABLE AS tidings_new_articles
        FOR EACH STATEMENT EXECUTE FUNCTION tidings_search_queue_add()""",
    """CREATE OR REPLACE FUNCTION tidings_search_queue_drop() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
          DELETE FROM search_queue q USING tidings_old_articles o WHERE q.article_id = o.id;
          RETURN NULL;
        END $$""",
    """CREATE TRIGGER articles_search_queue_drop AFTER DELETE ON articles
        REFERENCING OLD TABLE AS tidings_old_articles
        FOR EACH STATEMENT EXECUTE FUNCTION tidings_search_queue_drop()""",
]

PG_0005 = [
    "DROP TRIGGER IF EXISTS articles_search_queue_drop ON articles",
    "DROP TRIGGER IF EXISTS articles_search_queue_add ON articles",
    "DROP FUNCTION IF EXISTS tidings_search_queue_drop()",
    "DROP FUNCTION IF EXISTS tidings_search_queue_add()",
    """UPDATE articles SET search_vector = tidings_search_vector(
        language, title, coalesce(content_text, summary))
       FROM search_queue q WHERE q.article_id = articles.id""",
    "DROP TRIGGER IF EXISTS articles_search_vector ON articles",
    """CREATE TRIGGER articles_search_vector
        BEFORE INSERT OR UPDATE OF title, content_text, summary, language ON articles
        FOR EACH ROW EXECUTE FUNCTION tidings_articles_search()""",
]


def _run(statements: list[str]) -> None:
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    op.create_table(
        "search_queue",
        sa.Column("article_id", sa.Integer, primary_key=True, autoincrement=False),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_UP)
    elif dialect == "postgresql":
        _run(PG_UP)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_INDEX_QUEUED)
        _run(SQLITE_0005)
    elif dialect == "postgresql":
        _run(PG_0005)
    op.drop_table("search_queue")
