"""Shared fixtures: settings in a temporary home, and a store on SQLite and on PostgreSQL.

The ``store`` fixture runs each test on both databases. PostgreSQL tests get a database of
their own on the local server (127.0.0.1:5432); they are skipped when no server answers,
unless TIDINGS_REQUIRE_POSTGRES=1 (set by .ci/run), which turns the skip into a failure.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
import uvicorn
from starlette.types import ASGIApp

from tidings.config import Settings
from tidings.models import ProgressFn
from tidings.store import Store, open_store
from tidings.worker import stages

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


@pytest.fixture
def serve_app() -> Iterator[Callable[[ASGIApp], int]]:
    """Serve an ASGI app with uvicorn on a free loopback port (started, with its lifespan);
    the port. Stopped when the test ends."""
    running: list[tuple[uvicorn.Server, threading.Thread, socket.socket]] = []

    def start(app: ASGIApp) -> int:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        server = uvicorn.Server(uvicorn.Config(app, log_level="critical", lifespan="on"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        running.append((server, thread, sock))
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        return int(sock.getsockname()[1])

    yield start
    for server, thread, sock in running:
        server.should_exit = True
        thread.join(5)
        sock.close()


@pytest.fixture
def stage_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int | None, bool]]:
    """Every stage run, as (name, limit, wait), still doing the real work."""
    record: list[tuple[str, int | None, bool]] = []
    real = stages.run_stage

    def recording(stage: stages.Stage | str, store: Store, settings: Settings, *,
                  limit: int | None = None, wait: bool = True,
                  progress: ProgressFn | None = None) -> int | None:
        found = stages.get(stage) if isinstance(stage, str) else stage
        record.append((found.name, limit, wait))
        return real(found, store, settings, limit=limit, wait=wait, progress=progress)

    monkeypatch.setattr(stages, "run_stage", recording)
    return record
