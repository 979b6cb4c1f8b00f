"""Fixtures: the whole app on a store with one administrator and one ordinary user."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from starlette.testclient import TestClient

from fixtures_server import feed_server
from tidings import passwords
from tidings.config import Settings
from tidings.store import Store
from tidings.web.app import create_app

ADMIN = ("chief", "correct horse battery")
READER = ("reader", "just a reader pw")

__all__ = ["feed_server"]


def csrf_of(html: str) -> str:
    """The value of the hidden CSRF field in a page."""
    match = re.search(r'name="(\w*csrf\w*)" value="([^"]+)"', html)
    assert match, "no CSRF field in the page"
    return match.group(2)


def login(client: TestClient, name: str, password: str) -> int:
    page = client.get("/login")
    response = client.post("/login", data={"username": name, "password": password,
                                           "csrf_token": csrf_of(page.text)},
                           follow_redirects=False)
    return response.status_code


@pytest.fixture(autouse=True)
def cheap_hashing() -> Iterator[None]:
    """Argon2id with small costs: the same code path, milliseconds instead of a second each
    on a loaded test machine. Production keeps argon2-cffi's defaults."""
    from argon2 import PasswordHasher

    previous = passwords.use_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    yield
    passwords.use_hasher(previous)


@pytest.fixture
def sec_settings(settings: Settings) -> Settings:
    return settings.replace(read_flush_seconds=0.05, secret_key="s" * 40)


@pytest.fixture
def accounts(sqlite_store: Store) -> Store:
    now = datetime.now(UTC)
    for (name, password), admin in ((ADMIN, True), (READER, False)):
        sqlite_store.users.create(name, passwords.hash_password(password), is_admin=admin,
                                  now=now)
    return sqlite_store


@pytest.fixture
def client(sec_settings: Settings, accounts: Store) -> Iterator[TestClient]:
    with TestClient(create_app(sec_settings, accounts)) as c:
        yield c


@pytest.fixture
def admin_client(client: TestClient) -> TestClient:
    assert login(client, *ADMIN) == 303
    return client
