"""The admin area: only signed-in administrators; CSRF on every form; brute force limited."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from tidings import passwords
from tidings.models import Feed, Source
from tidings.store import Store
from tidings.web import signinlimit

from .conftest import ADMIN, READER, csrf_of, login

ADMIN_PAGES = ["/admin", "/admin/", "/admin/sources/1"]
ADMIN_POSTS = ["/admin/sources", "/admin/sources/1/edit", "/admin/sources/1/pause",
               "/admin/sources/1/resume", "/admin/sources/1/remove", "/admin/pipeline",
               "/admin/sources/1/publish"]


@pytest.fixture
def one_source(accounts: Store) -> int:
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    source = accounts.sources.add(Source(None, "Daily Planet", "https://planet.example/"), now)
    accounts.feeds.add(Feed(None, source.id, "https://planet.example/rss"), now)
    assert source.id == 1
    return source.id


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_need_a_session(client: TestClient, one_source: int, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


@pytest.mark.parametrize("path", ADMIN_POSTS)
def test_admin_actions_need_a_session(client: TestClient, one_source: int, path: str) -> None:
    response = client.post(path, data={"csrf_token": "x", "name": "Hacked"},
                           follow_redirects=False)
    assert response.status_code == 403


def test_forged_session_cookie_is_ignored(client: TestClient) -> None:
    client.cookies.set("tidings_session", "WzEsImFhYWEiLCJiYmJiIl0.forged.signature")
    assert client.get("/admin", follow_redirects=False).status_code == 303


def test_login_form_contract(client: TestClient) -> None:
    page = client.get("/login")
    assert page.status_code == 200
    form = re.search(r'<form method="post" action="/login".*?</form>', page.text, re.S)
    assert form is not None
    names = set(re.findall(r'name="([^"]+)"', form.group(0)))
    assert {"username", "password"} <= names
    assert any("csrf" in n for n in names)
    assert re.search(r'type="hidden" name="csrf_token"', form.group(0))


def test_good_login_reaches_admin_and_sets_safe_cookie(client: TestClient) -> None:
    page = client.get("/login")
    response = client.post("/login", data={"username": ADMIN[0], "password": ADMIN[1],
                                           "csrf_token": csrf_of(page.text)},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/admin"
    cookie = next(c for c in response.headers.get_list("set-cookie")
                  if c.startswith("tidings_session="))
    flags = cookie.lower()
    assert "httponly" in flags and "samesite=lax" in flags and "path=/" in flags
    admin_page = client.get("/admin")
    assert admin_page.status_code == 200 and "Sources" in admin_page.text
    assert admin_page.headers["cache-control"] == "no-store"


def test_cookie_is_secure_over_https(sec_settings, accounts: Store) -> None:  # type: ignore[no-untyped-def]
    from tidings.web.app import create_app

    with TestClient(create_app(sec_settings, accounts), base_url="https://testserver") as c:
        page = c.get("/login")
        response = c.post("/login", data={"username": ADMIN[0], "password": ADMIN[1],
                                          "csrf_token": csrf_of(page.text)},
                          follow_redirects=False)
    cookie = next(x for x in response.headers.get_list("set-cookie")
                  if x.startswith("tidings_session="))
    assert "secure" in cookie.lower()


@pytest.mark.parametrize("password", ["wrong password", "", ADMIN[1].upper(), ADMIN[1] + " "])
def test_bad_password_fails(client: TestClient, password: str) -> None:
    assert login(client, ADMIN[0], password) == 401
    assert "tidings_session" not in client.cookies
    assert client.get("/admin", follow_redirects=False).status_code == 303


def test_unknown_user_fails_the_same_way(client: TestClient) -> None:
    assert login(client, "nobody", "whatever pw") == 401


def test_non_admin_is_forbidden(client: TestClient) -> None:
    assert login(client, *READER) == 303
    assert client.get("/admin", follow_redirects=False).status_code == 403


def test_login_without_or_with_wrong_csrf_is_refused(client: TestClient) -> None:
    data = {"username": ADMIN[0], "password": ADMIN[1]}
    assert client.post("/login", data=data, follow_redirects=False).status_code == 403
    client.get("/login")
    assert client.post("/login", data={**data, "csrf_token": "0" * 64},
                       follow_redirects=False).status_code == 403
    # a token taken from another browser's page does not match this browser's cookie
    other = TestClient(client.app)
    stolen = csrf_of(other.get("/login").text)
    assert client.post("/login", data={**data, "csrf_token": stolen},
                       follow_redirects=False).status_code == 403
    assert "tidings_session" not in client.cookies


@pytest.mark.parametrize("path", ADMIN_POSTS)
def test_admin_forms_need_the_session_token(admin_client: TestClient, one_source: int,
                                            accounts: Store, path: str) -> None:
    body = {"url": "https://x.example/rss", "name": "Hacked", "action": "requeue-extract"}
    assert admin_client.post(path, data=body, follow_redirects=False).status_code == 403
    assert admin_client.post(path, data={**body, "csrf_token": "forged"},
                             follow_redirects=False).status_code == 403
    source = accounts.sources.get(one_source)
    assert source.name == "Daily Planet" and not source.paused
    assert len(accounts.sources.list()) == 1


def test_every_admin_form_carries_the_token(admin_client: TestClient, one_source: int) -> None:
    for path in ("/admin", f"/admin/sources/{one_source}"):
        html = admin_client.get(path).text
        forms = re.findall(r"<form[^>]*method=\"post\".*?</form>", html, re.S)
        assert forms
        for form in forms:
            assert 'name="csrf_token"' in form, form[:120]


def test_brute_force_is_rate_limited(client: TestClient) -> None:
    for _ in range(signinlimit.LIMIT_PER_NAME):
        assert login(client, ADMIN[0], "guess guess") == 401
    page = client.get("/login")
    blocked = client.post("/login", data={"username": ADMIN[0], "password": ADMIN[1],
                                          "csrf_token": csrf_of(page.text)},
                          follow_redirects=False)
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0
    assert "tidings_session" not in client.cookies


def test_rate_limit_holds_across_processes(sec_settings, accounts: Store) -> None:  # type: ignore[no-untyped-def]
    """A second app (as another worker process would) sees the failures of the first."""
    from tidings.web.app import create_app

    with TestClient(create_app(sec_settings, accounts)) as first:
        for _ in range(signinlimit.LIMIT_PER_NAME):
            assert login(first, ADMIN[0], "guess guess") == 401
    with TestClient(create_app(sec_settings, accounts)) as second:
        assert login(second, ADMIN[0], ADMIN[1]) == 429


def test_spraying_many_names_from_one_address_is_limited(client: TestClient) -> None:
    codes = [login(client, f"user{i}", "guess guess")
             for i in range(signinlimit.LIMIT_PER_ADDRESS + 1)]
    assert codes[:signinlimit.LIMIT_PER_ADDRESS] == [401] * signinlimit.LIMIT_PER_ADDRESS
    assert codes[-1] == 429


def test_logout_ends_the_session(admin_client: TestClient) -> None:
    token = csrf_of(admin_client.get("/admin").text)
    old_cookie = admin_client.cookies.get("tidings_session")
    assert old_cookie
    response = admin_client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    cleared = next(c for c in response.headers.get_list("set-cookie")
                   if c.startswith("tidings_session="))
    assert "max-age=0" in cleared.lower()
    assert admin_client.get("/admin", follow_redirects=False).status_code == 303
    assert "signed out" in admin_client.get("/login?logged_out=1").text
    # a copy of the old cookie (stolen before sign-out) no longer opens the admin area
    admin_client.cookies.set("tidings_session", old_cookie)
    assert admin_client.get("/admin", follow_redirects=False).status_code == 303
    # signing in again right away works
    assert login(admin_client, *ADMIN) == 303
    assert admin_client.get("/admin").status_code == 200


def test_logout_needs_the_token(admin_client: TestClient) -> None:
    assert admin_client.post("/logout", data={}, follow_redirects=False).status_code == 403
    assert admin_client.get("/admin").status_code == 200


def test_password_change_ends_old_sessions(admin_client: TestClient, accounts: Store) -> None:

    accounts.users.set_password(ADMIN[0], passwords.hash_password("a brand new password"))
    assert admin_client.get("/admin", follow_redirects=False).status_code == 303


def test_next_parameter_is_not_an_open_redirect(client: TestClient) -> None:
    for evil in ("https://evil.example/", "//evil.example/admin", "/admin\\@evil.example"):
        page = client.get("/login", params={"next": evil})
        response = client.post("/login", data={
            "username": ADMIN[0], "password": ADMIN[1], "next": evil,
            "csrf_token": csrf_of(page.text)}, follow_redirects=False)
        assert response.headers["location"] == "/admin"
        client.cookies.clear()


RSS = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Planet</title>'
       b"<link>http://planet.example/</link><item><title>One</title>"
       b"<link>http://planet.example/1</link><guid>1</guid></item></channel></rss>")


def test_admin_can_manage_a_source(admin_client: TestClient, accounts: Store,
                                   feed_server) -> None:  # type: ignore[no-untyped-def]
    url = feed_server.add("/rss", RSS, content_type="application/rss+xml")
    token = csrf_of(admin_client.get("/admin").text)
    done = admin_client.post("/admin/sources", data={
        "csrf_token": token, "url": url, "name": "Planet", "category": "World"})
    assert done.status_code == 200 and "Added Planet (1 articles)" in done.text, done.text
    again = admin_client.post("/admin/sources", data={"csrf_token": token, "url": url})
    assert again.status_code == 400 and "already subscribed" in again.text
    source = accounts.sources.find(name="Planet")
    assert source is not None and source.id is not None
    sid = source.id
    edit = admin_client.post(f"/admin/sources/{sid}/edit", data={
        "csrf_token": token, "name": "Daily Planet", "category": "Metro",
        "poll_interval": "900", "fulltext": "always", "language": "en"})
    assert edit.status_code == 200
    changed = accounts.sources.get(sid)
    assert (changed.name, changed.category, changed.fulltext, changed.language) == (
        "Daily Planet", "Metro", "always", "en")
    assert [f.poll_interval for f in accounts.feeds.list(sid)] == [900]
    admin_client.post(f"/admin/sources/{sid}/pause", data={"csrf_token": token})
    assert accounts.sources.get(sid).paused
    admin_client.post(f"/admin/sources/{sid}/resume", data={"csrf_token": token})
    assert not accounts.sources.get(sid).paused
    bad = admin_client.post(f"/admin/sources/{sid}/edit", data={
        "csrf_token": token, "name": "X", "fulltext": "sometimes"})
    assert bad.status_code == 400 and "\n" not in bad.text.strip()
    admin_client.post(f"/admin/sources/{sid}/remove", data={"csrf_token": token})
    assert accounts.sources.find(name="Daily Planet") is None


def test_admin_shows_feed_health_and_errors(admin_client: TestClient, accounts: Store,
                                            one_source: int) -> None:
    feed = accounts.feeds.list(one_source)[0]
    accounts.feeds.update(feed.id, error_count=3, last_error="HTTP 503 from planet")
    page = admin_client.get("/admin").text
    assert "failing" in page and "HTTP 503 from planet" in page
    detail = admin_client.get(f"/admin/sources/{one_source}").text
    assert "HTTP 503 from planet" in detail and ">3<" in detail


def test_admin_requeues_failed_extraction(admin_client: TestClient, accounts: Store,
                                          one_source: int) -> None:
    from datetime import UTC, datetime

    from tidings.store.schema import articles

    now = datetime.now(UTC)
    with accounts.db.write() as conn:
        conn.execute(articles.insert().values(
            source_id=one_source, entry_key="k1", title="T", published_at=now, fetched_at=now,
            extract_state="failed", extract_error="timed out"))
    token = csrf_of(admin_client.get("/admin").text)
    response = admin_client.post("/admin/pipeline",
                                 data={"csrf_token": token, "action": "requeue-extract"})
    assert response.status_code == 200 and "1 failed article" in response.text
    with accounts.db.read() as conn:
        assert conn.execute(articles.select()).mappings().one()["extract_state"] == "pending"


def test_admin_add_goes_through_the_address_guard(sec_settings, accounts: Store,  # type: ignore[no-untyped-def]
                                                  feed_server) -> None:
    from tidings.web.app import create_app

    url = feed_server.add("/rss", RSS, content_type="application/rss+xml")
    strict = sec_settings.replace(allow_private=False)
    with TestClient(create_app(strict, accounts)) as c:
        assert login(c, *ADMIN) == 303
        token = csrf_of(c.get("/admin").text)
        refused = c.post("/admin/sources", data={"csrf_token": token, "url": url})
    assert refused.status_code == 400 and "refusing" in refused.text
    assert feed_server.count() == 0 and accounts.sources.list() == []


def test_admin_runs_the_later_stages(admin_client: TestClient, accounts: Store) -> None:
    from datetime import UTC, datetime

    from tidings.store.schema import articles

    now = datetime.now(UTC)
    source = accounts.sources.add(Source(None, "Wire", fulltext="never"), now)
    with accounts.db.write() as conn:
        for i in range(3):
            conn.execute(articles.insert().values(
                source_id=source.id, entry_key=f"k{i}", title=f"Quake hits the coast {i}",
                published_at=now, fetched_at=now, content_text="A strong quake hit. " * 30))
    token = csrf_of(admin_client.get("/admin").text)
    extracted = admin_client.post("/admin/pipeline",
                                  data={"csrf_token": token, "action": "run-extract"})
    assert extracted.status_code == 200 and "Extraction handled 3 article(s)" in extracted.text
    clustered = admin_client.post("/admin/pipeline",
                                  data={"csrf_token": token, "action": "run-cluster"})
    assert clustered.status_code == 200 and "Clustering handled" in clustered.text
    with accounts.db.read() as conn:
        states = {(r.extract_state, r.cluster_state) for r in conn.execute(articles.select())}
    assert states == {("skipped", "done")}
    unknown = admin_client.post("/admin/pipeline", data={"csrf_token": token, "action": "rm"})
    assert unknown.status_code == 400


def test_admin_publishes_a_readers_private_source(admin_client: TestClient,
                                                  accounts: Store) -> None:
    from datetime import UTC, datetime

    from tidings.models import Source

    private = accounts.sources.add(Source(None, "Reader's blog", "https://blog.example/",
                                          public=False), datetime.now(UTC))
    page = admin_client.get(f"/admin/sources/{private.id}")
    assert "Publish" in page.text
    token = csrf_of(page.text)
    done = admin_client.post(f"/admin/sources/{private.id}/publish",
                             data={"csrf_token": token})
    assert done.status_code == 200 and "Published Reader&#39;s blog." in done.text
    assert accounts.sources.get(private.id or 0).public
    assert "Publish" not in admin_client.get(f"/admin/sources/{private.id}").text
