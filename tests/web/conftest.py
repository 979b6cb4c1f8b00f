"""Fixtures: a seeded store and a TestClient on the app, with the clock at the seed's NOW."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from tidings.config import Settings
from tidings.store import Store
from tidings.web.app import create_app

from .seeding import Seeded, seed


@pytest.fixture
def seeded(store: Store) -> Seeded:
    return seed(store)


@pytest.fixture
def sqlite_seeded(sqlite_store: Store) -> Seeded:
    return seed(sqlite_store)


@pytest.fixture
def web_settings(settings: Settings) -> Settings:
    return settings.replace(read_flush_seconds=0.05)


@pytest.fixture
def client(web_settings: Settings, store: Store, seeded: Seeded) -> Iterator[TestClient]:
    app = create_app(web_settings, store)
    app.state.site.set_clock(lambda: seeded.now)
    with TestClient(app) as c:
        yield c


@pytest.fixture
def sqlite_client(web_settings: Settings, sqlite_store: Store, sqlite_seeded: Seeded
                  ) -> Iterator[TestClient]:
    app = create_app(web_settings, sqlite_store)
    app.state.site.set_clock(lambda: sqlite_seeded.now)
    with TestClient(app) as c:
        yield c
