"""Full-text search: FTS5 on SQLite, a tsvector column with a GIN index on PostgreSQL.

Both are kept in step with ``articles`` by triggers, so no writer has to remember them. The
indexed text is the title (weighted higher) and the plain text (or the summary when there is
no text). On PostgreSQL the vector holds the words stemmed for the article's language and
unstemmed ('simple'), so a query matches with or without a language filter. CJK queries are
answered by substring matching in ``store/search.py``.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

PG_CONFIGS = {
    "en": "english", "de": "german", "fr": "french", "it": "italian", "es": "spanish",
    "ru": "russian", "pt": "portuguese", "nl": "dutch", "sv": "swedish", "da": "danish",
    "fi": "finnish", "no": "norwegian", "hu": "hungarian", "ro": "romanian", "tr": "turkish",
}

SQLITE_UP = [
    """CREATE VIRTUAL TABLE articles_fts USING fts5(
           title, content_text, content='articles', content_rowid='id',
           tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER articles_fts_ai AFTER INSERT ON articles BEGIN
           INSERT INTO articles_fts(rowid, title, content_text)
           VALUES (new.id, new.title, coalesce(new.content_text, new.summary, ''));
       END""",
    """CREATE TRIGGER articles_fts_ad AFTER DELETE ON articles BEGIN
           INSERT INTO articles_fts(articles_fts, rowid, title, content_text)
           VALUES ('delete', old.id, old.title, coalesce(old.content_text, old.summary, ''));
       END""",
    """CREATE TRIGGER articles_fts_au AFTER UPDATE OF title, content_text, summary ON articles
       BEGIN
           INSERT INTO articles_fts(articles_fts, rowid, title, content_text)
           VALUES ('delete', old.id, old.title, coalesce(old.content_text, old.summary, ''));
           INSERT INTO articles_fts(rowid, title, content_text)
           VALUES (new.id, new.title, coalesce(new.content_text, new.summary, ''));
       END""",
    """INSERT INTO articles_fts(rowid, title, content_text)
       SELECT id, title, coalesce(content_text, summary, '') FROM articles""",
]

SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS articles_fts_au",
    "DROP TRIGGER IF EXISTS articles_fts_ad",
    "DROP TRIGGER IF EXISTS articles_fts_ai",
    "DROP TABLE IF EXISTS articles_fts",
]


def _pg_case() -> str:
    whens = " ".join(f"WHEN '{code}' THEN '{cfg}'" for code, cfg in PG_CONFIGS.items())
    return f"CASE lower(split_part(coalesce(lang, ''), '-', 1)) {whens} ELSE 'simple' END"


PG_UP = [
    "ALTER TABLE articles ADD COLUMN search_vector tsvector",
    f"""CREATE OR REPLACE FUNCTION tidings_search_vector(lang text, title text, body text)
        RETURNS tsvector LANGUAGE sql IMMUTABLE AS $$
          SELECT setweight(to_tsvector(({_pg_case()})::regconfig, coalesce(title, '')), 'A')
              || setweight(to_tsvector(({_pg_case()})::regconfig, coalesce(body, '')), 'B')
              || setweight(to_tsvector('simple', coalesce(title, '')), 'A')
              || setweight(to_tsvector('simple', coalesce(body, '')), 'B')
        $$""",
    """CREATE OR REPLACE FUNCTION tidings_articles_search() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
          NEW.search_vector := tidings_search_vector(
              NEW.language, NEW.title, coalesce(NEW.content_text, NEW.summary));
          RETURN NEW;
        END $$""",
    """CREATE TRIGGER articles_search_vector
        BEFORE INSERT OR UPDATE OF title, content_text, summary, language ON articles
        FOR EACH ROW EXECUTE FUNCTION tidings_articles_search()""",
    """UPDATE articles SET search_vector = tidings_search_vector(
        language, title, coalesce(content_text, summary))""",
    "CREATE INDEX ix_articles_search_vector ON articles USING GIN (search_vector)",
]

PG_DOWN = [
    "DROP INDEX IF EXISTS ix_articles_search_vector",
    "DROP TRIGGER IF EXISTS articles_search_vector ON articles",
    "DROP FUNCTION IF EXISTS tidings_articles_search()",
    "DROP FUNCTION IF EXISTS tidings_search_vector(text, text, text)",
    "ALTER TABLE articles DROP COLUMN IF EXISTS search_vector",
]


def _run(statements: list[str]) -> None:
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_UP)
    elif dialect == "postgresql":
        _run(PG_UP)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_DOWN)
    elif dialect == "postgresql":
        _run(PG_DOWN)
