"""Many articles in few statements: the ingest writer's inserts and known-key lookups.

A fetch cycle hands the store whole groups of feeds. SQLite (in-process, no round trips)
takes multi-row ``INSERT … VALUES (…), (…)`` statements of plain tuples; PostgreSQL takes one
statement per chunk whose parameters are one array per column, spread into rows by
``unnest`` — a short statement the driver parses once and caches, where a 500-row VALUES list
(9,500 placeholders) was parsed afresh by psycopg every time. The arrays go in psycopg's
binary format (``%b``): the text format quotes every string of an array through a regular
expression. The values are those SQLAlchemy would have sent: each column's own bind
processor for the dialect runs first, on the columns that have one.
"""

from __future__ import annotations

import functools
import itertools
import json
import operator
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import sqlalchemy as sa

from tidings.store.schema import articles

#: rows per statement: 22 parameters a row stays far below SQLite's 32,766 per statement
CHUNK = 500
Key = tuple[int, str]  # (source id, entry key)
Converter = Callable[[Any], Any] | None


def columns_of(rows: Sequence[object], fields: tuple[str, ...],
               convert: Sequence[Converter]) -> list[Sequence[Any]]:
    """``rows``' attributes ``fields`` as one sequence per field (one C-level attribute read
    per row), each converted by its column's ``convert`` when it has one."""
    if not rows:
        return [[] for _ in fields]
    columns: list[Sequence[Any]] = list(zip(*map(operator.attrgetter(*fields), rows),
                                            strict=True))
    for i, processor in enumerate(convert):
        if processor is not None:
            columns[i] = _converted(processor, columns[i])
    return columns


def _converted(processor: Callable[[Any], Any], column: Sequence[Any]) -> list[Any]:
    """``processor`` over ``column``, once per distinct value (a feed's rows share their
    fetch time); values that cannot be dict keys (JSON lists) go through one by one."""
    memo: dict[Any, Any] = {}
    try:
        return [memo[v] if v in memo else memo.setdefault(v, processor(v)) for v in column]
    except TypeError:
        return list(map(processor, column))


@functools.cache
def values_sql(columns: tuple[str, ...], rows: int) -> str:
    """SQLite: ``rows`` rows of ``?`` placeholders."""
    one = "(" + ", ".join(["?"] * len(columns)) + ")"
    return (f"INSERT INTO articles ({', '.join(columns)}) VALUES {', '.join([one] * rows)} "
            "ON CONFLICT (source_id, entry_key) DO NOTHING RETURNING id, source_id, entry_key")


@functools.cache
def unnest_sql(columns: tuple[str, ...], dialect: sa.Dialect) -> str:
    """PostgreSQL: one binary array parameter per column, cast to the column's type."""
    arrays = ", ".join(f"%b::{articles.c[c].type.compile(dialect=dialect)}[]" for c in columns)
    return (f"INSERT INTO articles ({', '.join(columns)}) SELECT * FROM unnest({arrays}) "
            "ON CONFLICT (source_id, entry_key) DO NOTHING RETURNING id, source_id, entry_key")


KNOWN_PG = ("SELECT a.source_id, a.entry_key FROM articles AS a "
            "JOIN unnest(%b::integer[], %b::text[]) AS k(source_id, entry_key) "
            "ON a.source_id = k.source_id AND a.entry_key = k.entry_key")
#: SQLite: the keys as one JSON array of ``[source id, entry key]`` pairs, each looked up in
#: the (source_id, entry_key) unique index
KNOWN_SQLITE = ("SELECT a.source_id, a.entry_key FROM json_each(?) AS k "
                "JOIN articles AS a ON a.source_id = json_extract(k.value, '$[0]') "
                "AND a.entry_key = json_extract(k.value, '$[1]')")


def fetch_all(result: sa.CursorResult[Any]) -> list[tuple[Any, ...]]:
    """Every row of ``result`` as the driver's tuples (no SQLAlchemy row per row)."""
    rows = list(result.cursor.fetchall()) if result.cursor else []
    result.close()
    return rows


def insert_rows(conn: sa.Connection, columns: tuple[str, ...],
                values: Sequence[Sequence[Any]]) -> dict[Key, int]:
    """Insert the rows given as one sequence of bound values per column (``columns`` order),
    skipping conflicts; the new ids by (source id, entry key)."""
    new: dict[Key, int] = {}
    total = len(values[0]) if values else 0
    postgres = conn.dialect.name == "postgresql"
    for start in range(0, total, CHUNK):
        part = [column[start:start + CHUNK] for column in values]
        if postgres:
            result = conn.exec_driver_sql(unnest_sql(columns, conn.dialect),
                                          tuple(list(column) for column in part))
        else:
            result = conn.exec_driver_sql(
                values_sql(columns, len(part[0])),
                tuple(itertools.chain.from_iterable(zip(*part, strict=True))))
        new.update(((source_id, key), article_id)
                   for article_id, source_id, key in fetch_all(result))
    return new


def known_keys(conn: sa.Connection, keys: Iterable[Key]) -> set[Key]:
    """Which of ``keys`` are stored: one statement per few thousand keys."""
    wanted = list(keys)
    found: set[Key] = set()
    postgres = conn.dialect.name == "postgresql"
    for start in range(0, len(wanted), CHUNK * 10):
        part = wanted[start:start + CHUNK * 10]
        if postgres:
            result = conn.exec_driver_sql(KNOWN_PG, ([s for s, _ in part], [k for _, k in part]))
        else:
            result = conn.exec_driver_sql(KNOWN_SQLITE, (json.dumps(part),))
        found.update((source_id, key) for source_id, key in fetch_all(result))
    return found
