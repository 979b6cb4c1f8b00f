"""The Fever API through HTTP on the real app: auth, groups, feeds, items with exclusive
bounds, id lists, absolute marks, and two readers kept apart; on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.testclient import TestClient
from tests.readers.conftest import NOW

from tidings.models import Feed, NewArticle
from tidings.store import Store
from tidings.web import signinlimit
from tidings.web.fever.routes import PATH

from .conftest import PASSWORDS, World

ITEM_FIELDS = {"id", "feed_id", "title", "author", "html", "url", "is_saved", "is_read",
               "created_on_time"}


def key(name: str) -> str:
    return hashlib.md5(f"{name}:{PASSWORDS[name]}".encode()).hexdigest()


def fever(client: TestClient, name: str, query: str, **form: str) -> dict[str, Any]:
    answer = client.post(f"{PATH}?api&{query}", data={"api_key": key(name), **form})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    assert body["auth"] == 1 and body["api_version"] == 3
    return body


def id_set(text: str) -> set[int]:
    return {int(part) for part in text.split(",") if part}


def test_keys_from_body_or_query_and_wrong_keys_are_200_auth_0(client: TestClient) -> None:
    assert client.post(f"{PATH}?api", data={"api_key": key("alice")}).json()["auth"] == 1
    assert client.get(f"{PATH}?api&api_key={key('alice')}").json()["auth"] == 1
    assert client.post(f"{PATH}?api", data={"api_key": key("alice").upper()}).json()["auth"] == 1
    site_password = hashlib.md5(b"alice:password1").hexdigest()
    for data in ({"api_key": site_password}, {"api_key": "nonsense"}, {}):
        answer = client.post(f"{PATH}?api&items", data=data)
        assert answer.status_code == 200
        assert answer.json() == {"api_version": 3, "auth": 0}
        assert "set-cookie" not in answer.headers


def test_wrong_keys_count_as_failed_sign_ins(client: TestClient) -> None:
    for _ in range(signinlimit.LIMIT_PER_NAME):
        client.post(f"{PATH}?api", data={"api_key": "0" * 32})
    assert client.post(f"{PATH}?api", data={"api_key": key("bob")}).status_code == 429


def test_groups_and_feeds(client: TestClient, world: World, store: Store) -> None:
    brought_news = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)
    feed = store.feeds.add(Feed(None, world.harbor, "https://harbor.example/feed.xml"),
                           brought_news)
    store.feeds.update(feed.id or 0, last_new_at=brought_news)
    body = fever(client, "alice", "groups&feeds&favicons")
    assert [g["title"] for g in body["groups"]] == ["Tech"]
    tech = body["groups"][0]["id"]
    assert body["feeds_groups"] == [{"group_id": tech, "feed_ids": str(world.circuit)}]
    feeds = {f["id"]: f for f in body["feeds"]}
    assert set(feeds) == {world.harbor, world.circuit, world.diary}
    assert set(feeds[world.harbor]) == {"id", "favicon_id", "title", "url", "site_url",
                                        "is_spark", "last_updated_on_time"}
    assert {f["favicon_id"] for f in feeds.values()} == {body["favicons"][0]["id"]}
    assert feeds[world.harbor]["last_updated_on_time"] == int(brought_news.timestamp())
    assert feeds[world.circuit]["last_updated_on_time"] == 0  # no feed has brought anything
    bob = fever(client, "bob", "groups&feeds")
    assert bob["groups"] == [] and bob["feeds_groups"] == []
    assert {f["id"] for f in bob["feeds"]} == {world.harbor, world.circuit}


def test_items_since_and_max_are_exclusive(client: TestClient, world: World) -> None:
    every = sorted(world.articles["harbor"] + world.articles["circuit"] + world.articles["diary"])
    newest = fever(client, "alice", "items")
    assert newest["total_items"] == 8
    assert [i["id"] for i in newest["items"]] == every[::-1]
    assert set(newest["items"][0]) == ITEM_FIELDS
    after = fever(client, "alice", f"items&since_id={every[2]}")["items"]
    assert [i["id"] for i in after] == every[3:]
    before = fever(client, "alice", f"items&max_id={every[2]}")["items"]
    assert [i["id"] for i in before] == every[:2][::-1]
    chosen = fever(client, "alice", "items", with_ids=f"{every[5]},{every[0]}")["items"]
    assert [i["id"] for i in chosen] == [every[5], every[0]]
    item = chosen[1]
    assert item["is_read"] == 0 and item["is_saved"] == 0 and item["url"].startswith("https://")


def test_marks_are_absolute_and_echo_the_ids(client: TestClient, world: World) -> None:
    target = world.articles["harbor"][1]
    unread = id_set(fever(client, "alice", "unread_item_ids")["unread_item_ids"])
    assert len(unread) == 8
    marked = fever(client, "alice", "", mark="item", id=str(target), **{"as": "read"})
    assert id_set(marked["unread_item_ids"]) == unread - {target}
    fever(client, "alice", "", mark="item", id=str(target), **{"as": "unread"})
    for _ in range(2):  # saved twice stays saved: never a toggle
        saved = fever(client, "alice", "", mark="item", id=str(target), **{"as": "saved"})
        assert saved["saved_item_ids"] == str(target)
    item = fever(client, "alice", "items", with_ids=str(target))["items"][0]
    assert item["is_saved"] == 1 and item["is_read"] == 0
    for _ in range(2):
        fever(client, "alice", "", mark="item", id=str(target), **{"as": "unsaved"})
    assert fever(client, "alice", "saved_item_ids")["saved_item_ids"] == ""


def test_mark_feed_group_and_everything_read(client: TestClient, world: World) -> None:
    tech = fever(client, "alice", "groups")["groups"][0]["id"]
    fever(client, "alice", "", mark="group", id=str(tech), before="4000000000", **{"as": "read"})
    unread = id_set(fever(client, "alice", "unread_item_ids")["unread_item_ids"])
    assert unread == set(world.articles["harbor"] + world.articles["diary"])
    fever(client, "alice", "", mark="feed", id=str(world.diary), before="1", **{"as": "read"})
    assert id_set(fever(client, "alice", "unread_item_ids")["unread_item_ids"]) == unread
    fever(client, "alice", "", mark="feed", id=str(world.diary), **{"as": "read"})
    left = id_set(fever(client, "alice", "unread_item_ids")["unread_item_ids"])
    assert left == set(world.articles["harbor"])
    fever(client, "alice", "", mark="group", id="0", **{"as": "read"})
    assert fever(client, "alice", "unread_item_ids")["unread_item_ids"] == ""


def test_before_is_when_articles_arrived_not_their_date(client: TestClient, store: Store,
                                                        world: World) -> None:
    """``before`` is the app's last items request: a story dated earlier that arrived
    since has not been shown, so it stays unread."""
    last_request = str(int((NOW + timedelta(minutes=30)).timestamp()))
    row = NewArticle(source_id=world.harbor, entry_key="late", title="Old, fetched late",
                     published_at=NOW - timedelta(days=1), fetched_at=NOW + timedelta(hours=1))
    with store.db.write() as conn:
        late = store.articles.insert_many(conn, [row])[0]
    fever(client, "alice", "", mark="feed", id=str(world.harbor), before=last_request,
          **{"as": "read"})
    unread = id_set(fever(client, "alice", "unread_item_ids")["unread_item_ids"])
    assert late in unread and not unread & set(world.articles["harbor"])
    refused = client.post(f"{PATH}?api&mark=feed&as=saved&id={world.harbor}",
                          data={"api_key": key("alice")})
    assert refused.status_code == 400
    assert client.post(f"{PATH}?api&items&since_id=abc",
                       data={"api_key": key("alice")}).status_code == 400


def test_two_readers_never_see_each_other(client: TestClient, world: World) -> None:
    diary = world.articles["diary"]
    assert not id_set(fever(client, "bob", "unread_item_ids")["unread_item_ids"]) & set(diary)
    assert fever(client, "bob", "items", with_ids=",".join(map(str, diary)))["items"] == []
    assert all(i["feed_id"] != world.diary for i in fever(client, "bob", "items")["items"])
    fever(client, "bob", "", mark="item", id=str(diary[0]), **{"as": "read"})
    fever(client, "bob", "", mark="item", id=str(diary[0]), **{"as": "saved"})
    fever(client, "bob", "", mark="group", id="0", **{"as": "read"})
    assert fever(client, "bob", "saved_item_ids")["saved_item_ids"] == ""
    assert len(id_set(fever(client, "alice", "unread_item_ids")["unread_item_ids"])) == 8
    tech = fever(client, "alice", "groups")["groups"][0]["id"]
    fever(client, "bob", "", mark="group", id=str(tech), **{"as": "read"})  # not bob's
    assert len(id_set(fever(client, "alice", "unread_item_ids")["unread_item_ids"])) == 8
