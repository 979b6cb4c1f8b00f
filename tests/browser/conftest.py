"""A live server on loopback over a seeded store, and headless Debian Chromium via Playwright.

Browser tests skip when Chromium or Playwright is missing, unless TIDINGS_REQUIRE_BROWSER=1,
which turns the skip into a failure. Playwright's own browser downloads are never used.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from tidings.config import Settings
from tidings.store import Store, open_store
from tidings.web.app import create_app
from web.seeding import Seeded, seed

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def _need_browser() -> None:
    missing = None
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        missing = f"Chromium is not installed at {CHROMIUM}"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            missing = "Playwright for Python is not installed"
    if missing:
        if os.environ.get("TIDINGS_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{missing} (TIDINGS_REQUIRE_BROWSER=1)")
        pytest.skip(missing)


@contextlib.contextmanager
def serving(settings: Settings, store: Store) -> Iterator[str]:
    """The app on a free loopback port, in a thread; yields its base URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings, store), host="127.0.0.1",
                                          port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            pytest.fail("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def live_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Seeded]]:
    _need_browser()
    home = tmp_path_factory.mktemp("browser-home")
    store = open_store(f"sqlite:///{home / 'site.db'}")
    seeded = seed(store, datetime.now(UTC).replace(microsecond=0), extra_latest=25)
    settings = Settings.from_dict({"home": str(home), "worker": False})
    try:
        with serving(settings, store) as base:
            yield base, seeded
    finally:
        store.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = tmp_path / "screenshots"
    folder.mkdir()
    return folder
