"""The live pages in headless Chromium: a headline stored while the front page is open appears
at the top of its latest list (as text, formatted like the server's rows), and a story page
counts the reports of outlets it gains, in a polite live region."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from tidings.config import Settings
from tidings.models import NewArticle, Source
from tidings.store import Store, open_store
from tidings.web.app import create_app
from web.seeding import Seeded, seed

from .conftest import _need_browser

pytestmark = pytest.mark.browser


@pytest.fixture
def live_store(tmp_path: Path) -> Iterator[tuple[str, Store, Seeded]]:
    _need_browser()
    store = open_store(f"sqlite:///{tmp_path / 'site.db'}")
    seeded = seed(store, datetime.now(UTC).replace(microsecond=0), extra_latest=25)
    settings = Settings.from_dict({"home": str(tmp_path), "worker": False,
                                   "events_poll_seconds": 0.1})
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(settings, store), log_level="warning",
                                          lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}", store, seeded
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        store.close()


def _reload_until(page: Any, shown: Any) -> None:
    """Reload until ``shown()``: cached pages notice new content within about a second
    (web/cache.py), and an event can be quicker than that."""
    for _ in range(8):
        if shown():
            return
        time.sleep(0.5)
        page.reload()
    assert shown()


def _store(store: Store, seeded: Seeded, title: str, source: str = "Gazzetta") -> int:
    now = datetime.now(UTC).replace(microsecond=0)
    row = NewArticle(source_id=seeded.sources[source], entry_key=title, title=title,
                     url="https://gazzetta.example/live", published_at=now - timedelta(seconds=5),
                     fetched_at=now)
    assert store.articles.add_or_count_views([row])[0] == 1
    return store.articles.latest(limit=1)[0][0].id or 0


def test_the_front_page_shows_a_new_headline_without_reload(
        browser: Any, live_store: tuple[str, Store, Seeded], shots: Path) -> None:
    base, store, seeded = live_store
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto(base + "/")
        latest = page.locator("section[data-live-latest]")
        rows_before = latest.locator(".latest-item").count()
        first_before = latest.locator(".latest-title").first.inner_text()
        page.locator("html[data-live=open]").wait_for(state="attached", timeout=5000)
        hostile = "Storm <b>closes</b> the port & the bridge"
        aid = _store(store, seeded, hostile)
        top = latest.locator(".latest-item").first
        top.locator(".latest-title", has_text="Storm").wait_for(timeout=5000)
        assert top.locator(".latest-title").inner_text() == hostile  # text, not markup
        assert top.locator(".latest-title b").count() == 0
        assert top.locator(".latest-title").get_attribute("href") == f"/articles/{aid}"
        server_row = page.request.get(base + "/api/latest?limit=1").json()["items"][0]
        assert top.locator("time").inner_text() == server_row["time_label"]
        assert top.locator("time").get_attribute("datetime") == server_row["published_at"]
        assert top.locator(".views").inner_text().replace("\n", " ").endswith("0")
        assert rows_before == 20
        assert latest.locator(".latest-item").count() == 20  # the oldest row made room
        assert latest.locator(".latest-title").nth(1).inner_text() == first_before
        page.screenshot(path=str(shots / "front-live.png"), full_page=True)
        # reloading shows the same row, rendered by the server
        _reload_until(page, lambda: page.locator("section[data-live-latest] .latest-title")
                      .first.inner_text() == hostile)
        assert [e for e in errors if "Failed to load resource" not in e] == []  # seed images
    finally:
        page.close()


def test_a_story_page_counts_new_reports(browser: Any, live_store: tuple[str, Store, Seeded]
                                         ) -> None:
    base, store, seeded = live_store
    story = seeded.stories["border"]
    page = browser.new_page()
    try:
        page.goto(f"{base}/stories/{story}")
        notice = page.locator(".live-notice")
        assert notice.get_attribute("aria-live") == "polite"
        assert not notice.is_visible()  # empty until something happens
        page.locator("html[data-live=open]").wait_for(state="attached", timeout=5000)
        harbour = store.sources.add(Source(None, "Harbour Gazette", "https://harbour.example"),
                                    datetime.now(UTC))
        assert harbour.id is not None
        seeded.sources["Harbour Gazette"] = harbour.id
        # two outlets new to the story, and one it already had (Gazzetta): two new reports
        for n, source in enumerate(("Tokyo Shimbun", "Gazzetta", "Harbour Gazette"), start=1):
            aid = _store(store, seeded, f"Border report {n}", source)
            with store.clustering.batch() as batch:
                batch.assign(aid, story, None)
                batch.refresh({story}, datetime.now(UTC))
                batch.finish()
        notice.get_by_text("2 new reports").wait_for(timeout=10000)
        time.sleep(1)
        assert notice.inner_text().startswith("2 new reports")
        link = notice.get_by_role("link", name="Reload to read them")
        assert link.get_attribute("href") == f"/stories/{story}"
        link.click()
        page.wait_for_load_state()
        _reload_until(page, lambda: page.locator(".timeline")
                      .get_by_text("Border report 3").count() == 1)
    finally:
        page.close()
