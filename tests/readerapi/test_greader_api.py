"""The Google Reader API through HTTP on the real app: sign-in, tokens, streams, state,
subscriptions and folders, the Atom form; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from lxml import etree
from starlette.testclient import TestClient
from tests.readers.conftest import NOW

from tidings.models import NewArticle
from tidings.operations import accounts
from tidings.store import Store
from tidings.store.apiaccess import KEEP_TOKENS
from tidings.web import signinlimit
from tidings.web.greader.itemids import long_id

from .conftest import API, PREFIX, World, login

READ = "user/-/state/com.google/read"
STARRED = "user/-/state/com.google/starred"
READING_LIST = "user/-/state/com.google/reading-list"


def ids(client: TestClient, auth: dict[str, str], **params: str) -> list[int]:
    answer = client.get(f"{API}/stream/items/ids", params={"n": "1000", **params},
                        headers=auth)
    assert answer.status_code == 200, answer.text
    return [int(ref["id"]) for ref in answer.json()["itemRefs"]]


def test_client_login_uses_the_api_password_and_sets_no_cookie(client: TestClient) -> None:
    answer = client.post(f"{PREFIX}/accounts/ClientLogin",
                         data={"Email": "alice", "Passwd": "alice api pass",
                               "service": "reader", "accountType": "HOSTED_OR_GOOGLE"})
    assert answer.status_code == 200 and "set-cookie" not in answer.headers
    lines = dict(line.split("=", 1) for line in answer.text.splitlines())
    assert set(lines) == {"SID", "LSID", "Auth"} and all(c in "0123456789abcdef"
                                                         for c in lines["Auth"])
    as_json = client.get(f"{PREFIX}/accounts/ClientLogin",
                         params={"Email": "alice", "Passwd": "alice api pass", "output": "json"})
    assert as_json.json()["Auth"] != lines["Auth"]  # every sign-in is a token of its own
    for password in ("password1", "wrong", ""):  # the site password is not the API password
        refused = client.post(f"{PREFIX}/accounts/ClientLogin",
                              data={"Email": "alice", "Passwd": password})
        assert refused.status_code == 401 and "Auth=" not in refused.text


def test_failed_sign_ins_are_limited(client: TestClient) -> None:
    for _ in range(signinlimit.LIMIT_PER_NAME):
        assert client.post(f"{PREFIX}/accounts/ClientLogin",
                           data={"Email": "bob", "Passwd": "guess"}).status_code == 401
    blocked = client.post(f"{PREFIX}/accounts/ClientLogin",
                          data={"Email": "bob", "Passwd": "bob api pass"})
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0


def test_tokens_bad_revoked_and_user_info(client: TestClient, store: Store,
                                          world: World) -> None:
    auth = login(client, "alice")
    info = client.get(f"{API}/user-info", headers=auth).json()
    assert info["userName"] == "alice" and info["userId"] == str(world.alice)
    token = client.get(f"{API}/token", headers=auth)
    assert token.text.strip() == auth["Authorization"].split("=", 1)[1]
    for headers in ({}, {"Authorization": "GoogleLogin auth=00ff"},
                    {"Authorization": "Bearer x"}):
        refused = client.get(f"{API}/user-info", headers=headers)
        assert refused.status_code == 401
        assert refused.headers["google-bad-token"] == "true"
    accounts.revoke_api_tokens(store, world.alice)
    assert client.get(f"{API}/subscription/list", headers=auth).status_code == 401


def test_subscriptions_tags_and_unread_counts(client: TestClient, world: World) -> None:
    alice, bob = login(client, "alice"), login(client, "bob")
    mine = client.get(f"{API}/subscription/list", params={"output": "json"},
                      headers=alice).json()["subscriptions"]
    assert {s["id"]: s["title"] for s in mine} == {
        f"feed/{world.harbor}": "Harbor", f"feed/{world.circuit}": "Circuit",
        f"feed/{world.diary}": "Diary"}
    circuit = next(s for s in mine if s["id"] == f"feed/{world.circuit}")
    assert circuit["categories"] == [{"id": "user/-/label/Tech", "label": "Tech"}]
    theirs = client.get(f"{API}/subscription/list", headers=bob).json()["subscriptions"]
    assert {s["id"] for s in theirs} == {f"feed/{world.harbor}", f"feed/{world.circuit}"}
    tags = client.get(f"{API}/tag/list", headers=alice).json()["tags"]
    assert {"id": "user/-/label/Tech", "label": "Tech", "type": "folder"} in tags
    assert client.get(f"{API}/tag/list", headers=bob).json()["tags"] == [{"id": STARRED}]
    counts = {c["id"]: c["count"] for c in client.get(
        f"{API}/unread-count", params={"output": "json"}, headers=alice).json()["unreadcounts"]}
    assert counts == {f"feed/{world.harbor}": 3, f"feed/{world.circuit}": 3,
                      f"feed/{world.diary}": 2, "user/-/label/Tech": 3, READING_LIST: 8}


def test_id_lists_page_with_a_string_continuation(client: TestClient, world: World) -> None:
    auth = login(client, "alice")
    everything = ids(client, auth, s=READING_LIST, xt=READ)
    assert sorted(everything, reverse=True) == everything and len(everything) == 8
    seen: list[int] = []
    continuation: str | None = None
    while True:
        params = {"s": READING_LIST, "n": "3", **({"c": continuation} if continuation else {})}
        page = client.get(f"{API}/stream/items/ids", params=params, headers=auth).json()
        seen.extend(int(ref["id"]) for ref in page["itemRefs"])
        continuation = page.get("continuation")
        if continuation is None:
            break
        assert isinstance(continuation, str)
    assert seen == everything
    oldest = ids(client, auth, s=f"feed/{world.harbor}", r="o")
    assert oldest == sorted(world.articles["harbor"])
    assert ids(client, auth, s="user/-/label/Tech") == sorted(world.articles["circuit"],
                                                               reverse=True)
    assert ids(client, auth, s="user/-/label/Nowhere") == []
    assert ids(client, auth, s="feed/999999") == []


def test_item_contents_in_every_id_form(client: TestClient, world: World) -> None:
    auth = login(client, "alice")
    first, second, third = world.articles["circuit"]
    forms = [long_id(first), f"tag:google.com,2005:reader/item/{second:x}", f"{third:016x}",
             str(world.articles["harbor"][0])]
    answer = client.post(f"{API}/stream/items/contents", data={"i": forms, "T": "x"},
                         headers=auth).json()
    items = answer["items"]
    assert [item["id"] for item in items] == [long_id(first), long_id(second), long_id(third),
                                              long_id(world.articles["harbor"][0])]
    circuit = items[0]
    assert circuit["title"] == "Circuit 10" and circuit["canonical"][0]["href"].startswith(
        "https://x.example/") and circuit["alternate"][0]["href"] == circuit["canonical"][0][
            "href"]
    assert circuit["origin"]["streamId"] == f"feed/{world.circuit}"
    assert circuit["origin"]["title"] == "Circuit"
    assert circuit["categories"] == [READING_LIST, "user/-/label/Tech"]
    for junk in ("12abz", "-1", "1 OR 1=1", "0"):
        bad = client.post(f"{API}/stream/items/contents", data={"i": junk}, headers=auth)
        assert bad.status_code == 400 and bad.json()["error"]["status"] == 400


def test_edit_tag_answers_ok_and_state_round_trips(client: TestClient, world: World) -> None:
    auth = login(client, "alice")
    target = world.articles["harbor"][0]
    done = client.post(f"{API}/edit-tag", data={"i": long_id(target), "a": READ, "T": "x"},
                       headers=auth)
    assert done.status_code == 200 and done.text == "OK"
    assert target not in ids(client, auth, s=READING_LIST, xt=READ)
    assert target in ids(client, auth, s=READ)
    client.post(f"{API}/edit-tag", data={"i": str(target), "r": READ}, headers=auth)
    assert target in ids(client, auth, s=READING_LIST, xt=READ)
    client.post(f"{API}/edit-tag", data={"i": f"{target:016x}", "a": STARRED}, headers=auth)
    assert ids(client, auth, s=STARRED) == [target]
    assert ids(client, auth, s=f"feed/{world.harbor}", it=STARRED) == [target]
    item = client.get(f"{API}/stream/contents/{STARRED}", headers=auth).json()["items"][0]
    assert item["categories"] == [READING_LIST, STARRED]
    client.post(f"{API}/edit-tag", data={"i": str(target), "r": STARRED}, headers=auth)
    assert ids(client, auth, s=STARRED) == []


def test_newsboats_unescaped_body_with_only_the_token(client: TestClient,
                                                      world: World) -> None:
    """newsboat 2.21 posts without escaping, ``T`` ending in the newline /token gave."""
    auth = login(client, "alice")
    token = client.get(f"{API}/token", headers=auth).text
    target = world.articles["diary"][0]
    body = (f"i={long_id(target)}&a={READ}&r=user/-/state/com.google/kept-unread&ac=edit"
            f"&T={token}").encode()
    done = client.post(f"{API}/edit-tag", content=body)  # no Authorization header at all
    assert done.text == "OK"
    assert target in ids(client, auth, s=READ)
    body = f"s=feed/{world.diary}&T={token}".encode()
    assert client.post(f"{API}/mark-all-as-read", content=body).text == "OK"
    assert ids(client, auth, s=f"feed/{world.diary}", xt=READ) == []


def _old_story_fetched_late(store: Store, source_id: int, key: str) -> int:
    """A story published a day before the others, stored an hour after them."""
    row = NewArticle(source_id=source_id, entry_key=key, title="An old story, fetched late",
                     published_at=NOW - timedelta(days=1), fetched_at=NOW + timedelta(hours=1))
    with store.db.write() as conn:
        return store.articles.insert_many(conn, [row])[0]


def test_mark_all_as_read_by_stream_and_time(client: TestClient, store: Store,
                                              world: World) -> None:
    auth = login(client, "alice")
    assert client.post(f"{API}/mark-all-as-read", data={"s": "user/-/label/Tech"},
                       headers=auth).text == "OK"
    assert set(ids(client, auth, s=READING_LIST, xt=READ)) == set(
        world.articles["harbor"] + world.articles["diary"])
    # ts in µs, as FreshRSS's clients send it: the newest crawl time the app has shown. A
    # story published a day earlier but fetched after it is new to the app: it stays unread
    shown = client.post(f"{API}/stream/items/contents",
                        data={"i": str(world.articles["harbor"][-1])},
                        headers=auth).json()["items"][0]["timestampUsec"]
    late = _old_story_fetched_late(store, world.harbor, "late-1")
    client.post(f"{API}/mark-all-as-read", data={"s": f"feed/{world.harbor}",
                                                  "ts": shown}, headers=auth)
    assert ids(client, auth, s=f"feed/{world.harbor}", xt=READ) == [late]
    refused = client.post(f"{API}/mark-all-as-read", data={"s": "bogus"}, headers=auth)
    assert refused.status_code == 400


def test_ot_and_nt_select_by_crawl_time(client: TestClient, store: Store, world: World
                                        ) -> None:
    """An app syncing with ot=<its last sync> gets what arrived since, whatever its date."""
    auth = login(client, "alice")
    synced = int((NOW + timedelta(minutes=30)).timestamp())
    late = _old_story_fetched_late(store, world.harbor, "late-2")
    item = client.get(f"{API}/stream/contents/feed/{world.harbor}", params={"ot": synced},
                      headers=auth).json()["items"]
    assert [i["title"] for i in item] == ["An old story, fetched late"]
    assert item[0]["published"] < synced < int(item[0]["crawlTimeMsec"]) // 1000
    before = ids(client, auth, s=f"feed/{world.harbor}", nt=str(synced))
    assert sorted(before) == sorted(world.articles["harbor"]) and late not in before


def test_subscription_edit_folders_and_titles(client: TestClient, world: World) -> None:
    auth = login(client, "alice")

    def listing() -> dict[str, dict[str, object]]:
        found = client.get(f"{API}/subscription/list", headers=auth).json()["subscriptions"]
        return {s["id"]: s for s in found}

    harbor = f"feed/{world.harbor}"
    assert client.post(f"{API}/subscription/edit", headers=auth, data={
        "ac": "edit", "s": harbor, "a": "user/-/label/Daily", "t": "The Harbor"}).text == "OK"
    assert listing()[harbor]["title"] == "The Harbor"
    assert listing()[harbor]["categories"] == [{"id": "user/-/label/Daily", "label": "Daily"}]
    client.post(f"{API}/rename-tag", headers=auth,
                data={"s": "user/-/label/Daily", "dest": "user/-/label/Morning"})
    assert listing()[harbor]["categories"][0]["label"] == "Morning"  # type: ignore[index]
    client.post(f"{API}/disable-tag", headers=auth, data={"s": "user/-/label/Morning"})
    assert listing()[harbor]["categories"] == []
    client.post(f"{API}/subscription/edit", headers=auth, data={"ac": "unsubscribe",
                                                                "s": harbor})
    assert harbor not in listing()
    client.post(f"{API}/subscription/edit", headers=auth, data={"ac": "subscribe", "s": harbor})
    assert harbor in listing()
    for bad in ({"ac": "explode", "s": harbor}, {"ac": "edit", "s": "user/-/label/x"},
                {"ac": "unsubscribe", "s": "feed/999999"}):
        assert client.post(f"{API}/subscription/edit", headers=auth,
                           data=bad).status_code in (400, 404)


def test_stream_contents_and_the_atom_form(client: TestClient, world: World) -> None:
    auth = login(client, "alice")
    client.post(f"{API}/edit-tag", data={"i": str(world.articles["diary"][0]), "a": READ},
                headers=auth)
    page = client.get(f"{API}/stream/contents/feed/{world.diary}", headers=auth).json()
    assert page["id"] == f"feed/{world.diary}" and len(page["items"]) == 2
    same = client.get(f"{API}/stream/contents", params={"s": f"feed/{world.diary}"},
                      headers=auth).json()
    assert [i["id"] for i in same["items"]] == [i["id"] for i in page["items"]]
    atom = client.get(f"{PREFIX}/reader/atom/feed%2F{world.diary}", params={"n": "20"},
                      headers={**auth, "If-None-Match": "*",
                               "If-Modified-Since": "Sun, 01 Jan 2090 00:00:00 GMT"})
    assert atom.status_code == 200  # never a 304: that would freeze newsboat's read state
    assert "etag" not in atom.headers and "last-modified" not in atom.headers
    assert atom.headers["content-type"].startswith("application/atom+xml")
    root = etree.fromstring(atom.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    states = {entry.findtext("a:id", namespaces=ns): {
        c.get("label") for c in entry.findall("a:category", ns)}
        for entry in root.findall("a:entry", ns)}
    read_id, unread_id = long_id(world.articles["diary"][0]), long_id(world.articles["diary"][1])
    assert "read" in states[read_id] and "fresh" not in states[read_id]
    assert "fresh" in states[unread_id] and "read" not in states[unread_id]


def test_two_readers_never_see_each_other(client: TestClient, world: World) -> None:
    alice, bob = login(client, "alice"), login(client, "bob")
    diary = world.articles["diary"]
    assert not set(diary) & set(ids(client, bob, s=READING_LIST))
    assert ids(client, bob, s=f"feed/{world.diary}") == []
    found = client.post(f"{API}/stream/items/contents", data={"i": [str(i) for i in diary]},
                        headers=bob).json()["items"]
    assert found == []
    assert client.get(f"{PREFIX}/reader/atom/feed/{world.diary}",
                      headers=bob).content.count(b"<entry") == 0
    # bob's marks and stars change nothing of alice's, and alice's folder is hers alone
    shared = world.articles["harbor"][0]
    client.post(f"{API}/edit-tag", data={"i": [str(shared), str(diary[0])],
                                         "a": [READ, STARRED]}, headers=bob)
    assert shared in ids(client, alice, s=READING_LIST, xt=READ)
    assert ids(client, alice, s=STARRED) == [] and ids(client, bob, s=STARRED) == [shared]
    assert diary[0] in ids(client, alice, s=READING_LIST, xt=READ)
    client.post(f"{API}/mark-all-as-read", data={"s": READING_LIST}, headers=bob)
    assert len(ids(client, alice, s=READING_LIST, xt=READ)) == 8
    assert client.post(f"{API}/subscription/edit", headers=bob,
                       data={"ac": "unsubscribe", "s": f"feed/{world.diary}"}
                       ).status_code == 404
    assert client.post(f"{API}/disable-tag", headers=bob,
                       data={"s": "user/-/label/Tech"}).status_code == 404


def test_signing_in_again_and_again_keeps_a_bounded_number_of_tokens(
        client: TestClient, store: Store, world: World) -> None:
    """newsboat signs in on every start: the oldest tokens retire, the newest work."""
    first = login(client, "alice")
    for _ in range(KEEP_TOKENS):
        latest = login(client, "alice")
    assert store.api_access.token_count(world.alice) == KEEP_TOKENS
    assert client.get(f"{API}/user-info", headers=first).status_code == 401
    assert client.get(f"{API}/user-info", headers=latest).status_code == 200
