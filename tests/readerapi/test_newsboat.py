"""newsboat 2.21 (Debian) in its ``feedhq`` mode against ``tidings serve`` on loopback: a real
Google Reader client reading the Atom form and writing ``edit-tag``/``mark-all-as-read``.

Headless (``-x reload``, its cache database, ``-x print-unread``) for reading, and its own
interface under tmux for writing (toggle read, flag a star, mark a feed read). It never
reaches beyond loopback: ``feedhq-show-special-feeds no`` drops its hard-coded feedhq.org
feeds. Needs newsboat and tmux (scripts/ensure-test-services installs both; CI requires them).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tidings.operations import reading
from tidings.store import Store, open_store
from tidings.store.streams import StreamQuery
from tidings.web.greader.itemids import long_id

from .conftest import PASSWORDS, World, build_world
from .live import live_tidings

pytestmark = pytest.mark.slow


def need(tool: str) -> None:
    if shutil.which(tool) is None:
        if os.environ.get("TIDINGS_REQUIRE_NEWSBOAT") == "1":
            pytest.fail(f"{tool} is required (TIDINGS_REQUIRE_NEWSBOAT=1) but not installed")
        pytest.skip(f"{tool} is not installed (scripts/ensure-test-services installs it)")


@dataclass
class Newsboat:
    home: Path
    store: Store
    world: World

    def configure(self, base: str, name: str) -> None:
        (self.home / f"{name}.config").write_text(
            'urls-source "feedhq"\n'
            f'feedhq-url "{base}/api/greader"\n'  # no trailing slash, or it asks for //accounts
            f'feedhq-login "{name}"\n'
            f'feedhq-password "{PASSWORDS[name]}"\n'
            "feedhq-show-special-feeds no\n"  # else it adds feeds on feedhq.org
            'feedhq-flag-star "s"\n')
        (self.home / "urls").write_text("")

    def args(self, name: str) -> list[str]:
        return ["newsboat", "-C", str(self.home / f"{name}.config"),
                "-c", str(self.home / f"{name}.cache.db"), "-u", str(self.home / "urls")]

    def env(self) -> dict[str, str]:
        return {**os.environ, "HOME": str(self.home), "LANG": "C.UTF-8"}

    def run(self, name: str, command: str) -> str:
        done = subprocess.run([*self.args(name), "-x", command], env=self.env(),
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def cached(self, name: str) -> dict[str, bool]:
        """newsboat's own record: guid → unread."""
        with sqlite3.connect(self.home / f"{name}.cache.db") as db:
            return {guid: bool(unread) for guid, unread in
                    db.execute("SELECT guid, unread FROM rss_item")}

    def unread(self, user_id: int) -> set[int]:
        """What the operations layer (and so ``/reader``) says is unread."""
        return set(reading.stream_ids(self.store, user_id,
                                      StreamQuery(unread_only=True, limit=1000))[0])

    def starred(self, user_id: int) -> set[int]:
        return set(reading.stream_ids(self.store, user_id,
                                      StreamQuery(kind="starred", limit=1000))[0])


@pytest.fixture
def newsboat(tmp_path: Path) -> Iterator[tuple[Newsboat, str]]:
    need("newsboat")
    url = f"sqlite:///{tmp_path / 'tidings.db'}"
    store = open_store(url)
    try:
        client = Newsboat(tmp_path, store, build_world(store))
        with live_tidings(tmp_path / "home", url) as base:
            for name in PASSWORDS:
                client.configure(base, name)
            yield client, base
    finally:
        store.close()


def test_newsboat_reads_each_readers_streams_and_state(newsboat: tuple[Newsboat, str]) -> None:
    nb, _ = newsboat
    world = nb.world
    nb.run("alice", "reload")
    everything = {long_id(i) for ids in world.articles.values() for i in ids}
    assert nb.cached("alice") == dict.fromkeys(everything, True)
    assert nb.run("alice", "print-unread").strip() == "8 unread articles"
    nb.run("bob", "reload")  # bob's newsboat never sees alice's private feed
    assert set(nb.cached("bob")) == {long_id(i) for i in
                                     world.articles["harbor"] + world.articles["circuit"]}

    # state changed on the server shows after a reload, both ways
    read_now = world.articles["harbor"][:2] + world.articles["diary"][:1]
    reading.set_read(nb.store, world.alice, read_now, True)
    nb.run("alice", "reload")
    cached = nb.cached("alice")
    assert {guid for guid, unread in cached.items() if not unread} == {
        long_id(i) for i in read_now}
    assert nb.run("alice", "print-unread").strip() == "5 unread articles"
    reading.set_read(nb.store, world.alice, read_now[:1], False)
    nb.run("alice", "reload")
    assert nb.cached("alice")[long_id(read_now[0])] is True
    assert nb.cached("bob") == dict.fromkeys(nb.cached("bob"), True)  # bob's untouched


class Screen:
    """newsboat's interface in a tmux session of its own (its own server socket)."""

    def __init__(self, socket: str, command: list[str], env: dict[str, str]):
        self.base = ["tmux", "-L", socket]
        subprocess.run([*self.base, "new-session", "-d", "-x", "140", "-y", "40",
                        subprocess.list2cmdline(command)], env=env, check=True)

    def text(self) -> str:
        return subprocess.run([*self.base, "capture-pane", "-p"], capture_output=True,
                              text=True).stdout

    def keys(self, *keys: str) -> None:
        subprocess.run([*self.base, "send-keys", *keys], check=True)

    def close(self) -> None:
        subprocess.run([*self.base, "kill-server"], capture_output=True)


def eventually(check: Callable[[], bool], what: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def test_newsboat_interface_changes_state_on_the_server(newsboat: tuple[Newsboat, str]
                                                       ) -> None:
    need("tmux")
    nb, _ = newsboat
    world = nb.world
    screen = Screen(f"tidings-{os.getpid()}-{id(nb)}", [*nb.args("alice"), "-r"], nb.env())
    try:
        eventually(lambda: "(3/3) Circuit" in screen.text(), "newsboat showed no feeds")
        screen.keys("Enter")  # the first feed, Circuit, newest article first
        eventually(lambda: "Articles in feed 'Circuit'" in screen.text(), "no article list")
        newest, middle, _ = sorted(world.articles["circuit"], reverse=True)
        screen.keys("N")  # toggle read: edit-tag a=…/read
        eventually(lambda: newest not in nb.unread(world.alice), "toggling read did not sync")
        screen.keys("C-e")  # flags of the article under the cursor (N moved down one)
        eventually(lambda: "Flags:" in screen.text(), "no flags prompt")
        screen.keys("s", "Enter")  # feedhq-flag-star "s": edit-tag a=…/starred
        eventually(lambda: nb.starred(world.alice) == {middle}, "the star did not sync")
        screen.keys("q")
        eventually(lambda: "Your feeds" in screen.text(), "not back at the feed list")
        screen.keys("A")  # mark the feed read: mark-all-as-read s=feed/<id>
        eventually(lambda: not nb.unread(world.alice) & set(world.articles["circuit"]),
                   "marking the feed read did not sync")
        screen.keys("q")
    finally:
        screen.close()
    assert nb.unread(world.alice) == set(world.articles["harbor"] + world.articles["diary"])
    assert nb.unread(world.bob) == set(world.articles["harbor"] + world.articles["circuit"])
