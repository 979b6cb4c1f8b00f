"""Opening a store: the engine, per-database connection setup, and migrations on first use.

SQLite gets WAL, a busy timeout and one writer per process (a lock around write
transactions, which begin IMMEDIATE so two processes queue instead of failing mid-way).
PostgreSQL gets a small connection pool. Everything above this module is database-neutral,
and sees no driver error either: :func:`wrap_errors` turns each into a ``StorageError``.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import Connection as Connection  # re-exported: a write transaction
from sqlalchemy.engine import Engine, ExceptionContext

from tidings.errors import ConstraintError, StorageError, one_line

SQLITE_BUSY_TIMEOUT_MS = 30_000


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", "tidings.store:migrations")
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def normalize_url(url: str) -> str:
    """Accept ``postgresql://`` and pick the psycopg 3 driver for it."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def create_engine(url: str) -> Engine:
    url = normalize_url(url)
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        raise StorageError(f"cannot understand database URL {url!r}") from None
    if parsed.get_backend_name() == "sqlite":
        engine = _sqlite_engine(parsed)
    elif parsed.get_backend_name() == "postgresql":
        engine = _postgres_engine(parsed)
    else:
        raise StorageError(f"unsupported database {parsed.get_backend_name()!r}")
    event.listen(engine, "handle_error", wrap_errors)
    return engine


def wrap_errors(context: ExceptionContext) -> None:
    """The one place driver errors become tidings errors: an integrity violation a
    :class:`ConstraintError`, anything else a :class:`StorageError`, each with the driver's
    first line as its message (the SQL and the original stay chained for ``-v``)."""
    if context.is_pre_ping:  # the pool is checking a connection and reconnects on its own
        return
    original = context.original_exception
    kind = ConstraintError if isinstance(context.sqlalchemy_exception,
                                         sa.exc.IntegrityError) else StorageError
    raise kind(one_line(original)) from context.sqlalchemy_exception or original


#: whether this server compresses with lz4 (PostgreSQL 14 and later, when built with it)
_HAS_LZ4 = ("SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
            "WHERE name = 'default_toast_compression'")


def _postgres_engine(url: sa.engine.URL) -> Engine:
    engine = sa.create_engine(url, pool_size=5, max_overflow=10, pool_pre_ping=True)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # long values (an article's HTML and text, its search vector) compressed with lz4
        # instead of pglz: the same stored text for about a third less server CPU per
        # inserted article, search indexing aside (docs/benchmarks.md, issue 15); a server
        # without lz4 keeps pglz
        with dbapi_conn.cursor() as cur:
            cur.execute(_HAS_LZ4)
            row = cur.fetchone()
            if row is not None and row[0]:
                cur.execute("SET default_toast_compression = 'lz4'")
        dbapi_conn.commit()

    return engine


def _sqlite_engine(url: sa.engine.URL) -> Engine:
    database = url.database or ""
    if database and database != ":memory:":
        try:
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot create the folder for {database}: {exc.strerror}") from None
    engine = sa.create_engine(
        url,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        pool_size=8,
        max_overflow=8,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        # autocommit at the driver level; transactions are begun explicitly below
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA temp_store=MEMORY")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = "BEGIN IMMEDIATE" if conn.get_execution_options().get("tidings_write") else "BEGIN"
        conn.exec_driver_sql(mode)

    return engine


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (a no-op when it already is)."""
    head = head_revision()
    try:
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
            if current == head:
                return
        with engine.connect() as conn:
            cfg = _alembic_config()
            cfg.attributes["connection"] = conn.execution_options(tidings_write=True)
            command.upgrade(cfg, "head")
            conn.commit()
    except (StorageError, sa.exc.SQLAlchemyError) as exc:
        raise StorageError(f"cannot prepare the database: {one_line(exc)}") from exc


class Database:
    """An engine plus the rules for using it: reads anywhere, writes one at a time (SQLite)."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.dialect = engine.dialect.name
        self._write_lock = threading.RLock() if self.dialect == "sqlite" else None

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextlib.contextmanager
    def write(self) -> Iterator[Connection]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        lock = self._write_lock or contextlib.nullcontext()
        with lock, self.engine.connect() as conn:
            conn = conn.execution_options(tidings_write=True)
            with conn.begin():
                yield conn

    def dispose(self) -> None:
        self.engine.dispose()
