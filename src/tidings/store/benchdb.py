"""The database chores of the benchmarks: bulk rows, a throwaway schema, the server's pid.

Kept in the store with every other statement, so the benchmarks measure tidings without
building SQL of their own.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import sqlalchemy as sa

from tidings.errors import StorageError
from tidings.store.engine import Database, normalize_url
from tidings.store.schema import articles, feeds, sources, stories

if TYPE_CHECKING:
    from tidings.store import Store

Row = Mapping[str, Any]


def bulk_load(store: Store, *, source_rows: Sequence[Row], feed_rows: Sequence[Row],
              story_rows: Sequence[Row], article_rows: Iterable[Row], batch: int = 5000) -> None:
    """Insert ready-made rows (ids included) in one transaction, then end every story at
    its newest article, and index them for search (in the same transaction, as the ``index``
    stage would). For synthetic stores: no deduplication, no search-index shortcuts."""
    with store.db.write() as conn:
        conn.execute(sources.insert(), list(source_rows))
        conn.execute(feeds.insert(), list(feed_rows))
        conn.execute(stories.insert(), list(story_rows))
        pending: list[Row] = []
        for row in article_rows:
            pending.append(row)
            if len(pending) == batch:
                conn.execute(articles.insert(), pending)
                pending = []
        if pending:
            conn.execute(articles.insert(), pending)
        last = (sa.select(sa.func.max(articles.c.published_at))
                .where(articles.c.story_id == stories.c.id).scalar_subquery())
        conn.execute(stories.update().values(last_published_at=sa.func.coalesce(
            last, stories.c.first_published_at)))
        store.search_index.index_all(conn)


@contextlib.contextmanager
def scratch_postgres(database_url: str) -> Iterator[str]:
    """A URL whose store lives in a new PostgreSQL schema, dropped afterwards (the user's
    own tables are never touched)."""
    schema = "tidings_bench_" + uuid.uuid4().hex[:10]
    admin = sa.create_engine(normalize_url(database_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in database_url else "?"
    try:
        yield f"{database_url}{separator}options={quote(f'-csearch_path={schema},public')}"
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()


@contextlib.contextmanager
def postgres_backend_pid(url: str) -> Iterator[int | None]:
    """The process id of one server backend for ``url`` (None when it cannot be asked),
    alive until the block ends."""
    engine = sa.create_engine(normalize_url(url))
    conn: sa.Connection | None = None
    pid: int | None = None
    try:
        conn = engine.connect()
        pid = int(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())
    except sa.exc.SQLAlchemyError:
        pid = None
    try:
        yield pid
    finally:
        if conn is not None:
            conn.close()
        engine.dispose()


#: what the floor stores of an item: the bare fields, as read from the feed
FLOOR_FIELDS = ("feed_id", "source_id", "entry_key", "guid", "url", "canonical_url", "title",
                "published_at", "fetched_at", "summary", "content_html")


def floor_table() -> sa.Table:
    """``bench_floor`` for ``tidings bench ingest --floor``: the article table's columns and
    every one of its B-tree indexes (the unique entry key included), no foreign keys and no
    full-text index."""
    table = sa.Table("bench_floor", sa.MetaData(),
                     *(sa.Column(c.name, c.type, primary_key=c.primary_key,
                                 nullable=c.nullable, server_default=c.server_default)
                       for c in articles.columns))
    for index in articles.indexes:
        sa.Index(str(index.name).replace("articles", "bench_floor"),
                 *(table.c[c.name] for c in index.columns), unique=index.unique)
    sa.UniqueConstraint(table.c.source_id, table.c.entry_key, name="uq_bench_floor_entry")
    return table


def create_floor(db: Database) -> None:
    with db.write() as conn:
        floor_table().create(conn)


def floor_insert(db: Database, rows: Sequence[Sequence[Any]]) -> None:
    """One transaction, one ``executemany`` of plain tuples (``FLOOR_FIELDS`` order), with
    the driver's own parameter style: no SQLAlchemy parameter processing in the way."""
    mark = "?" if db.dialect == "sqlite" else "%s"
    statement = (f"INSERT INTO bench_floor ({', '.join(FLOOR_FIELDS)}) "
                 f"VALUES ({', '.join([mark] * len(FLOOR_FIELDS))})")
    with db.write() as conn:
        conn.exec_driver_sql(statement, list(rows))


def set_read_marks(store: Store, marks: Sequence[Row]) -> None:
    """Set ``read_through`` of many subscriptions (rows: user_id, source_id, read_through);
    rows with ``read_through`` None are unfollowed instead."""
    from tidings.store.schema import subscriptions

    keep = [dict(m) for m in marks if m["read_through"] is not None]
    drop = [m for m in marks if m["read_through"] is None]
    with store.db.write() as conn:
        if keep:
            conn.execute(subscriptions.update().where(
                subscriptions.c.user_id == sa.bindparam("u"),
                subscriptions.c.source_id == sa.bindparam("s"),
            ).values(read_through=sa.bindparam("t")),
                [{"u": m["user_id"], "s": m["source_id"], "t": m["read_through"]} for m in keep])
        for m in drop:
            conn.execute(subscriptions.delete().where(
                subscriptions.c.user_id == m["user_id"],
                subscriptions.c.source_id == m["source_id"]))


def table_bytes(store: Store, tables: Sequence[str]) -> int | None:
    """Bytes the tables and their indexes take on disk (None when the database cannot say)."""
    with store.db.read() as conn:
        if store.dialect == "postgresql":
            return int(sum(conn.exec_driver_sql(
                "SELECT pg_total_relation_size(%(t)s::regclass)", {"t": t}).scalar_one()
                for t in tables))
        try:
            names = conn.exec_driver_sql("SELECT name, tbl_name FROM sqlite_master").all()
            wanted = [n for n, tbl in names if tbl in tables]
            marks = ",".join("?" * len(wanted))
            return int(conn.exec_driver_sql(
                f"SELECT sum(pgsize) FROM dbstat WHERE name IN ({marks})",
                tuple(wanted)).scalar_one() or 0)
        except StorageError:
            return None
