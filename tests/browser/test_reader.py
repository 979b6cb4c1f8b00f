"""The reader in headless Chromium: signing in, the list at desktop and phone widths, every
keyboard shortcut for real, and Lighthouse's accessibility score of /reader and /settings."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2
import pytest

from tidings.config import Settings
from tidings.operations.users import create_user
from tidings.store import open_store
from web.seeding import seed

from .conftest import _need_browser, serving
from .lighthouse import accessibility

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
READER = ("reader", "a reader's password")


@pytest.fixture(scope="module")
def live_reader(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    _need_browser()
    home = tmp_path_factory.mktemp("reader-home")
    store = open_store(f"sqlite:///{home / 'site.db'}")
    seed(store, datetime.now(UTC).replace(microsecond=0), extra_latest=25)
    # an account older than the articles: its backlog cut-off leaves every one unread
    create_user(store, *READER, admin=False, now=datetime.now(UTC) - timedelta(days=5))
    settings = Settings.from_dict({"home": str(home), "worker": False})
    try:
        with serving(settings, store) as base:
            yield base
    finally:
        store.close()


def _signed_in_page(browser: Any, base: str, device: str) -> tuple[Any, Any, list[str]]:
    context = browser.new_context(viewport=WIDTHS[device], is_mobile=device == "phone",
                                  color_scheme="light")
    page = context.new_page()
    errors: list[str] = []
    # failed page requests are caught as responses (with their address); the browser's own
    # /favicon.ico request reaches only the console, so those console lines are left out
    page.on("console", lambda m: errors.append(m.text) if m.type == "error"
            and not m.text.startswith("Failed to load resource") else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400
            else None)
    page.goto(base + "/reader")
    assert "/login" in page.url  # a stranger is sent to sign in, and comes back
    page.get_by_label("User name").fill(READER[0])
    page.get_by_label("Password").fill(READER[1])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/reader$"))
    return context, page, errors


@pytest.mark.parametrize("device", list(WIDTHS))
def test_reader_at_desktop_and_phone_widths(browser: Any, live_reader: str, shots: Path,
                                            device: str) -> None:
    context, page, errors = _signed_in_page(browser, live_reader, device)
    try:
        assert page.get_by_role("heading", name="Unread", level=1).is_visible()
        entries = page.locator(".entry")
        assert entries.count() >= 10
        assert entries.first.locator(".entry-title").is_visible()
        side = page.get_by_role("navigation", name="Feeds and folders")
        assert side.get_by_role("link", name=re.compile(r"Daily Planet \d+")).count() == 1
        page.screenshot(path=str(shots / f"reader-{device}.png"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= WIDTHS[device]["width"] + 1
        if device == "phone":  # one column: the list comes first, the feeds after it
            list_top = page.locator(".reader-list").bounding_box()
            side_top = side.bounding_box()
            assert list_top and side_top and side_top["y"] > list_top["y"]
        else:
            list_box = page.locator(".reader-list").bounding_box()
            side_box = side.bounding_box()
            assert list_box and side_box and side_box["x"] < list_box["x"]
        page.goto(live_reader + "/settings")
        assert page.get_by_role("heading", name="Settings", level=1).is_visible()
        page.screenshot(path=str(shots / f"settings-{device}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= (
            WIDTHS[device]["width"] + 1)
    finally:
        context.close()
    assert not [e for e in errors if "Content Security Policy" in e], errors
    assert (shots / f"reader-{device}.png").stat().st_size > 5_000


def _classes(page: Any, index: int) -> str:
    return str(page.locator(".entry").nth(index).get_attribute("class"))


def test_keyboard_shortcuts(browser: Any, live_reader: str, shots: Path) -> None:
    context, page, errors = _signed_in_page(browser, live_reader, "desktop")
    try:
        total = page.locator(".entry").count()
        first_title = page.locator(".entry-title").first.inner_text()
        # j / k move the selection
        page.keyboard.press("j")
        assert "is-current" in _classes(page, 0)
        page.keyboard.press("j")
        assert "is-current" in _classes(page, 1) and "is-current" not in _classes(page, 0)
        page.keyboard.press("k")
        assert "is-current" in _classes(page, 0)
        # m marks it read on the server (the unread counts follow), m again unread
        unread = page.locator('a[data-view="u"] .count')
        count = int(unread.inner_text())
        with page.expect_response(lambda r: r.url.endswith("/reader/state")) as answer:
            page.keyboard.press("m")
        assert answer.value.json()["read"] is True
        page.locator(".entry").first.and_(page.locator(".is-read")).wait_for()
        assert int(unread.inner_text()) == count - 1 and f"({count - 1})" in page.title()
        with page.expect_response(lambda r: r.url.endswith("/reader/state")) as answer:
            page.keyboard.press("m")
        assert answer.value.json()["read"] is False
        # s stars it; g s shows the starred view with it
        with page.expect_response(lambda r: r.url.endswith("/reader/state")) as answer:
            page.keyboard.press("s")
        assert answer.value.json()["starred"] is True
        page.keyboard.press("g")
        page.keyboard.press("s")
        page.wait_for_url(re.compile(r"view=starred"))
        assert page.locator(".entry-title").all_inner_texts() == [first_title]
        # g a: everything; g u: unread again
        page.keyboard.press("g")
        page.keyboard.press("a")
        page.wait_for_url(re.compile(r"view=all"))
        page.keyboard.press("g")
        page.keyboard.press("u")
        page.wait_for_url(re.compile(r"/reader$"))
        # ? shows the help, Escape hides it
        page.keyboard.press("?")
        help_box = page.get_by_role("dialog", name="Keyboard shortcuts")
        assert help_box.is_visible()
        page.screenshot(path=str(shots / "reader-help.png"))
        page.keyboard.press("Escape")
        assert help_box.is_hidden()
        # o opens the selected article (and marks it read: the default is "on open")
        page.keyboard.press("j")
        page.keyboard.press("o")
        page.wait_for_url(re.compile(r"/reader/articles/\d+"))
        assert page.get_by_role("heading", level=1).inner_text() == first_title
        assert "is-read" in str(page.locator("article.entry").get_attribute("class"))
        page.go_back()
        page.wait_for_url(re.compile(r"/reader$"))
        page.reload()
        assert page.locator(".entry").count() == total - 1
        # enter opens too
        page.keyboard.press("j")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/reader/articles/\d+"))
        page.go_back()
        page.reload()
        # shift+a marks everything read, and Undo brings it back
        page.keyboard.press("Shift+A")
        page.wait_for_url(re.compile(r"undo="))
        assert page.locator(".entry").count() == 0
        page.get_by_role("button", name="Undo").click()
        page.wait_for_url(re.compile(r"/reader$"))
        assert page.locator(".entry").count() == total - 2
    finally:
        context.close()
    assert not errors, errors


def _session_cookie(base: str) -> str:
    with httpx2.Client(base_url=base) as client:
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token
        client.post("/login", data={"username": READER[0], "password": READER[1],
                                    "csrf_token": token.group(1)})
        return f"tidings_session={client.cookies['tidings_session']}"


@pytest.mark.parametrize("path", ["/reader", "/settings"])
def test_lighthouse_accessibility_is_100(live_reader: str, tmp_path: Path, path: str) -> None:
    cookie = _session_cookie(live_reader)
    for preset in (None, "desktop"):  # Lighthouse's phone emulation, then desktop
        score = accessibility(live_reader + path, tmp_path / f"lh-{preset}.json",
                              cookie=cookie, preset=preset)
        assert score.url == live_reader + path  # measured signed in, not the sign-in page
        assert score.score == 1.0, (path, preset, score.failing)


def test_the_reader_works_without_javascript(browser: Any, live_reader: str) -> None:
    context = browser.new_context(viewport=WIDTHS["desktop"], java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_reader + "/login?next=/reader")
        page.get_by_label("User name").fill(READER[0])
        page.get_by_label("Password").fill(READER[1])
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r"/reader"))
        before = page.locator(".entry").count()
        page.locator(".entry").first.get_by_role("button", name=re.compile("^Mark read")).click()
        page.wait_for_load_state()
        assert page.locator(".entry").count() == before - 1
    finally:
        context.close()


def test_mark_read_on_scroll(browser: Any, live_reader: str) -> None:
    context, page, errors = _signed_in_page(browser, live_reader, "desktop")
    try:
        page.goto(live_reader + "/settings")
        page.get_by_label("when I scroll past it (needs JavaScript)").check()
        page.get_by_role("button", name="Save").first.click()
        page.wait_for_url(re.compile(r"/settings\?done="))
        page.goto(live_reader + "/reader")
        assert page.locator("body").get_attribute("data-mark-read-on") == "scroll"
        before = page.locator(".entry").count()
        first = page.locator(".entry").first.get_attribute("id")
        with page.expect_response(lambda r: r.url.endswith("/reader/state")):
            page.mouse.wheel(0, 2500)
        page.wait_for_selector(f"#{first}.is-read")  # (no wait_for_function: the CSP)
        page.wait_for_load_state("networkidle")
        page.reload()
        assert 0 < page.locator(".entry").count() < before  # the server has them as read
    finally:
        page.goto(live_reader + "/settings")
        page.get_by_label("when I open it").check()
        page.get_by_role("button", name="Save").first.click()
        context.close()
    assert not errors, errors
