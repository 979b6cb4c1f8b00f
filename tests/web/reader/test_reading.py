"""/reader without JavaScript: lists, counts, opening, read/star forms, mark all read, undo."""

from __future__ import annotations

import re

import httpx2
import pytest
from starlette.testclient import TestClient

from tidings.operations import accounts
from tidings.store import Store
from tidings.web.reader import lists

from ..seeding import Seeded
from .conftest import csrf_of


def titles(html: str) -> list[str]:
    return re.findall(r'class="entry-link" href="[^"]*">([^<]+)</a>', html)


def post_state(client: TestClient, article_id: int, op: str, *, json: bool = False,
               token: str | None = None) -> httpx2.Response:
    page = client.get("/reader?view=all")
    headers = {"accept": "application/json"} if json else {}
    return client.post("/reader/state", data={
        "csrf_token": csrf_of(page.text) if token is None else token, "id": str(article_id),
        "op": op, "back": "/reader?view=all"}, headers=headers, follow_redirects=False)


def test_unread_list_with_counts_per_source(alice: TestClient, ids: Seeded) -> None:
    page = alice.get("/reader")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert len(titles(page.text)) == 7
    assert "<title>Unread (7) · tidings</title>" in page.text
    planet = ids.sources["Daily Planet"]
    assert re.search(rf'href="/reader\?source={planet}">Daily Planet <span class="count">3<',
                     page.text)
    # no inline script: the only script is the same-origin static file the CSP allows
    scripts = re.findall(r"<script[^>]*>", page.text)
    assert scripts == ['<script src="/static/reader.js?v=0.1.0" defer>'] or all(
        'src="/static/reader.js' in s for s in scripts)
    assert alice.get("/static/reader.js").status_code == 200


def test_reading_forms_without_javascript(alice: TestClient, ids: Seeded) -> None:
    arch = ids.articles["arch"]
    response = post_state(alice, arch, "read")
    assert response.status_code == 303
    assert response.headers["location"] == "/reader?view=all"
    assert "Bad weather, love arch destroyed at Meledugno in Salento" not in titles(
        alice.get("/reader").text)
    assert post_state(alice, arch, "unread").status_code == 303
    assert len(titles(alice.get("/reader").text)) == 7
    assert post_state(alice, arch, "star").status_code == 303
    assert titles(alice.get("/reader?view=starred").text) == [
        "Bad weather, love arch destroyed at Meledugno in Salento"]
    post_state(alice, arch, "unstar")
    assert titles(alice.get("/reader?view=starred").text) == []


def test_the_script_gets_json_from_the_same_endpoint(alice: TestClient, ids: Seeded) -> None:
    answer = post_state(alice, ids.articles["arch"], "read", json=True)
    assert answer.status_code == 200
    assert answer.json() == {"id": ids.articles["arch"], "read": True, "starred": False}
    refused = post_state(alice, ids.articles["arch"], "explode", json=True)
    assert refused.status_code == 400
    assert refused.json()["error"]["status"] == 400


def test_reading_a_wire_copy_marks_its_copies_read(alice: TestClient, ids: Seeded) -> None:
    post_state(alice, ids.articles["wire"], "read")
    left = titles(alice.get("/reader").text)
    assert "Israel, Syria in direct contact over border tensions" not in left  # the copy
    assert len(left) == 5


def test_opening_marks_read_as_the_preference_says(alice: TestClient, ids: Seeded,
                                                   site_store: Store) -> None:
    arch = ids.articles["arch"]
    opened = alice.get(f"/reader/articles/{arch}?back=/reader%3Fview%3Dall")
    assert opened.status_code == 200
    assert "The famous love arch collapsed in the storm." in opened.text
    assert 'href="/reader?view=all" rel="up"' in opened.text
    assert len(titles(alice.get("/reader").text)) == 6
    user = site_store.users.by_name("alice")
    assert user is not None
    accounts.set_prefs(site_store, user.id, mark_read_on="never")
    alice.get(f"/reader/articles/{ids.articles['arch2']}")
    assert len(titles(alice.get("/reader").text)) == 6
    # "scroll" is the script's business: opening marks nothing either
    accounts.set_prefs(site_store, user.id, mark_read_on="scroll")
    page = alice.get(f"/reader/articles/{ids.articles['cjk']}")
    assert 'data-mark-read-on="scroll"' in page.text
    assert len(titles(alice.get("/reader").text)) == 6


def test_an_open_back_address_stays_local(alice: TestClient, ids: Seeded) -> None:
    for evil in ("https://evil.example/", "//evil.example/reader", "/reader\\@evil"):
        page = alice.get(f"/reader/articles/{ids.articles['arch']}", params={"back": evil})
        assert 'href="/reader" rel="up"' in page.text


def test_mark_all_read_and_undo(alice: TestClient) -> None:
    page = alice.get("/reader")
    form = re.search(r'<form method="post" action="/reader/mark-all-read".*?</form>',
                     page.text, re.S)
    assert form is not None
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(0)))
    done = alice.post("/reader/mark-all-read", data=fields, follow_redirects=False)
    assert done.status_code == 303
    assert re.fullmatch(r"/reader\?undo=\d+", done.headers["location"])
    after = alice.get(done.headers["location"])
    assert titles(after.text) == [] and "Nothing unread here." in after.text
    undo = re.search(r'name="undo" value="(\d+)"', after.text)
    assert undo is not None
    back = alice.post("/reader/undo", data={"csrf_token": csrf_of(after.text),
                                            "undo": undo.group(1), "back": "/reader"},
                      follow_redirects=False)
    assert back.status_code == 303 and back.headers["location"] == "/reader"
    assert len(titles(alice.get("/reader").text)) == 7


def test_mark_all_read_of_one_source(alice: TestClient, ids: Seeded) -> None:
    planet = ids.sources["Daily Planet"]
    page = alice.get(f"/reader?source={planet}")
    assert "<h1" in page.text and ">Daily Planet</h1>" in page.text
    assert len(titles(page.text)) == 3
    alice.post("/reader/mark-all-read", data={"csrf_token": csrf_of(page.text),
                                              "source": str(planet), "back": "/reader"})
    assert len(titles(alice.get("/reader").text)) == 4


def test_views_folders_stories_and_pages(alice: TestClient, ids: Seeded, site_store: Store,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    settings_page = alice.get("/settings")
    token = csrf_of(settings_page.text)
    assert alice.post("/settings/folder-create", data={"csrf_token": token, "name": "World"}
                      ).status_code == 200
    for name in ("Reuters Wire", "Gazzetta"):
        alice.post("/settings/move", data={"csrf_token": token, "folder": "World",
                                           "source_id": str(ids.sources[name])})
    page = alice.get("/reader")
    folder = re.search(r'href="/reader\?folder=(\d+)">World <span class="count">3<', page.text)
    assert folder, page.text
    in_folder = alice.get(f"/reader?folder={folder.group(1)}")
    assert len(titles(in_folder.text)) == 3 and ">World</h1>" in in_folder.text
    # one story, every copy
    border = alice.get(f"/reader?story={ids.stories['border']}&view=all")
    assert border.status_code == 200 and len(titles(border.text)) == 3
    # pages of two: "older articles" follows the continuation until the end
    monkeypatch.setattr(lists, "PAGE_SIZE", 2)
    seen: list[str] = []
    url: str | None = "/reader"
    while url:
        html = alice.get(url).text
        seen += titles(html)
        found = re.search(r'href="([^"]+)" rel="next"', html)
        url = found.group(1).replace("&amp;", "&") if found else None
    assert len(seen) == len(set(seen)) == 7


def test_grouping_by_story(alice: TestClient, site_store: Store) -> None:
    user = site_store.users.by_name("alice")
    assert user is not None
    accounts.set_prefs(site_store, user.id, group_by_story=True)
    page = alice.get("/reader")
    assert "3 outlets" in page.text and "2 outlets" in page.text
    assert len(titles(page.text)) == 4  # border (3), arch (2), cjk, old


def test_bad_addresses_are_kind(alice: TestClient) -> None:
    for query, status in (("view=sideways", 400), ("source=abc", 400),
                          ("source=1&folder=2", 400), ("source=999", 404),
                          ("folder=999", 404), ("c=" + "9" * 300, 400), ("c=abc", 400)):
        page = alice.get("/reader?" + query)
        assert page.status_code == status, query
        assert 'class="error-note" role="alert"' in page.text
    assert alice.get("/reader/articles/999999").status_code == 404


def test_hostile_content_is_never_rendered_raw(alice: TestClient, ids: Seeded,
                                               site_store: Store) -> None:
    import sqlalchemy as sa

    from tidings.store.schema import articles

    with site_store.db.write() as conn:
        conn.execute(sa.update(articles).where(articles.c.id == ids.articles["arch"]).values(
            title="<img src=x onerror=alert(1)>",
            content_html='<p onclick="x()">Hi<script>alert(1)</script></p>'
                         '<a href="javascript:alert(2)">link</a>'))
    listing = alice.get("/reader").text
    assert "<img src=x" not in listing and "&lt;img src=x onerror=alert(1)&gt;" in listing
    opened = alice.get(f"/reader/articles/{ids.articles['arch']}").text
    assert "<script>alert" not in opened and "onclick" not in opened
    assert "javascript:" not in opened


def test_the_starred_list_offers_no_mark_all(alice: TestClient, ids: Seeded) -> None:
    post_state(alice, ids.articles["arch"], "star")
    page = alice.get("/reader?view=starred").text
    assert titles(page) and "/reader/mark-all-read" not in page
    refused = alice.post("/reader/mark-all-read", data={"csrf_token": csrf_of(page),
                                                        "view": "starred"})
    assert refused.status_code == 400
    assert len(titles(alice.get("/reader").text)) == 7


def test_an_article_links_to_its_neighbours_in_the_list_it_came_from(alice: TestClient) -> None:
    """The article page's rel=prev/next (what k/j follow there) are the rows just above and
    below it in its list, and take the list along; opened from no list, there are none."""
    listing = alice.get("/reader?view=all").text
    order = [int(i) for i in re.findall(r'href="/reader/articles/(\d+)\?back=', listing)]
    order = list(dict.fromkeys(order))
    assert len(order) >= 3
    back = "%2Freader%3Fview%3Dall"
    middle = alice.get(f"/reader/articles/{order[1]}?back={back}").text
    assert f'href="/reader/articles/{order[0]}?back={back}" rel="prev"' in middle
    assert f'href="/reader/articles/{order[2]}?back={back}" rel="next"' in middle
    first = alice.get(f"/reader/articles/{order[0]}?back={back}").text
    assert 'rel="prev"' not in first and f"/reader/articles/{order[1]}?back=" in first
    assert 'rel="next"' not in alice.get(f"/reader/articles/{order[-1]}?back={back}").text
    lone = alice.get(f"/reader/articles/{order[1]}?back=%2Freader%3Fview%3Dnonsense").text
    assert 'rel="prev"' not in lone and 'rel="next"' not in lone
