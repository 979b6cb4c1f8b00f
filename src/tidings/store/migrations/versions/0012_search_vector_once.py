"""PostgreSQL: an article without a stemming configuration gets its unstemmed words once.

Migration 0005's ``tidings_search_vector`` joins the words stemmed for the article's language
and the unstemmed ('simple') ones. For a language PostgreSQL has no stemmer for (Japanese,
Polish, Arabic, … and articles of unknown language) the first pair is 'simple' too, so the
same title and body were parsed twice and every word was stored twice, at shifted positions
(which also doubled their weight in ``ts_rank_cd``). Parsing the body is most of the cost of
indexing (docs/benchmarks.md, issue 15): the vector of such an article now costs about 40 %
less to compute, and it matches exactly the same queries.

The upgrade recomputes the vectors already stored for those articles, so every article ranks
by the same rule (about 0.2 ms of the server's CPU per article); queued articles are indexed
later by the ``index`` stage as before. The downgrade restores 0005's function and vectors.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

from alembic import op

from tidings.store.search import PG_CONFIGS

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_CODE = "lower(split_part(coalesce(lang, ''), '-', 1))"
_CONFIG = ("CASE " + _CODE + " "
           + " ".join(f"WHEN '{code}' THEN '{cfg}'" for code, cfg in PG_CONFIGS.items())
           + " ELSE 'simple' END")


def _weighted(config: str) -> str:
    return (f"setweight(to_tsvector({config}, coalesce(title, '')), 'A') "
            f"|| setweight(to_tsvector({config}, coalesce(body, '')), 'B')")


_PLAIN = _weighted("'simple'")
_STEMMED = _weighted(f"({_CONFIG})::regconfig")


def _function(body: str) -> str:
    return ("CREATE OR REPLACE FUNCTION tidings_search_vector(lang text, title text, body text) "
            f"RETURNS tsvector LANGUAGE sql IMMUTABLE AS $$ SELECT {body} $$")


#: one CASE expression, no FROM: PostgreSQL still inlines the function into the indexer's UPDATE
ONCE = _function(f"CASE {_CONFIG} WHEN 'simple' THEN {_PLAIN} ELSE {_STEMMED} || {_PLAIN} END")
TWICE = _function(f"{_STEMMED} || {_PLAIN}")  # migration 0005's

#: the stored vectors the change affects: articles whose language has no configuration
RECOMPUTE = (
    "UPDATE articles SET search_vector = tidings_search_vector("
    "language, title, coalesce(content_text, summary)) "
    "WHERE search_vector IS NOT NULL AND "
    + _CODE.replace("lang", "language")
    + " NOT IN (" + ", ".join(f"'{code}'" for code in PG_CONFIGS) + ")")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(ONCE)
        op.execute(RECOMPUTE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(TWICE)
        op.execute(RECOMPUTE)
