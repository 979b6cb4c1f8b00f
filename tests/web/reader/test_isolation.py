"""Two readers never see each other's state, folders or private feeds on the pages, and
cannot act on them by guessing ids."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from tidings.models import Source
from tidings.store import Store
from tidings.store.schema import articles

from ..seeding import NOW, Seeded
from .conftest import csrf_of
from .test_reading import post_state, titles
from .test_settings import change, user_id


@pytest.fixture
def private(site_store: Store) -> tuple[int, int]:
    """Alice's private source (followed by her only) and its one article."""
    source = site_store.sources.add(Source(None, "Alice Private", "https://private.example",
                                           public=False), NOW - timedelta(days=1))
    assert source.id is not None
    site_store.subscriptions.follow(user_id(site_store, "alice"), source.id,
                                    NOW - timedelta(days=5))
    with site_store.db.write() as conn:
        article = conn.execute(articles.insert().values(
            source_id=source.id, entry_key="secret", title="Alice's secret article",
            url="https://private.example/1", published_at=NOW, fetched_at=NOW,
            summary="Nobody else reads this.").returning(articles.c.id)).scalar_one()
    return source.id, article


def test_state_and_folders_stay_with_their_reader(alice: TestClient, bob: TestClient,
                                                  ids: Seeded) -> None:
    arch = ids.articles["arch"]
    post_state(alice, arch, "read")
    post_state(alice, ids.articles["old"], "star")
    assert change(alice, "folder-create", name="Alice only").status_code == 303
    bob_page = bob.get("/reader").text
    assert len(titles(bob_page)) == 7
    assert titles(bob.get("/reader?view=starred").text) == []
    assert "Alice only" not in bob_page and "Alice only" not in bob.get("/settings").text
    assert len(titles(alice.get("/reader").text)) == 6


def test_private_feeds_stay_private(alice: TestClient, bob: TestClient,
                                    private: tuple[int, int]) -> None:
    source_id, article_id = private
    assert "Alice&#39;s secret article" in alice.get("/reader").text
    assert alice.get(f"/reader/articles/{article_id}").status_code == 200
    assert "secret article" not in bob.get("/reader?view=all").text
    assert "Alice Private" not in bob.get("/settings").text
    assert bob.get(f"/reader?source={source_id}").status_code == 404
    assert bob.get(f"/reader/articles/{article_id}").status_code == 404
    # guessing ids does nothing
    assert post_state(bob, article_id, "star", json=True).status_code == 404
    assert change(bob, "follow", source_id=str(source_id)).status_code == 400
    assert "Alice Private" not in bob.get("/settings").text
    assert titles(alice.get("/reader?view=starred").text) == []


def test_a_reader_cannot_touch_anothers_folder_or_undo(alice: TestClient, bob: TestClient,
                                                       site_store: Store) -> None:
    assert change(alice, "folder-create", name="Mine").status_code == 303
    folder = re.search(r'name="folder_id" value="(\d+)"', alice.get("/settings").text)
    assert folder is not None
    assert change(bob, "folder-rename", folder_id=folder.group(1),
                  new_name="Bob's now").status_code == 400
    assert change(bob, "folder-delete", folder_id=folder.group(1)).status_code in (303, 400)
    assert "Mine" in alice.get("/settings").text
    assert bob.get(f"/reader?folder={folder.group(1)}").status_code == 404
    # Alice marks everything read; Bob cannot undo it for her (nor for himself)
    page = alice.get("/reader")
    done = alice.post("/reader/mark-all-read", data={"csrf_token": csrf_of(page.text),
                                                     "back": "/reader"},
                      follow_redirects=False)
    undo = done.headers["location"].split("undo=")[1]
    refused = bob.post("/reader/undo", data={"csrf_token": csrf_of(bob.get("/reader").text),
                                             "undo": undo})
    assert refused.status_code == 400
    assert titles(alice.get("/reader").text) == []
    with site_store.db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(articles)).scalar() == 7


def test_forms_without_the_token_change_nothing(alice: TestClient, ids: Seeded) -> None:
    arch = ids.articles["arch"]
    for token in ("", "forged"):
        assert post_state(alice, arch, "read", token=token).status_code == 403
        assert alice.post("/reader/mark-all-read", data={"csrf_token": token}
                          ).status_code == 403
        assert alice.post("/reader/undo", data={"csrf_token": token, "undo": "1"}
                          ).status_code == 403
    assert len(titles(alice.get("/reader").text)) == 7
