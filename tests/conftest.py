"""Shared fixtures: settings in a temporary home, and a store on SQLite and on PostgreSQL.

The ``store`` fixture runs each test on both databases. PostgreSQL tests get a database of
their own on the local server (127.0.0.1:5432); they are skipped when no server answers,
unless TIDINGS_REQUIRE_POSTGRES=1 (set by .ci/run), which turns the skip into a failure.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tidings.config import Settings
from tidings.store import Store, open_store

PG_ADMIN_URL = os.environ.get("TIDINGS_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _postgres_answers() -> bool:
    url = sa.engine.make_url(PG_ADMIN_URL)
    try:
        socket.create_connection((url.host or "127.0.0.1", url.port or 5432), 1).close()
        return True
    except OSError:
        return False


def need_postgres() -> None:
    if not _postgres_answers():
        if os.environ.get("TIDINGS_REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL is required (TIDINGS_REQUIRE_POSTGRES=1) but not answering")
        pytest.skip("PostgreSQL is not answering on 127.0.0.1:5432")


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database, dropped afterwards."""
    need_postgres()
    name = "tidings_t_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(PG_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://"),
                             isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.from_dict({"home": str(tmp_path / "home"), "allow_private": True})


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tidings.db'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    opened = open_store(database_url)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(f"sqlite:///{tmp_path / 'tidings.db'}")
    try:
        yield opened
    finally:
        opened.close()
