"""Fixtures for the reader's pages: a seeded site, two readers and an administrator, and
browsers (TestClients) signed in as each."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from starlette.testclient import TestClient

from fixtures_server import feed_server
from security.conftest import cheap_hashing, csrf_of
from tidings.config import Settings
from tidings.operations.users import create_user
from tidings.store import Store
from tidings.web.app import create_app

from ..seeding import NOW, Seeded, seed

ALICE = ("alice", "alice's secret pw")
BOB = ("bob", "bob's secret pw!")
CHIEF = ("chief", "correct horse battery")

__all__ = ["cheap_hashing", "csrf_of", "feed_server"]


def sign_in(client: TestClient, name: str, password: str, next_url: str = "") -> str:
    """Sign in through the form; the address the browser is sent to."""
    page = client.get("/login")
    response = client.post("/login", data={"username": name, "password": password,
                                           "next": next_url, "csrf_token": csrf_of(page.text)},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    return response.headers["location"]


@pytest.fixture
def reader_settings(settings: Settings) -> Settings:
    return settings.replace(read_flush_seconds=0.05, secret_key="r" * 40)


@pytest.fixture
def site_store(sqlite_store: Store) -> Store:
    """The web tests' seeded site, with two readers and an administrator whose accounts
    are older than every article (so a new follower's backlog cut-off leaves all unread)."""
    seed(sqlite_store)
    now = NOW - timedelta(days=5)
    for (name, password), admin in ((ALICE, False), (BOB, False), (CHIEF, True)):
        create_user(sqlite_store, name, password, admin=admin, now=now)
    return sqlite_store


@pytest.fixture
def ids(site_store: Store) -> Seeded:
    """The seed's ids by key (entry_key for articles, name for sources)."""
    import sqlalchemy as sa

    from tidings.store.schema import articles, sources, stories

    found = Seeded(now=NOW)
    with site_store.db.read() as conn:
        found.articles.update(conn.execute(sa.select(articles.c.entry_key, articles.c.id)).all())
        found.sources.update(conn.execute(sa.select(sources.c.name, sources.c.id)).all())
        story_ids = conn.execute(sa.select(stories.c.id).order_by(stories.c.id)).scalars()
        found.stories.update(zip(("border", "arch"), story_ids, strict=False))
    return found


@pytest.fixture
def make_client(reader_settings: Settings, site_store: Store
                ) -> Iterator[Callable[..., TestClient]]:
    """A new browser on the app (``settings=`` to change the settings)."""
    opened: list[TestClient] = []

    def make(settings: Settings | None = None) -> TestClient:
        client = TestClient(create_app(settings or reader_settings, site_store))
        client.__enter__()
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


@pytest.fixture
def alice(make_client: Callable[..., TestClient]) -> TestClient:
    client = make_client()
    sign_in(client, *ALICE)
    return client


@pytest.fixture
def bob(make_client: Callable[..., TestClient]) -> TestClient:
    client = make_client()
    sign_in(client, *BOB)
    return client
