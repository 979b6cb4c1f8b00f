"""Readers sign in to /reader, administrators to /admin; sign-up only when it is open."""

from __future__ import annotations

from collections.abc import Callable

import httpx2
from starlette.testclient import TestClient

from tidings.config import Settings
from tidings.store import Store
from tidings.web import signin

from .conftest import ALICE, CHIEF, csrf_of, sign_in


def test_a_reader_lands_on_the_reader_and_never_in_admin(
        make_client: Callable[..., TestClient]) -> None:
    client = make_client()
    assert sign_in(client, *ALICE) == "/reader"
    assert client.get("/admin", follow_redirects=False).status_code == 403
    # a next address inside the admin area does not take a reader there
    other = make_client()
    assert sign_in(other, *ALICE, next_url="/admin/sources/1") == "/reader"
    assert sign_in(make_client(), *ALICE, next_url="/settings") == "/settings"


def test_an_admin_still_lands_in_admin(make_client: Callable[..., TestClient]) -> None:
    assert sign_in(make_client(), *CHIEF) == "/admin"
    assert sign_in(make_client(), *CHIEF, next_url="/reader?view=all") == "/reader?view=all"


def test_reader_pages_send_strangers_to_sign_in(make_client: Callable[..., TestClient]) -> None:
    client = make_client()
    for path in ("/reader", "/settings", "/reader/articles/1"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == f"/login?next={path}"
    for path in ("/reader/state", "/reader/mark-all-read", "/reader/undo", "/settings/follow"):
        assert client.post(path, data={"csrf_token": "x"}).status_code == 403


def _signup(client: TestClient, name: str, password: str, confirm: str | None = None,
            token: str | None = None) -> httpx2.Response:
    page = client.get("/signup")
    return client.post("/signup", data={
        "username": name, "password": password,
        "confirm": password if confirm is None else confirm,
        "csrf_token": token if token is not None else csrf_of(page.text)},
        follow_redirects=False)


def test_signup_is_404_while_closed(make_client: Callable[..., TestClient]) -> None:
    client = make_client()
    assert client.get("/signup").status_code == 404
    assert client.post("/signup", data={"username": "eve", "password": "x" * 12}
                       ).status_code == 404
    assert "/signup" not in client.get("/login").text


def test_open_signup_makes_a_reader_and_signs_them_in(
        make_client: Callable[..., TestClient], reader_settings: Settings,
        site_store: Store) -> None:
    client = make_client(reader_settings.replace(signup="open"))
    assert 'href="/signup"' in client.get("/login").text
    page = client.get("/signup")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    response = _signup(client, "newbie", "a long enough pw")
    assert response.status_code == 303 and response.headers["location"] == "/reader"
    user = site_store.users.by_name("newbie")
    assert user is not None and not user.is_admin
    assert client.get("/settings").status_code == 200
    assert client.get("/admin", follow_redirects=False).status_code == 403


def test_signup_refuses_bad_input_kindly(make_client: Callable[..., TestClient],
                                         reader_settings: Settings, site_store: Store) -> None:
    client = make_client(reader_settings.replace(signup="open"))
    for name, password, confirm, words in [
            ("alice", "a long enough pw", None, "already exists"),
            ("two words", "a long enough pw", None, "without spaces"),
            ("shorty", "short", None, "at least"),
            ("mismatch", "a long enough pw", "another long pw", "differ")]:
        response = _signup(client, name, password, confirm)
        assert response.status_code == 400, name
        assert words in response.text, name
    assert site_store.users.by_name("shorty") is None


def test_signup_needs_the_form_token(make_client: Callable[..., TestClient],
                                     reader_settings: Settings, site_store: Store) -> None:
    client = make_client(reader_settings.replace(signup="open"))
    response = _signup(client, "forger", "a long enough pw", token="0" * 64)
    assert response.status_code == 403
    assert site_store.users.by_name("forger") is None


def test_signup_is_rate_limited_per_address(make_client: Callable[..., TestClient],
                                            reader_settings: Settings) -> None:
    client = make_client(reader_settings.replace(signup="open"))
    for i in range(signin.SIGNUP_LIMIT_PER_ADDRESS):
        assert _signup(client, f"bot{i}", "a long enough pw").status_code == 303
        client.cookies.clear()
    blocked = _signup(client, "one-more", "a long enough pw")
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0


def test_the_sign_in_page_speaks_the_site_language(make_client: Callable[..., TestClient],
                                                   reader_settings: Settings) -> None:
    client = make_client(reader_settings.replace(locale="de"))
    page = client.get("/login")
    assert page.status_code == 200 and '<html lang="de">' in page.text
    assert "Benutzername" in page.text and "Passwort" in page.text
    assert "User name" not in page.text
    wrong = client.post("/login", data={"username": "alice", "password": "nope",
                                        "csrf_token": csrf_of(page.text)})
    assert wrong.status_code == 401 and "Falscher Benutzername" in wrong.text
    assert "Du bist abgemeldet." in client.get("/login?logged_out=1").text
    english = make_client().get("/login?logged_out=1").text
    assert "You are signed out." in english and "User name" in english


def test_every_interface_string_is_translated() -> None:
    """Each ``_("…")`` of the templates and the web code has a translation in every catalog
    (a new string without one would show in English on a German site)."""
    import re
    from pathlib import Path

    from babel.messages.pofile import read_po

    import tidings.web

    web = Path(tidings.web.__file__).parent
    literal = re.compile(r"""\b_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")
    wanted = {m.group(1) if m.group(1) is not None else m.group(2)
              for path in [*web.rglob("*.html"), *web.rglob("*.py")]
              for m in literal.finditer(path.read_text(encoding="utf-8"))}
    assert "Wrong user name or password." in wanted and len(wanted) > 100
    catalogs = sorted((web / "locales").glob("*/LC_MESSAGES/messages.po"))
    assert len(catalogs) == 5
    for path in catalogs:
        with path.open("rb") as fh:
            catalog = read_po(fh)
        missing = sorted(m for m in wanted if not getattr(catalog.get(m), "string", None))
        assert missing == [], f"{path.parts[-3]}: {missing}"
