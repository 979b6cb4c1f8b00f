"""``tidings bench live``: from a hub's push to the reader, on loopback.

A loopback WebSub hub (``tidings.benchmarks._hub``, in this process) serves ``--feeds`` Atom
feeds that declare it. A temporary SQLite store subscribes to them, and ``tidings serve`` (its
worker on) runs in a subprocess with ``TIDINGS_PUBLIC_URL`` pointing at itself: its worker
fetches the feeds, the ``websub`` stage subscribes to each at the hub, and the hub verifies
every subscription. Then the hub pushes one new item to each feed at a random time within
``--window`` seconds (signed with a random one of the four methods), and the harness notes
when each item is first visible:

- in ``/api/latest`` (polled every ``--poll`` seconds: the requests are bounded by the
  window and the timeout);
- as an ``article`` event on ``/api/events`` (Server-Sent Events), when the server has it;
  without it ``push_to_event_ms`` is ``null``.

A push not visible within ``--timeout`` seconds is lost. ``--database`` runs it on another
(empty) store, such as a new PostgreSQL database. With ``--json`` the last line is
``{"push_to_latest_ms": {"p50", "p95"}, "push_to_event_ms": {"p50", "p95"} or null,
"pushes", "lost"}``.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
import httpx2
import uvicorn

from tidings.benchmarks._hub import LoopbackHub
from tidings.console import print_json, progress
from tidings.errors import TidingsError
from tidings.models import Feed, FulltextMode, Source
from tidings.store import open_store
from tidings.websub.signature import METHODS

MARK = "Live push"


def _free_socket() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return sock


def _atom(url: str, hub: str, key: str, title: str, when: datetime) -> bytes:
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return (f"<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
            f"<title>Outlet {key}</title><id>{url}</id><updated>{stamp}</updated>"
            f"<link rel='hub' href='{hub}'/><link rel='self' href='{url}'/>"
            f"<entry><id>urn:{key}</id><title>{title}</title><updated>{stamp}</updated>"
            f"<link href='{url}#{key}'/><content type='text'>{title}.</content></entry>"
            f"</feed>").encode()


class _Watcher:
    """First-seen times of pushed titles, from /api/latest polls and /api/events."""

    def __init__(self, base: str, poll: float):
        self.base = base
        self.poll = poll
        self.latest: dict[str, float] = {}
        self.events: dict[str, float] = {}
        self.sse: bool | None = None  # None: not known yet
        self.polls = 0
        self.stop = threading.Event()

    def poll_latest(self) -> None:
        with httpx2.Client(trust_env=False, timeout=5) as client:
            while not self.stop.is_set():
                try:
                    items = client.get(self.base + "/api/latest",
                                       params={"limit": 100}).json()["items"]
                except (httpx2.HTTPError, ValueError, KeyError):
                    items = []
                seen = time.monotonic()
                self.polls += 1
                for item in items:
                    if str(item.get("title", "")).startswith(MARK):
                        self.latest.setdefault(item["title"], seen)
                self.stop.wait(self.poll)

    def listen_events(self) -> None:
        timeout = httpx2.Timeout(5.0, read=1.0)
        with httpx2.Client(trust_env=False, timeout=timeout) as client:
            while not self.stop.is_set():
                try:
                    with client.stream("GET", self.base + "/api/events",
                                       headers={"accept": "text/event-stream"}) as resp:
                        self.sse = resp.status_code == 200 and resp.headers.get(
                            "content-type", "").startswith("text/event-stream")
                        if not self.sse:
                            return
                        self._read(resp)
                except httpx2.ReadTimeout:
                    continue  # a quiet second; reconnect (the stream is idle, not gone)
                except httpx2.HTTPError:
                    self.stop.wait(0.2)

    def _read(self, resp: httpx2.Response) -> None:
        event = ""
        for line in resp.iter_lines():
            if self.stop.is_set():
                return
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:") and event == "article":
                try:
                    title = str(json.loads(line[5:]).get("title", ""))
                except ValueError:
                    continue
                if title.startswith(MARK):
                    self.events.setdefault(title, time.monotonic())
            elif not line:
                event = ""


def _percentiles(values: list[float]) -> dict[str, float] | None:
    if not values:
        return None
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50": round(statistics.median(ordered), 1), "p95": round(p95, 1)}


def _serve(url: str, home: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TIDINGS_DATABASE_URL": url, "TIDINGS_HOME": str(home),
           "TIDINGS_LOG_LEVEL": "WARNING", "TIDINGS_WORKER": "1", "TIDINGS_ALLOW_PRIVATE": "1",
           "TIDINGS_PUBLIC_URL": f"http://127.0.0.1:{port}"}
    return subprocess.Popen(
        [sys.executable, "-c", "from tidings.cli import main; main()", "serve",
         "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _setup(hub: LoopbackHub, hub_base: str, url: str, n_feeds: int) -> list[str]:
    """The store with ``n_feeds`` subscribed sources (full text off: no page fetches)."""
    store = open_store(url)
    now = datetime.now(UTC)
    topics = []
    try:
        for n in range(n_feeds):
            topic = f"{hub_base}/feeds/{n}"
            hub.documents[str(n)] = _atom(topic, hub_base + "/hub", f"first-{n}",
                                          f"Outlet {n} opens", now)
            source = store.sources.add(Source(None, f"Outlet {n}", url=topic,
                                              fulltext=FulltextMode.NEVER), now)
            store.feeds.add(Feed(None, source.id, topic), now)
            topics.append(topic)
    finally:
        store.close()
    return topics


def _push_all(hub: LoopbackHub, hub_base: str, topics: list[str], window: float,
              rng: random.Random) -> tuple[dict[str, float], list[float]]:
    """One new item per feed at a random moment of the window; push time per title, and
    how long the callback took to answer each push (ms)."""
    started = time.monotonic()
    plan = sorted((rng.uniform(0, window), n) for n in range(len(topics)))
    pushed: dict[str, float] = {}
    answered: list[float] = []
    lock = threading.Lock()

    def push(at: float, n: int, client: httpx2.Client) -> None:
        time.sleep(max(0.0, started + at - time.monotonic()))
        title = f"{MARK} {n} {rng.random():.6f}"
        body = _atom(topics[n], hub_base + "/hub", f"push-{n}", title, datetime.now(UTC))
        method = rng.choice(sorted(METHODS))
        sent = time.monotonic()
        ok = hub.push(topics[n], body, method=method, client=client) == [202]
        with lock:
            answered.append((time.monotonic() - sent) * 1000)
            if ok:
                pushed[title] = sent

    with httpx2.Client(trust_env=False, timeout=10) as client, \
            ThreadPoolExecutor(max_workers=16) as pool:
        for future in [pool.submit(push, at, n, client) for at, n in plan]:
            future.result()
    return pushed, answered


@click.command("live")
@click.option("--feeds", "n_feeds", default=200, show_default=True,
              help="Subscribed feeds (one push each).")
@click.option("--window", default=20.0, show_default=True,
              help="Seconds over which the pushes are spread at random.")
@click.option("--poll", default=0.05, show_default=True, help="Seconds between /api/latest polls.")
@click.option("--timeout", default=10.0, show_default=True,
              help="Seconds after the last push before a push not yet seen counts as lost.")
@click.option("--setup-timeout", default=300.0, show_default=True,
              help="Seconds to wait for every subscription to be verified.")
@click.option("--seed", default=1, show_default=True)
@click.option("--database", default="",
              help="An empty store to use instead of a temporary SQLite one (e.g. a new "
                   "PostgreSQL database); it is filled, not emptied afterwards.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON (last line).")
def command(n_feeds: int, window: float, poll: float, timeout: float, setup_timeout: float,
            seed: int, database: str, as_json: bool) -> None:
    """Push-to-visible latency of WebSub content: /api/latest and /api/events."""
    home = Path(tempfile.mkdtemp(prefix="tidings-bench-live-"))
    url = database or f"sqlite:///{home / 'bench.db'}"
    hub = LoopbackHub()
    hub_sock, site_sock = _free_socket(), _free_socket()
    hub_base = f"http://127.0.0.1:{hub_sock.getsockname()[1]}"
    site_port = int(site_sock.getsockname()[1])
    site_sock.close()
    server = uvicorn.Server(uvicorn.Config(hub.app(), log_level="critical", lifespan="off"))
    threading.Thread(target=server.run, kwargs={"sockets": [hub_sock]}, daemon=True).start()
    proc = None
    try:
        topics = _setup(hub, hub_base, url, n_feeds)
        proc = _serve(url, home, site_port)
        started = time.monotonic()
        if not hub.wait_for(lambda: len(hub.subscriptions) >= n_feeds, setup_timeout):
            raise TidingsError(f"only {len(hub.subscriptions)} of {n_feeds} subscriptions "
                               f"verified within {setup_timeout:.0f} s")
        progress(f"{n_feeds} feeds fetched, subscribed and verified in "
                 f"{time.monotonic() - started:.1f} s")
        result = _measure(hub, hub_base, f"http://127.0.0.1:{site_port}", topics, window,
                          poll, timeout, random.Random(seed))
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
        server.should_exit = True
        shutil.rmtree(home, ignore_errors=True)
    if as_json:
        print_json(result)
    else:
        click.echo(json.dumps(result))


def _measure(hub: LoopbackHub, hub_base: str, base: str, topics: list[str], window: float,
             poll: float, timeout: float, rng: random.Random) -> dict[str, Any]:
    watcher = _Watcher(base, poll)
    threads = [threading.Thread(target=watcher.poll_latest, daemon=True),
               threading.Thread(target=watcher.listen_events, daemon=True)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)  # the event stream is connected before the first push
    pushed, answered = _push_all(hub, hub_base, topics, window, rng)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and (
            len(watcher.latest) < len(pushed) or (watcher.sse and len(watcher.events)
                                                  < len(pushed))):
        time.sleep(0.1)
    watcher.stop.set()
    for thread in threads:
        thread.join(5)
    to_latest = [(watcher.latest[t] - at) * 1000 for t, at in pushed.items()
                 if t in watcher.latest]
    to_event = [(watcher.events[t] - at) * 1000 for t, at in pushed.items()
                if t in watcher.events]
    lost = len(topics) - len(to_latest)
    if watcher.sse:
        lost = max(lost, len(topics) - len(to_event))
    else:
        progress("no SSE stream at /api/events on this server: push_to_event_ms is null")
    progress(f"{watcher.polls} polls of /api/latest; {len(pushed)} pushes accepted; "
             f"callback answered in {_percentiles(answered)} ms")
    return {"push_to_latest_ms": _percentiles(to_latest),
            "push_to_event_ms": _percentiles(to_event) if watcher.sse else None,
            "pushes": len(pushed), "lost": lost}
