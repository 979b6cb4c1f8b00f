"""/settings: every form works without JavaScript, needs the session's token, and answers bad
input with a one-line message (400), never a 500."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx2
import pytest
from starlette.testclient import TestClient

from tidings.operations import accounts
from tidings.store import Store

from ..seeding import Seeded
from .conftest import ALICE, csrf_of, sign_in

ACTIONS = ["password", "sign-out-everywhere", "api-password", "api-revoke", "preferences",
           "follow", "unfollow", "add-feed", "move", "folder-create", "folder-rename",
           "folder-delete", "filter-add", "filter-delete", "search-add", "search-delete"]

RSS = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Alice Corner</title>'
       b"<link>http://corner.example/</link><item><title>Only for Alice</title>"
       b"<link>http://corner.example/1</link><guid>c1</guid></item></channel></rss>")


def change(client: TestClient, what: str, /, **fields: str) -> httpx2.Response:
    token = csrf_of(client.get("/settings").text)
    return client.post(f"/settings/{what}", data={"csrf_token": token, **fields},
                       follow_redirects=False)


def error_of(response: httpx2.Response) -> str:
    found = re.search(r'class="error-note" role="alert">([^<]*)<', response.text)
    assert found, response.text[:300]
    return found.group(1)


def user_id(store: Store, name: str) -> int:
    user = store.users.by_name(name)
    assert user is not None
    return user.id


@pytest.mark.parametrize("action", ACTIONS)
def test_every_setting_needs_the_session_token(alice: TestClient, action: str,
                                               site_store: Store) -> None:
    before = accounts.get_prefs(site_store, user_id(site_store, "alice"))
    for token in (None, "forged"):
        data = {"name": "X", "mark_read_on": "never", "password": "new password 1",
                "source_id": "1"}
        if token:
            data["csrf_token"] = token
        assert alice.post(f"/settings/{action}", data=data).status_code == 403
    assert accounts.get_prefs(site_store, user_id(site_store, "alice")) == before
    assert alice.get("/settings").status_code == 200  # still signed in


def test_every_form_on_the_page_carries_the_token(alice: TestClient) -> None:
    html = alice.get("/settings").text
    forms = re.findall(r'<form method="post".*?</form>', html, re.S)
    assert len(forms) >= 10
    assert all('name="csrf_token"' in form for form in forms)
    actions = set(re.findall(r'action="/settings/([a-z-]+)"', html))
    # revoking shows once an API password is set, following once a source is unfollowed,
    # renaming and deleting once there is something to rename or delete
    assert actions == set(ACTIONS) - {"api-revoke", "follow", "folder-rename", "folder-delete",
                                      "filter-delete", "search-delete"}


def test_preferences(alice: TestClient, site_store: Store) -> None:
    done = change(alice, "preferences", mark_read_on="scroll", group_by_story="1")
    assert done.status_code == 303 and done.headers["location"].endswith("#reading")
    prefs = accounts.get_prefs(site_store, user_id(site_store, "alice"))
    assert (prefs.mark_read_on, prefs.mark_duplicates_read, prefs.group_by_story) == (
        "scroll", False, True)
    page = alice.get(done.headers["location"])
    assert "Preferences saved." in page.text
    assert re.search(r'value="scroll" checked', page.text)
    bad = change(alice, "preferences", mark_read_on="sometimes")
    assert bad.status_code == 400 and "marked read" in error_of(bad)


def test_change_password(make_client: Callable[..., TestClient], site_store: Store) -> None:
    here, elsewhere = make_client(), make_client()
    sign_in(here, *ALICE)
    sign_in(elsewhere, *ALICE)
    wrong = change(here, "password", current="not it", password="brand new pw",
                   confirm="brand new pw")
    assert wrong.status_code == 400 and "current password is wrong" in error_of(wrong)
    differ = change(here, "password", current=ALICE[1], password="brand new pw",
                    confirm="another new pw")
    assert differ.status_code == 400 and "differ" in error_of(differ)
    short = change(here, "password", current=ALICE[1], password="short", confirm="short")
    assert short.status_code == 400 and "at least" in error_of(short)
    done = change(here, "password", current=ALICE[1], password="brand new pw",
                  confirm="brand new pw")
    assert done.status_code == 303
    assert here.get("/settings").status_code == 200  # this browser stays signed in
    assert elsewhere.get("/settings", follow_redirects=False).status_code == 303
    assert sign_in(make_client(), "alice", "brand new pw") == "/reader"


def test_sign_out_everywhere(make_client: Callable[..., TestClient], site_store: Store) -> None:
    here, elsewhere = make_client(), make_client()
    sign_in(here, *ALICE)
    sign_in(elsewhere, *ALICE)
    uid = user_id(site_store, "alice")
    token = accounts.issue_api_token(site_store, uid, ids_now())
    assert change(here, "sign-out-everywhere").status_code == 303
    assert here.get("/settings").status_code == 200
    assert elsewhere.get("/reader", follow_redirects=False).status_code == 303
    assert accounts.user_for_token(site_store, token) is None  # apps sign in again too


def ids_now():  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    return datetime.now(UTC)


def test_api_password(alice: TestClient, site_store: Store) -> None:
    page = alice.get("/settings").text
    assert "http://testserver/api/greader" in page and "http://testserver/api/fever.php" in page
    assert "No API password is set" in page
    assert change(alice, "api-password", password="short").status_code == 400
    assert change(alice, "api-password", password="app password 1").status_code == 303
    assert accounts.check_api_password(site_store, "alice", "app password 1") is not None
    assert accounts.check_api_password(site_store, "alice", ALICE[1]) is None
    fever = accounts.fever_key("alice", "app password 1")
    assert accounts.user_for_fever_key(site_store, fever) is not None
    assert "An API password is set." in alice.get("/settings").text
    assert change(alice, "api-revoke").status_code == 303
    assert accounts.check_api_password(site_store, "alice", "app password 1") is None


def test_follow_unfollow_and_folders(alice: TestClient, ids: Seeded, site_store: Store
                                     ) -> None:
    tokyo = str(ids.sources["Tokyo Shimbun"])
    assert change(alice, "unfollow", source_id=tokyo).status_code == 303
    page = alice.get("/settings").text
    assert re.search(r'action="/settings/follow".*?value="' + tokyo + r'">\s*Tokyo Shimbun',
                     page, re.S)
    assert "東京で大雪" not in alice.get("/reader").text
    assert change(alice, "unfollow", source_id=tokyo).status_code == 400  # not followed
    assert change(alice, "follow", source_id=tokyo).status_code == 303
    assert change(alice, "follow", source_id="99999").status_code == 400
    assert change(alice, "follow", source_id="abc").status_code == 400
    # folders: create, move into, rename, delete (the feeds stay, outside it)
    assert change(alice, "folder-create", name="Asia").status_code == 303
    assert change(alice, "folder-create", name="  ").status_code == 400
    assert change(alice, "move", source_id=tokyo, folder="Asia").status_code == 303
    folder = re.search(r'name="folder_id" value="(\d+)"', alice.get("/settings").text)
    assert folder is not None
    # (following again starts after the backlog: the old Tokyo article counts as read)
    assert re.search(r'folder=' + folder.group(1) + r'">Asia <span class="count">0<.*'
                     r'>Tokyo Shimbun <span', alice.get("/reader").text, re.S)
    assert change(alice, "folder-rename", folder_id=folder.group(1),
                  new_name="East Asia").status_code == 303
    assert ">East Asia <span" in alice.get("/reader").text
    assert change(alice, "folder-rename", folder_id="424242",
                  new_name="Nope").status_code == 400
    assert change(alice, "folder-delete", folder_id=folder.group(1)).status_code == 303
    reader = alice.get("/reader").text
    assert "East Asia" not in reader and "Tokyo Shimbun <span" in reader


def test_add_a_private_feed_by_page_address(alice: TestClient, bob: TestClient,
                                            feed_server, site_store: Store  # type: ignore[no-untyped-def]
                                            ) -> None:
    feed = feed_server.add("/rss", RSS, content_type="application/rss+xml")
    page = feed_server.add("/", f'<html><head><link rel="alternate" type="application/rss+xml"'
                                f' href="{feed}"></head><body>Corner</body></html>',
                           content_type="text/html")
    done = change(alice, "add-feed", url=page, folder="Mine")
    assert done.status_code == 303, done.text
    assert "Following Alice Corner." in alice.get(done.headers["location"]).text
    reader = alice.get("/reader").text
    assert "Only for Alice" in reader and ">Mine <span" in reader
    assert "private" in alice.get("/settings").text
    # nobody else sees it, on the reader or on the public site
    assert "Only for Alice" not in bob.get("/reader?view=all").text
    assert "Alice Corner" not in bob.get("/settings").text
    assert "Only for Alice" not in bob.get("/").text
    bad = change(alice, "add-feed", url="http://127.0.0.1:1/nothing-here")
    assert bad.status_code == 400 and error_of(bad)
    assert change(alice, "add-feed", url="").status_code == 400
