"""Two readers over a small catalogue, for the sync API tests: alice and bob follow the public
outlets; alice also follows a private feed of her own and keeps one outlet in a folder."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from starlette.testclient import TestClient
from tests.readers.conftest import NOW, add_articles, add_source, add_user, cheap_hashing

from tidings.config import Settings
from tidings.operations import accounts
from tidings.operations import subscriptions as subs
from tidings.store import Store
from tidings.web.app import create_app

__all__ = ["cheap_hashing"]  # every test here hashes cheaply, as the readers' tests do

PASSWORDS = {"alice": "alice api pass", "bob": "bob api pass"}
PREFIX = "/api/greader"
API = f"{PREFIX}/reader/api/0"


@dataclass
class World:
    alice: int
    bob: int
    harbor: int  # public
    circuit: int  # public, in alice's folder "Tech"
    diary: int  # alice's private feed
    articles: dict[str, list[int]]


def build_world(store: Store) -> World:
    harbor, circuit = add_source(store, "Harbor"), add_source(store, "Circuit")
    diary = add_source(store, "Diary", public=False)
    alice, bob = add_user(store, "alice"), add_user(store, "bob")
    store.subscriptions.follow(alice, diary, NOW)
    for name, password in PASSWORDS.items():
        accounts.set_api_password(store, name, password)
    subs.set_folder(store, alice, circuit, "Tech")
    articles = {"harbor": add_articles(store, harbor, 3, title="Harbor"),
                "circuit": add_articles(store, circuit, 3, start=10, title="Circuit"),
                "diary": add_articles(store, diary, 2, start=20, title="Diary")}
    return World(alice, bob, harbor, circuit, diary, articles)


@pytest.fixture
def world(store: Store) -> World:
    return build_world(store)


@pytest.fixture
def client(settings: Settings, store: Store, world: World) -> Iterator[TestClient]:
    with TestClient(create_app(settings, store)) as c:
        yield c


def login(client: TestClient, name: str) -> dict[str, str]:
    """The Authorization header of a fresh ClientLogin for ``name``."""
    answer = client.post(f"{PREFIX}/accounts/ClientLogin",
                         data={"Email": name, "Passwd": PASSWORDS[name]})
    assert answer.status_code == 200, answer.text
    token = dict(line.split("=", 1) for line in answer.text.splitlines())["Auth"]
    return {"Authorization": f"GoogleLogin auth={token}"}
