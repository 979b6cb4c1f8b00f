"""Many articles in few statements: the ingest writer's inserts and known-key lookups.

A fetch cycle hands the store whole groups of feeds. SQLite (in-process, no round trips)
takes multi-row ``INSERT … VALUES (…), (…)`` statements of plain tuples; PostgreSQL takes one
statement per chunk whose parameters are one array per column, spread into rows by
``unnest`` — a short statement the driver parses once and caches, where a 500-row VALUES list
(9,500 placeholders) was parsed afresh by psycopg every time. The values are those SQLAlchemy
would have sent: each column's own bind processor for the dialect runs first.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa

from tidings.store.schema import articles

#: rows per statement: 19 parameters a row stays far below SQLite's 32,766 per statement
CHUNK = 500
Key = tuple[int, str]  # (source id, entry key)


@functools.cache
def values_sql(columns: tuple[str, ...], rows: int) -> str:
    """SQLite: ``rows`` rows of ``?`` placeholders."""
    one = "(" + ", ".join(["?"] * len(columns)) + ")"
    return (f"INSERT INTO articles ({', '.join(columns)}) VALUES {', '.join([one] * rows)} "
            "ON CONFLICT (source_id, entry_key) DO NOTHING RETURNING id, source_id, entry_key")


@functools.cache
def unnest_sql(columns: tuple[str, ...], dialect: sa.Dialect) -> str:
    """PostgreSQL: one array parameter per column, cast to the column's type."""
    arrays = ", ".join(f"%s::{articles.c[c].type.compile(dialect=dialect)}[]" for c in columns)
    return (f"INSERT INTO articles ({', '.join(columns)}) SELECT * FROM unnest({arrays}) "
            "ON CONFLICT (source_id, entry_key) DO NOTHING RETURNING id, source_id, entry_key")


KNOWN_PG = ("SELECT a.source_id, a.entry_key FROM articles AS a "
            "JOIN unnest(%s::integer[], %s::text[]) AS k(source_id, entry_key) "
            "ON a.source_id = k.source_id AND a.entry_key = k.entry_key")


def insert_rows(conn: sa.Connection, columns: tuple[str, ...],
                rows: Sequence[Sequence[Any]]) -> dict[Key, int]:
    """Insert ``rows`` (tuples of bound values in ``columns`` order), skipping conflicts;
    the new ids by (source id, entry key)."""
    new: dict[Key, int] = {}
    postgres = conn.dialect.name == "postgresql"
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start:start + CHUNK]
        if postgres:
            arrays = tuple(list(column) for column in zip(*chunk, strict=True))
            result = conn.exec_driver_sql(unnest_sql(columns, conn.dialect), arrays)
        else:
            result = conn.exec_driver_sql(values_sql(columns, len(chunk)),
                                          tuple(v for row in chunk for v in row))
        for article_id, source_id, key in result:
            new[(source_id, key)] = article_id
    return new


def known_keys(conn: sa.Connection, keys: Iterable[Key]) -> set[Key]:
    """Which of ``keys`` are stored: on PostgreSQL one round trip for all of them, on
    SQLite one index lookup per source."""
    wanted = list(keys)
    if conn.dialect.name == "postgresql":
        found: set[Key] = set()
        for start in range(0, len(wanted), CHUNK * 10):
            part = wanted[start:start + CHUNK * 10]
            found.update((s, k) for s, k in conn.exec_driver_sql(
                KNOWN_PG, ([s for s, _ in part], [k for _, k in part])))
        return found
    by_source: dict[int, list[str]] = {}
    for source_id, key in wanted:
        by_source.setdefault(source_id, []).append(key)
    found = set()
    for source_id, source_keys in by_source.items():
        stored = conn.execute(sa.select(articles.c.entry_key).where(
            articles.c.source_id == source_id, articles.c.entry_key.in_(source_keys)))
        found.update((source_id, key) for key in stored.scalars())
    return found
